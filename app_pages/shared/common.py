"""What every page shares: the sidebar with the current choices, page headers, lesson notes, error display.

Shared choices are drawn from the session's :class:`~app_pages.shared.state.Selection` and written back to
it, so they hold across pages (a widget drawn by one page is a different widget on the next). When the table
changes, the widgets that depend on its columns are reset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import streamlit as st

from app_pages.main import page_path
from app_pages.shared import sessions, state
from app_pages.shared.state import AppState, Keys, Selection
from hnnviz.data import Dataset
from hnnviz.exceptions import HNNVizError
from hnnviz.network import FilteredNetwork
from hnnviz.specs import IFN_METHODS, SIMILARITY_METHODS, IFNSpec
from hnnviz.workflows import Job

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

T = TypeVar("T")

SIMILARITY_LABELS = {
    "pearson2": "Pearson² (squared correlation)",
    "spearman2": "Spearman² (squared rank correlation)",
    "abs": "|Pearson| (absolute correlation)",
    "mi": "Mutual information (binned)",
    "interaction": "Interaction with the target",
}
METHOD_LABELS = {
    "tmfg": "TMFG: planar, 4-cliques",
    "mfcf": "MFCF: clique forest",
    "mst": "MST: spanning tree",
}
NO_TARGET = "— none —"
#: Stands for None among a select box's options: Streamlit shows a None value as an empty box ("Choose an
#: option"), while None here is a choice in force (no target, the inferred task, every order) to be shown.
UNSET = "\x00unset"
LIGHT_VIEW_NODES = 300  # above this many features: the WebGL view, no pyvis, no triangles, no heatmap


def choose(
    box: DeltaGenerator,
    label: str,
    options: Sequence[T],
    current: T,
    key: str,
    format_func: Callable[[Any], str] = str,
    **kwargs: Any,
) -> T:
    """A selectbox showing ``current`` (the first option if ``current`` is no longer one).

    A None option is shown as ``format_func(None)`` like any other (the widget holds :data:`UNSET` for it;
    read it back with :func:`chosen`).
    """
    shown = [_option(o) for o in options]
    index = shown.index(_option(current)) if _option(current) in shown else 0
    picked = box.selectbox(label, shown, index=index, key=key, format_func=lambda o: format_func(_value(o)), **kwargs)
    return _value(picked)


def chosen(key: str) -> Any:
    """The value of a :func:`choose` box by its key, in a callback (None for the None option)."""
    return _value(st.session_state[key])


def _option(value: Any) -> Any:
    return UNSET if value is None else value


def _value(option: Any) -> Any:
    return None if isinstance(option, str) and option == UNSET else option


def adopt(app: AppState, selection: Selection, *keys: str) -> None:
    """Make ``selection`` current and show it in the data widgets with these keys.

    Setting a widget's key is how its displayed value changes (the browser keeps a widget's own value
    otherwise), so call this before those widgets are drawn in the run: from a callback, or between drawing
    the source and the widgets that depend on it.
    """
    app.selection = selection
    shown = {Keys.SOURCE: selection.source, Keys.TARGET: _option(selection.target), Keys.TASK: _option(selection.task)}
    shown |= {Keys.SHEET: selection.sheet, Keys.MISSING: selection.missing, Keys.KEEP: list(selection.keep)}
    for key in keys:
        st.session_state[key] = shown[key]


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """``text`` escaped for Streamlit's markdown: names from files (``**x**``, ``$y$``, ``:red[z]``) show as typed."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def error(err: Exception | str) -> None:
    """An expected problem, in plain words (never a traceback)."""
    st.error(plain(err), icon=":material/error:")


def stop_with(err: Exception | str) -> NoReturn:
    """Show the problem and end this page's run."""
    error(err)
    st.stop()


SLOW_SECONDS = 10.0  # a step expected to take longer is announced with its expected time


