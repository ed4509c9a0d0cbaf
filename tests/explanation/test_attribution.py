"""Tests of hnnviz.explanation: attributions checked against direct computations and completeness."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import explain, order_split
from hnnviz.model import train_run
from hnnviz.specs import EXPLAIN_METHODS, ModelSpec, TrainConfig

CONFIG = TrainConfig(defaults="mlp", epochs=25, patience=10, lr=1e-2, seed=0)


@pytest.fixture(scope="module")
def regression_run():
    return train_run(load_sample("diabetes"), ModelSpec("hnn", channels=2), config=CONFIG)


@pytest.fixture(scope="module")
def classification_run():
    return train_run(load_sample("wine"), ModelSpec("hnn", channels=2), config=CONFIG)


@pytest.fixture(scope="module")
def rows():
    return load_sample("diabetes").X[:40]


def scaled(run, X):
    return torch.as_tensor(run.x_scaler.transform(X), dtype=torch.float32)


def test_gradient_x_activation_of_the_inputs_matches_autograd(regression_run, rows) -> None:
    attribution = explain(regression_run, rows, method="gxa")
    x = scaled(regression_run, rows).requires_grad_()
    regression_run.model(x)[:, 0].sum().backward()
    expected = (x * x.grad).detach().numpy() * regression_run.result.y_scaler.scale[0]
    np.testing.assert_allclose(attribution.scores[0], expected, rtol=1e-5, atol=1e-6)
    assert [s.shape for s in attribution.scores] == [(40, n) for n in regression_run.network.complex.f_vector]


def test_integrated_gradients_are_complete(regression_run, rows) -> None:
    attribution = explain(regression_run, rows, method="ig", background=load_sample("diabetes").X, n_steps=64)
    spread = np.ptp(attribution.prediction)
    assert np.abs(attribution.completeness_gap).max() < 1e-3 * spread
    order0 = attribution.scores[0].sum(axis=1)
    np.testing.assert_allclose(order0, attribution.prediction - attribution.baseline_prediction, atol=1e-3 * spread)


def test_ablation_matches_a_direct_replacement(regression_run, rows) -> None:
    background = load_sample("diabetes").X
    attribution = explain(regression_run, rows, method="ablation", background=background)
    model, x = regression_run.model, scaled(regression_run, rows)
    with torch.no_grad():
        hidden = model.hidden(x)
        mean = model.hidden(scaled(regression_run, background))[2].mean(0)
        ablated = hidden[2].clone()
        ablated[:, 5] = mean[5]
        change = model(x)[:, 0] - model.output(model.propagate([*hidden[:2], ablated]))[:, 0]
    expected = change.numpy() * regression_run.result.y_scaler.scale[0]
    np.testing.assert_allclose(attribution.scores[2][:, 5], expected, rtol=1e-5, atol=1e-5)


def test_default_ablation_reference_is_the_value_at_the_training_mean(regression_run, rows) -> None:
    attribution = explain(regression_run, rows, method="ablation")
    model, x = regression_run.model, scaled(regression_run, rows)
    with torch.no_grad():
        hidden = model.hidden(x)
        at_baseline = model.hidden(torch.zeros(1, x.shape[1]))[2][0]  # zero in scaled space: the training mean
        ablated = hidden[2].clone()
        ablated[:, 5] = at_baseline[5]
        change = model(x)[:, 0] - model.output(model.propagate([*hidden[:2], ablated]))[:, 0]
    expected = change.numpy() * regression_run.result.y_scaler.scale[0]
    np.testing.assert_allclose(attribution.scores[2][:, 5], expected, rtol=1e-5, atol=1e-5)


def test_default_baseline_is_the_training_mean(regression_run, rows) -> None:
    attribution = explain(regression_run, rows, method="ig")
    mean_row = regression_run.x_scaler.mean[None]
    assert attribution.baseline_prediction == pytest.approx(regression_run.predict(mean_row)[0], rel=1e-6)
    train = load_sample("diabetes").X[regression_run.result.split.train]
    with_training_rows = explain(regression_run, rows, method="ig", background=train)  # their mean, scaled: zero
    for ours, theirs in zip(attribution.scores, with_training_rows.scores, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("method", EXPLAIN_METHODS)
def test_a_row_gets_the_same_scores_alone_or_in_a_batch(request, task: str, method: str) -> None:
    run = request.getfixturevalue(f"{task}_run")
    X = load_sample("diabetes" if task == "regression" else "wine").X[:12]
    batch = explain(run, X, method=method)
    alone = explain(run, X[[5]], method=method)
    assert alone.n_rows == 1 and alone.prediction[0] == pytest.approx(batch.prediction[5], rel=1e-5)
    for one, many in zip(alone.scores, batch.scores, strict=True):
        np.testing.assert_allclose(one[0], many[5], rtol=1e-5, atol=1e-5)
    assert max(np.abs(s).max() for s in alone.scores[1:]) > 1e-3  # a single row is not explained by zeros
    if method == "ig":
        difference = abs(alone.prediction[0] - alone.baseline_prediction)
        assert np.abs(alone.completeness_gap).max() < 1e-3 * max(difference, 1.0)
        assert alone.scores[0].sum() == pytest.approx(alone.prediction[0] - alone.baseline_prediction, abs=1e-3)


def test_a_unit_that_reaches_nothing_gets_zero(regression_run, rows) -> None:
    run = train_run(load_sample("diabetes"), ModelSpec("hnn", channels=1), config=CONFIG)
    model = run.model
    with torch.no_grad():  # cut triangle 0 off: no readout weight, no tetrahedron reads it
        model.readouts[2].weight[:, 0] = 0
        reads_it = (model.layers[2].faces == 0).nonzero()
        model.layers[2].weight[reads_it[:, 0], reads_it[:, 1]] = 0
    for method in EXPLAIN_METHODS:
        scores = explain(run, rows, method=method).scores[2]
        assert np.abs(scores[:, 0]).max() < 1e-6 and np.abs(scores).max() > 1e-3, method


def test_order_split_adds_up_to_the_prediction(regression_run, classification_run, rows) -> None:
    split = order_split(regression_run, rows)
    np.testing.assert_allclose(split.sum(axis=1), regression_run.predict(rows), rtol=1e-5)
    assert split.shape == (40, 5)
    wine = load_sample("wine").X[:10]
    logits = classification_run.model(scaled(classification_run, wine)).detach().numpy()
    np.testing.assert_allclose(order_split(classification_run, wine).sum(axis=1), logits.max(axis=1), atol=1e-5)


def test_classification_explains_the_chosen_class(classification_run) -> None:
    wine = load_sample("wine")
    predicted = explain(classification_run, wine.X[:20])
    assert (predicted.target_class == classification_run.predict(wine.X[:20]).argmax(1)).all()
    chosen = explain(classification_run, wine.X[:20], target=2)
    assert (chosen.target_class == 2).all()
    logits = classification_run.model(scaled(classification_run, wine.X[:20])).detach().numpy()
    np.testing.assert_allclose(chosen.prediction, logits[:, 2], rtol=1e-5)
    with pytest.raises(InputValidationError, match=r"Unknown class 7; the classes are \[0, 1, 2\]"):
        explain(classification_run, wine.X[:5], target=7)


def test_rankings_and_lifted_feature_importance(regression_run, rows) -> None:
    attribution = explain(regression_run, rows, method="gxa")
    ranking = attribution.ranking()
    assert [abs(s.score) for s in ranking] == sorted((abs(s.score) for s in ranking), reverse=True)
    assert {s.order for s in ranking} == {1, 2, 3} and len(attribution.ranking(top=5)) == 5
    assert all(len(s.features) == s.order + 1 for s in ranking)
    row = attribution.ranking(row=3, top=1)[0]
    assert row.score == attribution.scores[row.order][3, row.index]
    lifted = attribution.feature_importance()
    total = sum(np.abs(s).mean(axis=0).sum() for s in attribution.scores)
    assert sum(lifted.values()) == pytest.approx(total) and set(lifted) == set(regression_run.feature_names)
    assert attribution.to_dict(top=3)["simplices"][0]["features"] == list(ranking[0].features)


def test_explanations_are_reproducible(regression_run, rows) -> None:
    for method in EXPLAIN_METHODS:
        a, b = explain(regression_run, rows, method=method), explain(regression_run, rows, method=method)
        assert all(np.array_equal(x, y) for x, y in zip(a.scores, b.scores, strict=True)), method


def test_slow_methods_report_progress(regression_run, rows) -> None:
    seen = []
    explain(regression_run, rows[:5], method="ablation", progress=lambda done, total: seen.append((done, total)))
    total = sum(regression_run.network.complex.f_vector)
    assert seen[-1] == (total, total) and len(seen) == total


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "shap"}, "'method' parameter of explain must be one of"),
        ({"n_steps": 1}, r"'n_steps' parameter of explain must be an int in \[2"),
    ],
)
def test_rejects_bad_arguments(regression_run, rows, kwargs: dict, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        explain(regression_run, rows, **kwargs)


def test_rejects_bad_rows_and_dense_models(regression_run, rows) -> None:
    with pytest.raises(InputValidationError, match=r"The 'X' parameter of explain must be rows of 10 features\. Got"):
        explain(regression_run, rows[:, :5])
    bad = rows.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputValidationError, match="must be finite"):
        explain(regression_run, bad)
    mlp = train_run(load_sample("diabetes"), ModelSpec("mlp", channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    with pytest.raises(InputValidationError, match="Only an HNN can be explained"):
        explain(mlp, rows)


def test_order_shares_split_the_mean_absolute_attribution_by_order(regression_run, rows) -> None:
    attribution = explain(regression_run, rows, method="ablation")
    totals = [np.abs(scores).mean(axis=0).sum() for scores in attribution.scores]
    np.testing.assert_allclose(attribution.order_shares(), np.array(totals) / sum(totals), rtol=1e-12)
    assert attribution.order_shares().sum() == pytest.approx(1.0) and attribution.order_shares()[0] > 0
