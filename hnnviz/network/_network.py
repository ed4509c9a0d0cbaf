"""The filtering pipeline end to end: data matrix -> similarity -> filtered graph -> clique complex.

The app pages and the command line both call :func:`filter_network`, so they always agree.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..exceptions import InputValidationError
from ..specs import IFNSpec
from ._complex import CliqueComplex, clique_complex
from ._ifn import FilteredGraph, mfcf, mst, tmfg
from ._similarity import constant_columns, similarity_matrix

__all__ = [
    "FilteredNetwork",
    "Neighbourhood",
    "build_graph",
    "check_ifn",
    "filter_network",
    "is_maximal_planar",
]


def check_ifn(ifn: IFNSpec | None, *, owner: str) -> IFNSpec:
    """Return ``ifn``, or ``IFNSpec()`` for None; anything else raises :class:`InputValidationError`."""
    if ifn is None:
        return IFNSpec()
    if not isinstance(ifn, IFNSpec):
        raise InputValidationError(
            f"The 'ifn' parameter of {owner} must be an IFNSpec or None. Got {type(ifn).__name__} instead."
        )
    return ifn


@dataclass(frozen=True)
class Neighbourhood:
    """One feature's place in a filtered network: its neighbours with the edge weights, and its cliques.

    Attributes
    ----------
    feature : str
    neighbours : tuple of (str, float)
        Every neighbour and the weight (similarity) of the edge to it, strongest first.
    cliques : tuple of tuple of str
        The maximal cliques holding the feature, in the order they were created.
    """

    feature: str
    neighbours: tuple[tuple[str, float], ...]
    cliques: tuple[tuple[str, ...], ...]

    @property
    def degree(self) -> int:
        return len(self.neighbours)

    @property
    def strength(self) -> float:
        """Sum of the weights of the feature's edges."""
        return float(sum(weight for _, weight in self.neighbours))


