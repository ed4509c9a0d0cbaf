"""The wheel gives a user the app: built from this checkout, installed (not editable) into a fresh virtual
environment, run from another folder.

The fresh environment gets its dependencies (torch, streamlit ...) from the running one's site-packages through
one ``.pth`` line, not from the network. A ``.pth`` line only adds a folder to ``sys.path``: the ``.pth`` files in
that folder (the editable install's finder among them) are not run, so ``hnnviz`` and ``app_pages`` can only
come from the wheel, which the first test proves. Skipped when no ``chromium`` is on PATH, except under CI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 30_000
#: What the wheel is built from (pyproject.toml names the rest of the repository nowhere).
WHEEL_SOURCES = ("pyproject.toml", "README.md", "hnnviz", "app_pages", "sample_data")

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed but CI is set: install it with `apt-get install chromium`")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment holding the wheel, and a folder outside the repository to run it from."""

    venv: Path
    elsewhere: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def python(self, code: str) -> str:
        done = subprocess.run(
            [str(self.bin / "python"), "-c", code],
            cwd=self.elsewhere,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _clean_env() -> dict[str, str]:
    """This process's environment without PYTHONPATH, so nothing of the checkout can be imported."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(*cmd: str | Path) -> None:
    done = subprocess.run([str(c) for c in cmd], env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{cmd}: {done.stderr[-2000:]}"


def _copy_sources(dest: Path) -> None:
    dest.mkdir()
    for name in WHEEL_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, dest / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel, make a pip-less venv, install the wheel into it without dependencies, link the deps."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"  # a copy: setuptools leaves build/ in the tree it builds, and reuses stale files
    _copy_sources(source)
    _run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "-w", tmp / "dist")
    (wheel,) = (tmp / "dist").glob("hnnviz-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "-q",
        "--no-deps",
        "--ignore-installed",
        wheel,
    )
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return Installed(venv=venv, elsewhere=elsewhere)


def test_the_wheel_holds_every_package_of_the_repository(installed):
    """pyproject lists the packages by hand; every folder with an ``__init__.py`` must be in it."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("hnnviz", "app_pages")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert listed == on_disk | {"hnnviz.sample_data"}


def test_load_sample_works_from_the_installed_wheel(installed):
    out = installed.python(
        "import json, app_pages, hnnviz; from hnnviz import load_sample; from hnnviz.data import sample_data_dir;"
        "d = load_sample('diabetes');"
        "print(json.dumps([hnnviz.__file__, app_pages.__file__, str(sample_data_dir()), d.n_rows, d.target]))"
    )
    hnnviz_file, pages_file, samples, rows, target = json.loads(out)
    for path in (hnnviz_file, pages_file, samples):
        assert Path(path).is_relative_to(installed.venv)  # the wheel's files, not the checkout's
    assert {p.name for p in Path(samples).glob("*.csv")} >= {"diabetes.csv", "wine.csv", "sp500_returns.csv"}
    assert (rows, target) == (442, "target")


@pytest.fixture(scope="module")
def app_url(installed) -> Iterator[str]:
    """``hnnviz app`` from the fresh venv in the other folder; stopped with Ctrl-C (SIGINT to its group)."""
    port = free_port()
    log = installed.elsewhere / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(installed.bin / "hnnviz"), "app", "--port", str(port), "--host", "127.0.0.1", "--workers", "1"],
            cwd=installed.elsewhere,
            env=_clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", proc, log, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                status = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
    assert status == 0, log.read_text()[-2000:]  # Ctrl-C stops the app cleanly


@pytest.fixture(scope="module")
def browser_page(app_url) -> Iterator:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        yield page
        chromium.close()


def test_the_installed_app_opens_the_data_page_with_its_samples(app_url, browser_page):
    page = browser_page
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Data", level=1)).to_be_visible(timeout=TIMEOUT_MS)
    rows = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Rows used", exact=True))
    expect(rows.get_by_test_id("stMetricValue")).to_have_text("442", timeout=TIMEOUT_MS)  # diabetes, bundled
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Data").click()
    expect(page.get_by_role("option", name="wine (sample)", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    page.goto(f"{app_url}/explain")  # nothing trained: a link to Train, which must resolve in the installed app
    page.get_by_role("link", name="Go to Train").click()
    expect(page.get_by_role("heading", name="Train", level=1)).to_be_visible(timeout=TIMEOUT_MS)
    assert not page.get_by_test_id("stException").count()
    hosts = {urlsplit(u).hostname for u in page.requested if not u.startswith(("data:", "blob:", "about:"))}
    assert hosts <= {"127.0.0.1"}, sorted(hosts)  # offline, and no usage statistics sent
