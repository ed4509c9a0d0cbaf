"""The bad-input corpus (``tests/bad_inputs/cases.py``) through the app's Data page, one AppTest each.

Every case either shows its table with the expected features and rows (what was dropped is on the page), or
one short, specific message; never an exception. The same table drives the API and CLI tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs.cases import CASES, Case, Ok, case_file
from streamlit.testing.v1 import AppTest
from test_app import APP, assert_ok, metrics, shown

from app_pages.shared.state import Keys
from hnnviz.data import SUPPORTED_FORMATS
from hnnviz.data import _reading as reading


def open_case(case: Case, folder: Path) -> tuple[AppTest, bool]:
    """A fresh session with the case's file uploaded on the Data page and its sheet and target chosen; and
    whether the app could choose them (a user can only pick a target among the table's columns)."""
    path = case_file(case, folder)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.file_uploader(key=Keys.UPLOAD).set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    if case.sheet is not None and _has(at, Keys.SHEET):
        at.selectbox(key=Keys.SHEET).select(case.sheet).run()
    if case.target is None or not _has(at.sidebar, Keys.TARGET):  # no target asked, or the table cannot be read
        return at, True
    if case.target not in at.sidebar.selectbox(key=Keys.TARGET).options:
        return at, False
    at.sidebar.selectbox(key=Keys.TARGET).select(case.target).run()
    return at, True


def assert_reported(at: AppTest, expect: Ok) -> None:
    """Every expected drop (with its reason) and reading is in one of the Data page's tables (which sheet was
    read is not a note in the app: its sheet picker shows it)."""
    cells = [str(v) for df in at.dataframe for v in df.value.astype(str).to_numpy().ravel()]
    for drop in expect.dropped:
        assert drop.name in cells and any(drop.reason in c for c in cells), drop
    for note in expect.notes:
        assert note.startswith("read sheet") or any(note in c for c in cells), note


def _has(node, key: str) -> bool:
    return any(widget.key == key for widget in node.selectbox)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_bad_input_is_shown_or_refused_in_plain_words(case: Case, tmp_path: Path, monkeypatch) -> None:
    if case.max_bytes is not None:  # the app's own limit is Streamlit's upload limit; the reader's is lowered here
        monkeypatch.setattr(reading, "MAX_BYTES", case.max_bytes)
    at, chosen = open_case(case, tmp_path)
    if Path(case.file).suffix.lstrip(".").lower() not in SUPPORTED_FORMATS:
        assert "Invalid file extension" in at.exception[0].message  # the uploader itself refuses it
        return
    assert not at.exception, at.exception
    messages = shown(at.error)
    assert all(len(m) <= 300 and "\n" not in m for m in messages), messages
    if not chosen:
        return  # e.g. an unknown target: the app offers only the table's columns
    if isinstance(case.expect, Ok):
        assert_ok(at)
        assert metrics(at)["Features"] == str(case.expect.features)
        assert metrics(at)["Rows used"] == f"{case.expect.rows:,}"
        assert_reported(at, case.expect)
    else:
        assert any(case.expect.message in m for m in messages), messages
