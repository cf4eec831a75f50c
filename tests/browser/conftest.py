"""A headless Chromium that opens rendered maps with the network cut off.

Every request the page makes goes through one route handler: Leaflet's CDN files are served
from the installed package, map tiles get a small generated PNG, and anything else is aborted
and recorded so a test can say which request it did not expect. Console errors, page errors
and dialogs (an `alert` from injected markup) are recorded too.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from browser_support import CDN_HEADERS, plugin_file  # beside this file

from geo.render.assets import CDN_BASE, leaflet_file

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_BROWSER = (
    "Chromium not found at /usr/bin/chromium; install it with: sudo apt-get install chromium "
    "(and pip install -e '.[test]')"
)
TILE_HOSTS = ("server.arcgisonline.com", "tile.openstreetmap.org")
#: Requests a page may make without leaving the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
#: Generous for a local page; a test that needs longer is waiting for something that never comes.
TIMEOUT_MS = 5_000


def _missing_browser(reason: str) -> NoReturn:
    """Skip on a developer machine without Chromium, but fail in CI, where it must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@cache
def tile_png() -> bytes:
    """Return a 256×256 PNG tile: pale land colour with a darker one-pixel grid at its edges."""
    size = 256
    land, line = b"\xee\xeb\xe3", b"\xcf\xd6\xdc"
    edge_row = b"\x00" + line * size
    inner_row = b"\x00" + line + land * (size - 1)
    raw = edge_row + inner_row * (size - 1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))  # fmt: skip


@dataclass
class PageWatch:
    """What one page did that a person would notice or that should never happen."""

    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt messages
    blocked: list[str] = field(default_factory=list)  # requests aborted: nothing answers them
    served: list[str] = field(default_factory=list)  # requests answered from local files
    requested: list[str] = field(default_factory=list)  # every request the page started

    def network(self) -> list[str]:
        """Return every request that would have left the machine."""
        return [url for url in self.requested if not url.startswith(LOCAL_SCHEMES)]


def _cdn_files() -> dict[str, tuple[bytes, str]]:
    files = {
        f"{CDN_BASE}/leaflet.js": (leaflet_file("leaflet.js"), "application/javascript"),
        f"{CDN_BASE}/leaflet.css": (leaflet_file("leaflet.css"), "text/css"),
    }
    for image in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
                  "marker-shadow.png"):  # fmt: skip
        files[f"{CDN_BASE}/images/{image}"] = (leaflet_file(f"images/{image}"), "image/png")
    return files


def _router(watch: PageWatch, *, offline: bool) -> Callable[[Route, Request], None]:
    """Answer CDN and tile requests locally (unless offline), abort and record everything else."""
    cdn = {} if offline else _cdn_files()

    def handle(route: Route, request: Request) -> None:
        url = request.url
        plugin = None if offline else plugin_file(url)
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        elif url in cdn:
            body, content_type = cdn[url]
            watch.served.append(url)
            route.fulfill(status=200, body=body, content_type=content_type, headers=CDN_HEADERS)
        elif plugin is not None:
            watch.served.append(url)
            route.fulfill(status=200, body=plugin[0], content_type=plugin[1], headers=CDN_HEADERS)
        elif not offline and any(f"{host}/" in url for host in TILE_HOSTS):
            watch.served.append(url)
            route.fulfill(status=200, body=tile_png(), content_type="image/png")
        else:
            watch.blocked.append(url)
            route.abort("blockedbyclient")

    return handle


def _watch_page(page: Page, watch: PageWatch) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            watch.errors.append(f"console: {message.text}")

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.errors.append(f"page error: {exc}"))
    page.on("dialog", on_dialog)
    page.on("request", lambda request: watch.requested.append(request.url))


@dataclass
class MapOpener:
    """Open rendered map files in fresh pages of one browser context."""

    context: BrowserContext
    watches: dict[int, PageWatch] = field(default_factory=dict)

    def __call__(
        self,
        html: Path,
        fragment: str = "",
        *,
        offline: bool = False,
        viewport: tuple[int, int] | None = None,
    ) -> Page:
        """Open `html` (plus `#fragment`) and return once the map script has run."""
        page = self.context.new_page()
        if viewport is not None:
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        self.watch_new(page, offline=offline)
        page.goto(html.resolve().as_uri() + (f"#{fragment}" if fragment else ""))
        page.wait_for_function("() => window.defenseMap !== undefined")
        return page

    def watch_new(self, page: Page, *, offline: bool = False) -> PageWatch:
        """Record what `page` does and answer its requests locally; return the record."""
        watch = PageWatch()
        self.watches[id(page)] = watch
        _watch_page(page, watch)
        page.route("**/*", _router(watch, offline=offline))
        return watch

    def watch(self, page: Page) -> PageWatch:
        """Return the record of what `page` did."""
        return self.watches[id(page)]


@pytest.fixture
def missing_browser() -> Callable[[str], NoReturn]:
    """Skip (or, in CI, fail) a test whose browser-side parts are not installed."""
    return _missing_browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (starting it is the slow part)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser(MISSING_BROWSER)
    if not CHROMIUM.is_file():
        _missing_browser(MISSING_BROWSER)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_map(browser: Browser) -> Iterator[MapOpener]:
    """Open maps in a fresh browser context: no cookies, history or cache shared across tests."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    yield MapOpener(context)
    context.close()
