"""AppTest of the Streamlit app: every page on every bundled sample, uploads, choices that persist, errors.

Pages are switched with ``AppTest.switch_page`` (the page scripts live in ``app_pages/``). Widgets are found
by their keys, which :class:`app_pages.shared.state.Keys` defines once.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.shared import common, sessions
from app_pages.shared.state import Keys
from hnnviz.data import SAMPLES, load_sample
from hnnviz.explanation import explain, order_split
from hnnviz.model import train_run
from hnnviz.specs import ModelSpec, default_config

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


def csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# 12 rows: five numeric features, a constant column and a text column ('a' is no row number: those are identifiers).
MIXED = csv(
    "a,b,c,d,e,const,city",
    [f"{i * i % 13},{i * i % 7},{(3 * i) % 5},{i % 4},{(i * 5) % 11},2,c{i % 3}" for i in range(12)],
)
TWO_NUMERIC = csv("x,y,label", [f"{i},{i * i % 5},t{i}" for i in range(12)])


def visit(app: AppTest, page: str) -> AppTest:
    app.switch_page(f"app_pages/{page}.py").run()
    return app


def use_sample(app: AppTest, name: str) -> AppTest:
    button = visit(app, "data").button(key=f"data.use.{name}")
    if not button.disabled:  # a disabled button is the sample already in use
        button.click().run()
    return app


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    visit(app, "data").file_uploader(key=Keys.UPLOAD).set_value((name, data, "application/octet-stream")).run()
    return app


def open_tab(app: AppTest, key: str, label: str) -> AppTest:
    """Open a tab of a page whose tabs draw only when opened."""
    app.session_state[key] = label
    return app.run()


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def charts(app: AppTest) -> list[dict]:
    """Decoded JSON of every plotly chart on the page."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def traces(app: AppTest, meta: str) -> list[dict]:
    return [t for chart in charts(app) for t in chart["data"] if t.get("meta") == meta]


def array(value) -> np.ndarray:
    """A plotly JSON array: a list, or plotly's base64 typed array ``{"dtype", "bdata"[, "shape"]}``."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value["shape"]).split(",")]) if "shape" in value else flat
    return np.asarray(value)


def shown(elements) -> list[str]:
    """The text of alerts as the user reads it (the app escapes markdown in messages)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def assert_ok(app: AppTest) -> None:
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]


# ---- every page on every bundled sample ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_page_works_on_every_bundled_sample(at, name):
    ds = load_sample(name)
    use_sample(at, name)
    assert_ok(at)
    assert metrics(at)["Features"] == str(ds.n_features)
    assert metrics(at)["Rows used"] == f"{ds.n_rows:,}"
    visit(at, "network")
    assert_ok(at)
    p = ds.n_features
    assert metrics(at)["Nodes"] == str(p) and metrics(at)["Edges"] == str(3 * p - 6)  # a TMFG
    assert len(array(traces(at, "nodes")[0]["x"])) == p
    visit(at, "complex")
    assert_ok(at)
    assert metrics(at)["f-vector"] == f"{p}, {3 * p - 6}, {3 * p - 8}, {p - 3}"
    assert metrics(at)["Betti numbers"] == "1, 0, 0, 0"


# ---- the data page -----------------------------------------------------------------------------------------


def test_landing_page_describes_the_default_sample_column_by_column(at):
    assert [t.value for t in at.title] == ["Data"]
    assert at.sidebar.selectbox(key=Keys.SOURCE).value == "sample:diabetes"
    assert at.sidebar.selectbox(key=Keys.TARGET).value == "target"
    assert metrics(at) == {"Rows used": "442", "Features": "10", "Target": "target", "Task": "regression"}
    columns = next(df.value for df in at.dataframe if "role" in df.value.columns)
    assert len(columns) == 11 and columns.set_index("column").loc["target", "role"] == "target"


def test_a_task_can_be_overridden(at):
    use_sample(at, "wine")
    assert metrics(at)["Task: classification"] == "3 classes"
    assert at.selectbox(key=Keys.TASK).format_func(None) == "inferred: classification"
    at.selectbox(key=Keys.TASK).select("regression").run()
    assert_ok(at)
    assert metrics(at)["Task"] == "regression"


def test_an_impossible_task_is_a_plain_message(at):
    at.selectbox(key=Keys.TASK).select("classification").run()  # diabetes' target has many one-row values
    assert not at.exception
    assert "needs at least 2 rows" in shown(at.error)[0]


