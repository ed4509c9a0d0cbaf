"""Filter a table into an information filtering network, and look at the graph, its cliques and similarities.

The sidebar reads the data and filter choices; the main area makes one call into hnnviz (through the
cached wrappers in ``pages/state.py``) and renders figures from :mod:`hnnviz.viz`. Expected problems
(unreadable file, too few columns, impossible filter) are :class:`~hnnviz.exceptions.HNNVizError` and are
shown with ``st.error``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from hnnviz.data import SAMPLES, SUPPORTED_FORMATS, Dataset
from hnnviz.exceptions import HNNVizError
from hnnviz.pipeline import IFN_METHODS, FilteredNetwork
from hnnviz.similarity import SIMILARITY_METHODS
from hnnviz.viz import clique_tree_figure, graph_figure, graph_html, similarity_heatmap
from pages import state

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

SIMILARITY_LABELS = {
    "pearson2": "Pearson² (squared correlation)",
    "spearman2": "Spearman² (squared rank correlation)",
    "abs": "|Pearson| (absolute correlation)",
    "mi": "Mutual information (binned)",
}
METHOD_LABELS = {
    "tmfg": "TMFG: planar, 4-cliques",
    "mfcf": "MFCF: clique forest",
    "mst": "MST: spanning tree",
}
NO_TARGET = "— none —"


@dataclass(frozen=True)
class FilterChoice:
    """What the filter widgets say."""

    similarity: str
    method: str
    max_clique_size: int
    threshold: float


def filter_widgets(box: DeltaGenerator) -> FilterChoice:
    """Similarity and filter selectors; the MFCF parameters appear only for MFCF."""
    box.header("Filter")
    similarity = box.selectbox(
        "Similarity", SIMILARITY_METHODS, key=state.SIMILARITY, format_func=lambda m: SIMILARITY_LABELS.get(m, m)
    )
    method = box.selectbox(
        "Filtering network", IFN_METHODS, key=state.METHOD, format_func=lambda m: METHOD_LABELS.get(m, m)
    )
    if method != "mfcf":  # the other filters ignore these; fixed values keep the cache small
        return FilterChoice(similarity, method, state.DEFAULTS[state.MAX_CLIQUE_SIZE], state.DEFAULTS[state.THRESHOLD])
    k = box.number_input(
        "Max clique size", min_value=2, max_value=12, step=1, key=state.MAX_CLIQUE_SIZE,
        help="Largest clique the forest may grow (2 gives a spanning forest, 4 is TMFG-like).",
    )  # fmt: skip
    threshold = box.number_input(
        "Threshold", min_value=0.0, step=0.01, format="%.3f", key=state.THRESHOLD,
        help="Similarities at or below this do not count; a high threshold splits the graph into components.",
    )  # fmt: skip
    return FilterChoice(similarity, method, int(k), float(threshold))


def data_widgets(box: DeltaGenerator) -> Dataset:
    """Sample picker, file uploader and target picker; returns the cleaned data set.

    Raises
    ------
    HNNVizError
        If the uploaded file cannot be read or too little usable data remains.
    """
    box.header("Data")
    uploading = st.session_state.get(state.UPLOAD) is not None
    sample = box.selectbox(
        "Bundled sample", list(SAMPLES), key=state.SAMPLE, disabled=uploading,
        help="Remove the uploaded file to use a sample again." if uploading else None,
    )  # fmt: skip
    if not uploading:
        box.caption(SAMPLES[sample].description)
    upload = box.file_uploader(
        "…or upload a table", type=list(SUPPORTED_FORMATS), key=state.UPLOAD,
        help="CSV/TSV/TXT (UTF-8), Parquet or Excel (first sheet). Non-numeric and constant columns are dropped.",
    )  # fmt: skip
    if upload is None:
        columns, default = state.sample_columns(sample), SAMPLES[sample].target
        state.follow_source(("sample", sample), default)
    else:
        data = upload.getvalue()
        state.follow_source(("upload", upload.file_id, upload.name, len(data)), None)
        columns = state.upload_columns(data, upload.name)
    target = box.selectbox(
        "Target column (left out of the graph)", [None, *columns], key=state.TARGET,
        format_func=lambda c: NO_TARGET if c is None else c, placeholder=NO_TARGET,
    )  # fmt: skip
    if upload is None:
        return state.sample_dataset(sample, target)
    return state.upload_dataset(data, upload.name, target)


def show_dataset(ds: Dataset) -> None:
    """One-line summary and the table of dropped columns and rows."""
    st.text(ds.summary())
    if not ds.dropped:
        st.caption("Nothing was dropped: every column is a usable numeric feature.")
        return
    st.markdown("**Dropped before filtering**")
    rows = [
        {"dropped": d.kind, "name": d.name, "reason": d.reason, "rows": str(d.count) if d.kind == "rows" else "all"}
        for d in ds.dropped
    ]
    st.table(rows, hide_index=True)


def show_metrics(net: FilteredNetwork) -> None:
    """Sizes of the graph and its clique complex, and the time it took."""
    g, cx = net.graph, net.complex
    top = st.columns(4)
    top[0].metric("Nodes", g.n_nodes)
    top[1].metric("Edges", g.n_edges)
    top[2].metric("Cliques", len(g.cliques), help="Maximal cliques, in the order they were created.")
    top[3].metric("Separators", len(g.separators), help="Cliques shared by a clique and its parent.")
    bottom = st.columns(4)
    bottom[0].metric("f-vector", ", ".join(map(str, cx.f_vector)), help="Simplices of each order: vertices, edges…")
    bottom[1].metric("Betti numbers", ", ".join(map(str, cx.betti)), help="b0 = connected components, b1 = loops…")
    bottom[2].metric("Euler characteristic", cx.euler_characteristic)
    times = ", ".join(f"{stage} {s:.3f} s" for stage, s in net.seconds.items())
    bottom[3].metric("Seconds", f"{sum(net.seconds.values()):.3f}", help=times)


def show_figures(net: FilteredNetwork) -> None:
    """The graph (plotly, optionally the interactive pyvis view), the clique tree and the heatmap."""
    graph_tab, tree_tab, heat_tab = st.tabs(["Graph", "Clique tree", "Similarity matrix"])
    with graph_tab:
        state.keep_known(state.HIGHLIGHT, net.feature_names)
        left, right, toggle = st.columns([4, 1, 2], vertical_alignment="bottom")
        highlight = left.multiselect("Highlight features", net.feature_names, key=state.HIGHLIGHT)
        seed = right.number_input(
            "Layout seed", min_value=0, step=1, key=state.LAYOUT_SEED, help="Another seed, another arrangement."
        )
        interactive = toggle.toggle("Interactive view (drag nodes)", key=state.INTERACTIVE)
        if interactive:
            st.iframe(graph_html(net, height="620px"), height=660)
        else:
            st.plotly_chart(graph_figure(net, layout_seed=int(seed), highlight=highlight), key="graph_figure")
    with tree_tab:
        st.plotly_chart(clique_tree_figure(net), key="clique_tree_figure")
    with heat_tab:
        st.plotly_chart(similarity_heatmap(net), key="similarity_heatmap")


def download(net: FilteredNetwork, ds: Dataset) -> None:
    """The network as JSON (vertices named, see ``FilteredNetwork.to_dict``)."""
    stem = Path(ds.name or "data").name
    st.download_button(
        "Download the network (JSON)", json.dumps(net.to_dict(), indent=2),
        file_name=f"{stem}-{net.graph.method}-{net.similarity_method}.json", mime="application/json",
        key="download", on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def main() -> None:
    state.init()
    st.title("Information filtering network")
    st.caption(
        "Choose a data set and a filter in the sidebar. The columns become vertices; the filter keeps the "
        "strongest similarities as a sparse graph of cliques, whose clique complex the HNN is built on."
    )
    data_box, filter_box = st.sidebar.container(), st.sidebar.container()
    choice = filter_widgets(filter_box)
    try:
        ds = data_widgets(data_box)
        show_dataset(ds)
        net = state.network(
            ds.X, ds.feature_names, choice.similarity, choice.method, choice.max_clique_size, choice.threshold
        )
    except HNNVizError as err:
        st.error(str(err), icon=":material/error:")
        st.stop()
    show_metrics(net)
    show_figures(net)
    download(net, ds)


main()
