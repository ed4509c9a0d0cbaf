"""Read a table from a path, raw bytes or an uploaded file: CSV/TSV/TXT, Parquet or Excel (any sheet).

Nothing that unpickles is ever used (no ``pd.read_pickle``, no pickled parquet extension types). Files are read
whole into memory, so their size is capped (:data:`MAX_BYTES`, the app's upload limit) before anything is read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from .._messages import clip, examples, fit, join_and, listed, quote
from ..exceptions import DataFormatError

__all__ = ["MAX_BYTES", "SUPPORTED_FORMATS", "TABLE_DELIMITER", "TABLE_NOTES", "Source", "excel_sheets", "read_table"]

Source = str | Path | bytes | bytearray | memoryview | IO[bytes]


#: File formats :func:`read_table` understands, as ``fmt`` values or file extensions.
SUPPORTED_FORMATS: tuple[str, ...] = ("csv", "tsv", "tab", "txt", "parquet", "xlsx")


_PARQUET_MAGIC = b"PAR1"


_ZIP_MAGIC = b"PK\x03\x04"

#: What common files that are not tables start with, and what to call them in a message.
_FOREIGN_MAGIC: dict[bytes, str] = {
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 (.xls) workbook",
    b"\x1f\x8b": "a gzip archive",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}

#: Largest file :func:`read_table` reads by default: 200 MiB, the app's upload limit
#: (``server.maxUploadSize`` in ``.streamlit/config.toml``). Looked up at each call, so it can be changed here.
MAX_BYTES = 200 * 2**20

#: Keys of ``DataFrame.attrs`` through which :func:`read_table` tells :func:`~hnnviz.data.prepare_dataset` the
#: delimiter of a text file (it decides numbers such as ``1,234``) and notes on how the table was read.
TABLE_DELIMITER = "hnnviz.delimiter"
TABLE_NOTES = "hnnviz.notes"


def read_table(
    source: Source, *, fmt: str | None = None, sheet: str | None = None, max_bytes: int | None = None
) -> pd.DataFrame:
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
    max_bytes : int, optional
        Largest file accepted, in bytes (default :data:`MAX_BYTES`, 200 MiB). The file is read whole into
        memory, so a larger one is refused before it is read.

    Returns
    -------
    pandas.DataFrame
        The table, with string column names and at least one row. Cells are kept as written: missing-value
        tokens such as ``NA`` or ``?`` stay text (empty cells are NaN), so that
        :func:`~hnnviz.data.prepare_dataset` can read and report them. ``df.attrs`` holds the delimiter of a
        text file (:data:`TABLE_DELIMITER`) and notes such as which sheet of several was read
        (:data:`TABLE_NOTES`).

    Raises
    ------
    DataFormatError
        If the format is unknown, the file is missing, larger than ``max_bytes``, empty or has a header but
        no rows, is binary or not UTF-8 text, cannot be parsed (corrupt parquet or xlsx, ragged CSV, rows with
        more fields than the header, fields separated by spaces), or has duplicate column names; or if
        ``sheet`` is given for a file that is not a workbook, or names no sheet of it.

    Notes
    -----
    ``csv`` is comma separated (if the header has no comma but semicolons, tabs or ``|``, that separator is
    used); ``tsv`` and ``tab`` are tab separated; ``txt`` sniffs comma, tab, semicolon or ``|``. Text must be
    UTF-8, with or without a byte-order mark. ``xlsx`` reads the first sheet unless told another (a note says
    so when there are several). Nothing that unpickles is ever used (no ``pd.read_pickle``, no pickled
    parquet extension types). Every message is one line of at most 300 characters.

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
    data, name = _read_source(source, MAX_BYTES if max_bytes is None else max_bytes)
    label = quote(name or "data")
    kind = _resolve_format(fmt, name, data)
    if not data.strip():
        raise DataFormatError(f"{label} is empty: it has no header and no rows.")
    if sheet is not None and kind != "xlsx":
        raise DataFormatError(f"{label} is {kind}, not an xlsx workbook: it has no sheet {quote(sheet)}.")
    notes: list[str] = []
    if kind == "xlsx":
        df = _read_excel(data, label, sheet, notes)
    elif kind == "parquet":
        df = _read_parquet(data, label)
    else:
        df = _read_text(data, label, kind, notes)
    df.columns = [str(c) for c in df.columns]
    check_unique_names(list(df.columns), label)
    if len(df) == 0:
        raise DataFormatError(f"{label} has a header ({len(df.columns)} columns) but no data rows.")
    if notes:
        df.attrs[TABLE_NOTES] = tuple(notes)
    return df


def _read_source(source: Source, max_bytes: int) -> tuple[bytes, str | None]:
    """Return the raw bytes of ``source`` and its file name (``None`` for raw bytes), refusing more than
    ``max_bytes`` before reading a path or stream."""
    if isinstance(source, bytes | bytearray | memoryview):
        data, name = bytes(source), None
    elif isinstance(source, str | Path):
        path = Path(source)
        name = path.name
        try:
            _check_size(path.stat().st_size, max_bytes, name)
            data = path.read_bytes()
        except FileNotFoundError as err:
            raise DataFormatError(f"File not found: {quote(str(path), 80)}.") from err
        except IsADirectoryError as err:
            raise DataFormatError(f"{quote(str(path), 80)} is a folder, not a file.") from err
        except OSError as err:
            raise DataFormatError(f"Cannot read {quote(str(path), 80)}: {clip(str(err.strerror or err), 80)}.") from err
    else:
        data, name = _read_file_like(source, max_bytes)
    _check_size(len(data), max_bytes, name)
    return data, name


def _read_file_like(source: object, max_bytes: int) -> tuple[bytes, str | None]:
    raw_name = getattr(source, "name", None)
    name = Path(raw_name).name if isinstance(raw_name, str) and raw_name else None
    getvalue, read = getattr(source, "getvalue", None), getattr(source, "read", None)
    if getvalue is not None:
        data = getvalue()
    elif read is not None:
        data = read(max_bytes + 1)  # one byte more than allowed tells a file that is too large
        if len(data) > max_bytes:
            _check_size(len(data), max_bytes, name, at_least=True)
    else:
        raise DataFormatError(
            f"Cannot read a table from a {type(source).__name__}: pass a path, bytes or a binary file object."
        )
    if isinstance(data, str):
        data = data.encode("utf-8")
    return bytes(data), name


def _check_size(size: int, max_bytes: int, name: str | None, *, at_least: bool = False) -> None:
    """Refuse ``size`` bytes over ``max_bytes`` (``at_least``: a stream read only that far)."""
    if size > max_bytes:
        raise DataFormatError(
            f"{quote(name or 'data')} is {_size_text(size)}{' or more' if at_least else ''}, over "
            f"the {_size_text(max_bytes)} limit for a table: use fewer rows or columns (the API takes max_bytes=)."
        )


def _size_text(n: int) -> str:
    """``"1.5 MB"`` (MiB), ``"12 KB"`` or ``"900 bytes"``."""
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    return f"{n / 2**10:.0f} KB" if n >= 2**10 else f"{n} bytes"


def _resolve_format(fmt: str | None, name: str | None, data: bytes) -> str:
    """Pick the reader from ``fmt``, else the extension of ``name``, else the magic bytes of ``data``."""
    supported = ", ".join(SUPPORTED_FORMATS)
    if fmt is not None:
        kind = str(fmt).lower().lstrip(".")
        if kind not in SUPPORTED_FORMATS:
            raise DataFormatError(f"Unknown format {quote(fmt)}. Supported formats: {supported}.")
        return kind
    if name is None:
        return _sniff_binary(data) or "txt"
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in SUPPORTED_FORMATS:
        shown = f"extension {quote('.' + suffix, 20)}" if suffix else "no extension"
        raise DataFormatError(
            f"Cannot tell the format of {quote(name)} ({shown}). Supported extensions: {supported}; "
            "or pass fmt=... explicitly."
        )
    return suffix


def _sniff_binary(data: bytes) -> str | None:
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    return None


def _foreign(data: bytes) -> str | None:
    """What a file that is not a table is (an image, a PDF, an old .xls ...), from its first bytes."""
    return next((what for magic, what in _FOREIGN_MAGIC.items() if data.startswith(magic)), None)


def _decode_utf8(data: bytes, label: str) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise a :class:`DataFormatError` that says where it failed."""
    binary = _sniff_binary(data)
    if binary is not None:
        raise DataFormatError(
            f"{label} looks like {'an' if binary == 'xlsx' else 'a'} {binary} file, not text: "
            f"rename it to .{binary} or pass fmt={binary!r}."
        )
    foreign = _foreign(data)
    if foreign is not None:
        raise DataFormatError(f"{label} looks like {foreign}, not a table: save it as CSV (UTF-8) or xlsx.")
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0 and not utf16:
        raise DataFormatError(
            f"{label} is not UTF-8 text: it has NUL bytes (the first at offset {nul}), as binary files and "
            "UTF-16 text do. Save the table as CSV (UTF-8) or xlsx."
        )
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = start + err.start
        line = data.count(b"\n", 0, offset) + 1
        hint = " (it starts with a UTF-16 byte-order mark)" if utf16 else ""
        raise DataFormatError(
            f"{label} is not UTF-8 text{hint}: byte 0x{data[offset]:02x} at offset {offset} (line {line}) "
            "cannot be decoded. Save the file as UTF-8 (in Excel: 'CSV UTF-8') and try again."
        ) from err


