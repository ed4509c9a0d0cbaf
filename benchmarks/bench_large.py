"""Time and peak memory of each step of the pipeline on large tables: 2,000 features, or 200,000 rows.

For each table (correlated Gaussian blocks and a numeric target, seeded, written as a CSV in a temporary folder)
it measures, with the public API:

- load: ``hnnviz.data.load_dataset(csv, target="y")`` (read and clean);
- similarity: ``hnnviz.network.similarity_matrix(X, "pearson2")``;
- filter: ``hnnviz.network.tmfg(W)``;
- complex: ``hnnviz.network.clique_complex(graph)``;
- epoch: ``hnnviz.model.build_model(ModelSpec(channels=1), complex, 1, seed)``, then
  ``hnnviz.model.train_model(model, X, y, "regression", config=TrainConfig(defaults="mlp", epochs=1))`` (the whole
  call, and the epoch itself as ``result.history[0].seconds``);
- explain: ``hnnviz.explanation.explain(run, rows, method=...)`` of a run made by
  ``train_run(dataset, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1))``: gradient x activation on
  1,000 rows, ablation on 100 rows, integrated gradients on 1,000 rows (stopped after ``--ig-budget`` seconds, the full
  time then estimated from its progress over the orders).

Every measurement runs in a fresh child process (this script with ``--child``), as torch's memory is invisible
to tracemalloc. The child limits itself to one thread, as the app does (``hnnviz.model.limit_threads(1)``:
torch and the BLAS/OpenMP pools), runs the step once on a tiny table (a warm-up: imports, first-call set-up), loads
its inputs from files the parent wrote (the CSV, ``.npy`` arrays), builds whatever the step needs untimed, then
resets the peak RSS (``/proc/self/clear_refs``), reads VmRSS, runs the step and reads VmHWM: the growth is
VmHWM - VmRSS before, the peak is VmHWM. Each step is repeated ``--repeats`` times (a step whose first run takes
longer than ``--repeat-limit`` seconds runs once); the table gives the median, min and max time and the largest
growth and peak. Linux only.

Writes ``benchmarks/results_large.md``. From the repository root::

    .venv/bin/python benchmarks/bench_large.py [--repeats 3] [--only 2000f-300r,20f-200000r] [--ig-budget 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_large.md"
TARGET = "y"
SEED = 0
GXA_ROWS, ABLATION_ROWS, IG_ROWS = 1000, 100, 1000


@dataclass(frozen=True)
class Table:
    """A generated table: ``n_rows`` x ``n_features`` plus the target; ``slow`` also runs ablation and IG."""

    n_rows: int
    n_features: int
    slow: bool = True

    @property
    def name(self) -> str:
        return f"{self.n_features}f-{self.n_rows}r"

    @property
    def label(self) -> str:
        return f"{self.n_features:,} features x {self.n_rows:,} rows"


# Ablation and IG cost depends on the features (the model) and the explained rows, not on the training rows; at
# 2,000 features they take minutes, so they run on the 1,000-row table only (the 300-row one has too few rows).
TABLES = (Table(300, 2000, slow=False), Table(1000, 2000), Table(200_000, 20), Table(200_000, 50))
TINY = Table(120, 12)
STEPS = ("load", "similarity", "filter", "complex", "epoch", "gxa", "ablation", "ig")
SLOW_STEPS = ("ablation", "ig")
TORCH_STEPS = ("epoch", "gxa", "ablation", "ig")


# ---- data ----------------------------------------------------------------------------------------------------


def make_table(table: Table, seed: int = SEED, block: int = 5) -> pd.DataFrame:
    """Gaussian features in blocks of ``block`` sharing a factor (plus a weak global factor), and a numeric
    target made of a linear part and products of pairs inside the first blocks, plus noise; seeded."""
    n, p = table.n_rows, table.n_features
    rng = np.random.default_rng(seed)
    n_blocks = -(-p // block)
    factors = np.repeat(rng.normal(size=(n, n_blocks)), block, axis=1)[:, :p]
    common = rng.normal(size=(n, 1))
    loadings = rng.uniform(0.4, 0.9, size=p)
    X = loadings * factors + 0.2 * common + 0.6 * rng.normal(size=(n, p))
    used = min(p, 20)
    y = X[:, :used] @ rng.normal(size=used) + (X[:, 0:used:5] * X[:, 1:used:5]).sum(axis=1)
    y += 0.5 * rng.normal(size=n)
    width = len(str(p - 1))
    frame = pd.DataFrame(X, columns=[f"x{j:0{width}d}" for j in range(p)])
    frame[TARGET] = y
    return frame


def prepare(table: Table, folder: Path) -> dict[str, Any]:
    """Write the table's CSV, and the arrays the steps start from: X and y as loaded from that CSV, and W."""
    from hnnviz.data import load_dataset
    from hnnviz.network import similarity_matrix

    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "table.csv"
    make_table(table).to_csv(csv, index=False, float_format="%.6g")
    data = load_dataset(csv, target=TARGET)
    if data.task != "regression" or data.X.shape != (table.n_rows, table.n_features):
        raise RuntimeError(f"{table.name}: load_dataset gave {data.summary()}")
    np.save(folder / "X.npy", data.X, allow_pickle=False)
    np.save(folder / "y.npy", data.y.astype(np.float64), allow_pickle=False)
    np.save(folder / "W.npy", similarity_matrix(data.X, "pearson2"), allow_pickle=False)
    (folder / "names.json").write_text(json.dumps(list(data.feature_names)))
    return {"csv_mb": csv.stat().st_size / 1e6}


