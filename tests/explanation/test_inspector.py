"""The simplex inspector: surfaces against oracles, references, errors, shape readings and the planted sets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import SHAPE_LABELS, inspect_simplex, read_shape
from hnnviz.model import train_run
from hnnviz.specs import ModelSpec, TrainConfig

# ---- fixtures: short, seeded runs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def interactions():
    return load_sample("planted_interactions")


@pytest.fixture(scope="module")
def interactions_run(interactions):
    return train_run(interactions, ModelSpec(), config=TrainConfig(defaults="mlp", epochs=30, seed=0))


@pytest.fixture(scope="module")
def shapes():
    return load_sample("planted_shapes")


@pytest.fixture(scope="module")
def shapes_run(shapes):
    return train_run(shapes, ModelSpec(), config=TrainConfig(defaults="mlp", epochs=40, seed=0))


@pytest.fixture(scope="module")
def wine_run():
    return train_run(load_sample("wine"), ModelSpec(channels=2), config=TrainConfig(defaults="mlp", epochs=3, seed=0))


def simplex(run, order, i=0):
    return [run.feature_names[v] for v in run.network.complex.simplices[order][i]]


def grid_rows(run, features, axes, reference):
    """The grid's raw rows, built by hand: the reference row with the simplex's features set, in C order."""
    columns = [run.feature_names.index(f) for f in features]
    rows = []
    for values in itertools.product(*axes):
        row = np.array(reference, dtype=np.float64)
        row[columns] = values
        rows.append(row)
    return np.array(rows)


def unit_oracle(run, rows, order, index, output=0):
    """The unit's direct contribution, through model.output with every other unit silenced."""
    model = run.model
    with torch.no_grad():
        hidden = model.hidden(torch.as_tensor(run.x_scaler.transform(rows), dtype=torch.float32))
        silent = [torch.zeros_like(h) for h in hidden]
        alone = [h.clone() for h in silent]
        alone[order][:, index] = hidden[order][:, index]
        out = (model.output(alone) - model.output(silent))[:, output].numpy().astype(np.float64)
    return out * (run.result.y_scaler.scale[0] if run.task == "regression" else 1.0)


