"""Range rings, annuli and radar fans: geodesic circles and sectors around a centre.

Built shapes are cached by their arguments: layers often draw the same range around the same
site (in each proposal that uses it), and a shapely geometry is immutable, so it is shared.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ._angles import wrap_lon_deg
from ._antimeridian import finish, region_from_boundary, split_antimeridian
from ._checks import check_beam, check_error, check_point, check_radii, require
from ._densify import SAFETY, arcs, rays
from ._ellipsoid import GEOD

_POLAR_PARALLEL_STEP_DEG = 1.0
#: Nudge for fan edges that run exactly along a meridian, so that an edge reaching a pole
#: passes beside it (0.03 m at 20,000 km) instead of through it, where longitude is undefined.
_MERIDIAN_NUDGE_DEG = 1e-7
#: Distinct shapes kept: a few hundred rings of a thousand vertices is a few MB.
_CACHE_SIZE = 512


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
    a ring around a pole is closed over that pole; a ring holding both poles (radius_km
    beyond the farther pole, up to 19,500 km) is the world minus a hole around the antipode.
    A radius under a metre (0.001 km) or beyond 19,500 km raises ValueError, and so does an
    annulus less than a metre wide.

    A small ring: every vertex is 100 km from the centre.

    >>> from pyproj import Geod
    >>> warsaw = ring(21.01, 52.23, 100)
    >>> lon, lat = warsaw.exterior.xy
    >>> dist_m = Geod(ellps="WGS84").inv([21.01] * len(lon), [52.23] * len(lon), lon, lat)[2]
    >>> max(abs(d - 100_000) for d in dist_m) < 1e-3, len(lon), warsaw.is_valid
    (True, 129, True)

    A ring around Gabala holding the north pole, but not the far side of the earth:

    >>> from shapely import Point
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

    At the largest radius the ring is the world with a hole around the antipode:

    >>> world = ring(21.01, 52.23, 19_500)
    >>> world.contains(Point(0, 89.9)), world.contains(Point(0, -89.9)), len(world.interiors)
    (True, True, 1)

    >>> ring(0, 0, 0.0001)
    Traceback (most recent call last):
    ...
    ValueError: radius_km must be >= 0.001 (1 m) and <= 19500, got 0.0001
    """
    check_point(lon, lat)
    check_radii(radius_km, min_radius_km)
    check_error(max_error_m)
    return _rings_of([_key(lon, lat, radius_km, min_radius_km, max_error_m)])[0]


def rings(
    lon: ArrayLike,
    lat: ArrayLike,
    radius_km: ArrayLike,
    *,
    min_radius_km: ArrayLike = 0.0,
    max_error_m: ArrayLike = 100.0,
) -> list[Polygon | MultiPolygon]:
    """Draw many rings at once: the shapes :func:`ring` draws, sampled in one vectorised pass.

    Arguments are numbers or arrays, broadcast together (numpy rules); the result lists one
    shape per element, in order. The same ring asked twice is built once, and shapes built
    by earlier calls of either function come from their shared cache.

    >>> big, small, again = rings([21.01, 40.99, 21.01], [52.23, 44.93, 52.23], [4000, 100, 4000])
    >>> big is again, big.equals(ring(21.01, 52.23, 4000)), small.area < big.area
    (True, True, True)
    """
    columns = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lon, lat, radius_km, min_radius_km, max_error_m))
    )
    keys = [_key(*row) for row in zip(*(c.ravel().tolist() for c in columns))]
    for k_lon, k_lat, k_radius_km, k_min_radius_km, k_max_error_m in dict.fromkeys(keys):
        check_point(k_lon, k_lat)
        check_radii(k_radius_km, k_min_radius_km)
        check_error(k_max_error_m)
    return _rings_of(keys)


def _key(*values: float) -> tuple[float, ...]:
    """Make cache keys of plain floats; -0.0 and 0.0 are one key, built from 0.0."""
    return tuple(float(v) + 0.0 for v in values)


_Shape: TypeAlias = "Polygon | MultiPolygon"


