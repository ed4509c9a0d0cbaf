"""Long work in a background thread that its owner can watch, pause, resume and stop between steps.

An app must stay usable while a model trains: :class:`Job` runs a function in a daemon thread, and the
function calls :meth:`Job.checkpoint` between steps (for training, between epochs): it blocks while the job
is paused and returns ``False`` once a stop was asked for. Nothing here knows about a user interface.

- :class:`TrainingJob` trains several models of one data set one after another on one shared split,
  recording every epoch as it happens, so a page can draw growing loss curves;
- :class:`ComparisonJob` runs :func:`hnnviz.workflows.compare_models` (pausable and stoppable between fits);
- :class:`LabJob` runs :func:`hnnviz.workflows.run_lab`, recording the training epochs.

A stopped training keeps its best weights; a stopped comparison has no result (its seeds would be unequal).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Literal

from ..data import Dataset
from ..exceptions import HNNVizError, InputValidationError
from ..model import EpochRecord, Run, split_rows, train_run
from ..specs import BASE_MODELS, LAB_CONFIG, IFNSpec, ModelSpec, PlantedSpec, TrainConfig
from ._compare import Comparison, compare_models
from ._lab import run_lab

__all__ = ["ComparisonJob", "Job", "JobState", "LabJob", "TrainingJob"]

JobState = Literal["running", "paused", "done", "stopped", "failed"]


class Job:
    """Run ``work(job)`` in a daemon thread; ``work`` calls :meth:`checkpoint` between its steps.

    Parameters
    ----------
    work : callable
        Receives the job; its return value becomes :attr:`result`. An :class:`~hnnviz.exceptions.HNNVizError`
        it raises becomes :attr:`error` (its message); any other exception too, with its type named.

    Examples
    --------
    >>> def count(job):
    ...     done = 0
    ...     while done < 3 and job.checkpoint():
    ...         done += 1
    ...     return done
    >>> job = Job(count).start()
    >>> job.wait(5), job.state, job.result
    (True, 'done', 3)
    """

    def __init__(self, work: Callable[[Job], Any]) -> None:
        self._work = work
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True, name="hnnviz-job")
        self.result: Any = None
        self.error: str | None = None
        self.status = ""  # what the work is doing now, in a few words (set by the work)
        self.holding = False  # whether the work is waiting at a checkpoint while paused
        self.started_at: float | None = None
        self.seconds: float = 0.0

    def start(self) -> Job:
        """Start the work; returns the job. A job that has already ended (e.g. one restored from a saved session)
        holds its results and never runs its work."""
        if self._finished.is_set():
            return self
        self.started_at = time.perf_counter()
        self._thread.start()
        return self

    def _main(self) -> None:
        try:
            self.result = self._work(self)
        except _Stopped:
            self.result = None
        except HNNVizError as err:
            self.error = str(err)
        except Exception as err:  # a background thread must report, never die silently
            self.error = f"{type(err).__name__}: {err}"
            traceback.print_exc()
        finally:
            self.seconds = time.perf_counter() - (self.started_at or time.perf_counter())
            self._finished.set()

    # ---- control, from the owner ---------------------------------------------------------------------------

    def pause(self) -> None:
        """Hold the work at its next checkpoint."""
        self._running.clear()

    def resume(self) -> None:
        """Let paused work go on."""
        self._running.set()

    def stop(self) -> None:
        """Ask the work to end at its next checkpoint (a paused job is released to do so)."""
        self._stop.set()
        self._running.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work has ended (or ``timeout`` seconds passed); whether it has ended."""
        return self._finished.wait(timeout)

    @property
    def state(self) -> JobState:
        """``"running"``, ``"paused"``, ``"done"``, ``"stopped"`` (ended early on request) or ``"failed"``."""
        if self._finished.is_set():
            return "failed" if self.error else ("stopped" if self._stop.is_set() else "done")
        return "running" if self._running.is_set() else "paused"

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    # ---- checkpoints, from the work ------------------------------------------------------------------------

    def checkpoint(self) -> bool:
        """Wait while paused; ``False`` once a stop was asked for (the work should then wrap up)."""
        self.holding = not self._running.is_set()
        self._running.wait()
        self.holding = False
        return not self._stop.is_set()


