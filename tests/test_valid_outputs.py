"""Valid shapes in every output: what the GeoJSON, KML, GeoPackage and page carry is valid
(`shapely.is_valid`) and lies within 1 m of the Atlas geometry, for the shipped layers and the
test fixtures.

Distances are in metres on the WGS84 ellipsoid, measured so that ±180° and the poles are
nothing special (see `hausdorff_m`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.atlas import load_atlas
from geo.atlas_types import Atlas
from geo.render import gis

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
#: The shipped layers and every fixture folder of valid layers (fixtures/invalid holds the
#: schema corpus: files that must not load).
CASES = {"shipped": REPO / "layers"} | {
    f"fixtures/{p.name}": p
    for p in sorted(FIXTURES.iterdir())
    if p.is_dir() and p.name != "invalid"
}
TOLERANCE_M = 1.0
KML = {"k": "http://www.opengis.net/kml/2.2"}
GEOD = pyproj.Geod(ellps="WGS84")

_ECEF = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
_SEARCH_M = 5.0  # nearest-vertex search radius; farther vertices are measured exactly
_NEAR_M = 50_000.0  # exact measure: only edges this close to the point can be the nearest
_SEGMENT_DEG = 0.05  # ... once edges are cut this short (about 5.5 km at most)
_M_PER_DEG = 111_000.0  # a little less than a degree of latitude anywhere: a generous box
_WIDE_DEG = 1e-5  # pieces of a difference wider than twice this are sampled inside


# --- measuring in metres ---------------------------------------------------------------------


def _ecef(coords: np.ndarray) -> np.ndarray:
    """Return lon/lat degrees as earth-centred x, y, z metres (the same at ±180°, one pole point)."""
    x, y, z = _ECEF.transform(coords[:, 0], coords[:, 1], np.zeros(len(coords)))
    return np.column_stack([x, y, z])


def _outline(geom: BaseGeometry) -> BaseGeometry:
    """Return the rings of a polygon (the only place it can be measured from outside)."""
    return geom.boundary if _polygonal(geom) else geom


def _polygonal(geom: BaseGeometry) -> bool:
    return geom.geom_type in ("Polygon", "MultiPolygon")


def hausdorff_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Return the Hausdorff distance in metres between two lon/lat geometries, as sets.

    Edges are straight in lon/lat, as every reader of the files draws them; distances are on
    the WGS84 ellipsoid. It is sampled: every vertex of either shape, and the innermost point
    of every piece where two polygons differ by more than about 2 m across (a hole filled, a
    part lost); narrower pieces add at most their width to what the vertices measure. Each
    sample is measured to the other shape (zero inside a polygon): through earth-centred
    x, y, z to the nearest vertex (a chord of a few metres is the geodesic to far below a
    millimetre, and ±180° or a pole are no seam there), and, if that is farther than the
    tolerance, exactly to the edges in an azimuthal equidistant projection centred on the
    sample (true distances from its centre in every direction, anywhere on the globe).
    """
    return max(_directed_m(a, b), _directed_m(b, a))


def _directed_m(a: BaseGeometry, b: BaseGeometry) -> float:
    points = _samples(a, b)
    if not len(points):
        return 0.0
    if b.is_empty:
        return np.inf
    if _polygonal(b):  # inside (or on) the other polygon is no distance at all
        points = points[~shapely.intersects_xy(b, points[:, 0], points[:, 1])]
    outline = _outline(b)
    nearest = _nearest_vertex_m(points, shapely.get_coordinates(outline))
    for i in np.flatnonzero(nearest > TOLERANCE_M):
        nearest[i] = _distance_to_edges_m(points[i], outline)
    return float(nearest.max(initial=0.0))


