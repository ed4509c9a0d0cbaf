"""Maps of a surface over a simplex's features, sliced along the third and fourth, with rows drawn on top.

Shared by the simplex inspector (:mod:`~hnnviz.viz.inspect`) and the pure effects (:mod:`~hnnviz.viz.pure`).
An edge is one map over its two features. A triangle is three maps of its first two features, at a low, middle
and high value of the third; a tetrahedron a 3 x 3 grid of maps over the values of its last two (any further
feature is held at the middle of its grid). Each row drawn on top goes to the map whose sliced values are
nearest its own. All maps share one colour scale.

Traces carry the ``meta`` tags ``"surface"`` (the heatmaps) and ``"rows"`` (the rows on top).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._messages import fmt_number
from ._charts import style_axes
from ._common import finish_layout, value_scale

__all__ = ["sliced_maps"]

#: Where the sliced features are cut: these shares of the way along their grid (low, middle, high).
_SLICES = (0.25, 0.5, 0.75)
_ROWS_MARKER = {"size": 5, "color": "rgba(20, 20, 20, 0.45)", "line": {"width": 0.5, "color": "white"}}


def sliced_maps(
    axes: Sequence[np.ndarray],
    surface: np.ndarray,
    names: Sequence[str],
    *,
    label: str,
    title: str,
    rows: np.ndarray | None = None,
) -> go.Figure:
    """Heatmaps of ``surface`` over its first two axes, one per slice of the others, ``rows`` on top.

    Parameters
    ----------
    axes : sequence of ndarray
        The grid of each feature (2 or more).
    surface : ndarray of shape ``tuple(len(a) for a in axes)``
    names : sequence of str
        The features' names, escaped already.
    label : str
        What the colour shows (escaped already), for the colour bar and the hover text.
    title : str
        The figure's title, escaped already.
    rows : ndarray of shape (n_rows, len(axes)), optional
        Rows to draw on top, in the features' order; none by default.

    Returns
    -------
    plotly.graph_objects.Figure
        ``"surface"`` heatmaps (and ``"rows"`` scatters when ``rows`` are given), one per map, all on
        ``coloraxis``; the sliced values are the panel titles.

    Examples
    --------
    >>> axes = (np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0, 2.0]))
    >>> fig = sliced_maps(axes, np.zeros((2, 2, 3)), ["a", "b", "c"], label="v", title="t")
    >>> [t.meta for t in fig.data], [a.text for a in fig.layout.annotations]
    (['surface', 'surface', 'surface'], ['c = 0', 'c = 1', 'c = 2'])
    """
    sliced = list(range(2, min(len(names), 4)))  # the features cut into slices: the 3rd, then the 4th
    cuts = {j: [round(q * (len(axes[j]) - 1)) for q in _SLICES] for j in sliced}
    panels = list(itertools.product(*(range(len(_SLICES)) for _ in sliced)))  # slice choice per sliced feature
    n_cols = len(_SLICES) if sliced else 1
    n_rows = len(panels) // n_cols
    fig = make_subplots(
        rows=n_rows, cols=n_cols, subplot_titles=[_panel_title(axes, names, cuts, p) for p in panels] if sliced
        else None, horizontal_spacing=0.06, vertical_spacing=0.12 if n_rows > 1 else 0.1,
    )  # fmt: skip
    nearest = {} if rows is None else {j: _nearest(rows[:, j], axes[j][cuts[j]]) for j in sliced}
    for i, panel in enumerate(panels):
        row, col = i // n_cols + 1, i % n_cols + 1
        z = surface[_panel_index(axes, cuts, panel)].T  # (len(axes[1]), len(axes[0])): y along the second feature
        fig.add_trace(_heatmap(axes, names, z, label), row=row, col=col)
        if rows is not None:
            shown = np.ones(len(rows), dtype=bool)
            for j, choice in zip(sliced, panel, strict=True):
                shown &= nearest[j] == choice
            fig.add_trace(_rows(rows[shown]), row=row, col=col)
    scale = value_scale(surface.ravel())
    fig.update_layout(
        coloraxis={
            "colorscale": scale.colorscale,
            "cmin": scale.cmin,
            "cmax": scale.cmax,
            "colorbar": {"title": {"text": label, "side": "right"}, "thickness": 12},
        }
    )
    finish_layout(fig, title=title, height={1: 480, 2: 400}.get(len(axes) - 1, 820), top=90)
    style_axes(fig, x_title=None, y_title=None, showgrid=False)
    for col in range(1, n_cols + 1):
        fig.update_xaxes(title={"text": names[0]}, row=n_rows, col=col)
    for row in range(1, n_rows + 1):
        fig.update_yaxes(title={"text": names[1]}, row=row, col=1)
    fig.update_xaxes(range=_span(axes[0]))
    fig.update_yaxes(range=_span(axes[1]))
    return fig


def _heatmap(axes: Sequence[np.ndarray], names: Sequence[str], z: np.ndarray, label: str) -> go.Heatmap:
    x, y = axes[0], axes[1]
    hover = [
        [
            f"{names[0]} = {fmt_number(xv)}<br>{names[1]} = {fmt_number(yv)}<br>{label}: {fmt_number(v)}"
            for xv, v in zip(x, row, strict=True)
        ]
        for yv, row in zip(y, z, strict=True)
    ]
    return go.Heatmap(
        x=x, y=y, z=z, coloraxis="coloraxis", hovertext=hover, hoverinfo="text", meta="surface", zsmooth="best"
    )


def _rows(rows: np.ndarray) -> go.Scatter:
    return go.Scatter(
        x=rows[:, 0], y=rows[:, 1], mode="markers", marker=_ROWS_MARKER, hoverinfo="skip", name="rows", meta="rows",
        showlegend=False,
    )  # fmt: skip


def _panel_index(axes: Sequence[np.ndarray], cuts: dict[int, list[int]], panel: tuple[int, ...]) -> tuple:
    """The surface's index for one map: both drawn axes whole, sliced axes at their cut, the rest mid-grid."""
    index: list[int | slice] = [slice(None), slice(None)]
    for j in range(2, len(axes)):
        index.append(cuts[j][panel[j - 2]] if j in cuts else len(axes[j]) // 2)
    return tuple(index)


def _panel_title(
    axes: Sequence[np.ndarray], names: Sequence[str], cuts: dict[int, list[int]], panel: tuple[int, ...]
) -> str:
    return ", ".join(
        f"{names[j]} = {fmt_number(axes[j][cuts[j][choice]], 3)}" for j, choice in zip(cuts, panel, strict=True)
    )


def _nearest(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """For each value, the index of the nearest cut.

    Examples
    --------
    >>> _nearest(np.array([0.1, 0.9, 2.0]), np.array([0.0, 1.0, 2.0])).tolist()
    [0, 1, 2]
    """
    return np.abs(values[:, None] - cuts[None, :]).argmin(axis=1)


def _span(axis: np.ndarray) -> list[float]:
    return [float(axis[0]), float(axis[-1])]
