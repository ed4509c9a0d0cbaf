"""Tests of hnnviz.data: reading tables, cleaning them into a Dataset, and the bundled samples."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hnnviz.data import (
    SAMPLES,
    SUPPORTED_FORMATS,
    Dataset,
    DroppedItem,
    SampleInfo,
    describe_columns,
    excel_sheets,
    load_dataset,
    load_sample,
    make_planted,
    prepare_dataset,
    read_numbers,
    read_table,
    sample_data_dir,
)
from hnnviz.data import _samples as samples_module
from hnnviz.exceptions import DataFormatError, HNNVizError, InputValidationError, TooFewFeaturesError, TooFewRowsError

N = 30


@pytest.fixture
def frame() -> pd.DataFrame:
    """A clean numeric table: 4 informative features and a regression target."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(N, 4)), columns=["a", "b", "c", "d"])
    df["y"] = rng.normal(size=N)
    return df


class UploadedFile:
    """What Streamlit's UploadedFile offers: a name and the bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = data

    def getvalue(self) -> bytes:
        return self._data


def write(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt in ("tsv", "tab"):
        df.to_csv(path, sep="\t", index=False)
    elif fmt == "txt":
        df.to_csv(path, sep=";", index=False)
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    elif fmt == "xlsx":
        df.to_excel(path, index=False)
    return path


def reasons(ds: Dataset) -> list[str]:
    return [d.reason for d in ds.dropped]


# ---- read_table -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SUPPORTED_FORMATS)
def test_round_trip_gives_identical_x(frame, tmp_path, fmt):
    frame = frame.round(12)  # xlsx keeps about 15 significant digits
    path = write(frame, tmp_path / f"table.{fmt}", fmt)
    ds = load_dataset(path, target="y")
    expected = prepare_dataset(frame, target="y")
    np.testing.assert_array_equal(ds.X, expected.X)
    np.testing.assert_array_equal(ds.y, expected.y)
    assert ds.feature_names == ("a", "b", "c", "d")
    assert ds.name == "table"


@pytest.mark.parametrize("fmt", ["parquet", "xlsx", "csv"])
def test_bytes_and_file_like_sources(frame, tmp_path, fmt):
    data = write(frame, tmp_path / f"t.{fmt}", fmt).read_bytes()
    by_fmt = read_table(data, fmt=fmt)
    by_sniff = read_table(data)  # no name: parquet/xlsx recognised by magic bytes, else text
    by_upload = read_table(UploadedFile(f"upload.{fmt}", data))
    buffer = io.BytesIO(data)
    buffer.name = f"/some/dir/buffer.{fmt}"
    by_buffer = load_dataset(buffer, target="y")
    for df in (by_sniff, by_upload):
        pd.testing.assert_frame_equal(df, by_fmt)
    np.testing.assert_array_equal(by_buffer.X, prepare_dataset(by_fmt, target="y").X)
    assert by_buffer.name == "buffer"


def test_utf8_bom_is_accepted():
    df = read_table(b"\xef\xbb\xbfalpha,beta\n1,2\n", fmt="csv")
    assert list(df.columns) == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("text", "fmt", "columns"),
    [
        ("a\tb\tc\n1\t2\t3\n", "tsv", ["a", "b", "c"]),
        ("a\tb\tc\n1\t2\t3\n", "tab", ["a", "b", "c"]),
        ("a;b;c\n1;2;3\n", "txt", ["a", "b", "c"]),
        ("a\tb\tc\n1\t2\t3\n", "txt", ["a", "b", "c"]),
        ("a,b,c\n1,2,3\n", "txt", ["a", "b", "c"]),
        ("a;b;c\n1,5;2;3\n", "csv", ["a", "b", "c"]),  # Excel's European "CSV" with semicolons
        ("a\n1\n2\n", "txt", ["a"]),
    ],
)
def test_delimiters(text, fmt, columns):
    assert list(read_table(text.encode(), fmt=fmt).columns) == columns


def test_fmt_accepts_a_leading_dot_and_capitals(tmp_path):
    path = tmp_path / "T.CSV"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_table(path).shape == (1, 2)
    assert read_table(b"a,b\n1,2\n", fmt=".CSV").shape == (1, 2)


def test_named_parquet_index_is_kept_as_a_column(tmp_path):
    df = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.Index(["x", "y"], name="key"))
    df.to_parquet(tmp_path / "t.parquet")
    assert list(read_table(tmp_path / "t.parquet").columns) == ["key", "v"]


@pytest.mark.parametrize(
    ("name", "data", "fmt", "match"),
    [
        (
            "t.json",
            b"{}",
            None,
            r"Cannot tell the format of 't\.json' \(extension '\.json'\)\. "
            r"Supported extensions: csv, tsv, tab, txt, parquet, xlsx",
        ),
        ("t", b"a\n1\n", None, r"\(no extension\)"),
        ("t.csv", b"a\n1\n", "json", r"Unknown format 'json'\. Supported formats: csv, tsv"),
        ("t.csv", b"", None, r"'t\.csv' is empty"),
        ("t.csv", b"  \n\n", None, r"'t\.csv' is empty"),
        ("t.csv", b"a,b,c\n", None, r"'t\.csv' has a header \(3 columns\) but no data rows"),
        (
            "t.csv",
            b"a,b\n1,2\n3,\xe9\n",
            None,
            r"'t\.csv' is not UTF-8 text: byte 0xe9 at offset 10 \(line 3\).*Save the file as UTF-8",
        ),
        ("t.csv", b"\xef\xbb\xbfa,b\n\xff,2\n", None, r"byte 0xff at offset 7 \(line 2\)"),
        ("t.csv", "a,b\n1,2\n".encode("utf-16"), None, r"UTF-16 byte-order mark"),
        ("t.csv", b"PK\x03\x04rest", None, r"'t\.csv' looks like an xlsx file, not text"),
        ("t.csv", b"a,b\n1,2\n1,2,3\n", None, r"Cannot parse 't\.csv' as delimited text: .*line 3"),
        ("t.parquet", b"PAR1 not really parquet", None, r"Cannot read 't\.parquet' as parquet"),
        ("t.xlsx", b"not a zip file", None, r"Cannot read 't\.xlsx' as an xlsx workbook"),
        ("t.xlsx", b"PK\x03\x04broken zip", None, r"Cannot read 't\.xlsx' as an xlsx workbook"),
        ("t.csv", b"a,b,a\n1,2,3\n", None, r"Duplicate column names in 't\.csv': 'a' \(columns 1 and 3\)"),
        ("t.csv", b",a,,a\n1,2,3,4\n", None, r"'a' \(columns 2 and 4\)\. Give every column a unique name\.$"),
        (
            "t.tsv",
            b"x\ty\tx\ty\tx\n1\t2\t3\t4\t5\n",
            None,
            r"'x' \(columns 1, 3 and 5\), 'y' \(columns 2 and 4\)",
        ),
    ],
)
def test_read_errors(name, data, fmt, match):
    with pytest.raises(DataFormatError, match=match):
        read_table(UploadedFile(name, data), fmt=fmt)


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match=r"File not found: '.*nope\.csv'"):
        read_table(tmp_path / "nope.csv")


def test_unreadable_source():
    with pytest.raises(DataFormatError, match=r"Cannot read a table from a int"):
        read_table(42)  # type: ignore[arg-type]


def test_duplicate_names_in_parquet(tmp_path):
    table = pa.table([pa.array([1.0, 2.0]), pa.array([3.0, 4.0])], names=["a", "a"])
    pq.write_table(table, tmp_path / "d.parquet")
    with pytest.raises(DataFormatError, match=r"'a' \(columns 1 and 2\)"):
        read_table(tmp_path / "d.parquet")


def test_duplicate_names_in_xlsx(tmp_path):
    pd.DataFrame([[1, 2, 3, 4]], columns=["a", "b", "a", "b"]).to_excel(tmp_path / "d.xlsx", index=False)
    with pytest.raises(DataFormatError, match=r"'a' \(columns 1 and 3\), 'b' \(columns 2 and 4\)"):
        read_table(tmp_path / "d.xlsx")


def two_sheet_workbook() -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_excel(writer, sheet_name="first", index=False)
        pd.DataFrame({"x": [5.0, 6.0], "y": [7.0, 8.0], "z": [9.0, 1.0]}).to_excel(
            writer, sheet_name="second", index=False
        )
    return buffer.getvalue()


def test_a_workbook_lists_its_sheets_and_reads_the_one_asked_for():
    book = two_sheet_workbook()
    assert excel_sheets(book) == ["first", "second"]
    assert list(read_table(book).columns) == ["a", "b"]  # the first sheet by default
    second = read_table(book, sheet="second")
    assert list(second.columns) == ["x", "y", "z"] and second["x"].tolist() == [5.0, 6.0]
    named = io.BytesIO(book)
    named.name = "book.xlsx"
    assert load_dataset(named, sheet="second", min_rows=1, min_features=1).feature_names == ("x", "y", "z")


def test_an_unknown_sheet_names_the_sheets_there_are():
    with pytest.raises(DataFormatError, match=r"'data' has no sheet 'third'; its sheets are 'first', 'second'\."):
        read_table(two_sheet_workbook(), sheet="third")


def test_a_sheet_of_a_text_file_is_refused():
    with pytest.raises(DataFormatError, match=r"'data' is csv, not an xlsx workbook: it has no sheet 'first'"):
        read_table(b"a,b\n1,2\n", fmt="csv", sheet="first")


def test_sheets_of_a_file_that_is_not_a_workbook():
    with pytest.raises(DataFormatError, match=r"Cannot read 'data' as an xlsx workbook"):
        excel_sheets(b"PK\x03\x04broken zip")


def test_describe_columns_says_what_became_of_every_column():
    table = pd.DataFrame(
        {
            "a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "blank": [1.0, None, None, None, None, 2.0],
            "city": ["x", "y", " ", "x", "y", "x"],
            "twin": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "flag": [True, False, True, False, True, True],
            "y": [0.5, 1.5, 2.5, 3.5, 4.5, 5.5],
        }
    )
    ds = prepare_dataset(table, target="y", min_rows=1, min_features=1)
    summary = describe_columns(table, ds).set_index("column")
    assert list(summary.index) == list(table.columns)
    assert summary["role"].to_dict() == {
        "a": "feature", "blank": "dropped", "city": "feature", "twin": "dropped", "flag": "feature", "y": "target",
    }  # fmt: skip
    assert summary.loc["city", "why"] == "read 'x' as 0 and 'y' as 1 (two values)"  # a two-valued text column
    assert summary["type"].to_dict() == {
        "a": "decimal", "blank": "decimal", "city": "text", "twin": "decimal", "flag": "boolean", "y": "decimal",
    }  # fmt: skip
    assert summary.loc["blank", "missing"] == 4 and summary.loc["city", "missing"] == 1  # a blank string is missing
    assert summary.loc["city", "distinct"] == 2 and summary.loc["flag", "distinct"] == 2
    assert summary.loc["twin", "why"] == "duplicate of column 'a'"
    assert summary.loc["blank", "why"].startswith("more than half missing")


def test_describe_columns_needs_a_table(frame):
    with pytest.raises(InputValidationError, match="must be a pandas DataFrame"):
        describe_columns([1, 2], prepare_dataset(frame))


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_binary_table_without_rows(tmp_path, fmt):
    path = write(pd.DataFrame({"a": [], "b": []}, dtype=float), tmp_path / f"e.{fmt}", fmt)
    with pytest.raises(DataFormatError, match=rf"'e\.{fmt}' has a header \(2 columns\) but no data rows"):
        read_table(path)


def test_errors_are_catchable_as_the_base_class():
    with pytest.raises(HNNVizError):
        read_table(b"", fmt="csv")
    with pytest.raises(ValueError):
        read_table(b"", fmt="csv")


# ---- prepare_dataset: what is dropped and why ---------------------------------------------------------


def test_each_drop_reason_in_order(frame):
    df = frame.copy()
    df["text"] = ["1.5"] * 3 + ["abc"] + ["2"] * (N - 4)
    df["when"] = pd.date_range("2020-01-01", periods=N)
    df["kind"] = pd.Categorical(["u", "v", "w"] * (N // 3))
    df["sparse"] = [np.nan] * 22 + [1.0] * (N - 22)  # 73% missing
    df["bmi"] = (df["c"] * 3).where(np.arange(N) >= 10)  # 10 missing
    df.loc[[10, 11], "b"] = [np.nan, np.inf]
    df["three"] = 3.0
    df["a_copy"] = df["a"]
    df.loc[[0], "y"] = np.nan
    ds = prepare_dataset(df, target="y", name="t", missing="drop_rows")
    assert [(d.kind, d.name) for d in ds.dropped] == [
        ("rows", "rows with missing target"),
        ("column", "text"),
        ("column", "when"),
        ("column", "kind"),
        ("column", "sparse"),
        ("rows", "rows with missing values"),
        ("column", "three"),
        ("column", "a_copy"),
    ]
    assert reasons(ds) == [
        "missing value in 'y'",
        "non-numeric (e.g. 'abc' in row 4; 1 of 29 values is not a number)",
        "non-numeric (datetime, e.g. '2020-01-02' in row 2)",
        "non-numeric (category, e.g. 'v' in row 2)",
        "more than half missing (72%)",
        "missing or infinite values in 'bmi' (9 rows), 'b' (2 rows)",
        "constant (every value is 3.0)",
        "duplicate of column 'a'",
    ]
    assert [d.count for d in ds.dropped] == [1, 1, 1, 1, 1, 11, 1, 1]
    assert ds.feature_names == ("a", "b", "c", "d", "bmi")
    assert ds.n_rows == N - 1 - 11
    assert np.isfinite(ds.X).all() and ds.X.dtype == np.float64
    assert ds.summary() == f"t: {ds.n_rows} rows x 5 features; target 'y' (regression); dropped 6 columns and 12 rows"


def test_uninformative_columns_can_be_kept(frame):
    frame["three"] = 3.0
    frame["a_copy"] = frame["a"]
    ds = prepare_dataset(frame, target="y", drop_uninformative=False)
    assert ds.feature_names == ("a", "b", "c", "d", "three", "a_copy") and ds.dropped == ()
    one_row = prepare_dataset(frame.iloc[[4]], min_rows=1, drop_uninformative=False)  # every column is constant
    assert one_row.n_rows == 1 and one_row.feature_names == ("a", "b", "c", "d", "y", "three", "a_copy")
    np.testing.assert_array_equal(one_row.X[0], frame.iloc[4].to_numpy(dtype=float))


def test_missing_percentage_is_exact_near_one_half(frame):
    frame["half"] = [np.nan] * 16 + [1.0] * (N - 16)  # 53.3%
    assert "more than half missing (53%)" in reasons(prepare_dataset(frame))
    frame["half"] = [np.nan] * 15 + list(range(N - 15))  # exactly half: kept, its rows dropped
    ds = prepare_dataset(frame, min_rows=5, missing="drop_rows")
    assert "half" in ds.feature_names and ds.n_rows == 15


def test_numeric_text_bool_and_nullable_columns_are_kept(frame):
    frame["as_text"] = [str(v) for v in frame["a"] * 2]
    frame["flag"] = [True, False] * (N // 2)
    frame["count"] = pd.array(range(N), dtype="Int64")
    frame.loc[3, "count"] = pd.NA
    ds = prepare_dataset(frame, target="y")
    assert ds.feature_names == ("a", "b", "c", "d", "as_text", "flag", "count")
    np.testing.assert_array_equal(ds.X[:, 5], np.delete([1.0, 0.0] * (N // 2), 3))
    np.testing.assert_array_equal(ds.X[:, 4], np.delete(frame["a"].to_numpy() * 2, 3))
    assert ds.n_rows == N - 1 and "'count' (1 row)" in ds.dropped[0].reason


def test_no_target_keeps_every_column(frame):
    ds = prepare_dataset(frame)
    assert ds.n_features == 5 and ds.y is None and ds.task is None and ds.classes is None
    assert ds.summary() == f"{N} rows x 5 features; no target; nothing dropped"


def test_too_few_features_lists_the_drops(frame):
    df = frame[["a", "b", "y"]].assign(k=1.0, s="word")
    with pytest.raises(
        TooFewFeaturesError,
        match=r"Only 2 usable feature columns remain \('a', 'b'\); at least 4 are needed\. "
        r"Dropped: 's': non-numeric \(e\.g\. 'word' in row 1\); 'k': constant \(every value is 1\.0\)\.",
    ):
        prepare_dataset(df, target="y")


def test_too_few_rows(frame):
    frame.loc[: N - 6, "a"] = np.nan  # 25 of 30 missing -> dropped as a column first
    frame.loc[: N - 9, "b"] = np.nan  # 22 of 30 missing
    frame.loc[:14, "c"] = np.nan  # exactly half: kept, rows dropped
    with pytest.raises(TooFewRowsError, match=r"Only 15 usable rows remain after dropping 15 rows"):
        prepare_dataset(frame.assign(e=frame["d"] ** 2), min_features=2, min_rows=20, missing="drop_rows")
    with pytest.raises(TooFewRowsError, match=r"Only 3 usable rows remain; at least 10 are needed"):
        prepare_dataset(pd.DataFrame({"a": [1, 2, 3], "b": [3, 1, 2]}), min_features=2)


# ---- prepare_dataset: target and task -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "task", "classes"),
    [
        (["b", "a", "c"] * 10, "classification", ("a", "b", "c")),
        ([True, False, True] * 10, "classification", (False, True)),
        ([3, 1, 2] * 10, "classification", (1, 2, 3)),
        ([3.0, 1.0, 2.0] * 10, "classification", (1, 2, 3)),
        (list(range(30)), "regression", None),  # integers, 30 distinct
        (list(np.linspace(0, 1, 30)), "regression", None),
        (["1.5", "2.5", "3.5"] * 10, "regression", None),  # text that parses as numbers is numeric
    ],
)
def test_task_inference(frame, values, task, classes):
    frame["y"] = values
    ds = prepare_dataset(frame, target="y")
    assert ds.task == task and ds.classes == classes
    assert [type(c) for c in ds.classes or ()] == [type(c) for c in classes or ()]
    if task == "classification":
        assert ds.y.dtype == np.int64
        assert [ds.classes[k] for k in ds.y[:3]] == [type(ds.classes[0])(v) for v in values[:3]]
    else:
        assert ds.y.dtype == np.float64


def test_task_override(frame):
    frame["y"] = [0.5, 1.5] * 15  # not integers: inferred regression
    forced = prepare_dataset(frame, target="y", task="classification")
    assert forced.task == "classification" and forced.classes == (0.5, 1.5)
    assert forced.y.tolist() == [0, 1] * 15
    frame["y"] = [0, 1] * 15
    ds = prepare_dataset(frame, target="y", task="regression")
    assert ds.task == "regression" and ds.classes is None and ds.y.dtype == np.float64


def test_override_to_classification_needs_two_rows_per_class(frame):
    frame["y"] = list(range(30))
    with pytest.raises(
        InputValidationError, match=r"30 classes have a single row \(e\.g\. 0, 1, 2 \.\.\.\)\. .*identifier"
    ):
        prepare_dataset(frame, target="y", task="classification")


@pytest.mark.parametrize(
    ("target", "match"),
    [
        ("Y", r"Target column 'Y' not found\. Did you mean 'y'\?"),
        ("bb", r"Target column 'bb' not found\. Did you mean 'b'\?"),
        ("zzz", r"Target column 'zzz' not found\. Columns: 'a', 'b', 'c', 'd', 'y'\.$"),
    ],
)
def test_unknown_target(frame, target, match):
    with pytest.raises(InputValidationError, match=match):
        prepare_dataset(frame, target=target)


def test_missing_target_rows_are_dropped(frame):
    frame["y"] = ["u", "v", None, " "] + ["u", "v"] * 13
    ds = prepare_dataset(frame, target="y")
    reason = "missing value in 'y' (read blank (1 cell) as missing)"
    assert ds.dropped == (DroppedItem("rows", "rows with missing target", reason, 2),)
    assert ds.n_rows == N - 2 and ds.classes == ("u", "v")


def test_constant_target(frame):
    frame["y"] = 7
    with pytest.raises(InputValidationError, match=r"Target 'y' is constant \(every value is 7\.0\)"):
        prepare_dataset(frame, target="y")
    frame["y"] = "same"
    with pytest.raises(InputValidationError, match=r"Target 'y' is constant \(every value is 'same'\)"):
        prepare_dataset(frame, target="y")


def test_regression_on_text_target(frame):
    frame["y"] = ["low", "high"] * 15
    with pytest.raises(InputValidationError, match=r"task='regression' needs a numeric target.*'low'"):
        prepare_dataset(frame, target="y", task="regression")


def test_class_with_one_row(frame):
    frame["y"] = ["a", "b"] * 14 + ["a", "rare"]
    with pytest.raises(InputValidationError, match=r"class 'rare' has a single row\. Remove that row"):
        prepare_dataset(frame, target="y")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"task": "ranking"}, r"The 'task' parameter of prepare_dataset must be one of None, 'regression'"),
        ({"min_rows": 0}, r"The 'min_rows' parameter of prepare_dataset must be an int in \[1, inf\]"),
        ({"min_features": 2.5}, r"The 'min_features' parameter of prepare_dataset must be an int"),
        ({"drop_uninformative": "no"}, r"The 'drop_uninformative' parameter of prepare_dataset must be one of True"),
        ({"target": 3}, r"The 'target' parameter of prepare_dataset must be a column name"),
    ],
)
def test_bad_arguments(frame, kwargs, match):
    with pytest.raises(InputValidationError, match=match):
        prepare_dataset(frame, **kwargs)


def test_not_a_dataframe():
    with pytest.raises(InputValidationError, match=r"must be a pandas DataFrame\. Got ndarray instead"):
        prepare_dataset(np.zeros((3, 3)))  # type: ignore[arg-type]


def test_duplicate_names_in_a_dataframe(frame):
    frame.columns = ["a", "b", "a", "d", "y"]
    with pytest.raises(DataFormatError, match=r"'a' \(columns 1 and 3\)"):
        prepare_dataset(frame)


# ---- Dataset ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"X": np.zeros(3)}, r"Dataset\.X must be a 2-D numpy array"),
        ({"feature_names": ("a",)}, r"2 feature columns but 1 feature names"),
        ({"y": np.zeros(2), "task": "regression"}, r"Dataset\.y must have shape \(3,\)"),
        ({"y": np.zeros(3)}, r"both set or both None"),
        ({"y": np.zeros(3, dtype=int), "task": "classification"}, r"classes must be set exactly"),
    ],
)
def test_dataset_checks_its_fields(kwargs, match):
    fields = {"X": np.zeros((3, 2)), "feature_names": ("a", "b"), **kwargs}
    with pytest.raises(InputValidationError, match=match):
        Dataset(**fields)


def test_dataset_is_frozen(frame):
    ds = prepare_dataset(frame)
    with pytest.raises(AttributeError):
        ds.name = "other"  # type: ignore[misc]


# ---- property: whatever comes in, X is finite and every row is accounted for --------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from([0.0, 1.0, -2.5, 3.25, np.nan, np.inf]), min_size=6, max_size=6),
        min_size=1,
        max_size=25,
    )
)
def test_rows_are_accounted_for(rows):
    df = pd.DataFrame(rows, columns=[f"c{i}" for i in range(6)])
    try:
        ds = prepare_dataset(df, min_rows=1, min_features=1)
    except (TooFewFeaturesError, TooFewRowsError):
        return
    assert np.isfinite(ds.X).all()
    dropped_rows = sum(d.count for d in ds.dropped if d.kind == "rows")
    assert ds.n_rows + dropped_rows == len(df)
    assert ds.n_features + sum(d.kind == "column" for d in ds.dropped) == 6


# ---- bundled samples ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape", "task", "n_classes"),
    [
        ("diabetes", (442, 10), "regression", None),
        ("breast_cancer", (569, 30), "classification", 2),
        ("wine", (178, 13), "classification", 3),
        ("sp500_returns", (8312, 20), None, None),
        ("planted_interactions", (3000, 24), "regression", None),
        ("planted_shapes", (1500, 10), "regression", None),
    ],
)
def test_samples_load(name, shape, task, n_classes):
    ds = load_sample(name)
    assert (ds.n_rows, ds.n_features) == shape
    assert ds.task == task == SAMPLES[name].task
    assert ds.target == SAMPLES[name].target and ds.name == name
    assert (len(ds.classes) if ds.classes else None) == n_classes
    assert np.isfinite(ds.X).all()


def test_samples_table_lists_every_csv():
    on_disk = {p.name for p in sample_data_dir().glob("*.csv")}
    assert on_disk == {info.file for info in SAMPLES.values()}


def test_sp500_reports_the_dropped_date():
    ds = load_sample("sp500_returns")
    assert ds.dropped == (DroppedItem("column", "Date", "non-numeric (e.g. '1990-01-03' in row 1)", 1),)
    assert ds.feature_names[:3] == ("AAPL", "AMD", "BAC")


def test_breast_cancer_classes():
    ds = load_sample("breast_cancer")
    assert ds.classes == ("benign", "malignant")
    assert np.bincount(ds.y).tolist() == [357, 212]


def test_sample_target_override():
    ds = load_sample("diabetes", target=None)
    assert ds.n_features == 11 and ds.y is None
    assert load_sample("wine", target="proline", task="regression").task == "regression"


def test_unknown_sample():
    with pytest.raises(InputValidationError, match=r"Unknown sample 'diabetis'\. Did you mean 'diabetes'\?"):
        load_sample("diabetis")


def test_missing_sample_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(samples_module, "__file__", str(tmp_path / "hnnviz" / "data" / "samples.py"))
    with pytest.raises(DataFormatError, match=r"Bundled sample data not found at .*pip install -e \."):
        load_sample("diabetes")


def test_missing_sample_file(monkeypatch):
    fake = {"ghost": SampleInfo("ghost.csv", None, None, "not there")}
    monkeypatch.setattr(samples_module, "SAMPLES", fake)
    with pytest.raises(DataFormatError, match=r"ghost\.csv' is missing; regenerate it with"):
        load_sample("ghost")


def test_planted_ground_truth_matches_the_csv():
    truth = json.loads((sample_data_dir() / "planted_interactions.json").read_text(encoding="utf-8"))
    ds = load_sample("planted_interactions")
    groups = truth["planted_groups"]
    assert [len(g) for g in groups] == [2, 3, 4]
    assert {c for g in truth["correlated_groups"] for c in g} == set(ds.feature_names)
    corr = np.corrcoef(ds.X, rowvar=False)
    index = {c: i for i, c in enumerate(ds.feature_names)}
    for group in truth["correlated_groups"]:
        members = [index[c] for c in group]
        within = corr[np.ix_(members, members)][~np.eye(len(members), dtype=bool)]
        assert within.min() > 0.5
    x = {c: ds.X[:, index[c]] for c in ds.feature_names}
    signal = (
        x["x01"] * x["x02"]
        + np.sin(x["x03"] + x["x04"] + x["x05"])
        + 2 * np.tanh(x["x06"] * x["x07"] * x["x08"] * x["x09"])
    )
    residual = ds.y - signal
    assert abs(residual.std() - truth["noise_sd"]) < 0.02


def test_planted_generator_reproduces_the_csv():
    path = Path(__file__).resolve().parents[2] / "sample_data" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("make_samples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    df, _ = module.make_planted_interactions(seed=0)
    on_disk = pd.read_csv(sample_data_dir() / "planted_interactions.csv")
    np.testing.assert_allclose(on_disk.to_numpy(), df.to_numpy(), atol=1e-12)


# ---- missing-value tokens: a token is a missing value, not a reason to drop the column -------------------------------

TOKENS = ["?", "-", "n/a", "N/A", "NA", "na", "null", "NULL", "none", "None", "nan", "NaN", "#N/A", "  "]


@pytest.mark.parametrize("token", TOKENS)
def test_missing_value_tokens_are_missing_values(frame, token):
    frame["a"] = frame["a"].astype(object)
    frame.loc[[3, 7], "a"] = token
    ds = load_dataset(frame.to_csv(index=False).encode(), target="y", fmt="csv")
    assert ds.feature_names == ("a", "b", "c", "d") and ds.n_rows == N - 2
    assert ds.dropped == (DroppedItem("rows", "rows with missing values", "missing values in 'a' (2 rows)", 2),)
    shown = "blank" if not token.strip() else repr(token)
    assert [str(note) for note in ds.notes] == [f"column 'a': read {shown} (2 cells) as missing"]
    np.testing.assert_array_equal(ds.X[:, 0], np.delete(frame["a"].to_numpy(), [3, 7]).astype(float))


def test_empty_cells_need_no_note(frame):
    frame.loc[[3], "a"] = np.nan
    ds = load_dataset(frame.to_csv(index=False).encode(), target="y", fmt="csv")
    assert ds.n_rows == N - 1 and ds.notes == ()


def test_tokens_in_a_table_from_a_workbook_or_a_frame(frame):
    frame["a"] = frame["a"].astype(object)
    frame.loc[[0, 1, 2], "a"] = ["?", "n/a", "?"]
    ds = prepare_dataset(frame, target="y")
    assert ds.n_features == 4 and ds.n_rows == N - 3
    assert str(ds.notes[0]) == "column 'a': read '?' (2 cells), 'n/a' (1 cell) as missing"


def test_read_table_keeps_tokens_as_written():
    df = read_table(b"a,b\nNA,1\nNone,2\n,3\n", fmt="csv")
    assert df["a"].tolist()[:2] == ["NA", "None"] and pd.isna(df["a"].iloc[2])


def test_a_column_mostly_of_tokens_is_dropped_as_mostly_missing(frame):
    frame["m"] = ["?"] * 20 + [str(v) for v in range(N - 20)]
    ds = prepare_dataset(frame, target="y")
    assert DroppedItem("column", "m", "more than half missing (67%)") in ds.dropped
    assert "column 'm': read '?' (20 cells) as missing" in [str(note) for note in ds.notes]


def test_category_words_are_not_turned_into_numbers(frame):
    frame["severity"] = ["none", "some", "many"] * 10
    frame["count"] = ["none", "1", "2"] * 10  # the other cells are numbers: 'none' is missing here
    ds = prepare_dataset(frame, target="y", missing="drop_rows")
    assert "severity" not in ds.feature_names and "count" in ds.feature_names
    assert DroppedItem("column", "severity", "non-numeric (e.g. 'some' in row 2; 20 of 30 values are not numbers)") in (
        ds.dropped
    )
    assert ds.n_rows == N - 10


def test_a_text_target_keeps_none_as_a_class_and_drops_other_tokens(frame):
    frame["y"] = ["None", "mild", "severe"] * 9 + ["?", "n/a", "mild"]
    ds = load_dataset(frame.to_csv(index=False).encode(), target="y", fmt="csv")
    assert ds.classes == ("None", "mild", "severe") and ds.n_rows == N - 2
    assert ds.dropped[0].reason == "missing value in 'y' (read '?' (1 cell), 'n/a' (1 cell) as missing)"


def test_a_numeric_target_with_tokens_stays_numeric(frame):
    frame["y"] = frame["y"].round(4).astype(object)
    frame.loc[[2, 9], "y"] = "?"
    ds = load_dataset(frame.to_csv(index=False).encode(), target="y", fmt="csv")
    assert ds.task == "regression" and ds.n_rows == N - 2
    assert ds.dropped == (
        DroppedItem("rows", "rows with missing target", "missing value in 'y' (read '?' (2 cells) as missing)", 2),
    )


# ---- numbers written with thousands separators or decimal commas -------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "delimiter", "values", "converted"),
    [
        (["18,613.6", "1,234", "12", "-2,000"], None, [18613.6, 1234, 12, -2000],
         "'18,613.6' as 18613.6 (thousands separators, 3 cells)"),
        (["1,234,567", "0.5"], "\t", [1234567, 0.5], "'1,234,567' as 1234567 (thousands separators, 1 cell)"),
        (["1,234", "5,678"], ",", [1234, 5678], "'1,234' as 1234 (thousands separators, 2 cells)"),
        (["1,234.5", "17"], ";", [1234.5, 17], "'1,234.5' as 1234.5 (thousands separators, 1 cell)"),
        (["3,14", "2", "-0,5"], ";", [3.14, 2, -0.5], "'3,14' as 3.14 (decimal commas, 2 cells)"),
        (["3,14", "2", "-0,5"], None, [3.14, 2, -0.5], "'3,14' as 3.14 (decimal commas, 2 cells)"),
        (["1.234,5", "2,25", "7", "1.000"], ";", [1234.5, 2.25, 7, 1000],
         "'1.234,5' as 1234.5 (decimal commas, 2 cells)"),
        (["1,234", "5,678"], ";", [1.234, 5.678], "'1,234' as 1.234 (decimal commas, 2 cells)"),
        (["0,126", "0,5"], None, [0.126, 0.5], "'0,126' as 0.126 (decimal commas, 2 cells)"),  # never thousands
        ([" 1,234.5 ", "?", "3"], None, [1234.5, np.nan, 3], "'1,234.5' as 1234.5 (thousands separators, 1 cell)"),
        (["1,234", "1.5", "2,000"], ";", [1234, 1.5, 2000], "'1,234' as 1234 (thousands separators, 2 cells)"),
        (["1", "2.5", "-3e2", "inf"], None, [1, 2.5, -300, np.inf], ""),
    ],
)  # fmt: skip
def test_written_numbers_are_read(cells, delimiter, values, converted):
    reading = read_numbers(pd.Series(cells, dtype=object), delimiter)
    np.testing.assert_array_equal(reading.values, values)
    assert reading.converted == converted


@pytest.mark.parametrize(
    ("cells", "delimiter", "problem"),
    [
        (["1,234", "5,678"], "\t", "ambiguous: '1,234' in row 1 may be 1234 or 1.234: the comma may separate"),
        (["12,345", "7"], None, "ambiguous: '12,345' in row 1 may be 12345 or 12.345"),
        (["3,14", "1.5"], ";", "mixes decimal commas ('3,14' in row 1) and decimal points ('1.5' in row 2)"),
        (["1,23,456", "7"], None, ""),  # Indian grouping: not read, plainly non-numeric
    ],
)
def test_numbers_that_cannot_be_read_one_way_stay_text(cells, delimiter, problem):
    reading = read_numbers(pd.Series(cells), delimiter)
    assert reading.values is None and reading.problem.startswith(problem)
    assert reading.example == cells[0] and reading.row == 1


def test_quoted_thousands_in_a_comma_csv():
    ds = load_dataset(b'a,b\n"18,613.6",1\n"1,234",2\n12,3\n', fmt="csv", min_rows=1, min_features=1)
    np.testing.assert_array_equal(ds.X[:, 0], [18613.6, 1234, 12])
    assert [str(n) for n in ds.notes] == ["column 'a': read '18,613.6' as 18613.6 (thousands separators, 2 cells)"]


def test_decimal_commas_in_a_semicolon_csv():
    ds = load_dataset(b"a;b;y\n3,14;1,234;1\n2,5;5,678;2,5\n", fmt="csv", target="y", min_rows=1, min_features=1)
    np.testing.assert_array_equal(ds.X, [[3.14, 1.234], [2.5, 5.678]])
    np.testing.assert_array_equal(ds.y, [1.0, 2.5])
    assert [str(n) for n in ds.notes] == [
        "read as separated by ';', not commas",
        "column 'y': read '2,5' as 2.5 (decimal commas, 1 cell)",
        "column 'a': read '3,14' as 3.14 (decimal commas, 2 cells)",
        "column 'b': read '1,234' as 1.234 (decimal commas, 2 cells)",
    ]


def test_ambiguous_commas_are_kept_as_text_with_the_reason():
    data = b"a\tb\tc\n1,234\t1\t2\n5,678\t2\t1\n"
    ds = load_dataset(data, fmt="tsv", min_rows=1, min_features=1)
    assert ds.feature_names == ("b", "c")
    assert ds.dropped[0] == DroppedItem(
        "column",
        "a",
        "non-numeric (ambiguous: '1,234' in row 1 may be 1234 or 1.234: the comma may separate thousands or decimals)",
    )


def test_describe_columns_says_how_a_column_was_read():
    table = read_table(b'a,b,y\n"1,000",?,1.5\n"2,500",3,2.5\n7,4,0.5\n', fmt="csv")
    ds = prepare_dataset(table, target="y", min_rows=1, min_features=1, missing="drop_rows")
    summary = describe_columns(table, ds).set_index("column")
    assert summary.loc["a", "why"] == "read '1,000' as 1000 (thousands separators, 2 cells)"
    assert summary.loc["b", "missing"] == 1 and summary.loc["b", "why"] == "read '?' (1 cell) as missing"


# ---- files that are not what they claim, or too large ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"a,b\n1,2,3\n4,5,6\n", r"'t\.csv' has rows with more fields than its header \(2 names\), e\.g\. line 2"),
        (b"a,b\n\x00\x01\x02\n", r"'t\.csv' is not UTF-8 text: it has NUL bytes \(the first at offset 4\)"),
        (b"\x89PNG\r\n\x1a\n....", r"'t\.csv' looks like a PNG image, not a table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", r"looks like an Excel 97-2003 \(\.xls\) workbook, not a table"),
        (b"a b c\n1 2 3\n", r"'t\.csv' was read as one column named 'a b c': its fields look separated by spaces"),
    ],
)
def test_text_that_is_not_a_table_is_refused(data, match):
    with pytest.raises(DataFormatError, match=match):
        read_table(UploadedFile("t.csv", data))


def test_an_old_excel_file_named_xlsx():
    with pytest.raises(DataFormatError, match=r"'t\.xlsx' looks like an Excel 97-2003 \(\.xls\) workbook"):
        read_table(UploadedFile("t.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)))


def test_a_pipe_separated_csv_is_read_and_noted():
    df = read_table(b"a|b|c\n1|2|3\n", fmt="csv")
    assert list(df.columns) == ["a", "b", "c"] and df.attrs["hnnviz.notes"] == ("read as separated by '|', not commas",)
    assert list(read_table(b"a|b|c\n1|2|3\n4|5|6\n", fmt="txt").columns) == ["a", "b", "c"]


class Stream:
    """A binary stream with ``read`` only (no ``getvalue``), such as an open file."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


