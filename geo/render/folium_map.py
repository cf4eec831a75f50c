"""The Atlas as a real `folium.Map`: one folium element per layer, our controls as MacroElements.

What folium gives a user stays: the returned map takes folium layers and plugins, saves with
`.save()` and shows itself in Jupyter. What the project needs on top:

- **Text stays text.** Our parts are written by Python, escaped where they go into markup, and
  reach the page as they are (`_LiteralMacro`); folium would run a MacroElement's output
  through Jinja a second time, so `{{ … }}` in a layer's name would be evaluated. (Nor do they
  need Jinja to make them: compiling our templates took a twentieth of a small map's build.)
  User strings travel as JSON data and are written into the page by our script with
  `textContent`, never by folium's popup, tooltip or layer-control widgets, which insert markup.
- **Stable ids.** Our elements get ids derived from the layer ids (`_stable_id`), set on our own
  objects after they are made; folium's id generator is never touched, so any other map built
  in the same process (before, after, in another thread) keeps its own random ids.
- **A light page.** Leaflet only: no jQuery, Bootstrap or Font Awesome; page zoom allowed on
  phones; the title escaped; Subresource Integrity on the CDN files; a readable message when
  the CDN cannot be reached.
- **Offline.** Leaflet and its images inlined, no tiles; a user-added element whose assets would
  have to come from the network is left out with a warning naming it (`OfflineAssetWarning`).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import folium
from branca.element import Element, Figure, Link, MacroElement
from folium.elements import JSCSSMixin
from folium.raster_layers import TileLayer
from jinja2.utils import htmlsafe_json_dumps

from .. import __version__
from ..atlas_types import Atlas, Layer
from ..errors import OfflineAssetWarning
from .assets import Assets, cdn_assets, inline_assets, own_file


def script_json(data: Any) -> str:
    """Serialise data for a <script> element: `<`, `>`, `&` and line separators escaped.

    >>> script_json({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _digest(*parts: str) -> str:
    """Return a short, stable hex digest of `parts` (the same parts, the same digest).

    >>> _digest("iran-threat"), _digest("iran-threat") == _digest("iran", "threat")
    ('d5674fff', False)
    """
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:8]


def _js_name(layer_id: str) -> str:
    """Return a layer id as a piece of a JavaScript name.

    >>> _js_name("russia-sectoral-2011")
    'russia_sectoral_2011'
    """
    return re.sub(r"[^a-zA-Z0-9_]", "_", layer_id)


class _Text(Element):
    """Text that reaches the page exactly as given (never parsed as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _tojson(value: Any) -> str:
    """JSON for a script, as Jinja's `tojson` writes it (keys sorted; `<>&'` escaped).

    >>> _tojson({"b": "</script>", "a": 1})
    '{"a": 1, "b": "\\\\u003c/script\\\\u003e"}'
    """
    return str(htmlsafe_json_dumps(value, sort_keys=True))


def _attr(value: Any) -> str:
    """Text for an HTML attribute or element: `&<>"'` escaped."""
    return html.escape(str(value), quote=True)


class _LiteralMacro(MacroElement):
    """A MacroElement whose header, html and script parts are made once, as text, by the
    methods `header_text`, `html_text` and `script_text` a subclass defines (any of them)."""

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} can only be rendered inside a folium Figure")
        for part in ("header", "html", "script"):
            make = getattr(self, f"{part}_text", None)
            if make is not None:
                getattr(figure, part).add_child(_Text(make()), name=self.get_name())
        for child in list(self._children.values()):
            child.render(**kwargs)
        return ""  # the parts went into the figure's header, body and script


#: The id of the page's text version (one per page, also in a comparison).
LIST_ID = "dm-text-version"


#: With the map's script, the text version opens over the map on demand (`prepareList`). It is
#: hidden before it is parsed: laid out as the browser reads it, a long one (100,000 sites)
#: took half a minute to open. Without JavaScript, or without Leaflet, it is there to be read.
_HIDE_LIST = (
    "<style>.dm-list-later .dm-list:not(.dm-list-overlay) { display: none; }</style>\n"
    '<script>if (window.L) { document.documentElement.classList.add("dm-list-later"); }</script>'
)


