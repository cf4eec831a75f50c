"""Geodesic buffers: grow any lon/lat geometry by a distance measured on the ellipsoid.

The buffer is assembled from pieces that share their vertices exactly: a band around every
edge (bounded by its geodesic parallels), a disc sector at every corner and line end, and the
shape itself; their union is the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from ._angles import unwrap_each, wrap_lon_deg
from ._antimeridian import (
    Cuts,
    cuts_of,
    finish,
    region_from_boundary,
    runs,
    seam_edges,
    split_antimeridian,
)
from ._checks import check_buffer, check_error
from ._densify import ROUGH_CHECK, SAFETY, Circles, Rays, Vertices, densify
from ._ellipsoid import GEOD
from ._lines import densify_polygon
from ._measure import ring_area_m2
from ._rings import ring

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
    other distances under a metre, or over 5,000 km, raise ValueError.

    >>> from geo.geodesy import geodesic_area_km2
    >>> disc = buffer(Point(21.01, 52.23), 100)
    >>> round(geodesic_area_km2(disc) / geodesic_area_km2(ring(21.01, 52.23, 100)), 4)
    1.0
    >>> buffer(Point(0, 0), -1)
    Traceback (most recent call last):
    ...
    ValueError: distance_km must be 0, or >= 0.001 (1 m) and <= 5000, got -1
    """
    check_error(max_error_m)
    check_buffer(distance_km)
    parts = _flat_parts(split_antimeridian(geometry))
    polygons = [p for p in parts if isinstance(p, Polygon) and not p.is_empty]
    if distance_km == 0.0 or geometry.is_empty:
        return finish(shapely.union_all(polygons)) if polygons else Polygon()
    # A buffer narrower than the error bound keeps its chords within half its width, so
    # that the band still holds the edge it grows.
    error_m = min(max_error_m, distance_km * 1e3 / 2.0)
    tol_m = error_m * SAFETY
    chains, points = _runs_of(parts)
    pieces = _run_buffers(chains, distance_km * 1e3, tol_m) if chains else []
    pieces += [ring(x, y, distance_km, max_error_m=error_m) for x, y in points]
    # The shape as drawn too, so that the result always contains its input.
    pieces += [densify_polygon(p, tol_m) for p in polygons] + polygons
    return finish(_drop_specks(_union(pieces), error_m**2))


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
            [h for h in p.interiors if ring_area_m2(np.asarray(h.coords)) >= min_area_m2],
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
    cuts = cuts_of(MultiPolygon([p for p in parts if isinstance(p, Polygon)]))
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


def _split_wide_edges(xy: np.ndarray, cuts: Cuts) -> np.ndarray:
    """Cut edges spanning more than 180° of longitude into short straight pieces."""
    if len(xy) < 2:
        return xy
    wide = (np.abs(np.diff(xy[:, 0])) > 180.0) & ~seam_edges(xy, cuts)
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


def _chains(xy: np.ndarray, closed: bool, cuts: Cuts) -> list[tuple[np.ndarray, bool]]:
    """Drop repeated vertices and cut edges; return the boundary chains that remain."""
    keep = np.append(True, np.any(np.diff(xy, axis=0) != 0.0, axis=1))
    xy = xy[keep]
    if not closed:
        return [(xy, False)]
    if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
        xy = xy[:-1]
    ring_xy = np.vstack([xy, xy[:1]])
    cut = seam_edges(ring_xy, cuts)
    if not cut.any():
        return [(xy, True)]
    return [(np.asarray(line.coords), False) for line in runs(ring_xy, cut)]


@dataclass(frozen=True)
class _Offsets:
    """Geodesic parallels at distance_m beside edges; the parameter is the distance along.

    The ends are computed exactly as the edge's perpendicular rays end, so the pieces that
    share them share identical vertices and union without slivers.
    """

    edges: Rays
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
            for a in GEOD.fwd(self.edges.lon[e], self.edges.lat[e], self.edges.azimuth_deg[e], t)
        )
        az = np.asarray(back_az) + 180.0 + self.side_deg[curve]
        at_start, at_end = t == 0.0, t == self.edges.end_m[e]
        g_lon = np.where(at_start, self.edges.lon[e], np.where(at_end, self.end_lon[e], g_lon))
        g_lat = np.where(at_start, self.edges.lat[e], np.where(at_end, self.end_lat[e], g_lat))
        az = np.where(at_start, self.start_az[curve], np.where(at_end, self.end_az[curve], az))
        lon, lat, _ = GEOD.fwd(g_lon, g_lat, az, np.full(len(t), self.distance_m))
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
    az_a, back_az, length_m = (np.asarray(x) for x in GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
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
    rays = Rays(ray_lon, ray_lat, ray_az, np.zeros(4 * n), np.full(4 * n, radius_m))
    # These rays end up inside the result, so only their rough course needs checking.
    ray_v = densify(
        rays,
        np.repeat(np.arange(4 * n), 2),
        np.tile([0.0, radius_m], 4 * n),
        tol_m,
        check=ROUGH_CHECK,
    )
    edge_rays = Rays(e.a[:, 0], e.a[:, 1], e.az_a, np.zeros(n), e.length_m)
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
    off_v = densify(offsets, curve, np.ravel(np.repeat(e.length_m, 2)[:, None] * [0.0, 1.0]), tol_m)
    # An edge that borrows its neighbour's end rays is off by radius * turn: keep that under
    # a tenth of the error bound.
    sectors, ray_of = _sectors(runs, e, ray_az, max_turn_deg=np.degrees(0.1 * tol_m / radius_m))
    arc_v = densify(
        Circles(sectors.lon, sectors.lat, np.full(len(sectors.lon), radius_m)),
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


def _curve_bounds(v: Vertices, count: int, base: int) -> tuple[np.ndarray, np.ndarray]:
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
    ray_v: Vertices, off_v: Vertices, arc_v: Vertices, ray_of: np.ndarray, sectors: _Sectors
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
    x = unwrap_each(lon, owner, first)
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
        out.append(region_from_boundary(lon[part], lat[part], may_hold_both_poles=False))
    # A sliver sector whose two edges lean on each other by less than their chord error can
    # cross itself; repairing it only moves boundary inside that error.
    pieces = np.array(out, dtype=object)
    broken = ~shapely.is_valid(pieces)
    pieces[broken] = shapely.make_valid(pieces[broken])
    # A sliver can collapse to lines, which would hang off the union as spikes.
    return [p for p in shapely.get_parts(pieces) if shapely.get_dimensions(p) == 2]
