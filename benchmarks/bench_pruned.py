"""Does the HNN beat a standard pruned dense network of its size? Accuracy on every bundled set, and
interpretability on the planted one.

1. Accuracy: on every bundled sample with a target, ``hnnviz.workflows.compare_models`` (one thread, one shared
   split per seed) fits the HNN, the same-width MLP and ``"mlp-pruned"``: that MLP trained, then globally
   magnitude-pruned in 3 rounds with fine-tuning down to exactly the HNN's layer weights
   (``hnnviz.model.train_pruned``). Test metric mean ± std over the seeds, sizes, fit and build times.
2. Interpretability on ``planted_interactions`` (planted groups in ``sample_data/planted_interactions.json``):
   per seed, on the compare split, the HNN's simplices ranked by ablation (``hnnviz.explanation.explain(run,
   X_test, method="ablation", background=X_train)``) and the pruned MLP's first-layer units ranked by ablation
   (``hnnviz.model.rank_units``, each unit standing for the input features still wired into it), both scored
   with ``hnnviz.explanation.precision_at_k`` (``rule="overlap"``, the rule its results were measured with;
   ``bench_pure.py`` scores units under the default subset rule) at k = the number of planted groups (and
   ``recall_at_k``: top groups that all hit the same planted group make a high precision but a low recall).
   These fits repeat the compare fits (same seed, split, spec and config); the script checks that their test
   metrics are identical.

Writes ``benchmarks/results_pruned.md``. From the repository root::

    .venv/bin/python benchmarks/bench_pruned.py            # seeds 0-4, every sample
    .venv/bin/python benchmarks/bench_pruned.py --quick    # a cheap smoke run: 1 seed, 15 epochs, prints only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from hnnviz.data import SAMPLES, Dataset, load_sample, sample_data_dir
from hnnviz.explanation import explain, precision_at_k, recall_at_k
from hnnviz.model import build_model, limit_threads, rank_units, split_rows, train_pruned, train_run
from hnnviz.network import filter_network
from hnnviz.specs import ModelSpec, TrainConfig, default_config
from hnnviz.workflows import Comparison, compare_models

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_pruned.md"
MODELS = ("hnn", "mlp", "mlp-pruned")
PLANTED = "planted_interactions"
#: The hit rule of precision@k and recall@k here: a unit carries a group's interaction (see the module docstring).
RULE = "overlap"


def shared_params(dataset: Dataset, spec: ModelSpec, config: TrainConfig) -> int:
    """Biases, readouts and head of the seed's HNN: the parameters that are not layer weights (the same in the
    MLP of the same widths; a TMFG's simplex counts, hence these, do not depend on the split)."""
    split = split_rows(dataset.n_rows, dataset.y, dataset.task, val_size=config.val_size,
                       test_size=config.test_size, seed=config.seed)  # fmt: skip
    network = filter_network(dataset.X[split.train], dataset.feature_names)
    n_outputs = 1 if dataset.task == "regression" else len(dataset.classes)
    hnn = build_model(replace(spec, kind="hnn"), network.complex, n_outputs, config.seed)
    return hnn.n_params - hnn.sparse_weights


def accuracy_rows(name: str, comparison: Comparison, shared: int) -> list[str]:
    rows = []
    for row in comparison.summary():
        build = np.mean([r.build_seconds for r in comparison.of(row["model"])])
        rows.append(
            f"| {name} | {row['model']} | {row['metric']} {row['mean']:.3f} ± {row['std']:.3f} | "
            f"{row['n_params'] - shared:,.0f} | {row['n_params']:,.0f} | {row['seconds']:.2f} | {build:.2f} |"
        )
    return rows