@pytest.mark.parametrize(
    ("kind", "size"), [("path", "12 KB"), ("bytes", "12 KB"), ("upload", "12 KB"), ("stream", "10 KB or more")]
)
def test_files_over_the_size_limit_are_refused_before_reading(tmp_path, kind, size):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 3000)  # 12 KB
    data = path.read_bytes()

    def source():
        return {"path": path, "bytes": data, "upload": UploadedFile("big.csv", data), "stream": Stream(data)}[kind]

    with pytest.raises(DataFormatError, match=rf"is {size}, over the 10 KB limit for a table"):
        read_table(source(), fmt="csv", max_bytes=10 * 2**10)
    assert read_table(source(), fmt="csv").shape == (3000, 2)  # the default limit is 200 MiB


def test_the_default_size_limit_is_read_at_each_call(monkeypatch):
    from hnnviz.data import _reading as reading

    monkeypatch.setattr(reading, "MAX_BYTES", 8)
    with pytest.raises(DataFormatError, match=r"'data' is 16 bytes, over the 8 bytes limit"):
        load_dataset(b"a,b\n1,2\n3,4\n5,6\n", fmt="csv")


def test_a_workbook_of_several_sheets_notes_the_one_read():
    book = two_sheet_workbook()
    assert read_table(book).attrs["hnnviz.notes"] == ("read sheet 'first', the first of 2: 'first', 'second'",)
    assert "hnnviz.notes" not in read_table(book, sheet="second").attrs
    ds = load_dataset(book, min_rows=1, min_features=1)
    assert [str(n) for n in ds.notes] == ["read sheet 'first', the first of 2: 'first', 'second'"]


