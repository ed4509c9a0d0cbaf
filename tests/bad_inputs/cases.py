"""The bad-input corpus, described once: each file, the target to use, and what must come of it.

Every case either loads, with a report of what was dropped and why (:class:`Ok`), or is refused with one short,
specific message (:class:`Refused`); never a traceback or a hang. ``tests/test_bad_inputs.py`` checks the API
and the CLI against this table; the app tests (AppTest and the real browser) reuse it. It needs neither pytest
nor hnnviz to import::

    sys.path.insert(0, "tests")
    from bad_inputs.cases import CASES, case_file

    for case in CASES:
        path = case_file(case, tmp_dir)  # a checked-in file, or one written by make.py into tmp_dir

Small files sit in this folder; large, binary or split-dependent ones are written by :mod:`bad_inputs.make`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .make import MAKERS, OVER_LIMIT_BYTES, make

__all__ = ["CASES", "HERE", "Case", "Drop", "Ok", "Refused", "Trains", "case_file"]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Drop:
    """One reported drop: the item's ``name`` (a column, or a description of rows such as ``"rows with missing
    values"``) and a fragment of its ``reason``."""

    name: str
    reason: str


@dataclass(frozen=True)
class Ok:
    """The file loads.

    Parameters
    ----------
    features, rows : int
        Features and rows kept.
    dropped : tuple of Drop
        Drops that must be reported (others may be too).
    notes : tuple of str
        Fragments of notes that must be reported (how cells were read, which sheet).
    classes : int, optional
        Number of classes, for a classification target.
    """

    features: int
    rows: int
    dropped: tuple[Drop, ...] = ()
    notes: tuple[str, ...] = ()
    classes: int | None = None


@dataclass(frozen=True)
class Refused:
    """The file is refused with one message of the exception class ``error`` (a name in
    :mod:`hnnviz.exceptions`) that contains ``message``."""

    error: str
    message: str


@dataclass(frozen=True)
class Trains:
    """``hnnviz train`` on the file succeeds (a few epochs)."""


@dataclass(frozen=True)
class Case:
    """One bad input.

    Parameters
    ----------
    name : str
        Short id.
    file : str
        File name: in this folder, or a key of :data:`bad_inputs.make.MAKERS`.
    expect : Ok or Refused
        What loading it with ``target`` (and ``sheet``) must give.
    what : str
        The defect, in words.
    target, sheet : str, optional
        Passed to ``load_dataset`` (``--target``/``--sheet`` in the CLI; the app's target and sheet pickers).
    max_bytes : int, optional
        Read with this size limit instead of the default (``MAX_BYTES``, 200 MiB, the app's upload limit).
    train : Trains or Refused, optional
        What ``hnnviz train`` on it must give, where training matters.
    """

    name: str
    file: str
    expect: Ok | Refused
    what: str
    target: str | None = None
    sheet: str | None = None
    max_bytes: int | None = None
    train: Trains | Refused | None = field(default=None)

    @property
    def generated(self) -> bool:
        """Whether the file is written by make.py rather than checked in."""
        return self.file in MAKERS


def case_file(case: Case, folder: Path) -> Path:
    """The path of the case's file: checked in here, or written into ``folder`` by make.py (once)."""
    return make(case.file, Path(folder)) if case.generated else HERE / case.file


_ROWS = Drop("rows with missing values", "missing")

