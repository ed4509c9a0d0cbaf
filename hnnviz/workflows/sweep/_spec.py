"""Reading a sweep spec: :class:`SweepSpec` from TOML (the format is in :mod:`hnnviz.workflows.sweep`), its data sources
and stability options, each key checked with a message that names it.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..._validation import check_in, check_int, short_repr
from ...data import SAMPLES, Dataset, load_dataset, load_sample, sample_data_dir
from ...exceptions import InputValidationError
from ...specs import MODEL_KINDS, IFNSpec, ModelSpec, TrainConfig, default_config
from .._compare import parse_model_name
from ._tasks import FitTask, StabilityTask, Task

__all__ = ["DataSource", "StabilitySpec", "SweepSpec"]

_TOP_KEYS = ("datasets", "seeds", "models", "training", "model", "ifn", "stability")
_SOURCE_KEYS = ("sample", "path", "target", "name", "sheet")


@dataclass(frozen=True)
class DataSource:
    """Where a task finds its data set: a bundled sample or a file, with the target column.

    Attributes
    ----------
    name : str
        The data set's label in the results (unique within a sweep).
    sample : str or None
        A key of :data:`hnnviz.data.SAMPLES`; ``None`` for a file.
    path : str or None
        The file (absolute); ``None`` for a sample. It must be readable where the tasks run.
    target : str or None
        The column to predict (``None``: none, for stability alone).
    sheet : str or None
        xlsx only: the worksheet.
    digest : str
        SHA-256 of the file's bytes when the spec was read: part of every task id, so a changed file is refit.
    """

    name: str
    sample: str | None
    path: str | None
    target: str | None
    sheet: str | None
    digest: str

    def load(self) -> Dataset:
        """The data set, as ``hnnviz compare`` would load it."""
        if self.sample is not None:
            return load_sample(self.sample, target=self.target)
        return load_dataset(self.path, target=self.target, sheet=self.sheet, name=self.name)

    def identity(self) -> dict[str, Any]:
        """What results depend on: everything but the file's location."""
        return {"name": self.name, "target": self.target, "sheet": self.sheet, "digest": self.digest}


@dataclass(frozen=True)
class StabilitySpec:
    """Bootstrap stability of each data set's filtered graph, split into tasks of ``per_task`` resamples.

    Examples
    --------
    >>> StabilitySpec(resamples=10, per_task=4).chunks()
    (4, 4, 2)
    """

    resamples: int
    per_task: int
    seed: int = 0

    def chunks(self) -> tuple[int, ...]:
        """The number of resamples of each task."""
        full, rest = divmod(self.resamples, self.per_task)
        return (self.per_task,) * full + ((rest,) if rest else ())


