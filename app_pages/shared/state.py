"""The app's state: typed objects in ``st.session_state``, the widget keys of every page, and cached calls.

Streamlit forgets the value of a widget that the current page does not draw, so the choices every page shares
(data source, target, task, network options, seed) live here as data, in one :class:`Selection` inside one
:class:`AppState` per browser session. Widgets are drawn from the selection and write their value back to it
(:mod:`app_pages.shared.common`), so a dataset chosen on one page is still chosen on the next. Uploaded files are kept
as bytes with their digest, computed once when the file arrives; cached loaders are keyed by that digest and
never re-hash the bytes.

Pure, deterministic computations (reading a table, cleaning it, filtering a network) go through
``st.cache_data`` with bounded entries and a time to live: every caller gets its own copy, so nothing
mutable is shared between users. Everything a user owns (uploads, trained models, attributions) stays in
that user's :class:`AppState`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from hnnviz import viz
from hnnviz._validation import check_in
from hnnviz.data import (
    MISSING_RULES,
    SAMPLES,
    Dataset,
    describe_columns,
    excel_sheets,
    load_dataset,
    read_table,
    sample_data_dir,
    sample_rows,
)
from hnnviz.exceptions import HNNVizError, InputValidationError
from hnnviz.explanation import Attribution, PureEffects, SimplexResponse
from hnnviz.model import table_network
from hnnviz.network import FilteredNetwork
from hnnviz.specs import IFNSpec, ModelSpec
from hnnviz.workflows import ComparisonJob, Job, LabJob, TrainingJob, epoch_seconds

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

__all__ = ["AppState", "Selection", "Upload", "app_state", "dataset", "network", "raw_table"]

SAMPLE_PREFIX = "sample:"
UPLOAD_PREFIX = "upload:"
DEFAULT_SOURCE = SAMPLE_PREFIX + ("diabetes" if "diabetes" in SAMPLES else next(iter(SAMPLES)))
_STATE_KEY = "hnnviz.app"
_TTL = "1h"  # cached entries expire after an hour of disuse


# ---- widget keys, namespaced by the page that draws them ----------------------------------------------------


class Keys:
    """Every widget key of the app, prefixed by the page (or the sidebar) that draws it."""

    # sidebar (drawn on every page)
    SOURCE = "sidebar.source"
    TARGET = "sidebar.target"
    SIMILARITY = "sidebar.similarity"
    METHOD = "sidebar.method"
    MAX_CLIQUE_SIZE = "sidebar.max_clique_size"
    THRESHOLD = "sidebar.threshold"
    LESSON = "sidebar.lesson"
    SHARE_DATA = "sidebar.share_data"
    SHARE_EXPORT = "sidebar.share_export"
    SHARE_IMPORT = "sidebar.share_import"
    # data page
    UPLOAD = "data.upload"
    SHEET = "data.sheet"
    TASK = "data.task"
    PREVIEW_ROWS = "data.preview_rows"
    SAMPLE_ROWS_ON = "data.sample_rows_on"
    SAMPLE_ROWS_N = "data.sample_rows_n"
    MISSING = "data.missing"
    KEEP = "data.keep"
    # network page
    NETWORK_TAB = "network.tab"
    LAYOUT = "network.layout"
    LAYOUT_SEED = "network.layout_seed"
    SEARCH = "network.search"
    N_BOOT = "network.n_boot"
    RUN_STABILITY = "network.run_stability"
    COMPARE_SIMILARITY = "network.compare_similarity"
    COMPARE_METHOD = "network.compare_method"
    # complex page
    ORDERS = "complex.orders"
    TABLE_ORDERS = "complex.table_orders"
    TABLE_FEATURES = "complex.table_features"
    CHANNELS = "complex.channels"
    UNIT_FEATURE = "complex.unit_feature"
    # train page
    TRAIN_CHANNELS = "train.channels"
    TRAIN_MAX_ORDER = "train.max_order"
    TRAIN_ACTIVATION = "train.activation"
    TRAIN_EPOCHS = "train.epochs"
    TRAIN_LR = "train.lr"
    TRAIN_MLP_LR = "train.mlp_lr"
    TRAIN_DEVICE = "train.device"
    TRAIN_BATCH = "train.batch_size"
    TRAIN_SEED = "train.seed"
    TRAIN_START = "train.start"
    COMPARE_SEEDS = "train.compare_seeds"
    COMPARE_MODELS = "train.compare_models"
    COMPARE_START = "train.compare_start"
    # explain page
    EXPLAIN_TAB = "explain.tab"
    EXPLAIN_METHOD = "explain.method"
    EXPLAIN_SCOPE = "explain.scope"
    EXPLAIN_ROW = "explain.row"
    EXPLAIN_ORDERS = "explain.orders"
    EXPLAIN_TOP = "explain.top"
    EXPLAIN_KNOCKOUT = "explain.knockout"
    EXPLAIN_CHECK = "explain.check"
    EXPLAIN_START = "explain.start"
    PURE_TERM = "explain.pure_term"
    PURE_ORDERS = "explain.pure_orders"
    PURE_CLASS = "explain.pure_class"
    INSPECT_SIMPLEX = "explain.inspect_simplex"
    INSPECT_SHOW = "explain.inspect_show"
    INSPECT_REFERENCE = "explain.inspect_reference"
    INSPECT_CLASS = "explain.inspect_class"
    REPORT_OPEN = "explain.report_open"
    REPORT_MAKE = "explain.report_make"
    REPORT_DOWNLOAD = "explain.report_download"
    # lab page
    LAB_GROUPS = "lab.groups"
    LAB_DISTRACTORS = "lab.distractors"
    LAB_NOISE = "lab.noise"
    LAB_ROWS = "lab.rows"
    LAB_SEED = "lab.seed"
    LAB_TASK = "lab.task"
    LAB_METHOD = "lab.method"
    LAB_RHO = "lab.rho"
    LAB_START = "lab.start"


# ---- typed state --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file the user uploaded, read once: its name, bytes, content digest and (for a workbook) its sheets."""

    name: str
    data: bytes = field(repr=False)
    digest: str
    sheets: tuple[str, ...] = ()

    @classmethod
    def read(cls, name: str, data: bytes) -> Upload:
        """Hash the bytes once and list the sheets of a workbook.

        Raises
        ------
        HNNVizError
            If a workbook cannot be opened.
        """
        sheets = tuple(excel_sheets(_file(data, name))) if name.lower().endswith(".xlsx") else ()
        return cls(name=name, data=data, digest=hashlib.sha256(data).hexdigest(), sheets=sheets)

    @property
    def source(self) -> str:
        """The key of this upload among the data sources."""
        return UPLOAD_PREFIX + self.digest[:16]


