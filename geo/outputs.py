"""Write an Atlas's outputs together: the HTML map and any exports, all replaced or none.

Both the Python API (`Atlas.save_html`, `Atlas.to_png`, …, `Atlas.write`) and the command line
come through `write_outputs`, so they check, stage and replace files the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atlas_types import Atlas
from .errors import ExportError
from .fileio import folder_problem, staged_targets

if TYPE_CHECKING:
    from .compare import Comparison

PathLike = str | os.PathLike[str]

#: The outputs, in the order they are written, and the file name ending each must have (GDAL
#: and matplotlib pick their format by it; the HTML map and GeoJSON may be named freely).
SUFFIXES: dict[str, str | None] = {
    "html": None,
    "geojson": None,
    "gpkg": ".gpkg",
    "kml": ".kml",
    "png": ".png",
    "svg": ".svg",
    "pdf": ".pdf",
}


@dataclass(frozen=True)
class Written:
    """One file written by `write_outputs`."""

    kind: str  # a key of SUFFIXES
    path: Path
    size: int  # bytes
    seconds: float


@dataclass(frozen=True)
class _Options:
    offline: bool
    width_px: int
    height_px: int | None
    dpi: float
    layer_ids: list[str] | None
    compare: Comparison | None = None


def write_outputs(
    atlas: Atlas,
    targets: Mapping[str, PathLike | None],
    *,
    offline: bool = False,
    width_px: int = 1600,
    height_px: int | None = None,
    dpi: float = 150,
    image_layers: str | Iterable[str] = "story",
    labels: Mapping[str, str] | None = None,
    compare: Comparison | None = None,
) -> list[Written]:
    """Write each output of `targets` (kind -> path; kinds as in SUFFIXES); all or nothing.

    Targets are checked before any work (file name endings, two outputs on one file, missing or
    read-only folders, a folder where a file should go); every file is written beside its
    target, and the targets are replaced only when all of them were written, under a lock that
    keeps another build's replacements from mixing in (see `geo.fileio`). `image_layers`
    (static images only): "story" (the layers shown when the map opens and every dated layer;
    the image names the others), "visible" (only those shown when the map opens), "all", or
    layer ids. `labels` name the targets in error messages (the CLI passes its option names);
    by default they are the keyword names (`png=`).
    `compare` (a `geo.compare.Comparison`): the page and the images show its two sides in
    panes side by side, `image_layers` aside; the GIS files hold every layer.
    """
    wanted = {kind: Path(path) for kind, path in targets.items() if path is not None}
    names = {kind: (labels or {}).get(kind, f"{kind}=") for kind in wanted}
    check_targets(wanted, names)
    layer_ids = image_layer_ids(
        atlas, image_layers, label=(labels or {}).get("image_layers", "image_layers=")
    )
    options = _Options(offline, width_px, height_px, dpi, layer_ids, compare)
    written = []
    with staged_targets(list(wanted.values())) as temps:
        for kind, path in wanted.items():
            started = time.perf_counter()
            _WRITERS[kind](atlas, temps[path], options)
            seconds = time.perf_counter() - started
            written.append(Written(kind, path, temps[path].stat().st_size, seconds))
    return written


def check_targets(
    targets: Mapping[str, Path], names: Mapping[str, str], *, new_folders: Iterable[Path] = ()
) -> None:
    """Refuse, before any work, outputs that cannot all be written side by side.

    `new_folders` are folders the caller will make before writing (the CLI's `output/`).
    """
    made = {folder.resolve() for folder in new_folders}
    problems = []
    for kind, path in targets.items():
        if kind not in SUFFIXES:
            raise ExportError(f"{kind!r} is not an output; choose from {', '.join(SUFFIXES)}")
        suffix = SUFFIXES[kind]
        if suffix and path.suffix.lower() != suffix:
            problems.append(f"{names[kind]} {path}: the file name must end in {suffix}")
    seen: dict[Path, str] = {}
    for kind, path in targets.items():
        other = seen.setdefault(path.resolve(), names[kind])
        if other != names[kind]:
            problems.append(
                f"{names[kind]} {path}: {other} writes the same file; give another name"
            )
    for path in targets.values():
        problem = _place_problem(path, made)
        if problem:
            problems.append(problem)
    if problems:
        raise ExportError("\n".join(problems))


def _place_problem(path: Path, made: set[Path]) -> str | None:
    """Say why no file can be written at `path` (a folder there, its folder missing or
    read-only), or None; folders in `made` will be made in their nearest existing one."""
    if path.is_dir():
        return f"{path}: is a folder; give a file name"
    if path.parent.resolve() not in made:
        return folder_problem(path)
    existing = next((p for p in path.parent.parents if p.is_dir()), Path("."))
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot write {path}: folder {existing} is read-only"
    return None


def image_layer_ids(
    atlas: Atlas, choice: str | Iterable[str], *, label: str = "image_layers="
) -> list[str] | None:
    """Turn an image-layers choice ("story", "visible", "all", "a,b" or a list of ids) into
    layer ids; None is the static renderer's default, the story (see `story_layers`)."""
    known = [layer.id for layer in atlas.layers]
    if choice == "story":
        return None
    if choice == "visible":
        return [layer.id for layer in atlas.layers if layer.visible]
    if choice == "all":
        return known
    text = choice if isinstance(choice, str) else ",".join(choice)
    ids = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [i for i in ids if i not in known]
    if unknown or not ids:
        raise ExportError(
            f"{label} {text}: unknown layer id(s) {', '.join(unknown)}; "
            f"use story, visible, all, or ids among {', '.join(known)}"
        )
    return ids


def _html(atlas: Atlas, path: Path, options: _Options) -> None:
    from .render.html import render_html

    if options.compare is not None:
        page = options.compare.to_folium(offline=options.offline).render()
        path.write_bytes(page.encode("utf-8"))
        return
    path.write_bytes(render_html(atlas, offline=options.offline).encode("utf-8"))


def _gis(name: str) -> Callable[[Atlas, Path, _Options], None]:
    def export(atlas: Atlas, path: Path, options: _Options) -> None:
        from .render import gis

        getattr(gis, name)(atlas, path)

    return export


def _static(atlas: Atlas, path: Path, options: _Options) -> None:
    from .render.static import render_static, render_static_compare

    pair = options.compare
    if pair is not None:
        render_static_compare(
            atlas,
            path,
            left=pair.left.layers,
            right=pair.right.layers,
            left_title=pair.left.label,
            right_title=pair.right.label,
            width_px=options.width_px,
            height_px=options.height_px,
            dpi=options.dpi,
        )
        return
    render_static(
        atlas,
        path,
        width_px=options.width_px,
        height_px=options.height_px,
        dpi=options.dpi,
        layer_ids=options.layer_ids,
    )


_WRITERS: dict[str, Callable[[Atlas, Path, Any], None]] = {
    "html": _html,
    "geojson": _gis("write_geojson"),
    "gpkg": _gis("write_gpkg"),
    "kml": _gis("write_kml"),
    "png": _static,
    "svg": _static,
    "pdf": _static,
}
