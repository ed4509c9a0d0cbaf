"""The cleaned data set every later stage uses, and the record of what was dropped on the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._messages import clip, count, examples, quote
from ..exceptions import InputValidationError

__all__ = ["Check", "Dataset", "DroppedItem", "Encoding", "Flag", "Imputation", "ReadNote", "Task", "feature_columns"]

Task = Literal["regression", "classification"]

#: The checks whose drops ``keep=`` can undo: identifiers, leaks of the target, sparse columns.
Check = Literal["identifier", "leak", "sparse"]


@dataclass(frozen=True)
class DroppedItem:
    """One column, or one group of rows, that :func:`prepare_dataset` removed.

    Parameters
    ----------
    kind : {"column", "rows"}
        What was dropped.
    name : str
        The column name, or a short description of the rows (e.g. ``"rows with missing values"``).
    reason : str
        Why, specific and human readable, e.g. ``"constant (every value is 3.0)"``.
    count : int
        Rows affected; 1 for a column.

    Examples
    --------
    >>> item = DroppedItem("column", "b", "constant (every value is 3.0)", 1)
    >>> str(item)
    "column 'b': constant (every value is 3.0)"
    """

    kind: Literal["column", "rows"]
    name: str
    reason: str
    count: int = 1

    def __str__(self) -> str:
        if self.kind == "column":
            return f"column {quote(self.name)}: {self.reason}"
        return f"{self.count} {self.name}: {self.reason}"


@dataclass(frozen=True)
class ReadNote:
    """Something the loader read differently from how it is written, or a choice it made for the user.

    For example numbers written with thousands separators or decimal commas, missing-value tokens such as
    ``?`` or ``n/a``, or the sheet it read from a workbook of several.

    Parameters
    ----------
    column : str or None
        The column it is about; ``None`` for the whole table.
    text : str
        What was done, one short line, e.g. ``"read '18,613.6' as 18613.6 (thousands separators, 57 cells)"``.

    Examples
    --------
    >>> str(ReadNote("price", "read '18,613.6' as 18613.6 (thousands separators, 57 cells)"))
    "column 'price': read '18,613.6' as 18613.6 (thousands separators, 57 cells)"
    """

    column: str | None
    text: str

    def __str__(self) -> str:
        return self.text if self.column is None else f"column {quote(self.column)}: {self.text}"


@dataclass(frozen=True)
class Flag:
    """A column a check leaves out by default, and whether the user kept it anyway (``keep=``).

    Parameters
    ----------
    column : str
        The column.
    check : {"identifier", "leak", "sparse"}
        What flagged it: it numbers or names the rows, it is a copy or transform of the target, or too many of
        its cells are missing.
    reason : str
        Why, in plain words, e.g. ``"identifier: row numbers (1 to 30, one per row)"``.
    kept : bool, default False
        The user asked to keep it: it is a feature, and :attr:`Dataset.dropped` does not list it.

    Examples
    --------
    >>> str(Flag("rownames", "identifier", "identifier: row numbers (1 to 30, one per row)"))
    "column 'rownames': identifier: row numbers (1 to 30, one per row); left out"
    """

    column: str
    check: Check
    reason: str
    kept: bool = False

    def __str__(self) -> str:
        return f"column {quote(self.column)}: {self.reason}; {'kept on request' if self.kept else 'left out'}"


@dataclass(frozen=True)
class Encoding:
    """A text column of two values read as a 0/1 feature.

    Parameters
    ----------
    column : str
        The column.
    levels : tuple of (str, str)
        The two values as written: ``levels[0]`` reads as 0, ``levels[1]`` as 1 (alphabetical order, so
        ``no``/``yes`` and ``false``/``true`` read as 0/1).

    Examples
    --------
    >>> str(Encoding("sex", ("f", "m")))
    "column 'sex': 'f' as 0, 'm' as 1"
    """

    column: str
    levels: tuple[str, str]

    def __str__(self) -> str:
        return f"column {quote(self.column)}: {quote(self.levels[0])} as 0, {quote(self.levels[1])} as 1"


@dataclass(frozen=True)
class Imputation:
    """Missing cells of one column filled with one value.

    Parameters
    ----------
    column : str
        The column.
    strategy : {"median", "most_frequent"}
        How the value was chosen, from the rows named in :func:`~hnnviz.data.prepare_dataset`'s notes.
    value : float
        The value written into every missing cell.
    count : int
        How many cells were filled.

    Examples
    --------
    >>> str(Imputation("bmi", "median", 26.5, 12))
    "column 'bmi': 12 missing cells filled with the median, 26.5"
    """

    column: str
    strategy: Literal["median", "most_frequent"]
    value: float
    count: int

    def __str__(self) -> str:
        how = "the median" if self.strategy == "median" else "the most frequent value"
        cells = count(self.count, "missing cell")
        return f"column {quote(self.column)}: {cells} filled with {how}, {quote(self.value)}"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A clean numeric data set: finite features, an optional encoded target, and what was dropped.

    Parameters
    ----------
    X : numpy.ndarray
        Features, float64, shape ``(n_rows, n_features)``, all finite.
    feature_names : tuple of str
        One name per column of ``X``.
    y : numpy.ndarray or None
        Target, shape ``(n_rows,)``: float64 for regression, int64 class codes ``0..K-1`` for
        classification, ``None`` when there is no target.
    target : str or None
        Name of the target column.
    task : {"regression", "classification"} or None
        What ``y`` is for.
    classes : tuple or None
        Class labels in sorted order for classification (``y == k`` means ``classes[k]``), else ``None``.
    dropped : tuple of DroppedItem
        Every column or group of rows removed, in the order it happened.
    name : str
        A label for display (e.g. the file stem).
    notes : tuple of ReadNote
        What was read differently from how it is written (number formats, missing-value tokens, two-valued
        text) and choices made for the user (the sheet of a workbook, filled cells, flagged columns kept).
    flags : tuple of Flag
        Columns the identifier, leak and sparse-column checks flagged, kept on request or left out.
    encodings : tuple of Encoding
        Text columns of two values read as 0/1 features.
    imputations : tuple of Imputation
        Columns whose missing cells were filled.

    Attributes
    ----------
    n_rows : int
        Number of rows of ``X``.
    n_features : int
        Number of columns of ``X``.

    Raises
    ------
    InputValidationError
        If the shapes or fields do not agree with each other.

    Examples
    --------
    >>> import numpy as np
    >>> ds = Dataset(X=np.zeros((3, 2)), feature_names=("a", "b"), name="toy")
    >>> ds.n_rows, ds.n_features
    (3, 2)
    >>> ds.summary()
    'toy: 3 rows x 2 features; no target; nothing dropped'
    """

    X: np.ndarray
    feature_names: tuple[str, ...]
    y: np.ndarray | None = None
    target: str | None = None
    task: Task | None = None
    classes: tuple[Any, ...] | None = None
    dropped: tuple[DroppedItem, ...] = ()
    name: str = ""
    notes: tuple[ReadNote, ...] = ()
    flags: tuple[Flag, ...] = ()
    encodings: tuple[Encoding, ...] = ()
    imputations: tuple[Imputation, ...] = ()

    def __post_init__(self) -> None:
        X = self.X
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            raise InputValidationError(f"Dataset.X must be a 2-D numpy array. Got {type(X).__name__} instead.")
        if len(self.feature_names) != X.shape[1]:
            raise InputValidationError(
                f"Dataset has {X.shape[1]} feature columns but {len(self.feature_names)} feature names."
            )
        if self.y is not None and (self.y.ndim != 1 or self.y.shape[0] != X.shape[0]):
            raise InputValidationError(f"Dataset.y must have shape ({X.shape[0]},). Got shape {self.y.shape} instead.")
        if (self.y is None) != (self.task is None):
            raise InputValidationError("Dataset.y and Dataset.task must be both set or both None.")
        if (self.task == "classification") != (self.classes is not None):
            raise InputValidationError("Dataset.classes must be set exactly when the task is classification.")

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return int(self.X.shape[1])

    def summary(self) -> str:
        """Return a one-line description: size, target, task and how much was dropped."""
        head = f"{self.name}: " if self.name else ""
        if self.target is None:
            target = "no target"
        elif self.task == "classification":
            target = f"target {self.target!r} (classification, {len(self.classes or ())} classes)"
        else:
            target = f"target {self.target!r} ({self.task})"
        size = f"{self.n_rows} rows x {self.n_features} features"
        return f"{head}{size}; {target}; {_dropped_summary(self.dropped)}"


