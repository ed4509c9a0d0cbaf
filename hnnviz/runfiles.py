"""Save a trained :class:`~hnnviz.runs.Run` to a directory and load it back without running any code.

A saved run is a directory of three files:

``run.json``
    Everything but the tensors, as plain JSON: the format name and version, the model spec and its number of
    outputs, task, target, class labels, feature names, the filtering options (an
    :class:`~hnnviz.pipeline.IFNSpec` as a dict), the filtered graph (cliques,
    clique tree, separators, vertex order), the complex's size (it is rebuilt from the cliques on load and
    checked against the stored f-vector and Betti numbers), the scalers, the split, the metrics, the history
    and the training diagnostics, and the hnnviz version that wrote it.
``weights.safetensors``
    The model's ``state_dict``. The face-index buffers of an HNN are in it, so its wiring is checked too.
``similarity.safetensors``
    The float64 similarity matrix, under the name ``"similarity"``; the graph's edge weights are rebuilt
    from it.

Loading never unpickles anything: ``run.json`` is parsed with :mod:`json` and the tensors are read with
:mod:`safetensors`, a format of raw numbers behind a JSON header. Every key, type, count, tensor name,
shape and dtype is checked before the model is built; any problem raises
:class:`~hnnviz.exceptions.ModelFileError` with a one-line message naming the file and what is wrong.
Before anything is parsed, the folder and its three files must be a real directory and regular files (symbolic
links are refused, not followed) within the sizes of :class:`RunLimits`; before the complex is built, the
cliques must be ones the stored filter can make, and the complex they span is counted (without building it)
against the stored f-vector and :attr:`RunLimits.max_simplices`. No other file of the folder is read.

``run.json`` is compact UTF-8 JSON; a non-finite metric is written as ``NaN``/``Infinity``, the extension
Python's :mod:`json` reads and writes.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import Tensor, nn

from ._validation import check_in, check_int, check_similarity_matrix
from .complex import CliqueComplex, clique_complex
from .exceptions import InputValidationError, ModelFileError
from .ifn import FilteredGraph
from .model import ACTIVATIONS
from .pipeline import FilteredNetwork, IFNSpec
from .runs import MODEL_KINDS, ModelSpec, Run, build_model
from .train import EpochRecord, Scaler, Split, TrainResult

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "RUN_FILE",
    "SIMILARITY_FILE",
    "WEIGHTS_FILE",
    "RunLimits",
    "load_run",
    "save_run",
]

FORMAT_NAME = "hnnviz-run"
FORMAT_VERSION = 2  # 2: the filtering options are an IFNSpec under 'ifn'
RUN_FILE = "run.json"
WEIGHTS_FILE = "weights.safetensors"
SIMILARITY_FILE = "similarity.safetensors"

_MIB = 2**20
# Room for a safetensors header beyond the tensors' own bytes: 8 bytes of length, then JSON of about 100 bytes a
# tensor (name, dtype, shape, offsets), padded to 8 bytes.
_HEADER_BYTES = 64 * 1024
_HEADER_BYTES_PER_TENSOR = 1024
# The largest clique each filter makes; an MFCF's is its 'max_clique_size'.
_LARGEST_CLIQUE = {"tmfg": 4, "mst": 2}

_TASKS = ("regression", "classification")
_STOP_REASONS = ("early", "max_epochs", "callback")
_PARTS = ("train", "val", "test")
_DTYPE_NAMES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


@dataclass(frozen=True)
class RunLimits:
    """How much :func:`load_run` accepts; anything larger is refused before it is parsed or built.

    Attributes
    ----------
    max_json_bytes : int, default 16 MiB
        Size of ``run.json``, checked before it is read (a TMFG run on 2,000 features writes about 180 kB).
    max_tensor_bytes : int, default 1 GiB
        Size of each safetensors file, checked before anything is read. Each file must moreover be no larger
        than the tensors ``run.json`` implies (the similarity matrix holds ``8 p**2`` bytes, 32 MB at
        ``p = 2,000``) plus a small header, and the model rebuilt from ``run.json`` must fit in this limit.
    max_simplices : int, default 500,000
        Simplices of the clique complex, counted from the stored cliques and clique tree before the complex
        is built (exactly for a clique tree, as every filter writes; an upper bound otherwise). A TMFG on
        ``p`` features has ``8 p - 17`` (15,983 at ``p = 2,000``), an MFCF with ``max_clique_size=12`` on 200
        features about 389,000. Building one 20-vertex clique (a million simplices) takes about half a minute
        and 600 MB, and each further vertex doubles that.

    Raises
    ------
    InputValidationError
        If a limit is not an int >= 1.

    Examples
    --------
    >>> RunLimits(max_simplices=10**6).max_simplices
    1000000
    >>> RunLimits(max_json_bytes=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The 'max_json_bytes' parameter of RunLimits must be an int in [1, inf]...
    """

    max_json_bytes: int = 16 * _MIB
    max_tensor_bytes: int = 1024 * _MIB
    max_simplices: int = 500_000

    def __post_init__(self) -> None:
        for name in ("max_json_bytes", "max_tensor_bytes", "max_simplices"):
            object.__setattr__(self, name, check_int(getattr(self, name), name=name, owner="RunLimits", low=1))


# ---- saving ------------------------------------------------------------------------------------------


def save_run(run: Run, directory: str | os.PathLike[str]) -> Path:
    """Write ``run`` to ``directory`` as ``run.json``, ``weights.safetensors`` and ``similarity.safetensors``.

    The directory is created if needed; these three files are replaced if present (each is written to a
    temporary name first, ``run.json`` last), other files are left alone.

    Parameters
    ----------
    run : Run
        A trained run, e.g. from :func:`hnnviz.runs.train_run`.
    directory : str or path-like
        Where to write.

    Returns
    -------
    pathlib.Path
        The directory, ready for :func:`load_run`.

    Raises
    ------
    ModelFileError
        If a class label cannot be written as JSON (labels must be str, int, finite float or bool), or the
        files cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from hnnviz.data import Dataset
    >>> from hnnviz.runs import ModelSpec, train_run
    >>> from hnnviz.train import TrainConfig
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(epochs=2))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = sorted(p.name for p in save_run(run, folder).iterdir())
    ...     loaded = load_run(folder)
    >>> files
    ['run.json', 'similarity.safetensors', 'weights.safetensors']
    >>> bool((loaded.predict(X) == run.predict(X)).all()), loaded.network.complex.f_vector
    (True, (5, 9, 7, 2))
    """
    folder = Path(directory)
    document = _document(run)
    weights = {name: t.detach().cpu().contiguous() for name, t in run.model.state_dict().items()}
    similarity = {"similarity": torch.tensor(np.asarray(run.network.similarity, dtype=np.float64))}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / WEIGHTS_FILE, lambda name: save_file(weights, name))
        _write_atomic(folder / SIMILARITY_FILE, lambda name: save_file(similarity, name))
        text = json.dumps(document, separators=(",", ":"))
        _write_atomic(folder / RUN_FILE, lambda name: Path(name).write_text(text, encoding="utf-8"))
    except OSError as err:
        raise ModelFileError(f"Cannot save run to '{folder}': {_one_line(str(err))}.") from err
    return folder


def _write_atomic(target: Path, write: Callable[[str], object]) -> None:
    """Write through ``write(name)`` to a temporary file beside ``target``, then move it into place."""
    partial = target.with_name(target.name + ".partial")
    try:
        write(str(partial))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _document(run: Run) -> dict[str, Any]:
    """The JSON content of ``run.json``."""
    from . import __version__

    network, result = run.network, run.result
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "hnnviz_version": __version__,
        "dataset_name": str(run.dataset_name),
        "target": None if run.target is None else str(run.target),
        "task": run.task,
        "classes": None if run.classes is None else [_json_label(c) for c in run.classes],
        "feature_names": [str(n) for n in run.feature_names],
        "ifn": run.ifn.to_dict(),
        "spec": {
            "kind": run.spec.kind,
            "channels": int(run.spec.channels),
            "max_order": None if run.spec.max_order is None else int(run.spec.max_order),
            "activation": run.spec.activation,
            "readout_width": int(run.spec.readout_width),
        },
        "n_outputs": int(run.model.head.out_features),
        "network": {
            "seconds": {str(k): float(v) for k, v in network.seconds.items()},
            "constant_features": [str(n) for n in network.constant_features],
            "graph": _graph_document(network.graph),
            "complex": {
                "n_vertices": int(network.complex.n_vertices),
                "f_vector": [int(n) for n in network.complex.f_vector],
                "betti": [int(b) for b in network.complex.betti],
            },
        },
        "training": _training_document(result),
    }


def _graph_document(graph: FilteredGraph) -> dict[str, Any]:
    return {
        "method": graph.method,
        "n_nodes": int(graph.n_nodes),
        "cliques": [[int(v) for v in c] for c in graph.cliques],
        "clique_parent": [int(k) for k in graph.clique_parent],
        "separators": [[int(v) for v in s] for s in graph.separators],
        "vertex_order": [int(v) for v in graph.vertex_order],
        "total_weight": float(graph.total_weight),
    }


def _training_document(result: TrainResult) -> dict[str, Any]:
    return {
        "x_scaler": _scaler_document(result.x_scaler),
        "y_scaler": None if result.y_scaler is None else _scaler_document(result.y_scaler),
        "split": {part: np.asarray(getattr(result.split, part), dtype=np.int64).tolist() for part in _PARTS},
        "metrics": {part: {k: float(v) for k, v in values.items()} for part, values in result.metrics.items()},
        "history": [_record_document(record) for record in result.history],
        "best_epoch": int(result.best_epoch),
        "epochs_run": int(result.epochs_run),
        "stopped": result.stopped,
        "inactive": {str(int(k)): float(v) for k, v in result.inactive.items()},
        "dead_readouts": [int(k) for k in result.dead_readouts],
        "seconds": float(result.seconds),
    }


def _scaler_document(scaler: Scaler) -> dict[str, list[float]]:
    return {"mean": np.asarray(scaler.mean, dtype=np.float64).tolist(), "scale": np.asarray(scaler.scale).tolist()}


def _record_document(record: EpochRecord) -> dict[str, Any]:
    return {
        "epoch": int(record.epoch),
        "train_loss": float(record.train_loss),
        "val_loss": float(record.val_loss),
        "best": bool(record.best),
        "seconds": float(record.seconds),
    }


def _json_label(label: Any) -> str | int | float | bool:
    """A class label as a JSON value, or :class:`ModelFileError` for anything but str, int, finite float, bool."""
    value = label.item() if isinstance(label, np.generic) else label
    if _is_label(value):
        return value
    raise ModelFileError(
        f"Cannot save run: class label {label!r} ({type(label).__name__}) cannot be stored; "
        "labels must be str, int, finite float or bool."
    )


# ---- loading -----------------------------------------------------------------------------------------


def load_run(directory: str | os.PathLike[str], *, limits: RunLimits | None = None) -> Run:
    """Read a run written by :func:`save_run`, checking every part before anything is built.

    ``run.json`` is parsed as JSON and the tensors are read with safetensors: nothing is unpickled, so a
    tampered file cannot run code. The folder and its files are checked first (a real directory, regular
    files, sizes within ``limits``), and the complex the cliques span is counted before it is built. The
    clique complex is rebuilt from the stored cliques, the model from the stored spec on that complex, and
    the weights are loaded with ``strict=True``; the predictions equal those of the saved run exactly.

    Parameters
    ----------
    directory : str or path-like
        A directory written by :func:`save_run`.
    limits : RunLimits, optional
        File sizes and complex size accepted (default ``RunLimits()``).

    Returns
    -------
    Run
        With its model in eval mode.

    Raises
    ------
    ModelFileError
        If the directory or a file is missing, is a symbolic link or not a regular file or directory, or a
        file is larger than ``limits`` allow (or, for a safetensors file, than its tensors need); ``run.json``
        is not JSON, not an hnnviz run, of an unknown format version, lacks a key or holds a value of the wrong
        type; the filtering options are not a valid :class:`~hnnviz.pipeline.IFNSpec` or name another method
        than the graph's; the feature counts disagree; a clique uses a vertex out of range or is larger than
        the filter makes; the complex of the cliques would exceed ``limits.max_simplices`` or cannot have the
        stored f-vector; the rebuilt complex differs from the stored f-vector; the model rebuilt from the
        spec is larger than ``limits.max_tensor_bytes``; a safetensors file is corrupt or truncated; a tensor
        is missing, unexpected, or of the wrong shape or dtype; or the stored face indices differ from the
        rebuilt wiring.
    InputValidationError
        If ``limits`` is not a :class:`RunLimits`.

    Examples
    --------
    >>> load_run("no/such/run")
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.ModelFileError: Cannot load run from 'no/such/run': the directory does not exist.
    """
    if limits is None:
        limits = RunLimits()
    elif not isinstance(limits, RunLimits):
        raise InputValidationError(
            f"The 'limits' parameter of load_run must be None or a RunLimits. Got {type(limits).__name__} instead."
        )
    folder = _run_folder(directory)
    path = folder / RUN_FILE
    _check_file(path, limits.max_json_bytes, "RunLimits.max_json_bytes")
    for name in (WEIGHTS_FILE, SIMILARITY_FILE):
        _check_file(folder / name, limits.max_tensor_bytes, "RunLimits.max_tensor_bytes")
    doc = _read_json(path, limits.max_json_bytes)
    _check_format(doc, path)
    names = _read_feature_names(doc, path)
    spec = _read_spec(doc, path)
    task, classes, n_outputs = _read_task(doc, path)
    ifn = _read_ifn(doc, path)
    complex_info = _read_complex_info(doc, path, len(names))
    graph_fields = _read_graph_fields(doc, path, len(names), max_clique=len(complex_info["f_vector"]))
    if graph_fields["method"] != ifn.method:
        raise _fail(path, f"the graph was built by {graph_fields['method']!r} but 'ifn.method' is {ifn.method!r}")
    _check_complex_size(graph_fields, ifn, complex_info["f_vector"], path, limits.max_simplices)
    training = _read_training(doc, path, len(names), task)
    dataset_name = _get(doc, "dataset_name", path, _is_str, "a string")
    target = _get(doc, "target", path, _optional(_is_str), "null or a string")
    seconds = _get(doc, "network.seconds", path, _dict_of(_is_number), "an object of numbers")
    constant = _get(
        doc, "network.constant_features", path, lambda v: _list_of(_is_str)(v) and set(v) <= set(names),
        "a list of the run's feature names",
    )  # fmt: skip

    W = _read_similarity(folder / SIMILARITY_FILE, len(names), limits.max_tensor_bytes)
    graph = _rebuild_graph(graph_fields, W, folder / SIMILARITY_FILE)
    cx = _rebuild_complex(graph, complex_info, path)
    model = _load_model(folder / WEIGHTS_FILE, spec, cx, n_outputs, limits.max_tensor_bytes)
    network = FilteredNetwork(
        feature_names=names,
        similarity=W,
        ifn=ifn,
        graph=graph,
        complex=cx,
        seconds={k: float(v) for k, v in seconds.items()},
        constant_features=tuple(constant),
    )
    return Run(
        spec=spec,
        network=network,
        result=TrainResult(model=model, task=task, **training),
        dataset_name=dataset_name,
        target=target,
        task=task,
        classes=classes,
    )


# ---- messages and JSON type checks -------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split()).rstrip(".")


def _fail(path: Path, what: str) -> ModelFileError:
    return ModelFileError(f"Cannot load run from '{path}': {_one_line(what)}.")


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


def _kind(value: Any) -> str:
    """A short description of a JSON value for messages: its JSON type and a clipped repr."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "int", float: "float"}
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return "null" if value is None else f"{names.get(type(value), type(value).__name__)} {shown}"


