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

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ._validation import check_int, check_seed
from .exceptions import InputValidationError
from .model import HNN
from .runs import Run
from .train import to_prediction

__all__ = ["SHAPE_LABELS", "ShapeReading", "SimplexResponse", "inspect_simplex", "read_shape"]

#: Every label :func:`read_shape` gives.
SHAPE_LABELS: tuple[str, ...] = (
    "additive", "product-like", "max-like", "min-like", "threshold", "flat", "no clear shape",
)  # fmt: skip

#: Default grid points per feature, by simplex order: a panel of a bundled set is computed in well under 1 s.
_RESOLUTION = {1: 41, 2: 17, 3: 9}
_MAX_GRID_POINTS = 4096  # orders above tetrahedra: the largest resolution within this many grid points
_MIN_RESOLUTION = 3
_MAX_POINTS = 250_000  # grid points allowed at any resolution
_PERCENTILES = (2.0, 98.0)  # grid range per feature, over the rows of X
_SPREAD_SDS = 2.0  # without rows: the training mean +- this many standard deviations

_FLAT = 0.05  # a surface is flat when its range is under this share of the output's scale
_ADDITIVE = 0.1  # additive when an additive fit leaves under this share of the variance
_FIT_BAR = 0.8  # a template names the shape when it explains at least this share of the interaction ...
_MARGIN = 2.0  # ... and the runner-up family leaves at least this many times its unexplained share
_LOGIT_SCALE = 4.0  # the scale of a logit surface: the logistic's steepest slope is 1/4

#: Template families and the label each gives. Max and min templates only count with a positive coefficient.
_FAMILIES = {"product": "product-like", "max": "max-like", "min": "min-like", "threshold": "threshold"}
_WITH_PLANE = ("max", "min")  # families fitted with a plane to the whole surface, not to the interaction
_STEP_OFFSETS = np.linspace(0.3, 0.7, 5)  # step positions: quantiles of the direction over the grid
_STEP_WIDTHS = (0.0, 0.1, 0.25)  # a hard step, then logistic steps this wide (in sd of the direction)
_STEP_RANGE = {2: 3, 3: 2, 4: 1}  # step directions: integer weights up to this size; above: 0/1 weights only


@dataclass(frozen=True)
class ShapeReading:
    """The shape of a response surface, computed from the surface (see :func:`read_shape`).

    Attributes
    ----------
    label : str
        One of :data:`SHAPE_LABELS`.
    interaction_share : float
        Share of the surface's variance over the grid that the best additive fit (a sum of one-feature
        functions) leaves unexplained, in ``[0, 1]``.
    fits : dict of str to float
        R² of the best template of each family (``"product"``, ``"max"``, ``"min"``, ``"threshold"``) on the
        interaction, the surface minus its additive fit.
    text : str
        One plain sentence with the numbers, for a teacher.
    """

    label: str
    interaction_share: float
    fits: dict[str, float]
    text: str


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


