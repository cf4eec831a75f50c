"""Geometry at the extremes: rings around and over the poles, across ±180°, at the largest
radius; the smallest shapes the layer model allows; degenerate input; links of no length.

Areas are checked against values computed here, never by the module under test: the area
GeographicLib gives a densely sampled geodesic circle (pyproj), and the closed-form spherical
cap. Every shape is checked valid, also after the page's rounding to 5 decimals.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from geo import geodesy
from geo.atlas import load_atlas
from geo.cli import cli
from geo.errors import LayerFileError
from geo.geodesy import (
    buffer,
    fan,
    geodesic_area_km2,
    geodesic_line,
    geodesic_lines,
    ring,
    rings,
)
from geo.grid import rounded
from geo.schema import link_ends_problem

GEOD = Geod(ellps="WGS84")
WGS84_SURFACE_KM2 = 510_065_621.724
#: The radius of the sphere with the ellipsoid's area (authalic), for the spherical cap.
AUTHALIC_RADIUS_KM = 6_371.007181
FLATTENING = 1 / 298.257223563
PAGE_DECIMALS = 5  # geo/render/html.py: the page's coordinates, snapped to 1e-5 degree
CHORD_ERROR_KM = 0.1  # the default max_error_m: every drawn chord is within 100 m


# --- independent references ----------------------------------------------------------------


def dense_cap_km2(lon: float, lat: float, radius_km: float, n: int = 100_000) -> float:
    """GeographicLib's area of the geodesic circle sampled at n azimuths, on the centre's
    side (for rings beyond the farther pole, the world minus the hole)."""
    az = np.linspace(360.0, 0.0, n, endpoint=False)  # anticlockwise round the centre
    full = np.full(n, 1.0)
    x, y, _ = GEOD.fwd(full * lon, full * lat, az, full * radius_km * 1e3)
    # GeographicLib signs the area by the traversal and reduces it into (-A/2, A/2]:
    # modulo the whole surface it is the area on the left, the centre's side.
    return (GEOD.polygon_area_perimeter(x, y)[0] / 1e6) % WGS84_SURFACE_KM2


def spherical_cap_km2(radius_km: float) -> float:
    """2πR²(1 − cos(r/R)) on the authalic sphere."""
    r = AUTHALIC_RADIUS_KM
    return 2 * np.pi * r**2 * (1 - np.cos(radius_km / r))


def drawn_perimeter_km(geom) -> float:
    """Length of the drawn outline, cut edges along ±180° and the poles included (an upper
    bound of the strip in which chords can cut inside the circle)."""
    xy = [np.asarray(r.coords) for p in shapely.get_parts(geom) for r in shapely.get_rings(p)]
    return sum(float(np.sum(GEOD.inv(*a[:-1].T, *a[1:].T)[2])) for a in xy) / 1e3


def assert_valid_map_shape(geom) -> None:
    """Valid, not empty, inside [-180, 180] x [-90, 90], RFC 7946 orientation; and still
    valid after the page's rounding."""
    assert geom.is_valid, shapely.is_valid_reason(geom)
    assert not geom.is_empty and geom.area > 0
    xy = shapely.get_coordinates(geom)
    assert xy[:, 0].min() >= -180 and xy[:, 0].max() <= 180
    assert xy[:, 1].min() >= -90 and xy[:, 1].max() <= 90
    for polygon in shapely.get_parts(geom):
        assert polygon.exterior.is_ccw
        assert not any(hole.is_ccw for hole in polygon.interiors)
    assert rounded(geom, PAGE_DECIMALS).is_valid


# --- rings at the extremes, against independent areas ----------------------------------------

EXTREME_RINGS = {
    "north-pole-centre-1000": (0.0, 90.0, 1000.0),
    "south-pole-centre-3000": (120.0, -90.0, 3000.0),
    "north-pole-inside-1500": (30.0, 80.0, 1500.0),
    "south-pole-inside-1500": (-150.0, -80.0, 1500.0),
    "across-the-antimeridian-2000": (179.5, 10.0, 2000.0),
    "on-minus-180-500": (-180.0, -30.0, 500.0),
    "half-the-earth-10002": (25.0, 45.0, 10_002.0),
    "max-radius-19500": (21.01, 52.23, geodesy.MAX_RADIUS_KM),
    "max-radius-hole-across-180": (0.0, 0.0, geodesy.MAX_RADIUS_KM),
    "max-radius-around-a-pole": (0.0, -90.0, geodesy.MAX_RADIUS_KM),
    "max-radius-near-a-pole": (60.0, 89.5, geodesy.MAX_RADIUS_KM),
}