# ---- surfaces against oracles -----------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3])
def test_unit_and_prediction_match_independent_oracles(shapes_run, shapes, order):
    features = simplex(shapes_run, order, 1)[::-1]  # any order of the names: it sets the axes
    response = inspect_simplex(shapes_run, features, X=shapes.X, resolution=5)
    assert response.features == tuple(features) and response.order == order
    assert response.unit.shape == response.prediction.shape == (5,) * (order + 1)
    rows = grid_rows(shapes_run, features, response.axes, shapes_run.x_scaler.mean)
    np.testing.assert_allclose(response.unit.ravel(), unit_oracle(shapes_run, rows, order, 1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(response.prediction.ravel(), shapes_run.predict(rows), rtol=1e-6)
    np.testing.assert_array_equal(response.reference, shapes_run.x_scaler.mean)
    assert response.reference_label == "training mean" and response.target is None
    assert response.unit_label == "contribution to y" and response.prediction_label == "predicted y"


def test_grid_range_from_the_rows_or_from_the_scaler(shapes_run, shapes):
    features = simplex(shapes_run, 1)
    columns = [shapes_run.feature_names.index(f) for f in features]
    with_rows = inspect_simplex(shapes_run, features, X=shapes.X)
    for axis, column in zip(with_rows.axes, columns, strict=True):
        assert len(axis) == 41
        np.testing.assert_allclose([axis[0], axis[-1]], np.percentile(shapes.X[:, column], [2, 98]))
    bare = inspect_simplex(shapes_run, features)
    mean, sd = shapes_run.x_scaler.mean[columns], shapes_run.x_scaler.scale[columns]
    np.testing.assert_allclose([a[[0, -1]] for a in bare.axes], np.column_stack([mean - 2 * sd, mean + 2 * sd]))
    assert bare.rows.shape == (0, 2)


def test_default_resolution_by_order(shapes_run):
    sizes = [inspect_simplex(shapes_run, simplex(shapes_run, k)).unit.shape for k in (1, 2, 3)]
    assert sizes == [(41, 41), (17, 17, 17), (9, 9, 9, 9)]


def test_reference_row_and_raw_row(shapes_run, shapes):
    features = simplex(shapes_run, 1)
    response = inspect_simplex(shapes_run, features, X=shapes.X, reference=7, resolution=4)
    assert response.reference_label == "row 7"
    np.testing.assert_array_equal(response.reference, shapes.X[7])
    rows = grid_rows(shapes_run, features, response.axes, shapes.X[7])
    np.testing.assert_allclose(response.prediction.ravel(), shapes_run.predict(rows), rtol=1e-6)
    raw = inspect_simplex(shapes_run, features, X=shapes.X, reference=list(shapes.X[7]), resolution=4)
    assert raw.reference_label == "chosen row"
    np.testing.assert_array_equal(raw.prediction, response.prediction)
    # the unit reads only its own features: the reference cannot move it
    np.testing.assert_allclose(raw.unit, inspect_simplex(shapes_run, features, X=shapes.X, resolution=4).unit)


def test_overlay_rows_are_a_seeded_sample_of_x(shapes_run, shapes):
    features = simplex(shapes_run, 2)
    columns = [shapes_run.feature_names.index(f) for f in features]
    a = inspect_simplex(shapes_run, features, X=shapes.X, max_rows=100, seed=3, resolution=3)
    b = inspect_simplex(shapes_run, features, X=shapes.X, max_rows=100, seed=3, resolution=3)
    c = inspect_simplex(shapes_run, features, X=shapes.X, max_rows=100, seed=4, resolution=3)
    assert a.rows.shape == (100, 3)
    np.testing.assert_array_equal(a.rows, b.rows)
    np.testing.assert_array_equal(a.unit, b.unit)
    assert a.unit_reading == b.unit_reading and a.prediction_reading == b.prediction_reading
    assert not np.array_equal(a.rows, c.rows)
    table = {tuple(row) for row in shapes.X[:, columns].tolist()}
    assert all(tuple(row) in table for row in a.rows.tolist())
    every = inspect_simplex(shapes_run, features, X=shapes.X[:50], resolution=3)
    np.testing.assert_array_equal(every.rows, shapes.X[:50][:, columns])


def test_classification_explains_one_class(wine_run):
    wine = load_sample("wine")
    features = simplex(wine_run, 1)
    default = inspect_simplex(wine_run, features, resolution=5)
    with torch.no_grad():
        predicted = int(wine_run.model(torch.zeros(1, wine.n_features)).argmax(1)[0])  # the scaled training mean
    assert default.target == str(wine_run.classes[predicted])
    for target in (2, "2"):
        response = inspect_simplex(wine_run, features, target=target, resolution=5)
        assert response.target == "2" and response.prediction_label == "probability of class 2"
        rows = grid_rows(wine_run, features, response.axes, wine_run.x_scaler.mean)
        np.testing.assert_allclose(response.prediction.ravel(), wine_run.predict(rows)[:, 2], rtol=1e-6)
        oracle = unit_oracle(wine_run, rows, 1, 0, output=2)
        np.testing.assert_allclose(response.unit.ravel(), oracle, rtol=1e-5, atol=1e-6)


# ---- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"features": ["x01", "nope"]}, r"must name features of the run\. Got unknown \['nope'\]"),
        ({"features": "x01"}, r"must be a sequence of feature names"),
        ({"features": ["x01"]}, r"must hold 2 to 4 distinct features"),
        ({"features": ["x01", "x01"]}, r"must hold 2 to 4 distinct features"),
        ({"features": ["x01", "x02", "x03", "x04", "x05"]}, r"must hold 2 to 4 distinct features"),
        ({"reference": 3}, r"'reference' parameter of inspect_simplex must be 'mean' or a raw row when no X"),
        ({"reference": "median"}, r"'reference' parameter .* Got 'median' instead"),
        ({"reference": [0.0, 1.0]}, r"'reference' parameter of inspect_simplex must be rows of 10 features"),
        ({"X": np.zeros((3, 4))}, r"'X' parameter of inspect_simplex must be rows of 10 features"),
        ({"X": np.full((3, 10), np.nan)}, r"'X' parameter of inspect_simplex must be finite"),
        ({"X": np.zeros((3, 10)), "reference": 3}, r"'reference' parameter .* must be an int in \[0, 2\]"),
        ({"resolution": 2}, r"'resolution' parameter of inspect_simplex must be an int in \[3, 500\]"),
        ({"max_rows": 0, "X": np.zeros((3, 10))}, r"'max_rows' parameter of inspect_simplex must be an int in \[1"),
        ({"target": 1}, r"'target' parameter of inspect_simplex must be None for a regression run"),
    ],
)
def test_bad_arguments(shapes_run, kwargs, match):
    kwargs = {"features": simplex(shapes_run, 1), **kwargs}
    with pytest.raises(InputValidationError, match=match):
        inspect_simplex(shapes_run, **kwargs)


def test_not_a_simplex_too_high_an_order_an_mlp_and_an_unknown_class(shapes, shapes_run, wine_run):
    edges = {tuple(e) for e in shapes_run.network.complex.simplices[1].tolist()}
    missing = next(p for p in itertools.combinations(range(10), 2) if p not in edges)
    with pytest.raises(InputValidationError, match=r"must form a simplex of the run's complex"):
        inspect_simplex(shapes_run, [shapes_run.feature_names[v] for v in missing])
    config = TrainConfig(defaults="mlp", epochs=1, seed=0)
    edges_only = train_run(shapes, ModelSpec(channels=1, max_order=1), config=config)
    with pytest.raises(InputValidationError, match=r"must hold 2 to 2 distinct features \(this model's orders 1 to 1"):
        inspect_simplex(edges_only, simplex(edges_only, 2))
    mlp = train_run(shapes, ModelSpec(kind="mlp", channels=1), config=config)
    with pytest.raises(InputValidationError, match=r"Only an HNN can be inspected by simplex"):
        inspect_simplex(mlp, simplex(mlp, 1))
    with pytest.raises(InputValidationError, match=r"'target' parameter of inspect_simplex must be a class of the run"):
        inspect_simplex(wine_run, simplex(wine_run, 1), target="merlot")


