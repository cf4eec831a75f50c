"""Draw what surrounds the map: scale bar, title and date, legend panel, numbered sources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyproj
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

from geo.render.style import FALLBACK_ROLE, LEGEND_KEY_COLOR

from ._canvas import Canvas, marker_look, paint, uncertain_dashes
from ._rows import Row
from ._theme import FONT_PT, MUTED_COLOR, SYMBOL_W_PX, TEXT_COLOR

_GEOD = pyproj.Geod(ellps="WGS84")
_NICE_KM = (10, 20, 50, 100, 200, 250, 500, 1000, 1500, 2000, 2500, 3000, 5000)


def draw_scale_bar(canvas: Canvas) -> None:
    """Draw a scale bar at the lower left of the map, true along its own latitude."""
    layout = canvas.layout
    xmin, ymin, xmax, ymax = layout.view
    bx, by = xmin + 0.03 * (xmax - xmin), ymin + 0.045 * (ymax - ymin)
    probe = 0.1 * (xmax - xmin)
    lon, lat = layout.projection.inverse([bx, bx + probe], [by, by])
    if not np.isfinite(lon).all():
        return
    _, _, metres = _GEOD.inv(lon[0], lat[0], lon[1], lat[1])
    km_per_unit = metres / 1000 / probe
    nice = [v for v in _NICE_KM if v / km_per_unit <= 0.2 * (xmax - xmin)]
    if not nice:
        return
    km = nice[-1]
    _scale_bar_artists(canvas, bx, by, km / km_per_unit, km)


def _scale_bar_artists(canvas: Canvas, bx: float, by: float, length: float, km: int) -> None:
    height = length * 0.045
    pad = length * 0.06
    backdrop = FancyBboxPatch(
        (bx - pad, by - height * 0.8),
        length + 2 * pad,
        height * 4.6,
        boxstyle="round,pad=0",
        facecolor="white",
        edgecolor="none",
        alpha=0.75,
        zorder=8,
    )
    canvas.ax.add_patch(backdrop)
    _scale_bar_body(canvas, bx, by, length, km)
    px0, py0 = canvas.px(bx - pad, by - height * 0.8)
    px1, py1 = canvas.px(bx + length + 2 * pad, by + height * 4)
    canvas.labels.block((px0, py0, px1 + 20 * canvas.unit, py1))


def _scale_bar_body(canvas: Canvas, bx: float, by: float, length: float, km: int) -> None:
    """Draw the two halves of the bar, dark and light, and the distances above them."""
    height = length * 0.045
    for i, color in enumerate((TEXT_COLOR, "white")):
        half = Rectangle(
            (bx + i * length / 2, by),
            length / 2,
            height,
            facecolor=color,
            edgecolor=TEXT_COLOR,
            linewidth=0.5 * canvas.scale,
            zorder=9,
        )
        canvas.ax.add_patch(half)
    font = canvas.layout.fonts["scale"]
    for frac, text in ((0, "0"), (0.5, f"{km / 2:,g}"), (1, f"{km:,} km")):
        canvas.ax.text(
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


def draw_header(canvas: Canvas) -> None:
    """Draw the title lines and the date line above the map."""
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


def draw_legend(canvas: Canvas) -> None:
    """Draw the legend rows top-down in the panel right of the map."""
    x0, y0, _, h = canvas.layout.legend_box
    top = y0 + h
    for row in canvas.layout.legend_rows:
        _LEGEND_DRAWERS.get(row.kind, _legend_text)(canvas, row, x0, top)
        top -= row.height_px


def _legend_text(canvas: Canvas, row: Row, x: float, top: float) -> None:
    line_h = row.font.line_px(canvas.layout.dpi)
    muted = row.kind in ("group", "credit", "uncertain", "note", "more")
    gap = line_h * 0.5 if row.kind in ("group", "uncertain", "credit") else 0.0
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
    canvas: Canvas, row: Row, x: float, top: float
) -> tuple[float, float, float, float]:
    s = row.font.size_pt / FONT_PT["legend"]  # below 1 when the legend was shrunk to fit
    line_h = row.font.line_px(canvas.layout.dpi)
    w, h = SYMBOL_W_PX * s * canvas.layout.dpi / 150, line_h * 0.62
    return x, top - line_h / 2 - h / 2 - line_h * 0.04, w, h


def _legend_layer(canvas: Canvas, row: Row, x: float, top: float) -> None:
    """Draw a layer's symbol (a swatch, a line or a dot, by what it holds) and its title."""
    assert row.layer is not None
    layer = row.layer
    bx, by, w, h = _symbol_box(canvas, row, x, top)
    look = paint(layer.style, canvas.scale, uncertain=False, layer_id=layer.id)
    kinds = set(layer.features["kind"]) if len(layer.features) else {"region"}
    fig = canvas.fig
    if kinds & {"region", "range"} or not kinds & {"link", "site"}:
        swatch = Rectangle(
            (canvas.fx(bx), canvas.fy(by)),
            canvas.fx(w),
            canvas.fy(h),
            transform=fig.transFigure,
            facecolor=look.fill,
            edgecolor=look.stroke,
            linewidth=look.linewidth * 0.8,
            linestyle=look.linestyle,
        )
        fig.add_artist(swatch)
    elif "link" in kinds:
        line = Line2D(
            [canvas.fx(bx), canvas.fx(bx + w)],
            [canvas.fy(by + h / 2)] * 2,
            transform=fig.transFigure,
            color=look.stroke,
            linewidth=look.linewidth,
            linestyle=look.linestyle,
        )
        fig.add_artist(line)
    else:
        _legend_marker(canvas, bx + w / 2, by + h / 2, FALLBACK_ROLE, look.stroke[:3])
    _legend_text(canvas, row, x, top)