@pytest.mark.parametrize("name", EXTREME_RINGS)
def test_extreme_ring_area_matches_geographiclib(name):
    lon, lat, radius_km = EXTREME_RINGS[name]
    shape = ring(lon, lat, radius_km)
    assert_valid_map_shape(shape)
    # Chords cut inside the circle by at most 100 m all along the outline: the drawn area
    # falls short of the true one by at most a 100 m strip along it.
    allowed_km2 = drawn_perimeter_km(shape) * CHORD_ERROR_KM
    assert abs(geodesic_area_km2(shape) - dense_cap_km2(lon, lat, radius_km)) <= allowed_km2


@pytest.mark.parametrize("name", EXTREME_RINGS)
def test_extreme_ring_area_matches_the_spherical_cap(name):
    lon, lat, radius_km = EXTREME_RINGS[name]
    # A geodesic circle on WGS84 is not a cap of the authalic sphere: distances differ with
    # direction by up to the flattening f (1/298); measured, the areas differ by up to 9e-4
    # of the cap (a 10,000 km circle around a pole). f/2 = 1.7e-3 bounds that.
    expected_km2 = spherical_cap_km2(radius_km)
    assert geodesic_area_km2(ring(lon, lat, radius_km)) == pytest.approx(
        expected_km2, rel=FLATTENING / 2
    )


def test_the_largest_ring_is_the_world_with_a_hole_around_the_antipode():
    lon, lat = 21.01, 52.23
    world = ring(lon, lat, geodesy.MAX_RADIUS_KM)
    assert world.geom_type == "Polygon" and len(world.interiors) == 1
    assert world.exterior.bounds == (-180.0, -90.0, 180.0, 90.0)
    antipode = (lon - 180.0, -lat)
    assert not world.contains(Point(antipode))
    for inside in [(lon, lat), (0, 89.99), (0, -89.99), (179.99, 0), (-179.99, 0)]:
        assert world.contains(Point(inside)), inside
    # The hole is the part of the earth beyond 19,500 km: 503 km from the antipode.
    hole = shapely.Polygon(world.interiors[0])
    edge = GEOD.fwd(antipode[0], antipode[1], 0.0, 490e3)[:2]
    assert hole.contains(Point(antipode)) and hole.contains(Point(edge))


def test_the_largest_ring_with_its_hole_across_the_antimeridian_notches_both_edges():
    world = ring(0.0, 0.0, geodesy.MAX_RADIUS_KM)
    for lon, lat in [(179.9, 0.0), (-179.9, 0.0), (179.99, 4.0), (-179.99, -4.0)]:
        assert not world.intersects(Point(lon, lat)), (lon, lat)
    assert world.contains(Point(170.0, 0.0)) and world.contains(Point(-170.0, 0.0))
    # 1,100 km north of the antipode, beyond the hole's 503 km: inside, on both edges
    assert world.contains(Point(179.99, 10.0)) and world.contains(Point(-179.99, 10.0))
    assert world.covers(Point(180.0, 10.0)) and not world.covers(Point(180.0, 0.0))


@pytest.mark.parametrize("pole_lat", [90.0, -90.0])
def test_a_ring_holding_a_pole_contains_it_and_not_the_other(pole_lat):
    shape = ring(30.0, 80.0 * np.sign(pole_lat), 1500.0)
    assert shape.contains(Point(0, pole_lat * 0.9999)) and shape.covers(Point(-150, pole_lat))
    assert not shape.intersects(Point(0, -pole_lat))
    assert shapely.get_coordinates(shape)[:, 1].tolist().count(pole_lat) >= 2  # closed over it


# --- the smallest shapes the layer model allows --------------------------------------------

CENTRES = {
    "warsaw": (21.01, 52.23),
    "equator-on-180": (180.0, 0.0),
    "on-minus-180": (-180.0, 45.0),
    "north-pole": (0.0, 90.0),
    "next-to-the-south-pole": (10.0, -89.99999),
}


