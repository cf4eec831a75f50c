"""Tests for geo.reference: name lookups and their errors, geometry validity, the antimeridian
split, the committed data, the base map, and checks against independent Natural Earth polygons
in ../shared/reference (skipped when that folder is absent)."""

from __future__ import annotations

import json
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo import reference
from geo.errors import DefenseMapError, ReferenceLookupError
from geo.reference import _world
from geo.reference._antimeridian import split_polygonal
from geo.reference._topojson import decode_arcs, decode_geometry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from topoencode import Grid, TopologyBuilder  # build-only: it lives beside its script

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
DATA_DIR = Path(reference.__file__).parent
GEOD = Geod(ellps="WGS84")


def area_km2(geom: BaseGeometry) -> float:
    """Geodesic area on WGS84, with rings oriented so that the area comes out positive."""
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))
    return abs(area) / 1e6


def iou(a: BaseGeometry, b: BaseGeometry) -> float:
    """Intersection over union, measured in a Lambert equal-area projection centred on a ∪ b."""
    centre = shapely.union(a, b).centroid
    laea = CRS.from_proj4(f"+proj=laea +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84")
    to_laea = Transformer.from_crs("EPSG:4326", laea, always_xy=True)

    def project(g: BaseGeometry) -> BaseGeometry:
        return shapely.transform(g, lambda xy: np.column_stack(to_laea.transform(*xy.T)))

    pa, pb = project(a), project(b)
    return shapely.intersection(pa, pb).area / shapely.union(pa, pb).area


# --- name lookups -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("POL", "POL"),
        ("pol", "POL"),
        ("Poland", "POL"),
        ("  POLAND ", "POL"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("Moldova", "MDA"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Iran", "IRN"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("turkiye", "TUR"),
        ("United States", "USA"),
        ("USA", "USA"),
        ("U.S.A.", "USA"),
        ("United Kingdom", "GBR"),
        ("643", "RUS"),
        ("Kosovo", "XKX"),
        ("KOS", "XKX"),
        ("Belarus", "BLR"),
        ("Bosnia and Herz.", "BIH"),  # the Natural Earth label works too
    ],
)
def test_resolve_country_accepts_codes_names_and_aliases(name: str, code: str) -> None:
    assert reference.resolve_country(name) == code


def test_country_gives_the_same_cached_shape_for_every_spelling() -> None:
    assert reference.country("Czech Republic") is reference.country("cze")


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Baltic", "Baltic Sea"),
        ("baltic sea", "Baltic Sea"),
        ("Baltic proper", "Baltic Sea (proper)"),
        ("BALTIC SEA (PROPER)", "Baltic Sea (proper)"),
        ("Barents", "Barents Sea"),
        ("sea of azov", "Sea of Azov"),
        ("Azov Sea", "Sea of Azov"),
        ("Med", "Mediterranean Sea"),
        ("gulf of riga", "Gulf of Riga"),
    ],
)
def test_resolve_sea_accepts_names_and_aliases(name: str, canonical: str) -> None:
    assert reference.resolve_sea(name) == canonical


def test_unknown_sea_lists_the_closest_and_all_known_seas() -> None:
    message = (
        r"^unknown sea 'Baltc Sea'; did you mean 'Baltic Sea', 'Baltic Sea \(proper\)'\? "
        r"Known seas: 'Adriatic Sea', 'Aegean Sea', 'Baltic Sea', .*'White Sea'\.$"
    )
    with pytest.raises(ReferenceLookupError, match=message):
        reference.sea("Baltc Sea")


def test_unknown_sea_without_a_close_name_still_lists_the_known_seas() -> None:
    with pytest.raises(
        ReferenceLookupError, match=r"^unknown sea 'Lake Superior'; known seas: 'Adr"
    ):
        reference.resolve_sea("Lake Superior")


