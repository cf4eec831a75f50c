"""Feature records shared by the renderers: plain JSON-ready properties, resolved sources,
rounded and oriented GeoJSON geometries, simplestyle properties."""

from __future__ import annotations

import json
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
    by_id = {source.id: source for source in layer.sources}
    resolved = []
    for source_id in plain(ids) or []:
        if source_id not in by_id:
            known = ", ".join(repr(s) for s in by_id) or "none"
            raise ExportError(
                f"layer {layer.id!r}: feature {feature_id!r} cites source {source_id!r}, which "
                f"the layer does not define (its sources: {known}); add it to the layer's sources"
            )
        resolved.append(source_dict(by_id[source_id]))
    return resolved


def feature_records(layer: Layer) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    """Return (properties, geometry) for each feature of `layer`, in frame order.

    Properties follow FEATURE_COLUMNS: scalars as plain values, ``aliases`` as a list of text
    (empty when the frame has none), ``parameters`` as a dict and ``sources`` resolved to source
    objects. ``layer`` is always the layer's own id.
    """
    frame = in_wgs84(layer)
    records = []
    for row in frame.to_dict("records"):
        props = {column: plain(row.get(column)) for column in SCALAR_COLUMNS}
        props["layer"] = layer.id
        props["aliases"] = aliases_list(row.get("aliases"))
        props["parameters"] = plain(row.get("parameters")) or {}
        props["sources"] = resolve_sources(layer, props["id"], row.get("sources"))
        props = {column: props[column] for column in FEATURE_COLUMNS}
        records.append((props, row.get(frame.geometry.name)))
    return records


def aliases_list(value: Any) -> list[str]:
    """Return a feature's aliases as a list of text; a frame built by hand may hold None.

    >>> aliases_list(["Qabala"]), aliases_list(None), aliases_list(float("nan"))
    (['Qabala'], [], [])
    """
    value = plain(value)
    if isinstance(value, str):
        return [value]
    return [str(alias) for alias in value or []]


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
    closer than the grid. Polygons are therefore snap-rounded as a whole
    (``shapely.set_precision``): edges that meet are noded on the grid, a part or hole thinner
    than a grid cell has no area at that precision and goes, and nothing moves further than
    half a cell's diagonal. Rings come back oriented as RFC 7946 asks (GEOS rebuilds them).
    Points and lines keep every vertex, each on the grid. -0.0 becomes 0.0, so bytes stay
    stable.

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
    """
    if geom.geom_type == "GeometryCollection":
        return shapely.GeometryCollection([rounded(part, decimals) for part in geom.geoms])
    grid = 10.0**-decimals
    if isinstance(geom, (shapely.Polygon, shapely.MultiPolygon)):
        if not geom.is_valid:  # GEOS snap-rounds valid polygons; an invalid one is repaired
            geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        snapped = oriented(shapely.set_precision(geom, grid))
    else:
        snapped = shapely.set_precision(geom, grid, mode="pointwise")
    return shapely.transform(snapped, lambda xy: xy + 0.0)


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
    """Return a GeoJSON geometry object, or None (GeoJSON ``null``) for a missing/empty one
    (also for a shape smaller than the grid of `decimals`, which has nothing left to draw).

    GEOS writes the GeoJSON (``shapely.to_geojson``): walking the coordinates in Python
    (``mapping``, or ``plain``) took most of the page's build time for large rings.
    """
    if geom is None or geom.is_empty:
        return None
    snapped = rounded(geom, decimals)  # polygons come back oriented as RFC 7946 asks
    return None if snapped.is_empty else dict(json.loads(shapely.to_geojson(snapped)))


def layer_to_geojson_features(
    layer: Layer, *, decimals: int = COORD_DECIMALS
) -> list[dict[str, Any]]:
    """Return the GeoJSON Feature objects of one layer, in the layer's feature order.

    Properties: the feature columns, then ``layer_title``, ``group`` and the simplestyle keys.
    """
    extra = {"layer_title": layer.title, "group": layer.group, **style_properties(layer.style)}
    return [
        {
            "type": "Feature",
            "id": props["id"],
            "geometry": geojson_geometry(geom, decimals),
            "properties": {**props, **extra},
        }
        for props, geom in feature_records(layer)
    ]
