"""Where a benchmark ran: the commit it measured and the machine, for the results files."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def git_commit() -> str:
    """The short commit, with ``+dirty`` when the working tree has changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return commit.stdout.strip() + ("+dirty" if dirty.strip() else "")


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo), else what the platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(*software: str) -> str:
    """One line for a results file: CPUs, their model, the architecture, Python and the given software."""
    parts = [f"{os.cpu_count()} CPUs ({cpu_model()})", platform.machine(), f"Python {platform.python_version()}"]
    return ", ".join([*parts, *software])
