"""Render the atlas as a static PNG, SVG or PDF map with matplotlib alone.

The map is drawn in a Lambert azimuthal equal-area projection centred on the visible features,
over the offline vector base map of `geo.reference`, with the layers in atlas order, a legend, a
scale bar, a light graticule and a numbered source list. No browser, no network, no cartopy.
The same atlas gives byte-identical files (no dates, fixed fonts, fixed SVG ids).

>>> render_static(atlas, "output/map.png", width_px=1600)        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import matplotlib
import numpy as np
import pyproj
import shapely
import shapely.errors
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextToPath
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.atlas_types import Atlas, Layer, Source, Style
from geo.errors import ExportError
from geo.fileio import atomic_target

__all__ = [
    "FORMATS",
    "LAND_COLOR",
    "SEA_COLOR",
    "LonLatBounds",
    "MapProjection",
    "StaticLayout",
    "choose_projection",
    "lonlat_bounds",
    "plan_static",
    "render_static",
]

#: Output formats by file suffix.
FORMATS: Mapping[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

SEA_COLOR = "#dce7ef"
LAND_COLOR = "#f4f1e9"
COAST_COLOR = "#a9bccb"
BORDER_COLOR = "#a3a3a3"
GRATICULE_COLOR = "#ffffff"
TEXT_COLOR = "#1f2428"
MUTED_COLOR = "#5d676f"
SEA_LABEL_COLOR = "#5a7b93"
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine

#: Mark on labels and legend entries of features whose values are nominal or uncertain.
UNCERTAIN_MARK = "\u2020"

# Settings that make output reproducible and keep SVG text as text (searchable, editable).
_RC_PARAMS: dict[Any, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "svg.fonttype": "none",
    "svg.hashsalt": "defense-map",
    "svg.id": "defense-map",
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "path.simplify": True,
    "lines.scale_dashes": False,  # dash lengths are given in points, as the style says
    "axes.unicode_minus": False,
    "text.parse_math": False,  # a "$" in a name is a dollar, not mathtext
}
# Without these keys matplotlib would stamp its version and the current time into the file.
_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Creator": None, "Date": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}

_EPS = 1e-9
_SEGMENT_DEG = 1.0  # densify lon/lat edges so long straight edges bend with the projection
_CSS_PX_PT = 0.75  # Leaflet styles are in CSS pixels (1/96 in); matplotlib wants points
_BASE_WIDTH_IN = 1600 / 150  # font sizes below are tuned for a 1600 px image at 150 dpi

_FONT_PT: Mapping[str, float] = {
    "title": 15.0,
    "date": 9.5,
    "legend": 8.0,
    "legend_small": 6.8,
    "label": 6.8,
    "sea": 6.8,
    "source": 6.6,
    "scale": 6.2,
}

#: Marker shape and relative size of each site role.
_ROLE_MARKERS: Mapping[str, tuple[str, float]] = {
    "radar": ("o", 1.0),
    "interceptors": ("^", 1.15),
    "command": ("s", 0.9),
    "launch": ("*", 1.5),
    "naval": ("D", 0.8),
    "city": ("o", 0.6),
    "other": ("p", 0.9),
}


# ---------------------------------------------------------------------------------------------
# Projection
# ---------------------------------------------------------------------------------------------


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
    lons = np.unique(_wrap_lon(coords[:, 0]))
    gaps = np.diff(np.append(lons, lons[0] + 360.0))
    widest = int(np.argmax(gaps))
    west, east = float(lons[(widest + 1) % len(lons)]), float(lons[widest])
    span = 360.0 - float(gaps[widest]) if len(lons) > 1 else 0.0
    centre_lon = float(_wrap_lon(np.array([west + span / 2]))[0])
    return LonLatBounds(west, south, east, north, span, centre_lon, centre_lat)


def _coordinates(geometries: Iterable[BaseGeometry | None]) -> np.ndarray:
    geoms = np.asarray([g for g in geometries if g is not None], dtype=object)
    return shapely.get_coordinates(geoms) if len(geoms) else np.empty((0, 2))


def _wrap_lon(lon: np.ndarray) -> np.ndarray:
    return (lon + 180.0) % 360.0 - 180.0


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


# ---------------------------------------------------------------------------------------------
# Geometry: lon/lat shapes to clipped map shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Projects lon/lat geometries into the map and clips them to what can be seen."""

    projection: MapProjection
    view: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in metres
    cap_deg: float = 170.0  # parts farther than this from the centre are never visible

    @property
    def clip_box(self) -> tuple[float, float, float, float]:
        xmin, ymin, xmax, ymax = self.view
        pad = 0.03 * max(xmax - xmin, ymax - ymin)
        return (xmin - pad, ymin - pad, xmax + pad, ymax + pad)

    def areas(self, geoms: Iterable[BaseGeometry | None]) -> np.ndarray:
        """Return the polygonal parts of `geoms`, projected and clipped to the view."""
        parts = _unwrap_jumps(_parts(geoms, polygonal=True))
        return self._project_and_clip(parts, polygonal=True)

    def strokes(self, geoms: Iterable[BaseGeometry | None]) -> np.ndarray:
        """Return the outlines of areas (without split seams) and the lines of `geoms`."""
        polys = _unwrap_jumps(_parts(geoms, polygonal=True))
        lines = _unwrap_jumps(_parts(geoms, polygonal=False))
        outline = _open_seams(shapely.get_rings(polys)) if len(polys) else polys
        return self._project_and_clip(np.concatenate([outline, lines]), polygonal=False)

    def _project_and_clip(self, parts: np.ndarray, *, polygonal: bool) -> np.ndarray:
        if not len(parts):
            return parts
        parts = _drop_far_side(parts, self.projection, self.cap_deg)
        parts = _project(parts, self.projection)
        if polygonal and len(parts):
            invalid = ~shapely.is_valid(parts)
            parts[invalid] = shapely.make_valid(parts[invalid])
        clipped = shapely.clip_by_rect(parts, *self.clip_box)
        return clipped[~shapely.is_empty(clipped)]


def _parts(geoms: Iterable[BaseGeometry | None], *, polygonal: bool) -> np.ndarray:
    arr = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if not len(arr):
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(shapely.get_parts(arr))  # twice: collections of multi-parts
    type_id = shapely.get_type_id(parts)
    wanted = np.isin(type_id, (3,)) if polygonal else np.isin(type_id, (1, 2))
    return parts[wanted]


def _unwrap_jumps(parts: np.ndarray) -> np.ndarray:
    """Make parts that jump across ±180° without being split continuous (lon beyond ±180).

    Split seams along ±180° and edges along a pole are not jumps and stay as they are.

    >>> ring = shapely.Polygon([(170, 60), (-170, 60), (-170, 65), (170, 65)])
    >>> _unwrap_jumps(np.array([ring], dtype=object))[0].bounds
    (170.0, 60.0, 190.0, 65.0)
    """
    if not len(parts):
        return parts
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    on_meridian = np.abs(np.abs(lon) - 180.0) < 1e-7
    on_pole = np.abs(lat) > 90.0 - 1e-7
    jump = (np.abs(np.diff(lon)) > 180.0) & (idx[:-1] == idx[1:])
    jump &= ~(on_meridian[:-1] & on_meridian[1:]) & ~on_pole[:-1] & ~on_pole[1:]
    if not jump.any():
        return parts
    out = parts.copy()
    for i in np.unique(idx[:-1][jump]):
        # a ring round a pole cannot be unwrapped (it would not close): leave it as it came
        with contextlib.suppress(shapely.errors.GEOSException):
            out[i] = shapely.transform(parts[i], _unwrap_xy)
    return out


def _unwrap_xy(coords: np.ndarray) -> np.ndarray:
    # One unwrap over all rings of a part: the rings of one part lie close together.
    lon = np.degrees(np.unwrap(np.radians(coords[:, 0])))
    return np.column_stack([lon, coords[:, 1]])


