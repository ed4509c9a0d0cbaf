"""How long a slow step will take, measured on a small pilot before it runs, so a user can be warned first.

Each estimate times a few representative operations (a training step on one batch, a forward pass over the
rows) and scales them by the number of times the step repeats them. They are estimates of the order of
magnitude, for a warning such as "about 40 s per epoch": the machine's load changes real timings.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

import torch

from .._validation import check_in, check_int
from ..model import HNN, Run, build_model, torch_seed
from ..network import CliqueComplex, FilteredNetwork
from ..specs import EXPLAIN_METHODS, ModelSpec

__all__ = ["bootstrap_seconds", "epoch_seconds", "explain_seconds"]

_PILOT_ROWS = 256  # rows of the pilot forward passes (seconds are scaled to the real number of rows)


def _median_seconds(work: Callable[[], object], repeats: int = 3) -> float:
    """Median wall time of ``work`` after one untimed warm-up call."""
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def epoch_seconds(
    complex: CliqueComplex, spec: ModelSpec, n_rows: int, *, batch_size: int, n_outputs: int = 1
) -> float:
    """Seconds one training epoch over ``n_rows`` rows should take: a timed step on one batch, times the batches.

    Examples
    --------
    >>> from hnnviz.network import clique_complex
    >>> cx = clique_complex([(0, 1, 2, 3), (1, 2, 3, 4)])
    >>> epoch_seconds(cx, ModelSpec(channels=1), 1000, batch_size=100) > 0
    True
    """
    n_rows = check_int(n_rows, name="n_rows", owner="epoch_seconds", low=1)
    batch_size = check_int(batch_size, name="batch_size", owner="epoch_seconds", low=1)
    model = build_model(spec, complex, n_outputs, seed=0)
    optimiser = torch.optim.AdamW(model.parameters())
    with torch_seed(0):
        inputs = torch.randn(min(batch_size, n_rows), complex.n_vertices)
        targets = torch.randn(len(inputs), n_outputs)

    def step() -> None:
        optimiser.zero_grad(set_to_none=True)
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimiser.step()

    return _median_seconds(step) * math.ceil(n_rows / batch_size)


def _forward_seconds(model: HNN, n_rows: int) -> float:
    """Seconds of one forward pass over ``n_rows`` rows (timed on a pilot, scaled linearly)."""
    with torch_seed(0):
        inputs = torch.randn(min(_PILOT_ROWS, n_rows), model.orders[0])
    with torch.no_grad():
        seconds = _median_seconds(lambda: model(inputs))
    return seconds * n_rows / len(inputs)


def explain_seconds(run: Run, n_rows: int, method: str, *, n_steps: int = 32) -> float:
    """Seconds :func:`hnnviz.explanation.explain` should take on ``n_rows`` rows with ``method``.

    gxa is one forward and one backward pass; ablation recomputes the orders above each unit once per unit;
    integrated gradients takes ``n_steps`` forward and backward passes per order.
    """
    check_in(method, EXPLAIN_METHODS, name="method", owner="explain_seconds")
    n_rows = check_int(n_rows, name="n_rows", owner="explain_seconds", low=1)
    model = run.model
    forward = _forward_seconds(model, n_rows)
    if method == "gxa":
        return 3 * forward  # backward costs about two forward passes
    if method == "ig":
        return len(model.orders) * n_steps * 3 * forward
    return sum(model.orders[1:]) * forward


def bootstrap_seconds(network: FilteredNetwork, n_boot: int) -> float:
    """Seconds :func:`hnnviz.network.bootstrap_stability` should take: the network's own similarity and
    filtering time, once per resample."""
    n_boot = check_int(n_boot, name="n_boot", owner="bootstrap_seconds", low=1)
    return n_boot * (network.seconds["similarity"] + network.seconds["graph"])
