"""Feature records shared by the renderers: plain JSON-ready properties, resolved sources,
rounded and oriented GeoJSON geometries, simplestyle properties."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import FEATURE_COLUMNS, Layer, Source, Style
from geo.errors import ExportError

#: Decimal places kept in coordinates: 6 decimals of a degree is about 0.1 m.
COORD_DECIMALS = 6
#: Feature columns holding structures rather than scalars.
STRUCTURED_COLUMNS: tuple[str, ...] = ("aliases", "parameters", "sources")
#: Feature columns written as plain text/number fields.
SCALAR_COLUMNS: tuple[str, ...] = tuple(c for c in FEATURE_COLUMNS if c not in STRUCTURED_COLUMNS)
SOURCE_FIELDS: tuple[str, ...] = ("id", "title", "publisher", "date", "url", "quote")


# --------------------------------------------------------------------------------------------
# Shared: plain values, feature records, style
# --------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Return `value` as JSON-ready Python: NaN/inf become None, numpy scalars become Python.

    >>> plain({"a": float("nan"), "b": [np.int64(3), (1.5,)]})
    {'a': None, 'b': [3, [1.5]]}
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is not None and not isinstance(value, (str, int, float, bool)):
        # pandas.NA / NaT and similar missing markers are the only other values a column holds
        return None if pd.isna(value) is True else str(value)
    return value


def source_dict(source: Source) -> dict[str, Any]:
    """Return one source as an object with a fixed key order."""
    return {name: getattr(source, name) for name in SOURCE_FIELDS}


def resolve_sources(layer: Layer, feature_id: Any, ids: Any) -> list[dict[str, Any]]:
    """Resolve a feature's source ids against its layer; name the missing one if any."""
    return _source_resolver(layer)(feature_id, ids)


def _source_resolver(layer: Layer) -> Callable[[Any, Any], list[dict[str, Any]]]:
    """Return `resolve_sources` for one layer, its sources indexed once (not once a feature)."""
    by_id = {source.id: source for source in layer.sources}
    made = {source.id: source_dict(source) for source in layer.sources}

    def resolve(feature_id: Any, ids: Any) -> list[dict[str, Any]]:
        if type(ids) is list and all(type(i) is str and i in made for i in ids):
            return [dict(made[i]) for i in ids]  # the usual case: each a fresh copy
        resolved = []
        for source_id in plain(ids) or []:
            if source_id not in by_id:
                known = ", ".join(repr(s) for s in by_id) or "none"
                raise ExportError(
                    f"layer {layer.id!r}: feature {feature_id!r} cites source {source_id!r}, "
                    "which the layer does not define (its sources: "
                    f"{known}); add it to the layer's sources"
                )
            resolved.append(source_dict(by_id[source_id]))
        return resolved

    return resolve


def plain_column(values: Any) -> list[Any]:
    """Return a column's values as `plain` Python (text and None pass through untouched).

    >>> plain_column(pd.Series(["a", None, float("nan")], dtype=object))
    ['a', None, None]
    """
    return [v if v is None or type(v) is str else plain(v) for v in values]


def feature_records(layer: Layer) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    """Return (properties, geometry) for each feature of `layer`, in frame order.

    Properties follow FEATURE_COLUMNS: scalars as plain values, ``aliases`` as a list of text
    (empty when the frame has none), ``parameters`` as a dict and ``sources`` resolved to source
    objects. ``layer`` is always the layer's own id.
    """
    frame = in_wgs84(layer)
    columns, cited = property_columns(layer, frame)
    resolve = _source_resolver(layer)
    columns["sources"] = [resolve(i, v) for i, v in zip(columns["id"], cited)]
    ordered = [columns[c] for c in FEATURE_COLUMNS]
    geometries = list(frame.geometry.values) if len(frame) else []
    return [
        (dict(zip(FEATURE_COLUMNS, values)), geom)
        for values, geom in zip(zip(*ordered), geometries)
    ]


