"""The layer model: what validates, and the exact words of every error."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import re
import unicodedata
from pathlib import Path

import jsonschema
import pytest
import yaml

import geo.errors
import geo.schema
import geo.yamlio
from geo.errors import LayerFileError
from geo.reference import _world
from geo.reference._names import normalize
from geo.schema import (
    COLOR_PATTERN,
    DASH_PATTERN,
    DATE_PATTERN,
    ID_PATTERN,
    PLACE_KINDS,
    URL_PATTERN,
    json_schema,
    place_name_pattern,
    place_spellings,
    validate_document,
)
from geo.yamlio import parse_yaml

HEADER = """\
version: 1
id: test-layer
title: Test layer
group: Tests
sources:
  - {id: src, title: A source}
features:
"""


def problems(text: str) -> list[str]:
    """Validate layer text and return its error lines (empty when valid)."""
    try:
        validate_document(parse_yaml(text, "t.yaml"))
    except LayerFileError as exc:
        return [str(p) for p in exc.problems]
    return []


def site(**overrides: object) -> str:
    fields = {
        "id": "s1",
        "kind": "site",
        "name": "S",
        "role": "radar",
        "lat": 50,
        "lon": 10,
        "precision": "site",
        "sources": "[src]",
    }
    fields.update(overrides)
    lines = [f"    {k}: {v}" for k, v in fields.items() if v is not None]
    return HEADER + "  -\n" + "\n".join(lines) + "\n"


def test_a_complete_site_is_valid():
    assert problems(site()) == []


def test_doctests_of_the_model_modules_pass():
    for module in (geo.errors, geo.yamlio, geo.schema):
        assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"lat": 95},
            "t.yaml:13: features[0].lat: 95 is out of range; expected a latitude from -90 to 90",
        ),
        (
            {"lon": -181},
            "t.yaml:14: features[0].lon: -181 is out of range; "
            "expected a longitude from -180 to 180",
        ),
        ({"lat": '"north"'}, "t.yaml:13: features[0].lat: got 'north' (text); expected a number"),
        (
            {"role": "radr"},
            "t.yaml:12: features[0].role: 'radr' is not allowed; did you mean "
            "'radar'? expected one of 'radar', 'interceptors', 'command', "
            "'launch', 'naval', 'city', 'other'",
        ),
        (
            {"precision": None},
            "t.yaml:9: features[0]: missing required key 'precision'; a site "
            "needs: id, name, kind, role, lat, lon, precision",
        ),
        (
            {"id": '"Bad Id"'},
            "t.yaml:9: features[0].id: 'Bad Id' is not a valid id; use "
            "lower-case letters, digits, - and _",
        ),
    ],
)
def test_site_errors_name_line_path_value_and_what_is_allowed(override, expected):
    assert problems(site(**override)) == [expected]


def test_unknown_key_suggests_the_closest_one():
    text = site(lattitude=50, lat=None)
    found = problems(text)
    assert (
        "t.yaml:16: features[0].lattitude: unknown key; did you mean 'lat'? allowed keys "
        "here: aliases, description, id, kind, lat, lon, name, parameters, period, precision, "
        "role, sources, status, uncertainty"
    ) in found
    assert any("missing required key 'lat'" in p for p in found)


def test_unknown_kind_suggests_the_closest_one():
    found = problems(HEADER + "  - {id: r, kind: rnage, name: R}\n")
    assert found == [
        "t.yaml:8: features[0].kind: 'rnage' is not a feature kind; did you mean "
        "'range'? expected one of 'site', 'region', 'range', 'link'"
    ]


def test_every_problem_of_a_file_is_reported_at_once():
    text = (
        HEADER
        + """\
  - {id: a, kind: site, name: A, role: radar, lat: 91, lon: 10, precision: site}
  - {id: b, kind: range, name: B, around: a, radius_km: -5}
  - {id: c, kind: range, name: C, around: a, radius_km: 50000}
  - {id: d, kind: link, name: D, from: a, to: 5}
