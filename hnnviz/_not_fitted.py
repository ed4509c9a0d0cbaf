""":class:`NotFittedError`, kept apart so that importing :mod:`hnnviz.exceptions` does not load scikit-learn."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from .exceptions import HNNVizError

__all__ = ["NotFittedError"]


class NotFittedError(HNNVizError, SklearnNotFittedError):
    """An estimator was used before ``fit`` (also scikit-learn's ``NotFittedError``: a ValueError and an
    AttributeError)."""


NotFittedError.__module__ = "hnnviz.exceptions"
