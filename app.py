"""The hnnviz Streamlit app: ``streamlit run app.py`` (or ``make run``).

Routing only: each page is a script in ``pages/`` that reads its widgets, calls hnnviz and renders figures.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"


def run() -> None:
    """Configure the app and run the page the user picked."""
    st.set_page_config(page_title="hnnviz", page_icon="🕸️", layout="wide")
    page = st.navigation([st.Page(PAGES / "filter.py", title="Filter a network", icon="🕸️", default=True)])
    page.run()


if __name__ == "__main__":
    run()
