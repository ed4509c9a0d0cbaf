"""How far to trust an attribution: deletion/insertion curves, sanity checks, agreement.

- **Deletion / insertion** (over simplices of order >= 1): ablate the most important simplices first (each
  unit set to its mean over background rows) and watch the model's score fall; or start with every simplex
  ablated and restore them most important first and watch it rise. A faithful ranking falls faster and rises
  faster than random orderings, whose band is reported alongside.
- **Sanity checks** (Adebayo et al., 2018): attributions must change when the weights are randomised, top
  layers first, and when the model is retrained on permuted labels. Each reports Spearman rank correlations
  with the original global importance and a pass/fail verdict.
- **Agreement**: top-k overlap between methods, and between models retrained with other seeds on the same
  rows and the same network.

References
----------
.. [1] Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018.
.. [2] Petsiuk, Das & Saenko, "RISE: Randomized Input Sampling for Explanation of Black-box Models", 2018
   (deletion and insertion curves).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import Tensor

from .._validation import check_int, check_number
from ..data import Dataset
from ..exceptions import InputValidationError
from ..model import HNN, Run, build_model, metrics, to_prediction, torch_seed, train_run
from ..specs import EXPLAIN_METHODS, PRIMARY_METRICS, TrainConfig
from ._attribution import Attribution, explain

__all__ = [
    "Curve",
    "FaithfulnessReport",
    "KnockOut",
    "SanityCheck",
    "deletion_insertion",
    "faithfulness_report",
    "global_importance",
    "knock_out",
    "method_agreement",
    "permuted_label_check",
    "randomization_check",
    "seed_agreement",
    "top_k_overlap",
]


@dataclass(frozen=True)
class Curve:
    """Model score against the share of simplices removed (deletion) or restored (insertion).

    Attributes
    ----------
    kind : {"deletion", "insertion"}
    fractions : ndarray
        Share of simplices (order >= 1) removed or restored at each point.
    values : ndarray
        The model's score (R² or accuracy) at each point, following the attribution's ranking.
    random_values : ndarray of shape (n_random, n_points)
        The same for random orderings.
    area, random_area : float
        Mean score over the curve (trapezoidal area on [0, 1]); ``random_area`` is the mean over random
        orderings. Deletion: lower is better; insertion: higher is better.
    random_band : tuple of float
        5th and 95th percentile of the random orderings' areas.
    """

    kind: str
    fractions: np.ndarray
    values: np.ndarray
    random_values: np.ndarray
    area: float
    random_area: float
    random_band: tuple[float, float]

    @property
    def beats_random(self) -> bool:
        """Whether the ranking's area lies beyond the random band in the good direction."""
        return self.area < self.random_band[0] if self.kind == "deletion" else self.area > self.random_band[1]


@dataclass(frozen=True)
class SanityCheck:
    """Rank correlations between the original global importance and that of a perturbed model.

    ``stages`` names each perturbation (e.g. "head", "readouts", "order 3", ...) with its correlation;
    ``passed`` is True when the last correlation is below ``threshold`` (the attribution depends on what the
    model learned).
    """

    name: str
    stages: tuple[tuple[str, float], ...]
    threshold: float
    passed: bool


def global_importance(attribution: Attribution) -> np.ndarray:
    """Mean ``|score|`` of every simplex of order >= 1, orders concatenated."""
    return np.concatenate([np.abs(s).mean(axis=0) for s in attribution.scores[1:]])


def _unit_index(run: Run) -> list[tuple[int, int]]:
    """(order, unit) of every simplex of order >= 1 in the order :func:`global_importance` lists them."""
    return [(order, i) for order in range(1, len(run.model.layers) + 1) for i in range(run.model.orders[order])]


def _ablated_prediction(run: Run, inputs: Tensor, ablated: list[tuple[int, int]], means: list[Tensor]) -> np.ndarray:
    """The run's predictions when the given (order, unit) simplices are held at the given means."""
    masks = {order: torch.zeros(run.model.orders[order], dtype=torch.bool) for order in range(1, len(means))}
    for order, unit in ablated:
        masks[order][unit] = True

    def edit(order: int, h: Tensor) -> Tensor:
        return torch.where(masks[order][None, :, None], means[order][None], h)

    model = run.model
    with torch.no_grad():
        out = model.output(model.propagate([model.input_units(inputs)], edit))
    return to_prediction(out, run.task, run.result.y_scaler)


def _score_with_ablated(
    run: Run, inputs: Tensor, y: np.ndarray, ablated: list[tuple[int, int]], means: list[Tensor]
) -> float:
    """The run's primary score when the given (order, unit) simplices are held at their background means."""
    return _primary_score(run, y, _ablated_prediction(run, inputs, ablated, means))


