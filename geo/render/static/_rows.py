"""The text of the legend and of the numbered source list, as rows wrapped to a width."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from geo.atlas_types import Layer, Source
from geo.render.style import ROLE_LOOKS, UNCERTAIN

from ._features import has_uncertain, role_of, rows_of
from ._projection import MapProjection
from ._text import Font, wrap, wrap_url
from ._theme import FONT_PT, SYMBOL_W_PX

BASEMAP_CREDIT = "Base map: Natural Earth (public domain)."


@dataclass(frozen=True)
class Row:
    """One block of the legend or source list: lines of text and what stands before them."""

    # legend: group | layer | description | note | omitted | role | uncertain | credit | more;
    # sources: source | more
    kind: str
    lines: tuple[str, ...]
    font: Font
    height_px: float
    layer: Layer | None = None
    marker: str = ""  # the role of a role row, the number of a source row
    indent_px: float = 0.0  # text starts this far right of the column (after a legend symbol)
    url: str = ""  # a source row's URL, written whole on its last `url_lines` lines
    url_lines: int = 0


def number_sources(
    layers: Sequence[Layer],
) -> tuple[dict[str, list[int]], list[tuple[int, Source]]]:
    """Number the sources of all layers once each; return the numbers per layer and the list."""
    seen: dict[tuple[Any, ...], int] = {}
    per_layer: dict[str, list[int]] = {}
    listed: list[tuple[int, Source]] = []
    for layer in layers:
        numbers = per_layer.setdefault(layer.id, [])
        for source in layer.sources:
            key = (source.title, source.publisher, source.date, source.url)
            if key not in seen:
                seen[key] = len(seen) + 1
                listed.append((seen[key], source))
            numbers.append(seen[key])
    return per_layer, listed


def _source_text(source: Source) -> str:
    parts = [source.title.rstrip(".") + "."]
    detail = ", ".join(p for p in (source.publisher, source.date) if p)
    if detail:
        parts.append(detail + ".")
    return " ".join(parts)


def source_rows(
    sources: Sequence[tuple[int, Source]], font: Font, col_w: float, dpi: float
) -> list[Row]:
    """Return one row per numbered source, wrapped to a column `col_w` pixels wide.

    The URL comes whole on lines of its own, broken after a "/" or "-" where it is too long,
    so that it can be read, typed, and clicked in a PDF or SVG.
    """
    number_w = font.width_px("[00] ", dpi)
    rows = []
    for number, source in sources:
        lines = wrap(_source_text(source), font, col_w - number_w, dpi)
        url_lines = wrap_url(source.url, font, col_w - number_w, dpi) if source.url else []
        rows.append(
            Row(
                "source",
                (*lines, *url_lines),
                font,
                (len(lines) + len(url_lines)) * font.line_px(dpi),
                marker=f"[{number}]",
                url=source.url or "",
                url_lines=len(url_lines),
            )
        )
    return rows


def legend_rows(
    layers: Sequence[Layer],
    numbers: Mapping[str, list[int]],
    fonts: Mapping[str, Font],
    width_px: float,
    dpi: float,
    projection: MapProjection,
    *,
    descriptions: bool = True,
    omitted: Sequence[Layer] = (),
    credit: bool = True,
) -> list[Row]:
    """Return the legend: group headings, one entry per layer with its description and notes,
    the layers not shown, site roles, credits (unless the image gives them once elsewhere)."""
    indent = (SYMBOL_W_PX + 12) * fonts["legend"].size_pt / FONT_PT["legend"] * dpi / 150
    text_w = width_px - indent
    rows: list[Row] = []
    group = None
    for layer in layers:
        if layer.group and layer.group != group:
            rows.append(_text_row("group", layer.group, fonts["group"], width_px, dpi, gap=0.5))
        group = layer.group
        texts = [("description", layer.description)] if descriptions and layer.description else []
        texts += [("note", note) for note in layer.notes]
        gap = 0.15 if texts else 0.45  # the space between layers comes after their texts
        entry = _layer_row(layer, numbers.get(layer.id, []), fonts["legend"], text_w, dpi, gap)
        rows.append(replace(entry, indent_px=indent))
        for i, (kind, text) in enumerate(texts):
            font = fonts["legend_small" if kind == "description" else "note"]
            after = 0.7 if i == len(texts) - 1 else 0.15
            row = _text_row(kind, text, font, text_w, dpi, gap=after)
            rows.append(replace(row, indent_px=indent))
    if omitted:
        titles = "; ".join(layer.title for layer in omitted)
        note = f"Not shown: {titles} (see the interactive map)."
        rows.append(_text_row("omitted", note, fonts["note"], width_px, dpi, gap=0.5))
    rows += _role_rows(layers, fonts, width_px, indent, dpi)
    if any(has_uncertain(layer) for layer in layers):
        note = f"{UNCERTAIN.mark} {UNCERTAIN.legend}"
        key = _text_row("uncertain", note, fonts["note"], width_px - indent, dpi, gap=0.5)
        rows.append(replace(key, indent_px=indent))
    if credit:
        text = f"{projection.describe()}. {BASEMAP_CREDIT}"
        rows.append(_text_row("credit", text, fonts["legend_small"], width_px, dpi, gap=0.6))
    return rows


def _role_rows(
    layers: Sequence[Layer], fonts: Mapping[str, Font], width_px: float, indent: float, dpi: float
) -> list[Row]:
    roles = _roles_drawn(layers)
    if not roles:
        return []
    heading = _text_row("group", "Sites", fonts["group"], width_px, dpi, gap=0.5)
    font, text_w = fonts["legend"], width_px - indent
    return [heading] + [
        replace(
            _text_row("role", ROLE_LOOKS[role].word, font, text_w, dpi, marker=role),
            indent_px=indent,
        )
        for role in roles
    ]


def _text_row(
    kind: str,
    text: str,
    font: Font,
    width_px: float,
    dpi: float,
    *,
    gap: float = 0.15,
    marker: str = "",
) -> Row:
    lines = wrap(text, font, width_px, dpi)
    height = (len(lines) + gap) * font.line_px(dpi)
    return Row(kind, tuple(lines), font, height, marker=marker)


def _layer_row(
    layer: Layer, numbers: Sequence[int], font: Font, width_px: float, dpi: float, gap: float
) -> Row:
    text = layer.title
    if has_uncertain(layer):
        text += f" {UNCERTAIN.mark}"
    if numbers:
        text += f" [{', '.join(map(str, sorted(set(numbers))))}]"
    lines = wrap(text, font, width_px, dpi)
    return Row("layer", tuple(lines), font, (len(lines) + gap) * font.line_px(dpi), layer=layer)


def _roles_drawn(layers: Sequence[Layer]) -> list[str]:
    found: set[str] = set()
    for layer in layers:
        sites = layer.features[layer.features["kind"] == "site"] if len(layer.features) else []
        found |= {role_of(row) for row in rows_of(sites)}
    return [role for role in ROLE_LOOKS if role in found]
