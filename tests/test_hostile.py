"""Hostile input: no layer file makes the tool show a traceback, hang or eat memory.

Every refusal is `Error: <file>:<line>: <key path>: <what is wrong>; <what is allowed>` lines and
exit code 1. Where a limit guards against cost, the refusal is measured in a fresh process:
under a second and under 100 MB more than the process held before it.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

import geo.atlas
from geo import yamlio
from geo.cli import MAX_SHOWN_PROBLEMS, cli
from geo.errors import LayerFileError, Problem
from geo.schema import (
    COLOR_PATTERN,
    DASH_PATTERN,
    ID_PATTERN,
    PLACE_KINDS,
    TEXT_PATTERN,
    URL_PATTERN,
    _place_name_regex,
    json_schema,
    validate_document,
)

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "basic"
SHIPPED = REPO / "layers"
HEADER = """\
version: 1
id: t
title: T
group: G
sources: [{id: s1, title: S}]
"""
SITE = "{id: a, kind: site, role: radar, name: A, lat: 50, lon: 20, precision: site, sources: [s1]}"
SUMMARY = re.compile(
    r"^(\d+ problems|… and [\d,]+ more problems \([\d,]+ in all\)); nothing was written\.$"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="build_map.py")


def layers(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    folder = tmp_path / "layers"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def error_lines(result: Result) -> list[str]:
    """The error lines of a refused run, after checking it was refused the way users expect."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output
    lines = result.stderr.splitlines()
    assert lines, "no error printed"
    body = lines[:-1] if SUMMARY.match(lines[-1]) else lines
    assert all(line.startswith("Error: ") for line in body), lines
    return body


def check_errors(tmp_path: Path, text: str, *options: str) -> list[str]:
    return error_lines(run("check", "--layers", str(layers(tmp_path, text)), *options))


MEASURE = """
import json, resource, sys, time
from click.testing import CliRunner
from geo.cli import cli

runner = CliRunner()
runner.invoke(cli, ["check", "--layers", sys.argv[1]])  # imports and reference data, once
unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
started = time.perf_counter()
result = runner.invoke(cli, ["check", "--layers", *sys.argv[2:]])
seconds = time.perf_counter() - started
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit - before
print(json.dumps({"seconds": seconds, "grown_mb": grown / 1e6, "exit_code": result.exit_code,
                  "stderr": result.stderr}))
"""


