"""The map as text: every layer, feature and source as an HTML list, readable with JavaScript
off and by screen readers.

`list_view_html` returns one ``<section>`` fragment for the map page. It holds no script, no
event handler and no style attribute; every text from the layers is escaped. The words come
from the look table (`geo.render.style`): a site is called what its legend entry calls it.

Sources are numbered once across the page, in atlas order. Two sources are one entry when a
reader would see the same thing twice: the same title, publisher, date, address and quote (the
id is not shown, so it does not count). Sources that share a title but quote different passages
stay apart, so that each citation leads to the passage that supports it. A feature cites them
in number order.

A page lists at most LIST_BUDGET features one by one (the smallest layers first); a layer
that does not fit is summed up: its features counted by kind and status.

Each feature is one list item of short lines (``<br/>``): name, kind, status and dates; where
it is; its parameters; what is uncertain; its description; its sources. The markup is also
well-formed XML, so the fragment can be checked (and embedded) as XHTML.

>>> import geo
>>> text = list_view_html(geo.load("tests/fixtures/basic"), element_id="dm-list")
>>> print(text.splitlines()[0])
<section class="dm-list" id="dm-list" aria-labelledby="dm-list-title">
>>> print(next(line for line in text.splitlines() if 'data-list-feature="radar-ring"' in line))
... # doctest: +NORMALIZE_WHITESPACE
<li data-list-feature="radar-ring"><strong>Nominal radar range</strong> — Range<br/>Where:
nominal — geodesic ring of 2,000 km around &lt;img src=x onerror=alert(1)&gt;<br/>Uncertain:
No source gives this range.<br/>Source: <a href="#dm-list-src-1">[1]</a></li>
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shapely.geometry.base import BaseGeometry

from geo.atlas_types import Atlas, Layer, Source
from geo.render.features import feature_records
from geo.render.style import PRECISION_WORDS, STATUS_WORDS, role_word

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_DATE = re.compile(r"([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?")
_ELEMENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# "from A", "to B", "around C" in a derivation: an endpoint, which may be a site id or "lat, lon"
_ENDPOINT = re.compile(r"\b(from|to|around) (.+?)(?= to |$)")
_LAT_LON = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?), (-?[0-9]+(?:\.[0-9]+)?)")
_COUNTRY_CODES = re.compile(r"countries: ([A-Z]{3}(?:, [A-Z]{3})*)")
_DATUM = " (WGS84)"  # the end of every range and link derivation: true of the whole map


#: the most features the text version lists one by one (`listed_layers`); a longer list is
#: hard to use, and would make a big map's page three times as heavy
LIST_BUDGET = 5_000


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


# --------------------------------------------------------------------------------------------
# Words: dates and coordinates
# --------------------------------------------------------------------------------------------


def date_words(iso: str | None) -> str | None:
    """Say an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) as a reader would; other text as written.

    >>> date_words("2011"), date_words("2007-01"), date_words("2009-09-07")
    ('2011', 'Jan 2007', '7 Sep 2009')
    >>> date_words("2007-06-07 (G8, Heiligendamm)"), date_words(None)
    ('2007-06-07 (G8, Heiligendamm)', None)
    """
    if iso is None:
        return None
    match = _ISO_DATE.fullmatch(str(iso))
    if match is None:
        return str(iso)
    year, month, day = match.groups()
    if month is None:
        return year
    words = f"{_MONTHS[int(month) - 1]} {year}"
    return words if day is None else f"{int(day)} {words}"


def span_words(start: str | None, end: str | None) -> str | None:
    """Say a period with open ends, or None when neither end is known.

    >>> span_words("2007-01", "2009-09-17")
    'from Jan 2007 to 17 Sep 2009'
    >>> span_words("2011", None), span_words(None, "2012-12"), span_words(None, None)
    ('from 2011', 'until Dec 2012', None)
    """
    first, last = date_words(start), date_words(end)
    if first and last:
        return f"from {first} to {last}"
    if first:
        return f"from {first}"
    return f"until {last}" if last else None


def _degree(value: float, positive: str, negative: str, decimals: int) -> str:
    rounded = round(value, decimals) + 0.0  # -0.0 is 0° E, not 0° W
    digits = f"{abs(rounded):.{decimals}f}".rstrip("0").rstrip(".")
    return f"{digits}° {positive if rounded >= 0 else negative}"


def degrees_words(lat: float, lon: float, *, decimals: int = 6) -> str:
    """Say a position in degrees, to the precision the numbers have (at most `decimals`).

    >>> degrees_words(49.706, 13.801)
    '49.706° N, 13.801° E'
    >>> degrees_words(-33.9, -0.0000001), degrees_words(56, 160)
    ('33.9° S, 0° E', '56° N, 160° E')
    """
    return f"{_degree(lat, 'N', 'S', decimals)}, {_degree(lon, 'E', 'W', decimals)}"


def _box_words(geom: BaseGeometry) -> str:
    west, south, east, north = geom.bounds
    lats = f"{_degree(south, 'N', 'S', 1)} and {_degree(north, 'N', 'S', 1)}"
    return f"between {lats}, {_degree(west, 'E', 'W', 1)} and {_degree(east, 'E', 'W', 1)}"


# --------------------------------------------------------------------------------------------
# Where a feature is, by kind
# --------------------------------------------------------------------------------------------


def _country_name(code: str) -> str:
    """A country's English name from the reference geography; the code where it has none."""
    try:
        from geo.reference import country_name

        return country_name(code)
    except (ImportError, OSError, KeyError):
        return code


