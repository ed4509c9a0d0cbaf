"""hnnviz: information filtering networks, clique complexes and homological neural networks.

The pipeline flows one way: ``data -> similarity -> ifn -> complex`` (then model/train -> explain), with
figure builders in :mod:`hnnviz.viz` and a command line in :mod:`hnnviz.cli`.
"""

from .complex import CliqueComplex, clique_complex
from .exceptions import (
    BundleError,
    DataFormatError,
    GraphConstructionError,
    HNNVizError,
    InputValidationError,
    ModelFileError,
    NotFittedError,
    TooFewFeaturesError,
    TooFewRowsError,
    TrainingDivergedError,
)
from .ifn import FilteredGraph, mfcf, mst, tmfg
from .pipeline import FilteredNetwork, IFNSpec, build_graph, filter_network
from .similarity import similarity_matrix

__version__ = "0.1.0"

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
