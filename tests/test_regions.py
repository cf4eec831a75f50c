"""Regions made of real countries and named seas: set algebra, buffers, clipping, errors."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point

import geo.regions
from geo.atlas import load_atlas
from geo.errors import LayerFileError
from geo.regions import ShapeError, build_shape, describe_shape
from geo.schema import Shape

REPO = Path(__file__).resolve().parents[1]
GEOD = Geod(ellps="WGS84")


def shape(**keys) -> Shape:
    return Shape.model_validate(keys)


def test_doctests_pass():
    assert doctest.testmod(geo.regions).failed == 0


def test_the_shipped_eastern_sector_covers_the_named_seas_and_states_only():
    atlas = load_atlas(REPO / "layers")
    layer = next(layer for layer in atlas.layers if layer.id == "russia-sectoral-2011")
    sector = layer.features.set_index("id").loc["eastern-sector"]
    inside = {
        "Barents Sea": (40.0, 72.0),
        "Baltic proper": (19.0, 57.0),
        "Gulf of Bothnia": (20.0, 62.5),
        "Black Sea": (34.0, 43.0),
        "Minsk": (27.56, 53.9),
        "Kyiv": (30.52, 50.45),
        "Chisinau": (28.86, 47.01),
        "Vilnius": (25.28, 54.69),
        "Moscow": (37.62, 55.76),
        "White Sea": (38.0, 65.5),  # no source leaves the seas bordering Russia out
        "Sea of Azov": (36.5, 46.0),
    }
    outside = {
        "Warsaw": (21.01, 52.23),
        "Helsinki": (24.94, 60.17),
        "North Sea": (4.0, 56.0),
        "Novosibirsk": (82.9, 55.0),
        "Kara Sea": (70.0, 75.0),
    }
    for name, (lon, lat) in inside.items():
        assert sector.geometry.contains(Point(lon, lat)), name
    for name, (lon, lat) in outside.items():
        assert not sector.geometry.contains(Point(lon, lat)), name
    assert sector.derivation.startswith(
        "union of (seas: Barents Sea, White Sea, Baltic Sea, Black Sea, Sea of Azov; countries: "
        "BLR, UKR, MDA, EST, LVA, LTU; intersection of (countries: RUS; a drawn polygon of 4 "
        "points))"
    )


def test_clip_keeps_only_water_or_only_land():
    coast = shape(countries=["Poland"], buffer_km=40)
    sea_part = build_shape(shape(countries=["Poland"], buffer_km=40, clip="sea"))
    land_part = build_shape(shape(countries=["Poland"], buffer_km=40, clip="land"))
    gdansk_bay, warsaw, kaliningrad = Point(19.0, 54.6), Point(21.01, 52.23), Point(20.5, 54.7)
    assert sea_part.contains(gdansk_bay) and not sea_part.contains(warsaw)
    assert land_part.contains(warsaw) and not land_part.contains(gdansk_bay)
    assert land_part.contains(kaliningrad)  # the buffer reaches into Russia's exclave
    assert sea_part.intersection(land_part).area < 1e-9
    assert abs(sea_part.area + land_part.area - build_shape(coast).area) < 1e-6


def test_buffer_is_geodesic_in_kilometres():
    square = shape(
        polygon=[
            {"lat": 60, "lon": 20},
            {"lat": 61, "lon": 20},
            {"lat": 61, "lon": 22},
            {"lat": 60, "lon": 22},
        ],
        buffer_km=100,
    )
    grown = build_shape(square)
    # 100 km east of the east edge at 60.5° N, and just beyond it
    lon_in, lat_in, _ = GEOD.fwd(22.0, 60.5, 90.0, 99_000)
    lon_out, lat_out, _ = GEOD.fwd(22.0, 60.5, 90.0, 101_000)
    assert grown.contains(Point(lon_in, lat_in))
    assert not grown.contains(Point(lon_out, lat_out))


def test_difference_and_intersection():
    box = [
        {"lat": 40, "lon": 20},
        {"lat": 60, "lon": 20},
        {"lat": 60, "lon": 40},
        {"lat": 40, "lon": 40},
    ]
    only_ukraine_sea = build_shape(shape(intersection=[{"seas": ["Black Sea"]}, {"polygon": box}]))
    assert only_ukraine_sea.contains(Point(31.0, 45.0))
    assert not only_ukraine_sea.contains(Point(41.0, 42.0))  # east of 40° E
    without_belarus = build_shape(shape(difference=[{"polygon": box}, {"countries": ["BLR"]}]))
    assert not without_belarus.contains(Point(27.56, 53.9))
    assert without_belarus.contains(Point(30.52, 50.45))


def test_unknown_names_are_errors_with_suggestions():
    with pytest.raises(ShapeError) as caught:
        build_shape(shape(union=[{"seas": ["Black Sea", "Baltc Sea"]}]))
    assert caught.value.path == ("union", 0, "seas", 1)
    assert caught.value.problem == "unknown sea 'Baltc Sea'"
    assert caught.value.allowed.startswith("did you mean 'Baltic Sea', 'Baltic Sea (proper)'?")


def test_unknown_country_in_a_layer_file_names_file_line_and_key(write_layer):
    path = write_layer("""
        version: 1
        id: l
        title: L
        group: G
        sources: [{id: s, title: S}]
        features:
          - id: r
            kind: region
            name: R
            shape:
              union:
                - countries: [POL, Belarus, Ukrane]
            sources: [s]
        """)
    with pytest.raises(LayerFileError) as caught:
        load_atlas(path.parent)
    (problem,) = caught.value.problems
    assert (problem.line, problem.path) == (12, "features[0].shape.union[0].countries[2]")
    assert problem.problem == "unknown country 'Ukrane'"
    assert "did you mean 'UKR' (Ukraine)?" in problem.allowed


def test_describe_shape_says_how_it_was_made():
    text = describe_shape(
        shape(
            difference=[{"countries": ["RUS"]}, {"seas": ["Black Sea"]}], buffer_km=20, clip="land"
        )
    )
    assert text == (
        "difference of (countries: RUS; seas: Black Sea), widened by 20 km (geodesic), land only"
    )


def test_the_2011_russian_system_leaves_crimea_to_ukraine():
    atlas = load_atlas(REPO / "layers")
    layer = next(layer for layer in atlas.layers if layer.id == "nato-two-systems-2011")
    russia = layer.features.set_index("id").loc["russia-own-system-2011"].geometry
    simferopol, taman, kaliningrad = Point(34.1, 44.95), Point(36.9, 45.2), Point(20.5, 54.7)
    assert not russia.contains(simferopol)
    assert russia.contains(taman) and russia.contains(kaliningrad)


def test_buffer_of_a_drawn_polygon_is_even_on_every_side():
    box = [{"lat": 60, "lon": 0}, {"lat": 70, "lon": 0}, {"lat": 70, "lon": 20},
           {"lat": 60, "lon": 20}]  # fmt: skip
    grown = build_shape(shape(polygon=box, buffer_km=50))
    for lon, lat, azimuth in ((10.0, 60.0, 180.0), (10.0, 70.0, 0.0), (20.0, 65.0, 90.0)):
        near = GEOD.fwd(lon, lat, azimuth, 49_000)
        far = GEOD.fwd(lon, lat, azimuth, 51_000)
        assert grown.contains(Point(near[0], near[1])), (lon, lat)
        assert not grown.contains(Point(far[0], far[1])), (lon, lat)


def test_a_drawn_polygon_across_the_antimeridian_takes_the_short_way():
    bering = build_shape(
        shape(
            polygon=[
                {"lat": 55, "lon": 165},
                {"lat": 66, "lon": 165},
                {"lat": 66, "lon": -165},
                {"lat": 55, "lon": -165},
            ]
        )
    )
    assert bering.contains(Point(179.5, 60)) and bering.contains(Point(-179.5, 60))
    assert not bering.contains(Point(0, 60))


def test_an_empty_region_is_an_error(write_layer):
    path = write_layer("""
        version: 1
        id: l
        title: L
        group: G
        sources: [{id: s, title: S}]
        features:
          - id: r
            kind: region
            name: R
            shape:
              intersection:
                - countries: [POL]
                - countries: [ESP]
            sources: [s]
        """)
    with pytest.raises(LayerFileError) as caught:
        load_atlas(path.parent)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:10: features[0].shape: the shape is empty; check that an intersection's parts "
        "overlap and that a difference leaves something"
    ]


def test_shape_problems_are_reported_with_schema_problems_of_other_files(write_layer):
    write_layer("version: 1\nid: a\ntitle: A\ngroup: G\nfeatures: 5\n", name="a.yaml")
    path = write_layer(
        """
        version: 1
        id: b
        title: B
        group: G
        sources: [{id: s, title: S}]
        features:
          - {id: r, kind: region, name: R, shape: {seas: [Blak Sea]}, sources: [s]}
        """,
        name="b.yaml",
    )
    with pytest.raises(LayerFileError) as caught:
        load_atlas(path.parent)
    found = [(Path(p.file).name, p.path) for p in caught.value.problems]
    assert found == [("a.yaml", "features"), ("b.yaml", "features[0].shape.seas[0]")]


def _doubling_back(geometry) -> list[tuple[float, float]]:
    """Vertices where an outline turns back on itself: the tips of cracks of no width."""
    tips = []
    for polygon in shapely.get_parts(geometry):
        for ring in shapely.get_rings(polygon):
            xy = np.asarray(ring.coords)[:-1]
            back, ahead = np.roll(xy, 1, axis=0) - xy, np.roll(xy, -1, axis=0) - xy
            turn = np.arctan2(
                back[:, 0] * ahead[:, 1] - back[:, 1] * ahead[:, 0], (back * ahead).sum(axis=1)
            )
            # a crack's arms part by less than a millimetre (1e-8°) over their length
            arm = np.minimum(np.hypot(*back.T), np.hypot(*ahead.T))
            tips += [tuple(p) for p in xy[(np.abs(turn) < 0.01) & (arm * np.abs(turn) < 1e-8)]]
    return tips


def test_the_eastern_sector_has_no_cracks_where_russia_is_cut_at_60e():
    atlas = load_atlas(REPO / "layers")
    layer = next(layer for layer in atlas.layers if layer.id == "russia-sectoral-2011")
    sector = layer.features.set_index("id").loc["eastern-sector"].geometry
    assert sector.is_valid
    # The exact union left three zero-width cracks into the outline along 60° E, where
    # Russia's cut meets the Barents Sea and an island of Franz Josef Land.
    assert _doubling_back(sector) == []
    assert shapely.union_all(shapely.get_parts(sector)).equals(sector)
    holes = [shapely.Polygon(h) for p in shapely.get_parts(sector) for h in p.interiors]
    assert min(h.area for h in holes) >= 1e-6  # islands left out, no slivers between parts


def test_doubling_back_finds_a_crack():
    # A coast edge from A to B, and the outline coming back from B to where A-B crosses 60° E
    a, b = np.array([60.036, 75.98376222]), np.array([59.7803978, 75.94557015])
    on_edge = a + (60.0 - a[0]) / (b[0] - a[0]) * (b - a)

    def outline(tip_lat_offset: float) -> shapely.Polygon:
        c = on_edge + np.array([0.0, tip_lat_offset])
        return shapely.Polygon([(59, 75), (60.036, 75), tuple(a), tuple(b), tuple(c), (59, 76)])

    assert len(_doubling_back(outline(0.0))) == 1  # a crack of no width
    assert _doubling_back(outline(-1e-6)) == []  # a notch 10 cm wide is drawn as it is


def test_a_shape_is_built_once():
    first = build_shape(shape(seas=["Black Sea"], buffer_km=20))
    assert build_shape(shape(seas=["Black Sea"], buffer_km=20)) is first
    assert build_shape(shape(seas=["Black Sea"], buffer_km=21)) is not first


def test_regions_lie_on_the_snapping_grid():
    region = build_shape(shape(union=[{"seas": ["Black Sea"]}, {"countries": ["UKR"]}]))
    xy = shapely.get_coordinates(region)
    assert (
        np.abs(xy / geo.regions.SNAP_GRID_DEG - np.round(xy / geo.regions.SNAP_GRID_DEG)).max()
        < 1e-3
    )
