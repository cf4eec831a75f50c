"""The reader's tools in a real headless Chromium: compare, search, measure, timeline steps,
the keyboard, screen-reader names, the text version without JavaScript, small screens, and
axe-core's report on every page.

Each test acts as a reader would (typing, clicking, pressing keys) and reads what the page
shows, not our script's internals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import geo
from geo.compare import compare

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import MapOpener

pytestmark = pytest.mark.browser

WARSAW = (52.2297, 21.0122)  # lat, lon: Warsaw's centre (general knowledge)
IMPACTS = ("critical", "serious")


@pytest.fixture(scope="module")
def atlas() -> geo.Atlas:
    return geo.load(Path(__file__).resolve().parents[2] / "layers")


@pytest.fixture(scope="module")
def pages(atlas: geo.Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reader")
    pair = compare(atlas)
    out = {
        "online": atlas.save_html(folder / "map.html"),
        "offline": atlas.save_html(folder / "map-offline.html", offline=True),
        "compare": pair.save_html(folder / "compare.html"),
        "compare-offline": pair.save_html(folder / "compare-offline.html", offline=True),
    }
    return out


def _axe(page: Page) -> list[str]:
    """Return axe-core's critical and serious violations as 'rule: target' lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in results.response["violations"]
        if v["impact"] in IMPACTS
        for node in v["nodes"]
    ]


def _open_every_panel(page: Page) -> None:
    folded = page.locator(".dm-toggle[aria-expanded=false]:visible")
    for _ in range(10):  # the locator is live: each click leaves one fewer
        if not folded.count():
            return
        folded.first.click()


def _rect_union_share(page: Page, pane: str = ".dm-map") -> float:
    """The share of a map's area under its controls (they never overlap each other)."""
    return float(
        page.evaluate(
            """(sel) => { const map = document.querySelector(sel), m = map.getBoundingClientRect();
            let a = 0; map.querySelectorAll('.leaflet-control').forEach(c => {
              const r = c.getBoundingClientRect();
              const w = Math.min(r.right, m.right) - Math.max(r.left, m.left);
              const h = Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top);
              if (w > 0 && h > 0) a += w * h; });
            return a / (m.width * m.height); }""",
            pane,
        )
    )


# ---- accessibility: axe-core --------------------------------------------------------------


@pytest.mark.parametrize("name", ["online", "offline", "compare", "compare-offline"])
def test_axe_finds_no_critical_or_serious_problem(open_map: MapOpener, pages, name) -> None:
    page = open_map(pages[name], offline="offline" in name)
    assert _axe(page) == []
    assert open_map.watch(page).errors == []


def test_axe_finds_none_with_every_panel_popup_and_list_open(open_map: MapOpener, pages) -> None:
    page = open_map(pages["online"], viewport=(390, 844))  # panels start folded here
    _open_every_panel(page)
    assert page.locator(".dm-toggle[aria-expanded=false]:visible").count() == 0
    page.locator(".dm-search input").fill("ra")  # the results list open
    assert page.locator(".dm-results [role=option]").count() > 0
    assert _axe(page) == []
    page.keyboard.press("Enter")  # a popup open
    page.locator(".leaflet-popup .dm-popup").wait_for()
    assert _axe(page) == []
    page.locator(".dm-measure-toggle").click()  # measuring
    assert _axe(page) == []
    page.locator(".dm-open-list").click()  # the text version open over the map
    assert page.locator("#dm-text-version").is_visible()
    assert _axe(page) == []


def test_axe_finds_none_on_the_compare_page_with_every_panel_open(open_map: MapOpener, pages):
    page = open_map(pages["compare"])
    page.wait_for_function("() => (window.defenseMaps || []).length === 2")
    _open_every_panel(page)
    assert page.locator(".dm-toggle[aria-expanded=false]:visible").count() == 0
    assert _axe(page) == []


def test_markers_and_shapes_are_named_by_name_and_kind(open_map: MapOpener, pages, atlas) -> None:
    page = open_map(pages["online"])
    names = page.evaluate(
        """() => Array.from(document.querySelectorAll('.leaflet-marker-icon, path.leaflet-interactive'))
             .map(e => [e.tagName, e.getAttribute('aria-label'), e.getAttribute('role')])"""
    )
    assert names, "nothing drawn"
    shown = {
        str(row["name"]): str(row["kind"])
        for layer in atlas.layers
        if layer.visible
        for _, row in layer.features.iterrows()
    }
    labels = [label for _, label, _ in names]
    assert all(label for label in labels), names
    for feature_name in shown:
        assert any(label.startswith(feature_name + ", ") for label in labels), feature_name
    assert all(role == "button" for _, _, role in names)
    assert any(", radar, " in label for label in labels)
    assert any(", range, " in label for label in labels)


