"""Tests of hnnviz.viz.training: loss curves, predictions, confusion matrix and model scores hold the data given."""

from __future__ import annotations

import html
import json
from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, r2_score, root_mean_squared_error
from test_viz_graph import NASTY, all_strings, traces

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import EpochRecord, train_run
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.viz import confusion_figure, loss_curves_figure, model_scores_figure, prediction_figure
from hnnviz.workflows import Comparison, compare_models


def assert_escaped(fig, names=NASTY) -> None:
    """No name reaches the figure raw, and each appears escaped somewhere."""
    text = fig.to_json()
    strings = all_strings(json.loads(text))
    for name in names:
        assert name not in text
        assert not any(name in s for s in strings)
        assert any(html.escape(name, quote=False) in s for s in strings), name
    assert not any("<script" in s for s in strings)


def record(epoch: int, train: float, val: float, best: bool = False) -> EpochRecord:
    return EpochRecord(epoch, train, val, best, 0.01)


@pytest.fixture(scope="module")
def regression_run():
    return train_run(load_sample("diabetes"), ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=5))


@pytest.fixture(scope="module")
def wine():
    return load_sample("wine")


@pytest.fixture(scope="module")
def classification_run(wine):
    return train_run(wine, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=5))


@pytest.fixture(scope="module")
def comparison(wine) -> Comparison:
    return compare_models(
        wine, seeds=(0, 1), models=("hnn", "linear", "gbm"), config=TrainConfig(defaults="mlp", epochs=3)
    )


# ---- loss curves -----------------------------------------------------------------------------------------


def test_loss_curves_hold_every_models_losses_in_its_own_colour(regression_run):
    history = regression_run.result.history
    other = [record(1, 2.0, 2.5, True), record(2, 1.5, 2.6), record(3, 1.0, 2.0, True), record(4, 0.9, 2.2)]
    fig = loss_curves_figure({"hnn": history, "mlp": other})
    for meta, field in (("val-loss", "val_loss"), ("train-loss", "train_loss")):
        hnn, mlp = traces(fig, meta)
        assert list(hnn.x) == [r.epoch for r in history] and list(mlp.x) == [1, 2, 3, 4]
        assert list(hnn.y) == [getattr(r, field) for r in history]
        assert list(mlp.y) == [getattr(r, field) for r in other]
    val, train = traces(fig, "val-loss"), traces(fig, "train-loss")
    assert [t.line.dash for t in val] == ["solid"] * 2 and [t.line.dash for t in train] == ["dash"] * 2
    assert [t.line.color for t in val] == [t.line.color for t in train]
    assert val[0].line.color != val[1].line.color
    hnn_best, mlp_best = traces(fig, "best-epoch")
    last_best = [r for r in history if r.best][-1]
    assert (list(hnn_best.x), list(hnn_best.y)) == ([last_best.epoch], [last_best.val_loss])
    assert (list(mlp_best.x), list(mlp_best.y)) == ([3], [2.0])  # the last best record, not the lowest loss
    assert mlp_best.marker.color == val[1].line.color


def test_loss_curves_fix_the_x_axis_to_max_epochs_and_grow_past_it():
    history = [record(e, 1.0 / e, 1.2 / e, e == 1) for e in range(1, 4)]
    assert list(loss_curves_figure({"a": history}, max_epochs=50).layout.xaxis.range) == [1, 50]
    assert list(loss_curves_figure({"a": history}, max_epochs=2).layout.xaxis.range) == [1, 3]
    assert loss_curves_figure({"a": history}).layout.xaxis.range is None  # fits the data
    assert "epoch 3 of 50" in loss_curves_figure({"a": history}, max_epochs=50).layout.title.text


def test_loss_axis_is_logarithmic_only_when_losses_span_more_than_a_decade():
    flat = [record(1, 1.0, 2.0, True), record(2, 0.5, 1.5)]
    steep = [record(1, 5.0, 6.0, True), record(2, 0.1, 0.4)]
    assert loss_curves_figure({"a": flat}).layout.yaxis.type != "log"
    assert loss_curves_figure({"a": steep}).layout.yaxis.type == "log"


@pytest.mark.parametrize(
    ("low", "high", "texts"),
    [
        (0.1, 6.0, ["0.1", "0.2", "0.5", "1", "2", "5"]),
        (1e-4, 30.0, ["0.0001", "0.001", "0.01", "0.1", "1", "10"]),  # many decades: powers of ten only
    ],
)
def test_a_log_loss_axis_has_plain_increasing_ticks(low, high, texts):
    history = [record(1, high, high, True), record(2, low, low)]
    axis = loss_curves_figure({"a": history}).layout.yaxis
    assert list(axis.ticktext) == texts
    assert list(axis.tickvals) == sorted(axis.tickvals)


