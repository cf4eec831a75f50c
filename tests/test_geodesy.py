"""Check geo.geodesy against values computed independently with GeographicLib (pyproj.Geod).

The reference values never come from the module under test: distances, azimuths and areas
are recomputed here from pyproj directly, from densely sampled curves or from constants.
"""

from __future__ import annotations

import doctest
import importlib
import itertools
import pkgutil

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box

import geo.geodesy
from geo.geodesy import (
    buffer,
    fan,
    geodesic_area_km2,
    geodesic_length_km,
    geodesic_line,
    ring,
    seamless_outline,
    split_antimeridian,
)

GEOD = Geod(ellps="WGS84")
WGS84_SURFACE_KM2 = 510_065_621.724  # total area of the WGS84 ellipsoid
ERROR_M = 100.0

ARMAVIR = (40.986, 44.926)
GABALA = (47.78, 40.88)
FORT_GREELY = (-145.73, 63.97)
PETROPAVLOVSK = (158.65, 53.02)  # Kamchatka
TEHRAN = (51.389, 35.689)
WARSAW = (21.01, 52.23)


# --- independent helpers -------------------------------------------------------------------


def _full(value: float, like: np.ndarray) -> np.ndarray:
    return np.full(len(like), value, dtype=float)


def _dist_m(lon: float, lat: float, pts: np.ndarray) -> np.ndarray:
    return np.asarray(GEOD.inv(_full(lon, pts), _full(lat, pts), pts[:, 0], pts[:, 1])[2])


def _drawn_edges(geom) -> tuple[np.ndarray, np.ndarray]:
    """Return the start and end points of every edge, except cuts on ±180° and at the poles."""
    starts, ends = [], []
    for polygon in shapely.get_parts(geom):
        for ring_ in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring_.coords)
            a, b = xy[:-1], xy[1:]
            cut = ((np.abs(a[:, 0]) == 180) & (a[:, 0] == b[:, 0])) | (
                (np.abs(a[:, 1]) == 90) & (a[:, 1] == b[:, 1])
            )
            starts.append(a[~cut])
            ends.append(b[~cut])
    return np.vstack(starts), np.vstack(ends)


def _samples(a: np.ndarray, b: np.ndarray, n: int = 10, *, mercator: bool = False) -> np.ndarray:
    """Points a renderer draws between vertices: linear in lon/lat, or in Web Mercator."""
    f = np.arange(1, n + 1)[None, :] / (n + 1)
    lon = a[:, :1] + f * (b[:, :1] - a[:, :1])
    if not mercator:
        lat = a[:, 1:] + f * (b[:, 1:] - a[:, 1:])
        return np.column_stack([lon.ravel(), lat.ravel()])
    keep = (np.abs(a[:, 1]) < 85) & (np.abs(b[:, 1]) < 85)
    y_a, y_b = (np.log(np.tan(np.pi / 4 + np.radians(p[keep, 1:]) / 2)) for p in (a, b))
    lat = np.degrees(2 * np.arctan(np.exp(y_a + f * (y_b - y_a))) - np.pi / 2)
    return np.column_stack([lon[keep].ravel(), lat.ravel()])


def _edge_samples(geom, n: int = 10) -> np.ndarray:
    a, b = _drawn_edges(geom)
    return np.vstack([_samples(a, b, n), _samples(a, b, n, mercator=True)])


def _off_geodesic_m(lon: float, lat: float, az: float, length_m: float, pts: np.ndarray):
    """Distance of points from the geodesic from (lon, lat) along az (parabola at the foot)."""
    along = np.clip(_dist_m(lon, lat, pts), 0.0, length_m)
    sq = []
    for k in (-1.0, 0.0, 1.0):
        q_lon, q_lat, _ = GEOD.fwd(
            _full(lon, pts), _full(lat, pts), _full(az, pts), np.clip(along + k * 1e3, 0, length_m)
        )
        sq.append(np.asarray(GEOD.inv(q_lon, q_lat, pts[:, 0], pts[:, 1])[2]) ** 2)
    c, b = (sq[0] + sq[2] - 2 * sq[1]) / 2, (sq[2] - sq[0]) / 2
    vertex = np.where(c > 0, sq[1] - b * b / (4 * np.where(c > 0, c, 1)), sq[1])
    return np.sqrt(np.clip(np.minimum(vertex, np.min(sq, axis=0)), 0, None))


