"""Explain: which simplices (groups of interacting features) drive the trained HNN's predictions.

Attributions, knock-outs and faithfulness checks are hnnviz calls; the figures come from :mod:`hnnviz.viz`.
The page explains the HNN trained on the Train page, on the table and network it was trained with.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app_pages.shared import common
from app_pages.shared.state import AppState, Keys
from hnnviz._messages import ORDER_NAMES
from hnnviz.data import Dataset
from hnnviz.explanation import (
    Attribution,
    FaithfulnessReport,
    SimplexResponse,
    explain,
    faithfulness_report,
    inspect_simplex,
    knock_out,
    order_split,
)
from hnnviz.model import Run
from hnnviz.report import build_report
from hnnviz.viz import (
    deletion_insertion_figure,
    feature_importance_figure,
    inspector_figure,
    knockout_figure,
    network_figure,
    order_waterfall_figure,
    ranking_figure,
)
from hnnviz.workflows import Job, TrainingJob, analyse, explain_seconds

HNN = "HNN"  # the name the Train page gives the HNN run
METHOD_LABELS = {
    "gxa": "gradient x activation (fast)",
    "ig": "integrated gradients (complete)",
    "ablation": "ablation (knock each unit out)",
}
METRIC_LABELS = {"r2": "R²", "accuracy": "accuracy"}
INSPECT_LESSON = (
    "Every HNN unit reads a known, small group of features. Here the group's own features vary over a grid while "
    "every other feature stays at the reference (an average row, or the chosen row); the colour is what the unit "
    "adds to the prediction (or the prediction itself). Dots are training rows. The shape is read from the "
    "surface: *additive* if the features act separately, *product-like* or *max-like* if they work together."
)
LESSON = (
    "An **attribution** says how much each unit contributed to a prediction, compared with the prediction "
    "for an average row (the training mean). In an HNN every unit is a simplex, a named group of features, so "
    "the scores say which *interactions* matter: a high-scoring triangle means those three features together "
    "move the prediction. Scores are in the target's units (regression) or in the logit of the predicted class."
)


def explained_run(app: AppState) -> tuple[TrainingJob, Run]:
    """The training job and its HNN, or a message pointing to the Train page."""
    job = app.training
    run = job.runs.get(HNN) if job is not None else None
    if run is None:
        st.info("Train a model first: the Explain page explains the HNN trained on the Train page.")
        st.page_link("app_pages/train.py", label="Go to Train", icon=":material/model_training:")
        st.stop()
    return job, run


def row_label(run: Run, ds: Dataset, row: int) -> str:
    y = ds.y[row]
    truth = run.classes[int(y)] if run.classes is not None else f"{y:.4g}"
    return f"row {row} (target {truth})"


def choose_rows(run: Run, ds: Dataset) -> tuple[str, int | None]:
    """The method, and either every test row (None) or one of them."""
    left, middle, right = st.columns([2, 2, 3])
    method = left.selectbox(
        "Method", list(METHOD_LABELS), format_func=METHOD_LABELS.get, key=Keys.EXPLAIN_METHOD,
        persist_state="session",
    )  # fmt: skip
    scope = middle.segmented_control(
        "Explain", ["all test rows", "one row"], default="all test rows", required=True, key=Keys.EXPLAIN_SCOPE,
        persist_state="session",
    )  # fmt: skip
    if scope != "one row":
        return method, None
    rows = run.result.split.test.tolist()
    row = right.selectbox(
        "Test row", rows, format_func=lambda r: row_label(run, ds, r), key=Keys.EXPLAIN_ROW, persist_state="session"
    )
    return method, int(row)


def attribution(app: AppState, run: Run, ds: Dataset, method: str, row: int | None) -> Attribution:
    """The attribution of the chosen rows, computed once per session, with a progress bar; a slow one waits for
    the user to start it, saying how long it will take."""
    rows = run.result.split.test if row is None else [row]
    key = (run.fingerprint, method, row)
    if key not in app.attributions:
        expected = explain_seconds(run, len(rows), method)
        if expected > common.SLOW_SECONDS:
            st.warning(
                f"{METHOD_LABELS[method]} on {len(rows)} rows will take {common.duration(expected)}; gradient x "
                "activation takes a fraction of that.", icon=":material/schedule:",
            )  # fmt: skip
            if not st.button(f"Explain ({common.duration(expected)})", key=Keys.EXPLAIN_START):
                st.stop()
        bar = st.progress(0.0, text=f"Explaining with {METHOD_LABELS[method]}…")
        app.attributions[key] = explain(
            run, ds.X[rows], method=method, progress=lambda done, total: bar.progress(done / total)
        )
        bar.empty()
    return app.attributions[key]


def order_label(k: int) -> str:
    """``"inputs"``, ``"edges"``, ``"triangles"`` ... for order ``k``."""
    return ORDER_NAMES[k] if k < len(ORDER_NAMES) else f"order {k}"


def ranking_tab(app: AppState, attr: Attribution, run: Run, ds: Dataset, chosen_row: int | None) -> None:
    one_row = chosen_row is not None
    st.caption(
        ("The row's own scores, signed: positive pushes the prediction up." if one_row else
         "Mean |score| over the test rows: how much each simplex moves predictions, in either direction.")
        + " Click a bar to look inside that simplex."
    )  # fmt: skip
    split = ", ".join(f"{order_label(k)} {share:.0%}" for k, share in enumerate(attr.order_shares()))
    st.caption(f"Share of all |attribution| by order: {split}. The ranking lists the interactions (edges and up).")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    available = list(range(1, len(attr.scores)))
    orders = left.pills(
        "Orders", available, selection_mode="multi", default=available, key=Keys.EXPLAIN_ORDERS,
        format_func=order_label, persist_state="session",
    )  # fmt: skip
    top = int(right.number_input("Top", 5, 100, 15, step=5, key=Keys.EXPLAIN_TOP, persist_state="session"))
    if not orders:
        st.info("Pick at least one order.")
        return
    row = 0 if one_row else None
    clickable(ranking_figure(attr, top=top, orders=orders, row=row), "explain.ranking", run)
    inspector(app, run, ds, attr, chosen_row)
    ranked = [s for s in attr.ranking(row=row) if s.order in orders][:top]
    table = [{"simplex": " · ".join(s.features), "order": s.order, "score": round(s.score, 5)} for s in ranked]
    st.dataframe(table, hide_index=True, width="stretch")
    st.plotly_chart(feature_importance_figure(attr, top=top), key="explain.features")


def network_tab(app: AppState, attr: Attribution, run: Run, ds: Dataset, chosen_row: int | None) -> None:
    st.caption(
        "Edges and triangles coloured by their scores, on the network the model was wired with. Click the middle "
        "of an edge or triangle to look inside it."
    )
    one_row = chosen_row is not None
    row = 0 if one_row else None
    values = {"edge_values": attr.simplex_values(1, row)}
    if len(attr.scores) > 2:
        values["triangle_values"] = attr.simplex_values(2, row)
    label = f"{attr.method} score" if one_row else f"mean |{attr.method}|"
    fig = network_figure(run.network, orders=(1, 2), value_label=label, **values)
    clickable(fig, "explain.network", run)
    inspector(app, run, ds, attr, chosen_row)


# ---- the simplex inspector ------------------------------------------------------------------------------------


def clickable(fig: go.Figure, key: str, run: Run) -> None:
    """A chart whose simplices (bars, or the hover points of edges and triangles) open the inspector on click."""
    st.plotly_chart(
        fig, key=key, on_select=lambda: picked(key, run.feature_names), selection_mode="points",
        config={"displayModeBar": False},
    )  # fmt: skip


def picked(key: str, names: tuple[str, ...]) -> None:
    """The clicked point's simplex (its ``customdata``: vertex indices) becomes the inspected one."""
    points = st.session_state[key]["selection"]["points"]
    vertices = next((p["customdata"] for p in points if isinstance(p.get("customdata"), list)), None)
    if vertices is not None and len(vertices) >= 2:
        st.session_state[Keys.INSPECT_SIMPLEX] = tuple(names[int(v)] for v in vertices)