def duration(seconds: float) -> str:
    """``"about 40 s"``, ``"about 3 min"``, ``"about 2 h"``."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 5400:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


def lesson(text: str) -> None:
    """A short explanation shown only in lesson mode (for classroom demos)."""
    if state.app_state().lesson:
        st.info(text, icon=":material/school:")


def advanced() -> bool:
    """Whether to draw advanced controls (hidden in lesson mode)."""
    return not state.app_state().lesson


@dataclass(frozen=True)
class PageContext:
    """What a page starts from: this session's state and the current table (or why it cannot be used)."""

    app: AppState
    loaded: Dataset | HNNVizError

    def dataset(self) -> Dataset:
        """The cleaned current table; a problem is shown and ends the page's run."""
        if isinstance(self.loaded, HNNVizError):
            error(self.loaded)
            st.page_link(page_path("data.py"), label="Choose another table on the Data page", icon=":material/table:")
            st.stop()
        return self.loaded

    def network(self, ifn: IFNSpec | None = None) -> FilteredNetwork:
        """The filtered network of the current table; a problem is shown and ends the page's run."""
        try:
            return state.network(self.app, self.app.selection, self.dataset(), ifn)
        except HNNVizError as err:
            stop_with(err)


def open_tab(views: dict[str, Callable[[], None]], key: str) -> None:
    """Tabs that draw only the one the user opened (the others would cost time and bytes on every run)."""
    for tab, draw in zip(st.tabs(list(views), key=key, on_change="rerun"), views.values(), strict=True):
        if tab.open:
            with tab:
                draw()


def watch(job: Job | None, draw: Callable[[Job], None], key: str) -> None:
    """Draw a background job now, and again twice a second while it runs; rerun the page when it ends.

    Only this part of the page reruns while the job works, so the rest stays usable (and so do other pages).
    """
    if job is None:
        return
    running = not job.finished

    @st.fragment(run_every=0.5 if running else None, key=key)
    def panel() -> None:
        draw(job)
        if running and job.finished:
            st.rerun()  # the whole page, to show the results

    panel()


def job_controls(job: Job, key: str) -> None:
    """Pause or resume, and stop, between steps."""
    if job.finished:
        return
    left, right, _ = st.columns([1, 1, 4])
    if job.state == "paused":
        left.button("Resume", key=f"{key}.resume", on_click=job.resume, icon=":material/play_arrow:")
    else:
        left.button("Pause", key=f"{key}.pause", on_click=job.pause, icon=":material/pause:")
    right.button("Stop", key=f"{key}.stop", on_click=job.stop, icon=":material/stop:")


def header(title: str, caption: str, lesson_text: str = "") -> PageContext:
    """The page title, a one-line caption saying what to do, the lesson note, and the sidebar."""
    app = state.app_state()
    st.title(title)
    st.caption(caption)
    loaded = sidebar(app)
    if lesson_text:
        lesson(lesson_text)
    return PageContext(app, loaded)


# ---- the sidebar -----------------------------------------------------------------------------------------


def sidebar(app: AppState) -> Dataset | HNNVizError:
    """Data source, target and network options, drawn on every page; returns the current table, cleaned."""
    box = st.sidebar
    box.header("Current analysis")
    if note := app.link_note():
        box.info(note, icon=":material/link:")
    app.selection = _data_choice(box, app)
    loaded = _load(app)
    if isinstance(loaded, Dataset):
        box.caption(plain(loaded.summary()))
    app.selection = replace(app.selection, ifn=_network_choice(box, app.selection.ifn))
    box.caption(f"Network: {app.selection.ifn.label()}")
    app.lesson = box.toggle(
        "Lesson mode", value=app.lesson, key=Keys.LESSON,
        help="Hide advanced controls and explain each step in plain words, for classroom demos.",
    )  # fmt: skip
    training_status(box, app)
    share_box(box, app, loaded)
    state.write_query_params(app)
    return loaded


def training_status(box: DeltaGenerator, app: AppState) -> None:
    """A line about the models in training, so other pages know (the Train page draws the details)."""
    job = app.training
    if job is not None and not job.finished:
        box.caption(f"Training in the background ({job.state}): {job.epochs_done} epochs done.")


