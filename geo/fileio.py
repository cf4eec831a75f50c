"""Write files atomically: an existing output is either replaced whole or left as it was."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import ExportError

PathLike = str | os.PathLike[str]


@contextlib.contextmanager
def atomic_target(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it over `path` only if the block succeeds.

    A temporary *folder* (not just a file) holds the work so that drivers which add sidecar
    files (SQLite journals for GeoPackage) are cleaned up with it, and so the file inside keeps
    the target's name and extension, which GDAL uses to pick a driver.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write {target}: folder {folder} does not exist; create it first")
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a folder; give a file name")
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        temp = work / target.name
        yield temp
        fsync_file(temp)
        os.replace(temp, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fsync_file(path: Path) -> None:
    """Flush `path` to disk so the rename never exposes a file whose bytes are not yet written."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def staged_targets(paths: list[Path]) -> Iterator[dict[Path, Path]]:
    """Yield a temporary path for each target; replace the targets only if all were written.

    A run that writes a map and several exports either replaces all of them or none, so a
    failing export never leaves a new map beside old exports.
    """
    with contextlib.ExitStack() as stack:
        temps = {path: stack.enter_context(atomic_target(path)) for path in paths}
        yield temps
        for path, temp in temps.items():
            if not temp.exists():
                raise ExportError(f"cannot write {path}: nothing was written")
    # atomic_target moves each temporary file over its target as the stack unwinds: only
    # reached when the block and every check above succeeded
