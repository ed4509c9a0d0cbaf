"""Tests of hnnviz.io: saving a trained Run and loading it back exactly, and refusing bad files."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pickle
import re
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import hnnviz
from hnnviz.data import Dataset, load_sample
from hnnviz.exceptions import InputValidationError, ModelFileError
from hnnviz.io import (
    FORMAT_NAME,
    FORMAT_VERSION,
    RUN_FILE,
    SIMILARITY_FILE,
    WEIGHTS_FILE,
    RunLimits,
    load_run,
    save_run,
)
from hnnviz.io.runfile._rebuild import _clique_growth, _f_vector_bound, _simplex_count
from hnnviz.model import HNN, MLP, Run, train_run
from hnnviz.network import clique_complex
from hnnviz.specs import IFNSpec, ModelSpec, TrainConfig

CONFIG = TrainConfig(defaults="mlp", epochs=5, seed=3)
FILES = (RUN_FILE, WEIGHTS_FILE, SIMILARITY_FILE)


# ---- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diabetes() -> Dataset:
    return load_sample("diabetes")


@pytest.fixture(scope="module")
def wine_named() -> Dataset:
    """Wine with string class labels (the sample's own labels are the ints 0, 1, 2)."""
    wine = load_sample("wine")
    return dataclasses.replace(wine, classes=("barolo", "grignolino", "barbera"))


@pytest.fixture(scope="module")
def runs(diabetes: Dataset, wine_named: Dataset) -> dict[str, tuple[Run, np.ndarray]]:
    """Trained runs by name, each with the feature matrix to predict on."""
    wine = load_sample("wine")
    return {
        "hnn-regression": (train_run(diabetes, ModelSpec(channels=2), config=CONFIG), diabetes.X),
        "hnn-classification": (train_run(wine_named, ModelSpec(channels=2), config=CONFIG), wine_named.X),
        "mlp-classification": (train_run(wine, ModelSpec("mlp", channels=2), config=CONFIG), wine.X),
        "hnn-mfcf-mi": (
            train_run(diabetes, ModelSpec(channels=1), config=CONFIG, ifn=IFNSpec("mi", "mfcf", 3, threshold=0.01)),
            diabetes.X,
        ),
        "hnn-mst-spearman": (
            train_run(diabetes, ModelSpec(channels=1, readout_width=2), config=CONFIG, ifn=IFNSpec("spearman2", "mst")),
            diabetes.X,
        ),
    }


@pytest.fixture(scope="module")
def run(runs: dict[str, tuple[Run, np.ndarray]]) -> Run:
    return runs["hnn-regression"][0]


@pytest.fixture
def saved(run: Run, tmp_path: Path) -> Path:
    """A fresh saved copy of the regression run, free to tamper with."""
    return save_run(run, tmp_path / "run")


def edit_json(folder: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = folder / RUN_FILE
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def edit_weights(folder: Path, edit: Callable[[dict[str, torch.Tensor]], None]) -> None:
    path = folder / WEIGHTS_FILE
    tensors = load_file(path)
    edit(tensors)
    save_file(tensors, path)


def message_for(folder: Path, name: str) -> str:
    """The start of every load error about file ``name`` of ``folder``, as a regex."""
    return re.escape(f"Cannot load run from '{folder / name}': ")


# ---- round trips ---------------------------------------------------------------------------------------


def assert_same_network(a: Run, b: Run) -> None:
    na, nb = a.network, b.network
    assert na.feature_names == nb.feature_names
    assert np.array_equal(na.similarity, nb.similarity) and nb.similarity.dtype == np.float64
    assert na.ifn == nb.ifn and na.similarity_method == nb.similarity_method
    assert na.seconds == nb.seconds
    assert na.graph == nb.graph  # method, n_nodes, cliques, clique tree, separators, vertex order, total weight
    assert np.array_equal(na.graph.edges, nb.graph.edges)
    assert sorted(na.graph.graph.edges(data="weight")) == sorted(nb.graph.graph.edges(data="weight"))
    assert na.to_dict() == nb.to_dict()
    ca, cb = na.complex, nb.complex
    assert (ca.n_vertices, ca.f_vector, ca.betti) == (cb.n_vertices, cb.f_vector, cb.betti)
    for k in range(len(ca.simplices)):
        assert np.array_equal(ca.simplices[k], cb.simplices[k])
        assert np.array_equal(ca.faces[k], cb.faces[k])


def assert_same_result(a: Run, b: Run) -> None:
    ra, rb = a.result, b.result
    assert ra.task == rb.task
    assert ra.metrics == rb.metrics
    assert ra.history == rb.history
    assert (ra.best_epoch, ra.epochs_run, ra.stopped) == (rb.best_epoch, rb.epochs_run, rb.stopped)
    assert ra.inactive == rb.inactive
    assert ra.dead_readouts == rb.dead_readouts
    assert ra.seconds == rb.seconds
    for part in ("train", "val", "test"):
        assert np.array_equal(getattr(ra.split, part), getattr(rb.split, part))
    assert np.array_equal(ra.x_scaler.mean, rb.x_scaler.mean)
    assert np.array_equal(ra.x_scaler.scale, rb.x_scaler.scale)
    if ra.y_scaler is None:
        assert rb.y_scaler is None
    else:
        assert np.array_equal(ra.y_scaler.mean, rb.y_scaler.mean)
        assert np.array_equal(ra.y_scaler.scale, rb.y_scaler.scale)


@pytest.mark.parametrize(
    "name", ["hnn-regression", "hnn-classification", "mlp-classification", "hnn-mst-spearman", "hnn-mfcf-mi"]
)
def test_round_trip_is_exact(runs: dict[str, tuple[Run, np.ndarray]], name: str, tmp_path: Path) -> None:
    original, X = runs[name]
    loaded = load_run(save_run(original, tmp_path / name))
    assert np.array_equal(loaded.predict(X), original.predict(X))
    assert type(loaded.model) is type(original.model)
    assert not loaded.model.training
    state_a, state_b = original.model.state_dict(), loaded.model.state_dict()
    assert state_a.keys() == state_b.keys()
    assert all(torch.equal(state_a[k], state_b[k]) for k in state_a)
    assert loaded.spec == original.spec
    assert (loaded.dataset_name, loaded.target, loaded.task) == (original.dataset_name, original.target, original.task)
    assert loaded.classes == original.classes
    assert loaded.ifn == original.ifn and type(loaded.ifn.threshold) is float
    assert_same_network(original, loaded)
    assert_same_result(original, loaded)


def test_string_and_int_labels_keep_their_type(runs: dict[str, tuple[Run, np.ndarray]], tmp_path: Path) -> None:
    named = load_run(save_run(runs["hnn-classification"][0], tmp_path / "named"))
    coded = load_run(save_run(runs["mlp-classification"][0], tmp_path / "coded"))
    assert named.classes == ("barolo", "grignolino", "barbera")
    assert coded.classes == (0, 1, 2) and all(type(c) is int for c in coded.classes)
    assert isinstance(named.model, HNN) and isinstance(coded.model, MLP)


def test_file_layout_and_keys(saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == sorted(FILES)
    doc = json.loads((saved / RUN_FILE).read_text())
    assert (doc["format"], doc["version"], doc["hnnviz_version"]) == (FORMAT_NAME, FORMAT_VERSION, hnnviz.__version__)
    assert set(doc) == {
        "format", "version", "hnnviz_version", "dataset_name", "target", "task", "classes", "feature_names",
        "ifn", "spec", "n_outputs", "network", "training",
    }  # fmt: skip
    assert doc["ifn"] == {"similarity": "pearson2", "method": "tmfg", "max_clique_size": 4, "threshold": 0.0}
    assert set(doc["network"]) == {"seconds", "constant_features", "graph", "complex"}
    assert set(doc["network"]["complex"]) == {"n_vertices", "f_vector", "betti"}
    assert set(doc["training"]["history"][0]) == {"epoch", "train_loss", "val_loss", "best", "seconds"}
    assert set(load_file(saved / SIMILARITY_FILE)) == {"similarity"}
    assert any(name.endswith(".faces") for name in load_file(saved / WEIGHTS_FILE))


def test_save_over_an_existing_run_replaces_it(runs: dict[str, tuple[Run, np.ndarray]], saved: Path) -> None:
    other, X = runs["hnn-classification"]
    assert save_run(other, saved) == saved
    assert np.array_equal(load_run(saved).predict(X), other.predict(X))
    assert not [p for p in saved.iterdir() if p.name.endswith(".partial")]


def test_loading_never_unpickles(saved: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("load_run must not unpickle")

    for module, name in [(pickle, "load"), (pickle, "loads"), (pickle, "Unpickler"), (torch, "load")]:
        monkeypatch.setattr(module, name, refuse)
    assert load_run(saved).spec == run.spec


# ---- errors when saving --------------------------------------------------------------------------------


def test_save_refuses_unstorable_labels(runs: dict[str, tuple[Run, np.ndarray]], tmp_path: Path) -> None:
    bad = dataclasses.replace(runs["hnn-classification"][0], classes=((1, 2), "b", "c"))
    with pytest.raises(ModelFileError, match=r"class label \(1, 2\) \(tuple\) cannot be stored"):
        save_run(bad, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_save_into_a_file_fails(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ModelFileError, match="Cannot save run to"):
        save_run(run, blocker)


# ---- errors when loading: missing and unreadable files -------------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="the directory does not exist"):
        load_run(tmp_path / "nowhere")


def test_not_a_directory(saved: Path) -> None:
    with pytest.raises(ModelFileError, match="not a directory"):
        load_run(saved / RUN_FILE)


@pytest.mark.parametrize("name", FILES)
def test_missing_file(saved: Path, name: str) -> None:
    (saved / name).unlink()
    with pytest.raises(ModelFileError, match=message_for(saved, name) + "the file is missing"):
        load_run(saved)


def test_model_file_error_is_an_input_validation_error(tmp_path: Path) -> None:
    with pytest.raises(InputValidationError):
        load_run(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe binary", r"not a JSON file \(not UTF-8 text\)"),
        (b"[1, 2]", "must hold a JSON object; got array"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"format": "hnnviz-run", "version": ' + b"9" * 5000 + b"}", "not valid JSON"),
    ],
)
def test_run_json_not_json(saved: Path, content: bytes, match: str) -> None:
    (saved / RUN_FILE).write_bytes(content)
    with pytest.raises(ModelFileError, match=message_for(saved, RUN_FILE) + match):
        load_run(saved)


# ---- errors when loading: tampered run.json ------------------------------------------------------------


def _set(keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = keys.split(".")
        for key in parents:
            doc = doc[key]
        doc[last] = value

    return edit


def _delete(keys: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = keys.split(".")
        for key in parents:
            doc = doc[key]
        del doc[last]

    return edit


def _drop_feature(doc: dict[str, Any]) -> None:
    doc["feature_names"].pop()


def _clique_out_of_range(doc: dict[str, Any]) -> None:
    doc["network"]["graph"]["cliques"][0][-1] = 99


def _wrong_f_vector(doc: dict[str, Any]) -> None:
    doc["network"]["complex"]["f_vector"][1] -= 1


def _inflated_f_vector(doc: dict[str, Any]) -> None:
    doc["network"]["complex"]["f_vector"][1] += 1


def _long_f_vector(doc: dict[str, Any]) -> None:
    doc["network"]["complex"]["f_vector"].append(0)


def _unsorted_clique(doc: dict[str, Any]) -> None:
    doc["network"]["graph"]["cliques"][0].reverse()


def _overlapping_split(doc: dict[str, Any]) -> None:
    doc["training"]["split"]["val"].append(doc["training"]["split"]["train"][0])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("format", "something-else"), "not an hnnviz run: 'format' is 'something-else'"),
        (_delete("format"), "not an hnnviz run: 'format' is None"),
        (_set("version", FORMAT_VERSION + 1), f"format version {FORMAT_VERSION + 1} was written by a newer hnnviz"),
        (_set("version", 0), "unsupported format version 0"),
        (_set("version", 1), "unsupported format version 1; this hnnviz reads version 2"),
        (_set("version", "1"), "'version' must be an int; got string '1'"),
        (_drop_feature, "the complex has 10 vertices .* but there are 9 feature names"),
        (_set("feature_names", ["a"] * 10), "'feature_names' must be a non-empty list of distinct names"),
        (_set("network.graph.n_nodes", 11), "the graph has 11 nodes but there are 10 feature names"),
        (_clique_out_of_range, r"'network.graph.cliques' must be .* vertices in \[0, 9\]"),
        (_unsorted_clique, "'network.graph.cliques' must be a list of ascending vertex lists"),
        (_wrong_f_vector, "the complex rebuilt from the cliques has f-vector"),
        (_inflated_f_vector, r"the f-vector \[10, 25, 22, 7\] is larger than the cliques allow, \[10, 24, 22, 7\]"),
        (_long_f_vector, "the largest clique has 4 vertices but the f-vector counts simplices of 5 orders"),
        (_set("network.graph.clique_parent", [5]), "'network.graph.clique_parent' must give each"),
        (_delete("training.split"), "required key 'training.split' is missing"),
        (_set("training", []), "'training' must be an object; got array"),
        (_overlapping_split, "'training.split' must hold .* distinct"),
        (_set("training.x_scaler.scale", [1.0] * 9), "'training.x_scaler' must hold 10 means and scales; got 10 and 9"),
        (_set("training.y_scaler", None), "'training.y_scaler' must be an object; got null"),
        (_set("training.epochs_run", 99), r"\d+ history entries, 99 epochs run and best epoch \d+ disagree"),
        (_set("training.stopped", "bored"), "'training.stopped' must be one of"),
        (_set("spec.channels", "2"), "'spec.channels' must be an int; got string '2'"),
        (_set("spec.channels", 0), "invalid model spec: The 'channels' parameter"),
        (_set("spec.activation", "swish"), "invalid model spec: The 'activation' parameter"),
        (_set("spec.kind", "cnn"), "invalid model spec: The 'kind' parameter"),
        (_set("spec.channels", 10**12), "the model spec gives impossible tensor sizes"),
        (_set("spec.channels", 10**30), "the model spec gives impossible tensor sizes"),
        (_set("task", "ranking"), "'task' must be 'regression' or 'classification'"),
        (_set("n_outputs", 2), "a regression run has no classes and 1 output"),
        (_set("classes", [[1]]), "'classes' must be null or a list of str/int/float/bool"),
        (_delete("ifn"), "required key 'ifn' is missing"),
        (_set("ifn", "tmfg"), "'ifn' must be an object; got string 'tmfg'"),
        (_set("ifn.threshold", -1.0), r"invalid filtering options 'ifn': The 'threshold' parameter of IFNSpec"),
        (_set("ifn.max_clique_size", True), "invalid filtering options 'ifn': The 'max_clique_size' parameter"),
        (_set("ifn.similarity", "cosine"), "invalid filtering options 'ifn': The 'similarity' parameter"),
        (_set("ifn.alpha", 1), r"invalid filtering options 'ifn': .* Got missing \[\] and unknown \['alpha'\]"),
        (_delete("ifn.threshold"), r"invalid filtering options 'ifn': .* Got missing \['threshold'\]"),
        (_set("ifn.method", "mst"), "the graph was built by 'tmfg' but 'ifn.method' is 'mst'"),
    ],
)
def test_tampered_run_json(saved: Path, edit: Callable[[dict[str, Any]], None], match: str) -> None:
    edit_json(saved, edit)
    with pytest.raises(ModelFileError, match=message_for(saved, RUN_FILE) + match):
        load_run(saved)


def test_history_entry_errors_say_where(saved: Path) -> None:
    edit_json(saved, lambda doc: doc["training"]["history"][1].pop("val_loss"))
    with pytest.raises(ModelFileError, match=r"required key 'training.history\[1\].val_loss' is missing"):
        load_run(saved)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("n_outputs", 2), "the model has 2 outputs but there are 3 classes"),
        (_set("classes", ["a", "a", "b"]), "a classification run needs at least 2 distinct class labels"),
        (_set("classes", None), "a classification run needs at least 2 distinct class labels"),
        (_set("training.y_scaler", {"mean": [0.0], "scale": [1.0]}), "'training.y_scaler' must be null"),
    ],
)
def test_tampered_classification_run_json(
    runs: dict[str, tuple[Run, np.ndarray]], tmp_path: Path, edit: Callable[[dict[str, Any]], None], match: str
) -> None:
    folder = save_run(runs["hnn-classification"][0], tmp_path / "wine")
    edit_json(folder, edit)
    with pytest.raises(ModelFileError, match=message_for(folder, RUN_FILE) + match):
        load_run(folder)


def test_spec_that_no_longer_fits_the_weights(saved: Path) -> None:
    edit_json(saved, _set("spec.channels", 3))  # valid JSON, valid spec, but not the saved model
    with pytest.raises(ModelFileError, match=message_for(saved, WEIGHTS_FILE) + "tensors do not match the model"):
        load_run(saved)


# ---- errors when loading: tampered tensors -------------------------------------------------------------


def _grow(name: str) -> Callable[[dict[str, torch.Tensor]], None]:
    def edit(tensors: dict[str, torch.Tensor]) -> None:
        tensors[name] = torch.zeros(tensors[name].shape[0], tensors[name].shape[1] + 1)

    return edit


def _retype(name: str) -> Callable[[dict[str, torch.Tensor]], None]:
    def edit(tensors: dict[str, torch.Tensor]) -> None:
        tensors[name] = tensors[name].double()

    return edit


def _add_extra(tensors: dict[str, torch.Tensor]) -> None:
    tensors["extra.weight"] = torch.zeros(2)


def _drop_bias(tensors: dict[str, torch.Tensor]) -> None:
    del tensors["head.bias"]


def _rewire(tensors: dict[str, torch.Tensor]) -> None:
    tensors["layers.0.faces"] = tensors["layers.0.faces"].flip(0).contiguous()


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            _grow("head.weight"),
            r"tensors do not match the model rebuilt from run.json: 'head.weight' is F32\[1, 5\], expected F32\[1, 4\]",
        ),
        (
            _retype("head.weight"),
            r"tensors do not match the model rebuilt from run.json: 'head.weight' is F64\[1, 4\], expected F32\[1, 4\]",
        ),
        (_add_extra, "tensor names do not match .* missing none; unexpected 'extra.weight'"),
        (_drop_bias, "tensor names do not match .* missing 'head.bias'; unexpected none"),
        (_rewire, "face-index buffer 'layers.0.faces' differs from the wiring rebuilt from the cliques"),
    ],
)
def test_tampered_weights(saved: Path, edit: Callable[[dict[str, torch.Tensor]], None], match: str) -> None:
    edit_weights(saved, edit)
    with pytest.raises(ModelFileError, match=message_for(saved, WEIGHTS_FILE) + match):
        load_run(saved)


