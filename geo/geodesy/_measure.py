"""Measure lon/lat shapes on the WGS84 ellipsoid: areas of the drawn shape, geodesic lengths."""

from __future__ import annotations

import functools

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from ._antimeridian import cuts_of, seam_edges
from ._ellipsoid import GEOD

_A_M = GEOD.a
_F = GEOD.f
_E2 = _F * (2.0 - _F)
_E = float(np.sqrt(_E2))
_B_M = _A_M * (1.0 - _F)


@functools.cache
def _gauss_legendre() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of 8-point Gauss-Legendre quadrature on [-1, 1] (numpy.polynomial
    loads on first use: most maps measure no area)."""
    nodes, weights = np.polynomial.legendre.leggauss(8)
    return nodes, weights


def _zone_area_m2_per_rad(lat_deg: np.ndarray) -> np.ndarray:
    """Area between the equator and lat_deg per radian of longitude, on the WGS84 ellipsoid."""
    s = np.sin(np.radians(lat_deg))
    return _B_M**2 / 2.0 * (s / (1.0 - _E2 * s * s) + np.arctanh(_E * s) / _E)


def ring_area_m2(xy: np.ndarray) -> float:
    """Area enclosed by a closed lon/lat ring with straight edges (Green's theorem), unsigned."""
    x, y = xy[:, 0], xy[:, 1]
    dlon = np.radians(np.diff(x))
    # Latitude varies linearly along each drawn edge: average the zone area over it.
    nodes, weights = _gauss_legendre()
    u = (nodes + 1.0) / 2.0
    lat = y[:-1, None] + u[None, :] * np.diff(y)[:, None]
    mean = (_zone_area_m2_per_rad(lat) * weights[None, :]).sum(axis=1) / 2.0
    return abs(float(np.dot(dlon, mean)))


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Measure the area a lon/lat geometry covers on the WGS84 ellipsoid, in km².

    Edges are taken as drawn (straight in lon/lat), so cut edges along ±180° and at the poles
    count correctly; for densified shapes this equals GeographicLib's geodesic-polygon area.
    Orientation does not matter; lines and points have no area.

    >>> from shapely import box
    >>> round(geodesic_area_km2(box(-180, -90, 180, 90)))
    510065622
    >>> geodesic_area_km2(LineString([(0, 0), (1, 1)]))
    0.0
    """
    total_m2 = 0.0
    for polygon in shapely.get_parts(geometry):
        if isinstance(polygon, Polygon) and not polygon.is_empty:
            total_m2 += ring_area_m2(np.asarray(polygon.exterior.coords))
            total_m2 -= sum(ring_area_m2(np.asarray(h.coords)) for h in polygon.interiors)
    return total_m2 / 1e6


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Measure a geometry's length on the WGS84 ellipsoid in km, each edge as a geodesic.

    Polygons give their perimeter without cut edges (along ±180° or at a pole); points give 0.

    >>> round(geodesic_length_km(LineString([(51.389, 35.689), (21.01, 52.23)])))  # Tehran-Warsaw
    3016
    """
    total_m = 0.0
    cuts = cuts_of(geometry)
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
            dist_m = np.asarray(GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2])
            if isinstance(part, Polygon):
                dist_m = dist_m[~seam_edges(xy, cuts)]
            total_m += float(dist_m.sum())
    return total_m / 1e3
