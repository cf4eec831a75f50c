"""The user's cache folder: data the map derives the same way every run, kept between runs.

What goes here is made from files of this package alone (the reference geography and the code
that reads it), never from layer files. Each entry's name holds a digest of everything it is
made from, so a change of the data, of the code or of a library makes a new entry; an entry
that cannot be read is made again, and one that cannot be written only costs time.

The folder is ``$DEFENSE_MAP_CACHE`` (``off``: no cache), else ``$XDG_CACHE_HOME/defense-map``
or ``~/.cache/defense-map``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

__all__ = ["cache_file", "cache_folder", "write_quietly"]


def cache_folder() -> Path | None:
    """The cache folder (see the module's text), or None when caching is off."""
    folder = os.environ.get("DEFENSE_MAP_CACHE")
    if folder == "off":
        return None
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "defense-map")
    return Path(folder)


def cache_file(prefix: str, suffix: str, *made_from: bytes | Path) -> Path | None:
    """The entry named `prefix`-digest`suffix` for what it is made from (bytes, or files whose
    names and bytes count), or None when caching is off."""
    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256()
    for part in made_from:
        if isinstance(part, Path):
            part = part.name.encode() + b"\0" + part.read_bytes()
        digest.update(len(part).to_bytes(8, "big") + part)
    return folder / f"{prefix}-{digest.hexdigest()[:20]}{suffix}"


def write_quietly(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole (a temporary file, then renamed), or not at all; entries
    of the same kind made from other data (an older version) are removed, so that the
    folder does not grow with every upgrade."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return
    kind = _ENTRY.fullmatch(path.name)
    if kind is None:
        return
    for other in path.parent.iterdir():
        same = _ENTRY.fullmatch(other.name)
        if other.name != path.name and same is not None and same.group(1, 3) == kind.group(1, 3):
            with contextlib.suppress(OSError):
                other.unlink()


#: an entry's name: kind, digest, suffix
_ENTRY = re.compile(r"([a-z]+)-([0-9a-f]{20})(\.[a-z]+)")
