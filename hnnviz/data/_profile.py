"""Column by column: what a table holds, and what the cleaning made of each column and why."""

from __future__ import annotations

import pandas as pd

from ..exceptions import InputValidationError
from ._cleaning import dtype_word
from ._dataset import Dataset
from ._numeric import find_missing, read_numbers

__all__ = ["describe_columns"]


def describe_columns(table: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """One row per column of ``table``: its type, missing and distinct values, and its role in ``dataset``.

    Parameters
    ----------
    table : pandas.DataFrame
        The table as read (e.g. by :func:`~hnnviz.data.read_table`).
    dataset : Dataset
        What :func:`~hnnviz.data.prepare_dataset` made of ``table``.

    Returns
    -------
    pandas.DataFrame
        Columns ``column``, ``type`` (``"integer"``, ``"decimal"``, ``"boolean"``, ``"text"``, ``"date/time"``
        ...), ``missing`` (empty or NaN cells), ``distinct`` (distinct non-missing values), ``role``
        (``"feature"``, ``"target"`` or ``"dropped"``) and ``why`` (the reason a column was dropped, or how
        a kept column was read: e.g. thousands separators, missing-value tokens). A text column counts its
        missing-value tokens (``?``, ``n/a`` ...) as missing, but keeps ``none`` as a value unless its other
        cells are numbers.

    Raises
    ------
    InputValidationError
        If ``table`` is not a DataFrame.

    Examples
    --------
    >>> from hnnviz.data import prepare_dataset
    >>> table = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [None, 1.5, 2.5, 0.5, 1.0], "c": list("xyxyx"), "k": [7] * 5})
    >>> ds = prepare_dataset(table, target="c", min_rows=1, min_features=1)
    >>> print(describe_columns(table, ds)[["column", "type", "missing", "distinct", "role"]].to_string(index=False))
    column    type  missing  distinct    role
         a integer        0         5 feature
         b decimal        1         4 feature
         c    text        0         2  target
         k integer        0         1 dropped
    """
    if not isinstance(table, pd.DataFrame):
        raise InputValidationError(
            f"The 'table' parameter of describe_columns must be a pandas DataFrame. Got {type(table).__name__}."
        )
    features = set(dataset.feature_names)
    reasons = {item.name: item.reason for item in dataset.dropped if item.kind == "column"}
    notes = {note.column: note.text for note in dataset.notes if note.column is not None}
    rows = []
    for name in table.columns:
        column = table[name]
        labels = _is_text(column) and read_numbers(column).values is None
        kept = ~find_missing(column, labels=labels)[0]
        if name in features:
            role, why = "feature", notes.get(str(name), "")
        elif name == dataset.target:
            role, why = "target", "the column to predict" + (f"; {notes[name]}" if name in notes else "")
        else:
            role, why = "dropped", reasons.get(str(name), "not used")
        rows.append(
            {
                "column": str(name),
                "type": _type_word(column),
                "missing": int(len(column) - kept.sum()),
                "distinct": int(column[kept].nunique()),
                "role": role,
                "why": why,
            }
        )
    return pd.DataFrame(rows, columns=["column", "type", "missing", "distinct", "role", "why"])


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(column.dtype) or isinstance(column.dtype, pd.StringDtype)


def _type_word(column: pd.Series) -> str:
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "decimal"
    return dtype_word(dtype)
