"""The Atlas: the one typed representation every renderer reads.

A layer is metadata plus a GeoDataFrame (EPSG:4326, lon/lat) of its computed features.
Renderers never re-read YAML nor recompute geometry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

#: Columns of every layer's GeoDataFrame, in this order (plus ``geometry``).
FEATURE_COLUMNS: tuple[str, ...] = (
    "id",  # unique across the whole atlas
    "layer",  # id of the layer the feature belongs to
    "kind",  # site | region | range | link
    "name",
    "role",  # sites: radar | interceptors | command | launch | naval | city | other; else None
    "status",  # proposed | agreed | operational | cancelled | None
    "date_from",  # ISO date text or None
    "date_to",
    "precision",  # sites: site | town | approx; else None
    "uncertainty",  # text saying what is uncertain, or None
    "description",  # free text or None
    "label",  # short label (ranges) or None
    "parameters",  # dict[str, str | int | float]: key parameters to show
    "sources",  # list[str]: ids of the layer's sources
    "derivation",  # how the geometry was made (e.g. "4,000 km geodesic ring around armavir")
)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    date: str | None = None  # ISO date text (YYYY, YYYY-MM or YYYY-MM-DD)
    url: str | None = None
    quote: str | None = None


@dataclass(frozen=True)
class Style:
    color: str = "#3366cc"  # stroke colour, #rrggbb
    fill_color: str | None = None  # defaults to color
    fill_opacity: float = 0.15
    opacity: float = 0.9
    weight: float = 2.0
    dash: str | None = None  # SVG dash array, e.g. "6 4"

    @property
    def fill(self) -> str:
        return self.fill_color or self.color


@dataclass(frozen=True)
class Layer:
    id: str
    title: str
    group: str
    features: gpd.GeoDataFrame
    style: Style = field(default_factory=Style)
    description: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()  # facts without a place, e.g. "no location was ever given"
    visible: bool = True  # shown when the map opens
    path: str = ""  # layer file it came from


@dataclass(frozen=True)
class Atlas:
    title: str
    layers: tuple[Layer, ...]
