"""A trained run: the model, its wiring, its scalers and its scores, as one object the app and CLI share.

:func:`train_run` splits the rows first, builds the information filtering network and clique complex from
the training rows only, then wires and trains an HNN (or the same-width dense MLP) with the shared
protocol of :mod:`hnnviz.model`. The split never makes a run fail: a feature constant on the training rows
(though not on all rows) gets zero similarity to every other, is wired like any feature, and is listed in
``run.network.constant_features``; the model still takes every feature of the data set.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from .._validation import check_in
from ..data import Dataset
from ..exceptions import InputValidationError
from ..network import CliqueComplex, FilteredNetwork, check_ifn, filter_network
from ..specs import TARGET_SIMILARITIES, IFNSpec, ModelSpec, TrainConfig, default_config
from ._nets import HNN, MLP, hnn_widths
from ._train import EpochRecord, Scaler, Split, TrainResult, predict, split_rows, torch_seed, train_model

__all__ = [
    "Predictions",
    "Run",
    "build_model",
    "table_network",
    "train_network",
    "train_run",
]


def build_model(spec: ModelSpec, complex: CliqueComplex, n_outputs: int, seed: int) -> nn.Module:
    """The untrained model of ``spec`` on ``complex``, its weights initialised from ``seed``."""
    with torch_seed(seed):
        if spec.kind == "hnn":
            return HNN(
                complex,
                n_outputs,
                channels=spec.channels,
                max_order=spec.max_order,
                activation=spec.activation,
                readout_width=spec.readout_width,
            )
        widths = hnn_widths(complex, channels=spec.channels, max_order=spec.max_order, owner="build_model")
        return MLP(widths, n_outputs, activation=spec.activation, readout_width=spec.readout_width)


@dataclass(frozen=True)
class Predictions:
    """A model's predictions on some rows of a table, beside the truth.

    Attributes
    ----------
    rows : ndarray of int
        The rows of the table.
    y_true : ndarray
        Their targets (class codes for classification).
    predicted : ndarray
        Predicted values (regression) or predicted class codes (classification).
    probabilities : ndarray of shape (n_rows, n_classes) or None
        Class probabilities (classification only).
    """

    rows: np.ndarray
    y_true: np.ndarray
    predicted: np.ndarray
    probabilities: np.ndarray | None


@dataclass(frozen=True)
class Run:
    """A trained model with everything needed to use, explain, save and compare it.

    Attributes
    ----------
    spec : ModelSpec
    network : FilteredNetwork
        The IFN and clique complex, built from the training rows only (with the options ``ifn``); its
        ``constant_features`` lists the features constant on those rows (zero similarity, no information).
    result : TrainResult
        The trained model (best validation epoch), scalers, split, history and metrics.
    dataset_name, target : str
    task : {"regression", "classification"}
    classes : tuple or None
        Class labels (``y == k`` means ``classes[k]``).
    """

    spec: ModelSpec
    network: FilteredNetwork
    result: TrainResult
    dataset_name: str
    target: str | None
    task: str
    classes: tuple[Any, ...] | None

    @functools.cached_property
    def fingerprint(self) -> str:
        """A stable id of this trained run (SHA-256 of its spec, features, split and weights): equal for equal runs,
        kept across saving and loading, never reused by another run, unlike :func:`id`.

        Examples
        --------
        >>> from hnnviz.data import load_sample
        >>> from hnnviz.specs import TrainConfig
        >>> config = TrainConfig(defaults="mlp", epochs=1)
        >>> run = train_run(load_sample("diabetes"), ModelSpec(channels=1), config=config)
        >>> len(run.fingerprint), run.fingerprint == train_run(load_sample("diabetes"), config=config).fingerprint
        (64, False)
        >>> run.fingerprint == train_run(load_sample("diabetes"), ModelSpec(channels=1), config=config).fingerprint
        True
        """
        digest = hashlib.sha256(json.dumps([self.spec.to_dict(), self.feature_names, self.task]).encode())
        for part in (self.result.split.train, self.result.split.val, self.result.split.test):
            digest.update(np.ascontiguousarray(part, dtype=np.int64).tobytes())
        for name, tensor in sorted(self.model.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return digest.hexdigest()

    @property
    def ifn(self) -> IFNSpec:
        """The similarity and filtering options the network was built with (``network.ifn``)."""
        return self.network.ifn

    @property
    def model(self) -> nn.Module:
        return self.result.model

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.network.feature_names

    @property
    def x_scaler(self) -> Scaler:
        return self.result.x_scaler

    def predictions(self, dataset: Dataset, part: str = "test") -> Predictions:
        """The run's predictions on one part of its split of ``dataset`` (the table it was trained on).

        Raises
        ------
        InputValidationError
            If ``part`` is not "train", "val" or "test", or ``dataset`` is not the table of this run (other
            features, too few rows, or no target).
        """
        check_in(part, ("train", "val", "test"), name="part", owner="Run.predictions")
        rows = getattr(self.result.split, part)
        if dataset.feature_names != self.feature_names or dataset.y is None or dataset.n_rows <= rows.max(initial=-1):
            raise InputValidationError(f"Data set {dataset.name!r} is not the table this run was trained on.")
        predicted = self.predict(dataset.X[rows])
        if self.task == "regression":
            return Predictions(rows, dataset.y[rows], predicted, None)
        return Predictions(rows, dataset.y[rows], predicted.argmax(axis=1), predicted)

    def inputs(self, X: Any, *, name: str = "X", owner: str = "Run.inputs", min_rows: int = 0) -> torch.Tensor:
        """Raw rows of the run's features as its model's input (see :meth:`Scaler.inputs`).

        Raises
        ------
        InputValidationError
            If ``X`` is not finite rows of the run's features.
        """
        return self.x_scaler.inputs(X, name=name, owner=owner, min_rows=min_rows)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions in original units (regression) or class probabilities (classification)."""
        return predict(self.model, self.inputs(X, owner="Run.predict"), self.task, self.result.y_scaler)

    def logits(self, X: np.ndarray) -> np.ndarray:
        """Class logits, ``(n_rows, n_classes)``: the classifier's outputs before the softmax of :meth:`predict`.

        Raises
        ------
        InputValidationError
            For a regression run, or if ``X`` is not finite rows of the run's features.
        """
        if self.task != "classification":
            raise InputValidationError("Run.logits needs a classification run; this one is a regression.")
        self.model.eval()
        with torch.no_grad():
            return self.model(self.inputs(X, owner="Run.logits")).double().cpu().numpy()


