"""How the static map looks: colours, font sizes and site markers, kept apart from what it shows."""

from __future__ import annotations

from collections.abc import Mapping

SEA_COLOR = "#dce7ef"
LAND_COLOR = "#f4f1e9"
COAST_COLOR = "#a9bccb"
BORDER_COLOR = "#a3a3a3"
GRATICULE_COLOR = "#ffffff"
TEXT_COLOR = "#1f2428"
MUTED_COLOR = "#5d676f"
SEA_LABEL_COLOR = "#5a7b93"
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine

#: Mark on labels and legend entries of features whose values are nominal or uncertain.
UNCERTAIN_MARK = "\u2020"

CSS_PX_PT = 0.75  # Leaflet styles are in CSS pixels (1/96 in); matplotlib wants points
BASE_WIDTH_IN = 1600 / 150  # font sizes below are tuned for a 1600 px image at 150 dpi
SYMBOL_W_PX = 22.0  # legend symbol width in reference pixels (see `_layout.unit_px`)

FONT_PT: Mapping[str, float] = {
    "title": 15.0,
    "date": 9.5,
    "legend": 8.0,
    "legend_small": 6.8,
    "label": 6.8,
    "sea": 6.8,
    "source": 6.6,
    "scale": 6.2,
}

#: Marker shape and relative size of each site role.
ROLE_MARKERS: Mapping[str, tuple[str, float]] = {
    "radar": ("o", 1.0),
    "interceptors": ("^", 1.15),
    "command": ("s", 0.9),
    "launch": ("*", 1.5),
    "naval": ("D", 0.8),
    "city": ("o", 0.6),
    "other": ("p", 0.9),
}
