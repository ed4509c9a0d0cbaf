"""Tests of hnnviz.viz.complex: the HNN diagram has one dot per unit and k + 1 wires per order-k unit."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from similarities import random_similarity
from test_viz_graph import correlated_data, make_network, network_from_similarity, traces

from hnnviz.exceptions import InputValidationError
from hnnviz.network import FilteredNetwork
from hnnviz.viz import hnn_layers_figure


@pytest.fixture(scope="module", params=["tmfg", "mfcf", "mst"])
def network(request: pytest.FixtureRequest) -> FilteredNetwork:
    return make_network(correlated_data(10), [f"v{i}" for i in range(10)], request.param, max_clique_size=5)


def drawn_units(fig, network) -> list[list[tuple[int, ...]]]:
    """The simplices of every order that the figure draws, read back from the hover texts."""
    index = {name: i for i, name in enumerate(network.feature_names)}
    out = []
    for trace in traces(fig, "units"):
        units = []
        for text in trace.hovertext:  # "<b>input a</b>", "<b>triangle {a, b, c}</b><br>reads ..."
            head = text.split("</b>")[0]
            members = head[head.index("{") + 1 : head.index("}")].split(", ") if "{" in head else [head[9:]]
            units.append(tuple(sorted(index[n] for n in members)))
        out.append(units)
    return out


def wires(fig) -> list[list[tuple[tuple[float, float], tuple[float, float]]]]:
    out = []
    for trace in traces(fig, "wires"):
        xs, ys = list(trace.x), list(trace.y)
        out.append([((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(0, len(xs), 3)])
    return out


def test_one_dot_per_unit_and_k_plus_1_wires_per_unit_of_order_k(network):
    cx = network.complex
    fig = hnn_layers_figure(network)
    assert [len(t.x) for t in traces(fig, "units")] == list(cx.f_vector)
    assert drawn_units(fig, network) == [[tuple(s) for s in cx.simplices[k].tolist()] for k in range(len(cx.f_vector))]
    assert [len(w) for w in wires(fig)] == [(k + 1) * n for k, n in enumerate(cx.f_vector)][1:]
    assert "HNN of the clique complex" in fig.layout.title.text


def test_each_wire_joins_a_unit_to_one_of_its_faces(network):
    fig = hnn_layers_figure(network)
    units = drawn_units(fig, network)
    at = {
        (x, y): (k, units[k][i])
        for k, trace in enumerate(traces(fig, "units"))
        for i, (x, y) in enumerate(zip(trace.x, trace.y, strict=True))
    }
    for k, segments in enumerate(wires(fig), start=1):
        read = {}
        for top, bottom in segments:
            (k_top, unit), (k_face, face) = at[top], at[bottom]
            assert (k_top, k_face) == (k, k - 1) and set(face) < set(unit) and len(face) == len(unit) - 1
            read.setdefault(unit, set()).add(face)
        assert all(len(faces) == k + 1 for faces in read.values())  # every face, each once


def test_a_big_complex_is_drawn_in_part_closed_under_faces():
    net = network_from_similarity(random_similarity(60, seed=2))
    total = net.complex.n_simplices
    fig = hnn_layers_figure(net, max_units=100)
    units = drawn_units(fig, net)
    drawn = {u for order in units for u in order}
    assert 15 <= len(drawn) <= 100 < total
    assert all(u[:j] + u[j + 1 :] in drawn for u in drawn if len(u) > 1 for j in range(len(u)))
    assert [len(w) for w in wires(fig)] == [(k + 1) * len(order) for k, order in enumerate(units)][1:]
    assert fig.layout.title.text.startswith(f"HNN: showing {len(drawn)} of {total} units, the first ")


def test_too_small_a_cap_refuses_politely():
    net = network_from_similarity(random_similarity(8, seed=2))
    fig = hnn_layers_figure(net, max_units=14)  # a tetrahedron and its faces are 15 units
    assert not fig.data
    assert fig.layout.title.text == (
        f"HNN: {net.complex.n_simplices} units, too many to draw: one maximal clique alone has 15 (max_units=14)."
    )


def test_highlight_draws_the_closed_star_with_the_feature_ringed_in_red(network):
    v = 3
    fig = hnn_layers_figure(network, highlight=network.feature_names[v])
    units = drawn_units(fig, network)
    cx = network.complex
    containing = [[tuple(s) for s in cx.simplices[k].tolist() if v in s] for k in range(len(cx.f_vector))]
    star = {s for order in containing for s in order}
    closed_star = {f for s in star for r in range(1, len(s) + 1) for f in combinations(s, r)}
    assert {u for order in units for u in order} == closed_star
    for k, trace in enumerate(traces(fig, "units")):
        red = [u for u, colour in zip(units[k], trace.marker.line.color, strict=True) if colour == "#d62728"]
        assert red == containing[k]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_units": 0}, r"'max_units' parameter of hnn_layers_figure must be an int in \[1, inf\]"),
        ({"highlight": "nope"}, r"'highlight' parameter of hnn_layers_figure .* Got \['nope'\]"),
    ],
)
def test_bad_arguments_raise(network, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        hnn_layers_figure(network, **kwargs)


def test_columns_are_labelled_by_order(network):
    fig = hnn_layers_figure(network)
    assert list(fig.layout.xaxis.ticktext)[:2] == ["inputs", "edges"]
    assert np.array_equal(fig.layout.xaxis.tickvals, range(len(network.complex.f_vector)))
