"""Tests of the pruned dense baseline: exact sizes, masks through fine-tuning, seeds, unit groups and ablation."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import torch
from torch.nn.utils import prune

from hnnviz.data import Dataset, load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import (
    MLP,
    PrunedRun,
    build_model,
    prune_mlp,
    rank_units,
    train_model,
    train_pruned,
    train_run,
    unit_groups,
)
from hnnviz.network import clique_complex
from hnnviz.specs import ModelSpec, TrainConfig

CONFIG = TrainConfig(defaults="mlp", epochs=40, patience=4, lr=1e-2)
SPEC = ModelSpec(channels=2)


def planted_table(n_rows: int = 240, task: str = "regression") -> Dataset:
    """Eight features; the target holds the products a*b and c*d."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 8))
    signal = X[:, 0] * X[:, 1] + X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=n_rows)
    y = (signal > 0).astype(np.int64) if task == "classification" else signal
    classes = (0, 1) if task == "classification" else None
    return Dataset(X=X, feature_names=tuple("abcdefgh"), y=y, target="y", task=task, classes=classes)


@pytest.fixture(scope="module")
def regression() -> PrunedRun:
    return train_pruned(planted_table(), SPEC, config=CONFIG)


def layer_nonzeros(model: MLP) -> int:
    return sum(int((layer.weight != 0).sum()) for layer in model.layers)


def test_pruning_reaches_exactly_the_hnns_layer_weights(regression: PrunedRun) -> None:
    pruned = regression.pruned
    hnn = build_model(SPEC, regression.network.complex, 1, CONFIG.seed)
    mlp = build_model(ModelSpec("mlp", channels=2), regression.network.complex, 1, CONFIG.seed)
    assert pruned.target == hnn.sparse_weights < pruned.dense_weights == sum(w.weight.numel() for w in mlp.layers)
    assert pruned.remaining == pruned.target == layer_nonzeros(pruned.model)
    assert len(pruned.schedule) == 3 and pruned.schedule[-1] == pruned.target and pruned.pruned
    assert list(pruned.schedule) == sorted(set(pruned.schedule), reverse=True)
    assert pruned.schedule[0] < pruned.dense_weights
    # widths, biases and readouts are the HNN's, so the pruned net is exactly as large as the HNN
    assert pruned.n_params == hnn.n_params
    assert len(pruned.fits) == 4 and pruned.epochs_run == sum(f.epochs_run for f in pruned.fits)
    assert all(fit.model is pruned.model for fit in pruned.fits)


def test_pruning_is_permanent_and_spares_readouts(regression: PrunedRun) -> None:
    model = regression.pruned.model
    assert not any(prune.is_pruned(layer) for layer in model.layers)
    assert {name for name, _ in model.named_buffers()} == set()
    assert all((p != 0).all() for p in [*model.readouts.parameters(), *model.head.parameters()])


def test_masks_hold_through_fine_tuning_and_best_weight_restoring() -> None:
    """Pruned by hand, then trained with the shared protocol: pruned weights stay exactly zero, also when the
    best epoch (not the last) is restored, and the surviving ones move."""
    complex = clique_complex([(0, 1, 2, 3), (1, 2, 3, 4)])
    model = build_model(ModelSpec("mlp", channels=1), complex, 1, seed=0)
    X = np.random.default_rng(1).normal(size=(120, 5))
    y = X[:, 0] * X[:, 1]
    parameters = [(layer, "weight") for layer in model.layers]
    prune.global_unstructured(parameters, pruning_method=prune.L1Unstructured, amount=100)
    masks = [layer.weight_mask.clone() for layer in model.layers]
    before = [layer.weight_orig.detach().clone() for layer in model.layers]
    result = train_model(model, X, y, "regression", config=TrainConfig(defaults="mlp", epochs=30, patience=3, lr=0.05))
    assert result.best_epoch < result.epochs_run  # the best weights were restored
    for layer, mask, start in zip(model.layers, masks, before, strict=True):
        assert torch.equal(layer.weight_mask, mask)
        assert torch.equal(layer.weight == 0, mask == 0)
        assert not torch.equal(layer.weight_orig[mask == 1], start[mask == 1])