def _open_seams(rings: np.ndarray) -> np.ndarray:
    """Return the rings as lines without the edges that only close a split or a polar shape.

    Natural Earth splits Russia at ±180° and a ring around a pole is closed along lat ±90°:
    stroking those edges would draw lines that are not on the ground.
    """
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 2:
        return np.empty(0, dtype=object)
    lon, lat = coords[:, 0], coords[:, 1]
    on_meridian = np.abs(np.abs(lon) - 180.0) < 1e-7
    on_pole = np.abs(lat) > 90.0 - 1e-7
    seam = (on_meridian[:-1] & on_meridian[1:]) | on_pole[:-1] | on_pole[1:]
    keep = (idx[:-1] == idx[1:]) & ~seam  # segment i joins points i and i + 1
    starts = np.flatnonzero(keep & ~np.r_[False, keep[:-1]])
    ends = np.flatnonzero(keep & ~np.r_[keep[1:], False]) + 1
    if not len(starts):
        return np.empty(0, dtype=object)
    lengths = ends - starts + 1
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    points = np.arange(lengths.sum()) + offsets
    line_ids = np.repeat(np.arange(len(starts)), lengths)
    return np.asarray(shapely.linestrings(coords[points], indices=line_ids), dtype=object)


def _angular_distance_deg(lon: np.ndarray, lat: np.ndarray, lon_0: float, lat_0: float) -> Any:
    lon, lat = np.radians(lon), np.radians(lat)
    lon_0, lat_0 = math.radians(lon_0), math.radians(lat_0)
    cos_d = np.sin(lat) * math.sin(lat_0) + np.cos(lat) * math.cos(lat_0) * np.cos(lon - lon_0)
    return np.degrees(np.arccos(np.clip(cos_d, -1.0, 1.0)))


def _drop_far_side(parts: np.ndarray, proj: MapProjection, cap_deg: float) -> np.ndarray:
    """Drop parts beyond `cap_deg` from the centre; cut a hole around the antipode.

    The projection sends the antipode to a whole circle, so a part reaching it would be drawn
    inside out. Parts that never come near the view are dropped to save work.
    """
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    dist = _angular_distance_deg(coords[:, 0], coords[:, 1], proj.lon_0, proj.lat_0)
    nearest = np.full(len(parts), np.inf)
    farthest = np.zeros(len(parts))
    np.minimum.at(nearest, idx, dist)
    np.maximum.at(farthest, idx, dist)
    keep = parts[nearest <= cap_deg].copy()
    alon, alat = _wrap_lon(np.array([proj.lon_0 + 180.0]))[0], -proj.lat_0
    risky = (farthest[nearest <= cap_deg] > 170.0) | shapely.contains_xy(keep, alon, alat)
    if risky.any():
        keep[risky] = shapely.difference(keep[risky], _antipode_hole(alon, alat))
    return keep[~shapely.is_empty(keep)]


def _antipode_hole(lon: float, lat: float, half_deg: float = 6.0) -> BaseGeometry:
    south, north = max(lat - half_deg, -90.0), min(lat + half_deg, 90.0)
    boxes = [
        shapely.box(lon - half_deg + k, south, lon + half_deg + k, north) for k in (-360, 0, 360)
    ]
    if abs(lat) + half_deg >= 90.0:  # a cap around a pole spans every longitude
        boxes.append(shapely.box(-180.0, south, 180.0, north))
    return shapely.union_all(boxes)


def _project(parts: np.ndarray, proj: MapProjection) -> np.ndarray:
    dense = shapely.segmentize(parts, _SEGMENT_DEG)
    projected = shapely.transform(dense, proj.forward_xy)
    coords, idx = shapely.get_coordinates(projected, return_index=True)
    bad = np.zeros(len(projected), dtype=bool)
    bad[idx[~np.isfinite(coords).all(axis=1)]] = True
    return np.asarray(projected[~bad], dtype=object)


def _area_path(polys: Iterable[BaseGeometry]) -> MplPath | None:
    """Return one compound path of polygons; holes wind the other way so they stay empty."""
    arr = _parts(polys, polygonal=True)
    if not len(arr):
        return None
    rings = shapely.get_rings(shapely.orient_polygons(arr))
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    first = np.r_[True, idx[1:] != idx[:-1]]
    codes[first] = MplPath.MOVETO
    codes[np.r_[first[1:], True]] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _line_path(lines: Iterable[BaseGeometry]) -> MplPath | None:
    arr = _parts(lines, polygonal=False)
    if not len(arr):
        return None
    coords, idx = shapely.get_coordinates(arr, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[np.r_[True, idx[1:] != idx[:-1]]] = MplPath.MOVETO
    return MplPath(coords, codes)


# ---------------------------------------------------------------------------------------------
# Text measurement and wrapping (no figure needed, so the layout is known before drawing)
# ---------------------------------------------------------------------------------------------

_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8192)
def _text_width_pt(
    text: str, size_pt: float, weight: str = "normal", style: str = "normal"
) -> float:
    prop = FontProperties(family=FONT_FAMILY, size=size_pt, weight=weight, style=cast(Any, style))
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width * 1.02  # the outline measure runs a little short of what Agg draws


@dataclass(frozen=True)
class _Font:
    size_pt: float
    weight: str = "normal"
    style: str = "normal"

    def width_px(self, text: str, dpi: float) -> float:
        return _text_width_pt(text, self.size_pt, self.weight, self.style) * dpi / 72.0

    def line_px(self, dpi: float) -> float:
        return self.size_pt * 1.28 * dpi / 72.0


def _wrap(text: str, font: _Font, width_px: float, dpi: float) -> list[str]:
    """Break `text` into lines no wider than `width_px`; split words that alone are too wide."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.width_px(candidate, dpi) <= width_px:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.width_px(word, dpi) > width_px and len(word) > 1:
            cut = _longest_fitting_prefix(word, font, width_px, dpi)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _longest_fitting_prefix(word: str, font: _Font, width_px: float, dpi: float) -> int:
    low, high = 1, len(word) - 1
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if font.width_px(word[:mid], dpi) <= width_px else (low, mid - 1)
    return low


def _ellipsize(
    lines: list[str], max_lines: int, font: _Font, width_px: float, dpi: float
) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and font.width_px(last + "…", dpi) > width_px:
        last = last[:-1].rstrip()
    return [*lines[: max_lines - 1], last + "…"]


# ---------------------------------------------------------------------------------------------
# Layout: where title, map, legend and sources go, in pixels of the output image
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One block of the legend or source list: lines of text and what stands before them."""

    kind: str  # legend: group | layer | note | role | footnote | credit; sources: source | more
    lines: tuple[str, ...]
    font: _Font
    height_px: float
    layer: Layer | None = None
    marker: str = ""  # the role of a role row, the number of a source row
    indent_px: float = 0.0  # text starts this far right of the column (after a legend symbol)


