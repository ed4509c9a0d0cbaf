"""Tests of the command line (in process, and once through the installed console script)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score

from hnnviz.cli import main
from hnnviz.data import load_dataset, load_sample, sample_data_dir
from hnnviz.explanation import explain
from hnnviz.io import load_run
from hnnviz.model import split_rows, train_run
from hnnviz.specs import LAB_CONFIG, LAB_SPEC, IFNSpec, ModelSpec, default_config
from hnnviz.workflows import run_lab

SAMPLES = sample_data_dir()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_filter_json_describes_the_tmfg(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "filter", str(SAMPLES / "diabetes.csv"), "--target", "target", "--json")
    assert code == 0 and err == ""
    result = json.loads(out)
    assert {"nodes", "edges", "cliques", "separators", "clique_tree", "f_vector", "betti", "seconds", "dropped"} <= set(
        result
    )
    p = 10
    assert result["nodes"] == list(load_sample("diabetes").feature_names)
    assert len(result["edges"]) == 3 * p - 6 and len(result["cliques"]) == p - 3 and len(result["separators"]) == p - 4
    assert result["f_vector"] == [p, 3 * p - 6, 3 * p - 8, p - 3] and result["betti"] == [1, 0, 0, 0]
    assert result["clique_tree"][0] == -1 and all(0 <= q < k for k, q in enumerate(result["clique_tree"]) if k)
    assert all(name in result["nodes"] for edge in result["edges"] for name in edge)
    assert "target" not in result["nodes"] and result["dropped"] == []
    assert isinstance(result["seconds"], float) and result["seconds"] >= 0


def test_filter_reports_what_the_loader_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "filter", str(SAMPLES / "sp500_returns.csv"), "--method", "mst", "--json")
    result = json.loads(out)
    assert code == 0 and len(result["nodes"]) == 20 and len(result["edges"]) == 19
    assert [d["name"] for d in result["dropped"] if d["kind"] == "column"] == ["Date"]
    assert "non-numeric" in result["dropped"][0]["reason"]


@pytest.mark.parametrize("similarity", ["pearson2", "spearman2", "abs", "mi"])
def test_filter_mfcf_options(capsys: pytest.CaptureFixture[str], similarity: str) -> None:
    code, out, _ = run(
        capsys, "filter", str(SAMPLES / "wine.csv"), "--target", "cultivar", "--similarity", similarity,
        "--method", "mfcf", "--max-clique-size", "3", "--threshold", "0.05", "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["similarity"] == similarity and result["method"] == "mfcf"
    assert max(len(c) for c in result["cliques"]) <= 3 and len(result["f_vector"]) <= 3


def test_filter_summary_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "filter", str(SAMPLES / "sp500_returns.csv"))
    assert code == 0
    assert out.startswith("TMFG on 20 features (pearson2 similarity): 54 edges, 17 cliques, 16 separators")
    assert "dropped column 'Date': non-numeric" in out


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        ("a,b,c\n1,2,3\n", [], "Only 1 usable row remains; at least 10"),
        ("", [], "is empty"),
        ("a,b,c,d,e\n" + "\n".join(f"{i},{i * 2},x{i},1,{i % 3}" for i in range(30)), [], "at least 4 are needed"),
        ("a,b,c,d,e\n" + "\n".join(f"{i},{i ** 2},{i % 7},{i % 5},{i % 3}" for i in range(30)), ["--target", "z"],
         "Target column 'z' not found"),
    ],
)  # fmt: skip
def test_bad_data_is_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, argv: list[str], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = run(capsys, "filter", str(path), *argv)
    assert code == 1 and out == ""
    assert err.startswith("hnnviz filter: error: ") and err.count("\n") == 1
    assert message.lower() in err.lower()


def test_non_utf8_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("café,b,c,d\n1,2,3,4\n".encode("latin-1"))
    code, _, err = run(capsys, "filter", str(path))
    assert code == 1 and "UTF-8" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv", [["filter", "x.csv", "--method", "foo"], ["filter"], [], ["filter", "x.csv", "--threshold", "abc"]]
)
def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "error:" in err


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    exe = shutil.which("hnnviz") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "hnnviz")
    ok = subprocess.run([exe, "filter", str(SAMPLES / "diabetes.csv"), "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and len(json.loads(ok.stdout)["nodes"]) == 11  # no --target: target is a feature
    bad_path = tmp_path / "bad.csv"
    bad_path.write_text("a,b\n" + "\n".join(f"{i},{np.sin(i)}" for i in range(20)))
    bad = subprocess.run([exe, "filter", str(bad_path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1


_HEAVY = ("torch", "captum", "plotly", "sklearn", "streamlit", "dask", "distributed")


def _modules_loaded_by(argv: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``hnnviz ARGV``."""
    script = (
        "import json, sys\nfrom hnnviz.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["train", "--help"],
        ["sweep", "--help"],
        ["explain", "--help"],
        ["filter", str(SAMPLES / "wine.csv"), "--target", "cultivar", "--json"],
    ],
    ids=["help", "train-help", "sweep-help", "explain-help", "filter"],
)
def test_light_commands_import_no_heavy_library(argv: list[str]) -> None:
    """Start-up time is import time: help and filtering must not load torch, captum, plotly, scikit-learn or dask."""
    assert _modules_loaded_by(argv).isdisjoint(_HEAVY)


