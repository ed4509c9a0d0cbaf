"""Synthetic tables with planted interacting groups of features (SPEC §7): the ground truth of the lab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import pairwise
from typing import Any

import numpy as np

from .._validation import check_seed
from ..exceptions import InputValidationError
from ..specs import PlantedSpec
from ._dataset import Dataset

__all__ = ['PlantedData', 'make_planted']




Groups = Sequence[Sequence[str]]



_MAX_DISTRACTOR_BLOCK = 4


@dataclass(frozen=True, eq=False)
class PlantedData:
    """A synthetic data set and its ground truth.

    Attributes
    ----------
    dataset : Dataset
        Features ``x01, x02, ...`` (zero padded to a common width) and target ``"y"``.
    groups : tuple of tuple of str
        The planted interacting groups, in the order of the formula's terms ``t1, t2, ...``.
    kinds : tuple of str
        The interaction planted in each group (keys of :data:`INTERACTION_KINDS`).
    blocks : tuple of tuple of str
        Every correlated block: the planted groups first, then the distractor blocks.
    formula : str
        The exact generating formula (see :func:`make_planted`).
    signal : numpy.ndarray
        The noise-free signal ``s`` of each row.
    noise, within_group_correlation : float
    hierarchical : bool
    seed : int or None
        The integer seed, or ``None`` when a ``Generator`` or ``None`` was passed.
    inputs : {"normal", "uniform"}
        The features' marginal distribution.

    Examples
    --------
    >>> data = make_planted(n_rows=200, n_features=10, interactions=(2, 3), seed=1)
    >>> data.groups
    (('x01', 'x02'), ('x03', 'x04', 'x05'))
    >>> data.blocks[2:], data.distractors
    ((('x06', 'x07', 'x08'), ('x09', 'x10')), ('x06', 'x07', 'x08', 'x09', 'x10'))
    """

    dataset: Dataset
    groups: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...]
    blocks: tuple[tuple[str, ...], ...]
    formula: str
    signal: np.ndarray = field(repr=False)
    noise: float
    within_group_correlation: float
    hierarchical: bool
    seed: int | None
    inputs: str = "normal"

    @property
    def distractors(self) -> tuple[str, ...]:
        """The features in no planted group (they do not enter the target)."""
        planted = {name for group in self.groups for name in group}
        return tuple(name for name in self.dataset.feature_names if name not in planted)

    def to_dict(self) -> dict[str, Any]:
        """The ground truth and the generating parameters, JSON-ready."""
        return {
            "groups": [list(g) for g in self.groups],
            "kinds": list(self.kinds),
            "blocks": [list(b) for b in self.blocks],
            "formula": self.formula,
            "task": self.dataset.task,
            "n_rows": self.dataset.n_rows,
            "n_features": self.dataset.n_features,
            "noise": self.noise,
            "within_group_correlation": self.within_group_correlation,
            "hierarchical": self.hierarchical,
            "seed": self.seed,
            "inputs": self.inputs,
        }


def make_planted(
    planted: PlantedSpec | None = None, /, *, seed: int | np.random.Generator | None = 0, **changes: Any
) -> PlantedData:
    """Draw features in correlated blocks and a target that depends on planted interacting groups.

    Parameters
    ----------
    planted : PlantedSpec, optional
        What to draw (default ``PlantedSpec()``: 3000 rows, 24 features, groups of 2, 3 and 4).
    **changes
        :class:`~hnnviz.specs.PlantedSpec` fields to set instead, e.g. ``n_rows=500``.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the random draws: an int seeds a new generator, a ``Generator`` is used (and advanced) as
        it is, ``None`` draws fresh entropy. The global random state is never touched.

    Returns
    -------
    PlantedData

    Raises
    ------
    InputValidationError
        If an argument is out of range or the groups do not fit in ``n_features``.

    Notes
    -----
    **Features.** The columns are cut into blocks: first one block per entry of ``interactions`` (the planted
    groups, in order), then the ``r`` remaining features in ``ceil(r / 4)`` distractor blocks of nearly equal
    size, larger first (sizes 3-4 whenever ``r >= 6`` or ``r`` is 3 or 4). In block ``b`` each feature is
    ``x = sqrt(rho) * f_b + sqrt(1 - rho) * e_x`` with ``f_b, e_x ~ N(0, 1)`` independent, so features are
    standard normal, correlated ``rho`` within a block and independent across blocks; with ``rho = 0`` every
    feature is independent of every other. With ``inputs="uniform"`` each feature is then mapped to
    ``2 * Phi(x) - 1`` (``Phi`` the standard normal distribution function): U(-1, 1), blocks still dependent
    (rank correlation ``(6 / pi) * asin(rho / 2)``), and the same random draws.

    **Target.** Planted group ``j`` (features ``a, b, ...``) contributes the term ``t_j`` of its kind (see
    :data:`INTERACTION_KINDS`; ``[...]`` is 1 when true, else 0). By default the size chooses the kind:

    ========  ==================  ===========================================  ================================
    size      default kind        ``t_j``                                      why
    ========  ==================  ===========================================  ================================
    2         ``"product"``       ``a*b``                                      the simplest interaction
    3         ``"sine"``          ``sin(a + b + c)``                           smooth, periodic, of all three
    >= 4      ``"tanh-product"``  ``2*tanh(a*b*c*...)``                        bounded, involves every feature
    ========  ==================  ===========================================  ================================

    ``"max"`` gives ``max(a, b, ...)`` and ``"threshold"`` gives ``2*[a + b + ... > 0] - 1``. Four kinds take
    the shapes of the ten functions of Tsang et al. (NID, 2018): ``"abs-product"`` ``|a*b*...|``, ``"power"``
    ``2^(a + b + ...)``, ``"cosine"`` ``cos(a + b + ...)`` and ``"inverse"`` ``1/(1 + a² + b² + ...)``.

    Without hierarchy the signal is ``s = t_1 + ... + t_m``. With ``hierarchical=True`` and at least two
    groups it is ``s = t_1 + ... + t_m + tanh(t_1 * t_2)``: a sparse composition of the group terms, where
    the first two terms also interact through a bounded product (with one group the option has no effect).
    That product is an interaction between groups 1 and 2 which an HNN can only carry on simplices that
    bridge them, and those count as misses in :func:`precision_at_k`.
    Regression: ``y = s + noise * sd(s) * e``, ``e ~ N(0, 1)``, where ``sd(s)`` is the standard deviation of
    ``s`` over the generated rows. Classification: that ``y`` is cut at its median, class 1 above it and
    class 0 otherwise, so the classes are balanced (class 0 has one row more when ``n_rows`` is odd).
    :attr:`PlantedData.formula` spells the formula out with the feature names and the value of ``sd(s)``.

    **Draw order.** For each block its factor, then each feature's noise (one column at a time); then ``e``.
    With ``seed=0``, ``n_rows=3000``, ``n_features=24`` and ``interactions=(2, 3, 4)`` the features are those
    of the bundled ``sample_data/planted_interactions.csv`` (before its rounding to 6 decimals), and with
    ``hierarchical=False`` so is the signal.

    Examples
    --------
    >>> data = make_planted(n_rows=500, n_features=12, interactions=(2, 4), noise=0.1, seed=3)
    >>> data.dataset.summary()
    "planted: 500 rows x 12 features; target 'y' (regression); nothing dropped"
    >>> print(data.formula.replace("; ", "\\n"))  # doctest: +ELLIPSIS
    t1 = x01*x02
    t2 = 2*tanh(x03*x04*x05*x06)
    s = t1 + t2 + tanh(t1*t2)
    y = s + 0.1*sd(s)*e, e ~ N(0, 1), sd(s) = ...
    >>> data = make_planted(n_rows=101, n_features=8, interactions=(2,), task="classification", seed=0)
    >>> np.bincount(data.dataset.y).tolist(), data.dataset.classes
    ([51, 50], (0, 1))
    """
    owner = "make_planted"
    planted = _planted_spec(planted, changes, owner)
    rng = check_seed(seed, owner=owner)
    n_rows, n_features, sizes, kinds = planted.n_rows, planted.n_features, planted.interactions, planted.group_kinds
    task, noise, rho, hierarchical = planted.task, planted.noise, planted.within_group_correlation, planted.hierarchical

    width = max(2, len(str(n_features)))
    names = tuple(f"x{i:0{width}d}" for i in range(1, n_features + 1))
    block_sizes = sizes + _distractor_sizes(n_features - sum(sizes))
    X = _draw_blocks(rng, n_rows, block_sizes, rho)
    if planted.inputs == "uniform":
        from scipy import special  # here: its import costs the data stage's other users time

        X = 2 * special.ndtr(X) - 1
    blocks = _cut(names, block_sizes)
    groups = blocks[: len(sizes)]
    lines, signal = _compose(groups, kinds, X, names, hierarchical)
    spread = float(signal.std())
    y = signal + noise * spread * rng.standard_normal(n_rows)
    lines.append(f"y = s + {noise:g}*sd(s)*e, e ~ N(0, 1), sd(s) = {spread:.4g}" if noise > 0 else "y = s")
    if task == "classification":
        y = (y > np.median(y)).astype(np.int64)
        lines.append("class = 1 if y > median(y) else 0")
    dataset = Dataset(
        X=X, feature_names=names, y=y, target="y", task=task, classes=(0, 1) if task == "classification" else None,
        name="planted",
    )  # fmt: skip
    return PlantedData(
        dataset=dataset,
        groups=groups,
        kinds=kinds,
        blocks=blocks,
        formula="; ".join(lines),
        signal=signal,
        noise=noise,
        within_group_correlation=rho,
        hierarchical=hierarchical,
        seed=None if seed is None or isinstance(seed, np.random.Generator) else int(seed),
        inputs=planted.inputs,
    )


def _distractor_sizes(r: int) -> tuple[int, ...]:
    """``r`` features in ``ceil(r / 4)`` blocks of nearly equal size, larger first."""
    n_blocks = -(-r // _MAX_DISTRACTOR_BLOCK)
    return tuple(r // n_blocks + (i < r % n_blocks) for i in range(n_blocks))


def _cut(names: tuple[str, ...], sizes: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
    edges = np.cumsum((0, *sizes))
    return tuple(names[a:b] for a, b in pairwise(edges.tolist()))


def _draw_blocks(rng: np.random.Generator, n_rows: int, sizes: tuple[int, ...], rho: float) -> np.ndarray:
    """Standard normal columns, correlated ``rho`` within each block; per block the factor, then each column."""
    columns = []
    for size in sizes:
        factor = np.sqrt(rho) * rng.standard_normal(n_rows)
        columns.extend(factor + np.sqrt(1 - rho) * rng.standard_normal(n_rows) for _ in range(size))
    return np.column_stack(columns)


def _group_term(group: tuple[str, ...], kind: str, values: np.ndarray) -> tuple[str, np.ndarray]:
    """The term of one planted group: its formula text and its value per row. ``values``: (n_rows, size)."""
    if kind == "product":
        return "*".join(group), values.prod(axis=1)
    if kind == "sine":
        return f"sin({' + '.join(group)})", np.sin(values.sum(axis=1))
    if kind == "tanh-product":
        return f"2*tanh({'*'.join(group)})", 2 * np.tanh(values.prod(axis=1))
    if kind == "max":
        return f"max({', '.join(group)})", values.max(axis=1)
    if kind == "abs-product":
        return f"|{'*'.join(group)}|", np.abs(values.prod(axis=1))
    if kind == "power":
        return f"2^({' + '.join(group)})", 2.0 ** values.sum(axis=1)
    if kind == "cosine":
        return f"cos({' + '.join(group)})", np.cos(values.sum(axis=1))
    if kind == "inverse":
        return f"1/(1 + {' + '.join(f'{g}²' for g in group)})", 1 / (1 + (values**2).sum(axis=1))
    return f"2*[{' + '.join(group)} > 0] - 1", 2.0 * (values.sum(axis=1) > 0) - 1


def _compose(
    groups: tuple[tuple[str, ...], ...],
    kinds: tuple[str, ...],
    X: np.ndarray,
    names: tuple[str, ...],
    hierarchical: bool,
) -> tuple[list[str], np.ndarray]:
    """Formula lines ``t_j = ...`` and ``s = ...``, and the signal ``s``."""
    column = {name: i for i, name in enumerate(names)}
    lines, terms = [], []
    for j, (group, kind) in enumerate(zip(groups, kinds, strict=True), start=1):
        text, value = _group_term(group, kind, X[:, [column[g] for g in group]])
        lines.append(f"t{j} = {text}")
        terms.append(value)
    parts = [f"t{j}" for j in range(1, len(groups) + 1)]
    signal = np.sum(terms, axis=0)
    if hierarchical and len(terms) >= 2:
        parts.append("tanh(t1*t2)")
        signal = signal + np.tanh(terms[0] * terms[1])
    lines.append(f"s = {' + '.join(parts)}")
    return lines, signal


def _planted_spec(planted: Any, changes: dict[str, Any], owner: str) -> PlantedSpec:
    """``planted`` (default ``PlantedSpec()``) with ``changes`` applied, checked."""
    if planted is not None and not isinstance(planted, PlantedSpec):
        raise InputValidationError(
            f"The 'planted' parameter of {owner} must be a PlantedSpec or None. Got {type(planted).__name__} instead."
        )
    unknown = sorted(set(changes) - {f.name for f in fields(PlantedSpec)})
    if unknown:
        raise InputValidationError(f"{owner} got {unknown}, which are not PlantedSpec fields.")
    return replace(planted or PlantedSpec(), **changes)
