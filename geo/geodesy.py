"""Build geodesic shapes on the WGS84 ellipsoid: range rings, radar fans, links and buffers.

Every shape is computed with :class:`pyproj.Geod` (GeographicLib) and returned as a shapely 2
geometry in lon/lat degrees, ready for a [-180, 180] map:

- outlines are densified adaptively, so that the straight segments a renderer draws between
  vertices (in lon/lat, and in Web Mercator away from the poles) stay within ``max_error_m`` of
  the true curve everywhere, not just at the vertices;
- shapes that cross the antimeridian are cut at ±180° (:func:`split_antimeridian`);
- a shape that contains a pole is closed over that pole (edges along latitude ±90);
- polygons are valid, exteriors anticlockwise and holes clockwise (RFC 7946 order).

The cuts along ±180° and the poles are edges of the polygons but not of the shape: stroke
:func:`seamless_outline` instead of the polygon boundary to draw the outline alone.

Areas and lengths are measured on the drawn shape (:func:`geodesic_area_km2`,
:func:`geodesic_length_km`). :func:`buffer` reads the edges of its input as geodesics; for
shapes densified here (or as dense as Natural Earth) that is the drawn shape too.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

__all__ = [
    "MAX_BUFFER_KM",
    "MAX_RADIUS_KM",
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
#: Buffers are built from geodesic parallels, which stay well behaved up to this distance.
MAX_BUFFER_KM = 5_000.0
#: Web Mercator (and so Leaflet) clips latitudes beyond this.
_MERCATOR_MAX_LAT_DEG = 85.0511287798066
#: Where each drawn chord is compared with its curve: the error peaks near the middle, and the
#: quarter points catch chords whose error is lopsided (near a pole, say).
_CHORD_FRACTIONS = (0.25, 0.5, 0.75)
_MIDDLE = (0.5,)
#: A degree of latitude is at most this long (at the poles).
_METRES_PER_DEGREE_MAX = 111_700.0
_EARTH_RADIUS_M = 6_371_008.8
_LON_GRID = 2.0**36
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


def _check_point(lon: float, lat: float, suffix: str = "") -> None:
    _require(bool(np.isfinite(lon)), f"lon{suffix} must be a finite number, got {lon!r}")
    _require(
        bool(np.isfinite(lat)) and -90.0 <= lat <= 90.0,
        f"lat{suffix} must be within [-90, 90], got {lat!r}",
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


def wrap_lon_deg(angle_deg: np.ndarray) -> np.ndarray:
    """Wrap longitudes (or angles) into [-180, 180): the rule every unwrapping here follows.

    >>> wrap_lon_deg(np.array([180.0, 190.0, -540.0]))
    array([-180., -170., -180.])
    """
    return (angle_deg + 180.0) % 360.0 - 180.0


def _unwrap_each(lon_deg: np.ndarray, owner: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Unwrap many boundaries stored one after another, each from its own first longitude."""
    step = np.diff(lon_deg)
    turns = np.concatenate(([0.0], np.cumsum(np.round((wrap_lon_deg(step) - step) / 360.0))))
    # Whole turns are exact in floating point, so shared vertices stay bit-identical.
    return lon_deg + 360.0 * (turns - turns[first][owner])


def _unwrap_deg(lon_deg: np.ndarray) -> np.ndarray:
    """Make longitudes continuous by adding whole turns, so ±180 stays exactly ±180 + 360 k."""
    step = np.diff(lon_deg)
    turns = np.round((wrap_lon_deg(step) - step) / 360.0)
    return lon_deg + 360.0 * np.concatenate(([0.0], np.cumsum(turns)))


def _mercator_y(lat_deg: np.ndarray) -> np.ndarray:
    return np.log(np.tan(np.pi / 4.0 + np.radians(lat_deg) / 2.0))


def _mercator_lat_deg(y: np.ndarray) -> np.ndarray:
    return np.degrees(2.0 * np.arctan(np.exp(y)) - np.pi / 2.0)


# --- families of curves: a point for a parameter, and how far a point is from the curve ------


