"""Tests of hnnviz.explanation: curve invariants, sanity checks, agreement."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import (
    Attribution,
    deletion_insertion,
    explain,
    faithfulness_report,
    global_importance,
    knock_out,
    method_agreement,
    permuted_label_check,
    randomization_check,
    seed_agreement,
    top_k_overlap,
)
from hnnviz.model import SimplexLayer, build_model, torch_seed, train_run
from hnnviz.specs import ModelSpec, TrainConfig

CONFIG = TrainConfig(defaults="mlp", epochs=30, patience=10, lr=1e-2, seed=0)


@pytest.fixture(scope="module")
def setup():
    data = load_sample("diabetes")
    run = train_run(data, ModelSpec("hnn", channels=2), config=CONFIG)
    split = run.result.split
    background, X, y = data.X[split.train], data.X[split.test], data.y[split.test]
    return data, run, background, X, y, explain(run, X, method="ablation", background=background)


def fake_attribution(ranked_simplices: list[tuple[str, ...]]) -> Attribution:
    """An attribution over edges only, where earlier simplices score higher."""
    n = len(ranked_simplices)
    return Attribution(
        method="gxa",
        simplices=((("a",), ("b",)), tuple(ranked_simplices)),
        scores=(np.zeros((1, 2)), np.arange(n, 0, -1, dtype=float)[None, :]),
        prediction=np.zeros(1),
        baseline_prediction=0.0,
        target_class=None,
        completeness_gap=None,
        seconds=0.0,
    )


def test_curves_start_and_end_where_they_must(setup) -> None:
    _, run, background, X, y, attribution = setup
    deletion, insertion = deletion_insertion(run, X, y, attribution, background=background, n_points=6, n_random=5)
    full_score = run.result.metrics["test"]["r2"]
    assert deletion.values[0] == pytest.approx(full_score, abs=1e-6)
    assert insertion.values[-1] == pytest.approx(full_score, abs=1e-6)
    assert deletion.values[-1] == pytest.approx(insertion.values[0], abs=1e-9)  # everything ablated either way
    assert deletion.random_values.shape == (5, 6) and np.allclose(deletion.random_values[:, 0], full_score)
    assert deletion.random_band[0] <= deletion.random_area <= deletion.random_band[1]
    assert deletion.area == pytest.approx(np.trapezoid(deletion.values, deletion.fractions))


def test_curves_are_reproducible(setup) -> None:
    _, run, background, X, y, attribution = setup
    a = deletion_insertion(run, X, y, attribution, background=background, n_points=4, n_random=3, seed=1)
    b = deletion_insertion(run, X, y, attribution, background=background, n_points=4, n_random=3, seed=1)
    assert all(np.array_equal(c.random_values, d.random_values) for c, d in zip(a, b, strict=True))


def test_randomisation_check_leaves_the_run_alone(setup) -> None:
    _, run, background, X, _, _ = setup
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    check = randomization_check(run, X, background=background)
    assert [name for name, _ in check.stages] == ["head", "readouts", "order 3", "order 2", "order 1"]
    assert all(torch.equal(before[k], v) for k, v in run.model.state_dict().items())


def test_randomising_the_weights_destroys_the_attribution(setup) -> None:
    """Measured: the rank correlation falls from 0.74 (head re-drawn) to 0.21 (every layer re-drawn)."""
    _, run, background, X, _, _ = setup
    check = randomization_check(run, X, background=background)
    rho = dict(check.stages)
    assert check.passed and rho["order 1"] < 0.5 and rho["order 1"] < rho["head"] < 0.95
    # oracle for the first stage: a copy of the model with only its head re-drawn under the same seed
    model = build_model(run.spec, run.network.complex, 1, seed=0)
    model.load_state_dict(run.model.state_dict())
    with torch_seed(0):
        model.head.reset_parameters()
    copy = dataclasses.replace(run, result=dataclasses.replace(run.result, model=model))
    original, perturbed = (global_importance(explain(r, X, background=background)) for r in (run, copy))
    assert rho["head"] == pytest.approx(spearmanr(original, perturbed).statistic, abs=1e-12)


def test_a_randomisation_that_changes_nothing_fails_the_check(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the check exists to catch: with re-drawing disabled every stage correlates perfectly."""
    _, run, background, X, _, _ = setup
    for layer in (torch.nn.Linear, SimplexLayer):
        monkeypatch.setattr(layer, "reset_parameters", lambda self: None)
    check = randomization_check(run, X, background=background)
    assert not check.passed and [rho for _, rho in check.stages] == [pytest.approx(1.0)] * 5


def test_permuted_labels_change_the_attribution(setup) -> None:
    data, run, *_ = setup
    check = permuted_label_check(run, data, config=CONFIG)
    assert check.name == "permuted labels" and len(check.stages) == 1
    assert check.passed and check.stages[0][1] < 0.5


