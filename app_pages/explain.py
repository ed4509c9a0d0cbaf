"""Explain: which simplices (groups of interacting features) drive the trained HNN's predictions.

By default the page reads the model's pure effects (:func:`hnnviz.explanation.purify`): each function the HNN
computes given to the smallest set of features that holds it. What each unit carries (attributions), knock-outs
and faithfulness checks stay a choice away. Every number is an hnnviz call; the figures come from
:mod:`hnnviz.viz`. The page explains the HNN trained on the Train page, on the table and network it was trained
with.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from app_pages.main import page_path
from app_pages.shared import common
from app_pages.shared.state import AppState, Keys
from hnnviz._messages import fmt_number, order_name
from hnnviz.data import Dataset
from hnnviz.explanation import (
    Attribution,
    FaithfulnessReport,
    PureEffects,
    SimplexResponse,
    explain,
    faithfulness_report,
    inspect_simplex,
    knock_out,
    order_split,
    purify,
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
    pure_ranking_figure,
    pure_shape_figure,
    pure_waterfall_figure,
    ranking_figure,
)
from hnnviz.workflows import Job, TrainingJob, analyse, explain_seconds

HNN = "HNN"  # the name the Train page gives the HNN run
PURE = "pure"
METHOD_LABELS = {
    "gxa": "gradient x activation (fast)",
    "ig": "integrated gradients (complete)",
    "ablation": "ablation (knock each unit out)",
}
CHOICES = {PURE: "pure effects", **{m: f"what a unit carries: {label}" for m, label in METHOD_LABELS.items()}}
DIFFERENCE = (
    "A unit can carry a lower order's function (a triangle's unit may hold one feature's curve); pure effects give "
    "each function to the smallest set of features that holds it."
)
METRIC_LABELS = {"r2": "R²", "accuracy": "accuracy"}
INSPECT_LESSON = (
    "Every HNN unit reads a known, small group of features. Here the group's own features vary over a grid while "
    "every other feature stays at the reference (an average row, or the chosen row); the colour is what the unit "
    "adds to the prediction (or the prediction itself). Dots are training rows. The shape is read from the "
    "surface: *additive* if the features act separately, *product-like* or *max-like* if they work together."
)
LESSON = (
    "The model's prediction is split into an average plus **pure effects**. A single feature's effect is a curve: "
    "how the prediction moves with that feature alone. A pair's effect is the part of the prediction that only this "
    "pair of features explains together, beyond what each explains alone; a triangle's is what only those three "
    "explain together, beyond every pair and single feature in it. Each effect gets a score: how much it moves "
    "predictions across the training rows. In an HNN every group comes from the network, so these are the "
    "*interactions* the model can use."
)
UNIT_LESSON = (
    "An **attribution** says how much each unit contributed to a prediction, compared with the prediction "
    "for an average row (the training mean). In an HNN every unit is a simplex, a named group of features, so "
    "the scores say what each group's unit carries. Scores are in the target's units (regression) or in the "
    "model's score for the predicted class."
)
SHAPE_LESSON = (
    "A single feature's curve shows how the prediction moves with that feature alone; the grey bars under it count "
    "the training rows at each value, so you can see where the curve rests on data. A pair's map shows the part of "
    "the prediction that only this pair of features explains together, beyond what each explains alone (dots are "
    "training rows). A group of three is shown as maps of two of its features at a low, middle and high value of "
    "the third."
)
PURE_SPLIT_LESSON = (
    "The bars start at the average prediction and add this row's pure effects, largest first, until they reach the "
    "prediction itself: green pushes it up, red down. The row's value of each feature is written beside it."
)


def explained_run(app: AppState) -> tuple[TrainingJob, Run]:
    """The training job and its HNN, or a message pointing to the Train page."""
    job = app.training
    run = job.runs.get(HNN) if job is not None else None
    if run is None:
        st.info("Train a model first: the Explain page explains the HNN trained on the Train page.")
        st.page_link(page_path("train.py"), label="Go to Train", icon=":material/model_training:")
        st.stop()
    return job, run


def row_label(run: Run, ds: Dataset, row: int) -> str:
    y = ds.y[row]
    truth = run.classes[int(y)] if run.classes is not None else f"{y:.4g}"
    return f"row {row} (target {truth})"


def choose_rows(run: Run, ds: Dataset) -> tuple[str, int | None]:
    """The method (``"pure"`` or a unit attribution), and either every test row (None) or one of them."""
    left, middle, right = st.columns([2, 2, 3])
    method = left.selectbox(
        "Explain by", list(CHOICES), format_func=CHOICES.get, key=Keys.EXPLAIN_METHOD, persist_state="session"
    )
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


def orders_and_top(available: list[int], key: str, label: Callable[[int], str]) -> tuple[list[int], int]:
    """Which orders a ranking shows and how many of its entries (says so when no order is picked)."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    orders = left.pills(
        "Orders", available, selection_mode="multi", default=available, key=key, format_func=label,
        persist_state="session",
    )  # fmt: skip
    top = int(right.number_input("Top", 5, 100, 15, step=5, key=Keys.EXPLAIN_TOP, persist_state="session"))
    if not orders:
        st.info("Pick at least one order.")
    return list(orders or ()), top