# --------------------------------------------------------------------------------------------------------
# The response of a simplex
# --------------------------------------------------------------------------------------------------------


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
    >>> from hnnviz.runs import ModelSpec, train_run
    >>> from hnnviz.synthetic import make_planted
    >>> from hnnviz.train import TrainConfig
    >>> data = make_planted(200, 6, (2,), seed=0).dataset
    >>> run = train_run(data, ModelSpec(channels=2), config=TrainConfig(epochs=2))
    >>> response = inspect_simplex(run, ["x02", "x01"], X=data.X)
    >>> response.order, response.unit.shape, response.rows.shape, response.reference_label
    (1, (41, 41), (200, 2), 'training mean')
    >>> response.unit_reading.label in SHAPE_LABELS
    True
    """
    owner = "inspect_simplex"
    model = run.model
    if not isinstance(model, HNN):
        raise InputValidationError("Only an HNN can be inspected by simplex; this run holds a dense MLP.")
    columns, order, index = _locate(run, model, features, owner)
    rows_X = None if X is None else _raw_rows(run, X, "X", owner)
    reference_row, reference_label = _reference(run, reference, rows_X, owner)
    resolution = _resolution(resolution, order, owner)
    axes = tuple(_axis(run, column, rows_X, resolution) for column in columns)
    grid = np.tile(reference_row, (resolution ** len(columns), 1))
    grid[:, columns] = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(columns))
    model.eval()
    with torch.no_grad():
        hidden = model.hidden(torch.as_tensor(run.x_scaler.transform(grid), dtype=torch.float32))
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


def _raw_rows(run: Run, X: Any, name: str, owner: str) -> np.ndarray:
    try:
        rows = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputValidationError(
            f"The '{name}' parameter of {owner} must be an array of numbers. Got {type(X).__name__} instead."
        ) from err
    p = len(run.feature_names)
    if rows.ndim != 2 or rows.shape[1] != p or not len(rows):
        raise InputValidationError(
            f"The '{name}' parameter of {owner} must be rows of {p} features. Got shape {rows.shape} instead."
        )
    if not np.isfinite(rows).all():
        raise InputValidationError(f"The '{name}' parameter of {owner} must be finite. Got NaN or inf instead.")
    return rows


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
        return _raw_rows(run, np.atleast_2d(reference), "reference", owner)[0].copy(), "chosen row"
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
        inputs = torch.as_tensor(run.x_scaler.transform(reference[None]), dtype=torch.float32)
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


# --------------------------------------------------------------------------------------------------------
# Reading the shape of a surface
# --------------------------------------------------------------------------------------------------------


def read_shape(surface: np.ndarray, *, scale: float, names: Sequence[str] | None = None) -> ShapeReading:
    """Name the shape of a surface on a regular grid, from the surface itself.

    Parameters
    ----------
    surface : ndarray with one axis per feature (at least 2, each at least 3 points)
        Values on a grid of equally spaced points along each axis.
    scale : float
        The output's scale (> 0): a surface whose range is under 5 % of it is flat.
    names : sequence of str, optional
        A name per axis, for the text (default ``"axis 1"``, ``"axis 2"``, ...).

    Returns
    -------
    ShapeReading

    Raises
    ------
    InputValidationError
        For a surface of fewer than 2 axes, an axis of fewer than 3 points, values that are not finite, a
        scale that is not positive, or names that do not match the axes.

    Notes
    -----
    Each axis is standardised (so the rule does not depend on units). The surface ``f`` is split on the full
    grid into its mean, main effects (the mean of ``f`` over all other axes, one function per axis) and the
    rest, the *interaction*; ``interaction_share`` is the interaction's share of the variance of ``f``. Then:

    1. **flat** if the range of ``f`` is under 5 % of ``scale``;
    2. **additive** if ``interaction_share < 0.1``;
    3. otherwise templates of four families are fitted by least squares, over each set of at least 2 axes
       ``a, b, ...``:

       - *product* ``a*b*...`` (product-like) and *threshold* (a step along a direction of at least 2 axes,
         hard or logistic 0.1 or 0.25 standard deviations of the direction wide, placed at the 30th to 70th
         percentile of the direction over the grid; integer weights up to 3 for 2 axes, 2 for 3, 1 for 4,
         0 or 1 above): the template's interaction part, with any coefficient, fitted to the interaction;
         R² is a share of the interaction (a product's centre may move: ``(a - s)(b - t)`` differs from
         ``a*b`` by main effects only);
       - *max* ``max(a, b, ...)`` and *min* ``min(a, b, ...)`` (max-like, min-like): the template with a
         positive coefficient plus a plane, fitted to the whole surface; R² is a share of what the best
         plane leaves of the surface.
         ``max(a, b) = (a + b) / 2 + |a - b| / 2`` is a plane plus a V whose main effects belong to it;
         with free main effects a V would fit a product's interaction almost as well (R² 0.9).

       ``fits`` holds each family's best R². The best family names the shape when its R² is at least 0.8
       and the runner-up leaves at least twice as much unexplained (``1 - R²``);
    4. otherwise **no clear shape**.

    Templates are in standardised units: a max of two features of very different spread reads as a max
    only if their grid ranges match it.

    Examples
    --------
    >>> a, b = np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-1, 3, 21), indexing="ij")
    >>> reading = read_shape(a * b, scale=1.0, names=["a", "b"])
    >>> reading.label, round(reading.interaction_share, 2), round(reading.fits["product"], 2)
    ('product-like', 0.59, 1.0)
    >>> reading.text
    'Product-like: 59% of its variance is interaction, and a product of a and b explains 100% of it.'
    >>> read_shape(np.maximum(a, b - 1), scale=1.0).label, read_shape(a + b**2, scale=1.0).label
    ('max-like', 'additive')
    >>> read_shape(0.001 * a * b, scale=1.0).text
    'Flat: its range, 0.012, is under 5% of the scale, 1.'
    """
    owner = "read_shape"
    f = np.asarray(surface, dtype=np.float64)
    if f.ndim < 2 or min(f.shape) < _MIN_RESOLUTION or not np.isfinite(f).all():
        raise InputValidationError(
            f"The 'surface' parameter of {owner} must be a finite grid of at least 2 axes of at least "
            f"{_MIN_RESOLUTION} points. Got shape {f.shape} instead."
        )
    if isinstance(scale, bool) or not isinstance(scale, int | float | np.number) or not scale > 0:
        raise InputValidationError(f"The 'scale' parameter of {owner} must be a number > 0. Got {scale!r} instead.")
    names = tuple(f"axis {i + 1}" for i in range(f.ndim)) if names is None else tuple(str(n) for n in names)
    if len(names) != f.ndim:
        raise InputValidationError(
            f"The 'names' parameter of {owner} must name each of the {f.ndim} axes. Got {len(names)} names instead."
        )
    interaction = _interaction(f[None])[0].ravel()
    centred = (f - f.mean()).ravel()
    total = float(centred @ centred)
    share = float(interaction @ interaction) / total if total > 0 else 0.0
    fits = _fits(f, interaction)
    r2 = {family: fits[family, family in _WITH_PLANE][0] for family in _FAMILIES}
    span = float(f.max() - f.min())
    if span < _FLAT * scale:
        return ShapeReading("flat", share, r2, f"Flat: its range, {span:.2g}, is under 5% of the scale, {scale:.3g}.")
    if share < _ADDITIVE:
        text = f"Additive: the features act separately; only {share:.0%} of its variance is interaction."
        return ShapeReading("additive", share, r2, text)
    top = max(r2, key=r2.get)
    template = fits[top, top in _WITH_PLANE][1].describe(names)
    # the rivals: the other families, a product fitted like a max or min when one of those leads
    rivals = [
        fits[family, family in _WITH_PLANE or (family == "product" and top in _WITH_PLANE)][0]
        for family in r2
        if family != top
    ]
    lead = f"{share:.0%} of its variance is interaction"
    if r2[top] >= _FIT_BAR and all(1 - rival >= _MARGIN * (1 - r2[top]) for rival in rivals):
        label = _FAMILIES[top]
        part = "what a plane leaves of the surface" if top in _WITH_PLANE else "it"
        text = f"{label.capitalize()}: {lead}, and {template} explains {r2[top]:.0%} of {part}."
        return ShapeReading(label, share, r2, text)
    text = f"No clear shape: {lead}; the closest template, {template}, explains {r2[top]:.0%}."
    return ShapeReading("no clear shape", share, r2, text)


def _fits(f: np.ndarray, interaction: np.ndarray) -> dict[tuple[str, bool], tuple[float, _Template]]:
    """The best R² of each template family on ``f``, fitted to the interaction or with a plane (the key's flag).

    See :func:`read_shape`; the template that gave each R² comes with it.
    """
    kinds, matrix = _templates(f.shape)
    plane = np.array([k.plane for k in kinds])
    positive = np.isin([k.family for k in kinds], _WITH_PLANE)
    r2 = np.zeros(len(kinds))
    for rows, target in ((~plane, interaction), (plane, _off_plane(f.ravel()[None], f.shape)[0])):
        norm = float(np.sqrt(target @ target))
        if norm > 0:
            cosine = matrix[rows] @ (target / norm)
            r2[rows] = np.where(positive[rows], np.maximum(cosine, 0), cosine) ** 2
    out: dict[tuple[str, bool], tuple[float, _Template]] = {}
    for i, kind in enumerate(kinds):
        key = (kind.family, kind.plane)
        if key not in out or r2[i] > out[key][0]:
            out[key] = (float(r2[i]), kind)
    return out


def _interaction(f: np.ndarray) -> np.ndarray:
    """What is left of each surface ``f[i]`` after its mean and main effects (marginal means) are removed."""
    axes = tuple(range(1, f.ndim))
    mean = f.mean(axis=axes, keepdims=True)
    rest = f - mean
    for axis in axes:
        rest = rest - (f.mean(axis=tuple(a for a in axes if a != axis), keepdims=True) - mean)
    return rest


def _off_plane(f: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """What is left of each flattened surface ``f[i]`` on a grid of ``shape`` after its least-squares plane.

    The standardised axes of a full grid are centred and orthogonal, so the plane is the mean plus one
    projection per axis.
    """
    rest = f - f.mean(axis=1, keepdims=True)
    for z in _standard_axes(shape):
        z = z.ravel()
        rest = rest - np.outer(rest @ z / (z @ z), z)
    return rest


def _standard_axes(shape: tuple[int, ...]) -> list[np.ndarray]:
    """Each axis's standardised position at every grid point (mean 0, sd 1 along the axis)."""
    d = len(shape)
    return [
        np.broadcast_to(
            np.reshape((np.arange(n) - (n - 1) / 2) / np.arange(n).std(), [n if a == i else 1 for a in range(d)]), shape
        )
        for i, n in enumerate(shape)
    ]


@dataclass(frozen=True)
class _Template:
    family: str
    axes: tuple[int, ...]
    plane: bool  # fitted with a plane to the whole surface (else: its interaction part to the interaction)

    def describe(self, names: tuple[str, ...]) -> str:
        """``"a product of a and b"``, ``"the maximum of a, b and c"``, ``"a step in a combination of a and b"``."""
        chosen = [names[a] for a in self.axes]
        listed = ", ".join(chosen[:-1]) + " and " + chosen[-1]
        return {
            "product": f"a product of {listed}",
            "max": f"the maximum of {listed}",
            "min": f"the minimum of {listed}",
            "threshold": f"a step in a combination of {listed}",
        }[self.family]


@functools.lru_cache(maxsize=8)
def _templates(shape: tuple[int, ...]) -> tuple[tuple[_Template, ...], np.ndarray]:
    """Every template on a grid of ``shape``: its kind, and its interaction part, unit length, one row each.

    Depends on the grid's shape only (axes are standardised), so it is computed once per shape.
    """
    z = _standard_axes(shape)
    kinds, surfaces = [], []
    for size in range(2, len(shape) + 1):
        for axes in itertools.combinations(range(len(shape)), size):
            chosen = np.stack([z[a] for a in axes])
            for family, values in (("product", chosen.prod(0)), ("max", chosen.max(0)), ("min", chosen.min(0))):
                for plane in (False, True) if family == "product" else (True,):
                    kinds.append(_Template(family, axes, plane))
                    surfaces.append(values)
    for direction in _directions(len(shape)):
        projection = np.tensordot(direction / np.linalg.norm(direction), np.stack(z), axes=1)
        sd = projection.std()
        for offset in np.quantile(projection, _STEP_OFFSETS):
            for width in _STEP_WIDTHS:
                step = projection > offset if width == 0 else 1 / (1 + np.exp(-(projection - offset) / (width * sd)))
                kinds.append(_Template("threshold", tuple(np.flatnonzero(direction).tolist()), False))
                surfaces.append(step)
    stacked = np.stack(surfaces).astype(np.float64)
    plane = np.array([k.plane for k in kinds])
    parts = _interaction(stacked).reshape(len(surfaces), -1)
    parts[plane] = _off_plane(stacked[plane].reshape(int(plane.sum()), -1), shape)
    norms = np.linalg.norm(parts, axis=1)
    keep = norms > 1e-9 * np.sqrt(parts.shape[1])
    matrix = (parts[keep] / norms[keep, None]).astype(np.float32)
    matrix.flags.writeable = False
    return tuple(k for k, kept in zip(kinds, keep, strict=True) if kept), matrix


def _directions(d: int) -> list[np.ndarray]:
    """Step directions: integer weight vectors with at least 2 non-zero weights, one of each +- pair."""
    weights = range(-_STEP_RANGE[d], _STEP_RANGE[d] + 1) if d in _STEP_RANGE else range(2)
    out = []
    for vector in itertools.product(weights, repeat=d):
        v = np.array(vector)
        nonzero = v[v != 0]
        if len(nonzero) >= 2 and nonzero[0] > 0 and np.gcd.reduce(np.abs(nonzero)) == 1:
            out.append(v.astype(np.float64))
    return out
