"""Drive the rendered map in a real headless Chromium, as a reader would use it.

Each test opens the page from a file with the network cut off (see conftest.py) and checks
what a person sees: drawn shapes, the layer control and legend, popups with sources, the
permalink, and the offline page.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import FEATURE_COLUMNS, Atlas, Layer, Source, Style
from geo.render.style import page_look

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from .conftest import MapOpener

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EVIL = "<img src=x onerror=alert(1)>"
EVIL_LAYER_TITLE = 'Sectoral "offer" <img src=x onerror=alert(2)>'
TITLE = 'Missile defence <i>test</i> & "atlas"'
US_GROUP = "2007 US plan"
RU_GROUP = 'Russia\'s "sectoral" offer'
TIMES = Source(
    id="times",
    title='Plan for a "shield" in Poland',
    publisher="The Example Times",
    date="2007-01-20",
    url="https://example.org/news?id=1&lang=en",
    quote='Officials said the radar "would track" launches from the south.',
)
MEMO = Source(
    id="memo", title="Ministry memo <draft>", publisher="Ministry of Defence", date="2007"
)
REPORT = Source(id="report", title="Coverage study", url="https://example.org/study.pdf")


# --------------------------------------------------------------------------------------------
# Atlases: one built by hand with every kind of geometry, and the shipped layers/ folder
# --------------------------------------------------------------------------------------------


def _feature(fid: str, kind: str, name: str, geometry: BaseGeometry, **extra: Any) -> dict:
    row: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS)
    row.update(id=fid, kind=kind, name=name, parameters={}, sources=[], geometry=geometry)
    row.update(extra)
    return row


def _layer(layer_id: str, title: str, group: str, rows: list[dict], **extra: Any) -> Layer:
    for row in rows:
        row["layer"] = layer_id
    frame = gpd.GeoDataFrame(rows, columns=[*FEATURE_COLUMNS, "geometry"], crs="EPSG:4326")
    return Layer(id=layer_id, title=title, group=group, features=frame, **extra)


def _box(west: float, south: float, east: float, north: float) -> Polygon:
    return Polygon([(west, south), (east, south), (east, north), (west, north)])


def hand_atlas() -> Atlas:
    """Four layers in two groups: sites, a region, a link and a range (hidden at start)."""
    sites = [
        _feature("brdy", "site", "Brdy radar", Point(13.82, 49.65), role="radar",
                 status="proposed", date_from="2008-03", precision="site",
                 parameters={"band": "X"}, sources=["times", "memo"]),
        _feature("redzikowo", "site", EVIL, Point(17.11, 54.48), role="interceptors",
                 status="agreed", precision="town", uncertainty="pad location never published",
                 sources=["times"]),
    ]  # fmt: skip
    coverage = [
        _feature("coverage", "region", "Protected area", _box(20, 47, 26, 51), status="proposed",
                 date_from="2007-06", uncertainty="boundary is approximate", sources=["report"]),
    ]  # fmt: skip
    links = [
        _feature("armavir", "site", "Armavir radar", Point(40.92, 44.92), role="radar",
                 status="operational"),
        _feature("data-link", "link", "Brdy – Armavir data link",
                 LineString([(13.82, 49.65), (40.92, 44.92)])),
    ]  # fmt: skip
    ranges = [_feature("armavir-range", "range", "Armavir range", _box(37, 42, 45, 48))]
    layers = (
        _layer("us-sites", "US sites (2007)", US_GROUP, sites, sources=(TIMES, MEMO),
               style=Style(color="#b03a2e"), notes=("No command centre was ever located.",)),
        _layer("coverage", "Coverage", US_GROUP, coverage, sources=(REPORT,),
               style=Style(color="#2e7d32", fill_opacity=0.3)),
        _layer("ru-links", EVIL_LAYER_TITLE, RU_GROUP, links, period_from="2011-01",
               style=Style(color="#1565c0", dash="6 4")),
        _layer("ranges", "Ranges", RU_GROUP, ranges, visible=False,
               style=Style(color="#6a1b9a")),
    )  # fmt: skip
    return Atlas(title=TITLE, layers=layers)


def shipped_atlas() -> Atlas:
    """Load the project's own layers/ folder (needs the geodesy and reference modules)."""
    not_yet = "the shipped layers/ cannot be built yet (geo.geodesy or geo.reference is missing)"
    try:
        import geo.reference
        from geo.atlas import load_atlas
    except ImportError as exc:
        pytest.skip(f"{not_yet}: {exc}")
    if getattr(geo.reference, "__file__", None) is None:  # a folder without __init__.py so far
        pytest.skip(f"{not_yet}: geo/reference/__init__.py does not exist")
    return load_atlas(REPO / "layers")