def _legend_marker(canvas: Canvas, px: float, py: float, role: str, color: Any) -> None:
    mark = Line2D(
        [canvas.fx(px)],
        [canvas.fy(py)],
        transform=canvas.fig.transFigure,
        linestyle="none",
        gid=f"legend-symbol-{role}",
        **marker_look(role, color, canvas.scale, uncertain=False),
    )
    canvas.fig.add_artist(mark)


def _legend_role(canvas: Canvas, row: Row, x: float, top: float) -> None:
    bx, by, w, h = _symbol_box(canvas, row, x, top)
    _legend_marker(canvas, bx + w / 2, by + h / 2, row.marker, LEGEND_KEY_COLOR)
    _legend_text(canvas, row, x, top)


def _legend_uncertain(canvas: Canvas, row: Row, x: float, top: float) -> None:
    """Draw the key of uncertain features: a dotted outline, as on the page, and its words."""
    gap = row.font.line_px(canvas.layout.dpi) * 0.5
    bx, by, w, h = _symbol_box(canvas, row, x, top - gap)
    key = Rectangle(
        (canvas.fx(bx), canvas.fy(by)),
        canvas.fx(w),
        canvas.fy(h),
        transform=canvas.fig.transFigure,
        facecolor="none",
        edgecolor=LEGEND_KEY_COLOR,
        linewidth=1.2 * canvas.scale,
        linestyle=uncertain_dashes(canvas.scale),
        capstyle="round",
        gid="legend-uncertain",
    )
    canvas.fig.add_artist(key)
    _legend_text(canvas, row, x, top)


_LEGEND_DRAWERS: dict[str, Callable[[Canvas, Row, float, float], None]] = {
    "layer": _legend_layer,
    "role": _legend_role,
    "uncertain": _legend_uncertain,
}


def draw_sources(canvas: Canvas) -> None:
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


def _source_row(canvas: Canvas, row: Row, x: float, top: float) -> None:
    dpi = canvas.layout.dpi
    line_h = row.font.line_px(dpi)
    if row.marker:
        canvas.text(x, top, row.marker, row.font, va="top", ha="left", color=MUTED_COLOR)
    indent = row.font.width_px("[00] ", dpi) if row.kind == "source" else 0.0
    for i, line in enumerate(row.lines):
        canvas.text(x + indent, top - i * line_h, line, row.font, va="top", ha="left")
