"""The command line: `python build_map.py [OPTIONS] [COMMAND]`; `--help` is the reference."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import DefenseMapError, ExportError, LayerFileError
from .fileio import atomic_target, staged_targets

DEFAULT_LAYERS = Path("layers")
DEFAULT_OUTPUT = Path("output/map.html")


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
    default="visible",
    show_default=True,
    help="Layers in static images: visible (those shown when the map opens), all, or "
    "comma-separated layer ids.",
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
        _build(**options)


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
    **exports: Path | None,
) -> None:
    from .atlas import DEFAULT_TITLE, load_atlas
    from .render.html import write_html

    wanted = {name: path for name, path in exports.items() if path is not None}
    _check_outputs(output, wanted)
    started = time.perf_counter()
    atlas = load_atlas(layers_dir, title=title or DEFAULT_TITLE)
    if output == DEFAULT_OUTPUT:
        output.parent.mkdir(parents=True, exist_ok=True)
    static = {
        "width_px": width_px,
        "height_px": height_px,
        "dpi": dpi,
        "layer_ids": _image_layer_ids(atlas, image_layers),
    }
    report = []
    with staged_targets([output, *wanted.values()]) as temps:
        size = write_html(atlas, temps[output], offline=offline)
        count = sum(len(layer.features) for layer in atlas.layers)
        report.append(
            f"Wrote {output} ({size:,} bytes; {len(atlas.layers)} layers, {count} "
            f"features{', offline' if offline else ''}) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        for name, path in wanted.items():
            begun = time.perf_counter()
            _EXPORTS[name](atlas, temps[path], static)
            report.append(
                f"Wrote {path} ({temps[path].stat().st_size:,} bytes) in "
                f"{time.perf_counter() - begun:.1f} s"
            )
    for line in report:  # progress goes to stderr: stdout carries only the snippet
        click.echo(line, err=True)
    if embed_snippet:
        from .render.embed import iframe_snippet

        click.echo(iframe_snippet(output, title=atlas.title))


#: The file name endings each export must have (GDAL picks its driver by the ending).
_SUFFIXES = {"png": ".png", "svg": ".svg", "pdf": ".pdf", "gpkg": ".gpkg", "kml": ".kml"}


def _check_outputs(output: Path, exports: dict[str, Path]) -> None:
    """Refuse, before any work, outputs that cannot all be written side by side."""
    problems = []
    for name, path in exports.items():
        suffix = _SUFFIXES.get(name)
        if suffix and path.suffix.lower() != suffix:
            problems.append(f"--{name} {path}: the file name must end in {suffix}")
    seen: dict[Path, str] = {output.resolve(): "--output"}
    for name, path in exports.items():
        other = seen.setdefault(path.resolve(), f"--{name}")
        if other != f"--{name}":
            problems.append(f"--{name} {path}: {other} writes the same file; give another name")
    for path in [output, *exports.values()]:
        if path != DEFAULT_OUTPUT and not path.parent.resolve().is_dir():
            problems.append(f"{path}: the folder {path.parent} does not exist; create it first")
    if problems:
        raise ExportError("\n".join(problems))


def _image_layer_ids(atlas: Any, choice: str) -> list[str] | None:
    """Turn --image-layers (visible, all, or ids) into the layer ids static images draw."""
    if choice == "visible":
        return None
    known = [layer.id for layer in atlas.layers]
    if choice == "all":
        return known
    ids = [part.strip() for part in choice.split(",") if part.strip()]
    unknown = [i for i in ids if i not in known]
    if unknown or not ids:
        raise ExportError(
            f"--image-layers {choice}: unknown layer id(s) {', '.join(unknown)}; "
            f"use visible, all, or ids among {', '.join(known)}"
        )
    return ids


def _gis(name: str) -> Callable[[Any, Path, dict[str, Any]], None]:
    def export(atlas: Any, path: Path, static: dict[str, Any]) -> None:
        from .render import gis

        getattr(gis, name)(atlas, path)

    return export


def _static(atlas: Any, path: Path, static: dict[str, Any]) -> None:
    from .render.static import render_static

    render_static(atlas, path, **static)


_EXPORTS: dict[str, Callable[[Any, Path, dict[str, Any]], None]] = {
    "geojson": _gis("write_geojson"),
    "gpkg": _gis("write_gpkg"),
    "kml": _gis("write_kml"),
    "png": _static,
    "svg": _static,
    "pdf": _static,
}


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
    """Run the CLI (the console script and build_map.py call this)."""
    cli(prog_name="build_map.py")


if __name__ == "__main__":
    main()
