"""Running a sweep: :func:`run_sweep` sends the unfinished tasks to this process, joblib or Dask, saves each
result as it finishes, and adds them up into the tables of a :class:`SweepResult`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from joblib import Parallel, delayed

from ..._validation import check_int
from ...exceptions import InputValidationError
from ._spec import SweepSpec
from ._tasks import FitTask, StabilityTask, Task, run_task, task_id

__all__ = ["TIME_COLUMNS", "SweepResult", "run_sweep"]

#: Columns of the results table that measure time: they differ from run to run.
TIME_COLUMNS = ("seconds", "build_seconds")

#: How long a Dask client waits for the scheduler given with ``scheduler=``.
_CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True)
class SweepResult:
    """The tables of a finished sweep, as written to its output directory by :func:`run_sweep`.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per (data set, seed, model), in the spec's order: ``dataset``, ``task``, ``metric`` (the
        primary one), ``seed``, ``model``, one column per test metric (empty where the task has no such
        metric), the record's other scalar fields (``n_params``, ``seconds``, ``epochs_run``, ``n_test`` ...)
        and ``task_id``. Empty without models.
    stability : pandas.DataFrame or None
        Per data set, every edge and maximal clique of the full data's graph or of a resample: ``dataset``,
        ``part`` (``"edge"`` or ``"clique"``), ``features`` (comma-separated, in column order), ``size``,
        ``reference`` (in the full data's graph), ``count``, ``n_boot`` and ``frequency``. ``None`` without a
        ``[stability]`` table.
    n_tasks : int
    reused : int
        Tasks found finished in the output directory, not run again.
    out : pathlib.Path
        The output directory.
    """

    results: pd.DataFrame
    stability: pd.DataFrame | None
    n_tasks: int
    reused: int
    out: Path

    @property
    def files(self) -> tuple[str, ...]:
        """The files written beside ``tasks/``."""
        fits = ("results.parquet", "results.csv") if len(self.results) else ()
        return fits + (() if self.stability is None else ("stability.parquet", "stability.csv"))

    def summary(self) -> list[dict[str, Any]]:
        """One row per (data set, model): the primary metric's mean and spread over seeds, size and fit time.

        Returns
        -------
        list of dict
            Keys ``dataset``, ``model``, ``metric``, ``mean``, ``std`` (``ddof=1``; 0 for one seed),
            ``n_seeds``, ``n_params`` (mean) and ``seconds`` (mean).
        """
        if self.results.empty:
            return []
        rows = []
        for (dataset, model), group in self.results.groupby(["dataset", "model"], sort=False):
            metric = group["metric"].iloc[0]
            scores = group[metric].to_numpy(dtype=float)
            rows.append(
                {
                    "dataset": dataset,
                    "model": model,
                    "metric": metric,
                    "mean": float(scores.mean()),
                    "std": float(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
                    "n_seeds": len(scores),
                    "n_params": float(group["n_params"].mean()),
                    "seconds": float(group["seconds"].mean()),
                }
            )
        return rows

    def stability_scores(self) -> list[dict[str, Any]]:
        """Per data set, the mean frequency of its full-data graph's edges over every resample (1.0: all agree)."""
        if self.stability is None:
            return []
        edges = self.stability[(self.stability["part"] == "edge") & self.stability["reference"]]
        return [
            {"dataset": dataset, "score": float(group["frequency"].mean()), "n_boot": int(group["n_boot"].iloc[0])}
            for dataset, group in edges.groupby("dataset", sort=False)
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the counts, the files written, :meth:`summary` and :meth:`stability_scores`."""
        return {
            "out": str(self.out),
            "tasks": self.n_tasks,
            "ran": self.n_tasks - self.reused,
            "reused": self.reused,
            "files": list(self.files),
            "summary": self.summary(),
            "stability": self.stability_scores(),
        }


def run_sweep(
    spec: SweepSpec,
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int, Task], None] | None = None,
) -> SweepResult:
    """Run every task of ``spec`` not yet finished in ``out``, then write the tables.

    Parameters
    ----------
    spec : SweepSpec
    out : str or path-like
        The output directory (made if missing). Each task is saved there as ``tasks/<id>.json`` as soon as
        it finishes, and tasks already saved are reused; then ``results.parquet`` and ``results.csv`` (see
        :attr:`SweepResult.results`) and, with stability, ``stability.parquet`` and ``stability.csv`` are written
        (``hnnviz sweep`` adds ``summary.html``, :func:`hnnviz.viz.write_sweep_summary`).
    jobs : int, default 1
        Local worker processes (joblib's loky backend); 1 runs the tasks in this process.
    workers : int, optional
        Start a local Dask cluster of this many one-thread worker processes for the sweep.
    scheduler : str, optional
        The address of a running Dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``) to run the tasks on. Its
        workers need hnnviz installed and the data files at the same paths.
    progress : callable, optional
        ``progress(done, total, task)`` after each task run (reused ones are not counted).

    Returns
    -------
    SweepResult

    Raises
    ------
    InputValidationError
        If more than one of ``jobs > 1``, ``workers`` and ``scheduler`` is given, ``jobs`` or ``workers`` is
        not a positive int, the scheduler cannot be reached, or a data set cannot be loaded (checked here
        before any task is sent out).

    Examples
    --------
    >>> import tempfile
    >>> spec = SweepSpec.from_dict({"datasets": ["wine"], "seeds": 2, "models": ["linear"]})
    >>> with tempfile.TemporaryDirectory() as out:
    ...     first, again = run_sweep(spec, out), run_sweep(spec, out)
    >>> first.results[["seed", "model", "accuracy"]].round(3).values.tolist()
    [[0, 'linear', 1.0], [1, 'linear', 0.972]]
    >>> first.reused, again.reused, again.results["accuracy"].equals(first.results["accuracy"])
    (0, 2, True)
    """
    owner = "run_sweep"
    jobs = check_int(jobs, name="jobs", owner=owner, low=1)
    if workers is not None:
        workers = check_int(workers, name="workers", owner=owner, low=1)
    if (jobs > 1) + (workers is not None) + (scheduler is not None) > 1:
        raise InputValidationError(
            f"Give {owner} at most one of jobs > 1, workers and scheduler. "
            f"Got jobs={jobs}, workers={workers}, scheduler={scheduler!r} instead."
        )
    store = Path(out) / "tasks"
    store.mkdir(parents=True, exist_ok=True)
    tasks = {task_id(task): task for task in spec.tasks()}
    done = {i: result for i in tasks if (result := _read_result(store / f"{i}.json")) is not None}
    reused, todo = len(done), [task for i, task in tasks.items() if i not in done]
    for source in dict.fromkeys(task.dataset for task in todo):
        source.load()  # a bad path or target fails here, in one line, before any task is sent out
    with contextlib.closing(_results(todo, jobs, workers, scheduler)) as finished:
        for n, (i, result) in enumerate(finished, start=1):
            done[i] = _save(store / f"{i}.json", tasks[i], result)
            if progress is not None:
                progress(n, len(todo), tasks[i])
    result = SweepResult(
        results=_results_table(tasks, done),
        stability=None if spec.stability is None else _stability_table(spec, tasks, done),
        n_tasks=len(tasks),
        reused=reused,
        out=Path(out),
    )
    _write_tables(result)
    return result


def _results(
    todo: Sequence[Task], jobs: int, workers: int | None, scheduler: str | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each task's id and result, in the order they finish."""
    if not todo:
        return
    if workers is not None or scheduler is not None:
        yield from _on_dask(todo, workers, scheduler)
    elif jobs > 1:
        yield from Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")(
            delayed(run_task)(t) for t in todo
        )
    else:
        yield from map(run_task, todo)


def _on_dask(todo: Sequence[Task], workers: int | None, scheduler: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Run the tasks on the scheduler at ``scheduler``, or on a local cluster of ``workers`` processes."""
    from distributed import Client, LocalCluster, as_completed

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = stack.enter_context(Client(stack.enter_context(cluster)))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout=_CONNECT_TIMEOUT))
            except (OSError, ValueError) as err:
                raise InputValidationError(f"Cannot reach the Dask scheduler at {scheduler!r}: {err}") from None
        futures = [client.submit(run_task, task, key=f"hnnviz-sweep-{task_id(task)}") for task in todo]
        for future in as_completed(futures):
            yield future.result()


def _save(path: Path, task: Task, result: dict[str, Any]) -> dict[str, Any]:
    """Write a finished task atomically (a temporary file renamed); return its result as read back later."""
    text = json.dumps({"task": task.key(), "result": result})
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)
    return json.loads(text)["result"]


def _read_result(path: Path) -> dict[str, Any] | None:
    """A saved task's result; ``None`` if it is missing or damaged (the task then runs again)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["result"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _results_table(tasks: Mapping[str, Task], done: Mapping[str, dict[str, Any]]) -> pd.DataFrame:
    rows = [done[i] | {"task_id": i} for i, task in tasks.items() if isinstance(task, FitTask)]
    metrics = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
    frame = pd.DataFrame([{k: v for k, v in row.items() if k != "metrics"} | row["metrics"] for row in rows])
    head = ["dataset", "task", "metric", "seed", "model", *metrics]
    rest = [c for c in frame.columns if c not in head and c != "task_id"]
    return frame[head + rest + ["task_id"]] if rows else frame


def _stability_table(spec: SweepSpec, tasks: Mapping[str, Task], done: Mapping[str, dict[str, Any]]) -> pd.DataFrame:
    """Add up each data set's chunks: every edge and clique seen, the reference ones first."""
    rows = []
    for source in spec.datasets:
        chunks = [done[i] for i, task in tasks.items() if isinstance(task, StabilityTask) and task.dataset == source]
        n_boot = sum(chunk["n_boot"] for chunk in chunks)
        counts: Counter[tuple[str, tuple[str, ...]]] = Counter()
        for chunk in chunks:
            for part, entries in chunk["counts"].items():
                counts.update({(part, tuple(entry[:-1])): entry[-1] for entry in entries})
        reference = [(part, tuple(names)) for part, items in chunks[0]["reference"].items() for names in items]
        seen_only = sorted(set(counts) - set(reference), key=lambda key: (key[0] != "edge", -counts[key], key[1]))
        rows += [
            {
                "dataset": source.name,
                "part": part,
                "features": ", ".join(names),
                "size": len(names),
                "reference": (part, names) in reference,
                "count": counts[part, names],
                "n_boot": n_boot,
                "frequency": counts[part, names] / n_boot,
            }
            for part, names in reference + seen_only
        ]
    return pd.DataFrame(rows)


def _write_tables(result: SweepResult) -> None:
    tables = {"results": result.results, "stability": result.stability}
    for name in dict.fromkeys(Path(f).stem for f in result.files):
        if name in tables:
            tables[name].to_parquet(result.out / f"{name}.parquet", index=False)
            tables[name].to_csv(result.out / f"{name}.csv", index=False)