def measured(folder: Path, *options: str) -> dict:
    """Run `check` on `folder` in a fresh process; its time, peak memory growth and output."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(BASIC), str(folder), *options],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def assert_cheap(found: dict, seconds: float = 1.0, megabytes: float = 100.0) -> list[str]:
    assert found["exit_code"] == 1, found["stderr"]
    assert found["seconds"] < seconds, found
    assert found["grown_mb"] < megabytes, found
    lines = found["stderr"].splitlines()
    assert lines and all(line.startswith("Error: ") or SUMMARY.match(line) for line in lines)
    return lines


# --- tracebacks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nested",
    ["[" * 600 + "]" * 600, "{a: " * 600 + "1" + "}" * 600],
    ids=["lists", "mappings"],
)
def test_nesting_600_levels_deep_is_refused_at_the_depth_limit(tmp_path: Path, nested: str):
    folder = layers(tmp_path, HEADER + f"parameters: {nested}\n")
    (line,) = assert_cheap(measured(folder))
    assert line.startswith("Error: ")
    assert ":6: parameters" in line
    assert line.endswith(
        "nested more than 64 levels deep; flatten the data, or raise the limit with --max-depth"
    )


def test_300_nested_unions_are_refused_at_the_depth_limit(tmp_path: Path):
    shape = "{polygon: [{lat: 50, lon: 20}, {lat: 51, lon: 20}, {lat: 51, lon: 21}]}"
    for _ in range(300):
        shape = "{union: [" + shape + "]}"
    text = (
        HEADER + f"features:\n  - {{id: r, kind: region, name: R, sources: [s1], shape: {shape}}}\n"
    )
    (line,) = assert_cheap(measured(layers(tmp_path, text)))
    assert (
        line.startswith("Error: ") and "layers/a.yaml:7: features[0].shape.union[0].union" in line
    )
    assert "nested more than 64 levels deep" in line


def test_a_raised_depth_limit_reads_deeper_files_and_its_range_is_bounded(tmp_path: Path):
    deep = "[" * 70 + "]" * 70
    site = SITE.replace("sources: [s1]", f"sources: [s1], parameters: {{x: {deep}}}")
    folder = layers(tmp_path, HEADER + f"features:\n  - {site}\n")
    refused = error_lines(run("check", "--layers", str(folder)))
    assert len(refused) == 1 and "nested more than 64 levels deep" in refused[0]
    deeper = error_lines(run("check", "--layers", str(folder), "--max-depth", "100"))
    assert all("features[0].parameters.x: got [[[" in line for line in deeper), deeper
    assert run("check", "--max-depth", "201").exit_code == 2  # a usage error: at most 200


def test_an_integer_of_5000_digits_is_an_error_line(tmp_path: Path):
    site = SITE.replace("lat: 50", "lat: " + "9" * 5000)
    assert check_errors(tmp_path, HEADER + f"features:\n  - {site}\n") == [
        f"Error: {tmp_path}/layers/a.yaml:7: features[0].lat: a number written with 5,000 "
        "characters; numbers have at most 100 characters; quote text"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!int x", "!!int"),
        ("!!bool maybe", "!!bool"),
        ("!!float abc", "!!float"),
        ("!!timestamp nope", "!!timestamp"),
        ("!!int 5", "!!int"),
        ("!foo bar", "!foo"),
        ("!!python/object:os.system {}", "!!python/object:os.system"),
        ("!!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!<tag:example.org,2024:x> y", "tag:example.org,2024:x"),
    ],
)
def test_explicit_yaml_tags_are_refused_with_file_and_line(tmp_path: Path, value: str, shown: str):
    assert check_errors(tmp_path, HEADER + f"description: {value}\n") == [
        f"Error: {tmp_path}/layers/a.yaml:6: description: the tag {shown!r} is not allowed; "
        "layer files are plain data, written without YAML tags: quote text that would read as "
        "a number, true/false or a date"
    ]


def test_str_is_the_one_tag_allowed_as_it_cannot_misread_a_value():
    assert yamlio.parse_yaml("a: !!str 2007\n", "t.yaml").data == {"a": "2007"}


def test_an_unreadable_layer_file_is_an_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = layers(tmp_path, HEADER)
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("a.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert error_lines(run("check", "--layers", str(folder))) == [
        f"Error: {folder}/a.yaml: cannot read the file: permission denied; make it readable "
        "(chmod a+r)"
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_layer_file_without_read_permission(tmp_path: Path):
    folder = layers(tmp_path, HEADER)
    (folder / "a.yaml").chmod(0)
    try:
        (line,) = error_lines(run("check", "--layers", str(folder)))
    finally:
        (folder / "a.yaml").chmod(0o644)
    assert line.endswith(
        "a.yaml: cannot read the file: permission denied; make it readable (chmod a+r)"
    )


def test_an_io_error_while_reading_is_an_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = layers(tmp_path, HEADER)
    real_open, real_read = os.open, os.read
    handles: set[int] = set()

    def remember(path, *args, **kwargs):
        handle = real_open(path, *args, **kwargs)
        if str(path).endswith("a.yaml"):
            handles.add(handle)
        return handle

    def broken(handle, size):
        if handle in handles:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(handle, size)

    monkeypatch.setattr(os, "open", remember)
    monkeypatch.setattr(os, "read", broken)
    assert error_lines(run("check", "--layers", str(folder))) == [
        f"Error: {folder}/a.yaml: cannot read the file: Input/output error; check the disk and "
        "the file"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_or_a_folder_named_like_a_layer_file_is_refused_at_once(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would wait for a writer for ever
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(LayerFileError) as pipe:
        geo.atlas.build_atlas([tmp_path / "pipe.yaml", tmp_path / "folder.yaml"])
    assert [str(p) for p in pipe.value.problems] == [
        f"{tmp_path}/folder.yaml: is a folder; give a layer file (*.yaml)",
        f"{tmp_path}/pipe.yaml: is not a regular file (a pipe, socket or device); give a "
        "layer file",
    ]  # by file name


# --- unbounded work on small files ---------------------------------------------------------------


def test_aliases_repeating_a_feature_are_refused_before_any_shape_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    text = HEADER + "features:\n"
    text += "  - &f {id: r, kind: region, name: R, sources: [s1], shape: {countries: [POL], buffer_km: 50}}\n"
    text += "  - *f\n" * 10_000
    assert 60_000 < len(text) < 80_000
    folder = layers(tmp_path, text)
    (line,) = assert_cheap(measured(folder))
    assert line.endswith(
        "layers/a.yaml:8: features[1]: a feature is an alias (*f) of another; write each "
        "feature out, with its own id"
    )

    def no_shapes(*args, **kwargs):
        raise AssertionError("a shape was built")

    monkeypatch.setattr(geo.atlas, "build_shape", no_shapes)
    assert len(error_lines(run("check", "--layers", str(folder)))) == 1


def billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi"):
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    return text


def test_a_billion_laughs_is_refused_in_under_a_second_and_100_mb(tmp_path: Path):
    text = billion_laughs()
    assert len(text) < 700
    (line,) = assert_cheap(measured(layers(tmp_path, text)))
    assert re.search(
        r"layers/a\.yaml:6: f\[\d\]: aliases repeat more than [\d,]+ values \(\*e repeats "
        r"66,430\); aliases may repeat as many values as the file writes out, plus 100,000: "
        r"write the repeated parts out$",
        line,
    )


def test_aliases_within_the_allowance_are_fine_and_share_their_data():
    text = "src: &src [s1]\nsites:\n" + "".join(
        f"  - {{id: s{i}, sources: *src}}\n" for i in range(2000)
    )
    doc = yamlio.parse_yaml(text, "t.yaml")
    assert doc.data["sites"][1999]["sources"] == ["s1"]
    assert doc.data["sites"][0]["sources"] is doc.data["sites"][1]["sources"]  # not copied
    assert doc.line(("sites", 7, "sources", 0)) == 10  # an alias's values are at the alias


def test_a_list_of_950000_numbers_gives_one_error_at_its_bound(tmp_path: Path):
    text = HEADER + "notes: [" + ",".join(["0"] * 950_000) + "]\n"
    assert 1_800_000 < len(text) < 2_000_000
    # parsing 1.9 MB takes its time, in proportion; nothing after it does
    (line,) = assert_cheap(measured(layers(tmp_path, text)), seconds=20)
    assert line.endswith("layers/a.yaml:6: notes: got 950000 items; expected at most 100 items")


def test_errors_are_capped_and_the_rest_counted(tmp_path: Path):
    result = run(
        "check", "--layers", str(layers(tmp_path, HEADER + "features: [" + "0," * 5000 + "0]\n"))
    )
    lines = error_lines(result)
    assert len(lines) == MAX_SHOWN_PROBLEMS
    assert lines[:2] == [
        f"Error: {tmp_path}/layers/a.yaml:6: features[{i}]: got 0 (a number); expected a "
        "mapping with kind, id, name, ..."
        for i in (0, 1)
    ]
    assert lines[-1].startswith(f"Error: {tmp_path}/layers/a.yaml:6: features[49]: ")
    # checking stops after 1,000 problems of a file; the rest of its features are not checked
    assert result.stderr.splitlines()[-1] == (
        "… and 951 more problems (1,001 in all); nothing was written."
    )
    with pytest.raises(LayerFileError) as found:
        validate_document(
            yamlio.parse_yaml(HEADER + "features: [" + "0," * 5000 + "0]\n", "t.yaml")
        )
    assert str(found.value.problems[-1]) == (
        "t.yaml:6: features[1000]: this feature and the 4,000 after it were not checked: the "
        "file already has 1,000 problems; fix those, then check again"
    )


def test_a_feature_with_many_wrong_points_reports_the_first(tmp_path: Path):
    points = ", ".join(["{lat: x, lon: 1}"] * 50_000)
    text = (
        HEADER
        + f"features:\n  - {{id: r, kind: region, name: R, sources: [s1], shape: {{polygon: [{points}]}}}}\n"
    )
    assert check_errors(tmp_path, text) == [
        f"Error: {tmp_path}/layers/a.yaml:7: features[0].shape.polygon[0].lat: got 'x' (text); "
        "expected a number"
    ]


# --- one line each, in a stable order -------------------------------------------------------------


def test_a_control_character_in_a_value_is_one_line_naming_it_and_its_position(tmp_path: Path):
    assert check_errors(tmp_path, HEADER + 'description: "ab\\x1bcd"\n') == [
        f"Error: {tmp_path}/layers/a.yaml:6: description: contains U+001B, a control character "
        "(position 3); text holds no control characters but tab and line breaks, and no "
        "U+FFFE, U+FFFF or half of a surrogate pair"
    ]


def test_a_raw_control_character_in_the_file_is_one_line_with_its_line(tmp_path: Path):
    assert check_errors(tmp_path, HEADER + "description: ab\x01cd\n") == [
        f"Error: {tmp_path}/layers/a.yaml:6: contains U+0001, a control character (column 16); "
        "a layer file holds printable text, tabs and line breaks; write a character that is "
        'meant as an escape inside double quotes ("\\x1b"), or remove it'
    ]


def test_a_file_name_with_a_newline_cannot_forge_an_error_line(tmp_path: Path):
    folder = layers(tmp_path, HEADER.replace("title: T", "title: 5"), name="x\nError: forged.yaml")
    (line,) = error_lines(run("check", "--layers", str(folder)))
    assert line == (
        f"Error: {folder}/x\\nError: forged.yaml:3: title: got 5 (a number); expected text"
    )


def test_keys_with_line_breaks_stay_on_their_line(tmp_path: Path):
    assert check_errors(tmp_path, HEADER + '"x\\nError: y": 2\n') == [
        f"Error: {tmp_path}/layers/a.yaml:6: x\\nError: y: unknown key; allowed keys here: "
        "context, description, events, features, group, id, notes, period, sources, style, "
        "title, version, visible"
    ]


def test_problems_come_in_the_same_order_every_run(tmp_path: Path):
    # many problems on one line and in two files: the order may not follow hash seeds
    site = "{id: 'A B', kind: site, role: radr, name: '', lat: 95, lon: x, precision: p}"
    folder = layers(tmp_path, HEADER + f"notes: ['', '']\nfeatures: [{site}, {site}, 5]\n")
    (folder / "b.yaml").write_text(HEADER.replace("title: T", "title: 5"), "utf-8")
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, str(REPO / "build_map.py"), "check", "--layers", str(folder)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        assert done.returncode == 1
        outputs.add(done.stderr)
    (stderr,) = outputs
    lines = stderr.splitlines()[:-1]
    assert lines[-1].startswith(f"Error: {folder}/b.yaml:")
    keys = [(p.split(":")[0], int(p.split(":")[1])) for p in (line[7:] for line in lines)]
    assert keys == sorted(keys)


def test_problems_sort_by_file_line_path_then_message():
    problems = [
        Problem("b.yaml", 1, "id", "x"),
        Problem("a.yaml", 9, "features[10]", "x"),
        Problem("a.yaml", 9, "features[9]", "y"),
        Problem("a.yaml", 9, "features[9]", "x"),
        Problem("a.yaml", None, "", "x"),
    ]
    assert [str(p) for p in sorted(problems, key=Problem.sort_key)] == [
        "a.yaml: x",
        "a.yaml:9: features[9]: x",
        "a.yaml:9: features[9]: y",
        "a.yaml:9: features[10]: x",
        "b.yaml:1: id: x",
    ]


# --- limits -------------------------------------------------------------------------------------


def test_the_file_size_limit_names_its_option(tmp_path: Path):
    folder = layers(tmp_path, HEADER + "features:\n  - " + SITE + "\n")
    size = (folder / "a.yaml").stat().st_size
    for command in (["check", "--layers", str(folder), "--max-file-mb", "0.0001"],
                    ["--layers", str(folder), "--max-file-mb", "0.0001", "check"]):  # fmt: skip
        assert error_lines(run(*command)) == [
            f"Error: {folder}/a.yaml: the file is {size:,} bytes, more than the limit of 0.0001 "
            "MB; split it into several layer files, or raise the limit with --max-file-mb"
        ]
    assert run("check", "--layers", str(folder), "--max-file-mb", "1").exit_code == 0


def test_the_feature_limit_counts_each_file_and_all_files(tmp_path: Path):
    sites = "".join(f"  - {SITE.replace('id: a', f'id: a{i}')}\n" for i in range(4))
    folder = layers(tmp_path, HEADER + "features:\n" + sites)
    assert error_lines(run("check", "--layers", str(folder), "--max-features", "3")) == [
        f"Error: {folder}/a.yaml:10: features[3]: more than 3 features in one file; split the "
        "map, or raise the limit with --max-features"
    ]
    other = HEADER.replace("id: t", "id: u") + "features:\n" + sites.replace("id: a", "id: b")
    (folder / "b.yaml").write_text(other, "utf-8")
    assert error_lines(run("check", "--layers", str(folder), "--max-features", "6")) == [
        f"Error: {folder}/b.yaml:9: features[2]: more than 6 features in all the layer files "
        "read; split the map, or raise the limit with --max-features"
    ]
    assert run("check", "--layers", str(folder), "--max-features", "8").exit_code == 0
    assert run("--max-features", "8", "check", "--layers", str(folder)).exit_code == 0


def test_the_build_command_takes_the_limits_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASIC, tmp_path / "layers")
    lines = error_lines(run("--max-features", "2", "-o", "m.html"))
    assert lines == [
        "Error: layers/10-sites.yaml:36: features[2]: more than 2 features in one file; split "
        "the map, or raise the limit with --max-features",
        "Error: layers/20-links.yaml:22: features[2]: more than 2 features in one file; split "
        "the map, or raise the limit with --max-features",
    ]
    assert not (tmp_path / "m.html").exists()


def test_the_default_limits_fit_a_layer_file_of_100000_sites():
    limits = yamlio.DEFAULT_LIMITS
    line = "  - " + SITE.replace("id: a", "id: s012345").replace(
        "name: A", 'name: "Kavelmir 12345"'
    )
    # the scale benchmark writes sites a line each, about as long as this one
    assert limits.max_file_bytes > 100_000 * (len(line) + 30)
    assert limits.max_features >= 100_000 and limits.max_depth >= 8
    doc = yamlio.parse_yaml(HEADER + "features:\n" + (line + "\n") * 10_000, "t.yaml")
    assert len(doc.data["features"]) == 10_000
    assert len(doc.lines) < 10_100  # a line number for each site, not for each of its keys


def test_limits_are_set_for_a_block_and_come_back_after_it():
    assert yamlio.current_limits() == yamlio.DEFAULT_LIMITS
    with yamlio.limits(max_depth=3, max_features=2) as chosen:
        assert yamlio.current_limits() == chosen
        with pytest.raises(LayerFileError, match="nested more than 3 levels deep"):
            yamlio.parse_yaml("a: {b: {c: [1]}}\n", "t.yaml")
    assert yamlio.current_limits() == yamlio.DEFAULT_LIMITS
    with (
        pytest.raises(ValueError, match="max_depth must be at least 1"),
        yamlio.limits(max_depth=0),
    ):
        pass


def test_geo_load_counts_the_features_of_all_its_files_together(tmp_path: Path):
    sites = "".join(f"  - {SITE.replace('id: a', f'id: a{i}')}\n" for i in range(4))
    folder = layers(tmp_path, HEADER + "features:\n" + sites)
    other = HEADER.replace("id: t", "id: u") + "features:\n" + sites.replace("id: a", "id: b")
    (folder / "b.yaml").write_text(other, "utf-8")
    # limits set without a `limits()` block (no count open): each load counts on its own
    token = yamlio._limits.set(dataclasses.replace(yamlio.DEFAULT_LIMITS, max_features=6))
    try:
        with pytest.raises(LayerFileError, match="more than 6 features in all the layer files"):
            geo.load(folder)
        assert len(geo.load(folder / "a.yaml").layers[0].features) == 4
        assert len(geo.load(folder / "b.yaml").layers[0].features) == 4
    finally:
        yamlio._limits.reset(token)
    with yamlio.counting(), yamlio.counting():  # an inner block keeps the outer count going
        yamlio.parse_yaml(HEADER + "features:\n" + sites, "x.yaml")
        assert yamlio._tally.get() is not None and yamlio._tally.get().features == 4


def test_a_folder_lists_every_layer_file_but_hidden_ones(tmp_path: Path):
    folder = layers(tmp_path, HEADER + f"features:\n  - {SITE}\n")
    (folder / ".#a.yaml").symlink_to("nobody@host.1234")  # an editor's lock: a broken link
    (folder / "gone.yaml").symlink_to(folder / "no-such-file.yaml")
    assert [p.name for p in geo.atlas.layer_files(folder)] == ["a.yaml", "gone.yaml"]
    with pytest.raises(LayerFileError) as found:
        geo.load(folder)
    assert [str(p) for p in found.value.problems] == [
        f"{folder}/gone.yaml: no such file; give a layer file (*.yaml)"
    ]


def test_the_fast_scalar_paths_read_what_pyyaml_reads():
    """The builder reads decimals and plain words without PyYAML's resolver: for every short
    plain scalar over the characters that matter, it must give the resolver's tag."""
    import itertools

    from yaml.nodes import ScalarNode

    resolver = yaml.resolver.Resolver()
    letters = "0-1.e+_:xoyYnNtT~ "
    for size in range(5):
        for chars in itertools.product(letters, repeat=size):
            text = "".join(chars)
            want = resolver.resolve(ScalarNode, text, (True, False))
            assert yamlio._resolve(text, (True, False)) == want, text
    for text in ("12.5", "-0.25", "3", "-17", "007", "1_0", "1e5", "1.5e+3", ".5", "1:30"):
        assert yamlio._resolve(text, (True, False)) == resolver.resolve(
            ScalarNode, text, (True, False)
        ), text
    doc = yamlio.parse_yaml("a: 1.50\nb: -3\nc: word\nd: 1e5\ne: yes\nf: '2'\n", "t.yaml")
    assert doc.data == yaml.safe_load("a: 1.50\nb: -3\nc: word\nd: 1e5\ne: yes\nf: '2'\n")


