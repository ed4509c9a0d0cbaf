"""Tests of hnnviz.io: a bundle round-trips exactly, and every kind of bad zip is refused with its message."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import pickle
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from hnnviz.data import Dataset, load_sample
from hnnviz.exceptions import BundleError, HNNVizError, InputValidationError, ModelFileError
from hnnviz.explanation import explain
from hnnviz.io import BUNDLE_FORMAT, BUNDLE_VERSION, MANIFEST, Bundle, BundleLimits, read_bundle, write_bundle
from hnnviz.model import Run, train_run
from hnnviz.specs import ModelSpec, TrainConfig

CONFIG = TrainConfig(defaults="mlp", epochs=3, seed=1)
MiB = 2**20
Members = dict[str, bytes]


# ---- fixtures and zip helpers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diabetes() -> Dataset:
    return load_sample("diabetes")


@pytest.fixture(scope="module")
def wine() -> Dataset:
    return load_sample("wine")


@pytest.fixture(scope="module")
def runs(diabetes: Dataset, wine: Dataset) -> dict[str, Run]:
    return {
        "hnn": train_run(diabetes, ModelSpec(channels=1), config=CONFIG),
        "mlp-wine": train_run(wine, ModelSpec("mlp", channels=1), config=CONFIG),
    }


@pytest.fixture(scope="module")
def table(diabetes: Dataset) -> pd.DataFrame:
    """Floats, ints, text with "NA" in it, booleans and a missing value: all must come back identical."""
    frame = pd.DataFrame(diabetes.X, columns=list(diabetes.feature_names))
    n = len(frame)
    frame["target"] = diabetes.y
    frame["count"] = np.arange(n)
    frame["region"] = np.where(np.arange(n) % 3 == 0, "NA", "EU, west")
    frame["flag"] = np.arange(n) % 2 == 0
    frame.loc[5, "bmi"] = np.nan
    return frame


@pytest.fixture(scope="module")
def bundle(runs: dict[str, Run], table: pd.DataFrame, diabetes: Dataset) -> Bundle:
    attribution = explain(runs["hnn"], diabetes.X[:20], method="gxa")
    return Bundle(
        settings={"dataset": "diabetes", "target": "y", "seed": 1, "training": {"epochs": 3}, "page": "train"},
        ifn=runs["hnn"].ifn,
        network=runs["hnn"].network.to_dict(),
        runs=runs,
        attributions={"hnn-gxa": attribution.to_dict(top=5)},
        data=table,
        data_name="diabetes.csv",
    )


@pytest.fixture(scope="module")
def blob(bundle: Bundle) -> bytes:
    return write_bundle(bundle)


def members_of(blob: bytes) -> Members:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``entries`` written as given (duplicates allowed)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name"
        with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
            for name, payload in entries:
                archive.writestr(name, payload)
    return buffer.getvalue()


def with_manifest(members: Members) -> Members:
    """``members`` with a manifest that lists them exactly, as write_bundle would."""
    manifest = json.loads(members[MANIFEST])
    manifest["members"] = {
        name: {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
        for name, payload in members.items()
        if name != MANIFEST
    }
    return {**members, MANIFEST: json.dumps(manifest).encode()}


def rezip(blob: bytes, changes: dict[str, bytes | None], *, fix_manifest: bool = True) -> bytes:
    """``blob`` with members replaced, added or (None) removed; the manifest updated unless told not to."""
    members = {**members_of(blob), **changes}
    members = {name: payload for name, payload in members.items() if payload is not None}
    if fix_manifest and MANIFEST in members:
        members = with_manifest(members)
    return make_zip(list(members.items()))


def plus_entry(blob: bytes, entry: str | zipfile.ZipInfo, payload: bytes = b"{}") -> bytes:
    """A valid bundle with one more raw entry (the manifest is not updated: the entry is refused first)."""
    return make_zip([*members_of(blob).items(), (entry, payload)])


def declaring(name: str, payload: bytes, file_size: int, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip whose one member stores ``payload`` but whose directory declares ``file_size`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr(name, payload)
        archive.infolist()[0].file_size = file_size
    return buffer.getvalue()


def info(name: str, *, mode: int | None = None, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.compress_type = compression
    if mode is not None:
        entry.external_attr = mode << 16
    return entry


def edit_json(blob: bytes, name: str, edit: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(members_of(blob)[name])
    edit(document)
    return rezip(blob, {name: json.dumps(document).encode()})


def refused(source: Any, match: str, **limits: Any) -> BundleError:
    """Read ``source``, expecting a BundleError matching ``match``, with a short one-line message."""
    with pytest.raises(BundleError, match=match) as caught:
        read_bundle(source, limits=BundleLimits(**limits))
    message = str(caught.value)
    assert message.startswith("Cannot read bundle") and "\n" not in message and len(message) <= 300, message
    return caught.value


# ---- round trips ---------------------------------------------------------------------------------------


def assert_same(back: Bundle, bundle: Bundle, data: dict[str, np.ndarray]) -> None:
    assert back.settings == bundle.settings
    assert back.ifn == bundle.ifn
    assert back.network == bundle.network
    assert back.attributions == bundle.attributions
    assert back.data_name == bundle.data_name
    assert list(back.runs) == list(bundle.runs)
    for name, run in bundle.runs.items():
        loaded = back.runs[name]
        assert loaded.spec == run.spec and loaded.classes == run.classes and loaded.task == run.task
        assert np.array_equal(loaded.predict(data[name]), run.predict(data[name]))


def test_round_trip_with_data(blob: bytes, bundle: Bundle, diabetes: Dataset, wine: Dataset) -> None:
    back = read_bundle(blob)
    assert_same(back, bundle, {"hnn": diabetes.X, "mlp-wine": wine.X})
    assert back.data is not None
    pd.testing.assert_frame_equal(back.data, bundle.data, check_exact=True)
    assert back.data.equals(bundle.data)
    assert back.data.loc[0, "region"] == "NA" and np.isnan(back.data.loc[5, "bmi"])


@pytest.mark.parametrize("kind", ["bytes", "path", "str", "file"])
def test_round_trip_without_data(kind: str, bundle: Bundle, diabetes: Dataset, wine: Dataset, tmp_path: Path) -> None:
    bare = dataclasses.replace(bundle, data=None, data_name=None)
    payload = write_bundle(bare)
    path = tmp_path / "session.zip"
    path.write_bytes(payload)
    source = {"bytes": payload, "path": path, "str": str(path), "file": io.BytesIO(payload)}[kind]
    back = read_bundle(source)
    assert back.data is None and back.data_name is None
    assert "data.csv" not in members_of(payload)
    assert_same(back, bare, {"hnn": diabetes.X, "mlp-wine": wine.X})


def test_layout_and_manifest(blob: bytes, bundle: Bundle) -> None:
    members = members_of(blob)
    assert list(members) == [
        "manifest.json",
        "settings.json",
        "network.json",
        "attributions.json",
        *(
            f"runs/{name}/{file}"
            for name in ("hnn", "mlp-wine")
            for file in ("run.json", "weights.safetensors", "similarity.safetensors")
        ),
        "data.csv",
    ]
    manifest = json.loads(members[MANIFEST])
    assert (manifest["format"], manifest["version"], manifest["data_name"]) == (
        BUNDLE_FORMAT,
        BUNDLE_VERSION,
        "diabetes.csv",
    )
    assert manifest["members"]["data.csv"] == {
        "size": len(members["data.csv"]),
        "sha256": hashlib.sha256(members["data.csv"]).hexdigest(),
    }
    assert json.loads(members["settings.json"]) == {"app": bundle.settings, "ifn": bundle.ifn.to_dict()}
    assert write_bundle(bundle) == blob  # fixed member times: the same bundle gives the same bytes


def test_empty_bundle_round_trips() -> None:
    back = read_bundle(write_bundle(Bundle()))
    assert (back.settings, back.network, back.runs, back.attributions, back.data) == ({}, None, {}, {}, None)


def test_directory_entries_of_zip_tools_are_accepted(blob: bytes, bundle: Bundle) -> None:
    members = members_of(blob)
    rezipped = make_zip([("runs/", b""), ("runs/hnn/", b""), *members.items()])
    assert read_bundle(rezipped).settings == bundle.settings


def test_a_one_megabyte_bundle_reads_fast(bundle: Bundle) -> None:
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.normal(size=(20_000, 6)), columns=list("abcdef"))
    payload = write_bundle(dataclasses.replace(bundle, data=data))
    assert 0.7 * MiB < len(payload) < 2 * MiB
    start = time.perf_counter()
    back = read_bundle(payload)
    assert time.perf_counter() - start < 1.0
    assert back.data.equals(data)


# ---- writing refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a b", "../x", "x" * 41, "", "runs/hnn"])
def test_run_names_must_be_safe(name: str, runs: dict[str, Run]) -> None:
    with pytest.raises(BundleError, match="The 'runs' parameter of Bundle must be a dict of Run by names of 1 to 40"):
        Bundle(runs={name: runs["hnn"]})


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"settings": [1]}, r"The 'settings' parameter of Bundle must be a dict\. Got a list instead\."),
        ({"ifn": {"method": "tmfg"}}, "The 'ifn' parameter of Bundle must be an IFNSpec"),
        ({"runs": {"hnn": "run"}}, "The 'runs' parameter of Bundle must be a dict of Run"),
        ({"attributions": {"a": [1]}}, "The 'attributions' parameter of Bundle must be a dict of dicts"),
        ({"data": np.zeros((2, 2))}, r"The 'data' parameter of Bundle must be None or a DataFrame\. Got a ndarray"),
        ({"data_name": 3}, r"The 'data_name' parameter of Bundle must be None or a str\. Got 3 instead\."),
    ],
)
def test_bundle_fields_are_checked(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(BundleError, match=match):
        Bundle(**fields)


def test_write_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(BundleError, match=r"Cannot write bundle: the settings are not JSON-ready \(Object of type"):
        write_bundle(Bundle(settings={"when": object()}))
    with pytest.raises(BundleError, match="The 'bundle' parameter of write_bundle must be a Bundle"):
        write_bundle({"settings": {}})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-01-02"])}),
            r"column 'when' of the table \(datetime",
        ),
        (pd.DataFrame({"code": ["1", "2"]}), r"column 'code' of the table \(.*\) would not come back unchanged"),
        (
            pd.DataFrame({"x": [1.0]}).set_axis([3], axis=1),
            r"the table's columns must have distinct non-empty string names; got \[3\]",
        ),
        (pd.DataFrame(), r"the table's columns must have distinct non-empty string names; got \[\]"),
    ],
)
def test_write_refuses_tables_csv_would_change(data: pd.DataFrame, match: str) -> None:
    with pytest.raises(BundleError, match="Cannot write bundle: " + match):
        write_bundle(Bundle(data=data))


def test_write_refuses_a_run_that_cannot_be_saved(runs: dict[str, Run]) -> None:
    bad = dataclasses.replace(runs["mlp-wine"], classes=((1, 2), "b", "c"))
    with pytest.raises(BundleError, match=r"Cannot write bundle: run 'bad': Cannot save run: class label \(1, 2\)"):
        write_bundle(Bundle(runs={"bad": bad}))


def test_limits_are_checked() -> None:
    with pytest.raises(InputValidationError, match="The 'max_bytes' parameter of BundleLimits must be an int in"):
        BundleLimits(max_bytes=0)
    with pytest.raises(InputValidationError, match="The 'max_ratio' parameter of BundleLimits"):
        BundleLimits(max_ratio=float("nan"))
    with pytest.raises(BundleError, match="The 'limits' parameter of read_bundle must be a BundleLimits"):
        read_bundle(b"x", limits={"max_bytes": 1})  # type: ignore[arg-type]


# ---- reading refusals: the file ------------------------------------------------------------------------


def test_bundle_errors_are_model_file_errors() -> None:
    assert issubclass(BundleError, ModelFileError) and issubclass(BundleError, HNNVizError)
    assert issubclass(BundleError, ValueError)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"", r"Cannot read bundle: the file is empty\.$"),
        (b"just some text", r"Cannot read bundle: not a zip file \(File is not a zip file\)\.$"),
        (b"PK\x03\x04" + b"\0" * 40, "not a zip file"),
    ],
)
def test_not_a_zip(payload: bytes, match: str) -> None:
    refused(payload, match)


def test_truncated_zip(blob: bytes) -> None:
    refused(blob[: len(blob) // 2], "not a zip file")


def test_corrupt_member(blob: bytes) -> None:
    members = members_of(blob)
    stored = make_zip(list(members.items()), compression=zipfile.ZIP_STORED)
    tampered = stored.replace(b'"dataset":"diabetes"', b'"dataset":"diabetez"')
    assert tampered != stored
    refused(tampered, r"member 'settings.json' is corrupt \(Bad CRC-32")


def test_missing_path(tmp_path: Path) -> None:
    refused(tmp_path / "nope.zip", r"Cannot read bundle '.*nope\.zip': the file does not exist\.$")
    refused(tmp_path, "not a file")


class CountingReader(io.BytesIO):
    """A file object that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_oversized_file_is_refused_before_reading(blob: bytes, tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    path.write_bytes(blob)
    limit = len(blob) - 1
    refused(path, rf"it is {len(blob) / 1024:.1f} KiB, over the limit of {limit / 1024:.1f} KiB", max_bytes=limit)
    stream = CountingReader(blob)
    stream.name = "upload.zip"
    refused(stream, r"Cannot read bundle 'upload\.zip': it is .* KiB, over the limit", max_bytes=limit)
    assert stream.bytes_read == 0
    refused(blob, "over the limit", max_bytes=limit)


def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    path.write_text("abc")
    with open(path) as handle:
        refused(handle, r"opened in text mode")
    refused(12, r"cannot read a int; pass bytes, a path or a binary file object")


# ---- reading refusals: entries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ("../evil", r"member '\.\./evil' has a '\.\.' component that climbs out of the bundle"),
        ("runs/../../evil.json", r"has a '\.\.' component"),
        ("/etc/x", r"member '/etc/x' has an absolute path"),
        ("runs\\hnn\\run.json", r"contains a backslash \(a Windows path\)"),
        ("C:/x", r"member 'C:/x' starts with a drive letter"),
        ("C:settings.json", r"starts with a drive letter"),
        ("model.pkl", r"unexpected member 'model\.pkl'; a bundle holds only manifest\.json, settings\.json"),
        ("runs/hnn/model.pt", r"unexpected member 'runs/hnn/model\.pt'"),
        ("runs/a b/run.json", r"unexpected member 'runs/a b/run\.json'"),
        (f"runs/{'x' * 41}/run.json", r"unexpected member 'runs/xxx"),
        ("weights.npy", r"unexpected member 'weights\.npy'"),
        ("__MACOSX/._settings.json", r"unexpected member '__MACOSX/"),
        ("settings.json/", r"member 'settings\.json/' is a directory where a file is expected"),
        ("other/", r"unexpected member 'other/'"),
        (info("settings.json", mode=0o120777), r"member 'settings\.json' is a symbolic link"),
        (info("runs/hnn/run.json", mode=0o040755), r"member 'runs/hnn/run\.json' is a directory where a file is"),
        (info("data.csv", mode=0o010644), r"member 'data\.csv' is not a regular file"),
        (info("data.csv", compression=zipfile.ZIP_BZIP2), r"member 'data\.csv' uses compression method 12"),
    ],
)
def test_entries_outside_the_layout(blob: bytes, entry: str | zipfile.ZipInfo, match: str) -> None:
    refused(plus_entry(blob, entry), match)


