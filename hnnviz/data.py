"""Load a table, keep the usable numeric features, and report everything that was dropped.

The pipeline starts here: :func:`read_table` turns a file (a path, raw bytes or an uploaded file) into a
:class:`pandas.DataFrame`; :func:`prepare_dataset` picks the target, infers the task, keeps the finite
numeric feature columns and records every column or row it drops as a :class:`DroppedItem`;
:func:`load_dataset` does both. :func:`load_sample` opens one of the data sets bundled in ``sample_data/``
(see :data:`SAMPLES`).

Nothing is dropped silently: an IFN needs finite, non-constant, distinct columns (a constant column has no
correlation, see SPEC §2 and §6), so those are removed here, before any similarity is computed, and each
removal is reported with a specific reason.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType, MappingProxyType
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from ._validation import check_in, check_int
from .exceptions import DataFormatError, InputValidationError, TooFewFeaturesError, TooFewRowsError

__all__ = [
    "SAMPLES",
    "SUPPORTED_FORMATS",
    "Dataset",
    "DroppedItem",
    "SampleInfo",
    "feature_columns",
    "load_dataset",
    "load_sample",
    "prepare_dataset",
    "read_table",
    "sample_data_dir",
]

Task = Literal["regression", "classification"]
Source = str | Path | bytes | bytearray | memoryview | IO[bytes]

#: File formats :func:`read_table` understands, as ``fmt`` values or file extensions.
SUPPORTED_FORMATS: tuple[str, ...] = ("csv", "tsv", "tab", "txt", "parquet", "xlsx")

_TASKS = ("regression", "classification")
_MAX_CLASSES_INFERRED = 20
_MAX_LISTED = 8
_PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK\x03\x04"


# --------------------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------------------


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
            return f"column {self.name!r}: {self.reason}"
        return f"{self.count} {self.name}: {self.reason}"


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


# --------------------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------------------


def read_table(source: Source, *, fmt: str | None = None) -> pd.DataFrame:
    """Read a table from a path, raw bytes or a binary file-like object.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or file-like
        A path; the file's bytes; or an object with ``.getvalue()`` or ``.read()`` (and ideally ``.name``),
        such as Streamlit's ``UploadedFile``.
    fmt : str, optional
        One of :data:`SUPPORTED_FORMATS` (a leading dot is accepted). By default it is taken from the
        file extension; raw bytes without a name are recognised as parquet or xlsx by their first bytes,
        otherwise read as delimited text.

    Returns
    -------
    pandas.DataFrame
        The table, with string column names and at least one row.

    Raises
    ------
    DataFormatError
        If the format is unknown, the file is missing, empty or has a header but no rows, is not UTF-8
        text, cannot be parsed (corrupt parquet or xlsx, ragged CSV), or has duplicate column names.

    Notes
    -----
    ``csv`` is comma separated (if the header has no comma but semicolons or tabs, that separator is
    used); ``tsv`` and ``tab`` are tab separated; ``txt`` sniffs comma, tab or semicolon. Text must be
    UTF-8, with or without a byte-order mark. ``xlsx`` reads the first sheet. Nothing that unpickles is
    ever used (no ``pd.read_pickle``, no pickled parquet extension types).

    Examples
    --------
    >>> read_table(b"a,b\\n1,2\\n3,4\\n", fmt="csv")
       a  b
    0  1  2
    1  3  4
    >>> read_table(b"a,b,a\\n1,2,3\\n", fmt="csv")
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.DataFormatError: Duplicate column names in 'data': 'a' (columns 1 and 3). ...
    """
    data, name = _read_source(source)
    label = name or "data"
    kind = _resolve_format(fmt, name, data)
    if not data.strip():
        raise DataFormatError(f"{label!r} is empty: it has no header and no rows.")
    if kind in ("parquet", "xlsx"):
        df = _read_parquet(data, label) if kind == "parquet" else _read_excel(data, label)
    else:
        df = _read_text(data, label, kind)
    df.columns = [str(c) for c in df.columns]
    _check_unique_names(list(df.columns), label)
    if len(df) == 0:
        raise DataFormatError(f"{label!r} has a header ({len(df.columns)} columns) but no data rows.")
    return df


def _read_source(source: Source) -> tuple[bytes, str | None]:
    """Return the raw bytes of ``source`` and its file name (``None`` for raw bytes)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), None
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except FileNotFoundError as err:
            raise DataFormatError(f"File not found: {str(path)!r}.") from err
        except OSError as err:
            raise DataFormatError(f"Cannot read {str(path)!r}: {err.strerror or err}.") from err
    getter = getattr(source, "getvalue", None) or getattr(source, "read", None)
    if getter is None:
        raise DataFormatError(
            f"Cannot read a table from a {type(source).__name__}: pass a path, bytes or a binary file object."
        )
    data = getter()
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = getattr(source, "name", None)
    return bytes(data), Path(name).name if isinstance(name, str) and name else None


