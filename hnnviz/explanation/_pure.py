"""Pure effects of an HNN: its terms purified by the functional ANOVA, summed by feature subset (SPEC §9).

An HNN's readouts and head are linear and each unit reads only its simplex's features, so
``f(x) = b + sum_s c_s(x_s)`` with ``c_s`` the unit's direct contribution. That split is not identifiable (a
triangle's function can sit in the tetrahedron above it). The functional ANOVA makes it unique: under a
reference measure ``w`` each term splits into pieces ``F_u`` (``u`` a subset of its features), each with zero
mean along each of its own features, and the pieces of all terms are summed by subset [1]_ [2]_.

The measure is the product of the features' marginals (as EBM uses), each marginal discretised into
``grid_size`` equal-mass quantile points of the training rows (observed values, weight ``1 / grid_size``
each), one grid per feature shared by every term. Under a product measure the pure effects have closed form,
``F_u(x_u) = sum_{v ⊆ u} (-1)^{|u|-|v|} E[c_s | x_v]``, the expectation running over the other features of
``s`` on their grids; so :meth:`PureEffects.contributions` is exact at any row, inside or outside the grids'
range, and the contributions of a row add up to ``f(x) - intercept``. On the grid this is exactly
Lengerich et al.'s purification, and the variances of the pure effects add up to the model's (Sobol).

Choice of measure, measured by ``benchmarks/bench_pure.py`` (``benchmarks/results_pure.md``; default HNN, seeds
0-4, blocks of features correlated 0.64): the product of marginals against the training rows' joint
distribution (Lengerich et al.'s iterative purification with the rows' histogram on the same grid). On
``planted_additive`` (no interaction) the product measure leaves 0.022 of the variance in interactions
(0.020-0.029), the joint one 0.112 (0.091-0.155): its non-orthogonal pieces keep correlated curves in pairs.
On ``planted_interactions`` precision@5 is 1.00 against 0.96. The product measure is also the one with exact
contributions off the grid and variance shares that add up, so it is the measure here.

References
----------
.. [1] Hooker, "Generalized functional ANOVA diagnostics for high-dimensional functions of dependent
   variables", JCGS 16(3), 2007.
.. [2] Lengerich, Tan, Chang, Hooker & Caruana, "Purifying Interaction Effects with the Functional ANOVA: An
   Efficient Algorithm for Recovering Identifiable Additive Models", AISTATS 2020.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .._validation import check_int, check_rows
from ..exceptions import InputValidationError
from ..model import HNN, Run, Scaler

__all__ = ["WEAK_INTERACTIONS", "PureEffect", "PureEffects", "purify"]

#: Default quantile points per feature (the reference measure's support).
GRID_SIZE = 8
#: At most this share of the model's variance in interactions reads as "no strong interaction" (on the bundled
#: planted_additive set, which has none, the default HNN leaves 0.02-0.03 there; planted sets hold 0.4-0.85).
WEAK_INTERACTIONS = 0.05
_MAX_GRID = 32
_CHUNK_CELLS = 1 << 22  # largest activation tensor (elements) built at once when rows are evaluated


@dataclass(frozen=True)
class PureEffect:
    """The pure effect of one feature subset.

    Attributes
    ----------
    features : tuple of str
        The subset, in the table's column order.
    order : int
        ``len(features) - 1``: 0 for one feature's curve, 1 for a pair, ...
    importance : float
        Standard deviation of the effect over the training rows (target units, or logit units of the class).
    share : float
        The effect's variance under the reference measure, as a share of the model's (shares add up to 1).
    axes : tuple of ndarray
        The grid of each feature, raw units (quantile points of the training rows).
    values : ndarray of shape (grid_size,) * (order + 1)
        The effect on the grid.
    """

    features: tuple[str, ...]
    order: int
    importance: float
    share: float
    axes: tuple[np.ndarray, ...] = field(repr=False)
    values: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class _Terms:
    """What evaluating the HNN's terms needs: float64 weights, scalers and the grid (scaled units)."""

    weights: tuple[Tensor, ...]  # per order >= 1: (n_k, (k+1) * h_in, h_out)
    biases: tuple[Tensor, ...]  # per order >= 1: (n_k, h_out)
    faces: tuple[np.ndarray, ...]  # per order: (n_k, k+1) indices into the order below
    read: tuple[Tensor, ...]  # per order: (n_k, h), readout and head folded into one vector per unit
    activation: Callable[[Tensor], Tensor]
    grid: Tensor  # (p, grid_size), scaled
    x_scaler: Scaler
    columns: tuple[dict[int, np.ndarray], ...]  # [k][mask]: the effect (column) of each order-k simplex's subset
    bias: float  # the output's bias, model units
    y_mean: float  # model units -> target units: y_mean + y_scale * output (0 and 1 for a logit)
    y_scale: float


