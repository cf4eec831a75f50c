"""Write the names on the map: sites first, then ranges, regions and links, then seas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.render.style import BASEMAP

from ._canvas import Canvas, halo
from ._features import cell_text, rows_of
from ._text import Box, Font, ellipsize, wrap
from ._theme import TEXT_COLOR


@dataclass(frozen=True)
class SiteMark:
    """A site drawn on the map whose name still has to be placed."""

    px: float
    py: float
    radius_px: float
    text: str


@dataclass(frozen=True)
class PendingLabel:
    """A range or region name waiting for a free spot: candidate anchors in pixels."""

    anchors: tuple[tuple[float, float], ...]
    text: str
    color: tuple[float, float, float]
    italic: bool


def draw_labels(canvas: Canvas, pending: Sequence[SiteMark | PendingLabel]) -> None:
    """Place site names first (they matter most), then range, region and link names."""
    for item in pending:
        if isinstance(item, SiteMark):
            _place_site_label(canvas, item)
    for item in pending:
        if isinstance(item, PendingLabel):
            _place_area_label(canvas, item)


def _label_size(canvas: Canvas, lines: Sequence[str], font: Font) -> tuple[float, float]:
    dpi = canvas.layout.dpi
    return max(font.width_px(line, dpi) for line in lines), len(lines) * font.line_px(dpi)


def _place_site_label(canvas: Canvas, site: SiteMark) -> None:
    font = canvas.layout.fonts["label"]
    dpi = canvas.layout.dpi
    lines = ellipsize(
        wrap(site.text, font, 150 * canvas.unit, dpi), 2, font, 150 * canvas.unit, dpi
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
    draw_block(canvas, boxes[choice], lines, font, color=TEXT_COLOR, ha="left")


def _place_area_label(canvas: Canvas, label: PendingLabel) -> None:
    font = replace(
        canvas.layout.fonts["label"],
        style="italic" if label.italic else "normal",
        weight="normal" if label.italic else "bold",
    )
    limit = 200 * canvas.unit
    lines = ellipsize(
        wrap(label.text, font, limit, canvas.layout.dpi), 2, font, limit, canvas.layout.dpi
    )
    w, h = _label_size(canvas, lines, font)
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in label.anchors]
    choice = canvas.labels.choose(boxes, must=False)
    if choice is not None:
        draw_block(canvas, boxes[choice], lines, font, color=label.color, ha="center")


def draw_block(
    canvas: Canvas,
    box: Box,
    lines: Sequence[str],
    font: Font,
    *,
    color: Any,
    ha: str,
    with_halo: bool = True,
) -> None:
    """Draw lines of text filling `box` (pixels) and keep others from overlapping it."""
    x0, _, x1, y1 = box
    line_h = font.line_px(canvas.layout.dpi)
    x = x0 if ha == "left" else (x0 + x1) / 2
    for i, line in enumerate(lines):
        y = y1 - i * line_h - line_h / 2
        if with_halo:
            canvas.text(
                x,
                y,
                line,
                font,
                color="white",
                ha=ha,
                va="center_baseline",
                path_effects=halo(canvas.scale),
                zorder=19,
            )
        canvas.text(x, y, line, font, color=color, ha=ha, va="center_baseline", zorder=20)
    canvas.labels.block(box)


def draw_sea_labels(canvas: Canvas, seas: Any) -> None:
    """Name the seas that are large in this view, where no other label is."""
    if seas is None or not len(seas) or "name" not in seas:
        return
    view_area = _box_area(canvas.layout.view)
    font = canvas.layout.fonts["sea"]
    chosen: dict[str, tuple[float, Any]] = {}
    for row in rows_of(seas):
        name, point = cell_text(getattr(row, "name", None)), _sea_point(row)
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


def _place_sea_label(canvas: Canvas, name: str, lon: float, lat: float, font: Font) -> None:
    x, y = canvas.layout.projection.forward(lon, lat)
    if not np.isfinite(x):
        return
    px, py = canvas.px(x, y)
    dpi = canvas.layout.dpi
    # two lines for long names ("Mediterranean / Sea"), but never inside a word
    full = font.width_px(name, dpi)
    widest_word = max(font.width_px(word, dpi) for word in name.split())
    width = full if full <= 75 * canvas.unit else max(full * 0.55, widest_word)
    lines = wrap(name, font, width, dpi)
    w, h = _label_size(canvas, lines, font)
    box = (px - w / 2, py - h / 2, px + w / 2, py + h / 2)
    if canvas.labels.choose([box], must=False) is not None:
        draw_block(canvas, box, lines, font, color=BASEMAP.sea_label, ha="center", with_halo=False)
