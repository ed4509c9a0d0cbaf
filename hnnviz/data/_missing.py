"""What to do with missing cells: drop the rows, drop the sparse columns first, or fill the cells.

The rules of :func:`~hnnviz.data.prepare_dataset`'s ``missing=``:

- ``"drop_rows"``: columns missing in more than half of the rows go, then every row with a missing cell;
- ``"drop_sparse_columns"`` (the default): columns missing in more than ``sparse_threshold`` of the rows
  (20%) go first, so that one sparse column does not take whole rows with it; then the rows;
- ``"impute_median"`` and ``"impute_most_frequent"``: columns missing in more than half of the rows go; the
  missing cells of the others are filled with the column's median or most frequent value, computed on the
  training rows (see :func:`~hnnviz.data._leaks.training_rows`; every row when there is no target). No row is
  dropped.

Filling happens here, when the table is loaded, once for every later step; a run does not refit it on its own
training rows (with the default seed its rows are the ones used here).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .._messages import fmt_pct
from ._dataset import Imputation

__all__ = ["MISSING_RULES", "Missing", "column_limit", "impute", "sparse_reason"]

Missing = Literal["drop_rows", "drop_sparse_columns", "impute_median", "impute_most_frequent"]

#: The values of ``missing=``, the default second.
MISSING_RULES: tuple[str, ...] = ("drop_rows", "drop_sparse_columns", "impute_median", "impute_most_frequent")

#: Share of missing cells above which every rule but ``"drop_sparse_columns"`` drops a column.
HALF = 0.5


def column_limit(missing: Missing, sparse_threshold: float) -> float:
    """The share of missing cells above which ``missing`` drops a column.

    Examples
    --------
    >>> column_limit("drop_sparse_columns", 0.2), column_limit("impute_median", 0.2)
    (0.2, 0.5)
    """
    return sparse_threshold if missing == "drop_sparse_columns" else HALF


def sparse_reason(frac: float, limit: float) -> str:
    """Why a column with ``frac`` of its cells missing goes under a limit of ``limit``.

    Examples
    --------
    >>> sparse_reason(0.72, 0.2), sparse_reason(0.245, 0.2)
    ('more than half missing (72%)', 'missing in more than 20% of rows (24.5%)')
    """
    if frac > HALF:
        return f"more than half missing ({fmt_pct(frac)})"
    return f"missing in more than {100 * limit:g}% of rows ({fmt_pct(frac)})"


def impute(X: np.ndarray, names: list[str], rows: np.ndarray, missing: Missing) -> tuple[np.ndarray, list[Imputation]]:
    """Fill the missing cells of ``X`` column by column, with values computed on ``rows``.

    Parameters
    ----------
    X : numpy.ndarray
        Features with NaN (or infinite) cells, shape ``(n_rows, n_features)``.
    names : list of str
        One name per column.
    rows : numpy.ndarray of int
        The rows the median or most frequent value is computed on.
    missing : {"impute_median", "impute_most_frequent"}

    Returns
    -------
    X : numpy.ndarray
        A filled copy.
    imputations : list of Imputation
        One per column that had missing cells. A column with no value on ``rows`` is filled from every row.

    Examples
    --------
    >>> X = np.array([[1.0, 5.0], [np.nan, 5.0], [3.0, np.nan], [4.0, 6.0]])
    >>> filled, done = impute(X, ["a", "b"], np.arange(4), "impute_most_frequent")
    >>> filled[:, 1].tolist(), [str(d) for d in done]
    ([5.0, 5.0, 5.0, 6.0], ["column 'a': 1 missing cell filled with the most frequent value, 1.0", ...])
    """
    strategy: Literal["median", "most_frequent"] = "median" if missing == "impute_median" else "most_frequent"
    X = X.copy()
    done = []
    for j, name in enumerate(names):
        gaps = ~np.isfinite(X[:, j])
        if not gaps.any():
            continue
        known = X[rows, j][np.isfinite(X[rows, j])]
        if known.size == 0:
            known = X[~gaps, j]
        value = float(np.median(known)) if strategy == "median" else _most_frequent(known)
        X[gaps, j] = value
        done.append(Imputation(name, strategy, value, int(gaps.sum())))
    return X, done


def _most_frequent(values: np.ndarray) -> float:
    """The most frequent value; the smallest of those tied."""
    distinct, counts = np.unique(values, return_counts=True)
    return float(distinct[np.argmax(counts)])
