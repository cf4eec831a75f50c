"""Script injection: a corpus of payloads in every string field of a layer file stays inert
text in the map page, the SVG image and the KML file, and comes back whole.

`injection_payloads.PAYLOADS` are script-injection tricks, each calling the sentinel
`__dmPwned(N)`; `PLAIN` are strings without script that writers like to change (null-ish
words, prototype keys, CR/LF/tab, format characters). One layer file per string puts it in
every field of the model that accepts it (layer, source, event, and a site, region, ring, fan
and link with its name, aliases, description, uncertainty, label and parameters); fields the
string does not fit are left out, and the layer-model tests check that such fields refuse it
with a `LayerFileError` and nothing else (country and sea names: a sample, as each unknown
name costs the gazetteer's suggestions). The atlas is built once per module; Chromium opens
its outputs with the sentinel installed in every frame:

- the offline page, with every layer switched on, every feature's popup opened (Enter on a
  shape, a click on a marker, and for some through the search box), every alias searched,
  the layer panel, legend, timeline and text version read;
- the SVG image (an atlas of its own: one site per layer), parsed and opened as a document;
- every KML description balloon, rendered as a KML viewer does (HTML whose scripts run).

No sentinel call, dialog, page error or request may happen, and each string must be found as
text exactly where it belongs. Where text is parsed as HTML (the text version, KML balloons)
a carriage return is a line feed, as HTML reads it (its input preprocessing); the static image
wraps text at spaces, so there every string is compared without its white space. Each channel
has a positive control that shows the same harness catching an unescaped payload.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import html
import json
import re
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from injection_payloads import ATLAS_TITLE, PAYLOADS, PLAIN, XML_CONTEXTS  # beside this file

import geo
from geo.errors import LayerFileError
from geo.render.list_view import date_words
from geo.schema import ID_PATTERN, LayerModel, validate_document
from geo.yamlio import format_path, parse_yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from .conftest import MapOpener

pytestmark = pytest.mark.browser

#: Installed before any script of every page and frame: `__dmPwned(n)` records n, and so does
#: a `{__dmPwned: n}` message from a frame of another origin (a data: URL).
SENTINEL_JS = """(() => {
  if (Object.prototype.hasOwnProperty.call(window, "__dmHits")) { return; }
  const hits = [];
  Object.defineProperty(window, "__dmHits", { value: hits });
  Object.defineProperty(window, "__dmPwned", { value: (n) => { hits.push(String(n)); } });
  window.addEventListener("message", (e) => {
    if (e.data && typeof e.data === "object" && "__dmPwned" in e.data) {
      hits.push("message " + String(e.data.__dmPwned));
    }
  });
})();"""
KML = "{http://www.opengis.net/kml/2.2}"
SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ID = re.compile(ID_PATTERN)


def is_id(text: str) -> bool:
    """Whether the model takes `text` as an id ("null", "constructor" and "0" are ids)."""
    return bool(_ID.match(text)) and len(text) <= 100


# ---- the strings, and layer files that hold them ---------------------------------------


@dataclass(frozen=True)
class Case:
    """One string of the corpus and the layer file that carries it."""

    n: int  # the payload's number; plain strings from 101
    text: str
    layer_id: str

    @property
    def fid(self) -> str:
        return f"f{self.n:03d}"


def _cases() -> list[Case]:
    cases = [Case(p.n, p.text, f"inj-{p.n:03d}") for p in PAYLOADS]
    for i, text in enumerate(PLAIN, start=101):
        # an id the model accepts ("null", "constructor", "0") is the layer's id too
        cases.append(Case(i, text, text if is_id(text) else f"plain-{i}"))
    return cases


CASES = _cases()
#: Each unknown country name costs the gazetteer's suggestions about 0.2 s, when the model
#: checks it and again when the atlas builds the shape (a sea's less): place names take a
#: sample.
COUNTRY_SAMPLE = frozenset(c.text for i, c in enumerate(CASES) if i % 9 == 0 or is_id(c.text))
assert len({c.layer_id for c in CASES}) == len(CASES)


class _Quoted(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes every string double-quoted, with escapes, so the file says each character."""


_Quoted.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Quoted, allow_unicode=True, sort_keys=False, width=10**9)


BOX = [{"lat": 50.0, "lon": 20.0}, {"lat": 50.5, "lon": 20.0}, {"lat": 50.5, "lon": 21.0}]
KeyPath = tuple[str | int, ...]


def _probe() -> dict[str, Any]:
    """The smallest layer with every field the tests try (each kind of feature, a source, an
    event, a style, periods): a field is tried by writing a string where it is."""
    cite = ["s1"]
    return {
        "version": 1,
        "id": "probe",
        "title": "T",
        "group": "G",
        "description": "D",
        "notes": ["N"],
        "period": {"from": "2000"},
        "style": {},
        "sources": [{"id": "s1", "title": "S", "publisher": "P"}],
        "events": [{"date": "2001", "name": "E", "sources": cite}],
        "features": [
            {"id": "a", "kind": "site", "role": "radar", "name": "A", "lat": 50.0, "lon": 20.0,
             "precision": "site", "sources": cite, "aliases": ["x"], "parameters": {"k": 1},
             "period": {"from": "1000"}, "description": "D", "uncertainty": "U"},
            {"id": "r", "kind": "range", "around": "a", "radius_km": 10.0, "name": "R",
             "sources": cite, "label": "L"},
            {"id": "l", "kind": "link", "from": "a", "to": {"lat": 51.0, "lon": 21.0},
             "name": "L", "sources": cite, "label": "L"},
            {"id": "g", "kind": "region", "name": "G", "sources": cite,
             "shape": {"polygon": BOX}},
        ],
    }  # fmt: skip


