"""One look for every output: the page, the static renderer and KML read `geo.render.style`.

Each test draws or writes something and compares what came out with the table, so a look
written a second time somewhere else (and drifting) fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle

from geo.atlas import load_atlas
from geo.atlas_types import FEATURE_COLUMNS, Atlas, Layer, Style
from geo.render import gis, static
from geo.render.static import _draw, plan_static, render_static
from geo.render.static._theme import CSS_PX_PT
from geo.render.style import (
    BASEMAP,
    LEGEND_KEY_COLOR,
    PRECISION_WORDS,
    ROLE_LOOKS,
    STATUS_WORDS,
    SYMBOL_BOX,
    UNCERTAIN,
    marker_path,
    marker_style,
    page_look,
    svg_path,
)
from geo.schema import PRECISIONS, ROLES, STATUSES

REPO = Path(__file__).resolve().parents[1]
KML = {"k": "http://www.opengis.net/kml/2.2"}
COLOR = "#b03a2e"
STYLE = Style(color=COLOR, fill_opacity=0.3, opacity=0.9, dash="6 4")
UNCERTAIN_AREA = shapely.box(14, 44, 22, 47)


# --- an atlas of one site per role, one uncertain site and one uncertain region -------------


def _row(fid: str, kind: str, geometry: Any, **extra: Any) -> dict[str, Any]:
    return {**dict.fromkeys(FEATURE_COLUMNS), "id": fid, "layer": "look", "kind": kind,
            "name": fid, "parameters": {}, "sources": [], "geometry": geometry, **extra}  # fmt: skip


def look_atlas() -> Atlas:
    sites = [
        _row(role, "site", shapely.Point(8 + 3 * i, 52), role=role, status="proposed",
             precision="town")
        for i, role in enumerate(ROLES)
    ]  # fmt: skip
    rows = [
        *sites,
        _row("vague", "site", shapely.Point(12, 49), role="radar", uncertainty="never published"),
        _row("area", "region", UNCERTAIN_AREA, uncertainty="boundary is approximate"),
    ]
    frame = gpd.GeoDataFrame(rows, columns=[*FEATURE_COLUMNS, "geometry"], crs="EPSG:4326")
    layer = Layer(id="look", title="Every role", group="Look", features=frame, style=STYLE)
    return Atlas("One look", (layer,))


def fake_basemap() -> dict[str, gpd.GeoDataFrame]:
    sea = shapely.box(14, 49.6, 22, 51.2)
    land = shapely.box(-10, 40, 40, 60).difference(sea)
    return {
        "land": gpd.GeoDataFrame(geometry=[land], crs="EPSG:4326"),
        "borders": gpd.GeoDataFrame(
            geometry=[shapely.LineString([(24, 45), (25, 51)])], crs="EPSG:4326"
        ),
        "seas": gpd.GeoDataFrame(
            {"name": ["Look Sea"], "label_lon": [18.0], "label_lat": [50.4]},
            geometry=[sea],
            crs="EPSG:4326",
        ),
    }


@pytest.fixture(scope="module")
def figure() -> Figure:
    layout = plan_static(look_atlas(), width_px=1600, dpi=150)
    with matplotlib.rc_context(static._RC_PARAMS):
        return _draw.draw(layout, fake_basemap())


def _drawn_vertices(line: Line2D) -> np.ndarray:
    """Return the marker of `line` as matplotlib draws it, in units of its markersize."""
    marker = line._marker  # the MarkerStyle matplotlib made from our marker
    return marker.get_path().transformed(marker.get_transform()).vertices


# --- the table itself ---------------------------------------------------------------------


def test_page_look_has_the_agreed_shape() -> None:
    look = page_look()
    assert list(look) == ["roles", "statuses", "precisions", "uncertain", "basemap", "key_color"]
    assert list(look["roles"]) == list(ROLES) == list(ROLE_LOOKS)  # legends list them so
    assert all(list(entry) == ["word", "path"] for entry in look["roles"].values())
    assert list(look["statuses"]) == list(STATUSES)
    assert list(look["precisions"]) == list(PRECISIONS)
    assert list(look["uncertain"]) == [
        "stroke_opacity_factor", "fill_opacity_factor", "dash", "marker_fill_opacity",
        "marker_fill_opacity_certain", "marker_stroke", "marker_stroke_width", "legend", "mark",
    ]  # fmt: skip
    assert list(look["basemap"]) == ["sea", "land", "border", "border_width", "sea_label"]
    assert look["roles"]["interceptors"] == {
        "word": "interceptor site",
        "path": "M2 2 L14 2 L14 14 L2 14 Z",
    }
    assert look["precisions"]["town"] == "nearest town or base centre"
    assert json.loads(json.dumps(look, allow_nan=False)) == look  # JSON-ready as it is


def test_page_receives_the_table_as_data() -> None:
    from geo.render.html import page_data

    data = page_data(load_atlas(REPO / "tests" / "fixtures" / "basic"), offline=False)
    assert data["look"] == page_look()


def test_the_table_is_read_without_matplotlib() -> None:
    code = "import sys, geo.render.style as s; s.page_look(); print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def _relative_luminance(color: str) -> float:
    channels = np.array(to_rgba(color)[:3])
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def test_sea_names_meet_wcag_aa_contrast_on_the_sea() -> None:
    light, dark = sorted(map(_relative_luminance, (BASEMAP.sea, BASEMAP.sea_label)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


def _svg_rings(path: str) -> list[np.ndarray]:
    rings = []
    for part in re.findall(r"M([^Z]*)Z", path):
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", part)]
        rings.append(np.array(numbers).reshape(-1, 2))
    return rings


@pytest.mark.parametrize("role", ROLES)
def test_page_and_static_symbols_are_one_shape(role: str) -> None:
    rings = _svg_rings(svg_path(role))
    path = marker_path(role)
    # y flipped and centred: the matplotlib path is the SVG path, upright on screen
    back = np.column_stack([path.vertices[:, 0] * 16 + 8, 8 - path.vertices[:, 1] * 16])
    starts = np.flatnonzero(path.codes == path.MOVETO)
    mpl_rings = [back[s : e - 1] for s, e in zip(starts, [*starts[1:], len(back)])]
    assert len(rings) == len(mpl_rings) == len(ROLE_LOOKS[role].symbol.rings)
    for svg_ring, mpl_ring in zip(rings, mpl_rings):
        np.testing.assert_allclose(svg_ring, mpl_ring, atol=1e-9)
    # a hole winds the other way round, so non-zero (matplotlib) and even-odd (page) agree
    windings = [shapely.LinearRing(ring).is_ccw for ring in rings]
    assert windings == [windings[0]] + [not windings[0]] * (len(rings) - 1)


@pytest.mark.parametrize("role", ROLES)
def test_static_symbol_fills_like_the_page(role: str) -> None:
    """Draw the symbol large: its middle is filled, except for the naval ring's hole."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(1, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.plot([0], [0], marker=marker_style(role), markersize=72, color="black", linestyle="none")
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., 0]
    assert (pixels[50, 50] > 128) == (role == "naval")  # white where the page shows the map


