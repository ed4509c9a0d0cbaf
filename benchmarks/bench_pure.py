"""Pure effects (:func:`hnnviz.pure.purify`) against the unit attributions, and the choice of measure.

On the bundled planted sets, default HNN, training seeds 0-4: precision@5 and recall@5 of the top interactions
(order >= 1) under the subset rule (a hit lies inside one planted group), for the pure effects and for
``explain`` with gxa / ig / ablation on the test rows; the interaction share of each. The measure: the product
of marginals (``purify``) against the training rows' joint distribution (Lengerich et al.'s iterative
purification with the rows' histogram on the same grid, here only). Then the time of ``purify`` at p = 30 and
p = 200 (median of 3). Writes ``benchmarks/results_pure.md``.

    python benchmarks/bench_pure.py
"""

from __future__ import annotations

import datetime
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from _provenance import git_commit, machine
from hnnviz.explain import explain
from hnnviz.pure import _bits, _contribution, _extract, _grid, purify
from hnnviz.runs import ModelSpec, Run, train_run
from hnnviz.synthetic import make_planted
from hnnviz.train import TrainConfig

from hnnviz.data import load_dataset, sample_data_dir
from hnnviz.specs import default_config

OUT = Path(__file__).with_name("results_pure.md")
SETS = ("planted_interactions", "planted_shapes", "planted_additive")
SEEDS = range(5)
METHODS = ("gxa", "ig", "ablation")
K = 5


def _scores(top: list[tuple[str, ...]], groups: list[set[str]]) -> tuple[float, float]:
    """Precision and recall at k under the subset rule."""
    inside = [next((j for j, g in enumerate(groups) if set(f) <= g), None) for f in top]
    precision = sum(j is not None for j in inside) / len(top)
    return precision, len({j for j in inside if j is not None}) / len(groups) if groups else float("nan")


def _joint(run: Run, train: np.ndarray, grid_size: int = 8, sweeps: int = 50) -> list[tuple[tuple[str, ...], float]]:
    """Pure effects under the training rows' joint measure: each term on the grid purified by moving weighted
    means (weights: the rows' histogram over the term's features) into lower subsets until nothing moves.
    Returns every subset with its standard deviation over the training rows (grid look-up)."""
    grid = _grid(run, train, grid_size)
    terms = _extract(run, 0, grid)
    cells = np.stack([np.abs(train[:, [c]] - grid[c][None]).argmin(1) for c in range(train.shape[1])], 1)
    effects: dict[tuple[int, ...], np.ndarray] = {}
    for k, simplices in enumerate(run.network.complex.simplices[: len(run.model.orders)]):
        values = _contribution(terms, k, 0, None, {})[:, 0].numpy() * terms.y_scale
        for simplex, term in zip(simplices, values, strict=True):
            counts = np.zeros((grid_size,) * (k + 1))
            np.add.at(counts, tuple(cells[:, simplex].T), 1.0)
            for mask, piece in _purify_joint(term, counts / counts.sum(), sweeps).items():
                key = tuple(simplex[_bits(mask)])
                effects[key] = effects.get(key, 0.0) + piece
    names = run.feature_names
    return [
        (tuple(names[c] for c in key), float(value[tuple(cells[:, list(key)].T)].std()))
        for key, value in effects.items()
    ]


def _purify_joint(term: np.ndarray, weight: np.ndarray, sweeps: int) -> dict[int, np.ndarray]:
    """Lengerich et al.'s purification of one term under ``weight``: pieces by mask, with size-1 axes kept."""
    d = term.ndim
    pieces = {(1 << d) - 1: term.copy()}
    for _ in range(sweeps):
        moved = 0.0
        for mask in sorted(pieces, key=lambda m: -len(_bits(m))):
            if mask == 0:
                continue
            w = weight.sum(axis=tuple(i for i in range(d) if not mask >> i & 1), keepdims=True)
            for i in _bits(mask):
                total = w.sum(axis=i, keepdims=True)
                mean = np.where(total > 0, (w * pieces[mask]).sum(axis=i, keepdims=True) / np.maximum(total, 1e-300), 0)
                pieces[mask] = pieces[mask] - mean
                lower = mask & ~(1 << i)
                pieces[lower] = pieces.get(lower, 0.0) + mean
                moved = max(moved, float(np.abs(mean).max()))
        if moved < 1e-10:
            break
    return {m: np.broadcast_to(p, term.shape) for m, p in pieces.items() if m}


