"""Keep the finite numeric features of a table, encode the target, and report everything dropped.

Nothing is dropped silently: an IFN needs finite, non-constant, distinct columns (a constant column has no
correlation, see SPEC §2 and §6), so those are removed here, before any similarity is computed, and each
removal is reported with a specific reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._messages import count, examples, fit, join_or, listed, plural, quote
from .._validation import check_in, check_int, check_number
from ..exceptions import InputValidationError, TooFewFeaturesError, TooFewRowsError
from ._dataset import Check, Dataset, DroppedItem, Encoding, Flag, Imputation, ReadNote, Task
from ._identifiers import find_identifiers
from ._leaks import find_leaks, training_rows
from ._missing import MISSING_RULES, Missing, column_limit, impute, sparse_reason
from ._numeric import NumericReading, find_missing, read_numbers, read_two_levels, tokens_text
from ._reading import TABLE_DELIMITER, TABLE_NOTES, Source, check_unique_names, read_source_name, read_table

__all__ = ["load_dataset", "prepare_dataset"]

_TASKS = ("regression", "classification")


_MAX_CLASSES_INFERRED = 20


@dataclass
class _Log:
    """Everything :func:`prepare_dataset` records on the way, in the order it happens."""

    notes: list[ReadNote]
    dropped: list[DroppedItem] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    encodings: list[Encoding] = field(default_factory=list)
    imputations: list[Imputation] = field(default_factory=list)

    def flag(self, found: dict[str, str], check: Check, keep: frozenset[str]) -> list[str]:
        """Record the columns a check flagged (``found``: name to reason); return those left out."""
        out = []
        for column, reason in found.items():
            kept = column in keep
            self.flags.append(Flag(column, check, reason, kept))
            if kept:
                self.notes.append(ReadNote(column, f"kept on request, though flagged: {reason}"))
            else:
                self.dropped.append(DroppedItem("column", column, reason))
                out.append(column)
        return out


def prepare_dataset(
    df: pd.DataFrame,
    *,
    target: str | None = None,
    task: Task | None = None,
    name: str = "",
    min_rows: int = 10,
    min_features: int = 4,
    drop_uninformative: bool = True,
    missing: Missing = "drop_sparse_columns",
    sparse_threshold: float = 0.2,
    keep: Collection[str] = (),
) -> Dataset:
    """Keep the finite numeric features of ``df``, encode the target, and report everything dropped.

    Steps, in order (each removal becomes a :class:`DroppedItem`; each column the identifier, leak and sparse
    checks flag also becomes a :class:`Flag`, kept when ``keep`` names it):

    1. identifiers are dropped: row numbers, keys and their copies (see :mod:`hnnviz.data._identifiers`),
       judged on every row of the table;
    2. rows whose target is missing (NaN, infinite, empty or a missing-value token such as ``?`` or ``n/a``)
       are dropped;
    3. every other column is a candidate feature: a text (or category) column of two values becomes 0/1 (see
       :attr:`Dataset.encodings`); other non-numeric columns (text, category, datetime) are dropped with an
       example value. A text column is numeric when every cell is a number or missing (see
       :mod:`hnnviz.data._numeric`: missing-value tokens, thousands separators and decimal commas are read and
       reported in :attr:`Dataset.notes`); booleans become 0/1;
    4. missing cells are handled as ``missing`` says (see :mod:`hnnviz.data._missing`): sparse columns are
       dropped, then either the rows with a missing cell are dropped, naming the columns responsible, or the
       cells are filled;
    5. features that leak the target (copies, monotone transforms or functions of it; see
       :mod:`hnnviz.data._leaks`) are dropped, judged on the rows the default seeded split keeps for fitting;
    6. constant columns are dropped, then exact duplicates of an earlier kept column.

    Steps 1, 5 and 6 run only when ``drop_uninformative`` is True.

    Parameters
    ----------
    df : pandas.DataFrame
        The table, e.g. from :func:`read_table`.
    target : str, optional
        Name of the target column. ``None`` keeps every column as a feature (no supervised task).
    task : {"regression", "classification"}, optional
        Overrides the inferred task. Inference: a non-numeric or boolean target means classification; an
        integer-valued numeric target with at most 20 distinct values means classification; anything else
        means regression.
    name : str, default ""
        Label stored in the result.
    min_rows : int, default 10
        Fewest usable rows accepted.
    min_features : int, default 4
        Fewest usable features accepted (a TMFG needs 4).
    drop_uninformative : bool, default True
        Whether steps 1, 5 and 6 run. Pass False to keep identifiers, leaks, constant and duplicate columns,
        e.g. for the rows a saved model explains: its features are already chosen, and with one or a few rows
        every column looks constant.
    missing : {"drop_sparse_columns", "drop_rows", "impute_median", "impute_most_frequent"}, \
