"""The command line: `python build_map.py [OPTIONS] [COMMAND]`; `--help` is the reference."""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from . import yamlio
from .errors import DefenseMapError, LayerFileError, Problem, one_line
from .fileio import atomic_target, run_interruptible

DEFAULT_LAYERS = Path("layers")
DEFAULT_OUTPUT = Path("output/map.html")
DEFAULT_COMPARE_OUTPUT = Path("output/compare.html")
#: `--compare` given alone: the default pair (see geo.compare.default_pair)
_DEFAULT_PAIR = ("", "")
#: at most this many problems are printed, then how many more there are
MAX_SHOWN_PROBLEMS = 50
#: set to see the traceback of an unexpected error (a bug) instead of its one line
DEBUG_VARIABLE = "DEFENSE_MAP_DEBUG"


def _report(error: DefenseMapError) -> None:
    if not isinstance(error, LayerFileError):
        for line in str(error).splitlines() or [type(error).__name__]:
            click.echo(f"Error: {one_line(line)}", err=True)
        return
    problems = sorted(set(error.problems), key=Problem.sort_key)
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        click.echo(f"Error: {problem}", err=True)
    more = len(problems) - MAX_SHOWN_PROBLEMS
    if more > 0:
        click.echo(
            f"… and {more:,} more problems ({len(problems):,} in all); nothing was written.",
            err=True,
        )
    elif len(problems) > 1:
        click.echo(f"{len(problems)} problems; nothing was written.", err=True)


def _report_bug(error: Exception) -> None:
    """An error no check foresaw: one line that says so (the traceback if DEFENSE_MAP_DEBUG)."""
    if os.environ.get(DEBUG_VARIABLE):
        traceback.print_exception(error, file=sys.stderr)
    words = one_line(str(error))[:300] or "no message"
    click.echo(
        f"Error: internal error ({type(error).__name__}: {words}); this is a bug: please "
        f"report it with the layer files (set {DEBUG_VARIABLE}=1 to see where it happened)",
        err=True,
    )


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
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (RecursionError, MemoryError) as error:
            what = "nests too deeply" if isinstance(error, RecursionError) else "is too big"
            click.echo(
                f"Error: the input {what} for this computer; lower --max-depth, "
                "--max-features or --max-file-mb",
                err=True,
            )
            ctx.exit(1)
        except Exception as error:  # no traceback for a user, even for a bug
            _report_bug(error)
            ctx.exit(1)


class _FilePath(click.Path):
    """A file to write. A folder given is the outputs' own error (`Error: out: is a folder;
    give a file name`, exit code 1), not click's usage error (exit code 2)."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def get_metavar(self, *args: Any, **kwargs: Any) -> str:
        return "FILE"


_path = _FilePath()

F = TypeVar("F", bound=Callable[..., Any])


def _limit_options(*, inherited: bool) -> Callable[[F], F]:
    """The options that raise the limits of reading layer files (see geo.yamlio.Limits)."""
    limits = yamlio.DEFAULT_LIMITS
    note = " (default: the main option's)" if inherited else ""

    def default(value: Any) -> Any:
        return None if inherited else value

    options = [
        click.option(
            "--max-file-mb",
            type=click.FloatRange(min=0, min_open=True),
            default=default(limits.max_file_bytes / yamlio.MB),
            show_default=not inherited,
            help=f"Refuse a layer file larger than this many megabytes{note}.",
        ),
        click.option(
            "--max-features",
            type=click.IntRange(min=1),
            default=default(limits.max_features),
            show_default=not inherited,
            help=f"Refuse more features than this, in one file or in all{note}.",
        ),
        click.option(
            "--max-depth",
            type=click.IntRange(min=2, max=MAX_DEPTH),
            default=default(limits.max_depth),
            show_default=not inherited,
            help=f"Refuse lists and mappings nested deeper than this{note}.",
        ),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


#: deeper nesting would overflow Python's stack where shapes are built and described
MAX_DEPTH = 200


@contextlib.contextmanager
def _reading_limits(
    max_file_mb: float, max_features: int, max_depth: int
) -> Iterator[yamlio.Limits]:
    with yamlio.limits(
        max_file_bytes=max(1, int(max_file_mb * yamlio.MB)),
        max_features=max_features,
        max_depth=max_depth,
    ) as chosen:
        yield chosen


def _sides(compare: tuple[str, str] | None) -> list[tuple[str, str]]:
    return [("--compare", side) for side in compare or ()]


def _refuse_control_characters(label: str, value: str | Path | None) -> None:
    """An option's text or file name may not hold a control character: it would reach the
    page or forge a line of the messages."""
    text = str(value) if value is not None else ""
    bad = next((c for c in text if not c.isprintable() and c != " "), None)
    if bad is not None:
        raise DefenseMapError(
            f"{label} {one_line(text)}: holds U+{ord(bad):04X}, a control character; "
            "give it without control characters"
        )


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
@_limit_options(inherited=False)
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
    max_file_mb: float,
    max_features: int,
    max_depth: int,
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
    for kind, path in targets.items():
        _refuse_control_characters(labels[kind], path)
    for label, text in (("--title", title), ("--image-layers", image_layers), *_sides(compare)):
        _refuse_control_characters(label, text)
    # before the layers are read: a typo costs no time, and nothing is made for a refused run
    new_folders = [output.parent] if output in (DEFAULT_OUTPUT, DEFAULT_COMPARE_OUTPUT) else []
    check_targets(targets, labels, new_folders=new_folders)
    started = time.perf_counter()
    _import_quietly(*BUILD_MODULES)
    with _reading_limits(max_file_mb, max_features, max_depth):
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
@_limit_options(inherited=True)
@click.pass_context
def check(ctx: click.Context, layers_dir: Path | None, **limits: Any) -> None:
    """Validate the layer files (and build their shapes) without writing anything."""
    from .atlas import load_atlas

    main = ctx.parent.params if ctx.parent else {}
    if layers_dir is None:
        layers_dir = main.get("layers_dir", DEFAULT_LAYERS)
    chosen: dict[str, Any] = {k: main.get(k) if v is None else v for k, v in limits.items()}
    with _reading_limits(**chosen):
        atlas = load_atlas(layers_dir)
    count = sum(len(layer.features) for layer in atlas.layers)
    where = one_line(str(layers_dir))
    click.echo(f"OK: {len(atlas.layers)} layers, {count} features in {where}")


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


#: What every build uses beyond the commands' own modules (which load on first use, so that
#: `check` and `schema` do not pay for folium): the page's renderer, and the reference data.
BUILD_MODULES = (
    "geo.outputs",
    "geo.render.folium_map",
    "geo.render.list_view",
    "geo.reference._world",
)


def _import_quietly(*names: str) -> None:
    """Import modules with the garbage collector paused, then freeze what they made, as
    build_map.py and `main` do for the first imports: a collection during an import walks
    every object made so far, and objects that live as long as the process need no walking
    (the page's renderer and folium, imported so, make a build a tenth faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def main() -> None:
    """Run the CLI (build_map.py, the `defense-map` console script and `python -m geo` call it);
    `--help` names the program as the user typed it; SIGTERM stops it like Ctrl-C, leaving
    the outputs as they were."""
    # What the imports made lives as long as the process: the cyclic garbage collector need
    # not walk it again at each full collection (one took 0.08 s of a 1 s build).
    # build_map.py keeps the collector off while it imports; it is on from here.
    gc.freeze()
    gc.enable()
    run_interruptible(cli)


if __name__ == "__main__":
    main()
