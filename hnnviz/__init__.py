"""hnnviz: information filtering networks, clique complexes and homological neural networks.

The pipeline flows one way: ``data -> similarity -> ifn -> complex`` (then model/train -> explain), with
figure builders in :mod:`hnnviz.viz` and a command line in :mod:`hnnviz.cli`.

The names below load their module on first use, so ``import hnnviz`` (and the command line's start) stays
fast: the graph code, scikit-learn and torch are imported only by what needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "BundleError": "exceptions",
    "CliqueComplex": "complex",
    "DataFormatError": "exceptions",
    "FilteredGraph": "ifn",
    "FilteredNetwork": "pipeline",
    "GraphConstructionError": "exceptions",
    "HNNVizError": "exceptions",
    "IFNSpec": "specs",
    "InputValidationError": "exceptions",
    "ModelFileError": "exceptions",
    "NotFittedError": "exceptions",
    "TooFewFeaturesError": "exceptions",
    "TooFewRowsError": "exceptions",
    "TrainingDivergedError": "exceptions",
    "build_graph": "pipeline",
    "clique_complex": "complex",
    "filter_network": "pipeline",
    "mfcf": "ifn",
    "mst": "ifn",
    "similarity_matrix": "similarity",
    "tmfg": "ifn",
}

__all__ = [
    "BundleError",
    "CliqueComplex",
    "DataFormatError",
    "FilteredGraph",
    "FilteredNetwork",
    "GraphConstructionError",
    "HNNVizError",
    "IFNSpec",
    "InputValidationError",
    "ModelFileError",
    "NotFittedError",
    "TooFewFeaturesError",
    "TooFewRowsError",
    "TrainingDivergedError",
    "build_graph",
    "clique_complex",
    "filter_network",
    "mfcf",
    "mst",
    "similarity_matrix",
    "tmfg",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
