"""The summary figure of a sweep (:func:`hnnviz.workflows.sweep.run_sweep` writes it as ``summary.html``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._charts import model_colour, style_axes
from ._common import finish_layout, plot_text

if TYPE_CHECKING:
    from ..workflows.sweep import SweepResult

__all__ = ["sweep_figure", "write_sweep_summary"]


def sweep_figure(summary: Iterable[Mapping[str, Any]]) -> go.Figure:
    """One panel per data set: each model's mean primary test metric over seeds, with ± one sd as error bars.

    Parameters
    ----------
    summary : iterable of dict
        Rows of :meth:`hnnviz.workflows.sweep.SweepResult.summary` (keys ``dataset``, ``model``, ``metric``,
        ``mean``, ``std``, ``n_seeds``).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> rows = [{"dataset": "wine", "model": m, "metric": "accuracy", "mean": a, "std": 0.01, "n_seeds": 3}
    ...         for m, a in (("hnn", 0.95), ("gbm", 0.93))]
    >>> fig = sweep_figure(rows)
    >>> [(trace.name, list(trace.y)) for trace in fig.data]
    [('hnn', [0.95]), ('gbm', [0.93])]
    """
    rows = list(summary)
    datasets = list(dict.fromkeys(row["dataset"] for row in rows))
    models = list(dict.fromkeys(row["model"] for row in rows))
    columns = min(len(datasets), 3)
    metric_of = {row["dataset"]: row["metric"] for row in rows}
    fig = make_subplots(
        rows=math.ceil(len(datasets) / columns),
        cols=columns,
        subplot_titles=[plot_text(f"{name}: test {metric_of[name]}") for name in datasets],
    )
    for i, row in enumerate(rows):
        panel = datasets.index(row["dataset"])
        colour = model_colour(models.index(row["model"]))
        fig.add_trace(
            go.Bar(
                x=[plot_text(row["model"])],
                y=[row["mean"]],
                error_y={"type": "data", "array": [row["std"]], "visible": True},
                name=plot_text(row["model"]),
                legendgroup=row["model"],
                showlegend=all(r["model"] != row["model"] for r in rows[:i]),  # once per model
                marker_color=colour,
                hovertemplate=f"%{{x}}: %{{y:.4f}} ± {row['std']:.4f} over {row['n_seeds']} seeds<extra></extra>",
            ),
            row=panel // columns + 1,
            col=panel % columns + 1,
        )
    style_axes(fig, x_title=None, y_title=None)
    return finish_layout(
        fig,
        title="Sweep: mean test score per model, ± one sd over seeds",
        height=360 * math.ceil(len(datasets) / columns),
        legend=True,
        top=80,
    )


def write_sweep_summary(result: SweepResult) -> Path:
    """Write ``summary.html`` (:func:`sweep_figure` of :meth:`SweepResult.summary`, plotly.js inlined) beside the
    sweep's tables, and return its path."""
    path = result.out / "summary.html"
    sweep_figure(result.summary()).write_html(path, include_plotlyjs=True)
    return path