def test_same_seed_same_pruned_model(regression: PrunedRun) -> None:
    again = train_pruned(planted_table(), SPEC, config=CONFIG)
    assert again.pruned.schedule == regression.pruned.schedule
    assert again.result.metrics == regression.result.metrics
    for (name, a), (_, b) in zip(
        again.pruned.model.state_dict().items(), regression.pruned.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


def test_dense_fit_is_the_mlp_of_the_same_seed(regression: PrunedRun) -> None:
    """The dense phase is exactly the same-width MLP that train_run fits with the same seed and split."""
    mlp = train_run(planted_table(), ModelSpec("mlp", channels=2), config=CONFIG, split=regression.result.split)
    assert regression.pruned.fits[0].metrics == mlp.result.metrics


def test_classification_prunes_to_the_hnn_size() -> None:
    wine = load_sample("wine")
    run = train_pruned(wine, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=6, patience=3), rounds=2)
    hnn = build_model(ModelSpec(channels=1), run.network.complex, len(wine.classes), 0)
    assert run.pruned.remaining == hnn.sparse_weights == layer_nonzeros(run.pruned.model)
    assert len(run.pruned.schedule) == 2 and run.pruned.n_params == hnn.n_params
    assert set(run.result.metrics["test"]) == {"accuracy", "macro_f1", "log_loss"}


@pytest.mark.parametrize(
    ("widths", "target", "rounds", "schedule"),
    [
        ([2, 1], 2, 3, ()),  # as many weights as asked for: nothing to prune
        ([2, 1], 5, 3, ()),  # fewer weights than asked for
        ([2, 1], 1, 3, (1,)),  # too small a gap for three rounds: one
        ([3, 4, 2], 0, 2, (4, 0)),  # everything pruned: the net predicts a constant
        ([3, 4, 2], 5, 2, (10, 5)),  # sqrt(20 * 5) = 10
    ],
)
def test_tiny_nets(widths: list[int], target: int, rounds: int, schedule: tuple[int, ...]) -> None:
    X = np.random.default_rng(0).normal(size=(40, widths[0]))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = MLP(widths)
    result = prune_mlp(
        model,
        X,
        X.sum(axis=1),
        "regression",
        target=target,
        config=TrainConfig(defaults="mlp", epochs=3),
        rounds=rounds,
    )
    dense = sum(a * b for a, b in pairwise(widths))
    assert (result.dense_weights, result.schedule, result.pruned) == (dense, schedule, bool(schedule))
    assert result.remaining == min(target, dense) == layer_nonzeros(result.model)
    assert len(result.fits) == 1 + len(schedule)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": -1}, r"The 'target' parameter of prune_mlp must be an int in \[0, inf\]"),
        ({"target": 2, "rounds": 0}, r"The 'rounds' parameter of prune_mlp must be an int in \[1, inf\]"),
    ],
)
def test_prune_mlp_bad_arguments(kwargs: dict, match: str) -> None:
    X = np.zeros((20, 2))
    with pytest.raises(InputValidationError, match=match):
        prune_mlp(MLP([2, 1]), X, X[:, 0], "regression", **kwargs)


def test_train_pruned_needs_a_target() -> None:
    with pytest.raises(InputValidationError, match="has no target column"):
        train_pruned(load_sample("diabetes", target=None))


# --------------------------------------------------------------------------------------------------------
# Unit groups and their ablation ranking
# --------------------------------------------------------------------------------------------------------


def test_unit_groups_of_a_hand_made_net() -> None:
    model = MLP([4, 3, 2])
    weight = torch.tensor([[0.5, 0.0, -2.0, 0.0], [0.0, 0.0, 0.0, 0.0], [1e-8, 3.0, 0.0, -1.0]])
    with torch.no_grad():
        model.layers[0].weight.copy_(weight)
    assert unit_groups(model, ("w", "x", "y", "z")) == (("w", "y"), (), ("w", "x", "z"))
    # a mask still attached counts as zeros, even before the next forward pass refreshes `weight`
    prune.custom_from_mask(model.layers[0], "weight", torch.tensor([[1.0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1]]))
    assert unit_groups(model, "wxyz") == (("w",), (), ("x", "z"))