"""
    )
    assert problems(text) == [
        "t.yaml:8: features[0].lat: 91 is out of range; expected a latitude from -90 to 90",
        "t.yaml:9: features[1].radius_km: -5 is out of range; expected a distance in km, more "
        "than 0 and at most 19500",
        "t.yaml:10: features[2].radius_km: 50000 is out of range; expected a distance in km, "
        "more than 0 and at most 19500",
        "t.yaml:11: features[3].to: 5 is not a site id or a point; write a site id or {lat:, lon:}",
    ]


def test_range_consistency_rules():
    both = HEADER + (
        "  - {id: r, kind: range, name: R, around: a, center: {lat: 1, lon: 2}, radius_km: 10}\n"
    )
    assert problems(both) == [
        "t.yaml:8: features[0]: give exactly one of 'around' (a site id) or 'center' ({lat:, lon:})"
    ]
    inner = HEADER + (
        "  - {id: r, kind: range, name: R, around: a, radius_km: 10, min_radius_km: 10}\n"
    )
    assert problems(inner) == [
        "t.yaml:8: features[0]: min_radius_km (10) must be less than radius_km (10)"
    ]
    fan = HEADER + "  - {id: r, kind: range, name: R, around: a, radius_km: 10, beam_deg: 90}\n"
    assert problems(fan) == [
        "t.yaml:8: features[0]: a radar fan needs both azimuth_deg and beam_deg"
    ]


def test_shape_needs_exactly_one_operand_and_enough_points():
    two = (
        HEADER
        + "  - id: g\n    kind: region\n    name: G\n    shape: {countries: [POL], seas: [Black Sea]}\n"
    )
    assert problems(two) == [
        "t.yaml:11: features[0].shape: a shape needs exactly one of "
        "polygon, union, intersection, difference, countries, seas "
        "(found countries, seas)"
    ]
    short = HEADER + (
        "  - id: g\n    kind: region\n    name: G\n    shape: {polygon: [{lat: 1, lon: 2}]}\n"
    )
    assert problems(short) == [
        "t.yaml:11: features[0].shape.polygon: got 1 items; expected at least 3 items"
    ]


def test_style_errors():
    text = HEADER.replace("features:", "features: []").replace(
        "features: []", 'style: {color: red, dash: "6-4", fill_opacity: 2}\nfeatures: []'
    )
    assert problems(text) == [
        "t.yaml:7: style.color: 'red' is not a colour; write #rrggbb, e.g. '#b03a2e'",
        "t.yaml:7: style.dash: '6-4' is not a dash pattern; write numbers such as '6 4'",
        "t.yaml:7: style.fill_opacity: 2 is out of range; expected a number from 0 to 1",
    ]


def test_dates_urls_and_version():
    text = (
        HEADER.replace("features:", "features: []")
        .replace("version: 1", "version: 2")
        .replace(
            "  - {id: src, title: A source}",
            "  - {id: src, title: A source, date: 07/10/2007, url: 'javascript:alert(1)'}",
        )
    )
    assert problems(text) == [
        "t.yaml:1: version: 2 is not allowed; expected one of '1'",
        "t.yaml:6: sources[0].date: '07/10/2007' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD with a real month and day",
        "t.yaml:6: sources[0].url: 'javascript:alert(1)' is not a web address; use an http:// "
        "or https:// URL",
    ]


def test_file_that_is_not_a_mapping():
    assert problems("- a\n- b\n") == [
        "t.yaml:1: got ['a', 'b'] (a list); a layer file is a mapping with version, id, title, ..."
    ]
    assert problems("") == [
        "t.yaml:1: got an empty file; a layer file is a mapping with version, id, title, ..."
    ]


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(
        LayerFileError,
        match=r"^t\.yaml:3: YAML syntax error: .*; check "
        r"indentation, colons and quotes$",
    ):
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "t.yaml")


def test_yaml_tags_are_refused_as_code():
    with pytest.raises(
        LayerFileError,
        match=r"t\.yaml:1: a: the tag .*python/object.* is not "
        r"allowed; layer files are plain data",
    ):
        parse_yaml("a: !!python/object:os.system {}\n", "t.yaml")


def test_yaml_alias_bombs_are_bounded():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    with pytest.raises(
        LayerFileError, match=r"aliases repeat more than [\d,]+ values \(\*d repeats 11,111\)"
    ):
        parse_yaml("\n".join(lines) + "\n", "t.yaml")


def test_duplicate_keys_are_refused():
    with pytest.raises(
        LayerFileError,
        match=r"t\.yaml:2: lat: this key appears twice; each "
        r"key once per mapping",
    ):
        parse_yaml("lat: 1\nlat: 2\n", "t.yaml")


def test_json_schema_accepts_the_shipped_layers_and_rejects_bad_ones():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    shipped = sorted(Path(__file__).resolve().parents[1].joinpath("layers").glob("*.yaml"))
    assert shipped
    for path in shipped:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))
        assert list(validator.iter_errors(data)) == [], path.name
    bad = yaml.safe_load(site(lat=95))
    found = [sub.validator for e in validator.iter_errors(bad) for sub in e.context or [e]]
    assert "maximum" in found


def test_impossible_dates_quoted_or_not_are_errors():
    text = HEADER + (
        "  - {id: a, kind: site, name: A, role: radar, lat: 1, lon: 2, precision: site,\n"
        "     period: {from: 2011-02-30, to: '2011-13'}}\n"
    )
    assert problems(text) == [
        "t.yaml:9: features[0].period.from: '2011-02-30' is not a date; write YYYY, YYYY-MM or "
        "YYYY-MM-DD with a real month and day",
        "t.yaml:9: features[0].period.to: '2011-13' is not a date; write YYYY, YYYY-MM or "
        "YYYY-MM-DD with a real month and day",
    ]


def test_period_must_run_forwards():
    text = HEADER.replace("features:", "period: {from: 2011-05, to: 2009}\nfeatures: []")
    assert problems(text) == ["t.yaml:7: period: 'to' (2009) is before 'from' (2011-05); swap them"]


def test_a_link_needs_two_places():
    text = HEADER + "  - {id: l, kind: link, name: L, from: a, to: a}\n"
    assert problems(text) == [
        "t.yaml:8: features[0]: a link needs two different places; 'from' and 'to' are the same"
    ]


def test_numbers_are_never_read_out_of_text():
    assert problems(site(lat='"54"')) == [
        "t.yaml:13: features[0].lat: got '54' (text); expected a number"
    ]


def test_a_feature_that_is_not_a_mapping():
    assert problems(HEADER + "  - 5\n") == [
        "t.yaml:8: features[0]: got 5 (a number); expected a mapping with kind, id, name, ..."
    ]


def test_a_wrong_literal_does_not_suggest_itself():
    text = HEADER.replace("version: 1", 'version: "1"').replace("features:", "features: []")
    assert problems(text) == ["t.yaml:1: version: '1' is not allowed; expected one of '1'"]


def test_a_file_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\ntitle: K\xfcrecik\n".encode("latin-1"))
    with pytest.raises(
        LayerFileError,
        match=r"latin1\.yaml:2: byte 0xfc is not UTF-8 text; "
        r"save the file as UTF-8$",
    ):
        geo.yamlio.read_yaml(path)


# --- check and the JSON Schema say the same ------------------------------------------------


def schema_error_paths(data: object) -> set[str]:
    """Where python-jsonschema finds errors in `data`, written like check's key paths."""
    validator = jsonschema.Draft202012Validator(json_schema())
    found = set()
    pending = list(validator.iter_errors(data))
    while pending:
        error = pending.pop()
        found.add(geo.yamlio.format_path(tuple(error.absolute_path)))
        pending += error.context or []
    return found


