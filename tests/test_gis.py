"""GIS exports: write GeoJSON, GeoPackage and KML, then read them back with independent readers."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape

from geo.atlas_types import FEATURE_COLUMNS, Atlas, Layer, Source, Style
from geo.errors import ExportError
from geo.render import gis

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
EVIL_NAME = "Kürecik <img src=x onerror=alert(1)>"
ALIASES = ["Kuerecik", "Çat Tepe <b>radar</b> & co", "a; b"]
AMP_NAME = 'a & b "q"'


# --------------------------------------------------------------------------------------------
# A small atlas built by hand
# --------------------------------------------------------------------------------------------


def _feature(fid: str, layer: str, kind: str, name: str, geometry: Any, **extra: Any) -> dict:
    row: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS)
    row.update(id=fid, layer=layer, kind=kind, name=name, parameters={}, sources=[])
    row.update(extra)
    row["geometry"] = geometry
    return row


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, columns=[*FEATURE_COLUMNS, "geometry"], crs="EPSG:4326")


SITE = Point(35.9258123456789, 38.3478)
REGION = Polygon(
    [(20, 50), (30, 50), (30, 56), (20, 56)],  # clockwise on purpose: the writer must orient it
    holes=[[(24, 52), (26, 52), (26, 54), (24, 54)]],
)
ANTIMERIDIAN = MultiPolygon(
    [
        Polygon([(170, 60), (180, 60), (180, 70), (170, 70)]),
        Polygon([(-180, 60), (-170, 60), (-170, 70), (-180, 70)]),
    ]
)
LINK = LineString([(35.93, 38.35), (17.9, 49.0), (16.5, 49.8)])
RING = Polygon([(40, 40), (42, 40), (42, 42), (40, 42)])


def make_atlas() -> Atlas:
    """Build a two-layer atlas: one layer mixing point/polygon/line, one of (multi)polygons."""
    sources = (
        Source(
            id="gsn",
            title='Russia "intensive" <talks> & more',
            publisher="Global Security Newswire",
            date="2011-05-03",
            url="https://example.org/a?b=1&c=2",
            quote="Russia should be in charge of the eastern sector <script>",
        ),
        Source(id="bad-url", title="Memo", url="javascript:alert(1)"),
    )
    nato = _frame(
        [
            _feature("kurecik", "nato", "site", EVIL_NAME, SITE, role="radar", status="operational",
                     date_from="2012-01", parameters={"radar": "AN/TPY-2", "range_km": 1000},
                     sources=["gsn", "bad-url"], uncertainty=float("nan"), aliases=ALIASES),
            _feature("region", "nato", "region", AMP_NAME, REGION, status="proposed",
                     date_from="2011-04-29", date_to="2012", sources=["gsn"],
                     description="Line one\x01 & <b>bold</b>"),
            _feature("misov-link", "nato", "link", "Míšov – Kürecik", LINK),
        ]
    )  # fmt: skip
    ranges = _frame(
        [
            _feature("chukotka", "ranges", "range", "Across ±180°", ANTIMERIDIAN,
                     label="4,000 km", parameters={"radius_km": 4000.5}),
            _feature("ring", "ranges", "range", "Ring", RING),
        ]
    )  # fmt: skip
    layers = (
        Layer(id="nato", title="NATO <EPAA> & co", group="2011 NATO–Russia talks",
              features=nato, style=Style(color="#b03a2e", fill_opacity=0.15, weight=3),
              description="Sites & links", period_from="2011-04-29", sources=sources,
              notes=("no location was ever given",)),
        Layer(id="2011 ranges/view", title="Ranges", group="Ranges", features=ranges,
              style=Style(color="#1F77B4", fill_color="#00ff00", fill_opacity=0.5, opacity=1.0),
              visible=False),
    )  # fmt: skip
    return Atlas(title="Missile defence — test atlas", layers=layers)


ORIGINALS = {
    "kurecik": SITE,
    "region": REGION,
    "misov-link": LINK,
    "chukotka": ANTIMERIDIAN,
    "ring": RING,
}


def same_shape(a: Any, b: Any) -> bool:
    """Compare shapes up to ring orientation/start and 1e-6 degree rounding."""
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-6))


@pytest.fixture
def atlas() -> Atlas:
    return make_atlas()


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------


def test_geojson_round_trips_features_and_properties(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.geojson"
    gis.write_geojson(atlas, out)
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)

    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == list(ORIGINALS)
    for feature in data["features"]:
        assert same_shape(shape(feature["geometry"]), ORIGINALS[feature["id"]])

    by_id = {f["id"]: f["properties"] for f in data["features"]}
    site = by_id["kurecik"]
    assert site["name"] == EVIL_NAME
    assert by_id["region"]["name"] == AMP_NAME
    assert by_id["misov-link"]["name"] == "Míšov – Kürecik"
    assert site["uncertainty"] is None  # NaN became null
    assert site["parameters"] == {"radar": "AN/TPY-2", "range_km": 1000}
    assert site["sources"][0] == {
        "id": "gsn",
        "title": 'Russia "intensive" <talks> & more',
        "publisher": "Global Security Newswire",
        "date": "2011-05-03",
        "url": "https://example.org/a?b=1&c=2",
        "quote": "Russia should be in charge of the eastern sector <script>",
    }
    assert [s["id"] for s in site["sources"]] == ["gsn", "bad-url"]
    assert site["layer"] == "nato" and site["layer_title"] == "NATO <EPAA> & co"
    assert site["group"] == "2011 NATO–Russia talks"
    assert site["stroke"] == "#b03a2e" and site["stroke-width"] == 3
    assert site["fill"] == "#b03a2e" and site["fill-opacity"] == 0.15
    assert by_id["ring"]["fill"] == "#00ff00" and by_id["ring"]["stroke"] == "#1F77B4"
    assert set(FEATURE_COLUMNS) <= set(site)
    assert "NaN" not in text and "Kürecik" in text  # UTF-8, not \u escapes


def test_geojson_rounds_orients_and_is_byte_stable(atlas: Atlas, tmp_path: Path) -> None:
    first, second = tmp_path / "a.geojson", tmp_path / "b.geojson"
    gis.write_geojson(atlas, first)
    gis.write_geojson(make_atlas(), second)
    assert first.read_bytes() == second.read_bytes()

    features = {f["id"]: f for f in json.loads(first.read_text("utf-8"))["features"]}
    assert features["kurecik"]["geometry"]["coordinates"] == [35.925812, 38.3478]
    region = shape(features["region"]["geometry"])
    assert region.exterior.is_ccw  # RFC 7946: exterior counter-clockwise ...
    assert not region.interiors[0].is_ccw  # ... and holes clockwise
    assert features["chukotka"]["geometry"]["type"] == "MultiPolygon"
    assert len(features["chukotka"]["geometry"]["coordinates"]) == 2


def test_geojson_dict_and_empty_atlas(atlas: Atlas, tmp_path: Path) -> None:
    collection = gis.atlas_to_geojson_dict(atlas)
    assert collection["name"] == "Missile defence — test atlas"
    assert len(collection["features"]) == 5

    out = tmp_path / "empty.geojson"
    gis.write_geojson(Atlas(title="empty", layers=()), out)
    assert json.loads(out.read_text("utf-8")) == {
        "type": "FeatureCollection",
        "name": "empty",
        "features": [],
    }


def test_unknown_source_id_names_feature_and_source(atlas: Atlas, tmp_path: Path) -> None:
    layer = atlas.layers[0]
    frame = layer.features.copy()
    frame.at[2, "sources"] = ["gsn", "nope"]
    broken = Atlas(title="x", layers=(Layer(**{**layer.__dict__, "features": frame}),))
    with pytest.raises(ExportError, match=r"feature 'misov-link' cites source 'nope'.*add it"):
        gis.write_geojson(broken, tmp_path / "x.geojson")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# GeoPackage
# --------------------------------------------------------------------------------------------


def test_gpkg_tables_geometries_and_properties(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.gpkg"
    gis.write_gpkg(atlas, out)

    layers = {name: kind for name, kind in pyogrio.list_layers(out)}
    # a mixed layer keeps a generic type; a polygon layer with a multipolygon is all Multi
    assert layers == {"nato": "Unknown", "layer_2011_ranges_view": "MultiPolygon"}

    nato = pyogrio.read_dataframe(out, layer="nato")
    assert list(nato["id"]) == ["kurecik", "region", "misov-link"]
    assert list(nato.geometry.geom_type) == ["Point", "Polygon", "LineString"]
    for fid, geom in zip(nato["id"], nato.geometry, strict=True):
        assert same_shape(geom, ORIGINALS[fid])
    site = nato.iloc[0]
    assert site["name"] == EVIL_NAME and nato.iloc[1]["name"] == AMP_NAME
    assert json.loads(site["parameters"]) == {"radar": "AN/TPY-2", "range_km": 1000}
    assert [s["id"] for s in json.loads(site["sources"])] == ["gsn", "bad-url"]
    assert site["uncertainty"] is None
    assert site["layer_title"] == "NATO <EPAA> & co" and site["stroke"] == "#b03a2e"
    assert site["fill_opacity"] == pytest.approx(0.15)

    ranges = pyogrio.read_dataframe(out, layer="layer_2011_ranges_view")
    assert list(ranges["id"]) == ["chukotka", "ring"]
    assert same_shape(ranges.geometry[0], ANTIMERIDIAN)
    assert same_shape(ranges.geometry[1], MultiPolygon([RING]))
    assert ranges["layer_group"].tolist() == ["Ranges", "Ranges"]


def test_gpkg_records_layer_title_and_is_byte_stable(atlas: Atlas, tmp_path: Path) -> None:
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    gis.write_gpkg(atlas, first)
    gis.write_gpkg(make_atlas(), second)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg", "b.gpkg"]  # no journals
    info = pyogrio.read_info(first, layer="nato")
    assert info["features"] == 3 and info["crs"] == "EPSG:4326"


def test_gpkg_accepts_two_layers_with_the_same_title(atlas: Atlas, tmp_path: Path) -> None:
    twin = dataclasses.replace(atlas.layers[0], id="twin")
    out = tmp_path / "twins.gpkg"
    gis.write_gpkg(Atlas(atlas.title, (*atlas.layers, twin)), out)
    tables = [name for name, _ in pyogrio.list_layers(out)]
    assert tables[-1] == "twin" and len(tables) == len(atlas.layers) + 1


def test_gpkg_table_names_are_safe_and_unique() -> None:
    frame = _frame([])
    layers = tuple(
        Layer(id=i, title=i, group="g", features=frame) for i in ("a-b", "a_b", "gpkg_x", "9")
    )
    assert gis.gpkg_table_names(Atlas(title="t", layers=layers)) == [
        "a_b",
        "a_b_2",
        "layer_gpkg_x",
        "layer_9",
    ]


def test_gpkg_writes_an_empty_layer_and_refuses_no_layers(tmp_path: Path) -> None:
    empty = Layer(id="empty", title="Empty", group="g", features=_frame([]))
    gis.write_gpkg(Atlas(title="t", layers=(empty,)), tmp_path / "e.gpkg")
    assert pyogrio.read_info(tmp_path / "e.gpkg", layer="empty")["features"] == 0
    with pytest.raises(ExportError, match="the atlas has no layers"):
        gis.write_gpkg(Atlas(title="t", layers=()), tmp_path / "none.gpkg")


# --------------------------------------------------------------------------------------------
# KML
# --------------------------------------------------------------------------------------------


def _fastkml_parse(path: Path) -> Any:
    kml = pytest.importorskip("fastkml.kml")
    return kml.KML.parse(path, strict=False)


def test_kml_reads_back_with_fastkml(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.kml"
    gis.write_kml(atlas, out)
    document = _fastkml_parse(out).features[0]

    assert document.name == "Missile defence — test atlas"
    folders = document.features
    assert [f.name for f in folders] == ["NATO <EPAA> & co", "Ranges"]
    marks = [list(f.features) for f in folders]
    assert [len(m) for m in marks] == [3, 2]
    assert [m.name for m in marks[0]] == [EVIL_NAME, AMP_NAME, "Míšov – Kürecik"]

    expected = {**ORIGINALS, "chukotka": ANTIMERIDIAN}
    for mark in marks[0] + marks[1]:
        fid = next(d.value for d in mark.extended_data.elements if d.name == "id")
        assert same_shape(shape(mark.geometry), expected[fid])

    styles = {s.id: s for s in document.styles}
    nato, ranges = styles["style_nato"], styles["style_layer_2011_ranges_view"]
    sub = {type(s).__name__: s for s in nato.styles}
    assert sub["LineStyle"].color == "e62e3ab0"  # #b03a2e at opacity 0.9
    assert sub["LineStyle"].width == 3
    assert sub["PolyStyle"].color == "262e3ab0"  # fill at 0.15
    assert sub["IconStyle"].color == "e62e3ab0"
    poly = next(s for s in ranges.styles if type(s).__name__ == "PolyStyle")
    assert poly.color == "8000ff00"  # #00ff00 at 0.5
    assert marks[0][0].style_url.url == "#style_nato"


def test_kml_escapes_user_text_and_writes_balloons(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.kml"
    gis.write_kml(atlas, out)
    raw = out.read_text("utf-8")
    assert "<img" not in raw and "<script" not in raw and "\x01" not in raw

    root = ET.parse(out).getroot()
    marks = root.findall(".//k:Placemark", KML_NS)
    assert marks[0].findtext("k:name", namespaces=KML_NS) == EVIL_NAME
    balloon = marks[0].findtext("k:description", namespaces=KML_NS)
    # the balloon is HTML: our markup stays markup, user text is entity-escaped within it
    assert '<ol><li><a href="https://example.org/a?b=1&amp;c=2">' in balloon
    assert "Russia &quot;intensive&quot; &lt;talks&gt; &amp; more</a>" in balloon
    assert "&lt;script&gt;" in balloon
    assert "<li>Memo</li>" in balloon and "javascript" not in balloon  # no link for non-http URLs
    assert "<th>range_km</th><td>1000</td>" in balloon
    assert "<th>Status</th><td>operational</td>" in balloon
    assert marks[1].findtext("k:name", namespaces=KML_NS) == AMP_NAME
    assert "Line one &amp; &lt;b&gt;bold" in marks[1].findtext("k:description", namespaces=KML_NS)
    assert marks[1].findtext("k:TimeSpan/k:begin", namespaces=KML_NS) == "2011-04-29"
    assert marks[1].findtext("k:TimeSpan/k:end", namespaces=KML_NS) == "2012"
    data = {
        d.get("name"): d.findtext("k:value", namespaces=KML_NS)
        for d in marks[0].findall("k:ExtendedData/k:Data", KML_NS)
    }
    assert data["name"] == EVIL_NAME and "uncertainty" not in data
    assert json.loads(data["parameters"]) == {"radar": "AN/TPY-2", "range_km": 1000}

    folders = root.findall(".//k:Folder", KML_NS)
    assert folders[1].findtext("k:visibility", namespaces=KML_NS) == "0"
    assert "no location was ever given" in folders[0].findtext("k:description", namespaces=KML_NS)


def test_kml_geometry_structure(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.kml"
    gis.write_kml(atlas, out)
    root = ET.parse(out).getroot()
    marks = {
        m.findtext(".//k:Data[@name='id']/k:value", namespaces=KML_NS): m
        for m in root.iter("{http://www.opengis.net/kml/2.2}Placemark")
    }
    site = marks["kurecik"].findtext("k:Point/k:coordinates", namespaces=KML_NS)
    assert site == "35.925812,38.3478"
    region = marks["region"].find("k:Polygon", KML_NS)
    assert len(region.findall("k:outerBoundaryIs/k:LinearRing", KML_NS)) == 1
    hole = region.findtext("k:innerBoundaryIs/k:LinearRing/k:coordinates", namespaces=KML_NS)
    assert shapely.LinearRing([tuple(map(float, p.split(","))) for p in hole.split()]).is_valid
    multi = marks["chukotka"].find("k:MultiGeometry", KML_NS)
    assert len(multi.findall("k:Polygon", KML_NS)) == 2
    assert marks["misov-link"].findtext("k:LineString/k:tessellate", namespaces=KML_NS) == "1"


def test_kml_reads_back_with_gdal(atlas: Atlas, tmp_path: Path) -> None:
    driver = next((d for d in ("LIBKML", "KML") if d in pyogrio.list_drivers()), None)
    if driver is None:
        pytest.skip("GDAL has no KML driver here")
    out = tmp_path / "atlas.kml"
    gis.write_kml(atlas, out)
    names = [name for name, _ in pyogrio.list_layers(out)]
    assert names == ["NATO <EPAA> & co", "Ranges"]
    frame = pyogrio.read_dataframe(out, layer="NATO <EPAA> & co")
    assert list(frame["Name"]) == [EVIL_NAME, AMP_NAME, "Míšov – Kürecik"]
    for fid, geom in zip(["kurecik", "region", "misov-link"], frame.geometry, strict=True):
        assert same_shape(shapely.force_2d(geom), ORIGINALS[fid])


def test_kml_color_converts_rgb_to_abgr() -> None:
    assert gis.kml_color("#b03a2e", 1.0) == "ff2e3ab0"
    assert gis.kml_color("#1F77B4", 0.0) == "00b4771f"
    assert gis.kml_color("#abc", 0.5) == "80ccbbaa"
    with pytest.raises(ExportError, match=r"style colour 'red' is not valid; expected '#rrggbb'"):
        gis.kml_color("red", 1.0)


# --------------------------------------------------------------------------------------------
# Aliases in every format
# --------------------------------------------------------------------------------------------


def test_aliases_survive_geojson_gpkg_and_kml(atlas: Atlas, tmp_path: Path) -> None:
    """A list in GeoJSON; JSON text in GeoPackage and KML, as `sources` and `parameters` are
    (so an alias holding '; ' or ',' reads back whole); [] for a feature with none."""
    gis.write_geojson(atlas, tmp_path / "a.geojson")
    gis.write_gpkg(atlas, tmp_path / "a.gpkg")
    gis.write_kml(atlas, tmp_path / "a.kml")

    features = json.loads((tmp_path / "a.geojson").read_text("utf-8"))["features"]
    assert {f["id"]: f["properties"]["aliases"] for f in features} == {
        "kurecik": ALIASES,
        "region": [],
        "misov-link": [],
        "chukotka": [],
        "ring": [],
    }

    nato = pyogrio.read_dataframe(tmp_path / "a.gpkg", layer="nato")
    assert [json.loads(text) for text in nato["aliases"]] == [ALIASES, [], []]
    assert list(nato.columns).index("aliases") == list(nato.columns).index("name") + 1

    root = ET.parse(tmp_path / "a.kml").getroot()
    marks = root.findall(".//k:Placemark", KML_NS)
    values = [m.findtext("k:ExtendedData/k:Data[@name='aliases']/k:value", namespaces=KML_NS)
              for m in marks]  # fmt: skip
    assert [json.loads(v) for v in values] == [ALIASES, [], [], [], []]
    balloon = marks[0].findtext("k:description", namespaces=KML_NS)
    assert (
        "<tr><th>Also known as</th><td>Kuerecik, Çat Tepe &lt;b&gt;radar&lt;/b&gt; &amp; co, "
        "a; b</td></tr>" in balloon
    )
    assert "Also known as" not in marks[1].findtext("k:description", namespaces=KML_NS)


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------


def _half_then_fail(path: Path, data: bytes) -> None:
    path.write_bytes(data[: len(data) // 2])
    raise RuntimeError("disk full")


@pytest.mark.parametrize("writer", [gis.write_geojson, gis.write_kml], ids=["geojson", "kml"])
def test_text_writers_leave_old_file_when_failing(
    atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: Any
) -> None:
    out = tmp_path / "out.dat"
    out.write_bytes(b"previous output")
    monkeypatch.setattr(gis, "_write_bytes", _half_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        writer(atlas, out)
    assert out.read_bytes() == b"previous output"
    assert [p.name for p in tmp_path.iterdir()] == ["out.dat"]


def test_gpkg_leaves_old_file_when_failing_after_first_table(
    atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.gpkg"
    out.write_bytes(b"previous output")
    real = gis._write_gpkg_table
    written: list[str] = []

    def fail_on_second(path: Path, table: str, layer: Layer, identifier: str) -> None:
        if written:
            assert path.exists() and path.stat().st_size > 0  # the first table really went in
            raise RuntimeError("disk full")
        real(path, table, layer, identifier)
        written.append(table)

    monkeypatch.setattr(gis, "_write_gpkg_table", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        gis.write_gpkg(atlas, out)
    assert written == ["nato"]
    assert out.read_bytes() == b"previous output"
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # restored


def test_writers_replace_an_existing_file(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "out.kml"
    out.write_text("old")
    gis.write_kml(atlas, out)
    assert out.read_bytes().startswith(b"<?xml")
    reference = tmp_path / "plain.txt"
    reference.write_text("")
    # the temp file was not created 0600 (as mkstemp would) but like any new file
    assert out.stat().st_mode & 0o777 == reference.stat().st_mode & 0o777


def test_missing_folder_is_an_export_error(atlas: Atlas, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"folder .*missing does not exist; create it first"):
        gis.write_geojson(atlas, tmp_path / "missing" / "a.geojson")
    with pytest.raises(ExportError, match="it is a folder; give a file name"):
        gis.write_kml(atlas, tmp_path)
