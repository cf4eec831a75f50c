"""The folium map in a real browser: a user's plugins and markers on it, offline, CDN trouble."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import pytest
from browser_support import CDN_HEADERS, MISSING_PLUGINS, PLUGIN_ASSETS, PLUGIN_CDNS
from folium import plugins
from pyproj import Geod

import geo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
LAYERS = REPO / "layers"
WARSAW = (52.2297, 21.0122)

#: For a control: is it shown, and is the point at its centre its own (not under our panels)?
ON_TOP_JS = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) { return "missing"; }
  const r = el.getBoundingClientRect();
  if (r.width < 4 || r.height < 4) { return "not shown"; }
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return el.contains(hit) ? "ok" : "covered by " + (hit ? hit.className : "nothing");
}"""


@pytest.fixture(scope="module")
def atlas() -> geo.Atlas:
    return geo.load(LAYERS)


def _need_plugins(missing_browser) -> None:
    if not all((PLUGIN_ASSETS / package / "package").is_dir() for package in PLUGIN_CDNS.values()):
        missing_browser(MISSING_PLUGINS)


def _user_map(atlas: geo.Atlas, path: Path) -> Path:
    m = atlas.to_folium()
    # The measure tool opens a tall menu downwards: top left, it has the height of the map to
    # open into (top right, the minimap would sit under its menu: a clash of the two plugins).
    plugins.MeasureControl(position="topleft", primary_length_unit="kilometers").add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.MiniMap(toggle_display=True).add_to(m)  # bottom right, beside our legend
    folium.Marker(WARSAW, tooltip="Warsaw (my marker)").add_to(m)
    m.save(str(path))
    return path


def test_plugins_and_a_marker_appear_work_and_are_not_hidden(
    atlas, open_map, tmp_path, missing_browser
):
    _need_plugins(missing_browser)
    page = open_map(_user_map(atlas, tmp_path / "mine.html"))
    page.wait_for_selector(".leaflet-control-minimap .leaflet-tile-loaded")
    for selector in (
        ".leaflet-control-measure",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-minimap",
        ".leaflet-marker-icon:not(.dm-marker)",
        ".dm-layers",
        ".dm-legend",
    ):
        assert page.evaluate(ON_TOP_JS, selector) == "ok", selector
    # the user's marker: its default image loaded, its tooltip shows on hover
    icon = page.locator(".leaflet-marker-icon:not(.dm-marker)")
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")
    icon.hover()
    assert "Warsaw (my marker)" in page.locator(".leaflet-tooltip").inner_text()
    _measures_a_distance(page)
    _goes_fullscreen(page)
    _minimap_follows(page)
    # our own controls still work beside them
    page.locator("[data-layer-id='nato-two-systems-2011']").check()
    assert page.locator("[data-legend-layer='nato-two-systems-2011']").count() == 1
    assert open_map.watch(page).errors == []
    assert open_map.watch(page).blocked == []


