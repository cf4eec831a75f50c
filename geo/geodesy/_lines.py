"""Geodesic lines: links between two places, and the geodesic edges of drawn paths."""

from __future__ import annotations

import itertools

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.geometry.base import BaseGeometry

from ._angles import unwrap_deg, wrap_lon_deg
from ._antimeridian import split_antimeridian
from ._checks import check_error, check_point
from ._densify import SAFETY, Rays, densify, rays
from ._ellipsoid import GEOD


def geodesic_line(
    lon1: float, lat1: float, lon2: float, lat2: float, *, max_error_m: float = 100.0
) -> LineString | MultiLineString:
    """Draw the shortest geodesic from (lon1, lat1) to (lon2, lat2), cut at ±180° if it crosses.

    Identical end points (or two spellings of one point: a pole at two longitudes, ±180°)
    give a zero-length LineString. A geodesic over a pole is cut there.

    >>> link = geodesic_line(-145.73, 63.97, 158.65, 53.02)
    >>> link.geom_type, [round(part.coords[-1][0]) for part in link.geoms]
    ('MultiLineString', [-180, 159])
    >>> geodesic_line(0, 90, 120, 90).length
    0.0
    """
    check_point(lon1, lat1, "1")
    check_point(lon2, lat2, "2")
    check_error(max_error_m)
    return _lines([(float(lon1), float(lat1), float(lon2), float(lat2))], max_error_m)[0]


def geodesic_lines(
    lon1: ArrayLike,
    lat1: ArrayLike,
    lon2: ArrayLike,
    lat2: ArrayLike,
    *,
    max_error_m: float = 100.0,
) -> list[LineString | MultiLineString]:
    """Draw many geodesic lines at once: the lines :func:`geodesic_line` draws, in one pass.

    Arguments are numbers or arrays, broadcast together; the result lists one line per element.

    >>> one, two = geodesic_lines([21.01, 51.389], [52.23, 35.689], [37.62, 21.01], [55.76, 52.23])
    >>> two.equals(geodesic_line(51.389, 35.689, 21.01, 52.23)), one.geom_type
    (True, 'LineString')
    """
    columns = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2)))
    ends = list(zip(*(c.ravel().tolist() for c in columns)))
    for e_lon1, e_lat1, e_lon2, e_lat2 in ends:
        check_point(e_lon1, e_lat1, "1")
        check_point(e_lon2, e_lat2, "2")
    check_error(max_error_m)
    return _lines(ends, max_error_m)


def _lines(
    ends: list[tuple[float, float, float, float]], max_error_m: float
) -> list[LineString | MultiLineString]:
    """Build lines between (lon1, lat1, lon2, lat2): every stretch of every line is sampled in
    one densify call (a line over a pole is two stretches, cut there)."""
    if not ends:
        return []
    lon1, lat1, lon2, lat2 = (np.array(c) for c in zip(*ends))
    az_deg, _, length_m = (np.asarray(a) for a in GEOD.inv(lon1, lat1, lon2, lat2))
    stretches: list[tuple[int, float, float]] = []  # line, start_m, end_m
    for i, (az, length) in enumerate(zip(az_deg.tolist(), length_m.tolist())):
        if length == 0.0:
            continue
        cuts = [0.0, *_pole_passages_m(*ends[i], az), length]
        stretches += [(i, start, end) for start, end in itertools.pairwise(cuts)]
    parts: list[list[BaseGeometry]] = [[] for _ in ends]
    if stretches:
        line, start_m, end_m = (np.array(c) for c in zip(*stretches))
        sampled = rays(lon1[line], lat1[line], az_deg[line], start_m, end_m, max_error_m * SAFETY)
        for i, (lon, lat) in zip(line.tolist(), sampled):
            unwrapped = shapely.linestrings(np.column_stack([unwrap_deg(lon), lat]))
            parts[i].extend(shapely.get_parts(split_antimeridian(unwrapped)))
    return [
        LineString([(e[0], e[1]), (e[0], e[1])])
        if not p
        else (p[0] if len(p) == 1 else MultiLineString(p))
        for e, p in zip(ends, parts)
    ]


def _pole_passages_m(
    lon1: float, lat1: float, lon2: float, lat2: float, az_deg: float
) -> list[float]:
    """Return the distance at which a meridional geodesic runs over a pole, if it does."""
    on_meridian = abs(np.sin(np.radians(az_deg))) < 1e-12 and abs(lat1) < 90.0 > abs(lat2)
    if not on_meridian or abs(wrap_lon_deg(np.array(lon2 - lon1))) <= 90.0:
        return []
    pole_lat = 90.0 if np.cos(np.radians(az_deg)) > 0 else -90.0
    return [float(GEOD.inv(lon1, lat1, lon1, pole_lat)[2])]


def densify_polygon(polygon: Polygon, tol_m: float) -> BaseGeometry:
    """Densify a polygon's geodesic edges so that its drawn outline follows them."""
    rings = [densify_path(np.asarray(r.coords)[:, :2], tol_m) for r in polygon.interiors]
    dense = Polygon(densify_path(np.asarray(polygon.exterior.coords)[:, :2], tol_m), rings)
    return dense if dense.is_valid else shapely.make_valid(dense)


def densify_path(xy: np.ndarray, tol_m: float) -> np.ndarray:
    """Insert vertices along each geodesic edge of a path; cut and map-wide edges stay as drawn."""
    a, b = xy[:-1], xy[1:]
    az, _, length_m = (np.asarray(x) for x in GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    # Meridians are straight on the map already; pole edges and map-wide edges stay as drawn.
    on_pole = (np.abs(a[:, 1]) == 90.0) & (a[:, 1] == b[:, 1])
    edges = np.flatnonzero(~on_pole & (np.abs(b[:, 0] - a[:, 0]) <= 180.0) & (length_m > 0))
    if edges.size == 0:
        return xy
    family = Rays(a[edges, 0], a[edges, 1], az[edges], np.zeros(len(edges)), length_m[edges])
    curve = np.repeat(np.arange(len(edges)), 2)
    t = np.ravel(np.column_stack([np.zeros(len(edges)), length_m[edges]]))
    v = densify(family, curve, t, tol_m, split_at_antimeridian=False)
    inner = (v.t > 0) & (v.t < length_m[edges][v.curve])
    start_lon = a[edges, 0][v.curve[inner]]
    # Inner points lie between the edge's end longitudes: express them next to the start.
    lon = np.clip(start_lon + wrap_lon_deg(v.lon[inner] - start_lon), -180.0, 180.0)
    edge = np.concatenate([np.arange(len(a)), edges[v.curve[inner]]])
    along = np.concatenate([np.full(len(a), -1.0), v.t[inner]])
    points = np.vstack([a, np.column_stack([lon, v.lat[inner]])])
    return np.vstack([points[np.lexsort((along, edge))], xy[-1:]])