class DefenseFigure(Figure):
    """The page around a DefenseMap: language, charset, an escaped title, zoomable on phones,
    a skip link, and the map's text version for readers without JavaScript or sight."""

    def __init__(self, *, title: str, offline: bool, atlas: Atlas | None = None) -> None:
        super().__init__(title=title)
        self._id = "defense_figure"
        self.offline = offline
        self.header._children.pop("meta_http", None)  # our template declares the charset
        if atlas is not None:
            from .list_view import list_view_html

            self.html.add_child(
                _Text(
                    f'<a class="dm-skip" href="#{LIST_ID}">Skip to the text version of this map</a>'
                ),
                name="defense-skip",
            )
            self.html.add_child(_Text("<main>"), name="defense-main")
            self._text_version = _Text(
                '<noscript><p class="dm-noscript">The interactive map needs JavaScript; its '
                f"text version follows.</p></noscript>\n{_HIDE_LIST}\n"
                + list_view_html(atlas, element_id=LIST_ID)
            )

    def render(self, **kwargs: Any) -> str:
        if not self.offline:
            return self._render(**kwargs)
        with _without_remote_assets(self):
            return self._render(**kwargs)

    def _render(self, **kwargs: Any) -> str:
        for child in list(self._children.values()):
            child.render(**kwargs)
        if hasattr(self, "_text_version"):  # after the maps, in the reading order
            self.html.add_child(self._text_version, name="defense-text-version")
            self.html.add_child(_Text("</main>"), name="defense-main-end")
        if self.offline:
            _drop_remote_links(self.header)
        generator = f"defense-map {__version__} (folium {folium.__version__})"
        head = self.header.render(**kwargs)
        body = self.html.render(**kwargs)
        script = self.script.render(**kwargs)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{_attr(self.title)}</title>\n<meta name="generator" content="'
            f'{_attr(generator)}">\n{head}\n</head>\n<body>\n{body}\n<script>\n{script}\n'
            "</script>\n</body>\n</html>"
        )


#: What a reader sees when Leaflet cannot be loaded from the CDN (no network, a blocker).
NO_LEAFLET_MESSAGE = (
    "This map needs the Leaflet library from {host}, which could not be loaded (no network, or "
    "it was blocked). Connect to the internet and reload, or open the offline version of this "
    "map (built with --offline), which needs no network."
)


