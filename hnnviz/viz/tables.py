"""Tables for people: the rows a page or a report shows, with plain column names and readable numbers.

Numbers are written by :func:`~hnnviz._messages.fmt_number` (thousands separators, no exponent); a missing
value reads ``"—"``, never ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._messages import fmt_number
from ._common import METRIC_LABELS

if TYPE_CHECKING:
    from ..model import Run
    from ..workflows import Comparison

__all__ = ["leaderboard_rows", "results_rows"]

_SIZE_UNITS = {"params": "", "nodes": " tree nodes"}
_STOPPED = {"early": "early", "max_epochs": "at the epoch limit", "callback": "by hand"}


def results_rows(runs: Mapping[str, Run]) -> list[dict[str, str | int]]:
    """One row per trained model: its size, its test metrics, how long and how far it trained.

    Parameters
    ----------
    runs : mapping of str to Run
        Trained runs by display name (e.g. ``{"HNN": ..., "MLP": ...}``).

    Returns
    -------
    list of dict
        Keys ``model``, ``parameters``, one per test metric (``R²``, ``RMSE``, ``accuracy`` ...), ``epochs``,
        ``best epoch``, ``stopped`` (``"early"``, ``"at the epoch limit"`` or ``"by hand"``) and ``seconds``;
        numbers as text (``"12,315"``), epochs as ints.
    """
    rows: list[dict[str, str | int]] = []
    for name, run in runs.items():
        result = run.result
        row: dict[str, str | int] = {"model": name, "parameters": fmt_number(run.model.n_params)}
        row |= {METRIC_LABELS.get(m, m): fmt_number(v) for m, v in result.metrics["test"].items()}
        row |= {"epochs": result.epochs_run, "best epoch": result.best_epoch}
        row["stopped"] = _STOPPED.get(result.stopped, result.stopped)
        rows.append(row | {"seconds": fmt_number(result.seconds, 2)})
    return rows


def leaderboard_rows(comparison: Comparison) -> list[dict[str, str | int]]:
    """One row per model of a comparison, in plain words: the mean test score and its spread over seeds, size.

    Parameters
    ----------
    comparison : Comparison
        As returned by :func:`hnnviz.workflows.compare_models`.

    Returns
    -------
    list of dict
        Keys ``model``, ``test <metric>`` (the mean), ``± std``, ``parameters`` (tree nodes for gradient
        boosting), ``vs HNN`` (``"5.8x"`` the HNN's parameters; ``"—"`` where it does not apply), ``seconds``
        (mean fit time) and ``seeds``.

    Examples
    --------
    >>> from hnnviz.workflows import Comparison, ModelRecord
    >>> records = (ModelRecord("hnn", 0, {"r2": 0.5}, 2139, 0.5, (0, 1)), ModelRecord("gbm", 0, {"r2": 0.4}, 840, 0.5, (0, 1)))
    >>> rows = leaderboard_rows(Comparison("regression", "r2", ("hnn", "gbm"), (0,), records))
    >>> rows[1]
    {'model': 'gbm', 'test R²': '0.4', '± std': '0', 'parameters': '840 tree nodes', 'vs HNN': '—', 'seconds': '0.5', 'seeds': 1}
    """  # noqa: E501
    metric = METRIC_LABELS.get(comparison.metric, comparison.metric)
    return [
        {
            "model": row["model"],
            f"test {metric}": fmt_number(row["mean"]),
            "± std": fmt_number(row["std"], 2),
            "parameters": fmt_number(row["n_params"]) + _SIZE_UNITS.get(row["size_unit"], f" {row['size_unit']}"),
            "vs HNN": "—" if row["params_vs_hnn"] is None else f"{fmt_number(row['params_vs_hnn'], 2)}x",
            "seconds": fmt_number(row["seconds"], 2),
            "seeds": row["n_seeds"],
        }
        for row in comparison.summary()
    ]
