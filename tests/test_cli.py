"""The command line as a user meets it: exit codes, exact messages, files left behind."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.errors import ExportError

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "basic"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the basic fixture as its layers/ folder."""
    shutil.copytree(BASIC, tmp_path / "layers")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="build_map.py")


def test_no_arguments_reads_layers_and_writes_output_map_html(project: Path):
    result = run()
    assert result.exit_code == 0, result.output
    page = (project / "output" / "map.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert re.match(
        r"Wrote output/map\.html \([\d,]+ bytes; 2 layers, 7 features\) in ", result.stderr
    )
    assert result.stdout == ""


def test_output_option_writes_elsewhere(project: Path):
    result = run("--output", "elsewhere.html")
    assert result.exit_code == 0, result.output
    assert (project / "elsewhere.html").is_file()
    assert not (project / "output").exists()


def test_same_input_gives_byte_identical_html(project: Path):
    assert run("-o", "a.html").exit_code == 0
    assert run("-o", "b.html").exit_code == 0
    assert (project / "a.html").read_bytes() == (project / "b.html").read_bytes()


def test_check_validates_without_writing(project: Path):
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == "OK: 2 layers, 7 features in layers\n"
    assert not (project / "output").exists()


def test_schema_prints_a_json_schema():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "defense-map layer file (version 1)"
    assert {"site", "region", "range", "link"} <= {
        d["properties"]["kind"]["const"]
        for d in schema["$defs"].values()
        if "kind" in d.get("properties", {})
    }


def _break(project: Path, old: str, new: str, name: str = "10-sites.yaml") -> None:
    path = project / "layers" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_bad_input_exits_1_with_exact_errors_and_leaves_the_old_map(project: Path):
    assert run().exit_code == 0
    before = (project / "output" / "map.html").read_bytes()
    _break(project, "lat: 49.6352", "lat: 149.6352")
    _break(project, "radius_km: 2000", "radius_km: -5")
    result = run()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: layers/10-sites.yaml:20: features[0].lat: 149.6352 is out of range; expected a "
        "latitude from -90 to 90\n"
        "Error: layers/10-sites.yaml:39: features[2].radius_km: -5 is out of range; expected a "
        "distance in km, more than 0 and at most 19500\n"
        "2 problems; nothing was written.\n"
    )
    assert "Traceback" not in result.output
    assert (project / "output" / "map.html").read_bytes() == before


def test_check_reports_errors_with_exit_1(project: Path):
    _break(project, "role: radar", "role: radr")
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: layers/10-sites.yaml:18: features[0].role: 'radr' "
        "is not allowed; did you mean 'radar'?"
    )


def test_unknown_site_and_source_references(project: Path):
    _break(project, "from: radar", "from: radr", "20-links.yaml")
    _break(project, "sources: [s2]", "sources: [s3]", "20-links.yaml")
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "Error: layers/20-links.yaml:12: features[0].from: unknown site 'radr'; did you mean "
        "'radar'? expected the id of one of the sites of all layer files",
        "Error: layers/20-links.yaml:15: features[0].sources[0]: unknown source 's3'; did you "
        "mean 's2'? expected the id of one of this layer's sources",
    ]


def test_duplicate_ids_across_files(project: Path):
    _break(project, "id: radar-base", "id: radar", "20-links.yaml")
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: layers/20-links.yaml:10: features[0].id: the feature id 'radar' is already used "
        "at layers/10-sites.yaml:16; ids are unique across all layer files\n"
    )


def test_invalid_polygon_is_reported_where_it_is(project: Path):
    _break(
        project,
        "- {lat: 56, lon: 30}\n            - {lat: 50, lon: 30}",
        "- {lat: 50, lon: 30}\n            - {lat: 56, lon: 30}",
        "20-links.yaml",
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: layers/20-links.yaml:28: features[2].shape.difference[0].polygon: the polygon is "
        "not valid (Self-intersection"
    )
    assert result.stderr.rstrip().endswith(
        "list the corners in order around the area, with no crossing edges"
    )


def test_yaml_syntax_error(project: Path):
    _break(project, "title: Links and regions", "title: [Links", "20-links.yaml")
    result = run()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: layers/20-links.yaml:")
    assert "YAML syntax error" in result.stderr


def test_missing_layers_folder(project: Path):
    result = run("--layers", "nowhere")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: nowhere: no such file or folder; give a folder of *.yaml layer files, a layer "
        "file, or a list of them\n"
    )


def test_geojson_export(project: Path):
    result = run("--geojson", "out.geojson")
    assert result.exit_code == 0, result.output
    data = json.loads((project / "out.geojson").read_text("utf-8"))
    ids = [f["properties"]["id"] for f in data["features"]]
    assert ids == ["radar", "base", "radar-ring", "radar-fan", "radar-base", "far-link", "box"]
    layers = {f["properties"]["layer"] for f in data["features"]}
    assert layers == {"sites", "links"}
    far = next(f for f in data["features"] if f["id"] == "far-link")
    assert far["geometry"]["type"] == "MultiLineString"


