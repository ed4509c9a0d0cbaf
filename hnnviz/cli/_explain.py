"""``hnnviz explain RUN_DIR --data DATA``: rank the simplices that drive a saved HNN's predictions."""

from __future__ import annotations

import argparse
import time
from typing import Any

from ..data import feature_columns, load_dataset
from ..exceptions import InputValidationError
from ..explanation import explain
from ..io import load_run
from ..model import Run
from ._shared import status_line

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.top < 1:
        raise InputValidationError(f"--top must be at least 1; got {args.top}.")
    run = load_run(args.run_dir)
    # any number of rows, constant-looking columns kept: the model's features are fixed and the baseline is
    # the training mean, not these rows; rows with a missing cell go, never a column the model may need
    data = load_dataset(args.data, min_rows=1, min_features=1, drop_uninformative=False, missing="drop_rows")
    X = feature_columns(data, run.feature_names)
    if args.row is not None:
        if not 0 <= args.row < len(X):
            raise InputValidationError(
                f"--row must be in [0, {len(X) - 1}] (the data has {len(X)} rows); got {args.row}."
            )
        X = X[[args.row]]
    target = _class_label(run, args.target_class)
    start = time.perf_counter()

    def eta(done: int, total: int) -> str:
        left = (time.perf_counter() - start) / done * (total - done)
        return f"{args.method}: {done}/{total} done, about {left:.0f} s left"

    with status_line() as show:
        attribution = explain(
            run, X, method=args.method, target=target, progress=lambda d, t: show(eta(d, t)), device=args.device
        )
    return attribution.to_dict(top=args.top)


def _class_label(run: Run, text: str | None) -> Any:
    """The class whose label reads ``text`` (labels may be numbers), or None."""
    if text is None or run.classes is None:
        return None
    matches = [label for label in run.classes if str(label) == text]
    if not matches:
        raise InputValidationError(f"Unknown class {text!r}; the classes are {[str(c) for c in run.classes]}.")
    return matches[0]


def summary(result: dict[str, Any]) -> str:
    rows = f"{result['n_rows']} row{'s' if result['n_rows'] != 1 else ''}"
    lines = [f"{result['method']} on {rows}: the top {len(result['simplices'])} simplices"]
    lines += [f"  {s['score']:+.4g}  order {s['order']}  {', '.join(s['features'])}" for s in result["simplices"]]
    if "completeness_gap" in result:
        lines.append(f"largest completeness gap {result['completeness_gap']:.3g}")
    return "\n".join(lines)
