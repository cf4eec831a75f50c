"""The map as text (`geo.render.list_view`): complete, linked, escaped, well-formed, small."""

from __future__ import annotations

import dataclasses
import doctest
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import geo
from geo.atlas_types import Atlas, Source
from geo.render import list_view
from geo.render.list_view import date_words, list_view_html, span_words
from geo.render.style import PRECISION_WORDS, role_word

REPO = Path(__file__).resolve().parents[1]
EID = "dm-list"


class Element:
    """One parsed element: tag, attributes, the text inside it and the elements inside it."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.text = tag, attrs, ""
        self.inside: list[Element] = []


class Tree(HTMLParser):
    """Every element of a fragment, in document order; an end tag must close the open one."""

    VOID = frozenset({"br"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(text)
        self.close()
        assert not self._open, f"left open: {[e.tag for e in self._open]}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        for outer in self._open:
            outer.inside.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.VOID, f"<{tag}/> is not a void element"
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self._open and self._open[-1].tag == tag, f"</{tag}> closes nothing open"
        self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def with_attr(self, name: str) -> dict[str, Element]:
        return {e.attrs[name] or "": e for e in self.elements if name in e.attrs}


@pytest.fixture(scope="module")
def shipped() -> Atlas:
    return geo.load(REPO / "layers")


@pytest.fixture(scope="module")
def basic() -> Atlas:
    return geo.load(REPO / "tests" / "fixtures" / "basic")


@pytest.fixture(scope="module")
def shipped_html(shipped: Atlas) -> str:
    return list_view_html(shipped, element_id=EID)


@pytest.mark.parametrize("which", ["shipped", "basic"])
def test_every_layer_and_every_feature_is_listed_in_atlas_order(which, request):
    atlas: Atlas = request.getfixturevalue(which)
    tree = Tree(list_view_html(atlas, element_id=EID))
    layers = [e.attrs["data-list-layer"] for e in tree.elements if "data-list-layer" in e.attrs]
    features = [
        e.attrs["data-list-feature"] for e in tree.elements if "data-list-feature" in e.attrs
    ]
    assert layers == [layer.id for layer in atlas.layers]
    assert features == [str(fid) for layer in atlas.layers for fid in layer.features["id"]]
    for layer in atlas.layers:
        section = tree.with_attr("data-list-layer")[layer.id]
        assert section.tag == "section" and section.attrs["class"] == "dm-list-layer"
        heading = tree.with_attr("id")[section.attrs["aria-labelledby"] or ""]
        assert heading.tag == "h3" and heading.text == layer.title


def _shown(source: Source) -> str:
    """The text a source's item shows: title — publisher, date, then its quote."""
    tail = ", ".join(t for t in (source.publisher, date_words(source.date)) if t)
    return source.title + (f" — {tail}" if tail else "") + (source.quote or "")


def test_every_cited_source_number_leads_to_the_item_of_that_source(shipped, shipped_html):
    tree = Tree(shipped_html)
    by_id = tree.with_attr("id")
    items = tree.with_attr("data-list-feature")
    checked = 0
    for layer in shipped.layers:
        sources = {s.id: s for s in layer.sources}
        for fid, cited in zip(layer.features["id"], layer.features["sources"]):
            hrefs = [e.attrs["href"] or "" for e in items[fid].inside if e.tag == "a"]
            assert all(h.startswith(f"#{EID}-src-") for h in hrefs), hrefs
            targets = [by_id[h.removeprefix("#")] for h in hrefs]
            assert all(t.tag == "li" for t in targets)
            assert {t.text for t in targets} == {_shown(sources[s]) for s in cited}, fid
            numbers = [int(h.rsplit("-", 1)[1]) for h in hrefs]
            assert numbers == sorted(set(numbers))  # each once, in number order
            checked += len(hrefs)
    assert checked >= 60


def test_sources_are_numbered_once_and_merged_only_when_shown_alike(shipped, shipped_html):
    tree = Tree(shipped_html)
    items = [e for e in tree.elements if e.attrs.get("id", "").startswith(f"{EID}-src-")]
    assert [i.attrs["id"] for i in items] == [f"{EID}-src-{n}" for n in range(1, len(items) + 1)]
    shown_alike = {
        (s.title, s.publisher, s.date, s.url, s.quote)
        for layer in shipped.layers
        for s in layer.sources
    }
    assert len(items) == len(shown_alike) < sum(len(layer.sources) for layer in shipped.layers)
    # "General knowledge: no published source found" is cited by three layers: one entry
    assert sum(i.text == "General knowledge: no published source found" for i in items) == 1
    # one article quoted for different passages: an entry per passage, so a citation shows its own
    article = 'Russia Set For "Intensive" Missile Shield Talks With U.S.'
    quoted = [i for i in items if i.text.startswith(article)]
    assert len(quoted) == len({i.text for i in quoted}) > 1


