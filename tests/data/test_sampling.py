"""Tests of hnnviz.data.sampling: a reported, seeded, order-keeping sample of rows."""

from __future__ import annotations

import numpy as np
import pytest

from hnnviz.data import load_sample, sample_rows
from hnnviz.exceptions import InputValidationError


def test_a_sample_keeps_whole_rows_in_order_and_reports_the_rest():
    ds = load_sample("planted_interactions")
    small = sample_rows(ds, 500, seed=3)
    assert small.n_rows == 500 and small.feature_names == ds.feature_names
    rows = [int(np.flatnonzero((x == ds.X).all(axis=1))[0]) for x in small.X]
    assert rows == sorted(rows) and np.array_equal(small.y, ds.y[rows])  # whole rows, targets with them
    assert small.dropped[-1].kind == "rows" and small.dropped[-1].count == ds.n_rows - 500
    assert np.array_equal(sample_rows(ds, 500, seed=3).X, small.X)  # same seed, same sample
    assert not np.array_equal(sample_rows(ds, 500, seed=4).X, small.X)
    assert sample_rows(ds, ds.n_rows) is ds  # nothing to leave out


def test_a_classification_sample_keeps_each_class_share():
    ds = load_sample("breast_cancer")
    small = sample_rows(ds, 100, seed=0)
    assert np.bincount(small.y).tolist() == pytest.approx(100 * np.bincount(ds.y) / ds.n_rows, abs=1)


def test_too_small_a_sample_for_the_classes_is_a_message():
    with pytest.raises(InputValidationError, match="Cannot sample 2 rows keeping every class"):
        sample_rows(load_sample("wine"), 2)
    with pytest.raises(InputValidationError, match=r"The 'n_rows' parameter of sample_rows must be an int in \[1"):
        sample_rows(load_sample("wine"), 0)