def test_many_unknown_place_names_are_reported_cheaply(tmp_path: Path):
    """Each unknown name is matched against every known spelling for suggestions: 100 of
    them, some long and odd, must still cost well under a second of that."""
    names = [
        f"Ｃｏｕｎｔｒｙ　ｏｆ　ｎｏｗｈｅｒｅ　{i}" if i % 2 else f"Atlantis{i}"
        for i in range(100)
    ]
    listed = ", ".join(f'"{name}"' for name in names)
    feature = (
        "  - {id: r, kind: region, name: R, sources: [s1], shape: {countries: [" + listed + "]}}"
    )
    lines = assert_cheap(measured(layers(tmp_path, HEADER + f"features:\n{feature}\n")), 3.0)
    assert len(lines) == 1 and "unknown country 'Atlantis0'" in lines[0]


# --- strings ---------------------------------------------------------------------------------


FORBIDDEN = [
    "\x00",
    "\x08",
    "\x0b",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
]
ALLOWED = ["\t", "\n", "\r", " ", "\u00a0", "\u2028", "\u200b", "\U0001f680", "Ω", "\ufffd"]


def _layer_with(value: str) -> dict:
    return {
        "version": 1,
        "id": "t",
        "title": "T",
        "group": "G",
        "sources": [{"id": "s1", "title": "S", "quote": value}],
        "notes": [value],
        "features": [
            {
                "id": "a",
                "kind": "site",
                "role": "radar",
                "name": f"A{value}",
                "description": value,
                "uncertainty": value,
                "parameters": {"band": value, f"k{value}": 1},
                "lat": 50,
                "lon": 20,
                "precision": "site",
                "sources": ["s1"],
            }
        ],
    }