# ---- the keyboard ---------------------------------------------------------------------------


def test_tab_reaches_skip_link_then_panels_before_any_shape(open_map: MapOpener, pages) -> None:
    page = open_map(pages["online"])
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => { const e = document.activeElement;
                return [e.className.baseVal !== undefined ? 'shape' : e.className,
                        e.getAttribute('data-layer-id') || e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40),
                        e.getAttribute('data-timeline') ? 'timeline' : e.type || e.getAttribute('role') || e.tagName]; }"""
            )
        )
    assert "dm-skip" in stops[0][0]
    first_shape = next(
        i for i, s in enumerate(stops) if s[0] == "shape" or "leaflet-marker" in s[0]
    )
    kinds = [s[2] for s in stops[:first_shape]]
    assert "search" in kinds and "checkbox" in kinds and "timeline" in kinds
    layer_box = next(i for i, s in enumerate(stops) if s[2] == "checkbox" and s[1] and "-" in s[1])
    assert layer_box < 25, stops[: layer_box + 1]


def test_tab_to_a_layer_and_toggle_it_with_space(open_map: MapOpener, pages) -> None:
    page = open_map(pages["online"])
    target = "phased-adaptive-approach-2009"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('data-layer-id')") == target:
            break
    else:
        pytest.fail("Tab never reached the layer's checkbox")
    assert page.evaluate(f"() => !!window.defenseMap.visible['{target}']") is False
    page.keyboard.press("Space")
    assert page.evaluate(f"() => !!window.defenseMap.visible['{target}']") is True
    assert page.locator(f"[data-legend-layer='{target}']").count() == 1
    assert f"{target}" in page.evaluate("() => location.hash")
    page.keyboard.press("Space")
    assert page.locator(f"[data-legend-layer='{target}']").count() == 0


def test_enter_on_a_focused_shape_opens_its_popup(open_map: MapOpener, pages) -> None:
    page = open_map(pages["online"])
    shape = page.locator("path.leaflet-interactive[aria-label^='Brdy X-band radar']").first
    shape.focus()
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup h3").inner_text().startswith("Brdy X-band radar")


# ---- search ---------------------------------------------------------------------------------


def _search(page: Page, text: str) -> list[str]:
    box = page.locator(".dm-search input")
    box.fill("")
    box.type(text)
    return page.locator(".dm-results [role=option] .dm-result-name").all_inner_texts()


def test_search_redzikowo_then_enter_opens_its_popup_with_sources(
    open_map: MapOpener, pages
) -> None:
    page = open_map(pages["online"])
    names = _search(page, "Redzikowo")
    assert "Redzikowo" in names[0] and "Redzikowo" in names[1], names  # names before ids
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup .dm-popup")
    popup.wait_for()
    assert "Redzikowo" in popup.locator("h3").inner_text()
    assert popup.locator(".dm-sources li").count() >= 1
    assert page.locator(".dm-results").is_hidden()


@pytest.mark.parametrize(
    ("typed", "found", "layer"),
    [
        ("Kurecik", "Kürecik", "phased-adaptive-approach-2009"),
        ("qabala", "Gabala", "putin-counter-offer-2007"),
        ("SLUPSK", None, None),
        ("brdy-radar", "Brdy", "us-third-site-2007"),
    ],
)
def test_search_ignores_case_accents_and_finds_aliases_and_ids(
    open_map: MapOpener, pages, atlas, typed, found, layer
) -> None:
    page = open_map(pages["online"])
    names = _search(page, typed)
    if found is None:  # no feature is called so: the list says so
        slupsk = [
            r["name"] for _, r in atlas.features.iterrows() if "słupsk" in str(r["name"]).lower()
        ]
        assert bool(names) == bool(slupsk)
        return
    assert names and found in names[0], names
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup h3").wait_for()
    assert found in page.locator(".leaflet-popup h3").inner_text()
    assert page.evaluate(f"() => !!window.defenseMap.visible['{layer}']") is True  # switched on


def test_search_is_operated_with_arrows_enter_and_escape(open_map: MapOpener, pages) -> None:
    page = open_map(pages["online"])
    names = _search(page, "radar")
    assert len(names) >= 2
    box = page.locator(".dm-search input")
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    second = page.locator(f"#{active} .dm-result-name").inner_text()
    assert second == names[1]
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator(".dm-results").is_hidden()
    page.keyboard.press("ArrowDown")  # opens again, on the first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup h3").inner_text() == second


# ---- measure --------------------------------------------------------------------------------


def test_measure_tehran_to_warsaw_agrees_with_pyproj(open_map: MapOpener, pages, atlas) -> None:
    from pyproj import Geod

    page = open_map(pages["online"], "map=4/45/35&layers=iran-threat")
    page.locator(".dm-measure-toggle").click()
    assert page.locator(".dm-measure-toggle").get_attribute("aria-pressed") == "true"
    tehran = atlas.layer("iran-threat").features.set_index("id").geometry["tehran"]

    def point_of(lat: float, lon: float) -> dict[str, float]:
        return page.evaluate(
            """([lat, lon]) => { const p = window.defenseMap.map.latLngToContainerPoint([lat, lon]);
            const r = window.defenseMap.map.getContainer().getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y}; }""",
            [lat, lon],
        )

    start = point_of(tehran.y, tehran.x)
    page.mouse.click(start["x"] + 3, start["y"] + 2)  # near the marker: it takes the site
    end = point_of(*WARSAW)
    page.mouse.click(end["x"], end["y"])
    result = page.locator(".dm-measure-result")
    text = result.inner_text()
    assert text.startswith("Tehran – ") and " km (" in text and "nmi)" in text
    clicked = page.evaluate(
        """([x, y]) => { const m = window.defenseMap.map, r = m.getContainer().getBoundingClientRect();
        const ll = m.containerPointToLatLng([x - r.left, y - r.top]); return [ll.lat, ll.lng]; }""",
        [end["x"], end["y"]],
    )
    _, _, metres = Geod(ellps="WGS84").inv(tehran.x, tehran.y, clicked[1], clicked[0])
    shown = float(result.get_attribute("data-metres") or "nan")
    assert abs(shown - metres) / metres < 0.005
    km = float(text.split(": ")[-1].split(" km")[0].replace(",", ""))
    assert abs(km * 1000 - metres) / metres < 0.005
    nmi = float(text.split("(")[-1].split(" nmi")[0].replace(",", ""))
    assert abs(nmi * 1852 - metres) / metres < 0.005
    assert page.locator("path.dm-measure-line").count() == 1
    page.keyboard.press("Escape")


def test_measure_between_two_features_from_their_popups(open_map: MapOpener, pages) -> None:
    from pyproj import Geod

    page = open_map(pages["online"])
    _search(page, "Gabala")
    page.locator(".dm-results [data-result-feature=gabala-radar]").click()
    page.locator(".dm-measure-from").click()
    _search(page, "Armavir")
    page.locator(".dm-results [data-result-feature=armavir-radar]").click()
    # Gabala's popup fades out for a moment after Armavir's opens
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 1")
    button = page.locator(".leaflet-popup .dm-measure-from")
    assert button.inner_text() == "Measure to here"
    button.click()
    text = page.locator(".dm-measure-result").inner_text()
    assert "Gabala" in text and "Armavir" in text
    ends = page.evaluate(
        """() => ['gabala-radar', 'armavir-radar'].map(id => {
             const f = window.defenseMap.overlays['putin-counter-offer-2007'].toGeoJSON().features
               .find(x => x.properties.id === id); return f.geometry.coordinates; })"""
    )
    _, _, metres = Geod(ellps="WGS84").inv(*ends[0], *ends[1])
    shown = float(page.locator(".dm-measure-result").get_attribute("data-metres") or "nan")
    assert abs(shown - metres) < 1.0  # the same ellipsoid: to the metre


# ---- timeline -------------------------------------------------------------------------------


def _in_force_2009(atlas: geo.Atlas) -> int:
    def overlaps(start: Any, end: Any) -> bool:
        first = str(start)[:4] if isinstance(start, str) else "0000"
        last = str(end)[:4] if isinstance(end, str) else "9999"
        return first <= "2009" <= last

    count = 0
    for layer in atlas.layers:
        if not layer.visible or not overlaps(layer.period_from, layer.period_to):
            continue
        for start, end in zip(layer.features["date_from"], layer.features["date_to"]):
            count += overlaps(start, end)
    return count


def test_step_the_timeline_to_2009_and_count_what_is_in_force(open_map: MapOpener, pages, atlas):
    page = open_map(pages["online"])
    page.locator("[data-timeline=all]").uncheck()
    slider = page.locator("[data-timeline=year]")
    slider.focus()
    page.keyboard.press("Home")
    start = int(slider.input_value())
    for _ in range(2009 - start):
        page.keyboard.press("ArrowRight")
    assert slider.input_value() == "2009"
    assert page.locator("[data-timeline=when]").inner_text() == "as of 2009"
    shown = page.evaluate(
        """() => { const seen = new Set();
        document.querySelectorAll('.leaflet-marker-icon, path.leaflet-interactive').forEach(e => {
          if (!e.classList.contains('dm-faded')) seen.add(e.getAttribute('aria-label')); });
        return seen.size; }"""
    )
    assert shown == _in_force_2009(atlas)
    faded = page.locator("[aria-label$='(not in force on the chosen date)']").count()
    assert faded > 0
    assert "date=2009" in page.evaluate("() => location.hash")


def test_next_and_previous_step_through_named_events(open_map: MapOpener, pages, atlas) -> None:
    events = sorted(
        ((e.date + "-01-01")[:10], e.name) for layer in atlas.layers for e in layer.events
    )
    assert ("2007-01-01", "Third Site announced") in events
    page = open_map(pages["online"])
    when = page.locator("[data-timeline=when]")
    page.locator("[data-timeline=next]").click()
    assert when.inner_text() == "as of Jan 2007: Third Site announced"
    assert events[0][1] == "Third Site announced"
    for _date, name in events[1:4]:
        page.locator("[data-timeline=next]").click()
        assert when.inner_text().endswith(": " + name)
    page.locator("[data-timeline=previous]").click()
    assert when.inner_text().endswith(": " + events[2][1])
    fragment = page.evaluate("() => location.hash")
    assert "date=" in fragment
    again = open_map(pages["online"], fragment.lstrip("#"))  # the link keeps the event
    assert again.locator("[data-timeline=when]").inner_text() == when.inner_text()
    cancelled = next(name for day, name in events if day == "2009-09-17")
    assert "Phased Adaptive Approach" in cancelled


# ---- compare --------------------------------------------------------------------------------


def test_compare_two_proposals_and_pan_one_pane(open_map: MapOpener, pages, atlas) -> None:
    page = open_map(pages["compare"])
    page.wait_for_function("() => (window.defenseMaps || []).length === 2")
    titles = page.locator(".dm-title-text").all_inner_texts()
    assert titles == [
        atlas.layer("nato-two-systems-2011").title,
        atlas.layer("russia-sectoral-2011").title,
    ]
    left = page.locator(".dm-pane-left .dm-legend [data-legend-layer]").evaluate_all(
        "els => els.map(e => e.dataset.legendLayer)"
    )
    right = page.locator(".dm-pane-right .dm-legend [data-legend-layer]").evaluate_all(
        "els => els.map(e => e.dataset.legendLayer)"
    )
    assert "nato-two-systems-2011" in left and "russia-sectoral-2011" not in left
    assert "russia-sectoral-2011" in right and "nato-two-systems-2011" not in right

    def centres() -> list[list[float]]:
        """Each pane's centre in pixels of the world at its zoom, and the zoom."""
        return page.evaluate(
            """() => window.defenseMaps.map(a => { const p = a.map.project(a.map.getCenter());
               return [p.x, p.y, a.map.getZoom()]; })"""
        )

    def together(view: list[list[float]]) -> bool:  # within a pixel: the same view
        return all(abs(a - b) <= 1.0 for a, b in zip(view[0], view[1]))

    before = centres()
    assert together(before), before
    box = page.locator(".dm-pane-left").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    after = centres()
    assert abs(after[0][0] - before[0][0]) > 50  # the left pane moved...
    assert together(after), after  # ...and the right one with it
    fragment = page.evaluate("() => location.hash")
    assert "left-layers=" in fragment and "right-layers=" in fragment
    # the link holds both sides: switch a layer on in the right pane only, then reopen
    page.evaluate("() => window.defenseMaps[1].setVisible('iran-threat', false)")
    page.evaluate("() => window.defenseMaps[0].setVisible('russian-radars-context', true)")
    fragment = page.evaluate("() => location.hash")
    again = open_map(pages["compare"], fragment.lstrip("#"))
    again.wait_for_function("() => (window.defenseMaps || []).length === 2")
    visible = again.evaluate("() => window.defenseMaps.map(a => Object.assign({}, a.visible))")
    assert visible[0]["russian-radars-context"] is True
    assert visible[1]["iran-threat"] is False
    assert visible[1].get("russian-radars-context") is False
    view = again.evaluate(
        """() => window.defenseMaps.map(a => { const p = a.map.project(a.map.getCenter());
           return [p.x, p.y, a.map.getZoom()]; })"""
    )
    assert together(view), view
    assert view[0] == pytest.approx(after[0], abs=2.0)  # the link's view


