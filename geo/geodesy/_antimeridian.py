"""The one place that handles the edges of a flat map: ±180° and the poles.

- :func:`split_antimeridian` cuts shapes with unwrapped longitudes (170 → 190) at ±180° and
  shifts every part into [-180, 180];
- :func:`region_from_boundary` turns a closed boundary into the region it encloses on the
  sphere: closed over the pole it winds around, or the world minus a hole when it holds both;
- :func:`seamless_outline` strokes a polygon without the cut edges these leave along ±180°
  and the poles (edges of the polygon, not of the shape).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from ._angles import unwrap_deg, wrap_lon_deg

WORLD = box(-180.0, -90.0, 180.0, 90.0)


# --- from a closed boundary to a region -----------------------------------------------------


def _signed_planar_area(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2.0


def _close_over_pole(lon: np.ndarray, lat: np.ndarray, winding: int) -> Polygon:
    """Close a boundary that winds once around the earth along the pole it encircles."""
    # Interior on the right: walking west (winding < 0) keeps the north pole on the right.
    pole_lat = 90.0 if winding < 0 else -90.0
    at_seam = np.flatnonzero(np.abs(lon) == 180.0)
    first = int(at_seam[0]) if at_seam.size else 0
    lon, lat = np.roll(lon, -first), np.roll(lat, -first)
    if at_seam.size:
        # Start on the seam so the polygon spans exactly [-180, 180] with no cut to stitch.
        lon = lon.copy()
        lon[0] = 180.0 if winding < 0 else -180.0
    x = unwrap_deg(lon)
    x_end = x[0] + 360.0 * winding
    closing = [(x_end, lat[0]), (x_end, pole_lat), (x[0], pole_lat)]
    return shapely.polygons(np.vstack([np.column_stack([x, lat]), closing]))


def region_from_boundary(
    lon: np.ndarray, lat: np.ndarray, *, may_hold_both_poles: bool = True
) -> BaseGeometry:
    """Turn a closed boundary (interior on its right, last vertex not repeated) into a region.

    The boundary winds once around the earth if the region holds one pole; it does not wind
    but runs anticlockwise on the map if the region holds both poles (it then bounds the hole).
    Small pieces pass may_hold_both_poles=False: for them an anticlockwise boundary can only
    be a sliver folded onto itself by chord error, and is taken as drawn.
    """
    x = unwrap_deg(lon)
    total_deg = x[-1] + wrap_lon_deg(lon[0] - lon[-1]) - x[0]
    winding = round(total_deg / 360.0)
    if winding != 0:
        return split_antimeridian(valid(_close_over_pole(lon, lat, winding)))
    inside = split_antimeridian(valid(shapely.polygons(np.column_stack([x, lat]))))
    if may_hold_both_poles and _signed_planar_area(x, lat) > 0.0:
        return WORLD.difference(inside)
    return inside


def valid(polygon: Polygon) -> BaseGeometry:
    return polygon if polygon.is_valid else shapely.make_valid(polygon)


def finish(geometry: BaseGeometry) -> BaseGeometry:
    """Orient polygons (exterior anticlockwise) and unwrap a single-part MultiPolygon."""
    geometry = shapely.orient_polygons(geometry)
    if isinstance(geometry, MultiPolygon) and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry


# --- antimeridian -----------------------------------------------------------------------------


def split_antimeridian(geometry: BaseGeometry) -> BaseGeometry:
    """Cut a geometry with unwrapped longitudes at ±180° and shift every part into [-180, 180].

    Longitudes may run continuously beyond ±180 (e.g. 170 → 190); each 360°-wide band is
    clipped and shifted back by whole turns, which is exact for coordinates near the seam.
    Polygon parts that meet after the shift are merged. A geometry already inside
    [-180, 180] comes back unchanged.

    >>> strip = split_antimeridian(box(170, 10, 190, 20))
    >>> sorted(part.bounds for part in strip.geoms)
    [(-180.0, 10.0, -170.0, 20.0), (170.0, 10.0, 180.0, 20.0)]
    >>> split_antimeridian(LineString([(170, 0), (200, 5)])).geom_type
    'MultiLineString'
    """
    if geometry.is_empty:
        return geometry
    min_x, _, max_x, _ = geometry.bounds
    if min_x >= -180.0 and max_x <= 180.0:
        return geometry
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    pieces: list[BaseGeometry] = []
    for part in shapely.get_parts(geometry):
        pieces.extend(_split_line(part) if isinstance(part, LineString) else _split_part(part))
    return _collect(pieces)


def _split_part(part: BaseGeometry) -> list[BaseGeometry]:
    """Clip a polygon or point into each 360°-wide band it touches and shift it home."""
    min_x, _, max_x, _ = part.bounds
    first, last = int(np.floor((min_x + 180.0) / 360.0)), int(np.ceil((max_x - 180.0) / 360.0))
    pieces: list[BaseGeometry] = []
    for turn in range(first, last + 1):
        offset = 360.0 * turn
        clipped = shapely.intersection(part, box(offset - 180.0, -90.0, offset + 180.0, 90.0))
        # A band that only touches the part yields a line or point: not a piece of it.
        dim = shapely.get_dimensions(part)
        shifted = shapely.get_parts(_shift(clipped, offset))
        pieces.extend(p for p in shifted if shapely.get_dimensions(p) == dim)
    return pieces


def _shift(geometry: BaseGeometry, offset_deg: float) -> BaseGeometry:
    """Move a geometry west by offset_deg (a whole number of turns; exact near the seam)."""
    return shapely.transform(geometry, lambda xy: xy - [offset_deg, 0.0])


def _split_line(line: LineString) -> list[LineString]:
    """Cut one line at every ±180 + 360 k it crosses, keeping the pieces in order."""
    min_x, _, max_x, _ = line.bounds
    first, last = int(np.floor((min_x + 180.0) / 360.0)), int(np.ceil((max_x - 180.0) / 360.0))
    located = []
    for turn in range(first, last + 1):
        offset = 360.0 * turn
        part = shapely.intersection(line, box(offset - 180.0, -90.0, offset + 180.0, 90.0))
        for piece in shapely.get_parts(part):
            if isinstance(piece, LineString) and not piece.is_empty:
                located.append((line.project(Point(piece.coords[0])), _shift(piece, offset)))
    return [piece for _, piece in sorted(located, key=lambda item: item[0])]


def _collect(pieces: Sequence[BaseGeometry]) -> BaseGeometry:
    """Merge pieces into one geometry per dimension (a collection only if dimensions mix)."""
    by_dim: dict[int, list[BaseGeometry]] = {}
    for piece in pieces:
        if not piece.is_empty:
            by_dim.setdefault(int(shapely.get_dimensions(piece)), []).append(piece)
    merged = [_merge(dim, by_dim[dim]) for dim in sorted(by_dim, reverse=True)]
    if not merged:
        return shapely.GeometryCollection()
    return merged[0] if len(merged) == 1 else shapely.GeometryCollection(merged)


def _merge(dim: int, pieces: list[BaseGeometry]) -> BaseGeometry:
    if dim == 2:
        # Parts that meet after the shift (a shape wider than one turn) become one.
        polygons = [p for p in shapely.get_parts(shapely.union_all(pieces)) if p.area > 0]
        return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    parts = [p for piece in pieces for p in shapely.get_parts(piece)]
    if dim == 1:
        return parts[0] if len(parts) == 1 else MultiLineString(parts)
    return parts[0] if len(parts) == 1 else shapely.MultiPoint(parts)


def seamless_outline(geometry: BaseGeometry) -> MultiLineString:
    """Return a polygon's outline without the cut edges along ±180° and at the poles, to stroke.

    A strip cut at the antimeridian keeps its long sides, not the cut between its halves:

    >>> strip = split_antimeridian(box(170, 10, 190, 20))
    >>> sorted(line.bounds for line in seamless_outline(strip).geoms)
    [(-180.0, 10.0, -170.0, 20.0), (170.0, 10.0, 180.0, 20.0)]
    >>> [len(line.coords) for line in seamless_outline(strip).geoms]
    [4, 4]
    """
    lines: list[LineString] = []
    cuts = cuts_of(geometry)
    for polygon in shapely.get_parts(geometry):
        for ring_ in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring_.coords)
            lines.extend(runs(xy, seam_edges(xy, cuts)))
    return MultiLineString(lines)


@dataclass(frozen=True)
class Cuts:
    """Latitude spans of the edges a geometry has on +180° and on -180°."""

    east: np.ndarray  # shape (n, 2): lowest and highest latitude of each edge on +180
    west: np.ndarray


def cuts_of(geometry: BaseGeometry) -> Cuts:
    spans: dict[float, list[tuple[float, float]]] = {180.0: [], -180.0: []}
    for polygon in shapely.get_parts(geometry):
        if not isinstance(polygon, Polygon):
            continue
        for ring_ in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring_.coords)
            on = np.flatnonzero((np.abs(xy[:-1, 0]) == 180.0) & (xy[:-1, 0] == xy[1:, 0]))
            for i in on:
                lo, hi = sorted((xy[i, 1], xy[i + 1, 1]))
                spans[float(xy[i, 0])].append((lo, hi))
    return Cuts(*(np.array(spans[x], dtype=float).reshape(-1, 2) for x in (180.0, -180.0)))


def seam_edges(xy: np.ndarray, cuts: Cuts) -> np.ndarray:
    """Flag a ring's cut edges: on a pole, or on ±180° facing an edge on the other side.

    A polygon that merely ends at 180° has no partner edge on -180°: its edge is real.
    """
    x, y = xy[:, 0], xy[:, 1]
    on_pole = (np.abs(y[:-1]) == 90.0) & (y[:-1] == y[1:])
    seam = on_pole.copy()
    for i in np.flatnonzero((np.abs(x[:-1]) == 180.0) & (x[:-1] == x[1:]) & ~on_pole):
        lo, hi = sorted((y[i], y[i + 1]))
        partners = cuts.west if x[i] > 0 else cuts.east
        overlap = np.minimum(hi, partners[:, 1]) - np.maximum(lo, partners[:, 0])
        seam[i] = bool((overlap > 0.0).any())
    return seam


def runs(xy: np.ndarray, cut: np.ndarray) -> list[LineString]:
    """Split a closed ring's vertex list into lines at the cut edges."""
    if not cut.any():
        return [LineString(xy)]
    start = int(np.flatnonzero(cut)[0]) + 1
    xy, cut = np.roll(xy[:-1], -start, axis=0), np.roll(cut, -start)
    xy = np.vstack([xy, xy[:1]])
    lines: list[LineString] = []
    begin = 0
    for i in np.flatnonzero(cut).tolist():
        if i > begin:
            lines.append(LineString(xy[begin : i + 1]))
        begin = i + 1
    return lines