def _get(obj: Mapping[str, Any], key: str, path: Path, check: Callable[[Any], bool], must: str, *, at: str = "") -> Any:
    """``obj[key]`` (``key`` may be dotted) if present and ``check`` accepts it, else :class:`ModelFileError`.

    ``at`` is where ``obj`` sits in the document, for messages.
    """
    value: Any = obj
    where = at
    for part in key.split("."):
        if not isinstance(value, dict):
            raise _fail(path, f"'{where}' must be an object; got {_kind(value)}")
        where = f"{where}.{part}" if where else part
        if part not in value:
            raise _fail(path, f"required key '{where}' is missing")
        value = value[part]
    if not check(value):
        raise _fail(path, f"'{where}' must be {must}; got {_kind(value)}")
    return value


# ---- reading run.json --------------------------------------------------------------------------------


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
        raise _fail(path, f"must hold a JSON object; got {_kind(doc)}")
    return doc


def _check_format(doc: dict[str, Any], path: Path) -> None:
    if doc.get("format") != FORMAT_NAME:
        raise _fail(path, f"not an hnnviz run: 'format' is {doc.get('format')!r}, expected {FORMAT_NAME!r}")
    version = _get(doc, "version", path, _is_int, "an int")
    if version > FORMAT_VERSION:
        raise _fail(
            path, f"format version {version} was written by a newer hnnviz; this one reads version {FORMAT_VERSION}"
        )
    if version != FORMAT_VERSION:
        raise _fail(path, f"unsupported format version {version}; this hnnviz reads version {FORMAT_VERSION}")


