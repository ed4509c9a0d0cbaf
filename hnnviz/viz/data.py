"""Figures of a data set before any network: how its target is distributed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from ..exceptions import InputValidationError
from ._charts import style_axes
from ._common import finish_layout, plot_text

if TYPE_CHECKING:
    from ..data import Dataset

__all__ = ["target_figure"]


def target_figure(dataset: Dataset) -> go.Figure:
    """The target's distribution: a histogram (regression) or the rows per class (classification).

    Parameters
    ----------
    dataset : Dataset
        With a target.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``meta="target"`` trace: a histogram of the values, or one bar per class (labels escaped).

    Raises
    ------
    InputValidationError
        If the data set has no target.

    Examples
    --------
    >>> from hnnviz.data import Dataset
    >>> ds = Dataset(X=np.zeros((4, 1)), feature_names=("a",), y=np.array([0, 1, 1, 1]), target="y",
    ...              task="classification", classes=("no", "yes"))
    >>> [list(t.y) for t in target_figure(ds).data if t.meta == "target"]
    [[1, 3]]
    """
    if dataset.y is None:
        raise InputValidationError(f"Data set {dataset.name!r} has no target to draw.")
    name = plot_text(str(dataset.target))
    if dataset.task == "classification":
        counts = np.bincount(dataset.y, minlength=len(dataset.classes))
        labels = [plot_text(str(c)) for c in dataset.classes]
        trace = go.Bar(x=labels, y=counts.tolist(), marker={"color": "#2f6f9f"}, meta="target",
                       hovertemplate="%{x}: %{y} rows<extra></extra>")  # fmt: skip
        title, x_title = f"{name}: rows per class", "class"
    else:
        trace = go.Histogram(x=dataset.y, marker={"color": "#2f6f9f"}, meta="target",
                             hovertemplate="%{x}: %{y} rows<extra></extra>")  # fmt: skip
        title, x_title = f"{name}: distribution over {dataset.n_rows:,} rows", plot_text(str(dataset.target))
    fig = go.Figure([trace])
    finish_layout(fig, title=title, height=260)
    return style_axes(fig, x_title=x_title, y_title="rows")