@pytest.mark.parametrize("name", [WEIGHTS_FILE, SIMILARITY_FILE])
@pytest.mark.parametrize(
    "corrupt",
    [
        lambda data: data[: len(data) - 7],  # truncated
        lambda data: data[:8] + b"\x00garbage" + data[16:],  # corrupt header
        lambda data: (2**40).to_bytes(8, "little") + data[8:],  # header length beyond the file
        lambda data: b"",
    ],
    ids=["truncated", "garbled-header", "header-too-long", "empty"],
)
def test_corrupt_safetensors(saved: Path, name: str, corrupt: Callable[[bytes], bytes]) -> None:
    path = saved / name
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(ModelFileError, match=message_for(saved, name) + "not a valid safetensors file"):
        load_run(saved)


@pytest.mark.parametrize(
    ("similarity", "match"),
    [
        (lambda W: W * 2, "the graph's edge weights add up to .* the files do not belong together"),
        (
            lambda W: W[:-1, :-1].contiguous(),
            r"tensors do not match the 10 features in run.json: 'similarity' is F64\[9, 9\], expected F64\[10, 10\]",
        ),
        (
            lambda W: W.float(),
            r"tensors do not match the 10 features in run.json: 'similarity' is F32\[10, 10\], expected F64\[10, 10\]",
        ),
        (lambda W: W.fill_diagonal_(float("nan")), "invalid similarity matrix: .* must be finite"),
        (lambda W: W - W.T.triu(), "invalid similarity matrix: .* must be symmetric"),
    ],
)
def test_tampered_similarity(saved: Path, similarity: Callable[[torch.Tensor], torch.Tensor], match: str) -> None:
    path = saved / SIMILARITY_FILE
    save_file({"similarity": similarity(load_file(path)["similarity"])}, path)
    with pytest.raises(ModelFileError, match=message_for(saved, SIMILARITY_FILE) + match):
        load_run(saved)


