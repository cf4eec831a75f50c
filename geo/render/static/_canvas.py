"""What every drawing step shares: the figure and map axes, paints from layer styles, lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from geo.atlas_types import Style
from geo.errors import ExportError
from geo.render.style import SYMBOL_BOX, UNCERTAIN, marker_style, role_look

from ._frame import Frame, line_path
from ._layout import Pane, Sheet
from ._page import unit_px
from ._text import Font, Labels
from ._theme import CSS_PX_PT, MARKER_BOX_PT, TEXT_COLOR


@dataclass(frozen=True)
class Paint:
    """How one layer's features are drawn, in matplotlib terms."""

    stroke: tuple[float, float, float, float]
    fill: tuple[float, float, float, float]
    linewidth: float
    linestyle: Any
    text: tuple[float, float, float]  # label colour: the stroke colour, darkened for contrast


def paint(style: Style, scale: float, *, uncertain: bool, layer_id: str) -> Paint:
    """Turn a layer style (CSS pixels, as for Leaflet) into a paint in points at `scale`."""
    try:
        stroke, fill = to_rgb(style.color), to_rgb(style.fill)
    except ValueError as exc:
        raise ExportError(f"layer {layer_id!r}: style colour is not a colour: {exc}") from None
    width = max(style.weight, 0.3) * CSS_PX_PT * scale
    dashes = _dashes(style.dash, scale)
    opacity, fill_opacity = style.opacity, style.fill_opacity
    if uncertain:  # nominal values are drawn fainter and dotted, so they do not read as fact
        opacity *= UNCERTAIN.stroke_opacity_factor
        fill_opacity *= UNCERTAIN.fill_opacity_factor
        dashes = uncertain_dashes(scale)
    dark = (stroke[0] * 0.62, stroke[1] * 0.62, stroke[2] * 0.62)
    return Paint((*stroke, opacity), (*fill, fill_opacity), width, dashes or "solid", dark)


def uncertain_dashes(scale: float) -> tuple[float, tuple[float, ...]] | None:
    """Return the dots of uncertain lines as a matplotlib dash in points at `scale`.

    >>> uncertain_dashes(1.0)
    (0, (1.5, 4.5))
    """
    return _dashes(UNCERTAIN.dash, scale)


def _dashes(dash: str | None, scale: float) -> tuple[float, tuple[float, ...]] | None:
    """Turn an SVG dash array ("6 4", "6,4") in CSS pixels into a matplotlib dash in points.

    >>> _dashes("6,4 2", 1.0)
    (0, (4.5, 3.0, 1.5, 4.5, 3.0, 1.5))
    >>> _dashes("0 0", 1.0) is None and _dashes("six", 1.0) is None
    True
    """
    if not dash:
        return None
    try:
        values = [float(v) for v in dash.replace(",", " ").split()]
    except ValueError:
        return None
    if not values or any(v < 0 for v in values) or sum(values) <= 0:
        return None
    if len(values) % 2:  # SVG repeats an odd list to make it even
        values *= 2
    return (0, tuple(max(v, 0.1) * CSS_PX_PT * scale for v in values))


def marker_look(role: str, color: Any, scale: float, *, uncertain: bool) -> dict[str, Any]:
    """Return the `Line2D` marker settings that draw a site symbol as the page draws it.

    The symbol box is `MARKER_BOX_PT` at `scale`; the fill is `color`, fainter when uncertain,
    under the table's white stroke.

    >>> look = marker_look("city", "#1f5fa8", 1.0, uncertain=True)
    >>> look["markersize"], look["markerfacecolor"][3], look["markeredgecolor"]
    (9.0, 0.45, '#ffffff')
    """
    size = MARKER_BOX_PT * scale
    opacity = UNCERTAIN.marker_fill_opacity if uncertain else UNCERTAIN.marker_fill_opacity_certain
    return {
        "marker": marker_style(role),
        "markersize": size,
        "markerfacecolor": (*to_rgb(color), opacity),
        "markeredgecolor": UNCERTAIN.marker_stroke,
        "markeredgewidth": UNCERTAIN.marker_stroke_width * size / SYMBOL_BOX,
    }


def marker_radius_pt(role: str, scale: float) -> float:
    """Return how far a role's symbol reaches from its centre, in points.

    >>> marker_radius_pt("city", 1.0), marker_radius_pt("naval", 1.0)
    (2.25, 3.9375)
    """
    return MARKER_BOX_PT * scale * role_look(role).symbol.extent() / SYMBOL_BOX


@dataclass
class Canvas:
    """What the drawing functions share: the figure and the image layout, and for one map of
    it, its axes, pane, frame and label placer."""

    fig: Figure
    ax: Any
    layout: Sheet
    pane: Pane
    frame: Frame
    labels: Labels

    @property
    def scale(self) -> float:
        return self.layout.scale

    @property
    def unit(self) -> float:
        """One pixel of the 1600 px, 150 dpi reference image, in pixels of this image."""
        return unit_px(self.layout.scale, self.layout.dpi)

    def fx(self, px: float) -> float:
        return px / self.layout.width_px

    def fy(self, py: float) -> float:
        return py / self.layout.height_px

    def px(self, x: Any, y: Any) -> tuple[float, float]:
        """Return the image pixel of projected x/y metres (numbers or 0-d arrays) on the map."""
        px, py = self.pane.data_to_px(x, y)
        return float(px), float(py)

    def gid(self, name: str) -> str:
        """Return the SVG id of an artist of this map, unique when two maps share the image."""
        return f"{self.pane.gid_prefix}{name}"

    def text(self, px: float, py: float, text: str, font: Font, **kwargs: Any) -> None:
        """Draw text at image pixel (px, py) in figure coordinates, never as mathtext."""
        kwargs.setdefault("color", TEXT_COLOR)
        self.fig.text(
            self.fx(px),
            self.fy(py),
            text,
            fontsize=font.size_pt,
            fontweight=font.weight,
            fontstyle=font.style,
            parse_math=False,
            **kwargs,
        )

    def add_lines(
        self,
        lines: np.ndarray,
        *,
        color: Any,
        width: float,
        zorder: float,
        linestyle: Any = "solid",
    ) -> None:
        """Stroke map lines (projected metres) as one path on the map axes."""
        path = line_path(lines)
        if path is None:
            return
        patch = PathPatch(
            path,
            facecolor="none",
            edgecolor=color,
            linewidth=width,
            linestyle=linestyle,
            capstyle="round",
            joinstyle="round",
            zorder=zorder,
        )
        self.add_shape(patch)

    def add_shape(self, patch: PathPatch) -> None:
        """Add a map patch without growing the axes' data limits to it.

        The view is fixed before anything is drawn; `add_patch` would walk every vertex of a
        large area (Russia, NATO's allies) for limits nobody reads.
        """
        self.ax.add_artist(patch)


def halo(scale: float) -> list[Any]:
    """Return the white outline that keeps a label readable over lines and fills."""
    # Stroke alone: the halo becomes a path, while the label itself stays a <text> in SVG
    # (matplotlib turns any text with path effects into outlines).
    return [patheffects.Stroke(linewidth=2.4 * scale, foreground="white", alpha=0.85)]
