"""Longitudes on a flat map: wrapping into [-180, 180), unwrapping boundaries, Web Mercator."""

from __future__ import annotations

import numpy as np

#: Web Mercator (and so Leaflet) clips latitudes beyond this.
MERCATOR_MAX_LAT_DEG = 85.0511287798066
LON_GRID = 2.0**36


def wrap_lon_deg(angle_deg: np.ndarray) -> np.ndarray:
    """Wrap longitudes (or angles) into [-180, 180): the rule every unwrapping here follows.

    >>> wrap_lon_deg(np.array([180.0, 190.0, -540.0]))
    array([-180., -170., -180.])
    """
    return (angle_deg + 180.0) % 360.0 - 180.0


def unwrap_each(lon_deg: np.ndarray, owner: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Unwrap many boundaries stored one after another, each from its own first longitude."""
    step = np.diff(lon_deg)
    turns = np.concatenate(([0.0], np.cumsum(np.round((wrap_lon_deg(step) - step) / 360.0))))
    # Whole turns are exact in floating point, so shared vertices stay bit-identical.
    return lon_deg + 360.0 * (turns - turns[first][owner])


def unwrap_deg(lon_deg: np.ndarray) -> np.ndarray:
    """Make longitudes continuous by adding whole turns, so ±180 stays exactly ±180 + 360 k."""
    step = np.diff(lon_deg)
    turns = np.round((wrap_lon_deg(step) - step) / 360.0)
    return lon_deg + 360.0 * np.concatenate(([0.0], np.cumsum(turns)))


def mercator_y(lat_deg: np.ndarray) -> np.ndarray:
    return np.log(np.tan(np.pi / 4.0 + np.radians(lat_deg) / 2.0))


def mercator_lat_deg(y: np.ndarray) -> np.ndarray:
    return np.degrees(2.0 * np.arctan(np.exp(y)) - np.pi / 2.0)


def on_grid(lon_deg: np.ndarray) -> np.ndarray:
    """Round longitudes to 2^-36 degree (under 2 µm), so that adding or removing whole turns
    is exact and a vertex shifted across the antimeridian and back is bit-identical."""
    return np.round(np.asarray(lon_deg) * LON_GRID) / LON_GRID
