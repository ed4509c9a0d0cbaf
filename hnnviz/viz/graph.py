"""Figures of a :class:`~hnnviz.pipeline.FilteredNetwork`: the graph, its clique tree and the similarity matrix.

Every builder is a pure function of the network and returns a :class:`plotly.graph_objects.Figure` (or, for
:func:`graph_html`, a self-contained HTML page). Each trace carries a ``meta`` tag (``"nodes"``, ``"edges"``,
``"edge-hover"``, ``"highlight"``, ``"cliques"``, ``"tree-edges"``, ``"separators"``, ``"similarity"``,
``"kept-edges"``) so tests and callers can find it without relying on trace order.

Feature names come from users. Plotly renders a subset of HTML tags in text and hover labels, so every name
is passed through :func:`html.escape` before it reaches a figure; markup such as ``<br>`` and ``<b>`` is
only ever added around names that are already escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import networkx as nx
import numpy as np
import plotly.graph_objects as go
from pyvis.network import Network

from ..exceptions import InputValidationError
from ..pipeline import FilteredNetwork

__all__ = ["clique_tree_figure", "graph_figure", "graph_html", "layout_positions", "similarity_heatmap"]

_EDGE_BINS = 5  # edges are drawn in this many weight classes (plotly has one line width per trace)
_MAX_TEXT_LABELS = 40  # above this many vertices, names are shown on hover only
_MAX_TREE_LABELS = 20  # above this many cliques, clique members are shown on hover only
_MAX_LISTED = 8  # cliques listed in a vertex's hover text
_HIGHLIGHT = "#d62728"

# A <script src=...> or <link href=...> that points off the page (http, https or protocol-relative).
_EXTERNAL_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>"
    r"|<link\b[^>]*?\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>",
    flags=re.IGNORECASE | re.DOTALL,
)


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _names(network: FilteredNetwork) -> list[str]:
    """The feature names, HTML-escaped, ready for plotly text and hover labels."""
    return [html.escape(name) for name in network.feature_names]


def _group(members: Sequence[int], names: Sequence[str]) -> str:
    """``{a, b, c}`` from vertex indices and (escaped) names."""
    return "{" + ", ".join(names[v] for v in members) + "}"


def _segments(pos: np.ndarray, pairs: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """x and y lists of line segments separated by ``None`` (one plotly trace draws them all)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for u, v in pairs.tolist():
        xs += [float(pos[u, 0]), float(pos[v, 0]), None]
        ys += [float(pos[u, 1]), float(pos[v, 1]), None]
    return xs, ys


def _hidden_axes(fig: go.Figure, *, equal: bool) -> None:
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis, **({"scaleanchor": "x", "scaleratio": 1} if equal else {}))


def _check_highlight(network: FilteredNetwork, highlight: Sequence[str]) -> list[int]:
    index = {name: i for i, name in enumerate(network.feature_names)}
    if isinstance(highlight, str):
        highlight = [highlight]
    unknown = [str(h) for h in highlight if h not in index]
    if unknown:
        raise InputValidationError(
            f"The 'highlight' parameter of graph_figure must name features of the network. Got {unknown!r} instead."
        )
    return sorted({index[h] for h in highlight})


# --------------------------------------------------------------------------------------------------------
# The filtered graph
# --------------------------------------------------------------------------------------------------------


def layout_positions(network: FilteredNetwork, *, seed: int = 0) -> np.ndarray:
    """Spring-layout coordinates of the vertices; edge weights act as attraction.

    Parameters
    ----------
    network : FilteredNetwork
    seed : int, default 0
        Seed of the layout's random initial positions; the same seed gives the same layout.

    Returns
    -------
    ndarray of shape (p, 2)
        Row ``v`` holds the position of vertex ``v``.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 5)), list("abcde"))
    >>> pos = layout_positions(net, seed=1)
    >>> pos.shape, bool(np.array_equal(pos, layout_positions(net, seed=1)))
    ((5, 2), True)
    """
    graph = network.graph.graph
    pos = nx.spring_layout(graph, weight="weight", seed=seed)
    return np.array([pos[v] for v in range(network.graph.n_nodes)], dtype=np.float64).reshape(-1, 2)