# ---- errors when loading: links, special files and sizes -----------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_symlinked_file_is_refused(saved: Path, tmp_path: Path, name: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    (saved / name).rename(elsewhere)  # a good file, but reached through a link
    (saved / name).symlink_to(elsewhere)
    with pytest.raises(ModelFileError, match=message_for(saved, name) + "a symbolic link; a run's files must be"):
        load_run(saved)


def test_symlinked_folder_is_refused(saved: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(saved, target_is_directory=True)
    with pytest.raises(ModelFileError, match=re.escape(f"'{link}': a symbolic link; a run is read only from a real")):
        load_run(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("make", [os.mkdir, getattr(os, "mkfifo", None)], ids=["directory", "fifo"])
def test_special_file_is_refused(saved: Path, make: Callable[[Path], None]) -> None:
    (saved / RUN_FILE).unlink()
    make(saved / RUN_FILE)  # a named pipe would block a reader forever
    with pytest.raises(ModelFileError, match=message_for(saved, RUN_FILE) + "not a regular file"):
        load_run(saved)


def test_oversized_run_json_is_refused_before_it_is_parsed(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved / RUN_FILE
    path.write_bytes(b" " * (20 * 2**20) + path.read_bytes())  # still valid JSON, just large

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an oversized run.json must not be parsed")

    monkeypatch.setattr(json, "loads", refuse)
    match = r"the file is 20,97\d,\d{3} bytes, over the limit of 16,777,216 bytes \(RunLimits.max_json_bytes\)"
    with pytest.raises(ModelFileError, match=message_for(saved, RUN_FILE) + match):
        load_run(saved)


def test_padded_weights_are_refused(saved: Path) -> None:
    with (saved / WEIGHTS_FILE).open("ab") as file:
        file.write(bytes(2**20))
    match = r"the file is [\d,]+ bytes, over the limit of [\d,]+ bytes \(the tensors expected from the model rebuilt"
    with pytest.raises(ModelFileError, match=message_for(saved, WEIGHTS_FILE) + match):
        load_run(saved)


def test_model_too_large_for_the_limit_is_refused_before_it_is_built(saved: Path) -> None:
    edit_json(saved, _set("spec.channels", 10**5))  # fine on the meta device, far too large to allocate
    match = r"the tensors expected from the model rebuilt from run.json take [\d,]+ bytes, over the limit of 1,073,7"
    with pytest.raises(ModelFileError, match=message_for(saved, WEIGHTS_FILE) + match):
        load_run(saved)


@pytest.mark.parametrize(
    ("limits", "name", "match"),
    [
        (RunLimits(max_json_bytes=100), RUN_FILE, r"the file is [\d,]+ bytes, over the limit of 100 bytes \(RunLimits"),
        (RunLimits(max_tensor_bytes=100), WEIGHTS_FILE, r"the file is [\d,]+ bytes, over the limit of 100 bytes"),
        (
            RunLimits(max_simplices=62),
            RUN_FILE,
            r"the cliques \(the largest of 4 vertices\) make a complex of up to 63",
        ),
    ],
)
def test_limits_are_configurable(saved: Path, limits: RunLimits, name: str, match: str) -> None:
    assert load_run(saved, limits=RunLimits(max_simplices=63)).network.complex.n_simplices == 63
    with pytest.raises(ModelFileError, match=message_for(saved, name) + match):
        load_run(saved, limits=limits)


def test_limits_must_be_run_limits(saved: Path) -> None:
    with pytest.raises(InputValidationError, match="The 'limits' parameter of load_run must be None or a RunLimits"):
        load_run(saved, limits={"max_simplices": 10})  # type: ignore[arg-type]
    with pytest.raises(InputValidationError, match="The 'max_simplices' parameter of RunLimits must be an int"):
        RunLimits(max_simplices=0)


# ---- huge complexes are refused before they are built --------------------------------------------------


@pytest.fixture(scope="module")
def wide_run() -> Run:
    """A TMFG run on 30 random features, trained for one epoch: room for a 30-vertex clique."""
    X = np.random.default_rng(5).normal(size=(40, 30))
    data = Dataset(X=X, feature_names=tuple(f"x{i}" for i in range(30)), y=X[:, 0], target="y", task="regression")
    return train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1))


def _one_clique_of_all(folder: Path, ifn: IFNSpec) -> None:
    """Make ``folder``'s run one clique of all its features, consistent everywhere but in the clique's size."""
    W = load_file(folder / SIMILARITY_FILE)["similarity"].numpy()
    p = W.shape[0]

    def edit(doc: dict[str, Any]) -> None:
        graph = doc["network"]["graph"]
        graph.update(cliques=[list(range(p))], clique_parent=[-1], separators=[], method=ifn.method)
        graph["total_weight"] = sum(float(W[u, v]) for u, v in combinations(range(p), 2))
        doc["network"]["complex"].update(f_vector=[math.comb(p, k + 1) for k in range(p)], betti=[1] + [0] * (p - 1))
        doc["ifn"] = ifn.to_dict()

    edit_json(folder, edit)


@pytest.mark.parametrize(
    ("ifn", "match"),
    [
        (IFNSpec(), "clique 0 has 30 vertices, but TMFG on pearson2 makes cliques of at most 4"),
        (
            IFNSpec(method="mfcf", max_clique_size=30),
            r"the cliques \(the largest of 30 vertices\) make a complex of up to 1,073,741,823 simplices, over "
            r"the limit of 500,000 \(RunLimits.max_simplices\)",
        ),
    ],
    ids=["tmfg", "mfcf-30"],
)
def test_huge_clique_is_refused_before_the_complex_is_built(
    wide_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ifn: IFNSpec, match: str
) -> None:
    folder = save_run(wide_run, tmp_path / "wide")
    _one_clique_of_all(folder, ifn)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the complex of a 30-vertex clique must not be built (a billion simplices)")

    monkeypatch.setattr("hnnviz.io.runfile._rebuild.clique_complex", refuse)
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match=message_for(folder, RUN_FILE) + match):
        load_run(folder)
    assert time.perf_counter() - start < 1.0


