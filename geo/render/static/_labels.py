"""Write the names on the map: sites first, then ranges, regions and links, then seas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from matplotlib.lines import Line2D
from shapely.geometry.base import BaseGeometry

from geo.render.style import BASEMAP

from ._canvas import Canvas, halo
from ._features import cell_text, rows_of
from ._text import Box, Font, wrap, wrap_within
from ._theme import MUTED_COLOR, TEXT_COLOR


@dataclass(frozen=True)
class SiteMark:
    """A site drawn on the map whose name still has to be placed."""

    px: float
    py: float
    radius_px: float
    text: str
    feature_id: str = ""


@dataclass(frozen=True)
class PendingLabel:
    """A range or region name waiting for a free spot: candidate anchors in pixels."""

    anchors: tuple[tuple[float, float], ...]
    text: str
    color: tuple[float, float, float]
    italic: bool
    feature_id: str = ""


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


def _boxes_around(x: float, y: float, gap: float, w: float, h: float) -> list[Box]:
    """Return label boxes w × h around (x, y) at `gap`: right, left, the corners, above, below."""
    corners = [
        (x + gap, y - h / 2),
        (x - gap - w, y - h / 2),
        (x + gap * 0.7, y + gap * 0.5),
        (x + gap * 0.7, y - gap * 0.5 - h),
        (x - gap * 0.7 - w, y + gap * 0.5),
        (x - gap * 0.7 - w, y - gap * 0.5 - h),
        (x - w / 2, y + gap),
        (x - w / 2, y - gap - h),
    ]
    return [(cx, cy, cx + w, cy + h) for cx, cy in corners]


def _place_site_label(canvas: Canvas, site: SiteMark) -> None:
    """Name a site beside its symbol; where all is taken, a little farther off, with a leader.

    Names are wrapped, never cut: up to three lines, wider when the name needs it.
    """
    font, dpi, unit = canvas.layout.fonts["label"], canvas.layout.dpi, canvas.unit
    lines = wrap_within(site.text, font, 150 * unit, dpi, max_lines=3, max_width_px=260 * unit)
    w, h = _label_size(canvas, lines, font)
    gap = site.radius_px + 2 * unit
    near = _boxes_around(site.px, site.py, gap, w, h)
    choice = canvas.labels.choose(near, must=True)
    if choice is not None:
        _draw_label(canvas, near[choice], lines, font, TEXT_COLOR, "left", site.feature_id)
        return
    far = [
        box
        for step in (14, 30, 48)
        for box in _boxes_around(site.px, site.py, gap + step * unit, w, h)
    ]
    choice = canvas.labels.choose(far, must=False)
    if choice is not None:
        _leader(canvas, site, far[choice])
        _draw_label(canvas, far[choice], lines, font, TEXT_COLOR, "left", site.feature_id)


def _leader(canvas: Canvas, site: SiteMark, box: Box) -> None:
    """Draw a thin line from a site's symbol to its name set apart from it."""
    x0, y0, x1, y1 = box
    tx, ty = min(max(site.px, x0), x1), min(max(site.py, y0), y1)
    dx, dy = tx - site.px, ty - site.py
    dist = max(float(np.hypot(dx, dy)), 1e-9)
    sx, sy = site.px + dx / dist * site.radius_px, site.py + dy / dist * site.radius_px
    leader = Line2D(
        [canvas.fx(sx), canvas.fx(tx)],
        [canvas.fy(sy), canvas.fy(ty)],
        transform=canvas.fig.transFigure,
        color=MUTED_COLOR,
        linewidth=0.5 * canvas.scale,
        zorder=18,
    )
    canvas.fig.add_artist(leader)


def _place_area_label(canvas: Canvas, label: PendingLabel) -> None:
    font = replace(
        canvas.layout.fonts["label"],
        style="italic" if label.italic else "normal",
        weight="normal" if label.italic else "bold",
    )
    unit, dpi = canvas.unit, canvas.layout.dpi
    lines = wrap_within(label.text, font, 200 * unit, dpi, max_lines=3, max_width_px=320 * unit)
    w, h = _label_size(canvas, lines, font)
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in label.anchors]
    choice = canvas.labels.choose(boxes, must=False)
    if choice is not None:
        _draw_label(canvas, boxes[choice], lines, font, label.color, "center", label.feature_id)


def _draw_label(
    canvas: Canvas, box: Box, lines: Sequence[str], font: Font, color: Any, ha: str, fid: str
) -> None:
    gid = canvas.gid(f"label-{fid}") if fid else None
    draw_block(canvas, box, lines, font, color=color, ha=ha, gid=gid)


def draw_block(
    canvas: Canvas,
    box: Box,
    lines: Sequence[str],
    font: Font,
    *,
    color: Any,
    ha: str,
    with_halo: bool = True,
    gid: str | None = None,
) -> None:
    """Draw lines of text filling `box` (pixels) and keep others from overlapping it.

    With a `gid`, line i of the text is the artist `{gid}-{i}` (an id in SVG).
    """
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
        line_gid = f"{gid}-{i}" if gid else None
        canvas.text(
            x, y, line, font, color=color, ha=ha, va="center_baseline", zorder=20, gid=line_gid
        )
    canvas.labels.block(box)


def draw_sea_labels(canvas: Canvas, seas: Any) -> None:
    """Name the seas that are large in this view, where no other label is."""
    if seas is None or not len(seas) or "name" not in seas:
        return
    view_area = _box_area(canvas.pane.view)
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
    x, y = canvas.pane.projection.forward(lon, lat)
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
