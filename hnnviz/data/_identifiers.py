"""Columns that number or name the rows (row numbers, keys, parcel IDs) instead of measuring anything.

An identifier used as a feature is noise at best; at worst it carries the order in which rows were collected
and becomes a top "interaction". It needs only the table to be found, so :func:`find_identifiers` runs when the
table is loaded, on every row (the rows a missing target removes included: they leave gaps in row numbers).

A numeric column is an identifier when

- its name says so (``id``, ``index``, ``rownames``, ``PID``, ``Unnamed: 0``, ``customer_id``, ``PatientID``
  ...) and it holds whole numbers;
- it is complete, holds one distinct value per row, and those values, sorted, go up in one regular step (row
  numbers ``1..n``, ``0..n-1``, or ``10, 20, 30 ...`` in any order);
- it is complete and holds one distinct whole number per row, packed so closely that a measurement over that
  range would repeat a value: the expected number of repeated pairs among ``n`` draws from ``r`` values,
  ``n (n - 1) / (2 r)``, is at least :data:`DENSE_PAIRS` (a chance below 1% that a measurement is that tidy);
- or it is an exact copy of an identifier.

A distinct value per row alone is no evidence: a measured quantity with no pattern (a float, or whole numbers
spread over a wide range such as salaries) stays.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._messages import fmt_value, quote

__all__ = ["DENSE_PAIRS", "MIN_ROWS", "find_identifiers", "identifier_name"]

#: Fewest rows on which the structural checks (regular steps, packed whole numbers) judge a column.
MIN_ROWS = 10

#: Expected repeated pairs above which distinct whole numbers are too tidy to be a measurement (see the module).
DENSE_PAIRS = 5.0

#: Whole names (lower case, separators removed) that say a column numbers the rows.
_NAMES = frozenset(
    {"id", "ids", "idx", "index", "rownames", "rowname", "rownum", "rownumber", "rowid", "row", "pid", "uid", "uuid"}
    | {"unnamed0", "unnamed"}
)


def identifier_name(name: str) -> bool:
    """Whether a column's name says it identifies rows: a known name, or a word ``id`` at either end.

    Examples
    --------
    >>> [identifier_name(n) for n in ("PID", "rownames", "Parcel ID", "PatientID", "Unnamed: 0", "paid", "acid")]
    [True, True, True, True, True, False, False]
    """
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower()
    tokens = re.findall(r"[a-z]+|\d+", words)
    if not tokens:
        return False
    return "".join(tokens) in _NAMES or tokens[0] == "id" or tokens[-1] == "id"


def find_identifiers(table: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """The identifier columns among ``columns`` of ``table``, each with the reason, in table order.

    Parameters
    ----------
    table : pandas.DataFrame
        The whole table as read, every row.
    columns : list of str
        The columns to judge (every column but the target).

    Returns
    -------
    dict of str to str
        Column name to its reason, e.g. ``{"rownames": "identifier: row numbers (1 to 30, one per row)"}``.
        Copies of an identifier are listed with ``"identifier: copy of 'rownames'"``.

    Examples
    --------
    >>> table = pd.DataFrame({"n": range(1, 13), "x": np.linspace(0, 1, 12) ** 2, "PID": [5, 9] * 6})
    >>> find_identifiers(table, ["n", "x", "PID"])
    {'n': 'identifier: row numbers (1 to 12, one per row)', 'PID': "identifier: named like one ('PID')"}
    """
    values = {name: _numeric(table[name]) for name in columns}
    found = {name: why for name, v in values.items() if v is not None and (why := _reason(name, v))}
    reasons = {}
    for name, v in values.items():
        twin = None if v is None or name in found else _twin(v, found, values)
        if name in found or twin is not None:
            reasons[name] = found.get(name) or f"identifier: copy of {quote(twin)}"
    return reasons


def _twin(v: np.ndarray, found: dict[str, str], values: dict[str, np.ndarray | None]) -> str | None:
    """The first identifier of ``found`` whose values equal ``v``, else ``None``."""
    return next((name for name in found if np.array_equal(values[name], v, equal_nan=True)), None)


def _numeric(column: pd.Series) -> np.ndarray | None:
    """The column as float64 if its type is numeric (booleans are not), else ``None``."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return None
    if pd.api.types.is_complex_dtype(dtype):
        return None
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def _reason(name: str, values: np.ndarray) -> str:
    """Why the column is an identifier, or ``""``."""
    present = values[np.isfinite(values)]
    whole = present.size > 0 and bool(np.all(present == np.round(present)))
    complete = present.size == values.size >= MIN_ROWS
    if complete and len(np.unique(values)) == values.size:
        steps = np.diff(np.sort(values))
        if np.allclose(steps, steps[0], rtol=1e-9, atol=0.0):
            return _steps_reason(values, float(steps[0]))
        span = float(values.max() - values.min()) + 1.0
        if whole and values.size * (values.size - 1) / (2.0 * span) >= DENSE_PAIRS:
            low, high = fmt_value(int(values.min())), fmt_value(int(values.max()))
            return f"identifier: a different whole number in every row, packed close ({low} to {high})"
    if whole and identifier_name(name):
        return f"identifier: named like one ({quote(name)})"
    return ""


def _steps_reason(values: np.ndarray, step: float) -> str:
    """``"identifier: row numbers (1 to 30, one per row)"`` or ``"identifier: regular steps (0.5 apart, ...)"``."""
    low, high = _number(values.min()), _number(values.max())
    in_order = bool(np.all(np.diff(values) > 0))
    if step == 1.0 and in_order and values[0] in (0.0, 1.0):
        return f"identifier: row numbers ({low} to {high}, one per row)"
    return f"identifier: regular steps ({_number(step)} apart, {low} to {high}, one value per row)"


def _number(value: float) -> str:
    return fmt_value(int(value)) if float(value).is_integer() else fmt_value(float(value))
