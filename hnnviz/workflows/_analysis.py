"""One trained run's analysis, computed once: what the report renders and the app shows.

:func:`analyse` checks that a table is the run's own, fits the baselines on the run's split, explains the test
rows, runs the faithfulness checks, looks inside the top simplices and splits the predictions by order. Each
piece already computed (the app's attribution, its checks) can be passed in and is reused. The result, an
:class:`Analysis`, holds numbers only; :func:`hnnviz.report.build_report` draws it and computes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import check_int
from ..data import Dataset
from ..exceptions import InputValidationError
from ..explanation import (
    Attribution,
    FaithfulnessReport,
    PureEffects,
    SimplexResponse,
    explain,
    faithfulness_report,
    inspect_simplex,
    order_split,
    purify,
)
from ..model import HNN, Run, metrics
from ..specs import PRIMARY_METRICS, TrainConfig
from ._compare import Comparison, ModelRecord, fit_classical

__all__ = [
    "BASELINE_MODELS",
    "CHECK_CONFIG",
    "CHECK_RANDOM_ORDERINGS",
    "Analysis",
    "Progress",
    "analyse",
    "baseline_comparison",
    "check_table",
]

#: The classical models fitted on the run's split to put its scores in context.
BASELINE_MODELS = ("linear", "gbm")
#: Training protocol of the faithfulness checks' retraining on permuted labels: the MLP's protocol (as the checks
#: were measured with), at most 30 epochs (on permuted labels the validation loss soon stops falling, and early
#: stopping ends most retrainings by then).
CHECK_CONFIG = TrainConfig(defaults="mlp", epochs=30)
#: Random orderings behind the deletion and insertion curves' reference band.
CHECK_RANDOM_ORDERINGS = 10
_ATTRIBUTION_METHOD = "ablation"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    """Everything known about one trained run: the inputs of its report and of the app's pages.

    Attributes
    ----------
    run : Run
    dataset : Dataset or None
        The table the run was trained on (checked), or None when it was not given.
    attribution : Attribution or None
        Of the run's test rows (None for a dense MLP, or without rows and none given).
    comparison : Comparison or None
        The run beside the baselines on its own split.
    faithfulness : FaithfulnessReport or None
        The checks of ``attribution``.
    inspections : tuple of SimplexResponse
        The top simplices of ``attribution``, looked inside (:func:`hnnviz.explanation.inspect_simplex`), with the
        training rows drawn on top when the table is known.
    order_split : ndarray of shape (n_test_rows, n_orders + 1) or None
        Each test row's prediction split into the constant and one contribution per order.
    pure : PureEffects or None
        The model's pure effects (:func:`hnnviz.explanation.purify`, on the training rows' grids when the table
        is known); None for a dense MLP.
    """

    run: Run
    dataset: Dataset | None
    attribution: Attribution | None
    comparison: Comparison | None
    faithfulness: FaithfulnessReport | None
    inspections: tuple[SimplexResponse, ...]
    order_split: np.ndarray | None
    pure: PureEffects | None = None

    @property
    def explainable(self) -> bool:
        """Whether the run's model has simplices to explain (an HNN, not a dense MLP)."""
        return isinstance(self.run.model, HNN)


def analyse(
    run: Run,
    dataset: Dataset | None = None,
    *,
    attribution: Attribution | None = None,
    comparison: Comparison | None = None,
    faithfulness: FaithfulnessReport | None = None,
    beside: Sequence[Run] = (),
    top: int = 5,
    progress: Progress | None = None,
) -> Analysis:
    """Compute what is not given of ``run``'s analysis.

    Parameters
    ----------
    run : Run
        A trained run (:func:`hnnviz.model.train_run` or :func:`hnnviz.io.load_run`).
    dataset : Dataset, optional
        The table the run was trained on. Without it, only what needs no rows is computed.
    attribution : Attribution, optional
        Of the run's test rows; by default ablation over them (needs ``dataset``).
    comparison : Comparison, optional
        Models to show the run beside; by default :func:`baseline_comparison` (needs ``dataset``).
    beside : sequence of Run, default ()
        Other networks trained on the run's split (the app's MLP trained beside the HNN, a pruned MLP): the
        default comparison shows them too.
    faithfulness : FaithfulnessReport, optional
        By default :func:`hnnviz.explanation.faithfulness_report` for the attribution's method, sized by
        :data:`CHECK_CONFIG` and :data:`CHECK_RANDOM_ORDERINGS` (needs ``dataset``).
    top : int, default 5
        Simplices looked inside.
    progress : callable, optional
        ``progress(step)`` with the name of each computation as it starts.

    Returns
    -------
    Analysis

    Raises
    ------
    InputValidationError
        If ``top`` is not an int >= 1, or ``dataset`` is not the table of the run: other features, target or
        classes, too few rows, or test rows that do not score the run's recorded test metric.
    """
    top = check_int(top, name="top", owner="analyse", low=1)
    say = progress or (lambda step: None)
    explainable = isinstance(run.model, HNN)
    split = None
    if dataset is not None:
        check_table(run, dataset)
        rows = dataset.X[run.result.split.test]
        if comparison is None:
            say("fitting the baselines on the run's split")
            comparison = baseline_comparison(run, dataset, beside=beside)
        if attribution is None and explainable:
            say(f"explaining the test rows ({_ATTRIBUTION_METHOD})")
            attribution = explain(run, rows, method=_ATTRIBUTION_METHOD)
        if faithfulness is None and attribution is not None:
            say("checking the attribution's faithfulness")
            faithfulness = faithfulness_report(
                run, dataset, method=attribution.method, config=CHECK_CONFIG, n_random=CHECK_RANDOM_ORDERINGS
            )
        if explainable:
            split = order_split(run, rows)
    pure = None
    if explainable:
        say("purifying the model's terms")
        pure = purify(run, None if dataset is None else dataset.X)
    inspections: tuple[SimplexResponse, ...] = ()
    if explainable and attribution is not None:
        say("inspecting the top simplices")
        background = None if dataset is None else dataset.X[run.result.split.train]
        inspections = tuple(inspect_simplex(run, s.features, X=background) for s in attribution.ranking(top=top))
    return Analysis(run, dataset, attribution, comparison, faithfulness, inspections, split, pure)