def test_compare_offline_needs_no_network(open_map: MapOpener, pages) -> None:
    page = open_map(pages["compare-offline"], offline=True)
    page.wait_for_function("() => (window.defenseMaps || []).length === 2")
    assert page.locator(".dm-pane-left path.leaflet-interactive").count() > 0
    assert page.locator(".dm-pane-right path.leaflet-interactive").count() > 0
    assert open_map.watch(page).network() == []


# ---- without JavaScript ---------------------------------------------------------------------


def test_with_javascript_off_the_text_version_lists_layers_features_sources(
    browser, pages, atlas
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.abort() if route.request.url.startswith("http") else route.continue_()
            ),
        )
        page.goto(pages["online"].resolve().as_uri())
        text = page.locator("body").inner_text()
        assert "needs JavaScript" in text
        section = page.locator("#dm-text-version")
        assert section.is_visible()
        for layer in atlas.layers:
            assert layer.title in text
            for name in layer.features["name"]:
                assert str(name) in text
        sources = page.locator("#dm-text-version ol > li")
        assert sources.count() >= 20
        first = page.locator(
            "#dm-text-version [data-list-feature] a[href^='#dm-text-version-src-']"
        ).first
        target = first.get_attribute("href")
        assert target and page.locator(target).count() == 1
    finally:
        context.close()


