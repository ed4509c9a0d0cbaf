"""Tests of hnnviz.workflows.sweep and ``hnnviz sweep``: the spec, the tasks, three executors, resuming, the command."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import psutil
import pytest

from hnnviz.cli import main
from hnnviz.data import load_dataset, load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.network import bootstrap_stability
from hnnviz.specs import IFNSpec, ModelSpec, default_config
from hnnviz.viz import write_sweep_summary
from hnnviz.workflows import compare_models
from hnnviz.workflows.sweep import TIME_COLUMNS, FitTask, StabilityTask, SweepResult, SweepSpec, run_sweep, task_id

if TYPE_CHECKING:
    from distributed import Client

# Two tiny data sets (a file for regression, a bundled sample for classification), two seeds, a net and a
# classical model, a few epochs, and stability in chunks: 8 fits and 6 stability tasks.
SPEC = """
seeds = 2
models = ["hnn", "linear"]
datasets = [{ path = "tiny.csv", target = "y" }, "wine"]

[training]
epochs = 3
patience = 2

[model]
channels = 2

[stability]
resamples = 5
per_task = 2
seed = 3
"""


def _write_tiny(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5))
    y = X[:, 0] * X[:, 1] + X[:, 2] + 0.1 * rng.normal(size=80)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(y=y)
    path = folder / "tiny.csv"
    frame.to_csv(path, index=False)
    return path


def _spec_file(folder: Path, text: str = SPEC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write_tiny(folder)
    path = folder / "sweep.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _spec_file(tmp_path_factory.mktemp("spec"))


@pytest.fixture(scope="module")
def sequential(spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    """The reference: the sweep run in this process."""
    return run_sweep(SweepSpec.from_toml(spec_path), tmp_path_factory.mktemp("sequential"))


@pytest.fixture(scope="module", autouse=True)
def dask_client() -> Iterator[Client]:
    """A client of one local Dask cluster (two one-thread worker processes) that the Dask tests share.

    It starts with the module, and its workers import hnnviz.workflows.sweep in the background while the tests before
    the Dask ones run here: importing torch is most of a fresh worker's first task.
    """
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        warm = [  # kept until the end, so the tasks are not cancelled
            client.submit(
                lambda: importlib.import_module("hnnviz.workflows.sweep") and None, pure=False, workers=[worker]
            )
            for worker in client.scheduler_info()["workers"]
        ]
        yield client
        del warm


def assert_same_tables(a: SweepResult, b: SweepResult) -> None:
    """Every column but the timings exactly equal, and the stability tables exactly equal."""
    pd.testing.assert_frame_equal(
        a.results.drop(columns=list(TIME_COLUMNS), errors="ignore"),
        b.results.drop(columns=list(TIME_COLUMNS), errors="ignore"),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(a.stability, b.stability, check_exact=True)


# ----------------------------------------------------------------------------------------------------------
# The spec
# ----------------------------------------------------------------------------------------------------------


def test_spec_reads_every_section(tmp_path: Path) -> None:
    text = SPEC + '\n[ifn]\nsimilarity = "spearman2"\nmethod = "mfcf"\nmax_clique_size = 3\n'
    spec = SweepSpec.from_toml(_spec_file(tmp_path, text))
    tiny, wine = spec.datasets
    assert (tiny.name, tiny.sample, tiny.path, tiny.target) == ("tiny", None, str(tmp_path / "tiny.csv"), "y")
    assert (wine.name, wine.sample, wine.path, wine.target) == ("wine", "wine", None, "cultivar")
    assert spec.seeds == (0, 1) and spec.models == ("hnn", "linear")
    assert spec.training == {"epochs": 3, "patience": 2}
    assert spec.configs() == {
        "hnn": default_config("hnn", epochs=3, patience=2),
        "mlp": default_config("mlp", epochs=3, patience=2),
    }
    assert spec.spec == ModelSpec(channels=2)
    assert spec.ifn == IFNSpec("spearman2", "mfcf", max_clique_size=3)
    assert spec.stability is not None and spec.stability.chunks() == (2, 2, 1) and spec.stability.seed == 3
    assert tiny.load().n_rows == 80 and wine.load().task == "classification"


def test_tasks_cover_every_triple_then_the_chunks(spec_path: Path) -> None:
    tasks = SweepSpec.from_toml(spec_path).tasks()
    fits = [(t.dataset.name, t.seed, t.model) for t in tasks if isinstance(t, FitTask)]
    assert fits == [(d, s, m) for d in ("tiny", "wine") for s in (0, 1) for m in ("hnn", "linear")]
    chunks = [(t.dataset.name, t.chunk, t.n_boot) for t in tasks if isinstance(t, StabilityTask)]
    assert chunks == [(d, c, n) for d in ("tiny", "wine") for c, n in enumerate((2, 2, 1))]
    assert len({task_id(t) for t in tasks}) == len(tasks)


def test_seeds_as_a_list_and_stability_alone(tmp_path: Path) -> None:
    text = 'seeds = [4, 1]\nmodels = []\ndatasets = ["sp500_returns"]\n[stability]\nresamples = 3\n'
    spec = SweepSpec.from_toml(_spec_file(tmp_path, text))
    assert spec.seeds == (4, 1) and spec.datasets[0].target is None
    assert [type(t).__name__ for t in spec.tasks()] == ["StabilityTask"]


def _ids(spec: SweepSpec) -> dict[tuple[str, int, str], str]:
    return {(t.dataset.name, t.seed, t.model): task_id(t) for t in spec.tasks() if isinstance(t, FitTask)}


def test_task_ids_change_with_what_the_result_depends_on(tmp_path: Path) -> None:
    path = _spec_file(tmp_path)
    before = _ids(SweepSpec.from_toml(path))
    assert _ids(SweepSpec.from_toml(path)) == before  # stable
    path.write_text(SPEC.replace("epochs = 3", "epochs = 4"))
    more_epochs = _ids(SweepSpec.from_toml(path))
    assert {k for k in before if more_epochs[k] != before[k]} == {k for k in before if k[2] == "hnn"}
    path.write_text(SPEC)
    (tmp_path / "tiny.csv").write_text((tmp_path / "tiny.csv").read_text().replace("\n0.", "\n1.", 1))
    new_data = _ids(SweepSpec.from_toml(path))
    assert {k for k in before if new_data[k] != before[k]} == {k for k in before if k[0] == "tiny"}


_BAD_SPECS = [
    ("seeds = 2\nmodels = [\n", "is not valid UTF-8 TOML"),
    ("jobs = 2\n" + SPEC, r"unknown key 'jobs'; known there: datasets, seeds"),
    (SPEC.replace("epochs = 3", "epochs = 3\nlrr = 0.1"), r"unknown key 'training.lrr'"),
    (
        SPEC.replace("epochs = 3", "epochs = 3.5"),
        r"\[training\] table .* 'epochs' parameter of TrainConfig must be an int",
    ),
    (SPEC.replace("epochs = 3", "lr = -1"), r"\[training\] table .* 'lr' parameter of TrainConfig"),
    (SPEC.replace("epochs = 3", "test_size = 0"), r"'training.test_size' key .* must be above 0"),
    (SPEC.replace("epochs = 3", "seed = 1"), r"unknown key 'training.seed'"),
    (
        SPEC.replace("channels = 2", "channels = 0"),
        r"\[model\] table .* 'channels' parameter of ModelSpec must be an int in \[1, inf\]",
    ),
    (
        SPEC.replace("channels = 2", 'activation = "swish"'),
        r"\[model\] table .* 'activation' parameter of ModelSpec must be one of 'gelu'",
    ),
    (SPEC.replace("channels = 2", 'kind = "mlp"'), r"unknown key 'model.kind'"),
    (SPEC + '[ifn]\nmethod = "pmfg"\n', r"\[ifn\] table .* 'method' parameter of IFNSpec"),
    (SPEC.replace('"linear"', '"lasso"'), r"'models' key .* Got 'lasso' instead"),
    (SPEC.replace('"linear"', '"hnn"'), r"'models' key .* repeats models: 'hnn'"),
    (SPEC.replace('"linear"', "3"), r"'models' key .* must be a non-empty string. Got 3"),
    (
        SPEC.split("[stability]")[0].replace('models = ["hnn", "linear"]', "models = []"),
        r"must list at least one model \(or add",
    ),
    (SPEC.replace("seeds = 2", "seeds = 0"), r"'seeds' parameter .* must be an int in \[1, inf\]. Got 0"),
    (SPEC.replace("seeds = 2", "seeds = [0, -1]"), r"'seeds' parameter .* Got -1"),
    (SPEC.replace("seeds = 2", "seeds = [1, 1]"), r"'seeds' key .* repeats seeds: 1"),
    (SPEC.replace("seeds = 2", 'seeds = "2"'), r"'seeds' key .* must be a list. Got '2'"),
    (SPEC.replace("seeds = 2\n", ""), r"lacks the key 'seeds'"),
    (SPEC.replace('"wine"', '"wines"'), r"'datasets\[1\].sample' parameter .* Got 'wines'"),
    (SPEC.replace('"wine"', '"sp500_returns"'), r"'datasets\[1\]' entry .* needs a 'target'"),
    (SPEC.replace('target = "y"', 'target = "y", sample = "wine"'), r"'datasets\[0\]' entry .* either a 'sample' or"),
    (SPEC.replace("tiny.csv", "missing.csv"), r"'datasets\[0\].path' key .* existing file. Got '.*missing.csv'"),
    (SPEC.replace('target = "y"', 'target = "y", name = "wine"'), r"'datasets' key .* repeats data set names: 'wine'"),
    (SPEC.replace('"wine"', '{ sample = "wine", sheet = "a" }'), r"'datasets\[1\]' entry .* 'sheet', which only"),
    (SPEC.replace('"wine"', '{ sample = "wine", rows = 5 }'), r"unknown key 'datasets\[1\].rows'"),
    (SPEC.replace("resamples = 5", "resamples = 0"), r"'stability.resamples' parameter .* Got 0"),
    (SPEC.replace("resamples = 5", ""), r"\[stability\] table .* lacks the key 'resamples'"),
    (SPEC.replace("per_task = 2", "per_task = 2.0"), r"'stability.per_task' parameter .* must be an int"),
]


@pytest.mark.parametrize(("text", "message"), _BAD_SPECS)
def test_bad_specs_are_refused_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputValidationError, match=message) as info:
        SweepSpec.from_toml(_spec_file(tmp_path, text))
    assert "\n" not in str(info.value) and "sweep spec 'sweep.toml'" in str(info.value)


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(InputValidationError, match=r"Cannot read the sweep spec 'nope.toml': No such file"):
        SweepSpec.from_toml(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"jobs": 2, "workers": 2}, "at most one of jobs > 1, workers and scheduler"),
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, "at most one of"),
        ({"jobs": 0}, r"'jobs' parameter of run_sweep must be an int in \[1, inf\]"),
        ({"workers": 0}, r"'workers' parameter of run_sweep must be an int in \[1, inf\]"),
        ({"scheduler": "nonsense"}, r"Cannot reach the Dask scheduler at 'nonsense'"),
    ],
)
def test_run_sweep_refusals(spec_path: Path, tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(InputValidationError, match=message):
        run_sweep(SweepSpec.from_toml(spec_path), tmp_path, **options)


def test_a_bad_target_fails_before_any_task_runs(tmp_path: Path) -> None:
    spec = SweepSpec.from_toml(_spec_file(tmp_path, SPEC.replace('target = "y"', 'target = "z"')))
    with pytest.raises(InputValidationError, match="'z'"):
        run_sweep(spec, tmp_path / "out")
    assert not list((tmp_path / "out" / "tasks").iterdir())


# ----------------------------------------------------------------------------------------------------------
# Results: the compare protocol, stability, the files
# ----------------------------------------------------------------------------------------------------------


def test_fits_are_exactly_those_of_compare(sequential: SweepResult, spec_path: Path) -> None:
    spec = SweepSpec.from_toml(spec_path)
    datasets = {"tiny": load_dataset(spec_path.parent / "tiny.csv", target="y"), "wine": load_sample("wine")}
    for name, dataset in datasets.items():
        comparison = compare_models(
            dataset, seeds=spec.seeds, models=spec.models, spec=spec.spec, config=spec.configs(), threads=1
        )
        rows = sequential.results[sequential.results["dataset"] == name]
        assert list(zip(rows["seed"], rows["model"], strict=True)) == [(r.seed, r.model) for r in comparison.records]
        for (_, row), record in zip(rows.iterrows(), comparison.records, strict=True):
            assert {m: row[m] for m in record.metrics} == record.metrics
            assert (row["n_params"], row["n_test"], row["task"]) == (
                record.n_params,
                len(record.test_rows),
                dataset.task,
            )
            assert row["epochs_run"] == record.epochs_run or (record.epochs_run is None and np.isnan(row["epochs_run"]))


def test_results_table_layout(sequential: SweepResult) -> None:
    table = sequential.results
    assert list(table.columns[:11]) == [
        "dataset", "task", "metric", "seed", "model", "r2", "rmse", "mae", "accuracy", "macro_f1", "log_loss"
    ]  # fmt: skip
    assert {"n_params", "seconds", "epochs_run", "n_test"} <= set(table.columns) and table.columns[-1] == "task_id"
    assert table["metric"].tolist() == ["r2"] * 4 + ["accuracy"] * 4
    assert table.loc[table["task"] == "regression", "accuracy"].isna().all()
    summary = {(row["dataset"], row["model"]): row for row in sequential.summary()}
    wine_hnn = table[(table["dataset"] == "wine") & (table["model"] == "hnn")]["accuracy"]
    assert summary["wine", "hnn"]["mean"] == wine_hnn.mean()
    assert summary["wine", "hnn"]["std"] == pytest.approx(wine_hnn.std(ddof=1), abs=1e-15)


def test_files_on_disk_hold_the_tables(sequential: SweepResult, spec_path: Path) -> None:
    out = sequential.out
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), sequential.results)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "stability.parquet"), sequential.stability)
    csv = pd.read_csv(out / "results.csv")
    assert csv["task_id"].tolist() == sequential.results["task_id"].tolist()
    np.testing.assert_array_equal(csv["r2"], sequential.results["r2"])
    page = write_sweep_summary(sequential).read_text()
    assert "<script src=" not in page and "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js inlined
    saved = {p.stem for p in (out / "tasks").glob("*.json")}
    assert saved == {task_id(task) for task in SweepSpec.from_toml(spec_path).tasks()}


def test_stability_adds_up_independent_chunks(sequential: SweepResult, spec_path: Path) -> None:
    """Oracle: the chunks' counts from bootstrap_stability with generators seeded [seed, chunk]."""
    wine = load_sample("wine")
    counts: Counter[tuple[str, str]] = Counter()
    for chunk, n_boot in enumerate((2, 2, 1)):
        found = bootstrap_stability(wine.X, wine.feature_names, n_boot=n_boot, seed=np.random.default_rng([3, chunk]))
        counts.update({("edge", ", ".join(e)): round(f * n_boot) for e, f in found.edge_frequency.items()})
        counts.update({("clique", ", ".join(c)): round(f * n_boot) for c, f in found.clique_frequency.items()})
    table = sequential.stability[sequential.stability["dataset"] == "wine"]
    seen = table[table["count"] > 0]
    assert dict(zip(zip(seen["part"], seen["features"], strict=True), seen["count"], strict=True)) == counts
    assert (table["n_boot"] == 5).all() and np.array_equal(table["frequency"], table["count"] / 5)
    reference = bootstrap_stability(wine.X, wine.feature_names, n_boot=1)
    edges = table[(table["part"] == "edge") & table["reference"]]
    assert edges["features"].tolist() == [", ".join(e) for e in reference.reference_edges]
    score = {row["dataset"]: row["score"] for row in sequential.stability_scores()}["wine"]
    assert score == edges["frequency"].mean()


