"""Regenerate the screenshots of every app page in ``docs/`` (shown in the README).

Starts ``streamlit run app.py`` on a free local port, opens each page in Debian's Chromium through
Playwright, waits until the page has finished running, and saves a full-page PNG; last, a messy upload (a
table from the bad-input corpus with a log copy of its target, a price) on the Data page, as
``page-data-upload.png``. Run it from the repository root with the project's virtualenv::

    .venv/bin/python docs/make_screenshots.py [--out docs] [--pages data,network]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from browser_support import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

from app import PAGE_TABLE  # noqa: E402  (the page list lives in app.py)


def wait_until_idle(page: Page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit's script run has finished and the plots have drawn."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
    page.wait_for_timeout(1500)  # plotly and iframes finish drawing after the script ends


def visit(page: Page, title: str) -> None:
    """Open a page through the sidebar (a new URL would start a new session and lose the trained models)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    wait_until_idle(page)


def train(page: Page) -> None:
    """Train the HNN and the MLP, and wait for the results."""
    page.get_by_role("button", name="Train the HNN and the MLP").click()
    page.get_by_role("heading", name="Results on the test rows").wait_for(timeout=300_000)
    wait_until_idle(page)


def run_lab(page: Page) -> None:
    page.get_by_role("button", name="Run the lab").click()
    page.get_by_role("heading", name="What the HNN found").wait_for(timeout=300_000)
    wait_until_idle(page)


#: The messy table of the last screenshot, and its target.
MESSY = (ROOT / "tests" / "bad_inputs" / "leak_log_copy.csv", "price")


def messy_upload(page: Page) -> None:
    """Upload :data:`MESSY` on the Data page and choose its target."""
    path, target = MESSY
    visit(page, "Data")
    page.get_by_test_id("stMain").get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
        str(path)
    )
    wait_until_idle(page)
    page.get_by_role("combobox", name="Target (left out of the network)").click()
    page.get_by_role("option", name=target, exact=True).click()
    wait_until_idle(page)


#: What to do on a page before its screenshot (by title).
ACTIONS = {"Train": train, "Lab": run_lab}


def screenshot(page: Page, target: Path) -> None:
    """The whole page: the viewport is stretched to the main area's height first."""
    full_height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(full_height) + 40, 12_000)})
    page.wait_for_timeout(1000)  # charts resize to the new viewport
    page.screenshot(path=str(target))
    page.set_viewport_size({"width": 1400, "height": 1000})
    print(f"wrote {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files (default docs/)")
    parser.add_argument("--pages", default=None, help="comma-separated page titles (default: every page)")
    parser.add_argument("--query", default="", help="query string of the first page, e.g. 'data=sample:wine'")
    parser.add_argument("--no-upload", action="store_true", help="skip the messy upload's screenshot")
    args = parser.parse_args()
    titles = [title for _, title, *_ in PAGE_TABLE]
    wanted = args.pages.split(",") if args.pages else titles
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + (f"/?{args.query}" if args.query else ""))
        wait_until_idle(page)
        for title in titles:  # in menu order, so the Train page has trained before Explain
            visit(page, title)
            if title in ACTIONS and (title in wanted or title == "Train"):
                ACTIONS[title](page)
            if title in wanted:
                screenshot(page, out / f"page-{title.lower()}.png")
        if not args.no_upload:
            messy_upload(page)
            screenshot(page, out / "page-data-upload.png")
        browser.close()


if __name__ == "__main__":
    main()
