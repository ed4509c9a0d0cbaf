"""Tests of hnnviz.network against reference computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from hnnviz.exceptions import InputValidationError
from hnnviz.network import constant_columns, similarity_matrix
from hnnviz.specs import SIMILARITY_METHODS, TARGET_SIMILARITIES

#: The measures of input dependence (the target-aware ones are tested in test_interaction.py).
INPUT_SIMILARITIES = tuple(m for m in SIMILARITY_METHODS if m not in TARGET_SIMILARITIES)


@pytest.fixture
def X() -> np.ndarray:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(500, 1))
    return np.hstack([z, z**3 + 0.2 * rng.normal(size=(500, 1)), rng.normal(size=(500, 3)), np.sin(2 * z)])


def _zero_diagonal(M: np.ndarray) -> np.ndarray:
    M = M.copy()
    np.fill_diagonal(M, 0)
    return M


def test_pearson2_is_squared_correlation(X: np.ndarray) -> None:
    np.testing.assert_allclose(similarity_matrix(X), _zero_diagonal(np.corrcoef(X, rowvar=False) ** 2), atol=1e-12)


def test_spearman2_is_squared_rank_correlation(X: np.ndarray) -> None:
    np.testing.assert_allclose(
        similarity_matrix(X, "spearman2"), _zero_diagonal(spearmanr(X).statistic ** 2), atol=1e-12
    )


def test_abs_is_absolute_correlation(X: np.ndarray) -> None:
    np.testing.assert_allclose(
        similarity_matrix(X, "abs"), _zero_diagonal(np.abs(np.corrcoef(X, rowvar=False))), atol=1e-12
    )


def test_mutual_information_sees_nonlinear_dependence(X: np.ndarray) -> None:
    mi = similarity_matrix(X, "mi")
    pearson = similarity_matrix(X)
    assert pearson[0, 5] < 0.7 and mi[0, 5] > 0.5  # sin(2z): weak correlation, strong dependence
    assert mi[0, 1] > 0.5 and mi[1, 5] > 0.3
    # independent columns: bias-corrected MI is ~0 with sd ~sqrt(2)(b-1)/(2n) = 0.013 here
    assert mi[2:5, 2:5].max() < 0.05


def test_mutual_information_is_invariant_to_monotone_transforms(X: np.ndarray) -> None:
    transformed = X.copy()
    transformed[:, 0] = np.exp(X[:, 0])
    transformed[:, 3] = -(X[:, 3] ** 3)
    np.testing.assert_allclose(similarity_matrix(transformed, "mi"), similarity_matrix(X, "mi"), atol=1e-12)


def test_mutual_information_blocks_agree_with_one_block() -> None:
    X = np.random.default_rng(1).normal(size=(60, 150))  # 150 columns force several blocks
    mi = similarity_matrix(X, "mi", n_bins=4)
    first = similarity_matrix(X[:, :10], "mi", n_bins=4)
    np.testing.assert_allclose(mi[:10, :10], first, atol=1e-12)


@given(st.integers(0, 10_000), st.integers(4, 30), st.sampled_from(INPUT_SIMILARITIES))
@settings(max_examples=40, deadline=None)
def test_every_measure_is_a_valid_similarity(seed: int, n: int, method: str) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)) + rng.normal(size=(n, 1))
    W = similarity_matrix(X, method)
    assert W.shape == (6, 6) and np.isfinite(W).all() and (W >= 0).all()
    np.testing.assert_array_equal(W, W.T)
    np.testing.assert_array_equal(np.diag(W), 0)


@given(
    st.integers(0, 10_000),
    st.sampled_from(INPUT_SIMILARITIES),
    st.lists(st.integers(0, 6), max_size=7),
    st.floats(-5, 5),
)
@settings(max_examples=40, deadline=None)
def test_constant_columns_get_zero_similarity(seed: int, method: str, constant: list[int], value: float) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 7)) + rng.normal(size=(30, 1))
    fixed = sorted(set(constant))
    X[:, fixed] = value
    W = similarity_matrix(X, method, constant="zero")
    assert constant_columns(X).tolist() == fixed
    assert not W[fixed].any() and not W[:, fixed].any()
    varying = [j for j in range(7) if j not in fixed]
    if len(varying) > 1:  # the other entries are those of the data without the constant columns
        np.testing.assert_array_equal(W[np.ix_(varying, varying)], similarity_matrix(X[:, varying], method))


def test_constant_columns_are_refused_by_default_and_name_at_most_20() -> None:
    X = np.hstack([np.ones((5, 25)), np.arange(5.0)[:, None]])
    with pytest.raises(
        InputValidationError, match=r"Got constant column\(s\) \[0, 1, .*, 19, \.\.\. \(25 in all\)\] instead"
    ):
        similarity_matrix(X)
    assert similarity_matrix(X, constant="zero").max() == 0.0


@pytest.mark.parametrize("method", ["pearson2", "abs"])
def test_correlations_of_tiny_and_huge_values_are_finite_and_exact(method: str) -> None:
    """Variances that would underflow (1e-170 squared) or overflow (1e300 squared) in plain np.corrcoef."""
    X = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [1.0, 1.0, 1.0]])
    expected = similarity_matrix(X, method)
    for scale in (1e-170, 1e300, 1e-310):
        np.testing.assert_allclose(similarity_matrix(X * scale, method), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", INPUT_SIMILARITIES)
def test_the_result_does_not_depend_on_memory_layout(X: np.ndarray, method: str) -> None:
    np.testing.assert_array_equal(similarity_matrix(np.asfortranarray(X), method), similarity_matrix(X, method))


@pytest.mark.parametrize(
    ("X", "kwargs", "match"),
    [
        (np.ones((5, 3)) * np.arange(3), {}, r"must have no constant column .* Got constant column\(s\) \[0, 1, 2\]"),
        (np.array([[1.0, 2], [np.nan, 1], [3, 4]]), {}, r"must be finite. Got X\[1, 0\] = nan"),
        (np.arange(4.0), {}, "must be 2-D with at least 3 rows"),
        (np.arange(4.0).reshape(2, 2), {}, "must be 2-D with at least 3 rows"),
        (np.array([["a", "b"]] * 3), {}, "must be numeric"),
        (np.eye(4), {"method": "kendall"}, "'method' parameter of similarity_matrix must be one of"),
        (np.eye(4), {"constant": "drop"}, "'constant' parameter of similarity_matrix must be one of 'raise', 'zero'"),
    ],
)
def test_rejects_bad_input(X: np.ndarray, kwargs: dict, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        similarity_matrix(X, **kwargs)
