"""Export the Atlas to GIS formats: GeoJSON, GeoPackage and KML.

Every writer is atomic: it writes into a hidden temporary folder beside the target and moves the
finished file over the target with ``os.replace``, so an existing output is either left as it was
or fully replaced, never half-written. All three formats carry the same properties: the feature
columns of the Atlas, the layer's title and group, and its style.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import FEATURE_COLUMNS, Atlas, Layer, Style
from geo.errors import ExportError
from geo.fileio import atomic_target
from geo.grid import oriented, rounded_array
from geo.render.features import (
    COORD_DECIMALS,
    STRUCTURED_COLUMNS,
    feature_records,
    layer_to_geojson_features,
    source_dict,
    style_properties,
)
from geo.render.style import PRECISION_WORDS, STATUS_WORDS, UNCERTAIN, role_word

PathLike = str | os.PathLike[str]

__all__ = [
    "atlas_to_geojson_dict",
    "atlas_to_kml_bytes",
    "gpkg_table_names",
    "kml_color",
    "layer_to_geojson_features",
    "style_properties",
    "write_geojson",
    "write_gpkg",
    "write_kml",
]


def _write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` (a separate function so tests can make it fail midway)."""
    path.write_bytes(data)


def _safe_names(ids: Iterable[str], *, prefix: str) -> list[str]:
    """Turn ids into unique names of letters, digits and ``_`` that start with a letter.

    >>> _safe_names(["a-b", "a_b", "2011 plan", "gpkg_x"], prefix="layer_")
    ['a_b', 'a_b_2', 'layer_2011_plan', 'layer_gpkg_x']
    """
    names: list[str] = []
    for raw in ids:
        base = re.sub(r"[^0-9A-Za-z_]+", "_", raw).strip("_") or "layer"
        # GeoPackage reserves gpkg_*, SQLite sqlite_*, and the R-tree index uses rtree_*
        if not base[0].isalpha() or base.lower().startswith(("gpkg_", "sqlite_", "rtree_")):
            base = prefix + base
        name, n = base, 2
        while name.lower() in {taken.lower() for taken in names}:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------


def atlas_to_geojson_dict(atlas: Atlas, *, decimals: int = COORD_DECIMALS) -> dict[str, Any]:
    """Return one RFC 7946 FeatureCollection of every feature of every layer, in atlas order."""
    features = [
        f for layer in atlas.layers for f in layer_to_geojson_features(layer, decimals=decimals)
    ]
    return {"type": "FeatureCollection", "name": atlas.title, "features": features}


