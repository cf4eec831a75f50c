"""Encode shapely polygons and lines as one TopoJSON topology with shared, quantized arcs.

Used by ``scripts/build_reference.py`` only. Every position is snapped to an integer grid first;
a boundary that two shapes share (a land border, a coast that is also a sea shore) then has
identical grid points in both and is stored once. Arcs break at *junctions*: points where the
set of shapes passing through changes. Our own implementation of the idea behind
topojson-server; the output follows the TopoJSON 1.0 specification.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["Grid", "TopologyBuilder"]

Point = tuple[int, int]


@dataclass(frozen=True)
class Grid:
    """An integer grid: ``lon = translate[0] + x * scale[0]``, likewise for ``lat``."""

    scale: tuple[float, float]
    translate: tuple[float, float]

    def snap(self, coords: np.ndarray) -> list[Point]:
        """Return the grid points of lon/lat ``coords``, without consecutive repeats."""
        grid = np.rint((coords[:, :2] - self.translate) / self.scale).astype(np.int64)
        keep = np.ones(len(grid), dtype=bool)
        keep[1:] = np.any(grid[1:] != grid[:-1], axis=1)
        return [(int(x), int(y)) for x, y in grid[keep]]

    def as_transform(self) -> dict[str, list[float]]:
        return {"scale": list(self.scale), "translate": list(self.translate)}


def _canonical_ring(ring: list[Point]) -> list[Point]:
    """Rotate an unbroken closed ring so that it starts at its smallest point (for sharing)."""
    body = ring[:-1]
    start = body.index(min(body))
    body = body[start:] + body[:start]
    return [*body, body[0]]


@dataclass
class TopologyBuilder:
    """Collect named objects of shapely geometries and write them as one topology."""

    grid: Grid
    _objects: dict[str, list[tuple[Any, dict[str, Any], str | None]]] = field(default_factory=dict)
    _arcs: list[list[Point]] = field(default_factory=list)
    _arc_index: dict[tuple[Point, ...], int] = field(default_factory=dict)

    def add(
        self, name: str, geom: BaseGeometry, properties: Mapping[str, Any], id: str | None
    ) -> None:
        """Add one geometry with its properties to the object collection ``name``."""
        self._objects.setdefault(name, []).append((self._snap(geom), dict(properties), id))

    def _snap(self, geom: BaseGeometry) -> tuple[str, list[list[list[Point]]]]:
        """Return ('polygon', [[shell, *holes], ...]) or ('line', [[line], ...]) in grid points."""
        parts = shapely.get_parts(geom)
        if all(p.geom_type == "Polygon" for p in parts):
            polys = []
            for poly in parts:
                shell, *holes = (
                    self.grid.snap(np.asarray(r.coords)) for r in shapely.get_rings(poly)
                )
                # A ring that snaps to fewer than three distinct points is below grid size.
                if len(shell) >= 4:
                    polys.append([shell, *(hole for hole in holes if len(hole) >= 4)])
            return "polygon", polys
        lines = [[self.grid.snap(np.asarray(p.coords))] for p in parts]
        return "line", [line for line in lines if len(line[0]) >= 2]

    def _all_paths(self) -> Iterable[tuple[list[Point], bool]]:
        for members in self._objects.values():
            for (kind, parts), _, _ in members:
                for part in parts:
                    for path in part:
                        yield path, kind == "polygon"

    def _junctions(self) -> set[Point]:
        """Find the points where arcs must break: line ends and changes of neighbours."""
        neighbours: dict[Point, frozenset[Point]] = {}
        junctions: set[Point] = set()
        for path, closed in self._all_paths():
            n = len(path) - 1 if closed else len(path)
            for i in range(n):
                if closed:
                    before, after = path[i - 1 if i else n - 1], path[i + 1]
                elif i in (0, n - 1):
                    junctions.add(path[i])
                    continue
                else:
                    before, after = path[i - 1], path[i + 1]
                pair = frozenset((before, after))
                seen = neighbours.setdefault(path[i], pair)
                if seen != pair:
                    junctions.add(path[i])
        return junctions

    def _arc_ref(self, points: list[Point]) -> int:
        key = tuple(points)
        if key in self._arc_index:
            return self._arc_index[key]
        back = tuple(reversed(points))
        if back in self._arc_index:
            return ~self._arc_index[back]
        self._arc_index[key] = len(self._arcs)
        self._arcs.append(points)
        return len(self._arcs) - 1

    def _cut(self, path: list[Point], closed: bool, junctions: set[Point]) -> list[int]:
        """Split one ring or line at its junctions and return the arc references."""
        if closed:
            cuts = [i for i, p in enumerate(path[:-1]) if p in junctions]
            if not cuts:
                # An unbroken ring (an island): rotate it to a fixed start so that the same
                # ring in two objects (a country and the land) becomes one arc.
                return [self._arc_ref(_canonical_ring(path))]
            path = path[cuts[0] : -1] + path[: cuts[0] + 1]
        refs, start = [], 0
        for i in range(1, len(path)):
            if path[i] in junctions or i == len(path) - 1:
                refs.append(self._arc_ref(path[start : i + 1]))
                start = i
        return refs

    def to_topojson(self, **members: Any) -> dict[str, Any]:
        """Return the topology as a JSON-ready dict (extra top-level ``members`` are kept)."""
        junctions = self._junctions()
        objects = {}
        for name, members_ in self._objects.items():
            geometries = [self._geometry(item, junctions) for item in members_]
            objects[name] = {"type": "GeometryCollection", "geometries": geometries}
        return {
            "type": "Topology",
            **members,
            "transform": self.grid.as_transform(),
            "objects": objects,
            "arcs": [_delta_encode(arc) for arc in self._arcs],
        }

    def _geometry(self, item: tuple[Any, dict[str, Any], str | None], junctions: set[Point]):
        (kind, parts), properties, id_ = item
        out: dict[str, Any]
        if not parts:
            out = {"type": None}
        elif kind == "polygon":
            arcs = [[self._cut(ring, True, junctions) for ring in poly] for poly in parts]
            out = (
                {"type": "Polygon", "arcs": arcs[0]}
                if len(arcs) == 1
                else {"type": "MultiPolygon", "arcs": arcs}
            )
        else:
            lines = [self._cut(part[0], False, junctions) for part in parts]
            out = (
                {"type": "LineString", "arcs": lines[0]}
                if len(lines) == 1
                else {"type": "MultiLineString", "arcs": lines}
            )
        if id_ is not None:
            out["id"] = id_
        out["properties"] = properties
        return out


def _delta_encode(points: Sequence[Point]) -> list[list[int]]:
    """Return the first point, then each step from the previous point (TopoJSON §2.1.2)."""
    out = [[points[0][0], points[0][1]]]
    out += [[b[0] - a[0], b[1] - a[1]] for a, b in itertools.pairwise(points)]
    return out
