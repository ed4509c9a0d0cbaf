"""What an analyst meets first: identifiers, leaks of the target, missing values and two-valued text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hnnviz.data import (
    MISSING_RULES,
    Encoding,
    Flag,
    Imputation,
    describe_columns,
    load_dataset,
    prepare_dataset,
)
from hnnviz.data._identifiers import find_identifiers, identifier_name
from hnnviz.data._leaks import find_leaks, training_rows
from hnnviz.exceptions import InputValidationError

N = 60


@pytest.fixture
def table() -> pd.DataFrame:
    """Five measured features (floats with no pattern) and a regression target."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(N, 5)), columns=["a", "b", "c", "d", "e"])
    df["salary"] = np.exp(rng.normal(10, 0.5, size=N))
    return df


def flags_of(ds, check: str) -> dict[str, Flag]:
    return {f.column: f for f in ds.flags if f.check == check}


# ---- 1. identifiers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (np.arange(1, N + 1), "identifier: row numbers (1 to 60, one per row)"),
        (np.arange(N), "identifier: row numbers (0 to 59, one per row)"),
        (np.random.default_rng(2).permutation(np.arange(10, 10 * N + 1, 10)), "identifier: regular steps (10 apart"),
        (np.arange(N) * 0.5 + 3.0, "identifier: regular steps (0.5 apart, 3 to 32.5"),
        (np.random.default_rng(3).permutation(np.r_[1:20, 22:40, 41:65])[:N], "a different whole number in every row"),
    ],
    ids=["rownames", "zero_based", "shuffled_steps", "float_steps", "dense_with_gaps"],
)
def test_structural_identifiers_are_dropped_with_the_reason(table, values, reason):
    table.insert(0, "n", values)
    ds = prepare_dataset(table, target="salary")
    assert "n" not in ds.feature_names and ds.n_features == 5
    assert [f.column for f in ds.flags] == ["n"] and reason in ds.flags[0].reason
    assert any(d.name == "n" and reason in d.reason for d in ds.dropped)


@pytest.mark.parametrize("name", ["id", "Id", "index", "rownames", "PID", "Unnamed: 0", "customer_id", "PatientID"])
def test_identifier_names_with_whole_numbers_are_dropped(table, name):
    table[name] = np.random.default_rng(4).integers(500_000_000, 999_999_999, size=N)  # codes with no pattern
    ds = prepare_dataset(table, target="salary")
    assert ds.feature_names == ("a", "b", "c", "d", "e")
    assert flags_of(ds, "identifier")[name].reason == f"identifier: named like one ({name!r})"


@pytest.mark.parametrize("name", ["paid", "acid", "width", "index_value", "grid"])
def test_other_names_are_not_identifier_names(name):
    assert not identifier_name(name)


def test_measurements_unique_per_row_stay(table):
    rng = np.random.default_rng(5)
    table["weight"] = rng.uniform(50, 90, size=N)  # a float with no pattern
    table["income"] = rng.choice(np.arange(20_000, 200_000), size=N, replace=False)  # whole numbers, spread wide
    table["index"] = rng.normal(size=N)  # a name like an identifier, but a measurement (not whole numbers)
    ds = prepare_dataset(table, target="salary")
    assert {"weight", "income", "index"} <= set(ds.feature_names) and ds.flags == ()


def test_an_identifier_and_its_copies_all_go(table):
    """The loader used to keep 'rownames' and drop 'id' as its duplicate: now both go, and so does a copy of PID."""
    table.insert(0, "rownames", np.arange(1, N + 1))
    table.insert(1, "id", np.arange(1, N + 1))
    table["PID"] = np.random.default_rng(6).integers(500_000_000, 999_999_999, size=N)
    table["parcel"] = table["PID"]  # no name, no pattern: a copy of an identifier
    ds = prepare_dataset(table, target="salary")
    assert ds.feature_names == ("a", "b", "c", "d", "e")
    reasons = {f.column: f.reason for f in ds.flags}
    assert reasons == {
        "rownames": "identifier: row numbers (1 to 60, one per row)",
        "id": "identifier: row numbers (1 to 60, one per row)",
        "PID": "identifier: named like one ('PID')",
        "parcel": "identifier: copy of 'PID'",
    }
    assert not any("duplicate" in d.reason for d in ds.dropped)