def _derivation_words(text: str, site_names: Mapping[str, str]) -> str:
    """Make a derivation read well: site ids become names, "lat, lon" becomes degrees,
    country codes become names; the datum every shape shares is left out."""
    text = text.removesuffix(_DATUM)

    def endpoint(match: re.Match[str]) -> str:
        word, what = match.groups()
        if what in site_names:
            return f"{word} {site_names[what]}"
        pair = _LAT_LON.fullmatch(what)
        if pair is None:
            return match.group(0)
        return f"{word} {degrees_words(float(pair.group(1)), float(pair.group(2)))}"

    def countries(match: re.Match[str]) -> str:
        return "countries: " + ", ".join(_country_name(c) for c in match.group(1).split(", "))

    text = _ENDPOINT.sub(endpoint, text)
    if "countries: " in text:
        text = _COUNTRY_CODES.sub(countries, text)
    return text


Place = Callable[[Mapping[str, Any], BaseGeometry | None, Mapping[str, str]], str | None]


def _site_place(props: Mapping[str, Any], geom: BaseGeometry | None, _: Any) -> str | None:
    if geom is None or geom.is_empty:
        return None
    point = geom.representative_point()
    where = degrees_words(point.y, point.x)
    precision = props.get("precision")
    return f"{where} — {PRECISION_WORDS.get(precision, precision)}" if precision else where


def _range_place(props: Mapping[str, Any], _: Any, names: Mapping[str, str]) -> str | None:
    derivation = props.get("derivation")
    drawn = _derivation_words(derivation, names) if derivation else None
    label = props.get("label")
    return " — ".join(part for part in (label, drawn) if part) or None


def _link_place(props: Mapping[str, Any], geom: BaseGeometry | None, names: Any) -> str | None:
    if props.get("derivation"):
        return _derivation_words(props["derivation"], names)
    if geom is None or geom.is_empty:
        return None
    parts = list(getattr(geom, "geoms", [geom]))
    (lon1, lat1), (lon2, lat2) = parts[0].coords[0], parts[-1].coords[-1]
    return f"from {degrees_words(lat1, lon1)} to {degrees_words(lat2, lon2)}"


def _region_place(props: Mapping[str, Any], geom: BaseGeometry | None, names: Any) -> str | None:
    derivation = props.get("derivation") or ""
    if "countries: " in derivation or "seas: " in derivation:
        return _derivation_words(derivation, names)
    return None if geom is None or geom.is_empty else _box_words(geom)


_PLACES: Mapping[str, Place] = {
    "site": _site_place,
    "range": _range_place,
    "link": _link_place,
    "region": _region_place,
}


# --------------------------------------------------------------------------------------------
# Sources: numbered once across the page
# --------------------------------------------------------------------------------------------


def _source_key(source: Source) -> tuple[str | None, ...]:
    return (source.title, source.publisher, source.date, source.url, source.quote)