def _samples(a: BaseGeometry, b: BaseGeometry) -> np.ndarray:
    """Return the vertices of `a` and the innermost points of the wide pieces of `a` - `b`."""
    vertices = shapely.get_coordinates(a)
    if not (_polygonal(a) and _polygonal(b)):
        return vertices
    pieces = shapely.get_parts(shapely.difference(a, b))
    pieces = pieces[shapely.get_type_id(pieces) == 3]
    # a piece holding a disc of r metres holds a disc of r / 111,700 degrees (the longest
    # degree of latitude): slivers thinner than 2 x 1e-5 degrees (about 2 m) are let go
    wide = pieces[~shapely.is_empty(shapely.buffer(pieces, -_WIDE_DEG))]
    if not len(wide):
        return vertices
    circles = shapely.maximum_inscribed_circle(wide, np.sqrt(shapely.area(wide)) / 100)
    centres = shapely.get_coordinates(shapely.get_point(circles, 0))
    return np.concatenate([vertices, centres])


def _nearest_vertex_m(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Return each point's distance to the nearest target within `_SEARCH_M`, else inf."""
    nearest = np.full(len(points), np.inf)
    if not len(targets):
        return nearest
    tree = shapely.STRtree(shapely.points(targets))
    r_deg = _SEARCH_M / _M_PER_DEG
    cos_lat = np.cos(np.radians(points[:, 1]))
    # a box of longitudes as wide as the search circle; near a pole every longitude
    r_lon = np.minimum(r_deg / np.maximum(cos_lat, 1e-12), 180.0)
    lon, lat = points[:, 0], points[:, 1]
    for shift in (-360.0, 0.0, 360.0):  # a box over ±180° finds vertices on the other side
        boxes = shapely.box(lon - r_lon + shift, lat - r_deg, lon + r_lon + shift, lat + r_deg)
        source, target = tree.query(boxes)
        if len(source):
            gaps = np.linalg.norm(_ecef(points[source]) - _ecef(targets[target]), axis=1)
            np.minimum.at(nearest, source, gaps)
    return nearest


def _distance_to_edges_m(point: np.ndarray, geom: BaseGeometry) -> float:
    """Return the distance in metres from a lon/lat point to the edges and vertices of `geom`.

    Edges are the straight lon/lat lines every consumer draws, cut into short pieces; only the
    pieces near the point are projected, so nothing near the antipode can fold onto it.
    """
    dense = shapely.segmentize(geom, _SEGMENT_DEG)
    coords, index = shapely.get_coordinates(
        shapely.get_parts(shapely.get_parts(dense)), return_index=True
    )
    near = np.linalg.norm(_ecef(coords) - _ecef(point[None, :]), axis=1) < _NEAR_M
    if not near.any():
        return np.inf
    aeqd = pyproj.Proj(proj="aeqd", lat_0=point[1], lon_0=point[0], ellps="WGS84")
    x, y = aeqd(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    best = float(np.linalg.norm(xy[near], axis=1).min())
    edge = (index[:-1] == index[1:]) & (near[:-1] | near[1:])
    starts, ends = xy[:-1][edge], xy[1:][edge]
    if len(starts):
        step = ends - starts
        length2 = np.maximum((step**2).sum(axis=1), 1e-300)
        t = np.clip(-(starts * step).sum(axis=1) / length2, 0.0, 1.0)
        best = min(best, float(np.linalg.norm(starts + t[:, None] * step, axis=1).min()))
    return best


def _moved(lon: float, lat: float, azimuth_deg: float, metres: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth_deg, metres)
    return float(lon2), float(lat2)


@pytest.mark.parametrize(
    ("a", "b", "expected_m"),
    [
        # 1.5 m north of a point, measured against GeographicLib
        (shapely.Point(13.75, 49.64), shapely.Point(_moved(13.75, 49.64, 0, 1.5)), 1.5),
        # the same place written as +180° and as -180°
        (shapely.Point(180, 64), shapely.Point(-180, 64), 0.0),
        # 0.8 m apart across the antimeridian
        (shapely.Point(_moved(180, 30, 90, 0.4)), shapely.Point(_moved(180, 30, -90, 0.4)), 0.8),
        # the pole is one point whatever its longitude; 1.1 m either side of it are 2.2 m apart
        (shapely.Point(0, 90), shapely.Point(135, 90), 0.0),
        (shapely.Point(0, 89.99999), shapely.Point(180, 89.99999), 2 * 1.116950),
        # a vertex in the middle of the other's edge is on it (the exact path)
        (
            shapely.LineString([(10, 50), (10.5, 50), (11, 50)]),
            shapely.LineString([(10, 50), (11, 50)]),
            0.0,
        ),
        # a ring closed over the pole, moved 0.5 m
        (
            shapely.Polygon([(-180, 80), (180, 80), (180, 90), (-180, 90)]),
            shapely.Polygon([(-180, 80.0000045), (180, 80.0000045), (180, 90), (-180, 90)]),
            0.5,
        ),
    ],
)
def test_hausdorff_m_is_metres_on_the_ellipsoid(a: Any, b: Any, expected_m: float) -> None:
    assert hausdorff_m(a, b) == pytest.approx(expected_m, abs=0.01)


def test_hausdorff_m_sees_a_missing_part_and_a_filled_hole() -> None:
    whole = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)])
    assert hausdorff_m(whole, shapely.box(0, 0, 1, 1)) > 100_000
    # a hole of 0.002° square at 50.5° N (142 m by 222 m), filled: its middle is 71 m away
    holed = shapely.box(0, 50, 1, 51).difference(shapely.box(0.5, 50.5, 0.502, 50.502))
    assert hausdorff_m(holed, shapely.box(0, 50, 1, 51)) == pytest.approx(71.1, abs=1.0)


