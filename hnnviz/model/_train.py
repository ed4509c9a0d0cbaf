"""Training protocol shared by every neural model: seeded split, scaling, mini-batches, early stopping.

One protocol for the HNN and its dense baseline, so comparisons are fair (SPEC §6): a seeded
train/validation/test split (stratified for classification), standardisation fitted on the training rows
only (the target too, for regression), shuffled mini-batches from a seeded generator, AdamW, early
stopping on the validation loss with the best weights restored, and metrics on every part.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score, log_loss, mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits
from torch import Tensor, nn
from torch.optim import Optimizer

from .._validation import check_in, check_int, check_rows
from ..devices import resolve_device
from ..exceptions import InputValidationError, TrainingDivergedError
from ..specs import TASKS, Task, TrainConfig

__all__ = [
    "PASS_FLOATS",
    "THREADS",
    "EpochRecord",
    "Scaler",
    "Split",
    "TrainResult",
    "cosine_factor",
    "dead_readouts",
    "inactive_share",
    "limit_threads",
    "metrics",
    "predict",
    "split_rows",
    "to_prediction",
    "torch_seed",
    "train_model",
    "train_step",
]

THREADS = 1
"""Threads per fit: the one default for training, comparisons, tests and the app (see :func:`limit_threads`)."""
PASS_FLOATS = 2**21
"""Most activations (floats, every layer's units times rows) in one forward and backward pass of :func:`train_step`."""
_TOLERANCE = 1e-6  # a unit or readout is constant when its range over the rows is at most this


@dataclass(frozen=True)
class Split:
    """Row indices of the training, validation and test parts (disjoint, together all rows)."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


@dataclass(frozen=True)
class Scaler:
    """Per-column standardisation ``(x - mean) / scale`` learned from training rows.

    Examples
    --------
    >>> s = Scaler.fit(np.array([[0.0, 10.0], [2.0, 10.0]]))
    >>> s.transform(np.array([[1.0, 10.0]])).tolist()
    [[0.0, 0.0]]
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> Scaler:
        """Learn means and standard deviations (a zero deviation becomes 1)."""
        values = np.asarray(values, dtype=np.float64)
        scale = values.std(axis=0)
        return cls(mean=values.mean(axis=0), scale=np.where(scale > 0, scale, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Standardised values, C-contiguous (so results never depend on the input's memory layout)."""
        return np.ascontiguousarray((np.asarray(values, dtype=np.float64) - self.mean) / self.scale)

    def inverse(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64) * self.scale + self.mean

    def inputs(self, X: Any, *, name: str = "X", owner: str = "Scaler.inputs", min_rows: int = 0) -> Tensor:
        """Raw rows as a model's input: checked (numbers, 2-D, one column per feature, finite, at least
        ``min_rows`` rows), standardised, float32. The one path from a table's rows to a model.

        Raises
        ------
        InputValidationError
            If ``X`` is not such rows; the message names ``name`` and ``owner``.

        Examples
        --------
        >>> Scaler(np.zeros(2), np.full(2, 2.0)).inputs([[2.0, -4.0]]).tolist()
        [[1.0, -2.0]]
        >>> Scaler(np.zeros(2), np.ones(2)).inputs([[1.0]], owner="Run.predict")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        hnnviz.exceptions.InputValidationError: The 'X' parameter of Run.predict must be rows of 2 features. ...
        """
        rows = check_rows(X, len(self.mean), name=name, owner=owner, min_rows=min_rows)
        return torch.as_tensor(self.transform(rows), dtype=torch.float32)


@dataclass(frozen=True)
class EpochRecord:
    """One epoch of training: losses on the scaled target, and whether it was the best so far."""

    epoch: int
    train_loss: float
    val_loss: float
    best: bool
    seconds: float


@dataclass(frozen=True)
class TrainResult:
    """A trained model and everything needed to use and judge it.

    Attributes
    ----------
    model : torch.nn.Module
        The model with the weights of its best validation epoch, in eval mode.
    task : {"regression", "classification"}
    x_scaler, y_scaler : Scaler, Scaler or None
        Fitted on the training rows; ``y_scaler`` is None for classification.
    split : Split
    history : tuple of EpochRecord
    best_epoch, epochs_run : int
    stopped : str
        ``"early"`` (patience ran out), ``"max_epochs"`` or ``"callback"``.
    metrics : dict
        ``{"train": {...}, "val": {...}, "test": {...}}`` (no "test" without a test part): R², RMSE, MAE
        (original units) for regression; accuracy, macro-F1, log-loss for classification.
    inactive : dict of int to float
        Per hidden order (layer), the share of units constant on every training row.
    dead_readouts : tuple of int
        Orders whose readout is constant on every training row (should be empty).
    seconds : float
        Wall time of the whole fit.
    """

    model: nn.Module
    task: Task
    x_scaler: Scaler
    y_scaler: Scaler | None
    split: Split
    history: tuple[EpochRecord, ...]
    best_epoch: int
    epochs_run: int
    stopped: str
    metrics: dict[str, dict[str, float]]
    inactive: dict[int, float]
    dead_readouts: tuple[int, ...]
    seconds: float


@contextlib.contextmanager
def torch_seed(seed: int) -> Iterator[None]:
    """Run a block under a fixed torch seed without touching the caller's global random state.

    Examples
    --------
    >>> with torch_seed(3):
    ...     a = torch.rand(2)
    >>> with torch_seed(3):
    ...     b = torch.rand(2)
    >>> bool((a == b).all())
    True
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def limit_threads(n: int = THREADS) -> None:
    """From now on, let torch and every OpenMP/BLAS pool of the process use at most ``n`` threads.

    One thread per fit (:data:`THREADS`) is the default for training, comparisons, tests and the app: fits of
    the bundled data sets are small, and on a busy machine extra threads spin-wait. Measured on 2 shared cores
    (``benchmarks/bench_fit.py``): a second thread made an HNN epoch at most 1.07x faster (none on the sets of
    10-13 features), while with other processes on the cores whole fits of the largest set ran 1.8-3.5x slower.
    Reductions split across a different number of threads can also round differently (below). Give a large
    model on an idle machine more threads.

    Notes
    -----
    With the same thread count, the same seed gives the same split, graph, weights, metrics and attributions,
    bit for bit. Across thread counts (measured with torch 2.13 on CPU, MKL, 1 against 2 threads):

    - the similarity matrix and the filtered graph never depend on the thread count (numpy/BLAS included);
    - an HNN with one channel per simplex trains, predicts and explains bit-identically (tested);
    - from 2 channels on, the simplex layers use a batched float32 matrix product (``torch.bmm``) whose
      rounding depends on the thread count and on a row's position in the batch: the weights may differ
      from the first epoch (digits, 61 features) and drift apart, and even with equal weights, predictions
      and attributions differ by about 1e-7 relative (ablation scores up to ~4e-6 absolute);
    - the dense MLP (``nn.Linear``) may differ likewise (from epoch 6 on diabetes).
    """
    n = check_int(n, name="n", owner="limit_threads", low=1)
    torch.set_num_threads(n)
    threadpool_limits(limits=n)


def split_rows(n_rows: int, y: np.ndarray | None, task: Task, *, val_size: float, test_size: float, seed: int) -> Split:
    """Seeded train/validation/test split; stratified by class for classification.

    Examples
    --------
    >>> s = split_rows(10, None, "regression", val_size=0.2, test_size=0.2, seed=0)
    >>> len(s.train), len(s.val), len(s.test)
    (6, 2, 2)
    """
    rows = np.arange(n_rows)
    stratify = y if task == "classification" else None
    try:
        if test_size > 0:
            rest, test = train_test_split(rows, test_size=test_size, random_state=seed, stratify=stratify)
        else:
            rest, test = rows, rows[:0]
        rest_stratify = None if stratify is None else stratify[rest]
        train, val = train_test_split(
            rest, test_size=val_size / (1 - test_size), random_state=seed + 1, stratify=rest_stratify
        )
    except ValueError as err:  # e.g. a class too small to appear in every part
        raise InputValidationError(f"Cannot split {n_rows} rows into train/validation/test parts: {err}") from err
    return Split(train=np.sort(train), val=np.sort(val), test=np.sort(test))


def _targets(y: np.ndarray, task: Task, y_scaler: Scaler | None) -> Tensor:
    if task == "classification":
        return torch.as_tensor(y, dtype=torch.long)
    return torch.as_tensor(y_scaler.transform(y.reshape(-1, 1)), dtype=torch.float32)


def _loss_fn(task: Task) -> nn.Module:
    return nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss()


def train_model(
    model: nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    task: Task,
    *,
    config: TrainConfig | None = None,
    callback: Callable[[EpochRecord], bool | None] | None = None,
    split: Split | None = None,
) -> TrainResult:
    """Train ``model`` on ``(X, y)`` with the shared protocol and return the best-validation model.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(batch, n_features)`` float32 to ``(batch, 1)`` (regression) or ``(batch, n_classes)``.
        Build it under :func:`torch_seed` for reproducible initial weights.
    X : ndarray of shape (n, p)
        Raw (unscaled) features.
    y : ndarray of shape (n,)
        Targets: floats for regression, class codes ``0..K-1`` for classification.
    task : {"regression", "classification"}
    config : TrainConfig, optional
        Its ``device`` says where to train; the model comes back on the CPU (also after an error).
    callback : callable, optional
        Called after every epoch with its :class:`EpochRecord`. Returning ``False`` stops training (the
        best weights so far are kept); blocking inside it pauses training between epochs.
    split : Split, optional
        Use this split instead of :func:`split_rows` with the config's sizes and seed (for example when the
        model's wiring was already built from the training rows of that split).

    Returns
    -------
    TrainResult

    Raises
    ------
    TrainingDivergedError
        If a loss becomes NaN or infinite.
    InputValidationError
        For mismatched shapes or a split that cannot be made.
    """
    config = config or TrainConfig(defaults="mlp")
    check_in(task, TASKS, name="task", owner="train_model")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise InputValidationError(
            f"train_model needs X of shape (n, p) and y of shape (n,). Got {X.shape} and {y.shape} instead."
        )
    if not (np.isfinite(X).all() and (task == "classification" or np.isfinite(y.astype(np.float64)).all())):
        raise InputValidationError("train_model needs finite X and y (no NaN or inf); clean the data first.")
    start = time.perf_counter()
    if split is None:
        split = split_rows(len(X), y, task, val_size=config.val_size, test_size=config.test_size, seed=config.seed)
    x_scaler = Scaler.fit(X[split.train])
    y_scaler = Scaler.fit(y[split.train].reshape(-1, 1).astype(np.float64)) if task == "regression" else None
    device = resolve_device(config.device, n_params=sum(p.numel() for p in model.parameters()))
    inputs = x_scaler.inputs(X, owner="train_model").to(device)
    targets = _targets(y, task, y_scaler).to(device)
    try:
        model.to(device)
        history, best_epoch, stopped = _fit_loop(model, inputs, targets, split, task, config, callback)
        model.eval()
        parts = {"train": split.train, "val": split.val, "test": split.test}
        with torch.no_grad():  # one forward pass per part; the training rows' activations serve three checks
            hidden = {part: model.hidden(inputs[rows]) for part, rows in parts.items() if len(rows)}
            readouts = model.readout_parts(hidden["train"])
            result_metrics = {
                part: metrics(y[parts[part]], to_prediction(model.output(h), task, y_scaler), task)
                for part, h in hidden.items()
            }
            inactive, dead = _inactive(hidden["train"], _TOLERANCE), _dead(readouts, _TOLERANCE)
    finally:
        model.to("cpu")  # the trained model lives on the CPU, wherever it was trained
    return TrainResult(
        model=model,
        task=task,
        x_scaler=x_scaler,
        y_scaler=y_scaler,
        split=split,
        history=tuple(history),
        best_epoch=best_epoch,
        epochs_run=len(history),
        stopped=stopped,
        metrics=result_metrics,
        inactive=inactive,
        dead_readouts=dead,
        seconds=time.perf_counter() - start,
    )


def _fit_loop(
    model: nn.Module,
    inputs: Tensor,
    targets: Tensor,
    split: Split,
    task: Task,
    config: TrainConfig,
    callback: Callable[[EpochRecord], bool | None] | None,
) -> tuple[list[EpochRecord], int, str]:
    """Mini-batch AdamW with early stopping; restores the best weights. Returns (history, best epoch, why)."""
    loss_fn = _loss_fn(task)
    # fused: one kernel per parameter instead of ~10 ops (same update; measured 0.2 ms less per step on CPU)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True)
    generator = torch.Generator().manual_seed(config.seed)
    train_rows = torch.as_tensor(split.train)
    steps = config.epochs * math.ceil(len(train_rows) / config.batch_size)
    scheduler = None
    if config.schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, functools.partial(cosine_factor, total=steps))
    x_val, t_val = inputs[split.val], targets[split.val]
    best_loss, best_epoch, best_state = float("inf"), 0, _snapshot(model)
    history: list[EpochRecord] = []
    stopped = "max_epochs"
    for epoch in range(1, config.epochs + 1):
        tick = time.perf_counter()
        model.train()
        total = 0.0
        for batch in train_rows[torch.randperm(len(train_rows), generator=generator)].split(config.batch_size):
            batch = batch.to(inputs.device)  # the order is drawn on the CPU: the same on every device
            total += train_step(model, inputs[batch], targets[batch], loss_fn, optimiser) * len(batch)
            if scheduler is not None:
                scheduler.step()  # per batch, after the optimiser's step
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(x_val), t_val).item()
        train_loss = total / len(train_rows)
        if not (np.isfinite(train_loss) and np.isfinite(val_loss)):
            raise TrainingDivergedError(
                f"Training diverged at epoch {epoch} (train loss {train_loss}, validation loss {val_loss}); "
                "try a smaller learning rate.",
                epoch=epoch,
            )
        improved = val_loss < best_loss
        if improved:
            best_loss, best_epoch, best_state = val_loss, epoch, _snapshot(model)
        record = EpochRecord(epoch, train_loss, val_loss, improved, time.perf_counter() - tick)
        history.append(record)
        if callback is not None and callback(record) is False:
            stopped = "callback"
            break
        if epoch - best_epoch >= config.patience:
            stopped = "early"
            break
    model.load_state_dict(best_state)
    return history, best_epoch, stopped


def cosine_factor(step: int, total: int) -> float:
    """The share of the peak learning rate at optimiser step ``step`` of ``total``: a cosine from 1 down to 0.

    Examples
    --------
    >>> [round(cosine_factor(i, 4), 3) for i in range(5)]
    [1.0, 0.854, 0.5, 0.146, 0.0]
    """
    return 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))


def train_step(model: nn.Module, x: Tensor, target: Tensor, loss_fn: nn.Module, optimiser: Optimizer) -> float:
    """One optimiser step on the mean loss of a mini-batch; returns that loss.

    A batch whose activations would exceed :data:`PASS_FLOATS` floats is run forward and backward in passes of
    fewer rows, their gradients summed (weighted by their rows) before the step: mathematically the same step,
    and the time per row no longer grows with the batch. Large tensors are allocated afresh at every step
    (the C allocator hands them back to the system when freed), and filling fresh memory page by page cost up
    to 4x the arithmetic (p=1000, one channel, batch 4,096; ``benchmarks/results_layers.md``). A batch that fits
    in one pass (every default fit of a bundled data set) is computed exactly as a single pass. On a GPU the
    batch is one pass: CUDA's caching allocator reuses memory, and passes of a few rows would waste the device
    (p=10,000, h=4 on an H200: 32 passes of 8 rows, 75 ms a step; ``benchmarks/results_gpu.md``).

    Examples
    --------
    >>> model = nn.Linear(3, 1)
    >>> x, target = torch.ones(4, 3), torch.zeros(4, 1)
    >>> optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> loss = train_step(model, x, target, nn.MSELoss(), optimiser)
    >>> train_step(model, x, target, nn.MSELoss(), optimiser) < loss
    True
    """
    optimiser.zero_grad(set_to_none=True)
    rows = max(1, PASS_FLOATS // sum(getattr(model, "widths", (1,)))) if x.device.type == "cpu" else len(x)
    total = 0.0
    for part, part_target in zip(x.split(rows), target.split(rows), strict=True):
        loss = loss_fn(model(part), part_target)
        (loss * (len(part) / len(x))).backward()
        total += loss.item() * len(part)
    optimiser.step()
    return total / len(x)


def _snapshot(model: nn.Module) -> dict[str, Tensor]:
    """A copy of the model's state dict (tensors cloned: several times cheaper than ``copy.deepcopy``)."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def predict(model: nn.Module, X_scaled: Tensor, task: Task, y_scaler: Scaler | None) -> np.ndarray:
    """Predictions in original units (regression) or class probabilities (classification)."""
    model.eval()
    with torch.no_grad():
        return to_prediction(model(X_scaled), task, y_scaler)


def to_prediction(out: Tensor, task: Task, y_scaler: Scaler | None) -> np.ndarray:
    """Raw model outputs as predictions: original units (regression) or class probabilities."""
    out = out.detach().cpu()
    if task == "classification":
        return torch.softmax(out.double(), dim=1).numpy()
    return y_scaler.inverse(out.numpy()).ravel()


def metrics(y_true: np.ndarray, prediction: np.ndarray, task: Task) -> dict[str, float]:
    """Regression: r2, rmse, mae. Classification (``prediction`` = probabilities): accuracy, macro_f1, log_loss.

    Examples
    --------
    >>> metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]), "regression")["mae"]
    0.3333333333333333
    """
    if task == "regression":
        return {
            "r2": float(r2_score(y_true, prediction)),
            "rmse": float(root_mean_squared_error(y_true, prediction)),
            "mae": float(mean_absolute_error(y_true, prediction)),
        }
    labels = np.arange(prediction.shape[1])
    predicted = prediction.argmax(axis=1)
    return {
        "accuracy": float(accuracy_score(y_true, predicted)),
        "macro_f1": float(f1_score(y_true, predicted, average="macro", labels=labels, zero_division=0)),
        "log_loss": float(log_loss(y_true, np.clip(prediction, 1e-12, 1), labels=labels)),
    }


def inactive_share(model: nn.Module, inputs: Tensor, tolerance: float = _TOLERANCE) -> dict[int, float]:
    """Per order (or layer), the share of units whose output is constant on every given row.

    A constant unit carries no information and passes no useful gradient: for ReLU that is a dead unit.
    The inputs (order 0) are left out; readouts are checked by :func:`dead_readouts`.
    """
    model.eval()
    with torch.no_grad():
        return _inactive(model.hidden(inputs), tolerance)


def dead_readouts(model: nn.Module, inputs: Tensor, tolerance: float = _TOLERANCE) -> tuple[int, ...]:
    """Orders whose readout output is constant on every given row: that order adds nothing to predictions."""
    model.eval()
    with torch.no_grad():
        return _dead(model.readout_parts(model.hidden(inputs)), tolerance)


def _inactive(hidden: list[Tensor], tolerance: float) -> dict[int, float]:
    return {order: _constant_share(h, tolerance) for order, h in enumerate(hidden) if order > 0}


def _dead(readouts: list[Tensor], tolerance: float) -> tuple[int, ...]:
    return tuple(order for order, part in enumerate(readouts) if _constant_share(part, tolerance) == 1.0)


def _constant_share(values: Tensor, tolerance: float) -> float:
    per_unit = values.reshape(len(values), -1)  # (rows, units)
    return float(((per_unit.amax(0) - per_unit.amin(0)) <= tolerance).float().mean())