def _read_feature_names(doc: dict[str, Any], path: Path) -> tuple[str, ...]:
    names = _get(doc, "feature_names", path, _list_of(_is_str), "a list of strings")
    if not names or len(set(names)) != len(names):
        raise _fail(path, "'feature_names' must be a non-empty list of distinct names")
    return tuple(names)


def _read_spec(doc: dict[str, Any], path: Path) -> ModelSpec:
    kind = _get(doc, "spec.kind", path, _is_str, "a string")
    channels = _get(doc, "spec.channels", path, _is_int, "an int")
    max_order = _get(doc, "spec.max_order", path, _optional(_is_int), "null or an int")
    activation = _get(doc, "spec.activation", path, _is_str, "a string")
    readout_width = _get(doc, "spec.readout_width", path, _is_int, "an int")
    with _invalid(path, "invalid model spec"):
        owner = f"{RUN_FILE} spec"
        check_in(kind, MODEL_KINDS, name="kind", owner=owner)
        check_in(activation, ACTIVATIONS, name="activation", owner=owner)
        check_int(channels, name="channels", owner=owner, low=1)
        check_int(readout_width, name="readout_width", owner=owner, low=1)
        if max_order is not None:
            check_int(max_order, name="max_order", owner=owner, low=0)
        return ModelSpec(kind, channels, max_order, activation, readout_width)