def test_a_trailing_newline_is_refused_by_check_and_by_the_schema():
    text = """\
version: 1
id: "abc\\n"
title: T
group: G
style: {color: "#aabbcc\\n", dash: "6 4\\n"}
sources:
  - {id: src, title: S, date: "2011\\n", url: "https://example.org/\\n"}
features: []
"""
    assert problems(text) == [
        "t.yaml:2: id: 'abc\\n' is not a valid id; use lower-case letters, digits, - and _",
        "t.yaml:5: style.color: '#aabbcc\\n' is not a colour; write #rrggbb, e.g. '#b03a2e'",
        "t.yaml:5: style.dash: '6 4\\n' is not a dash pattern; write numbers such as '6 4'",
        "t.yaml:7: sources[0].date: '2011\\n' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD with a real month and day",
        "t.yaml:7: sources[0].url: 'https://example.org/\\n' is not a web address; use an http:// or https:// URL",
    ]
    found = schema_error_paths(yaml.safe_load(text))
    assert {"id", "style.color", "style.dash", "sources[0].date", "sources[0].url"} <= found
    assert problems(text.replace("\\n", "")) == []


def test_the_schema_patterns_are_the_checks_and_read_alike_in_python_and_ecma():
    for pattern in (ID_PATTERN, COLOR_PATTERN, DASH_PATTERN, URL_PATTERN, DATE_PATTERN):
        assert pattern.startswith("^(?:") and pattern.endswith(")$(?!\\n)")
        assert "\\d" not in pattern and "\\s" not in pattern  # Unicode-wide in Python only
    site_id = json_schema()["$defs"]["Site"]["properties"]["id"]
    assert site_id["pattern"] == ID_PATTERN
    assert site_id["patternErrorMessage"] == (
        "not a valid id; use lower-case letters, digits, - and _"
    )


