"""Draw the atlas layers on the map: one drawer per feature kind, in atlas order."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import shapely
from matplotlib.patches import PathPatch
from shapely.ops import polylabel

from ._canvas import Canvas, Paint, marker_look, marker_radius_pt, paint
from ._features import cell_text, geometry_kind, is_uncertain, kind_of, label_text, role_of, rows_of
from ._frame import area_path, parts
from ._labels import PendingLabel, SiteMark

#: Features of rank 0 are drawn first: areas, then lines, then sites, so small things stay on top.
_DRAW_RANK: Mapping[str, int] = {"region": 0, "range": 0, "link": 1, "site": 2}

_Pending = SiteMark | PendingLabel | None
_LINK_LABEL_AT = np.array([0.5, 0.4, 0.6, 0.3, 0.7])


def draw_layers(canvas: Canvas) -> list[SiteMark | PendingLabel]:
    """Draw areas, then lines, then sites of every layer, so small things stay on top.

    Return what still needs a label: site marks and range/region/link names.
    """
    labels: list[_Pending] = []
    for rank in range(3):
        for index, layer in enumerate(canvas.pane.layers):
            zorder = 3 + rank + index * 0.001  # later layers over earlier ones
            for row in rows_of(layer.features):
                kind = kind_of(row)
                if _DRAW_RANK.get(kind, 0) == rank:
                    uncertain = is_uncertain(row)
                    look = paint(layer.style, canvas.scale, uncertain=uncertain, layer_id=layer.id)
                    labels.append(_DRAWERS.get(kind, _draw_other)(canvas, row, look, zorder))
    return [label for label in labels if label is not None]


def _draw_area(
    canvas: Canvas, row: Any, look: Paint, zorder: float, *, prefer_label: bool
) -> _Pending:
    areas = canvas.frame.areas([row.geometry])
    path = area_path(areas)
    if path is not None:
        canvas.add_shape(PathPatch(path, facecolor=look.fill, edgecolor="none", zorder=zorder))
    outline = canvas.frame.strokes([row.geometry])
    canvas.add_lines(
        outline,
        color=look.stroke,
        width=look.linewidth,
        zorder=zorder + 0.5,
        linestyle=look.linestyle,
    )
    site = canvas.pane.range_sites.get(str(row.id)) if prefer_label else None
    text = label_text(row, prefer_label=prefer_label, site=site)
    if not text or not len(areas):
        return None
    anchors = _area_anchors(canvas, areas) if not prefer_label else _ring_anchors(canvas, outline)
    fid = str(row.id)
    return PendingLabel(tuple(anchors), text, look.text, italic=prefer_label, feature_id=fid)


def _draw_region(canvas: Canvas, row: Any, look: Paint, zorder: float) -> _Pending:
    return _draw_area(canvas, row, look, zorder, prefer_label=False)


def _draw_range(canvas: Canvas, row: Any, look: Paint, zorder: float) -> _Pending:
    return _draw_area(canvas, row, look, zorder, prefer_label=True)


def _draw_link(canvas: Canvas, row: Any, look: Paint, zorder: float) -> _Pending:
    lines = canvas.frame.strokes([row.geometry])
    canvas.add_lines(
        lines, color=look.stroke, width=look.linewidth, zorder=zorder, linestyle=look.linestyle
    )
    text = cell_text(getattr(row, "label", None))
    if not text or not len(lines):
        return None
    longest = max(lines, key=lambda g: g.length)
    # the middle of the line first, then spots farther along it either way
    spots = shapely.line_interpolate_point(longest, _LINK_LABEL_AT, normalized=True)
    anchors = tuple(canvas.px(point.x, point.y) for point in spots)
    return PendingLabel(anchors, text, look.text, italic=True, feature_id=str(row.id))


def _draw_site(canvas: Canvas, row: Any, look: Paint, zorder: float) -> _Pending:
    point = row.geometry.representative_point() if row.geometry is not None else None
    if point is None or point.is_empty:
        return None
    x, y = canvas.pane.projection.forward(point.x, point.y)
    xmin, ymin, xmax, ymax = canvas.pane.view
    if not (np.isfinite(x) and xmin <= x <= xmax and ymin <= y <= ymax):
        return None
    role = role_of(row)
    symbol = marker_look(role, look.stroke[:3], canvas.scale, uncertain=is_uncertain(row))
    canvas.ax.plot([float(x)], [float(y)], linestyle="none", zorder=zorder, **symbol)
    px, py = canvas.px(x, y)
    radius = marker_radius_pt(role, canvas.scale) * canvas.layout.dpi / 72
    canvas.labels.block((px - radius, py - radius, px + radius, py + radius))
    text = label_text(row, prefer_label=False)
    return SiteMark(px, py, radius, text, feature_id=str(row.id)) if text else None


def _draw_other(canvas: Canvas, row: Any, look: Paint, zorder: float) -> _Pending:
    kind = geometry_kind(row.geometry)
    return None if kind == "none" else _DRAWERS[kind](canvas, row, look, zorder)


_DRAWERS: dict[str, Callable[[Canvas, Any, Paint, float], _Pending]] = {
    "region": _draw_region,
    "range": _draw_range,
    "link": _draw_link,
    "site": _draw_site,
}


def _area_anchors(canvas: Canvas, areas: np.ndarray) -> list[tuple[float, float]]:
    """Return label spots inside the largest visible part of an area, the best one first."""
    xmin, ymin, xmax, ymax = canvas.pane.view
    visible = shapely.clip_by_rect(areas, xmin, ymin, xmax, ymax)
    polys = parts(visible, polygonal=True)
    if not len(polys):
        return []
    biggest = max(polys, key=lambda p: p.area)
    centre = polylabel(biggest, tolerance=max(xmax - xmin, ymax - ymin) / 500)
    _, miny, _, maxy = biggest.bounds
    spots = [(centre.x, centre.y)] + [
        (centre.x, centre.y + f * (maxy - miny)) for f in (0.18, -0.18, 0.32, -0.32)
    ]
    inside = [(x, y) for x, y in spots if biggest.contains(shapely.Point(x, y))]
    return [canvas.px(x, y) for x, y in inside]


def _ring_anchors(canvas: Canvas, outline: np.ndarray) -> list[tuple[float, float]]:
    """Return spots along a ring's visible outline, the northernmost (topmost) first."""
    xmin, ymin, xmax, ymax = canvas.pane.view
    inset = 0.04 * (xmax - xmin)
    visible = shapely.clip_by_rect(outline, xmin + inset, ymin + inset, xmax - inset, ymax - inset)
    lines = parts(visible, polygonal=False)
    if not len(lines):
        return []
    samples = np.linspace(0, 1, 25)
    points = np.concatenate(
        [
            shapely.get_coordinates(shapely.line_interpolate_point(line, samples, normalized=True))
            for line in lines
        ]
    )
    points = points[np.argsort(-points[:, 1], kind="stable")]
    return [canvas.px(x, y) for x, y in points[:40]]
