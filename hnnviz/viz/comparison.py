"""Two filtered networks on the same features, compared edge by edge and drawn side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._validation import check_int
from ..network._comparison import _edge_sets, _jaccard
from ._common import escaped_names, finish_layout, hide_axes, network_label, node_hover, paths, vertex_text
from .layout import planar_or_none, spring_positions

__all__ = ['comparison_figure']


if TYPE_CHECKING:
    from ..network import FilteredNetwork




_STYLE = {  # meta: (legend name, colour, width)
    "shared": ("shared", "#7f7f7f", 1.5),
    "only-a": ("only in A", "#1f77b4", 2.5),
    "only-b": ("only in B", "#ff7f0e", 2.5),
}


def comparison_figure(a: FilteredNetwork, b: FilteredNetwork, *, layout_seed: int = 0) -> go.Figure:
    """Two networks on the same features side by side, with the same vertex positions in both panels.

    Positions: the crossing-free drawing of ``a`` if it is maximal planar (a TMFG), else that of ``b``, else
    a spring layout of the union of both edge sets. Each panel draws its own edges, grey where the other
    network has the edge too, coloured where it is the only one that has it.

    Parameters
    ----------
    a, b : FilteredNetwork
        Networks on the same feature names, in the same order (left: ``a``, right: ``b``).
    layout_seed : int, default 0
        Seed of the spring layout (used when neither network is maximal planar).

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels; traces ``"shared"`` (one per panel), ``"only-a"`` (left), ``"only-b"`` (right), each with
        one segment per edge and a legend entry, and ``"nodes"`` (one per panel, a point per vertex).

    Raises
    ------
    InputValidationError
        If the two networks do not have the same feature names, or ``layout_seed`` is negative.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> rng = np.random.default_rng(0)
    >>> fig = comparison_figure(*(filter_network(rng.normal(size=(40, 5)), list("abcde")) for _ in range(2)))
    >>> [(t.meta, len(t.x) // 3) for t in fig.data if t.meta != "nodes"]
    [('shared', 8), ('only-a', 1), ('shared', 8), ('only-b', 1)]
    """
    shared, only_a, only_b = _edge_sets(a, b, owner="comparison_figure")
    pos = _shared_positions(a, b, seed=check_int(layout_seed, name="layout_seed", owner="comparison_figure", low=0))
    names = escaped_names(a)
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.03, subplot_titles=(f"A: {network_label(a)}", f"B: {network_label(b)}")
    )
    for col, network, own in ((1, a, ("only-a", only_a)), (2, b, ("only-b", only_b))):
        for meta, pairs in (("shared", shared), own):
            fig.add_trace(_edge_trace(pos, pairs, meta, first=col == 1 or meta != "shared"), row=1, col=col)
        fig.add_trace(_nodes(network, pos, names), row=1, col=col)
    title = f"{len(shared)} shared edges, {len(only_a)} only in A, {len(only_b)} only in B"
    title += f" (Jaccard {_jaccard(shared, only_a, only_b):.2f})"
    finish_layout(fig, title=title, height=560, legend=True, top=90)
    hide_axes(fig, equal=True, n_panels=2)
    return fig


def _shared_positions(a: FilteredNetwork, b: FilteredNetwork, *, seed: int) -> np.ndarray:
    """Planar positions of whichever network is maximal planar (a first), else a spring layout of the union."""
    for network in (a, b):
        pos = planar_or_none(network.graph.graph)
        if pos is not None:
            return pos
    return spring_positions(nx.compose(a.graph.graph, b.graph.graph), seed=seed)


def _edge_trace(pos: np.ndarray, pairs: list[tuple[int, int]], meta: str, *, first: bool) -> go.Scatter:
    """One class of edges; ``first``: the trace that carries the class's legend entry."""
    name, colour, width = _STYLE[meta]
    xs, ys = paths(pos, np.array(pairs, dtype=np.int64).reshape(-1, 2))
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"width": width, "color": colour},
        hoverinfo="skip",
        name=f"{name} ({len(pairs)})",
        legendgroup=meta,
        showlegend=first,
        meta=meta,
    )


def _nodes(network: FilteredNetwork, pos: np.ndarray, names: list[str]) -> go.Scatter:
    return go.Scatter(
        x=pos[:, 0],
        y=pos[:, 1],
        mode="markers+text",
        text=vertex_text(network, names, pos),
        textposition="top center",
        textfont={"size": 10},
        marker={"size": 9, "color": "#4c5c75", "line": {"width": 1, "color": "white"}},
        hovertext=node_hover(network, names, list_cliques=False),
        hoverinfo="text",
        showlegend=False,
        meta="nodes",
    )