def test_an_uploaded_table_becomes_the_current_one_and_reports_its_drops(at):
    upload(at, "mixed.csv", MIXED)
    assert_ok(at)
    assert at.sidebar.selectbox(key=Keys.SOURCE).value.startswith("upload:")
    assert at.sidebar.selectbox(key=Keys.TARGET).value == common.UNSET  # shown as "— none —"
    summary = next(df.value for df in at.dataframe if "role" in df.value.columns).set_index("column")
    assert summary.loc["const", "role"] == "dropped" and "constant" in summary.loc["const", "why"]
    assert summary.loc["city", "role"] == "dropped" and "non-numeric" in summary.loc["city", "why"]
    assert metrics(at)["Features"] == "5"
    visit(at, "network")
    assert_ok(at)
    assert metrics(at)["Nodes"] == "5"


def test_a_workbook_with_several_sheets_offers_them(at):
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.read_csv(io.BytesIO(MIXED)).to_excel(writer, sheet_name="raw", index=False)
        pd.DataFrame(load_sample("wine").X[:, :6], columns=list("uvwxyz")).to_excel(
            writer, sheet_name="wine", index=False
        )
    upload(at, "book.xlsx", buffer.getvalue())
    assert_ok(at)
    assert at.selectbox(key=Keys.SHEET).options == ["raw", "wine"]
    assert metrics(at)["Features"] == "5"
    at.selectbox(key=Keys.SHEET).select("wine").run()
    assert_ok(at)
    assert metrics(at)["Features"] == "6"
    visit(at, "network")
    assert_ok(at)
    assert metrics(at)["Nodes"] == "6"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("two.csv", TWO_NUMERIC, "at least 4 are needed"),
        ("bad.csv", b"\xff\xfe\x00garbage\x00", "is not UTF-8 text"),
        ("empty.csv", b"", "is empty"),
    ],
)
def test_a_bad_upload_is_a_plain_message_on_every_page(at, name, data, message):
    upload(at, name, data)
    assert not at.exception
    assert message in " ".join(shown(at.error))
    for page in ("network", "complex"):
        visit(at, page)
        assert not at.exception
        assert message in " ".join(shown(at.error))
        assert not at.get("plotly_chart")  # the page stops after saying what is wrong
    use_sample(at, "wine")  # and the user can carry on with another table
    assert_ok(at)


def test_a_workbook_that_cannot_be_opened_is_refused_and_the_table_in_use_stays(at):
    upload(at, "broken.xlsx", b"PK\x03\x04 not really a workbook")
    assert not at.exception
    assert shown(at.error) == [
        "Cannot read 'broken.xlsx' as an xlsx workbook (corrupt or not xlsx): File is not a zip file"
    ]
    assert at.sidebar.selectbox(key=Keys.SOURCE).value == "sample:diabetes"
    visit(at, "network")
    assert_ok(at)


# ---- choices that hold across pages, and the link ----------------------------------------------------------


def test_selects_show_the_value_in_force_never_an_empty_box(at):
    """Streamlit draws a select holding None as "Choose an option": a default in force is shown by name."""
    task = at.selectbox(key=Keys.TASK)
    assert task.index == 0 and task.format_func(task.value) == "inferred: regression"
    visit(at, "train")
    order = at.selectbox(key=Keys.TRAIN_MAX_ORDER)
    assert order.index == 0 and order.format_func(order.value) == "every order"
    visit(at, "data")
    visit(at, "train")  # its value is kept across pages, still shown
    assert at.selectbox(key=Keys.TRAIN_MAX_ORDER).index == 0
    at.sidebar.selectbox(key=Keys.TARGET).select(common.UNSET).run()
    target = at.sidebar.selectbox(key=Keys.TARGET)
    assert target.index == 0 and target.format_func(target.value) == common.NO_TARGET
    visit(at, "network")
    assert at.selectbox(key=Keys.SEARCH).index is None  # nothing searched: the placeholder says what to do
    assert at.selectbox(key=Keys.SEARCH).placeholder == "type to search"


def test_results_tables_have_plain_column_names_and_readable_numbers(at):
    train(at)
    results = next(df.value for df in at.dataframe if "parameters" in df.value.columns)
    assert list(results.columns) == [
        "model", "parameters", "R²", "RMSE", "MAE", "epochs", "best epoch", "stopped", "seconds"
    ]  # fmt: skip
    job = app_state(at).training
    assert results["parameters"].tolist() == [f"{run.model.n_params:,}" for run in job.runs.values()]
    assert not results.isna().any().any()