def _geojson_text(collection: Mapping[str, Any]) -> str:
    """Serialise a FeatureCollection with one feature per line, so golden-file diffs stay small."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    head = ",".join(f"{dump(k)}:{dump(v)}" for k, v in collection.items() if k != "features")
    lines = [dump(feature) for feature in collection["features"]]
    body = "\n" + ",\n".join(lines) + "\n" if lines else ""
    return f'{{{head},"features":[{body}]}}\n'


def write_geojson(atlas: Atlas, path: PathLike, *, decimals: int = COORD_DECIMALS) -> None:
    """Write every feature of `atlas` to `path` as one GeoJSON FeatureCollection (UTF-8)."""
    data = _geojson_text(atlas_to_geojson_dict(atlas, decimals=decimals)).encode("utf-8")
    with atomic_target(path) as temp:
        _write_bytes(temp, data)


# --------------------------------------------------------------------------------------------
# GeoPackage
# --------------------------------------------------------------------------------------------

_MULTI = {"Point": shapely.MultiPoint, "LineString": shapely.MultiLineString,
          "Polygon": shapely.MultiPolygon}  # fmt: skip
_SINGLE_OF_MULTI = {"MultiPoint": "Point", "MultiLineString": "LineString",
                    "MultiPolygon": "Polygon"}  # fmt: skip
#: A fixed timestamp for gpkg_contents.last_change, so the same Atlas gives the same bytes.
GPKG_FIXED_DATE = "2000-01-01T00:00:00.000Z"


def gpkg_table_names(atlas: Atlas) -> list[str]:
    """Return the GeoPackage table name of each layer: its id made SQL-safe and unique."""
    return _safe_names((layer.id for layer in atlas.layers), prefix="layer_")


def _gpkg_geometries(geoms: list[BaseGeometry | None]) -> tuple[list[BaseGeometry | None], str]:
    """Give each dimension one geometry type and return the geometries and the declared type.

    Within a dimension, singles are promoted to Multi* only if the layer already has a Multi* of
    that dimension. A layer of one type is declared with it (QGIS opens it directly); a layer
    mixing points, lines and polygons is declared generic (``Unknown``, GPKG ``GEOMETRY``),
    which QGIS offers as one sublayer per geometry type, each with a fitting symbol.
    """
    types = {g.geom_type for g in geoms if g is not None}
    promote = {_SINGLE_OF_MULTI[t] for t in types if t in _SINGLE_OF_MULTI}
    out = [
        _MULTI[g.geom_type]([g]) if g is not None and g.geom_type in promote else g for g in geoms
    ]
    final = {g.geom_type for g in out if g is not None}
    return out, (final.pop() if len(final) == 1 else "Unknown")


def _gpkg_frame(layer: Layer) -> tuple[gpd.GeoDataFrame, str]:
    """Return the table of one layer (JSON text for structures, layer metadata per row)."""
    style = layer.style
    meta = {
        "layer_title": layer.title,
        "layer_group": layer.group,
        "layer_period_from": layer.period_from,
        "layer_period_to": layer.period_to,
        "stroke": style.color,
        "stroke_width": float(style.weight),
        "stroke_opacity": float(style.opacity),
        "fill": style.fill,
        "fill_opacity": float(style.fill_opacity),
    }
    rows, geoms = [], []
    for props, geom in feature_records(layer):
        for column in STRUCTURED_COLUMNS:
            props[column] = json.dumps(props[column], ensure_ascii=False, allow_nan=False)
        rows.append({**props, **meta})
        geoms.append(None if geom is None or geom.is_empty else geom)
    geoms, declared = _gpkg_geometries(geoms)
    columns = [*FEATURE_COLUMNS, *meta]
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry=geoms, crs="EPSG:4326")
    return frame, declared


@contextlib.contextmanager
def _gdal_config(options: Mapping[str, str]) -> Iterator[None]:
    """Set GDAL config options for the block and restore the previous values afterwards."""
    import pyogrio

    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


def _write_gpkg_table(path: Path, table: str, layer: Layer, identifier: str) -> None:
    """Write one layer as table `table` into the GeoPackage at `path` (created if missing)."""
    import pyogrio

    frame, declared = _gpkg_frame(layer)
    pyogrio.write_dataframe(
        frame,
        path,
        layer=table,
        driver="GPKG",
        geometry_type=declared,
        promote_to_multi=False,
        # gpkg_contents.identifier/description: what QGIS shows as the layer's title and abstract
        layer_options={"IDENTIFIER": identifier, "DESCRIPTION": layer.description or ""},
    )


def _unique_titles(titles: list[str]) -> list[str]:
    """GeoPackage requires distinct layer identifiers: number repeated titles.

    >>> _unique_titles(["Radars", "Sites", "Radars"])
    ['Radars', 'Sites', 'Radars (2)']
    """
    seen: dict[str, int] = {}
    unique = []
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
        unique.append(title if seen[title] == 1 else f"{title} ({seen[title]})")
    return unique


def write_gpkg(atlas: Atlas, path: PathLike) -> None:
    """Write `atlas` to a GeoPackage at `path`, one table per layer (see gpkg_table_names)."""
    try:
        import pyogrio.errors
    except ImportError as exc:  # pragma: no cover - pyogrio is a core dependency
        raise ExportError("GeoPackage export needs pyogrio: pip install pyogrio") from exc
    if not atlas.layers:
        raise ExportError(
            f"cannot write {path}: the atlas has no layers, and a GeoPackage needs one"
        )
    gdal_errors = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                   pyogrio.errors.FieldError, pyogrio.errors.GeometryError)  # fmt: skip
    with atomic_target(path) as temp, _gdal_config({"OGR_CURRENT_DATE": GPKG_FIXED_DATE}):
        titles = _unique_titles([layer.title for layer in atlas.layers])
        for table, layer, title in zip(gpkg_table_names(atlas), atlas.layers, titles, strict=True):
            try:
                _write_gpkg_table(temp, table, layer, title)
            except gdal_errors as exc:
                raise ExportError(f"cannot write layer {layer.id!r} to {path}: {exc}") from exc


# --------------------------------------------------------------------------------------------
# KML
# --------------------------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"
# XML 1.0 forbids these characters even when escaped; a stray one would make the file unreadable
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def kml_color(hex_rgb: str, opacity: float) -> str:
    """Convert ``#rrggbb`` (or ``#rgb``) and an opacity in 0..1 to KML's ``aabbggrr``.

    >>> kml_color("#b03a2e", 0.15)
    '262e3ab0'
    >>> kml_color("#fff", 2)
    'ffffffff'
    """
    match = _HEX_COLOR.fullmatch(hex_rgb.strip())
    if match is None:
        raise ExportError(f"style colour {hex_rgb!r} is not valid; expected '#rrggbb'")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    alpha = round(min(max(float(opacity), 0.0), 1.0) * 255)
    rr, gg, bb = digits[0:2], digits[2:4], digits[4:6]
    return f"{alpha:02x}{bb}{gg}{rr}".lower()


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    """Append a child element; its text is cleaned of characters XML cannot hold."""
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = _XML_FORBIDDEN.sub("", str(text))
    return child


def _coord(value: float) -> str:
    """Format one coordinate with at most 6 decimals and never in exponent form.

    >>> _coord(40.98612345678), _coord(0.00001), _coord(-0.0000001)
    ('40.986123', '0.00001', '0')
    """
    text = f"{value:.{COORD_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _coordinates(parent: ET.Element, coords: Iterable[tuple[float, ...]]) -> None:
    """Append a ``coordinates`` element with ``lon,lat`` tuples separated by spaces."""
    _sub(parent, "coordinates", " ".join(f"{_coord(c[0])},{_coord(c[1])}" for c in coords))


def _kml_point(parent: ET.Element, geom: Any) -> None:
    _coordinates(_sub(parent, "Point"), geom.coords)


def _kml_line(parent: ET.Element, geom: Any) -> None:
    line = _sub(parent, "LineString")
    # tessellate: draw on the globe's surface, not as a straight chord under it
    _sub(line, "tessellate", 1)
    _coordinates(line, geom.coords)


def _kml_polygon(parent: ET.Element, geom: Any) -> None:
    polygon = _sub(parent, "Polygon")
    _sub(polygon, "tessellate", 1)
    geom = oriented(geom)
    ring = _sub(_sub(polygon, "outerBoundaryIs"), "LinearRing")
    _coordinates(ring, geom.exterior.coords)
    for hole in geom.interiors:
        _coordinates(_sub(_sub(polygon, "innerBoundaryIs"), "LinearRing"), hole.coords)


def _kml_multi(parent: ET.Element, geom: Any) -> None:
    multi = _sub(parent, "MultiGeometry")
    for part in geom.geoms:
        _kml_geometry(multi, part)


_KML_GEOMETRY: dict[str, Callable[[ET.Element, Any], None]] = {
    "Point": _kml_point,
    "LineString": _kml_line,
    "LinearRing": _kml_line,
    "Polygon": _kml_polygon,
    "MultiPoint": _kml_multi,
    "MultiLineString": _kml_multi,
    "MultiPolygon": _kml_multi,
    "GeometryCollection": _kml_multi,
}


def _kml_geometry(parent: ET.Element, geom: BaseGeometry | None) -> None:
    """Append the KML geometry of `geom` (nothing for a missing or empty geometry)."""
    if geom is None or geom.is_empty:
        return
    writer = _KML_GEOMETRY.get(geom.geom_type)
    if writer is None:
        allowed = ", ".join(sorted(_KML_GEOMETRY))
        raise ExportError(f"cannot write a {geom.geom_type} to KML; must be one of {allowed}")
    writer(parent, geom)


def _kml_style(parent: ET.Element, style_id: str, style: Style, *, uncertain: bool) -> None:
    """Append a Style with the layer's colours, so Google Earth draws what the map draws.

    Uncertain features get their own Style, faded by the factors of `geo.render.style` as on
    the page; icons take the page's marker fill opacity. KML has no dash patterns, so
    ``style.dash`` (and the dots of uncertain lines) are not carried over.
    """
    opacity, fill_opacity = style.opacity, style.fill_opacity
    icon_opacity = UNCERTAIN.marker_fill_opacity_certain
    if uncertain:
        opacity *= UNCERTAIN.stroke_opacity_factor
        fill_opacity *= UNCERTAIN.fill_opacity_factor
        icon_opacity = UNCERTAIN.marker_fill_opacity
    node = _sub(parent, "Style", id=style_id)
    _sub(_sub(node, "IconStyle"), "color", kml_color(style.color, icon_opacity))
    line = _sub(node, "LineStyle")
    _sub(line, "color", kml_color(style.color, opacity))
    _sub(line, "width", _coord(style.weight))
    poly = _sub(node, "PolyStyle")
    _sub(poly, "color", kml_color(style.fill, fill_opacity))
    _sub(poly, "fill", 1)
    _sub(poly, "outline", 1)


def _is_uncertain(value: Any) -> bool:
    """Return whether an ``uncertainty`` value says something (None, NaN, blanks do not)."""
    return isinstance(value, str) and bool(value.strip())


def _uncertain_style_id(style_id: str) -> str:
    # "-" cannot occur in a safe layer name, so this id never meets another layer's style id
    return f"{style_id}-uncertain"


def _e(value: Any) -> str:
    """Escape a user value for the HTML of a description balloon."""
    return html.escape(str(value), quote=True)


def _source_html(source: Mapping[str, Any]) -> str:
    """Return one source as an HTML list item; only http(s) URLs become links."""
    title = _e(source["title"] or source["id"])
    url = source.get("url") or ""
    if re.match(r"https?://", url, re.IGNORECASE):
        title = f'<a href="{_e(url)}">{title}</a>'
    details = [_e(source[key]) for key in ("publisher", "date") if source.get(key)]
    text = ", ".join([title, *details])
    if source.get("quote"):
        text += f" — “{_e(source['quote'])}”"
    return f"<li>{text}</li>"


def _sources_html(sources: Iterable[Mapping[str, Any]]) -> str:
    items = "".join(_source_html(s) for s in sources)
    return f"<p><b>Sources</b></p><ol>{items}</ol>" if items else ""


def _dates_text(date_from: Any, date_to: Any) -> str | None:
    """Return 'from – to', 'from –' or '– to' for a period, or None when both ends are open."""
    if not date_from and not date_to:
        return None
    return f"{date_from or ''} – {date_to or ''}".strip()


#: (label, property) rows of a placemark's balloon table, in display order.
_BALLOON_ROWS: tuple[tuple[str, str], ...] = (
    ("Also known as", "aliases"),
    ("Kind", "kind"),
    ("Role", "role"),
    ("Status", "status"),
    ("Dates", "dates"),
    ("Precision", "precision"),
    ("Label", "label"),
    ("Uncertainty", "uncertainty"),
    ("How drawn", "derivation"),
)


def _placemark_html(props: Mapping[str, Any]) -> str:
    """Return the balloon HTML of one feature, in the page's words; user values are escaped."""
    values = {
        **props,
        "role": role_word(props["role"]),
        "status": STATUS_WORDS.get(props["status"], props["status"]),
        "precision": PRECISION_WORDS.get(props["precision"], props["precision"]),
        "dates": _dates_text(props["date_from"], props["date_to"]),
        "aliases": ", ".join(props["aliases"]),
    }
    rows = [(label, values[key]) for label, key in _BALLOON_ROWS if values[key] not in (None, "")]
    rows += [(str(k), v) for k, v in props["parameters"].items()]
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    parts = [f"<p>{_e(props['description'])}</p>" if props["description"] else ""]
    parts += [f"<table>{table}</table>", _sources_html(props["sources"])]
    return "".join(parts)


