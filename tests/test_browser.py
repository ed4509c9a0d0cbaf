"""End-to-end test in a real browser: `streamlit run app.py` driven by Playwright and Debian's Chromium.

Skipped when no ``chromium`` is on PATH, except under CI (env var ``CI`` set), where that is a failure.
Every request the page makes must stay on localhost: the app has to work offline (no CDN).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed but CI is set: install it with `apt-get install chromium`")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=TIMEOUT_MS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}:\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout} s")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    url = f"http://localhost:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def context() -> Iterator:
    """One browser context for the module, so the plotly bundle is downloaded (from localhost) once."""
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = chromium.new_context(viewport={"width": 1400, "height": 1000})
        yield ctx
        ctx.close()
        chromium.close()


@pytest.fixture
def page(context, server):
    """A new tab, hence a fresh Streamlit session, with every requested URL recorded in ``page.requested``."""
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.requested = []
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.goto(server)
    expect(tab.locator(".js-plotly-plot").first).to_be_visible()
    yield tab
    tab.close()


def assert_stays_local(page) -> None:
    """No request left the machine (no CDN, no fonts, no telemetry)."""
    hosts = {urlsplit(u).hostname for u in page.requested if not u.startswith(("data:", "blob:", "about:"))}
    assert hosts <= {"localhost", "127.0.0.1"}, sorted(hosts)


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def choose(page, label: str, option: str) -> None:
    """Pick an option of the Streamlit selectbox with this label."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def upload(page, path: Path) -> None:
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))


def test_graph_shows_and_mst_has_p_minus_1_edges(page):
    expect(metric(page, "Nodes")).to_have_text("10")
    expect(metric(page, "Edges")).to_have_text("24")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    choose(page, "Filtering network", "MST: spanning tree")
    expect(metric(page, "Edges")).to_have_text("9")  # p - 1
    page.get_by_text("Interactive view").click()  # pyvis in an iframe: vis-network must be inlined
    expect(page.frame_locator("iframe").first.locator("#mynetwork canvas")).to_be_visible()
    assert "Traceback" not in page.content()
    assert_stays_local(page)


def test_upload_lists_the_dropped_columns(page, tmp_path):
    rows = [f"{i},{i * i % 7},{(3 * i) % 5},{i % 4},{(i * 5) % 11},2,c{i % 3}" for i in range(12)]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(["a,b,c,d,e,const,city", *rows]) + "\n")
    upload(page, path)
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text("const")
    expect(table).to_contain_text("constant")
    expect(table).to_contain_text("city")
    expect(metric(page, "Nodes")).to_have_text("5")
    assert_stays_local(page)


def test_upload_with_two_numeric_columns_shows_a_clear_error(page, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i * i % 5}\n" for i in range(12)))
    upload(page, path)
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert).to_contain_text("at least 4 are needed")
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    assert "Traceback" not in page.content()
    assert not page.get_by_test_id("stException").count()
    assert_stays_local(page)
