"""Which simplices drive a prediction: per-simplex attributions of a trained HNN.

Every hidden unit of an HNN belongs to a simplex, a named group of features, so an attribution to a unit
is an attribution to an interaction. Three methods, all in the model's output units (the target's units
for regression, the logit of the explained class for classification):

``"gxa"``
    gradient x activation, summed over a simplex's channels: one forward and one backward pass.
``"ig"``
    integrated gradients (captum). Order 0 attributes to the input features; order ``k >= 1`` uses
    layer integrated gradients on that order's units, from their value at the baseline input to their
    value at ``x`` with everything above recomputed. Completeness is checked per row and order: the scores
    of order ``k`` should sum to ``f(x) - f(x | order k at baseline)`` (``f(x) - f(baseline)`` for
    order 0); the difference is reported as ``completeness_gap``.
``"ablation"``
    replace one simplex unit (all its channels) by its reference value and report ``f(x) - f(ablated x)``.

By default the baseline input is the training mean: the zero vector in the run's scaled space
(``run.x_scaler.mean`` in raw units), and the reference value of a unit is its value at that baseline input.
Nothing then depends on the other rows explained, so a row gets the same scores alone or in a batch (and a
single row's scores are not all zero). Given ``background`` rows instead, the baseline input is their mean
and a unit's reference value its mean over them.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from captum.attr import IntegratedGradients, LayerIntegratedGradients
from torch import Tensor

from .._validation import check_in, check_int
from ..devices import resolve_device
from ..exceptions import InputValidationError
from ..model import HNN, Run
from ..specs import EXPLAIN_METHODS

__all__ = [
    "Attribution",
    "SimplexScore",
    "explain",
    "order_split",
]

#: Interpolated rows integrated gradients runs through the model at once (rows x steps are chunked into batches
#: of this size): at 2,000 features the unchunked 1,000 rows x 32 steps peaked above 10 GB.
_IG_BATCH = 2048
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimplexScore:
    """One simplex and its importance."""

    order: int
    index: int
    features: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Attribution:
    """Per-simplex attributions of a set of rows.

    Attributes
    ----------
    method : str
    simplices : tuple of tuple of tuple of str
        ``simplices[k][i]``: the feature names of simplex ``i`` of order ``k``.
    scores : tuple of ndarray
        ``scores[k]`` has shape ``(n_rows, n_k)``.
    prediction : ndarray of shape (n_rows,)
        The explained output ``f(x)``.
    baseline_prediction : float
        ``f(baseline)``.
    target_class : ndarray of int or None
        The explained class of each row (classification).
    completeness_gap : ndarray of shape (n_rows, n_orders) or None
        For ``"ig"``: sum of an order's scores minus the output difference it should add up to.
    seconds : float
    """

    method: str
    simplices: tuple[tuple[tuple[str, ...], ...], ...]
    scores: tuple[np.ndarray, ...]
    prediction: np.ndarray
    baseline_prediction: float
    target_class: np.ndarray | None
    completeness_gap: np.ndarray | None
    seconds: float

    @property
    def n_rows(self) -> int:
        return len(self.prediction)

    def ranking(self, row: int | None = None, *, top: int | None = None, min_order: int = 1) -> list[SimplexScore]:
        """Simplices by importance: ``|score|`` of one row, or mean ``|score|`` over all rows (``row=None``).

        Orders below ``min_order`` are left out (by default the single features, order 0).
        """
        ranked = [
            SimplexScore(order, i, self.simplices[order][i], float(value))
            for order in range(min_order, len(self.scores))
            for i, value in enumerate(self._importance(order, row))
        ]
        ranked.sort(key=lambda s: (-abs(s.score), s.order, s.index))
        return ranked[:top]

    def _importance(self, order: int, row: int | None) -> np.ndarray:
        scores = self.scores[order]
        return scores[row] if row is not None else np.abs(scores).mean(axis=0)

    def simplex_values(self, order: int, row: int | None = None) -> dict[tuple[str, ...], float]:
        """Every simplex of one order, by its features, with its importance (as :meth:`ranking` measures it).

        Examples
        --------
        >>> a = Attribution("gxa", ((("a",), ("b",)), (("a", "b"),)), (np.zeros((2, 2)), np.array([[1.0], [-3.0]])),
        ...                 np.zeros(2), 0.0, None, None, 0.0)
        >>> a.simplex_values(1), a.simplex_values(1, row=1)
        ({('a', 'b'): 2.0}, {('a', 'b'): -3.0})
        """
        check_int(order, name="order", owner="Attribution.simplex_values", low=0, high=len(self.scores) - 1)
        return dict(zip(self.simplices[order], self._importance(order, row).tolist(), strict=True))

    def order_shares(self) -> np.ndarray:
        """``(n_orders,)``: each order's share of the summed mean ``|score|`` of every unit, inputs first.

        Says how much the single features (order 0), which rankings of interactions leave out, carry.

        Examples
        --------
        >>> a = Attribution("gxa", ((("a",), ("b",)), (("a", "b"),)), (np.array([[3.0, -1.0]]), np.array([[-4.0]])),
        ...                 np.zeros(1), 0.0, None, None, 0.0)
        >>> a.order_shares().tolist()
        [0.5, 0.5]
        """
        totals = np.array([np.abs(s).mean(axis=0).sum() for s in self.scores])
        return totals / totals.sum() if totals.sum() > 0 else totals

    def feature_importance(self) -> dict[str, float]:
        """Importance lifted to single features: each simplex's mean ``|score|`` shared equally by its features."""
        lifted: dict[str, float] = {}
        for order, names in enumerate(self.simplices):
            for features, value in zip(names, self._importance(order, None), strict=True):
                for feature in features:
                    lifted[feature] = lifted.get(feature, 0.0) + float(value) / len(features)
        return dict(sorted(lifted.items(), key=lambda item: -item[1]))

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready: the ranking (all orders >= 1) and, for IG, the worst completeness gap.

        The ranking is global (mean ``|score|``) over several rows, and the row's own signed scores for one.
        """
        row = 0 if self.n_rows == 1 else None
        result: dict[str, Any] = {
            "method": self.method,
            "n_rows": self.n_rows,
            "simplices": [
                {"features": list(s.features), "order": s.order, "score": s.score} for s in self.ranking(row, top=top)
            ],
            "seconds": round(self.seconds, 6),
        }
        if self.completeness_gap is not None:
            result["completeness_gap"] = float(np.abs(self.completeness_gap).max())
        return result


def _simplex_names(run: Run, n_orders: int) -> tuple[tuple[tuple[str, ...], ...], ...]:
    names = run.feature_names
    return tuple(
        tuple(tuple(names[v] for v in row) for row in run.network.complex.simplices[k].tolist())
        for k in range(n_orders)
    )


def _output_units(run: Run) -> tuple[float, float]:
    """(scale, offset) from model outputs to reported units: a regression model predicts a standardised target."""
    if run.task == "regression":
        return float(run.result.y_scaler.scale[0]), float(run.result.y_scaler.mean[0])
    return 1.0, 0.0


def _target_classes(run: Run, model: HNN, inputs: Tensor, target: Any) -> Tensor | None:
    if run.task == "regression":
        return None
    if target is None:
        with torch.no_grad():
            return model(inputs).argmax(dim=1)
    if target not in run.classes:
        raise InputValidationError(f"Unknown class {target!r}; the classes are {list(run.classes)}.")
    return torch.full((len(inputs),), run.classes.index(target), dtype=torch.long, device=inputs.device)


def _pick(out: Tensor, target: Tensor | None) -> Tensor:
    """The explained scalar of each row: the regression output, or the target class's logit."""
    return out[:, 0] if target is None else out.gather(1, target[:, None])[:, 0]