def _extended_data(parent: ET.Element, props: Mapping[str, Any]) -> None:
    """Append every non-empty property as ``Data``; structures as JSON text."""
    data = _sub(parent, "ExtendedData")
    for key, value in props.items():
        if value is None:
            continue
        text = json.dumps(value, ensure_ascii=False) if key in STRUCTURED_COLUMNS else value
        _sub(_sub(data, "Data", name=key), "value", text)


def _kml_placemark(parent: ET.Element, props: dict[str, Any], geom: Any, layer: Layer,
                   style_id: str) -> None:  # fmt: skip
    """Append one Placemark; child order follows the KML 2.2 schema."""
    mark = _sub(parent, "Placemark")
    _sub(mark, "name", props["name"] or props["id"])
    if not layer.visible:
        _sub(mark, "visibility", 0)
    _sub(mark, "description", _placemark_html(props))
    if props["date_from"] or props["date_to"]:
        span = _sub(mark, "TimeSpan")  # gives Google Earth's time slider something to use
        for tag, key in (("begin", "date_from"), ("end", "date_to")):
            if props[key]:
                _sub(span, tag, props[key])
    if _is_uncertain(props["uncertainty"]):
        style_id = _uncertain_style_id(style_id)
    _sub(mark, "styleUrl", f"#{style_id}")
    _extended_data(mark, {**props, "layer_title": layer.title, "group": layer.group})
    _kml_geometry(mark, geom)


