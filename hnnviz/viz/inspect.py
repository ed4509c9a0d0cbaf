"""The simplex inspector: a unit's (or the prediction's) surface over a simplex's features, rows on top.

Draws a :class:`~hnnviz.explanation.SimplexResponse` as :func:`~hnnviz.viz._maps.sliced_maps` lays it out: an
edge is one map over its two features, a triangle three maps sliced along the third, a tetrahedron a 3 x 3 grid
sliced along the last two. All maps share one colour scale.

Every trace carries a ``meta`` tag: ``"surface"`` (the heatmaps) and ``"rows"`` (the rows on top). Feature
names and readings are HTML-escaped before they reach the figure; hover texts are written out in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .._messages import order_name
from .._validation import check_in
from ._common import group_text, plot_text
from ._maps import sliced_maps

if TYPE_CHECKING:
    from ..explanation import SimplexResponse

__all__ = ["inspector_figure"]


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
    >>> import numpy as np
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
    what = "unit" if show == "unit" else "prediction"
    head = f"{order_name(response.order, plural=False).capitalize()} {group_text(range(len(names)), names)}"
    title = f"{head}, {what}: {reading.label}<br><sup>{plot_text(reading.text)}</sup>"
    return sliced_maps(response.axes, surface, names, label=plot_text(label), title=title, rows=response.rows)
