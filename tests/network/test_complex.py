"""Tests of hnnviz.network: exact simplices of hand-drawn complexes, face wiring, homology."""

from __future__ import annotations

from itertools import combinations

import gudhi
import numpy as np
import pytest
from similarities import random_similarity

from hnnviz.exceptions import InputValidationError
from hnnviz.network import clique_complex, mfcf, mst, tmfg


def test_two_triangles_sharing_an_edge() -> None:
    cx = clique_complex([(2, 1, 0), (1, 2, 3)])
    assert [s.tolist() for s in cx.simplices] == [
        [[0], [1], [2], [3]],
        [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]],
        [[0, 1, 2], [1, 2, 3]],
    ]
    assert cx.faces[1].tolist() == [[1, 0], [2, 0], [2, 1], [3, 1], [3, 2]]
    assert cx.faces[2].tolist() == [[2, 1, 0], [4, 3, 2]]
    assert cx.faces[0].shape == (4, 0)
    assert (cx.f_vector, cx.euler_characteristic, cx.betti, cx.max_order) == ((4, 5, 2), 1, (1, 0, 0), 2)


@pytest.mark.parametrize(
    ("cliques", "n_vertices", "betti"),
    [
        ([(0, 1), (1, 2), (0, 2)], None, (1, 1)),  # hollow triangle: one loop
        ([(0, 1), (2, 3)], 5, (3, 0)),  # two edges and an isolated vertex
        ([c for c in combinations(range(4), 3)], None, (1, 0, 1)),  # hollow tetrahedron: a 2-sphere
        ([(0, 1, 2, 3, 4)], None, (1, 0, 0, 0, 0)),  # a 4-simplex is contractible
        ([], 3, (3,)),
    ],
)
def test_betti_numbers_of_hand_drawn_complexes(cliques: list, n_vertices: int | None, betti: tuple) -> None:
    cx = clique_complex(cliques, n_vertices=n_vertices)
    assert cx.betti == betti
    assert cx.euler_characteristic == sum((-1) ** k * b for k, b in enumerate(betti))


def test_every_face_index_points_at_the_simplex_without_that_vertex() -> None:
    cx = clique_complex(mfcf(random_similarity(30, seed=2), 5))
    for order in range(1, cx.max_order + 1):
        simplices, below = cx.simplices[order], cx.simplices[order - 1]
        for j in range(order + 1):
            np.testing.assert_array_equal(below[cx.faces[order][:, j]], np.delete(simplices, j, axis=1))
        assert (np.diff(cx.faces[order], axis=1) < 0).all()  # fan-in exactly order + 1, all distinct


@pytest.mark.parametrize("p", [4, 5, 10, 57, 300])
def test_tmfg_complex_counts_and_homology(p: int) -> None:
    cx = clique_complex(tmfg(random_similarity(p, seed=p)))
    assert cx.f_vector == (p, 3 * p - 6, 3 * p - 8, p - 3)
    assert cx.betti == (1, 0, 0, 0)
    assert cx.euler_characteristic == 1


def test_complex_equals_gudhi_flag_complex_of_the_graph() -> None:
    g = mfcf(random_similarity(40, seed=8), 5)
    cx = clique_complex(g)
    flag = gudhi.SimplexTree()
    for v in range(g.n_nodes):
        flag.insert([v])
    for u, v in g.graph.edges:
        flag.insert([u, v])
    flag.expansion(10)
    expected = sorted(tuple(sorted(s)) for s, _ in flag.get_simplices())
    ours = sorted(tuple(row) for simplices in cx.simplices for row in simplices.tolist())
    assert ours == expected


def test_forest_complex_counts_components() -> None:
    W = random_similarity(20, seed=3)
    W[5, :] = W[:, 5] = 0.0
    g = mfcf(W, 3)
    cx = clique_complex(g)
    assert cx.betti[0] == g.n_components == 2
    assert cx.n_simplices == sum(cx.f_vector)


def test_tree_complex_is_one_dimensional() -> None:
    cx = clique_complex(mst(random_similarity(12, seed=1)))
    assert cx.f_vector == (12, 11) and cx.betti == (1, 0)


@pytest.mark.parametrize(("cliques", "n_vertices", "bad"), [([(0, 5)], 4, "5"), ([(-1, 2)], None, "-1")])
def test_rejects_vertices_out_of_range(cliques: list, n_vertices: int | None, bad: str) -> None:
    with pytest.raises(InputValidationError, match=f"Got vertex {bad} instead"):
        clique_complex(cliques, n_vertices=n_vertices)


@pytest.mark.parametrize(
    ("p", "simplices", "top_faces"),
    [
        (1, [[[0]]], [[]]),
        (2, [[[0], [1]], [[0, 1]]], [[1, 0]]),
        (3, [[[0], [1], [2]], [[0, 1], [0, 2], [1, 2]], [[0, 1, 2]]], [[2, 1, 0]]),
    ],
)
def test_complex_of_a_tmfg_on_one_to_three_vertices_is_one_simplex(p: int, simplices: list, top_faces: list) -> None:
    cx = clique_complex(tmfg(np.ones((p, p)) - np.eye(p)))
    assert [s.tolist() for s in cx.simplices] == simplices
    assert cx.faces[-1].tolist() == top_faces and cx.max_order == p - 1
    assert cx.euler_characteristic == 1 and cx.betti == (1,) + (0,) * (p - 1)
