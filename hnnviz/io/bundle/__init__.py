"""Save and share: one zip with the app's settings, network options, network, trained runs, attributions and,
if asked, the data; and a strict reader that refuses anything else.

Layout of a bundle (every member a plain file; no directories are needed):

``manifest.json``
    ``{"format": "hnnviz-bundle", "version": 1, "hnnviz_version": ..., "data_name": str or null,
    "members": {name: {"size": bytes, "sha256": hex digest}}}``, listing every other member.
``settings.json``
    ``{"app": {...}, "ifn": {...}}``: the app's JSON-ready settings and the network options
    (:meth:`hnnviz.specs.IFNSpec.to_dict`).
``network.json`` (if a network is given)
    The network shown, e.g. :meth:`hnnviz.network.FilteredNetwork.to_dict`.
``attributions.json`` (if any)
    JSON-ready attribution summaries by name, e.g. :meth:`hnnviz.explanation.Attribution.to_dict`.
``runs/<name>/run.json``, ``weights.safetensors``, ``similarity.safetensors``
    Each trained run as :func:`hnnviz.io.save_run` writes it; names are 1 to 40 letters, digits, ``_``
    or ``-``.
``data.csv`` (only if the user includes the data)
    The table as UTF-8 CSV without its index. CSV rather than parquet: a parquet file compresses and
    dictionary-encodes inside itself, so a small member can expand to gigabytes past the zip's limits, while
    CSV text costs memory in proportion to its bytes, which the reader bounds. Floats are written in full
    and read back exactly; :func:`write_bundle` checks that the table comes back identical and refuses a
    column that would not (a datetime, a categorical, strings that read back as numbers ...).

Reading is strict and runs no code (the zip checks are in :mod:`hnnviz.io.bundle._archive`): nothing is
unpickled, :meth:`zipfile.ZipFile.extractall` is never used, and names come from an allowlist. Members are read
through a bounded stream (a member's declared size is not trusted), checked for pickle and other foreign
headers, and compared with the manifest's sizes and SHA-256 digests before anything is parsed; each run is
written by this module into a fresh temporary directory and read by :func:`hnnviz.io.load_run`. Every
refusal is a :class:`~hnnviz.exceptions.BundleError` with a one-line message; the limits are those of
:class:`BundleLimits`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..._messages import clip, json_kind, one_line
from ...exceptions import BundleError, InputValidationError, ModelFileError
from ...model import Run
from ...specs import IFNSpec
from ..runfile._read import RunLimits, load_run
from ..runfile._write import RUN_FILE, SIMILARITY_FILE, WEIGHTS_FILE, save_run
from ._archive import Allowlist, BundleLimits, read_members, read_source, shown, source_name

__all__ = [
    "ATTRIBUTIONS",
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "DATA",
    "MANIFEST",
    "NETWORK",
    "RUN_FILES",
    "SETTINGS",
    "Bundle",
    "BundleLimits",
    "read_bundle",
    "write_bundle",
]

BUNDLE_FORMAT = "hnnviz-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SETTINGS = "settings.json"
NETWORK = "network.json"
ATTRIBUTIONS = "attributions.json"
DATA = "data.csv"
RUN_FILES = (RUN_FILE, WEIGHTS_FILE, SIMILARITY_FILE)

_RUN_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
_RUN_MEMBER = rf"runs/{_RUN_NAME.pattern}/(?:{'|'.join(map(re.escape, RUN_FILES))})"
_ALLOWLIST = Allowlist(
    files=re.compile("|".join([*map(re.escape, (MANIFEST, SETTINGS, NETWORK, ATTRIBUTIONS, DATA)), _RUN_MEMBER])),
    directories=re.compile(rf"runs/(?:{_RUN_NAME.pattern}/)?"),  # as zip tools add them; never used
    described=f"{MANIFEST}, {SETTINGS}, {NETWORK}, {ATTRIBUTIONS}, {DATA} and runs/<name>/ with {', '.join(RUN_FILES)}",
)
_MANIFEST_KEYS = ("format", "version", "hnnviz_version", "data_name", "members")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_MESSAGE = 300
# pandas before 3.1 parses floats exactly only with the round-trip converter; 3.1 always does, and deprecates the option
_EXACT_FLOATS = (
    {"float_precision": "round_trip"} if tuple(map(int, re.findall(r"\d+", pd.__version__)[:2])) < (3, 1) else {}
)
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same bundle gives the same bytes


@dataclass(frozen=True, eq=False)
class Bundle:
    """Everything needed to share a session: settings, network options, network, runs, attributions, data.

    Attributes
    ----------
    settings : dict
        JSON-ready app settings (dataset name, target, task, seed, training options, page ...). JSON has no
        tuples and only string keys: tuples come back as lists.
    ifn : IFNSpec
        The network options.
    network : dict or None
        The network shown, JSON-ready (e.g. :meth:`hnnviz.network.FilteredNetwork.to_dict`).
    runs : dict of str to Run
        Trained runs by name; names are 1 to 40 letters, digits, ``_`` or ``-``.
    attributions : dict of str to dict
        JSON-ready attribution summaries by name (e.g. :meth:`hnnviz.explanation.Attribution.to_dict`).
    data : pandas.DataFrame or None
        The table, only when the user chose to include it; its index is not stored.
    data_name : str or None
        The table's name, e.g. its file name.

    Raises
    ------
    BundleError
        If a field has the wrong type or a run name is not allowed.

    Examples
    --------
    >>> Bundle(settings={"page": "data"}).ifn
    IFNSpec(similarity='pearson2', method='tmfg', max_clique_size=4, threshold=0.0)
    >>> Bundle(runs={"../x": None})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.BundleError: The 'runs' parameter of Bundle must be a dict of Run by names of 1 to 40 ...
    """

    settings: dict[str, Any] = field(default_factory=dict)
    ifn: IFNSpec = field(default_factory=IFNSpec)
    network: dict[str, Any] | None = None
    runs: dict[str, Run] = field(default_factory=dict)
    attributions: dict[str, dict[str, Any]] = field(default_factory=dict)
    data: pd.DataFrame | None = None
    data_name: str | None = None

    def __post_init__(self) -> None:
        _require(self.settings, "settings", "a dict", isinstance(self.settings, dict))
        _require(self.ifn, "ifn", "an IFNSpec", isinstance(self.ifn, IFNSpec))
        _require(self.network, "network", "None or a dict", self.network is None or isinstance(self.network, dict))
        runs_ok = isinstance(self.runs, dict) and all(
            isinstance(name, str) and _RUN_NAME.fullmatch(name) and isinstance(run, Run)
            for name, run in self.runs.items()
        )
        _require(self.runs, "runs", "a dict of Run by names of 1 to 40 letters, digits, '_' or '-'", runs_ok)
        attributions_ok = isinstance(self.attributions, dict) and all(
            isinstance(name, str) and isinstance(summary, dict) for name, summary in self.attributions.items()
        )
        _require(self.attributions, "attributions", "a dict of dicts by name", attributions_ok)
        _require(self.data, "data", "None or a DataFrame", self.data is None or isinstance(self.data, pd.DataFrame))
        _require(
            self.data_name, "data_name", "None or a str", self.data_name is None or isinstance(self.data_name, str)
        )


def _require(value: Any, name: str, must: str, ok: bool) -> None:
    """Raise :class:`BundleError` in the package's argument pattern unless ``ok``."""
    if not ok:
        got = repr(value) if value is None or isinstance(value, str | int | float) else _described(value)
        raise BundleError(f"The '{name}' parameter of Bundle must be {must}. Got {got} instead.")


