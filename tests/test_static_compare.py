"""Tests for the compare image: two maps side by side on one projection and extent.

Every check reads a written file back (or the drawn figure), with the shipped layers.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.colors import to_rgb

import geo
from geo.atlas_types import Atlas, Layer
from geo.errors import ExportError
from geo.render import static
from geo.render.static import CompareLayout, _draw, plan_static_compare, render_static_compare
from geo.render.style import BASEMAP, UNCERTAIN

SHIPPED = Path(__file__).resolve().parents[1] / "layers"
LEFT, RIGHT = "nato-two-systems-2011", "russia-sectoral-2011"
SIZE = {"width_px": 1000, "dpi": 100}  # small enough to be quick, large enough to read
LAND, SEA = np.array(to_rgb(BASEMAP.land)), np.array(to_rgb(BASEMAP.sea))
# lon/lat away from names, lines and the scale bar at SIZE
IN_NATO_ONLY = (2.5, 46.5)  # France: NATO's allies, not the Russian sector
IN_SECTOR_ONLY = (28.0, 53.0)  # Belarus: the Russian sector, not NATO's allies
ON_NEITHER_LAND = (15.0, 62.5)  # Sweden, outside NATO in 2011 and outside the sector
ON_NEITHER_SEA = (-15.0, 55.0)  # the Atlantic west of Ireland
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    pytest.importorskip("geo.reference", reason="the shipped map needs the base map")
    return geo.load(SHIPPED)


def layer(atlas: Atlas, layer_id: str) -> Layer:
    (found,) = [item for item in atlas.layers if item.id == layer_id]
    return found


def sides(atlas: Atlas, left: str = LEFT, right: str = RIGHT) -> dict[str, Any]:
    """The arguments of one compare image: one layer each side, headed by its title."""
    return {
        "left": [left],
        "right": [right],
        "left_title": layer(atlas, left).title,
        "right_title": layer(atlas, right).title,
    }


@pytest.fixture(scope="module")
def written(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("compare")
    paths = {suffix: folder / f"compare{suffix}" for suffix in (".png", ".svg", ".pdf")}
    for path in paths.values():
        render_static_compare(atlas, path, **sides(atlas), **SIZE)
    return paths


@pytest.fixture(scope="module")
def layout(atlas: Atlas) -> CompareLayout:
    return plan_static_compare(atlas, **sides(atlas), **SIZE)


@pytest.fixture(scope="module")
def image(written: dict[str, Path]) -> np.ndarray:
    return mpimg.imread(written[".png"])[..., :3]


def colour_at(image: np.ndarray, layout: CompareLayout, lonlat: tuple[float, float], side: str):
    """Return the median colour of the 7 × 7 pixels around a place on one map."""
    col, row = layout.pixel_of(*lonlat, side=side)
    window = image[int(row) - 3 : int(row) + 4, int(col) - 3 : int(col) + 4]
    return np.median(window.reshape(-1, 3), axis=0)


def map_crop(image: np.ndarray, layout: CompareLayout, pane: static.Pane) -> np.ndarray:
    """Return the pixels inside a map's frame (its border left out)."""
    x0, y0, w, h = pane.map_box
    top, left = round(layout.height_px - y0 - h), round(x0)
    return image[top + 2 : top + round(h) - 2, left + 2 : left + round(w) - 2]


# --- the files -----------------------------------------------------------------------------


def test_png_has_the_planned_size(image: np.ndarray, layout: CompareLayout) -> None:
    assert image.shape[:2] == (layout.height_px, SIZE["width_px"])


def test_pdf_is_a_pdf(written: dict[str, Path]) -> None:
    assert written[".pdf"].read_bytes().startswith(b"%PDF")


def test_same_input_gives_the_same_bytes(
    atlas: Atlas, written: dict[str, Path], tmp_path: Path
) -> None:
    for suffix in (".png", ".svg"):
        again = tmp_path / f"again{suffix}"
        render_static_compare(atlas, again, **sides(atlas), **SIZE)
        assert again.read_bytes() == written[suffix].read_bytes(), suffix


def test_svg_is_xml_with_the_title_and_both_headings_as_text(
    atlas: Atlas, written: dict[str, Path]
) -> None:
    root = ET.fromstring(written[".svg"].read_bytes())
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    assert atlas.title in texts
    for side in ("left", "right"):
        heading = [
            "".join(g.itertext()).strip()
            for g in root.iter(f"{SVG_NS}g")
            if g.get("id", "").startswith(f"{side}-heading-")
        ]
        assert " ".join(heading) == sides(atlas)[f"{side}_title"]
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "two maps in one SVG must not share ids"


def test_svg_legends_are_drawn_as_planned(written: dict[str, Path], layout: CompareLayout) -> None:
    root = ET.fromstring(written[".svg"].read_bytes())
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")}
    for pane in layout.panes:
        for row in pane.legend_rows:
            assert set(row.lines) <= texts, row


# --- one projection, one extent --------------------------------------------------------------


