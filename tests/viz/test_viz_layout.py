"""Tests of hnnviz.viz.layout: the planar TMFG drawing has no crossings, the spring layouts are seeded."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from similarities import random_similarity
from test_viz_graph import correlated_data, make_network, network_from_similarity

from hnnviz.exceptions import InputValidationError
from hnnviz.network import is_maximal_planar
from hnnviz.viz import layout_positions, planar_positions, spring_positions
from hnnviz.viz.layout import _planar_layout

SAMPLES = sorted((Path(__file__).parents[2] / "sample_data").glob("*.csv"))


def sample_network(path: Path):
    table = pd.read_csv(path).select_dtypes("number").dropna(axis=1)
    table = table.loc[:, table.std() > 0]
    return make_network(table.to_numpy(dtype=float), list(table.columns))


def crossing_pairs(pos: np.ndarray, edges: np.ndarray, tol: float = 1e-12) -> list[tuple[int, int]]:
    """Pairs of edges (indices) without a common endpoint that cross, touch or overlap.

    Exact segment intersection by orientation signs: two segments meet iff each one's endpoints are on
    different sides of the other's line (a proper crossing), or an endpoint lies on the other segment.
    """
    i, j = np.triu_indices(len(edges), 1)
    a, b = edges[i], edges[j]
    apart = (a[:, :1] != b).all(axis=1) & (a[:, 1:] != b).all(axis=1)
    i, j, a, b = i[apart], j[apart], a[apart], b[apart]
    p1, p2, q1, q2 = pos[a[:, 0]], pos[a[:, 1]], pos[b[:, 0]], pos[b[:, 1]]

    def orient(u, v, w):
        s = (v[:, 0] - u[:, 0]) * (w[:, 1] - u[:, 1]) - (v[:, 1] - u[:, 1]) * (w[:, 0] - u[:, 0])
        return np.where(np.abs(s) <= tol, 0.0, np.sign(s))

    def on_segment(u, v, w):  # w collinear with u-v: is it within the segment's box?
        return (np.minimum(u, v) - tol <= w).all(axis=1) & (w <= np.maximum(u, v) + tol).all(axis=1)

    d1, d2, d3, d4 = orient(q1, q2, p1), orient(q1, q2, p2), orient(p1, p2, q1), orient(p1, p2, q2)
    proper = (d1 * d2 < 0) & (d3 * d4 < 0)
    touching = (
        ((d1 == 0) & on_segment(q1, q2, p1))
        | ((d2 == 0) & on_segment(q1, q2, p2))
        | ((d3 == 0) & on_segment(p1, p2, q1))
        | ((d4 == 0) & on_segment(p1, p2, q2))
    )
    hit = proper | touching
    return list(zip(i[hit].tolist(), j[hit].tolist(), strict=True))


def assert_good_planar_drawing(pos: np.ndarray, graph: nx.Graph) -> None:
    p = graph.number_of_nodes()
    edges = np.array(sorted(graph.edges()), dtype=int)
    assert pos.shape == (p, 2) and np.isfinite(pos).all()
    assert crossing_pairs(pos, edges) == []
    gaps = np.linalg.norm(pos[:, None] - pos[None], axis=-1)[np.triu_indices(p, 1)]
    diagonal = np.linalg.norm(pos.max(axis=0) - pos.min(axis=0))
    assert gaps.min() > 0.1 / p * diagonal  # measured about 0.65 / p: no exponential shrinking


# ---- the crossing check itself ----------------------------------------------------------------------------


def test_crossing_check_finds_crossing_touching_and_overlapping_segments():
    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    assert crossing_pairs(square, np.array([[0, 2], [1, 3]])) == [(0, 1)]  # the diagonals
    assert crossing_pairs(square, np.array([[0, 1], [2, 3], [1, 2]])) == []  # sides sharing no point
    t = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    assert crossing_pairs(t, np.array([[0, 1], [2, 3]])) == [(0, 1)]  # a T: an endpoint on the other edge
    line = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    assert crossing_pairs(line, np.array([[0, 1], [2, 3]])) == [(0, 1)]  # collinear overlap


# ---- planar_positions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [4, 5, 10, 30, 100])
@pytest.mark.parametrize("seed", [0, 1])
def test_planar_tmfg_drawing_has_no_crossings(p, seed):
    net = network_from_similarity(random_similarity(p, seed=100 * p + seed))
    pos = planar_positions(net)
    assert_good_planar_drawing(pos, net.graph.graph)
    np.testing.assert_array_equal(pos, planar_positions(net))  # deterministic


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_planar_drawing_of_the_bundled_samples_has_no_crossings(path):
    net = sample_network(path)
    assert_good_planar_drawing(planar_positions(net), net.graph.graph)


@pytest.mark.parametrize("p", [5, 12, 60])
def test_every_inner_face_of_a_tmfg_drawing_has_the_same_area(p):
    net = network_from_similarity(random_similarity(p, seed=p, kind="uniform"))
    pos = planar_positions(net)
    separators = {tuple(s) for s in net.graph.separators}
    faces = np.array([t for t in net.complex.simplices[2].tolist() if tuple(t) not in separators])
    a, b, c = (pos[faces[:, i]] for i in range(3))
    area = np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])) / 2
    outer = area.max()
    inner = np.sort(area)[:-1]
    assert len(faces) == 2 * p - 4 and outer == pytest.approx(3 * np.sqrt(3) / 4)  # triangle in the unit circle
    np.testing.assert_allclose(inner, outer / (2 * p - 5), rtol=1e-9)


@pytest.mark.parametrize("graph", [nx.octahedral_graph(), nx.icosahedral_graph()], ids=["octahedron", "icosahedron"])
def test_maximal_planar_graphs_that_are_not_stacked_get_a_tutte_drawing(graph):
    pos = _planar_layout(graph)
    assert_good_planar_drawing(pos, graph)


def test_non_maximal_planar_graphs_raise():
    tree = make_network(correlated_data(8), list("abcdefgh"), "mst")
    assert not is_maximal_planar(tree)
    with pytest.raises(InputValidationError, match=r"maximal planar .* Got 8 nodes, 7 edges, planar instead"):
        planar_positions(tree)
    with pytest.raises(InputValidationError, match="maximal planar"):
        layout_positions(tree, kind="planar")
    k33_plus = nx.complete_bipartite_graph(3, 3)
    k33_plus.add_edges_from([(0, 1), (1, 2), (3, 4)])  # 12 = 3p - 6 edges, yet not planar
    with pytest.raises(InputValidationError, match="Got 6 nodes, 12 edges, not planar instead"):
        _planar_layout(k33_plus)


# ---- layout_positions -------------------------------------------------------------------------------------


def test_auto_layout_is_planar_for_a_tmfg_and_spring_otherwise():
    X = correlated_data(10)
    names = [f"v{i}" for i in range(10)]
    tmfg_net, mst_net = make_network(X, names), make_network(X, names, "mst")
    np.testing.assert_array_equal(layout_positions(tmfg_net, kind="auto"), planar_positions(tmfg_net))
    np.testing.assert_array_equal(layout_positions(mst_net, kind="auto", seed=2), layout_positions(mst_net, seed=2))


def test_unknown_layout_and_bad_seed_raise():
    net = make_network(correlated_data(6), list("abcdef"))
    with pytest.raises(InputValidationError, match="'kind' parameter of layout_positions must be one of"):
        layout_positions(net, kind="circular")
    with pytest.raises(InputValidationError, match="'seed' parameter of layout_positions"):
        layout_positions(net, seed=-1)


def test_fast_spring_layout_for_large_graphs_is_seeded_and_bounded():
    W = random_similarity(600, seed=3)
    tree = nx.maximum_spanning_tree(nx.from_numpy_array(W))
    first, again, other = (spring_positions(tree, seed=s) for s in (1, 1, 2))
    assert first.shape == (600, 2) and np.isfinite(first).all()
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert np.abs(first).max() == pytest.approx(1.0)
    edges = np.array(tree.edges())

    def closeness(pos: np.ndarray) -> float:  # median edge length over median distance (random points: ~1)
        gaps = np.linalg.norm(pos[:, None] - pos[None], axis=-1)[np.triu_indices(len(pos), 1)]
        return float(np.median(np.linalg.norm(pos[edges[:, 0]] - pos[edges[:, 1]], axis=1)) / np.median(gaps))

    reference = nx.spring_layout(tree, weight="weight", seed=1)  # networkx: 0.32 here, ours 0.25
    assert closeness(first) < 1.1 * closeness(np.array([reference[v] for v in range(600)])) < 0.4
