"""Regenerate every file in ``sample_data/`` deterministically, offline.

Run from anywhere::

    python sample_data/make_samples.py

The real data sets come from packages that ship their data (scikit-learn, skfolio); nothing is downloaded.
The synthetic set is drawn with ``numpy.random.default_rng(0)``. Each CSV is read back and compared with the
values it was written from before the script reports success. Sources and licences: ``README.md`` here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "main",
    "make_breast_cancer",
    "make_diabetes",
    "make_planted_additive",
    "make_planted_interactions",
    "make_planted_shapes",
    "make_sp500_returns",
    "make_wine",
]

HERE = Path(__file__).resolve().parent

#: Correlated feature groups of the synthetic set: one latent factor per group.
PLANTED_GROUPS: tuple[tuple[str, ...], ...] = tuple(
    tuple(f"x{i:02d}" for i in range(start, stop))
    for start, stop in ((1, 3), (3, 6), (6, 10), (10, 14), (14, 18), (18, 22), (22, 25))
)
LOADING = 0.8  # x = LOADING * factor + sqrt(1 - LOADING**2) * noise, so within-group correlation is 0.64
NOISE_SD = 0.25
FORMULA = "y = x01*x02 + sin(x03 + x04 + x05) + 2*tanh(x06*x07*x08*x09) + 0.25*eps, eps ~ N(0, 1)"


def make_diabetes() -> pd.DataFrame:
    """Diabetes (Efron et al. 2004), raw units, 442 x 10 features plus ``target`` (regression)."""
    from sklearn.datasets import load_diabetes

    return load_diabetes(scaled=False, as_frame=True).frame


def make_breast_cancer() -> pd.DataFrame:
    """Breast cancer Wisconsin (Diagnostic), 569 x 30 features plus ``diagnosis`` ('malignant'/'benign')."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    df = bunch.data.copy()
    df["diagnosis"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return df


def make_wine() -> pd.DataFrame:
    """Wine, 178 x 13 features plus ``cultivar`` (0, 1, 2)."""
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    df = bunch.data.copy()
    df["cultivar"] = bunch.target.to_numpy()
    return df


def make_sp500_returns() -> pd.DataFrame:
    """Daily simple returns of skfolio's 20 S&P 500 stocks, with a leading ``Date`` column."""
    from skfolio.datasets import load_sp500_dataset

    prices = load_sp500_dataset()
    returns = prices.pct_change().iloc[1:]
    if not np.isfinite(returns.to_numpy()).all():
        raise RuntimeError("skfolio prices gave non-finite returns")
    out = returns.reset_index()
    out["Date"] = out["Date"].dt.strftime("%Y-%m-%d")
    return out


def make_planted_interactions(seed: int = 0, n_rows: int = 3000) -> tuple[pd.DataFrame, dict]:
    """Synthetic regression with planted interacting groups, and its ground truth.

    Parameters
    ----------
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    n_rows : int, default 3000
        Number of rows.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``x01..x24`` (rounded to 6 decimals) and ``y``, computed from the rounded features.
    truth : dict
        The planted groups, the formula and the generating parameters (written as JSON).
    """
    rng = np.random.default_rng(seed)
    columns = {}
    for group in PLANTED_GROUPS:
        factor = rng.standard_normal(n_rows)
        for name in group:
            noise = rng.standard_normal(n_rows)
            columns[name] = np.round(LOADING * factor + np.sqrt(1 - LOADING**2) * noise, 6)
    x = pd.DataFrame(columns)
    eps = rng.standard_normal(n_rows)
    signal = (
        x["x01"] * x["x02"]
        + np.sin(x["x03"] + x["x04"] + x["x05"])
        + 2 * np.tanh(x["x06"] * x["x07"] * x["x08"] * x["x09"])
    )
    x["y"] = np.round(signal + NOISE_SD * eps, 6)
    truth = {
        "file": "planted_interactions.csv",
        "target": "y",
        "task": "regression",
        "formula": FORMULA,
        "planted_groups": [["x01", "x02"], ["x03", "x04", "x05"], ["x06", "x07", "x08", "x09"]],
        "terms": [
            {"order": 2, "features": ["x01", "x02"], "function": "x01*x02"},
            {"order": 3, "features": ["x03", "x04", "x05"], "function": "sin(x03 + x04 + x05)"},
            {"order": 4, "features": ["x06", "x07", "x08", "x09"], "function": "2*tanh(x06*x07*x08*x09)"},
        ],
        "irrelevant_features": [f"x{i:02d}" for i in range(10, 25)],
        "correlated_groups": [list(g) for g in PLANTED_GROUPS],
        "feature_model": (
            "per group g: factor_g ~ N(0, 1); each x in g = 0.8*factor_g + 0.6*e_x, e_x ~ N(0, 1); "
            "groups independent; features rounded to 6 decimals before computing y"
        ),
        "within_group_correlation": LOADING**2,
        "noise_sd": NOISE_SD,
        "signal_variance": round(float(signal.var()), 4),
        "seed": seed,
        "n_rows": n_rows,
        "generator": "numpy.random.default_rng(seed); draw order: for each group, factor then each feature's "
        "noise; then eps",
    }
    return x, truth


def make_planted_shapes(seed: int = 0, n_rows: int = 1500) -> tuple[pd.DataFrame, dict]:
    """Synthetic regression with one planted pair per shape (product, max, threshold), for the simplex inspector.

    Drawn by :func:`hnnviz.data.make_planted` (correlated blocks, within-block correlation 0.64, no
    hierarchy): ``y = x01*x02 + max(x03, x04) + 2*[x05 + x06 > 0] - 1 + 0.25*sd(s)*e``, with ``x07..x10`` a
    correlated block of distractors.

    Parameters
    ----------
    seed : int, default 0
        Seed of ``make_planted``.
    n_rows : int, default 1500
        Number of rows.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``x01..x10`` and ``y``, rounded to 6 decimals after generation.
    truth : dict
        The planted groups, the formula and the generating parameters (written as JSON).
    """
    from hnnviz.data import make_planted

    planted = make_planted(
        n_rows=n_rows, n_features=10, interactions=(2, 2, 2), kinds=("product", "max", "threshold"),
        hierarchical=False, seed=seed,
    )  # fmt: skip
    data = planted.dataset
    df = pd.DataFrame(np.round(data.X, 6), columns=list(data.feature_names))
    df["y"] = np.round(data.y, 6)
    terms = [line.split(" = ", 1)[1] for line in planted.formula.split("; ")[: len(planted.groups)]]
    truth = {
        "file": "planted_shapes.csv",
        "target": "y",
        "task": "regression",
        "formula": planted.formula,
        "planted_groups": [list(g) for g in planted.groups],
        "terms": [
            {"order": len(group), "features": list(group), "function": term, "shape": kind}
            for group, term, kind in zip(planted.groups, terms, planted.kinds, strict=True)
        ],
        "irrelevant_features": list(planted.distractors),
        "correlated_groups": [list(b) for b in planted.blocks],
        "feature_model": (
            "per block b: factor_b ~ N(0, 1); each x in b = 0.8*factor_b + 0.6*e_x, e_x ~ N(0, 1); blocks "
            "independent; features and y rounded to 6 decimals after y is computed"
        ),
        "within_group_correlation": planted.within_group_correlation,
        "noise_sd": round(planted.noise * float(planted.signal.std()), 4),
        "signal_variance": round(float(planted.signal.var()), 4),
        "seed": seed,
        "n_rows": n_rows,
        "generator": "hnnviz.data.make_planted(n_rows=n_rows, n_features=10, interactions=(2, 2, 2), "
        "kinds=('product', 'max', 'threshold'), hierarchical=False, seed=seed)",
    }
    return df, truth


#: The additive set's curves, one per feature (``{x}`` stands for the feature's name), and their functions.
ADDITIVE_CURVES: tuple[tuple[str, object], ...] = (
    ("sin(2*{x})", lambda x: np.sin(2 * x)),
    ("{x}**2", lambda x: x**2),
    ("2*tanh(2*{x})", lambda x: 2 * np.tanh(2 * x)),
    ("|{x}|", np.abs),
    ("exp({x}/2)", lambda x: np.exp(x / 2)),
    ("cos(2*{x})", lambda x: np.cos(2 * x)),
    ("2*[{x} > 0.5]", lambda x: 2.0 * (x > 0.5)),
    ("-{x}**3/3", lambda x: -(x**3) / 3),
    ("max({x}, 0)", lambda x: np.maximum(x, 0)),
    ("sin(3*{x})/2", lambda x: np.sin(3 * x) / 2),
    ("log(1 + {x}**2)", lambda x: np.log1p(x**2)),
    ("-tanh({x})", lambda x: -np.tanh(x)),
)


def make_planted_additive(seed: int = 0, n_rows: int = 1500) -> tuple[pd.DataFrame, dict]:
    """Synthetic regression that is purely additive: one nonlinear curve per feature, correlated features.

    Three blocks of 4 features, correlated 0.64 within a block (as in ``planted_interactions``); ``y`` is the
    sum of one curve per feature (:data:`ADDITIVE_CURVES`) plus noise, with no interaction at all: a model's
    interactions on it should be (close to) none, whatever the correlations.

    Parameters
    ----------
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    n_rows : int, default 1500
        Number of rows.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``x01..x12`` (rounded to 6 decimals) and ``y``, computed from the rounded features.
    truth : dict
        The curves, the formula and the generating parameters (written as JSON).
    """
    rng = np.random.default_rng(seed)
    names = [f"x{i:02d}" for i in range(1, 13)]
    blocks = [names[i : i + 4] for i in range(0, 12, 4)]
    columns = {}
    for block in blocks:
        factor = rng.standard_normal(n_rows)
        for name in block:
            noise = rng.standard_normal(n_rows)
            columns[name] = np.round(LOADING * factor + np.sqrt(1 - LOADING**2) * noise, 6)
    x = pd.DataFrame(columns)
    terms = [text.format(x=name) for name, (text, _) in zip(names, ADDITIVE_CURVES, strict=True)]
    signal = sum(curve(x[name].to_numpy()) for name, (_, curve) in zip(names, ADDITIVE_CURVES, strict=True))
    spread = float(signal.std())
    x["y"] = np.round(signal + NOISE_SD * spread * rng.standard_normal(n_rows), 6)
    truth = {
        "file": "planted_additive.csv",
        "target": "y",
        "task": "regression",
        "formula": f"y = {' + '.join(terms)} + {NOISE_SD}*sd(s)*e, e ~ N(0, 1), sd(s) = {spread:.4g}",
        "planted_groups": [],
        "terms": [{"order": 1, "features": [name], "function": term} for name, term in zip(names, terms, strict=True)],
        "irrelevant_features": [],
        "correlated_groups": blocks,
        "feature_model": (
            "per block b: factor_b ~ N(0, 1); each x in b = 0.8*factor_b + 0.6*e_x, e_x ~ N(0, 1); blocks "
            "independent; features rounded to 6 decimals before computing y"
        ),
        "within_group_correlation": LOADING**2,
        "noise_sd": round(NOISE_SD * spread, 4),
        "signal_variance": round(float(signal.var()), 4),
        "seed": seed,
        "n_rows": n_rows,
        "generator": "numpy.random.default_rng(seed); draw order: for each block, factor then each feature's "
        "noise; then e",
    }
    return x, truth


def _write_csv(df: pd.DataFrame, path: Path, float_format: str) -> None:
    """Write ``df`` and check that reading it back gives the same values (to the written precision)."""
    df.to_csv(path, index=False, float_format=float_format, lineterminator="\n")
    back = pd.read_csv(path)
    if list(back.columns) != [str(c) for c in df.columns] or back.shape != df.shape:
        raise RuntimeError(f"{path.name}: read back {back.shape}, expected {df.shape}")
    numeric = df.select_dtypes("number").columns
    if not np.allclose(back[numeric].to_numpy(float), df[numeric].to_numpy(float), rtol=1e-7, atol=1e-12):
        raise RuntimeError(f"{path.name}: values changed when written")


def main(out_dir: Path = HERE) -> None:
    """Write every sample file into ``out_dir`` and print their shapes."""
    out_dir = Path(out_dir)
    tables = {
        "diabetes.csv": (make_diabetes(), "%.10g"),
        "breast_cancer.csv": (make_breast_cancer(), "%.10g"),
        "wine.csv": (make_wine(), "%.10g"),
        "sp500_returns.csv": (make_sp500_returns(), "%.8g"),
    }
    planted, truth = make_planted_interactions()
    tables["planted_interactions.csv"] = (planted, "%.6f")
    shapes, shapes_truth = make_planted_shapes()
    tables["planted_shapes.csv"] = (shapes, "%.6f")
    additive, additive_truth = make_planted_additive()
    tables["planted_additive.csv"] = (additive, "%.6f")
    for file, (df, float_format) in tables.items():
        _write_csv(df, out_dir / file, float_format)
        print(f"{file}: {df.shape[0]} rows x {df.shape[1]} columns")
    (out_dir / "planted_interactions.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    print("planted_interactions.json: ground truth")
    (out_dir / "planted_shapes.json").write_text(json.dumps(shapes_truth, indent=2) + "\n", encoding="utf-8")
    print("planted_shapes.json: ground truth")
    (out_dir / "planted_additive.json").write_text(json.dumps(additive_truth, indent=2) + "\n", encoding="utf-8")
    print("planted_additive.json: ground truth")


if __name__ == "__main__":
    main()