def crowded_atlas() -> Atlas:
    """Nine layers with long titles and notes in three groups, like a full layers/ folder."""
    layers = []
    for n in range(9):
        base = hand_atlas().layers[n % 4]
        layers.append(dataclasses.replace(
            base, id=f"{base.id}-{n}", title=f"{base.title}: a longer layer title, number {n}",
            group=f"Group {n // 3}", visible=True,
            notes=("A note long enough to wrap onto a second line of the legend.",) * (n % 2),
        ))  # fmt: skip
    return Atlas(title="Crowded", layers=tuple(layers))


ATLASES: dict[str, Callable[[], Atlas]] = {"hand-built": hand_atlas, "layers/": shipped_atlas}


@pytest.fixture(scope="module", params=list(ATLASES))
def any_atlas(request: pytest.FixtureRequest) -> Atlas:
    return ATLASES[request.param]()


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return hand_atlas()


def _write(atlas: Atlas, folder: Path, *, offline: bool = False) -> Path:
    path = folder / ("map-offline.html" if offline else "map.html")
    atlas.save_html(path, offline=offline)
    return path


@pytest.fixture(scope="module")
def any_html(any_atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(any_atlas, tmp_path_factory.mktemp("any"))


@pytest.fixture(scope="module")
def html(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(atlas, tmp_path_factory.mktemp("hand"))


# --------------------------------------------------------------------------------------------
# Reading the page
# --------------------------------------------------------------------------------------------

LAYER_STATE_JS = """(id) => {
  const dm = window.defenseMap;
  const overlay = dm.overlays[id];
  let drawn = 0;
  const walk = (lyr) => {
    if (lyr.eachLayer) { lyr.eachLayer(walk); return; }
    const node = lyr._path || lyr._icon;
    if (node && node.isConnected) { drawn += 1; }
  };
  overlay.eachLayer(walk);
  return {
    onMap: dm.map.hasLayer(overlay),
    drawn: drawn,
    checked: document.querySelector(`input[data-layer-id="${id}"]`).checked,
    legend: document.querySelectorAll(`li[data-legend-layer="${id}"]`).length,
  };
}"""

FEATURE_NODE_JS = """(fid) => {
  let found = null;
  const walk = (lyr) => {
    if (lyr.eachLayer) { lyr.eachLayer(walk); return; }
    if (lyr.feature && lyr.feature.id === fid) { found = lyr._path || lyr._icon; }
  };
  Object.values(window.defenseMap.overlays).forEach(walk);
  return found;
}"""


def drawn_counts(page: Page) -> tuple[int, int]:
    """Return (SVG paths, markers) drawn for the overlays; the base map has its own pane."""
    paths = page.locator(".leaflet-overlay-pane path").count()
    markers = page.locator(".leaflet-marker-pane .leaflet-marker-icon").count()
    return paths, markers


def _leaf_geometries(geom: BaseGeometry | None) -> list[BaseGeometry]:
    """Leaflet draws a multi-point as one marker per point and any other shape as one path;
    a polygon that reaches ±180° or a pole gets one more path: its outline without the cuts."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type in ("MultiPoint", "GeometryCollection"):
        return [part for g in geom.geoms for part in _leaf_geometries(g)]
    west, south, east, north = geom.bounds
    on_seam = west <= -180 or east >= 180 or south <= -90 or north >= 90
    if geom.geom_type in ("Polygon", "MultiPolygon") and on_seam:
        return [geom, geom.boundary]
    return [geom]


def expected_counts(layers: list[Layer]) -> tuple[int, int]:
    """Return the (paths, markers) the given layers should draw."""
    leaves = [g for layer in layers for geom in layer.features.geometry
              for g in _leaf_geometries(geom)]  # fmt: skip
    markers = sum(g.geom_type == "Point" for g in leaves)
    return len(leaves) - markers, markers


def layer_state(page: Page, layer_id: str) -> dict[str, Any]:
    return page.evaluate(LAYER_STATE_JS, layer_id)


def layer_box(page: Page, layer_id: str) -> Locator:
    return page.locator(f'input[data-layer-id="{layer_id}"]')


def group_box(page: Page, group: str) -> Locator:
    """Find a group's checkbox by its exact name, which may hold quotes or line breaks."""
    boxes = page.locator("input[data-group]")
    names = boxes.evaluate_all("bs => bs.map(b => b.getAttribute('data-group'))")
    assert group in names, f"no checkbox for group {group!r} among {names!r}"
    return boxes.nth(names.index(group))


def shown_layers(page: Page) -> list[str]:
    """Return the ids of the overlays on the map, in layer order."""
    return page.evaluate(
        "() => Object.keys(window.defenseMap.overlays).filter("
        "id => window.defenseMap.map.hasLayer(window.defenseMap.overlays[id]))"
    )


def click_feature(page: Page, feature_id: str) -> None:
    """Click a feature where Leaflet drew it (a marker's icon, a shape's middle)."""
    node = page.evaluate_handle(FEATURE_NODE_JS, feature_id).as_element()
    assert node is not None, f"feature {feature_id!r} is not drawn"
    node.click()


def click_map_at(page: Page, lat: float, lon: float) -> None:
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.defenseMap.map.latLngToContainerPoint([lat, lon]);"
        " const r = document.querySelector('.dm-map').getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        [lat, lon],
    )
    page.mouse.click(x, y)


def open_popup(page: Page) -> Locator:
    popup = page.locator(".leaflet-popup .dm-popup")
    popup.wait_for(state="visible")
    return popup


PANEL_OVER_JS = """(node) => {
  // the panel (title, layers, legend, timeline...) covering the middle of `node`, if any
  const r = node.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const panel = top && top.closest('.leaflet-control');
  return panel && !panel.contains(node) ? panel.className : null;
}"""

OVERLAP_JS = """([a, b]) => {
  const r = document.querySelector(a).getBoundingClientRect();
  const s = document.querySelector(b).getBoundingClientRect();
  return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
}"""


def assert_clean(opener: MapOpener, page: Page) -> None:
    watch = opener.watch(page)
    assert watch.errors == [], "the page logged errors"
    assert watch.dialogs == [], "the page opened a dialog"
    assert watch.blocked == [], "the page asked for something it should not need"


def wait_for_tiles(page: Page) -> None:
    page.wait_for_function(
        "() => { const t = document.querySelectorAll('.leaflet-tile');"
        " return t.length > 0 && [...t].every(i => i.classList.contains('leaflet-tile-loaded')); }"
    )


# --------------------------------------------------------------------------------------------
# 1. The map opens
# --------------------------------------------------------------------------------------------


def test_map_opens_and_draws_the_visible_layers(
    open_map: MapOpener, any_atlas: Atlas, any_html: Path
) -> None:
    page = open_map(any_html)
    wait_for_tiles(page)

    assert page.locator(".dm-map.leaflet-container").count() == 1
    assert page.title() == any_atlas.title
    assert page.locator(".dm-title").inner_text().startswith(any_atlas.title)
    shown = [layer for layer in any_atlas.layers if layer.visible]
    paths, markers = drawn_counts(page)
    assert (paths, markers) == expected_counts(shown)
    assert paths + markers > 0
    assert shown_layers(page) == [layer.id for layer in shown]
    watch = open_map.watch(page)
    assert sorted(u for u in watch.served if "unpkg.com" in u) == [
        "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css",
        "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js",
    ]
    assert any("arcgisonline.com" in u for u in watch.served), "the default base map drew no tiles"
    assert_clean(open_map, page)


def test_no_site_starts_hidden_under_a_panel(
    open_map: MapOpener, any_atlas: Atlas, any_html: Path
) -> None:
    page = open_map(any_html)
    markers = page.locator(".leaflet-marker-pane .leaflet-marker-icon")
    covered = [markers.nth(i).evaluate(PANEL_OVER_JS) for i in range(markers.count())]
    assert [c for c in covered if c] == []
    assert_clean(open_map, page)


# --------------------------------------------------------------------------------------------
# 2. The layer control and the legend
# --------------------------------------------------------------------------------------------


def _assert_shown(page: Page, layer: Layer, *, total: tuple[int, int]) -> None:
    state = layer_state(page, layer.id)
    paths, markers = expected_counts([layer])
    assert state == {"onMap": True, "drawn": paths + markers, "checked": True, "legend": 1}
    assert drawn_counts(page) == total


def _assert_hidden(page: Page, layer: Layer, *, total: tuple[int, int]) -> None:
    state = layer_state(page, layer.id)
    assert state == {"onMap": False, "drawn": 0, "checked": False, "legend": 0}
    paths, markers = expected_counts([layer])
    assert drawn_counts(page) == (total[0] - paths, total[1] - markers)


def test_each_layer_checkbox_hides_and_shows_it_with_its_legend_entry(
    open_map: MapOpener, any_atlas: Atlas, any_html: Path
) -> None:
    page = open_map(any_html)
    for layer in any_atlas.layers:
        if layer.visible:
            total = drawn_counts(page)
            _assert_shown(page, layer, total=total)
            layer_box(page, layer.id).uncheck()
            _assert_hidden(page, layer, total=total)
            layer_box(page, layer.id).check()
            _assert_shown(page, layer, total=total)
        else:
            paths, markers = expected_counts([layer])
            before = drawn_counts(page)
            after = (before[0] + paths, before[1] + markers)
            _assert_hidden(page, layer, total=after)
            layer_box(page, layer.id).check()
            _assert_shown(page, layer, total=after)
            layer_box(page, layer.id).uncheck()
            _assert_hidden(page, layer, total=after)
    assert_clean(open_map, page)


def test_group_checkbox_toggles_all_its_layers(
    open_map: MapOpener, any_atlas: Atlas, any_html: Path
) -> None:
    page = open_map(any_html)
    groups: dict[str, list[str]] = {}
    for layer in any_atlas.layers:
        groups.setdefault(layer.group, []).append(layer.id)
    for group, ids in groups.items():
        box = group_box(page, group)
        box.check()
        assert [layer_state(page, i)["onMap"] for i in ids] == [True] * len(ids)
        assert page.locator("li[data-legend-layer]").count() >= len(ids)
        box.uncheck()
        assert [layer_state(page, i) for i in ids] == [
            {"onMap": False, "drawn": 0, "checked": False, "legend": 0}
        ] * len(ids)
        box.check()
    assert shown_layers(page) == [layer.id for layer in any_atlas.layers]
    assert drawn_counts(page) == expected_counts(list(any_atlas.layers))
    assert_clean(open_map, page)


def test_hidden_layer_is_absent_at_start_and_leaves_its_group_half_checked(
    open_map: MapOpener, html: Path
) -> None:
    page = open_map(html)
    assert layer_state(page, "ranges") == {
        "onMap": False, "drawn": 0, "checked": False, "legend": 0,
    }  # fmt: skip
    ru_group = group_box(page, RU_GROUP)
    assert ru_group.evaluate("b => [b.checked, b.indeterminate]") == [False, True]
    assert group_box(page, US_GROUP).evaluate("b => [b.checked, b.indeterminate]") == [True, False]
    layer_box(page, "ranges").check()
    assert ru_group.evaluate("b => [b.checked, b.indeterminate]") == [True, False]
    assert page.locator('li[data-legend-layer="ranges"]').inner_text() == "Ranges"
    assert_clean(open_map, page)


#: A group name is free text from YAML: a line break, quotes and brackets must not upset the page.
AWKWARD_GROUP = 'Line one\nLine "two" ][\''


def test_group_named_with_a_line_break_and_quotes_toggles_its_layers(
    open_map: MapOpener, tmp_path: Path
) -> None:
    atlas = hand_atlas()
    atlas = dataclasses.replace(atlas, layers=tuple(
        dataclasses.replace(layer, group=AWKWARD_GROUP) if layer.group == US_GROUP else layer
        for layer in atlas.layers
    ))  # fmt: skip
    ids = [layer.id for layer in atlas.layers if layer.group == AWKWARD_GROUP]
    assert ids == ["us-sites", "coverage"]
    page = open_map(_write(atlas, tmp_path))
    box = group_box(page, AWKWARD_GROUP)
    assert box.locator("xpath=../span").evaluate("s => s.textContent") == AWKWARD_GROUP

    def group_state() -> list[bool]:
        return box.evaluate("b => [b.checked, b.indeterminate]")

    assert group_state() == [True, False]
    box.uncheck()
    assert [layer_state(page, i) for i in ids] == [
        {"onMap": False, "drawn": 0, "checked": False, "legend": 0}
    ] * len(ids)
    assert group_state() == [False, False]
    layer_box(page, "coverage").check()  # one of two: the group box shows half-checked
    assert group_state() == [False, True]
    box.check()
    assert [layer_state(page, i)["onMap"] for i in ids] == [True, True]
    assert group_state() == [True, False]
    assert group_box(page, RU_GROUP).evaluate("b => [b.checked, b.indeterminate]") == [False, True]
    assert shown_layers(page) == ["us-sites", "coverage", "ru-links"]
    assert parse_fragment(page.evaluate("() => location.hash"))["layers"] == (
        "us-sites,coverage,ru-links"
    )
    assert_clean(open_map, page)


def test_legend_leaves_every_layer_checkbox_reachable_on_a_small_screen(
    open_map: MapOpener, tmp_path: Path
) -> None:
    atlas = crowded_atlas()
    page = open_map(_write(atlas, tmp_path), viewport=(1024, 640))
    assert not page.evaluate(OVERLAP_JS, [".dm-layers", ".dm-legend"])
    for layer in atlas.layers:
        box = layer_box(page, layer.id)
        box.scroll_into_view_if_needed()
        assert box.evaluate(PANEL_OVER_JS) is None, f"{layer.id}'s checkbox is covered"
    last = atlas.layers[-1].id
    layer_box(page, last).uncheck()
    assert layer_state(page, last)["onMap"] is False
    assert_clean(open_map, page)


# --------------------------------------------------------------------------------------------
# 3-5. Popups, escaping, uncertainty
# --------------------------------------------------------------------------------------------


def test_site_popup_shows_name_status_and_numbered_sources(open_map: MapOpener, html: Path) -> None:
    page = open_map(html)
    click_feature(page, "brdy")
    popup = open_popup(page)

    assert popup.locator("h3").inner_text() == "Brdy radar"
    assert popup.locator(".dm-meta").inner_text() == "radar · proposed · US sites (2007)"
    sources = popup.locator(".dm-sources ol > li")
    assert sources.count() == 2
    first = sources.nth(0)
    assert first.locator("a").inner_text() == TIMES.title
    assert first.locator("a").get_attribute("href") == TIMES.url
    assert first.locator("a").get_attribute("rel") == "noopener noreferrer"
    assert "— The Example Times, 2007-01-20" in first.inner_text()
    assert first.locator("blockquote").inner_text() == f"“{TIMES.quote}”"
    second = sources.nth(1)
    assert second.locator("a").count() == 0
    assert second.inner_text() == "Ministry memo <draft> — Ministry of Defence, 2007"
    # an ordered list: a reader sees the sources numbered 1, 2
    assert (
        popup.locator(".dm-sources ol").evaluate("o => getComputedStyle(o).listStyleType")
        == "decimal"
    )
    assert_clean(open_map, page)


def test_region_popup_opens_on_a_click_inside_the_shape(open_map: MapOpener, html: Path) -> None:
    page = open_map(html)
    click_map_at(page, 49.0, 23.0)
    popup = open_popup(page)

    assert popup.locator("h3").inner_text() == "Protected area"
    assert popup.locator(".dm-meta").inner_text() == "region · proposed · Coverage"
    link = popup.locator(".dm-sources ol > li a")
    assert link.inner_text() == "Coverage study"
    assert link.get_attribute("href") == REPORT.url
    assert_clean(open_map, page)


def test_popup_opens_clear_of_the_panels(open_map: MapOpener, html: Path) -> None:
    page = open_map(html)
    for feature_id in ("redzikowo", "brdy"):  # the northmost site opens near the title panel
        click_feature(page, feature_id)
        open_popup(page)
        page.wait_for_function(
            "() => !window.defenseMap.map._panAnim || !window.defenseMap.map._panAnim._inProgress"
        )
        for panel in (".dm-title", ".dm-layers", ".dm-legend", ".dm-timeline"):
            assert not page.evaluate(OVERLAP_JS, [".leaflet-popup-content-wrapper", panel]), panel
        page.locator(".leaflet-popup-close-button").click()
        page.locator(".leaflet-popup").wait_for(state="detached")
    assert_clean(open_map, page)


def test_markup_in_names_shows_as_text_and_never_runs(open_map: MapOpener, html: Path) -> None:
    page = open_map(html)
    marker = page.evaluate_handle(FEATURE_NODE_JS, "redzikowo").as_element()
    assert marker is not None
    marker.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text() == f"{EVIL} (uncertain)"
    marker.click()
    assert open_popup(page).locator("h3").inner_text() == EVIL

    assert layer_box(page, "ru-links").locator("xpath=..").inner_text() == EVIL_LAYER_TITLE
    assert page.locator('li[data-legend-layer="ru-links"]').inner_text() == EVIL_LAYER_TITLE
    assert page.locator(".dm-title .dm-title-text").evaluate("n => n.textContent") == TITLE
    assert page.locator("img:not(.leaflet-tile)").count() == 0
    assert page.locator("i, b").count() == 0
    assert_clean(open_map, page)


def test_uncertain_features_are_marked_in_popup_shape_and_legend(
    open_map: MapOpener, html: Path
) -> None:
    page = open_map(html)
    uncertain_key = page.locator(".dm-legend li", has_text="uncertain")
    assert uncertain_key.count() == 1

    click_feature(page, "redzikowo")
    assert open_popup(page).locator(".dm-uncertain").inner_text() == (
        "⚠ Uncertain: pad location never published"
    )
    region = page.evaluate_handle(FEATURE_NODE_JS, "coverage").as_element()
    assert region is not None
    assert region.get_attribute("stroke-dasharray") == "2 6"
    certain = page.evaluate_handle(FEATURE_NODE_JS, "data-link").as_element()
    assert certain is not None
    assert certain.get_attribute("stroke-dasharray") == "6 4"

    layer_box(page, "us-sites").uncheck()
    layer_box(page, "coverage").uncheck()
    assert uncertain_key.count() == 0, "the key stays although no uncertain feature is shown"
    assert_clean(open_map, page)


def test_timeline_dims_what_was_not_in_force(open_map: MapOpener, html: Path) -> None:
    page = open_map(html)
    page.locator('input[data-timeline="all"]').uncheck()
    slider = page.locator('input[data-timeline="year"]')
    slider.focus()
    page.keyboard.press("Home")  # the earliest year: 2007, before Brdy (2008) and ru-links (2011)
    assert page.locator(".dm-timeline .dm-when").inner_text() == "as of 2007"

    def opacity(fid: str) -> str:
        node = page.evaluate_handle(FEATURE_NODE_JS, fid).as_element()
        assert node is not None
        return node.evaluate("n => n.style.opacity || n.getAttribute('stroke-opacity')")

    assert [opacity("brdy"), opacity("redzikowo")] == ["0.2", "1"]
    assert float(opacity("data-link")) < 0.2
    page.locator('input[data-timeline="all"]').check()
    assert opacity("brdy") == "1"
    assert_clean(open_map, page)


# --------------------------------------------------------------------------------------------
# 6. Permalink
# --------------------------------------------------------------------------------------------


def parse_fragment(fragment: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in fragment.lstrip("#").split("&"))


def view_of(page: Page) -> tuple[float, float, float]:
    return tuple(page.evaluate(
        "() => { const m = window.defenseMap.map, c = m.getCenter();"
        " return [m.getZoom(), c.lat, c.lng]; }"
    ))  # fmt: skip


def drag_map(page: Page, dx: float, dy: float) -> None:
    """Pan by dragging the middle of the map with the mouse, and wait until the pan ends."""
    start = view_of(page)
    page.mouse.move(640, 420)
    page.mouse.down()
    page.mouse.move(640 + dx, 420 + dy, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "([z, lat, lon]) => { const h = location.hash.match(/map=([^&]+)/)[1].split('/');"
        " const c = window.defenseMap.map.getCenter();"
        " return Math.abs(h[1] - c.lat) < 1e-3 && Math.abs(h[2] - c.lng) < 1e-3"
        " && (Math.abs(c.lat - lat) > 0.5 || Math.abs(c.lng - lon) > 0.5); }",
        arg=list(start),
    )


def test_permalink_follows_layers_and_view_and_restores_them(
    open_map: MapOpener, html: Path
) -> None:
    page = open_map(html)
    layer_box(page, "coverage").uncheck()
    layer_box(page, "ranges").check()
    drag_map(page, -200, -120)

    fragment = page.evaluate("() => location.hash")
    parts = parse_fragment(fragment)
    assert parts["layers"] == "us-sites,ru-links,ranges"
    assert parts["base"] == "light"
    zoom, lat, lon = (float(v) for v in parts["map"].split("/"))
    assert math.isclose(zoom, view_of(page)[0])
    assert math.isclose(lat, view_of(page)[1], abs_tol=1e-4)
    assert math.isclose(lon, view_of(page)[2], abs_tol=1e-4)
    assert_clean(open_map, page)

    again = open_map(html, fragment.lstrip("#"))
    assert shown_layers(again) == ["us-sites", "ru-links", "ranges"]
    assert view_of(again) == pytest.approx((zoom, lat, lon), abs=1e-3)
    assert again.evaluate("() => location.hash") == fragment
    assert_clean(open_map, again)


def test_fragment_chooses_view_layers_and_base_map(open_map: MapOpener, html: Path) -> None:
    page = open_map(html, "map=6/50/20&layers=ru-links&base=osm")
    wait_for_tiles(page)

    assert view_of(page) == pytest.approx((6, 50, 20), abs=1e-3)
    assert shown_layers(page) == ["ru-links"]
    checked = page.locator("input[data-layer-id]:checked")
    assert [checked.nth(i).get_attribute("data-layer-id") for i in range(checked.count())] == [
        "ru-links"
    ]
    assert page.locator("li[data-legend-layer]").count() == 1
    assert page.locator('input[name^="dm-base"]:checked').get_attribute("value") == "osm"
    served = open_map.watch(page).served
    assert any("tile.openstreetmap.org" in u for u in served)
    assert not any("arcgisonline.com" in u for u in served)
    assert_clean(open_map, page)


def test_fragment_with_no_layers_shows_an_empty_legend(open_map: MapOpener, html: Path) -> None:
    page = open_map(html, "map=5/50/20&layers=&base=light")
    assert shown_layers(page) == []
    assert drawn_counts(page) == (0, 0)
    assert page.locator(".dm-legend").inner_text().endswith("No layer shown")
    assert_clean(open_map, page)


@pytest.mark.parametrize(
    "fragment",
    [
        "base=constructor&layers=toString,__proto__",
        "base=__proto__&layers=constructor,hasOwnProperty,valueOf",
        "map=5/50/20&base=toString&layers=__proto__",
        "base=%E0%A4%A&layers=valueOf",  # a malformed escape is ignored too
    ],
)
def test_fragment_naming_object_members_falls_back_to_the_default_base_map(
    open_map: MapOpener, html: Path, fragment: str
) -> None:
    """Names such as `constructor` or `__proto__` are no base map and no layer: the page opens
    on the default base map, shows no layer (the link names none that exists) and works."""
    page = open_map(html, fragment)
    wait_for_tiles(page)

    assert page.locator('input[name^="dm-base"]:checked').get_attribute("value") == "light"
    assert any("arcgisonline.com" in u for u in open_map.watch(page).served)
    assert shown_layers(page) == []
    assert drawn_counts(page) == (0, 0)
    assert page.locator("input[data-layer-id]:checked").count() == 0
    assert page.locator(".dm-legend").inner_text().endswith("No layer shown")
    parts = parse_fragment(page.evaluate("() => location.hash"))
    assert (parts["layers"], parts["base"]) == ("", "light")
    # the page was set up to the end: its controls answer
    assert page.locator(".dm-timeline input[data-timeline]").count() == 2
    layer_box(page, "coverage").check()
    assert layer_state(page, "coverage")["legend"] == 1
    assert parse_fragment(page.evaluate("() => location.hash"))["layers"] == "coverage"
    page.locator('input[name^="dm-base"][value="osm"]').check()
    assert parse_fragment(page.evaluate("() => location.hash"))["base"] == "osm"
    assert_clean(open_map, page)


# --------------------------------------------------------------------------------------------
# 7. Offline
# --------------------------------------------------------------------------------------------


TOPMOST_SOURCED_SITE_JS = """(ids) => {
  // a site marker of a shown layer, with sources, that a click in its middle would reach
  for (const id of ids) {
    let found = null;
    window.defenseMap.overlays[id].eachLayer((lyr) => {
      const icon = lyr._icon, p = lyr.feature.properties;
      if (found || !icon || !(p.sources || []).length) { return; }
      const r = icon.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (top && top.closest('.leaflet-marker-icon') === icon) { found = [id, lyr.feature.id]; }
    });
    if (found) { return found; }
  }
  return null;
}"""

DIMMED_JS = """(ids) => {
  // [layer id, feature id, at the dimmed values?, opacities] for every drawn shape and marker:
  // the timeline dims a marker to 0.2, a shape's stroke to 0.12 and its fill to 0.03
  const out = [];
  for (const id of ids) {
    const walk = (lyr) => {
      if (lyr.eachLayer) { lyr.eachLayer(walk); return; }
      const icon = lyr._icon, path = lyr._path;
      if (!(icon || path) || !(icon || path).isConnected) { return; }
      if (icon) { out.push([id, lyr.feature.id, icon.style.opacity === "0.2", icon.style.opacity]); return; }
      const stroke = path.getAttribute("stroke") !== "none", fill = path.getAttribute("fill") !== "none";
      const a = (name) => path.getAttribute(name);
      const dimmed = (stroke || fill) && (!stroke || a("stroke-opacity") === "0.12")
        && (!fill || a("fill-opacity") === "0.03");
      out.push([id, lyr.feature.id, dimmed, a("stroke-opacity") + "/" + a("fill-opacity")]);
    };
    window.defenseMap.overlays[id].eachLayer(walk);
  }
  return out;
}"""


def _year(value: Any) -> str | None:
    return str(value)[:4] if isinstance(value, str) and value else None


def _in_force(start: Any, end: Any, year: str) -> bool:
    """The page's rule: a thing is in force in `year` unless it starts later or ended before."""
    first, last = _year(start), _year(end)
    return not (first is not None and first > year) and not (last is not None and last < year)


def dimmed_features(layers: list[Layer], year: int) -> set[tuple[str, str]]:
    """Return the drawn features of `layers` that the timeline dims as of `year`."""
    out = set()
    for layer in layers:
        for fid, start, end, geom in zip(
            layer.features["id"], layer.features["date_from"], layer.features["date_to"],
            layer.features.geometry,
        ):  # fmt: skip
            if not _leaf_geometries(geom):
                continue
            if not (_in_force(layer.period_from, layer.period_to, str(year))
                    and _in_force(start, end, str(year))):  # fmt: skip
                out.add((layer.id, fid))
    return out


def hash_parts(page: Page) -> dict[str, str]:
    return parse_fragment(page.evaluate("() => location.hash"))


def test_offline_page_works_with_the_network_blocked(
    open_map: MapOpener, any_atlas: Atlas, tmp_path: Path
) -> None:
    """With every request refused, each control of the offline page still does its work."""
    page = open_map(_write(any_atlas, tmp_path, offline=True), offline=True)
    shown = [layer for layer in any_atlas.layers if layer.visible]
    assert drawn_counts(page) == expected_counts(shown)

    # the vector base map: its only radio button is chosen and its land is drawn
    assert page.locator('input[name^="dm-base"]').count() == 1
    assert page.locator('input[name^="dm-base"]:checked').get_attribute("value") == "vector"
    land = page.locator(f'.leaflet-dm-basemap-pane path[fill="{page_look()["basemap"]["land"]}"]')
    assert land.count() > 0, "the offline base map drew no land"
    assert page.locator(".leaflet-dm-basemap-pane path").count() > land.count()  # sea, borders
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()

    # a popup opens and lists the feature's sources
    found = page.evaluate(TOPMOST_SOURCED_SITE_JS, [layer.id for layer in shown])
    assert found is not None, "no shown site with sources can be clicked"
    layer_id, feature_id = found
    layer = next(layer for layer in shown if layer.id == layer_id)
    row = layer.features[layer.features["id"] == feature_id].iloc[0]
    titles = {source.id: source.title for source in layer.sources}
    expected = [titles[s] for s in row["sources"] if s in titles]
    assert expected, f"{feature_id} names no source its layer lists"
    click_feature(page, feature_id)
    popup = open_popup(page)
    assert popup.locator("h3").inner_text() == row["name"]
    sources = popup.locator(".dm-sources ol > li")
    assert [sources.nth(i).locator("a, span").first.inner_text()
            for i in range(sources.count())] == expected  # fmt: skip
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")

    # a layer goes off and on with its legend entry, and the permalink follows
    first = shown[0]
    total = drawn_counts(page)
    _assert_shown(page, first, total=total)
    layer_box(page, first.id).uncheck()
    _assert_hidden(page, first, total=total)
    assert hash_parts(page)["layers"] == ",".join(layer.id for layer in shown[1:])
    layer_box(page, first.id).check()
    _assert_shown(page, first, total=total)
    assert hash_parts(page)["layers"] == ",".join(layer.id for layer in shown)

    # a group's checkbox hides and shows all its layers
    members = [layer for layer in any_atlas.layers if layer.group == first.group]
    group = group_box(page, first.group)
    group.check()  # from half-checked if one of its layers starts hidden
    assert [layer_state(page, m.id)["legend"] for m in members] == [1] * len(members)
    group.uncheck()
    assert [layer_state(page, m.id) for m in members] == [
        {"onMap": False, "drawn": 0, "checked": False, "legend": 0}
    ] * len(members)
    assert hash_parts(page)["layers"] == ",".join(
        layer.id for layer in shown if layer.group != first.group
    )
    group.check()
    assert [layer_state(page, m.id)["legend"] for m in members] == [1] * len(members)
    for member in members:  # back to the layers shown at start
        layer_box(page, member.id).set_checked(member.visible)
    assert shown_layers(page) == [layer.id for layer in shown]
    assert drawn_counts(page) == expected_counts(shown)

    # the timeline dims what was not in force, and "show all dates" restores it
    slider = page.locator('input[data-timeline="year"]')
    low, high = int(slider.get_attribute("min") or 0), int(slider.get_attribute("max") or 0)
    year = max(range(low, high + 1), key=lambda y: (len(dimmed_features(shown, y)), -y))
    want = dimmed_features(shown, year)
    assert want, "no feature shown at start is dated: the timeline would dim nothing"
    undimmed = page.evaluate(DIMMED_JS, [layer.id for layer in shown])
    page.locator('input[data-timeline="all"]').uncheck()
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(year - low):
        page.keyboard.press("ArrowRight")
    assert page.locator(".dm-timeline .dm-when").inner_text() == f"as of {year}"
    drawn = page.evaluate(DIMMED_JS, [layer.id for layer in shown])
    assert [d[:2] for d in drawn] == [d[:2] for d in undimmed]
    # (a faint fill may already sit at the dimmed value: its feature's outline still changes)
    changed = {(d[0], d[1]) for d, before in zip(drawn, undimmed) if d[3] != before[3]}
    assert changed == want
    assert [d for d in drawn if (d[0], d[1]) in want and not d[2]] == [], "dimmed only in part"
    page.locator('input[data-timeline="all"]').check()
    assert page.locator(".dm-timeline .dm-when").inner_text() == "all dates"
    assert slider.is_disabled()
    assert page.evaluate(DIMMED_JS, [layer.id for layer in shown]) == undimmed

    # the panels fold away and back
    for panel, label in ((".dm-layers", "Layers and base map"), (".dm-legend", "Legend")):
        button = page.locator(f"{panel} > button.dm-toggle")
        assert button.text_content() == label
        button.click()
        assert page.locator(f"{panel}.dm-folded").count() == 1
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        assert page.locator(f"{panel}.dm-folded").count() == 0
        assert button.get_attribute("aria-expanded") == "true"

    # sea names are there, and show as the zoom buttons bring the map closer
    labels = page.locator(".leaflet-dm-basemap-labels-pane .dm-sea-label")
    assert labels.count() > 0
    assert all(text.strip() for text in labels.all_text_contents())
    while view_of(page)[0] < 4:
        before = view_of(page)[0]
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_function(
            "z => { const m = window.defenseMap.map; return m.getZoom() > z && !m._animatingZoom; }",
            arg=before,
        )
    assert page.locator(".leaflet-dm-basemap-labels-pane").evaluate("n => n.style.display") == ""
    assert labels.locator("span").filter(visible=True).count() > 0  # others wait (test_look)
    page.wait_for_function(
        "z => location.hash.includes('map=' + String(+z.toFixed(2)) + '/')", arg=view_of(page)[0]
    )

    watch = open_map.watch(page)
    assert watch.network() == [], "the offline page tried to reach the network"
    assert watch.served == []
    assert_clean(open_map, page)


# --------------------------------------------------------------------------------------------
# 9. Screenshot
# --------------------------------------------------------------------------------------------


def distinct_colours(png: bytes) -> int | None:
    """Count the colours of a PNG, or return None without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return None
    with Image.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours or ())


def test_screenshot_shows_a_drawn_map(open_map: MapOpener, html: Path, tmp_path: Path) -> None:
    page = open_map(html)
    wait_for_tiles(page)
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot))

    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 20_000
    colours = distinct_colours(data)
    assert colours is None or colours > 200
    assert_clean(open_map, page)
