"""End-to-end test in a real browser: `streamlit run app.py` driven by Playwright and Debian's Chromium.

Skipped when no ``chromium`` is on PATH, except under CI (env var ``CI`` set), where that is a failure.
Every request the page makes must stay on localhost: the app has to work offline (no CDN).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, streamlit_server

TIMEOUT_MS = 30_000

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed but CI is set: install it with `apt-get install chromium`")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(log=tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


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
    settle(tab)
    yield tab
    tab.close()


def settle(page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    expect(page.locator("[data-testid=stApp]")).to_have_attribute("data-test-script-state", "notRunning")
    page.wait_for_timeout(300)  # elements and charts draw just after the run ends
    expect(page.locator("[data-testid=stApp]")).to_have_attribute("data-test-script-state", "notRunning")


def assert_healthy(page) -> None:
    """No exception box, no traceback, and no request left the machine (no CDN, no fonts, no telemetry)."""
    assert not page.get_by_test_id("stException").count()
    assert "Traceback" not in page.content()
    hosts = {urlsplit(u).hostname for u in page.requested if not u.startswith(("data:", "blob:", "about:"))}
    assert hosts <= {"localhost", "127.0.0.1"}, sorted(hosts)


def metric(page, label: str):
    """The value of the metric with exactly this label (the first one, as a tab may repeat it)."""
    labelled = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=labelled).get_by_test_id("stMetricValue").first


def choose(page, label: str, option: str) -> None:
    """Pick an option of the Streamlit selectbox with this label."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def type_number(page, name: str, value: int) -> None:
    """Type a value into a number box and let the page settle."""
    box = page.get_by_role("spinbutton", name=name)
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    settle(page)


def upload(page, path: Path) -> None:
    page.get_by_test_id("stMain").get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
        str(path)
    )
    settle(page)


def test_walk_through_every_page_with_an_uploaded_table(page, tmp_path):
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(80, 12)), columns=[f"x{j}" for j in range(12)])
    table["y"] = table["x0"] * table["x1"] + table["x2"]
    table["note"] = "text"
    path = tmp_path / "mine.csv"
    table.to_csv(path, index=False)
    upload(page, path)
    expect(metric(page, "Features")).to_have_text("13")  # the 12 x's and y: no target yet; 'note' is text
    expect(page.get_by_role("combobox", name="Data")).to_have_value("mine.csv (uploaded)")
    choose(page, "Target (left out of the network)", "y")
    expect(metric(page, "Features")).to_have_text("12")

    go_to(page, "Network")
    expect(metric(page, "Nodes")).to_have_text("12")
    expect(metric(page, "Edges")).to_have_text("30")  # 3p - 6
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    page.get_by_role("tab", name="Interactive").click()  # pyvis in an iframe: vis-network must be inlined
    expect(page.frame_locator("iframe").first.locator("#mynetwork canvas")).to_be_visible()
    page.get_by_role("tab", name="Drawing").click()
    page.get_by_role("radiogroup", name="Layout").get_by_role("radio", name="spring").click()
    settle(page)

    go_to(page, "Complex")
    expect(metric(page, "f-vector")).to_have_text("12, 30, 28, 9")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.get_by_role("combobox", name="Data")).to_have_value("mine.csv (uploaded)")  # the choice holds

    go_to(page, "Network")  # the layout chosen before is still chosen
    expect(page.get_by_role("radiogroup", name="Layout").get_by_role("radio", name="spring")).to_be_checked()
    go_to(page, "Data")
    expect(metric(page, "Target")).to_have_text("y")
    assert_healthy(page)


def test_a_shared_link_opens_the_same_view(context, server):
    tab = context.new_page()
    tab.requested = []
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.goto(f"{server}/network?data=sample:wine&target=cultivar&method=mst&similarity=abs")
    settle(tab)
    expect(tab.get_by_role("heading", name="Network", level=1)).to_be_visible()
    expect(metric(tab, "Nodes")).to_have_text("13")
    expect(metric(tab, "Edges")).to_have_text("12")  # a spanning tree
    expect(tab.get_by_test_id("stSidebarNav")).to_contain_text("Complex")  # the app's own navigation
    assert_healthy(tab)
    tab.close()