@dataclass(frozen=True)
class StaticLayout:
    """Everything decided before drawing: image size, projection, view and text blocks.

    Box coordinates are in image pixels with the origin at the bottom left, like matplotlib's.
    """

    width_px: int
    height_px: int
    dpi: float
    scale: float  # font scale: 1 for a 1600 px image at 150 dpi
    projection: MapProjection
    view: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in projected metres
    map_box: tuple[float, float, float, float]  # x0, y0, width, height
    legend_box: tuple[float, float, float, float]
    footer_box: tuple[float, float, float, float]
    title_lines: tuple[str, ...]
    date_line: str | None
    legend_rows: tuple[_Row, ...]
    source_columns: tuple[tuple[_Row, ...], ...]
    layers: tuple[Layer, ...]
    fonts: Mapping[str, _Font]

    def data_to_px(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return image pixels (origin bottom left) of projected x/y metres."""
        xmin, ymin, xmax, ymax = self.view
        x0, y0, w, h = self.map_box
        px = x0 + (np.asarray(x, float) - xmin) / (xmax - xmin) * w
        py = y0 + (np.asarray(y, float) - ymin) / (ymax - ymin) * h
        return px, py

    def pixel_of(self, lon: float, lat: float) -> tuple[float, float]:
        """Return (column, row) of a lon/lat point in the image, row 0 at the top as in arrays."""
        x, y = self.projection.forward(lon, lat)
        px, py = self.data_to_px(x, y)
        return float(px), float(self.height_px - py)


def _fonts(scale: float) -> dict[str, _Font]:
    fonts = {key: _Font(size * scale) for key, size in _FONT_PT.items()}
    fonts["title"] = replace(fonts["title"], weight="bold")
    fonts["group"] = _Font(_FONT_PT["legend"] * scale, weight="bold")
    fonts["note"] = _Font(_FONT_PT["legend_small"] * scale, style="italic")
    fonts["sea"] = replace(fonts["sea"], style="italic")
    return fonts


def _font_scale(width_px: int, dpi: float) -> float:
    return min(max(width_px / dpi / _BASE_WIDTH_IN, 0.5), 2.5)


def _unit_px(scale: float, dpi: float) -> float:
    """Return how many image pixels stand for one pixel of the 1600 px, 150 dpi reference."""
    return scale * dpi / 150.0


def plan_static(
    atlas: Atlas,
    *,
    width_px: int = 1600,
    height_px: int | None = None,
    dpi: float = 150,
    title: str | None = None,
    date_text: str | None = None,
    layer_ids: Iterable[str] | None = None,
) -> StaticLayout:
    """Work out the image layout `render_static` will draw, without drawing anything.

    Use `StaticLayout.pixel_of(lon, lat)` to find where a place lands in the image.
    """
    _check_size(width_px, height_px, dpi)
    layers = _select_layers(atlas, layer_ids)
    geoms = _framing_geometries(layers)
    projection = choose_projection(lonlat_bounds(geoms))
    extent = _feature_extent(geoms, projection)
    scale = _font_scale(width_px, dpi)
    fonts = _fonts(scale)
    margin = round(0.02 * width_px)
    legend_w = min(max(0.23 * width_px, 170.0 * _unit_px(scale, dpi)), 440.0 * _unit_px(scale, dpi))
    map_w = width_px - 2 * margin - margin - legend_w
    title_text = atlas.title if title is None else title
    title_lines = tuple(_wrap(title_text, fonts["title"], width_px - 2 * margin, dpi))
    title_lines = title_lines if title_text else ()
    date_line = _default_date_text(layers) if date_text is None else date_text
    header_h = _header_height(title_lines, date_line, fonts, dpi) + margin
    numbers, sources = _number_sources(layers)

    def make_legend(factor: float) -> list[_Row]:
        return _legend_rows(layers, numbers, _fonts(scale * factor), legend_w, dpi, projection)

    footer_w = width_px - 2 * margin
    fit = _Fit(width_px, height_px, dpi, margin, header_h, footer_w, map_w, extent)
    columns, footer_h, map_h, legend = fit.solve(sources, make_legend, fonts)
    return StaticLayout(
        width_px=width_px,
        height_px=height_px or round(header_h + map_h + footer_h + margin),
        dpi=dpi,
        scale=scale,
        projection=projection,
        view=_fit_view(extent, map_w / map_h),
        map_box=(float(margin), footer_h, map_w, map_h),
        legend_box=(margin + map_w + margin, footer_h, legend_w, map_h),
        footer_box=(float(margin), margin * 0.6, footer_w, footer_h - margin * 1.4),
        title_lines=title_lines,
        date_line=date_line,
        legend_rows=tuple(legend),
        source_columns=columns,
        layers=layers,
        fonts=fonts,
    )


def _framing_geometries(layers: Sequence[Layer]) -> list[BaseGeometry]:
    """Frame the map on its sites, regions and links: a range ring (6,000 km around Gabala)
    would otherwise shrink Europe to a corner; rings that reach further are cut at the frame.
    With nothing but ranges, frame the ranges."""
    frames = [layer.features for layer in layers]
    found = [
        g for f in frames for g, k in zip(f.geometry, f["kind"]) if g is not None and k != "range"
    ]
    return found or [g for f in frames for g in f.geometry if g is not None]


def _check_size(width_px: int, height_px: int | None, dpi: float) -> None:
    if not (_is_int(width_px) and 200 <= width_px <= 20000):
        raise ExportError(f"width_px: {width_px!r} is not allowed; expected an integer 200–20000")
    if height_px is not None and not (_is_int(height_px) and 200 <= height_px <= 20000):
        raise ExportError(f"height_px: {height_px!r} is not allowed; expected None or 200–20000")
    if not (isinstance(dpi, int | float | np.number) and 20 <= dpi <= 1200):
        raise ExportError(f"dpi: {dpi!r} is not allowed; expected a number 20–1200")


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _select_layers(atlas: Atlas, layer_ids: Iterable[str] | None) -> tuple[Layer, ...]:
    if layer_ids is None:
        return tuple(layer for layer in atlas.layers if layer.visible)
    wanted = [layer_ids] if isinstance(layer_ids, str) else list(layer_ids)
    known = [layer.id for layer in atlas.layers]
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise ExportError(
            f"layer_ids: {', '.join(map(repr, unknown))} not in the atlas; "
            f"must be among {', '.join(map(repr, known)) or 'no layers'}"
        )
    return tuple(layer for layer in atlas.layers if layer.id in set(wanted))


def _feature_extent(geoms: Sequence[BaseGeometry], proj: MapProjection) -> tuple[float, ...]:
    """Return the projected bounds of the features, padded, at least 600 km across."""
    frame = _Frame(proj, (-4e7, -4e7, 4e7, 4e7))
    shapes = np.concatenate([frame.areas(geoms), frame.strokes(geoms), _points(geoms, proj)])
    if not len(shapes):
        raise ExportError("nothing to draw: no feature of the selected layers can be projected")
    xmin, ymin, xmax, ymax = shapely.total_bounds(shapes)
    half_w = max((xmax - xmin) / 2 * 1.1, 3e5)
    half_h = max((ymax - ymin) / 2 * 1.1, 3e5)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _points(geoms: Sequence[BaseGeometry], proj: MapProjection) -> np.ndarray:
    pts = shapely.get_parts(np.asarray(geoms, dtype=object))
    pts = pts[shapely.get_type_id(pts) == 0]
    if not len(pts):
        return pts
    projected = shapely.transform(pts, proj.forward_xy)
    return projected[np.isfinite(shapely.get_coordinates(projected)).all(axis=1)]


def _fit_view(extent: Sequence[float], aspect: float) -> tuple[float, float, float, float]:
    """Widen the extent to the map box's aspect ratio (width / height), keeping its centre."""
    xmin, ymin, xmax, ymax = extent
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _header_height(
    title: Sequence[str], date: str | None, fonts: Mapping[str, _Font], dpi: float
) -> float:
    height = len(title) * fonts["title"].line_px(dpi)
    return height + (fonts["date"].line_px(dpi) * 1.2 if date else 0.0)


def _default_date_text(layers: Sequence[Layer]) -> str | None:
    # ISO dates (YYYY, YYYY-MM, YYYY-MM-DD) sort as text
    dates = [d for layer in layers for d in (layer.period_from, layer.period_to) if d]
    if not dates:
        return None
    first, last = min(dates), max(dates)
    return f"Layers dated {first}" if first == last else f"Layers dated {first} to {last}"


@dataclass(frozen=True)
class _Fit:
    """Shares the image height between header, map and sources; shrinks text to fit."""

    width_px: int
    height_px: int | None
    dpi: float
    margin: float
    header_h: float
    footer_w: float
    map_w: float
    extent: Sequence[float]

    def solve(
        self,
        sources: Sequence[tuple[int, Source]],
        make_legend: Callable[[float], list[_Row]],
        fonts: Mapping[str, _Font],
    ) -> tuple[tuple[tuple[_Row, ...], ...], float, float, list[_Row]]:
        """Return source columns, footer height, map height and legend rows that fit."""
        xmin, ymin, xmax, ymax = self.extent
        natural_h = self.map_w * (ymax - ymin) / (xmax - xmin)
        natural_h = min(max(natural_h, 0.45 * self.map_w), 1.3 * self.map_w)
        if self.height_px is None:  # the image grows to fit everything at full size
            columns, footer_h = self._sources(sources, fonts, max_h=None)
            legend = make_legend(1.0)
            return columns, footer_h, max(natural_h, _rows_height(legend)), legend
        room = self.height_px - self.header_h - self.margin
        # the map and its legend matter more than the list of sources
        columns, footer_h = self._sources(sources, fonts, max_h=0.35 * room)
        map_h = room - footer_h
        for factor in (1.0, 0.9, 0.8):
            legend = make_legend(factor)
            if _rows_height(legend) <= map_h:
                break
        return columns, footer_h, map_h, _fit_rows(legend, map_h, "layers")

    def _sources(
        self,
        sources: Sequence[tuple[int, Source]],
        fonts: Mapping[str, _Font],
        *,
        max_h: float | None,
    ) -> tuple[tuple[tuple[_Row, ...], ...], float]:
        if not sources:
            return (), self.margin * 1.2
        n_cols = 2 if self.footer_w >= 1000 else 1
        gutter = self.margin
        col_w = (self.footer_w - gutter * (n_cols - 1)) / n_cols
        extra = fonts["group"].line_px(self.dpi) * 1.3 + self.margin * 1.6  # heading, gaps
        for factor in (1.0, 0.9, 0.8):  # smaller would be unreadable: cut the list instead
            font = _Font(fonts["source"].size_pt * factor)
            rows = _source_rows(sources, font, col_w, self.dpi)
            columns = _balance(rows, n_cols)
            if max_h is None or _tallest(columns) + extra <= max_h:
                return columns, _tallest(columns) + extra
        assert max_h is not None  # without a limit the first try returned
        budget = (max_h - extra) * n_cols * 0.95  # a little slack for uneven columns
        columns = _balance(_fit_rows(rows, budget, "sources"), n_cols)
        return columns, _tallest(columns) + extra


def _tallest(columns: Sequence[Sequence[_Row]]) -> float:
    return max(_rows_height(column) for column in columns)


def _rows_height(rows: Sequence[_Row]) -> float:
    return float(sum(row.height_px for row in rows))


def _fit_rows(rows: list[_Row], max_h: float, what: str) -> list[_Row]:
    """Cut rows that do not fit into `max_h` and say how many were left out."""
    if _rows_height(rows) <= max_h or not rows:
        return rows
    more_font = rows[-1].font
    line_h = rows[0].height_px / max(len(rows[0].lines), 1)
    kept: list[_Row] = []
    used = line_h  # room for the "… more" line
    for row in rows:
        if used + row.height_px > max_h:
            break
        kept.append(row)
        used += row.height_px
    while kept and kept[-1].kind == "group":  # a heading with nothing under it
        kept.pop()
    left = sum(1 for row in rows[len(kept) :] if row.kind in ("layer", "source"))
    text = f"… and {left} more {what} (see the interactive map)"
    return [*kept, _Row("more", (text,), more_font, line_h)]


def _balance(rows: Sequence[_Row], n_cols: int) -> tuple[tuple[_Row, ...], ...]:
    """Split rows into columns of about equal height, keeping their order."""
    if n_cols == 1 or len(rows) < 2:
        return (tuple(rows),)
    target = _rows_height(rows) / n_cols
    columns: list[list[_Row]] = [[]]
    used = 0.0
    for row in rows:
        if used + row.height_px / 2 > target and len(columns) < n_cols and columns[-1]:
            columns.append([])
            used = 0.0
        columns[-1].append(row)
        used += row.height_px
    return tuple(tuple(c) for c in columns)


# ---------------------------------------------------------------------------------------------
# Sources and legend text
# ---------------------------------------------------------------------------------------------


def _number_sources(
    layers: Sequence[Layer],
) -> tuple[dict[str, list[int]], list[tuple[int, Source]]]:
    """Number the sources of all layers once each; return the numbers per layer and the list."""
    seen: dict[tuple[Any, ...], int] = {}
    per_layer: dict[str, list[int]] = {}
    listed: list[tuple[int, Source]] = []
    for layer in layers:
        numbers = per_layer.setdefault(layer.id, [])
        for source in layer.sources:
            key = (source.title, source.publisher, source.date, source.url)
            if key not in seen:
                seen[key] = len(seen) + 1
                listed.append((seen[key], source))
            numbers.append(seen[key])
    return per_layer, listed


def short_url(url: str, max_chars: int = 48) -> str:
    """Return `url` without scheme and `www.`, cut to `max_chars` with an ellipsis.

    >>> short_url("https://www.nti.org/gsn/article/russia-set-for-intensive-missile-shield-talks/")
    'nti.org/gsn/article/russia-set-for-intensive-mi…'
    """
    text = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _source_text(source: Source) -> str:
    parts = [source.title.rstrip(".") + "."]
    detail = ", ".join(p for p in (source.publisher, source.date) if p)
    if detail:
        parts.append(detail + ".")
    if source.url:
        parts.append(short_url(source.url))
    return " ".join(parts)


def _source_rows(
    sources: Sequence[tuple[int, Source]], font: _Font, col_w: float, dpi: float
) -> list[_Row]:
    number_w = font.width_px("[00] ", dpi)
    rows = []
    for number, source in sources:
        lines = _wrap(_source_text(source), font, col_w - number_w, dpi)
        rows.append(
            _Row("source", tuple(lines), font, len(lines) * font.line_px(dpi), marker=f"[{number}]")
        )
    return rows


_SYMBOL_W_PX = 22.0  # legend symbol width in reference pixels (see _unit_px)


def _legend_rows(
    layers: Sequence[Layer],
    numbers: Mapping[str, list[int]],
    fonts: Mapping[str, _Font],
    width_px: float,
    dpi: float,
    projection: MapProjection,
) -> list[_Row]:
    """Return the legend: group headings, one entry per layer, notes, site roles, credits."""
    indent = (_SYMBOL_W_PX + 12) * fonts["legend"].size_pt / _FONT_PT["legend"] * dpi / 150
    text_w = width_px - indent
    rows: list[_Row] = []
    group = None
    for layer in layers:
        if layer.group and layer.group != group:
            rows.append(_text_row("group", layer.group, fonts["group"], width_px, dpi, gap=0.5))
        group = layer.group
        entry = _layer_row(layer, numbers.get(layer.id, []), fonts["legend"], text_w, dpi)
        rows.append(replace(entry, indent_px=indent))
        notes = [_text_row("note", note, fonts["note"], text_w, dpi) for note in layer.notes]
        rows += [replace(note, indent_px=indent) for note in notes]
    roles = _roles_drawn(layers)
    if roles:
        rows.append(_text_row("group", "Sites", fonts["group"], width_px, dpi, gap=0.5))
        rows += [
            replace(
                _text_row("role", role, fonts["legend"], text_w, dpi, marker=role), indent_px=indent
            )
            for role in roles
        ]
    if any(_uncertain_rows(layer) for layer in layers):
        note = f"{UNCERTAIN_MARK} nominal or uncertain: dashed and lighter"
        rows.append(_text_row("footnote", note, fonts["note"], width_px, dpi, gap=0.5))
    credit = f"{projection.describe()}. Base map: Natural Earth (public domain)."
    rows.append(_text_row("credit", credit, fonts["legend_small"], width_px, dpi, gap=0.6))
    return rows


def _text_row(
    kind: str,
    text: str,
    font: _Font,
    width_px: float,
    dpi: float,
    *,
    gap: float = 0.15,
    marker: str = "",
) -> _Row:
    lines = _wrap(text, font, width_px, dpi)
    height = (len(lines) + gap) * font.line_px(dpi)
    return _Row(kind, tuple(lines), font, height, marker=marker)


def _layer_row(
    layer: Layer, numbers: Sequence[int], font: _Font, width_px: float, dpi: float
) -> _Row:
    text = layer.title
    if _uncertain_rows(layer):
        text += f" {UNCERTAIN_MARK}"
    if numbers:
        text += f" [{', '.join(map(str, sorted(set(numbers))))}]"
    lines = _wrap(text, font, width_px, dpi)
    return _Row("layer", tuple(lines), font, (len(lines) + 0.45) * font.line_px(dpi), layer=layer)


def _roles_drawn(layers: Sequence[Layer]) -> list[str]:
    found: set[str] = set()
    for layer in layers:
        sites = layer.features[layer.features["kind"] == "site"] if len(layer.features) else []
        found |= {_role(getattr(row, "role", None)) for row in _rows(sites)}
    return [role for role in _ROLE_MARKERS if role in found]


def _role(value: Any) -> str:
    text = _text(value)
    return text if text is not None and text in _ROLE_MARKERS else "other"


def _uncertain_rows(layer: Layer) -> bool:
    if not len(layer.features) or "uncertainty" not in layer.features:
        return False
    return any(_text(v) for v in layer.features["uncertainty"])


def _text(value: Any) -> str | None:
    """Return a cell as text, or None for None, NaN and blank strings."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _rows(frame: Any) -> list[Any]:
    return list(frame.itertuples(index=False)) if len(frame) else []


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paint:
    stroke: tuple[float, float, float, float]
    fill: tuple[float, float, float, float]
    linewidth: float
    linestyle: Any
    text: tuple[float, float, float]  # label colour: the stroke colour, darkened for contrast


def _paint(style: Style, scale: float, *, uncertain: bool, layer_id: str) -> _Paint:
    try:
        stroke, fill = to_rgb(style.color), to_rgb(style.fill)
    except ValueError as exc:
        raise ExportError(f"layer {layer_id!r}: style colour is not a colour: {exc}") from None
    width = max(style.weight, 0.3) * _CSS_PX_PT * scale
    dashes = _dashes(style.dash, scale)
    opacity, fill_opacity = style.opacity, style.fill_opacity
    if uncertain:  # nominal values are drawn lighter and dashed, so they do not read as fact
        opacity, fill_opacity = opacity * 0.6, fill_opacity * 0.5
        dashes = dashes or (0, (5 * _CSS_PX_PT * scale, 3 * _CSS_PX_PT * scale))
    dark = (stroke[0] * 0.62, stroke[1] * 0.62, stroke[2] * 0.62)
    return _Paint((*stroke, opacity), (*fill, fill_opacity), width, dashes or "solid", dark)


def _dashes(dash: str | None, scale: float) -> tuple[float, tuple[float, ...]] | None:
    """Turn an SVG dash array ("6 4", "6,4") in CSS pixels into a matplotlib dash in points."""
    if not dash:
        return None
    try:
        values = [float(v) for v in dash.replace(",", " ").split()]
    except ValueError:
        return None
    if not values or any(v < 0 for v in values) or sum(values) <= 0:
        return None
    if len(values) % 2:  # SVG repeats an odd list to make it even
        values *= 2
    return (0, tuple(max(v, 0.1) * _CSS_PX_PT * scale for v in values))


class _Labels:
    """Places labels where they overlap nothing already placed (pixel boxes in the image)."""

    def __init__(self, bounds: tuple[float, float, float, float]):
        self.bounds = bounds  # x0, y0, x1, y1 the labels must stay inside
        self.taken: list[tuple[float, float, float, float]] = []

    def block(self, box: tuple[float, float, float, float]) -> None:
        self.taken.append(box)

    def overlap(self, box: tuple[float, float, float, float]) -> float:
        x0, y0, x1, y1 = box
        bx0, by0, bx1, by1 = self.bounds
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            return math.inf
        total = 0.0
        for tx0, ty0, tx1, ty1 in self.taken:
            w, h = min(x1, tx1) - max(x0, tx0), min(y1, ty1) - max(y0, ty0)
            if w > 0 and h > 0:
                total += w * h
        return total

    def choose(
        self, boxes: Sequence[tuple[float, float, float, float]], *, must: bool
    ) -> int | None:
        """Return the first box that overlaps nothing; if `must`, else one that overlaps little."""
        costs = [self.overlap(box) for box in boxes]
        free = [i for i, cost in enumerate(costs) if cost == 0]
        if free:
            return free[0]
        if must and costs:  # a name may touch another, but not hide under it
            best = int(np.argmin(costs))
            x0, y0, x1, y1 = boxes[best]
            return best if costs[best] <= 0.15 * (x1 - x0) * (y1 - y0) else None
        return None


@dataclass
class _Canvas:
    """What the drawing functions share: figure, map axes, layout, frame and label placer."""

    fig: Figure
    ax: Any
    layout: StaticLayout
    frame: _Frame
    labels: _Labels

    @property
    def scale(self) -> float:
        return self.layout.scale

    @property
    def unit(self) -> float:
        """One pixel of the 1600 px, 150 dpi reference image, in pixels of this image."""
        return _unit_px(self.layout.scale, self.layout.dpi)

    def fx(self, px: float) -> float:
        return px / self.layout.width_px

    def fy(self, py: float) -> float:
        return py / self.layout.height_px

    def text(self, px: float, py: float, text: str, font: _Font, **kwargs: Any) -> None:
        """Draw text at image pixel (px, py) in figure coordinates, never as mathtext."""
        kwargs.setdefault("color", TEXT_COLOR)
        self.fig.text(
            self.fx(px),
            self.fy(py),
            text,
            fontsize=font.size_pt,
            fontweight=font.weight,
            fontstyle=font.style,
            parse_math=False,
            **kwargs,
        )


def _halo(scale: float) -> list[Any]:
    # Stroke alone: the halo becomes a path, while the label itself stays a <text> in SVG
    # (matplotlib turns any text with path effects into outlines).
    return [patheffects.Stroke(linewidth=2.4 * scale, foreground="white", alpha=0.85)]


def render_static(
    atlas: Atlas,
    path: str | os.PathLike[str],
    *,
    width_px: int = 1600,
    height_px: int | None = None,
    dpi: float = 150,
    title: str | None = None,
    date_text: str | None = None,
    layer_ids: Iterable[str] | None = None,
) -> None:
    """Write the atlas as a static map to `path` (.png, .svg or .pdf, chosen by the suffix).

    `layer_ids` picks layers (in atlas order); by default the layers visible when the map opens.
    `height_px=None` sizes the image to the map. `title` defaults to the atlas title and
    `date_text` to the span of the layers' periods. The file is written atomically.
    """
    target = Path(path)
    fmt = _format_of(target)
    if not target.parent.is_dir():
        raise ExportError(
            f"{target}: folder {str(target.parent)!r} does not exist; create it first"
        )
    layout = plan_static(
        atlas,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        title=title,
        date_text=date_text,
        layer_ids=layer_ids,
    )
    with matplotlib.rc_context(_RC_PARAMS):
        fig = _draw(layout, _load_basemap())
        metadata = dict(_METADATA[fmt])
        if layout.title_lines:
            metadata["Title"] = " ".join(layout.title_lines)
        try:
            _write_atomically(fig, target, fmt=fmt, dpi=dpi, metadata=metadata)
        finally:
            fig.clear()  # free the artists now; no pyplot, so nothing else holds the figure


def _format_of(target: Path) -> str:
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        allowed = ", ".join(FORMATS)
        raise ExportError(
            f"{target}: suffix {target.suffix or '(none)'!r} is not supported; "
            f"must be one of {allowed}"
        )
    return fmt


def _load_basemap() -> Mapping[str, Any]:
    """Return the offline base map (land, borders, seas) from `geo.reference`."""
    try:
        basemap = importlib.import_module("geo.reference").basemap
    except (ImportError, AttributeError) as exc:
        raise ExportError(f"the base map is missing: geo.reference.basemap ({exc})") from None
    return cast(Mapping[str, Any], basemap())


def _draw(layout: StaticLayout, basemap: Mapping[str, Any]) -> Figure:
    fig = Figure(
        figsize=(layout.width_px / layout.dpi, layout.height_px / layout.dpi), dpi=layout.dpi
    )
    FigureCanvasAgg(fig)  # Agg explicitly: there is no display here, and no pyplot state
    fig.patch.set_facecolor("white")
    ax = _map_axes(fig, layout)
    x0, y0, w, h = layout.map_box
    frame = _Frame(layout.projection, layout.view, cap_deg=_view_cap_deg(layout))
    canvas = _Canvas(fig, ax, layout, frame, _Labels((x0, y0, x0 + w, y0 + h)))
    _draw_base(canvas, basemap)
    _draw_graticule(canvas)
    sites = _draw_layers(canvas)
    _draw_labels(canvas, sites)
    _draw_sea_labels(canvas, basemap.get("seas"))
    _draw_scale_bar(canvas)
    _draw_header(canvas)
    _draw_legend(canvas)
    _draw_sources(canvas)
    return fig


def _map_axes(fig: Figure, layout: StaticLayout) -> Any:
    x0, y0, w, h = layout.map_box
    W, H = layout.width_px, layout.height_px
    ax = fig.add_axes((x0 / W, y0 / H, w / W, h / H))
    xmin, ymin, xmax, ymax = layout.view
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("auto")  # the view already has the box's aspect ratio
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(SEA_COLOR)
    for spine in ax.spines.values():
        spine.set_color("#8a959d")
        spine.set_linewidth(0.6 * layout.scale)
    return ax


def _view_cap_deg(layout: StaticLayout) -> float:
    """Return how far from the centre (degrees of arc) the view reaches, plus a margin."""
    xmin, ymin, xmax, ymax = layout.view
    xs = np.array([xmin, xmax, xmin, xmax, (xmin + xmax) / 2, (xmin + xmax) / 2, xmin, xmax])
    ys = np.array([ymin, ymin, ymax, ymax, ymin, ymax, (ymin + ymax) / 2, (ymin + ymax) / 2])
    lon, lat = layout.projection.inverse(xs, ys)
    if not np.isfinite(lon).all():
        return 170.0
    dist = _angular_distance_deg(lon, lat, layout.projection.lon_0, layout.projection.lat_0)
    return float(min(dist.max() + 12.0, 170.0))


# --- base map --------------------------------------------------------------------------------


def _geometries(frame: Any) -> list[BaseGeometry]:
    if frame is None or not len(frame):
        return []
    if getattr(frame, "crs", None) is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return [g for g in frame.geometry if g is not None]


def _draw_base(canvas: _Canvas, basemap: Mapping[str, Any]) -> None:
    """Draw land over the sea-coloured axes, then coastlines and borders in thin grey."""
    land = _geometries(basemap.get("land"))
    s = canvas.scale
    path = _area_path(canvas.frame.areas(land))
    if path is not None:
        canvas.ax.add_patch(PathPatch(path, facecolor=LAND_COLOR, edgecolor="none", zorder=1))
    _add_lines(canvas, canvas.frame.strokes(land), color=COAST_COLOR, width=0.45 * s, zorder=1.2)
    borders = _geometries(basemap.get("borders"))
    _add_lines(canvas, canvas.frame.strokes(borders), color=BORDER_COLOR, width=0.4 * s, zorder=1.3)


def _add_lines(
    canvas: _Canvas,
    lines: np.ndarray,
    *,
    color: Any,
    width: float,
    zorder: float,
    linestyle: Any = "solid",
) -> None:
    path = _line_path(lines)
    if path is not None:
        canvas.ax.add_patch(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=color,
                linewidth=width,
                linestyle=linestyle,
                capstyle="round",
                joinstyle="round",
                zorder=zorder,
            )
        )


def _draw_graticule(canvas: _Canvas) -> None:
    """Draw meridians and parallels every few degrees, faintly, under the layers."""
    xmin, _, xmax, _ = canvas.layout.view
    span_deg = (xmax - xmin) / 111_000
    step = next((s for s in (1, 2, 5, 10, 15, 20, 30) if span_deg / s <= 8), 30)
    lats = np.arange(-90 + step, 90, step)
    lons = np.arange(-180, 180, step)
    run = np.linspace(0.0, 1.0, 181)
    parallels = [
        shapely.LineString(np.column_stack([-180 + 360 * run, np.full_like(run, lat)]))
        for lat in lats
    ]
    meridians = [
        shapely.LineString(np.column_stack([np.full_like(run, lon), -80 + 160 * run]))
        for lon in lons
    ]
    lines = canvas.frame.strokes(parallels + meridians)
    _add_lines(canvas, lines, color=GRATICULE_COLOR, width=0.55 * canvas.scale, zorder=1.5)


# --- layers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SiteMark:
    """A site drawn on the map whose name still has to be placed."""

    px: float
    py: float
    radius_px: float
    text: str


@dataclass(frozen=True)
class _PendingLabel:
    """A range or region name waiting for a free spot: candidate anchors in pixels."""

    anchors: tuple[tuple[float, float], ...]
    text: str
    color: tuple[float, float, float]
    italic: bool


def _draw_layers(canvas: _Canvas) -> list[Any]:
    """Draw areas, then lines, then sites of every layer, so small things stay on top.

    Return what still needs a label: site marks and range/region/link names.
    """
    labels: list[Any] = []
    for rank in range(3):
        for index, layer in enumerate(canvas.layout.layers):
            zorder = 3 + rank + index * 0.001  # later layers over earlier ones
            for row in _rows(layer.features):
                kind = _text(getattr(row, "kind", None)) or _kind_of(row.geometry)
                if _DRAW_RANK.get(kind, 0) == rank:
                    uncertain = bool(_text(getattr(row, "uncertainty", None)))
                    paint = _paint(
                        layer.style, canvas.scale, uncertain=uncertain, layer_id=layer.id
                    )
                    labels.append(_DRAWERS.get(kind, _draw_other)(canvas, row, paint, zorder))
    return [label for label in labels if label is not None]


_DRAW_RANK: Mapping[str, int] = {"region": 0, "range": 0, "link": 1, "site": 2}


def _kind_of(geometry: BaseGeometry | None) -> str:
    if geometry is None:
        return "none"
    return {"Point": "site", "LineString": "link", "MultiLineString": "link"}.get(
        geometry.geom_type, "region"
    )


def _label_text(row: Any, *, prefer_label: bool) -> str | None:
    text = (_text(getattr(row, "label", None)) if prefer_label else None) or _text(
        getattr(row, "name", None)
    )
    if text and _text(getattr(row, "uncertainty", None)):
        text += f" {UNCERTAIN_MARK}"
    return text


def _draw_area(
    canvas: _Canvas, row: Any, paint: _Paint, zorder: float, *, prefer_label: bool
) -> Any:
    areas = canvas.frame.areas([row.geometry])
    path = _area_path(areas)
    if path is not None:
        canvas.ax.add_patch(PathPatch(path, facecolor=paint.fill, edgecolor="none", zorder=zorder))
    outline = canvas.frame.strokes([row.geometry])
    _add_lines(
        canvas,
        outline,
        color=paint.stroke,
        width=paint.linewidth,
        zorder=zorder + 0.5,
        linestyle=paint.linestyle,
    )
    text = _label_text(row, prefer_label=prefer_label)
    if not text or not len(areas):
        return None
    anchors = _area_anchors(canvas, areas) if not prefer_label else _ring_anchors(canvas, outline)
    return _PendingLabel(tuple(anchors), text, paint.text, italic=prefer_label)


def _draw_region(canvas: _Canvas, row: Any, paint: _Paint, zorder: float) -> Any:
    return _draw_area(canvas, row, paint, zorder, prefer_label=False)


def _draw_range(canvas: _Canvas, row: Any, paint: _Paint, zorder: float) -> Any:
    return _draw_area(canvas, row, paint, zorder, prefer_label=True)


def _draw_link(canvas: _Canvas, row: Any, paint: _Paint, zorder: float) -> Any:
    lines = canvas.frame.strokes([row.geometry])
    _add_lines(
        canvas,
        lines,
        color=paint.stroke,
        width=paint.linewidth,
        zorder=zorder,
        linestyle=paint.linestyle,
    )
    text = _text(getattr(row, "label", None))
    if not text or not len(lines):
        return None
    mid = shapely.line_interpolate_point(max(lines, key=lambda g: g.length), 0.5, normalized=True)
    px, py = canvas.layout.data_to_px(mid.x, mid.y)
    return _PendingLabel(((float(px), float(py)),), text, paint.text, italic=True)


def _draw_site(canvas: _Canvas, row: Any, paint: _Paint, zorder: float) -> Any:
    point = row.geometry.representative_point() if row.geometry is not None else None
    if point is None or point.is_empty:
        return None
    x, y = canvas.layout.projection.forward(point.x, point.y)
    xmin, ymin, xmax, ymax = canvas.layout.view
    if not (np.isfinite(x) and xmin <= x <= xmax and ymin <= y <= ymax):
        return None
    marker, rel = _ROLE_MARKERS[_role(getattr(row, "role", None))]
    size = 6.5 * canvas.scale * rel
    uncertain = bool(_text(getattr(row, "uncertainty", None)))
    face = "white" if uncertain else paint.stroke[:3]
    canvas.ax.plot(
        [float(x)],
        [float(y)],
        linestyle="none",
        marker=marker,
        markersize=size,
        markerfacecolor=face,
        markeredgecolor=paint.stroke[:3] if uncertain else "white",
        markeredgewidth=0.9 * canvas.scale,
        zorder=zorder,
    )
    px, py = canvas.layout.data_to_px(x, y)
    radius = size * canvas.layout.dpi / 72 / 2
    canvas.labels.block(
        (float(px) - radius, float(py) - radius, float(px) + radius, float(py) + radius)
    )
    text = _label_text(row, prefer_label=False)
    return _SiteMark(float(px), float(py), radius, text) if text else None


def _draw_other(canvas: _Canvas, row: Any, paint: _Paint, zorder: float) -> Any:
    kind = _kind_of(row.geometry)
    return None if kind == "none" else _DRAWERS[kind](canvas, row, paint, zorder)


_DRAWERS: dict[str, Callable[[_Canvas, Any, _Paint, float], Any]] = {
    "region": _draw_region,
    "range": _draw_range,
    "link": _draw_link,
    "site": _draw_site,
}


def _area_anchors(canvas: _Canvas, areas: np.ndarray) -> list[tuple[float, float]]:
    """Return label spots inside the largest visible part of an area, the best one first."""
    xmin, ymin, xmax, ymax = canvas.layout.view
    visible = shapely.clip_by_rect(areas, xmin, ymin, xmax, ymax)
    polys = _parts(visible, polygonal=True)
    if not len(polys):
        return []
    biggest = max(polys, key=lambda p: p.area)
    centre = polylabel(biggest, tolerance=max(xmax - xmin, ymax - ymin) / 500)
    _, miny, _, maxy = biggest.bounds
    spots = [(centre.x, centre.y)] + [
        (centre.x, centre.y + f * (maxy - miny)) for f in (0.18, -0.18, 0.32, -0.32)
    ]
    inside = [(x, y) for x, y in spots if biggest.contains(shapely.Point(x, y))]
    return [_px(canvas, x, y) for x, y in inside]


def _ring_anchors(canvas: _Canvas, outline: np.ndarray) -> list[tuple[float, float]]:
    """Return spots along a ring's visible outline, the northernmost (topmost) first."""
    xmin, ymin, xmax, ymax = canvas.layout.view
    inset = 0.04 * (xmax - xmin)
    visible = shapely.clip_by_rect(outline, xmin + inset, ymin + inset, xmax - inset, ymax - inset)
    lines = [g for g in _parts(visible, polygonal=False) if g.length > 0]
    if not lines:
        return []
    points = np.concatenate(
        [
            shapely.get_coordinates(
                shapely.line_interpolate_point(line, np.linspace(0, 1, 25), normalized=True)
            )
            for line in lines
        ]
    )
    points = points[np.argsort(-points[:, 1], kind="stable")]
    return [_px(canvas, x, y) for x, y in points[:40]]


def _px(canvas: _Canvas, x: float, y: float) -> tuple[float, float]:
    px, py = canvas.layout.data_to_px(x, y)
    return float(px), float(py)


# --- labels ----------------------------------------------------------------------------------


def _draw_labels(canvas: _Canvas, pending: Sequence[Any]) -> None:
    """Place site names first (they matter most), then range, region and link names."""
    for item in pending:
        if isinstance(item, _SiteMark):
            _place_site_label(canvas, item)
    for item in pending:
        if isinstance(item, _PendingLabel):
            _place_area_label(canvas, item)


def _label_size(canvas: _Canvas, lines: Sequence[str], font: _Font) -> tuple[float, float]:
    dpi = canvas.layout.dpi
    return max(font.width_px(line, dpi) for line in lines), len(lines) * font.line_px(dpi)


def _place_site_label(canvas: _Canvas, site: _SiteMark) -> None:
    font = canvas.layout.fonts["label"]
    dpi = canvas.layout.dpi
    lines = _ellipsize(
        _wrap(site.text, font, 150 * canvas.unit, dpi), 2, font, 150 * canvas.unit, dpi
    )
    w, h = _label_size(canvas, lines, font)
    g = site.radius_px + 2 * canvas.unit
    x, y = site.px, site.py
    # (left edge, bottom edge) of the label box for each candidate position around the marker
    corners = [
        (x + g, y - h / 2),
        (x - g - w, y - h / 2),
        (x + g * 0.7, y + g * 0.5),
        (x + g * 0.7, y - g * 0.5 - h),
        (x - g * 0.7 - w, y + g * 0.5),
        (x - g * 0.7 - w, y - g * 0.5 - h),
        (x - w / 2, y + g),
        (x - w / 2, y - g - h),
    ]
    boxes = [(cx, cy, cx + w, cy + h) for cx, cy in corners]
    choice = canvas.labels.choose(boxes, must=True)
    if choice is None:
        return
    _draw_block(canvas, boxes[choice], lines, font, color=TEXT_COLOR, ha="left")


def _place_area_label(canvas: _Canvas, label: _PendingLabel) -> None:
    font = replace(
        canvas.layout.fonts["label"],
        style="italic" if label.italic else "normal",
        weight="normal" if label.italic else "bold",
    )
    limit = 200 * canvas.unit
    lines = _ellipsize(
        _wrap(label.text, font, limit, canvas.layout.dpi), 2, font, limit, canvas.layout.dpi
    )
    w, h = _label_size(canvas, lines, font)
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in label.anchors]
    choice = canvas.labels.choose(boxes, must=False)
    if choice is not None:
        _draw_block(canvas, boxes[choice], lines, font, color=label.color, ha="center")