def test_choices_survive_switching_pages_and_coming_back(at):
    use_sample(at, "breast_cancer")
    at.sidebar.selectbox(key=Keys.SIMILARITY).select("spearman2").run()
    visit(at, "network")
    at.segmented_control(key=Keys.LAYOUT).set_value("spring").run()
    at.selectbox(key=Keys.SEARCH).select("mean radius").run()
    assert_ok(at)
    visit(at, "complex")
    at.number_input(key=Keys.CHANNELS).set_value(2).run()
    assert at.sidebar.selectbox(key=Keys.SOURCE).value == "sample:breast_cancer"
    assert at.sidebar.selectbox(key=Keys.SIMILARITY).value == "spearman2"
    visit(at, "network")
    assert_ok(at)
    assert at.segmented_control(key=Keys.LAYOUT).value == "spring"
    assert at.selectbox(key=Keys.SEARCH).value == "mean radius"
    assert at.sidebar.selectbox(key=Keys.TARGET).value == "diagnosis"
    visit(at, "complex")
    assert at.number_input(key=Keys.CHANNELS).value == 2
    visit(at, "data")
    assert at.button(key="data.use.breast_cancer").disabled  # still the table in use


def test_the_link_carries_the_choices(at):
    use_sample(at, "wine")
    at.sidebar.selectbox(key=Keys.METHOD).select("mst").run()
    assert at.query_params["data"] == "sample:wine" and at.query_params["method"] == "mst"
    shared = AppTest.from_file(str(APP), default_timeout=30)
    shared.query_params.update({"data": "sample:wine", "target": "cultivar", "method": "mst", "similarity": "abs"})
    shared.switch_page("app_pages/network.py").run()
    assert_ok(shared)
    assert metrics(shared)["Nodes"] == "13" and metrics(shared)["Edges"] == "12"  # a spanning tree
    assert shared.sidebar.selectbox(key=Keys.SIMILARITY).value == "abs"


def test_a_link_to_an_uploaded_table_asks_for_it_and_then_applies_its_choices(at):
    rows = np.random.default_rng(0).normal(size=(40, 5)).round(4)
    table = csv("u,v,w,x,y", [",".join(map(str, row)) for row in rows])
    upload(at, "floats.csv", table)
    at.sidebar.selectbox(key=Keys.TARGET).select("y").run()
    at.sidebar.selectbox(key=Keys.METHOD).select("mst").run()
    assert_ok(at)
    params = dict(at.query_params)
    assert params["data"].startswith("upload:") and params["name"] == "floats.csv"
    shared = AppTest.from_file(str(APP), default_timeout=30)
    shared.query_params.update(params)
    shared.run()
    assert_ok(shared)
    note = shown(shared.sidebar.info)
    assert note and "uploaded table, floats.csv" in note[0] and "upload it again" in note[0]
    assert shared.sidebar.selectbox(key=Keys.SOURCE).value == "sample:diabetes"  # until the table comes back
    upload(shared, "floats.csv", table)
    assert_ok(shared)
    assert shared.sidebar.selectbox(key=Keys.SOURCE).value == params["data"]
    assert shared.sidebar.selectbox(key=Keys.TARGET).value == "y"
    assert shared.sidebar.selectbox(key=Keys.METHOD).value == "mst"
    assert not shown(shared.sidebar.info)


def test_a_link_with_nonsense_falls_back_to_the_defaults():
    shared = AppTest.from_file(str(APP), default_timeout=30)
    shared.query_params.update({"data": "upload:feedface", "method": "nope", "k": "x", "seed": "-3"})
    shared.run()
    assert_ok(shared)
    assert shared.sidebar.selectbox(key=Keys.SOURCE).value == "sample:diabetes"
    assert shared.sidebar.selectbox(key=Keys.METHOD).value == "tmfg"


# ---- the network page --------------------------------------------------------------------------------------


def test_network_page_draws_the_tmfg_without_crossings_and_every_view(at):
    visit(at, "network")
    assert_ok(at)
    assert metrics(at)["Nodes"] == "10" and metrics(at)["Edges"] == "24" and metrics(at)["Cliques"] == "7"
    assert at.segmented_control(key=Keys.LAYOUT).options == ["planar", "spring"]
    assert len(traces(at, "triangles")) >= 1  # the planar drawing shades the triangles
    assert not at.get("iframe") and not traces(at, "similarity")  # a tab draws only when opened
    assert len(open_tab(at, Keys.NETWORK_TAB, "Interactive").get("iframe")) == 1  # the offline pyvis view
    assert traces(open_tab(at, Keys.NETWORK_TAB, "Similarity"), "similarity")
    assert traces(open_tab(at, Keys.NETWORK_TAB, "Clique tree"), "cliques")
    assert_ok(at)


