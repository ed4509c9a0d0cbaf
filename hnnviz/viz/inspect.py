"""The simplex inspector: a unit's (or the prediction's) surface over a simplex's features, rows on top.

Draws a :class:`~hnnviz.explanation.SimplexResponse`. An edge is one map over its two features. A triangle is
three maps of its first two features, at a low, middle and high value of the third; a tetrahedron a 3 x 3
grid of maps over the values of its last two (any further feature is held at the middle of its grid). Each
row drawn on top goes to the map whose sliced values are nearest its own. All maps share one colour scale.

Every trace carries a ``meta`` tag: ``"surface"`` (the heatmaps) and ``"rows"`` (the rows on top). Feature
names and readings are HTML-escaped before they reach the figure; hover texts are written out in full.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._messages import fmt_number, order_name
from .._validation import check_in
from ._charts import style_axes
from ._common import finish_layout, group_text, plot_text, value_scale

if TYPE_CHECKING:
    from ..explanation import SimplexResponse

__all__ = ["inspector_figure"]

#: Where the sliced features are cut: these shares of the way along their grid (low, middle, high).
_SLICES = (0.25, 0.5, 0.75)
_ROWS_MARKER = {"size": 5, "color": "rgba(20, 20, 20, 0.45)", "line": {"width": 0.5, "color": "white"}}


def inspector_figure(response: SimplexResponse, *, show: str = "unit") -> go.Figure:
    """Maps of a simplex's unit (or of the model's prediction) over its features, the rows drawn on top.

    Parameters
    ----------
    response : SimplexResponse
        From :func:`hnnviz.explanation.inspect_simplex`.
    show : {"unit", "prediction"}, default "unit"
        The unit's direct contribution, or the model's prediction.

    Returns
    -------
    plotly.graph_objects.Figure
        One map for an edge, 3 for a triangle, 3 x 3 for a tetrahedron or more; the title gives the
        reading of the shape.

    Raises
    ------
    InputValidationError
        For an unknown ``show``.

    Examples
    --------
    >>> from hnnviz.explanation import SimplexResponse, read_shape
    >>> axes = (np.linspace(-1, 1, 5), np.linspace(0, 2, 5))
    >>> a, b = np.meshgrid(*axes, indexing="ij")
    >>> reading = read_shape(a * b, scale=1.0, names=["a", "<b>"])
    >>> response = SimplexResponse(("a", "<b>"), 1, axes, a * b, a * b, np.zeros(2), "training mean",
    ...                            np.array([[0.0, 1.0]]), reading, reading, None)
    >>> fig = inspector_figure(response)
    >>> [t.meta for t in fig.data], fig.layout.xaxis.title.text, fig.layout.yaxis.title.text
    (['surface', 'rows'], 'a', '&lt;b&gt;')
    """
    check_in(show, ("unit", "prediction"), name="show", owner="inspector_figure")
    surface = response.unit if show == "unit" else response.prediction
    reading = response.unit_reading if show == "unit" else response.prediction_reading
    label = response.unit_label if show == "unit" else response.prediction_label
    names = [plot_text(name) for name in response.features]
    sliced = list(range(2, min(len(names), 4)))  # the features cut into slices: the 3rd, then the 4th
    cuts = {j: [round(q * (len(response.axes[j]) - 1)) for q in _SLICES] for j in sliced}
    panels = list(itertools.product(*(range(len(_SLICES)) for _ in sliced)))  # slice choice per sliced feature
    n_cols = len(_SLICES) if sliced else 1
    n_rows = len(panels) // n_cols
    fig = make_subplots(
        rows=n_rows, cols=n_cols, subplot_titles=[_panel_title(response, names, cuts, p) for p in panels] if sliced
        else None, horizontal_spacing=0.06, vertical_spacing=0.12 if n_rows > 1 else 0.1,
    )  # fmt: skip
    scale = value_scale(surface.ravel())
    nearest = {j: _nearest(response.rows[:, j], response.axes[j][cuts[j]]) for j in sliced}
    hover_label = plot_text(label)
    for i, panel in enumerate(panels):
        row, col = i // n_cols + 1, i % n_cols + 1
        index = _panel_index(response, cuts, panel)
        z = surface[index].T  # (len(axes[1]), len(axes[0])): y along the second feature
        fig.add_trace(_heatmap(response, names, z, hover_label), row=row, col=col)
        shown = np.ones(len(response.rows), dtype=bool)
        for j, choice in zip(sliced, panel, strict=True):
            shown &= nearest[j] == choice
        fig.add_trace(
            go.Scatter(
                x=response.rows[shown, 0],
                y=response.rows[shown, 1],
                mode="markers",
                marker=_ROWS_MARKER,
                hoverinfo="skip",
                name="rows",
                meta="rows",
                showlegend=False,
            ),
            row=row,
            col=col,
        )
    fig.update_layout(
        coloraxis={
            "colorscale": scale.colorscale,
            "cmin": scale.cmin,
            "cmax": scale.cmax,
            "colorbar": {"title": {"text": hover_label, "side": "right"}, "thickness": 12},
        }
    )
    what = "unit" if show == "unit" else "prediction"
    head = f"{order_name(response.order, plural=False).capitalize()} {group_text(range(len(names)), names)}"
    title = f"{head}, {what}: {reading.label}<br><sup>{plot_text(reading.text)}</sup>"
    finish_layout(fig, title=title, height={1: 480, 2: 400}.get(response.order, 820), top=90)
    style_axes(fig, x_title=None, y_title=None, showgrid=False)
    for col in range(1, n_cols + 1):
        fig.update_xaxes(title={"text": names[0]}, row=n_rows, col=col)
    for row in range(1, n_rows + 1):
        fig.update_yaxes(title={"text": names[1]}, row=row, col=1)
    fig.update_xaxes(range=_span(response.axes[0]))
    fig.update_yaxes(range=_span(response.axes[1]))
    return fig


def _heatmap(response: SimplexResponse, names: list[str], z: np.ndarray, label: str) -> go.Heatmap:
    x, y = response.axes[0], response.axes[1]
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


def _panel_index(response: SimplexResponse, cuts: dict[int, list[int]], panel: tuple[int, ...]) -> tuple:
    """The surface's index for one map: both drawn axes whole, sliced axes at their cut, the rest mid-grid."""
    index: list[int | slice] = [slice(None), slice(None)]
    for j in range(2, len(response.axes)):
        index.append(cuts[j][panel[j - 2]] if j in cuts else len(response.axes[j]) // 2)
    return tuple(index)


def _panel_title(
    response: SimplexResponse, names: list[str], cuts: dict[int, list[int]], panel: tuple[int, ...]
) -> str:
    return ", ".join(
        f"{names[j]} = {fmt_number(response.axes[j][cuts[j][choice]], 3)}"
        for j, choice in zip(cuts, panel, strict=True)
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
