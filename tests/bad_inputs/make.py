"""Write the bad input files that are too large, binary or implementation-dependent to check in.

Each ``make_*`` function writes one file into a folder and returns its path; the output is deterministic (fixed
seeds, no timestamps in the cells). :data:`MAKERS` maps each file name to its function; :func:`make` writes one
by name. The small files sit next to this module, checked in.

Run ``python tests/bad_inputs/make.py DIR`` to write them all into DIR (e.g. to try them in the app by hand).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["MAKERS", "OVER_LIMIT_BYTES", "make"]

#: The smaller size limit the case over the size limit is read with (the default, 200 MiB, is too big to write
#: in every test run); its file is a little larger than this.
OVER_LIMIT_BYTES = 2**20


def _features(rows: int, columns: int, seed: int) -> pd.DataFrame:
    """Correlated numeric columns ``a, b, c ...`` (or ``f0000 ...`` beyond 26), rounded to 3 decimals."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=(rows, 1))
    values = (rng.normal(size=(rows, columns)) + 0.5 * shared).round(3)
    names = [chr(ord("a") + j) for j in range(columns)] if columns <= 26 else [f"f{j:04d}" for j in range(columns)]
    return pd.DataFrame(values, columns=names)


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def make_constant_on_train(folder: Path) -> Path:
    """A column that is 0 on every training row of the default split and 1 on some validation/test rows.

    The loader keeps it (it is not constant in the file); training on the default split (seed 0) meets a
    column constant on its training rows.
    """
    from hnnviz.model import split_rows
    from hnnviz.specs import TrainConfig

    rows = 60
    df = _features(rows, 5, seed=1)
    df["y"] = (df["a"] + df["b"] * df["c"]).round(3)
    config = TrainConfig(defaults="mlp")
    split = split_rows(rows, None, "regression", val_size=config.val_size, test_size=config.test_size, seed=0)
    df["rare"] = 0.0
    df.loc[np.concatenate([split.val[:2], split.test[:2]]), "rare"] = 1.0
    return _write_csv(df, folder / "constant_on_train.csv")


def make_hundreds_of_classes(folder: Path) -> Path:
    """300 text classes of 3 rows each: a valid, if hard, classification target."""
    df = _features(900, 5, seed=2)
    df["species"] = [f"sp{k:03d}" for k in np.random.default_rng(2).permutation(np.repeat(np.arange(300), 3))]
    return _write_csv(df, folder / "hundreds_of_classes.csv")


def make_id_target(folder: Path) -> Path:
    """600 rows whose target is a unique identifier: 600 classes of one row each."""
    df = _features(600, 5, seed=3)
    df["id"] = [f"row-{k:04d}" for k in range(600)]
    return _write_csv(df, folder / "id_target.csv")


def _workbook() -> bytes:
    """Sheets ``data`` (the table), ``notes`` (12 rows of text) and ``empty`` (no cells)."""
    data = _features(40, 5, seed=4)
    data["y"] = (data["a"] - data["b"]).round(3)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, sheet_name="data", index=False)
        notes = [f"note {k}: made by tests/bad_inputs/make.py" for k in range(12)]
        pd.DataFrame({"note": notes, "units": "none"}).to_excel(writer, sheet_name="notes", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="empty", index=False)
    return buffer.getvalue()


def make_sheets(folder: Path) -> Path:
    """An xlsx workbook of three sheets; the table is on the first."""
    path = folder / "sheets.xlsx"
    path.write_bytes(_workbook())
    return path


def make_xlsx_named_csv(folder: Path) -> Path:
    """An xlsx workbook saved under a ``.csv`` name."""
    path = folder / "xlsx_named_csv.csv"
    path.write_bytes(_workbook())
    return path


def make_over_limit(folder: Path) -> Path:
    """A valid CSV a little larger than :data:`OVER_LIMIT_BYTES`."""
    df = _features(30_000, 6, seed=5)
    path = _write_csv(df, folder / "over_limit.csv")
    if path.stat().st_size <= OVER_LIMIT_BYTES:  # pragma: no cover - a guard for whoever edits the sizes
        raise RuntimeError("over_limit.csv must be larger than OVER_LIMIT_BYTES: write more rows")
    return path


def make_wide(folder: Path) -> Path:
    """2,000 columns x 100 rows: 1,990 usable features, 4 constant, 3 duplicates and 3 text columns, a target."""
    df = _features(100, 1990, seed=6)
    extra = {f"const{k}": np.full(100, float(k)) for k in range(4)}
    extra |= {f"copy{k}": df[f"f{k:04d}"].to_numpy() for k in range(3)}
    extra |= {f"text{k}": [f"t{k}-{i % 5}" for i in range(100)] for k in range(3)}
    df = pd.concat([df, pd.DataFrame(extra)], axis=1)
    df["y"] = (df["f0000"] * df["f0001"] + df["f0002"]).round(3)
    return _write_csv(df, folder / "wide_2000.csv")


def make_tall(folder: Path) -> Path:
    """200,000 rows x 7 columns: column ``c`` has ``?`` in every 1,000th row (200 cells), target ``y``."""
    rows = 200_000
    df = _features(rows, 6, seed=7)
    df["y"] = (df["a"] + df["b"] * df["c"]).round(3)
    c = df["c"].map("{:.3f}".format).to_numpy(dtype=object)
    c[::1000] = "?"
    df["c"] = c
    return _write_csv(df, folder / "rows_200000.csv")


#: Every generated file, by name.
MAKERS: dict[str, Callable[[Path], Path]] = {
    "constant_on_train.csv": make_constant_on_train,
    "hundreds_of_classes.csv": make_hundreds_of_classes,
    "id_target.csv": make_id_target,
    "sheets.xlsx": make_sheets,
    "xlsx_named_csv.csv": make_xlsx_named_csv,
    "over_limit.csv": make_over_limit,
    "wide_2000.csv": make_wide,
    "rows_200000.csv": make_tall,
}


def make(name: str, folder: Path) -> Path:
    """Write the generated file ``name`` into ``folder`` (once: an existing file is reused) and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    return path if path.is_file() else MAKERS[name](folder)


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for file in MAKERS:
        print(make(file, out))
