"""Helpers shared by the figure builders: escaped names, line paths, hover texts, colour scales, axes.

Feature names come from users. Plotly renders a subset of HTML tags in text and hover labels, so every name
is escaped here (:func:`plot_text`, :func:`escaped_names`) before it reaches a figure; markup such as ``<br>``
and ``<b>`` is only ever added around names that are already escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from .._messages import fmt_number
from ..exceptions import InputValidationError

if TYPE_CHECKING:
    from ..network import FilteredNetwork

__all__ = [
    "MAX_TEXT_LABELS",
    "METRIC_LABELS",
    "ValueScale",
    "escaped_names",
    "feature_indices",
    "finish_layout",
    "group_text",
    "hide_axes",
    "label_mask",
    "log_ticks",
    "network_label",
    "network_title",
    "node_hover",
    "paths",
    "plot_text",
    "simplex_values",
    "value_scale",
    "vertex_text",
    "wrap_title",
]

MAX_TEXT_LABELS = 24  # above this many vertices, only the strongest are named (and any searched); the rest on hover
_TITLE_LINE = 22  # pixels a wrapped title's every further line needs above the plot
_TAG, _ENTITY = re.compile(r"<[^>]*>"), re.compile(r"&#?\w+;")  # in a title, tags take no room, an entity one character
_MAX_LISTED = 8  # cliques listed in a vertex's hover text
_DIVERGING = "RdBu_r"
_VALUE_BINS = 16  # valued edges/triangles are drawn in this many colour classes (one colour per plotly trace)


#: How each test metric is written for people.
METRIC_LABELS = {
    "r2": "R²", "rmse": "RMSE", "mae": "MAE", "accuracy": "accuracy", "f1": "macro-F1", "macro_f1": "macro-F1",
    "log_loss": "log loss",
}  # fmt: skip

#: A colour per simplex order (inputs, edges, triangles, tetrahedra, ...), shared by every figure.
ORDER_COLOURS = ("#4c5c75", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def plot_text(text: str) -> str:
    """``text`` escaped for plotly: ``&``, ``<`` and ``>`` become entities, quotes stay as typed.

    Plotly's text renderer (titles, tick labels, hover and annotation text) knows a few tags and decodes only
    ``&amp;``, ``&lt;``, ``&gt;`` and numeric entities, so ``html.escape``'s default ``&quot;`` would be shown
    as it is written. Without ``<`` no tag can form, so quotes need no escaping here. This is for plotly text
    only: real HTML, attributes above all, keeps :func:`html.escape` with ``quote=True``.

    Examples
    --------
    >>> print(plot_text('a&b "quoted" <i>it</i>'))
    a&amp;b "quoted" &lt;i&gt;it&lt;/i&gt;
    """
    return html.escape(text, quote=False)


def escaped_names(network: FilteredNetwork) -> list[str]:
    """The feature names, escaped with :func:`plot_text`, ready for plotly text and hover labels."""
    return [plot_text(name) for name in network.feature_names]


def group_text(members: Iterable[int], names: Sequence[str]) -> str:
    """``{a, b, c}`` from vertex indices and (escaped) names.

    Examples
    --------
    >>> group_text([2, 0], ["a", "b", "c"])
    '{c, a}'
    """
    return "{" + ", ".join(names[v] for v in members) + "}"


def network_label(network: FilteredNetwork) -> str:
    """``"TMFG on pearson2"``: the filter and the similarity measure."""
    return f"{network.graph.method.upper()} on {plot_text(network.similarity_method)}"


def network_title(network: FilteredNetwork) -> str:
    """Filter, similarity and sizes of the network, for a figure title."""
    g = network.graph
    return f"{network_label(network)}: {g.n_nodes} nodes, {g.n_edges} edges, {len(g.cliques)} cliques"


def paths(pos: np.ndarray, rows: np.ndarray, *, closed: bool = False) -> tuple[list[float | None], list[float | None]]:
    """x and y lists of polylines through ``pos[row]`` for each row, separated by ``None``.

    One plotly trace draws them all: rows of 2 vertices are line segments; with ``closed=True`` each path
    returns to its first vertex (a polygon, which ``fill="toself"`` fills).

    Examples
    --------
    >>> pos = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> paths(pos, np.array([[0, 1]]))
    ([0.0, 1.0, None], [0.0, 0.0, None])
    >>> paths(pos, np.array([[0, 1, 2]]), closed=True)[1]
    [0.0, 0.0, 2.0, 0.0, None]
    """
    rows = np.asarray(rows, dtype=np.int64)
    if closed and len(rows):
        rows = np.column_stack([rows, rows[:, :1]])
    width = rows.shape[1] + 1 if rows.ndim == 2 else 1
    coords = []
    for axis in (0, 1):
        out = np.full((len(rows), width), None, dtype=object)
        if len(rows):
            out[:, :-1] = pos[rows, axis]
        coords.append(out.ravel().tolist())
    return coords[0], coords[1]


def feature_indices(network: FilteredNetwork, features: str | Iterable[str], *, name: str, owner: str) -> list[int]:
    """Sorted vertex indices of the named features; an unknown name raises :class:`InputValidationError`."""
    index = {feature: i for i, feature in enumerate(network.feature_names)}
    chosen = [features] if isinstance(features, str) else list(features)
    unknown = [str(f) for f in chosen if f not in index]
    if unknown:
        raise InputValidationError(
            f"The '{name}' parameter of {owner} must name features of the network. Got {unknown!r} instead."
        )
    return sorted({index[f] for f in chosen})


def simplex_values(
    network: FilteredNetwork, values: Mapping[tuple, float], *, order: int, name: str, owner: str
) -> dict[tuple[int, ...], float]:
    """``values`` keyed by sorted vertex-index tuples of order-``order`` simplices of the network.

    Keys may be tuples of vertex indices or of feature names, in any order. A key that is not a simplex of
    that order, or a value that is not a finite number, raises :class:`InputValidationError`.
    """
    index = {feature: i for i, feature in enumerate(network.feature_names)}
    cx = network.complex
    known = {tuple(s) for s in cx.simplices[order].tolist()} if order <= cx.max_order else set()
    out: dict[tuple[int, ...], float] = {}
    for key, value in values.items():
        simplex = tuple(sorted(index.get(v, -1) if isinstance(v, str) else int(v) for v in key))
        number = float(value)
        if simplex not in known or not np.isfinite(number):
            what = "is not a simplex of the network" if simplex not in known else f"has the value {value!r}"
            raise InputValidationError(
                f"The '{name}' parameter of {owner} must map order-{order} simplices of the network to finite "
                f"numbers. Got key {key!r} that {what} instead."
            )
        out[simplex] = number
    return out


@dataclass(frozen=True)
class ValueScale:
    """A colour scale for numbers drawn in ``_VALUE_BINS`` colour classes (plotly has one colour per trace).

    Made by :func:`value_scale`.

    Attributes
    ----------
    colorscale : str
        A plotly colour scale name.
    cmin, cmax : float
        The values at the two ends of the scale.
    """

    colorscale: str
    cmin: float
    cmax: float

    def bins(self, values: np.ndarray) -> np.ndarray:
        """The colour class of each value, ``0 .. _VALUE_BINS - 1``."""
        fraction = (np.asarray(values, dtype=np.float64) - self.cmin) / (self.cmax - self.cmin)
        return np.clip((fraction * _VALUE_BINS).astype(int), 0, _VALUE_BINS - 1)

    @property
    def diverging(self) -> bool:
        """Whether the scale is centred at 0 (values of both signs)."""
        return self.colorscale == _DIVERGING

    def rank(self, bin_: int) -> float:
        """Drawing order of a colour class, bottom first: no value (-1), then away from 0 (diverging) or upwards.

        Examples
        --------
        >>> sorted([-1, 0, 7, 15], key=value_scale(np.array([-1.0, 1.0])).rank)
        [-1, 7, 0, 15]
        """
        if bin_ < 0:
            return -1.0
        return abs(bin_ + 0.5 - _VALUE_BINS / 2) if self.diverging else float(bin_)

    def colour(self, bin_: int) -> str:
        """The colour of one class: the scale sampled at the middle of the class."""
        return sample_colorscale(self.colorscale, [(bin_ + 0.5) / _VALUE_BINS])[0]

    def colorbar_trace(self, pos: np.ndarray, *, title: str, x: float, meta: str) -> go.Scatter:
        """An invisible one-point trace that only shows the colour bar (``title`` must be escaped already)."""
        return go.Scatter(
            x=pos[:1, 0],
            y=pos[:1, 1],
            mode="markers",
            marker={
                "size": 0,
                "opacity": 0,
                "color": [self.cmin],
                "cmin": self.cmin,
                "cmax": self.cmax,
                "colorscale": self.colorscale,
                "showscale": True,
                "colorbar": {"title": {"text": title, "side": "right"}, "thickness": 12, "x": x},
            },
            hoverinfo="skip",
            showlegend=False,
            meta=meta,
        )


def value_scale(values: np.ndarray) -> ValueScale:
    """Diverging and centred at 0 when ``values`` have both signs, else sequential from min to max.

    Examples
    --------
    >>> scale = value_scale(np.array([-1.0, 0.5]))
    >>> scale.colorscale, scale.cmin, scale.cmax
    ('RdBu_r', -1.0, 1.0)
    >>> scale.bins(np.array([-1.0, 0.0, 1.0])).tolist()
    [0, 8, 15]
    >>> value_scale(np.array([0.2, 0.2]))
    ValueScale(colorscale='Viridis', cmin=-0.3, cmax=0.7)
    """
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    if low < 0 < high:
        bound = max(-low, high)
        return ValueScale(_DIVERGING, -bound, bound)
    if high > low:
        return ValueScale("Viridis", low, high)
    return ValueScale("Viridis", low - 0.5, high + 0.5)


def node_hover(network: FilteredNetwork, names: Sequence[str], *, list_cliques: bool = True) -> list[str]:
    """Name, degree, strength (sum of edge weights) and, if ``list_cliques``, the cliques of every vertex."""
    graph = network.graph
    member_of: list[list[int]] = [[] for _ in range(graph.n_nodes)]
    for k, clique in enumerate(graph.cliques):
        for v in clique:
            member_of[v].append(k)
    hover = []
    for v in range(graph.n_nodes):
        degree = graph.graph.degree(v)
        strength = graph.graph.degree(v, weight="weight")
        lines = [f"<b>{names[v]}</b>", f"degree {degree}, strength {strength:.3f}", f"in {len(member_of[v])} cliques"]
        if list_cliques:
            lines[-1] += ":"
            lines += [group_text(graph.cliques[k], names) for k in member_of[v][:_MAX_LISTED]]
            if len(member_of[v]) > _MAX_LISTED:
                lines.append(f"… and {len(member_of[v]) - _MAX_LISTED} more")
        hover.append("<br>".join(lines))
    return hover


def label_mask(
    network: FilteredNetwork, chosen: Sequence[int] = (), limit: int = MAX_TEXT_LABELS, pos: np.ndarray | None = None
) -> np.ndarray:
    """Which vertices carry their name: all up to ``limit`` vertices; above, the ``limit`` strongest and ``chosen``.

    Strength is the sum of a vertex's edge weights, so the hubs of the network are named and the rest are
    shown on hover; a searched or highlighted feature (``chosen``) is always named. With ``pos`` (the drawn
    positions) above ``limit`` vertices, a hub whose name would sit on that of a stronger or chosen one is
    left unnamed too.

    Examples
    --------
    >>> from hnnviz.network import filter_network
    >>> net = filter_network(np.random.default_rng(0).normal(size=(60, 8)), list("abcdefgh"))
    >>> int(label_mask(net).sum()), int(label_mask(net, limit=3).sum()), bool(label_mask(net, [5], limit=0)[5])
    (8, 3, True)
    """
    graph = network.graph
    mask = np.ones(graph.n_nodes, dtype=bool)
    if graph.n_nodes > limit:
        strength = np.array([graph.graph.degree(v, weight="weight") for v in range(graph.n_nodes)])
        mask[:] = False
        order = np.argsort(-strength, kind="stable")
        named = order[:limit] if pos is None else _apart(pos, order, list(chosen))[:limit]
        mask[named] = True
    mask[list(chosen)] = True
    return mask


def _apart(pos: np.ndarray, order: np.ndarray, chosen: list[int]) -> list[int]:
    """Vertices in ``order`` whose names (about 8% of the width by 3% of the height) would not overlap those of
    earlier ones or of the ``chosen`` vertices (named anyway, not returned)."""
    span = np.ptp(pos, axis=0)
    box = np.array([0.08, 0.03]) * np.where(span > 0, span, 1.0)
    taken, kept = list(chosen), []
    for v in order.tolist():
        if v not in chosen and (not taken or (np.abs(pos[taken] - pos[v]) >= box).any(axis=1).all()):
            taken.append(v)
            kept.append(v)
    return kept


def vertex_text(
    network: FilteredNetwork, names: Sequence[str], pos: np.ndarray, chosen: Sequence[int] = ()
) -> list[str]:
    """The text drawn next to each vertex at ``pos``: its (escaped) name where :func:`label_mask` names it."""
    shown = label_mask(network, chosen, pos=pos)
    return [name if show else "" for name, show in zip(names, shown, strict=True)]


def log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick values and texts of a log axis from ``low`` to ``high`` (both > 0), in plain numbers.

    Over at most three decades the ticks are 1, 2 and 5 times the powers of ten, else the powers of ten
    only (every second or third one over many decades); the texts are :func:`~hnnviz._messages.fmt_number`'s.

    Examples
    --------
    >>> log_ticks(0.3, 1.2)
    ([0.5, 1.0], ['0.5', '1'])
    >>> log_ticks(1e-4, 8.0)[1]
    ['0.0001', '0.001', '0.01', '0.1', '1']
    """
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    span = last - first
    steps = (1, 2, 5) if span <= 3 else (1,)
    every = max(1, int(np.ceil(span / 8)))
    values = [m * 10.0**e for e in range(first, last + 1, every) for m in steps]
    inside = [v for v in values if low * 0.999 <= v <= high * 1.001]
    return inside, [fmt_number(v) for v in inside]


