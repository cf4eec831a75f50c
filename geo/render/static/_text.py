"""Measure, wrap and place text in image pixels, without a figure (the layout comes first)."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ._theme import FONT_FAMILY

#: A box in image pixels: x0, y0, x1, y1 with the origin at the bottom left.
Box = tuple[float, float, float, float]

_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8192)
def _text_width_pt(
    text: str, size_pt: float, weight: str = "normal", style: str = "normal"
) -> float:
    prop = FontProperties(family=FONT_FAMILY, size=size_pt, weight=weight, style=cast(Any, style))
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width * 1.02  # the outline measure runs a little short of what Agg draws


@dataclass(frozen=True)
class Font:
    """A size, weight and style of the map's one font family."""

    size_pt: float
    weight: str = "normal"
    style: str = "normal"

    def width_px(self, text: str, dpi: float) -> float:
        return _text_width_pt(text, self.size_pt, self.weight, self.style) * dpi / 72.0

    def line_px(self, dpi: float) -> float:
        return self.size_pt * 1.28 * dpi / 72.0


def wrap(text: str, font: Font, width_px: float, dpi: float) -> list[str]:
    """Break `text` into lines no wider than `width_px`; split words that alone are too wide.

    >>> wrap("", Font(8.0), 100, 150)
    ['']
    >>> wrap("Mediterranean Sea", Font(8.0), 150, 150)
    ['Mediterranean', 'Sea']
    >>> wrap("Mediterranean Sea", Font(8.0), 120, 150)
    ['Mediterranea', 'n Sea']
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.width_px(candidate, dpi) <= width_px:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.width_px(word, dpi) > width_px and len(word) > 1:
            cut = _longest_fitting_prefix(word, font, width_px, dpi)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _longest_fitting_prefix(word: str, font: Font, width_px: float, dpi: float) -> int:
    low, high = 1, len(word) - 1
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if font.width_px(word[:mid], dpi) <= width_px else (low, mid - 1)
    return low


def ellipsize(
    lines: list[str], max_lines: int, font: Font, width_px: float, dpi: float
) -> list[str]:
    """Keep at most `max_lines`, ending the last one kept with "…" when lines were cut."""
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and font.width_px(last + "…", dpi) > width_px:
        last = last[:-1].rstrip()
    return [*lines[: max_lines - 1], last + "…"]


class Labels:
    """Places labels where they overlap nothing already placed (pixel boxes in the image).

    >>> labels = Labels((0, 0, 100, 100))
    >>> labels.block((10, 10, 30, 20))
    >>> labels.choose([(90, 90, 110, 95), (15, 12, 25, 18), (40, 40, 60, 50)], must=False)
    2
    """

    def __init__(self, bounds: Box) -> None:
        self.bounds = bounds  # x0, y0, x1, y1 the labels must stay inside
        self.taken: list[Box] = []

    def block(self, box: Box) -> None:
        self.taken.append(box)

    def overlap(self, box: Box) -> float:
        """Return the area `box` shares with boxes taken, or inf if it leaves the bounds."""
        x0, y0, x1, y1 = box
        bx0, by0, bx1, by1 = self.bounds
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            return math.inf
        total = 0.0
        for tx0, ty0, tx1, ty1 in self.taken:
            w, h = min(x1, tx1) - max(x0, tx0), min(y1, ty1) - max(y0, ty0)
            if w > 0 and h > 0:
                total += w * h
        return total

    def choose(self, boxes: Sequence[Box], *, must: bool) -> int | None:
        """Return the first box that overlaps nothing; if `must`, else one that overlaps little."""
        costs = [self.overlap(box) for box in boxes]
        free = [i for i, cost in enumerate(costs) if cost == 0]
        if free:
            return free[0]
        if must and costs:  # a name may touch another, but not hide under it
            best = int(np.argmin(costs))
            x0, y0, x1, y1 = boxes[best]
            return best if costs[best] <= 0.15 * (x1 - x0) * (y1 - y0) else None
        return None
