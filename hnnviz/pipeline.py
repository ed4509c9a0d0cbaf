"""The filtering pipeline end to end: data matrix -> similarity -> filtered graph -> clique complex.

The app pages and the command line both call :func:`filter_network`, so they always agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._validation import check_in
from .complex import CliqueComplex, clique_complex
from .exceptions import InputValidationError
from .ifn import FilteredGraph, mfcf, mst, tmfg
from .similarity import SimilarityMethod, similarity_matrix

__all__ = ["IFN_METHODS", "FilteredNetwork", "build_graph", "filter_network"]

IFNMethod = Literal["tmfg", "mfcf", "mst"]
IFN_METHODS: tuple[str, ...] = ("tmfg", "mfcf", "mst")


@dataclass(frozen=True)
class FilteredNetwork:
    """Everything the filtering stage produces for one data matrix.

    Attributes
    ----------
    feature_names : tuple of str
        Name of each vertex.
    similarity : ndarray of shape (p, p)
        The similarity matrix the graph was filtered from.
    similarity_method : str
        Which measure produced it.
    graph : FilteredGraph
        The filtered graph and its clique tree.
    complex : CliqueComplex
        Its clique complex.
    seconds : dict of str to float
        Wall time of each stage: ``"similarity"``, ``"graph"``, ``"complex"``.
    """

    feature_names: tuple[str, ...]
    similarity: np.ndarray
    similarity_method: str
    graph: FilteredGraph
    complex: CliqueComplex
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary with vertices named: nodes, edges, cliques, separators, clique tree, homology."""
        names = self.feature_names

        def named(group: tuple[int, ...]) -> list[str]:
            return [names[v] for v in group]

        return {
            "nodes": list(names),
            "edges": [named(tuple(e)) for e in self.graph.edges.tolist()],
            "cliques": [named(c) for c in self.graph.cliques],
            "separators": [named(s) for s in self.graph.separators],
            "clique_tree": list(self.graph.clique_parent),
            "f_vector": list(self.complex.f_vector),
            "betti": list(self.complex.betti),
            "euler_characteristic": self.complex.euler_characteristic,
            "method": self.graph.method,
            "similarity": self.similarity_method,
            "total_weight": self.graph.total_weight,
            "seconds": round(sum(self.seconds.values()), 6),
            "stage_seconds": {stage: round(s, 6) for stage, s in self.seconds.items()},
        }


def build_graph(
    W: np.ndarray, method: IFNMethod = "tmfg", *, max_clique_size: int = 4, threshold: float = 0.0
) -> FilteredGraph:
    """Run the named information filtering network on ``W``.

    ``max_clique_size`` and ``threshold`` apply to ``"mfcf"`` only.

    Examples
    --------
    >>> W = np.ones((5, 5)) - np.eye(5)
    >>> build_graph(W, "mst").n_edges
    4
    """
    check_in(method, IFN_METHODS, name="method", owner="build_graph")
    if method == "tmfg":
        return tmfg(W)
    if method == "mst":
        return mst(W)
    return mfcf(W, max_clique_size, threshold=threshold)


def filter_network(
    X: np.ndarray,
    feature_names: tuple[str, ...] | list[str],
    *,
    similarity: SimilarityMethod = "pearson2",
    method: IFNMethod = "tmfg",
    max_clique_size: int = 4,
    threshold: float = 0.0,
) -> FilteredNetwork:
    """Similarity matrix, filtered graph and clique complex of the columns of ``X``, timed.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Finite numeric data (e.g. ``Dataset.X``).
    feature_names : sequence of str
        One name per column.
    similarity : {"pearson2", "spearman2", "abs", "mi"}, default "pearson2"
    method : {"tmfg", "mfcf", "mst"}, default "tmfg"
    max_clique_size, threshold
        MFCF parameters (see :func:`hnnviz.ifn.mfcf`).

    Returns
    -------
    FilteredNetwork

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> net = filter_network(rng.normal(size=(40, 5)), ["a", "b", "c", "d", "e"])
    >>> net.complex.f_vector
    (5, 9, 7, 2)
    """
    names = tuple(str(n) for n in feature_names)
    W_start = time.perf_counter()
    W = similarity_matrix(X, similarity)
    if len(names) != W.shape[0]:
        raise InputValidationError(
            f"The 'feature_names' parameter of filter_network must name all {W.shape[0]} columns of X. "
            f"Got {len(names)} names instead."
        )
    seconds = {"similarity": time.perf_counter() - W_start}
    start = time.perf_counter()
    graph = build_graph(W, method, max_clique_size=max_clique_size, threshold=threshold)
    seconds["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    cx = clique_complex(graph)
    seconds["complex"] = time.perf_counter() - start
    return FilteredNetwork(
        feature_names=names,
        similarity=W,
        similarity_method=similarity,
        graph=graph,
        complex=cx,
        seconds=seconds,
    )
