"""``hnnviz sweep SPEC.toml --out DIR``: data sets x seeds x models and bootstrap stability as independent tasks."""

from __future__ import annotations

import argparse
from typing import Any

from ..viz import write_sweep_summary
from ..workflows.sweep import SweepSpec, Task, run_sweep
from ._shared import status_line

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    spec = SweepSpec.from_toml(args.spec)
    with status_line() as show:

        def task_done(done: int, total: int, task: Task) -> None:
            show(f"[{done}/{total}] finished {task.label}")

        result = run_sweep(
            spec, args.out, jobs=args.jobs, workers=args.workers, scheduler=args.scheduler, progress=task_done
        )
    document = result.to_dict()
    if len(result.results):
        document["files"].append(write_sweep_summary(result).name)
    return document


def summary(result: dict[str, Any]) -> str:
    lines = [
        f"{result['tasks']} tasks: ran {result['ran']}, reused {result['reused']} finished earlier",
        f"{'data set':<20} {'model':<12} {'metric':<9} {'mean':>8} {'std':>7} {'seeds':>5} {'seconds':>8}",
    ]
    lines += [
        f"{row['dataset']:<20} {row['model']:<12} {row['metric']:<9} {row['mean']:>8.4f} {row['std']:>7.4f} "
        f"{row['n_seeds']:>5} {row['seconds']:>8.2f}"
        for row in result["summary"]
    ]
    lines += [
        f"{row['dataset']}: stability score {row['score']:.3f} (mean frequency of its edges over {row['n_boot']} "
        "resamples)"
        for row in result["stability"]
    ]
    lines.append(f"Wrote {', '.join(result['files'])} in {result['out']}")
    return "\n".join(lines)
