"""The simplex inspector's figure: one map per slice, one shared colour scale, rows on top, escaped names."""

from __future__ import annotations

import dataclasses
import html

import numpy as np
import plotly.graph_objects as go
import pytest

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import inspect_simplex
from hnnviz.model import train_run
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.viz import inspector_figure


@pytest.fixture(scope="module")
def shapes():
    return load_sample("planted_shapes")


@pytest.fixture(scope="module")
def run(shapes):
    return train_run(shapes, ModelSpec(channels=2), config=TrainConfig(defaults="mlp", epochs=2, seed=0))


def response_of(run, shapes, order, **kwargs):
    features = [run.feature_names[v] for v in run.network.complex.simplices[order][0]]
    return inspect_simplex(run, features, X=shapes.X, max_rows=300, **kwargs)


def traces(fig, meta):
    return [t for t in fig.data if t.meta == meta]


@pytest.mark.parametrize(("order", "maps", "shape"), [(1, 1, (1, 1)), (2, 3, (1, 3)), (3, 9, (3, 3))])
def test_one_map_per_slice_sharing_one_colour_scale(run, shapes, order, maps, shape):
    response = response_of(run, shapes, order)
    fig = inspector_figure(response)
    heatmaps, rows = traces(fig, "surface"), traces(fig, "rows")
    assert len(heatmaps) == len(rows) == maps
    assert all(isinstance(h, go.Heatmap) and h.coloraxis == "coloraxis" for h in heatmaps)
    values = np.concatenate([np.asarray(h.z).ravel() for h in heatmaps])
    assert fig.layout.coloraxis.cmin <= values.min() and values.max() <= fig.layout.coloraxis.cmax
    # every overlay row is drawn once, in the map whose slice is nearest
    assert sum(len(r.x) for r in rows) == len(response.rows) == 300
    drawn = np.concatenate([np.column_stack([r.x, r.y]) for r in rows])
    assert sorted(map(tuple, drawn.tolist())) == sorted(map(tuple, response.rows[:, :2].tolist()))
    n_panel_rows, n_cols = shape
    assert len(fig.layout.annotations) == (0 if order == 1 else maps)
    assert fig.layout[f"xaxis{maps if maps > 1 else ''}"].title.text == response.features[0]
    assert fig.layout.yaxis.title.text == response.features[1]
    assert len([a for a in fig.layout if a.startswith("xaxis")]) == n_panel_rows * n_cols


def test_the_maps_are_the_surface_at_the_slices(run, shapes):
    response = response_of(run, shapes, 2)
    fig = inspector_figure(response, show="prediction")
    heatmaps = traces(fig, "surface")
    for panel, cut in zip(heatmaps, (4, 8, 12), strict=True):  # a quarter, half and three quarters of 17 points
        np.testing.assert_array_equal(np.asarray(panel.z), response.prediction[:, :, cut].T)
        np.testing.assert_array_equal(panel.x, response.axes[0])
    assert [a.text for a in fig.layout.annotations] == [
        f"{response.features[2]} = {response.axes[2][cut]:.3g}" for cut in (4, 8, 12)
    ]
    third = response.rows[:, 2]
    cuts = response.axes[2][[4, 8, 12]]
    in_first = np.abs(third[:, None] - cuts).argmin(1) == 0
    assert len(traces(fig, "rows")[0].x) == in_first.sum()


def test_title_gives_the_reading_and_show_picks_the_surface(run, shapes):
    response = response_of(run, shapes, 1)
    unit, prediction = inspector_figure(response), inspector_figure(response, show="prediction")
    np.testing.assert_array_equal(np.asarray(traces(unit, "surface")[0].z), response.unit.T)
    np.testing.assert_array_equal(np.asarray(traces(prediction, "surface")[0].z), response.prediction.T)
    a, b = response.features
    assert unit.layout.title.text.startswith(f"Edge {{{a}, {b}}}, unit: {response.unit_reading.label}<br>")
    assert html.escape(response.prediction_reading.text, quote=False) in prediction.layout.title.text
    assert unit.layout.coloraxis.colorbar.title.text == "contribution to y"
    assert prediction.layout.coloraxis.colorbar.title.text == "predicted y"
    with pytest.raises(InputValidationError, match=r"The 'show' parameter of inspector_figure must be one of"):
        inspector_figure(response, show="both")


def test_names_with_markup_show_as_typed(run, shapes):
    response = response_of(run, shapes, 1)
    names = ("<b>x</b>", "%{y}")
    reading = dataclasses.replace(response.unit_reading, text="Reads <i>x</i>.")
    fig = inspector_figure(dataclasses.replace(response, features=names, unit_reading=reading, unit_label="<u>"))
    assert fig.layout.xaxis.title.text == "&lt;b&gt;x&lt;/b&gt;" and fig.layout.yaxis.title.text == "%{y}"
    assert "Edge {&lt;b&gt;x&lt;/b&gt;, %{y}}" in fig.layout.title.text
    assert "Reads &lt;i&gt;x&lt;/i&gt;." in fig.layout.title.text
    heatmap = traces(fig, "surface")[0]
    assert heatmap.hoverinfo == "text" and heatmap.hovertemplate is None
    assert heatmap.hovertext[0][0].startswith("&lt;b&gt;x&lt;/b&gt; = ") and "&lt;u&gt;: " in heatmap.hovertext[0][0]


def test_figures_stay_light(run, shapes):
    for order in (1, 2, 3):
        fig = inspector_figure(response_of(run, shapes, order))
        cells = sum(np.asarray(t.z).size for t in traces(fig, "surface"))
        assert cells <= 41 * 41
        assert len(fig.to_json()) < 600_000
