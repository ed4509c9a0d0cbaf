"""Stage 6: work that strings the stages together.

:func:`compare_models` fits the HNN beside its baselines on identical rows; :func:`run_lab` plants interactions,
trains and scores their recovery; :class:`TrainingJob`, :class:`ComparisonJob` and :class:`LabJob` run that work in
the background for the app; ``_timing`` estimates how long work will take; :mod:`hnnviz.workflows.sweep` runs grids
of fits on Dask.

Modules: ``_compare``, ``_lab``, ``_jobs``, ``_timing`` and the ``sweep`` sub-package.
"""

from ._analysis import (
    BASELINE_MODELS,
    CHECK_CONFIG,
    CHECK_RANDOM_ORDERINGS,
    Analysis,
    Progress,
    analyse,
    baseline_comparison,
    check_table,
)
from ._compare import Comparison, ModelRecord, compare_models, fit_classical, parse_model_name
from ._jobs import ComparisonJob, Job, JobState, LabJob, TrainingJob
from ._lab import LabResult, run_lab
from ._timing import bootstrap_seconds, epoch_seconds, explain_seconds

__all__ = [
    "BASELINE_MODELS",
    "CHECK_CONFIG",
    "CHECK_RANDOM_ORDERINGS",
    "Analysis",
    "Comparison",
    "ComparisonJob",
    "Job",
    "JobState",
    "LabJob",
    "LabResult",
    "ModelRecord",
    "Progress",
    "TrainingJob",
    "analyse",
    "baseline_comparison",
    "bootstrap_seconds",
    "check_table",
    "compare_models",
    "epoch_seconds",
    "explain_seconds",
    "fit_classical",
    "parse_model_name",
    "run_lab",
]