def property_columns(layer: Layer, frame: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    """The feature properties of `frame` (the layer's features) column by column, as plain
    values: every FEATURE_COLUMNS column but ``sources``, and the sources each feature cites
    as the frame holds them (for the caller to resolve or check).

    Column by column: a row at a time through pandas took most of a big page's build.
    """
    n = len(frame)
    columns = {
        c: plain_column(frame[c].tolist()) if c in frame.columns else [None] * n
        for c in SCALAR_COLUMNS
    }
    columns["layer"] = [layer.id] * n
    raw = {c: frame[c].tolist() if c in frame.columns else [None] * n for c in STRUCTURED_COLUMNS}
    columns["aliases"] = [aliases_list(v) for v in raw["aliases"]]
    columns["parameters"] = [parameters_dict(v) for v in raw["parameters"]]
    return columns, raw["sources"]


def aliases_list(value: Any) -> list[str]:
    """Return a feature's aliases as a list of text; a frame built by hand may hold None.

    >>> aliases_list(["Qabala"]), aliases_list(None), aliases_list(float("nan"))
    (['Qabala'], [], [])
    """
    if type(value) is list and all(type(alias) is str for alias in value):
        return list(value)  # the usual case, without walking it through `plain`
    value = plain(value)
    if isinstance(value, str):
        return [value]
    return [str(alias) for alias in value or []]


def parameters_dict(value: Any) -> dict[str, Any]:
    """Return a feature's parameters as a plain dict (empty when the frame has none).

    >>> parameters_dict({"band": "X", "km": np.float64(2.5)}), parameters_dict(None)
    ({'band': 'X', 'km': 2.5}, {})
    """
    if type(value) is dict and not value:
        return {}
    return plain(value) or {}


def in_wgs84(layer: Layer) -> gpd.GeoDataFrame:
    """Return the layer's features in EPSG:4326 (the Atlas promises it; a frame without CRS is
    taken at its word)."""
    frame = layer.features
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def style_properties(style: Style) -> dict[str, Any]:
    """Return the layer style as simplestyle-spec properties (``stroke``, ``fill``, ...).

    >>> style_properties(Style(color="#b03a2e", fill_opacity=0.15))["fill"]
    '#b03a2e'
    """
    return {
        "stroke": style.color,
        "stroke-width": style.weight,
        "stroke-opacity": style.opacity,
        "fill": style.fill,
        "fill-opacity": style.fill_opacity,
    }


def rounded(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    """Snap coordinates to a grid of ``10 ** -decimals`` degrees; polygons stay valid.

    Rounding each number on its own can fold a polygon over itself where two edges pass
    closer than the grid. A polygon is therefore rounded vertex by vertex (repeated vertices
    dropped) only where that leaves it valid, as it does for almost every shape, and
    otherwise snap-rounded as a whole (``shapely.set_precision``, several times slower):
    edges that meet are noded on the grid, a part or hole thinner than a grid cell has no area
    at that precision and goes. Either way nothing moves further than half a cell's diagonal,
    and rings come back oriented as RFC 7946 asks. Points and lines keep every vertex, each
    on the grid. -0.0 becomes 0.0, so bytes stay stable.

    >>> rounded(shapely.Point(-0.0000001, 1.23456789), 6).coords[0]
    (0.0, 1.234568)

    A notch that dips to 0.004° above the bottom edge touches it on a 0.01° grid: rounding
    each number leaves a ring that touches itself, snapping leaves two valid triangles.

    >>> notch = shapely.Polygon([(0, 0), (4, 0), (4, 1), (2, 0.004), (0, 1)])
    >>> shapely.transform(notch, lambda xy: np.round(xy, 2)).is_valid
    False
    >>> rounded(notch, 2)
    <MULTIPOLYGON (((0 0, 2 0, 0 1, 0 0)), ((4 1, 2 0, 4 0, 4 1)))>

    A part thinner than a grid cell goes; the others stay whole:

    >>> sliver = shapely.box(0, 0, 1, 0.001)
    >>> rounded(shapely.MultiPolygon([sliver, shapely.box(2, 0, 3, 1)]), 2)
    <MULTIPOLYGON (((2 0, 3 0, 3 1, 2 1, 2 0)))>
    >>> rounded(shapely.LineString([(17.1, 54.5), (17.1, 54.5)]), 6)  # a link to itself stays
    <LINESTRING (17.1 54.5, 17.1 54.5)>

    A shape with no part left is drawn as what it is at that precision (`collapsed`):

    >>> rounded(sliver, 2)
    <LINESTRING (1 0, 0 0, 1 0)>
    """
    if geom.geom_type == "GeometryCollection":
        return shapely.GeometryCollection([rounded(part, decimals) for part in geom.geoms])
    if geom.is_empty:
        return geom
    snapped: BaseGeometry = rounded_array([geom], decimals)[0]
    return snapped


def collapsed(geom: BaseGeometry, grid: float) -> BaseGeometry:
    """A polygon thinner than a grid cell everywhere, as the valid shape it is on the grid:
    its outline as lines, or a point where even that has no length (a feature is never left
    without a shape to draw).

    >>> collapsed(shapely.box(0, 0, 1e-7, 1e-7), 1e-5)
    <POINT (0 0)>
    """
    lines = shapely.set_precision(shapely.boundary(geom), grid, mode="pointwise")
    lines = shapely.remove_repeated_points(lines)
    if not lines.is_empty and lines.length > 0 and lines.is_valid:
        return lines
    return shapely.set_precision(geom.representative_point(), grid, mode="pointwise")


def rounded_array(
    geoms: Sequence[BaseGeometry | None],
    decimals: int,
    *,
    simplify_deg: float = 0.0,
    keep_small: bool = True,
) -> np.ndarray:
    """`rounded` for many geometries at once (one GEOS call per step, not one per shape).

    With `simplify_deg`, lines and polygons are first simplified with that tolerance
    (``shapely.simplify``, topology preserved), then snapped: a shape moves by at most the
    tolerance plus half a grid cell's diagonal, and polygons stay valid. Missing and empty
    geometries come back as None; so do polygons with nothing left on the grid when
    `keep_small` is False (a base map's islets), else they are `collapsed`.

    >>> shapes = [shapely.Point(1.000001, 2), None, shapely.box(0, 0, 1, 0.001)]
    >>> [g if g is None else g.wkt for g in rounded_array(shapes, 2, keep_small=False)]
    ['POINT (1 2)', None, None]
    >>> rounded_array(shapes, 2)[2].geom_type
    'LineString'
    >>> line = shapely.LineString([(0, 0), (1, 0.000004), (2, 0)])
    >>> rounded_array([line], 5, simplify_deg=1e-5)[0].wkt
    'LINESTRING (0 0, 2 0)'
    """
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    out = np.full(len(arr), None, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    types = shapely.get_type_id(arr)
    polygons = present & np.isin(types, (3, 6))  # Polygon, MultiPolygon
    collections = present & (types == 7)  # GeometryCollection: part by part
    others = present & ~polygons & ~collections
    if simplify_deg:
        lines = present & np.isin(types, (1, 2, 5, 3, 6))
        arr[lines] = shapely.simplify(arr[lines], simplify_deg, preserve_topology=True)
    grid = 10.0**-decimals
    shapes = arr[polygons]
    invalid = ~shapely.is_valid(shapes)
    if invalid.any():  # GEOS snap-rounds valid polygons; an invalid one is repaired first
        shapes[invalid] = shapely.make_valid(
            shapes[invalid], method="structure", keep_collapsed=False
        )
    snapped = on_grid_polygons(shapes, grid)
    if keep_small:
        gone = np.flatnonzero(shapely.is_empty(snapped))
        snapped[gone] = [collapsed(g, grid) for g in shapes[gone]]
    out[polygons] = snapped
    out[others] = shapely.set_precision(arr[others], grid, mode="pointwise")
    out[collections] = [rounded(g, decimals) for g in arr[collections]]
    out[present] = shapely.transform(out[present], lambda xy: xy + 0.0)  # no -0.0
    out[present & shapely.is_empty(out)] = None
    return out


def on_grid_polygons(shapes: np.ndarray, grid: float) -> np.ndarray:
    """Valid (multi)polygons on the grid, oriented for RFC 7946, as `rounded` makes them: each
    vertex rounded where that leaves the shape valid, else the shape snap-rounded whole.

    >>> notch = shapely.Polygon([(0, 0), (4, 0), (4, 1), (2, 0.004), (0, 1)])
    >>> box, notch = on_grid_polygons(np.array([shapely.box(0, 0, 1.004, 1), notch]), 0.01)
    >>> box.wkt  # rounded vertex by vertex
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> notch.wkt  # rounded that way it would touch itself: snap-rounded
    'MULTIPOLYGON (((0 0, 2 0, 0 1, 0 0)), ((4 1, 2 0, 4 0, 4 1)))'
    """
    pointwise = shapely.set_precision(shapes, grid, mode="pointwise")
    folded = ~shapely.is_valid(pointwise) | (
        shapely.is_empty(pointwise) & ~shapely.is_empty(shapes)
    )
    # (a valid ring keeps three distinct points: dropping repeats cannot break it)
    pointwise[~folded] = shapely.remove_repeated_points(pointwise[~folded])
    if folded.any():
        pointwise[folded] = shapely.set_precision(shapes[folded], grid)
    return _oriented_array(pointwise)


def _oriented_array(geoms: np.ndarray) -> np.ndarray:
    orient_polygons = getattr(shapely, "orient_polygons", None)  # shapely >= 2.1
    if orient_polygons is not None:
        return np.asarray(orient_polygons(geoms), dtype=object)
    return np.asarray([oriented(g) for g in geoms], dtype=object)


def oriented(geom: BaseGeometry) -> BaseGeometry:
    """Orient polygon rings as RFC 7946 asks: exteriors counter-clockwise, holes clockwise."""
    orient_polygons = getattr(shapely, "orient_polygons", None)  # shapely >= 2.1
    if orient_polygons is not None:
        return orient_polygons(geom)
    return _ORIENT_FALLBACK.get(geom.geom_type, lambda g: g)(geom)


_ORIENT_FALLBACK: dict[str, Callable[[Any], BaseGeometry]] = {
    "Polygon": lambda g: shapely.geometry.polygon.orient(g, 1.0),
    "MultiPolygon": lambda g: shapely.MultiPolygon([oriented(p) for p in g.geoms]),
    "GeometryCollection": lambda g: shapely.GeometryCollection([oriented(p) for p in g.geoms]),
}


def geojson_geometry(geom: BaseGeometry | None, decimals: int) -> dict[str, Any] | None:
    """Return a GeoJSON geometry object, or None (GeoJSON ``null``) for a missing/empty one;
    a polygon thinner than the grid of `decimals` comes out `collapsed`.

    The coordinates come out of GEOS as arrays, a ring or a line at a time (walking them a
    vertex at a time in Python, or reading GEOS's own GeoJSON text back, took most of the
    page's build time for large rings).

    >>> geojson_geometry(shapely.Polygon([(0, 0), (1, 0), (1, 1)]), 6)
    {'type': 'Polygon', 'coordinates': [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}
    """
    if geom is None or geom.is_empty:
        return None
    return _geojson(rounded(geom, decimals))  # polygons come back oriented as RFC 7946 asks


def _geojson(geom: BaseGeometry) -> dict[str, Any]:
    kind = geom.geom_type
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [_geojson(part) for part in geom.geoms]}
    return {"type": kind, "coordinates": _coordinates(geom)}


def _coordinates(geom: BaseGeometry) -> Any:
    kind = geom.geom_type
    if kind == "Point":
        return shapely.get_coordinates(geom)[0].tolist()
    if kind in ("LineString", "LinearRing"):
        return shapely.get_coordinates(geom).tolist()
    if kind == "Polygon":
        return [shapely.get_coordinates(ring).tolist() for ring in (geom.exterior, *geom.interiors)]
    return [_coordinates(part) for part in geom.geoms]  # MultiPoint, -LineString, -Polygon


def layer_to_geojson_features(
    layer: Layer, *, decimals: int = COORD_DECIMALS
) -> list[dict[str, Any]]:
    """Return the GeoJSON Feature objects of one layer, in the layer's feature order.

    Properties: the feature columns, then ``layer_title``, ``group`` and the simplestyle keys.
    """
    extra = {"layer_title": layer.title, "group": layer.group, **style_properties(layer.style)}
    records = feature_records(layer)
    shapes = rounded_array([geom for _, geom in records], decimals)  # the layer at once
    return [
        {
            "type": "Feature",
            "id": props["id"],
            "geometry": None if shape is None else _geojson(shape),
            "properties": {**props, **extra},
        }
        for (props, _), shape in zip(records, shapes)
    ]