def test_hausdorff_m_of_a_closed_crack_is_within_its_width() -> None:
    """A crack 6 km long and at most 0.45 m wide (as snapping closes in the shipped eastern
    sector) is that close to the closed shape, although its tip is 6 km from any vertex."""
    west = shapely.box(59, 75, 60, 76)
    crack = shapely.Polygon([(60, 75.97838), (59.78, 75.94557), (60, 75.978384)])
    assert hausdorff_m(west.difference(crack), west) <= 0.45


# --- the outputs, read back --------------------------------------------------------------------


@pytest.fixture(scope="module", params=sorted(CASES))
def atlas(request: pytest.FixtureRequest) -> Atlas:
    return load_atlas(CASES[request.param])


def atlas_geometries(atlas: Atlas) -> dict[str, BaseGeometry]:
    """Return the non-empty geometry of every feature by id."""
    return {
        str(fid): geom
        for layer in atlas.layers
        for fid, geom in zip(layer.features["id"], layer.features.geometry)
        if geom is not None and not geom.is_empty
    }


def read_geojson(path: Path) -> Iterator[tuple[str, BaseGeometry | None]]:
    for feature in json.loads(path.read_text("utf-8"))["features"]:
        geometry = feature["geometry"]
        yield str(feature["id"]), None if geometry is None else shape(geometry)


def _kml_coords(node: ET.Element) -> list[tuple[float, float]]:
    text = node.findtext("k:coordinates", namespaces=KML) or ""
    return [tuple(map(float, p.split(",")[:2])) for p in text.split()]  # type: ignore[misc]


def _kml_shape(node: ET.Element) -> BaseGeometry:
    tag = node.tag.split("}")[1]
    if tag == "Point":
        return shapely.Point(_kml_coords(node)[0])
    if tag == "LineString":
        return shapely.LineString(_kml_coords(node))
    if tag == "Polygon":
        shell = _kml_coords(node.find("k:outerBoundaryIs/k:LinearRing", KML))
        holes = [_kml_coords(r) for r in node.findall("k:innerBoundaryIs/k:LinearRing", KML)]
        return shapely.Polygon(shell, holes)
    assert tag == "MultiGeometry", tag
    parts = [_kml_shape(child) for child in node]
    kinds = {p.geom_type for p in parts}
    multi = {"Point": shapely.MultiPoint, "LineString": shapely.MultiLineString,
             "Polygon": shapely.MultiPolygon}  # fmt: skip
    return multi[kinds.pop()](parts) if len(kinds) == 1 else shapely.GeometryCollection(parts)


