"""The command line: `python build_map.py [OPTIONS] [COMMAND]`; `--help` is the reference."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from .errors import DefenseMapError, LayerFileError
from .fileio import atomic_target

DEFAULT_LAYERS = Path("layers")
DEFAULT_OUTPUT = Path("output/map.html")
DEFAULT_COMPARE_OUTPUT = Path("output/compare.html")
#: `--compare` given alone: the default pair (see geo.compare.default_pair)
_DEFAULT_PAIR = ("", "")


def _report(error: DefenseMapError) -> None:
    lines = (
        [str(p) for p in error.problems]
        if isinstance(error, LayerFileError)
        else str(error).splitlines() or [type(error).__name__]
    )
    for line in lines:
        click.echo(f"Error: {line}", err=True)
    if isinstance(error, LayerFileError) and len(error.problems) > 1:
        click.echo(f"{len(error.problems)} problems; nothing was written.", err=True)


class _Group(click.Group):
    """A click group whose library errors become `Error: …` lines and exit code 1."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `--compare` takes two sides or, alone, none: the default pair
        args = list(args)
        for i, arg in enumerate(args):
            if arg == "--":
                break
            if arg == "--compare" and (i + 1 == len(args) or args[i + 1].startswith("-")):
                args[i + 1 : i + 1] = list(_DEFAULT_PAIR)
                break
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DefenseMapError as error:
            _report(error)
            ctx.exit(1)


_path = click.Path(dir_okay=False, path_type=Path)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "terminal_width": 100,
    },
)
@click.option(
    "--layers",
    "layers_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_LAYERS,
    show_default=True,
    help="Folder of layer files (*.yaml).",
)
@click.option(
    "--output",
    "-o",
    type=_path,
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Where to write the HTML map.",
)
@click.option("--title", default=None, help="Map title (default: the shipped story's title).")
@click.option(
    "--compare",
    nargs=2,
    metavar="A B",
    default=None,
    help="Compare two proposals side by side (layer ids or groups) in synchronised panes, "
    "written to output/compare.html unless --output is given; --png/--svg/--pdf draw both "
    "panes. Alone: the last group's two proposals (shipped: NATO's two systems and Russia's "
    "sectoral proposal).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="One self-contained HTML file: Leaflet inlined, vector base map, no network.",
)
@click.option(
    "--embed-snippet",
    is_flag=True,
    help="Also print an <iframe> snippet that embeds the map in a report page.",
)
@click.option("--geojson", type=_path, help="Also write every feature as GeoJSON (RFC 7946).")
@click.option("--gpkg", type=_path, help="Also write a GeoPackage, one table per layer.")
@click.option("--kml", type=_path, help="Also write styled KML, one folder per layer.")
@click.option("--png", type=_path, help="Also write a static PNG image of the map.")
@click.option("--svg", type=_path, help="Also write a static SVG image of the map.")
@click.option("--pdf", type=_path, help="Also write a static PDF of the map.")
@click.option(
    "--image-layers",
    default="story",
    show_default=True,
    help="Layers in static images: story (those shown when the map opens and every dated "
    "layer; the image names the others), visible (only those shown when the map opens), all, "
    "or comma-separated layer ids.",
)
@click.option(
    "--width-px",
    type=click.IntRange(200, 20000),
    default=1600,
    show_default=True,
    help="Width of static images in pixels.",
)
@click.option(
    "--height-px",
    type=click.IntRange(200, 20000),
    default=None,
    help="Height of static images in pixels (default: from the map's extent).",
)
@click.option(
    "--dpi",
    type=click.IntRange(50, 1200),
    default=150,
    show_default=True,
    help="Resolution of static images (text size scales with it).",
)
@click.pass_context
def cli(ctx: click.Context, **options: Any) -> None:
    """Build a layered, interactive map of missile-defense proposals from YAML layer files.

    With no command, reads every layer file in --layers and writes the HTML map to --output
    (plus any export asked for). Commands: `check` validates only; `schema` prints the JSON
    Schema of layer files.
    """
    if ctx.invoked_subcommand is None:
        source = ctx.get_parameter_source("output")
        _build(**options, output_given=source is not click.core.ParameterSource.DEFAULT)


def _build(
    *,
    layers_dir: Path,
    output: Path,
    title: str | None,
    offline: bool,
    embed_snippet: bool,
    image_layers: str,
    width_px: int,
    height_px: int | None,
    dpi: int,
    compare: tuple[str, str] | None,
    output_given: bool = False,
    **exports: Path | None,
) -> None:
    from .atlas import load
    from .outputs import SUFFIXES, check_targets

    if compare is not None and not output_given:
        output = DEFAULT_COMPARE_OUTPUT

    targets = {"html": output, **{k: v for k, v in exports.items() if v is not None}}
    labels = {kind: "--output" if kind == "html" else f"--{kind}" for kind in SUFFIXES}
    labels["image_layers"] = "--image-layers"
    # before the layers are read: a typo costs no time, and nothing is made for a refused run
    new_folders = [output.parent] if output in (DEFAULT_OUTPUT, DEFAULT_COMPARE_OUTPUT) else []
    check_targets(targets, labels, new_folders=new_folders)
    started = time.perf_counter()
    atlas = load(layers_dir, title=title)
    loaded = time.perf_counter() - started
    target: Any = atlas
    if compare is not None:
        from .compare import compare as make_comparison

        sides = [side or None for side in compare]
        target = make_comparison(atlas, *sides)
    for folder in new_folders:
        folder.mkdir(parents=True, exist_ok=True)
    written = target.write(
        **targets,
        offline=offline,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        image_layers=image_layers,
        labels=labels,
    )
    count = sum(len(layer.features) for layer in atlas.layers)
    for item in written:  # progress goes to stderr: stdout carries only the snippet
        what = (
            f"; {len(atlas.layers)} layers, {count} features{', offline' if offline else ''}"
            if item.kind == "html"
            else ""
        )
        seconds = item.seconds + (loaded if item.kind == "html" else 0.0)
        click.echo(f"Wrote {item.path} ({item.size:,} bytes{what}) in {seconds:.1f} s", err=True)
    if embed_snippet:
        from .render.embed import iframe_snippet

        click.echo(iframe_snippet(output, title=atlas.title))


@cli.command()
@click.option(
    "--layers",
    "layers_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of layer files (default: the main --layers).",
)
@click.pass_context
def check(ctx: click.Context, layers_dir: Path | None) -> None:
    """Validate the layer files (and build their shapes) without writing anything."""
    from .atlas import load_atlas

    if layers_dir is None:
        layers_dir = ctx.parent.params["layers_dir"] if ctx.parent else DEFAULT_LAYERS
    atlas = load_atlas(layers_dir)
    count = sum(len(layer.features) for layer in atlas.layers)
    click.echo(f"OK: {len(atlas.layers)} layers, {count} features in {layers_dir}")


@cli.command()
@click.option(
    "--output",
    "-o",
    type=_path,
    default=None,
    help="Write the schema to this file instead of printing it.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of layer files (for editors that check and complete YAML)."""
    from .schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        with atomic_target(output) as temp:
            temp.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


def main() -> None:
    """Run the CLI (build_map.py, the `defense-map` console script and `python -m geo` call it);
    `--help` names the program as the user typed it."""
    cli()


if __name__ == "__main__":
    main()
