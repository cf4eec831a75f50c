"""Build geodesic shapes on the WGS84 ellipsoid: range rings, radar fans, links and buffers.

Every shape is computed with :class:`pyproj.Geod` (GeographicLib) and returned as a shapely 2
geometry in lon/lat degrees, ready for a [-180, 180] map:

- outlines are densified adaptively, so that the straight segments a renderer draws between
  vertices (in lon/lat, and in Web Mercator away from the poles) stay within ``max_error_m`` of
  the true curve everywhere, not just at the vertices;
- shapes that cross the antimeridian are cut at ±180° (:func:`split_antimeridian`);
- a shape that contains a pole is closed over that pole (edges along latitude ±90);
- polygons are valid, exteriors counter-clockwise and holes clockwise (RFC 7946 order).

Polygon edges are straight in lon/lat as drawn; :func:`buffer` reads the edges of its input as
geodesics, which makes no visible difference for shapes this module densified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

__all__ = [
    "buffer",
    "fan",
    "geodesic_area_km2",
    "geodesic_length_km",
    "geodesic_line",
    "ring",
    "seamless_outline",
    "split_antimeridian",
]

_GEOD = Geod(ellps="WGS84")
#: Beyond this a geodesic circle approaches the antipode's cut locus and stops being a circle.
MAX_RADIUS_KM = 19_500.0
#: Web Mercator (and so Leaflet) clips latitudes beyond this.
_MERCATOR_MAX_LAT_DEG = 85.0511287798066
#: Where each drawn chord is compared with the curve; the error peaks near the middle, and a
#: few extra points catch chords whose error is lopsided.
_CHORD_FRACTIONS = np.array([0.125, 0.25, 0.375, 0.625, 0.75, 0.875])
_MIDDLE = np.array([0.5])
#: Refine to a bit below the bound: the true maximum can fall between two checked points.
_SAFETY = 0.9
_INITIAL_ARC_STEP_DEG = 11.25
_INITIAL_RAY_STEP_M = 500_000.0
_POLAR_PARALLEL_STEP_DEG = 1.0
_MAX_PASSES = 64
#: Nudge for fan edges that run exactly along a meridian, so that an edge reaching a pole
#: passes beside it (0.03 m at 20,000 km) instead of through it, where longitude is undefined.
_MERIDIAN_NUDGE_DEG = 1e-7
_WORLD = box(-180.0, -90.0, 180.0, 90.0)


# --- validation -------------------------------------------------------------------------------


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _check_point(lon: float, lat: float, name: str = "") -> None:
    _require(bool(np.isfinite(lon)), f"{name}lon must be a finite number, got {lon!r}")
    _require(
        bool(np.isfinite(lat)) and -90.0 <= lat <= 90.0,
        f"{name}lat must be within [-90, 90], got {lat!r}",
    )


def _check_radii(radius_km: float, min_radius_km: float) -> None:
    _require(
        bool(np.isfinite(radius_km)) and 0.0 < radius_km <= MAX_RADIUS_KM,
        f"radius_km must be > 0 and <= {MAX_RADIUS_KM:.0f}, got {radius_km!r}",
    )
    _require(
        bool(np.isfinite(min_radius_km)) and 0.0 <= min_radius_km < radius_km,
        f"min_radius_km must be >= 0 and < radius_km ({radius_km:g}), got {min_radius_km!r}",
    )


def _check_error(max_error_m: float) -> None:
    _require(
        bool(np.isfinite(max_error_m)) and max_error_m > 0.0,
        f"max_error_m must be > 0, got {max_error_m!r}",
    )


# --- angles and projections -----------------------------------------------------------------


def _wrap_deg(angle_deg: np.ndarray) -> np.ndarray:
    """Wrap angles into [-180, 180): the rule every unwrapping here follows."""
    return (angle_deg + 180.0) % 360.0 - 180.0


def _unwrap_deg(lon_deg: np.ndarray) -> np.ndarray:
    """Make longitudes continuous by adding whole turns, so ±180 stays exactly ±180 + 360 k."""
    step = np.diff(lon_deg)
    turns = np.round((_wrap_deg(step) - step) / 360.0)
    return lon_deg + 360.0 * np.concatenate(([0.0], np.cumsum(turns)))


def _mercator_y(lat_deg: np.ndarray) -> np.ndarray:
    return np.log(np.tan(np.pi / 4.0 + np.radians(lat_deg) / 2.0))


def _mercator_lat_deg(y: np.ndarray) -> np.ndarray:
    return np.degrees(2.0 * np.arctan(np.exp(y)) - np.pi / 2.0)


# --- families of curves: a point for a parameter, and how far a point is from the curve ------


class _Family(Protocol):
    min_step: float

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class _Circles:
    """Geodesic circles; the parameter is the azimuth in degrees clockwise from north."""

    lon: np.ndarray
    lat: np.ndarray
    radius_m: np.ndarray
    min_step: float = 1e-9

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat, _ = _GEOD.fwd(self.lon[curve], self.lat[curve], t, self.radius_m[curve])
        return np.asarray(lon), np.asarray(lat)

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        _, _, dist_m = _GEOD.inv(self.lon[curve], self.lat[curve], lon, lat)
        return np.abs(np.asarray(dist_m) - self.radius_m[curve])


@dataclass(frozen=True)
class _Rays:
    """Geodesics from an origin along an azimuth; the parameter is the distance in metres."""

    lon: np.ndarray
    lat: np.ndarray
    azimuth_deg: np.ndarray
    start_m: np.ndarray
    end_m: np.ndarray
    min_step: float = 1e-3

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        args = (self.lon[curve], self.lat[curve], self.azimuth_deg[curve])
        lon, lat, _ = (np.asarray(a) for a in _GEOD.fwd(*args, t))
        # A pole's longitude is arbitrary; at an end of a ray take that of the meridian the
        # ray runs along, so the drawn segment follows the meridian instead of the pole line.
        ends = (t == self.start_m[curve]) | (t == self.end_m[curve])
        pole = (np.abs(lat) >= 90.0 - 1e-9) & ends
        if pole.any():
            inward = np.where(t[pole] == self.start_m[curve][pole], 1.0, -1.0)
            near = _GEOD.fwd(*(a[pole] for a in args), t[pole] + inward)[0]
            lon[pole] = near
        return lon, lat

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        # Distance to the geodesic: slide the foot point along it until the point is abeam.
        args = (self.lon[curve], self.lat[curve], self.azimuth_deg[curve])
        along_m = np.asarray(t, dtype=float)
        for _ in range(2):
            q_lon, q_lat, back_az = _GEOD.fwd(*args, along_m)
            az_to_point, _, dist_m = _GEOD.inv(q_lon, q_lat, lon, lat)
            heading = np.asarray(back_az) + 180.0
            along_m = along_m + np.asarray(dist_m) * np.cos(np.radians(az_to_point - heading))
        q_lon, q_lat, _ = _GEOD.fwd(*args, along_m)
        return np.asarray(_GEOD.inv(q_lon, q_lat, lon, lat)[2])


# --- adaptive densification -----------------------------------------------------------------


@dataclass(frozen=True)
class _Vertices:
    """Vertices of many curves, ordered by curve then parameter; lon as pyproj returns it."""

    curve: np.ndarray
    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    def insert(self, at: np.ndarray, other: _Vertices) -> _Vertices:
        return _Vertices(
            np.insert(self.curve, at, other.curve),
            np.insert(self.t, at, other.t),
            np.insert(self.lon, at, other.lon),
            np.insert(self.lat, at, other.lat),
        )


def _vertices(family: _Family, curve: np.ndarray, t: np.ndarray) -> _Vertices:
    lon, lat = family.points(curve, t)
    return _Vertices(curve, t, lon, lat)


def _chord_errors_m(
    family: _Family, v: _Vertices, seg: np.ndarray, fractions: np.ndarray = _CHORD_FRACTIONS
) -> np.ndarray:
    """Return, per segment, the largest distance of its drawn chord from the true curve."""
    f = fractions[None, :]
    lat_a, lat_b = v.lat[seg, None], v.lat[seg + 1, None]
    lon = v.lon[seg, None] + f * _wrap_deg(v.lon[seg + 1] - v.lon[seg])[:, None]
    t = v.t[seg, None] + f * (v.t[seg + 1] - v.t[seg])[:, None]
    curve = np.broadcast_to(v.curve[seg, None], t.shape)

    def worst(rows: np.ndarray | slice, lat: np.ndarray) -> np.ndarray:
        err = family.errors_m(curve[rows].ravel(), t[rows].ravel(), lon[rows].ravel(), lat.ravel())
        return err.reshape(lat.shape).max(axis=1)

    errors = worst(slice(None), lat_a + f * (lat_b - lat_a))
    # Leaflet draws straight lines in Web Mercator: check that chord too where it is drawn.
    merc = ((np.abs(lat_a) < _MERCATOR_MAX_LAT_DEG) & (np.abs(lat_b) < _MERCATOR_MAX_LAT_DEG))[:, 0]
    if merc.any():
        y_a, y_b = _mercator_y(lat_a[merc]), _mercator_y(lat_b[merc])
        errors[merc] = np.maximum(errors[merc], worst(merc, _mercator_lat_deg(y_a + f * (y_b - y_a))))
    return errors


def _refine(
    family: _Family, v: _Vertices, pending: np.ndarray, tol_m: float, max_step: float
) -> _Vertices:
    """Bisect pending segments until each chord is within tol_m of its curve."""
    for _ in range(_MAX_PASSES):
        seg = np.flatnonzero(pending)
        if seg.size == 0:
            break
        step = v.t[seg + 1] - v.t[seg]
        bad = (step > max_step) | (_chord_errors_m(family, v, seg, _MIDDLE) > tol_m)
        # Most failing chords fail in the middle: check the other points only for the rest.
        bad[~bad] = _chord_errors_m(family, v, seg[~bad]) > tol_m
        split = seg[bad & (np.abs(step) > family.min_step)]
        if split.size == 0:
            break
        t_mid = (v.t[split] + v.t[split + 1]) / 2.0
        v = v.insert(split + 1, _vertices(family, v.curve[split], t_mid))
        pending = np.zeros(pending.shape, dtype=bool)
        pending[split] = True
        pending = np.insert(pending, split + 1, True)
    return v


def _antimeridian_crossings(family: _Family, v: _Vertices) -> tuple[_Vertices, np.ndarray]:
    """Insert a vertex exactly at lon ±180 where a segment crosses it; return the new pending."""
    start = v.lon[:-1]
    end = start + _wrap_deg(v.lon[1:] - start)
    crosses = (v.curve[1:] == v.curve[:-1]) & (np.abs(end) > 180.0)
    crosses &= (np.abs(start) != 180.0) & (np.abs(v.lon[1:]) != 180.0)
    seg = np.flatnonzero(crosses)
    if seg.size == 0:
        return v, np.zeros(len(v.t) - 1, dtype=bool)
    edge = np.where(end[seg] > 180.0, 180.0, -180.0)
    lo, hi, curve, ref = v.t[seg], v.t[seg + 1], v.curve[seg], start[seg]
    for _ in range(60):
        mid = (lo + hi) / 2.0
        lon, _ = family.points(curve, mid)
        beyond = (ref + _wrap_deg(lon - ref) - edge) * edge > 0.0
        lo, hi = np.where(beyond, lo, mid), np.where(beyond, mid, hi)
    t = (lo + hi) / 2.0
    _, lat = family.points(curve, t)
    v = v.insert(seg + 1, _Vertices(curve, t, edge, lat))
    pending = np.zeros(len(start), dtype=bool)
    pending[seg] = True
    return v, np.insert(pending, seg + 1, True)


def _densify(
    family: _Family,
    curve: np.ndarray,
    t: np.ndarray,
    tol_m: float,
    *,
    max_step: float = np.inf,
    split_at_antimeridian: bool = True,
) -> _Vertices:
    """Sample curves adaptively from starting parameters t (sorted within each curve)."""
    v = _vertices(family, curve, t)
    v = _refine(family, v, v.curve[1:] == v.curve[:-1], tol_m, max_step)
    if split_at_antimeridian:
        v, pending = _antimeridian_crossings(family, v)
        v = _refine(family, v, pending, tol_m, max_step)
    return v


def _arc(
    lon: float, lat: float, radius_m: float, az0: float, az1: float, tol_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sample the circle of radius_m around (lon, lat) from azimuth az0 to az1, both ends kept."""
    n = int(np.ceil(abs(az1 - az0) / _INITIAL_ARC_STEP_DEG)) + 1
    family = _Circles(np.array([lon]), np.array([lat]), np.array([radius_m]))
    v = _densify(family, np.zeros(max(n, 2), dtype=int), np.linspace(az0, az1, max(n, 2)), tol_m)
    return v.lon, v.lat


