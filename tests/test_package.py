"""The top-level package: its lazy exports of the main API, one import path per name, and a light import."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import hnnviz

MAIN_API = (
    "load_dataset", "load_sample", "IFNSpec", "filter_network", "ModelSpec", "TrainConfig", "default_config",
    "train_run", "compare_models", "explain", "inspect_simplex", "purify", "analyse", "save_run", "load_run",
    "HNNRegressor", "HNNClassifier", "build_report",
)  # fmt: skip
STAGES = ("data", "network", "model", "explanation", "io", "workflows", "viz", "report")


@pytest.mark.parametrize("name", MAIN_API)
def test_the_main_api_is_exported_from_the_top(name: str) -> None:
    assert name in hnnviz.__all__
    value = getattr(hnnviz, name)
    module = importlib.import_module(f"hnnviz.{hnnviz._EXPORTS[name]}")
    assert getattr(module, name) is value  # the top re-exports the stage's one public name


def test_each_public_name_has_one_home_among_the_stages() -> None:
    homes: dict[str, list[str]] = {}
    for stage in ("specs", "exceptions", *STAGES):
        module = importlib.import_module(f"hnnviz.{stage}")
        for name in module.__all__:
            homes.setdefault(name, []).append(stage)
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}


def test_importing_the_package_loads_no_heavy_library() -> None:
    code = "import json, sys, hnnviz; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(
        json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    )
    assert not loaded & {"torch", "sklearn", "pandas", "networkx", "gudhi", "plotly", "streamlit", "numpy"}