@pytest.mark.parametrize("centre", CENTRES)
def test_a_one_metre_ring_is_valid_and_survives_the_page(centre):
    lon, lat = CENTRES[centre]
    small = ring(lon, lat, geodesy.MIN_RADIUS_KM)
    assert_valid_map_shape(small)
    page = rounded(small, PAGE_DECIMALS)
    assert page.is_valid and not page.is_empty  # 2 m across: at least two 1e-5° cells


@pytest.mark.parametrize("centre", CENTRES)
@pytest.mark.parametrize("azimuth_deg", [0.0, 90.0, 180.0, 359.995])
def test_the_narrowest_fan_is_valid(centre, azimuth_deg):
    lon, lat = CENTRES[centre]
    for radius_km in (geodesy.MIN_RADIUS_KM, 10.0, 4000.0, geodesy.MAX_RADIUS_KM):
        needle = fan(lon, lat, radius_km, azimuth_deg=azimuth_deg, beam_deg=geodesy.MIN_BEAM_DEG)
        assert_valid_map_shape(needle)
        # The needle lies along its axis: far less area than the whole ring, give or take
        # the strip its chords may stray in (100 m, the whole shape when it is that small).
        slack_km2 = 2 * radius_km * CHORD_ERROR_KM
        whole_km2 = geodesic_area_km2(ring(lon, lat, radius_km))
        assert geodesic_area_km2(needle) <= min(whole_km2, whole_km2 / 1000 + slack_km2)


def test_a_fan_thinner_than_the_page_grid_is_drawn_as_what_it_is_there():
    """At 0.01° a fan is 1.7 m wide 10 km out: that survives the page's 1e-5° (1.1 m) grid as
    a polygon. A shorter one is thinner than a grid cell everywhere: on the page it is its
    outline as a line (snap-rounding alone would leave nothing, and the feature no shape)."""
    for lon, lat in [(21.01, 52.23), (-70.0, -33.0), (140.0, 10.0)]:
        wide = fan(lon, lat, 10.0, azimuth_deg=33.0, beam_deg=geodesy.MIN_BEAM_DEG)
        assert rounded(wide, PAGE_DECIMALS).geom_type == "Polygon"
        tiny = fan(lon, lat, 0.5, azimuth_deg=33.0, beam_deg=geodesy.MIN_BEAM_DEG)
        page = rounded(tiny, PAGE_DECIMALS)
        assert tiny.is_valid and page.is_valid and page.geom_type in ("LineString", "Point")
        assert shapely.hausdorff_distance(page, tiny) < 2e-5  # where the fan is, to a cell


def test_small_fans_anywhere_keep_a_valid_shape_on_the_page():
    rng = np.random.default_rng(2011)
    for _ in range(300):
        beam = float(10 ** rng.uniform(-2, np.log10(359.9)))
        radius_km = float(10 ** rng.uniform(-3, 1))
        lat = float(rng.choice([rng.uniform(-90, 90), 90 - 10 ** rng.uniform(-5, 0)]))
        lon, azimuth = float(rng.uniform(-180, 180)), float(rng.uniform(0, 360))
        shape = fan(lon, lat, radius_km, azimuth_deg=azimuth, beam_deg=beam)
        page = rounded(shape, PAGE_DECIMALS)
        assert shape.is_valid and page.is_valid and not page.is_empty, (lon, lat, radius_km, beam)


def test_jagged_polygons_a_few_grid_cells_across_stay_valid_on_the_page():
    """The page rounds a polygon vertex by vertex where that keeps it valid and snap-rounds
    it whole where it would fold: random stars a few cells across take both ways."""
    rng = np.random.default_rng(7)
    grid = 10.0**-PAGE_DECIMALS
    folds = 0
    for _ in range(500):
        n = int(rng.integers(3, 40))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(0.3, 8, n) * grid
        lon, lat = rng.uniform(-179, 179), rng.uniform(-89, 89)
        star = shapely.Polygon(np.column_stack([lon + radii * np.cos(angles),
                                                lat + radii * np.sin(angles)]))  # fmt: skip
        if not star.is_valid or star.area == 0:
            continue
        page = rounded(star, PAGE_DECIMALS)
        assert page.is_valid and not page.is_empty, star.wkt
        xy = shapely.get_coordinates(page)
        assert np.allclose(xy, np.round(xy, PAGE_DECIMALS), rtol=0, atol=1e-9), star.wkt
        # the outline moves by at most half a cell's diagonal: so does the area, times its length
        assert abs(page.area - star.area) <= star.length * grid, star.wkt
        folds += not shapely.set_precision(star, grid, mode="pointwise").is_valid
    assert 20 < folds < 480  # both ways were taken