# ---- reading shapes ---------------------------------------------------------------------------------------


def _grid(d, n=20):
    """Standardised-looking coordinates on an even grid (no point on a = b or a + b = 0)."""
    return np.meshgrid(*([np.linspace(-1.5, 1.5, n)] * d), indexing="ij")


@pytest.mark.parametrize(
    ("make", "d", "label"),
    [
        (lambda a, b: a * b, 2, "product-like"),
        (lambda a, b: np.maximum(a, b), 2, "max-like"),
        (lambda a, b: np.minimum(a, b), 2, "min-like"),
        (lambda a, b: a + b, 2, "additive"),
        (lambda a, b: 2.0 * (a + b > 0) - 1, 2, "threshold"),
        (lambda a, b: np.tanh(3 * (a - 0.5 * b)), 2, "threshold"),
        (lambda a, b: 3 + 0 * a, 2, "flat"),
        (lambda a, b, c: a * b * c, 3, "product-like"),
        (lambda a, b, c: a * b + c, 3, "product-like"),
        (lambda a, b, c: np.maximum(np.maximum(a, b), c), 3, "max-like"),
        (lambda a, b, c: 1.0 * (a + b + c > 0), 3, "threshold"),
        (lambda a, b, c: a + b**2 + np.sin(c), 3, "additive"),
        (lambda a, b, c, d: a * b * c * d, 4, "product-like"),
    ],
)
def test_read_shape_names_synthetic_surfaces(make, d, label):
    reading = read_shape(make(*_grid(d, 20 if d < 4 else 8)), scale=1.0)
    assert reading.label == label, reading
    assert label in SHAPE_LABELS and set(reading.fits) == {"product", "max", "min", "threshold"}


def test_read_shape_numbers_and_text():
    a, b = _grid(2)
    product = read_shape(a * b, scale=1.0, names=["a", "b"])
    assert product.interaction_share == pytest.approx(1.0) and product.fits["product"] == pytest.approx(1.0)
    assert (
        product.text
        == "Product-like: 100% of its variance is interaction, and a product of a and b explains 100% of it."
    )
    largest = read_shape(np.maximum(a, b), scale=1.0, names=["a", "b"])
    # max(a, b) = (a + b) / 2 + |a - b| / 2: the V holds a fixed share of the variance on a square grid
    v = np.abs(a - b) / 2
    v_interaction = v - v.mean(0, keepdims=True) - v.mean(1, keepdims=True) + v.mean()
    expected = v_interaction.var() / np.maximum(a, b).var()
    assert largest.interaction_share == pytest.approx(expected)
    assert largest.fits["max"] == pytest.approx(1.0) and largest.fits["min"] == 0.0
    assert "the maximum of a and b explains 100% of what a plane leaves" in largest.text
    flat = read_shape(0.01 * a * b, scale=1.0)
    assert flat.label == "flat" and flat.text.startswith("Flat: its range, 0.045,")
    assert read_shape(0.01 * a * b, scale=0.1).label == "product-like"  # the same surface, a smaller output scale


def test_read_shape_says_no_clear_shape_when_no_template_fits():
    rng = np.random.default_rng(0)
    reading = read_shape(rng.normal(size=(15, 15)), scale=1.0)
    assert reading.label == "no clear shape" and max(reading.fits.values()) < 0.8
    assert reading.text.startswith("No clear shape: ")


@pytest.mark.parametrize(
    ("surface", "kwargs", "match"),
    [
        (np.zeros(5), {}, r"'surface' parameter of read_shape must be a finite grid of at least 2 axes"),
        (np.zeros((2, 5)), {}, r"Got shape \(2, 5\) instead"),
        (np.full((4, 4), np.inf), {}, r"must be a finite grid"),
        (np.zeros((4, 4)), {"scale": 0.0}, r"'scale' parameter of read_shape must be a number > 0"),
        (np.zeros((4, 4)), {"names": ["a"]}, r"'names' parameter of read_shape must name each of the 2 axes"),
    ],
)
def test_read_shape_errors(surface, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        read_shape(surface, **{"scale": 1.0, **kwargs})


# ---- the planted sets: the planted shapes are recognised -------------------------------------------------


def test_planted_product_reads_product_like(interactions_run, interactions):
    X = interactions.X[interactions_run.result.split.train]
    response = inspect_simplex(interactions_run, ["x01", "x02"], X=X)
    reading = response.prediction_reading
    assert reading.label == "product-like", reading
    assert reading.fits["product"] > 0.9 and reading.interaction_share > 0.5


@pytest.mark.parametrize(
    ("group", "label"), [(("x01", "x02"), "product-like"), (("x03", "x04"), "max-like"), (("x05", "x06"), "threshold")]
)
def test_planted_shapes_are_recognised(shapes_run, shapes, group, label):
    response = inspect_simplex(shapes_run, group, X=shapes.X[shapes_run.result.split.train])
    assert response.prediction_reading.label == label, response.prediction_reading
