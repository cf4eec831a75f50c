"""The user's cache folder (`geo.cache`) and what is kept there: the decoded reference
geography and the vector base map, the same whether read from the cache or made afresh."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from geo import cache
from geo.reference import _world
from geo.reference._topojson import decode_arcs
from geo.render import html


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("DEFENSE_MAP_CACHE", str(where))
    return where


def test_the_folder_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEFENSE_MAP_CACHE", "off")
    assert cache.cache_folder() is None and cache.cache_file("world", ".npz", b"x") is None
    monkeypatch.delenv("DEFENSE_MAP_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_folder() == tmp_path / "xdg" / "defense-map"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_folder() == tmp_path / "home" / ".cache" / "defense-map"


def test_an_entry_is_named_after_everything_it_is_made_from(folder: Path, tmp_path: Path):
    source = tmp_path / "data.json"
    source.write_text("{}", "utf-8")
    first = cache.cache_file("world", ".npz", b"v1", source)
    assert first is not None and first.parent == folder
    assert first == cache.cache_file("world", ".npz", b"v1", source)
    assert first != cache.cache_file("world", ".npz", b"v2", source)
    assert first != cache.cache_file("world", ".npz", b"v1v", b"", source)  # parts stay apart
    source.write_text("{ }", "utf-8")
    assert first != cache.cache_file("world", ".npz", b"v1", source)


def test_a_new_entry_replaces_older_ones_of_its_kind_only(folder: Path):
    old = cache.cache_file("world", ".npz", b"old")
    new = cache.cache_file("world", ".npz", b"new")
    other = cache.cache_file("basemap", ".json", b"old")
    assert old is not None and new is not None and other is not None
    cache.write_quietly(old, b"1")
    cache.write_quietly(other, b"2")
    (folder / "notes.txt").write_text("mine", "utf-8")
    cache.write_quietly(new, b"3")
    assert sorted(p.name for p in folder.iterdir()) == sorted([new.name, other.name, "notes.txt"])
    assert new.read_bytes() == b"3"


def test_a_folder_that_cannot_be_written_only_costs_time(tmp_path: Path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", "utf-8")
    cache.write_quietly(blocked / "world-0123456789abcdef0123.npz", b"data")  # no exception
    assert blocked.read_text("utf-8") == ""


def _parsed() -> tuple[list[np.ndarray], dict]:
    text = resources.files("geo.reference").joinpath(_world.DATA_FILE).read_text("utf-8")
    topology = json.loads(text)
    return decode_arcs(topology), topology["objects"]


def _same_world(one: _world.World, arcs: list[np.ndarray], objects: dict) -> None:
    assert len(one.arcs) == len(arcs)
    assert all(np.array_equal(a, b) for a, b in zip(one.arcs, arcs))
    assert dict(one.countries) == {o["id"]: o for o in objects["countries"]["geometries"]}
    assert dict(one.seas) == {o["id"]: o for o in objects["seas"]["geometries"]}
    assert one.land == objects["land"]["geometries"][0]


def test_the_world_read_from_the_cache_is_the_world_parsed(folder: Path):
    arcs, objects = _parsed()
    made = _world.world.__wrapped__()  # no entry yet: parsed, then kept
    kept = list(folder.glob("world-*.npz"))
    assert len(kept) == 1
    read = _world.world.__wrapped__()  # from the entry
    for one in (made, read):
        _same_world(one, arcs, objects)
        assert not any(arc.flags.writeable for arc in one.arcs)
    assert read.country_index.resolve("Poland") == made.country_index.resolve("Poland") == "POL"


@pytest.mark.parametrize("damage", [b"", b"not a zip file", b"PK\x03\x04 cut short"])
def test_a_damaged_world_entry_is_made_again(folder: Path, damage: bytes):
    _world.world.__wrapped__()
    (entry,) = folder.glob("world-*.npz")
    entry.write_bytes(damage)
    arcs, objects = _parsed()
    _same_world(_world.world.__wrapped__(), arcs, objects)
    assert entry.stat().st_size > 100_000  # written whole again


def test_the_base_map_read_from_the_cache_is_the_one_made(folder: Path):
    made = html._make_vector_basemap()
    html.vector_basemap_json.cache_clear()
    try:
        text = html.vector_basemap_json()  # no entry: made, then kept
        (entry,) = folder.glob("basemap-*.json")
        assert entry.read_text("utf-8") == text
        html.vector_basemap_json.cache_clear()
        assert html.vector_basemap_json() == text  # read back
        assert text is not None and json.loads(text) == json.loads(json.dumps(made))
    finally:
        html.vector_basemap_json.cache_clear()
        html.vector_basemap.cache_clear()


def test_the_base_map_entry_is_named_after_the_code_that_makes_it(
    monkeypatch: pytest.MonkeyPatch,
):
    """A change to the page module, to the grid snapping or to the reference data names a
    new entry (an old one would show the base map as older code made it)."""
    seen: list[tuple[object, ...]] = []
    monkeypatch.setattr(html, "cache_file", lambda *args: seen.append(args))
    html.basemap_cache_file()
    (args,) = seen
    names = {part.name for part in args if isinstance(part, Path)}
    assert {"html.py", "grid.py", "world.topo.json", "_world.py"} <= names