def test_name_with_a_nul_byte(blob: bytes) -> None:
    crafted = plus_entry(blob, "settings.json#.pkl").replace(b"settings.json#.pkl", b"settings.json\x00.pkl")
    refused(crafted, r"unexpected member 'settings\.json\\x00\.pkl'")


def test_symlink_payload_is_never_followed(tmp_path: Path) -> None:
    link = info("settings.json", mode=0o120777)
    refused(make_zip([(link, str(tmp_path / "secret").encode())]), "is a symbolic link")


def test_duplicate_member(blob: bytes) -> None:
    refused(plus_entry(blob, "settings.json", b'{"app": {}}'), r"member 'settings\.json' appears more than once")


def test_encrypted_member(blob: bytes) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("settings.json", b"{}")
        archive.infolist()[0].flag_bits |= 0x1
    refused(buffer.getvalue(), r"member 'settings\.json' is encrypted")


def test_too_many_members(blob: bytes) -> None:
    refused(blob, rf"it has {len(members_of(blob))} members, over the limit of 3", max_members=3)


# ---- reading refusals: sizes and zip bombs -------------------------------------------------------------


def test_member_declaring_two_gigabytes() -> None:
    refused(
        declaring("data.csv", b"a\n1\n", 2**31), r"member 'data\.csv' declares 2\.0 GiB, over the limit of 256\.0 MiB"
    )


