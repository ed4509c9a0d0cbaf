"""Tests of hnnviz.viz.explain: rankings, the order waterfall and faithfulness figures hold the data given."""

from __future__ import annotations

import html
import json
from dataclasses import replace

import numpy as np
import pytest
from test_viz_graph import NASTY, all_strings, traces
from test_viz_training import assert_escaped

from hnnviz._messages import ORDER_NAMES
from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import Curve, deletion_insertion, explain, order_split
from hnnviz.model import train_run
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.viz import (
    deletion_insertion_figure,
    feature_importance_figure,
    knockout_figure,
    order_waterfall_figure,
    ranking_figure,
)


@pytest.fixture(scope="module")
def setup():
    """A small trained HNN, its test rows and their gradient-x-activation attribution."""
    ds = load_sample("diabetes")
    run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=5))
    rows = run.result.split.test
    return run, ds.X[rows], ds.y[rows], ds.X[run.result.split.train]


@pytest.fixture(scope="module")
def attribution(setup):
    run, X, _, _ = setup
    return explain(run, X)


@pytest.fixture(scope="module")
def curves(setup, attribution):
    run, X, y, background = setup
    return deletion_insertion(run, X, y, attribution, background=background, n_points=5, n_random=8)


def bars(fig, meta: str) -> list[tuple[int, float, str]]:
    """(rank, value, trace name) of every bar, by rank."""
    return sorted((y, x, t.name) for t in traces(fig, meta) for x, y in zip(t.x, t.y, strict=True))


def curve(kind: str, values, random_values, band: tuple[float, float]) -> Curve:
    fractions = np.linspace(0, 1, len(values))
    values, random_values = np.asarray(values, dtype=float), np.asarray(random_values, dtype=float)
    area = float(np.trapezoid(values, fractions))
    return Curve(
        kind, fractions, values, random_values, area, float(np.trapezoid(random_values, fractions).mean()), band
    )


# ---- rankings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", [None, 3])
def test_ranking_bars_are_the_ranking_in_order(attribution, row):
    fig = ranking_figure(attribution, top=12, row=row)
    expected = attribution.ranking(row, top=12)
    drawn = bars(fig, "simplices")
    assert [rank for rank, _, _ in drawn] == list(range(12))
    assert [value for _, value, _ in drawn] == [s.score for s in expected]
    assert [name for _, _, name in drawn] == [ORDER_NAMES[s.order] for s in expected]
    assert list(fig.layout.yaxis.ticktext) == [" · ".join(s.features) for s in expected]
    assert fig.layout.yaxis.autorange == "reversed"  # rank 0, the biggest, at the top
    if row is None:
        assert all(value >= 0 for _, value, _ in drawn)
    else:
        assert any(value < 0 for _, value, _ in drawn)  # one row is signed
        assert [abs(v) for _, v, _ in drawn] == sorted((abs(v) for _, v, _ in drawn), reverse=True)
    assert all(len({ORDER_NAMES.index(t.name)}) == 1 for t in fig.data)  # one trace per order


def test_ranking_bars_carry_their_simplex_for_a_click(attribution, setup):
    """A click on a bar selects its simplex: ``customdata`` holds its vertex indices, in the run's feature order."""
    names = setup[0].feature_names
    fig = ranking_figure(attribution, top=12)
    clicked = sorted((y, tuple(names[v] for v in c)) for t in fig.data for y, c in zip(t.y, t.customdata, strict=True))
    assert [features for _, features in clicked] == [s.features for s in attribution.ranking(top=12)]


def test_ranking_orders_filter_which_simplices_are_ranked(attribution):
    fig = ranking_figure(attribution, top=5, orders=[2, 3])
    expected = [s for s in attribution.ranking() if s.order in (2, 3)][:5]
    assert [value for _, value, _ in bars(fig, "simplices")] == [s.score for s in expected]
    assert {t.name for t in fig.data} <= {"triangles", "tetrahedra"}


