"""Shapes on a grid of degrees: coordinates rounded so that polygons stay valid.

Every output writes coordinates to a fixed number of decimals, and a region is built on a
grid far finer than its data; rounding each number on its own could fold a polygon over
itself. `rounded` and `rounded_array` round shapes for the outputs, `on_grid_polygons` puts
polygons on any grid, and `oriented` gives rings the orientation RFC 7946 asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def rounded(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    """Snap coordinates to a grid of ``10 ** -decimals`` degrees; polygons stay valid.

    Rounding each number on its own can fold a polygon over itself where two edges pass
    closer than the grid. A polygon is therefore rounded vertex by vertex (repeated vertices
    dropped) only where that leaves it valid, as it does for almost every shape, and
    otherwise snap-rounded as a whole (``shapely.set_precision``, several times slower):
    edges that meet are noded on the grid, a part or hole thinner than a grid cell has no area
    at that precision and goes. Either way nothing moves further than half a cell's diagonal,
    and rings come back oriented as RFC 7946 asks. Points and lines keep every vertex, each
    on the grid. -0.0 becomes 0.0, so bytes stay stable.

    >>> rounded(shapely.Point(-0.0000001, 1.23456789), 6).coords[0]
    (0.0, 1.234568)

    A notch that dips to 0.004° above the bottom edge touches it on a 0.01° grid: rounding
    each number leaves a ring that touches itself, snapping leaves two valid triangles.

    >>> notch = shapely.Polygon([(0, 0), (4, 0), (4, 1), (2, 0.004), (0, 1)])
    >>> shapely.transform(notch, lambda xy: np.round(xy, 2)).is_valid
    False
    >>> rounded(notch, 2)
    <MULTIPOLYGON (((0 0, 2 0, 0 1, 0 0)), ((4 1, 2 0, 4 0, 4 1)))>

    A part thinner than a grid cell goes; the others stay whole:

    >>> sliver = shapely.box(0, 0, 1, 0.001)
    >>> rounded(shapely.MultiPolygon([sliver, shapely.box(2, 0, 3, 1)]), 2)
    <MULTIPOLYGON (((2 0, 3 0, 3 1, 2 1, 2 0)))>
    >>> rounded(shapely.LineString([(17.1, 54.5), (17.1, 54.5)]), 6)  # a link to itself stays
    <LINESTRING (17.1 54.5, 17.1 54.5)>

    A shape with no part left is drawn as what it is at that precision (`collapsed`):

    >>> rounded(sliver, 2)
    <LINESTRING (1 0, 0 0, 1 0)>
    """
    if geom.geom_type == "GeometryCollection":
        return shapely.GeometryCollection([rounded(part, decimals) for part in geom.geoms])
    if geom.is_empty:
        return geom
    snapped: BaseGeometry = rounded_array([geom], decimals)[0]
    return snapped


def collapsed(geom: BaseGeometry, grid: float) -> BaseGeometry:
    """A polygon thinner than a grid cell everywhere, as the valid shape it is on the grid:
    its outline as lines, or a point where even that has no length (a feature is never left
    without a shape to draw).

    >>> collapsed(shapely.box(0, 0, 1e-7, 1e-7), 1e-5)
    <POINT (0 0)>
    """
    lines = shapely.set_precision(shapely.boundary(geom), grid, mode="pointwise")
    lines = shapely.remove_repeated_points(lines)
    if not lines.is_empty and lines.length > 0 and lines.is_valid:
        return lines
    return shapely.set_precision(geom.representative_point(), grid, mode="pointwise")


def rounded_array(
    geoms: Sequence[BaseGeometry | None],
    decimals: int,
    *,
    simplify_deg: float = 0.0,
    keep_small: bool = True,
) -> np.ndarray:
    """`rounded` for many geometries at once (one GEOS call per step, not one per shape).

    With `simplify_deg`, lines and polygons are first simplified with that tolerance
    (``shapely.simplify``, topology preserved), then snapped: a shape moves by at most the
    tolerance plus half a grid cell's diagonal, and polygons stay valid. Missing and empty
    geometries come back as None; so do polygons with nothing left on the grid when
    `keep_small` is False (a base map's islets), else they are `collapsed`.

    >>> shapes = [shapely.Point(1.000001, 2), None, shapely.box(0, 0, 1, 0.001)]
    >>> [g if g is None else g.wkt for g in rounded_array(shapes, 2, keep_small=False)]
    ['POINT (1 2)', None, None]
    >>> rounded_array(shapes, 2)[2].geom_type
    'LineString'
    >>> line = shapely.LineString([(0, 0), (1, 0.000004), (2, 0)])
    >>> rounded_array([line], 5, simplify_deg=1e-5)[0].wkt
    'LINESTRING (0 0, 2 0)'
    """
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    out = np.full(len(arr), None, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    types = shapely.get_type_id(arr)
    polygons = present & np.isin(types, (3, 6))  # Polygon, MultiPolygon
    collections = present & (types == 7)  # GeometryCollection: part by part
    others = present & ~polygons & ~collections
    if simplify_deg:
        lines = present & np.isin(types, (1, 2, 5, 3, 6))
        arr[lines] = shapely.simplify(arr[lines], simplify_deg, preserve_topology=True)
    grid = 10.0**-decimals
    shapes = arr[polygons]
    snapped = on_grid_polygons(shapes, grid)
    if keep_small:
        gone = np.flatnonzero(shapely.is_empty(snapped))
        snapped[gone] = [collapsed(g, grid) for g in shapes[gone]]
    out[polygons] = snapped
    out[others] = shapely.set_precision(arr[others], grid, mode="pointwise")
    out[collections] = [rounded(g, decimals) for g in arr[collections]]
    out[present] = shapely.transform(out[present], lambda xy: xy + 0.0)  # no -0.0
    out[present & shapely.is_empty(out)] = None
    return out


def on_grid_polygons(shapes: np.ndarray, grid: float) -> np.ndarray:
    """Valid (multi)polygons on the grid, oriented for RFC 7946, as `rounded` makes them: each
    vertex rounded where that leaves the shape valid, else the shape snap-rounded whole (an
    invalid one repaired first: GEOS snap-rounds valid polygons).

    >>> notch = shapely.Polygon([(0, 0), (4, 0), (4, 1), (2, 0.004), (0, 1)])
    >>> box, notch = on_grid_polygons(np.array([shapely.box(0, 0, 1.004, 1), notch]), 0.01)
    >>> box.wkt  # rounded vertex by vertex
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> notch.wkt  # rounded that way it would touch itself: snap-rounded
    'MULTIPOLYGON (((0 0, 2 0, 0 1, 0 0)), ((4 1, 2 0, 4 0, 4 1)))'
    """
    pointwise = shapely.set_precision(shapes, grid, mode="pointwise")
    folded = ~shapely.is_valid(pointwise) | (
        shapely.is_empty(pointwise) & ~shapely.is_empty(shapes)
    )
    # (a valid ring keeps three distinct points: dropping repeats cannot break it)
    pointwise[~folded] = shapely.remove_repeated_points(pointwise[~folded])
    if folded.any():
        whole = shapes[folded]
        broken = ~shapely.is_valid(whole)
        if broken.any():
            whole[broken] = shapely.make_valid(
                whole[broken], method="structure", keep_collapsed=False
            )
        pointwise[folded] = shapely.set_precision(whole, grid)
    return _oriented_array(pointwise)


def _oriented_array(geoms: np.ndarray) -> np.ndarray:
    orient_polygons = getattr(shapely, "orient_polygons", None)  # shapely >= 2.1
    if orient_polygons is not None:
        return np.asarray(orient_polygons(geoms), dtype=object)
    return np.asarray([oriented(g) for g in geoms], dtype=object)


def oriented(geom: BaseGeometry) -> BaseGeometry:
    """Orient polygon rings as RFC 7946 asks: exteriors counter-clockwise, holes clockwise."""
    orient_polygons = getattr(shapely, "orient_polygons", None)  # shapely >= 2.1
    if orient_polygons is not None:
        return orient_polygons(geom)
    return _ORIENT_FALLBACK.get(geom.geom_type, lambda g: g)(geom)


_ORIENT_FALLBACK: dict[str, Callable[[Any], BaseGeometry]] = {
    "Polygon": lambda g: shapely.geometry.polygon.orient(g, 1.0),
    "MultiPolygon": lambda g: shapely.MultiPolygon([oriented(p) for p in g.geoms]),
    "GeometryCollection": lambda g: shapely.GeometryCollection([oriented(p) for p in g.geoms]),
}
