"""How a model trained and how well it does: loss curves, predictions, confusion matrix, model comparison.

Every trace carries a ``meta`` tag so tests and callers can find it without relying on trace order:
``"val-loss"``, ``"train-loss"``, ``"best-epoch"`` (:func:`loss_curves_figure`); ``"predictions"``,
``"identity"`` (:func:`prediction_figure`); ``"confusion"`` (:func:`confusion_figure`); ``"seed-scores"``,
``"mean-score"`` (:func:`model_scores_figure`).

Hover texts are written out in full (``hovertext``) rather than as plotly ``hovertemplate`` strings, so a
name such as ``"%{x}"`` is shown as it is; every user string is HTML-escaped first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from sklearn.metrics import confusion_matrix, r2_score, root_mean_squared_error

from .._messages import fmt_number
from .._validation import check_int
from ..exceptions import InputValidationError
from ._charts import (
    identity_scatter,
    invalid,
    legend_on_top,
    model_colour,
    same_length,
    square_axes,
    style_axes,
    vector,
)
from ._common import METRIC_LABELS, finish_layout, log_ticks, plot_text

if TYPE_CHECKING:
    from ..model import EpochRecord
    from ..workflows import Comparison, ModelRecord

__all__ = ["confusion_figure", "loss_curves_figure", "model_scores_figure", "prediction_figure"]

_MEAN_OFFSET = 0.12  # the mean mark sits right of the model's tick, its seeds left of it
_COLUMN_TITLE = 46  # characters of a title line in a figure drawn in half the page's width


# --------------------------------------------------------------------------------------------------------
# Loss curves
# --------------------------------------------------------------------------------------------------------


def loss_curves_figure(histories: Mapping[str, Sequence[EpochRecord]], *, max_epochs: int | None = None) -> go.Figure:
    """Training and validation loss per epoch of one or more models, for a live or finished run.

    Parameters
    ----------
    histories : mapping of str to sequence of EpochRecord
        Each model's epochs so far (:attr:`hnnviz.model.TrainResult.history`, or the records a training
        callback has received). Empty sequences, or an empty mapping, give the empty frame.
    max_epochs : int, optional
        Fix the x axis to ``[1, max_epochs]`` (further if a history is longer) so a live curve grows into
        a steady frame; by default the axis fits the epochs drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        Per model with records, in the mapping's order and one colour each: a solid ``"val-loss"`` line, a
        dashed ``"train-loss"`` line and a ``"best-epoch"`` diamond on the validation line at its best epoch
        (the last record with ``best=True``; none if no record is best). The y axis is logarithmic when the
        positive losses span more than a factor of 10, with plain tick labels (1, 2 and 5 per decade over
        three decades at most, else powers of ten).

    Raises
    ------
    InputValidationError
        If ``max_epochs`` is not an int >= 1 or a history holds something other than ``EpochRecord``.

    Examples
    --------
    >>> from hnnviz.model import EpochRecord
    >>> history = [EpochRecord(1, 1.0, 1.2, True, 0.1), EpochRecord(2, 0.5, 0.9, True, 0.1),
    ...            EpochRecord(3, 0.2, 1.0, False, 0.1)]
    >>> fig = loss_curves_figure({"hnn": history}, max_epochs=10)
    >>> [(t.meta, list(t.y)) for t in fig.data]
    [('val-loss', [1.2, 0.9, 1.0]), ('train-loss', [1.0, 0.5, 0.2]), ('best-epoch', [0.9])]
    >>> list(fig.layout.xaxis.range)
    [1, 10]
    >>> loss_curves_figure({}).layout.title.text
    'Loss per epoch: waiting for the first epoch'
    """
    owner = "loss_curves_figure"
    if max_epochs is not None:
        max_epochs = check_int(max_epochs, name="max_epochs", owner=owner, low=1)
    records = {name: _epoch_records(history, name, owner) for name, history in histories.items()}
    traces = [
        trace
        for i, (name, history) in enumerate(records.items())
        if history
        for trace in _loss_traces(plot_text(str(name)), history, model_colour(i))
    ]
    fig = go.Figure(traces)
    finish_layout(fig, title=_loss_title(records, max_epochs), height=430, legend=True, top=90)
    legend_on_top(fig)
    style_axes(fig, x_title="epoch", y_title="loss")
    return _loss_axes(fig, records, max_epochs)


def _loss_axes(fig: go.Figure, records: Mapping[Any, list[EpochRecord]], max_epochs: int | None) -> go.Figure:
    """x from 1 to ``max_epochs`` (or the last epoch, if later); a log y axis for losses over a decade apart."""
    last = max((r.epoch for history in records.values() for r in history), default=0)
    if max_epochs is not None or not last:
        fig.update_xaxes(range=[1, max(max_epochs or 10, last)])
    if not last:
        fig.update_yaxes(range=[0, 1])
    losses = np.array([v for history in records.values() for r in history for v in (r.train_loss, r.val_loss)])
    positive = losses[np.isfinite(losses) & (losses > 0)]
    if len(positive) and positive.max() > 10 * positive.min():
        values, texts = log_ticks(float(positive.min()), float(positive.max()))
        fig.update_yaxes(type="log", tickvals=values, ticktext=texts, minor={"showgrid": False})
    return fig


def _epoch_records(history: Sequence[EpochRecord], name: Any, owner: str) -> list[EpochRecord]:
    from ..model import EpochRecord

    history = list(history)
    wrong = [r for r in history if not isinstance(r, EpochRecord)]
    if wrong:
        raise InputValidationError(
            f"The 'histories' parameter of {owner} must map names to sequences of EpochRecord. "
            f"Got {type(wrong[0]).__name__} in the history of {name!r} instead."
        )
    return history


def _loss_traces(name: str, history: list[EpochRecord], colour: str) -> list[go.Scatter]:
    """Validation (solid), training (dashed) and the best-epoch diamond of one model."""
    epochs = [r.epoch for r in history]
    traces = []
    for meta, part, values, dash in (
        ("val-loss", "validation", [r.val_loss for r in history], "solid"),
        ("train-loss", "training", [r.train_loss for r in history], "dash"),
    ):
        hover = [f"{name}<br>epoch {e}<br>{part} loss {fmt_number(v)}" for e, v in zip(epochs, values, strict=True)]
        traces.append(
            go.Scatter(
                x=epochs,
                y=values,
                mode="lines+markers" if len(history) == 1 else "lines",
                line={"color": colour, "dash": dash, "width": 2.2 if dash == "solid" else 1.6},
                hovertext=hover,
                hoverinfo="text",
                name=f"{name} {part}".strip(),
                legendgroup=name,
                meta=meta,
            )
        )
    best = [r for r in history if r.best]
    if best:
        b = best[-1]
        traces.append(
            go.Scatter(
                x=[b.epoch],
                y=[b.val_loss],
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": colour, "line": {"width": 1.5, "color": "white"}},
                hovertext=[f"{name}<br>best epoch {b.epoch}<br>validation loss {fmt_number(b.val_loss)}"],
                hoverinfo="text",
                name=f"{name} best epoch".strip(),
                legendgroup=name,
                showlegend=False,
                cliponaxis=False,
                meta="best-epoch",
            )
        )
    return traces


def _loss_title(records: Mapping[Any, list[EpochRecord]], max_epochs: int | None) -> str:
    drawn = [history for history in records.values() if history]
    if not drawn:
        return "Loss per epoch: waiting for the first epoch"
    last = max(history[-1].epoch for history in drawn)
    progress = f"epoch {last}" + ("" if max_epochs is None else f" of {max_epochs}")
    return f"Loss per epoch ({progress}): validation solid, training dashed, ◆ best validation epoch"


# --------------------------------------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------------------------------------


def prediction_figure(y_true: Sequence[float], y_pred: Sequence[float], *, name: str = "") -> go.Figure:
    """Regression: each row's prediction against its actual value, with the line ``y = x``.

    Parameters
    ----------
    y_true, y_pred : sequence of float
        Actual and predicted targets of the same rows (at least 2), in original units.
    name : str, default ""
        What is predicted or by which model, shown in the title.

    Returns
    -------
    plotly.graph_objects.Figure
        A ``"predictions"`` point per row (x actual, y predicted) and the ``"identity"`` line; the name, R²
        and RMSE in the title (wrapped to fit half the page). Both axes share one range and scale; numbers
        are written with thousands separators, never as ``1.8e+05``.

    Raises
    ------
    InputValidationError
        If the inputs are not 1-D finite numbers, differ in length, or hold fewer than 2 rows.

    Examples
    --------
    >>> fig = prediction_figure([1.0, 2.0, 3.0], [1.0, 2.5, 2.5], name="hnn")
    >>> fig.layout.title.text
    'hnn: R² 0.750, RMSE 0.408 on 3 test rows'
    """
    owner = "prediction_figure"
    actual = vector(y_true, name="y_true", owner=owner, min_length=2)
    predicted = vector(y_pred, name="y_pred", owner=owner, min_length=2)
    same_length(actual, predicted, names=("y_true", "y_pred"), owner=owner)
    hover = [
        f"row {i}<br>actual {fmt_number(a)}<br>predicted {fmt_number(p)}<br>error {'+' if p >= a else ''}"
        f"{fmt_number(p - a)}"
        for i, (a, p) in enumerate(zip(actual, predicted, strict=True))
    ]
    fig = go.Figure(identity_scatter(actual, predicted, hover=hover, name="rows", meta="predictions"))
    r2, rmse = r2_score(actual, predicted), root_mean_squared_error(actual, predicted)
    label = f"{plot_text(name)}: " if name else ""
    title = f"{label}R² {r2:.3f}, RMSE {fmt_number(rmse, 3)} on {len(actual):,} test rows"
    finish_layout(fig, title=title, height=520, wrap=_COLUMN_TITLE)
    style_axes(fig, x_title="actual", y_title="predicted", tickformat=",~r")
    return square_axes(fig, actual, predicted)


# --------------------------------------------------------------------------------------------------------
# Confusion matrix
# --------------------------------------------------------------------------------------------------------


def confusion_figure(
    y_true: Sequence[int], y_pred: Sequence[int], classes: Sequence[Any], *, name: str = ""
) -> go.Figure:
    """Classification: how often each actual class is predicted as each class.

    Parameters
    ----------
    y_true, y_pred : sequence of int
        Actual and predicted class codes ``0 .. K-1`` of the same rows.
    classes : sequence
        The ``K`` class labels (strings or numbers; ``classes[k]`` is the label of code ``k``).
    name : str, default ""
        Which model predicted, shown in the title.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``"confusion"`` heatmap with a cell per (actual, predicted) pair: ``z`` the share of the actual
        class's rows (each row of the matrix sums to 1, or 0 for a class without rows), the count written in
        the cell (``text``); actual classes down the y axis, predicted across x, class ``0`` top left, both
        category axes labelled with the (escaped) class names. The name and the accuracy are in the title.

    Raises
    ------
    InputValidationError
        If the codes differ in length, are empty, or are not ints in ``0 .. K-1``, or ``classes`` is empty.

    Examples
    --------
    >>> fig = confusion_figure([0, 0, 1, 1], [0, 1, 1, 1], ["no", "yes"], name="HNN")
    >>> fig.data[0].text.tolist(), fig.data[0].z.tolist()
    ([[1, 1], [0, 2]], [[0.5, 0.5], [0.0, 1.0]])
    >>> fig.layout.title.text
    'HNN: accuracy 75.0% (3 of 4 test rows)'
    >>> list(fig.data[0].x), fig.layout.xaxis.type
    (['no', 'yes'], 'category')
    """
    owner = "confusion_figure"
    labels = [plot_text(str(c)) for c in classes]
    if not labels:
        raise invalid("classes", owner, "a non-empty sequence of class labels", "an empty sequence")
    actual = _codes(y_true, len(labels), name="y_true", owner=owner)
    predicted = _codes(y_pred, len(labels), name="y_pred", owner=owner)
    same_length(actual, predicted, names=("y_true", "y_pred"), owner=owner)
    counts = confusion_matrix(actual, predicted, labels=np.arange(len(labels)))
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    hover = [
        [
            f"actual {labels[i]}, predicted {labels[j]}<br>{counts[i, j]} of {totals[i, 0]} rows ({share[i, j]:.1%})"
            for j in range(len(labels))
        ]
        for i in range(len(labels))
    ]
    heatmap = go.Heatmap(
        x=labels,
        y=labels,
        z=share,
        zmin=0,
        zmax=1,
        colorscale="Blues",
        text=counts,
        texttemplate="%{text}<br>%{z:.0%}",  # count and row share; no user text in the template
        hovertext=hover,
        hoverinfo="text",
        colorbar={"title": {"text": "share of<br>actual class"}, "thickness": 12, "tickformat": ".0%"},
        xgap=1,
        ygap=1,
        meta="confusion",
    )
    fig = go.Figure([heatmap])
    correct = int(np.trace(counts))
    label = f"{plot_text(name)}: " if name else "Confusion matrix: "
    title = f"{label}accuracy {correct / len(actual):.1%} ({correct:,} of {len(actual):,} test rows)"
    finish_layout(fig, title=title, height=int(np.clip(220 + 45 * len(labels), 360, 760)), wrap=_COLUMN_TITLE)
    # category axes (class names such as "0" and "1" would otherwise be read as numbers), in the classes' order
    style_axes(fig, x_title="predicted class", y_title="actual class", showgrid=False, type="category",
               categoryorder="array", categoryarray=labels)  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    return fig


def _codes(values: Sequence[int], n_classes: int, *, name: str, owner: str) -> np.ndarray:
    """Class codes as an int array, each in ``0 .. n_classes - 1``."""
    array = vector(values, name=name, owner=owner)
    if (array != np.round(array)).any() or array.min() < 0 or array.max() >= n_classes:
        bad = array[(array != np.round(array)) | (array < 0) | (array >= n_classes)][0]
        raise invalid(name, owner, f"class codes, ints in [0, {n_classes - 1}]", repr(bad.item()))
    return array.astype(np.int64)


# --------------------------------------------------------------------------------------------------------
# Model comparison
# --------------------------------------------------------------------------------------------------------


def model_scores_figure(comparison: Comparison) -> go.Figure:
    """The primary test metric of every model of a comparison, one point per seed, with mean and spread.

    Parameters
    ----------
    comparison : Comparison
        As returned by :func:`hnnviz.workflows.compare_models`.

    Returns
    -------
    plotly.graph_objects.Figure
        Per model, in ``comparison.models`` order at x positions ``0, 1, ...`` (tick labels: the escaped
        names): a ``"seed-scores"`` trace with one point per seed (``customdata``: the seeds; hover: the
        metric, parameters or tree nodes, and fit seconds) spread slightly sideways so equal scores stay
        visible, and a ``"mean-score"`` bar mark at the mean with ±1 standard deviation error bars
        (``Comparison.summary``).

    Examples
    --------
    >>> from hnnviz.workflows import Comparison, ModelRecord
    >>> records = tuple(ModelRecord(m, s, {"r2": r2}, 10, 0.5, (0, 1)) for m, s, r2 in
    ...                 [("hnn", 0, 0.5), ("linear", 0, 0.4), ("hnn", 1, 0.7), ("linear", 1, 0.4)])
    >>> fig = model_scores_figure(Comparison("regression", "r2", ("hnn", "linear"), (0, 1), records))
    >>> [(t.meta, list(t.y)) for t in fig.data if t.meta == "seed-scores"]
    [('seed-scores', [0.5, 0.7]), ('seed-scores', [0.4, 0.4])]
    >>> fig.layout.title.text
    'Test R² of 2 models over 2 seeds: each seed a dot, mean ± 1 std'
    """
    summary = {row["model"]: row for row in comparison.summary()}
    metric = METRIC_LABELS.get(comparison.metric, plot_text(comparison.metric))
    traces = []
    for i, model in enumerate(comparison.models):
        records = comparison.of(model)
        traces += _seed_trace(i, plot_text(model), records, comparison.metric, metric)
        traces.append(_mean_trace(i, plot_text(model), summary[model], metric))
    fig = go.Figure(traces)
    dataset = f"{plot_text(comparison.dataset_name)}: t" if comparison.dataset_name else "T"
    title = (
        f"{dataset}est {metric} of {len(comparison.models)} models over {len(comparison.seeds)} seeds: "
        "each seed a dot, mean ± 1 std"
    )
    finish_layout(fig, title=title, height=450)
    ticks = list(range(len(comparison.models)))
    style_axes(fig, x_title="model", y_title=f"test {metric}")
    fig.update_xaxes(
        tickvals=ticks,
        ticktext=[plot_text(m) for m in comparison.models],
        range=[-0.6, len(ticks) - 0.4],
        showgrid=False,
    )
    return fig


def _seed_trace(i: int, name: str, records: Sequence[ModelRecord], key: str, metric: str) -> list[go.Scatter]:
    """One point per seed left of ``x = i`` (spread so equal scores stay apart; the mean is drawn right of it)."""
    n = len(records)
    offsets = np.linspace(-0.3, -0.06, n) if n > 1 else np.full(1, -0.12)
    hover = [
        f"{name}, seed {r.seed}<br>{metric} {fmt_number(r.metrics[key])}<br>{r.n_params:,} {r.size_unit}"
        f"<br>fit {r.seconds:.2f} s" + ("" if r.epochs_run is None else f", {r.epochs_run} epochs")
        for r in records
    ]
    return [
        go.Scatter(
            x=i + offsets,
            y=[r.metrics[key] for r in records],
            customdata=[r.seed for r in records],
            mode="markers",
            marker={"size": 9, "color": model_colour(i), "opacity": 0.75, "line": {"width": 1, "color": "white"}},
            hovertext=hover,
            hoverinfo="text",
            name=name,
            showlegend=False,
            meta="seed-scores",
        )
    ]


def _mean_trace(i: int, name: str, row: Mapping[str, Any], metric: str) -> go.Scatter:
    """A wide dash at the model's mean score with ±1 std error bars."""
    ratio = "" if row["params_vs_hnn"] is None else f" ({fmt_number(row['params_vs_hnn'], 2)} times the HNN's)"
    hover = (
        f"<b>{name}</b><br>{metric} {fmt_number(row['mean'])} ± {fmt_number(row['std'], 2)} over {row['n_seeds']} seeds"
        f"<br>{row['n_params']:,.0f} {row['size_unit']}{ratio}<br>fit {row['seconds']:.2f} s on average"
    )
    return go.Scatter(
        x=[i + _MEAN_OFFSET],
        y=[row["mean"]],
        error_y={"type": "data", "array": [row["std"]], "color": "#222222", "thickness": 1.5, "width": 14},
        mode="markers",
        marker={"symbol": "line-ew", "size": 34, "line": {"width": 3, "color": "#222222"}},
        hovertext=[hover],
        hoverinfo="text",
        name=f"{name} mean",
        showlegend=False,
        meta="mean-score",
    )
