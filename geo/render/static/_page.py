"""Share the image between header, maps, legends and sources: sizes fixed by the width, the fit.

Heights are in image pixels. With no height given the image grows to hold everything at full
size; the legend stands beside the map, or in columns under it when it is much the taller.
Maps side by side (a compare image) each have their legend in columns under them.
With a height given, text shrinks a little, layer descriptions go, then rows are cut and
counted ("+ 3 more layers").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from geo.atlas_types import Source
from geo.errors import ExportError

from ._rows import Row, source_rows
from ._text import Font, wrap
from ._theme import BASE_WIDTH_IN, FONT_PT

#: Legend text sizes and whether layer descriptions are shown, tried in turn in a fixed height.
_LEGEND_TRIES = ((1.0, True), (0.9, True), (1.0, False), (0.9, False), (0.8, False))
#: A legend this much taller than the map beside it goes under the map instead.
_LEGEND_BESIDE_MAX = 1.15
#: In a fixed height, legends under maps side by side take at most this share of the room.
_LEGEND_UNDER_MAX = 0.4
#: A map lower than this (in reference pixels) cannot be read: the height asked is too small.
_MIN_MAP_REF_PX = 60.0

MakeLegend = Callable[[float, bool, float], list[Row]]  # (text factor, descriptions, width)
Columns = tuple[tuple[Row, ...], ...]  # rows in columns, left to right


def fonts_for(scale: float) -> dict[str, Font]:
    """Return the fonts of every text block, `scale` times the sizes of a 1600 px image."""
    fonts = {key: Font(size * scale) for key, size in FONT_PT.items()}
    fonts["title"] = replace(fonts["title"], weight="bold")
    fonts["heading"] = replace(fonts["heading"], weight="bold")
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


@dataclass(frozen=True)
class Header:
    title_lines: tuple[str, ...]
    date_lines: tuple[str, ...]  # the muted line(s) under the title
    height_px: float  # with the margin above it


@dataclass(frozen=True)
class Page:
    """What the image width fixes: text sizes, margins and the widths of map and legend."""

    width_px: int
    dpi: float
    scale: float
    fonts: Mapping[str, Font]
    margin: int
    legend_w: float

    @classmethod
    def of(cls, width_px: int, dpi: float) -> Page:
        scale = font_scale(width_px, dpi)
        unit = unit_px(scale, dpi)
        legend_w = min(max(0.23 * width_px, 170.0 * unit), 440.0 * unit)
        return cls(width_px, dpi, scale, fonts_for(scale), round(0.02 * width_px), legend_w)

    @property
    def map_w(self) -> float:
        """The width of the map with the legend beside it."""
        return self.width_px - 2 * self.margin - self.margin - self.legend_w

    @property
    def footer_w(self) -> float:
        return self.width_px - 2 * self.margin

    def pane_w(self, n_panes: int) -> float:
        """The width of each of `n_panes` maps side by side across the image.

        >>> Page.of(1600, 150).pane_w(1), Page.of(1600, 150).pane_w(2)
        (1536.0, 752.0)
        """
        return (self.footer_w - self.margin * (n_panes - 1)) / n_panes

    def header(self, title: str, date_line: str | None) -> Header:
        """Wrap the title and the line under it across the image; empty ones take no room."""
        font, date_font = self.fonts["title"], self.fonts["date"]
        width = self.width_px - 2 * self.margin
        lines = tuple(wrap(title, font, width, self.dpi)) if title else ()
        dates = tuple(wrap(date_line, date_font, width, self.dpi)) if date_line else ()
        height = len(lines) * font.line_px(self.dpi)
        height += date_font.line_px(self.dpi) * (len(dates) + 0.2) if dates else 0.0
        return Header(lines, dates, height + self.margin)

    def columns(self, width_px: float, min_col_px: float) -> tuple[int, float]:
        """Return how many columns of at least `min_col_px` fit in `width_px`, and their width.

        >>> Page.of(1600, 150).columns(1536, 480)
        (3, 490.6666666666667)
        """
        n = max(1, min(3, int((width_px + self.margin) // (min_col_px + self.margin))))
        return n, (width_px - self.margin * (n - 1)) / n


@dataclass(frozen=True)
class Plan:
    """How the image height is shared: sources, then the maps with their legends beside or under.

    One map has its legend beside it (`legend_below_h` 0) or under it; maps side by side have
    theirs under them, one legend per map in `legends`.
    """

    source_columns: Columns
    footer_h: float
    map_w: float  # of each map
    map_h: float
    legends: tuple[Columns, ...]  # one per map, left to right
    legend_below_h: float = 0.0  # the legends' height with their gap when they are under the maps


@dataclass(frozen=True)
class Fit:
    """Shares the image height between header, maps, legends and sources."""

    height_px: int | None
    page: Page
    header_h: float
    extent: Sequence[float]
    heading_h: float = 0.0  # the headings over maps side by side

    def natural_h(self, map_w: float) -> float:
        """Return the height a map `map_w` wide takes to show the extent, within limits."""
        xmin, ymin, xmax, ymax = self.extent
        natural = map_w * (ymax - ymin) / (xmax - xmin)
        return min(max(natural, 0.45 * map_w), 1.3 * map_w)

    def solve(self, sources: Sequence[tuple[int, Source]], make_legend: MakeLegend) -> Plan:
        """Return where sources, map and legend go, and the rows that fit."""
        page = self.page
        if self.height_px is None:  # the image grows to fit everything at full size
            columns, footer_h = self._sources(sources, max_h=None)
            return self._grown(columns, footer_h, make_legend)
        room = self.height_px - self.header_h - page.margin
        # the map and its legend matter more than the list of sources
        columns, footer_h = self._sources(sources, max_h=0.35 * room)
        map_h = room - footer_h
        self._check_map_h(map_h)
        # smaller text first, then without the layer descriptions, then fewer layers
        for factor, descriptions in _LEGEND_TRIES:
            legend = make_legend(factor, descriptions, page.legend_w)
            if rows_height(legend) <= map_h:
                break
        legend = fit_rows(legend, map_h, "layers")
        return Plan(columns, footer_h, page.map_w, map_h, ((tuple(legend),),))

    def solve_side_by_side(
        self, sources: Sequence[tuple[int, Source]], make_legends: Sequence[MakeLegend]
    ) -> Plan:
        """Return where sources go and how high the maps side by side are, one per legend,
        each over its legend, and the rows that fit."""
        page = self.page
        if self.height_px is None:
            columns, footer_h = self._sources(sources, max_h=None)
            return self._under(columns, footer_h, make_legends, _pane_column_px(page))
        room = self.height_px - self.header_h - page.margin
        columns, footer_h = self._sources(sources, max_h=0.35 * room)
        rest = room - footer_h - self.heading_h  # for the maps and the legends under them
        min_col = _pane_column_px(page)
        # smaller text first, then without the layer descriptions, then fewer layers
        for factor, descriptions in _LEGEND_TRIES:
            legends, below = self._legends_under(make_legends, factor, descriptions, min_col)
            if below <= _LEGEND_UNDER_MAX * rest:
                break
        else:
            budget = _LEGEND_UNDER_MAX * rest - page.margin
            smallest = _LEGEND_TRIES[-1]
            legends, below = self._legends_under(make_legends, *smallest, min_col, max_h=budget)
        self._check_map_h(rest - below)
        pane_w = page.pane_w(len(make_legends))
        return Plan(columns, footer_h, pane_w, rest - below, legends, below)

    def _grown(self, columns: Columns, footer_h: float, make_legend: MakeLegend) -> Plan:
        """Plan an image as tall as it needs: the legend beside the map if it is about as
        tall, else in columns under a map as wide as the image."""
        page = self.page
        beside = make_legend(1.0, True, page.legend_w)
        natural = self.natural_h(page.map_w)
        if rows_height(beside) <= _LEGEND_BESIDE_MAX * natural:
            map_h = max(natural, rows_height(beside))
            return Plan(columns, footer_h, page.map_w, map_h, ((tuple(beside),),))
        return self._under(columns, footer_h, [make_legend], page.legend_w)

    def _under(
        self,
        columns: Columns,
        footer_h: float,
        make_legends: Sequence[MakeLegend],
        min_col_px: float,
    ) -> Plan:
        """Plan maps side by side as wide as the image, each with its full legend under it."""
        legends, below = self._legends_under(make_legends, 1.0, True, min_col_px)
        pane_w = self.page.pane_w(len(make_legends))
        return Plan(columns, footer_h, pane_w, self.natural_h(pane_w), legends, below)

    def _legends_under(
        self,
        make_legends: Sequence[MakeLegend],
        factor: float,
        descriptions: bool,
        min_col_px: float,
        *,
        max_h: float | None = None,
    ) -> tuple[tuple[Columns, ...], float]:
        """Return the legends of maps side by side in columns under each map, and the height
        they take with the gap above them; rows that do not fit into `max_h` are cut."""
        page = self.page
        n_cols, col_w = page.columns(page.pane_w(len(make_legends)), min_col_px)
        legends = []
        for make_legend in make_legends:
            rows = make_legend(factor, descriptions, col_w)
            if max_h is not None:  # a little slack for uneven columns
                rows = fit_rows(rows, max_h * n_cols * 0.95, "layers")
            legends.append(balance(rows, n_cols, starts=legend_block_starts))
        return tuple(legends), max(tallest(legend) for legend in legends) + page.margin

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
            columns = balance(rows, n_cols)
            if max_h is None or tallest(columns) + extra <= max_h:
                return columns, tallest(columns) + extra
        assert max_h is not None  # without a limit the first try returned
        budget = (max_h - extra) * n_cols * 0.95  # a little slack for uneven columns
        columns = balance(fit_rows(rows, budget, "sources"), n_cols)
        return columns, tallest(columns) + extra

    def _check_map_h(self, map_h: float) -> None:
        least = _MIN_MAP_REF_PX * unit_px(self.page.scale, self.page.dpi)
        if map_h < least:
            raise ExportError(
                f"height_px: {self.height_px!r} leaves the map {max(round(map_h), 0)} px "
                f"between the title, legend and sources, less than the {round(least)} px it "
                "needs; expected None (the height the map needs) or a larger height"
            )


def _pane_column_px(page: Page) -> float:
    """Return the narrowest legend column under one of two maps side by side: a little narrower
    than the legend beside a single map, so that half the image holds two columns."""
    return 0.85 * page.legend_w


def tallest(columns: Sequence[Sequence[Row]]) -> float:
    return max(rows_height(column) for column in columns)


def rows_height(rows: Sequence[Row]) -> float:
    """Return the height in pixels of rows drawn one under another."""
    return float(sum(row.height_px for row in rows))


def fit_rows(rows: list[Row], max_h: float, what: str) -> list[Row]:
    """Cut rows that do not fit into `max_h` and say how many were left out."""
    if rows_height(rows) <= max_h or not rows:
        return rows
    more_font = rows[-1].font
    line_h = rows[0].height_px / max(len(rows[0].lines), 1)
    kept: list[Row] = []
    used = line_h  # room for the "+ n more" line
    for row in rows:
        if used + row.height_px > max_h:
            break
        kept.append(row)
        used += row.height_px
    while kept and kept[-1].kind == "group":  # a heading with nothing under it
        kept.pop()
    left = sum(1 for row in rows[len(kept) :] if row.kind in ("layer", "source"))
    noun = what if left != 1 else what.removesuffix("s")
    text = "More in the interactive map"
    if left:
        text = f"+ {left} more {noun}: see the interactive map"
    return [*kept, Row("more", (text,), more_font, line_h)]


def legend_block_starts(rows: Sequence[Row]) -> list[bool]:
    """Return, for each legend row, whether a column may begin with it.

    A heading stays with the entry under it, and a layer with its description and notes.
    """
    heads = ("group", "layer", "omitted", "uncertain", "credit")
    return [
        i == 0 or (row.kind in heads and rows[i - 1].kind != "group") for i, row in enumerate(rows)
    ]


def _every_row(rows: Sequence[Row]) -> list[bool]:
    return [True] * len(rows)


def balance(
    rows: Sequence[Row],
    n_cols: int,
    *,
    starts: Callable[[Sequence[Row]], list[bool]] = _every_row,
) -> tuple[tuple[Row, ...], ...]:
    """Split rows into at most `n_cols` columns, keeping their order, the tallest as short as
    can be. A column begins only at a row `starts` allows, so blocks of rows stay together."""
    if n_cols == 1 or len(rows) < 2:
        return (tuple(rows),)
    blocks: list[list[Row]] = []
    for row, start in zip(rows, starts(rows)):
        if start or not blocks:
            blocks.append([])
        blocks[-1].append(row)
    cuts = split_evenly([rows_height(block) for block in blocks], n_cols)
    return tuple(
        tuple(row for block in blocks[a:b] for row in block)
        for a, b in zip([0, *cuts], [*cuts, len(blocks)])
    )


def split_evenly(heights: Sequence[float], n_parts: int) -> list[int]:
    """Return where to cut `heights` into at most `n_parts` runs so the tallest run is lowest.

    >>> split_evenly([2, 2, 2, 2, 2, 2], 3), split_evenly([4, 1, 1, 1, 1], 2)
    ([2, 4], [1])
    >>> split_evenly([5], 3), split_evenly([], 2)
    ([], [])
    """
    n = len(heights)
    prefix = [0.0]
    for h in heights:
        prefix.append(prefix[-1] + h)
    # best[k][i]: (tallest run, cuts) for the first i heights in k runs
    best: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [])}]
    for k in range(1, min(n_parts, n) + 1):
        best.append({})
        for i in range(k, n + 1):
            best[k][i] = min(
                (max(best[k - 1][j][0], prefix[i] - prefix[j]), [*best[k - 1][j][1], j])
                for j in range(k - 1, i)
                if j in best[k - 1]
            )
    if not n:
        return []
    _, cuts = min(best[k][n] for k in range(1, len(best)) if n in best[k])
    return [c for c in cuts if c > 0]
