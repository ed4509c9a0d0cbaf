"""Compare the HNN with fair baselines on identical rows: same split, same protocol, several seeds.

:func:`compare_models` trains every requested model once per seed. For each seed there is ONE split
(:func:`hnnviz.model.split_rows` with the config's sizes and that seed) shared by all models, so every model
is scored on exactly the same test rows. The models (SPEC §6: baselines must be fair):

``"hnn"``
    The HNN of ``spec`` (:func:`hnnviz.model.train_run`).
``"mlp"``
    The dense network with the same widths, activation and per-order linear readouts as that HNN, trained
    with the same protocol (no single-unit bottleneck).
``"mlp-pruned"``
    That MLP trained, then globally magnitude-pruned in rounds, fine-tuned after each, down to exactly the
    HNN's number of layer weights (:func:`hnnviz.model.train_pruned`): a standard sparse network of the
    HNN's size. Not fitted by default (it is not in :data:`BASE_MODELS`): it costs a dense fit plus one
    fine-tuning per round, about 4 fits.
``"hnn-order<K>"`` (e.g. ``"hnn-order2"``)
    The HNN truncated at simplex order ``K`` (``ModelSpec.max_order = K``; ``K = 1`` stops at edges), to
    see what each order of interaction adds (``K = 0``: only the inputs' linear readout). A ``K`` above the
    complex's top order gives the full HNN.
``"linear"``
    Standardisation then ordinary least squares (regression) or L2-regularised logistic regression
    (classification).
``"gbm"``
    Histogram gradient boosting with scikit-learn's defaults and ``random_state=seed``.
``"ebm"``
    InterpretML's Explainable Boosting Machine (a GAM with pair terms, identified by purification like the
    HNN's pure effects) with its defaults, ``random_state=seed`` and one process. Not fitted by default:
    it needs the ``interpret-core`` package (in the ``dev`` extra).

The neural nets use the validation rows only to decide when to stop (early stopping); the classical models
have no such use for them, so they are fitted on the training and validation rows together. Withholding
those rows from them would handicap the baselines.

Fit times measure the same thing for every model: the fit itself (for the nets, the whole training call:
scaling, epochs and final metrics; for ``"mlp-pruned"`` the dense fit, every pruning and fine-tuning), not
the information filtering network, clique complex and model build that wire a net, which each record
reports apart as ``build_seconds``.

Every fit gets the same thread budget (``threads``, default 1), so fit times compare fairly. One thread is
also the fast choice for tables of this size: on 2 busy cores, 2 threads made the same small fits 15-60x
slower (threads spin-waiting at every parallel step; torch and scikit-learn each bring an OpenMP runtime).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from .._validation import check_in, check_int, short_repr
from ..data import Dataset
from ..exceptions import InputValidationError
from ..model import THREADS, Run, Split, metrics, split_rows, train_pruned, train_run
from ..network import check_ifn
from ..specs import (
    BASE_MODELS,
    MODEL_KINDS,
    OPTIONAL_MODELS,
    PRIMARY_METRICS,
    IFNSpec,
    ModelSpec,
    TrainConfig,
    default_config,
)

__all__ = [
    "Comparison",
    "ModelRecord",
    "compare_models",
    "fit_classical",
    "parse_model_name",
]


#: The metric a comparison is ranked by, per task (higher is better for both).

_ORDER_MODEL = re.compile(r"hnn-order(\d+)")
_NEURAL = ("hnn", "mlp")
#: Models fitted on the split alone (no network, no training options).
_CLASSICAL = ("linear", "gbm", "ebm")
#: What :attr:`ModelRecord.n_params` counts for the models whose size is not a count of parameters.
_SIZE_UNITS = {"gbm": "nodes", "ebm": "bins"}


@dataclass(frozen=True)
class ModelRecord:
    """One model fitted with one seed, scored on that seed's test rows.

    Attributes
    ----------
    model : str
        The model name, e.g. ``"hnn"`` or ``"hnn-order2"``.
    seed : int
    metrics : dict of str to float
        Test metrics in original units (:func:`hnnviz.model.metrics`).
    n_params : int
        Trainable parameters (neural nets; for ``"mlp-pruned"`` the surviving layer weights plus every bias
        and readout), coefficients plus intercepts (``"linear"``), the number of tree nodes across all
        trees (``"gbm"``: nodes, not parameters), or the bins of every term's score table (``"ebm"``).
    seconds : float
        Wall time of the fit alone (see the module docstring); for ``"mlp-pruned"`` the dense fit, the pruning
        and every fine-tuning.
    test_rows : tuple of int
        The rows the model was scored on.
    epochs_run : int or None
        Epochs trained (neural nets only; for ``"mlp-pruned"`` summed over the dense fit and fine-tunings).
    dead_readouts : tuple of int
        Orders whose readout is constant on every training row (neural nets; should be empty).
    constant_features : tuple of str
        Features constant on this seed's training rows, given zero similarity in the network (neural nets
        only; see :attr:`hnnviz.network.FilteredNetwork.constant_features`).
    build_seconds : float
        Wall time of wiring a neural net before its fit: the IFN and clique complex of the training rows and
        the model build (0 for the classical models).
    """

    model: str
    seed: int
    metrics: dict[str, float]
    n_params: int
    seconds: float
    test_rows: tuple[int, ...]
    epochs_run: int | None = None
    dead_readouts: tuple[int, ...] = ()
    constant_features: tuple[str, ...] = ()
    build_seconds: float = 0.0

    @classmethod
    def of_run(cls, run: Run, name: str, seed: int, build_seconds: float = 0.0) -> ModelRecord:
        """The record of a trained run, scored on its own test rows (its time is the training call's)."""
        result = run.result
        return cls(
            model=name,
            seed=seed,
            metrics=result.metrics["test"],
            n_params=run.model.n_params,
            seconds=result.seconds,
            test_rows=tuple(result.split.test.tolist()),
            epochs_run=result.epochs_run,
            dead_readouts=result.dead_readouts,
            constant_features=run.network.constant_features,
            build_seconds=build_seconds,
        )

    @property
    def size_unit(self) -> str:
        """``"nodes"`` for gradient boosting, ``"bins"`` for the EBM, ``"params"`` for every other model."""
        return _SIZE_UNITS.get(self.model, "params")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``test_rows`` replaced by their count, ``n_test``)."""
        out = asdict(self)
        out["n_test"] = len(out.pop("test_rows"))
        out["dead_readouts"] = list(self.dead_readouts)
        out["constant_features"] = list(self.constant_features)
        out["size_unit"] = self.size_unit
        return out


@dataclass(frozen=True)
class Comparison:
    """Every model fitted with every seed on shared splits, as returned by :func:`compare_models`.

    Attributes
    ----------
    task : {"regression", "classification"}
    metric : str
        The primary metric: ``"r2"`` (regression) or ``"accuracy"`` (classification).
    models : tuple of str
        Model names, in the requested order.
    seeds : tuple of int
    records : tuple of ModelRecord
        One per (seed, model), seed-major.
    dataset_name : str
    """

    task: str
    metric: str
    models: tuple[str, ...]
    seeds: tuple[int, ...]
    records: tuple[ModelRecord, ...]
    dataset_name: str = ""

    def of(self, model: str) -> tuple[ModelRecord, ...]:
        """The records of one model, one per seed."""
        return tuple(r for r in self.records if r.model == model)

    @property
    def constant_features(self) -> dict[int, tuple[str, ...]]:
        """Per seed, the features constant on its training rows (zero similarity in its networks); seeds
        without any are left out."""
        found: dict[int, tuple[str, ...]] = {}
        for record in self.records:
            if record.constant_features:
                found[record.seed] = record.constant_features
        return found

    @property
    def param_ratio(self) -> float | None:
        """Mean MLP parameters over mean HNN parameters (``None`` unless both were compared)."""
        if "hnn" not in self.models or "mlp" not in self.models:
            return None
        return _mean_params(self.of("mlp")) / _mean_params(self.of("hnn"))

    def summary(self) -> list[dict[str, Any]]:
        """One row per model: the primary metric's mean and spread over seeds, size and fit time.

        Returns
        -------
        list of dict
            Keys ``model``, ``metric``, ``mean``, ``std`` (``ddof=1`` over seeds; 0 for one seed),
            ``n_params`` (mean), ``size_unit`` (``"params"``, ``"nodes"`` for ``"gbm"``, ``"bins"`` for ``"ebm"``),
            ``params_vs_hnn`` (``n_params`` over the HNN's; ``None`` for a size that is not parameters or without
            ``"hnn"``), ``seconds`` (mean) and
            ``n_seeds``.
        """
        hnn = _mean_params(self.of("hnn")) if "hnn" in self.models else None
        rows = []
        for model in self.models:
            records = self.of(model)
            scores = np.array([r.metrics[self.metric] for r in records])
            n_params = _mean_params(records)
            rows.append(
                {
                    "model": model,
                    "metric": self.metric,
                    "mean": float(scores.mean()),
                    "std": float(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
                    "n_params": n_params,
                    "size_unit": records[0].size_unit,
                    "params_vs_hnn": None if hnn is None or model in _SIZE_UNITS else n_params / hnn,
                    "seconds": float(np.mean([r.seconds for r in records])),
                    "n_seeds": len(records),
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the fields, ``param_ratio``, ``constant_features`` (seeds as strings), ``summary()``
        as ``models``, and every record."""
        return {
            "dataset": self.dataset_name,
            "task": self.task,
            "metric": self.metric,
            "seeds": list(self.seeds),
            "param_ratio": self.param_ratio,
            "constant_features": {str(seed): list(names) for seed, names in self.constant_features.items()},
            "models": self.summary(),
            "records": [r.to_dict() for r in self.records],
        }


