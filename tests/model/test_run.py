"""Tests of hnnviz.model beyond training itself (see test_train.py and test_pipeline.py): predictions by part,
the default training protocol of each model kind."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import train_run
from hnnviz.specs import DEFAULT_TRAINING, ModelSpec, TrainConfig, default_config


@pytest.mark.parametrize("part", ["train", "val", "test"])
def test_predictions_of_a_part_are_the_runs_predictions_on_its_rows(part: str) -> None:
    ds = load_sample("diabetes")
    run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=3))
    out = run.predictions(ds, part)
    rows = getattr(run.result.split, part)
    assert np.array_equal(out.rows, rows) and np.array_equal(out.y_true, ds.y[rows])
    assert np.array_equal(out.predicted, run.predict(ds.X[rows])) and out.probabilities is None
    r2 = 1 - ((out.y_true - out.predicted) ** 2).sum() / ((out.y_true - out.y_true.mean()) ** 2).sum()
    assert r2 == pytest.approx(run.result.metrics[part]["r2"])


def test_classification_predictions_are_class_codes_with_probabilities() -> None:
    ds = load_sample("wine")
    run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=3))
    out = run.predictions(ds)
    assert out.probabilities.shape == (len(run.result.split.test), 3)
    assert np.array_equal(out.predicted, out.probabilities.argmax(axis=1))
    assert (out.predicted == out.y_true).mean() == pytest.approx(run.result.metrics["test"]["accuracy"])
    logits = run.logits(ds.X[run.result.split.test])
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(shifted / shifted.sum(axis=1, keepdims=True), out.probabilities, rtol=1e-6)


def test_predictions_need_the_table_the_run_was_trained_on() -> None:
    run = train_run(load_sample("diabetes"), ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    with pytest.raises(InputValidationError, match="Data set 'wine' is not the table this run was trained on"):
        run.predictions(load_sample("wine"))
    with pytest.raises(InputValidationError, match=r"The 'part' parameter of Run\.predictions must be one of"):
        run.predictions(load_sample("diabetes"), "holdout")
    with pytest.raises(InputValidationError, match=r"Run\.logits needs a classification run"):
        run.logits(load_sample("diabetes").X)


# chosen by benchmarks/bench_defaults.py (see benchmarks/results_defaults.md): lr, patience, epoch cap, weight decay
CHOSEN = {"hnn": (6e-2, 50, 200, 1e-1, "cosine"), "mlp": (3e-3, 25, 300, 1e-4, "constant")}


@pytest.mark.parametrize("kind", ["hnn", "mlp"])
def test_default_config_gives_each_kind_its_measured_defaults(kind: str) -> None:
    config = default_config(kind)
    assert config == DEFAULT_TRAINING[kind]
    assert (config.lr, config.patience, config.epochs, config.weight_decay, config.schedule) == CHOSEN[kind]
    assert (config.batch_size, config.val_size, config.test_size, config.seed) == (128, 0.2, 0.2, 0)


def test_default_config_replaces_the_fields_given_and_leaves_the_defaults_alone() -> None:
    config = default_config("hnn", seed=3, epochs=20)
    assert config == replace(DEFAULT_TRAINING["hnn"], seed=3, epochs=20)
    assert (DEFAULT_TRAINING["hnn"].seed, DEFAULT_TRAINING["hnn"].epochs) == (0, CHOSEN["hnn"][2])
    with pytest.raises(TypeError):
        DEFAULT_TRAINING["hnn"] = config  # read-only


def test_default_config_rejects_unknown_kinds_fields_and_values() -> None:
    with pytest.raises(
        InputValidationError, match=r"The 'kind' parameter of default_config must be one of 'hnn', 'mlp'"
    ):
        default_config("gbm")
    with pytest.raises(InputValidationError, match=r"default_config got \['rate'\], which are not TrainConfig fields"):
        default_config("mlp", rate=0.1)
    with pytest.raises(InputValidationError, match="The 'lr' parameter of TrainConfig"):
        default_config("mlp", lr=-1.0)


@pytest.mark.parametrize("kind", ["hnn", "mlp"])
def test_train_run_without_a_config_trains_with_the_kinds_default(kind: str) -> None:
    ds = load_sample("wine")
    run = train_run(ds, ModelSpec(kind, channels=1)).result
    same = train_run(ds, ModelSpec(kind, channels=1), config=default_config(kind)).result
    assert run.metrics == same.metrics and run.epochs_run == same.epochs_run
    assert [r.val_loss for r in run.history] == [r.val_loss for r in same.history]


def test_the_hnn_default_is_not_the_plain_train_config() -> None:
    ds = load_sample("wine")
    run = train_run(ds, ModelSpec("hnn", channels=1)).result
    plain = train_run(ds, ModelSpec("hnn", channels=1), config=TrainConfig(defaults="mlp")).result
    assert [r.val_loss for r in run.history] != [r.val_loss for r in plain.history]
