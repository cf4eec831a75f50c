"""Benchmark: how long a map page takes to be drawn in headless Chromium.

Run: .venv/bin/python bench/bench_page.py [PAGE.html ...]   (needs /usr/bin/chromium)
With no argument it builds the shipped map (online and offline) and, beside it, the
`GeoDataFrame.explore()` map of the same features. CDN files are answered from the installed
packages and tiles with a blank image, so nothing leaves the machine and the figure is the
page's own work. "Drawn" is the moment the page shows its shapes and markers; the figure is the
median of several loads. It asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: True once a page shows vector shapes and (if it has any) markers.
DRAWN_JS = """() => {
  const shapes = document.querySelectorAll('.leaflet-overlay-pane path').length;
  const marks = document.querySelectorAll('.leaflet-marker-pane > *').length;
  return shapes > 0 && marks >= 0 && document.readyState === 'complete';
}"""
LOADS = 9


def time_to_drawn_ms(html: Path, *, loads: int = LOADS) -> float:
    """Return the median time in ms from navigation start until `html` is drawn."""
    from playwright.sync_api import sync_playwright

    sys.path[:0] = [str(REPO / "tests" / "browser")]
    from conftest import CHROMIUM, CHROMIUM_ARGS, PageWatch, _router

    from geo.render.assets import leaflet_file

    local = _router(PageWatch(), offline=False)

    def route(route, request):  # any CDN's copy of Leaflet (the peer uses another CDN)
        name = request.url.rsplit("/", 1)[-1]
        if name in ("leaflet.js", "leaflet.css") and "/leaflet" in request.url:
            kind = "application/javascript" if name.endswith(".js") else "text/css"
            route.fulfill(status=200, body=leaflet_file(name), content_type=kind)
        else:
            local(route, request)

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(loads):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.route("**/*", route)
            page.goto(html.resolve().as_uri())
            page.wait_for_function(DRAWN_JS, polling="raf", timeout=30_000)
            times.append(page.evaluate("() => performance.now()"))
            context.close()
        browser.close()
    return statistics.median(times)


def _shipped_pages(folder: Path) -> dict[str, Path]:
    from bench_build import explore_html

    import geo

    atlas = geo.load(REPO / "layers")
    pages = {
        "defense-map (CDN)": folder / "map.html",
        "defense-map (--offline)": folder / "off.html",
    }
    atlas.save_html(pages["defense-map (CDN)"])
    atlas.save_html(pages["defense-map (--offline)"], offline=True)
    pages["GeoDataFrame.explore()"] = folder / "explore.html"
    pages["GeoDataFrame.explore()"].write_text(explore_html(atlas), encoding="utf-8")
    return pages


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        pages = {p: Path(p) for p in argv} if argv else _shipped_pages(Path(folder))
        print(f"{'page':40} {'bytes':>11} {'drawn (ms, median)':>20}")
        for name, path in pages.items():
            print(f"{name:40} {path.stat().st_size:11,} {time_to_drawn_ms(path):20.0f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(sys.argv[1:])
