"""Render the atlas as a static PNG, SVG or PDF map with matplotlib alone.

The map is drawn in a Lambert azimuthal equal-area projection centred on the features drawn,
over the offline vector base map of `geo.reference`, with the layers in atlas order, a legend, a
scale bar, a light graticule and a numbered source list. No browser, no network, no cartopy.
The same atlas gives byte-identical files (no dates, fixed fonts, fixed SVG ids).

>>> render_static(atlas, "output/map.png", width_px=1600)        # doctest: +SKIP

`render_static_compare` puts two choices of layers side by side on one projection and extent:

>>> render_static_compare(atlas, "output/compare.png", left=["nato-two-systems-2011"],
...     right=["russia-sectoral-2011"], left_title="NATO", right_title="Russia")  # doctest: +SKIP

Colours, symbols and words shared with the page and KML come from `geo.render.style`.
The stages, each in its own module: `_projection` (bounds and projection), `_extent` (what the
map frames), `_frame` (projecting and clipping shapes), `_text` (measuring, wrapping and placing
text), `_rows`, `_page` and `_layout` (what goes where), then drawing with `_draw`, `_layers`,
`_labels` and `_panels`. A compare image is the same stages with two panes in one figure.

By default the image shows `story_layers` (visible or dated) and names the others; names are
wrapped, never cut; source URLs are whole, and links in PDF and SVG.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import matplotlib
from matplotlib.figure import Figure

from geo.atlas_types import Atlas
from geo.errors import ExportError
from geo.fileio import atomic_target

from ._draw import draw
from ._layout import (
    CompareLayout,
    Pane,
    Sheet,
    StaticLayout,
    plan_static,
    plan_static_compare,
    story_layers,
)
from ._projection import LonLatBounds, MapProjection, choose_projection, lonlat_bounds
from ._theme import FONT_FAMILY

__all__ = [
    "FORMATS",
    "CompareLayout",
    "LonLatBounds",
    "MapProjection",
    "Pane",
    "StaticLayout",
    "choose_projection",
    "lonlat_bounds",
    "plan_static",
    "plan_static_compare",
    "render_static",
    "render_static_compare",
    "story_layers",
]

#: Output formats by file suffix.
FORMATS: Mapping[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

# Settings that make output reproducible and keep SVG text as text (searchable, editable).
_RC_PARAMS: dict[Any, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "svg.fonttype": "none",
    "svg.hashsalt": "defense-map",
    "svg.id": "defense-map",
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "path.simplify": True,
    "lines.scale_dashes": False,  # dash lengths are given in points, as the style says
    "axes.unicode_minus": False,
    "text.parse_math": False,  # a "$" in a name is a dollar, not mathtext
}
# Without these keys matplotlib would stamp its version and the current time into the file.
_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Creator": None, "Date": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}


def render_static(
    atlas: Atlas,
    path: str | os.PathLike[str],
    *,
    width_px: int = 1600,
    height_px: int | None = None,
    dpi: float = 150,
    title: str | None = None,
    date_text: str | None = None,
    layer_ids: Iterable[str] | None = None,
) -> None:
    """Write the atlas as a static map to `path` (.png, .svg or .pdf, chosen by the suffix).

    `layer_ids` picks layers (in atlas order). By default (None) the image tells the story:
    every layer visible when the map opens or with a period (`story_layers`), and the legend
    names the layers it leaves out.
    `height_px=None` sizes the image to the map. `title` defaults to the atlas title and
    `date_text` to the span of the layers' periods. The file is written atomically.
    """
    target, fmt = _target_of(path)
    layout = plan_static(
        atlas,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        title=title,
        date_text=date_text,
        layer_ids=layer_ids,
    )
    _draw_and_write(layout, target, fmt=fmt)


def render_static_compare(
    atlas: Atlas,
    path: str | os.PathLike[str],
    *,
    left: Sequence[str],
    right: Sequence[str],
    left_title: str,
    right_title: str,
    width_px: int = 1600,
    height_px: int | None = None,
    dpi: float = 150,
    title: str | None = None,
) -> None:
    """Write two maps side by side to `path` (.png, .svg or .pdf, chosen by the suffix).

    The left map draws the layers `left`, the right map the layers `right` (each in atlas
    order), on the same projection and extent, framed on the layers of both, so that a reader
    compares like with like. Each map has its heading (`left_title`, `right_title`) over it and
    its own legend under it; the image has one title (`title`, by default the atlas title) and
    one numbered source list for both. `height_px=None` sizes the image to the maps. The file
    is written atomically, and the same atlas gives the same bytes.
    """
    target, fmt = _target_of(path)
    layout = plan_static_compare(
        atlas,
        left=left,
        right=right,
        left_title=left_title,
        right_title=right_title,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        title=title,
    )
    _draw_and_write(layout, target, fmt=fmt)


def _target_of(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """Return the file to write and its format, or say why it cannot be written."""
    target = Path(path)
    fmt = _format_of(target)
    if not target.parent.is_dir():
        raise ExportError(
            f"{target}: folder {str(target.parent)!r} does not exist; create it first"
        )
    return target, fmt


def _draw_and_write(layout: Sheet, target: Path, *, fmt: str) -> None:
    """Draw `layout` over the base map and write it to `target`, reproducibly."""
    with matplotlib.rc_context(_RC_PARAMS):
        fig = draw(layout, _load_basemap())
        metadata = dict(_METADATA[fmt])
        if layout.title_lines:
            metadata["Title"] = " ".join(layout.title_lines)
        try:
            _write_atomically(fig, target, fmt=fmt, dpi=layout.dpi, metadata=metadata)
        finally:
            fig.clear()  # free the artists now; no pyplot, so nothing else holds the figure


def _format_of(target: Path) -> str:
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        allowed = ", ".join(FORMATS)
        raise ExportError(
            f"{target}: suffix {target.suffix or '(none)'!r} is not supported; "
            f"must be one of {allowed}"
        )
    return fmt


def _load_basemap() -> Mapping[str, Any]:
    """Return the offline base map (land, borders, seas) from `geo.reference`."""
    try:
        basemap = importlib.import_module("geo.reference").basemap
    except (ImportError, AttributeError) as exc:
        raise ExportError(f"the base map is missing: geo.reference.basemap ({exc})") from None
    return cast(Mapping[str, Any], basemap())


def _write_atomically(
    fig: Figure, target: Path, *, fmt: str, dpi: float, metadata: Mapping[str, Any]
) -> None:
    """Save into a temporary file beside `target`, then rename it over `target`."""
    with atomic_target(target) as temp:
        fig.savefig(temp, format=fmt, dpi=dpi, metadata=dict(metadata), facecolor="white")
