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

    A mark of one character ("†", "–") stays on the line of the word before it.

    >>> wrap("", Font(8.0), 100, 150)
    ['']
    >>> wrap("Mediterranean Sea", Font(8.0), 150, 150)
    ['Mediterranean', 'Sea']
    >>> wrap("Mediterranean Sea", Font(8.0), 120, 150)
    ['Mediterranea', 'n Sea']
    >>> wrap("Upgraded Sejjil †", Font(8.0), 110, 150)
    ['Upgraded', 'Sejjil †']
    """
    lines: list[str] = []
    current, current_w = "", 0.0
    space_w = font.width_px(" ", dpi)
    for word in _words(text):
        # words are measured one by one (and cached): a line is as wide as its words and spaces
        word_w = font.width_px(word, dpi)
        candidate_w = current_w + space_w + word_w if current else word_w
        if candidate_w <= width_px:
            current, current_w = (f"{current} {word}" if current else word), candidate_w
            continue
        if current:
            lines.append(current)
        while word_w > width_px and len(word) > 1:
            cut = _longest_fitting_prefix(word, font, width_px, dpi)
            lines.append(word[:cut])
            word = word[cut:]
            # the rest is measured whole only when it may fit: a long word's rest never does
            word_w = font.width_px(word, dpi) if _may_fit(word, font, width_px, dpi) else math.inf
        current, current_w = word, word_w
    if current:
        lines.append(current)
    return lines or [""]


def _words(text: str) -> list[str]:
    """Split `text` at spaces, gluing marks of one character to the word before them.

    >>> _words("Gabala – Tehran †"), _words("† first")
    (['Gabala –', 'Tehran †'], ['†', 'first'])
    """
    words: list[str] = []
    for word in text.split():
        if words and len(word) == 1 and not word.isalnum():
            words[-1] += f" {word}"
        else:
            words.append(word)
    return words


def wrap_within(
    text: str, font: Font, width_px: float, dpi: float, *, max_lines: int, max_width_px: float
) -> list[str]:
    """Wrap `text` to `width_px`, widening up to `max_width_px` to keep to `max_lines` lines.

    Nothing is ever cut: text that needs more lines at the widest gets them.

    >>> wrap_within("Semnan launch site (Imam Khomeini Spaceport)", Font(6.8), 90, 150,
    ...             max_lines=2, max_width_px=300)
    ['Semnan launch site (Imam', 'Khomeini Spaceport)']
    >>> len(wrap_within("word " * 40, Font(6.8), 100, 150, max_lines=2, max_width_px=120))
    14
    """
    width = width_px
    lines = wrap(text, font, width, dpi)
    while len(lines) > max_lines and width < max_width_px:
        width = min(width * 1.2, max_width_px)
        lines = wrap(text, font, width, dpi)
    return lines


#: A URL breaks best after one of these: the parts of its path and query stay whole.
_URL_BREAKS = "/-_.?&=#"


def wrap_url(url: str, font: Font, width_px: float, dpi: float) -> list[str]:
    """Break a URL into lines no wider than `width_px`, after a "/" or "-" where it can.

    Every character is kept: joined, the lines are the URL again.

    >>> wrap_url("https://example.org/a/b", Font(8.0), 1000, 150)
    ['https://example.org/a/b']
    >>> wrap_url("https://www.nti.org/gsn/article/russia-set-for-intensive-missile-shield-talks/",
    ...          Font(8.0), 260, 150)
    ['https://www.nti.org/gsn/', 'article/russia-set-for-intensive-', 'missile-shield-talks/']
    """
    lines: list[str] = []
    rest = url
    while len(rest) > 1 and (
        not _may_fit(rest, font, width_px, dpi) or font.width_px(rest, dpi) > width_px
    ):
        fits = _longest_fitting_prefix(rest, font, width_px, dpi)
        breaks = [i + 1 for i in range(1, fits) if rest[i] in _URL_BREAKS]
        cut = breaks[-1] if breaks and breaks[-1] >= fits // 3 else fits
        lines.append(rest[:cut])
        rest = rest[cut:]
    return [*lines, rest] if rest else lines


def _may_fit(text: str, font: Font, width_px: float, dpi: float) -> bool:
    """Whether `text` may be no wider than `width_px`: its characters' own widths (kerning
    aside) add up to at most a little more. Stops adding once past, so a long text costs
    no more than a line of it."""
    bound, total = width_px * 1.25, 0.0
    for char in text:
        total += font.width_px(char, dpi)
        if total > bound:
            return False
    return True


def _longest_fitting_prefix(word: str, font: Font, width_px: float, dpi: float) -> int:
    """The length of the longest prefix of `word` (at least 1, at most all but one character)
    no wider than `width_px`.

    The characters' own widths (each measured once) find the cut, then the prefix is measured
    whole and the cut moved a character at a time for what kerning changes: the work follows
    the line's length, not the word's (a 2,000-letter word once took seconds).

    >>> word = "Mediterranean"
    >>> cut = _longest_fitting_prefix(word, Font(8.0), 120, 150)
    >>> word[:cut], Font(8.0).width_px(word[: cut + 1], 150) > 120
    ('Mediterranea', True)
    """
    last = len(word) - 1
    cut, total = 0, 0.0
    while cut < last:
        total += font.width_px(word[cut], dpi)
        if total > width_px:
            break
        cut += 1
    cut = max(cut, 1)
    while cut > 1 and font.width_px(word[:cut], dpi) > width_px:
        cut -= 1
    while cut < last and font.width_px(word[: cut + 1], dpi) <= width_px:
        cut += 1
    return cut


def boxes_overlap(a: Box, b: Box) -> bool:
    """Return whether two boxes share some area (touching edges do not count).

    >>> boxes_overlap((0, 0, 10, 10), (5, 5, 20, 20)), boxes_overlap((0, 0, 10, 10), (10, 0, 20, 5))
    (True, False)
    """
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


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
        self.closed: list[Box] = []  # boxes no label may touch at all (the scale bar)

    def block(self, box: Box, *, closed: bool = False) -> None:
        """Keep later labels off `box`; off it entirely when `closed`."""
        (self.closed if closed else self.taken).append(box)

    def overlap(self, box: Box) -> float:
        """Return the area `box` shares with boxes taken, or inf if it leaves the bounds or
        touches a closed box."""
        x0, y0, x1, y1 = box
        bx0, by0, bx1, by1 = self.bounds
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            return math.inf
        if any(boxes_overlap(box, closed) for closed in self.closed):
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