def test_unknown_country_suggests_code_and_name() -> None:
    message = (
        r"^unknown country 'Polnad'; did you mean 'POL' \(Poland\)\? "
        r"Use an ISO 3166 alpha-3 code or an English name \(241 known;"
    )
    with pytest.raises(ReferenceLookupError, match=message):
        reference.country("Polnad")


def test_a_name_that_is_not_text_is_refused_clearly() -> None:
    with pytest.raises(ReferenceLookupError, match=r"^country name must be text, got 643 \(int\)$"):
        reference.resolve_country(643)  # type: ignore[arg-type]


def test_lookup_errors_belong_to_the_project_hierarchy() -> None:
    assert issubclass(ReferenceLookupError, DefenseMapError)


def test_every_listed_country_name_resolves_to_its_own_code() -> None:
    names = reference.country_names()
    assert names == sorted(names) and "Poland" in names and len(names) == 241
    codes = {reference.resolve_country(name) for name in names}
    assert len(codes) == len(names)


def test_sea_names_cover_the_required_seas() -> None:
    required = {
        "Barents Sea", "Baltic Sea", "Baltic Sea (proper)", "Gulf of Bothnia", "Gulf of Finland",
        "Gulf of Riga", "Black Sea", "Sea of Azov", "White Sea", "Kara Sea", "Norwegian Sea",
        "North Sea", "Mediterranean Sea",
    }  # fmt: skip
    names = reference.sea_names()
    assert required <= set(names) and names == sorted(names)


# --- geometry -------------------------------------------------------------------------------


def _all_geometries() -> list[tuple[str, BaseGeometry]]:
    data = _world.world()
    shapes = [(f"country {c}", reference.country(c)) for c in data.countries]
    shapes += [(f"sea {s}", reference.sea(s)) for s in data.seas]
    return [*shapes, ("land", reference.land())]


def test_every_geometry_is_valid_polygonal_and_within_lon_lat_range() -> None:
    problems = []
    for label, geom in _all_geometries():
        xmin, ymin, xmax, ymax = geom.bounds
        if geom.is_empty or not geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{label}: {shapely.is_valid_reason(geom)} {geom.geom_type}")
        elif xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
            problems.append(f"{label}: bounds {geom.bounds}")
    assert problems == []


def test_russia_is_split_at_the_antimeridian_and_keeps_its_area() -> None:
    russia = reference.country("RUS")
    parts = shapely.get_parts(russia)
    assert min(p.bounds[0] for p in parts) == -180.0 and max(p.bounds[2] for p in parts) == 180.0
    east_of_180 = [p for p in parts if p.bounds[2] < 0]  # Chukotka beyond 180°E, Wrangel Island
    assert east_of_180 and all(p.bounds[0] >= -180.0 for p in east_of_180)
    # No part may stretch across the map (an unsplit ring would span ~360°).
    assert max(p.bounds[2] - p.bounds[0] for p in parts) < 180.0
    # Natural Earth 1:50m gives Russia (with Crimea) about 16.97 million km².
    assert area_km2(russia) == pytest.approx(16.97e6, rel=0.01)


def test_fiji_is_split_too() -> None:
    fiji = reference.country("Fiji")
    assert fiji.bounds[0] == -180.0 and fiji.bounds[2] == 180.0
    assert area_km2(fiji) == pytest.approx(18_300, rel=0.05)  # Fiji: ~18,300 km² of land


def test_split_polygonal_cuts_a_ring_that_jumps_across_180() -> None:
    ring = shapely.Polygon([(170, 60), (-170, 60), (-170, 70), (170, 70)])
    parts = split_polygonal(ring)
    assert parts.is_valid and parts.bounds == (-180.0, 60.0, 180.0, 70.0)
    assert sorted(round(p.area, 6) for p in shapely.get_parts(parts)) == [100.0, 100.0]


def test_split_polygonal_closes_a_ring_around_the_pole_over_the_pole() -> None:
    ring = shapely.Polygon([(-180, -80), (-60, -75), (60, -75), (180, -80), (-180, -80)])
    assert split_polygonal(ring).bounds == (-180.0, -90.0, 180.0, -75.0)


