"""Tests of hnnviz.workflows: the pilot timings are scaled by the right counts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import train_run
from hnnviz.network import filter_network
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.workflows import _timing as estimates


@pytest.fixture
def one_second_pilots(monkeypatch):
    """Every pilot measures exactly 1 s, so the estimates show their scaling."""

    def one_second(work, repeats=3):
        work()  # the pilot still runs (so a broken pilot still fails)
        return 1.0

    monkeypatch.setattr(estimates, "_median_seconds", one_second)


@pytest.fixture(scope="module")
def run():
    return train_run(load_sample("diabetes"), ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))


def test_an_epoch_is_one_step_per_batch(one_second_pilots, run):
    cx = run.network.complex
    assert estimates.epoch_seconds(cx, ModelSpec(channels=2), 1000, batch_size=128) == math.ceil(1000 / 128)
    assert estimates.epoch_seconds(cx, ModelSpec(channels=2), 50, batch_size=128) == 1.0


def test_explanations_scale_with_rows_and_units(one_second_pilots, run):
    orders = run.model.orders  # (10, 24, 22, 7)
    forward = 1000 / 256  # the pilot covers 256 of the 1000 rows
    assert estimates.explain_seconds(run, 1000, "gxa") == pytest.approx(3 * forward)
    assert estimates.explain_seconds(run, 1000, "ig", n_steps=10) == pytest.approx(len(orders) * 10 * 3 * forward)
    assert estimates.explain_seconds(run, 100, "ablation") == pytest.approx(sum(orders[1:]))


def test_a_bootstrap_repeats_the_similarity_and_the_filter():
    net = filter_network(np.random.default_rng(0).normal(size=(50, 8)), list("abcdefgh"))
    once = net.seconds["similarity"] + net.seconds["graph"]
    assert estimates.bootstrap_seconds(net, 40) == pytest.approx(40 * once)


def test_real_pilots_give_positive_finite_seconds(run):
    seconds = [
        estimates.epoch_seconds(run.network.complex, ModelSpec(channels=1), 300, batch_size=64),
        estimates.explain_seconds(run, 80, "ig"),
    ]
    assert all(0 < s < math.inf for s in seconds)


def test_bad_arguments(run):
    with pytest.raises(InputValidationError, match="The 'method' parameter of explain_seconds must be one of"):
        estimates.explain_seconds(run, 10, "shap")
    with pytest.raises(InputValidationError, match=r"The 'n_rows' parameter of epoch_seconds must be an int in \[1"):
        estimates.epoch_seconds(run.network.complex, ModelSpec(), 0, batch_size=10)
