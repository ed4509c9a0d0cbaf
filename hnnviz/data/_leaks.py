"""Features that give the target away: copies of it, monotone transforms of it, or functions of it.

A feature such as ``lsalary`` next to the target ``salary`` makes every model look perfect and every other
feature look useless. :func:`find_leaks` flags a feature when, on the training rows,

- its ranks follow the target's: ``|Spearman| >= LEAK_SPEARMAN`` (log, scaled, rounded or noisy copies), or
- it is a function of the target: one value of the feature for each value of the target, tested on at least
  :data:`MIN_EVIDENCE` rows that share their target value with an earlier row (an encoded copy of a class
  label; a target with no repeated values says nothing here).

Which rows: the Dataset is made before any split, and a check that looks at the test rows chooses features with
them. :func:`training_rows` gives the rows the default split (:class:`hnnviz.specs.TrainConfig`: ``seed=0``,
``test_size=0.2``, stratified by class) keeps for fitting, training and validation, exactly as
``split_rows`` draws them for the final rows and target: the test rows of a run with the default seed never
take part. A run with another seed or test share holds out other rows, some of which this check has seen; it
only compares the ranks of one feature with the target, and what it flags is a copy of the target on any rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._messages import count, quote
from ..specs import TrainConfig
from ._dataset import Task

__all__ = ["LEAK_SPEARMAN", "MIN_EVIDENCE", "find_leaks", "training_rows"]

#: Smallest ``|Spearman|`` between a feature and the target that flags the feature as a leak.
LEAK_SPEARMAN = 0.98

#: Fewest training rows sharing their target value with another row before "a function of the target" is judged.
MIN_EVIDENCE = 20

#: Fewest training rows on which leaks are looked for at all.
MIN_ROWS = 10


def training_rows(y: np.ndarray, task: Task) -> np.ndarray:
    """The rows the default seeded split keeps for fitting (training and validation), sorted.

    The same rows as ``split_rows`` of :class:`hnnviz.specs.TrainConfig`'s defaults leaves outside its test part
    (scikit-learn's ``train_test_split``: a shuffled split, stratified by class for classification), drawn here
    with numpy alone so that loading a table never imports scikit-learn; a test holds the two equal.

    Parameters
    ----------
    y : numpy.ndarray
        The encoded target of the final rows (as in :attr:`Dataset.y`).
    task : {"regression", "classification"}

    Returns
    -------
    numpy.ndarray of int
        Row positions outside the default split's test part. When the classes are too small to stratify, the
        same seeded split without stratification is used (the run's split then fails with its own message).

    Examples
    --------
    >>> training_rows(np.arange(10.0), "regression").tolist()
    [0, 1, 3, 4, 5, 6, 7, 9]
    """
    config = TrainConfig(defaults="hnn")  # the split's sizes and seed are the same for every kind
    n = len(y)
    n_test = math.ceil(config.test_size * n)
    if n_test == 0 or n_test >= n:
        return np.arange(n)
    rng = np.random.RandomState(config.seed)  # as scikit-learn seeds an int random_state
    if task == "classification":
        _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        if counts.min() >= 2 and min(n - n_test, n_test) >= len(counts):
            return np.sort(_stratified_rest(codes, counts, n_test, rng))
    return np.sort(rng.permutation(n)[n_test:])


def _stratified_rest(codes: np.ndarray, counts: np.ndarray, n_test: int, rng: np.random.RandomState) -> np.ndarray:
    """The training part of scikit-learn's ``StratifiedShuffleSplit``, drawing from ``rng`` in the same order."""
    n_train = len(codes) - n_test
    members = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])
    n_fit = _approximate_mode(counts, n_train, rng)
    _approximate_mode(counts - n_fit, n_test, rng)  # the test part's sizes: drawn only to advance rng alike
    return np.concatenate([rows.take(rng.permutation(len(rows)))[:k] for rows, k in zip(members, n_fit, strict=True)])


def _approximate_mode(counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``n_draws`` rows each class gets: its share rounded down, the rest to the largest remainders
    (ties broken at random), as scikit-learn's ``_approximate_mode``."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    remainder = continuous - floored
    for value in np.sort(np.unique(remainder))[::-1]:
        if need <= 0:
            break
        (tied,) = np.where(remainder == value)
        add = min(len(tied), need)
        floored[rng.choice(tied, size=add, replace=False)] += 1
        need -= add
    return floored.astype(int)


def find_leaks(X: np.ndarray, names: list[str], y: np.ndarray, target: str) -> dict[str, str]:
    """The features of ``X`` that give ``y`` away, each with the reason, in column order.

    Parameters
    ----------
    X : numpy.ndarray
        Finite features of the training rows, shape ``(n_rows, n_features)``.
    names : list of str
        One name per column of ``X``.
    y : numpy.ndarray
        The encoded target of the same rows (class codes order the classes as :attr:`Dataset.classes` does).
    target : str
        The target's name, for the reasons.

    Returns
    -------
    dict of str to str
        Feature name to reason, e.g. ``"leaks the target 'salary': Spearman +1.000 with it on 24 training rows"``.
        Empty with fewer than :data:`MIN_ROWS` rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.uniform(1, 9, size=40)
    >>> X = np.column_stack([np.log(y), rng.normal(size=40)])
    >>> find_leaks(X, ["log_y", "noise"], y, "y")
    {'log_y': "leaks the target 'y': Spearman +1.000 with it on 40 training rows"}
    """
    n = X.shape[0]
    if n < MIN_ROWS:
        return {}
    varied = X.min(axis=0) < X.max(axis=0)
    rho = _spearman(X, y)
    function = _function_of(X, y)
    head, rows = f"leaks the target {quote(target)}", count(n, "training row")
    reasons = {}
    for j, name in enumerate(names):
        if not varied[j]:
            continue
        if np.isfinite(rho[j]) and abs(rho[j]) >= LEAK_SPEARMAN:
            reasons[name] = f"{head}: Spearman {rho[j]:+.3f} with it on {rows}"
        elif function[j]:
            reasons[name] = f"{head}: one value for each of its values on {rows}"
    return reasons


def _spearman(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of each column of ``X`` with ``y`` (average ranks for ties; NaN for a constant)."""
    ranks = pd.DataFrame(X).rank().to_numpy(dtype=np.float64)
    ry = pd.Series(y).rank().to_numpy(dtype=np.float64)
    ranks = ranks - ranks.mean(axis=0)
    ry = ry - ry.mean()
    scale = np.sqrt((ranks**2).sum(axis=0) * (ry**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ranks.T @ ry) / scale


def _function_of(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per column of ``X``: one value for each value of ``y``, judged on enough repeated target values."""
    codes = np.unique(y, return_inverse=True)[1]
    if len(y) - codes.max() - 1 < MIN_EVIDENCE:
        return np.zeros(X.shape[1], dtype=bool)
    distinct = pd.DataFrame(X).groupby(codes).nunique()
    return (distinct.max(axis=0) == 1).to_numpy()
