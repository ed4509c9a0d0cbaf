"""Tests of hnnviz.viz: figures match the network, user strings are escaped, pyvis output is offline."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pytest

from hnnviz.exceptions import InputValidationError
from hnnviz.network import FilteredGraph, FilteredNetwork, clique_complex, filter_network, tmfg
from hnnviz.specs import IFNSpec
from hnnviz.viz import clique_tree_figure, graph_figure, graph_html, layout_positions, similarity_heatmap
from hnnviz.viz.graph import _tree_positions

NASTY = ("<script>alert(1)</script>", "<b>x</b>")
NAMES = (*NASTY, "a&b", "d", "e", "f", "g", "h")


# ---- building networks: the only place that knows the pipeline's signatures (shared by tests/viz/test_viz_*.py) ----


def make_network(
    X: np.ndarray, names: Sequence[str], method: str = "tmfg", max_clique_size: int = 4
) -> FilteredNetwork:
    """A filtered network of the columns of ``X``."""
    return filter_network(X, names, IFNSpec(method=method, max_clique_size=max_clique_size))


def network_from_similarity(W: np.ndarray, names: Sequence[str] | None = None) -> FilteredNetwork:
    """The TMFG network of a similarity matrix, without data (fast at thousands of features)."""
    graph = tmfg(W)
    names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(len(W)))
    return FilteredNetwork(names, W, IFNSpec(), graph, clique_complex(graph), {})


def network_from_cliques(cliques: Sequence[Sequence[int]], names: Sequence[str]) -> FilteredNetwork:
    """A network whose graph is the union of hand-written cliques (weights: 1/(1 + u + v)), as an "mfcf"."""
    p = len(names)
    W = np.array([[0.0 if u == v else 1 / (1 + u + v) for v in range(p)] for u in range(p)])
    graph = nx.Graph()
    graph.add_nodes_from(range(p))
    graph.add_weighted_edges_from((u, v, W[u, v]) for c in cliques for u in c for v in c if u < v)
    total = float(sum(w for _, _, w in graph.edges(data="weight")))
    cliques = tuple(tuple(sorted(c)) for c in cliques)
    filtered = FilteredGraph("mfcf", p, cliques, (-1,) * len(cliques), (), tuple(range(p)), graph, total)
    return FilteredNetwork(tuple(names), W, IFNSpec(method="mfcf"), filtered, clique_complex(filtered), {})


def correlated_data(p: int, *, n: int = 80, seed: int = 7) -> np.ndarray:
    """``n`` rows of ``p`` columns in three correlated blocks."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, 3))
    return np.column_stack([base[:, i % 3] + 0.8 * rng.normal(size=n) for i in range(p)])


@pytest.fixture(scope="module", params=["tmfg", "mfcf", "mst"])
def network(request: pytest.FixtureRequest) -> FilteredNetwork:
    return make_network(correlated_data(len(NAMES)), NAMES, request.param, max_clique_size=3)


def traces(fig, meta: str) -> list:
    return [t for t in fig.data if t.meta == meta]