def _resolve_format(fmt: str | None, name: str | None, data: bytes) -> str:
    """Pick the reader from ``fmt``, else the extension of ``name``, else the magic bytes of ``data``."""
    supported = ", ".join(SUPPORTED_FORMATS)
    if fmt is not None:
        kind = fmt.lower().lstrip(".")
        if kind not in SUPPORTED_FORMATS:
            raise DataFormatError(f"Unknown format {fmt!r}. Supported formats: {supported}.")
        return kind
    if name is None:
        return _sniff_binary(data) or "txt"
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in SUPPORTED_FORMATS:
        shown = f"extension '.{suffix}'" if suffix else "no extension"
        raise DataFormatError(
            f"Cannot tell the format of {name!r} ({shown}). Supported extensions: {supported}; "
            "or pass fmt=... explicitly."
        )
    return suffix


def _sniff_binary(data: bytes) -> str | None:
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    return None


def _decode_utf8(data: bytes, label: str) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise a :class:`DataFormatError` that says where it failed."""
    binary = _sniff_binary(data)
    if binary is not None:
        raise DataFormatError(
            f"{label!r} looks like {'an' if binary == 'xlsx' else 'a'} {binary} file, not text: "
            f"rename it to .{binary} or pass fmt={binary!r}."
        )
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = start + err.start
        line = data.count(b"\n", 0, offset) + 1
        hint = " (it starts with a UTF-16 byte-order mark)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise DataFormatError(
            f"{label!r} is not UTF-8 text{hint}: byte 0x{data[offset]:02x} at offset {offset} (line {line}) "
            "cannot be decoded. Save the file as UTF-8 (in Excel: 'CSV UTF-8') and try again."
        ) from err


def _pick_delimiter(text: str, kind: str) -> str:
    if kind in ("tsv", "tab"):
        return "\t"
    header = next((line for line in text.splitlines() if line.strip()), "")
    if kind == "csv":
        if "," in header:
            return ","
        others = [d for d in (";", "\t") if d in header]
        return others[0] if len(others) == 1 else ","
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",\t;").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", "\t", ";")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _raw_header(text: str, delimiter: str) -> list[str]:
    """The first non-blank record, as written (pandas renames duplicates, so read it ourselves)."""
    for record in csv.reader(io.StringIO(text), delimiter=delimiter):
        if any(cell.strip() for cell in record):
            return record
    return []


def _read_text(data: bytes, label: str, kind: str) -> pd.DataFrame:
    text = _decode_utf8(data, label)
    if not text.strip():
        raise DataFormatError(f"{label!r} is empty: it has no header and no rows.")
    delimiter = _pick_delimiter(text, kind)
    _check_unique_names(_raw_header(text, delimiter), label)
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, low_memory=False)
    except pd.errors.EmptyDataError as err:
        raise DataFormatError(f"{label!r} is empty: it has no header and no rows.") from err
    except (pd.errors.ParserError, ValueError) as err:
        first_line = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise DataFormatError(f"Cannot parse {label!r} as delimited text: {first_line}") from err


def _read_parquet(data: bytes, label: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        _check_unique_names(list(parquet.schema_arrow.names), label)
        df = parquet.read().to_pandas()
    except (pa.ArrowException, OSError, ValueError) as err:
        raise DataFormatError(f"Cannot read {label!r} as parquet (corrupt or not parquet): {err}") from err
    return _named_index_to_columns(df)


def _named_index_to_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Move a named index (e.g. a saved ``Date`` index) back into the columns, so it is not lost silently."""
    if any(n is not None for n in df.index.names):
        return df.reset_index()
    return df