def test_ranking_shows_all_when_top_exceeds_the_simplices(attribution):
    n = sum(s.shape[1] for s in attribution.scores[1:])
    assert len(bars(ranking_figure(attribution, top=10_000), "simplices")) == n


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"top": 0}, r"'top' parameter of ranking_figure must be an int in \[1, inf\]. Got 0"),
        ({"orders": [7]}, "'orders' parameter of ranking_figure must be one of 1, 2, 3. Got 7"),
        ({"orders": [0]}, "'orders' .* must be one of 1, 2, 3. Got 0"),
        ({"orders": []}, "'orders' .* must name at least one order"),
        ({"row": 10_000}, "'row' parameter of ranking_figure must be an int in"),
    ],
)
def test_ranking_rejects_bad_input(attribution, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        ranking_figure(attribution, **kwargs)


def test_feature_importance_bars_add_up_to_the_lifted_importance(attribution):
    fig = feature_importance_figure(attribution, top=6)
    expected = list(attribution.feature_importance().items())[:6]
    assert list(fig.layout.yaxis.ticktext) == [name for name, _ in expected]
    assert [t.name for t in fig.data] == list(ORDER_NAMES[: len(attribution.scores)])
    totals = np.sum([np.asarray(t.x) for t in fig.data], axis=0)
    np.testing.assert_allclose(totals, [value for _, value in expected])
    assert all(list(t.y) == list(range(6)) for t in fig.data)
    with pytest.raises(InputValidationError, match="'top' parameter of feature_importance_figure"):
        feature_importance_figure(attribution, top=0)


# ---- order waterfall -------------------------------------------------------------------------------------


def test_waterfall_steps_are_the_split_row_and_its_total_the_prediction(setup):
    run, X, _, _ = setup
    split = order_split(run, X[:1])[0]
    fig = order_waterfall_figure(split)
    (waterfall,) = traces(fig, "order-split")
    n = len(split)
    assert list(waterfall.measure) == ["absolute", *["relative"] * (n - 1), "total"]
    np.testing.assert_array_equal(waterfall.y[:-1], split)
    assert waterfall.y[-1] == pytest.approx(split.sum())
    assert waterfall.y[-1] == pytest.approx(float(np.ravel(run.predict(X[:1]))[0]), rel=1e-5)
    assert list(fig.layout.xaxis.ticktext) == ["constant", *ORDER_NAMES[: n - 1], "prediction"]


@pytest.mark.parametrize(
    ("row", "kwargs", "match"),
    [
        ([1.0, 2.0], {"order_names": ["a", "b"]}, "'order_names' .* must name each of the 1 orders.*Got 2 names"),
        ([[1.0, 2.0]], {}, r"'split_row' parameter of order_waterfall_figure must be a 1-D array.*shape \(1, 2\)"),
        ([1.0], {}, "'split_row' .* must be at least 2 long"),
        ([1.0, np.inf], {}, "'split_row' .* must be finite"),
    ],
)
def test_waterfall_rejects_bad_input(row, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        order_waterfall_figure(row, **kwargs)


# ---- deletion / insertion --------------------------------------------------------------------------------


def test_deletion_insertion_band_lies_between_the_random_percentiles(curves):
    fig = deletion_insertion_figure(curves, metric_name="R²")
    for panel, (c, band, mean, ours) in enumerate(
        zip(curves, traces(fig, "random-band"), traces(fig, "random-mean"), traces(fig, "ranking-curve"), strict=True)
    ):
        n = len(c.fractions)
        y = np.asarray(band.y, dtype=float)
        upper, lower = y[:n], y[n:][::-1]
        np.testing.assert_allclose(upper, np.percentile(c.random_values, 95, axis=0))
        np.testing.assert_allclose(lower, np.percentile(c.random_values, 5, axis=0))
        assert (lower <= upper).all()
        np.testing.assert_array_equal(band.x, [*c.fractions, *c.fractions[::-1]])
        np.testing.assert_allclose(mean.y, c.random_values.mean(axis=0))
        np.testing.assert_array_equal(ours.x, c.fractions)
        np.testing.assert_array_equal(ours.y, c.values)
        assert band.xaxis == ("x" if panel == 0 else f"x{panel + 1}")
        assert f"area {c.area:.3f}; random {c.random_area:.3f}" in fig.layout.annotations[panel].text
    assert fig.layout.yaxis.title.text == "R²"


def test_deletion_insertion_title_gives_each_verdict():
    random = [[1.0, 0.6, 0.2], [1.0, 0.4, 0.0]]
    beats = curve("deletion", [1.0, 0.0, 0.0], random, (0.5, 0.6))
    loses = curve("insertion", [0.0, 0.1, 0.2], random, (0.5, 0.6))
    assert beats.beats_random and not loses.beats_random
    fig = deletion_insertion_figure([beats, loses])
    assert fig.layout.title.text.startswith("Deletion beats random; insertion does not beat random")
    assert "does not beat random" in fig.layout.annotations[1].text
    assert [t.showlegend for t in fig.data] == [True] * 3 + [False] * 3  # one legend entry each


@pytest.mark.parametrize(
    ("curves_", "match"),
    [
        ([], "'curves' parameter of deletion_insertion_figure must hold at least one Curve"),
        ([curve("sideways", [1.0, 0.0], [[1.0, 0.0]], (0.0, 1.0))], "must be one of 'deletion', 'insertion'"),
        ([replace(curve("deletion", [1.0, 0.0], [[1.0, 0.0]], (0, 1)), random_values=np.zeros((2, 3)))],
         r"random_values have shape \(n_random, 2\). Got shape \(2, 3\)"),
        ([replace(curve("deletion", [1.0, 0.0], [[1.0, 0.0]], (0, 1)), values=np.zeros(3))],
         r"'values' .* must be as long as 'fractions' \(2\)"),
    ],
)  # fmt: skip
def test_deletion_insertion_rejects_bad_curves(curves_, match):
    with pytest.raises(InputValidationError, match=match):
        deletion_insertion_figure(curves_)


# ---- knock-out -------------------------------------------------------------------------------------------


def test_knockout_plots_each_row_before_against_after(setup):
    run, X, _, _ = setup
    before = run.predict(X).ravel()
    after = before * 0.5 + 10
    fig = knockout_figure(before, after, metric_name="R²", metric_before=0.4, metric_after=0.1)
    (points,) = traces(fig, "predictions")
    np.testing.assert_array_equal(points.x, before)
    np.testing.assert_array_equal(points.y, after)
    assert len(traces(fig, "identity")) == 1
    title = fig.layout.title.text
    assert "R² 0.4 → 0.1 (-0.3)" in title
    assert f"moved by {np.abs(after - before).mean():.3g} on average ({len(X)} rows)" in title


@pytest.mark.parametrize(
    ("before", "after", "kwargs", "match"),
    [
        ([1.0, 2.0], [1.0], {}, r"'after' parameter of knockout_figure must be as long as 'before' \(2\)"),
        ([1.0], [1.0], {"metric_after": float("nan")}, "'metric_after' .* must be a finite number"),
    ],
)
def test_knockout_rejects_bad_input(before, after, kwargs, match):
    metrics = {"metric_name": "R²", "metric_before": 0.5, "metric_after": 0.4, **kwargs}
    with pytest.raises(InputValidationError, match=match):
        knockout_figure(before, after, **metrics)


# ---- escaping --------------------------------------------------------------------------------------------


def test_user_strings_reach_plotly_only_escaped(attribution, curves):
    features = sorted({f for order in attribution.simplices for s in order for f in s})
    rename = dict(zip(features, [*NASTY, "a&b", *features[3:]], strict=True))
    nasty = replace(
        attribution,
        simplices=tuple(tuple(tuple(rename[f] for f in s) for s in order) for order in attribution.simplices),
    )
    # the nasty features must be among those shown: show them all
    for fig in (ranking_figure(nasty, top=10_000), ranking_figure(nasty, top=10_000, row=0)):
        assert_escaped(fig)
    assert_escaped(feature_importance_figure(nasty, top=10_000))
    assert_escaped(order_waterfall_figure([1.0, 2.0, 3.0], order_names=NASTY, title=NASTY[0]))
    assert_escaped(deletion_insertion_figure(curves, metric_name=" ".join(NASTY)))
    assert_escaped(
        knockout_figure([1.0, 2.0], [2.0, 1.0], metric_name=" ".join(NASTY), metric_before=1, metric_after=0)
    )
    strings = all_strings(json.loads(ranking_figure(nasty, top=10_000).to_json()))
    assert not any("a&b" in s for s in strings) and any(html.escape("a&b", quote=False) in s for s in strings)