def schema_error_paths(data: object) -> set[str]:
    """Where python-jsonschema finds errors in `data` (inside unions too), as key paths."""
    found = set()
    pending = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(data))
    while pending:
        error = pending.pop()
        found.add(yamlio.format_path(tuple(error.absolute_path)))
        pending += error.context or []
    return found


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_check_and_the_schema_refuse_characters_outputs_cannot_carry(char: str):
    data = _layer_with(char)
    with pytest.raises(LayerFileError) as found:
        validate_document(yamlio.Document("t.yaml", data, {}))
    paths = {p.path for p in found.value.problems}
    assert paths >= {
        "sources[0].quote",
        "notes[0]",
        "features[0].name",
        "features[0].description",
        "features[0].uncertainty",
        "features[0].parameters.band",
    }
    words = f"contains U+{ord(char):04X}"
    name = next(p for p in found.value.problems if p.path == "features[0].name")
    assert name.problem.startswith(words) and "(position 2)" in name.problem
    assert schema_error_paths(data) >= {
        "sources[0].quote",
        "notes[0]",
        "features[0].name",
        "features[0].description",
        "features[0].uncertainty",
        "features[0].parameters",  # the name of a parameter
        "features[0].parameters.band",
    }
    assert re.match(TEXT_PATTERN, char) is None