def _mean_params(records: Sequence[ModelRecord]) -> float:
    return float(np.mean([r.n_params for r in records]))


def parse_model_name(name: str) -> tuple[str, int | None]:
    """Split a model name into its kind and its maximum simplex order.

    Returns
    -------
    kind : {"hnn", "mlp", "mlp-pruned", "linear", "gbm", "ebm"}
    max_order : int or None
        ``K`` for ``"hnn-order<K>"``; ``None`` otherwise (all orders of the spec).

    Raises
    ------
    InputValidationError
        If ``name`` is not a known model.

    Examples
    --------
    >>> parse_model_name("hnn-order2"), parse_model_name("mlp-pruned")
    (('hnn', 2), ('mlp-pruned', None))
    """
    if name in BASE_MODELS + OPTIONAL_MODELS:
        return name, None
    match = _ORDER_MODEL.fullmatch(str(name))
    if match is None:
        choices = ", ".join(repr(m) for m in BASE_MODELS + OPTIONAL_MODELS)
        raise InputValidationError(
            f"The 'models' parameter of compare_models must list models among {choices} or 'hnn-order<K>' "
            f"(e.g. 'hnn-order2'). Got {name!r} instead."
        )
    return "hnn", int(match.group(1))


def _unique(values: Any, name: str) -> tuple[Any, ...]:
    """``values`` as a non-empty tuple without repeats (a lone string counts as one value)."""
    try:
        values = (values,) if isinstance(values, str) else tuple(values)
    except TypeError:
        values = None
    if not values or len(set(values)) != len(values):
        raise InputValidationError(
            f"The '{name}' parameter of compare_models must be a non-empty sequence without repeats. "
            f"Got {values!r} instead."
        )
    return values


