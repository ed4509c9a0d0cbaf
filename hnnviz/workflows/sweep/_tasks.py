"""The tasks of a sweep: one fit (:class:`FitTask`) or one chunk of bootstrap resamples (:class:`StabilityTask`).

Each task is a small frozen dataclass that pickles to a worker process or a Dask worker. Its :meth:`key` holds
everything its result depends on, and :func:`task_id` hashes that key into the stable id a saved result is
found under.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from ...network import bootstrap_stability
from ...specs import IFNSpec, ModelSpec, TrainConfig
from .._compare import _CLASSICAL, compare_models, parse_model_name

if TYPE_CHECKING:
    from ._spec import DataSource

__all__ = ["FitTask", "StabilityTask", "Task", "run_task", "task_id"]

#: Bumped whenever a task's result changes layout, so older task files are not reused.
_FORMAT = 1


@dataclass(frozen=True)
class FitTask:
    """Fit one model with one seed on one data set, on the split ``hnnviz compare`` uses for that seed."""

    dataset: DataSource
    seed: int
    model: str
    spec: ModelSpec
    config: TrainConfig
    ifn: IFNSpec

    @property
    def label(self) -> str:
        return f"{self.dataset.name}, seed {self.seed}, {self.model}"

    def key(self) -> dict[str, Any]:
        """Everything the result depends on (a classical model's fit depends on the split alone)."""
        key = {
            "format": _FORMAT,
            "kind": "fit",
            "dataset": self.dataset.identity(),
            "seed": self.seed,
            "model": self.model,
            "split": {"val_size": self.config.val_size, "test_size": self.config.test_size},
        }
        if parse_model_name(self.model)[0] not in _CLASSICAL:
            key |= {"training": self.config.to_dict(), "network": self.spec.to_dict(), "ifn": self.ifn.to_dict()}
        return key

    def run(self) -> dict[str, Any]:
        """One row of the results table: the data set's name, task and primary metric, the record's scalar
        fields, and its test ``metrics`` (one column each in the table)."""
        dataset = self.dataset.load()
        comparison = compare_models(
            dataset,
            seeds=(self.seed,),
            models=(self.model,),
            spec=self.spec,
            config=self.config,
            ifn=self.ifn,
            threads=1,
        )
        record = comparison.records[0].to_dict()
        scalars = {k: v for k, v in record.items() if not isinstance(v, list | dict)}
        head = {"dataset": self.dataset.name, "task": comparison.task, "metric": comparison.metric}
        return head | {k: scalars.pop(k) for k in ("seed", "model")} | {"metrics": record["metrics"]} | scalars


@dataclass(frozen=True)
class StabilityTask:
    """Count how often each edge and maximal clique comes back over one chunk of bootstrap resamples."""

    dataset: DataSource
    chunk: int
    n_boot: int
    seed: int
    ifn: IFNSpec

    @property
    def label(self) -> str:
        return f"{self.dataset.name}, stability chunk {self.chunk}"

    def key(self) -> dict[str, Any]:
        """Everything the result depends on."""
        return {
            "format": _FORMAT,
            "kind": "stability",
            "dataset": self.dataset.identity(),
            "chunk": self.chunk,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "ifn": self.ifn.to_dict(),
        }

    def run(self) -> dict[str, Any]:
        """The reference graph's edges and cliques, and the count of every edge and clique seen in the chunk."""
        dataset = self.dataset.load()
        rng = np.random.default_rng([self.seed, self.chunk])
        with threadpool_limits(limits=1):
            found = bootstrap_stability(dataset.X, dataset.feature_names, n_boot=self.n_boot, ifn=self.ifn, seed=rng)
        parts = {"edge": found.edge_frequency, "clique": found.clique_frequency}
        return {
            "n_boot": self.n_boot,
            "reference": {"edge": found.reference_edges, "clique": found.reference_cliques},
            "counts": {
                part: [[*names, round(f * self.n_boot)] for names, f in freq.items()] for part, freq in parts.items()
            },
        }


Task = FitTask | StabilityTask


def task_id(task: Task) -> str:
    """A stable id of the task: the start of the SHA-256 of its :meth:`key` as canonical JSON."""
    text = json.dumps(task.key(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def run_task(task: Task) -> tuple[str, dict[str, Any]]:
    """Run one task where it was sent: its id and its result."""
    return task_id(task), task.run()