def test_help_lists_every_option_and_is_in_the_readme():
    result = run("--help")
    assert result.exit_code == 0
    readme = (REPO / "README.md").read_text("utf-8")
    block = re.search(r"<!-- cli-help -->\n```text\n(.*?)```\n<!-- /cli-help -->", readme, re.S)
    assert block, "README.md needs the --help output between <!-- cli-help --> markers"
    assert block.group(1) == result.stdout
    for option in (
        "--layers",
        "--output",
        "--offline",
        "--geojson",
        "--gpkg",
        "--kml",
        "--png",
        "--svg",
        "--pdf",
        "--embed-snippet",
        "--width-px",
        "--height-px",
        "--dpi",
    ):
        assert option in result.stdout


def test_readme_has_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text("utf-8")
    build = re.search(
        r"<!-- build-command -->\n```sh\n(.*?)\n```\n<!-- /build-command -->", readme, re.S
    )
    test = re.search(
        r"<!-- test-command -->\n```sh\n(.*?)\n```\n<!-- /test-command -->", readme, re.S
    )
    assert build and test
    assert "build_map.py" in build.group(1) and "pytest" in test.group(1)
    assert "\n" not in build.group(1) and "\n" not in test.group(1)
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert "<!-- test-command -->" in ci and "apt-get install -y -qq chromium" in ci


def test_every_export_in_one_run_and_the_embed_snippet(project: Path):
    pytest.importorskip("geo.reference", reason="the reference geography is needed for images")
    result = run(
        "--offline",
        "--embed-snippet",
        "--geojson",
        "m.geojson",
        "--gpkg",
        "m.gpkg",
        "--kml",
        "m.kml",
        "--png",
        "m.png",
        "--svg",
        "m.svg",
        "--pdf",
        "m.pdf",
        "--width-px",
        "800",
        "--dpi",
        "100",
    )
    assert result.exit_code == 0, result.output
    for name in ("m.geojson", "m.gpkg", "m.kml", "m.png", "m.svg", "m.pdf"):
        assert (project / name).stat().st_size > 1000, name
        assert f"Wrote {name} (" in result.stderr
    assert result.stdout.startswith('<iframe src="map.html"')
    assert result.stdout.count("\n") == 1
    assert (project / "m.pdf").read_bytes().startswith(b"%PDF")
    assert (project / "m.png").read_bytes().startswith(b"\x89PNG")


def test_unsupported_image_suffix_is_a_clean_error(project: Path):
    pytest.importorskip("geo.reference", reason="the reference geography is needed for images")
    result = run("--png", "m.jpg")
    assert result.exit_code == 1
    assert result.stderr == "Error: --png m.jpg: the file name must end in .png\n"
    assert "Traceback" not in result.output


def test_outputs_that_clash_are_refused_before_any_work(project: Path):
    result = run("--geojson", "output/map.html", "--kml", "a.kml", "--gpkg", "a.kml")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --gpkg a.kml: the file name must end in .gpkg\n"
        "Error: --geojson output/map.html: --output writes the same file; give another name\n"
        "Error: --gpkg a.kml: --kml writes the same file; give another name\n"
    )
    assert not (project / "output").exists()


def test_a_failing_export_leaves_every_old_output_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    assert run("--geojson", "m.geojson").exit_code == 0
    before = {n: (project / n).read_bytes() for n in ("output/map.html", "m.geojson")}
    _break(
        project, "title: Links and regions", "title: Links and regions, renamed", "20-links.yaml"
    )

    def broken(*args, **kwargs):
        raise ExportError("cannot write m.kml: disk full")

    monkeypatch.setattr("geo.render.gis.write_kml", broken)
    result = run("--geojson", "m.geojson", "--kml", "m.kml")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot write m.kml: disk full\n"
    assert {n: (project / n).read_bytes() for n in before} == before
    assert not (project / "m.kml").exists()
    assert sorted(p.name for p in project.iterdir()) == ["layers", "m.geojson", "output"]


def test_image_layers_choose_what_static_images_draw(project: Path):
    pytest.importorskip("geo.reference", reason="the reference geography is needed for images")
    result = run("--svg", "all.svg", "--image-layers", "all", "--width-px", "600", "--dpi", "60")
    assert result.exit_code == 0, result.output
    svg = (project / "all.svg").read_text("utf-8")
    assert "Links and regions" in svg  # the layer hidden when the map opens
    result = run("--svg", "x.svg", "--image-layers", "nope")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --image-layers nope: unknown layer id(s) nope; use story, visible, "
        "all, or ids among sites, links\n"
    )


def test_check_takes_its_own_layers_option(project: Path):
    (project / "layers").rename(project / "elsewhere")
    result = run("check", "--layers", "elsewhere")
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 2 layers, 7 features in elsewhere\n"


def test_schema_output_file_and_a_missing_folder(project: Path):
    assert run("schema", "-o", "layer.schema.json").exit_code == 0
    assert json.loads((project / "layer.schema.json").read_text("utf-8"))["title"]
    result = run("schema", "-o", "missing/layer.schema.json")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot write missing/layer.schema.json: folder missing does "
        "not exist; create it first\n"
    )