default "drop_sparse_columns"
        What to do with missing cells: drop the columns missing in more than ``sparse_threshold`` of the rows,
        then the rows with a missing cell; drop the columns more than half missing, then the rows (the rule
        before there was a choice); or drop the columns more than half missing and fill the other cells
        with the column's median or most frequent value on the training rows.
    sparse_threshold : float, default 0.2
        ``"drop_sparse_columns"`` only: the share of missing cells above which a column is dropped.
    keep : collection of str, default ()
        Columns to keep as features although a check flags them (an identifier, a leak of the target, a
        sparse column); each stays listed in :attr:`Dataset.flags` with ``kept=True``.

    Returns
    -------
    Dataset
        ``X`` float64 and finite; ``y`` float64 (regression) or int64 codes into ``classes``
        (classification); ``notes`` say what was read differently from how it is written.

    Raises
    ------
    InputValidationError
        If ``df`` is not a DataFrame, an argument is invalid, the target column (or a column of ``keep``)
        does not exist (close matches are suggested), the target is constant, ``task="regression"`` is asked
        for a non-numeric target, or a class has fewer than 2 rows.
    DataFormatError
        If ``df`` has duplicate column names.
    TooFewFeaturesError
        If fewer than ``min_features`` features remain; the message lists what was dropped and why.
    TooFewRowsError
        If fewer than ``min_rows`` rows remain.

    Notes
    -----
    A text target keeps ``none``/``None`` as a class label (as in none/mild/severe); the other missing-value
    tokens are missing there too. A table from :func:`read_table` carries its delimiter and notes in
    ``df.attrs``: the delimiter decides numbers such as ``1,234`` (see :mod:`hnnviz.data._numeric`).
    Every message is one line of at most 300 characters; long lists are cut with a count of the rest.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 4.0, 8.0], "b": [3.0] * 4, "c": [0.5, 0.1, 0.2, 0.3]})
    >>> ds = prepare_dataset(df, min_rows=4, min_features=2)
    >>> ds.feature_names
    ('a', 'c')
    >>> print(ds.dropped[0])
    column 'b': constant (every value is 3.0)
    >>> df["label"] = ["cat", "dog", "cat", "dog"]
    >>> ds = prepare_dataset(df, target="label", min_rows=4, min_features=2)
    >>> ds.task, ds.classes, ds.y.tolist()
    ('classification', ('cat', 'dog'), [0, 1, 0, 1])
    """
    owner = "prepare_dataset"
    if not isinstance(df, pd.DataFrame):
        raise InputValidationError(
            f"The 'df' parameter of {owner} must be a pandas DataFrame. Got {type(df).__name__} instead."
        )
    check_in(task, (None, *_TASKS), name="task", owner=owner)
    check_in(drop_uninformative, (True, False), name="drop_uninformative", owner=owner)
    check_in(missing, MISSING_RULES, name="missing", owner=owner)
    sparse_threshold = check_number(sparse_threshold, name="sparse_threshold", owner=owner, low=0, high=1)
    min_rows = check_int(min_rows, name="min_rows", owner=owner, low=1)
    min_features = check_int(min_features, name="min_features", owner=owner, low=1)
    columns = [str(c) for c in df.columns]
    check_unique_names(columns, quote(name) if name else "the table")
    delimiter = df.attrs.get(TABLE_DELIMITER)
    log = _Log(notes=[ReadNote(None, str(text)) for text in df.attrs.get(TABLE_NOTES, ())])
    df = df.set_axis(columns, axis=1).reset_index(drop=True)  # row labels = positions in the input
    if target is not None:
        target = _check_target_name(target, columns)
    kept = _check_keep(keep, columns, target)
    if drop_uninformative:
        found = find_identifiers(df, [c for c in columns if c != target])
        df = df.drop(columns=log.flag(found, "identifier", kept))

    y_raw, y_kind = None, ""
    if target is not None:
        df, y_raw, y_kind = _take_target(df, target, task, delimiter, log.dropped, log.notes)
    features = df.drop(columns=[target]) if target is not None else df
    limit = column_limit(missing, sparse_threshold)
    drop_rows = missing.startswith("drop")
    X, names, row_keep = _clean_features(features, delimiter, log, limit=limit, keep=kept, drop_rows=drop_rows)
    _check_rows(X, log.dropped, min_rows)

    y, resolved_task, classes = None, None, None
    if target is not None and y_raw is not None:
        y, resolved_task, classes = _encode_target(y_raw.loc[row_keep], y_kind, target, task)
    rows = training_rows(y, resolved_task) if y is not None and resolved_task is not None else np.arange(len(X))
    if missing.startswith("impute"):
        X = _fill(X, names, rows, missing, log)
    if drop_uninformative and y is not None and target is not None:
        out = log.flag(find_leaks(X[rows], names, y[rows], target), "leak", kept)
        X, names = _without(X, names, out)
    keep_cols = _informative_columns(X, names, log.dropped) if drop_uninformative else list(range(len(names)))
    X = np.ascontiguousarray(X[:, keep_cols], dtype=np.float64)
    names = [names[j] for j in keep_cols]
    _check_features(names, log.dropped, min_features)
    return Dataset(
        X=X,
        feature_names=tuple(names),
        y=y,
        target=target,
        task=resolved_task,
        classes=classes,
        dropped=tuple(log.dropped),
        name=name,
        notes=tuple(log.notes),
        flags=tuple(log.flags),
        encodings=tuple(log.encodings),
        imputations=tuple(log.imputations),
    )


def _check_keep(keep: Any, columns: list[str], target: str | None) -> frozenset[str]:
    """``keep`` as a set of column names of the table, none of them the target."""
    owner = "prepare_dataset"
    if isinstance(keep, str) or not isinstance(keep, Collection) or not all(isinstance(k, str) for k in keep):
        raise InputValidationError(
            f"The 'keep' parameter of {owner} must be a list of column names. Got {quote(keep)} instead."
        )
    unknown = [k for k in keep if k not in columns]
    if unknown:
        close = difflib.get_close_matches(unknown[0], columns, n=1, cutoff=0.6) if len(columns) <= 5000 else []
        hint = f" Did you mean {quote(close[0])}?" if close else ""
        raise InputValidationError(
            f"The 'keep' parameter of {owner} names {len(unknown)} column(s) the table lacks: "
            f"{examples(unknown)}.{hint}"
        )
    if target is not None and target in keep:
        raise InputValidationError(
            f"The 'keep' parameter of {owner} names the target {quote(target)}: the target is never a feature."
        )
    return frozenset(keep)


def _fill(X: np.ndarray, names: list[str], rows: np.ndarray, missing: Missing, log: _Log) -> np.ndarray:
    """Fill the missing cells of ``X`` (see :func:`~hnnviz.data._missing.impute`), with a note per column."""
    X, done = impute(X, names, rows, missing)
    log.imputations += done
    where = "the training rows" if len(rows) < len(X) else "every row"
    for item in done:
        how = "median" if item.strategy == "median" else "most frequent value"
        text = f"filled {count(item.count, 'missing cell')} with the {how} of {where}, {quote(item.value)}"
        log.notes.append(ReadNote(item.column, text))
    return X


def _without(X: np.ndarray, names: list[str], out: list[str]) -> tuple[np.ndarray, list[str]]:
    """``X`` and ``names`` without the columns named in ``out``."""
    keep = [j for j, name in enumerate(names) if name not in set(out)]
    return X[:, keep], [names[j] for j in keep]


def _check_target_name(target: Any, columns: list[str]) -> str:
    if not isinstance(target, str):
        raise InputValidationError(
            "The 'target' parameter of prepare_dataset must be a column name (str) or None. "
            f"Got {quote(target)} instead."
        )
    if target in columns:
        return target
    lower = {c.lower(): c for c in columns}
    close = [lower[target.lower()]] if target.lower() in lower else []
    if len(columns) <= 5000:  # difflib compares with every column: quick up to a few thousand
        close += [c for c in difflib.get_close_matches(target, columns, n=3, cutoff=0.6) if c not in close]
    hint = f" Did you mean {join_or([quote(c) for c in close[:3]])}?" if close else ""
    head = f"Target column {quote(target)} not found.{hint}"
    many = f" The table has {len(columns)} columns:"
    raise InputValidationError(
        fit(
            f"{head} Columns: {examples(columns, limit=8)}.",
            f"{head}{many if len(columns) > 3 else ' Columns:'} {examples(columns)}.",
        )
    )


def _take_target(
    df: pd.DataFrame,
    target: str,
    task: Task | None,
    delimiter: str | None,
    dropped: list[DroppedItem],
    notes: list[ReadNote],
) -> tuple[pd.DataFrame, pd.Series, str]:
    """Read the target column and drop the rows where it is missing.

    Returns the remaining rows, the target values and their kind: ``"bool"``, ``"numeric"`` (numbers, or
    text that all reads as numbers; returned as float64) or ``"label"`` (anything else).
    """
    col = df[target]
    reading = read_numbers(col, delimiter)
    if reading.values is None:
        y_kind, y_raw = "label", col
        missing, tokens = find_missing(col, labels=True)
    else:
        y_kind = "bool" if pd.api.types.is_bool_dtype(col.dtype) else "numeric"
        y_raw, tokens = pd.Series(reading.values, index=col.index), reading.missing_tokens
        missing = ~np.isfinite(reading.values)
        if reading.converted:
            notes.append(ReadNote(target, f"read {reading.converted}"))
    if task == "regression" and y_kind == "label":
        why = f"; {reading.problem}" if reading.problem else ""
        raise InputValidationError(
            f"task='regression' needs a numeric target, but {quote(target)} is not numeric "
            f"(e.g. {quote(reading.example)}{why}). Use task='classification' or pick another target."
        )
    if missing.any():
        read = f" (read {tokens_text(tokens)})" if tokens else ""
        reason = f"missing value in {quote(target)}{read}"
        dropped.append(DroppedItem("rows", "rows with missing target", reason, int(missing.sum())))
    keep = ~missing
    return df.loc[keep], y_raw.loc[keep], y_kind


def _encode_target(
    y_raw: pd.Series, kind: str, target: str, task: Task | None
) -> tuple[np.ndarray, Task, tuple[Any, ...] | None]:
    numeric = kind != "label"
    values = y_raw.to_numpy(dtype=np.float64) if numeric else y_raw.to_numpy(dtype=object)
    distinct = pd.unique(values)
    if len(distinct) == 1:
        shown = quote(bool(distinct[0]) if kind == "bool" else distinct[0])
        raise InputValidationError(f"Target {quote(target)} is constant (every value is {shown}): nothing to predict.")
    if task is None:
        task = _infer_task(values, kind)
    if task == "regression":
        return np.ascontiguousarray(values, dtype=np.float64), task, None
    classes = _sorted_labels(distinct, numeric)
    if kind == "bool":
        classes = tuple(bool(c) for c in classes)
    lookup = {c: i for i, c in enumerate(classes)}
    codes = np.fromiter((lookup[_label(v, numeric)] for v in values), np.int64, len(values))
    counts = np.bincount(codes, minlength=len(classes))
    rare = [classes[k] for k in np.flatnonzero(counts < 2)]
    if rare:
        head = f"Every class of target {quote(target)} needs at least 2 rows"
        if len(rare) == 1:
            raise InputValidationError(
                f"{head}; class {quote(rare[0])} has a single row. Remove that row or merge the class."
            )
        hint = " Is it an identifier or a measurement? Then pick another target." if len(rare) > len(values) / 2 else ""
        tail = f"Remove those rows or merge the classes.{hint}"
        raise InputValidationError(
            fit(
                f"{head}; {len(rare)} classes have a single row (e.g. {examples(rare)}). {tail}",
                f"{head}; {len(rare)} classes have a single row (e.g. {examples(rare, limit=1)}). {tail}",
            )
        )
    return codes, task, classes


def _infer_task(values: np.ndarray, kind: str) -> Task:
    if kind != "numeric":
        return "classification"
    integral = bool(np.all(values == np.round(values)))
    if integral and len(np.unique(values)) <= _MAX_CLASSES_INFERRED:
        return "classification"
    return "regression"


def _label(value: Any, numeric: bool) -> Any:
    """A hashable Python label: ints for integral numbers, floats otherwise, the value itself for text."""
    if numeric:
        number = float(value)
        return int(number) if number.is_integer() else number
    return value.item() if isinstance(value, np.generic) else value


def _sorted_labels(distinct: np.ndarray, numeric: bool) -> tuple[Any, ...]:
    labels = {_label(v, numeric) for v in distinct}
    try:
        return tuple(sorted(labels))
    except TypeError:
        return tuple(sorted(labels, key=lambda v: (type(v).__name__, str(v))))


def _clean_features(
    features: pd.DataFrame, delimiter: str | None, log: _Log, *, limit: float, keep: frozenset[str], drop_rows: bool
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Apply steps 3 and 4 of :func:`prepare_dataset` up to filling: read the features, drop the columns missing
    in more than ``limit`` of the rows, then (``drop_rows``) the rows with a missing cell.

    Returns X (NaN where a kept cell is missing and ``drop_rows`` is False), the names and the kept-row mask."""
    n = len(features)
    arrays: dict[str, np.ndarray] = {}
    for name in features.columns:
        values = _read_feature(features[name], name, delimiter, log)
        if values is not None:
            arrays[name] = values
    shares = {name: float(np.mean(~np.isfinite(values))) if n else 0.0 for name, values in arrays.items()}
    sparse = {name: sparse_reason(share, limit) for name, share in shares.items() if share > limit}
    for name in log.flag(sparse, "sparse", keep):
        del arrays[name]
    names = list(arrays)
    X = np.column_stack([arrays[c] for c in names]) if names else np.empty((n, 0))
    row_keep = _drop_incomplete_rows(X, names, log.dropped) if drop_rows else np.ones(n, dtype=bool)
    return X[row_keep], names, row_keep