def test_both_maps_share_projection_extent_and_size(layout: CompareLayout) -> None:
    left, right = layout.left, layout.right
    assert left.projection == right.projection
    assert left.view == right.view
    assert left.map_box[1:] == right.map_box[1:]  # the same height, width and baseline
    assert left.map_box[0] + left.map_box[2] < right.map_box[0]  # side by side, apart


def test_the_extent_frames_the_features_of_both_sides(layout: CompareLayout) -> None:
    brussels, moscow = (4.43, 50.88), (37.62, 55.76)  # the ends of the left's link
    for lonlat in (brussels, moscow, IN_SECTOR_ONLY):
        for side, pane in zip(("left", "right"), layout.panes):
            col, row = layout.pixel_of(*lonlat, side=side)
            x0, y0, w, h = pane.map_box
            top = layout.height_px - (y0 + h)
            assert x0 < col < x0 + w and top < row < top + h, (lonlat, side)


def test_both_maps_have_the_same_base_map_at_the_same_place(
    image: np.ndarray, layout: CompareLayout
) -> None:
    """Where both maps show bare land or sea, they agree pixel for pixel: one extent."""
    left, right = map_crop(image, layout, layout.left), map_crop(image, layout, layout.right)
    assert left.shape == right.shape

    def bare(crop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        near = 2 / 255
        return np.abs(crop - LAND).max(-1) < near, np.abs(crop - SEA).max(-1) < near

    (left_land, left_sea), (right_land, right_sea) = bare(left), bare(right)
    both_bare = (left_land | left_sea) & (right_land | right_sea)
    assert both_bare.mean() > 0.2  # much of both maps is bare base map
    agree = (left_land & right_land) | (left_sea & right_sea)
    # a map shifted by 3 px agrees on about 99 %: coasts move
    assert agree[both_bare].mean() > 0.999
    for lonlat, colour in ((ON_NEITHER_LAND, LAND), (ON_NEITHER_SEA, SEA)):
        for side in ("left", "right"):
            assert np.allclose(colour_at(image, layout, lonlat, side), colour, atol=2 / 255)


def test_the_maps_differ_where_their_layers_differ(
    image: np.ndarray, layout: CompareLayout
) -> None:
    france_left = colour_at(image, layout, IN_NATO_ONLY, "left")
    france_right = colour_at(image, layout, IN_NATO_ONLY, "right")
    assert np.allclose(france_right, LAND, atol=2 / 255)
    assert not np.allclose(france_left, LAND, atol=4 / 255)
    assert france_left[2] - france_left[0] > france_right[2] - france_right[0] + 0.03  # blue
    belarus_left = colour_at(image, layout, IN_SECTOR_ONLY, "left")
    belarus_right = colour_at(image, layout, IN_SECTOR_ONLY, "right")
    assert np.allclose(belarus_left, LAND, atol=2 / 255)
    assert belarus_right[0] - belarus_right[2] > belarus_left[0] - belarus_left[2] + 0.05  # red


# --- headings, legends, sources ------------------------------------------------------------


def test_each_heading_is_its_title_wrapped_never_cut(atlas: Atlas) -> None:
    narrow = plan_static_compare(atlas, **sides(atlas), width_px=400, dpi=100)
    for pane, title in zip(narrow.panes, (layer(atlas, LEFT).title, layer(atlas, RIGHT).title)):
        assert len(pane.heading_lines) > 1
        assert " ".join(pane.heading_lines) == title
        font = narrow.fonts["heading"]
        assert all(
            font.width_px(line, narrow.dpi) <= pane.map_box[2] for line in pane.heading_lines
        )


def test_each_legend_names_only_its_own_layers(atlas: Atlas, layout: CompareLayout) -> None:
    for pane, layer_id in zip(layout.panes, (LEFT, RIGHT)):
        entries = [row for row in pane.legend_rows if row.kind == "layer"]
        assert [row.layer.id for row in entries if row.layer] == [layer_id]
        assert " ".join(entries[0].lines).startswith(layer(atlas, layer_id).title)
        assert [layer.id for layer in pane.layers] == [layer_id]
    credits = [row for pane in layout.panes for row in pane.legend_rows if row.kind == "credit"]
    assert not credits  # said once, under the title
    assert "Both maps show the same extent" in " ".join(layout.date_lines)


def test_the_uncertain_key_is_only_under_a_map_with_uncertain_features(atlas: Atlas) -> None:
    nato = layer(atlas, LEFT)
    certain = dataclasses.replace(nato, features=nato.features.assign(uncertainty=None))
    changed = Atlas(atlas.title, tuple(certain if x.id == LEFT else x for x in atlas.layers))
    planned = plan_static_compare(changed, **sides(atlas), **SIZE)
    keys = [[r for r in pane.legend_rows if r.kind == "uncertain"] for pane in planned.panes]
    assert not keys[0]
    assert [r.lines[0].startswith(UNCERTAIN.mark) for r in keys[1]] == [True]


def test_sources_of_both_sides_are_numbered_once(atlas: Atlas, layout: CompareLayout) -> None:
    rows = [row for column in layout.source_columns for row in column]
    listed = [*layer(atlas, LEFT).sources, *layer(atlas, RIGHT).sources]
    unique = {(s.title, s.publisher, s.date, s.url) for s in listed}
    assert [row.marker for row in rows] == [f"[{n}]" for n in range(1, len(unique) + 1)]
    assert len(unique) < len(listed)  # the two layers share a source, listed once
    for pane in layout.panes:
        (entry,) = [row for row in pane.legend_rows if row.kind == "layer"]
        numbers = " ".join(entry.lines).rsplit("[", 1)[1].rstrip("]").split(", ")
        assert numbers[0] == "1"  # the shared source keeps one number on both sides
        assert all(f"[{n}]" in [row.marker for row in rows] for n in numbers)


def test_title_defaults_to_the_atlas_title_and_can_be_given(atlas: Atlas) -> None:
    planned = plan_static_compare(atlas, **sides(atlas), **SIZE, title="NATO and Russia, 2011")
    assert planned.title_lines == ("NATO and Russia, 2011",)


# --- what a reader sees in the drawn figure -----------------------------------------------


def test_nothing_drawn_crosses_from_one_map_to_the_other(atlas: Atlas) -> None:
    reference = pytest.importorskip("geo.reference")
    planned = plan_static_compare(atlas, **sides(atlas), width_px=900, dpi=150)
    with matplotlib.rc_context(static._RC_PARAMS):
        figure = _draw.draw(planned, reference.basemap())
        figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    gutter = (
        planned.left.map_box[0] + planned.left.map_box[2],
        planned.right.map_box[0],
    )
    footer_top = planned.footer_box[1] + planned.footer_box[3]
    header_bottom = planned.left.heading_box[1] + planned.left.heading_box[3]
    for text in figure.texts:
        box = text.get_window_extent(renderer)
        if not text.get_text() or box.y1 > header_bottom + 1 or box.y0 < footer_top:
            continue  # the title and the source list are as wide as the image
        assert box.x1 <= gutter[0] + 1 or box.x0 >= gutter[1] - 1, text.get_text()
    assert len(figure.axes) == 2


def test_a_side_whose_layers_have_no_features_is_drawn(atlas: Atlas, tmp_path: Path) -> None:
    nato = layer(atlas, LEFT)
    empty = dataclasses.replace(nato, features=nato.features.iloc[0:0])
    changed = Atlas(atlas.title, tuple(empty if x.id == LEFT else x for x in atlas.layers))
    out = tmp_path / "compare.png"
    render_static_compare(changed, out, **sides(atlas), width_px=600, dpi=100)
    planned = plan_static_compare(changed, **sides(atlas), width_px=600, dpi=100)
    assert mpimg.imread(out).shape[:2] == (planned.height_px, 600)
    assert [row.layer.id for row in planned.left.legend_rows if row.layer] == [LEFT]


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width_px": 100}, r"width_px: 100 is not allowed; expected an integer 200–20000"),
        ({"width_px": 1.5e3}, r"width_px: 1500.0 is not allowed"),
        ({"height_px": 50}, r"height_px: 50 is not allowed; expected None or 200–20000"),
        ({"dpi": 10}, r"dpi: 10 is not allowed; expected a number 50–1200"),
        (
            {"width_px": 1600, "height_px": 200},
            r"height_px: 200 leaves the map \d+ px between the title, legend and sources, "
            r"less than the 60 px it needs; expected None \(the height the map needs\)",
        ),
    ],
)
def test_bad_sizes_are_refused(
    atlas: Atlas, tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        render_static_compare(atlas, tmp_path / "compare.png", **{**sides(atlas), **options})
    assert not list(tmp_path.iterdir())


def test_bad_paths_and_ids_are_refused(atlas: Atlas, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"suffix '\.jpg' is not supported; must be one of"):
        render_static_compare(atlas, tmp_path / "compare.jpg", **sides(atlas))
    with pytest.raises(ExportError, match=r"folder '.*missing' does not exist; create it first"):
        render_static_compare(atlas, tmp_path / "missing" / "compare.png", **sides(atlas))
    with pytest.raises(ExportError, match=r"right: 'nope' not in the atlas; must be among"):
        render_static_compare(atlas, tmp_path / "c.png", **{**sides(atlas), "right": ["nope"]})


def test_pixel_of_names_the_sides(layout: CompareLayout) -> None:
    with pytest.raises(ValueError, match=r"side: 'middle' is not a side"):
        layout.pixel_of(0.0, 50.0, side="middle")
    left_col, left_row = layout.pixel_of(*ON_NEITHER_LAND, side="left")
    right_col, right_row = layout.pixel_of(*ON_NEITHER_LAND, side="right")
    assert right_row == left_row
    assert right_col - left_col == pytest.approx(layout.right.map_box[0] - layout.left.map_box[0])
