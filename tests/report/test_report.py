"""Tests of the offline HTML report (``hnnviz.report``) and of ``hnnviz report``."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from hnnviz.cli import main
from hnnviz.data import load_dataset, load_sample, sample_data_dir
from hnnviz.exceptions import InputValidationError, ModelFileError
from hnnviz.explanation import explain, inspect_simplex, purify
from hnnviz.io import load_run, save_run
from hnnviz.model import train_run
from hnnviz.report import build_report, write_report
from hnnviz.specs import ModelSpec, TrainConfig
from hnnviz.workflows import BASELINE_MODELS, analyse, baseline_comparison

SECTIONS = ("provenance", "data", "network", "model", "interactions", "simplices", "orders", "faithfulness")
#: Column names, a target, class labels and a file name that would run script if pasted into HTML unescaped.
HOSTILE_FEATURES = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", 'a&b "quoted"', "x3", "x4")
HOSTILE_TARGET = "<svg onload=alert(2)>"
HOSTILE_CLASS = "<script>alert(3)</script>"
HOSTILE_DROPPED = ("<b>const</b>", "<i>notes</i>")
HOSTILE_FILE = "<svg onload=alert(4)>.csv"
NEEDS_ROWS = "--data DATA"


class _Page(HTMLParser):
    """The parts of an HTML page the tests look at: tags with their attributes, tables, styles and scripts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[str]]] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._cell: list[str] | None = None
        self._raw: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("style", "script"):
            self._raw = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag in ("style", "script") and self._raw is not None:
            (self.styles if tag == "style" else self.scripts).append(self._raw)
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._raw is not None:
            self._raw += data

    def table(self, *headers: str) -> list[list[str]]:
        """The rows (header row first) of the one table whose first header cells read ``headers``."""
        found = [t for t in self.tables if t and t[0][: len(headers)] == list(headers)]
        assert len(found) == 1, f"{len(found)} tables start with {headers}"
        return found[0]

    def facts(self) -> dict[str, str]:
        """Every two-column key/value row of the page's tables."""
        return {row[0]: row[1] for t in self.tables for row in t if len(row) == 2}


def _section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start : page.index("</section>", start)]


def _outside_urls(parsed: _Page) -> list[str]:
    """Every attribute value, style, src or url() that leaves the page."""
    found = [
        f"<{tag} {name}={value}>"
        for tag, attrs in parsed.tags
        for name, value in attrs.items()
        if name in ("src", "href", "action", "srcset", "data", "poster") and not (value or "").startswith("#")
    ]
    found += [f"<{tag}>" for tag, _ in parsed.tags if tag in ("link", "img", "iframe", "object", "embed", "base")]
    found += [style for style in parsed.styles if "url(" in style or "@import" in style or "@font-face" in style]
    return found


@pytest.fixture(scope="module")
def wine_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = train_run(load_sample("wine"), ModelSpec(channels=2), config=TrainConfig(defaults="mlp", epochs=15))
    return save_run(run, tmp_path_factory.mktemp("runs") / "wine")