def test_version_true_is_not_version_1():
    text = HEADER.replace("version: 1", "version: true").replace("features:", "features: []")
    assert problems(text) == ["t.yaml:1: version: True is not allowed; expected one of '1'"]


def test_dash_digits_are_0_to_9():
    text = HEADER.replace("features:", 'style: {dash: "\u0666 \u0664"}\nfeatures: []')
    assert problems(text) == [
        "t.yaml:7: style.dash: '\u0666 \u0664' is not a dash pattern; write numbers such as '6 4'"
    ]


def test_the_date_pattern_agrees_with_the_calendar():
    pattern = re.compile(DATE_PATTERN)
    for year in (0, 1, 4, 100, 400, 999, 1900, 1999, 2000, 2011, 2012, 2100, 2400, 9996, 9999):
        for month in range(14):
            text = f"{year:04d}-{month:02d}"
            assert bool(pattern.match(text)) == (year > 0 and 1 <= month <= 12), text
            for day in range(33):
                try:
                    real = bool(dt.date(year, month, day))
                except ValueError:
                    real = False
                assert bool(pattern.match(f"{text}-{day:02d}")) == real, f"{text}-{day:02d}"
    assert [bool(pattern.match(t)) for t in ("2011", "0000", "20111", "2011-1", "\u0662011")] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_a_url_has_no_space_of_python_or_of_ecma_262():
    pattern = re.compile(URL_PATTERN)
    assert pattern.match("https://ru.wikipedia.org/wiki/Радар?a=1&b=2#x")
    spaces = [chr(c) for c in range(0x10000) if chr(c).isspace()] + ["\ufeff", "\x00", "\x7f"]
    for space in spaces:
        assert not pattern.match(f"https://example.org/a{space}b"), hex(ord(space))
    for bad in ('https://a.org/"x', "https://a.org/<x>", "HTTPS://a.org/", "ftp://a.org/"):
        assert not pattern.match(bad), bad


def region(shape: str) -> str:
    return HEADER + f"  - {{id: g, kind: region, name: G, sources: [src], shape: {shape}}}\n"


