"""Plan the image before drawing: size, projection, view, and where title, legend and sources go.

Boxes are in image pixels with the origin at the bottom left, like matplotlib's figure pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import Atlas, Layer
from geo.errors import ExportError

from ._features import range_centres
from ._frame import Frame, project_points
from ._page import Fit, Header, Page, fonts_for
from ._projection import MapProjection, choose_projection, lonlat_bounds
from ._rows import Row, legend_rows, number_sources
from ._text import Font

_MIN_EXTENT_M = 6e5  # a map of one site still shows 600 km around it
# Regions frame the map this far (a share of the sites' larger span, at least so many
# degrees) beyond the sites and links.
_REGION_PAD = 0.3
_REGION_PAD_MIN_DEG = 5.0


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
    legend_columns: tuple[tuple[Row, ...], ...]  # one beside the map, or several under it
    source_columns: tuple[tuple[Row, ...], ...]
    layers: tuple[Layer, ...]
    fonts: Mapping[str, Font]
    omitted: tuple[Layer, ...]  # layers of the atlas the default choice leaves out, named
    range_sites: Mapping[str, str]  # range id -> name of the site it is drawn around

    @property
    def legend_rows(self) -> tuple[Row, ...]:
        """Return the rows of the legend in reading order, whatever its columns."""
        return tuple(row for column in self.legend_columns for row in column)

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

    `layer_ids=None` draws `story_layers` and names the other layers in the legend.
    Use `StaticLayout.pixel_of(lon, lat)` to find where a place lands in the image.
    """
    _check_size(width_px, height_px, dpi)
    layers = _select_layers(atlas, layer_ids)
    shown = {layer.id for layer in layers}
    omitted = (
        ()
        if layer_ids is not None
        else tuple(layer for layer in atlas.layers if layer.id not in shown)
    )
    geoms = _framing_geometries(layers)
    projection = choose_projection(lonlat_bounds(geoms))
    extent = _feature_extent(geoms, projection)
    page = Page.of(width_px, dpi)
    title_text = atlas.title if title is None else title
    header = page.header(title_text, _default_date_text(layers) if date_text is None else date_text)
    chosen = _Chosen(layers, omitted, range_centres(atlas.layers))
    return _fit_layout(page, header, chosen, projection, extent, height_px)


@dataclass(frozen=True)
class _Chosen:
    """What the image shows: layers, the layers left out, and the site each range is around."""

    layers: tuple[Layer, ...]
    omitted: tuple[Layer, ...]
    range_sites: Mapping[str, str]


def _fit_layout(
    page: Page,
    header: Header,
    chosen: _Chosen,
    projection: MapProjection,
    extent: Sequence[float],
    height_px: int | None,
) -> StaticLayout:
    layers = chosen.layers
    numbers, sources = number_sources(layers)

    def make_legend(factor: float, descriptions: bool, width_px: float) -> list[Row]:
        fonts = fonts_for(page.scale * factor)
        return legend_rows(
            layers,
            numbers,
            fonts,
            width_px,
            page.dpi,
            projection,
            descriptions=descriptions,
            omitted=chosen.omitted,
        )

    plan = Fit(height_px, page, header.height_px, extent).solve(sources, make_legend)
    margin = page.margin
    map_y = plan.footer_h + plan.legend_below_h
    if plan.legend_below_h:
        legend_box = (float(margin), plan.footer_h, page.footer_w, plan.legend_below_h - margin)
    else:
        legend_box = (margin + plan.map_w + margin, plan.footer_h, page.legend_w, plan.map_h)
    return StaticLayout(
        width_px=page.width_px,
        height_px=height_px or round(header.height_px + plan.map_h + map_y + margin),
        dpi=page.dpi,
        scale=page.scale,
        projection=projection,
        view=_fit_view(extent, plan.map_w / plan.map_h),
        map_box=(float(margin), map_y, plan.map_w, plan.map_h),
        legend_box=legend_box,
        footer_box=(float(margin), margin * 0.6, page.footer_w, plan.footer_h - margin * 1.4),
        title_lines=header.title_lines,
        date_line=header.date_line,
        legend_columns=plan.legend_columns,
        source_columns=plan.source_columns,
        layers=layers,
        fonts=page.fonts,
        omitted=chosen.omitted,
        range_sites=chosen.range_sites,
    )


def _framing_geometries(layers: Sequence[Layer]) -> list[BaseGeometry]:
    """Frame the map on its sites and links, and on the parts of regions near them.

    A range ring (6,000 km around Gabala) or a region as large as Russia would otherwise
    shrink Europe to a corner; what reaches further is cut at the frame. Without sites or
    links, frame the regions; with nothing but ranges, the ranges.
    """
    frames = [layer.features for layer in layers]
    found = [(g, k) for f in frames for g, k in zip(f.geometry, f["kind"]) if g is not None]
    core = [g for g, k in found if k not in ("region", "range")]
    regions = [g for g, k in found if k == "region"]
    if not core:
        return regions or [g for g, _ in found]
    return core + _regions_near(regions, core)


def _regions_near(regions: list[BaseGeometry], core: list[BaseGeometry]) -> list[BaseGeometry]:
    """Return the parts of `regions` in a lon/lat box around `core`, a third wider each way."""
    if not regions:
        return []
    bounds = lonlat_bounds(core)
    if bounds.lon_span >= 180 or bounds.west > bounds.east:  # no box to cut along
        return regions
    pad = max(_REGION_PAD_MIN_DEG, _REGION_PAD * max(bounds.lon_span, bounds.north - bounds.south))
    box = (bounds.west - pad, bounds.south - pad, bounds.east + pad, bounds.north + pad)
    clipped = shapely.clip_by_rect(np.asarray(regions, dtype=object), *box)
    return [g for g in clipped if not g.is_empty]


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


def story_layers(atlas: Atlas) -> tuple[Layer, ...]:
    """Return the layers a static image shows by default: those visible when the map opens
    and those with a period (the dated steps of the story), in atlas order.

    A layer hidden on the page and without a period is context the reader can switch on in the
    interactive map; the image names it on a "Not shown:" line instead of drawing it. When no
    layer is visible or dated, every layer is drawn.
    """
    story = tuple(layer for layer in atlas.layers if layer.visible or _is_dated(layer))
    return story or atlas.layers


def _is_dated(layer: Layer) -> bool:
    return bool(layer.period_from or layer.period_to)


def _select_layers(atlas: Atlas, layer_ids: Iterable[str] | None) -> tuple[Layer, ...]:
    if layer_ids is None:
        return story_layers(atlas)
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