def share_box(box: DeltaGenerator, app: AppState, loaded: Dataset | HNNVizError) -> None:
    """Save the session as a zip, open a saved one, and the link that reopens this view."""
    with box.expander("Save and share", icon=":material/share:"):
        st.caption("This page's link (the address bar) reopens the same table, target and network.")
        include = st.checkbox("Include the table", key=Keys.SHARE_DATA, help="Otherwise only its name is saved.")
        st.download_button(
            "Download the session (.zip)", data=lambda: sessions.export_session(app, include_data=include),
            file_name="hnnviz-session.zip", mime="application/zip", key=Keys.SHARE_EXPORT, on_click="ignore",
            icon=":material/download:", disabled=isinstance(loaded, HNNVizError),
        )  # fmt: skip
        st.file_uploader("Open a saved session", type=["zip"], key=Keys.SHARE_IMPORT, on_change=open_session)
        if app.share_message:
            ok, message = app.share_message
            (st.success if ok else st.error)(plain(message))


def open_session() -> None:
    """Uploader callback: restore a saved session (or say why it was refused) and show its choices."""
    file = st.session_state.get(Keys.SHARE_IMPORT)
    if file is None:
        return
    app = state.app_state()
    app.share_message = sessions.safe_import(app, file.getvalue())
    if app.share_message[0]:
        adopt(app, app.selection, Keys.SOURCE, Keys.TARGET, Keys.TASK, Keys.SHEET, Keys.MISSING, Keys.KEEP)


def _load(app: AppState) -> Dataset | HNNVizError:
    try:
        return state.dataset(app, app.selection)
    except HNNVizError as err:
        return err


def _data_choice(box: DeltaGenerator, app: AppState) -> Selection:
    selection = app.selection
    sources = app.sources()
    source = choose(box, "Data", sources, selection.source, Keys.SOURCE, app.source_label)
    if source != selection.source or selection.source not in sources:
        upload = app.uploads.get(source)
        selection = selection.with_source(source, upload.sheets[0] if upload and upload.sheets else None)
        adopt(app, selection, Keys.TARGET, Keys.TASK, Keys.SHEET)
    app.selection = selection
    try:
        columns = list(state.raw_table(app, selection).columns)
    except HNNVizError:  # shown by the page, which cannot go on without the table
        return selection
    target = choose(
        box, "Target (left out of the network)", [None, *columns], selection.target, Keys.TARGET,
        lambda c: NO_TARGET if c is None else c,
        help="The column a model will predict. Every other numeric column becomes a vertex of the network.",
    )  # fmt: skip
    if target != selection.target:
        selection = replace(selection, target=target, task=None)
        adopt(app, selection, Keys.TASK)
    return selection


def _network_choice(box: DeltaGenerator, ifn: IFNSpec) -> IFNSpec:
    similarity = choose(
        box, "Similarity", SIMILARITY_METHODS, ifn.similarity, Keys.SIMILARITY, SIMILARITY_LABELS.get,
        help="How strongly two columns depend on each other; the filter keeps the strongest dependencies. "
        "**Interaction with the target**: how strongly each pair of features acts together on the target (a "
        "small pilot network's curvature), estimated on the training rows only, so it needs a target; it finds "
        "interacting features even when they are unrelated to each other.",
    )  # fmt: skip
    method = choose(box, "Filtering network", IFN_METHODS, ifn.method, Keys.METHOD, METHOD_LABELS.get)
    if method != "mfcf":  # the other filters ignore these; the defaults keep the cache small
        return IFNSpec(similarity=similarity, method=method)
    k = box.number_input(
        "Max clique size", min_value=2, max_value=12, step=1, value=ifn.max_clique_size, key=Keys.MAX_CLIQUE_SIZE,
        help="Largest clique the forest may grow (2 gives a spanning forest, 4 is TMFG-like).",
    )  # fmt: skip
    threshold = box.number_input(
        "Threshold", min_value=0.0, step=0.01, format="%.3f", value=ifn.threshold, key=Keys.THRESHOLD,
        help="Similarities at or below this do not count; a high threshold splits the graph into components.",
    )  # fmt: skip
    return IFNSpec(similarity=similarity, method=method, max_clique_size=int(k), threshold=float(threshold))