def test_the_baltic_with_gulfs_is_exactly_its_four_parts() -> None:
    baltic = reference.sea("Baltic Sea")
    parts = [reference.sea(n) for n in ("Baltic proper", "Gulf of Bothnia", "Gulf of Finland")]
    parts.append(reference.sea("Gulf of Riga"))
    assert area_km2(shapely.symmetric_difference(baltic, shapely.union_all(parts))) < 1.0
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            assert area_km2(shapely.intersection(a, b)) < 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Black Sea", "Sea of Azov"),
        ("Black Sea", "Sea of Marmara"),
        ("Barents Sea", "White Sea"),
        ("Barents Sea", "Kara Sea"),
        ("Barents Sea", "Norwegian Sea"),
        ("North Sea", "Norwegian Sea"),
        ("Kattegat", "Baltic Sea"),
        ("Skagerrak", "North Sea"),
    ],
)
def test_neighbouring_seas_touch_without_overlapping(a: str, b: str) -> None:
    sa, sb = reference.sea(a), reference.sea(b)
    assert area_km2(shapely.intersection(sa, sb)) < 1.0
    assert shapely.distance(sa, sb) < 0.01  # they do meet along their shared IHO limit


def test_countries_and_seas_that_are_not_parts_of_one_another_form_coverages() -> None:
    """What `geo.regions` relies on to union named shapes with a coverage union: they meet
    only along shared borders, vertex for vertex (pairs of seas one by one, since a sea and
    its parts overlap by design, and `seas_overlap` names exactly those pairs)."""
    countries = [reference.country(code) for code in _world.world().countries]
    assert shapely.coverage_is_valid(countries)
    names = reference.sea_names()
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            declared = reference.seas_overlap([a, b])
            pair = [reference.sea(a), reference.sea(b)]
            assert shapely.coverage_is_valid(pair) is not declared, (a, b)
            assert (area_km2(shapely.intersection(*pair)) > 1000) is declared, (a, b)


def test_a_union_of_named_shapes_is_the_general_union() -> None:
    from geo.regions import _named_union

    rng = np.random.default_rng(7)
    codes, seas = sorted(_world.world().countries), reference.sea_names()
    picks = [("country", list(rng.choice(codes, size=k, replace=False))) for k in (2, 9, 40)]
    picks += [("sea", list(rng.choice(seas, size=k, replace=False))) for k in (2, 5, 12)]
    picks += [("sea", ["Baltic Sea", "Gulf of Riga", "Black Sea"]), ("country", ["POL", "pol"])]
    picks += [("sea", ["Mediterranean Sea", "Aegean Sea"]), ("sea", seas)]
    for kind, chosen in picks:
        ours = _named_union(kind, tuple(chosen))
        general = shapely.union_all([getattr(reference, kind)(name) for name in chosen])
        assert ours.is_valid and ours.equals(general), (kind, chosen)
        assert shapely.get_num_coordinates(ours) == shapely.get_num_coordinates(general)


def test_the_mediterranean_contains_the_adriatic_and_the_aegean() -> None:
    med = reference.sea("Mediterranean Sea")
    for name in ("Adriatic Sea", "Aegean Sea"):
        assert area_km2(shapely.difference(reference.sea(name), med)) < 1.0


def test_seas_are_water_inside_their_authored_limits() -> None:
    limits = json.loads((DATA_DIR / "sea_limits.geojson").read_text(encoding="utf-8"))
    land = reference.land()
    for feature in limits["features"]:
        water = reference.sea(feature["properties"]["name"])
        limit = shapely.segmentize(shape(feature["geometry"]), 0.25)
        assert area_km2(shapely.difference(water, limit.buffer(0.01))) < 1.0
        # Sea polygons end at the same 1:50m coast as the land (shared arcs): no overlap.
        assert area_km2(shapely.intersection(water, land)) < 1.0


