"""Tests of the model comparison: shared splits, fair baselines, sizes, summaries and errors."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time

import numpy as np
import pytest
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score

from hnnviz.data import Dataset, load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import split_rows, train_pruned, train_run
from hnnviz.specs import BASE_MODELS, ModelSpec, TrainConfig, default_config
from hnnviz.workflows import Comparison, compare_models, fit_classical, parse_model_name

CONFIG = TrainConfig(defaults="mlp", epochs=12, patience=5)
SPEC = ModelSpec(channels=2)
SEEDS = (0, 1)
REGRESSION_MODELS = ("hnn", "mlp", "linear", "gbm", "hnn-order1", "hnn-order2", "mlp-pruned")
#: Fits behind one "mlp-pruned" record: the dense fit and a fine-tuning per pruning round (3 by default).
PRUNED_FITS = 4
CLASSIFICATION_MODELS = ("hnn", "mlp", "linear", "gbm")


@pytest.fixture(scope="module")
def diabetes() -> Dataset:
    return load_sample("diabetes")


@pytest.fixture(scope="module")
def progress() -> list[tuple[str, int, int, int]]:
    return []


@pytest.fixture(scope="module")
def regression(diabetes: Dataset, progress: list[tuple[str, int, int, int]]) -> Comparison:
    return compare_models(
        diabetes, seeds=SEEDS, models=REGRESSION_MODELS, spec=SPEC, config=CONFIG,
        callback=lambda *call: progress.append(call),
    )  # fmt: skip


@pytest.fixture(scope="module")
def classification() -> Comparison:
    return compare_models(load_sample("wine"), seeds=SEEDS, models=CLASSIFICATION_MODELS, spec=SPEC, config=CONFIG)


def test_every_model_and_seed_has_finite_test_metrics(regression: Comparison, classification: Comparison) -> None:
    for comparison, models, names in [
        (regression, REGRESSION_MODELS, {"r2", "rmse", "mae"}),
        (classification, CLASSIFICATION_MODELS, {"accuracy", "macro_f1", "log_loss"}),
    ]:
        assert comparison.models == models and comparison.seeds == SEEDS
        assert [(r.seed, r.model) for r in comparison.records] == [(s, m) for s in SEEDS for m in models]
        for record in comparison.records:
            assert set(record.metrics) == names and all(math.isfinite(v) for v in record.metrics.values())
            assert record.n_params > 0 and record.seconds >= 0
            neural = record.model.startswith(("hnn", "mlp"))
            assert (record.epochs_run is not None) == neural
            fits = PRUNED_FITS if record.model == "mlp-pruned" else 1
            assert record.epochs_run is None or fits <= record.epochs_run <= fits * CONFIG.epochs
    assert (regression.task, regression.metric) == ("regression", "r2")
    assert (classification.task, classification.metric) == ("classification", "accuracy")
    assert min(r.metrics["accuracy"] for r in classification.of("gbm")) > 0.7  # sanity: the baselines learn


@pytest.mark.parametrize("seed", SEEDS)
def test_scores_equal_a_fit_by_hand_on_the_same_rows(classification: Comparison, seed: int) -> None:
    """Oracles: each model refitted by hand on the seed's split scores exactly what the comparison recorded."""
    wine = load_sample("wine")
    split = split_rows(wine.n_rows, wine.y, wine.task, val_size=CONFIG.val_size, test_size=CONFIG.test_size, seed=seed)
    records = {r.model: r for r in classification.records if r.seed == seed}
    fit_rows = np.concatenate([split.train, split.val])
    gbm = HistGradientBoostingClassifier(random_state=seed).fit(wine.X[fit_rows], wine.y[fit_rows])
    assert records["gbm"].metrics["accuracy"] == accuracy_score(wine.y[split.test], gbm.predict(wine.X[split.test]))
    for kind in ("hnn", "mlp"):
        run = train_run(wine, dataclasses.replace(SPEC, kind=kind), config=dataclasses.replace(CONFIG, seed=seed),
                        split=split)  # fmt: skip
        assert records[kind].metrics == run.result.metrics["test"]
        assert records[kind].n_params == run.model.n_params and records[kind].epochs_run == run.result.epochs_run


