"""Read the shape of a surface: flat, additive, or the interaction template that fits it (product, max, min, step)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..exceptions import InputValidationError

__all__ = ['SHAPE_LABELS', 'ShapeReading', 'read_shape']


#: Every label :func:`read_shape` gives.
SHAPE_LABELS: tuple[str, ...] = (
    "additive", "product-like", "max-like", "min-like", "threshold", "flat", "no clear shape",
)  # fmt: skip


_MIN_RESOLUTION = 3  # points per axis, at least
_FLAT = 0.05  # a surface is flat when its range is under this share of the output's scale


_ADDITIVE = 0.1  # additive when an additive fit leaves under this share of the variance


_FIT_BAR = 0.8  # a template names the shape when it explains at least this share of the interaction ...


_MARGIN = 2.0  # ... and the runner-up family leaves at least this many times its unexplained share


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
