"""Shared checks of arguments and arrays. Every message follows one pattern:

``The '<name>' parameter of <owner> must be <what>. Got <value> instead.``
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np

from .exceptions import InputValidationError

__all__ = ["check_in", "check_int", "check_number", "check_seed", "check_similarity_matrix", "short_repr"]

#: Longest ``repr`` of a user's value inside a message; messages stay one short line (at most 300 characters).
MAX_REPR = 60

#: Options of :func:`check_in` named in its message before the rest are counted.
MAX_OPTIONS = 8


def short_repr(value: Any, limit: int = MAX_REPR) -> str:
    """``repr(value)``, cut to at most ``limit`` characters with ``...`` so that a huge value keeps a message short.

    Examples
    --------
    >>> short_repr("abc")
    "'abc'"
    >>> short_repr("x" * 100, limit=12)
    "'xxxxxxx...'"
    >>> short_repr(list(range(100)), limit=12)
    '[0, 1, 2,...'
    >>> short_repr("y" * 11, limit=12)  # the quotes push it over: cut, and keep them
    "'yyyyyyy...'"
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):  # cut the text, keep the quotes (escapes make a repr longer than its text)
        cut = value[:limit]
        while len(cut) > 1 and len(repr(cut + "...")) > limit:
            cut = cut[:-1]
        return repr(cut + "...")
    return text[: max(1, limit - 3)] + "..."


def _fail(name: str, owner: str, must: str, got: Any) -> InputValidationError:
    return InputValidationError(f"The '{name}' parameter of {owner} must be {must}. Got {short_repr(got)} instead.")


def check_in(value: Any, options: Collection[Any], *, name: str, owner: str) -> Any:
    """Return ``value`` if it is one of ``options``, else raise :class:`InputValidationError`.

    The message names at most ``MAX_OPTIONS`` options (each cut to a short ``repr``) and counts the rest.
    """
    try:
        found = value in options
    except TypeError:  # an unhashable value asked of a set or dict
        found = False
    if not found:
        shown = [short_repr(o, 30) for o in list(options)[:MAX_OPTIONS]]
        more = len(options) - len(shown)
        choices = ", ".join(shown) + (f" ... ({len(options)} options)" if more > 0 else "")
        raise _fail(name, owner, f"one of {choices}", value)
    return value


def check_int(value: Any, *, name: str, owner: str, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` within ``[low, high]``, else raise :class:`InputValidationError`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise _fail(name, owner, "an int", value)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"in [{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise _fail(name, owner, f"an int {bounds}", value)
    return int(value)


def check_number(
    value: Any,
    *,
    name: str,
    owner: str,
    allow_inf: bool = False,
    low: float | None = None,
    high: float | None = None,
    closed: str = "both",
) -> float:
    """Return ``value`` as a ``float`` (not NaN; infinite only when allowed) within the given interval.

    ``closed`` says which bounds are included: ``"both"``, ``"left"``, ``"right"`` or ``"neither"``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise _fail(name, owner, "a number", value)
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise _fail(name, owner, "a finite number", value)
    left_ok = low is None or value > low or (value == low and closed in ("both", "left"))
    right_ok = high is None or value < high or (value == high and closed in ("both", "right"))
    if not (left_ok and right_ok):
        brackets = ("[" if closed in ("both", "left") else "(", "]" if closed in ("both", "right") else ")")
        interval = f"{brackets[0]}{'-inf' if low is None else low}, {'inf' if high is None else high}{brackets[1]}"
        raise _fail(name, owner, f"a number in {interval}", value)
    return value


def check_seed(seed: Any, *, owner: str, name: str = "seed") -> np.random.Generator:
    """Return a private :class:`numpy.random.Generator` for ``seed``, else raise :class:`InputValidationError`.

    ``seed`` may be an int >= 0 (a fresh generator seeded with it), a ``Generator`` (used as it is, so the
    caller's stream advances) or ``None`` (fresh OS entropy). The global numpy random state is never used.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise _fail(name, owner, "an int >= 0, a numpy Generator or None", seed)
    return np.random.default_rng(int(seed))


def check_rows(X: Any, n_features: int, *, name: str, owner: str, min_rows: int = 0) -> np.ndarray:
    """Rows of ``n_features`` finite numbers (at least ``min_rows`` of them) as a float64 array.

    Examples
    --------
    >>> check_rows([[1, 2]], 2, name="X", owner="f").dtype
    dtype('float64')
    >>> check_rows([[1.0, float("nan")]], 2, name="X", owner="f")
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The 'X' parameter of f must be finite. Got NaN or inf instead.
    """
    try:
        rows = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputValidationError(
            f"The '{name}' parameter of {owner} must be an array of numbers. Got {type(X).__name__} instead."
        ) from err
    if rows.ndim != 2 or rows.shape[1] != n_features or len(rows) < min_rows:
        raise InputValidationError(
            f"The '{name}' parameter of {owner} must be rows of {n_features} features. Got shape {rows.shape} instead."
        )
    if not np.isfinite(rows).all():
        raise InputValidationError(f"The '{name}' parameter of {owner} must be finite. Got NaN or inf instead.")
    return rows


def check_similarity_matrix(W: Any, *, owner: str, min_size: int = 1) -> np.ndarray:
    """Validate a similarity matrix and return it as a C-contiguous float64 array.

    It must be square, at least ``min_size`` x ``min_size``, finite, symmetric (to 1e-8 relative) and
    non-negative off the diagonal. The diagonal is ignored by every IFN and may hold anything finite.
    """
    try:
        W = np.ascontiguousarray(W, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise _fail("W", owner, "a numeric square matrix", type(W).__name__) from err
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise _fail("W", owner, "a square matrix", f"shape {W.shape}")
    if W.shape[0] < min_size:
        raise _fail("W", owner, f"at least {min_size} x {min_size}", f"shape {W.shape}")
    low, high = (float(W.min()), float(W.max())) if W.size else (0.0, 0.0)
    if not (np.isfinite(low) and np.isfinite(high)):  # min and max propagate NaN
        i, j = np.argwhere(~np.isfinite(W))[0]
        raise _fail("W", owner, "finite (no NaN or inf)", f"W[{i}, {j}] = {W[i, j]}")
    if _max_asymmetry(W) > 1e-8 * max(1.0, abs(low), abs(high)):
        i, j = np.unravel_index(np.argmax(np.abs(W - W.T)), W.shape)
        raise _fail("W", owner, "symmetric", f"W[{i}, {j}] = {W[i, j]} but W[{j}, {i}] = {W[j, i]}")
    if low < 0:
        negative = np.argwhere(W < 0)
        off_diagonal = negative[negative[:, 0] != negative[:, 1]]
        if len(off_diagonal):
            i, j = off_diagonal[0]
            raise _fail("W", owner, "non-negative off the diagonal", f"W[{i}, {j}] = {W[i, j]}")
    return W


def _max_asymmetry(W: np.ndarray, block: int = 512) -> float:
    """``max |W - W.T|``, computed in square blocks to stay cache- and memory-friendly."""
    worst = 0.0
    p = W.shape[0]
    for i in range(0, p, block):
        for j in range(i, p, block):
            diff = np.abs(W[i : i + block, j : j + block] - W[j : j + block, i : i + block].T)
            worst = max(worst, float(diff.max()))
    return worst
