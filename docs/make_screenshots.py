"""Regenerate the screenshots of every app page in ``docs/`` (shown in the README).

Starts ``streamlit run app.py`` on a free local port, opens each page in Debian's Chromium through
Playwright, waits until the page has finished running, and saves a full-page PNG. Run it from the repository
root with the project's virtualenv::

    .venv/bin/python docs/make_screenshots.py [--out docs] [--pages data,network]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app import PAGE_TABLE  # noqa: E402  (the page list lives in app.py)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server() -> Iterator[str]:
    """``streamlit run app.py`` on a free port; yields its URL once it answers its health check."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_until_idle(page: Page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit's script run has finished and the plots have drawn."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
    page.wait_for_timeout(1500)  # plotly and iframes finish drawing after the script ends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files (default docs/)")
    parser.add_argument("--pages", default=None, help="comma-separated url paths (default: every page)")
    parser.add_argument("--query", default="", help="query string to append, e.g. 'data=sample:wine'")
    args = parser.parse_args()
    wanted = args.pages.split(",") if args.pages else [path for *_, path in PAGE_TABLE]
    landing = PAGE_TABLE[0][3]  # the default page is served at "/", not at its own path
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path in wanted:
            page.goto(f"{url}/{'' if path == landing else path}" + (f"?{args.query}" if args.query else ""))
            wait_until_idle(page)
            target = out / f"page-{path}.png"
            full_height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
            page.set_viewport_size({"width": 1400, "height": min(int(full_height) + 40, 12_000)})
            page.wait_for_timeout(1000)  # charts resize to the new viewport
            page.screenshot(path=str(target))
            page.set_viewport_size({"width": 1400, "height": 1000})
            print(f"wrote {target}")
        browser.close()


if __name__ == "__main__":
    main()