def test_top_k_overlap_counts_shared_simplices() -> None:
    a = fake_attribution([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")])
    b = fake_attribution([("b", "c"), ("d", "e"), ("a", "b"), ("c", "d")])
    assert top_k_overlap(a, b, 1) == 0.0
    assert top_k_overlap(a, b, 2) == 0.5
    assert top_k_overlap(a, b, 3) == pytest.approx(2 / 3)
    assert top_k_overlap(a, a, 4) == 1.0
    assert method_agreement({"x": a, "y": b, "z": a}, k=2) == {("x", "y"): 0.5, ("x", "z"): 1.0, ("y", "z"): 0.5}
    with pytest.raises(InputValidationError, match=r"'k' parameter of top_k_overlap must be an int in \[1"):
        top_k_overlap(a, b, 0)


def test_global_importance_lists_every_simplex_above_order_zero(setup) -> None:
    *_, attribution = setup
    assert len(global_importance(attribution)) == sum(s.shape[1] for s in attribution.scores[1:])


def test_seed_agreement_retrains_on_the_same_network(setup) -> None:
    data, run, background, X, _, _ = setup
    overlaps = seed_agreement(run, data, seeds=(0, 1), config=CONFIG, k=5)
    assert overlaps[0] == 1.0  # the run's own seed retrains the very same model
    split = run.result.split
    other = train_run(data, run.spec, config=dataclasses.replace(CONFIG, seed=1), split=split)
    assert np.array_equal(other.network.similarity, run.network.similarity)  # the same network
    reference, retrained = (explain(r, X, background=background) for r in (run, other))
    assert overlaps[1] == top_k_overlap(reference, retrained, 5) < 1.0


def test_knocking_out_one_simplex_changes_each_prediction_by_its_ablation_score(setup) -> None:
    _, run, _, X, y, _ = setup
    ablation = explain(run, X, method="ablation")  # each unit held at its value at the training mean
    order, index = 2, 5
    simplex = ablation.simplices[order][index]
    out = knock_out(run, X, y, [tuple(reversed(simplex))])  # names in any order
    np.testing.assert_allclose(out.before - out.after, ablation.scores[order][:, index], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out.before, run.predict(X), rtol=1e-6)
    assert out.metric == "r2" and out.score_before == pytest.approx(run.result.metrics["test"]["r2"], rel=1e-6)


def test_knocking_out_nothing_or_everything(setup) -> None:
    _, run, background, X, y, attribution = setup
    nothing = knock_out(run, X, y, [], background=background)
    assert np.array_equal(nothing.before, nothing.after) and nothing.score_before == nothing.score_after
    everything = [s for order in attribution.simplices[1:] for s in order]
    deletion, _ = deletion_insertion(run, X, y, attribution, background=background, n_points=2, n_random=1)
    assert knock_out(run, X, y, everything, background=background).score_after == pytest.approx(deletion.values[-1])


def test_knock_out_of_a_classifier_follows_the_predicted_class() -> None:
    data = load_sample("wine")
    run = train_run(data, ModelSpec("hnn", channels=1), config=TrainConfig(defaults="mlp", epochs=5))
    test = run.result.split.test
    simplex = explain(run, data.X[test]).ranking(top=1)[0].features
    out = knock_out(run, data.X[test], data.y[test], [simplex])
    probabilities = run.predict(data.X[test])
    np.testing.assert_allclose(out.before, probabilities.max(axis=1), rtol=1e-6)
    assert out.metric == "accuracy" and not np.allclose(out.after, out.before)  # the top simplex matters


def test_knock_out_refuses_what_is_not_a_simplex(setup) -> None:
    data, run, _, X, y, _ = setup
    with pytest.raises(InputValidationError, match=r"\('age', 'nope'\) is not a simplex of order >= 1"):
        knock_out(run, X, y, [("age", "nope")])
    with pytest.raises(InputValidationError, match=r"\('age',\) is not a simplex of order >= 1"):
        knock_out(run, X, y, [("age",)])
    mlp = train_run(data, ModelSpec("mlp", channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    with pytest.raises(InputValidationError, match="Only an HNN has simplices to knock out"):
        knock_out(mlp, X, y, [])


def test_faithfulness_report_runs_every_check_once(setup) -> None:
    data, run, _, X, y, _ = setup
    steps: list[str] = []
    report = faithfulness_report(run, data, method="ablation", config=CONFIG, k=5, n_random=4, progress=steps.append)
    assert steps == [
        "explaining the test rows with every method",
        "deletion and insertion curves",
        "cascading randomisation of the weights",
        "retraining on permuted labels",
    ]
    again, _ = deletion_insertion(run, X, y, explain(run, X, method="ablation"), n_random=4)
    np.testing.assert_allclose(report.deletion.values, again.values)
    assert [c.name for c in report.checks] == ["cascading randomisation", "permuted labels"]
    assert set(report.agreement) == {("ig", "ablation"), ("ig", "gxa"), ("ablation", "gxa")}
    assert report.verdicts == {
        "deletion beats random": report.deletion.beats_random,
        "insertion beats random": report.insertion.beats_random,
        "cascading randomisation": report.checks[0].passed,
        "permuted labels": report.checks[1].passed,
    }
