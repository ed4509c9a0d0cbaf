"""The report's sections: each function returns one section's parts (HTML fragments and figures) in page order.

User strings are escaped where they enter the HTML: :func:`~._html.table` and :func:`~._html.bullet_list`
escape their cells, and text bound for :func:`~._html.paragraph`, :func:`~._html.note` or a heading is passed
through :func:`html.escape` here first.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np

from .. import __version__
from .._messages import order_name
from ..data import Dataset
from ..explanation import Attribution, FaithfulnessReport
from ..model import Run, describe_hnn
from ..specs import PRIMARY_METRICS
from ..viz import (
    deletion_insertion_figure,
    hnn_layers_figure,
    inspector_figure,
    light_network_figure,
    loss_curves_figure,
    model_scores_figure,
    network_figure,
    order_waterfall_figure,
    pure_ranking_figure,
    pure_shape_figure,
    ranking_figure,
    target_figure,
)
from ..workflows import Analysis, Comparison
from ._html import Figure, Parts, bullet_list, note, paragraph, table

__all__ = [
    "data_section",
    "faithfulness_section",
    "model_section",
    "network_section",
    "order_section",
    "provenance_section",
    "pure_section",
    "simplices_section",
]

_LIGHT_VIEW_NODES = 300  # above this many features the network is drawn with WebGL points and lines only
#: The note (HTML) of a section that needs the rows of the run when no table was given.
_NEEDS_ROWS = (
    "This section needs the rows the run was trained on: pass the table with "
    "<code>hnnviz report RUN_DIR --data DATA</code> (or <code>build_report(analyse(run, dataset))</code>)."
)


def provenance_section(run: Run, created: datetime | None, extra: Mapping[str, str]) -> Parts:
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
    return [table(("", ""), rows, header=False)]


def data_section(run: Run, dataset: Dataset | None) -> Parts:
    split = run.result.split
    sizes = f"{len(split.train)} training, {len(split.val)} validation and {len(split.test)} test rows"
    if dataset is None:
        return [paragraph(f"The run was split into {sizes}."), note(_NEEDS_ROWS)]
    rows = [
        ("name", dataset.name),
        ("rows", str(dataset.n_rows)),
        ("features", str(dataset.n_features)),
        ("target", str(dataset.target)),
        ("task", str(dataset.task)),
    ]
    if dataset.classes is not None:
        rows.append(("classes", ", ".join(map(str, dataset.classes))))
    parts: Parts = [table(("", ""), rows, header=False), paragraph(f"The run was split into {sizes}.")]
    parts.append(Figure(target_figure(dataset), f"The target {dataset.target!r}: its distribution over all rows."))
    parts.append("<h3>What was dropped</h3>")
    if dataset.dropped:
        cells = [(d.kind, d.name, d.reason, str(d.count)) for d in dataset.dropped]
        parts.append(table(("kind", "name", "reason", "rows"), cells))
    else:
        parts.append(paragraph("Nothing was dropped: every column and row of the table was used."))
    parts += _first_contact(dataset)
    if dataset.notes:
        parts += ["<h3>How cells were read</h3>", bullet_list(str(read_note) for read_note in dataset.notes)]
    if run.network.constant_features:
        parts.append(note(html.escape(run.network.constant_note())))
    return parts


def _first_contact(dataset: Dataset) -> Parts:
    """What the loader's checks flagged (identifiers, leaks, sparse columns), read as 0/1, and filled in."""
    parts: Parts = []
    if dataset.flags:
        cells = [(f.column, f.check, f.reason, "kept, as asked" if f.kept else "left out") for f in dataset.flags]
        parts += ["<h3>Columns the checks flagged</h3>", table(("column", "check", "reason", "what was done"), cells)]
    if dataset.encodings:
        parts += ["<h3>Text read as 0/1</h3>", bullet_list(str(encoding) for encoding in dataset.encodings)]
    if dataset.imputations:
        parts += ["<h3>Missing cells filled in</h3>", bullet_list(str(filled) for filled in dataset.imputations)]
    return parts


