"""Random similarity matrices shared by the graph, complex, model and figure tests (import as ``similarities``)."""

from __future__ import annotations

import numpy as np


def random_similarity(p: int, seed: int, *, kind: str = "correlation") -> np.ndarray:
    """A continuous random similarity matrix (no ties): squared correlations of mixed Gaussian data,
    or symmetric uniform noise."""
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        A = rng.random((p, p))
        W = (A + A.T) / 2
    else:
        n = max(3 * p, 30)
        X = rng.normal(size=(n, p)) + 0.5 * rng.normal(size=(n, 1)) * rng.normal(size=p)
        W = np.corrcoef(X, rowvar=False) ** 2
    np.fill_diagonal(W, 0.0)
    return W