def test_the_import_guard_sees_heavy_commands() -> None:
    """The check above can fail: a command that trains does load torch."""
    assert "torch" in _modules_loaded_by(["explain", "missing-run-dir", "--data", "missing.csv"])


# ----------------------------------------------------------------------------------------------------------
# hnnviz train / hnnviz compare
# ----------------------------------------------------------------------------------------------------------

FAST = ("--epochs", "5", "--width", "2")


def test_train_json_and_saved_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "run"
    code, out, err = run(
        capsys, "train", str(SAMPLES / "diabetes.csv"), "--target", "target", *FAST, "--out", str(out_dir), "--json"
    )
    assert code == 0 and err == ""
    result = json.loads(out)
    keys = {"task", "model", "n_params", "n_features", "epochs_run", "best_epoch", "stopped", "seconds", "test"}
    assert keys | {"inactive", "dead_readouts", "out"} <= set(result)
    assert (result["task"], result["model"]) == ("regression", "hnn")
    assert result["n_features"] == load_sample("diabetes").n_features
    assert {"r2", "rmse", "mae"} == set(result["test"]) and np.isfinite(result["test"]["r2"])
    assert 1 <= result["best_epoch"] <= result["epochs_run"] <= 5 and result["stopped"] in ("early", "max_epochs")
    assert result["n_params"] > 0 and result["seconds"] > 0 and isinstance(result["dead_readouts"], list)
    assert Path(result["out"]) == out_dir
    assert (out_dir / "run.json").is_file() and (out_dir / "weights.safetensors").is_file()