def ranking_tab(app: AppState, attr: Attribution, run: Run, ds: Dataset, chosen_row: int | None) -> None:
    one_row = chosen_row is not None
    st.caption(
        ("The row's own scores, signed: positive pushes the prediction up." if one_row else
         "The average size of each unit's effect on the test rows' predictions, in either direction.")
        + " Click a bar to look inside that simplex."
    )  # fmt: skip
    split = ", ".join(f"{order_name(k)} {share:.0%}" for k, share in enumerate(attr.order_shares()))
    st.caption(f"Share of what the units carry, by order: {split}. The ranking lists the interactions (edges and up).")
    orders, top = orders_and_top(list(range(1, len(attr.scores))), Keys.EXPLAIN_ORDERS, order_name)
    if not orders:
        return
    row = 0 if one_row else None
    clickable(ranking_figure(attr, top=top, orders=orders, row=row), "explain.ranking", run)
    inspector(app, run, ds, attr, chosen_row)
    ranked = [s for s in attr.ranking(row=row) if s.order in orders][:top]
    table = [
        {"simplex": " · ".join(s.features), "kind": order_name(s.order, plural=False), "effect": fmt_number(s.score)}
        for s in ranked
    ]
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
    label = "effect on this row" if one_row else "effect on predictions"
    fig = network_figure(run.network, orders=(1, 2), value_label=label, **values)
    clickable(fig, "explain.network", run)
    inspector(app, run, ds, attr, chosen_row)


# ---- the simplex inspector ------------------------------------------------------------------------------------


def clickable(fig: go.Figure, key: str, run: Run, target: str = Keys.INSPECT_SIMPLEX, smallest: int = 2) -> None:
    """A chart whose simplices (bars, or the hover points of edges and triangles) are chosen by a click: the
    clicked simplex becomes the value of the widget ``target`` (the inspector's, or the pure shape's)."""
    st.plotly_chart(
        fig, key=key, on_select=lambda: picked(key, run.feature_names, target, smallest), selection_mode="points",
        config={"displayModeBar": False},
    )  # fmt: skip


def picked(key: str, names: tuple[str, ...], target: str, smallest: int) -> None:
    """The clicked point's simplex (its ``customdata``: at least ``smallest`` vertex indices) becomes the chosen one."""
    points = st.session_state[key]["selection"]["points"]
    vertices = next((p["customdata"] for p in points if isinstance(p.get("customdata"), list)), None)
    if vertices is not None and len(vertices) >= smallest:
        st.session_state[target] = tuple(names[int(v)] for v in vertices)


def chosen_simplex(options: list[tuple[str, ...]], key: str) -> list[tuple[str, ...]]:
    """The options of a simplex menu: the one chosen by a click leads when it is not among them; the first option
    is chosen when nothing is yet."""
    current = st.session_state.get(key)
    if current is not None and current not in options:  # clicked on the drawing, beyond the listed ones
        options = [current, *options]
    if current is None and options:
        st.session_state[key] = options[0]
    return options


def inspector(app: AppState, run: Run, ds: Dataset, attr: Attribution, row: int | None) -> None:
    """Look inside one simplex: its unit's response (and the model's) over its own features, the others held."""
    options = chosen_simplex([s.features for s in attr.ranking(top=40)], Keys.INSPECT_SIMPLEX)
    if not options:
        return
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


# ---- pure effects -----------------------------------------------------------------------------------------------


def explained_class(run: Run) -> str | None:
    """Classification: the class whose log-odds the pure effects split (the last class by default)."""
    if run.classes is None:
        return None
    labels = [str(c) for c in run.classes]
    return st.selectbox("Class explained", labels, index=len(labels) - 1, key=Keys.PURE_CLASS,
                        format_func=lambda c: f"class {c}")  # fmt: skip


def pure_effects(app: AppState, run: Run, ds: Dataset, target: str | None) -> PureEffects:
    """The run's pure effects, computed once per session (a few hundredths of a second for the default HNN)."""
    key = (run.fingerprint, target)
    if key not in app.pure:
        app.pure[key] = purify(run, ds.X, target=target)
    return app.pure[key]


def pure_verdict(pure: PureEffects) -> None:
    """Whether the model found strong interactions, in plain words."""
    share = pure.interaction_share
    if not pure.strong_interactions:
        st.success(
            f"No strong interaction found: interactions hold only {share:.1%} of the model's variance. The model "
            "is close to a sum of one curve per feature.", icon=":material/check_circle:",
        )  # fmt: skip
    else:
        st.caption(f"Interactions hold {share:.1%} of the model's variance; single features the rest.")
    if pure.target is not None:
        st.caption(
            f"The effects split the model's score for class {common.plain(pure.target)} (its log-odds, before it "
            "becomes a probability)."
        )