class _Cache:
    """Keep the most recently used shapes by their arguments, up to maxsize of them.

    Not functools.lru_cache: :func:`rings` fills it with many shapes built in one pass.
    """

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._shapes: OrderedDict[tuple[float, ...], _Shape] = OrderedDict()

    def get(self, key: tuple[float, ...]) -> _Shape | None:
        shape = self._shapes.get(key)
        if shape is not None:
            self._shapes.move_to_end(key)
        return shape

    def put(self, key: tuple[float, ...], shape: _Shape) -> None:
        self._shapes[key] = shape
        self._shapes.move_to_end(key)
        while len(self._shapes) > self.maxsize:
            self._shapes.popitem(last=False)

    def clear(self) -> None:
        self._shapes.clear()

    def lookup(
        self,
        keys: list[tuple[float, ...]],
        build: Callable[[list[tuple[float, ...]]], list[_Shape]],
    ) -> list[_Shape]:
        """The shapes of `keys`, in order: those kept come from here, the rest are built
        together (each distinct key once) by `build` and kept."""
        found: dict[tuple[float, ...], _Shape] = {}
        for key in dict.fromkeys(keys):
            shape = self.get(key)
            if shape is not None:
                found[key] = shape
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        for key, shape in zip(missing, build(missing)):
            found[key] = shape
            self.put(key, shape)
        return [found[key] for key in keys]


_RINGS = _Cache(_CACHE_SIZE)


def _rings_of(keys: list[tuple[float, ...]]) -> list[_Shape]:
    """Look rings up by (lon, lat, radius_km, min_radius_km, max_error_m); build the rest."""
    return _RINGS.lookup(keys, _build_rings)


def _build_rings(keys: list[tuple[float, ...]]) -> list[_Shape]:
    """Build rings: all their circles (outer, and inner for annuli) in one densify call."""
    shapes: dict[int, BaseGeometry] = {}
    circles: list[tuple[int, float, float, float, float]] = []  # ring, lon, lat, radius_m, tol_m
    for i, (lon, lat, radius_km, min_radius_km, max_error_m) in enumerate(keys):
        if abs(lat) == 90.0:
            shapes[i] = _polar_region(lon, lat, radius_km * 1e3, min_radius_km * 1e3, 0.0, 360.0)
            continue
        tol_m = _tolerance_m(max_error_m, radius_km, min_radius_km)
        circles.append((i, lon, lat, radius_km * 1e3, tol_m))
        if min_radius_km > 0.0:
            circles.append((i, lon, lat, min_radius_km * 1e3, tol_m))
    if circles:
        owner, c_lons, c_lats, radii_m, tols_m = (np.array(c) for c in zip(*circles))
        sampled = arcs(c_lons, c_lats, radii_m, 0.0, 360.0, tols_m)
        holds_both = _may_hold_both_poles(c_lats, radii_m)
        for i, (c_lon, c_lat), both in zip(owner.tolist(), sampled, holds_both.tolist()):
            # Azimuth 360 is azimuth 0: the boundary leaves out its repeated last vertex.
            region = region_from_boundary(c_lon[:-1], c_lat[:-1], may_hold_both_poles=both)
            shapes[i] = shapes[i].difference(region) if i in shapes else region
    return [finish(shapes[i]) for i in range(len(keys))]


def _tolerance_m(max_error_m: float, radius_km: float, min_radius_km: float) -> float:
    """Bound the chords' error: by max_error_m, and for a thin annulus by half its width, so
    that chords of the outer circle (which cut inside it) leave the band whole."""
    band_m = (radius_km - min_radius_km) * 1e3 if min_radius_km > 0.0 else np.inf
    return float(min(max_error_m, band_m / 2.0)) * SAFETY


def _may_hold_both_poles(lat: float | np.ndarray, radii_m: np.ndarray) -> np.ndarray:
    """Tell which circles reach beyond the farther pole from their centre: only those can
    hold both poles.

    A tiny circle's boundary can come out anticlockwise by rounding; this keeps it from
    being read as the world minus a hole.
    """
    lat = np.broadcast_to(np.asarray(lat, dtype=float), np.shape(radii_m))
    far_pole = np.where(lat >= 0.0, -90.0, 90.0)
    zero = np.zeros(lat.shape)
    return np.asarray(radii_m) > np.asarray(GEOD.inv(zero, lat, zero, far_pole)[2])