def test_an_empty_sheet_is_refused():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="data", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="blank", index=False)
    with pytest.raises(DataFormatError, match=r"Sheet 'blank' of 'data' is empty"):
        read_table(buffer.getvalue(), sheet="blank")


# ---- every message stays one short line ------------------------------------------------------------------------------

MAX_MESSAGE = 300


def assert_short(text: str) -> None:
    assert "\n" not in text and len(text) <= MAX_MESSAGE, f"{len(text)} characters: {text[:400]!r}"


def test_hundreds_of_one_row_classes_give_a_short_message():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(600, 4)), columns=list("abcd"))
    df["id"] = [f"patient-{i:05d}-" + "x" * 30 for i in range(600)]
    with pytest.raises(InputValidationError, match=r"600 classes have a single row \(e\.g\. 'patient-00000-") as info:
        prepare_dataset(df, target="id")
    assert_short(str(info.value))


def test_long_names_and_lists_give_short_messages():
    wide = pd.DataFrame({f"column-{j}-" + "n" * 200: ["word"] * 12 for j in range(500)})
    with pytest.raises(TooFewFeaturesError, match=r"Dropped 500 columns: 500 non-numeric \(e\.g\. 'column-0-") as info:
        prepare_dataset(wide)
    assert_short(str(info.value))
    with pytest.raises(
        InputValidationError, match=r"Target column 'zzz' not found\. The table has 500 columns"
    ) as info:
        prepare_dataset(wide, target="zzz")
    assert_short(str(info.value))
    names = [f"c{j % 200}" + "x" * 100 for j in range(400)]
    with pytest.raises(DataFormatError, match=r"Duplicate column names in 'data': .* and 197 more\.") as info:
        read_table((",".join(names) + "\n" + ",".join(["1"] * 400) + "\n").encode(), fmt="csv")
    assert_short(str(info.value))
    with pytest.raises(InputValidationError, match=r"Target 'y' is constant \(every value is 'vvvv") as info:
        prepare_dataset(pd.DataFrame({"a": range(12), "y": ["v" * 5000] * 12}), target="y", min_features=1)
    assert_short(str(info.value))


