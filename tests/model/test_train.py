"""Tests of hnnviz.model: the shared, reproducible training protocol."""

from __future__ import annotations

import copy
import threading
import time
from itertools import pairwise

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError, TrainingDivergedError
from hnnviz.explanation import explain
from hnnviz.model import (
    HNN,
    MLP,
    Scaler,
    dead_readouts,
    inactive_share,
    limit_threads,
    metrics,
    predict,
    split_rows,
    torch_seed,
    train_model,
    train_run,
    train_step,
)
from hnnviz.model import _train as train
from hnnviz.network import clique_complex, similarity_matrix, tmfg
from hnnviz.specs import ModelSpec, TrainConfig

FAST = TrainConfig(defaults="mlp", epochs=40, patience=10, batch_size=64, lr=1e-2, seed=0)


@pytest.fixture(scope="module")
def diabetes():
    return load_sample("diabetes")


def make_hnn(data, seed: int = 0, **kwargs) -> HNN:
    n_out = 1 if data.task == "regression" else len(data.classes)
    with torch_seed(seed):
        return HNN(clique_complex(tmfg(similarity_matrix(data.X))), n_out, **kwargs)


def test_split_is_seeded_disjoint_and_stratified() -> None:
    y = np.repeat([0, 1, 2], [50, 30, 20])
    a = split_rows(100, y, "classification", val_size=0.2, test_size=0.2, seed=3)
    b = split_rows(100, y, "classification", val_size=0.2, test_size=0.2, seed=3)
    c = split_rows(100, y, "classification", val_size=0.2, test_size=0.2, seed=4)
    assert all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("train", "val", "test"))
    assert not np.array_equal(a.test, c.test)
    assert sorted(np.concatenate([a.train, a.val, a.test]).tolist()) == list(range(100))
    assert np.bincount(y[a.test]).tolist() == [10, 6, 4]  # class shares kept


def test_scaler_is_fitted_on_training_rows_only(diabetes) -> None:
    result = train_model(make_hnn(diabetes), diabetes.X, diabetes.y, "regression", config=FAST)
    train = diabetes.X[result.split.train]
    np.testing.assert_allclose(result.x_scaler.mean, train.mean(axis=0))
    np.testing.assert_allclose(result.y_scaler.mean, [diabetes.y[result.split.train].mean()])
    assert not np.allclose(result.x_scaler.mean, diabetes.X.mean(axis=0))