def network_section(run: Run, attribution: Attribution | None) -> Parts:
    net, cx = run.network, run.network.complex
    graph, cliques = net.graph, len(net.graph.cliques)
    sizes = f"{graph.n_nodes} features, {graph.n_edges} edges, {cliques} cliques"
    parts: Parts = [
        paragraph(f"{html.escape(run.ifn.label())}: {sizes}."),
        table(
            ("order", "simplices", "Betti number"),
            [
                (f"{k} ({order_name(k)})", str(n), str(b))
                for k, (n, b) in enumerate(zip(cx.f_vector, cx.betti, strict=True))
            ],
        ),
        paragraph(f"f-vector {cx.f_vector}, Euler characteristic {cx.euler_characteristic}."),
    ]
    if graph.n_nodes > _LIGHT_VIEW_NODES:
        parts.append(Figure(light_network_figure(net), "The filtered network (points and lines only)."))
    elif attribution is not None:
        kinds = ("edge_values", "triangle_values")[: len(attribution.scores) - 1]
        values = {kind: attribution.simplex_values(k) for k, kind in enumerate(kinds, start=1)}
        label = f"mean |{attribution.method}|"
        fig = network_figure(net, value_label=label, **values)
        parts.append(Figure(fig, f"The filtered network, edges and triangles coloured by their {label}."))
    else:
        parts.append(Figure(network_figure(net), "The filtered network with its edges and triangles."))
    parts.append(Figure(hnn_layers_figure(net), "The HNN this complex wires: each unit reads its faces."))
    return parts


def model_section(run: Run, comparison: Comparison | None) -> Parts:
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
    parts: Parts = [
        table(("", ""), settings, header=False),
        "<h3>Size against the same-width dense network</h3>",
        table(("order", "units", "faces read", "HNN parameters", "dense MLP parameters"), layers),
        paragraph(f"The dense MLP of the same widths has {arch.ratio:.1f} times the HNN's parameters."),
        "<h3>Scores</h3>",
        table(*_metrics_table(result.metrics)),
        Figure(loss_curves_figure({spec.kind: result.history}), "Training and validation loss per epoch."),
        "<h3>Against baselines</h3>",
    ]
    if comparison is None:
        return [*parts, note(_NEEDS_ROWS)]
    names = sorted({name for r in comparison.records for name in r.metrics})
    cells = [
        (r.model, str(r.seed), f"{r.n_params:,} {r.size_unit}", *(f"{r.metrics[m]:.4g}" for m in names))
        for r in comparison.records
    ]
    n_test = len(comparison.records[0].test_rows)
    return [
        *parts,
        paragraph(
            f"Test scores on the same {n_test} test rows; the classical models were fitted on the training and "
            "validation rows together."
        ),
        table(("model", "seed", "size", *names), cells),
        Figure(model_scores_figure(comparison), f"Test {comparison.metric} of each model."),
    ]