def test_check_in_and_reprs_are_capped():
    from hnnviz._validation import check_in

    with pytest.raises(
        InputValidationError, match=r"one of 0, 1, 2, 3, 4, 5, 6, 7 \.\.\. \(500 options\)\. Got 'x+\.\.\.'"
    ) as info:
        check_in("x" * 10_000, range(500), name="k", owner="f")
    assert_short(str(info.value))
    with pytest.raises(InputValidationError, match=r"Got \[\[\], \[\]") as info:
        check_in([[]] * 10_000, (1, 2), name="k", owner="f")  # unhashable and huge
    assert_short(str(info.value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.text(max_size=300), min_size=1, max_size=12, unique=True),
    cells=st.lists(st.one_of(st.text(max_size=600), st.sampled_from(["1", "2,5", "?", "none", "1,234", ""])),
                   min_size=1),
    rows=st.integers(1, 15),
    target=st.one_of(st.none(), st.integers(0, 11), st.text(max_size=400)),
    task=st.sampled_from([None, "regression", "classification"]),
)  # fmt: skip
def test_messages_and_reports_stay_short(names, cells, rows, target, task):
    df = pd.DataFrame({name: [cells[(i + j) % len(cells)] for i in range(rows)] for j, name in enumerate(names)})
    if isinstance(target, int):
        target = names[target % len(names)]
    try:
        ds = prepare_dataset(df, target=target, task=task, min_rows=1, min_features=1)
    except HNNVizError as err:
        assert_short(str(err))
        return
    for text in [*map(str, ds.dropped), *map(str, ds.notes)]:
        assert_short(text)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(alphabet=st.sampled_from(list(',;\t|"\n\r a1.?-\x00é')), max_size=300).map(str.encode),
    ),
    st.sampled_from(["csv", "tsv", "txt", "parquet", "xlsx"]),
)
def test_any_bytes_give_a_table_or_one_short_data_format_error(data, fmt):
    try:
        df = read_table(data, fmt=fmt)
    except DataFormatError as err:
        assert_short(str(err))
        return
    try:
        prepare_dataset(df, min_rows=1, min_features=1)
    except HNNVizError as err:
        assert_short(str(err))


