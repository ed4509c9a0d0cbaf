"""``hnnviz app``: the Streamlit command it builds, its options and its errors (the real start is tested on an
installed wheel in tests/test_install.py)."""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import pytest

from hnnviz.cli import _app, main
from hnnviz.exceptions import AppError, InputValidationError
from hnnviz.specs import WORKERS_VARIABLE

ROOT = Path(__file__).resolve().parents[2]


class FakeStreamlit:
    """Stands in for ``subprocess.Popen``: records the command and environment, exits with ``status``."""

    status = 0
    calls: ClassVar[list[tuple[list[str], dict[str, str]]]] = []

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        FakeStreamlit.calls.append((command, env))

    def __enter__(self) -> FakeStreamlit:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def wait(self) -> int:
        return FakeStreamlit.status


@pytest.fixture
def fake_streamlit(monkeypatch: pytest.MonkeyPatch) -> type[FakeStreamlit]:
    FakeStreamlit.calls, FakeStreamlit.status = [], 0
    monkeypatch.setattr(_app.subprocess, "Popen", FakeStreamlit)
    return FakeStreamlit


def test_the_settings_are_the_repository_config() -> None:
    """An installed app does not see .streamlit/config.toml: its settings travel as flags, the same ones."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    flat = {f"{section}.{key}": value for section, options in config.items() for key, value in options.items()}
    as_flags = {name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in flat.items()}
    assert as_flags == _app.SETTINGS


def test_the_app_script_is_the_router_of_app_pages() -> None:
    assert _app.app_script() == ROOT / "app_pages" / "main.py"


def test_app_starts_streamlit_with_the_settings_port_host_and_workers(capsys, fake_streamlit) -> None:
    assert main(["app", "--port", "8600", "--host", "0.0.0.0", "--workers", "3"]) == 0
    ((command, env),) = fake_streamlit.calls
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(ROOT / "app_pages" / "main.py")]
    assert command[5:] == _app.streamlit_command(Path("x"), 8600, "0.0.0.0")[5:]
    assert "--runner.postScriptGC" in command and command[-4:] == [
        "--server.port",
        "8600",
        "--server.address",
        "0.0.0.0",
    ]
    assert env[WORKERS_VARIABLE] == "3"
    assert capsys.readouterr().out == "the app has stopped\n"


def test_app_without_options_leaves_host_and_threads_alone(monkeypatch, fake_streamlit) -> None:
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    assert main(["app"]) == 0
    ((command, env),) = fake_streamlit.calls
    assert command[-2:] == ["--server.port", "8501"] and WORKERS_VARIABLE not in env


@pytest.mark.parametrize("status", [0, -signal.SIGINT])
def test_a_stop_by_ctrl_c_is_success(fake_streamlit, status: int) -> None:
    fake_streamlit.status = status
    assert main(["app"]) == 0


def _args(port: int = 8501, host: str | None = None, workers: int | None = None) -> argparse.Namespace:
    return argparse.Namespace(port=port, host=host, workers=workers)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (_args(port=0), r"--port must be between 1 and 65535; got 0\."),
        (_args(port=70000), r"--port must be between 1 and 65535; got 70000\."),
        (_args(workers=0), r"--workers must be at least 1; got 0\."),
    ],
)
def test_bad_options(fake_streamlit, args: argparse.Namespace, message: str) -> None:
    with pytest.raises(InputValidationError, match=message):
        _app.run(args)
    assert fake_streamlit.calls == []


def test_a_bad_option_is_one_line_and_status_1(capsys, fake_streamlit) -> None:
    assert main(["app", "--workers", "0"]) == 1
    assert capsys.readouterr().err == "hnnviz app: error: --workers must be at least 1; got 0.\n"


def test_streamlit_failing_is_an_app_error(fake_streamlit) -> None:
    fake_streamlit.status = 1
    with pytest.raises(AppError, match=r"Streamlit stopped with exit status 1 \(its messages are above\)\."):
        _app.run(_args())


def test_missing_pages_are_an_app_error(monkeypatch, fake_streamlit) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(AppError, match=r"The app's pages \(the 'app_pages' package\) are not installed"):
        _app.run(_args())
