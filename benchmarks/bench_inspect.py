"""Speed of the simplex inspector and of the report, in Python, on every bundled sample with a target.

For each sample, the default HNN is trained once (``train_run(load_sample(name))``) and explained on its test
rows (gradient x activation); then, as the median of ``--repeats`` timings:

- (a) the inspector: :func:`hnnviz.explanation.inspect_simplex` on the training rows, plus
  :func:`hnnviz.viz.inspector_figure` of its response, for the top-ranked simplex of each order (what the app
  computes when a ranking bar is clicked; target: under 1 s);
- (b) the report: :func:`hnnviz.report.write_report` of the run saved with :func:`hnnviz.io.save_run`
  (the sample is found by the run's data set name; target: under 10 s), split into its steps;
- (c) once: ``hnnviz report RUN_DIR --out FILE`` as a subprocess, imports included (target: under 10 s).

Everything runs with one thread (:func:`hnnviz.model.limit_threads`), as in the app and the CLI. Writes
``benchmarks/results_inspect.md``. From the repository root::

    .venv/bin/python benchmarks/bench_inspect.py [--repeats 5] [--only diabetes,wine] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from hnnviz._messages import ORDER_NAMES
from hnnviz.data import SAMPLES, load_sample
from hnnviz.explanation import explain, inspect_simplex
from hnnviz.io import save_run
from hnnviz.model import limit_threads, train_run
from hnnviz.report import write_report
from hnnviz.viz import inspector_figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_inspect.md"
INSPECT_TARGET = 1.0
REPORT_TARGET = 10.0
CLI = Path(sys.executable).parent / "hnnviz"


@dataclass
class Row:
    """One line of the results table: the timings of one thing over the repeats, against a target."""

    sample: str
    what: str
    detail: str
    times: list[float]
    target: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "pass" if self.median < self.target else "MISS"


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def order_name(order: int) -> str:
    return ORDER_NAMES[order] if order < len(ORDER_NAMES) else f"order {order}"


def measure(name: str, repeats: int, folder: Path) -> list[Row]:
    """The rows of one bundled sample."""
    start = time.perf_counter()
    ds = load_sample(name)
    run = train_run(ds)
    trained = time.perf_counter() - start
    train_rows = ds.X[run.result.split.train]
    attribution = explain(run, ds.X[run.result.split.test])
    cx = run.network.complex
    shape = f"{ds.X.shape[0]} x {ds.X.shape[1]}, f-vector {', '.join(map(str, cx.f_vector))}"
    rows = [Row(name, "train_run (default HNN), once", f"{shape}; {run.result.epochs_run} epochs", [trained])]
    print(f"{name}: {shape}, trained in {trained:.1f} s", flush=True)

    ranking = attribution.ranking()
    for order in range(1, len(attribution.scores)):
        top = next((s for s in ranking if s.order == order), None)
        if top is None:
            continue

        def inspect(features: tuple[str, ...] = top.features) -> None:
            inspector_figure(inspect_simplex(run, features, X=train_rows))

        inspect()  # warm-up (first-call costs: imports of the figure code, torch kernels)
        times = timed(inspect, repeats)
        detail = f"top {order_name(order)} {{{', '.join(top.features)}}}"
        rows.append(Row(name, "inspect_simplex + inspector_figure", detail, times, INSPECT_TARGET))
        print(f"  inspect {detail}: {statistics.median(times):.3f} s", flush=True)

    run_dir = save_run(run, folder / name)
    out = folder / f"{name}.html"
    steps: list[dict[str, float]] = []

    def report() -> None:
        marks: list[tuple[str, float]] = []
        write_report(run_dir, out, progress=lambda step: marks.append((step, time.perf_counter())))
        marks.append(("", time.perf_counter()))
        steps.append({step: end - t for (step, t), (_, end) in itertools.pairwise(marks)})

    times = timed(report, repeats)
    size = out.stat().st_size / 2**20
    rows.append(Row(name, "write_report (in process)", f"{size:.1f} MiB HTML", times, REPORT_TARGET))
    for step in steps[0]:
        rows.append(Row(name, "write_report step", step, [s.get(step, 0.0) for s in steps]))
    print(f"  write_report: {statistics.median(times):.2f} s", flush=True)

    cli_out = folder / f"{name}-cli.html"
    command = [str(CLI), "report", str(run_dir), "--out", str(cli_out)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    cli = time.perf_counter() - start
    rows.append(Row(name, "`hnnviz report RUN_DIR --out FILE`, once", "subprocess, imports included", [cli], 10.0))
    print(f"  CLI: {cli:.2f} s", flush=True)
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| sample | what | detail | target s | median s | min s | max s | n | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = f"< {r.target:g}" if r.target is not None else ""
        lines.append(
            f"| {r.sample} | {r.what} | {r.detail} | {target} | {r.median:.3f} | {min(r.times):.3f} | "
            f"{max(r.times):.3f} | {len(r.times)} | {r.verdict()} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    samples = [name for name, info in SAMPLES.items() if info.target is not None]
    parser.add_argument("--repeats", type=int, default=5, help="timings per case (default 5)")
    parser.add_argument("--only", default=",".join(samples), help=f"comma-separated: {', '.join(samples)}")
    parser.add_argument("--out", default=str(RESULTS), help="results file (default benchmarks/results_inspect.md)")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(samples)
    if unknown:
        parser.error(f"unknown sample(s) {sorted(unknown)}; choose from {samples}")
    if not CLI.exists():
        sys.exit(f"the hnnviz command is not installed next to {sys.executable} (pip install -e .)")

    limit_threads()  # one thread, as the app and `hnnviz report` run
    started = time.monotonic()
    load = os.getloadavg()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench_inspect-") as scratch:
        for name in wanted:
            rows += measure(name, args.repeats, Path(scratch))
    elapsed = time.monotonic() - started

    command = "python benchmarks/bench_inspect.py " + " ".join(sys.argv[1:])
    header = [
        f"<!-- output of {command.strip()} -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {git_commit()}",
        f"- machine: {machine(f'torch {torch.__version__}')}; {torch.get_num_threads()} torch thread(s)",
        f"- {args.repeats} repeats per timed case (after one untimed inspector call per simplex); the inspector is "
        "timed on the top-ranked simplex of each order (gradient x activation over the test rows), with the "
        "training rows drawn on top; the report is `write_report` of the saved run, its sample found by name, "
        "its steps as reported through `progress`; the CLI row is one subprocess run, imports included",
        f"- load average (1 min) before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} (other work on the machine "
        f"slows the timings); whole run {elapsed:.0f} s",
    ]
    text = "\n".join(header) + "\n\n" + table(rows) + "\n"
    print("\n" + text)
    Path(args.out).write_text(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
