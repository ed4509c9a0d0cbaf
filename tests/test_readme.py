"""The README's Python examples use the package's real import paths, and its first example runs as written."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", range(len(BLOCKS)))
def test_every_import_of_an_example_resolves(block: int) -> None:
    imports = [node for node in ast.parse(BLOCKS[block]).body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert imports, "each example says where its names come from"
    exec(compile(ast.Module(body=imports, type_ignores=[]), "README", "exec"), {})


def test_the_first_example_runs_and_shows_what_it_says() -> None:
    namespace: dict = {}
    exec(compile(BLOCKS[0], "README", "exec"), namespace)
    complex_ = namespace["net"].complex
    assert (complex_.f_vector, complex_.betti) == ((10, 24, 22, 7), (1, 0, 0, 0))  # the values the README prints
