"""Load every layer file of a folder into an Atlas: validate, resolve references, build shapes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry

from . import geodesy
from .atlas_types import FEATURE_COLUMNS, Atlas, Event, Layer, Source, Style
from .errors import LayerFileError, Problem, did_you_mean
from .regions import ShapeError, build_shape, describe_shape
from .schema import (
    LayerModel,
    Link,
    Point,
    Range,
    Region,
    Site,
    link_ends_problem,
    validate_document,
)
from .yamlio import Document, PathKey, counting, format_path, read_yaml

DEFAULT_TITLE = "Missile defense in Europe: proposals 2007–2011"


@dataclass(frozen=True)
class _Loaded:
    doc: Document
    model: LayerModel


def layer_files(folder: Path) -> list[Path]:
    """List the layer files of a folder in map order (by file name).

    Hidden files (an editor's `.#name.yaml` lock, say) are left out. Anything else named
    *.yaml or *.yml is listed even when it is no regular file (a broken link, a pipe), so that
    reading it says what is wrong instead of leaving a layer out unseen.
    """
    return sorted(
        p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )


def display_name(path: Path) -> str:
    """Name a file as the user would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def load(
    where: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *, title: str | None = None
) -> Atlas:
    """Read, check and build layer files into an Atlas: a folder, a file, or a list of them.

    A folder gives its *.yaml files in file-name order; a list keeps its order. Every problem
    of every file is collected into one `LayerFileError` (its `.problems`), as the CLI prints.

    >>> import geo
    >>> geo.load("tests/fixtures/basic/10-sites.yaml").layers[0].id
    'sites'
    >>> geo.load("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geo.errors.LayerFileError: no/such/folder: no such file or folder; give a folder of *.yaml ...
    """
    items = [where] if isinstance(where, (str, os.PathLike)) else list(where)
    files: list[Path] = []
    missing = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files += layer_files(path)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(
                Problem(
                    display_name(path),
                    None,
                    "",
                    "no such file or folder",
                    "give a folder of *.yaml layer files, a layer file, or a list of them",
                )
            )
    if missing:
        raise LayerFileError(missing)
    if not files:
        where_named = display_name(Path(items[0])) if items else "(no paths given)"
        raise LayerFileError(
            [
                Problem(
                    where_named,
                    None,
                    "",
                    "no layer files found",
                    "put one or more *.yaml layer files in this folder",
                )
            ]
        )
    return build_atlas(files, title=title or DEFAULT_TITLE)


def load_atlas(folder: Path | str, *, title: str = DEFAULT_TITLE) -> Atlas:
    """Read, check and build every layer file in `folder` (see `load`)."""
    return load(folder, title=title)


def build_atlas(files: Iterable[Path], *, title: str = DEFAULT_TITLE) -> Atlas:
    """Build an Atlas from the given layer files, in the given order."""
    problems: list[Problem] = []
    loaded: list[_Loaded] = []
    unchecked_sites: set[str] = set()  # sites of files that failed validation
    with counting():  # max_features bounds all the files of one atlas together
        for path in files:
            doc = None
            try:
                doc = read_yaml(path, display_name=display_name(path))
                loaded.append(_Loaded(doc, validate_document(doc)))
            except LayerFileError as exc:
                problems.extend(exc.problems)
                unchecked_sites |= _raw_site_ids(doc.data if doc else None)
    sites = _site_index(loaded)
    problems.extend(_check_references(loaded, sites, unchecked_sites))
    # shapes are built even when other problems were found, so that every problem of every
    # file is reported in one run
    # the shapes that vectorise are built for all files together (one sampling pass each)
    built = _shapes_at_once([f for item in loaded for f in item.model.features], sites)
    layers, start = [], 0
    for item in loaded:
        layer, found = _build_layer(item, sites, built, start)
        layers.append(layer)
        problems.extend(found)
        start += len(item.model.features)
    if problems:  # in the same order every run: file, line, key path, message
        raise LayerFileError(sorted(problems, key=Problem.sort_key))
    return Atlas(title=title, layers=tuple(layers))


# --- references across files -------------------------------------------------------------


def _check_references(
    loaded: list[_Loaded], site_index: dict[str, Site], unchecked_sites: set[str]
) -> list[Problem]:
    problems = _duplicates(loaded)
    sites: dict[str, Any] = {**dict.fromkeys(unchecked_sites), **site_index}
    for item in loaded:
        problems.extend(sorted(_layer_references(item, sites), key=lambda p: p.line or 0))
    return problems


def _raw_site_ids(data: Any) -> set[str]:
    """Ids of the sites of a file that failed validation, so that other files' references to
    them are not reported as unknown on top of that file's own errors."""
    features = data.get("features") if isinstance(data, dict) else None
    return (
        {
            f["id"]
            for f in features or []
            if isinstance(f, dict) and f.get("kind") == "site" and isinstance(f.get("id"), str)
        }
        if isinstance(features, list)
        else set()
    )


def _duplicates(loaded: list[_Loaded]) -> list[Problem]:
    seen: dict[tuple[str, str], tuple[str, int | None]] = {}
    problems = []
    for item in loaded:
        entries: list[tuple[tuple[str, str], PathKey]] = [(("layer", item.model.id), ("id",))]
        entries += [
            (("feature", f.id), ("features", i, "id")) for i, f in enumerate(item.model.features)
        ]
        for key, path in entries:
            where = (item.doc.file, item.doc.line(path))
            if key in seen:
                first = f"{seen[key][0]}:{seen[key][1]}"
                problems.append(
                    Problem(
                        item.doc.file,
                        where[1],
                        format_path(path),
                        f"the {key[0]} id {key[1]!r} is already used at {first}",
                        "ids are unique across all layer files",
                    )
                )
            else:
                seen[key] = where
    return problems


def _site_index(loaded: list[_Loaded]) -> dict[str, Site]:
    return {f.id: f for item in loaded for f in item.model.features if isinstance(f, Site)}


def _layer_references(item: _Loaded, sites: dict[str, Site]) -> list[Problem]:
    doc, model = item.doc, item.model
    source_ids = [s.id for s in model.sources]
    known_sources = set(source_ids)  # a set: every feature looks up its sources
    problems = _event_problems(item, source_ids)
    for i, feature in enumerate(model.features):
        for j, source_id in enumerate(feature.sources):
            if source_id not in known_sources:
                problems.append(
                    _unknown(
                        doc,
                        ("features", i, "sources", j),
                        "source",
                        source_id,
                        source_ids,
                        "this layer's sources",
                    )
                )
        for key, ref in _site_refs(feature):
            if ref not in sites:
                problems.append(
                    _unknown(
                        doc,
                        ("features", i, key),
                        "site",
                        ref,
                        list(sites),
                        "the sites of all layer files",
                    )
                )
        if not feature.sources:
            problems.append(
                Problem(
                    doc.file,
                    doc.line(("features", i)),
                    f"features[{i}]",
                    "the feature names no source",
                    "add sources: [<id of one of this layer's sources>]",
                )
            )
    return problems


def _event_problems(item: _Loaded, source_ids: list[str]) -> list[Problem]:
    """An event cites sources of its own layer, and names a moment the layer has not named."""
    doc = item.doc
    problems = []
    seen: dict[tuple[str, str], int] = {}
    known_sources = set(source_ids)
    for i, event in enumerate(item.model.events):
        for j, source_id in enumerate(event.sources):
            if source_id not in known_sources:
                path: PathKey = ("events", i, "sources", j)
                problems.append(
                    _unknown(doc, path, "source", source_id, source_ids, "this layer's sources")
                )
        key = (event.date, event.name)
        if key not in seen:
            seen[key] = i
            continue
        first = seen[key]
        problems.append(
            Problem(
                doc.file,
                doc.line(("events", i)),
                f"events[{i}]",
                f"events[{first}] (line {doc.line(('events', first))}) already names "
                f"{event.name!r} on {event.date}",
                "list each moment once: change the date or the name, or merge the two",
            )
        )
    return problems


def _site_refs(feature: Any) -> list[tuple[str, str]]:
    refs = []
    if isinstance(feature, Range) and feature.around is not None:
        refs.append(("around", feature.around))
    if isinstance(feature, Link):
        refs += [
            (k, v) for k, v in (("from", feature.from_), ("to", feature.to)) if isinstance(v, str)
        ]
    return refs


def _unknown(
    doc: Document, path: PathKey, what: str, value: str, known: list[str], scope: str
) -> Problem:
    hint = did_you_mean(value, known, n=3, cutoff=0.5)
    return Problem(
        doc.file,
        doc.line(path),
        format_path(path),
        f"unknown {what} {value!r}",
        f"{hint}expected the id of one of {scope}",
    )


# --- geometry ----------------------------------------------------------------------------


class _FeatureError(ValueError):
    """A feature whose geometry cannot be built; `path` is relative to the feature."""

    def __init__(self, path: PathKey, problem: str, allowed: str):
        super().__init__(f"{problem}; {allowed}")
        self.path, self.problem, self.allowed = path, problem, allowed


def _build_layer(
    item: _Loaded, sites: dict[str, Site], built: dict[int, BaseGeometry], start: int
) -> tuple[Layer, list[Problem]]:
    """Build a layer's frame; `built` holds shapes already made, by index in all the files'
    features, the first of this layer's at `start`."""
    model, doc = item.model, item.doc
    rows, problems = [], []
    for i, feature in enumerate(model.features):
        if any(ref not in sites for _, ref in _site_refs(feature)):
            continue  # a reference to an unknown site: reported by the reference checks
        try:
            geometry = built.get(start + i)
            if geometry is None:
                geometry = _SHAPES[feature.kind](feature, sites)
            derivation, extra = _DESCRIPTIONS[feature.kind](feature, sites, geometry)
        except _FeatureError as exc:
            path: PathKey = ("features", i, *exc.path)
            problems.append(
                Problem(doc.file, doc.line(path), format_path(path), exc.problem, exc.allowed)
            )
            continue
        except ValueError as exc:
            path = ("features", i)
            problems.append(
                Problem(
                    doc.file,
                    doc.line(path),
                    format_path(path),
                    str(exc),
                    "see the layer model in the README",
                )
            )
            continue
        rows.append(_row(feature, model.id, geometry, derivation, extra))
    frame = gpd.GeoDataFrame(
        rows, columns=[*FEATURE_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326"
    )
    return _layer(model, doc, frame), problems


def _shapes_at_once(features: Sequence[Any], sites: dict[str, Site]) -> dict[int, BaseGeometry]:
    """Build the shapes that vectorise, by feature index: all site points in one call, all
    plain rings, all fans and all links in one sampling pass each. The rest are built one by
    one, and so are these when one of them is wrong (so that its problem is reported alone)."""
    built: dict[int, BaseGeometry] = {}
    points = [(i, f) for i, f in enumerate(features) if isinstance(f, Site)]
    if points:
        xy = np.array([(f.lon, f.lat) for _, f in points], dtype=float)
        built.update(zip((i for i, _ in points), shapely.points(xy)))
    resolved = [
        (i, f)
        for i, f in enumerate(features)
        if isinstance(f, (Range, Link)) and all(ref in sites for _, ref in _site_refs(f))
    ]
    plain_rings = [(i, f) for i, f in resolved if isinstance(f, Range) and f.beam_deg is None]
    if plain_rings:
        centres = np.array([_endpoint(_centre(f), sites)[:2] for _, f in plain_rings])
        radii = np.array([(f.radius_km, f.min_radius_km or 0.0) for _, f in plain_rings])
        with contextlib.suppress(ValueError):
            rings = geodesy.rings(
                centres[:, 0], centres[:, 1], radii[:, 0], min_radius_km=radii[:, 1]
            )
            built.update(zip((i for i, _ in plain_rings), rings))
    plain_fans = [
        (i, f)
        for i, f in resolved
        if isinstance(f, Range) and f.beam_deg is not None and f.azimuth_deg is not None
    ]
    if plain_fans:
        centres = np.array([_endpoint(_centre(f), sites)[:2] for _, f in plain_fans])
        sizes = np.array(
            [
                (f.radius_km, f.azimuth_deg, f.beam_deg, f.min_radius_km or 0.0)
                for _, f in plain_fans
            ]
        )
        with contextlib.suppress(ValueError):
            shapes = geodesy.fans(
                centres[:, 0],
                centres[:, 1],
                sizes[:, 0],
                sizes[:, 1],
                sizes[:, 2],
                min_radius_km=sizes[:, 3],
            )
            built.update(zip((i for i, _ in plain_fans), shapes))
    links = [(i, _link_ends(f, sites)) for i, f in resolved if isinstance(f, Link)]
    links = [(i, ends) for i, ends in links if link_ends_problem(*ends) is None]
    if links:
        lat1, lon1, lat2, lon2 = np.array([ends for _, ends in links]).T
        with contextlib.suppress(ValueError):
            built.update(zip((i for i, _ in links), geodesy.geodesic_lines(lon1, lat1, lon2, lat2)))
    return built


def _layer(model: LayerModel, doc: Document, frame: gpd.GeoDataFrame) -> Layer:
    style = model.style
    return Layer(
        id=model.id,
        title=model.title,
        group=model.group,
        features=frame,
        style=Style(
            color=style.color,
            fill_color=style.fill_color,
            fill_opacity=style.fill_opacity,
            opacity=style.opacity,
            weight=style.weight,
            dash=style.dash,
        ),
        description=model.description,
        period_from=model.period.from_ if model.period else None,
        period_to=model.period.to if model.period else None,
        sources=tuple(
            Source(
                id=s.id, title=s.title, publisher=s.publisher, date=s.date, url=s.url, quote=s.quote
            )
            for s in model.sources
        ),
        notes=tuple(model.notes),
        events=tuple(
            Event(date=e.date, name=e.name, sources=tuple(e.sources)) for e in model.events
        ),
        visible=model.visible,
        context=model.context,
        path=doc.file,
    )


def _row(
    feature: Any, layer_id: str, geometry: BaseGeometry, derivation: str, extra: dict[str, Any]
) -> dict[str, Any]:
    # The model's fields, read directly: pydantic answers a field a kind lacks (a region's
    # role) by raising inside getattr, which costs a third of the rows' time for 10,000 sites.
    fields = vars(feature)
    return {
        "id": feature.id,
        "layer": layer_id,
        "kind": feature.kind,
        "name": feature.name,
        "aliases": list(feature.aliases),
        "role": fields.get("role"),
        "status": feature.status,
        "date_from": feature.period.from_ if feature.period else None,
        "date_to": feature.period.to if feature.period else None,
        "precision": fields.get("precision"),
        "uncertainty": feature.uncertainty,
        "description": feature.description,
        "label": fields.get("label"),
        "parameters": {**extra, **feature.parameters},
        "sources": list(feature.sources),
        "derivation": derivation,
        "geometry": geometry,
    }


def _endpoint(value: str | Point, sites: dict[str, Site]) -> tuple[float, float, str]:
    if isinstance(value, str):
        site = sites[value]
        return site.lon, site.lat, site.name
    return value.lon, value.lat, f"{value.lat:g}, {value.lon:g}"


def _centre(feature: Range) -> str | Point:
    return feature.around if feature.around is not None else feature.center  # type: ignore[return-value]


def _km(value: float) -> str:
    return f"{value:,.0f} km"


def _site_shape(feature: Site, sites: dict[str, Site]) -> BaseGeometry:
    return ShapelyPoint(feature.lon, feature.lat)


def _site_description(
    feature: Site, sites: dict[str, Site], geometry: BaseGeometry
) -> _Description:
    return f"point ({feature.precision} precision)", {}


def _range_shape(feature: Range, sites: dict[str, Site]) -> BaseGeometry:
    lon, lat, _ = _endpoint(_centre(feature), sites)
    inner = feature.min_radius_km or 0.0
    if feature.azimuth_deg is not None and feature.beam_deg is not None:
        return geodesy.fan(
            lon,
            lat,
            feature.radius_km,
            azimuth_deg=feature.azimuth_deg,
            beam_deg=feature.beam_deg,
            min_radius_km=inner,
        )
    return geodesy.ring(lon, lat, feature.radius_km, min_radius_km=inner)


def _range_description(
    feature: Range, sites: dict[str, Site], geometry: BaseGeometry
) -> _Description:
    name = _endpoint(_centre(feature), sites)[2]
    inner = feature.min_radius_km or 0.0
    extra: dict[str, Any] = {"radius": _km(feature.radius_km)}
    if inner:
        extra["minimum radius"] = _km(inner)
    if feature.azimuth_deg is not None and feature.beam_deg is not None:
        extra.update({"azimuth": f"{feature.azimuth_deg:g}°", "beam": f"{feature.beam_deg:g}°"})
        shape = f"radar fan ({feature.beam_deg:g}° wide, centred on {feature.azimuth_deg:g}°)"
    else:
        shape = "annulus" if inner else "ring"
    return f"geodesic {shape} of {_km(feature.radius_km)} around {name} (WGS84)", extra


def _link_ends(feature: Link, sites: dict[str, Site]) -> tuple[float, float, float, float]:
    """Return (lat1, lon1, lat2, lon2), the order of schema.link_ends_problem."""
    lon1, lat1, _ = _endpoint(feature.from_, sites)
    lon2, lat2, _ = _endpoint(feature.to, sites)
    return lat1, lon1, lat2, lon2


def _link_shape(feature: Link, sites: dict[str, Site]) -> BaseGeometry:
    lat1, lon1, lat2, lon2 = _link_ends(feature, sites)
    # The model checks ends given as points; ends named by site ids are checked here, by the
    # same rule: two spellings of one place (a pole at two longitudes, 180 and -180, a site
    # and its own coordinates) make a link of no length.
    problem = link_ends_problem(lat1, lon1, lat2, lon2)
    if problem is not None:
        words, _, allowed = problem.partition("; ")
        raise _FeatureError(("to",), words, allowed)
    return geodesy.geodesic_line(lon1, lat1, lon2, lat2)


def _link_description(
    feature: Link, sites: dict[str, Site], geometry: BaseGeometry
) -> _Description:
    name1, name2 = _endpoint(feature.from_, sites)[2], _endpoint(feature.to, sites)[2]
    length = geodesy.geodesic_length_km(geometry)
    return f"great-circle line from {name1} to {name2} (WGS84)", {"length": _km(length)}


def _region_shape(feature: Region, sites: dict[str, Site]) -> BaseGeometry:
    try:
        geometry = build_shape(feature.shape)
    except ShapeError as exc:
        raise _FeatureError(("shape", *exc.path), exc.problem, exc.allowed) from None
    if geometry.is_empty or geometry.area == 0:
        raise _FeatureError(
            ("shape",),
            "the shape is empty",
            "check that an intersection's parts overlap and that a difference leaves something",
        )
    return geometry


def _region_description(
    feature: Region, sites: dict[str, Site], geometry: BaseGeometry
) -> _Description:
    return describe_shape(feature.shape), {}


_SHAPES: dict[str, Callable[[Any, dict[str, Site]], BaseGeometry]] = {
    "site": _site_shape,
    "range": _range_shape,
    "link": _link_shape,
    "region": _region_shape,
}
_Description = tuple[str, dict[str, Any]]
_DESCRIPTIONS: dict[str, Callable[[Any, dict[str, Site], BaseGeometry], _Description]] = {
    "site": _site_description,
    "range": _range_description,
    "link": _link_description,
    "region": _region_description,
}