CASES: tuple[Case, ...] = (
    # ---- not a table ---------------------------------------------------------------------------------------------
    Case("empty", "empty.csv", Refused("DataFormatError", "'empty.csv' is empty"), "0 bytes", target="y"),
    Case("blank_lines", "blank_lines.csv", Refused("DataFormatError", "is empty"), "only blank lines"),
    Case(
        "header_only",
        "header_only.csv",
        Refused("DataFormatError", "has a header (5 columns) but no data rows"),
        "a header and no rows",
        target="y",
    ),
    Case(
        "latin1",
        "latin1.csv",
        Refused("DataFormatError", "is not UTF-8 text: byte 0xe8 at offset 16 (line 2)"),
        "Latin-1 text (non-UTF-8)",
    ),
    Case("utf16", "utf16.csv", Refused("DataFormatError", "UTF-16 byte-order mark"), "UTF-16 text", target="y"),
    Case("binary", "binary.csv", Refused("DataFormatError", "NUL bytes"), "random bytes named .csv", target="y"),
    Case("image", "image.csv", Refused("DataFormatError", "looks like a PNG image"), "a PNG named .csv"),
    Case(
        "old_excel",
        "old_excel.xlsx",
        Refused("DataFormatError", "looks like an Excel 97-2003 (.xls) workbook"),
        "an .xls workbook named .xlsx",
    ),
    Case(
        "xlsx_named_csv",
        "xlsx_named_csv.csv",
        Refused("DataFormatError", "looks like an xlsx file, not text"),
        "a workbook named .csv",
    ),
    Case(
        "corrupt_parquet",
        "corrupt.parquet",
        Refused("DataFormatError", "Cannot read 'corrupt.parquet' as parquet"),
        "parquet magic around garbage",
    ),
    Case(
        "unknown_extension",
        "table.json",
        Refused("DataFormatError", "Cannot tell the format of 'table.json'"),
        "a JSON file",
    ),
    Case(
        "over_limit",
        "over_limit.csv",
        Refused("DataFormatError", "over the 1.0 MB limit"),
        "a file over the size limit (tested with a 1 MiB limit; the default is the app's 200 MiB)",
        max_bytes=OVER_LIMIT_BYTES,
    ),
    # ---- text that does not split into columns ---------------------------------------------------------------------
    Case(
        "pipe_delimiter",
        "pipe.csv",
        Ok(5, 40, notes=("read as separated by '|'",)),
        "'|' as the delimiter of a .csv",
        target="y",
    ),
    Case(
        "space_delimiter",
        "spaces.csv",
        Refused("DataFormatError", "its fields look separated by spaces"),
        "fields separated by spaces",
        target="y",
    ),
    Case(
        "more_fields_than_header",
        "more_fields.csv",
        Refused("DataFormatError", "has rows with more fields than its header (5 names), e.g. line 2"),
        "every row has one field more than the header (pandas would shift the columns)",
        target="y",
    ),
    Case(
        "ragged",
        "ragged.csv",
        Refused("DataFormatError", "Expected 6 fields in line 8, saw 7"),
        "one row with an extra field",
        target="y",
    ),
    Case(
        "bom_crlf",
        "bom_crlf.csv",
        Ok(5, 40, (Drop("Unnamed: 6", "more than half missing (100%)"),)),
        "UTF-8 byte-order mark, CRLF line ends and a delimiter at the end of every line",
        target="y",
    ),
    # ---- numbers written in other ways -----------------------------------------------------------------------------
    Case(
        "decimal_commas",
        "decimal_commas.csv",
        Ok(5, 40, notes=("column 'a': read '0,126' as 0.126 (decimal commas, 40 cells)", "separated by ';'")),
        "a ';' CSV with decimal commas",
        target="y",
    ),
    Case(
        "ambiguous_commas",
        "ambiguous_commas.tsv",
        Ok(5, 40, (Drop("price", "ambiguous: '642,494' in row 1 may be 642494 or 642.494"),)),
        "a TSV column of 'ddd,ddd' values: thousands separators or decimal commas?",
        target="y",
    ),
    Case(
        "mixed_decimals",
        "mixed_decimals.csv",
        Ok(5, 40, (Drop("rate", "mixes decimal commas ('2,81' in row 2) and decimal points ('1.23' in row 1)"),)),
        "a column with both decimal commas and decimal points",
        target="y",
    ),
    Case(
        "thousands",
        "thousands.csv",
        Ok(7, 40, notes=("read '41,140.4' as 41140.4 (thousands separators", "read '7,217' as 7217")),
        "quoted numbers with thousands separators in a comma CSV",
        target="y",
    ),
    # ---- missing and non-finite values ------------------------------------------------------------------------------
    Case(
        "nan_and_inf",
        "nan_inf.csv",
        Ok(5, 35, (Drop("rows with missing values", "missing or infinite values in 'a' (2 rows)"),)),
        "nan, inf, -inf and empty cells",
        target="y",
    ),
    Case(
        "missing_tokens",
        "missing_tokens.csv",
        Ok(5, 26, (_ROWS,), notes=("column 'a': read '?' (1 cell)", "'#N/A' (1 cell)", "'None' (1 cell)")),
        "?, -, n/a, N/A, NA, na, null, NULL, none, None, nan, NaN, #N/A and a blank cell, one per row",
        target="y",
    ),
    Case(
        "mostly_missing",
        "mostly_missing.csv",
        Ok(5, 40, (Drop("mostly", "more than half missing (70%)"),), notes=("'?' (28 cells) as missing",)),
        "a column 70% '?'",
        target="y",
    ),
    Case(
        "category_words",
        "categories.csv",
        Ok(5, 40, (Drop("severity", "non-numeric (e.g. 'some' in row 2"),), classes=3),
        "a none/some/many feature (not numeric) and a none/mild/severe target ('none' is a class)",
        target="grade",
    ),
    Case(
        "all_text",
        "all_text.csv",
        Refused("TooFewFeaturesError", "Only 0 usable feature columns remain"),
        "only text columns",
        target="label",
    ),
    # ---- uninformative or unusable columns -------------------------------------------------------------------------
    Case(
        "constant_and_duplicate",
        "constant_duplicate.csv",
        Ok(5, 40, (Drop("flat", "constant (every value is 2.5)"), Drop("b_again", "duplicate of column 'b'"))),
        "a constant column and a copy of another",
        target="y",
    ),
    Case(
        "duplicate_names",
        "duplicate_names.csv",
        Refused("DataFormatError", "Duplicate column names in 'duplicate_names.csv': 'a' (columns 1 and 3)"),
        "two columns named 'a'",
        target="y",
    ),
    Case("one_row", "one_row.csv", Refused("TooFewRowsError", "Only 1 usable row remains"), "one data row", target="y"),
    Case(
        "three_columns",
        "three_columns.csv",
        Refused("TooFewFeaturesError", "Only 3 usable feature columns remain ('a', 'b', 'c')"),
        "three columns, no target",
    ),
    Case(
        "constant_on_train",
        "constant_on_train.csv",
        Ok(6, 60),
        "a column constant on the training rows of the default split (not in the file)",
        target="y",
        train=Trains(),
    ),
    Case(
        "long_names",
        "long_names.csv",
        Refused("InputValidationError", "Target column 'nope' not found. Columns: 'a', 'b'"),
        "a 5,000-character column name and a 3,000-character cell; an unknown target",
        target="nope",
    ),
    # ---- the target ------------------------------------------------------------------------------------------------
    Case(
        "target_nan",
        "target_nan.csv",
        Ok(5, 37, (Drop("rows with missing target", "missing value in 'y'"),)),
        "3 empty target cells",
        target="y",
    ),
    Case(
        "target_tokens",
        "target_tokens.csv",
        Ok(5, 37, (Drop("rows with missing target", "read '?' (2 cells), 'n/a' (1 cell) as missing"),)),
        "'?' and 'n/a' in a numeric target",
        target="y",
    ),
    Case(
        "constant_target",
        "constant_target.csv",
        Refused("InputValidationError", "Target 'y' is constant (every value is 4.0)"),
        "the target is 4 on every row",
        target="y",
        train=Refused("InputValidationError", "Target 'y' is constant"),
    ),
    Case(
        "one_class",
        "one_class.csv",
        Refused("InputValidationError", "Target 'label' is constant (every value is 'yes')"),
        "a single class",
        target="label",
        train=Refused("InputValidationError", "Target 'label' is constant"),
    ),
    Case(
        "single_row_class",
        "single_row_class.csv",
        Refused("InputValidationError", "class 'maybe' has a single row"),
        "one class with one row",
        target="label",
    ),
    Case(
        "hundreds_of_classes",
        "hundreds_of_classes.csv",
        Ok(5, 900, classes=300),
        "300 classes of 3 rows",
        target="species",
    ),
    Case(
        "id_target",
        "id_target.csv",
        Refused("InputValidationError", "600 classes have a single row (e.g. 'row-0000', 'row-0001', 'row-0002' ...)"),
        "an identifier as the target: 600 one-row classes",
        target="id",
    ),
    # ---- workbooks -------------------------------------------------------------------------------------------------
    Case(
        "workbook_first_sheet",
        "sheets.xlsx",
        Ok(5, 40, notes=("read sheet 'data', the first of 3: 'data', 'notes', 'empty'",)),
        "a workbook of three sheets, read without naming one",
        target="y",
    ),
    Case(
        "workbook_text_sheet",
        "sheets.xlsx",
        Refused("TooFewFeaturesError", "Only 0 usable feature columns remain"),
        "the workbook's text-only sheet",
        sheet="notes",
    ),
    Case(
        "workbook_empty_sheet",
        "sheets.xlsx",
        Refused("DataFormatError", "Sheet 'empty' of 'sheets.xlsx' is empty"),
        "the workbook's empty sheet",
        sheet="empty",
    ),
    # ---- first contact: columns that would mislead every later page ------------------------------------------
    Case(
        "id_columns",
        "id_columns.csv",
        Ok(4, 40, (Drop("customer_id", "identifier: named like one"), Drop("row", "identifier: row numbers (1 to 40"))),
        "a customer number (random, named like an ID) and a row number",
        target="y",
        train=Trains(),
    ),
    Case(
        "leak_log_copy",
        "leak_log_copy.csv",
        Ok(4, 40, (Drop("log_price", "leaks the target 'price': Spearman +1.000"),)),
        "the log of the target (a price) beside it",
        target="price",
        train=Trains(),
    ),
    Case(
        "sparse_columns",
        "sparse_columns.csv",
        Ok(5, 36, (Drop("survey", "more than half missing (70%)"), Drop("rows with missing values", "x_few_missing"))),
        "a column missing in 70% of rows, another in 4 rows",
        target="y",
    ),
    Case(
        "two_level_text",
        "two_level_text.csv",
        Ok(6, 40, notes=("'no' as 0 and 'yes' as 1", "'female' as 0 and 'male' as 1"), classes=2),
        "yes/no and female/male columns, an ill/well target",
        target="outcome",
        train=Trains(),
    ),
    # ---- size ------------------------------------------------------------------------------------------------------
    Case(
        "columns_2000",
        "wide_2000.csv",
        Ok(
            1990,
            100,
            (Drop("const0", "constant"), Drop("copy2", "duplicate of column 'f0002'"), Drop("text1", "non-numeric")),
        ),
        "2,000 columns: 4 constant, 3 duplicates, 3 text",
        target="y",
    ),
    Case(
        "rows_200000",
        "rows_200000.csv",
        Ok(6, 199_800, (Drop("rows with missing values", "missing values in 'c' (200 rows)"),), ("'?' (200 cells)",)),
        "200,000 rows, '?' in 200 cells",
        target="y",
    ),
)
