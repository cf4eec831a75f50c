"""The Python API: geo.load, the Atlas and its outputs, `python -m geo`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

import geo
from geo.errors import ExportError, LayerFileError

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "basic"


@pytest.fixture(scope="module")
def atlas() -> geo.Atlas:
    return geo.load(BASIC)


def test_public_names_are_exported():
    assert set(geo.__all__) >= {"load", "Atlas", "LayerFileError", "OfflineAssetWarning"}
    for name in geo.__all__:
        assert hasattr(geo, name), name


@pytest.mark.parametrize(
    "where", [str(BASIC), BASIC, [BASIC], [str(p) for p in sorted(BASIC.glob("*.yaml"))]]
)
def test_load_takes_a_folder_a_file_list_str_or_path(where):
    atlas = geo.load(where)
    assert [layer.id for layer in atlas.layers] == ["sites", "links"]


def test_load_one_file_and_a_title():
    atlas = geo.load(str(BASIC / "10-sites.yaml"), title="Only sites")
    assert atlas.title == "Only sites"
    assert [layer.id for layer in atlas.layers] == ["sites"]


def test_load_keeps_the_order_of_a_list():
    files = sorted(BASIC.glob("*.yaml"))
    atlas = geo.load([files[1], files[0]])
    assert [layer.id for layer in atlas.layers] == ["links", "sites"]


def test_load_raises_the_collected_error_the_cli_prints(write_layer):
    path = write_layer("version: 1\nid: Bad Id\ntitle: t\ngroup: g\n")
    with pytest.raises(LayerFileError) as caught:
        geo.load(path.parent)
    assert len(caught.value.problems) >= 1
    assert "a.yaml:2: id: 'Bad Id' is not a valid id" in str(caught.value)


def test_load_names_a_missing_path():
    with pytest.raises(LayerFileError, match=r"nowhere\.yaml: no such file or folder"):
        geo.load(["nowhere.yaml"])


def test_repr_is_short_and_counts_the_kinds(atlas):
    text = repr(atlas)
    assert text.startswith("<Atlas 'Missile defense in Europe")
    assert "2 layers" in text and "site" in text and len(text) < 200


def test_features_is_one_frame_with_the_layer_id(atlas):
    frame = atlas.features
    assert isinstance(frame, gpd.GeoDataFrame)
    assert frame.crs.to_epsg() == 4326
    assert sorted(set(frame["layer"])) == ["links", "sites"]
    assert len(frame) == sum(len(layer.features) for layer in atlas.layers)


def test_layer_by_id_and_a_helpful_key_error(atlas):
    assert atlas.layer("sites").id == "sites"
    with pytest.raises(KeyError, match="the layers are: sites, links"):
        atlas.layer("nope")


def test_every_output_method_writes_its_file(atlas, tmp_path):
    outputs = {
        "save_html": "m.html",
        "to_geojson": "m.geojson",
        "to_gpkg": "m.gpkg",
        "to_kml": "m.kml",
        "to_png": "m.png",
        "to_svg": "m.svg",
        "to_pdf": "m.pdf",
    }
    for method, name in outputs.items():
        kwargs = {"width_px": 400, "dpi": 50} if method in ("to_png", "to_svg", "to_pdf") else {}
        written = getattr(atlas, method)(tmp_path / name, **kwargs)
        assert written == tmp_path / name and written.stat().st_size > 0, method
    assert json.loads((tmp_path / "m.geojson").read_text())["type"] == "FeatureCollection"
    assert (tmp_path / "m.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(outputs.values())


def test_write_is_all_or_nothing(atlas, tmp_path):
    old = tmp_path / "m.html"
    old.write_text("old map", encoding="utf-8")
    (tmp_path / "blocked.kml").mkdir()  # a folder where the KML should go: it cannot be written
    with pytest.raises(ExportError):
        atlas.write(html=old, kml=tmp_path / "blocked.kml")
    assert old.read_text(encoding="utf-8") == "old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked.kml", "m.html"]


def test_write_refuses_clashing_targets_before_any_work(atlas, tmp_path):
    with pytest.raises(ExportError, match=r"png= .*m.jpg: the file name must end in .png"):
        atlas.write(png=tmp_path / "m.jpg")
    with pytest.raises(ExportError, match="html= writes the same file"):
        atlas.write(html=tmp_path / "a.json", geojson=tmp_path / "a.json")
    assert list(tmp_path.iterdir()) == []


def test_image_layers_are_checked(atlas, tmp_path):
    with pytest.raises(ExportError, match="image_layers= nope: unknown layer id"):
        atlas.to_png(tmp_path / "m.png", image_layers="nope")
    atlas.to_svg(tmp_path / "m.svg", image_layers=["links"], width_px=400, dpi=50)
    assert (tmp_path / "m.svg").stat().st_size > 0


def test_repr_html_is_the_map_in_an_iframe(atlas):
    html = atlas._repr_html_()
    assert html.count("<iframe") == 1 and "srcdoc=" in html
    assert "DefenseMap.create" in html  # the page's script, escaped into the srcdoc attribute


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_python_dash_m_geo_runs_the_cli_and_names_itself():
    result = _run("-m", "geo", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: python -m geo [OPTIONS]")


def test_build_map_py_help_names_build_map_py():
    result = _run("build_map.py", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: build_map.py [OPTIONS]")


def test_python_dash_m_geo_check(tmp_path):
    result = _run("-m", "geo", "check", "--layers", str(BASIC))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 2 layers")


def test_the_readme_from_python_examples_run(tmp_path, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3 and len([ln for ln in blocks[0].splitlines() if ln.strip()]) == 3
    (tmp_path / "layers").symlink_to(REPO / "layers")
    (tmp_path / "output").mkdir()
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "output" / "map.html").stat().st_size > 100_000
    mine = (tmp_path / "output" / "mine.html").read_text(encoding="utf-8")
    assert "L.control.measure" in mine.replace("L.Control.Measure", "L.control.measure")
    assert "dm-pane-right" in (tmp_path / "output" / "compare.html").read_text(encoding="utf-8")
    assert (tmp_path / "output" / "compare.png").stat().st_size > 50_000


def test_image_layer_choices():
    from geo.outputs import image_layer_ids

    shipped = geo.load(REPO / "layers")
    visible = [layer.id for layer in shipped.layers if layer.visible]
    assert image_layer_ids(shipped, "story") is None  # the static renderer's story rule
    assert image_layer_ids(shipped, "visible") == visible
    assert image_layer_ids(shipped, "all") == [layer.id for layer in shipped.layers]
    assert image_layer_ids(shipped, "iran-threat, us-homeland-gmd") == [
        "iran-threat",
        "us-homeland-gmd",
    ]


def test_layer_events_and_feature_aliases_come_from_the_file(write_layer):
    path = write_layer(
        """
        version: 1
        id: offers
        title: Offers
        group: G
        sources:
          - {id: dp, title: Denver Post, date: 2007-06-07}
          - {id: wpr, title: World Politics Review, date: 2007-07}
        events:
          - {date: 2007-06-07, name: Putin offers Gabala, sources: [dp]}
          - {date: 2007-07, name: Kennebunkport, sources: [wpr, dp]}
        features:
          - {id: gabala, kind: site, role: radar, name: Gabala radar, lat: 40.88, lon: 47.78,
             precision: approx, aliases: [Qabala, Gabala RLS], sources: [dp]}
          - {id: armavir, kind: site, role: radar, name: Armavir, lat: 44.9, lon: 41.0,
             precision: site, sources: [wpr]}
        """
    )
    atlas = geo.load(path)
    layer = atlas.layer("offers")
    assert layer.events == (
        geo.Event(date="2007-06-07", name="Putin offers Gabala", sources=("dp",)),
        geo.Event(date="2007-07", name="Kennebunkport", sources=("wpr", "dp")),
    )
    with pytest.raises(AttributeError):
        layer.events[0].name = "changed"  # type: ignore[misc]  # frozen, like Source
    aliases = atlas.features.set_index("id")["aliases"]
    assert aliases["gabala"] == ["Qabala", "Gabala RLS"] and aliases["armavir"] == []
    assert list(layer.features.columns).index("aliases") == 4  # right after "name"


def test_a_layer_without_events_has_none(atlas):
    assert all(layer.events == () for layer in atlas.layers)
    assert all(a == [] for a in atlas.features["aliases"])


def test_the_shipped_layers_carry_events_and_the_gabala_alias():
    shipped = geo.load(REPO / "layers")
    third_site = shipped.layer("us-third-site-2007")
    assert third_site.events[0] == geo.Event(
        date="2007-01",
        name="Third Site announced",
        sources=("wp-poland-complex", "mda-bohemian-2008"),
    )
    assert ("2009-09-17", "Cancelled; Phased Adaptive Approach") in [
        (e.date, e.name) for e in third_site.events
    ]
    aliases = shipped.features.set_index("id")["aliases"]
    assert "Qabala" in aliases["gabala-radar"]
