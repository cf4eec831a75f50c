"""A map of 20,000 sites in a real headless Chromium: drawn on a canvas, and still usable.

Sites of big layers are drawn on one canvas instead of as 20,000 marker elements
(`geo.render.html.canvas_layers`), and travel as columns (`compact_features`). A reader must
not notice more than the speed: a click on a site opens its popup, a hover names it, the layer
panel switches the layer off and on, search finds a site, and nothing goes wrong on the way.
The figures (how fast) belong to `bench/bench_scale.py`, not here.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.atlas_types import FEATURE_COLUMNS, Atlas, Layer, Source, Style
from geo.render.html import DOM_SITE_BUDGET, render_html

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import MapOpener

pytestmark = pytest.mark.browser

ROLES = ("radar", "interceptors", "command", "launch", "naval", "city", "other")
SOURCE = Source(id="synthetic", title="Synthetic sites for the scale test")
#: A site with no other within a degree, so that a click there can only mean it.
LONE = {"id": "lone-radar", "name": "Lone Kürecik radar", "lat": 50.0, "lon": 60.0}
#: Opening a page this big takes longer than the tests' usual 5 s on a busy machine.
OPEN_TIMEOUT_MS = 120_000


def _site(fid: str, name: str, lon: float, lat: float, role: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS)
    row.update(id=fid, kind="site", name=name, role=role, status="proposed",
               precision="site", aliases=[], parameters={}, sources=["synthetic"],
               geometry=Point(lon, lat))  # fmt: skip
    return row


def _layer(layer_id: str, title: str, rows: list[dict[str, Any]], color: str) -> Layer:
    for row in rows:
        row["layer"] = layer_id
    frame = gpd.GeoDataFrame(rows, columns=[*FEATURE_COLUMNS, "geometry"], crs="EPSG:4326")
    return Layer(id=layer_id, title=title, group="Synthetic", features=frame,
                 sources=(SOURCE,), style=Style(color=color))  # fmt: skip


def scale_atlas(sites: int = 20_000) -> Atlas:
    """Two layers of `sites` / 2 sites each over Europe and Asia, one of them holding LONE,
    and a small layer of three sites (which keeps its markers)."""
    rng = random.Random(7)
    halves: list[list[dict[str, Any]]] = [[], []]
    while sum(map(len, halves)) < sites:
        lon, lat = round(rng.uniform(-10, 140), 5), round(rng.uniform(30, 70), 5)
        if abs(lon - LONE["lon"]) < 1.5 and abs(lat - LONE["lat"]) < 1.5:
            continue
        n = sum(map(len, halves))
        halves[n % 2].append(_site(f"s{n:05d}", f"Site {n}", lon, lat, rng.choice(ROLES)))
    halves[0].append(_site(LONE["id"], LONE["name"], LONE["lon"], LONE["lat"], "radar"))
    small = [_site(f"small-{i}", f"Small site {i}", 20.0 + i, 52.0, "radar") for i in range(3)]
    return Atlas(
        title="Twenty thousand sites",
        layers=(
            _layer("big-a", "Big layer A", halves[0], "#b03a2e"),
            _layer("big-b", "Big layer B", halves[1], "#1f618d"),
            _layer("small", "A few sites", small, "#117a65"),
        ),
    )


@pytest.fixture(scope="module")
def scale_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "map.html"
    path.write_text(render_html(scale_atlas()), encoding="utf-8")
    return path


def open_big(open_map: MapOpener, html: Path) -> Page:
    """Open `html` as `open_map` does, waiting longer for the map script to have run."""
    page = open_map.context.new_page()
    open_map.watch_new(page)
    page.goto(html.resolve().as_uri(), timeout=OPEN_TIMEOUT_MS)
    page.wait_for_function(
        "() => window.defenseMap !== undefined && !!document.querySelector('canvas.dm-sites')"
        " && document.querySelector('canvas.dm-sites').dataset.sites !== undefined",
        timeout=OPEN_TIMEOUT_MS,
    )
    return page


def lone_point(page: Page) -> tuple[float, float]:
    """Where Leaflet puts LONE on the screen (page coordinates)."""
    return page.evaluate(
        "([lat, lon]) => { const p = window.defenseMap.map.latLngToContainerPoint([lat, lon]);"
        " const r = window.defenseMap.map.getContainer().getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        [LONE["lat"], LONE["lon"]],
    )


def canvas_sites(page: Page) -> int:
    """How many sites the canvas holds in its area (drawn, or hidden under others)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return int(page.locator("canvas.dm-sites").get_attribute("data-sites") or 0)