def _primary_score(run: Run, y: np.ndarray, prediction: np.ndarray) -> float:
    return metrics(y, prediction, run.task)[PRIMARY_METRICS[run.task]]


def _unit_means(run: Run, background: np.ndarray | None) -> list[Tensor]:
    """Each order's unit values to ablate to: their mean over ``background`` rows, or at the training mean."""
    rows = run.x_scaler.mean[None] if background is None else background
    with torch.no_grad():
        return [h.mean(0) for h in run.model.hidden(run.inputs(rows, name="background", min_rows=1))]


@dataclass(frozen=True)
class KnockOut:
    """Predictions and score of a run with some simplices knocked out, beside the intact run's.

    Attributes
    ----------
    simplices : tuple of tuple of str
        The knocked-out simplices (each held at its reference value on every row).
    before, after : ndarray of shape (n_rows,)
        Each row's prediction by the intact and by the knocked-out model: the predicted value (regression),
        or the probability of the class the intact model predicts (classification).
    metric : str
        ``"r2"`` or ``"accuracy"``.
    score_before, score_after : float
        That metric on the rows, intact and knocked out.
    """

    simplices: tuple[tuple[str, ...], ...]
    before: np.ndarray
    after: np.ndarray
    metric: str
    score_before: float
    score_after: float


def knock_out(
    run: Run, X: np.ndarray, y: np.ndarray, simplices: Sequence[Sequence[str]], *, background: np.ndarray | None = None
) -> KnockOut:
    """Hold the named simplices' units at their reference value and see how predictions and the score change.

    Parameters
    ----------
    run : Run
        An HNN run.
    X, y : ndarray
        Raw rows and their targets (class codes for classification), e.g. the test rows.
    simplices : sequence of sequences of str
        Simplices of order >= 1 named by their features (any order), e.g. ``[("bmi", "s5")]``.
    background : ndarray, optional
        Raw rows whose mean unit values replace the knocked-out units; by default each unit's value at the
        training mean (as :func:`hnnviz.explanation.explain` ablates).

    Returns
    -------
    KnockOut

    Raises
    ------
    InputValidationError
        For an MLP run, or a name list that is not a simplex of order >= 1 of the run's complex.

    Examples
    --------
    >>> from hnnviz.data import load_sample
    >>> ds = load_sample("diabetes")
    >>> run = train_run(ds, config=TrainConfig(defaults="mlp", epochs=5))
    >>> test = run.result.split.test
    >>> out = knock_out(run, ds.X[test], ds.y[test], [("bmi", "s5")])
    >>> out.metric, out.before.shape == out.after.shape == (len(test),)
    ('r2', True)
    """
    if not isinstance(run.model, HNN):
        raise InputValidationError("Only an HNN has simplices to knock out; this run holds a dense MLP.")
    units = [_simplex_unit(run, simplex) for simplex in simplices]
    inputs = run.inputs(X, owner="knock_out", min_rows=1)
    before = _ablated_prediction(run, inputs, [], _unit_means(run, background))
    after = _ablated_prediction(run, inputs, units, _unit_means(run, background))
    return KnockOut(
        simplices=tuple(tuple(s) for s in simplices),
        before=_row_values(before, before),
        after=_row_values(after, before),
        metric=PRIMARY_METRICS[run.task],
        score_before=_primary_score(run, y, before),
        score_after=_primary_score(run, y, after),
    )


def _simplex_unit(run: Run, features: Sequence[str]) -> tuple[int, int]:
    """(order, unit) of the simplex with these features."""
    names = run.feature_names
    vertices = sorted(names.index(f) for f in features if f in names)
    order = len(vertices) - 1
    simplices = run.network.complex.simplices
    if len(vertices) != len(features) or not 1 <= order <= len(run.model.layers):
        raise InputValidationError(f"{tuple(features)!r} is not a simplex of order >= 1 of this run's network.")
    match = np.flatnonzero((simplices[order] == vertices).all(axis=1))
    if not len(match):
        raise InputValidationError(f"{tuple(features)!r} is not a simplex of order >= 1 of this run's network.")
    return order, int(match[0])


