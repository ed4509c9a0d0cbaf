"""How strongly each pair of features acts together on the target: the similarity ``"interaction"``.

An input-dependence measure (Pearson, mutual information ...) finds interacting features only when they are
also correlated; with independent inputs its cliques are chance (SPEC §10). These estimators read the target:

============  ===========================================================================================
``"hessian"`` a pilot network's expected absolute Hessian ``E|d²f/dx_i dx_j|`` (Janizek et al. 2021): a
              small tanh MLP (scikit-learn) fitted to the target, its exact Hessian formed per row from its
              low-rank factors (no autograd, no torch), the absolute values averaged over rows
``"fast"``    a pairwise test on an additive model's residuals in the style of EBM's FAST (Lou et al. 2013):
              how much of the residual variance the best four-quadrant step function of the pair explains
============  ===========================================================================================

Both read only the rows they are given (the pipeline gives them the training rows of a split), are seeded,
and return a matrix that is symmetric, non-negative, finite, with a zero diagonal, scaled so that its largest
entry is 1 (0 everywhere when nothing interacts). ``benchmarks/bench_interaction.py`` compares them
(``benchmarks/results_interaction.md``): ``"hessian"`` is the default.

The estimators are numpy and scikit-learn only, so the network stage needs no model-stage code and no torch.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np

from .._validation import check_in, check_seed
from ..exceptions import InputValidationError
from ..specs import TASKS

__all__ = ["INTERACTION_ESTIMATORS", "interaction_matrix"]

InteractionEstimator = Literal["hessian", "fast"]
INTERACTION_ESTIMATORS: tuple[str, ...] = ("hessian", "fast")

#: Rows the pilot network is fitted on (a seeded sample of them when there are more).
_PILOT_ROWS = 5000
#: Hidden widths of the pilot network.
_PILOT_WIDTHS = (64, 32)
#: Upper bound on the floating-point work of the Hessians (rows x p² x rank): the rows averaged over shrink
#: with p so that p = 500 stays within seconds.
_HESSIAN_BUDGET = 1.5e9
_HESSIAN_ROWS = 1000
_MIN_HESSIAN_ROWS = 100
#: Fewer rows than this fit the pilot without early stopping (its validation part would be too small).
_MIN_EARLY_STOPPING_ROWS = 200
#: Quantile bins per feature of the ``"fast"`` estimator.
_FAST_BINS = 8
_BACKFIT_ROUNDS = 5


def interaction_matrix(
    X: np.ndarray,
    y: np.ndarray,
    task: str,
    *,
    estimator: InteractionEstimator = "hessian",
    seed: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """Strength with which each pair of columns of ``X`` acts together on ``y``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Finite data whose columns all vary (:func:`hnnviz.network.similarity_matrix` removes constant ones).
    y : ndarray of shape (n,)
        The target of the same rows: numbers for regression, class labels for classification.
    task : {"regression", "classification"}
    estimator : {"hessian", "fast"}, default "hessian"
        See the module docstring.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the random draws: an int seeds a new generator, a ``Generator`` is used (and advanced) as
        it is, ``None`` draws fresh entropy. The global random state is never touched.

    Returns
    -------
    ndarray of shape (p, p)
        Symmetric, non-negative, finite, zero diagonal, largest entry 1 (all 0 if no pair interacts, or the
        target takes a single value).

    Raises
    ------
    InputValidationError
        For an unknown task or estimator, a ``y`` that is not one value per row, or a non-finite
        regression target.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(600, 4))
    >>> y = X[:, 0] * X[:, 1] + X[:, 2]
    >>> W = interaction_matrix(X, y, "regression", estimator="fast")
    >>> [int(i) for i in np.unravel_index(W.argmax(), W.shape)]
    [0, 1]
    """
    owner = "interaction_matrix"
    check_in(task, TASKS, name="task", owner=owner)
    check_in(estimator, INTERACTION_ESTIMATORS, name="estimator", owner=owner)
    y = _checked_target(y, len(X), task, owner)
    rng = check_seed(seed, owner=owner)
    p = X.shape[1]
    if len(np.unique(y)) < 2:  # a constant target: nothing acts on it
        return np.zeros((p, p))
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    W = _hessian_scores(Z, y, task, rng) if estimator == "hessian" else _fast_scores(Z, _residual_target(y, task))
    W = np.nan_to_num(np.clip((W + W.T) / 2, 0.0, None), nan=0.0, posinf=0.0)
    np.fill_diagonal(W, 0.0)
    top = W.max(initial=0.0)
    return W / top if top > 0 else W


def _checked_target(y: np.ndarray, n: int, task: str, owner: str) -> np.ndarray:
    """``y`` as a 1-D array of ``n`` values, finite floats for regression."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise InputValidationError(
            f"The 'y' parameter of {owner} must hold one value per row of X ({n}). Got shape {y.shape} instead."
        )
    if task == "classification":
        return y
    try:
        y = y.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise InputValidationError(f"The 'y' parameter of {owner} must be numeric for regression.") from err
    if not np.isfinite(y).all():
        raise InputValidationError(f"The 'y' parameter of {owner} must be finite. Got a NaN or infinite value instead.")
    return y