def _polar_region(
    lon: float, lat: float, radius_m: float, min_radius_m: float, az0: float, beam_deg: float
) -> BaseGeometry:
    """Build a ring, annulus or fan centred on a pole: a band between parallels and meridians."""
    lat_out = float(GEOD.fwd(lon, lat, 0.0, radius_m)[1])
    lat_in = float(GEOD.fwd(lon, lat, 0.0, min_radius_m)[1]) if min_radius_m > 0 else lat
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
    x = np.concatenate([xs, inner])
    y = np.concatenate([np.full(len(xs), lat_out), np.full(len(inner), lat_in)])
    return split_antimeridian(shapely.polygons(np.column_stack([x, y])))


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
    the azimuth is measured from the meridian ``lon``. A beam under 0.01° raises ValueError,
    and so do the radii :func:`ring` refuses.

    >>> from shapely import Point
    >>> north = fan(47.78, 40.88, 6000, azimuth_deg=0, beam_deg=90)
    >>> north.contains(Point(100, 89.5)), north.contains(Point(47.78, 30.0))
    (True, False)

    A beam at the minimum is a thin but valid sector, 350 m wide 2,000 km out:

    >>> needle = fan(21.01, 52.23, 2000, azimuth_deg=45, beam_deg=0.01)
    >>> needle.geom_type, needle.is_valid
    ('Polygon', True)
    >>> fan(0, 0, 100, azimuth_deg=0, beam_deg=0)
    Traceback (most recent call last):
    ...
    ValueError: beam_deg must be >= 0.01, got 0
    """
    # checked here too, so that a message shows the argument as it was given
    check_point(lon, lat)
    check_radii(radius_km, min_radius_km)
    check_error(max_error_m)
    require(bool(np.isfinite(azimuth_deg)), f"azimuth_deg must be finite, got {azimuth_deg!r}")
    check_beam(beam_deg)
    return fans(
        lon,
        lat,
        radius_km,
        azimuth_deg,
        beam_deg,
        min_radius_km=min_radius_km,
        max_error_m=max_error_m,
    )[0]


def fans(
    lon: ArrayLike,
    lat: ArrayLike,
    radius_km: ArrayLike,
    azimuth_deg: ArrayLike,
    beam_deg: ArrayLike,
    *,
    min_radius_km: ArrayLike = 0.0,
    max_error_m: ArrayLike = 100.0,
) -> list[Polygon | MultiPolygon]:
    """Draw many fans at once: the shapes :func:`fan` draws, sampled in one vectorised pass
    (all radial edges in one densify call, all far and near arcs in another).

    Arguments broadcast together as for :func:`rings`; the same fan asked twice is built
    once, and fans built by earlier calls come from the cache they share with :func:`fan`.

    >>> a, b, again = fans([21.01, 47.78, 21.01], [52.23, 40.88, 52.23], 2000, [90, 0, 90], 60)
    >>> a is again, a.equals(fan(21.01, 52.23, 2000, azimuth_deg=90, beam_deg=60))
    (True, True)
    """
    columns = np.broadcast_arrays(
        *(
            np.asarray(a, dtype=float)
            for a in (lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km, max_error_m)
        )
    )
    rows = list(zip(*(c.ravel().tolist() for c in columns)))
    for r_lon, r_lat, r_km, r_az, r_beam, r_min_km, r_err in dict.fromkeys(rows):
        check_point(r_lon, r_lat)
        check_radii(r_km, r_min_km)
        check_error(r_err)
        require(bool(np.isfinite(r_az)), f"azimuth_deg must be finite, got {r_az!r}")
        check_beam(r_beam)
    full = [i for i, row in enumerate(rows) if row[4] >= 360.0]
    shapes: dict[int, _Shape] = {}
    if full:  # beam_deg >= 360 is the ring
        whole = _rings_of([_key(*(rows[i][k] for k in (0, 1, 2, 5, 6))) for i in full])
        shapes.update(zip(full, whole))
    # Within one turn, so that the beam's edges differ even for an azimuth of 1e17.
    keys = {
        i: _key(r_lon, r_lat, r_km, r_az % 360.0, r_beam, r_min_km, r_err)
        for i, (r_lon, r_lat, r_km, r_az, r_beam, r_min_km, r_err) in enumerate(rows)
        if i not in shapes
    }
    shapes.update(zip(keys, _fans_of(list(keys.values()))))
    return [shapes[i] for i in range(len(rows))]


_FANS = _Cache(_CACHE_SIZE)


def _fans_of(keys: list[tuple[float, ...]]) -> list[_Shape]:
    """Look fans up by (lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km,
    max_error_m); build the rest."""
    return _FANS.lookup(keys, _build_fans)


def _build_fans(keys: list[tuple[float, ...]]) -> list[_Shape]:
    """Build fans: every radial edge in one densify call, every arc in another."""
    shapes: dict[int, BaseGeometry] = {}
    sectors = []  # fan, lon, lat, radius_m, min_radius_m, edge0, edge1, tol_m
    for i, (lon, lat, radius_km, azimuth_deg, beam_deg, min_km, max_error_m) in enumerate(keys):
        az0 = azimuth_deg - beam_deg / 2.0
        r_m, r_min_m = radius_km * 1e3, min_km * 1e3
        if abs(lat) == 90.0:
            shapes[i] = finish(_polar_region(lon, lat, r_m, r_min_m, az0, beam_deg))
            continue
        tol_m = _tolerance_m(max_error_m, radius_km, min_km)
        edges = _nudge_off_meridian(az0, 1.0), _nudge_off_meridian(az0 + beam_deg, -1.0)
        sectors.append((i, lon, lat, r_m, r_min_m, *edges, tol_m))
    if sectors:
        owner, lons, lats, outer_m, inner_m, edge0, edge1, tols_m = (
            np.array(c) for c in zip(*sectors)
        )
        # Out along edge0 and back along edge1 of each fan: two rays a fan, in that order.
        radials = rays(
            np.repeat(lons, 2),
            np.repeat(lats, 2),
            np.column_stack([edge0, edge1]).ravel(),
            np.repeat(inner_m, 2),
            np.repeat(outer_m, 2),
            np.repeat(tols_m, 2),
        )
        # The far arc of each fan, then the near one of those with an inner radius.
        inner = np.flatnonzero(inner_m > 0.0)
        circles = np.concatenate([np.arange(len(sectors)), inner])
        radii = np.concatenate([outer_m, inner_m[inner]])
        sampled = arcs(
            lons[circles], lats[circles], radii, edge0[circles], edge1[circles], tols_m[circles]
        )
        near = dict(zip(inner.tolist(), sampled[len(sectors) :]))
        holds_both = _may_hold_both_poles(lats, outer_m).tolist()
        for k, i in enumerate(owner.tolist()):
            lon_b, lat_b = _fan_boundary(
                radials[2 * k], radials[2 * k + 1], sampled[k], near.get(k)
            )
            shapes[i] = finish(
                region_from_boundary(lon_b, lat_b, may_hold_both_poles=holds_both[k])
            )
    return [shapes[i] for i in range(len(keys))]


_Curve: TypeAlias = "tuple[np.ndarray, np.ndarray]"


def _fan_boundary(
    out: _Curve, back: _Curve, arc: _Curve, inner: _Curve | None
) -> tuple[np.ndarray, np.ndarray]:
    """Walk a sector's edge clockwise: out along its first radial, round the far arc, back
    along the second radial (and round the near arc, for an annular sector)."""
    (out_lon, out_lat), (arc_lon, arc_lat) = out, arc
    back_lon, back_lat = back[0][::-1], back[1][::-1]
    parts_lon = [out_lon, arc_lon[1:], back_lon[1:]]
    parts_lat = [out_lat, arc_lat[1:], back_lat[1:]]
    if inner is not None:
        in_lon, in_lat = inner[0][::-1], inner[1][::-1]
        parts_lon.append(in_lon[1:-1])
        parts_lat.append(in_lat[1:-1])
    else:
        # Both radials start at the centre: keep it once.
        parts_lon[-1], parts_lat[-1] = parts_lon[-1][:-1], parts_lat[-1][:-1]
    return np.concatenate(parts_lon), np.concatenate(parts_lat)