def test_a_known_place_in_letters_the_schema_cannot_say_is_refused():
    assert problems(region("{countries: [POL, \uff30\uff2f\uff2c]}")) == [
        "t.yaml:8: features[0].shape.countries[1]: '\uff30\uff2f\uff2c' writes 'POL' (Poland) "
        "with characters the layer model does not accept; write its code or a listed name: "
        "letter case, dots and extra spaces do not matter, and accents may be left out"
    ]
    assert problems(region('{seas: ["Black\\tSea"]}')) == [
        "t.yaml:8: features[0].shape.seas[0]: 'Black\\tSea' writes 'Black Sea' with characters "
        "the layer model does not accept; write its code or a listed name: letter case, dots "
        "and extra spaces do not matter, and accents may be left out"
    ]
    # an unknown name passes here: building the shape reports it, with suggestions
    assert problems(region("{countries: [Polnd]}")) == []


@pytest.mark.parametrize("kind", PLACE_KINDS)
def test_place_name_patterns_accept_the_listed_spellings_written_freely(kind: str):
    index = _world.world().country_index if kind == "country" else _world.world().sea_index
    spellings = place_spellings(kind)
    assert {normalize(s) for s in spellings} == set(index.lookup)  # what the reference knows
    pattern = re.compile(place_name_pattern(kind))
    for spelling in spellings:
        bare = "".join(c for c in unicodedata.normalize("NFD", spelling) if c.isascii())
        for written in (
            spelling,
            spelling.upper(),
            spelling.swapcase(),
            f"  {spelling.replace(' ', '   ')} ",
            ".".join(spelling) + ".",
            unicodedata.normalize("NFD", spelling),
            bare,
        ):
            assert pattern.match(written), written
            assert index.resolve(written) == index.resolve(spelling)
    examples = json_schema()["$defs"]["Shape"]["properties"][
        {"country": "countries", "sea": "seas"}[kind]
    ]["anyOf"][0]["items"]
    assert all(pattern.match(e) for e in examples["examples"])


def test_place_name_patterns_refuse_what_the_reference_would_not_find():
    pattern = re.compile(place_name_pattern("country"))
    for written in ("Polnd", "P OL", "Pöland", "POL\n", "Poland,", "\uff30\uff2f\uff2c", ""):
        assert not pattern.match(written), written
    assert pattern.match("Türkiye") and pattern.match("TU\u0308RKIYE")
    assert pattern.match("U.S.A.") and pattern.match(" czech  republic ")


def test_rules_between_keys_treat_a_null_key_as_absent_in_check_and_the_schema():
    accepted = [
        region("{polygon: null, countries: [POL]}"),
        HEADER + "  - {id: r, kind: range, name: R, sources: [src], around: null,\n"
        "     center: {lat: 1, lon: 2}, radius_km: 10, azimuth_deg: null}\n",
    ]
    for text in accepted:
        assert problems(text) == []
        assert schema_error_paths(yaml.safe_load(text)) == set()
    refused = region("{polygon: null, seas: null, buffer_km: 5}")
    assert problems(refused) == [
        "t.yaml:8: features[0].shape: a shape needs exactly one of polygon, union, "
        "intersection, difference, countries, seas (found none)"
    ]
    assert "features[0].shape" in schema_error_paths(yaml.safe_load(refused))


def test_the_schema_is_the_same_every_time():
    assert json.dumps(json_schema()) == json.dumps(json_schema())


def test_an_error_inside_a_union_names_the_key_not_the_type():
    found = problems(site(parameters="{band: [X]}"))
    assert found and all(p.startswith("t.yaml:17: features[0].parameters.band: ") for p in found)


def test_a_spelling_with_a_letter_that_folds_to_two_cannot_become_a_pattern(monkeypatch):
    monkeypatch.setattr(geo.schema, "place_spellings", lambda kind: ["Große See"])
    with pytest.raises(
        ValueError, match=r"^cannot write 'Große See' as a pattern: a letter folds to two$"
    ):
        geo.schema._written_forms("sea")


