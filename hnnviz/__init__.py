"""hnnviz: information filtering networks, clique complexes and homological neural networks.

One sub-package per stage, in the order in which they may import each other (an import-linter contract in
``pyproject.toml`` holds it): :mod:`hnnviz.data` (tables to data sets), :mod:`hnnviz.network` (similarity, the
filtered network and its clique complex), :mod:`hnnviz.model` (the networks, training, a trained run),
:mod:`hnnviz.explanation` (attributions, checks, the simplex inspector), :mod:`hnnviz.io` (run folders and session
bundles), :mod:`hnnviz.workflows` (comparisons, the lab, background jobs, sweeps), then :mod:`hnnviz.viz`
(figures), :mod:`hnnviz.report` (the offline report) and :mod:`hnnviz.cli` (the command line). Below them sit the
light shared modules: ``exceptions``, ``specs`` (the option objects), ``devices``, ``_validation`` and
``_messages``. Each sub-package's ``__init__`` is the one public import path for its names.

The names below load their module on first use, so ``import hnnviz`` (and the command line's start) stays
fast: the graph code, scikit-learn and torch are imported only by what needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Analysis": "workflows",
    "Attribution": "explanation",
    "PureEffects": "explanation",
    "BundleError": "exceptions",
    "CliqueComplex": "network",
    "DataFormatError": "exceptions",
    "Dataset": "data",
    "FilteredGraph": "network",
    "FilteredNetwork": "network",
    "GraphConstructionError": "exceptions",
    "HNN": "model",
    "HNNClassifier": "model",
    "HNNRegressor": "model",
    "HNNVizError": "exceptions",
    "IFNSpec": "specs",
    "InputValidationError": "exceptions",
    "MLP": "model",
    "ModelFileError": "exceptions",
    "ModelSpec": "specs",
    "NotFittedError": "exceptions",
    "PlantedSpec": "specs",
    "Run": "model",
    "TooFewFeaturesError": "exceptions",
    "TooFewRowsError": "exceptions",
    "TrainConfig": "specs",
    "TrainingDivergedError": "exceptions",
    "analyse": "workflows",
    "build_graph": "network",
    "build_report": "report",
    "clique_complex": "network",
    "compare_models": "workflows",
    "default_config": "specs",
    "explain": "explanation",
    "filter_network": "network",
    "inspect_simplex": "explanation",
    "load_dataset": "data",
    "load_run": "io",
    "load_sample": "data",
    "make_planted": "data",
    "mfcf": "network",
    "mst": "network",
    "purify": "explanation",
    "read_bundle": "io",
    "run_lab": "workflows",
    "save_run": "io",
    "similarity_matrix": "network",
    "tmfg": "network",
    "train_run": "model",
    "write_bundle": "io",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
