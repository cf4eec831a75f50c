"""Plan the image before drawing: size, projection, view, and where title, maps, legends and
sources go.

One image holds one map (`plan_static`) or two maps side by side on the same projection and
extent (`plan_static_compare`); both plans share every step, and a `Pane` is one map with its
legend, placed in the image. Boxes are in image pixels with the origin at the bottom left,
like matplotlib's figure pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from geo.atlas_types import Atlas, Layer
from geo.errors import ExportError

from ._extent import Extent, fit_view, frame_layers
from ._features import range_centres
from ._page import Columns, Fit, Header, MakeLegend, Page, Plan, fonts_for
from ._projection import MapProjection
from ._rows import BASEMAP_CREDIT, Row, legend_rows, number_sources
from ._text import Font, wrap

#: x0, y0, width, height in image pixels, the origin at the bottom left
Rect = tuple[float, float, float, float]

#: The sides of a compare image, left to right; their names prefix the SVG ids of each pane.
SIDES = ("left", "right")


@dataclass(frozen=True)
class Pane:
    """One map and its legend in the image: the layers drawn, the projection, view and boxes."""

    layers: tuple[Layer, ...]
    projection: MapProjection
    view: Extent  # xmin, ymin, xmax, ymax in projected metres
    map_box: Rect
    legend_box: Rect
    legend_columns: Columns  # one beside the map, or several under it
    range_sites: Mapping[str, str]  # range id -> name of the site it is drawn around
    heading_lines: tuple[str, ...] = ()  # over the map, in a compare image
    heading_box: Rect = (0.0, 0.0, 0.0, 0.0)
    gid_prefix: str = ""  # "left-": the SVG ids of two panes in one file stay unique

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


@dataclass(frozen=True)
class Sheet:
    """The whole image: its size and text sizes, the title, the maps and the source list."""

    width_px: int
    height_px: int
    dpi: float
    scale: float  # font scale: 1 for a 1600 px image at 150 dpi
    fonts: Mapping[str, Font]
    title_lines: tuple[str, ...]
    date_lines: tuple[str, ...]  # the muted line(s) under the title
    footer_box: Rect
    source_columns: Columns
    panes: tuple[Pane, ...]

    def pixel_in(self, pane: Pane, lon: float, lat: float) -> tuple[float, float]:
        """Return (column, row) of a lon/lat point on `pane`, row 0 at the top as in arrays."""
        x, y = pane.projection.forward(lon, lat)
        px, py = pane.data_to_px(x, y)
        return float(px), float(self.height_px - py)


_S = TypeVar("_S", bound=Sheet)


@dataclass(frozen=True)
class StaticLayout(Sheet):
    """Everything decided before drawing one map: image size, projection, view, text blocks.

    Box coordinates are in image pixels with the origin at the bottom left, like matplotlib's.
    """

    omitted: tuple[Layer, ...]  # layers of the atlas the default choice leaves out, named

    @property
    def pane(self) -> Pane:
        return self.panes[0]

    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.pane.layers

    @property
    def projection(self) -> MapProjection:
        return self.pane.projection

    @property
    def view(self) -> Extent:
        return self.pane.view

    @property
    def map_box(self) -> Rect:
        return self.pane.map_box

    @property
    def legend_box(self) -> Rect:
        return self.pane.legend_box

    @property
    def legend_columns(self) -> Columns:
        return self.pane.legend_columns

    @property
    def legend_rows(self) -> tuple[Row, ...]:
        """Return the rows of the legend in reading order, whatever its columns."""
        return self.pane.legend_rows

    @property
    def range_sites(self) -> Mapping[str, str]:
        return self.pane.range_sites

    @property
    def date_line(self) -> str | None:
        return " ".join(self.date_lines) or None

    def data_to_px(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return image pixels (origin bottom left) of projected x/y metres."""
        return self.pane.data_to_px(x, y)

    def pixel_of(self, lon: float, lat: float) -> tuple[float, float]:
        """Return (column, row) of a lon/lat point in the image, row 0 at the top as in arrays."""
        return self.pixel_in(self.pane, lon, lat)