def put(doc: Any, path: KeyPath, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def get(doc: Any, path: KeyPath) -> Any:
    for key in path:
        doc = doc[key]
    return doc


#: Free text: every string of the corpus fits. Field -> where it is in a layer file.
FREE_FIELDS: dict[str, KeyPath] = {
    "layer title": ("title",),
    "layer group": ("group",),
    "layer description": ("description",),
    "layer note": ("notes", 0),
    "source title": ("sources", 0, "title"),
    "source publisher": ("sources", 0, "publisher"),
    "feature name": ("features", 0, "name"),
    "feature description": ("features", 0, "description"),
    "feature uncertainty": ("features", 0, "uncertainty"),
    "range label": ("features", 1, "label"),
    "link label": ("features", 2, "label"),
    "parameter value": ("features", 0, "parameters", "k"),
}
#: Text with a length limit, some on one line only: (where, most characters, one line).
LIMITED_FIELDS: dict[str, tuple[KeyPath, int, bool]] = {
    "source quote": (("sources", 0, "quote"), 600, False),
    "alias": (("features", 0, "aliases", 0), 200, True),
    "event name": (("events", 0, "name"), 60, True),
    "parameter name": (("features", 0, "parameters"), 100, False),  # the key of {text: 1}
}
#: Fields with a pattern or a list of words: ids, colours, dates, URLs, kinds. They are tried
#: all at once: a LayerFileError names each field it refuses.
PATTERN_FIELDS: dict[str, KeyPath] = {
    "layer id": ("id",),
    "feature id": ("features", 3, "id"),
    "source id": ("sources", 0, "id"),
    "cited source": ("features", 0, "sources", 0),
    "event source": ("events", 0, "sources", 0),
    "range around": ("features", 1, "around"),
    "link from": ("features", 2, "from"),
    "style colour": ("style", "color"),
    "style fill colour": ("style", "fill_color"),
    "style dash": ("style", "dash"),
    "layer period": ("period", "from"),
    "feature period end": ("features", 0, "period", "to"),
    "source date": ("sources", 0, "date"),
    "event date": ("events", 0, "date"),
    "source url": ("sources", 0, "url"),
    "status": ("features", 0, "status"),
    "role": ("features", 0, "role"),
    "precision": ("features", 0, "precision"),
    "clip": ("features", 3, "shape", "clip"),
}
#: Pattern fields tried one at a time: a wrong kind hides the feature's other problems, and a
#: region has one shape.
ALONE_FIELDS: dict[str, tuple[KeyPath, Callable[[str], Any]]] = {
    "kind": (("features", 0, "kind"), lambda v: v),
    "country": (("features", 3, "shape"), lambda v: {"countries": [v]}),
    "sea": (("features", 3, "shape"), lambda v: {"seas": [v]}),
}

#: URLs the model must refuse: only http(s), and nothing that ends an HTML attribute.
URLS_REFUSED = [
    "javascript:__dmPwned(201)",
    "JAVASCRIPT:__dmPwned(202)",
    " javascript:__dmPwned(203)",
    "\tjavascript:__dmPwned(204)",
    "java\nscript:__dmPwned(205)",
    "data:text/html,<script>__dmPwned(206)</script>",
    "data:text/html;base64,PHNjcmlwdD5fX2RtUHduZWQoMjA3KTwvc2NyaXB0Pg==",
    "vbscript:__dmPwned(208)",
    "https:javascript:__dmPwned(209)",
    "//evil.example/__dmPwned(210)",
    "file:///etc/passwd",
    'https://example.org/"><script>__dmPwned(212)</script>',
    "https://example.org/' onmouseover='__dmPwned(213)",
    "https://example.org/ onmouseover=__dmPwned(214)",
    "https://example.org/\n<script>__dmPwned(215)</script>",
    "https://example.org/\r",
    "https://example.org/\u2028__dmPwned(217)",
    "https://example.org/<img src=x onerror=__dmPwned(218)>",
    "https://example.org/`__dmPwned(219)`\u00a0",
    "https://example.org/" + "a" * 2000,
]
#: URLs the model accepts although they look like trouble: they must come back whole, as links
#: to where they say.
URLS_ACCEPTED = [
    "https://example.org/?q=javascript:__dmPwned(231)",
    "https://example.org/#javascript:__dmPwned(232)",
    "https://example.org/${__dmPwned(233)}",
    "https://example.org/{{__dmPwned(234)}}/{%raw%}",
    "https://example.org/&lt;script&gt;&amp;x=1&y=2",
    "https://user:pw@example.org:8443/a;b?c=d&e=f#g",
    "http://例え.jp/パス?q=😀",
    "https://example.org/%3Cscript%3E__dmPwned(238)%3C/script%3E",
    "https://example.org/--%3E]]%3E",
    "https://example.org/\\u003c/script\\u003e",
]


def _check(doc: dict[str, Any]) -> LayerModel | LayerFileError:
    """Write `doc` as a layer file and read it as `geo.load` does; any error but a
    LayerFileError escapes (and fails the test)."""
    try:
        return validate_document(parse_yaml(to_yaml(doc), "probe.yaml"))
    except LayerFileError as exc:
        return exc


def _with(field: str, text: str) -> dict[str, Any]:
    """The probe with `text` in `field`."""
    doc = _probe()
    if field == "parameter name":
        put(doc, LIMITED_FIELDS[field][0], {text: 1})
    elif field in ALONE_FIELDS:
        path, wrap = ALONE_FIELDS[field]
        put(doc, path, wrap(text))
    else:
        path = {**FREE_FIELDS, **PATTERN_FIELDS}.get(field) or LIMITED_FIELDS[field][0]
        put(doc, path, text)
    return doc


@functools.cache
def accepts(field: str, text: str) -> bool:
    """Whether the layer model takes `text` in `field` (the probe with that one change)."""
    return isinstance(_check(_with(field, text)), LayerModel)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a dumped model: keys and values."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def one_line(text: str) -> bool:
    """One line as the model means it: no control character or line separator, no space at
    either end."""
    controls = any(unicodedata.category(c) == "Cc" for c in text)
    return not controls and not {"\u2028", "\u2029"} & set(text) and text == text.strip(" ")


def _url_for(case: Case) -> str:
    """The string after a valid https:// prefix where the model takes it, else percent-encoded."""
    raw = f"https://example.org/inj/{case.n}?q={case.text}"
    encoded = f"https://example.org/inj/{case.n}#" + urllib.parse.quote(case.text, safe="")
    return next(
        (url for url in (raw, encoded) if accepts("source url", url)),
        f"https://example.org/inj/{case.n}",
    )


def event_date(n: int) -> str:
    return (dt.date(2001, 1, 1) + dt.timedelta(days=n)).isoformat()


def layer_doc(case: Case, i: int) -> dict[str, Any]:
    """The layer file of one string: it in every field that takes it."""
    t, fid = case.text, case.fid
    lat, lon = 36.0 + 3.0 * (i // 12), -10.0 + 4.5 * (i % 12)
    cite = ["s1"]

    def fits(field: str) -> bool:
        return accepts(field, t)

    source: dict[str, Any] = {"id": "s1", "title": t, "publisher": t, "date": "2001",
                              "url": _url_for(case)}  # fmt: skip
    if fits("source quote"):
        source["quote"] = t
    key = t if fits("parameter name") else f"key {case.n}"
    aliases = [a for a in (t, f"zq{case.n:03d} {t}") if accepts("alias", a)]
    common = {"description": t, "uncertainty": t, "status": "proposed", "sources": cite}
    features = [
        {"id": f"{fid}-site", "kind": "site", "role": "radar", "name": t, "aliases": aliases,
         "lat": lat, "lon": lon, "precision": "site", **common,
         "parameters": {key: t, "count": case.n}},
        {"id": f"{fid}-region", "kind": "region", "name": t, "aliases": aliases, **common,
         "parameters": {key: t},
         "shape": {"polygon": [{"lat": lat + 0.5, "lon": lon + 0.5},
                               {"lat": lat + 1.2, "lon": lon + 0.5},
                               {"lat": lat + 1.2, "lon": lon + 1.8}]}},
        # a ring around the site for odd numbers, a radar fan for even ones
        {"id": f"{fid}-ring", "kind": "range", "around": f"{fid}-site", "radius_km": 40.0,
         "name": t, "label": t, **common, "parameters": {key: f"ring {case.n}"}}
        if case.n % 2 else
        {"id": f"{fid}-fan", "kind": "range", "center": {"lat": lat - 0.8, "lon": lon + 0.8},
         "radius_km": 60.0, "azimuth_deg": 45.0, "beam_deg": 60.0, "name": t, "label": t,
         **common, "parameters": {key: f"fan {case.n}"}},
        {"id": f"{fid}-link", "kind": "link", "from": f"{fid}-site",
         "to": {"lat": lat - 1.0, "lon": lon + 2.5}, "name": t, "label": t, **common,
         "parameters": {key: f"link {case.n}"}},
    ]  # fmt: skip
    doc: dict[str, Any] = {
        "version": 1,
        "id": case.layer_id,
        "title": t,
        "group": t,
        "description": t,
        "period": {"from": "2000", "to": "2030"},
        "visible": i % 25 != 1,  # a few start off: the test switches them on
        "notes": [t],
        "sources": [source],
        "features": features,
    }
    if fits("event name"):
        doc["events"] = [{"date": event_date(case.n), "name": t, "sources": cite}]
    return doc


def urls_doc() -> dict[str, Any]:
    """A layer whose sources have the URLs the model accepts though they look like trouble."""
    sources = [
        {"id": f"u{i}", "title": f"URL {i}", "url": url} for i, url in enumerate(URLS_ACCEPTED)
    ]
    ids = [s["id"] for s in sources]
    return {
        "version": 1,
        "id": "urls",
        "title": "URLs",
        "group": "URLs",
        "sources": sources,
        "features": [{"id": "urls-site", "kind": "site", "role": "city", "name": "URL site",
                      "lat": 66.0, "lon": 30.0, "precision": "town", "sources": ids}],
    }  # fmt: skip


@dataclass(frozen=True)
class Built:
    """The atlas of the corpus and what it was written to."""

    atlas: geo.Atlas
    docs: dict[str, dict[str, Any]]  # layer id -> the layer file as written
    html: Path
    kml: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("injection")
    layers = folder / "layers"
    layers.mkdir()
    docs = {case.layer_id: layer_doc(case, i) for i, case in enumerate(CASES)}
    docs["urls"] = urls_doc()
    for i, doc in enumerate(docs.values()):
        (layers / f"{i:03d}.yaml").write_text(to_yaml(doc), encoding="utf-8")
    atlas = geo.load(layers, title=ATLAS_TITLE)
    out = folder / "out"
    out.mkdir()
    html, kml = out / "map.html", out / "map.kml"
    atlas.write(html=html, kml=kml, offline=True)
    return Built(atlas, docs, html, kml)


@dataclass(frozen=True)
class Svg:
    """The static image of the corpus: its own atlas of one site per layer (drawing the rings,
    fans and links of every layer would take a minute), with all the layers' texts."""

    docs: dict[str, dict[str, Any]]
    path: Path


@pytest.fixture(scope="module")
def svg(tmp_path_factory: pytest.TempPathFactory) -> Svg:
    folder = tmp_path_factory.mktemp("injection-svg")
    docs = {}
    for i, case in enumerate(CASES):
        doc = layer_doc(case, i)
        doc["features"] = doc["features"][:1]  # the site: its name is a label on the map
        doc.pop("events", None)
        docs[case.layer_id] = doc
        (folder / f"{i:03d}.yaml").write_text(to_yaml(doc), encoding="utf-8")
    atlas = geo.load(folder, title=ATLAS_TITLE)
    with pytest.warns(UserWarning, match="missing from font"):  # fullwidth, CJK, private use
        path = atlas.to_svg(folder / "map.svg", image_layers="all")
    return Svg(docs, path)


# ---- what a browser may see ---------------------------------------------------------------


def html_text(text: str) -> str:
    """Text as an HTML parser reads it: CR LF and CR are LF (the input stream's preprocessing)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def no_space(text: str) -> str:
    return "".join(text.split())


def sentinel_hits(page: Page) -> list[str]:
    """Every sentinel call in the page and in its frames (frames of another origin report by
    message to the top window)."""
    hits: list[str] = []
    for frame in page.frames:
        try:
            hits += frame.evaluate("() => window.__dmHits ? window.__dmHits.slice() : []")
        except Exception:  # a frame that went away
            continue
    return hits


@pytest.fixture
def sentinel_map(open_map: MapOpener) -> MapOpener:
    """conftest's map opener (network cut off, errors and dialogs recorded), with the sentinel."""
    open_map.context.add_init_script(SENTINEL_JS)
    return open_map


# ---- the corpus -----------------------------------------------------------------------------


def test_the_corpus_has_fifty_distinct_payloads_each_with_its_own_sentinel_number() -> None:
    """The corpus is big enough and each payload can be told apart by what it would call."""
    assert len(PAYLOADS) >= 50
    assert len({p.text for p in PAYLOADS}) == len(PAYLOADS)
    for payload in PAYLOADS:
        # what the payload says once its entities, base64 and fullwidth forms are read
        text = html.unescape(unicodedata.normalize("NFKC", payload.text))
        text += "".join(
            base64.b64decode(b).decode() for b in re.findall(r"base64,([\w+/=]+)", text)
        )
        calls = set(re.findall(r"__dmPwned(?:\(|: |\s*\}\}\()(\d+)", text))
        assert calls == {str(payload.n)}, payload


def test_each_payload_runs_when_written_unescaped_into_its_context(
    browser: Browser, tmp_path: Path
) -> None:
    """Positive control: put unescaped in the context it attacks (a page, an attribute, a JS
    string, a comment, an SVG document...), each payload calls the sentinel in Chromium; so
    the tests below, where nothing may call it, can fail. Jinja-style payloads are evaluated
    by Jinja (so a page that rendered user text as a template would change them)."""
    import jinja2

    runnable = []
    for payload in PAYLOADS:
        if payload.fires_in == "jinja":
            try:
                rendered = jinja2.Environment(autoescape=True).from_string(payload.text).render()
            except jinja2.TemplateError:
                continue  # evaluated, and failed: not the text
            assert rendered != payload.text, payload
        elif payload.fires_in is not None:
            runnable.append(payload)
    assert len(runnable) >= 60
    context = browser.new_context()  # no routing: these pages are files and data: URLs alone
    context.add_init_script(SENTINEL_JS)
    silent = []
    try:
        page = context.new_page()
        for payload in runnable:
            suffix = ".svg" if payload.fires_in in XML_CONTEXTS else ".html"
            file = tmp_path / f"{payload.n}{suffix}"
            file.write_text(payload.in_context(), encoding="utf-8")
            page.goto(file.as_uri())
            if payload.fires_in == "href":
                page.click("#dm-target")
            if not sentinel_hits(page):  # an animation that has not started yet, say
                with contextlib.suppress(Exception):
                    page.wait_for_function("() => window.__dmHits.length > 0", timeout=2_000)
            if not {str(payload.n), f"message {payload.n}"} & set(sentinel_hits(page)):
                silent.append(f"{payload.n}: {payload.what}")
    finally:
        context.close()
    assert silent == []


def payload_of(n: int) -> Any:
    return next(p for p in PAYLOADS if p.n == n)


# ---- the layer model: accepted whole, or refused with a LayerFileError --------------------


def test_every_field_accepts_the_payload_or_refuses_it_cleanly() -> None:
    """Each string of the corpus, in each string field of the model: free text takes all of
    them and keeps them exactly; limited text takes those that fit its length and, where it
    must be one line, those on one line; fields with a pattern (ids, colours, dates, URLs,
    kinds, place names) refuse them with a LayerFileError naming the field, or keep them
    exactly, and raise nothing else."""
    wrong = []
    for text in [c.text for c in CASES]:
        doc = _probe()
        for path in FREE_FIELDS.values():
            put(doc, path, text)
        got = _check(doc)
        if not isinstance(got, LayerModel):
            wrong.append(f"free text refused {text[:40]!r}: {got}")
        else:
            dump = got.model_dump(by_alias=True)
            wrong += [
                f"{f} changed {text[:40]!r}" for f, p in FREE_FIELDS.items() if get(dump, p) != text
            ]
        for field, (_, most, line) in LIMITED_FIELDS.items():
            expected = 0 < len(text) <= most and (one_line(text) or not line)
            if accepts(field, text) != expected:
                wrong.append(f"{field}: {text[:40]!r} accepted={not expected}")
        doc = _probe()
        for path in PATTERN_FIELDS.values():
            put(doc, path, text)
        got = _check(doc)  # raises if it is not a LayerFileError
        named = set() if isinstance(got, LayerModel) else {p.path for p in got.problems}
        for field, path in PATTERN_FIELDS.items():
            where = format_path(path)
            if any(n == where or n.startswith((where + ".", where + "[")) for n in named):
                continue  # refused, and said where
            kept = _check(_with(field, text))
            if (
                not isinstance(kept, LayerModel)
                or get(kept.model_dump(by_alias=True), path) != text
            ):
                wrong.append(f"{field}: {text[:40]!r} neither refused nor kept: {kept}")
        for field in ALONE_FIELDS:
            if field in ("country", "sea") and text not in COUNTRY_SAMPLE:
                continue  # see COUNTRY_SAMPLE
            got = _check(_with(field, text))
            if isinstance(got, LayerModel) and text not in set(_strings(got.model_dump())):
                wrong.append(f"{field} changed {text[:40]!r}")
    assert wrong == []
    assert not accepts("layer id", PAYLOADS[0].text) and accepts("layer id", "constructor")


def test_script_urls_are_refused_and_odd_https_urls_kept_whole() -> None:
    """A source's URL is http(s) only: javascript:, data:, vbscript:, a URL with spaces,
    quotes, angle brackets or line breaks is refused; the odd ones it takes stay as written."""
    assert [url for url in URLS_REFUSED if accepts("source url", url)] == []
    assert [url for url in URLS_ACCEPTED if not accepts("source url", url)] == []


#: Fields that name something elsewhere: the layer model takes any id, the atlas then finds
#: that it names nothing (a country or sea by its name).
REFERENCES: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "range around": lambda v, i: {"kind": "range", "around": v, "radius_km": 10.0},
    "link to": lambda v, i: {"kind": "link", "from": "a", "to": v},
    "cited source": lambda v, i: {"kind": "site", "role": "radar", "lat": 50.0, "lon": 20.0,
                                  "precision": "site", "sources": [v]},
    "country": lambda v, i: {"kind": "region", "shape": {"countries": [v]}},
    "sea": lambda v, i: {"kind": "region", "shape": {"seas": [v]}},
}  # fmt: skip


@pytest.mark.parametrize("field", list(REFERENCES))
def test_a_payload_that_names_nothing_is_a_layer_file_error(field: str, tmp_path: Path) -> None:
    """Every string of the corpus as a reference (to a site, a source, a country, a sea):
    `geo.load` answers a LayerFileError naming each feature, and nothing else. Strings that
    are valid ids go in a file of their own, which the model takes: the atlas refuses them."""
    cases = [c for c in CASES if c.text in COUNTRY_SAMPLE] if field in ("country", "sea") else CASES
    for part, chosen in (("ids", [c for c in cases if is_id(c.text)]),
                         ("others", [c for c in cases if not is_id(c.text)])):  # fmt: skip
        doc = _probe()
        doc["features"] = doc["features"][:1]
        for i, case in enumerate(chosen):
            made = REFERENCES[field](case.text, i)
            doc["features"].append({"id": f"x{i}", "name": "X", "sources": ["s1"], **made})
        folder = tmp_path / part
        folder.mkdir()
        (folder / "a.yaml").write_text(to_yaml(doc), encoding="utf-8")
        with pytest.raises(LayerFileError) as refused:
            geo.load(folder)
        problems = refused.value.problems
        named = {int(m) for p in problems for m in re.findall(r"^features\[(\d+)\]", p.path)}
        assert named == set(range(1, len(chosen) + 1)), part


# ---- the layer files carry the strings whole ----------------------------------------------


def test_the_layer_files_carry_every_string_whole(built: Built) -> None:
    """Precondition of what follows: loaded, the atlas holds each string exactly as written
    (YAML's escapes for CR, tab, U+2028, U+FEFF..., the model's checks)."""
    atlas = built.atlas
    assert atlas.title == ATLAS_TITLE
    for case in CASES:
        layer, doc = atlas.layer(case.layer_id), built.docs[case.layer_id]
        assert (layer.title, layer.group, layer.description, layer.notes) == (
            doc["title"], doc["group"], doc["description"], tuple(doc["notes"]))  # fmt: skip
        source = layer.sources[0]
        want = doc["sources"][0]
        assert (source.title, source.publisher, source.url, source.quote) == (
            want["title"], want["publisher"], want["url"], want.get("quote"))  # fmt: skip
        assert [e.name for e in layer.events] == [e["name"] for e in doc.get("events", [])]
        rows = {row["id"]: row for _, row in layer.features.iterrows()}
        for feature in doc["features"]:
            row = rows[feature["id"]]
            for key in ("name", "description", "uncertainty", "label"):
                got = row[key] if isinstance(row[key], str) else None  # NaN: none
                assert got == feature.get(key), (case.n, feature["id"], key)
            assert list(row["aliases"]) == feature.get("aliases", [])
            assert {k: row["parameters"][k] for k in feature["parameters"]} == feature["parameters"]


# ---- KML ------------------------------------------------------------------------------------


def _kml_data(mark: ET.Element) -> dict[str, str | None]:
    return {d.get("name", ""): d.findtext(f"{KML}value") for d in mark.iter(f"{KML}Data")}


def test_the_kml_is_well_formed_and_keeps_every_string_exactly(built: Built) -> None:
    """Parsed as XML, the KML gives back each string exactly, CR, tab and line separators
    included: the document, folder and placemark names, and every ExtendedData value."""
    root = ET.parse(built.kml).getroot()  # well-formed, or this raises
    assert root.findtext(f"{KML}Document/{KML}name") == ATLAS_TITLE
    folders = dict(zip(built.docs, root.iter(f"{KML}Folder"), strict=True))  # in layer order
    wrong = []
    for case in CASES:
        doc, folder = built.docs[case.layer_id], folders[case.layer_id]
        if folder.findtext(f"{KML}name") != doc["title"]:
            wrong.append(f"{case.layer_id} folder name: {folder.findtext(f'{KML}name')!r}")
        marks = {_kml_data(m)["id"]: m for m in folder.iter(f"{KML}Placemark")}
        source = doc["sources"][0]
        for feature in doc["features"]:
            mark = marks[feature["id"]]
            data = _kml_data(mark)
            got = {
                "name": mark.findtext(f"{KML}name"),
                **{k: data.get(k) for k in ("name", "description", "uncertainty", "label")},
                "layer_title": data["layer_title"],
                "group": data["group"],
                "aliases": json.loads(data["aliases"] or "null"),
                "parameters": {
                    k: v for k, v in json.loads(data["parameters"] or "{}").items()
                    if k in feature["parameters"]
                },
                "sources": [
                    {k: s.get(k) for k in source} for s in json.loads(data["sources"] or "[]")
                ],
            }  # fmt: skip
            want = {
                "name": feature["name"],
                **{k: feature.get(k) for k in ("name", "description", "uncertainty", "label")},
                "layer_title": doc["title"],
                "group": doc["group"],
                "aliases": feature.get("aliases", []),
                "parameters": feature["parameters"],
                "sources": [source],
            }
            wrong += [
                f"{feature['id']} {key}: {got[key]!r} != {want[key]!r}"
                for key in want
                if got[key] != want[key]
            ]
    assert wrong == []


#: What a KML viewer does with a description: HTML in a balloon, its scripts run. Each
#: balloon's text is returned: its paragraphs, table rows, list items and links.
BALLOONS_JS = """(balloons) => balloons.map((html) => {
  const box = document.createElement("div");
  document.body.appendChild(box);
  const range = document.createRange();
  range.selectNodeContents(box);
  box.appendChild(range.createContextualFragment(html));  // scripts inserted so do run
  const text = (n) => n.textContent;
  return {
    ps: [...box.querySelectorAll(":scope > p")].map(text),
    rows: [...box.querySelectorAll("tr")].map((tr) => [...tr.cells].map(text)),
    items: [...box.querySelectorAll("li")].map((li) => ({
      text: li.textContent, href: li.querySelector("a") && li.querySelector("a").getAttribute("href"),
    })),
    injected: box.querySelectorAll("script, img, svg, iframe, object, math, style").length,
  };
})"""


def render_balloons(opener: MapOpener, balloons: list[str]) -> tuple[list[Any], Page]:
    """Render `balloons` in a blank page with the sentinel; return what each shows."""
    page = opener.context.new_page()
    opener.watch_new(page, offline=True)
    page.goto("about:blank")
    shown = page.evaluate(BALLOONS_JS, balloons)
    page.wait_for_timeout(300)  # an image that fails to load reports after a moment
    return shown, page


def test_a_kml_viewer_that_runs_unescaped_balloons_would_be_caught(
    sentinel_map: MapOpener,
) -> None:
    """Positive control: the same rendering runs an unescaped payload and a script."""
    shown, page = render_balloons(
        sentinel_map,
        ["<p><img src=x onerror=__dmPwned(1)></p>", "<script>__dmPwned(2)</script>",
         '<p><img src=y onerror="__dmPwned(3);alert(3)"></p>'],
    )  # fmt: skip
    assert sorted(sentinel_hits(page)) == ["1", "2", "3"]
    assert sentinel_map.watch(page).dialogs == ["alert: 3"]
    assert [b["injected"] for b in shown] == [1, 1, 1]


def _source_balloon_text(source: dict[str, Any]) -> str:
    text = ", ".join(source[k] for k in ("title", "publisher", "date") if k in source)
    return text + (f" — “{source['quote']}”" if "quote" in source else "")


def test_kml_balloons_run_nothing_and_show_every_string_as_text(
    built: Built, sentinel_map: MapOpener
) -> None:
    """Every folder and placemark description, rendered as HTML whose scripts run: no
    sentinel call, dialog or error, no element made from a string, and each string shown as
    text where it belongs (the description, the table's rows, the sources with their links)."""
    root = ET.parse(built.kml).getroot()
    balloons, expected = [], []
    for doc, folder in zip(built.docs.values(), root.iter(f"{KML}Folder"), strict=True):
        balloons.append(folder.findtext(f"{KML}description") or "")
        expected.append((doc, None))
        for mark in folder.iter(f"{KML}Placemark"):
            fid = _kml_data(mark)["id"]
            balloons.append(mark.findtext(f"{KML}description") or "")
            expected.append((doc, next(f for f in doc["features"] if f["id"] == fid)))
    shown, page = render_balloons(sentinel_map, balloons)
    watch = sentinel_map.watch(page)
    assert sentinel_hits(page) == []
    assert watch.dialogs == [] and watch.errors == [] and watch.requested == []
    wrong = []
    for (doc, feature), got in zip(expected, shown, strict=True):
        where = f"{doc['id']}/{feature['id'] if feature else '(folder)'}"
        want_items = [
            {"text": html_text(_source_balloon_text(s)), "href": s.get("url")}
            for s in doc["sources"]
            if feature is None or s["id"] in feature["sources"]
        ]
        if got["injected"] or got["items"] != want_items:
            wrong.append(f"{where}: sources {got['items']} != {want_items}")
        if feature is None:
            period = "Period 2000 – 2030" if "period" in doc else None
            want_ps = [doc.get("description"), period, *doc.get("notes", [])]
            want_ps = [html_text(p) for p in want_ps if p] + (["Sources"] if want_items else [])
            if got["ps"] != want_ps:
                wrong.append(f"{where}: {got['ps']} != {want_ps}")
            continue
        rows = {tuple(row) for row in got["rows"]}
        params = feature.get("parameters", {})
        want_rows = {(html_text(k), html_text(str(v))) for k, v in params.items()}
        for label, key in (("Uncertainty", "uncertainty"), ("Label", "label")):
            if key in feature:
                want_rows.add((label, html_text(feature[key])))
        if feature.get("aliases"):
            want_rows.add(("Also known as", html_text(", ".join(feature["aliases"]))))
        if not want_rows <= rows:
            wrong.append(f"{where}: rows lack {want_rows - rows}")
        if "description" in feature and got["ps"][:1] != [html_text(feature["description"])]:
            wrong.append(f"{where}: description {got['ps'][:1]}")
    assert wrong == []


# ---- SVG ------------------------------------------------------------------------------------


def _svg_texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _in_order(stream: str, needles: list[str]) -> list[str]:
    """The needles not found in `stream` one after the other (each after the one before)."""
    missing, at = [], 0
    for needle in needles:
        found = stream.find(needle, at)
        if found < 0:
            missing.append(needle)
        else:
            at = found + len(needle)
    return missing


def test_the_svg_is_well_formed_and_shows_every_string_it_prints_exactly(svg: Svg) -> None:
    """Parsed as XML, the image's text is each string it prints (title, legend groups, layer
    titles, descriptions and notes, source titles, publishers and URLs, site names), in order
    and whole but for the white space where it wraps; its links go to the sources' URLs."""
    root = ET.parse(svg.path).getroot()  # well-formed, or this raises
    texts = _svg_texts(root)
    stream = "".join(no_space(text) for text in texts)  # each line, as the words it holds
    assert "more layer" not in stream and "More in the interactive map" not in stream
    legend = [no_space(ATLAS_TITLE)]
    for doc in svg.docs.values():
        legend += [no_space(doc[key]) for key in ("group", "title", "description")]
        legend += [no_space(note) for note in doc["notes"]]
    legend = [text for text in legend if text]
    assert _in_order(stream, legend) == []
    sources = []
    for doc in svg.docs.values():
        source = doc["sources"][0]
        sources += [no_space(source["title"].rstrip(".")), no_space(source["publisher"]),
                    no_space(source["url"])]  # fmt: skip
    assert _in_order(stream, [s for s in sources if s]) == []
    links = {a.get("{http://www.w3.org/1999/xlink}href") for a in root.iter(f"{SVG}a")}
    assert links == {doc["sources"][0]["url"] for doc in svg.docs.values()}
    # the labels beside the sites on the map, each line an element of its own
    labels: dict[str, list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        found = re.fullmatch(r"label-(.+)-(\d+)", group.get("id", ""))
        if found:
            labels.setdefault(found[1], []).append(no_space("".join(_svg_texts(group))))
    names = {f["id"]: f["name"] for d in svg.docs.values() for f in d["features"]}
    assert len(labels) >= len(names) // 2  # most sites have room for their name
    wrong = {
        fid: lines
        for fid, lines in labels.items()
        if "".join(lines) != no_space(names[fid]) + "†"  # uncertain: marked so
    }
    assert wrong == {}


def test_the_svg_opened_in_chromium_runs_nothing(
    svg: Svg, sentinel_map: MapOpener, tmp_path: Path
) -> None:
    """Opened as a document (file URL, image/svg+xml), the image calls no sentinel, opens no
    dialog, logs no error and requests nothing; the same opening of an SVG with an unescaped
    payload does call it (positive control)."""
    control = tmp_path / "control.svg"
    control.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>x</text>'
        "<script>__dmPwned(1)</script><image href='x' onerror='__dmPwned(2)'/></svg>",
        encoding="utf-8",
    )
    for path, want in ((control, ["1", "2"]), (svg.path, [])):
        page = sentinel_map.context.new_page()
        watch = sentinel_map.watch_new(page, offline=True)
        page.goto(path.as_uri())
        page.wait_for_timeout(300)
        assert sorted(sentinel_hits(page)) == want
        assert watch.dialogs == []
        if not want:
            assert watch.errors == [] and watch.requested == [path.as_uri()]
            assert page.evaluate("() => document.documentElement.localName") == "svg"
            assert page.locator("script, foreignObject, iframe, image").count() == 0
        page.close()


def test_a_long_word_in_a_layer_file_does_not_stall_the_static_image(tmp_path: Path) -> None:
    """A layer file costs little to draw whatever it holds (tests/test_hostile.py): a layer
    title of one 2,000-character word, which free text may be, is drawn into an SVG in well
    under two seconds, as the same title in words of nine letters is (about 0.5 s)."""
    import time

    def draw(title: str, name: str) -> float:
        doc = _probe()
        doc["title"] = title
        folder = tmp_path / name
        folder.mkdir()
        (folder / "a.yaml").write_text(to_yaml(doc), encoding="utf-8")
        atlas = geo.load(folder)
        started = time.perf_counter()
        atlas.to_svg(folder / "map.svg")
        return time.perf_counter() - started

    draw("warm up", "first")  # matplotlib's imports and the base map, once
    assert draw(" ".join(["abcdefghi"] * 200), "words") < 2.0
    assert draw("a" * 2000, "one-word") < 2.0


# ---- the interactive page -----------------------------------------------------------------

#: What the last popup opened shows, part by part.
_POPUP_JS = """const text = (n) => (n ? n.textContent : null);
  const shownPopup = () => {
    const boxes = document.querySelectorAll(".leaflet-popup .dm-popup");
    const box = boxes[boxes.length - 1];
    if (!box) { return null; }
    return {
      name: text(box.querySelector("h3")),
      meta: text(box.querySelector(".dm-meta")),
      uncertain: text(box.querySelector(".dm-uncertain")),
      plain: [...box.children].filter((c) => c.tagName === "DIV" && !c.className).map(text),
      rows: [...box.querySelectorAll("table tr")].map((tr) => [...tr.cells].map(text)),
      derived: text(box.querySelector(".dm-derived")),
      sources: [...box.querySelectorAll(".dm-sources li")].map((li) => ({
        title: text(li.childNodes[0]),
        href: li.querySelector("a") && li.querySelector("a").getAttribute("href"),
        protocol: li.querySelector("a") && li.querySelector("a").protocol,
        tail: li.childNodes[1] && li.childNodes[1].nodeType === 3 ? li.childNodes[1].textContent : null,
        quote: text(li.querySelector("blockquote")),
      })),
    };
  };"""
#: Open every feature's popup as a reader does without a mouse: Enter on a focused shape, a
#: click (Enter) on a marker. On a big screen every popup fits without moving the map, which
#: keeps this to seconds for 540 features. Return what each popup shows.
OPEN_ALL_JS = (
    "() => { "
    + _POPUP_JS
    + """
  const dm = window.defenseMap, out = {};
  // a popup closes at once instead of fading out over 200 ms: 540 fading popups, all in the
  // page when the loop ends, would take the next frame twenty seconds to draw
  dm.map._fadeAnimated = false;
  Object.keys(dm.overlays).forEach((id) => dm.overlays[id].eachLayer((l) => {
    if (!l.feature || l.dmOutline) { return; }
    const node = l._icon || l.getElement();
    if (l._icon) { node.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true })); }
    else { node.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true })); }
    out[l.feature.properties.id] = shownPopup();
  }));
  dm.map._fadeAnimated = true;
  return out; }"""
)
#: Open popups with the search box: type the feature's id, choose its result (the page's own
#: handlers: input, then mousedown on the option).
SEARCH_JS = (
    "(targets) => { "
    + _POPUP_JS
    + """
  const input = document.querySelector(".dm-search input"), out = {};
  targets.forEach(([layer, fid]) => {
    input.focus();
    input.value = fid;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const option = [...document.querySelectorAll(".dm-results [role=option]")]
      .find((o) => o.dataset.resultLayer === layer && o.dataset.resultFeature === fid);
    if (!option) { out[fid] = null; return; }
    option.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
    out[fid] = shownPopup();
  });
  return out; }"""
)
#: Search for each alias's tag ("zq007"): the result says the name, then the alias it matched.
ALIASES_JS = """(queries) => {
  const input = document.querySelector(".dm-search input");
  return queries.map(([fid, query]) => {
    input.value = query;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const option = document.querySelector(`.dm-results [data-result-feature="${fid}"] .dm-result-name`);
    return option && option.textContent;
  });
}"""
#: The features as the page holds them (its JSON, parsed).
DATA_JS = """() => { const out = {};
  Object.values(window.defenseMap.overlays).forEach((o) => o.eachLayer((l) => {
    if (!l.feature || l.dmOutline) { return; }
    const p = l.feature.properties;
    out[p.id] = { name: p.name, aliases: p.aliases || [], description: p.description,
      uncertainty: p.uncertainty, label: p.label === undefined ? null : p.label,
      parameters: Object.entries(p.parameters || {}) };  // entries: Playwright drops "__proto__" keys
  }));
  return out; }"""
#: Step the timeline from "all dates" through every event with its Next button.
TIMELINE_JS = """() => {
  const next = document.querySelector("[data-timeline=next]"), when = document.querySelector("[data-timeline=when]");
  const seen = [];
  while (!next.disabled && seen.length < 1000) { next.click(); seen.push(when.textContent); }
  return seen; }"""
PANELS_JS = """() => ({
  layers: [...document.querySelectorAll(".dm-layers input[data-layer-id]")].map((i) => [
    i.dataset.layerId, i.closest("label").lastChild.textContent, i.closest("label").getAttribute("title"), i.checked]),
  groups: [...document.querySelectorAll(".dm-layers input[data-group]")].map((i) => [
    i.getAttribute("data-group"), i.closest("label").lastChild.textContent]),
  legend: [...document.querySelectorAll(".dm-legend li")].map((li) => [
    li.dataset.legendLayer || li.dataset.legendDescription || "", li.className, li.textContent]),
  title: document.querySelector("title").textContent,
  heading: document.querySelector(".dm-title-text").textContent,
})"""
#: The text version: each layer section's heading and paragraphs, each feature's lines (split
#: at its <br>), each source.
TEXT_VERSION_JS = """() => {
  const list = document.getElementById("dm-text-version");
  const lines = (li) => { const out = [""]; li.childNodes.forEach((n) => {
    if (n.nodeName === "BR") { out.push(""); } else { out[out.length - 1] += n.textContent; } }); return out; };
  return {
    visible: !list.hidden && list.getBoundingClientRect().height > 0,
    heading: list.querySelector("h2").textContent,
    layers: Object.fromEntries([...list.querySelectorAll("[data-list-layer]")].map((s) => [s.dataset.listLayer, {
      title: s.querySelector("h3").textContent,
      ps: [...s.querySelectorAll(":scope > p:not(.dm-list-meta)")].map((p) => p.textContent),
      features: Object.fromEntries([...s.querySelectorAll("[data-list-feature]")].map((li) => [li.dataset.listFeature, {
        strong: li.querySelector("strong").textContent, lines: lines(li) }])),
    }])),
    sources: [...list.querySelectorAll("ol > li")].map((li) => ({
      title: li.childNodes[0].textContent, href: li.querySelector("a") && li.querySelector("a").getAttribute("href"),
      tail: li.childNodes[1] && li.childNodes[1].nodeType === 3 ? li.childNodes[1].textContent : null,
      quote: li.querySelector("blockquote") && li.querySelector("blockquote").textContent })),
  }; }"""
#: Elements a string would have made, event handlers, and links anywhere but to http(s).
INJECTED_JS = """() => {
  const made = document.querySelectorAll("iframe, object, embed, video, audio, marquee, details, math, "
    + "foreignObject, template, input[autofocus], [srcdoc], body body, img:not(.leaflet-tile)").length;
  const handlers = [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some(
    (a) => a.name.startsWith("on") || (/^(href|src|action|formaction|data|xlink:href|poster)$/.test(a.name)
      && !/^(https?:|#|blob:|data:image\\/)/i.test(a.value.trim())))).map((e) => e.outerHTML.slice(0, 120));
  return { made, handlers }; }"""


def _status_word() -> str:
    from geo.render.style import STATUS_WORDS

    return STATUS_WORDS["proposed"]


def _kind_word(kind: str) -> str:
    from geo.render.style import role_word

    return role_word("radar") or "radar" if kind == "site" else kind


def _popup_problems(doc: dict[str, Any], feature: dict[str, Any], got: Any) -> list[str]:
    """What one feature's popup shows that is not its strings, exactly."""
    if got is None:
        return [f"{feature['id']}: no popup opened"]
    source = doc["sources"][0]
    quote = f"“{source['quote']}”" if "quote" in source else None
    want = {
        "name": feature["name"],
        "meta": " · ".join([_kind_word(feature["kind"]), _status_word(), doc["title"]]),
        "uncertain": "⚠ Uncertain: " + feature["uncertainty"],
        "plain": [feature["description"]],
        "sources": [{"title": source["title"], "href": source["url"], "protocol": "https:",
                     "tail": f" — {source['publisher']}, {source['date']}", "quote": quote}],
    }  # fmt: skip
    wrong = [f"{feature['id']} {k}: {got[k]!r} != {v!r}" for k, v in want.items() if got[k] != v]
    rows = [tuple(row) for row in got["rows"]]
    wrong += [
        f"{feature['id']} parameter {k!r} not shown"
        for k, v in feature["parameters"].items()
        if (k, str(v)) not in rows
    ]
    if (feature["kind"] in ("range", "link") and "around" in feature) or "from" in feature:
        site = next(f for f in doc["features"] if f["kind"] == "site")
        if site["name"] not in (got["derived"] or ""):
            wrong.append(f"{feature['id']}: 'Drawn as' does not name the site: {got['derived']!r}")
    return wrong


def _text_version_problems(built: Built, got: dict[str, Any]) -> list[str]:
    """What the text version shows that is not the strings (as HTML reads them)."""
    h = html_text
    wrong = []
    if got["heading"] != h(ATLAS_TITLE) + ": the map as text":
        wrong.append(f"heading {got['heading']!r}")
    for case in CASES:
        doc = built.docs[case.layer_id]
        section = got["layers"].get(case.layer_id)
        if section is None:
            wrong.append(f"{case.layer_id}: no section")
            continue
        want_ps = [h(doc["description"]), *(f"Note: {h(n)}" for n in doc["notes"])]
        if (section["title"], section["ps"]) != (h(doc["title"]), want_ps):
            wrong.append(f"{case.layer_id}: {section['title']!r} {section['ps']!r}")
        for feature in doc["features"]:
            item = section["features"].get(feature["id"])
            if item is None or item["strong"] != h(feature["name"]):
                wrong.append(f"{feature['id']}: {item and item['strong']!r}")
                continue
            lines = item["lines"]
            for want in (f"Uncertain: {h(feature['uncertainty'])}", h(feature["description"])):
                if want not in lines:
                    wrong.append(f"{feature['id']}: no line {want!r} in {lines!r}")
            if feature["kind"] == "range" and not any(
                line.startswith(f"Where: {h(feature['label'])} — ") for line in lines
            ):
                wrong.append(f"{feature['id']}: the label is not where it is: {lines!r}")
            if feature["kind"] == "site":
                words = "; ".join(
                    f"{k}: {date_words(v) if isinstance(v, str) else v}"
                    for k, v in feature["parameters"].items()
                )
                if h(words) not in lines:
                    wrong.append(f"{feature['id']}: no line {h(words)!r} in {lines!r}")
    sources = {s["href"]: s for s in got["sources"]}
    for doc in built.docs.values():
        for source in doc["sources"]:
            shown = sources.get(source["url"])
            want = {"title": h(source["title"]), "href": source["url"],
                    "tail": None if "publisher" not in source else
                    f" — {h(source['publisher'])}, {date_words(source['date'])}",
                    "quote": h(source["quote"]) if "quote" in source else None}  # fmt: skip
            if shown != want:
                wrong.append(f"source {source['url']!r}: {shown!r} != {want!r}")
    return wrong


def _expected_timeline(built: Built) -> list[str]:
    events = sorted(
        (e["date"], e["name"]) for doc in built.docs.values() for e in doc.get("events", [])
    )
    out = []
    for day, name in events:
        d = dt.date.fromisoformat(day)
        out.append(f"as of {d.day} {MONTHS[d.month - 1]} {d.year}: {name}")
    return out


def test_the_page_with_every_layer_popup_and_panel_open_runs_nothing_and_shows_every_string(
    built: Built, sentinel_map: MapOpener
) -> None:
    """The offline page in Chromium: every layer switched on from the layer panel, every
    feature's popup opened from the search box, every alias found, the timeline stepped
    through every event, the text version opened. Nothing calls the sentinel, opens a dialog,
    logs an error or asks for a file; no string makes an element or an event handler; and each
    string is shown as text exactly where it belongs (the text version: as HTML reads it)."""
    page = sentinel_map(built.html, offline=True, viewport=(3840, 2400))
    watch = sentinel_map.watch(page)
    off = [c.layer_id for c in CASES if not built.docs[c.layer_id]["visible"]]
    assert off
    for layer_id in off:  # a reader's clicks on the layer panel
        page.locator(f'input[data-layer-id="{layer_id}"]').check()
    assert page.evaluate("() => Object.values(window.defenseMap.visible).every(Boolean)")

    popups = page.evaluate(OPEN_ALL_JS)
    page.set_viewport_size({"width": 1280, "height": 800})  # the rest moves the map: paint less
    by_search = [
        [c.layer_id, f["id"]] for c in CASES[::54] for f in built.docs[c.layer_id]["features"]
    ]
    popups_found = page.evaluate(SEARCH_JS, by_search)
    wrong = []
    for case in CASES:
        doc = built.docs[case.layer_id]
        for feature in doc["features"]:
            wrong += _popup_problems(doc, feature, popups.get(feature["id"]))
            if feature["id"] in popups_found:
                wrong += _popup_problems(doc, feature, popups_found[feature["id"]])
    assert wrong == []
    links = [(s["title"], s["href"], s["protocol"]) for s in popups["urls-site"]["sources"]]
    assert links == [
        (f"URL {i}", url, url.split(":")[0] + ":") for i, url in enumerate(URLS_ACCEPTED)
    ]
    # and as a reader types: the first payload's site, found by its id
    page.evaluate("() => { window.defenseMap.map.closePopup(); }")
    box = page.locator(".dm-search input")
    box.fill("")
    box.type(f"{CASES[0].fid}-site")
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup .dm-popup h3").last.text_content() == CASES[0].text
    page.keyboard.press("Escape")
    page.evaluate("() => { window.defenseMap.map.closePopup(); }")

    data = page.evaluate(DATA_JS)
    for case in CASES:
        for feature in built.docs[case.layer_id]["features"]:
            got = data[feature["id"]]
            got["parameters"] = dict(got["parameters"])
            want = {k: feature.get(k) for k in ("name", "description", "uncertainty", "label")}
            assert {k: got[k] for k in want} == want, feature["id"]
            assert got["aliases"] == feature.get("aliases", []), feature["id"]
            assert {k: got["parameters"].get(k) for k in feature["parameters"]} == feature[
                "parameters"
            ], feature["id"]
    queries = [
        [f["id"], f"zq{c.n:03d}", f"{f['name']} ({f['aliases'][-1]})"]
        for c in CASES
        for f in built.docs[c.layer_id]["features"][:1]
        if f.get("aliases", []) and f.get("aliases", [])[-1].startswith("zq")
    ]
    assert len(queries) >= len(CASES) // 2
    found = page.evaluate(ALIASES_JS, [q[:2] for q in queries])
    assert [q[2] for q in queries] == found

    panels = page.evaluate(PANELS_JS)
    assert panels["title"] == html_text(ATLAS_TITLE) and panels["heading"] == ATLAS_TITLE
    boxes = {row[0]: row[1:] for row in panels["layers"]}
    groups = {name: shown for name, shown in panels["groups"]}
    for case in CASES:
        doc = built.docs[case.layer_id]
        assert boxes[case.layer_id] == [doc["title"], doc["description"], True], case.layer_id
        assert groups[doc["group"]] == doc["group"], case.layer_id
    legend = [text for _, _, text in panels["legend"]]
    for case in CASES:
        doc = built.docs[case.layer_id]
        at = next(i for i, row in enumerate(panels["legend"]) if row[:2] == [case.layer_id, ""])
        want = [doc["title"], doc["description"], *(f"Note: {n}" for n in doc["notes"])]
        assert legend[at : at + len(want)] == want, case.layer_id

    assert page.evaluate(TIMELINE_JS) == _expected_timeline(built)

    page.locator(".dm-open-list").click()  # the text version, over the map
    text_version = page.evaluate(TEXT_VERSION_JS)
    assert text_version["visible"]
    assert _text_version_problems(built, text_version) == []

    page.wait_for_timeout(300)  # an image that fails to load reports after a moment
    assert sentinel_hits(page) == []
    assert watch.dialogs == [] and watch.errors == []
    assert watch.blocked == [] and watch.network() == []
    assert [u for u in watch.requested if not u.startswith(("data:", "blob:"))] == [
        built.html.resolve().as_uri()
    ]
    assert page.evaluate(INJECTED_JS) == {"made": 0, "handlers": []}


def test_the_page_watch_catches_an_unescaped_payload(
    built: Built, sentinel_map: MapOpener, tmp_path: Path
) -> None:
    """Positive control: the same page with one payload written into it unescaped (as a
    careless template would) calls the sentinel, opens the dialog and shows the element."""
    page_text = built.html.read_text(encoding="utf-8")
    bad = tmp_path / "bad.html"
    n = next(p.n for p in PAYLOADS if "alert(" in p.text)  # an image: sentinel, then alert
    payload = payload_of(n).text
    bad.write_text(page_text.replace("</body>", f"{payload}</body>", 1), encoding="utf-8")
    page = sentinel_map(bad, offline=True)
    watch = sentinel_map.watch(page)
    for _ in range(50):  # the image fails to load, then its handler runs
        if watch.dialogs:
            break
        page.wait_for_timeout(100)
    assert sentinel_hits(page) == [str(n)]
    assert watch.dialogs == [f"alert: {n}"]
    assert page.evaluate(INJECTED_JS)["made"] == 1
