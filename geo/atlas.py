"""Load every layer file of a folder into an Atlas: validate, resolve references, build shapes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry

from . import geodesy
from .atlas_types import FEATURE_COLUMNS, Atlas, Event, Layer, Source, Style
from .errors import LayerFileError, Problem, did_you_mean
from .regions import ShapeError, build_shape, describe_shape
from .schema import LayerModel, Link, Point, Range, Region, Site, validate_document
from .yamlio import Document, PathKey, format_path, read_yaml

DEFAULT_TITLE = "Missile defense in Europe: proposals 2007–2011"


@dataclass(frozen=True)
class _Loaded:
    doc: Document
    model: LayerModel


def layer_files(folder: Path) -> list[Path]:
    """List the layer files of a folder in map order (by file name)."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


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
    for path in files:
        doc = None
        try:
            doc = read_yaml(path, display_name=display_name(path))
            loaded.append(_Loaded(doc, validate_document(doc)))
        except LayerFileError as exc:
            problems.extend(exc.problems)
            unchecked_sites |= _raw_site_ids(doc.data if doc else None)
    problems.extend(_check_references(loaded, unchecked_sites))
    # shapes are built even when other problems were found, so that every problem of every
    # file is reported in one run
    sites = _site_index(loaded)
    layers = []
    for item in loaded:
        layer, found = _build_layer(item, sites)
        layers.append(layer)
        problems.extend(found)
    if problems:
        order = {name: i for i, name in enumerate(dict.fromkeys(p.file for p in problems))}
        raise LayerFileError(sorted(problems, key=lambda p: (order[p.file], p.line or 0)))
    return Atlas(title=title, layers=tuple(layers))


# --- references across files -------------------------------------------------------------


def _check_references(loaded: list[_Loaded], unchecked_sites: set[str]) -> list[Problem]:
    problems = _duplicates(loaded)
    sites: dict[str, Any] = {**dict.fromkeys(unchecked_sites), **_site_index(loaded)}
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
    problems = _event_problems(item, source_ids)
    for i, feature in enumerate(model.features):
        for j, source_id in enumerate(feature.sources):
            if source_id not in source_ids:
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
    for i, event in enumerate(item.model.events):
        for j, source_id in enumerate(event.sources):
            if source_id not in source_ids:
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


def _build_layer(item: _Loaded, sites: dict[str, Site]) -> tuple[Layer, list[Problem]]:
    model, doc = item.model, item.doc
    rows, problems = [], []
    for i, feature in enumerate(model.features):
        try:
            geometry, derivation, extra = _BUILDERS[feature.kind](feature, sites)
        except KeyError:
            continue  # a reference to an unknown site: reported by the reference checks
        except ShapeError as exc:
            path = ("features", i, "shape", *exc.path)
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
    return {
        "id": feature.id,
        "layer": layer_id,
        "kind": feature.kind,
        "name": feature.name,
        "aliases": list(feature.aliases),
        "role": getattr(feature, "role", None),
        "status": feature.status,
        "date_from": feature.period.from_ if feature.period else None,
        "date_to": feature.period.to if feature.period else None,
        "precision": getattr(feature, "precision", None),
        "uncertainty": feature.uncertainty,
        "description": feature.description,
        "label": getattr(feature, "label", None),
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


def _km(value: float) -> str:
    return f"{value:,.0f} km"


def _build_site(feature: Site, sites: dict[str, Site]):
    return ShapelyPoint(feature.lon, feature.lat), f"point ({feature.precision} precision)", {}


def _build_range(feature: Range, sites: dict[str, Site]):
    where = feature.around if feature.around is not None else feature.center
    lon, lat, name = _endpoint(where, sites)  # type: ignore[arg-type]
    inner = feature.min_radius_km or 0.0
    extra: dict[str, Any] = {"radius": _km(feature.radius_km)}
    if inner:
        extra["minimum radius"] = _km(inner)
    if feature.azimuth_deg is not None and feature.beam_deg is not None:
        geometry = geodesy.fan(
            lon,
            lat,
            feature.radius_km,
            azimuth_deg=feature.azimuth_deg,
            beam_deg=feature.beam_deg,
            min_radius_km=inner,
        )
        extra.update({"azimuth": f"{feature.azimuth_deg:g}°", "beam": f"{feature.beam_deg:g}°"})
        shape = f"radar fan ({feature.beam_deg:g}° wide, centred on {feature.azimuth_deg:g}°)"
    else:
        geometry = geodesy.ring(lon, lat, feature.radius_km, min_radius_km=inner)
        shape = "annulus" if inner else "ring"
    derivation = f"geodesic {shape} of {_km(feature.radius_km)} around {name} (WGS84)"
    return geometry, derivation, extra


def _build_link(feature: Link, sites: dict[str, Site]):
    lon1, lat1, name1 = _endpoint(feature.from_, sites)
    lon2, lat2, name2 = _endpoint(feature.to, sites)
    geometry = geodesy.geodesic_line(lon1, lat1, lon2, lat2)
    length = geodesy.geodesic_length_km(geometry)
    return (geometry, f"great-circle line from {name1} to {name2} (WGS84)", {"length": _km(length)})


def _build_region(feature: Region, sites: dict[str, Site]):
    geometry = build_shape(feature.shape)
    if geometry.is_empty or geometry.area == 0:
        raise ShapeError(
            (),
            "the shape is empty",
            "check that an intersection's parts overlap and that a difference leaves something",
        )
    return geometry, describe_shape(feature.shape), {}


_BUILDERS: dict[str, Callable[..., tuple[BaseGeometry, str, dict[str, Any]]]] = {
    "site": _build_site,
    "range": _build_range,
    "link": _build_link,
    "region": _build_region,
}