def _read_excel(data: bytes, label: str) -> pd.DataFrame:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        header = pd.read_excel(io.BytesIO(data), header=None, nrows=1, engine="openpyxl")
        if header.shape[0]:
            _check_unique_names(["" if pd.isna(v) else str(v) for v in header.iloc[0].tolist()], label)
        return pd.read_excel(io.BytesIO(data), engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        if isinstance(err, DataFormatError):
            raise
        raise DataFormatError(f"Cannot read {label!r} as an xlsx workbook (corrupt or not xlsx): {err}") from err


def _check_unique_names(names: list[str], label: str) -> None:
    """Raise :class:`DataFormatError` naming every duplicated column name and its positions (from 1).

    Blank names are skipped: readers name them ``Unnamed: <i>``, which is unique.
    """
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name != "":
            positions.setdefault(name, []).append(i)
    dupes = {name: pos for name, pos in positions.items() if len(pos) > 1}
    if dupes:
        listed = ", ".join(f"{name!r} (columns {_join_and(pos)})" for name, pos in dupes.items())
        raise DataFormatError(f"Duplicate column names in {label!r}: {listed}. Give every column a unique name.")


def _join_and(items: list[Any]) -> str:
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------------------------------------
# Preparing a data set
# --------------------------------------------------------------------------------------------------------


def prepare_dataset(
    df: pd.DataFrame,
    *,
    target: str | None = None,
    task: Task | None = None,
    name: str = "",
    min_rows: int = 10,
    min_features: int = 4,
    drop_uninformative: bool = True,
) -> Dataset:
    """Keep the finite numeric features of ``df``, encode the target, and report everything dropped.

    Steps, in order (each removal becomes a :class:`DroppedItem`):

    1. rows whose target is missing (NaN, infinite or empty) are dropped;
    2. every other column is a candidate feature: non-numeric columns (text, category, datetime) are
       dropped with an example value (a text column whose values all parse as numbers is numeric;
       booleans become 0/1);
    3. columns with more than half of their values missing (NaN or infinite) are dropped;
    4. rows with any missing value in the remaining features are dropped, naming the columns responsible;
    5. constant columns are dropped, then exact duplicates of an earlier kept column (unless
       ``drop_uninformative`` is False).

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
        Whether step 5 runs. Pass False to keep constant and duplicate columns, e.g. for the rows a saved
        model explains: its features are already chosen, and with one or a few rows every column looks
        constant.

    Returns
    -------
    Dataset
        ``X`` float64 and finite; ``y`` float64 (regression) or int64 codes into ``classes``
        (classification).

    Raises
    ------
    InputValidationError
        If ``df`` is not a DataFrame, an argument is invalid, the target column does not exist (close
        matches are suggested), the target is constant, ``task="regression"`` is asked for a non-numeric
        target, or a class has fewer than 2 rows.
    DataFormatError
        If ``df`` has duplicate column names.
    TooFewFeaturesError
        If fewer than ``min_features`` features remain; the message lists what was dropped and why.
    TooFewRowsError
        If fewer than ``min_rows`` rows remain.

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
    min_rows = check_int(min_rows, name="min_rows", owner=owner, low=1)
    min_features = check_int(min_features, name="min_features", owner=owner, low=1)
    columns = [str(c) for c in df.columns]
    _check_unique_names(columns, name or "the table")
    df = df.set_axis(columns, axis=1).reset_index(drop=True)  # row labels = positions in the input
    dropped: list[DroppedItem] = []

    y_raw, y_kind = None, ""
    if target is not None:
        target = _check_target_name(target, columns)
        df, y_raw, y_kind = _take_target(df, target, task, dropped)
    features = df.drop(columns=[target]) if target is not None else df
    X, names, row_keep = _clean_features(features, dropped, drop_uninformative=drop_uninformative)
    _check_enough(X, names, dropped, min_rows=min_rows, min_features=min_features)

    y, resolved_task, classes = None, None, None
    if target is not None and y_raw is not None:
        y, resolved_task, classes = _encode_target(y_raw.loc[row_keep], y_kind, target, task)
    return Dataset(
        X=X,
        feature_names=tuple(names),
        y=y,
        target=target,
        task=resolved_task,
        classes=classes,
        dropped=tuple(dropped),
        name=name,
    )


# ---- target ------------------------------------------------------------------------------------------


def _check_target_name(target: Any, columns: list[str]) -> str:
    if not isinstance(target, str):
        raise InputValidationError(
            f"The 'target' parameter of prepare_dataset must be a column name (str) or None. Got {target!r} instead."
        )
    if target in columns:
        return target
    lower = {c.lower(): c for c in columns}
    close = [lower[target.lower()]] if target.lower() in lower else []
    close += [c for c in difflib.get_close_matches(target, columns, n=3, cutoff=0.6) if c not in close]
    hint = f" Did you mean {_join_or([repr(c) for c in close])}?" if close else ""
    shown = ", ".join(repr(c) for c in columns[:_MAX_LISTED]) + (", ..." if len(columns) > _MAX_LISTED else "")
    raise InputValidationError(f"Target column {target!r} not found.{hint} Columns: {shown}.")


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _take_target(
    df: pd.DataFrame, target: str, task: Task | None, dropped: list[DroppedItem]
) -> tuple[pd.DataFrame, pd.Series, str]:
    """Read the target column and drop the rows where it is missing.

    Returns the remaining rows, the target values and their kind: ``"bool"``, ``"numeric"`` (numbers, or
    text that all parses as numbers; returned as float64) or ``"label"`` (anything else).
    """
    col = df[target]
    kind, values = _as_numeric(col)
    y_kind = kind if kind != "non-numeric" else "label"
    if pd.api.types.is_bool_dtype(col.dtype):
        y_kind = "bool"
    y_raw = pd.Series(values, index=col.index) if kind == "numeric" else col
    if task == "regression" and y_kind == "label":
        example = col.dropna().iloc[0] if col.notna().any() else None
        raise InputValidationError(
            f"task='regression' needs a numeric target, but {target!r} is not numeric "
            f"(e.g. {example!r}). Use task='classification' or pick another target."
        )
    keep = _present(y_raw, y_kind != "label").to_numpy()
    if not keep.all():
        n = int((~keep).sum())
        dropped.append(DroppedItem("rows", "rows with missing target", f"missing value in {target!r}", n))
    return df.loc[keep], y_raw.loc[keep], y_kind


def _present(values: pd.Series, numeric: bool) -> pd.Series:
    """Mask of rows whose target is usable: finite if numeric, not NA and not blank text otherwise."""
    if numeric:
        return pd.Series(np.isfinite(values.to_numpy(dtype=np.float64)), index=values.index)
    blank = values.map(lambda v: isinstance(v, str) and not v.strip())
    return values.notna() & ~blank.astype(bool)


def _encode_target(
    y_raw: pd.Series, kind: str, target: str, task: Task | None
) -> tuple[np.ndarray, Task, tuple[Any, ...] | None]:
    numeric = kind != "label"
    values = y_raw.to_numpy(dtype=np.float64) if numeric else y_raw.to_numpy(dtype=object)
    distinct = pd.unique(values)
    if len(distinct) == 1:
        shown = _fmt_value(bool(distinct[0]) if kind == "bool" else distinct[0])
        raise InputValidationError(f"Target {target!r} is constant (every value is {shown}): nothing to predict.")
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
    rare = [f"{classes[k]!r} ({counts[k]} row)" for k in np.flatnonzero(counts < 2)]
    if rare:
        raise InputValidationError(
            f"Every class of target {target!r} needs at least 2 rows; too few for class "
            f"{_join_and(rare)}. Remove those rows or merge the class."
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


# ---- features ----------------------------------------------------------------------------------------


def _as_numeric(col: pd.Series) -> tuple[str, Any]:
    """Classify a column.

    Returns ``("numeric", float64 array)`` (NaN/inf kept as they are) or ``("non-numeric", (example,
    row, n_bad))`` where ``row`` is the example's row label plus 1 (its row number in the input, counted
    from 1, once :func:`prepare_dataset` has reset the index).
    """
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "numeric", col.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "numeric", col.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        blank = col.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        stripped = col.where(~blank, None)
        parsed = pd.to_numeric(stripped, errors="coerce").astype("Float64")
        bad = stripped.notna() & parsed.isna()
        if not bad.any():
            return "numeric", parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        return "non-numeric", (col.iloc[pos], int(col.index[pos]) + 1, int(bad.sum()))
    present = np.flatnonzero(col.notna().to_numpy())
    if not present.size:
        return "non-numeric", (None, 0, 0)
    pos = int(present[0])
    return "non-numeric", (col.iloc[pos], int(col.index[pos]) + 1, int(present.size))


def _clean_features(
    features: pd.DataFrame, dropped: list[DroppedItem], *, drop_uninformative: bool
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Apply steps 2-5 of :func:`prepare_dataset` (step 5 only if ``drop_uninformative``); return X, names and
    the kept-row mask."""
    n = len(features)
    arrays: dict[str, np.ndarray] = {}
    for name in features.columns:
        kind, payload = _as_numeric(features[name])
        if kind == "numeric":
            arrays[name] = payload
        else:
            dropped.append(DroppedItem("column", name, _non_numeric_reason(features[name], *payload, n)))
    for name in list(arrays):
        frac = float(np.mean(~np.isfinite(arrays[name]))) if n else 0.0
        if frac > 0.5:
            dropped.append(DroppedItem("column", name, f"more than half missing ({_fmt_pct(frac)})"))
            del arrays[name]
    names = list(arrays)
    X = np.column_stack([arrays[c] for c in names]) if names else np.empty((n, 0))
    row_keep = _drop_incomplete_rows(X, names, dropped)
    X = X[row_keep]
    keep_cols = _informative_columns(X, names, dropped) if drop_uninformative else list(range(len(names)))
    X = np.ascontiguousarray(X[:, keep_cols], dtype=np.float64)
    return X, [names[j] for j in keep_cols], row_keep