def test_a_source_item_has_its_link_publisher_date_and_quote(basic):
    tree = Tree(list_view_html(basic, element_id=EID))
    item = tree.with_attr("id")[f"{EID}-src-1"]
    inner = item.inside
    link = next(e for e in inner if e.tag == "a")
    assert link.attrs == {"href": "https://example.org/a?b=1&c=2", "rel": "noopener noreferrer"}
    assert link.text == 'A "quoted" source'
    assert item.text.startswith('A "quoted" source — Test Publisher, Oct 2007')
    quote = next(e for e in inner if e.tag == "blockquote")
    assert quote.text == "It said <b>this</b> & that."


def test_a_source_address_that_is_not_a_web_address_is_not_linked(basic):
    layer = basic.layers[0]
    bad = Source("s1", "Bad", url="javascript:alert(1)")
    atlas = Atlas(basic.title, (dataclasses.replace(layer, sources=(bad,)),))
    text = list_view_html(atlas, element_id=EID)
    assert "javascript:" not in text
    assert f'<li id="{EID}-src-1">Bad</li>' in text


HOSTILE = "<script>alert(1)</script> \"double\" & 'single'"


def test_user_text_is_escaped_and_round_trips(write_layer):
    folder = write_layer(
        """
        version: 1
        id: hostile
        title: "Title <script>alert(2)</script>"
        group: "G <i>"
        description: "Described \\"so\\" <b>"
        notes: ["Note <u> & 'it'"]
        sources:
          - {id: s1, title: "Source <script>alert(3)</script>", quote: "Q \\"x\\" </blockquote>"}
        features:
          - id: site
            kind: site
            role: radar
            name: "<script>alert(1)</script> \\"double\\" & 'single'"
            lat: 50
            lon: 20
            precision: site
            uncertainty: "</li><script>alert(4)</script>"
            sources: [s1]
        """
    ).parent
    atlas = dataclasses.replace(geo.load(folder), title=HOSTILE)
    text = list_view_html(atlas, element_id=EID)
    tree = Tree(text)
    assert tree.with_attr("id")[f"{EID}-title"].text == f"{HOSTILE}: the map as text"
    assert not [e for e in tree.elements if e.tag in ("script", "style", "b", "i", "u")]
    assert not [e for e in tree.elements for a in e.attrs if a == "style" or a.startswith("on")]
    strong = next(e for e in tree.elements if e.tag == "strong")
    assert strong.text == HOSTILE
    item = tree.with_attr("data-list-feature")["site"]
    assert "Uncertain: </li><script>alert(4)</script>" in item.text
    assert tree.with_attr("id")[f"{EID}-layer-hostile"].text == "Title <script>alert(2)</script>"
    meta = next(e for e in tree.elements if e.attrs.get("class") == "dm-list-meta")
    assert meta.text == "G <i> · shown when the map opens"
    assert 'Q "x" </blockquote>' in tree.with_attr("id")[f"{EID}-src-1"].text
    paragraphs = {e.text for e in tree.elements if e.tag == "p"}
    assert {"Note: Note <u> & 'it'", 'Described "so" <b>'} <= paragraphs
    ET.fromstring(f"<div>{text}</div>")  # still well-formed


@pytest.mark.parametrize("which", ["shipped", "basic"])
def test_the_fragment_is_well_formed_and_holds_no_script_handler_or_style(which, request):
    text = list_view_html(request.getfixturevalue(which), element_id=EID)
    root = ET.fromstring(f"<div>{text}</div>")
    assert [child.tag for child in root] == ["section"]
    for element in root.iter():
        assert element.tag not in ("script", "style", "iframe", "img")
        assert not [a for a in element.attrib if a == "style" or a.startswith("on")]
    assert root[0].attrib == {"class": "dm-list", "id": EID, "aria-labelledby": f"{EID}-title"}


def test_the_shipped_layers_give_a_small_fragment(shipped_html):
    assert len(shipped_html.encode("utf-8")) < 60_000


def test_the_same_atlas_gives_the_same_bytes(shipped_html):
    again = list_view_html(geo.load(REPO / "layers"), element_id=EID)
    assert again.encode("utf-8") == shipped_html.encode("utf-8")


def test_features_are_named_with_the_words_of_the_look_table(shipped, shipped_html):
    items = Tree(shipped_html).with_attr("data-list-feature")
    frame = shipped.features
    for fid, kind, role, precision in zip(
        frame["id"], frame["kind"], frame["role"], frame["precision"]
    ):
        name = next(e for e in items[fid].inside if e.tag == "strong").text
        head = items[fid].text.removeprefix(f"{name} — ")
        word = role_word(role) if kind == "site" else kind
        assert head.startswith(word[:1].upper() + word[1:]), (fid, head)
        if kind == "site":
            assert PRECISION_WORDS[precision] in items[fid].text