def test_an_upload_with_two_numeric_columns_is_a_clear_message(page, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i * i % 5}\n" for i in range(12)))
    upload(page, path)
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text("at least 4 are needed")
    go_to(page, "Network")
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text("at least 4 are needed")
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    assert_healthy(page)


def progress_text(page) -> str:
    return page.get_by_test_id("stProgress").first.inner_text()


def click_ranking_bar(page, rank: int) -> str:
    """Click the bar of this rank in the Explain page's ranking; return its simplex as labelled (``"a · b"``)."""
    ranking = page.get_by_role("tabpanel", name="Ranking").locator(".js-plotly-plot").first
    tick = ranking.locator(".ytick text").nth(rank)
    label = tick.text_content()
    tick_y = tick.bounding_box()["y"] + tick.bounding_box()["height"] / 2
    boxes = [box for bar in ranking.locator("g.point path").all() if (box := bar.bounding_box())]
    bar = min(boxes, key=lambda box: abs(box["y"] + box["height"] / 2 - tick_y))
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    settle(page)
    return label


def test_train_pause_resume_explain_lab_and_share(page, context, server, tmp_path):
    choose(page, "Data", "planted_interactions (sample)")
    go_to(page, "Train")
    page.get_by_role("button", name="Train the HNN and the MLP").click()
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    expect(page.get_by_test_id("stProgress").first).to_contain_text("paused between epochs", timeout=60_000)
    held = progress_text(page)  # the epoch in progress has ended and training holds
    page.wait_for_timeout(2000)
    assert progress_text(page) == held  # no epoch while paused
    expect(page.locator(".js-plotly-plot").first).to_be_visible()  # the live loss curves
    page.get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("heading", name="Results on the test rows")).to_be_visible(timeout=120_000)
    settle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("by hand")  # stopped, best weights kept

    go_to(page, "Explain")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    label = click_ranking_bar(page, rank=1)  # pure effects by default: the clicked effect's shape opens
    expect(page.get_by_role("combobox", name="Effect")).to_have_value(label)
    shape = page.get_by_role("tabpanel", name="Ranking").locator(".js-plotly-plot").nth(1)
    expect(shape.locator(".gtitle")).to_contain_text(f"Pure effect of {label}")
    choose(page, "Explain by", "what a unit carries: gradient x activation (fast)")
    label = click_ranking_bar(page, rank=1)  # the inspector opens on the clicked simplex
    expect(page.get_by_role("combobox", name="Simplex")).to_have_value(label)
    inspector = page.get_by_role("tabpanel", name="Ranking").locator(".js-plotly-plot").nth(1)
    expect(inspector.locator(".gtitle")).to_contain_text(label.replace(" · ", ", "))
    page.get_by_text("Report for colleagues").click()
    page.get_by_role("button", name="Write the report").click()
    with page.expect_download() as report:  # the expander stays open with the report's button in it
        page.get_by_role("button", name="Download the report (.html)").click(timeout=120_000)
    assert "<!DOCTYPE html>" in Path(report.value.path()).read_text(encoding="utf-8")[:100]
    page.get_by_role("tab", name="On the network").click()
    expect(
        page.get_by_role("tabpanel", name="On the network").locator(".js-plotly-plot .main-svg").first
    ).to_be_visible()

    with page.expect_download() as download:
        page.get_by_test_id("stSidebar").get_by_text("Save and share").click()
        page.get_by_role("button", name="Download the session (.zip)").click()
    saved = tmp_path / "session.zip"
    download.value.save_as(saved)

    go_to(page, "Lab")
    type_number(page, "Rows", 600)
    page.get_by_role("button", name="Run the lab").click()
    expect(page.get_by_role("heading", name="What the HNN found")).to_be_visible(timeout=120_000)
    settle(page)
    expect(metric(page, "Structure recall")).to_have_text("1.00")
    assert_healthy(page)

    other = context.new_page()  # another session opens the saved one
    other.requested = []
    other.on("request", lambda request: other.requested.append(request.url))
    other.goto(server)
    settle(other)
    other.get_by_test_id("stSidebar").get_by_text("Save and share").click()
    other.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(saved))
    settle(other)
    expect(other.get_by_test_id("stSidebar").get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Restored planted_interactions"
    )
    go_to(other, "Explain")
    expect(other.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    assert_healthy(other)
    other.close()


def train_page_numbers(page) -> dict[str, str]:
    """Every number the Train page shows after training: progress (epochs), metric boxes, the test results
    table and the figures' titles (accuracy or R² and RMSE per model)."""
    numbers = {"progress": progress_text(page)}
    boxes = page.get_by_test_id("stMain").get_by_test_id("stMetric").all()
    numbers |= {f"box {i}": box.inner_text() for i, box in enumerate(boxes)}
    numbers["results"] = page.get_by_test_id("stDataFrame").first.text_content()
    titles = page.locator(".js-plotly-plot .gtitle").all()
    numbers |= {f"title {i}": title.text_content() for i, title in enumerate(titles)}
    return numbers


def test_a_saved_session_reopens_with_the_same_numbers_and_trains_nothing(page, context, server, tmp_path):
    choose(page, "Data", "wine (sample)")
    go_to(page, "Train")
    type_number(page, "Epochs (at most)", 25)
    page.get_by_role("button", name="Train the HNN and the MLP").click()
    expect(page.get_by_role("heading", name="Results on the test rows")).to_be_visible(timeout=120_000)
    settle(page)
    page.wait_for_timeout(1000)  # the figures draw their titles
    before = train_page_numbers(page)
    assert "done" in before["progress"] and "box 0" in before and len([k for k in before if "title" in k]) >= 3
    assert "HNN: accuracy" in " ".join(before.values()) and "accuracy" in before["results"]

    page.get_by_test_id("stSidebar").get_by_text("Save and share").click()
    page.get_by_test_id("stSidebar").get_by_text("Include the table").click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the session (.zip)").click()
    saved = tmp_path / "session.zip"
    download.value.save_as(saved)

    fresh = context.browser.new_context(viewport={"width": 1400, "height": 1000})  # no cookie, no cache shared
    other = fresh.new_page()
    other.requested = []
    other.on("request", lambda request: other.requested.append(request.url))
    other.goto(server)
    settle(other)
    other.get_by_test_id("stSidebar").get_by_text("Save and share").click()
    other.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(str(saved))
    settle(other)
    expect(other.get_by_test_id("stSidebar").get_by_test_id("stAlertContentSuccess")).to_contain_text("Restored")
    go_to(other, "Train")
    expect(other.get_by_role("heading", name="Results on the test rows")).to_be_visible()
    other.wait_for_timeout(1000)
    assert train_page_numbers(other) == before
    other.wait_for_timeout(3000)  # a restored job must not train again in the background
    assert train_page_numbers(other) == before
    expect(other.get_by_role("button", name="Pause")).to_have_count(0)
    assert_healthy(other)
    fresh.close()


NASTY = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "<b onmouseover=alert(4)>b</b>",
]


