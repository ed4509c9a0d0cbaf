"""The bad-input corpus (``tests/bad_inputs/cases.py``) through the API and the CLI.

For every case: a result with a report of what was dropped and why, or one short specific message (one line, at
most 300 characters, the documented exception class); never a traceback or a hang (each test is stopped after
:data:`TIME_LIMIT_S`); whatever was valid is kept (rows and columns are all accounted for).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from bad_inputs.cases import CASES, HERE, Case, Ok, Refused, Trains, case_file
from bad_inputs.make import MAKERS, make

from hnnviz import exceptions
from hnnviz._validation import short_repr
from hnnviz.cli import main
from hnnviz.data import Dataset, load_dataset, read_table
from hnnviz.data import _reading as reading

MAX_MESSAGE = 300
TIME_LIMIT_S = 60  # far above the slowest case (about 3 s): a test still running then hangs
BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where make.py writes the generated files, once per test session (per xdist worker)."""
    return tmp_path_factory.mktemp("bad_inputs")


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Fail a test that runs longer than ``TIME_LIMIT_S`` instead of waiting for it forever."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {TIME_LIMIT_S} s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(TIME_LIMIT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def load(case: Case, folder: Path) -> Dataset:
    path = case_file(case, folder)
    return load_dataset(path, target=case.target, sheet=case.sheet, max_bytes=case.max_bytes)


def check_short(text: str) -> None:
    assert "\n" not in text and len(text) <= MAX_MESSAGE, f"{len(text)} characters: {text[:400]}"


def cli_argv(command: str, case: Case, folder: Path) -> list[str]:
    argv = [command, str(case_file(case, folder))]
    argv += ["--target", case.target] if case.target is not None else []
    return argv + (["--sheet", case.sheet] if case.sheet is not None else [])


def check_refused_on_stderr(code: int, out: str, err: str, command: str, expect: Refused) -> None:
    """Exit status 1, nothing on stdout, exactly one short line on stderr with the expected words."""
    prefix = f"hnnviz {command}: error: "
    assert code == 1 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1 and err.startswith(prefix), err
    assert "Traceback" not in err and expect.message in err
    check_short(err.removeprefix(prefix).rstrip("\n"))


# ---- the table itself --------------------------------------------------------------------------------------------


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 30 and len(BY_NAME) == len(CASES)
    used = {case.file for case in CASES}
    checked_in = {p.name for p in HERE.iterdir() if p.is_file() and p.suffix != ".py"}
    assert checked_in | set(MAKERS) == used, "every file is used by a case, and every case has its file"
    assert not checked_in & set(MAKERS)
    assert max((HERE / name).stat().st_size for name in checked_in) < 16 * 2**10, "checked-in files stay small"
    assert any(isinstance(c.expect, Ok) for c in CASES) and any(isinstance(c.expect, Refused) for c in CASES)
    assert all(hasattr(exceptions, c.expect.error) for c in CASES if isinstance(c.expect, Refused))


@pytest.mark.parametrize("name", ["constant_on_train.csv", "id_target.csv", "sheets.xlsx"])
def test_generated_files_are_deterministic(name: str, tmp_path: Path) -> None:
    first, second = make(name, tmp_path / "one"), make(name, tmp_path / "two")
    pd.testing.assert_frame_equal(read_table(first), read_table(second))  # xlsx bytes hold a timestamp


# ---- (a) the API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_api(case: Case, folder: Path) -> None:
    expect = case.expect
    if isinstance(expect, Refused):
        with pytest.raises(exceptions.HNNVizError) as info:
            load(case, folder)
        assert type(info.value).__name__ == expect.error
        message = str(info.value)
        assert expect.message in message, message
        check_short(message)
        return
    ds = load(case, folder)
    assert (ds.n_features, ds.n_rows) == (expect.features, expect.rows)
    assert (len(ds.classes) if ds.classes is not None else None) == expect.classes
    for drop in expect.dropped:
        assert any(d.name == drop.name and drop.reason in d.reason for d in ds.dropped), (drop, ds.dropped)
    for note in expect.notes:
        assert any(note in str(n) for n in ds.notes), (note, ds.notes)
    for text in [*map(str, ds.dropped), *map(str, ds.notes)]:
        check_short(text)
    # whatever was valid is kept: every row and column of the file is either in the data set or reported
    table = read_table(case_file(case, folder), sheet=case.sheet)
    assert ds.n_rows + sum(d.count for d in ds.dropped if d.kind == "rows") == len(table)
    columns = ds.n_features + sum(d.kind == "column" for d in ds.dropped) + (case.target is not None)
    assert columns == table.shape[1]


# ---- (b) the CLI ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cli_filter(
    case: Case, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.max_bytes is not None:  # the CLI reads with the default limit: lower it, as a 200 MiB file is too big
        monkeypatch.setattr(reading, "MAX_BYTES", case.max_bytes)
    argv = cli_argv("filter", case, folder)
    code = main(argv)
    out, err = capsys.readouterr()
    expect = case.expect
    if isinstance(expect, Refused):
        check_refused_on_stderr(code, out, err, "filter", expect)
        return
    assert code == 0 and err == "", err
    lines = out.splitlines()
    assert lines[0].startswith(f"TMFG on {expect.features} features")
    dropped = [line for line in lines if line.startswith("dropped ")]
    for drop in expect.dropped:
        assert any(f"{short_repr(drop.name, 40)}: " in line and drop.reason in line for line in dropped), drop
    for note in expect.notes:
        assert any(line.startswith("note: ") and note in line for line in lines), note


@pytest.mark.parametrize("case", [c for c in CASES if c.train is not None], ids=lambda c: c.name)
def test_cli_train(case: Case, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*cli_argv("train", case, folder), "--epochs", "3", "--out", str(tmp_path / "run")]
    code = main(argv)
    out, err = capsys.readouterr()
    if isinstance(case.train, Refused):
        check_refused_on_stderr(code, out, err, "train", case.train)
    else:
        assert isinstance(case.train, Trains)
        assert code == 0 and err == "" and f"saved to {tmp_path / 'run'}" in out, err


# ---- (c) the large cases are quick ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "seconds"), [("rows_200000", 5.0), ("columns_2000", 5.0)])
def test_large_files_load_in_seconds(name: str, seconds: float, folder: Path) -> None:
    case = BY_NAME[name]
    case_file(case, folder)  # writing the file is not timed
    start = time.perf_counter()
    load(case, folder)
    assert time.perf_counter() - start < seconds