def test_the_text_version_opens_over_the_map_and_closes(open_map: MapOpener, pages) -> None:
    page = open_map(pages["online"])
    section = page.locator("#dm-text-version")
    assert section.is_hidden()
    page.locator(".dm-open-list").click()
    assert section.is_visible()
    assert page.evaluate("() => document.activeElement.className") == "dm-list-close"
    page.keyboard.press("Escape")
    assert section.is_hidden()
    assert page.evaluate("() => document.activeElement.className") == "dm-open-list"


# ---- small screens and iframes --------------------------------------------------------------


@pytest.mark.parametrize("size", [(390, 844), (900, 560)])
def test_a_small_map_keeps_most_of_its_area_and_panels_open_and_close(
    open_map: MapOpener, pages, size
) -> None:
    page = open_map(pages["online"], viewport=size)
    assert _rect_union_share(page) <= 0.4
    folded = page.locator(".dm-toggle[aria-expanded=false]")
    assert folded.count() >= 1
    toggle = page.locator(".dm-toggle").nth(
        page.evaluate(
            "() => Array.from(document.querySelectorAll('.dm-toggle')).findIndex(b => b.getAttribute('aria-expanded') === 'false')"
        )
    )
    panel_class = toggle.evaluate("b => b.parentElement.className")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.keyboard.press("Escape")  # Escape inside an opened panel folds it again
    assert toggle.get_attribute("aria-expanded") == "false", panel_class


