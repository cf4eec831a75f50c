"""Turn lon/lat shapes into map shapes: projected, clipped to the view, without the far side.

Also turns map shapes into matplotlib paths, one compound path per kind of stroke or fill.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
import shapely.errors
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from geo.geodesy import seamless_outline, wrap_lon_deg

from ._projection import MapProjection

_SEGMENT_DEG = 1.0  # densify lon/lat edges so long straight edges bend with the projection
_MAX_CAP_DEG = 170.0  # parts farther than this from the centre are never visible
_CAP_MARGIN_DEG = 12.0
#: A sphere whose radius is 180/π: the length of an arc on it is its angle in degrees.
_DEGREE_SPHERE = pyproj.Geod(a=180.0 / math.pi, b=180.0 / math.pi)


@dataclass(frozen=True)
class Frame:
    """Projects lon/lat geometries into the map and clips them to what can be seen."""

    projection: MapProjection
    view: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in metres
    cap_deg: float = _MAX_CAP_DEG  # parts farther than this from the centre are dropped

    @classmethod
    def for_view(cls, projection: MapProjection, view: tuple[float, float, float, float]) -> Frame:
        """Return a frame that drops what lies farther from the centre than the view reaches."""
        xmin, ymin, xmax, ymax = view
        xmid, ymid = (xmin + xmax) / 2, (ymin + ymax) / 2
        xs = np.array([xmin, xmax, xmin, xmax, xmid, xmid, xmin, xmax])
        ys = np.array([ymin, ymin, ymax, ymax, ymin, ymax, ymid, ymid])
        lon, lat = projection.inverse(xs, ys)
        if not np.isfinite(lon).all():
            return cls(projection, view)
        reach = float(_arc_deg(lon, lat, projection.lon_0, projection.lat_0).max())
        return cls(projection, view, min(reach + _CAP_MARGIN_DEG, _MAX_CAP_DEG))

    @property
    def clip_box(self) -> tuple[float, float, float, float]:
        xmin, ymin, xmax, ymax = self.view
        pad = 0.03 * max(xmax - xmin, ymax - ymin)
        return (xmin - pad, ymin - pad, xmax + pad, ymax + pad)

    def areas(self, geoms: Iterable[BaseGeometry | None]) -> np.ndarray:
        """Return the polygonal parts of `geoms`, projected and clipped to the view."""
        polys = _unwrap_jumps(parts(geoms, polygonal=True))
        return self._project_and_clip(polys, polygonal=True)

    def strokes(self, geoms: Iterable[BaseGeometry | None]) -> np.ndarray:
        """Return the outlines of areas (without split seams) and the lines of `geoms`."""
        polys = _unwrap_jumps(parts(geoms, polygonal=True))
        lines = _unwrap_jumps(parts(geoms, polygonal=False))
        return self._project_and_clip(np.concatenate([outlines(polys), lines]), polygonal=False)

    def _project_and_clip(self, shapes: np.ndarray, *, polygonal: bool) -> np.ndarray:
        if not len(shapes):
            return shapes
        shapes = _drop_far_side(shapes, self.projection, self.cap_deg)
        shapes = _project(shapes, self.projection)
        if polygonal and len(shapes):
            invalid = ~shapely.is_valid(shapes)
            shapes[invalid] = shapely.make_valid(shapes[invalid])
        clipped = shapely.clip_by_rect(shapes, *self.clip_box)
        return clipped[~shapely.is_empty(clipped)]


def parts(geoms: Iterable[BaseGeometry | None], *, polygonal: bool) -> np.ndarray:
    """Return the single polygons (or lines) of `geoms` that have an area (or a length).

    A link from a site to itself is a line of length zero: there is nothing to draw, and GEOS
    cannot densify it.

    >>> loop = shapely.LineString([(17.1, 54.5), (17.1, 54.5)])
    >>> len(parts([loop, None, shapely.LineString(), shapely.Point(1, 2)], polygonal=False))
    0
    >>> parts([shapely.MultiLineString([[(0, 0), (0, 0)], [(0, 0), (1, 1)]])], polygonal=False)
    array([<LINESTRING (0 0, 1 1)>], dtype=object)
    >>> flat = shapely.Polygon([(0, 0), (1, 1), (0, 0)])
    >>> len(parts([flat, shapely.box(0, 0, 1, 1)], polygonal=True))
    1
    """
    arr = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if not len(arr):
        return np.empty(0, dtype=object)
    found = shapely.get_parts(shapely.get_parts(arr))  # twice: collections of multi-parts
    type_id = shapely.get_type_id(found)
    if polygonal:
        wanted = (type_id == 3) & (shapely.area(found) > 0)
    else:
        wanted = np.isin(type_id, (1, 2)) & (shapely.length(found) > 0)
    return found[wanted]


def _unwrap_jumps(shapes: np.ndarray) -> np.ndarray:
    """Make parts that jump across ±180° without being split continuous (lon beyond ±180).

    Split seams along ±180° and edges along a pole are not jumps and stay as they are.

    >>> ring = shapely.Polygon([(170, 60), (-170, 60), (-170, 65), (170, 65)])
    >>> _unwrap_jumps(np.array([ring], dtype=object))[0].bounds
    (170.0, 60.0, 190.0, 65.0)
    """
    if not len(shapes):
        return shapes
    coords, idx = shapely.get_coordinates(shapes, return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    on_meridian = np.abs(np.abs(lon) - 180.0) < 1e-7
    on_pole = np.abs(lat) > 90.0 - 1e-7
    jump = (np.abs(np.diff(lon)) > 180.0) & (idx[:-1] == idx[1:])
    jump &= ~(on_meridian[:-1] & on_meridian[1:]) & ~on_pole[:-1] & ~on_pole[1:]
    if not jump.any():
        return shapes
    out = shapes.copy()
    for i in np.unique(idx[:-1][jump]):
        # a ring round a pole cannot be unwrapped (it would not close): leave it as it came
        with contextlib.suppress(shapely.errors.GEOSException):
            out[i] = shapely.transform(shapes[i], _unwrap_xy)
    return out


def _unwrap_xy(coords: np.ndarray) -> np.ndarray:
    # One unwrap over all rings of a part: the rings of one part lie close together.
    lon = np.degrees(np.unwrap(np.radians(coords[:, 0])))
    return np.column_stack([lon, coords[:, 1]])


def outlines(polys: np.ndarray) -> np.ndarray:
    """Return the outlines of polygons as lines, without the cuts along ±180° and the poles.

    Natural Earth splits Russia at ±180° and a ring around a pole is closed along lat ±90°:
    stroking those edges would draw lines that are not on the ground. An edge on ±180° is a
    cut only where one of `polys` has an edge facing it on the other side; a shape that ends
    at 180° keeps its edge there.

    >>> ends_at_180 = shapely.box(170, 10, 180, 20)
    >>> [round(line.length) for line in outlines(np.array([ends_at_180], dtype=object))]
    [40]
    >>> split = [ends_at_180, shapely.box(-180, 10, -170, 20)]
    >>> [round(line.length) for line in outlines(np.array(split, dtype=object))]
    [30, 30]
    """
    if not len(polys):
        return np.empty(0, dtype=object)
    lines = shapely.get_parts(seamless_outline(shapely.MultiPolygon(list(polys))))
    return np.asarray(lines[shapely.length(lines) > 0], dtype=object)


def _arc_deg(lon: np.ndarray, lat: np.ndarray, lon_0: float, lat_0: float) -> np.ndarray:
    """Return the great-circle angle in degrees from (lon_0, lat_0) to each point.

    >>> _arc_deg(np.array([0.0, 180.0, 90.0]), np.array([0.0, 0.0, 45.0]), 0.0, 0.0).round(6)
    array([  0., 180.,  90.])
    """
    _, _, arc = _DEGREE_SPHERE.inv(np.full_like(lon, lon_0), np.full_like(lat, lat_0), lon, lat)
    return np.asarray(arc, dtype=float)


def _drop_far_side(shapes: np.ndarray, proj: MapProjection, cap_deg: float) -> np.ndarray:
    """Drop parts beyond `cap_deg` from the centre; cut a hole around the antipode.

    The projection sends the antipode to a whole circle, so a part reaching it would be drawn
    inside out. Parts that never come near the view are dropped to save work.
    """
    coords, idx = shapely.get_coordinates(shapes, return_index=True)
    dist = _arc_deg(coords[:, 0], coords[:, 1], proj.lon_0, proj.lat_0)
    nearest = np.full(len(shapes), np.inf)
    farthest = np.zeros(len(shapes))
    np.minimum.at(nearest, idx, dist)
    np.maximum.at(farthest, idx, dist)
    keep = shapes[nearest <= cap_deg].copy()
    alon, alat = wrap_lon_deg(np.array([proj.lon_0 + 180.0]))[0], -proj.lat_0
    risky = (farthest[nearest <= cap_deg] > _MAX_CAP_DEG) | shapely.contains_xy(keep, alon, alat)
    if risky.any():
        keep[risky] = shapely.difference(keep[risky], _antipode_hole(alon, alat))
    return keep[~shapely.is_empty(keep)]


def _antipode_hole(lon: float, lat: float, half_deg: float = 6.0) -> BaseGeometry:
    south, north = max(lat - half_deg, -90.0), min(lat + half_deg, 90.0)
    boxes = [
        shapely.box(lon - half_deg + k, south, lon + half_deg + k, north) for k in (-360, 0, 360)
    ]
    if abs(lat) + half_deg >= 90.0:  # a cap around a pole spans every longitude
        boxes.append(shapely.box(-180.0, south, 180.0, north))
    return shapely.union_all(boxes)


def _project(shapes: np.ndarray, proj: MapProjection) -> np.ndarray:
    dense = shapely.segmentize(shapes, _SEGMENT_DEG)
    projected = shapely.transform(dense, proj.forward_xy)
    coords, idx = shapely.get_coordinates(projected, return_index=True)
    bad = np.zeros(len(projected), dtype=bool)
    bad[idx[~np.isfinite(coords).all(axis=1)]] = True
    return np.asarray(projected[~bad], dtype=object)


def project_points(geoms: Sequence[BaseGeometry], proj: MapProjection) -> np.ndarray:
    """Return the points among `geoms` in map metres, leaving out those that cannot be projected."""
    pts = shapely.get_parts(np.asarray(geoms, dtype=object))
    pts = pts[shapely.get_type_id(pts) == 0]
    if not len(pts):
        return pts
    projected = shapely.transform(pts, proj.forward_xy)
    return projected[np.isfinite(shapely.get_coordinates(projected)).all(axis=1)]


def area_path(polys: Iterable[BaseGeometry]) -> MplPath | None:
    """Return one compound path of polygons; holes wind the other way so they stay empty."""
    arr = parts(polys, polygonal=True)
    if not len(arr):
        return None
    rings = shapely.get_rings(shapely.orient_polygons(arr))
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    first = np.r_[True, idx[1:] != idx[:-1]]
    codes[first] = MplPath.MOVETO
    codes[np.r_[first[1:], True]] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def line_path(lines: Iterable[BaseGeometry]) -> MplPath | None:
    """Return one compound path of lines, each starting with a move."""
    arr = parts(lines, polygonal=False)
    if not len(arr):
        return None
    coords, idx = shapely.get_coordinates(arr, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[np.r_[True, idx[1:] != idx[:-1]]] = MplPath.MOVETO
    return MplPath(coords, codes)
