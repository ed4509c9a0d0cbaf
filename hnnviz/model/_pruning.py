"""The pruned dense baseline: the same-width MLP, magnitude-pruned down to the HNN's number of weights.

The question an HNN invites is whether its sparse wiring beats a standard pruned dense network of the same
size. :func:`prune_mlp` answers it with torch's own pruning utilities: the dense MLP is trained with the shared
protocol (:func:`hnnviz.model.train_model`), then globally pruned by weight magnitude
(:func:`torch.nn.utils.prune.global_unstructured` with :class:`~torch.nn.utils.prune.L1Unstructured`) over the
weights of its hidden ``layers`` in a few rounds with a geometric schedule, fine-tuned on the same split after
each round, until exactly ``target`` weights are left (the HNN's :attr:`~hnnviz.model.HNN.sparse_weights`;
biases excluded in both). The readouts and the head, identical in both models, are never pruned. While it is
fine-tuned, torch keeps the mask in the state dict (``weight_orig`` and ``weight_mask``), so pruned weights stay
zero through every step and through the restoring of the best epoch; at the end the pruning is made permanent
(:func:`torch.nn.utils.prune.remove`).

:func:`train_pruned` does it for a data set, as :func:`hnnviz.model.train_run` does for the HNN: the network is
built from the training rows and its HNN fixes the target. :func:`rank_units` then reads the pruned net as the
HNN is read: each surviving first-layer unit stands for the input features still wired into it
(:func:`unit_groups`), and the units are ranked by ablation, so that :func:`hnnviz.explanation.precision_at_k`
scores them as it scores the HNN's simplices.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils import prune

from .._validation import check_int
from ..data import Dataset
from ..exceptions import InputValidationError
from ..network import FilteredNetwork, check_ifn
from ..specs import IFNSpec, ModelSpec, Task, TrainConfig
from ._nets import MLP
from ._run import build_model, train_network
from ._train import Split, TrainResult, split_rows, train_model

__all__ = ["PrunedResult", "PrunedRun", "UnitScore", "prune_mlp", "rank_units", "train_pruned", "unit_groups"]


@dataclass(frozen=True)
class PrunedResult:
    """A dense MLP trained, then magnitude-pruned and fine-tuned, as returned by :func:`prune_mlp`.

    Attributes
    ----------
    model : MLP
        The pruned model, pruning made permanent (pruned weights are zeros), with the best weights of the last
        fine-tuning; the same object as ``fits[-1].model``.
    fits : tuple of TrainResult
        The dense fit, then one fine-tuning per round.
    target : int
        The layer weights asked for.
    dense_weights : int
        The layer weights of the dense model (biases excluded).
    remaining : int
        The layer weights left: ``target``, or ``dense_weights`` when the model had no more than ``target``
        (then nothing was pruned).
    schedule : tuple of int
        The layer weights left after each round (empty when nothing was pruned).
    seconds : float
        Wall time of the dense fit, every pruning and every fine-tuning.
    """

    model: MLP
    fits: tuple[TrainResult, ...]
    target: int
    dense_weights: int
    remaining: int
    schedule: tuple[int, ...]
    seconds: float

    @property
    def result(self) -> TrainResult:
        """The last fit (the last fine-tuning, or the dense fit when nothing was pruned)."""
        return self.fits[-1]

    @property
    def pruned(self) -> bool:
        """Whether any weight was pruned (``False`` when the dense model was already no larger than ``target``)."""
        return bool(self.schedule)

    @property
    def n_params(self) -> int:
        """The surviving layer weights plus every bias, readout and head parameter."""
        return self.model.n_params - (self.dense_weights - self.remaining)

    @property
    def epochs_run(self) -> int:
        """Epochs trained over the dense fit and every fine-tuning."""
        return sum(fit.epochs_run for fit in self.fits)


def _layer_weights(model: MLP) -> list[tuple[nn.Module, str]]:
    return [(layer, "weight") for layer in model.layers]


def _effective_weight(layer: nn.Module) -> Tensor:
    """The weight a layer computes with: ``weight_orig * weight_mask`` once pruned (``weight`` itself is only
    refreshed by the next forward pass, e.g. not yet after the best weights were restored)."""
    if prune.is_pruned(layer):
        return layer.weight_orig.detach() * layer.weight_mask
    return layer.weight.detach()


def _schedule(dense: int, target: int, rounds: int) -> tuple[int, ...]:
    """Weights left after each round: geometric from ``dense`` down to exactly ``target``, strictly decreasing."""
    if target >= dense:
        return ()
    steps = np.geomspace(dense, max(target, 1), rounds + 1)[1:-1].round().astype(int).tolist()
    kept = sorted({s for s in steps if target < s < dense}, reverse=True)
    return (*kept, target)


def prune_mlp(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    task: Task,
    *,
    target: int,
    config: TrainConfig | None = None,
    split: Split | None = None,
    rounds: int = 3,
) -> PrunedResult:
    """Train a dense MLP, then prune its layer weights by global magnitude down to ``target``, fine-tuning.

    Parameters
    ----------
    model : MLP
        The untrained dense model (e.g. ``build_model(ModelSpec(kind="mlp", ...), complex, n_outputs, seed)``);
        it is trained and pruned in place.
    X, y, task
        As for :func:`hnnviz.model.train_model`.
    target : int
        Layer weights to keep (biases excluded), e.g. the HNN's :attr:`~hnnviz.model.HNN.sparse_weights`.
    config : TrainConfig, optional
        The protocol of the dense fit and of every fine-tuning.
    split : Split, optional
        The split of every fit (default: :func:`hnnviz.model.split_rows` with the config's sizes and seed).
    rounds : int, default 3
        Pruning rounds; round ``r`` of ``R`` keeps about ``dense * (target / dense) ** (r / R)`` weights (fewer
        rounds when the gap is too small for ``R`` distinct steps).

    Returns
    -------
    PrunedResult
        When the dense model has no more than ``target`` layer weights, nothing is pruned: it is only trained,
        and ``pruned`` is False.

    Raises
    ------
    InputValidationError
        If ``target < 0`` or ``rounds < 1``, or as :func:`hnnviz.model.train_model` raises.
    TrainingDivergedError
        If a fit diverges.

    Examples
    --------
    >>> from hnnviz.network import clique_complex
    >>> cx = clique_complex([(0, 1, 2, 3)])
    >>> hnn = build_model(ModelSpec("hnn", channels=1), cx, 1, seed=0)
    >>> mlp = build_model(ModelSpec("mlp", channels=1), cx, 1, seed=0)
    >>> X = np.random.default_rng(0).normal(size=(60, 4))
    >>> result = prune_mlp(mlp, X, X[:, 0] * X[:, 1], "regression", target=hnn.sparse_weights,
    ...                    config=TrainConfig(defaults="mlp", epochs=3), rounds=2)
    >>> result.dense_weights, result.schedule, result.remaining, hnn.sparse_weights
    (52, (38, 28), 28, 28)
    >>> sum(int((layer.weight != 0).sum()) for layer in result.model.layers)
    28
    """
    owner = "prune_mlp"
    target = check_int(target, name="target", owner=owner, low=0)
    rounds = check_int(rounds, name="rounds", owner=owner, low=1)
    config = config or TrainConfig(defaults="mlp")
    start = time.perf_counter()
    dense = sum(layer.weight.numel() for layer in model.layers)
    fits = [train_model(model, X, y, task, config=config, split=split)]
    split = fits[0].split
    schedule = _schedule(dense, target, rounds)
    left = dense
    for keep in schedule:
        parameters = _layer_weights(model)
        scores = {(layer, name): _effective_weight(layer) for layer, name in parameters}
        prune.global_unstructured(
            parameters, pruning_method=prune.L1Unstructured, importance_scores=scores, amount=left - keep
        )
        left = keep
        fits.append(train_model(model, X, y, task, config=config, split=split))
    remaining = sum(int(layer.weight_mask.sum()) for layer in model.layers) if schedule else dense
    for layer, name in _layer_weights(model):
        if prune.is_pruned(layer):
            prune.remove(layer, name)
    return PrunedResult(
        model=model,
        fits=tuple(fits),
        target=target,
        dense_weights=dense,
        remaining=remaining,
        schedule=schedule,
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class PrunedRun:
    """A pruned MLP trained on a data set, with the network whose HNN set its size (:func:`train_pruned`).

    Attributes
    ----------
    network : FilteredNetwork
        The IFN and clique complex of the training rows; its HNN's layer weights are the target.
    pruned : PrunedResult
    build_seconds : float
        Wall time of the network and of building the two models (not included in ``pruned.seconds``).
    """

    network: FilteredNetwork
    pruned: PrunedResult
    build_seconds: float

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.network.feature_names

    @property
    def result(self) -> TrainResult:
        """The last fit, with the pruned model, its scalers, split and metrics."""
        return self.pruned.result


def train_pruned(
    dataset: Dataset,
    spec: ModelSpec | None = None,
    *,
    config: TrainConfig | None = None,
    split: Split | None = None,
    ifn: IFNSpec | None = None,
    rounds: int = 3,
) -> PrunedRun:
    """Filter the training rows, then train the same-width MLP and prune it to the size of the HNN they wire.

    Parameters
    ----------
    dataset : Dataset
        Must have a target.
    spec : ModelSpec, optional
        Widths, activation and readouts (its ``kind`` is ignored: the HNN of this spec sets the target, the MLP
        of this spec is pruned).
    config : TrainConfig, optional
        Training protocol; its seed seeds the split (unless given) and the initial weights.
    split : Split, optional
        Reuse a split (e.g. the one other models are compared on).
    ifn : IFNSpec, optional
        Similarity and filtering options (default ``IFNSpec()``).
    rounds : int, default 3
        Pruning rounds (see :func:`prune_mlp`).

    Returns
    -------
    PrunedRun

    Raises
    ------
    InputValidationError
        If the dataset has no target, ``ifn`` is not an IFNSpec, or ``rounds < 1``.
    """
    if dataset.y is None or dataset.task is None:
        raise InputValidationError(f"Data set {dataset.name!r} has no target column: choose one to train a model.")
    spec, config = spec or ModelSpec(), config or TrainConfig(defaults="mlp")
    ifn = check_ifn(ifn, owner="train_pruned")
    start = time.perf_counter()
    if split is None:
        split = split_rows(
            dataset.n_rows, dataset.y, dataset.task, val_size=config.val_size, test_size=config.test_size,
            seed=config.seed,
        )  # fmt: skip
    network = train_network(dataset, split, ifn, config.seed)
    n_outputs = 1 if dataset.task == "regression" else len(dataset.classes)
    target = build_model(replace(spec, kind="hnn"), network.complex, n_outputs, config.seed).sparse_weights
    model = build_model(replace(spec, kind="mlp"), network.complex, n_outputs, config.seed)
    build_seconds = time.perf_counter() - start
    pruned = prune_mlp(
        model, dataset.X, dataset.y, dataset.task, target=target, config=config, split=split, rounds=rounds
    )
    return PrunedRun(network=network, pruned=pruned, build_seconds=build_seconds)


# --------------------------------------------------------------------------------------------------------
# Reading the pruned net: units as feature groups, ranked by ablation
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitScore:
    """One first-layer unit of a pruned MLP: the features wired into it, and its ablation importance."""

    unit: int
    features: tuple[str, ...]
    score: float


def unit_groups(model: MLP, feature_names: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """For each first-layer unit, the input features with a nonzero weight into it (in column order).

    A unit whose every input weight was pruned gets an empty group.

    Raises
    ------
    InputValidationError
        If the model has no hidden layer, or ``feature_names`` does not name every input.

    Examples
    --------
    >>> model = MLP([3, 2])
    >>> with torch.no_grad():
    ...     _ = model.layers[0].weight.copy_(torch.tensor([[0.5, 0.0, -1.0], [0.0, 0.0, 0.0]]))
    >>> unit_groups(model, ("a", "b", "c"))
    (('a', 'c'), ())
    """
    owner = "unit_groups"
    if not len(model.layers):
        raise InputValidationError(f"The 'model' parameter of {owner} must have a hidden layer. Got none instead.")
    weight = _effective_weight(model.layers[0])  # (units, n_features)
    if len(feature_names) != weight.shape[1]:
        raise InputValidationError(
            f"The 'feature_names' parameter of {owner} must name all {weight.shape[1]} inputs. "
            f"Got {len(feature_names)} names instead."
        )
    names = [str(name) for name in feature_names]
    return tuple(tuple(names[j] for j in row.nonzero().flatten().tolist()) for row in weight)


def rank_units(run: PrunedRun, X: np.ndarray, *, background: np.ndarray, min_features: int = 2) -> list[UnitScore]:
    """Rank the first-layer units of a pruned MLP by ablation, most important first.

    Each unit in turn is held at its mean activation over the ``background`` rows while the layers above are
    recomputed; its score is the mean absolute change of the prediction over the rows ``X``, in the target's
    units (regression) or in the logit of each row's predicted class (classification). This is the HNN's
    ablation (:func:`hnnviz.explanation.explain` with ``method="ablation"`` and the same ``background``), ranked
    as :meth:`hnnviz.explanation.Attribution.ranking` ranks simplices (mean ``|score|`` over the rows).

    Parameters
    ----------
    run : PrunedRun
    X : ndarray of shape (n_rows, n_features)
        Raw rows to measure the change on (e.g. the test rows).
    background : ndarray of shape (n_background, n_features)
        Raw rows whose mean activation each unit is held at (e.g. the training rows).
    min_features : int, default 2
        Units wired to fewer input features are left out. With 2, as the HNN's ranking leaves out its single
        features (order 0), only units that can carry an interaction are ranked.

    Returns
    -------
    list of UnitScore
        Ties keep the unit order. Pass ``[u.features for u in ranking]`` to
        :func:`hnnviz.explanation.precision_at_k`.

    Raises
    ------
    InputValidationError
        For rows of the wrong width, non-finite or empty, or ``min_features < 1``.
    """
    min_features = check_int(min_features, name="min_features", owner="rank_units", low=1)
    result, model = run.result, run.pruned.model
    inputs, reference = (
        result.x_scaler.inputs(X, name="X", owner="rank_units", min_rows=1),
        result.x_scaler.inputs(background, name="background", owner="rank_units", min_rows=1),
    )
    scale = float(result.y_scaler.scale[0]) if result.task == "regression" else 1.0
    groups = unit_groups(model, run.feature_names)
    model.eval()
    with torch.no_grad():
        hidden = model.hidden(inputs)
        means = model.hidden(reference)[1].mean(dim=0)
        out = model.output(hidden)
        target = None if result.task == "regression" else out.argmax(dim=1, keepdim=True)
        full = _picked(out, target)
        ranked = []
        for unit, features in enumerate(groups):
            if len(features) < min_features:
                continue
            ablated = hidden[1].clone()
            ablated[:, unit] = means[unit]
            change = full - _picked(model.output(model.propagate([hidden[0], ablated])), target)
            ranked.append(UnitScore(unit, features, float(change.abs().mean()) * scale))
    ranked.sort(key=lambda s: (-s.score, s.unit))
    return ranked


def _picked(out: Tensor, target: Tensor | None) -> Tensor:
    """The regression output, or each row's logit of its ``target`` class."""
    return out[:, 0] if target is None else out.gather(1, target)[:, 0]
