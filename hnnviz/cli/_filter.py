"""``hnnviz filter DATA``: the filtered network and clique complex of a table."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from .._validation import short_repr
from ..network import filter_network
from ..specs import TARGET_SIMILARITIES
from ._shared import ifn_spec, load_data

__all__ = ["run", "summary"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    dataset = load_data(args)
    ifn = ifn_spec(args)
    if ifn.similarity in TARGET_SIMILARITIES:  # the training rows of the split train would make
        from ..model import table_network  # here: torch loads only for a target-aware similarity

        network = table_network(dataset, ifn)
    else:
        network = filter_network(dataset.X, dataset.feature_names, ifn)
    result = network.to_dict()
    result["dropped"] = [dataclasses.asdict(item) for item in dataset.dropped]
    result["notes"] = [str(note) for note in dataset.notes]
    result["flags"] = [dataclasses.asdict(flag) for flag in dataset.flags]
    return result


def summary(result: dict[str, Any]) -> str:
    lines = [
        f"{result['method'].upper()} on {len(result['nodes'])} features ({result['similarity']} similarity): "
        f"{len(result['edges'])} edges, {len(result['cliques'])} cliques, {len(result['separators'])} separators",
        f"f-vector {tuple(result['f_vector'])}, Betti {tuple(result['betti'])}, {result['seconds']:.3f} s",
    ]
    lines += [f"dropped {d['kind']} {short_repr(d['name'], 40)}: {d['reason']}" for d in result["dropped"]]
    lines += [f"note: {note}" for note in result["notes"]]
    lines += ["cliques:"] + [f"  {', '.join(c)}" for c in result["cliques"]]
    return "\n".join(lines)
