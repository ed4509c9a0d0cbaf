"""``hnnviz lab``: plant interacting groups, train an HNN, and score what it recovers."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from ..exceptions import InputValidationError
from ..specs import LAB_CONFIG, LAB_SPEC, PlantedSpec
from ..workflows import run_lab
from ._shared import ifn_spec, metrics_text

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    try:
        groups = tuple(int(size) for size in args.groups.split(","))
    except ValueError as err:
        raise InputValidationError(f"--groups takes comma-separated sizes such as 2,3,4; got {args.groups!r}.") from err
    kinds = None if args.kinds is None else tuple(kind.strip() for kind in args.kinds.split(","))
    planted = PlantedSpec(
        n_rows=args.rows, n_features=args.features, interactions=groups, noise=args.noise, task=args.task, kinds=kinds
    )
    result = run_lab(
        planted, seed=args.seed, ifn=ifn_spec(args), explain_method=args.explain_method, k=args.k,
        spec=dataclasses.replace(LAB_SPEC, channels=args.width),
        config=dataclasses.replace(LAB_CONFIG, epochs=args.epochs, seed=args.seed),
    )  # fmt: skip
    return result.to_dict()


def summary(result: dict[str, Any]) -> str:
    k = result["k"]
    lines = [
        f"planted {len(result['groups'])} groups: {result['formula']}",
        f"structure recall {result['recall']:.2f}; test {metrics_text(result['test'])}",
        f"pure effects: precision@{k} {result['precision_at_k']:.2f}, recall@{k} {result['recall_at_k']:.2f} "
        f"(an interaction counts only inside one planted group); interactions hold "
        f"{result['interaction_share']:.0%} of the model's variance",
        f"unit attribution: precision@{k} {result['unit_precision_at_k']:.2f}, "
        f"recall@{k} {result['unit_recall_at_k']:.2f} (what each unit carries)",
        "top pure interactions (importance, share of variance):",
    ]
    lines += [f"  {t['score']:.4g}  {t['share']:.1%}  {_named(t)}" for t in result["top"]]
    lines.append("top units:")
    lines += [f"  {t['score']:+.4g}  {_named(t)}" for t in result["unit_top"]]
    return "\n".join(lines)


def _named(entry: dict[str, Any]) -> str:
    return ", ".join(entry["features"]) + ("" if entry["group"] is None else f"  (group {entry['group']})")