def test_searching_a_feature_lists_its_neighbourhood(at):
    visit(at, "network")
    at.selectbox(key=Keys.SEARCH).select("bmi").run()
    assert_ok(at)
    neighbours = next(df.value for df in at.dataframe if "neighbour" in df.value.columns)
    cliques = next(df.value for df in at.dataframe if "clique" in df.value.columns)
    assert len(neighbours) >= 3 and neighbours["weight"].is_monotonic_decreasing
    assert all("bmi" in c.split(", ") for c in cliques["clique"])
    assert traces(at, "highlight")


def test_bootstrap_stability_colours_the_edges(at):
    open_tab(visit(at, "network"), Keys.NETWORK_TAB, "Stability")
    at.number_input(key=Keys.N_BOOT).set_value(5).run()
    at.button(key=Keys.RUN_STABILITY).click().run()
    assert_ok(at)
    score = float(metrics(at)["Stability"])
    assert 0.0 < score <= 1.0
    table = next(df.value for df in at.dataframe if "frequency" in df.value.columns)
    assert len(table) == 24 and set(np.round(table["frequency"] * 5, 6)) <= {0.0, 1.0, 2.0, 3.0, 4.0, 5.0}
    assert table["frequency"].mean() == pytest.approx(score, abs=0.005)  # the metric shows two decimals
    at.run()  # the result stays for this session
    assert "Stability" in metrics(at)


def test_two_filters_side_by_side(at):
    open_tab(visit(at, "network"), Keys.NETWORK_TAB, "Compare")
    assert at.selectbox(key=Keys.COMPARE_METHOD).value == "mst"
    assert_ok(at)
    m = metrics(at)
    assert m["Shared edges"] == "9" and m["Only MST on pearson2"] == "0"  # a TMFG contains the maximum spanning tree
    assert m["Only TMFG on pearson2"] == "15" and m["Jaccard"] == f"{9 / 24:.2f}"


def test_mfcf_options_appear_in_the_sidebar_and_shape_the_complex(at):
    visit(at, "complex")
    at.sidebar.selectbox(key=Keys.METHOD).select("mfcf").run()
    at.sidebar.number_input(key=Keys.MAX_CLIQUE_SIZE).set_value(3).run()
    assert_ok(at)
    assert len(metrics(at)["f-vector"].split(", ")) == 3  # no tetrahedra with cliques of 3
    at.sidebar.number_input(key=Keys.MAX_CLIQUE_SIZE).set_value(12).run()
    assert_ok(at)  # a clique as large as the table: the complete graph, every subset a simplex
    assert metrics(at)["f-vector"] == "10, 45, 120, 210, 252, 210, 120, 45, 10, 1"


def test_a_wide_table_gets_the_light_view(at):
    rng = np.random.default_rng(0)
    factors = rng.normal(size=(60, 20))
    wide = pd.DataFrame(factors[:, rng.integers(0, 20, size=350)] + rng.normal(size=(60, 350)))
    wide.columns = [f"c{j}" for j in range(350)]
    upload(at, "wide.csv", wide.to_csv(index=False).encode())
    visit(at, "network")
    assert_ok(at)
    assert metrics(at)["Nodes"] == "350"
    nodes = traces(at, "nodes")
    assert nodes and all(t["type"] == "scattergl" for t in nodes)
    assert not at.get("iframe") and not traces(at, "triangles") and not traces(at, "similarity")


# ---- the complex page --------------------------------------------------------------------------------------


def test_complex_page_lists_simplices_and_the_hnn_they_define(at):
    visit(at, "complex")
    assert_ok(at)
    assert metrics(at)["Euler characteristic"] == "1"
    at.multiselect(key=Keys.TABLE_ORDERS).select(3).run()
    table = next(df.value for df in at.dataframe if "simplex" in df.value.columns)
    assert len(table) == 7 and set(table["order"]) == {3}
    at.multiselect(key=Keys.TABLE_FEATURES).select("bmi").run()
    table = next(df.value for df in at.dataframe if "simplex" in df.value.columns)
    assert 0 < len(table) < 7 and all("bmi" in s.split(", ") for s in table["simplex"])
    at.number_input(key=Keys.CHANNELS).set_value(1).run()
    assert metrics(at)["HNN parameters"] == f"{34 * 10 - 73:,}"  # SPEC §5: 34p - 73 with one channel
    layers = next(df.value for df in at.dataframe if "units" in df.value.columns)
    assert layers["units"].tolist() == [10, 24, 22, 7]
    assert traces(at, "units") and traces(at, "tetrahedra")


def test_complex_drawing_shows_only_the_orders_asked_for(at):
    visit(at, "complex")
    at.pills(key=Keys.ORDERS).set_value([1]).run()
    assert_ok(at)
    assert traces(at, "edges") and not traces(at, "triangles") and not traces(at, "tetrahedra")


