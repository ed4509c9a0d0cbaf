"""Stage 2: from a table's columns to a filtered network and its clique complex.

:func:`similarity_matrix` measures how strongly each pair of features depends on each other (or, with
``"interaction"``, :func:`interaction_matrix`: how strongly they act together on the target); an information
filtering network (:func:`tmfg`, :func:`mfcf`, :func:`mst`) keeps a sparse graph of small cliques;
:func:`clique_complex` turns its cliques into the simplices that wire a Homological Neural Network.
:func:`filter_network` does all three and returns a :class:`FilteredNetwork`; :func:`bootstrap_stability`
says how stable its edges and cliques are, and :func:`edge_comparison` compares two networks.

Modules: ``_similarity``, ``_interaction`` (the target-aware similarity),
``_ifn`` (the filters), ``_complex``, ``_network`` (the pipeline's result),
``_stability`` and ``_comparison``.
"""

from ._comparison import EdgeComparison, edge_comparison
from ._complex import CliqueComplex, clique_complex
from ._ifn import FilteredGraph, mfcf, mst, seed_order, tmfg
from ._interaction import INTERACTION_ESTIMATORS, interaction_matrix
from ._network import FilteredNetwork, Neighbourhood, build_graph, check_ifn, filter_network, is_maximal_planar
from ._similarity import CONSTANT_POLICIES, constant_columns, similarity_matrix
from ._stability import Stability, bootstrap_stability

__all__ = [
    "CONSTANT_POLICIES",
    "INTERACTION_ESTIMATORS",
    "CliqueComplex",
    "EdgeComparison",
    "FilteredGraph",
    "FilteredNetwork",
    "Neighbourhood",
    "Stability",
    "bootstrap_stability",
    "build_graph",
    "check_ifn",
    "clique_complex",
    "constant_columns",
    "edge_comparison",
    "filter_network",
    "interaction_matrix",
    "is_maximal_planar",
    "mfcf",
    "mst",
    "seed_order",
    "similarity_matrix",
    "tmfg",
]
