"""Information Filtering Networks: TMFG, MFCF and the maximum spanning tree.

Each function takes a symmetric, non-negative similarity matrix ``W`` (see :mod:`hnnviz.network`) and
returns a :class:`FilteredGraph`: the sparse graph, its cliques in insertion order, the separators and the
clique tree that links them. The diagonal of ``W`` is ignored.

Ties are broken the same way everywhere: a candidate separator's best vertex is the lowest-index vertex of
largest gain, and among separators of equal best gain the earliest created wins. The seed ranks vertices by
``s_i = sum_j W_ij [W_ij > mean(W)]`` (mean over all entries of ``W`` as given), highest first, lowest index
on ties.

References
----------
.. [1] Massara, Di Matteo & Aste, "Network filtering for big data: Triangulated Maximally Filtered Graph",
   Journal of Complex Networks 5(2), 2017.
.. [2] Massara & Aste, "Learning clique forests", arXiv:1905.02266, 2019.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import combinations

import networkx as nx
import numba
import numpy as np

from .._validation import check_int, check_number, check_similarity_matrix
from ..exceptions import GraphConstructionError

__all__ = ["FilteredGraph", "mfcf", "mst", "seed_order", "tmfg"]


@dataclass(frozen=True)
class FilteredGraph:
    """A filtered graph and the clique tree it was grown along.

    Attributes
    ----------
    method : str
        ``"tmfg"``, ``"mfcf"`` or ``"mst"``.
    n_nodes : int
        Number of vertices ``p``; vertices are ``0 .. p-1`` (rows of ``W``).
    cliques : tuple of tuple of int
        The maximal cliques in the order they were created, each sorted ascending.
    clique_parent : tuple of int
        ``clique_parent[k]`` is the clique that owned the separator clique ``k`` was attached to, or -1 for
        the root of a component. Parents always come before their children.
    separators : tuple of tuple of int
        The separator of every clique that has a parent, in creation order (sorted ascending). A separator
        may appear more than once when separators are reused (MFCF).
    vertex_order : tuple of int
        The order in which vertices joined the graph; reversed, it is a perfect elimination ordering.
    graph : networkx.Graph
        Nodes ``0 .. p-1``; every edge has its similarity as ``weight``.
    total_weight : float
        Sum of the edge weights.
    """

    method: str
    n_nodes: int
    cliques: tuple[tuple[int, ...], ...]
    clique_parent: tuple[int, ...]
    separators: tuple[tuple[int, ...], ...]
    vertex_order: tuple[int, ...]
    graph: nx.Graph = field(repr=False, compare=False)
    total_weight: float

    @property
    def edges(self) -> np.ndarray:
        """Edges as an ``(n_edges, 2)`` int array, each row ``u < v``, rows sorted."""
        pairs = sorted((min(u, v), max(u, v)) for u, v in self.graph.edges)
        return np.array(pairs, dtype=np.int64).reshape(-1, 2)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return self.graph.number_of_edges()

    @property
    def n_components(self) -> int:
        """Number of connected components (trees of the clique forest)."""
        return self.clique_parent.count(-1)

    def separator_of(self, clique: int) -> tuple[int, ...]:
        """The separator between ``cliques[clique]`` and its parent (empty for a root)."""
        parent = self.clique_parent[clique]
        if parent < 0:
            return ()
        return tuple(sorted(set(self.cliques[clique]) & set(self.cliques[parent])))


def seed_order(W: np.ndarray) -> np.ndarray:
    """Rank the vertices for seeding: by ``sum_j W_ij [W_ij > mean(W)]``, highest first, lowest index on ties.

    Examples
    --------
    >>> W = np.array([[0, .9, .1], [.9, 0, .5], [.1, .5, 0]])
    >>> seed_order(W).tolist()
    [1, 0, 2]
    """
    W = np.ascontiguousarray(W, dtype=np.float64)
    return np.argsort(-_strong_sums(W, W.mean()), kind="stable")


@numba.njit(cache=True)
def _strong_sums(W: np.ndarray, mean: float) -> np.ndarray:
    """Row sums of the entries above ``mean``, in one pass over ``W``."""
    scores = np.zeros(W.shape[0])
    for i in range(W.shape[0]):
        total = 0.0
        for j in range(W.shape[1]):
            total += W[i, j] * (W[i, j] > mean)  # branch-free
        scores[i] = total
    return scores


def _build(
    method: str,
    W: np.ndarray,
    cliques: list[tuple[int, ...]],
    parents: list[int],
    separators: list[tuple[int, ...]],
    vertex_order: list[int],
) -> FilteredGraph:
    """Assemble a :class:`FilteredGraph`: the weighted graph is the union of the cliques."""
    graph = nx.Graph()
    graph.add_nodes_from(range(W.shape[0]))
    pairs = {pair for clique in cliques for pair in combinations(sorted(clique), 2)}
    if pairs:
        u, v = np.array(sorted(pairs)).T
        graph.add_weighted_edges_from(zip(u.tolist(), v.tolist(), W[u, v].tolist(), strict=True))
    total = float(sum(w for _, _, w in graph.edges(data="weight")))
    return FilteredGraph(
        method=method,
        n_nodes=W.shape[0],
        cliques=tuple(tuple(sorted(int(x) for x in c)) for c in cliques),
        clique_parent=tuple(parents),
        separators=tuple(tuple(sorted(int(x) for x in s)) for s in separators),
        vertex_order=tuple(int(v) for v in vertex_order),
        graph=graph,
        total_weight=total,
    )


def tmfg(W: np.ndarray) -> FilteredGraph:
    """Triangulated Maximally Filtered Graph of a similarity matrix.

    Starts from the 4-clique of the four top-ranked vertices (see :func:`seed_order`), then ``p - 4`` times
    inserts the (vertex, triangle) pair of largest gain ``W_va + W_vb + W_vc``; the triangle becomes a
    separator and is replaced by its three new triangles. The result is maximal planar and chordal.
    The insertion loop is compiled with numba (cached on disk after the first call).

    Parameters
    ----------
    W : array_like of shape (p, p)
        Symmetric, non-negative, finite similarity matrix, ``p >= 1``. The diagonal is ignored.

    Returns
    -------
    FilteredGraph
        For ``p >= 4``: ``3p - 6`` edges, ``p - 3`` four-cliques, ``p - 4`` separators (triangles), one
        clique tree. For ``p <= 3``: the complete graph, ``p (p - 1) / 2`` edges, one clique of all ``p``
        vertices (in seed order), no separator.

    Raises
    ------
    InputValidationError
        If ``W`` is empty, or not square, symmetric, finite and non-negative.

    Notes
    -----
    The edge set equals that of the reference implementation (PyPI ``fast-tmfg``) whenever gains do not tie.
    A vertex with zero similarity to every other one is inserted like any other (gain 0), so a constant
    feature never stalls the construction. Each step recomputes the best vertex only of the triangles whose
    best vertex was just taken: O(p^2) work overall.

    On 1 to 3 vertices the complete graph is the TMFG's natural extension: it is maximal planar (no edge can
    be added) and chordal, its clique complex is one simplex (Euler characteristic 1, Betti numbers
    ``(1, 0, ...)``), and ``p = 3`` meets the ``3p - 6`` edge count.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = np.corrcoef(rng.normal(size=(50, 6)), rowvar=False) ** 2
    >>> g = tmfg(W)
    >>> g.n_edges, len(g.cliques), len(g.separators)
    (12, 3, 2)
    >>> small = tmfg(W[:3, :3])
    >>> small.n_edges, small.cliques, small.separators
    (3, ((0, 1, 2),), ())
    """
    W = check_similarity_matrix(W, owner="tmfg")
    seed = seed_order(W)[:4]
    if len(seed) < 4:
        return _build("tmfg", W, [tuple(seed.tolist())], [-1], [], seed.tolist())
    cliques, parents, separators, order = _tmfg_insertions(W, seed)
    return _build("tmfg", W, cliques.tolist(), parents.tolist(), separators.tolist(), order.tolist())


@numba.njit(cache=True)
def _best_vertex(W: np.ndarray, triangle: np.ndarray, free: np.ndarray) -> tuple[int, float]:
    """Free vertex of largest gain ``W_va + W_vb + W_vc`` (lowest index on ties), and that gain.

    ``free`` lists the free vertices in ascending order, so the first maximum has the lowest index.
    """
    a, b, c = triangle[0], triangle[1], triangle[2]
    best, best_gain = -1, -np.inf
    for v in free:
        gain = W[a, v] + W[b, v] + W[c, v]
        if gain > best_gain:
            best, best_gain = v, gain
    return best, best_gain


@numba.njit(cache=True)
def _best_vertices_around(
    W: np.ndarray, a: int, b: int, c: int, v: int, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_best_vertex` for the three new triangles ``(a, b, v), (a, c, v), (b, c, v)`` in one pass."""
    best = np.full(3, -1, dtype=np.int64)
    best_gain = np.full(3, -np.inf)
    for u in free:
        wa, wb, wc, wv = W[a, u], W[b, u], W[c, u], W[v, u]
        gains = (wa + wb + wv, wa + wc + wv, wb + wc + wv)
        for i in range(3):
            if gains[i] > best_gain[i]:
                best[i], best_gain[i] = u, gains[i]
    return best, best_gain


