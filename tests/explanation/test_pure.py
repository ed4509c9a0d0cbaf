"""Pure effects (hnnviz.explanation.purify): oracles set by hand, exact additivity, planted data, typed errors."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from hnnviz.data import Dataset, load_sample, make_planted, sample_data_dir
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import PureEffects, purify
from hnnviz.model import Run, Scaler, train_run
from hnnviz.specs import ModelSpec, TrainConfig, default_config


def _relu_tetrahedron(seed: int = 0) -> tuple[Run, np.ndarray]:
    """A 4-feature ReLU HNN (its complex is one tetrahedron) with every weight zero, unscaled inputs, and a
    table whose training rows are symmetric about 0 (so each feature's grid is symmetric)."""
    rng = np.random.default_rng(seed)
    data = Dataset(X=rng.normal(size=(200, 4)), feature_names=("a", "b", "c", "d"), y=rng.normal(size=200),
                   target="y", task="regression")  # fmt: skip
    config = TrainConfig(defaults="mlp", epochs=1, seed=seed)
    run = train_run(data, ModelSpec(channels=4, activation="relu"), config=config)
    result = dataclasses.replace(
        run.result, x_scaler=Scaler(mean=np.zeros(4), scale=np.ones(4)), y_scaler=Scaler(np.zeros(1), np.ones(1))
    )
    with torch.no_grad():
        for parameter in result.model.parameters():
            parameter.zero_()
    train = result.split.train
    half = rng.normal(size=(len(train) // 2, 4))
    table = np.zeros((data.n_rows, 4))
    table[train] = np.concatenate([half, -half])
    return dataclasses.replace(run, result=result), table


def _set_pair_channels(layer: torch.nn.Module, unit: int, faces: tuple[int, int]) -> None:
    """Channels ``relu(a + b), relu(-a - b), relu(a - b), relu(b - a)`` of an edge unit; ``faces`` gives the
    positions (in the unit's fan-in) of ``a`` and ``b``."""
    fa, fb = faces
    for channel, (sa, sb) in enumerate([(1, 1), (-1, -1), (1, -1), (-1, 1)]):
        layer.weight[unit, fa, channel], layer.weight[unit, fb, channel] = sa, sb


def _phi(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``|a + b| - |a - b|``: a pair interaction, odd in each feature, so pure under symmetric marginals."""
    return np.abs(a + b) - np.abs(a - b)


def _only(pure: PureEffects, features: set[tuple[str, ...]]) -> None:
    """Every effect outside ``features`` is zero on the grid and at the rows."""
    for effect in pure.effects:
        if effect.features not in features:
            np.testing.assert_allclose(effect.values, 0.0, atol=1e-12)
            assert effect.importance < 1e-12 and effect.share < 1e-12


def test_additive_curve_in_an_edge_gives_two_single_curves() -> None:
    run, table = _relu_tetrahedron()
    model = run.model
    with torch.no_grad():  # edge (a, b) = row 0; its fan-in is [b, a] (face j deletes vertex j)
        model.layers[0].weight[0, 1, 0] = 1.0  # channel 0: relu(a)
        model.layers[0].weight[0, 0, 1], model.layers[0].bias[0, 1] = 1.0, -0.5  # channel 1: relu(b - 0.5)
        model.readouts[1].weight[0, :2] = torch.tensor([2.0, -1.0])
        model.head.weight[0, 1] = 1.0
    pure = purify(run, table)
    a, b = pure.shape(["a"]), pure.shape(["b"])
    curve_a, curve_b = 2 * np.maximum(a.axes[0], 0), -np.maximum(b.axes[0] - 0.5, 0)
    np.testing.assert_allclose(a.values, curve_a - curve_a.mean(), atol=1e-12)
    np.testing.assert_allclose(b.values, curve_b - curve_b.mean(), atol=1e-12)
    np.testing.assert_allclose(pure.intercept, curve_a.mean() + curve_b.mean(), atol=1e-12)
    _only(pure, {("a",), ("b",)})
    assert pure.interaction_share < 1e-12


def test_pure_pair_in_an_edge_stays_a_pair() -> None:
    run, table = _relu_tetrahedron()
    model = run.model
    with torch.no_grad():
        _set_pair_channels(model.layers[0], 0, faces=(1, 0))
        model.readouts[1].weight[0, :4] = torch.tensor([1.0, 1.0, -1.0, -1.0])
        model.head.weight[0, 1] = 1.0
    pure = purify(run, table)
    pair = pure.shape(["b", "a"])
    assert pair.features == ("a", "b") and pair.order == 1
    np.testing.assert_allclose(pair.axes[0], -pair.axes[0][::-1])  # the grid is symmetric
    np.testing.assert_allclose(pair.values, _phi(pair.axes[0][:, None], pair.axes[1][None, :]), atol=1e-12)
    _only(pure, {("a", "b")})
    assert pure.interaction_share == pytest.approx(1.0)
    assert pure.ranking()[0].features == ("a", "b")


def test_pair_hidden_inside_a_tetrahedron_comes_out_as_the_pair() -> None:
    run, table = _relu_tetrahedron()
    model = run.model
    with torch.no_grad():
        _set_pair_channels(model.layers[0], 0, faces=(1, 0))  # edge (a, b), read by nothing but its triangle
        for channel in range(4):
            model.layers[1].weight[0, 2 * 4 + channel, channel] = 1.0  # triangle (a, b, c): face j=2 is (a, b)
            model.layers[2].weight[0, 3 * 4 + channel, channel] = 1.0  # tetrahedron: face j=3 is (a, b, c)
        model.readouts[3].weight[0, :4] = torch.tensor([1.0, 1.0, -1.0, -1.0])
        model.head.weight[0, 3] = 1.0
    pure = purify(run, table)
    pair = pure.shape(["a", "b"])
    np.testing.assert_allclose(pair.values, _phi(pair.axes[0][:, None], pair.axes[1][None, :]), atol=1e-12)
    _only(pure, {("a", "b")})
    rows = table[run.result.split.train]
    np.testing.assert_allclose(pure.contributions(rows)[:, [e.features for e in pure.effects].index(("a", "b"))],
                               _phi(rows[:, 0], rows[:, 1]), atol=1e-12)  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# Trained models: exact additivity, classes, reproducibility
# --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_run() -> tuple[Run, np.ndarray]:
    data = load_sample("planted_shapes")
    return train_run(data, ModelSpec(), config=default_config("hnn", seed=0, epochs=30)), data.X


def _outside(X: np.ndarray) -> np.ndarray:
    """Rows of X, and the same rows stretched 3 times away from the mean (well outside the grids' range)."""
    rows = X[:200]
    return np.concatenate([rows, X.mean(axis=0) + 3 * (rows - X.mean(axis=0))])


def test_contributions_add_up_to_the_prediction(shapes_run) -> None:
    run, X = shapes_run
    pure = purify(run, X)
    rows = _outside(X)
    expected = run.predict(rows)
    contributions = pure.contributions(rows)
    assert contributions.shape == (len(rows), len(pure.effects))
    np.testing.assert_allclose(pure.intercept + contributions.sum(axis=1), expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())  # fmt: skip
    assert sum(e.share for e in pure.effects) == pytest.approx(1.0)
    assert pure.measure == "product" and pure.target is None


def test_every_class_logit_adds_up() -> None:
    data = make_planted(n_rows=600, n_features=8, interactions=(2, 3), task="classification", seed=1).dataset
    run = train_run(data, ModelSpec(), config=default_config("hnn", seed=0, epochs=15))
    rows = _outside(data.X)
    with torch.no_grad():
        logits = run.model(torch.as_tensor(run.x_scaler.transform(rows), dtype=torch.float32)).double().numpy()
    assert purify(run, data.X).target == "1"  # by default the last class
    for output, label in enumerate(run.classes):
        pure = purify(run, data.X, target=label)
        assert pure.output == output
        np.testing.assert_allclose(pure.predict(rows), logits[:, output], rtol=1e-5,
                                   atol=1e-5 * np.abs(logits).max())  # fmt: skip


def test_same_seed_same_result(shapes_run) -> None:
    run, X = shapes_run
    first, second = purify(run, X), purify(run, X)
    assert first.intercept == second.intercept
    assert [e.importance for e in first.effects] == [e.importance for e in second.effects]
    assert all(np.array_equal(a.values, b.values) for a, b in zip(first.effects, second.effects, strict=True))


def test_order_shares_and_simplex_values_read_the_effects(shapes_run) -> None:
    run, X = shapes_run
    pure = purify(run, X)
    shares = pure.order_shares()
    assert shares.shape == (4,) and shares.sum() == pytest.approx(1.0)
    assert shares[1:].sum() == pytest.approx(pure.interaction_share)
    edges = pure.simplex_values(1)
    assert list(edges) == [tuple(run.feature_names[v] for v in s) for s in run.network.complex.simplices[1]]
    assert all(edges[e.features] == e.importance for e in pure.effects if e.order == 1)
    with pytest.raises(InputValidationError, match=r"'order' parameter of PureEffects\.simplex_values"):
        pure.simplex_values(4)


def test_without_rows_the_grid_is_gaussian(shapes_run) -> None:
    run, X = shapes_run
    pure = purify(run)
    np.testing.assert_allclose(pure.predict(X[:20]), run.predict(X[:20]), rtol=1e-5, atol=1e-5)
    assert all(e.importance == pytest.approx(np.sqrt(np.mean(e.values**2))) for e in pure.effects)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"grid_size": 1}, "'grid_size' parameter of purify"),
        ({"target": 1}, "must be None for a regression run"),
        ({"X": np.zeros((5, 10))}, "must be the table the run was trained on"),
        ({"X": np.zeros((5, 3))}, "must be rows of 10 features"),
        ({"X": np.full((1500, 10), np.nan)}, "must be finite"),
        ({"X": "table"}, "must be an array of numbers"),
    ],
)
def test_bad_arguments_raise(shapes_run, kwargs, match) -> None:
    run, X = shapes_run
    arguments = {"X": X, **kwargs}
    with pytest.raises(InputValidationError, match=match):
        purify(run, **arguments)


def test_bad_class_shape_and_model_raise(shapes_run) -> None:
    run, X = shapes_run
    pure = purify(run, X)
    with pytest.raises(InputValidationError, match="must name a simplex of the model"):
        pure.shape(["x01", "x09"])
    with pytest.raises(InputValidationError, match="must be rows of 10 features"):
        pure.contributions(X[:, :3])
    data = make_planted(n_rows=300, n_features=6, interactions=(2,), task="classification", seed=0).dataset
    run_c = train_run(data, ModelSpec(), config=TrainConfig(defaults="mlp", epochs=1))
    with pytest.raises(InputValidationError, match="must be a class of the run"):
        purify(run_c, data.X, target="cat")
    mlp = train_run(data, ModelSpec(kind="mlp"), config=TrainConfig(defaults="mlp", epochs=1))
    with pytest.raises(InputValidationError, match="Only an HNN"):
        purify(mlp, data.X)


# --------------------------------------------------------------------------------------------------------
# Planted data: the top pure interactions are planted groups (subset rule)
# --------------------------------------------------------------------------------------------------------


def _groups(name: str) -> list[set[str]]:
    truth = json.loads((sample_data_dir() / f"{name}.json").read_text())
    return [set(group) for group in truth["planted_groups"]]


def _precision(pure: PureEffects, groups: list[set[str]], k: int = 5) -> float:
    """Share of the top ``k`` interactions (order >= 1) that lie inside one planted group."""
    top = pure.ranking(min_order=1, top=k)
    return sum(any(set(e.features) <= group for group in groups) for e in top) / len(top)


@pytest.mark.parametrize("seed", range(5))
def test_planted_interactions_top5_are_planted_groups_or_parts_of_one(seed: int) -> None:
    data = load_sample("planted_interactions")
    run = train_run(data, ModelSpec(), config=default_config("hnn", seed=seed))
    pure = purify(run, data.X)
    assert _precision(pure, _groups("planted_interactions")) == 1.0
    assert pure.ranking(top=1)[0].features == ("x01", "x02")


def test_planted_shapes_top3_are_its_three_pairs() -> None:
    data = load_sample("planted_shapes")
    run = train_run(data, ModelSpec(), config=default_config("hnn", seed=0))
    assert _precision(purify(run, data.X), _groups("planted_shapes"), k=3) == 1.0


def test_planted_additive_has_no_interaction() -> None:
    data = load_sample("planted_additive")
    run = train_run(data, ModelSpec(), config=default_config("hnn", seed=0))
    assert purify(run, data.X).interaction_share <= 0.05


def test_importance_is_the_spread_over_the_training_rows_read_at_their_grid_points(shapes_run) -> None:
    """Oracle: each training row read at the nearest grid point of each of the effect's features."""
    run, X = shapes_run
    pure, train = purify(run, X), X[run.result.split.train]
    for effect in pure.ranking(min_order=0, top=8):
        columns = [run.feature_names.index(name) for name in effect.features]
        nearest = tuple(
            np.abs(train[:, c][:, None] - axis[None, :]).argmin(axis=1)
            for c, axis in zip(columns, effect.axes, strict=True)
        )
        assert effect.importance == pytest.approx(effect.values[nearest].std(), rel=1e-9)