# ----------------------------------------------------------------------------------------------------------
# Executors: joblib and Dask give the sequential tables exactly
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_leaked_processes() -> Iterator[None]:
    """Fail if the test leaves child processes of its own running (loky's reusable workers excepted)."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    new = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    new = [p for p in new if "loky" not in " ".join(_cmdline(p))]
    _, alive = psutil.wait_procs(new, timeout=15)
    assert not alive, f"processes left running: {[p.pid for p in alive]}"


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


@pytest.mark.timeout(300)
def test_joblib_gives_the_sequential_tables(sequential: SweepResult, spec_path: Path, tmp_path: Path) -> None:
    result = run_sweep(SweepSpec.from_toml(spec_path), tmp_path, jobs=2)
    assert (result.n_tasks, result.reused) == (14, 0)
    assert_same_tables(result, sequential)


@pytest.mark.timeout(300)
def test_a_dask_scheduler_gives_the_sequential_tables(
    sequential: SweepResult, spec_path: Path, dask_client: Client, tmp_path: Path
) -> None:
    result = run_sweep(SweepSpec.from_toml(spec_path), tmp_path, scheduler=dask_client.scheduler.address)
    assert (result.n_tasks, result.reused) == (14, 0)
    assert_same_tables(result, sequential)


def test_a_worker_runs_tasks_without_loading_plotly(spec_path: Path) -> None:
    """A worker only runs tasks: a fit and a stability chunk, in a fresh interpreter, never load plotly (only the
    summary figure, written by the driver, needs it)."""
    code = (
        "import sys\nfrom hnnviz.workflows.sweep import SweepSpec\nfrom hnnviz.workflows.sweep._tasks import run_task\n"
        f"tasks = SweepSpec.from_toml({str(spec_path)!r}).tasks()\n"
        "run_task(tasks[0]); run_task(tasks[-1])\nprint(type(tasks[0]).__name__, type(tasks[-1]).__name__, "
        "'plotly' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["FitTask", "StabilityTask", "False"]


# ----------------------------------------------------------------------------------------------------------
# Resuming
# ----------------------------------------------------------------------------------------------------------


class _Stop(Exception):
    pass


def test_an_interrupted_sweep_resumes(sequential: SweepResult, spec_path: Path, tmp_path: Path) -> None:
    spec = SweepSpec.from_toml(spec_path)

    def stop_after_five(done: int, total: int, task: object) -> None:
        if done == 5:
            raise _Stop

    with pytest.raises(_Stop):
        run_sweep(spec, tmp_path, progress=stop_after_five)
    assert len(list((tmp_path / "tasks").glob("*.json"))) == 5
    ran = []
    result = run_sweep(spec, tmp_path, progress=lambda done, total, task: ran.append((done, total)))
    assert (result.reused, ran[-1]) == (5, (9, 9))
    assert_same_tables(result, sequential)


def test_deleted_and_stale_task_files(sequential: SweepResult, spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(sequential.out, out)
    for name in sequential.results["task_id"][:3]:
        (out / "tasks" / f"{name}.json").unlink()
    (out / "tasks" / f"{sequential.results['task_id'][3]}.json").write_text('{"task": {}, "res')  # damaged
    result = run_sweep(SweepSpec.from_toml(spec_path), out)
    assert result.reused == 14 - 4
    assert_same_tables(result, sequential)
    # a changed spec: more epochs refit the 4 HNN fits only; the linear fits and stability chunks are reused
    changed = spec_path.parent / "changed.toml"
    changed.write_text(SPEC.replace("epochs = 3", "epochs = 4"))
    rerun = run_sweep(SweepSpec.from_toml(changed), out)
    assert rerun.reused == 14 - 4
    hnn = rerun.results["model"] == "hnn"
    assert set(rerun.results.loc[hnn, "task_id"]).isdisjoint(sequential.results["task_id"])
    assert rerun.results.loc[hnn, "epochs_run"].max() == 4 and sequential.results["epochs_run"].max() == 3
    pd.testing.assert_frame_equal(rerun.results[~hnn], result.results[~hnn])  # reused: the same timings too
    pd.testing.assert_frame_equal(rerun.stability, sequential.stability)


# ----------------------------------------------------------------------------------------------------------
# The command
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_cli_on_a_dask_scheduler(
    capsys: pytest.CaptureFixture[str], sequential: SweepResult, spec_path: Path, dask_client: Client, tmp_path: Path
) -> None:
    argv = ["sweep", str(spec_path), "--out", str(tmp_path), "--scheduler", dask_client.scheduler.address, "--json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["tasks"], printed["ran"], printed["reused"]) == (14, 14, 0)
    untimed = [{k: v for k, v in row.items() if k != "seconds"} for row in sequential.summary()]
    assert [{k: v for k, v in row.items() if k != "seconds"} for row in printed["summary"]] == untimed
    assert printed["stability"] == sequential.stability_scores()
    table = pd.read_parquet(tmp_path / "results.parquet")
    pd.testing.assert_frame_equal(
        table.drop(columns=list(TIME_COLUMNS), errors="ignore"),
        sequential.results.drop(columns=list(TIME_COLUMNS), errors="ignore"),
        check_exact=True,
    )
    # the rerun reuses everything, and the summary says so
    assert main(["sweep", str(spec_path), "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("14 tasks: ran 0, reused 14 finished earlier\n")
    assert "wine                 hnn          accuracy" in text and "wine: stability score" in text


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("no_leaked_processes")
@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # by the shared cluster
def test_cli_workers_start_a_local_cluster_and_stop_it(
    capsys: pytest.CaptureFixture[str], sequential: SweepResult, spec_path: Path, tmp_path: Path
) -> None:
    """``--workers`` starts a cluster of its own (one worker here, the cheapest), gets the sequential tables,
    and stops it."""
    assert main(["sweep", str(spec_path), "--out", str(tmp_path), "--workers", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ran"] == 14
    again = run_sweep(SweepSpec.from_toml(spec_path), tmp_path)  # the tables from the workers' task files
    assert again.reused == 14
    assert_same_tables(again, sequential)


def test_cli_bad_spec_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _spec_file(tmp_path, SPEC.replace("epochs = 3", "epochs = 0"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("hnnviz sweep: error: In the [training] table of the sweep spec 'sweep.toml': ")


def test_cli_usage_errors(capsys: pytest.CaptureFixture[str], spec_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["sweep", str(spec_path), "--out", "x", "--jobs", "2", "--workers", "2"])
    assert info.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