def test_row_numbers_are_found_before_rows_with_a_missing_target_go(table):
    table.insert(0, "rownames", np.arange(1, N + 1))
    table.loc[[3, 17], "salary"] = np.nan  # the rows left have gaps in their numbers
    ds = prepare_dataset(table, target="salary")
    assert "rownames" not in ds.feature_names and ds.n_rows == N - 2


def test_an_identifier_can_be_kept(table):
    table.insert(0, "rownames", np.arange(1, N + 1))
    ds = prepare_dataset(table, target="salary", keep=["rownames"])
    assert ds.feature_names[0] == "rownames"
    assert ds.flags == (Flag("rownames", "identifier", "identifier: row numbers (1 to 60, one per row)", kept=True),)
    assert not any(d.name == "rownames" for d in ds.dropped)
    assert "kept on request, though flagged: identifier: row numbers" in str(ds.notes[0])
    assert str(ds.flags[0]).endswith("; kept on request")


def test_small_tables_and_chosen_features_are_not_judged(table):
    assert find_identifiers(pd.DataFrame({"n": range(9)}), ["n"]) == {}  # fewer than 10 rows: no pattern judged
    table.insert(0, "rownames", np.arange(1, N + 1))
    ds = prepare_dataset(table, target="salary", drop_uninformative=False)
    assert "rownames" in ds.feature_names and ds.flags == ()


def test_incomplete_and_boolean_columns_are_not_structural_identifiers(table):
    counts = pd.array(range(N), dtype="Int64")
    counts[3] = pd.NA
    table["count"] = counts
    table["flag"] = [True, False] * (N // 2)
    assert find_identifiers(table, ["count", "flag"]) == {}


# ---- 2. leaks of the target ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [np.log, lambda y: -3.5 * y + 2.0, lambda y: np.round(y, -2), lambda y: np.sqrt(y)],
    ids=["log", "scaled", "rounded", "monotone"],
)
def test_copies_of_the_target_are_left_out(table, copy):
    table["lsalary"] = copy(table["salary"])
    ds = prepare_dataset(table, target="salary")
    assert ds.feature_names == ("a", "b", "c", "d", "e")
    flag = flags_of(ds, "leak")["lsalary"]
    assert flag.reason.startswith("leaks the target 'salary': Spearman ")
    assert flag.reason.endswith(f"with it on {len(training_rows(ds.y, 'regression'))} training rows")


def test_near_copies_go_and_correlated_features_stay(table):
    rng = np.random.default_rng(7)
    rank = table["salary"].rank()
    table["near"] = rank + rng.normal(0, 1, size=N)  # |Spearman| about 0.999
    table["related"] = rank + rng.normal(0, 15, size=N)  # about 0.7: a useful feature, not a copy
    ds = prepare_dataset(table, target="salary")
    assert "near" in flags_of(ds, "leak") and "related" in ds.feature_names


