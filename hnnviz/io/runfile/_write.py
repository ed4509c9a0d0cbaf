"""Write a trained run as a folder: run.json, weights and similarity as safetensors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file

from ..._messages import one_line
from ...exceptions import ModelFileError
from ...model import EpochRecord, Run, Scaler, TrainResult
from ...network import FilteredGraph
from ._checks import _is_label
from ._format import _PARTS, FORMAT_NAME, FORMAT_VERSION, RUN_FILE, SIMILARITY_FILE, WEIGHTS_FILE
from ._safety import _write_atomic

__all__ = [
    "save_run",
]












def save_run(run: Run, directory: str | os.PathLike[str]) -> Path:
    """Write ``run`` to ``directory`` as ``run.json``, ``weights.safetensors`` and ``similarity.safetensors``.

    The directory is created if needed; these three files are replaced if present (each is written to a
    temporary name first, ``run.json`` last), other files are left alone.

    Parameters
    ----------
    run : Run
        A trained run, e.g. from :func:`hnnviz.model.train_run`.
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
    >>> from hnnviz.io import load_run
    >>> from hnnviz.model import train_run
    >>> from hnnviz.specs import ModelSpec, TrainConfig
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
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
        raise ModelFileError(f"Cannot save run to '{folder}': {one_line(str(err))}.") from err
    return folder


def _document(run: Run) -> dict[str, Any]:
    """The JSON content of ``run.json``."""
    from ... import __version__

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
        "spec": run.spec.to_dict(),
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
