"""The map as it is used outside its own tab: embedded in a report page, and printed.

Reuses the hand-built atlas and the page helpers of test_map_browser.py, and the `open_map`
fixture of conftest.py (network cut off, Leaflet and tiles served from local files, console
errors of the page and of its frames recorded).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_map_browser import (
    _write,
    assert_clean,
    drawn_counts,
    expected_counts,
    hand_atlas,
    parse_fragment,
    shown_layers,
    view_of,
    wait_for_tiles,
)

from geo.render.embed import iframe_snippet

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

    from .conftest import MapOpener

pytestmark = pytest.mark.browser

WIDE = (1200, 900)
NARROW = (800, 900)
#: The share of the report's width given to the map's column, and the snippet's aspect ratio.
COLUMN = 0.6
ASPECT = 16 / 10
#: The snippet's `min-height`: a map in a narrow column keeps room for its panels.
MIN_HEIGHT = 320
MAP_TITLE = "Missile defence in Central Europe, 2007–2012"

REPORT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Report</title>
<style>body {{ margin: 0; font: 16px/1.5 Georgia, serif; }} p {{ margin: 0 0 12px; }}</style>
</head>
<body>
<h1>Missile defence in Europe</h1>
<p>In 2007 the United States proposed a radar in the Czech Republic and interceptors in Poland.</p>
<p>Russia answered with an offer of its own radar in Azerbaijan; the map shows both plans.</p>
<div style="width: {column:.0%}">{snippet}</div>
<p>Click a shape on the map for its sources.</p>
</body>
</html>
"""

MAP_SIZE_JS = """() => {
  const map = window.defenseMap.map, box = map.getContainer(), size = map.getSize();
  return {
    container: [box.clientWidth, box.clientHeight],
    leaflet: [size.x, size.y],
    frame: [window.innerWidth, window.innerHeight],
  };
}"""

#: True once the frame is `width` wide and Leaflet has taken in its new size.
MAP_FOLLOWED_JS = """(width) => {
  const map = window.defenseMap.map, box = map.getContainer(), size = map.getSize();
  return Math.abs(window.innerWidth - width) <= 2
    && box.clientWidth === window.innerWidth && box.clientHeight === window.innerHeight
    && size.x === window.innerWidth && size.y === window.innerHeight;
}"""

#: How a panel shows: its computed display and the size of its box.
SHOWN_JS = """(node) => {
  const r = node.getBoundingClientRect();
  return { display: getComputedStyle(node).display, width: r.width, height: r.height };
}"""


def write_report(folder: Path, *, link_fragment: str = "") -> Path:
    """Write the hand-built map to folder/map.html and a report embedding it to report.html."""
    map_path = _write(hand_atlas(), folder)
    snippet = iframe_snippet(map_path, title=MAP_TITLE, link_fragment=link_fragment)
    report = folder / "report.html"
    report.write_text(REPORT_PAGE.format(column=COLUMN, snippet=snippet), encoding="utf-8")
    return report


def open_report(open_map: MapOpener, report: Path) -> tuple[Page, Frame]:
    """Open the report at the wide viewport; return its page and the embedded map's frame.

    `open_map` routes and watches the page it opens but waits for a map in it, so it opens the
    map itself first; the same page, still routed and watched, then goes to the report. The page
    helpers of test_map_browser.py read the frame as they read a page.
    """
    page = open_map(report.with_name("map.html"), viewport=WIDE)
    page.goto(report.resolve().as_uri())
    handle = page.locator("iframe").element_handle()
    frame = handle.content_frame()
    assert frame is not None, "the report has no frame"
    frame.wait_for_function("() => window.defenseMap !== undefined")
    return page, frame


def iframe_box(page: Page) -> dict[str, float]:
    box = page.locator("iframe").bounding_box()
    assert box is not None, "the iframe is not displayed"
    return box


def shown(page: Page, selector: str) -> bool:
    """Whether a reader sees the element: displayed, with a box of some size."""
    state: dict[str, Any] = page.locator(selector).evaluate(SHOWN_JS)
    return state["display"] != "none" and state["width"] > 0 and state["height"] > 0


# --------------------------------------------------------------------------------------------
# Embedding in a report
# --------------------------------------------------------------------------------------------