def test_training_is_reproducible(diabetes) -> None:
    runs = [train_model(make_hnn(diabetes, seed=1), diabetes.X, diabetes.y, "regression", config=FAST) for _ in "ab"]
    assert [r.val_loss for r in runs[0].history] == [r.val_loss for r in runs[1].history]
    for a, b in zip(runs[0].model.state_dict().values(), runs[1].model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert runs[0].metrics == runs[1].metrics


def test_post_training_checks_equal_their_public_functions(diabetes) -> None:
    result = train_model(make_hnn(diabetes, channels=4), diabetes.X, diabetes.y, "regression", config=FAST)
    inputs = torch.as_tensor(result.x_scaler.transform(diabetes.X), dtype=torch.float32)
    for part, rows in vars(result.split).items():
        predicted = predict(result.model, inputs[rows], "regression", result.y_scaler)
        assert result.metrics[part] == metrics(diabetes.y[rows], predicted, "regression")
    assert result.inactive == inactive_share(result.model, inputs[result.split.train])
    assert result.dead_readouts == dead_readouts(result.model, inputs[result.split.train])


@pytest.mark.parametrize("kind", ["hnn", "mlp"])
def test_a_step_in_several_passes_equals_one_pass(diabetes, monkeypatch, kind: str) -> None:
    hnn = make_hnn(diabetes, channels=2).double()
    with torch_seed(1):
        base = hnn if kind == "hnn" else MLP(hnn.widths).double()
        x = torch.randn(50, diabetes.X.shape[1], dtype=torch.float64)
        target = torch.randn(50, 1, dtype=torch.float64)
    steps = []
    for pass_floats in (train.PASS_FLOATS, 7 * sum(hnn.widths)):  # one pass of 50 rows, then 8 passes of <= 7
        monkeypatch.setattr(train, "PASS_FLOATS", pass_floats)
        model = copy.deepcopy(base)
        loss = train_step(model, x, target, torch.nn.MSELoss(), torch.optim.AdamW(model.parameters(), lr=1e-2))
        steps.append((loss, model.state_dict()))
    (loss_one, weights_one), (loss_passes, weights_passes) = steps
    assert loss_one == pytest.approx(torch.nn.functional.mse_loss(base(x), target).item(), rel=1e-12)
    assert loss_passes == pytest.approx(loss_one, rel=1e-12)
    for name, value in weights_one.items():
        torch.testing.assert_close(weights_passes[name], value, atol=1e-12, rtol=1e-10)
    assert not torch.equal(weights_one["head.weight"], base.state_dict()["head.weight"])


def test_early_stopping_restores_the_best_weights(diabetes) -> None:
    config = TrainConfig(defaults="mlp", epochs=200, patience=5, lr=3e-2, seed=0)
    result = train_model(make_hnn(diabetes, channels=4), diabetes.X, diabetes.y, "regression", config=config)
    assert result.stopped == "early" and result.epochs_run == result.best_epoch + 5
    best = min(result.history, key=lambda r: r.val_loss)
    assert best.epoch == result.best_epoch and best.best
    inputs = torch.as_tensor(result.x_scaler.transform(diabetes.X[result.split.val]), dtype=torch.float32)
    targets = torch.as_tensor(result.y_scaler.transform(diabetes.y[result.split.val].reshape(-1, 1)))
    with torch.no_grad():
        val_loss = torch.mean((result.model(inputs).double() - targets) ** 2).item()
    assert val_loss == pytest.approx(best.val_loss, rel=1e-5)


def test_regression_metrics_are_in_original_units(diabetes) -> None:
    result = train_model(make_hnn(diabetes), diabetes.X, diabetes.y, "regression", config=FAST)
    test = result.metrics["test"]
    assert set(test) == {"r2", "rmse", "mae"} and 0.2 < test["r2"] < 0.7
    assert 40 < test["rmse"] < 80  # disease-progression units, not standardised ones


def test_classification_with_three_classes() -> None:
    wine = load_sample("wine")
    result = train_model(make_hnn(wine), wine.X, wine.y, "classification", config=FAST)
    assert set(result.metrics["test"]) == {"accuracy", "macro_f1", "log_loss"}
    assert result.metrics["test"]["accuracy"] > 0.85 and result.y_scaler is None


def test_no_order_dies_on_a_bundled_dataset() -> None:
    """The reference's ReLU readouts died in most fits (SPEC §6); ours stay alive, even with ReLU units."""
    data = load_sample("breast_cancer")
    for activation in ("gelu", "relu"):
        result = train_model(make_hnn(data, activation=activation), data.X, data.y, data.task, config=FAST)
        assert result.dead_readouts == ()
        assert set(result.inactive) == {1, 2, 3} and max(result.inactive.values()) < 0.5


def test_callback_sees_every_epoch_and_can_stop(diabetes) -> None:
    seen = []
    result = train_model(
        make_hnn(diabetes), diabetes.X, diabetes.y, "regression", config=FAST,
        callback=lambda record: seen.append(record.epoch) or record.epoch < 3,
    )  # fmt: skip
    assert seen == [1, 2, 3] and result.stopped == "callback" and result.epochs_run == 3


def test_callback_can_pause_between_epochs(diabetes) -> None:
    resume = threading.Event()
    timeline = []

    def pause_after_first(record) -> None:
        timeline.append(("epoch", record.epoch, time.perf_counter()))
        if record.epoch == 1:
            resume.wait(timeout=5)

    config = TrainConfig(defaults="mlp", epochs=3, patience=10, seed=0)
    threading.Timer(0.3, lambda: (timeline.append(("resume", 0, time.perf_counter())), resume.set())).start()
    train_model(make_hnn(diabetes), diabetes.X, diabetes.y, "regression", config=config, callback=pause_after_first)
    kinds = [kind for kind, _, _ in sorted(timeline, key=lambda t: t[2])]
    assert kinds == ["epoch", "resume", "epoch", "epoch"]


def test_divergence_raises_with_the_epoch(diabetes) -> None:
    config = TrainConfig(defaults="mlp", epochs=5, lr=1e30, seed=0)
    with pytest.raises(TrainingDivergedError, match=r"diverged at epoch 1.*smaller learning rate") as info:
        train_model(make_hnn(diabetes), diabetes.X, diabetes.y, "regression", config=config)
    assert info.value.epoch == 1


def test_rejects_non_finite_data(diabetes) -> None:
    X = diabetes.X.copy()
    X[3, 2] = np.nan
    with pytest.raises(InputValidationError, match="needs finite X and y"):
        train_model(make_hnn(diabetes), X, diabetes.y, "regression", config=FAST)


def test_mlp_trains_under_the_same_protocol(diabetes) -> None:
    hnn = make_hnn(diabetes)
    with torch_seed(0):
        mlp = MLP(hnn.widths)
    result = train_model(mlp, diabetes.X, diabetes.y, "regression", config=FAST)
    assert result.metrics["test"]["r2"] > 0.2 and set(result.inactive) == {1, 2, 3}


def test_metrics_match_hand_computation() -> None:
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    result = metrics(np.array([0, 1, 1]), probabilities, "classification")
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert result["log_loss"] == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.4)) / 3)
    assert Scaler.fit(np.array([[1.0], [3.0]])).inverse(np.array([[0.0]])).tolist() == [[2.0]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"epochs": 0}, r"'epochs' parameter of TrainConfig must be an int in \[1"),
        ({"lr": 0.0}, r"'lr' parameter of TrainConfig must be a number in \(0, inf\]"),
        ({"val_size": 0.7}, r"'val_size' parameter of TrainConfig must be a number in \(0, 0.5\)"),
        ({"test_size": -0.1}, r"'test_size' parameter of TrainConfig must be a number in \[0, 0.5\)"),
        ({"seed": -1}, r"'seed' parameter of TrainConfig must be an int in \[0"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        TrainConfig(defaults="mlp", **kwargs)


def test_rejects_mismatched_shapes(diabetes) -> None:
    with pytest.raises(InputValidationError, match="needs X of shape"):
        train_model(make_hnn(diabetes), diabetes.X, diabetes.y[:-1], "regression", config=FAST)


def test_limit_threads_sets_torch_and_the_native_pools():
    before = torch.get_num_threads()
    try:
        limit_threads(1)
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
        with pytest.raises(InputValidationError, match=r"The 'n' parameter of limit_threads must be an int in \[1"):
            limit_threads(0)
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("name", ["diabetes", "wine"])
def test_a_one_channel_hnn_is_bit_identical_on_one_and_two_threads(name: str) -> None:
    """What holds across thread counts (see limit_threads): with one channel per simplex, training,
    predictions and attributions do not depend on torch's thread count, bit for bit."""
    data = load_sample(name)
    before = torch.get_num_threads()
    outcomes = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=12, seed=0))
            rows = data.X[run.result.split.test]
            scores = [explain(run, rows, method=method).scores for method in ("gxa", "ig", "ablation")]
            outcomes.append((run.model.state_dict(), run.predict(data.X), scores, run.result.history))
    finally:
        torch.set_num_threads(before)
    (weights_1, predicted_1, scores_1, history_1), (weights_2, predicted_2, scores_2, history_2) = outcomes
    assert all(torch.equal(weights_1[k], weights_2[k]) for k in weights_1)
    assert [r.val_loss for r in history_1] == [r.val_loss for r in history_2]
    assert np.array_equal(predicted_1, predicted_2)
    for a, b in zip(scores_1, scores_2, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_a_cosine_schedule_anneals_the_steps_to_nothing():
    """With schedule="cosine" the learning rate falls from lr to 0 over the epoch cap: the last epoch barely moves
    the weights, while a constant rate keeps moving them as much as early on."""
    ds = load_sample("wine")

    def step_sizes(schedule: str) -> list[float]:
        snapshots: list[torch.Tensor] = []
        model = HNN(
            train_run(ds, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1)).network.complex,
            3,
            channels=1,
        )

        def record(_: object) -> None:
            snapshots.append(torch.cat([p.detach().flatten().clone() for p in model.parameters()]))

        config = TrainConfig(defaults="mlp", epochs=12, patience=12, lr=0.03, schedule=schedule)
        train.train_model(model, ds.X, ds.y, ds.task, config=config, callback=record)
        return [float((b - a).norm()) for a, b in pairwise(snapshots)]

    cosine, constant = step_sizes("cosine"), step_sizes("constant")
    assert cosine[-1] < 0.05 * cosine[0] and constant[-1] > 0.2 * constant[0]
    with pytest.raises(InputValidationError, match="'schedule' parameter of TrainConfig must be one of"):
        TrainConfig(defaults="mlp", schedule="linear")
