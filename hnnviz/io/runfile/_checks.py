"""Small checks of parsed JSON values, and the one-line errors that name the file and what is wrong."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..._messages import json_kind, one_line
from ...exceptions import InputValidationError, ModelFileError

__all__ = []


def _fail(path: Path, what: str) -> ModelFileError:
    return ModelFileError(f"Cannot load run from '{path}': {one_line(what)}.")


@contextmanager
def _invalid(path: Path, context: str) -> Iterator[None]:
    """Turn an :class:`InputValidationError` raised inside the block into a :class:`ModelFileError`."""
    try:
        yield
    except ModelFileError:
        raise
    except InputValidationError as err:
        raise _fail(path, f"{context}: {err}") from err


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_label(value: Any) -> bool:
    """str, int, bool or finite float: what a class label may be in ``run.json``."""
    return isinstance(value, str | int | bool) or (isinstance(value, float) and math.isfinite(value))


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _list_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(check(v) for v in value)


def _dict_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, dict) and all(check(v) for v in value.values())


def _get(obj: Mapping[str, Any], key: str, path: Path, check: Callable[[Any], bool], must: str, *, at: str = "") -> Any:
    """``obj[key]`` (``key`` may be dotted) if present and ``check`` accepts it, else :class:`ModelFileError`.

    ``at`` is where ``obj`` sits in the document, for messages.
    """
    value: Any = obj
    where = at
    for part in key.split("."):
        if not isinstance(value, dict):
            raise _fail(path, f"'{where}' must be an object; got {json_kind(value)}")
        where = f"{where}.{part}" if where else part
        if part not in value:
            raise _fail(path, f"required key '{where}' is missing")
        value = value[part]
    if not check(value):
        raise _fail(path, f"'{where}' must be {must}; got {json_kind(value)}")
    return value
