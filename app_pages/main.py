"""The app's router: page settings, the thread budget and the navigation over the page scripts.

``streamlit run app.py`` (a clone, ``make run``) and ``hnnviz app`` (an installed wheel, which runs this file)
both end in :func:`run`. Pages are given by absolute paths, so the router works wherever the main script is.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from hnnviz.exceptions import InputValidationError
from hnnviz.model import THREADS, limit_threads
from hnnviz.specs import WORKERS_VARIABLE

PAGES = Path(__file__).resolve().parent

#: (script, title, icon, url path) of every page, in menu order; the first is the landing page.
PAGE_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("data.py", "Data", ":material/table:", "data"),
    ("network.py", "Network", ":material/hub:", "network"),
    ("complex.py", "Complex", ":material/change_history:", "complex"),
    ("train.py", "Train", ":material/model_training:", "train"),
    ("explain.py", "Explain", ":material/insights:", "explain"),
    ("lab.py", "Lab", ":material/science:", "lab"),
)


def page_path(script: str) -> str:
    """Absolute path of a page script, e.g. for ``st.page_link`` (relative paths depend on the main script).

    Examples
    --------
    >>> page_path("data.py").endswith("app_pages/data.py")
    True
    """
    return str(PAGES / script)


def thread_budget() -> int:
    """Threads the app's fits may use: ``HNNVIZ_WORKERS`` (set by ``hnnviz app --workers N``), else THREADS.

    Raises
    ------
    InputValidationError
        If the variable is set but is not a positive integer.
    """
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not value:
        return THREADS
    if not value.isdigit() or int(value) < 1:
        raise InputValidationError(f"{WORKERS_VARIABLE} must be a positive integer; got {value!r}.")
    return int(value)


def run() -> None:
    """Configure the app and run the page the user picked."""
    st.set_page_config(page_title="hnnviz", page_icon="🕸️", layout="wide")
    limit_threads(thread_budget())  # THREADS (one) per fit unless `hnnviz app --workers N` says otherwise
    pages = [
        st.Page(PAGES / script, title=title, icon=icon, url_path=path, default=i == 0)
        for i, (script, title, icon, path) in enumerate(PAGE_TABLE)
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
