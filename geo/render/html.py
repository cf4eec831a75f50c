"""Render the Atlas as one interactive HTML page: Leaflet plus our own small controls.

The page is a fixed template, our own JS/CSS, and one JSON document holding every layer as
GeoJSON. Nothing in it is random or dated, so the same Atlas gives byte-identical HTML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__
from ..atlas_types import Atlas, Layer
from ..fileio import atomic_target
from .assets import Assets, cdn_assets, inline_assets, own_file
from .gis import layer_to_geojson_features

#: 5 decimals of a degree is about 1 m: finer than any source's precision, and it keeps the page light.
COORD_DECIMALS = 5

TILE_BASEMAPS: tuple[dict[str, Any], ...] = (
    {
        "id": "light", "name": "Light (CARTO)",
        "url": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
        "subdomains": "abcd", "max_zoom": 19,
        "attribution": "© OpenStreetMap contributors © CARTO",
    },
    {
        "id": "osm", "name": "OpenStreetMap",
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "max_zoom": 19,
        "attribution": "© OpenStreetMap contributors",
    },
)
VECTOR_BASEMAP = {"id": "vector", "name": "Offline vector map (Natural Earth)", "vector": True}


def render_html(atlas: Atlas, *, offline: bool = False) -> str:
    """Return the map page for `atlas`; `offline=True` inlines everything and uses no tiles."""
    assets: Assets = inline_assets() if offline else cdn_assets()
    template = _environment().from_string(own_file("page.html"))
    return template.render(
        title=atlas.title,
        version=__version__,
        assets=assets,
        own_css=own_file("map.css"),
        own_js=own_file("map.js"),
        data_json=script_json(page_data(atlas, offline=offline)),
    )


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)


def script_json(data: Any) -> str:
    """Serialise data for a <script> element: `<`, `>`, `&` and line separators escaped.

    >>> script_json({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      sort_keys=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def page_data(atlas: Atlas, *, offline: bool) -> dict[str, Any]:
    """Return everything the page's script needs, as plain JSON-ready data."""
    vector = _vector_basemap(_basemap_bbox(atlas))
    basemaps = [] if offline else [dict(b) for b in TILE_BASEMAPS]
    if vector is not None:
        basemaps.append(VECTOR_BASEMAP)
    return {
        "title": atlas.title,
        "subtitle": "Proposals, counter-offers and deployments; click a shape for its sources",
        "basemaps": basemaps,
        "vector_basemap": vector,
        "groups": _groups(atlas),
        "layers": [_layer_data(layer) for layer in atlas.layers],
        "bounds": _initial_bounds(atlas),
        "timeline": _timeline(atlas),
    }


def _groups(atlas: Atlas) -> list[dict[str, Any]]:
    order: dict[str, list[str]] = {}
    for layer in atlas.layers:
        order.setdefault(layer.group, []).append(layer.id)
    return [{"name": name, "layers": ids} for name, ids in order.items()]


def _layer_data(layer: Layer) -> dict[str, Any]:
    features = layer_to_geojson_features(layer, decimals=COORD_DECIMALS)
    for feature in features:
        props = feature["properties"]
        props["sources"] = [s["id"] for s in props["sources"]]
        for key in ("layer_title", "group", "stroke", "stroke-width", "stroke-opacity", "fill",
                    "fill-opacity"):
            props.pop(key, None)
    style = layer.style
    return {
        "id": layer.id, "title": layer.title, "group": layer.group, "visible": layer.visible,
        "description": layer.description, "notes": list(layer.notes),
        "period": {"from": layer.period_from, "to": layer.period_to},
        "style": {"color": style.color, "fill": style.fill, "fill_opacity": style.fill_opacity,
                  "opacity": style.opacity, "weight": style.weight, "dash": style.dash},
        "sources": [{"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date,
                     "url": s.url, "quote": s.quote} for s in layer.sources],
        "features": {"type": "FeatureCollection", "features": features},
    }


def _initial_bounds(atlas: Atlas) -> list[list[float]]:
    """Frame the sites of the layers shown at start (rings may span half the globe)."""
    points = [
        (geom.y, geom.x)
        for layer in atlas.layers if layer.visible
        for geom in layer.features.geometry if geom is not None and geom.geom_type == "Point"
    ]
    if not points:
        return [[30.0, -15.0], [72.0, 60.0]]
    lats, lons = zip(*points)
    # At least ~16° by 24°, so that a map of a few nearby sites still shows their setting.
    pad_lat = max(8.0 - (max(lats) - min(lats)) / 2, (max(lats) - min(lats)) * 0.08)
    pad_lon = max(12.0 - (max(lons) - min(lons)) / 2, (max(lons) - min(lons)) * 0.08)
    return [[round(min(lats) - pad_lat, 3), round(min(lons) - pad_lon, 3)],
            [round(max(lats) + pad_lat, 3), round(max(lons) + pad_lon, 3)]]


def _timeline(atlas: Atlas) -> dict[str, int]:
    years = []
    for layer in atlas.layers:
        years += [int(d[:4]) for d in (layer.period_from, layer.period_to) if d]
        for column in ("date_from", "date_to"):
            years += [int(str(d)[:4]) for d in layer.features[column] if isinstance(d, str)]
    return {"min": min(years, default=2007), "max": max(years, default=2012)}


def _basemap_bbox(atlas: Atlas) -> tuple[float, float, float, float]:
    """The part of the world the atlas draws on, with a margin (the base map need not cover
    Antarctica for a map of Europe, and leaving it out keeps the page light)."""
    bounds = [layer.features.total_bounds for layer in atlas.layers if len(layer.features)]
    if not bounds:
        return (-180.0, -90.0, 180.0, 90.0)
    west, south = min(b[0] for b in bounds) - 15, min(b[1] for b in bounds) - 10
    east, north = max(b[2] for b in bounds) + 15, max(b[3] for b in bounds) + 10
    return (max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))


def _vector_basemap(bbox: tuple[float, float, float, float]) -> dict[str, Any] | None:
    """Return land, borders and sea labels from the reference geography, or None without it."""
    try:
        from ..reference import basemap
    except ImportError:
        return None
    frames = basemap(bbox=bbox)
    seas = frames["seas"]
    return {
        "land": _collection(frames["land"].geometry),
        "borders": _collection(frames["borders"].geometry),
        "sea_labels": [{"name": str(n), "lat": round(float(la), 2), "lon": round(float(lo), 2)}
                       for n, la, lo in zip(seas["name"], seas["label_lat"], seas["label_lon"])],
        "attribution": "Natural Earth (public domain) via world-atlas",
    }


def _collection(geometries: Any) -> dict[str, Any]:
    import shapely
    from shapely.geometry import mapping

    features = []
    for geom in geometries:
        if geom is None or geom.is_empty:
            continue
        rounded = shapely.transform(geom, lambda xy: (xy * 100).round() / 100 + 0.0)
        features.append({"type": "Feature", "properties": {}, "geometry": mapping(rounded)})
    return json.loads(json.dumps({"type": "FeatureCollection", "features": features}))


def write_html(atlas: Atlas, path: Path, *, offline: bool = False) -> int:
    """Write the map page to `path` atomically; return its size in bytes."""
    data = render_html(atlas, offline=offline).encode("utf-8")
    with atomic_target(path) as temp:
        temp.write_bytes(data)
    return len(data)
