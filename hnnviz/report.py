"""Take a trained run's analysis away as one self-contained HTML page that opens offline.

:func:`build_report` turns a :class:`~hnnviz.runs.Run` (and the table it was trained on) into one HTML document:
provenance, the data and what was dropped, the network and its clique complex, the model against baselines
fitted on the run's own split, the top simplices with their inspector plots, the prediction split by order,
and the faithfulness verdicts. :func:`write_report` loads a saved run (and its data) and writes that page.

The page needs nothing outside itself: plotly.js is inlined once in the head and every figure is a plotly
``div`` drawn by it; the CSS is inline and uses the reader's system fonts; there is no outside script, style
sheet, font or image. Every user-supplied string (column names, target, class labels, the data set's name) is
passed through :func:`html.escape` before it reaches the HTML, and the figures' JSON is written by plotly,
which writes ``<``, ``>`` and ``/`` as ``\\u003c``, ``\\u003e`` and ``\\u002f`` so that no name can close
the script it sits in.

What is computed when not given, sized to keep a report of a bundled data set under 10 seconds:

- the attribution: ablation over the test rows (:func:`hnnviz.explain.explain`);
- the baselines: linear and gradient boosting models fitted on the run's own training and validation rows and
  scored on its test rows (:func:`baseline_comparison`);
- the faithfulness checks (:func:`hnnviz.faithfulness.faithfulness_report`) with
  :data:`CHECK_RANDOM_ORDERINGS` random orderings and the permuted-label retraining capped by
  :data:`CHECK_CONFIG`.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from . import __version__
from ._validation import check_int
from .compare import PRIMARY_METRICS, Comparison, ModelRecord, fit_classical
from .data import SAMPLES, Dataset, load_dataset, load_sample
from .exceptions import InputValidationError
from .explain import Attribution, explain, order_split
from .faithfulness import FaithfulnessReport, faithfulness_report
from .inspect import inspect_simplex
from .model import HNN, describe_hnn
from .runfiles import load_run
from .runs import Run
from .train import TrainConfig, metrics
from .viz import (
    deletion_insertion_figure,
    hnn_layers_figure,
    light_network_figure,
    loss_curves_figure,
    model_scores_figure,
    network_figure,
    order_waterfall_figure,
    ranking_figure,
    target_figure,
)
from .viz._common import order_name
from .viz.inspect import inspector_figure

__all__ = [
    "BASELINE_MODELS",
    "CHECK_CONFIG",
    "CHECK_RANDOM_ORDERINGS",
    "baseline_comparison",
    "build_report",
    "write_report",
]

#: The classical models fitted on the run's split to put its scores in context (see :mod:`hnnviz.compare`).
BASELINE_MODELS = ("linear", "gbm")
#: Training protocol of the faithfulness checks' retraining on permuted labels: the default one, at most 30 epochs
#: (on permuted labels the validation loss soon stops falling, and early stopping ends most retrainings by then).
CHECK_CONFIG = TrainConfig(epochs=30)
#: Random orderings behind the deletion and insertion curves' reference band.
CHECK_RANDOM_ORDERINGS = 10
_ATTRIBUTION_METHOD = "ablation"
_LIGHT_VIEW_NODES = 300  # above this many features the network is drawn with WebGL points and lines only
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
_NEEDS_ROWS = (
    "This section needs the rows the run was trained on: pass the table with "
    "<code>hnnviz report RUN_DIR --data DATA</code> (or <code>build_report(run, dataset)</code>)."
)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class _Figure:
    """A figure of the page and the sentence under it (plain text)."""

    figure: go.Figure
    caption: str


#: One section's content: HTML fragments and figures, in page order.
_Parts = list[str | _Figure]


@dataclass(frozen=True)
class _Section:
    anchor: str
    title: str
    parts: _Parts


def baseline_comparison(run: Run, dataset: Dataset) -> Comparison:
    """The run's test scores beside the :data:`BASELINE_MODELS` fitted on the run's own split of ``dataset``.

    The classical models are fitted on the run's training and validation rows and scored on its test rows
    (as :func:`hnnviz.compare.compare_models` fits them), so every model is scored on exactly the rows the run
    was. The run's seed is not saved with it: the comparison's one seed is 0 (gradient boosting's
    ``random_state``; with scikit-learn's defaults it draws nothing at these sizes).

    Parameters
    ----------
    run : Run
        A trained run with a test part.
    dataset : Dataset
        The table it was trained on.

    Returns
    -------
    Comparison
        Models ``(run.spec.kind, "linear", "gbm")``, one record each; the run's record holds its saved test
        metrics, parameters, fit seconds and epochs.

    Raises
    ------
    InputValidationError
        If ``dataset`` is not the table of the run (see :func:`build_report`) or the run has no test rows.

    Examples
    --------
    >>> from hnnviz.runs import ModelSpec, train_run
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] - X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(epochs=2))
    >>> comparison = baseline_comparison(run, data)
    >>> comparison.models, [len(r.test_rows) for r in comparison.records]
    (('hnn', 'linear', 'gbm'), [16, 16, 16])
    >>> round(comparison.of("linear")[0].metrics["r2"], 6)
    1.0
    """
    _check_table(run, dataset)
    result, seed = run.result, 0
    own = ModelRecord(
        model=run.spec.kind,
        seed=seed,
        metrics=result.metrics["test"],
        n_params=run.model.n_params,
        seconds=result.seconds,
        test_rows=tuple(result.split.test.tolist()),
        epochs_run=result.epochs_run,
        dead_readouts=result.dead_readouts,
        constant_features=run.network.constant_features,
    )
    records = (own, *(fit_classical(dataset, kind, seed, result.split) for kind in BASELINE_MODELS))
    return Comparison(
        task=run.task,
        metric=PRIMARY_METRICS[run.task],
        models=tuple(r.model for r in records),
        seeds=(seed,),
        records=records,
        dataset_name=dataset.name,
    )


def _check_table(run: Run, dataset: Dataset) -> None:
    """Raise unless ``dataset`` is the table ``run`` was trained on: same features, target and classes, and
    its test rows score what the run recorded."""
    if "test" not in run.result.metrics:
        raise InputValidationError("This run kept no test rows (test_size=0): there is nothing to score it on.")
    split = run.result.split
    same = (
        dataset.feature_names == run.feature_names
        and dataset.target == run.target
        and dataset.classes == run.classes
        and dataset.n_rows > max(part.max(initial=-1) for part in (split.train, split.val, split.test))
    )
    metric = PRIMARY_METRICS[run.task]
    recorded = run.result.metrics["test"][metric]
    if same:
        rows = split.test
        scored = metrics(dataset.y[rows], run.predict(dataset.X[rows]), run.task)[metric]
        same = math.isclose(scored, recorded, rel_tol=1e-6, abs_tol=1e-9)
    if not same:
        raise InputValidationError(
            f"Data set {dataset.name!r} is not the table this run was trained on (its features, target or rows "
            f"differ, or its test rows do not score the recorded {metric} {recorded:.4g})."
        )


def build_report(
    run: Run,
    dataset: Dataset | None = None,
    *,
    attribution: Attribution | None = None,
    comparison: Comparison | None = None,
    faithfulness: FaithfulnessReport | None = None,
    top: int = 5,
    created: datetime | None = None,
    provenance: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> str:
    """One self-contained HTML document that presents ``run``: what it was trained on, and what it learned.

    Parameters
    ----------
    run : Run
        A trained run (:func:`hnnviz.runs.train_run` or :func:`hnnviz.runfiles.load_run`).
    dataset : Dataset, optional
        The table the run was trained on. Without it, the sections that need rows (data, baselines, order
        split, faithfulness, and top simplices unless ``attribution`` is given) say how to add it.
    attribution : Attribution, optional
        Of the run's test rows; by default ablation over them (needs ``dataset``).
    comparison : Comparison, optional
        Models to show the run beside; by default :func:`baseline_comparison` (needs ``dataset``).
    faithfulness : FaithfulnessReport, optional
        By default :func:`hnnviz.faithfulness.faithfulness_report` for the attribution's method, sized by
        :data:`CHECK_CONFIG` and :data:`CHECK_RANDOM_ORDERINGS` (needs ``dataset``).
    top : int, default 5
        Simplices shown with their inspector plots.
    created : datetime, optional
        The date written in the report (default: now, in UTC).
    provenance : mapping of str to str, optional
        More lines for the provenance table, e.g. ``{"run directory": "runs/wine"}`` (escaped).
    progress : callable, optional
        ``progress(step)`` with the name of each computation as it starts.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InputValidationError
        If ``top`` is not an int >= 1, or ``dataset`` is not the table of the run: other features, target or
        classes, too few rows, or test rows that do not score the run's recorded test metric.

    Examples
    --------
    >>> from hnnviz.runs import ModelSpec, train_run
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(epochs=2))
    >>> page = build_report(run)
    >>> page.startswith("<!DOCTYPE html>"), page.count('class="plotly-graph-div"'), "--data DATA" in page
    (True, 3, True)
    """
    top = check_int(top, name="top", owner="build_report", low=1)
    say = progress or (lambda step: None)
    explainable = isinstance(run.model, HNN)
    if dataset is not None:
        _check_table(run, dataset)
        rows = dataset.X[run.result.split.test]
        if comparison is None:
            say("fitting the baselines on the run's split")
            comparison = baseline_comparison(run, dataset)
        if attribution is None and explainable:
            say(f"explaining the test rows ({_ATTRIBUTION_METHOD})")
            attribution = explain(run, rows, method=_ATTRIBUTION_METHOD)
        if faithfulness is None and attribution is not None:
            say("checking the attribution's faithfulness")
            faithfulness = faithfulness_report(
                run, dataset, method=attribution.method, config=CHECK_CONFIG, n_random=CHECK_RANDOM_ORDERINGS
            )
    say("inspecting the top simplices and drawing the figures")
    sections = [
        _Section("provenance", "About this report", _provenance(run, created, provenance or {})),
        _Section("data", "Data", _data_section(run, dataset)),
        _Section("network", "Network and clique complex", _network_section(run, attribution)),
        _Section("model", "Model and metrics", _model_section(run, comparison)),
        _Section("simplices", "Top simplices", _simplices_section(run, dataset, attribution, explainable, top)),
        _Section("orders", "Prediction split by order", _order_section(run, dataset, explainable)),
        _Section("faithfulness", "Faithfulness", _faithfulness_section(run, faithfulness, explainable)),
    ]
    return _page(f"hnnviz report: {run.dataset_name}", sections)


def write_report(
    run_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    data: str | os.PathLike[str] | None = None,
    top: int = 5,
    progress: Progress | None = None,
) -> Path:
    """Load the run saved in ``run_dir`` and write its report (:func:`build_report`) to ``out``.

    Parameters
    ----------
    run_dir : str or path-like
        A directory written by ``hnnviz train`` (:func:`hnnviz.runfiles.save_run`).
    out : str or path-like
        The HTML file to write (replaced if present).
    data : str or path-like, optional
        The table the run was trained on (read with :func:`hnnviz.data.load_dataset` and the run's target). By
        default the bundled sample of the run's data set name (:data:`hnnviz.data.SAMPLES`), if there is one;
        otherwise the report is written without rows, and its sections that need them say how to add them.
    top : int, default 5
        Simplices shown with their inspector plots.
    progress : callable, optional
        ``progress(step)`` with the name of each step as it starts.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    ModelFileError
        If the run cannot be loaded.
    InputValidationError
        If ``out`` is a directory or cannot be written, the data cannot be read or is not the table of the
        run, or ``top`` is not an int >= 1.

    Examples
    --------
    >>> import tempfile
    >>> from hnnviz.runfiles import save_run
    >>> from hnnviz.runs import ModelSpec, train_run
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(epochs=2))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = write_report(save_run(run, Path(folder) / "run"), Path(folder) / "report.html").read_text()
    >>> page.count("<section id="), "not given" in page
    (7, True)
    """
    out = Path(out)
    if out.is_dir() or not out.parent.is_dir():
        raise InputValidationError(f"Cannot write the report to '{out}': give a file path in an existing folder.")
    say = progress or (lambda step: None)
    say("loading the run")
    run = load_run(run_dir)
    dataset, source = _report_data(run, data)
    page = build_report(
        run, dataset, top=top, provenance={"run directory": str(run_dir), "data": source}, progress=progress
    )
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as err:
        raise InputValidationError(f"Cannot write the report to '{out}': {err.strerror or err}.") from err
    return out


def _report_data(run: Run, data: str | os.PathLike[str] | None) -> tuple[Dataset | None, str]:
    """The table of the run and where it came from: ``data``, else the bundled sample of that name, else none."""
    if data is not None:
        return load_dataset(data, target=run.target), str(data)
    if run.dataset_name in SAMPLES:
        return load_sample(run.dataset_name, target=run.target), f"bundled sample '{run.dataset_name}'"
    return None, "not given"


# ---- sections ----------------------------------------------------------------------------------------


def _provenance(run: Run, created: datetime | None, extra: Mapping[str, str]) -> _Parts:
    when = (created or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M %Z").strip()
    rows = [
        ("created", when),
        ("hnnviz version", __version__),
        ("data set", run.dataset_name),
        ("target", f"{run.target} ({run.task})"),
        ("model", f"{run.spec.kind.upper()} on {len(run.feature_names)} features"),
        ("network", run.ifn.label()),
        *extra.items(),
    ]
    return [_table(("", ""), rows, header=False)]


def _data_section(run: Run, dataset: Dataset | None) -> _Parts:
    split = run.result.split
    sizes = f"{len(split.train)} training, {len(split.val)} validation and {len(split.test)} test rows"
    if dataset is None:
        return [_p(f"The run was split into {sizes}."), _note(_NEEDS_ROWS)]
    rows = [
        ("name", dataset.name),
        ("rows", str(dataset.n_rows)),
        ("features", str(dataset.n_features)),
        ("target", str(dataset.target)),
        ("task", str(dataset.task)),
    ]
    if dataset.classes is not None:
        rows.append(("classes", ", ".join(map(str, dataset.classes))))
    parts: _Parts = [_table(("", ""), rows, header=False), _p(f"The run was split into {sizes}.")]
    parts.append(_Figure(target_figure(dataset), f"The target {dataset.target!r}: its distribution over all rows."))
    parts.append("<h3>What was dropped</h3>")
    if dataset.dropped:
        cells = [(d.kind, d.name, d.reason, str(d.count)) for d in dataset.dropped]
        parts.append(_table(("kind", "name", "reason", "rows"), cells))
    else:
        parts.append(_p("Nothing was dropped: every column and row of the table was used."))
    if dataset.notes:
        parts += ["<h3>How cells were read</h3>", _list(str(note) for note in dataset.notes)]
    if run.network.constant_features:
        parts.append(_note(html.escape(run.network.constant_note())))
    return parts


def _network_section(run: Run, attribution: Attribution | None) -> _Parts:
    net, cx = run.network, run.network.complex
    graph, cliques = net.graph, len(net.graph.cliques)
    parts: _Parts = [
        _p(f"{html.escape(run.ifn.label())}: {graph.n_nodes} features, {graph.n_edges} edges, {cliques} cliques."),
        _table(
            ("order", "simplices", "Betti number"),
            [
                (f"{k} ({order_name(k)})", str(n), str(b))
                for k, (n, b) in enumerate(zip(cx.f_vector, cx.betti, strict=True))
            ],
        ),
        _p(f"f-vector {cx.f_vector}, Euler characteristic {cx.euler_characteristic}."),
    ]
    if graph.n_nodes > _LIGHT_VIEW_NODES:
        parts.append(_Figure(light_network_figure(net), "The filtered network (points and lines only)."))
    elif attribution is not None:
        kinds = ("edge_values", "triangle_values")[: len(attribution.scores) - 1]
        values = {kind: attribution.simplex_values(k) for k, kind in enumerate(kinds, start=1)}
        label = f"mean |{attribution.method}|"
        fig = network_figure(net, value_label=label, **values)
        parts.append(_Figure(fig, f"The filtered network, edges and triangles coloured by their {label}."))
    else:
        parts.append(_Figure(network_figure(net), "The filtered network with its edges and triangles."))
    parts.append(_Figure(hnn_layers_figure(net), "The HNN this complex wires: each unit reads its faces."))
    return parts


def _model_section(run: Run, comparison: Comparison | None) -> _Parts:
    spec, result = run.spec, run.result
    n_outputs = 1 if run.task == "regression" else len(run.classes or ())
    arch = describe_hnn(
        run.network.complex,
        n_outputs,
        channels=spec.channels,
        max_order=spec.max_order,
        readout_width=spec.readout_width,
    )
    settings = [
        ("model", spec.kind.upper()),
        ("channels per simplex", str(spec.channels)),
        ("highest order", "all" if spec.max_order is None else str(spec.max_order)),
        ("activation", spec.activation),
        ("readout width", str(spec.readout_width)),
        ("epochs", f"{result.epochs_run} run, best {result.best_epoch} (stopped: {result.stopped})"),
        ("fit time", f"{result.seconds:.1f} s"),
        ("parameters", f"{run.model.n_params:,}"),
    ]
    layers = [
        (layer.name, str(layer.units), str(layer.fan_in), f"{layer.hnn_params:,}", f"{layer.mlp_params:,}")
        for layer in arch.layers
    ]
    layers.append(("readouts and head", "", "", f"{arch.readout_params:,}", f"{arch.readout_params:,}"))
    layers.append(("total", "", "", f"{arch.hnn_params:,}", f"{arch.mlp_params:,}"))
    parts: _Parts = [
        _table(("", ""), settings, header=False),
        "<h3>Size against the same-width dense network</h3>",
        _table(("order", "units", "faces read", "HNN parameters", "dense MLP parameters"), layers),
        _p(f"The dense MLP of the same widths has {arch.ratio:.1f} times the HNN's parameters."),
        "<h3>Scores</h3>",
        _table(*_metrics_table(result.metrics)),
        _Figure(loss_curves_figure({spec.kind: result.history}), "Training and validation loss per epoch."),
        "<h3>Against baselines</h3>",
    ]
    if comparison is None:
        return [*parts, _note(_NEEDS_ROWS)]
    names = sorted({name for r in comparison.records for name in r.metrics})
    cells = [
        (r.model, str(r.seed), f"{r.n_params:,} {r.size_unit}", *(f"{r.metrics[m]:.4g}" for m in names))
        for r in comparison.records
    ]
    n_test = len(comparison.records[0].test_rows)
    return [
        *parts,
        _p(
            f"Test scores on the same {n_test} test rows; the classical models were fitted on the training and "
            "validation rows together."
        ),
        _table(("model", "seed", "size", *names), cells),
        _Figure(model_scores_figure(comparison), f"Test {comparison.metric} of each model."),
    ]


def _metrics_table(scores: Mapping[str, Mapping[str, float]]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    names = list(next(iter(scores.values())))
    return ("part", *names), [(part, *(f"{values[m]:.4g}" for m in names)) for part, values in scores.items()]


def _simplices_section(
    run: Run, dataset: Dataset | None, attribution: Attribution | None, explainable: bool, top: int
) -> _Parts:
    if not explainable:
        return [_note(_MLP_NOTE)]
    if attribution is None:
        return [_note(_NEEDS_ROWS)]
    ranked = attribution.ranking(top=top)
    rows = None if dataset is None else dataset.X[run.result.split.train]
    responses = [inspect_simplex(run, s.features, X=rows) for s in ranked]
    what = f"mean |{attribution.method}| over {attribution.n_rows} rows"
    cells = [
        (str(i), " · ".join(s.features), order_name(s.order, plural=False), f"{s.score:.4g}", r.unit_reading.label)
        for i, (s, r) in enumerate(zip(ranked, responses, strict=True), start=1)
    ]
    parts: _Parts = [
        _p(f"Simplices ranked by {html.escape(what)}, in the model's output units."),
        _Figure(ranking_figure(attribution, top=max(top, 10)), f"The most important simplices ({what})."),
        _table(("rank", "simplex", "kind", what, "shape of its unit"), cells),
    ]
    on_top = "the training rows drawn on top" if rows is not None else "no rows drawn (no data given)"
    for i, response in enumerate(responses, start=1):
        held = f"the other features at the {response.reference_label}; {on_top}"
        parts += [
            f"<h3>{i}. {html.escape(' · '.join(response.features))}</h3>",
            _p(f"<strong>The unit:</strong> {html.escape(response.unit_reading.text)}"),
            _Figure(inspector_figure(response, show="unit"), f"The unit's {response.unit_label}; {held}."),
            _p(f"<strong>The prediction:</strong> {html.escape(response.prediction_reading.text)}"),
            _Figure(inspector_figure(response, show="prediction"), f"The {response.prediction_label}; {held}."),
        ]
    return parts


_MLP_NOTE = "This run holds a dense MLP: its units read every feature, so there are no simplices to explain."


def _order_section(run: Run, dataset: Dataset | None, explainable: bool) -> _Parts:
    if not explainable:
        return [_note(_MLP_NOTE)]
    if dataset is None:
        return [_note(_NEEDS_ROWS)]
    split = order_split(run, dataset.X[run.result.split.test])
    mean, size = split.mean(axis=0), np.abs(split[:, 1:]).mean(axis=0)
    unit = "the target's units" if run.task == "regression" else "logits of each row's predicted class"
    names = [order_name(k) for k in range(split.shape[1] - 1)]
    cells = [
        (name, f"{m:+.4g}", f"{s:.4g}", f"{s / size.sum():.0%}")
        for name, m, s in zip(names, mean[1:], size, strict=True)
    ]
    title = f"Mean over the {len(split)} test rows: the constant plus each order's contribution"
    return [
        _p(
            f"Each prediction is a constant plus one contribution per order (in {unit}); the mean over the test "
            "rows adds up to the mean prediction."
        ),
        _Figure(order_waterfall_figure(mean, order_names=names, title=title), title + "."),
        _table(("order", "mean contribution", "mean |contribution|", "share of the total |contribution|"), cells),
    ]


def _faithfulness_section(run: Run, report: FaithfulnessReport | None, explainable: bool) -> _Parts:
    if not explainable:
        return [_note(_MLP_NOTE)]
    if report is None:
        return [_note(_NEEDS_ROWS)]
    metric = PRIMARY_METRICS[run.task]
    verdicts = [
        (
            f"{c.kind} beats random",
            _verdict(c.beats_random),
            f"area {c.area:.4g}; random orderings {c.random_area:.4g} (90% band {c.random_band[0]:.4g} to "
            f"{c.random_band[1]:.4g}); {'lower' if c.kind == 'deletion' else 'higher'} is better",
        )
        for c in (report.deletion, report.insertion)
    ]
    verdicts += [
        (
            check.name,
            _verdict(check.passed),
            f"rank correlation {check.stages[-1][1]:.3f} after {check.stages[-1][0]}; passes below {check.threshold:g}",
        )
        for check in report.checks
    ]
    stages = [(check.name, stage, f"{rho:.3f}") for check in report.checks for stage, rho in check.stages]
    agreement = [(f"{a} / {b}", f"{value:.2f}") for (a, b), value in report.agreement.items()]
    sizes = (
        f"The checks of the {html.escape(report.method)} ranking, on the test rows. Deletion and insertion are "
        f"compared with {report.deletion.random_values.shape[0]} random orderings."
    )
    return [
        _p(sizes),
        _table(("check", "verdict", "numbers"), verdicts),
        _Figure(
            deletion_insertion_figure((report.deletion, report.insertion), metric_name=metric),
            "Test score as the top simplices are removed (deletion) or restored (insertion), against random orders.",
        ),
        "<h3>Sanity checks, stage by stage</h3>",
        _table(("check", "stage", "rank correlation with the original"), stages),
        "<h3>Agreement between methods</h3>",
        _table(("methods", f"top-{report.k} overlap"), agreement),
    ]


def _verdict(passed: bool) -> str:
    return "pass" if passed else "fail"


# ---- HTML ---------------------------------------------------------------------------------------------


def _p(text: str) -> str:
    """A paragraph of text that is already HTML (escape user strings before)."""
    return f"<p>{text}</p>"


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    """A table of plain-text cells, every one escaped; a cell reading "pass" or "fail" is marked as such."""

    def cell(text: str) -> str:
        mark = f' class="{text}"' if text in ("pass", "fail") else ""
        return f"<td{mark}>{html.escape(text)}</td>"

    head = "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr></thead>" if header else ""
    body = "".join("<tr>" + "".join(cell(str(c)) for c in row) + "</tr>" for row in rows)
    return f'<table class="{"data" if header else "facts"}">{head}<tbody>{body}</tbody></table>'


def _figure_html(item: _Figure, number: int) -> str:
    div = item.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"figure-{number}",
        config=_PLOTLY_CONFIG,
        default_width="100%",
    )
    return f'<figure class="plot">{div}<figcaption>{html.escape(item.caption)}</figcaption></figure>'


def _page(title: str, sections: Sequence[_Section]) -> str:
    numbers = iter(range(1, 1 + sum(isinstance(p, _Figure) for s in sections for p in s.parts)))
    body = "".join(
        f'<section id="{s.anchor}"><h2>{html.escape(s.title)}</h2>'
        + "".join(_figure_html(p, next(numbers)) if isinstance(p, _Figure) else p for p in s.parts)
        + "</section>"
        for s in sections
    )
    contents = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script charset="utf-8">{get_plotlyjs()}</script>\n</head>\n<body>\n'
        f"<header><h1>{html.escape(title)}</h1></header>\n"
        f'<nav class="contents"><h2>Contents</h2><ol>{contents}</ol></nav>\n<main>{body}</main>\n</body>\n</html>\n'
    )


_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1d2430; background: #fff; line-height: 1.5; margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #d8dee9; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
nav.contents { background: #f4f6fa; border: 1px solid #d8dee9; border-radius: 6px; padding: .5rem 1.2rem; }
nav.contents h2 { border: 0; margin: .3rem 0; font-size: 1.05rem; }
nav.contents ol { margin: .2rem 0 .5rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; }
th, td { border: 1px solid #d8dee9; padding: .25rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f6; }
table.facts td:first-child { font-weight: 600; background: #f7f8fb; }
td.pass { color: #17632a; font-weight: 600; }
td.fail { color: #a11d1d; font-weight: 600; }
p.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: .5rem .8rem; }
code { background: #f1f3f7; padding: 0 .25rem; border-radius: 3px; }
figure.plot { margin: 1rem 0; }
figcaption { color: #4c5668; font-size: .9rem; }
@media print {
  body { max-width: none; padding: 0; }
  nav.contents { break-after: page; }
  figure.plot, table { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
