"""Fetch the browser files of the folium plugins that a browser test adds to our map.

Usage: python scripts/fetch_test_assets.py [FOLDER]   (default: tests/.assets, git-ignored)

The plugin test (tests/browser/test_folium_browser.py) checks that a user can add
`plugins.MeasureControl`, `plugins.Fullscreen` and `plugins.MiniMap` to our folium map. Those
plugins load their JavaScript from CDNs; the test serves the same files from their npm packages
instead, so it needs no network. This script fetches those packages with `npm pack` (set-up time,
from the npm registry); without npm it says so and exits 0, and the test is skipped with a hint.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

#: The npm packages (and the versions folium 0.20's plugins load from their CDNs).
PACKAGES = ("leaflet-measure@2.1.7", "leaflet.fullscreen@3.0.0", "leaflet-minimap@3.6.1")
DEFAULT = Path(__file__).resolve().parents[1] / "tests" / ".assets"


def fetch(folder: Path) -> int:
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the folium plugin browser test will be skipped", file=sys.stderr)
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    for spec in PACKAGES:
        name = spec.replace("@", "-")
        if (folder / name / "package").is_dir():
            continue
        subprocess.run(
            [npm, "pack", "--silent", spec], cwd=folder, check=True, stdout=subprocess.DEVNULL
        )
        archive = folder / f"{name}.tgz"
        with tarfile.open(archive) as tar:
            tar.extractall(folder / name, filter="data")
        archive.unlink()
    print(f"plugin test assets in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
