"""The data options every data command shares: --missing, --sparse-threshold and --keep."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hnnviz.cli import main
from hnnviz.data import MISSING_RULES

N = 60


@pytest.fixture
def salaries(tmp_path: Path) -> Path:
    """Row numbers, five measurements (one a third missing), a two-valued column, a target and its log."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(N, 5)), columns=list("abcde"))
    df.insert(0, "rownames", range(1, N + 1))
    df["sex"] = ["f", "m"] * (N // 2)
    df["salary"] = np.exp(rng.normal(10, 0.5, size=N))
    df["lsalary"] = np.log(df["salary"])
    df.loc[: N // 3 - 1, "e"] = np.nan
    path = tmp_path / "salaries.csv"
    df.to_csv(path, index=False)
    return path


def filter_json(capsys: pytest.CaptureFixture[str], path: Path, *options: str) -> dict:
    code = main(["filter", str(path), "--target", "salary", "--json", *options])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    return json.loads(out)


def test_defaults_leave_out_identifiers_leaks_and_sparse_columns(capsys, salaries):
    result = filter_json(capsys, salaries)
    assert result["nodes"] == ["a", "b", "c", "d", "sex"]
    assert [(f["column"], f["check"], f["kept"]) for f in result["flags"]] == [
        ("rownames", "identifier", False), ("e", "sparse", False), ("lsalary", "leak", False),
    ]  # fmt: skip
    assert "column 'sex': read 'f' as 0 and 'm' as 1 (two values)" in result["notes"]


def test_options_keep_columns_and_fill_cells(capsys, salaries):
    result = filter_json(capsys, salaries, "--missing", "impute_median", "--keep", "rownames", "--keep", "lsalary")
    assert result["nodes"] == ["rownames", "a", "b", "c", "d", "e", "sex", "lsalary"]
    assert all(f["kept"] for f in result["flags"])
    assert any(note.startswith("column 'e': filled 20 missing cells with the median") for note in result["notes"])
    assert filter_json(capsys, salaries, "--sparse-threshold", "0.4")["nodes"] == ["a", "b", "c", "d", "e", "sex"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--missing", "nope"], "The 'missing' parameter of prepare_dataset must be one of 'drop_rows'"),
        (["--keep", "rowname"], "names 1 column(s) the table lacks: 'rowname'. Did you mean 'rownames'?"),
    ],
)
def test_bad_options_are_one_line(capsys, salaries, options, message):
    code = main(["filter", str(salaries), "--target", "salary", *options])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and message in err and err.count("\n") == 1


def test_help_names_every_missing_rule(capsys):
    with pytest.raises(SystemExit):
        main(["filter", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(rule in text for rule in MISSING_RULES)