# ---- the child: one step, measured ------------------------------------------------------------------------------


def proc_kib(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no {field} in /proc/self/status")
    return int(match.group(1))


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


class Meter:
    """Measures named parts of a step: time, peak RSS growth from just before the part, and the peak RSS."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []

    @contextmanager
    def part(self, call: str) -> Iterator[dict[str, Any]]:
        gc.collect()
        reset_peak()
        before = proc_kib("VmRSS")
        record: dict[str, Any] = {"call": call}
        emit("START", {"call": call})  # the parent's time limit counts from here
        start = time.perf_counter()
        yield record
        record["seconds"] = time.perf_counter() - start
        peak = proc_kib("VmHWM")
        record["growth_mib"] = (peak - before) / 1024
        record["peak_mib"] = peak / 1024
        self.parts.append(record)

    def derived(self, call: str, seconds: float) -> None:
        """A time reported by the code itself (no memory of its own)."""
        self.parts.append({"call": call, "seconds": seconds})


def emit(kind: str, payload: dict[str, Any]) -> None:
    print(f"{kind} {json.dumps(payload)}", flush=True)


def load_arrays(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.load(folder / "X.npy"), np.load(folder / "y.npy"), np.load(folder / "W.npy"))


def trained_run(folder: Path) -> tuple[Any, np.ndarray]:
    from hnnviz.data import Dataset
    from hnnviz.model import train_run
    from hnnviz.specs import ModelSpec, TrainConfig

    X, y, _ = load_arrays(folder)
    names = tuple(json.loads((folder / "names.json").read_text()))
    data = Dataset(X=X, feature_names=names, y=y, target=TARGET, task="regression", name=folder.name)
    return train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1, seed=SEED)), X


def step_load(folder: Path, meter: Meter) -> dict[str, Any]:
    from hnnviz.data import load_dataset

    with meter.part("load_dataset (read + clean)"):
        data = load_dataset(folder / "table.csv", target=TARGET)
    return {"shape": list(data.X.shape)}


def step_similarity(folder: Path, meter: Meter) -> dict[str, Any]:
    from hnnviz.network import similarity_matrix

    X, _, _ = load_arrays(folder)
    with meter.part('similarity_matrix(X, "pearson2")'):
        W = similarity_matrix(X, "pearson2")
    return {"shape": list(W.shape)}


def step_filter(folder: Path, meter: Meter) -> dict[str, Any]:
    from hnnviz.network import tmfg

    _, _, W = load_arrays(folder)
    with meter.part("tmfg(W)"):
        graph = tmfg(W)
    return {"edges": int(graph.n_edges)}


def step_complex(folder: Path, meter: Meter) -> dict[str, Any]:
    from hnnviz.network import clique_complex, tmfg

    _, _, W = load_arrays(folder)
    graph = tmfg(W)
    with meter.part("clique_complex(graph)"):
        cx = clique_complex(graph)
    return {"f_vector": list(cx.f_vector)}


def step_epoch(folder: Path, meter: Meter) -> dict[str, Any]:
    from hnnviz.model import build_model, train_model
    from hnnviz.network import clique_complex, tmfg
    from hnnviz.specs import ModelSpec, TrainConfig

    X, y, W = load_arrays(folder)
    cx = clique_complex(tmfg(W))
    with meter.part("build_model(ModelSpec(channels=1), ...)"):
        model = build_model(ModelSpec(channels=1), cx, 1, SEED)
    with meter.part("train_model(..., TrainConfig(defaults='mlp', epochs=1)), whole call"):
        result = train_model(model, X, y, "regression", config=TrainConfig(defaults="mlp", epochs=1, seed=SEED))
    meter.derived("the epoch itself (history[0].seconds)", result.history[0].seconds)
    n_params = sum(int(t.numel()) for t in model.parameters())
    return {"params": n_params, "train_rows": len(result.split.train)}


def explain_step(method: str, n_rows: int) -> Callable[[Path, Meter], dict[str, Any]]:
    def step(folder: Path, meter: Meter) -> dict[str, Any]:
        from hnnviz.explanation import explain

        run, X = trained_run(folder)
        rows = X[:n_rows]
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if method == "ig" or done == total or done % 1000 == 0:
                elapsed, peak = time.perf_counter() - start, proc_kib("VmHWM") / 1024
                emit("PROGRESS", {"done": done, "total": total, "seconds": elapsed, "peak_mib": peak})

        with meter.part(f'explain(run, {len(rows):,} rows, method="{method}")'):
            start = time.perf_counter()
            attribution = explain(run, rows, method=method, progress=progress)
        return {"units": int(sum(s.shape[1] for s in attribution.scores)), "rows": attribution.n_rows}

    return step


STEP_FUNCTIONS: dict[str, Callable[[Path, Meter], dict[str, Any]]] = {
    "load": step_load,
    "similarity": step_similarity,
    "filter": step_filter,
    "complex": step_complex,
    "epoch": step_epoch,
    "gxa": explain_step("gxa", GXA_ROWS),
    "ablation": explain_step("ablation", ABLATION_ROWS),
    "ig": explain_step("ig", IG_ROWS),
}


def child(step: str, folder: Path, tiny: Path) -> None:
    if step in TORCH_STEPS:
        from hnnviz.model import limit_threads

        limit_threads(1)  # torch and the native pools, as the app
    else:  # the numpy-only steps: do not pay for importing torch in every process
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
    fn = STEP_FUNCTIONS[step]
    start = time.perf_counter()
    fn(tiny, Meter())  # warm-up on the tiny table: imports and first-call set-up, not measured
    warmup = time.perf_counter() - start
    emit("WARMUP", {"seconds": warmup})
    meter = Meter()
    info = fn(folder, meter)
    emit("RESULT", {"parts": meter.parts, "info": info, "warmup": warmup})


# ---- the parent ------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    parts: list[dict[str, Any]]
    info: dict[str, Any]
    warmup: float
    progress: list[dict[str, Any]]
    stopped: float | None = None  # the budget, if the child was stopped when it ran out
    error: str | None = None


def run_child(step: str, folder: Path, tiny: Path, limit: float, log: Path) -> Outcome:
    """Run one step in a fresh process; stop it when a measured call has run ``limit`` seconds."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, str(folder), str(tiny)]
    with log.open("w") as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT)
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        progress: list[dict[str, Any]] = []
        result: dict[str, Any] | None = None
        warmup, deadline = None, time.monotonic() + limit + 300  # generous for the warm-up and the set-up
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                proc.kill()
                proc.wait()
                return Outcome([], {}, warmup or 0.0, progress, stopped=limit)
            if line is None:
                break
            kind, _, payload = line.partition(" ")
            if kind == "WARMUP":
                warmup = json.loads(payload)["seconds"]
                progress = []  # the warm-up's own progress
            elif kind == "START" and warmup is not None:
                deadline = time.monotonic() + limit
            elif kind == "PROGRESS" and warmup is not None:
                progress.append(json.loads(payload))
                last = progress[-1]
                print(f"      {step}: {last['done']}/{last['total']} at {last['seconds']:.1f} s", flush=True)
            elif kind == "RESULT":
                result = json.loads(payload)
        proc.wait()
    if proc.returncode != 0 or result is None:
        tail = log.read_text().strip().splitlines()[-6:]
        return Outcome([], {}, warmup or 0.0, progress, error=f"exit {proc.returncode}: " + " | ".join(tail))
    return Outcome(result["parts"], result["info"], result["warmup"], progress)