# ---- train, explain, lab ------------------------------------------------------------------------------------

WAIT = 300  # seconds a background job may take on a busy machine


def app_state(app: AppTest):
    return app.session_state["hnnviz.app"]


def train(app: AppTest, epochs: int = 4) -> AppTest:
    """Train the HNN and the MLP for a few real epochs on the Train page, and show the results."""
    visit(app, "train")
    app.number_input(key=Keys.TRAIN_EPOCHS).set_value(epochs).run()
    app.button(key=Keys.TRAIN_START).click().run()
    assert app_state(app).training.wait(WAIT)
    return app.run()


@pytest.mark.parametrize("name", [n for n, info in SAMPLES.items() if info.target is not None])
def test_train_explain_and_lab_on_every_bundled_sample_with_a_target(at, name):
    use_sample(at, name)
    train(at)
    assert_ok(at)
    results = next(df.value for df in at.dataframe if "parameters" in df.value.columns)
    assert results["model"].tolist() == ["HNN", "MLP"] and (results["epochs"] == 4).all()
    job = app_state(at).training
    ratio = job.runs["MLP"].model.n_params / job.runs["HNN"].model.n_params
    assert metrics(at)["Dense MLP / HNN parameters"] == f"{ratio:.1f}x"
    kind = "predictions" if SAMPLES[name].task == "regression" else "confusion"
    assert len(traces(at, kind)) == 2  # one panel per model
    visit(at, "explain")
    assert_ok(at)
    ranking = next(df.value for df in at.dataframe if "effect" in df.value.columns)  # pure effects by default
    assert [key[0] for key in app_state(at).pure] == [job.runs["HNN"].fingerprint] and len(ranking) == 15
    at.selectbox(key=Keys.EXPLAIN_METHOD).select("gxa").run()  # what each unit carries
    assert_ok(at)
    ranking = next(df.value for df in at.dataframe if "simplex" in df.value.columns)
    expected = job.runs["HNN"].predictions(job.dataset).rows  # the test rows
    attribution = next(iter(app_state(at).attributions.values()))
    assert attribution.n_rows == len(expected) and len(ranking) == 15


def test_a_table_without_target_cannot_train(at):
    use_sample(at, "sp500_returns")
    visit(at, "train")
    assert not at.exception
    assert shown(at.error) == ["Training needs a target: choose the column to predict in the sidebar."]


def test_a_bad_training_setting_is_refused_in_plain_words(at):
    visit(at, "train")
    at.number_input(key=Keys.TRAIN_LR).set_value(0.0).run()
    assert not at.exception
    assert "The 'lr' parameter of TrainConfig must be a number in (0" in shown(at.error)[0]
    assert not at.button  # nothing to start with a bad setting


def test_training_can_be_paused_resumed_and_stopped_between_epochs(at):
    use_sample(at, "planted_interactions")
    visit(at, "train")
    at.number_input(key=Keys.TRAIN_EPOCHS).set_value(300).run()
    at.button(key=Keys.TRAIN_START).click().run()
    job = app_state(at).training
    at.button(key="train.pause").click().run()
    time.sleep(0.5)
    held = job.epochs_done
    time.sleep(0.5)
    assert job.state == "paused" and job.epochs_done == held
    at.button(key="train.resume").click().run()
    assert job.state == "running"
    at.button(key="train.stop").click().run()
    assert job.wait(WAIT) and job.state == "stopped"
    at.run()
    assert_ok(at)
    results = next(df.value for df in at.dataframe if "parameters" in df.value.columns)
    assert results["model"].tolist() == ["HNN"] and results["stopped"].tolist() == ["by hand"]


def test_baselines_over_several_seeds(at):
    visit(at, "train")
    at.number_input(key=Keys.COMPARE_SEEDS).set_value(2).run()
    at.multiselect(key=Keys.COMPARE_MODELS).set_value(["linear", "gbm"]).run()
    at.button(key=Keys.COMPARE_START).click().run()
    assert app_state(at).comparison.wait(WAIT)
    at.run()
    assert_ok(at)
    summary = next(df.value for df in at.dataframe if "seeds" in df.value.columns)
    assert summary["model"].tolist() == ["linear", "gbm"] and (summary["seeds"] == 2).all()
    assert list(summary.columns) == ["model", "test R²", "± std", "parameters", "vs HNN", "seconds", "seeds"]
    assert summary["vs HNN"].tolist() == ["—", "—"] and summary["parameters"].iloc[1].endswith("tree nodes")
    assert len(traces(at, "seed-scores")) == 2


def test_explain_needs_a_trained_model(at):
    visit(at, "explain")
    assert not at.exception and not at.get("plotly_chart")
    assert "Train a model first" in at.info[0].value


