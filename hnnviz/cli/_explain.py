"""``hnnviz explain RUN_DIR --data DATA``: a saved HNN's pure effects (default), or what its units carry."""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from ..data import feature_columns, load_dataset
from ..exceptions import InputValidationError
from ..explanation import PureEffects, explain, purify
from ..io import load_run
from ..model import Run
from . import PURE_METHOD as PURE
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
    if args.row is not None and not 0 <= args.row < len(X):
        raise InputValidationError(f"--row must be in [0, {len(X) - 1}] (the data has {len(X)} rows); got {args.row}.")
    target = _class_label(run, args.target_class)
    if args.method == PURE:
        return _pure(run, X, args.row, target, args.top)
    return _units(run, X if args.row is None else X[[args.row]], target, args)


def _units(run: Run, X: np.ndarray, target: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The unit attribution of ``X`` (gxa, ig or ablation): what each simplex unit carries."""
    start = time.perf_counter()

    def eta(done: int, total: int) -> str:
        left = (time.perf_counter() - start) / done * (total - done)
        return f"{args.method}: {done}/{total} done, about {left:.0f} s left"

    with status_line() as show:
        attribution = explain(
            run, X, method=args.method, target=target, progress=lambda d, t: show(eta(d, t)), device=args.device
        )
    return attribution.to_dict(top=args.top)


def _pure(run: Run, X: np.ndarray, row: int | None, target: Any, top: int) -> dict[str, Any]:
    """The ``top`` pure effects of every order by importance, and with ``row`` all its exact contributions.

    ``X`` is the table the run was trained on. Classification: the logit of ``target``, by default the class
    predicted for ``row`` (without a row, :func:`purify`'s default, the last class).
    """
    if target is None and row is not None and run.classes is not None:
        target = run.classes[int(run.predict(X[[row]]).argmax())]
    pure = purify(run, X, target=target)
    result: dict[str, Any] = {"method": PURE, "n_rows": len(X)}
    if pure.target is not None:
        result["class"] = pure.target
    result["intercept"] = pure.intercept
    result["interaction_share"] = pure.interaction_share
    result["effects"] = [
        {"features": list(e.features), "order": e.order, "importance": e.importance, "share": e.share}
        for e in pure.ranking(min_order=0, top=top)
    ]
    if row is not None:
        result |= _row(run, pure, X[[row]])
    return result


def _row(run: Run, pure: PureEffects, x: np.ndarray) -> dict[str, Any]:
    """One row's prediction (the model's output, or the explained class's logit) and its pure contributions,
    largest ``|value|`` first: the intercept plus their sum is the prediction."""
    prediction = run.predict(x)[0] if pure.target is None else run.logits(x)[0, pure.output]
    values = pure.contributions(x)[0]
    order = np.argsort(-np.abs(values), kind="stable")
    contributions = [{"features": list(pure.effects[i].features), "value": float(values[i])} for i in order]
    return {"prediction": float(prediction), "contributions": contributions}


def _class_label(run: Run, text: str | None) -> Any:
    """The class whose label reads ``text`` (labels may be numbers), or None."""
    if text is None:
        return None
    if run.classes is None:
        raise InputValidationError(
            f"--target-class is for a classification run; this one is a regression (got {text!r})."
        )
    matches = [label for label in run.classes if str(label) == text]
    if not matches:
        raise InputValidationError(f"Unknown class {text!r}; the classes are {[str(c) for c in run.classes]}.")
    return matches[0]


def summary(result: dict[str, Any]) -> str:
    rows = f"{result['n_rows']} row{'s' if result['n_rows'] != 1 else ''}"
    if result["method"] == PURE:
        return _pure_summary(result, rows)
    lines = [f"{result['method']} on {rows}: the top {len(result['simplices'])} simplices"]
    lines += [f"  {s['score']:+.4g}  order {s['order']}  {', '.join(s['features'])}" for s in result["simplices"]]
    if "completeness_gap" in result:
        lines.append(f"largest completeness gap {result['completeness_gap']:.3g}")
    return "\n".join(lines)


def _pure_summary(result: dict[str, Any], rows: str) -> str:
    output = "the prediction" if "class" not in result else f"the logit of class {result['class']}"
    lines = [
        f"pure effects of {output}, from the {rows} the model was trained on",
        f"intercept (the mean {output.removeprefix('the ')}) {result['intercept']:.4g}; interactions between "
        f"features hold {result['interaction_share']:.0%} of the model's variance",
        f"the top {len(result['effects'])} effects (spread over the training rows, share of the variance):",
    ]
    lines += [f"  {e['importance']:.4g}  {e['share']:6.1%}  {' x '.join(e['features'])}" for e in result["effects"]]
    if "contributions" in result:
        largest = result["contributions"][: len(result["effects"])]
        lines.append(f"the row: {output.removeprefix('the ')} {result['prediction']:.4g} = intercept + "
                     f"{len(result['contributions'])} contributions; the largest:")  # fmt: skip
        lines += [f"  {c['value']:+.4g}  {' x '.join(c['features'])}" for c in largest]
    return "\n".join(lines)