def test_an_encoded_label_is_a_function_of_the_target(table):
    table["grade"] = ["low", "mid", "high"] * (N // 3)
    table["grade_code"] = table["grade"].map({"low": 7, "mid": 2, "high": 5})  # no order: only a function
    ds = prepare_dataset(table.drop(columns="salary"), target="grade")
    assert ds.feature_names == ("a", "b", "c", "d", "e")
    assert flags_of(ds, "leak")["grade_code"].reason.startswith("leaks the target 'grade': one value for each")


def test_a_leak_can_be_kept(table):
    table["lsalary"] = np.log(table["salary"])
    ds = prepare_dataset(table, target="salary", keep=("lsalary",))
    assert "lsalary" in ds.feature_names and flags_of(ds, "leak")["lsalary"].kept


def test_leaks_are_judged_on_the_training_rows_only(table):
    ds = prepare_dataset(table, target="salary")
    fit_rows = training_rows(ds.y, ds.task)
    test_rows = np.setdiff1d(np.arange(N), fit_rows)
    assert len(test_rows) == N // 5
    only_test = np.random.default_rng(8).normal(size=N)
    only_test[test_rows] = table["salary"].to_numpy()[test_rows]  # a copy on the test rows only: not seen
    broken = np.log(table["salary"].to_numpy())
    broken[test_rows] = -broken[test_rows]  # a copy on every training row: flagged whatever the test rows hold
    ds = prepare_dataset(table.assign(only_test=only_test, broken=broken), target="salary")
    assert "only_test" in ds.feature_names and "broken" in flags_of(ds, "leak")


@pytest.mark.parametrize("n", [12, 37, 60, 178, 443])
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_training_rows_are_the_default_split_without_its_test_part(n, task):
    """The numpy copy of the default split (no scikit-learn on loading) keeps exactly the rows split_rows keeps."""
    from hnnviz.model import split_rows
    from hnnviz.specs import TrainConfig

    config = TrainConfig(defaults="hnn")
    rng = np.random.default_rng(n)
    y = rng.normal(size=n) if task == "regression" else np.sort(rng.integers(0, 3, size=n))  # classes of any size
    split = split_rows(n, y, task, val_size=config.val_size, test_size=config.test_size, seed=config.seed)
    np.testing.assert_array_equal(training_rows(y, task), np.sort(np.r_[split.train, split.val]))


def test_leak_checks_are_deterministic(table):
    table["lsalary"] = np.log(table["salary"]) + np.random.default_rng(9).normal(0, 0.01, size=N)
    first, second = (prepare_dataset(table, target="salary") for _ in range(2))
    assert first.flags == second.flags and first.feature_names == second.feature_names


def test_find_leaks_needs_ten_rows():
    y = np.arange(9.0)
    assert find_leaks(np.c_[y, y**2], ["a", "b"], y, "y") == {}


# ---- 3. missing values and two-valued text -------------------------------------------------------------------------


@pytest.fixture
def sparse(table) -> pd.DataFrame:
    """'frontage' misses 30% of its cells; 'b' misses 3 (5%)."""
    table.loc[: int(0.3 * N) - 1, "e"] = np.nan
    table.loc[[40, 41, 42], "b"] = np.nan
    return table.rename(columns={"e": "frontage"})


def test_sparse_columns_go_before_any_row_by_default(sparse):
    ds = prepare_dataset(sparse, target="salary")
    assert ds.feature_names == ("a", "b", "c", "d") and ds.n_rows == N - 3
    assert flags_of(ds, "sparse")["frontage"].reason == "missing in more than 20% of rows (30.0%)"
    assert [(d.name, d.count) for d in ds.dropped] == [("frontage", 1), ("rows with missing values", 3)]


def test_drop_rows_is_the_rule_of_old(sparse):
    ds = prepare_dataset(sparse, target="salary", missing="drop_rows")
    assert ds.n_features == 5 and ds.n_rows == N - 18 - 3 and ds.flags == ()


def test_the_sparse_threshold_and_keep(sparse):
    assert prepare_dataset(sparse, target="salary", sparse_threshold=0.35).n_features == 5
    kept = prepare_dataset(sparse, target="salary", keep=["frontage"])
    assert "frontage" in kept.feature_names and kept.n_rows == N - 21 and flags_of(kept, "sparse")["frontage"].kept


@pytest.mark.parametrize(
    ("missing", "strategy"), [("impute_median", "median"), ("impute_most_frequent", "most_frequent")]
)
def test_imputation_fills_from_the_training_rows(sparse, missing, strategy):
    sparse["b"] = np.round(sparse["b"])  # whole numbers, so that one value is the most frequent
    ds = prepare_dataset(sparse, target="salary", missing=missing)
    assert ds.n_rows == N and ds.n_features == 5 and np.isfinite(ds.X).all()
    rows = training_rows(ds.y, ds.task)
    b = sparse["b"].to_numpy()[rows]
    b = b[np.isfinite(b)]
    values, counts = np.unique(b, return_counts=True)
    expected = float(np.median(b)) if strategy == "median" else float(values[np.argmax(counts)])
    filled = {i.column: i for i in ds.imputations}
    assert filled["b"] == Imputation("b", strategy, expected, 3)
    assert filled["frontage"].count == 18
    np.testing.assert_array_equal(ds.X[[40, 41, 42], 1], expected)
    assert any(n.column == "b" and n.text.startswith("filled 3 missing cells with the ") for n in ds.notes)


def test_two_valued_text_becomes_zero_one(table):
    table["sex"] = ["m", "f", "f"] * (N // 3)
    table["smoker"] = ["yes", "no", "?", "no"] * (N // 4)
    table["colour"] = ["red", "green", "blue"] * (N // 3)
    ds = prepare_dataset(table, target="salary", missing="impute_most_frequent")
    assert ds.encodings == (Encoding("sex", ("f", "m")), Encoding("smoker", ("no", "yes")))
    assert ds.X[:3, ds.feature_names.index("sex")].tolist() == [1.0, 0.0, 0.0]
    assert ds.X[:4, ds.feature_names.index("smoker")].tolist() == [1.0, 0.0, 0.0, 0.0]  # '?' filled with 'no'
    assert "colour" not in ds.feature_names
    summary = describe_columns(table, ds).set_index("column")
    assert (
        summary.loc["sex", "role"] == "feature"
        and summary.loc["sex", "why"] == "read 'f' as 0 and 'm' as 1 (two values)"
    )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"missing": "drop"}, r"The 'missing' parameter of prepare_dataset must be one of 'drop_rows', "),
        ({"sparse_threshold": 1.5}, r"The 'sparse_threshold' parameter of prepare_dataset must be a number in \[0"),
        ({"keep": "a"}, r"The 'keep' parameter of prepare_dataset must be a list of column names\. Got 'a' instead"),
        ({"keep": ["aa"]}, r"names 1 column\(s\) the table lacks: 'aa'\. Did you mean 'a'\?"),
        ({"keep": ["salary"]}, r"names the target 'salary': the target is never a feature"),
    ],
)
def test_bad_options(table, options, match):
    with pytest.raises(InputValidationError, match=match):
        prepare_dataset(table, target="salary", **options)


