"""Read polygons whose rings jump across the ±180° meridian as the regions they mean.

Spherical data (such as the TopoJSON in ``world-atlas``) draws Russia's Chukotka, Fiji or
Antarctica as rings that jump from +180 to -180. On a flat lon/lat plane such a ring crosses
the whole map, so areas, overlays and drawings come out wrong until it is read again: its
longitudes made continuous, then cut at ±180° by the map's one splitter
(`geo.geodesy.split_antimeridian`).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..geodesy import split_antimeridian
from ..geodesy._angles import unwrap_deg

__all__ = ["crosses_antimeridian", "split_polygonal"]


def _ring_crosses(coords: np.ndarray) -> bool:
    return bool(len(coords) > 1 and np.abs(np.diff(coords[:, 0])).max() > 180.0)


def crosses_antimeridian(geom: BaseGeometry) -> bool:
    """Tell whether any ring of a (multi)polygon jumps across ±180° longitude.

    >>> crosses_antimeridian(shapely.box(170, 0, 179, 1))
    False
    >>> crosses_antimeridian(shapely.Polygon([(170, 0), (-170, 0), (-170, 1), (170, 1)]))
    True
    """
    rings = shapely.get_rings(shapely.get_parts(geom))
    return any(_ring_crosses(np.asarray(ring.coords)[:, :2]) for ring in rings)


def _ring_region(coords: np.ndarray) -> BaseGeometry:
    """Return the area a ring encloses, in -180..180 pieces (closed over the pole it circles)."""
    lons = unwrap_deg(coords[:, 0])
    lats = coords[:, 1]
    turns = round((lons[-1] - lons[0]) / 360.0)
    points = np.column_stack((lons, lats))
    if turns != 0:
        # The ring circles the globe: close it along the pole on the side it stays on.
        pole = -90.0 if lats.mean() < 0 else 90.0
        closing = np.array([[lons[-1], pole], [lons[0], pole]])
        points = np.vstack((points, closing))
    return split_antimeridian(shapely.make_valid(shapely.Polygon(points)))


def _split_polygon(polygon: shapely.Polygon) -> BaseGeometry:
    rings = [np.asarray(polygon.exterior.coords)[:, :2]]
    rings += [np.asarray(hole.coords)[:, :2] for hole in polygon.interiors]
    if not any(_ring_crosses(ring) for ring in rings):
        return polygon
    # Even-odd rule: usually a hole lies inside its shell, but spherical data may also give a
    # shell circling the pole with the coast as its "hole" (world-atlas draws Antarctica so).
    region = _ring_region(rings[0])
    for ring in rings[1:]:
        region = shapely.symmetric_difference(region, _ring_region(ring))
    return region


def split_polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Return a (multi)polygon whose parts all lie within -180..180 longitude.

    Rings that jump across the antimeridian are unwrapped, cut at ±180° and the pieces beyond
    are shifted back by 360°. A ring that circles a pole (Antarctica) is closed over that pole.
    Geometries that do not cross are returned unchanged.

    >>> ring = [(170, 60), (-170, 60), (-170, 70), (170, 70)]
    >>> parts = split_polygonal(shapely.Polygon(ring))
    >>> sorted(round(p.area) for p in parts.geoms), parts.bounds
    ([100, 100], (-180.0, 60.0, 180.0, 70.0))
    >>> polar = shapely.Polygon([(-180, -80), (-60, -75), (60, -75), (180, -80), (-180, -80)])
    >>> split_polygonal(polar).bounds
    (-180.0, -90.0, 180.0, -75.0)
    """
    if geom.is_empty or not crosses_antimeridian(geom):
        return geom
    parts = [_split_polygon(p) for p in getattr(geom, "geoms", [geom])]
    return shapely.union_all(parts)