def test_in_a_900_by_560_iframe_the_map_keeps_most_of_its_area(
    open_map: MapOpener, pages, tmp_path
) -> None:
    report = tmp_path / "report.html"
    report.write_text(
        '<!doctype html><html lang="en"><title>Report</title><body style="margin:0">'
        f'<iframe src="{pages["online"].resolve().as_uri()}" width="900" height="560" '
        'title="Map" style="border:0"></iframe></body></html>',
        encoding="utf-8",
    )
    page = open_map.context.new_page()
    open_map.watch_new(page)
    page.goto(report.resolve().as_uri())
    frame = page.frame_locator("iframe")
    frame.locator(".leaflet-control").first.wait_for()
    inner = next(f for f in page.frames if "/map.html" in f.url)
    inner.wait_for_function("() => window.defenseMap !== undefined")
    share = inner.evaluate(
        """() => { const map = document.querySelector('.dm-map'), m = map.getBoundingClientRect();
        let a = 0; map.querySelectorAll('.leaflet-control').forEach(c => { const r = c.getBoundingClientRect();
          const w = Math.min(r.right, m.right) - Math.max(r.left, m.left), h = Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top);
          if (w > 0 && h > 0) a += w * h; }); return a / (m.width * m.height); }"""
    )
    assert share <= 0.4


def test_a_link_with_any_view_opens_a_working_map(open_map: MapOpener, pages) -> None:
    for fragment in ("map=1e300/50/20", "map=5/900/20", "map=NaN/x/y&layers=%zz", "date=99999"):
        page = open_map(pages["online"], fragment)
        assert open_map.watch(page).errors == []
        page.locator("[data-timeline=next]").click()
        assert page.locator("[data-timeline=when]").inner_text().startswith("as of ")
        page.close()