def test_places_are_said_in_words(shipped_html, basic):
    items = Tree(shipped_html).with_attr("data-list-feature")
    assert "Where: 49.6352° N, 13.7479° E — exact site" in items["brdy-radar"].text
    assert "Where: 36.645° N, 6.35° W — exact site" in items["rota"].text
    assert (
        "Where: reported detection range — geodesic ring of 4,000 km around Armavir "
        "Voronezh-DM radar<br/>other figure: 4,200 km (another source)<br/>" in shipped_html
    )  # the radius is said once: the "radius" parameter is left out
    assert (
        "great-circle line from Gabala (Qabala) Daryal radar to Tehran"
        in items["gabala-tehran"].text
    )
    assert "countries: Albania, Belgium, Bulgaria" in items["nato-europe-2011"].text
    assert "seas: Barents Sea, White Sea" in items["eastern-sector"].text
    fixture = Tree(list_view_html(basic, element_id=EID)).with_attr("data-list-feature")
    assert "from 63.97° N, 145.73° W to 56° N, 160° E" in fixture["far-link"].text
    assert "Where: between 49.6° N and 56.4° N, 19.2° E and 30.8° E" in fixture["box"].text


def test_a_range_around_a_site_id_is_said_with_the_site_name(basic):
    layer = basic.layers[0]
    frame = layer.features.copy()
    frame.loc[frame["id"] == "radar-ring", "derivation"] = "geodesic ring of 2,000 km around base"
    atlas = Atlas(basic.title, (dataclasses.replace(layer, features=frame),))
    item = Tree(list_view_html(atlas, element_id=EID)).with_attr("data-list-feature")["radar-ring"]
    assert "geodesic ring of 2,000 km around Redzikowo" in item.text


def test_dates_and_periods_are_said_in_words(shipped_html):
    tree = Tree(shipped_html)
    metas = [e.text for e in tree.elements if e.attrs.get("class") == "dm-list-meta"]
    assert (
        metas[0] == "2007 US Third Site · from Jan 2007 to 17 Sep 2009 · shown when the map opens"
    )
    assert metas[-1] == "Context · off when the map opens · background"
    item = tree.with_attr("data-list-feature")["gabala-radar"]
    assert "Radar, proposed, from 1985 to Dec 2012" in item.text
    assert date_words("2008-07-08") == "8 Jul 2008"
    assert span_words(None, "2009-09-17") == "until 17 Sep 2009"


def test_a_bad_element_id_is_refused_with_what_is_allowed(basic):
    with pytest.raises(ValueError, match=r"element_id 'a b' is not a valid id; use a letter, then"):
        list_view_html(basic, element_id="a b")


def test_docstring_examples_run(monkeypatch):
    monkeypatch.chdir(REPO)  # the examples load tests/fixtures/basic
    assert doctest.testmod(list_view).failed == 0


def test_a_layer_too_big_to_list_is_summed_up_and_the_small_ones_listed(
    basic: Atlas, monkeypatch: pytest.MonkeyPatch
):
    sizes = {layer.id: len(layer.features) for layer in basic.layers}
    biggest = max(sizes, key=lambda k: sizes[k])
    budget = sum(sizes.values()) - 1  # everything but one feature fits: the biggest goes
    monkeypatch.setattr(list_view, "LIST_BUDGET", budget)
    assert list_view.listed_layers(basic) == frozenset(sizes) - {biggest}
    tree = Tree(list_view_html(basic, element_id=EID))
    listed = [e.attrs["data-list-feature"] for e in tree.elements if "data-list-feature" in e.attrs]
    assert listed == [
        str(fid) for layer in basic.layers if layer.id != biggest for fid in layer.features["id"]
    ]
    section = tree.with_attr("data-list-layer")[biggest]
    summary = next(e for e in section.inside if e.attrs.get("class") == "dm-list-summary")
    frame = next(layer for layer in basic.layers if layer.id == biggest).features
    assert summary.text.startswith(f"{len(frame):,} feature")
    assert "too many to list here" in summary.text and "search finds each" in summary.text
    intro = f"This text lists up to {budget:,} features one by one"
    assert any(e.tag == "p" and e.text.startswith(intro) for e in tree.elements)
    # every feature is counted once in the summary's kinds
    counted = sum(int(n.replace(",", "")) for n in re.findall(r": ([\d,]+)", summary.text))
    statuses = sum(1 for s in frame["status"] if isinstance(s, str) and s)
    assert counted == len(frame) + statuses


def test_the_default_budget_lists_the_shipped_story_whole(shipped: Atlas):
    assert list_view.listed_layers(shipped) == {layer.id for layer in shipped.layers}
    assert list_view.LIST_BUDGET >= 1_000
