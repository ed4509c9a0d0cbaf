"""Tests of hnnviz.viz.tables: plain column names, readable numbers, no None."""

from __future__ import annotations

import pytest

from hnnviz._messages import fmt_number
from hnnviz.data import load_sample
from hnnviz.model import train_run
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.viz import leaderboard_rows, results_rows
from hnnviz.workflows import Comparison, ModelRecord


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (181_100.0, 4, "181,100"),
        (1_811_234.5, 4, "1,811,234"),
        (57.5816, 4, "57.58"),
        (-0.5, 4, "-0.5"),
        (1.0, 4, "1"),
        (0.00012345, 3, "0.000123"),
        (2e-9, 4, "2e-09"),
        (float("inf"), 4, "—"),
    ],
)
def test_fmt_number_writes_numbers_for_people(value, digits, text):
    assert fmt_number(value, digits) == text


def test_the_leaderboard_has_plain_columns_and_a_dash_where_a_ratio_does_not_apply():
    records = tuple(
        ModelRecord(model, seed, {"rmse": 181_100.0 + seed}, size, 1.5, (0, 1))
        for model, size in (("hnn", 2139), ("mlp", 12315), ("gbm", 840))
        for seed in (0, 1)
    )
    rows = leaderboard_rows(Comparison("regression", "rmse", ("hnn", "mlp", "gbm"), (0, 1), records))
    assert list(rows[0]) == ["model", "test RMSE", "± std", "parameters", "vs HNN", "seconds", "seeds"]
    assert [r["vs HNN"] for r in rows] == ["1x", "5.8x", "—"]
    assert [r["parameters"] for r in rows] == ["2,139", "12,315", "840 tree nodes"]
    assert rows[0]["test RMSE"] == "181,100"  # the mean of 181,100 and 181,101, to 4 digits
    assert all(value is not None for row in rows for value in row.values())


def test_results_rows_name_the_metrics_and_write_sizes_with_separators():
    run = train_run(load_sample("wine"), ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=3))
    (row,) = results_rows({"HNN": run})
    assert {"accuracy", "macro-F1", "log loss"} <= set(row) and "macro_f1" not in row
    assert row["parameters"] == f"{run.model.n_params:,}" and row["stopped"] == "at the epoch limit"
    assert row["epochs"] == 3
