"""Tests of hnnviz.viz.network: what network_figure and light_network_figure draw matches the complex."""

from __future__ import annotations

import html
import itertools
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from similarities import random_similarity
from test_viz_graph import NAMES, NASTY, all_strings, correlated_data, make_network, network_from_similarity, traces

from hnnviz.exceptions import InputValidationError
from hnnviz.network import FilteredNetwork
from hnnviz.viz import comparison_figure, hnn_layers_figure, layout_positions, light_network_figure, network_figure
from hnnviz.viz._common import MAX_TEXT_LABELS


@pytest.fixture(scope="module", params=["tmfg", "mfcf", "mst"])
def network(request: pytest.FixtureRequest) -> FilteredNetwork:
    return make_network(correlated_data(len(NAMES)), NAMES, request.param, max_clique_size=3)


@pytest.fixture(scope="module")
def tmfg30() -> FilteredNetwork:
    return network_from_similarity(random_similarity(30, seed=5))


def vertex_lookup(fig) -> dict[tuple[float, float], int]:
    (nodes,) = traces(fig, "nodes")
    return {(x, y): v for v, (x, y) in enumerate(zip(nodes.x, nodes.y, strict=True))}


def polylines(trace) -> list[list[tuple[float, float]]]:
    """The pieces of a trace drawn as points separated by ``None``."""
    pieces, current = [], []
    for x, y in zip(trace.x, trace.y, strict=True):
        if x is None:
            pieces.append(current)
            current = []
        else:
            current.append((x, y))
    return pieces + ([current] if current else [])


def drawn_simplices(fig, meta: str, *, name: str | None = None) -> list[tuple[int, ...]]:
    """Vertex sets of the segments (polygons) of the traces tagged ``meta`` (and named ``name``)."""
    at = vertex_lookup(fig)
    out = []
    for trace in traces(fig, meta):
        if name is None or trace.name == name:
            for piece in polylines(trace):
                if len(piece) > 2:  # a closed polygon repeats its first point
                    assert piece[0] == piece[-1]
                    piece = piece[:-1]
                out.append(tuple(sorted(at[point] for point in piece)))
    return out


def rows(array: np.ndarray) -> list[tuple[int, ...]]:
    return [tuple(r) for r in array.tolist()]


# ---- what is drawn ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("orders", [(), (1,), (2,), (3,), (1, 2), (1, 2, 3)])
def test_one_mark_per_simplex_of_each_requested_order_and_nothing_else(network, orders):
    fig = network_figure(network, orders=orders)
    cx = network.complex
    (nodes,) = traces(fig, "nodes")
    assert len(nodes.x) == network.graph.n_nodes
    expected = {k: rows(cx.simplices[k]) if k <= cx.max_order else [] for k in (1, 2, 3)}
    assert sorted(drawn_simplices(fig, "edges")) == (expected[1] if 1 in orders else [])
    assert len(traces(fig, "edge-hover")) == (1 in orders and bool(expected[1]))
    assert sorted(drawn_simplices(fig, "triangles")) == (expected[2] if 2 in orders else [])
    assert sum(len(t.x) for t in traces(fig, "triangle-hover")) == (len(expected[2]) if 2 in orders else 0)
    tetrahedra = [len(t.x) for t in traces(fig, "tetrahedra")]
    assert sum(tetrahedra) == (len(expected[3]) if 3 in orders else 0)


def test_tetrahedron_markers_sit_at_centroids_and_name_their_features(tmfg30):
    fig = network_figure(tmfg30, orders=(3,))
    pos = layout_positions(tmfg30, kind="auto")
    (marks,) = traces(fig, "tetrahedra")
    tetrahedra = tmfg30.complex.simplices[3]
    np.testing.assert_allclose(np.c_[marks.x, marks.y], pos[tetrahedra].mean(axis=1))
    for t, text in zip(tetrahedra.tolist(), marks.hovertext, strict=True):
        assert text == "tetrahedron {" + ", ".join(tmfg30.feature_names[v] for v in t) + "}"


def test_hover_points_carry_their_simplex_for_a_click(tmfg30):
    """Clicking an edge, triangle or tetrahedron selects it: each hover point's ``customdata`` is its vertices."""
    fig = network_figure(tmfg30, orders=(1, 2, 3))
    cx = tmfg30.complex
    expected = {"edge-hover": tmfg30.graph.edges, "triangle-hover": cx.simplices[2], "tetrahedra": cx.simplices[3]}
    for meta, simplices in expected.items():
        (points,) = traces(fig, meta)
        assert [list(c) for c in points.customdata] == simplices.tolist()


