"""The app's router module: page paths and the thread budget that ``hnnviz app --workers N`` sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_pages.main import PAGE_TABLE, page_path, thread_budget
from hnnviz.exceptions import InputValidationError
from hnnviz.model import THREADS
from hnnviz.specs import WORKERS_VARIABLE


def test_every_page_path_is_an_absolute_existing_script() -> None:
    for script, *_ in PAGE_TABLE:
        path = Path(page_path(script))
        assert path.is_absolute() and path.is_file()


@pytest.mark.parametrize(("value", "budget"), [(None, THREADS), ("", THREADS), ("4", 4), (" 2 ", 2)])
def test_the_thread_budget_comes_from_the_workers_variable(monkeypatch, value: str | None, budget: int) -> None:
    if value is None:
        monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(WORKERS_VARIABLE, value)
    assert thread_budget() == budget


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_workers_variable_is_refused(monkeypatch, value: str) -> None:
    monkeypatch.setenv(WORKERS_VARIABLE, value)
    with pytest.raises(InputValidationError, match=rf"HNNVIZ_WORKERS must be a positive integer; got '{value}'\."):
        thread_budget()