def _draw_block(
    canvas: _Canvas,
    box: tuple[float, float, float, float],
    lines: Sequence[str],
    font: _Font,
    *,
    color: Any,
    ha: str,
    halo: bool = True,
) -> None:
    """Draw lines of text filling `box` (pixels) and keep others from overlapping it."""
    x0, _, x1, y1 = box
    line_h = font.line_px(canvas.layout.dpi)
    x = x0 if ha == "left" else (x0 + x1) / 2
    for i, line in enumerate(lines):
        y = y1 - i * line_h - line_h / 2
        if halo:
            canvas.text(
                x,
                y,
                line,
                font,
                color="white",
                ha=ha,
                va="center_baseline",
                path_effects=_halo(canvas.scale),
                zorder=19,
            )
        canvas.text(x, y, line, font, color=color, ha=ha, va="center_baseline", zorder=20)
    canvas.labels.block(box)


def _draw_sea_labels(canvas: _Canvas, seas: Any) -> None:
    """Name the seas that are large in this view, where no other label is."""
    if seas is None or not len(seas) or "name" not in seas:
        return
    view_area = _box_area(canvas.layout.view)
    font = canvas.layout.fonts["sea"]
    chosen: dict[str, tuple[float, Any]] = {}
    for row in _rows(seas):
        name, point = _text(getattr(row, "name", None)), _sea_point(row)
        if not name or point is None:
            continue
        area = float(sum(p.area for p in canvas.frame.areas([row.geometry])))
        if area >= 0.004 * view_area and area > chosen.get(name, (0.0, None))[0]:
            chosen[name] = (area, point)
    for name, (_, (lon, lat)) in sorted(chosen.items(), key=lambda kv: -kv[1][0]):
        _place_sea_label(canvas, name, lon, lat, font)