def test_explaining_one_row_every_method_knock_out_and_faithfulness(at):
    train(at)
    visit(at, "explain")
    for method in ("ig", "ablation", "gxa"):
        at.selectbox(key=Keys.EXPLAIN_METHOD).select(method).run()
        assert_ok(at)
    at.segmented_control(key=Keys.EXPLAIN_SCOPE).set_value("one row").run()
    open_tab(at, Keys.EXPLAIN_TAB, "One row")
    assert_ok(at)
    job = app_state(at).training
    row = at.selectbox(key=Keys.EXPLAIN_ROW).value
    (waterfall,) = traces(at, "order-split")
    expected = order_split(job.runs["HNN"], job.dataset.X[[row]])[0]
    assert np.allclose(array(waterfall["y"])[: len(expected)], expected)
    open_tab(at, Keys.EXPLAIN_TAB, "Knock out")
    overall = app_state(at).attributions[(job.runs["HNN"].fingerprint, "gxa", None)]
    at.multiselect(key=Keys.EXPLAIN_KNOCKOUT).set_value([overall.ranking(top=1)[0].features]).run()
    assert_ok(at)
    assert "Test R²" in metrics(at)
    open_tab(at, Keys.EXPLAIN_TAB, "Faithfulness")
    at.button(key=Keys.EXPLAIN_CHECK).click().run()
    assert next(iter(app_state(at).checks.values())).wait(WAIT)
    at.run()
    assert_ok(at)
    verdicts = next(df.value for df in at.dataframe if "verdict" in df.value.columns)
    assert verdicts["check"].tolist() == [
        "deletion beats random", "insertion beats random", "cascading randomisation", "permuted labels",
    ]  # fmt: skip
    assert traces(at, "random-band")


def test_the_inspector_looks_inside_the_chosen_simplex(at):
    """The panel under the ranking shows the top simplex first, then the one picked (as a click would), its unit
    or the prediction, at the training mean or at the chosen row, with the reading computed by the core."""
    use_sample(at, "planted_shapes")
    train(at, epochs=6)
    visit(at, "explain")
    at.selectbox(key=Keys.EXPLAIN_METHOD).select("gxa").run()  # the inspector looks inside units
    assert_ok(at)
    job = app_state(at).training
    run = job.runs["HNN"]
    ranked = [s.features for s in app_state(at).attributions[(run.fingerprint, "gxa", None)].ranking()]
    assert at.selectbox(key=Keys.INSPECT_SIMPLEX).value == ranked[0]
    shares = app_state(at).attributions[(run.fingerprint, "gxa", None)].order_shares()
    expected = f"Share of what the units carry, by order: inputs {shares[0]:.0%}, edges {shares[1]:.0%}"
    assert any(caption.startswith(expected) for caption in shown(at.caption))
    edge = next(features for features in ranked[1:] if len(features) == 2)
    at.session_state[Keys.INSPECT_SIMPLEX] = edge  # what a click on its bar or on its edge sets
    at.run()
    assert_ok(at)
    response = app_state(at).inspections[(run.fingerprint, edge, "mean", None)]
    (surface,) = traces(at, "surface")
    assert np.allclose(array(surface["z"]), response.unit.T)  # rows of the map: second feature
    assert f"**Shape:** {response.unit_reading.text}" in shown(at.markdown)
    at.segmented_control(key=Keys.INSPECT_SHOW).set_value("prediction").run()
    assert_ok(at)
    assert f"**Shape:** {response.prediction_reading.text}" in shown(at.markdown)
    (surface,) = traces(at, "surface")
    assert np.allclose(array(surface["z"]), response.prediction.T)
    at.segmented_control(key=Keys.EXPLAIN_SCOPE).set_value("one row").run()
    row = at.selectbox(key=Keys.EXPLAIN_ROW).value
    at.segmented_control(key=Keys.INSPECT_REFERENCE).set_value(row).run()
    assert_ok(at)
    assert np.array_equal(app_state(at).inspections[(run.fingerprint, edge, row, None)].reference, job.dataset.X[row])

    at.button(key=Keys.REPORT_MAKE).click().run()  # the offline report of this run, for download
    assert_ok(at)
    page = app_state(at).reports[run.fingerprint]
    assert page.startswith("<!DOCTYPE html>") and "planted_shapes" in page and 'id="faithfulness"' in page
    mlp = f"{job.runs['MLP'].result.metrics['test']['r2']:.4g}"
    assert "<td>mlp</td>" in page and mlp in page  # the MLP trained beside the HNN, with its own test score
    assert at.get("download_button")


