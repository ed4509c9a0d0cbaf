"""The HNN's pure effects (:func:`hnnviz.explanation.purify`) against InterpretML's EBM and the unit attributions.

On every bundled set with a target (``hnnviz.data.SAMPLES``), on the split ``hnnviz compare`` uses per seed:

- accuracy: the default HNN's test metric against the EBM's (``compare_models``'s ``"ebm"``, fitted on the
  training and validation rows);
- pairs: the pairs each ranks highest (EBM: the importances of its pair terms; HNN: its top pure pairs);
- on the planted sets, precision@5 and recall@5 of the planted groups under the subset rule
  (:func:`hnnviz.explanation.precision_at_k`), for the HNN's pure effects (product measure, and the training
  rows' joint measure for the choice of measure), the EBM's pairs, the pruned MLP's units
  (:func:`hnnviz.model.rank_units`) and the unit attributions gxa / ig / ablation of the test rows; and the
  interaction share of each.

Then the time of ``purify`` at p = 30 and p = 200 (``make_planted``, median of 3). Writes
``benchmarks/results_pure.md``.

    python benchmarks/bench_pure.py
"""

from __future__ import annotations

import datetime
import json
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from _provenance import git_commit, machine

from hnnviz.data import SAMPLES, Dataset, load_sample, make_planted, sample_data_dir
from hnnviz.explanation import explain, precision_at_k, purify, recall_at_k
from hnnviz.explanation._pure import _bits, _contribution, _extract, _grid
from hnnviz.model import Run, Split, metrics, rank_units, split_rows, train_pruned, train_run
from hnnviz.specs import ModelSpec, default_config
from hnnviz.workflows._compare import _all_class_probabilities, _classical_estimator

OUT = Path(__file__).with_name("results_pure.md")
SETS = tuple(name for name, info in SAMPLES.items() if info.target is not None)
SEEDS = range(5)  # HNN and its pure effects
UNIT_SEEDS = range(3)  # unit attributions (integrated gradients is the slow one)
EBM_SEEDS = range(1)  # an EBM fit takes up to 3 minutes here
PRUNED_SEEDS = range(1)  # about 4 fits each
METHODS = ("gxa", "ig", "ablation")
K = 5


def _groups(name: str) -> list[list[str]] | None:
    """The planted groups of a planted set (none for ``planted_additive``), None for a real one."""
    path = sample_data_dir() / f"{name}.json"
    return json.loads(path.read_text())["planted_groups"] if path.exists() else None


def _split(data: Dataset, seed: int) -> Split:
    sizes = default_config("hnn")
    return split_rows(data.n_rows, data.y, data.task, val_size=sizes.val_size, test_size=sizes.test_size, seed=seed)


def _ebm(data: Dataset, split: Split, seed: int) -> tuple[float, list[tuple[str, ...]], float, float]:
    """The EBM of ``compare_models`` (2 processes here, for time): test metric, pairs by importance, share of
    the pairs in the summed term importances, fit seconds."""
    model = _classical_estimator("ebm", data.task, seed).set_params(n_jobs=2, feature_names=list(data.feature_names))
    rows = np.concatenate([split.train, split.val])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # multiclass pairs are left out of EBM's explanations
        model.fit(data.X[rows], data.y[rows])
    seconds = time.perf_counter() - start
    X_test = data.X[split.test]
    predicted = (
        model.predict(X_test)
        if data.task == "regression"
        else _all_class_probabilities(model, X_test, len(data.classes))
    )
    score = _metric(data, split, predicted)
    importance = model.term_importances()
    names = data.feature_names
    terms = [(importance[i], tuple(names[f] for f in term)) for i, term in enumerate(model.term_features_)]
    pairs = sorted((item for item in terms if len(item[1]) == 2), key=lambda item: -item[0])
    share = sum(v for v, _ in pairs) / max(float(np.sum(importance)), 1e-300)
    return score, [features for _, features in pairs], share, seconds


def _metric(data: Dataset, split: Split, predicted: np.ndarray) -> float:
    key = "r2" if data.task == "regression" else "accuracy"
    return metrics(data.y[split.test], predicted, data.task)[key]


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


