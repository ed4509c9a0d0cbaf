"""scikit-learn-style common checks, run on every hnnviz estimator."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from hnnviz.data import Dataset
from hnnviz.exceptions import HNNVizError, InputValidationError, NotFittedError, TooFewRowsError
from hnnviz.model import HNNClassifier, HNNRegressor, split_rows, train_run
from hnnviz.network import filter_network
from hnnviz.specs import IFNSpec, ModelSpec, default_config

ESTIMATORS = [HNNRegressor, HNNClassifier]
FAST = {"epochs": 8, "channels": 2, "batch_size": 64, "random_state": 0}


def make_data(estimator_class: type[BaseEstimator]) -> tuple[np.ndarray, np.ndarray]:
    """Small data for an estimator: 120 rows x 6 features, three string classes for the classifier."""
    if estimator_class is HNNClassifier:
        X, codes = make_classification(
            n_samples=120, n_features=6, n_informative=3, n_redundant=1, n_classes=3, random_state=0
        )
        return X, np.array(["low", "mid", "high"])[codes]
    X, y = make_regression(n_samples=120, n_features=6, n_informative=4, noise=5.0, random_state=0)
    return X, y


def last_method(estimator: BaseEstimator) -> str:
    """The most detailed prediction method: ``predict_proba`` for a classifier, else ``predict``."""
    return "predict_proba" if isinstance(estimator, HNNClassifier) else "predict"


def outputs(estimator: BaseEstimator, X: np.ndarray) -> list[np.ndarray]:
    """Everything an estimator predicts for ``X``."""
    methods = ("predict", "predict_proba") if isinstance(estimator, HNNClassifier) else ("predict",)
    return [getattr(estimator, m)(X) for m in methods]


def assert_same_outputs(a: BaseEstimator, b: BaseEstimator, X: np.ndarray) -> None:
    for out_a, out_b in zip(outputs(a, X), outputs(b, X), strict=True):
        assert np.array_equal(out_a, out_b)


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda c: c.__name__)
def fitted(request: pytest.FixtureRequest) -> tuple[BaseEstimator, np.ndarray, np.ndarray]:
    """One fitted estimator of each class, shared by the tests that only read it."""
    X, y = make_data(request.param)
    return request.param(**FAST).fit(X, y), X, y


@pytest.fixture(params=ESTIMATORS, ids=lambda c: c.__name__)
def estimator_class(request: pytest.FixtureRequest) -> type[BaseEstimator]:
    return request.param


def test_fit_returns_self(estimator_class: type[BaseEstimator]) -> None:
    X, y = make_data(estimator_class)
    estimator = estimator_class(**FAST)
    assert estimator.fit(X, y) is estimator


def test_fit_sets_learned_attributes(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray]) -> None:
    estimator, X, y = fitted
    for name in ("network_", "graph_", "complex_", "model_", "history_", "train_result_", "x_scaler_"):
        assert hasattr(estimator, name), name
    assert estimator.graph_ is estimator.network_.graph and estimator.complex_ is estimator.network_.complex
    assert estimator.network_.feature_names == tuple(f"x{j}" for j in range(X.shape[1]))
    assert estimator.constant_features_.tolist() == []
    assert estimator.n_features_in_ == X.shape[1]
    assert estimator.complex_.n_vertices == X.shape[1]
    assert not hasattr(estimator, "feature_names_in_")  # only set for DataFrames with string columns
    if isinstance(estimator, HNNClassifier):
        assert estimator.classes_.tolist() == sorted(set(y))
        assert set(estimator.predict(X)) <= set(y)
        assert np.allclose(estimator.predict_proba(X).sum(axis=1), 1.0)
    else:
        assert estimator.predict(X).shape == (len(X),)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_unfitted_use_raises(estimator_class: type[BaseEstimator], method: str) -> None:
    if not hasattr(estimator_class, method):
        pytest.skip(f"{estimator_class.__name__} has no {method}")
    X, y = make_data(estimator_class)
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError, match=f"This {estimator_class.__name__} instance is not fitted yet"):
        getattr(estimator_class(), method)(*args)
    with pytest.raises(AttributeError):  # NotFittedError is also an AttributeError, as in scikit-learn
        getattr(estimator_class(), method)(*args)


def test_init_only_stores_parameters(estimator_class: type[BaseEstimator]) -> None:
    estimator = estimator_class(channels=3, epochs=7)
    assert not [k for k in vars(estimator) if k.endswith("_")]
    assert estimator.get_params()["channels"] == 3


def test_get_set_params_round_trip(estimator_class: type[BaseEstimator]) -> None:
    params = estimator_class(**FAST, activation="tanh", ifn=IFNSpec(method="mfcf")).get_params()
    other = estimator_class()
    assert other.set_params(**params) is other
    assert other.get_params() == params
    with pytest.raises(ValueError, match="Invalid parameter"):
        other.set_params(no_such_parameter=1)


def test_ifn_spec_is_a_parameter(estimator_class: type[BaseEstimator]) -> None:
    ifn = IFNSpec("spearman2", "mfcf", max_clique_size=3)
    estimator = estimator_class(**FAST, ifn=ifn)
    assert estimator.get_params()["ifn"] is ifn and clone(estimator).get_params()["ifn"] == ifn
    assert estimator_class().get_params()["ifn"] is None  # None means IFNSpec()
    X, y = make_data(estimator_class)
    fitted = estimator.fit(X, y)
    assert fitted.graph_.method == "mfcf" and max(len(c) for c in fitted.graph_.cliques) == 3
    assert "ifn=IFNSpec(similarity='spearman2'" in repr(estimator)  # sklearn's pretty printer wraps the rest


def test_bad_ifn_raises_on_fit(estimator_class: type[BaseEstimator]) -> None:
    X, y = make_data(estimator_class)
    estimator = estimator_class(**FAST, ifn={"method": "mst"})  # stored as given, checked by fit
    with pytest.raises(InputValidationError, match=f"'ifn' parameter of {estimator_class.__name__} must be an IFNSpec"):
        estimator.fit(X, y)


def test_clone_is_unfitted_with_equal_params(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray]) -> None:
    estimator, X, _ = fitted
    copy = clone(estimator)
    assert type(copy) is type(estimator)
    assert copy.get_params() == estimator.get_params()
    assert not hasattr(copy, "model_")
    with pytest.raises(NotFittedError):
        getattr(copy, last_method(copy))(X)


def test_repr(estimator_class: type[BaseEstimator]) -> None:
    text = repr(estimator_class(channels=3, activation="relu"))
    assert text.startswith(f"{estimator_class.__name__}(")
    assert "channels=3" in text and "activation='relu'" in text
    assert repr(estimator_class()) == f"{estimator_class.__name__}()"


def test_pickle_round_trip(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray]) -> None:
    estimator, X, _ = fitted
    restored = pickle.loads(pickle.dumps(estimator))  # our own object, made in this test
    assert restored.get_params() == estimator.get_params()
    assert_same_outputs(estimator, restored, X)


def test_wrong_feature_count_raises(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray]) -> None:
    estimator, X, _ = fitted
    with pytest.raises(InputValidationError, match=f"X has {X.shape[1] - 1} features.*expecting {X.shape[1]}"):
        estimator.predict(X[:, :-1])


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_dataframe_sets_feature_names(estimator_class: type[BaseEstimator]) -> None:
    X, y = make_data(estimator_class)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    estimator = estimator_class(**FAST).fit(frame, y)
    assert estimator.feature_names_in_.tolist() == list(frame.columns)
    method = last_method(estimator)
    assert np.array_equal(getattr(estimator, method)(frame), getattr(estimator, method)(X))


def test_predictions_do_not_depend_on_memory_layout(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray]) -> None:
    estimator, X, _ = fitted
    method = getattr(estimator, last_method(estimator))
    assert np.array_equal(method(np.ascontiguousarray(X)), method(np.asfortranarray(X)))


def test_cross_val_score(estimator_class: type[BaseEstimator]) -> None:
    X, y = make_data(estimator_class)
    scores = cross_val_score(estimator_class(**FAST), X, y, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()


def test_random_state_makes_fits_reproducible(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray]) -> None:
    estimator, X, y = fitted
    same = clone(estimator).fit(X, y)
    assert_same_outputs(estimator, same, X)
    other = clone(estimator).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(outputs(estimator, X)[-1], outputs(other, X)[-1])


@pytest.mark.parametrize("where", ["fit", "predict"])
def test_nan_in_X_raises(fitted: tuple[BaseEstimator, np.ndarray, np.ndarray], where: str) -> None:
    estimator, X, y = fitted
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(InputValidationError, match="NaN"):
        if where == "fit":
            clone(estimator).fit(X_nan, y)
        else:
            estimator.predict(X_nan)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_one_to_three_features_wire_the_complete_graph(estimator_class: type[BaseEstimator], p: int) -> None:
    X, y = make_data(estimator_class)
    estimator = estimator_class(**FAST).fit(X[:, :p], y)
    assert estimator.graph_.cliques == (tuple(range(p)),) and estimator.graph_.separators == ()
    assert estimator.complex_.f_vector == ((1,), (2, 1), (3, 3, 1))[p - 1]
    assert getattr(estimator, last_method(estimator))(X[:5, :p]).shape[0] == 5


def test_the_network_comes_from_the_training_rows_only(estimator_class: type[BaseEstimator]) -> None:
    """The rows held out for early stopping never shape the network: it is train_run's, row for row."""
    X, y = make_data(estimator_class)
    X = X.copy()
    estimator = estimator_class(**FAST, validation_fraction=0.25)
    task = "classification" if estimator_class is HNNClassifier else "regression"
    codes = np.unique(y, return_inverse=True)[1] if task == "classification" else y
    split = split_rows(len(X), codes, task, val_size=0.25, test_size=0.0, seed=0)
    X[split.val] *= np.linspace(-3, 3, X.shape[1])  # validation rows that would change every correlation
    estimator.fit(X, y)
    alone = filter_network(X[split.train], [f"x{j}" for j in range(X.shape[1])])
    assert np.array_equal(estimator.network_.similarity, alone.similarity)
    assert estimator.graph_.cliques == alone.graph.cliques
    assert not np.array_equal(filter_network(X, alone.feature_names).similarity, alone.similarity)
    classes = tuple(np.unique(y).tolist()) if task == "classification" else None
    dataset = Dataset(X=X, feature_names=alone.feature_names, y=codes, target="y", task=task, classes=classes)
    config = default_config("hnn", epochs=8, batch_size=64, val_size=0.25, test_size=0.0, seed=0)
    run = train_run(dataset, ModelSpec(channels=2), config=config)
    assert np.array_equal(run.result.split.train, estimator.train_result_.split.train)
    trained, fitted = run.model.state_dict(), estimator.model_.state_dict()
    assert trained.keys() == fitted.keys() and all(torch.equal(trained[k], fitted[k]) for k in trained)