def _folder_html(layer: Layer) -> str:
    """Return the HTML description of a layer folder: text, period, notes and sources."""
    parts = [f"<p>{_e(layer.description)}</p>" if layer.description else ""]
    period = _dates_text(layer.period_from, layer.period_to)
    parts.append(f"<p><b>Period</b> {_e(period)}</p>" if period else "")
    parts += [f"<p>{_e(note)}</p>" for note in layer.notes]
    parts.append(_sources_html(source_dict(s) for s in layer.sources))
    return "".join(parts)


def _kml_folder(parent: ET.Element, layer: Layer, folder_id: str, style_id: str) -> None:
    """Append the Folder of one layer with one Placemark per feature."""
    folder = _sub(parent, "Folder", id=folder_id)
    _sub(folder, "name", layer.title)
    if not layer.visible:
        _sub(folder, "visibility", 0)
    _sub(folder, "description", _folder_html(layer))
    records = feature_records(layer)
    # snapped as wholes, so that a rounded polygon stays valid (not each number on its own)
    shapes = rounded_array([geom for _, geom in records], COORD_DECIMALS)
    for (props, _), shape in zip(records, shapes):
        _kml_placemark(folder, props, shape, layer, style_id)


def atlas_to_kml_bytes(atlas: Atlas) -> bytes:
    """Return `atlas` as a KML 2.2 document: one styled Folder per layer, UTF-8 encoded."""
    root = ET.Element("kml", xmlns=KML_NS)
    document = _sub(root, "Document")
    _sub(document, "name", atlas.title)
    _sub(document, "open", 1)
    ids = _safe_names((layer.id for layer in atlas.layers), prefix="layer_")
    for layer, layer_id in zip(atlas.layers, ids, strict=True):
        _kml_style(document, f"style_{layer_id}", layer.style, uncertain=False)
        if any(_is_uncertain(value) for value in layer.features.get("uncertainty", ())):
            style_id = _uncertain_style_id(f"style_{layer_id}")
            _kml_style(document, style_id, layer.style, uncertain=True)
    for layer, layer_id in zip(atlas.layers, ids, strict=True):
        _kml_folder(document, layer, layer_id, f"style_{layer_id}")
    ET.indent(root, space=" ")
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    # An XML parser reads a carriage return in text as a line feed (XML 1.0, section 2.11);
    # written as a character reference it stays a carriage return. ElementTree escapes it in
    # attribute values only, and no markup it writes holds one, so each CR left is user text.
    return data.replace(b"\r", b"&#13;") + b"\n"


def write_kml(atlas: Atlas, path: PathLike) -> None:
    """Write `atlas` to `path` as KML 2.2 for Google Earth and other KML viewers."""
    data = atlas_to_kml_bytes(atlas)
    with atomic_target(path) as temp:
        _write_bytes(temp, data)
