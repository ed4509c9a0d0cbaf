"""Shared fixtures and helpers of the test suite."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from hnnviz.model import THREADS


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


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """The suite trains many tiny models: on one thread each is several times faster than on two contended ones."""
    threads = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def small_W() -> np.ndarray:
    return random_similarity(12, seed=7)