def _edge_traces(network: FilteredNetwork, pos: np.ndarray, names: list[str]) -> list[go.Scatter]:
    """Edges in ``_EDGE_BINS`` weight classes (wider, more opaque = stronger) plus one hover trace."""
    edges = network.graph.edges
    if len(edges) == 0:
        return []
    weights = network.similarity[edges[:, 0], edges[:, 1]]
    low, high = float(weights.min()), float(weights.max())
    span = high - low
    bins = (
        np.zeros(len(edges), dtype=int)
        if span <= 0
        else np.minimum(((weights - low) / span * _EDGE_BINS).astype(int), _EDGE_BINS - 1)
    )
    traces = []
    for b in np.unique(bins).tolist():
        strength = (b + 1) / _EDGE_BINS
        xs, ys = _segments(pos, edges[bins == b])
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 0.5 + 4.0 * strength, "color": "#4c5c75"},
                opacity=0.2 + 0.7 * strength,
                hoverinfo="skip",
                showlegend=False,
                meta="edges",
            )
        )
    mid = (pos[edges[:, 0]] + pos[edges[:, 1]]) / 2
    hover = [f"{names[u]} — {names[v]}<br>weight {w:.3f}" for (u, v), w in zip(edges.tolist(), weights, strict=True)]
    traces.append(
        go.Scatter(
            x=mid[:, 0],
            y=mid[:, 1],
            mode="markers",
            marker={"size": 8, "opacity": 0},
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            meta="edge-hover",
        )
    )
    return traces


def _node_hover(network: FilteredNetwork, names: list[str]) -> list[str]:
    """Name, degree, strength and cliques of every vertex."""
    graph = network.graph
    member_of: list[list[int]] = [[] for _ in range(graph.n_nodes)]
    for k, clique in enumerate(graph.cliques):
        for v in clique:
            member_of[v].append(k)
    hover = []
    for v in range(graph.n_nodes):
        degree = graph.graph.degree(v)
        strength = graph.graph.degree(v, weight="weight")
        cliques = [_group(graph.cliques[k], names) for k in member_of[v][:_MAX_LISTED]]
        if len(member_of[v]) > _MAX_LISTED:
            cliques.append(f"… and {len(member_of[v]) - _MAX_LISTED} more")
        lines = [f"<b>{names[v]}</b>", f"degree {degree}, strength {strength:.3f}", f"in {len(member_of[v])} cliques:"]
        hover.append("<br>".join(lines + cliques))
    return hover