def _sea_point(row: Any) -> tuple[float, float] | None:
    lon, lat = getattr(row, "label_lon", None), getattr(row, "label_lat", None)
    if lon is None or lat is None or not (np.isfinite(lon) and np.isfinite(lat)):
        return None if row.geometry is None else _representative(row.geometry)
    return float(lon), float(lat)


def _representative(geometry: BaseGeometry) -> tuple[float, float]:
    point = geometry.representative_point()
    return point.x, point.y


def _box_area(box: Sequence[float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _place_sea_label(canvas: _Canvas, name: str, lon: float, lat: float, font: _Font) -> None:
    x, y = canvas.layout.projection.forward(lon, lat)
    if not np.isfinite(x):
        return
    px, py = (float(v) for v in canvas.layout.data_to_px(x, y))
    dpi = canvas.layout.dpi
    # two lines for long names ("Mediterranean / Sea"), but never inside a word
    full = font.width_px(name, dpi)
    widest_word = max(font.width_px(word, dpi) for word in name.split())
    width = full if full <= 75 * canvas.unit else max(full * 0.55, widest_word)
    lines = _wrap(name, font, width, dpi)
    w, h = _label_size(canvas, lines, font)
    box = (px - w / 2, py - h / 2, px + w / 2, py + h / 2)
    if canvas.labels.choose([box], must=False) is not None:
        _draw_block(canvas, box, lines, font, color=SEA_LABEL_COLOR, ha="center", halo=False)


# --- scale bar, header, legend, sources ------------------------------------------------------


def _draw_scale_bar(canvas: _Canvas) -> None:
    """Draw a scale bar at the lower left of the map, true along its own latitude."""
    layout = canvas.layout
    xmin, ymin, xmax, ymax = layout.view
    bx, by = xmin + 0.03 * (xmax - xmin), ymin + 0.045 * (ymax - ymin)
    probe = 0.1 * (xmax - xmin)
    lon, lat = layout.projection.inverse([bx, bx + probe], [by, by])
    if not np.isfinite(lon).all():
        return
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
    km_per_unit = metres / 1000 / probe
    nice = [
        v
        for v in (10, 20, 50, 100, 200, 250, 500, 1000, 1500, 2000, 2500, 3000, 5000)
        if v / km_per_unit <= 0.2 * (xmax - xmin)
    ]
    if not nice:
        return
    km = nice[-1]
    _scale_bar_artists(canvas, bx, by, km / km_per_unit, km)


def _scale_bar_artists(canvas: _Canvas, bx: float, by: float, length: float, km: int) -> None:
    s = canvas.scale
    ax = canvas.ax
    height = length * 0.045
    font = canvas.layout.fonts["scale"]
    pad = length * 0.06
    ax.add_patch(
        FancyBboxPatch(
            (bx - pad, by - height * 0.8),
            length + 2 * pad,
            height * 4.6,
            boxstyle="round,pad=0",
            facecolor="white",
            edgecolor="none",
            alpha=0.75,
            zorder=8,
        )
    )
    for i, color in enumerate((TEXT_COLOR, "white")):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 2, by),
                length / 2,
                height,
                facecolor=color,
                edgecolor=TEXT_COLOR,
                linewidth=0.5 * s,
                zorder=9,
            )
        )
    for frac, text in ((0, "0"), (0.5, f"{km / 2:,g}"), (1, f"{km:,} km")):
        ax.text(
            bx + frac * length,
            by + height * 1.6,
            text,
            fontsize=font.size_pt,
            ha="center",
            va="bottom",
            color=TEXT_COLOR,
            parse_math=False,
            zorder=9,
        )
    px0, py0 = canvas.layout.data_to_px(bx - pad, by - height * 0.8)
    px1, py1 = canvas.layout.data_to_px(bx + length + 2 * pad, by + height * 4)
    canvas.labels.block((float(px0), float(py0), float(px1) + 20 * canvas.unit, float(py1)))


