"""AppTest of the Data page's first-contact choices: identifiers and leaks left out with a switch to keep them,
and the missing-value rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.shared import sessions
from app_pages.shared.state import Keys

APP = Path(__file__).resolve().parents[2] / "app.py"
N = 40


def salaries() -> bytes:
    """Row numbers, a parcel ID, five measurements (one 30% missing), sex as f/m, a target and its log."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(N, 5)), columns=list("abcde"))
    df.insert(0, "rownames", range(1, N + 1))
    df["PID"] = rng.integers(500_000_000, 999_999_999, size=N)
    df["sex"] = ["f", "m"] * (N // 2)
    df["salary"] = np.exp(rng.normal(10, 0.5, size=N))
    df["lsalary"] = np.log(df["salary"])
    df.loc[: int(0.3 * N) - 1, "e"] = np.nan
    return df.to_csv(index=False).encode()


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    app.switch_page("app_pages/data.py").run()
    app.file_uploader(key=Keys.UPLOAD).set_value(("salaries.csv", salaries(), "text/csv")).run()
    app.sidebar.selectbox(key=Keys.TARGET).set_value("salary").run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    return app


def flags(app: AppTest) -> pd.DataFrame:
    return next(df.value for df in app.dataframe if "check" in df.value.columns).set_index("column")


def features(app: AppTest) -> str:
    return next(m.value for m in app.metric if m.label == "Features")


def test_identifiers_leaks_and_sparse_columns_are_shown_and_left_out(at):
    table = flags(at)
    assert table["check"].to_dict() == {
        "rownames": "identifier", "PID": "identifier", "e": "too many missing", "lsalary": "leak of the target",
    }  # fmt: skip
    assert not table["kept"].any()
    assert table.loc["PID", "reason"] == "identifier: named like one ('PID')"
    assert features(at) == "5"  # a, b, c, d and sex (f/m as 0/1)
    assert any("'f' as 0, 'm' as 1" in c.value for c in at.caption)


def test_a_flagged_column_can_be_kept(at):
    at.multiselect(key=Keys.KEEP).set_value(["lsalary"]).run()
    assert not at.exception and not at.error
    assert bool(flags(at).loc["lsalary", "kept"]) and features(at) == "6"
    at.switch_page("app_pages/network.py").run()  # the choice holds on the next page
    assert not at.exception and not at.error
    at.switch_page("app_pages/data.py").run()
    assert at.multiselect(key=Keys.KEEP).value == ["lsalary"]


def test_the_missing_value_rule_can_be_changed(at):
    rows = next(m.value for m in at.metric if m.label == "Rows used")
    assert rows == str(N)  # the sparse column went, not its rows
    at.selectbox(key=Keys.MISSING).set_value("drop_rows").run()
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric if m.label == "Rows used") == str(N - 12) and features(at) == "6"
    at.selectbox(key=Keys.MISSING).set_value("impute_median").run()
    assert next(m.value for m in at.metric if m.label == "Rows used") == str(N) and features(at) == "6"


def test_a_saved_session_keeps_its_missing_value_rule_and_kept_columns(at):
    at.selectbox(key=Keys.MISSING).set_value("impute_median").run()
    at.multiselect(key=Keys.KEEP).set_value(["lsalary"]).run()
    assert features(at) == "7"
    payload = sessions.export_session(at.session_state["hnnviz.app"], include_data=True)
    other = AppTest.from_file(str(APP), default_timeout=30)
    other.run()
    other.sidebar.file_uploader(key=Keys.SHARE_IMPORT).set_value(("session.zip", payload, "application/zip")).run()
    other.switch_page("app_pages/data.py").run()
    assert not other.exception and not other.error
    assert other.selectbox(key=Keys.MISSING).value == "impute_median"
    assert other.multiselect(key=Keys.KEEP).value == ["lsalary"] and features(other) == "7"
