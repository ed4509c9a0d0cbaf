"""Vertex positions for drawing a filtered network: crossing-free for a TMFG, a spring layout otherwise.

A TMFG is maximal planar, so it can be drawn with straight edges and no crossings (:func:`planar_positions`).
Other filters (MFCF, MST) get a seeded force-directed layout. :func:`layout_positions` dispatches.

References
----------
.. [1] Tutte, "How to draw a graph", Proc. London Math. Soc. 13, 1963.
.. [2] Floater, "Parametrization and smooth approximation of surface triangulations", CAGD 14(3), 1997.
.. [3] Fruchterman & Reingold, "Graph drawing by force-directed placement", Softw. Pract. Exper. 21(11), 1991.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from .._validation import check_in, check_int
from ..exceptions import InputValidationError

if TYPE_CHECKING:
    from ..network import FilteredNetwork

__all__ = ["LAYOUTS", "layout_positions", "planar_or_none", "planar_positions", "spring_positions"]

LayoutKind = Literal["spring", "planar", "auto"]
LAYOUTS: tuple[str, ...] = ("spring", "planar", "auto")

_NX_SPRING_MAX_NODES = 500  # networkx's spring layout up to here (0.3 s at 500 nodes, 6 s at 2000); ours above
# The outer face is pinned to an equilateral triangle inscribed in the unit circle.
_CORNERS = np.array([[0.0, 1.0], [-np.sqrt(3) / 2, -0.5], [np.sqrt(3) / 2, -0.5]])


def layout_positions(network: FilteredNetwork, *, kind: LayoutKind = "spring", seed: int = 0) -> np.ndarray:
    """Coordinates of the vertices for drawing the network.

    Parameters
    ----------
    network : FilteredNetwork
    kind : {"spring", "planar", "auto"}, default "spring"
        ``"spring"``: a seeded force-directed layout, edge weights acting as attraction (networkx's
        ``spring_layout`` up to 500 vertices; above, a compiled Fruchterman-Reingold of the same model,
        about 0.6 s at 2,000 vertices where networkx takes about 6 s). ``"planar"``: the crossing-free
        drawing of :func:`planar_positions` (maximal planar graphs, e.g. TMFG, only). ``"auto"``: planar
        when the graph is maximal planar, else spring.
    seed : int, default 0
        Seed of the spring layout's random initial positions; the same seed gives the same layout. The
        planar drawing does not depend on it.

    Returns
    -------
    ndarray of shape (p, 2)
        Row ``v`` holds the position of vertex ``v``; every coordinate is within [-1, 1].

    Raises
    ------
    InputValidationError
        For an unknown ``kind``, a negative ``seed``, or ``kind="planar"`` on a graph that is not maximal
        planar.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 5)), list("abcde"))
    >>> pos = layout_positions(net, seed=1)
    >>> pos.shape, bool(np.array_equal(pos, layout_positions(net, seed=1)))
    ((5, 2), True)
    >>> bool(np.array_equal(layout_positions(net, kind="auto"), planar_positions(net)))
    True
    """
    check_in(kind, LAYOUTS, name="kind", owner="layout_positions")
    seed = check_int(seed, name="seed", owner="layout_positions", low=0)
    if kind == "planar":
        return planar_positions(network)
    pos = planar_or_none(network.graph.graph) if kind == "auto" else None
    return spring_positions(network.graph.graph, seed=seed) if pos is None else pos


# --------------------------------------------------------------------------------------------------------
# Planar drawing
# --------------------------------------------------------------------------------------------------------


def planar_positions(network: FilteredNetwork) -> np.ndarray:
    """A straight-line drawing of a maximal planar graph (e.g. a TMFG) in which no two edges cross.

    The outer face is the face whose vertices have the largest total degree (the hubs; ties: the
    lexicographically smallest face), pinned to an equilateral triangle. Every other vertex is placed by a
    Tutte (barycentric) embedding, which is crossing-free for any positive weights [1]_ [2]_. Uniform weights
    shrink a TMFG's nested triangles exponentially, so the weights come from the graph's structure instead:

    - A chordal maximal planar graph (every TMFG) is a stacked triangulation: peeling degree-3 vertices off
      recovers, for each inner vertex, the triangle it was inserted into. The vertex is placed inside that
      triangle at the barycentric coordinates that give each of the three new triangles an area proportional
      to the number of faces it will finally hold, so **every face of the drawing has the same area**.
      (This is the Tutte system with all weight on the three parents; it is triangular and solved in
      insertion order.) Each vertex lies strictly inside a face of the drawing so far, so no edges cross.
    - Any other maximal planar graph (3-connected, not stacked) gets uniform Tutte weights, solved as one
      sparse linear system.

    Parameters
    ----------
    network : FilteredNetwork
        A network whose graph is maximal planar: ``3p - 6`` edges and planar.

    Returns
    -------
    ndarray of shape (p, 2)
        Row ``v`` holds the position of vertex ``v``, inside the unit circle. Deterministic.

    Raises
    ------
    InputValidationError
        If the graph is not maximal planar.

    Notes
    -----
    Measured on random TMFGs: the smallest distance between two vertices is about ``0.65 / p`` of the
    bounding box diagonal (3.3e-4 at p = 2,000), against about 1e-7 with uniform weights; 5 % of the edges
    are shorter than about 0.7 % of the diagonal at p = 2,000. The whole drawing takes about 0.1 s at
    p = 2,000 (mostly networkx's planarity test).

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 6)), list("abcdef"))
    >>> pos = planar_positions(net)
    >>> pos.shape, bool(np.all(np.linalg.norm(pos, axis=1) <= 1 + 1e-12))
    ((6, 2), True)
    """
    return _planar_layout(network.graph.graph)


def planar_or_none(graph: nx.Graph) -> np.ndarray | None:
    """:func:`planar_positions` of a graph on the vertices ``0 .. p-1``, or None if it is not maximal planar.

    Examples
    --------
    >>> planar_or_none(nx.complete_graph(4)).round(3).tolist()
    [[0.0, 1.0], [-0.866, -0.5], [0.866, -0.5], [0.0, 0.0]]
    >>> planar_or_none(nx.path_graph(4)) is None
    True
    """
    p = graph.number_of_nodes()
    if p < 3 or graph.number_of_edges() != 3 * p - 6:  # cheap test first: planarity costs 60 ms at p = 2,000
        return None
    try:
        return _planar_layout(graph)
    except InputValidationError:
        return None


def _planar_layout(graph: nx.Graph) -> np.ndarray:
    """:func:`planar_positions` of a graph on the vertices ``0 .. p-1``."""
    faces = _faces(graph)
    degree = dict(graph.degree())
    outer = min(faces, key=lambda face: (-sum(degree[v] for v in face), face))
    stacking = _stacking(graph, outer)
    if stacking is None:
        return _tutte(graph, outer)
    return _equal_area(graph.number_of_nodes(), outer, stacking)


def _faces(graph: nx.Graph) -> list[tuple[int, int, int]]:
    """The (triangular) faces of a maximal planar graph; anything else raises :class:`InputValidationError`."""
    p, n_edges = graph.number_of_nodes(), graph.number_of_edges()
    planar, embedding = nx.check_planarity(graph)
    if p < 3 or n_edges != 3 * p - 6 or not planar:
        raise InputValidationError(
            "The 'network' parameter of planar_positions must have a maximal planar graph (such as a TMFG): "
            f"planar, with 3p - 6 edges. Got {p} nodes, {n_edges} edges, "
            f"{'planar' if planar else 'not planar'} instead."
        )
    marked: set[tuple[int, int]] = set()
    faces = []
    for u, v in embedding.edges():
        if (u, v) not in marked:
            a, b, c = sorted(embedding.traverse_face(u, v, mark_half_edges=marked))
            faces.append((a, b, c))
    return faces


def _stacking(graph: nx.Graph, outer: tuple[int, int, int]) -> list[tuple[int, tuple[int, int, int]]] | None:
    """Each inner vertex with the triangle it was stacked into, in insertion order; None if not stacked.

    Peels vertices of degree 3 that are not on the outer face (a chordal maximal planar graph always has
    one) until only the outer triangle is left.

    Examples
    --------
    >>> _stacking(nx.complete_graph(4), (0, 1, 2))
    [(3, (0, 1, 2))]
    >>> _stacking(nx.octahedral_graph(), (0, 1, 2)) is None
    True
    """
    neighbours = {v: set(graph[v]) for v in graph}
    fixed = set(outer)
    ready = sorted((v for v in neighbours if len(neighbours[v]) == 3 and v not in fixed), reverse=True)
    peeled: list[tuple[int, tuple[int, int, int]]] = []
    while ready:
        v = ready.pop()
        if v not in neighbours or len(neighbours[v]) != 3:
            continue
        a, b, c = sorted(neighbours.pop(v))
        peeled.append((v, (a, b, c)))
        for u in (a, b, c):
            neighbours[u].discard(v)
            if len(neighbours[u]) == 3 and u not in fixed:
                ready.append(u)
    return peeled[::-1] if len(neighbours) == 3 else None


def _equal_area(p: int, outer: tuple[int, int, int], stacking: list[tuple[int, tuple[int, int, int]]]) -> np.ndarray:
    """Place each stacked vertex so that every final face has the same area (see :func:`planar_positions`)."""

    def children(v: int, parents: tuple[int, int, int]) -> list[tuple[int, ...]]:
        """The three triangles ``v`` splits its parent triangle into, each opposite one parent."""
        a, b, c = parents
        return [tuple(sorted(t)) for t in ((b, c, v), (a, c, v), (a, b, v))]

    inside: dict[tuple[int, ...], int] = {}  # vertices finally inside a triangle that received one
    for v, parents in reversed(stacking):
        inside[parents] = 1 + sum(inside.get(t, 0) for t in children(v, parents))
    pos = np.zeros((p, 2))
    pos[list(outer)] = _CORNERS
    for v, parents in stacking:
        faces = np.array([2.0 * inside.get(t, 0) + 1.0 for t in children(v, parents)])  # faces each will hold
        pos[v] = faces @ pos[list(parents)] / faces.sum()  # barycentric coordinate of a = area share of (b, c, v)
    return pos


def _tutte(graph: nx.Graph, outer: tuple[int, int, int]) -> np.ndarray:
    """Uniform-weight Tutte embedding: each inner vertex at the mean of its neighbours, one sparse solve."""
    p = graph.number_of_nodes()
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=range(p), weight=None, format="csr", dtype=np.float64)
    laplacian = (sp.diags(np.asarray(adjacency.sum(axis=1)).ravel()) - adjacency).tocsr()
    boundary = list(outer)
    inner = np.setdiff1d(np.arange(p), boundary)
    pos = np.zeros((p, 2))
    pos[boundary] = _CORNERS
    rhs = -(laplacian[inner][:, boundary] @ _CORNERS)
    pos[inner] = spsolve(laplacian[inner][:, inner].tocsc(), rhs).reshape(-1, 2)
    return pos


# --------------------------------------------------------------------------------------------------------
# Spring layout
# --------------------------------------------------------------------------------------------------------


def spring_positions(graph: nx.Graph, *, seed: int) -> np.ndarray:
    """Seeded Fruchterman-Reingold layout of a graph on ``0 .. p-1``, edge weights as attraction, within [-1, 1].

    networkx's ``spring_layout`` up to 500 vertices; above, its per-iteration Python loop is slow (measured:
    0.3 s at 500 vertices, 6 s at 2,000), so the same force model runs compiled with numba (exact O(p^2)
    repulsion, 100 iterations up to 2,000 vertices: about 0.6 s there; fewer iterations above).

    Examples
    --------
    >>> pos = spring_positions(nx.path_graph(3), seed=0)
    >>> pos.shape, bool(np.abs(pos).max() <= 1), bool(np.array_equal(pos, spring_positions(nx.path_graph(3), seed=0)))
    ((3, 2), True, True)
    """
    p = graph.number_of_nodes()
    if p <= _NX_SPRING_MAX_NODES:
        pos = nx.spring_layout(graph, weight="weight", seed=seed)
        return np.array([pos[v] for v in range(p)], dtype=np.float64).reshape(-1, 2)
    edges = np.array([(u, v, 1.0 if w is None else w) for u, v, w in graph.edges(data="weight")]).reshape(-1, 3)
    src, dst = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
    start = np.random.default_rng(seed).random((p, 2))
    iterations = int(np.clip(4e8 / p**2, 30, 100))  # 100 up to 2,000 vertices, then O(p^2) work capped
    pos = _fruchterman_reingold(start, src, dst, edges[:, 2].copy(), iterations)
    return nx.rescale_layout(pos)


@numba.njit(cache=True)
def _fruchterman_reingold(
    pos: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, iterations: int
) -> np.ndarray:
    """Fruchterman-Reingold in the unit square, like networkx: optimal distance ``1/sqrt(p)``, linear cooling.

    Repulsion ``k^2/d`` between every pair (exact, O(p^2) per iteration), attraction ``w d^2/k`` along edges;
    each step moves a vertex at most the current temperature. ``pos`` is updated in place and returned.
    """
    n = pos.shape[0]
    k = 1.0 / np.sqrt(n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    disp = np.zeros_like(pos)
    for _ in range(iterations):
        disp[:] = 0.0
        for i in range(n):
            for j in range(i + 1, n):
                dx = pos[i, 0] - pos[j, 0]
                dy = pos[i, 1] - pos[j, 1]
                f = k * k / max(dx * dx + dy * dy, 1e-9)
                disp[i, 0] += dx * f
                disp[i, 1] += dy * f
                disp[j, 0] -= dx * f
                disp[j, 1] -= dy * f
        for e in range(src.shape[0]):
            u, v = src[e], dst[e]
            dx = pos[u, 0] - pos[v, 0]
            dy = pos[u, 1] - pos[v, 1]
            f = weight[e] * np.sqrt(dx * dx + dy * dy) / k
            disp[u, 0] -= dx * f
            disp[u, 1] -= dy * f
            disp[v, 0] += dx * f
            disp[v, 1] += dy * f
        for i in range(n):
            length = np.sqrt(disp[i, 0] ** 2 + disp[i, 1] ** 2)
            if length > 0:
                step = min(length, temperature) / length
                pos[i, 0] += disp[i, 0] * step
                pos[i, 1] += disp[i, 1] * step
        temperature -= cooling
    return pos