def test_the_lab_scores_what_it_planted(at):
    visit(at, "lab")
    at.number_input(key=Keys.LAB_ROWS).set_value(600).run()
    at.button(key=Keys.LAB_START).click().run()
    job = app_state(at).lab
    assert job.wait(WAIT) and job.state == "done", job.error
    at.run()
    assert_ok(at)
    m = metrics(at)
    assert (
        m["Structure recall"] == f"{job.result.recall:.2f}" and m["Precision@3"] == f"{job.result.precision_at_k:.2f}"
    )
    assert len(traces(at, "group")) == 3  # the planted groups marked on the drawing
    assert at.code[0].value.startswith("t1 = x01*x02\nt2 = sin(x03 + x04 + x05)")


def test_a_lab_without_groups_says_why(at):
    visit(at, "lab")
    at.session_state[Keys.LAB_GROUPS] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0, 1, 2]}
    at.run()
    at.button(key=Keys.LAB_START).click().run()
    assert not at.exception and app_state(at).lab is None  # refused before any work starts
    assert "The 'interactions' parameter of PlantedSpec must be a non-empty sequence" in shown(at.error)[0]


# ---- lesson mode, saving and sharing ----------------------------------------------------------------------


def test_lesson_mode_explains_each_page_and_hides_advanced_controls(at):
    at.sidebar.toggle(key=Keys.LESSON).set_value(True).run()
    for page in ("data", "network", "complex", "train", "explain", "lab"):
        visit(at, page)
        assert not at.exception
        assert at.info, page  # a short explanation on every page
    visit(at, "train")
    keys = {w.key for w in at.number_input}
    assert Keys.TRAIN_LR not in keys and Keys.TRAIN_BATCH not in keys and Keys.TRAIN_EPOCHS in keys
    assert at.query_params["lesson"] == "1"  # a teacher's link opens in lesson mode


def test_a_saved_session_reopens_with_its_table_and_models(at):
    use_sample(at, "wine")
    train(at)
    payload = sessions.export_session(app_state(at), include_data=True)
    other = AppTest.from_file(str(APP), default_timeout=30)
    other.run()
    other.sidebar.file_uploader(key=Keys.SHARE_IMPORT).set_value(("session.zip", payload, "application/zip")).run()
    assert_ok(other)
    assert other.sidebar.selectbox(key=Keys.SOURCE).value.startswith("upload:")
    assert other.sidebar.selectbox(key=Keys.TARGET).value == "cultivar"
    before, after = app_state(at).training, app_state(other).training
    X = before.dataset.X
    time.sleep(1.0)  # a restored job must not train again in the background (it once retrained every model)
    for name in before.runs:
        assert np.array_equal(before.runs[name].predict(X), after.runs[name].predict(after.dataset.X))
        assert len(after.history[name]) == len(before.history[name])
    assert not after._thread.is_alive() and after.state == "done"
    visit(other, "explain")
    assert_ok(other)


def test_a_session_saved_by_the_flat_layout_version_reopens_with_the_same_models(at):
    """tests/fixtures/legacy/session_wine.zip was written by main at 2db17dc, before the stage sub-packages."""
    legacy = ROOT / "tests" / "fixtures" / "legacy"
    payload = (legacy / "session_wine.zip").read_bytes()
    at.sidebar.file_uploader(key=Keys.SHARE_IMPORT).set_value(("session.zip", payload, "application/zip")).run()
    assert_ok(at)
    assert at.sidebar.selectbox(key=Keys.SOURCE).value == "sample:wine"
    job, want = app_state(at).training, json.loads((legacy / "session_wine_expected.json").read_text())
    for name in ("HNN", "MLP"):
        np.testing.assert_array_equal(job.runs[name].predict(job.dataset.X[:25]), np.array(want[name]))
    visit(at, "explain")
    assert_ok(at)


def test_a_session_without_its_table_names_what_to_upload(at):
    upload(at, "mixed.csv", MIXED)
    payload = sessions.export_session(app_state(at), include_data=False)
    other = AppTest.from_file(str(APP), default_timeout=30)
    other.run()
    other.sidebar.file_uploader(key=Keys.SHARE_IMPORT).set_value(("session.zip", payload, "application/zip")).run()
    assert not other.exception
    assert shown(other.sidebar.error) == [
        "The bundle does not hold its table: upload mixed.csv first, then open it again."
    ]
    assert other.sidebar.selectbox(key=Keys.SOURCE).value == "sample:diabetes"  # nothing changed