def _draw_header(canvas: _Canvas) -> None:
    layout = canvas.layout
    margin = round(0.02 * layout.width_px)
    top = float(layout.height_px - margin)
    title_font, date_font = layout.fonts["title"], layout.fonts["date"]
    for line in layout.title_lines:
        canvas.text(margin, top, line, title_font, va="top", ha="left")
        top -= title_font.line_px(layout.dpi)
    if layout.date_line:
        canvas.text(
            margin,
            top - date_font.line_px(layout.dpi) * 0.1,
            layout.date_line,
            date_font,
            va="top",
            ha="left",
            color=MUTED_COLOR,
        )


def _draw_legend(canvas: _Canvas) -> None:
    """Draw the legend rows top-down in the panel right of the map."""
    x0, y0, _, h = canvas.layout.legend_box
    top = y0 + h
    for row in canvas.layout.legend_rows:
        _LEGEND_DRAWERS.get(row.kind, _legend_text)(canvas, row, x0, top)
        top -= row.height_px


def _legend_text(canvas: _Canvas, row: _Row, x: float, top: float) -> None:
    line_h = row.font.line_px(canvas.layout.dpi)
    muted = row.kind in ("group", "credit", "footnote", "note", "more")
    gap = line_h * 0.5 if row.kind in ("group", "footnote", "credit") else 0.0
    for i, line in enumerate(row.lines):
        canvas.text(
            x + row.indent_px,
            top - gap - i * line_h,
            line,
            row.font,
            va="top",
            ha="left",
            color=MUTED_COLOR if muted else TEXT_COLOR,
        )