def test_symbols_keep_the_shapes_the_page_had() -> None:
    def polygon(role: str) -> shapely.Polygon:
        rings = _svg_rings(svg_path(role))
        return shapely.Polygon(rings[0], rings[1:])

    assert len(_svg_rings(svg_path("radar"))[0]) == 3  # triangle
    assert polygon("interceptors").equals(shapely.box(2, 2, 14, 14))  # square
    assert len(_svg_rings(svg_path("command"))[0]) == 10  # five-pointed star
    assert polygon("launch").equals(shapely.Point(8, 8).buffer(7.5, quad_segs=1))  # diamond
    for role, outer, inner in (("naval", 7, 3), ("city", 4, 0), ("other", 6, 0)):
        area = np.pi * (outer**2 - inner**2)
        assert polygon(role).area == pytest.approx(area, rel=0.01), role
        assert polygon(role).centroid.equals_exact(shapely.Point(8, 8), 1e-9)


# --- the static renderer draws the table ---------------------------------------------------


def test_static_legend_lists_every_role_in_the_page_words(figure: Figure) -> None:
    layout = plan_static(look_atlas(), width_px=1600, dpi=150)
    role_rows = [row for row in layout.legend_rows if row.kind == "role"]
    assert [row.marker for row in role_rows] == list(ROLES)
    assert [" ".join(row.lines) for row in role_rows] == [ROLE_LOOKS[r].word for r in ROLES]
    texts = {t.get_text() for t in figure.texts}
    assert {ROLE_LOOKS[r].word for r in ROLES} <= texts
    assert f"{UNCERTAIN.mark} {UNCERTAIN.legend}" in texts


