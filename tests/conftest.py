"""Shared fixtures and helpers of the test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from similarities import random_similarity
from streamlit.testing.v1 import AppTest

from hnnviz.model import THREADS

APP = Path(__file__).resolve().parents[1] / "app.py"


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


@pytest.fixture
def at() -> AppTest:
    """The app, opened on its first page without an error (the app tests' starting point)."""
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    return app