def wrap_title(text: str, width: int) -> list[str]:
    """``text`` (escaped plotly text) cut into lines of at most about ``width`` characters, between words.

    Markup takes no room (tags) or one character (entities); a word longer than ``width`` keeps a line of its own.

    Examples
    --------
    >>> wrap_title("HNN: R² 0.353, RMSE 57.6 (89 rows)", 20)
    ['HNN: R² 0.353, RMSE', '57.6 (89 rows)']
    >>> wrap_title("a&amp;b <b>c</b>", 5)
    ['a&amp;b <b>c</b>']
    """
    lines: list[list[str]] = [[]]
    used = 0
    for word in text.split(" "):
        size = len(_TAG.sub("", _ENTITY.sub("x", word)))
        if lines[-1] and used + 1 + size > width:
            lines.append([])
            used = 0
        used += size + (1 if len(lines[-1]) else 0)
        lines[-1].append(word)
    return [" ".join(words) for words in lines]


def hide_axes(fig: go.Figure, *, equal: bool, n_panels: int = 1) -> None:
    """Hide the axes of every panel; with ``equal``, one unit is as long on x as on y in each panel."""
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    if equal:
        for panel in range(1, n_panels + 1):
            suffix = "" if panel == 1 else str(panel)
            fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", scaleratio=1)


def finish_layout(
    fig: go.Figure, *, title: str, height: int, legend: bool = False, top: int = 50, wrap: int | None = None
) -> go.Figure:
    """The common look: white background, closest-point hover, small margins (``top`` pixels above), the title.

    ``title`` must be escaped already. With ``wrap``, the title is cut into lines of about that many characters
    (:func:`wrap_title`; for a figure drawn in a narrow column) and the top margin grows by a line for each.
    """
    lines = wrap_title(title, wrap) if wrap else [title]
    top += _TITLE_LINE * (len(lines) - 1)
    fig.update_layout(
        title={"text": "<br>".join(lines)},
        hovermode="closest",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        height=height,
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0},
    )
    return fig
