"""Complex: the clique complex of the current network, its homology, its simplices, and the HNN it defines.

Every number comes from hnnviz (the complex, :meth:`~hnnviz.network.FilteredNetwork.simplex_table`,
:func:`~hnnviz.model.describe_hnn`) and every figure from :mod:`hnnviz.viz`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.shared import common, state
from app_pages.shared.common import LIGHT_VIEW_NODES, PageContext
from app_pages.shared.state import Keys
from hnnviz._messages import ORDER_NAMES, fmt_number
from hnnviz.model import describe_hnn
from hnnviz.network import FilteredNetwork

LESSON = (
    "A **simplex** is a group of features that are all linked to each other: a vertex (1 feature), an edge (2), "
    "a triangle (3), a tetrahedron (4). The **clique complex** holds every such group of the network. The "
    "HNN gives each simplex its own small unit, which reads only the units of its faces: an edge reads its two "
    "vertices, a triangle its three edges, a tetrahedron its four triangles. So the network's wiring *is* the "
    "complex, and each unit is a named interaction of features."
)


def order_name(order: int) -> str:
    return ORDER_NAMES[order] if order < len(ORDER_NAMES) else f"order {order}"


def homology(net: FilteredNetwork) -> None:
    cx = net.complex
    cells = st.columns(3)
    cells[0].metric("f-vector", ", ".join(map(str, cx.f_vector)), help="Simplices of each order: vertices, edges…")
    cells[1].metric("Euler characteristic", cx.euler_characteristic, help="Vertices - edges + triangles - tetrahedra …")
    cells[2].metric(
        "Betti numbers", ", ".join(map(str, cx.betti)),
        help="b0 counts connected pieces, b1 loops, b2 enclosed voids. A TMFG has (1, 0, 0, 0): one piece, no holes.",
    )  # fmt: skip


def drawing(ctx: PageContext, net: FilteredNetwork) -> None:
    if net.graph.n_nodes > LIGHT_VIEW_NODES:
        st.info(f"Above {LIGHT_VIEW_NODES} features the complex is not drawn; the tables below list it in full.")
        return
    available = list(range(1, net.complex.max_order + 1))
    orders = st.pills(
        "Orders to draw", available, selection_mode="multi", default=available[:3], format_func=order_name,
        key=Keys.ORDERS, persist_state="session",
    )  # fmt: skip
    fig = state.figure("network", ctx.app, ctx.app.selection, net, orders=tuple(sorted(orders)))
    st.plotly_chart(fig, key="complex.figure")


def simplex_table(net: FilteredNetwork) -> None:
    st.subheader("Simplices")
    left, right = st.columns(2)
    orders = left.multiselect(
        "Orders", list(range(net.complex.max_order + 1)), format_func=order_name, key=Keys.TABLE_ORDERS,
        persist_state="session", placeholder="all orders",
    )  # fmt: skip
    features = right.multiselect(
        "Containing every one of", net.feature_names, key=Keys.TABLE_FEATURES, persist_state="session",
        placeholder="any features",
    )  # fmt: skip
    table = net.simplex_table(orders=orders or None, containing=features)
    st.caption(f"{len(table):,} simplices")
    shown = table.assign(mean_similarity=table["mean_similarity"].map(fmt_number))  # "—" for a lone vertex
    st.dataframe(shown.rename(columns={"mean_similarity": "mean similarity"}), hide_index=True, width="stretch",
                 height=320)  # fmt: skip


def hnn_panel(ctx: PageContext, net: FilteredNetwork) -> None:
    st.subheader("The HNN this complex defines")
    common.lesson(
        "Count the weights: a unit reads only its few faces, so the HNN grows like the number of simplices, "
        "while a dense network of the same widths connects every unit to every unit of the layer below."
    )
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    channels = int(left.number_input("Channels per simplex", 1, 32, 4, key=Keys.CHANNELS, persist_state="session"))
    arch = describe_hnn(net.complex, channels=channels)
    cells = right.columns(3)
    cells[0].metric("HNN parameters", f"{arch.hnn_params:,}")
    cells[1].metric("Same-width dense MLP", f"{arch.mlp_params:,}")
    cells[2].metric("Dense / HNN", f"{arch.ratio:,.1f}x")
    rows = [
        {
            "order": layer.order,
            "layer": layer.name,
            "units": layer.units,
            "each unit reads": "the input feature"
            if layer.order == 0
            else f"its {layer.fan_in} {order_name(layer.order - 1)}",
            "channels": layer.channels,
            "HNN parameters": layer.hnn_params,
            "dense parameters": layer.mlp_params,
        }
        for layer in arch.layers
    ]
    counts = st.column_config.NumberColumn(format="localized")  # 8,536, not 8536
    st.dataframe(
        rows, hide_index=True, width="stretch", column_config={"HNN parameters": counts, "dense parameters": counts}
    )
    st.caption(f"Both models add the same per-order linear readouts and head: {arch.readout_params:,} parameters.")
    feature = st.selectbox(
        "Show the units that contain", net.feature_names, index=None, key=Keys.UNIT_FEATURE, persist_state="session",
        placeholder="every unit (up to the drawing's limit)",
    )  # fmt: skip
    fig = state.figure("hnn_layers", ctx.app, ctx.app.selection, net, highlight=feature)
    st.plotly_chart(fig, key="complex.hnn_layers")


def main() -> None:
    ctx = common.header(
        "Complex",
        "The clique complex of the current network and the HNN wired on it. Next: train that HNN.",
        LESSON,
    )
    net = ctx.network()
    homology(net)
    drawing(ctx, net)
    simplex_table(net)
    hnn_panel(ctx, net)


main()
