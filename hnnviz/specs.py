"""The typed options every stage takes, and the names of its choices: light to import (numpy only).

The command line builds its parser from these without loading torch, scikit-learn or the graph code, and
the stages re-export them where they are used (:class:`IFNSpec` from :mod:`hnnviz.network`,
:class:`TrainConfig` from :mod:`hnnviz.model`, :class:`ModelSpec` from :mod:`hnnviz.model`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from types import MappingProxyType
from typing import Any, Literal

from ._validation import check_in, check_int, check_number
from .exceptions import InputValidationError

__all__ = [
    "BASE_MODELS",
    "DEFAULT_TRAINING",
    "DEVICES",
    "EXPLAIN_METHODS",
    "IFN_METHODS",
    "INTERACTION_KINDS",
    "LAB_CONFIG",
    "LAB_SPEC",
    "MODEL_KINDS",
    "OPTIONAL_MODELS",
    "PRIMARY_METRICS",
    "SCHEDULES",
    "SIMILARITY_METHODS",
    "TASKS",
    "IFNSpec",
    "ModelSpec",
    "TrainConfig",
    "check_device",
    "default_config",
]

SimilarityMethod = Literal["pearson2", "spearman2", "abs", "mi"]
SIMILARITY_METHODS: tuple[str, ...] = ("pearson2", "spearman2", "abs", "mi")
Task = Literal["regression", "classification"]
TASKS: tuple[str, ...] = ("regression", "classification")
#: The metric each task is judged by (higher is better).
PRIMARY_METRICS: Mapping[str, str] = MappingProxyType({"regression": "r2", "classification": "accuracy"})
EXPLAIN_METHODS: tuple[str, ...] = ("ig", "ablation", "gxa")
#: Learning-rate schedules of :class:`TrainConfig`.
SCHEDULES: tuple[str, ...] = ("constant", "cosine")
#: Devices a model can be trained or explained on: "auto" picks the GPU when torch sees one.
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")
#: Model names :func:`hnnviz.workflows.compare_models` understands, besides ``"hnn-order<K>"``.
BASE_MODELS: tuple[str, ...] = ("hnn", "mlp", "linear", "gbm")
#: Models :func:`hnnviz.workflows.compare_models` fits only when asked (each costs several fits).
OPTIONAL_MODELS: tuple[str, ...] = ("mlp-pruned",)

#: The interactions :func:`hnnviz.data.make_planted` can plant, and the term each makes of a group.
INTERACTION_KINDS: dict[str, str] = {
    "product": "a*b*...",
    "sine": "sin(a + b + ...)",
    "tanh-product": "2*tanh(a*b*...)",
    "max": "max(a, b, ...)",
    "threshold": "2*[a + b + ... > 0] - 1",
}

IFNMethod = Literal["tmfg", "mfcf", "mst"]
IFN_METHODS: tuple[str, ...] = ("tmfg", "mfcf", "mst")


@dataclass(frozen=True)
class IFNSpec:
    """How to filter a network: similarity measure, filter, and the MFCF parameters.

    Every function that builds a network takes one (``None`` means ``IFNSpec()``, the defaults below), so
    the app, the command line, the estimators and saved runs share one set of options and defaults.

    Attributes
    ----------
    similarity : {"pearson2", "spearman2", "abs", "mi"}, default "pearson2"
        Dependency measure between columns (see :func:`hnnviz.network.similarity_matrix`).
    method : {"tmfg", "mfcf", "mst"}, default "tmfg"
        The information filtering network.
    max_clique_size : int, default 4
        MFCF only: the largest clique, at least 2 (see :func:`hnnviz.network.mfcf`).
    threshold : float, default 0.0
        MFCF only: the gain a vertex must exceed to join a clique; finite and at least 0.

    Raises
    ------
    InputValidationError
        For an unknown similarity or method, a ``max_clique_size`` that is not an int >= 2, or a
        ``threshold`` that is not a finite number >= 0.

    Examples
    --------
    >>> IFNSpec().label()
    'TMFG on pearson2'
    >>> spec = IFNSpec("mi", "mfcf", max_clique_size=3, threshold=0.1)
    >>> spec.label()
    'MFCF (k=3, threshold 0.1) on mi'
    >>> spec.to_dict()
    {'similarity': 'mi', 'method': 'mfcf', 'max_clique_size': 3, 'threshold': 0.1}
    >>> IFNSpec.from_dict(spec.to_dict()) == spec
    True
    >>> IFNSpec(max_clique_size=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The 'max_clique_size' parameter of IFNSpec must be an int in [2, inf]...
    """

    similarity: SimilarityMethod = "pearson2"
    method: IFNMethod = "tmfg"
    max_clique_size: int = 4
    threshold: float = 0.0

    def __post_init__(self) -> None:
        owner = "IFNSpec"
        check_in(self.similarity, SIMILARITY_METHODS, name="similarity", owner=owner)
        check_in(self.method, IFN_METHODS, name="method", owner=owner)
        # stored as plain int and float (e.g. from numpy scalars), so the spec is JSON-ready and hashes alike
        object.__setattr__(
            self, "max_clique_size", check_int(self.max_clique_size, name="max_clique_size", owner=owner, low=2)
        )
        object.__setattr__(self, "threshold", check_number(self.threshold, name="threshold", owner=owner, low=0))

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (the inverse of :meth:`from_dict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> IFNSpec:
        """The spec written by :meth:`to_dict`: ``d`` must hold exactly its keys, with valid values.

        Raises
        ------
        InputValidationError
            If ``d`` is not a mapping, lacks a key or has an unknown one, or holds an invalid value.
        """
        names = [f.name for f in fields(cls)]
        if not isinstance(d, Mapping):
            raise InputValidationError(
                f"The 'd' parameter of IFNSpec.from_dict must be a mapping. Got {type(d).__name__} instead."
            )
        if set(d) != set(names):
            missing, unknown = sorted(set(names) - set(d)), sorted(set(d) - set(names), key=str)
            raise InputValidationError(
                f"The 'd' parameter of IFNSpec.from_dict must hold exactly the keys {names}. "
                f"Got missing {missing} and unknown {unknown} instead."
            )
        return cls(**d)

    def label(self) -> str:
        """A short description for titles and summaries, e.g. ``"MFCF (k=3, threshold 0.1) on mi"``."""
        parameters = f" (k={self.max_clique_size}, threshold {self.threshold:g})" if self.method == "mfcf" else ""
        return f"{self.method.upper()}{parameters} on {self.similarity}"


ModelKind = Literal["hnn", "mlp"]
MODEL_KINDS: tuple[str, ...] = ("hnn", "mlp")


@dataclass(frozen=True)
class ModelSpec:
    """How to wire a model on a clique complex: everything but the complex and the weights.

    ``kind="mlp"`` builds the dense baseline with the same layer widths as the HNN of this spec.
    """

    kind: ModelKind = "hnn"
    channels: int = 4
    max_order: int | None = None
    activation: str = "gelu"
    readout_width: int = 1

    def __post_init__(self) -> None:
        check_in(self.kind, MODEL_KINDS, name="kind", owner="ModelSpec")


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of :func:`train_model`.

    Attributes
    ----------
    epochs : int
        Maximum number of passes over the training rows.
    batch_size : int
        Rows per mini-batch.
    lr, weight_decay : float
        AdamW learning rate and decoupled weight decay.
    patience : int
        Stop after this many epochs without a better validation loss; the best weights are restored.
    val_size, test_size : float
        Shares of the rows held out for validation (early stopping) and for the final test; ``test_size=0``
        keeps no test part (an estimator's ``fit`` is given training rows only).
    seed : int
        Seeds the split, the weight initialisation done under :func:`torch_seed`, and the batch order.
    schedule : {"constant", "cosine"}, default "constant"
        The learning rate over the fit: constant, or a cosine decay from ``lr`` to 0 over ``epochs`` epochs,
        stepped every batch (the HNN's default: its sparse units learn fast early and settle late).
    device : str, default "auto"
        Where to train: ``"auto"`` (the GPU when torch sees one and the model is large enough to gain, else
        the CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (see :func:`hnnviz.devices.resolve_device`). The trained
        model comes back on the CPU. On the CPU the same seed gives the same result bit for bit; on a GPU each
        step agrees with the CPU's within float tolerance, but the gather's backward pass adds with atomics,
        so long fits at a high learning rate drift apart (two H200 fits of the planted set: test R² within
        0.01).
    """

    epochs: int = 300
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    patience: int = 25
    val_size: float = 0.2
    test_size: float = 0.2
    seed: int = 0
    schedule: str = "constant"
    device: str = "auto"

    def __post_init__(self) -> None:
        owner = "TrainConfig"
        check_device(self.device, owner=owner)
        check_in(self.schedule, SCHEDULES, name="schedule", owner=owner)
        for name in ("epochs", "batch_size", "patience"):
            check_int(getattr(self, name), name=name, owner=owner, low=1)
        check_int(self.seed, name="seed", owner=owner, low=0)
        check_number(self.lr, name="lr", owner=owner, low=0, closed="right")
        check_number(self.weight_decay, name="weight_decay", owner=owner, low=0)
        check_number(self.val_size, name="val_size", owner=owner, low=0, high=0.5, closed="neither")
        check_number(self.test_size, name="test_size", owner=owner, low=0, high=0.5, closed="left")


def check_device(device: Any, *, owner: str) -> str:
    """``device`` if it names a device hnnviz can train on (whether it is present is checked when used).

    Examples
    --------
    >>> check_device("cuda:1", owner="TrainConfig")
    'cuda:1'
    >>> check_device("gpu", owner="TrainConfig")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The 'device' parameter of TrainConfig must be "auto", "cpu", "cuda" ...
    """
    if not (isinstance(device, str) and _DEVICE.fullmatch(device)):
        raise InputValidationError(
            f'The \'device\' parameter of {owner} must be "auto", "cpu", "cuda" or "cuda:N". Got {device!r} instead.'
        )
    return device


#: The training protocol of each model kind when none is given, chosen on validation rows from measured grids
#: (``benchmarks/bench_defaults.py``: learning rate, patience, epoch cap, weight decay, batch size, results in
#: ``benchmarks/results_defaults.md``; then ``benchmarks/bench_schedule.py``: learning-rate schedules, results in
#: ``benchmarks/results_schedule.md``). The HNN gains from a cosine decay with strong weight decay (planted set:
#: test R² 0.927 -> 0.960); the MLP does not, and keeps a constant rate. The HNN's patience of 50 has the best
#: validation gap of all candidates; the grid's cost tie-break would pick patience 30, 26% fewer epochs, but on
#: the planted set it sits on the 0.95 line with twice the spread (0.954 +- 0.012), so accuracy wins here.
DEFAULT_TRAINING: Mapping[str, TrainConfig] = MappingProxyType(
    {
        "hnn": TrainConfig(lr=6e-2, patience=50, epochs=200, weight_decay=1e-1, schedule="cosine"),
        "mlp": TrainConfig(lr=3e-3, patience=25, epochs=300, weight_decay=1e-4),
    }
)


def default_config(kind: str, **overrides: Any) -> TrainConfig:
    """The default training protocol of a model kind (:data:`DEFAULT_TRAINING`), with some fields replaced.

    The defaults (learning rate, patience, epoch cap) were chosen per kind from a grid measured on the bundled
    data sets with a target, by their validation metric averaged over the sets, never their test metric: see
    ``benchmarks/results_defaults.md`` (made by ``benchmarks/bench_defaults.py``).

    Parameters
    ----------
    kind : {"hnn", "mlp"}
        The model kind (``ModelSpec.kind``).
    **overrides
        :class:`TrainConfig` fields to set instead, e.g. ``seed=3`` or ``epochs=20``.

    Returns
    -------
    TrainConfig

    Raises
    ------
    InputValidationError
        If ``kind`` is not a model kind, an override is not a TrainConfig field, or a value is invalid.

    Examples
    --------
    >>> default_config("hnn") == DEFAULT_TRAINING["hnn"]
    True
    >>> default_config("mlp", seed=3, epochs=20).epochs
    20
    """
    check_in(kind, MODEL_KINDS, name="kind", owner="default_config")
    unknown = sorted(set(overrides) - {field.name for field in fields(TrainConfig)})
    if unknown:
        raise InputValidationError(f"default_config got {unknown}, which are not TrainConfig fields.")
    return replace(DEFAULT_TRAINING[kind], **overrides)


#: The model :func:`hnnviz.workflows.run_lab` trains by default: an HNN with 4 channels per simplex (see its Notes).
LAB_SPEC = ModelSpec(kind="hnn", channels=4)
#: The training protocol :func:`hnnviz.workflows.run_lab` uses by default: the shared defaults, patience 40.
LAB_CONFIG = TrainConfig(patience=40)
