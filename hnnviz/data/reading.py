"""Read a table from a path, raw bytes or an uploaded file: CSV/TSV/TXT, Parquet or Excel (any sheet).

Nothing that unpickles is ever used (no ``pd.read_pickle``, no pickled parquet extension types).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from ..exceptions import DataFormatError
from ._text import join_and

__all__ = ["SUPPORTED_FORMATS", "Source", "excel_sheets", "read_table"]

Source = str | Path | bytes | bytearray | memoryview | IO[bytes]


#: File formats :func:`read_table` understands, as ``fmt`` values or file extensions.
SUPPORTED_FORMATS: tuple[str, ...] = ("csv", "tsv", "tab", "txt", "parquet", "xlsx")


_PARQUET_MAGIC = b"PAR1"


_ZIP_MAGIC = b"PK\x03\x04"


def read_table(source: Source, *, fmt: str | None = None, sheet: str | None = None) -> pd.DataFrame:
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
    sheet : str, optional
        ``xlsx`` only: the worksheet to read (default: the first; see :func:`excel_sheets`).

    Returns
    -------
    pandas.DataFrame
        The table, with string column names and at least one row.

    Raises
    ------
    DataFormatError
        If the format is unknown, the file is missing, empty or has a header but no rows, is not UTF-8
        text, cannot be parsed (corrupt parquet or xlsx, ragged CSV), or has duplicate column names; or if
        ``sheet`` is given for a file that is not a workbook, or names no sheet of it.

    Notes
    -----
    ``csv`` is comma separated (if the header has no comma but semicolons or tabs, that separator is
    used); ``tsv`` and ``tab`` are tab separated; ``txt`` sniffs comma, tab or semicolon. Text must be
    UTF-8, with or without a byte-order mark. ``xlsx`` reads the first sheet unless told another. Nothing
    that unpickles is ever used (no ``pd.read_pickle``, no pickled parquet extension types).

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
    if sheet is not None and kind != "xlsx":
        raise DataFormatError(f"{label!r} is {kind}, not an xlsx workbook: it has no sheet {sheet!r}.")
    if kind == "xlsx":
        df = _read_excel(data, label, sheet)
    elif kind == "parquet":
        df = _read_parquet(data, label)
    else:
        df = _read_text(data, label, kind)
    df.columns = [str(c) for c in df.columns]
    check_unique_names(list(df.columns), label)
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
    check_unique_names(_raw_header(text, delimiter), label)
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
        check_unique_names(list(parquet.schema_arrow.names), label)
        df = parquet.read().to_pandas()
    except (pa.ArrowException, OSError, ValueError) as err:
        raise DataFormatError(f"Cannot read {label!r} as parquet (corrupt or not parquet): {err}") from err
    return _named_index_to_columns(df)


def _named_index_to_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Move a named index (e.g. a saved ``Date`` index) back into the columns, so it is not lost silently."""
    if any(n is not None for n in df.index.names):
        return df.reset_index()
    return df


def excel_sheets(source: Source) -> list[str]:
    """The worksheet names of an xlsx workbook, in order.

    Raises
    ------
    DataFormatError
        If ``source`` cannot be read or is not an xlsx workbook.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> with pd.ExcelWriter(buffer) as writer:
    ...     pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="first", index=False)
    ...     pd.DataFrame({"b": [2]}).to_excel(writer, sheet_name="second", index=False)
    >>> excel_sheets(buffer.getvalue())
    ['first', 'second']
    """
    data, name = _read_source(source)
    with _excel_errors(name or "data"):
        return list(pd.ExcelFile(io.BytesIO(data), engine="openpyxl").sheet_names)


@contextlib.contextmanager
def _excel_errors(label: str) -> Iterator[None]:
    """Turn what a corrupt or foreign file makes openpyxl raise into one :class:`DataFormatError`."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        yield
    except DataFormatError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise DataFormatError(f"Cannot read {label!r} as an xlsx workbook (corrupt or not xlsx): {err}") from err


def _read_excel(data: bytes, label: str, sheet: str | None) -> pd.DataFrame:
    with _excel_errors(label):
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        if sheet is not None and sheet not in book.sheet_names:
            listed = ", ".join(repr(s) for s in book.sheet_names)
            raise DataFormatError(f"{label!r} has no sheet {sheet!r}; its sheets are {listed}.")
        chosen = sheet if sheet is not None else 0
        header = pd.read_excel(book, sheet_name=chosen, header=None, nrows=1)
        if header.shape[0]:
            check_unique_names(["" if pd.isna(v) else str(v) for v in header.iloc[0].tolist()], label)
        return pd.read_excel(book, sheet_name=chosen)


def check_unique_names(names: list[str], label: str) -> None:
    """Raise :class:`DataFormatError` naming every duplicated column name and its positions (from 1).

    Blank names are skipped: readers name them ``Unnamed: <i>``, which is unique.
    """
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name != "":
            positions.setdefault(name, []).append(i)
    dupes = {name: pos for name, pos in positions.items() if len(pos) > 1}
    if dupes:
        listed = ", ".join(f"{name!r} (columns {join_and(pos)})" for name, pos in dupes.items())
        raise DataFormatError(f"Duplicate column names in {label!r}: {listed}. Give every column a unique name.")


def read_source_name(source: Source) -> str | None:
    if isinstance(source, str | Path):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) and name else None