# --------------------------------------------------------------------------------------------------------
# "hessian": a pilot network's expected absolute Hessian
# --------------------------------------------------------------------------------------------------------


def _hessian_scores(Z: np.ndarray, y: np.ndarray, task: str, rng: np.random.Generator) -> np.ndarray:
    """Mean over rows (and outputs) of ``|H|`` of a pilot tanh network fitted to ``y`` on standardised ``Z``."""
    fit_rows = _sample(len(Z), _PILOT_ROWS, rng)
    coefs, intercepts = _pilot_network(Z[fit_rows], y[fit_rows], task, int(rng.integers(2**31 - 1)))
    p, rank = Z.shape[1], sum(_PILOT_WIDTHS)
    n_rows = int(np.clip(_HESSIAN_BUDGET / (p * p * rank), _MIN_HESSIAN_ROWS, _HESSIAN_ROWS))
    rows = _sample(len(Z), n_rows, rng)
    total = np.zeros((p, p), dtype=np.float32)
    for start in range(0, len(rows), 32):
        total += _absolute_hessians(Z[rows[start : start + 32]], coefs, intercepts)
    return total.astype(np.float64) / len(rows)


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` sorted row indices drawn without replacement (all rows when there are no more)."""
    return np.arange(n) if n <= size else np.sort(rng.choice(n, size=size, replace=False))


def _pilot_network(Z: np.ndarray, y: np.ndarray, task: str, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and biases of a two-hidden-layer tanh MLP fitted to ``y`` (standardised for regression)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    options = {
        "hidden_layer_sizes": _PILOT_WIDTHS, "activation": "tanh", "alpha": 1e-4, "batch_size": min(64, len(y)),
        "learning_rate_init": 3e-3, "max_iter": 100, "n_iter_no_change": 10, "random_state": seed,
        # a validation part of its own only where every class can have rows in it
        "early_stopping": len(y) >= _MIN_EARLY_STOPPING_ROWS
        and (task == "regression" or np.unique(y, return_counts=True)[1].min() >= 10),
    }  # fmt: skip
    if task == "regression":
        pilot = MLPRegressor(**options)
        target = (y - y.mean()) / (y.std() or 1.0)
    else:
        pilot, target = MLPClassifier(**options), y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pilot.fit(Z, target)
    return pilot.coefs_, pilot.intercepts_


def _absolute_hessians(Z: np.ndarray, coefs: list[np.ndarray], intercepts: list[np.ndarray]) -> np.ndarray:
    """Sum over the rows of ``Z`` and the outputs of ``|H|``, the Hessian of each output (logit) in ``x``.

    With ``t1 = tanh(z1)``, ``z1 = x C1 + b1``, ``t2 = tanh(z2)``, ``z2 = t1 C2 + b2`` and output
    ``o = t2 C3 + b3``: ``H = C1 diag(tanh''(z1) * g1) C1' + B' diag(tanh''(z2) * C3[:, o]) B``, where
    ``g1 = C2 (tanh'(z2) * C3[:, o])`` and ``B = (C1 diag(tanh'(z1)) C2)'``: a sum of ``K1 + K2`` rank-one
    terms, formed per row in ``O(p² (K1 + K2))``.
    """
    C1, C2, C3 = (c.astype(np.float32) for c in coefs)
    t1 = np.tanh(Z.astype(np.float32) @ C1 + intercepts[0].astype(np.float32))  # (m, K1)
    t2 = np.tanh(t1 @ C2 + intercepts[1].astype(np.float32))  # (m, K2)
    d1, d2 = 1 - t1 * t1, 1 - t2 * t2  # tanh'
    B = np.einsum("pk,mk,kl->mpl", C1, d1, C2)  # (m, p, K2): d z2 / d x
    U = np.concatenate([np.broadcast_to(C1, (len(Z), *C1.shape)), B], axis=2)  # (m, p, K1 + K2)
    total = np.zeros((C1.shape[0], C1.shape[0]), dtype=np.float32)
    for out in range(C3.shape[1]):
        g1 = (d2 * C3[:, out]) @ C2.T  # (m, K1): d o / d t1
        weights = np.concatenate([-2 * t1 * d1 * g1, -2 * t2 * d2 * C3[:, out]], axis=1)  # tanh'' times the rest
        total += np.abs(np.matmul(U * weights[:, None, :], U.transpose(0, 2, 1))).sum(axis=0)
    return total


# --------------------------------------------------------------------------------------------------------
# "fast": four-quadrant step functions on an additive model's residuals
# --------------------------------------------------------------------------------------------------------


def _residual_target(y: np.ndarray, task: str) -> np.ndarray:
    """A numeric target to fit additively: ``y`` standardised, or one-hot class indicators (one column each)."""
    if task == "regression":
        return ((y - y.mean()) / (y.std() or 1.0))[:, None]
    classes, codes = np.unique(y, return_inverse=True)
    return np.eye(len(classes))[codes] - np.bincount(codes, minlength=len(classes)) / len(y)


def _fast_scores(Z: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per pair, the residual sum of squares the best four-quadrant split removes, summed over columns of ``T``.

    The additive model is a per-feature step function on ``_FAST_BINS`` quantile bins fitted by backfitting;
    per pair, the residual sums and counts of the joint bins give every split's four quadrants by cumulative
    sums, as FAST does.
    """
    n, p = Z.shape
    b = _FAST_BINS
    ranks = Z.argsort(axis=0).argsort(axis=0)
    codes = ranks * b // n  # (n, p) equal-frequency bins in [0, b)
    onehot = np.zeros((n, p * b), dtype=np.float32)
    onehot[np.arange(n)[:, None], np.arange(p) * b + codes] = 1.0
    counts = (onehot.T @ onehot).reshape(p, b, p, b).transpose(0, 2, 1, 3)  # (p, p, b, b)
    scores = np.zeros((p, p))
    for column in T.T:
        residual = _backfit_residual(column, codes, b)
        sums = ((onehot * residual[:, None].astype(np.float32)).T @ onehot).reshape(p, b, p, b).transpose(0, 2, 1, 3)
        scores += _best_quadrant_gain(sums.astype(np.float64), counts.astype(np.float64))
    return scores


def _backfit_residual(t: np.ndarray, codes: np.ndarray, b: int) -> np.ndarray:
    """Residual of ``t`` after an additive model of one step function per feature (bins ``codes``)."""
    residual = t - t.mean()
    for _ in range(_BACKFIT_ROUNDS):
        for column in codes.T:
            means = np.bincount(column, residual, minlength=b) / np.maximum(np.bincount(column, minlength=b), 1)
            residual = residual - means[column]
    return residual


def _best_quadrant_gain(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Max over cuts ``(c_i, c_j)`` of ``sum over the four quadrants of S² / N``: (p, p, b, b) -> (p, p)."""
    S = sums.cumsum(axis=2).cumsum(axis=3)  # S[..., a, c] = sum over bins <= a, <= c
    N = counts.cumsum(axis=2).cumsum(axis=3)
    total_S, total_N = S[..., -1:, -1:], N[..., -1:, -1:]
    row_S, row_N = S[..., :-1, -1:], N[..., :-1, -1:]  # bins <= a, every c
    col_S, col_N = S[..., -1:, :-1], N[..., -1:, :-1]
    low_S, low_N = S[..., :-1, :-1], N[..., :-1, :-1]
    quadrants = (
        (low_S, low_N),
        (row_S - low_S, row_N - low_N),
        (col_S - low_S, col_N - low_N),
        (total_S - row_S - col_S + low_S, total_N - row_N - col_N + low_N),
    )
    gain = sum(s * s / np.maximum(c, 1) for s, c in quadrants)
    return gain.max(axis=(2, 3))