def _dense_cap(lon: float, lat: float, radius_km: float, n: int = 100_000) -> np.ndarray:
    az = np.linspace(0, 360, n, endpoint=False)
    c_lon, c_lat, _ = GEOD.fwd(_full(lon, az), _full(lat, az), az, _full(radius_km * 1e3, az))
    return np.column_stack([c_lon, c_lat])


def _polygon_area_km2(xy: np.ndarray) -> float:
    """Area of a polygon with geodesic edges as GeographicLib gives it (at most half the earth)."""
    return abs(GEOD.polygon_area_perimeter(xy[:, 0], xy[:, 1])[0]) / 1e6


def _cap_area_km2(lon: float, lat: float, radius_km: float) -> float:
    area = _polygon_area_km2(_dense_cap(lon, lat, radius_km))
    half_meridian_km = 10_001.966
    return WGS84_SURFACE_KM2 - area if radius_km > half_meridian_km else area


def _perimeter_km(geom) -> float:
    a, b = _drawn_edges(geom)
    return float(np.sum(GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2])) / 1e3


def _all_coords(geom) -> np.ndarray:
    return shapely.get_coordinates(geom)


def _assert_in_range(geom) -> None:
    xy = _all_coords(geom)
    assert xy[:, 0].min() >= -180 and xy[:, 0].max() <= 180
    assert xy[:, 1].min() >= -90 and xy[:, 1].max() <= 90


# --- docstring examples ---------------------------------------------------------------------


GEODESY_MODULES = sorted(
    info.name for info in pkgutil.iter_modules(geo.geodesy.__path__, "geo.geodesy.")
)


def test_the_package_is_split_into_its_jobs():
    names = {name.rsplit(".", 1)[1] for name in GEODESY_MODULES}
    assert {"_rings", "_lines", "_buffers", "_antimeridian", "_measure", "_densify"} <= names
    # the public names stay where the rest of the code imports them
    for name in geo.geodesy.__all__:
        assert hasattr(geo.geodesy, name), name


def test_docstring_examples_pass():
    results = [doctest.testmod(importlib.import_module(name)) for name in GEODESY_MODULES]
    assert sum(r.attempted for r in results) >= 25
    assert sum(r.failed for r in results) == 0


# --- rings ----------------------------------------------------------------------------------

RINGS = {
    "armavir-4000": (*ARMAVIR, 4000.0),
    "gabala-6000": (*GABALA, 6000.0),
    "greely-3000": (*FORT_GREELY, 3000.0),
    "greely-2000": (*FORT_GREELY, 2000.0),
    "warsaw-100": (*WARSAW, 100.0),
    "south-pole-side-1500": (30.0, -80.0, 1500.0),
    "both-poles-15000": (10.0, 10.0, 15000.0),
    "on-the-antimeridian-800": (180.0, -20.0, 800.0),
}


@pytest.fixture(scope="module")
def rings() -> dict[str, Polygon | MultiPolygon]:
    return {name: ring(*args) for name, args in RINGS.items()}


@pytest.mark.parametrize("name", RINGS)
def test_ring_vertices_lie_on_the_circle(rings, name):
    lon, lat, radius_km = RINGS[name]
    xy = _all_coords(rings[name])
    on_curve = xy[np.abs(xy[:, 1]) < 90]  # vertices at a pole only close the shape
    assert np.abs(_dist_m(lon, lat, on_curve) - radius_km * 1e3).max() <= 1.0


@pytest.mark.parametrize("name", RINGS)
def test_ring_drawn_edges_stay_within_100_m(rings, name):
    lon, lat, radius_km = RINGS[name]
    pts = _edge_samples(rings[name])
    assert np.abs(_dist_m(lon, lat, pts) - radius_km * 1e3).max() <= ERROR_M


@pytest.mark.parametrize("name", RINGS)
def test_ring_is_valid_in_range_and_anticlockwise(rings, name):
    geom = rings[name]
    assert geom.is_valid
    _assert_in_range(geom)
    for polygon in shapely.get_parts(geom):
        assert polygon.exterior.is_ccw
        assert not any(hole.is_ccw for hole in polygon.interiors)