def compare_models(
    dataset: Dataset,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    models: Sequence[str] = BASE_MODELS,
    spec: ModelSpec | None = None,
    config: TrainConfig | Mapping[str, TrainConfig] | None = None,
    ifn: IFNSpec | None = None,
    callback: Callable[[str, int, int, int], None] | None = None,
    threads: int | None = THREADS,
) -> Comparison:
    """Fit every model with every seed on one shared split per seed and score them on the same test rows.

    Parameters
    ----------
    dataset : Dataset
        Must have a target.
    seeds : sequence of int, default (0, 1, 2)
        Each seed makes one split (shared by all models) and seeds every model's initial weights, batch
        order or randomness.
    models : sequence of str, default ("hnn", "mlp", "linear", "gbm")
        Names among :data:`BASE_MODELS`, :data:`OPTIONAL_MODELS` (``"mlp-pruned"``, ``"ebm"``) or
        ``"hnn-order<K>"`` (see the module docstring).
    spec : ModelSpec, optional
        Widths, activation and readouts of the neural nets (``kind`` and, for ``hnn-order<K>``,
        ``max_order`` are set per model).
    config : TrainConfig or mapping of str to TrainConfig, optional
        Training protocol and split sizes (its ``seed`` is replaced by each seed; ``test_size`` must be > 0):
        one for every neural net, or one per kind (``{"hnn": ..., "mlp": ...}``; ``hnn-order<K>`` trains as
        ``"hnn"``, ``mlp-pruned`` as ``"mlp"``) with the same split sizes. Default: each kind's own,
        :func:`hnnviz.specs.default_config`.
    ifn : IFNSpec, optional
        Similarity and filtering options (default ``IFNSpec()``); the network is built from each split's
        training rows.
    callback : callable, optional
        ``callback(model, seed, done, total)`` after each fit, with ``done`` fits finished of ``total``.
    threads : int or None, default THREADS (1)
        OpenMP and BLAS threads every fit may use (torch's and scikit-learn's; restored afterwards). ``None``
        leaves the process's settings.

    Returns
    -------
    Comparison

    Raises
    ------
    InputValidationError
        If the dataset has no target, a model name is unknown, ``"ebm"`` is asked for without
        ``interpret-core`` installed, ``seeds`` or ``models`` is empty or has
        repeats, a seed is not a non-negative int, ``threads`` is not a positive int or None, ``ifn`` is not
        an IFNSpec, ``config`` is neither a TrainConfig nor one per kind with the same split sizes, or its
        ``test_size`` is 0.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 5))
    >>> ds = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1] + X[:, 2], target="y",
    ...              task="regression")
    >>> comp = compare_models(ds, seeds=(0,), models=("hnn", "linear"), config=TrainConfig(defaults="mlp", epochs=2))
    >>> [(row["model"], row["metric"], row["n_params"]) for row in comp.summary()]
    [('hnn', 'r2', 694.0), ('linear', 'r2', 6.0)]
    """
    spec, configs = spec or ModelSpec(), _configs(config)
    if dataset.y is None or dataset.task is None:
        raise InputValidationError(f"Data set {dataset.name!r} has no target column: choose one to compare models.")
    if configs["hnn"].test_size == 0:
        raise InputValidationError(
            "The 'config' parameter of compare_models must keep a test part (test_size > 0). Got test_size=0 instead."
        )
    kinds = {name: parse_model_name(name) for name in _unique(models, "models")}
    seeds = tuple(check_int(s, name="seeds", owner="compare_models", low=0) for s in _unique(seeds, "seeds"))
    if threads is not None:
        threads = check_int(threads, name="threads", owner="compare_models", low=1)
    ifn = check_ifn(ifn, owner="compare_models")
    with _thread_budget(threads):
        records = _fit_all(dataset, kinds, seeds, spec, configs, ifn, callback)
    return Comparison(
        task=dataset.task,
        metric=PRIMARY_METRICS[dataset.task],
        models=tuple(kinds),
        seeds=seeds,
        records=tuple(records),
        dataset_name=dataset.name,
    )