@dataclass(frozen=True)
class CompareLayout(Sheet):
    """Two maps side by side on one projection and one extent, each under its heading and over
    its own legend, with one title and one numbered source list."""

    @property
    def left(self) -> Pane:
        return self.panes[0]

    @property
    def right(self) -> Pane:
        return self.panes[1]

    @property
    def projection(self) -> MapProjection:
        """The projection both maps share."""
        return self.left.projection

    @property
    def view(self) -> Extent:
        """The extent both maps share, in projected metres."""
        return self.left.view

    def pixel_of(self, lon: float, lat: float, *, side: str) -> tuple[float, float]:
        """Return (column, row) of a lon/lat point on the "left" or "right" map, row 0 at the
        top as in arrays."""
        if side not in SIDES:
            raise ValueError(f"side: {side!r} is not a side, must be one of 'left', 'right'")
        return self.pixel_in(self.panes[SIDES.index(side)], lon, lat)


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
    projection, extent = frame_layers(layers)
    page = Page.of(width_px, dpi)
    title_text = atlas.title if title is None else title
    header = page.header(title_text, _default_date_text(layers) if date_text is None else date_text)
    numbers, sources = number_sources(layers)
    make_legend = _legend_maker(page, layers, numbers, projection, omitted=omitted)
    plan = Fit(height_px, page, header.height_px, extent).solve(sources, make_legend)
    place = _Placing(page, plan, projection, fit_view(extent, plan.map_w / plan.map_h))
    range_sites = range_centres(atlas.layers)
    if plan.legend_below_h:
        panes = place.side_by_side([_Side(layers)], range_sites)
    else:
        panes = (place.beside(layers, range_sites),)
    return place.sheet(StaticLayout, header, height_px, panes, omitted=omitted)


def plan_static_compare(
    atlas: Atlas,
    *,
    left: Sequence[str],
    right: Sequence[str],
    left_title: str,
    right_title: str,
    width_px: int = 1600,
    height_px: int | None = None,
    dpi: float = 150,
    title: str | None = None,
) -> CompareLayout:
    """Work out the image `render_static_compare` will draw, without drawing anything.

    Both maps frame the layers of both sides together, so they show the same place at the same
    scale. Use `CompareLayout.pixel_of(lon, lat, side="left")` to find a place on one map.
    """
    _check_size(width_px, height_px, dpi)
    page = Page.of(width_px, dpi)
    pane_w = page.pane_w(len(SIDES))
    sides = [
        _Side(_select_layers(atlas, ids, key=name), _heading(page, text, pane_w), f"{name}-")
        for ids, text, name in zip((left, right), (left_title, right_title), SIDES)
    ]
    every = _unique(layer for side in sides for layer in side.layers)
    projection, extent = frame_layers(every)
    # said once for both maps, not in each legend
    note = f"Both maps show the same extent: {projection.describe()}. {BASEMAP_CREDIT}"
    header = page.header(atlas.title if title is None else title, note)
    numbers, sources = number_sources(every)  # numbered once, left first
    makers = [_legend_maker(page, side.layers, numbers, projection, credit=False) for side in sides]
    heading_h = _headings_h(page, sides)
    fit = Fit(height_px, page, header.height_px, extent, heading_h=heading_h)
    plan = fit.solve_side_by_side(sources, makers)
    place = _Placing(page, plan, projection, fit_view(extent, plan.map_w / plan.map_h))
    panes = place.side_by_side(sides, range_centres(atlas.layers), heading_h=heading_h)
    return place.sheet(CompareLayout, header, height_px, panes, heading_h=heading_h)


@dataclass(frozen=True)
class _Side:
    """What one map of the image shows: its layers, the heading over it, its SVG id prefix."""

    layers: tuple[Layer, ...]
    heading_lines: tuple[str, ...] = ()
    gid_prefix: str = ""