def _metrics_table(scores: Mapping[str, Mapping[str, float]]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    names = list(next(iter(scores.values())))
    return ("part", *names), [(part, *(f"{values[m]:.4g}" for m in names)) for part, values in scores.items()]


def simplices_section(analysis: Analysis) -> Parts:
    attribution, responses = analysis.attribution, analysis.inspections
    if not analysis.explainable:
        return [note(_MLP_NOTE)]
    if attribution is None:
        return [note(_NEEDS_ROWS)]
    ranked = attribution.ranking(top=len(responses))
    top = len(responses)
    what = f"mean |{attribution.method}| over {attribution.n_rows} rows"
    cells = [
        (str(i), " · ".join(s.features), order_name(s.order, plural=False), f"{s.score:.4g}", r.unit_reading.label)
        for i, (s, r) in enumerate(zip(ranked, responses, strict=True), start=1)
    ]
    parts: Parts = [
        paragraph(f"Simplices ranked by {html.escape(what)}, in the model's output units."),
        Figure(ranking_figure(attribution, top=max(top, 10)), f"The most important simplices ({what})."),
        table(("rank", "simplex", "kind", what, "shape of its unit"), cells),
    ]
    on_top = "the training rows drawn on top" if analysis.dataset is not None else "no rows drawn (no data given)"
    for i, response in enumerate(responses, start=1):
        held = f"the other features at the {response.reference_label}; {on_top}"
        parts += [
            f"<h3>{i}. {html.escape(' · '.join(response.features))}</h3>",
            paragraph(f"<strong>The unit:</strong> {html.escape(response.unit_reading.text)}"),
            Figure(inspector_figure(response, show="unit"), f"The unit's {response.unit_label}; {held}."),
            paragraph(f"<strong>The prediction:</strong> {html.escape(response.prediction_reading.text)}"),
            Figure(inspector_figure(response, show="prediction"), f"The {response.prediction_label}; {held}."),
        ]
    return parts


def pure_section(analysis: Analysis, top: int = 10, shapes: int = 3) -> Parts:
    """What drives the predictions, read exactly: the pure effects of feature subsets (the functional ANOVA)."""
    pure = analysis.pure
    if pure is None:
        return [note(_MLP_NOTE)]
    unit = pure.unit  # table() escapes its headers
    verdict = (
        "No strong interaction was found: the model is (nearly) a sum of one curve per feature."
        if not pure.strong_interactions
        else f"Interactions carry {pure.interaction_share:.0%} of the model's variance."
    )
    orders = [(order_name(k), f"{share:.1%}") for k, share in enumerate(pure.order_shares())]
    effects = [
        (" · ".join(e.features), order_name(e.order, plural=False), f"{e.importance:.4g}", f"{e.share:.1%}")
        for e in pure.ranking(min_order=1, top=top)
    ]
    importance = f"importance (sd over the training rows, {unit})"
    return [
        paragraph(
            "The model's output is split exactly into a constant plus one pure effect per group of features: the "
            "part that only these features explain together, beyond what each smaller group explains. "
            + html.escape(verdict)
        ),
        table(("order", "share of the model's variance"), orders),
        Figure(pure_ranking_figure(pure, top=15), "The largest pure effects, single features included."),
        table(("interaction", "kind", importance, "share of the variance"), effects),
        *_shapes(analysis, shapes),
    ]


def _shapes(analysis: Analysis, top: int) -> Parts:
    """The shapes of the top interactions, the training rows drawn on top when the table is known."""
    pure, dataset = analysis.pure, analysis.dataset
    rows = None if dataset is None else dataset.X[analysis.run.result.split.train]
    parts: Parts = []
    for effect in pure.ranking(min_order=1, top=top):
        name = " · ".join(effect.features)
        what = "the training rows drawn on top" if rows is not None else "no rows drawn (no data given)"
        caption = f"The pure effect of {name} over its features' quantile grids; {what}."
        parts += [f"<h3>{html.escape(name)}</h3>", Figure(pure_shape_figure(pure, effect.features, X=rows), caption)]
    return parts


_MLP_NOTE = "This run holds a dense MLP: its units read every feature, so there are no simplices to explain."


def order_section(analysis: Analysis) -> Parts:
    if not analysis.explainable:
        return [note(_MLP_NOTE)]
    split, run = analysis.order_split, analysis.run
    if split is None:
        return [note(_NEEDS_ROWS)]
    mean, size = split.mean(axis=0), np.abs(split[:, 1:]).mean(axis=0)
    unit = "the target's units" if run.task == "regression" else "logits of each row's predicted class"
    names = [order_name(k) for k in range(split.shape[1] - 1)]
    cells = [
        (name, f"{m:+.4g}", f"{s:.4g}", f"{s / size.sum():.0%}")
        for name, m, s in zip(names, mean[1:], size, strict=True)
    ]
    title = f"Mean over the {len(split)} test rows: the constant plus each order's contribution"
    return [
        paragraph(
            f"Each prediction is a constant plus one contribution per order (in {unit}); the mean over the test "
            "rows adds up to the mean prediction."
        ),
        Figure(order_waterfall_figure(mean, order_names=names, title=title), title + "."),
        table(("order", "mean contribution", "mean |contribution|", "share of the total |contribution|"), cells),
    ]


def faithfulness_section(run: Run, report: FaithfulnessReport | None, explainable: bool) -> Parts:
    if not explainable:
        return [note(_MLP_NOTE)]
    if report is None:
        return [note(_NEEDS_ROWS)]
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
        paragraph(sizes),
        table(("check", "verdict", "numbers"), verdicts),
        Figure(
            deletion_insertion_figure((report.deletion, report.insertion), metric_name=metric),
            "Test score as the top simplices are removed (deletion) or restored (insertion), against random orders.",
        ),
        "<h3>Sanity checks, stage by stage</h3>",
        table(("check", "stage", "rank correlation with the original"), stages),
        "<h3>Agreement between methods</h3>",
        table(("methods", f"top-{report.k} overlap"), agreement),
    ]


def _verdict(passed: bool) -> str:
    return "pass" if passed else "fail"