def test_train_classification_mlp(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "train", str(SAMPLES / "wine.csv"), "--target", "cultivar", "--model", "mlp", "--seed", "1",
        "--method", "mfcf", "--max-clique-size", "3", "--lr", "0.01", "--batch-size", "32", *FAST,
        "--out", str(tmp_path / "wine"), "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0 and (result["task"], result["model"]) == ("classification", "mlp")
    assert {"accuracy", "macro_f1", "log_loss"} == set(result["test"])
    test = load_run(tmp_path / "wine").predictions(load_dataset(SAMPLES / "wine.csv", target="cultivar"), "test")
    assert result["test"]["accuracy"] == accuracy_score(test.y_true, test.predicted)  # oracle: the saved run
    assert len(result["f_vector"]) == 3  # MFCF cliques of at most 3 features


def test_train_summary_is_readable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "train", str(SAMPLES / "diabetes.csv"), "--target", "target", "--max-order", "1", *FAST,
        "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert code == 0 and err == ""
    assert out.startswith("HNN on diabetes (target 'target', regression): 10 features, ")
    assert "f-vector (10, 24, 22, 7)" in out and "test: r2 " in out and f"saved to {tmp_path / 'r'}" in out


def test_compare_json_lists_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    models = ["hnn", "mlp", "linear", "gbm", "hnn-order1"]
    code, out, err = run(
        capsys, "compare", str(SAMPLES / "diabetes.csv"), "--target", "target", "--seeds", "2",
        "--models", ",".join(models), *FAST, "--json",
    )  # fmt: skip
    assert code == 0 and err == ""
    result = json.loads(out)
    assert (result["task"], result["metric"], result["seeds"]) == ("regression", "r2", [0, 1])
    assert [row["model"] for row in result["models"]] == models
    for row in result["models"]:
        assert {"model", "mean", "std", "n_params", "seconds"} <= set(row) and np.isfinite(row["mean"])
    sizes = {row["model"]: row["n_params"] for row in result["models"]}
    assert sizes["linear"] == 11 and sizes["hnn-order1"] < sizes["hnn"] < sizes["mlp"]
    assert result["param_ratio"] == pytest.approx(sizes["mlp"] / sizes["hnn"])


def test_train_and_explain_match_the_api_exactly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Same seed, same data: 'hnnviz train --seed' and train_run give the same split, graph, weights and
    metrics, and 'hnnviz explain' on the saved run gives the API's attributions, bit for bit."""
    data, out_dir = SAMPLES / "diabetes.csv", tmp_path / "run"
    code, out, _ = run(capsys, "train", str(data), "--target", "target", "--seed", "3", "--epochs", "6",
                       "--width", "2", "--out", str(out_dir), "--json")  # fmt: skip
    cli = json.loads(out)
    dataset = load_dataset(data, target="target")
    api = train_run(dataset, ModelSpec(channels=2), config=default_config("hnn", epochs=6, seed=3))
    saved = load_run(out_dir)
    assert code == 0 and (cli["test"], cli["val"]) == (api.result.metrics["test"], api.result.metrics["val"])
    for part in ("train", "val", "test"):
        assert np.array_equal(getattr(saved.result.split, part), getattr(api.result.split, part))
    assert saved.network.graph == api.network.graph and np.array_equal(saved.network.similarity, api.network.similarity)
    weights, expected = saved.model.state_dict(), api.model.state_dict()
    assert weights.keys() == expected.keys() and all(torch.equal(weights[k], expected[k]) for k in weights)
    for method in ("gxa", "ig"):
        code, out, _ = run(capsys, "explain", str(out_dir), "--data", str(data), "--method", method, "--json")
        cli_attribution = json.loads(out)
        api_attribution = explain(api, dataset.X, method=method).to_dict(top=10)
        assert code == 0 and cli_attribution.pop("seconds") >= 0 and api_attribution.pop("seconds") >= 0
        assert cli_attribution == json.loads(json.dumps(api_attribution))


@pytest.fixture
def rare_csv(tmp_path: Path) -> Path:
    """80 rows; feature 'rare' is 0 except on row 2, so it is constant on training rows that miss row 2."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    rare = np.where(np.arange(80) == 2, 1.0, 0.0)
    table = np.column_stack([X, rare, X[:, 0] * X[:, 1] + X[:, 2]])
    path = tmp_path / "rare.csv"
    path.write_text("a,b,c,d,rare,y\n" + "\n".join(",".join(map(repr, row.tolist())) for row in table) + "\n")
    return path


def _seeds_leaving_out_row_2(seeds: range) -> list[int]:
    return [s for s in seeds if 2 not in split_rows(80, None, "regression", val_size=0.2, test_size=0.2, seed=s).train]


def test_train_reports_a_feature_constant_on_its_training_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, rare_csv: Path
) -> None:
    seed = str(_seeds_leaving_out_row_2(range(10))[0])
    argv = ["train", str(rare_csv), "--target", "y", "--seed", seed, *FAST]
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "j"), "--json")
    assert code == 0 and err == "" and json.loads(out)["constant_features"] == ["rare"]
    code, out, _ = run(capsys, *argv, "--out", str(tmp_path / "s"))
    assert code == 0 and "1 feature constant on the rows the network was built from" in out and "'rare'." in out


def test_compare_reports_the_seeds_whose_training_rows_hold_a_constant_feature(
    capsys: pytest.CaptureFixture[str], rare_csv: Path
) -> None:
    outside = _seeds_leaving_out_row_2(range(4))
    assert 0 < len(outside) < 4
    argv = ["compare", str(rare_csv), "--target", "y", "--seeds", "4", "--models", "hnn,linear", *FAST]
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["constant_features"] == {str(s): ["rare"] for s in outside}
    code, out, _ = run(capsys, *argv)
    notes = [line for line in out.splitlines() if "zero similarity" in line]
    assert notes == [f"seed {s}: zero similarity for 'rare' (constant on its training rows)" for s in outside]


def test_compare_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "compare", str(SAMPLES / "wine.csv"), "--target", "cultivar", "--seeds", "2", "--models", "linear,gbm"
    )
    lines = out.splitlines()
    assert code == 0 and lines[0] == "wine: classification, test accuracy over seeds 0, 1"
    assert lines[1].split() == ["model", "accuracy", "mean", "std", "size", "vs", "HNN", "seconds"]
    assert lines[2].split()[0] == "linear" and lines[2].split()[4] == "params"
    assert lines[3].split()[0] == "gbm" and lines[3].split()[4] == "nodes" and len(lines) == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "diabetes.csv", "--out", "OUT"], "hnnviz train: error: 'hnnviz train' needs --target COL"),
        (["compare", "diabetes.csv"], "hnnviz compare: error: 'hnnviz compare' needs --target COL"),
        (["compare", "diabetes.csv", "--target", "target", "--models", "hnn,cnn"], "Got 'cnn' instead"),
        (["compare", "diabetes.csv", "--target", "target", "--models", ","], "'models' parameter"),
        (["compare", "diabetes.csv", "--target", "target", "--seeds", "0"], "--seeds must be at least 1"),
        (["train", "diabetes.csv", "--target", "target", "--epochs", "0", "--out", "OUT"], "'epochs' parameter"),
        (["train", "diabetes.csv", "--target", "nope", "--out", "OUT"], "Target column 'nope' not found"),
        (["compare", "wine.csv", "--target", "cultivar", "--width", "0"], "'channels' parameter"),
        (["train", "wine.csv", "--target", "cultivar", "--out", "wine.csv"], "is a file; give a directory"),
    ],
)
def test_train_and_compare_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    argv = [str(SAMPLES / a) if a.endswith(".csv") else str(tmp_path / "out") if a == "OUT" else a for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "x.csv", "--target", "y"],  # no --out
        ["train", "x.csv", "--target", "y", "--out", "d", "--model", "gbm"],
        ["compare", "x.csv", "--seeds", "two"],
        ["compare"],
    ],
)
def test_train_and_compare_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "error:" in err


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "diabetes"
    assert main(["train", str(SAMPLES / "diabetes.csv"), "--target", "target", "--epochs", "5", "--width", "1",
                 "--out", str(out)]) == 0  # fmt: skip
    return out


@pytest.mark.parametrize("method", ["gxa", "ig", "ablation"])
def test_explain_json_ranks_simplices(capsys: pytest.CaptureFixture[str], saved_run: Path, method: str) -> None:
    capsys.readouterr()
    code, out, _ = run(
        capsys, "explain", str(saved_run), "--data", str(SAMPLES / "diabetes.csv"), "--method", method,
        "--top", "4", "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["method"] == method and result["n_rows"] == 442
    scores = [abs(s["score"]) for s in result["simplices"]]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    names = set(load_sample("diabetes").feature_names)
    assert all(set(s["features"]) <= names and len(s["features"]) == s["order"] + 1 for s in result["simplices"])
    assert ("completeness_gap" in result) == (method == "ig")
    if method == "ig":
        assert result["completeness_gap"] < 1e-2


def test_explain_summary_and_errors(capsys: pytest.CaptureFixture[str], saved_run: Path, tmp_path: Path) -> None:
    capsys.readouterr()
    code, out, _ = run(capsys, "explain", str(saved_run), "--data", str(SAMPLES / "diabetes.csv"), "--top", "2",
                       "--method", "gxa")  # fmt: skip
    assert code == 0 and out.startswith("gxa on 442 rows: the top 2 simplices")
    code, _, err = run(capsys, "explain", str(saved_run), "--data", str(SAMPLES / "wine.csv"))
    assert code == 1 and "lacks 10 feature(s) the model needs" in err and err.count("\n") == 1
    code, _, err = run(capsys, "explain", str(tmp_path / "nothing"), "--data", str(SAMPLES / "diabetes.csv"))
    assert code == 1 and err.startswith("hnnviz explain: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("method", ["gxa", "ig", "ablation"])
def test_explain_one_row(capsys: pytest.CaptureFixture[str], saved_run: Path, tmp_path: Path, method: str) -> None:
    capsys.readouterr()
    lines = (SAMPLES / "diabetes.csv").read_text().splitlines()
    one_row = tmp_path / "one.csv"
    one_row.write_text(f"{lines[0]}\n{lines[8]}\n")  # data row 7, every column constant in a one-row file
    argv = ["explain", str(saved_run), "--method", method, "--top", "3", "--json"]
    code, out, err = run(capsys, *argv, "--data", str(SAMPLES / "diabetes.csv"), "--row", "7")
    assert code == 0 and err == ""
    by_row = json.loads(out)
    code, out, err = run(capsys, *argv, "--data", str(one_row))
    assert code == 0 and err == ""
    from_file = json.loads(out)
    assert by_row["n_rows"] == from_file["n_rows"] == 1 and len(by_row["simplices"]) == 3
    assert [s["features"] for s in by_row["simplices"]] == [s["features"] for s in from_file["simplices"]]
    np.testing.assert_allclose(
        [s["score"] for s in by_row["simplices"]], [s["score"] for s in from_file["simplices"]], rtol=1e-6
    )
    assert any(abs(s["score"]) > 1e-6 for s in by_row["simplices"])
    code, out, _ = run(capsys, "explain", str(saved_run), "--data", str(one_row), "--method", method, "--top", "2")
    assert code == 0 and out.startswith(f"{method} on 1 row: the top 2 simplices") and len(out.splitlines()) >= 3


@pytest.mark.parametrize("row", ["999", "442", "-1"])
def test_explain_row_out_of_range(capsys: pytest.CaptureFixture[str], saved_run: Path, row: str) -> None:
    capsys.readouterr()
    code, out, err = run(capsys, "explain", str(saved_run), "--data", str(SAMPLES / "diabetes.csv"), "--row", row)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith(f"hnnviz explain: error: --row must be in [0, 441] (the data has 442 rows); got {row}.")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-clique-size", "1"], "The 'max_clique_size' parameter of IFNSpec must be an int in [2, inf]. Got 1"),
        (["--threshold", "-0.5"], "The 'threshold' parameter of IFNSpec must be a number in [0, inf]. Got -0.5"),
        (["--threshold", "nan"], "The 'threshold' parameter of IFNSpec must be a finite number. Got nan"),
    ],
)
def test_bad_ifn_options_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "filter", str(SAMPLES / "wine.csv"), "--method", "mfcf", *argv)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("hnnviz filter: error: ") and message in err


def test_lab_json_scores_the_planted_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "lab", "--rows", "600", "--features", "12", "--groups", "2,3", "--epochs", "5", "--width", "1",
        "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["groups"] == [["x01", "x02"], ["x03", "x04", "x05"]] and result["k"] == 2
    api = run_lab(n_rows=600, n_features=12, interactions=(2, 3), seed=0,
                  spec=dataclasses.replace(LAB_SPEC, channels=1),
                  config=dataclasses.replace(LAB_CONFIG, epochs=5, seed=0)).to_dict()  # fmt: skip
    assert result.pop("seconds") >= 0 and api.pop("seconds") >= 0
    assert result == json.loads(json.dumps(api))  # the same seed: the same lab, exactly
    assert len(result["top"]) == len(result["unit_top"]) == 2 and "r2" in result["test"]
    assert 0 <= result["interaction_share"] <= 1 and 0 <= result["unit_precision_at_k"] <= 1


def test_lab_plants_the_kinds_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "lab", "--rows", "300", "--features", "10", "--groups", "2,3", "--kinds", "max, threshold",
        "--epochs", "2", "--width", "1", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["formula"].startswith("t1 = max(x01, x02); t2 = 2*[x03 + x04 + x05 > 0] - 1")


@pytest.mark.parametrize(("argv", "message"), [(["--groups", "2,x"], "--groups takes comma-separated sizes"),
                                               (["--kinds", "max,min,sine"], "'kinds' parameter of PlantedSpec"),
                                               (["--features", "4", "--groups", "3,3"], "")])  # fmt: skip
def test_lab_bad_options_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "lab", "--rows", "100", *argv)
    assert code == 1 and out == "" and err.startswith("hnnviz lab: error: ") and err.count("\n") == 1
    assert message in err


def test_filter_on_interactions_reads_the_training_rows_of_the_default_split(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "filter", str(SAMPLES / "diabetes.csv"), "--target", "target", "--similarity", "interaction", "--json"
    )
    result = json.loads(out)
    data = load_sample("diabetes")
    expected = train_run(data, config=default_config("hnn", epochs=1), ifn=IFNSpec("interaction")).network
    assert code == 0 and result["similarity"] == "interaction"
    assert result["edges"] == expected.to_dict()["edges"]


def test_filter_on_interactions_without_a_target_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "filter", str(SAMPLES / "sp500_returns.csv"), "--similarity", "interaction")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "The 'interaction' similarity reads the target" in err


@pytest.mark.parametrize("command", ["train", "compare"])
def test_train_and_compare_on_interactions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    where = ["--out", str(tmp_path / "run")] if command == "train" else ["--seeds", "1", "--models", "hnn"]
    code, out, _ = run(
        capsys, command, str(SAMPLES / "wine.csv"), "--target", "cultivar", "--similarity", "interaction", *FAST,
        *where, "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)
    if command == "train":
        assert load_run(tmp_path / "run").network.ifn.similarity == "interaction"
