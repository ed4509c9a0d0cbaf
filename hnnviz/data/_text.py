"""Short wording helpers shared by the data messages: lists that stop after a few items, plurals, numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_LISTED = 8


def join_and(items: list[Any]) -> str:
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def listed(items: list[str], sep: str = ", ") -> str:
    """Join at most ``MAX_LISTED`` items, then say how many more there are."""
    shown = list(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown.append(f"and {len(items) - MAX_LISTED} more")
    return sep.join(shown)


def plural(n: int, one: str, many: str) -> str:
    """``one`` with "remains" for n == 1 (e.g. "column remains"), else ``many``."""
    return f"{one} remains" if n == 1 else many


def fmt_value(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return repr(value.item() if isinstance(value, np.generic) else value)


def fmt_pct(frac: float) -> str:
    pct = 100.0 * frac
    return f"{pct:.0f}%" if round(pct) > 50 else f"{pct:.1f}%"
