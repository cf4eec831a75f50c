"""The shipped story reads right: every quote is verbatim, the seeds' words are on the map, no
claim is dated after all of its sources, and the eastern sector has no sea holes.

Quotes are checked against the two source articles in ../shared/sources; those checks skip when
that folder is absent (the project never reads ../shared at run time).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point

import geo
from geo.atlas_types import Atlas, Layer, Source
from geo.regions import build_shape
from geo.schema import Shape

REPO = Path(__file__).resolve().parents[1]
SOURCES_DIR = REPO.parent / "shared" / "sources"
FACTS = REPO.parent / "shared" / "facts.md"

#: Undated sources that may still support a date, each with the reason it postdates what it is
#: cited for. Coordinate datasets and "general knowledge" are never here: they can place a site,
#: not date an event.
UNDATED_BUT_LATER = {
    "wp-poland-complex": "a living Wikipedia article, read for this project in 2024-25 (facts.md "
    "takes Redzikowo's opening of 13 November 2024 from it), so it postdates the 2008-09 "
    "agreements and cancellation it dates",
    "wp-deveselu": "a living Wikipedia article, read for this project in 2024-25, after the "
    "base went operational (12 May 2016)",
    "gabala-piglix": "a copy of Wikipedia's Gabala radar article that reports the closure at the "
    "end of 2012 in the past tense, so it was written after it",
}

#: The seeds' words: (layer that shows them, words in a source `quote`, words in the project's
#: own description). "…" stands for any text between the pieces, which must come in order.
SEEDS = {
    "Fried's common network": (
        "us-common-network-offer-2007",
        "a common system or common network of systems",
        "a common system or common network of systems",
    ),
    "NATO's two systems": (
        "nato-two-systems-2011",
        "two separate but integrated systems that would exchange data",
        "two separate but integrated systems that would exchange data",
    ),
    "Russia's single entity": (
        "russia-sectoral-2011",
        "single entity … responsibility for shooting down missiles traveling over a specific "
        "geographic region",
        "single entity … responsibility for shooting down missiles traveling over a specific "
        "geographic region",
    ),
    "the eastern sector": (
        "russia-sectoral-2011",
        "encompassing the territories of the contiguous states and seas",
        "encompassing the territories of the contiguous states and seas",
    ),
    "the joint centres": (
        "russia-sectoral-2011",
        "joint data processing center … joint fire control center",
        "joint data-processing and fire-control centres",
    ),
    "no interceptors outside Russia": (
        "russia-sectoral-2011",
        "no intentions to deploy missile interceptors outside of Russia",
        "no intentions to deploy missile interceptors outside of Russia",
    ),
    "Washington's refusal": (
        "nato-two-systems-2011",
        "would never place any NATO state's missile protection in the hands of Russia",
        "would never place any NATO state's missile protection in the hands of Russia",
    ),
}

_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_ELLIPSIS = re.compile(r"…|\.\.\.")
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
_LEADING_DATE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?![\d,])")


# --- helpers ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Fold quote-mark style and whitespace, nothing else.

    >>> normalise("“a  common\\n system’s”")
    '"a common system\\'s"'
    """
    return " ".join(text.translate(_QUOTE_MARKS).split())


def appears_in_order(quote: str, text: str) -> bool:
    """Whether `quote` is in `text` verbatim, an ellipsis standing for any text between pieces.

    >>> appears_in_order("one … three", "one two three"), appears_in_order("three … one", "one three")
    (True, False)
    """
    text, position = normalise(text), 0
    for piece in _ELLIPSIS.split(normalise(quote)):
        piece = piece.strip()
        if not piece:
            continue
        found = text.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def cut_without_ellipsis(quote: str, text: str) -> bool:
    """Whether a quote found in `text` starts or ends inside a sentence with no ellipsis there.

    >>> text = "It was cold. We left early, and came back late."
    >>> cut_without_ellipsis("We left early", text), cut_without_ellipsis("We left early …", text)
    (True, False)
    >>> cut_without_ellipsis("left early, and came back late.", text)
    True
    """
    quote, text = normalise(quote), normalise(text)
    pieces = [p.strip() for p in _ELLIPSIS.split(quote)]
    if pieces[-1] and not re.search(r"[.!?][\"']?$", pieces[-1]):
        return True
    if pieces[0]:
        before = text[: text.find(pieces[0])].rstrip()
        return bool(before) and before[-1] not in ".!?\"'"
    return False