def graph_figure(network: FilteredNetwork, *, layout_seed: int = 0, highlight: Sequence[str] = ()) -> go.Figure:
    """The filtered graph drawn with a seeded spring layout.

    Edge width and opacity grow with the edge weight; vertices are coloured by degree. Hovering a vertex
    shows its name, degree, strength (sum of edge weights) and the cliques it belongs to; hovering the middle
    of an edge shows its weight.

    Parameters
    ----------
    network : FilteredNetwork
    layout_seed : int, default 0
        Seed of the spring layout (see :func:`layout_positions`); the same seed gives the same picture.
    highlight : sequence of str, default ()
        Feature names to ring in red.

    Returns
    -------
    plotly.graph_objects.Figure
        Edge traces (``meta="edges"``, one segment per edge), an edge hover trace, one vertex trace
        (``meta="nodes"``, one point per vertex) and, if anything is highlighted, ``meta="highlight"``.

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
    chosen = _check_highlight(network, highlight)
    names = _names(network)
    pos = layout_positions(network, seed=layout_seed)
    p = network.graph.n_nodes
    degree = [network.graph.graph.degree(v) for v in range(p)]
    show_text = p <= _MAX_TEXT_LABELS
    nodes = go.Scatter(
        x=pos[:, 0],
        y=pos[:, 1],
        mode="markers+text" if show_text else "markers",
        text=names if show_text else None,
        textposition="top center",
        textfont={"size": 11},
        hovertext=_node_hover(network, names),
        hoverinfo="text",
        marker={
            "size": [9 + 2.5 * np.sqrt(d) for d in degree],
            "color": degree,
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {"title": {"text": "degree"}, "thickness": 12},
            "line": {"width": 1, "color": "white"},
        },
        showlegend=False,
        meta="nodes",
    )
    traces = [*_edge_traces(network, pos, names), nodes]
    if chosen:
        traces.append(
            go.Scatter(
                x=pos[chosen, 0],
                y=pos[chosen, 1],
                mode="markers",
                marker={"size": 26, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": _HIGHLIGHT}},
                hoverinfo="skip",
                name="highlighted",
                showlegend=False,
                meta="highlight",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        title={"text": _title(network)},
        hovermode="closest",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=600,
    )
    _hidden_axes(fig, equal=True)
    return fig


def _title(network: FilteredNetwork) -> str:
    g = network.graph
    return (
        f"{g.method.upper()} on {network.similarity_method}: {g.n_nodes} nodes, {g.n_edges} edges, "
        f"{len(g.cliques)} cliques"
    )


def graph_html(network: FilteredNetwork, *, height: str = "600px") -> str:
    """The filtered graph as a self-contained interactive pyvis (vis-network) page that works offline.

    vis-network is inlined; the bootstrap ``<script>``/``<link>`` tags pyvis hard-codes to a CDN are removed.

    Feature names are *not* HTML-escaped here, on purpose: vis-network draws labels on a canvas and sets
    tooltips with ``innerText``, so neither is parsed as HTML and ``html.escape`` would show ``&lt;`` to the
    user. The names reach the page only inside the node/edge JSON, which pyvis writes with Jinja's
    ``tojson`` (``<``, ``>``, ``&`` and ``'`` become ``\\u003c`` ...), so a name cannot close the
    ``<script>`` it sits in. Do not switch on pyvis' ``tooltip_link``/``select_menu`` options, which use
    ``innerHTML``.

    Parameters
    ----------
    network : FilteredNetwork
    height : str, default "600px"
        CSS height of the drawing area.

    Returns
    -------
    str
        A complete HTML document.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 5)), ["a", "b", "c", "d", "<e>"])
    >>> page = graph_html(net)
    >>> "cdn.jsdelivr" in page, "<e>" in page, r'"label": "\\u003ce\\u003e"' in page
    (False, False, True)
    """
    names = network.feature_names  # plain text: see the note above
    graph = network.graph.graph
    vis = Network(height=height, width="100%", cdn_resources="in_line")
    for v in range(network.graph.n_nodes):
        degree = graph.degree(v)
        vis.add_node(v, label=names[v], title=f"{names[v]} (degree {degree})", value=1 + degree)
    for u, v, w in graph.edges(data="weight"):
        vis.add_edge(int(u), int(v), value=float(w), title=f"{names[u]} — {names[v]}: {w:.3f}")
    return _EXTERNAL_TAG.sub("", vis.generate_html(notebook=False))


# --------------------------------------------------------------------------------------------------------
# The clique tree
# --------------------------------------------------------------------------------------------------------


def _tree_positions(parents: Sequence[int]) -> np.ndarray:
    """Top-down tidy layout of a forest given parent indices (parents before children).

    Leaves take consecutive x positions, a parent sits above the mean of its children, y is minus the depth.

    Examples
    --------
    >>> _tree_positions([-1, 0, 0, 1]).tolist()
    [[0.5, 0.0], [0.0, -1.0], [1.0, -1.0], [0.0, -2.0]]
    """
    n = len(parents)
    children: list[list[int]] = [[] for _ in range(n)]
    depth = np.zeros(n)
    for k, parent in enumerate(parents):
        if parent >= 0:
            children[parent].append(k)
            depth[k] = depth[parent] + 1
    x = np.zeros(n)
    next_leaf = 0.0
    for root in (k for k, parent in enumerate(parents) if parent < 0):
        stack = [(root, False)]
        while stack:  # iterative post-order: a chain of thousands of cliques must not hit the recursion limit
            k, done = stack.pop()
            if done or not children[k]:
                if children[k]:
                    x[k] = np.mean([x[c] for c in children[k]])
                else:
                    x[k], next_leaf = next_leaf, next_leaf + 1
                continue
            stack.append((k, True))
            stack.extend((c, False) for c in reversed(children[k]))
    return np.column_stack([x, 0.0 - depth])  # 0.0 - d: no negative zero at the roots


def clique_tree_figure(network: FilteredNetwork) -> go.Figure:
    """The clique tree (a forest for MFCF): cliques as nodes, parent -> child edges labelled by separators.

    Parameters
    ----------
    network : FilteredNetwork

    Returns
    -------
    plotly.graph_objects.Figure
        ``meta="tree-edges"`` (one segment per parent link), ``meta="separators"`` (one point per link,
        at its middle) and ``meta="cliques"`` (one point per clique, coloured by size).

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 5)), list("abcde"))
    >>> fig = clique_tree_figure(net)
    >>> [len(t.x) for t in fig.data if t.meta == "cliques"], len(net.graph.cliques)
    ([2], 2)
    """
    g = network.graph
    names = _names(network)
    pos = _tree_positions(g.clique_parent)
    links = np.array([(parent, k) for k, parent in enumerate(g.clique_parent) if parent >= 0], dtype=int).reshape(-1, 2)
    separators = [g.separator_of(int(k)) for k in links[:, 1]]
    xs, ys = _segments(pos, links)
    mid = (pos[links[:, 0]] + pos[links[:, 1]]) / 2 if len(links) else np.zeros((0, 2))
    labelled = len(g.cliques) <= _MAX_TREE_LABELS
    sizes = [len(c) for c in g.cliques]
    traces = [
        go.Scatter(
            x=xs, y=ys, mode="lines", line={"width": 1.5, "color": "#8894a8"}, hoverinfo="skip", meta="tree-edges"
        ),
        go.Scatter(
            x=mid[:, 0],
            y=mid[:, 1],
            mode="markers+text" if labelled else "markers",
            text=[", ".join(names[v] for v in s) for s in separators] if labelled else None,
            textposition="middle left",
            textfont={"size": 9, "color": "#5a6478"},
            marker={"size": 6, "color": "#8894a8", "symbol": "diamond"},
            hovertext=[f"separator {_group(s, names)}" for s in separators],
            hoverinfo="text",
            meta="separators",
        ),
        go.Scatter(
            x=pos[:, 0],
            y=pos[:, 1],
            mode="markers+text" if labelled else "markers",
            text=["<br>".join(names[v] for v in c) for c in g.cliques] if labelled else None,
            textposition="middle right",
            textfont={"size": 10},
            marker={
                "size": 14,
                "color": sizes,
                "colorscale": "Tealgrn",
                "cmin": 1,
                "line": {"width": 1, "color": "#333"},
            },
            hovertext=[
                f"<b>clique {k}</b> ({len(c)} features)<br>" + "<br>".join(names[v] for v in c)
                for k, c in enumerate(g.cliques)
            ],
            hoverinfo="text",
            meta="cliques",
        ),
    ]
    fig = go.Figure(traces)
    depth = int(-pos[:, 1].min()) if len(pos) else 0
    fig.update_layout(
        title={"text": f"Clique tree: {len(g.cliques)} cliques, {len(links)} links, {g.n_components} component(s)"},
        showlegend=False,
        hovermode="closest",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=int(min(1800, 320 + 90 * depth)),
    )
    _hidden_axes(fig, equal=False)
    return fig


# --------------------------------------------------------------------------------------------------------
# The similarity matrix
# --------------------------------------------------------------------------------------------------------


def similarity_heatmap(network: FilteredNetwork) -> go.Figure:
    """The similarity matrix as a heatmap, rows and columns in the order vertices joined the graph.

    The diagonal (ignored by every filter) is left blank; dots mark the pairs kept as edges.

    Parameters
    ----------
    network : FilteredNetwork

    Returns
    -------
    plotly.graph_objects.Figure
        ``meta="similarity"`` (the ``(p, p)`` heatmap) and ``meta="kept-edges"`` (two dots per edge).

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 5)), list("abcde"))
    >>> fig = similarity_heatmap(net)
    >>> fig.data[0].z.shape, list(fig.data[0].x) == [list("abcde")[v] for v in net.graph.vertex_order]
    ((5, 5), True)
    """
    g = network.graph
    order = list(g.vertex_order) + [v for v in range(g.n_nodes) if v not in set(g.vertex_order)]
    names = _names(network)
    labels = [names[v] for v in order]
    z = network.similarity[np.ix_(order, order)].astype(np.float64)
    np.fill_diagonal(z, np.nan)
    rank = {v: i for i, v in enumerate(order)}
    edges = g.edges.tolist()
    kept_x = [labels[rank[b]] for a, b in edges] + [labels[rank[a]] for a, b in edges]
    kept_y = [labels[rank[a]] for a, b in edges] + [labels[rank[b]] for a, b in edges]
    fig = go.Figure(
        [
            go.Heatmap(
                z=z,
                x=labels,
                y=labels,
                colorscale="Blues",
                colorbar={"title": {"text": network.similarity_method}, "thickness": 12},
                hovertemplate="%{y} — %{x}<br>similarity %{z:.3f}<extra></extra>",
                meta="similarity",
            ),
            go.Scatter(
                x=kept_x,
                y=kept_y,
                mode="markers",
                marker={"size": 4, "color": "#d95f02"},
                hoverinfo="skip",
                showlegend=False,
                meta="kept-edges",
            ),
        ]
    )
    side = int(min(900, max(420, 160 + 16 * g.n_nodes)))
    fig.update_layout(
        title={"text": f"Similarity ({network.similarity_method}); dots: edges kept by {g.method.upper()}"},
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=side,
    )
    fig.update_xaxes(type="category", tickangle=-45, showgrid=False)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, scaleanchor="x")
    return fig