def test_embedded_map_fills_its_frame_and_follows_the_column_width(
    open_map: MapOpener, tmp_path: Path
) -> None:
    atlas = hand_atlas()
    page, frame = open_report(open_map, write_report(tmp_path))
    assert page.locator("iframe").get_attribute("title") == MAP_TITLE

    box = iframe_box(page)
    assert box["width"] == pytest.approx(COLUMN * WIDE[0], abs=2)
    assert box["height"] == pytest.approx(box["width"] / ASPECT, abs=1)
    sizes = frame.evaluate(MAP_SIZE_JS)
    assert sizes["frame"] == [round(box["width"]), round(box["height"])]
    assert sizes["container"] == sizes["frame"], "the map does not fill its frame"
    assert sizes["leaflet"] == sizes["frame"]
    visible = [layer for layer in atlas.layers if layer.visible]
    paths, markers = drawn_counts(frame)
    assert (paths, markers) == expected_counts(visible)
    assert paths > 0
    assert frame.locator(".dm-title").inner_text().startswith(atlas.title)

    page.set_viewport_size({"width": NARROW[0], "height": NARROW[1]})
    narrow = COLUMN * NARROW[0]
    frame.wait_for_function(MAP_FOLLOWED_JS, arg=narrow)
    box = iframe_box(page)
    assert box["width"] == pytest.approx(narrow, abs=2)
    # 480 px wide at 16/10 would be 300 px high: the snippet's min-height keeps it at 320
    assert box["height"] == pytest.approx(max(MIN_HEIGHT, box["width"] / ASPECT), abs=1)
    sizes = frame.evaluate(MAP_SIZE_JS)
    assert sizes["frame"] == [round(box["width"]), round(box["height"])]
    assert sizes["container"] == sizes["leaflet"] == sizes["frame"]
    assert drawn_counts(frame) == expected_counts(visible)
    assert_clean(open_map, page)


def test_embedded_view_opens_with_its_view_and_only_its_layer(
    open_map: MapOpener, tmp_path: Path
) -> None:
    report = write_report(tmp_path, link_fragment="#map=6/50/20&layers=ranges")
    assert "map.html#map=6/50/20&amp;layers=ranges" in report.read_text(encoding="utf-8")
    page, frame = open_report(open_map, report)

    assert view_of(frame) == pytest.approx((6, 50, 20), abs=1e-3)
    assert shown_layers(frame) == ["ranges"]
    assert frame.evaluate(
        "() => window.defenseMap.map.hasLayer(window.defenseMap.overlays['ranges'])"
    )
    checked = frame.locator("input[data-layer-id]:checked")
    assert checked.count() == 1
    assert checked.get_attribute("data-layer-id") == "ranges"
    assert frame.locator("li[data-legend-layer]").all_inner_texts() == ["Ranges"]
    ranges = [layer for layer in hand_atlas().layers if layer.id == "ranges"]
    assert drawn_counts(frame) == expected_counts(ranges)
    # the frame's own permalink keeps what the report asked for
    assert parse_fragment(frame.evaluate("() => location.hash"))["layers"] == "ranges"
    assert_clean(open_map, page)


# --------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------

CONTROLS = (".dm-layers", ".dm-timeline", ".leaflet-control-zoom")


def test_print_shows_title_and_legend_without_the_controls(
    open_map: MapOpener, tmp_path: Path
) -> None:
    atlas = hand_atlas()
    page = open_map(_write(atlas, tmp_path))
    wait_for_tiles(page)
    assert [shown(page, c) for c in CONTROLS] == [True] * len(CONTROLS)

    page.emulate_media(media="print")
    assert {c: shown(page, c) for c in CONTROLS} == dict.fromkeys(CONTROLS, False)
    assert shown(page, ".dm-title")
    assert page.locator(".dm-title").inner_text().startswith(atlas.title)
    assert shown(page, ".dm-legend")
    legend = page.locator(".dm-legend").inner_text()
    for layer in atlas.layers:
        assert (layer.title in legend) == layer.visible, layer.id
    assert shown(page, ".leaflet-control-scale")

    page.emulate_media(media="screen")
    assert [shown(page, c) for c in CONTROLS] == [True] * len(CONTROLS)

    pdf = tmp_path / "print.pdf"
    page.pdf(path=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 10_000
    assert_clean(open_map, page)


#: While the page is laid out for print, record the map's box and the size Leaflet draws for.
PRINT_LAYOUT_JS = """() => {
  window.dmPrinted = [];
  matchMedia('print').addEventListener('change', (event) => {
    if (!event.matches) { return; }
    const map = window.defenseMap.map, box = map.getContainer().getBoundingClientRect();
    const size = map.getSize();
    window.dmPrinted.push({ box: [Math.round(box.width), Math.round(box.height)],
      leaflet: [size.x, size.y] });
  });
}"""


def test_printed_map_is_drawn_for_the_printed_page(open_map: MapOpener, tmp_path: Path) -> None:
    page = open_map(_write(hand_atlas(), tmp_path))
    page.evaluate(PRINT_LAYOUT_JS)
    page.pdf(path=tmp_path / "print.pdf")

    printed = page.evaluate("() => window.dmPrinted")
    assert printed, "the page was never laid out for print"
    assert printed[0]["leaflet"] == printed[0]["box"]
    assert_clean(open_map, page)