def injected(page) -> int:
    """Elements a nasty name would have created, on the page and in its frames."""
    selector = "img[src=x], svg[onload], b[onmouseover]"
    return page.locator(selector).count() + sum(frame.locator(selector).count() for frame in page.frames[1:])


def test_hostile_column_names_show_as_text_everywhere(page, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    rng = np.random.default_rng(1)
    base = rng.normal(size=(120, 3))
    table = pd.DataFrame(base[:, np.arange(8) % 3] + 0.7 * rng.normal(size=(120, 8)), columns=[*NASTY, *"efgh"])
    table["y"] = table.iloc[:, 0] * table.iloc[:, 1] + table["e"]
    path = tmp_path / "nasty.csv"
    table.to_csv(path, index=False)
    upload(page, path)
    choose(page, "Target (left out of the network)", "y")
    page.get_by_role("tab", name="Columns").click()
    go_to(page, "Network")
    expect(metric(page, "Nodes")).to_have_text("8")
    for tab in ("Interactive", "Similarity", "Clique tree", "Stability", "Compare", "Drawing"):
        page.get_by_role("tab", name=tab).click()
        settle(page)
    choose(page, "Find a feature", NASTY[0])
    go_to(page, "Complex")
    go_to(page, "Train")
    page.get_by_role("button", name="Train the HNN and the MLP").click()
    expect(page.get_by_role("heading", name="Results on the test rows")).to_be_visible(timeout=120_000)
    go_to(page, "Explain")
    page.get_by_role("tab", name="On the network").click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_test_id("stSidebar").get_by_text("Save and share").click()
        page.get_by_role("button", name="Download the session (.zip)").click()
    assert download.value.failure() is None
    assert dialogs == [] and injected(page) == 0
    assert page.evaluate("document.title") and "Traceback" not in page.content()
    assert_healthy(page)


def test_two_users_at_once_see_only_their_own_data_and_models(context, server, tmp_path):
    first, second = context.browser.new_context(), context.browser.new_context()  # two browsers, two sessions
    try:
        alice, bob = first.new_page(), second.new_page()
        for tab in (alice, bob):
            tab.set_default_timeout(TIMEOUT_MS)
            tab.requested = []
            tab.on("request", lambda request, tab=tab: tab.requested.append(request.url))
            tab.goto(server)
            settle(tab)
        rng = np.random.default_rng(2)
        mine = pd.DataFrame(rng.normal(size=(3000, 10)), columns=[f"alice{j}" for j in range(10)])
        mine["y"] = mine["alice0"] * mine["alice1"] + rng.normal(size=3000)
        path = tmp_path / "alice.csv"
        mine.to_csv(path, index=False)
        upload(alice, path)
        choose(alice, "Target (left out of the network)", "y")
        go_to(alice, "Train")
        alice.get_by_role("button", name="Train the HNN and the MLP").click()  # trains in the background

        choose(bob, "Data", "wine (sample)")  # meanwhile the other user works on other data
        go_to(bob, "Network")
        expect(metric(bob, "Nodes")).to_have_text("13")
        bob.get_by_role("combobox", name="Data").click()
        expect(bob.get_by_role("option", name="alice.csv (uploaded)")).to_have_count(0)  # not her upload
        bob.keyboard.press("Escape")
        go_to(bob, "Explain")
        expect(bob.get_by_text("Train a model first")).to_be_visible()  # not her models
        assert "Training in the background" not in bob.get_by_test_id("stSidebar").inner_text()

        expect(alice.get_by_role("heading", name="Results on the test rows")).to_be_visible(timeout=180_000)
        go_to(alice, "Network")
        expect(metric(alice, "Nodes")).to_have_text("10")
        go_to(bob, "Data")
        expect(metric(bob, "Features")).to_have_text("13")
        for tab in (alice, bob):
            assert_healthy(tab)
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("name", ["latin1", "binary", "missing_tokens", "thousands"])
def test_bad_inputs_in_the_browser(page, tmp_path, name):
    from bad_inputs.cases import CASES, Ok, case_file

    case = next(c for c in CASES if c.name == name)
    upload(page, case_file(case, tmp_path))
    if isinstance(case.expect, Ok):
        if case.target:
            choose(page, "Target (left out of the network)", case.target)
        expect(metric(page, "Features")).to_have_text(str(case.expect.features))
        page.get_by_role("tab", name="Dropped and read as").click()
        expect(page.get_by_text("Read differently from how it is written")).to_be_visible()
    else:
        expect(page.get_by_test_id("stAlertContentError").first).to_contain_text(case.expect.message)
    assert_healthy(page)
