"""Pure effects, drawn the way EBM's terms are read: a ranking, each term's shape, one row's split.

Drawings of :class:`~hnnviz.explanation.PureEffects` (:func:`hnnviz.explanation.purify`):

- :func:`pure_ranking_figure`: the terms by importance, coloured by order;
- :func:`pure_shape_figure`: one feature's curve above the histogram of its training rows, a pair's map (rows
  optionally on top), a triangle or tetrahedron as maps sliced along its further features;
- :func:`pure_waterfall_figure`: one row from the intercept, through its largest pure contributions, to the
  output explained.

Every trace carries a ``meta`` tag: ``"pure-effects"`` (ranking bars), ``"curve"`` and ``"density"`` (a feature's
shape), ``"surface"`` and ``"rows"`` (maps), ``"pure-split"`` (the waterfall). Feature names and class labels are
HTML-escaped before they reach the figure; bars carry vertex indices as ``customdata``, never names.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._messages import order_name
from .._validation import check_int, check_number, check_rows
from ._charts import (
    bar_height,
    chosen_orders,
    invalid,
    legend_on_top,
    order_colour,
    simplex_label,
    style_axes,
    vector,
)
from ._common import finish_layout, plot_text
from ._maps import sliced_maps

if TYPE_CHECKING:
    from ..explanation import PureEffect, PureEffects

__all__ = ["pure_ranking_figure", "pure_shape_figure", "pure_waterfall_figure"]

_UP, _DOWN, _TOTAL = "#2ca02c", "#d62728", "#1f77b4"
_CURVE = "#1f77b4"
_DENSITY = "rgba(90, 100, 120, 0.45)"


def output_label(pure: PureEffects) -> str:
    """What the effects are measured in (:attr:`PureEffects.unit`), escaped for a figure."""
    return plot_text(pure.unit)


def _features(pure: PureEffects) -> list[str]:
    """The model's features in column order (its single-feature effects)."""
    return [e.features[0] for e in pure.effects if e.order == 0]


def _vertices(pure: PureEffects, effect: PureEffect) -> list[int]:
    index = {name: i for i, name in enumerate(_features(pure))}
    return [index[f] for f in effect.features]


# --------------------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------------------


def pure_ranking_figure(pure: PureEffects, *, top: int = 20, orders: Collection[int] | None = None) -> go.Figure:
    """The most important pure effects as horizontal bars, biggest at the top, coloured by order.

    Parameters
    ----------
    pure : PureEffects
    top : int, default 20
        How many effects to show.
    orders : collection of int, optional
        The orders to rank (``0`` single features, ``1`` pairs, ``2`` triangles ...); by default every order.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``"pure-effects"`` bar trace per order present, named by the order; bar ``x`` is the effect's
        importance, bar ``y`` its rank (0 at the top), tick labels the escaped features ``"a · b"``,
        ``customdata`` each bar's vertex indices (what a click on the bar selects).

    Raises
    ------
    InputValidationError
        If ``top`` is not an int >= 1, or ``orders`` is empty or names an order the model lacks.
    """
    owner = "pure_ranking_figure"
    top = check_int(top, name="top", owner=owner, low=1)
    chosen = chosen_orders(orders, range(len(pure.order_shares())), owner=owner)
    ranked = [e for e in pure.ranking(min_order=0) if e.order in chosen][:top]
    labels = [simplex_label(e.features) for e in ranked]
    orders_shown = sorted({e.order for e in ranked})
    traces = [_bars(pure, ranked, labels, [i for i, e in enumerate(ranked) if e.order == k], k) for k in orders_shown]
    fig = go.Figure(traces)
    title = f"Top {len(ranked)} pure effects; interactions hold {pure.interaction_share:.1%} of the model's variance"
    finish_layout(fig, title=title, height=bar_height(len(ranked)), legend=True, top=90)
    legend_on_top(fig)
    style_axes(fig, x_title=f"importance: spread over the training rows ({output_label(pure)})", y_title="")
    fig.update_yaxes(tickvals=list(range(len(ranked))), ticktext=labels, autorange="reversed", showgrid=False, ticks="")
    return fig


