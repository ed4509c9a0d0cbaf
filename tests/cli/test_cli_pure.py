"""Tests of ``hnnviz explain --method pure`` (the default method): the API's pure effects, exactly, as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hnnviz.cli import main
from hnnviz.data import load_dataset, sample_data_dir
from hnnviz.explanation import purify
from hnnviz.io import load_run

SAMPLES = sample_data_dir()
DIABETES, WINE = SAMPLES / "diabetes.csv", SAMPLES / "wine.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def pure_json(capsys: pytest.CaptureFixture[str], run_dir: Path, data: Path, *argv: str) -> dict:
    code, out, err = run(capsys, "explain", str(run_dir), "--data", str(data), "--top", "1000", "--json", *argv)
    assert code == 0 and err == ""
    return json.loads(out)


def _train(tmp_path_factory: pytest.TempPathFactory, data: Path, target: str, *argv: str) -> Path:
    out = tmp_path_factory.mktemp("run") / data.stem
    assert main(["train", str(data), "--target", target, "--epochs", "8", "--width", "2", "--out", str(out),
                 *argv]) == 0  # fmt: skip
    return out


@pytest.fixture(scope="module")
def diabetes_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory, DIABETES, "target")


@pytest.fixture(scope="module")
def wine_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory, WINE, "cultivar")


def test_pure_is_the_default_and_equals_the_api(capsys: pytest.CaptureFixture[str], diabetes_run: Path) -> None:
    result = pure_json(capsys, diabetes_run, DIABETES)
    api = purify(load_run(diabetes_run), load_dataset(DIABETES, target="target").X)
    assert list(result) == ["method", "n_rows", "intercept", "interaction_share", "effects"]
    assert (result["method"], result["n_rows"]) == ("pure", 442)
    assert (result["intercept"], result["interaction_share"]) == (api.intercept, api.interaction_share)
    expected = [
        {"features": list(e.features), "order": e.order, "importance": e.importance, "share": e.share}
        for e in api.ranking(min_order=0)
    ]
    assert result["effects"] == expected and len(expected) == len(api.effects)  # every order, by importance
    assert {e["order"] for e in result["effects"]} == {0, 1, 2, 3}
    assert result["effects"] == pure_json(capsys, diabetes_run, DIABETES, "--method", "pure")["effects"]


def test_top_cuts_the_effects(capsys: pytest.CaptureFixture[str], diabetes_run: Path) -> None:
    code, out, _ = run(capsys, "explain", str(diabetes_run), "--data", str(DIABETES), "--top", "3", "--json")
    result = json.loads(out)
    assert code == 0 and result["effects"] == pure_json(capsys, diabetes_run, DIABETES)["effects"][:3]


@pytest.mark.parametrize("row", [0, 7, 441])
def test_a_rows_contributions_add_up_to_its_prediction(
    capsys: pytest.CaptureFixture[str], diabetes_run: Path, row: int
) -> None:
    result = pure_json(capsys, diabetes_run, DIABETES, "--row", str(row))
    saved, X = load_run(diabetes_run), load_dataset(DIABETES, target="target").X
    assert result["prediction"] == pytest.approx(saved.predict(X[[row]])[0], rel=1e-12)
    values = [c["value"] for c in result["contributions"]]
    assert len(values) == len(result["effects"]) and np.abs(values).tolist() == sorted(np.abs(values), reverse=True)
    assert result["intercept"] + sum(values) == pytest.approx(result["prediction"], rel=1e-6)
    api = purify(saved, X)
    by_features = {tuple(c["features"]): c["value"] for c in result["contributions"]}
    expected = api.contributions(X[[row]])[0]
    assert [by_features[e.features] for e in api.effects] == pytest.approx(expected.tolist(), rel=1e-12, abs=1e-12)


def test_classification_decomposes_a_class_logit(capsys: pytest.CaptureFixture[str], wine_run: Path) -> None:
    saved, X = load_run(wine_run), load_dataset(WINE, target="cultivar").X
    classes = [str(c) for c in saved.classes]
    whole = pure_json(capsys, wine_run, WINE)
    assert whole["class"] == classes[-1] and "prediction" not in whole  # no row: the last class
    assert whole["intercept"] == purify(saved, X).intercept
    for row in (0, 100, 170):
        predicted = classes[int(saved.predict(X[[row]]).argmax())]
        for given in (None, classes[0]):
            argv = ["--row", str(row)] + ([] if given is None else ["--target-class", given])
            result = pure_json(capsys, wine_run, WINE, *argv)
            explained = predicted if given is None else given
            assert result["class"] == explained
            logit = saved.logits(X[[row]])[0, classes.index(explained)]
            assert result["prediction"] == pytest.approx(logit, rel=1e-12)
            total = result["intercept"] + sum(c["value"] for c in result["contributions"])
            assert total == pytest.approx(result["prediction"], rel=1e-6)
            assert result["intercept"] == purify(saved, X, target=explained).intercept


def test_summary_in_plain_words(capsys: pytest.CaptureFixture[str], diabetes_run: Path, wine_run: Path) -> None:
    code, out, _ = run(capsys, "explain", str(diabetes_run), "--data", str(DIABETES), "--top", "2", "--row", "5")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "pure effects of the prediction, from the 442 rows the model was trained on"
    assert lines[1].startswith("intercept (the mean prediction) ") and "of the model's variance" in lines[1]
    assert lines[2] == "the top 2 effects (spread over the training rows, share of the variance):"
    assert lines[5].startswith("the row: prediction ") and len(lines) == 8
    code, out, _ = run(capsys, "explain", str(wine_run), "--data", str(WINE), "--target-class", "1")
    assert code == 0 and out.startswith("pure effects of the logit of class 1, from the 178 rows")


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory, DIABETES, "target", "--model", "mlp")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--row", "442"], "--row must be in [0, 441] (the data has 442 rows); got 442."),
        (["--top", "0"], "--top must be at least 1; got 0."),
        (["--target-class", "1"], "--target-class is for a classification run; this one is a regression (got '1')."),
    ],
)
def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], diabetes_run: Path, argv: list, message: str) -> None:
    code, out, err = run(capsys, "explain", str(diabetes_run), "--data", str(DIABETES), *argv)
    assert code == 1 and out == "" and err == f"hnnviz explain: error: {message}\n"


def test_errors_of_the_run_and_table_are_one_line(
    capsys: pytest.CaptureFixture[str], diabetes_run: Path, wine_run: Path, mlp_run: Path, tmp_path: Path
) -> None:
    lines = DIABETES.read_text().splitlines()
    few = tmp_path / "few.csv"
    few.write_text("\n".join(lines[:51]) + "\n")
    cases = [
        (diabetes_run, few, "The 'X' parameter of purify must be the table the run was trained on. Got 50 rows"),
        (mlp_run, DIABETES, "Only an HNN can be purified by purify; this run holds a dense MLP."),
        (wine_run, WINE, "Unknown class 'x'; the classes are ['0', '1', '2']."),
    ]
    for run_dir, data, message in cases:
        argv = ["--target-class", "x"] if run_dir == wine_run else []
        code, out, err = run(capsys, "explain", str(run_dir), "--data", str(data), *argv)
        assert code == 1 and out == "" and err.startswith("hnnviz explain: error: ") and err.count("\n") == 1
        assert message in err