def _read_ifn(doc: dict[str, Any], path: Path) -> IFNSpec:
    options = _get(doc, "ifn", path, lambda v: isinstance(v, dict), "an object")
    with _invalid(path, "invalid filtering options 'ifn'"):
        return IFNSpec.from_dict(options)


def _read_task(doc: dict[str, Any], path: Path) -> tuple[str, tuple[Any, ...] | None, int]:
    """Task, class labels and number of model outputs, checked against each other."""
    task = _get(doc, "task", path, _is_str, "a string")
    if task not in _TASKS:
        raise _fail(path, f"'task' must be 'regression' or 'classification'; got {task!r}")
    labels = _get(doc, "classes", path, _optional(_list_of(_is_label)), "null or a list of str/int/float/bool")
    n_outputs = _get(doc, "n_outputs", path, _is_int, "an int")
    if task == "regression":
        if labels is not None or n_outputs != 1:
            raise _fail(
                path, f"a regression run has no classes and 1 output; got classes {labels!r}, {n_outputs} outputs"
            )
        return task, None, 1
    if labels is None or len(labels) < 2 or len({(type(c), c) for c in labels}) != len(labels):
        raise _fail(path, f"a classification run needs at least 2 distinct class labels; got {_kind(labels)}")
    if n_outputs != len(labels):
        raise _fail(path, f"the model has {n_outputs} outputs but there are {len(labels)} classes")
    return task, tuple(labels), n_outputs


