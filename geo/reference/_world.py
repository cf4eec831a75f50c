"""Load the committed topology once and hand out cached shapely geometries."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from ._names import NameIndex
from ._topojson import decode_arcs, decode_geometry

__all__ = ["DATA_FILE", "World", "country_geometry", "land_geometry", "sea_geometry", "world"]

DATA_FILE = "world.topo.json"


@dataclass(frozen=True)
class World:
    """The decoded reference topology: arcs, geometry objects and the two name indexes."""

    arcs: tuple[np.ndarray, ...]
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
    """Read and decode ``world.topo.json`` (once per process)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    topology = json.loads(text)
    arcs = decode_arcs(topology)
    for arc in arcs:
        arc.flags.writeable = False  # shared by every cached geometry: keep it intact
    objects = topology["objects"]
    countries = {obj["id"]: obj for obj in objects["countries"]["geometries"]}
    seas = {obj["id"]: obj for obj in objects["seas"]["geometries"]}
    land = objects["land"]["geometries"][0]
    return World(tuple(arcs), countries, seas, land, _country_index(countries), _sea_index(seas))


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
