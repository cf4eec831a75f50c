"""The layer model, version 1: what a layer file may say, checked once at the boundary.

`validate_document` turns a parsed YAML document into a `LayerModel` or raises
`LayerFileError` listing every problem of the file, each with its line and key path.
`json_schema()` is the same model as a JSON Schema for editors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from .errors import LayerFileError, Problem, character_words, did_you_mean
from .geodesy import MAX_BUFFER_KM, MAX_RADIUS_KM, MIN_BEAM_DEG, MIN_BUFFER_KM, MIN_RADIUS_KM
from .yamlio import Document, PathKey, format_path

if TYPE_CHECKING:
    from .reference._names import NameIndex

SCHEMA_VERSION = 1
STATUSES = ("proposed", "agreed", "operational", "cancelled")
ROLES = ("radar", "interceptors", "command", "launch", "naval", "city", "other")
PRECISIONS = ("site", "town", "approx")


def _anchored(core: str) -> str:
    r"""Anchor a regex at both ends of the text so that Python and JSON Schema agree.

    Python's `$` also matches before a final newline, JSON Schema's (ECMA-262) does not; the
    lookahead makes both refuse 'abc\n'. The same text is the model's check and the schema's
    `pattern`, so `check` and an editor accept the same values.

    >>> pattern = re.compile(_anchored("[a-z]+"))
    >>> bool(pattern.match("abc")), bool(pattern.match("abc\n")), bool(pattern.match("ab c"))
    (True, False, False)
    """
    return f"^(?:{core})$(?!\\n)"


ID_PATTERN = _anchored("[a-z0-9][a-z0-9_-]*")
COLOR_PATTERN = _anchored("#[0-9a-fA-F]{6}")
DASH_PATTERN = _anchored(r"[0-9]+(?:\.[0-9]+)?(?: [0-9]+(?:\.[0-9]+)?)*")
#: a surrogate pair: how a JavaScript pattern without the `u` flag sees a character beyond
#: U+FFFF, which classes that refuse lone surrogates must let through
_PAIR = r"[\ud800-\udbff][\udc00-\udfff]"
#: what no text may hold: control characters but tab, line feed and carriage return (C0, DEL
#: and C1: XML 1.0 forbids C0, and C1 is invisible, mostly mis-decoded Windows-1252), U+FFFE,
#: U+FFFF and halves of surrogate pairs (XML forbids them, UTF-8 cannot write them)
_NOT_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
#: text, any number of lines
TEXT_PATTERN = _anchored(f"(?:[^{_NOT_TEXT}]|{_PAIR})*")
#: no spaces (those of Python's `str.isspace` and of ECMA-262's `\s`), control characters,
#: quotes or angle brackets; spelt out because the two `\s` differ
URL_PATTERN = _anchored(
    r"https?://(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    r"\ufffe\uffff\ud800-\udfff<>"
    "\"']|" + _PAIR + ")+"
)
_MONTH_DAY = (
    "(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8])"
)
_LEAP_YEAR = "[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00"
#: YYYY, YYYY-MM or YYYY-MM-DD naming a real day of the (proleptic Gregorian) calendar;
#: there is no year 0000
DATE_PATTERN = _anchored(
    f"(?!0000)(?:[0-9]{{4}}(?:-(?:0[1-9]|1[0-2]))?|[0-9]{{4}}-(?:{_MONTH_DAY})"
    f"|(?:{_LEAP_YEAR})-02-29)"
)

_LINE_CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff"
_LINE_CHAR = f"(?:[^{_LINE_CONTROLS}]|{_PAIR})"
_LINE_END = f"(?:[^{_LINE_CONTROLS}\\x20]|{_PAIR})"
#: one line of text: no line breaks or other control characters (C0, C1, U+2028, U+2029), and
#: no space at either end (so not blank either); spelt out because the two `\s` differ
LINE_PATTERN = _anchored(f"{_LINE_END}(?:{_LINE_CHAR}*{_LINE_END})?")

_ID_RE = re.compile(ID_PATTERN)
_DATE_RE = re.compile(DATE_PATTERN)
_COLOR_RE = re.compile(COLOR_PATTERN)
_DASH_RE = re.compile(DASH_PATTERN)
_URL_RE = re.compile(URL_PATTERN)
_LINE_RE = re.compile(LINE_PATTERN)
_NOT_TEXT_RE = re.compile(f"[{_NOT_TEXT}]")

_ID_WORDS = "use lower-case letters, digits, - and _"
_DATE_WORDS = "write YYYY, YYYY-MM or YYYY-MM-DD with a real month and day"
_URL_WORDS = "use an http:// or https:// URL"
_COLOR_WORDS = "write #rrggbb, e.g. '#b03a2e'"
_DASH_WORDS = "write numbers such as '6 4'"
_LINE_WORDS = "write it on one line, with no control characters and no space at either end"
_TEXT_WORDS = (
    "text holds no control characters but tab and line breaks, and no U+FFFE, U+FFFF or "
    "half of a surrogate pair"
)
#: at most this many aliases per feature; at most this many characters in an event's name
MAX_ALIASES = 20
MAX_EVENT_NAME = 60
#: at most this many items in each list, characters in an id, a URL and a parameter's name:
#: far above any real layer, they keep a wrong file's errors few and its cost small
MAX_ITEMS = {
    "notes": 100,
    "sources": 1000,
    "events": 1000,
    "cited": 20,  # the sources one feature or event cites
    "parameters": 100,
    "polygon": 100_000,
    "shapes": 1000,  # the parts of a union, an intersection or a difference
    "countries": 300,
    "seas": 100,
}
MAX_ID_CHARS = 100
MAX_URL_CHARS = 2000
MAX_PARAMETER_NAME_CHARS = 100
#: the smallest buffer: what geodesy builds valid and the page still shows (1 m)
MIN_SHAPE_BUFFER_KM = MIN_BUFFER_KM
#: the ends of a link are at least this far apart (a shorter link is one place)
MIN_LINK_KM = 0.001
#: a file's problems are listed until there are this many; the features after are not checked,
#: so a wrong file costs little more than a right one (a list of points or of shapes reports
#: its first wrong item only, for the same reason)
MAX_FILE_PROBLEMS = 1000


def _pattern_schema(pattern: str, problem: str, allowed: str) -> dict[str, Any]:
    """The JSON Schema of text that must match `pattern`, with `check`'s words for editors
    that show `patternErrorMessage` (VS Code, yaml-language-server)."""
    return {"pattern": pattern, "patternErrorMessage": f"{problem}; {allowed}"}


def _short(value: Any) -> str:
    """A value as an error shows it: its repr, cut to 60 characters.

    >>> _short("Qabala"), _short("x" * 100)  # doctest: +ELLIPSIS
    ("'Qabala'", "'xxxxxxxx...xxx...")
    """
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_text(value: Any) -> Any:
    r"""Refuse text holding a character that JSON, XML (KML, SVG) or UTF-8 cannot carry whole.

    >>> _check_text("Qabala\tradar\n")
    'Qabala\tradar\n'
    >>> _check_text("Qab\x1bala")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: contains U+001B, a control character (position 4); text holds no control ...
    """
    if isinstance(value, str):
        bad = _NOT_TEXT_RE.search(value)
        if bad:
            where = f"{character_words(bad.group())} (position {bad.start() + 1})"
            raise ValueError(f"contains {where}; {_TEXT_WORDS}")
    return value


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and not _ID_RE.match(value):
        _check_text(value)
        raise ValueError(f"{_short(value)} is not a valid id; {_ID_WORDS}")
    return value


def _to_date_text(value: Any) -> Any:
    """Accept a year or 'YYYY[-MM[-DD]]' text naming a real month and day; keep it as text.

    >>> _to_date_text("2011-04-29"), _to_date_text(2007)
    ('2011-04-29', '2007')
    >>> _to_date_text("2011-02-30")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: '2011-02-30' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD with a real ...
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if isinstance(value, str) and _DATE_RE.match(value):
        return value
    _check_text(value)
    raise ValueError(f"{_short(value)} is not a date; {_DATE_WORDS}")


