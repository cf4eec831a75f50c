"""Reference geography shipped with the code: countries, land and named seas.

Geometries are shapely 2 objects in lon/lat (EPSG:4326), valid, within -180..180 / -90..90, read
lazily from ``world.topo.json`` (Natural Earth 1:50m via the npm package world-atlas, plus our
own IHO-based sea limits; see README.md here) and cached, so repeated lookups are cheap. The
returned geometries are shared: treat them as read-only, as shapely does.

>>> from geo import reference
>>> reference.resolve_country("czech republic"), reference.resolve_country("Türkiye")
('CZE', 'TUR')
>>> reference.resolve_sea("baltic"), reference.resolve_sea("Baltic proper")
('Baltic Sea', 'Baltic Sea (proper)')
>>> reference.country("RUS").bounds[::2]  # split at the antimeridian: both ends of the map
(-180.0, 180.0)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from shapely.geometry.base import BaseGeometry

from . import _world

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "basemap",
    "country",
    "country_name",
    "country_names",
    "land",
    "resolve_country",
    "resolve_sea",
    "sea",
    "sea_names",
    "seas_overlap",
]


def resolve_country(name: str) -> str:
    """Return the alpha-3 code of a country given by code, English name or alias.

    Case, accents, dots and extra spaces do not matter. Unknown names raise
    ``geo.errors.ReferenceLookupError`` naming the closest known countries.

    >>> resolve_country("pol"), resolve_country("Russia"), resolve_country("U.S.A.")
    ('POL', 'RUS', 'USA')
    >>> resolve_country("Kosovo")  # no ISO code: the user-assigned one the EU and IMF use
    'XKX'
    """
    return _world.world().country_index.resolve(name)


def resolve_sea(name: str) -> str:
    """Return the canonical name of a sea given by name or alias (case does not matter).

    "Baltic" and "Baltic Sea" mean the IHO Baltic with its gulfs; "Baltic Sea (proper)" (or
    "Baltic proper") the sea without the Gulfs of Bothnia, Finland and Riga.

    >>> resolve_sea("black"), resolve_sea("sea of azov")
    ('Black Sea', 'Sea of Azov')
    """
    return _world.world().sea_index.resolve(name)


def country(name: str) -> BaseGeometry:
    """Return the (multi)polygon of a country given by alpha-3 code, English name or alias.

    >>> round(country("Poland").area, 1)  # square degrees; see pyproj.Geod for km²
    41.2
    """
    return _world.country_geometry(resolve_country(name))


def sea(name: str) -> BaseGeometry:
    """Return the water (multi)polygon of a named sea: its IHO limits cut to the coast.

    >>> sea("Baltic").contains(sea("Gulf of Riga"))
    True
    """
    return _world.sea_geometry(resolve_sea(name))


def seas_overlap(names: Iterable[str]) -> bool:
    """Tell whether the water of any two of the named seas overlaps: one is a part or a
    subdivision of the other. Other seas, like countries, only share borders.

    >>> seas_overlap(["Baltic", "Gulf of Riga"]), seas_overlap(["Baltic proper", "Gulf of Riga"])
    (True, False)
    """
    canonical = {resolve_sea(name) for name in names}
    return any(_world.overlapping_seas(name) & canonical for name in canonical)


def land() -> BaseGeometry:
    """Return all land of the world (world-atlas land-50m) as one valid multipolygon."""
    return _world.land_geometry()


def country_names() -> list[str]:
    """Return the English names of all countries, sorted; each one works with ``country()``."""
    data = _world.world()
    return sorted(obj["properties"]["name"] for obj in data.countries.values())


def country_name(code: str) -> str:
    """Return the English name of a country given by its alpha-3 code (as `resolve_country`
    returns it).

    >>> country_name("CZE")
    'Czechia'
    """
    return str(_world.world().countries[code]["properties"]["name"])


def sea_names() -> list[str]:
    """Return the canonical names of all seas, sorted; each one works with ``sea()``."""
    return sorted(_world.world().seas)


def basemap(
    *, tolerance_deg: float = 0.05, bbox: tuple[float, float, float, float] | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Return GeoDataFrames (EPSG:4326) for drawing an offline vector base map.

    ``"land"``: one row, all land. ``"borders"``: land borders between two countries, one row per
    shared boundary line (columns ``country_a``, ``country_b``: alpha-3 codes). ``"seas"``: the
    named seas as disjoint polygons (the Baltic as its four parts, the Mediterranean without the
    Adriatic and Aegean rows) with ``name``, ``label_lon`` and ``label_lat`` (a point inside the
    sea for its label). Boundaries are simplified by ``tolerance_deg`` (0 keeps every vertex;
    the default, about 5 km, suits zoom levels up to about 7 and keeps the world to some 30,000
    points); ``bbox`` = (west, south, east, north) clips all three, which makes a regional map
    much smaller still.
    """
    from ._basemap import basemap_frames

    if tolerance_deg < 0:
        raise ValueError(f"tolerance_deg must be >= 0, got {tolerance_deg}")
    return basemap_frames(tolerance_deg, bbox)