def _read_feature(col: pd.Series, name: str, delimiter: str | None, log: _Log) -> np.ndarray | None:
    """The column as float64 (NaN where missing), or ``None`` after recording why it is dropped."""
    reading = read_numbers(col, delimiter)
    if reading.values is not None:
        if reading.note:
            log.notes.append(ReadNote(name, reading.note))
        return reading.values
    two = None if reading.problem else read_two_levels(col)
    if two is None:
        log.dropped.append(DroppedItem("column", name, _non_numeric_reason(col, reading, len(col))))
        return None
    values, levels = two
    log.encodings.append(Encoding(name, levels))
    log.notes.append(ReadNote(name, f"read {quote(levels[0])} as 0 and {quote(levels[1])} as 1 (two values)"))
    return values


def _non_numeric_reason(col: pd.Series, reading: NumericReading, n: int) -> str:
    kind = dtype_word(col.dtype)
    example, n_bad = reading.example, reading.n_bad
    if example is None:
        return f"non-numeric ({kind}, no values)"
    if reading.problem:
        return f"non-numeric ({reading.problem})"
    is_date = isinstance(example, pd.Timestamp) and example == example.normalize()
    shown = example.strftime("%Y-%m-%d") if is_date else str(example)
    verb = "is not a number" if n_bad == 1 else "are not numbers"
    share = f"; {n_bad} of {n} values {verb}" if 0 < n_bad < n and kind == "text" else ""
    prefix = "" if kind == "text" else f"{kind}, "
    return f"non-numeric ({prefix}e.g. {quote(shown)} in row {reading.row}{share})"


