"""scikit-learn-style common checks, run on every hnnviz estimator."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import cross_val_score

from hnnviz.estimators import HNNClassifier, HNNRegressor
from hnnviz.exceptions import HNNVizError, InputValidationError, NotFittedError, TooFewFeaturesError
from hnnviz.pipeline import IFNSpec

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
    for name in ("graph_", "complex_", "model_", "history_", "train_result_", "x_scaler_", "n_features_in_"):
        assert hasattr(estimator, name), name
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


def test_too_few_features_raises(estimator_class: type[BaseEstimator]) -> None:
    X, y = make_data(estimator_class)
    X = X[:, :3]
    with pytest.raises(TooFewFeaturesError, match="needs at least 4 features; got 3"):
        estimator_class(**FAST).fit(X, y)


@pytest.mark.parametrize("labels", [["only"] * 120, [7] * 120])
def test_classifier_with_one_class_raises(labels: list[Any]) -> None:
    X, _ = make_data(HNNClassifier)
    with pytest.raises(InputValidationError, match="needs at least 2 classes"):
        HNNClassifier(**FAST).fit(X, np.array(labels))


def test_errors_share_the_base_class(estimator_class: type[BaseEstimator]) -> None:
    for error in (NotFittedError, InputValidationError, TooFewFeaturesError):
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
