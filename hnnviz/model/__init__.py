"""Stage 3: the networks, their training, and a trained run.

:class:`HNN` wires one unit per simplex of a clique complex (the sparse :class:`SimplexLayer`); :class:`MLP` is
its dense twin. :func:`train_model` fits either with early stopping; :func:`train_run` splits a data set, filters
its training rows, wires the model and trains it, returning a :class:`Run`. :class:`HNNRegressor` and
:class:`HNNClassifier` are the scikit-learn estimators; :func:`train_pruned` prunes an MLP to the HNN's size.

Modules: ``_layers``, ``_nets``, ``_train``, ``_run``, ``_estimators`` and ``_pruning``.
"""

from ._estimators import HNNClassifier, HNNRegressor
from ._layers import SimplexLayer
from ._nets import HNN, MLP, Architecture, LayerSummary, describe_hnn, hnn_widths
from ._pruning import PrunedResult, PrunedRun, UnitScore, prune_mlp, rank_units, train_pruned, unit_groups
from ._run import Predictions, Run, build_model, table_network, train_network, train_run
from ._train import (
    PASS_FLOATS,
    THREADS,
    EpochRecord,
    Scaler,
    Split,
    TrainResult,
    cosine_factor,
    dead_readouts,
    inactive_share,
    limit_threads,
    metrics,
    predict,
    split_rows,
    to_prediction,
    torch_seed,
    train_model,
    train_step,
)

__all__ = [
    "HNN",
    "MLP",
    "PASS_FLOATS",
    "THREADS",
    "Architecture",
    "EpochRecord",
    "HNNClassifier",
    "HNNRegressor",
    "LayerSummary",
    "Predictions",
    "PrunedResult",
    "PrunedRun",
    "Run",
    "Scaler",
    "SimplexLayer",
    "Split",
    "TrainResult",
    "UnitScore",
    "build_model",
    "cosine_factor",
    "dead_readouts",
    "describe_hnn",
    "hnn_widths",
    "inactive_share",
    "limit_threads",
    "metrics",
    "predict",
    "prune_mlp",
    "rank_units",
    "split_rows",
    "table_network",
    "to_prediction",
    "torch_seed",
    "train_model",
    "train_network",
    "train_pruned",
    "train_run",
    "train_step",
    "unit_groups",
]