def _check_url(value: Any) -> Any:
    if isinstance(value, str) and not _URL_RE.match(value):
        _check_text(value)
        raise ValueError(f"{_short(value)} is not a web address; {_URL_WORDS}")
    return value


def _check_color(value: Any) -> Any:
    if isinstance(value, str) and not _COLOR_RE.match(value):
        _check_text(value)
        raise ValueError(f"{_short(value)} is not a colour; {_COLOR_WORDS}")
    return value


def _check_version(value: Any) -> Any:
    """Refuse `version: true`, which Python's `True == 1` would let through (JSON does not).

    >>> _check_version(1)
    1
    >>> _check_version(True)
    Traceback (most recent call last):
    ValueError: True is not allowed; expected one of '1'
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not allowed; expected one of '{SCHEMA_VERSION}'")
    return value


def _check_line(value: Any) -> Any:
    r"""Refuse text that is not one line: a line break, a control character, a space at an end.

    >>> _check_line("Qabala")
    'Qabala'
    >>> _check_line("Qa\nbala")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: 'Qa\nbala' is not one line of text; write it on one line, with no control ...
    """
    # empty text is left to the length check, which says so as it does for other texts
    if isinstance(value, str) and value and not _LINE_RE.match(value):
        _check_text(value)
        raise ValueError(f"{_short(value)} is not one line of text; {_LINE_WORDS}")
    return value


def _unique_aliases(values: list[str]) -> list[str]:
    """Refuse an alias listed twice (exactly as written, as JSON Schema's uniqueItems does).

    >>> _unique_aliases(["Qabala", "Kabala", "Qabala"])
    Traceback (most recent call last):
    ValueError: 'Qabala' is listed twice; list each alias once
    """
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{_short(value)} is listed twice; list each alias once")
        seen.add(value)
    return values


def _check_dash(value: Any) -> Any:
    if isinstance(value, str) and not _DASH_RE.match(value):
        _check_text(value)
        raise ValueError(f"{_short(value)} is not a dash pattern; {_DASH_WORDS}")
    return value


def _text_schema(pattern: str = "") -> dict[str, Any]:
    return _pattern_schema(pattern or TEXT_PATTERN, "holds a control character", _TEXT_WORDS)


def _at_least(minimum: float, words: str) -> AfterValidator:
    """Refuse a positive number below `minimum` (the bounds say which are positive)."""

    def check(value: float) -> float:
        if value < minimum:
            raise ValueError(f"{value:g} is too small; {words}")
        return value

    return AfterValidator(check)


Id = Annotated[
    str,
    BeforeValidator(_check_id),
    Field(
        max_length=MAX_ID_CHARS,
        description="lower-case id, e.g. 'brdy'",
        json_schema_extra=_pattern_schema(ID_PATTERN, "not a valid id", _ID_WORDS),
    ),
]
DateText = Annotated[
    str,
    BeforeValidator(_to_date_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", **_pattern_schema(DATE_PATTERN, "not a date", _DATE_WORDS)},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ],
            "description": "date: YYYY, YYYY-MM or YYYY-MM-DD",
            "examples": ["2011-04-29", 2007],
        }
    ),
]
Url = Annotated[
    str,
    BeforeValidator(_check_url),
    Field(
        max_length=MAX_URL_CHARS,
        description="http(s) URL",
        json_schema_extra=_pattern_schema(URL_PATTERN, "not a web address", _URL_WORDS),
    ),
]
Color = Annotated[
    str,
    BeforeValidator(_check_color),
    Field(
        description="#rrggbb colour",
        json_schema_extra=_pattern_schema(COLOR_PATTERN, "not a colour", _COLOR_WORDS),
    ),
]
Dash = Annotated[
    str,
    BeforeValidator(_check_dash),
    Field(
        description="dash pattern: lengths of dashes and gaps, e.g. '6 4'",
        json_schema_extra=_pattern_schema(DASH_PATTERN, "not a dash pattern", _DASH_WORDS),
    ),
]
Text = Annotated[
    str,
    BeforeValidator(_check_text),
    Field(min_length=1, max_length=2000, json_schema_extra=_text_schema()),
]
AliasText = Annotated[
    str,
    BeforeValidator(_check_line),
    Field(
        min_length=1,
        max_length=200,
        description="another name of the feature, on one line",
        json_schema_extra=_pattern_schema(LINE_PATTERN, "not one line of text", _LINE_WORDS),
    ),
]
EventName = Annotated[
    str,
    BeforeValidator(_check_line),
    Field(
        min_length=1,
        max_length=MAX_EVENT_NAME,
        description=f"a short name, on one line, at most {MAX_EVENT_NAME} characters: it is "
        "shown beside the timeline",
        json_schema_extra=_pattern_schema(LINE_PATTERN, "not one line of text", _LINE_WORDS),
    ),
]
Lat = Annotated[float, Field(ge=-90, le=90, description="latitude in degrees, -90..90")]
Lon = Annotated[float, Field(ge=-180, le=180, description="longitude in degrees, -180..180")]


# --- country and sea names ----------------------------------------------------------------
#
# `geo.reference` folds case, accents, dots and spacing before it looks a name up. The layer
# model accepts the subset of that which a JSON Schema pattern can say compactly: a listed
# spelling (code, English name, alias) in any letter case, with or without dots, with or
# without the accents that spelling has, with extra spaces. The pattern is both the check and
# the schema, so an editor and `check` accept the same names.

PLACE_KINDS = ("country", "sea")


def place_spellings(kind: str) -> list[str]:
    """Return every listed spelling of the countries (alpha-3 code, English name, aliases,
    numeric code) or of the seas (name, aliases) that `geo.reference` knows.

    >>> "Türkiye" in place_spellings("country"), "Baltic proper" in place_spellings("sea")
    (True, True)
    """
    from .reference import _world  # the gazetteer loads its data on first use

    data = _world.world()
    if kind == "sea":
        return [s for name, obj in data.seas.items() for s in (name, *obj["properties"]["aliases"])]
    spellings = []
    for code, obj in data.countries.items():
        props = obj["properties"]
        numeric = [props["iso_n3"]] if props.get("iso_n3") else []
        spellings += [code, props["name"], *props["aliases"], *numeric]
    return spellings


@functools.cache
def place_name_pattern(kind: str) -> str:
    r"""Return the regex (Python and ECMA-262 alike) of the names of a country or a sea.

    >>> pattern = re.compile(place_name_pattern("sea"))
    >>> [bool(pattern.match(n)) for n in ("Baltic Sea", "BALTIC  sea", "Baltic Sea\n", "Baltik")]
    [True, True, False, False]
    """
    trie: dict[str, Any] = {}
    for key, places in sorted(_written_forms(kind).items()):
        node = trie
        for base, chars in zip(key, places):
            node = node.setdefault(_name_token(base, chars), {})
        node[""] = {}
    return _anchored("[ .]*" + _alternatives(trie) + "[ .]*")


def _written_forms(kind: str) -> dict[str, list[set[str]]]:
    """Map each folded name to the characters its listed spellings use at each place.

    >>> _written_forms("country")["turkiye"][:2], _written_forms("sea")["baltic sea"][0]
    ([{'T'}, {'ü'}], {'B'})
    """
    from .reference._names import normalize

    forms: dict[str, list[set[str]]] = {}
    for spelling in place_spellings(kind):
        key = normalize(spelling)
        chars = " ".join(spelling.replace(".", "").split())
        if len(chars) != len(key) or any(normalize(c) not in (b, "") for c, b in zip(chars, key)):
            raise ValueError(f"cannot write {spelling!r} as a pattern: a letter folds to two")
        places = forms.setdefault(key, [set() for _ in key])
        for place, char in zip(places, chars):
            place.add(char)
    return forms


def _name_token(base: str, chars: set[str]) -> str:
    r"""The regex of one character of a name: any case, accented as listed (precomposed or
    not), then any dots.

    >>> _name_token("u", {"u", "ü"}), _name_token(" ", {" "}), _name_token("(", {"("})
    ('(?:[Uu\\u00dc\\u00fc]|[Uu]\\u0308)\\.*', ' [ .]*', '\\(\\.*')
    """
    if base == " ":
        return " [ .]*"
    if not base.isalpha():
        return _regex_char(base) + r"\.*"
    plain = "[" + "".join(sorted({base, base.upper()})) + "]"
    accented = sorted({c for char in chars for c in (char.lower(), char.upper())} - set(plain))
    if not accented:
        return plain + r"\.*"
    marks = sorted({unicodedata.normalize("NFD", c.lower())[1:] for c in accented})
    either = ["[" + "".join(map(_regex_char, sorted({*accented, base, base.upper()}))) + "]"]
    either += [plain + "".join(map(_regex_char, m)) for m in marks]
    return "(?:" + "|".join(either) + r")\.*"


def _regex_char(char: str) -> str:
    r"""Write one character for a regex that Python and ECMA-262 (with or without the `u`
    flag) read alike: syntax characters escaped, anything beyond ASCII as \uXXXX.

    >>> _regex_char("("), _regex_char("-"), _regex_char("\u0308")
    ('\\(', '-', '\\u0308')
    """
    if char in "^$\\.*+?()[]{}|":
        return "\\" + char
    return char if char.isascii() else f"\\u{ord(char):04x}"


def _alternatives(node: dict[str, Any]) -> str:
    """Write a trie of regex tokens as nested alternatives; '' marks where a name may end."""
    branches = [token + _alternatives(child) for token, child in sorted(node.items()) if token]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")


@functools.cache
def _place_name_regex(kind: str) -> re.Pattern[str]:
    return re.compile(place_name_pattern(kind))


@functools.cache
def _listed_spellings(kind: str) -> frozenset[str]:
    """The listed spellings of a kind of place, as written and in upper and lower case: each
    matches the pattern, so a layer that uses them needs no regex (compiling the country
    pattern takes about a second)."""
    return frozenset(
        form
        for spelling in place_spellings(kind)
        for form in (spelling, spelling.upper(), spelling.lower())
    )


def _check_place_name(kind: str, value: Any) -> Any:
    """Refuse a known place spelt with letters the pattern does not allow; names that are not
    known at all are reported where the shape is built, with suggestions."""
    # a long text is no place name: the length check says so, without a costly search
    if not isinstance(value, str) or len(value) > 200 or value in _listed_spellings(kind):
        return value
    if _place_name_regex(kind).match(value):
        return value
    index = _place_index(kind)
    found = index.find(value)  # unknown: said where the shape is built
    if found is None:
        return value
    raise ValueError(
        f"{_short(value)} writes {index.labels[found]} with characters the layer model does not "
        "accept; write its code or a listed name: letter case, dots and extra spaces do not "
        "matter, and accents may be left out"
    )


def _place_index(kind: str) -> NameIndex:
    from .reference import _world

    data = _world.world()
    return data.country_index if kind == "country" else data.sea_index


def _check_country(value: Any) -> Any:
    return _check_place_name("country", value)


def _check_sea(value: Any) -> Any:
    return _check_place_name("sea", value)


@dataclasses.dataclass(frozen=True)
class _PlaceNameSchema:
    """Annotation: the JSON Schema of a country or sea name, made when the schema is asked for
    (it needs the reference data)."""

    kind: str

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        from . import reference

        index = _place_index(self.kind)
        pattern = place_name_pattern(self.kind)
        schema = dict(handler(core_schema))
        schema.update(_pattern_schema(pattern, f"unknown {self.kind}", index.hint))
        # what an editor offers to complete: the codes and English names, or the sea names
        names = reference.country_names() if self.kind == "country" else []
        schema["examples"] = sorted(index.labels) + names
        return schema


CountryName = Annotated[Text, BeforeValidator(_check_country), _PlaceNameSchema("country")]
SeaName = Annotated[Text, BeforeValidator(_check_sea), _PlaceNameSchema("sea")]


# --- rules between keys, for the JSON Schema -----------------------------------------------
#
# The model validators below check them in Python; these say the same to editors. A key set
# to null counts as absent in the model, so "given" means present and not null.


def _given(key: str) -> dict[str, Any]:
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _exactly_one_of(*keys: str) -> dict[str, Any]:
    return {"oneOf": [_given(k) for k in keys]}


def _both_or_neither(a: str, b: str) -> dict[str, Any]:
    return {"allOf": [{"if": _given(a), "then": _given(b)}, {"if": _given(b), "then": _given(a)}]}


def _cites_a_source(schema: dict[str, Any]) -> None:
    """The atlas refuses a feature that names no source: the schema asks for one."""
    schema["required"].append("sources")
    schema["properties"]["sources"]["minItems"] = 1


def _range_rules(schema: dict[str, Any]) -> None:
    _cites_a_source(schema)
    schema.update(_exactly_one_of("around", "center"))
    schema.update(_both_or_neither("azimuth_deg", "beam_deg"))


class _Strict(BaseModel):
    # strict: a quoted "54" is text, not a latitude; a number is never read out of a string
    # no inf or nan: JSON cannot write them, and no shape is infinite
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False
    )


class Point(_Strict):
    """A point written with named keys: `{lat: 54.47, lon: 17.12}`."""

    lat: Lat
    lon: Lon


class Period(_Strict):
    """When something applies: `{from: 2007-01, to: 2009-09-17}` (`to` optional)."""

    from_: DateText = Field(alias="from")
    to: DateText | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Period:
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_}); swap them")
        return self


class SourceModel(_Strict):
    """A source, cited by id from features: title, publisher, date, URL and a short quote."""

    id: Id
    title: Text
    publisher: Text | None = None
    date: DateText | None = None
    url: Url | None = None
    quote: (
        Annotated[
            str,
            BeforeValidator(_check_text),
            Field(max_length=600, json_schema_extra=_text_schema()),
        ]
        | None
    ) = None


class EventModel(_Strict):
    """A named moment of the layer's story, for the timeline: its date, a short name and the
    sources of the layer that report it."""

    date: DateText
    name: EventName
    sources: Annotated[list[Id], Field(min_length=1, max_length=MAX_ITEMS["cited"])] = Field(
        description="ids of this layer's sources that report the event (at least one)"
    )


class StyleModel(_Strict):
    """How a layer looks (kept apart from what it shows)."""

    color: Color = "#3366cc"
    fill_color: Color | None = None
    fill_opacity: Annotated[float, Field(ge=0, le=1)] = 0.15
    opacity: Annotated[float, Field(ge=0, le=1)] = 0.9
    weight: Annotated[float, Field(gt=0, le=20)] = 2.0
    dash: Dash | None = None


ParameterName = Annotated[
    str, BeforeValidator(_check_text), Field(min_length=1, max_length=MAX_PARAMETER_NAME_CHARS)
]
ParameterText = Annotated[str, Field(max_length=2000, json_schema_extra=_text_schema())]


def _check_parameter(value: Any) -> Any:
    """Say in one error what is wrong with a parameter's value (not one error per type it
    could have been).

    >>> _check_parameter([1])
    Traceback (most recent call last):
    ValueError: got [1] (a list); expected text, a number or true/false
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"got {_describe(value)}; expected a finite number")
    if isinstance(value, str):
        return _check_text(value)
    if not isinstance(value, (int, float)):  # bool is an int
        raise ValueError(f"got {_describe(value)}; expected text, a number or true/false")
    return value


