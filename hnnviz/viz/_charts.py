"""Helpers of the charts with axes (training and explanation figures): checked vectors, axes, legends, y = x."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from .._validation import check_in
from ..exceptions import InputValidationError
from ._common import ORDER_COLOURS, plot_text

_GRID = "#e5e8ee"
_POINT = "#1f77b4"
_IDENTITY = "#7f7f7f"


def model_colour(i: int) -> str:
    """The colour of the ``i``-th model (the same model keeps its colour across figures)."""
    return qualitative.Plotly[i % len(qualitative.Plotly)]


def order_colour(k: int) -> str:
    """The colour of simplex order ``k`` (inputs, edges, triangles ...), shared by every figure."""
    return ORDER_COLOURS[k % len(ORDER_COLOURS)]


def simplex_label(features: Sequence[str]) -> str:
    """``"a · b · c"`` from feature names, escaped.

    Examples
    --------
    >>> simplex_label(["a", "<b>"])
    'a · &lt;b&gt;'
    """
    return " · ".join(plot_text(f) for f in features)


def bar_height(n_bars: int) -> int:
    """Height in pixels of a horizontal bar chart of ``n_bars`` bars."""
    return int(np.clip(150 + 24 * n_bars, 320, 900))


def chosen_orders(orders: Collection[int] | None, available: Sequence[int], *, owner: str) -> set[int]:
    """The orders asked for (every available one when None), each checked to be available.

    Examples
    --------
    >>> sorted(chosen_orders(None, (1, 2), owner="f")), sorted(chosen_orders([2], (1, 2), owner="f"))
    ([1, 2], [2])
    """
    if orders is None:
        return set(available)
    chosen = {check_in(k, tuple(available), name="orders", owner=owner) for k in orders}
    if not chosen:
        raise InputValidationError(
            f"The 'orders' parameter of {owner} must name at least one order. Got {orders!r} instead."
        )
    return chosen


def vector(values: Any, *, name: str, owner: str, min_length: int = 1) -> np.ndarray:
    """``values`` as a 1-D float array of finite numbers, at least ``min_length`` long.

    Examples
    --------
    >>> vector([1, 2], name="y", owner="f").tolist()
    [1.0, 2.0]
    >>> vector([[1.0]], name="y", owner="f")
    Traceback (most recent call last):
    ...
    hnnviz.exceptions.InputValidationError: The 'y' parameter of f must be a 1-D array of finite numbers. Got shape (1, 1) instead.
    """  # noqa: E501
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise invalid(name, owner, "a 1-D array of finite numbers", type(values).__name__) from err
    if array.ndim != 1:
        raise invalid(name, owner, "a 1-D array of finite numbers", f"shape {array.shape}")
    if len(array) < min_length:
        raise invalid(name, owner, f"at least {min_length} long", f"length {len(array)}")
    if not np.isfinite(array).all():
        i = int(np.flatnonzero(~np.isfinite(array))[0])
        raise invalid(name, owner, "finite (no NaN or inf)", f"{array[i]} at index {i}")
    return array


def same_length(a: np.ndarray, b: np.ndarray, *, names: tuple[str, str], owner: str) -> None:
    """Raise :class:`InputValidationError` unless ``a`` and ``b`` have the same length."""
    if len(a) != len(b):
        raise invalid(names[1], owner, f"as long as '{names[0]}' ({len(a)})", f"length {len(b)}")


def invalid(name: str, owner: str, must: str, got: Any) -> InputValidationError:
    return InputValidationError(f"The '{name}' parameter of {owner} must be {must}. Got {got} instead.")


def style_axes(fig: go.Figure, *, x_title: str | None, y_title: str | None, **axes: Any) -> go.Figure:
    """Light grid, axis lines and titles (already escaped; None: left as they are) on every panel.

    ``axes`` are further settings for both axes.
    """
    common = {"showgrid": True, "gridcolor": _GRID, "zeroline": False, "showline": True, "linecolor": "#b0b7c3"}
    for update, title in ((fig.update_xaxes, x_title), (fig.update_yaxes, y_title)):
        update({**common, **axes, "automargin": True, **({} if title is None else {"title": {"text": title}})})
    return fig


def legend_on_top(fig: go.Figure) -> go.Figure:
    """A horizontal legend between the title (moved to the very top) and the plot, clear of the x axis title."""
    fig.update_layout(
        title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 14}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "xanchor": "left", "traceorder": "normal"},
    )
    return fig


def identity_scatter(
    x: np.ndarray, y: np.ndarray, *, hover: list[str], name: str, meta: str, colour: str = _POINT
) -> list[go.Scatter]:
    """Points ``(x, y)`` and the dashed line ``y = x`` across their range (meta ``"identity"``), in that order.

    Examples
    --------
    >>> points, line = identity_scatter(np.array([0.0, 2.0]), np.array([1.0, 3.0]), hover=["a", "b"],
    ...                                 name="rows", meta="predictions")
    >>> list(line.x), line.meta
    ([0.0, 3.0], 'identity')
    """
    low, high = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    opacity = float(np.clip(40 / np.sqrt(len(x)), 0.35, 0.85))
    return [
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={"size": 7, "color": colour, "opacity": opacity, "line": {"width": 0.5, "color": "white"}},
            hovertext=hover,
            hoverinfo="text",
            name=name,
            meta=meta,
        ),
        go.Scatter(
            x=[low, high],
            y=[low, high],
            mode="lines",
            line={"dash": "dash", "color": _IDENTITY, "width": 1.5},
            hoverinfo="skip",
            name="y = x",
            meta="identity",
        ),
    ]


def square_axes(fig: go.Figure, x: np.ndarray, y: np.ndarray) -> go.Figure:
    """The same range on both axes (5 % padding), one unit as long on x as on y."""
    low, high = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    pad = 0.05 * (high - low) or 0.5
    fig.update_xaxes(range=[low - pad, high + pad], constrain="domain")
    fig.update_yaxes(range=[low - pad, high + pad], scaleanchor="x", scaleratio=1, constrain="domain")
    return fig