def _ray(
    lon: float, lat: float, azimuth_deg: float, start_m: float, end_m: float, tol_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sample the geodesic from (lon, lat) along azimuth_deg between two distances."""
    n = max(int(np.ceil((end_m - start_m) / _INITIAL_RAY_STEP_M)) + 1, 2)
    family = _Rays(
        *(np.array([x], dtype=float) for x in (lon, lat, azimuth_deg, start_m, end_m))
    )
    v = _densify(family, np.zeros(n, dtype=int), np.linspace(start_m, end_m, n), tol_m)
    return v.lon, v.lat


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
    x = _unwrap_deg(lon)
    x_end = x[0] + 360.0 * winding
    coords = [*zip(x, lat), (x_end, lat[0]), (x_end, pole_lat), (x[0], pole_lat)]
    return Polygon(coords)


def _region_from_boundary(lon: np.ndarray, lat: np.ndarray) -> BaseGeometry:
    """Turn a closed boundary (interior on its right, last vertex not repeated) into a region.

    The boundary winds once around the earth if the region holds one pole; it does not wind
    but runs anticlockwise on the map if the region holds both poles (it then bounds the hole).
    """
    x = _unwrap_deg(lon)
    total_deg = x[-1] + _wrap_deg(lon[0] - lon[-1]) - x[0]
    winding = round(total_deg / 360.0)
    if winding != 0:
        return split_antimeridian(_close_over_pole(lon, lat, winding))
    inside = split_antimeridian(Polygon(zip(x, lat)))
    if _signed_planar_area(x, lat) > 0.0:
        return _WORLD.difference(inside)
    return inside


def _polar_region(
    lon: float, lat: float, radius_m: float, min_radius_m: float, az0: float, beam_deg: float
) -> BaseGeometry:
    """Build a ring, annulus or fan centred on a pole: a band between parallels and meridians."""
    lat_out = float(_GEOD.fwd(lon, lat, 0.0, radius_m)[1])
    lat_in = float(_GEOD.fwd(lon, lat, 0.0, min_radius_m)[1]) if min_radius_m > 0 else lat
    if beam_deg >= 360.0:
        x0, span = -180.0, 360.0
    else:
        # Seen from a pole, azimuths follow the meridian `lon`: pyproj puts azimuth az at
        # longitude lon + 180 - az from the north pole and lon + az from the south pole.
        x0 = lon + 180.0 - az0 - beam_deg if lat > 0 else lon + az0
        x0, span = float(_wrap_deg(np.array(x0))), beam_deg
    xs = np.linspace(x0, x0 + span, int(np.ceil(span / _POLAR_PARALLEL_STEP_DEG)) + 1)
    # The pole itself needs no vertices between its two ends.
    inner = xs[::-1] if min_radius_m > 0 else xs[[-1, 0]]
    coords = [(x, lat_out) for x in xs] + [(x, lat_in) for x in inner]
    return split_antimeridian(Polygon(coords))


def _finish(geometry: BaseGeometry) -> BaseGeometry:
    """Orient polygons (exterior anticlockwise) and unwrap a single-part MultiPolygon."""
    geometry = shapely.orient_polygons(geometry)
    if isinstance(geometry, MultiPolygon) and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry


# --- public shapes -----------------------------------------------------------------------------


def ring(
    lon: float,
    lat: float,
    radius_km: float,
    *,
    min_radius_km: float = 0.0,
    max_error_m: float = 100.0,
) -> Polygon | MultiPolygon:
    """Draw the geodesic circle of radius_km around (lon, lat); min_radius_km > 0 makes an annulus.

    Every vertex lies at exactly radius_km from the centre, and every drawn segment stays
    within max_error_m of the true circle. A ring across ±180° comes back as a MultiPolygon;
    a ring around a pole is closed over that pole; a ring holding both poles is the world
    minus a hole around the antipode. A radius <= 0 or beyond 19,500 km raises ValueError.

    A small ring: every vertex is 100 km from the centre.

    >>> from pyproj import Geod
    >>> warsaw = ring(21.01, 52.23, 100)
    >>> lon, lat = warsaw.exterior.xy
    >>> dist_m = Geod(ellps="WGS84").inv([21.01] * len(lon), [52.23] * len(lon), lon, lat)[2]
    >>> bool(abs(dist_m - 100_000).max() < 1e-3), warsaw.is_valid
    (True, True)

    A ring around Gabala holding the north pole, but not the far side of the earth:

    >>> gabala = ring(47.78, 40.88, 6000)
    >>> gabala.contains(Point(0, 89.9)), gabala.contains(Point(-132.22, -40.88))
    (True, False)

    A ring across the antimeridian, cut into two parts inside [-180, 180]:

    >>> greely = ring(-145.73, 63.97, 3000)
    >>> greely.geom_type, len(greely.geoms), greely.bounds[0], greely.bounds[2]
    ('MultiPolygon', 2, -180.0, 180.0)

    >>> ring(0, 0, 0)
    Traceback (most recent call last):
    ...
    ValueError: radius_km must be > 0 and <= 19500, got 0
    """
    _check_point(lon, lat)
    _check_radii(radius_km, min_radius_km)
    _check_error(max_error_m)
    tol_m = max_error_m * _SAFETY
    if abs(lat) == 90.0:
        return _finish(_polar_region(lon, lat, radius_km * 1e3, min_radius_km * 1e3, 0.0, 360.0))
    outer = _region_from_boundary(*_closed(_arc(lon, lat, radius_km * 1e3, 0.0, 360.0, tol_m)))
    if min_radius_km > 0.0:
        inner_m = min_radius_km * 1e3
        outer = outer.difference(
            _region_from_boundary(*_closed(_arc(lon, lat, inner_m, 0.0, 360.0, tol_m)))
        )
    return _finish(outer)


def _closed(lon_lat: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Drop the repeated last vertex of a full circle (azimuth 360 is azimuth 0)."""
    return lon_lat[0][:-1], lon_lat[1][:-1]


def _nudge_off_meridian(azimuth_deg: float, toward: float) -> float:
    return azimuth_deg + toward * _MERIDIAN_NUDGE_DEG if azimuth_deg % 180.0 == 0.0 else azimuth_deg


def fan(
    lon: float,
    lat: float,
    radius_km: float,
    *,
    azimuth_deg: float,
    beam_deg: float,
    min_radius_km: float = 0.0,
    max_error_m: float = 100.0,
) -> Polygon | MultiPolygon:
    """Draw a radar sector around azimuth_deg (clockwise from north), beam_deg wide in total.

    The two radial edges are geodesics from the centre (or from min_radius_km out, for an
    annular sector) and the far edge is the geodesic circle; all stay within max_error_m.
    beam_deg >= 360 gives :func:`ring`. A sector holding a pole is closed over it. At a pole
    the azimuth is measured from the meridian ``lon``. beam_deg <= 0 raises ValueError.

    >>> north = fan(47.78, 40.88, 6000, azimuth_deg=0, beam_deg=90)
    >>> north.contains(Point(100, 89.5)), north.contains(Point(47.78, 30.0))
    (True, False)
    >>> fan(0, 0, 100, azimuth_deg=0, beam_deg=0)
    Traceback (most recent call last):
    ...
    ValueError: beam_deg must be > 0, got 0
    """
    _check_point(lon, lat)
    _check_radii(radius_km, min_radius_km)
    _check_error(max_error_m)
    _require(bool(np.isfinite(azimuth_deg)), f"azimuth_deg must be finite, got {azimuth_deg!r}")
    _require(bool(beam_deg > 0), f"beam_deg must be > 0, got {beam_deg!r}")
    if beam_deg >= 360.0:
        return ring(lon, lat, radius_km, min_radius_km=min_radius_km, max_error_m=max_error_m)
    az0 = azimuth_deg - beam_deg / 2.0
    r_m, r_min_m = radius_km * 1e3, min_radius_km * 1e3
    if abs(lat) == 90.0:
        return _finish(_polar_region(lon, lat, r_m, r_min_m, az0, beam_deg))
    lon_b, lat_b = _fan_boundary(lon, lat, r_m, r_min_m, az0, az0 + beam_deg, max_error_m * _SAFETY)
    return _finish(_region_from_boundary(lon_b, lat_b))


def _fan_boundary(
    lon: float, lat: float, r_m: float, r_min_m: float, az0: float, az1: float, tol_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Walk a sector's edge clockwise: out along az0, round the far arc, back along az1."""
    edge0, edge1 = _nudge_off_meridian(az0, 1.0), _nudge_off_meridian(az1, -1.0)
    out_lon, out_lat = _ray(lon, lat, edge0, r_min_m, r_m, tol_m)
    arc_lon, arc_lat = _arc(lon, lat, r_m, edge0, edge1, tol_m)
    back_lon, back_lat = (a[::-1] for a in _ray(lon, lat, edge1, r_min_m, r_m, tol_m))
    parts_lon = [out_lon, arc_lon[1:], back_lon[1:]]
    parts_lat = [out_lat, arc_lat[1:], back_lat[1:]]
    if r_min_m > 0.0:
        in_lon, in_lat = (a[::-1] for a in _arc(lon, lat, r_min_m, edge0, edge1, tol_m))
        parts_lon.append(in_lon[1:-1])
        parts_lat.append(in_lat[1:-1])
    else:
        # Both radials start at the centre: keep it once.
        parts_lon[-1], parts_lat[-1] = parts_lon[-1][:-1], parts_lat[-1][:-1]
    return np.concatenate(parts_lon), np.concatenate(parts_lat)


def geodesic_line(
    lon1: float, lat1: float, lon2: float, lat2: float, *, max_error_m: float = 100.0
) -> LineString | MultiLineString:
    """Draw the shortest geodesic from (lon1, lat1) to (lon2, lat2), cut at ±180° if it crosses.

    Identical end points give a zero-length LineString. A geodesic over a pole is cut there.

    >>> link = geodesic_line(-145.73, 63.97, 158.65, 53.02)
    >>> link.geom_type, [round(part.coords[-1][0]) for part in link.geoms]
    ('MultiLineString', [-180, 159])
    """
    _check_point(lon1, lat1, "1: ")
    _check_point(lon2, lat2, "2: ")
    _check_error(max_error_m)
    az_deg, _, length_m = _GEOD.inv(lon1, lat1, lon2, lat2)
    if length_m == 0.0:
        return LineString([(lon1, lat1), (lon1, lat1)])
    cuts = [0.0, *_pole_passages_m(lon1, lat1, lon2, lat2, az_deg), length_m]
    parts: list[BaseGeometry] = []
    for start_m, end_m in zip(cuts[:-1], cuts[1:]):
        lon, lat = _ray(lon1, lat1, az_deg, start_m, end_m, max_error_m * _SAFETY)
        parts.extend(shapely.get_parts(split_antimeridian(LineString(zip(_unwrap_deg(lon), lat)))))
    return parts[0] if len(parts) == 1 else MultiLineString(parts)


def _pole_passages_m(lon1: float, lat1: float, lon2: float, lat2: float, az_deg: float) -> list:
    """Return the distance at which a meridional geodesic runs over a pole, if it does."""
    on_meridian = abs(np.sin(np.radians(az_deg))) < 1e-12 and abs(lat1) < 90.0 > abs(lat2)
    if not on_meridian or abs(_wrap_deg(np.array(lon2 - lon1))) <= 90.0:
        return []
    pole_lat = 90.0 if np.cos(np.radians(az_deg)) > 0 else -90.0
    return [float(_GEOD.inv(lon1, lat1, lon1, pole_lat)[2])]


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
    pieces = []
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

    >>> parts = seamless_outline(ring(-145.73, 63.97, 3000)).geoms
    >>> any(abs(x) == 180 and abs(x2) == 180 for p in parts for (x, _), (x2, _) in
    ...     zip(p.coords[:-1], p.coords[1:]))
    False
    """
    lines: list[LineString] = []
    for polygon in shapely.get_parts(geometry):
        for ring_ in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring_.coords)
            cut = _seam_edges(xy)
            lines.extend(_runs(xy, cut))
    return MultiLineString(lines)


def _seam_edges(xy: np.ndarray) -> np.ndarray:
    """Flag edges that lie on the ±180° meridian or on a pole: cuts, not real boundary."""
    x, y = xy[:, 0], xy[:, 1]
    on_meridian = (np.abs(x[:-1]) == 180.0) & (x[:-1] == x[1:])
    on_pole = (np.abs(y[:-1]) == 90.0) & (y[:-1] == y[1:])
    return on_meridian | on_pole


def _runs(xy: np.ndarray, cut: np.ndarray) -> list[LineString]:
    """Split a closed ring's vertex list into lines at the cut edges."""
    if not cut.any():
        return [LineString(xy)]
    start = int(np.flatnonzero(cut)[0]) + 1
    xy, cut = np.roll(xy[:-1], -start, axis=0), np.roll(cut, -start)
    xy = np.vstack([xy, xy[:1]])
    lines, begin = [], 0
    for i in np.flatnonzero(cut):
        if i > begin:
            lines.append(LineString(xy[begin : i + 1]))
        begin = i + 1
    return lines


# --- buffer -----------------------------------------------------------------------------------


def buffer(
    geometry: BaseGeometry, distance_km: float, *, max_error_m: float = 100.0
) -> Polygon | MultiPolygon:
    """Grow any lon/lat geometry by distance_km measured on the ellipsoid.

    The result is the shape itself plus geodesic discs around its boundary, sampled densely
    enough that the gaps between discs and the discs' own chords stay within max_error_m
    together. Input edges are read as geodesics; edges along ±180° or a pole (cuts made by
    :func:`split_antimeridian`) are treated as inside the shape. distance_km == 0 returns
    the polygonal part unchanged; negative distances raise ValueError.

    >>> disc = buffer(Point(21.01, 52.23), 100)
    >>> round(geodesic_area_km2(disc) / geodesic_area_km2(ring(21.01, 52.23, 100)), 4)
    1.0
    """
    _check_error(max_error_m)
    _require(
        bool(np.isfinite(distance_km)) and 0.0 <= distance_km <= MAX_RADIUS_KM,
        f"distance_km must be >= 0 and <= {MAX_RADIUS_KM:.0f}, got {distance_km!r}",
    )
    if isinstance(geometry, Point) and distance_km > 0:
        return ring(geometry.x, geometry.y, distance_km, max_error_m=max_error_m)
    polygons = [p for p in shapely.get_parts(geometry) if shapely.get_dimensions(p) == 2]
    if distance_km == 0.0 or geometry.is_empty:
        return _finish(shapely.union_all(polygons)) if polygons else Polygon()
    radius_m, half_error_m = distance_km * 1e3, max_error_m / 2.0
    # Discs spaced s apart leave dips of s^2 / (8 r) between them: half the error budget.
    spacing_m = float(np.sqrt(8.0 * radius_m * half_error_m))
    shape, lon, lat = _densify_geometry(geometry, half_error_m * _SAFETY, spacing_m)
    discs = _discs(lon, lat, radius_m, half_error_m * _SAFETY)
    return _finish(shapely.union_all([shape, *discs]))


def _densify_geometry(
    geometry: BaseGeometry, tol_m: float, spacing_m: float
) -> tuple[BaseGeometry, np.ndarray, np.ndarray]:
    """Densify a geometry's edges along geodesics; return its area part and disc centres."""
    areas: list[BaseGeometry] = []
    centres: list[np.ndarray] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            rings = [
                _densify_path(np.asarray(r.coords)[:, :2], tol_m, spacing_m)
                for r in (part.exterior, *part.interiors)
            ]
            polygon = Polygon(rings[0][0], [r[0] for r in rings[1:]])
            areas.append(polygon if polygon.is_valid else shapely.make_valid(polygon))
            centres.extend(r[1] for r in rings)
        elif isinstance(part, LineString):
            centres.append(_densify_path(np.asarray(part.coords)[:, :2], tol_m, spacing_m)[0])
        elif isinstance(part, Point):
            centres.append(np.array([[part.x, part.y]]))
        else:
            raise ValueError(f"cannot buffer a {part.geom_type}")
    xy = np.unique(np.vstack(centres), axis=0) if centres else np.empty((0, 2))
    return shapely.union_all(areas), xy[:, 0], xy[:, 1]


def _densify_path(
    xy: np.ndarray, tol_m: float, spacing_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Densify each edge of a path as a geodesic; return all vertices and the disc centres.

    Edges on a cut (±180° meridian, a pole) and map-wide edges (more than 180° of longitude,
    e.g. a band around the earth) stay straight in lon/lat and only the latter get centres.
    """
    a, b = xy[:-1], xy[1:]
    cut = _seam_edges(xy)
    wide = ~cut & (np.abs(b[:, 0] - a[:, 0]) > 180.0)
    az, _, length_m = (np.asarray(x) for x in _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    geodesic = np.flatnonzero(~cut & ~wide & (length_m > 0))
    edge_of = np.arange(len(a))
    keys = [edge_of.astype(float), np.full(len(a), -1.0)]  # every edge keeps its start vertex
    pts = [a]
    if geodesic.size:
        mids, t, edge = _geodesic_midpoints(a, az, length_m, geodesic, tol_m, spacing_m)
        pts.append(mids), keys.append(t)
        keys[0] = np.concatenate([keys[0], edge.astype(float)])
    for i in np.flatnonzero(wide):
        n = int(np.ceil(_rough_length_m(a[i], b[i]) / spacing_m))
        f = np.arange(1, n) / n
        pts.append(a[i] + f[:, None] * (b[i] - a[i]))
        keys[0] = np.concatenate([keys[0], np.full(len(f), float(i))])
        keys.append(f)
    order = np.lexsort((np.concatenate(keys[1:]), keys[0]))
    dense = np.vstack([np.vstack(pts)[order], xy[-1:]])
    edge_ids = keys[0][order].astype(int)
    real = np.append(~cut[edge_ids], True)
    real[1:] |= ~cut[edge_ids]  # an edge's end vertex belongs to it too
    return dense, dense[real]


def _geodesic_midpoints(
    a: np.ndarray,
    az: np.ndarray,
    length_m: np.ndarray,
    edges: np.ndarray,
    tol_m: float,
    spacing_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample the inner points of many geodesic edges at once; return points, t, edge ids."""
    family = _Rays(a[edges, 0], a[edges, 1], az[edges], np.zeros(len(edges)), length_m[edges])
    curve = np.repeat(np.arange(len(edges)), 2)
    t = np.ravel(np.column_stack([np.zeros(len(edges)), length_m[edges]]))
    v = _densify(family, curve, t, tol_m, max_step=spacing_m, split_at_antimeridian=False)
    inner = (v.t > 0) & (v.t < length_m[edges][v.curve])
    lon0 = a[edges, 0][v.curve[inner]]
    # Inner points lie between the edge's end longitudes: express them next to the start.
    lon = np.clip(lon0 + _wrap_deg(v.lon[inner] - lon0), -180.0, 180.0)
    return np.column_stack([lon, v.lat[inner]]), v.t[inner], edges[v.curve[inner]]


def _rough_length_m(a: np.ndarray, b: np.ndarray) -> float:
    """Bound the length of a straight lon/lat edge from above, for spacing its samples."""
    crosses_equator = a[1] * b[1] <= 0.0
    widest = 1.0 if crosses_equator else max(np.cos(np.radians(a[1])), np.cos(np.radians(b[1])))
    # 111.7 km is a little more than the longest degree of either latitude or longitude.
    return float((abs(b[0] - a[0]) * widest + abs(b[1] - a[1])) * 111_700.0)


def _discs(lon: np.ndarray, lat: np.ndarray, radius_m: float, tol_m: float) -> list[BaseGeometry]:
    """Build geodesic discs of one radius around many centres, vectorized where simple."""
    n = len(lon)
    if n == 0:
        return []
    family = _Circles(lon, lat, np.full(n, radius_m))
    start = np.linspace(0.0, 360.0, int(360.0 / _INITIAL_ARC_STEP_DEG) + 1)
    v = _densify(family, np.repeat(np.arange(n), len(start)), np.tile(start, n), tol_m)
    first = np.searchsorted(v.curve, np.arange(n))
    last = np.append(first[1:], len(v.t)) - 1
    x = _unwrap_deg(v.lon)
    x = x - (x[first] - v.lon[first])[v.curve]  # restart each disc at its own longitude
    # The vertex at azimuth 360 repeats azimuth 0, so consecutive pairs close each disc.
    cross = x[:-1] * v.lat[1:] - x[1:] * v.lat[:-1]
    cross[v.curve[1:] != v.curve[:-1]] = 0.0
    signed_area = np.add.reduceat(np.append(cross, 0.0), first) / 2.0
    winding = np.round((x[last] - x[first]) / 360.0)
    inside = (np.minimum.reduceat(x, first) >= -180.0) & (np.maximum.reduceat(x, first) <= 180.0)
    simple = (winding == 0) & inside & (signed_area < 0.0)
    keep = np.ones(len(v.t), dtype=bool)
    keep[last] = False
    fast = simple[v.curve] & keep
    rings = shapely.linearrings(x[fast], v.lat[fast], indices=v.curve[fast])
    discs: list[BaseGeometry] = list(shapely.polygons(rings))
    for i in np.flatnonzero(~simple):
        discs.append(_region_from_boundary(v.lon[first[i] : last[i]], v.lat[first[i] : last[i]]))
    return discs


# --- measurement ------------------------------------------------------------------------------

_A_M = 6_378_137.0
_F = 1.0 / 298.257223563
_E2 = _F * (2.0 - _F)
_E = float(np.sqrt(_E2))
_B_M = _A_M * (1.0 - _F)
_GAUSS_U, _GAUSS_W = np.polynomial.legendre.leggauss(8)


def _zone_area_m2_per_rad(lat_deg: np.ndarray) -> np.ndarray:
    """Area between the equator and lat_deg per radian of longitude, on the WGS84 ellipsoid."""
    s = np.sin(np.radians(lat_deg))
    return _B_M**2 / 2.0 * (s / (1.0 - _E2 * s * s) + np.arctanh(_E * s) / _E)


def _ring_area_m2(xy: np.ndarray) -> float:
    """Area enclosed by a closed lon/lat ring with straight edges (Green's theorem), unsigned."""
    x, y = xy[:, 0], xy[:, 1]
    dlon = np.radians(np.diff(x))
    # Latitude varies linearly along each drawn edge: average the zone area over it.
    u = (_GAUSS_U + 1.0) / 2.0
    lat = y[:-1, None] + u[None, :] * np.diff(y)[:, None]
    mean = (_zone_area_m2_per_rad(lat) * _GAUSS_W[None, :]).sum(axis=1) / 2.0
    return abs(float(np.dot(dlon, mean)))


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Measure the area a lon/lat geometry covers on the WGS84 ellipsoid, in km².

    Edges are taken as drawn (straight in lon/lat), so cut edges along ±180° and at the poles
    count correctly; for densified shapes this equals GeographicLib's geodesic-polygon area.
    Orientation does not matter; lines and points have no area.

    >>> round(geodesic_area_km2(box(-180, -90, 180, 90)))
    510065622
    >>> geodesic_area_km2(LineString([(0, 0), (1, 1)]))
    0.0
    """
    total_m2 = 0.0
    for polygon in shapely.get_parts(geometry):
        if isinstance(polygon, Polygon) and not polygon.is_empty:
            total_m2 += _ring_area_m2(np.asarray(polygon.exterior.coords))
            total_m2 -= sum(_ring_area_m2(np.asarray(h.coords)) for h in polygon.interiors)
    return total_m2 / 1e6


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Measure a geometry's length on the WGS84 ellipsoid in km, each edge as a geodesic.

    Polygons give their perimeter without cut edges (along ±180° or at a pole); points give 0.

    >>> round(geodesic_length_km(LineString([(51.389, 35.689), (21.01, 52.23)])))
    3010
    """
    total_m = 0.0
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            paths = [np.asarray(r.coords) for r in (part.exterior, *part.interiors)]
        elif isinstance(part, LineString):
            paths = [np.asarray(part.coords)]
        else:
            continue
        for xy in paths:
            if len(xy) < 2:
                continue
            dist_m = np.asarray(_GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2])
            if isinstance(part, Polygon):
                dist_m = dist_m[~_seam_edges(xy)]
            total_m += float(dist_m.sum())
    return total_m / 1e3