def inspector(app: AppState, run: Run, ds: Dataset, attr: Attribution, row: int | None) -> None:
    """Look inside one simplex: its unit's response (and the model's) over its own features, the others held."""
    options = [s.features for s in attr.ranking(top=40)]
    current = st.session_state.get(Keys.INSPECT_SIMPLEX)
    if current is not None and current not in options:  # clicked on the drawing, beyond the top 40
        options.insert(0, current)
    if not options:
        return
    if current is None:
        st.session_state[Keys.INSPECT_SIMPLEX] = options[0]
    with st.container(border=True):
        st.markdown("**Inside one simplex**")
        common.lesson(INSPECT_LESSON)
        left, middle, right = st.columns([3, 2, 2])
        features = left.selectbox("Simplex", options, key=Keys.INSPECT_SIMPLEX, format_func=" · ".join)
        show = middle.segmented_control(
            "Response of", ["unit", "prediction"], default="unit", required=True, key=Keys.INSPECT_SHOW,
            format_func={"unit": "its unit", "prediction": "the prediction"}.get,
        )  # fmt: skip
        references = ["mean"] + ([] if row is None else [row])
        reference = right.segmented_control(
            "Other features at", references, default="mean", required=True, key=Keys.INSPECT_REFERENCE,
            format_func=lambda r: "training mean" if r == "mean" else f"row {r}",
        )  # fmt: skip
        target = inspected_class(run)
        response = inspection(app, run, ds, tuple(features), reference if reference in references else "mean", target)
        reading = response.unit_reading if show == "unit" else response.prediction_reading
        st.plotly_chart(inspector_figure(response, show=show), key="explain.inspector")
        st.markdown(f"**Shape:** {common.plain(reading.text)}")


