"""Read a column's cells as numbers: missing-value tokens, thousands separators and decimal commas.

A column is numeric when every cell is missing (empty, NaN, blank or a token of :data:`MISSING_TOKENS`) or a
number: written plainly (``1.5``, ``-2e3``, ``inf``), with thousands separators used throughout the column
(``18,613.6``), or with decimal commas used throughout the column (``3,14``, ``1.234,5``). A cell such as
``1,234`` fits both readings; then the file's delimiter decides (``;`` means decimal commas, ``,`` means thousands
separators, as the value had to be quoted), and otherwise the column stays text with a reason that names the
ambiguity. Everything read differently from how it is written is described in :attr:`NumericReading.note`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._messages import count, fmt_value, listed, quote

__all__ = [
    "LABEL_WORDS", "MISSING_TOKENS", "NumericReading", "find_missing", "read_numbers", "read_two_levels", "tokens_text",
]  # fmt: skip

#: Cells read as missing values, compared in lower case after stripping spaces (blank cells are missing too).
#: pandas' own defaults are included, since :func:`~hnnviz.data.read_table` turns them off to report them.
MISSING_TOKENS: frozenset[str] = frozenset(
    {"?", "-", "--", ".", "n/a", "na", "#n/a", "#n/a n/a", "#na", "<na>", "null", "none", "nan", "-nan"}
    | {"1.#ind", "-1.#ind", "1.#qnan", "-1.#qnan"}
)

#: Tokens that are also plausible class labels (``none``/``mild``/``severe``): a text target keeps them as labels.
LABEL_WORDS: frozenset[str] = frozenset({"none"})

_THOUSANDS = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?"  # 18,613.6 (never 0,126)
_DECIMAL_COMMA = r"[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?"  # 3,14 and 1.234,5 (and plain integers)


@dataclass(frozen=True)
class NumericReading:
    """What reading one column's cells as numbers gave.

    Parameters
    ----------
    values : numpy.ndarray or None
        float64, NaN where a cell is missing (infinities kept); ``None`` when the column is not numeric.
    missing_tokens : tuple of (str, int)
        Cells read as missing (as written, ``""`` for blank), with their counts, most frequent first.
    converted : str
        How written numbers were read, e.g. ``"'18,613.6' as 18613.6 (thousands separators, 57 cells)"``.
    example : object
        Not numeric: the first cell that is not a number (``None`` if the column has no values at all).
    row : int
        Not numeric: the example's row number, counted from 1 (see :func:`read_numbers`).
    n_bad : int
        Not numeric: how many cells are not numbers.
    problem : str
        Not numeric: why cells that look like numbers were not read as numbers (e.g. an ambiguous comma).
    """

    values: np.ndarray | None
    missing_tokens: tuple[tuple[str, int], ...] = ()
    converted: str = ""
    example: Any = None
    row: int = 0
    n_bad: int = 0
    problem: str = ""

    @property
    def note(self) -> str:
        """One line on what was read differently from how it is written ("" if nothing was).

        Examples
        --------
        >>> reading = read_numbers(pd.Series(["1,234.5", "?", "7", "?"]))
        >>> reading.note
        "read '1,234.5' as 1234.5 (thousands separators, 1 cell); '?' (2 cells) as missing"
        """
        parts = [self.converted] if self.converted else []
        if self.missing_tokens:
            parts.append(tokens_text(self.missing_tokens))
        return "read " + "; ".join(parts) if parts else ""


def tokens_text(tokens: tuple[tuple[str, int], ...]) -> str:
    """``"'?' (3 cells), blank (1 cell) as missing"``: at most 4 tokens, then how many more.

    Examples
    --------
    >>> tokens_text((("?", 3), ("", 1)))
    "'?' (3 cells), blank (1 cell) as missing"
    """
    shown = [f"{'blank' if token == '' else quote(token, 12)} ({count(n, 'cell')})" for token, n in tokens]
    return f"{listed(shown, limit=4)} as missing"


def find_missing(col: pd.Series, *, labels: bool = False) -> tuple[np.ndarray, tuple[tuple[str, int], ...]]:
    """Mask of missing cells (NA, blank text, a token of :data:`MISSING_TOKENS`) and the tokens found.

    Parameters
    ----------
    col : pandas.Series
        Any column.
    labels : bool, default False
        The column holds class labels: :data:`LABEL_WORDS` are labels there, not missing values.

    Returns
    -------
    mask : numpy.ndarray of bool
    tokens : tuple of (str, int)
        Each token as written (``""`` for blank text) and its number of cells, most frequent first.

    Examples
    --------
    >>> mask, tokens = find_missing(pd.Series(["a", "?", None, " ", "None", "?"]), labels=True)
    >>> mask.tolist(), tokens
    ([False, True, True, True, False, True], (('?', 2), ('', 1)))
    """
    col = col.reset_index(drop=True)  # labels = positions
    mask = col.isna().to_numpy(dtype=bool, copy=True)
    text = _text_cells(col)
    if text.empty:
        return mask, ()
    lower = text.str.lower()
    token = lower.isin(MISSING_TOKENS) | (text == "")
    if labels:
        token &= ~lower.isin(LABEL_WORDS)
    found = text[token]
    mask[found.index.to_numpy()] = True
    return mask, tuple((str(t), int(n)) for t, n in found.value_counts(sort=True).items())


def _text_cells(col: pd.Series) -> pd.Series:
    """The text cells of ``col`` (not NA), stripped, with their row labels."""
    dtype = col.dtype
    if isinstance(dtype, pd.StringDtype):
        return col.dropna().astype(object).str.strip()
    if not pd.api.types.is_object_dtype(dtype):
        return pd.Series([], dtype=object)
    cells = col[col.map(lambda v: isinstance(v, str)).astype(bool)]
    return cells.astype(object).str.strip()


def read_numbers(col: pd.Series, delimiter: str | None = None) -> NumericReading:
    """Read the cells of ``col`` as numbers, if they all are numbers or missing.

    Parameters
    ----------
    col : pandas.Series
        One column of a table. Messages name a row by its integer label plus 1 (:func:`prepare_dataset` labels
        rows by their position in the file), or by its position plus 1 when labels are not integers.
    delimiter : str, optional
        The delimiter of the text file the column came from; decides ``1,234`` (see the module notes).

    Returns
    -------
    NumericReading

    Examples
    --------
    >>> read_numbers(pd.Series(["3,14", "2", "n/a"]), delimiter=";").values.tolist()
    [3.14, 2.0, nan]
    >>> reading = read_numbers(pd.Series(["1,234", "5,678"]))
    >>> reading.values is None, reading.problem
    (True, "ambiguous: '1,234' in row 1 may be 1234 or 1.234: the comma may separate thousands or decimals")
    >>> read_numbers(pd.Series(["none", "some", "none"])).example
    'some'
    """
    labels = col.index
    col = col.reset_index(drop=True)  # work by position
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return NumericReading(col.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return NumericReading(col.to_numpy(dtype=np.float64, na_value=np.nan))
    if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
        present = np.flatnonzero(col.notna().to_numpy())
        if not present.size:
            return NumericReading(None)
        pos = int(present[0])
        return NumericReading(None, example=col.iloc[pos], row=_row(labels, pos), n_bad=int(present.size))
    missing, tokens = find_missing(col)
    cells = col.astype(object).where(~missing, None)
    values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    bad = ~missing & np.isnan(values)
    if not bad.any():
        return NumericReading(values, tokens)
    text = _text_cells(col[~missing])
    at = text.index.to_numpy()
    converted, problem = None, ""
    if bad[at].sum() == bad.sum():  # every odd cell is text: perhaps numbers written another way
        converted, problem = _written_numbers(text, bad[at], delimiter, labels)
    if converted is not None:
        values[at] = converted[0]
        return NumericReading(values, tokens, converted=converted[1])
    written = np.zeros_like(bad)  # the example: a cell that is no number however written, if there is one
    written[at] = text.str.fullmatch(_THOUSANDS).to_numpy(bool) | text.str.fullmatch(_DECIMAL_COMMA).to_numpy(bool)
    strange = bad & ~written
    pos = int(np.flatnonzero(strange if strange.any() else bad)[0])
    return NumericReading(
        None, tokens, example=col.iloc[pos], row=_row(labels, pos), n_bad=int(bad.sum()), problem=problem
    )


def read_two_levels(col: pd.Series) -> tuple[np.ndarray, tuple[str, str]] | None:
    """Read a text (or category) column of exactly two values, missing cells aside, as 0/1.

    Missing-value tokens are missing, except ``none``, a value here as in a class label (see
    :func:`find_missing`). The values are compared as written, spaces at either end stripped; the one first in
    alphabetical order (ignoring case) reads as 0, so ``f``/``m``, ``no``/``yes`` and ``false``/``true`` read
    as 0/1.

    Returns
    -------
    tuple or None
        ``(values, levels)``: float64 values (NaN where a cell is missing) and the two values, the one read as
        0 first; ``None`` when the column is not text or category, or holds another number of values.

    Examples
    --------
    >>> values, levels = read_two_levels(pd.Series(["m", "f", "?", " f"]))
    >>> values.tolist(), levels
    ([1.0, 0.0, nan, 0.0], ('f', 'm'))
    >>> read_two_levels(pd.Series(["a", "b", "c"])) is None
    True
    """
    col = col.reset_index(drop=True)
    categorical = isinstance(col.dtype, pd.CategoricalDtype)
    if categorical:
        col = col.astype(object)
    elif not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
        return None
    missing = find_missing(col, labels=True)[0]
    present = col[~missing]
    if not categorical and not present.map(lambda v: isinstance(v, str)).all():
        return None
    text = present.astype(str).str.strip()
    distinct = sorted(pd.unique(text), key=lambda v: (v.lower(), v))
    if len(distinct) != 2:
        return None
    values = np.full(len(col), np.nan)
    values[text.index.to_numpy()] = (text == distinct[1]).to_numpy(dtype=np.float64)
    return values, (distinct[0], distinct[1])


def _row(labels: pd.Index, pos: int) -> int:
    """The row number of position ``pos``: its integer label plus 1, else the position plus 1."""
    label = labels[pos]
    return int(label) + 1 if isinstance(label, int | np.integer) else pos + 1


def _written_numbers(
    text: pd.Series, bad: np.ndarray, delimiter: str | None, labels: pd.Index
) -> tuple[tuple[np.ndarray, str] | None, str]:
    """Read text cells written with thousands separators or decimal commas.

    ``text`` holds the stripped text cells that are not missing (labelled by position), ``bad`` marks those
    that are not plain numbers, ``labels`` are the column's row labels. Returns ``((values of every text cell,
    what was done), "")`` when one reading fits the column, else ``(None, problem)`` where ``problem`` says why
    ("" when the cells simply are not numbers).
    """
    odd = text[bad]
    thousands = bool(odd.str.fullmatch(_THOUSANDS).all())
    decimal_comma = bool(text.str.fullmatch(_DECIMAL_COMMA).all())
    if thousands and decimal_comma:  # e.g. "1,234": the delimiter decides
        thousands, decimal_comma = delimiter == ",", delimiter == ";"
        if not (thousands or decimal_comma):
            first = str(odd.iloc[0])
            return None, (
                f"ambiguous: {quote(first)} in row {_row(labels, odd.index[0])} may be "
                f"{fmt_number(_as_thousands(first))} or {fmt_number(_as_decimal_comma(first))}: "
                "the comma may separate thousands or decimals"
            )
    first = str(odd.iloc[0])
    if thousands:  # only the odd cells change; plain ones keep the value pandas read
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        values[bad] = [_as_thousands(t) for t in odd]
        what, read = "thousands separators", _as_thousands
    elif decimal_comma:  # every text cell changes: a point separates thousands here
        values = np.array([_as_decimal_comma(t) for t in text], dtype=np.float64)
        what, read = "decimal commas", _as_decimal_comma
    else:
        return None, _mixed_separators(text, bad, labels)
    return (values, f"{quote(first)} as {fmt_number(read(first))} ({what}, {count(len(odd), 'cell')})"), ""


def _mixed_separators(text: pd.Series, bad: np.ndarray, labels: pd.Index) -> str:
    """Why a column of decimal commas and decimal points is not read as numbers ("" if that is not the case)."""
    odd = text[bad]
    points = text[~bad & text.str.contains(".", regex=False).to_numpy(dtype=bool)]
    if not (len(points) and odd.str.fullmatch(_DECIMAL_COMMA).all()):
        return ""
    return (
        f"mixes decimal commas ({quote(odd.iloc[0])} in row {_row(labels, odd.index[0])}) "
        f"and decimal points ({quote(points.iloc[0])} in row {_row(labels, points.index[0])})"
    )


def _as_thousands(text: str) -> float:
    return float(text.replace(",", ""))


def _as_decimal_comma(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def fmt_number(value: float) -> str:
    """``1234.0`` as ``1234``, other floats as their ``repr``."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else fmt_value(float(value))