def test_the_example_of_a_text_column_is_a_cell_that_is_no_number():
    reading = read_numbers(pd.Series(["1,234.5", "3,14", "n/a", "abc"], index=[10, 11, 12, 13]))
    assert reading.values is None and (reading.example, reading.row, reading.n_bad) == ("abc", 14, 3)
    assert reading.missing_tokens == (("n/a", 1),)


def test_cells_that_are_neither_numbers_nor_text():
    reading = read_numbers(pd.Series(["1,234", pd.Timestamp("2020-01-02"), 2.5], dtype=object))
    assert reading.values is None and reading.example == pd.Timestamp("2020-01-02") and reading.problem == ""
    mixed = read_numbers(pd.Series(["1,234", 2.5, None], dtype=object), delimiter=",")  # e.g. a workbook column
    np.testing.assert_array_equal(mixed.values, [1234, 2.5, np.nan])


def test_planted_independent_uniform_inputs_keep_the_normal_draws():
    normal = make_planted(n_rows=400, n_features=8, interactions=(2, 2), within_group_correlation=0.0, seed=4)
    uniform = make_planted(
        n_rows=400, n_features=8, interactions=(2, 2), within_group_correlation=0.0, inputs="uniform", seed=4
    )
    X = uniform.dataset.X
    assert X.min() > -1 and X.max() < 1 and uniform.to_dict()["inputs"] == "uniform"
    np.testing.assert_array_equal(np.argsort(X, axis=0), np.argsort(normal.dataset.X, axis=0))  # one map per value
    off_diagonal = np.corrcoef(X, rowvar=False)[~np.eye(8, dtype=bool)]
    assert np.abs(off_diagonal).max() < 0.15  # independent columns


@pytest.mark.parametrize(
    ("kind", "formula"),
    [("abs-product", "t1 = |x01*x02|"), ("power", "t1 = 2^(x01 + x02)"), ("cosine", "t1 = cos(x01 + x02)"),
     ("inverse", "t1 = 1/(1 + x01² + x02²)")],
)  # fmt: skip
def test_planted_nid_style_kinds(kind: str, formula: str):
    data = make_planted(n_rows=50, n_features=4, interactions=(2,), kinds=(kind,), noise=0.0, seed=0)
    assert data.formula.startswith(formula) and np.isfinite(data.dataset.y).all()


def test_planted_rejects_unknown_inputs():
    with pytest.raises(InputValidationError, match="The 'inputs' parameter of PlantedSpec must be one of 'normal'"):
        make_planted(inputs="lognormal")