def _pick_delimiter(text: str, kind: str) -> str:
    if kind in ("tsv", "tab"):
        return "\t"
    header = next((line for line in text.splitlines() if line.strip()), "")
    if kind == "csv":
        if "," in header:
            return ","
        others = [d for d in (";", "\t", "|") if d in header]
        return others[0] if len(others) == 1 else ","
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",\t;|").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _raw_header(text: str, delimiter: str) -> list[str]:
    """The first non-blank record, as written (pandas renames duplicates, so read it ourselves)."""
    with contextlib.suppress(csv.Error):  # pandas then says what is wrong with the text
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in record):
                return record
    return []


def _read_text(data: bytes, label: str, kind: str, notes: list[str]) -> pd.DataFrame:
    text = _decode_utf8(data, label)
    if not text.strip():
        raise DataFormatError(f"{label} is empty: it has no header and no rows.")
    delimiter = _pick_delimiter(text, kind)
    header = _raw_header(text, delimiter)
    check_unique_names(header, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # pandas would drop the extra fields
            # cells as written (NA, None, n/a stay text) so that prepare_dataset reads and reports them
            df = pd.read_csv(
                io.StringIO(text), sep=delimiter, low_memory=False, index_col=False, keep_default_na=False,
                na_values=[""],
            )  # fmt: skip
    except pd.errors.EmptyDataError as err:
        raise DataFormatError(f"{label} is empty: it has no header and no rows.") from err
    except pd.errors.ParserWarning as err:
        raise DataFormatError(
            f"{label} has rows with more fields than its header ({len(header)} names), e.g. line "
            f"{_first_long_line(text, delimiter, len(header))}: name every column or remove the extra fields."
        ) from err
    except (pd.errors.ParserError, ValueError) as err:
        first_line = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise DataFormatError(f"Cannot parse {label} as delimited text: {clip(first_line, 120)}") from err
    _check_not_space_separated(df, label)
    if kind == "csv" and delimiter != ",":
        notes.append(f"read as separated by {delimiter!r}, not commas")
    df.attrs[TABLE_DELIMITER] = delimiter
    return df


def _first_long_line(text: str, delimiter: str, n_names: int) -> int:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    with contextlib.suppress(csv.Error):
        return next((reader.line_num for record in reader if len(record) > n_names), 0)
    return 0


def _check_not_space_separated(df: pd.DataFrame, label: str) -> None:
    """Refuse a table read as one column whose name and first cell both split at spaces into as many parts."""
    if df.shape[1] != 1 or len(df) == 0:
        return
    name, first = str(df.columns[0]), df.iloc[0, 0]
    parts = name.split()
    if len(parts) > 1 and isinstance(first, str) and len(first.split()) == len(parts):
        raise DataFormatError(
            f"{label} was read as one column named {quote(name)}: its fields look separated by spaces. "
            "Separate them with commas, semicolons, tabs or '|'."
        )


def _read_parquet(data: bytes, label: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        check_unique_names(list(parquet.schema_arrow.names), label)
        df = parquet.read().to_pandas()
    except (pa.ArrowException, OSError, ValueError) as err:
        raise DataFormatError(
            f"Cannot read {label} as parquet (corrupt or not parquet): {clip(str(err), 120)}"
        ) from err
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
    data, name = _read_source(source, MAX_BYTES)
    with _excel_errors(quote(name or "data"), data):
        return list(pd.ExcelFile(io.BytesIO(data), engine="openpyxl").sheet_names)


@contextlib.contextmanager
def _excel_errors(label: str, data: bytes) -> Iterator[None]:
    """Turn what a corrupt or foreign file makes openpyxl raise into one :class:`DataFormatError`."""
    from openpyxl.utils.exceptions import InvalidFileException

    foreign = _foreign(data)
    if foreign is not None:
        raise DataFormatError(f"{label} looks like {foreign}, not an xlsx workbook: save it as xlsx or CSV (UTF-8).")
    try:
        yield
    except DataFormatError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise DataFormatError(
            f"Cannot read {label} as an xlsx workbook (corrupt or not xlsx): {clip(str(err), 120)}"
        ) from err


def _read_excel(data: bytes, label: str, sheet: str | None, notes: list[str]) -> pd.DataFrame:
    with _excel_errors(label, data):
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        names = [str(s) for s in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise DataFormatError(
                fit(
                    f"{label} has no sheet {quote(sheet)}; its sheets are {examples(names, limit=8)}.",
                    f"{label} has no sheet {quote(sheet)}; it has {len(names)} sheets: {examples(names)}.",
                )
            )
        chosen = sheet if sheet is not None else names[0]
        header = pd.read_excel(book, sheet_name=chosen, header=None, nrows=1)
        if header.shape[0]:
            check_unique_names(["" if pd.isna(v) else str(v) for v in header.iloc[0].tolist()], label)
        # cells as written (NA, None, n/a stay text) so that prepare_dataset reads and reports them
        df = pd.read_excel(book, sheet_name=chosen, keep_default_na=False, na_values=[""])
    if df.shape[1] == 0:
        raise DataFormatError(f"Sheet {quote(chosen)} of {label} is empty: it has no header and no rows.")
    if sheet is None and len(names) > 1:
        notes.append(fit(f"read sheet {quote(chosen)}, the first of {len(names)}: {examples(names, limit=5)}"))
    return df


def check_unique_names(names: list[str], label: str) -> None:
    """Raise :class:`DataFormatError` naming the duplicated column names and their positions (from 1).

    Blank names are skipped: readers name them ``Unnamed: <i>``, which is unique. ``label`` is the file,
    already quoted. At most three names (and four positions each) are listed; the rest are counted.
    """
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name != "":
            positions.setdefault(name, []).append(i)
    dupes = {name: pos for name, pos in positions.items() if len(pos) > 1}
    if dupes:
        shown = [f"{quote(name, 30)} (columns {_positions(pos)})" for name, pos in dupes.items()]
        raise DataFormatError(
            f"Duplicate column names in {label}: {listed(shown, limit=3)}. Give every column a unique name."
        )


def _positions(pos: list[int]) -> str:
    return join_and(pos) if len(pos) <= 4 else f"{', '.join(map(str, pos[:3]))} and {len(pos) - 3} more"


def read_source_name(source: Source) -> str | None:
    if isinstance(source, str | Path):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) and name else None
