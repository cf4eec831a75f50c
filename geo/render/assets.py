"""Decide how the page gets Leaflet: CDN links (default) or inlined files (--offline)."""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import re
from dataclasses import dataclass
from functools import cache

from ..errors import ExportError

LEAFLET_VERSION = "1.9.4"
CDN_BASE = f"https://unpkg.com/leaflet@{LEAFLET_VERSION}/dist"
# The PyPI package `django-js-lib-leaflet` ships Leaflet's dist files unchanged (BSD-2-Clause);
# it needs no Django to be read as package data, and it pins the exact Leaflet version.
_PACKAGE = "js_lib_leaflet"
_FOLDER = "static/js_lib_leaflet"


@dataclass(frozen=True)
class Assets:
    """What the page's <head> needs: either URLs (with their SRI hashes) or inline text for
    Leaflet's CSS and JS."""

    css_url: str | None = None
    js_url: str | None = None
    css_integrity: str | None = None
    js_integrity: str | None = None
    css_inline: str | None = None
    js_inline: str | None = None


def cdn_assets() -> Assets:
    """Return CDN links to Leaflet with Subresource Integrity hashes (the page needs the network).

    The hashes are computed from the packaged copies, which are the same bytes as the CDN's (the
    npm package leaflet@1.9.4's dist files); a browser refuses a CDN file that differs.
    """
    return Assets(
        css_url=f"{CDN_BASE}/leaflet.css",
        js_url=f"{CDN_BASE}/leaflet.js",
        css_integrity=integrity("leaflet.css"),
        js_integrity=integrity("leaflet.js"),
    )


@cache
def integrity(name: str) -> str:
    """Return the Subresource Integrity value (sha384) of one of Leaflet's dist files."""
    digest = hashlib.sha384(leaflet_file(name)).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def leaflet_file(name: str) -> bytes:
    """Read one of Leaflet's dist files from the installed package."""
    try:
        root = importlib.resources.files(_PACKAGE)
    except ModuleNotFoundError:
        raise ExportError(
            "Leaflet's files are not installed; run: pip install django-js-lib-leaflet"
        ) from None
    return root.joinpath(_FOLDER, name).read_bytes()


@cache
def inline_assets() -> Assets:
    """Return Leaflet's CSS and JS as text to inline, for a page that needs no network (read
    once per process)."""
    css = _inline_images(leaflet_file("leaflet.css").decode("utf-8"))
    # Leaflet finds its default marker images through a CSS path; a data: URL has none, so the
    # default icon (a user's folium.Marker) is told its images directly.
    icons = "".join(
        f"L.Icon.Default.prototype.options.{option}={_data_url(file)!r};"
        for option, file in _DEFAULT_ICON.items()
    )
    js = leaflet_file("leaflet.js").decode("utf-8") + f'\nL.Icon.Default.imagePath="";{icons}\n'
    return Assets(css_inline=css, js_inline=js)


_DEFAULT_ICON = {
    "iconUrl": "marker-icon.png",
    "iconRetinaUrl": "marker-icon-2x.png",
    "shadowUrl": "marker-shadow.png",
}


def _data_url(image: str) -> str:
    body = base64.b64encode(leaflet_file(f"images/{image}")).decode("ascii")
    return f"data:image/png;base64,{body}"


def _inline_images(css: str) -> str:
    """Inline the images Leaflet's CSS names (layer and marker icons) and drop any other url()
    (an old IE behaviour file), so the page asks for nothing."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("images/"):
            return f"url({_data_url(name.removeprefix('images/'))})"
        return "none"

    return re.sub(r"url\(\s*['\"]?([^'\")]*)['\"]?\s*\)", replace, css)


@cache
def own_file(name: str) -> str:
    """Read one of our own page files (map.js, map.css) shipped beside this module."""
    return importlib.resources.files("geo.render").joinpath(name).read_text("utf-8")
