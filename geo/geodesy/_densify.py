"""Sample geodesic curves adaptively, so that the chords a map draws stay near the true curve.

A family of curves (circles around centres, geodesics from origins) gives a point for a
parameter and the distance of any point from its curve. :func:`densify` bisects the chords
between samples until each one, straight in lon/lat and in Web Mercator, stays within the
error bound of its curve; it works on many curves at once, each pass one numpy call per step.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ._angles import MERCATOR_MAX_LAT_DEG, mercator_lat_deg, mercator_y, on_grid, wrap_lon_deg
from ._ellipsoid import EARTH_RADIUS_M, GEOD, METRES_PER_DEGREE_MAX

#: Where each drawn chord is compared with its curve: the error peaks near the middle, and the
#: quarter points catch chords whose error is lopsided (near a pole, say).
_CHORD_FRACTIONS = (0.25, 0.5, 0.75)
MIDDLE = (0.5,)
#: Refine to a bit below the bound: the true maximum can fall between two checked points.
SAFETY = 0.9
_INITIAL_ARC_STEP_DEG = 11.25
_INITIAL_RAY_STEP_M = 500_000.0
_MAX_PASSES = 64


# --- families of curves: a point for a parameter, and how far a point is from the curve ------


class Family(Protocol):
    @property
    def min_step(self) -> float: ...

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class Circles:
    """Geodesic circles; the parameter is the azimuth in degrees clockwise from north."""

    lon: np.ndarray
    lat: np.ndarray
    radius_m: np.ndarray
    min_step: float = 1e-9

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat, _ = GEOD.fwd(self.lon[curve], self.lat[curve], t, self.radius_m[curve])
        return np.asarray(lon), np.asarray(lat)

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        _, _, dist_m = GEOD.inv(self.lon[curve], self.lat[curve], lon, lat)
        return np.abs(np.asarray(dist_m) - self.radius_m[curve])


@dataclass(frozen=True)
class Rays:
    """Geodesics from an origin along an azimuth; the parameter is the distance in metres."""

    lon: np.ndarray
    lat: np.ndarray
    azimuth_deg: np.ndarray
    start_m: np.ndarray
    end_m: np.ndarray
    min_step: float = 1e-3

    def points(self, curve: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        args = (self.lon[curve], self.lat[curve], self.azimuth_deg[curve])
        lon, lat, _ = (np.asarray(a) for a in GEOD.fwd(*args, t))
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
            lon[pole] = GEOD.fwd(lon0, lat0, az, t[pole] + inward)[0]
        return lon, lat

    def errors_m(
        self, curve: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        # Distance to the geodesic: slide the foot point along it until the point is abeam.
        args = (self.lon[curve], self.lat[curve], self.azimuth_deg[curve])
        # One spherical step is plenty: a foot point off by e only adds about e^2 / (2 d) to
        # the distance d, and an overestimate errs on the safe side.
        q_lon, q_lat, back_az = GEOD.fwd(*args, t)
        az_to_point, _, dist_m = GEOD.inv(q_lon, q_lat, lon, lat)
        cos_angle = np.cos(np.radians(np.asarray(az_to_point) - np.asarray(back_az) - 180.0))
        angle_rad = np.asarray(dist_m) / EARTH_RADIUS_M
        step_m = EARTH_RADIUS_M * np.arctan2(np.sin(angle_rad) * cos_angle, np.cos(angle_rad))
        q_lon, q_lat, _ = GEOD.fwd(*args, t + step_m)
        return np.asarray(GEOD.inv(q_lon, q_lat, lon, lat)[2])


# --- adaptive densification -----------------------------------------------------------------


@dataclass(frozen=True)
class Vertices:
    """Vertices of many curves, ordered by curve then parameter; lon as pyproj returns it."""

    curve: np.ndarray
    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    def insert(self, at: np.ndarray, other: Vertices) -> Vertices:
        return Vertices(
            np.insert(self.curve, at, other.curve),
            np.insert(self.t, at, other.t),
            np.insert(self.lon, at, other.lon),
            np.insert(self.lat, at, other.lat),
        )


def vertices(family: Family, curve: np.ndarray, t: np.ndarray) -> Vertices:
    lon, lat = family.points(curve, t)
    return Vertices(curve, t, on_grid(lon), lat)


@dataclass(frozen=True)
class Check:
    """Where drawn chords are compared with their curve."""

    fractions: tuple[float, ...] = _CHORD_FRACTIONS
    mercator: bool = True  # also the chord Leaflet draws, straight in Web Mercator


FULL_CHECK = Check()
#: For edges hidden inside a shape: only their rough course matters.
ROUGH_CHECK = Check(MIDDLE, mercator=False)


def _chord_fails(
    family: Family, v: Vertices, seg: np.ndarray, tol_m: np.ndarray, check: Check
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
    merc = ((np.abs(lat_a) < MERCATOR_MAX_LAT_DEG) & (np.abs(lat_b) < MERCATOR_MAX_LAT_DEG))[:, 0]
    y_a, y_b = mercator_y(np.where(merc[:, None], lat_a, 0.0)), mercator_y(lat_b * merc[:, None])
    lat_merc = mercator_lat_deg(y_a + f * (y_b - y_a))
    # Both chords share their longitudes: when their latitude gap cannot tip the error over
    # the bound, the Mercator chord needs no geodesic check of its own.
    gap_m = np.abs(lat_merc - lat_lin).max(axis=1) * METRES_PER_DEGREE_MAX
    need = merc & ~fails & (errors + gap_m > tol_m)
    fails[need] = worst(need, lat_merc[need]) > tol_m[need]
    return fails


def _refine(
    family: Family,
    v: Vertices,
    pending: np.ndarray,
    tol_m: float | np.ndarray,
    *,
    max_step: float = np.inf,
    check: Check = FULL_CHECK,
) -> Vertices:
    """Bisect pending segments until each chord is within tol_m (one, or per curve) of its curve."""
    tol_of_curve = np.broadcast_to(np.asarray(tol_m, dtype=float), (int(v.curve.max()) + 1,))
    middle = Check(MIDDLE, check.mercator)
    # The middle is checked first, for every chord; the rest then need only the other points
    # (the Mercator bound per point still holds, so no chord is judged differently).
    others = Check(tuple(f for f in check.fractions if f not in MIDDLE), check.mercator)
    for _ in range(_MAX_PASSES):
        seg = np.flatnonzero(pending)
        if seg.size == 0:
            break
        step = v.t[seg + 1] - v.t[seg]
        tol = tol_of_curve[v.curve[seg]]
        bad = (step > max_step) | _chord_fails(family, v, seg, tol, middle)
        # Most failing chords fail in the middle: check the other points only for the rest.
        if others.fractions:
            bad[~bad] = _chord_fails(family, v, seg[~bad], tol[~bad], others)
        split = seg[bad & (np.abs(step) > family.min_step)]
        if split.size == 0:
            break
        t_mid = (v.t[split] + v.t[split + 1]) / 2.0
        v = v.insert(split + 1, vertices(family, v.curve[split], t_mid))
        pending = np.zeros(pending.shape, dtype=bool)
        pending[split] = True
        pending = np.insert(pending, split + 1, True)
    return v


def _antimeridian_crossings(family: Family, v: Vertices) -> tuple[Vertices, np.ndarray]:
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
    v = v.insert(seg + 1, Vertices(curve, t, edge, lat))
    pending = np.zeros(len(start), dtype=bool)
    pending[seg] = True
    return v, np.insert(pending, seg + 1, True)


def densify(
    family: Family,
    curve: np.ndarray,
    t: np.ndarray,
    tol_m: float | np.ndarray,
    *,
    max_step: float = np.inf,
    check: Check = FULL_CHECK,
    split_at_antimeridian: bool = True,
) -> Vertices:
    """Sample curves adaptively from starting parameters t (sorted within each curve)."""
    if len(t) == 0:  # no curves (a buffer whose corners are all too slight for a sector)
        empty = np.zeros(0)
        return Vertices(np.zeros(0, dtype=int), empty, empty, empty)
    v = vertices(family, curve, t)
    pending = v.curve[1:] == v.curve[:-1]
    v = _refine(family, v, pending, tol_m, max_step=max_step, check=check)
    if split_at_antimeridian:
        v, pending = _antimeridian_crossings(family, v)
        v = _refine(family, v, pending, tol_m, max_step=max_step, check=check)
    return v


def arcs(
    lon: float | np.ndarray,
    lat: float | np.ndarray,
    radii_m: np.ndarray,
    az0: float | np.ndarray,
    az1: float | np.ndarray,
    tol_m: float | np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sample circles of radii_m around their centres from azimuth az0 to az1, ends kept.

    Centres, azimuths and tolerances are one for all or one per circle. All circles go into
    one densify call; each is refined on its own, exactly as if it were alone.
    """
    radii_m = np.asarray(radii_m, dtype=float)
    count = len(radii_m)
    lon, lat, az0, az1 = (
        np.broadcast_to(np.asarray(a, dtype=float), (count,)) for a in (lon, lat, az0, az1)
    )
    curve, t = _starting_samples(az0, az1, _INITIAL_ARC_STEP_DEG)
    return _per_curve(densify(Circles(lon, lat, radii_m), curve, t, tol_m), count)