def test_triangle_polygons_are_counter_clockwise(tmfg30):
    for trace in traces(network_figure(tmfg30, orders=(2,)), "triangles"):
        for piece in polylines(trace):
            (ax, ay), (bx, by), (cx, cy) = piece[:3]
            assert (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) > 0


def test_a_tmfg_is_drawn_planar_by_default_and_spring_on_request(tmfg30):
    planar = traces(network_figure(tmfg30), "nodes")[0]
    np.testing.assert_array_equal(np.c_[planar.x, planar.y], layout_positions(tmfg30, kind="planar"))
    spring = traces(network_figure(tmfg30, layout="spring", layout_seed=4), "nodes")[0]
    np.testing.assert_array_equal(np.c_[spring.x, spring.y], layout_positions(tmfg30, kind="spring", seed=4))


def test_every_vertex_is_named_up_to_max_text_labels():
    (nodes,) = traces(network_figure(network_from_similarity(random_similarity(MAX_TEXT_LABELS, seed=1))), "nodes")
    assert nodes.mode == "markers+text" and all(nodes.text)


@pytest.mark.parametrize("p", [30, 47, 300])
def test_above_it_the_strongest_apart_and_a_searched_one_are_named_and_every_name_is_on_hover(p):
    network = network_from_similarity(random_similarity(p, seed=1))
    strength = np.array([network.graph.graph.degree(v, weight="weight") for v in range(p)])
    weakest = network.feature_names[int(np.argmin(strength))]
    for figure in (network_figure, light_network_figure):
        (nodes,) = traces(figure(network, highlight=[weakest]), "nodes")
        named = [i for i, text in enumerate(nodes.text) if text]
        assert len(named) <= MAX_TEXT_LABELS + 1 and network.feature_names.index(weakest) in named
        assert int(np.argmax(strength)) in named and len(nodes.hovertext) == p
        xy = np.c_[nodes.x, nodes.y][named]
        box = np.array([0.08, 0.03]) * np.ptp(np.c_[nodes.x, nodes.y], axis=0)
        apart = [(np.abs(xy[i] - xy[j]) >= box).any() for i in range(len(named)) for j in range(i)]
        assert all(apart)  # no name on another, the searched one's included


# ---- values on a colour scale -----------------------------------------------------------------------------


def test_edge_values_colour_the_right_edges(tmfg30):
    edges = rows(tmfg30.graph.edges)
    values = {e: (1.0 if 0 in e else 0.0) for e in edges}
    fig = network_figure(tmfg30, orders=(1,), edge_values=values, value_label="frequency")
    at = vertex_lookup(fig)
    colour_of_value: dict[float, set[str]] = {0.0: set(), 1.0: set()}
    for trace in traces(fig, "edges"):
        custom = list(trace.customdata)
        for start, piece in zip(range(0, len(custom), 3), polylines(trace), strict=True):
            edge = tuple(sorted(at[point] for point in piece))
            assert custom[start] == custom[start + 1] == values[edge]
            colour_of_value[values[edge]].add(trace.line.color)
    assert all(len(colours) == 1 for colours in colour_of_value.values())
    assert colour_of_value[0.0] != colour_of_value[1.0]
    (bar,) = traces(fig, "edge-colorbar")
    assert (bar.marker.cmin, bar.marker.cmax, bar.marker.colorbar.title.text) == (0.0, 1.0, "frequency")
    (hover,) = traces(fig, "edge-hover")
    for edge, text in zip(edges, hover.hovertext, strict=True):
        assert text.endswith(f"frequency {values[edge]:.3g}")


