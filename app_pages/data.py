"""Data: pick a bundled sample or upload a table, see what it holds, and what will be used and why.

Every computation is an hnnviz call (reading, cleaning, describing columns); this page lays out widgets and
shows the results. The current table and target live in the session's selection, so they hold on every page.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.shared import common, state
from app_pages.shared.state import SAMPLE_PREFIX, AppState, Keys, Upload
from hnnviz.data import MISSING_RULES, SAMPLES, SUPPORTED_FORMATS, Dataset, SampleInfo
from hnnviz.exceptions import HNNVizError

LARGE_ROWS = 20_000  # above this many rows, working on a sample is suggested
LESSON = (
    "A **table** has one row per observation and one column per measured quantity. Every numeric column "
    "becomes a **feature**, a vertex of the network; the **target** is the column a model will learn to "
    "predict, so it is left out of the network. Columns that cannot be used (text, constant, mostly missing) "
    "are dropped, and the table below says why. Columns that number the rows (identifiers) or copy the target "
    "(leaks) would mislead every later page, so they are left out too, unless you keep them."
)
MISSING_LABELS = {
    "drop_sparse_columns": "Drop sparse columns, then incomplete rows",
    "drop_rows": "Drop incomplete rows",
    "impute_median": "Fill with the median",
    "impute_most_frequent": "Fill with the most frequent value",
}
CHECK_WORDS = {"identifier": "identifier", "leak": "leak of the target", "sparse": "too many missing"}


def use_sample(name: str) -> None:
    """Button callback: make a bundled sample the current table."""
    app = state.app_state()
    common.adopt(app, app.selection.with_source(SAMPLE_PREFIX + name), Keys.SOURCE, Keys.TARGET, Keys.TASK, Keys.SHEET)


def receive_upload() -> None:
    """Uploader callback: read the file once (bytes and digest) and make it the current table."""
    file = st.session_state.get(Keys.UPLOAD)
    if file is None:  # the user removed the file from the uploader; earlier uploads stay selectable
        return
    app = state.app_state()
    try:
        app.add_upload(Upload.read(file.name, file.getvalue()))
    except HNNVizError as err:
        app.notice = str(err)
        return
    common.adopt(app, app.selection, Keys.SOURCE, Keys.TARGET, Keys.TASK, Keys.SHEET)


def choose_sheet() -> None:
    """Sheet picker callback: another sheet is another table, so the target and task start again."""
    app = state.app_state()
    selection = replace(app.selection, sheet=st.session_state[Keys.SHEET], target=None, task=None)
    common.adopt(app, selection, Keys.TARGET, Keys.TASK)


def choose_sampling() -> None:
    """Sampling widgets' callback: work on a sample of the rows, or on all of them."""
    app = state.app_state()
    rows = int(st.session_state[Keys.SAMPLE_ROWS_N]) if st.session_state[Keys.SAMPLE_ROWS_ON] else None
    app.selection = replace(app.selection, max_rows=rows)


def sampling_choice(app: AppState, table_rows: int) -> None:
    """For a large table, the option to work on a random sample of its rows (reported among the drops)."""
    if table_rows <= LARGE_ROWS and app.selection.max_rows is None:
        return
    sampling = app.selection.max_rows is not None
    if not sampling:
        st.warning(
            f"This table has {table_rows:,} rows: training and slow explanations will take long. A sample of "
            f"{LARGE_ROWS:,} rows keeps the app responsive; the network changes little.", icon=":material/speed:",
        )  # fmt: skip
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    left.toggle(
        f"Work on a random sample of the {table_rows:,} rows", value=sampling, key=Keys.SAMPLE_ROWS_ON,
        on_change=choose_sampling,
    )  # fmt: skip
    right.number_input(
        "Rows in the sample", 100, table_rows, min(table_rows, app.selection.max_rows or LARGE_ROWS), step=1000,
        key=Keys.SAMPLE_ROWS_N, on_change=choose_sampling,
    )  # fmt: skip


def choose_missing() -> None:
    """Missing-value rule callback."""
    app = state.app_state()
    app.selection = replace(app.selection, missing=st.session_state[Keys.MISSING])


def choose_keep() -> None:
    """Keep-anyway callback: the flagged columns to use as features all the same."""
    app = state.app_state()
    app.selection = replace(app.selection, keep=tuple(st.session_state[Keys.KEEP]))


