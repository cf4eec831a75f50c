"""Draw what surrounds a map: scale bar, title and date, heading, legend panel, sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

from geo.render.style import FALLBACK_ROLE, LEGEND_KEY_COLOR

from ._canvas import Canvas, marker_look, paint, uncertain_dashes
from ._rows import Row
from ._text import Box, Font
from ._theme import FONT_PT, MUTED_COLOR, SYMBOL_W_PX, TEXT_COLOR

_GEOD = pyproj.Geod(ellps="WGS84")
_NICE_KM = (10, 20, 50, 100, 200, 250, 500, 1000, 1500, 2000, 2500, 3000, 5000)


#: Where the scale bar may go, in the order tried: (right side?, top side?) of the map.
_CORNERS = ((False, False), (True, False), (False, True), (True, True))
#: The bar spans at most this share of the map's width, or up to the larger share where its
#: distances would otherwise run together (on a narrow map, as each map of a compare image).
_BAR_SHARE, _BAR_SHARE_MAX = 0.2, 0.35


@dataclass(frozen=True)
class _Bar:
    """A scale bar planned in image pixels: where the bar starts, its length, its box."""

    x_px: float
    y_px: float
    length_px: float
    km: int
    box: Box  # the backdrop, with the distances written over the bar


def draw_scale_bar(canvas: Canvas) -> None:
    """Draw a scale bar, true along its own latitude, in the corner where it hides the fewest
    site symbols (the lower left when it hides none); no label is placed over it after."""
    bars = [bar for corner in _CORNERS if (bar := _bar_in_corner(canvas, *corner))]
    if not bars:
        return
    bar = bars[int(np.argmin([canvas.labels.overlap(bar.box) for bar in bars]))]
    _scale_bar_artists(canvas, bar)
    canvas.labels.block(bar.box, closed=True)


def _bar_in_corner(canvas: Canvas, right: bool, top: bool) -> _Bar | None:
    layout, unit = canvas.layout, canvas.unit
    font = layout.fonts["scale"]
    x0, y0, w, h = canvas.pane.map_box
    pad, bar_h = 4 * unit, 4.5 * unit
    total_h = pad + bar_h + 2 * unit + font.line_px(layout.dpi) + pad
    ax_px = x0 + w - 0.03 * w if right else x0 + 0.03 * w
    ay_px = y0 + h - 0.03 * h - total_h + pad if top else y0 + 0.03 * h + pad
    km_per_px = _km_per_px(canvas, ax_px, ay_px)
    km = _bar_km(font, km_per_px, w, layout.dpi) if km_per_px else None
    if km_per_px is None or km is None:
        return None
    length = km / km_per_px
    left = ax_px - length if right else ax_px
    end_w = font.width_px(f"{km:,} km", layout.dpi) / 2
    start_w = font.width_px("0", layout.dpi) / 2
    box = (left - pad - start_w, ay_px - pad, left + length + end_w + pad, ay_px - pad + total_h)
    return _Bar(left, ay_px, length, km, box)


def _bar_km(font: Font, km_per_px: float, map_w: float, dpi: float) -> int | None:
    """Return the distance the bar spans: the longest round one within a fifth of the map,
    or a longer one within `_BAR_SHARE_MAX` if that one's distances would run together."""
    fits = [v for v in _NICE_KM if v / km_per_px <= _BAR_SHARE * map_w]
    if not fits:
        return None
    longer = [v for v in _NICE_KM if fits[-1] <= v and v / km_per_px <= _BAR_SHARE_MAX * map_w]
    apart = [v for v in longer if _marks_apart(font, v, v / km_per_px, dpi)]
    return apart[0] if apart else fits[-1]


def _marks_apart(font: Font, km: int, length_px: float, dpi: float) -> bool:
    """Return whether the middle and end distances of a bar leave a digit's width between them.

    >>> _marks_apart(Font(6.2), 500, 78, 150), _marks_apart(Font(6.2), 1000, 156, 150)
    (False, True)
    """
    half_mid = font.width_px(f"{km / 2:,g}", dpi) / 2
    half_end = font.width_px(f"{km:,} km", dpi) / 2
    return length_px / 2 - half_mid - half_end >= font.width_px("0", dpi)


def _km_per_px(canvas: Canvas, px: float, py: float) -> float | None:
    """Return how many kilometres one image pixel spans eastwards at pixel (px, py)."""
    pane = canvas.pane
    x, y = _data_of(canvas, px, py)
    probe = 0.1 * (pane.view[2] - pane.view[0])
    lon, lat = pane.projection.inverse([x, x + probe], [y, y])
    if not np.isfinite(lon).all():
        return None
    _, _, metres = _GEOD.inv(lon[0], lat[0], lon[1], lat[1])
    probe_px = probe / (pane.view[2] - pane.view[0]) * pane.map_box[2]
    return float(metres) / 1000 / probe_px


