"""Dependency (similarity) matrices between the columns of a data matrix.

Every measure returns a ``(p, p)`` float64 matrix that is symmetric, non-negative, finite, with a zero
diagonal: the input every information filtering network in :mod:`hnnviz.network` expects.

===============  ======================================================================================
``"pearson2"``   squared Pearson correlation (default, as in the TMFG/HNN papers)
``"spearman2"``  squared Spearman rank correlation (robust to monotone transforms and outliers)
``"abs"``        absolute Pearson correlation
``"mi"``         mutual information in nats between equal-frequency binned columns, Miller-Madow
                 bias-corrected and clipped at 0
``"interaction"``  how strongly each pair acts together on the target ``y`` (:func:`interaction_matrix`):
                 the only measure that reads the target, so it needs ``y`` and the task
===============  ======================================================================================

A column that is constant on the given rows has an undefined correlation. By default it is refused
(``constant="raise"``); with ``constant="zero"`` it gets zero similarity to every other column, so every
filter attaches it with zero-weight edges (or leaves it isolated) and it carries no information. The
pipeline uses ``"zero"`` and reports such columns (:attr:`hnnviz.network.FilteredNetwork.constant_features`):
a column constant on the training rows of a split, though not on all rows, must never make a run fail.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .._validation import check_in
from ..exceptions import InputValidationError
from ..specs import SIMILARITY_METHODS, TARGET_SIMILARITIES, SimilarityMethod
from ._interaction import interaction_matrix

__all__ = [
    "CONSTANT_POLICIES",
    "constant_columns",
    "similarity_matrix",
]

ConstantPolicy = Literal["raise", "zero"]
CONSTANT_POLICIES: tuple[str, ...] = ("raise", "zero")


def similarity_matrix(
    X: np.ndarray,
    method: SimilarityMethod = "pearson2",
    *,
    n_bins: int | None = None,
    constant: ConstantPolicy = "raise",
    y: np.ndarray | None = None,
    task: str | None = None,
    seed: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """Similarity between every pair of columns of ``X``.

    Parameters
    ----------
    X : array_like of shape (n, p)
        Finite numeric data, ``n >= 3`` rows.
    method : {"pearson2", "spearman2", "abs", "mi", "interaction"}, default "pearson2"
        The measure (see the module docstring).
    n_bins : int, optional
        Bins per column for ``"mi"``; default ``clip(round(sqrt(n / 5)), 2, 32)``.
    constant : {"raise", "zero"}, default "raise"
        What to do with a column that is constant on these rows (see :func:`constant_columns`): refuse it, or
        give it zero similarity to every other column (the other entries are those of ``X`` without it).
    y : ndarray of shape (n,), optional
        ``"interaction"`` only, and required there: the target of the same rows (give the training rows only).
    task : {"regression", "classification"}, optional
        ``"interaction"`` only, and required there.
    seed : int, numpy.random.Generator or None, default 0
        ``"interaction"`` only. Seed of the random draws: an int seeds a new generator, a ``Generator`` is used
        (and advanced) as it is, ``None`` draws fresh entropy. The global random state is never touched.

    Returns
    -------
    ndarray of shape (p, p)
        Symmetric, non-negative, finite, zero diagonal.

    Raises
    ------
    InputValidationError
        For an unknown method or policy, a non-2-D or non-finite ``X``, fewer than 3 rows, (with
        ``constant="raise"``) a constant column: its correlation is undefined, or ``"interaction"`` without
        ``y`` and ``task``.

    Notes
    -----
    Each column is divided by the power of two just above its largest magnitude before the correlations are
    taken. The division is exact and the correlation scale-free, so the result is unchanged, but no
    variance can overflow or underflow: every non-constant column has a finite, non-zero variance.

    Examples
    --------
    >>> X = np.array([[1., 2, 0], [2, 4, 1], [3, 6, 0], [4, 8, 1]])
    >>> similarity_matrix(X).round(2)
    array([[0. , 1. , 0.2],
           [1. , 0. , 0.2],
           [0.2, 0.2, 0. ]])
    >>> X[:, 1] = 5.0
    >>> similarity_matrix(X, constant="zero").round(2)
    array([[0. , 0. , 0.2],
           [0. , 0. , 0. ],
           [0.2, 0. , 0. ]])
    """
    owner = "similarity_matrix"
    check_in(method, SIMILARITY_METHODS, name="method", owner=owner)
    check_in(constant, CONSTANT_POLICIES, name="constant", owner=owner)
    X = _checked_data(X)
    if method in TARGET_SIMILARITIES and (y is None or task is None):
        raise InputValidationError(
            f"The 'y' and 'task' parameters of {owner} must be given when method is {method!r} (it reads how "
            f"features act together on the target). Got y={'None' if y is None else 'an array'}, task={task!r} instead."
        )
    fixed = constant_columns(X)
    if len(fixed) and constant == "raise":
        raise InputValidationError(
            f"The 'X' parameter of {owner} must have no constant column (its correlation is undefined). "
            f"Got constant column(s) {_some(fixed)} instead."
        )
    varying = np.setdiff1d(np.arange(X.shape[1]), fixed)
    W = np.zeros((X.shape[1], X.shape[1]))
    if len(varying) > 1:
        kept = np.ascontiguousarray(X[:, varying])
        if method in TARGET_SIMILARITIES:
            W[np.ix_(varying, varying)] = interaction_matrix(kept, y, task, seed=seed)
        else:
            W[np.ix_(varying, varying)] = _similarity(kept, method, n_bins)
    return W


def constant_columns(X: np.ndarray) -> np.ndarray:
    """Indices of the columns of ``X`` whose values are all equal (every column of a single row).

    Examples
    --------
    >>> constant_columns(np.array([[1.0, 2.0, 3.0], [1.0, 5.0, 3.0]])).tolist()
    [0, 2]
    """
    X = np.asarray(X, dtype=np.float64)
    return np.flatnonzero(np.ptp(X, axis=0) == 0) if len(X) else np.arange(X.shape[1])


def _some(columns: np.ndarray, limit: int = 20) -> str:
    """A column list for a message, cut after ``limit`` entries."""
    shown = columns[:limit].tolist()
    return str(shown) if len(columns) <= limit else f"{str(shown)[:-1]}, ... ({len(columns)} in all)]"


def _similarity(X: np.ndarray, method: SimilarityMethod, n_bins: int | None) -> np.ndarray:
    """An input-dependence measure on columns that all vary (at least two of them)."""
    if method == "mi":
        W = _binned_mutual_information(X, n_bins)
    elif method == "spearman2":
        W = np.corrcoef(_column_ranks(X), rowvar=False) ** 2
    else:
        _, exponent = np.frexp(np.abs(X).max(axis=0))
        R = np.corrcoef(np.ldexp(X, -exponent), rowvar=False)  # exact rescaling: no overflow or underflow
        W = np.abs(R) if method == "abs" else R * R
    W = np.clip((W + W.T) / 2, 0.0, None)
    np.fill_diagonal(W, 0.0)
    return W


def _checked_data(X: np.ndarray) -> np.ndarray:
    """``X`` as a finite, C-contiguous 2-D float64 array with at least 3 rows."""
    try:
        X = np.ascontiguousarray(X, dtype=np.float64)  # one memory layout: one summation order, one result
    except (TypeError, ValueError) as err:
        raise InputValidationError("The 'X' parameter of similarity_matrix must be numeric.") from err
    if X.ndim != 2 or X.shape[0] < 3:
        raise InputValidationError(
            f"The 'X' parameter of similarity_matrix must be 2-D with at least 3 rows. Got shape {X.shape} instead."
        )
    if not np.isfinite(X).all():
        i, j = np.argwhere(~np.isfinite(X))[0]
        raise InputValidationError(
            f"The 'X' parameter of similarity_matrix must be finite. Got X[{i}, {j}] = {X[i, j]} instead."
        )
    return X


def _binned_mutual_information(X: np.ndarray, n_bins: int | None) -> np.ndarray:
    """Pairwise mutual information (nats) of equal-frequency binned columns, Miller-Madow corrected.

    Joint histograms come from products of one-hot bin indicators, a block of columns at a time.
    """
    n, p = X.shape
    b = n_bins if n_bins is not None else int(np.clip(round(np.sqrt(n / 5)), 2, 32))
    codes = np.minimum(((_column_ranks(X) - 1) * b / n).astype(np.int64), b - 1)  # (n, p) in [0, b)
    onehot = np.zeros((n, p * b))
    onehot[np.arange(n)[:, None], np.arange(p) * b + codes] = 1.0
    marginal = onehot.sum(axis=0).reshape(p, b) / n  # (p, b)
    used = (marginal > 0).sum(axis=1)  # (p,)
    mi = np.empty((p, p))
    block = max(1, 4_000_000 // (p * b * b))
    for start in range(0, p, block):
        rows = slice(start, min(start + block, p))
        joint = (onehot[:, rows.start * b : rows.stop * b].T @ onehot).reshape(-1, b, p, b) / n
        expected = marginal[rows, :, None, None] * marginal[None, None, :, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(joint > 0, joint * np.log(joint / expected), 0.0)
        occupied = (joint > 0).sum(axis=(1, 3))
        bias = (occupied - used[rows, None] - used[None, :] + 1) / (2 * n)  # Miller-Madow
        mi[rows] = terms.sum(axis=(1, 3)) - bias
    return mi


def _column_ranks(X: np.ndarray) -> np.ndarray:
    """Each column's ranks 1..n, ties sharing their mean rank (``scipy.stats.rankdata(X, axis=0)``, without
    the second scipy.stats takes to import)."""
    return pd.DataFrame(X).rank(axis=0, method="average").to_numpy(dtype=np.float64)