def dtype_word(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_complex_dtype(dtype):
        return "complex"
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return "text"
    return str(dtype)


def _drop_incomplete_rows(X: np.ndarray, names: list[str], dropped: list[DroppedItem]) -> np.ndarray:
    """Mask of rows with every kept feature finite; records one :class:`DroppedItem` for the rest."""
    finite = np.isfinite(X)
    row_keep = finite.all(axis=1)
    n_bad = int((~row_keep).sum())
    if n_bad:
        per_col = (~finite).sum(axis=0)
        order = sorted(np.flatnonzero(per_col), key=lambda j: (-per_col[j], j))
        where = [f"{quote(names[j], 30)} ({count(int(per_col[j]), 'row')})" for j in order]
        more = f" and {count(len(where) - 4, 'more column')}" if len(where) > 4 else ""
        shown = ", ".join(where[:4]) + more
        what = "missing or infinite values" if np.isinf(X).any() else "missing values"
        dropped.append(DroppedItem("rows", "rows with missing values", f"{what} in {shown}", n_bad))
    return row_keep


def _informative_columns(X: np.ndarray, names: list[str], dropped: list[DroppedItem]) -> list[int]:
    """Indices of columns that are neither constant nor an exact copy of an earlier kept column."""
    if X.shape[0] == 0:
        return list(range(X.shape[1]))
    constant = [j for j in range(X.shape[1]) if X[:, j].min() == X[:, j].max()]
    for j in constant:
        dropped.append(DroppedItem("column", names[j], f"constant (every value is {quote(X[0, j])})"))
    keep: list[int] = []
    seen: dict[bytes, list[int]] = {}
    skip = set(constant)
    for j in (j for j in range(X.shape[1]) if j not in skip):
        col = X[:, j] + 0.0  # turns -0.0 into 0.0 so equal values hash alike
        twin = next((k for k in seen.get(col.tobytes(), []) if np.array_equal(X[:, k], col)), None)
        if twin is None:
            seen.setdefault(col.tobytes(), []).append(j)
            keep.append(j)
        else:
            dropped.append(DroppedItem("column", names[j], f"duplicate of column {quote(names[twin])}"))
    return keep


def _check_rows(X: np.ndarray, dropped: list[DroppedItem], min_rows: int) -> None:
    """Raise when fewer than ``min_rows`` rows remain (checked before the features: with very few rows every
    column looks constant)."""
    if X.shape[0] < min_rows:
        n_dropped = sum(d.count for d in dropped if d.kind == "rows")
        after = f" after dropping {n_dropped} rows with missing values" if n_dropped else ""
        raise TooFewRowsError(
            f"Only {X.shape[0]} usable {plural(X.shape[0], 'row', 'rows remain')}{after}; "
            f"at least {min_rows} are needed."
        )


def _check_features(names: list[str], dropped: list[DroppedItem], min_features: int) -> None:
    """Raise when fewer than ``min_features`` features remain, listing what was dropped and why."""
    if len(names) < min_features:
        kept = f" ({examples(names, limit=4)})" if names else ""
        head = (
            f"Only {len(names)} usable feature {plural(len(names), 'column', 'columns remain')}{kept}; "
            f"at least {min_features} are needed."
        )
        columns = [d for d in dropped if d.kind == "column"]
        if not columns:
            raise TooFewFeaturesError(head)
        each = "; ".join(f"{quote(d.name, 30)}: {d.reason}" for d in columns[:4])
        raise TooFewFeaturesError(fit(f"{head} Dropped: {each}.", f"{head} Dropped {_drops_by_reason(columns)}."))


def _drops_by_reason(columns: list[DroppedItem]) -> str:
    """``"2000 columns: 1990 non-numeric (e.g. 'a', 'b' ...), 10 constant (e.g. 'k')"``."""
    groups: dict[str, list[str]] = {}
    for item in columns:
        groups.setdefault(item.reason.split(" (")[0], []).append(item.name)
    parts = [f"{len(names)} {why} (e.g. {examples(names, limit=2)})" for why, names in groups.items()]
    return f"{len(columns)} columns: {listed(parts, limit=3)}"


def load_dataset(
    source: Source,
    *,
    target: str | None = None,
    task: Task | None = None,
    fmt: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
    name: str | None = None,
    min_rows: int = 10,
    min_features: int = 4,
    drop_uninformative: bool = True,
    missing: Missing = "drop_sparse_columns",
    sparse_threshold: float = 0.2,
    keep: Collection[str] = (),
) -> Dataset:
    """Read a file with :func:`read_table` and clean it with :func:`prepare_dataset`.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or file-like
        See :func:`read_table`.
    target, task, min_rows, min_features, drop_uninformative, missing, sparse_threshold, keep
        See :func:`prepare_dataset`.
    fmt, sheet, max_bytes : optional
        See :func:`read_table`.
    name : str, optional
        Label of the result; defaults to the file stem (``"data"`` for raw bytes).

    Returns
    -------
    Dataset

    Raises
    ------
    DataFormatError, InputValidationError, TooFewFeaturesError, TooFewRowsError
        As :func:`read_table` and :func:`prepare_dataset`.

    Examples
    --------
    >>> text = "a,b,c,d,y\\n" + "".join(f"{i % 5},{i * i},{i % 3},{(i * 7) % 4},{i % 2}\\n" for i in range(12))
    >>> ds = load_dataset(text.encode(), target="y", fmt="csv")
    >>> ds.summary()
    "data: 12 rows x 4 features; target 'y' (classification, 2 classes); nothing dropped"
    """
    if name is None:
        file_name = read_source_name(source)
        name = Path(file_name).stem if file_name else "data"
    df = read_table(source, fmt=fmt, sheet=sheet, max_bytes=max_bytes)
    return prepare_dataset(
        df,
        target=target,
        task=task,
        name=name,
        min_rows=min_rows,
        min_features=min_features,
        drop_uninformative=drop_uninformative,
        missing=missing,
        sparse_threshold=sparse_threshold,
        keep=keep,
    )
