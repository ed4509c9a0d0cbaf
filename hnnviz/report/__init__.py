"""Take a trained run's analysis away as one self-contained HTML page that opens offline.

:func:`build_report` turns a :class:`~hnnviz.model.Run` (and the table it was trained on) into one HTML document:
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

- the attribution: ablation over the test rows (:func:`hnnviz.explanation.explain`);
- the baselines: linear and gradient boosting models fitted on the run's own training and validation rows and
  scored on its test rows (:func:`baseline_comparison`);
- the faithfulness checks (:func:`hnnviz.explanation.faithfulness_report`) with
  :data:`CHECK_RANDOM_ORDERINGS` random orderings and the permuted-label retraining capped by
  :data:`CHECK_CONFIG`.

Modules: ``_sections`` (one function per section of the page) and ``_html`` (the style sheet, the page skeleton
and the table, list and figure fragments).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from .._validation import check_int
from ..data import SAMPLES, Dataset, load_dataset, load_sample
from ..exceptions import InputValidationError
from ..explanation import Attribution, FaithfulnessReport, explain, faithfulness_report
from ..io import load_run
from ..model import HNN, Run, metrics
from ..specs import PRIMARY_METRICS, TrainConfig
from ..workflows import Comparison, ModelRecord, fit_classical
from ._html import Section, render_page
from ._sections import (
    data_section,
    faithfulness_section,
    model_section,
    network_section,
    order_section,
    provenance_section,
    simplices_section,
)

__all__ = [
    "BASELINE_MODELS",
    "CHECK_CONFIG",
    "CHECK_RANDOM_ORDERINGS",
    "baseline_comparison",
    "build_report",
    "write_report",
]

#: The classical models fitted on the run's split to put its scores in context (see :mod:`hnnviz.workflows`).
BASELINE_MODELS = ("linear", "gbm")
#: Training protocol of the faithfulness checks' retraining on permuted labels: the default one, at most 30 epochs
#: (on permuted labels the validation loss soon stops falling, and early stopping ends most retrainings by then).
CHECK_CONFIG = TrainConfig(epochs=30)
#: Random orderings behind the deletion and insertion curves' reference band.
CHECK_RANDOM_ORDERINGS = 10
_ATTRIBUTION_METHOD = "ablation"
Progress = Callable[[str], None]


def baseline_comparison(run: Run, dataset: Dataset) -> Comparison:
    """The run's test scores beside the :data:`BASELINE_MODELS` fitted on the run's own split of ``dataset``.

    The classical models are fitted on the run's training and validation rows and scored on its test rows
    (as :func:`hnnviz.workflows.compare_models` fits them), so every model is scored on exactly the rows the run
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
    >>> from hnnviz.specs import ModelSpec
    >>> from hnnviz.model import train_run
    >>> import numpy as np
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
    own = ModelRecord.of_run(run, run.spec.kind, seed)
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
        A trained run (:func:`hnnviz.model.train_run` or :func:`hnnviz.io.load_run`).
    dataset : Dataset, optional
        The table the run was trained on. Without it, the sections that need rows (data, baselines, order
        split, faithfulness, and top simplices unless ``attribution`` is given) say how to add it.
    attribution : Attribution, optional
        Of the run's test rows; by default ablation over them (needs ``dataset``).
    comparison : Comparison, optional
        Models to show the run beside; by default :func:`baseline_comparison` (needs ``dataset``).
    faithfulness : FaithfulnessReport, optional
        By default :func:`hnnviz.explanation.faithfulness_report` for the attribution's method, sized by
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
    >>> from hnnviz.specs import ModelSpec
    >>> from hnnviz.model import train_run
    >>> import numpy as np
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
        Section("provenance", "About this report", provenance_section(run, created, provenance or {})),
        Section("data", "Data", data_section(run, dataset)),
        Section("network", "Network and clique complex", network_section(run, attribution)),
        Section("model", "Model and metrics", model_section(run, comparison)),
        Section("simplices", "Top simplices", simplices_section(run, dataset, attribution, explainable, top)),
        Section("orders", "Prediction split by order", order_section(run, dataset, explainable)),
        Section("faithfulness", "Faithfulness", faithfulness_section(run, faithfulness, explainable)),
    ]
    return render_page(f"hnnviz report: {run.dataset_name}", sections)


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
        A directory written by ``hnnviz train`` (:func:`hnnviz.io.save_run`).
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
    >>> from hnnviz.io import save_run
    >>> from hnnviz.specs import ModelSpec
    >>> from hnnviz.model import train_run
    >>> import numpy as np
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