ParameterValue = Annotated[
    Union[ParameterText, int, float, bool],  # noqa: UP007 (a runtime union)
    BeforeValidator(_check_parameter),
]


def _parameter_names(schema: dict[str, Any]) -> None:
    """A parameter's name is text too (pydantic says only how long it is)."""
    schema.setdefault("propertyNames", {})["pattern"] = TEXT_PATTERN


class _FeatureBase(_Strict):
    model_config = ConfigDict(json_schema_extra=_cites_a_source)

    id: Id
    name: Text
    aliases: Annotated[
        list[AliasText], Field(max_length=MAX_ALIASES), AfterValidator(_unique_aliases)
    ] = Field(
        default_factory=list,
        description="other names the feature is known by: other spellings, transliterations, "
        f"former names (each once, at most {MAX_ALIASES})",
        examples=[["Qabala"]],
        json_schema_extra={"uniqueItems": True},
    )
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    period: Period | None = None
    sources: Annotated[list[Id], Field(max_length=MAX_ITEMS["cited"])] = Field(default_factory=list)
    description: Text | None = None
    uncertainty: Text | None = Field(
        default=None, description="what is uncertain; shown as a warning on the map"
    )
    parameters: Annotated[
        dict[ParameterName, ParameterValue], Field(max_length=MAX_ITEMS["parameters"])
    ] = Field(default_factory=dict, json_schema_extra=_parameter_names)