def _described(value: Any) -> str:
    """A dict by its bad keys, anything else by its type (a DataFrame's repr would fill the message)."""
    if isinstance(value, dict):
        keys = [k for k in value if not isinstance(k, str) or not _RUN_NAME.fullmatch(k)]
        return f"a dict with keys {clip(repr(keys or list(value)), 80)}"
    return f"a {type(value).__name__}"


@contextmanager
def _refusing(prefix: str) -> Iterator[None]:
    """Give every :class:`BundleError` raised inside one prefix and one clipped line."""
    try:
        yield
    except BundleError as err:
        raise BundleError(clip(f"{prefix}: {one_line(str(err))}.", _MAX_MESSAGE)) from err


# ---- writing -----------------------------------------------------------------------------------------


def write_bundle(bundle: Bundle) -> bytes:
    """The zip of ``bundle``, in memory (for a download button or a file).

    Parameters
    ----------
    bundle : Bundle

    Returns
    -------
    bytes
        A zip laid out as described in :mod:`hnnviz.io`, deflate-compressed, with fixed member times (the
        same bundle gives the same bytes).

    Raises
    ------
    BundleError
        If ``bundle`` is not a :class:`Bundle`, the settings, network or attributions are not JSON-ready, a
        run cannot be saved, or the table would not come back from CSV unchanged.

    Examples
    --------
    >>> blob = write_bundle(Bundle(settings={"page": "data", "seed": 0}, data=pd.DataFrame({"x": [0.1, 2.5]})))
    >>> sorted(zipfile.ZipFile(io.BytesIO(blob)).namelist())
    ['data.csv', 'manifest.json', 'settings.json']
    """
    if not isinstance(bundle, Bundle):
        raise BundleError(f"The 'bundle' parameter of write_bundle must be a Bundle. Got a {type(bundle).__name__}.")
    with _refusing("Cannot write bundle"):
        members = _members(bundle)
        members = {MANIFEST: _manifest(members, bundle.data_name), **members}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _members(bundle: Bundle) -> dict[str, bytes]:
    """Every member but the manifest, by name."""
    members = {SETTINGS: _json_bytes({"app": bundle.settings, "ifn": bundle.ifn.to_dict()}, "the settings")}
    if bundle.network is not None:
        members[NETWORK] = _json_bytes(bundle.network, "the network")
    if bundle.attributions:
        members[ATTRIBUTIONS] = _json_bytes(bundle.attributions, "the attributions")
    members |= _run_members(bundle.runs)
    if bundle.data is not None:
        members[DATA] = _table_csv(bundle.data)
    return members


