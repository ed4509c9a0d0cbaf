"""Command line: ``hnnviz filter|train|compare DATA ...`` and ``hnnviz explain RUN_DIR --data DATA``.

The CLI only parses arguments and calls the same core functions the app pages use. Expected errors (bad
data, bad options) print one line to stderr and exit with status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._validation import short_repr
from .compare import BASE_MODELS, compare_models
from .data import Dataset, feature_columns, load_dataset
from .exceptions import HNNVizError, InputValidationError
from .explain import EXPLAIN_METHODS, explain
from .pipeline import IFN_METHODS, IFNSpec, filter_network
from .runfiles import load_run, save_run
from .runs import MODEL_KINDS, ModelSpec, Run, train_run
from .similarity import SIMILARITY_METHODS
from .synthetic import INTERACTION_KINDS, LAB_CONFIG, LAB_SPEC, run_lab
from .train import EpochRecord, TrainConfig

__all__ = ["main"]

_DEFAULT_SPEC, _DEFAULT_CONFIG = ModelSpec(), TrainConfig()


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
    filt.set_defaults(run=_filter, summary=_filter_summary)

    train = commands.add_parser("train", help="train an HNN (or its same-width dense MLP) and save the run")
    _add_data_options(train, "column to predict (required)")
    train.add_argument("--model", choices=MODEL_KINDS, default="hnn", help="default hnn")
    train.add_argument("--seed", type=int, default=0, help="seeds the split, weights and batch order (default 0)")
    _add_training_options(train)
    _add_ifn_options(train)
    train.add_argument("--out", required=True, metavar="DIR", help="directory to save the run in")
    train.set_defaults(run=_train, summary=_train_summary)

    compare = commands.add_parser("compare", help="compare the HNN with fair baselines on identical splits")
    _add_data_options(compare, "column to predict (required)")
    compare.add_argument("--seeds", type=int, default=3, metavar="N", help="use seeds 0..N-1 (default 3)")
    compare.add_argument(
        "--models",
        default=",".join(BASE_MODELS),
        help=f"comma-separated, among {', '.join(BASE_MODELS)} and hnn-order<K> (default: all four)",
    )
    _add_training_options(compare)
    compare.add_argument("--threads", type=int, default=1, help="threads every fit may use (default 1)")
    _add_ifn_options(compare)
    compare.set_defaults(run=_compare, summary=_compare_summary)

    explain_cmd = commands.add_parser("explain", help="rank the simplices that drive a saved HNN's predictions")
    explain_cmd.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by 'hnnviz train'")
    explain_cmd.add_argument("--data", required=True, help="rows to explain, with the model's feature columns")
    explain_cmd.add_argument(
        "--row",
        type=int,
        metavar="N",
        help="explain only row N of the data as loaded (0-based, counted after rows with missing values are dropped)",
    )
    explain_cmd.add_argument("--method", choices=EXPLAIN_METHODS, default="gxa", help="default gxa (fastest)")
    explain_cmd.add_argument("--top", type=int, default=10, help="simplices to list (default 10)")
    explain_cmd.add_argument("--target-class", help="classification: the class to explain (default: predicted)")
    explain_cmd.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    explain_cmd.set_defaults(run=_explain, summary=_explain_summary)

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
    lab.add_argument("--explain-method", choices=EXPLAIN_METHODS, default="ablation")
    lab.add_argument("--k", type=int, default=None, help="top simplices scored (default: number of groups)")
    lab.add_argument("--epochs", type=int, default=LAB_CONFIG.epochs, help=f"default {LAB_CONFIG.epochs}")
    lab.add_argument("--width", type=int, default=LAB_SPEC.channels, help=f"default {LAB_SPEC.channels}")
    _add_ifn_options(lab)
    lab.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    lab.set_defaults(run=_lab, summary=_lab_summary)
    return parser


def _add_data_options(parser: argparse.ArgumentParser, target_help: str) -> None:
    parser.add_argument("data", help="CSV, TSV, Parquet or xlsx file")
    parser.add_argument("--target", help=target_help)
    parser.add_argument("--sheet", metavar="NAME", help="xlsx only: the worksheet to read (default: the first)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def _add_ifn_options(parser: argparse.ArgumentParser) -> None:
    ifn = IFNSpec()
    parser.add_argument(
        "--similarity", choices=SIMILARITY_METHODS, default=ifn.similarity, help=f"default {ifn.similarity}"
    )
    parser.add_argument("--method", choices=IFN_METHODS, default=ifn.method, help=f"default {ifn.method}")
    parser.add_argument(
        "--max-clique-size", type=int, default=ifn.max_clique_size, help=f"MFCF only (default {ifn.max_clique_size})"
    )
    parser.add_argument("--threshold", type=float, default=ifn.threshold, help=f"MFCF only (default {ifn.threshold:g})")


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    config, spec = _DEFAULT_CONFIG, _DEFAULT_SPEC
    parser.add_argument("--epochs", type=int, default=config.epochs, help=f"at most (default {config.epochs})")
    parser.add_argument(
        "--width", type=int, default=spec.channels, help=f"channels per simplex (default {spec.channels})"
    )
    parser.add_argument("--max-order", type=int, default=None, help="highest simplex order (default: all)")
    parser.add_argument("--lr", type=float, default=config.lr, help=f"AdamW learning rate (default {config.lr})")
    parser.add_argument("--batch-size", type=int, default=config.batch_size, help=f"default {config.batch_size}")


def _ifn_spec(args: argparse.Namespace) -> IFNSpec:
    return IFNSpec(
        similarity=args.similarity, method=args.method, max_clique_size=args.max_clique_size, threshold=args.threshold
    )


def _spec(args: argparse.Namespace, kind: str = "hnn") -> ModelSpec:
    return ModelSpec(kind=kind, channels=args.width, max_order=args.max_order)


def _config(args: argparse.Namespace, seed: int = 0) -> TrainConfig:
    return TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=seed)


def _supervised_dataset(args: argparse.Namespace) -> Dataset:
    """The data set of ``args.data`` with its ``--target``, which these commands require."""
    if args.target is None:
        raise InputValidationError(f"'hnnviz {args.command}' needs --target COL, the column to predict.")
    return load_dataset(args.data, target=args.target, sheet=args.sheet)


@contextlib.contextmanager
def _status_line() -> Iterator[Callable[[str], None]]:
    """Yield a function that overwrites one status line on an interactive stderr (silent otherwise); the
    line is cleared on exit, so an error message starts on a clean line."""

    def show(text: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{text}\033[K", end="", file=sys.stderr, flush=True)

    try:
        yield show
    finally:
        show("")


def _filter(args: argparse.Namespace) -> dict[str, Any]:
    dataset = load_dataset(args.data, target=args.target, sheet=args.sheet)
    network = filter_network(dataset.X, dataset.feature_names, _ifn_spec(args))
    result = network.to_dict()
    result["dropped"] = [dataclasses.asdict(item) for item in dataset.dropped]
    result["notes"] = [str(note) for note in dataset.notes]
    return result


def _filter_summary(result: dict[str, Any]) -> str:
    lines = [
        f"{result['method'].upper()} on {len(result['nodes'])} features ({result['similarity']} similarity): "
        f"{len(result['edges'])} edges, {len(result['cliques'])} cliques, {len(result['separators'])} separators",
        f"f-vector {tuple(result['f_vector'])}, Betti {tuple(result['betti'])}, {result['seconds']:.3f} s",
    ]
    lines += [f"dropped {d['kind']} {short_repr(d['name'], 40)}: {d['reason']}" for d in result["dropped"]]
    lines += [f"note: {note}" for note in result["notes"]]
    lines += ["cliques:"] + [f"  {', '.join(c)}" for c in result["cliques"]]
    return "\n".join(lines)


def _train(args: argparse.Namespace) -> dict[str, Any]:
    dataset = _supervised_dataset(args)
    if Path(args.out).exists() and not Path(args.out).is_dir():  # fail before training, not after
        raise InputValidationError(f"--out {args.out!r} is a file; give a directory to save the run in.")
    config = _config(args, seed=args.seed)
    with _status_line() as show:

        def epoch_done(record: EpochRecord) -> None:
            show(f"epoch {record.epoch}/{config.epochs}: validation loss {record.val_loss:.4g}")

        run = train_run(dataset, _spec(args, kind=args.model), config=config, ifn=_ifn_spec(args), callback=epoch_done)
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


def _metrics_text(metrics: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.4g}" for name, value in metrics.items())


def _train_summary(result: dict[str, Any]) -> str:
    dead = ", ".join(map(str, result["dead_readouts"])) or "none"
    return "\n".join(
        [
            f"{result['model'].upper()} on {result['dataset']} (target {result['target']!r}, {result['task']}): "
            f"{result['n_features']} features, {result['n_params']} parameters, f-vector {tuple(result['f_vector'])}",
            f"trained {result['epochs_run']} epochs (best {result['best_epoch']}, stopped: {result['stopped']}) "
            f"in {result['seconds']:.1f} s; dead readouts: {dead}",
            f"test: {_metrics_text(result['test'])}",
            *([result["constant_note"]] if result["constant_note"] else []),
            f"saved to {result['out']}",
        ]
    )


def _compare(args: argparse.Namespace) -> dict[str, Any]:
    dataset = _supervised_dataset(args)
    if args.seeds < 1:
        raise InputValidationError(f"--seeds must be at least 1. Got {args.seeds} instead.")
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    with _status_line() as show:

        def fit_done(model: str, seed: int, done: int, total: int) -> None:
            show(f"[{done}/{total}] fitted {model} (seed {seed})")

        comparison = compare_models(
            dataset,
            seeds=range(args.seeds),
            models=models,
            spec=_spec(args),
            config=_config(args),
            callback=fit_done,
            threads=args.threads,
            ifn=_ifn_spec(args),
        )
    return comparison.to_dict()


def _compare_summary(result: dict[str, Any]) -> str:
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


def _explain(args: argparse.Namespace) -> dict[str, Any]:
    if args.top < 1:
        raise InputValidationError(f"--top must be at least 1; got {args.top}.")
    run = load_run(args.run_dir)
    # any number of rows, constant-looking columns kept: the model's features are fixed and the baseline is
    # the training mean, not these rows
    data = load_dataset(args.data, min_rows=1, min_features=1, drop_uninformative=False)
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

    with _status_line() as show:
        attribution = explain(run, X, method=args.method, target=target, progress=lambda d, t: show(eta(d, t)))
    return attribution.to_dict(top=args.top)


def _class_label(run: Run, text: str | None) -> Any:
    """The class whose label reads ``text`` (labels may be numbers), or None."""
    if text is None or run.classes is None:
        return None
    matches = [label for label in run.classes if str(label) == text]
    if not matches:
        raise InputValidationError(f"Unknown class {text!r}; the classes are {[str(c) for c in run.classes]}.")
    return matches[0]


def _explain_summary(result: dict[str, Any]) -> str:
    rows = f"{result['n_rows']} row{'s' if result['n_rows'] != 1 else ''}"
    lines = [f"{result['method']} on {rows}: the top {len(result['simplices'])} simplices"]
    lines += [f"  {s['score']:+.4g}  order {s['order']}  {', '.join(s['features'])}" for s in result["simplices"]]
    if "completeness_gap" in result:
        lines.append(f"largest completeness gap {result['completeness_gap']:.3g}")
    return "\n".join(lines)


def _lab(args: argparse.Namespace) -> dict[str, Any]:
    try:
        groups = tuple(int(size) for size in args.groups.split(","))
    except ValueError as err:
        raise InputValidationError(f"--groups takes comma-separated sizes such as 2,3,4; got {args.groups!r}.") from err
    kinds = None if args.kinds is None else tuple(kind.strip() for kind in args.kinds.split(","))
    result = run_lab(
        args.rows, args.features, groups, noise=args.noise, task=args.task, kinds=kinds, seed=args.seed,
        ifn=_ifn_spec(args), explain_method=args.explain_method, k=args.k,
        spec=dataclasses.replace(LAB_SPEC, channels=args.width),
        config=dataclasses.replace(LAB_CONFIG, epochs=args.epochs, seed=args.seed),
    )  # fmt: skip
    return result.to_dict()


def _lab_summary(result: dict[str, Any]) -> str:
    lines = [
        f"planted {len(result['groups'])} groups: {result['formula']}",
        f"structure recall {result['recall']:.2f}, precision@{result['k']} {result['precision_at_k']:.2f}, "
        f"recall@{result['k']} {result['recall_at_k']:.2f}; test {_metrics_text(result['test'])}",
        "top simplices:",
    ]
    lines += [
        f"  {s['score']:+.4g}  {', '.join(s['features'])}" + ("" if s["group"] is None else f"  (group {s['group']})")
        for s in result["top"]
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 success, 1 bad input, 2 bad usage)."""
    args = _parser().parse_args(argv)
    try:
        result = args.run(args)
    except HNNVizError as err:
        print(f"hnnviz {args.command}: error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else args.summary(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