def rays(
    lon: float | np.ndarray,
    lat: float | np.ndarray,
    azimuths_deg: np.ndarray,
    start_m: float | np.ndarray,
    end_m: float | np.ndarray,
    tol_m: float | np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sample geodesics from their origins along each azimuth between two distances.

    Origins, distances and tolerances are one for all or one per ray. All rays go into one
    densify call; each is refined on its own, exactly as if it were alone.
    """
    azimuths_deg = np.asarray(azimuths_deg, dtype=float)
    count = len(azimuths_deg)
    lon, lat, start_m, end_m = (
        np.broadcast_to(np.asarray(a, dtype=float), (count,)) for a in (lon, lat, start_m, end_m)
    )
    curve, t = _starting_samples(start_m, end_m, _INITIAL_RAY_STEP_M)
    family = Rays(lon, lat, azimuths_deg, start_m, end_m)
    return _per_curve(densify(family, curve, t, tol_m), count)


def _starting_samples(
    start: np.ndarray, end: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced parameters from each curve's start to its end, at most `step` apart (at
    least both ends): the curve of each, and the parameters, curve after curve."""
    n = np.maximum(np.ceil(np.abs(end - start) / step).astype(int) + 1, 2)
    if len(n) and (start == start[0]).all() and (end == end[0]).all():  # one span for all
        t = np.tile(np.linspace(start[0], end[0], int(n[0])), len(n))
    else:
        t = np.concatenate([np.linspace(a, b, k) for a, b, k in zip(start, end, n.tolist())])
    return np.repeat(np.arange(len(n)), n), t


def _per_curve(v: Vertices, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    bounds = np.searchsorted(v.curve, np.arange(count + 1))
    return [(v.lon[a:b], v.lat[a:b]) for a, b in itertools.pairwise(bounds)]
