"""Every feature can be opened: a click opens the smallest feature under the pointer, and the
others there are listed in its popup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import overlap

import geo

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]

#: For every feature drawn on screen: points where a reader could click it (a marker's middle;
#: points on a line or outline; points inside a shape), none under a panel or control.
SPOTS_JS = """(only) => {
  const dm = window.defenseMap, map = dm.map, box = map.getContainer().getBoundingClientRect();
  const onMap = (x, y) => {
    if (x < 2 || y < 2 || x > box.width - 2 || y > box.height - 2) { return false; }
    const hit = document.elementFromPoint(box.left + x, box.top + y);
    return !!hit && !hit.closest('.leaflet-control') && !!hit.closest('.leaflet-map-pane');
  };
  const out = {};
  Object.keys(dm.overlays).forEach(id => {
    if (!map.hasLayer(dm.overlays[id]) || (only && only[0] !== id)) { return; }
    dm.overlays[id].eachLayer(l => {
      const p = l.feature.properties, key = id + '/' + p.id;
      if (only && only[1] !== p.id) { return; }
      out[key] = out[key] || {layer: id, id: p.id, name: p.name, spots: []};
      const spots = out[key].spots;
      if (l.getLatLng) {
        const c = map.latLngToContainerPoint(l.getLatLng());
        if (onMap(c.x, c.y)) { spots.push([c.x, c.y]); }
        return;
      }
      const origin = map.containerPointToLayerPoint([0, 0]);
      (l._parts || []).forEach(ring => ring.forEach((pt, i) => {
        const next = ring[(i + 1) % ring.length];
        [[pt.x, pt.y], [(pt.x + next.x) / 2, (pt.y + next.y) / 2]].forEach(([x, y]) => {
          const cx = x - origin.x, cy = y - origin.y;
          if (spots.length < 40 && onMap(cx, cy)) { spots.push([cx, cy]); }
        });
      }));
    });
  });
  return Object.values(out);
}"""


def _open_by_click(page: Any, feature: dict[str, Any], view: dict[str, Any]) -> bool:
    """Click the feature's spots until its popup opens, directly or from "Also here"."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(".dm-map").bounding_box()
    for attempt in range(12):
        # back to the opening view (the last popup panned the map), then find the spots again
        page.evaluate(
            "v => { const m = window.defenseMap.map; m.closePopup();"
            " m.setView(v.center, v.zoom, {animate: false}); }",
            view,
        )
        spots = page.evaluate(SPOTS_JS, [feature["layer"], feature["id"]])
        if not spots or attempt >= len(spots[0]["spots"]):
            return False
        x, y = spots[0]["spots"][attempt]
        page.wait_for_function("() => !document.querySelector('.leaflet-popup')")  # faded out
        page.mouse.click(box["x"] + x, box["y"] + y)
        popup = page.locator(".leaflet-popup .dm-popup").last
        try:
            popup.wait_for(timeout=3000)
        except PlaywrightTimeout:  # that spot opened nothing: try the next
            continue
        if popup.locator("h3").inner_text() == feature["name"]:
            return True
        other = popup.locator(".dm-also-here button", has_text=feature["name"])
        if other.count():
            other.first.click()
            try:  # its popup opens in the next moments (after a pan, if it needs one)
                page.wait_for_function(OPEN_POPUP_NAMED_JS, arg=feature["name"], timeout=3000)
            except PlaywrightTimeout:
                continue
            return True
    return False


#: Whether a popup that is not fading out shows the feature of this name.
OPEN_POPUP_NAMED_JS = """name => [...document.querySelectorAll('.leaflet-popup')].some(p =>
  getComputedStyle(p).opacity !== '0' && p.querySelector('.dm-popup h3')?.textContent === name)"""


