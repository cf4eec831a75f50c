"""The interactive map as a folium.Map: its parts, stable ids, a light and safe page, offline."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import warnings
from pathlib import Path

import folium
import pytest
from folium import plugins

import geo
from geo.render.assets import CDN_BASE, leaflet_file
from geo.render.folium_map import DefenseLayer

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "basic"
RANDOM_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def atlas() -> geo.Atlas:
    return geo.load(BASIC)


def test_to_folium_is_a_folium_map_with_one_layer_per_atlas_layer(atlas):
    m = atlas.to_folium()
    assert isinstance(m, folium.Map)
    assert list(m.layers) == ["sites", "links"]
    for layer_id, element in m.layers.items():
        assert isinstance(element, DefenseLayer) and isinstance(element, folium.map.Layer)
        assert element.layer_name == layer_id
        assert m._children[layer_id] is element  # reachable by id as a child of the map
        assert element.atlas_layer is atlas.layer(layer_id)
        assert layer_id.replace("-", "_") in element.get_name()


def test_same_atlas_same_bytes(atlas):
    first = atlas.to_folium().get_root().render()
    second = geo.load(BASIC).to_folium().get_root().render()
    assert first == second
    assert atlas.to_folium().get_root().render() == first  # rendering twice changes nothing


def test_other_folium_maps_keep_their_random_ids(atlas):
    before = folium.Map()
    atlas.to_folium()
    after = folium.Map()
    marker = folium.Marker([50, 20])
    assert RANDOM_ID.match(before._id) and RANDOM_ID.match(after._id)
    assert RANDOM_ID.match(marker._id) and before._id != after._id


def test_maps_built_in_other_threads_keep_random_ids(atlas):
    ids: list[str] = []
    pages: list[str] = []

    def user_maps() -> None:
        for _ in range(20):
            ids.append(folium.Map()._id)

    def ours() -> None:
        for _ in range(3):
            pages.append(atlas.to_folium().get_root().render())

    threads = [threading.Thread(target=user_maps), threading.Thread(target=ours)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 20 and all(RANDOM_ID.match(i) for i in ids)
    assert len(set(pages)) == 1


def test_page_loads_no_jquery_bootstrap_or_font_awesome(atlas):
    page = atlas.to_folium().get_root().render().lower()
    for heavy in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers"):
        assert heavy not in page, heavy


def test_page_allows_zoom_on_phones_and_has_one_viewport(atlas):
    page = atlas.to_folium().get_root().render()
    viewports = re.findall(r'<meta name="viewport"[^>]*>', page)
    assert viewports == ['<meta name="viewport" content="width=device-width, initial-scale=1">']
    assert "user-scalable" not in page and "maximum-scale" not in page


def test_title_is_escaped_and_template_syntax_stays_text():
    atlas = geo.load(BASIC, title="</title><script>alert(1)</script> {{ 7*7 }} {% raw %}")
    page = atlas.to_folium().get_root().render()
    head_title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert head_title is not None
    assert head_title.group(1) == (
        "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% raw %}"
    )
    assert "49" not in head_title.group(1)
    assert "<script>alert(1)" not in page


def test_cdn_files_carry_subresource_integrity_of_the_packaged_copies(atlas):
    page = atlas.to_folium().get_root().render()
    for name, tag in (("leaflet.js", "script"), ("leaflet.css", "link")):
        digest = base64.b64encode(hashlib.sha384(leaflet_file(name)).digest()).decode()
        pattern = rf'<{tag} [^>]*"{re.escape(CDN_BASE)}/{name}"\s+integrity="sha384-{re.escape(digest)}" crossorigin="anonymous"'
        assert re.search(pattern, page), name


def test_page_says_so_when_the_cdn_cannot_be_reached(atlas):
    page = atlas.to_folium().get_root().render()
    assert "if (!window.L)" in page
    assert "could not be loaded" in page and "--offline" in page


def test_user_plugins_and_markers_render_into_the_page(atlas):
    m = atlas.to_folium()
    plugins.MeasureControl().add_to(m)
    plugins.Fullscreen().add_to(m)
    folium.Marker([52.23, 21.01], tooltip="Warsaw").add_to(m)
    page = m.get_root().render()
    assert "L.control.measure" in page.replace("L.Control.Measure", "L.control.measure")
    assert "L.control.fullscreen" in page.replace("L.Control.Fullscreen", "L.control.fullscreen")
    assert f"{m.get_name()}" in page and "L.marker(" in page


def test_offline_leaves_out_what_needs_the_network_and_says_which(atlas, tmp_path):
    m = atlas.to_folium(offline=True)
    minimap = plugins.MiniMap()
    minimap.add_to(m)
    folium.Marker([52.23, 21.01]).add_to(m)
    with pytest.warns(
        geo.OfflineAssetWarning, match=r"MiniMap \(mini_map_[0-9a-f]+\) needs https://"
    ):
        page = m.get_root().render()
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert minimap.get_name() not in page  # left out whole: no script that would fail
    assert "L.marker(" in page  # a plain marker needs nothing from the network: it stays
    assert m._children[minimap.get_name()] is minimap  # the user's map is left as it was


def test_offline_page_without_user_elements_warns_about_nothing(atlas):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        atlas.to_folium(offline=True).get_root().render()


def test_offline_page_gives_markers_their_images_inline(atlas):
    page = atlas.to_folium(offline=True).get_root().render()
    assert "L.Icon.Default.imagePath" in page
    assert "iconUrl='data:image/png;base64," in page
    style = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    assert "url(images/" not in style and "url(data:image/png;base64," in style


def test_save_html_through_folium_matches_the_api(atlas, tmp_path):
    m = atlas.to_folium()
    m.save(str(tmp_path / "folium.html"))
    atlas.save_html(tmp_path / "api.html")
    assert (tmp_path / "folium.html").read_bytes() == (tmp_path / "api.html").read_bytes()
