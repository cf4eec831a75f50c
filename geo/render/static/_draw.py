"""Draw a planned layout into a matplotlib figure: for each map its base map, graticule, layers
and names, then the text around: title, headings, legends, sources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from shapely.geometry.base import BaseGeometry

from geo.render.style import BASEMAP

from ._canvas import Canvas
from ._frame import Frame, area_path
from ._labels import draw_labels, draw_sea_labels
from ._layers import draw_layers
from ._layout import Pane, Sheet
from ._panels import draw_header, draw_heading, draw_legend, draw_scale_bar, draw_sources
from ._text import Labels
from ._theme import CSS_PX_PT, GRATICULE_COLOR

_GRATICULE_STEPS_DEG = (1, 2, 5, 10, 15, 20, 30)


def draw(layout: Sheet, basemap: Mapping[str, Any]) -> Figure:
    """Return a figure with everything `layout` plans, over the land and seas of `basemap`."""
    fig = Figure(
        figsize=(layout.width_px / layout.dpi, layout.height_px / layout.dpi), dpi=layout.dpi
    )
    FigureCanvasAgg(fig)  # Agg explicitly: there is no display here, and no pyplot state
    fig.patch.set_facecolor("white")
    canvases = [draw_map(fig, layout, pane, basemap) for pane in layout.panes]
    draw_header(canvases[0])
    for canvas in canvases:
        draw_heading(canvas)
        draw_legend(canvas)
    draw_sources(canvases[0])
    return fig


def draw_map(fig: Figure, layout: Sheet, pane: Pane, basemap: Mapping[str, Any]) -> Canvas:
    """Draw one map of the image in its box: base map, graticule, layers, scale bar, names.

    Return the canvas of the map, for the legend and text around it.
    """
    ax = _map_axes(fig, layout, pane)
    x0, y0, w, h = pane.map_box
    frame = Frame.for_view(pane.projection, pane.view)
    canvas = Canvas(fig, ax, layout, pane, frame, Labels((x0, y0, x0 + w, y0 + h)))
    _draw_base(canvas, basemap)
    _draw_graticule(canvas)
    sites = draw_layers(canvas)
    draw_scale_bar(canvas)  # before the names, which then keep off it
    draw_labels(canvas, sites)
    draw_sea_labels(canvas, basemap.get("seas"))
    return canvas


def _map_axes(fig: Figure, layout: Sheet, pane: Pane) -> Any:
    x0, y0, w, h = pane.map_box
    W, H = layout.width_px, layout.height_px
    ax = fig.add_axes((x0 / W, y0 / H, w / W, h / H))
    xmin, ymin, xmax, ymax = pane.view
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("auto")  # the view already has the box's aspect ratio
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(BASEMAP.sea)
    for spine in ax.spines.values():
        spine.set_color("#8a959d")
        spine.set_linewidth(0.6 * layout.scale)
    return ax


def _geometries(frame: Any) -> list[BaseGeometry]:
    if frame is None or not len(frame):
        return []
    if getattr(frame, "crs", None) is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return [g for g in frame.geometry if g is not None]


def _draw_base(canvas: Canvas, basemap: Mapping[str, Any]) -> None:
    """Draw land over the sea-coloured axes, then borders, as the page's vector base map does.

    Coasts are where land meets sea, not a line of their own: the page draws none either.
    """
    land = _geometries(basemap.get("land"))
    path = area_path(canvas.frame.areas(land))
    if path is not None:
        canvas.add_shape(PathPatch(path, facecolor=BASEMAP.land, edgecolor="none", zorder=1))
    borders = _geometries(basemap.get("borders"))
    width = BASEMAP.border_width * CSS_PX_PT * canvas.scale
    canvas.add_lines(canvas.frame.strokes(borders), color=BASEMAP.border, width=width, zorder=1.3)


def _draw_graticule(canvas: Canvas) -> None:
    """Draw meridians and parallels every few degrees, faintly, under the layers."""
    xmin, _, xmax, _ = canvas.pane.view
    span_deg = (xmax - xmin) / 111_000
    step = next((s for s in _GRATICULE_STEPS_DEG if span_deg / s <= 8), 30)
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
    canvas.add_lines(lines, color=GRATICULE_COLOR, width=0.55 * canvas.scale, zorder=1.5)
