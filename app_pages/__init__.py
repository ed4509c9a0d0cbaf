"""The hnnviz Streamlit app: the page scripts, their router (:mod:`app_pages.main`) and shared modules.

``streamlit run app.py`` runs it from a clone (``make run``); ``hnnviz app`` runs the installed
``app_pages/main.py``. This file imports nothing, so that ``hnnviz app`` can find the folder without loading
Streamlit.
"""
