"""Build a region's geometry from its shape: polygons, named countries and seas, set algebra,
geodesic buffers and land/sea clipping.

A built region is put on a grid of 1e-8 degree (about 1 mm): a cut vertex (Russia cut at 60° E,
say) lies a hair off the edge of the shape it meets, and the union leaves a crack of no width
there, a spike of the outline into the shape. On the grid the spike folds back on itself, so
such a region is snap-rounded, which closes the cracks; one without them is rounded vertex by
vertex (`geo.grid.on_grid_polygons`, the same shape several times faster). The set algebra
inside stays exact (and fast). Built shapes are cached by their
description, so a shape used twice (the same seas in several layers) is built once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from . import geodesy
from .errors import ReferenceLookupError
from .grid import on_grid_polygons
from .schema import SHAPE_OPERANDS, Point, Shape
from .yamlio import PathKey

#: The grid regions are snap-rounded to: far below the data's precision (Natural Earth 1:50m
#: is quantised to 0.0036°) and the outputs' grids (1e-5° on the page, 1e-6° in GIS files),
#: far above the rounding noise that leaves the cracks (~1e-13°).
SNAP_GRID_DEG = 1e-8
_CACHE_SIZE = 256


class ShapeError(ValueError):
    """A shape that cannot be built; `path` says where, relative to the shape."""

    def __init__(self, path: PathKey, problem: str, allowed: str):
        super().__init__(f"{problem}; {allowed}")
        self.path, self.problem, self.allowed = path, problem, allowed


def build_shape(shape: Shape, path: PathKey = ()) -> BaseGeometry:
    """Return the lon/lat geometry a shape describes (valid, within ±180°, on a 1e-8° grid).

    Polygon edges are straight in lon/lat, as on the map; use ranges for geodesic circles.
    The result is shared by every equal shape (shapely geometries are immutable).
    """
    try:
        return _snapped(_Key(shape.model_dump_json(), shape))
    except ShapeError as exc:
        raise ShapeError((*path, *exc.path), exc.problem, exc.allowed) from None


def _exact(shape: Shape, path: PathKey) -> BaseGeometry:
    """Build a part of a shape with exact set algebra (snapping parts would misalign them)."""
    try:
        return _build(_Key(shape.model_dump_json(), shape))
    except ShapeError as exc:
        raise ShapeError((*path, *exc.path), exc.problem, exc.allowed) from None


@dataclass(frozen=True)
class _Key:
    """A shape as a cache key: its JSON text; the model itself rides along uncompared."""

    text: str
    shape: Shape = field(compare=False, hash=False)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _snapped(key: _Key) -> BaseGeometry:
    built = _build(key)
    if built.geom_type in ("Polygon", "MultiPolygon"):
        snapped: BaseGeometry = on_grid_polygons(np.array([built]), SNAP_GRID_DEG)[0]
        return snapped
    return shapely.set_precision(built, SNAP_GRID_DEG)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _build(key: _Key) -> BaseGeometry:
    shape = key.shape
    operand = next(k for k in SHAPE_OPERANDS if getattr(shape, k) is not None)
    geometry = _BUILDERS[operand](getattr(shape, operand), (operand,))
    if shape.buffer_km is not None:
        geometry = geodesy.buffer(geometry, shape.buffer_km)
    if shape.clip is not None:
        geometry = _clip(geometry, shape.clip)
    return shapely.make_valid(geometry) if not geometry.is_valid else geometry


def describe_shape(shape: Shape) -> str:
    """Say in words how a shape is made, for the popup's 'derived from' line.

    >>> describe_shape(Shape(seas=["Black Sea"], clip="sea"))
    'seas: Black Sea, water only'
    """
    operand = next(k for k in SHAPE_OPERANDS if getattr(shape, k) is not None)
    value = getattr(shape, operand)
    if operand in ("countries", "seas"):
        text = f"{operand}: " + ", ".join(value)
    elif operand == "polygon":
        text = f"a drawn polygon of {len(value)} points"
    else:
        text = f"{operand} of (" + "; ".join(describe_shape(s) for s in value) + ")"
    if shape.buffer_km is not None:
        text += f", widened by {shape.buffer_km:g} km (geodesic)"
    if shape.clip is not None:
        text += ", water only" if shape.clip == "sea" else ", land only"
    return text


#: Polygon edges are straight in lon/lat; vertices this close keep geodesic operations
#: (buffer_km) faithful to the drawn edge.
POLYGON_STEP_DEG = 0.25


def _polygon(points: list[Point], path: PathKey) -> BaseGeometry:
    """Build a drawn polygon; each edge takes the short way round, so corners at 170° E and
    170° W make a 20°-wide polygon across the antimeridian, split there.

    >>> p = [Point(lat=60, lon=170), Point(lat=66, lon=170), Point(lat=66, lon=-170),
    ...      Point(lat=60, lon=-170)]
    >>> shape = _polygon(p, ())
    >>> shape.geom_type, [round(v) for v in shape.bounds]
    ('MultiPolygon', [-180, 60, 180, 66])
    >>> round(sum(part.area for part in shape.geoms))
    120
    """
    lons = np.unwrap(np.radians([p.lon for p in points]))
    polygon = Polygon(np.column_stack([np.degrees(lons), [p.lat for p in points]]))
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise ShapeError(
            path,
            f"the polygon is not valid ({reason})",
            "list the corners in order around the area, with no crossing edges",
        )
    if polygon.area == 0:
        raise ShapeError(path, "the polygon has no area", "give at least three distinct corners")
    polygon = shapely.segmentize(shapely.normalize(polygon), POLYGON_STEP_DEG)
    return geodesy.split_antimeridian(polygon)


def _combine(op: Callable[[list[BaseGeometry]], BaseGeometry]):
    def build(shapes: list[Shape], path: PathKey) -> BaseGeometry:
        parts = [_exact(s, (*path, i)) for i, s in enumerate(shapes)]
        return op(parts)

    return build


def _difference(parts: list[BaseGeometry]) -> BaseGeometry:
    return parts[0].difference(shapely.union_all(parts[1:]))


def _intersection(parts: list[BaseGeometry]) -> BaseGeometry:
    return functools.reduce(lambda a, b: a.intersection(b), parts)


def _named(lookup_name: str) -> Callable[[list[str], PathKey], BaseGeometry]:
    def build(names: list[str], path: PathKey) -> BaseGeometry:
        for i, name in enumerate(names):
            try:
                _lookup(lookup_name, name)
            except ReferenceLookupError as exc:
                problem, _, allowed = str(exc).partition("; ")
                raise ShapeError((*path, i), problem, allowed) from None
        return _named_union(lookup_name, tuple(names))

    return build


def _lookup(lookup_name: str, name: str) -> BaseGeometry:
    from . import reference  # the gazetteer loads its data on first use

    geometry: BaseGeometry = getattr(reference, lookup_name)(name)
    return geometry


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _named_union(lookup_name: str, names: tuple[str, ...]) -> BaseGeometry:
    """Union named countries or seas; their borders share vertices, so no grid is needed.

    Countries, and seas that are not parts of one another, meet only along shared borders:
    their union is a coverage union (GEOS drops the shared edges, 5-10 times faster than a
    general union). A sea listed with a part of it (the Baltic and the Gulf of Riga) needs
    the general one.
    """
    from . import reference

    shapes = list({id(g): g for g in (_lookup(lookup_name, name) for name in names)}.values())
    if lookup_name == "sea" and reference.seas_overlap(names):
        return shapely.union_all(shapes)
    return shapely.coverage_union_all(shapes)


def _clip(geometry: BaseGeometry, keep: str) -> BaseGeometry:
    from . import reference

    land = reference.land()
    return geometry.difference(land) if keep == "sea" else geometry.intersection(land)


_BUILDERS: dict[str, Callable[..., BaseGeometry]] = {
    "polygon": _polygon,
    "union": _combine(shapely.union_all),
    "intersection": _combine(_intersection),
    "difference": _combine(_difference),
    "countries": _named("country"),
    "seas": _named("sea"),
}
