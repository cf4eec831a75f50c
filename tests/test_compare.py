"""Two proposals side by side: `atlas.compare(a, b)` and `build_map.py --compare A B`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.image import imread

import geo
from geo.cli import cli
from geo.compare import compare, default_pair, group_id, resolve
from geo.errors import ExportError

REPO = Path(__file__).resolve().parents[1]
NATO, RUSSIA = "nato-two-systems-2011", "russia-sectoral-2011"


@pytest.fixture(scope="module")
def atlas() -> geo.Atlas:
    return geo.load(REPO / "layers")


def test_by_default_nato_two_systems_is_compared_with_russia_sectoral(atlas):
    assert default_pair(atlas) == (NATO, RUSSIA)
    pair = atlas.compare()
    assert (pair.left.layers, pair.right.layers) == ((NATO,), (RUSSIA,))
    assert pair.left.label == atlas.layer(NATO).title


def test_a_side_is_a_layer_id_or_a_group_by_name_or_id(atlas):
    assert resolve(atlas, "2011-nato-russia-talks").layers == (NATO, RUSSIA)
    assert resolve(atlas, "2011 NATO–Russia talks").label == "2011 NATO–Russia talks"
    assert resolve(atlas, "2007 us third site").layers == (
        "us-third-site-2007",
        "us-common-network-offer-2007",
    )
    assert group_id("2009 Cancellation and the Phased Adaptive Approach") == (
        "2009-cancellation-and-the-phased-adaptive-approach"
    )


def test_an_unknown_side_is_an_error_listing_the_valid_ones(atlas):
    with pytest.raises(ExportError) as caught:
        atlas.compare("nato-2011", RUSSIA)
    message = str(caught.value)
    assert "'nato-2011' is neither a layer id nor a group" in message
    for layer in atlas.layers:
        assert layer.id in message
    assert "2011-nato-russia-talks" in message
    with pytest.raises(ExportError, match="the same layers"):
        atlas.compare(NATO, NATO)


def test_each_pane_holds_its_side_switched_on_and_the_context_as_it_is(atlas):
    pair = compare(atlas, "us-common-network-offer-2007", RUSSIA)
    left = pair.pane(pair.left)
    assert left.layers[0].id == "us-common-network-offer-2007"
    assert left.layers[0].visible  # off in the main map, on in its pane
    context = [layer for layer in atlas.layers if layer.context]
    assert [layer.id for layer in left.layers[1:]] == [layer.id for layer in context]
    assert [layer.visible for layer in left.layers[1:]] == [layer.visible for layer in context]


def test_the_page_has_two_panes_and_carries_shared_data_once(atlas, tmp_path):
    page = atlas.compare().save_html(tmp_path / "compare.html").read_text("utf-8")
    assert page.count('class="folium-map dm-map dm-pane dm-pane-left"') == 1
    assert page.count('class="folium-map dm-map dm-pane dm-pane-right"') == 1
    assert page.count("<script>if (!window.DefenseMap)") == 1  # our script once
    assert page.count('-basemap">') == 1  # the base map once
    # a context layer is the same in both panes: its data travels once and both read it
    ids = re.findall(r'<script type="application/json" id="([^"]+iran_threat[^"]+)"', page)
    assert len(ids) == 1
    assert page.count(f'DefenseMap.data("{ids[0]}")') == 2
    assert "DefenseMap.sync(" in page
    assert 'id="dm-text-version"' in page and page.count('id="dm-text-version"') == 1


def test_the_same_comparison_gives_the_same_bytes(atlas, tmp_path):
    one = atlas.compare().save_html(tmp_path / "a.html").read_bytes()
    two = atlas.compare().save_html(tmp_path / "b.html").read_bytes()
    assert one == two


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="build_map.py")


def test_cli_compare_alone_writes_output_compare_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(REPO / "layers", tmp_path / "layers")
    result = _run("--compare", "--png", "pair.png", "--width-px", "900")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "output" / "compare.html").read_text("utf-8")
    assert "dm-pane-left" in page and "dm-pane-right" in page
    assert not (tmp_path / "output" / "map.html").exists()  # the main map is left alone
    image = imread(tmp_path / "pair.png")
    assert image.shape[1] == 900


def test_cli_compare_two_sides_into_a_named_output(tmp_path):
    out = tmp_path / "side.html"
    result = _run("--layers", str(REPO / "layers"), "--compare", "us-third-site-2007",
                  "putin-counter-offer-2007", "--output", str(out), "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "US Third Site" in out.read_text("utf-8")


def test_cli_compare_with_an_unknown_id_is_one_clear_error(tmp_path):
    result = _run("--layers", str(REPO / "layers"), "--compare", "nope", RUSSIA,
                  "--output", str(tmp_path / "x.html"))  # fmt: skip
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: compare: 'nope' is neither a layer id nor a group; ")
    assert not (tmp_path / "x.html").exists()