def verdict(name: str, comparison: Comparison) -> str:
    """Who wins on this set (by mean), and how the HNN fares against the pruned MLP seed by seed."""
    summary = {row["model"]: row for row in comparison.summary()}
    best = max(summary.values(), key=lambda row: row["mean"])
    hnn, pruned = summary["hnn"], summary["mlp-pruned"]
    metric = comparison.metric
    pairs = zip(comparison.of("hnn"), comparison.of("mlp-pruned"), strict=True)
    ahead = sum(h.metrics[metric] > p.metrics[metric] for h, p in pairs)
    against = "beats" if hnn["mean"] > pruned["mean"] else "LOSES to"
    return (
        f"{name}: best by mean {best['model']} ({metric} {best['mean']:.3f}); the HNN {against} the pruned MLP of "
        f"its size ({hnn['mean']:.3f} ± {hnn['std']:.3f} vs {pruned['mean']:.3f} ± {pruned['std']:.3f}; "
        f"ahead on {ahead} of {len(comparison.seeds)} seeds); dense MLP {summary['mlp']['mean']:.3f}"
    )


def interpretability(
    dataset: Dataset,
    comparison: Comparison,
    groups: list[list[str]],
    spec: ModelSpec,
    configs: dict[str, TrainConfig],
) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    """Per seed: precision@k and recall@k of the HNN's simplices and of the pruned MLP's units, both ranked by
    ablation."""
    k, rows, scores = len(groups), [], []
    for seed in comparison.seeds:
        config = configs["hnn"]
        split = split_rows(dataset.n_rows, dataset.y, dataset.task, val_size=config.val_size,
                           test_size=config.test_size, seed=seed)  # fmt: skip
        X_test, X_train = dataset.X[split.test], dataset.X[split.train]
        records = {r.model: r for r in comparison.records if r.seed == seed}
        hnn = train_run(dataset, replace(spec, kind="hnn"), config=replace(config, seed=seed), split=split)
        pruned = train_pruned(dataset, spec, config=replace(configs["mlp"], seed=seed), split=split)
        for run, model in ((hnn, "hnn"), (pruned, "mlp-pruned")):
            if run.result.metrics["test"] != records[model].metrics:
                raise RuntimeError(f"seed {seed}: the {model} refit differs from the compare fit")
        tick = time.perf_counter()
        attribution = explain(hnn, X_test, method="ablation", background=X_train)
        hnn_seconds = time.perf_counter() - tick
        tick = time.perf_counter()
        units = rank_units(pruned, X_test, background=X_train)
        unit_seconds = time.perf_counter() - tick
        hnn_top = [s.features for s in attribution.ranking(top=k)]
        unit_top = [u.features for u in units[:k]]
        ranked = [u.features for u in units]
        score = (
            precision_at_k(groups, attribution, k, rule=RULE),
            precision_at_k(groups, ranked, k, rule=RULE),
            recall_at_k(groups, attribution, k, rule=RULE),
            recall_at_k(groups, ranked, k, rule=RULE),
        )
        scores.append(score)
        sizes = [len(u.features) for u in units]
        rows.append(
            f"| {seed} | {score[0]:.2f} | {score[1]:.2f} | {score[2]:.2f} | {score[3]:.2f} | {_names(hnn_top)} | "
            f"{_names(unit_top)} | "
            f"{len(units)} ({np.mean(sizes):.1f}, max {max(sizes)}) | {hnn_seconds:.2f} / {unit_seconds:.2f} |"
        )
        print(rows[-1], flush=True)
    return rows, scores


