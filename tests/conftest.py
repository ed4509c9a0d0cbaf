"""Shared fixtures and helpers of the test suite."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from similarities import random_similarity

from hnnviz.model import THREADS


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
