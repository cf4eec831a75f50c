"""Two proposals side by side: `atlas.compare(a, b)`.

A side is a layer id or a group (its name, or the name as an id: "2011-nato-russia-talks").
Each pane shows its side's layers and, switched as in the main map, the context layers
(the threat, other radars), so that both panes can show the same background.

>>> import geo
>>> pair = geo.load("layers").compare()
>>> pair  # doctest: +NORMALIZE_WHITESPACE
<Comparison: 'NATO: two separate but integrated systems (2011)'
  | "Russia's sectoral proposal: the eastern sector (Apr 2011)">
>>> pair.left.layers, pair.right.layers
(('nato-two-systems-2011',), ('russia-sectoral-2011',))
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .atlas_types import Atlas, Outputs
from .errors import ExportError


@dataclass(frozen=True)
class Side:
    """One pane of a comparison: what it was asked for, its label and its layer ids."""

    key: str
    label: str
    layers: tuple[str, ...]


def group_id(name: str) -> str:
    """Return a group's name as an id: ASCII letters and digits joined by hyphens.

    >>> group_id("2011 NATO–Russia talks")
    '2011-nato-russia-talks'
    """
    words = re.sub(r"[^\w]+", " ", name)  # a dash between two words still parts them
    ascii_name = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def resolve(atlas: Atlas, key: str, *, label: str = "compare") -> Side:
    """Return the side a layer id or group names; an unknown key lists the valid ones."""
    text = key.strip()
    for layer in atlas.layers:
        if layer.id == text:
            return Side(text, layer.title, (layer.id,))
    groups: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for layer in atlas.layers:
        groups.setdefault(layer.group, []).append(layer.id)
        names[group_id(layer.group)] = layer.group
    wanted = names.get(group_id(text)) if text else None
    if wanted is not None:
        return Side(text, wanted, tuple(groups[wanted]))
    layer_ids = ", ".join(layer.id for layer in atlas.layers)
    group_ids = ", ".join(names)
    raise ExportError(
        f"{label}: {key!r} is neither a layer id nor a group; layers: {layer_ids}; "
        f"groups: {group_ids}"
    )


def default_pair(atlas: Atlas) -> tuple[str, str]:
    """The two proposals to compare when none are named: the first two story layers (not
    context) of the last group that has two; for the shipped story, NATO's two systems and
    Russia's sectoral proposal of 2011."""
    groups: dict[str, list[str]] = {}
    for layer in atlas.layers:
        if not layer.context:
            groups.setdefault(layer.group, []).append(layer.id)
    pairs = [ids for ids in groups.values() if len(ids) >= 2]
    if not pairs:
        raise ExportError(
            "compare: no group holds two proposals to compare by default; name two layer ids "
            f"or groups among {', '.join(layer.id for layer in atlas.layers)}"
        )
    return pairs[-1][0], pairs[-1][1]


@dataclass(frozen=True)
class Comparison(Outputs):
    """Two sides of one atlas, shown side by side in synchronised panes.

    Write it like an Atlas: `save_html` (the two panes), `to_png`, `to_svg` and `to_pdf` (the
    two maps side by side), `write`; the GIS outputs hold every layer. In Jupyter it shows
    itself.
    """

    atlas: Atlas
    left: Side
    right: Side

    def __repr__(self) -> str:
        return f"<Comparison: {self.left.label!r} | {self.right.label!r}>"

    def pane(self, side: Side) -> Atlas:
        """The atlas one pane shows: its side's layers, switched on, then the context layers."""
        own = [dataclasses.replace(self.atlas.layer(i), visible=True) for i in side.layers]
        context = [
            layer for layer in self.atlas.layers if layer.context and layer.id not in side.layers
        ]
        return Atlas(title=side.label, layers=tuple(own + context))

    def to_folium(self, *, offline: bool = False) -> Any:
        """Return the page as a folium Figure holding two maps (`.left` and `.right`)."""
        from .render.folium_map import DefenseCompare

        return DefenseCompare(
            self.atlas, self.pane(self.left), self.pane(self.right), offline=offline
        )

    def _repr_html_(self) -> str:
        return str(self.to_folium()._repr_html_())

    def _output_source(self) -> tuple[Atlas, dict[str, Any]]:
        # the page and the images show both panes; the GIS files hold every layer
        return self.atlas, {"compare": self}


def compare(atlas: Atlas, a: str | None = None, b: str | None = None) -> Comparison:
    """Return the comparison of sides `a` and `b` (layer ids or groups); without them, the
    default pair (`default_pair`)."""
    if a is None and b is None:
        a, b = default_pair(atlas)
    if a is None or b is None:
        raise ExportError("compare: name two sides (layer ids or groups), or none for the default")
    left, right = resolve(atlas, a), resolve(atlas, b)
    if left.layers == right.layers:
        raise ExportError(f"compare: {a!r} and {b!r} are the same layers; name two proposals")
    return Comparison(atlas, left, right)