def test_signed_values_get_a_diverging_scale_centred_at_zero(tmfg30):
    rng = np.random.default_rng(0)
    triangles = rows(tmfg30.complex.simplices[2])
    values = {t: float(v) for t, v in zip(triangles, rng.normal(size=len(triangles)) + 0.5, strict=True)}
    fig = network_figure(tmfg30, orders=(2,), triangle_values=values, value_label="score")
    (bar,) = traces(fig, "triangle-colorbar")
    assert bar.marker.colorscale is not None and bar.marker.cmin == -bar.marker.cmax
    assert bar.marker.cmax == pytest.approx(max(abs(v) for v in values.values()))
    (hover,) = traces(fig, "triangle-hover")
    for t, text in zip(triangles, hover.hovertext, strict=True):
        assert text.endswith(f"score {values[t]:.3g}")
    at = vertex_lookup(fig)
    bins: dict[str, list[float]] = {}
    for trace in traces(fig, "triangles"):
        for piece in polylines(trace):
            bins.setdefault(trace.fillcolor, []).append(values[tuple(sorted(at[q] for q in piece[:-1]))])
    width = 2 * bar.marker.cmax / 16
    assert all(max(v) - min(v) < width for v in bins.values())  # one colour per class of close values
    ordered = sorted(bins.values(), key=min)
    assert all(max(a) <= min(b) for a, b in itertools.pairwise(ordered))  # classes do not overlap


def test_values_may_be_keyed_by_feature_names_and_missing_ones_are_grey(tmfg30):
    names = tmfg30.feature_names
    (u, v), (x, y) = tmfg30.graph.edges[:2].tolist()
    fig = network_figure(tmfg30, orders=(1,), edge_values={(names[v], names[u]): 2.0, (x, y): 3.0})
    (hover,) = traces(fig, "edge-hover")
    assert hover.hovertext[0].endswith("value 2") and hover.hovertext[1].endswith("value 3")
    assert hover.hovertext[2].endswith("value —")


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({(0, 99): 1.0}, r"order-1 simplices .* Got key \(0, 99\) that is not a simplex"),
        ({"bad": 1.0}, "not a simplex"),
    ],
)
def test_values_on_unknown_simplices_raise(tmfg30, values, match):
    with pytest.raises(InputValidationError, match=match):
        network_figure(tmfg30, edge_values=values)


def test_non_finite_values_raise(tmfg30):
    edge = tuple(tmfg30.graph.edges[0].tolist())
    with pytest.raises(InputValidationError, match=r"'edge_values' parameter of network_figure .* has the value nan"):
        network_figure(tmfg30, edge_values={edge: float("nan")})


# ---- highlight and groups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("chosen", [[0], [3, 17]])
def test_highlight_emphasises_exactly_the_neighbourhood(tmfg30, chosen):
    names = [tmfg30.feature_names[v] for v in chosen]
    fig = network_figure(tmfg30, orders=(1, 2, 3), highlight=names)
    near = {k: [s for s in rows(tmfg30.complex.simplices[k]) if set(s) & set(chosen)] for k in (1, 2, 3)}
    far = {k: [s for s in rows(tmfg30.complex.simplices[k]) if not set(s) & set(chosen)] for k in (1, 2, 3)}
    for k, meta in ((1, "edges"), (2, "triangles")):
        assert sorted(drawn_simplices(fig, meta, name="near highlight")) == near[k]
        assert sorted(drawn_simplices(fig, meta, name="faded")) == far[k]
        strong = min(t.opacity for t in traces(fig, meta) if t.name == "near highlight")
        assert max(t.opacity for t in traces(fig, meta) if t.name == "faded") < strong
    (ring,) = traces(fig, "highlight")
    (nodes,) = traces(fig, "nodes")
    assert list(zip(ring.x, ring.y, strict=True)) == [(nodes.x[v], nodes.y[v]) for v in sorted(chosen)]
    neighbourhood = set(chosen) | {v for e in near[1] for v in e}
    assert [v for v, o in enumerate(nodes.marker.opacity) if o == 1.0] == sorted(neighbourhood)
    (tetrahedra,) = traces(fig, "tetrahedra")
    bright = [t for t, o in zip(rows(tmfg30.complex.simplices[3]), tetrahedra.marker.opacity, strict=True) if o > 0.5]
    assert bright == near[3]


def test_without_highlight_nothing_is_faded(tmfg30):
    fig = network_figure(tmfg30, orders=(1, 2, 3))
    assert not traces(fig, "highlight")
    assert {t.name for t in fig.data if t.meta in ("edges", "triangles")} == {""}
    assert set(traces(fig, "nodes")[0].marker.opacity) == {1.0}