@dataclass(frozen=True)
class FilteredNetwork:
    """Everything the filtering stage produces for one data matrix.

    Attributes
    ----------
    feature_names : tuple of str
        Name of each vertex.
    similarity : ndarray of shape (p, p)
        The similarity matrix the graph was filtered from.
    ifn : IFNSpec
        The options it was built with.
    graph : FilteredGraph
        The filtered graph and its clique tree.
    complex : CliqueComplex
        Its clique complex.
    seconds : dict of str to float
        Wall time of each stage: ``"similarity"``, ``"graph"``, ``"complex"``.
    constant_features : tuple of str, default ()
        The features constant on the rows the network was built from (e.g. the training rows of a split,
        though they vary elsewhere), in column order. Their correlation is undefined, so they got zero
        similarity to every other feature: the filter attaches them with zero-weight edges (TMFG) or leaves
        them isolated (MFCF with a threshold), and the HNN wires them but they carry no information. See
        :meth:`constant_note`.
    """

    feature_names: tuple[str, ...]
    similarity: np.ndarray
    ifn: IFNSpec
    graph: FilteredGraph
    complex: CliqueComplex
    seconds: dict[str, float]
    constant_features: tuple[str, ...] = ()

    def constant_note(self) -> str:
        """One sentence naming :attr:`constant_features` and why they were kept with zero similarity ("" if none).

        Examples
        --------
        >>> X = np.random.default_rng(0).normal(size=(40, 5))
        >>> X[:, 2] = 1.0
        >>> print(filter_network(X, list("abcde")).constant_note())  # doctest: +NORMALIZE_WHITESPACE
        1 feature constant on the rows the network was built from, so given zero similarity to every other
        (its correlation is undefined; it carries no information): 'c'.
        """
        n = len(self.constant_features)
        if not n:
            return ""
        names = ", ".join(repr(name) for name in self.constant_features[:20]) + (
            f" and {n - 20} more" if n > 20 else ""
        )
        what = "1 feature" if n == 1 else f"{n} features"
        why = "its correlation is undefined; it carries" if n == 1 else "their correlation is undefined; they carry"
        return (
            f"{what} constant on the rows the network was built from, so given zero similarity to every other "
            f"({why} no information): {names}."
        )

    @property
    def similarity_method(self) -> str:
        """The similarity measure (``ifn.similarity``)."""
        return self.ifn.similarity

    def neighbourhood(self, feature: str) -> Neighbourhood:
        """The neighbours (with edge weights) and maximal cliques of one feature.

        Raises
        ------
        InputValidationError
            If ``feature`` is not a vertex of the network (close names are suggested).

        Examples
        --------
        >>> X = np.random.default_rng(0).normal(size=(40, 5))
        >>> hood = filter_network(X, ["a", "b", "c", "d", "e"]).neighbourhood("e")
        >>> [name for name, weight in hood.neighbours], hood.cliques
        (['d', 'c', 'a', 'b'], (('a', 'b', 'd', 'e'), ('a', 'b', 'c', 'e')))
        """
        (feature,) = self._known([feature])
        names = self.feature_names
        v = names.index(feature)
        graph = self.graph.graph
        neighbours = sorted(
            ((names[u], float(graph[v][u]["weight"])) for u in graph[v]), key=lambda nw: (-nw[1], nw[0])
        )
        cliques = tuple(tuple(names[u] for u in clique) for clique in self.graph.cliques if v in clique)
        return Neighbourhood(feature, tuple(neighbours), cliques)

    def simplex_table(self, orders: Collection[int] | None = None, containing: Collection[str] = ()) -> pd.DataFrame:
        """The simplices of the clique complex, one row each, optionally only some orders or features.

        Parameters
        ----------
        orders : collection of int, optional
            Orders to list (0 vertices, 1 edges, 2 triangles ...); default all.
        containing : collection of str, default ()
            Only simplices holding every one of these features.

        Returns
        -------
        pandas.DataFrame
            Columns ``order``, ``simplex`` (feature names joined by ", "), ``size`` (features) and
            ``mean_similarity`` (mean similarity over the simplex's pairs of features; NaN for a vertex), by
            order then in the complex's order.

        Raises
        ------
        InputValidationError
            If ``containing`` names a feature that is not in the network.

        Examples
        --------
        >>> X = np.random.default_rng(0).normal(size=(40, 5))
        >>> table = filter_network(X, ["a", "b", "c", "d", "e"]).simplex_table(orders=[3], containing=["e"])
        >>> table["simplex"].tolist()
        ['a, b, c, e', 'a, b, d, e']
        """
        wanted = sorted({self.feature_names.index(f) for f in self._known(containing)})
        rows = []
        for order, simplices in enumerate(self.complex.simplices):
            if orders is not None and order not in orders:
                continue
            keep = np.isin(simplices, wanted).sum(axis=1) == len(wanted)
            for simplex in simplices[keep].tolist():
                pairs = [self.similarity[u, v] for i, u in enumerate(simplex) for v in simplex[i + 1 :]]
                rows.append(
                    {
                        "order": order,
                        "simplex": ", ".join(self.feature_names[v] for v in simplex),
                        "size": len(simplex),
                        "mean_similarity": float(np.mean(pairs)) if pairs else float("nan"),
                    }
                )
        return pd.DataFrame(rows, columns=["order", "simplex", "size", "mean_similarity"])

    def _known(self, features: Collection[str]) -> list[str]:
        """``features`` as a list, every one checked to be a vertex (close names suggested otherwise)."""
        features = [features] if isinstance(features, str) else list(features)
        for feature in features:
            if feature not in self.feature_names:
                close = difflib.get_close_matches(str(feature), self.feature_names, n=3)
                hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise InputValidationError(f"No feature {feature!r} in this network.{hint}")
        return features

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
            "ifn": self.ifn.to_dict(),
            "total_weight": self.graph.total_weight,
            "seconds": round(sum(self.seconds.values()), 6),
            "stage_seconds": {stage: round(s, 6) for stage, s in self.seconds.items()},
            "constant_features": list(self.constant_features),
        }


