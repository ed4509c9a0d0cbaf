"""Training defaults per model kind (learning rate, patience, epoch cap), chosen from a measured grid.

For each model kind (``ModelSpec(kind)``, 4 channels), bundled data set with a target, seed and grid point, the
protocol of ``hnnviz.model.train_run(dataset, spec, config=TrainConfig(defaults="mlp", ...))``, one thread.

Patience and the epoch cap do not change the path of a fit (no schedule: AdamW at a fixed rate, batches drawn
from the seed), only where it stops. So each (kind, set, seed, lr, batch size, weight decay) is fitted ONCE,
with the largest patience and cap of the grid, keeping the weights of every epoch that improved the validation
loss; a smaller patience or cap stops that path where ``train_model`` would have stopped it and restores the
best weights up to there. ``--verify`` (run by default on diabetes) checks this against real ``train_run``
calls, metric for metric. A fit's seconds for a smaller patience or cap are its own epochs' seconds plus the
fit's set-up (scaling, metrics).

Choice, per model kind, by the VALIDATION metric (R², accuracy), never the test metric: for every set, the
gap of each grid point's mean over seeds to the best grid point on that set; the points are ranked by the
mean gap over sets, and the default is the cheapest point (fewest mean epochs) within ``--tolerance`` of the
smallest mean gap. Patience and cap are picked by cost within that tolerance because the validation rows are
the early-stopping rows: a longer patience never lowers their R².

Writes ``benchmarks/results_defaults.md`` and ``benchmarks/results_defaults.json``. From the repository root::

    .venv/bin/python benchmarks/bench_defaults.py                 # the full grid (~15-25 min on 2 cores)
    .venv/bin/python benchmarks/bench_defaults.py --quick         # 2 seeds, 2 rates, 2 sets: a smoke run
    .venv/bin/python benchmarks/bench_defaults.py --extra lr=0.003,batch_size=64 --extra weight_decay=0.001
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import itertools
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import sklearn
import torch

from hnnviz.data import SAMPLES, Dataset, load_sample
from hnnviz.exceptions import TrainingDivergedError
from hnnviz.model import EpochRecord, build_model, limit_threads, metrics, predict, split_rows, train_model, train_run
from hnnviz.network import filter_network
from hnnviz.specs import PRIMARY_METRICS, ModelSpec, TrainConfig
from hnnviz.workflows import compare_models

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_defaults.md"
KINDS = ("hnn", "mlp")
TARGET_SET, TARGET_R2, TARGET_LEAD = "planted_interactions", 0.95, 0.05
SETS = tuple(name for name, info in SAMPLES.items() if info.target)


@dataclass(frozen=True)
class Point:
    """One grid point: the training options that vary (the rest are ``TrainConfig``'s own defaults)."""

    lr: float
    patience: int
    epochs: int
    batch_size: int = 128
    weight_decay: float = 1e-4

    def config(self, seed: int) -> TrainConfig:
        return TrainConfig(defaults="mlp", seed=seed, **asdict(self))

    @property
    def path_key(self) -> tuple[float, int, float]:
        """What changes the path of a fit (patience and cap only decide where it stops)."""
        return self.lr, self.batch_size, self.weight_decay

    def label(self) -> str:
        return f"{self.lr:g} | {self.patience} | {self.epochs} | {self.batch_size} | {self.weight_decay:g}"


@dataclass(frozen=True)
class Outcome:
    """One fit of one grid point: its validation and test metric, epochs run, whether it hit the cap, seconds."""

    val: float
    test: float
    epochs: int
    capped: bool
    seconds: float


@dataclass(frozen=True)
class FitPath:
    """A fit at the largest patience and cap of the grid.

    Per epoch: whether it improved the validation loss, and its seconds; ``setup_seconds``: the rest of the fit
    (scaling, final metrics); ``scores``: validation and test metric of the weights of every improving epoch;
    ``diverged``: the epoch whose loss was not finite (0 if none; the path is then empty).
    """

    improved: tuple[bool, ...]
    seconds: tuple[float, ...]
    setup_seconds: float
    scores: dict[int, tuple[float, float]]
    diverged: int

    def outcome(self, patience: int, epochs: int) -> Outcome | None:
        """Where ``train_model`` with this patience and cap stops on this path (None if the path diverged)."""
        if self.diverged:
            return None
        best = 0
        for epoch, improved in enumerate(self.improved[:epochs], start=1):
            best = epoch if improved else best
            if epoch - best >= patience or epoch == epochs:
                return Outcome(*self.scores[best], epoch, epoch - best < patience, self._seconds(epoch))
        raise AssertionError(f"a path of {len(self.improved)} epochs cannot give patience {patience}, cap {epochs}")

    def _seconds(self, epoch: int) -> float:
        return self.setup_seconds + sum(self.seconds[:epoch])


def fit_path(dataset: Dataset, spec: ModelSpec, config: TrainConfig) -> FitPath:
    """``train_run(dataset, spec, config=config)`` step by step, scoring the weights of every improving epoch."""
    split = split_rows(
        dataset.n_rows, dataset.y, dataset.task, val_size=config.val_size, test_size=config.test_size,
        seed=config.seed,
    )  # fmt: skip
    network = filter_network(dataset.X[split.train], dataset.feature_names)
    n_outputs = 1 if dataset.task == "regression" else len(dataset.classes)
    model = build_model(spec, network.complex, n_outputs, config.seed)
    records: list[EpochRecord] = []
    states: dict[int, dict] = {}

    def keep(record: EpochRecord) -> None:
        records.append(record)
        if record.best:
            states[record.epoch] = copy.deepcopy(model.state_dict())

    try:
        result = train_model(model, dataset.X, dataset.y, dataset.task, config=config, callback=keep, split=split)
    except TrainingDivergedError as err:
        return FitPath((), (), 0.0, {}, err.epoch)
    # the callback's copies ran inside the fit: a few microseconds each, counted in setup_seconds
    inputs = torch.as_tensor(result.x_scaler.transform(dataset.X), dtype=torch.float32)
    metric = PRIMARY_METRICS[dataset.task]

    def score(state: dict, rows: np.ndarray) -> float:
        model.load_state_dict(state)
        prediction = predict(model, inputs[rows], dataset.task, result.y_scaler)
        return metrics(dataset.y[rows], prediction, dataset.task)[metric]

    scores = {epoch: (score(state, split.val), score(state, split.test)) for epoch, state in states.items()}
    seconds = tuple(record.seconds for record in records)
    return FitPath(tuple(r.best for r in records), seconds, result.seconds - sum(seconds), scores, 0)


# --------------------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------------------


def grid_points(args: argparse.Namespace, kind: str) -> list[Point]:
    """Every (lr x patience x cap) at the default batch size and weight decay, plus the ``--extra`` paths of
    ``kind``, each with every patience and cap."""
    extras = [fields for kinds, fields in map(parse_extra, args.extra) if kind in kinds]
    paths = [{"lr": lr} for lr in args.lr] + extras
    return [Point(**path, patience=p, epochs=e) for path in paths for p in args.patience for e in args.epochs]


def parse_extra(text: str) -> tuple[tuple[str, ...], dict[str, float]]:
    """``"hnn:lr=0.03,batch_size=64"`` as (kinds, Point fields): lr required; no ``KIND:`` means every kind."""
    kind, _, text = text.rpartition(":")
    types = {"lr": float, "batch_size": int, "weight_decay": float}
    pairs = dict(item.split("=", 1) for item in text.split(","))
    if "lr" not in pairs or not set(pairs) <= set(types) or (kind and kind not in KINDS):
        raise SystemExit(f"--extra needs [KIND:]lr=...[,batch_size=...][,weight_decay=...]; got {text!r}")
    return (kind,) if kind else KINDS, {key: types[key](value) for key, value in pairs.items()}


def fit_paths(
    grid: dict[str, list[Point]], sets: Sequence[str], seeds: Sequence[int], cache: Path | None
) -> dict[tuple, FitPath]:
    """One path per (kind, set, seed, lr, batch size, weight decay), at the grid's largest patience and cap."""
    points = [point for kind_points in grid.values() for point in kind_points]
    longest = {"patience": max(p.patience for p in points), "epochs": max(p.epochs for p in points)}
    todo = [
        (kind, name, seed, key)
        for kind, kind_points in grid.items()
        for name, seed, key in itertools.product(sets, seeds, sorted({p.path_key for p in kind_points}))
    ]
    stored = _read_cache(cache)
    paths = {}
    start = time.perf_counter()
    for done, (kind, name, seed, (lr, batch, decay)) in enumerate(todo, start=1):
        key = (kind, name, seed, lr, batch, decay)
        cache_key = repr((*key, longest["patience"], longest["epochs"]))
        if cache_key not in stored:
            config = TrainConfig(defaults="mlp", lr=lr, batch_size=batch, weight_decay=decay, seed=seed, **longest)
            stored[cache_key] = fit_path(load_sample(name), ModelSpec(kind), config)
            _write_cache(cache, stored)
        paths[key] = path = stored[cache_key]
        elapsed = time.perf_counter() - start
        print(
            f"[{done}/{len(todo)}] {kind} {name} seed {seed} lr {lr:g} batch {batch} wd {decay:g}: "
            f"{len(path.improved)} epochs{' DIVERGED' if path.diverged else ''} | {elapsed:.0f} s, "
            f"~{elapsed / done * (len(todo) - done):.0f} s left",
            flush=True,
        )
    return paths


def _read_cache(cache: Path | None) -> dict[str, FitPath]:
    if cache is None or not cache.exists():
        return {}
    raw = json.loads(cache.read_text())
    return {
        key: FitPath(
            tuple(value["improved"]),
            tuple(value["seconds"]),
            value["setup_seconds"],
            {int(epoch): tuple(score) for epoch, score in value["scores"].items()},
            value["diverged"],
        )
        for key, value in raw.items()
    }


def _write_cache(cache: Path | None, stored: dict[str, FitPath]) -> None:
    if cache is not None:
        cache.write_text(json.dumps({key: asdict(path) for key, path in stored.items()}))


def verify(points: Sequence[Point], names: Sequence[str] = ("diabetes", "wine"), seed: int = 0) -> int:
    """Check the read-off outcomes against real ``train_run`` calls (first path, every stop rule, both kinds)."""
    first = min(p.path_key for p in points)
    stops = [p for p in points if p.path_key == first]
    longest = replace(stops[0], patience=max(p.patience for p in stops), epochs=max(p.epochs for p in stops))
    checked = 0
    for name, kind in itertools.product(names, KINDS):
        dataset = load_sample(name)
        metric = PRIMARY_METRICS[dataset.task]
        path = fit_path(dataset, ModelSpec(kind), longest.config(seed))
        for point in stops:
            result = train_run(dataset, ModelSpec(kind), config=point.config(seed)).result
            got = path.outcome(point.patience, point.epochs)
            want = (result.metrics["val"][metric], result.metrics["test"][metric], result.epochs_run)
            if (got.val, got.test, got.epochs) != want:
                raise AssertionError(f"{name} {kind} {point}: read off {got}, train_run gives {want}")
            checked += 1
    print(f"verified: {checked} read-off outcomes equal train_run on {', '.join(names)}, seed {seed}", flush=True)
    return checked


# --------------------------------------------------------------------------------------------------------
# Summaries and the choice
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One grid point of one model kind on one set, over the seeds (``None`` outcomes: diverged fits)."""

    val: float
    test: float
    test_std: float
    epochs: float
    capped: int
    seconds: float
    diverged: int


def summarise(
    paths: dict[tuple, FitPath], kind: str, sets: Sequence[str], seeds: Sequence[int], points: Iterable[Point]
) -> dict[Point, dict[str, Row]]:
    rows: dict[Point, dict[str, Row]] = {}
    for point, name in itertools.product(points, sets):
        outcomes = [paths[(kind, name, seed, *point.path_key)].outcome(point.patience, point.epochs) for seed in seeds]
        done = [o for o in outcomes if o is not None]
        if not done:
            rows.setdefault(point, {})[name] = Row(np.nan, np.nan, np.nan, np.nan, 0, np.nan, len(outcomes))
            continue
        tests = np.array([o.test for o in done])
        rows.setdefault(point, {})[name] = Row(
            val=float(np.mean([o.val for o in done])) if len(done) == len(outcomes) else np.nan,
            test=float(tests.mean()),
            test_std=float(tests.std(ddof=1)) if len(tests) > 1 else 0.0,
            epochs=float(np.mean([o.epochs for o in done])),
            capped=sum(o.capped for o in done),
            seconds=float(np.mean([o.seconds for o in done])),
            diverged=len(outcomes) - len(done),
        )
    return rows


def mean_gaps(rows: dict[Point, dict[str, Row]], sets: Sequence[str]) -> dict[Point, float]:
    """Per point, the mean over sets of (best mean validation metric on the set - the point's); inf if any fit
    diverged."""
    best = {name: max(r[name].val for r in rows.values() if np.isfinite(r[name].val)) for name in sets}
    gaps = {point: float(np.mean([best[name] - r[name].val for name in sets])) for point, r in rows.items()}
    return {point: gap if np.isfinite(gap) else np.inf for point, gap in gaps.items()}


def mean_ranks(rows: dict[Point, dict[str, Row]], sets: Sequence[str]) -> dict[Point, float]:
    """Per point, its mean over sets of the rank (1 = best, ties averaged) of its mean validation metric."""
    from scipy.stats import rankdata

    points = list(rows)
    ranks = [rankdata([-np.nan_to_num(rows[p][name].val, nan=-np.inf) for p in points]) for name in sets]
    return {point: float(np.mean([r[i] for r in ranks])) for i, point in enumerate(points)}


def choose(rows: dict[Point, dict[str, Row]], gaps: dict[Point, float], tolerance: float) -> Point:
    """The point with the fewest mean epochs among those within ``tolerance`` of the smallest mean gap."""
    smallest = min(gaps.values())
    near = [p for p in rows if gaps[p] <= smallest + tolerance]
    return min(near, key=lambda p: (np.mean([r.epochs for r in rows[p].values()]), gaps[p]))


# --------------------------------------------------------------------------------------------------------
# The baseline of the target on the planted set
# --------------------------------------------------------------------------------------------------------


def gbm_baseline(seeds: Sequence[int]) -> dict[str, float]:
    """Test R² of gradient boosting on the planted set (``compare_models``, same splits as the grid)."""
    gbm = compare_models(load_sample(TARGET_SET), seeds=tuple(seeds), models=("gbm",)).summary()[0]
    print(f"gbm on {TARGET_SET}: R² {gbm['mean']:.3f} ± {gbm['std']:.3f}", flush=True)
    return {"mean": gbm["mean"], "std": gbm["std"]}


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindResult:
    """The grid of one model kind: rows per point and set, mean gaps and ranks, and the chosen point."""

    kind: str
    rows: dict[Point, dict[str, Row]]
    gaps: dict[Point, float]
    ranks: dict[Point, float]
    chosen: Point


def kind_table(result: KindResult, sets: Sequence[str]) -> list[str]:
    """The grid of one kind, best mean validation gap first; cells: mean validation / mean test ± sd."""
    columns = ["lr", "patience", "cap", "batch", "wd", "val gap", "val rank", *sets, "epochs", "at cap", "fit s"]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * (10 + len(sets)),
    ]
    for point in sorted(result.rows, key=lambda p: (result.gaps[p], p.epochs, p.patience)):
        rows = [result.rows[point][name] for name in sets]
        cells = " | ".join(
            f"{r.val:.3f} / {r.test:.3f} ± {r.test_std:.3f}" + (f" ({r.diverged} diverged)" if r.diverged else "")
            for r in rows
        )
        label = "**" + point.label().replace(" | ", "** | **") + "**" if point == result.chosen else point.label()
        lines.append(
            f"| {label} | {result.gaps[point]:.4f} | {result.ranks[point]:.1f} | {cells} | "
            f"{np.nanmean([r.epochs for r in rows]):.0f} | {sum(r.capped for r in rows)} | "
            f"{np.nanmean([r.seconds for r in rows]):.2f} |"
        )
    return lines


def target_lines(results: Sequence[KindResult], gbm: dict[str, float]) -> list[str]:
    """The issue's target on the planted set: the chosen points (test R², read off the grid) against gbm."""
    chosen = {r.kind: r.rows[r.chosen][TARGET_SET] for r in results}
    lines = [f"- chosen {kind}: test R² {row.test:.3f} ± {row.test_std:.3f}" for kind, row in chosen.items()]
    lines.append(
        f"- gradient boosting (`compare_models(data, models=('gbm',))`): test R² {gbm['mean']:.3f} ± {gbm['std']:.3f}"
    )
    if "hnn" in chosen:
        hnn = next(r for r in results if r.kind == "hnn")
        lead = chosen["hnn"].test - gbm["mean"]
        meets = chosen["hnn"].test >= TARGET_R2 and lead >= TARGET_LEAD
        best = max(hnn.rows, key=lambda p: hnn.rows[p][TARGET_SET].val)
        on_set = hnn.rows[best][TARGET_SET]
        lines += [
            f"- target (HNN mean ≥ {TARGET_R2}, ≥ {TARGET_LEAD} ahead of gbm): **{'met' if meets else 'MISSED'}** "
            f"(lead {lead:+.3f})",
            f"- the HNN point best on this set's validation rows alone (lr | patience | cap | batch | wd): "
            f"{best.label()}: validation {on_set.val:.3f}, test {on_set.test:.3f} ± {on_set.test_std:.3f}",
        ]
    return lines


def report(
    args: argparse.Namespace, results: list[KindResult], gbm: dict[str, float], checked: int, seconds: float
) -> tuple[str, dict]:
    """The results file (markdown) and its machine-readable twin."""
    command = " ".join(["benchmarks/bench_defaults.py", *sys.argv[1:]])
    software = (f"torch {torch.__version__}", f"numpy {np.__version__}", f"scikit-learn {sklearn.__version__}")
    provenance = {
        "date": f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "commit": git_commit(),
        "machine": machine(*software),
    }
    lines = [
        f"<!-- output of .venv/bin/python {command} -->",
        "# Training defaults per model kind",
        "",
        *(f"- {key}: {value}" for key, value in provenance.items()),
        f"- whole run {seconds / 60:.1f} min, one thread (`hnnviz.model.limit_threads(1)`)",
        "- protocol: `train_run(load_sample(set), ModelSpec(kind), "
        f"config=TrainConfig(defaults=kind, lr, patience, epochs, "
        f"batch_size, weight_decay, seed=s))` (channels 4, default IFN, 60/20/20 split), seeds {list(args.seeds)}",
        f"- grid: lr {args.lr}, patience {args.patience}, epoch cap {args.epochs} at batch 128 and weight decay "
        f"1e-4 (`TrainConfig` defaults){'; extra paths ' + ', '.join(args.extra) if args.extra else ''}",
        "- each (kind, set, seed, lr, batch, wd) is fitted once at the largest patience and cap; smaller ones are "
        "read off its path (where `train_model` stops, the best weights up to there, their metrics). Checked: "
        f"{checked} read-off outcomes equal real `train_run` calls (both kinds on diabetes and wine, seed 0, first "
        "lr). `fit s`: the read-off epochs' own seconds plus the fit's set-up",
        "- choice per kind, on VALIDATION metrics only (R² for regression sets, accuracy for classification "
        "sets): per set, the gap of a point's mean over seeds to the best point on that set; "
        f"points ranked by the mean gap over sets; the default is the point with the fewest mean epochs within "
        f"{args.tolerance} of the smallest mean gap (the validation rows are the early-stopping rows, so a longer "
        "patience never lowers their loss: without this, patience and cap would always be the largest). `val "
        "rank` (mean rank over sets) is shown as a check",
        "- cells: mean validation metric / mean test metric ± sd over seeds; `epochs`: mean epochs run; `at cap`: "
        "fits (of sets x seeds) stopped by the cap rather than by patience",
        "",
        "## Chosen defaults (`hnnviz.specs.DEFAULT_TRAINING`)",
        "",
        "| kind | lr | patience | epochs (cap) | batch | weight decay | val gap | mean epochs | at cap |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        rows, point = result.rows[result.chosen].values(), result.chosen
        lines.append(
            f"| {result.kind} | {point.lr:g} | {point.patience} | {point.epochs} | {point.batch_size} | "
            f"{point.weight_decay:g} | {result.gaps[point]:.4f} | {np.nanmean([r.epochs for r in rows]):.0f} | "
            f"{sum(r.capped for r in rows)} |"
        )
    lines += [
        "",
        "`hnnviz.specs.DEFAULT_TRAINING` holds these choices (`tests/model/test_run.py` checks the values).",
        "",
        f"## The target on {TARGET_SET} (seeds {list(args.seeds)})",
        "",
    ]
    lines += target_lines(results, gbm) if gbm else ["- not measured (the planted set is not in this run)"]
    for result in results:
        lines += ["", f"## Grid: {result.kind}", "", *kind_table(result, args.datasets)]
    data = {
        **provenance,
        "command": command,
        "seeds": list(args.seeds),
        "tolerance": args.tolerance,
        "chosen": {r.kind: asdict(r.chosen) for r in results},
        "gbm_on_planted": gbm,
        "grid": [
            {
                "kind": r.kind,
                **asdict(point),
                "val_gap": r.gaps[point],
                "val_rank": r.ranks[point],
                "sets": {name: asdict(row) for name, row in r.rows[point].items()},
            }
            for r in results
            for point in r.rows
        ],
    }
    return "\n".join(lines) + "\n", data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--lr", nargs="+", type=float, default=[1e-3, 3e-3, 1e-2, 3e-2])
    parser.add_argument("--patience", nargs="+", type=int, default=[25, 50, 100])
    parser.add_argument("--epochs", nargs="+", type=int, default=[300, 600, 1000])
    parser.add_argument("--extra", action="append", default=[], help="another path, e.g. lr=0.003,batch_size=64")
    parser.add_argument("--tolerance", type=float, default=0.003, help="of the mean validation gap (see above)")
    parser.add_argument("--cache", type=Path, help="JSON file of fitted paths, read and extended (resumes a run)")
    parser.add_argument("--quick", action="store_true", help="2 seeds, 2 rates, diabetes and wine; writes nothing")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.lr, args.patience, args.epochs = [0, 1], [3e-3, 1e-2], [25, 50], [300]
        args.datasets = ["diabetes", "wine"]
    limit_threads(1)
    start = time.perf_counter()
    grid = {kind: grid_points(args, kind) for kind in args.kinds}
    checked = verify(grid[args.kinds[0]])
    paths = fit_paths(grid, args.datasets, args.seeds, args.cache)
    results = []
    for kind in args.kinds:
        rows = summarise(paths, kind, args.datasets, args.seeds, grid[kind])
        gaps = mean_gaps(rows, args.datasets)
        chosen = choose(rows, gaps, args.tolerance)
        results.append(KindResult(kind, rows, gaps, mean_ranks(rows, args.datasets), chosen))
    gbm = gbm_baseline(args.seeds) if TARGET_SET in args.datasets else {}
    text, data = report(args, results, gbm, checked, time.perf_counter() - start)
    print("\n" + text)
    if not args.quick:
        RESULTS.write_text(text)
        RESULTS.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    main()