@dataclass(frozen=True)
class PureEffects:
    """An HNN's output as an intercept plus one pure effect per feature subset (see :func:`purify`).

    Attributes
    ----------
    intercept : float
        ``F_∅``: the mean output under the reference measure.
    effects : tuple of PureEffect
        One per simplex of the model (every subset that any term can hold), by order then column order.
    interaction_share : float
        Share of the model's variance in effects of order >= 1.
    measure : str
        ``"product"``: the product of the features' marginals on their quantile grids.
    grid_size : int
    target : str or None
        The class whose logit is decomposed (classification), as text.
    output : int
        The model output decomposed (the class's index; 0 for regression).
    """

    intercept: float
    effects: tuple[PureEffect, ...]
    interaction_share: float
    measure: str
    grid_size: int
    target: str | None
    output: int
    _terms: _Terms = field(repr=False, compare=False)

    @property
    def unit(self) -> str:
        """What the effects are measured in: ``"target units"``, or ``"logit of class c"`` for classification."""
        return "target units" if self.target is None else f"logit of class {self.target}"

    @property
    def strong_interactions(self) -> bool:
        """Whether interactions hold more than :data:`WEAK_INTERACTIONS` of the model's variance."""
        return self.interaction_share > WEAK_INTERACTIONS

    def order_shares(self) -> np.ndarray:
        """``(n_orders,)``: each order's share of the model's variance (single features first); they add up to 1.

        The one definition of "how much each order carries" that the app, the report and the command line show.
        """
        shares = np.zeros(max(e.order for e in self.effects) + 1)
        for effect in self.effects:
            shares[effect.order] += effect.share
        return shares

    def ranking(self, min_order: int = 1, *, top: int | None = None) -> list[PureEffect]:
        """Effects of order >= ``min_order`` by importance, largest first (ties: lower order, column order)."""
        check_int(min_order, name="min_order", owner="PureEffects.ranking", low=0)
        ranked = [(i, e) for i, e in enumerate(self.effects) if e.order >= min_order]
        ranked.sort(key=lambda item: (-item[1].importance, item[1].order, item[0]))
        return [e for _, e in ranked[:top]]

    def simplex_values(self, order: int) -> dict[tuple[str, ...], float]:
        """Every effect of one order, by its features, with its importance (as the network drawing colours it).

        Raises
        ------
        InputValidationError
            If the model has no effect of that order.
        """
        high = max(e.order for e in self.effects)
        check_int(order, name="order", owner="PureEffects.simplex_values", low=0, high=high)
        return {e.features: e.importance for e in self.effects if e.order == order}

    def shape(self, features: Sequence[str]) -> PureEffect:
        """The effect of a feature subset, named in any order.

        Raises
        ------
        InputValidationError
            If ``features`` is not a subset the model holds a term of.
        """
        wanted = set(features) if not isinstance(features, str) else {features}
        for effect in self.effects:
            if set(effect.features) == wanted and len(effect.features) == len(features):
                return effect
        raise InputValidationError(
            f"The 'features' parameter of PureEffects.shape must name a simplex of the model. "
            f"Got {list(features)!r} instead."
        )

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each row's pure contributions, ``(n_rows, n_effects)`` in the order of :attr:`effects`.

        Exact at any row (inside or outside the grids' range): a row's contributions add up to
        ``f(x) - intercept``. Raw rows of the run's features.
        """
        rows = check_rows(X, len(self._terms.x_scaler.mean), name="X", owner="PureEffects.contributions")
        return _row_effects(self._terms, rows, len(self.effects))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``intercept + contributions(X).sum(axis=1)``: the output explained, rebuilt from its pure effects."""
        return self.intercept + self.contributions(X).sum(axis=1)


def purify(
    run: Run,
    X: np.ndarray | None = None,
    *,
    target: Any = None,
    grid_size: int = GRID_SIZE,
) -> PureEffects:
    """Split a trained HNN's output into pure effects by the functional ANOVA (SPEC §9).

    Parameters
    ----------
    run : Run
        A trained HNN run.
    X : ndarray of shape (n_rows, n_features), optional
        The table the run was trained on (raw units, rows in the same order): its training rows
        (``run.result.split.train``) set the grids and the importances. Without it each feature's grid is
        the normal quantiles of its training mean and standard deviation, and importances are standard
        deviations under the reference measure.

        An effect's importance is its standard deviation over the training rows, each row read at the grid
        point of its quantile bin in each feature (as EBM scores its binned terms): ``n_rows x n_effects``
        look-ups, so :func:`purify` costs the grid's evaluations only. :meth:`PureEffects.contributions` stays
        exact at any row.
    target : class label, optional
        Classification: the class whose logit is decomposed (a label of ``run.classes`` or its text); by
        default the last class (the positive class of a binary task). Must be None for regression.
    grid_size : int, default 8
        Quantile points per feature, 2 to 32.

    Returns
    -------
    PureEffects

    Raises
    ------
    InputValidationError
        For an MLP run, a table of the wrong width, too few rows or not finite, a bad class or grid size.

    Examples
    --------
    >>> from hnnviz.data import make_planted
    >>> from hnnviz.model import train_run
    >>> from hnnviz.specs import ModelSpec, TrainConfig
    >>> data = make_planted(n_rows=200, n_features=6, interactions=(2,), seed=0).dataset
    >>> run = train_run(data, ModelSpec(channels=2), config=TrainConfig(defaults="hnn", epochs=2))
    >>> pure = purify(run, data.X)
    >>> gap = pure.predict(data.X[:5]) - run.predict(data.X[:5])
    >>> bool(abs(gap).max() < 1e-4), round(sum(e.share for e in pure.effects), 6)
    (True, 1.0)
    """
    owner = "purify"
    if not isinstance(run.model, HNN):
        raise InputValidationError(f"Only an HNN can be purified by {owner}; this run holds a dense MLP.")
    grid_size = check_int(grid_size, name="grid_size", owner=owner, low=2, high=_MAX_GRID)
    output, label = _output(run, target)
    train = None
    if X is not None:
        table = check_rows(X, len(run.feature_names), name="X", owner=owner, min_rows=1)
        if len(table) <= run.result.split.train.max(initial=-1):
            raise InputValidationError(
                f"The 'X' parameter of {owner} must be the table the run was trained on. Got {len(table)} rows, "
                f"fewer than its split needs, instead."
            )
        train = table[run.result.split.train]
    raw_grid = _grid(run, train, grid_size)
    terms = _extract(run, output, raw_grid)
    effects, intercept = _grid_effects(terms)
    variances = [float(np.mean(v**2)) for v in effects]
    total = sum(variances) or 1.0
    importance = _importance(effects, raw_grid, train, variances, _simplices(run))
    names = [(tuple(run.feature_names[c] for c in s), s) for s in _simplices(run)]
    pure = tuple(
        PureEffect(features, len(s) - 1, float(imp), var / total, tuple(raw_grid[c] for c in s), values)
        for (features, s), imp, var, values in zip(names, importance, variances, effects, strict=True)
    )
    return PureEffects(
        intercept=intercept,
        effects=pure,
        interaction_share=sum(e.share for e in pure if e.order >= 1),
        measure="product",
        grid_size=grid_size,
        target=label,
        output=output,
        _terms=terms,
    )


# --------------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------------


def _output(run: Run, target: Any) -> tuple[int, str | None]:
    """The model output decomposed, and its class as text (None for regression)."""
    if run.task == "regression":
        if target is not None:
            raise InputValidationError(
                f"The 'target' parameter of purify must be None for a regression run. Got {target!r} instead."
            )
        return 0, None
    texts = [str(c) for c in run.classes]
    if target is None:
        return len(texts) - 1, texts[-1]
    if str(target) not in texts:
        raise InputValidationError(
            f"The 'target' parameter of purify must be a class of the run, one of {list(run.classes)!r}. "
            f"Got {target!r} instead."
        )
    return texts.index(str(target)), str(target)


def _grid(run: Run, train: np.ndarray | None, size: int) -> np.ndarray:
    """``(p, size)`` raw grid: equal-mass quantile points (observed values) of each feature's training rows."""
    levels = (np.arange(size) + 0.5) / size
    if train is None:
        normal = torch.distributions.Normal(0.0, 1.0).icdf(torch.as_tensor(levels)).numpy()
        return run.x_scaler.mean[:, None] + run.x_scaler.scale[:, None] * normal[None, :]
    return np.quantile(train, levels, axis=0, method="inverted_cdf").T.copy()


def _importance(
    effects: list[np.ndarray], raw_grid: np.ndarray, train: np.ndarray | None, variances: list[float], simplices: list
) -> np.ndarray:
    """Each effect's standard deviation over the training rows, read at their quantile bins' grid points;
    without rows, under the reference measure."""
    if train is None:
        return np.sqrt(variances)
    midpoints = (raw_grid[:, 1:] + raw_grid[:, :-1]) / 2  # (p, G - 1)
    bins = np.stack([np.searchsorted(midpoints[j], train[:, j]) for j in range(len(raw_grid))], axis=1)  # (n, p)
    return np.array([values[tuple(bins[:, s].T)].std() for values, s in zip(effects, simplices, strict=True)])

def _simplices(run: Run) -> list[np.ndarray]:
    """Every simplex of the model, by order then row of the complex."""
    orders = len(run.model.orders)
    return [s for k in range(orders) for s in run.network.complex.simplices[k]]


def _extract(run: Run, output: int, raw_grid: np.ndarray) -> _Terms:
    """The model's weights in float64, with readout and head folded into one vector per unit."""
    model: HNN = run.model
    width = model.readouts[0].weight.shape[0]
    head = model.head.weight.detach().double()[output]
    read, bias = [], float(model.head.bias.detach().double()[output])
    for k, readout in enumerate(model.readouts):
        part = head[k * width : (k + 1) * width]  # (width,)
        read.append((part @ readout.weight.detach().double()).reshape(model.orders[k], -1))  # (n_k, h)
        bias += float(part @ readout.bias.detach().double())
    scaler = run.result.y_scaler
    cx = run.network.complex
    n_orders = len(model.orders)
    return _Terms(
        weights=tuple(layer.weight.detach().double() for layer in model.layers),
        biases=tuple(layer.bias.detach().double() for layer in model.layers),
        faces=tuple(cx.faces[k] for k in range(n_orders)),
        read=tuple(read),
        activation=model.activations[0].activation if n_orders > 1 else torch.nn.Identity(),
        grid=torch.as_tensor(run.x_scaler.transform(raw_grid.T).T),
        x_scaler=run.x_scaler,
        columns=_columns(cx.simplices[:n_orders]),
        bias=bias,
        y_mean=0.0 if scaler is None else float(scaler.mean[0]),
        y_scale=1.0 if scaler is None else float(scaler.scale[0]),
    )


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _columns(simplices: Sequence[np.ndarray]) -> tuple[dict[int, np.ndarray], ...]:
    """``[k][mask]``: for each order-k simplex, the row (in its own order) of its subset at positions ``mask``."""
    index = {tuple(row): i for s in simplices for i, row in enumerate(s.tolist())}
    return tuple(
        {
            mask: np.array([index[tuple(row)] for row in s[:, _bits(mask)].tolist()], dtype=np.int64)
            for mask in range(1, 2 ** (k + 1))
        }
        for k, s in enumerate(simplices)
    )


# --------------------------------------------------------------------------------------------------------
# Evaluating the terms: on the grid, and at rows with the other features on the grid
# --------------------------------------------------------------------------------------------------------


def _units(terms: _Terms, k: int, mask: int, rows: Tensor | None, memo: dict) -> Tensor:
    """Activations of every order-k unit, ``(n_k, R, *axes, h)``.

    Position ``i`` of a simplex takes the rows' values (along axis 1, ``R`` rows) when bit ``i`` of ``mask`` is
    set, else every grid point (its own axis, size ``grid_size``); ``R`` is 1 for ``mask == 0`` and a grid axis
    is 1 for a position on the rows. A unit's faces are evaluated once on their own axes and broadcast.
    """
    if (k, mask) in memo:
        return memo[k, mask]
    if k == 0:
        value = rows.T[:, :, None, None] if mask else terms.grid[:, None, :, None]  # (p, R, G or 1, 1)
    else:
        weight, bias = terms.weights[k - 1], terms.biases[k - 1]  # (n_k, (k+1) h_in, h), (n_k, h)
        h_in = weight.shape[1] // (k + 1)
        total = bias.view(bias.shape[0], *([1] * (k + 2)), bias.shape[1])
        for j in range(k + 1):
            face_mask = (mask & ((1 << j) - 1)) | ((mask >> (j + 1)) << j)
            face = _units(terms, k - 1, face_mask, rows, memo)[terms.faces[k][:, j]]  # (n_k, R, *axes_k, h_in)
            part = torch.einsum("n...c,nco->n...o", face, weight[:, j * h_in : (j + 1) * h_in])
            total = total + part.unsqueeze(2 + j)
        value = terms.activation(total)
    memo[k, mask] = value
    return value


def _contribution(terms: _Terms, k: int, mask: int, rows: Tensor | None, memo: dict) -> Tensor:
    """Every order-k unit's direct contribution (model units), ``(n_k, R, *axes)``, as :func:`_units` lays out."""
    return torch.einsum("n...c,nc->n...", _units(terms, k, mask, rows, memo), terms.read[k])


def _pieces(term: Tensor, order: int) -> dict[int, Tensor]:
    """A term on the grid ``(n, G, ..., G)`` split into its pure pieces, by mask of the positions they vary on.

    Each axis ``i`` splits every piece into its mean along ``i`` and the rest: ``F_u = prod_{i in u} (1 - E_i)
    prod_{i not in u} E_i c``. Pieces keep size-1 axes where they are constant.
    """
    pieces = {0: term}
    for i in range(order + 1):
        split = {}
        for mask, piece in pieces.items():
            mean = piece.mean(dim=1 + i, keepdim=True)
            split[mask], split[mask | 1 << i] = mean, piece - mean
        pieces = split
    return pieces


def _grid_effects(terms: _Terms) -> tuple[list[np.ndarray], float]:
    """Every pure effect on the grid (target units) and the intercept."""
    memo: dict = {}
    grid_size = terms.grid.shape[1]
    sums = [torch.zeros(len(read), grid_size ** (k + 1), dtype=torch.float64) for k, read in enumerate(terms.read)]
    intercept = terms.bias
    for k in range(len(terms.read)):
        pieces = _pieces(_contribution(terms, k, 0, None, memo)[:, 0], k)
        intercept += float(pieces.pop(0).sum())
        for mask, piece in pieces.items():
            order = len(_bits(mask)) - 1
            sums[order].index_add_(0, torch.as_tensor(terms.columns[k][mask]), piece.reshape(len(piece), -1))
    effects = [
        (row * terms.y_scale).numpy().reshape((grid_size,) * (k + 1)) for k, values in enumerate(sums) for row in values
    ]
    return effects, terms.y_mean + terms.y_scale * intercept


def _row_effects(terms: _Terms, raw: np.ndarray, n_effects: int) -> np.ndarray:
    """Exact pure contributions of raw rows, ``(n_rows, n_effects)``, target units."""
    rows = torch.as_tensor(terms.x_scaler.transform(raw))
    grid_size = terms.grid.shape[1]
    per_row = max(len(read) * grid_size**k * read.shape[1] for k, read in enumerate(terms.read))
    chunk = max(1, _CHUNK_CELLS // per_row)
    parts = [_row_chunk(terms, rows[i : i + chunk], n_effects) for i in range(0, len(rows), chunk)]
    return torch.cat(parts).numpy() * terms.y_scale


def _row_chunk(terms: _Terms, rows: Tensor, n_effects: int) -> Tensor:
    """``F_u(x_u) = sum_{v ⊆ u} (-1)^{|u|-|v|} E[c_s | x_v]`` for every simplex ``s``, subset ``u`` and row."""
    memo: dict = {}
    out = torch.zeros(len(rows), n_effects, dtype=torch.float64)
    offsets = np.cumsum([0] + [len(read) for read in terms.read])
    for k in range(len(terms.read)):
        means = [_contribution(terms, k, v, rows, memo).flatten(2).mean(2) for v in range(2 ** (k + 1))]  # (n_k, R)
        for u, columns in terms.columns[k].items():
            piece, v = torch.zeros_like(means[u]), u
            while True:  # every v ⊆ u, u itself first, 0 last
                sign = -1.0 if (len(_bits(u)) - len(_bits(v))) % 2 else 1.0
                piece = piece + sign * means[v]
                if v == 0:
                    break
                v = (v - 1) & u
            order = len(_bits(u)) - 1
            out.index_add_(1, torch.as_tensor(offsets[order] + columns), piece.T)
    return out
