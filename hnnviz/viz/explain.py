"""What drives a trained HNN's predictions, and how far to trust it: rankings, order split, faithfulness.

Drawings of an :class:`~hnnviz.explanation.Attribution` (the top simplices, the importance lifted to features),
of :func:`~hnnviz.explanation.order_split` (a waterfall from the constant through each order's contribution),
of :func:`~hnnviz.explanation.deletion_insertion` curves against their random band, and of predictions
before and after knocking simplices out.

Every trace carries a ``meta`` tag: ``"simplices"`` (:func:`ranking_figure`), ``"feature-importance"``
(:func:`feature_importance_figure`), ``"order-split"`` (:func:`order_waterfall_figure`), ``"random-band"``,
``"random-mean"``, ``"ranking-curve"`` (:func:`deletion_insertion_figure`), ``"predictions"`` and
``"identity"`` (:func:`knockout_figure`). Feature names, order names, titles and metric names are
HTML-escaped before they reach the figure.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._messages import count, fmt_number, order_name
from .._validation import check_in, check_int, check_number
from ..exceptions import InputValidationError
from ._charts import (
    bar_height,
    chosen_orders,
    identity_scatter,
    legend_on_top,
    order_colour,
    same_length,
    simplex_label,
    square_axes,
    style_axes,
    vector,
)
from ._common import finish_layout, plot_text

if TYPE_CHECKING:
    from ..explanation import Attribution, Curve, SimplexScore

__all__ = [
    "deletion_insertion_figure",
    "feature_importance_figure",
    "knockout_figure",
    "order_waterfall_figure",
    "ranking_figure",
]

_BAND = "rgba(127, 127, 127, 0.25)"
_RANDOM = "#7f7f7f"
_CURVE = "#d62728"
_UP, _DOWN, _TOTAL = "#2ca02c", "#d62728", "#1f77b4"


def _units(attribution: Attribution) -> str:
    return "target units" if attribution.target_class is None else "log-odds of the explained class"


# --------------------------------------------------------------------------------------------------------
# Rankings
# --------------------------------------------------------------------------------------------------------


def ranking_figure(
    attribution: Attribution, *, top: int = 20, orders: Collection[int] | None = None, row: int | None = None
) -> go.Figure:
    """The most important simplices as horizontal bars, biggest at the top, coloured by order.

    Parameters
    ----------
    attribution : Attribution
        From :func:`hnnviz.explanation.explain`.
    top : int, default 20
        How many simplices to show.
    orders : collection of int, optional
        The orders to rank (``1`` edges, ``2`` triangles, ``3`` tetrahedra ...); by default every order
        ``>= 1``.
    row : int, optional
        Rank one row's signed scores by ``|score|``; by default the global ranking, mean ``|score|`` over
        all rows (:meth:`Attribution.ranking`).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``"simplices"`` bar trace per order present (legend: edges, triangles, tetrahedra), named by the
        order; bar ``x`` is the score, bar ``y`` its rank (0 at the top), tick labels the escaped features
        ``"a · b · c"``, ``customdata`` each bar's vertex indices (what a click on the bar selects).

    Raises
    ------
    InputValidationError
        If ``top`` is not an int >= 1, ``orders`` is empty or names an order the attribution lacks, or
        ``row`` is not one of its rows.

    Examples
    --------
    >>> from hnnviz.explanation import Attribution
    >>> a = Attribution("gxa", ((("a",), ("b",), ("c",)), (("a", "b"), ("b", "c")), (("a", "b", "c"),)),
    ...                 (np.zeros((2, 3)), np.array([[1.0, -3.0], [1.0, 1.0]]), np.array([[0.5], [-0.5]])),
    ...                 np.zeros(2), 0.0, None, None, 0.0)
    >>> fig = ranking_figure(a)
    >>> [(t.name, list(t.x), list(t.y)) for t in fig.data]
    [('edges', [2.0, 1.0], [0, 1]), ('triangles', [0.5], [2])]
    >>> [(t.name, list(t.x)) for t in ranking_figure(a, row=0, orders=[1]).data]
    [('edges', [-3.0, 1.0])]
    """
    ranked = _ranked(attribution, top=top, orders=orders, row=row)
    labels = [simplex_label(s.features) for s in ranked]
    vertex = {features[0]: i for i, features in enumerate(attribution.simplices[0])}
    vertices = [[vertex[f] for f in s.features] for s in ranked]
    traces = []
    for order in sorted({s.order for s in ranked}):
        ranks = [i for i, s in enumerate(ranked) if s.order == order]
        traces.append(_simplex_bars(order, ranks, ranked, labels, vertices, global_=row is None))
    fig = go.Figure(traces)
    title = _ranking_title(attribution, ranked, row)
    finish_layout(fig, title=title, height=bar_height(len(ranked)), legend=True, top=90)
    legend_on_top(fig)
    which = (
        f"mean |attribution| over {count(attribution.n_rows, 'row')}" if row is None else f"attribution of row {row}"
    )
    style_axes(fig, x_title=f"{which} ({_units(attribution)})", y_title="")
    fig.update_xaxes(zeroline=row is not None, zerolinecolor="#444444")
    fig.update_yaxes(tickvals=list(range(len(ranked))), ticktext=labels, autorange="reversed", showgrid=False, ticks="")
    return fig


def _ranked(
    attribution: Attribution, *, top: int, orders: Collection[int] | None, row: int | None
) -> list[SimplexScore]:
    """The ``top`` simplices of the chosen orders, by (mean) ``|score|``."""
    owner = "ranking_figure"
    top = check_int(top, name="top", owner=owner, low=1)
    chosen = chosen_orders(orders, range(1, len(attribution.scores)), owner=owner)
    if row is not None:
        row = check_int(row, name="row", owner=owner, low=0, high=attribution.n_rows - 1)
    return [s for s in attribution.ranking(row) if s.order in chosen][:top]


def _simplex_bars(
    order: int,
    ranks: list[int],
    ranked: list[SimplexScore],
    labels: list[str],
    vertices: list[list[int]],
    *,
    global_: bool,
) -> go.Bar:
    what = "mean |attribution|" if global_ else "attribution"
    hover = [
        f"<b>{labels[i]}</b><br>{order_name(order, plural=False)}, rank {i + 1}<br>{what} {ranked[i].score:+.4g}"
        for i in ranks
    ]
    return go.Bar(
        x=[ranked[i].score for i in ranks],
        y=ranks,
        orientation="h",
        marker={"color": order_colour(order)},
        hovertext=hover,
        hoverinfo="text",
        customdata=[vertices[i] for i in ranks],
        name=order_name(order),
        meta="simplices",
    )


def _ranking_title(attribution: Attribution, ranked: list[SimplexScore], row: int | None) -> str:
    method = plot_text(attribution.method)
    if not ranked:
        return f"No simplices of order 1 or more to rank ({method})"
    if row is None:
        return f"Top {len(ranked)} simplices by mean |attribution| over {count(attribution.n_rows, 'row')} ({method})"
    prediction = attribution.prediction[row]
    return f"Row {row}: top {len(ranked)} simplices by |attribution|, prediction {fmt_number(prediction)} ({method})"


def feature_importance_figure(attribution: Attribution, *, top: int = 20) -> go.Figure:
    """Importance lifted to single features: each simplex's mean ``|score|`` shared equally by its features.

    Parameters
    ----------
    attribution : Attribution
    top : int, default 20
        How many features to show, most important at the top.

    Returns
    -------
    plotly.graph_objects.Figure
        Stacked horizontal bars, one ``"feature-importance"`` trace per order (``inputs``: a feature's own
        score, then its share of edges, triangles ...); a feature's bars add up to its
        :meth:`Attribution.feature_importance`. Bar ``y`` is the feature's rank (0 at the top), tick
        labels the escaped names.

    Raises
    ------
    InputValidationError
        If ``top`` is not an int >= 1.

    Examples
    --------
    >>> from hnnviz.explanation import Attribution
    >>> a = Attribution("gxa", ((("a",), ("b",)), (("a", "b"),)), (np.array([[1.0, 0.0]]), np.array([[-4.0]])),
    ...                 np.zeros(1), 0.0, None, None, 0.0)
    >>> a.feature_importance()
    {'a': 3.0, 'b': 2.0}
    >>> [(t.name, list(t.x)) for t in feature_importance_figure(a).data]
    [('inputs', [1.0, 0.0]), ('edges', [2.0, 2.0])]
    """
    top = check_int(top, name="top", owner="feature_importance_figure", low=1)
    names = list(attribution.feature_importance())[:top]
    shares = _lifted_by_order(attribution, names)
    labels = [plot_text(name) for name in names]
    ranks = list(range(len(names)))
    traces = [
        go.Bar(
            x=values,
            y=ranks,
            orientation="h",
            marker={"color": order_colour(order)},
            hovertext=[f"<b>{labels[i]}</b><br>{order_name(order)}: {fmt_number(v)}" for i, v in enumerate(values)],
            hoverinfo="text",
            name=order_name(order),
            meta="feature-importance",
        )
        for order, values in enumerate(shares)
    ]
    fig = go.Figure(traces)
    title = (
        f"Top {len(names)} features: each simplex's mean |attribution| shared equally by its features "
        f"({count(attribution.n_rows, 'row')}, {plot_text(attribution.method)})"
    )
    finish_layout(fig, title=title, height=bar_height(len(names)), legend=True, top=90)
    legend_on_top(fig)
    fig.update_layout(barmode="stack")
    style_axes(fig, x_title=f"importance ({_units(attribution)})", y_title="")
    fig.update_yaxes(tickvals=ranks, ticktext=labels, autorange="reversed", showgrid=False, ticks="")
    return fig


def _lifted_by_order(attribution: Attribution, names: list[str]) -> list[list[float]]:
    """Per order, each named feature's share of that order's mean ``|score|``."""
    position = {name: i for i, name in enumerate(names)}
    shares = []
    for simplices, scores in zip(attribution.simplices, attribution.scores, strict=True):
        values = [0.0] * len(names)
        for features, value in zip(simplices, np.abs(scores).mean(axis=0).tolist(), strict=True):
            for feature in features:
                if feature in position:
                    values[position[feature]] += value / len(features)
        shares.append(values)
    return shares


# --------------------------------------------------------------------------------------------------------
# One prediction split by order
# --------------------------------------------------------------------------------------------------------


def order_waterfall_figure(
    split_row: Sequence[float], *, order_names: Sequence[str] | None = None, title: str = ""
) -> go.Figure:
    """One prediction as a waterfall: the constant, each order's contribution, and their sum.

    Parameters
    ----------
    split_row : sequence of float
        One row of :func:`hnnviz.explanation.order_split`: the constant first, then one contribution per order.
    order_names : sequence of str, optional
        A name per order (default: inputs, edges, triangles, tetrahedra, as in
        :data:`hnnviz._messages.ORDER_NAMES`).
    title : str, default ""
        Plain-text title; by default the prediction.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``"order-split"`` ``go.Waterfall``: ``measure`` is ``"absolute"`` for the constant,
        ``"relative"`` per order and ``"total"`` for the prediction (whose ``y`` is the row's sum).

    Raises
    ------
    InputValidationError
        If ``split_row`` is not 1-D, finite and at least 2 long, or ``order_names`` has the wrong length.

    Examples
    --------
    >>> fig = order_waterfall_figure([1.0, 0.5, -0.25])
    >>> list(fig.data[0].measure), list(fig.data[0].y)
    (['absolute', 'relative', 'relative', 'total'], [1.0, 0.5, -0.25, 1.25])
    >>> list(fig.layout.xaxis.ticktext)
    ['constant', 'inputs', 'edges', 'prediction']
    """
    owner = "order_waterfall_figure"
    values = vector(split_row, name="split_row", owner=owner, min_length=2)
    n_orders = len(values) - 1
    names = [order_name(k) for k in range(n_orders)] if order_names is None else [str(n) for n in order_names]
    if len(names) != n_orders:
        raise InputValidationError(
            f"The 'order_names' parameter of {owner} must name each of the {n_orders} orders of 'split_row'. "
            f"Got {len(names)} names instead."
        )
    total = float(values.sum())
    ticks = ["constant", *(plot_text(n) for n in names), "prediction"]
    shown = [*values.tolist(), total]
    text = [f"{fmt_number(values[0])}", *(f"{v:+.4g}" for v in values[1:]), f"{fmt_number(total)}"]
    waterfall = go.Waterfall(
        x=list(range(len(ticks))),
        y=shown,
        measure=["absolute", *["relative"] * n_orders, "total"],
        text=text,
        textposition="outside",
        cliponaxis=False,
        hovertext=[f"{tick}: {t}" for tick, t in zip(ticks, text, strict=True)],
        hoverinfo="text",
        increasing={"marker": {"color": _UP}},
        decreasing={"marker": {"color": _DOWN}},
        totals={"marker": {"color": _TOTAL}},
        connector={"line": {"color": "#9aa3b5", "width": 1}},
        meta="order-split",
    )
    fig = go.Figure([waterfall])
    default = f"Prediction {fmt_number(total)}: the constant plus each order's contribution"
    heading = plot_text(title) if title else default
    finish_layout(fig, title=heading, height=420, top=60)
    style_axes(fig, x_title="", y_title="contribution to the prediction")
    fig.update_xaxes(tickvals=list(range(len(ticks))), ticktext=ticks, showgrid=False)
    return fig


# --------------------------------------------------------------------------------------------------------
# Faithfulness
# --------------------------------------------------------------------------------------------------------


def deletion_insertion_figure(curves: Sequence[Curve], *, metric_name: str = "score") -> go.Figure:
    """Deletion and insertion curves of a ranking beside the band of random orderings.

    Parameters
    ----------
    curves : sequence of Curve
        From :func:`hnnviz.explanation.deletion_insertion` (deletion, insertion), one panel each.
    metric_name : str, default "score"
        What the curves measure (e.g. ``"R²"``, ``"accuracy"``), for the y axis.

    Returns
    -------
    plotly.graph_objects.Figure
        Per panel: a ``"random-band"`` polygon between the 5th and 95th percentiles of ``random_values`` at
        each point (``x``: the fractions forwards then backwards; ``y``: the 95th percentiles, then the 5th
        backwards), the ``"random-mean"`` line and the ranking's ``"ranking-curve"``. The panel titles hold
        the areas; the figure title says whether each curve beats random (:attr:`Curve.beats_random`).

    Raises
    ------
    InputValidationError
        If ``curves`` is empty or a curve's kind or array shapes are inconsistent.

    Examples
    --------
    >>> from hnnviz.explanation import Curve
    >>> x = np.linspace(0, 1, 3)
    >>> curve = Curve("deletion", x, np.array([0.8, 0.2, 0.0]), np.array([[0.8, 0.6, 0.0], [0.8, 0.4, 0.0]]),
    ...               0.3, 0.45, (0.41, 0.49))
    >>> fig = deletion_insertion_figure([curve])
    >>> fig.layout.title.text
    'Deletion beats random (ranking against 2 random orderings)'
    >>> [t.meta for t in fig.data]
    ['random-band', 'random-mean', 'ranking-curve']
    """
    owner = "deletion_insertion_figure"
    if not len(curves):
        raise InputValidationError(f"The 'curves' parameter of {owner} must hold at least one Curve. Got none instead.")
    for curve in curves:
        _check_curve(curve, owner)
    fig = make_subplots(
        rows=1, cols=len(curves), subplot_titles=[_curve_title(c) for c in curves], horizontal_spacing=0.08
    )
    fig.update_annotations(font={"size": 13})
    for col, curve in enumerate(curves, start=1):
        for trace in _curve_traces(curve, first=col == 1):
            fig.add_trace(trace, row=1, col=col)
        moved = "removed" if curve.kind == "deletion" else "restored"
        fig.update_xaxes(title={"text": f"share of simplices {moved}, most important first"}, row=1, col=col)
    verdicts = "; ".join(
        f"{c.kind} {'beats' if c.beats_random else 'does not beat'} random" for c in curves
    ).capitalize()
    title = f"{verdicts} (ranking against {curves[0].random_values.shape[0]} random orderings)"
    finish_layout(fig, title=title, height=470, legend=True, top=125)
    legend_on_top(fig)
    fig.update_layout(legend={"y": 1.16})
    style_axes(fig, x_title=None, y_title=None)
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(title={"text": plot_text(metric_name)}, row=1, col=1)
    return fig


def _check_curve(curve: Curve, owner: str) -> None:
    check_in(curve.kind, ("deletion", "insertion"), name="curves", owner=owner)
    fractions = vector(curve.fractions, name="curves", owner=owner, min_length=2)
    same_length(fractions, vector(curve.values, name="curves", owner=owner), names=("fractions", "values"), owner=owner)
    shape = np.shape(curve.random_values)
    if len(shape) != 2 or shape[0] < 1 or shape[1] != len(fractions):
        raise InputValidationError(
            f"The 'curves' parameter of {owner} must hold curves whose random_values have shape "
            f"(n_random, {len(fractions)}). Got shape {shape} instead."
        )


def _curve_title(curve: Curve) -> str:
    better = "lower" if curve.kind == "deletion" else "higher"
    low, high = curve.random_band
    verdict = "beats random" if curve.beats_random else "does not beat random"
    return (
        f"<b>{curve.kind.capitalize()}</b>: {verdict} ({better} area is better)<br>"
        f"area {curve.area:.3f}; random {curve.random_area:.3f}, 5-95 %: {low:.3f} to {high:.3f}"
    )


def _curve_traces(curve: Curve, *, first: bool) -> list[go.Scatter]:
    """The random band, the random mean and the ranking's curve of one panel (legend entries once)."""
    x = np.asarray(curve.fractions, dtype=np.float64)
    low, high = np.percentile(curve.random_values, [5, 95], axis=0)
    mean = np.mean(curve.random_values, axis=0)
    moved = "removed" if curve.kind == "deletion" else "restored"
    band = go.Scatter(
        x=[*x, *x[::-1]],
        y=[*high, *low[::-1]],
        fill="toself",
        fillcolor=_BAND,
        line={"width": 0},
        mode="lines",
        hoverinfo="skip",
        name="random orderings, 5-95 %",
        legendgroup="band",
        showlegend=first,
        meta="random-band",
    )
    random_mean = go.Scatter(
        x=x,
        y=mean,
        mode="lines",
        line={"color": _RANDOM, "dash": "dash", "width": 1.5},
        hovertext=[f"{f:.0%} {moved}<br>random mean {fmt_number(v)}" for f, v in zip(x, mean, strict=True)],
        hoverinfo="text",
        name="random orderings, mean",
        legendgroup="mean",
        showlegend=first,
        meta="random-mean",
    )
    ours = go.Scatter(
        x=x,
        y=curve.values,
        mode="lines+markers",
        line={"color": _CURVE, "width": 2.5},
        marker={"size": 6},
        hovertext=[f"{f:.0%} {moved}<br>ranking {fmt_number(v)}" for f, v in zip(x, curve.values, strict=True)],
        hoverinfo="text",
        name="the attribution's ranking",
        legendgroup="ranking",
        showlegend=first,
        meta="ranking-curve",
    )
    return [band, random_mean, ours]


def knockout_figure(
    before: Sequence[float],
    after: Sequence[float],
    *,
    metric_name: str,
    metric_before: float,
    metric_after: float,
) -> go.Figure:
    """Each row's prediction before against after knocking out chosen simplices, with the line ``y = x``.

    Parameters
    ----------
    before, after : sequence of float
        The same rows' predictions (or explained outputs) with the full model and with the simplices knocked
        out.
    metric_name : str
        The score compared, e.g. ``"R²"``.
    metric_before, metric_after : float
        That score before and after.

    Returns
    -------
    plotly.graph_objects.Figure
        A ``"predictions"`` point per row (x before, y after) and the ``"identity"`` line; the score's change
        and the mean absolute change of the predictions in the title.

    Raises
    ------
    InputValidationError
        If the predictions are not 1-D finite numbers of the same length, or a metric value is not finite.

    Examples
    --------
    >>> fig = knockout_figure([1.0, 2.0], [1.0, 1.0], metric_name="R²", metric_before=0.5, metric_after=0.25)
    >>> fig.layout.title.text
    'Knock-out: R² 0.5 → 0.25 (-0.25); predictions moved by 0.5 on average (2 rows)'
    """
    owner = "knockout_figure"
    full = vector(before, name="before", owner=owner)
    knocked = vector(after, name="after", owner=owner)
    same_length(full, knocked, names=("before", "after"), owner=owner)
    old = check_number(metric_before, name="metric_before", owner=owner)
    new = check_number(metric_after, name="metric_after", owner=owner)
    hover = [
        f"row {i}<br>before {fmt_number(b)}<br>after {fmt_number(a)}<br>change {a - b:+.4g}"
        for i, (b, a) in enumerate(zip(full, knocked, strict=True))
    ]
    fig = go.Figure(identity_scatter(full, knocked, hover=hover, name="rows", meta="predictions"))
    metric = plot_text(metric_name)
    moved = float(np.abs(knocked - full).mean())
    title = (
        f"Knock-out: {metric} {fmt_number(old)} → {fmt_number(new)} ({new - old:+.4g}); "
        f"predictions moved by {moved:.3g} on average ({count(len(full), 'row')})"
    )
    finish_layout(fig, title=title, height=520)
    style_axes(fig, x_title="prediction before", y_title="prediction after the knock-out")
    return square_axes(fig, full, knocked)
