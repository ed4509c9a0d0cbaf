"""``hnnviz app [--port P] [--host H] [--workers N]``: start the Streamlit app installed with the package.

Streamlit runs as a child process (``python -m streamlit run app_pages/main.py``), so the core never imports
it. The app's settings, the same as the repository's ``.streamlit/config.toml`` (which an installed app does
not see), are passed as command-line flags.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from ..exceptions import AppError, InputValidationError
from ..specs import WORKERS_VARIABLE

__all__ = ["SETTINGS", "app_script", "run", "streamlit_command", "summary"]

#: ``.streamlit/config.toml``'s settings as Streamlit options (tests/cli/test_app_cli.py keeps them equal).
SETTINGS: dict[str, str] = {
    "browser.gatherUsageStats": "false",
    "server.headless": "true",
    "server.maxUploadSize": "200",
    "client.toolbarMode": "minimal",
    "theme.base": "light",
    "theme.primaryColor": "#2f6f9f",
    "runner.postScriptGC": "false",
}


def app_script() -> Path:
    """The installed app's main script, ``app_pages/main.py``, found without importing it (nor Streamlit).

    Raises
    ------
    AppError
        If the ``app_pages`` package is not installed.
    """
    spec = importlib.util.find_spec("app_pages")
    script = Path(spec.submodule_search_locations[0]) / "main.py" if spec and spec.submodule_search_locations else None
    if script is None or not script.is_file():
        raise AppError("The app's pages (the 'app_pages' package) are not installed; reinstall with 'pip install .'.")
    return script


def streamlit_command(script: Path, port: int, host: str | None) -> list[str]:
    """``python -m streamlit run SCRIPT`` with the app's settings, the port and (if given) the address.

    Examples
    --------
    >>> streamlit_command(Path("main.py"), 8502, "127.0.0.1")[-4:]
    ['--server.port', '8502', '--server.address', '127.0.0.1']
    """
    flags = [item for name, value in SETTINGS.items() for item in (f"--{name}", value)]
    command = [sys.executable, "-m", "streamlit", "run", str(script), *flags, "--server.port", str(port)]
    return command + (["--server.address", host] if host else [])


def run(args: argparse.Namespace) -> dict[str, int]:
    """Serve the app until Streamlit stops (Ctrl-C); ``--workers`` reaches it as ``HNNVIZ_WORKERS``."""
    if not 0 < args.port < 65536:
        raise InputValidationError(f"--port must be between 1 and 65535; got {args.port}.")
    if args.workers is not None and args.workers < 1:
        raise InputValidationError(f"--workers must be at least 1; got {args.workers}.")
    env = dict(os.environ)
    if args.workers is not None:
        env[WORKERS_VARIABLE] = str(args.workers)
    with subprocess.Popen(streamlit_command(app_script(), args.port, args.host), env=env) as streamlit:
        try:
            status = streamlit.wait()
        except KeyboardInterrupt:  # Streamlit got the same Ctrl-C: let it shut down cleanly
            status = streamlit.wait()
    if status not in (0, -signal.SIGINT):
        raise AppError(f"Streamlit stopped with exit status {status} (its messages are above).")
    return {"exit_status": status}


def summary(result: dict[str, int]) -> str:
    return "the app has stopped"