@pytest.mark.parametrize("name", RINGS)
def test_ring_area_matches_the_cap(rings, name):
    lon, lat, radius_km = RINGS[name]
    expected_km2 = _cap_area_km2(lon, lat, radius_km)
    # Chords cut inside the circle by at most 100 m along the whole perimeter.
    assert abs(geodesic_area_km2(rings[name]) - expected_km2) <= _perimeter_km(rings[name]) * 0.1


def test_ring_vertex_counts_are_reasonable(rings):
    count = shapely.get_num_coordinates(rings["armavir-4000"])
    assert 200 <= count <= 3000
    assert shapely.get_num_coordinates(rings["warsaw-100"]) <= 300


def test_gabala_ring_closes_over_the_north_pole(rings):
    cap = rings["gabala-6000"]
    assert isinstance(cap, Polygon)
    for lon, lat in [(0, 89.9), (170, 88), (-90, 89.999), (-179.9, 85), *[GABALA]]:
        assert cap.contains(Point(lon, lat)), (lon, lat)
    antipode = (GABALA[0] - 180, -GABALA[1])
    for lon, lat in [antipode, (antipode[0] + 10, antipode[1] + 5), (0, -89.9)]:
        assert not cap.contains(Point(lon, lat)), (lon, lat)


def test_greely_ring_is_cut_at_the_antimeridian(rings):
    cut = rings["greely-2000"]
    assert isinstance(cut, MultiPolygon) and len(cut.geoms) == 2
    west, east = sorted(cut.geoms, key=lambda p: p.bounds[0])
    assert west.bounds[0] == -180 and east.bounds[2] == 180
    assert west.contains(Point(*FORT_GREELY))
    over_the_seam = GEOD.fwd(*FORT_GREELY, 290.0, 1900e3)[:2]
    assert over_the_seam[0] > 170 and east.contains(Point(over_the_seam))
    lon, lat, radius_km = RINGS["greely-2000"]
    expected_km2 = _cap_area_km2(lon, lat, radius_km)
    assert geodesic_area_km2(cut) == pytest.approx(expected_km2, rel=1e-4)


def test_greely_3000_ring_holds_the_pole_and_spans_the_map(rings):
    cap = rings["greely-3000"]
    assert isinstance(cap, Polygon)
    assert cap.bounds[0] == -180 and cap.bounds[2] == 180 and cap.bounds[3] == 90
    assert cap.contains(Point(30.0, 89.5)) and cap.contains(Point(170.0, 70.0))
    assert not cap.contains(Point(-145.73, 30.0))


def test_huge_ring_holds_both_poles_but_not_the_antipode(rings):
    world_minus_hole = rings["both-poles-15000"]
    assert world_minus_hole.contains(Point(0, 89.9)) and world_minus_hole.contains(Point(0, -89.9))
    # The hole round the antipode of (10, 10) crosses the antimeridian: a notch on both sides.
    for lon, lat in [(-170.0, -10.0), (-175.0, -12.0), (178.0, -8.0)]:
        assert not world_minus_hole.contains(Point(lon, lat)), (lon, lat)


def test_ring_centred_on_a_pole_is_a_polar_cap():
    cap = ring(0.0, 90.0, 1000.0)
    xy = _all_coords(cap)
    edge_lat = GEOD.fwd(0.0, 90.0, 0.0, 1e6)[1]
    assert np.allclose(xy[xy[:, 1] < 90, 1], edge_lat, atol=0, rtol=0)
    assert geodesic_area_km2(cap) == pytest.approx(_cap_area_km2(0.0, 90.0, 1000.0), rel=1e-6)


def test_annulus_holds_the_band_but_not_the_centre():
    band = ring(*ARMAVIR, 4000.0, min_radius_km=1000.0)
    assert not band.contains(Point(*ARMAVIR))
    middle = GEOD.fwd(*ARMAVIR, 45.0, 2500e3)[:2]
    assert band.contains(Point(middle))
    assert not band.contains(Point(GEOD.fwd(*ARMAVIR, 45.0, 900e3)[:2]))
    expected_km2 = _cap_area_km2(*ARMAVIR, 4000.0) - _cap_area_km2(*ARMAVIR, 1000.0)
    assert geodesic_area_km2(band) == pytest.approx(expected_km2, rel=1e-4)


