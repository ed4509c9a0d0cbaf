"""Files written by the flat-layout version (tests/fixtures/legacy, made with main at 2db17dc) load, predict and
explain exactly as that version did."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hnnviz.data import load_sample
from hnnviz.explanation import explain
from hnnviz.io import load_run, read_bundle
from hnnviz.specs import TrainConfig

LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "legacy"


def expected(name: str) -> dict:
    return json.loads((LEGACY / f"{name}_expected.json").read_text())


def ranking(run, X) -> list[tuple[list[str], float]]:
    return [(list(s.features), s.score) for s in explain(run, X, method="gxa").ranking(top=15)]


def assert_same_ranking(got: list, want: list) -> None:
    assert [features for features, _ in got] == [features for features, _ in want]
    np.testing.assert_allclose([score for _, score in got], [score for _, score in want], rtol=1e-12, atol=0)


def test_a_run_folder_of_the_flat_layout_predicts_and_explains_identically() -> None:
    run, data, want = load_run(LEGACY / "run_diabetes"), load_sample("diabetes"), expected("run_diabetes")
    np.testing.assert_array_equal(run.predict(data.X[:25]), np.array(want["predictions"]))
    assert_same_ranking(ranking(run, data.X[run.result.split.test]), want["gxa_top"])


def test_a_session_bundle_of_the_flat_layout_holds_the_same_models() -> None:
    bundle, data, want = read_bundle(LEGACY / "session_wine.zip"), load_sample("wine"), expected("session_wine")
    assert sorted(bundle.runs) == ["HNN", "MLP"]
    for name in ("HNN", "MLP"):
        np.testing.assert_array_equal(bundle.runs[name].predict(data.X[:25]), np.array(want[name]))
    hnn = bundle.runs["HNN"]
    assert_same_ranking(ranking(hnn, data.X[hnn.result.split.test]), want["gxa_top"])


def test_training_settings_written_before_defaults_existed_read_as_the_mlp_protocol() -> None:
    """The bundle's settings hold every TrainConfig field but ``defaults``: they read back with exactly those values."""
    saved = read_bundle(LEGACY / "session_wine.zip").settings["training"]
    assert "defaults" not in saved
    config = TrainConfig.from_dict(saved)
    assert {key: getattr(config, key) for key in saved} == saved and config.defaults == "mlp"