def test_unit_groups_errors() -> None:
    with pytest.raises(InputValidationError, match="The 'feature_names' parameter of unit_groups must name all 4"):
        unit_groups(MLP([4, 3]), ("a", "b"))
    with pytest.raises(InputValidationError, match="The 'model' parameter of unit_groups must have a hidden layer"):
        unit_groups(MLP([4]), "abcd")


def hooked_ablation(run: PrunedRun, X: np.ndarray, background: np.ndarray, unit: int) -> float:
    """Oracle: the unit pinned to its background mean by a forward hook on the first activation."""
    model, result = run.pruned.model, run.result
    inputs = torch.as_tensor(result.x_scaler.transform(X), dtype=torch.float32)
    reference = torch.as_tensor(result.x_scaler.transform(background), dtype=torch.float32)
    with torch.no_grad():
        mean = model.activations[0](model.layers[0](reference))[:, unit].mean()
        full = model(inputs)[:, 0]

        def pin(module: torch.nn.Module, args: tuple, out: torch.Tensor) -> torch.Tensor:
            out = out.clone()
            out[:, unit] = mean
            return out

        handle = model.activations[0].register_forward_hook(pin)
        try:
            ablated = model(inputs)[:, 0]
        finally:
            handle.remove()
    return float((full - ablated).abs().mean()) * float(result.y_scaler.scale[0])


def test_rank_units_is_the_ablation_of_each_unit(regression: PrunedRun) -> None:
    dataset, split = planted_table(), regression.result.split
    X, background = dataset.X[split.test], dataset.X[split.train]
    ranking = rank_units(regression, X, background=background)
    groups = unit_groups(regression.pruned.model, dataset.feature_names)
    assert ranking and {u.unit for u in ranking} == {i for i, g in enumerate(groups) if len(g) >= 2}
    assert [u.score for u in ranking] == sorted((u.score for u in ranking), reverse=True)
    for unit in ranking[:5]:
        assert unit.features == groups[unit.unit]
        assert unit.score == pytest.approx(hooked_ablation(regression, X, background, unit.unit), rel=1e-5, abs=1e-7)
    every = rank_units(regression, X, background=background, min_features=1)
    assert {u.unit for u in every} == {i for i, g in enumerate(groups) if g} != {u.unit for u in ranking}


def test_rank_units_on_classification_uses_the_predicted_class_logit() -> None:
    dataset = planted_table(task="classification")
    run = train_pruned(
        dataset, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=5, patience=3), rounds=1
    )
    split, model = run.result.split, run.pruned.model
    X, background = dataset.X[split.test], dataset.X[split.train]
    ranking = rank_units(run, X, background=background)
    best = ranking[0]
    inputs = torch.as_tensor(run.result.x_scaler.transform(X), dtype=torch.float32)
    with torch.no_grad():
        hidden = model.hidden(inputs)
        out = model.output(hidden)
        rows = out.argmax(1, keepdim=True)
        ablated = hidden[1].clone()
        ablated[:, best.unit] = model.hidden(torch.as_tensor(run.result.x_scaler.transform(background)).float())[1][
            :, best.unit
        ].mean()
        changed = model.output(model.propagate([hidden[0], ablated]))
    expected = float((out.gather(1, rows) - changed.gather(1, rows)).abs().mean())
    assert best.score == pytest.approx(expected, rel=1e-6) and best.score > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"X": np.zeros((3, 7))}, r"The 'X' parameter of rank_units must be rows of 8 features. Got shape"),
        ({"X": np.full((3, 8), np.nan)}, r"The 'X' parameter of rank_units must be finite"),
        ({"background": np.zeros((0, 8))}, r"The 'background' parameter of rank_units must be rows of 8 features"),
        ({"min_features": 0}, r"The 'min_features' parameter of rank_units must be an int in \[1, inf\]"),
    ],
)
def test_rank_units_bad_arguments(regression: PrunedRun, kwargs: dict, match: str) -> None:
    arguments = {"X": np.zeros((3, 8)), "background": np.zeros((3, 8))} | kwargs
    X = arguments.pop("X")
    with pytest.raises(InputValidationError, match=match):
        rank_units(regression, X, **arguments)