class DefenseMap(_LiteralMacro, folium.Map):
    """A folium.Map of an Atlas. Add folium layers and plugins to it as to any folium map.

    Its overlays are `DefenseLayer` children keyed by layer id (`m.layers["iran-threat"]`).
    """

    # Leaflet comes with our own <head> entries (with SRI, or inlined); nothing else is loaded.
    default_js: list[tuple[str, str]] = []  # noqa: RUF012 - folium's own attribute
    default_css: list[tuple[str, str]] = []  # noqa: RUF012

    def __init__(
        self,
        atlas: Atlas,
        *,
        offline: bool = False,
        figure: Figure | None = None,
        pane: dict[str, str] | None = None,
        beside: DefenseMap | None = None,
        view: dict[str, Any] | None = None,
    ) -> None:
        """`figure`, `pane` and `beside` place the map as one pane of a comparison (see
        `geo.compare`): the page, the assets and identical layer data are the first pane's.
        `view` overrides parts of the controls' data (`bounds`, `subtitle`)."""
        from .html import canvas_layers

        super().__init__(location=None, tiles=None, zoom_control=True)
        self._name = "Map"
        # ids derived from the layer ids: the same atlas, the same page; two maps, two names
        self._id = _digest(atlas.title, *(layer.id for layer in atlas.layers))
        (figure or DefenseFigure(title=atlas.title, offline=offline, atlas=atlas)).add_child(self)
        self.title = atlas.title
        self.offline = offline
        self.pane = pane
        self.include_assets = beside is None
        self.assets: Assets = inline_assets() if offline else cdn_assets()
        host = "" if offline else (self.assets.js_url or "").split("/")[2]
        self.no_leaflet_js = _no_leaflet_script(NO_LEAFLET_MESSAGE.format(host=host))
        self.own_css = own_file("map.css")
        self.own_js = page_script()
        self.map_options = {"center": [0, 0], "zoom": 1, "zoomSnap": 0.25, "zoomControl": True}
        self.controls = DefenseControls(self, atlas, beside=beside, view=view)
        self.add_child(self.controls, name="defense-controls")
        #: The overlays, by layer id: folium elements a user can reach and add children to.
        self.layers: dict[str, DefenseLayer] = {}
        names: set[str] = set()
        canvas = canvas_layers(atlas)
        for layer in atlas.layers:
            name = _js_name(layer.id)
            if name in names:  # "a-b" and "a_b" are two layers: keep their names apart
                name = f"{name}_{_digest(layer.id)}"
            names.add(name)
            shared = beside.layers.get(layer.id) if beside is not None else None
            element = DefenseLayer(
                self, layer, f"{name}_{self._id}", shared=shared, canvas=layer.id in canvas
            )
            self.layers[layer.id] = element
            self.add_child(element, name=layer.id)
        self.add_child(DefenseStart(self.controls), name="defense-start")

    def header_text(self) -> str:
        """Leaflet (linked with SRI, or inlined), the note for when it cannot load, and our
        style and script; a second pane of a comparison uses the first one's."""
        if not self.include_assets:
            return ""
        a = self.assets
        if a.css_url:
            text = (
                f'\n<link rel="stylesheet" href="{_attr(a.css_url)}"\n'
                f'  integrity="{_attr(a.css_integrity)}" crossorigin="anonymous">'
            )
        else:
            text = f"\n<style>{a.css_inline}</style>"
        if a.js_url:
            text += (
                f'\n<script src="{_attr(a.js_url)}"\n'
                f'  integrity="{_attr(a.js_integrity)}" crossorigin="anonymous"></script>'
            )
        else:
            text += f"\n<script>{a.js_inline}</script>"
        return (
            f"{text}\n<script>{self.no_leaflet_js}</script>\n<style>{self.own_css}</style>\n"
            f"<script>{self.own_js}</script>"
        )

    def html_text(self) -> str:
        pane = f" dm-pane dm-pane-{_attr(self.pane['side'])}" if self.pane else ""
        return (
            f'\n<div class="folium-map dm-map{pane}"\n  id="{_attr(self.get_name())}" '
            f'role="region" aria-label="Interactive map: {_attr(self.title)}"></div>'
        )

    def script_text(self) -> str:
        name = self.get_name()
        return f"\nvar {name} = L.map({_tojson(name)}, {_tojson(self.map_options)});"


#: Our page scripts, in the order they run: the core first, then the reader's tools.
PAGE_SCRIPTS = ("map.js", "timeline.js", "search.js", "measure.js")


def page_script() -> str:
    """Our page script: the core and the tools that plug into it, defined once per page."""
    body = "\n".join(own_file(name) for name in PAGE_SCRIPTS)
    return "if (!window.DefenseMap) {\n" + body + "\n}"


def _no_leaflet_script(message: str) -> str:
    """Return a script that puts `message` in the page when Leaflet did not load."""
    return (
        "if (!window.L) { document.addEventListener('DOMContentLoaded', function () {"
        " var box = document.createElement('div'); box.className = 'dm-no-leaflet';"
        " box.setAttribute('role', 'alert'); box.textContent = " + script_json(message) + ";"
        " document.body.insertBefore(box, document.body.firstChild); }); }"
    )