def test_deflate_bomb_over_a_small_limit() -> None:
    bomb = make_zip([("network.json", bytes(3 * MiB))])
    assert len(bomb) < 10_000
    refused(bomb, r"member 'network\.json' declares 3\.0 MiB, over the limit of 1\.0 MiB", max_member_bytes=MiB)


def test_compression_ratio_beyond_the_limit() -> None:
    refused(
        make_zip([("network.json", bytes(5 * MiB))]),
        r"member 'network\.json' is compressed \d+:1, over the limit of 200:1",
    )


def test_total_size_over_the_limit() -> None:
    rng = np.random.default_rng(0)
    entries = [(name, rng.bytes(600_000)) for name in ("network.json", "attributions.json")]
    refused(make_zip(entries), r"its members declare 1\.1 MiB in all, over the limit of 1\.0 MiB", max_total_bytes=MiB)


def test_member_holding_more_than_it_declares() -> None:
    lying = declaring("network.json", b"{" + b" " * (5 * MiB) + b"}", 10)
    refused(lying, r"member 'network\.json' decompresses to more than its declared 10 bytes")


def test_member_holding_less_than_it_declares() -> None:
    refused(
        declaring("network.json", b"{}" * 50, 200),
        r"member 'network\.json' decompresses to 100 bytes, not its declared 200",
    )