@pytest.mark.parametrize("histories", [{}, {"hnn": []}, {"hnn": (), "mlp": []}])
def test_empty_histories_give_the_waiting_frame(histories):
    fig = loss_curves_figure(histories, max_epochs=30)
    assert len(fig.data) == 0
    assert fig.layout.title.text == "Loss per epoch: waiting for the first epoch"
    assert list(fig.layout.xaxis.range) == [1, 30]


def test_a_history_without_a_best_epoch_has_no_marker():
    fig = loss_curves_figure({"a": [record(1, 1.0, 1.0), record(2, 0.9, 1.1)]})
    assert traces(fig, "best-epoch") == [] and len(traces(fig, "val-loss")) == 1


@pytest.mark.parametrize(
    ("histories", "kwargs", "match"),
    [
        ({}, {"max_epochs": 0}, r"'max_epochs' parameter of loss_curves_figure must be an int in \[1, inf\]"),
        ({"a": [(1, 0.5, 0.6)]}, {}, "must map names to sequences of EpochRecord. Got tuple in the history of 'a'"),
    ],
)
def test_loss_curves_reject_bad_input(histories, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        loss_curves_figure(histories, **kwargs)


# ---- predictions -----------------------------------------------------------------------------------------


def test_prediction_figure_plots_each_row_and_reports_sklearns_scores(regression_run):
    ds = load_sample("diabetes")
    rows = regression_run.result.split.test
    actual, predicted = ds.y[rows], regression_run.predict(ds.X[rows]).ravel()
    fig = prediction_figure(actual, predicted, name="hnn")
    (points,) = traces(fig, "predictions")
    np.testing.assert_array_equal(points.x, actual)
    np.testing.assert_array_equal(points.y, predicted)
    (line,) = traces(fig, "identity")
    low, high = min(actual.min(), predicted.min()), max(actual.max(), predicted.max())
    assert list(line.x) == list(line.y) == [low, high]
    title = fig.layout.title.text
    assert f"R² {r2_score(actual, predicted):.3f}" in title
    assert f"RMSE {root_mean_squared_error(actual, predicted):.3g}" in title
    assert title.startswith("hnn: ") and f"on {len(rows)} test rows" in title
    assert list(fig.layout.xaxis.range) == list(fig.layout.yaxis.range)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "match"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], r"'y_pred' parameter of prediction_figure must be as long as 'y_true' \(3\)"),
        ([1.0, np.nan], [1.0, 2.0], "'y_true' .* must be finite"),
        ([1.0], [1.0], "must be at least 2 long. Got length 1"),
        ([[1.0, 2.0]], [[1.0, 2.0]], r"must be a 1-D array of finite numbers. Got shape \(1, 2\)"),
        (["a", "b"], [1.0, 2.0], "must be a 1-D array of finite numbers"),
    ],
)
def test_prediction_figure_rejects_bad_input(y_true, y_pred, match):
    with pytest.raises(InputValidationError, match=match):
        prediction_figure(y_true, y_pred)


# ---- confusion matrix ------------------------------------------------------------------------------------


def test_confusion_figure_has_one_cell_per_class_pair_with_sklearns_counts(classification_run, wine):
    rows = classification_run.result.split.test
    actual = wine.y[rows]
    predicted = classification_run.predict(wine.X[rows]).argmax(axis=1)
    fig = confusion_figure(actual, predicted, wine.classes, name="HNN")
    (heat,) = traces(fig, "confusion")
    k = len(wine.classes)
    expected = confusion_matrix(actual, predicted, labels=range(k))
    names = [str(c) for c in wine.classes]
    assert np.shape(heat.z) == (k, k) and list(heat.x) == list(heat.y) == names
    np.testing.assert_array_equal(heat.text, expected)
    np.testing.assert_allclose(np.asarray(heat.z), expected / expected.sum(axis=1, keepdims=True))
    accuracy = np.trace(expected) / len(rows)
    assert fig.layout.title.text == f"HNN: accuracy {accuracy:.1%} ({np.trace(expected)} of {len(rows)} test rows)"


