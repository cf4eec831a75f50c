"""One look in the browser: the page draws the legend and symbols of the static image."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from browser_support import overlap

import geo
from geo.render.static import plan_static
from geo.render.style import BASEMAP, ROLE_LOOKS, UNCERTAIN, svg_path
from geo.schema import ROLES

pytestmark = pytest.mark.browser


def _every_role(tmp_path: Path) -> geo.Atlas:
    sites = "".join(
        f"""
          - id: {role}-site
            kind: site
            role: {role}
            name: A {role} site
            lat: 52.0
            lon: {8 + 3 * i}
            precision: town
            sources: [s]
        """
        for i, role in enumerate(ROLES)
    )
    text = textwrap.dedent(
        """\
        version: 1
        id: look
        title: Every role
        group: Look
        sources:
          - id: s
            title: A source
        features:
        """
    ) + textwrap.indent(textwrap.dedent(sites).strip("\n"), "  ")
    text += textwrap.indent(
        textwrap.dedent(
            """
            - id: vague-area
              kind: region
              name: A vague area
              uncertainty: the boundary is approximate
              shape:
                polygon:
                  - {lat: 44, lon: 14}
                  - {lat: 44, lon: 22}
                  - {lat: 47, lon: 22}
              sources: [s]
            """
        ),
        "  ",
    )
    folder = tmp_path / "layers"
    folder.mkdir()
    (folder / "look.yaml").write_text(text, encoding="utf-8")
    return geo.load(folder)


def test_page_and_static_legend_say_and_draw_the_same(open_map, tmp_path):
    atlas = _every_role(tmp_path)
    page = open_map(atlas.save_html(tmp_path / "look.html"))
    page_rows = page.evaluate(
        """() => [...document.querySelectorAll('[data-legend-role]')].map(li => ({
             role: li.dataset.legendRole, word: li.innerText.trim(),
             path: (li.querySelector('path') || {getAttribute: () => null}).getAttribute('d')}))"""
    )
    static_rows = [r for r in plan_static(atlas, width_px=1600, dpi=150).legend_rows]
    static_roles = [(r.marker, " ".join(r.lines)) for r in static_rows if r.kind == "role"]
    # the same roles, in the same order, in the same words, as the table has them
    assert [(r["role"], r["word"]) for r in page_rows if r["role"] != "uncertain"] == static_roles
    assert static_roles == [(role, ROLE_LOOKS[role].word) for role in ROLES]
    # the same shapes: the page's legend symbol is the table's path (the static renderer draws
    # marker_path of the same vertices, checked in tests/test_look.py)
    for row in page_rows:
        if row["role"] != "uncertain":
            assert row["path"] == svg_path(row["role"]), row["role"]
    # the key for uncertain features says what the static legend says
    (uncertain,) = [r for r in page_rows if r["role"] == "uncertain"]
    assert uncertain["word"] == UNCERTAIN.legend
    static_text = " ".join(" ".join(r.lines) for r in static_rows)
    assert UNCERTAIN.legend in static_text
    # each site's marker on the map is its role's symbol
    markers = page.evaluate(
        """() => [...document.querySelectorAll('.dm-marker svg')].map(s =>
             [s.dataset.role, s.querySelector('path').getAttribute('d')])"""
    )
    assert sorted(map(tuple, markers)) == sorted((role, svg_path(role)) for role in ROLES)
    # the uncertain region is dotted and faded by the table's factors
    region = page.evaluate(
        """() => { let out = null; window.defenseMap.overlays['look'].eachLayer(l => {
             if (l.feature.properties.id === 'vague-area') { out = l.options; } }); return out; }"""
    )
    style = atlas.layer("look").style
    assert region["dashArray"] == UNCERTAIN.dash
    assert region["fillOpacity"] == pytest.approx(
        style.fill_opacity * UNCERTAIN.fill_opacity_factor
    )
    assert region["opacity"] == pytest.approx(style.opacity * UNCERTAIN.stroke_opacity_factor)
    # the vector base map has the table's colours
    page.locator("input[name^='dm-base'][value='vector']").check()
    fills = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-dm-basemap-pane path')]"
        ".map(p => p.getAttribute('fill'))"
    )
    assert BASEMAP.sea in fills and BASEMAP.land in fills
    assert open_map.watch(page).errors == []


#: The sea names drawn at this zoom: [text, left, top, right, bottom] of the words.
SEA_LABELS_JS = """() => [...document.querySelectorAll(
    '.leaflet-dm-basemap-labels-pane .dm-sea-label')].filter(n =>
    getComputedStyle(n).visibility !== 'hidden' && n.offsetParent !== null).map(n => {
    const r = n.firstChild.getBoundingClientRect();
    return [n.textContent, r.left, r.top, r.right, r.bottom]; })"""


def test_sea_names_never_overlap_and_show_as_the_map_comes_closer(open_map, tmp_path: Path):
    atlas = geo.load(Path(__file__).resolve().parents[2] / "layers")
    page = open_map(atlas.save_html(tmp_path / "map.html", offline=True), offline=True)
    shown_at = {}
    for zoom in (2, 3, 4, 5, 6):
        page.evaluate(f"() => window.defenseMap.map.setView([57, 15], {zoom}, {{animate: false}})")
        labels = page.evaluate(SEA_LABELS_JS)
        assert labels, f"no sea named at zoom {zoom}"
        for i, (a, *box_a) in enumerate(labels):
            for b, *box_b in labels[i + 1 :]:
                assert not overlap(box_a, box_b), f"{a!r} and {b!r} overlap at zoom {zoom}"
        # nor do they lie under a marker or a site's label
        others = page.evaluate(
            "() => [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon, .dm-site-label')]"
            ".filter(n => n.style.display !== 'none').map(n => {"
            " const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        for text, *box in labels:
            for other in others:
                assert not overlap(box, other), f"{text!r} lies under a marker or a label at {zoom}"
        shown_at[zoom] = {text for text, *_ in labels}
    # the Kattegat gives way to the Baltic further out, and has room of its own closer in
    assert "Baltic Sea (proper)" in shown_at[3] and "Kattegat" not in shown_at[3]
    assert "Kattegat" in shown_at[5] and "Kattegat" in shown_at[6]
    assert len(shown_at[2]) < len(shown_at[6])
    assert open_map.watch(page).errors == []