def pure_order_label(k: int) -> str:
    return "single features" if k == 0 else order_name(k)


def pure_ranking_tab(pure: PureEffects, run: Run, ds: Dataset) -> None:
    split = ", ".join(f"{pure_order_label(k)} {share:.0%}" for k, share in enumerate(pure.order_shares()))
    st.caption(
        f"Share of the model's variance by order: {split}. Importance: how much an effect moves predictions over "
        "the training rows. Click a bar to see its shape."
    )
    orders, top = orders_and_top(list(range(len(pure.order_shares()))), Keys.PURE_ORDERS, pure_order_label)
    if not orders:
        return
    clickable(pure_ranking_figure(pure, top=top, orders=orders), "explain.pure_ranking", run, Keys.PURE_TERM, 1)
    shape_view(pure, run, ds)
    ranked = [e for e in pure.ranking(min_order=0) if e.order in orders][:top]
    table = [
        {"effect": " · ".join(e.features), "kind": order_name(e.order, plural=False),
         "importance": fmt_number(e.importance), "share of variance": f"{e.share:.1%}"}
        for e in ranked
    ]  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")


def pure_network_tab(pure: PureEffects, run: Run, ds: Dataset) -> None:
    st.caption(
        "Edges and triangles coloured by the importance of their pure effect, on the network the model was wired "
        "with. Click the middle of an edge or triangle to see its shape."
    )
    values = {"edge_values": pure.simplex_values(1)}
    if len(pure.order_shares()) > 2:
        values["triangle_values"] = pure.simplex_values(2)
    fig = network_figure(run.network, orders=(1, 2), value_label="pure effect importance", **values)
    clickable(fig, "explain.pure_network", run, Keys.PURE_TERM)
    shape_view(pure, run, ds)


def shape_view(pure: PureEffects, run: Run, ds: Dataset) -> None:
    """The shape of the chosen pure effect over its features, the training rows under or on it."""
    options = chosen_simplex([e.features for e in pure.ranking(min_order=0, top=40)], Keys.PURE_TERM)
    with st.container(border=True):
        st.markdown("**The shape of one effect**")
        common.lesson(SHAPE_LESSON)
        features = st.selectbox("Effect", options, key=Keys.PURE_TERM, format_func=" · ".join)
        fig = pure_shape_figure(pure, features, X=ds.X[run.result.split.train])
        st.plotly_chart(fig, key="explain.shape")


def pure_split_tab(pure: PureEffects, run: Run, ds: Dataset, row: int | None) -> None:
    if row is None:
        st.info("Choose *one row* above to see its prediction split into pure effects.")
        return
    common.lesson(PURE_SPLIT_LESSON)
    x = ds.X[[row]]
    prediction = float(run.predict(x)[0]) if run.task == "regression" else None  # else the class's score, rebuilt
    left, right = st.columns([3, 1])
    fig = pure_waterfall_figure(pure, pure.contributions(x)[0], prediction=prediction, row=x[0], top=12)
    left.plotly_chart(fig, key="explain.pure_waterfall")
    right.dataframe({"feature": list(ds.feature_names), "value": x[0].tolist()}, hide_index=True, width="stretch")


def knockout_tab(run: Run, ds: Dataset, options: list[tuple[str, ...]]) -> None:
    """Knock out simplices chosen among ``options`` (the most important first)."""
    st.caption("Hold chosen simplices at their value for an average row, and see what the model loses.")
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
    st.caption(DIFFERENCE)
    if method == PURE:
        pure = pure_effects(app, run, ds, explained_class(run))
        pure_verdict(pure)
        views = {
            "Ranking": lambda: pure_ranking_tab(pure, run, ds),
            "On the network": lambda: pure_network_tab(pure, run, ds),
            "One row": lambda: pure_split_tab(pure, run, ds, row),
            "Knock out": lambda: knockout_tab(run, ds, [e.features for e in pure.ranking(top=40)]),
            "Faithfulness": lambda: st.info(
                "These checks test what a unit carries: choose one of those methods above to run them."
            ),
        }
        common.open_tab(views, Keys.EXPLAIN_TAB)
        report_download(app, job, run, None, "gxa")
        return
    common.lesson(UNIT_LESSON)
    attr = attribution(app, run, ds, method, row)
    views = {
        "Ranking": lambda: ranking_tab(app, attr, run, ds, row),
        "On the network": lambda: network_tab(app, attr, run, ds, row),
        "One row": lambda: split_tab(run, ds, row, attr),
        "Knock out": lambda: knockout_tab(
            run, ds, [s.features for s in attribution(app, run, ds, method, None).ranking(top=40)]
        ),
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