@pytest.mark.parametrize("seed", SEEDS)
def test_pruned_mlp_is_the_mlp_pruned_to_the_hnns_size_on_the_same_rows(
    regression: Comparison, diabetes: Dataset, seed: int
) -> None:
    """Oracle: train_pruned by hand on the seed's split; its dense phase is the "mlp" record's fit."""
    sizes = {"val_size": CONFIG.val_size, "test_size": CONFIG.test_size}
    split = split_rows(diabetes.n_rows, diabetes.y, diabetes.task, **sizes, seed=seed)
    run = train_pruned(diabetes, SPEC, config=dataclasses.replace(CONFIG, seed=seed), split=split)
    records = {r.model: r for r in regression.records if r.seed == seed}
    pruned = records["mlp-pruned"]
    assert pruned.metrics == run.result.metrics["test"] and pruned.epochs_run == run.pruned.epochs_run
    assert run.pruned.fits[0].metrics["test"] == records["mlp"].metrics
    # same widths, biases and readouts as the HNN, and exactly its number of layer weights
    assert pruned.n_params == run.pruned.n_params == records["hnn"].n_params < records["mlp"].n_params
    assert pruned.test_rows == records["hnn"].test_rows == tuple(split.test.tolist())


def test_pruned_mlp_is_not_fitted_by_default() -> None:
    assert parse_model_name("mlp-pruned") == ("mlp-pruned", None) and "mlp-pruned" not in BASE_MODELS


def test_fit_times_leave_out_the_network_build(diabetes: Dataset) -> None:
    start = time.perf_counter()
    comparison = compare_models(diabetes, seeds=(0,), models=("hnn", "mlp-pruned", "gbm"), spec=SPEC, config=CONFIG)
    wall = time.perf_counter() - start
    builds = {r.model: r.build_seconds for r in comparison.records}
    assert builds["hnn"] > 0 and builds["mlp-pruned"] > 0 and builds["gbm"] == 0
    assert all(r.seconds > 0 for r in comparison.records)
    assert sum(r.seconds + r.build_seconds for r in comparison.records) <= wall
    assert comparison.to_dict()["records"][0]["build_seconds"] == builds["hnn"]


