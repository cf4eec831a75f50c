"""Decide how the page gets Leaflet: CDN links (default) or inlined files (--offline)."""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass

from ..errors import ExportError

LEAFLET_VERSION = "1.9.4"
CDN_BASE = f"https://unpkg.com/leaflet@{LEAFLET_VERSION}/dist"
# The PyPI package `django-js-lib-leaflet` ships Leaflet's dist files unchanged (BSD-2-Clause);
# it needs no Django to be read as package data, and it pins the exact Leaflet version.
_PACKAGE = "js_lib_leaflet"
_FOLDER = "static/js_lib_leaflet"


@dataclass(frozen=True)
class Assets:
    """What the page's <head> needs: either URLs or inline text for Leaflet's CSS and JS."""

    css_url: str | None = None
    js_url: str | None = None
    css_inline: str | None = None
    js_inline: str | None = None


def cdn_assets() -> Assets:
    """Return CDN links to Leaflet (the page then needs the network)."""
    return Assets(css_url=f"{CDN_BASE}/leaflet.css", js_url=f"{CDN_BASE}/leaflet.js")


def leaflet_file(name: str) -> bytes:
    """Read one of Leaflet's dist files from the installed package."""
    try:
        root = importlib.resources.files(_PACKAGE)
    except ModuleNotFoundError:
        raise ExportError(
            "Leaflet's files are not installed; run: pip install django-js-lib-leaflet"
        ) from None
    return root.joinpath(_FOLDER, name).read_bytes()


def inline_assets() -> Assets:
    """Return Leaflet's CSS and JS as text to inline, for a page that needs no network."""
    css = leaflet_file("leaflet.css").decode("utf-8")
    # Leaflet's CSS names images only for the default marker and layer icons (and an old IE
    # VML behaviour), none of which our controls use; strip every url(...) declaration so
    # the page asks for nothing.
    css = _drop_image_urls(css)
    js = leaflet_file("leaflet.js").decode("utf-8")
    return Assets(css_inline=css, js_inline=js)


def _drop_image_urls(css: str) -> str:
    import re

    return re.sub(r"[a-z-]+:\s*url\([^)]*\);?", "", css)


def own_file(name: str) -> str:
    """Read one of our own page files (map.js, map.css) shipped beside this module."""
    return importlib.resources.files("geo.render").joinpath(name).read_text("utf-8")
