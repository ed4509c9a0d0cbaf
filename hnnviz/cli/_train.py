"""``hnnviz train DATA --target COL --out DIR``: train an HNN (or its dense MLP) and save the run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..data import Dataset
from ..exceptions import InputValidationError
from ..io import save_run
from ..model import EpochRecord, Run, train_run
from ._shared import ifn_spec, metrics_text, model_spec, status_line, supervised_dataset, train_config

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    dataset = supervised_dataset(args)
    if Path(args.out).exists() and not Path(args.out).is_dir():  # fail before training, not after
        raise InputValidationError(f"--out {args.out!r} is a file; give a directory to save the run in.")
    config = train_config(args, args.model, seed=args.seed)
    with status_line() as show:

        def epoch_done(record: EpochRecord) -> None:
            show(f"epoch {record.epoch}/{config.epochs}: validation loss {record.val_loss:.4g}")

        run = train_run(
            dataset, model_spec(args, kind=args.model), config=config, ifn=ifn_spec(args), callback=epoch_done
        )
    out = save_run(run, args.out)
    return _run_dict(run, dataset) | {"out": str(out)}


def _run_dict(run: Run, dataset: Dataset) -> dict[str, Any]:
    result = run.result
    return {
        "dataset": run.dataset_name,
        "target": run.target,
        "task": run.task,
        "model": run.spec.kind,
        "n_rows": dataset.n_rows,
        "n_features": len(run.feature_names),
        "n_params": run.model.n_params,
        "f_vector": list(run.network.complex.f_vector),
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "stopped": result.stopped,
        "seconds": result.seconds,
        "test": result.metrics["test"],
        "val": result.metrics["val"],
        "inactive": {str(order): share for order, share in result.inactive.items()},
        "dead_readouts": list(result.dead_readouts),
        "constant_features": list(run.network.constant_features),
        "constant_note": run.network.constant_note(),
    }


def summary(result: dict[str, Any]) -> str:
    dead = ", ".join(map(str, result["dead_readouts"])) or "none"
    return "\n".join(
        [
            f"{result['model'].upper()} on {result['dataset']} (target {result['target']!r}, {result['task']}): "
            f"{result['n_features']} features, {result['n_params']} parameters, f-vector {tuple(result['f_vector'])}",
            f"trained {result['epochs_run']} epochs (best {result['best_epoch']}, stopped: {result['stopped']}) "
            f"in {result['seconds']:.1f} s; dead readouts: {dead}",
            f"test: {metrics_text(result['test'])}",
            *([result["constant_note"]] if result["constant_note"] else []),
            f"saved to {result['out']}",
        ]
    )
