"""Take a trained run's analysis away as one self-contained HTML page that opens offline.

:func:`build_report` draws an :class:`~hnnviz.workflows.Analysis` (:func:`hnnviz.workflows.analyse`: the run, the
table it was trained on, its attribution, baselines, checks and inspected simplices) as one HTML document:
provenance, the data and what was dropped, the network and its clique complex, the model against baselines
fitted on the run's own split, the top simplices with their inspector plots, the prediction split by order,
and the faithfulness verdicts. It renders and computes nothing. :func:`write_report` loads a saved run (and its
data), analyses it and writes that page.

The page needs nothing outside itself: plotly.js is inlined once in the head and every figure is a plotly
``div`` drawn by it; the CSS is inline and uses the reader's system fonts; there is no outside script, style
sheet, font or image. Every user-supplied string (column names, target, class labels, the data set's name) is
passed through :func:`html.escape` before it reaches the HTML, and the figures' JSON is written by plotly,
which writes ``<``, ``>`` and ``/`` as ``\\u003c``, ``\\u003e`` and ``\\u002f`` so that no name can close
the script it sits in.

Modules: ``_sections`` (one function per section of the page) and ``_html`` (the style sheet, the page skeleton
and the table, list and figure fragments).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from ..data import SAMPLES, Dataset, load_dataset, load_sample
from ..exceptions import InputValidationError
from ..io import load_run
from ..model import Run
from ..workflows import Analysis, Progress, analyse
from ._html import Section, render_page
from ._sections import (
    data_section,
    faithfulness_section,
    model_section,
    network_section,
    order_section,
    provenance_section,
    pure_section,
    simplices_section,
)

__all__ = ["build_report", "write_report"]


def build_report(
    analysis: Analysis, *, created: datetime | None = None, provenance: Mapping[str, str] | None = None
) -> str:
    """One self-contained HTML document that presents a run's analysis: what it was trained on, and what it
    learned.

    Parameters
    ----------
    analysis : Analysis
        From :func:`hnnviz.workflows.analyse`. Sections whose pieces it lacks (no table given) say how to add them.
    created : datetime, optional
        The date written in the report (default: now, in UTC).
    provenance : mapping of str to str, optional
        More lines for the provenance table, e.g. ``{"run directory": "runs/wine"}`` (escaped).

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> from hnnviz.specs import ModelSpec, TrainConfig
    >>> from hnnviz.model import train_run
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    >>> page = build_report(analyse(run))
    >>> page.startswith("<!DOCTYPE html>"), page.count('class="plotly-graph-div"'), "--data DATA" in page
    (True, 7, True)
    """
    run = analysis.run
    sections = [
        Section("provenance", "About this report", provenance_section(run, created, provenance or {})),
        Section("data", "Data", data_section(run, analysis.dataset)),
        Section("network", "Network and clique complex", network_section(run, analysis.attribution)),
        Section("model", "Model and metrics", model_section(run, analysis.comparison)),
        Section("interactions", "What drives the predictions: pure effects", pure_section(analysis)),
        Section("simplices", "Top simplices", simplices_section(analysis)),
        Section("orders", "Prediction split by order", order_section(analysis)),
        Section("faithfulness", "Faithfulness", faithfulness_section(run, analysis.faithfulness, analysis.explainable)),
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
    """Load the run saved in ``run_dir``, analyse it (:func:`hnnviz.workflows.analyse`) and write its report
    (:func:`build_report`) to ``out``.

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
    >>> from hnnviz.specs import ModelSpec, TrainConfig
    >>> from hnnviz.model import train_run
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> data = Dataset(X=X, feature_names=tuple("abcde"), y=X[:, 0] * X[:, 1], target="y", task="regression")
    >>> run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = write_report(save_run(run, Path(folder) / "run"), Path(folder) / "report.html").read_text()
    >>> page.count("<section id="), "not given" in page
    (8, True)
    """
    out = Path(out)
    if out.is_dir() or not out.parent.is_dir():
        raise InputValidationError(f"Cannot write the report to '{out}': give a file path in an existing folder.")
    say = progress or (lambda step: None)
    say("loading the run")
    run = load_run(run_dir)
    dataset, source = _report_data(run, data)
    analysis = analyse(run, dataset, top=top, progress=progress)
    say("drawing the figures")
    page = build_report(analysis, provenance={"run directory": str(run_dir), "data": source})
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
