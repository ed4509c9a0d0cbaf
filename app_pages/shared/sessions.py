"""Save and share a session: the app's state as an hnnviz bundle (:mod:`hnnviz.io`), and back.

A bundle holds the choices (table, target, task, network options, seed), the network shown, the trained
models, their attributions and, if the user asks, the table itself. Reading one goes through
:func:`hnnviz.io.read_bundle`, which refuses anything unsafe before this module sees it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app_pages.shared import state
from app_pages.shared.state import SAMPLE_PREFIX, AppState, Upload
from hnnviz.data import SAMPLES
from hnnviz.exceptions import HNNVizError, InputValidationError
from hnnviz.io import Bundle, read_bundle, write_bundle
from hnnviz.specs import TrainConfig, default_config
from hnnviz.workflows import TrainingJob

__all__ = ["export_session", "import_session", "safe_import"]

_TOP = 50  # simplices kept per attribution


def export_session(app: AppState, *, include_data: bool) -> bytes:
    """This session as a bundle (zip bytes).

    Raises
    ------
    HNNVizError
        If the table cannot be read or written exactly.
    """
    selection = app.selection
    settings: dict[str, Any] = {
        "source": selection.source,
        "source_name": app.source_name(selection.source),
        "sheet": selection.sheet,
        "target": selection.target,
        "task": selection.task,
        "seed": selection.seed,
        "max_rows": selection.max_rows,
        "lesson": app.lesson,
    }
    job = app.training
    runs = dict(job.runs) if job is not None and job.finished else {}
    if runs:
        settings["training"] = job.config.to_dict()
    network = state.network(app, selection, state.dataset(app, selection)).to_dict()
    attributions = {
        f"{attribution.method}-{'all' if row is None else f'row{row}'}": attribution.to_dict(top=_TOP)
        for (_, _, row), attribution in app.attributions.items()
    }
    data = state.raw_table(app, selection) if include_data else None
    name = app.source_name(selection.source) if include_data else None
    bundle = Bundle(settings, selection.ifn, network, runs, attributions, data=data, data_name=name)
    return write_bundle(bundle)


def import_session(app: AppState, payload: bytes) -> str:
    """Restore a saved session: its table, choices and trained models; returns what was restored.

    Raises
    ------
    HNNVizError
        If the bundle is refused (see :func:`hnnviz.io.read_bundle`), or its models cannot be used with the
        table it names.
    """
    bundle = read_bundle(payload)
    settings = bundle.settings
    _restore_table(app, bundle)
    app.selection = replace(
        app.selection, target=_text(settings, "target"), task=_text(settings, "task"), ifn=bundle.ifn,
        seed=_count(settings, "seed", 0), max_rows=_count(settings, "max_rows", None),
    )  # fmt: skip
    app.lesson = bool(settings.get("lesson", app.lesson))
    restored = [app.source_label(app.selection.source)]
    if bundle.runs:
        config = _training_config(settings.get("training"))
        dataset = state.dataset(app, app.selection)
        app.start_training(TrainingJob.restored(dataset, bundle.runs, config))
        restored.append(f"{len(bundle.runs)} trained model(s)")
    return "Restored " + " and ".join(restored) + "."


def _restore_table(app: AppState, bundle: Bundle) -> None:
    """The bundle's own table if it has one, else the bundled sample it names; otherwise say what is missing."""
    source = _text(bundle.settings, "source") or ""
    if bundle.data is not None:
        name = bundle.data_name or "data"
        name = name if name.lower().endswith(".csv") else f"{name.rsplit('.', 1)[0]}.csv"
        app.add_upload(Upload.read(name, bundle.data.to_csv(index=False).encode("utf-8")))
    elif source.startswith(SAMPLE_PREFIX) and source.removeprefix(SAMPLE_PREFIX) in SAMPLES:
        app.selection = app.selection.with_source(source)
    elif source in app.uploads:
        app.selection = app.selection.with_source(source, _text(bundle.settings, "sheet"))
    else:
        name = _text(bundle.settings, "source_name") or "its table"
        raise InputValidationError(f"The bundle does not hold its table: upload {name} first, then open it again.")


def _training_config(saved: Any) -> TrainConfig:
    if saved is None:
        return default_config("hnn")
    try:
        return TrainConfig.from_dict(saved)
    except InputValidationError as err:
        raise InputValidationError(f"The bundle's training settings are not valid: {err}") from err


def _text(settings: dict[str, Any], key: str) -> str | None:
    value = settings.get(key)
    if value is not None and not isinstance(value, str):
        raise InputValidationError(f"The bundle's setting {key!r} must be text. Got {type(value).__name__}.")
    return value


def _count(settings: dict[str, Any], key: str, default: int | None) -> int | None:
    """A non-negative int setting (or its default when absent or null)."""
    value = settings.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputValidationError(f"The bundle's {key!r} must be an int >= 0. Got {value!r}.")
    return value


def safe_import(app: AppState, payload: bytes) -> tuple[bool, str]:
    """:func:`import_session` that leaves the session as it was when the bundle is refused."""
    selection, uploads, training, lesson = app.selection, dict(app.uploads), app.training, app.lesson
    try:
        return True, import_session(app, payload)
    except HNNVizError as err:
        app.selection, app.uploads, app.training, app.lesson = selection, uploads, training, lesson
        return False, str(err)
