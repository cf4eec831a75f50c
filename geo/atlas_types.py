"""The Atlas: the one typed representation every renderer reads.

A layer is metadata plus a GeoDataFrame (EPSG:4326, lon/lat) of its computed features.
Renderers never re-read YAML nor recompute geometry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd

PathLike = str | os.PathLike[str]

#: Columns of every layer's GeoDataFrame, in this order (plus ``geometry``).
FEATURE_COLUMNS: tuple[str, ...] = (
    "id",  # unique across the whole atlas
    "layer",  # id of the layer the feature belongs to
    "kind",  # site | region | range | link
    "name",
    "aliases",  # list[str]: other names it is known by (spellings, former names); [] if none
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
class Event:
    """A named moment of a layer's story, for the timeline, with the layer's sources for it."""

    date: str  # ISO date text (YYYY, YYYY-MM or YYYY-MM-DD)
    name: str  # short, one line: shown beside the timeline
    sources: tuple[str, ...]  # ids of the layer's sources


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
    events: tuple[Event, ...] = ()  # named moments of the story, in the layer file's order
    visible: bool = True  # shown when the map opens
    context: bool = False  # background to the story: the opening view frames the other layers
    path: str = ""  # layer file it came from


class Outputs:
    """The writing methods of an Atlas and a Comparison: every one goes through `write`, and
    `write` through `geo.outputs.write_outputs` (checked, staged, all replaced or none)."""

    def _output_source(self) -> tuple[Atlas, dict[str, Any]]:
        """The atlas written, and what `write_outputs` is told besides (a comparison)."""
        raise NotImplementedError

    def write(self, **targets: Any) -> list[Any]:
        """Write several outputs at once, all replaced or none: `write(html=..., png=...)`.

        Keywords: the outputs html, geojson, gpkg, kml, png, svg, pdf (paths), and the options
        of `geo.outputs.write_outputs` (offline, width_px, height_px, dpi, image_layers).
        Returns what was written (kind, path, size, seconds).
        """
        from .outputs import SUFFIXES, write_outputs

        outputs = {kind: targets.pop(kind) for kind in list(targets) if kind in SUFFIXES}
        atlas, extra = self._output_source()
        return write_outputs(atlas, outputs, **extra, **targets)

    def save_html(self, path: PathLike, *, offline: bool = False) -> Path:
        """Write the interactive map page to `path` (replaced whole, or left as it was)."""
        self.write(html=path, offline=offline)
        return Path(path)

    def to_png(self, path: PathLike, **image: Any) -> Path:
        """Write a static PNG: keywords width_px, height_px, dpi, image_layers ("visible",
        "all" or layer ids)."""
        self.write(png=path, **image)
        return Path(path)

    def to_svg(self, path: PathLike, **image: Any) -> Path:
        """Write a static SVG (keywords as `to_png`)."""
        self.write(svg=path, **image)
        return Path(path)

    def to_pdf(self, path: PathLike, **image: Any) -> Path:
        """Write a static PDF (keywords as `to_png`)."""
        self.write(pdf=path, **image)
        return Path(path)

    def to_geojson(self, path: PathLike) -> Path:
        """Write every feature as one GeoJSON FeatureCollection (RFC 7946)."""
        self.write(geojson=path)
        return Path(path)

    def to_gpkg(self, path: PathLike) -> Path:
        """Write a GeoPackage with one table per layer."""
        self.write(gpkg=path)
        return Path(path)

    def to_kml(self, path: PathLike) -> Path:
        """Write styled KML with one folder per layer."""
        self.write(kml=path)
        return Path(path)


@dataclass(frozen=True)
class Atlas(Outputs):
    """The ordered layers of one map, with one method per output.

    Make one with `geo.load("layers/")`. In Jupyter the Atlas shows itself as the map.

    >>> import geo
    >>> atlas = geo.load("tests/fixtures/basic")
    >>> atlas  # doctest: +ELLIPSIS
    <Atlas 'Missile defense in Europe: proposals 2007–2011': 2 layers, 7 features (2 sites, ...)>
    >>> atlas.features[["layer", "id", "kind"]].head(2)
       layer     id  kind
    0  sites  radar  site
    1  sites   base  site
    """

    title: str
    layers: tuple[Layer, ...]

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for layer in self.layers:
            for kind in layer.features["kind"]:
                counts[kind] = counts.get(kind, 0) + 1
        total = sum(counts.values())
        kinds = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items())
        return (
            f"<Atlas {self.title!r}: {len(self.layers)} layer{'s' if len(self.layers) != 1 else ''}"
            f", {total} feature{'s' if total != 1 else ''}{f' ({kinds})' if kinds else ''}>"
        )

    def layer(self, layer_id: str) -> Layer:
        """Return the layer with id `layer_id`; a KeyError names the ids there are."""
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        known = ", ".join(layer.id for layer in self.layers)
        raise KeyError(f"no layer {layer_id!r}; the layers are: {known}")

    @property
    def features(self) -> gpd.GeoDataFrame:
        """Every feature of every layer as one GeoDataFrame (EPSG:4326), `layer` naming its layer.

        >>> import geo
        >>> geo.load("tests/fixtures/basic").features.crs.to_epsg()
        4326
        """
        import pandas as pd

        frames = [layer.features for layer in self.layers]
        if not frames:
            return gpd.GeoDataFrame(columns=[*FEATURE_COLUMNS, "geometry"], crs="EPSG:4326")
        joined = pd.concat(frames, ignore_index=True)
        return gpd.GeoDataFrame(joined, geometry="geometry", crs="EPSG:4326")

    # ---- outputs ------------------------------------------------------------------------------

    def to_folium(self, *, offline: bool = False) -> Any:
        """Return the interactive map as a `folium.Map`, to add your own folium layers and plugins.

        Its overlays are folium layers keyed by layer id: `m.layers["iran-threat"]`. With
        `offline=True` the saved page needs no network (Leaflet inlined, vector base map);
        an element you add whose files would come from the network is then left out, with an
        `OfflineAssetWarning` naming it.

        >>> import geo
        >>> m = geo.load("tests/fixtures/basic").to_folium()
        >>> import folium
        >>> isinstance(m, folium.Map), sorted(m.layers)
        (True, ['links', 'sites'])
        """
        from .render.folium_map import to_folium

        return to_folium(self, offline=offline)

    def compare(self, a: str | None = None, b: str | None = None) -> Any:
        """Return two proposals side by side (`geo.compare.Comparison`): `a` and `b` are layer
        ids or groups; without them, the last group's two proposals. Save it like the Atlas:
        `atlas.compare("nato-two-systems-2011", "russia-sectoral-2011").save_html(path)`.
        An unknown id raises ExportError listing the layers and groups there are."""
        from .compare import compare

        return compare(self, a, b)

    def _repr_html_(self) -> str:
        """Show the map inline in Jupyter (an iframe holding the page)."""
        return str(self.to_folium()._repr_html_())

    def _output_source(self) -> tuple[Atlas, dict[str, Any]]:
        return self, {}
