"""Command line: ``hnnviz COMMAND ...``, one command per pipeline step.

- ``hnnviz filter DATA``: filter a data set's dependency structure into a sparse graph and its clique complex.
- ``hnnviz train DATA --target Y --out DIR``: train an HNN (or its same-width dense MLP) and save the run.
- ``hnnviz compare DATA --target Y``: compare the HNN with fair baselines on identical splits.
- ``hnnviz explain RUN_DIR --data DATA``: a saved HNN's pure effects, or what its simplex units carry.
- ``hnnviz lab``: plant interacting groups, train an HNN, and score the interactions its pure effects name.
- ``hnnviz sweep SPEC.toml --out DIR``: data sets x seeds x models and bootstrap stability as resumable tasks.
- ``hnnviz report RUN_DIR --out FILE``: a saved run's analysis as one self-contained HTML page.
- ``hnnviz app [--port P] [--host H] [--workers N]``: start the Streamlit app (installed with the package).

The CLI only parses arguments and calls the same core functions the app pages use. Expected errors (bad
data, bad options) print one line to stderr and exit with status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from ..exceptions import HNNVizError
from ..specs import (
    BASE_MODELS,
    DEFAULT_TRAINING,
    DEVICES,
    EXPLAIN_METHODS,
    IFN_METHODS,
    INTERACTION_KINDS,
    LAB_CONFIG,
    LAB_SPEC,
    MODEL_KINDS,
    OPTIONAL_MODELS,
    SCHEDULES,
    SIMILARITY_METHODS,
    IFNSpec,
    ModelSpec,
)

__all__ = ["main"]

#: ``hnnviz explain --method pure`` (the name lives here so that parsing imports nothing heavy).
PURE_METHOD = "pure"


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
    _add_data_options(filt, "column to leave out of the features (the prediction target)")
    _add_ifn_options(filt)
    filt.set_defaults(handler="filter")

    train = commands.add_parser("train", help="train an HNN (or its same-width dense MLP) and save the run")
    _add_data_options(train, "column to predict (required)")
    train.add_argument("--model", choices=MODEL_KINDS, default="hnn", help="default hnn")
    train.add_argument("--seed", type=int, default=0, help="seeds the split, weights and batch order (default 0)")
    _add_training_options(train)
    _add_ifn_options(train)
    train.add_argument("--out", required=True, metavar="DIR", help="directory to save the run in")
    train.set_defaults(handler="train")

    compare = commands.add_parser("compare", help="compare the HNN with fair baselines on identical splits")
    _add_data_options(compare, "column to predict (required)")
    compare.add_argument("--seeds", type=int, default=3, metavar="N", help="use seeds 0..N-1 (default 3)")
    compare.add_argument(
        "--models",
        default=",".join(BASE_MODELS),
        help=f"comma-separated, among {', '.join(BASE_MODELS + OPTIONAL_MODELS)} and hnn-order<K> (default: "
        f"{', '.join(BASE_MODELS)}; mlp-pruned is the MLP pruned to the HNN's weights, about 4 fits; ebm is "
        "InterpretML's Explainable Boosting Machine, needs interpret-core)",
    )
    _add_training_options(compare)
    compare.add_argument("--threads", type=int, default=1, help="threads every fit may use (default 1)")
    _add_ifn_options(compare)
    compare.set_defaults(handler="compare")

    explain_cmd = commands.add_parser(
        "explain", help="split a saved HNN's output into pure effects, or attribute it to its simplex units"
    )
    explain_cmd.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by 'hnnviz train'")
    explain_cmd.add_argument(
        "--data", required=True,
        help="with --method pure, the table the run was trained on (its rows in the same order); otherwise rows "
        "to explain, with the model's feature columns",
    )  # fmt: skip
    explain_cmd.add_argument(
        "--row", type=int, metavar="N",
        help="explain only row N of the data as loaded (0-based, counted after rows with missing values are "
        "dropped); with --method pure, its prediction and every pure contribution (they add up to it)",
    )  # fmt: skip
    explain_cmd.add_argument(
        "--method", choices=(PURE_METHOD, *EXPLAIN_METHODS), default=PURE_METHOD,
        help="pure (default): the model's exact, identifiable pure effects, one per feature subset (functional "
        "ANOVA); gxa, ig, ablation: what each simplex unit carries (gxa fastest)",
    )  # fmt: skip
    explain_cmd.add_argument(
        "--top", type=int, default=10, help="simplices or pure effects to list (default 10; a row's pure "
        "contributions are all listed)",
    )  # fmt: skip
    explain_cmd.add_argument(
        "--target-class",
        help="classification: the class whose logit is explained; the prediction is that logit (default: the "
        "predicted class; with --method pure and no --row, the last class)",
    )
    explain_cmd.add_argument(
        "--device", choices=DEVICES, default="auto", help="where gxa, ig and ablation compute (default auto; pure: CPU)"
    )
    explain_cmd.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    explain_cmd.set_defaults(handler="explain")

    lab = commands.add_parser("lab", help="plant interacting groups, train an HNN, and score what it recovers")
    lab.add_argument("--rows", type=int, default=3000, help="default 3000")
    lab.add_argument("--features", type=int, default=24, help="default 24")
    lab.add_argument("--groups", default="2,3,4", help="sizes of the planted groups, comma-separated (default 2,3,4)")
    lab.add_argument(
        "--kinds",
        default=None,
        help=f"the interaction of each group, comma-separated, among {', '.join(INTERACTION_KINDS)} "
        "(default: product for pairs, sine for triples, tanh-product for larger groups)",
    )
    lab.add_argument("--noise", type=float, default=0.25, help="noise sd as a share of the signal's (default 0.25)")
    lab.add_argument("--task", choices=("regression", "classification"), default="regression")
    lab.add_argument("--seed", type=int, default=0, help="seeds the data, split and weights (default 0)")
    lab.add_argument(
        "--explain-method", choices=EXPLAIN_METHODS, default="ablation",
        help="the unit attribution scored beside the pure effects (default ablation)",
    )  # fmt: skip
    lab.add_argument("--k", type=int, default=None, help="top interactions scored (default: number of groups)")
    lab.add_argument("--epochs", type=int, default=LAB_CONFIG.epochs, help=f"default {LAB_CONFIG.epochs}")
    lab.add_argument("--width", type=int, default=LAB_SPEC.channels, help=f"default {LAB_SPEC.channels}")
    _add_ifn_options(lab)
    lab.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    lab.set_defaults(handler="lab")
    _add_sweep_parser(commands)
    _add_app_parser(commands)
    _add_report_parser(commands)
    return parser


def _add_sweep_parser(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep", help="run data sets x seeds x models (the compare protocol) and bootstrap stability as tasks"
    )
    sweep.add_argument("spec", metavar="SPEC.toml", help="the sweep (see benchmarks/sweep_example.toml)")
    sweep.add_argument("--out", required=True, metavar="DIR", help="results directory; a rerun there resumes")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int, default=1, metavar="N", help="local processes (joblib; default 1)")
    where.add_argument("--workers", type=int, metavar="N", help="start a local Dask cluster of N one-thread workers")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on the Dask cluster of this scheduler")
    sweep.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    sweep.set_defaults(handler="sweep")


def _add_app_parser(commands: argparse._SubParsersAction) -> None:
    app = commands.add_parser("app", help="start the app (Streamlit) in this terminal; Ctrl-C stops it")
    app.add_argument("--port", type=int, default=8501, metavar="P", help="port to serve on (default 8501)")
    app.add_argument("--host", default=None, metavar="H", help="address to bind (default: Streamlit's, all)")
    app.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="threads the app's fits may use (default 1); there is no pool of worker processes yet",
    )
    app.set_defaults(handler="app", json=False)


def _add_report_parser(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write a saved run's analysis as one self-contained HTML page")
    report.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by 'hnnviz train'")
    report.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    report.add_argument(
        "--data", help="the table the run was trained on (default: the bundled sample of that name, if any)"
    )
    report.add_argument(
        "--top", type=int, default=5, metavar="N", help="simplices shown with their inspector plots (default 5)"
    )
    report.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    report.set_defaults(handler="report")


def _add_data_options(parser: argparse.ArgumentParser, target_help: str) -> None:
    parser.add_argument("data", help="CSV, TSV, Parquet or xlsx file")
    parser.add_argument("--target", help=target_help)
    parser.add_argument("--sheet", metavar="NAME", help="xlsx only: the worksheet to read (default: the first)")
    parser.add_argument(
        "--missing", metavar="RULE", default="drop_sparse_columns",
        help="missing cells: drop_sparse_columns (default: columns missing in more than --sparse-threshold of the "
        "rows go, then rows), drop_rows (columns more than half missing, then rows), impute_median or "
        "impute_most_frequent (fill from the training rows)",
    )  # fmt: skip
    parser.add_argument(
        "--sparse-threshold", type=float, default=0.2, metavar="SHARE",
        help="drop_sparse_columns: share of missing cells above which a column goes (default 0.2)",
    )  # fmt: skip
    parser.add_argument(
        "--keep", action="append", default=[], metavar="COL",
        help="keep this column as a feature although it looks like an identifier, a leak of the target or a "
        "sparse column (repeat for several)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def _add_ifn_options(parser: argparse.ArgumentParser) -> None:
    ifn = IFNSpec()
    parser.add_argument(
        "--similarity", choices=SIMILARITY_METHODS, default=ifn.similarity,
        help=f"default {ifn.similarity}; interaction: how strongly each pair of features acts together on the "
        "target, estimated on the training rows only (needs --target)",
    )  # fmt: skip
    parser.add_argument("--method", choices=IFN_METHODS, default=ifn.method, help=f"default {ifn.method}")
    parser.add_argument(
        "--max-clique-size", type=int, default=ifn.max_clique_size, help=f"MFCF only (default {ifn.max_clique_size})"
    )
    parser.add_argument("--threshold", type=float, default=ifn.threshold, help=f"MFCF only (default {ifn.threshold:g})")


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    """Model width and training options; a training option left out takes each model kind's default."""
    spec, hnn, mlp = ModelSpec(), DEFAULT_TRAINING["hnn"], DEFAULT_TRAINING["mlp"]

    def per_kind(name: str) -> str:
        value, other = getattr(hnn, name), getattr(mlp, name)
        return f"default {value:g}" if value == other else f"default: hnn {value:g}, mlp {other:g}"

    parser.add_argument("--epochs", type=int, help=f"at most ({per_kind('epochs')})")
    parser.add_argument(
        "--width", type=int, default=spec.channels, help=f"channels per simplex (default {spec.channels})"
    )
    parser.add_argument("--max-order", type=int, default=None, help="highest simplex order (default: all)")
    parser.add_argument("--lr", type=float, help=f"AdamW learning rate ({per_kind('lr')})")
    parser.add_argument("--weight-decay", type=float, help=f"AdamW weight decay ({per_kind('weight_decay')})")
    parser.add_argument(
        "--patience", type=int, help=f"epochs without improvement before stopping ({per_kind('patience')})"
    )
    parser.add_argument("--batch-size", type=int, help=per_kind("batch_size"))
    parser.add_argument(
        "--schedule",
        choices=SCHEDULES,
        help=f"learning rate over the fit (default: hnn {hnn.schedule}, mlp {mlp.schedule})",
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where to train: the GPU when there is one (auto), or as named",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 success, 1 bad input, 2 bad usage).

    Each command lives in its own module (``hnnviz.cli._<command>``, with ``run(args)`` and
    ``summary(result)``), imported only when that command runs: ``hnnviz --help`` and ``hnnviz filter`` never
    load torch, captum or plotly.
    """
    args = _parser().parse_args(argv)
    command = importlib.import_module(f"{__name__}._{args.handler}")
    try:
        result = command.run(args)
    except HNNVizError as err:
        print(f"hnnviz {args.command}: error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else command.summary(result))
    return 0
