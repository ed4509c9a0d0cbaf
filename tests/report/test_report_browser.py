"""The written report in a real browser: opened from disk in headless Chromium with the network cut off.

Skipped when no ``chromium`` is on PATH, except under CI (env var ``CI`` set), where that is a failure. The
report is of a table whose column names, target, class labels and file name are script injections, so a
dialog would mean a name was not escaped.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS

from hnnviz.data import load_dataset
from hnnviz.io import save_run
from hnnviz.model import train_run
from hnnviz.report import write_report
from hnnviz.specs import ModelSpec, TrainConfig

TIMEOUT_MS = 30_000
FEATURES = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "<b onmouseover=alert(5)>b</b>")

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed but CI is set: install it with `apt-get install chromium`")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 6))
    table = pd.DataFrame(X, columns=[*FEATURES, "x3", "x4", "x5"])
    table["<svg onload=alert(2)>"] = np.where(X[:, 0] * X[:, 1] > 0, "<script>alert(3)</script>", "safe")
    table["<i>dropped</i>"] = "<u>text</u>"
    data = folder / "<svg onload=alert(4)>.csv"
    table.to_csv(data, index=False)
    run = train_run(
        load_dataset(data, target="<svg onload=alert(2)>"),
        ModelSpec(channels=2),
        config=TrainConfig(defaults="mlp", epochs=5),
    )
    return write_report(save_run(run, folder / "run"), folder / "report.html", data=data)


def test_the_report_renders_every_figure_offline(report: Path) -> None:
    left, errors, dialogs = [], [], []

    def route(request_route) -> None:
        if request_route.request.url.startswith("file:"):
            request_route.continue_()
        else:
            left.append(request_route.request.url)
            request_route.abort()

    n_figures = report.read_text(encoding="utf-8").count('class="plotly-graph-div"')
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.route("**/*", route)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(report.as_uri())
        page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('.main-svg'))"
        )
        page.mouse.wheel(0, 20_000)  # scroll through the page: hover and resize handlers run
        page.wait_for_timeout(500)
        drawn = page.locator(".plotly-graph-div .main-svg").evaluate_all(
            "svgs => new Set(svgs.map(s => s.closest('.plotly-graph-div').id)).size"
        )
        sections = page.locator("section h2").all_inner_texts()
        context.close()
        browser.close()
    assert left == [] and errors == [] and dialogs == []
    assert drawn == n_figures == 8 + 4 + 2 * 5  # 8 figures, the pure ranking and 3 shapes, then the top 5 simplices
    assert sections == [
        "About this report", "Data", "Network and clique complex", "Model and metrics",
        "What drives the predictions: pure effects", "Top simplices", "Prediction split by order", "Faithfulness",
    ]  # fmt: skip