class _Family(Protocol):
    @property
    def min_step(self) -> float: ...

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
        # Start exactly at the origin (fwd may round it by an ulp), so that pieces meeting
        # there share the very same vertex.
        at_origin = t == 0.0
        lon[at_origin], lat[at_origin] = args[0][at_origin], args[1][at_origin]
        # A pole's longitude is arbitrary; at an end of a ray take that of the meridian the
        # ray runs along, so the drawn segment follows the meridian instead of the pole line.
        ends = (t == self.start_m[curve]) | (t == self.end_m[curve])
        pole = (np.abs(lat) >= 90.0 - 1e-9) & ends
        if pole.any():
            inward = np.where(t[pole] == self.start_m[curve][pole], 1.0, -1.0)
            lon0, lat0, az = (a[pole] for a in args)
            lon[pole] = _GEOD.fwd(lon0, lat0, az, t[pole] + inward)[0]
        return lon, lat

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        # Distance to the geodesic: slide the foot point along it until the point is abeam.
        args = (self.lon[curve], self.lat[curve], self.azimuth_deg[curve])
        # One spherical step is plenty: a foot point off by e only adds about e^2 / (2 d) to
        # the distance d, and an overestimate errs on the safe side.
        q_lon, q_lat, back_az = _GEOD.fwd(*args, t)
        az_to_point, _, dist_m = _GEOD.inv(q_lon, q_lat, lon, lat)
        cos_angle = np.cos(np.radians(np.asarray(az_to_point) - np.asarray(back_az) - 180.0))
        angle_rad = np.asarray(dist_m) / _EARTH_RADIUS_M
        step_m = _EARTH_RADIUS_M * np.arctan2(np.sin(angle_rad) * cos_angle, np.cos(angle_rad))
        q_lon, q_lat, _ = _GEOD.fwd(*args, t + step_m)
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
    return _Vertices(curve, t, _on_grid(lon), lat)


def _on_grid(lon_deg: np.ndarray) -> np.ndarray:
    """Round longitudes to 2^-36 degree (under 2 µm), so that adding or removing whole turns
    is exact and a vertex shifted across the antimeridian and back is bit-identical."""
    return np.round(np.asarray(lon_deg) * _LON_GRID) / _LON_GRID


@dataclass(frozen=True)
class _Check:
    """Where drawn chords are compared with their curve."""

    fractions: tuple[float, ...] = _CHORD_FRACTIONS
    mercator: bool = True  # also the chord Leaflet draws, straight in Web Mercator


_FULL_CHECK = _Check()
#: For edges hidden inside a shape: only their rough course matters.
_ROUGH_CHECK = _Check(_MIDDLE, mercator=False)


def _chord_fails(
    family: _Family, v: _Vertices, seg: np.ndarray, tol_m: np.ndarray, check: _Check
) -> np.ndarray:
    """Flag the segments whose drawn chord strays more than tol_m from the true curve."""
    f = np.array(check.fractions)[None, :]
    lat_a, lat_b = v.lat[seg, None], v.lat[seg + 1, None]
    lon = v.lon[seg, None] + f * wrap_lon_deg(v.lon[seg + 1] - v.lon[seg])[:, None]
    t = v.t[seg, None] + f * (v.t[seg + 1] - v.t[seg])[:, None]
    curve = np.broadcast_to(v.curve[seg, None], t.shape)

    def worst(rows: np.ndarray | slice, lat: np.ndarray) -> np.ndarray:
        err = family.errors_m(curve[rows].ravel(), t[rows].ravel(), lon[rows].ravel(), lat.ravel())
        return err.reshape(lat.shape).max(axis=1)

    lat_lin = lat_a + f * (lat_b - lat_a)
    errors = worst(slice(None), lat_lin)
    fails = errors > tol_m
    if not check.mercator:
        return fails
    merc = ((np.abs(lat_a) < _MERCATOR_MAX_LAT_DEG) & (np.abs(lat_b) < _MERCATOR_MAX_LAT_DEG))[:, 0]
    y_a, y_b = _mercator_y(np.where(merc[:, None], lat_a, 0.0)), _mercator_y(lat_b * merc[:, None])
    lat_merc = _mercator_lat_deg(y_a + f * (y_b - y_a))
    # Both chords share their longitudes: when their latitude gap cannot tip the error over
    # the bound, the Mercator chord needs no geodesic check of its own.
    gap_m = np.abs(lat_merc - lat_lin).max(axis=1) * _METRES_PER_DEGREE_MAX
    need = merc & ~fails & (errors + gap_m > tol_m)
    fails[need] = worst(need, lat_merc[need]) > tol_m[need]
    return fails


