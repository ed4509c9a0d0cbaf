"""What several commands share: reading the option groups into specs, the data set, a status line."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator

from ..data import Dataset, load_dataset
from ..exceptions import InputValidationError
from ..specs import IFNSpec, ModelSpec, TrainConfig, default_config

__all__ = ["ifn_spec", "load_data", "metrics_text", "model_spec", "status_line", "supervised_dataset", "train_config"]


def ifn_spec(args: argparse.Namespace) -> IFNSpec:
    """The filtering options of ``--similarity``, ``--method``, ``--max-clique-size`` and ``--threshold``."""
    return IFNSpec(
        similarity=args.similarity, method=args.method, max_clique_size=args.max_clique_size, threshold=args.threshold
    )


def model_spec(args: argparse.Namespace, kind: str = "hnn") -> ModelSpec:
    return ModelSpec(kind=kind, channels=args.width, max_order=args.max_order)


#: The training options of the command line, by the TrainConfig field each sets.
_TRAINING_OPTIONS = ("epochs", "batch_size", "lr", "weight_decay", "patience", "schedule", "device")


def train_config(args: argparse.Namespace, kind: str, seed: int = 0) -> TrainConfig:
    """The training protocol of one model kind: its default, with the options given on the command line."""
    given = {name: getattr(args, name) for name in _TRAINING_OPTIONS if getattr(args, name) is not None}
    return default_config(kind, seed=seed, **given)


def load_data(args: argparse.Namespace) -> Dataset:
    """The data set of ``args.data`` as the data options say: ``--target``, ``--sheet``, ``--missing``,
    ``--sparse-threshold`` and ``--keep``."""
    return load_dataset(
        args.data, target=args.target, sheet=args.sheet, missing=args.missing, sparse_threshold=args.sparse_threshold,
        keep=tuple(args.keep),
    )  # fmt: skip


def supervised_dataset(args: argparse.Namespace) -> Dataset:
    """The data set of ``args.data`` with its ``--target``, which these commands require."""
    if args.target is None:
        raise InputValidationError(f"'hnnviz {args.command}' needs --target COL, the column to predict.")
    return load_data(args)


@contextlib.contextmanager
def status_line() -> Iterator[Callable[[str], None]]:
    """Yield a function that overwrites one status line on an interactive stderr (silent otherwise); the
    line is cleared on exit, so an error message starts on a clean line."""

    def show(text: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{text}\033[K", end="", file=sys.stderr, flush=True)

    try:
        yield show
    finally:
        show("")


def metrics_text(metrics: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.4g}" for name, value in metrics.items())