@pytest.mark.parametrize("kind", ["country", "sea"])
def test_the_fast_path_for_listed_names_agrees_with_the_pattern(kind):
    """check accepts listed spellings without the (slow to compile) regex: each must match it."""
    import re

    from geo.schema import _listed_spellings, place_name_pattern

    pattern = re.compile(place_name_pattern(kind))
    assert [s for s in _listed_spellings(kind) if not pattern.match(s)] == []


# --- aliases and events ------------------------------------------------------------------


def events(*lines: str) -> str:
    """A layer with the given event lines (flow mappings) and no features."""
    items = "".join(f"  - {line}\n" for line in lines)
    return HEADER.replace("features:", f"events:\n{items}features: []")


def test_aliases_are_valid_one_line_names():
    assert problems(site(aliases="[Qabala, 'Gabala radar station', Кабала]")) == []
    assert problems(site(aliases="[]")) == []
    many = ", ".join(f"Name {i}" for i in range(20))
    assert problems(site(aliases=f"[{many}]")) == []


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        (
            '["Qabala\\nGabala"]',
            "t.yaml:17: features[0].aliases[0]: 'Qabala\\nGabala' is not one line of text; write "
            "it on one line, with no control characters and no space at either end",
        ),
        (
            '[" Qabala"]',
            "t.yaml:17: features[0].aliases[0]: ' Qabala' is not one line of text; write it on "
            "one line, with no control characters and no space at either end",
        ),
        (
            '["Qa\\tbala"]',
            "t.yaml:17: features[0].aliases[0]: 'Qa\\tbala' is not one line of text; write it on "
            "one line, with no control characters and no space at either end",
        ),
        (
            '[Qabala, ""]',
            "t.yaml:17: features[0].aliases[1]: got text of 0 characters; expected at least 1 "
            "character",
        ),
        (
            "[Qabala, Gabala, Qabala]",
            "t.yaml:17: features[0].aliases: 'Qabala' is listed twice; list each alias once",
        ),
        (
            "[" + ", ".join(f"Name {i}" for i in range(21)) + "]",
            "t.yaml:17: features[0].aliases: got 21 items; expected at most 20 items",
        ),
        ("Qabala", "t.yaml:17: features[0].aliases: got 'Qabala' (text); expected a list"),
        ("[5]", "t.yaml:17: features[0].aliases[0]: got 5 (a number); expected text"),
    ],
)
def test_alias_errors_name_line_path_value_and_what_is_allowed(aliases, expected):
    assert problems(site(aliases=aliases)) == [expected]


def test_events_are_valid_with_a_date_a_short_name_and_sources():
    text = events(
        "{date: 2007-06-07, name: Putin offers Gabala, sources: [src]}",
        "{date: 2007, name: Putin offers Gabala, sources: [src]}",  # another date: another event
        "{date: 2007-06-07, name: Heiligendamm summit, sources: [src]}",
    )
    assert problems(text) == []
    assert problems(events("{date: 2007, name: " + "x" * 60 + ", sources: [src]}")) == []


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            "{date: 2007-06-31, name: A, sources: [src]}",
            "t.yaml:8: events[0].date: '2007-06-31' is not a date; write YYYY, YYYY-MM or "
            "YYYY-MM-DD with a real month and day",
        ),
        (
            "{date: 2007, name: " + "x" * 61 + ", sources: [src]}",
            "t.yaml:8: events[0].name: got text of 61 characters; expected at most 60 characters",
        ),
        (
            '{date: 2007, name: "Putin\\noffers", sources: [src]}',
            "t.yaml:8: events[0].name: 'Putin\\noffers' is not one line of text; write it on one "
            "line, with no control characters and no space at either end",
        ),
        (
            "{date: 2007, name: A, sources: []}",
            "t.yaml:8: events[0].sources: got 0 items; expected at least 1 item",
        ),
        (
            "{date: 2007, name: A}",
            "t.yaml:8: events[0]: missing required key 'sources'; an event needs: date, name, "
            "sources",
        ),
        (
            "{date: 2007, name: A, sources: [src], layer: x}",
            "t.yaml:8: events[0].layer: unknown key; allowed keys here: date, name, sources",
        ),
        ("5", "t.yaml:8: events[0]: got 5 (a number); expected a mapping"),
    ],
)
def test_event_errors_name_line_path_value_and_what_is_allowed(event, expected):
    assert problems(events(event)) == [expected]