def baseline_comparison(run: Run, dataset: Dataset, *, beside: Sequence[Run] = ()) -> Comparison:
    """The run's test scores beside the :data:`BASELINE_MODELS` fitted on the run's own split of ``dataset``,
    and beside other networks trained on that split (``beside``, each recorded under its kind).

    The classical models are fitted on the run's training and validation rows and scored on its test rows
    (as :func:`hnnviz.workflows.compare_models` fits them), so every model is scored on exactly the rows the run
    was. The run's seed is not saved with it: the comparison's one seed is 0 (gradient boosting's
    ``random_state``; with scikit-learn's defaults it draws nothing at these sizes).

    Parameters
    ----------
    run : Run
        A trained run with a test part.
    dataset : Dataset
        The table it was trained on.

    Returns
    -------
    Comparison
        Models ``(run.spec.kind, "linear", "gbm")``, one record each; the run's record holds its saved test
        metrics, parameters, fit seconds and epochs.

    Raises
    ------
    InputValidationError
        If ``dataset`` is not the table of the run (see :func:`check_table`), the run has no test rows, or a run
        ``beside`` it was trained on another split.

    Examples
    --------
    >>> from hnnviz.specs import ModelSpec, TrainConfig
    >>> from hnnviz.model import train_run
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] - X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    >>> comparison = baseline_comparison(run, data)
    >>> comparison.models, [len(r.test_rows) for r in comparison.records]
    (('hnn', 'linear', 'gbm'), [16, 16, 16])
    >>> mlp = train_run(data, ModelSpec("mlp", channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    >>> baseline_comparison(run, data, beside=[mlp]).models
    ('hnn', 'mlp', 'linear', 'gbm')
    >>> round(comparison.of("linear")[0].metrics["r2"], 6)
    1.0
    """
    check_table(run, dataset)
    result, seed = run.result, 0
    for other in beside:
        if not np.array_equal(other.result.split.test, result.split.test):
            raise InputValidationError(
                f"The 'beside' parameter of baseline_comparison must hold runs on the run's own split. Got a "
                f"{other.spec.kind} run scored on {len(other.result.split.test)} other test rows instead."
            )
    networks = [ModelRecord.of_run(r, r.spec.kind, seed) for r in (run, *beside)]
    records = (*networks, *(fit_classical(dataset, kind, seed, result.split) for kind in BASELINE_MODELS))
    return Comparison(
        task=run.task,
        metric=PRIMARY_METRICS[run.task],
        models=tuple(r.model for r in records),
        seeds=(seed,),
        records=records,
        dataset_name=dataset.name,
    )


def check_table(run: Run, dataset: Dataset) -> None:
    """Raise unless ``dataset`` is the table ``run`` was trained on: same features, target and classes, and
    its test rows score what the run recorded.

    Raises
    ------
    InputValidationError
        If the run kept no test rows, or ``dataset`` is another table.
    """
    if "test" not in run.result.metrics:
        raise InputValidationError("This run kept no test rows (test_size=0): there is nothing to score it on.")
    split = run.result.split
    same = (
        dataset.feature_names == run.feature_names
        and dataset.target == run.target
        and dataset.classes == run.classes
        and dataset.n_rows > max(part.max(initial=-1) for part in (split.train, split.val, split.test))
    )
    metric = PRIMARY_METRICS[run.task]
    recorded = run.result.metrics["test"][metric]
    if same:
        rows = split.test
        scored = metrics(dataset.y[rows], run.predict(dataset.X[rows]), run.task)[metric]
        same = math.isclose(scored, recorded, rel_tol=1e-6, abs_tol=1e-9)
    if not same:
        raise InputValidationError(
            f"Data set {dataset.name!r} is not the table this run was trained on (its features, target or rows "
            f"differ, or its test rows do not score the recorded {metric} {recorded:.4g})."
        )