@pytest.mark.parametrize(
    "wkt",
    [
        "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))",  # a bow tie: its ring crosses itself
        "POLYGON ((0 0, 1 0, 1 1, 0.5 0.000001, 0 1, 0 0))",  # a notch that folds on the grid
        "MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((1 1, 3 1, 3 3, 1 3, 1 1)))",  # overlap
        "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 5 1, 5 2, 1 2, 1 1))",  # hole out of shell
    ],
)
def test_an_invalid_polygon_in_a_frame_comes_out_of_the_rounding_valid(wkt):
    """A frame built by hand may hold an invalid polygon: the page still gets a valid one,
    on the grid, covering what GEOS's repair of it covers."""
    shape = shapely.from_wkt(wkt)
    assert not shape.is_valid or not shapely.set_precision(shape, 1e-5, mode="pointwise").is_valid
    page = rounded(shape, PAGE_DECIMALS)
    assert page.is_valid and not page.is_empty
    xy = shapely.get_coordinates(page)
    assert np.allclose(xy, np.round(xy, PAGE_DECIMALS), rtol=0, atol=1e-9)
    repaired = shapely.make_valid(shape, method="structure")
    assert page.symmetric_difference(repaired).area <= repaired.length * 10.0**-PAGE_DECIMALS


def test_a_nearly_full_fan_is_the_ring_minus_a_slit():
    almost = fan(21.01, 52.23, 1000.0, azimuth_deg=90.0, beam_deg=360.0 - geodesy.MIN_BEAM_DEG)
    assert_valid_map_shape(almost)
    full_km2 = geodesic_area_km2(ring(21.01, 52.23, 1000.0))
    assert geodesic_area_km2(almost) == pytest.approx(full_km2 * (1 - 0.01 / 360), rel=1e-4)
    assert not almost.contains(Point(GEOD.fwd(21.01, 52.23, 270.0, 500e3)[:2]))


@pytest.mark.parametrize("centre", ["warsaw", "equator-on-180", "north-pole"])
def test_an_annulus_one_metre_wide_stays_one_band(centre):
    lon, lat = CENTRES[centre]
    band = ring(lon, lat, 100.0, min_radius_km=100.0 - geodesy.MIN_RADIUS_KM)
    assert_valid_map_shape(band)
    # Chords of the outer circle may not cut through the band: it stays one piece per side
    # of the antimeridian, and its area is the 1 m strip's.
    assert shapely.get_num_geometries(band) <= 2
    circumference_km = 2 * np.pi * AUTHALIC_RADIUS_KM * np.sin(100.0 / AUTHALIC_RADIUS_KM)
    assert geodesic_area_km2(band) == pytest.approx(circumference_km * 1e-3, rel=0.01)


def test_an_annulus_two_metres_wide_is_whole_on_the_page():
    band = ring(21.01, 52.23, 50.0, min_radius_km=50.0 - 0.002)
    page = rounded(band, PAGE_DECIMALS)
    assert page.geom_type == "Polygon" and len(page.interiors) == 1


@pytest.mark.parametrize(
    "shape",
    [
        Point(21.01, 52.23),
        LineString([(21.0, 52.0), (22.0, 52.5)]),
        box(21.0, 52.0, 22.0, 53.0),
        box(-30.0, 84.0, 30.0, 87.0),
        box(179.0, -10.0, 180.0, 10.0).union(box(-180.0, -10.0, -179.0, 10.0)),
    ],
    ids=["point", "line", "box", "polar-box", "across-180"],
)
def test_the_smallest_buffer_is_valid_and_holds_its_shape(shape):
    grown = buffer(shape, geodesy.MIN_BUFFER_KM)
    assert_valid_map_shape(grown)
    if isinstance(shape, LineString):
        # A line's edges are read as geodesics, which leave the straight lon/lat line by
        # tens of metres here: the buffer covers the geodesic.
        (lon1, lat1), (lon2, lat2) = shape.coords
        along = GEOD.npts(lon1, lat1, lon2, lat2, 50, initial_idx=0, terminus_idx=0)
        assert all(grown.covers(Point(p)) for p in along)
    else:
        assert grown.covers(shape)
    assert not rounded(grown, PAGE_DECIMALS).is_empty