@dataclass(frozen=True)
class SweepSpec:
    """Data sets x seeds x models, the options every fit shares, and optional bootstrap stability.

    Attributes
    ----------
    datasets : tuple of DataSource
    seeds : tuple of int
    models : tuple of str
        Names :func:`hnnviz.workflows.compare_models` accepts.
    training : dict of str to Any
        The ``[training]`` table: :class:`~hnnviz.specs.TrainConfig` fields that replace each model kind's
        default protocol (:func:`~hnnviz.specs.default_config`); the seed is each task's.
    spec : ModelSpec
        Widths, activation and readouts of the neural nets.
    ifn : IFNSpec
    stability : StabilitySpec or None

    Examples
    --------
    >>> spec = SweepSpec.from_dict({"datasets": ["wine"], "seeds": 2, "models": ["linear", "gbm"]})
    >>> [task.label for task in spec.tasks()]
    ['wine, seed 0, linear', 'wine, seed 0, gbm', 'wine, seed 1, linear', 'wine, seed 1, gbm']
    >>> SweepSpec.from_dict({"datasets": ["wine"], "seeds": 2, "models": ["linear"], "training": {"lrr": 1}})
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The sweep spec has an unknown key 'training.lrr'; known there: epochs, batch_size, lr, weight_decay, patience, val_size, test_size, schedule, device.
    """  # noqa: E501

    datasets: tuple[DataSource, ...]
    seeds: tuple[int, ...]
    models: tuple[str, ...]
    training: Mapping[str, Any] = field(default_factory=dict)
    spec: ModelSpec = field(default_factory=ModelSpec)
    ifn: IFNSpec = field(default_factory=IFNSpec)
    stability: StabilitySpec | None = None

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> SweepSpec:
        """Read and check a TOML spec (format: :mod:`hnnviz.workflows.sweep`); data paths are relative to its folder.

        Raises
        ------
        InputValidationError
            If the file cannot be read or is not TOML, or for any key of :meth:`from_dict`'s.
        """
        path = Path(path)
        owner = f"sweep spec {path.name!r}"
        try:
            raw = tomllib.loads(path.read_bytes().decode("utf-8"))
        except OSError as err:
            raise InputValidationError(f"Cannot read the {owner}: {err.strerror or err}.") from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise InputValidationError(f"The {owner} is not valid UTF-8 TOML: {err}.") from None
        return cls.from_dict(raw, base_dir=path.resolve().parent, owner=owner)

    @classmethod
    def from_dict(
        cls, raw: Mapping[str, Any], *, base_dir: str | os.PathLike[str] = ".", owner: str = "sweep spec"
    ) -> SweepSpec:
        """Check a spec already parsed from TOML; ``owner`` names it in messages.

        Raises
        ------
        InputValidationError
            For a missing or unknown key, a value of the wrong type or out of range, an unknown sample or
            model, a missing data file, a data set without a target while models are to be fitted, or a
            repeated seed, model or data set name. The message names the key.
        """
        raw = _table(raw, "", owner, _TOP_KEYS)
        for key in ("datasets", "seeds", "models"):
            if key not in raw:
                raise InputValidationError(f"The {owner} lacks the key {key!r}.")
        stability = _stability(raw.get("stability"), owner)
        models = _models(raw["models"], owner, allow_none=stability is not None)
        training = _training(raw.get("training"), owner)
        if models and default_config("hnn", **training).test_size == 0:
            raise InputValidationError(f"The 'training.test_size' key of the {owner} must be above 0 to score models.")
        base = Path(base_dir)
        sources = [
            _source(entry, f"datasets[{i}]", owner, base, bool(models))
            for i, entry in enumerate(_list(raw["datasets"], "datasets", owner))
        ]
        _no_repeats([s.name for s in sources], "datasets", owner, what="data set names")
        return cls(
            datasets=tuple(sources),
            seeds=_seeds(raw["seeds"], owner),
            models=models,
            training=training,
            spec=_model_spec(raw.get("model"), owner),
            ifn=_options(IFNSpec, raw.get("ifn"), "ifn", owner),
            stability=stability,
        )

    def configs(self) -> dict[str, TrainConfig]:
        """The training protocol of each neural kind: its default with the ``[training]`` table's fields."""
        return {kind: default_config(kind, **self.training) for kind in MODEL_KINDS}

    def tasks(self) -> tuple[Task, ...]:
        """Every fit (data set, then seed, then model, in the spec's order), then every stability chunk."""
        fits = [
            FitTask(source, seed, model, self.spec, self.configs()[_trained_as(model)], self.ifn)
            for source in self.datasets
            for seed in self.seeds
            for model in self.models
        ]
        chunks = [] if self.stability is None else self.stability.chunks()
        stability = [
            StabilityTask(source, chunk, n_boot, self.stability.seed, self.ifn)
            for source in self.datasets
            for chunk, n_boot in enumerate(chunks)
        ]
        return (*fits, *stability)


# ----------------------------------------------------------------------------------------------------------
# Reading the spec
# ----------------------------------------------------------------------------------------------------------