def test_static_legend_symbols_are_the_table_shapes(figure: Figure) -> None:
    keys = {a.get_gid(): a for a in figure.artists if isinstance(a, Line2D)}
    sizes = set()
    for role in ROLES:
        key = keys[f"legend-symbol-{role}"]
        np.testing.assert_allclose(_drawn_vertices(key), marker_path(role).vertices, atol=1e-12)
        assert to_hex(key.get_markerfacecolor()) == LEGEND_KEY_COLOR
        assert key.get_markerfacecolor()[3] == UNCERTAIN.marker_fill_opacity_certain
        sizes.add(key.get_markersize())
    assert len(sizes) == 1, "every role is drawn in a box of the same size"
    dotted = next(a for a in figure.artists if a.get_gid() == "legend-uncertain")
    assert isinstance(dotted, Rectangle) and to_hex(dotted.get_edgecolor()) == LEGEND_KEY_COLOR


def test_static_sites_are_drawn_like_the_page(figure: Figure) -> None:
    ax = figure.axes[0]
    marks = [line for line in ax.lines if line.get_marker() is not None]
    assert len(marks) == len(ROLES) + 1
    by_shape = {role: marker_path(role).vertices for role in ROLES}
    for line in marks:
        drawn = _drawn_vertices(line)
        role = next(
            r for r, v in by_shape.items() if v.shape == drawn.shape and np.allclose(v, drawn)
        )
        face = line.get_markerfacecolor()
        assert to_hex(face) == COLOR, role
        assert to_hex(line.get_markeredgecolor()) == UNCERTAIN.marker_stroke
        box_pt = line.get_markersize()
        assert line.get_markeredgewidth() == pytest.approx(
            UNCERTAIN.marker_stroke_width * box_pt / SYMBOL_BOX
        )
    opacities = sorted(line.get_markerfacecolor()[3] for line in marks)
    certain = UNCERTAIN.marker_fill_opacity_certain
    assert opacities == [UNCERTAIN.marker_fill_opacity] + [certain] * len(ROLES)


def test_static_uncertain_region_is_faded_and_dotted(figure: Figure) -> None:
    ax = figure.axes[0]
    fills = [
        p for p in ax.patches if isinstance(p, PathPatch) and to_hex(p.get_facecolor()) == COLOR
    ]
    assert [p.get_facecolor()[3] for p in fills] == [
        pytest.approx(STYLE.fill_opacity * UNCERTAIN.fill_opacity_factor)
    ]
    outline = next(
        p for p in ax.patches
        if isinstance(p, PathPatch) and p.get_facecolor()[3] == 0 and to_hex(p.get_edgecolor()) == COLOR
    )  # fmt: skip
    assert outline.get_edgecolor()[3] == pytest.approx(
        STYLE.opacity * UNCERTAIN.stroke_opacity_factor
    )
    scale = plan_static(look_atlas(), width_px=1600, dpi=150).scale
    dots = [float(v) for v in UNCERTAIN.dash.split()]
    _, pattern = outline.get_linestyle()
    # the table's dash replaces the layer's own "6 4"; CSS pixels become points
    assert list(pattern) == pytest.approx([d * CSS_PX_PT * scale for d in dots])


def test_static_base_map_has_the_table_colours(figure: Figure) -> None:
    ax = figure.axes[0]
    assert to_hex(ax.get_facecolor()) == BASEMAP.sea
    land = [p for p in ax.patches if to_hex(p.get_facecolor()) == BASEMAP.land]
    assert len(land) == 1 and land[0].get_facecolor()[3] == 1
    borders = [p for p in ax.patches if to_hex(p.get_edgecolor()) == BASEMAP.border]
    scale = plan_static(look_atlas(), width_px=1600, dpi=150).scale
    assert [p.get_linewidth() for p in borders] == [BASEMAP.border_width * CSS_PX_PT * scale]
    sea_names = [t for t in figure.texts if t.get_text() == "Look Sea"]
    assert [to_hex(t.get_color()) for t in sea_names] == [BASEMAP.sea_label]


def test_static_svg_writes_the_words_and_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(static, "_load_basemap", fake_basemap)
    out = tmp_path / "look.svg"
    render_static(look_atlas(), out, width_px=1200, dpi=100)
    svg = out.read_text("utf-8")
    for role in ROLES:
        assert f">{ROLE_LOOKS[role].word}<" in svg.replace("&amp;", "&"), role
        assert f'id="legend-symbol-{role}"' in svg
    assert UNCERTAIN.legend in svg
    for color in (BASEMAP.sea, BASEMAP.land, BASEMAP.border, BASEMAP.sea_label):
        assert color in svg, color


# --- KML --------------------------------------------------------------------------------------


def _kml_styles(root: ET.Element) -> dict[str, dict[str, str]]:
    return {
        style.get("id"): {
            kind: style.findtext(f"k:{kind}/k:color", namespaces=KML)
            for kind in ("IconStyle", "LineStyle", "PolyStyle")
        }
        for style in root.iter(f"{{{KML['k']}}}Style")
    }