def _data_of(canvas: Canvas, px: float, py: float) -> tuple[float, float]:
    """Return the projected metres of image pixel (px, py) inside the map."""
    xmin, ymin, xmax, ymax = canvas.pane.view
    x0, y0, w, h = canvas.pane.map_box
    return xmin + (px - x0) / w * (xmax - xmin), ymin + (py - y0) / h * (ymax - ymin)


def _scale_bar_artists(canvas: Canvas, bar: _Bar) -> None:
    x0, y0, x1, y1 = bar.box
    (dx0, dy0), (dx1, dy1) = _data_of(canvas, x0, y0), _data_of(canvas, x1, y1)
    backdrop = FancyBboxPatch(
        (dx0, dy0),
        dx1 - dx0,
        dy1 - dy0,
        boxstyle="round,pad=0",
        facecolor="white",
        edgecolor="none",
        alpha=0.75,
        zorder=8,
        gid=canvas.gid("scale-bar"),
    )
    canvas.ax.add_patch(backdrop)
    _scale_bar_body(canvas, bar)


def _scale_bar_body(canvas: Canvas, bar: _Bar) -> None:
    """Draw the two halves of the bar, dark and light, and the distances above them."""
    bar_h = 4.5 * canvas.unit
    bx, by = _data_of(canvas, bar.x_px, bar.y_px)
    ex, ey = _data_of(canvas, bar.x_px + bar.length_px, bar.y_px + bar_h)
    length, height = ex - bx, ey - by
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
    _, text_y = _data_of(canvas, bar.x_px, bar.y_px + bar_h + 2 * canvas.unit)
    km = bar.km
    for i, (frac, text) in enumerate(((0, "0"), (0.5, f"{km / 2:,g}"), (1, f"{km:,} km"))):
        canvas.ax.text(
            bx + frac * length,
            text_y,
            text,
            fontsize=font.size_pt,
            ha="center",
            va="bottom",
            color=TEXT_COLOR,
            parse_math=False,
            zorder=9,
            gid=canvas.gid(f"scale-bar-text-{i}"),
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
    top -= date_font.line_px(layout.dpi) * 0.1
    for line in layout.date_lines:
        canvas.text(margin, top, line, date_font, va="top", ha="left", color=MUTED_COLOR)
        top -= date_font.line_px(layout.dpi)


def draw_heading(canvas: Canvas) -> None:
    """Draw the heading over the map, if it has one (each map of a compare image has)."""
    x0, y0, _, h = canvas.pane.heading_box
    font = canvas.layout.fonts["heading"]
    top = y0 + h
    for i, line in enumerate(canvas.pane.heading_lines):
        canvas.text(x0, top, line, font, va="top", ha="left", gid=canvas.gid(f"heading-{i}"))
        top -= font.line_px(canvas.layout.dpi)


def draw_legend(canvas: Canvas) -> None:
    """Draw the legend rows top-down, in the panel right of the map or in columns under it."""
    x0, y0, w, h = canvas.pane.legend_box
    columns = canvas.pane.legend_columns
    margin = round(0.02 * canvas.layout.width_px)
    col_w = (w - margin * (len(columns) - 1)) / max(len(columns), 1)
    for c, column in enumerate(columns):
        top = y0 + h
        for row in column:
            _LEGEND_DRAWERS.get(row.kind, _legend_text)(canvas, row, x0 + c * (col_w + margin), top)
            top -= row.height_px


def _legend_text(canvas: Canvas, row: Row, x: float, top: float) -> None:
    line_h = row.font.line_px(canvas.layout.dpi)
    muted = row.kind in ("group", "credit", "uncertain", "note", "omitted", "more")
    gap = line_h * 0.5 if row.kind in ("group", "uncertain", "credit", "omitted") else 0.0
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
        gid=canvas.gid(f"legend-symbol-{role}"),
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
        gid=canvas.gid("legend-uncertain"),
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
    first_url = len(row.lines) - row.url_lines
    for i, line in enumerate(row.lines):
        # each piece of a URL links to the whole URL (a link annotation in PDF, <a> in SVG)
        link = {"url": row.url} if i >= first_url and row.url else {}
        canvas.text(x + indent, top - i * line_h, line, row.font, va="top", ha="left", **link)