# --- degenerate input: an error that names the minimum -------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ring(0, 0, 0.0005), r"radius_km must be >= 0.001 \(1 m\) .*got 0.0005$"),
        (lambda: ring(0, 0, 1e-6), r"radius_km must be >= 0.001 \(1 m\) .*got 1e-06$"),  # 1 mm
        (
            lambda: ring(0, 0, 100, min_radius_km=100 - 1e-6),
            r"min_radius_km must be >= 0 and at least 0.001 \(1 m\) below radius_km \(100\)",
        ),
        (
            lambda: fan(0, 0, 100, azimuth_deg=0, beam_deg=0.0001),
            r"beam_deg must be >= 0.01, got 0.0001$",
        ),
        (lambda: fan(0, 0, 100, azimuth_deg=0, beam_deg=5e-324), r"beam_deg must be >= 0.01"),
        (
            lambda: fan(0, 0, 0.0001, azimuth_deg=0, beam_deg=10),
            r"radius_km must be >= 0.001 \(1 m\)",
        ),
        (
            lambda: buffer(Point(0, 0), 1e-6),
            r"distance_km must be 0, or >= 0.001 \(1 m\) and <= 5000, got 1e-06$",
        ),
        (lambda: ring(0, 0, float("nan")), r"radius_km must be >= 0.001 .*got nan$"),
    ],
    ids=[
        "half-metre-ring",
        "1-mm-ring",
        "1-mm-annulus",
        "0.0001-deg-fan",
        "beam-that-rounds-to-nothing",
        "10-cm-fan",
        "1-mm-buffer",
        "nan-radius",
    ],
)
def test_degenerate_input_names_the_minimum(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_a_huge_azimuth_still_gives_the_beam_its_width():
    # 1e17 + 0.5 == 1e17 in floating point: taken modulo a turn first, the edges differ.
    sector = fan(21.01, 52.23, 1000.0, azimuth_deg=1e17, beam_deg=1.0)
    same = fan(21.01, 52.23, 1000.0, azimuth_deg=1e17 % 360.0, beam_deg=1.0)
    assert sector.equals(same) and sector.area > 0


def test_a_tiny_circle_is_never_read_as_the_world_minus_a_hole():
    for lon, lat in [(21.01, 52.23), (180.0, 0.0), (0.0, 89.99999)]:
        assert geodesic_area_km2(ring(lon, lat, geodesy.MIN_RADIUS_KM)) < 1e-5
        needle = fan(lon, lat, geodesy.MIN_RADIUS_KM, azimuth_deg=0.0, beam_deg=0.01)
        assert geodesic_area_km2(needle) < 1e-9


# --- the same work done once ---------------------------------------------------------------


def test_rings_are_built_once_and_in_batches_alike():
    lons, lats, radii = (
        [21.01, 180.0, 0.0, 21.01],
        [52.23, -20.0, 90.0, 52.23],
        [4000, 800, 50, 4000],
    )
    batch = rings(lons, lats, radii, min_radius_km=[0, 0, 10, 0])
    assert batch[0] is batch[3]
    singles = [ring(21.01, 52.23, 4000), ring(180.0, -20.0, 800), ring(0, 90, 50, min_radius_km=10)]
    for one, many in zip(singles, batch):
        assert one.equals_exact(many, 0.0)
    assert ring(21.01, 52.23, 4000) is ring(21.01, 52.23, 4000.0)


def test_fans_in_a_batch_are_the_fans_one_by_one():
    from geo.geodesy import _rings

    cases = [  # lon, lat, radius_km, azimuth_deg, beam_deg, min_radius_km
        (21.01, 52.23, 4000, 90, 60, 0),
        (179.9, 10.0, 2500, 45, 120, 0),  # across the antimeridian
        (0.0, 90.0, 500, 10, 30, 100),  # on the pole, annular
        (47.78, 40.88, 6000, 0, 90, 0),  # over the north pole
        (-70.0, -33.0, 1000, 725, 0.01, 0),  # a huge azimuth, the narrowest beam
        (10.0, 0.0, 300, 0, 360, 50),  # a full beam: the annulus
        (21.01, 52.23, 4000, 90, 60, 0),  # again
        (140.0, -60.0, 19_000, 200, 300, 0),  # beyond the farther pole
    ]
    columns = [list(c) for c in zip(*cases)]
    _rings._FANS.clear()
    batch = geodesy.fans(*columns[:5], min_radius_km=columns[5])
    assert batch[0] is batch[6]
    _rings._FANS.clear()
    _rings._RINGS.clear()
    for (lon, lat, radius_km, azimuth, beam, inner), many in zip(cases, batch):
        one = fan(lon, lat, radius_km, azimuth_deg=azimuth, beam_deg=beam, min_radius_km=inner)
        assert one.equals_exact(many, 0.0) and one.is_valid
    with pytest.raises(ValueError, match=r"beam_deg must be >= 0\.01"):
        geodesy.fans([0, 1], [0, 1], 100, 0, [10, 0.001])


def test_links_in_a_batch_are_the_links_one_by_one():
    ends = [
        (-145.73, 63.97, 158.65, 53.02),  # across the antimeridian
        (0.0, 80.0, 180.0, 70.0),  # over the north pole: cut there
        (10.0, 90.0, 20.0, 0.0),  # from a pole
        (0.0, 90.0, 120.0, 90.0),  # one point, spelt twice: no length
        (51.389, 35.689, 21.01, 52.23),
    ]
    batch = geodesic_lines(*np.array(ends).T)
    for (lon1, lat1, lon2, lat2), line in zip(ends, batch):
        assert line.equals_exact(geodesic_line(lon1, lat1, lon2, lat2), 0.0)
    assert batch[3].length == 0.0


def test_rings_check_every_element():
    with pytest.raises(ValueError, match=r"radius_km must be >= 0.001 \(1 m\) .*got 0.0$"):
        rings([0, 10], [0, 10], [100, 0])


# --- links of no length: an error from check, at the link's `to` ---------------------------------------------

LINKS = """
    version: 1
    id: l
    title: L
    group: G
    sources: [{id: s, title: S}]
    features:
      - {id: north-a, kind: site, role: radar, name: A, lat: 90, lon: 0, precision: site, sources: [s]}
      - {id: north-b, kind: site, role: radar, name: B, lat: 90, lon: 120, precision: site, sources: [s]}
      - {id: seam-e, kind: site, role: radar, name: E, lat: 10, lon: 180, precision: site, sources: [s]}
      - id: poles
        kind: link
        name: Pole to pole
        from: north-a
        to: north-b
        sources: [s]
      - id: seam
        kind: link
        name: Over the seam
        from: seam-e
        to: {lat: 10, lon: -180}
        sources: [s]
      - id: self
        kind: link
        name: To itself
        from: seam-e
        to: {lat: 10.0, lon: 180.0}
        sources: [s]
      - {id: fine, kind: link, name: Fine, from: north-a, to: seam-e, sources: [s]}
    """


def test_links_of_no_length_are_problems_at_their_to_key(write_layer):
    path = write_layer(LINKS)
    with pytest.raises(LayerFileError) as caught:
        load_atlas(path.parent)
    # the model's rule and words for two spellings of one place, here at the `to` of links
    # whose ends are sites (whose coordinates the model cannot see)
    allowed = link_ends_problem(90, 0, 90, 120)
    assert allowed is not None and "one place" in allowed
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:14: features[3].to: {allowed}",
        f"{path}:20: features[4].to: {allowed}",
        f"{path}:26: features[5].to: {allowed}",
    ]


def test_check_reports_a_link_of_no_length(write_layer):
    path = write_layer(LINKS)
    result = CliRunner().invoke(cli, ["check", "--layers", str(path.parent)])
    assert result.exit_code == 1
    assert f"Error: {path}:14: features[3].to: {link_ends_problem(90, 0, 90, 120)}\n" in (
        result.output
    )