def describe(step: str, outcome: Outcome, prepared: dict[str, Any]) -> str:
    info = outcome.info
    if step == "load":
        return f"CSV {prepared['csv_mb']:.0f} MB; {info['shape'][0]:,} x {info['shape'][1]:,} after cleaning"
    if step == "similarity":
        return f"W {info['shape'][0]:,} x {info['shape'][1]:,}"
    if step == "filter":
        return f"{info['edges']:,} edges"
    if step == "complex":
        return f"f-vector {tuple(info['f_vector'])}"
    if step == "epoch":
        return f"{info['params']:,} parameters; {info['train_rows']:,} training rows, batch 128"
    return f"{info['units']:,} units (simplices) explained"


def table_md(rows: list[dict[str, Any]]) -> str:
    head = (
        "| table | step | call | median s | min s | max s | n | peak growth MiB | peak RSS MiB | warm-up s | notes |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    return head + "\n" + "\n".join("| " + " | ".join(str(row[k]) for k in row) + " |" for row in rows)


def summarise(table: Table, step: str, outcomes: list[Outcome], prepared: dict[str, Any]) -> list[dict[str, Any]]:
    good = [o for o in outcomes if o.error is None and o.stopped is None]
    warm = f"{statistics.median(o.warmup for o in outcomes):.2f}" if outcomes else ""
    rows = []
    if good:
        for i, first in enumerate(good[0].parts):
            parts = [o.parts[i] for o in good]
            times = [p["seconds"] for p in parts]
            measured = "peak_mib" in first
            rows.append({
                "table": table.label,
                "step": step,
                "call": first["call"],
                "median": f"{statistics.median(times):.3f}",
                "min": f"{min(times):.3f}",
                "max": f"{max(times):.3f}",
                "n": len(times),
                "growth": f"{max(p['growth_mib'] for p in parts):.0f}" if measured else "",
                "peak": f"{max(p['peak_mib'] for p in parts):.0f}" if measured else "",
                "warmup": warm if i == 0 else "",
                "notes": describe(step, good[0], prepared) if i == 0 else "",
            })  # fmt: skip
    for o in outcomes:
        if o.error is not None:
            rows.append(blank(table, step, warm, f"FAILED: {o.error}"))
        elif o.stopped is not None:
            rows.append(stopped_row(table, step, o, warm))
    return rows


def blank(table: Table, step: str, warm: str, notes: str, call: str = "") -> dict[str, Any]:
    return {
        "table": table.label, "step": step, "call": call, "median": "", "min": "", "max": "", "n": 0, "growth": "",
        "peak": "", "warmup": warm, "notes": notes,
    }  # fmt: skip


def stopped_row(table: Table, step: str, outcome: Outcome, warm: str) -> dict[str, Any]:
    rows_explained = {"ig": IG_ROWS, "ablation": ABLATION_ROWS, "gxa": GXA_ROWS}.get(step)
    call = f'explain(run, {rows_explained:,} rows, method="{step}")' if rows_explained else step
    if not outcome.progress:
        return blank(table, step, warm, f"stopped at the {outcome.stopped:.0f} s budget before any progress", call)
    last = outcome.progress[-1]
    estimate = last["seconds"] / last["done"] * last["total"]
    marks = ", ".join(f"{p['done']}/{p['total']} at {p['seconds']:.1f} s" for p in outcome.progress)
    row = blank(
        table, step, warm,
        f"STOPPED at the {outcome.stopped:.0f} s budget after {marks} (orders for ig, simplices for ablation); "
        "estimate of the whole call = time so far / done x total (rough: orders differ in cost); peak RSS so far",
        call,
    )  # fmt: skip
    row.update(median=f"~{estimate:.1f} (estimate)", n=1, peak=f">= {last['peak_mib']:.0f}")
    return row


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    names = [t.name for t in TABLES]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per step, each in a fresh process (default 3)")
    parser.add_argument("--only", default=",".join(names), help=f"comma-separated tables: {', '.join(names)}")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated steps: {', '.join(STEPS)}")
    parser.add_argument("--repeat-limit", type=float, default=30.0, help="run a step once if it takes longer (s)")
    parser.add_argument("--ig-budget", type=float, default=100.0, help="stop integrated gradients after this (s)")
    parser.add_argument("--timeout", type=float, default=300.0, help="stop any other step after this (s)")
    parser.add_argument("--out", default=str(RESULTS), help="results file (default benchmarks/results_large.md)")
    args = parser.parse_args()
    tables = [t for t in TABLES if t.name in args.only.split(",")]
    steps = [s for s in STEPS if s in args.steps.split(",")]
    if not tables or not steps:
        parser.error(f"choose tables from {names} and steps from {list(STEPS)}")

    import torch

    started = time.monotonic()
    load = os.getloadavg()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench_large-") as scratch:
        folder = Path(scratch)
        prepare(TINY, folder / "tiny")
        for table in tables:
            print(f"{table.label}: writing the CSV, loading it, similarity for the inputs ...", flush=True)
            tick = time.perf_counter()
            prepared = prepare(table, folder / table.name)
            print(f"  prepared in {time.perf_counter() - tick:.1f} s (CSV {prepared['csv_mb']:.0f} MB)", flush=True)
            for step in steps:
                if step in SLOW_STEPS and not table.slow:
                    continue
                outcomes: list[Outcome] = []
                for repeat in range(args.repeats):
                    limit = args.ig_budget if step == "ig" else args.timeout
                    outcome = run_child(step, folder / table.name, folder / "tiny", limit, folder / "child.log")
                    outcomes.append(outcome)
                    if outcome.error:
                        print(f"  {step} #{repeat + 1}: FAILED {outcome.error}", flush=True)
                        break
                    if outcome.stopped is not None:
                        print(f"  {step} #{repeat + 1}: stopped after {outcome.stopped:.0f} s", flush=True)
                        break
                    times = ", ".join(f"{p['seconds']:.3f} s" for p in outcome.parts)
                    peak = max(p.get("peak_mib", 0) for p in outcome.parts)
                    print(f"  {step} #{repeat + 1}: {times}; peak RSS {peak:.0f} MiB", flush=True)
                    if sum(p["seconds"] for p in outcome.parts if "peak_mib" in p) > args.repeat_limit:
                        break
                rows += summarise(table, step, outcomes, prepared)
    elapsed = time.monotonic() - started

    command = ".venv/bin/python benchmarks/bench_large.py " + " ".join(sys.argv[1:])
    header = [
        f"<!-- output of {command.strip()} -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {git_commit()}",
        f"- machine: {machine(f'torch {torch.__version__}', f'numpy {np.__version__}', f'pandas {pd.__version__}')}",
        "- one thread, as the app: `hnnviz.model.limit_threads(1)` (torch and the BLAS/OpenMP pools; the steps "
        "before the epoch, which do not import torch, limit the BLAS/OpenMP pools with threadpoolctl)",
        f"- each run in a fresh process after a warm-up on a {TINY.n_rows} x {TINY.n_features} table (the warm-up "
        "column: its median time, the step and its untimed set-up with first-call costs, which a running app pays "
        "once); "
        f"up to {args.repeats} runs per step (one if it took over {args.repeat_limit:.0f} s); median, min and max "
        "time; peak growth = largest VmHWM during the call - VmRSS just before it (peak reset before the call), "
        "peak RSS = largest VmHWM (the process, with its inputs and the untimed set-up held)",
        "- data: correlated Gaussian blocks of 5 features, numeric target, seed 0, written with 6 significant digits; "
        "the explained model: `train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults='mlp', epochs=1))` "
        "(TMFG on the "
        f"training rows); explained rows: the first {GXA_ROWS:,} (gxa; all the rows of a smaller table), "
        f"{ABLATION_ROWS} (ablation), {IG_ROWS:,} (ig, stopped after {args.ig_budget:.0f} s); ablation and ig "
        "are skipped on the 300-row table (their cost depends on the model and the explained rows only: see the "
        "1,000-row table)",
        f"- load average (1 min) before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f}; whole run {elapsed:.0f} s",
    ]
    text = "\n".join(header) + "\n\n" + table_md(rows) + "\n"
    print("\n" + text)
    Path(args.out).write_text(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
