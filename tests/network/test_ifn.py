"""Tests of hnnviz.network: exact agreement with reference implementations and the invariants of SPEC §3-4."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from fast_tmfg.TMFG_core import TMFG
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from similarities import random_similarity

from hnnviz.exceptions import GraphConstructionError, InputValidationError
from hnnviz.network import FilteredGraph, mfcf, mst, seed_order, tmfg


def edge_set(graph: FilteredGraph | nx.Graph) -> set[tuple[int, int]]:
    edges = graph.graph.edges if isinstance(graph, FilteredGraph) else graph.edges
    return {(min(u, v), max(u, v)) for u, v in edges}


def reference_tmfg_edges(W: np.ndarray) -> set[tuple[int, int]]:
    _, _, J = TMFG().fit_transform(pd.DataFrame(W.copy()), output="unweighted_sparse_W_matrix")
    return {(int(u), int(v)) for u, v in zip(*np.nonzero(np.triu(J, 1)), strict=True)}


def reference_maximum_spanning_forest(W: np.ndarray, threshold: float | None = None) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(len(W)))
    G.add_weighted_edges_from(
        (i, j, W[i, j]) for i in range(len(W)) for j in range(i + 1, len(W)) if threshold is None or W[i, j] > threshold
    )
    return nx.maximum_spanning_tree(G)


def assert_valid_clique_tree(g: FilteredGraph) -> None:
    """Parents precede children; each separator is the intersection with the parent; running intersection."""
    assert len(g.clique_parent) == len(g.cliques)
    for k, parent in enumerate(g.clique_parent):
        assert parent < k
        if parent >= 0:
            assert set(g.separator_of(k)) <= set(g.cliques[parent])
    assert [g.separator_of(k) for k, q in enumerate(g.clique_parent) if q >= 0] == list(g.separators)
    tree = nx.Graph()
    tree.add_nodes_from(range(len(g.cliques)))
    tree.add_edges_from((k, q) for k, q in enumerate(g.clique_parent) if q >= 0)
    assert nx.is_forest(tree)
    for v in range(g.n_nodes):  # running intersection: cliques holding v form a subtree
        holding = [k for k, c in enumerate(g.cliques) if v in c]
        assert holding and nx.is_connected(tree.subgraph(holding))


def assert_perfect_elimination(g: FilteredGraph) -> None:
    assert sorted(g.vertex_order) == list(range(g.n_nodes))
    position = {v: i for i, v in enumerate(g.vertex_order)}
    for v in g.vertex_order:  # earlier neighbours of each vertex form a clique
        earlier = [u for u in g.graph[v] if position[u] < position[v]]
        assert all(g.graph.has_edge(a, b) for i, a in enumerate(earlier) for b in earlier[i + 1 :])


def assert_tmfg_invariants(g: FilteredGraph) -> None:
    p = g.n_nodes
    assert g.n_edges == 3 * p - 6
    assert len(g.cliques) == p - 3 and all(len(c) == 4 for c in g.cliques)
    assert len(g.separators) == p - 4 and all(len(s) == 3 for s in g.separators)
    assert len(set(g.separators)) == p - 4  # each triangle separates once
    assert nx.check_planarity(g.graph)[0]
    assert nx.is_chordal(g.graph)
    assert g.n_components == 1
    for clique in g.cliques:
        assert all(g.graph.has_edge(a, b) for i, a in enumerate(clique) for b in clique[i + 1 :])
    assert_valid_clique_tree(g)
    assert_perfect_elimination(g)


# --- TMFG -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [4, 5, 6, 7, 8, 10, 16, 33, 64, 150, 400])
@pytest.mark.parametrize("kind", ["correlation", "uniform"])
def test_tmfg_edges_equal_fast_tmfg(p: int, kind: str) -> None:
    for seed in range(3 if p < 100 else 1):
        W = random_similarity(p, seed=1000 * p + seed, kind=kind)
        assert edge_set(tmfg(W)) == reference_tmfg_edges(W)


def test_tmfg_ignores_the_diagonal_like_the_reference() -> None:
    W = random_similarity(40, seed=3)
    np.fill_diagonal(W, 1.0)  # as a raw squared-correlation matrix has
    assert edge_set(tmfg(W)) == reference_tmfg_edges(W)


@pytest.mark.parametrize("p", [4, 5, 9, 50, 200])
def test_tmfg_invariants(p: int) -> None:
    assert_tmfg_invariants(tmfg(random_similarity(p, seed=p)))


def test_tmfg_records_weights_and_total() -> None:
    W = random_similarity(20, seed=1)
    g = tmfg(W)
    assert all(d["weight"] == W[u, v] for u, v, d in g.graph.edges(data=True))
    assert g.total_weight == pytest.approx(sum(W[u, v] for u, v in g.edges))
    assert g.edges.shape == (3 * 20 - 6, 2) and (g.edges[:, 0] < g.edges[:, 1]).all()


def test_tmfg_seed_is_the_top_ranked_four_vertices() -> None:
    W = random_similarity(30, seed=5)
    assert set(tmfg(W).cliques[0]) == set(seed_order(W)[:4].tolist())
    assert tmfg(W).vertex_order[:4] == tuple(seed_order(W)[:4].tolist())


def test_tmfg_is_deterministic() -> None:
    W = random_similarity(60, seed=9)
    a, b = tmfg(W), tmfg(W.copy())
    assert (a.cliques, a.separators, a.clique_parent, a.vertex_order) == (
        b.cliques,
        b.separators,
        b.clique_parent,
        b.vertex_order,
    )


def test_tmfg_does_not_modify_its_input() -> None:
    W = random_similarity(15, seed=2)
    before = W.copy()
    tmfg(W)
    np.testing.assert_array_equal(W, before)


def test_tmfg_zero_rows_terminate_deterministically() -> None:
    """The reference never terminates here (SPEC §6); we insert such vertices with gain 0."""
    W = random_similarity(12, seed=4)
    W[[2, 7], :] = 0.0
    W[:, [2, 7]] = 0.0
    g = tmfg(W)
    assert_tmfg_invariants(g)
    assert g.vertex_order[-2:] == (2, 7)  # inserted last, lowest index first
    assert edge_set(g) == edge_set(tmfg(W))


def test_tmfg_all_ties() -> None:
    W = np.ones((9, 9))
    g = tmfg(W)
    assert_tmfg_invariants(g)
    assert g.vertex_order == tuple(range(9))  # ties: lowest index first
    assert g.cliques[1] == (0, 1, 2, 4)  # first triangle (0, 1, 2), first free vertex 4


@given(
    arrays(np.float64, (9, 9), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    st.integers(min_value=1, max_value=9),
)
@settings(max_examples=60, deadline=None)
def test_tmfg_invariants_hold_with_ties_and_zeros(A: np.ndarray, p: int) -> None:
    W = np.maximum(A, A.T)[:p, :p]
    if p >= 4:
        assert_tmfg_invariants(tmfg(W))
    else:
        assert_complete_graph(tmfg(W), p)


@given(st.integers(min_value=4, max_value=80), st.integers(min_value=0, max_value=2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_tmfg_invariants_property(p: int, seed: int) -> None:
    assert_tmfg_invariants(tmfg(random_similarity(p, seed)))


def similarity(p: int, seed: int) -> np.ndarray:
    """:func:`random_similarity`, also for a single vertex."""
    return random_similarity(p, seed) if p > 1 else np.zeros((1, 1))


def assert_complete_graph(g: FilteredGraph, p: int) -> None:
    """On p <= 3 vertices a TMFG (or an MFCF with larger cliques) is the complete graph: one clique, no separator."""
    assert g.n_nodes == p and g.n_edges == p * (p - 1) // 2 and g.n_components == 1
    assert g.cliques == (tuple(range(p)),) and g.separators == () and g.clique_parent == (-1,)
    assert nx.check_planarity(g.graph)[0] and nx.is_chordal(g.graph)
    assert_valid_clique_tree(g)
    assert_perfect_elimination(g)


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("zero", [False, True])
def test_tmfg_on_one_to_three_nodes_is_the_complete_graph(p: int, zero: bool) -> None:
    W = np.zeros((p, p)) if zero else similarity(p, seed=p)
    g = tmfg(W)
    assert_complete_graph(g, p)
    assert g.vertex_order == tuple(seed_order(W).tolist())
    if p == 3:  # where the formulas of the general case start to hold
        assert g.n_edges == 3 * p - 6


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("k", [4, 5])
def test_mfcf_on_fewer_nodes_than_its_clique_size_is_the_complete_graph(p: int, k: int) -> None:
    assert_complete_graph(mfcf(similarity(p, seed=p), k), p)


@pytest.mark.parametrize("p", [2, 3])
def test_mfcf_on_fewer_nodes_than_an_explicit_seed_clique_raises(p: int) -> None:
    with pytest.raises(GraphConstructionError, match=f"An MFCF seeded with 4 vertices needs at least 4 nodes; got {p}"):
        mfcf(random_similarity(p, seed=p), 4, min_clique_size=4)


def test_tmfg_refuses_an_empty_matrix() -> None:
    with pytest.raises(InputValidationError, match=r"must be at least 1 x 1. Got 'shape \(0, 0\)'"):
        tmfg(np.zeros((0, 0)))


@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.integers(min_value=0, max_value=11), max_size=12),
)
@settings(max_examples=60, deadline=None)
def test_every_filter_terminates_on_zero_rows(p: int, seed: int, zero_rows: list[int]) -> None:
    """Vertices with zero similarity to all others (constant features), possibly every vertex: no filter stalls
    (the reference TMFG never terminates here, SPEC §6), and each keeps its invariants."""
    W = similarity(p, seed)
    zero = sorted({v for v in zero_rows if v < p})
    W[zero, :] = 0.0
    W[:, zero] = 0.0
    g = tmfg(W)
    if p >= 4:
        assert_tmfg_invariants(g)
    else:
        assert_complete_graph(g, p)
    for k in (2, 3, 4):
        forest = mfcf(W, k)
        assert nx.is_chordal(forest.graph) and all(len(c) <= k for c in forest.cliques)
        assert sorted(forest.vertex_order) == list(range(p))
        assert_valid_clique_tree(forest)
        # with threshold 0 a zero vertex joins only as part of the seed clique, else it stays isolated
        assert all(forest.graph.degree[v] == 0 for v in zero if v not in forest.cliques[0])
    tree = mst(W)
    assert tree.n_edges == p - 1 and tree.n_components == 1


@pytest.mark.parametrize(
    ("W", "match"),
    [
        (np.ones((4, 5)), "must be a square matrix"),
        (np.ones(4), "must be a square matrix"),
        ([["a", "b"], ["c", "d"]], "must be a numeric square matrix"),
        (np.where(np.eye(5) == 1, 0, np.nan), r"must be finite \(no NaN or inf\)"),
        (np.full((5, 5), np.inf), "must be finite"),
        (np.triu(np.ones((5, 5))), "must be symmetric"),
        (np.ones((5, 5)) - 2 * np.eye(5) - 0.5 * (np.arange(25).reshape(5, 5) == 1) * 4, "must be symmetric"),
    ],
)
def test_tmfg_rejects_bad_matrices(W: object, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        tmfg(W)


def test_tmfg_rejects_negative_similarity_but_not_a_negative_diagonal() -> None:
    W = random_similarity(6, seed=0)
    W[1, 2] = W[2, 1] = -0.1
    with pytest.raises(InputValidationError, match=r"non-negative off the diagonal. Got 'W\[1, 2\] = -0.1'"):
        tmfg(W)
    W[1, 2] = W[2, 1] = 0.1
    np.fill_diagonal(W, -1.0)
    assert tmfg(W).n_edges == 12


# --- MFCF and MST -----------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [4, 5, 12, 40, 120])
def test_mfcf_with_four_cliques_and_single_use_separators_is_the_tmfg(p: int) -> None:
    W = random_similarity(p, seed=p + 1)
    a, b = mfcf(W, 4, threshold=0.0, reuse_separators=False), tmfg(W)
    assert (a.cliques, a.separators, a.clique_parent, a.vertex_order) == (
        b.cliques,
        b.separators,
        b.clique_parent,
        b.vertex_order,
    )


@pytest.mark.parametrize("p", [2, 3, 10, 60])
def test_mfcf_with_pairs_is_the_maximum_spanning_tree(p: int) -> None:
    W = random_similarity(p, seed=p)
    g = mfcf(W, 2)
    assert edge_set(g) == edge_set(reference_maximum_spanning_forest(W))
    assert all(len(c) == 2 for c in g.cliques) and all(len(s) == 1 for s in g.separators)
    assert_valid_clique_tree(g)


def test_mfcf_threshold_gives_the_maximum_spanning_forest_of_the_strong_edges() -> None:
    W = random_similarity(30, seed=11)
    threshold = float(np.quantile(W[np.triu_indices(30, 1)], 0.9))
    g = mfcf(W, 2, threshold=threshold)
    forest = reference_maximum_spanning_forest(W, threshold)
    assert edge_set(g) == edge_set(forest)
    assert g.n_components == nx.number_connected_components(forest) > 1
    assert_valid_clique_tree(g)


@pytest.mark.parametrize("k", [3, 4, 5, 6])
@pytest.mark.parametrize("threshold", [0.0, 0.05])
def test_mfcf_general_invariants(k: int, threshold: float) -> None:
    W = random_similarity(40, seed=k)
    g = mfcf(W, k, threshold=threshold)
    assert nx.is_chordal(g.graph)
    assert all(len(c) <= k for c in g.cliques)
    maximal = {tuple(sorted(c)) for c in nx.find_cliques(g.graph)}
    assert set(g.cliques) == maximal  # the recorded cliques are exactly the maximal cliques
    assert sorted(g.vertex_order) == list(range(40))
    assert_valid_clique_tree(g)
    assert_perfect_elimination(g)


def test_mfcf_threshold_splits_into_components_of_mixed_sizes() -> None:
    rng = np.random.default_rng(0)
    blocks = [rng.normal(size=(300, 1)) + 0.6 * rng.normal(size=(300, size)) for size in (5, 3, 2)]
    W = np.corrcoef(np.hstack(blocks), rowvar=False) ** 2
    np.fill_diagonal(W, 0)
    g = mfcf(W, 4, min_clique_size=1, threshold=0.2)
    components = sorted(sorted(c) for c in nx.connected_components(g.graph))
    assert components == [[0, 1, 2, 3, 4], [5, 6, 7], [8, 9]]
    assert sorted(len(c) for c in g.cliques) == [2, 3, 4, 4]


def test_mfcf_reusing_separators_stays_chordal_but_not_necessarily_planar() -> None:
    W = random_similarity(60, seed=21)
    single, reused = mfcf(W, 4, reuse_separators=False), mfcf(W, 4)
    assert len(set(single.separators)) == len(single.separators)
    assert len(set(reused.separators)) < len(reused.separators)
    assert nx.is_chordal(reused.graph) and reused.n_edges == 3 * 60 - 6


def test_mfcf_isolated_vertex_starts_its_own_component() -> None:
    W = random_similarity(10, seed=3)
    W[4, :] = W[:, 4] = 0.0
    g = mfcf(W, 4)
    assert (4,) in g.cliques and g.clique_parent[g.cliques.index((4,))] == -1
    assert g.graph.degree[4] == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_clique_size": 1}, InputValidationError, r"'max_clique_size' parameter of mfcf must be an int in \[2"),
        ({"max_clique_size": 3.5}, InputValidationError, "'max_clique_size' parameter of mfcf must be an int"),
        ({"min_clique_size": 5}, InputValidationError, r"'min_clique_size' parameter of mfcf must be an int in \[1, 4"),
        ({"threshold": float("nan")}, InputValidationError, "'threshold' parameter of mfcf must be a finite number"),
        ({"max_clique_size": 8, "min_clique_size": 7}, GraphConstructionError, "seeded with 7 vertices needs"),
    ],
)
def test_mfcf_rejects_bad_parameters(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        mfcf(random_similarity(6, seed=0), **kwargs)


@pytest.mark.parametrize("p", [1, 2, 7, 45])
def test_mst_is_the_maximum_spanning_tree(p: int) -> None:
    W = random_similarity(p, seed=p) if p > 1 else np.zeros((1, 1))
    g = mst(W)
    assert g.method == "mst" and g.n_edges == p - 1 and g.n_components == 1
    assert edge_set(g) == edge_set(reference_maximum_spanning_forest(W))


def test_mst_connects_zero_similarity_vertices() -> None:
    W = random_similarity(8, seed=1)
    W[3, :] = W[:, 3] = 0.0
    assert mst(W).n_edges == 7