def inspected_class(run: Run) -> object | None:
    """Classification: the class whose probability (and logit) the inspector shows; None for regression."""
    if run.classes is None:
        return None
    return st.selectbox(
        "Class", [None, *run.classes], key=Keys.INSPECT_CLASS,
        format_func=lambda c: "the class predicted at the reference" if c is None else f"class {c}",
    )  # fmt: skip


def inspection(
    app: AppState, run: Run, ds: Dataset, features: tuple[str, ...], reference: str | int, target: object | None
) -> SimplexResponse:
    """The simplex's response surfaces, computed once per session for each choice."""
    key = (run.fingerprint, features, reference, target)
    if key not in app.inspections:
        train = ds.X[run.result.split.train]
        fixed = reference if reference == "mean" else ds.X[int(reference)]
        app.inspections[key] = inspect_simplex(run, features, X=train, reference=fixed, target=target)
    return app.inspections[key]


def split_tab(run: Run, ds: Dataset, row: int | None, attr: Attribution) -> None:
    if row is None:
        st.info("Choose *one row* above to see its prediction split by order and its own top simplices.")
        return
    common.lesson(
        "The HNN's output is a sum: a constant plus one contribution per order. The waterfall adds them up, from "
        "the constant to the prediction, so you see how much the edges, triangles and tetrahedra each added."
    )
    split = order_split(run, ds.X[[row]])[0]
    st.plotly_chart(order_waterfall_figure(split, title=row_label(run, ds, row)), key="explain.waterfall")
    st.plotly_chart(ranking_figure(attr, top=10, row=0), key="explain.row_ranking")


def knockout_tab(app: AppState, run: Run, ds: Dataset, method: str) -> None:
    st.caption("Hold chosen simplices at their value for an average row, and see what the model loses.")
    overall = attribution(app, run, ds, method, None)
    options = [s.features for s in overall.ranking(top=40)]
    chosen = st.multiselect(
        "Simplices to knock out (the 40 most important)", options, format_func=" · ".join, key=Keys.EXPLAIN_KNOCKOUT,
        persist_state="session",
    )  # fmt: skip
    if not chosen:
        return
    rows = run.result.split.test
    out = knock_out(run, ds.X[rows], ds.y[rows], chosen)
    name = METRIC_LABELS[out.metric]
    cells = st.columns(2)
    cells[0].metric(f"Test {name}", f"{out.score_after:.3f}", delta=f"{out.score_after - out.score_before:+.3f}")
    cells[1].metric("Simplices knocked out", len(chosen))
    fig = knockout_figure(
        out.before, out.after, metric_name=name, metric_before=out.score_before, metric_after=out.score_after
    )
    st.plotly_chart(fig, key="explain.knockout_figure")


def faithfulness_tab(app: AppState, job: TrainingJob, run: Run, method: str) -> None:
    st.caption(
        "Can the ranking be trusted? Removing the top simplices first should hurt more than removing random ones "
        "(deletion), restoring them first should help more (insertion); scrambling the weights or the labels "
        "should change the attribution; and the methods should agree on the top simplices."
    )
    key = (run.fingerprint, method)
    if st.button("Run the checks", key=Keys.EXPLAIN_CHECK, icon=":material/fact_check:", disabled=key in app.checks):
        app.checks[key] = start_checks(job, run, method)
    check = app.checks.get(key)
    common.watch(check, draw_check_progress, "explain.checks")
    if check is not None and check.finished:
        if check.error:
            common.error(check.error)
        elif check.result is not None:
            show_report(check.result, run)


