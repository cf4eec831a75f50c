"""Benchmark: build the shipped map and its exports, side by side with GeoDataFrame.explore().

Run: .venv/bin/python bench/bench_build.py   (pip install -e ".[bench]" for mapclassify)
Prints wall-clock times (best of N) and output sizes; it asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geo.atlas import load_atlas  # noqa: E402
from geo.render.html import render_html  # noqa: E402


def best_of(n: int, task: Callable[[], object]) -> tuple[float, object]:
    """Run `task` n times; return the fastest time in seconds and the last result."""
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = task()
        times.append(time.perf_counter() - start)
    return min(times), result


def explore_html(atlas) -> str:
    """The peer: one GeoDataFrame of the same features through geopandas' explore()."""
    import geopandas as gpd

    frames = [layer.features for layer in atlas.layers]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    frame = frame[["id", "layer", "kind", "name", "status", "geometry"]]
    return frame.explore(column="layer", tiles="OpenStreetMap").get_root().render()


def main() -> None:
    layers = REPO / "layers"
    t_load, atlas = best_of(3, lambda: load_atlas(layers))
    t_html, page = best_of(3, lambda: render_html(atlas))
    t_off, offline = best_of(3, lambda: render_html(atlas, offline=True))
    t_explore, peer = best_of(3, lambda: explore_html(atlas))
    rows = [
        ("load + validate + geometry (shipped layers)", t_load, None),
        ("defense-map HTML (CDN)", t_html, len(page.encode())),
        ("defense-map HTML (--offline, self-contained)", t_off, len(offline.encode())),
        ("GeoDataFrame.explore() on the same features", t_explore, len(peer.encode())),
    ]
    with tempfile.TemporaryDirectory() as folder:
        rows += _exports(atlas, Path(folder))
    print(f"{'task':52} {'seconds':>8} {'bytes':>11}")
    for name, seconds, size in rows:
        print(f"{name:52} {seconds:8.3f} {size if size is not None else '':>11}")


def _exports(atlas, folder: Path) -> list[tuple[str, float, int | None]]:
    from geo.render import gis
    from geo.render.static import render_static

    tasks = {
        "GeoJSON": ("map.geojson", gis.write_geojson),
        "GeoPackage": ("map.gpkg", gis.write_gpkg),
        "KML": ("map.kml", gis.write_kml),
        "PNG (1600 px, 150 dpi)": ("map.png", render_static),
        "SVG": ("map.svg", render_static),
        "PDF": ("map.pdf", render_static),
    }
    rows = []
    for name, (file, writer) in tasks.items():
        path = folder / file
        seconds, _ = best_of(2, lambda w=writer, p=path: w(atlas, p))
        rows.append((f"export {name}", seconds, path.stat().st_size))
    return rows


if __name__ == "__main__":
    main()