def _refine(
    family: _Family,
    v: _Vertices,
    pending: np.ndarray,
    tol_m: float | np.ndarray,
    *,
    max_step: float = np.inf,
    check: _Check = _FULL_CHECK,
) -> _Vertices:
    """Bisect pending segments until each chord is within tol_m (one, or per curve) of its curve."""
    tol_of_curve = np.broadcast_to(np.asarray(tol_m, dtype=float), (int(v.curve.max()) + 1,))
    middle = _Check(_MIDDLE, check.mercator)
    for _ in range(_MAX_PASSES):
        seg = np.flatnonzero(pending)
        if seg.size == 0:
            break
        step = v.t[seg + 1] - v.t[seg]
        tol = tol_of_curve[v.curve[seg]]
        bad = (step > max_step) | _chord_fails(family, v, seg, tol, middle)
        # Most failing chords fail in the middle: check the other points only for the rest.
        bad[~bad] = _chord_fails(family, v, seg[~bad], tol[~bad], check)
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
    end = start + wrap_lon_deg(v.lon[1:] - start)
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
        beyond = (ref + wrap_lon_deg(lon - ref) - edge) * edge > 0.0
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
    tol_m: float | np.ndarray,
    *,
    max_step: float = np.inf,
    check: _Check = _FULL_CHECK,
    split_at_antimeridian: bool = True,
) -> _Vertices:
    """Sample curves adaptively from starting parameters t (sorted within each curve)."""
    v = _vertices(family, curve, t)
    pending = v.curve[1:] == v.curve[:-1]
    v = _refine(family, v, pending, tol_m, max_step=max_step, check=check)
    if split_at_antimeridian:
        v, pending = _antimeridian_crossings(family, v)
        v = _refine(family, v, pending, tol_m, max_step=max_step, check=check)
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
        np.array([lon]),
        np.array([lat]),
        np.array([azimuth_deg]),
        np.array([start_m]),
        np.array([end_m]),
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
    coords = [*zip(x, lat, strict=True), (x_end, lat[0]), (x_end, pole_lat), (x[0], pole_lat)]
    return Polygon(coords)


def _region_from_boundary(
    lon: np.ndarray, lat: np.ndarray, *, may_hold_both_poles: bool = True
) -> BaseGeometry:
    """Turn a closed boundary (interior on its right, last vertex not repeated) into a region.

    The boundary winds once around the earth if the region holds one pole; it does not wind
    but runs anticlockwise on the map if the region holds both poles (it then bounds the hole).
    Small pieces pass may_hold_both_poles=False: for them an anticlockwise boundary can only
    be a sliver folded onto itself by chord error, and is taken as drawn.
    """
    x = _unwrap_deg(lon)
    total_deg = x[-1] + wrap_lon_deg(lon[0] - lon[-1]) - x[0]
    winding = round(total_deg / 360.0)
    if winding != 0:
        return split_antimeridian(_valid(_close_over_pole(lon, lat, winding)))
    inside = split_antimeridian(_valid(Polygon(zip(x, lat, strict=True))))
    if may_hold_both_poles and _signed_planar_area(x, lat) > 0.0:
        return _WORLD.difference(inside)
    return inside


def _valid(polygon: Polygon) -> BaseGeometry:
    return polygon if polygon.is_valid else shapely.make_valid(polygon)


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
        x0, span = float(wrap_lon_deg(np.array(x0))), beam_deg
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
    >>> max(abs(d - 100_000) for d in dist_m) < 1e-3, len(lon), warsaw.is_valid
    (True, 129, True)

    A ring around Gabala holding the north pole, but not the far side of the earth:

    >>> gabala = ring(47.78, 40.88, 6000)
    >>> gabala.contains(Point(0, 89.9)), gabala.contains(Point(-132.22, -40.88))
    (True, False)

    A ring across the antimeridian, cut into two parts inside [-180, 180]:

    >>> greely = ring(-145.73, 63.97, 2000)
    >>> greely.geom_type, [round(part.bounds[0]) for part in greely.geoms]
    ('MultiPolygon', [-180, 170])

    At 3,000 km the Fort Greely ring also holds the pole (2,895 km away): one polygon,
    closed along latitude 90 and cut along ±180, that draws correctly on a flat map.

    >>> greely = ring(-145.73, 63.97, 3000)
    >>> greely.geom_type, greely.bounds[0], greely.bounds[2], greely.bounds[3]
    ('Polygon', -180.0, 180.0, 90.0)

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
    _check_point(lon1, lat1, "1")
    _check_point(lon2, lat2, "2")
    _check_error(max_error_m)
    az_deg, _, length_m = _GEOD.inv(lon1, lat1, lon2, lat2)
    if length_m == 0.0:
        return LineString([(lon1, lat1), (lon1, lat1)])
    cuts = [0.0, *_pole_passages_m(lon1, lat1, lon2, lat2, az_deg), length_m]
    parts: list[BaseGeometry] = []
    for start_m, end_m in itertools.pairwise(cuts):
        lon, lat = _ray(lon1, lat1, az_deg, start_m, end_m, max_error_m * _SAFETY)
        parts.extend(
            shapely.get_parts(
                split_antimeridian(LineString(zip(_unwrap_deg(lon), lat, strict=True)))
            )
        )
    return parts[0] if len(parts) == 1 else MultiLineString(parts)