def _bars(pure: PureEffects, ranked: list[PureEffect], labels: list[str], ranks: list[int], order: int) -> go.Bar:
    """The bars of one order's effects, at their ranks."""
    hover = [
        f"<b>{labels[i]}</b><br>{order_name(order, plural=False)}, rank {i + 1}<br>importance "
        f"{ranked[i].importance:.4g}<br>{ranked[i].share:.1%} of the model's variance"
        for i in ranks
    ]
    return go.Bar(
        x=[ranked[i].importance for i in ranks], y=ranks, orientation="h", marker={"color": order_colour(order)},
        hovertext=hover, hoverinfo="text", customdata=[_vertices(pure, ranked[i]) for i in ranks],
        name=order_name(order), meta="pure-effects",
    )  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------------------


def pure_shape_figure(pure: PureEffects, features: Sequence[str], *, X: np.ndarray | None = None) -> go.Figure:
    """The shape of one pure effect over its features, as EBM draws its terms.

    Parameters
    ----------
    pure : PureEffects
    features : sequence of str
        The effect's features, in any order (:meth:`PureEffects.shape`).
    X : ndarray of shape (n_rows, n_features), optional
        Rows of the model's features (raw units, e.g. the training rows): the histogram under a curve, the
        points on a map.

    Returns
    -------
    plotly.graph_objects.Figure
        A single feature: the ``"curve"`` (``x`` the grid :attr:`PureEffect.axes`, ``y`` its
        :attr:`PureEffect.values`) above the ``"density"`` histogram of ``X``'s column. Two features or more:
        :func:`~hnnviz.viz._maps.sliced_maps` of the values, ``X`` as ``"rows"`` on top.

    Raises
    ------
    InputValidationError
        If ``features`` is not a term of the model, or ``X`` is not finite rows of its features.
    """
    effect = pure.shape(features)
    rows = None
    if X is not None:
        table = check_rows(X, len(_features(pure)), name="X", owner="pure_shape_figure")
        rows = table[:, _vertices(pure, effect)]
    names = [plot_text(f) for f in effect.features]
    label = f"pure effect ({output_label(pure)})"
    title = (
        f"Pure effect of {simplex_label(effect.features)}: {effect.share:.1%} of the model's variance<br>"
        f"<sup>importance {effect.importance:.3g} ({output_label(pure)}); {_what(effect.order)}</sup>"
    )
    if effect.order == 0:
        return _curve(effect, names[0], rows, label=label, title=title)
    return sliced_maps(effect.axes, effect.values, names, label=label, title=title, rows=rows)


def _what(order: int) -> str:
    """What an effect of this order is, in plain words."""
    if order == 0:
        return "how the prediction moves with this feature alone"
    if order == 1:
        return "what only this pair explains together, beyond each feature alone"
    return "what only these features explain together, beyond every smaller group of them"


def _curve(effect: PureEffect, name: str, rows: np.ndarray | None, *, label: str, title: str) -> go.Figure:
    """One feature's curve, above the histogram of its rows when there are rows."""
    n_panels = 1 if rows is None else 2
    fig = make_subplots(
        rows=n_panels, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25] if rows is not None else None,
        vertical_spacing=0.04,
    )  # fmt: skip
    hover = [f"{name} = {x:.4g}<br>{label}: {v:+.4g}" for x, v in zip(effect.axes[0], effect.values, strict=True)]
    curve = go.Scatter(
        x=effect.axes[0], y=effect.values, mode="lines+markers", line={"color": _CURVE, "width": 2.5},
        hovertext=hover, hoverinfo="text", name="pure effect", meta="curve",
    )  # fmt: skip
    fig.add_trace(curve, row=1, col=1)
    if rows is not None:
        fig.add_trace(
            go.Histogram(x=rows[:, 0], nbinsx=40, marker={"color": _DENSITY}, name="rows", meta="density"), row=2, col=1
        )
    finish_layout(fig, title=title, height=460, top=90)
    style_axes(fig, x_title=None, y_title=None)
    fig.update_xaxes(title={"text": name}, row=n_panels, col=1)
    fig.update_yaxes(title={"text": label}, zeroline=True, zerolinecolor="#9aa3b5", row=1, col=1)
    if rows is not None:
        fig.update_yaxes(title={"text": "rows"}, row=2, col=1)
    return fig


# --------------------------------------------------------------------------------------------------------
# One row
# --------------------------------------------------------------------------------------------------------


