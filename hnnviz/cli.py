"""Command line: ``hnnviz filter DATA ...``.

The CLI only parses arguments and calls the same core functions the app pages use. Expected errors (bad
data, bad options) print one line to stderr and exit with status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .data import load_dataset
from .exceptions import HNNVizError
from .pipeline import IFN_METHODS, filter_network
from .similarity import SIMILARITY_METHODS

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hnnviz", description="Explore compositional sparsity in tabular data.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    filt = commands.add_parser(
        "filter", help="filter a data set's dependency structure into a sparse graph and its clique complex"
    )
    filt.add_argument("data", help="CSV, TSV, Parquet or xlsx file")
    filt.add_argument("--target", help="column to leave out of the features (the prediction target)")
    filt.add_argument("--similarity", choices=SIMILARITY_METHODS, default="pearson2")
    filt.add_argument("--method", choices=IFN_METHODS, default="tmfg")
    filt.add_argument("--max-clique-size", type=int, default=4, help="MFCF only (default 4)")
    filt.add_argument("--threshold", type=float, default=0.0, help="MFCF only (default 0)")
    filt.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    filt.set_defaults(run=_filter)
    return parser


def _filter(args: argparse.Namespace) -> dict[str, Any]:
    dataset = load_dataset(args.data, target=args.target)
    network = filter_network(
        dataset.X,
        dataset.feature_names,
        similarity=args.similarity,
        method=args.method,
        max_clique_size=args.max_clique_size,
        threshold=args.threshold,
    )
    result = network.to_dict()
    result["dropped"] = [dataclasses.asdict(item) for item in dataset.dropped]
    return result


def _summary(result: dict[str, Any]) -> str:
    lines = [
        f"{result['method'].upper()} on {len(result['nodes'])} features ({result['similarity']} similarity): "
        f"{len(result['edges'])} edges, {len(result['cliques'])} cliques, {len(result['separators'])} separators",
        f"f-vector {tuple(result['f_vector'])}, Betti {tuple(result['betti'])}, {result['seconds']:.3f} s",
    ]
    lines += [f"dropped {d['kind']} {d['name']!r}: {d['reason']}" for d in result["dropped"]]
    lines += ["cliques:"] + [f"  {', '.join(c)}" for c in result["cliques"]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 success, 1 bad input, 2 bad usage)."""
    args = _parser().parse_args(argv)
    try:
        result = args.run(args)
    except HNNVizError as err:
        print(f"hnnviz {args.command}: error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else _summary(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