def explain(
    run: Run,
    X: np.ndarray,
    *,
    method: str = "gxa",
    background: np.ndarray | None = None,
    target: Any = None,
    n_steps: int = 32,
    progress: Progress | None = None,
    device: str = "auto",
) -> Attribution:
    """Attribute the predictions of ``run``'s HNN on rows ``X`` to every simplex.

    Parameters
    ----------
    run : Run
        A trained HNN run (see :func:`hnnviz.model.train_run` / :func:`hnnviz.io.load_run`).
    X : ndarray of shape (n_rows, n_features)
        Raw rows to explain.
    method : {"gxa", "ig", "ablation"}, default "gxa"
    background : ndarray, optional
        Raw rows defining the baseline input (their mean) and the ablation references (each unit's mean over
        them). Default: the training mean as the baseline input (zero in the run's scaled space,
        ``run.x_scaler.mean`` in raw units) and each unit's value there as its ablation reference, so the
        scores of a row do not depend on the other rows of ``X``.
    target : class label, optional
        Classification: the class to explain (default: each row's predicted class).
    n_steps : int, default 32
        Integration steps for ``"ig"``.
    progress : callable, optional
        ``progress(done, total)`` after each unit of work (orders for ``"ig"``, simplices for ``"ablation"``).
    device : str, default "auto"
        Where to compute (:func:`hnnviz.devices.resolve_device`): a copy of the model goes there, the scores
        come back as numpy arrays. CPU and GPU scores agree within float tolerance.

    Returns
    -------
    Attribution

    Raises
    ------
    InputValidationError
        For an MLP run, an unknown method or class, or rows of the wrong width.
    """
    check_in(method, EXPLAIN_METHODS, name="method", owner="explain")
    check_int(n_steps, name="n_steps", owner="explain", low=2)
    if not isinstance(run.model, HNN):
        raise InputValidationError("Only an HNN can be explained by simplex; this run holds a dense MLP.")
    start = time.perf_counter()
    where = resolve_device(device, n_params=run.model.n_params)
    model = run.model if where.type == "cpu" else copy.deepcopy(run.model).to(where)
    model.eval()
    inputs = run.inputs(X, name="X", owner="explain").to(where)
    # the rows whose mean is the baseline input and over which units are averaged for ablation
    reference = (
        torch.zeros(1, inputs.shape[1])
        if background is None
        else run.inputs(background, name="background", owner="explain")
    )
    reference = reference.to(where)
    target_class = _target_classes(run, model, inputs, target)
    with torch.no_grad():
        prediction = _pick(model(inputs), target_class)
        baseline_input = reference.mean(dim=0, keepdim=True)
        baseline = _pick(model(baseline_input), None if target_class is None else target_class[:1])
    run_method = {"gxa": _gradient_x_activation, "ig": _integrated_gradients, "ablation": _ablation}[method]
    scores, gap = run_method(model, inputs, reference, target_class, n_steps=n_steps, progress=progress)
    scale, offset = _output_units(run)
    return Attribution(
        method=method,
        simplices=_simplex_names(run, len(scores)),
        scores=tuple(s * scale for s in scores),
        prediction=prediction.cpu().numpy().astype(np.float64) * scale + offset,
        baseline_prediction=float(baseline[0]) * scale + offset,
        target_class=None if target_class is None else target_class.cpu().numpy(),
        completeness_gap=None if gap is None else gap * scale,
        seconds=time.perf_counter() - start,
    )