def _read_complex_info(doc: dict[str, Any], path: Path, p: int) -> dict[str, Any]:
    at = "network.complex"
    n_vertices = _get(doc, f"{at}.n_vertices", path, _is_int, "an int")
    f_vector = _get(doc, f"{at}.f_vector", path, _list_of(_is_int), "a list of ints")
    betti = _get(doc, f"{at}.betti", path, _list_of(_is_int), "a list of ints")
    if n_vertices != p or not f_vector or f_vector[0] != p:
        raise _fail(
            path, f"the complex has {n_vertices} vertices (f-vector {f_vector}) but there are {p} feature names"
        )
    return {"f_vector": tuple(f_vector), "betti": tuple(betti)}


def _vertex_group(p: int, largest: int) -> Callable[[Any], bool]:
    """A check for a strictly increasing list of vertices in ``[0, p)`` with at most ``largest`` members."""

    def check(value: Any) -> bool:
        return (
            _list_of(_is_int)(value)
            and len(value) <= largest
            and all(0 <= v < p for v in value)
            and all(a < b for a, b in pairwise(value))
        )

    return check


def _read_graph_fields(doc: dict[str, Any], path: Path, p: int, *, max_clique: int) -> dict[str, Any]:
    """The FilteredGraph fields stored in ``run.json`` (all but the weighted graph), checked."""
    at = "network.graph"
    method = _get(doc, f"{at}.method", path, _is_str, "a string")
    n_nodes = _get(doc, f"{at}.n_nodes", path, _is_int, "an int")
    if n_nodes != p:
        raise _fail(path, f"the graph has {n_nodes} nodes but there are {p} feature names")
    groups = f"a list of ascending vertex lists with vertices in [0, {p - 1}] (at most {max_clique} each)"
    cliques = _get(doc, f"{at}.cliques", path, _list_of(_vertex_group(p, max_clique)), groups)
    separators = _get(doc, f"{at}.separators", path, _list_of(_vertex_group(p, max_clique)), groups)
    parents = _get(doc, f"{at}.clique_parent", path, _list_of(_is_int), "a list of ints")
    if len(parents) != len(cliques) or any(not -1 <= q < k for k, q in enumerate(parents)):
        raise _fail(path, f"'{at}.clique_parent' must give each of the {len(cliques)} cliques an earlier clique or -1")
    order = _get(doc, f"{at}.vertex_order", path, _list_of(_is_int), "a list of ints")
    if any(not 0 <= v < p for v in order) or len(set(order)) != len(order):
        raise _fail(path, f"'{at}.vertex_order' must list distinct vertices in [0, {p - 1}]")
    total = _get(doc, f"{at}.total_weight", path, _is_number, "a number")
    return {
        "method": method,
        "n_nodes": p,
        "cliques": tuple(tuple(c) for c in cliques),
        "clique_parent": tuple(parents),
        "separators": tuple(tuple(s) for s in separators),
        "vertex_order": tuple(order),
        "total_weight": float(total),
    }