def _configs(config: TrainConfig | Mapping[str, TrainConfig] | None) -> dict[str, TrainConfig]:
    """The training protocol of each neural kind; they must agree on the split sizes (one split per seed)."""
    if config is None:
        return {kind: default_config(kind) for kind in MODEL_KINDS}
    if isinstance(config, TrainConfig):
        return dict.fromkeys(MODEL_KINDS, config)
    if not (
        isinstance(config, Mapping)
        and set(config) == set(MODEL_KINDS)
        and all(isinstance(c, TrainConfig) for c in config.values())
    ):
        raise InputValidationError(
            "The 'config' parameter of compare_models must be a TrainConfig, one per kind "
            f"({', '.join(MODEL_KINDS)}) or None. Got {short_repr(config)} instead."
        )
    if len({(c.val_size, c.test_size) for c in config.values()}) > 1:
        raise InputValidationError(
            "The 'config' parameter of compare_models must give every kind the same val_size and test_size: all "
            "models share one split per seed."
        )
    return dict(config)


@contextmanager
def _thread_budget(threads: int | None) -> Iterator[None]:
    """Limit torch's intra-op threads and every OpenMP/BLAS pool to ``threads`` (``None``: no change).

    Both are needed: threadpoolctl alone does not override an explicit ``torch.set_num_threads``.
    """
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)


def _fit_all(
    dataset: Dataset,
    kinds: dict[str, tuple[str, int | None]],
    seeds: tuple[int, ...],
    spec: ModelSpec,
    configs: dict[str, TrainConfig],
    ifn: IFNSpec,
    callback: Callable[[str, int, int, int], None] | None,
) -> list[ModelRecord]:
    """Every (seed, model) fit, seed-major, with one split per seed shared by all models.

    ``kinds`` maps each model name to its :func:`parse_model_name` result.
    """
    records, total = [], len(seeds) * len(kinds)
    sizes = configs["hnn"]
    for seed in seeds:
        split = split_rows(
            dataset.n_rows, dataset.y, dataset.task, val_size=sizes.val_size, test_size=sizes.test_size, seed=seed
        )
        for name, (kind, max_order) in kinds.items():
            if kind == "mlp-pruned":
                record = _fit_pruned(dataset, spec, replace(configs["mlp"], seed=seed), split, ifn)
            elif kind in _NEURAL:
                model_spec = replace(spec, kind=kind, max_order=spec.max_order if max_order is None else max_order)
                record = _fit_neural(dataset, name, model_spec, replace(configs[kind], seed=seed), split, ifn)
            else:
                record = fit_classical(dataset, name, seed, split)
            records.append(record)
            if callback is not None:
                callback(name, seed, len(records), total)
    return records