def _json_bytes(value: Any, what: str) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as err:
        raise BundleError(f"{what} are not JSON-ready ({err})") from err


def _run_members(runs: Mapping[str, Run]) -> dict[str, bytes]:
    """The files :func:`save_run` writes for each run, under ``runs/<name>/``."""
    members = {}
    with tempfile.TemporaryDirectory(prefix="hnnviz-bundle-") as scratch:
        for name, run in runs.items():
            try:
                folder = save_run(run, Path(scratch) / name)
            except ModelFileError as err:
                raise BundleError(f"run {name!r}: {str(err).replace(scratch, 'runs')}") from err
            members |= {f"runs/{name}/{file}": (folder / file).read_bytes() for file in RUN_FILES}
    return members


def _table_csv(table: pd.DataFrame) -> bytes:
    """``table`` as CSV bytes, after checking that :func:`_csv_table` gives it back unchanged."""
    names = list(table.columns)
    if not names or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        raise BundleError(
            f"the table's columns must have distinct non-empty string names; got {clip(repr(names), 80)}"
        )
    payload = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    expected, back = table.reset_index(drop=True), _csv_table(payload)
    if list(back.columns) != names:
        raise BundleError(f"the table's column names {clip(repr(names), 80)} would not come back from CSV")
    changed = next((n for n in names if not back[n].equals(expected[n])), None)
    if changed is not None:
        raise BundleError(
            f"column {changed!r} of the table ({expected[changed].dtype}) would not come back unchanged from CSV; "
            "convert it to numbers or text, or leave the data out"
        )
    return payload


def _csv_table(payload: bytes) -> pd.DataFrame:
    """Read ``data.csv``: only an empty field is missing (a string "NA" stays a string), floats exactly."""
    try:
        return pd.read_csv(
            io.BytesIO(payload), keep_default_na=False, na_values=[""], encoding="utf-8", **_EXACT_FLOATS
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
        raise BundleError(f"member '{DATA}' is not a readable CSV table ({one_line(str(err))})") from err


def _manifest(members: Mapping[str, bytes], data_name: str | None) -> bytes:
    from ... import __version__

    listed = {name: {"size": len(payload), "sha256": _sha256(payload)} for name, payload in members.items()}
    document = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "hnnviz_version": __version__,
        "data_name": data_name,
        "members": listed,
    }
    return _json_bytes(document, "the manifest")


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


# ---- reading ---------------------------------------------------------------------------------------