@pytest.mark.parametrize(
    ("sea", "lat", "lon"),
    [
        ("Baltic Sea (proper)", 54.6, 18.9),  # Gulf of Gdańsk
        ("Gulf of Riga", 58.75, 23.25),  # Moonsund, inside the IHO Gulf of Riga
        ("Kattegat", 55.6, 10.9),  # Great Belt, north of the IHO Baltic limit
        ("Sea of Azov", 45.35, 36.6),  # Kerch Strait, north of Cape Takil
        ("Black Sea", 44.9, 36.6),  # just south of the Kerch line
        ("Barents Sea", 70.7, 26.0),  # Porsangerfjord, east of North Cape
        ("Norwegian Sea", 70.5, 21.0),  # west of North Cape
        ("White Sea", 67.0, 41.5),  # Voronka, south of the Svyatoy Nos–Kanin Nos line
    ],
)
def test_points_fall_in_the_right_sea(sea: str, lat: float, lon: float) -> None:
    point = shapely.Point(lon, lat)
    assert reference.sea(sea).contains(point)
    others = [s for s in reference.sea_names() if reference.sea(s).contains(point)]
    assert set(others) <= {sea, "Baltic Sea", "Mediterranean Sea"}


def test_committed_files_are_compact() -> None:
    sizes = {p.name: p.stat().st_size for p in DATA_DIR.glob("*.*json")}
    assert set(sizes) == {"world.topo.json", "sea_limits.geojson"}
    assert sum(sizes.values()) < 1_000_000


def test_lookup_is_fast_once_loaded() -> None:
    for fn in (_world.world, _world.sea_geometry, _world.country_geometry, _world.land_geometry):
        fn.cache_clear()
    start = time.perf_counter()
    reference.sea("Baltic Sea")
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(100):
        reference.sea("Baltic Sea")
    cached = (time.perf_counter() - start) / 100
    assert first < 2.0 and cached < 0.001, (first, cached)


# --- base map -------------------------------------------------------------------------------


def test_basemap_has_valid_land_borders_and_labelled_disjoint_seas() -> None:
    frames = reference.basemap()
    assert set(frames) == {"land", "borders", "seas"}
    for frame in frames.values():
        assert frame.crs == "EPSG:4326" and frame.geometry.is_valid.all()
    borders, seas = frames["borders"], frames["seas"]
    assert ("BLR", "POL") in set(zip(borders.country_a, borders.country_b, strict=True))
    assert (borders.country_a < borders.country_b).all()  # each border once, two countries
    assert "Baltic Sea" not in set(seas.name) and "Baltic Sea (proper)" in set(seas.name)
    for row in seas.itertuples():
        assert row.geometry.contains(shapely.Point(row.label_lon, row.label_lat)), row.name
    med, adriatic = (
        seas.set_index("name").geometry[n] for n in ("Mediterranean Sea", "Adriatic Sea")
    )
    assert area_km2(shapely.intersection(med, adriatic)) < 1.0


def test_basemap_is_simplified_and_clips_to_a_bbox() -> None:
    bbox = (10.0, 50.0, 30.0, 60.0)
    full = reference.basemap(tolerance_deg=0)["land"].geometry[0]
    frames = reference.basemap(tolerance_deg=0.05, bbox=bbox)
    light = frames["land"].geometry[0]
    assert len(shapely.get_coordinates(light)) < len(shapely.get_coordinates(full)) / 5
    for frame in frames.values():
        assert frame.geometry.within(shapely.box(*bbox).buffer(1e-9)).all()
    assert set(frames["seas"].name) >= {"Baltic Sea (proper)", "Gulf of Riga"}


def test_basemap_refuses_a_negative_tolerance() -> None:
    with pytest.raises(ValueError, match=r"^tolerance_deg must be >= 0, got -1$"):
        reference.basemap(tolerance_deg=-1)


# --- the TopoJSON encoder and decoder --------------------------------------------------------


