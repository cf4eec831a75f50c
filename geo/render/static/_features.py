"""Read the cells of a layer's feature table: text, kind, role, label and uncertainty."""

from __future__ import annotations

import math
from typing import Any

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


def label_text(row: Any, *, prefer_label: bool) -> str | None:
    """Return the text to write by a feature, marked when its values are uncertain."""
    text = (cell_text(getattr(row, "label", None)) if prefer_label else None) or cell_text(
        getattr(row, "name", None)
    )
    if text and is_uncertain(row):
        text += f" {UNCERTAIN.mark}"
    return text