class _Stopped(Exception):
    """Raised at a checkpoint of work that cannot wrap up early (its partial result would mislead)."""


class TrainingJob(Job):
    """Train several models of one data set one after another, on one shared split, in the background.

    Each model is trained with :func:`hnnviz.model.train_run` (same protocol, same seed, same split, so the
    comparison is fair); every epoch is recorded in :attr:`history` as it happens. Stopping ends the model in
    training with its best weights so far and skips the rest.

    Parameters
    ----------
    dataset : Dataset
        Must have a target.
    specs : mapping of str to ModelSpec
        The models, by display name, trained in this order.
    config : TrainConfig or mapping of str to TrainConfig
        One protocol for every model, or one per model name (e.g. each kind's default). All share the first
        model's split.
    ifn : IFNSpec
        The network every model is wired on (built from the training rows).

    Attributes
    ----------
    history : dict of str to list of EpochRecord
        Epochs trained so far, per model.
    runs : dict of str to Run
        The models trained so far (each with its best weights).

    Examples
    --------
    >>> from hnnviz.data import load_sample
    >>> job = TrainingJob(load_sample("diabetes"), {"hnn": ModelSpec("hnn", channels=1)},
    ...                   TrainConfig(defaults="mlp", epochs=3), IFNSpec()).start()
    >>> job.wait(60), job.state, len(job.history["hnn"]), sorted(job.runs)
    (True, 'done', 3, ['hnn'])
    """

    def __init__(
        self,
        dataset: Dataset,
        specs: Mapping[str, ModelSpec],
        config: TrainConfig | Mapping[str, TrainConfig],
        ifn: IFNSpec,
    ) -> None:
        if dataset.y is None or dataset.task is None:
            raise InputValidationError(f"Data set {dataset.name!r} has no target column: choose one to train.")
        if not specs:
            raise InputValidationError("The 'specs' parameter of TrainingJob must name at least one model.")
        if not isinstance(config, TrainConfig) and set(config) != set(specs):
            raise InputValidationError(
                f"The 'config' parameter of TrainingJob must be a TrainConfig or one per model ({', '.join(specs)})."
            )
        super().__init__(self._train_all)
        self.dataset, self.specs, self.ifn = dataset, dict(specs), ifn
        self.configs = {name: config if isinstance(config, TrainConfig) else config[name] for name in self.specs}
        self.history: dict[str, list[EpochRecord]] = {name: [] for name in self.specs}
        self.runs: dict[str, Run] = {}
        self.current: str | None = None

    @classmethod
    def restored(cls, dataset: Dataset, runs: Mapping[str, Run], config: TrainConfig) -> TrainingJob:
        """A finished job holding runs trained earlier on ``dataset`` (e.g. read back from a bundle).

        Raises
        ------
        InputValidationError
            If a run was not trained on ``dataset``'s features or rows, or ``runs`` is empty.

        Examples
        --------
        >>> from hnnviz.data import load_sample
        >>> ds = load_sample("diabetes")
        >>> run = train_run(ds, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
        >>> job = TrainingJob.restored(ds, {"HNN": run}, TrainConfig(defaults="mlp", epochs=2))
        >>> job.state, job.runs["HNN"] is run, len(job.history["HNN"])
        ('done', True, 2)
        """
        if not runs:
            raise InputValidationError("There is no trained model to restore.")
        first = next(iter(runs.values()))
        job = cls(dataset, {name: run.spec for name, run in runs.items()}, config, first.ifn)
        for name, run in runs.items():
            split = run.result.split
            last_row = max(int(rows.max(initial=-1)) for rows in (split.train, split.val, split.test))
            if run.feature_names != dataset.feature_names or last_row >= dataset.n_rows:
                raise InputValidationError(
                    f"Model {name!r} was not trained on this table ({dataset.name!r}: {dataset.n_features} features, "
                    f"{dataset.n_rows} rows); open the table it was trained on."
                )
            job.history[name] = list(run.result.history)
        job.runs = dict(runs)
        job.result = job.runs
        job._finished.set()
        return job

    @property
    def config(self) -> TrainConfig:
        """The first model's training protocol (its split is every model's)."""
        return next(iter(self.configs.values()))

    @property
    def epochs_done(self) -> int:
        return sum(len(h) for h in self.history.values())

    @property
    def progress(self) -> float:
        """Share of the work done, counting each model as its epoch cap (early stopping counts as done)."""
        total = sum(config.epochs for config in self.configs.values())
        done = sum(self.configs[name].epochs if name in self.runs else len(h) for name, h in self.history.items())
        return min(1.0, done / total)

    def _train_all(self, _: Job) -> dict[str, Run]:
        ds, config = self.dataset, self.config
        split = split_rows(
            ds.n_rows, ds.y, ds.task, val_size=config.val_size, test_size=config.test_size, seed=config.seed
        )
        for name, spec in self.specs.items():
            if not self.checkpoint():
                break
            self.current = name
            self.runs[name] = train_run(
                ds, spec, config=self.configs[name], ifn=self.ifn, split=split,
                callback=lambda r, n=name: self._epoch(n, r),
            )  # fmt: skip
        self.current = None
        return self.runs

    def _epoch(self, name: str, record: EpochRecord) -> bool:
        self.history[name].append(record)
        return self.checkpoint()