def test_a_hostile_session_file_is_refused_without_running_it(at, tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", pickle.dumps(Payload()))
        archive.writestr("../../evil.py", "print('no')")
    at.sidebar.file_uploader(key=Keys.SHARE_IMPORT).set_value(("evil.zip", buffer.getvalue(), "application/zip")).run()
    assert not at.exception and not marker.exists()
    assert shown(at.sidebar.error)[0].startswith("Cannot read bundle")


# ---- the app's structure ----------------------------------------------------------------------------------


def test_widget_keys_are_unique_and_carry_their_page():
    keys = {name: value for name, value in vars(Keys).items() if name.isupper()}
    assert len(set(keys.values())) == len(keys)
    pages = {"sidebar", "data", "network", "complex", "train", "explain", "lab"}
    assert {value.split(".")[0] for value in keys.values()} <= pages


def test_the_core_package_never_imports_streamlit():
    code = (
        "import pkgutil, importlib, sys, hnnviz\n"
        "for m in pkgutil.walk_packages(hnnviz.__path__, 'hnnviz.'): importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_names_that_look_like_markup_are_shown_as_typed(at):
    names = ["**bold**", "$x^2$", ":red[alarm]", "<b>tag</b>", "plain"]
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(40, 5)), columns=names)
    upload(at, "*star*.csv", table.to_csv(index=False).encode())
    assert_ok(at)
    assert at.subheader[-1].value == r"Current table: \*star\*\.csv \(uploaded\)"  # escaped markdown
    summary = next(df.value for df in at.dataframe if "role" in df.value.columns)
    assert summary["column"].tolist() == names  # tables show names as they are
    visit(at, "network")
    at.selectbox(key=Keys.SEARCH).select("**bold**").run()
    assert_ok(at)
    assert r"\*\*bold\*\*" in at.markdown[-1].value


def test_the_app_trains_and_explains_exactly_as_the_api_with_the_same_seed(at):
    use_sample(at, "wine")
    visit(at, "train")
    at.number_input(key=Keys.TRAIN_SEED).set_value(3).run()
    train(at, epochs=6)
    visit(at, "explain")
    at.selectbox(key=Keys.EXPLAIN_METHOD).select("gxa").run()
    assert_ok(at)
    job = app_state(at).training
    ds = load_sample("wine")
    alone_config = default_config("hnn", epochs=6, seed=3)
    alone = train_run(ds, ModelSpec("hnn", channels=4), config=alone_config)
    run = job.runs["HNN"]
    assert job.configs == {"HNN": alone_config, "MLP": default_config("mlp", epochs=6, seed=3)}  # each its own
    assert np.array_equal(run.result.split.test, alone.result.split.test)
    assert run.result.metrics == alone.result.metrics
    assert np.array_equal(run.predict(ds.X), alone.predict(ds.X))
    in_app = app_state(at).attributions[(run.fingerprint, "gxa", None)]
    direct = explain(alone, ds.X[alone.result.split.test])
    assert all(np.array_equal(a, b) for a, b in zip(in_app.scores, direct.scores, strict=True))
    assert at.query_params["seed"] == "3"  # and the seed is in the link
    assert at.selectbox(key=Keys.INSPECT_CLASS).value is None  # the inspector starts on the predicted class
    at.selectbox(key=Keys.INSPECT_CLASS).set_value(2).run()
    assert_ok(at)
    shown_class = [r for (run_id, _, _, target), r in app_state(at).inspections.items() if target == 2]
    assert shown_class and shown_class[0].target == "2" and shown_class[0].prediction_label == "probability of class 2"


def test_a_large_table_can_be_sampled_and_the_sample_is_reported(at):
    rng = np.random.default_rng(5)
    table = pd.DataFrame(rng.normal(size=(25_000, 6)).round(4), columns=list("abcdef"))
    upload(at, "big.csv", table.to_csv(index=False).encode())
    assert_ok(at)
    assert "25,000 rows" in at.warning[0].value
    at.toggle(key=Keys.SAMPLE_ROWS_ON).set_value(True).run()
    assert_ok(at)
    assert metrics(at)["Rows used"] == "20,000" and at.query_params["rows"] == "20000"
    assert app_state(at).selection.max_rows == 20_000
    visit(at, "network")
    assert_ok(at)
    assert metrics(at)["Nodes"] == "6"
    visit(at, "data")
    at.number_input(key=Keys.SAMPLE_ROWS_N).set_value(5000).run()
    assert metrics(at)["Rows used"] == "5,000"
    dropped = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert "rows left out by sampling" in dropped["name"].tolist()


def test_the_interaction_similarity_is_a_sidebar_choice_that_wires_the_network(at):
    visit(at, "network")
    at.sidebar.selectbox(key=Keys.SIMILARITY).select("interaction").run()
    assert_ok(at)
    assert metrics(at)["Nodes"] == "10"