def _symbol_box(
    canvas: _Canvas, row: _Row, x: float, top: float
) -> tuple[float, float, float, float]:
    s = row.font.size_pt / _FONT_PT["legend"]  # below 1 when the legend was shrunk to fit
    line_h = row.font.line_px(canvas.layout.dpi)
    w, h = _SYMBOL_W_PX * s * canvas.layout.dpi / 150, line_h * 0.62
    return x, top - line_h / 2 - h / 2 - line_h * 0.04, w, h


def _legend_layer(canvas: _Canvas, row: _Row, x: float, top: float) -> None:
    assert row.layer is not None
    layer = row.layer
    bx, by, w, h = _symbol_box(canvas, row, x, top)
    paint = _paint(layer.style, canvas.scale, uncertain=False, layer_id=layer.id)
    kinds = set(layer.features["kind"]) if len(layer.features) else {"region"}
    fig = canvas.fig
    if kinds & {"region", "range"} or not kinds & {"link", "site"}:
        fig.add_artist(
            Rectangle(
                (canvas.fx(bx), canvas.fy(by)),
                canvas.fx(w),
                canvas.fy(h),
                transform=fig.transFigure,
                facecolor=paint.fill,
                edgecolor=paint.stroke,
                linewidth=paint.linewidth * 0.8,
                linestyle=paint.linestyle,
            )
        )
    elif "link" in kinds:
        fig.add_artist(
            Line2D(
                [canvas.fx(bx), canvas.fx(bx + w)],
                [canvas.fy(by + h / 2)] * 2,
                transform=fig.transFigure,
                color=paint.stroke,
                linewidth=paint.linewidth,
                linestyle=paint.linestyle,
            )
        )
    else:
        _legend_marker(canvas, bx + w / 2, by + h / 2, "o", paint.stroke[:3])
    _legend_text(canvas, row, x, top)


