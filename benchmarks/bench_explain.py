"""Cost of explaining 1,000 rows of a 50-feature HNN by each attribution method.

Target: the fastest method (gradient x activation) under 2 seconds. The slow methods report progress
through ``explain(..., progress=...)`` (the CLI turns it into a status line with the time left).

    python benchmarks/bench_explain.py
"""

from __future__ import annotations

import numpy as np

from hnnviz.data import Dataset
from hnnviz.explanation import explain
from hnnviz.model import train_run
from hnnviz.specs import EXPLAIN_METHODS, ModelSpec, TrainConfig


def factor_dataset(n_rows: int, p: int, seed: int = 0) -> Dataset:
    """Blocks of 5 correlated features and a target made of pairwise products inside blocks."""
    rng = np.random.default_rng(seed)
    factors = np.repeat(rng.normal(size=(n_rows, p // 5)), 5, axis=1)
    X = 0.8 * factors + 0.6 * rng.normal(size=(n_rows, p))
    y = (X[:, 0::5] * X[:, 1::5]).sum(axis=1) + 0.1 * rng.normal(size=n_rows)
    return Dataset(X=X, feature_names=tuple(f"x{i:02d}" for i in range(p)), y=y, target="y", task="regression")


def main() -> None:
    data = factor_dataset(2000, 50)
    run = train_run(data, ModelSpec("hnn", channels=4), config=TrainConfig(defaults="mlp", epochs=20, seed=0))
    rows = data.X[:1000]
    print(f"HNN on 50 features, f-vector {run.network.complex.f_vector}, {run.model.n_params} parameters")
    print("| method | rows | seconds |\n|---|---|---|")
    for method in EXPLAIN_METHODS:
        attribution = explain(run, rows, method=method, background=data.X[run.result.split.train])
        print(f"| {method} | {attribution.n_rows} | {attribution.seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