def test_a_feature_constant_on_some_seeds_training_rows_is_reported_per_seed() -> None:
    """The split must never make a comparison fail: 'rare' varies on one row only, so it is constant on the
    training rows of every seed whose split puts that row elsewhere."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(60, 4)), np.zeros(60)])
    X[7, 4] = 1.0
    dataset = Dataset(X=X, feature_names=("a", "b", "c", "d", "rare"), y=X[:, 0] + X[:, 1] * X[:, 2], target="y",
                      task="regression")  # fmt: skip
    seeds = (0, 1, 2, 3)
    comparison = compare_models(dataset, seeds=seeds, models=("hnn", "linear"), spec=SPEC, config=CONFIG)
    sizes = {"val_size": CONFIG.val_size, "test_size": CONFIG.test_size}
    outside = [s for s in seeds if 7 not in split_rows(60, None, "regression", **sizes, seed=s).train]
    assert 0 < len(outside) < len(seeds)
    assert comparison.constant_features == {s: ("rare",) for s in outside}
    assert [r.constant_features for r in comparison.of("hnn")] == [("rare",) if s in outside else () for s in seeds]
    assert all(r.constant_features == () for r in comparison.of("linear"))
    assert json.loads(json.dumps(comparison.to_dict()))["constant_features"] == {str(s): ["rare"] for s in outside}


@pytest.mark.parametrize("which", ["regression", "classification"])
def test_all_models_are_scored_on_the_same_test_rows(request: pytest.FixtureRequest, which: str) -> None:
    comparison: Comparison = request.getfixturevalue(which)
    dataset = load_sample("diabetes" if which == "regression" else "wine")
    tests = {}
    for seed in SEEDS:
        expected = split_rows(
            dataset.n_rows, dataset.y, dataset.task, val_size=CONFIG.val_size, test_size=CONFIG.test_size, seed=seed
        ).test
        tests[seed] = {r.test_rows for r in comparison.records if r.seed == seed}
        assert tests[seed] == {tuple(expected.tolist())}
    assert tests[0] != tests[1]


def test_sizes(regression: Comparison, classification: Comparison, diabetes: Dataset) -> None:
    p = diabetes.n_features
    hnn, mlp = regression.of("hnn")[0].n_params, regression.of("mlp")[0].n_params
    assert mlp > 3 * hnn and regression.param_ratio == pytest.approx(mlp / hnn)
    assert {r.n_params for r in regression.of("linear")} == {p + 1}
    wine = load_sample("wine")
    assert {r.n_params for r in classification.of("linear")} == {len(wine.classes) * (wine.n_features + 1)}
    by_order = [regression.of(name)[0].n_params for name in ("hnn-order1", "hnn-order2", "hnn")]
    assert by_order == sorted(set(by_order))
    assert all(r.size_unit == "nodes" for r in regression.of("gbm"))
    assert all(r.size_unit == "params" for r in regression.records if r.model != "gbm")


def test_summary(regression: Comparison) -> None:
    rows = {row["model"]: row for row in regression.summary()}
    assert list(rows) == list(REGRESSION_MODELS)
    for model, row in rows.items():
        scores = [r.metrics["r2"] for r in regression.of(model)]
        assert row["metric"] == "r2" and row["n_seeds"] == len(SEEDS)
        assert row["mean"] == pytest.approx(np.mean(scores))
        assert row["std"] == pytest.approx(np.std(scores, ddof=1))
        assert row["n_params"] == np.mean([r.n_params for r in regression.of(model)])
        assert row["seconds"] == pytest.approx(np.mean([r.seconds for r in regression.of(model)]))
    assert rows["hnn"]["params_vs_hnn"] == 1.0 and rows["gbm"]["params_vs_hnn"] is None
    assert rows["mlp"]["params_vs_hnn"] == pytest.approx(regression.param_ratio)
    assert rows["gbm"]["size_unit"] == "nodes"


def test_to_dict_is_json(regression: Comparison) -> None:
    result = json.loads(json.dumps(regression.to_dict()))
    assert {"task", "metric", "seeds", "param_ratio", "models", "records"} <= set(result)
    assert [row["model"] for row in result["models"]] == list(REGRESSION_MODELS)
    assert len(result["records"]) == len(SEEDS) * len(REGRESSION_MODELS)
    assert result["records"][0]["n_test"] == len(regression.records[0].test_rows)


def test_callback_reports_every_fit(progress: list[tuple[str, int, int, int]], regression: Comparison) -> None:
    total = len(SEEDS) * len(REGRESSION_MODELS)
    assert progress == [(r.model, r.seed, k + 1, total) for k, r in enumerate(regression.records)]


def test_same_seed_gives_the_same_records(regression: Comparison, diabetes: Dataset) -> None:
    models = ("hnn", "linear", "gbm")
    again = compare_models(diabetes, seeds=(1,), models=models, spec=SPEC, config=CONFIG)

    def timeless(records: tuple) -> list:
        return [dataclasses.replace(r, seconds=0.0, build_seconds=0.0) for r in records]

    assert timeless(again.records) == timeless(r for r in regression.records if r.seed == 1 and r.model in models)
    assert all(row["std"] == 0.0 for row in again.summary())  # one seed: no spread
    assert again.param_ratio is None  # no MLP


def test_thread_budget_is_restored(diabetes: Dataset) -> None:
    before = torch.get_num_threads()
    seen = []
    record = lambda *_: seen.append(torch.get_num_threads())  # noqa: E731
    for threads in (1, 2, None):
        compare_models(diabetes, seeds=(0,), models=("linear",), threads=threads, callback=record)
        assert torch.get_num_threads() == before
    assert seen == [1, 2, before]


def test_parse_model_name() -> None:
    assert parse_model_name("mlp") == ("mlp", None)
    assert parse_model_name("hnn-order3") == ("hnn", 3)


@pytest.mark.parametrize("name", ["cnn", "HNN", "hnn-order", "mlp-order2", "hnn-order-1"])
def test_unknown_model_name(diabetes: Dataset, name: str) -> None:
    with pytest.raises(InputValidationError, match=f"'models' parameter of compare_models .* Got '{name}' instead"):
        compare_models(diabetes, models=("hnn", name))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"models": ()}, "'models' parameter of compare_models must be a non-empty sequence without repeats"),
        ({"models": ("hnn", "hnn")}, "'models' parameter .* without repeats"),
        ({"seeds": ()}, "'seeds' parameter .* non-empty"),
        ({"seeds": 3}, "'seeds' parameter .* non-empty"),
        ({"seeds": (0, -1)}, "'seeds' parameter of compare_models must be an int in \\[0, inf\\]"),
        ({"config": TrainConfig(defaults="mlp", test_size=0)}, "must keep a test part"),
        ({"threads": 0}, "'threads' parameter of compare_models must be an int in \\[1, inf\\]"),
        ({"ifn": {"method": "mst"}}, "'ifn' parameter of compare_models must be an IFNSpec or None. Got dict"),
    ],
)
def test_bad_arguments(diabetes: Dataset, kwargs: dict, message: str) -> None:
    with pytest.raises(InputValidationError, match=message):
        compare_models(diabetes, **kwargs)


def test_dataset_without_target() -> None:
    with pytest.raises(InputValidationError, match="has no target column"):
        compare_models(load_sample("diabetes", target=None))


def test_fit_classical_is_the_comparison_baseline_on_a_given_split():
    """The public baseline fit (report, app) equals compare's own record on the same split, and refuses nets."""
    ds = load_sample("diabetes")
    comparison = compare_models(ds, seeds=(3,), models=("gbm",))
    (record,) = comparison.records
    split = split_rows(ds.n_rows, ds.y, ds.task, val_size=0.2, test_size=0.2, seed=3)
    again = fit_classical(ds, "gbm", 3, split)
    assert again.metrics == record.metrics and again.test_rows == record.test_rows
    with pytest.raises(InputValidationError, match="'kind' parameter of fit_classical must be one of"):
        fit_classical(ds, "hnn", 3, split)


