"""Helpers the browser tests share besides their fixtures: the plugins' files, CDN headers,
boxes on the screen."""

from __future__ import annotations

from pathlib import Path

#: The CDN answers with CORS headers; the page asks with `crossorigin` for its integrity check.
CDN_HEADERS = {"Access-Control-Allow-Origin": "*"}


#: Where scripts/fetch_test_assets.py puts the folium plugins' npm packages.
PLUGIN_ASSETS = Path(__file__).resolve().parents[1] / ".assets"
#: The CDN folder each folium plugin loads from -> the npm package holding the same files.
PLUGIN_CDNS = {
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/": "leaflet-measure-2.1.7",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/": "leaflet.fullscreen-3.0.0",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/": "leaflet-minimap-3.6.1",
}
MISSING_PLUGINS = (
    "the folium plugins' browser files are not fetched; run: python scripts/fetch_test_assets.py "
    "(needs npm)"
)
_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png",
          ".svg": "image/svg+xml"}  # fmt: skip


def plugin_file(url: str) -> tuple[bytes, str] | None:
    """Return the packaged copy of a folium plugin's CDN file (the npm package names its files
    with or without `.min`), or None for a URL that is not a plugin's."""
    for prefix, package in PLUGIN_CDNS.items():
        if not url.startswith(prefix):
            continue
        name = url[len(prefix) :].split("?")[0].rsplit("/", 1)[-1]
        root = PLUGIN_ASSETS / package / "package"
        wanted = [name, name.replace(".min.", "."), name.replace(".", ".min.", 1)]
        for candidate in wanted:
            found = sorted(root.rglob(candidate))
            if found:
                return found[0].read_bytes(), _TYPES.get(found[0].suffix, "text/plain")
    return None


def overlap(a: list[float], b: list[float]) -> bool:
    """Whether two screen boxes [left, top, right, bottom] overlap (touching is apart)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