def _joint_ranking(run: Run, train: np.ndarray) -> tuple[list[tuple[str, ...]], float]:
    joint = sorted(_joint(run, train), key=lambda item: -item[1])
    share = sum(sd**2 for f, sd in joint if len(f) > 1) / sum(sd**2 for _, sd in joint)
    return [f for f, _ in joint if len(f) > 1], share


class Table:
    """Per (set, method): precision@K, recall@K and interaction share of each seed."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[tuple[float, float, float]]] = {}

    def add(self, name: str, method: str, groups: list, ranked, share: float) -> None:
        if groups:
            scores = (precision_at_k(groups, ranked, K), recall_at_k(groups, ranked, K))
        else:
            scores = (float("nan"), float("nan"))
        self.rows.setdefault((name, method), []).append((*scores, share))

    def lines(self) -> list[str]:
        lines = [f"| set | method | seeds | precision@{K} | recall@{K} | interaction share |", "|---" * 6 + "|"]
        for (name, method), values in self.rows.items():
            table = np.array(values, dtype=float)
            cells = ["-" if np.isnan(v) else f"{v:.2f}" for v in table[:, :2].mean(axis=0)]
            share = table[:, 2]
            spread = "-" if np.isnan(share).all() else f"{np.median(share):.3f} ({share.min():.3f}-{share.max():.3f})"
            lines.append(f"| {name} | {method} | {len(values)} | {cells[0]} | {cells[1]} | {spread} |")
        return lines


def _pairs(ranked: list[tuple[str, ...]], n: int = 3) -> str:
    return ", ".join("·".join(p) for p in ranked[:n]) or "-"


def one_set(name: str, recovery: Table, log: Callable[[str], None]) -> tuple[list[str], list[str]]:
    """The set's accuracy row and pairs row; recovery scores go to ``recovery``."""
    data, groups = load_sample(name), _groups(name)
    hnn_scores, ebm_scores, ebm_seconds, pair_rows = [], [], [], []
    for seed in SEEDS:
        split = _split(data, seed)
        run = train_run(data, ModelSpec(), config=default_config("hnn", seed=seed), split=split)
        hnn_scores.append(_metric(data, split, run.predict(data.X[split.test])))
        pure = purify(run, data.X)
        pure_pairs = [e.features for e in pure.ranking(min_order=1) if e.order == 1]
        if groups is not None:
            recovery.add(name, "HNN pure effects (product measure)", groups, pure, pure.interaction_share)
            recovery.add(name, "HNN pure effects (joint measure)", groups, *_joint_ranking(run, data.X[split.train]))
        if seed in EBM_SEEDS:
            score, ebm_pairs, share, seconds = _ebm(data, split, seed)
            ebm_scores.append(score)
            ebm_seconds.append(seconds)
            if groups is not None:
                recovery.add(name, "EBM pairs", groups, ebm_pairs, share)
            overlap = len(set(ebm_pairs[:K]) & set(pure_pairs[:K])) / K
            pair_rows.append(
                f"| {name} | {pure.interaction_share:.3f} | {_pairs(pure_pairs)} | {share:.3f} | {_pairs(ebm_pairs)} "
                f"| {overlap:.1f} |"
            )
        if groups is not None and seed in UNIT_SEEDS:
            _units(data, run, split, seed, name, groups, recovery)
        log(f"{name} seed {seed} done")
    accuracy = (
        f"| {name} | {data.task} | {np.mean(hnn_scores):.3f} ({len(hnn_scores)}) | "
        f"{np.mean(ebm_scores):.3f} ({len(ebm_scores)}) | {statistics.median(ebm_seconds):.0f} |"
    )
    return [accuracy], pair_rows


def _units(data: Dataset, run: Run, split: Split, seed: int, name: str, groups: list, recovery: Table) -> None:
    """The unit attributions of the HNN and, on the first seeds, the pruned MLP's units."""
    test, train = data.X[split.test], data.X[split.train]
    for method in METHODS:
        attribution = explain(run, test, method=method, background=train)
        recovery.add(name, f"HNN units, {method}", groups, attribution, float(attribution.order_shares()[1:].sum()))
    if seed in PRUNED_SEEDS:
        pruned = train_pruned(data, ModelSpec(), config=default_config("mlp", seed=seed), split=split)
        ranked = [u.features for u in rank_units(pruned, test, background=train)]
        recovery.add(name, "pruned MLP units, ablation", groups, ranked, float("nan"))


