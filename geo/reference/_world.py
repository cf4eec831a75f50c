"""Load the committed topology once and hand out cached shapely geometries."""

from __future__ import annotations

import functools
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from ..cache import cache_file, write_quietly
from ._names import NameIndex
from ._topojson import Arcs, decode_arcs, decode_geometry

__all__ = [
    "DATA_FILE",
    "World",
    "country_geometry",
    "land_geometry",
    "overlapping_seas",
    "sea_geometry",
    "world",
]

DATA_FILE = "world.topo.json"


@dataclass(frozen=True)
class World:
    """The decoded reference topology: arcs, geometry objects and the two name indexes."""

    arcs: Arcs
    countries: Mapping[str, Mapping[str, Any]]  # alpha-3 code -> TopoJSON geometry object
    seas: Mapping[str, Mapping[str, Any]]  # canonical sea name -> TopoJSON geometry object
    land: Mapping[str, Any]
    country_index: NameIndex
    sea_index: NameIndex


def _country_index(countries: Mapping[str, Mapping[str, Any]]) -> NameIndex:
    entries = []
    for code, obj in countries.items():
        props = obj["properties"]
        names = [props["name"], *props["aliases"]]
        if props.get("iso_n3"):
            names.append(props["iso_n3"])
        entries.append((code, f"'{code}' ({props['name']})", names))
    hint = (
        f"use an ISO 3166 alpha-3 code or an English name ({len(entries)} known; "
        "geo.reference.country_names() lists the names)."
    )
    return NameIndex.build("country", entries, hint)


def _sea_index(seas: Mapping[str, Mapping[str, Any]]) -> NameIndex:
    entries = [(name, repr(name), obj["properties"]["aliases"]) for name, obj in seas.items()]
    known = ", ".join(repr(name) for name in sorted(seas))
    return NameIndex.build("sea", entries, f"known seas: {known}.")


@functools.cache
def world() -> World:
    """Read and decode ``world.topo.json`` (once per process).

    Its arcs are most of its text, and reading them back from JSON costs more than the rest
    of a small map's build: decoded once, they are kept in the user's cache folder
    (`geo.cache`) as arrays, with the geometry objects beside them.
    """
    data = resources.files(__package__).joinpath(DATA_FILE).read_bytes()
    here = Path(__file__).resolve()
    cache = cache_file(
        "world", ".npz", data, here, here.with_name("_topojson.py"), np.__version__.encode()
    )
    decoded = _read_decoded(cache) if cache is not None else None
    if decoded is None:
        topology = json.loads(data.decode("utf-8"))
        decoded = decode_arcs(topology), topology["objects"]
        if cache is not None:
            _write_decoded(cache, *decoded)
    arcs, objects = decoded
    arcs.xy.flags.writeable = False  # shared by every cached geometry (as views): keep it intact
    countries = {obj["id"]: obj for obj in objects["countries"]["geometries"]}
    seas = {obj["id"]: obj for obj in objects["seas"]["geometries"]}
    land = objects["land"]["geometries"][0]
    return World(arcs, countries, seas, land, _country_index(countries), _sea_index(seas))


def _read_decoded(path: Path) -> tuple[Arcs, dict[str, Any]] | None:
    """The arcs and objects kept by `_write_decoded`, or None when they cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as kept:
            xy, lengths, text = kept["xy"], kept["lengths"], kept["objects"].tobytes()
        objects = json.loads(text.decode("utf-8"))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if xy.ndim != 2 or xy.shape[1] != 2 or lengths.sum() != len(xy):
        return None
    return Arcs(xy, lengths), objects


def _write_decoded(path: Path, arcs: Arcs, objects: Mapping[str, Any]) -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        xy=arcs.xy,
        lengths=arcs.lengths,
        objects=np.frombuffer(json.dumps(objects).encode("utf-8"), dtype=np.uint8),
    )
    write_quietly(path, buffer.getvalue())


def overlapping_seas(name: str) -> frozenset[str]:
    """The other seas whose water overlaps that of the sea with canonical `name`: its parts
    or subdivisions, and the sea it is a part or subdivision of. Any two other seas (and any
    two countries) only meet along shared borders, vertex for vertex (tested)."""
    return _sea_overlaps().get(name, frozenset())


@functools.cache
def _sea_overlaps() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for name, obj in world().seas.items():
        props = obj["properties"]
        for inner in [*props.get("parts", ()), *props.get("subdivisions", ())]:
            pairs.setdefault(name, set()).add(inner)
            pairs.setdefault(inner, set()).add(name)
    return {name: frozenset(others) for name, others in pairs.items()}


@functools.cache
def country_geometry(code: str) -> BaseGeometry:
    """The polygon(s) of the country with alpha-3 ``code`` (a key of ``world().countries``)."""
    data = world()
    return decode_geometry(data.arcs, data.countries[code])


@functools.cache
def sea_geometry(name: str) -> BaseGeometry:
    """The water polygon(s) of the sea with canonical ``name``."""
    data = world()
    return decode_geometry(data.arcs, data.seas[name])


@functools.cache
def land_geometry() -> BaseGeometry:
    """All land (world-atlas land-50m) as one multipolygon."""
    data = world()
    return decode_geometry(data.arcs, data.land)
