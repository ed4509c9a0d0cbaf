"""Lab: plant interacting groups of features, train an HNN, and see whether the network and the attributions
find them (for teaching: the ground truth is known).

The lab is :func:`hnnviz.workflows.run_lab` in a background job; the page draws its progress and results.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.shared import common
from app_pages.shared.state import AppState, Keys
from hnnviz._messages import fmt_number
from hnnviz.exceptions import HNNVizError
from hnnviz.specs import EXPLAIN_METHODS, INTERACTION_KINDS, LAB_CONFIG, LAB_SPEC, PlantedSpec
from hnnviz.viz import loss_curves_figure, network_figure
from hnnviz.workflows import Job, LabJob, LabResult

DEFAULT_GROUPS = pd.DataFrame({"size": [2, 3, 4], "kind": ["product", "sine", "tanh-product"]})
LESSON = (
    "Here the truth is known: the target is built from a few **planted groups** of features that interact "
    "(a product, a sine of a sum, a maximum ...), plus **distractor** features that play no part. Two questions: "
    "does the filtered network keep each planted group together in one clique (**structure recall**)? And are "
    "the strongest interactions the model found inside the planted groups (**precision@k**)? An interaction "
    "counts only when all its features belong to one planted group: a group plus a bystander is a miss."
)


def groups_editor() -> pd.DataFrame:
    st.markdown("**Planted groups**: one row per group; add or remove rows.")
    return st.data_editor(
        DEFAULT_GROUPS, key=Keys.LAB_GROUPS, num_rows="dynamic", hide_index=True, width="content",
        column_config={
            "size": st.column_config.NumberColumn("features", min_value=2, max_value=6, step=1, required=True),
            "kind": st.column_config.SelectboxColumn(
                "interaction", options=list(INTERACTION_KINDS), required=True,
                help="; ".join(f"{kind}: {term}" for kind, term in INTERACTION_KINDS.items()),
            ),
        },
    )  # fmt: skip


def lab_request(app: AppState, groups: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any]]:
    """From the widgets: the :class:`~hnnviz.specs.PlantedSpec` fields, and :func:`~hnnviz.workflows.run_lab`'s
    other options."""
    cells = st.columns(4)
    distractors = cells[0].number_input(
        "Distractor features", 0, 60, 12, key=Keys.LAB_DISTRACTORS, persist_state="session"
    )
    noise = cells[1].slider("Noise", 0.0, 1.0, PlantedSpec.noise, 0.05, key=Keys.LAB_NOISE, persist_state="session",
                            help="Noise sd as a share of the signal's sd.")  # fmt: skip
    rows = cells[2].number_input("Rows", 200, 20_000, PlantedSpec.n_rows, step=100, key=Keys.LAB_ROWS,
                                 persist_state="session")  # fmt: skip
    seed = cells[3].number_input("Seed", 0, 1_000_000, app.selection.seed, key=Keys.LAB_SEED, persist_state="session")
    sizes = [int(size) for size in groups["size"].dropna()]
    planted: dict[str, Any] = {
        "n_rows": int(rows),
        "n_features": sum(sizes) + int(distractors),
        "interactions": tuple(sizes),
        "kinds": tuple(str(kind) for kind in groups["kind"].dropna()),
        "noise": float(noise),
    }
    options: dict[str, Any] = {"explain_method": "ablation"}
    if common.advanced():
        more = st.columns(4)
        planted["task"] = more[0].selectbox("Task", ["regression", "classification"], key=Keys.LAB_TASK,
                                            persist_state="session")  # fmt: skip
        options["explain_method"] = more[1].selectbox(
            "Attribution", sorted(EXPLAIN_METHODS, key=lambda m: m != "ablation"), key=Keys.LAB_METHOD,
            persist_state="session", help="Ablation (the lab's default) found the planted groups most often.",
        )  # fmt: skip
        planted["within_group_correlation"] = more[2].slider(
            "Correlation within a block", 0.0, 0.95, PlantedSpec.within_group_correlation, 0.01, key=Keys.LAB_RHO,
            persist_state="session",
        )
    options |= {"seed": int(seed), "ifn": app.selection.ifn, "spec": LAB_SPEC,
                "config": replace(LAB_CONFIG, seed=int(seed))}  # fmt: skip
    return planted, options


def draw_lab(job: Job) -> None:
    assert isinstance(job, LabJob)
    common.job_controls(job, "lab")
    epochs = len(job.history)
    if job.finished:
        text, share = f"done: {epochs} epochs", 1.0
    else:
        text = f"training: epoch {epochs}" if epochs else "drawing the data and filtering the network"
        share = min(1.0, epochs / job.max_epochs)
    st.progress(share, text=text)
    frame = None if job.finished else job.max_epochs
    st.plotly_chart(loss_curves_figure({"HNN": job.history}, max_epochs=frame), key="lab.loss")


def results(result: LabResult) -> None:
    st.subheader("What the HNN found")
    st.code(result.formula.replace("; ", "\n"), language=None)
    metric = "r2" if "r2" in result.test else "accuracy"
    cells = st.columns(5)
    cells[0].metric("Structure recall", f"{result.recall:.2f}", help="Share of planted groups inside one clique.")
    cells[1].metric(f"Precision@{result.k}", f"{result.precision_at_k:.2f}",
                    help=f"Share of the top {result.k} pure interactions that lie inside a planted group.")  # fmt: skip
    cells[2].metric(f"Recall@{result.k}", f"{result.recall_at_k:.2f}",
                    help=f"Share of planted groups with a pure interaction in the top {result.k}.")  # fmt: skip
    cells[3].metric(f"Units' precision@{result.k}", f"{result.unit_precision_at_k:.2f}",
                    help="The same score for the simplices ranked by what their units carry (the attribution): "
                         "a unit can carry a smaller group's function, so it scores lower.")  # fmt: skip
    cells[4].metric(f"Test {'R²' if metric == 'r2' else 'accuracy'}", f"{result.test[metric]:.3f}")
    top = result.to_dict()["top"]
    table = [
        {"rank": i + 1, "interaction": " · ".join(t["features"]), "importance": fmt_number(t["score"]),
         "planted group": "—" if t["group"] is None else f"group {t['group'] + 1}"}
        for i, t in enumerate(top)
    ]  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
    common.lesson("The coloured halos mark the planted groups; edges are coloured by their attribution.")
    fig = network_figure(
        result.run.network, orders=(1, 2), groups=result.groups, edge_values=result.attribution.simplex_values(1),
        value_label="effect on predictions", title="The network of the lab's data, planted groups marked",
    )  # fmt: skip
    st.plotly_chart(fig, key="lab.network")


def main() -> None:
    ctx = common.header(
        "Lab",
        "Plant interacting groups, train an HNN on them, and score what it recovers. Uses the sidebar's filter.",
        LESSON,
    )
    app = ctx.app
    groups = groups_editor()
    planted, options = lab_request(app, groups)
    busy = app.lab is not None and not app.lab.finished
    if st.button("Run the lab", key=Keys.LAB_START, type="primary", disabled=busy, icon=":material/science:"):
        try:
            app.lab = LabJob(PlantedSpec(**planted), **options).start()
        except HNNVizError as err:
            common.error(err)
    common.watch(app.lab, draw_lab, "lab.job")
    if app.lab is not None and app.lab.finished:
        if app.lab.error:
            common.error(app.lab.error)
        elif app.lab.result is not None:
            results(app.lab.result)


main()