def test_confusion_figure_class_axes_carry_the_class_names_in_order_even_when_they_look_like_numbers():
    fig = confusion_figure([0, 1, 2], [0, 1, 1], [10, 2, 1])
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.type == "category" and list(axis.categoryarray) == ["10", "2", "1"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first class top left


def test_a_long_model_name_wraps_the_title_instead_of_being_cut():
    fig = confusion_figure([0, 1], [0, 1], ["a", "b"], name="HNN up to triangles, 4 channels per simplex")
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) == 2 and all(len(line) <= 46 for line in lines)
    assert fig.layout.margin.t > 50  # room for the second line


def test_a_class_without_rows_gets_a_zero_row():
    fig = confusion_figure([0, 0], [0, 2], ["a", "b", "c"])
    (heat,) = traces(fig, "confusion")
    assert np.asarray(heat.z).tolist() == [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "classes", "match"),
    [
        ([0, 1], [0, 2], ["a", "b"], r"'y_pred' parameter of confusion_figure must be class codes, ints in \[0, 1\]"),
        ([0, -1], [0, 1], ["a", "b"], r"'y_true' .* class codes, ints in \[0, 1\]. Got -1"),
        ([0, 0.5], [0, 1], ["a", "b"], "class codes.*Got 0.5"),
        ([0, 1, 1], [0, 1], ["a", "b"], r"'y_pred' .* must be as long as 'y_true' \(3\)"),
        ([], [], ["a"], "at least 1 long"),
        ([0], [0], [], "'classes' .* must be a non-empty sequence"),
    ],
)
def test_confusion_figure_rejects_bad_input(y_true, y_pred, classes, match):
    with pytest.raises(InputValidationError, match=match):
        confusion_figure(y_true, y_pred, classes)


def test_prediction_hover_writes_large_numbers_with_thousands_separators():
    fig = prediction_figure([181_100.0, 250_000.0], [180_000.0, 251_234.5], name="MLP")
    (points,) = traces(fig, "predictions")
    assert "actual 181,100" in points.hovertext[0] and "error -1,100" in points.hovertext[0]
    assert "e+0" not in " ".join(all_strings(fig))


# ---- model scores ----------------------------------------------------------------------------------------


def test_model_scores_has_one_point_per_model_and_seed_in_the_comparisons_order(comparison):
    fig = model_scores_figure(comparison)
    seeds, means = traces(fig, "seed-scores"), traces(fig, "mean-score")
    assert len(seeds) == len(means) == len(comparison.models)
    assert list(fig.layout.xaxis.ticktext) == list(comparison.models)
    summary = comparison.summary()
    for i, (model, points, mean, row) in enumerate(zip(comparison.models, seeds, means, summary, strict=True)):
        records = comparison.of(model)
        assert list(points.y) == [r.metrics[comparison.metric] for r in records]
        assert list(points.customdata) == list(comparison.seeds)
        assert all(abs(x - i) < 0.5 for x in points.x)  # near the model's tick
        assert list(mean.y) == [row["mean"]] and list(mean.error_y.array) == [row["std"]]
        unit = "nodes" if model == "gbm" else "params"
        assert all(f"{r.n_params:,} {unit}" in text and f"{r.seconds:.2f} s" in text for r, text in
                   zip(records, points.hovertext, strict=True))  # fmt: skip
    assert sum(len(t.y) for t in seeds) == len(comparison.records)
    assert "accuracy" in fig.layout.yaxis.title.text


# ---- escaping --------------------------------------------------------------------------------------------


def test_user_strings_reach_plotly_only_escaped(comparison):
    history = [record(1, 1.0, 1.1, True), record(2, 0.8, 0.9)]
    assert_escaped(loss_curves_figure({NASTY[0]: history, NASTY[1]: history}))
    assert_escaped(prediction_figure([1.0, 2.0], [1.5, 2.5], name=" ".join(NASTY)))
    assert_escaped(confusion_figure([0, 1, 1], [0, 1, 0], list(NASTY)))
    renamed = dict(zip(comparison.models, (*NASTY, "a&b"), strict=True))
    nasty = replace(
        comparison,
        models=tuple(renamed.values()),
        records=tuple(replace(r, model=renamed[r.model]) for r in comparison.records),
        dataset_name=NASTY[0],
    )
    fig = model_scores_figure(nasty)
    assert_escaped(fig)
    assert not any("a&b" in s for s in all_strings(json.loads(fig.to_json())))


def test_template_syntax_in_names_is_shown_as_it_is():
    fig = loss_curves_figure({"%{x}": [record(1, 1.0, 1.1, True)]})
    assert all(t.hovertemplate is None for t in fig.data)
    assert "%{x}<br>epoch 1" in traces(fig, "val-loss")[0].hovertext[0]
