"""The Homological Neural Network a clique complex defines, drawn layer by layer (a teaching view).

One column per simplex order (inputs, edges, triangles, tetrahedra ...), one dot per unit (simplex), and a
line from each unit to each of its faces in the column before: a unit of order ``k`` reads exactly its
``k + 1`` faces, nothing else. See SPEC §5.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from .._messages import order_name
from .._validation import check_int
from ._common import (
    MAX_TEXT_LABELS,
    ORDER_COLOURS,
    escaped_names,
    feature_indices,
    finish_layout,
    group_text,
)

if TYPE_CHECKING:
    from ..network import CliqueComplex, FilteredNetwork

__all__ = ["hnn_layers_figure"]

_HIGHLIGHT = "#d62728"


def hnn_layers_figure(network: FilteredNetwork, *, max_units: int = 400, highlight: str | None = None) -> go.Figure:
    """The HNN of the network's clique complex as a layered diagram: units by order, wired to their faces.

    Parameters
    ----------
    network : FilteredNetwork
    max_units : int, default 400
        The most units (dots) to draw. A larger complex is drawn in part: the units of the first maximal
        cliques (in the order the filter created them, so a connected piece of the clique tree) together with
        all their faces, as many cliques as fit; the title says so. If not even one clique fits, the figure
        is empty and its title says why.
    highlight : str, optional
        A feature: draw only the units that contain it and their faces (the closed star of the feature), the
        units that contain it ringed in red.

    Returns
    -------
    plotly.graph_objects.Figure
        Per order ``k``: a ``"units"`` trace (one point per drawn unit, hover: its features and the faces it
        reads) and, for ``k >= 1``, a ``"wires"`` trace with ``k + 1`` segments per drawn unit.

    Raises
    ------
    InputValidationError
        If ``max_units`` is not an int >= 1 or ``highlight`` is not a feature of the network.

    Examples
    --------
    >>> from hnnviz import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(40, 6)), list("abcdef"))
    >>> fig = hnn_layers_figure(net)
    >>> [len(t.x) for t in fig.data if t.meta == "units"], net.complex.f_vector
    ([6, 12, 10, 3], (6, 12, 10, 3))
    >>> [len(t.x) // 3 for t in fig.data if t.meta == "wires"]
    [24, 30, 12]
    >>> hnn_layers_figure(net, max_units=10).layout.title.text
    'HNN: 31 units, too many to draw: one maximal clique alone has 15 (max_units=10).'
    """
    owner = "hnn_layers_figure"
    max_units = check_int(max_units, name="max_units", owner=owner, low=1)
    center = None if highlight is None else feature_indices(network, [highlight], name="highlight", owner=owner)[0]
    cx = network.complex
    cliques = [c for c in network.graph.cliques if center is None or center in c]
    if center is None and cx.n_simplices <= max_units:
        chosen, used = [np.arange(n) for n in cx.f_vector], len(cliques)
    else:
        chosen, used = _closure(cx, cliques, max_units)
    title = _title(network, chosen, used, len(cliques), max_units, center)
    fig = go.Figure(_traces(network, chosen, center) if used else [])
    finish_layout(fig, title=title, height=620, legend=used > 0)
    fig.update_xaxes(
        range=[-0.7, len(chosen) - 0.7],  # room for the input names left of the first column
        tickvals=list(range(len(chosen))),
        ticktext=[order_name(k) for k in range(len(chosen))],
        side="top",  # column names above the columns, clear of the legend below
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(visible=False)
    return fig


def _closure(cx: CliqueComplex, cliques: list[tuple[int, ...]], max_units: int) -> tuple[list[np.ndarray], int]:
    """Row indices per order of the first cliques and all their faces, as many cliques as fit in ``max_units``.

    Returns the rows and the number of cliques taken (0 if not even the first fits).
    """
    row_of = [{tuple(s): i for i, s in enumerate(simplices.tolist())} for simplices in cx.simplices]
    chosen: list[set[int]] = [set() for _ in cx.simplices]
    total = used = 0
    for clique in cliques:
        if 2 ** len(clique) - 1 > max_units:  # the clique's own faces alone do not fit
            break
        new = {
            (size - 1, row_of[size - 1][face])
            for size in range(1, len(clique) + 1)
            for face in combinations(clique, size)
            if row_of[size - 1][face] not in chosen[size - 1]
        }
        if total + len(new) > max_units:
            break
        for k, row in new:
            chosen[k].add(row)
        total, used = total + len(new), used + 1
    return [np.array(sorted(rows), dtype=np.int64) for rows in chosen], used


def _title(
    network: FilteredNetwork,
    chosen: list[np.ndarray],
    used: int,
    n_cliques: int,
    max_units: int,
    center: int | None,
) -> str:
    cx = network.complex
    total, shown = cx.n_simplices, sum(len(rows) for rows in chosen)
    if not used:
        smallest = min((2 ** len(c) - 1 for c in network.graph.cliques), default=0)
        return f"HNN: {total} units, too many to draw: one maximal clique alone has {smallest} (max_units={max_units})."
    wiring = "each unit of order k reads its k+1 faces"
    around = "" if center is None else f" containing {escaped_names(network)[center]}"
    if shown == total:
        return f"HNN of the clique complex: {total} units, f-vector {cx.f_vector}; {wiring}"
    part = f"the first {used} of {n_cliques} cliques{around} and their faces"
    return f"HNN: showing {shown} of {total} units, {part}; {wiring}"


def _unit_heights(cx: CliqueComplex, chosen: list[np.ndarray], vertex_order: tuple[int, ...]) -> list[np.ndarray]:
    """Height in (0, 1) of each chosen unit in its column.

    Inputs in the order the filter inserted them; each later column sorted by the mean height of the faces a
    unit reads (one barycentre sweep, which keeps most wires short).
    """
    rank = {v: i for i, v in enumerate(vertex_order)}
    keys = [np.array([rank.get(int(v), len(rank) + int(v)) for v in chosen[0]], dtype=np.float64)]
    heights: list[np.ndarray] = []
    for k, rows in enumerate(chosen):
        if k:
            height_of = dict(zip(chosen[k - 1].tolist(), heights[k - 1].tolist(), strict=True))
            keys.append(np.array([np.mean([height_of[f] for f in cx.faces[k][r].tolist()]) for r in rows.tolist()]))
        place = np.empty(len(rows))
        place[np.argsort(keys[k], kind="stable")] = (np.arange(len(rows)) + 0.5) / max(len(rows), 1)
        heights.append(place)
    return heights


def _traces(network: FilteredNetwork, chosen: list[np.ndarray], center: int | None) -> list[go.Scatter]:
    """Wires (drawn first, underneath) and units of every order."""
    cx = network.complex
    names = escaped_names(network)
    heights = _unit_heights(cx, chosen, network.graph.vertex_order)
    size = float(np.clip(300 / max(len(rows) for rows in chosen), 4, 12))
    wires, units = [], []
    for k, rows in enumerate(chosen):
        simplices = cx.simplices[k][rows]
        if k:
            height_of = dict(zip(chosen[k - 1].tolist(), heights[k - 1].tolist(), strict=True))
            faces = cx.faces[k][rows]
            ys: list[float | None] = []
            for h, face_rows in zip(heights[k].tolist(), faces.tolist(), strict=True):
                for f in face_rows:
                    ys += [h, height_of[f], None]
            xs = [k, k - 1, None] * (len(ys) // 3)
            wires.append(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"width": 0.6, "color": "#9aa3b5"},
                    opacity=0.6,
                    hoverinfo="skip",
                    name=f"order {k} reads order {k - 1}",
                    showlegend=False,
                    meta="wires",
                )
            )
        units.append(_unit_trace(cx, k, simplices, heights[k], names, center, size))
    return [*wires, *units]


def _unit_trace(
    cx: CliqueComplex,
    k: int,
    simplices: np.ndarray,
    heights: np.ndarray,
    names: list[str],
    center: int | None,
    size: float,
) -> go.Scatter:
    """The units of order ``k``: hover names the unit's features and the faces it reads."""
    if k == 0:
        hover = [f"<b>input {names[s[0]]}</b>" for s in simplices.tolist()]
    else:
        hover = [
            f"<b>{order_name(k, plural=False)} {group_text(s, names)}</b>"
            f"<br>reads {', '.join(group_text(f, names) for f in combinations(s, k))}"
            for s in simplices.tolist()
        ]
    labelled = k == 0 and len(simplices) <= MAX_TEXT_LABELS
    colour = ORDER_COLOURS[k % len(ORDER_COLOURS)]
    contains = np.zeros(len(simplices), dtype=bool) if center is None else (simplices == center).any(axis=1)
    return go.Scatter(
        x=np.full(len(simplices), float(k)),
        y=heights,
        mode="markers+text" if labelled else "markers",
        text=[names[s[0]] for s in simplices.tolist()] if labelled else None,
        textposition="middle left",
        textfont={"size": 10},
        marker={
            "size": size,
            "color": colour,
            "line": {"width": np.where(contains, 2.5, 0.5), "color": np.where(contains, _HIGHLIGHT, "white").tolist()},
        },
        hovertext=hover,
        hoverinfo="text",
        name=f"{order_name(k)} ({len(simplices)})",
        meta="units",
    )
