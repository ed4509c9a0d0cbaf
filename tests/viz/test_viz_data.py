"""Tests of hnnviz.viz.data: the target's distribution."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_viz_graph import all_strings

from hnnviz.data import Dataset, load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.viz import target_figure


def test_a_regression_target_is_a_histogram_of_its_values():
    ds = load_sample("diabetes")
    (trace,) = [t for t in target_figure(ds).data if t.meta == "target"]
    assert trace.type == "histogram" and np.array_equal(np.asarray(trace.x), ds.y)


def test_a_classification_target_counts_the_rows_of_each_class_and_escapes_labels():
    y = np.array([0, 2, 2, 1, 2])
    ds = Dataset(X=np.zeros((5, 1)), feature_names=("a",), y=y, target="<i>t</i>", task="classification",
                 classes=("<script>alert(1)</script>", "b", "c"))  # fmt: skip
    fig = target_figure(ds)
    (trace,) = [t for t in fig.data if t.meta == "target"]
    assert list(trace.y) == [1, 1, 3] and trace.x[0] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    strings = all_strings(json.loads(fig.to_json()))
    assert not any("<script>" in s or "<i>" in s for s in strings)


def test_no_target_no_figure():
    with pytest.raises(InputValidationError, match="Data set 'sp500_returns' has no target to draw"):
        target_figure(load_sample("sp500_returns"))
