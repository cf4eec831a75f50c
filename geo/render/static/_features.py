"""Read the cells of a layer's feature table: text, kind, role, label and uncertainty."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.atlas_types import Layer
from geo.render.style import FALLBACK_ROLE, ROLE_LOOKS, UNCERTAIN


def cell_text(value: Any) -> str | None:
    """Return a cell as text, or None for None, NaN and blank strings.

    >>> cell_text(" radar "), cell_text(float("nan")), cell_text("  "), cell_text(None)
    ('radar', None, None, None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def rows_of(frame: Any) -> list[Any]:
    """Return the rows of a (Geo)DataFrame as named tuples; none for an empty frame."""
    return list(frame.itertuples(index=False)) if len(frame) else []


def role_of(row: Any) -> str:
    """Return the site role of `row`, or "other" when it has none that has a symbol."""
    text = cell_text(getattr(row, "role", None))
    return text if text is not None and text in ROLE_LOOKS else FALLBACK_ROLE


def is_uncertain(row: Any) -> bool:
    return bool(cell_text(getattr(row, "uncertainty", None)))


def has_uncertain(layer: Layer) -> bool:
    """Return whether any feature of `layer` says its values are nominal or uncertain."""
    if not len(layer.features) or "uncertainty" not in layer.features:
        return False
    return any(cell_text(v) for v in layer.features["uncertainty"])


def kind_of(row: Any) -> str:
    """Return the kind of feature `row` is; without one, what its geometry suggests."""
    return cell_text(getattr(row, "kind", None)) or geometry_kind(row.geometry)


def geometry_kind(geometry: BaseGeometry | None) -> str:
    """Return the feature kind a geometry stands for: site, link, region, or none.

    >>> import shapely
    >>> geometry_kind(shapely.Point(0, 0)), geometry_kind(shapely.box(0, 0, 1, 1))
    ('site', 'region')
    """
    if geometry is None:
        return "none"
    return {"Point": "site", "LineString": "link", "MultiLineString": "link"}.get(
        geometry.geom_type, "region"
    )


def label_text(row: Any, *, prefer_label: bool, site: str | None = None) -> str | None:
    """Return the text to write by a feature, marked when its values are uncertain.

    A range drawn around `site` says so ("Gabala: reported detection range †"), as on a map
    of many rings "nominal range" alone would not say which ring it is.
    """
    text = (cell_text(getattr(row, "label", None)) if prefer_label else None) or cell_text(
        getattr(row, "name", None)
    )
    if text and site:
        text = named_after(text, short_site_name(site))
    if text and is_uncertain(row):
        text += f" {UNCERTAIN.mark}"
    return text


def short_site_name(name: str) -> str:
    """Return a site's name without what follows its first comma or bracket.

    >>> short_site_name("European Midcourse Radar, Brdy (hill 718.8)")
    'European Midcourse Radar'
    >>> short_site_name("Gabala (Qabala) Daryal radar"), short_site_name("Tehran")
    ('Gabala', 'Tehran')
    >>> short_site_name("(unnamed)")
    '(unnamed)'
    """
    return re.split(r"[,(]", name, maxsplit=1)[0].strip() or name


def named_after(text: str, site: str) -> str:
    """Put `site` before `text`, unless `text` already names it.

    >>> named_after("nominal range", "Gabala"), named_after("2,000 km from Tabriz", "Tabriz")
    ('Gabala: nominal range', '2,000 km from Tabriz')
    """
    return text if site.casefold() in text.casefold() else f"{site}: {text}"


# how `geo.atlas` says where a range was drawn: "geodesic ring of 2,000 km around <name> (WGS84)"
_AROUND = re.compile(r" around (?P<name>.+) \(WGS84\)$")
_GEOD = pyproj.Geod(ellps="WGS84")


def range_centres(layers: Sequence[Layer]) -> dict[str, str]:
    """Return the name of the site each range is drawn around, by range id.

    The feature table keeps no column for a range's `around` site: its `derivation` names the
    site, and that name must be one of the sites of `layers`. A range whose derivation says
    nothing (or names a bare point) is matched to a site its outline is everywhere equally
    far from; a range around no site is left out.
    """
    sites = [row for layer in layers for row in rows_of(layer.features) if kind_of(row) == "site"]
    names = {cell_text(row.name) for row in sites} - {None}
    centres: dict[str, str] = {}
    for layer in layers:
        for row in rows_of(layer.features):
            if kind_of(row) != "range":
                continue
            found = _AROUND.search(cell_text(getattr(row, "derivation", None)) or "")
            name = found["name"] if found and found["name"] in names else _equidistant(row, sites)
            if name:
                centres[str(row.id)] = name
    return centres


def _equidistant(ring: Any, sites: Sequence[Any]) -> str | None:
    """Return the name of the site the ring's outline is everywhere as far from, if any."""
    if ring.geometry is None or ring.geometry.is_empty:
        return None
    outer = shapely.get_exterior_ring(shapely.get_parts(ring.geometry))
    coords = shapely.get_coordinates(outer)
    # the seams of a ring split at ±180° or closed over a pole are not on the circle
    coords = coords[(np.abs(coords[:, 0]) < 179.99) & (np.abs(coords[:, 1]) < 89.99)]
    if len(coords) < 8:
        return None
    for site in sites:
        point = site.geometry
        if point is None or point.is_empty or point.geom_type != "Point":
            continue
        n = len(coords)
        _, _, dist = _GEOD.inv([point.x] * n, [point.y] * n, coords[:, 0], coords[:, 1])
        if np.ptp(dist) <= 0.002 * np.mean(dist):
            return cell_text(site.name)
    return None
