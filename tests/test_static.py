"""Tests for the static PNG/SVG/PDF renderer: every check reads the written file back."""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import matplotlib.image as mpimg
import numpy as np
import pyproj
import pytest
import shapely
import shapely.affinity
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

import geo
import geo.fileio
from geo.atlas_types import FEATURE_COLUMNS, Atlas, Layer, Source, Style
from geo.errors import ExportError
from geo.geodesy import geodesic_line
from geo.render import static
from geo.render.static import (
    _draw,
    choose_projection,
    lonlat_bounds,
    plan_static,
    render_static,
)
from geo.render.static._frame import Frame, outlines
from geo.render.style import BASEMAP, UNCERTAIN

LAND_COLOR, SEA_COLOR = BASEMAP.land, BASEMAP.sea

TEHRAN = (51.389, 35.689)  # lon, lat
REDZIKOWO = (17.1231, 54.4728)
ARMAVIR = (40.986, 44.926)
GABALA = (47.78, 40.88)
REGION_COLOR = "#b03a2e"
REGION_INSIDE = (21.3, 50.8)  # inside the region box, away from its label, edges and graticule
TITLE = "Test atlas of missile defence"
GEOD = pyproj.Geod(ellps="WGS84")


# --- building a small atlas by hand ------------------------------------------------------------


def geodesic_ring(lon: float, lat: float, radius_km: float, n: int = 361) -> shapely.Polygon:
    lons, lats, _ = GEOD.fwd([lon] * n, [lat] * n, np.linspace(0, 360, n), [radius_km * 1e3] * n)
    return shapely.Polygon(np.column_stack([lons, lats]))


def polar_ring(lon: float, lat: float, radius_km: float, n: int = 721) -> shapely.MultiPolygon:
    """A ring that holds the North Pole, closed over the pole and split at ±180° (lon/lat)."""
    lons, lats, _ = GEOD.fwd([lon] * n, [lat] * n, np.linspace(0, 360, n), [radius_km * 1e3] * n)
    lons, lats = np.degrees(np.unwrap(np.radians(lons))), np.asarray(lats)
    order = np.argsort(lons)
    lons, lats = lons[order], lats[order]
    ring = [
        *zip(lons, lats, strict=True),
        (lons[0] + 360, lats[0]),
        (lons[0] + 360, 90),
        (lons[0], 90),
    ]
    whole = shapely.Polygon(ring)
    world = shapely.box(-180, -90, 180, 90)
    pieces = [
        shapely.affinity.translate(whole, k).intersection(world) for k in (-720, -360, 0, 360, 720)
    ]
    return shapely.union_all([p for p in pieces if not p.is_empty])