def test_topology_round_trip_stores_a_shared_border_once() -> None:
    left, right, island = shapely.box(0, 0, 2, 2), shapely.box(2, 0, 4, 2), shapely.box(8, 8, 9, 9)
    builder = TopologyBuilder(Grid(scale=(0.5, 0.5), translate=(0.0, 0.0)))
    for name, geom in (("left", left), ("right", right), ("island", island)):
        builder.add("shapes", geom, {"name": name}, id=name)
    topology = json.loads(json.dumps(builder.to_topojson()))
    arcs = decode_arcs(topology)
    objects = topology["objects"]["shapes"]["geometries"]
    for obj, expected in zip(objects, (left, right, island), strict=True):
        assert decode_geometry(arcs, obj).normalize().equals(expected.normalize())
    # the edge x = 2 is one arc, forward in one square and reversed (~i) in the other
    assert len(topology["arcs"]) == 4
    left_refs, right_refs = set(objects[0]["arcs"][0]), set(objects[1]["arcs"][0])
    assert any(~ref in right_refs for ref in left_refs)


# --- independent checks against Natural Earth 4.0.0 (tests only) ------------------------------


@cache
def natural_earth(name: str) -> list[dict]:
    path = REFERENCE_DIR / name
    if not path.exists():
        pytest.skip(f"Natural Earth reference polygons not found at {path} (tests only)")
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def natural_earth_sea(*names: str) -> BaseGeometry:
    """Union of the named NE marine polygons: 1:50m, or 1:10m for those not in the 50m file."""
    shapes = []
    for name in names:
        for res in ("50m", "10m"):
            found = [f for f in natural_earth(f"ne_{res}_seas_subset.geojson")
                     if f["properties"]["name_norm"] == name]  # fmt: skip
            if found:
                shapes += [shape(f["geometry"]) for f in found]
                break
        else:
            raise AssertionError(f"{name} is in neither NE file")
    return shapely.union_all(shapes)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Barents Sea", ("Barents Sea",)),
        ("Baltic Sea", ("Baltic Sea", "Gulf of Bothnia", "Gulf of Finland", "Gulf of Riga")),
        ("Black Sea", ("Black Sea",)),
    ],
)
def test_sea_matches_natural_earth(ours: str, theirs: tuple[str, ...]) -> None:
    expected = natural_earth_sea(*theirs)
    mine = reference.sea(ours)
    assert area_km2(mine) == pytest.approx(area_km2(expected), rel=0.05)
    assert iou(mine, expected) >= 0.85


@pytest.mark.parametrize("code", ["POL", "CZE", "BLR", "UKR", "RUS", "IRN", "FRA", "NOR", "MDA"])
def test_country_area_matches_natural_earth(code: str) -> None:
    # NE 4.0.0 gives ISO_A3 "-99" for France and Norway: ADM0_A3 is the reliable code.
    features = natural_earth("ne_50m_countries_subset.geojson")
    expected = [shape(f["geometry"]) for f in features if f["properties"]["ADM0_A3"] == code]
    assert len(expected) == 1
    assert area_km2(reference.country(code)) == pytest.approx(area_km2(expected[0]), rel=0.02)


def test_arcs_with_a_third_value_per_position_decode_like_plain_ones():
    from geo.reference._topojson import decode_arcs

    plain = {"transform": {"scale": [0.5, 0.25], "translate": [-10, 40]},
             "arcs": [[[2, 4], [1, 0]], [[0, -4], [3, 3], [1, 1]]]}  # fmt: skip
    tall = {**plain, "arcs": [[[*pos, 7] for pos in arc] for arc in plain["arcs"]]}
    want = [arc.tolist() for arc in decode_arcs(plain)]
    assert want == [[[-9.0, 41.0], [-8.5, 41.0]], [[-10.0, 39.0], [-8.5, 39.75], [-8.0, 40.0]]]
    assert [arc.tolist() for arc in decode_arcs(tall)] == want
