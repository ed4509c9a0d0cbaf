"""The hnnviz Streamlit app: ``streamlit run app.py`` (or ``make run``).

Routing only. Each page is a script in ``app_pages/`` that draws the shared sidebar
(:mod:`app_pages.shared.common`), reads its widgets, calls hnnviz and renders figures from :mod:`hnnviz.viz`.
The session's state is made in one module, :mod:`app_pages.shared.state`.

The folder is not called ``pages/`` on purpose: Streamlit treats a ``pages/`` folder beside the entry point as
a legacy multipage app, and a first visit to a link such as ``/network`` would then run that page on its own,
without this file (no navigation, no page settings).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from hnnviz.model import limit_threads

PAGES = Path(__file__).resolve().parent / "app_pages"

#: (script, title, icon, url path) of every page, in menu order; the first is the landing page.
PAGE_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("data.py", "Data", ":material/table:", "data"),
    ("network.py", "Network", ":material/hub:", "network"),
    ("complex.py", "Complex", ":material/change_history:", "complex"),
    ("train.py", "Train", ":material/model_training:", "train"),
    ("explain.py", "Explain", ":material/insights:", "explain"),
    ("lab.py", "Lab", ":material/science:", "lab"),
)


def run() -> None:
    """Configure the app and run the page the user picked."""
    st.set_page_config(page_title="hnnviz", page_icon="🕸️", layout="wide")
    limit_threads()  # THREADS (one) per fit: fast and reproducible when several users train at once
    pages = [
        st.Page(PAGES / script, title=title, icon=icon, url_path=path, default=i == 0)
        for i, (script, title, icon, path) in enumerate(PAGE_TABLE)
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
