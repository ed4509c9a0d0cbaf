"""Sweeps: data sets x seeds x models (the ``compare`` protocol) and bootstrap stability, as independent tasks.

A sweep is described by a small TOML file, read into a :class:`SweepSpec`, and split into tasks
(:meth:`SweepSpec.tasks`):

* one :class:`FitTask` per (data set, seed, model). It runs :func:`hnnviz.workflows.compare_models` for that
  single pair: the seed's split is the one every model of ``hnnviz compare`` shares, so its record is exactly
  the one ``hnnviz compare`` makes;
* with a ``[stability]`` table, :class:`StabilityTask` chunks of bootstrap resamples per data set
  (:func:`hnnviz.network.bootstrap_stability`). Chunk ``i`` draws its rows from
  ``numpy.random.default_rng([seed, i])``, so every chunk is reproducible on its own, and the chunks' counts
  add up to the data set's frequencies.

:func:`run_sweep` runs the tasks in this process, on local worker processes (joblib's loky backend) or on a
Dask cluster, and gives identical results on all three. Only the spec travels: every task loads its data set
itself and fits on one thread. Each finished task is saved at once, atomically, as ``tasks/<id>.json`` in the
output directory, where ``<id>`` hashes everything its result depends on (the data file's bytes included). A
rerun skips the tasks already saved, and a changed spec changes the ids of the tasks it affects, so a stale
result is never reused.

The spec (every key but ``datasets``, ``seeds`` and ``models`` optional)::

    seeds = 3                            # seeds 0, 1, 2; or a list such as [0, 4, 7]
    models = ["hnn", "mlp", "linear", "gbm", "hnn-order2"]   # names compare_models accepts
    datasets = [
        "diabetes",                                  # a bundled sample, with its own target
        { sample = "wine", target = "cultivar" },
        { path = "data/mine.csv", target = "y", name = "mine" },   # relative to the spec's folder
    ]

    [training]    # TrainConfig fields but seed: epochs, batch_size, lr, weight_decay, patience, ...
    epochs = 100
    [model]       # ModelSpec fields but kind: channels, max_order, activation, readout_width
    channels = 4
    [ifn]         # IFNSpec fields: similarity, method, max_clique_size, threshold
    method = "tmfg"
    [stability]   # bootstrap stability of each data set's filtered graph
    resamples = 200   # in all, per data set
    per_task = 50     # resamples per task (default: all in one task)
    seed = 0

``models`` may be empty when there is a ``[stability]`` table (a data set without a target is then fine).

The package is split by stage: ``_spec`` reads and checks the spec, ``_tasks`` holds the tasks and their ids,
and ``_run`` runs them and writes the tables. The summary figure is drawn above this stage, by
:func:`hnnviz.viz.write_sweep_summary` (which ``hnnviz sweep`` calls).
"""

from __future__ import annotations

from ._run import TIME_COLUMNS, SweepResult, run_sweep
from ._spec import DataSource, StabilitySpec, SweepSpec
from ._tasks import FitTask, StabilityTask, Task, task_id

__all__ = [
    "TIME_COLUMNS",
    "DataSource",
    "FitTask",
    "StabilitySpec",
    "StabilityTask",
    "SweepResult",
    "SweepSpec",
    "Task",
    "run_sweep",
    "task_id",
]