def _fit_neural(
    dataset: Dataset, name: str, spec: ModelSpec, config: TrainConfig, split: Split, ifn: IFNSpec
) -> ModelRecord:
    """Fit one net; its time is the training call's (``TrainResult.seconds``), the rest of ``train_run`` is its
    build."""
    start = time.perf_counter()
    run = train_run(dataset, spec, config=config, split=split, ifn=ifn)
    return ModelRecord.of_run(run, name, config.seed, build_seconds=time.perf_counter() - start - run.result.seconds)


def _fit_pruned(dataset: Dataset, spec: ModelSpec, config: TrainConfig, split: Split, ifn: IFNSpec) -> ModelRecord:
    run = train_pruned(dataset, spec, config=config, split=split, ifn=ifn)
    pruned, result = run.pruned, run.result
    return ModelRecord(
        model="mlp-pruned",
        seed=config.seed,
        metrics=result.metrics["test"],
        n_params=pruned.n_params,
        seconds=pruned.seconds,
        test_rows=tuple(result.split.test.tolist()),
        epochs_run=pruned.epochs_run,
        dead_readouts=result.dead_readouts,
        constant_features=run.network.constant_features,
        build_seconds=run.build_seconds,
    )


def _classical_estimator(kind: str, task: str, seed: int) -> BaseEstimator:
    if kind == "linear":
        linear = LinearRegression() if task == "regression" else LogisticRegression(max_iter=2000)
        return make_pipeline(StandardScaler(), linear)
    if kind == "ebm":
        return _ebm(task, seed)
    if task == "regression":
        return HistGradientBoostingRegressor(random_state=seed)
    return HistGradientBoostingClassifier(random_state=seed)


def _ebm(task: str, seed: int) -> BaseEstimator:
    """InterpretML's Explainable Boosting Machine: its defaults, one process, ``random_state=seed``."""
    try:
        from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
    except ImportError as err:
        raise InputValidationError(
            "The 'ebm' model needs the interpret-core package: pip install interpret-core (or hnnviz[dev])."
        ) from err
    model = ExplainableBoostingRegressor if task == "regression" else ExplainableBoostingClassifier
    return model(random_state=seed, n_jobs=1)


def fit_classical(dataset: Dataset, kind: str, seed: int, split: Split) -> ModelRecord:
    """Fit the classical model ``kind`` (``"linear"``, ``"gbm"`` or ``"ebm"``) on a split's training and validation
    rows and score it on its test rows, as :func:`compare_models` does (the nets use validation rows only to stop).

    For baselines on the split of a run that is already trained (the report, the app).

    Raises
    ------
    InputValidationError
        If ``kind`` is not a classical model, the dataset has no target, or ``"ebm"`` is asked for without
        ``interpret-core`` installed.
    """
    check_in(kind, _CLASSICAL, name="kind", owner="fit_classical")
    if dataset.y is None or dataset.task is None:
        raise InputValidationError(f"Data set {dataset.name!r} has no target column: choose one to fit a baseline.")
    estimator = _classical_estimator(kind, dataset.task, seed)
    fit_rows = np.concatenate([split.train, split.val])
    start = time.perf_counter()
    estimator.fit(dataset.X[fit_rows], dataset.y[fit_rows])
    seconds = time.perf_counter() - start
    X_test = dataset.X[split.test]
    if dataset.task == "regression":
        prediction = estimator.predict(X_test)
    else:
        prediction = _all_class_probabilities(estimator, X_test, len(dataset.classes))
    return ModelRecord(
        model=kind,
        seed=seed,
        metrics=metrics(dataset.y[split.test], prediction, dataset.task),
        n_params=_classical_size(estimator),
        seconds=seconds,
        test_rows=tuple(split.test.tolist()),
    )


def _all_class_probabilities(estimator: BaseEstimator, X: np.ndarray, n_classes: int) -> np.ndarray:
    """``predict_proba`` with one column per class code ``0..n_classes-1`` (classes unseen in fit get 0)."""
    proba = np.zeros((len(X), n_classes))
    proba[:, estimator.classes_.astype(int)] = estimator.predict_proba(X)
    return proba


def _classical_size(estimator: BaseEstimator) -> int:
    """Coefficients plus intercepts of a linear pipeline, the bins of an EBM's score tables, or the tree nodes of
    a gradient boosting model."""
    if isinstance(estimator, Pipeline):
        linear = estimator[-1]
        return int(np.size(linear.coef_) + np.size(linear.intercept_))
    if hasattr(estimator, "term_scores_"):
        return int(sum(np.size(scores) for scores in estimator.term_scores_))
    # scikit-learn exposes no public tree structure for histogram boosting; _predictors holds one
    # TreePredictor per iteration and per class, each with its array of nodes.
    return sum(len(tree.nodes) for trees in estimator._predictors for tree in trees)
