"""Speed of one HNN layer (TMFG triangles reading their edges), and of whole training steps as the batch grows.

Layers: forward + backward at batch 256, three implementations of the same layer timed in the same run:
- hnnviz's SimplexLayer (gather the faces, per-simplex contraction);
- a masked dense layer (a full weight matrix times a 0/1 incidence mask, as the reference code did);
- torch.sparse (a COO weight matrix with the same non-zeros).
The masked dense layer is skipped where its matrices would not fit in memory (reported).

Batch sweep: one training step (``hnnviz.model.train_step``: forward, backward and a fused AdamW step, as in
``train_model``, of the mean squared error) of the whole HNN on a TMFG of ``--sweep-p`` features, and of the
same-width dense MLP, at each batch size: ms per step and µs per row (the time per row should not grow with
the batch). The MLP is skipped where it would hold more than 50 million parameters or its step would cost over
1e11 parameter-rows (reported).

Writes ``benchmarks/results_layers.md``. From the repository root::

    .venv/bin/python benchmarks/bench_layers.py
    .venv/bin/python benchmarks/bench_layers.py --sizes 100 1000 --channels 1 --batches 64 256
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import torch

from hnnviz import clique_complex, tmfg
from hnnviz.model import HNN, MLP, SimplexLayer, torch_seed, train_step

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_layers.md"
BATCH = 256
DENSE_LIMIT_BYTES = 6e9  # weight, mask, masked product and gradient: four dense matrices
MLP_LIMIT_PARAMS = 5e7
MLP_LIMIT_PARAM_ROWS = 1e11


def seconds_per_step(step: Callable[[], None], min_time: float = 0.5, min_repeats: int = 5) -> float:
    """Median time of ``step`` over repeats filling at least ``min_time`` seconds (after a warm-up)."""
    step()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or len(times) < min_repeats:
        tick = time.perf_counter()
        step()
        times.append(time.perf_counter() - tick)
    return float(np.median(times))


def tmfg_complex(p: int):
    rng = np.random.default_rng(p)
    A = rng.random((p, p))
    return clique_complex(tmfg(A + A.T))


def triangle_faces(p: int) -> np.ndarray:
    return tmfg_complex(p).faces[2]


def sparse_step(layer: SimplexLayer, x: torch.Tensor) -> Callable[[], None]:
    out = layer(x)
    grad = torch.randn_like(out)

    def step() -> None:
        x.grad = None
        layer.zero_grad()
        layer(x).backward(grad)

    return step


def dense_step(layer: SimplexLayer, x: torch.Tensor) -> Callable[[], None]:
    dense = layer.dense_weight().detach()
    weight = torch.nn.Parameter(torch.randn_like(dense))
    mask = (dense != 0).float()
    flat = x.reshape(BATCH, -1).detach().requires_grad_()
    grad = torch.randn(BATCH, dense.shape[1])

    def step() -> None:
        weight.grad = flat.grad = None
        (flat @ (weight * mask)).backward(grad)

    return step


def torch_sparse_step(layer: SimplexLayer, x: torch.Tensor) -> Callable[[], None]:
    dense = layer.dense_weight().detach()
    indices = dense.t().nonzero().t()  # (2, nnz) of the transposed weight
    values = torch.nn.Parameter(torch.randn(indices.shape[1]))
    flat_t = x.reshape(BATCH, -1).t().contiguous().detach().requires_grad_()
    grad = torch.randn(dense.shape[1], BATCH)

    def step() -> None:
        values.grad = flat_t.grad = None
        weight_t = torch.sparse_coo_tensor(indices, values, (dense.shape[1], dense.shape[0]), check_invariants=False)
        torch.sparse.mm(weight_t, flat_t).backward(grad)

    return step


def model_step(model: torch.nn.Module, batch: int, p: int) -> Callable[[], None]:
    x, target = torch.randn(batch, p), torch.randn(batch, 1)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)  # as train_model
    return lambda: train_step(model, x, target, torch.nn.MSELoss(), optimiser)


def batch_sweep(p: int, channels: list[int], batches: list[int]) -> list[str]:
    """One training step of the HNN and of the same-width MLP per batch size: ms per step and µs per row."""
    complex = tmfg_complex(p)
    lines = [
        f"One training step (`train_step`, fused AdamW), HNN on a TMFG of p={p} features vs the same-width MLP:\n",
        "| h | batch | HNN ms/step | HNN µs/row | MLP ms/step | MLP µs/row | HNN/MLP |",
        "|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for h in channels:
        with torch_seed(0):
            hnn = HNN(complex, channels=h)
        mlp_params = sum(a * b + b for a, b in pairwise(hnn.widths))
        mlp = None
        if mlp_params <= MLP_LIMIT_PARAMS:
            with torch_seed(0):
                mlp = MLP(hnn.widths)
        for batch in batches:
            ours = seconds_per_step(model_step(hnn, batch, p), min_time=1.0, min_repeats=3)
            if mlp is not None and mlp_params * batch <= MLP_LIMIT_PARAM_ROWS:
                dense = seconds_per_step(model_step(mlp, batch, p), min_time=1.0, min_repeats=3)
                dense_cells = f"{dense * 1e3:.1f} | {dense * 1e6 / batch:.1f} | {ours / dense:.2f}x"
            else:
                dense_cells = f"skipped ({mlp_params / 1e6:.0f}M weights) | - | -"
            lines.append(f"| {h} | {batch} | {ours * 1e3:.1f} | {ours * 1e6 / batch:.1f} | {dense_cells} |")
            print(lines[-1], flush=True)
    return lines


def layer_table(sizes: list[int], channels: list[int]) -> list[str]:
    lines = [
        f"One layer, forward + backward at batch {BATCH}:\n",
        "| p | h | triangles | hnnviz ms | masked dense ms | torch.sparse ms | dense / hnnviz | sparse / hnnviz |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for p in sizes:
        faces = triangle_faces(p)
        for h in channels:
            torch.manual_seed(0)
            layer = SimplexLayer(faces, h, h)
            x = torch.randn(BATCH, int(faces.max()) + 1, h, requires_grad=True)
            ours = seconds_per_step(sparse_step(layer, x))
            dense_bytes = 4 * 4 * (x.shape[1] * h) * (len(faces) * h)
            dense = seconds_per_step(dense_step(layer, x)) if dense_bytes < DENSE_LIMIT_BYTES else None
            sparse = seconds_per_step(torch_sparse_step(layer, x))
            dense_text = f"{dense * 1e3:.2f}" if dense else f"skipped (needs {dense_bytes / 1e9:.0f} GB)"
            ratio = f"{dense / ours:.1f}x" if dense else "-"
            lines.append(
                f"| {p} | {h} | {len(faces)} | {ours * 1e3:.2f} | {dense_text} | {sparse * 1e3:.2f} | {ratio} "
                f"| {sparse / ours:.1f}x |"
            )
            print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000], help="p of the layer table")
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--sweep-p", type=int, default=1000, help="p of the batch sweep (default 1000)")
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256, 1024, 4096])
    parser.add_argument("--threads", type=int, default=1, help="torch threads for every implementation (default 1)")
    parser.add_argument("--out", default=str(RESULTS), help="results file (default benchmarks/results_layers.md)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started, load = time.monotonic(), os.getloadavg()
    tables = [layer_table(args.sizes, args.channels), batch_sweep(args.sweep_p, args.channels, args.batches)]
    command = ".venv/bin/python benchmarks/bench_layers.py " + " ".join(sys.argv[1:])
    notes = [
        f"<!-- output of {command.strip()} -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {git_commit()}",
        f"- machine: {machine(f'torch {torch.__version__}')}, {torch.get_num_threads()} torch thread(s)",
        "- median time per step over repeats filling at least 0.5 s (layers) or 1 s (sweep), after a warm-up",
        f"- load average (1 min) before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f}; "
        f"whole run {time.monotonic() - started:.0f} s",
    ]
    text = "\n".join(notes) + "\n\n" + "\n\n".join("\n".join(table) for table in tables) + "\n"
    Path(args.out).write_text(text)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
