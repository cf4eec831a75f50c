"""Take a screenshot of a built map in headless Chromium, with no network.

Usage: .venv/bin/python scripts/screenshot.py output/map.html shot.png [--width 1280]
       [--height 800] [--fragment '#map=4/50/20&layers=a,b']
Leaflet's CDN files are served from the installed package and tiles are answered with a blank
tile, so the picture shows exactly what the page draws (use the offline vector base map).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.render.assets import CDN_BASE, leaflet_file

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _route(route) -> None:
    url = route.request.url
    if url.startswith(CDN_BASE + "/"):
        name = url[len(CDN_BASE) + 1 :]
        kind = {"css": "text/css", "png": "image/png"}.get(name.rsplit(".")[-1], "text/javascript")
        # the page asks with crossorigin (for its integrity check): answer as the CDN does
        headers = {"Access-Control-Allow-Origin": "*"}
        route.fulfill(status=200, body=leaflet_file(name), content_type=kind, headers=headers)
    elif url.startswith("file://"):
        route.continue_()
    else:
        route.fulfill(status=204, body=b"")


def screenshot(page_path: Path, out: Path, *, width: int, height: int, fragment: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.route("**/*", _route)
        page.goto(page_path.resolve().as_uri() + fragment)
        page.wait_for_function("window.defenseMap !== undefined")
        page.wait_for_timeout(600)
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--fragment", default="")
    args = parser.parse_args()
    screenshot(args.page, args.out, width=args.width, height=args.height, fragment=args.fragment)


if __name__ == "__main__":
    main()