def test_kml_fades_uncertain_features_by_the_table_factors(tmp_path: Path) -> None:
    out = tmp_path / "look.kml"
    gis.write_kml(look_atlas(), out)
    root = ET.parse(out).getroot()
    styles = _kml_styles(root)
    marks = {m.findtext("k:name", namespaces=KML): m for m in root.iter(f"{{{KML['k']}}}Placemark")}
    certain = styles[marks["radar"].findtext("k:styleUrl", namespaces=KML).lstrip("#")]
    vague = styles[marks["area"].findtext("k:styleUrl", namespaces=KML).lstrip("#")]
    assert marks["vague"].findtext("k:styleUrl", namespaces=KML) == marks["area"].findtext(
        "k:styleUrl", namespaces=KML
    )
    assert certain == {
        "IconStyle": gis.kml_color(COLOR, UNCERTAIN.marker_fill_opacity_certain),
        "LineStyle": gis.kml_color(COLOR, STYLE.opacity),
        "PolyStyle": gis.kml_color(COLOR, STYLE.fill_opacity),
    }
    assert vague == {
        "IconStyle": gis.kml_color(COLOR, UNCERTAIN.marker_fill_opacity),
        "LineStyle": gis.kml_color(COLOR, STYLE.opacity * UNCERTAIN.stroke_opacity_factor),
        "PolyStyle": gis.kml_color(COLOR, STYLE.fill_opacity * UNCERTAIN.fill_opacity_factor),
    }


def test_kml_balloons_use_the_page_words(tmp_path: Path) -> None:
    out = tmp_path / "look.kml"
    gis.write_kml(look_atlas(), out)
    root = ET.parse(out).getroot()
    for mark in root.iter(f"{{{KML['k']}}}Placemark"):
        role = mark.findtext("k:ExtendedData/k:Data[@name='role']/k:value", namespaces=KML)
        if mark.findtext("k:name", namespaces=KML) not in ROLES:
            continue
        balloon = mark.findtext("k:description", namespaces=KML)
        assert f"<th>Role</th><td>{ROLE_LOOKS[role].word}</td>" in balloon.replace("&amp;", "&")
        assert f"<th>Status</th><td>{STATUS_WORDS['proposed']}</td>" in balloon
        assert f"<th>Precision</th><td>{PRECISION_WORDS['town']}</td>" in balloon


# --- no copies ----------------------------------------------------------------------------

#: White is every renderer's halo, graticule and stroke: its spelling proves no copy.
_GENERIC_COLOURS = {"#ffffff", "#000000"}


def _table_strings() -> list[str]:
    look = page_look()
    colours = {BASEMAP.sea, BASEMAP.land, BASEMAP.border, BASEMAP.sea_label,
               UNCERTAIN.marker_stroke, LEGEND_KEY_COLOR} - _GENERIC_COLOURS  # fmt: skip
    short = {f"#{c[1]}{c[3]}{c[5]}" for c in colours if c[1::2] == c[2::2]}
    # the words that are the table's own (a bare "radar" or "city" is everyone's word)
    words = [w for w in (e["word"] for e in look["roles"].values()) if " " in w]
    words += [w for w in look["precisions"].values() if " " in w]
    words.append(look["uncertain"]["legend"])
    return sorted(colours | short) + [e["path"] for e in look["roles"].values()] + words


def _table_words() -> set[str]:
    look = page_look()
    words = {e["word"] for e in look["roles"].values()} | set(look["precisions"].values())
    return {w for w in words if " " in w} | {look["uncertain"]["legend"]}


def test_no_other_file_under_geo_copies_the_table() -> None:
    own = REPO / "geo" / "render" / "style.py"
    found = []
    for path in sorted((REPO / "geo").rglob("*")):
        relative = path.relative_to(REPO).as_posix()
        if path == own or path.suffix not in {
            ".py", ".js", ".css", ".html", ".json", ".geojson"
        }:  # fmt: skip
            continue
        text = path.read_text("utf-8", errors="replace").lower()
        renderer = relative.startswith("geo/render/")  # elsewhere, the words are plain prose
        for needle in _table_strings():
            if needle in _table_words() and not renderer:
                continue
            pattern = re.escape(needle.lower()) + (r"(?![0-9a-f])" if needle[0] == "#" else "")
            if re.search(pattern, text):
                found.append(f"{relative}: {needle}")
    assert not found, "style values written outside geo/render/style.py:\n" + "\n".join(found)
