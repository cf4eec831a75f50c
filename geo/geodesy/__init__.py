"""Build geodesic shapes on the WGS84 ellipsoid: range rings, radar fans, links and buffers.

Every shape is computed with :class:`pyproj.Geod` (GeographicLib) and returned as a shapely 2
geometry in lon/lat degrees, ready for a [-180, 180] map:

- outlines are densified adaptively, so that the straight segments a renderer draws between
  vertices (in lon/lat, and in Web Mercator away from the poles) stay within ``max_error_m`` of
  the true curve everywhere, not just at the vertices;
- shapes that cross the antimeridian are cut at ±180° (:func:`split_antimeridian`);
- a shape that contains a pole is closed over that pole (edges along latitude ±90);
- polygons are valid, exteriors anticlockwise and holes clockwise (RFC 7946 order).

The cuts along ±180° and the poles are edges of the polygons but not of the shape: stroke
:func:`seamless_outline` instead of the polygon boundary to draw the outline alone.

Areas and lengths are measured on the drawn shape (:func:`geodesic_area_km2`,
:func:`geodesic_length_km`). :func:`buffer` reads the edges of its input as geodesics; for
shapes densified here (or as dense as Natural Earth) that is the drawn shape too.

One job per module, all private; this package re-exports the public names:

=================  ==========================================================================
``_rings``         :func:`ring` (and annuli), :func:`rings` (many at once), :func:`fan`
``_lines``         :func:`geodesic_line`, :func:`geodesic_lines`; the geodesic edges of paths
``_buffers``       :func:`buffer`
``_measure``       :func:`geodesic_area_km2`, :func:`geodesic_length_km`
``_antimeridian``  :func:`split_antimeridian`, pole closure, :func:`seamless_outline`
``_densify``       adaptive sampling of geodesic circles and rays, many curves at once
``_checks``        argument checks and the limits (``MIN_*``, ``MAX_*``) the layer model uses
``_angles``        :func:`wrap_lon_deg`, unwrapping, Web Mercator
``_ellipsoid``     the shared :class:`pyproj.Geod` and WGS84 constants
=================  ==========================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._angles import wrap_lon_deg
from ._antimeridian import seamless_outline, split_antimeridian
from ._checks import MAX_BUFFER_KM, MAX_RADIUS_KM, MIN_BEAM_DEG, MIN_BUFFER_KM, MIN_RADIUS_KM
from ._lines import geodesic_line, geodesic_lines
from ._measure import geodesic_area_km2, geodesic_length_km
from ._rings import fan, fans, ring, rings

if TYPE_CHECKING:
    from ._buffers import buffer

__all__ = [
    "MAX_BUFFER_KM",
    "MAX_RADIUS_KM",
    "MIN_BEAM_DEG",
    "MIN_BUFFER_KM",
    "MIN_RADIUS_KM",
    "buffer",
    "fan",
    "fans",
    "geodesic_area_km2",
    "geodesic_length_km",
    "geodesic_line",
    "geodesic_lines",
    "ring",
    "rings",
    "seamless_outline",
    "split_antimeridian",
    "wrap_lon_deg",
]


def __getattr__(name: str) -> Any:
    # geodesic buffers load on first use: most maps have none (a hundredth of a small build)
    if name == "buffer":
        from ._buffers import buffer

        return buffer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