def train_network(dataset: Dataset, split: Split, ifn: IFNSpec, seed: int) -> FilteredNetwork:
    """The filtered network of the training rows of ``split`` (their target too, for a target-aware similarity).

    Only the training rows are read, so nothing in the wiring is learned from the validation or test rows.
    """
    train = split.train
    return filter_network(
        dataset.X[train], dataset.feature_names, ifn, y=dataset.y[train], task=dataset.task, seed=seed
    )


def table_network(dataset: Dataset, ifn: IFNSpec | None = None, seed: int = 0) -> FilteredNetwork:
    """The network of a whole table as the app's pages and ``hnnviz filter`` show it.

    An input-dependence similarity reads every row. A target-aware one (``similarity="interaction"``) reads
    the training rows of the split :func:`train_run` makes with ``seed`` and the HNN's default split sizes,
    so the network shown is the one that HNN is wired with, and no validation or test row is read.

    Raises
    ------
    InputValidationError
        If ``ifn`` is not an IFNSpec, or its similarity reads the target and the dataset has none.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5))
    >>> table_network(Dataset(X=X, feature_names=tuple("abcde"))).complex.f_vector
    (5, 9, 7, 2)
    """
    ifn = check_ifn(ifn, owner="table_network")
    if ifn.similarity not in TARGET_SIMILARITIES:
        return filter_network(dataset.X, dataset.feature_names, ifn)
    if dataset.y is None or dataset.task is None:
        raise InputValidationError(
            f"The {ifn.similarity!r} similarity reads the target, and data set {dataset.name!r} has none: choose one."
        )
    sizes = default_config("hnn", seed=seed)
    split = split_rows(
        dataset.n_rows, dataset.y, dataset.task, val_size=sizes.val_size, test_size=sizes.test_size, seed=seed
    )
    return train_network(dataset, split, ifn, seed)


def train_run(
    dataset: Dataset,
    spec: ModelSpec | None = None,
    *,
    config: TrainConfig | None = None,
    ifn: IFNSpec | None = None,
    callback: Callable[[EpochRecord], bool | None] | None = None,
    split: Split | None = None,
) -> Run:
    """Split, filter the training rows into a clique complex, wire the model and train it.

    Parameters
    ----------
    dataset : Dataset
        Must have a target.
    spec : ModelSpec, optional
        Which model and how wide (default: an HNN with 4 channels per simplex).
    config : TrainConfig, optional
        Training protocol; its seed also seeds the split and the initial weights (default: the kind's,
        :func:`default_config` with seed 0).
    ifn : IFNSpec, optional
        Similarity and filtering options (default ``IFNSpec()``), as for :func:`hnnviz.network.filter_network`;
        built from the training rows only (with their target for ``similarity="interaction"``, seeded by the
        config's seed).
    callback : callable, optional
        Per-epoch callback (see :func:`hnnviz.model.train_model`).
    split : Split, optional
        Reuse a split (e.g. to compare models on identical rows).

    Returns
    -------
    Run

    Raises
    ------
    InputValidationError
        If the dataset has no target, or ``ifn`` is not an IFNSpec.
    """
    if dataset.y is None or dataset.task is None:
        raise InputValidationError(f"Data set {dataset.name!r} has no target column: choose one to train a model.")
    spec = spec or ModelSpec()
    config = config or default_config(spec.kind)
    ifn = check_ifn(ifn, owner="train_run")
    if split is None:
        split = split_rows(
            dataset.n_rows, dataset.y, dataset.task, val_size=config.val_size, test_size=config.test_size,
            seed=config.seed,
        )  # fmt: skip
    network = train_network(dataset, split, ifn, config.seed)
    n_outputs = 1 if dataset.task == "regression" else len(dataset.classes)
    model = build_model(spec, network.complex, n_outputs, config.seed)
    result = train_model(model, dataset.X, dataset.y, dataset.task, config=config, callback=callback, split=split)
    return Run(
        spec=spec,
        network=network,
        result=result,
        dataset_name=dataset.name,
        target=dataset.target,
        task=dataset.task,
        classes=dataset.classes,
    )
