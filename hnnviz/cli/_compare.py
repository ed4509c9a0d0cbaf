"""``hnnviz compare DATA --target COL``: the HNN against fair baselines on identical splits."""

from __future__ import annotations

import argparse
from typing import Any

from ..exceptions import InputValidationError
from ..specs import MODEL_KINDS
from ..workflows import compare_models
from ._shared import ifn_spec, model_spec, status_line, supervised_dataset, train_config

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    dataset = supervised_dataset(args)
    if args.seeds < 1:
        raise InputValidationError(f"--seeds must be at least 1. Got {args.seeds} instead.")
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    with status_line() as show:

        def fit_done(model: str, seed: int, done: int, total: int) -> None:
            show(f"[{done}/{total}] fitted {model} (seed {seed})")

        comparison = compare_models(
            dataset,
            seeds=range(args.seeds),
            models=models,
            spec=model_spec(args),
            config={kind: train_config(args, kind) for kind in MODEL_KINDS},
            callback=fit_done,
            threads=args.threads,
            ifn=ifn_spec(args),
        )
    return comparison.to_dict()


def summary(result: dict[str, Any]) -> str:
    metric, rows = result["metric"], result["models"]
    lines = [
        f"{result['dataset']}: {result['task']}, test {metric} over seeds {', '.join(map(str, result['seeds']))}",
        f"{'model':<12} {metric + ' mean':>10} {'std':>7} {'size':>16} {'vs HNN':>7} {'seconds':>8}",
    ]
    for row in rows:
        size = f"{row['n_params']:.0f} {row['size_unit']}"
        ratio = "-" if row["params_vs_hnn"] is None else f"{row['params_vs_hnn']:.2g}x"
        lines.append(
            f"{row['model']:<12} {row['mean']:>10.4f} {row['std']:>7.4f} {size:>16} {ratio:>7} {row['seconds']:>8.2f}"
        )
    if result["param_ratio"] is not None:
        lines.append(f"The dense MLP has {result['param_ratio']:.1f}x the parameters of the HNN.")
    lines += [
        f"seed {seed}: zero similarity for {', '.join(map(repr, names))} (constant on its training rows)"
        for seed, names in result["constant_features"].items()
    ]
    return "\n".join(lines)