def _key(title: str) -> str:
    """Letters and digits only, so that a title, its quoted form and a URL slug compare equal."""
    return re.sub(r"[^0-9a-z]", "", title.casefold())


@dataclass(frozen=True)
class Article:
    file: str
    title: str
    text: str


def articles() -> dict[str, Article]:
    """The shipped source articles by title key, as ../shared/sources/README.md lists them."""
    readme = SOURCES_DIR / "README.md"
    if not readme.is_file():
        pytest.skip(f"source articles not found at {SOURCES_DIR} (tests only)")
    found = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        row = re.match(r"\|\s*(\S+\.txt)\s*\|\s*\"([^\"]+)\"", line)
        if row:
            text = (SOURCES_DIR / row[1]).read_text(encoding="utf-8")
            found[_key(row[2])] = Article(row[1], row[2], text)
    assert found, f'{readme} lists no article (expected rows like | file.txt | "title" |)'
    return found


def article_of(source: Source, known: dict[str, Article]) -> Article | None:
    """The shipped article a source cites, matched by its title or its URL's last segment."""
    if _key(source.title) in known:
        return known[_key(source.title)]
    slug = source.url.rstrip("/").rsplit("/", 1)[-1] if source.url else ""
    return known.get(_key(slug)) if slug else None


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return geo.load(REPO / "layers")


def features(layer: Layer) -> Iterator[dict[str, Any]]:
    for _, row in layer.features.iterrows():
        yield row.to_dict()


