"""Drawings of a :class:`~hnnviz.network.FilteredNetwork` and its low-order simplices.

:func:`network_figure` is the one detailed drawing the pages share (edges, filled triangles, tetrahedra,
a highlighted neighbourhood, values on a colour scale, marked groups of features); :func:`graph_figure` is
its edges-only spring view; :func:`light_network_figure` is a WebGL view for graphs of thousands of nodes.

Every trace carries a ``meta`` tag so tests and callers can find it without relying on trace order:
``"nodes"``, ``"edges"``, ``"edge-hover"``, ``"triangles"``, ``"triangle-hover"``, ``"tetrahedra"``,
``"highlight"``, ``"highlight-edges"``, ``"group"``, ``"edge-colorbar"``, ``"triangle-colorbar"``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from .._validation import check_in
from ._common import (
    ValueScale,
    escaped_names,
    feature_indices,
    finish_layout,
    group_text,
    hide_axes,
    network_title,
    node_hover,
    paths,
    plot_text,
    simplex_values,
    value_scale,
    vertex_text,
)
from .layout import LayoutKind, layout_positions

if TYPE_CHECKING:
    from ..network import FilteredNetwork

__all__ = ["graph_figure", "light_network_figure", "network_figure"]

_EDGE_BINS = 5  # without values, edges are drawn in this many weight classes (wider, more opaque = stronger)
_EDGE_COLOUR = "#4c5c75"
_TRIANGLE_COLOUR = "#5b8cc4"
_TETRAHEDRON_COLOUR = "#8c564b"
_NO_VALUE_COLOUR = "#c4c9d4"
_HIGHLIGHT = "#d62728"
_FADED = 0.25  # opacity factor of everything away from the highlighted features
_EMPHASISED, _FADED_NAME = "near highlight", "faded"


def network_figure(
    network: FilteredNetwork,
    *,
    layout: LayoutKind = "auto",
    layout_seed: int = 0,
    orders: Collection[int] = (1, 2),
    highlight: Sequence[str] = (),
    edge_values: Mapping[tuple, float] | None = None,
    triangle_values: Mapping[tuple, float] | None = None,
    value_label: str = "",
    groups: Sequence[Sequence[str]] = (),
    title: str | None = None,
) -> go.Figure:
    """The filtered network with its edges, triangles and tetrahedra, for the app pages.

    Parameters
    ----------
    network : FilteredNetwork
    layout : {"auto", "planar", "spring"}, default "auto"
        Vertex positions (see :func:`~hnnviz.viz.layout.layout_positions`): ``"auto"`` draws a maximal
        planar graph (TMFG) without crossings and anything else with a spring layout.
    layout_seed : int, default 0
        Seed of the spring layout; the same seed gives the same picture.
    orders : collection of {1, 2, 3}, default (1, 2)
        Simplex orders to draw: 1 edges, 2 triangles (every 3-clique of the complex, filled and
        semi-transparent; plotly fills the union of one trace's polygons once, so a TMFG's separating triangles,
        which are unions of faces, are found by their hover point at the centroid), 3 tetrahedra (a diamond at
        the centroid of each).
    highlight : sequence of str, default ()
        Features whose neighbourhood is emphasised: they are ringed, their edges, triangles and tetrahedra
        are drawn strongly and everything else is faded.
    edge_values, triangle_values : mapping of tuple to float, optional
        A number per edge / triangle (keys: vertex indices or feature names, any order), drawn on a colour
        scale with a colour bar: diverging and centred at 0 when the values have both signs. Edges and
        triangles without a value are drawn in grey.
    value_label : str, default ""
        Title of the colour bars.
    groups : sequence of sequences of str, default ()
        Groups of features to mark (e.g. planted interactions): a coloured halo per group, with a legend entry.
    title : str, optional
        Plain-text title; by default the filter, similarity and sizes.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``"nodes"`` point per vertex (named in text up to ``MAX_TEXT_LABELS`` vertices; above, only the
        strongest ones and the highlighted ones, every name on hover); ``"edges"`` traces with one segment per edge
        (``customdata``: the edge's value, or its weight) and an ``"edge-hover"`` point per edge; ``"triangles"``
        traces with one closed polygon per triangle and a ``"triangle-hover"`` point per triangle; one
        ``"tetrahedra"`` point per tetrahedron (the hover and tetrahedron points carry their simplex's vertex
        indices as ``customdata``, what a click selects); ``"highlight"`` rings; one ``"group"`` trace per group;
        ``"edge-colorbar"`` / ``"triangle-colorbar"``. With ``highlight``, the edge and triangle traces are named
        ``"near highlight"`` or ``"faded"``.

    Raises
    ------
    InputValidationError
        For an unknown layout or order, a feature name not in the network, a value key that is not an edge
        (triangle), or a value that is not finite.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 6)), list("abcdef"))
    >>> fig = network_figure(net, orders=(1, 2, 3), highlight=["a"], groups=[["b", "c"]])
    >>> net.complex.f_vector
    (6, 12, 10, 3)
    >>> sum(len(t.x) // 5 for t in fig.data if t.meta == "triangles")
    10
    >>> [t.name for t in fig.data if t.meta == "group"]
    ['group 1: b, c']
    """
    owner = "network_figure"
    chosen = feature_indices(network, highlight, name="highlight", owner=owner)
    members = [feature_indices(network, group, name="groups", owner=owner) for group in groups]
    drawn = {check_in(k, (1, 2, 3), name="orders", owner=owner) for k in orders}
    values = {
        k: None if given is None else simplex_values(network, given, order=k, name=name, owner=owner)
        for k, given, name in ((1, edge_values, "edge_values"), (2, triangle_values, "triangle_values"))
    }
    pos = layout_positions(network, kind=layout, seed=layout_seed)
    names = escaped_names(network)
    label = plot_text(value_label)
    traces: list[go.Scatter] = []
    if 2 in drawn:
        traces += _triangle_traces(network, pos, names, chosen, values[2], label)
    if 1 in drawn:
        traces += _edge_traces(network, pos, names, chosen, values[1], label)
    if 3 in drawn:
        traces += _tetrahedron_traces(network, pos, names, chosen)
    valued = any(values[k] is not None and k in drawn for k in (1, 2))
    traces += [_node_trace(network, pos, names, chosen, degree_scale=not valued), *_ring_traces(pos, chosen)]
    traces += [_group_trace(pos, group, names, i) for i, group in enumerate(members)]
    traces += _colorbars(pos, values, drawn, label)
    fig = go.Figure(traces)
    finish_layout(
        fig, title=network_title(network) if title is None else plot_text(title), height=650, legend=bool(members)
    )
    hide_axes(fig, equal=True)
    return fig


def graph_figure(network: FilteredNetwork, *, layout_seed: int = 0, highlight: Sequence[str] = ()) -> go.Figure:
    """The filtered graph drawn with a seeded spring layout: :func:`network_figure` with edges only.

    Edge width and opacity grow with the edge weight; vertices are coloured by degree. Hovering a vertex
    shows its name, degree, strength (sum of edge weights) and the cliques it belongs to; hovering the middle
    of an edge shows its weight.

    Parameters
    ----------
    network : FilteredNetwork
    layout_seed : int, default 0
        Seed of the spring layout; the same seed gives the same picture.
    highlight : sequence of str, default ()
        Feature names to ring in red (their edges drawn strongly, the others faded).

    Returns
    -------
    plotly.graph_objects.Figure
        As :func:`network_figure` with ``orders=(1,)``.

    Raises
    ------
    InputValidationError
        If ``highlight`` names a feature that is not in the network.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 5)), list("abcde"))
    >>> fig = graph_figure(net, highlight=["a"])
    >>> [len(t.x) for t in fig.data if t.meta == "nodes"], net.graph.n_edges
    ([5], 9)
    """
    feature_indices(network, highlight, name="highlight", owner="graph_figure")
    return network_figure(network, layout="spring", layout_seed=layout_seed, orders=(1,), highlight=highlight)


def light_network_figure(
    network: FilteredNetwork, *, layout: LayoutKind = "auto", layout_seed: int = 0, highlight: Sequence[str] = ()
) -> go.Figure:
    """A WebGL view of a large network (thousands of vertices): points and lines, the hubs and highlight named.

    Parameters
    ----------
    network : FilteredNetwork
    layout : {"auto", "planar", "spring"}, default "auto"
        Vertex positions, as in :func:`network_figure`.
    layout_seed : int, default 0
        Seed of the spring layout.
    highlight : sequence of str, default ()
        Features to ring in red, their edges drawn in red on top.

    Returns
    -------
    plotly.graph_objects.Figure
        Only ``go.Scattergl`` traces: ``"edges"`` (all edges in one trace, segments separated by ``None``),
        ``"edge-hover"`` (a point per edge), ``"nodes"`` (a point per vertex; the names of the strongest
        vertices and of the highlighted ones as text, every name on hover) and, with ``highlight``,
        ``"highlight-edges"`` and ``"highlight"``.

    Raises
    ------
    InputValidationError
        For an unknown layout or a feature name not in the network.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 6)), list("abcdef"))
    >>> fig = light_network_figure(net, highlight=["a"])
    >>> sorted({type(t).__name__ for t in fig.data}), [len(t.x) for t in fig.data if t.meta == "nodes"]
    (['Scattergl'], [6])
    """
    chosen = feature_indices(network, highlight, name="highlight", owner="light_network_figure")
    pos = layout_positions(network, kind=layout, seed=layout_seed)
    names = escaped_names(network)
    edges = network.graph.edges
    degree = np.bincount(edges.ravel(), minlength=network.graph.n_nodes)
    xs, ys = paths(pos, edges)
    traces = [
        go.Scattergl(
            x=xs, y=ys, mode="lines", line={"width": 0.6, "color": _EDGE_COLOUR}, opacity=0.45, hoverinfo="skip"
        ),
        go.Scattergl(**_edge_hover(network, pos, names, None, "")),
        go.Scattergl(
            x=pos[:, 0],
            y=pos[:, 1],
            **_vertex_labels(network, pos, names, chosen),
            textfont={"size": 10},
            marker={"size": 3 + 1.5 * np.log2(1 + degree), "color": degree, "colorscale": "Viridis"},
            hovertext=node_hover(network, names, list_cliques=False),
            hoverinfo="text",
        ),
    ]
    for trace, meta in zip(traces, ("edges", "edge-hover", "nodes"), strict=True):
        trace.update(meta=meta, showlegend=False)
    if chosen:
        xs, ys = paths(pos, edges[_touches(edges, chosen)])
        traces.append(
            go.Scattergl(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 1.5, "color": _HIGHLIGHT},
                hoverinfo="skip",
                showlegend=False,
                meta="highlight-edges",
            )
        )
        traces += _ring_traces(pos, chosen, kind=go.Scattergl)
    fig = go.Figure(traces)
    finish_layout(fig, title=f"{network_title(network)} (light view: the hubs named, the rest on hover)", height=700)
    hide_axes(fig, equal=True)
    return fig


# --------------------------------------------------------------------------------------------------------
# Parts of the drawing
# --------------------------------------------------------------------------------------------------------


def _touches(rows: np.ndarray, chosen: Sequence[int]) -> np.ndarray:
    """Which rows (simplices) contain one of the chosen vertices; all of them when nothing is chosen."""
    if not len(chosen):
        return np.ones(len(rows), dtype=bool)
    return np.isin(rows, chosen).any(axis=1)


def _classes(
    rows: np.ndarray, values: dict[tuple[int, ...], float] | None
) -> tuple[np.ndarray, ValueScale | None, np.ndarray]:
    """Per row: its value (NaN if none), the colour scale of the values, and its colour class (-1: no value)."""
    if values is None:
        return np.full(len(rows), np.nan), None, np.zeros(len(rows), dtype=int)
    per_row = np.array([values.get(tuple(r), np.nan) for r in rows.tolist()], dtype=np.float64).reshape(-1)
    known = ~np.isnan(per_row)
    scale = value_scale(per_row[known])
    classes = np.full(len(rows), -1)
    classes[known] = scale.bins(per_row[known])
    return per_row, scale, classes


def _partition(
    near: np.ndarray, classes: np.ndarray, highlighting: bool, scale: ValueScale | None
) -> list[tuple[np.ndarray, int, str, float]]:
    """Row masks of each (faded/emphasised, class) group, with its trace name and opacity factor.

    Drawing order, bottom to top: faded before emphasised; within each, classes in increasing order, or in
    the scale's drawing order (:meth:`ValueScale.rank`: the most telling values on top).
    """
    groups = []
    for is_near in (False, True):
        for c in sorted(np.unique(classes[near == is_near]).tolist(), key=None if scale is None else scale.rank):
            name = (_EMPHASISED if is_near else _FADED_NAME) if highlighting else ""
            groups.append(((near == is_near) & (classes == c), c, name, 1.0 if is_near else _FADED))
    return groups


def _edge_traces(
    network: FilteredNetwork,
    pos: np.ndarray,
    names: list[str],
    chosen: list[int],
    values: dict[tuple[int, ...], float] | None,
    label: str,
) -> list[go.Scatter]:
    """Edges by colour class (values) or weight class (wider, more opaque = stronger), plus a hover trace."""
    edges = network.graph.edges
    if not len(edges):
        return []
    weights = network.similarity[edges[:, 0], edges[:, 1]]
    per_edge, scale, classes = _classes(edges, values)
    if scale is None:
        classes, per_edge = _weight_classes(weights), weights
    traces = []
    for mask, c, name, fade in _partition(_touches(edges, chosen), classes, bool(chosen), scale):
        if scale is None:
            strength = (c + 1) / _EDGE_BINS
            line, opacity = {"width": 0.5 + 4.0 * strength, "color": _EDGE_COLOUR}, 0.2 + 0.7 * strength
        else:
            line, opacity = {"width": 2.5, "color": _NO_VALUE_COLOUR if c < 0 else scale.colour(c)}, 0.9
        xs, ys = paths(pos, edges[mask])
        custom = np.column_stack([per_edge[mask], per_edge[mask], np.full(mask.sum(), np.nan)]).ravel()
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                customdata=[None if np.isnan(v) else float(v) for v in custom],
                mode="lines",
                line=line,
                opacity=opacity * fade,
                hoverinfo="skip",
                name=name,
                showlegend=False,
                meta="edges",
            )
        )
    return [*traces, go.Scatter(**_edge_hover(network, pos, names, values, label))]


def _weight_classes(weights: np.ndarray) -> np.ndarray:
    """``_EDGE_BINS`` equal-width classes of the edge weights, 0 = weakest."""
    low, span = float(weights.min()), float(weights.max() - weights.min())
    if span <= 0:
        return np.zeros(len(weights), dtype=int)
    return np.minimum(((weights - low) / span * _EDGE_BINS).astype(int), _EDGE_BINS - 1)


def _edge_hover(
    network: FilteredNetwork,
    pos: np.ndarray,
    names: list[str],
    values: dict[tuple[int, ...], float] | None,
    label: str,
) -> dict:
    """Keyword arguments of the invisible point at the middle of each edge that carries its hover text."""
    edges = network.graph.edges
    weights = network.similarity[edges[:, 0], edges[:, 1]]
    hover = [f"{names[u]} — {names[v]}<br>weight {w:.3f}" for (u, v), w in zip(edges.tolist(), weights, strict=True)]
    if values is not None:
        extra = [_value_text(values, tuple(e), label) for e in edges.tolist()]
        hover = [f"{text}<br>{more}" for text, more in zip(hover, extra, strict=True)]
    mid = (pos[edges[:, 0]] + pos[edges[:, 1]]) / 2 if len(edges) else np.zeros((0, 2))
    return {
        "x": mid[:, 0],
        "y": mid[:, 1],
        "mode": "markers",
        "marker": {"size": 8, "opacity": 0},
        "hovertext": hover,
        "hoverinfo": "text",
        "customdata": edges.tolist(),
        "showlegend": False,
        "meta": "edge-hover",
    }


def _value_text(values: dict[tuple[int, ...], float], simplex: tuple[int, ...], label: str) -> str:
    value = values.get(simplex)
    return f"{label or 'value'} {'—' if value is None else f'{value:.3g}'}"


def _triangle_traces(
    network: FilteredNetwork,
    pos: np.ndarray,
    names: list[str],
    chosen: list[int],
    values: dict[tuple[int, ...], float] | None,
    label: str,
) -> list[go.Scatter]:
    """Every triangle of the complex as a filled polygon, by colour class, plus a hover point at each centroid."""
    cx = network.complex
    triangles = cx.simplices[2] if cx.max_order >= 2 else np.zeros((0, 3), dtype=np.int64)
    if not len(triangles):
        return []
    _, scale, classes = _classes(triangles, values)
    outlines = _counter_clockwise(pos, triangles)
    traces = []
    for mask, c, name, fade in _partition(_touches(triangles, chosen), classes, bool(chosen), scale):
        colour = _TRIANGLE_COLOUR if scale is None else _NO_VALUE_COLOUR if c < 0 else scale.colour(c)
        xs, ys = paths(pos, outlines[mask], closed=True)
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"width": 0},
                opacity=(0.2 if scale is None else 0.35) * fade,
                hoverinfo="skip",
                name=name,
                showlegend=False,
                meta="triangles",
            )
        )
    hover = [
        f"triangle {group_text(t, names)}" + ("" if values is None else f"<br>{_value_text(values, tuple(t), label)}")
        for t in triangles.tolist()
    ]
    centroid = pos[triangles].mean(axis=1)
    traces.append(_hover_points(centroid, hover, "triangle-hover", triangles.tolist()))
    return traces


def _counter_clockwise(pos: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """The triangles with their vertices in counter-clockwise order in the drawing.

    Plotly fills all polygons of a trace as one SVG path (non-zero winding rule): overlapping triangles of
    opposite orientation would cancel into holes, same-orientation ones fill their union.
    """
    a, b, c = (pos[triangles[:, i]] for i in range(3))
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    return np.where((cross < 0)[:, None], triangles[:, [0, 2, 1]], triangles)


def _hover_points(xy: np.ndarray, hover: list[str], meta: str, members: list[list[int]]) -> go.Scatter:
    return go.Scatter(
        x=xy[:, 0],
        y=xy[:, 1],
        mode="markers",
        marker={"size": 8, "opacity": 0},
        hovertext=hover,
        hoverinfo="text",
        customdata=members,
        showlegend=False,
        meta=meta,
    )


def _tetrahedron_traces(
    network: FilteredNetwork, pos: np.ndarray, names: list[str], chosen: list[int]
) -> list[go.Scatter]:
    """A diamond at the centroid of each tetrahedron (faded away from the highlight)."""
    cx = network.complex
    if cx.max_order < 3 or not len(cx.simplices[3]):
        return []
    tetrahedra = cx.simplices[3]
    centroid = pos[tetrahedra].mean(axis=1)
    near = _touches(tetrahedra, chosen)
    hover = [f"tetrahedron {group_text(t, names)}" for t in tetrahedra.tolist()]
    trace = _hover_points(centroid, hover, "tetrahedra", tetrahedra.tolist())
    trace.marker = {
        "size": 7,
        "symbol": "diamond",
        "color": _TETRAHEDRON_COLOUR,
        "opacity": np.where(near, 0.85, 0.85 * _FADED),
        "line": {"width": 0.5, "color": "white"},
    }
    return [trace]


def _node_trace(
    network: FilteredNetwork, pos: np.ndarray, names: list[str], chosen: list[int], *, degree_scale: bool
) -> go.Scatter:
    """One point per vertex, sized by degree, coloured by degree (with a colour bar) unless values are shown."""
    p = network.graph.n_nodes
    edges = network.graph.edges
    degree = np.bincount(edges.ravel(), minlength=p)
    near = np.ones(p, dtype=bool)
    if chosen:  # the highlighted vertices and their neighbours stay opaque
        near = np.zeros(p, dtype=bool)
        near[chosen] = True
        near[edges[_touches(edges, chosen)].ravel()] = True
    colour = (
        {"color": degree, "colorscale": "Viridis", "showscale": True}
        if degree_scale
        else {"color": _EDGE_COLOUR, "showscale": False}
    )
    return go.Scatter(
        x=pos[:, 0],
        y=pos[:, 1],
        **_vertex_labels(network, pos, names, chosen),
        textfont={"size": 11, "shadow": "auto"},
        hovertext=node_hover(network, names),
        hoverinfo="text",
        marker={
            "size": 9 + 2.5 * np.sqrt(degree),
            **colour,
            "colorbar": {"title": {"text": "degree"}, "thickness": 12},
            "opacity": np.where(near, 1.0, 0.35),
            "line": {"width": 1, "color": "white"},
        },
        showlegend=False,
        meta="nodes",
    )


def _vertex_labels(network: FilteredNetwork, pos: np.ndarray, names: list[str], chosen: list[int]) -> dict[str, object]:
    """A vertex trace's text settings: the names of the strongest vertices and of the chosen ones."""
    return {"mode": "markers+text", "text": vertex_text(network, names, pos, chosen), "textposition": "top center"}


