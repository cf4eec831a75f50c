"""defense-map: YAML layer files to a layered map of missile-defense proposals."""

from __future__ import annotations

__version__ = "0.1.0"