def pure_waterfall_figure(
    pure: PureEffects,
    contributions: Sequence[float],
    *,
    prediction: float | None = None,
    row: Sequence[float] | None = None,
    top: int = 10,
    title: str = "",
) -> go.Figure:
    """One row's output as a waterfall: the intercept, its largest pure contributions, the rest, the output.

    Parameters
    ----------
    pure : PureEffects
    contributions : sequence of float
        One row of :meth:`PureEffects.contributions` (one value per effect).
    prediction : float, optional
        The model's output for the row (regression: :meth:`hnnviz.model.Run.predict`); by default the
        intercept plus the contributions (:meth:`PureEffects.predict`). The last bar is exactly this value:
        the bar of the other terms takes up what the shown ones leave.
    row : sequence of float, optional
        The row's raw feature values, shown beside each term's name.
    top : int, default 10
        How many contributions to show (largest ``|value|`` first).
    title : str, default ""
        Plain-text title; by default the output.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal ``"pure-split"`` ``go.Waterfall``: ``measure`` is ``"absolute"`` for the intercept,
        ``"relative"`` for each term and for the other terms, ``"total"`` for the output; ``x`` holds the
        values (the last is the output), ``y`` the rank, tick labels the escaped terms.

    Raises
    ------
    InputValidationError
        If ``contributions`` or ``row`` is not finite numbers of the right length, ``prediction`` is not
        finite, or ``top`` is not an int >= 1.
    """
    owner = "pure_waterfall_figure"
    values = _exactly(contributions, len(pure.effects), name="contributions", owner=owner)
    raw = None if row is None else _exactly(row, len(_features(pure)), name="row", owner=owner)
    top = check_int(top, name="top", owner=owner, low=1)
    end = pure.intercept + float(values.sum())
    if prediction is not None:
        end = check_number(prediction, name="prediction", owner=owner)
    shown = np.argsort(-np.abs(values), kind="stable")[:top]
    rest = end - pure.intercept - float(values[shown].sum())
    terms = [_term_label(pure, pure.effects[i], raw) for i in shown]
    n_other = len(values) - len(shown)
    output = "prediction" if pure.target is None else output_label(pure)
    ticks = ["intercept (average)", *terms, f"{n_other} other terms", output]
    x = [pure.intercept, *values[shown].tolist(), rest, end]
    text = [f"{pure.intercept:.4g}", *(f"{v:+.4g}" for v in x[1:-1]), f"{end:.4g}"]
    waterfall = go.Waterfall(
        x=x, y=list(range(len(ticks))), orientation="h", measure=["absolute", *["relative"] * (len(ticks) - 2),
        "total"], text=text, textposition="outside", cliponaxis=False,
        hovertext=[f"{tick}: {t}" for tick, t in zip(ticks, text, strict=True)], hoverinfo="text",
        increasing={"marker": {"color": _UP}}, decreasing={"marker": {"color": _DOWN}},
        totals={"marker": {"color": _TOTAL}}, connector={"line": {"color": "#9aa3b5", "width": 1}}, meta="pure-split",
    )  # fmt: skip
    fig = go.Figure([waterfall])
    heading = plot_text(title) if title else f"{output.capitalize()} {end:.4g}: the intercept plus each pure effect"
    finish_layout(fig, title=heading, height=bar_height(len(ticks)), top=60)
    style_axes(fig, x_title=output_label(pure), y_title="")
    fig.update_yaxes(tickvals=list(range(len(ticks))), ticktext=ticks, autorange="reversed", showgrid=False)
    return fig


def _exactly(values: Sequence[float], length: int, *, name: str, owner: str) -> np.ndarray:
    """``values`` as finite floats, exactly ``length`` of them."""
    array = vector(values, name=name, owner=owner)
    if len(array) != length:
        raise invalid(name, owner, f"{length} values, one per {'effect' if name == 'contributions' else 'feature'}",
                      f"length {len(array)}")  # fmt: skip
    return array


def _term_label(pure: PureEffects, effect: PureEffect, row: np.ndarray | None) -> str:
    """``"a · b"``, or with the row's values ``"a = 1.5 · b = -2"``, escaped."""
    if row is None:
        return simplex_label(effect.features)
    pairs = zip(effect.features, _vertices(pure, effect), strict=True)
    return " · ".join(f"{plot_text(name)} = {row[v]:.3g}" for name, v in pairs)
