"""Benchmark of the filtering stage: hnnviz's TMFG against the reference fast-tmfg, measured in the same run.

For each p it times the similarity matrix (squared Pearson of an n x p Gaussian factor data set), hnnviz's
TMFG (best of ``--repeats``), fast-tmfg (once; skipped above ``--max-reference-p``), and the clique complex,
and checks that both TMFGs have the same edge set. Prints a Markdown table.

    python benchmarks/bench_ifn.py                    # p = 100, 500, 1000, 2000, 5000, 10000
    python benchmarks/bench_ifn.py --sizes 100 1000   # a quick run
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
from fast_tmfg.TMFG_core import TMFG

from hnnviz import clique_complex, similarity_matrix, tmfg

T = TypeVar("T")


def timed(fn: Callable[[], T], repeats: int = 1) -> tuple[T, float]:
    """Result of ``fn()`` and its best wall time over ``repeats`` runs."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def factor_data(n: int, p: int, seed: int) -> np.ndarray:
    """Gaussian data with a few latent factors, so the similarity has structure."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, 8))
    return factors @ rng.normal(size=(8, p)) + 2.0 * rng.normal(size=(n, p))


def reference_edges(W: np.ndarray) -> set[tuple[int, int]]:
    _, _, J = TMFG().fit_transform(pd.DataFrame(W), output="unweighted_sparse_W_matrix")
    return {(int(u), int(v)) for u, v in zip(*np.nonzero(np.triu(J, 1)), strict=True)}


def run(sizes: list[int], n_rows: int, repeats: int, max_reference_p: int) -> list[dict[str, object]]:
    tmfg(np.ones((5, 5)))  # load the compiled loop before timing
    rows = []
    for p in sizes:
        X = factor_data(n_rows, p, seed=p)
        W, t_similarity = timed(lambda X=X: similarity_matrix(X))
        graph, t_ours = timed(lambda W=W: tmfg(W), repeats)
        _, t_complex = timed(lambda graph=graph: clique_complex(graph))
        row = {"p": p, "similarity_s": t_similarity, "hnnviz_s": t_ours, "complex_s": t_complex}
        if p <= max_reference_p:
            edges, t_reference = timed(lambda W=W: reference_edges(W))
            ours = {(int(u), int(v)) for u, v in graph.edges}
            row |= {"fast_tmfg_s": t_reference, "speedup": t_reference / t_ours, "same_edges": ours == edges}
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


def format_row(row: dict[str, object]) -> str:
    reference = (
        f"{row['fast_tmfg_s']:.3f} | {row['speedup']:.1f}x | {'yes' if row['same_edges'] else 'NO'}"
        if "fast_tmfg_s" in row
        else "not run | - | -"
    )
    return f"| {row['p']} | {row['similarity_s']:.3f} | {row['hnnviz_s']:.4f} | {reference} | {row['complex_s']:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000, 2000, 5000, 10000])
    parser.add_argument("--rows", type=int, default=1000, help="rows of the data matrix (default 1000)")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many hnnviz runs (default 3)")
    parser.add_argument("--max-reference-p", type=int, default=5000, help="largest p given to fast-tmfg")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")
    print(f"n = {args.rows} rows; hnnviz best of {args.repeats}, fast-tmfg once\n")
    print("| p | similarity s | hnnviz TMFG s | fast-tmfg s | speed-up | same edges | complex s |")
    print("|---|---|---|---|---|---|---|")
    run(args.sizes, args.rows, args.repeats, args.max_reference_p)


if __name__ == "__main__":
    main()
