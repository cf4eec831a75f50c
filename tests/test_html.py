"""The HTML page as text: assets, offline self-containment, embedding helpers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.atlas import load_atlas
from geo.render.assets import CDN_BASE, leaflet_file
from geo.render.embed import iframe_snippet
from geo.render.folium_map import script_json
from geo.render.html import render_html

BASIC = Path(__file__).resolve().parent / "fixtures" / "basic"


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(BASIC)


def test_default_page_loads_leaflet_from_the_cdn(atlas):
    page = render_html(atlas)
    assert re.search(rf'<script src="{re.escape(CDN_BASE)}/leaflet.js"\s+integrity=', page)
    assert re.search(rf'<link rel="stylesheet" href="{re.escape(CDN_BASE)}/leaflet.css"\s', page)


def test_offline_page_refers_to_nothing_outside_itself(atlas):
    page = render_html(atlas, offline=True)
    assert leaflet_file("leaflet.js").decode() in page
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=""", page)
    styles = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "url(" not in styles.replace("url(data:image/png;base64,", "")
    for heavy in ("jquery", "bootstrap", "font-awesome", "fontawesome"):
        assert heavy not in page.lower()
    # no tile servers in the data: the only base map is the vector one
    assert "tile.openstreetmap.org" not in page and "arcgisonline" not in page
    assert page.count("</script>") == page.count("<script")


def test_script_json_escapes_html_breakers():
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_print_stylesheet_hides_controls_and_keeps_the_legend(atlas):
    page = render_html(atlas)
    media = page[page.index("@media print") :]
    assert ".leaflet-control { display: none !important; }" in media
    assert ".dm-legend" in media.split("}")[1]


def test_iframe_snippet_fills_its_container_and_can_link_a_view():
    snippet = iframe_snippet(
        Path("output/map.html"), title="Map", link_fragment="#map=5/50/20&layers=a,b"
    )
    assert snippet.startswith('<iframe src="map.html#map=5/50/20&amp;layers=a,b" title="Map"')
    assert "width:100%" in snippet and "aspect-ratio:16 / 10" in snippet


def test_the_timeline_spans_the_story_not_its_oldest_context():
    from geo.render.html import page_config

    shipped = load_atlas(Path(__file__).resolve().parents[1] / "layers")
    # the Gabala radar dates from 1985 and the Shahab-3 claim from 2004: context, not the story
    timeline = page_config(shipped, offline=False)["timeline"]
    assert (timeline["min"], timeline["max"]) == (2007, 2012)


def test_the_timeline_steps_through_every_named_event_in_date_order():
    from geo.render.html import page_config

    shipped = load_atlas(Path(__file__).resolve().parents[1] / "layers")
    events = page_config(shipped, offline=False)["timeline"]["events"]
    listed = [(e.date, e.name, layer.id) for layer in shipped.layers for e in layer.events]
    assert sorted((e["date"], e["name"], e["layer"]) for e in events) == sorted(listed)
    days = [(e["date"] + "-01-01")[:10] for e in events]
    assert days == sorted(days)
    assert events[0]["name"] == "Third Site announced"
    assert {"date": "2009-09-17", "name": "Cancelled; Phased Adaptive Approach",
            "layer": "us-third-site-2007"} in events  # fmt: skip


def test_the_opening_view_frames_the_proposals_not_the_context():
    from geo.render.html import page_config

    shipped = load_atlas(Path(__file__).resolve().parents[1] / "layers")
    assert {layer.id for layer in shipped.layers if layer.context} == {
        "iran-threat",
        "us-homeland-gmd",
        "russian-radars-context",
    }
    (south, west), (north, east) = page_config(shipped, offline=False)["bounds"]
    assert south > 38 and north >= 70  # the Black Sea to the Barents, not down to Tehran
    assert west < 14 and east >= 60  # past Brdy to the west, to the Urals
