"""Run the app with ``streamlit run`` and drive Debian's Chromium through Playwright.

Shared by the browser tests (``tests/app/test_browser.py``), the screenshot script (``docs/make_screenshots.py``)
and the app benchmark (``benchmarks/bench_app.py``); the scripts put ``tests/`` on ``sys.path`` to import it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium")
#: Headless Chromium as root, on a machine whose network is closed: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ServerError(RuntimeError):
    """``streamlit run`` exited or did not answer in time; the message holds the end of its output."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    *, log: Path | None = None, options: Sequence[str] = (), app: Path = ROOT, timeout: float = 60.0
) -> Iterator[str]:
    """``streamlit run app.py`` in ``app`` on a free port; yields its URL once healthy; always shut down.

    Its output goes to ``log`` (default: discarded). ``options`` are extra ``streamlit run`` options.
    """
    port = free_port()
    url = f"http://localhost:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *options]
    out = log.open("w") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=app, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(url, proc, log, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not None:
            out.close()


def wait_until_healthy(url: str, proc: subprocess.Popen, log: Path | None, timeout: float) -> None:
    """Return once ``url``'s Streamlit health check answers; raise :class:`ServerError` if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            tail = log.read_text()[-2000:] if log is not None else "(no log kept)"
            raise ServerError(f"streamlit exited with code {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"streamlit did not answer on {url} within {timeout:.0f} s")
        time.sleep(0.2)
