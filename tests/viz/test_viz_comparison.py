"""Tests of hnnviz.viz.comparison: the edge partition, the Jaccard index and the side-by-side figure."""

from __future__ import annotations

import numpy as np
import pytest
from test_viz_graph import correlated_data, make_network, network_from_cliques, traces

from hnnviz.exceptions import InputValidationError
from hnnviz.network import EdgeComparison, edge_comparison
from hnnviz.viz import comparison_figure, layout_positions, planar_positions, spring_positions

NAMES = [f"f{i}" for i in range(12)]


@pytest.fixture(scope="module")
def pair():
    X = correlated_data(len(NAMES))
    return make_network(X, NAMES, "tmfg"), make_network(X, NAMES, "mfcf", max_clique_size=3)


def index_pairs(network, named) -> set[tuple[int, int]]:
    index = {name: i for i, name in enumerate(network.feature_names)}
    return {(index[u], index[v]) for u, v in named}


def test_shared_and_own_edges_partition_the_union(pair):
    a, b = pair
    c = edge_comparison(a, b)
    shared, only_a, only_b = (index_pairs(a, part) for part in (c.shared, c.only_a, c.only_b))
    edges_a = {tuple(e) for e in a.graph.edges.tolist()}
    edges_b = {tuple(e) for e in b.graph.edges.tolist()}
    assert len(shared) + len(only_a) + len(only_b) == len(edges_a | edges_b)
    assert shared | only_a | only_b == edges_a | edges_b
    assert (shared, only_a, only_b) == (edges_a & edges_b, edges_a - edges_b, edges_b - edges_a)
    assert c.jaccard == pytest.approx(len(edges_a & edges_b) / len(edges_a | edges_b))
    assert all(u < v for u, v in shared | only_a | only_b)  # pairs in feature order


def test_jaccard_of_a_hand_checked_case():
    names = list("abcde")
    a = network_from_cliques([(0, 1, 2), (2, 3)], names)  # ab ac bc cd
    b = network_from_cliques([(0, 1), (1, 2), (2, 3), (3, 4)], names)  # ab bc cd de
    c = edge_comparison(a, b)
    assert c == EdgeComparison(
        shared=(("a", "b"), ("b", "c"), ("c", "d")), only_a=(("a", "c"),), only_b=(("d", "e"),), jaccard=0.6
    )
    assert edge_comparison(a, a).jaccard == 1.0
    assert edge_comparison(network_from_cliques([(0, 1)], names), network_from_cliques([(3, 4)], names)).jaccard == 0


def test_figure_draws_each_panel_with_the_same_positions(pair):
    a, b = pair
    c = edge_comparison(a, b)
    fig = comparison_figure(a, b)
    left, right = traces(fig, "nodes")
    assert (left.xaxis, right.xaxis) == ("x", "x2")
    np.testing.assert_array_equal(np.c_[left.x, left.y], np.c_[right.x, right.y])
    np.testing.assert_array_equal(np.c_[left.x, left.y], planar_positions(a))  # a is the TMFG
    at = {(x, y): v for v, (x, y) in enumerate(zip(left.x, left.y, strict=True))}

    def drawn(meta):
        out = []
        for trace in traces(fig, meta):
            xs, ys = list(trace.x), list(trace.y)
            out.append({tuple(sorted((at[xs[i], ys[i]], at[xs[i + 1], ys[i + 1]]))) for i in range(0, len(xs), 3)})
        return out

    shared_left, shared_right = drawn("shared")
    assert shared_left == shared_right == index_pairs(a, c.shared)
    assert drawn("only-a") == [index_pairs(a, c.only_a)] and drawn("only-b") == [index_pairs(a, c.only_b)]
    assert traces(fig, "only-a")[0].xaxis == "x" and traces(fig, "only-b")[0].xaxis == "x2"
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == [f"shared ({len(c.shared)})", f"only in A ({len(c.only_a)})", f"only in B ({len(c.only_b)})"]


def test_planar_positions_of_b_or_a_spring_layout_of_the_union():
    X = correlated_data(len(NAMES))
    tmfg, mst, mfcf = (make_network(X, NAMES, method, max_clique_size=3) for method in ("tmfg", "mst", "mfcf"))
    nodes = traces(comparison_figure(mst, tmfg), "nodes")[0]
    np.testing.assert_array_equal(np.c_[nodes.x, nodes.y], layout_positions(tmfg, kind="planar"))
    nodes = traces(comparison_figure(mst, mfcf, layout_seed=3), "nodes")[0]
    union = mst.graph.graph.copy()
    union.add_edges_from(mfcf.graph.graph.edges(data=True))
    np.testing.assert_allclose(np.c_[nodes.x, nodes.y], spring_positions(union, seed=3))


def test_networks_on_other_features_raise(pair):
    a, _ = pair
    other = make_network(correlated_data(len(NAMES)), [*NAMES[:-1], "zz"])
    with pytest.raises(InputValidationError, match=r"same features as 'a'.* Got feature 11 named 'zz' against 'f11'"):
        edge_comparison(a, other)
    fewer = make_network(correlated_data(6), NAMES[:6])
    with pytest.raises(InputValidationError, match=r"'b' parameter of comparison_figure .* Got 6 features against 12"):
        comparison_figure(a, fewer)