@dataclass(frozen=True)
class _Placing:
    """Places the maps, legends and sources a plan has sized into the image."""

    page: Page
    plan: Plan
    projection: MapProjection
    view: Extent

    def beside(self, layers: tuple[Layer, ...], range_sites: Mapping[str, str]) -> Pane:
        """Return the one map with its legend beside it, right of the map."""
        page, plan = self.page, self.plan
        margin = page.margin
        map_box = (float(margin), plan.footer_h, plan.map_w, plan.map_h)
        legend_box = (margin + plan.map_w + margin, plan.footer_h, page.legend_w, plan.map_h)
        legend = plan.legends[0]
        return Pane(layers, self.projection, self.view, map_box, legend_box, legend, range_sites)

    def side_by_side(
        self, sides: Sequence[_Side], range_sites: Mapping[str, str], *, heading_h: float = 0.0
    ) -> tuple[Pane, ...]:
        """Return maps of one size side by side, each under its heading and over its legend."""
        plan, margin = self.plan, self.page.margin
        map_y = plan.footer_h + plan.legend_below_h
        panes = []
        for i, (side, legend) in enumerate(zip(sides, plan.legends)):
            x = margin + i * (plan.map_w + margin)
            pane = Pane(
                side.layers,
                self.projection,
                self.view,
                map_box=(x, map_y, plan.map_w, plan.map_h),
                legend_box=(x, plan.footer_h, plan.map_w, plan.legend_below_h - margin),
                legend_columns=legend,
                range_sites=range_sites,
                heading_lines=side.heading_lines,
                heading_box=(x, map_y + plan.map_h, plan.map_w, heading_h),
                gid_prefix=side.gid_prefix,
            )
            panes.append(pane)
        return tuple(panes)

    def sheet(
        self,
        kind: type[_S],
        header: Header,
        height_px: int | None,
        panes: tuple[Pane, ...],
        *,
        heading_h: float = 0.0,
        **fields: Any,
    ) -> _S:
        """Return the layout of `kind`: the panes, and around them the image size, fonts, title
        and sources; `fields` are those only `kind` has."""
        page, plan = self.page, self.plan
        margin = page.margin
        map_top = header.height_px + heading_h
        below = plan.footer_h + plan.legend_below_h
        footer_box = (float(margin), margin * 0.6, page.footer_w, plan.footer_h - margin * 1.4)
        return kind(
            width_px=page.width_px,
            height_px=height_px or round(map_top + plan.map_h + below + margin),
            dpi=page.dpi,
            scale=page.scale,
            fonts=page.fonts,
            title_lines=header.title_lines,
            date_lines=header.date_lines,
            footer_box=footer_box,
            source_columns=plan.source_columns,
            panes=panes,
            **fields,
        )


def _legend_maker(
    page: Page,
    layers: Sequence[Layer],
    numbers: Mapping[str, list[int]],
    projection: MapProjection,
    *,
    omitted: Sequence[Layer] = (),
    credit: bool = True,
) -> MakeLegend:
    """Return how to make the legend of `layers` at a text size, with or without descriptions,
    for a column width: the plan tries several."""

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
            omitted=omitted,
            credit=credit,
        )

    return make_legend


def _heading(page: Page, text: str, width_px: float) -> tuple[str, ...]:
    """Return the heading over one map, wrapped to its width (never cut)."""
    return tuple(wrap(text, page.fonts["heading"], width_px, page.dpi)) if text else ()


def _headings_h(page: Page, sides: Sequence[_Side]) -> float:
    """Return the height of the headings over maps side by side: the most lines, then a gap."""
    most = max(len(side.heading_lines) for side in sides)
    return (most + 0.4) * page.fonts["heading"].line_px(page.dpi) if most else 0.0


def _unique(layers: Iterable[Layer]) -> tuple[Layer, ...]:
    """Return `layers` without repeats, in their first order (a layer may be on both sides)."""
    found: dict[str, Layer] = {}
    for layer in layers:
        found.setdefault(layer.id, layer)
    return tuple(found.values())


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


def _select_layers(
    atlas: Atlas, layer_ids: Iterable[str] | None, *, key: str = "layer_ids"
) -> tuple[Layer, ...]:
    """Return the layers `layer_ids` names, in atlas order; `key` names the argument in errors."""
    if layer_ids is None:
        return story_layers(atlas)
    wanted = [layer_ids] if isinstance(layer_ids, str) else list(layer_ids)
    known = [layer.id for layer in atlas.layers]
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise ExportError(
            f"{key}: {', '.join(map(repr, unknown))} not in the atlas; "
            f"must be among {', '.join(map(repr, known)) or 'no layers'}"
        )
    return tuple(layer for layer in atlas.layers if layer.id in set(wanted))


def _default_date_text(layers: Sequence[Layer]) -> str | None:
    # ISO dates (YYYY, YYYY-MM, YYYY-MM-DD) sort as text
    dates = [d for layer in layers for d in (layer.period_from, layer.period_to) if d]
    if not dates:
        return None
    first, last = min(dates), max(dates)
    return f"Layers dated {first}" if first == last else f"Layers dated {first} to {last}"