def _row_values(prediction: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Regression values as they are; class probabilities reduced to the class the reference predicts."""
    if prediction.ndim == 1:
        return prediction
    return prediction[np.arange(len(prediction)), reference.argmax(axis=1)]


def deletion_insertion(
    run: Run,
    X: np.ndarray,
    y: np.ndarray,
    attribution: Attribution,
    *,
    background: np.ndarray | None = None,
    n_points: int = 11,
    n_random: int = 20,
    seed: int = 0,
) -> tuple[Curve, Curve]:
    """Deletion and insertion curves of ``attribution``'s global ranking on rows ``(X, y)``.

    Parameters
    ----------
    run : Run
        The HNN run the attribution explains.
    X, y : ndarray
        Raw rows and their targets (class codes for classification), e.g. the test rows.
    attribution : Attribution
        Its global ranking (mean ``|score|``) orders the simplices.
    background : ndarray, optional
        Raw rows whose mean activations replace ablated units (e.g. the training rows); by default each unit's
        value at the training mean, as :func:`hnnviz.explanation.explain` ablates.
    n_points, n_random : int
        Points per curve; random orderings for the reference band.
    seed : int
        Seeds the random orderings.

    Returns
    -------
    (Curve, Curve)
        Deletion, then insertion.
    """
    n_points = check_int(n_points, name="n_points", owner="deletion_insertion", low=2)
    n_random = check_int(n_random, name="n_random", owner="deletion_insertion", low=1)
    inputs = run.inputs(X, owner="deletion_insertion", min_rows=1)
    means = _unit_means(run, background)
    units = _unit_index(run)
    ranked = [units[i] for i in np.argsort(-global_importance(attribution), kind="stable")]
    rng = np.random.default_rng(seed)
    shuffles = [[units[i] for i in rng.permutation(len(units))] for _ in range(n_random)]
    fractions = np.linspace(0, 1, n_points)
    counts = np.round(fractions * len(units)).astype(int)

    def curve(kind: str) -> Curve:
        def values(order: list[tuple[int, int]]) -> np.ndarray:
            chosen = [order[:c] if kind == "deletion" else order[c:] for c in counts]
            return np.array([_score_with_ablated(run, inputs, y, ablated, means) for ablated in chosen])

        ours = values(ranked)
        random_values = np.stack([values(order) for order in shuffles])
        areas = np.trapezoid(random_values, fractions, axis=1)
        return Curve(
            kind=kind,
            fractions=fractions,
            values=ours,
            random_values=random_values,
            area=float(np.trapezoid(ours, fractions)),
            random_area=float(areas.mean()),
            random_band=(float(np.quantile(areas, 0.05)), float(np.quantile(areas, 0.95))),
        )

    return curve("deletion"), curve("insertion")


def _rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    rho = spearmanr(a, b).statistic
    return 0.0 if np.isnan(rho) else float(rho)


def randomization_check(
    run: Run,
    X: np.ndarray,
    *,
    method: str = "gxa",
    background: np.ndarray | None = None,
    threshold: float = 0.5,
    seed: int = 0,
) -> SanityCheck:
    """Cascading randomisation: re-initialise the head, the readouts, then each order from the top down.

    After each stage the attribution is recomputed and rank-correlated with the original. The run itself
    is not modified (a copy of the model is randomised).
    """
    threshold = check_number(threshold, name="threshold", owner="randomization_check", low=-1, high=1)
    original = global_importance(explain(run, X, method=method, background=background))
    model = build_model(run.spec, run.network.complex, run.model.head.out_features, seed)
    model.load_state_dict(run.model.state_dict())
    copy = replace(run, result=replace(run.result, model=model))
    stages = [("head", [model.head]), ("readouts", list(model.readouts))]
    stages += [(f"order {k}", [model.layers[k - 1]]) for k in range(len(model.layers), 0, -1)]
    correlations = []
    with torch_seed(seed):
        for name, modules in stages:
            for module in modules:
                module.reset_parameters()
            perturbed = global_importance(explain(copy, X, method=method, background=background))
            correlations.append((name, _rank_correlation(original, perturbed)))
    return SanityCheck("cascading randomisation", tuple(correlations), threshold, correlations[-1][1] < threshold)


def permuted_label_check(
    run: Run,
    dataset: Dataset,
    *,
    config: TrainConfig | None = None,
    method: str = "gxa",
    threshold: float = 0.5,
    seed: int = 0,
) -> SanityCheck:
    """Retrain on permuted labels (same rows, split and network) and compare attributions on the test rows."""
    threshold = check_number(threshold, name="threshold", owner="permuted_label_check", low=-1, high=1)
    split = run.result.split
    background, rows = dataset.X[split.train], dataset.X[split.test]
    original = global_importance(explain(run, rows, method=method, background=background))
    permuted = replace(dataset, y=np.random.default_rng(seed).permutation(dataset.y))
    shuffled = train_run(permuted, run.spec, config=config, split=split, ifn=run.ifn)
    rho = _rank_correlation(original, global_importance(explain(shuffled, rows, method=method, background=background)))
    return SanityCheck("permuted labels", (("retrained on permuted labels", rho),), threshold, rho < threshold)


def top_k_overlap(a: Attribution, b: Attribution, k: int) -> float:
    """Share of ``a``'s top-``k`` simplices (orders >= 1, global ranking) also in ``b``'s top ``k``."""
    k = check_int(k, name="k", owner="top_k_overlap", low=1)
    top_a = {(s.order, s.features) for s in a.ranking(top=k)}
    top_b = {(s.order, s.features) for s in b.ranking(top=k)}
    return len(top_a & top_b) / min(k, len(top_a))


def method_agreement(attributions: dict[str, Attribution], k: int = 10) -> dict[tuple[str, str], float]:
    """Top-``k`` overlap of every pair of methods' attributions (same rows)."""
    return {(m1, m2): top_k_overlap(attributions[m1], attributions[m2], k) for m1, m2 in combinations(attributions, 2)}


def seed_agreement(
    run: Run,
    dataset: Dataset,
    *,
    seeds: tuple[int, ...] = (1, 2),
    config: TrainConfig | None = None,
    method: str = "gxa",
    k: int = 10,
) -> dict[int, float]:
    """Retrain with other seeds (same rows, split and network) and give each one's top-``k`` overlap."""
    split = run.result.split
    background, rows = dataset.X[split.train], dataset.X[split.test]
    reference = explain(run, rows, method=method, background=background)
    config = config or TrainConfig(defaults="mlp")
    overlaps = {}
    for seed in seeds:
        other = train_run(dataset, run.spec, config=replace(config, seed=seed), split=split, ifn=run.ifn)
        overlaps[seed] = top_k_overlap(reference, explain(other, rows, method=method, background=background), k)
    return overlaps


@dataclass(frozen=True)
class FaithfulnessReport:
    """How far to trust one method's attribution of a run, by every check of this module.

    Attributes
    ----------
    method : str
        The method checked.
    deletion, insertion : Curve
        Over the test rows, against random orderings.
    checks : tuple of SanityCheck
        Cascading randomisation, then permuted labels.
    agreement : dict of (str, str) to float
        Top-``k`` overlap between every pair of methods on the test rows.
    k : int
    """

    method: str
    deletion: Curve
    insertion: Curve
    checks: tuple[SanityCheck, ...]
    agreement: dict[tuple[str, str], float]
    k: int

    @property
    def verdicts(self) -> dict[str, bool]:
        """Pass or fail of each check, by name."""
        curves = {f"{c.kind} beats random": c.beats_random for c in (self.deletion, self.insertion)}
        return curves | {check.name: check.passed for check in self.checks}


def faithfulness_report(
    run: Run,
    dataset: Dataset,
    *,
    method: str = "gxa",
    config: TrainConfig | None = None,
    k: int = 10,
    n_random: int = 20,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> FaithfulnessReport:
    """Every check of this module for one method of explaining ``run``, on its test rows of ``dataset``.

    Unit references are each unit's value at the training mean (as :func:`hnnviz.explanation.explain` does by
    default). The permuted-label check retrains the model once (with ``config``); the others do not train.

    Parameters
    ----------
    run : Run
        An HNN run trained on ``dataset``.
    dataset : Dataset
        The table the run was trained on (its split's test rows are explained).
    method : {"gxa", "ig", "ablation"}, default "gxa"
    config : TrainConfig, optional
        Training protocol of the permuted-label retraining (default ``TrainConfig(defaults="mlp")``).
    k : int, default 10
        Top simplices compared between methods.
    n_random : int, default 20
        Random orderings of the deletion and insertion curves.
    seed : int, default 0
        Seeds the random orderings, the randomised weights and the label permutation.
    progress : callable, optional
        ``progress(step)`` with the name of each step as it starts.

    Returns
    -------
    FaithfulnessReport
    """
    say = progress or (lambda step: None)
    rows = run.result.split.test
    X, y = dataset.X[rows], dataset.y[rows]
    say("explaining the test rows with every method")
    attributions = {m: explain(run, X, method=m) for m in EXPLAIN_METHODS}
    say("deletion and insertion curves")
    deletion, insertion = deletion_insertion(run, X, y, attributions[method], n_random=n_random, seed=seed)
    say("cascading randomisation of the weights")
    randomized = randomization_check(run, X, method=method, seed=seed)
    say("retraining on permuted labels")
    permuted = permuted_label_check(run, dataset, config=config, method=method, seed=seed)
    return FaithfulnessReport(
        method=method,
        deletion=deletion,
        insertion=insertion,
        checks=(randomized, permuted),
        agreement=method_agreement(attributions, k),
        k=k,
    )