def test_large_real_tmfg_run_loads(tmp_path: Path) -> None:
    """A TMFG on 2,000 features (15,983 simplices, a 32 MB similarity file) is well within the default limits."""
    X = np.random.default_rng(7).normal(size=(30, 2000))
    data = Dataset(X=X, feature_names=tuple(f"x{i}" for i in range(2000)), y=X[:, 0], target="y", task="regression")
    run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1))
    loaded = load_run(save_run(run, tmp_path / "tmfg-2000"))
    assert loaded.network.complex.f_vector == (2000, 5994, 5992, 1997)
    assert np.array_equal(loaded.predict(X), run.predict(X))


def _sliding(k: int, p: int) -> tuple[list[list[int]], list[int]]:
    """Cliques of ``k`` consecutive vertices, each the child of the one before: an MFCF's shape at threshold 0."""
    return [list(range(i, i + k)) for i in range(p - k + 1)], [i - 1 for i in range(p - k + 1)]


@pytest.mark.parametrize(
    ("cliques", "parents", "p", "exact"),
    [
        (*_sliding(8, 20), 20, True),
        ([[0, 1, 2], [3, 4], [4, 5, 6, 7]], [-1, -1, 1], 9, True),  # a forest and an isolated vertex
        ([[0, 1, 2], [1, 2, 3], [0, 2, 3]], [-1, 0, 1], 4, False),  # not a clique tree: edge 0-2 counted twice
    ],
    ids=["sliding-8", "forest", "not-a-tree"],
)
def test_complex_is_counted_without_building_it(
    cliques: list[list[int]], parents: list[int], p: int, exact: bool
) -> None:
    growth = _clique_growth(cliques, parents)
    bound = _f_vector_bound(growth, p)
    f_vector = clique_complex(cliques, n_vertices=p).f_vector
    assert sum(bound) == _simplex_count(growth, p)
    assert (bound == f_vector) is exact and all(b >= f for b, f in zip(bound, f_vector, strict=True))