def timing() -> list[str]:
    lines = ["| p | f-vector | purify seconds (median of 3) |", "|---|---|---|"]
    for p in (30, 200):
        data = make_planted(n_rows=2000, n_features=p, interactions=(2, 3, 4), seed=0).dataset
        run = train_run(data, ModelSpec(), config=default_config("hnn", epochs=2, seed=0))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            purify(run, data.X)
            times.append(time.perf_counter() - start)
        lines.append(f"| {p} | {run.network.complex.f_vector} | {statistics.median(times):.3f} |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    torch.set_num_threads(1)  # as compare_models: 2 threads on 2 busy cores spin-wait, up to 100x slower
    start = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - start:6.0f} s] {text}", flush=True)

    recovery, accuracy, pairs = Table(), [], []
    for name in SETS:
        rows, pair_rows = one_set(name, recovery, log)
        accuracy += rows
        pairs += pair_rows
    times = timing()
    import interpret

    header = [
        "# Pure effects (`hnnviz.explanation.purify`) against EBM and the unit attributions",
        "",
        f"{datetime.date.today()}, commit {git_commit()}; "
        f"{machine(f'torch {torch.__version__}', f'interpret {interpret.__version__}')}.",
        f"Made by `python benchmarks/bench_pure.py` in {(time.perf_counter() - start) / 60:.1f} minutes. Every bundled "
        "set with a target, the split `hnnviz compare` uses per seed.",
        f"Default HNN (`ModelSpec()`, `default_config('hnn', seed=s)`): seeds {SEEDS.start}-{SEEDS.stop - 1}. EBM "
        "(`compare_models`'s `\"ebm\"`: InterpretML's defaults, `random_state=seed`, fitted on the training and "
        "validation rows; 2 processes here): seed 0 only, since one fit takes up to 3 minutes on these 2 cores. "
        f"Unit attributions: seeds 0-{UNIT_SEEDS.stop - 1}. Pruned MLP (`train_pruned`, `rank_units`): seed 0.",
        "",
    ]
    body = [
        "## Accuracy (test R² or accuracy; mean over the seeds in brackets)",
        "",
        "| set | task | HNN | EBM | EBM fit seconds |",
        "|---|---|---|---|---|",
        *accuracy,
        "",
        "## The pairs each ranks highest (seed 0)",
        "",
        "HNN: its pure effects of order 1 by importance (for classification the logit of the last class), and the",
        "variance share of all its interactions. EBM: its pair terms by `term_importances()`, and their share of the",
        f"summed importances. Overlap: shared pairs among the top {K} of each, over {K}.",
        "",
        "| set | HNN interaction share | HNN top pure pairs | EBM pairs' share | EBM top pairs | top-5 overlap |",
        "|---|---|---|---|---|---|",
        *pairs,
        "",
        "## Recovery of the planted groups (subset rule), and the interaction share",
        "",
        f"Top {K} interactions (order >= 1); a hit lies inside one planted group (`precision_at_k`'s default rule).",
        "Interaction share: pure effects, the variance share of orders >= 1 (product measure); joint measure, the",
        "share of the summed variances over the training rows (not orthogonal, so only a guide);",
        "EBM, its pairs' share of the summed term importances; units, the share of mean |score| on orders >= 1",
        "(`Attribution.order_shares`). Scores: mean over seeds; share: median (min-max). The joint measure is kept",
        "for the choice of measure (module docstring of `hnnviz/explanation/_pure.py`).",
        "",
        *recovery.lines(),
        "",
        "## Time of `purify` (HNN with 4 channels, 2 training epochs: time does not depend on the fit)",
        "",
        "Targets: 0.5 s at p = 30, 5 s at p = 200. One torch thread (two threads on these two shared cores made the",
        "same calls 0.1-1.3 s when other processes ran: spin-waiting).",
        "",
        *times,
    ]
    OUT.write_text("\n".join([*header, *body]) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