def number_sources(layers: Iterable[Layer]) -> tuple[list[Source], dict[tuple[str, str], int]]:
    """Number every source of every layer from 1, in order; a source shown exactly like an
    earlier one keeps that one's number. Return the sources to list and (layer id, source id)
    -> number.

    >>> from geo.atlas_types import Layer
    >>> same, other = Source("a", "Report"), Source("b", "Report", quote="Another passage")
    >>> one = Layer("one", "One", "G", None, sources=(same,))
    >>> two = Layer("two", "Two", "G", None, sources=(Source("x", "Report"), other))
    >>> listed, numbers = number_sources([one, two])
    >>> [s.id for s in listed], numbers
    (['a', 'b'], {('one', 'a'): 1, ('two', 'x'): 1, ('two', 'b'): 2})
    """
    listed: list[Source] = []
    by_key: dict[tuple[str | None, ...], int] = {}
    numbers: dict[tuple[str, str], int] = {}
    for layer in layers:
        for source in layer.sources:
            key = _source_key(source)
            if key not in by_key:
                listed.append(source)
                by_key[key] = len(listed)
            numbers[(layer.id, source.id)] = by_key[key]
    return listed, numbers


def _source_item(source: Source, number: int, element_id: str) -> str:
    title = _e(source.title)
    if source.url and source.url.lower().startswith(("https://", "http://")):
        title = f'<a href="{_e(source.url)}" rel="noopener noreferrer">{title}</a>'
    tail = ", ".join(_e(t) for t in (source.publisher, date_words(source.date)) if t)
    quote = f"<blockquote>{_e(source.quote)}</blockquote>" if source.quote else ""
    return f'<li id="{element_id}-src-{number}">{title}{" — " + tail if tail else ""}{quote}</li>'


# --------------------------------------------------------------------------------------------
# Layers and features
# --------------------------------------------------------------------------------------------


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]


def _kind_word(props: Mapping[str, Any]) -> str:
    kind = str(props.get("kind") or "feature")
    word = role_word(props.get("role") or "other") if kind == "site" else kind
    return _capital(word or kind)


def _parameter_words(parameters: Mapping[str, Any], place: str | None) -> str | None:
    """Parameters as 'key: value; …', leaving out values the place already states (a ring's
    radius, a fan's azimuth)."""
    shown = []
    for key, value in parameters.items():
        text = date_words(value) if isinstance(value, str) else _number_words(value)
        if place and re.search(rf"(?<![\w.,]){re.escape(str(value))}(?![\w.,])", place):
            continue
        shown.append(f"{key}: {text}")
    return "; ".join(shown) or None