def build_graph(W: np.ndarray, ifn: IFNSpec | None = None) -> FilteredGraph:
    """Run the information filtering network of ``ifn`` (default ``IFNSpec()``, a TMFG) on ``W``.

    Only ``ifn.method`` and, for ``"mfcf"``, ``ifn.max_clique_size`` and ``ifn.threshold`` are used: ``W`` is
    already a similarity matrix.

    Examples
    --------
    >>> W = np.ones((5, 5)) - np.eye(5)
    >>> build_graph(W, IFNSpec(method="mst")).n_edges
    4
    """
    ifn = check_ifn(ifn, owner="build_graph")
    if ifn.method == "tmfg":
        return tmfg(W)
    if ifn.method == "mst":
        return mst(W)
    return mfcf(W, ifn.max_clique_size, threshold=ifn.threshold)


def filter_network(
    X: np.ndarray,
    feature_names: tuple[str, ...] | list[str],
    ifn: IFNSpec | None = None,
    *,
    y: np.ndarray | None = None,
    task: str | None = None,
    seed: int | np.random.Generator | None = 0,
) -> FilteredNetwork:
    """Similarity matrix, filtered graph and clique complex of the columns of ``X``, timed.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Finite numeric data (e.g. ``Dataset.X``).
    feature_names : sequence of str
        One name per column.
    ifn : IFNSpec, optional
        Similarity measure, filter and MFCF parameters (default ``IFNSpec()``: a TMFG on squared Pearson
        correlations).
    y : ndarray of shape (n,), optional
        The target of the same rows, and ``task`` its task ({"regression", "classification"}): required by a
        similarity that reads the target (``IFNSpec(similarity="interaction")``), ignored by the others. Give
        the training rows only (as :func:`hnnviz.model.train_run` does), so nothing is learned from the rows
        that validate or test the model.
    task : str, optional
    seed : int, numpy.random.Generator or None, default 0
        Seeds the interaction estimator (unused by the other similarities). An int seeds a new generator, a
        ``Generator`` is used (and advanced) as it is, ``None`` draws fresh entropy. The global random state is
        never touched.

    Returns
    -------
    FilteredNetwork
        Columns constant on these rows get zero similarity to every other and are listed in its
        ``constant_features``: building a network from part of the rows (a training split) never fails
        because a column happens not to vary there.

    Raises
    ------
    InputValidationError
        If ``X`` is not finite 2-D numeric data with at least 3 rows, ``feature_names`` does not name every
        column, ``ifn`` is not an IFNSpec, or its similarity reads the target and ``y`` or ``task`` is missing.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5))
    >>> net = filter_network(X, ["a", "b", "c", "d", "e"])
    >>> net.complex.f_vector, net.ifn.label()
    ((5, 9, 7, 2), 'TMFG on pearson2')
    >>> filter_network(X, list("abcde"), IFNSpec(method="mfcf", max_clique_size=3)).complex.f_vector
    (5, 7, 3)
    """
    ifn = check_ifn(ifn, owner="filter_network")
    names = tuple(str(n) for n in feature_names)
    W_start = time.perf_counter()
    W = similarity_matrix(X, ifn.similarity, constant="zero", y=y, task=task, seed=seed)
    if len(names) != W.shape[0]:
        raise InputValidationError(
            f"The 'feature_names' parameter of filter_network must name all {W.shape[0]} columns of X. "
            f"Got {len(names)} names instead."
        )
    seconds = {"similarity": time.perf_counter() - W_start}
    start = time.perf_counter()
    graph = build_graph(W, ifn)
    seconds["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    cx = clique_complex(graph)
    seconds["complex"] = time.perf_counter() - start
    return FilteredNetwork(
        feature_names=names,
        similarity=W,
        ifn=ifn,
        graph=graph,
        complex=cx,
        seconds=seconds,
        constant_features=tuple(names[j] for j in constant_columns(X)),
    )


def is_maximal_planar(network: FilteredNetwork) -> bool:
    """Whether the graph is maximal planar (``3p - 6`` edges and planar), as every TMFG is.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> is_maximal_planar(filter_network(np.random.default_rng(0).normal(size=(40, 6)), list("abcdef")))
    True
    """
    graph = network.graph.graph
    p = graph.number_of_nodes()
    return p >= 3 and graph.number_of_edges() == 3 * p - 6 and nx.check_planarity(graph)[0]
