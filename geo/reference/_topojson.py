"""Decode TopoJSON topologies (quantized, delta-encoded arcs) into shapely geometries.

A topology stores each boundary line once, as an *arc*; polygons and lines list the arcs they
are made of (index ``i`` = arc ``i`` forward, ``~i`` = arc ``i`` reversed). With a
``transform`` the arcs are integer grids, delta-encoded: the first position is absolute, each
next one is the step from the previous. See the TopoJSON specification, sections 2.1.2–2.2.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, overload

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["Arcs", "decode_arcs", "decode_geometry", "ring_coords"]


class Arcs(Sequence[np.ndarray]):
    """A topology's arcs as views into one ``(n, 2)`` array of positions, ``xy``: arc ``i`` is
    ``xy[ends[i]:ends[i + 1]]`` (thousands of arcs are one array, not thousands).

    >>> arcs = Arcs(np.arange(10.0).reshape(5, 2), [2, 3])
    >>> len(arcs), arcs[1].tolist(), arcs[-1].shape
    (2, [[4.0, 5.0], [6.0, 7.0], [8.0, 9.0]], (3, 2))
    """

    def __init__(self, xy: np.ndarray, lengths: Sequence[int] | np.ndarray) -> None:
        self.xy = xy
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self._ends: list[int] = [0, *np.cumsum(self.lengths).tolist()]

    def __len__(self) -> int:
        return len(self._ends) - 1

    @overload
    def __getitem__(self, index: int) -> np.ndarray: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[np.ndarray]: ...

    def __getitem__(self, index: int | slice) -> np.ndarray | Sequence[np.ndarray]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        i = range(len(self))[index]  # negative indexes count from the end; IndexError beyond
        return self.xy[self._ends[i] : self._ends[i + 1]]


def decode_arcs(topology: Mapping[str, Any]) -> Arcs:
    """Return every arc of ``topology`` as an ``(n, 2)`` float array of lon/lat degrees.

    >>> topo = {"transform": {"scale": [0.5, 0.25], "translate": [-10, 40]},
    ...         "arcs": [[[2, 4], [1, 0], [0, -4]]]}
    >>> decode_arcs(topo)[0].tolist()
    [[-9.0, 41.0], [-8.5, 41.0], [-8.5, 40.0]]
    """
    raw = topology["arcs"]
    if not raw:
        return Arcs(np.empty((0, 2)), [])
    lengths = np.fromiter((len(arc) for arc in raw), dtype=np.int64, count=len(raw))
    # One flat array and one cumulative sum per arc are much faster than numpy per arc.
    positions = list(itertools.chain.from_iterable(raw))
    if all(len(pos) == 2 for pos in positions):  # the usual case: read without slicing
        numbers = itertools.chain.from_iterable(positions)
        flat = np.fromiter(numbers, dtype=np.float64, count=2 * len(positions)).reshape(-1, 2)
    else:  # positions may carry more than x and y: keep those two
        flat = np.array([pos[:2] for pos in positions], dtype=np.float64).reshape(-1, 2)
    transform = topology.get("transform")
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    if transform:
        steps = flat.astype(np.int64)
        # Restart the running sum at each arc: subtract the sum reached before the arc.
        totals = np.cumsum(steps, axis=0)
        before = np.where(starts[:, None] > 0, totals[np.maximum(starts - 1, 0)], 0)
        grid = totals - np.repeat(before, lengths, axis=0)
        flat = grid * np.asarray(transform["scale"], dtype=np.float64) + np.asarray(
            transform["translate"], dtype=np.float64
        )
    return Arcs(flat, lengths)


def ring_coords(arcs: Sequence[np.ndarray], refs: Sequence[int]) -> np.ndarray:
    """Join the arcs ``refs`` (``~i`` = arc ``i`` reversed) into one lon/lat coordinate array.

    Consecutive arcs share their joining position, so it is kept only once.
    """
    parts = []
    for k, ref in enumerate(refs):
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _polygons(
    arcs: Sequence[np.ndarray], polygons: Sequence[Sequence[Sequence[int]]]
) -> np.ndarray:
    """The polygons (each a list of rings, each a list of arc refs) as an array of shapely
    polygons, made by GEOS in one call (a shapely object per ring took most of the time)."""
    rings = [ring_coords(arcs, ring) for polygon in polygons for ring in polygon]
    ring_ends = np.cumsum([0, *(len(ring) for ring in rings)])
    polygon_ends = np.cumsum([0, *(len(polygon) for polygon in polygons)])
    coords = np.concatenate(rings) if rings else np.empty((0, 2))
    return shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, coords, (ring_ends, polygon_ends)
    )


def decode_geometry(arcs: Sequence[np.ndarray], obj: Mapping[str, Any]) -> BaseGeometry:
    """Build the shapely geometry of one TopoJSON geometry object.

    Polygons, lines and their multi- forms are supported; a ``null`` type gives an empty
    geometry collection.

    >>> arcs = [np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])]
    >>> decode_geometry(arcs, {"type": "Polygon", "arcs": [[0]]}).area
    0.5
    >>> decode_geometry(arcs, {"type": "LineString", "arcs": [~0]}).coords[0]
    (0.0, 0.0)
    """
    kind = obj.get("type")
    refs = obj.get("arcs", [])
    if kind == "Polygon":
        polygon: BaseGeometry = _polygons(arcs, [refs])[0]
        return polygon
    if kind == "MultiPolygon":
        return shapely.MultiPolygon(list(_polygons(arcs, refs)))
    if kind == "LineString":
        return shapely.LineString(ring_coords(arcs, refs))
    if kind == "MultiLineString":
        return shapely.MultiLineString([ring_coords(arcs, line) for line in refs])
    if kind is None:
        return shapely.GeometryCollection()
    raise ValueError(
        f"{kind!r} is not a supported TopoJSON geometry type, must be one of "
        "'Polygon', 'MultiPolygon', 'LineString', 'MultiLineString' or null"
    )
