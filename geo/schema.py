"""The layer model, version 1: what a layer file may say, checked once at the boundary.

`validate_document` turns a parsed YAML document into a `LayerModel` or raises
`LayerFileError` listing every problem of the file, each with its line and key path.
`json_schema()` is the same model as a JSON Schema for editors.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from .errors import LayerFileError, Problem, did_you_mean
from .geodesy import MAX_BUFFER_KM, MAX_RADIUS_KM
from .yamlio import Document, PathKey, format_path

SCHEMA_VERSION = 1
STATUSES = ("proposed", "agreed", "operational", "cancelled")
ROLES = ("radar", "interceptors", "command", "launch", "naval", "city", "other")
PRECISIONS = ("site", "town", "approx")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_DASH_RE = re.compile(r"^\d+(\.\d+)?( \d+(\.\d+)?)*$")


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and not _ID_RE.match(value):
        raise ValueError(f"{value!r} is not a valid id; use lower-case letters, digits, - and _")
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
    if isinstance(value, str) and _DATE_RE.match(value) and _is_real_date(value):
        return value
    raise ValueError(
        f"{value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD with a real month and day"
    )


def _is_real_date(text: str) -> bool:
    padded = text + "-01" * (2 - text.count("-"))
    try:
        dt.date.fromisoformat(padded)
    except ValueError:
        return False
    return True


def _check_url(value: Any) -> Any:
    if isinstance(value, str) and not re.match(r"^https?://[^\s<>\"']+$", value):
        raise ValueError(f"{value!r} is not a web address; use an http:// or https:// URL")
    return value


def _check_color(value: Any) -> Any:
    if isinstance(value, str) and not _COLOR_RE.match(value):
        raise ValueError(f"{value!r} is not a colour; write #rrggbb, e.g. '#b03a2e'")
    return value


def _check_dash(value: Any) -> Any:
    if isinstance(value, str) and not _DASH_RE.match(value):
        raise ValueError(f"{value!r} is not a dash pattern; write numbers such as '6 4'")
    return value


Id = Annotated[str, BeforeValidator(_check_id), Field(description="lower-case id, e.g. 'brdy'")]
DateText = Annotated[
    str,
    BeforeValidator(_to_date_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _DATE_RE.pattern},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ],
            "description": "date: YYYY, YYYY-MM or YYYY-MM-DD",
            "examples": ["2011-04-29", 2007],
        }
    ),
]
Url = Annotated[str, BeforeValidator(_check_url), Field(description="http(s) URL")]
Color = Annotated[str, BeforeValidator(_check_color), Field(description="#rrggbb colour")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Lat = Annotated[float, Field(ge=-90, le=90, description="latitude in degrees, -90..90")]
Lon = Annotated[float, Field(ge=-180, le=180, description="longitude in degrees, -180..180")]


class _Strict(BaseModel):
    # strict: a quoted "54" is text, not a latitude; a number is never read out of a string
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


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
    quote: Annotated[str, Field(max_length=600)] | None = None


class StyleModel(_Strict):
    """How a layer looks (kept apart from what it shows)."""

    color: Color = "#3366cc"
    fill_color: Color | None = None
    fill_opacity: Annotated[float, Field(ge=0, le=1)] = 0.15
    opacity: Annotated[float, Field(ge=0, le=1)] = 0.9
    weight: Annotated[float, Field(gt=0, le=20)] = 2.0
    dash: Annotated[str, BeforeValidator(_check_dash)] | None = None


ParameterValue = Union[str, int, float, bool]  # noqa: UP007 (pydantic needs a runtime union)


class _FeatureBase(_Strict):
    id: Id
    name: Text
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    period: Period | None = None
    sources: list[Id] = Field(default_factory=list)
    description: Text | None = None
    uncertainty: Text | None = Field(
        default=None, description="what is uncertain; shown as a warning on the map"
    )
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)


class Site(_FeatureBase):
    """A place: radar, interceptor base, command centre, launch area, naval base or city."""

    kind: Literal["site"]
    role: Literal[ROLES]  # type: ignore[valid-type]
    lat: Lat
    lon: Lon
    precision: Literal[PRECISIONS]  # type: ignore[valid-type]


class Shape(_Strict):
    """A region's shape: exactly one of polygon, union, intersection, difference, countries,
    seas; then optionally `buffer_km` (geodesic) and `clip` (keep only sea or land)."""

    polygon: Annotated[list[Point], Field(min_length=3)] | None = Field(
        default=None,
        description="corners in order, edges straight in lon/lat",
        examples=[[{"lat": 50, "lon": 20}, {"lat": 56, "lon": 20}, {"lat": 56, "lon": 30}]],
    )
    union: Annotated[list[Shape], Field(min_length=1)] | None = Field(
        default=None,
        description="everything in any of the shapes",
        examples=[
            [
                {"seas": ["Barents Sea", "Baltic Sea", "Black Sea"]},
                {"countries": ["BLR", "UKR", "MDA"]},
            ]
        ],
    )
    intersection: Annotated[list[Shape], Field(min_length=2)] | None = Field(
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
    difference: Annotated[list[Shape], Field(min_length=2)] | None = Field(
        default=None,
        description="the first shape minus all the others",
        examples=[[{"countries": ["POL"]}, {"seas": ["Baltic Sea"]}]],
    )
    countries: Annotated[list[Text], Field(min_length=1)] | None = Field(
        default=None,
        description="countries by ISO 3166 alpha-3 code or English name (any case); "
        "Natural Earth 1:50m borders",
        examples=[["BLR", "UKR", "MDA"], ["Poland", "Czech Republic"]],
    )
    seas: Annotated[list[Text], Field(min_length=1)] | None = Field(
        default=None,
        description="named seas (IHO S-23 limits, water only): Barents Sea, Baltic Sea (with "
        "its gulfs), Baltic Sea (proper), Gulf of Bothnia, Gulf of Finland, Gulf of Riga, "
        "Black Sea, Sea of Azov, White Sea, Kara Sea, Norwegian Sea, North Sea, Mediterranean "
        "Sea, ... (an unknown name lists the known ones)",
        examples=[["Barents Sea", "Baltic Sea", "Black Sea"]],
    )
    buffer_km: Annotated[float, Field(gt=0, le=MAX_BUFFER_KM)] | None = Field(
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


SHAPE_OPERANDS = ("polygon", "union", "intersection", "difference", "countries", "seas")


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

    kind: Literal["range"]
    around: Id | None = None
    center: Point | None = None
    radius_km: Annotated[float, Field(gt=0, le=MAX_RADIUS_KM)]
    min_radius_km: Annotated[float, Field(ge=0, le=MAX_RADIUS_KM)] | None = None
    azimuth_deg: Annotated[float, Field(ge=0, lt=360)] | None = None
    beam_deg: Annotated[float, Field(gt=0, le=360)] | None = None
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
        return self


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

    version: Literal[1]
    id: Id
    title: Text
    group: Text = Field(description="the proposal this layer belongs to; groups the control")
    description: Text | None = None
    period: Period | None = None
    style: StyleModel = Field(default_factory=StyleModel)
    visible: bool = True
    sources: list[SourceModel] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)
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
    try:
        return LayerModel.model_validate(doc.data)
    except ValidationError as exc:
        problems = [_problem(doc, err) for err in exc.errors(include_url=False)]
        raise LayerFileError(sorted(set(problems), key=_order)) from None


def _order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.path)


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
            doc.file, line, where, f"{value!r} is not allowed", _one_of(str(value), choices)
        )
    if kind in _BOUNDS:
        bound = _BOUNDS[kind].format(**{k: f"{v:g}" for k, v in err["ctx"].items()})
        return Problem(
            doc.file,
            line,
            where,
            f"{value!r} is out of range",
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
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} ({words.get(type(value), type(value).__name__)})"


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
    kind = kinds.get(model)
    return f"a {kind}" if kind else f"a {model.__name__.removesuffix('Model').lower()}"


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