def read_bundle(source: bytes | str | os.PathLike[str] | IO[bytes], *, limits: BundleLimits | None = None) -> Bundle:
    """Read a bundle written by :func:`write_bundle`, checking every member before anything is built.

    Parameters
    ----------
    source : bytes, str, path-like or binary file object
        The zip's bytes, its path, or an object with ``read`` (such as Streamlit's ``UploadedFile``).
    limits : BundleLimits, optional
        Size limits (default ``BundleLimits()``).

    Returns
    -------
    Bundle
        Runs rebuilt by :func:`hnnviz.io.load_run`, predicting exactly as the saved ones; ``data`` is
        None when the bundle has no table.

    Raises
    ------
    BundleError
        With a one-line message (at most 300 characters) saying what is wrong: the source is missing, empty,
        over ``max_bytes`` or not a zip; a member is outside the layout (absolute, with ``..``, a backslash or
        a drive letter, a duplicate, a symbolic link, a directory), encrypted or compressed with another
        method; there are too many members, or a member is too large (declared or actual), or compressed
        beyond ``max_ratio``; a member is a pickle or another foreign format, or not valid JSON, safetensors
        or CSV; the manifest is missing, of another format or version, has wrong or unknown keys, or its
        sizes and digests do not match the members; the settings are malformed; or a run is incomplete, too
        large a complex, or refused by :func:`~hnnviz.io.load_run` (its message, after the run's name).

    Examples
    --------
    >>> blob = write_bundle(Bundle(settings={"page": "data"}))
    >>> read_bundle(blob).settings
    {'page': 'data'}
    >>> read_bundle(b"PK\\x03\\x04 not really a zip")
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.BundleError: Cannot read bundle: not a zip file (File is not a zip file).
    """
    limits = BundleLimits() if limits is None else limits
    if not isinstance(limits, BundleLimits):
        raise BundleError(
            f"The 'limits' parameter of read_bundle must be a BundleLimits. Got a {type(limits).__name__}."
        )
    name = source_name(source)
    with _refusing(f"Cannot read bundle {name!r}" if name else "Cannot read bundle"):
        members = read_members(read_source(source, limits.max_bytes), limits, _ALLOWLIST)
        manifest = _read_manifest(members)
        settings, ifn = _read_settings(members)
        return Bundle(
            settings=settings,
            ifn=ifn,
            network=_read_json(members, NETWORK),
            runs=_read_runs(members, limits.max_simplices),
            attributions=_read_attributions(members),
            data=_csv_table(members[DATA]) if DATA in members else None,
            data_name=manifest["data_name"],
        )


# ---- reading the members -----------------------------------------------------------------------------


def _read_json(members: Mapping[str, bytes], name: str, *, required: bool = False) -> Any:
    """The JSON object in member ``name``; None if it is absent and not ``required``."""
    if name not in members:
        if required:
            raise BundleError(f"member '{name}' is missing")
        return None
    try:
        document = json.loads(members[name].decode("utf-8"))
    except UnicodeDecodeError as err:
        raise BundleError(f"member '{name}' is not UTF-8 text") from err
    except RecursionError as err:
        raise BundleError(f"member '{name}' is not valid JSON (nested too deeply)") from err
    except ValueError as err:  # JSONDecodeError, or an integer literal too long to convert
        raise BundleError(f"member '{name}' is not valid JSON ({one_line(str(err))})") from err
    _expect(isinstance(document, dict), document, f"member '{name}'", "a JSON object")
    return document


def _expect(ok: bool, value: Any, where: str, must: str) -> None:
    if not ok:
        raise BundleError(f"{where} must be {must}; got {json_kind(value)}")


def _check_keys(document: dict[str, Any], where: str, keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in document]
    unknown = [k for k in document if k not in keys]
    if missing or unknown:
        raise BundleError(
            f"{where} must hold exactly the keys {list(keys)}; missing {missing}, unknown {clip(repr(unknown), 60)}"
        )


