"""Feature records shared by the renderers: plain JSON-ready properties, resolved sources,
GeoJSON geometries (rounded and oriented by `geo.grid`), simplestyle properties."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import FEATURE_COLUMNS, Layer, Source, Style
from geo.errors import ExportError
from geo.grid import rounded, rounded_array

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