def _non_numeric_reason(col: pd.Series, example: Any, row: int, n_bad: int, n: int) -> str:
    kind = _dtype_word(col.dtype)
    if example is None:
        return f"non-numeric ({kind}, no values)"
    is_date = isinstance(example, pd.Timestamp) and example == example.normalize()
    shown = example.strftime("%Y-%m-%d") if is_date else str(example)
    shown = shown[:40] + "..." if len(shown) > 40 else shown
    verb = "is not a number" if n_bad == 1 else "are not numbers"
    share = f"; {n_bad} of {n} values {verb}" if 0 < n_bad < n and kind == "text" else ""
    prefix = "" if kind == "text" else f"{kind}, "
    return f"non-numeric ({prefix}e.g. {shown!r} in row {row}{share})"


def _dtype_word(dtype: Any) -> str:
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
        listed = [f"{names[j]!r} ({per_col[j]} row{'s' if per_col[j] != 1 else ''})" for j in order]
        if len(listed) > _MAX_LISTED:
            listed = [*listed[:_MAX_LISTED], f"and {len(listed) - _MAX_LISTED} more columns"]
        what = "missing or infinite values" if np.isinf(X).any() else "missing values"
        dropped.append(DroppedItem("rows", "rows with missing values", f"{what} in {', '.join(listed)}", n_bad))
    return row_keep