def _number_words(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _feature_item(
    props: Mapping[str, Any],
    geom: BaseGeometry | None,
    *,
    cites: list[int],
    names: Mapping[str, str],
    element_id: str,
) -> str:
    kind = str(props.get("kind"))
    place_of = _PLACES.get(kind)
    place = place_of(props, geom, names) if place_of is not None else None
    status = props.get("status")
    head = [_kind_word(props), STATUS_WORDS.get(status, status) if status else None]
    head.append(span_words(props.get("date_from"), props.get("date_to")))
    lines = [f"<strong>{_e(props.get('name') or props['id'])}</strong> — "]
    lines[0] += _e(", ".join(word for word in head if word))
    if place:
        lines.append("Where: " + _e(place))
    numbers = _parameter_words(props.get("parameters") or {}, place if kind != "site" else None)
    lines += [_e(numbers)] if numbers else []
    lines += [f"Uncertain: {_e(props['uncertainty'])}"] if props.get("uncertainty") else []
    lines += [_e(props["description"])] if props.get("description") else []
    if cites:
        links = (f'<a href="#{element_id}-src-{n}">[{n}]</a>' for n in cites)
        lines.append(("Source: " if len(cites) == 1 else "Sources: ") + ", ".join(links))
    return f'<li data-list-feature="{_e(props["id"])}">{"<br/>".join(lines)}</li>'


def _layer_meta(layer: Layer) -> str:
    words = [layer.group, span_words(layer.period_from, layer.period_to)]
    words.append("shown when the map opens" if layer.visible else "off when the map opens")
    words.append("background" if layer.context else None)
    return " · ".join(_e(word) for word in words if word)


def _layer_section(
    layer: Layer,
    *,
    numbers: Mapping[tuple[str, str], int],
    names: Mapping[str, str],
    eid: str,
    listed: bool = True,
) -> list[str]:
    heading = f"{eid}-layer-{_e(layer.id)}"
    out = [
        f'<section class="dm-list-layer" data-list-layer="{_e(layer.id)}" '
        f'aria-labelledby="{heading}">',
        f'<h3 id="{heading}">{_e(layer.title)}</h3>',
        f'<p class="dm-list-meta">{_layer_meta(layer)}</p>',
    ]
    out += [f"<p>{_e(layer.description)}</p>"] if layer.description else []
    out += [f'<p class="dm-note">Note: {_e(note)}</p>' for note in layer.notes]
    if not listed:
        return [*out, _summary(layer), "</section>"]
    items = []
    for props, geom in feature_records(layer):
        cites = sorted({numbers[(layer.id, s["id"])] for s in props["sources"]})
        items.append(_feature_item(props, geom, cites=cites, names=names, element_id=eid))
    out += ["<ul>", *items, "</ul>"] if items else []
    return [*out, "</section>"]


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def listed_layers(atlas: Atlas, budget: int | None = None) -> frozenset[str]:
    """The ids of the layers whose features the text version lists one by one.

    A page lists at most `budget` (LIST_BUDGET) features: the layers with the fewest are
    listed while they fit; a bigger layer (a database's sites) is summed up instead.
    """
    budget = LIST_BUDGET if budget is None else budget
    listed, total = set(), 0
    for size, _, layer_id in sorted(
        (len(layer.features), i, layer.id) for i, layer in enumerate(atlas.layers)
    ):
        if total + size > budget:
            break
        listed.add(layer_id)
        total += size
    return frozenset(listed)


def _summary(layer: Layer) -> str:
    """A layer too big to list: how many features of each kind and status, and where to find
    each one."""
    frame = layer.features
    kinds: dict[str, int] = {}
    roles = frame["role"] if "role" in frame.columns else [None] * len(frame)
    for props in ({"kind": k, "role": r} for k, r in zip(frame["kind"], roles)):
        word = _kind_word(props)
        kinds[word] = kinds.get(word, 0) + 1
    statuses: dict[str, int] = {}
    for status in frame["status"] if "status" in frame.columns else []:
        if isinstance(status, str) and status:
            word = STATUS_WORDS.get(status, status)
            statuses[word] = statuses.get(word, 0) + 1
    counts = ", ".join(f"{_e(k)}: {n:,}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    status_words = ", ".join(
        f"{_e(k)}: {n:,}" for k, n in sorted(statuses.items(), key=lambda kv: -kv[1])
    )
    return (
        f'<p class="dm-list-summary">{_count(len(frame), "feature")}, too many to list here '
        f"one by one ({counts}; status {status_words}). The map's search finds each of them by "
        "name, alias or id, and the layer's GeoJSON, GeoPackage or KML export lists them all.</p>"
    )


def list_view_html(atlas: Atlas, *, element_id: str) -> str:
    """Return the map as an HTML list: each layer with its features, then the sources.

    `element_id` is the section's id and the prefix of every id in it (sources are
    ``{element_id}-src-1``, …). The same atlas gives the same text.

    >>> import geo
    >>> list_view_html(geo.load("tests/fixtures/basic"), element_id="1 list")
    Traceback (most recent call last):
    ...
    ValueError: element_id '1 list' is not a valid id; use a letter, then letters, digits, - or _
    """
    if not isinstance(element_id, str) or not _ELEMENT_ID.fullmatch(element_id):
        raise ValueError(
            f"element_id {element_id!r} is not a valid id; "
            "use a letter, then letters, digits, - or _"
        )
    sources, numbers = number_sources(atlas.layers)
    names = {
        str(fid): str(name)
        for layer in atlas.layers
        for fid, kind, name in zip(
            layer.features["id"], layer.features["kind"], layer.features["name"]
        )
        if kind == "site"
    }
    features = sum(len(layer.features) for layer in atlas.layers)
    out = [
        f'<section class="dm-list" id="{element_id}" aria-labelledby="{element_id}-title">',
        f'<h2 id="{element_id}-title">{_e(atlas.title)}: the map as text</h2>',
        f"<p>The map's {_count(len(atlas.layers), 'layer')} and {_count(features, 'feature')} "
        "in words, in the map's order: what each feature is, where, its status, dates and "
        "sources. On the interactive map each layer can be switched on and off.</p>",
    ]
    listed = listed_layers(atlas)
    if len(listed) < len(atlas.layers):
        out.append(
            f"<p>This text lists up to {LIST_BUDGET:,} features one by one; the biggest layers "
            "are summed up, and the map's search finds each of their features.</p>"
        )
    for layer in atlas.layers:
        out += _layer_section(
            layer, numbers=numbers, names=names, eid=element_id, listed=layer.id in listed
        )
    if sources:
        out += [f'<h3 id="{element_id}-sources">Sources</h3>', "<ol>"]
        out += [_source_item(s, n, element_id) for n, s in enumerate(sources, start=1)]
        out.append("</ol>")
    return "\n".join([*out, "</section>"])
