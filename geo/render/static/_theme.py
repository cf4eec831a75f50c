"""What only the static map needs to look right: fonts, text colours, graticule, sizes.

Symbols, role words, uncertain styling and base-map colours are shared with the page and the
KML writer, so they live in `geo.render.style`, not here.
"""

from __future__ import annotations

from collections.abc import Mapping

GRATICULE_COLOR = "white"
TEXT_COLOR = "#1f2428"
MUTED_COLOR = "#5d676f"
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine

CSS_PX_PT = 0.75  # Leaflet styles are in CSS pixels (1/96 in); matplotlib wants points
BASE_WIDTH_IN = 1600 / 150  # font sizes below are tuned for a 1600 px image at 150 dpi
SYMBOL_W_PX = 22.0  # legend symbol width in reference pixels (see `_page.unit_px`)
#: Size of the 16-unit site symbol box on a 1600 px, 150 dpi image, in points.
MARKER_BOX_PT = 9.0

FONT_PT: Mapping[str, float] = {
    "title": 15.0,
    "date": 9.5,
    "heading": 10.5,  # over each map of a compare image
    "legend": 8.0,
    "legend_small": 6.8,
    "label": 6.8,
    "sea": 6.8,
    "source": 6.6,
    "scale": 6.2,
}