def test_the_sites_of_big_layers_are_drawn_on_a_canvas_and_small_layers_keep_markers(
    open_map: MapOpener, scale_page: Path
) -> None:
    assert DOM_SITE_BUDGET < 10_000  # each big layer is over the budget
    page = open_big(open_map, scale_page)
    assert page.locator("canvas.dm-sites").count() == 1
    assert canvas_sites(page) > 1_000  # the view frames the sites: most are on the canvas
    drawn = int(page.locator("canvas.dm-sites").get_attribute("data-drawn") or 0)
    assert 0 < drawn <= canvas_sites(page)  # those under others are not drawn again
    # only the small layer's three sites are marker elements, each with its accessible name
    markers = page.locator(".leaflet-marker-pane .dm-marker")
    assert markers.count() == 3
    assert markers.first.get_attribute("aria-label") == "Small site 0, radar, A few sites"
    assert open_map.watch(page).errors == []


def test_a_click_on_a_canvas_site_opens_its_popup_and_a_hover_names_it(
    open_map: MapOpener, scale_page: Path
) -> None:
    page = open_big(open_map, scale_page)
    x, y = lone_point(page)
    page.mouse.move(x, y)
    tip = page.locator(".leaflet-dm-site-tip-pane .leaflet-tooltip")
    tip.wait_for(state="visible")
    assert tip.inner_text() == LONE["name"]
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup .dm-popup")
    popup.wait_for(state="visible")
    assert popup.locator("h3").inner_text() == LONE["name"]
    assert "Big layer A" in popup.locator(".dm-meta").inner_text()
    assert "Synthetic sites for the scale test" in popup.inner_text()
    assert popup.locator(".dm-also").count() == 0  # nothing else is there
    assert open_map.watch(page).errors == []


def test_the_layer_panel_switches_a_canvas_layer_off_and_on(
    open_map: MapOpener, scale_page: Path
) -> None:
    page = open_big(open_map, scale_page)
    both = canvas_sites(page)
    box = page.locator('input[data-layer-id="big-a"]')
    box.uncheck()
    assert page.locator('[data-legend-layer="big-a"]').count() == 0
    only_b = canvas_sites(page)
    assert 0 < only_b < both
    x, y = lone_point(page)
    page.mouse.click(x, y)  # its layer is off: nothing opens
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-popup").count() == 0
    box.check()
    assert page.locator('[data-legend-layer="big-a"]').count() == 1
    assert canvas_sites(page) == both
    page.mouse.click(x, y)
    page.locator(".leaflet-popup .dm-popup h3").wait_for(state="visible")
    assert page.locator(".leaflet-popup .dm-popup h3").inner_text() == LONE["name"]
    assert open_map.watch(page).errors == []


def test_search_finds_a_site_among_twenty_thousand_by_its_unaccented_name(
    open_map: MapOpener, scale_page: Path
) -> None:
    page = open_big(open_map, scale_page)
    page.locator('input[type="search"]').fill("kurecik")
    option = page.locator('[role="option"]')
    option.first.wait_for(state="visible")
    assert option.count() == 1
    assert option.first.get_attribute("data-result-feature") == LONE["id"]
    page.locator('input[type="search"]').press("Enter")
    popup = page.locator(".leaflet-popup .dm-popup h3")
    popup.wait_for(state="visible")
    assert popup.inner_text() == LONE["name"]
    assert open_map.watch(page).errors == []
