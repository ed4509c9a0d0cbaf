"""Accuracy, size and speed of the HNN against a same-width dense MLP, linear models and gradient boosting.

Every bundled data set with a target x ``--seeds`` seeds, one shared split per seed (hnnviz.compare). Prints
the test metric (mean ± std over seeds), parameters, the MLP/HNN parameter ratio, fit time and time per
epoch, then checks the targets of the HNN issue and says plainly where the HNN loses.

    python benchmarks/bench_models.py                  # 5 seeds, every sample
    python benchmarks/bench_models.py --seeds 2 --datasets diabetes wine
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hnnviz.compare import compare_models
from hnnviz.data import SAMPLES, load_sample
from hnnviz.runs import ModelSpec, train_run
from hnnviz.train import TrainConfig

MODELS = ("hnn", "mlp", "linear", "gbm")


def epoch_ms(dataset, spec: ModelSpec, config: TrainConfig) -> dict[str, float]:
    """Median wall time of one training epoch of the HNN and of the MLP (same widths, same protocol)."""
    times = {}
    for kind in ("hnn", "mlp"):
        run = train_run(dataset, ModelSpec(kind, channels=spec.channels), config=config)
        times[kind] = 1e3 * float(np.median([record.seconds for record in run.result.history]))
    return times


def benchmark(name: str, seeds: int, spec: ModelSpec, config: TrainConfig) -> list[str]:
    dataset = load_sample(name)
    start = time.perf_counter()
    comparison = compare_models(dataset, seeds=tuple(range(seeds)), models=MODELS, spec=spec, config=config)
    rows = {row["model"]: row for row in comparison.summary()}
    epochs = epoch_ms(dataset, spec, config)
    for row in comparison.summary():
        epoch = f"{epochs[row['model']]:.1f}" if row["model"] in epochs else "-"
        ratio = f"{row['params_vs_hnn']:.1f}" if row["params_vs_hnn"] is not None else "-"
        print(
            f"| {name} | {row['model']} | {row['metric']} {row['mean']:.3f} ± {row['std']:.3f} | "
            f"{row['n_params']:.0f} {row['size_unit']} | {ratio} | {row['seconds']:.2f} | {epoch} |",
            flush=True,
        )
    hnn, mlp, best = rows["hnn"], rows["mlp"], max(rows.values(), key=lambda r: r["mean"])
    verdicts = [
        f"{name}: HNN mean {hnn['mean']:.3f} vs MLP {mlp['mean']:.3f} - std {mlp['std']:.3f}: "
        f"{'meets' if hnn['mean'] >= mlp['mean'] - mlp['std'] else 'MISSES'} the accuracy target",
        f"{name}: MLP/HNN parameters {comparison.param_ratio:.1f}x: "
        f"{'meets' if comparison.param_ratio >= 10 else 'MISSES'} the 10x target",
        f"{name}: spread HNN {hnn['std']:.3f} vs MLP {mlp['std']:.3f}: "
        f"{'smaller' if hnn['std'] < mlp['std'] else 'NOT smaller'}",
        f"{name}: epoch HNN {epochs['hnn']:.1f} ms vs MLP {epochs['mlp']:.1f} ms: "
        f"{'no slower' if epochs['hnn'] <= epochs['mlp'] else 'SLOWER'}",
    ]
    if best["model"] != "hnn":
        verdicts.append(f"{name}: best model is {best['model']} ({best['mean']:.3f}); the HNN loses to it")
    print(f"<!-- {name}: {time.perf_counter() - start:.0f} s -->", flush=True)
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    targets = [name for name, info in SAMPLES.items() if info.target]
    parser.add_argument("--datasets", nargs="+", default=targets, choices=targets)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--width", type=int, default=1, help="HNN channels per simplex (default 1)")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr", type=float, default=1e-2)
    args = parser.parse_args()
    spec = ModelSpec("hnn", channels=args.width)
    config = TrainConfig(epochs=args.epochs, lr=args.lr, patience=30, batch_size=128)
    print(f"{args.seeds} seeds, channels {args.width}, {config}\n")
    print("| data | model | test metric | size | vs HNN | fit s | epoch ms |")
    print("|---|---|---|---|---|---|---|")
    verdicts = [line for name in args.datasets for line in benchmark(name, args.seeds, spec, config)]
    print("\n" + "\n".join(f"- {line}" for line in verdicts))


if __name__ == "__main__":
    main()
