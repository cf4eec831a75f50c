"""Plan the image before drawing: size, projection, view, and where title, legend and sources go.

Boxes are in image pixels with the origin at the bottom left, like matplotlib's figure pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import Atlas, Layer, Source
from geo.errors import ExportError

from ._frame import Frame, project_points
from ._projection import MapProjection, choose_projection, lonlat_bounds
from ._rows import Row, legend_rows, number_sources, source_rows
from ._text import Font, wrap
from ._theme import BASE_WIDTH_IN, FONT_PT

_MIN_EXTENT_M = 6e5  # a map of one site still shows 600 km around it


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
    legend_rows: tuple[Row, ...]
    source_columns: tuple[tuple[Row, ...], ...]
    layers: tuple[Layer, ...]
    fonts: Mapping[str, Font]

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


def fonts_for(scale: float) -> dict[str, Font]:
    """Return the fonts of every text block, `scale` times the sizes of a 1600 px image."""
    fonts = {key: Font(size * scale) for key, size in FONT_PT.items()}
    fonts["title"] = replace(fonts["title"], weight="bold")
    fonts["group"] = Font(FONT_PT["legend"] * scale, weight="bold")
    fonts["note"] = Font(FONT_PT["legend_small"] * scale, style="italic")
    fonts["sea"] = replace(fonts["sea"], style="italic")
    return fonts


def font_scale(width_px: int, dpi: float) -> float:
    """Return how much larger than on the 1600 px, 150 dpi reference the text is drawn."""
    return min(max(width_px / dpi / BASE_WIDTH_IN, 0.5), 2.5)


def unit_px(scale: float, dpi: float) -> float:
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
    page = _Page.of(width_px, dpi)
    title_text = atlas.title if title is None else title
    header = page.header(title_text, _default_date_text(layers) if date_text is None else date_text)
    return _fit_layout(page, header, layers, projection, extent, height_px)


@dataclass(frozen=True)
class _Header:
    title_lines: tuple[str, ...]
    date_line: str | None
    height_px: float  # with the margin above it


@dataclass(frozen=True)
class _Page:
    """What the image width fixes: text sizes, margins and the widths of map and legend."""

    width_px: int
    dpi: float
    scale: float
    fonts: Mapping[str, Font]
    margin: int
    legend_w: float

    @classmethod
    def of(cls, width_px: int, dpi: float) -> _Page:
        scale = font_scale(width_px, dpi)
        unit = unit_px(scale, dpi)
        legend_w = min(max(0.23 * width_px, 170.0 * unit), 440.0 * unit)
        return cls(width_px, dpi, scale, fonts_for(scale), round(0.02 * width_px), legend_w)

    @property
    def map_w(self) -> float:
        return self.width_px - 2 * self.margin - self.margin - self.legend_w

    @property
    def footer_w(self) -> float:
        return self.width_px - 2 * self.margin

    def header(self, title: str, date_line: str | None) -> _Header:
        """Wrap the title across the image; an empty title takes no room."""
        font = self.fonts["title"]
        lines = tuple(wrap(title, font, self.width_px - 2 * self.margin, self.dpi)) if title else ()
        height = len(lines) * font.line_px(self.dpi)
        height += self.fonts["date"].line_px(self.dpi) * 1.2 if date_line else 0.0
        return _Header(lines, date_line, height + self.margin)


def _fit_layout(
    page: _Page,
    header: _Header,
    layers: tuple[Layer, ...],
    projection: MapProjection,
    extent: Sequence[float],
    height_px: int | None,
) -> StaticLayout:
    numbers, sources = number_sources(layers)

    def make_legend(factor: float) -> list[Row]:
        fonts = fonts_for(page.scale * factor)
        return legend_rows(layers, numbers, fonts, page.legend_w, page.dpi, projection)

    fit = _Fit(height_px, page, header.height_px, extent)
    columns, footer_h, map_h, legend = fit.solve(sources, make_legend)
    margin, map_w = page.margin, page.map_w
    return StaticLayout(
        width_px=page.width_px,
        height_px=height_px or round(header.height_px + map_h + footer_h + margin),
        dpi=page.dpi,
        scale=page.scale,
        projection=projection,
        view=_fit_view(extent, map_w / map_h),
        map_box=(float(margin), footer_h, map_w, map_h),
        legend_box=(margin + map_w + margin, footer_h, page.legend_w, map_h),
        footer_box=(float(margin), margin * 0.6, page.footer_w, footer_h - margin * 1.4),
        title_lines=header.title_lines,
        date_line=header.date_line,
        legend_rows=tuple(legend),
        source_columns=columns,
        layers=layers,
        fonts=page.fonts,
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
    # the same range as the CLI's --dpi
    if not (isinstance(dpi, int | float | np.number) and 50 <= dpi <= 1200):
        raise ExportError(f"dpi: {dpi!r} is not allowed; expected a number 50–1200")


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
    frame = Frame(proj, (-4e7, -4e7, 4e7, 4e7))
    shapes = np.concatenate([frame.areas(geoms), frame.strokes(geoms), project_points(geoms, proj)])
    if not len(shapes):
        raise ExportError("nothing to draw: no feature of the selected layers can be projected")
    xmin, ymin, xmax, ymax = shapely.total_bounds(shapes)
    half_w = max((xmax - xmin) / 2 * 1.1, _MIN_EXTENT_M / 2)
    half_h = max((ymax - ymin) / 2 * 1.1, _MIN_EXTENT_M / 2)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _fit_view(extent: Sequence[float], aspect: float) -> tuple[float, float, float, float]:
    """Widen the extent to the map box's aspect ratio (width / height), keeping its centre.

    >>> _fit_view((0, 0, 10, 10), 2.0)
    (-5.0, 0.0, 15.0, 10.0)
    """
    xmin, ymin, xmax, ymax = extent
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


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

    height_px: int | None
    page: _Page
    header_h: float
    extent: Sequence[float]

    def solve(
        self,
        sources: Sequence[tuple[int, Source]],
        make_legend: Callable[[float], list[Row]],
    ) -> tuple[tuple[tuple[Row, ...], ...], float, float, list[Row]]:
        """Return source columns, footer height, map height and legend rows that fit."""
        xmin, ymin, xmax, ymax = self.extent
        map_w = self.page.map_w
        natural_h = map_w * (ymax - ymin) / (xmax - xmin)
        natural_h = min(max(natural_h, 0.45 * map_w), 1.3 * map_w)
        if self.height_px is None:  # the image grows to fit everything at full size
            columns, footer_h = self._sources(sources, max_h=None)
            legend = make_legend(1.0)
            return columns, footer_h, max(natural_h, _rows_height(legend)), legend
        room = self.height_px - self.header_h - self.page.margin
        # the map and its legend matter more than the list of sources
        columns, footer_h = self._sources(sources, max_h=0.35 * room)
        map_h = room - footer_h
        for factor in (1.0, 0.9, 0.8):
            legend = make_legend(factor)
            if _rows_height(legend) <= map_h:
                break
        return columns, footer_h, map_h, _fit_rows(legend, map_h, "layers")

    def _sources(
        self, sources: Sequence[tuple[int, Source]], *, max_h: float | None
    ) -> tuple[tuple[tuple[Row, ...], ...], float]:
        page = self.page
        if not sources:
            return (), page.margin * 1.2
        n_cols = 2 if page.footer_w >= 1000 else 1
        col_w = (page.footer_w - page.margin * (n_cols - 1)) / n_cols
        extra = page.fonts["group"].line_px(page.dpi) * 1.3 + page.margin * 1.6  # heading, gaps
        for factor in (1.0, 0.9, 0.8):  # smaller would be unreadable: cut the list instead
            font = Font(page.fonts["source"].size_pt * factor)
            rows = source_rows(sources, font, col_w, page.dpi)
            columns = _balance(rows, n_cols)
            if max_h is None or _tallest(columns) + extra <= max_h:
                return columns, _tallest(columns) + extra
        assert max_h is not None  # without a limit the first try returned
        budget = (max_h - extra) * n_cols * 0.95  # a little slack for uneven columns
        columns = _balance(_fit_rows(rows, budget, "sources"), n_cols)
        return columns, _tallest(columns) + extra


def _tallest(columns: Sequence[Sequence[Row]]) -> float:
    return max(_rows_height(column) for column in columns)


def _rows_height(rows: Sequence[Row]) -> float:
    """Return the height in pixels of rows drawn one under another."""
    return float(sum(row.height_px for row in rows))


def _fit_rows(rows: list[Row], max_h: float, what: str) -> list[Row]:
    """Cut rows that do not fit into `max_h` and say how many were left out."""
    if _rows_height(rows) <= max_h or not rows:
        return rows
    more_font = rows[-1].font
    line_h = rows[0].height_px / max(len(rows[0].lines), 1)
    kept: list[Row] = []
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
    return [*kept, Row("more", (text,), more_font, line_h)]


def _balance(rows: Sequence[Row], n_cols: int) -> tuple[tuple[Row, ...], ...]:
    """Split rows into columns of about equal height, keeping their order."""
    if n_cols == 1 or len(rows) < 2:
        return (tuple(rows),)
    target = _rows_height(rows) / n_cols
    columns: list[list[Row]] = [[]]
    used = 0.0
    for row in rows:
        if used + row.height_px / 2 > target and len(columns) < n_cols and columns[-1]:
            columns.append([])
            used = 0.0
        columns[-1].append(row)
        used += row.height_px
    return tuple(tuple(c) for c in columns)
