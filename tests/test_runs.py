"""Tests of hnnviz.runs beyond training itself (see test_train.py and test_pipeline.py): predictions by part."""

from __future__ import annotations

import numpy as np
import pytest

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.runs import ModelSpec, train_run
from hnnviz.train import TrainConfig


@pytest.mark.parametrize("part", ["train", "val", "test"])
def test_predictions_of_a_part_are_the_runs_predictions_on_its_rows(part: str) -> None:
    ds = load_sample("diabetes")
    run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(epochs=3))
    out = run.predictions(ds, part)
    rows = getattr(run.result.split, part)
    assert np.array_equal(out.rows, rows) and np.array_equal(out.y_true, ds.y[rows])
    assert np.array_equal(out.predicted, run.predict(ds.X[rows])) and out.probabilities is None
    r2 = 1 - ((out.y_true - out.predicted) ** 2).sum() / ((out.y_true - out.y_true.mean()) ** 2).sum()
    assert r2 == pytest.approx(run.result.metrics[part]["r2"])


def test_classification_predictions_are_class_codes_with_probabilities() -> None:
    ds = load_sample("wine")
    run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(epochs=3))
    out = run.predictions(ds)
    assert out.probabilities.shape == (len(run.result.split.test), 3)
    assert np.array_equal(out.predicted, out.probabilities.argmax(axis=1))
    assert (out.predicted == out.y_true).mean() == pytest.approx(run.result.metrics["test"]["accuracy"])


def test_predictions_need_the_table_the_run_was_trained_on() -> None:
    run = train_run(load_sample("diabetes"), ModelSpec(channels=1), config=TrainConfig(epochs=2))
    with pytest.raises(InputValidationError, match="Data set 'wine' is not the table this run was trained on"):
        run.predictions(load_sample("wine"))
    with pytest.raises(InputValidationError, match=r"The 'part' parameter of Run\.predictions must be one of"):
        run.predictions(load_sample("diabetes"), "holdout")
