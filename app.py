"""The hnnviz Streamlit app from a clone: ``streamlit run app.py`` (or ``make run``).

Routing only, in :mod:`app_pages.main` (which ``hnnviz app`` runs from an installed wheel). Each page is a
script in ``app_pages/`` that draws the shared sidebar (:mod:`app_pages.shared.common`), reads its widgets,
calls hnnviz and renders figures from :mod:`hnnviz.viz`. The session's state is made in one module,
:mod:`app_pages.shared.state`.

The folder is not called ``pages/`` on purpose: Streamlit treats a ``pages/`` folder beside the entry point as
a legacy multipage app, and a first visit to a link such as ``/network`` would then run that page on its own,
without this file (no navigation, no page settings).
"""

from __future__ import annotations

from app_pages.main import PAGE_TABLE, run

__all__ = ["PAGE_TABLE", "run"]

if __name__ == "__main__":
    run()