def cleaning_choices(app: AppState, ds: Dataset | None) -> None:
    """The missing-value rule, the columns the checks flagged (and why), and the switch to keep them."""
    left, right = st.columns(2)
    common.choose(
        left, "Missing values", MISSING_RULES, app.selection.missing, Keys.MISSING, MISSING_LABELS.get,
        help="Sparse columns (more than 20% missing) go first, so one column does not take whole rows with it. "
        "Filling uses the training rows of the default split.", on_change=choose_missing,
    )  # fmt: skip
    columns = [c for c in state.raw_table(app, app.selection).columns if c != app.selection.target]
    st.session_state[Keys.KEEP] = [c for c in app.selection.keep if c in columns]
    right.multiselect(
        "Keep anyway", columns, key=Keys.KEEP, on_change=choose_keep, placeholder="no flagged column kept",
        help="Use these columns as features even though a check flags them (identifier, leak, sparse).",
    )  # fmt: skip
    if ds is not None and ds.flags:
        rows = [
            {"column": f.column, "check": CHECK_WORDS[f.check], "reason": f.reason, "kept": f.kept} for f in ds.flags
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
    if ds is not None and ds.encodings:
        st.caption("Two-valued text read as 0/1: " + common.plain("; ".join(str(e) for e in ds.encodings)))


def choose_task() -> None:
    """Task picker callback."""
    app = state.app_state()
    app.selection = replace(app.selection, task=common.chosen(Keys.TASK))


#: Sample cards side by side: narrower cards break the samples' names mid-word.
_CARDS_PER_ROW = 4


def samples_gallery(app: AppState) -> None:
    """One card per bundled sample: what it is, its size and target, and a button to use it."""
    st.subheader("Bundled samples")
    samples = list(SAMPLES.items())
    for start in range(0, len(samples), _CARDS_PER_ROW):
        row = samples[start : start + _CARDS_PER_ROW]
        for card, (name, info) in zip(st.columns(_CARDS_PER_ROW), row, strict=False):
            sample_card(app, card, name, info)


def sample_card(app: AppState, card: DeltaGenerator, name: str, info: SampleInfo) -> None:
    """One bundled sample: what it is, its target, and a button to use it."""
    box = card.container(border=True, height="stretch")
    box.markdown(f"**{name}**")
    box.caption(common.plain(info.description))
    box.caption(f"Target: `{info.target}` ({info.task})" if info.target else "No target (structure only)")
    current = app.selection.source == SAMPLE_PREFIX + name
    box.button(
        "In use" if current else "Use this sample", key=f"data.use.{name}", disabled=current,
        on_click=use_sample, args=(name,), use_container_width=True,
    )  # fmt: skip


def upload_box(app: AppState) -> None:
    """The uploader, and the sheet picker for a workbook with several sheets."""
    st.subheader("Your own table")
    st.file_uploader(
        "Upload a table", type=list(SUPPORTED_FORMATS), key=Keys.UPLOAD, on_change=receive_upload,
        help="CSV, TSV or TXT (UTF-8), Parquet or Excel (.xlsx). It stays in this browser session only.",
    )  # fmt: skip
    if app.notice:
        common.error(app.notice)
        app.notice = None
    upload = app.uploads.get(app.selection.source)
    if upload is not None and len(upload.sheets) > 1:
        common.choose(st, "Sheet", upload.sheets, app.selection.sheet, Keys.SHEET, on_change=choose_sheet)


def task_choice(app: AppState, ds: Dataset) -> None:
    """The task the target gives, inferred and overridable."""
    if ds.target is None:
        st.info("No target is chosen: the network uses every numeric column. Pick one in the sidebar to train.")
        return
    inferred = ds.task if app.selection.task is None else None
    options = [None, "regression", "classification"]
    common.choose(
        st, "Task", options, app.selection.task, Keys.TASK,
        lambda t: f"inferred: {inferred}" if t is None and inferred else (t or "inferred"),
        help="Classification for labels (text, or a few whole numbers); regression for quantities.",
        on_change=choose_task,
    )  # fmt: skip


def summary(ds: Dataset) -> None:
    cells = st.columns(4)
    cells[0].metric("Rows used", f"{ds.n_rows:,}")
    cells[1].metric("Features", ds.n_features, help="Numeric columns that become vertices of the network.")
    cells[2].metric("Target", ds.target or "none")
    if ds.classes:  # "classification (3 classes)" would not fit the box: the count is the value
        cells[3].metric("Task: classification", f"{len(ds.classes)} classes")
    else:
        cells[3].metric("Task", ds.task or "—")


def table_views(app: AppState, ds: Dataset | None) -> None:
    """Preview of the raw table, the per-column summary and what was dropped."""
    table = state.raw_table(app, app.selection)
    preview, columns, dropped = st.tabs(["Preview", "Columns", "Dropped and read as"])
    with preview:
        n = st.number_input("Rows to show", 5, 500, 20, step=5, key=Keys.PREVIEW_ROWS, persist_state="session")
        st.caption(f"The first {min(n, len(table))} of {len(table):,} rows, as read from the file.")
        st.dataframe(table.head(int(n)), width="stretch")
    with columns:
        if ds is None:
            st.caption("The column summary appears once the table can be used.")
        else:
            st.dataframe(state.column_summary(app, app.selection, ds), hide_index=True, width="stretch")
    with dropped:
        if ds is None or not ds.dropped:
            st.caption("Nothing was dropped: every column is a usable numeric feature.")
        else:
            rows = [{"what": d.kind, "name": d.name, "rows": d.count, "reason": d.reason} for d in ds.dropped]
            st.dataframe(rows, hide_index=True, width="stretch")
        if ds is not None and ds.notes:
            st.markdown("**Read differently from how it is written**")
            st.dataframe([{"note": str(note)} for note in ds.notes], hide_index=True, width="stretch")


def main() -> None:
    ctx = common.header(
        "Data",
        "Pick a bundled sample or upload a table, then choose the target in the sidebar. Next: the Network page.",
        LESSON,
    )
    app = ctx.app
    samples_gallery(app)
    upload_box(app)
    st.subheader(f"Current table: {common.plain(app.source_label(app.selection.source))}")
    ds = ctx.loaded if isinstance(ctx.loaded, Dataset) else None
    if ds is None:
        common.error(ctx.loaded)
    else:
        sampling_choice(app, len(state.raw_table(app, app.selection)))
        task_choice(app, ds)
        summary(ds)
        if ds.target is not None:
            st.plotly_chart(state.target_figure(app, app.selection, ds), key="data.target_figure")
    try:
        cleaning_choices(app, ds)
        table_views(app, ds)
    except HNNVizError:  # the file itself cannot be read: the error above says why
        st.caption("No preview: the file cannot be read as a table (see above). Pick a sample or upload another.")


main()
