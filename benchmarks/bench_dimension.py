"""HNN against the same-width dense MLP as the number of features grows, on planted interactions.

The paper claims the HNN stays stable as the dimension grows where dense nets degrade. This sweeps the
number of features p (the planted groups stay (2, 3, 4); every extra feature is a correlated distractor)
and the noise level, trains both nets with the same protocol on identical splits (hnnviz.workflows), and
prints test R² (mean ± std over seeds), parameters and fit time, so the claim is checked, not assumed.

    python benchmarks/bench_dimension.py
    python benchmarks/bench_dimension.py --sizes 24 100 --noise 0.25 --seeds 2
"""

from __future__ import annotations

import argparse

from hnnviz.data import make_planted
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.workflows import compare_models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[24, 50, 100, 200])
    parser.add_argument("--noise", type=float, nargs="+", default=[0.25, 1.0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--width", type=int, default=1)
    args = parser.parse_args()
    spec = ModelSpec("hnn", channels=args.width)
    config = TrainConfig(defaults="mlp", epochs=args.epochs, patience=20, lr=1e-2)
    print(f"{args.rows} rows, planted groups (2, 3, 4), {args.seeds} seeds, channels {args.width}, {config}\n")
    print("| noise | p | HNN R² | MLP R² | HNN - MLP | HNN params | MLP params | HNN fit s | MLP fit s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for noise in args.noise:
        for p in args.sizes:
            data = make_planted(n_rows=args.rows, n_features=p, interactions=(2, 3, 4), noise=noise, seed=0).dataset
            comparison = compare_models(
                data, seeds=tuple(range(args.seeds)), models=("hnn", "mlp"), spec=spec, config=config
            )
            hnn, mlp = comparison.summary()
            print(
                f"| {noise} | {p} | {hnn['mean']:.3f} ± {hnn['std']:.3f} | {mlp['mean']:.3f} ± {mlp['std']:.3f} "
                f"| {hnn['mean'] - mlp['mean']:+.3f} | {hnn['n_params']:.0f} | {mlp['n_params']:.0f} "
                f"| {hnn['seconds']:.1f} | {mlp['seconds']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