def test_groups_get_a_halo_and_a_legend_entry(tmfg30):
    names = tmfg30.feature_names
    groups = [[names[1], names[2]], [names[5], names[0], names[9]]]
    fig = network_figure(tmfg30, groups=groups)
    halos = traces(fig, "group")
    assert [t.name for t in halos] == [
        f"group 1: {names[1]}, {names[2]}",
        f"group 2: {names[0]}, {names[5]}, {names[9]}",
    ]
    assert all(t.showlegend for t in halos) and fig.layout.showlegend
    (nodes,) = traces(fig, "nodes")
    assert list(halos[1].x) == [nodes.x[v] for v in (0, 5, 9)]
    assert len({t.marker.line.color for t in halos}) == 2
    assert not network_figure(tmfg30).layout.showlegend


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"highlight": ["nope"]}, r"'highlight' parameter of network_figure .* Got \['nope'\]"),
        ({"groups": [["x0", "nope"]]}, r"'groups' parameter of network_figure .* Got \['nope'\]"),
        ({"orders": (1, 4)}, "'orders' parameter of network_figure must be one of 1, 2, 3. Got 4"),
        ({"layout": "circle"}, "'kind' parameter of layout_positions"),
    ],
)
def test_bad_arguments_raise(tmfg30, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        network_figure(tmfg30, **kwargs)


# ---- escaping ---------------------------------------------------------------------------------------------


def everything(network: FilteredNetwork) -> go.Figure:
    edges = {tuple(e): float(i) for i, e in enumerate(network.graph.edges.tolist())}
    cx = network.complex
    triangles = {tuple(t): -1.0 + i for i, t in enumerate(cx.simplices[2].tolist())} if cx.max_order >= 2 else None
    return network_figure(
        network,
        orders=(1, 2, 3),
        highlight=[NAMES[0]],
        edge_values=edges,
        triangle_values=triangles,
        value_label="<i>score</i>",
        groups=[NASTY, ["a&b", "d"]],
        title="<b>mine</b> & yours",
    )


@pytest.mark.parametrize(
    "build",
    [
        everything,
        lambda net: light_network_figure(net, highlight=[NAMES[1]]),
        lambda net: comparison_figure(net, net),
        lambda net: hnn_layers_figure(net, highlight=NAMES[0]),
        lambda net: hnn_layers_figure(net, max_units=20),
    ],
    ids=["network", "light", "comparison", "hnn-highlight", "hnn-part"],
)
def test_user_strings_reach_plotly_only_escaped(network, build):
    text = build(network).to_json()
    strings = all_strings(json.loads(text))
    for name in (*NASTY, "<i>score</i>", "<b>mine</b>"):
        assert name not in text
        assert not any(name in s for s in strings)
    assert any(
        html.escape(name, quote=False) in s for s in strings for name in (*NASTY, "a&b")
    )  # names are there, escaped
    assert not any("<script" in s or "<i>" in s for s in strings)
    assert not any("a&b" in s or "& yours" in s for s in strings)  # a bare ampersand would start an entity


# ---- light view -------------------------------------------------------------------------------------------


def test_light_view_uses_webgl_and_draws_every_vertex_and_edge(network):
    fig = light_network_figure(network, highlight=["d"])
    assert {type(t) for t in fig.data} == {go.Scattergl}
    (nodes,) = traces(fig, "nodes")
    assert len(nodes.x) == network.graph.n_nodes and nodes.text[network.feature_names.index("d")] == "d"
    assert sorted(drawn_simplices(fig, "edges")) == rows(network.graph.edges)
    (edges,) = traces(fig, "edges")
    assert len(edges.x) == 3 * network.graph.n_edges  # one trace, segments separated by None
    d = NAMES.index("d")
    assert sorted(drawn_simplices(fig, "highlight-edges")) == [e for e in rows(network.graph.edges) if d in e]
    assert not traces(fig, "triangles")


def test_light_view_builds_for_a_2000_feature_tmfg():
    net = network_from_similarity(random_similarity(2000, seed=11))
    fig = light_network_figure(net, highlight=["x7"])
    (nodes,) = traces(fig, "nodes")
    assert len(nodes.x) == 2000 and np.isfinite(np.asarray(nodes.x, dtype=float)).all()
    (edges,) = traces(fig, "edges")
    assert len(edges.x) == 3 * (3 * 2000 - 6)
    assert {type(t) for t in fig.data} == {go.Scattergl}
