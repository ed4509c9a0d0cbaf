"""Save and share a session: the app's state as an hnnviz bundle (:mod:`hnnviz.io`), and back.

A bundle holds the choices (table, target, task, network options, seed), the network shown, the trained
models, their attributions and, if the user asks, the table itself. Reading one goes through
:func:`hnnviz.io.read_bundle`, which refuses anything unsafe before this module sees it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app_pages.shared import state
from app_pages.shared.state import SAMPLE_PREFIX, AppState, Selection, Upload
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
    settings: dict[str, Any] = selection.to_dict()
    del settings["ifn"]  # the bundle holds the network options itself (Bundle.ifn)
    settings |= {"source_name": app.source_name(selection.source), "lesson": app.lesson}
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
    try:
        saved = Selection.from_dict({**settings, "ifn": bundle.ifn.to_dict()})
    except InputValidationError as err:
        raise InputValidationError(f"The bundle's settings are not valid: {err}") from err
    _restore_table(app, bundle, saved)
    app.selection = replace(
        app.selection, target=saved.target, task=saved.task, ifn=saved.ifn, seed=saved.seed, max_rows=saved.max_rows,
        missing=saved.missing, keep=saved.keep,
    )  # fmt: skip
    app.lesson = bool(settings.get("lesson", app.lesson))
    restored = [app.source_label(app.selection.source)]
    if bundle.runs:
        config = _training_config(settings.get("training"))
        dataset = state.dataset(app, app.selection)
        app.start_training(TrainingJob.restored(dataset, bundle.runs, config))
        restored.append(f"{len(bundle.runs)} trained model(s)")
    return "Restored " + " and ".join(restored) + "."


def _restore_table(app: AppState, bundle: Bundle, saved: Selection) -> None:
    """The bundle's own table if it has one, else the bundled sample it names; otherwise say what is missing."""
    source = saved.source
    if bundle.data is not None:
        name = bundle.data_name or "data"
        name = name if name.lower().endswith(".csv") else f"{name.rsplit('.', 1)[0]}.csv"
        app.add_upload(Upload.read(name, bundle.data.to_csv(index=False).encode("utf-8")))
    elif source.startswith(SAMPLE_PREFIX) and source.removeprefix(SAMPLE_PREFIX) in SAMPLES:
        app.selection = app.selection.with_source(source)
    elif source in app.uploads:
        app.selection = app.selection.with_source(source, saved.sheet)
    else:
        name = bundle.settings.get("source_name")
        name = name if isinstance(name, str) and name else "its table"
        raise InputValidationError(f"The bundle does not hold its table: upload {name} first, then open it again.")


def _training_config(saved: Any) -> TrainConfig:
    if saved is None:
        return default_config("hnn")
    try:
        return TrainConfig.from_dict(saved)
    except InputValidationError as err:
        raise InputValidationError(f"The bundle's training settings are not valid: {err}") from err


def safe_import(app: AppState, payload: bytes) -> tuple[bool, str]:
    """:func:`import_session` that leaves the session as it was when the bundle is refused."""
    selection, uploads, training, lesson = app.selection, dict(app.uploads), app.training, app.lesson
    try:
        return True, import_session(app, payload)
    except HNNVizError as err:
        app.selection, app.uploads, app.training, app.lesson = selection, uploads, training, lesson
        return False, str(err)