def test_counts_of_real_networks(run: Run) -> None:
    graph = run.network.graph
    assert _f_vector_bound(_clique_growth(graph.cliques, graph.clique_parent), 10) == run.network.complex.f_vector
    # an MFCF with max_clique_size 12 on 200 features (measured: the same f-vector), counted, not built
    assert _simplex_count(_clique_growth(*_sliding(12, 200)), 200) == 389_119 <= RunLimits().max_simplices


# ---- malicious files never run code --------------------------------------------------------------------


class _Payload:
    """Unpickling this object runs code: it writes a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return exec, (f"open({self.marker!r}, 'w').write('pwned')",)


def _pickle_payload(marker: Path, path: Path) -> None:
    path.write_bytes(pickle.dumps(_Payload(marker)))


def _text_pickle_payload(marker: Path, path: Path) -> None:
    path.write_bytes(pickle.dumps(_Payload(marker), protocol=0))  # ASCII: gets as far as the JSON parser


def _torch_payload(marker: Path, path: Path) -> None:
    torch.save({"head.weight": _Payload(marker)}, path)


def _numpy_payload(marker: Path, path: Path) -> None:
    with path.open("wb") as file:  # a path would get '.npy' appended
        np.save(file, np.array([_Payload(marker)], dtype=object), allow_pickle=True)


PAYLOADS = {
    "pickle": _pickle_payload,
    "text-pickle": _text_pickle_payload,
    "torch-save": _torch_payload,
    "numpy-object": _numpy_payload,
}


@pytest.mark.parametrize("kind", PAYLOADS)
def test_payloads_are_live(tmp_path: Path, kind: str) -> None:
    """Control: the payloads do run code when unpickled, so the test below is not vacuous."""
    marker, path = tmp_path / "marker", tmp_path / "payload"
    PAYLOADS[kind](marker, path)
    if kind == "torch-save":
        torch.load(path, weights_only=False)
    elif kind == "numpy-object":
        np.load(path, allow_pickle=True)
    else:
        pickle.loads(path.read_bytes())
    assert marker.read_text() == "pwned"


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("kind", PAYLOADS)
def test_malicious_file_never_runs_code(saved: Path, tmp_path: Path, name: str, kind: str) -> None:
    marker = tmp_path / "marker"
    PAYLOADS[kind](marker, saved / name)
    with pytest.raises(ModelFileError, match=message_for(saved, name)):
        load_run(saved)
    assert not marker.exists()


def test_features_constant_on_the_training_rows_are_saved_with_the_run(tmp_path: Path) -> None:
    from sklearn.datasets import load_digits

    from hnnviz.data import prepare_dataset

    digits = load_digits(as_frame=True).frame
    ds = prepare_dataset(digits, target="target")
    run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1))
    assert run.network.constant_features  # some pixels are constant on the training rows only
    loaded = load_run(save_run(run, tmp_path / "digits"))
    assert loaded.network.constant_features == run.network.constant_features
    assert np.array_equal(loaded.predict(ds.X), run.predict(ds.X))