def features(layer: str, rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    records = [{**dict.fromkeys(FEATURE_COLUMNS), **row, "layer": layer} for row in rows]
    return gpd.GeoDataFrame(
        records, columns=[*FEATURE_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326"
    )


def make_atlas(*, extra: tuple[Layer, ...] = ()) -> Atlas:
    link = shapely.LineString([REDZIKOWO, *GEOD.npts(*REDZIKOWO, *ARMAVIR, 50), ARMAVIR])
    sector = Layer(
        id="sector",
        title="Russian eastern sector (proposed)",
        group="2011 NATO–Russia talks",
        features=features(
            "sector",
            [
                {
                    "id": "east",
                    "kind": "region",
                    "name": "Eastern sector",
                    "geometry": shapely.box(20, 50, 28, 55),
                }
            ],
        ),
        style=Style(color=REGION_COLOR, fill_opacity=0.15, dash="6 4"),
        period_from="2011-04-29",
        sources=(
            Source(
                "gsn",
                "Russia Set For Intensive Missile Shield Talks",
                "Global Security Newswire",
                "2011-05-03",
                "https://www.nti.org/gsn/article/russia-set-for-"
                "intensive-missile-shield-talks-with-us/",
            ),
        ),
    )
    third_site = Layer(
        id="third-site",
        title="US interceptor site in Poland",
        group="Bush-era third site",
        features=features(
            "third-site",
            [
                {
                    "id": "redzikowo",
                    "kind": "site",
                    "role": "interceptors",
                    "name": "Redzikowo",
                    "geometry": shapely.Point(REDZIKOWO),
                },
                {
                    "id": "armavir",
                    "kind": "site",
                    "role": "radar",
                    "name": "Armavir",
                    "geometry": shapely.Point(ARMAVIR),
                },
                {"id": "link", "kind": "link", "name": "link", "geometry": link},
            ],
        ),
        style=Style(color="#1f5fa8"),
        period_from="2007-01-22",
        period_to="2009-09-17",
        sources=(
            Source("s4", "Agreement on interceptors", "US Department of State", "2008-08-20"),
        ),
    )
    iran = Layer(
        id="iran",
        title="Iranian missile ranges",
        group="Iran",
        features=features(
            "iran",
            [
                {
                    "id": "tehran",
                    "kind": "site",
                    "role": "city",
                    "name": "Tehran",
                    "geometry": shapely.Point(TEHRAN),
                },
                {
                    "id": "sejjil",
                    "kind": "range",
                    "name": "Sejjil",
                    "label": "2,000 km Sejjil",
                    "uncertainty": "Iranian claim",
                    "geometry": geodesic_ring(*TEHRAN, 2000),
                },
            ],
        ),
        style=Style(color="#c77c0e", fill_opacity=0.12),
        sources=(Source("s26", "Iran missile overview", "NTI", "2011"),),
    )
    return Atlas(TITLE, (sector, third_site, iran, *extra))


def fake_basemap() -> dict[str, gpd.GeoDataFrame]:
    """A tiny stand-in for geo.reference.basemap(): one land mass with a sea hole."""
    land = shapely.box(-10, 28, 75, 75).difference(shapely.box(22, 40, 30, 46))
    sea = shapely.box(22, 40, 30, 46)
    return {
        "land": gpd.GeoDataFrame(geometry=[land], crs="EPSG:4326"),
        "borders": gpd.GeoDataFrame(
            geometry=[shapely.LineString([(35, 47), (35, 70)])], crs="EPSG:4326"
        ),
        "seas": gpd.GeoDataFrame(
            {"name": ["Test Sea"], "label_lon": [27.0], "label_lat": [44.0]},
            geometry=[sea],
            crs="EPSG:4326",
        ),
    }


@pytest.fixture
def fake_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(static, "_load_basemap", fake_basemap)


def read_rgb(path: Path) -> np.ndarray:
    return np.round(mpimg.imread(path)[..., :3] * 255).astype(int)


def blend(color: str, alpha: float, under: str) -> np.ndarray:
    return np.array(to_rgb(color)) * 255 * alpha + np.array(to_rgb(under)) * 255 * (1 - alpha)


def median_around(image: np.ndarray, col: float, row: float, half: int = 2) -> np.ndarray:
    c, r = round(col), round(row)
    window = image[r - half : r + half + 1, c - half : c + half + 1].reshape(-1, 3)
    return np.median(window, axis=0)


# --- PNG ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_base")
def test_png_has_the_requested_pixel_size(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    render_static(make_atlas(), out, width_px=900, height_px=700, dpi=100)
    assert mpimg.imread(out).shape[:2] == (700, 900)


@pytest.mark.usefixtures("fake_base")
def test_png_height_follows_the_map_when_not_given(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    render_static(make_atlas(), out, width_px=1000, dpi=120)
    layout = plan_static(make_atlas(), width_px=1000, dpi=120)
    assert mpimg.imread(out).shape[:2] == (layout.height_px, 1000)
    assert 500 < layout.height_px < 1600


@pytest.mark.usefixtures("fake_base")
def test_region_interior_has_the_blended_fill_colour(tmp_path: Path) -> None:
    atlas = make_atlas()
    out = tmp_path / "map.png"
    render_static(atlas, out, width_px=1200, dpi=120)
    layout = plan_static(atlas, width_px=1200, dpi=120)
    image = read_rgb(out)
    col, row = layout.pixel_of(*REGION_INSIDE)
    got = median_around(image, col, row)
    assert np.abs(got - blend(REGION_COLOR, 0.15, LAND_COLOR)).max() <= 3, got
    # and the fill is really there: the bare land colour is clearly different
    assert np.abs(got - blend(LAND_COLOR, 1, LAND_COLOR)).max() >= 10
    # the fake sea, outside every layer and away from graticule lines, keeps the sea colour
    col, row = layout.pixel_of(23.2, 42.6)
    assert np.abs(median_around(image, col, row) - blend(SEA_COLOR, 1, SEA_COLOR)).max() <= 3


@pytest.mark.usefixtures("fake_base")
def test_projection_is_centred_on_the_features_not_plate_carree() -> None:
    atlas = make_atlas()
    layout = plan_static(atlas)
    assert "+proj=laea" in layout.projection.proj4
    # framed on the sites, regions and links; ranges (the 2,000 km ring) may run off the map
    framing = [
        shapely.get_coordinates(g)
        for layer in atlas.layers
        for g, kind in zip(layer.features.geometry, layer.features["kind"])
        if kind != "range"
    ]
    coords = np.concatenate(framing)
    west, east = coords[:, 0].min(), coords[:, 0].max()
    south, north = coords[:, 1].min(), coords[:, 1].max()
    assert layout.projection.lon_0 == pytest.approx((west + east) / 2, abs=0.1)
    assert layout.projection.lat_0 == pytest.approx((south + north) / 2, abs=0.1)
    # Tehran and Redzikowo both land inside the map box
    for lon, lat in (TEHRAN, REDZIKOWO):
        col, row = layout.pixel_of(lon, lat)
        x0, y0, w, h = layout.map_box
        assert x0 < col < x0 + w and layout.height_px - (y0 + h) < row < layout.height_px - y0


def test_a_map_of_ranges_alone_frames_the_ranges() -> None:
    ring = shapely.get_coordinates(geodesic_ring(*TEHRAN, 2000))
    iran = next(layer for layer in make_atlas().layers if layer.id == "iran")
    rings = dataclasses.replace(iran, features=iran.features[iran.features["kind"] == "range"])
    only_ranges = Atlas(title="Ranges", layers=(rings,))
    layout = plan_static(only_ranges)
    lon_0 = (ring[:, 0].min() + ring[:, 0].max()) / 2
    assert layout.projection.lon_0 == pytest.approx(lon_0, abs=0.5)


@pytest.mark.usefixtures("fake_base")
def test_ring_over_the_pole_draws_no_line_along_the_split(tmp_path: Path) -> None:
    gabala = Layer(
        id="gabala",
        title="Gabala radar range",
        group="Russian radars",
        features=features(
            "gabala",
            [
                {
                    "id": "gabala-range",
                    "kind": "range",
                    "name": "Gabala 6,000 km",
                    "geometry": polar_ring(*GABALA, 6000),
                }
            ],
        ),
        style=Style(color="#ff0000", weight=4, fill_opacity=0.0, opacity=1.0),
    )
    atlas = Atlas(title="Gabala", layers=(gabala,))  # ranges alone: the whole ring is framed
    out = tmp_path / "polar.png"
    render_static(atlas, out, width_px=1000, dpi=100)
    layout = plan_static(atlas, width_px=1000, dpi=100)
    image = read_rgb(out)
    red = (image[..., 0] > 200) & (image[..., 1] < 90) & (image[..., 2] < 90)
    assert red.sum() > 500  # the ring itself is drawn
    # the split runs along 180° from the ring (about 85° N) to the pole: nothing red there
    for lat in np.linspace(86.5, 89.5, 7):
        col, row = layout.pixel_of(180.0, lat)
        assert not red[round(row) - 1 : round(row) + 2, round(col) - 1 : round(col) + 2].any()


# --- SVG and PDF ------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_base")
def test_svg_keeps_title_legend_sources_and_labels_as_text(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    render_static(make_atlas(), out, date_text="As of 29 April 2011")
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    for text in (
        TITLE,
        "As of 29 April 2011",
        "Russian eastern sector (proposed) [1]",
        "US interceptor site in Poland [2]",
        "Sources",
        "Redzikowo",
        "Test Sea",
        "nti.org/gsn/article/",
        "km",
    ):
        assert f">{text}" in svg or text in svg, text
    # the uncertain range is marked on the map and explained in the legend
    assert f"2,000 km Sejjil {UNCERTAIN.mark}" in svg
    assert UNCERTAIN.legend in svg
    assert "<dc:date>" not in svg  # no timestamp


@pytest.mark.usefixtures("fake_base")
def test_pdf_starts_with_header_and_draws_the_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "map.pdf"
    render_static(make_atlas(), out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"CreationDate" not in data and b"matplotlib" not in data.lower()
    assert f"/Title ({TITLE})".encode() in data
    # Uncompressed content with whole-string core fonts shows the drawn text itself.
    monkeypatch.setitem(static._RC_PARAMS, "pdf.compression", 0)
    monkeypatch.setitem(static._RC_PARAMS, "pdf.use14corefonts", True)
    # matplotlib cannot link text drawn in a core font (its AFM fonts measure no text): this
    # check of the words goes without source URLs; the links are checked below
    atlas = make_atlas()
    atlas = Atlas(
        atlas.title,
        tuple(
            replace(layer, sources=tuple(replace(s, url=None) for s in layer.sources))
            for layer in atlas.layers
        ),
    )
    render_static(atlas, out)
    data = out.read_bytes()
    assert f"({TITLE}) Tj".encode() in data
    assert b"(Sources) Tj" in data


# --- determinism, atomic writes, errors -----------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
@pytest.mark.usefixtures("fake_base")
def test_same_atlas_gives_byte_identical_files(tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    render_static(make_atlas(), first, width_px=800)
    render_static(make_atlas(), second, width_px=800)
    assert first.read_bytes() == second.read_bytes()


def test_bad_suffix_lists_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(
        ExportError, match=r"'\.jpg' is not supported; must be one of .png, .svg, .pdf"
    ):
        render_static(make_atlas(), tmp_path / "map.jpg")
    with pytest.raises(ExportError, match=r"'\(none\)' is not supported"):
        render_static(make_atlas(), tmp_path / "map")


def test_unknown_layer_id_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"'nope' not in the atlas; must be among 'sector', "):
        render_static(make_atlas(), tmp_path / "map.png", layer_ids=["nope"])


def test_missing_folder_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist; create it first"):
        render_static(make_atlas(), tmp_path / "missing" / "map.png")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width_px": 50}, r"width_px: 50 is not allowed; expected an integer 200–20000"),
        ({"width_px": 800.5}, r"width_px: 800.5 is not allowed"),
        ({"height_px": 10}, r"height_px: 10 is not allowed; expected None or 200–20000"),
        ({"dpi": 0}, r"dpi: 0 is not allowed; expected a number 50–1200"),
        ({"dpi": 49}, r"dpi: 49 is not allowed; expected a number 50–1200"),
        ({"dpi": 1201}, r"dpi: 1201 is not allowed; expected a number 50–1200"),
    ],
)
def test_bad_sizes_say_what_is_allowed(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        render_static(make_atlas(), tmp_path / "map.png", **options)


def test_layers_without_features_are_nothing_to_draw(tmp_path: Path) -> None:
    empty = Layer(id="notes", title="Only notes", group="g", features=features("notes", []))
    with pytest.raises(ExportError, match="nothing to draw: the selected layers have no features"):
        render_static(Atlas("t", (empty,)), tmp_path / "map.png")


@pytest.mark.usefixtures("fake_base")
def test_bad_style_colour_names_the_layer(tmp_path: Path) -> None:
    atlas = make_atlas()
    broken = replace(atlas.layers[0], style=Style(color="not-a-colour"))
    with pytest.raises(ExportError, match=r"layer 'sector': style colour is not a colour"):
        render_static(Atlas(atlas.title, (broken,)), tmp_path / "map.png")


def test_missing_base_map_is_an_export_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_module(name: str) -> Any:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(static.importlib, "import_module", no_module)
    with pytest.raises(ExportError, match=r"the base map is missing: geo.reference.basemap"):
        render_static(make_atlas(), tmp_path / "map.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("fake_base")
def test_unwritable_folder_is_an_export_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(geo.fileio.tempfile, "mkdtemp", refuse)
    with pytest.raises(ExportError, match=r"cannot write .*map\.png: Permission denied"):
        render_static(make_atlas(), tmp_path / "map.png")


@pytest.mark.usefixtures("fake_base")
def test_failed_save_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "map.png"
    out.write_bytes(b"old map")

    def broken_save(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", broken_save)
    with pytest.raises(ExportError, match=r"cannot write .*map\.png: No space left on device"):
        render_static(make_atlas(), out)
    assert out.read_bytes() == b"old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


@pytest.mark.usefixtures("fake_base")
def test_layer_ids_pick_layers_and_legend_follows(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    render_static(make_atlas(), out, layer_ids=["iran"], title="Only Iran")
    svg = out.read_text(encoding="utf-8")
    assert "Iranian missile ranges" in svg and "Only Iran" in svg
    assert "Russian eastern sector" not in svg and "Redzikowo" not in svg


def self_link_layer() -> Layer:
    """A site with a link to itself (zero length) and a link with a zero-length piece."""
    loop = geodesic_line(*REDZIKOWO, *REDZIKOWO)
    assert loop.length == 0.0
    mixed = shapely.MultiLineString([[ARMAVIR, ARMAVIR], [ARMAVIR, GABALA]])
    return Layer(
        id="loops",
        title="Links to themselves",
        group="Edge cases",
        features=features(
            "loops",
            [
                {"id": "loop", "kind": "link", "label": "loop link", "geometry": loop},
                {"id": "mixed", "kind": "link", "label": "mixed link", "geometry": mixed},
            ],
        ),
        style=Style(color="#6a1b9a"),
    )


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
@pytest.mark.usefixtures("fake_base")
def test_zero_length_links_are_left_out_not_a_crash(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"map{suffix}"
    render_static(make_atlas(extra=(self_link_layer(),)), out, width_px=800)
    header = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF-"}[suffix]
    assert out.read_bytes().startswith(header)
    if suffix == ".svg":
        svg = out.read_text(encoding="utf-8")
        assert "Redzikowo" in svg and "Links to themselves" in svg
        assert "mixed link" in svg  # the piece with a length is drawn and named
        assert "loop link" not in svg  # nothing drawn, so nothing to name


def test_a_map_of_zero_length_links_alone_is_nothing_to_draw(tmp_path: Path) -> None:
    loop = geodesic_line(*REDZIKOWO, *REDZIKOWO)
    layer = Layer(
        id="loop",
        title="Loop",
        group="g",
        features=features("loop", [{"id": "l", "kind": "link", "geometry": loop}]),
    )
    with pytest.raises(ExportError, match="nothing to draw: no feature of the selected layers"):
        render_static(Atlas("t", (layer,)), tmp_path / "map.png")


# --- projection helpers ---------------------------------------------------------------------


def test_bounds_of_a_shape_split_at_the_antimeridian_stay_narrow() -> None:
    split = [shapely.box(170, 60, 180, 70), shapely.box(-180, 60, -170, 70)]
    bounds = lonlat_bounds(split)
    assert (bounds.west, bounds.east, bounds.lon_span) == (170.0, -170.0, 20.0)
    projection = choose_projection(bounds)
    assert abs(projection.lon_0) == 180.0 and projection.lat_0 == 65.0


def test_bounds_of_a_ring_over_the_pole_cover_every_longitude() -> None:
    bounds = lonlat_bounds([polar_ring(*GABALA, 6000)])
    assert bounds.lon_span == 360.0 and bounds.north == 90.0
    assert bounds.centre_lon == pytest.approx(GABALA[0], abs=2.0)


def test_outlines_drop_split_and_pole_edges_only() -> None:
    polys = shapely.get_parts(np.asarray([polar_ring(*GABALA, 6000)]))
    lines = outlines(polys)
    coords = shapely.get_coordinates(lines)
    assert len(lines) >= 1 and len(coords) > 600
    assert coords[:, 1].max() < 90.0  # nothing runs to the pole
    for line in lines:  # no segment runs along ±180°
        xy = shapely.get_coordinates(line)
        along = (np.abs(xy[:-1, 0]) == 180) & (xy[:-1, 0] == xy[1:, 0])
        assert not along.any()


def test_outlines_keep_an_edge_on_180_that_is_not_a_cut() -> None:
    def on_180(lines: np.ndarray) -> int:
        return sum(
            int(((np.abs(xy[:-1, 0]) == 180) & (xy[:-1, 0] == xy[1:, 0])).sum())
            for xy in map(shapely.get_coordinates, lines)
        )

    ends_at_180 = shapely.box(170, 10, 180, 20)  # a real edge: nothing faces it on -180°
    assert on_180(outlines(np.array([ends_at_180], dtype=object))) == 1
    split = [ends_at_180, shapely.box(-180, 10, -170, 20)]  # one shape cut at ±180°
    assert on_180(outlines(np.array(split, dtype=object))) == 0


def projected_area_km2(geometry: shapely.Geometry, centre: tuple[float, float]) -> float:
    projection = static.MapProjection(lat_0=centre[1], lon_0=centre[0])
    frame = Frame(projection, (-2e7, -2e7, 2e7, 2e7))
    return float(sum(p.area for p in frame.areas([geometry]))) / 1e6


def geodesic_area_km2(geometry: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geometry)[0]) / 1e6


def split_at_antimeridian(ring: shapely.Polygon) -> shapely.Geometry:
    """Cut a ring whose longitudes jump at ±180° into parts that each stay within ±180°."""
    xy = shapely.get_coordinates(ring)
    unwrapped = shapely.Polygon(
        np.column_stack([np.degrees(np.unwrap(np.radians(xy[:, 0]))), xy[:, 1]])
    )
    world = shapely.box(-180, -90, 180, 90)
    pieces = [shapely.affinity.translate(unwrapped, k).intersection(world) for k in (-360, 0, 360)]
    return shapely.union_all([p for p in pieces if not p.is_empty])


@pytest.mark.parametrize("split", [True, False])
def test_ring_across_the_antimeridian_keeps_its_area(split: bool) -> None:
    """The projection is equal-area: a ring over ±180° must come out whole, not smeared."""
    greely = (-145.73, 63.97)
    ring = geodesic_ring(*greely, 2000)  # as pyproj gives it: lon jumps from -180 to 180
    if split:
        ring = split_at_antimeridian(ring)
        assert ring.geom_type == "MultiPolygon" and ring.bounds[0] == -180.0
    expected = geodesic_area_km2(geodesic_ring(0.0, greely[1], 2000))  # same ring, no crossing
    assert projected_area_km2(ring, greely) == pytest.approx(expected, rel=0.005)


def test_ring_over_the_pole_keeps_its_area() -> None:
    expected = geodesic_area_km2(geodesic_ring(GABALA[0], -GABALA[1], 6000))  # mirror: no pole
    assert projected_area_km2(polar_ring(*GABALA, 6000), GABALA) == pytest.approx(
        expected, rel=0.005
    )


@pytest.mark.usefixtures("fake_base")
def test_long_text_wraps_inside_the_image(tmp_path: Path) -> None:
    long_title = "A very long map title " * 8 + "END"
    long_source = Source(
        "long",
        "An extremely long source title " * 6 + "LAST",
        "Publisher",
        "2010",
        "https://example.org/" + "x" * 300,
    )
    atlas = make_atlas()
    layer = atlas.layers[0]
    atlas = Atlas(
        atlas.title, (replace(layer, sources=(*layer.sources, long_source)), *atlas.layers[1:])
    )
    png, svg = tmp_path / "long.png", tmp_path / "long.svg"
    render_static(atlas, png, width_px=800, dpi=100, title=long_title)
    render_static(atlas, svg, width_px=800, dpi=100, title=long_title)
    image = read_rgb(png)
    margin = round(0.02 * 800)
    assert (image[:, -(margin - 3) :] == 255).all(), "something reaches into the right margin"
    assert (image[-(margin // 2 - 1) :, :] == 255).all(), "something reaches into the bottom"
    text = svg.read_text(encoding="utf-8")
    assert ">A very long map title" in text and "END</text>" in text and "LAST" in text


# --- the real base map ----------------------------------------------------------------------


def test_real_basemap_draws_land_and_sea(tmp_path: Path) -> None:
    try:
        from geo.reference import basemap  # noqa: F401
    except ImportError:
        pytest.skip("geo.reference.basemap is not available yet")
    atlas = make_atlas()
    out = tmp_path / "real.png"
    render_static(atlas, out, width_px=1000, dpi=100)
    layout = plan_static(atlas, width_px=1000, dpi=100)
    x0, y0, w, h = layout.map_box
    top = layout.height_px - (y0 + h)
    image = read_rgb(out)[round(top) + 2 : round(top + h) - 2, round(x0) + 2 : round(x0 + w) - 2]
    for color in (LAND_COLOR, SEA_COLOR):
        near = np.abs(image - blend(color, 1, color)).max(axis=2) <= 3
        assert near.mean() > 0.03, color


# --- the shipped map reads like the page -----------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[1] / "layers"
#: How `geo.atlas` says what a range was drawn around (the `around` site is kept in no column).
AROUND = re.compile(r" around (?P<name>.+) \(WGS84\)$")


@dataclasses.dataclass
class Drawn:
    """A drawn figure, with the boxes of its artists in image pixels."""

    layout: static.StaticLayout
    figure: Figure
    renderer: Any

    def texts(self) -> list[Text]:
        return [t for t in [*self.figure.texts, *self.figure.axes[0].texts] if t.get_text()]

    def box(self, artist: Any) -> Any:
        return artist.get_window_extent(self.renderer)

    def labels(self) -> dict[str, str]:
        """Return the name written on the map by each feature id, its lines joined."""
        found: dict[str, list[str]] = {}
        for text in self.figure.texts:
            gid = text.get_gid() or ""
            if gid.startswith("label-"):
                found.setdefault(gid[len("label-") :].rsplit("-", 1)[0], []).append(text.get_text())
        return {fid: " ".join(lines) for fid, lines in found.items()}


def draw_figure(atlas: Atlas, basemap: Any, **options: Any) -> Drawn:
    layout = plan_static(atlas, **options)
    with matplotlib.rc_context(static._RC_PARAMS):
        figure = _draw.draw(layout, basemap)
        figure.canvas.draw()
    return Drawn(layout, figure, figure.canvas.get_renderer())


@pytest.fixture(scope="module")
def shipped() -> Drawn:
    reference = pytest.importorskip("geo.reference", reason="the shipped map needs the base map")
    return draw_figure(geo.load(SHIPPED), reference.basemap())


@pytest.fixture(scope="module")
def small() -> Drawn:
    return draw_figure(make_atlas(), fake_basemap(), width_px=1000, dpi=100)


def test_shipped_figure_cuts_no_text(shipped: Drawn) -> None:
    cut = [t.get_text() for t in shipped.texts() if "…" in t.get_text()]
    assert not cut, cut


def test_shipped_site_names_are_whole_and_keep_their_mark(shipped: Drawn) -> None:
    labels = shipped.labels()
    for layer in shipped.layout.layers:
        for row in layer.features.itertuples():
            if row.kind != "site" or row.id not in labels:
                continue
            expected = row.name + (f" {UNCERTAIN.mark}" if isinstance(row.uncertainty, str) else "")
            assert labels[row.id] == expected  # wrapped across lines, every word kept
    sites = sum(len(layer.features.query("kind == 'site'")) for layer in shipped.layout.layers)
    assert len([fid for fid in labels if fid in _ids(shipped, "site")]) >= 0.9 * sites


def _ids(drawn: Drawn, kind: str) -> set[str]:
    layers = drawn.layout.layers
    return {row.id for layer in layers for row in layer.features.itertuples() if row.kind == kind}


def test_shipped_ring_labels_name_their_site(shipped: Drawn) -> None:
    labels = shipped.labels()
    ranges = [
        row
        for layer in shipped.layout.layers
        for row in layer.features.itertuples()
        if row.kind == "range" and AROUND.search(row.derivation or "")
    ]
    assert ranges
    named = 0
    for row in ranges:
        site = AROUND.search(row.derivation)["name"]
        if row.id in labels:
            assert site.split()[0] in labels[row.id], (row.id, labels[row.id])
            named += 1
    assert named >= 0.75 * len(ranges)


def test_ring_label_names_the_site_it_is_drawn_around(small: Drawn) -> None:
    # make_atlas has no derivations: the ring is matched to Tehran by its shape
    assert small.labels()["sejjil"] == f"Tehran: 2,000 km Sejjil {UNCERTAIN.mark}"


def test_ring_centre_comes_from_the_derivation_and_must_be_a_site() -> None:
    def ring(fid: str, derivation: str) -> dict[str, Any]:
        return {"id": fid, "kind": "range", "label": "reach", "derivation": derivation,
                "geometry": shapely.box(0, 0, 1, 1)}  # fmt: skip

    layer = Layer(
        id="rings",
        title="Rings",
        group="g",
        features=features(
            "rings",
            [
                {
                    "id": "r",
                    "kind": "site",
                    "name": "Redzikowo (base)",
                    "geometry": shapely.Point(REDZIKOWO),
                },
                ring("by-name", "geodesic ring of 500 km around Redzikowo (base) (WGS84)"),
                ring("by-point", "geodesic ring of 500 km around 54.5, 17.1 (WGS84)"),
            ],
        ),
    )
    sites = plan_static(Atlas("t", (layer,))).range_sites
    assert sites == {"by-name": "Redzikowo (base)"}


def _overlaps(a: Any, b: Any) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)


@pytest.mark.parametrize("name", ["shipped", "small"])
def test_scale_bar_covers_no_text(name: str, request: pytest.FixtureRequest) -> None:
    drawn: Drawn = request.getfixturevalue(name)
    (bar,) = [a for a in drawn.figure.axes[0].get_children() if a.get_gid() == "scale-bar"]
    bar_box = drawn.box(bar)
    assert bar_box.width > 20
    scale_texts = [t for t in drawn.texts() if (t.get_gid() or "").startswith("scale-bar-text")]
    assert {t.get_text() for t in scale_texts} >= {"0"}
    assert all(_overlaps(drawn.box(t), bar_box) for t in scale_texts)  # its own distances
    covered = [
        t.get_text()
        for t in drawn.texts()
        if not (t.get_gid() or "").startswith("scale-bar-text") and _overlaps(drawn.box(t), bar_box)
    ]
    assert not covered, covered


def test_scale_bar_moves_off_sites_in_its_corner(tmp_path: Path) -> None:
    atlas = make_atlas()
    layout = plan_static(atlas, width_px=1000, dpi=100)
    # a site in the lower left corner of the map, where the bar would go
    x, y = layout.view[0], layout.view[1]
    span = layout.view[2] - layout.view[0]
    lon, lat = layout.projection.inverse(x + 0.08 * span, y + 0.04 * span)
    corner = Layer(
        id="corner",
        title="Corner site",
        group="g",
        features=features(
            "corner",
            [{"id": "c", "kind": "site", "name": "Corner", "geometry": shapely.Point(lon, lat)}],
        ),
    )
    drawn = draw_figure(
        Atlas(atlas.title, (*atlas.layers, corner)), fake_basemap(), width_px=1000, dpi=100
    )
    (bar,) = [a for a in drawn.figure.axes[0].get_children() if a.get_gid() == "scale-bar"]
    col, row = drawn.layout.pixel_of(float(lon), float(lat))
    bar_box = drawn.box(bar)
    site_y = drawn.layout.height_px - row
    assert not (bar_box.x0 <= col <= bar_box.x1 and bar_box.y0 <= site_y <= bar_box.y1)


def _pdf_uris(data: bytes) -> list[str]:
    found = re.findall(rb"/URI \(((?:\\.|[^\\)])*)\)", data)
    return [re.sub(rb"\\(.)", rb"\1", uri).decode("latin-1") for uri in found]


def url_atlas() -> Atlas:
    atlas = make_atlas()
    long_url = "https://example.org/reports/2011/" + "-".join(["missile-defence"] * 12) + "/"
    extra = (
        Source("long", "A report with a long address", "Example", "2011", long_url),
        Source("paren", "A page with brackets", "Wiki", "2010", "https://x.org/wiki/A_(b)"),
    )
    first = atlas.layers[0]
    return Atlas(atlas.title, (replace(first, sources=(*first.sources, *extra)), *atlas.layers[1:]))


def source_urls(atlas: Atlas) -> set[str]:
    return {s.url for layer in atlas.layers for s in layer.sources if s.url}


@pytest.mark.usefixtures("fake_base")
def test_pdf_links_every_source_url(tmp_path: Path) -> None:
    out = tmp_path / "map.pdf"
    atlas = url_atlas()
    render_static(atlas, out, width_px=900, dpi=100)
    data = out.read_bytes()
    assert b"/Subtype /Link" in data
    assert set(_pdf_uris(data)) == source_urls(atlas)


@pytest.mark.usefixtures("fake_base")
def test_svg_links_every_source_url(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    atlas = url_atlas()
    render_static(atlas, out, width_px=900, dpi=100)
    links = set(re.findall(r'<a xlink:href="([^"]+)"', out.read_text("utf-8")))
    assert {html.unescape(link) for link in links} == source_urls(atlas)


@pytest.mark.parametrize("name", ["shipped", "small"])
def test_source_urls_are_written_whole(name: str, request: pytest.FixtureRequest) -> None:
    drawn: Drawn = request.getfixturevalue(name)
    pieces: dict[str, str] = {}
    for text in drawn.figure.texts:
        if text.get_url():
            pieces[text.get_url()] = pieces.get(text.get_url(), "") + text.get_text()
    urls = {s.url for layer in drawn.layout.layers for s in layer.sources if s.url}
    assert urls and pieces == {url: url for url in urls}


def test_long_urls_wrap_inside_their_column(small: Drawn) -> None:
    atlas = url_atlas()
    drawn = draw_figure(atlas, fake_basemap(), width_px=700, dpi=100)
    right = drawn.layout.footer_box[0] + drawn.layout.footer_box[2]
    for text in drawn.figure.texts:
        if text.get_url():
            assert drawn.box(text).x1 <= right + 1, text.get_text()


def test_shipped_default_image_tells_the_whole_story(shipped: Drawn) -> None:
    atlas = geo.load(SHIPPED)
    drawn = {layer.id for layer in shipped.layout.layers}
    story = {
        "us-common-network-offer-2007",
        "nato-two-systems-2011",
        "phased-adaptive-approach-2009",
    }
    assert story <= {layer.id for layer in atlas.layers}
    assert story <= drawn
    # every dated layer is drawn; the others are drawn or named as not shown
    assert {layer.id for layer in atlas.layers if layer.period_from or layer.period_to} <= drawn
    texts = " ".join(t.get_text() for t in shipped.texts())
    for layer in atlas.layers:
        if layer.id not in drawn:
            assert layer.title.split()[0] in texts.split("Not shown:", 1)[1], layer.id


def _hidden(layer: Layer, **changes: Any) -> Layer:
    return replace(layer, visible=False, **changes)


def test_default_layers_are_the_visible_and_the_dated_ones_and_name_the_rest() -> None:
    atlas = make_atlas()
    sector, third_site, iran = atlas.layers
    atlas = Atlas(
        atlas.title,
        (
            _hidden(sector),  # dated: drawn although hidden on the page
            third_site,
            _hidden(iran, title="Context only"),  # undated and hidden: named, not drawn
        ),
    )
    layout = plan_static(atlas)
    assert [layer.id for layer in layout.layers] == ["sector", "third-site"]
    assert [layer.id for layer in layout.omitted] == ["iran"]
    (row,) = [row for row in layout.legend_rows if row.kind == "omitted"]
    assert " ".join(row.lines).startswith("Not shown: Context only")
    assert static.story_layers(atlas) == layout.layers
    # layers chosen by id: exactly those, and no "Not shown" line
    chosen = plan_static(atlas, layer_ids=["iran"])
    assert [layer.id for layer in chosen.layers] == ["iran"] and not chosen.omitted
    assert not [row for row in chosen.legend_rows if row.kind == "omitted"]


def test_shipped_legend_shows_every_layer_description(shipped: Drawn) -> None:
    rows = shipped.layout.legend_rows
    texts = {t.get_text() for t in shipped.figure.texts}
    for layer in shipped.layout.layers:
        if not layer.description:
            continue
        i = next(i for i, row in enumerate(rows) if row.kind == "layer" and row.layer is layer)
        assert rows[i + 1].kind == "description"
        assert " ".join(rows[i + 1].lines) == " ".join(layer.description.split())
        assert set(rows[i + 1].lines) <= texts
        assert rows[i + 1].font.size_pt < rows[i].font.size_pt


@pytest.mark.usefixtures("fake_base")
def test_descriptions_are_in_the_svg_legend(tmp_path: Path) -> None:
    atlas = make_atlas()
    described = replace(atlas.layers[1], description="Ten interceptors in silos. " * 4 + "END")
    atlas = Atlas(atlas.title, (atlas.layers[0], described, atlas.layers[2]))
    out = tmp_path / "map.svg"
    render_static(atlas, out, width_px=900, dpi=100)
    svg = out.read_text("utf-8")
    assert ">Ten interceptors in silos." in svg and "END</text>" in svg


@pytest.mark.usefixtures("fake_base")
def test_a_short_image_drops_descriptions_before_layers(tmp_path: Path) -> None:
    atlas = make_atlas()
    layers = tuple(replace(layer, description="Words " * 60) for layer in atlas.layers)
    layout = plan_static(Atlas(atlas.title, layers), width_px=900, height_px=560, dpi=100)
    kinds = [row.kind for row in layout.legend_rows]
    assert "description" not in kinds and kinds.count("layer") == 3
    tight = plan_static(Atlas(atlas.title, layers), width_px=900, height_px=200, dpi=100)
    (more,) = [" ".join(row.lines) for row in tight.legend_rows if row.kind == "more"]
    assert re.fullmatch(r"\+ \d more layers?: see the interactive map", more), more


def test_long_site_and_region_names_wrap_whole(tmp_path: Path) -> None:
    long_site = "A site with a really remarkably long name, near a town (and a note in brackets)"
    long_region = "A region whose name goes on and on across the map, far too long for one line"
    layer = Layer(
        id="long",
        title="Long names",
        group="g",
        features=features(
            "long",
            [
                {
                    "id": "s",
                    "kind": "site",
                    "name": long_site,
                    "uncertainty": "approximate",
                    "geometry": shapely.Point(REDZIKOWO),
                },
                {
                    "id": "g",
                    "kind": "region",
                    "name": long_region,
                    "geometry": shapely.box(20, 48, 30, 56),
                },
            ],
        ),
    )
    drawn = draw_figure(Atlas("t", (layer,)), fake_basemap(), width_px=1000, dpi=100)
    labels = drawn.labels()
    assert labels["s"] == f"{long_site} {UNCERTAIN.mark}"
    assert labels["g"] == long_region
    lines = [t for t in drawn.figure.texts if (t.get_gid() or "").startswith("label-s-")]
    assert 2 <= len(lines) <= 3
    assert lines[-1].get_text().endswith(f" {UNCERTAIN.mark}")  # the mark stays with a word


def test_a_very_long_word_is_cut_into_lines_that_each_fit_and_join_again():
    import itertools

    from geo.render.static._text import Font, wrap, wrap_url

    font, dpi = Font(8.0), 150
    for word in ("a" * 2000, "Wörterbuchverlängerung" * 80):
        lines = wrap(word, font, 120, dpi)
        assert "".join(lines) == word and len(lines) > 10
        assert all(font.width_px(line, dpi) <= 120 for line in lines)
        # each line is as long as fits: one more character would not
        assert all(font.width_px(a + b[0], dpi) > 120 for a, b in itertools.pairwise(lines))
    url = "https://example.org/" + "x" * 3000
    parts = wrap_url(url, font, 260, dpi)
    assert "".join(parts) == url and all(font.width_px(p, dpi) <= 260 for p in parts)