def _informative_columns(X: np.ndarray, names: list[str], dropped: list[DroppedItem]) -> list[int]:
    """Indices of columns that are neither constant nor an exact copy of an earlier kept column."""
    if X.shape[0] == 0:
        return list(range(X.shape[1]))
    constant = [j for j in range(X.shape[1]) if X[:, j].min() == X[:, j].max()]
    for j in constant:
        dropped.append(DroppedItem("column", names[j], f"constant (every value is {_fmt_value(X[0, j])})"))
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
            dropped.append(DroppedItem("column", names[j], f"duplicate of column {names[twin]!r}"))
    return keep


def _check_enough(
    X: np.ndarray, names: list[str], dropped: list[DroppedItem], *, min_rows: int, min_features: int
) -> None:
    """Raise when too few rows, then when too few features, remain.

    Rows come first: with very few rows every column looks constant.
    """
    if X.shape[0] < min_rows:
        n_dropped = sum(d.count for d in dropped if d.kind == "rows")
        after = f" after dropping {n_dropped} rows with missing values" if n_dropped else ""
        raise TooFewRowsError(
            f"Only {X.shape[0]} usable {_plural(X.shape[0], 'row', 'rows remain')}{after}; "
            f"at least {min_rows} are needed."
        )
    if len(names) < min_features:
        kept = f" ({_listed([repr(c) for c in names])})" if names else ""
        why = [f"{d.name!r}: {d.reason}" for d in dropped if d.kind == "column"]
        dropped_text = f" Dropped: {_listed(why, sep='; ')}." if why else ""
        raise TooFewFeaturesError(
            f"Only {len(names)} usable feature {_plural(len(names), 'column', 'columns remain')}{kept}; "
            f"at least {min_features} are needed.{dropped_text}"
        )