@pytest.mark.parametrize("char", ALLOWED, ids=lambda c: f"U+{ord(c):04X}")
def test_check_and_the_schema_accept_every_other_character(char: str):
    data = _layer_with(char)
    validate_document(yamlio.Document("t.yaml", data, {}))
    assert schema_error_paths(data) == set()


def test_a_surrogate_pair_written_as_two_escapes_is_one_character_or_a_syntax_error():
    text = 'a: "\\ud83d\\ude80"\n'
    try:
        value = yamlio.parse_yaml(text, "t.yaml").data["a"]
    except LayerFileError as exc:  # libyaml refuses such escapes
        assert "YAML syntax error" in str(exc)
    else:
        assert value == "\U0001f680"


def test_the_title_option_refuses_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASIC, tmp_path / "layers")
    assert error_lines(run("--title", "Map\x1b[2J", "-o", "m.html")) == [
        "Error: --title Map\\x1b[2J: holds U+001B, a control character; give it without "
        "control characters"
    ]


# --- wrong errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "pattern"),
    [
        ("id", "t", ID_PATTERN),
        ("style", {"color": "#aabbcc"}, COLOR_PATTERN),
        ("style", {"dash": "6 4"}, DASH_PATTERN),
        ("sources", [{"id": "s1", "title": "S", "url": "https://example.org/"}], URL_PATTERN),
    ],
    ids=["id", "colour", "dash", "url"],
)
def test_a_trailing_newline_passes_no_pattern(tmp_path: Path, key: str, value, pattern: str):
    assert pattern.endswith("$(?!\\n)")
    data = yaml.safe_load(HEADER)
    good = json.loads(json.dumps(value))
    data[key] = good
    text = yaml.safe_dump(data, sort_keys=False)
    assert run("check", "--layers", str(layers(tmp_path, text))).exit_code == 0
    if isinstance(good, str):
        data[key] = good + "\n"
    elif isinstance(good, dict):
        data[key] = {k: v + "\n" for k, v in good.items()}
    else:
        data[key] = [{**good[0], "url": good[0]["url"] + "\n"}]
    (line,) = check_errors(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert "\\n' is not a" in line
    assert re.match(pattern, "abc\n") is None


def test_an_output_that_is_a_folder_is_an_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASIC, tmp_path / "layers")
    (tmp_path / "out").mkdir()
    (tmp_path / "img.png").mkdir()
    assert error_lines(run("-o", "out")) == ["Error: out: is a folder; give a file name"]
    assert error_lines(run("--png", "img.png")) == ["Error: img.png: is a folder; give a file name"]
    assert error_lines(run("schema", "-o", "out")) == [
        "Error: cannot write out: it is a folder; give a file name"
    ]


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--geojson", "a\nError: b.geojson"], "--geojson a\\nError: b.geojson"),
        (
            ["--image-layers", "sites\nError: x", "--svg", "m.svg"],
            "--image-layers sites\\nError: x",
        ),
        (["--compare", "sites\nError: x", "links"], "--compare sites\\nError: x"),
    ],
    ids=["file-name", "image-layers", "compare"],
)
def test_an_option_with_a_line_break_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], shown: str
):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(BASIC, tmp_path / "layers")
    assert error_lines(run(*args)) == [
        f"Error: {shown}: holds U+000A, a control character; give it without control characters"
    ]