def test_without_a_config_each_net_trains_with_its_own_default():
    """config=None: the HNN trains with the HNN's default protocol and the MLP with the MLP's."""
    ds = load_sample("wine")
    comparison = compare_models(ds, seeds=(1,), models=("hnn", "mlp"))
    split = split_rows(ds.n_rows, ds.y, ds.task, val_size=0.2, test_size=0.2, seed=1)
    for record in comparison.records:
        run = train_run(ds, ModelSpec(kind=record.model), config=default_config(record.model, seed=1), split=split)
        assert record.metrics == run.result.metrics["test"] and record.epochs_run == run.result.epochs_run


def test_one_config_per_kind_and_its_refusals():
    ds = load_sample("wine")
    configs = {"hnn": TrainConfig(defaults="mlp", epochs=2, lr=0.05), "mlp": TrainConfig(defaults="mlp", epochs=3)}
    comparison = compare_models(ds, seeds=(0,), models=("hnn", "mlp"), config=configs)
    assert [r.epochs_run for r in comparison.records] == [2, 3]
    with pytest.raises(InputValidationError, match="same val_size and test_size"):
        compare_models(
            ds,
            seeds=(0,),
            config={"hnn": TrainConfig(defaults="mlp"), "mlp": TrainConfig(defaults="mlp", test_size=0.3)},
        )
    with pytest.raises(InputValidationError, match="must be a TrainConfig, one per kind"):
        compare_models(ds, seeds=(0,), config={"hnn": TrainConfig(defaults="mlp")})


@pytest.fixture(scope="module")
def tiny() -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    return Dataset(X=X, feature_names=tuple("abcd"), y=y, target="y", task="regression")


def test_ebm_is_an_optional_classical_baseline(tiny: Dataset) -> None:
    pytest.importorskip("interpret")
    assert parse_model_name("ebm") == ("ebm", None) and "ebm" not in BASE_MODELS
    comparison = compare_models(tiny, seeds=(0,), models=("hnn", "ebm"), spec=SPEC, config=CONFIG)
    record = comparison.of("ebm")[0]
    assert math.isfinite(record.metrics["r2"]) and record.size_unit == "bins" and record.n_params > 0
    assert record.build_seconds == 0 and record.epochs_run is None
    row = next(r for r in comparison.summary() if r["model"] == "ebm")
    assert row["params_vs_hnn"] is None and row["size_unit"] == "bins"
    split = split_rows(tiny.n_rows, tiny.y, tiny.task, val_size=0.2, test_size=0.2, seed=0)
    assert fit_classical(tiny, "ebm", 0, split).metrics == record.metrics  # same seed, same EBM


def test_ebm_without_interpret_is_a_clear_error(tiny: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "interpret.glassbox", None)  # import fails as if not installed
    with pytest.raises(InputValidationError, match="The 'ebm' model needs the interpret-core package"):
        compare_models(tiny, seeds=(0,), models=("ebm",))
