"""Figures of a :class:`~hnnviz.network.FilteredNetwork`: its clique tree, its similarity matrix, and the graph
as an offline pyvis page. The graph drawings themselves are in :mod:`hnnviz.viz.network`.

Every builder is a pure function of the network and returns a :class:`plotly.graph_objects.Figure` (or, for
:func:`graph_html`, a self-contained HTML page). Each trace carries a ``meta`` tag (``"cliques"``,
``"tree-edges"``, ``"separators"``, ``"similarity"``, ``"kept-edges"``) so tests and callers can find it
without relying on trace order.

Feature names come from users. Plotly renders a subset of HTML tags in text and hover labels, so every name
is escaped (:func:`~hnnviz.viz._common.plot_text`) before it reaches a figure; markup such as ``<br>`` and
``<b>`` is only ever added around names that are already escaped. The pyvis page is not plotly text: see
:func:`graph_html`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from pyvis.network import Network

from ._common import escaped_names, finish_layout, group_text, hide_axes, paths, plot_text

if TYPE_CHECKING:
    from ..network import FilteredNetwork

__all__ = ["clique_tree_figure", "graph_html", "similarity_heatmap"]

_MAX_TREE_LABELS = 20  # above this many cliques, clique members are shown on hover only

# A <script src=...> or <link href=...> that points off the page (http, https or protocol-relative).
_EXTERNAL_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>"
    r"|<link\b[^>]*?\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>",
    flags=re.IGNORECASE | re.DOTALL,
)


# --------------------------------------------------------------------------------------------------------
# The filtered graph
# --------------------------------------------------------------------------------------------------------


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
    names = escaped_names(network)
    pos = _tree_positions(g.clique_parent)
    links = np.array([(parent, k) for k, parent in enumerate(g.clique_parent) if parent >= 0], dtype=int).reshape(-1, 2)
    separators = [g.separator_of(int(k)) for k in links[:, 1]]
    xs, ys = paths(pos, links)
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
            hovertext=[f"separator {group_text(s, names)}" for s in separators],
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
    finish_layout(
        fig,
        title=f"Clique tree: {len(g.cliques)} cliques, {len(links)} links, {g.n_components} component(s)",
        height=int(min(1800, 320 + 90 * depth)),
    )
    hide_axes(fig, equal=False)
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
    names = escaped_names(network)
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
                colorbar={"title": {"text": plot_text(network.similarity_method)}, "thickness": 12},
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
        title={"text": f"Similarity ({plot_text(network.similarity_method)}); dots: edges kept by {g.method.upper()}"},
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=side,
    )
    fig.update_xaxes(type="category", tickangle=-45, showgrid=False)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, scaleanchor="x")
    return fig