def _measures_a_distance(page: Page) -> None:
    page.locator(".leaflet-control-measure").hover()  # it opens on hover
    page.locator(".leaflet-control-measure .js-start").click()
    box = page.locator(".dm-map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5
    page.mouse.click(x, y)
    page.mouse.click(x + 120, y)
    page.locator(".leaflet-control-measure .js-finish").click()
    text = page.locator(".leaflet-popup-content").last.inner_text()
    match = re.search(r"([\d,.]+) Kilometers", text)
    assert match, text
    ends = page.evaluate(
        "([a, b]) => [a, b].map(p => window.defenseMap.map.containerPointToLatLng(p))",
        [[x - box["x"], y - box["y"]], [x + 120 - box["x"], y - box["y"]]],
    )
    _, _, metres = Geod(ellps="WGS84").inv(
        ends[0]["lng"], ends[0]["lat"], ends[1]["lng"], ends[1]["lat"]
    )
    assert float(match.group(1).replace(",", "")) == pytest.approx(metres / 1000, rel=0.01)


def _goes_fullscreen(page: Page) -> None:
    page.locator(".leaflet-control-zoom-fullscreen").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    page.evaluate("() => document.exitFullscreen()")
    page.wait_for_function("() => document.fullscreenElement === null")


def _minimap_follows(page: Page) -> None:
    before = page.evaluate("() => document.querySelector('.leaflet-control-minimap').innerHTML")
    page.evaluate("() => window.defenseMap.map.panBy([300, 0], {animate: false})")
    page.wait_for_timeout(300)
    after = page.evaluate("() => document.querySelector('.leaflet-control-minimap').innerHTML")
    assert before != after


def test_layers_reach_a_folium_layer_control_and_our_panel_follows(atlas, open_map, tmp_path):
    m = atlas.to_folium()
    folium.LayerControl(collapsed=False, position="topleft").add_to(m)
    m.save(str(tmp_path / "lc.html"))
    page = open_map(tmp_path / "lc.html")
    folium_box = page.locator(".leaflet-control-layers-overlays label", has_text="iran-threat")
    folium_box.locator("input").uncheck()
    assert not page.locator("[data-layer-id='iran-threat']").is_checked()
    assert page.locator("[data-legend-layer='iran-threat']").count() == 0
    assert "iran-threat" not in page.evaluate("() => location.hash")
    assert open_map.watch(page).errors == []


def test_offline_page_with_user_elements_needs_no_network(atlas, open_map, tmp_path):
    m = atlas.to_folium(offline=True)
    plugins.MiniMap().add_to(m)
    folium.Marker(WARSAW, tooltip="Warsaw").add_to(m)
    with pytest.warns(geo.OfflineAssetWarning, match="MiniMap"):
        m.save(str(tmp_path / "offline.html"))
    page = open_map(tmp_path / "offline.html", offline=True)
    icon = page.locator(".leaflet-marker-icon:not(.dm-marker)")
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")  # inlined image
    assert page.locator(".leaflet-control-minimap").count() == 0
    watch = open_map.watch(page)
    assert watch.network() == [] and watch.errors == []


def _bare_page(browser: Browser, html: Path, handler) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.route("**/*", handler)
    page.goto(html.resolve().as_uri())
    return page


def test_a_cdn_that_cannot_be_reached_gives_a_readable_message(atlas, browser, tmp_path):
    html = atlas.save_html(tmp_path / "map.html")

    def no_network(route, request):
        if request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    page = _bare_page(browser, html, no_network)
    message = page.locator(".dm-no-leaflet")
    message.wait_for()
    assert "could not be loaded" in message.inner_text()
    assert "offline" in message.inner_text()
    assert message.get_attribute("role") == "alert"
    page.context.close()


def test_a_changed_cdn_file_is_refused_by_its_integrity_hash(atlas, browser, tmp_path):
    from geo.render.assets import CDN_BASE, leaflet_file

    html = atlas.save_html(tmp_path / "map.html")
    tampered = leaflet_file("leaflet.js") + b"\n/* changed */\n"

    def serve(route, request):
        if request.url.startswith("file:"):
            route.continue_()
        elif request.url == f"{CDN_BASE}/leaflet.js":
            route.fulfill(status=200, body=tampered, headers=CDN_HEADERS,
                          content_type="application/javascript")  # fmt: skip
        elif request.url == f"{CDN_BASE}/leaflet.css":
            route.fulfill(status=200, body=leaflet_file("leaflet.css"), headers=CDN_HEADERS,
                          content_type="text/css")  # fmt: skip
        else:
            route.abort("blockedbyclient")

    page = _bare_page(browser, html, serve)
    page.locator(".dm-no-leaflet").wait_for()
    assert page.evaluate("() => typeof window.L") == "undefined"
    page.context.close()


def test_the_same_page_passes_integrity_with_the_packaged_files(atlas, open_map, tmp_path):
    page = open_map(atlas.save_html(tmp_path / "map.html"))
    assert page.evaluate("() => typeof window.L") == "object"
    assert page.locator(".dm-no-leaflet").count() == 0
    assert open_map.watch(page).errors == []
