"""Speed of whole fits: the HNN against the same-width dense MLP on every bundled data set with a target.

For each data set the rows are split as ``train_run`` splits them (``TrainConfig`` seed 0), the information
filtering network and clique complex are built once from the training rows, and each model is built with
``hnnviz.model.build_model`` (untimed) before every fit. Only ``hnnviz.model.train_model`` is timed: the epochs,
early stopping and the post-training passes (metrics, inactive units, dead readouts).

Two protocols, each at 1 and 2 threads (torch and the BLAS/OpenMP pools), HNN and MLP fits interleaved:

- fixed: each kind's default protocol with ``epochs=patience=--epochs``, the same number of epochs for both
  models (equal work), so the fit ratio compares the cost of the models;
- early: each kind's default protocol (``hnnviz.specs.default_config``, early stopping), as a user runs it;
  each model runs its own number of epochs (reported).

Median ms per epoch (the epoch's training batches and its validation pass, ``EpochRecord.seconds``, median over
every epoch of every repeat) and median seconds per whole fit over ``--repeats`` repeats.

Writes ``benchmarks/results_fit.md``. From the repository root::

    .venv/bin/python benchmarks/bench_fit.py [--repeats 3] [--epochs 60] [--threads 1 2] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

from hnnviz.data import SAMPLES, Dataset, load_sample
from hnnviz.model import Split, build_model, split_rows, train_model
from hnnviz.network import CliqueComplex, filter_network
from hnnviz.specs import DEFAULT_TRAINING, ModelSpec, TrainConfig, default_config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_fit.md"
KINDS = ("hnn", "mlp")


@dataclass(frozen=True)
class Timing:
    """Medians over the repeats of one model, protocol and thread count."""

    epoch_ms: float
    fit_s: float
    epochs: float


@dataclass(frozen=True)
class Problem:
    """A bundled data set, the seed-0 split of ``train_run`` and the clique complex of its training rows."""

    dataset: Dataset
    split: Split
    complex: CliqueComplex

    @classmethod
    def load(cls, name: str) -> Problem:
        dataset = load_sample(name)
        split = split_rows(dataset.n_rows, dataset.y, dataset.task, val_size=0.2, test_size=0.2, seed=0)
        return cls(dataset, split, filter_network(dataset.X[split.train], dataset.feature_names).complex)


def time_fits(problem: Problem, configs: dict[str, TrainConfig], threads: int, repeats: int) -> dict[str, Timing]:
    """Fit the HNN and the MLP ``repeats`` times each, interleaved, and return their median timings."""
    dataset, split, complex = problem.dataset, problem.split, problem.complex
    n_outputs = 1 if dataset.task == "regression" else len(dataset.classes)
    epochs: dict[str, list[float]] = {kind: [] for kind in KINDS}
    fits: dict[str, list[float]] = {kind: [] for kind in KINDS}
    counts: dict[str, list[int]] = {kind: [] for kind in KINDS}
    torch.set_num_threads(threads)
    with threadpool_limits(limits=threads):
        for kind in KINDS:  # warm-up: first-call costs (imports, thread pools) are not a fit's
            model = build_model(ModelSpec(kind), complex, n_outputs, seed=0)
            train_model(
                model, dataset.X, dataset.y, dataset.task, config=TrainConfig(defaults="mlp", epochs=1), split=split
            )
        for _ in range(repeats):
            for kind in KINDS:
                model = build_model(ModelSpec(kind), complex, n_outputs, seed=0)
                tick = time.perf_counter()
                result = train_model(model, dataset.X, dataset.y, dataset.task, config=configs[kind], split=split)
                fits[kind].append(time.perf_counter() - tick)
                epochs[kind] += [record.seconds for record in result.history]
                counts[kind].append(result.epochs_run)
    return {
        kind: Timing(
            1e3 * statistics.median(epochs[kind]), statistics.median(fits[kind]), statistics.median(counts[kind])
        )
        for kind in KINDS
    }


def table_row(name: str, shape: str, threads: int, fixed: dict[str, Timing], early: dict[str, Timing] | None) -> str:
    hnn, mlp = fixed["hnn"], fixed["mlp"]
    cells = [
        name,
        shape,
        str(threads),
        f"{hnn.epoch_ms:.2f}",
        f"{mlp.epoch_ms:.2f}",
        f"{hnn.epoch_ms / mlp.epoch_ms:.2f}x",
        f"{hnn.fit_s:.3f}",
        f"{mlp.fit_s:.3f}",
        f"{hnn.fit_s / mlp.fit_s:.2f}x",
    ]
    if early is not None:
        e_hnn, e_mlp = early["hnn"], early["mlp"]
        cells += [
            f"{e_hnn.fit_s:.3f} ({e_hnn.epochs:.0f})",
            f"{e_mlp.fit_s:.3f} ({e_mlp.epochs:.0f})",
            f"{e_hnn.fit_s / e_mlp.fit_s:.2f}x",
        ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    targets = [name for name, info in SAMPLES.items() if info.target]
    parser.add_argument("--datasets", nargs="+", default=targets, choices=targets)
    parser.add_argument("--repeats", type=int, default=3, help="fits per model, protocol and thread count")
    parser.add_argument("--epochs", type=int, default=60, help="epochs of the fixed protocol (default 60)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true", help="1 repeat, 20 fixed epochs, no early-stopped fits")
    parser.add_argument("--out", default=str(RESULTS), help="results file (default benchmarks/results_fit.md)")
    args = parser.parse_args()
    repeats, n_epochs = (1, 20) if args.quick else (args.repeats, args.epochs)
    fixed = {kind: default_config(kind, epochs=n_epochs, patience=n_epochs) for kind in KINDS}
    defaults = {kind: default_config(kind) for kind in KINDS}
    started, load = time.monotonic(), os.getloadavg()
    header = "| data | rows x p (f-vector) | threads | HNN ms/epoch | MLP ms/epoch | HNN/MLP epoch "
    header += f"| HNN s/fit ({n_epochs} ep) | MLP s/fit ({n_epochs} ep) | HNN/MLP fit "
    header += "|" if args.quick else "| HNN s/fit early (epochs) | MLP s/fit early (epochs) | HNN/MLP early |"
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    print(lines[0], lines[1], sep="\n", flush=True)
    for name in args.datasets:
        problem = Problem.load(name)
        shape = f"{problem.dataset.n_rows} x {problem.dataset.X.shape[1]} {tuple(problem.complex.f_vector)}"
        for threads in args.threads:
            equal = time_fits(problem, fixed, threads, repeats)
            early = None if args.quick else time_fits(problem, defaults, threads, repeats)
            lines.append(table_row(name, shape, threads, equal, early))
            print(lines[-1], flush=True)
    elapsed = time.monotonic() - started
    command = ".venv/bin/python benchmarks/bench_fit.py " + " ".join(sys.argv[1:])
    notes = [
        f"<!-- output of {command.strip()} -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {git_commit()}",
        f"- machine: {machine(f'torch {torch.__version__}')}",
        "- models: `build_model(ModelSpec(kind), complex, n_outputs, seed=0)` (HNN with 4 channels per simplex, "
        "and the MLP of the same widths), complex from the training rows of the seed-0 split; only `train_model` "
        "is timed (epochs, early stopping, post-training passes), not the network or model build",
        f"- fixed: each kind's default protocol with epochs={n_epochs}, patience={n_epochs} (equal work); early: "
        f"each kind's default (`hnnviz.specs.DEFAULT_TRAINING`: hnn {DEFAULT_TRAINING['hnn']}, mlp "
        f"{DEFAULT_TRAINING['mlp']}; median epochs run in brackets)",
        f"- median over {repeats} fits per cell (HNN and MLP interleaved); ms/epoch: median of every epoch of the "
        "fixed fits (training batches + validation pass)",
        f"- load average (1 min) before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f}; whole run {elapsed:.0f} s",
    ]
    text = "\n".join(notes) + "\n\n" + "\n".join(lines) + "\n"
    Path(args.out).write_text(text)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