def test_annulus_inner_edge_stays_within_100_m():
    band = ring(*GABALA, 6000.0, min_radius_km=300.0)
    d = _dist_m(*GABALA, _edge_samples(band))
    assert np.minimum(np.abs(d - 6000e3), np.abs(d - 300e3)).max() <= ERROR_M


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"radius_km": 0}, r"radius_km must be >= 0.001 \(1 m\) and <= 19500, got 0$"),
        ({"radius_km": -5}, r"radius_km must be >= 0.001 \(1 m\) and <= 19500, got -5$"),
        ({"radius_km": 19_600}, r"radius_km must be >= 0.001 \(1 m\) and <= 19500, got 19600$"),
        (
            {"radius_km": 100, "min_radius_km": 100},
            r"min_radius_km must be >= 0 and at least 0.001 \(1 m\) below radius_km \(100\), "
            r"got 100$",
        ),
        ({"radius_km": 100, "lat": 91}, r"lat must be within \[-90, 90\], got 91"),
        ({"radius_km": 100, "max_error_m": 0}, r"max_error_m must be > 0, got 0"),
    ],
)
def test_ring_rejects_nonsense(kwargs, message):
    args = {"lon": 10.0, "lat": 50.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        ring(args.pop("lon"), args.pop("lat"), args.pop("radius_km"), **args)


# --- fans -----------------------------------------------------------------------------------

FANS = {
    "armavir-south": (*ARMAVIR, 4000.0, 200.0, 120.0, 0.0),
    "gabala-north-over-pole": (*GABALA, 6000.0, 0.0, 90.0, 0.0),
    "gabala-wide-over-pole": (*GABALA, 6000.0, 0.0, 300.0, 0.0),
    "edge-on-a-meridian": (0.0, 40.0, 8000.0, 45.0, 90.0, 0.0),
    "annular": (0.0, 40.0, 8000.0, 45.0, 90.0, 2000.0),
    "greely-west-across-seam": (*FORT_GREELY, 3000.0, 270.0, 60.0, 0.0),
    "both-poles": (10.0, 10.0, 15000.0, 0.0, 300.0, 0.0),
}


def _fan(args):
    lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km = args
    return fan(
        lon, lat, radius_km, azimuth_deg=azimuth_deg, beam_deg=beam_deg, min_radius_km=min_radius_km
    )


def _dense_sector(args, n: int = 50_000) -> np.ndarray:
    lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km = args
    az0, az1 = azimuth_deg - beam_deg / 2, azimuth_deg + beam_deg / 2
    arc_az, along = np.linspace(az0, az1, n), np.linspace(min_radius_km * 1e3, radius_km * 1e3, n)
    parts = [
        GEOD.fwd(_full(lon, along), _full(lat, along), _full(az0, along), along),
        GEOD.fwd(_full(lon, arc_az), _full(lat, arc_az), arc_az, _full(radius_km * 1e3, arc_az)),
        GEOD.fwd(_full(lon, along), _full(lat, along), _full(az1, along), along[::-1]),
    ]
    if min_radius_km:
        inner = _full(min_radius_km * 1e3, arc_az)
        parts.append(GEOD.fwd(_full(lon, arc_az), _full(lat, arc_az), arc_az[::-1], inner))
    return np.vstack([np.column_stack(p[:2]) for p in parts])


@pytest.fixture(scope="module")
def fans() -> dict[str, Polygon | MultiPolygon]:
    return {name: _fan(args) for name, args in FANS.items()}


@pytest.mark.parametrize("name", FANS)
def test_fan_drawn_edges_stay_within_100_m(fans, name):
    lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km = FANS[name]
    pts = _edge_samples(fans[name])
    d = _dist_m(lon, lat, pts)
    off = np.minimum(np.abs(d - radius_km * 1e3), np.abs(d - min_radius_km * 1e3))
    for edge_az in (azimuth_deg - beam_deg / 2, azimuth_deg + beam_deg / 2):
        off = np.minimum(off, _off_geodesic_m(lon, lat, edge_az, radius_km * 1e3, pts))
    assert off.max() <= ERROR_M


@pytest.mark.parametrize("name", FANS)
def test_fan_holds_its_axis_but_not_beyond_its_beam(fans, name):
    lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km = FANS[name]
    half_way_m = (radius_km + min_radius_km) / 2 * 1e3
    on_axis = GEOD.fwd(lon, lat, azimuth_deg, half_way_m)[:2]
    # azimuth + beam is half a beam outside the edge; for wide beams look straight back.
    outside_az = azimuth_deg + beam_deg if beam_deg <= 180 else azimuth_deg + 180
    outside = GEOD.fwd(lon, lat, outside_az, half_way_m)[:2]
    assert fans[name].contains(Point(on_axis))
    assert not fans[name].contains(Point(outside))
    assert fans[name].is_valid
    _assert_in_range(fans[name])


@pytest.mark.parametrize("name", FANS)
def test_fan_area_matches_the_dense_sector(fans, name):
    expected_km2 = _polygon_area_km2(_dense_sector(FANS[name]))
    if name == "both-poles":
        expected_km2 = WGS84_SURFACE_KM2 - expected_km2
    assert geodesic_area_km2(fans[name]) == pytest.approx(expected_km2, rel=1e-4)


def test_fan_over_the_pole_holds_the_pole(fans):
    north = fans["gabala-north-over-pole"]
    assert north.contains(Point(0, 89.9)) and north.contains(Point(-120, 89.5))
    assert not north.contains(Point(GABALA[0], 20.0))
    assert not north.contains(Point(0, -89.9))


def test_fan_of_a_full_turn_is_the_ring():
    full = fan(*ARMAVIR, 1000.0, azimuth_deg=30.0, beam_deg=360.0)
    assert full.equals(ring(*ARMAVIR, 1000.0))


def test_fan_centred_on_a_pole_spans_its_meridians():
    polar = fan(0.0, 90.0, 1000.0, azimuth_deg=180.0, beam_deg=60.0)
    # From the north pole, azimuth 180 along meridian 0 leads down meridian 0 itself.
    assert polar.contains(Point(0.0, 85.0))
    assert not polar.contains(Point(90.0, 85.0))
    assert geodesic_area_km2(polar) == pytest.approx(_cap_area_km2(0, 90, 1000) / 6, rel=1e-6)


@pytest.mark.parametrize("beam_deg", [0, -10, 0.001])
def test_fan_rejects_an_empty_beam(beam_deg):
    with pytest.raises(ValueError, match=f"beam_deg must be >= 0.01, got {beam_deg}$"):
        fan(0, 0, 100, azimuth_deg=0, beam_deg=beam_deg)


# --- links ----------------------------------------------------------------------------------


def _line_samples(line) -> np.ndarray:
    parts = [np.asarray(p.coords) for p in shapely.get_parts(line)]
    return np.vstack([_samples(xy[:-1], xy[1:]) for xy in parts] + [_mercator_line(parts)])


def _mercator_line(parts) -> np.ndarray:
    return np.vstack([_samples(xy[:-1], xy[1:], mercator=True) for xy in parts])


LINKS = {
    "greely-kamchatka": (*FORT_GREELY, *PETROPAVLOVSK),
    "tehran-warsaw": (*TEHRAN, *WARSAW),
    "over-the-north-pole": (0.0, 80.0, 180.0, 70.0),
    "across-the-pacific": (-100.0, 40.0, 100.0, 40.0),
    "from-a-pole": (10.0, 90.0, 20.0, 0.0),
}


@pytest.mark.parametrize("name", LINKS)
def test_link_stays_within_100_m_of_the_geodesic(name):
    lon1, lat1, lon2, lat2 = LINKS[name]
    az, _, length_m = GEOD.inv(lon1, lat1, lon2, lat2)
    line = geodesic_line(lon1, lat1, lon2, lat2)
    assert _off_geodesic_m(lon1, lat1, az, length_m, _line_samples(line)).max() <= ERROR_M
    assert geodesic_length_km(line) * 1e3 == pytest.approx(length_m, abs=1.0)
    _assert_in_range(line)


def test_greely_kamchatka_link_is_cut_at_the_antimeridian():
    line = geodesic_line(*FORT_GREELY, *PETROPAVLOVSK)
    assert isinstance(line, MultiLineString) and len(line.geoms) == 2
    first, second = line.geoms
    assert first.coords[0] == pytest.approx(FORT_GREELY)
    assert first.coords[-1][0] == -180 and second.coords[0][0] == 180
    assert first.coords[-1][1] == second.coords[0][1]
    assert second.coords[-1] == pytest.approx(PETROPAVLOVSK)


def test_tehran_warsaw_is_about_3000_km():
    length_km = geodesic_length_km(geodesic_line(*TEHRAN, *WARSAW))
    assert 3000 < length_km < 3030


def test_link_over_a_pole_is_cut_at_the_pole():
    line = geodesic_line(0.0, 80.0, 180.0, 70.0)
    assert line.geoms[0].coords[-1] == (0.0, 90.0)
    assert line.geoms[1].coords[0] == (180.0, 90.0)


def test_link_between_identical_points_has_no_length():
    assert geodesic_length_km(geodesic_line(10, 10, 10, 10)) == 0


def test_link_rejects_a_bad_latitude():
    with pytest.raises(ValueError, match=r"lat2 must be within \[-90, 90\], got 95"):
        geodesic_line(0, 0, 10, 95)


# --- antimeridian -----------------------------------------------------------------------------


def test_split_keeps_both_halves_and_the_area():
    wide = box(170, 10, 190, 20)
    halves = split_antimeridian(wide)
    assert isinstance(halves, MultiPolygon) and len(halves.geoms) == 2
    _assert_in_range(halves)
    assert sorted(round(p.bounds[0]) for p in halves.geoms) == [-180, 170]
    # Reference: the unsplit box densified along its parallels, measured by GeographicLib.
    lon = np.linspace(170, 190, 2001)
    dense = np.vstack([np.column_stack([lon, _full(10, lon)]), [[190, 20]]])
    dense = np.vstack([dense, np.column_stack([lon[::-1], _full(20, lon)])])
    assert geodesic_area_km2(halves) == pytest.approx(_polygon_area_km2(dense), rel=1e-6)


def test_split_of_a_shape_wider_than_the_map_merges_the_overlap():
    wrapped = split_antimeridian(box(-200, 0, 200, 10))
    assert isinstance(wrapped, Polygon)
    assert wrapped.bounds == (-180, 0, 180, 10)


def test_split_leaves_shapes_inside_the_map_alone():
    shape = box(0, 0, 10, 10)
    assert split_antimeridian(shape) is shape


def test_split_keeps_line_pieces_in_order():
    line = split_antimeridian(LineString([(170, 0), (190, 10), (200, 20)]))
    assert [tuple(np.round(p.coords[0])) for p in line.geoms] == [(170, 0), (-180, 5)]


def test_seamless_outline_drops_the_cuts():
    outline = seamless_outline(ring(*FORT_GREELY, 3000.0))
    for part in outline.geoms:
        xy = np.asarray(part.coords)
        on_seam = (np.abs(xy[:-1, 0]) == 180) & (xy[:-1, 0] == xy[1:, 0])
        on_pole = np.abs(xy[:-1, 1]) == 90
        assert not on_seam.any() and not on_pole.any()


def test_perimeter_of_a_cut_ring_is_its_circumference():
    lon, lat, radius_km = RINGS["greely-2000"]
    circle = _dense_cap(lon, lat, radius_km, n=20_000)
    closed = np.vstack([circle, circle[:1]])
    expected_km = np.sum(GEOD.inv(*closed[:-1].T, *closed[1:].T)[2]) / 1e3
    assert geodesic_length_km(ring(lon, lat, radius_km)) == pytest.approx(expected_km, rel=1e-4)


def test_area_of_the_whole_map_is_the_ellipsoid():
    assert geodesic_area_km2(box(-180, -90, 180, 90)) == pytest.approx(WGS84_SURFACE_KM2, rel=1e-9)


# --- buffers --------------------------------------------------------------------------------


def test_buffer_of_a_point_is_the_ring():
    disc = buffer(Point(*WARSAW), 100)
    expected_km2 = _cap_area_km2(*WARSAW, 100)
    assert abs(geodesic_area_km2(disc) - expected_km2) <= _perimeter_km(disc) * 0.1
    assert np.abs(_dist_m(*WARSAW, _edge_samples(disc)) - 100e3).max() <= ERROR_M


def test_buffer_of_a_line_reaches_100_km_to_each_side():
    start, end = (20.0, 50.0), (30.0, 55.0)
    corridor = buffer(LineString([start, end]), 100)
    az, back_az, length_m = GEOD.inv(*start, *end)
    mid_lon, mid_lat, mid_back = GEOD.fwd(*start, az, length_m / 2)
    heading = mid_back + 180
    for side in (-90, 90):
        assert corridor.contains(Point(GEOD.fwd(mid_lon, mid_lat, heading + side, 99e3)[:2]))
        assert not corridor.contains(Point(GEOD.fwd(mid_lon, mid_lat, heading + side, 101e3)[:2]))
    beyond_end = back_az + 180
    assert corridor.contains(Point(GEOD.fwd(*end, beyond_end, 99e3)[:2]))
    assert not corridor.contains(Point(GEOD.fwd(*end, beyond_end, 101e3)[:2]))


def test_buffer_of_a_polygon_near_60n_is_measured_in_km():
    corners = [(20.0, 59.0), (30.0, 59.0), (30.0, 61.0), (20.0, 61.0)]
    grown = buffer(Polygon(corners), 100)
    # East edge runs along meridian 30: 100 km east of it is far more than 100 km / 111 km in
    # degrees of longitude at 60° N.
    assert grown.contains(Point(GEOD.fwd(30.0, 60.0, 90.0, 99e3)[:2]))
    assert not grown.contains(Point(GEOD.fwd(30.0, 60.0, 90.0, 101e3)[:2]))
    # North edge is a geodesic: its middle, then 100 km further north.
    az, _, length_m = GEOD.inv(30.0, 61.0, 20.0, 61.0)
    mid_lon, mid_lat, _ = GEOD.fwd(30.0, 61.0, az, length_m / 2)
    assert grown.contains(Point(GEOD.fwd(mid_lon, mid_lat, 0.0, 99e3)[:2]))
    assert not grown.contains(Point(GEOD.fwd(mid_lon, mid_lat, 0.0, 101e3)[:2]))


def test_buffer_outline_is_100_km_from_the_shape():
    corners = np.array([(23.2, 52.0), (26.6, 55.7), (30.9, 55.6), (32.7, 53.3), (27.7, 51.5)])
    shape = Polygon(corners)
    grown = buffer(shape, 500)
    closed = np.vstack([corners, corners[:1]])
    edge_pts = [
        np.array(GEOD.npts(*a, *b, int(GEOD.inv(*a, *b)[2] / 500), initial_idx=0, terminus_idx=0))
        for a, b in itertools.pairwise(closed)
    ]
    boundary = np.vstack(edge_pts)
    outline = _edge_samples(grown, 2)[::7]
    nearest_m = np.array([_dist_m(*p, boundary).min() for p in outline])
    assert np.abs(nearest_m - 500e3).max() <= ERROR_M
    assert grown.contains(shape)


def test_buffer_across_the_antimeridian_stays_on_the_map():
    cut = ring(*FORT_GREELY, 2000.0)
    grown = buffer(cut, 300)
    assert grown.is_valid
    _assert_in_range(grown)
    assert grown.contains(cut)
    expected_km2 = _cap_area_km2(*FORT_GREELY, 2300.0)  # a disc grown by d is a bigger disc
    assert geodesic_area_km2(grown) == pytest.approx(expected_km2, rel=2e-4)


def test_buffer_around_the_pole_closes_over_it():
    grown = buffer(box(-30, 84, 30, 87), 1000)
    assert grown.contains(Point(150, 89.9)) and grown.contains(Point(-150, 88))
    assert grown.is_valid


def test_buffer_of_zero_returns_the_shape():
    shape = box(0, 0, 1, 1)
    assert buffer(shape, 0).equals(shape)


def test_buffer_rejects_a_negative_distance():
    with pytest.raises(
        ValueError, match=r"distance_km must be 0, or >= 0.001 \(1 m\) and <= 5000, got -1$"
    ):
        buffer(Point(0, 0), -1)
