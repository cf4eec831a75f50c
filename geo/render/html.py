"""The data of the interactive page: base maps, groups, bounds, timeline and each layer's
GeoJSON, as plain JSON for our page script. `folium_map` puts it on a folium map.

Nothing in it is random or dated, so the same Atlas gives byte-identical HTML.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import geodesy
from ..atlas_types import Atlas, Layer
from .features import geojson_geometry, layer_to_geojson_features

#: 5 decimals of a degree is about 1 m: finer than any source's precision, and a lighter page.
COORD_DECIMALS = 5

# Tile servers that need no API key (CARTO's now does, so it is not offered).
TILE_BASEMAPS: tuple[dict[str, Any], ...] = (
    {
        "id": "light",
        "name": "Light grey (Esri)",
        "url": "https://server.arcgisonline.com/ArcGIS/rest/services/Canvas/"
        "World_Light_Gray_Base/MapServer/tile/{z}/{y}/{x}",
        "max_zoom": 16,
        "attribution": "Tiles © Esri — Esri, DeLorme, NAVTEQ",
    },
    {
        "id": "osm",
        "name": "OpenStreetMap",
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "max_zoom": 19,
        "attribution": "© OpenStreetMap contributors",
    },
)
SUBTITLE = "Proposals, counter-offers and deployments; click a shape for its sources"
VECTOR_BASEMAP = {"id": "vector", "name": "Offline vector map (Natural Earth)", "vector": True}


def render_html(atlas: Atlas, *, offline: bool = False) -> str:
    """Return the map page for `atlas`; `offline=True` inlines everything and uses no tiles."""
    from .folium_map import to_folium

    return to_folium(atlas, offline=offline).get_root().render()


def page_config(
    atlas: Atlas,
    *,
    offline: bool,
    basemap: bool = True,
    bounds: list[list[float]] | None = None,
    subtitle: str = SUBTITLE,
) -> dict[str, Any]:
    """Return what the page's controls need besides the layers, as JSON-ready data.

    `basemap=False` leaves the vector base map out (the page carries it as its own, cached,
    script: it is the same for every map). `bounds` ([[south, west], [north, east]]) replaces
    the opening view framed from the atlas (`initial_bounds`).
    """
    from .style import page_look

    vector = vector_basemap()
    basemaps = [] if offline else [dict(b) for b in TILE_BASEMAPS]
    if vector is not None:
        basemaps.append(VECTOR_BASEMAP)
    return {
        "title": atlas.title,
        "subtitle": subtitle,
        "look": page_look(),
        "basemaps": basemaps,
        "vector_basemap": vector if basemap else None,
        "groups": _groups(atlas),
        "bounds": bounds or initial_bounds(atlas),
        "timeline": _timeline(atlas),
    }


def page_data(atlas: Atlas, *, offline: bool) -> dict[str, Any]:
    """Return everything the page's script receives: the controls' data and every layer."""
    return {
        **page_config(atlas, offline=offline),
        "layers": [layer_data(layer) for layer in atlas.layers],
    }


def _groups(atlas: Atlas) -> list[dict[str, Any]]:
    order: dict[str, list[str]] = {}
    for layer in atlas.layers:
        order.setdefault(layer.group, []).append(layer.id)
    return [{"name": name, "layers": ids} for name, ids in order.items()]


def layer_data(layer: Layer) -> dict[str, Any]:
    features = layer_to_geojson_features(layer, decimals=COORD_DECIMALS)
    for feature, geometry in zip(features, layer.features.geometry):
        props = feature["properties"]
        props["outline"] = _seamless_outline(geometry)
        props["anchor"] = _anchor(geometry)
        props["sources"] = [s["id"] for s in props["sources"]]
        for key in (
            "layer_title",
            "group",
            "stroke",
            "stroke-width",
            "stroke-opacity",
            "fill",
            "fill-opacity",
        ):
            props.pop(key, None)
    style = layer.style
    return {
        "id": layer.id,
        "title": layer.title,
        "group": layer.group,
        "visible": layer.visible,
        "description": layer.description,
        "notes": list(layer.notes),
        "period": {"from": layer.period_from, "to": layer.period_to},
        "style": {
            "color": style.color,
            "fill": style.fill,
            "fill_opacity": style.fill_opacity,
            "opacity": style.opacity,
            "weight": style.weight,
            "dash": style.dash,
        },
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "date": s.date,
                "url": s.url,
                "quote": s.quote,
            }
            for s in layer.sources
        ],
        "features": {"type": "FeatureCollection", "features": features},
    }


def _anchor(geometry: Any) -> list[float] | None:
    """[lat, lon] where a shape's popup opens when it is reached by search or keyboard: a
    point inside a region or ring, the middle of a link; None for a site (its own point)."""
    if geometry is None or geometry.is_empty or geometry.geom_type == "Point":
        return None
    if geometry.geom_type in ("LineString", "MultiLineString"):
        point = geometry.interpolate(0.5, normalized=True)
    else:
        point = geometry.representative_point()
    return [round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)]


def _seamless_outline(geometry: Any) -> dict[str, Any] | None:
    """For a polygon cut at ±180° or closed over a pole: its outline without those cuts."""
    if geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    west, south, east, north = geometry.bounds
    if -180 < west and east < 180 and -90 < south and north < 90:
        return None
    return geojson_geometry(geodesy.seamless_outline(geometry), COORD_DECIMALS)


#: Regions are framed up to this latitude: a sea that reaches the Arctic ice would pull the
#: opening view up to the pole.
FRAME_MAX_LAT = 72.0


#: A region wider than this (degrees of longitude) is not framed when anything else is: a
#: country that spans Asia would shrink the view of a European proposal to the whole world.
FRAME_MAX_WIDTH = 120.0


def initial_bounds(atlas: Atlas) -> list[list[float]]:
    """Frame the story shown at start: the sites and regions of the layers shown when the map
    opens, less those marked `context` (a threat's launch sites may lie outside the first view);
    rings are never framed (they may span half the globe), nor regions wider than
    FRAME_MAX_WIDTH unless there is nothing else."""
    shown = [layer for layer in atlas.layers if layer.visible]
    story = [layer for layer in shown if not layer.context] or shown
    boxes = []
    for layer in story:
        for kind, geom in zip(layer.features["kind"], layer.features.geometry):
            if geom is None or geom.is_empty or kind not in ("site", "region"):
                continue
            boxes.append(geom.bounds)
    boxes = [b for b in boxes if b[2] - b[0] <= FRAME_MAX_WIDTH] or boxes
    lats: list[float] = []
    lons: list[float] = []
    for west, south, east, north in boxes:
        lats += [max(south, -FRAME_MAX_LAT), min(north, FRAME_MAX_LAT)]
        lons += [west, east]
    if not lats:
        return [[30.0, -15.0], [72.0, 60.0]]
    # At least ~16° by 24°, so that a map of a few nearby sites still shows their setting.
    pad_lat = max(8.0 - (max(lats) - min(lats)) / 2, (max(lats) - min(lats)) * 0.04)
    pad_lon = max(12.0 - (max(lons) - min(lons)) / 2, (max(lons) - min(lons)) * 0.04)
    return [
        [round(min(lats) - pad_lat, 3), round(min(lons) - pad_lon, 3)],
        [round(max(lats) + pad_lat, 3), round(max(lons) + pad_lon, 3)],
    ]


def _events(atlas: Atlas) -> list[dict[str, str]]:
    """The story's named events, in date order (atlas order on one day), for the timeline."""
    events = [
        {"date": event.date, "name": event.name, "layer": layer.id}
        for layer in atlas.layers
        for event in layer.events
    ]
    return sorted(events, key=lambda e: (e["date"] + "-01-01")[:10])


def _timeline(atlas: Atlas) -> dict[str, Any]:
    """Span the story's dates: each layer's period and its features' dates within it.

    A feature dated before its layer's period is history (a radar built in 1985 that a 2007
    offer names), and context layers (the threat, other radars) are background: neither
    stretches the slider, unless nothing else is dated.
    """
    story: list[int] = []
    background: list[int] = []
    for layer in atlas.layers:
        start = int(layer.period_from[:4]) if layer.period_from else None
        own = [int(d[:4]) for d in (layer.period_from, layer.period_to) if d]
        for column in ("date_from", "date_to"):
            own += [int(str(d)[:4]) for d in layer.features[column] if isinstance(d, str)]
        kept = [year for year in own if start is None or year >= start]
        (background if layer.context else story).extend(kept)
        background.extend(set(own) - set(kept))
    events = _events(atlas)
    years = (story or background) + [int(e["date"][:4]) for e in events]
    return {
        "min": min(years, default=2007),
        "max": max(years, default=2012),
        "events": events,
    }


@functools.cache
def vector_basemap() -> dict[str, Any] | None:
    """Return land, borders and sea labels from the reference geography, or None without it.

    Made once per process (the same for every map); callers must not change it.
    """
    try:
        from ..reference import basemap
    except ImportError:
        return None
    frames = basemap()
    seas = frames["seas"]
    return {
        "land": _collection(frames["land"].geometry),
        "borders": _collection(frames["borders"].geometry),
        "sea_labels": [
            {"name": str(n), "lat": round(float(la), 2), "lon": round(float(lo), 2)}
            for n, la, lo in zip(seas["name"], seas["label_lat"], seas["label_lon"])
        ],
        "attribution": "Natural Earth (public domain) via world-atlas",
    }


def _collection(geometries: Any) -> dict[str, Any]:
    """Base-map shapes on a 0.01° grid (about 1 km: the base map is drawn at zoom 7 or less)."""
    snapped = (geojson_geometry(geom, 2) for geom in geometries)
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in snapped if g]
    return {"type": "FeatureCollection", "features": features}


@functools.cache
def vector_basemap_json() -> str | None:
    """The vector base map as text for a <script> element, made once per process."""
    from .folium_map import script_json

    data = vector_basemap()
    return None if data is None else script_json(data)