def test_a_feature_constant_on_the_training_rows_is_reported_not_fatal(estimator_class: type[BaseEstimator]) -> None:
    """The split must never make a fit fail: a column that varies only on validation rows gets zero similarity."""
    X, y = make_data(estimator_class)
    X = X.copy()
    task = "classification" if estimator_class is HNNClassifier else "regression"
    codes = np.unique(y, return_inverse=True)[1] if task == "classification" else y
    split = split_rows(len(X), codes, task, val_size=0.2, test_size=0.0, seed=0)
    X[:, 4] = 0.0
    X[split.val[:3], 4] = 1.0  # non-zero on three validation rows only
    estimator = estimator_class(**FAST).fit(X, y)
    assert estimator.constant_features_.tolist() == ["x4"]
    assert estimator.network_.similarity[4].max() == 0.0 and estimator.x_scaler_.scale[4] == 1.0
    assert np.isfinite(getattr(estimator, last_method(estimator))(X)).all()


def test_one_sample_is_refused_saying_so(estimator_class: type[BaseEstimator]) -> None:
    X, y = make_data(estimator_class)
    match = "got 1 class" if estimator_class is HNNClassifier else "from 1 sample: Cannot split 1 rows"
    with pytest.raises(InputValidationError, match=match):
        estimator_class(**FAST).fit(X[:1], y[:1])