RANGE = "  - {id: r, kind: range, name: R, sources: [s1], around: a, "
REGION = (
    "  - {id: r, kind: region, name: R, sources: [s1], shape: {polygon: [{lat: 50, lon: 20}, "
    "{lat: 51, lon: 20}, {lat: 51, lon: 21}], "
)


@pytest.mark.parametrize(
    ("feature", "expected"),
    [
        (
            REGION + "buffer_km: 0.0005}}",
            "features[1].shape.buffer_km: 0.0005 is too small; a buffer must be at least 0.001 km (1 m)",
        ),
        (
            REGION + "buffer_km: 0.000000001}}",
            "features[1].shape.buffer_km: 1e-09 is too small; a buffer must be at least 0.001 km (1 m)",
        ),
        (
            RANGE + "radius_km: 0.0001}",
            "features[1].radius_km: 0.0001 is too small; a radius must be at least 0.001 km (1 m)",
        ),
        (
            RANGE + "radius_km: 100, azimuth_deg: 10, beam_deg: 0.001}",
            "features[1].beam_deg: 0.001 is too small; a beam must be at least 0.01° wide",
        ),
        (
            RANGE + "radius_km: 100, min_radius_km: 99.9999}",
            "features[1]: min_radius_km (99.9999) leaves a band thinner than 1 m; make it at least 0.001 km less than radius_km (100)",
        ),
    ],
    ids=["buffer-half-metre", "buffer-1nm", "radius", "beam", "annulus"],
)
def test_sizes_that_round_to_nothing_are_refused_with_their_minimum(
    tmp_path: Path, feature: str, expected: str
):
    text = HEADER + f"features:\n  - {SITE}\n{feature}\n"
    assert check_errors(tmp_path, text) == [f"Error: {tmp_path}/layers/a.yaml:8: {expected}"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("{lat: 90, lon: 0}", "{lat: 90, lon: 120}"),
        ("{lat: -90, lon: 10}", "{lat: -90, lon: -170}"),
        ("{lat: 60, lon: 180}", "{lat: 60, lon: -180}"),
        ("{lat: 0, lon: 0}", "{lat: 0, lon: 0.0000000001}"),
    ],
    ids=["north-pole", "south-pole", "antimeridian", "a-tenth-of-a-nanodegree"],
)
def test_a_link_between_two_spellings_of_one_place_is_refused(tmp_path: Path, a: str, b: str):
    text = (
        HEADER
        + f"features:\n  - {{id: l, kind: link, name: L, sources: [s1], from: {a}, to: {b}}}\n"
    )
    assert check_errors(tmp_path, text) == [
        f"Error: {tmp_path}/layers/a.yaml:7: features[0]: 'from' and 'to' are one place (less "
        "than 1 m apart); a link joins two places at least 1 m apart"
    ]