@numba.njit(cache=True)
def _put(triangles: np.ndarray, t: int, a: int, b: int, c: int) -> None:
    triangles[t, 0], triangles[t, 1], triangles[t, 2] = a, b, c


@numba.njit(cache=True)
def _tmfg_insertions(W: np.ndarray, seed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The TMFG insertion loop: cliques (p-3, 4), their parents, separators (p-4, 3) and the vertex order.

    Triangle ``t`` keeps its best free vertex cached; after an insertion only the three new triangles and
    those whose cached vertex was taken are recomputed. Triangle slots follow the reference: the
    separator's slot gets ``(a, b, v)``, then ``(a, c, v)`` and ``(b, c, v)`` are appended.
    """
    p = W.shape[0]
    n_triangles = 2 * p - 4
    triangles = np.empty((n_triangles, 3), dtype=np.int64)
    owner = np.zeros(n_triangles, dtype=np.int64)
    best_vertex = np.full(n_triangles, -1, dtype=np.int64)
    best_gain = np.full(n_triangles, -np.inf)
    is_free = np.ones(p, dtype=np.bool_)
    is_free[seed] = False
    free = np.flatnonzero(is_free)  # ascending
    n_free = len(free)
    cliques = np.empty((p - 3, 4), dtype=np.int64)
    parents = np.full(p - 3, -1, dtype=np.int64)
    separators = np.empty((p - 4, 3), dtype=np.int64)
    order = np.empty(p, dtype=np.int64)
    order[:4] = seed
    cliques[0] = seed
    t = 0
    for i in range(4):
        for j in range(i + 1, 4):
            for k in range(j + 1, 4):
                _put(triangles, t, seed[i], seed[j], seed[k])
                if p > 4:
                    best_vertex[t], best_gain[t] = _best_vertex(W, triangles[t], free)
                t += 1
    count = 4
    for step in range(p - 4):
        t = 0
        for s in range(1, count):
            if best_gain[s] > best_gain[t]:
                t = s
        v = best_vertex[t]
        a, b, c = triangles[t, 0], triangles[t, 1], triangles[t, 2]
        separators[step] = triangles[t]
        cliques[step + 1, :3] = triangles[t]
        cliques[step + 1, 3] = v
        parents[step + 1] = owner[t]
        order[step + 4] = v
        position = np.searchsorted(free[:n_free], v)
        free[position : n_free - 1] = free[position + 1 : n_free]
        n_free -= 1
        _put(triangles, t, a, b, v)
        _put(triangles, count, a, c, v)
        _put(triangles, count + 1, b, c, v)
        owner[t] = owner[count] = owner[count + 1] = step + 1
        if n_free == 0:
            break
        best, gain = _best_vertices_around(W, a, b, c, v, free[:n_free])
        for i, s in enumerate((t, count, count + 1)):
            best_vertex[s], best_gain[s] = best[i], gain[i]
        count += 2
        for s in range(count):
            if best_vertex[s] == v:
                best_vertex[s], best_gain[s] = _best_vertex(W, triangles[s], free[:n_free])
    return cliques, parents, separators, order


class _Candidates:
    """Candidate separators of an MFCF run, each with its cached best (vertex, gain, kept members)."""

    def __init__(self) -> None:
        self.members: list[tuple[int, ...]] = []
        self.owner: list[int] = []
        self.whole: list[bool] = []  # True: the candidate is a whole clique, smaller than the maximum size
        self.best_kept: list[tuple[int, ...]] = []
        self.best_vertex = np.empty(0, dtype=np.int64)
        self.best_gain = np.empty(0)

    def put(self, slot: int | None, members: tuple[int, ...], owner: int, whole: bool) -> int:
        """Store a candidate in ``slot`` (reusing a spent one) or at the end; return its index."""
        if slot is None:
            slot = len(self.members)
            self.members.append(members)
            self.owner.append(owner)
            self.whole.append(whole)
            self.best_kept.append(())
            if slot >= len(self.best_gain):
                extra = max(8, slot)
                self.best_gain = np.concatenate([self.best_gain, np.full(extra, -np.inf)])
                self.best_vertex = np.concatenate([self.best_vertex, np.full(extra, -1, dtype=np.int64)])
        else:
            self.members[slot], self.owner[slot], self.whole[slot] = members, owner, whole
        self.retire(slot)
        return slot

    def retire(self, slot: int) -> None:
        """Mark a candidate as offering nothing until it is refreshed."""
        self.best_gain[slot] = -np.inf
        self.best_vertex[slot] = -1

    def waiting_for(self, vertex: int) -> list[int]:
        """Candidates whose cached best vertex is ``vertex``."""
        return np.flatnonzero(self.best_vertex == vertex).tolist()


def _best_attachment(
    W: np.ndarray, members: tuple[int, ...], taken: np.ndarray, keep_at_least: int, threshold: float
) -> tuple[int, float, tuple[int, ...]]:
    """Best free vertex to attach to ``members``: (vertex, gain, members kept), gain -inf if none."""
    weights = W[list(members)]  # (s, p)
    keep = weights > threshold
    if keep_at_least >= len(members):
        keep[:] = True
    elif keep_at_least > 0:
        rank = np.argsort(np.argsort(-weights, axis=0, kind="stable"), axis=0, kind="stable")
        keep |= rank < keep_at_least
    gains = np.zeros(W.shape[0])
    for row, kept in zip(weights, keep, strict=True):  # summed in member order, as TMFG does
        gains += np.where(kept, row, 0.0)
    gains[~keep.any(axis=0)] = -np.inf
    gains += taken
    v = int(gains.argmax())
    kept_members = tuple(m for m, k in zip(members, keep[:, v], strict=True) if k)
    return v, float(gains[v]), kept_members


def mfcf(
    W: np.ndarray,
    max_clique_size: int = 4,
    *,
    min_clique_size: int | None = None,
    threshold: float = 0.0,
    reuse_separators: bool = True,
) -> FilteredGraph:
    """Maximally Filtered Clique Forest: a chordal graph of cliques of at most ``max_clique_size`` vertices.

    The forest is seeded with the ``min_clique_size`` top-ranked vertices (see :func:`seed_order`). Candidate
    separators are the cliques smaller than ``max_clique_size`` and the ``(max_clique_size - 1)``-faces of the
    full ones. The gain of attaching a free vertex ``v`` to a candidate ``S`` sums ``W_vs`` over the members
    of ``S`` that exceed ``threshold``, always keeping the ``min_clique_size - 1`` strongest; the new clique
    is ``v`` plus those members (when they are a whole small clique, that clique grows instead). Each step
    takes the pair of largest gain. When no gain exceeds ``threshold``, the top-ranked free vertex starts a
    new component, so the result can be a forest with cliques of mixed sizes.

    Parameters
    ----------
    W : array_like of shape (p, p)
        Symmetric, non-negative, finite similarity matrix. The diagonal is ignored.
    max_clique_size : int, default 4
        Largest clique size ``k >= 2``. ``k = 2`` gives a maximum spanning forest.
    min_clique_size : int or None, default None
        Size of the seed clique and, minus one, the number of members always kept in a gain. ``None`` means
        ``max_clique_size``, except 1 for ``k = 2`` (a tree grows from one vertex, as in Prim's algorithm),
        and at most ``p``: on fewer than ``max_clique_size`` vertices the result is the complete graph.
    threshold : float, default 0.0
        Members whose similarity to ``v`` does not exceed it are left out of the gain; an attachment needs a
        gain above it. ``-inf`` keeps everything and yields one connected component.
    reuse_separators : bool, default True
        Whether a separator stays available after a clique was attached to it. With ``False``,
        ``max_clique_size=4`` and ``threshold=0`` the result is the TMFG.

    Returns
    -------
    FilteredGraph

    Raises
    ------
    InputValidationError
        For a malformed ``W`` or out-of-range parameters.
    GraphConstructionError
        If ``W`` has fewer rows than an explicitly given ``min_clique_size``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = np.corrcoef(rng.normal(size=(50, 6)), rowvar=False) ** 2
    >>> mfcf(W, 2).n_edges  # a spanning tree
    5
    >>> mfcf(W, 4, reuse_separators=False).cliques == tmfg(W).cliques
    True
    >>> mfcf(W[:3, :3], 4).cliques  # fewer vertices than max_clique_size: the complete graph
    ((0, 1, 2),)
    """
    k = check_int(max_clique_size, name="max_clique_size", owner="mfcf", low=2)
    if min_clique_size is not None:
        check_int(min_clique_size, name="min_clique_size", owner="mfcf", low=1, high=k)
    threshold = check_number(threshold, name="threshold", owner="mfcf", allow_inf=True)
    W = check_similarity_matrix(W, owner="mfcf")
    p = W.shape[0]
    m = min(1 if k == 2 else k, p) if min_clique_size is None else min_clique_size
    if p < m:
        raise GraphConstructionError(f"An MFCF seeded with {m} vertices needs at least {m} nodes; got {p}.")
    ranked = [int(v) for v in seed_order(W)]
    taken = np.zeros(p)
    cand = _Candidates()
    cliques: list[tuple[int, ...]] = []
    parents: list[int] = []
    separators: list[tuple[int, ...]] = []
    order: list[int] = []

    def open_candidates(clique: int, new_vertex: int | None, slot: int | None) -> list[int]:
        """Candidates offered by ``cliques[clique]``: itself if small, else its faces (those with the new vertex)."""
        members = cliques[clique]
        if len(members) < k:
            offered = [(members, True)]
        else:
            offered = [(f, False) for f in combinations(members, k - 1) if new_vertex is None or new_vertex in f]
        slots = []
        for i, (face, whole) in enumerate(offered):
            slots.append(cand.put(slot if i == 0 else None, face, clique, whole))
        return slots

    def refresh(slots: list[int]) -> None:
        for s in slots:
            v, g, kept = _best_attachment(W, cand.members[s], taken, m - 1, threshold)
            cand.best_vertex[s], cand.best_gain[s], cand.best_kept[s] = v, g, kept

    def insert(v: int) -> None:
        order.append(v)
        taken[v] = -np.inf

    def start_component(vertices: list[int]) -> list[int]:
        cliques.append(tuple(vertices))
        parents.append(-1)
        for v in vertices:
            insert(v)
        return open_candidates(len(cliques) - 1, None, None)

    fresh = start_component(ranked[:m])
    while len(order) < p:
        refresh(fresh)
        best = int(cand.best_gain.argmax()) if cand.members else -1
        if best < 0 or not cand.best_gain[best] > threshold:
            fresh = start_component([next(v for v in ranked if taken[v] == 0)])
            continue
        v, kept = cand.best_vertex[best], cand.best_kept[best]
        insert(v)
        if cand.whole[best] and len(kept) == len(cand.members[best]):
            grown = cand.owner[best]
            cliques[grown] = (*cliques[grown], v)
            cand.retire(best)
            fresh = open_candidates(grown, None, best)
        else:
            cliques.append((*kept, v))
            parents.append(cand.owner[best])
            separators.append(kept)
            slot = None
            if not reuse_separators:
                cand.retire(best)
                slot = best
            fresh = open_candidates(len(cliques) - 1, v, slot)
        if len(order) < p:
            fresh += [s for s in cand.waiting_for(v) if s not in fresh]
    return _build("mfcf", W, cliques, parents, separators, order)


def mst(W: np.ndarray) -> FilteredGraph:
    """Maximum spanning tree of a similarity matrix (an MFCF with cliques of size 2 and no threshold).

    Its cliques are the edges in the order Prim's algorithm adds them from the top-ranked vertex; the
    separators are single vertices.

    Parameters
    ----------
    W : array_like of shape (p, p)
        Symmetric, non-negative, finite similarity matrix, ``p >= 1``.

    Returns
    -------
    FilteredGraph
        ``p - 1`` edges, one component.

    Examples
    --------
    >>> W = np.array([[0, .9, .1], [.9, 0, .5], [.1, .5, 0]])
    >>> mst(W).edges.tolist()
    [[0, 1], [1, 2]]
    """
    return replace(mfcf(W, 2, min_clique_size=1, threshold=-np.inf), method="mst")