def _load(name: str) -> tuple:
    data = load_dataset(sample_data_dir() / f"{name}.csv", target="y", name=name)
    truth = json.loads((sample_data_dir() / f"{name}.json").read_text())
    return data, [set(g) for g in truth["planted_groups"]]


def quality() -> list[str]:
    lines = [
        "| set | method | precision@5 | recall@5 | interaction share |",
        "|---|---|---|---|---|",
    ]
    for name in SETS:
        data, groups = _load(name)
        rows: dict[str, list[tuple[float, float, float]]] = {}
        for seed in SEEDS:
            run = train_run(data, ModelSpec(), config=default_config("hnn", seed=seed))
            pure = purify(run, data.X)
            top = [e.features for e in pure.ranking(top=K)]
            rows.setdefault("pure (product measure)", []).append((*_scores(top, groups), pure.interaction_share))
            joint = sorted(_joint(run, data.X[run.result.split.train]), key=lambda item: -item[1])
            share = sum(sd**2 for f, sd in joint if len(f) > 1) / sum(sd**2 for _, sd in joint)
            top = [f for f, _ in joint if len(f) > 1][:K]
            rows.setdefault("pure (joint measure)", []).append((*_scores(top, groups), share))
            test = data.X[run.result.split.test]
            for method in METHODS:
                attribution = explain(run, test, method=method, background=data.X[run.result.split.train])
                top = [s.features for s in attribution.ranking(top=K)]
                share = float(attribution.order_shares()[1:].sum())
                rows.setdefault(f"units, {method}", []).append((*_scores(top, groups), share))
        for method, values in rows.items():
            table = np.array(values, dtype=float)
            cells = [f"{v:.2f}" if groups else "-" for v in table[:, :2].mean(axis=0)]
            share = table[:, 2]
            spread = f"{np.median(share):.3f} ({share.min():.3f}-{share.max():.3f})"
            lines.append(f"| {name} | {method} | {cells[0]} | {cells[1]} | {spread} |")
            print(lines[-1], flush=True)
    return lines


def timing() -> list[str]:
    lines = ["| p | f-vector | purify seconds (median of 3) |", "|---|---|---|"]
    for p in (30, 200):
        data = make_planted(2000, p, (2, 3, 4), seed=0).dataset
        run = train_run(data, ModelSpec(), config=TrainConfig(epochs=2, seed=0))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            purify(run, data.X)
            times.append(time.perf_counter() - start)
        lines.append(f"| {p} | {run.network.complex.f_vector} | {statistics.median(times):.3f} |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    torch.set_num_threads(2)
    header = [
        "# Pure effects (`hnnviz.pure.purify`)",
        "",
        f"{datetime.date.today()}, commit {git_commit()}; {machine(f'torch {torch.__version__}')}.",
        "Made by `python benchmarks/bench_pure.py`. Default HNN (`ModelSpec()`, `default_config('hnn', seed=s)`),",
        "training seeds 0-4, bundled sets. Top 5 interactions (order >= 1); a hit lies inside one planted group.",
        "Interaction share: pure effects, the variance share of orders >= 1 (product measure); joint measure, the",
        "share of the summed variances over the training rows (not orthogonal, so only a guide); units, the share",
        "of mean |score| on orders >= 1 (`Attribution.order_shares`). Share: median over seeds (min-max).",
        "",
    ]
    parts = [*header, "## Recovery of the planted groups, and the measure", "", *quality()]
    parts += ["", "## Time of `purify` (HNN with 4 channels, 2 training epochs: time does not depend on the fit)", ""]
    parts += timing()
    OUT.write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