def test_a_link_from_a_site_to_its_own_coordinates_is_refused(tmp_path: Path):
    # the atlas checks ends named by site ids with the model's rule (schema.link_ends_problem)
    text = (
        HEADER
        + f"features:\n  - {SITE}\n  - {{id: l, kind: link, name: L, sources: [s1], from: a, to: {{lat: 50, lon: 20}}}}\n"
    )
    (line,) = check_errors(tmp_path, text)
    assert "'from' and 'to' are one place" in line


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e+400"])
def test_infinite_numbers_are_refused(tmp_path: Path, value: str):
    site = SITE.replace("sources: [s1]", f"sources: [s1], parameters: {{x: {value}}}")
    lines = check_errors(tmp_path, HEADER + f"features:\n  - {site}\n")
    assert any("expected a finite number" in line for line in lines), lines
    lat = check_errors(
        tmp_path, HEADER + f"features:\n  - {SITE.replace('lat: 50', f'lat: {value}')}\n"
    )
    assert len(lat) == 1 and "features[0].lat" in lat[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: 1\n---\nb: 2\n",
            "t.yaml:2: a second YAML document starts here ('---'); a layer file is one document: split it into several files",
        ),
        (
            "<<: {a: 1}\n",
            "t.yaml:1: '<<' (a YAML merge key) is not supported; write the keys out in each mapping",
        ),
        (
            "a: &x 1\nb: &x 2\n",
            "t.yaml:2: b: the anchor &x is defined twice (first on line 1); give each anchor its own name",
        ),
        (
            "a: *nope\n",
            "t.yaml:1: a: the alias *nope names no anchor (&nope) above it; define the anchor before its aliases, outside what it names",
        ),
        (
            "a: &x [*x]\n",
            "t.yaml:1: a[0]: the alias *x names no anchor (&x) above it; define the anchor before its aliases, outside what it names",
        ),
        (
            "[1]: 2\n",
            "t.yaml:1: a key is a list or a mapping; keys are plain names such as 'lat' or 'radius_km'",
        ),
        (
            "1: 2\n",
            "t.yaml:1: the key 1 is not a name; keys are plain names such as 'lat' or 'radius_km'",
        ),
    ],
    ids=[
        "two-documents",
        "merge-key",
        "anchor-twice",
        "unknown-alias",
        "recursive-alias",
        "list-key",
        "number-key",
    ],
)
def test_yaml_features_beyond_plain_data_are_error_lines(text: str, expected: str):
    with pytest.raises(LayerFileError) as found:
        yamlio.parse_yaml(text, "t.yaml")
    assert [str(p) for p in found.value.problems] == [expected]


