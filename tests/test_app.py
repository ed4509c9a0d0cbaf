"""AppTest of the Streamlit app: default view, every sidebar choice, uploads, and errors shown as st.error."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"


def csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# 12 rows: five numeric features, a constant column and a text column.
MIXED = csv(
    "a,b,c,d,e,const,city", [f"{i},{i * i % 7},{(3 * i) % 5},{i % 4},{(i * 5) % 11},2,c{i % 3}" for i in range(12)]
)
TWO_NUMERIC = csv("x,y,label", [f"{i},{i * i % 5},t{i}" for i in range(12)])


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    assert not app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def figure(app: AppTest, index: int = 0) -> dict:
    """Decoded JSON of the index-th plotly chart on the page."""
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def trace(app: AppTest, meta: str, index: int = 0) -> dict | None:
    """The trace tagged ``meta`` in the index-th chart, or None."""
    return next((t for t in figure(app, index)["data"] if t.get("meta") == meta), None)


def array(value) -> np.ndarray:
    """A plotly JSON array: a list, or plotly 6's base64 typed array ``{"dtype", "bdata"}``."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def assert_ok(app: AppTest) -> None:
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]


def test_default_run_shows_the_tmfg_of_the_diabetes_sample(at):
    assert_ok(at)
    assert at.selectbox(key="sample").value == "diabetes"
    assert at.selectbox(key="target").value == "target"
    assert at.selectbox(key="method").value == "tmfg"
    m = metrics(at)
    assert m["Nodes"] == "10" and m["Edges"] == str(3 * 10 - 6)  # a TMFG has 3p - 6 edges
    assert m["Cliques"] == "7" and m["Separators"] == "6"  # p - 3 tetrahedra glued along p - 4 triangles
    assert m["f-vector"].startswith("10, 24, ") and m["Betti numbers"] == "1, 0, 0, 0"
    assert "diabetes: 442 rows x 10 features" in at.text[0].value
    assert len(at.get("plotly_chart")) == 3  # graph, clique tree, heatmap
    assert len(array(trace(at, "nodes")["x"])) == 10
    assert len(at.get("download_button")) == 1


def test_switching_sample_resets_the_target_to_the_samples_own(at):
    at.selectbox(key="sample").select("wine").run()
    assert_ok(at)
    assert at.selectbox(key="target").value == "cultivar"
    assert metrics(at)["Nodes"] == "13"


def test_no_target_makes_every_column_a_feature(at):
    at.selectbox(key="target").select(None).run()
    assert_ok(at)
    assert metrics(at)["Nodes"] == "11"
    assert "no target" in at.text[0].value


@pytest.mark.parametrize("similarity", ["spearman2", "abs", "mi"])
def test_every_similarity_measure_runs(at, similarity):
    at.selectbox(key="similarity").select(similarity).run()
    assert_ok(at)
    assert metrics(at)["Edges"] == "24"
    heat = [t for t in figure(at, 2)["data"] if t.get("meta") == "similarity"]
    assert heat[0]["colorbar"]["title"]["text"] == similarity


def test_mst_has_p_minus_1_edges_and_hides_the_mfcf_inputs(at):
    at.selectbox(key="method").select("mst").run()
    assert_ok(at)
    assert metrics(at)["Edges"] == "9"
    assert [w.key for w in at.number_input] == ["layout_seed"]  # no MFCF inputs


def test_mfcf_with_cliques_of_three(at):
    at.selectbox(key="method").select("mfcf").run()
    assert_ok(at)
    at.number_input(key="max_clique_size").set_value(3).run()
    assert_ok(at)
    f_vector = metrics(at)["f-vector"].split(", ")
    assert len(f_vector) == 3  # vertices, edges, triangles: no tetrahedra with k = 3
    at.number_input(key="threshold").set_value(0.2).run()
    assert_ok(at)
    assert int(metrics(at)["Betti numbers"].split(", ")[0]) > 1  # a high threshold splits the forest


def test_highlight_and_layout_seed(at):
    at.multiselect(key="highlight").select("bmi").run()
    assert_ok(at)
    nodes = trace(at, "nodes")
    bmi = list(at.multiselect(key="highlight").options).index("bmi")
    assert array(trace(at, "highlight")["x"]).tolist() == [array(nodes["x"])[bmi]]
    at.number_input(key="layout_seed").set_value(5).run()
    assert not np.array_equal(array(trace(at, "nodes")["x"]), array(nodes["x"]))


def test_changing_the_target_drops_it_from_the_highlight(at):
    at.selectbox(key="target").select(None).run()
    at.multiselect(key="highlight").select("target").run()
    at.selectbox(key="target").select("target").run()
    assert_ok(at)
    assert at.multiselect(key="highlight").value == []


def test_interactive_view_is_an_offline_pyvis_iframe(at):
    at.toggle(key="interactive").set_value(True).run()
    assert_ok(at)
    assert len(at.get("iframe")) == 1
    assert len(at.get("plotly_chart")) == 2  # the plotly graph is replaced, the other tabs stay


def test_uploaded_table_reports_dropped_columns(at):
    at.file_uploader(key="upload").set_value(("mixed.csv", MIXED, "text/csv")).run()
    assert_ok(at)
    assert at.selectbox(key="sample").disabled
    assert at.selectbox(key="target").value is None
    dropped = at.table[0].value
    assert set(dropped["name"]) == {"const", "city"}
    reasons = dict(zip(dropped["name"], dropped["reason"], strict=True))
    assert "constant" in reasons["const"]
    assert metrics(at)["Nodes"] == "5"


def test_uploaded_table_with_too_few_columns_shows_an_error(at):
    at.file_uploader(key="upload").set_value(("two.csv", TWO_NUMERIC, "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "at least 4 are needed" in at.error[0].value
    assert not at.metric  # the page stops after the error


def test_unreadable_upload_shows_an_error(at):
    at.file_uploader(key="upload").set_value(("bad.csv", b"\xff\xfe\x00garbage\x00", "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1


def test_impossible_mfcf_shows_an_error_not_a_traceback(at):
    at.selectbox(key="method").select("mfcf").run()
    at.number_input(key="max_clique_size").set_value(12).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["An MFCF seeded with 12 vertices needs at least 12 nodes; got 10."]
