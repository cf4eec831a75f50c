"""Code quality gates that run with the tests: doctests of every module, ruff, mypy."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import geo

REPO = Path(__file__).resolve().parents[1]
MODULES = sorted(info.name for info in pkgutil.walk_packages(geo.__path__, prefix="geo."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def _tool(name: str) -> list[str]:
    if shutil.which(name, path=str(Path(sys.executable).parent)) is None:
        pytest.skip(f"{name} is not installed; pip install -e '.[test]'")
    return [sys.executable, "-m", name]


def test_ruff_finds_nothing():
    paths = ["geo", "tests", "scripts", "bench", "build_map.py"]
    lint = subprocess.run(
        [*_tool("ruff"), "check", *paths], cwd=REPO, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    form = subprocess.run(
        [*_tool("ruff"), "format", "--check", *paths], cwd=REPO, capture_output=True, text=True
    )
    assert form.returncode == 0, form.stdout + form.stderr


def test_mypy_finds_nothing():
    result = subprocess.run(_tool("mypy"), cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
