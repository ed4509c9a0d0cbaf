"""Modules the app pages share: the session state and its cached calls, the sidebar and page helpers.

They live in a sub-package so that Streamlit does not list them as pages.
"""