def _read_manifest(members: Mapping[str, bytes]) -> dict[str, Any]:
    """The manifest, checked, and checked against the members it lists."""
    if MANIFEST not in members:
        raise BundleError(f"'{MANIFEST}' is missing: not an hnnviz bundle")
    manifest = _read_json(members, MANIFEST, required=True)
    if manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"not an hnnviz bundle: the manifest's format is {json_kind(manifest.get('format'))}")
    version = manifest.get("version")
    _expect(isinstance(version, int) and not isinstance(version, bool), version, "the manifest's version", "an int")
    if version != BUNDLE_VERSION:
        newer = "written by a newer hnnviz" if version > BUNDLE_VERSION else "unsupported"
        raise BundleError(f"format version {version} is {newer}; this hnnviz reads version {BUNDLE_VERSION}")
    _check_keys(manifest, MANIFEST, _MANIFEST_KEYS)
    _expect(isinstance(manifest["hnnviz_version"], str), manifest["hnnviz_version"], "'hnnviz_version'", "a string")
    data_name = manifest["data_name"]
    _expect(data_name is None or isinstance(data_name, str), data_name, "'data_name'", "null or a string")
    _expect(isinstance(manifest["members"], dict), manifest["members"], f"{MANIFEST} 'members'", "an object")
    _check_listed(manifest["members"], members)
    return manifest


def _check_listed(listed: dict[str, Any], members: Mapping[str, bytes]) -> None:
    """Every member but the manifest is listed with its exact size and SHA-256 digest, and nothing else is."""
    present = [name for name in members if name != MANIFEST]
    absent = [name for name in listed if name not in members or name == MANIFEST]
    if absent:
        raise BundleError(f"the manifest lists {shown(absent[0])}, which the bundle does not hold")
    for name in present:
        if name not in listed:
            raise BundleError(f"member {shown(name)} is not listed in the manifest")
        entry, where = listed[name], f"the manifest's entry for '{name}'"
        _expect(isinstance(entry, dict), entry, where, "an object")
        _check_keys(entry, where, ("size", "sha256"))
        size, digest = entry["size"], entry["sha256"]
        _expect(isinstance(size, int) and not isinstance(size, bool), size, f"{where} 'size'", "an int")
        _expect(
            isinstance(digest, str) and bool(_SHA256.fullmatch(digest)), digest, f"{where} 'sha256'", "a hex digest"
        )
        if size != len(members[name]):
            raise BundleError(f"member '{name}' holds {len(members[name])} bytes but the manifest says {size}")
        if digest != _sha256(members[name]):
            raise BundleError(f"member '{name}' does not match its SHA-256 digest in the manifest")


def _read_settings(members: Mapping[str, bytes]) -> tuple[dict[str, Any], IFNSpec]:
    """The app's settings and the network options."""
    settings = _read_json(members, SETTINGS, required=True)
    _check_keys(settings, SETTINGS, ("app", "ifn"))
    _expect(isinstance(settings["app"], dict), settings["app"], f"{SETTINGS} 'app'", "an object")
    try:
        return settings["app"], IFNSpec.from_dict(settings["ifn"])
    except InputValidationError as err:
        raise BundleError(f"{SETTINGS} 'ifn' holds invalid network options: {err}") from err


def _read_attributions(members: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    attributions = _read_json(members, ATTRIBUTIONS) or {}
    for name, summary in attributions.items():
        _expect(isinstance(summary, dict), summary, f"{ATTRIBUTIONS} {name!r}", "an object")
    return attributions


def _read_runs(members: Mapping[str, bytes], max_simplices: int) -> dict[str, Run]:
    """Each run, its files written into a fresh temporary directory and read by :func:`load_run`."""
    names = list(dict.fromkeys(name.split("/")[1] for name in members if name.startswith("runs/")))
    with tempfile.TemporaryDirectory(prefix="hnnviz-bundle-") as scratch:
        return {name: _read_run(members, name, Path(scratch) / str(i), max_simplices) for i, name in enumerate(names)}


def _read_run(members: Mapping[str, bytes], name: str, folder: Path, max_simplices: int) -> Run:
    files = {file: members.get(f"runs/{name}/{file}") for file in RUN_FILES}
    missing = [file for file, payload in files.items() if payload is None]
    if missing:
        raise BundleError(f"run {name!r} is incomplete: it has no {missing[0]}")
    folder.mkdir()
    for file, payload in files.items():
        with open(folder / file, "xb") as handle:  # our own names in our own fresh folder
            handle.write(payload)
    try:
        return load_run(folder, limits=RunLimits(max_simplices=max_simplices))
    except ModelFileError as err:
        raise BundleError(f"run {name!r}: {str(err).replace(str(folder), f'runs/{name}')}") from err
