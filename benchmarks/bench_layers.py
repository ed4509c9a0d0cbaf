"""Speed of one HNN layer (TMFG triangles reading their edges), forward + backward at batch 256.

Three implementations of the same layer, timed in the same run:
- hnnviz's SimplexLayer (gather the faces, per-simplex contraction);
- a masked dense layer (a full weight matrix times a 0/1 incidence mask, as the reference code did);
- torch.sparse (a COO weight matrix with the same non-zeros).
The masked dense layer is skipped where its matrices would not fit in memory (reported).

    python benchmarks/bench_layers.py
    python benchmarks/bench_layers.py --sizes 100 1000 --channels 1
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from hnnviz import clique_complex, tmfg
from hnnviz.model import SimplexLayer

BATCH = 256
DENSE_LIMIT_BYTES = 6e9  # weight, mask, masked product and gradient: four dense matrices


def seconds_per_step(step: Callable[[], None], min_time: float = 0.5) -> float:
    """Median time of ``step`` over repeats filling at least ``min_time`` seconds (after a warm-up)."""
    step()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or len(times) < 5:
        tick = time.perf_counter()
        step()
        times.append(time.perf_counter() - tick)
    return float(np.median(times))


def triangle_faces(p: int) -> np.ndarray:
    rng = np.random.default_rng(p)
    A = rng.random((p, p))
    return clique_complex(tmfg(A + A.T)).faces[2]


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


def run(sizes: list[int], channels: list[int], threads: int) -> None:
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}, forward + backward\n")
    print("| p | h | triangles | hnnviz ms | masked dense ms | torch.sparse ms | dense / hnnviz | sparse / hnnviz |")
    print("|---|---|---|---|---|---|---|---|")
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
            print(
                f"| {p} | {h} | {len(faces)} | {ours * 1e3:.2f} | {dense_text} | {sparse * 1e3:.2f} | {ratio} "
                f"| {sparse / ours:.1f}x |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--threads", type=int, default=1, help="torch threads for every implementation (default 1)")
    args = parser.parse_args()
    run(args.sizes, args.channels, args.threads)


if __name__ == "__main__":
    main()
