"""The WGS84 ellipsoid every shape is computed on, and the few constants derived from it."""

from __future__ import annotations

from pyproj import Geod

#: GeographicLib's geodesics on WGS84, shared by every module of the package.
GEOD = Geod(ellps="WGS84")
#: The mean earth radius (IUGG), for spherical estimates that only steer a search.
EARTH_RADIUS_M = 6_371_008.8
#: A degree of latitude is at most this long (at the poles).
METRES_PER_DEGREE_MAX = 111_700.0
