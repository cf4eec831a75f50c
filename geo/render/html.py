"""The data of the interactive page: base maps, groups, bounds, timeline and each layer's
GeoJSON, as plain JSON for our page script. `folium_map` puts it on a folium map.

Nothing in it is random or dated, so the same Atlas gives byte-identical HTML.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .. import geodesy
from ..atlas_types import FEATURE_COLUMNS, Atlas, Layer
from ..cache import cache_file, write_quietly
from ..grid import rounded_array
from .features import (
    geojson_geometry,
    in_wgs84,
    layer_to_geojson_features,
    plain,
    property_columns,
    resolve_sources,
)

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

    vector = vector_basemap() if basemap else None
    basemaps = [] if offline else [dict(b) for b in TILE_BASEMAPS]
    if vector is not None or (not basemap and vector_basemap_json() is not None):
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
    canvas = canvas_layers(atlas)
    return {
        **page_config(atlas, offline=offline),
        "layers": [layer_data(layer, canvas=layer.id in canvas) for layer in atlas.layers],
    }


def _groups(atlas: Atlas) -> list[dict[str, Any]]:
    order: dict[str, list[str]] = {}
    for layer in atlas.layers:
        order.setdefault(layer.group, []).append(layer.id)
    return [{"name": name, "layers": ids} for name, ids in order.items()]


# --------------------------------------------------------------------------------------------
# Many features: sites on a canvas, big layers as columns
# --------------------------------------------------------------------------------------------

#: Sites drawn as markers (one element each, with its accessible name) on one page at most.
#: Leaflet stays quick up to a few thousand markers; beyond that the page is slow to open and
#: to pan. The layers with the fewest sites keep their markers; the others are drawn on one
#: canvas (the text version then lists what a screen reader cannot reach on the map).
DOM_SITE_BUDGET = 2_000
#: A layer with more features or vertices than this travels as columns (`compact_features`):
#: a few countries' borders are enough for the columns to take half the text of GeoJSON
#: (which spells out each coordinate as a float; the columns hold small integers in one
#: string), in about the same time.
COMPACT_MIN_FEATURES = 1_000
COMPACT_MIN_VERTICES = 5_000
#: Lines and outlines of a compact layer are simplified with this tolerance before they are
#: snapped to the grid: about a metre, a pixel at zoom 16 (the tile servers' last but three).
SIMPLIFY_DEG = 1e-5
#: Coordinates of a compact layer are integers: degrees times this.
COORD_SCALE = 10**COORD_DECIMALS


def canvas_layers(atlas: Atlas) -> frozenset[str]:
    """Return the ids of the layers whose sites the page draws on a canvas.

    The layers with the fewest sites keep their markers while the page holds at most
    DOM_SITE_BUDGET of them; the rest, from the first that does not fit, go on the canvas.
    """
    counts = sorted(
        (int((layer.features["kind"] == "site").sum()), index, layer.id)
        for index, layer in enumerate(atlas.layers)
    )
    kept, canvas = 0, set[str]()
    for count, _, layer_id in counts:
        if count and (canvas or kept + count > DOM_SITE_BUDGET):
            canvas.add(layer_id)
        else:
            kept += count
    return frozenset(canvas)


def is_compact(layer: Layer) -> bool:
    """Whether `layer` is big enough to travel as columns rather than as GeoJSON (and has no
    geometry collection, which columns do not hold)."""
    geometries = np.asarray(layer.features.geometry.values, dtype=object)
    if (shapely.get_type_id(geometries) == 7).any():
        return False
    if len(geometries) > COMPACT_MIN_FEATURES:
        return True
    return int(shapely.get_num_coordinates(geometries).sum()) > COMPACT_MIN_VERTICES


def layer_data(layer: Layer, *, canvas: bool = False) -> dict[str, Any]:
    """Return one layer as the page's script receives it: its metadata and features.

    A small layer's features are a GeoJSON FeatureCollection (`features`); a big one's
    (`is_compact`) are columns (`compact`, see `compact_features`), which the script turns
    back into the same features. `canvas=True` asks the page to draw its sites on a canvas.
    """
    style = layer.style
    data: dict[str, Any] = {
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
    }
    if is_compact(layer):
        data["compact"] = compact_features(layer)
    else:
        data["features"] = {"type": "FeatureCollection", "features": _geojson_features(layer)}
    if canvas:
        data["draw_sites"] = "canvas"
    return data


def _geojson_features(layer: Layer) -> list[dict[str, Any]]:
    features = layer_to_geojson_features(layer, decimals=COORD_DECIMALS)
    for feature, geometry in zip(features, layer.features.geometry):
        props = feature["properties"]
        props["outline"] = _seamless_outline(geometry)
        props["anchor"] = _anchor(geometry)
        props["sources"] = [s["id"] for s in props["sources"]]
        for key in _NOT_ON_THE_PAGE:
            props.pop(key, None)
    return features


#: Feature properties of the GIS exports that the page has once per layer instead.
_NOT_ON_THE_PAGE = ("layer_title", "group", "stroke", "stroke-width", "stroke-opacity", "fill",
                    "fill-opacity")  # fmt: skip


def compact_features(layer: Layer) -> dict[str, Any]:
    """Return a big layer's features as columns: the same properties and shapes as
    `layer_data`'s GeoJSON, in less text and less time.

    - ``count``: the number of features; ``scale``: COORD_SCALE.
    - ``columns``: one entry per property, with a value for each feature in one of four
      forms: ``{"all": v}`` (the same for every feature), ``{"keys": [...], "codes": [...]}``
      (few distinct values, each feature's an index into ``keys``), ``{"at": [...],
      "values": [...]}`` (only some features have one: their indexes and values) or
      ``{"values": [...]}``. A missing (null) or empty value is no property at all, and a
      property no feature has is left out.
    - ``geometry``: ``types`` (a column of GeoJSON types, null for no geometry), ``parts`` (a
      column: for each non-point shape its vertex counts nested as GeoJSON nests its
      coordinates: a line's count, a polygon's ring counts, a multipolygon's lists of those)
      and ``xy``: every vertex of every feature, in order, as integers (degrees times
      COORD_SCALE), each number the difference from the one two places before it (the first
      two from 0), written as text by `polyline_text`.

    Lines and outlines are simplified by SIMPLIFY_DEG first; polygons stay valid.
    """
    frame = in_wgs84(layer)
    n = len(frame)
    geometries = list(frame.geometry.values)
    snapped = rounded_array(geometries, COORD_DECIMALS, simplify_deg=SIMPLIFY_DEG)
    columns, cited = property_columns(layer, frame)
    columns["sources"] = _source_ids(layer, columns["id"], cited)
    columns = {c: columns[c] for c in FEATURE_COLUMNS}
    shapes = [i for i, t in enumerate(shapely.get_type_id(np.asarray(geometries))) if t > 0]
    columns["outline"], columns["anchor"] = [None] * n, [None] * n  # none for a site (type 0)
    for i in shapes:
        columns["outline"][i] = _seamless_outline(geometries[i])
        columns["anchor"][i] = _anchor(geometries[i])
    encoded = {name: _column(values) for name, values in columns.items()}
    return {
        "count": n,
        "scale": COORD_SCALE,
        "columns": {name: column for name, column in encoded.items() if column is not None},
        "geometry": _compact_geometry(snapped),
    }


def _source_ids(layer: Layer, ids: list[Any], cited: list[Any]) -> list[list[str]]:
    """Each feature's source ids, checked against the layer's sources (`resolve_sources`)."""
    known = {source.id for source in layer.sources}
    out = []
    for feature_id, value in zip(ids, cited):
        if type(value) is list and all(type(s) is str for s in value):
            sources = list(value)
        else:
            sources = [str(s) for s in plain(value) or []]
        if not known.issuperset(sources):
            resolve_sources(layer, feature_id, sources)  # raises, naming the missing source
        out.append(sources)
    return out


def _column(values: list[Any]) -> dict[str, Any] | None:
    """One property of every feature, in the smallest of the forms `compact_features` lists
    (None when no feature has it).

    >>> _column(["site", "site"]), _column([None, []])
    ({'all': 'site'}, None)
    >>> _column(["radar", "naval", "radar", "radar", "radar", "radar", "radar", "radar"] * 2)
    {'keys': ['radar', 'naval'], 'codes': [0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]}
    >>> _column([None, None, "only one", None])
    {'at': [2], 'values': ['only one']}
    """
    values = [None if v is None or v == [] or v == {} else v for v in values]
    given = [i for i, v in enumerate(values) if v is not None]
    if not given:
        return None
    codes: dict[Any, int] = {}
    keys: list[Any] = []
    for value in values:
        key = _key(value)
        if key not in codes:
            codes[key] = len(keys)
            keys.append(value)
            if len(keys) > 255:
                break
    if len(keys) == 1:
        return {"all": keys[0]}
    n = len(values)
    if len(keys) <= 255 and len(keys) * 8 <= n:
        return {"keys": keys, "codes": [codes[_key(v)] for v in values]}
    if len(given) * 3 <= n:
        return {"at": given, "values": [values[i] for i in given]}
    return {"values": values}


def _key(value: Any) -> Any:
    """A value as a dict key: 1, 1.0 and True kept apart, lists and dicts by their JSON."""
    if value is None or type(value) is str:
        return value
    if type(value) is list and all(type(v) is str for v in value):
        return ("list", *value)
    return ("json", json.dumps(value, sort_keys=True))


def _compact_geometry(geometries: Any) -> dict[str, Any]:
    """Types, vertex counts and delta-coded integer vertices (see `compact_features`)."""
    present = [g for g in geometries if g is not None]
    types = [None if g is None else g.geom_type for g in geometries]
    parts = [None if g is None or g.geom_type == "Point" else _parts(g) for g in geometries]
    xy = np.rint(shapely.get_coordinates(present) * COORD_SCALE).astype(np.int64)
    deltas = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)) if len(xy) else xy
    return {
        "types": _column(types) or {"all": None},
        "parts": _column(parts) or {"all": None},
        "xy": polyline_text(deltas.ravel()),
    }


def polyline_text(numbers: Any) -> str:
    """Write integers as text the way Google's encoded polylines do: each number's sign folded
    into its lowest bit, then 5 bits a character from the lowest, a 6th bit saying "more
    follows", plus 63 (so "?" to "~"). A vertex 50 km from the last takes 8 characters, half
    as many as in JSON numbers.

    >>> polyline_text([3850000, -12020000, 0, 1, -1])
    '_p~iF~ps|U?A@'
    >>> polyline_decode(polyline_text([2**30, -(2**30), 17]))
    [1073741824, -1073741824, 17]
    """
    values = np.asarray(numbers, dtype=np.int64)
    if not len(values):
        return ""
    folded = np.where(values < 0, ~(values << 1), values << 1).astype(np.uint64)
    most = max(1, (int(folded.max()).bit_length() + 4) // 5)  # characters of the longest
    chunks = np.stack([(folded >> np.uint64(5 * k)) & np.uint64(31) for k in range(most)], axis=1)
    length = np.maximum(1, most - np.argmax(chunks[:, ::-1] != 0, axis=1))
    length[~chunks.any(axis=1)] = 1
    used = np.arange(most) < length[:, None]
    more = np.arange(most) < (length - 1)[:, None]
    text = (chunks | np.where(more, 32, 0).astype(np.uint64)) + np.uint64(63)
    return text[used].astype(np.uint8).tobytes().decode("ascii")


def polyline_decode(text: str) -> list[int]:
    """Read back what `polyline_text` wrote."""
    out, value, shift = [], 0, 0
    for char in text.encode("ascii"):
        chunk = char - 63
        value |= (chunk & 31) << shift
        shift += 5
        if chunk < 32:
            out.append(~(value >> 1) if value & 1 else value >> 1)
            value, shift = 0, 0
    return out


def _parts(geometry: Any) -> Any:
    """A shape's vertex counts, nested as its GeoJSON coordinates are.

    >>> _parts(shapely.box(0, 0, 1, 1)), _parts(shapely.LineString([(0, 0), (1, 1)]))
    ([5], 2)
    """
    kind = geometry.geom_type
    if kind in ("LineString", "LinearRing", "MultiPoint"):
        return int(shapely.get_num_coordinates(geometry))
    if kind == "Polygon":
        rings = [geometry.exterior, *geometry.interiors]
        return [int(n) for n in shapely.get_num_coordinates(rings)]
    if kind in ("MultiLineString", "MultiPolygon"):
        return [_parts(part) for part in geometry.geoms]
    raise ValueError(f"{kind!r} cannot be written as columns")


def page_features(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one layer's features as the page's script sees them: GeoJSON Feature objects,
    whichever form `layer_data` gave them (the inverse of `compact_features`)."""
    if "features" in data:
        return list(data["features"]["features"])
    compact = data["compact"]
    n = compact["count"]
    columns = {name: _decoded(column, n) for name, column in compact["columns"].items()}
    geometry = compact["geometry"]
    types, parts = _decoded(geometry["types"], n), _decoded(geometry["parts"], n)
    deltas = np.asarray(polyline_decode(geometry["xy"]), dtype=np.int64)
    xy = np.cumsum(deltas.reshape(-1, 2), axis=0)
    vertices = (xy / compact["scale"]).tolist()
    at = 0

    def take(shape: Any) -> Any:
        nonlocal at
        if isinstance(shape, int):
            at += shape
            return vertices[at - shape : at]
        return [take(part) for part in shape]

    features = []
    for i in range(n):
        props = {name: values[i] for name, values in columns.items() if values[i] is not None}
        geom = None
        if types[i] == "Point":
            geom = {"type": "Point", "coordinates": take(1)[0]}
        elif types[i] is not None:
            geom = {"type": types[i], "coordinates": take(parts[i])}
        features.append({"type": "Feature", "id": props.get("id"), "geometry": geom,
                         "properties": props})  # fmt: skip
    return features


def _decoded(column: dict[str, Any], n: int) -> list[Any]:
    if "all" in column:
        return [column["all"]] * n
    if "codes" in column:
        return [column["keys"][code] for code in column["codes"]]
    if "at" in column:
        values: list[Any] = [None] * n
        for index, value in zip(column["at"], column["values"]):
            values[index] = value
        return values
    return list(column["values"])


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
    found = [np.empty((0, 4))]
    for layer in story:  # bounds of all of a layer's shapes at once: a layer may hold 100,000
        geoms = np.asarray(layer.features.geometry.values, dtype=object)
        framed = np.isin(layer.features["kind"].to_numpy(), ("site", "region"))
        framed &= ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        found.append(shapely.bounds(geoms[framed]))
    boxes = np.concatenate(found)
    narrow = boxes[boxes[:, 2] - boxes[:, 0] <= FRAME_MAX_WIDTH]
    boxes = narrow if len(narrow) else boxes
    if not len(boxes):
        return [[30.0, -15.0], [72.0, 60.0]]
    edges = np.concatenate(
        [np.maximum(boxes[:, 1], -FRAME_MAX_LAT), np.minimum(boxes[:, 3], FRAME_MAX_LAT)]
    )
    lats = [float(edges.min()), float(edges.max())]
    lons = [float(boxes[:, [0, 2]].min()), float(boxes[:, [0, 2]].max())]
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
    text = vector_basemap_json()
    return None if text is None else dict(json.loads(text))


def _make_vector_basemap() -> dict[str, Any] | None:
    try:
        from ..reference import basemap
    except ImportError:
        return None
    frames = basemap()
    # the largest sea first: the page shows a name only where it has room
    seas = frames["seas"]
    seas = seas.iloc[np.argsort(-shapely.area(seas.geometry.values), kind="stable")]
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
    snapped = rounded_array(list(geometries), 2, keep_small=False)
    texts = shapely.to_geojson(snapped[[g is not None for g in snapped]])
    features = [{"type": "Feature", "properties": {}, "geometry": json.loads(t)} for t in texts]
    return {"type": "FeatureCollection", "features": features}


@functools.cache
def vector_basemap_json() -> str | None:
    """The vector base map as text for a <script> element, made once per process.

    It is the same for every map, and making it takes longer than the rest of a small map: it
    is kept in the user's cache folder (`basemap_cache_file`) and read from there after.
    """
    from .folium_map import script_json

    cache = basemap_cache_file()
    if cache is not None and cache.is_file():
        return cache.read_text(encoding="utf-8")
    data = _make_vector_basemap()
    if data is None:
        return None
    text = script_json(data)
    if cache is not None:
        write_quietly(cache, text.encode("utf-8"))
    return text


def basemap_cache_file() -> Path | None:
    """Where the vector base map's text is kept between runs (`geo.cache`), or None: its name
    holds a digest of what the text is made from (the reference geography, this module and
    the one that snaps its shapes to the grid, shapely and GEOS)."""
    here = Path(__file__).resolve()
    sources = [here, here.parents[1] / "grid.py"]
    sources += sorted((here.parents[1] / "reference").glob("*.*"))
    return cache_file(
        "basemap",
        ".json",
        f"{shapely.__version__} {shapely.geos_version_string}".encode(),
        *(path for path in sources if path.suffix in (".py", ".json", ".geojson")),
    )