def start_checks(job: TrainingJob, run: Run, method: str) -> Job:
    def work(this: Job) -> FaithfulnessReport:
        def step(name: str) -> None:
            this.status = name

        return faithfulness_report(run, job.dataset, method=method, config=job.config, progress=step)

    return Job(work).start()


def draw_check_progress(job: Job) -> None:
    if not job.finished:
        with st.spinner(f"Checking: {job.status or 'starting'}…"):
            st.empty()


def show_report(report: FaithfulnessReport, run: Run) -> None:
    metric = METRIC_LABELS["r2" if run.task == "regression" else "accuracy"]
    st.plotly_chart(
        deletion_insertion_figure((report.deletion, report.insertion), metric_name=metric), key="explain.curves"
    )
    verdicts = [{"check": name, "verdict": "passed" if ok else "failed"} for name, ok in report.verdicts.items()]
    stages = [
        {"check": check.name, "stage": stage, "rank correlation with the original": round(rho, 3)}
        for check in report.checks
        for stage, rho in check.stages
    ]
    agreement = [
        {"methods": f"{a} / {b}", f"top-{report.k} overlap": round(v, 2)} for (a, b), v in report.agreement.items()
    ]
    left, right = st.columns(2)
    left.dataframe(verdicts, hide_index=True, width="stretch")
    right.dataframe(agreement, hide_index=True, width="stretch")
    with st.expander("Sanity checks, stage by stage"):
        st.dataframe(stages, hide_index=True, width="stretch")


def main() -> None:
    ctx = common.header(
        "Explain",
        "Which simplices, groups of interacting features, drive the trained HNN's predictions.",
        LESSON,
    )
    app = ctx.app
    job, run = explained_run(app)
    ds = job.dataset
    st.caption(f"Explaining the HNN trained on {common.plain(ds.summary())}; network: {run.ifn.label()}.")
    method, row = choose_rows(run, ds)
    attr = attribution(app, run, ds, method, row)
    views = {
        "Ranking": lambda: ranking_tab(app, attr, run, ds, row),
        "On the network": lambda: network_tab(app, attr, run, ds, row),
        "One row": lambda: split_tab(run, ds, row, attr),
        "Knock out": lambda: knockout_tab(app, run, ds, method),
        "Faithfulness": lambda: faithfulness_tab(app, job, run, method),
    }
    common.open_tab(views, Keys.EXPLAIN_TAB)
    report_download(app, job, run, attr if row is None else None, method)


def report_download(app: AppState, job: TrainingJob, run: Run, attr: Attribution | None, method: str) -> None:
    """Write the analysis as one offline HTML page for colleagues who will not run the app, then offer it."""
    # keyed: the expander keeps its open state across the run that writes the report (else the button hides)
    with st.expander(
        "Report for colleagues: one HTML file that opens offline", icon=":material/description:", key=Keys.REPORT_OPEN
    ):
        st.caption(
            "The data and what was dropped, the network and complex, the model against baselines, the top simplices "
            "with their inspector maps, the split by order and the faithfulness verdicts. Checks already run here "
            "are reused; the others are computed now (a few seconds)."
        )
        if st.button("Write the report", key=Keys.REPORT_MAKE, icon=":material/edit_document:"):
            check = app.checks.get((run.fingerprint, method))
            verdicts = check.result if check is not None and check.finished and not check.error else None
            with st.spinner("Writing the report…"):
                others = [other for other in job.runs.values() if other is not run]  # the MLP trained beside it
                app.reports[run.fingerprint] = build_report(
                    analyse(run, job.dataset, attribution=attr, faithfulness=verdicts, beside=others)
                )
        page = app.reports.get(run.fingerprint)
        if page is not None:
            st.download_button(
                "Download the report (.html)", page, file_name=f"{run.dataset_name}-hnn-report.html",
                mime="text/html", key=Keys.REPORT_DOWNLOAD, icon=":material/download:", on_click="ignore",
            )  # fmt: skip


main()