class Site(_FeatureBase):
    """A place: radar, interceptor base, command centre, launch area, naval base or city."""

    kind: Literal["site"]
    role: Literal[ROLES]  # type: ignore[valid-type]
    lat: Lat
    lon: Lon
    precision: Literal[PRECISIONS]  # type: ignore[valid-type]


SHAPE_OPERANDS = ("polygon", "union", "intersection", "difference", "countries", "seas")


class Shape(_Strict):
    """A region's shape: exactly one of polygon, union, intersection, difference, countries,
    seas; then optionally `buffer_km` (geodesic) and `clip` (keep only sea or land)."""

    model_config = ConfigDict(json_schema_extra=_exactly_one_of(*SHAPE_OPERANDS))

    polygon: (
        Annotated[list[Point], Field(min_length=3, max_length=MAX_ITEMS["polygon"], fail_fast=True)]
        | None
    ) = Field(
        default=None,
        description="corners in order, edges straight in lon/lat",
        examples=[[{"lat": 50, "lon": 20}, {"lat": 56, "lon": 20}, {"lat": 56, "lon": 30}]],
    )
    union: (
        Annotated[list[Shape], Field(min_length=1, max_length=MAX_ITEMS["shapes"], fail_fast=True)]
        | None
    ) = Field(
        default=None,
        description="everything in any of the shapes",
        examples=[
            [
                {"seas": ["Barents Sea", "Baltic Sea", "Black Sea"]},
                {"countries": ["BLR", "UKR", "MDA"]},
            ]
        ],
    )
    intersection: (
        Annotated[list[Shape], Field(min_length=2, max_length=MAX_ITEMS["shapes"], fail_fast=True)]
        | None
    ) = Field(
        default=None,
        description="only what all the shapes share",
        examples=[
            [
                {"countries": ["RUS"]},
                {
                    "polygon": [
                        {"lat": 40, "lon": 19},
                        {"lat": 82, "lon": 19},
                        {"lat": 82, "lon": 60},
                        {"lat": 40, "lon": 60},
                    ]
                },
            ]
        ],
    )
    difference: (
        Annotated[list[Shape], Field(min_length=2, max_length=MAX_ITEMS["shapes"], fail_fast=True)]
        | None
    ) = Field(
        default=None,
        description="the first shape minus all the others",
        examples=[[{"countries": ["POL"]}, {"seas": ["Baltic Sea"]}]],
    )
    countries: (
        Annotated[list[CountryName], Field(min_length=1, max_length=MAX_ITEMS["countries"])] | None
    ) = Field(
        default=None,
        description="countries by ISO 3166 alpha-3 code or English name (letter case, dots and "
        "extra spaces do not matter; accents may be left out); Natural Earth 1:50m borders",
        examples=[["BLR", "UKR", "MDA"], ["Poland", "Czech Republic"]],
    )
    seas: Annotated[list[SeaName], Field(min_length=1, max_length=MAX_ITEMS["seas"])] | None = (
        Field(
            default=None,
            description="named seas (IHO S-23 limits, water only): Barents Sea, Baltic Sea (with "
            "its gulfs), Baltic Sea (proper), Gulf of Bothnia, Gulf of Finland, Gulf of Riga, "
            "Black Sea, Sea of Azov, White Sea, Kara Sea, Norwegian Sea, North Sea, Mediterranean "
            "Sea, ... (an unknown name lists the known ones)",
            examples=[["Barents Sea", "Baltic Sea", "Black Sea"]],
        )
    )
    buffer_km: (
        Annotated[
            float,
            Field(gt=0, le=MAX_BUFFER_KM, json_schema_extra={"minimum": MIN_SHAPE_BUFFER_KM}),
            _at_least(
                MIN_SHAPE_BUFFER_KM,
                f"a buffer must be at least {MIN_SHAPE_BUFFER_KM:g} km "
                f"({MIN_SHAPE_BUFFER_KM * 1000:g} m)",
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="widen the shape by this geodesic distance",
        examples=[50],
    )
    clip: Literal["sea", "land"] | None = Field(
        default=None,
        description="keep only the water ('sea') or only the land ('land')",
        examples=["sea"],
    )

    @model_validator(mode="after")
    def _exactly_one_operand(self) -> Shape:
        given = [k for k in SHAPE_OPERANDS if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"a shape needs exactly one of {', '.join(SHAPE_OPERANDS)} (found {found})"
            )
        return self


class Region(_FeatureBase):
    """An area: a proposed sector, a sea, a group of countries."""

    kind: Literal["region"]
    shape: Shape


def _endpoint(value: Any) -> Any:
    if isinstance(value, (str, dict)):
        return value
    raise ValueError(f"{value!r} is not a site id or a point; write a site id or {{lat:, lon:}}")


def _endpoint_tag(value: Any) -> str:
    return "point" if isinstance(value, (dict, Point)) else "site"


Endpoint = Annotated[
    Union[Annotated[Id, Tag("site")], Annotated[Point, Tag("point")]],  # noqa: UP007
    Discriminator(_endpoint_tag),
    BeforeValidator(_endpoint),
]


class Range(_FeatureBase):
    """A geodesic ring around a site or point; an annulus with min_radius_km; a radar fan
    with azimuth_deg and beam_deg."""

    model_config = ConfigDict(json_schema_extra=_range_rules)

    kind: Literal["range"]
    around: Id | None = None
    center: Point | None = None
    radius_km: Annotated[
        float,
        Field(gt=0, le=MAX_RADIUS_KM, json_schema_extra={"minimum": MIN_RADIUS_KM}),
        _at_least(
            MIN_RADIUS_KM,
            f"a radius must be at least {MIN_RADIUS_KM:g} km ({MIN_RADIUS_KM * 1000:g} m)",
        ),
    ]
    min_radius_km: Annotated[float, Field(ge=0, le=MAX_RADIUS_KM)] | None = None
    azimuth_deg: Annotated[float, Field(ge=0, lt=360)] | None = None
    beam_deg: (
        Annotated[
            float,
            Field(gt=0, le=360, json_schema_extra={"minimum": MIN_BEAM_DEG}),
            _at_least(MIN_BEAM_DEG, f"a beam must be at least {MIN_BEAM_DEG:g}° wide"),
        ]
        | None
    ) = None
    label: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Range:
        if (self.around is None) == (self.center is None):
            raise ValueError("give exactly one of 'around' (a site id) or 'center' ({lat:, lon:})")
        if self.min_radius_km is not None and self.min_radius_km >= self.radius_km:
            raise ValueError(
                f"min_radius_km ({self.min_radius_km:g}) must be less than radius_km "
                f"({self.radius_km:g})"
            )
        if self.min_radius_km is not None and self.min_radius_km > self.radius_km - MIN_RADIUS_KM:
            raise ValueError(
                f"min_radius_km ({self.min_radius_km:g}) leaves a band thinner than "
                f"{MIN_RADIUS_KM * 1000:g} m; make it at least {MIN_RADIUS_KM:g} km less than "
                f"radius_km ({self.radius_km:g})"
            )
        if (self.azimuth_deg is None) != (self.beam_deg is None):
            raise ValueError("a radar fan needs both azimuth_deg and beam_deg")
        return self


class Link(_FeatureBase):
    """A great-circle (geodesic) line between two sites or points."""

    kind: Literal["link"]
    from_: Endpoint = Field(alias="from")
    to: Endpoint
    label: Text | None = None

    @model_validator(mode="after")
    def _two_places(self) -> Link:
        if self.from_ == self.to:
            raise ValueError("a link needs two different places; 'from' and 'to' are the same")
        if isinstance(self.from_, Point) and isinstance(self.to, Point):
            problem = link_ends_problem(self.from_.lat, self.from_.lon, self.to.lat, self.to.lon)
            if problem:
                raise ValueError(problem)
        return self


def link_ends_problem(lat1: float, lon1: float, lat2: float, lon2: float) -> str | None:
    """Say why a link between two points is no line (`problem; what is allowed`), or None.

    Two spellings of one place are one place: a pole at any longitude, longitude 180 and -180.
    The atlas calls this for ends named by site ids, whose coordinates the model cannot see.

    >>> link_ends_problem(90, 0, 90, 120)  # doctest: +ELLIPSIS
    "'from' and 'to' are one place (less than 1 m apart); a link joins two places at least ..."
    >>> link_ends_problem(10, 180, 10, -180) is not None, link_ends_problem(50, 20, 50, 21)
    (True, None)
    """
    apart_km = _haversine_km(lat1, lon1, lat2, lon2)
    if apart_km >= MIN_LINK_KM:
        return None
    return (
        f"'from' and 'to' are one place (less than {MIN_LINK_KM * 1000:g} m apart); a link "
        f"joins two places at least {MIN_LINK_KM * 1000:g} m apart"
    )


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on a sphere of the Earth's mean radius: within 0.5 % of the ellipsoid's, which
    is plenty to tell one place from two."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _kind_of(value: Any) -> str | None:
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


Feature = Annotated[
    Union[  # noqa: UP007
        Annotated[Site, Tag("site")],
        Annotated[Region, Tag("region")],
        Annotated[Range, Tag("range")],
        Annotated[Link, Tag("link")],
    ],
    Discriminator(_kind_of),
]
FEATURE_MODELS: dict[str, type[_FeatureBase]] = {
    "site": Site,
    "region": Region,
    "range": Range,
    "link": Link,
}


class LayerModel(_Strict):
    """One layer file: one proposal or theme, toggled as one overlay on the map."""

    version: Annotated[Literal[1], BeforeValidator(_check_version)]
    id: Id
    title: Text
    group: Text = Field(description="the proposal this layer belongs to; groups the control")
    description: Text | None = None
    period: Period | None = None
    style: StyleModel = Field(default_factory=StyleModel)
    visible: bool = Field(default=True, description="shown when the map opens")
    context: bool = Field(
        default=False,
        description="background to the story (the threat, other radars): drawn and listed, but "
        "the opening view frames the other layers",
    )
    sources: Annotated[list[SourceModel], Field(max_length=MAX_ITEMS["sources"])] = Field(
        default_factory=list
    )
    notes: Annotated[list[Text], Field(max_length=MAX_ITEMS["notes"])] = Field(default_factory=list)
    events: Annotated[list[EventModel], Field(max_length=MAX_ITEMS["events"])] = Field(
        default_factory=list,
        description="named moments of the story, e.g. {date: 2007-06-07, name: Putin offers "
        "Gabala, sources: [<source id>]}; one date and name once per layer",
    )
    features: list[Feature] = Field(default_factory=list)


# --- validation with readable errors ------------------------------------------------------

_TYPE_WORDS = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "finite_number": "a finite number",
}
_RANGE_WORDS = {
    "lat": "a latitude from -90 to 90",
    "lon": "a longitude from -180 to 180",
    "radius_km": f"a distance in km, more than 0 and at most {MAX_RADIUS_KM:g}",
    "min_radius_km": f"a distance in km from 0 to {MAX_RADIUS_KM:g}, less than radius_km",
    "buffer_km": f"a distance in km, more than 0 and at most {MAX_BUFFER_KM:g}",
    "azimuth_deg": "degrees clockwise from north, at least 0 and less than 360",
    "beam_deg": "a beam width in degrees, more than 0 and at most 360",
    "fill_opacity": "a number from 0 to 1",
    "opacity": "a number from 0 to 1",
}
_BOUNDS = {
    "greater_than": "> {gt}",
    "greater_than_equal": ">= {ge}",
    "less_than": "< {lt}",
    "less_than_equal": "<= {le}",
}


def validate_document(doc: Document) -> LayerModel:
    """Check a parsed layer file against the model; raise LayerFileError listing every problem."""
    if not isinstance(doc.data, dict):
        got = "an empty file" if doc.data is None else _describe(doc.data)
        raise LayerFileError(
            [
                Problem(
                    doc.file,
                    doc.line(()),
                    "",
                    f"got {got}",
                    "a layer file is a mapping with version, id, title, ...",
                )
            ]
        )
    features = doc.data.get("features")
    if not isinstance(features, list):  # the layer's own check says what is wrong
        features = None
    # the features are checked one by one, so that checking stops after MAX_FILE_PROBLEMS
    checked, problems = _validate_features(doc, features or [])
    layer: LayerModel | None = None
    try:
        data = doc.data if features is None else {**doc.data, "features": []}
        layer = LayerModel.model_validate(data)
    except ValidationError as exc:
        problems += [_problem(doc, err) for err in exc.errors(include_url=False)]
    if problems or layer is None:
        raise LayerFileError(sorted(set(problems), key=Problem.sort_key))
    return layer.model_copy(update={"features": checked}) if checked else layer


_FEATURE: TypeAdapter[Any] = TypeAdapter(Feature)


def _validate_features(doc: Document, features: list[Any]) -> tuple[list[Any], list[Problem]]:
    checked: list[Any] = []
    problems: list[Problem] = []
    for i, item in enumerate(features):
        if len(problems) >= MAX_FILE_PROBLEMS:
            problems.append(_not_checked(doc, i, len(features) - i, len(problems)))
            break
        try:
            checked.append(_FEATURE.validate_python(item))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                err["loc"] = ("features", i, *err["loc"])
                problems.append(_problem(doc, err))
    return checked, problems


def _not_checked(doc: Document, first: int, count: int, found: int) -> Problem:
    path: PathKey = ("features", first)
    return Problem(
        doc.file,
        doc.line(path),
        format_path(path),
        f"this feature and the {count - 1:,} after it were not checked: the file already has "
        f"{found:,} problems",
        "fix those, then check again",
    )


def _problem(doc: Document, err: Any) -> Problem:
    path = _data_path(doc.data, err["loc"])
    kind = err["type"]
    value = err.get("input")
    field = next((p for p in reversed(path) if isinstance(p, str)), "")
    if kind == "missing":
        return Problem(
            doc.file,
            doc.line(path),
            format_path(path[:-1]),
            f"missing required key '{field}'",
            _allowed_for(doc.data, path),
        )
    if kind == "extra_forbidden":
        return _unknown_key(doc, path)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _bad_kind(doc, path)
    line, where = doc.line(path), format_path(path)
    if kind == "literal_error":
        expected = str(err["ctx"]["expected"])
        choices = re.findall(r"'([^']*)'", expected) or [expected]
        return Problem(
            doc.file, line, where, f"{_short(value)} is not allowed", _one_of(str(value), choices)
        )
    if kind in _BOUNDS:
        bound = _BOUNDS[kind].format(**{k: f"{v:g}" for k, v in err["ctx"].items()})
        return Problem(
            doc.file,
            line,
            where,
            f"{_short(value)} is out of range",
            "expected " + _RANGE_WORDS.get(field, f"a number {bound}"),
        )
    if kind in _TYPE_WORDS:
        return Problem(
            doc.file, line, where, f"got {_describe(value)}", f"expected {_TYPE_WORDS[kind]}"
        )
    if kind in ("too_short", "too_long"):
        return _length_problem(doc, path, err)
    message = str(err["msg"]).removeprefix("Value error, ")
    problem, _, allowed = message.partition("; ")
    return Problem(doc.file, line, where, problem, allowed)


def _length_problem(doc: Document, path: PathKey, err: Any) -> Problem:
    ctx = err.get("ctx", {})
    value = err.get("input")
    if isinstance(value, str):
        got = f"text of {len(value)} characters"
    else:
        got = f"{len(value)} items" if hasattr(value, "__len__") else _describe(value)
    limit = (
        f"at least {ctx['min_length']}"
        if "min_length" in ctx
        else f"at most {ctx.get('max_length')}"
    )
    unit = "characters" if isinstance(value, str) else "items"
    if ctx.get("min_length", ctx.get("max_length")) == 1:
        unit = unit.removesuffix("s")
    return Problem(
        doc.file, doc.line(path), format_path(path), f"got {got}", f"expected {limit} {unit}"
    )


def _describe(value: Any) -> str:
    """Say what a value is, briefly: `'abc' (text)`, `[1, 2] (a list)`."""
    words = {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }
    return f"{_short(value)} ({words.get(type(value), type(value).__name__)})"


def _one_of(value: str, choices: list[str]) -> str:
    return did_you_mean(value, choices) + "expected one of " + ", ".join(f"'{c}'" for c in choices)


def _unknown_key(doc: Document, path: PathKey) -> Problem:
    key = str(path[-1])
    allowed = sorted(_model_keys(_model_at(doc.data, path[:-1])))
    hint = did_you_mean(key, allowed, cutoff=0.5)
    return Problem(
        doc.file,
        doc.line(path),
        format_path(path),
        "unknown key",
        hint + "allowed keys here: " + ", ".join(allowed),
    )


def _bad_kind(doc: Document, path: PathKey) -> Problem:
    item = _walk(doc.data, path)
    kind = item.get("kind") if isinstance(item, dict) else None
    kind_path = (*path, "kind")
    if not isinstance(item, dict):
        where = format_path(path)
        return Problem(
            doc.file,
            doc.line(path),
            where,
            f"got {_describe(item)}",
            "expected a mapping with kind, id, name, ...",
        )
    if kind is None:
        return Problem(
            doc.file,
            doc.line(path),
            format_path(path),
            "missing required key 'kind'",
            _one_of("", list(FEATURE_MODELS)),
        )
    return Problem(
        doc.file,
        doc.line(kind_path),
        format_path(kind_path),
        f"{kind!r} is not a feature kind",
        _one_of(str(kind), list(FEATURE_MODELS)),
    )


def _allowed_for(data: Any, path: PathKey) -> str:
    model = _model_at(data, path[:-1])
    if model is None:
        return ""
    required = [_key(name, f) for name, f in model.model_fields.items() if f.is_required()]
    return f"{_label(model)} needs: " + ", ".join(required)


def _label(model: type[BaseModel]) -> str:
    kinds: dict[type[BaseModel], str] = {v: k for k, v in FEATURE_MODELS.items()}
    name = kinds.get(model) or model.__name__.removesuffix("Model").lower()
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _key(name: str, field: Any) -> str:
    return field.alias or name


def _model_keys(model: type[BaseModel] | None) -> list[str]:
    return [] if model is None else [_key(n, f) for n, f in model.model_fields.items()]


def _walk(data: Any, path: PathKey) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Drop pydantic's union tags from an error location, keeping only real keys/indices."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            node = node[part] if part < len(node) else None
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and part in _ALIASES:
            part = _ALIASES[part]
            node = node.get(part)
        elif isinstance(node, dict) and part not in _all_field_names():
            continue  # a union tag such as 'site' or 'function-after[...]'
        elif node is not None and not isinstance(node, dict) and isinstance(part, str):
            continue  # a union tag under a value that is not a mapping, e.g. 'str' or 'bool'
        else:
            node = None
        path.append(part)
    return tuple(path)


#: Python field names whose YAML key differs (`from` is a Python keyword).
_ALIASES = {"from_": "from"}


@functools.cache
def _all_field_names() -> frozenset[str]:
    models: tuple[type[BaseModel], ...] = (
        LayerModel,
        SourceModel,
        EventModel,
        StyleModel,
        Period,
        Point,
        Shape,
        *FEATURE_MODELS.values(),
    )
    names: set[str] = set()
    for model in models:
        names.update(_model_keys(model))
        names.update(model.model_fields)
    return frozenset(names)


def _model_at(data: Any, path: PathKey) -> type[BaseModel] | None:
    """Find which model describes the mapping at `path` (features by their kind)."""
    model: Any = LayerModel
    node = data
    for part in path:
        node = _walk(node, (part,))
        if model is _FEATURE_UNION and isinstance(part, int):
            model = FEATURE_MODELS.get(str(node.get("kind"))) if isinstance(node, dict) else None
        if isinstance(part, int) or model is None:
            continue
        field = next((f for n, f in model.model_fields.items() if _key(n, f) == part), None)
        model = _inner_model(field.annotation) if field else None
    return model if isinstance(model, type) else None


_FEATURE_UNION = object()


def _inner_model(annotation: Any) -> Any:
    """Unwrap Optional/list/Annotated to the model class inside, if any."""
    if annotation is Feature:
        return _FEATURE_UNION
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if arg is Feature:
            return _FEATURE_UNION
        found = _inner_model(arg)
        if found is not None:
            return found
    if get_origin(annotation) is Annotated:
        return _inner_model(get_args(annotation)[0])
    return None


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a layer file, for editors."""
    schema = LayerModel.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://defense-map.invalid/schema/layer-v1.json"
    schema["title"] = "defense-map layer file (version 1)"
    return schema