def test_stored_member_with_wrong_size() -> None:
    refused(
        declaring("network.json", b"{}", 5 * MiB, compression=zipfile.ZIP_STORED),
        r"member 'network\.json' is stored uncompressed as 2 bytes but declares 5242880",
    )


# ---- reading refusals: pickles and foreign formats -----------------------------------------------------


class Payload:
    """Unpickling this creates ``marker``: proof that the pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("member", ["settings.json", "runs/hnn/weights.safetensors", "runs/hnn/run.json", "data.csv"])
def test_pickles_are_refused_and_never_run(blob: bytes, tmp_path: Path, member: str, protocol: int) -> None:
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(Payload(proof), protocol=protocol))
    assert proof.exists()  # the payload is live: unpickling it would run code
    marker = tmp_path / "marker"
    payload = pickle.dumps(Payload(marker), protocol=protocol)
    refused(
        rezip(blob, {member: payload}),
        rf"member '{member}' is a Python pickle, which a bundle never holds; it was not loaded",
    )
    assert not marker.exists()


def test_pickle_file_names_are_refused(blob: bytes, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    for name in ("model.pkl", "run.pickle", "runs/hnn/weights.pt", "runs/hnn/model.pth", "model.joblib", "x.npz"):
        refused(plus_entry(blob, name, pickle.dumps(Payload(marker))), f"unexpected member '{name}'")
    assert not marker.exists()


def test_torch_save_file_is_refused(blob: bytes, runs: dict[str, Run]) -> None:
    saved = io.BytesIO()
    torch.save(runs["hnn"].model.state_dict(), saved)
    refused(
        rezip(blob, {"runs/hnn/weights.safetensors": saved.getvalue()}),
        r"'runs/hnn/weights\.safetensors' is a zip archive \(as torch\.save writes, with pickles inside\)",
    )


@pytest.mark.parametrize(
    ("member", "payload", "match"),
    [
        (
            "runs/hnn/weights.safetensors",
            b"not tensors at all",
            r"member 'runs/hnn/weights\.safetensors' is not a safetensors",
        ),
        ("settings.json", b"[1, 2]", r"member 'settings\.json' is not a JSON object file"),
        ("settings.json", b"{not json", r"member 'settings\.json' is not valid JSON \(Expecting"),
        ("settings.json", b'{"a": "\xff"}', r"member 'settings\.json' is not UTF-8 text"),
        ("network.json", b"{" * 100_000 + b"}" * 100_000, r"member 'network\.json' is not valid JSON"),
        ("data.csv", b"a,b\n\xff\xfe,1\n", r"member 'data\.csv' is not a readable CSV table"),
    ],
)
def test_malformed_members(blob: bytes, member: str, payload: bytes, match: str) -> None:
    refused(rezip(blob, {member: payload}), match)


# ---- reading refusals: manifest, settings, attributions ------------------------------------------------


def test_manifest_missing(blob: bytes) -> None:
    refused(rezip(blob, {MANIFEST: None}), r"'manifest\.json' is missing: not an hnnviz bundle")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda m: m.update(format="something-else"), r"not an hnnviz bundle: the manifest's format is string"),
        (lambda m: m.update(version=2), r"format version 2 is written by a newer hnnviz; this hnnviz reads version 1"),
        (lambda m: m.update(version=0), r"format version 0 is unsupported"),
        (lambda m: m.update(version="1"), r"the manifest's version must be an int; got string '1'"),
        (
            lambda m: m.update(extra=1),
            r"manifest\.json must hold exactly the keys .*; missing \[\], unknown \['extra'\]",
        ),
        (lambda m: m.pop("data_name"), r"missing \['data_name'\]"),
        (lambda m: m.update(data_name=3), r"'data_name' must be null or a string; got int 3"),
        (lambda m: m.update(hnnviz_version=None), r"'hnnviz_version' must be a string; got null"),
        (lambda m: m.update(members=[]), r"manifest\.json 'members' must be an object; got array"),
        (
            lambda m: m["members"].update({"ghost.json": {"size": 1, "sha256": "0" * 64}}),
            r"lists 'ghost\.json', which the bundle",
        ),
        (lambda m: m["members"].pop("network.json"), r"member 'network\.json' is not listed in the manifest"),
        (
            lambda m: m["members"]["network.json"].update(size=-1),
            r"member 'network\.json' holds \d+ bytes but the manifest says -1",
        ),
        (lambda m: m["members"]["network.json"].update(size=True), r"entry for 'network\.json' 'size' must be an int"),
        (lambda m: m["members"]["network.json"].update(sha256="ab"), r"'sha256' must be a hex digest; got string 'ab'"),
        (
            lambda m: m["members"]["network.json"].update(extra=0),
            r"entry for 'network\.json' must hold exactly the keys",
        ),
        (
            lambda m: m["members"]["network.json"].update(sha256="0" * 64),
            r"'network\.json' does not match its SHA-256 digest",
        ),
    ],
)
def test_bad_manifest(blob: bytes, edit: Callable[[dict[str, Any]], None], match: str) -> None:
    document = json.loads(members_of(blob)[MANIFEST])
    edit(document)
    refused(rezip(blob, {MANIFEST: json.dumps(document).encode()}, fix_manifest=False), match)


def test_members_changed_after_the_manifest(blob: bytes) -> None:
    settings = members_of(blob)["settings.json"]
    refused(
        rezip(blob, {"settings.json": settings + b" "}, fix_manifest=False),
        r"'settings\.json' holds \d+ bytes but the manifest says",
    )
    same_length = settings.replace(b"diabetes", b"diabetez")
    refused(
        rezip(blob, {"settings.json": same_length}, fix_manifest=False), r"'settings\.json' does not match its SHA-256"
    )
    refused(
        rezip(blob, {"network.json": None}, fix_manifest=False),
        r"the manifest lists 'network\.json', which the bundle does not hold",
    )


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda s: s.update(extra=1),
            r"settings\.json must hold exactly the keys \['app', 'ifn'\]; missing \[\], unknown \['extra'\]",
        ),
        (lambda s: s.pop("ifn"), r"missing \['ifn'\]"),
        (lambda s: s.update(app=[1]), r"settings\.json 'app' must be an object; got array \[1\]"),
        (
            lambda s: s["ifn"].update(method="magic"),
            r"settings\.json 'ifn' holds invalid network options: The 'method' parameter",
        ),
        (
            lambda s: s["ifn"].update(extra=1),
            r"settings\.json 'ifn' holds invalid network options: .*unknown \['extra'\]",
        ),
    ],
)
def test_bad_settings(blob: bytes, edit: Callable[[dict[str, Any]], None], match: str) -> None:
    refused(edit_json(blob, "settings.json", edit), match)


def test_bad_attributions(blob: bytes) -> None:
    refused(
        edit_json(blob, "attributions.json", lambda a: a.update(bad=[1])),
        r"attributions\.json 'bad' must be an object; got array",
    )


# ---- reading refusals: runs ----------------------------------------------------------------------------


def test_run_refused_by_load_run(blob: bytes) -> None:
    error = refused(
        edit_json(blob, "runs/hnn/run.json", lambda d: d.update(task="bogus")),
        r"run 'hnn': Cannot load run from 'runs/hnn/run\.json': 'task' must be 'regression' or 'classification'",
    )
    assert "/tmp" not in str(error) and "hnnviz-bundle-" not in str(error)


def test_run_with_mismatched_weights(blob: bytes) -> None:
    members = members_of(blob)
    swapped = {"runs/hnn/weights.safetensors": members["runs/mlp-wine/weights.safetensors"]}
    refused(
        rezip(blob, swapped),
        r"run 'hnn': Cannot load run from 'runs/hnn/weights\.safetensors': tensor names do not match",
    )


def test_incomplete_run(blob: bytes) -> None:
    refused(
        rezip(blob, {"runs/hnn/weights.safetensors": None}), r"run 'hnn' is incomplete: it has no weights\.safetensors"
    )


def test_huge_clique_is_refused_before_the_complex_is_built(blob: bytes) -> None:
    def one_big_clique(document: dict[str, Any]) -> None:
        document["network"]["graph"].update(cliques=[list(range(10))], clique_parent=[-1])
        document["network"]["complex"]["f_vector"] = [10] * 10

    start = time.perf_counter()
    refused(
        edit_json(blob, "runs/hnn/run.json", one_big_clique),
        r"run 'hnn': Cannot load run from 'runs/hnn/run\.json': clique 0 has 10 vertices, but TMFG on pearson2 "
        r"makes cliques of at most 4",
    )
    assert time.perf_counter() - start < 1.0


def test_complex_limit_is_configurable(blob: bytes) -> None:
    refused(blob, r"run 'hnn': .* make a complex of up to \d+ simplices, over the limit of 10 ", max_simplices=10)


def test_reading_never_unpickles(blob: bytes, bundle: Bundle, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("read_bundle must not unpickle")

    for module, name in [(pickle, "load"), (pickle, "loads"), (pickle, "Unpickler"), (torch, "load")]:
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    assert list(read_bundle(blob).runs) == list(bundle.runs)