def segments(trace) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The line segments of a trace drawn as ``x0, x1, None, ...``."""
    xs, ys = list(trace.x), list(trace.y)
    assert xs[2::3] == [None] * (len(xs) // 3) and len(xs) % 3 == 0
    return [((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(0, len(xs), 3)]


def all_strings(value) -> list[str]:
    """Every string inside decoded JSON (keys and values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *all_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


# ---- graph_figure ----------------------------------------------------------------------------------------


def test_graph_figure_has_one_point_per_vertex_and_one_segment_per_edge(network):
    fig = graph_figure(network)
    (nodes,) = traces(fig, "nodes")
    assert len(nodes.x) == len(nodes.y) == network.graph.n_nodes
    vertex_at = {(x, y): v for v, (x, y) in enumerate(zip(nodes.x, nodes.y, strict=True))}
    drawn = [tuple(sorted((vertex_at[a], vertex_at[b]))) for trace in traces(fig, "edges") for a, b in segments(trace)]
    assert len(drawn) == network.graph.n_edges
    assert sorted(drawn) == [tuple(e) for e in network.graph.edges.tolist()]
    (hover,) = traces(fig, "edge-hover")
    assert len(hover.x) == network.graph.n_edges


def test_graph_figure_stronger_edges_are_wider_and_more_opaque(network):
    edge_traces = traces(graph_figure(network), "edges")
    widths = [t.line.width for t in edge_traces]
    assert widths == sorted(widths)
    assert [t.opacity for t in edge_traces] == sorted(t.opacity for t in edge_traces)


def test_node_hover_lists_name_degree_and_cliques(network):
    (nodes,) = traces(graph_figure(network), "nodes")
    g = network.graph
    for v, text in enumerate(nodes.hovertext):
        assert html.escape(NAMES[v], quote=False) in text
        assert f"degree {g.graph.degree(v)}" in text
        assert f"in {sum(v in c for c in g.cliques)} cliques" in text


def test_same_seed_gives_the_same_layout_and_another_seed_a_different_one(network):
    first, again = (traces(graph_figure(network, layout_seed=3), "nodes")[0] for _ in range(2))
    assert list(first.x) == list(again.x) and list(first.y) == list(again.y)
    other = traces(graph_figure(network, layout_seed=4), "nodes")[0]
    assert not np.allclose(np.c_[first.x, first.y], np.c_[other.x, other.y])
    np.testing.assert_array_equal(np.c_[first.x, first.y], layout_positions(network, seed=3))


def test_highlighted_features_get_their_own_trace(network):
    fig = graph_figure(network, highlight=[NAMES[1], "d"])
    (ring,) = traces(fig, "highlight")
    (nodes,) = traces(fig, "nodes")
    assert list(zip(ring.x, ring.y, strict=True)) == [(nodes.x[1], nodes.y[1]), (nodes.x[3], nodes.y[3])]
    assert not traces(graph_figure(network), "highlight")


def test_highlighting_an_unknown_feature_raises(network):
    with pytest.raises(InputValidationError, match=r"'highlight' parameter of graph_figure .* Got \['nope'\]"):
        graph_figure(network, highlight=["d", "nope"])


# ---- escaping --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [graph_figure, clique_tree_figure, similarity_heatmap])
def test_user_strings_reach_plotly_only_escaped(network, build):
    text = build(network).to_json()
    strings = all_strings(json.loads(text))
    for name in NASTY:
        assert name not in text
        assert not any(name in s for s in strings)
        assert any(html.escape(name, quote=False) in s for s in strings)
    assert not any("<script" in s for s in strings)
    assert not any("a&b" in s for s in strings)  # a bare ampersand would start an entity


@pytest.mark.parametrize("build", [graph_figure, clique_tree_figure, similarity_heatmap])
def test_quotes_reach_plotly_as_typed_while_tags_and_ampersands_are_escaped(build):
    # plotly decodes only &amp; &lt; &gt; and numeric entities: an escaped quote (&quot;) would show as written
    names = ('a&b "quoted" it\'s <i>', "d", "e", "f", "g")
    strings = all_strings(json.loads(build(make_network(correlated_data(len(names)), names)).to_json()))
    assert any('a&amp;b "quoted" it\'s &lt;i&gt;' in s for s in strings)
    assert not any("&quot;" in s or "&#x27;" in s or "<i>" in s or "a&b" in s for s in strings)


def test_graph_html_never_contains_raw_markup_from_names(network):
    page = graph_html(network)
    for name in NASTY:
        assert name not in page
    # The names travel as JSON inside a <script>; Jinja's tojson writes <, >, & as \u003c, \u003e, \u0026.
    assert r"\u003cscript\u003ealert(1)\u003c/script\u003e" in page
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page).group(1))
    assert [n["label"] for n in nodes] == list(NAMES)  # drawn as text on a canvas: shown exactly as named


def test_graph_html_loads_nothing_from_the_network(network):
    page = graph_html(network, height="420px")
    external = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)
    assert external.search(page) is None
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    assert "vis.Network" in page  # vis-network itself is inlined
    assert "height: 420px" in page


# ---- clique tree -----------------------------------------------------------------------------------------


def test_clique_tree_has_a_node_per_clique_and_a_link_per_separator(network):
    g = network.graph
    fig = clique_tree_figure(network)
    (cliques,) = traces(fig, "cliques")
    assert len(cliques.x) == len(g.cliques)
    (links,) = traces(fig, "tree-edges")
    n_links = sum(parent >= 0 for parent in g.clique_parent)
    assert len(segments(links)) == n_links == len(g.separators)
    (seps,) = traces(fig, "separators")
    children = [k for k, parent in enumerate(g.clique_parent) if parent >= 0]
    for k, hover in zip(children, seps.hovertext, strict=True):
        assert hover == "separator {" + ", ".join(html.escape(NAMES[v], quote=False) for v in g.separator_of(k)) + "}"
    for k, parent in enumerate(g.clique_parent):  # top-down: a child sits one level below its parent
        assert cliques.y[k] == (0 if parent < 0 else cliques.y[parent] - 1)


def test_tree_positions_of_a_forest():
    pos = _tree_positions([-1, 0, 0, -1, 3])
    assert pos.tolist() == [[0.5, 0.0], [0.0, -1.0], [1.0, -1.0], [2.0, 0.0], [2.0, -1.0]]
    deep = _tree_positions([-1, *range(3000)])  # a long chain must not hit the recursion limit
    assert deep[-1].tolist() == [0.0, -3000.0]


# ---- heatmap ---------------------------------------------------------------------------------------------


def test_heatmap_is_ordered_by_vertex_order(network):
    order = list(network.graph.vertex_order)
    fig = similarity_heatmap(network)
    (heat,) = traces(fig, "similarity")
    assert list(heat.x) == list(heat.y) == [html.escape(NAMES[v], quote=False) for v in order]
    z = np.asarray(heat.z, dtype=float)
    expected = network.similarity[np.ix_(order, order)]
    off = ~np.eye(len(order), dtype=bool)
    np.testing.assert_allclose(z[off], expected[off])
    assert np.isnan(np.diag(z)).all()
    (kept,) = traces(fig, "kept-edges")
    assert len(kept.x) == 2 * network.graph.n_edges
