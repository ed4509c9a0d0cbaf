"""scikit-learn estimators: ``HNNRegressor`` and ``HNNClassifier``.

``fit`` is :func:`hnnviz.model.train_run` on the rows it is given: it holds out ``validation_fraction`` of
them (seeded by ``random_state``, stratified for a classifier) to drive early stopping, builds the
similarity matrix, the information filtering network and its clique complex from the remaining training
rows only, wires an :class:`~hnnviz.model.HNN` with it and trains it with the shared protocol of
:mod:`hnnviz.model`. So an estimator and ``train_run`` with the same rows, options and seed build the same
network and the same model. Nothing is learned from the rows given to ``predict`` or ``score``, so
``cross_val_score`` is leak-free.

Any number of features is accepted: on 1 to 3 features the TMFG is the complete graph (see
:func:`hnnviz.network.tmfg`). A feature constant on the training rows gets zero similarity to every other and
is listed in ``constant_features_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ..data import Dataset
from ..exceptions import InputValidationError, NotFittedError, TooFewRowsError
from ..network import CliqueComplex, FilteredGraph, FilteredNetwork, check_ifn
from ..specs import DEFAULT_TRAINING, IFNSpec, ModelSpec, TrainConfig
from ._nets import HNN
from ._run import build_model, train_run
from ._train import Scaler, Split, TrainResult, predict, split_rows

__all__ = ["HNNClassifier", "HNNRegressor"]

_DEFAULTS = DEFAULT_TRAINING["hnn"]


class _HNNEstimator(BaseEstimator):
    """Shared parameters, fitting and prediction of the HNN estimators."""

    _task: str

    def __init__(
        self,
        *,
        ifn: IFNSpec | None = None,
        channels: int = 4,
        max_order: int | None = None,
        activation: str = "gelu",
        epochs: int = _DEFAULTS.epochs,
        batch_size: int = _DEFAULTS.batch_size,
        lr: float = _DEFAULTS.lr,
        weight_decay: float = _DEFAULTS.weight_decay,
        patience: int = _DEFAULTS.patience,
        schedule: str = _DEFAULTS.schedule,
        validation_fraction: float = 0.2,
        random_state: int = 0,
        device: str = "auto",
    ) -> None:
        self.ifn = ifn
        self.channels = channels
        self.max_order = max_order
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.patience = patience
        self.schedule = schedule
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.device = device

    def _train_config(self) -> TrainConfig:
        return TrainConfig(
            defaults="hnn",
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            patience=self.patience,
            schedule=self.schedule,
            val_size=self.validation_fraction,
            test_size=0.0,
            seed=self.random_state,
            device=self.device,
        )

    def _validate(self, X: Any, y: Any = None, *, reset: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """sklearn's shared checks (shape, finiteness, ``n_features_in_``), re-raised as our error type."""
        if reset and y is None:
            raise InputValidationError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        try:
            if y is None:
                return validate_data(self, X, reset=reset, dtype=np.float64), None
            return validate_data(self, X, y, reset=reset, dtype=np.float64, y_numeric=self._task == "regression")
        except ValueError as err:
            raise InputValidationError(f"{type(self).__name__}: {err}") from err

    def _model_spec(self) -> ModelSpec:
        return ModelSpec("hnn", channels=self.channels, max_order=self.max_order, activation=self.activation)

    def build_model(self, complex: CliqueComplex, n_outputs: int) -> HNN:
        """The untrained HNN this estimator wires on ``complex``, initialised from ``random_state``."""
        return build_model(self._model_spec(), complex, n_outputs, self.random_state)

    def _split(self, y: np.ndarray, config: TrainConfig) -> Split:
        """The seeded training/validation split of ``fit``, with at least 3 training rows."""
        n, name = len(y), type(self).__name__
        samples = f"{n} sample{'' if n == 1 else 's'}"
        try:
            split = split_rows(n, y, self._task, val_size=config.val_size, test_size=0.0, seed=config.seed)
        except InputValidationError as err:
            raise InputValidationError(f"{name} cannot hold out validation rows from {samples}: {err}") from err
        if len(split.train) < 3:
            raise TooFewRowsError(
                f"{name} needs at least 3 training rows besides its {len(split.val)} validation row(s) "
                f"(validation_fraction={self.validation_fraction}); got {samples}."
            )
        return split

    def _fit(self, X: np.ndarray, y: np.ndarray, classes: tuple[Any, ...] | None) -> _HNNEstimator:
        """:func:`train_run` on ``(X, y)`` (``y`` as class codes into ``classes`` for a classifier)."""
        config = self._train_config()  # validates the training parameters before any work
        ifn = check_ifn(self.ifn, owner=type(self).__name__)
        names = getattr(self, "feature_names_in_", [f"x{j}" for j in range(X.shape[1])])
        dataset = Dataset(
            X=X, feature_names=tuple(str(n) for n in names), y=y, target="y", task=self._task, classes=classes,
            name=type(self).__name__,
        )  # fmt: skip
        run = train_run(dataset, self._model_spec(), config=config, ifn=ifn, split=self._split(y, config))
        result = run.result
        self.network_: FilteredNetwork = run.network
        self.graph_: FilteredGraph = run.network.graph
        self.complex_: CliqueComplex = run.network.complex
        self.constant_features_ = np.array(run.network.constant_features, dtype=object)
        self.model_: HNN = result.model
        self.train_result_: TrainResult = result
        self.history_ = result.history
        self.x_scaler_: Scaler = result.x_scaler
        self.y_scaler_: Scaler | None = result.y_scaler
        return self

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate arguments first."
            )

    def _forward(self, X: Any) -> np.ndarray:
        self._check_is_fitted()
        X, _ = self._validate(X, reset=False)
        inputs = self.x_scaler_.inputs(X, owner=f"{type(self).__name__}.predict")
        return predict(self.model_, inputs, self._task, self.y_scaler_)


