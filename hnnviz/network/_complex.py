"""The clique complex of a filtered graph, through gudhi's ``SimplexTree``.

The complex holds every clique of the graph (all sub-cliques of the maximal ones) as a simplex: order 0 are
the vertices, order 1 the edges, order 2 the triangles, order 3 the tetrahedra, and so on. For each order it
exports the sorted simplices and, for orders >= 1, the index of each simplex's faces in the order below:
exactly the wiring of a Homological Neural Network layer. This is the only module that imports gudhi.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import gudhi
import numpy as np

from ..exceptions import InputValidationError
from ._ifn import FilteredGraph

__all__ = ["CliqueComplex", "clique_complex"]




@dataclass(frozen=True)
class CliqueComplex:
    """A clique complex as plain per-order arrays.

    Attributes
    ----------
    n_vertices : int
        Number of vertices ``p`` (isolated vertices included).
    simplices : tuple of ndarray
        ``simplices[k]`` has shape ``(n_k, k + 1)``: the order-``k`` simplices, each row ascending, rows in
        lexicographic order. ``simplices[0]`` is ``[[0], [1], ..., [p-1]]``.
    faces : tuple of ndarray
        ``faces[k]`` (for ``k >= 1``) has shape ``(n_k, k + 1)``: ``faces[k][i, j]`` is the row of
        ``simplices[k - 1]`` obtained by deleting vertex ``j`` of ``simplices[k][i]``. ``faces[0]`` is an
        empty ``(p, 0)`` array.
    betti : tuple of int
        Betti numbers ``b_0 .. b_max_order`` (over Z/2).

    Examples
    --------
    >>> cx = clique_complex([(0, 1, 2), (1, 2, 3)], n_vertices=4)
    >>> cx.f_vector, cx.euler_characteristic, cx.betti
    ((4, 5, 2), 1, (1, 0, 0))
    >>> cx.simplices[2].tolist(), cx.faces[2].tolist()
    ([[0, 1, 2], [1, 2, 3]], [[2, 1, 0], [4, 3, 2]])
    """

    n_vertices: int
    simplices: tuple[np.ndarray, ...]
    faces: tuple[np.ndarray, ...]
    betti: tuple[int, ...]

    @property
    def max_order(self) -> int:
        """Largest simplex order (a tetrahedron has order 3)."""
        return len(self.simplices) - 1

    @property
    def f_vector(self) -> tuple[int, ...]:
        """Number of simplices of each order."""
        return tuple(len(s) for s in self.simplices)

    @property
    def euler_characteristic(self) -> int:
        """Alternating sum of the f-vector."""
        return sum((-1) ** k * n for k, n in enumerate(self.f_vector))

    @property
    def n_simplices(self) -> int:
        """Total number of simplices of every order."""
        return sum(self.f_vector)


def clique_complex(cliques: FilteredGraph | Iterable[Iterable[int]], *, n_vertices: int | None = None) -> CliqueComplex:
    """Build the clique complex of a filtered graph (or of a list of maximal cliques).

    Each maximal clique is inserted into a ``gudhi.SimplexTree``, which adds all its faces; for a chordal
    graph (every IFN) this is the full clique complex, built without enumerating cliques of the graph.

    Parameters
    ----------
    cliques : FilteredGraph or iterable of iterables of int
        The maximal cliques (vertex indices ``0 .. p-1``).
    n_vertices : int, optional
        Number of vertices; taken from the FilteredGraph, or ``1 + max vertex`` for a plain list.

    Returns
    -------
    CliqueComplex

    Raises
    ------
    InputValidationError
        If a vertex index is negative or not below ``n_vertices``.

    Notes
    -----
    Betti numbers come from gudhi's persistent homology with every simplex at filtration 0
    (``compute_persistence(persistence_dim_max=True)``), so top-dimensional classes are counted too.

    Examples
    --------
    >>> cx = clique_complex([(0, 1, 2, 3)])
    >>> cx.f_vector, cx.betti
    ((4, 6, 4, 1), (1, 0, 0, 0))
    """
    if isinstance(cliques, FilteredGraph):
        n_vertices = cliques.n_nodes if n_vertices is None else n_vertices
        cliques = cliques.cliques
    cliques = [sorted(int(v) for v in c) for c in cliques]
    highest = max((c[-1] for c in cliques if c), default=-1)
    n_vertices = highest + 1 if n_vertices is None else int(n_vertices)
    lowest = min((c[0] for c in cliques if c), default=0)
    if lowest < 0 or highest >= n_vertices:
        raise InputValidationError(
            f"The 'cliques' parameter of clique_complex must use vertices in [0, {n_vertices - 1}]. "
            f"Got vertex {lowest if lowest < 0 else highest} instead."
        )
    tree = gudhi.SimplexTree()
    for v in range(n_vertices):
        tree.insert([v])
    for clique in cliques:
        tree.insert(clique)
    simplices = _simplices_by_order(tree)
    faces = tuple(_face_indices(simplices, k) for k in range(len(simplices)))
    return CliqueComplex(
        n_vertices=n_vertices, simplices=simplices, faces=faces, betti=_betti_numbers(tree, len(simplices))
    )


def _simplices_by_order(tree: gudhi.SimplexTree) -> tuple[np.ndarray, ...]:
    """Every simplex of ``tree`` grouped by order, rows ascending and sorted lexicographically."""
    by_order: list[list[list[int]]] = [[] for _ in range(tree.dimension() + 1)]
    for simplex, _ in tree.get_simplices():
        by_order[len(simplex) - 1].append(sorted(simplex))
    return tuple(np.array(sorted(rows), dtype=np.int64).reshape(-1, k + 1) for k, rows in enumerate(by_order))


def _face_indices(simplices: tuple[np.ndarray, ...], order: int) -> np.ndarray:
    """Row indices in ``simplices[order - 1]`` of each simplex's faces; face ``j`` omits vertex ``j``."""
    if order == 0:
        return np.zeros((len(simplices[0]), 0), dtype=np.int64)
    row_of = {tuple(face): i for i, face in enumerate(simplices[order - 1].tolist())}
    faces = np.empty(simplices[order].shape, dtype=np.int64)
    for i, simplex in enumerate(simplices[order].tolist()):
        for j in range(order + 1):
            faces[i, j] = row_of[tuple(simplex[:j] + simplex[j + 1 :])]
    return faces


def _betti_numbers(tree: gudhi.SimplexTree, n_orders: int) -> tuple[int, ...]:
    """Betti numbers b_0 .. b_{n_orders-1}, padded with zeros where gudhi reports none."""
    tree.compute_persistence(persistence_dim_max=True)
    betti = list(tree.betti_numbers())[:n_orders]
    return tuple(int(b) for b in betti + [0] * (n_orders - len(betti)))
