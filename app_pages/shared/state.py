"""Session-state keys, their defaults, and the cached calls into hnnviz that the pages share.

Everything a page keeps between reruns is named here, once. The cached functions are thin wrappers around
pure, deterministic hnnviz functions; ``st.cache_data`` hands each caller its own copy. Uploaded files are
passed as raw bytes to :func:`hnnviz.data.read_table` / :func:`hnnviz.data.load_dataset` (never unpickled).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import streamlit as st

from hnnviz.data import SAMPLES, Dataset, load_dataset, load_sample, read_table, sample_data_dir
from hnnviz.pipeline import FilteredNetwork, filter_network

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULTS",
    "DEFAULT_SAMPLE",
    "HIGHLIGHT",
    "INTERACTIVE",
    "LAYOUT_SEED",
    "MAX_CLIQUE_SIZE",
    "METHOD",
    "SAMPLE",
    "SIMILARITY",
    "TARGET",
    "THRESHOLD",
    "UPLOAD",
    "follow_source",
    "init",
    "keep_known",
    "network",
    "sample_columns",
    "sample_dataset",
    "upload_columns",
    "upload_dataset",
]

# Widget keys (tests set widgets through these).
SAMPLE = "sample"
UPLOAD = "upload"
TARGET = "target"
SIMILARITY = "similarity"
METHOD = "method"
MAX_CLIQUE_SIZE = "max_clique_size"
THRESHOLD = "threshold"
HIGHLIGHT = "highlight"
LAYOUT_SEED = "layout_seed"
INTERACTIVE = "interactive"
_SOURCE = "source"  # which table the target/highlight widgets currently describe

DEFAULT_SAMPLE = "diabetes" if "diabetes" in SAMPLES else next(iter(SAMPLES))

DEFAULTS: dict[str, Any] = {
    SAMPLE: DEFAULT_SAMPLE,
    SIMILARITY: "pearson2",
    METHOD: "tmfg",
    MAX_CLIQUE_SIZE: 4,
    THRESHOLD: 0.0,
    HIGHLIGHT: [],
    LAYOUT_SEED: 0,
    INTERACTIVE: False,
}


def init() -> None:
    """Put every default into ``st.session_state`` on the first run of a session."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


def follow_source(source: tuple[Any, ...], default_target: str | None) -> None:
    """When the table changes, reset the widgets that depend on its columns.

    Call it before the target widget is drawn in the run.
    """
    if st.session_state.get(_SOURCE) != source:
        st.session_state[_SOURCE] = source
        st.session_state[TARGET] = default_target
        st.session_state[HIGHLIGHT] = []


def keep_known(key: str, options: tuple[str, ...] | list[str]) -> None:
    """Drop stored multiselect values that are no longer options (e.g. after the target changed)."""
    stored = st.session_state.get(key, [])
    kept = [v for v in stored if v in set(options)]
    if kept != stored:
        st.session_state[key] = kept


# ---- cached calls into hnnviz --------------------------------------------------------------------------


def _named(data: bytes, file_name: str) -> io.BytesIO:
    """The uploaded bytes as a file-like object whose name tells hnnviz the format and the label."""
    buffer = io.BytesIO(data)
    buffer.name = file_name
    return buffer


@st.cache_data(show_spinner=False, max_entries=16)
def sample_columns(name: str) -> list[str]:
    """Column names of a bundled sample, as read from disk."""
    return list(read_table(sample_data_dir() / SAMPLES[name].file).columns)


@st.cache_data(show_spinner="Loading the sample…", max_entries=16)
def sample_dataset(name: str, target: str | None) -> Dataset:
    """A bundled sample, cleaned (see :func:`hnnviz.data.load_sample`)."""
    return load_sample(name, target=target)


@st.cache_data(show_spinner=False, max_entries=8)
def upload_columns(data: bytes, file_name: str) -> list[str]:
    """Column names of an uploaded table."""
    return list(read_table(_named(data, file_name)).columns)


@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def upload_dataset(data: bytes, file_name: str, target: str | None) -> Dataset:
    """An uploaded table, cleaned (see :func:`hnnviz.data.load_dataset`)."""
    return load_dataset(_named(data, file_name), target=target)


@st.cache_data(show_spinner="Filtering the network…", max_entries=32)
def network(
    X: np.ndarray,
    feature_names: tuple[str, ...],
    similarity: str,
    method: str,
    max_clique_size: int,
    threshold: float,
) -> FilteredNetwork:
    """:func:`hnnviz.pipeline.filter_network`, cached on the data and every parameter."""
    return filter_network(
        X,
        feature_names,
        similarity=similarity,
        method=method,
        max_clique_size=max_clique_size,
        threshold=threshold,
    )
