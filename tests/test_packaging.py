"""What a user installs: a licence, the declared metadata, no build-only modules."""

from __future__ import annotations

from pathlib import Path

import pytest

import geo

REPO = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml")


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_licence_is_a_file_and_an_spdx_string():
    project = _project()["project"]
    assert project["license"] == "MIT"  # an SPDX expression, not the deprecated table
    assert project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_folium_is_a_runtime_dependency_pinned_to_the_tested_range():
    import folium

    (pin,) = [d for d in _project()["project"]["dependencies"] if d.startswith("folium")]
    assert pin == "folium>=0.20,<0.21"
    assert folium.__version__.startswith("0.20.")


def test_build_only_code_and_data_stay_out_of_the_package():
    package = Path(geo.__file__).parent
    assert not (package / "reference" / "_topoencode.py").exists()
    assert (REPO / "scripts" / "topoencode.py").is_file()
    config = _project()["tool"]["setuptools"]
    assert config["package-data"]["geo.reference"] == ["world.topo.json", "README.md"]
    assert config["exclude-package-data"]["geo.reference"] == ["sea_limits.geojson"]
    # nothing the installed package runs reads the build inputs
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sea_limits" not in text and "topoencode" not in text, path
