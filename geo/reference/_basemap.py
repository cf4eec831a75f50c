"""A light vector base map (land, land borders, seas) from the reference topology.

Simplification works on the shared arcs, not on each shape: a coast is simplified once and the
land, the sea beside it and the border that ends on it all keep meeting exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ._topojson import ring_coords
from ._world import world

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["basemap_frames"]

Bbox = tuple[float, float, float, float]


@functools.cache
def _simplified_arcs(tolerance_deg: float) -> tuple[np.ndarray, ...]:
    """Every arc simplified (Douglas–Peucker, end points kept), as lon/lat arrays."""
    lines = np.array([shapely.LineString(arc) for arc in world().arcs], dtype=object)
    if tolerance_deg > 0:
        lines = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
    return tuple(shapely.get_coordinates(line) for line in lines)


def _polygon(arcs: Sequence[np.ndarray], rings: Sequence[Sequence[int]]) -> shapely.Polygon | None:
    """A polygon from arc rings, leaving out rings that simplification shrank below a triangle."""
    coords = [ring_coords(arcs, ring) for ring in rings]
    if len(coords[0]) < 4:
        return None
    return shapely.Polygon(coords[0], [c for c in coords[1:] if len(c) >= 4])


def _polygonal(arcs: Sequence[np.ndarray], obj: Mapping[str, Any]) -> BaseGeometry:
    """A valid (multi)polygon from a TopoJSON Polygon/MultiPolygon over simplified arcs."""
    rings_list = obj["arcs"] if obj["type"] == "MultiPolygon" else [obj["arcs"]]
    parts = np.array([_polygon(arcs, rings) for rings in rings_list], dtype=object)
    parts = parts[parts != None]  # noqa: E711 (element-wise test of an object array)
    # Simplified arcs may cross where two coasts run close: repair just those parts (fast),
    # and merge everything only if repaired parts now overlap each other (slow, rare).
    broken = ~shapely.is_valid(parts)
    parts[broken] = shapely.make_valid(parts[broken])
    polygons = [q for p in parts for q in shapely.get_parts(p) if q.geom_type == "Polygon"]
    geom = shapely.MultiPolygon(polygons)
    return geom if geom.is_valid else shapely.union_all(polygons)


def _arc_indexes(refs: Any) -> Iterable[int]:
    """Yield the arc indexes in a (nested) TopoJSON ``arcs`` member, ``~i`` as ``i``."""
    if isinstance(refs, int):
        yield refs if refs >= 0 else ~refs
        return
    for item in refs:
        yield from _arc_indexes(item)


@functools.cache
def _border_arcs() -> dict[int, tuple[str, str]]:
    """Arcs that two countries share (land borders), with the two alpha-3 codes."""
    owners: dict[int, set[str]] = {}
    for code, obj in world().countries.items():
        for index in _arc_indexes(obj.get("arcs", [])):
            owners.setdefault(index, set()).add(code)
    return {i: tuple(sorted(c)) for i, c in sorted(owners.items()) if len(c) == 2}  # type: ignore[misc]


@functools.cache
def _layers(tolerance_deg: float) -> tuple[Any, ...]:
    """Land, border rows and sea rows at one tolerance (geometry work only, cached)."""
    data = world()
    arcs = _simplified_arcs(tolerance_deg)
    land = _polygonal(arcs, data.land)
    owners = _border_arcs()
    lines = {i: shapely.LineString(arcs[i]) for i in owners if len(arcs[i]) > 1}
    # A short border (Vatican–Italy) may shrink to a point: leave such lines out.
    borders = [(*owners[i], g) for i, g in lines.items() if g.length > 0]
    shapes = {name: _polygonal(arcs, obj) for name, obj in data.seas.items()}
    seas = []
    for name, obj in data.seas.items():
        props = obj["properties"]
        if props.get("parts"):
            continue  # a union of other seas (the Baltic with its gulfs): its parts are drawn
        shape = shapes[name]
        if props.get("subdivisions"):
            # Keep the rows disjoint: the Mediterranean row leaves its subdivisions out.
            shape = shapely.difference(
                shape, shapely.union_all([shapes[s] for s in props["subdivisions"]])
            )
        seas.append((name, *props["label"], shape))
    return land, tuple(borders), tuple(seas)


def _clip(geom: BaseGeometry, bbox: Bbox | None) -> BaseGeometry:
    """Cut ``geom`` to ``bbox``, keeping only parts of its own dimension (no stray points)."""
    if bbox is None:
        return geom
    clipped = shapely.intersection(geom, shapely.box(*bbox))
    dim = shapely.get_dimensions(geom)
    parts = [p for p in shapely.get_parts(clipped) if shapely.get_dimensions(p) == dim]
    if len(parts) == 1:
        return parts[0]
    return shapely.multipolygons(parts) if dim == 2 else shapely.multilinestrings(parts)


def basemap_frames(tolerance_deg: float, bbox: Bbox | None) -> dict[str, gpd.GeoDataFrame]:
    """Build the three base-map GeoDataFrames; see ``geo.reference.basemap``."""
    import geopandas as gpd  # imported here: a lookup alone should not pay for pandas

    land, borders, seas = _layers(float(tolerance_deg))
    crs = "EPSG:4326"
    land_frame = gpd.GeoDataFrame({"name": ["land"]}, geometry=[_clip(land, bbox)], crs=crs)
    border_rows = [(a, b, _clip(g, bbox)) for a, b, g in borders]
    border_rows = [row for row in border_rows if not row[2].is_empty]
    border_frame = gpd.GeoDataFrame(
        {"country_a": [r[0] for r in border_rows], "country_b": [r[1] for r in border_rows]},
        geometry=[r[2] for r in border_rows],
        crs=crs,
    )
    sea_rows = [(n, x, y, _clip(g, bbox)) for n, x, y, g in seas]
    sea_rows = [row for row in sea_rows if not row[3].is_empty]
    sea_frame = gpd.GeoDataFrame(
        {
            "name": [r[0] for r in sea_rows],
            "label_lon": [r[1] for r in sea_rows],
            "label_lat": [r[2] for r in sea_rows],
        },
        geometry=[r[3] for r in sea_rows],
        crs=crs,
    )
    return {"land": land_frame, "borders": border_frame, "seas": sea_frame}