def test_an_unforeseen_error_is_one_line_that_says_it_is_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(geo.atlas, "load", broken)
    monkeypatch.delenv("DEFENSE_MAP_DEBUG", raising=False)
    result = run("check", "--layers", str(layers(tmp_path, HEADER)))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (
        "Error: internal error (ZeroDivisionError: division by zero); this is a bug: please "
        "report it with the layer files (set DEFENSE_MAP_DEBUG=1 to see where it happened)\n"
    )


# --- whatever the mutation, an answer -------------------------------------------------------------

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - pip install -e ".[test]" brings it
    st = None


def _paths(data, path=()):
    """Every key path inside `data`."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*path, i))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


if st is not None:
    ODD_TEXT = st.text(st.characters(codec=None, exclude_categories=[]), max_size=12)
    VALUES = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**30, max_value=10**400),
        st.floats(),
        ODD_TEXT,
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
        st.integers(50, 300).map(lambda depth: _nested(depth)),
    )

    def _nested(depth: int):
        value: object = 1
        for _ in range(depth):
            value = [value]
        return value

    @st.composite
    def mutated(draw) -> tuple[str, str]:
        """A shipped layer file, changed: by its data (then written as YAML) or by its text."""
        path = draw(st.sampled_from(sorted(SHIPPED.glob("*.yaml"))))
        text = path.read_text("utf-8")
        if draw(st.booleans()):
            data = json.loads(json.dumps(yamlio.parse_yaml(text, path.name).data))
            for _ in range(draw(st.integers(1, 3))):
                _mutate(draw, data)
            return path.name, yaml.safe_dump(
                data, allow_unicode=draw(st.booleans()), sort_keys=False
            )
        for _ in range(draw(st.integers(1, 3))):
            text = _mutate_text(draw, text)
        return path.name, text

    def _mutate(draw, data) -> None:
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "duplicate", "as-text", "insert"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, parent[key])
        elif action == "as-text" and isinstance(parent[key], (int, float)):
            parent[key] = str(parent[key])
        elif isinstance(parent[key], str):
            at = draw(st.integers(0, len(parent[key])))
            parent[key] = parent[key][:at] + draw(ODD_TEXT) + parent[key][at:]

    def _mutate_text(draw, text: str) -> str:
        lines = text.splitlines(keepends=True)
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["insert", "delete-line", "duplicate-line", "deepen", "tag"]))
        if action == "delete-line":
            del lines[at]
        elif action == "duplicate-line":
            lines.insert(at, lines[at])
        elif action == "deepen":
            depth = draw(st.integers(10, 700))
            lines.insert(at, "x: " + "[" * depth + "]" * depth + "\n")
        elif action == "tag":
            tag = draw(st.sampled_from(["!!int", "!!float", "!!python/object:os.system", "!x"]))
            lines[at] = re.sub(r": ", f": {tag} ", lines[at], count=1)
        else:
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + draw(ODD_TEXT) + lines[at][column:]
        return "".join(lines)

    @settings(
        max_examples=150,
        deadline=2000,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(change=mutated())
    def test_check_answers_any_mutation_of_the_shipped_layers_with_ok_or_error_lines(
        mutation_folder: Path, change: tuple[str, str]
    ):
        # one file a run: a file naming another file's sites reports them as unknown, which
        # is one more answer; the whole folder would build every other file's shapes each time
        name, text = change
        path = mutation_folder / name
        try:
            path.write_text(text, "utf-8", errors="surrogatepass")
            result = run("check", "--layers", str(mutation_folder))
        finally:
            path.unlink()
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        if result.exit_code == 0:
            assert result.stdout.startswith("OK: 1 layers, ")
        else:
            error_lines(result)

else:  # pragma: no cover

    def test_check_answers_any_mutation_of_the_shipped_layers_with_ok_or_error_lines():
        pytest.skip('needs hypothesis: pip install -e ".[test]"')


@pytest.fixture(scope="module")
def mutation_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder for one mutated layer file at a time, once the shipped layers have been
    checked (their shapes and the reference data loaded, so the first example is no slower)."""
    assert run("check", "--layers", str(SHIPPED)).exit_code == 0
    for kind in PLACE_KINDS:  # compiled on first use, in about a second
        _place_name_regex(kind)
    return tmp_path_factory.mktemp("hostile")
