"""HNN training on a GPU against the CPU: training steps of large networks, and whole fits of the bundled sets.

Steps: one training step (``hnnviz.model.train_step``, fused AdamW, mean squared error) of the HNN on a TMFG of
p features with h channels at batch 256, on the GPU and on the CPU (every core), and of the same-width dense
MLP on the GPU where it fits; ms per step (median, after a warm-up; the GPU synchronised around each step).

Fits: the default HNN (``default_config("hnn")``, 60 epochs without early stopping) on every bundled data set
with a target, on the GPU and on the CPU (one thread, the suite's and the app's policy): seconds per fit and
the largest difference of a test metric between the two.

Reproducibility: the same fit twice on the GPU, the largest weight difference.

Runs only where torch sees a GPU (the device machine). Writes ``benchmarks/results_gpu.md`` or ``--out``::

    python benchmarks/bench_gpu.py --out results_gpu.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import torch

from hnnviz.data import SAMPLES, load_sample
from hnnviz.model import HNN, MLP, build_model, split_rows, torch_seed, train_model, train_step
from hnnviz.network import filter_network
from hnnviz.specs import ModelSpec, default_config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402
from bench_layers import tmfg_complex  # noqa: E402

BATCH = 256
GPU_MLP_LIMIT_PARAMS = 4e9  # weights, gradients and two AdamW moments in float32: 64 GB at this size
FIT_EPOCHS = 60


def median_seconds(step: Callable[[], None], *, cuda: bool, repeats: int = 10) -> float:
    """Median seconds of ``step`` over ``repeats`` runs after two warm-ups (synchronising the GPU around each)."""
    times = []
    for i in range(repeats + 2):
        if cuda:
            torch.cuda.synchronize()
        tick = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        if i >= 2:
            times.append(time.perf_counter() - tick)
    return float(np.median(times))


def step_seconds(model: torch.nn.Module, p: int, device: str) -> float:
    model = model.to(device)
    x, target = torch.randn(BATCH, p, device=device), torch.randn(BATCH, 1, device=device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
    return median_seconds(lambda: train_step(model, x, target, torch.nn.MSELoss(), optimiser), cuda=device != "cpu")


def step_table(sizes: list[int], channels: list[int]) -> list[str]:
    lines = [
        f"One training step at batch {BATCH} (HNN on a TMFG of p features, h channels):\n",
        "| p | h | HNN params | HNN GPU ms | HNN CPU ms | CPU / GPU | MLP params | MLP GPU ms | MLP / HNN (GPU) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for p in sizes:
        complex = tmfg_complex(p)
        for h in channels:
            with torch_seed(0):
                hnn = HNN(complex, channels=h)
            gpu = step_seconds(hnn, p, "cuda")
            cpu = step_seconds(hnn, p, "cpu")
            mlp_params = sum(a * b + b for a, b in pairwise(hnn.widths))
            if mlp_params <= GPU_MLP_LIMIT_PARAMS:
                with torch_seed(0):
                    mlp = MLP(hnn.widths)
                dense = step_seconds(mlp, p, "cuda")
                del mlp
                torch.cuda.empty_cache()
                dense_cells = f"{dense * 1e3:.2f} | {dense / gpu:.1f}x"
            else:
                dense_cells = "skipped (too large) | -"
            lines.append(
                f"| {p} | {h} | {hnn.n_params:,} | {gpu * 1e3:.2f} | {cpu * 1e3:.1f} | {cpu / gpu:.0f}x "
                f"| {mlp_params:,} | {dense_cells} |"
            )
            print(lines[-1], flush=True)
    return lines


def fit(name: str, device: str, threads: int) -> tuple[float, dict[str, float], dict[str, torch.Tensor]]:
    """Seconds, test metrics and final weights of the default HNN trained for a fixed number of epochs."""
    torch.set_num_threads(threads)
    ds = load_sample(name)
    config = default_config("hnn", epochs=FIT_EPOCHS, patience=FIT_EPOCHS, device=device)
    split = split_rows(ds.n_rows, ds.y, ds.task, val_size=config.val_size, test_size=config.test_size, seed=0)
    network = filter_network(ds.X[split.train], ds.feature_names)
    n_outputs = 1 if ds.task == "regression" else len(ds.classes)
    model = build_model(ModelSpec(), network.complex, n_outputs, seed=0)
    result = train_model(model, ds.X, ds.y, ds.task, config=config, split=split)
    return result.seconds, result.metrics["test"], result.model.state_dict()


def fit_table() -> list[str]:
    cores = torch.get_num_threads()
    lines = [
        f"Whole fits of the default HNN ({FIT_EPOCHS} epochs, no early stopping), GPU against CPU:\n",
        "| data | GPU s | CPU 1 thread s | CPU all threads s | GPU vs 1 thread | largest test-metric gap "
        "| GPU twice: largest weight gap |",
        "|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for name, info in SAMPLES.items():
        if info.target is None:
            continue
        fit(name, "cuda", 1)  # warm-up: CUDA context, kernels
        gpu_s, gpu_metrics, gpu_weights = fit(name, "cuda", 1)
        _, _, again = fit(name, "cuda", 1)
        one_s, cpu_metrics, _ = fit(name, "cpu", 1)
        all_s, _, _ = fit(name, "cpu", cores)
        gap = max(abs(gpu_metrics[m] - cpu_metrics[m]) for m in cpu_metrics)
        drift = max(float((gpu_weights[k] - again[k]).abs().max()) for k in gpu_weights)
        lines.append(
            f"| {name} | {gpu_s:.2f} | {one_s:.2f} | {all_s:.2f} | {one_s / gpu_s:.2f}x | {gap:.2g} | {drift:.2g} |"
        )
        print(lines[-1], flush=True)
    torch.set_num_threads(cores)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--commit", default=None, help="the commit measured, where the copy has no git history")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_gpu.md"))
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("bench_gpu.py needs a CUDA GPU")
    started = time.monotonic()
    tables = [step_table(args.sizes, args.channels), fit_table()]
    notes = [
        "<!-- output of python benchmarks/bench_gpu.py " + " ".join(sys.argv[1:]) + " -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {args.commit or git_commit()}",
        f"- machine: {machine(f'torch {torch.__version__}')}, GPU {torch.cuda.get_device_name(0)}, "
        f"{torch.get_num_threads()} CPU threads for the CPU steps",
        f"- whole run {time.monotonic() - started:.0f} s",
    ]
    text = "\n".join(notes) + "\n\n" + "\n\n".join("\n".join(table) for table in tables) + "\n"
    Path(args.out).write_text(text)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