def test_check_refuses_an_event_citing_another_layers_source_or_named_twice(write_layer):
    path = write_layer(
        events(
            "{date: 2007-06-07, name: Putin offers Gabala, sources: [src]}",
            "{date: 2007-06-07, name: Putin offers Gabala, sources: [scr]}",
        )
    )
    with pytest.raises(LayerFileError) as caught:
        geo.load(path)
    where = geo.atlas.display_name(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{where}:9: events[1]: events[0] (line 8) already names 'Putin offers Gabala' on "
        "2007-06-07; list each moment once: change the date or the name, or merge the two",
        f"{where}:9: events[1].sources[0]: unknown source 'scr'; did you mean 'src'? expected "
        "the id of one of this layer's sources",
    ]  # one line: by key path


def test_the_cli_prints_event_and_alias_errors_as_error_lines(write_layer, monkeypatch):
    from click.testing import CliRunner

    from geo.cli import cli

    folder = write_layer(events("{date: 2007, name: A, sources: [nope]}"), "a.yaml").parent
    write_layer(site(aliases="[S, S]").replace("test-layer", "other-layer"), "b.yaml")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["check", "--layers", "."], prog_name="build_map.py")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: a.yaml:8: events[0].sources[0]: unknown source 'nope'; expected the id of one "
        "of this layer's sources",
        "Error: b.yaml:17: features[0].aliases: 'S' is listed twice; list each alias once",
        "2 problems; nothing was written.",
    ]


def test_the_json_schema_describes_aliases_and_events():
    schema = json_schema()
    aliases = schema["$defs"]["Site"]["properties"]["aliases"]
    assert aliases["type"] == "array" and aliases["maxItems"] == 20 and aliases["uniqueItems"]
    assert aliases["items"]["pattern"] == geo.schema.LINE_PATTERN
    for kind in ("Region", "Range", "Link"):
        assert schema["$defs"][kind]["properties"]["aliases"] == aliases
    assert schema["properties"]["events"]["items"] == {"$ref": "#/$defs/EventModel"}
    event = schema["$defs"]["EventModel"]
    assert event["required"] == ["date", "name", "sources"]
    assert event["additionalProperties"] is False
    assert event["properties"]["name"]["maxLength"] == 60
    assert event["properties"]["sources"]["minItems"] == 1
    assert "aliases" not in schema["$defs"]["Site"].get("required", [])
    assert "events" not in schema.get("required", [])
    good = yaml.safe_load(events("{date: 2007, name: A, sources: [src]}"))
    assert schema_error_paths(json.loads(json.dumps(good, default=str))) == set()
    bad = yaml.safe_load(
        events('{date: 2007, name: "A\\nB", sources: []}', "{date: 2007-13, name: B}")
    )
    assert {"events[0].name", "events[0].sources", "events[1].date", "events[1]"} <= (
        schema_error_paths(bad)
    )
    twice = yaml.safe_load(site(aliases='[Qabala, Qabala, "two\\nlines"]'))
    assert {"features[0].aliases", "features[0].aliases[2]"} <= schema_error_paths(twice)


def test_the_line_pattern_reads_alike_in_python_and_ecma_262():
    pattern = re.compile(geo.schema.LINE_PATTERN)
    assert geo.schema.LINE_PATTERN.startswith("^(?:") and "\\s" not in geo.schema.LINE_PATTERN
    for good in ("Qabala", "Kürecik", "a", "Rice–Gates talks", "Cancelled; Phased Adaptive"):
        assert pattern.match(good), good
    for bad in ("", " ", " a", "a ", "a\n", "a\nb", "a\rb", "a\tb", "a\u2028b", "a\x85b"):
        assert not pattern.match(bad), repr(bad)
