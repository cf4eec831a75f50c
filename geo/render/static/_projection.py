"""Choose the map projection: the lon/lat bounds of the features and a LAEA centred on them."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import ExportError
from geo.geodesy import wrap_lon_deg

_EPS = 1e-9


@dataclass(frozen=True)
class LonLatBounds:
    """Bounds on the globe; `west` > `east` when they cross the antimeridian (±180°)."""

    west: float
    south: float
    east: float
    north: float
    lon_span: float  # degrees of longitude covered, 360 when a pole is inside
    centre_lon: float
    centre_lat: float


def lonlat_bounds(geometries: Iterable[BaseGeometry | None]) -> LonLatBounds:
    """Return the smallest lon/lat box around `geometries`, across ±180° when that is shorter.

    A shape split at ±180° is bounded as one piece, not as a box around the whole world:

    >>> b = lonlat_bounds([shapely.box(170, 60, 180, 70), shapely.box(-180, 60, -170, 70)])
    >>> (b.west, b.east, b.lon_span, b.centre_lon)
    (170.0, -170.0, 20.0, -180.0)

    A shape reaching a pole covers every longitude; its centre is the mean direction:

    >>> lonlat_bounds([shapely.box(0, 80, 90, 90)]).lon_span
    360.0
    >>> lonlat_bounds([shapely.Point(13.75, 49.64)]).lon_span
    0.0
    """
    coords = _coordinates(geometries)
    if not len(coords):
        raise ExportError("nothing to draw: the selected layers have no features with geometry")
    lat = coords[:, 1]
    south, north = float(lat.min()), float(lat.max())
    centre_lat = (south + north) / 2
    if north >= 90 - _EPS or south <= -90 + _EPS:
        return LonLatBounds(-180.0, south, 180.0, north, 360.0, _mean_lon(coords), centre_lat)
    lons = np.unique(wrap_lon_deg(coords[:, 0]))
    gaps = np.diff(np.append(lons, lons[0] + 360.0))
    widest = int(np.argmax(gaps))
    west, east = float(lons[(widest + 1) % len(lons)]), float(lons[widest])
    span = 360.0 - float(gaps[widest]) if len(lons) > 1 else 0.0
    centre_lon = float(wrap_lon_deg(np.array([west + span / 2]))[0])
    return LonLatBounds(west, south, east, north, span, centre_lon, centre_lat)


def _coordinates(geometries: Iterable[BaseGeometry | None]) -> np.ndarray:
    geoms = np.asarray([g for g in geometries if g is not None], dtype=object)
    return shapely.get_coordinates(geoms) if len(geoms) else np.empty((0, 2))


def _mean_lon(coords: np.ndarray) -> float:
    # Mean of unit vectors: points at a pole weigh nothing, ±180° is no discontinuity.
    lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    x, y = (np.cos(lat) * np.cos(lon)).sum(), (np.cos(lat) * np.sin(lon)).sum()
    return round(math.degrees(math.atan2(y, x)), 6) if abs(x) + abs(y) > _EPS else 0.0


@dataclass(frozen=True)
class MapProjection:
    """A Lambert azimuthal equal-area projection on WGS84 centred on (lat_0, lon_0), metres."""

    lat_0: float
    lon_0: float
    name: str = "Lambert azimuthal equal-area"

    @property
    def proj4(self) -> str:
        return (
            f"+proj=laea +lat_0={self.lat_0:.4f} +lon_0={self.lon_0:.4f} "
            "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
        )

    @functools.cached_property
    def _proj(self) -> pyproj.Proj:
        return pyproj.Proj(self.proj4)

    def forward(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Project lon/lat degrees to x/y metres; points that cannot be projected are inf."""
        x, y = self._proj(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def inverse(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return lon/lat degrees of projected x/y metres."""
        lon, lat = self._proj(np.asarray(x, float), np.asarray(y, float), inverse=True)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def forward_xy(self, coords: np.ndarray) -> np.ndarray:
        """Project an (n, 2) array of lon/lat degrees to an (n, 2) array of x/y metres."""
        x, y = self.forward(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def describe(self) -> str:
        ns, ew = ("N" if self.lat_0 >= 0 else "S"), ("E" if self.lon_0 >= 0 else "W")
        return f"{self.name}, centred {abs(self.lat_0):.1f}° {ns} {abs(self.lon_0):.1f}° {ew}"


def choose_projection(bounds: LonLatBounds) -> MapProjection:
    """Return the projection for a map of `bounds`: LAEA centred on the middle of the bounds.

    An azimuthal projection has no cut meridian (unlike a conic one), so shapes split at ±180°
    and rings over a pole stay whole; equal area keeps sectors comparable, and distances from
    the centre stay close to true. The only singular point is the antipode of the centre.

    >>> choose_projection(lonlat_bounds([shapely.box(10, 40, 50, 60)]))
    MapProjection(lat_0=50.0, lon_0=30.0, name='Lambert azimuthal equal-area')
    """
    return MapProjection(lat_0=round(bounds.centre_lat, 3), lon_0=round(bounds.centre_lon, 3))
