"""Save a trained :class:`~hnnviz.model.Run` to a directory and load it back without running any code.

A saved run is a directory of three files:

``run.json``
    Everything but the tensors, as plain JSON: the format name and version, the model spec and its number of
    outputs, task, target, class labels, feature names, the filtering options (an
    :class:`~hnnviz.specs.IFNSpec` as a dict), the filtered graph (cliques,
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

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._messages import json_kind
from ..._validation import check_int
from ...exceptions import InputValidationError
from ...model import EpochRecord, Run, Scaler, Split, TrainResult
from ...network import FilteredNetwork
from ...specs import IFNSpec, ModelSpec
from ._checks import (
    _dict_of,
    _fail,
    _get,
    _invalid,
    _is_int,
    _is_label,
    _is_number,
    _is_str,
    _list_of,
    _optional,
)
from ._format import (
    _MIB,
    _PARTS,
    _STOP_REASONS,
    _TASKS,
    FORMAT_NAME,
    FORMAT_VERSION,
    RUN_FILE,
    SIMILARITY_FILE,
    WEIGHTS_FILE,
)
from ._rebuild import (
    _check_complex_size,
    _load_model,
    _read_similarity,
    _rebuild_complex,
    _rebuild_graph,
    _vertex_group,
)
from ._safety import _check_file, _read_json, _run_folder

__all__ = ['RunLimits', 'load_run']












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
        type; the filtering options are not a valid :class:`~hnnviz.specs.IFNSpec` or name another method
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


#: Each field of the model spec in run.json: its JSON type check and how that type is named.
_SPEC_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "kind": (_is_str, "a string"),
    "channels": (_is_int, "an int"),
    "max_order": (_optional(_is_int), "null or an int"),
    "activation": (_is_str, "a string"),
    "readout_width": (_is_int, "an int"),
}


def _read_spec(doc: dict[str, Any], path: Path) -> ModelSpec:
    fields = {name: _get(doc, f"spec.{name}", path, check, must) for name, (check, must) in _SPEC_FIELDS.items()}
    with _invalid(path, "invalid model spec"):
        return ModelSpec.from_dict(fields)


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
        raise _fail(path, f"a classification run needs at least 2 distinct class labels; got {json_kind(labels)}")
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
