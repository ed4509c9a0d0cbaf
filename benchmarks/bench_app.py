"""Speed of the app in a real browser: upload to drawn network, page switches, the 2,000-feature light view.

Starts ``streamlit run app.py`` on a free local port, drives Debian's Chromium through Playwright and times,
from the user's action to the page's script run finished *and* its chart visible:

1. a 100-feature upload on the Data page, then the Network page drawn (target: under 2 s, cold);
2. a page switch with the bundled diabetes sample (target: under 1 s);
3. a 2,000-feature upload, then the Network page's light (WebGL) view drawn (target: under 10 s, cold);
4. the whole walk-through on a bundled set: data, network, complex, training the HNN and the MLP, explaining
   with gradient x activation, and the lab (target: under 60 s).

*Cold* means the server has never seen the file (Streamlit caches by content), so each cold repeat uploads a
table with a fresh seed in a fresh tab (a fresh session). *Warm* uploads the same bytes again in a fresh tab.
One untimed warm-up pass first loads the Python modules and the browser's copy of the JavaScript bundles,
as for a user of a running server. Each timing is split, from the times the page receives the server's
websocket messages, into: action to the run's first message, the run (to its ``script_finished`` message), and
run end to chart visible (drawing in the browser); the bytes the server sent are counted. Every request stays
on localhost (other hosts do not resolve). Only one tab is open at a time.

Writes ``benchmarks/results_app.md``. From the repository root::

    .venv/bin/python benchmarks/bench_app.py [--repeats 5] [--only upload,switch,light,walkthrough] [--profile]

``--profile`` also times, in this process and without Streamlit, the calls a cold Data and Network page run
makes for a 100- and a 2,000-feature table, and the size of what they send. ``--app DIR`` runs the app of
another checkout (e.g. a patched copy, to measure a change); ``--streamlit-option runner.postScriptGC=false``
passes an option to ``streamlit run``.

A further measurement is one more function taking a :class:`Bench` and returning :class:`Row` objects, added
to :data:`MEASUREMENTS`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _provenance import git_commit, machine  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from browser_support import CHROMIUM, CHROMIUM_ARGS, ServerError, streamlit_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results_app.md"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
BENCH_CHROMIUM_ARGS = [
    *CHROMIUM_ARGS,
    "--enable-unsafe-swiftshader",  # software WebGL for the light view (no GPU here)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",  # nothing leaves the machine
]
VIEWPORT = {"width": 1400, "height": 1000}
PLOT = ".js-plotly-plot .main-svg"  # a plotly chart has drawn
WEBGL_PLOT = ".js-plotly-plot .gl-container canvas"  # a Scattergl chart has drawn its WebGL layer
DATAFRAME = "[data-testid=stDataFrame] canvas"  # st.dataframe (glide data grid) has drawn

# Installed in every tab before the app's own code: stamps each websocket message from the server and counts
# the ForwardMsgs that say a script run finished (field 6, `script_finished`, of the ForwardMsg protobuf;
# status 2, "finished early for a rerun", is not an end). The page's `data-test-script-state` attribute alone
# is not enough: a fast run can start and end between two renders, and the attribute then never changes.
HOOK_JS = """(() => {
  const bench = window.__bench = {finished: 0, messages: []};  // messages: [time, bytes]
  const varint = (b, i) => {
    let value = 0, scale = 1;
    for (;;) { const byte = b[i++]; value += (byte & 0x7f) * scale; scale *= 128; if (byte < 0x80) return [value, i]; }
  };
  const scriptFinished = b => {  // the status of a script_finished message, or null for any other message
    let i = 0;
    while (i < b.length) {
      const [key, j] = varint(b, i);
      const field = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) { const [v, k] = varint(b, j); if (field === 6) return v; i = k; }
      else if (wire === 2) { const [n, k] = varint(b, j); i = k + n; }
      else if (wire === 1) i = j + 8;
      else if (wire === 5) i = j + 4;
      else return null;
    }
    return null;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', e => {
        const data = e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : new Uint8Array(0);
        const status = scriptFinished(data);
        if (status !== null && status !== 2) bench.finished += 1;
        bench.messages.push([performance.now(), data.length, status !== null && status !== 2]);
      });
    }
  };
})();"""

# True (the time it became so) once a run has finished after the action, the page's heading is `title`,
# the metric labelled metric[0] (if any) shows metric[1], and an element matching `selector` (and holding the
# text `contains`, if given) is visible.
READY_JS = """({finished, title, selector, metric, contains}) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (window.__bench.finished <= finished) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const h1 = document.querySelector('[data-testid=stMain] h1');
  if (title && (!h1 || h1.innerText.trim() !== title)) return false;
  if (metric) {
    const found = [...document.querySelectorAll('[data-testid=stMetric]')].some(m => {
      const label = m.querySelector('[data-testid=stMetricLabel]');
      const value = m.querySelector('[data-testid=stMetricValue]');
      return label && value && label.innerText.trim() === metric[0] && value.innerText.trim() === metric[1];
    });
    if (!found) return false;
  }
  const visible = e => e.checkVisibility() && e.getBoundingClientRect().width > 0;
  const holds = e => !contains || e.textContent.includes(contains);
  const shown = [...document.querySelectorAll(selector)].some(e => visible(e) && holds(e));
  return shown ? performance.now() : false;
}"""


class BenchError(RuntimeError):
    """A measurement could not complete (timeout, app error, server died); the message says which."""


# ---- data ----------------------------------------------------------------------------------------------------


def correlated_table(n_rows: int, n_features: int, seed: int, block: int = 5) -> pd.DataFrame:
    """Gaussian features in blocks of ``block`` sharing a factor (plus a weak global factor), seeded."""
    rng = np.random.default_rng(seed)
    n_blocks = -(-n_features // block)
    factors = np.repeat(rng.normal(size=(n_rows, n_blocks)), block, axis=1)[:, :n_features]
    common = rng.normal(size=(n_rows, 1))
    loadings = rng.uniform(0.4, 0.9, size=n_features)
    X = loadings * factors + 0.2 * common + 0.6 * rng.normal(size=(n_rows, n_features))
    width = len(str(n_features - 1))
    return pd.DataFrame(X, columns=[f"x{j:0{width}d}" for j in range(n_features)])


def write_csv(folder: Path, n_rows: int, n_features: int, seed: int) -> Path:
    path = folder / f"table-{n_features}f-seed{seed}.csv"
    if not path.exists():
        correlated_table(n_rows, n_features, seed).to_csv(path, index=False, float_format="%.5g")
    return path


# ---- the server and the browser --------------------------------------------------------------------------------


@dataclass
class Timing:
    """One timed action, in seconds from the action; ``to_run``: until the run started; ``run``: its length;
    ``to_drawn``: from its end to the chart visible; ``mb``: megabytes received on the websocket."""

    total: float
    to_run: float
    run: float
    to_drawn: float
    mb: float


@dataclass
class Tab:
    """One browser tab, hence one Streamlit session, with the requests to other hosts recorded."""

    page: Page
    timeout_ms: int
    foreign: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(self.timeout_ms)
        self.page.on("request", self._request)

    def _request(self, request) -> None:
        host = urlsplit(request.url).hostname
        if host is not None and host not in LOCAL_HOSTS and not request.url.startswith(("data:", "blob:")):
            self.foreign.append(request.url)

    def open(self, url: str) -> None:
        """Load the app and wait for its first run to finish (untimed)."""
        self.page.goto(url)
        try:
            self.page.wait_for_function("() => window.__bench && window.__bench.finished > 0")
            self.page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
        except PlaywrightError as err:
            raise BenchError(f"the app at {url} did not finish its first run: {err.message.splitlines()[0]}") from None
        self.settle()

    def settle(self, ms: int = 500) -> None:
        """Let the browser finish drawing (hidden tabs, iframes) before the next timed action."""
        self.page.wait_for_timeout(ms)

    def timed(
        self,
        what: str,
        action: Callable[[], None],
        selector: str,
        title: str | None = None,
        metric: tuple[str, str] | None = None,
        contains: str | None = None,
    ) -> Timing:
        """Time ``action`` until a new run has finished, the heading is ``title``, ``metric`` shows and
        ``selector`` is visible (with the text ``contains``, if given: e.g. a chart's new title)."""
        finished, n_messages, t0 = self.page.evaluate(
            "[window.__bench.finished, window.__bench.messages.length, performance.now()]"
        )
        try:
            action()
        except PlaywrightError as err:
            raise BenchError(f"{what}: {err.message.splitlines()[0]}") from None
        args = {"finished": finished, "title": title, "selector": selector, "metric": metric, "contains": contains}
        try:
            ready = self.page.wait_for_function(READY_JS, arg=args, polling="raf").json_value()
        except PlaywrightError as err:
            raise BenchError(f"{what}: {self._diagnosis(err, args)}") from None
        self._check_no_exception(what)
        messages = [m for m in self.page.evaluate("window.__bench.messages")[n_messages:] if m[0] <= ready]
        started = messages[0][0] if messages else t0
        ended = max((t for t, _, end in messages if end), default=ready)
        self.settle()
        return Timing(
            total=(ready - t0) / 1e3,
            to_run=(started - t0) / 1e3,
            run=(ended - started) / 1e3,
            to_drawn=(ready - ended) / 1e3,
            mb=sum(n for _, n, _ in messages) / 1e6,
        )

    def _check_no_exception(self, what: str) -> None:
        boxes = self.page.get_by_test_id("stException")
        if boxes.count():
            raise BenchError(f"{what}: the app showed an exception:\n{boxes.first.inner_text()[:1500]}")
        errors = self.page.get_by_test_id("stAlertContentError")
        if errors.count():
            raise BenchError(f"{what}: the app showed an error: {errors.first.inner_text()[:500]}")

    def _diagnosis(self, err: PlaywrightError, args: dict) -> str:
        """Why a wait timed out, in words."""
        if not isinstance(err, PlaywrightError) or "Timeout" not in err.message:
            return err.message.splitlines()[0]
        try:
            self._check_no_exception("")
            state = self.page.evaluate(
                "() => [document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state'),"
                " window.__bench.finished, (document.querySelector('[data-testid=stMain] h1') || {}).innerText,"
                f" document.querySelectorAll({args['selector']!r}).length]"
            )
        except BenchError as shown:
            return str(shown)
        except PlaywrightError:
            return f"timed out after {self.timeout_ms / 1e3:.0f} s (page unreadable)"
        script, finished, h1, n = state
        return (
            f"timed out after {self.timeout_ms / 1e3:.0f} s waiting for {args}: script state {script}, "
            f"{finished} runs finished, heading {h1!r}, {n} elements match {args['selector']!r}"
        )

    # ---- user actions ----------------------------------------------------------------------------------

    def upload(self, path: Path, n_features: int) -> Timing:
        # the Data page's table uploader (the page may hold other uploaders, e.g. for run files)
        uploader = self.page.locator("[data-testid=stMain] [data-testid=stFileUploader]").locator(
            "input[type=file][accept*='.csv']"
        )
        return self.timed(
            f"upload of {path.name}", lambda: uploader.set_input_files(str(path)), DATAFRAME,
            title="Data", metric=("Features", str(n_features)),
        )  # fmt: skip

    def go_to(self, title: str, selector: str, metric: tuple[str, str] | None = None) -> Timing:
        link = self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
        return self.timed(f"switch to {title}", link.click, selector, title=title, metric=metric)


@dataclass
class Bench:
    """What a measurement gets: the server's URL, a way to open fresh tabs, the repeats, a scratch folder."""

    url: str
    new_tab: Callable[[], Tab]
    repeats: int
    folder: Path
    tabs: list[Tab] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def tab(self) -> Tab:
        """A fresh tab on the app's landing page; earlier tabs are closed (one user, one tab: a tab left open
        keeps drawing, e.g. the pyvis physics, and would slow the next timing)."""
        self.close_tabs()
        tab = self.new_tab()
        self.tabs.append(tab)
        tab.open(self.url)
        return tab

    def close_tabs(self) -> None:
        for tab in self.tabs:
            self.foreign += tab.foreign
            tab.page.close()
        self.tabs.clear()


# ---- results -------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table: the timings of one thing over the repeats, against a target."""

    scenario: str
    case: str
    timings: list[Timing]
    target: float | None = None

    def stat(self, name: str) -> float:
        return statistics.median(getattr(t, name) for t in self.timings)

    @property
    def totals(self) -> list[float]:
        return [t.total for t in self.timings]

    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "pass" if self.stat("total") < self.target else "MISS"


def summed(scenario: str, case: str, parts: list[list[Timing]], target: float | None) -> Row:
    """A row whose every repeat is the sum of the parts' timings in that repeat."""
    timings = [
        Timing(*(sum(getattr(t, f) for t in group) for f in ("total", "to_run", "run", "to_drawn", "mb")))
        for group in zip(*parts, strict=True)
    ]
    return Row(scenario, case, timings, target)


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | case | target s | median s | min s | max s | n | verdict "
        "| to run s | run s | run end to drawn s | MB sent |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = f"< {r.target:g}" if r.target is not None else ""
        lines.append(
            f"| {r.scenario} | {r.case} | {target} | {r.stat('total'):.2f} | {min(r.totals):.2f} | "
            f"{max(r.totals):.2f} | {len(r.timings)} | {r.verdict()} | {r.stat('to_run'):.2f} | {r.stat('run'):.2f} | "
            f"{r.stat('to_drawn'):.2f} | {r.stat('mb'):.2f} |"
        )
    return "\n".join(lines)


# ---- the measurements ------------------------------------------------------------------------------------------


def upload_then_network(
    bench: Bench, scenario: str, n_rows: int, n_features: int, target: float, selector: str, seed0: int
) -> list[Row]:
    """Cold: a fresh table per repeat, each in a fresh tab; warm: the same bytes again in a fresh tab."""
    nodes = ("Nodes", str(n_features))
    # untimed warm-up: imports, the page scripts' first runs, the JS bundles in the browser cache
    tab = bench.tab()
    tab.upload(write_csv(bench.folder, n_rows, n_features, seed0 - 1), n_features)
    tab.go_to("Network", selector, nodes)
    rows = []
    for case, seeds in (("cold", range(seed0, seed0 + bench.repeats)), ("warm", [seed0] * bench.repeats)):
        uploads, draws = [], []
        for seed in seeds:
            path = write_csv(bench.folder, n_rows, n_features, seed)
            tab = bench.tab()
            uploads.append(tab.upload(path, n_features))
            draws.append(tab.go_to("Network", selector, nodes))
            if tab.page.get_by_text("WebGL is not supported").count():
                raise BenchError("the light view could not draw: this Chromium has no WebGL")
            print(f"  {scenario} {case} seed {seed}: upload {uploads[-1].total:.2f} s, draw {draws[-1].total:.2f} s",
                  flush=True)  # fmt: skip
        size = path.stat().st_size / 1e6
        rows.append(Row(scenario, f"{case}: upload ({size:.1f} MB CSV) to summary", uploads))
        rows.append(Row(scenario, f"{case}: Network click to drawn", draws))
        rows.append(summed(scenario, f"{case}: upload + draw", [uploads, draws], target if case == "cold" else None))
    return rows


def measure_upload(bench: Bench) -> list[Row]:
    """Target 1: a 100-feature upload to a drawn network in under 2 s."""
    return upload_then_network(bench, "100 features, 500 rows", 500, 100, 2.0, PLOT, seed0=100)


def measure_light_view(bench: Bench) -> list[Row]:
    """Target 3: a 2,000-feature table drawn in the light (WebGL) view in under 10 s."""
    return upload_then_network(bench, "2,000 features, 300 rows (light view)", 300, 2000, 10.0, WEBGL_PLOT, seed0=2000)


def measure_switch(bench: Bench) -> list[Row]:
    """Target 2: a page switch in under 1 s (diabetes sample; Data -> Network -> Complex -> Data ...)."""
    pages = [("Network", PLOT), ("Complex", PLOT), ("Data", DATAFRAME)]
    tab = bench.tab()
    first = {title: tab.go_to(title, selector) for title, selector in pages}  # first visit in this tab
    later: dict[str, list[Timing]] = {title: [] for title, _ in pages}
    for i in range(bench.repeats):
        for title, selector in pages:
            later[title].append(tab.go_to(title, selector))
        print(f"  switch cycle {i + 1}: " + ", ".join(f"{t} {later[t][-1].total:.2f} s" for t in later), flush=True)
    scenario = "page switch, diabetes"
    rows = [Row(scenario, f"to {title}, first visit in a tab", [first[title]]) for title, _ in pages]
    rows += [Row(scenario, f"to {title}", later[title], 1.0) for title, _ in pages]
    return rows


def measure_walkthrough(bench: Bench) -> list[Row]:
    """Target 4: the whole walk-through on a bundled set in under 60 s: choose the data, look at the network and
    the complex, train the HNN and the MLP (default settings, until early stopping), explain with gradient x
    activation, and run the lab (default settings: 3,000 rows, 24 features)."""
    steps: dict[str, Callable[[Tab], Timing]] = {
        "choose the wine sample": lambda tab: tab.timed(
            "choose wine", tab.page.get_by_role("button", name="Use this sample").nth(1).click, DATAFRAME,
            title="Data", metric=("Features", "13"),
        ),
        "Network": lambda tab: tab.go_to("Network", PLOT, ("Nodes", "13")),
        "Complex": lambda tab: tab.go_to("Complex", PLOT),
        "Train: open the page": lambda tab: tab.go_to("Train", "[data-testid=stButton]"),
        "Train: HNN and MLP to results": lambda tab: tab.timed(
            "training", tab.page.get_by_role("button", name="Train the HNN and the MLP").click,
            "#results-on-the-test-rows", title="Train",
        ),
        "Explain (gradient x activation)": lambda tab: tab.go_to("Explain", PLOT),
        "Lab: open the page": lambda tab: tab.go_to("Lab", "[data-testid=stButton]"),
        "Lab: run to results": lambda tab: tab.timed(
            "lab", tab.page.get_by_role("button", name="Run the lab").click, "#what-the-hnn-found", title="Lab",
        ),
    }  # fmt: skip
    timings: dict[str, list[Timing]] = {name: [] for name in steps}
    for i in range(bench.repeats):
        tab = bench.tab()
        for name, step in steps.items():
            timings[name].append(step(tab))
        total = sum(timings[name][-1].total for name in steps)
        print(f"  walk-through {i + 1}: {total:.1f} s", flush=True)
    scenario = "walk-through, wine"
    rows = [Row(scenario, name, found) for name, found in timings.items()]
    return [*rows, summed(scenario, "the whole walk-through", list(timings.values()), 60.0)]


INSPECTOR_TITLE = "[data-testid=stMain] .js-plotly-plot .gtitle"  # the Explain page's charts' titles
REPORT_DOWNLOAD = "[data-testid=stMain] [data-testid=stDownloadButton]"
REPORT_EXPANDER = "Report for colleagues: one HTML file that opens offline"
REPORT_READY = "Download the report (.html)"  # the download button's label, in the report's expander
EXPANDER = "[data-testid=stMain] [data-testid=stExpander]"


def bundled_samples() -> list[str]:
    """The bundled samples with a target (those a model can be trained on)."""
    from hnnviz.data import SAMPLES

    return [name for name, info in SAMPLES.items() if info.target is not None]


def explain_page(bench: Bench, name: str) -> tuple[Tab, dict[str, Timing]]:
    """A fresh tab with the bundled sample ``name`` chosen, the HNN and the MLP trained (default settings) and
    the Explain page drawn (gradient x activation, its Ranking tab open); the timings of these steps."""
    tab = bench.tab()
    page = tab.page

    data, option = page.get_by_role("combobox", name="Data"), f"{name} (sample)"

    def choose() -> None:
        data.click()
        page.get_by_role("option", name=option, exact=True).click()

    if data.input_value() != option:  # choosing the sample already chosen (the default one) runs nothing
        tab.timed(f"choose {name}", choose, DATAFRAME, title="Data")
    tab.go_to("Train", "[data-testid=stButton]")
    steps = {
        "setup: train the HNN and the MLP, click to results": tab.timed(
            f"training on {name}", page.get_by_role("button", name="Train the HNN and the MLP").click,
            "#results-on-the-test-rows", title="Train",
        ),
        "setup: Explain page drawn (gradient x activation)": tab.go_to("Explain", PLOT),
    }  # fmt: skip
    return tab, steps


def ranking_bar(tab: Tab, rank: int) -> tuple[str, float, float]:
    """The label (``"a · b"``) and the centre of the bar of this rank (0: the top) in the Explain page's ranking,
    scrolled into view (as ``click_ranking_bar`` in ``tests/app/test_browser.py`` finds it)."""
    ranking = tab.page.get_by_role("tabpanel", name="Ranking").locator(".js-plotly-plot").first
    tick = ranking.locator(".ytick text").nth(rank)
    try:
        tick.scroll_into_view_if_needed()
        label, box = tick.text_content(), tick.bounding_box()
        bars = [found for bar in ranking.locator("g.point path").all() if (found := bar.bounding_box())]
    except PlaywrightError as err:
        raise BenchError(f"the ranking bar of rank {rank}: {err.message.splitlines()[0]}") from None
    if not label or box is None or not bars:
        raise BenchError(f"the ranking has no drawn bar of rank {rank}")
    tick_y = box["y"] + box["height"] / 2
    bar = min(bars, key=lambda b: abs(b["y"] + b["height"] / 2 - tick_y))
    return label, bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2


def measure_inspect(bench: Bench) -> list[Row]:
    """Target 5: a click on a simplex of the ranking opens the inspector on it in under 1 s, on every bundled set
    with a target. The clicks go to ranks 1, 2, 3, 1, ... (0 is the top: the simplex the inspector shows first),
    so each one changes the inspected simplex; the timing ends when the run has finished and the inspector's
    chart is titled with the clicked simplex."""
    rows = []
    for name in bundled_samples():
        tab, setup = explain_page(bench, name)
        clicks, labels = [], []
        for i in range(bench.repeats):
            label, x, y = ranking_bar(tab, 1 + i % 3)
            simplex = "{" + label.replace(" · ", ", ") + "}"  # as the inspector's title names it
            click = partial(tab.page.mouse.click, x, y)
            clicks.append(tab.timed(f"{name}: click on {label}", click, INSPECTOR_TITLE, "Explain", contains=simplex))
            labels.append(label)
            print(f"  inspect {name}, {label}: {clicks[-1].total:.2f} s", flush=True)
        scenario = f"inspector, {name}"
        rows += [Row(scenario, step, [timing]) for step, timing in setup.items()]
        shown = "; ".join(dict.fromkeys(labels))
        rows.append(Row(scenario, f"click on a ranking bar to its inspector drawn ({shown})", clicks, 1.0))
    return rows


def measure_report(bench: Bench) -> list[Row]:
    """Target 6: the report of a bundled set written in under 10 s: on the Explain page (after training, as in
    :func:`measure_inspect`), the click on "Write the report" until the run has finished and the report's
    expander holds its download button; no faithfulness checks were run on the page, so the report computes
    them. The first write re-creates the expander closed (the download button is hidden until it is opened
    again): it is reopened, untimed, and counted."""
    rows = []
    for name in bundled_samples():
        tab, setup = explain_page(bench, name)
        expander = tab.page.get_by_text(REPORT_EXPANDER)
        download = tab.page.locator(REPORT_DOWNLOAD).get_by_role("button", name="Download the report (.html)")
        write = tab.page.get_by_role("button", name="Write the report").click
        writes, closed = [], 0
        try:
            expander.click()
            tab.settle()
            for _ in range(bench.repeats):
                writes.append(tab.timed(f"{name}: the report", write, EXPANDER, "Explain", contains=REPORT_READY))
                if not download.is_visible():
                    closed += 1
                    expander.click()
                    tab.settle()
                    download.wait_for()
                print(f"  report {name}: {writes[-1].total:.2f} s", flush=True)
        except PlaywrightError as err:
            raise BenchError(f"{name}: the report's expander: {err.message.splitlines()[0]}") from None
        scenario = f"report, {name}"
        rows += [Row(scenario, step, [timing]) for step, timing in setup.items()]
        note = f" (the expander closed after {closed} of {len(writes)} writes)" if closed else ""
        rows.append(Row(scenario, f'"Write the report" click to the report written{note}', writes, 10.0))
    return rows


#: Every measurement, in order: name (for --only) and function.
MEASUREMENTS: dict[str, Callable[[Bench], list[Row]]] = {
    "upload": measure_upload,
    "switch": measure_switch,
    "light": measure_light_view,
    "walkthrough": measure_walkthrough,
    "inspect": measure_inspect,
    "report": measure_report,
}


# ---- profile: the pages' hnnviz calls without Streamlit --------------------------------------------------------


def profile(folder: Path) -> str:
    """Seconds of each call a cold Data and Network page run makes (median of 3, after a warm-up), the size of
    what it sends, and what a ``st.cache_data`` hit costs (a pickle round trip of the cached value)."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # the pages' module imports streamlit
    sys.path.insert(0, str(ROOT))
    from hnnviz.network import filter_network
    from hnnviz.specs import IFNSpec

    warm = correlated_table(200, 20, seed=0)
    filter_network(warm.to_numpy(), list(warm.columns))  # first-call costs (imports, compilation)
    filter_network(warm.to_numpy(), list(warm.columns), IFNSpec(method="mst"))
    lines = ["| features | page: call | s | sent MB |", "|---|---|---|---|"]
    for n_rows, p in ((500, 100), (300, 2000)):
        lines += profile_table(write_csv(folder, n_rows, p, seed=7), p)
    return "\n".join(lines)


def profile_table(path: Path, p: int) -> list[str]:
    """The profile's rows for one table of ``p`` features."""
    import json
    import pickle

    from app_pages.shared.common import LIGHT_VIEW_NODES
    from hnnviz.data import describe_columns, load_dataset, read_table
    from hnnviz.network import edge_comparison, filter_network
    from hnnviz.specs import IFNSpec
    from hnnviz.viz import (
        clique_tree_figure,
        comparison_figure,
        graph_html,
        is_maximal_planar,
        light_network_figure,
        network_figure,
        similarity_heatmap,
    )

    lines = []

    def step(name: str, fn: Callable[[], object], size: Callable[[object], int] | None = None) -> object:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        mb = f"{size(out) / 1e6:.2f}" if size else ""
        lines.append(f"| {p} | {name} | {statistics.median(times):.3f} | {mb} |")
        return out

    def fig_json(fig) -> int:
        return len(fig.to_json())

    def cache_hit(name: str, value: object) -> None:
        blob = pickle.dumps(value)
        step(f"cache hit of {name} (unpickle {len(blob) / 1e6:.1f} MB)", lambda: pickle.loads(blob))

    table = step("Data: read_table", lambda: read_table(path))
    ds = step("Data: load_dataset (read + clean)", lambda: load_dataset(path))
    step("Data: describe_columns (not cached)", lambda: describe_columns(table, ds), lambda f: len(f.to_json()))
    net = step("Network: filter_network TMFG", lambda: filter_network(ds.X, ds.feature_names))
    stages = ", ".join(f"{k} {v:.3f}" for k, v in net.seconds.items())
    lines.append(f"| {p} | (TMFG stages, last of the 3 runs: {stages}) | | |")
    step("Network: is_maximal_planar (not cached)", lambda: is_maximal_planar(net))
    if p > LIGHT_VIEW_NODES:
        fig = step("Network: light_network_figure", lambda: light_network_figure(net, layout="planar"), fig_json)
    else:
        fig = step("Network: network_figure", lambda: network_figure(net, layout="planar"), fig_json)
        step("Network: graph_html (pyvis, not cached)", lambda: graph_html(net, height="620px"), len)
        step("Network: similarity_heatmap", lambda: similarity_heatmap(net), fig_json)
    step("Network: drawing to JSON (st.plotly_chart, every run)", lambda: fig.to_json())
    step("Network: clique_tree_figure", lambda: clique_tree_figure(net), fig_json)
    mst = IFNSpec(method="mst")
    other = step("Network: Compare tab, filter_network MST", lambda: filter_network(ds.X, ds.feature_names, mst))
    step("Network: edge_comparison (not cached)", lambda: edge_comparison(net, other))
    if p <= LIGHT_VIEW_NODES:
        step("Network: comparison_figure", lambda: comparison_figure(net, other), fig_json)
    step("Network: download JSON (not cached)", lambda: json.dumps(net.to_dict(), indent=2), len)
    cache_hit("the network", net)
    cache_hit("the drawing", fig)
    return lines


# ---- main ------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timings per case (default 5)")
    parser.add_argument("--only", default=",".join(MEASUREMENTS), help=f"comma-separated: {', '.join(MEASUREMENTS)}")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for any one step (default 60)")
    parser.add_argument("--profile", action="store_true", help="also time the pages' hnnviz calls directly")
    parser.add_argument(
        "--streamlit-option", action="append", default=[], metavar="NAME=VALUE",
        help="extra option for `streamlit run`, e.g. runner.postScriptGC=false (repeatable)",
    )  # fmt: skip
    parser.add_argument("--app", default=str(ROOT), help="folder holding the app.py to run (default: this checkout)")
    parser.add_argument("--out", default=str(RESULTS), help="results file (default benchmarks/results_app.md)")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s) {sorted(unknown)}; choose from {list(MEASUREMENTS)}")
    if CHROMIUM is None:
        sys.exit("chromium is not installed (apt-get install chromium)")

    import streamlit

    started = time.monotonic()
    load = os.getloadavg()
    rows: list[Row] = []
    foreign: list[str] = []
    options = [f"--{o}" if "=" in o else o for o in args.streamlit_option]
    with tempfile.TemporaryDirectory(prefix="bench_app-") as scratch:
        folder = Path(scratch)
        log = folder / "streamlit.log"
        try:
            app_dir = Path(args.app).resolve()
            with streamlit_server(log=log, options=options, app=app_dir) as url, sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=BENCH_CHROMIUM_ARGS)
                context = browser.new_context(viewport=VIEWPORT)  # one HTTP cache: JS bundles load once
                context.add_init_script(HOOK_JS)
                bench = Bench(url, lambda: Tab(context.new_page(), int(args.timeout * 1e3)), args.repeats, folder)
                browser_version = browser.version
                try:
                    for name in wanted:
                        print(f"{name}:", flush=True)
                        rows += MEASUREMENTS[name](bench)
                        bench.close_tabs()
                    foreign = bench.foreign
                finally:
                    context.close()
                    browser.close()
        except (BenchError, ServerError) as err:
            tail = log.read_text()[-1500:] if log.exists() else ""
            sys.exit(f"bench_app: {err}" + (f"\n--- streamlit log (tail) ---\n{tail}" if tail.strip() else ""))
        profiled = profile(folder) if args.profile else ""
    elapsed = time.monotonic() - started

    command = "python benchmarks/bench_app.py " + " ".join(sys.argv[1:])
    header = [
        f"<!-- output of {command.strip()} -->",
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- commit: {git_commit()}",
        f"- machine: {machine(f'Streamlit {streamlit.__version__}', f'Chromium {browser_version} (headless)')}",
        f"- {args.repeats} repeats per case; times from the user's action to the script run finished and the chart "
        "visible; cold = content the server has not seen (fresh seed, fresh tab), warm = the same bytes again "
        "in a fresh tab; the targets apply to the cold uploads and to page switches",
        f"- load average (1 min) before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} (other work on the machine "
        f"slows the timings); requests outside localhost: {len(foreign)}; whole run {elapsed:.0f} s",
        "- columns after the verdict split the median time: action to the first message of the run, the run (as "
        "the browser receives it: server work, transfer, and any time the browser is too busy to read messages), "
        "run end to chart visible; MB sent: websocket bytes from the server",
    ]
    if {"inspect", "report"} & set(wanted):
        header.append(
            "- inspect and report: for each bundled sample with a target, in a fresh tab, the sample chosen, the HNN "
            "and the MLP trained (default settings) and the Explain page opened (setup rows, one timing each); "
            "inspect: clicks on ranking bars until the inspector's chart is titled with the clicked simplex "
            '(target 1 s); report: clicks on "Write the report" until the run has ended and the download button '
            "of the report is on the page (target 10 s)"
        )
    text = "\n".join(header) + "\n\n" + table(rows) + "\n"
    if profiled:
        text += "\nThe pages' calls timed directly in Python (no Streamlit, no browser):\n\n"
        text += profiled + "\n"
    print("\n" + text)
    Path(args.out).write_text(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