def _clique_growth(cliques: Sequence[Sequence[int]], parents: Sequence[int]) -> Counter[tuple[int, int]]:
    """How many cliques have ``n`` vertices of which ``s`` are in their parent clique, by ``(n, s)``."""
    return Counter(
        (len(clique), len(set(clique).intersection(cliques[parent])) if parent >= 0 else 0)
        for clique, parent in zip(cliques, parents, strict=True)
    )


def _simplex_count(growth: Mapping[tuple[int, int], int], n_vertices: int) -> int:
    """Simplices of the complex of the cliques counted by :func:`_clique_growth` (see :func:`_f_vector_bound`).

    Each clique of ``n`` vertices, ``s`` of them in its parent, adds ``2**n - 2**s`` non-empty vertex sets, of
    which ``n - s`` single vertices are already among the ``n_vertices``. One big-integer power per kind of
    clique: cheap even for a clique of a million vertices.
    """
    return n_vertices + sum(m * ((1 << n) - (1 << s) - (n - s)) for (n, s), m in growth.items())


def _f_vector_bound(growth: Mapping[tuple[int, int], int], n_vertices: int) -> tuple[int, ...]:
    """Simplices of each order of the complex of the cliques counted by :func:`_clique_growth`, not built.

    A clique of ``n`` vertices adds at most its ``comb(n, k + 1)`` order-``k`` faces less those of its
    intersection ``s`` with its parent, an earlier clique whose faces are counted already. For a clique tree
    (each clique meets the earlier ones only inside its parent, as every filter writes them) this is the
    exact f-vector; for any other parents it is an upper bound. Only call it once :func:`_simplex_count` is
    small: it takes ``n`` binomials per kind of clique.
    """
    orders = max([1, *(n for n, _ in growth)])
    higher = (
        sum(m * (math.comb(n, k + 1) - math.comb(s, k + 1)) for (n, s), m in growth.items()) for k in range(1, orders)
    )
    return (n_vertices, *higher)


def _check_complex_size(
    fields: Mapping[str, Any], ifn: IFNSpec, f_vector: tuple[int, ...], path: Path, max_simplices: int
) -> None:
    """Refuse cliques the filter cannot make, or whose complex is too large or cannot be the stored one.

    All of it is counted from the cliques and the clique tree, before gudhi builds anything: one clique of
    30 vertices would make a complex of a billion simplices.
    """
    cliques = fields["cliques"]
    largest = _LARGEST_CLIQUE.get(ifn.method, ifn.max_clique_size)
    sizes = [len(clique) for clique in cliques]
    biggest = max(sizes, default=0)
    if biggest > largest:
        raise _fail(
            path,
            f"clique {sizes.index(biggest)} has {biggest} vertices, but {ifn.label()} makes cliques of at most "
            f"{largest}",
        )
    if len(f_vector) != max(biggest, 1):
        raise _fail(
            path,
            f"the largest clique has {biggest} vertices but the f-vector counts simplices of {len(f_vector)} orders",
        )
    growth = _clique_growth(cliques, fields["clique_parent"])
    total = _simplex_count(growth, fields["n_nodes"])
    if total > max_simplices:
        raise _fail(
            path,
            f"the cliques (the largest of {biggest} vertices) make a complex of up to {total:,} simplices, "
            f"over the limit of {max_simplices:,} (RunLimits.max_simplices)",
        )
    bound = _f_vector_bound(growth, fields["n_nodes"])
    if any(n > most for n, most in zip(f_vector, bound, strict=True)):
        raise _fail(path, f"the f-vector {list(f_vector)} is larger than the cliques allow, {list(bound)}")


def _read_scaler(doc: dict[str, Any], key: str, path: Path, size: int) -> Scaler:
    mean = _get(doc, f"{key}.mean", path, _list_of(_is_number), "a list of numbers")
    scale = _get(doc, f"{key}.scale", path, _list_of(_is_number), "a list of numbers")
    if len(mean) != size or len(scale) != size:
        raise _fail(path, f"'{key}' must hold {size} means and scales; got {len(mean)} and {len(scale)}")
    mean, scale = np.array(mean, dtype=np.float64), np.array(scale, dtype=np.float64)
    if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
        raise _fail(path, f"'{key}' must hold finite means and positive finite scales")
    return Scaler(mean=mean, scale=scale)


def _read_split(doc: dict[str, Any], path: Path) -> Split:
    rows = {
        part: _get(doc, f"training.split.{part}", path, _list_of(_is_int), "a list of row indices") for part in _PARTS
    }
    every = [r for part in _PARTS for r in rows[part]]
    if not rows["train"] or not rows["val"] or min(every) < 0 or len(set(every)) != len(every):
        raise _fail(path, "'training.split' must hold non-empty train and val parts of distinct non-negative rows")
    return Split(**{part: np.array(rows[part], dtype=np.int64) for part in _PARTS})