def _dropped_summary(dropped: tuple[DroppedItem, ...]) -> str:
    n_cols = sum(1 for d in dropped if d.kind == "column")
    n_rows = sum(d.count for d in dropped if d.kind == "rows")
    parts = []
    if n_cols:
        parts.append(f"{n_cols} column{'s' if n_cols != 1 else ''}")
    if n_rows:
        parts.append(f"{n_rows} row{'s' if n_rows != 1 else ''}")
    return "dropped " + " and ".join(parts) if parts else "nothing dropped"


def feature_columns(dataset: Dataset, names: tuple[str, ...] | list[str]) -> np.ndarray:
    """The columns of ``dataset.X`` named ``names``, in that order (e.g. the features a saved model expects).

    Raises
    ------
    InputValidationError
        If a named feature is missing (absent from the file, or dropped by the loader: the reason is given).

    Examples
    --------
    >>> import pandas as pd
    >>> from hnnviz.data import prepare_dataset
    >>> ds = prepare_dataset(pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 2]}), min_rows=1, min_features=1)
    >>> feature_columns(ds, ["b", "a"]).tolist()
    [[3.0, 1.0], [1.0, 2.0], [2.0, 3.0]]
    """
    position = {name: i for i, name in enumerate(dataset.feature_names)}
    missing = [name for name in names if name not in position]
    if missing:
        reasons = {item.name: item.reason for item in dataset.dropped if item.kind == "column"}
        first = next((n for n in missing if n in reasons), None)
        why = f" ({quote(first)} was dropped: {clip(reasons[first], 100)})" if first is not None else ""
        raise InputValidationError(
            f"The data lacks {len(missing)} feature(s) the model needs: {examples(missing)}{why}."
        )
    return dataset.X[:, [position[name] for name in names]]