def test_missing_rules_are_listed():
    assert MISSING_RULES == ("drop_rows", "drop_sparse_columns", "impute_median", "impute_most_frequent")


# ---- the table of the issue ----------------------------------------------------------------------------------------


def test_what_an_analyst_meets_first(table, tmp_path):
    """Row numbers, a copy, a parcel ID, a log of the target, a two-valued column and one sparse column."""
    table.insert(0, "rownames", np.arange(1, N + 1))
    table.insert(1, "id", np.arange(1, N + 1))
    table["PID"] = np.random.default_rng(10).integers(500_000_000, 999_999_999, size=N)
    table["lsalary"] = np.log(table["salary"])
    table["sex"] = ["f", "m"] * (N // 2)
    table["Lot.Frontage"] = np.random.default_rng(11).uniform(20, 120, size=N)
    table.loc[: N // 3, "Lot.Frontage"] = np.nan  # a third missing: it goes, not a third of the rows
    path = tmp_path / "salaries.csv"
    table.to_csv(path, index=False)
    ds = load_dataset(path, target="salary")
    assert ds.feature_names == ("a", "b", "c", "d", "e", "sex") and ds.n_rows == N
    assert [(f.column, f.check) for f in ds.flags] == [
        ("rownames", "identifier"), ("id", "identifier"), ("PID", "identifier"), ("Lot.Frontage", "sparse"),
        ("lsalary", "leak"),
    ]  # fmt: skip