def _legend_marker(canvas: _Canvas, px: float, py: float, role: str, color: Any) -> None:
    marker, rel = _ROLE_MARKERS.get(role, ("o", 1.0)) if role in _ROLE_MARKERS else (role, 1.0)
    canvas.fig.add_artist(
        Line2D(
            [canvas.fx(px)],
            [canvas.fy(py)],
            transform=canvas.fig.transFigure,
            linestyle="none",
            marker=marker,
            markersize=6.5 * canvas.scale * rel,
            markerfacecolor=color,
            markeredgecolor="white",
            markeredgewidth=0.9 * canvas.scale,
        )
    )


def _legend_role(canvas: _Canvas, row: _Row, x: float, top: float) -> None:
    bx, by, w, h = _symbol_box(canvas, row, x, top)
    _legend_marker(canvas, bx + w / 2, by + h / 2, row.marker, "#59636b")
    _legend_text(canvas, row, x, top)


_LEGEND_DRAWERS: dict[str, Callable[..., None]] = {"layer": _legend_layer, "role": _legend_role}


def _draw_sources(canvas: _Canvas) -> None:
    """Draw the numbered source list in columns under the map."""
    layout = canvas.layout
    if not layout.source_columns:
        return
    x0, y0, w, h = layout.footer_box
    heading = layout.fonts["group"]
    top = y0 + h
    canvas.text(x0, top, "Sources", heading, va="top", ha="left", color=MUTED_COLOR)
    top -= heading.line_px(layout.dpi) * 1.3
    n_cols = len(layout.source_columns)
    margin = round(0.02 * layout.width_px)
    col_w = (w - margin * (n_cols - 1)) / max(n_cols, 1)
    for c, column in enumerate(layout.source_columns):
        y = top
        for row in column:
            _source_row(canvas, row, x0 + c * (col_w + margin), y)
            y -= row.height_px


def _source_row(canvas: _Canvas, row: _Row, x: float, top: float) -> None:
    dpi = canvas.layout.dpi
    line_h = row.font.line_px(dpi)
    if row.marker:
        canvas.text(x, top, row.marker, row.font, va="top", ha="left", color=MUTED_COLOR)
    indent = row.font.width_px("[00] ", dpi) if row.kind == "source" else 0.0
    for i, line in enumerate(row.lines):
        canvas.text(x + indent, top - i * line_h, line, row.font, va="top", ha="left")


# --- writing ---------------------------------------------------------------------------------


def _write_atomically(
    fig: Figure, target: Path, *, fmt: str, dpi: float, metadata: Mapping[str, Any]
) -> None:
    """Save into a temporary file beside `target`, then rename it over `target`."""
    with atomic_target(target) as temp:
        fig.savefig(temp, format=fmt, dpi=dpi, metadata=dict(metadata), facecolor="white")
