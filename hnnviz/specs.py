"""The typed options every stage takes, and the names of its choices: light to import (numpy only).

The command line builds its parser from these without loading torch, scikit-learn or the graph code. Each
option object (:class:`IFNSpec`, :class:`ModelSpec`, :class:`TrainConfig`, :class:`PlantedSpec`) checks every
field when it is built and has one file form, :meth:`~_Options.to_dict` and :meth:`~_Options.from_dict`, which
run files, bundles, sweeps and the app all use. This module is their one import path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, Literal

from ._validation import check_in, check_int, check_number
from .exceptions import InputValidationError

__all__ = [
    "ACTIVATIONS",
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
    "PLANTED_INPUTS",
    "PRIMARY_METRICS",
    "PROTOCOLS",
    "SCHEDULES",
    "SIMILARITY_METHODS",
    "TARGET_SIMILARITIES",
    "TASKS",
    "WORKERS_VARIABLE",
    "IFNSpec",
    "ModelSpec",
    "PlantedSpec",
    "TrainConfig",
    "check_device",
    "default_config",
]

SimilarityMethod = Literal["pearson2", "spearman2", "abs", "mi", "interaction"]
SIMILARITY_METHODS: tuple[str, ...] = ("pearson2", "spearman2", "abs", "mi", "interaction")
#: Similarities that read the target as well as the inputs: they need ``y`` and the task, and are estimated on
#: the training rows only.
TARGET_SIMILARITIES: tuple[str, ...] = ("interaction",)
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
#: Models :func:`hnnviz.workflows.compare_models` fits only when asked (each costs several fits; ``"ebm"`` needs
#: the ``interpret-core`` package).
OPTIONAL_MODELS: tuple[str, ...] = ("mlp-pruned", "ebm")

#: The interactions :func:`hnnviz.data.make_planted` can plant, and the term each makes of a group.
INTERACTION_KINDS: dict[str, str] = {
    "product": "a*b*...",
    "sine": "sin(a + b + ...)",
    "tanh-product": "2*tanh(a*b*...)",
    "max": "max(a, b, ...)",
    "threshold": "2*[a + b + ... > 0] - 1",
    # shapes of the ten interaction functions of Tsang et al. (NID, ICLR 2018)
    "abs-product": "|a*b*...|",
    "power": "2^(a + b + ...)",
    "cosine": "cos(a + b + ...)",
    "inverse": "1/(1 + a² + b² + ...)",
}
#: The marginal distribution of :func:`hnnviz.data.make_planted`'s features: standard normal, or U(-1, 1)
#: (the normal draws through their distribution function, so blocks stay dependent and the draws identical).
PLANTED_INPUTS: tuple[str, ...] = ("normal", "uniform")

IFNMethod = Literal["tmfg", "mfcf", "mst"]
IFN_METHODS: tuple[str, ...] = ("tmfg", "mfcf", "mst")

WORKERS_VARIABLE = "HNNVIZ_WORKERS"
"""Environment variable by which ``hnnviz app --workers N`` gives the app its thread budget (default THREADS)."""


class _Options:
    """The file form shared by the option objects: a JSON-ready dict of the fields, and back."""

    #: Fields that documents written by earlier versions may lack (their default is then used).
    _added_fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (the inverse of :meth:`from_dict`)."""
        return {f.name: _json_ready(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        """The object written by :meth:`to_dict`: ``d`` must hold exactly its keys, with valid values.

        Raises
        ------
        InputValidationError
            If ``d`` is not a mapping, lacks a key or has an unknown one, or holds an invalid value.
        """
        owner = f"{cls.__name__}.from_dict"
        names = [f.name for f in fields(cls)]
        if not isinstance(d, Mapping):
            raise InputValidationError(
                f"The 'd' parameter of {owner} must be a mapping. Got {type(d).__name__} instead."
            )
        missing = sorted(set(names) - set(d) - set(cls._added_fields))
        unknown = sorted(set(d) - set(names), key=str)
        if missing or unknown:
            raise InputValidationError(
                f"The 'd' parameter of {owner} must hold exactly the keys {names}. "
                f"Got missing {missing} and unknown {unknown} instead."
            )
        return cls(**{key: _from_json(value) for key, value in d.items()})


def _json_ready(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _from_json(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class IFNSpec(_Options):
    """How to filter a network: similarity measure, filter, and the MFCF parameters.

    Every function that builds a network takes one (``None`` means ``IFNSpec()``, the defaults below), so
    the app, the command line, the estimators and saved runs share one set of options and defaults.

    Attributes
    ----------
    similarity : {"pearson2", "spearman2", "abs", "mi", "interaction"}, default "pearson2"
        Dependency measure between columns (see :func:`hnnviz.network.similarity_matrix`). ``"interaction"``
        measures how strongly each pair of features acts together on the target, on the training rows only
        (:func:`hnnviz.network.interaction_matrix`): building its network needs the target.
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

    def label(self) -> str:
        """A short description for titles and summaries, e.g. ``"MFCF (k=3, threshold 0.1) on mi"``."""
        parameters = f" (k={self.max_clique_size}, threshold {self.threshold:g})" if self.method == "mfcf" else ""
        return f"{self.method.upper()}{parameters} on {self.similarity}"


ModelKind = Literal["hnn", "mlp"]
MODEL_KINDS: tuple[str, ...] = ("hnn", "mlp")
#: The activations a model may use between orders (:mod:`hnnviz.model` maps each name to its torch module).
ACTIVATIONS: tuple[str, ...] = ("gelu", "relu", "tanh")


@dataclass(frozen=True)
class ModelSpec(_Options):
    """How to wire a model on a clique complex: everything but the complex and the weights.

    Attributes
    ----------
    kind : {"hnn", "mlp"}, default "hnn"
        ``"mlp"`` builds the dense baseline with the same layer widths as the HNN of this spec.
    channels : int, default 4
        Hidden channels per simplex, at least 1.
    max_order : int or None, default None
        The highest simplex order wired (None: every order of the complex; 1 stops at edges); at least 0.
    activation : {"gelu", "relu", "tanh"}, default "gelu"
    readout_width : int, default 1
        Outputs of each order's linear readout, at least 1.

    Raises
    ------
    InputValidationError
        For a field outside the ranges above.

    Examples
    --------
    >>> ModelSpec(channels=2).to_dict()
    {'kind': 'hnn', 'channels': 2, 'max_order': None, 'activation': 'gelu', 'readout_width': 1}
    >>> ModelSpec(activation="swish")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The 'activation' parameter of ModelSpec must be one of 'gelu', ...
    """

    kind: ModelKind = "hnn"
    channels: int = 4
    max_order: int | None = None
    activation: str = "gelu"
    readout_width: int = 1

    def __post_init__(self) -> None:
        owner = "ModelSpec"
        check_in(self.kind, MODEL_KINDS, name="kind", owner=owner)
        check_in(self.activation, ACTIVATIONS, name="activation", owner=owner)
        object.__setattr__(self, "channels", check_int(self.channels, name="channels", owner=owner, low=1))
        object.__setattr__(
            self, "readout_width", check_int(self.readout_width, name="readout_width", owner=owner, low=1)
        )
        if self.max_order is not None:
            object.__setattr__(self, "max_order", check_int(self.max_order, name="max_order", owner=owner, low=0))


#: The training protocol of each model kind: the fields a :class:`TrainConfig` takes from the kind it names as
#: ``defaults`` when they are not given. Chosen on validation rows from measured grids
#: (``benchmarks/bench_defaults.py``: learning rate, patience, epoch cap, weight decay, batch size, results in
#: ``benchmarks/results_defaults.md``; then ``benchmarks/bench_schedule.py``: learning-rate schedules, results in
#: ``benchmarks/results_schedule.md``). The HNN gains from a cosine decay with strong weight decay (planted set:
#: test R² 0.927 -> 0.960); the MLP does not, and keeps a constant rate. The HNN's patience of 50 has the best
#: validation gap of all candidates; the grid's cost tie-break would pick patience 30, 26% fewer epochs, but on
#: the planted set it sits on the 0.95 line with twice the spread (0.954 +- 0.012), so accuracy wins here.
PROTOCOLS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "hnn": MappingProxyType(
            {"epochs": 200, "lr": 6e-2, "weight_decay": 1e-1, "patience": 50, "schedule": "cosine"}
        ),
        "mlp": MappingProxyType(
            {"epochs": 300, "lr": 3e-3, "weight_decay": 1e-4, "patience": 25, "schedule": "constant"}
        ),
    }
)


@dataclass(frozen=True)
class TrainConfig(_Options):
    """Hyper-parameters of :func:`hnnviz.model.train_model`.

    Every config names the model kind whose protocol fills the fields it does not set (``defaults``), so no
    config means one kind's protocol without saying so.

    Attributes
    ----------
    defaults : {"hnn", "mlp"}
        The kind whose protocol (:data:`PROTOCOLS`) gives ``epochs``, ``lr``, ``weight_decay``, ``patience`` and
        ``schedule`` when they are left as None.
    epochs : int
        Maximum number of passes over the training rows.
    batch_size : int, default 128
        Rows per mini-batch.
    lr, weight_decay : float
        AdamW learning rate and decoupled weight decay.
    patience : int
        Stop after this many epochs without a better validation loss; the best weights are restored.
    val_size, test_size : float, default 0.2
        Shares of the rows held out for validation (early stopping) and for the final test; ``test_size=0``
        keeps no test part (an estimator's ``fit`` is given training rows only).
    seed : int, default 0
        Seeds the split, the weight initialisation done under :func:`hnnviz.model.torch_seed`, and the batch order.
    schedule : {"constant", "cosine"}
        The learning rate over the fit: constant, or a cosine decay from ``lr`` to 0 over ``epochs`` epochs,
        stepped every batch (the HNN's default: its sparse units learn fast early and settle late).
    device : str, default "auto"
        Where to train: ``"auto"`` (the GPU when torch sees one and the model is large enough to gain, else
        the CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (see :func:`hnnviz.devices.resolve_device`). The trained
        model comes back on the CPU. On the CPU the same seed gives the same result bit for bit; on a GPU each
        step agrees with the CPU's within float tolerance, but the gather's backward pass adds with atomics,
        so long fits at a high learning rate drift apart (two H200 fits of the planted set: test R² within
        0.01).

    Examples
    --------
    >>> TrainConfig(defaults="hnn", epochs=20).lr, TrainConfig(defaults="mlp").schedule
    (0.06, 'constant')
    >>> TrainConfig.from_dict(TrainConfig(defaults="mlp", seed=3).to_dict()).seed
    3
    """

    defaults: ModelKind
    epochs: int | None = None
    batch_size: int = 128
    lr: float | None = None
    weight_decay: float | None = None
    patience: int | None = None
    val_size: float = 0.2
    test_size: float = 0.2
    seed: int = 0
    schedule: str | None = None
    device: str = "auto"

    def __post_init__(self) -> None:
        owner = "TrainConfig"
        check_in(self.defaults, MODEL_KINDS, name="defaults", owner=owner)
        for name, value in PROTOCOLS[self.defaults].items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        check_device(self.device, owner=owner)
        check_in(self.schedule, SCHEDULES, name="schedule", owner=owner)
        for name in ("epochs", "batch_size", "patience"):
            check_int(getattr(self, name), name=name, owner=owner, low=1)
        check_int(self.seed, name="seed", owner=owner, low=0)
        check_number(self.lr, name="lr", owner=owner, low=0, closed="right")
        check_number(self.weight_decay, name="weight_decay", owner=owner, low=0)
        check_number(self.val_size, name="val_size", owner=owner, low=0, high=0.5, closed="neither")
        check_number(self.test_size, name="test_size", owner=owner, low=0, high=0.5, closed="left")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrainConfig:
        """The config written by :meth:`to_dict`.

        Documents written before ``defaults`` existed hold every other field, so the kind named only fills
        nothing; they are read with ``defaults="mlp"``, the protocol a bare config meant then.
        """
        if isinstance(d, Mapping) and "defaults" not in d:
            d = {"defaults": "mlp", **d}
        return super().from_dict(d)


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


#: The training protocol of each model kind when none is given (see :data:`PROTOCOLS`).
DEFAULT_TRAINING: Mapping[str, TrainConfig] = MappingProxyType(
    {kind: TrainConfig(defaults=kind) for kind in MODEL_KINDS}
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
    unknown = sorted(set(overrides) - {field.name for field in fields(TrainConfig)} | ({"defaults"} & set(overrides)))
    if unknown:
        raise InputValidationError(f"default_config got {unknown}, which are not TrainConfig fields.")
    return TrainConfig(defaults=kind, **overrides)


#: The model :func:`hnnviz.workflows.run_lab` trains by default: an HNN with 4 channels per simplex (see its Notes).
LAB_SPEC = ModelSpec(kind="hnn", channels=4)
#: The training protocol :func:`hnnviz.workflows.run_lab` uses by default: the MLP's protocol (constant learning rate
#: 3e-3), which the lab was measured with, and patience 40.
LAB_CONFIG = TrainConfig(defaults="mlp", patience=40)


@dataclass(frozen=True)
class PlantedSpec(_Options):
    """What :func:`hnnviz.data.make_planted` draws: features in correlated blocks, and a target built from
    nonlinear functions of the first blocks, the planted groups (SPEC §7).

    Attributes
    ----------
    n_rows : int, default 3000
        At least 10.
    n_features : int, default 24
        At least 4; the planted groups come first, the rest are distractors in blocks of at most 4.
    interactions : tuple of int, default (2, 3, 4)
        The size of each planted group (each at least 2; together at most ``n_features``).
    task : {"regression", "classification"}, default "regression"
        Classification thresholds the target at its median.
    noise : float, default 0.25
        Gaussian noise sd as a share of the signal's sd, at least 0.
    within_group_correlation : float, default 0.64
        Correlation of two features of one block, in [0, 1); 0 makes every feature independent of every other
        (the setting where an input-dependence similarity cannot find the groups, SPEC §10).
    hierarchical : bool, default True
        Compose the groups' terms hierarchically (``tanh`` of their product on top), as the paper's tasks do.
    kinds : tuple of str or None, default None
        One interaction kind per group (:data:`INTERACTION_KINDS`); None: product for pairs, sine for triples,
        tanh-product above (:attr:`group_kinds`).
    inputs : {"normal", "uniform"}, default "normal"
        The features' marginal distribution (:data:`PLANTED_INPUTS`): standard normal, or U(-1, 1) as in the
        classic interaction benchmarks.

    Raises
    ------
    InputValidationError
        For a field outside the ranges above.

    Examples
    --------
    >>> PlantedSpec(interactions=(2, 3)).group_kinds
    ('product', 'sine')
    >>> PlantedSpec.from_dict(PlantedSpec(noise=0.1).to_dict()).noise
    0.1
    """

    n_rows: int = 3000
    n_features: int = 24
    interactions: tuple[int, ...] = (2, 3, 4)
    task: str = "regression"
    noise: float = 0.25
    within_group_correlation: float = 0.64
    hierarchical: bool = True
    kinds: tuple[str, ...] | None = None
    inputs: str = "normal"

    _added_fields = ("inputs",)

    def __post_init__(self) -> None:
        owner = "PlantedSpec"
        check_in(self.inputs, PLANTED_INPUTS, name="inputs", owner=owner)
        set_field = functools.partial(object.__setattr__, self)
        set_field("n_rows", check_int(self.n_rows, name="n_rows", owner=owner, low=10))
        set_field("n_features", check_int(self.n_features, name="n_features", owner=owner, low=4))
        set_field("interactions", _group_sizes(self.interactions, self.n_features, owner))
        check_in(self.task, TASKS, name="task", owner=owner)
        set_field("noise", check_number(self.noise, name="noise", owner=owner, low=0))
        rho = check_number(
            self.within_group_correlation, name="within_group_correlation", owner=owner, low=0, high=1, closed="left"
        )
        set_field("within_group_correlation", rho)
        set_field("hierarchical", bool(self.hierarchical))
        if self.kinds is not None:
            set_field("kinds", _group_kinds(self.kinds, len(self.interactions), owner))

    @property
    def group_kinds(self) -> tuple[str, ...]:
        """The interaction kind of each group: :attr:`kinds`, or the default by size."""
        if self.kinds is not None:
            return self.kinds
        return tuple({2: "product", 3: "sine"}.get(size, "tanh-product") for size in self.interactions)


def _group_sizes(interactions: Any, n_features: int, owner: str) -> tuple[int, ...]:
    if isinstance(interactions, str) or not isinstance(interactions, Sequence) or not interactions:
        raise InputValidationError(
            f"The 'interactions' parameter of {owner} must be a non-empty sequence of group sizes. "
            f"Got {interactions!r} instead."
        )
    sizes = tuple(check_int(k, name="interactions", owner=owner, low=2) for k in interactions)
    if sum(sizes) > n_features:
        raise InputValidationError(
            f"The 'interactions' parameter of {owner} must fit in n_features={n_features}. "
            f"Got groups of {sum(sizes)} features in total instead."
        )
    return sizes


def _group_kinds(kinds: Any, n_groups: int, owner: str) -> tuple[str, ...]:
    if isinstance(kinds, str) or not isinstance(kinds, Sequence) or len(kinds) != n_groups:
        raise InputValidationError(
            f"The 'kinds' parameter of {owner} must name one interaction per group ({n_groups}). Got {kinds!r} instead."
        )
    return tuple(check_in(kind, INTERACTION_KINDS, name="kinds", owner=owner) for kind in kinds)
