"""Reading a zip that a stranger made: bounded, allowlisted, checked member by member, never extracted.

:func:`read_members` returns the members' bytes only after checking, in this order and before
decompressing anything: the number of entries; each name (no absolute path, backslash, drive letter or
``..``; on the allowlist), its type (no symbolic link, device or directory where a file belongs), its
encryption and compression method; duplicates; each declared size, the declared total and the compression
ratio. Each member is then read through a bounded stream, so one that holds more than it declares is caught
after at most one extra byte, and its first bytes must look like its format: a pickle, a zip (such as a
``torch.save`` file) or a NumPy file is named as such. Nothing is ever unpickled or written to disk here.
"""

from __future__ import annotations

import copy
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..._messages import clip, one_line, size_text
from ..._validation import check_int, check_number
from ...exceptions import BundleError

__all__ = [
    "MIB",
    "Allowlist",
    "BundleLimits",
    "read_members",
    "read_source",
    "shown",
    "source_name",
]

MIB = 2**20
_RATIO_FLOOR = MIB  # the compression ratio is only checked for members larger than this


class Allowlist(NamedTuple):
    """The entries a zip may hold: file names, directory names (ignored), and a description for messages."""

    files: re.Pattern[str]
    directories: re.Pattern[str]
    described: str


# What can go wrong inside zipfile on a crafted archive (BundleError is never raised inside these blocks).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OverflowError,
)
# Headers of formats a bundle never holds: checked when a member does not start like its own format.
_FOREIGN = (
    (re.compile(rb"\x80[\x02-\x05]"), "a Python pickle"),
    (re.compile(rb"PK\x03\x04"), "a zip archive (as torch.save writes, with pickles inside)"),
    (re.compile(rb"\x93NUMPY"), "a NumPy array file"),
)


@dataclass(frozen=True)
class BundleLimits:
    """How much :func:`~hnnviz.io.read_bundle` accepts; anything larger is refused before it is decompressed.

    Attributes
    ----------
    max_bytes : int, default 256 MiB
        Size of the zip file itself (checked before reading a path or a seekable file).
    max_members : int, default 200
        Number of entries in the zip.
    max_member_bytes : int, default 256 MiB
        Uncompressed size of one member, declared or actual.
    max_total_bytes : int, default 512 MiB
        Uncompressed size of all members together.
    max_ratio : float, default 200
        Compression ratio of a member larger than 1 MiB (deflate allows about 1000:1; real members stay far
        below 200:1).
    max_simplices : int, default 500,000
        Upper bound on the simplices of a run's clique complex, counted from its cliques before it is built:
        the sum of ``2**k - 1`` over cliques of ``k`` vertices (shared faces counted again, so it is an upper
        bound). A TMFG on ``p`` features counts ``15 (p - 3)``. Building the complex of one 20-vertex clique
        (a million simplices) takes about half a minute and 600 MB.

    Examples
    --------
    >>> BundleLimits(max_member_bytes=2**20).max_member_bytes
    1048576
    """

    max_bytes: int = 256 * MIB
    max_members: int = 200
    max_member_bytes: int = 256 * MIB
    max_total_bytes: int = 512 * MIB
    max_ratio: float = 200.0
    max_simplices: int = 500_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_members", "max_member_bytes", "max_total_bytes", "max_simplices"):
            object.__setattr__(self, name, check_int(getattr(self, name), name=name, owner="BundleLimits", low=1))
        object.__setattr__(
            self, "max_ratio", check_number(self.max_ratio, name="max_ratio", owner="BundleLimits", low=1)
        )


# ---- the source -------------------------------------------------------------------------------------


def source_name(source: Any) -> str | None:
    """The name to show for ``source``: its path, a file object's base name, or None for bytes."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) and name else None


def read_source(source: Any, max_bytes: int) -> bytes:
    """The zip's bytes; a path or seekable file larger than ``max_bytes`` is refused before it is read."""
    if isinstance(source, bytes | bytearray | memoryview):
        payload = bytes(source)
    elif isinstance(source, str | os.PathLike):
        payload = _read_path(Path(source), max_bytes)
    else:
        payload = _read_stream(source, max_bytes)
    _check_size(len(payload), max_bytes)
    if not payload:
        raise BundleError("the file is empty")
    return payload


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise BundleError(f"it is {size_text(size)}, over the limit of {size_text(max_bytes)}")


