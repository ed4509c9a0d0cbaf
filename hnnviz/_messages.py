"""Short wording helpers shared by every stage: quoted values cut to a few words, lists that stop after a few
items, plurals, counts in words, numbers. Every message and drop reason stays one line of at most ``MAX_MESSAGE``
characters, however long the file's names, values or lists are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import short_repr

#: Longest message (or drop reason) the data sub-package builds.
MAX_MESSAGE = 300

#: Items a message lists before it counts the rest.
MAX_LISTED = 8

#: Longest quoted name or value inside a message, quotes included.
MAX_QUOTED = 40


def join_and(items: Sequence[Any]) -> str:
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def join_or(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def listed(items: Sequence[str], sep: str = ", ", limit: int = MAX_LISTED) -> str:
    """Join at most ``limit`` items, then say how many more there are.

    Examples
    --------
    >>> listed(["a", "b", "c", "d"], limit=2)
    'a, b, and 2 more'
    """
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"and {len(items) - limit} more")
    return sep.join(shown)


def quote(value: Any, limit: int = MAX_QUOTED) -> str:
    """A name or cell value as it reads in a message: ``repr`` of text, numbers as :func:`fmt_value`, cut to
    ``limit`` characters.

    Examples
    --------
    >>> quote("price"), quote(3.0), quote("x" * 100, limit=10)
    ("'price'", '3.0', "'xxx...'")
    """
    if isinstance(value, str):
        return short_repr(value, limit)
    return clip(fmt_value(value), limit)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 3)] + "..."


def examples(items: Sequence[Any], limit: int = 3) -> str:
    """Up to ``limit`` quoted items, ``...`` when there are more: ``'a', 'b', 'c' ...``.

    Examples
    --------
    >>> examples(["a", "b", "c", "d"]), examples([1.5])
    ("'a', 'b', 'c' ...", '1.5')
    """
    shown = ", ".join(quote(v) for v in items[:limit])
    return shown + (" ..." if len(items) > limit else "")


def fit(*candidates: str, limit: int = MAX_MESSAGE) -> str:
    """The first candidate (the most detailed first) of at most ``limit`` characters; else the last one, cut.

    Examples
    --------
    >>> fit("a long message", "short", limit=6)
    'short'
    >>> fit("a long message", limit=9)
    'a long...'
    """
    for text in candidates:
        if len(text) <= limit:
            return text
    return clip(candidates[-1], limit)


def plural(n: int, one: str, many: str) -> str:
    """``one`` with "remains" for n == 1 (e.g. "column remains"), else ``many``."""
    return f"{one} remains" if n == 1 else many


def count(n: int, noun: str) -> str:
    """``"1 row"``, ``"3 rows"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fmt_value(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return repr(value.item() if isinstance(value, np.generic) else value)


def fmt_number(value: float, digits: int = 4) -> str:
    """A number for people: ``digits`` significant digits, thousands separators, no exponent between 1e-4 and 1e15.

    Trailing zeros after the decimal point are dropped; NaN and infinities read ``"—"``.

    Examples
    --------
    >>> fmt_number(181_100.0), fmt_number(18_113.2345), fmt_number(57.5816), fmt_number(0.35)
    ('181,100', '18,113', '57.58', '0.35')
    >>> fmt_number(-0.000123456), fmt_number(0), fmt_number(3e-9), fmt_number(float("nan"))
    ('-0.0001235', '0', '3e-09', '—')
    """
    value = float(value)
    if not np.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    magnitude = int(np.floor(np.log10(abs(value))))
    if magnitude >= digits - 1 and magnitude < 15:
        return f"{value:,.0f}"
    if -4 <= magnitude < digits - 1:
        return f"{value:,.{digits - 1 - magnitude}f}".rstrip("0").rstrip(".")
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"


def fmt_pct(frac: float) -> str:
    pct = 100.0 * frac
    return f"{pct:.0f}%" if round(pct) > 50 else f"{pct:.1f}%"


#: Display names of the first simplex orders: a vertex (an input feature), an edge, a triangle, a tetrahedron.
ORDER_NAMES = ("inputs", "edges", "triangles", "tetrahedra")
_UNIT_NAMES = ("input", "edge", "triangle", "tetrahedron")


def order_name(k: int, *, plural: bool = True) -> str:
    """``"triangles"`` (``"triangle"``) for order 2; ``"order 5"`` beyond tetrahedra.

    Examples
    --------
    >>> order_name(2), order_name(3, plural=False), order_name(5)
    ('triangles', 'tetrahedron', 'order 5')
    """
    names = ORDER_NAMES if plural else _UNIT_NAMES
    return names[k] if k < len(names) else f"order {k}"


def one_line(text: str) -> str:
    """``text`` on one line, its white space folded and a final full stop dropped (to end a longer message).

    Examples
    --------
    >>> one_line("Bad  value.   Try again.")
    'Bad value. Try again'
    """
    return " ".join(text.split()).rstrip(".")


def json_kind(value: Any) -> str:
    """A JSON value for a message: its JSON type and a clipped repr.

    Examples
    --------
    >>> json_kind("2"), json_kind(None), json_kind([1, 2])
    ("string '2'", 'null', 'array [1, 2]')
    """
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "int", float: "float"}
    if value is None:
        return "null"
    return f"{names.get(type(value), type(value).__name__)} {clip(repr(value), 40)}"


def size_text(n: int) -> str:
    """Bytes for people: ``512 bytes``, ``3.0 MiB``, ``2.0 GiB``.

    Examples
    --------
    >>> size_text(512), size_text(3 * 2**20)
    ('512 bytes', '3.0 MiB')
    """
    if n < 1024:
        return f"{n} bytes"
    value, unit = n / 1024, "KiB"
    for larger in ("MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}"
