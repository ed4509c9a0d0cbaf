"""Tests of the target-aware similarity (hnnviz.network.interaction_matrix, similarity "interaction")."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from hnnviz.data import make_planted
from hnnviz.exceptions import InputValidationError
from hnnviz.network import INTERACTION_ESTIMATORS, filter_network, interaction_matrix, similarity_matrix
from hnnviz.specs import IFNSpec


@pytest.fixture(scope="module")
def independent():
    """Independent U(-1, 1) inputs, four planted groups of four kinds, no hierarchy, little noise."""
    return make_planted(
        n_rows=2000, n_features=12, interactions=(2, 2, 3, 2), kinds=("product", "abs-product", "sine", "cosine"),
        within_group_correlation=0.0, inputs="uniform", hierarchical=False, noise=0.1, seed=0,
    )  # fmt: skip


def _missed_pairs(network, groups) -> list[tuple[str, str]]:
    names = network.feature_names
    edges = {tuple(sorted((names[a], names[b]))) for a, b in network.graph.edges.tolist()}
    return [pair for group in groups for pair in combinations(sorted(group), 2) if pair not in edges]


def test_every_planted_pair_is_an_edge_on_interactions_while_pearson_misses_some(independent) -> None:
    data = independent.dataset
    interaction = filter_network(data.X, data.feature_names, IFNSpec("interaction"), y=data.y, task=data.task)
    pearson = filter_network(data.X, data.feature_names)
    assert _missed_pairs(interaction, independent.groups) == []
    assert _missed_pairs(pearson, independent.groups) != []


@pytest.mark.parametrize("estimator", INTERACTION_ESTIMATORS)
def test_each_estimator_ranks_a_planted_product_first(estimator: str) -> None:
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(1000, 6))
    y = X[:, 1] * X[:, 4] + X[:, 0] + 0.05 * rng.standard_normal(1000)
    W = interaction_matrix(X, y, "regression", estimator=estimator)
    assert sorted(np.unravel_index(W.argmax(), W.shape)) == [1, 4]


def _check_similarity(W: np.ndarray, p: int) -> None:
    assert W.shape == (p, p) and np.isfinite(W).all() and (W >= 0).all() and W.max() <= 1
    np.testing.assert_array_equal(W, W.T)
    np.testing.assert_array_equal(np.diag(W), 0)


@pytest.mark.parametrize("estimator", INTERACTION_ESTIMATORS)
@pytest.mark.parametrize(
    ("n", "task", "make_y"),
    [
        (300, "regression", lambda X, rng: X[:, 0] * X[:, 1] + rng.normal(size=len(X))),
        (300, "regression", lambda X, rng: rng.normal(size=len(X))),  # no signal at all
        (12, "regression", lambda X, rng: X[:, 0]),  # a tiny table
        (200, "classification", lambda X, rng: (X[:, 0] * X[:, 2] > 0).astype(int)),
        (150, "classification", lambda X, rng: np.array(["a", "b", "c"])[np.arange(len(X)) % 3]),
        (40, "classification", lambda X, rng: (np.arange(len(X)) == 0).astype(int)),  # a class of one row
    ],
)
def test_invariants_on_random_and_degenerate_tables(estimator: str, n: int, task: str, make_y) -> None:
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 5))
    _check_similarity(interaction_matrix(X, make_y(X, rng), task, estimator=estimator), 5)


@pytest.mark.parametrize("estimator", INTERACTION_ESTIMATORS)
def test_a_constant_target_interacts_with_nothing(estimator: str) -> None:
    X = np.random.default_rng(0).normal(size=(50, 4))
    assert not interaction_matrix(X, np.full(50, 3.0), "regression", estimator=estimator).any()


def test_constant_columns_get_zero_similarity_through_similarity_matrix() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 6))
    X[:, [1, 4]] = 2.0
    W = similarity_matrix(X, "interaction", constant="zero", y=X[:, 0] * X[:, 2], task="regression")
    _check_similarity(W, 6)
    assert not W[[1, 4]].any() and not W[:, [1, 4]].any()


@pytest.mark.parametrize("estimator", INTERACTION_ESTIMATORS)
def test_the_same_seed_gives_the_same_matrix(estimator: str) -> None:
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(400, 6))
    y = X[:, 0] * X[:, 1] + np.sin(X[:, 2] + X[:, 3])
    first = interaction_matrix(X, y, "regression", estimator=estimator, seed=5)
    np.testing.assert_array_equal(first, interaction_matrix(X, y, "regression", estimator=estimator, seed=5))


def test_the_same_seed_gives_the_same_network_and_the_seed_matters(independent) -> None:
    data = independent.dataset

    def build(seed: int):
        return filter_network(
            data.X[:600], data.feature_names, IFNSpec("interaction"), y=data.y[:600], task=data.task, seed=seed
        )

    np.testing.assert_array_equal(build(0).similarity, build(0).similarity)
    assert not np.array_equal(build(0).similarity, build(1).similarity)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda X: filter_network(X, list("abcd"), IFNSpec("interaction")),
            r"The 'y' and 'task' parameters of similarity_matrix must be given when method is 'interaction'",
        ),
        (
            lambda X: similarity_matrix(X, "interaction", y=X[:, 0]),
            r"must be given when method is 'interaction' .* Got y=an array, task=None instead",
        ),
        (
            lambda X: interaction_matrix(X, X[:, 0], "regression", estimator="h-statistic"),
            r"The 'estimator' parameter of interaction_matrix must be one of 'hessian', 'fast'",
        ),
        (
            lambda X: interaction_matrix(X, X[:5, 0], "regression"),
            r"The 'y' parameter of interaction_matrix must hold one value per row of X \(20\). Got shape \(5,\)",
        ),
        (
            lambda X: interaction_matrix(X, np.r_[np.nan, X[1:, 0]], "regression"),
            r"The 'y' parameter of interaction_matrix must be finite",
        ),
        (
            lambda X: interaction_matrix(X, X[:, 0], "ranking"),
            r"The 'task' parameter of interaction_matrix must be one of 'regression', 'classification'",
        ),
    ],
)
def test_rejects_bad_input(call, match: str) -> None:
    X = np.random.default_rng(0).normal(size=(20, 4))
    with pytest.raises(InputValidationError, match=match):
        call(X)