def _read_path(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.is_file():
            raise BundleError("the file does not exist" if not path.exists() else "not a file")
        _check_size(path.stat().st_size, max_bytes)
        return path.read_bytes()
    except OSError as err:
        raise BundleError(f"the file cannot be read ({err.strerror or err})") from err


def _read_stream(stream: Any, max_bytes: int) -> bytes:
    if not callable(getattr(stream, "read", None)):
        raise BundleError(f"cannot read a {type(stream).__name__}; pass bytes, a path or a binary file object")
    if getattr(stream, "seekable", lambda: False)():
        start = stream.tell()
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
        _check_size(size, max_bytes)
    payload = stream.read(max_bytes + 1)
    if not isinstance(payload, bytes | bytearray):
        raise BundleError("the file was opened in text mode; open it in binary mode ('rb')")
    return bytes(payload)


# ---- the members ------------------------------------------------------------------------------------


def read_members(payload: bytes, limits: BundleLimits, allowlist: Allowlist) -> dict[str, bytes]:
    """Every file member's bytes by name, after the checks on names, types, sizes and headers."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except _ZIP_ERRORS as err:
        raise BundleError(f"not a zip file ({one_line(str(err))})") from err
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_members:
            raise BundleError(f"it has {len(entries)} members, over the limit of {limits.max_members}")
        files = [info for info in entries if _entry_kind(info, allowlist) == "file"]
        _check_unique([info.orig_filename for info in entries])
        _check_declared_sizes(files, limits)
        return {info.orig_filename: _check_header(info.orig_filename, _read_member(archive, info)) for info in files}


def _entry_kind(info: zipfile.ZipInfo, allowlist: Allowlist) -> str:
    """``"file"`` or ``"dir"`` for an allowed entry, else :class:`BundleError` saying what is wrong."""
    name, mode = info.orig_filename, info.external_attr >> 16
    _check_path(name)
    if stat.S_ISLNK(mode):
        raise BundleError(f"member {shown(name)} is a symbolic link")
    if name.endswith("/") or stat.S_ISDIR(mode):
        if allowlist.directories.fullmatch(name.rstrip("/") + "/"):
            return "dir"
        if allowlist.files.fullmatch(name.rstrip("/")):
            raise BundleError(f"member {shown(name)} is a directory where a file is expected")
        raise _unexpected(name, allowlist)
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise BundleError(f"member {shown(name)} is not a regular file")
    if not allowlist.files.fullmatch(name):
        raise _unexpected(name, allowlist)
    if info.flag_bits & 0x1:
        raise BundleError(f"member {shown(name)} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise BundleError(
            f"member {shown(name)} uses compression method {info.compress_type}; a bundle uses deflate or none"
        )
    return "file"


def _check_path(name: str) -> None:
    """Refuse names that could point outside a folder, before the allowlist gives its general message."""
    if name.startswith("/"):
        raise BundleError(f"member {shown(name)} has an absolute path")
    if "\\" in name:
        raise BundleError(f"member {shown(name)} contains a backslash (a Windows path)")
    if re.match(r"[A-Za-z]:", name):
        raise BundleError(f"member {shown(name)} starts with a drive letter")
    if ".." in name.split("/"):
        raise BundleError(f"member {shown(name)} has a '..' component that climbs out of the bundle")


def _unexpected(name: str, allowlist: Allowlist) -> BundleError:
    return BundleError(f"unexpected member {shown(name)}; a bundle holds only {allowlist.described}")


def _check_unique(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise BundleError(f"member {shown(name)} appears more than once")
        seen.add(name)


def _check_declared_sizes(files: list[zipfile.ZipInfo], limits: BundleLimits) -> None:
    """Refuse members whose sizes in the zip's directory are over the limits, before decompressing anything."""
    for info in files:
        name, size = shown(info.orig_filename), info.file_size
        if size > limits.max_member_bytes:
            raise BundleError(
                f"member {name} declares {size_text(size)}, over the limit of {size_text(limits.max_member_bytes)}"
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != size:
            raise BundleError(f"member {name} is stored uncompressed as {info.compress_size} bytes but declares {size}")
        ratio = size / max(info.compress_size, 1)
        if size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise BundleError(
                f"member {name} is compressed {ratio:.0f}:1, over the limit of {limits.max_ratio:g}:1 (a zip bomb?)"
            )
    total = sum(info.file_size for info in files)
    if total > limits.max_total_bytes:
        raise BundleError(
            f"its members declare {size_text(total)} in all, over the limit of {size_text(limits.max_total_bytes)}"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, read through a stream bounded by its declared size (already within the limits).

    zipfile stops at the declared size and then fails the CRC. Reading from a copy of the entry that declares
    more than zipfile decompresses ahead of a read (4 KiB) lets a member that holds more than it declares show
    itself, while at most one byte past the declared size is asked for.
    """
    name, size = shown(info.orig_filename), info.file_size
    probe = copy.copy(info)
    probe.file_size = size + MIB
    try:
        with archive.open(probe) as stream:
            payload = stream.read(size + 1)
    except _ZIP_ERRORS as err:
        raise BundleError(f"member {name} is corrupt ({one_line(str(err))})") from err
    if len(payload) > size:
        raise BundleError(f"member {name} decompresses to more than its declared {size_text(size)}")
    if len(payload) < size:
        raise BundleError(f"member {name} decompresses to {len(payload)} bytes, not its declared {size}")
    return payload


def _looks_like_json(payload: bytes) -> bool:
    return payload.lstrip(b" \t\r\n")[:1] == b"{"


def _looks_like_safetensors(payload: bytes) -> bool:
    """An 8-byte little-endian header length, then that many bytes of a JSON object."""
    header = int.from_bytes(payload[:8], "little")
    return len(payload) > 8 and 8 + header <= len(payload) and payload[8:9] == b"{"


def _foreign(payload: bytes) -> str | None:
    """What ``payload`` is if it starts like a format a bundle never holds (a pickle ...), else None."""
    return next((what for magic, what in _FOREIGN if magic.match(payload)), None)


_HEADERS = {
    ".json": (_looks_like_json, "JSON object"),
    ".safetensors": (_looks_like_safetensors, "safetensors"),
    ".csv": (lambda payload: _foreign(payload) is None, "CSV"),
}


def _check_header(name: str, payload: bytes) -> bytes:
    """Refuse a member that does not start like its format, naming a pickle or other foreign file as such."""
    looks_right, kind = _HEADERS.get(Path(name).suffix, (lambda payload: _foreign(payload) is None, "known"))
    if looks_right(payload):
        return payload
    what = _foreign(payload)
    if what is not None:
        raise BundleError(f"member {shown(name)} is {what}, which a bundle never holds; it was not loaded")
    raise BundleError(f"member {shown(name)} is not a {kind} file")


# ---- messages ----------------------------------------------------------------------------------------


def shown(name: str) -> str:
    """A member name for a message: quoted with control characters escaped, and clipped."""
    return clip(repr(name), 70)