class DefenseControls(_LiteralMacro):
    """Title, grouped layer panel, legend, timeline, base maps and permalink of one map."""

    def __init__(
        self,
        parent: DefenseMap,
        atlas: Atlas,
        *,
        beside: DefenseMap | None = None,
        view: dict[str, Any] | None = None,
    ) -> None:
        from .html import page_config, vector_basemap_json

        super().__init__()
        self._name = "DefenseControls"
        self._id = parent._id
        self.map_name = parent.get_name()
        config = page_config(atlas, offline=parent.offline, basemap=False, **(view or {}))
        config["map_id"] = parent._id
        config["list_id"] = LIST_ID
        if parent.pane is not None:
            config["pane"] = parent.pane
        self.data_json = script_json(config)
        # the base map is the same for every map: its text is made once per process, and a
        # second pane reads the first one's
        self.basemap_json: str | None
        self.basemap_id: str | None
        if beside is not None:
            self.basemap_json = None
            self.basemap_id = beside.controls.basemap_id
        else:
            self.basemap_json = vector_basemap_json()
            self.basemap_id = f"{self.get_name()}-basemap" if self.basemap_json else None

    def html_text(self) -> str:
        """The controls' data, and the base map's (once per page), as JSON data blocks."""
        text = (
            f'\n<script type="application/json" id="{_attr(self.get_name())}-data">'
            f"{self.data_json}</script>"
        )
        if self.basemap_json:
            text += (
                f'\n<script type="application/json" id="{_attr(self.basemap_id)}">'
                f"{self.basemap_json}</script>"
            )
        return text

    def script_text(self) -> str:
        name = self.get_name()
        basemap = f"DefenseMap.data({_tojson(self.basemap_id)})" if self.basemap_id else "null"
        return (
            f"\nvar {name} = DefenseMap.create(\n  {self.map_name}, "
            f"DefenseMap.data({_tojson(name + '-data')}),\n  {basemap});"
        )


class DefenseLayer(_LiteralMacro, folium.map.Layer):
    """One Atlas layer as a folium Layer (a Leaflet GeoJSON overlay) named after its id.

    Our layer panel shows and hides it; a folium `LayerControl` added by the user lists it too.
    """

    def __init__(
        self,
        parent: DefenseMap,
        layer: Layer,
        stable_id: str,
        *,
        shared: DefenseLayer | None = None,
        canvas: bool = False,
    ) -> None:
        """`shared`: the same layer in the other pane of a comparison; when its data is the
        same, this layer reads it from there instead of carrying a second copy. `canvas`:
        draw its sites on the page's canvas, not as markers (`html.canvas_layers`)."""
        from .html import layer_data

        # shown by our script when the page starts (the permalink may ask for other layers)
        super().__init__(name=layer.id, overlay=True, control=True, show=False)
        self._name = "DefenseLayer"
        self._id = stable_id
        self.atlas_layer = layer
        self.controls_name = parent.controls.get_name()
        self.data_json = script_json(layer_data(layer, canvas=canvas))
        self.shared = shared is not None and shared.data_json == self.data_json
        self.data_id: str = f"{self.get_name()}-data"
        if shared is not None and self.shared:
            self.data_id = shared.data_id

    def html_text(self) -> str:
        """The layer's data as a JSON data block (none when the other pane's is the same)."""
        if self.shared:
            return ""
        return (
            f'\n<script type="application/json" id="{_attr(self.data_id)}">'
            f"{self.data_json}</script>"
        )

    def script_text(self) -> str:
        return (
            f"\nvar {self.get_name()} = {self.controls_name}.layer(\n"
            f"  DefenseMap.data({_tojson(self.data_id)}));"
        )


class DefenseStart(_LiteralMacro):
    """Shows the layers the link or the layer files ask for, once every layer is on the page."""

    def __init__(self, controls: DefenseControls) -> None:
        super().__init__()
        self._name = "DefenseStart"
        self._id = controls._id
        self.controls_name = controls.get_name()

    def script_text(self) -> str:
        return f"\n{self.controls_name}.start();"


class DefenseSync(_LiteralMacro):
    """Makes the two panes of a comparison pan and zoom together (once both have started)."""

    def __init__(self, left: DefenseMap, right: DefenseMap) -> None:
        super().__init__()
        self._name = "DefenseSync"
        self._id = right._id
        self.left = left.controls.get_name()
        self.right = right.controls.get_name()

    def script_text(self) -> str:
        return f"\nDefenseMap.sync({self.left}, {self.right});"


