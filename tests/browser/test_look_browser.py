"""One look in the browser: the page draws the legend and symbols of the static image."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

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