def _listed(items: list[str], sep: str = ", ") -> str:
    """Join at most ``_MAX_LISTED`` items, then say how many more there are."""
    shown = list(items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown.append(f"and {len(items) - _MAX_LISTED} more")
    return sep.join(shown)


def _plural(n: int, one: str, many: str) -> str:
    """``one`` with "remains" for n == 1 (e.g. "column remains"), else ``many``."""
    return f"{one} remains" if n == 1 else many


def _fmt_value(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return repr(value.item() if isinstance(value, np.generic) else value)


def _fmt_pct(frac: float) -> str:
    pct = 100.0 * frac
    return f"{pct:.0f}%" if round(pct) > 50 else f"{pct:.1f}%"


# --------------------------------------------------------------------------------------------------------
# Loading files and bundled samples
# --------------------------------------------------------------------------------------------------------


def load_dataset(
    source: Source,
    *,
    target: str | None = None,
    task: Task | None = None,
    fmt: str | None = None,
    name: str | None = None,
    min_rows: int = 10,
    min_features: int = 4,
    drop_uninformative: bool = True,
) -> Dataset:
    """Read a file with :func:`read_table` and clean it with :func:`prepare_dataset`.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or file-like
        See :func:`read_table`.
    target, task, min_rows, min_features, drop_uninformative
        See :func:`prepare_dataset`.
    fmt : str, optional
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
    >>> text = "a,b,c,d,y\\n" + "".join(f"{i},{i * i},{i % 3},{(i * 7) % 5},{i % 2}\\n" for i in range(12))
    >>> ds = load_dataset(text.encode(), target="y", fmt="csv")
    >>> ds.summary()
    "data: 12 rows x 4 features; target 'y' (classification, 2 classes); nothing dropped"
    """
    if name is None:
        file_name = _read_source_name(source)
        name = Path(file_name).stem if file_name else "data"
    df = read_table(source, fmt=fmt)
    return prepare_dataset(
        df,
        target=target,
        task=task,
        name=name,
        min_rows=min_rows,
        min_features=min_features,
        drop_uninformative=drop_uninformative,
    )


def _read_source_name(source: Source) -> str | None:
    if isinstance(source, str | Path):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) and name else None


@dataclass(frozen=True)
class SampleInfo:
    """One data set bundled in ``sample_data/``.

    Parameters
    ----------
    file : str
        File name inside ``sample_data/``.
    target : str or None
        Default target column (``None``: no target, e.g. asset returns).
    task : {"regression", "classification"} or None
        The task that target gives.
    description : str
        One sentence for menus and docs.
    """

    file: str
    target: str | None
    task: Task | None
    description: str


#: The bundled data sets, by name. Sources and licences: ``sample_data/README.md``.
SAMPLES: MappingProxyType[str, SampleInfo] = MappingProxyType(
    {
        "diabetes": SampleInfo(
            "diabetes.csv",
            "target",
            "regression",
            "Diabetes progression one year after baseline, 442 patients x 10 raw clinical features "
            "(Efron et al. 2004, via scikit-learn).",
        ),
        "breast_cancer": SampleInfo(
            "breast_cancer.csv",
            "diagnosis",
            "classification",
            "Breast cancer Wisconsin (Diagnostic): 569 tumours x 30 cell-nucleus features, malignant or "
            "benign (UCI, via scikit-learn).",
        ),
        "wine": SampleInfo(
            "wine.csv",
            "cultivar",
            "classification",
            "Wine: 178 wines x 13 chemical measurements, 3 cultivars (UCI, via scikit-learn).",
        ),
        "sp500_returns": SampleInfo(
            "sp500_returns.csv",
            None,
            None,
            "Daily simple returns of 20 S&P 500 stocks, 1990-2022 (skfolio; prices from Yahoo Finance). "
            "The classic use of information filtering networks.",
        ),
        "planted_interactions": SampleInfo(
            "planted_interactions.csv",
            "y",
            "regression",
            "Synthetic: 3000 rows x 24 features in correlated groups; y = x01*x02 + sin(x03+x04+x05) "
            "+ 2*tanh(x06*x07*x08*x09) + noise. Ground truth in planted_interactions.json.",
        ),
    }
)


def sample_data_dir() -> Path:
    """Return the ``sample_data/`` folder of the repository (the package is installed editable).

    Raises
    ------
    DataFormatError
        If the folder does not exist (e.g. a non-editable install without the repository).
    """
    folder = Path(__file__).resolve().parents[1] / "sample_data"
    if not folder.is_dir():
        raise DataFormatError(
            f"Bundled sample data not found at {str(folder)!r}. Install hnnviz from its repository with "
            "'pip install -e .' (sample_data/ lives next to the hnnviz/ package)."
        )
    return folder


def load_sample(name: str, *, target: str | EllipsisType | None = ..., task: Task | None = None) -> Dataset:
    """Load one of the bundled data sets listed in :data:`SAMPLES`.

    Parameters
    ----------
    name : str
        A key of :data:`SAMPLES`, e.g. ``"diabetes"``.
    target : str or None, optional
        Target column; by default the sample's own (``SAMPLES[name].target``); ``None`` for no target.
    task : {"regression", "classification"}, optional
        Overrides the inferred task.

    Returns
    -------
    Dataset

    Raises
    ------
    InputValidationError
        If ``name`` is not a bundled sample (close matches are suggested).
    DataFormatError
        If ``sample_data/`` or the file is missing.

    Examples
    --------
    >>> ds = load_sample("diabetes")
    >>> ds.n_rows, ds.n_features, ds.task
    (442, 10, 'regression')
    """
    if name not in SAMPLES:
        close = difflib.get_close_matches(str(name), list(SAMPLES), n=3, cutoff=0.5)
        hint = f" Did you mean {_join_or([repr(c) for c in close])}?" if close else ""
        raise InputValidationError(
            f"Unknown sample {name!r}.{hint} Bundled samples: {', '.join(repr(s) for s in SAMPLES)}."
        )
    info = SAMPLES[name]
    path = sample_data_dir() / info.file
    if not path.is_file():
        raise DataFormatError(
            f"Sample file {str(path)!r} is missing; regenerate it with 'python sample_data/make_samples.py'."
        )
    chosen = info.target if target is ... else target
    return load_dataset(path, target=chosen, task=task, name=name)


def feature_columns(dataset: Dataset, names: tuple[str, ...] | list[str]) -> np.ndarray:
    """The columns of ``dataset.X`` named ``names``, in that order (e.g. the features a saved model expects).

    Raises
    ------
    InputValidationError
        If a named feature is missing (absent from the file, or dropped by the loader: the reason is given).

    Examples
    --------
    >>> ds = prepare_dataset(pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 2]}), min_rows=1, min_features=1)
    >>> feature_columns(ds, ["b", "a"]).tolist()
    [[3.0, 1.0], [1.0, 2.0], [2.0, 3.0]]
    """
    position = {name: i for i, name in enumerate(dataset.feature_names)}
    missing = [name for name in names if name not in position]
    if missing:
        reasons = {item.name: item.reason for item in dataset.dropped if item.kind == "column"}
        listed = ", ".join(f"{n!r}" + (f" (dropped: {reasons[n]})" if n in reasons else "") for n in missing[:8])
        raise InputValidationError(f"The data lacks {len(missing)} feature(s) the model needs: {listed}.")
    return dataset.X[:, [position[name] for name in names]]