class DefenseCompare(DefenseFigure):
    """A page of two synchronised maps side by side (stacked on a tall screen), each with its
    own title, layer panel, legend and timeline; `left` and `right` are folium maps."""

    def __init__(self, atlas: Atlas, left: Atlas, right: Atlas, *, offline: bool) -> None:
        from .html import initial_bounds

        # one opening view for both: the two sides' story, framed together
        both = Atlas(title=atlas.title, layers=left.layers + right.layers)
        bounds = initial_bounds(both)
        super().__init__(title=f"{left.title} | {right.title}", offline=offline, atlas=atlas)
        self.html.add_child(
            _Text(
                f'<h1 class="dm-visually-hidden">Compare: {html.escape(left.title)} | '
                f"{html.escape(right.title)}</h1>"
            ),
            name="defense-compare-title",
        )
        self.left = DefenseMap(
            left,
            offline=offline,
            figure=self,
            pane={"side": "left", "prefix": "left-"},
            view={"bounds": bounds, "subtitle": f"Left pane; beside it: {right.title}"},
        )
        self.right = DefenseMap(
            right,
            offline=offline,
            figure=self,
            pane={"side": "right", "prefix": "right-"},
            beside=self.left,
            view={"bounds": bounds, "subtitle": f"Right pane; beside it: {left.title}"},
        )
        self.right.add_child(DefenseSync(self.left, self.right), name="defense-sync")
        self.html.add_child(
            _Text('<div class="dm-compare-rule" aria-hidden="true"></div>'), name="defense-rule"
        )


# --------------------------------------------------------------------------------------------
# Offline: leave out what would need the network, and say so
# --------------------------------------------------------------------------------------------

_OURS = (DefenseMap, DefenseControls, DefenseLayer, DefenseStart, DefenseSync)


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(https?:)?//", url.strip(), re.I))


def _remote_needs(element: Element) -> list[str]:
    """Return the network URLs a user-added element needs to work (assets, tiles)."""
    if isinstance(element, _OURS):
        return []
    urls = []
    if isinstance(element, JSCSSMixin):
        urls += [url for _, url in [*element.default_js, *element.default_css] if _is_remote(url)]
    if isinstance(element, TileLayer) and _is_remote(str(element.tiles)):
        urls.append(str(element.tiles))
    return urls


@contextmanager
def _without_remote_assets(figure: Figure) -> Iterator[None]:
    """Detach, for one render, every element whose files would come from the network."""
    detached: list[tuple[Element, list[tuple[str, Element]]]] = []
    for parent in _walk(figure):
        kept = list(parent._children.items())
        dropped = [(name, child) for name, child in kept if _remote_needs(child)]
        for _, child in dropped:
            urls = _remote_needs(child)
            warnings.warn(
                f"{type(child).__name__} ({child.get_name()}) needs {urls[0]}"
                f"{f' and {len(urls) - 1} more file(s)' if len(urls) > 1 else ''} from the "
                "network, which cannot be inlined into an offline page; it is left out of it. "
                "Save the map without offline=True to keep it.",
                OfflineAssetWarning,
                stacklevel=4,
            )
        if dropped:
            detached.append((parent, kept))
            for name, _ in dropped:
                del parent._children[name]
    try:
        yield
    finally:
        for parent, kept in detached:
            parent._children.clear()
            parent._children.update(kept)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _drop_remote_links(header: Element) -> None:
    """Remove <script src>/<link href> to the network that something put in the page's head."""
    for name, child in list(header._children.items()):
        if isinstance(child, Link) and _is_remote(child.url):  # script and stylesheet links
            warnings.warn(
                f"{type(child).__name__} {name!r} ({child.url}) would load from the network; "
                "an offline page leaves it out",
                OfflineAssetWarning,
                stacklevel=5,
            )
            del header._children[name]


def to_folium(atlas: Atlas, *, offline: bool = False) -> DefenseMap:
    """Return the interactive map of `atlas` as a folium.Map (see `DefenseMap`)."""
    return DefenseMap(atlas, offline=offline)