def texts(feature: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The project's own words of a feature: (key, text)."""
    for key in ("name", "description", "uncertainty", "label"):
        if isinstance(feature.get(key), str):
            yield key, feature[key]
    for key, value in (feature.get("parameters") or {}).items():
        if isinstance(value, str):
            yield f"parameters[{key!r}]", value


# --- (a) quotes are verbatim -----------------------------------------------------------------


def test_every_quote_is_verbatim_in_the_article_it_cites(atlas: Atlas):
    known = articles()
    facts = FACTS.read_text(encoding="utf-8") if FACTS.is_file() else None
    problems, checked = [], set()
    for layer in atlas.layers:
        for source in layer.sources:
            if not source.quote:
                continue
            article = article_of(source, known)
            where = f"{layer.path}: source {source.id!r}"
            if article is not None:
                checked.add(article.file)
                if not appears_in_order(source.quote, article.text):
                    problems.append(f"{where}: quote not verbatim in {article.file}")
                elif cut_without_ellipsis(source.quote, article.text):
                    problems.append(f"{where}: quote cut inside a sentence with no ellipsis")
            elif facts is None:
                problems.append(f"{where}: quote of a source that is not a shipped article")
            elif not appears_in_order(source.quote, facts):
                problems.append(
                    f"{where}: quote is neither from a shipped article nor from facts.md"
                )
    assert not problems, "\n".join(problems)
    assert checked == {a.file for a in known.values()}, "every shipped article is quoted"


def test_words_in_quotation_marks_are_quotes_of_the_cited_sources(atlas: Atlas):
    """The project's own wording may quote a source, but never pretend to: words in quotation
    marks must stand in the `quote` of a source cited there (any of the layer's for its
    description and notes)."""
    problems = []
    for layer in atlas.layers:
        quotes = {s.id: s.quote for s in layer.sources if s.quote}
        own = [("description", layer.description or "")]
        own += [(f"notes[{i}]", note) for i, note in enumerate(layer.notes)]
        places = [(key, text, list(quotes.values())) for key, text in own]
        places += [
            (f"events[{i}].name", event.name, [quotes[s] for s in event.sources if s in quotes])
            for i, event in enumerate(layer.events)
        ]
        for feature in features(layer):
            cited = [quotes[s] for s in feature["sources"] if s in quotes]
            places += [(f"{feature['id']}.{key}", text, cited) for key, text in texts(feature)]
        for key, text, candidates in places:
            for match in _QUOTED.finditer(text):
                words = match[1] or match[2]
                if not any(appears_in_order(words, q) for q in candidates):
                    problems.append(f"{layer.path}: {key}: “{words}” is in no cited source's quote")
    assert not problems, "\n".join(problems)


# --- (b) the seeds' words are on the map -----------------------------------------------------


@pytest.mark.parametrize("seed", list(SEEDS))
def test_the_seeds_words_are_quoted_and_described(atlas: Atlas, seed: str):
    layer_id, in_quote, in_description = SEEDS[seed]
    layer = atlas.layer(layer_id)
    cited = {s for feature in features(layer) for s in feature["sources"]}
    quoted = [s.id for s in layer.sources if s.quote and appears_in_order(in_quote, s.quote)]
    assert quoted, f"{layer.path}: no source quote holds {in_quote!r}"
    assert cited & set(quoted), f"{layer.path}: no feature cites the source quoting {in_quote!r}"
    described = [layer.description or ""]
    described += [f["description"] for f in features(layer) if isinstance(f["description"], str)]
    assert any(appears_in_order(in_description, text) for text in described), (
        f"{layer.path}: neither the layer nor a feature description says {in_description!r}"
    )


# --- (c) no claim is dated after all of its sources ------------------------------------------


def span(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a YYYY, YYYY-MM or YYYY-MM-DD date may mean.

    >>> span("2008"), span("2012-02")[1], span("2011-04-29")[0]
    ((datetime.date(2008, 1, 1), datetime.date(2008, 12, 31)), datetime.date(2012, 2, 29), datetime.date(2011, 4, 29))
    """
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last)
    day = dt.date(*parts)
    return day, day


def claimed_dates(feature: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """A feature's dates: its period and any parameter whose value starts with a date."""
    for key in ("date_from", "date_to"):
        if isinstance(feature.get(key), str):
            yield key, feature[key]
    for key, value in (feature.get("parameters") or {}).items():
        found = _LEADING_DATE.match(value) if isinstance(value, str) else None
        if found:
            yield f"parameters[{key!r}]", found[1]


def undated_claims(claims: list[tuple[str, str]], sources: list[Source]) -> list[str]:
    """The claims dated after every source (a claim may be as late as the last day a source's
    date may mean); nothing if a cited source is undated but known to be later."""
    if any(s.id in UNDATED_BUT_LATER for s in sources):
        return []
    latest = max((span(s.date)[1] for s in sources if s.date), default=None)
    return [
        f"{key} {value} (latest dated source: {latest or 'none'})"
        for key, value in claims
        if latest is None or span(value)[0] > latest
    ]


def test_no_feature_is_dated_after_every_source_it_cites(atlas: Atlas):
    problems = []
    for layer in atlas.layers:
        by_id = {s.id: s for s in layer.sources}
        for feature in features(layer):
            sources = [by_id[s] for s in feature["sources"]]
            for claim in undated_claims(list(claimed_dates(feature)), sources):
                problems.append(f"{layer.path}: {feature['id']}: {claim}")
    assert not problems, "\n".join(problems)


def test_no_layer_period_is_after_every_source_of_the_layer(atlas: Atlas):
    problems = []
    for layer in atlas.layers:
        claims = [(k, v) for k, v in (("from", layer.period_from), ("to", layer.period_to)) if v]
        for claim in undated_claims(claims, list(layer.sources)):
            problems.append(f"{layer.path}: period {claim}")
    assert not problems, "\n".join(problems)


def test_no_event_is_dated_after_every_source_it_cites(atlas: Atlas):
    problems = []
    for layer in atlas.layers:
        by_id = {s.id: s for s in layer.sources}
        for i, event in enumerate(layer.events):
            sources = [by_id[s] for s in event.sources]
            for claim in undated_claims([("date", event.date)], sources):
                problems.append(f"{layer.path}: events[{i}] {event.name!r}: {claim}")
    assert not problems, "\n".join(problems)


def story_years(atlas: Atlas) -> tuple[dt.date, dt.date]:
    """The years the story spans, as the page's timeline counts them: the periods of the
    layers that are not context and their features' dates from the layer's start on."""
    years = []
    for layer in atlas.layers:
        if layer.context or not layer.period_from:
            continue
        start = span(layer.period_from)[0]
        dates = [layer.period_from, layer.period_to, *layer.features["date_from"]]
        dates += list(layer.features["date_to"])
        years += [span(d)[0].year for d in dates if isinstance(d, str) and span(d)[1] >= start]
    return dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)


def test_every_event_cites_its_layers_sources_and_lies_within_the_story(atlas: Atlas):
    """Within its layer's period (an open one runs to the story's end); a layer without a
    period (the context) within the story's years."""
    story_start, story_end = story_years(atlas)
    assert (story_start.year, story_end.year) == (2007, 2012)
    problems = []
    for layer in atlas.layers:
        own = {s.id for s in layer.sources}
        start = span(layer.period_from)[0] if layer.period_from else story_start
        end = span(layer.period_to)[1] if layer.period_to else story_end
        for i, event in enumerate(layer.events):
            where = f"{layer.path}: events[{i}] {event.name!r}"
            if not event.sources or not set(event.sources) <= own:
                problems.append(f"{where}: cites {event.sources}, not only sources of its layer")
            first, last = span(event.date)
            if last < start or first > end:
                problems.append(f"{where}: {event.date} is outside {start} – {end}")
    assert not problems, "\n".join(problems)
    assert sum(len(layer.events) for layer in atlas.layers) >= 10


def test_every_undated_source_allowed_to_date_claims_is_cited(atlas: Atlas):
    cited = {s for layer in atlas.layers for f in features(layer) for s in f["sources"]}
    assert set(UNDATED_BUT_LATER) <= cited, "drop the entries no feature cites any more"
    dated = {s.id for layer in atlas.layers for s in layer.sources if s.date}
    assert not set(UNDATED_BUT_LATER) & dated, "a dated source needs no entry"


def test_the_date_check_catches_a_claim_after_its_sources():
    early = Source(id="early", title="An early report", date="2007-10")
    assert undated_claims([("date_to", "2009-09-17")], [early]) == [
        "date_to 2009-09-17 (latest dated source: 2007-10-31)"
    ]
    assert undated_claims([("date_from", "2007-10-12")], [early]) == []
    assert undated_claims([("date_from", "2011")], [Source(id="dataset", title="A dataset")])


# --- (d) the eastern sector ------------------------------------------------------------------

SEA_POINTS = {"White Sea": (65.5, 38.0), "Sea of Azov": (46.0, 36.5)}  # (lat, lon)


@pytest.mark.parametrize("sea", list(SEA_POINTS))
def test_the_eastern_sector_has_no_hole_in_the_white_sea_or_the_sea_of_azov(atlas, sea):
    lat, lon = SEA_POINTS[sea]
    point = Point(lon, lat)
    assert build_shape(Shape.model_validate({"seas": [sea]})).contains(point), "a point of it"
    layer = atlas.layer("russia-sectoral-2011")
    sector = layer.features.set_index("id").loc["eastern-sector"].geometry
    assert sector.contains(point), f"{sea} ({lat} N, {lon} E) is a hole in the eastern sector"


def test_the_eastern_sector_says_what_it_chose_and_why(atlas: Atlas):
    layer = atlas.layer("russia-sectoral-2011")
    sector = layer.features.set_index("id").loc["eastern-sector"]
    for words in ("White Sea", "Sea of Azov", "Moldova", "60° E", "May 2012", "Baltic"):
        assert words in sector.description, words
    assert any("Crimea" in note and "2014" in note for note in layer.notes)