def _read_history(doc: dict[str, Any], path: Path) -> tuple[EpochRecord, ...]:
    entries = _get(doc, "training.history", path, _list_of(lambda e: isinstance(e, dict)), "a list of objects")
    records = []
    for i, entry in enumerate(entries):
        at = f"training.history[{i}]"
        records.append(
            EpochRecord(
                epoch=_get(entry, "epoch", path, _is_int, "an int", at=at),
                train_loss=float(_get(entry, "train_loss", path, _is_number, "a number", at=at)),
                val_loss=float(_get(entry, "val_loss", path, _is_number, "a number", at=at)),
                best=_get(entry, "best", path, lambda v: isinstance(v, bool), "a boolean", at=at),
                seconds=float(_get(entry, "seconds", path, _is_number, "a number", at=at)),
            )
        )
    return tuple(records)


def _read_training(doc: dict[str, Any], path: Path, p: int, task: str) -> dict[str, Any]:
    """The TrainResult fields stored in ``run.json`` (all but the model and task), checked."""
    if task == "regression":
        y_scaler = _read_scaler(doc, "training.y_scaler", path, 1)
    else:
        y_scaler = _get(doc, "training.y_scaler", path, lambda v: v is None, "null for a classification run")
    metrics = _get(doc, "training.metrics", path, _dict_of(_dict_of(_is_number)), "an object of objects of numbers")
    if not set(metrics) <= set(_PARTS):
        raise _fail(path, f"'training.metrics' may only hold 'train', 'val' and 'test'; got {sorted(metrics)}")
    history = _read_history(doc, path)
    epochs_run = _get(doc, "training.epochs_run", path, _is_int, "an int")
    best_epoch = _get(doc, "training.best_epoch", path, _is_int, "an int")
    if epochs_run != len(history) or not 0 <= best_epoch <= epochs_run:
        raise _fail(
            path, f"{len(history)} history entries, {epochs_run} epochs run and best epoch {best_epoch} disagree"
        )
    stopped = _get(doc, "training.stopped", path, lambda v: v in _STOP_REASONS, f"one of {_STOP_REASONS}")
    inactive = _get(doc, "training.inactive", path, _dict_of(_is_number), "an object of numbers")
    if not all(k.isdigit() for k in inactive):
        raise _fail(path, f"'training.inactive' keys must be layer orders; got {sorted(inactive)}")
    return {
        "x_scaler": _read_scaler(doc, "training.x_scaler", path, p),
        "y_scaler": y_scaler,
        "split": _read_split(doc, path),
        "history": history,
        "best_epoch": best_epoch,
        "epochs_run": epochs_run,
        "stopped": stopped,
        "metrics": {part: {k: float(v) for k, v in values.items()} for part, values in metrics.items()},
        "inactive": {int(k): float(v) for k, v in inactive.items()},
        "dead_readouts": tuple(_get(doc, "training.dead_readouts", path, _list_of(_is_int), "a list of ints")),
        "seconds": float(_get(doc, "training.seconds", path, _is_number, "a number")),
    }


# ---- reading tensors and rebuilding ------------------------------------------------------------------


def _dtype_name(dtype: torch.dtype) -> str:
    return _DTYPE_NAMES.get(dtype, str(dtype))


def _listed(names: list[str], limit: int = 5) -> str:
    if not names:
        return "none"
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def _read_tensors(
    path: Path, expected: Mapping[str, tuple[tuple[int, ...], torch.dtype]], against: str, max_bytes: int
) -> dict[str, Tensor]:
    """The tensors of a safetensors file, after checking that names, shapes and dtypes are exactly ``expected``.

    ``against`` says in messages where the expectation comes from. The tensors must take at most
    ``max_bytes``, and the file no more than they take plus a header, before the file is opened.
    """
    need = sum(math.prod(shape) * dtype.itemsize for shape, dtype in expected.values())
    if need > max_bytes:
        raise _fail(
            path,
            f"the tensors expected from {against} take {need:,} bytes, over the limit of {max_bytes:,} bytes "
            "(RunLimits.max_tensor_bytes)",
        )
    header = _HEADER_BYTES + _HEADER_BYTES_PER_TENSOR * len(expected)
    _check_file(path, need + header, f"the tensors expected from {against} and a header")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as file:
            layout = {}
            for name in file.keys():  # noqa: SIM118 (a safetensors handle, not a dict)
                piece = file.get_slice(name)
                layout[name] = (tuple(piece.get_shape()), piece.get_dtype())
            _check_layout(path, layout, expected, against)
            return {name: file.get_tensor(name) for name in expected}
    except SafetensorError as err:
        raise _fail(path, f"not a valid safetensors file ({err})") from err
    except OSError as err:
        raise _fail(path, f"the file cannot be read ({err})") from err


