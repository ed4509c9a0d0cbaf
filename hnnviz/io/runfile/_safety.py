"""File safety: real folders and regular files within their sizes, read and written atomically."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..._messages import json_kind
from ._checks import _fail
from ._format import RUN_FILE

__all__ = []




def _write_atomic(target: Path, write: Callable[[str], object]) -> None:
    """Write through ``write(name)`` to a temporary file beside ``target``, then move it into place."""
    partial = target.with_name(target.name + ".partial")
    try:
        write(str(partial))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _lstat(path: Path, missing: str) -> os.stat_result:
    """``path``'s own status (a symbolic link is not followed), or :class:`ModelFileError` saying ``missing``."""
    try:
        return path.lstat()
    except FileNotFoundError as err:
        raise _fail(path, missing) from err
    except OSError as err:
        raise _fail(path, f"cannot be read ({err})") from err


def _run_folder(directory: str | os.PathLike[str]) -> Path:
    folder = Path(directory)
    mode = _lstat(folder, "the directory does not exist").st_mode
    if stat.S_ISLNK(mode):
        raise _fail(folder, "a symbolic link; a run is read only from a real directory")
    if not stat.S_ISDIR(mode):
        raise _fail(folder, f"not a directory (save_run writes a directory holding {RUN_FILE})")
    return folder


def _check_file(path: Path, max_bytes: int, reason: str) -> None:
    """Refuse ``path`` unless it is a regular file (a link is not followed) of at most ``max_bytes``.

    ``reason`` says in messages where the limit comes from, e.g. ``"RunLimits.max_json_bytes"``.
    """
    info = _lstat(path, "the file is missing")
    if stat.S_ISLNK(info.st_mode):
        raise _fail(path, "a symbolic link; a run's files must be regular files")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(path, "not a regular file")
    if info.st_size > max_bytes:
        raise _fail(path, f"the file is {info.st_size:,} bytes, over the limit of {max_bytes:,} bytes ({reason})")


def _read_json(path: Path, max_bytes: int) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # its size was checked, but it may have grown since
    except OSError as err:
        raise _fail(path, f"the file cannot be read ({err})") from err
    if len(data) > max_bytes:
        raise _fail(path, f"the file is over the limit of {max_bytes:,} bytes (RunLimits.max_json_bytes)")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise _fail(path, "not a JSON file (not UTF-8 text)") from err
    except json.JSONDecodeError as err:
        raise _fail(path, f"not valid JSON ({err})") from err
    except RecursionError as err:
        raise _fail(path, "not valid JSON (nested too deeply)") from err
    except ValueError as err:  # e.g. an integer literal too long to convert
        raise _fail(path, f"not valid JSON ({err})") from err
    if not isinstance(doc, dict):
        raise _fail(path, f"must hold a JSON object; got {json_kind(doc)}")
    return doc