def _gradient_x_activation(
    model: HNN, inputs: Tensor, reference: Tensor, target: Tensor | None, **_: Any
) -> tuple[list[np.ndarray], None]:
    hidden = model.hidden(inputs.clone().requires_grad_())
    for h in hidden:
        h.retain_grad()
    _pick(model.output(hidden), target).sum().backward()
    return [_numpy((h * h.grad).sum(-1)) for h in hidden], None


def _integrated_gradients(
    model: HNN, inputs: Tensor, reference: Tensor, target: Tensor | None, *, n_steps: int, progress: Progress | None
) -> tuple[list[np.ndarray], np.ndarray]:
    baseline = reference.mean(dim=0, keepdim=True).expand_as(inputs)
    with torch.no_grad():
        full = _pick(model(inputs), target)
        baseline_hidden = model.hidden(baseline)
        hidden = model.hidden(inputs)
    scores, gaps = [], []
    n_orders = len(model.activations) + 1
    for order in range(n_orders):
        if order == 0:
            attr = IntegratedGradients(model).attribute(
                inputs, baseline, target=target, n_steps=n_steps, internal_batch_size=_IG_BATCH
            )
            per_simplex = attr
        else:
            explainer = LayerIntegratedGradients(model, model.activations[order - 1])
            attr = explainer.attribute(inputs, baseline, target=target, n_steps=n_steps, internal_batch_size=_IG_BATCH)
            per_simplex = attr.sum(-1)  # (rows, n_k): channels summed
        with torch.no_grad():
            patched = model.output(model.propagate([*hidden[:order], baseline_hidden[order]]))
            expected = full - _pick(patched, target)
        scores.append(_numpy(per_simplex))
        gaps.append(_numpy(per_simplex.sum(1) - expected))
        if progress is not None:
            progress(order + 1, n_orders)
    return scores, np.stack(gaps, axis=1)


def _ablation(
    model: HNN, inputs: Tensor, reference: Tensor, target: Tensor | None, *, progress: Progress | None, **_: Any
) -> tuple[list[np.ndarray], None]:
    with torch.no_grad():
        hidden = model.hidden(inputs)
        means = [h.mean(dim=0) for h in model.hidden(reference)]
        full = _pick(model.output(hidden), target)
        total = sum(h.shape[1] for h in hidden)
        done, scores = 0, []
        for order, h in enumerate(hidden):
            order_scores = torch.empty(len(inputs), h.shape[1], device=inputs.device)
            for unit in range(h.shape[1]):
                ablated = h.clone()
                ablated[:, unit] = means[order][unit]
                order_scores[:, unit] = full - _pick(model.output(model.propagate([*hidden[:order], ablated])), target)
                done += 1
                if progress is not None:
                    progress(done, total)
            scores.append(_numpy(order_scores))
    return scores, None


def _numpy(values: Tensor) -> np.ndarray:
    """Scores as float64 numpy on the CPU, wherever they were computed."""
    return values.detach().cpu().numpy().astype(np.float64)


def order_split(run: Run, X: np.ndarray) -> np.ndarray:
    """Exact split of each prediction into a constant and each order's readout contribution.

    Readouts and head are linear, so ``f(x) = bias + sum_k c_k(x)``. Returns ``(n_rows, 1 + n_orders)``, the
    constant first, in the target's units (regression) or logits of each row's predicted class; each row sums
    to the prediction.
    """
    model = run.model
    inputs = run.inputs(X, name="X", owner="explain")
    with torch.no_grad():
        parts = model.readout_parts(model.hidden(inputs))  # each (rows, readout_width)
        weight = model.head.weight  # (n_outputs, n_orders * readout_width)
        out = model(inputs)
        rows = torch.zeros(len(inputs), dtype=torch.long) if run.task == "regression" else out.argmax(1)
        width = parts[0].shape[1]
        contributions = [
            (part * weight[rows, k * width : (k + 1) * width]).sum(1) for k, part in enumerate(parts)
        ]  # fmt: skip
        bias = model.head.bias[rows]
    split = torch.stack([bias, *contributions], dim=1).numpy().astype(np.float64)
    scale, offset = _output_units(run)
    split *= scale
    split[:, 0] += offset
    return split
