"""defense-map: YAML layer files to a layered map of missile-defense proposals.

The front door::

    import geo
    atlas = geo.load("layers/")        # a folder, a file or a list; raises LayerFileError
    atlas.features                     # one GeoDataFrame of every layer
    m = atlas.to_folium()              # a folium.Map: add your own layers and plugins
    atlas.save_html("map.html", offline=True); atlas.to_png("map.png")

In Jupyter an Atlas shows itself as the map. `python -m geo` runs the command line.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .atlas import DEFAULT_TITLE, load
from .atlas_types import Atlas, Event, Layer, Source, Style
from .errors import DefenseMapError, ExportError, LayerFileError, OfflineAssetWarning, Problem

__all__ = [
    "DEFAULT_TITLE",
    "Atlas",
    "DefenseMapError",
    "Event",
    "ExportError",
    "Layer",
    "LayerFileError",
    "OfflineAssetWarning",
    "Problem",
    "Source",
    "Style",
    "__version__",
    "load",
]