def _pole_passages_m(
    lon1: float, lat1: float, lon2: float, lat2: float, az_deg: float
) -> list[float]:
    """Return the distance at which a meridional geodesic runs over a pole, if it does."""
    on_meridian = abs(np.sin(np.radians(az_deg))) < 1e-12 and abs(lat1) < 90.0 > abs(lat2)
    if not on_meridian or abs(wrap_lon_deg(np.array(lon2 - lon1))) <= 90.0:
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

    >>> parts = seamless_outline(ring(-145.73, 63.97, 3000)).geoms
    >>> any(abs(x) == 180 and abs(x2) == 180 for p in parts for (x, _), (x2, _) in
    ...     zip(p.coords[:-1], p.coords[1:]))
    False
    """
    lines: list[LineString] = []
    cuts = _cuts_of(geometry)
    for polygon in shapely.get_parts(geometry):
        for ring_ in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring_.coords)
            lines.extend(_runs(xy, _seam_edges(xy, cuts)))
    return MultiLineString(lines)


@dataclass(frozen=True)
class _Cuts:
    """Latitude spans of the edges a geometry has on +180° and on -180°."""

    east: np.ndarray  # shape (n, 2): lowest and highest latitude of each edge on +180
    west: np.ndarray


def _cuts_of(geometry: BaseGeometry) -> _Cuts:
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
    return _Cuts(*(np.array(spans[x], dtype=float).reshape(-1, 2) for x in (180.0, -180.0)))


def _seam_edges(xy: np.ndarray, cuts: _Cuts) -> np.ndarray:
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


def _runs(xy: np.ndarray, cut: np.ndarray) -> list[LineString]:
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


# --- buffer -----------------------------------------------------------------------------------

#: Longest piece a map-wide straight edge (e.g. along a parallel) is cut into before it is
#: buffered as geodesics: a 0.5° piece of a parallel is within ~30 m of its geodesic.
_WIDE_EDGE_STEP_DEG = 0.5


def buffer(
    geometry: BaseGeometry, distance_km: float, *, max_error_m: float = 100.0
) -> Polygon | MultiPolygon:
    """Grow any lon/lat geometry by distance_km measured on the ellipsoid.

    The result is the shape itself, a band of half-width distance_km around every edge
    (bounded by the edge's geodesic parallels) and a disc sector at every corner and line
    end, so its outline is within max_error_m of the true buffer everywhere. Input edges are
    read as geodesics, except map-wide ones (more than 180° of longitude, e.g. along a
    parallel) that are read as drawn; cut edges along ±180° or a pole (as made by
    :func:`split_antimeridian`) count as inside. distance_km == 0 returns the polygonal part;
    negative distances or more than 5,000 km raise ValueError.

    >>> disc = buffer(Point(21.01, 52.23), 100)
    >>> round(geodesic_area_km2(disc) / geodesic_area_km2(ring(21.01, 52.23, 100)), 4)
    1.0
    >>> buffer(Point(0, 0), -1)
    Traceback (most recent call last):
    ...
    ValueError: distance_km must be >= 0 and <= 5000, got -1
    """
    _check_error(max_error_m)
    _require(
        bool(np.isfinite(distance_km)) and 0.0 <= distance_km <= MAX_BUFFER_KM,
        f"distance_km must be >= 0 and <= {MAX_BUFFER_KM:.0f}, got {distance_km!r}",
    )
    parts = _flat_parts(split_antimeridian(geometry))
    polygons = [p for p in parts if isinstance(p, Polygon) and not p.is_empty]
    if distance_km == 0.0 or geometry.is_empty:
        return _finish(shapely.union_all(polygons)) if polygons else Polygon()
    tol_m = max_error_m * _SAFETY
    runs, points = _runs_of(parts)
    pieces = _run_buffers(runs, distance_km * 1e3, tol_m) if runs else []
    pieces += [ring(x, y, distance_km, max_error_m=max_error_m) for x, y in points]
    # The shape as drawn too, so that the result always contains its input.
    pieces += [_densify_polygon(p, tol_m) for p in polygons] + polygons
    return _finish(_drop_specks(_union(pieces), max_error_m**2))


def _flat_parts(geometry: BaseGeometry) -> list[BaseGeometry]:
    """List the single parts of a geometry, looking inside nested collections."""
    parts = list(shapely.get_parts(geometry))
    while any(shapely.get_num_geometries(p) > 1 or p.geom_type.startswith("Multi") for p in parts):
        parts = [q for p in parts for q in shapely.get_parts(p)]
    return parts


def _drop_specks(geometry: BaseGeometry, min_area_m2: float) -> BaseGeometry:
    """Remove holes smaller than min_area_m2: overlay noise where piece edges nearly meet."""
    polygons = [
        Polygon(
            p.exterior,
            [h for h in p.interiors if _ring_area_m2(np.asarray(h.coords)) >= min_area_m2],
        )
        for p in shapely.get_parts(geometry)
        if isinstance(p, Polygon)
    ]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _union(pieces: Sequence[BaseGeometry]) -> BaseGeometry:
    """Union many overlapping pieces; fall back to snap-rounding if the fast way trips."""
    try:
        return shapely.union_all(pieces)
    except shapely.errors.GEOSException:
        # A 1e-9° grid (0.1 mm) is far below any error bound here.
        return shapely.union_all(pieces, grid_size=1e-9)


def _runs_of(
    parts: Sequence[BaseGeometry],
) -> tuple[list[tuple[np.ndarray, bool]], list[tuple[float, float]]]:
    """List the boundary chains to buffer as (vertices, closed), and the isolated points."""
    runs: list[tuple[np.ndarray, bool]] = []
    points: list[tuple[float, float]] = []
    cuts = _cuts_of(MultiPolygon([p for p in parts if isinstance(p, Polygon)]))
    for part in parts:
        if isinstance(part, Polygon):
            paths = [(np.asarray(r.coords)[:, :2], True) for r in (part.exterior, *part.interiors)]
        elif isinstance(part, LineString):
            paths = [(np.asarray(part.coords)[:, :2], False)]
        elif isinstance(part, Point):
            points.append((part.x, part.y))
            continue
        else:
            raise ValueError(f"cannot buffer a {part.geom_type}")
        for xy, closed in paths:
            for chain, chain_closed in _chains(_split_wide_edges(xy, cuts), closed, cuts):
                if len(chain) == 1:
                    points.append((float(chain[0, 0]), float(chain[0, 1])))
                elif len(chain) > 1:
                    runs.append((chain, chain_closed))
    return runs, points


def _split_wide_edges(xy: np.ndarray, cuts: _Cuts) -> np.ndarray:
    """Cut edges spanning more than 180° of longitude into short straight pieces."""
    if len(xy) < 2:
        return xy
    wide = (np.abs(np.diff(xy[:, 0])) > 180.0) & ~_seam_edges(xy, cuts)
    if not wide.any():
        return xy
    out = [xy[:1]]
    for i in range(len(xy) - 1):
        if wide[i]:
            n = int(np.ceil(abs(xy[i + 1, 0] - xy[i, 0]) / _WIDE_EDGE_STEP_DEG))
            f = np.arange(1, n)[:, None] / n
            out.append(xy[i] + f * (xy[i + 1] - xy[i]))
        out.append(xy[i + 1 : i + 2])
    return np.vstack(out)


def _chains(xy: np.ndarray, closed: bool, cuts: _Cuts) -> list[tuple[np.ndarray, bool]]:
    """Drop repeated vertices and cut edges; return the boundary chains that remain."""
    keep = np.append(True, np.any(np.diff(xy, axis=0) != 0.0, axis=1))
    xy = xy[keep]
    if not closed:
        return [(xy, False)]
    if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
        xy = xy[:-1]
    ring_xy = np.vstack([xy, xy[:1]])
    cut = _seam_edges(ring_xy, cuts)
    if not cut.any():
        return [(xy, True)]
    return [(np.asarray(line.coords), False) for line in _runs(ring_xy, cut)]


@dataclass(frozen=True)
class _Offsets:
    """Geodesic parallels at distance_m beside edges; the parameter is the distance along.

    The ends are computed exactly as the edge's perpendicular rays end, so the pieces that
    share them share identical vertices and union without slivers.
    """

    edges: _Rays
    end_lon: np.ndarray
    end_lat: np.ndarray
    start_az: np.ndarray  # perpendicular azimuth at the edge's start, per curve
    end_az: np.ndarray  # and at its end
    side_deg: np.ndarray  # -90 on the left, +90 on the right
    edge: np.ndarray
    distance_m: float
    min_step: float = 1e-3

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = self.edge[curve]
        g_lon, g_lat, back_az = (
            np.asarray(a)
            for a in _GEOD.fwd(self.edges.lon[e], self.edges.lat[e], self.edges.azimuth_deg[e], t)
        )
        az = np.asarray(back_az) + 180.0 + self.side_deg[curve]
        at_start, at_end = t == 0.0, t == self.edges.end_m[e]
        g_lon = np.where(at_start, self.edges.lon[e], np.where(at_end, self.end_lon[e], g_lon))
        g_lat = np.where(at_start, self.edges.lat[e], np.where(at_end, self.end_lat[e], g_lat))
        az = np.where(at_start, self.start_az[curve], np.where(at_end, self.end_az[curve], az))
        lon, lat, _ = _GEOD.fwd(g_lon, g_lat, az, np.full(len(t), self.distance_m))
        return np.asarray(lon), np.asarray(lat)

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        return np.abs(self.edges.errors_m(self.edge[curve], t, lon, lat) - self.distance_m)


@dataclass(frozen=True)
class _Edges:
    """The geodesic edges of all chains, with their perpendicular azimuths at both ends."""

    a: np.ndarray
    b: np.ndarray
    length_m: np.ndarray
    az_a: np.ndarray  # heading at a
    az_b: np.ndarray  # heading at b
    run: np.ndarray


def _edges_of(runs: Sequence[tuple[np.ndarray, bool]]) -> _Edges:
    a = np.vstack([xy if closed else xy[:-1] for xy, closed in runs])
    b = np.vstack([np.roll(xy, -1, axis=0) if closed else xy[1:] for xy, closed in runs])
    run = np.concatenate(
        [np.full(len(xy) - (not closed), i) for i, (xy, closed) in enumerate(runs)]
    )
    az_a, back_az, length_m = (np.asarray(x) for x in _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    return _Edges(a, b, length_m, az_a, back_az + 180.0, run)


def _run_buffers(
    runs: Sequence[tuple[np.ndarray, bool]], radius_m: float, tol_m: float
) -> list[BaseGeometry]:
    """Build the bands around all edges and the disc sectors at all corners and ends."""
    e = _edges_of(runs)
    n = len(e.length_m)
    # Four perpendicular rays per edge: left and right at a, left and right at b.
    ray_lon = np.repeat(np.stack([e.a[:, 0], e.b[:, 0]], axis=1), 2, axis=1).ravel()
    ray_lat = np.repeat(np.stack([e.a[:, 1], e.b[:, 1]], axis=1), 2, axis=1).ravel()
    ray_az = np.stack([e.az_a - 90.0, e.az_a + 90.0, e.az_b - 90.0, e.az_b + 90.0], axis=1).ravel()
    rays = _Rays(ray_lon, ray_lat, ray_az, np.zeros(4 * n), np.full(4 * n, radius_m))
    # These rays end up inside the result, so only their rough course needs checking.
    ray_v = _densify(
        rays,
        np.repeat(np.arange(4 * n), 2),
        np.tile([0.0, radius_m], 4 * n),
        tol_m,
        check=_ROUGH_CHECK,
    )
    edge_rays = _Rays(e.a[:, 0], e.a[:, 1], e.az_a, np.zeros(n), e.length_m)
    side = np.tile([-90.0, 90.0], n)
    offsets = _Offsets(
        edge_rays,
        e.b[:, 0],
        e.b[:, 1],
        ray_az.reshape(n, 4)[:, :2].ravel(),
        ray_az.reshape(n, 4)[:, 2:].ravel(),
        side,
        np.repeat(np.arange(n), 2),
        radius_m,
    )
    curve = np.repeat(np.arange(2 * n), 2)
    off_v = _densify(
        offsets, curve, np.ravel(np.repeat(e.length_m, 2)[:, None] * [0.0, 1.0]), tol_m
    )
    # An edge that borrows its neighbour's end rays is off by radius * turn: keep that under
    # a tenth of the error bound.
    sectors, ray_of = _sectors(runs, e, ray_az, max_turn_deg=np.degrees(0.1 * tol_m / radius_m))
    arc_v = _densify(
        _Circles(sectors.lon, sectors.lat, np.full(len(sectors.lon), radius_m)),
        np.repeat(np.arange(len(sectors.lon)), 2),
        np.ravel(sectors.az_lo[:, None] + sectors.span[:, None] * [0.0, 1.0]),
        tol_m,
    )
    return _assemble(ray_v, off_v, arc_v, ray_of, sectors)


@dataclass(frozen=True)
class _Sectors:
    lon: np.ndarray
    lat: np.ndarray
    az_lo: np.ndarray
    span: np.ndarray
    ray_lo: np.ndarray  # ray (index into the 4 per edge) from the centre along az_lo
    ray_hi: np.ndarray  # and along az_lo + span


def _sectors(
    runs: Sequence[tuple[np.ndarray, bool]], e: _Edges, ray_az: np.ndarray, *, max_turn_deg: float
) -> tuple[_Sectors, np.ndarray]:
    """Find the disc sectors on the outer side of corners and the half discs at line ends.

    Where an edge continues its neighbour almost straight (turning less than max_turn_deg),
    it starts from its neighbour's end rays instead of its own: two nearly equal rays would
    leave a zero-width slit between the bands. Returns the sectors and that ray mapping.
    """
    idx = np.arange(len(e.run))
    first = np.searchsorted(e.run, np.arange(len(runs)))
    last = np.append(first[1:], len(idx)) - 1
    closed = np.array([c for _, c in runs])
    nxt = idx + 1
    nxt[last] = np.where(closed, first, -1)
    e_in, e_out = idx[nxt >= 0], nxt[nxt >= 0]
    turn = wrap_lon_deg(e.az_a[e_out] - e.az_b[e_in])
    straight = np.abs(turn) < max_turn_deg
    ray_of = np.arange(4 * len(idx))
    ray_of[4 * e_out[straight]] = 4 * e_in[straight] + 2
    ray_of[4 * e_out[straight] + 1] = 4 * e_in[straight] + 3
    e_in, e_out, turn = e_in[~straight], e_out[~straight], turn[~straight]
    left = turn > 0.0
    starts, ends = first[~closed], last[~closed]
    centre = np.concatenate([e.a[e_out], e.a[starts], e.b[ends]])
    ray_lo = np.concatenate(
        [np.where(left, 4 * e_in + 2, 4 * e_out + 1), 4 * starts + 1, 4 * ends + 2]
    )
    ray_hi = np.concatenate([np.where(left, 4 * e_out, 4 * e_in + 3), 4 * starts, 4 * ends + 3])
    span = np.concatenate([np.abs(turn), np.full(len(starts) + len(ends), 180.0)])
    sectors = _Sectors(centre[:, 0], centre[:, 1], ray_az[ray_lo], span, ray_lo, ray_hi)
    return sectors, ray_of


def _curve_bounds(v: _Vertices, count: int, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each curve's first and last vertex index, shifted into a shared vertex pool."""
    first = np.searchsorted(v.curve, np.arange(count))
    last = np.append(first[1:], len(v.t)) - 1
    return first + base, last + base


def _piece(
    bounds: tuple[np.ndarray, np.ndarray],
    curve: np.ndarray,
    *,
    reverse: bool = False,
    trim_head: bool = False,
    trim_tail: bool = False,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Describe one stretch of boundary: a curve's vertex range, walked forward or back."""
    first, last = bounds[0][curve], bounds[1][curve]
    head, tail = (trim_tail, trim_head) if reverse else (trim_head, trim_tail)
    return first + head, last + 1 - tail, reverse


def _chain_indices(
    pieces: Sequence[tuple[np.ndarray, np.ndarray, bool]],
) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate vertex ranges piece after piece for many boundaries at once."""
    index, owner, key = [], [], []
    for k, (start, stop, reverse) in enumerate(pieces):
        count = np.maximum(stop - start, 0)
        pos = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        index.append(np.repeat(stop - 1, count) - pos if reverse else np.repeat(start, count) + pos)
        owner.append(np.repeat(np.arange(len(start)), count))
        key.append(k * (1 << 40) + pos)
    order = np.lexsort((np.concatenate(key), np.concatenate(owner)))
    return np.concatenate(index)[order], np.concatenate(owner)[order]


def _assemble(
    ray_v: _Vertices, off_v: _Vertices, arc_v: _Vertices, ray_of: np.ndarray, sectors: _Sectors
) -> list[BaseGeometry]:
    """Join rays, parallels and arcs into band and sector boundaries, then into polygons."""
    lon = np.concatenate([ray_v.lon, off_v.lon, arc_v.lon])
    lat = np.concatenate([ray_v.lat, off_v.lat, arc_v.lat])
    n_edges = len(ray_of) // 4
    rays = _curve_bounds(ray_v, 4 * n_edges, 0)
    offs = _curve_bounds(off_v, 2 * n_edges, len(ray_v.t))
    arcs = _curve_bounds(arc_v, len(sectors.lon), len(ray_v.t) + len(off_v.t))
    e4, e2 = 4 * np.arange(n_edges), 2 * np.arange(n_edges)
    # Clockwise round a band: out to the left at a, along the left parallel, in at b, out to
    # the right at b, back along the right parallel, in at a.
    band = _chain_indices(
        [
            _piece(rays, ray_of[e4]),
            _piece(offs, e2, trim_head=True, trim_tail=True),
            _piece(rays, e4 + 2, reverse=True),
            _piece(rays, e4 + 3, trim_head=True),
            _piece(offs, e2 + 1, reverse=True, trim_head=True, trim_tail=True),
            _piece(rays, ray_of[e4 + 1], reverse=True, trim_tail=True),
        ]
    )
    sector = _chain_indices(
        [
            _piece(rays, sectors.ray_lo),
            _piece(arcs, np.arange(len(sectors.lon)), trim_head=True, trim_tail=True),
            _piece(rays, sectors.ray_hi, reverse=True, trim_tail=True),
        ]
    )
    return [
        *_polygons(lon[band[0]], lat[band[0]], band[1], n_edges),
        *_polygons(lon[sector[0]], lat[sector[0]], sector[1], len(sectors.lon)),
    ]


def _polygons(
    lon: np.ndarray, lat: np.ndarray, owner: np.ndarray, count: int
) -> list[BaseGeometry]:
    """Make one region per boundary (clockwise, interior on the right), vectorized if simple."""
    if count == 0:
        return []
    first = np.searchsorted(owner, np.arange(count))
    last = np.append(first[1:], len(owner)) - 1
    x = _unwrap_each(lon, owner, first)
    closing = x[last] + wrap_lon_deg(lon[first] - lon[last])
    winding = np.round((closing - x[first]) / 360.0)
    cross = np.append(x[:-1] * lat[1:] - x[1:] * lat[:-1], 0.0)
    cross[last] = x[last] * lat[first] - x[first] * lat[last]
    signed_area = np.add.reduceat(cross, first) / 2.0
    inside = (np.minimum.reduceat(x, first) >= -180.0) & (np.maximum.reduceat(x, first) <= 180.0)
    inside &= (closing >= -180.0) & (closing <= 180.0)
    simple = (winding == 0) & inside & (signed_area < 0.0)
    fast = simple[owner]
    out: list[BaseGeometry] = []
    if fast.any():
        renumbered = np.unique(owner[fast], return_inverse=True)[1]
        out.extend(shapely.polygons(shapely.linearrings(x[fast], lat[fast], indices=renumbered)))
    for i in np.flatnonzero(~simple):
        part = slice(first[i], last[i] + 1)
        out.append(_region_from_boundary(lon[part], lat[part], may_hold_both_poles=False))
    # A sliver sector whose two edges lean on each other by less than their chord error can
    # cross itself; repairing it only moves boundary inside that error.
    pieces = np.array(out, dtype=object)
    broken = ~shapely.is_valid(pieces)
    pieces[broken] = shapely.make_valid(pieces[broken])
    # A sliver can collapse to lines, which would hang off the union as spikes.
    return [p for p in shapely.get_parts(pieces) if shapely.get_dimensions(p) == 2]


def _densify_polygon(polygon: Polygon, tol_m: float) -> BaseGeometry:
    """Densify a polygon's geodesic edges so that its drawn outline follows them."""
    rings = [_densify_path(np.asarray(r.coords)[:, :2], tol_m) for r in polygon.interiors]
    dense = Polygon(_densify_path(np.asarray(polygon.exterior.coords)[:, :2], tol_m), rings)
    return dense if dense.is_valid else shapely.make_valid(dense)


def _densify_path(xy: np.ndarray, tol_m: float) -> np.ndarray:
    """Insert vertices along each geodesic edge of a path; cut and map-wide edges stay as drawn."""
    a, b = xy[:-1], xy[1:]
    az, _, length_m = (np.asarray(x) for x in _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    # Meridians are straight on the map already; pole edges and map-wide edges stay as drawn.
    on_pole = (np.abs(a[:, 1]) == 90.0) & (a[:, 1] == b[:, 1])
    edges = np.flatnonzero(~on_pole & (np.abs(b[:, 0] - a[:, 0]) <= 180.0) & (length_m > 0))
    if edges.size == 0:
        return xy
    family = _Rays(a[edges, 0], a[edges, 1], az[edges], np.zeros(len(edges)), length_m[edges])
    curve = np.repeat(np.arange(len(edges)), 2)
    t = np.ravel(np.column_stack([np.zeros(len(edges)), length_m[edges]]))
    v = _densify(family, curve, t, tol_m, split_at_antimeridian=False)
    inner = (v.t > 0) & (v.t < length_m[edges][v.curve])
    start_lon = a[edges, 0][v.curve[inner]]
    # Inner points lie between the edge's end longitudes: express them next to the start.
    lon = np.clip(start_lon + wrap_lon_deg(v.lon[inner] - start_lon), -180.0, 180.0)
    edge = np.concatenate([np.arange(len(a)), edges[v.curve[inner]]])
    along = np.concatenate([np.full(len(a), -1.0), v.t[inner]])
    points = np.vstack([a, np.column_stack([lon, v.lat[inner]])])
    return np.vstack([points[np.lexsort((along, edge))], xy[-1:]])


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

    >>> round(geodesic_length_km(LineString([(51.389, 35.689), (21.01, 52.23)])))  # Tehran-Warsaw
    3016
    """
    total_m = 0.0
    cuts = _cuts_of(geometry)
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
                dist_m = dist_m[~_seam_edges(xy, cuts)]
            total_m += float(dist_m.sum())
    return total_m / 1e3