def test_too_few_training_rows_raise() -> None:
    X, y = make_data(HNNRegressor)
    match = (
        r"needs at least 3 training rows besides its 1 validation row\(s\) \(validation_fraction=0.2\); got 3 samples"
    )
    with pytest.raises(TooFewRowsError, match=match):
        HNNRegressor(**FAST).fit(X[:3], y[:3])


@pytest.mark.parametrize("labels", [["only"] * 120, [7] * 120])
def test_classifier_with_one_class_raises(labels: list[Any]) -> None:
    X, _ = make_data(HNNClassifier)
    with pytest.raises(InputValidationError, match="needs at least 2 classes"):
        HNNClassifier(**FAST).fit(X, np.array(labels))


def test_errors_share_the_base_class(estimator_class: type[BaseEstimator]) -> None:
    for error in (NotFittedError, InputValidationError, TooFewRowsError):
        assert issubclass(error, HNNVizError)
    estimator = estimator_class()
    with pytest.raises(HNNVizError):
        getattr(estimator, last_method(estimator))(np.zeros((2, 5)))


def test_fit_requires_a_target(estimator_class: type[BaseEstimator]) -> None:
    X, _ = make_data(estimator_class)
    with pytest.raises(InputValidationError, match="requires y to be passed"):
        estimator_class(**FAST).fit(X, None)


def test_classifier_rejects_a_continuous_target() -> None:
    X, _ = make_data(HNNRegressor)
    with pytest.raises(InputValidationError, match="Unknown label type"):
        HNNClassifier(**FAST).fit(X, np.linspace(0, 1, len(X)))


def test_not_fitted_error_is_scikit_learns_too() -> None:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    with pytest.raises(SklearnNotFittedError):
        HNNRegressor().predict(np.zeros((2, 6)))


CHECKED = [HNNRegressor(epochs=30, channels=1, lr=3e-2), HNNClassifier(epochs=30, channels=1, lr=3e-2)]


@parametrize_with_checks(CHECKED)
def test_scikit_learn_check_estimator(estimator: BaseEstimator, check: Any) -> None:
    """Every check of scikit-learn's ``check_estimator`` (about 5 s for both estimators).

    One channel per simplex: scikit-learn asks predictions to match to ``rtol=1e-7`` whatever the other rows
    in the batch, and the batched matmul used from 2 channels on rounds a row's float32 result differently
    by its position in the batch (up to ~2e-7 relative). Enough epochs and a large step for its score checks
    (R^2 > 0.5, accuracy > 0.83 on the training rows).
    """
    check(estimator)
