"""Frame the map: the shapes it is centred on, their projection and extent, the view of a box."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import Layer
from geo.errors import ExportError

from ._frame import Frame, project_points
from ._projection import MapProjection, choose_projection, lonlat_bounds

_MIN_EXTENT_M = 6e5  # a map of one site still shows 600 km around it
# Regions frame the map this far (a share of the sites' larger span, at least so many
# degrees) beyond the sites and links.
_REGION_PAD = 0.3
_REGION_PAD_MIN_DEG = 5.0

#: xmin, ymin, xmax, ymax in projected metres
Extent = tuple[float, float, float, float]


def frame_layers(layers: Sequence[Layer]) -> tuple[MapProjection, Extent]:
    """Return the projection centred on what `layers` show and the extent that frames it.

    Maps compared side by side frame the layers of both sides together, so that they show the
    same place at the same scale.
    """
    geoms = framing_geometries(layers)
    projection = choose_projection(lonlat_bounds(geoms))
    return projection, feature_extent(geoms, projection)


def framing_geometries(layers: Sequence[Layer]) -> list[BaseGeometry]:
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


def feature_extent(geoms: Sequence[BaseGeometry], proj: MapProjection) -> Extent:
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


def fit_view(extent: Sequence[float], aspect: float) -> Extent:
    """Widen the extent to the map box's aspect ratio (width / height), keeping its centre.

    >>> fit_view((0, 0, 10, 10), 2.0)
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