class HNNRegressor(RegressorMixin, _HNNEstimator):
    """Homological Neural Network regressor.

    Parameters
    ----------
    ifn : IFNSpec or None, default None
        Dependency measure between features and information filtering network (None: ``IFNSpec()``, a
        TMFG on squared Pearson correlations).
    channels : int, default 4
        Hidden channels per simplex.
    max_order : int or None, default None
        Highest simplex order wired (None: all).
    activation : {"gelu", "relu", "tanh"}, default "gelu"
    epochs, batch_size, lr, weight_decay, patience, schedule
        Training protocol (:class:`hnnviz.specs.TrainConfig`); the defaults are the HNN's
        (:data:`hnnviz.specs.DEFAULT_TRAINING`: 200 epochs, lr 0.06 with a cosine decay, weight decay 0.1,
        patience 50).
    validation_fraction : float, default 0.2
        Share of the training rows held out to drive early stopping.
    random_state : int, default 0
        Seeds the validation split, the initial weights and the batch order.
    device : str, default "auto"
        Where to train (:func:`hnnviz.devices.resolve_device`); the fitted model lives on the CPU.

    Attributes
    ----------
    network_ : FilteredNetwork
        Similarity matrix, filtered graph and clique complex of the training rows (the validation rows held
        out), with feature names ``feature_names_in_`` or ``x0, x1, ...``.
    graph_ : FilteredGraph
        ``network_.graph``.
    complex_ : CliqueComplex
        ``network_.complex``.
    constant_features_ : ndarray of str
        Features constant on the training rows: given zero similarity to every other, they carry no
        information (see :attr:`hnnviz.network.FilteredNetwork.constant_features`). Usually empty.
    model_ : HNN
        The trained network (best validation epoch).
    history_ : tuple of EpochRecord
    train_result_ : TrainResult
    x_scaler_, y_scaler_ : Scaler
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 6))
    >>> y = X[:, 0] * X[:, 1] + X[:, 2]
    >>> model = HNNRegressor(epochs=20, random_state=0).fit(X, y)
    >>> model.complex_.f_vector, model.predict(X[:3]).shape
    ((6, 12, 10, 3), (3,))
    >>> HNNRegressor(ifn=IFNSpec(method="mfcf", max_clique_size=3), epochs=5).fit(X, y).complex_.f_vector
    (6, 9, 4)
    """

    _task = "regression"

    def fit(self, X: Any, y: Any) -> HNNRegressor:
        """Train on ``(X, y)`` (IFN and complex from the training rows, see the module docstring); return ``self``."""
        X, y = self._validate(X, y, reset=True)
        return self._fit(X, y.astype(np.float64), classes=None)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape ``(n,)``."""
        return self._forward(X)


class HNNClassifier(ClassifierMixin, _HNNEstimator):
    """Homological Neural Network classifier (any number of classes).

    Parameters and attributes are those of :class:`HNNRegressor` (no ``y_scaler_``), plus ``classes_``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    >>> clf = HNNClassifier(epochs=20).fit(X, y)
    >>> clf.classes_.tolist(), clf.predict_proba(X[:2]).shape
    (['no', 'yes'], (2, 2))
    """

    _task = "classification"

    def fit(self, X: Any, y: Any) -> HNNClassifier:
        """Train on ``(X, y)`` (IFN and complex from the training rows, see the module docstring); return ``self``."""
        X, y = self._validate(X, y, reset=True)
        try:
            check_classification_targets(y)
        except ValueError as err:
            raise InputValidationError(f"HNNClassifier: {err}") from err
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise InputValidationError(
                f"HNNClassifier needs at least 2 classes; got 1 class: {self.classes_.tolist()}."
            )
        return self._fit(X, encoder.transform(y), classes=tuple(self.classes_.tolist()))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n, n_classes)``, columns in the order of ``classes_``."""
        return self._forward(X)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row."""
        probabilities = self.predict_proba(X)  # checks first that the estimator is fitted
        return self.classes_[probabilities.argmax(axis=1)]