def _ring_traces(pos: np.ndarray, chosen: list[int], *, kind: type = go.Scatter) -> list[go.Scatter]:
    """A red ring around each highlighted vertex (none when nothing is highlighted); ``kind``: the trace class."""
    if not chosen:
        return []
    ring = kind(
        x=pos[chosen, 0],
        y=pos[chosen, 1],
        mode="markers",
        marker={"size": 26, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": _HIGHLIGHT}},
        hoverinfo="skip",
        name="highlighted",
        showlegend=False,
        meta="highlight",
    )
    return [ring]


def _group_trace(pos: np.ndarray, members: list[int], names: list[str], i: int) -> go.Scatter:
    """A coloured halo around the members of group ``i`` (a larger halo for each later group)."""
    colour = qualitative.Dark2[i % len(qualitative.Dark2)]
    return go.Scatter(
        x=pos[members, 0],
        y=pos[members, 1],
        mode="markers",
        marker={"size": 20 + 6 * i, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": colour}},
        hoverinfo="skip",
        name=f"group {i + 1}: " + ", ".join(names[v] for v in members),
        showlegend=True,
        meta="group",
    )


def _colorbars(
    pos: np.ndarray, values: dict[int, dict[tuple[int, ...], float] | None], drawn: set[int], label: str
) -> list[go.Scatter]:
    """A colour bar for each drawn order that has values (side by side when there are two)."""
    shown = [k for k in (1, 2) if k in drawn and values[k] is not None]
    traces = []
    for slot, k in enumerate(shown):
        what = "edges" if k == 1 else "triangles"
        scale = value_scale(np.array(list(values[k].values()), dtype=np.float64))
        title = f"{label} ({what})" if len(shown) > 1 else label
        traces.append(scale.colorbar_trace(pos, title=title, x=1.02 + 0.12 * slot, meta=f"{what[:-1]}-colorbar"))
    return traces