def _names(top: list[tuple[str, ...]]) -> str:
    return "; ".join("{" + ", ".join(features) + "}" for features in top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    targets = [name for name, info in SAMPLES.items() if info.target]
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. N-1 (default 5)")
    parser.add_argument("--datasets", nargs="+", default=targets, choices=targets)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 seed, 15 epochs, no results file")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    limit_threads(1)
    spec = ModelSpec()
    quick = {"epochs": 15, "patience": 5} if args.quick else {}
    configs = {kind: default_config(kind, **quick) for kind in ("hnn", "mlp")}  # each net with its own default
    seeds = tuple(range(1 if args.quick else args.seeds))
    # warm-up: first calls into torch and scikit-learn pay one-off costs that would land in the first fit timed
    compare_models(
        load_sample("wine"), seeds=(0,), models=MODELS, spec=spec, config=TrainConfig(defaults="mlp", epochs=1)
    )
    load = os.getloadavg()[0]
    started = time.perf_counter()

    accuracy = [
        "| data | model | test metric (mean ± std) | layer weights | params | fit s | build s |",
        "|---|---|---|---|---|---|---|",
    ]
    verdicts, planted = [], None
    for name in args.datasets:
        dataset = load_sample(name)
        tick = time.perf_counter()
        comparison = compare_models(dataset, seeds=seeds, models=MODELS, spec=spec, config=configs, threads=1)
        accuracy += accuracy_rows(name, comparison, shared_params(dataset, spec, configs["hnn"]))
        verdicts.append(verdict(name, comparison))
        print("\n".join(accuracy[-len(MODELS) :]), f"\n<!-- {name}: {time.perf_counter() - tick:.0f} s -->", flush=True)
        if name == PLANTED:
            planted = (dataset, comparison)

    sections = ["## Accuracy and size", "", *accuracy, "", *[f"- {line}" for line in verdicts]]
    if planted is not None:
        truth = json.loads((sample_data_dir() / "planted_interactions.json").read_text())["planted_groups"]
        k = len(truth)
        rows, scores = interpretability(*planted, truth, spec, configs)
        means = np.mean(scores, axis=0)
        sections += [
            "",
            f"## Interpretability on {PLANTED}: precision@{k} and recall@{k} (planted groups {_names(truth)})",
            "",
            f"| seed | precision HNN simplices | precision pruned-MLP units | recall HNN | recall pruned MLP | "
            f"HNN top {k} | pruned-MLP top {k} | units ranked (mean, max features) | ablation s (HNN / units) |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            f"| mean | {' | '.join(f'{m:.2f}' for m in means)} | | | | |",
            "",
            *[
                f"- {PLANTED}: {what}@{k} HNN {hnn:.2f} vs pruned MLP {unit:.2f}: "
                + ("the HNN wins" if hnn > unit else "a tie" if hnn == unit else "the HNN LOSES")
                for what, hnn, unit in (("precision", means[0], means[1]), ("recall", means[2], means[3]))
            ],
        ]

    command = ".venv/bin/python benchmarks/bench_pruned.py " + " ".join(sys.argv[1:])
    header = [
        f"<!-- output of {command.strip()} -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {git_commit()}",
        f"- machine: {machine(f'torch {torch.__version__}', f'numpy {np.__version__}')}",
        f"- seeds {', '.join(map(str, seeds))}; one thread (`compare_models(..., threads=1)`); {spec}; "
        f"hnn {configs['hnn']}; mlp and mlp-pruned {configs['mlp']}",
        "- mlp-pruned: the same-width MLP trained, then `torch.nn.utils.prune.global_unstructured` (L1) over its "
        "hidden layers' weights in 3 geometric rounds, each followed by a fine-tuning with the same protocol and "
        "split, down to exactly the HNN's layer weights; readouts and head (as in the HNN) are not pruned",
        "- layer weights: weights of the hidden layers (biases excluded); params: every trainable parameter "
        "(for mlp-pruned the surviving weights plus biases, readouts and head, equal to the HNN's by construction)",
        "- fit s: mean wall time of the fit, after an untimed warm-up fit of each model (mlp-pruned: dense fit + 3 "
        "prunings and fine-tunings); build s: the filtering network, clique complex and model build, not in fit s",
        "- precision@k: share of the k top-ranked groups that hold at least 2 features of one planted group and at "
        "most 1 of every other (`hnnviz.explanation.precision_at_k`, rule 'overlap'); a pruned-MLP unit's group is the "
        "input features "
        "with a nonzero weight into it; units wired to fewer than 2 features are not ranked (as the HNN's ranking "
        "leaves out single features); both ranked by ablation to the training-rows mean, measured on the test rows",
        f"- load average (1 min) before / after: {load:.1f} / {os.getloadavg()[0]:.1f}; "
        f"whole run {time.perf_counter() - started:.0f} s",
    ]
    text = "\n".join(header) + "\n\n" + "\n".join(sections) + "\n"
    print("\n" + text)
    if not args.quick:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
