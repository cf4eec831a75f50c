"""Check the arguments of the public shapes, with errors that name the value and the limits.

The limits are the package's contract with the layer model (geo/schema.py imports them): every
value inside them builds a valid polygon.
"""

from __future__ import annotations

import numpy as np

#: Beyond this a geodesic circle approaches the antipode's cut locus and stops being a circle.
MAX_RADIUS_KM = 19_500.0
#: Buffers are built from geodesic parallels, which stay well behaved up to this distance.
MAX_BUFFER_KM = 5_000.0
#: A ring, a fan or an annulus's width below a metre is no shape one can draw or source.
MIN_RADIUS_KM = 0.001
#: A narrower beam is a line; radar beams of interest are degrees wide.
MIN_BEAM_DEG = 0.01
#: A buffer below a metre adds nothing a map can show.
MIN_BUFFER_KM = 0.001


def require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def check_point(lon: float, lat: float, suffix: str = "") -> None:
    require(bool(np.isfinite(lon)), f"lon{suffix} must be a finite number, got {lon!r}")
    require(
        bool(np.isfinite(lat)) and -90.0 <= lat <= 90.0,
        f"lat{suffix} must be within [-90, 90], got {lat!r}",
    )


def check_radii(radius_km: float, min_radius_km: float) -> None:
    require(
        bool(np.isfinite(radius_km)) and MIN_RADIUS_KM <= radius_km <= MAX_RADIUS_KM,
        f"radius_km must be >= {MIN_RADIUS_KM:g} (1 m) and <= {MAX_RADIUS_KM:.0f}, "
        f"got {radius_km!r}",
    )
    # A band thinner than a metre is no annulus.
    require(
        bool(np.isfinite(min_radius_km)) and 0.0 <= min_radius_km <= radius_km - MIN_RADIUS_KM,
        f"min_radius_km must be >= 0 and at least {MIN_RADIUS_KM:g} (1 m) below radius_km "
        f"({radius_km:g}), got {min_radius_km!r}",
    )


def check_beam(beam_deg: float) -> None:
    require(
        bool(np.isfinite(beam_deg)) and beam_deg >= MIN_BEAM_DEG,
        f"beam_deg must be >= {MIN_BEAM_DEG:g}, got {beam_deg!r}",
    )


def check_buffer(distance_km: float) -> None:
    require(
        bool(np.isfinite(distance_km))
        and (distance_km == 0.0 or MIN_BUFFER_KM <= distance_km <= MAX_BUFFER_KM),
        f"distance_km must be 0, or >= {MIN_BUFFER_KM:g} (1 m) and <= {MAX_BUFFER_KM:.0f}, "
        f"got {distance_km!r}",
    )


def check_error(max_error_m: float) -> None:
    require(
        bool(np.isfinite(max_error_m)) and max_error_m > 0.0,
        f"max_error_m must be > 0, got {max_error_m!r}",
    )