@pytest.fixture(scope="module")
def wine_page(wine_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the wine run, its data found as the bundled sample of that name."""
    return write_report(wine_run_dir, tmp_path_factory.mktemp("report") / "wine.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, len(HOSTILE_FEATURES)))
    table = pd.DataFrame(X, columns=list(HOSTILE_FEATURES))
    table[HOSTILE_DROPPED[0]] = 3.0
    table[HOSTILE_DROPPED[1]] = [f"<u>note {i}</u>" for i in range(len(X))]
    table[HOSTILE_TARGET] = np.where(X[:, 0] * X[:, 1] + X[:, 2] > 0, HOSTILE_CLASS, "safe")
    path = tmp_path_factory.mktemp("hostile") / HOSTILE_FILE
    table.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def hostile_run_dir(hostile_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = load_dataset(hostile_csv, target=HOSTILE_TARGET)
    run = train_run(data, ModelSpec(channels=2), config=TrainConfig(defaults="mlp", epochs=5))
    return save_run(run, tmp_path_factory.mktemp("runs") / "hostile")


@pytest.fixture(scope="module")
def hostile_page(hostile_run_dir: Path, hostile_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "hostile.html"
    return write_report(hostile_run_dir, out, data=hostile_csv).read_text(encoding="utf-8")


def test_report_has_every_section_in_its_contents(wine_page: str) -> None:
    parsed = _Page(wine_page)
    assert [attrs["id"] for tag, attrs in parsed.tags if tag == "section"] == list(SECTIONS)
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert links == [f"#{anchor}" for anchor in SECTIONS]
    assert NEEDS_ROWS not in wine_page  # the bundled sample was found: every section has its rows
    assert parsed.facts()["data"] == "bundled sample 'wine'"
    assert parsed.facts()["hnnviz version"] == "0.1.0"


def test_report_states_the_runs_own_numbers(wine_page: str, wine_run_dir: Path) -> None:
    run, parsed = load_run(wine_run_dir), _Page(wine_page)
    scores = parsed.table("part")
    assert scores[0] == ["part", "accuracy", "macro_f1", "log_loss"]
    for part, *cells in scores[1:]:
        assert cells == [f"{run.result.metrics[part][m]:.4g}" for m in ("accuracy", "macro_f1", "log_loss")]
    p = 13  # a TMFG on p features: f-vector (p, 3p - 6, 3p - 8, p - 3), one component, no holes
    assert parsed.table("order", "simplices")[1:] == [
        ["0 (inputs)", str(p), "1"], ["1 (edges)", str(3 * p - 6), "0"],
        ["2 (triangles)", str(3 * p - 8), "0"], ["3 (tetrahedra)", str(p - 3), "0"],
    ]  # fmt: skip
    facts = parsed.facts()
    assert facts["rows"] == "178" and facts["features"] == str(p) and facts["classes"] == "0, 1, 2"
    assert facts["parameters"] == f"{run.model.n_params:,}"
    assert "Nothing was dropped" in _section(wine_page, "data")


def test_baselines_are_fitted_on_the_runs_own_split(wine_page: str, wine_run_dir: Path) -> None:
    """Oracle: scikit-learn's models fitted here on the run's training and validation rows, scored on its test rows."""
    run, data = load_run(wine_run_dir), load_sample("wine")
    split = run.result.split
    fit, test = np.concatenate([split.train, split.val]), split.test
    oracles = {
        "linear": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "gbm": HistGradientBoostingClassifier(random_state=0),
    }
    rows = {row[0]: row for row in _Page(wine_page).table("model", "seed")[1:]}
    assert list(rows) == ["hnn", *BASELINE_MODELS]
    assert rows["hnn"][3] == f"{run.result.metrics['test']['accuracy']:.4g}"
    for name, model in oracles.items():
        accuracy = accuracy_score(data.y[test], model.fit(data.X[fit], data.y[fit]).predict(data.X[test]))
        assert rows[name][3] == f"{accuracy:.4g}"
    comparison = baseline_comparison(run, data)
    assert all(record.test_rows == tuple(test.tolist()) for record in comparison.records)


def test_top_simplices_come_with_their_inspector_plots(wine_page: str, wine_run_dir: Path) -> None:
    run, data = load_run(wine_run_dir), load_sample("wine")
    ranked = explain(run, data.X[run.result.split.test], method="ablation").ranking(top=5)
    section = _section(wine_page, "simplices")
    parsed = _Page(section)
    table = parsed.table("rank", "simplex")
    assert [row[1] for row in table[1:]] == [" · ".join(s.features) for s in ranked]
    headings = [section[m.end() : section.index("</h3>", m.end())] for m in re.finditer("<h3>", section)]
    assert headings == [html.escape(f"{i}. {' · '.join(s.features)}") for i, s in enumerate(ranked, start=1)]
    for simplex, row in zip(ranked, table[1:], strict=True):
        response = inspect_simplex(run, simplex.features, X=data.X[run.result.split.train])
        assert row[4] == response.unit_reading.label
        assert html.escape(response.unit_reading.text) in section
        assert html.escape(response.prediction_reading.text) in section
    assert section.count('class="plotly-graph-div"') == 1 + 2 * len(ranked)  # the ranking, then unit and prediction


def test_report_is_self_contained_with_one_copy_of_plotly(wine_page: str) -> None:
    parsed = _Page(wine_page)
    assert _outside_urls(parsed) == []
    assert wine_page.count(get_plotlyjs()) == 1
    scripts = [s for s in parsed.scripts if "Plotly.newPlot" in s]
    # target, network, HNN layers, loss curves, model scores, ranking, order split, deletion/insertion; the pure
    # ranking and 3 interaction shapes; and two inspector maps (the unit, the prediction) for each top-5 simplex
    assert len(scripts) == wine_page.count('class="plotly-graph-div"') == 8 + 4 + 2 * 5
    body = wine_page.replace(get_plotlyjs(), "")
    assert "http://" not in body and "https://" not in body


def test_report_escapes_every_user_supplied_name(hostile_page: str) -> None:
    body = hostile_page.replace(get_plotlyjs(), "")
    for name in (*HOSTILE_FEATURES[:2], HOSTILE_TARGET, HOSTILE_CLASS, *HOSTILE_DROPPED, "<u>note", "<svg onload"):
        assert name not in body
    # no name closed a script early: every <script> opened by the page is closed exactly once
    assert body.count("<script") == body.count("</script>") == 2 + hostile_page.count('class="plotly-graph-div"')
    parsed = _Page(hostile_page)
    assert _outside_urls(parsed) == []
    dropped = parsed.table("kind")
    assert [row[:2] for row in dropped[1:]] == [["column", HOSTILE_DROPPED[1]], ["column", HOSTILE_DROPPED[0]]]
    facts = parsed.facts()
    assert facts["target"] == HOSTILE_TARGET and facts["name"] == Path(HOSTILE_FILE).stem
    assert facts["classes"] == f"{HOSTILE_CLASS}, safe"
    assert html.escape(HOSTILE_FEATURES[1]) in _section(hostile_page, "simplices")


def test_the_interactions_are_the_runs_pure_effects(wine_page: str, wine_run_dir: Path) -> None:
    """One definition per number: the report's order shares and ranking are PureEffects' own."""
    run = load_run(wine_run_dir)
    pure, parsed = purify(run, load_sample("wine").X), _Page(wine_page)
    shares = parsed.table("order", "share of the model's variance")[1:]
    assert [row[1] for row in shares] == [f"{share:.1%}" for share in pure.order_shares()]
    ranked = parsed.table("interaction")[1:]
    assert [row[0] for row in ranked] == [" · ".join(e.features) for e in pure.ranking(top=len(ranked))]
    assert [row[2] for row in ranked] == [f"{e.importance:.4g}" for e in pure.ranking(top=len(ranked))]


def test_report_without_data_says_how_to_add_it(hostile_run_dir: Path, tmp_path: Path) -> None:
    """The run's data set is not a bundled sample: the sections that need rows say so, the others are drawn."""
    page = write_report(hostile_run_dir, tmp_path / "report.html").read_text(encoding="utf-8")
    for anchor in ("data", "simplices", "orders", "faithfulness"):
        assert NEEDS_ROWS in _section(page, anchor)
    assert NEEDS_ROWS in _section(page, "model").split("Against baselines")[1]
    assert page.count('class="plotly-graph-div"') == 3 + 4  # network, layers, loss; pure ranking, 3 shapes
    assert _Page(page).facts()["data"] == "not given"


def test_report_of_a_dense_mlp_explains_no_simplices() -> None:
    data = load_sample("wine")
    run = train_run(data, ModelSpec(kind="mlp", channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    page = build_report(analyse(run, data))
    for anchor in ("interactions", "simplices", "orders", "faithfulness"):
        assert "dense MLP" in _section(page, anchor) and "plotly-graph-div" not in _section(page, anchor)
    assert [row[0] for row in _Page(page).table("model", "seed")[1:]] == ["mlp", *BASELINE_MODELS]


def test_same_inputs_give_the_same_page(hostile_run_dir: Path) -> None:
    run, created = load_run(hostile_run_dir), datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    first = build_report(analyse(run), created=created, provenance={"run directory": "<runs>"})
    assert first == build_report(analyse(run), created=created, provenance={"run directory": "<runs>"})
    assert _Page(first).facts()["created"] == "2025-01-02 03:04 UTC" and "&lt;runs&gt;" in first


def test_report_refuses_a_table_that_is_not_the_runs(wine_run_dir: Path, tmp_path: Path) -> None:
    run = load_run(wine_run_dir)
    with pytest.raises(InputValidationError, match=r"Data set 'diabetes' is not the table this run was trained on"):
        analyse(run, load_sample("diabetes"))
    wine = pd.read_csv(sample_data_dir() / "wine.csv")
    wine.iloc[:100].to_csv(tmp_path / "wine.csv", index=False)  # the run's split reaches beyond row 100
    with pytest.raises(InputValidationError, match=r"Data set 'wine' is not the table"):
        write_report(wine_run_dir, tmp_path / "report.html", data=tmp_path / "wine.csv")
    assert not (tmp_path / "report.html").exists()


def test_analyse_checks_top() -> None:
    data = load_sample("wine")
    run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=1))
    with pytest.raises(InputValidationError, match=r"The 'top' parameter of analyse must be an int in \[1, inf\]"):
        analyse(run, top=0)


def test_cli_report_end_to_end(wine_run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(["report", str(wine_run_dir), "--out", str(out), "--top", "3", "--json"])
    printed, err = capsys.readouterr()
    result = json.loads(printed)
    assert code == 0 and err == ""
    assert result["out"] == str(out) and result["bytes"] == out.stat().st_size and result["seconds"] > 0
    page = out.read_text(encoding="utf-8")
    assert len(_Page(page).table("rank")) == 1 + 3  # the top 3 simplices


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "{tmp}/missing/report.html"], "Cannot write the report to '"),  # long paths are clipped
        (["--out", "{tmp}"], "Cannot write the report to '"),
        (["--out", "{tmp}/r.html", "--top", "0"], "--top must be at least 1; got 0."),
        (["--out", "{tmp}/r.html", "--data", "{tmp}/none.csv"], "File not found: '"),
    ],
)
def test_cli_report_errors_are_one_line(
    wine_run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = main(["report", str(wine_run_dir), *(a.format(tmp=tmp_path) for a in argv)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("hnnviz report: error: ") and err.count("\n") == 1
    assert message.format(tmp=tmp_path) in err


def test_cli_report_of_a_missing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(tmp_path / "nothing"), "--out", str(tmp_path / "r.html")])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("hnnviz report: error: ") and err.count("\n") == 1
    with pytest.raises(ModelFileError):
        write_report(tmp_path / "nothing", tmp_path / "r.html")


def test_the_report_says_what_the_first_contact_checks_did(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 120
    X = rng.normal(size=(n, 5)).round(4)
    table = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    table.insert(0, "customer_id", np.arange(1000, 1000 + n))
    table["smoker"] = np.where(rng.random(n) < 0.5, "yes", "no")
    table.loc[[3, 17], "f2"] = np.nan
    table["y"] = X[:, 0] * X[:, 1] + X[:, 2] + rng.normal(scale=0.1, size=n)
    path = tmp_path / "first_contact.csv"
    table.to_csv(path, index=False)
    data = load_dataset(path, target="y", missing="impute_median")
    run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    page = _section(build_report(analyse(run, data)), "data")
    flagged = _Page(page).table("column", "check")[1:]
    assert [row[0] for row in flagged] == ["customer_id"] and flagged[0][3] == "left out"
    assert "Text read as 0/1" in page and html.escape("'no' as 0, 'yes' as 1") in page
    assert "Missing cells filled in" in page and "f2" in page.split("Missing cells filled in")[1]
