"""Look inside one simplex: what its unit computes, and what the model predicts, over the simplex's own features.

Every hidden unit of an HNN reads a known, small group of features, so its response can be drawn in full.
:func:`inspect_simplex` evaluates the trained model on a regular grid over the simplex's features, the other
features held at a reference (the training mean or a chosen row), and returns two surfaces:

*unit*
    the unit's direct contribution to the output: its channels through its order's linear readout and the
    linear head, without bias. Readout and head are linear, so this term is exact; it leaves out what the
    unit passes on through the units of higher order that read it.
*prediction*
    the model's prediction on the same grid (original units for regression, the probability of the
    explained class for classification).

:func:`read_shape` then names the shape of a surface where it is clear (additive, product-like, max-like,
min-like, threshold, flat), from the surface itself: the share of its variance that a sum of one-feature
functions leaves unexplained, and how well fixed templates fit that interaction. The rule is in the Notes of
:func:`read_shape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .._validation import check_int, check_rows, check_seed
from ..exceptions import InputValidationError
from ..model import HNN, Run, to_prediction
from ._shapes import _MIN_RESOLUTION, ShapeReading, read_shape

__all__ = ["SimplexResponse", "inspect_simplex"]


#: Default grid points per feature, by simplex order: a panel of a bundled set is computed in well under 1 s.
_RESOLUTION = {1: 41, 2: 17, 3: 9}


_MAX_GRID_POINTS = 4096  # orders above tetrahedra: the largest resolution within this many grid points


_MAX_POINTS = 250_000  # grid points allowed at any resolution


_PERCENTILES = (2.0, 98.0)  # grid range per feature, over the rows of X


_SPREAD_SDS = 2.0  # without rows: the training mean +- this many standard deviations


_LOGIT_SCALE = 4.0  # the scale of a logit surface: the logistic's steepest slope is 1/4


@dataclass(frozen=True)
class SimplexResponse:
    """A simplex's unit and the model's prediction on a grid over the simplex's features.

    Attributes
    ----------
    features : tuple of str
        The simplex's features, in the order asked for (the grid's axes).
    order : int
        The simplex's order (1 for an edge), ``len(features) - 1``.
    axes : tuple of ndarray
        Grid values of each feature, in raw (original) units.
    unit : ndarray of shape (len(axes[0]), ..., len(axes[order]))
        The unit's direct contribution to the output (target units for regression, the logit of the explained
        class for classification).
    prediction : ndarray, same shape as ``unit``
        The model's prediction (original units) or the probability of the explained class.
    reference : ndarray of shape (n_features,)
        Raw values of every feature; the features off the simplex are held at these.
    reference_label : str
        ``"training mean"``, ``"row N"`` (row ``N`` of ``X``) or ``"chosen row"``.
    rows : ndarray of shape (n_rows, order + 1)
        Raw values of the simplex's features for the rows drawn on top (none without ``X``).
    unit_reading, prediction_reading : ShapeReading
    target : str or None
        The explained class (classification), as text.
    unit_label, prediction_label : str
        What the two surfaces measure, for colour bars (plain text, not escaped).
    """

    features: tuple[str, ...]
    order: int
    axes: tuple[np.ndarray, ...]
    unit: np.ndarray
    prediction: np.ndarray
    reference: np.ndarray
    reference_label: str
    rows: np.ndarray
    unit_reading: ShapeReading
    prediction_reading: ShapeReading
    target: str | None
    unit_label: str = "contribution of the unit"
    prediction_label: str = "prediction"


def inspect_simplex(
    run: Run,
    features: Sequence[str],
    *,
    X: np.ndarray | None = None,
    reference: str | int | np.ndarray = "mean",
    resolution: int | None = None,
    target: Any = None,
    max_rows: int = 1000,
    seed: int | np.random.Generator | None = 0,
) -> SimplexResponse:
    """The response of one simplex's unit, and of the model's prediction, over the simplex's own features.

    Parameters
    ----------
    run : Run
        A trained HNN run.
    features : sequence of str
        The simplex's feature names, in any order (it sets the grid's axes). They must form a simplex of the
        run's complex, of order 1 up to the model's highest order.
    X : ndarray of shape (n_rows, n_features), optional
        Raw rows (e.g. the training rows): they set the grid's range, from the 2nd to the 98th percentile of
        each feature, and are drawn on top. Without them the range is the training mean +- 2 standard
        deviations, and no rows are drawn.
    reference : "mean", int or ndarray, default "mean"
        The values of the other features: the training mean, row ``reference`` of ``X``, or a raw row.
    resolution : int, optional
        Grid points per feature, at least 3; by default 41 for an edge, 17 for a triangle, 9 for a
        tetrahedron, and at most 4096 grid points in all above.
    target : class label, optional
        Classification: the class explained (a label of ``run.classes`` or its text); by default the class
        the model predicts at the reference.
    max_rows : int, default 1000
        At most this many rows of ``X`` are drawn on top, a random sample of them.
    seed : int, numpy.random.Generator or None, default 0
        Seed of that sample: an int seeds a new generator, a ``Generator`` is used (and advanced) as it is,
        ``None`` draws fresh entropy. The global random state is never touched.

    Returns
    -------
    SimplexResponse
        Both surfaces and their readings by :func:`read_shape`. The scale that decides "flat" is the
        target's standard deviation on the training rows (regression), 1 for a probability and 4 for a
        logit (the logistic's steepest slope is 1/4).

    Raises
    ------
    InputValidationError
        For an MLP run, features that are unknown, repeated, fewer than 2, above the model's highest order or
        not a simplex of the complex, rows of the wrong width or not finite, a bad reference, resolution,
        class, ``max_rows`` or seed.

    Examples
    --------
    >>> from hnnviz.specs import ModelSpec
    >>> from hnnviz.model import train_run
    >>> from hnnviz.data import make_planted
    >>> from hnnviz.specs import TrainConfig
    >>> data = make_planted(n_rows=200, n_features=6, interactions=(2,), seed=0).dataset
    >>> run = train_run(data, ModelSpec(channels=2), config=TrainConfig(defaults="mlp", epochs=2))
    >>> response = inspect_simplex(run, ["x02", "x01"], X=data.X)
    >>> response.order, response.unit.shape, response.rows.shape, response.reference_label
    (1, (41, 41), (200, 2), 'training mean')
    >>> from hnnviz.explanation import SHAPE_LABELS
    >>> response.unit_reading.label in SHAPE_LABELS
    True
    """
    owner = "inspect_simplex"
    model = run.model
    if not isinstance(model, HNN):
        raise InputValidationError("Only an HNN can be inspected by simplex; this run holds a dense MLP.")
    columns, order, index = _locate(run, model, features, owner)
    rows_X = None if X is None else check_rows(X, len(run.feature_names), name="X", owner=owner, min_rows=1)
    reference_row, reference_label = _reference(run, reference, rows_X, owner)
    resolution = _resolution(resolution, order, owner)
    axes = tuple(_axis(run, column, rows_X, resolution) for column in columns)
    grid = np.tile(reference_row, (resolution ** len(columns), 1))
    grid[:, columns] = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(columns))
    model.eval()
    with torch.no_grad():
        hidden = model.hidden(run.inputs(grid, owner=owner))
        out = model.output(hidden)
        output, target_label = _target(run, model, reference_row, target)
        unit = _unit_contribution(model, hidden[order], order, index, output)
    prediction = to_prediction(out, run.task, run.result.y_scaler)
    shape = (resolution,) * len(columns)
    names = tuple(run.feature_names[c] for c in columns)
    if run.task == "regression":
        scale = float(run.result.y_scaler.scale[0])
        unit, unit_scale = unit * scale, scale
        labels = (f"contribution to {run.target}", f"predicted {run.target}")
    else:
        prediction, unit_scale, scale = prediction[:, output], _LOGIT_SCALE, 1.0
        labels = (f"contribution to the logit of class {target_label}", f"probability of class {target_label}")
    unit, prediction = unit.reshape(shape), prediction.reshape(shape)
    overlay = np.empty((0, len(columns))) if rows_X is None else _sample(rows_X, max_rows, seed, owner)[:, columns]
    return SimplexResponse(
        features=names,
        order=order,
        axes=axes,
        unit=unit,
        prediction=prediction,
        reference=reference_row,
        reference_label=reference_label,
        rows=overlay,
        unit_reading=read_shape(unit, scale=unit_scale, names=names),
        prediction_reading=read_shape(prediction, scale=scale, names=names),
        target=target_label,
        unit_label=labels[0],
        prediction_label=labels[1],
    )


def _locate(run: Run, model: HNN, features: Sequence[str], owner: str) -> tuple[list[int], int, int]:
    """Vertex indices of ``features`` (in their order), the simplex's order and its index in that order."""
    if isinstance(features, str) or not isinstance(features, Sequence):
        raise InputValidationError(
            f"The 'features' parameter of {owner} must be a sequence of feature names. Got {features!r} instead."
        )
    index = {name: i for i, name in enumerate(run.feature_names)}
    unknown = [f for f in features if f not in index]
    if unknown:
        raise InputValidationError(
            f"The 'features' parameter of {owner} must name features of the run. Got unknown {unknown!r} instead."
        )
    top = len(model.orders) - 1
    if len(set(features)) != len(features) or not 2 <= len(features) <= top + 1:
        raise InputValidationError(
            f"The 'features' parameter of {owner} must hold 2 to {top + 1} distinct features (this model's orders "
            f"1 to {top}). Got {list(features)!r} instead."
        )
    columns = [index[f] for f in features]
    order = len(columns) - 1
    found = np.flatnonzero((run.network.complex.simplices[order] == sorted(columns)).all(axis=1))
    if not len(found):
        raise InputValidationError(
            f"The 'features' parameter of {owner} must form a simplex of the run's complex. "
            f"Got {list(features)!r}, which is not one, instead."
        )
    return columns, order, int(found[0])


def _reference(run: Run, reference: Any, rows: np.ndarray | None, owner: str) -> tuple[np.ndarray, str]:
    """The raw reference row and its label."""
    if isinstance(reference, str) and reference == "mean":
        return np.array(run.x_scaler.mean, dtype=np.float64), "training mean"
    if isinstance(reference, int | np.integer) and not isinstance(reference, bool):
        if rows is None:
            raise InputValidationError(
                f"The 'reference' parameter of {owner} must be 'mean' or a raw row when no X is given. "
                f"Got row {reference} instead."
            )
        i = check_int(reference, name="reference", owner=owner, low=0, high=len(rows) - 1)
        return rows[i].copy(), f"row {i}"
    if isinstance(reference, np.ndarray | list | tuple):
        return check_rows(np.atleast_2d(reference), len(run.feature_names), name="reference", owner=owner, min_rows=1)[
            0
        ].copy(), "chosen row"
    raise InputValidationError(
        f"The 'reference' parameter of {owner} must be 'mean', a row number of X or a raw row. "
        f"Got {reference!r} instead."
    )


def _resolution(resolution: int | None, order: int, owner: str) -> int:
    if resolution is None:
        d = order + 1
        return _RESOLUTION.get(order, max(_MIN_RESOLUTION, int(_MAX_GRID_POINTS ** (1 / d) + 1e-9)))
    high = int(_MAX_POINTS ** (1 / (order + 1)) + 1e-9)
    return check_int(resolution, name="resolution", owner=owner, low=_MIN_RESOLUTION, high=high)


def _axis(run: Run, column: int, rows: np.ndarray | None, resolution: int) -> np.ndarray:
    """Grid values of one feature: its 2nd to 98th percentile over ``rows``, else the mean +- 2 sd."""
    mean, sd = float(run.x_scaler.mean[column]), float(run.x_scaler.scale[column])
    low, high = mean - _SPREAD_SDS * sd, mean + _SPREAD_SDS * sd
    if rows is not None:
        lo, hi = np.percentile(rows[:, column], _PERCENTILES)
        if hi > lo:  # a feature (almost) constant over the rows keeps the mean +- 2 sd
            low, high = float(lo), float(hi)
    return np.linspace(low, high, resolution)


def _target(run: Run, model: HNN, reference: np.ndarray, target: Any) -> tuple[int, str | None]:
    """The model output explained, and the class's text (None for regression)."""
    if run.task == "regression":
        if target is not None:
            raise InputValidationError(
                f"The 'target' parameter of inspect_simplex must be None for a regression run. Got {target!r} instead."
            )
        return 0, None
    classes = list(run.classes)
    if target is None:
        inputs = run.inputs(reference[None], name="reference", owner="inspect_simplex")
        output = int(model(inputs).argmax(dim=1)[0])
    elif target in classes:
        output = classes.index(target)
    elif str(target) in [str(c) for c in classes]:
        output = [str(c) for c in classes].index(str(target))
    else:
        raise InputValidationError(
            f"The 'target' parameter of inspect_simplex must be a class of the run, one of {classes!r}. "
            f"Got {target!r} instead."
        )
    return output, str(classes[output])


def _unit_contribution(model: HNN, hidden: torch.Tensor, order: int, index: int, output: int) -> np.ndarray:
    """Unit ``index`` of ``order`` through its slice of the order's readout and the head: ``(rows,)``, no bias.

    ``hidden`` is the order's activations ``(rows, n_k, channels)``. The readout reads them flattened unit by
    unit, so the unit owns columns ``index * channels`` to ``(index + 1) * channels``.
    """
    channels = hidden.shape[2]
    readout = model.readouts[order].weight[:, index * channels : (index + 1) * channels]  # (width, channels)
    width = readout.shape[0]
    head = model.head.weight[output, order * width : (order + 1) * width]  # (width,)
    return (hidden[:, index, :] @ (readout.T @ head)).numpy().astype(np.float64)


def _sample(rows: np.ndarray, max_rows: int, seed: Any, owner: str) -> np.ndarray:
    """At most ``max_rows`` of ``rows``, a seeded random sample kept in table order."""
    max_rows = check_int(max_rows, name="max_rows", owner=owner, low=1)
    rng = check_seed(seed, owner=owner)
    if len(rows) <= max_rows:
        return rows
    return rows[np.sort(rng.choice(len(rows), size=max_rows, replace=False))]