def _check_layout(
    path: Path,
    layout: Mapping[str, tuple[tuple[int, ...], str]],
    expected: Mapping[str, tuple[tuple[int, ...], torch.dtype]],
    against: str,
) -> None:
    missing = sorted(expected.keys() - layout.keys())
    unexpected = sorted(layout.keys() - expected.keys())
    if missing or unexpected:
        raise _fail(
            path,
            f"tensor names do not match {against}: missing {_listed(missing)}; unexpected {_listed(unexpected)}",
        )
    wrong = [
        f"{name!r} is {layout[name][1]}{list(layout[name][0])}, expected {_dtype_name(dtype)}{list(shape)}"
        for name, (shape, dtype) in expected.items()
        if layout[name] != (shape, _dtype_name(dtype))
    ]
    if wrong:
        more = f"; and {len(wrong) - 3} more" if len(wrong) > 3 else ""
        raise _fail(path, f"tensors do not match {against}: {'; '.join(wrong[:3])}{more}")


def _read_similarity(path: Path, p: int, max_bytes: int) -> np.ndarray:
    expected = {"similarity": ((p, p), torch.float64)}
    tensor = _read_tensors(path, expected, f"the {p} features in {RUN_FILE}", max_bytes)["similarity"]
    with _invalid(path, "invalid similarity matrix"):
        return check_similarity_matrix(tensor.numpy(), owner=SIMILARITY_FILE)


def _weighted_graph(W: np.ndarray, cliques: tuple[tuple[int, ...], ...]) -> nx.Graph:
    """The union of the cliques, each edge weighted by ``W`` (nodes and edges added as the IFNs add them)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(W.shape[0]))
    pairs = sorted({pair for clique in cliques for pair in combinations(clique, 2)})
    graph.add_weighted_edges_from((u, v, float(W[u, v])) for u, v in pairs)
    return graph


def _rebuild_graph(fields: dict[str, Any], W: np.ndarray, path: Path) -> FilteredGraph:
    graph = _weighted_graph(W, fields["cliques"])
    total = float(sum(w for _, _, w in graph.edges(data="weight")))
    if not math.isclose(total, fields["total_weight"], rel_tol=1e-9, abs_tol=1e-12):
        raise _fail(
            path,
            f"the graph's edge weights add up to {total}, not to the total weight {fields['total_weight']} in "
            f"{RUN_FILE}: the files do not belong together",
        )
    return FilteredGraph(graph=graph, **{**fields, "total_weight": total})


def _rebuild_complex(graph: FilteredGraph, info: dict[str, Any], path: Path) -> CliqueComplex:
    with _invalid(path, "cannot rebuild the clique complex"):
        cx = clique_complex(graph)
    if cx.f_vector != info["f_vector"] or cx.betti != info["betti"]:
        raise _fail(
            path,
            f"the complex rebuilt from the cliques has f-vector {list(cx.f_vector)} and Betti numbers "
            f"{list(cx.betti)}; the file stores {list(info['f_vector'])} and {list(info['betti'])}",
        )
    return cx


def _load_model(path: Path, spec: ModelSpec, cx: CliqueComplex, n_outputs: int, max_bytes: int) -> nn.Module:
    """Rebuild the model on the meta device, check the stored tensors against it, then build it and load them."""
    try:
        with _invalid(path, "cannot rebuild the model"), torch.device("meta"):  # shapes only, nothing allocated
            skeleton = build_model(spec, cx, n_outputs, seed=0)
    except (RuntimeError, TypeError, OverflowError) as err:  # sizes too large to describe, even on "meta"
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise _fail(path.with_name(RUN_FILE), f"the model spec gives impossible tensor sizes ({first_line})") from err
    expected = {name: (tuple(t.shape), t.dtype) for name, t in skeleton.state_dict().items()}
    tensors = _read_tensors(path, expected, f"the model rebuilt from {RUN_FILE}", max_bytes)
    model = build_model(spec, cx, n_outputs, seed=0)
    for name, buffer in model.named_buffers():
        if not torch.equal(tensors[name], buffer):
            raise _fail(
                path, f"face-index buffer {name!r} differs from the wiring rebuilt from the cliques in {RUN_FILE}"
            )
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as err:
        raise _fail(path, f"the weights do not fit the rebuilt model ({err})") from err
    return model.eval()