class ComparisonJob(Job):
    """:func:`hnnviz.workflows.compare_models` in the background, with the number of fits done so far.

    Pausing holds it after the fit in progress; stopping abandons it (no result).

    Parameters
    ----------
    dataset : Dataset
    **options
        Passed to :func:`~hnnviz.workflows.compare_models` (``seeds``, ``models``, ``spec``, ``config``,
        ``ifn``), which validates them when the job runs; ``threads`` is left to the process's setting.

    Attributes
    ----------
    done, total : int
        Fits finished, and fits to do.
    last : str
        The model and seed of the last fit.

    Examples
    --------
    >>> from hnnviz.data import load_sample
    >>> job = ComparisonJob(load_sample("diabetes"), seeds=(0,), models=("linear", "gbm")).start()
    >>> job.wait(60), job.state, (job.done, job.total), [row["model"] for row in job.result.summary()]
    (True, 'done', (2, 2), ['linear', 'gbm'])
    """

    def __init__(self, dataset: Dataset, **options: Any) -> None:
        super().__init__(self._compare)
        self.dataset, self.options = dataset, options
        self.total = len(options.get("seeds", (0, 1, 2))) * len(options.get("models", BASE_MODELS))
        self.done, self.last = 0, ""

    def _compare(self, _: Job) -> Comparison:
        return compare_models(self.dataset, **self.options, callback=self._fit_done, threads=None)

    def _fit_done(self, model: str, seed: int, done: int, total: int) -> None:
        self.done, self.total, self.last = done, total, f"{model} (seed {seed})"
        if not self.checkpoint():
            raise _Stopped


class LabJob(Job):
    """:func:`hnnviz.workflows.run_lab` in the background, recording the training epochs.

    Stopping ends the training with its best weights so far; the lab then explains and scores that model.

    Parameters
    ----------
    planted : PlantedSpec, optional
        The data to plant (default ``PlantedSpec()``).
    **options
        Passed to :func:`~hnnviz.workflows.run_lab` (``seed``, ``ifn``, ``spec``, ``config``, ``explain_method``,
        ``k``).

    Attributes
    ----------
    history : list of EpochRecord
        Training epochs so far.
    max_epochs : int
        The training's epoch cap.
    """

    def __init__(self, planted: PlantedSpec | None = None, /, **options: Any) -> None:
        super().__init__(lambda _: run_lab(planted, **options, callback=self._epoch))
        self.history: list[EpochRecord] = []
        self.max_epochs = options.get("config", LAB_CONFIG).epochs

    def _epoch(self, record: EpochRecord) -> bool:
        self.history.append(record)
        return self.checkpoint()