def _where(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _table(value: Any, where: str, owner: str, known: Sequence[str]) -> dict[str, Any]:
    """``value`` as a dict holding only ``known`` keys."""
    if not isinstance(value, Mapping):
        raise InputValidationError(
            f"The '{where}' key of the {owner} must be a table. Got {short_repr(value)} instead."
        )
    for key in value:
        if key not in known:
            raise InputValidationError(
                f"The {owner} has an unknown key {_where(where, key)!r}; known there: {', '.join(known)}."
            )
    return dict(value)


def _list(value: Any, where: str, owner: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputValidationError(f"The '{where}' key of the {owner} must be a list. Got {short_repr(value)} instead.")
    return value


def _no_repeats(values: Sequence[Any], where: str, owner: str, *, what: str) -> None:
    repeated = sorted({repr(v) for v in values if values.count(v) > 1})
    if repeated:
        raise InputValidationError(f"The '{where}' key of the {owner} repeats {what}: {', '.join(repeated)}.")


def _text(value: Any, where: str, owner: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputValidationError(
            f"The '{where}' key of the {owner} must be a non-empty string. Got {short_repr(value)} instead."
        )
    return value


def _seeds(value: Any, owner: str) -> tuple[int, ...]:
    """``N`` (seeds 0 .. N-1) or a non-empty list of distinct ints >= 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return tuple(range(check_int(value, name="seeds", owner=owner, low=1)))
    seeds = [check_int(s, name="seeds", owner=owner, low=0) for s in _list(value, "seeds", owner)]
    if not seeds:
        raise InputValidationError(f"The 'seeds' key of the {owner} must list at least one seed.")
    _no_repeats(seeds, "seeds", owner, what="seeds")
    return tuple(seeds)


def _models(value: Any, owner: str, *, allow_none: bool) -> tuple[str, ...]:
    models = [_text(m, "models", owner) for m in _list(value, "models", owner)]
    if not models and not allow_none:
        raise InputValidationError(
            f"The 'models' key of the {owner} must list at least one model (or add [stability])."
        )
    _no_repeats(models, "models", owner, what="models")
    for model in models:
        try:
            parse_model_name(model)
        except InputValidationError as err:
            raise InputValidationError(f"In the 'models' key of the {owner}: {err}") from None
    return tuple(models)


def _trained_as(model: str) -> str:
    """The kind whose protocol a model trains with (a classical model uses only its split sizes)."""
    kind = parse_model_name(model)[0]
    return "mlp" if kind in ("mlp", "mlp-pruned") else "hnn"


def _training(value: Any, owner: str) -> dict[str, Any]:
    """The ``[training]`` table: TrainConfig fields but the seed and the kind whose defaults fill the rest (each
    model kind's own), checked against both kinds' defaults."""
    known = [f.name for f in fields(TrainConfig) if f.name not in ("seed", "defaults")]
    table = _table({} if value is None else value, "training", owner, known)
    try:
        for kind in MODEL_KINDS:
            default_config(kind, **table)
    except InputValidationError as err:
        raise InputValidationError(f"In the [training] table of the {owner}: {err}") from None
    return dict(table)


def _options(cls: type, value: Any, section: str, owner: str, exclude: str | None = None) -> Any:
    """An options dataclass from its table (absent: the defaults), its own checks reported under the section."""
    known = [f.name for f in fields(cls) if f.name != exclude]
    table = _table({} if value is None else value, section, owner, known)
    try:
        return cls(**table)
    except InputValidationError as err:
        raise InputValidationError(f"In the [{section}] table of the {owner}: {err}") from None


def _model_spec(value: Any, owner: str) -> ModelSpec:
    """The ``[model]`` table (the kind comes from ``models``)."""
    return _options(ModelSpec, value, "model", owner, exclude="kind")


def _stability(value: Any, owner: str) -> StabilitySpec | None:
    if value is None:
        return None
    table = _table(value, "stability", owner, ("resamples", "per_task", "seed"))
    if "resamples" not in table:
        raise InputValidationError(f"The [stability] table of the {owner} lacks the key 'resamples'.")
    resamples = check_int(table["resamples"], name="stability.resamples", owner=owner, low=1)
    return StabilitySpec(
        resamples=resamples,
        per_task=check_int(table.get("per_task", resamples), name="stability.per_task", owner=owner, low=1),
        seed=check_int(table.get("seed", 0), name="stability.seed", owner=owner, low=0),
    )


def _source(entry: Any, where: str, owner: str, base: Path, needs_target: bool) -> DataSource:
    """A data set entry: a sample name, or a table with ``sample`` or ``path`` and optional target, name, sheet."""
    table = {"sample": entry} if isinstance(entry, str) else _table(entry, where, owner, _SOURCE_KEYS)
    options = {key: _text(table[key], _where(where, key), owner) for key in table}
    if ("sample" in options) == ("path" in options):
        raise InputValidationError(f"The '{where}' entry of the {owner} must name either a 'sample' or a 'path'.")
    if "sample" in options:
        sample = check_in(options["sample"], SAMPLES, name=f"{where}.sample", owner=owner)
        if "sheet" in options:
            raise InputValidationError(
                f"The '{where}' entry of the {owner} has a 'sheet', which only a 'path' may have."
            )
        path, target = sample_data_dir() / SAMPLES[sample].file, options.get("target", SAMPLES[sample].target)
    else:
        sample, path, target = None, (base / options["path"]).resolve(), options.get("target")
        if not path.is_file():
            raise InputValidationError(
                f"The '{where}.path' key of the {owner} must name an existing file. Got {str(path)!r} instead."
            )
    if needs_target and target is None:
        raise InputValidationError(f"The '{where}' entry of the {owner} needs a 'target' column to fit models on.")
    return DataSource(
        name=options.get("name", sample or path.stem),
        sample=sample,
        path=None if sample else str(path),
        target=target,
        sheet=options.get("sheet"),
        digest=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