def read_kml(path: Path) -> Iterator[tuple[str, BaseGeometry | None]]:
    geometry_tags = {f"{{{KML['k']}}}{t}" for t in ("Point", "LineString", "Polygon",
                                                     "MultiGeometry")}  # fmt: skip
    for mark in ET.parse(path).getroot().iter(f"{{{KML['k']}}}Placemark"):
        fid = mark.findtext("k:ExtendedData/k:Data[@name='id']/k:value", namespaces=KML)
        node = next((child for child in mark if child.tag in geometry_tags), None)
        yield str(fid), None if node is None else _kml_shape(node)


def read_gpkg(path: Path, atlas: Atlas) -> Iterator[tuple[str, BaseGeometry | None]]:
    for table in gis.gpkg_table_names(atlas):
        frame = pyogrio.read_dataframe(path, layer=table)
        for fid, geom in zip(frame["id"], frame.geometry):
            yield str(fid), geom


def read_page(atlas: Atlas) -> Iterator[tuple[str, BaseGeometry | None]]:
    from geo.render.html import page_data, page_features

    for layer in page_data(atlas, offline=False)["layers"]:
        for feature in page_features(layer):
            geometry = feature["geometry"]
            yield str(feature["properties"]["id"]), None if geometry is None else shape(geometry)


def _family(geom: BaseGeometry) -> str:
    return geom.geom_type.removeprefix("Multi")


def check_against_atlas(atlas: Atlas, written: Iterator[tuple[str, BaseGeometry | None]]) -> None:
    """Every feature with a shape comes back valid, of its kind, within 1 m; list all misses."""
    expected = atlas_geometries(atlas)
    got = dict(written)
    problems = [f"{fid}: missing" for fid in expected if got.get(fid) is None]
    for fid, geom in got.items():
        if fid not in expected or geom is None:
            continue
        if not shapely.is_valid(geom):
            problems.append(f"{fid}: invalid ({shapely.is_valid_reason(geom)})")
            continue  # an invalid polygon has no well-defined inside to measure from
        if _family(geom) != _family(expected[fid]):
            problems.append(f"{fid}: a {geom.geom_type}, the Atlas has a {expected[fid].geom_type}")
        distance = hausdorff_m(geom, expected[fid])
        if distance > TOLERANCE_M:
            problems.append(f"{fid}: {distance:.2f} m from the Atlas geometry")
    assert not problems, "\n".join(problems)


def test_geojson_shapes_are_valid_and_true(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.geojson"
    gis.write_geojson(atlas, out)
    check_against_atlas(atlas, read_geojson(out))


def test_kml_shapes_are_valid_and_true(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.kml"
    gis.write_kml(atlas, out)
    check_against_atlas(atlas, read_kml(out))


def test_gpkg_shapes_are_valid_and_true(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "atlas.gpkg"
    gis.write_gpkg(atlas, out)
    check_against_atlas(atlas, read_gpkg(out, atlas))


def test_page_shapes_are_valid_and_true(atlas: Atlas) -> None:
    check_against_atlas(atlas, read_page(atlas))


def test_page_base_map_land_is_valid() -> None:
    """The base map is rounded to 0.01° (about 1 km) for a light page, and stays valid."""
    from geo.render.html import page_data

    try:
        import geo.reference  # noqa: F401
    except ImportError:
        pytest.skip("geo.reference is not available")
    atlas = load_atlas(CASES["fixtures/basic"])
    vector = page_data(atlas, offline=False)["vector_basemap"]
    land = [shape(f["geometry"]) for f in vector["land"]["features"]]
    assert land and all(shapely.is_valid(g) for g in land)
