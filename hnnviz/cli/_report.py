"""``hnnviz report RUN_DIR --out report.html``: write a saved run's analysis as one self-contained HTML page."""

from __future__ import annotations

import argparse
import time
from typing import Any

from ..exceptions import InputValidationError
from ..model import limit_threads
from ..report import write_report
from ._shared import status_line

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.top < 1:
        raise InputValidationError(f"--top must be at least 1; got {args.top}.")
    # one thread: the report's many small forward passes and its short retraining are fastest so (spare threads
    # spin-wait on a busy machine) and the numbers match an app's, which runs with one thread too
    limit_threads(1)
    start = time.perf_counter()
    with status_line() as show:
        out = write_report(args.run_dir, args.out, data=args.data, top=args.top, progress=show)
    return {"out": str(out), "bytes": out.stat().st_size, "seconds": round(time.perf_counter() - start, 3)}


def summary(result: dict[str, Any]) -> str:
    return f"wrote {result['out']} ({result['bytes'] / 2**20:.1f} MiB) in {result['seconds']:.1f} s"