def test_every_feature_on_screen_opens_from_a_click(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    everything = ",".join(layer.id for layer in atlas.layers)
    html = atlas.save_html(tmp_path / "map.html")
    page = open_map(html)  # the opening view...
    page.evaluate(  # ...with every layer on
        "ids => ids.split(',').forEach(id => window.defenseMap.setVisible(id, true))", everything
    )
    view = page.evaluate(
        "() => { const m = window.defenseMap.map; return {center: m.getCenter(), zoom: m.getZoom()}; }"
    )
    features = page.evaluate(SPOTS_JS, None)
    on_screen = [f for f in features if f["spots"]]
    assert len(on_screen) >= 25  # most of the story is in the opening view
    missed = [f"{f['layer']}/{f['id']}" for f in on_screen if not _open_by_click(page, f, view)]
    assert missed == [], missed
    assert open_map.watch(page).errors == []


def test_a_click_inside_a_big_ring_opens_the_smaller_shape_and_lists_the_ring(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(
        atlas.save_html(tmp_path / "map.html"),
        "layers=russia-sectoral-2011,putin-counter-offer-2007",
    )
    # Minsk: inside the eastern sector and inside the Gabala and Armavir radar rings
    box = page.locator(".dm-map").bounding_box()
    x, y = page.evaluate(
        "() => { const p = window.defenseMap.map.latLngToContainerPoint([53.9, 27.56]); return [p.x, p.y]; }"
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    popup = page.locator(".leaflet-popup .dm-popup").last
    assert "eastern sector" in popup.locator("h3").inner_text().lower()
    also = popup.locator(".dm-also-here button").all_inner_texts()
    assert any("Gabala" in text for text in also) and any("Armavir" in text for text in also)


def test_clicking_a_shape_draws_no_focus_rectangle(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(atlas.save_html(tmp_path / "map.html"))
    page.locator(".leaflet-overlay-pane path").first.focus()
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector('.leaflet-overlay-pane path:focus') ||"
        " document.querySelector('.leaflet-overlay-pane path')).outlineStyle"
    )
    assert outline == "none"


def test_layer_descriptions_are_in_the_legend(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(atlas.save_html(tmp_path / "map.html"))
    for layer in atlas.layers:
        shown = page.locator(f"[data-legend-description='{layer.id}']")
        if layer.visible and layer.description:
            assert shown.inner_text() == layer.description
        else:
            assert shown.count() == 0


def test_a_layer_switched_on_out_of_view_offers_to_zoom_to_it(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    # over central Europe (in the opening view the GBI reach, over the pole, shows at the top)
    page = open_map(atlas.save_html(tmp_path / "map.html"), "map=6/50/20&layers=iran-threat")
    offer = page.locator("[data-zoom-to='us-homeland-gmd']")
    assert offer.is_hidden()
    page.locator("[data-layer-id='us-homeland-gmd']").check()  # Alaska and California
    assert offer.is_visible()
    offer.click()
    page.wait_for_function(
        "() => window.defenseMap.map.getBounds().contains([64.0, -145.7])"  # Fort Greely
    )
    assert offer.is_hidden()
    # a layer in view offers nothing
    page.evaluate("() => window.defenseMap.map.setView([50, 20], 5, {animate: false})")
    page.locator("[data-layer-id='nato-two-systems-2011']").check()
    assert page.locator("[data-zoom-to='nato-two-systems-2011']").is_hidden()


def test_sites_at_one_place_are_both_visible(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(
        atlas.save_html(tmp_path / "map.html"),
        "map=7/54.48/17.1&layers=us-third-site-2007,phased-adaptive-approach-2009",
    )
    boxes = page.evaluate(
        """() => { const out = [];
             Object.values(window.defenseMap.overlays).forEach(o => o.eachLayer(l => {
               if (l.getLatLng && /redzikowo/.test(l.feature.properties.id)) {
                 const r = l.getElement().getBoundingClientRect();
                 out.push([l.feature.properties.id, r.left, r.top, r.width]); } }));
             return out; }"""
    )
    assert len(boxes) == 2
    (_, x1, y1, w), (_, x2, y2, _) = boxes
    assert abs(x1 - x2) >= w - 2 or abs(y1 - y2) >= w - 2  # side by side, not on top


#: Places the opening view must show at 1280×800, clear of the panels.
STORY_FRAME = {
    "Brussels": (50.85, 4.35),
    "the Urals": (60.0, 59.5),
    "the Barents Sea": (71.5, 40.0),
    "the Black Sea": (43.0, 34.0),
}


def test_the_opening_view_frames_brussels_to_the_urals_barents_to_black_sea(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(atlas.save_html(tmp_path / "map.html"))
    for name, (lat, lon) in STORY_FRAME.items():
        where = page.evaluate(
            """([lat, lon]) => { const m = window.defenseMap.map, p = m.latLngToContainerPoint([lat, lon]);
                 const r = m.getContainer().getBoundingClientRect();
                 const hit = document.elementFromPoint(r.left + p.x, r.top + p.y);
                 return hit && hit.closest('.leaflet-control') ? 'under a panel' :
                   (p.x < 0 || p.y < 0 || p.x > r.width || p.y > r.height ? 'out of view' : 'shown'); }""",
            [lat, lon],
        )
        assert where == "shown", name


LABELS_JS = """() => [...document.querySelectorAll('.dm-site-label')]
  .filter(n => n.style.display !== 'none')
  .map(n => { const r = n.getBoundingClientRect(); return [n.textContent, r.left, r.top, r.right, r.bottom]; })"""
MARKERS_JS = """() => [...document.querySelectorAll('.dm-marker')]
  .map(n => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


def test_markers_carry_short_labels_that_collide_with_nothing(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(atlas.save_html(tmp_path / "map.html"))
    labels = page.evaluate(LABELS_JS)
    names = [name for layer in atlas.layers for name in layer.features["name"]]
    assert len(labels) >= 6
    for text, *_ in labels:
        assert any(name.startswith(text) for name in names), text
    boxes = [box for _, *box in labels]
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert not any(overlap(a, m) for a in boxes for m in page.evaluate(MARKERS_JS))
    panels = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-control')].map(n => {"
        " const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    )
    assert not any(overlap(a, p) for a in boxes for p in panels)
    # zoomed in, more sites have room for their label
    page.evaluate("() => window.defenseMap.map.setView([52, 20], 6, {animate: false})")
    assert page.evaluate(LABELS_JS)
    # a layer switched off takes its labels with it
    page.locator("[data-layer-id='us-third-site-2007']").uncheck()
    shown = [text for text, *_ in page.evaluate(LABELS_JS)]
    assert not any(text.startswith("European Interceptor Site") for text in shown)


def test_on_a_phone_the_map_shows_europe_panels_fold_and_popups_fit(open_map, tmp_path):
    atlas = geo.load(REPO / "layers")
    page = open_map(atlas.save_html(tmp_path / "map.html"), viewport=(390, 844))
    for panel in (".dm-layers", ".dm-legend", ".dm-timeline", ".dm-title"):
        assert "dm-folded" in (page.locator(panel).get_attribute("class") or ""), panel
        button = page.locator(f"{panel} .dm-toggle")
        button.click()  # opens...
        assert button.get_attribute("aria-expanded") == "true"
        button.click()  # ...and folds again
        assert button.get_attribute("aria-expanded") == "false"
    in_view = page.evaluate(
        "pts => pts.map(p => window.defenseMap.map.getBounds().contains(p))",
        [[52.23, 21.01], [55.76, 37.62], [52.52, 13.40]],  # Warsaw, Moscow, Berlin
    )
    assert in_view == [True, True, True]
    # a popup fits the screen, its close button visible
    page.evaluate(
        """() => { const m = window.defenseMap.map; let lyr = null;
             window.defenseMap.overlays['us-third-site-2007'].eachLayer(l => { if (l.getLatLng) lyr = lyr || l; });
             m.setView(lyr.getLatLng(), 5, {animate: false}); }"""
    )
    box = page.locator(".dm-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup").last
    popup.wait_for()
    page.wait_for_timeout(400)  # the popup pans into view
    r = popup.bounding_box()
    assert (
        r["x"] >= 0 and r["x"] + r["width"] <= 390 and r["y"] >= 0 and r["y"] + r["height"] <= 844
    )
    close = popup.locator(".leaflet-popup-close-button")
    assert close.is_visible()
    c = close.bounding_box()
    assert 0 <= c["x"] and c["x"] + c["width"] <= 390 and 0 <= c["y"] <= 844
