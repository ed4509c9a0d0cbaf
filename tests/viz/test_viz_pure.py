"""Tests of hnnviz.viz.pure: the figures draw exactly the PureEffects values, escape names, end at the output."""

from __future__ import annotations

import dataclasses
import html

import numpy as np
import pytest
from test_viz_graph import NASTY, traces
from test_viz_training import assert_escaped

from hnnviz.data import make_planted
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import purify
from hnnviz.model import train_run
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.viz import pure_ranking_figure, pure_shape_figure, pure_waterfall_figure

NAMES = (*NASTY, "a&b", "d", "e", "f")


def _trained(task: str = "regression", names: tuple[str, ...] = NAMES):
    data = make_planted(n_rows=400, n_features=len(names), interactions=(2, 3), task=task, seed=0).dataset
    data = dataclasses.replace(data, feature_names=names)
    run = train_run(data, ModelSpec(channels=2), config=TrainConfig(defaults="hnn", epochs=3, seed=0))
    return run, data.X


@pytest.fixture(scope="module")
def setup():
    """A small HNN on planted data whose feature names look like markup, its pure effects and table."""
    run, X = _trained()
    return run, purify(run, X), X


def _one(pure, order: int):
    return next(e for e in pure.ranking(min_order=order) if e.order == order)


# ---- ranking ------------------------------------------------------------------------------------------------


def test_ranking_bars_are_the_importances_with_vertex_indices(setup):
    run, pure, _ = setup
    fig = pure_ranking_figure(pure, top=12)
    bars = traces(fig, "pure-effects")
    ranked = pure.ranking(min_order=0, top=12)
    drawn = sorted((rank, x, tuple(v)) for t in bars for rank, x, v in zip(t.y, t.x, t.customdata, strict=True))
    expected = [(i, e.importance, tuple(run.feature_names.index(f) for f in e.features)) for i, e in enumerate(ranked)]
    assert drawn == expected
    assert fig.layout.yaxis.ticktext[0] == " · ".join(html.escape(f, quote=False) for f in ranked[0].features)


def test_ranking_keeps_the_orders_asked_for(setup):
    _, pure, _ = setup
    fig = pure_ranking_figure(pure, top=5, orders=[1, 2])
    assert [t.name for t in traces(fig, "pure-effects")] <= ["edges", "triangles"]
    assert sum(len(t.x) for t in fig.data) == 5
    with pytest.raises(InputValidationError, match="'orders' parameter of pure_ranking_figure must be one of"):
        pure_ranking_figure(pure, orders=[7])
    with pytest.raises(InputValidationError, match="'top' parameter of pure_ranking_figure"):
        pure_ranking_figure(pure, top=0)


# ---- shapes -------------------------------------------------------------------------------------------------


def test_a_feature_is_its_curve_over_the_histogram_of_its_rows(setup):
    run, pure, X = setup
    effect = _one(pure, 0)
    fig = pure_shape_figure(pure, effect.features, X=X)
    (curve,), (density,) = traces(fig, "curve"), traces(fig, "density")
    np.testing.assert_array_equal(curve.x, effect.axes[0])
    np.testing.assert_array_equal(curve.y, effect.values)
    np.testing.assert_array_equal(density.x, X[:, run.feature_names.index(effect.features[0])])
    assert not traces(pure_shape_figure(pure, effect.features), "density")  # rows are optional


@pytest.mark.parametrize(("order", "maps"), [(1, 1), (2, 3), (3, 9)])
def test_pairs_are_maps_and_larger_terms_slices(setup, order, maps):
    _, pure, X = setup
    effect = _one(pure, order)
    fig = pure_shape_figure(pure, effect.features[::-1], X=X)  # any order of the names
    surfaces, rows = traces(fig, "surface"), traces(fig, "rows")
    assert len(surfaces) == len(rows) == maps
    middle = surfaces[maps // 2]
    cut = (slice(None), slice(None), *[len(a) // 2 for a in effect.axes[2:]])
    np.testing.assert_array_equal(np.asarray(middle.z), effect.values[cut].T)
    np.testing.assert_array_equal(middle.x, effect.axes[0])
    assert sum(len(r.x) for r in rows) == len(X)
    assert pure_shape_figure(pure, effect.features).data[0].meta == "surface"  # without rows
    with pytest.raises(InputValidationError, match=f"must be rows of {len(NAMES)} features"):
        pure_shape_figure(pure, effect.features, X=X[:, :3])


# ---- one row ------------------------------------------------------------------------------------------------


def test_the_waterfall_starts_at_the_intercept_and_ends_exactly_at_the_prediction(setup):
    run, pure, X = setup
    row = X[run.result.split.test[0]]
    contributions = pure.contributions(row[None])[0]
    prediction = float(run.predict(row[None])[0])
    fig = pure_waterfall_figure(pure, contributions, prediction=prediction, row=row, top=4)
    (waterfall,) = traces(fig, "pure-split")
    x = np.asarray(waterfall.x)
    assert waterfall.measure == ("absolute", "relative", "relative", "relative", "relative", "relative", "total")
    assert x[0] == pure.intercept and x[-1] == prediction
    assert x[:-1].sum() == pytest.approx(prediction, abs=1e-9)  # the bars add up to the last one
    largest = np.argsort(-np.abs(contributions))[:4]
    np.testing.assert_array_equal(x[1:5], contributions[largest])
    first = pure.effects[largest[0]]
    value = row[run.feature_names.index(first.features[0])]
    assert f"= {value:.3g}" in fig.layout.yaxis.ticktext[1]
    assert fig.layout.yaxis.ticktext[-2:] == (f"{len(pure.effects) - 4} other terms", "prediction")
    default = traces(pure_waterfall_figure(pure, contributions), "pure-split")[0]
    assert default.x[-1] == pytest.approx(pure.predict(row[None])[0], abs=1e-12)


def test_bad_waterfall_inputs_raise(setup):
    _, pure, X = setup
    contributions = pure.contributions(X[:1])[0]
    with pytest.raises(InputValidationError, match=r"'contributions' parameter .* one per effect"):
        pure_waterfall_figure(pure, contributions[:3])
    with pytest.raises(InputValidationError, match=r"'row' parameter .* one per feature"):
        pure_waterfall_figure(pure, contributions, row=X[0, :3])
    with pytest.raises(InputValidationError, match="'prediction' parameter of pure_waterfall_figure"):
        pure_waterfall_figure(pure, contributions, prediction=float("nan"))


def test_a_class_is_named_as_the_output_explained():
    run, X = _trained("classification", names=tuple("abcdefgh"))
    pure = purify(run, X)
    fig = pure_waterfall_figure(pure, pure.contributions(X[:1])[0])
    assert fig.layout.yaxis.ticktext[-1] == f"logit of class {run.classes[-1]}"
    assert f"(logit of class {run.classes[-1]})" in pure_ranking_figure(pure).layout.xaxis.title.text


# ---- escaping -----------------------------------------------------------------------------------------------


def test_user_strings_reach_plotly_only_escaped(setup):
    _, pure, X = setup
    assert_escaped(pure_ranking_figure(pure, top=10_000))
    for order in (0, 1, 2):
        effect = next(e for e in pure.effects if e.order == order and set(NASTY) & set(e.features))
        assert_escaped(pure_shape_figure(pure, effect.features, X=X), names=set(NASTY) & set(effect.features))
    contributions = pure.contributions(X[:1])[0]
    every = pure_waterfall_figure(pure, contributions, row=X[0], top=10_000, title=NASTY[0])
    assert_escaped(every)