@dataclass(frozen=True)
class Selection:
    """The choices every page shares: which table, which target and task, which network, which seed."""

    source: str = DEFAULT_SOURCE
    sheet: str | None = None
    target: str | None = SAMPLES[DEFAULT_SOURCE.removeprefix(SAMPLE_PREFIX)].target
    task: str | None = None  # None: inferred from the target
    ifn: IFNSpec = field(default_factory=IFNSpec)
    seed: int = 0
    max_rows: int | None = None  # work on a random sample of this many rows (None: every row)
    missing: str = "drop_sparse_columns"  # what to do with missing cells (hnnviz.data.MISSING_RULES)
    keep: tuple[str, ...] = ()  # flagged columns (identifiers, leaks, sparse) kept as features anyway

    @property
    def sample(self) -> str | None:
        """The bundled sample's name, or None for an upload."""
        return self.source.removeprefix(SAMPLE_PREFIX) if self.source.startswith(SAMPLE_PREFIX) else None

    def to_dict(self) -> dict[str, Any]:
        """The choices as a JSON-ready dict (the inverse of :meth:`from_dict`); the network options as
        :meth:`hnnviz.specs.IFNSpec.to_dict`."""
        return {
            "source": self.source, "sheet": self.sheet, "target": self.target, "task": self.task,
            "ifn": self.ifn.to_dict(), "seed": self.seed, "max_rows": self.max_rows, "missing": self.missing,
            "keep": list(self.keep),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Selection:
        """The selection written by :meth:`to_dict`; a key it lacks keeps its default, except the missing-value
        rule: a document without one was written before the rule existed, when incomplete rows were dropped.

        Raises
        ------
        InputValidationError
            If a value has the wrong type: text (or null) for the source, sheet, target and task, an int >= 0
            (or null for ``max_rows``) for the counts, valid network options, a known missing-value rule, a list
            of column names to keep.
        """
        default = cls()
        texts = {key: _text(d, key, getattr(default, key)) for key in ("source", "sheet", "target", "task")}
        ifn = IFNSpec.from_dict(d["ifn"]) if "ifn" in d else default.ifn
        missing = check_in(d.get("missing", "drop_rows"), MISSING_RULES, name="missing", owner="Selection.from_dict")
        keep = d.get("keep", [])
        if not isinstance(keep, list) or not all(isinstance(name, str) for name in keep):
            raise InputValidationError(f"The setting 'keep' must be a list of column names. Got {keep!r} instead.")
        return cls(
            **texts, ifn=ifn, seed=_count(d, "seed", default.seed), max_rows=_count(d, "max_rows", None),
            missing=missing, keep=tuple(keep),
        )  # fmt: skip

    def with_source(self, source: str, sheet: str | None = None) -> Selection:
        """Another table: the target falls back to the sample's own (none for an upload), the task to inferred,
        and no flagged column is kept."""
        other = replace(self, source=source, sheet=sheet, task=None, max_rows=None, keep=())
        return replace(other, target=SAMPLES[other.sample].target if other.sample in SAMPLES else None)


@dataclass
class AppState:
    """Everything one browser session owns. Created once per session by :func:`app_state`."""

    selection: Selection = field(default_factory=Selection)
    uploads: dict[str, Upload] = field(default_factory=dict)
    lesson: bool = False
    notice: str | None = None  # a problem met in a callback, shown once by the page
    link: dict[str, str] | None = None  # a link's choices for an uploaded table, applied once it is uploaded again
    share_message: tuple[bool, str] | None = None  # how the last session import went
    stability: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    training: TrainingJob | None = None  # the HNN and its dense twin, side by side
    comparison: ComparisonJob | None = None  # the baselines over several seeds
    attributions: dict[tuple[Any, ...], Attribution] = field(default_factory=dict)  # of the trained HNN
    pure: dict[tuple[str, str | None], PureEffects] = field(default_factory=dict)  # by (fingerprint, class)
    checks: dict[tuple[Any, ...], Job] = field(default_factory=dict)  # faithfulness reports being made
    inspections: dict[tuple[Any, ...], SimplexResponse] = field(default_factory=dict)  # simplices looked inside
    reports: dict[str, str] = field(default_factory=dict)  # offline HTML reports, by the run's fingerprint
    lab: LabJob | None = None

    def start_training(self, job: TrainingJob) -> None:
        """Train new models; what was computed from the previous ones goes."""
        self.training = job.start()
        self.attributions.clear()
        self.pure.clear()
        self.checks.clear()
        self.inspections.clear()
        self.reports.clear()

    def sources(self) -> list[str]:
        """Every data source the user can pick: the bundled samples, then the uploads."""
        return [SAMPLE_PREFIX + name for name in SAMPLES] + list(self.uploads)

    def add_upload(self, upload: Upload) -> None:
        """Keep an uploaded file and make it the current table; the choices of a link made with this very table
        (same content) apply now."""
        self.uploads[upload.source] = upload
        sheet = upload.sheets[0] if upload.sheets else None
        self.selection = self.selection.with_source(upload.source, sheet)
        if self.link is not None and self.link.get("data") == upload.source:
            self.selection = selection_from_query(self.link, uploads=(upload.source,))
            self.link = None

    def link_note(self) -> str | None:
        """What to do with a link made with an uploaded table, until that table is uploaded again."""
        if self.link is None:
            return None
        name = self.link.get("name") or "the table it was made with"
        return (
            f"This link was made with an uploaded table, {name}. Tables are not stored in links: upload it again "
            "on the Data page, and the link's target, task and network then apply."
        )

    def source_name(self, source: str) -> str:
        """The sample's name or the uploaded file's name."""
        upload = self.uploads.get(source)
        return upload.name if upload else source.removeprefix(SAMPLE_PREFIX)

    def source_label(self, source: str) -> str:
        """What a menu shows for a source."""
        kind = "sample" if source.startswith(SAMPLE_PREFIX) else "uploaded"
        return f"{self.source_name(source)} ({kind})"


def _text(d: Mapping[str, Any], key: str, default: str | None) -> str | None:
    value = d.get(key, default)
    if value is not None and not isinstance(value, str):
        raise InputValidationError(f"The setting {key!r} must be text. Got {type(value).__name__} instead.")
    return value


def _count(d: Mapping[str, Any], key: str, default: int | None) -> int | None:
    """A non-negative int setting (or its default when absent or null)."""
    value = d.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputValidationError(f"The setting {key!r} must be an int >= 0. Got {value!r} instead.")
    return value


def app_state() -> AppState:
    """This session's :class:`AppState`, created on first use from the link's query parameters."""
    if _STATE_KEY not in st.session_state:
        params = st.query_params.to_dict()
        link = params if params.get("data", "").startswith(UPLOAD_PREFIX) else None
        st.session_state[_STATE_KEY] = AppState(
            selection=selection_from_query(params), lesson=_LESSON in params, link=link
        )
    return st.session_state[_STATE_KEY]


# ---- the choices in the link (st.query_params), so a copied link reopens the same view ---------------------

_LESSON = "lesson"


def query_from(app: AppState) -> dict[str, str]:
    """The shareable choices as query parameters (the page itself is the link's path)."""
    selection, ifn = app.selection, app.selection.ifn
    params = {"data": selection.source, "target": selection.target or "", "similarity": ifn.similarity}
    if selection.source in app.uploads:
        params["name"] = app.uploads[selection.source].name
    params["method"] = ifn.method
    if ifn.method == "mfcf":
        params |= {"k": str(ifn.max_clique_size), "threshold": f"{ifn.threshold:g}"}
    if selection.task is not None:
        params["task"] = selection.task
    if selection.sheet is not None:
        params["sheet"] = selection.sheet
    params["seed"] = str(selection.seed)
    if selection.max_rows is not None:
        params["rows"] = str(selection.max_rows)
    if app.lesson:
        params[_LESSON] = "1"
    return params


def selection_from_query(params: dict[str, str], *, uploads: tuple[str, ...] = ()) -> Selection:
    """The selection a link describes; values that make no sense are ignored (the defaults stay). A link's
    uploaded table counts only when it is among ``uploads`` (a link cannot carry the table itself)."""
    selection = Selection()
    source = params.get("data", selection.source)
    if (source.startswith(SAMPLE_PREFIX) and source.removeprefix(SAMPLE_PREFIX) in SAMPLES) or source in uploads:
        selection = selection.with_source(source)
    if "target" in params:
        selection = replace(selection, target=params["target"] or None)
    if params.get("task") in ("regression", "classification"):
        selection = replace(selection, task=params["task"])
    if params.get("seed", "").isdigit():
        selection = replace(selection, seed=int(params["seed"]))
    if params.get("rows", "").isdigit() and int(params["rows"]) > 0:
        selection = replace(selection, max_rows=int(params["rows"]))
    default = selection.ifn
    try:
        ifn = IFNSpec(
            similarity=params.get("similarity", default.similarity),
            method=params.get("method", default.method),
            max_clique_size=int(params.get("k", default.max_clique_size)),
            threshold=float(params.get("threshold", default.threshold)),
        )
    except (HNNVizError, ValueError):
        return selection
    return replace(selection, ifn=ifn)


def write_query_params(app: AppState) -> None:
    """Keep the link in step with the current choices."""
    wanted = query_from(app)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# ---- cached calls into hnnviz ------------------------------------------------------------------------------


def _file(data: bytes, name: str) -> io.BytesIO:
    """Bytes as a file-like object whose name tells hnnviz the format."""
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


@st.cache_data(show_spinner=False, max_entries=16, ttl=_TTL)
def _sample_table(name: str) -> pd.DataFrame:
    return read_table(sample_data_dir() / SAMPLES[name].file)


@st.cache_data(show_spinner="Reading the file…", max_entries=8, ttl=_TTL)
def _upload_table(digest: str, name: str, sheet: str | None, _data: bytes) -> pd.DataFrame:
    """An uploaded table; cached on the digest (the bytes, ``_data``, are not hashed again)."""
    return read_table(_file(_data, name), sheet=sheet)


@st.cache_data(show_spinner="Cleaning the table…", max_entries=16, ttl=_TTL)
def _sample_dataset(name: str, target: str | None, task: str | None, missing: str, keep: tuple[str, ...]) -> Dataset:
    path = sample_data_dir() / SAMPLES[name].file
    return load_dataset(path, target=target, task=task, name=name, missing=missing, keep=keep)


@st.cache_data(show_spinner="Cleaning the table…", max_entries=8, ttl=_TTL)
def _upload_dataset(digest: str, name: str, sheet: str | None, choices: tuple[Any, ...], _data: bytes) -> Dataset:
    """``choices``: target, task, missing rule and kept columns."""
    target, task, missing, keep = choices
    return load_dataset(_file(_data, name), target=target, task=task, sheet=sheet, missing=missing, keep=keep)


def _upload(state: AppState, selection: Selection) -> Upload:
    upload = state.uploads.get(selection.source)
    if upload is None:  # e.g. a shared link that names another session's upload
        raise HNNVizError("That uploaded file belongs to another session; upload it again on the Data page.")
    return upload


def raw_table(state: AppState, selection: Selection) -> pd.DataFrame:
    """The current table as read from disk or upload, before cleaning (a copy, safe to modify)."""
    if selection.sample is not None:
        return _sample_table(selection.sample)
    upload = _upload(state, selection)
    return _upload_table(upload.digest, upload.name, selection.sheet, upload.data)


def dataset(state: AppState, selection: Selection) -> Dataset:
    """The current table, cleaned for the current target and task.

    Raises
    ------
    HNNVizError
        If the table cannot be read or too little usable data remains.
    """
    if selection.sample is not None:
        full = _sample_dataset(selection.sample, selection.target, selection.task, selection.missing, selection.keep)
    else:
        upload = _upload(state, selection)
        choices = (selection.target, selection.task, selection.missing, selection.keep)
        full = _upload_dataset(upload.digest, upload.name, selection.sheet, choices, upload.data)
    if selection.max_rows is None:
        return full
    return _rows_sample(data_key(state, replace(selection, max_rows=None)), selection.max_rows, full)


@st.cache_data(show_spinner="Sampling rows…", max_entries=8, ttl=_TTL)
def _rows_sample(key: tuple[Any, ...], max_rows: int, _full: Dataset) -> Dataset:
    return sample_rows(_full, max_rows, seed=0)


@st.cache_data(show_spinner="Filtering the network…", max_entries=32, ttl=_TTL)
def _network(data_key: tuple[Any, ...], ifn: IFNSpec, seed: int, _dataset: Dataset) -> FilteredNetwork:
    """:func:`hnnviz.model.table_network` keyed by what determines the data, not by the data's bytes."""
    return table_network(_dataset, ifn, seed)


def data_key(state: AppState, selection: Selection) -> tuple[Any, ...]:
    """What determines the cleaned data set: the source's content, the sheet, the target, the task, the sample,
    the missing-value rule and the flagged columns kept."""
    content = selection.sample if selection.sample is not None else _upload(state, selection).digest
    return (
        content, selection.sheet, selection.target, selection.task, selection.max_rows, selection.missing,
        selection.keep,
    )  # fmt: skip


def network(state: AppState, selection: Selection, ds: Dataset, ifn: IFNSpec | None = None) -> FilteredNetwork:
    """The filtered network of the current data set (``ifn`` overrides the selection's, e.g. to compare)."""
    return _network(data_key(state, selection), ifn or selection.ifn, selection.seed, ds)


@st.cache_data(show_spinner=False, max_entries=16, ttl=_TTL)
def _column_summary(key: tuple[Any, ...], _table: pd.DataFrame, _dataset: Dataset) -> pd.DataFrame:
    return describe_columns(_table, _dataset)


def column_summary(state: AppState, selection: Selection, ds: Dataset) -> pd.DataFrame:
    """:func:`hnnviz.data.describe_columns` of the current table, cached on what determines it."""
    return _column_summary(data_key(state, selection), raw_table(state, selection), ds)


@st.cache_data(show_spinner=False, max_entries=16, ttl=_TTL)
def _target_figure(key: tuple[Any, ...], _dataset: Dataset) -> go.Figure:
    return viz.target_figure(_dataset)


def target_figure(state: AppState, selection: Selection, ds: Dataset) -> go.Figure:
    """:func:`hnnviz.viz.target_figure` of the current data set, cached."""
    return _target_figure(data_key(state, selection), ds)


@st.cache_data(show_spinner="Timing a training step…", max_entries=32, ttl=_TTL)
def _epoch_estimate(key: tuple[Any, ...], spec: ModelSpec, n_rows: int, batch_size: int, _complex: Any) -> float:
    return epoch_seconds(_complex, spec, n_rows, batch_size=batch_size)


def epoch_estimate(state: AppState, net: FilteredNetwork, spec: ModelSpec, n_rows: int, batch_size: int) -> float:
    """Seconds one epoch of ``spec`` on the current network should take (:func:`hnnviz.workflows.epoch_seconds`)."""
    return _epoch_estimate((data_key(state, state.selection), net.ifn), spec, n_rows, batch_size, net.complex)


#: The figure builders pages may cache by name (pure functions of a network and hashable options).
FIGURES: dict[str, Callable[..., go.Figure]] = {
    "network": viz.network_figure,
    "light": viz.light_network_figure,
    "heatmap": viz.similarity_heatmap,
    "clique_tree": viz.clique_tree_figure,
    "hnn_layers": viz.hnn_layers_figure,
    "comparison": viz.comparison_figure,
}


@st.cache_data(show_spinner="Drawing…", max_entries=64, ttl=_TTL)
def _figure(name: str, key: tuple[Any, ...], options: tuple[tuple[str, Any], ...], _networks: tuple) -> go.Figure:
    return FIGURES[name](*_networks, **dict(options))


def figure(name: str, state: AppState, selection: Selection, *networks: FilteredNetwork, **options: Any) -> go.Figure:
    """A figure of :data:`FIGURES`, cached on what the networks were built from and on the options."""
    key = (data_key(state, selection), *(n.ifn for n in networks))
    return _figure(name, key, tuple(sorted(options.items())), networks)
