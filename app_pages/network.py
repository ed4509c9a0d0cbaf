"""Network: the information filtering network of the current table, drawn, searched, resampled and compared.

Every computation is an hnnviz call (the network, the bootstrap, the comparison) and every figure comes from
:mod:`hnnviz.viz`; this page lays out widgets and shows results.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from app_pages.shared import common, state
from app_pages.shared.common import LIGHT_VIEW_NODES, METHOD_LABELS, SIMILARITY_LABELS, PageContext
from app_pages.shared.state import Keys
from hnnviz.exceptions import HNNVizError
from hnnviz.network import FilteredNetwork, Stability, bootstrap_stability, edge_comparison, is_maximal_planar
from hnnviz.specs import IFN_METHODS, SIMILARITY_METHODS, IFNSpec
from hnnviz.viz import graph_html, network_figure
from hnnviz.workflows import bootstrap_seconds

LESSON = (
    "Each **vertex** is a feature; an **edge** joins two features that depend strongly on each other. The "
    "filter keeps only the strongest dependencies, in small groups where every member is linked to every "
    "other: a **clique**. A TMFG is made of 4-cliques glued along triangles, and can be drawn on a sheet of "
    "paper without crossing edges (it is *planar*): the shaded triangles are its 3-cliques."
)


def metrics(net: FilteredNetwork) -> None:
    g, seconds = net.graph, net.seconds
    cells = st.columns(5)
    cells[0].metric("Nodes", g.n_nodes)
    cells[1].metric("Edges", g.n_edges, help="A TMFG keeps 3p - 6 edges of the p(p-1)/2 possible ones.")
    cells[2].metric("Cliques", len(g.cliques), help="Maximal cliques, in the order the filter created them.")
    cells[3].metric("Separators", len(g.separators), help="The clique a clique shares with its parent.")
    times = ", ".join(f"{stage} {s:.3f} s" for stage, s in seconds.items())
    cells[4].metric("Seconds", f"{sum(seconds.values()):.3f}", help=times)


def view_controls(net: FilteredNetwork) -> tuple[str, int, str | None]:
    """Layout, layout seed and the searched feature."""
    left, middle, right = st.columns([2, 1, 3], vertical_alignment="bottom")
    planar = net.ifn.method == "tmfg" or is_maximal_planar(net)  # a TMFG is maximal planar by construction
    layouts = ["planar", "spring"] if planar else ["spring"]
    layout = left.segmented_control(
        "Layout", layouts, default=layouts[0], key=Keys.LAYOUT, persist_state="session", required=True,
        help="Planar: a TMFG drawn with no crossing edges. Spring: features that depend on each other pull together.",
    )  # fmt: skip
    layout = layout if layout in layouts else layouts[0]
    seed = 0
    if layout == "spring" and common.advanced():
        seed = int(middle.number_input("Layout seed", 0, 10_000, 0, key=Keys.LAYOUT_SEED, persist_state="session"))
    feature = right.selectbox(
        "Find a feature", net.feature_names, index=None, key=Keys.SEARCH, persist_state="session",
        placeholder="type to search",
        help="Highlights the feature's edges and cliques, and lists them below the drawing.",
    )  # fmt: skip
    return layout, seed, feature


def neighbourhood(net: FilteredNetwork, feature: str) -> None:
    hood = net.neighbourhood(feature)
    facts = f"degree {hood.degree}, strength {hood.strength:.3f}, in {len(hood.cliques)} cliques"
    st.markdown(f"**{common.plain(feature)}**: {facts}")
    left, right = st.columns(2)
    left.dataframe(
        [{"neighbour": name, "weight": round(weight, 4)} for name, weight in hood.neighbours],
        hide_index=True, width="stretch",
    )  # fmt: skip
    right.dataframe([{"clique": ", ".join(c), "size": len(c)} for c in hood.cliques], hide_index=True, width="stretch")


def drawing_tab(ctx: PageContext, net: FilteredNetwork, large: bool) -> None:
    layout, seed, feature = view_controls(net)
    highlight = (feature,) if feature else ()
    if large:
        st.caption(f"{net.graph.n_nodes} features: the light view (names on hover, no triangles).")
        fig = state.figure(
            "light", ctx.app, ctx.app.selection, net, layout=layout, layout_seed=seed, highlight=highlight
        )
    else:
        fig = state.figure(
            "network", ctx.app, ctx.app.selection, net, layout=layout, layout_seed=seed, highlight=highlight
        )
    st.plotly_chart(fig, key="network.figure")
    if feature:
        neighbourhood(net, feature)


def interactive_tab(net: FilteredNetwork, large: bool) -> None:
    if large:
        st.info(f"The interactive view is off above {LIGHT_VIEW_NODES} features; the drawing tab stays fast.")
        return
    st.caption("Drag the vertices; hover for names and weights. Works offline.")
    st.iframe(graph_html(net, height="620px"), height=660)


def heatmap_tab(ctx: PageContext, net: FilteredNetwork, large: bool) -> None:
    if large:
        st.info(f"A {net.graph.n_nodes} x {net.graph.n_nodes} heatmap is too large to draw; download the network.")
        return
    st.plotly_chart(state.figure("heatmap", ctx.app, ctx.app.selection, net), key="network.heatmap")


def clique_tree_tab(ctx: PageContext, net: FilteredNetwork) -> None:
    common.lesson("The clique tree: each clique hangs from the clique it was glued to, along their separator.")
    st.plotly_chart(state.figure("clique_tree", ctx.app, ctx.app.selection, net), key="network.clique_tree")


def stability_tab(ctx: PageContext, net: FilteredNetwork, large: bool) -> None:
    st.caption(
        "Resample the rows with replacement, rebuild the network each time, and count how often each edge comes "
        "back: an edge found in nearly every resample reflects the data, one that comes and goes reflects noise."
    )
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    n_boot = int(left.number_input("Resamples", 5, 1000, 50, step=5, key=Keys.N_BOOT, persist_state="session"))
    key = (state.data_key(ctx.app, ctx.app.selection), net.ifn, n_boot, ctx.app.selection.seed)
    expected = bootstrap_seconds(net, n_boot)
    if expected > common.SLOW_SECONDS:
        st.warning(f"{n_boot} resamples will take {common.duration(expected)}.", icon=":material/schedule:")
    if right.button("Run the bootstrap", key=Keys.RUN_STABILITY, icon=":material/refresh:"):
        ctx.app.stability[key] = run_bootstrap(ctx, n_boot)
    result = ctx.app.stability.get(key)
    if result is None:
        return
    if isinstance(result, str):
        common.error(result)
        return
    st.metric("Stability", f"{result.score:.2f}", help="Mean share of resamples that keep an edge of the network.")
    frequencies = result.reference_edge_map()
    if not large:
        fig = network_figure(net, edge_values=frequencies, value_label="edge frequency", orders=(1,))
        st.plotly_chart(fig, key="network.stability_figure")
    rows = [{"edge": " — ".join(edge), "frequency": f} for edge, f in frequencies.items()]
    st.caption("Edges of the network, least stable first.")
    st.dataframe(sorted(rows, key=lambda r: r["frequency"]), hide_index=True, width="stretch", height=300)


def run_bootstrap(ctx: PageContext, n_boot: int) -> Stability | str:
    """The bootstrap with a progress bar; a problem comes back as its message."""
    ds = ctx.dataset()
    bar = st.progress(0.0, text="Resampling…")
    try:
        return bootstrap_stability(
            ds.X, ds.feature_names, n_boot=n_boot, ifn=ctx.app.selection.ifn, seed=ctx.app.selection.seed,
            progress=lambda done, total: bar.progress(done / total, text=f"Resample {done} of {total}"),
        )  # fmt: skip
    except HNNVizError as err:
        return str(err)
    finally:
        bar.empty()


def compare_tab(ctx: PageContext, net: FilteredNetwork, large: bool) -> None:
    st.caption("Build a second network from the same table and see which edges the two filters share.")
    left, right = st.columns(2)
    methods = sorted(IFN_METHODS, key=lambda m: (m == net.ifn.method, m != "mst"))  # the MST first, this one last
    method = left.selectbox(
        "Other filter", methods, key=Keys.COMPARE_METHOD, format_func=METHOD_LABELS.get, persist_state="session"
    )
    similarity = right.selectbox(
        "Its similarity", SIMILARITY_METHODS, key=Keys.COMPARE_SIMILARITY, format_func=SIMILARITY_LABELS.get,
        persist_state="session",
    )  # fmt: skip
    other = ctx.network(IFNSpec(similarity=similarity, method=method))
    comparison = edge_comparison(net, other)
    cells = st.columns(4)
    cells[0].metric("Shared edges", len(comparison.shared))
    cells[1].metric(f"Only {net.ifn.label()}", len(comparison.only_a))
    cells[2].metric(f"Only {other.ifn.label()}", len(comparison.only_b))
    cells[3].metric("Jaccard", f"{comparison.jaccard:.2f}", help="Shared edges over all edges of either network.")
    if not large:
        st.plotly_chart(state.figure("comparison", ctx.app, ctx.app.selection, net, other), key="network.comparison")
    rows = [{"edge": " — ".join(e), "in": net.ifn.label()} for e in comparison.only_a]
    rows += [{"edge": " — ".join(e), "in": other.ifn.label()} for e in comparison.only_b]
    st.dataframe(rows, hide_index=True, width="stretch", height=260)


def download(ctx: PageContext, net: FilteredNetwork) -> None:
    stem = Path(ctx.dataset().name or "data").name
    st.download_button(
        "Download the network (JSON)", json.dumps(net.to_dict(), indent=2),
        file_name=f"{stem}-{net.ifn.method}-{net.ifn.similarity}.json", mime="application/json",
        key="network.download", on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def main() -> None:
    ctx = common.header(
        "Network",
        "The sparse dependency structure of the current table. Change the filter in the sidebar; next: Complex.",
        LESSON,
    )
    net = ctx.network()
    metrics(net)
    large = net.graph.n_nodes > LIGHT_VIEW_NODES
    views = {
        "Drawing": lambda: drawing_tab(ctx, net, large),
        "Interactive": lambda: interactive_tab(net, large),
        "Similarity": lambda: heatmap_tab(ctx, net, large),
        "Clique tree": lambda: clique_tree_tab(ctx, net),
        "Stability": lambda: stability_tab(ctx, net, large),
        "Compare": lambda: compare_tab(ctx, net, large),
    }
    common.open_tab(views, Keys.NETWORK_TAB)
    download(ctx, net)


main()
