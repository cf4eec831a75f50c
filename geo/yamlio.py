"""Read a layer file as plain data, keeping the line number of every key.

A layer file is data, never code: only YAML's standard tags are accepted, the file size and
the number of nodes (which bounds alias expansion) are limited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import LayerFileError, Problem

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 2_000_000  # far above any 2 MB file; only alias expansion gets near it
_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _STANDARD_TAG_PREFIX + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """The data of one YAML file plus the line (1-based) of every key path in it."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int | None:
        """Return the line of `path`, or of its nearest parent that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def format_path(path: PathKey) -> str:
    """Write a key path the way a reader finds it in the file.

    >>> format_path(("features", 3, "radius_km"))
    'features[3].radius_km'
    >>> format_path(())
    ''
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Builder:
    """Turns a composed node tree into Python data, recording lines and checking limits."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.nodes = 0
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._error(
                node,
                path,
                f"more than {MAX_NODES} values (alias expansion?)",
                "keep layer files small and avoid deeply repeated aliases",
            )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in _ALLOWED_TAGS:
            raise self._error(
                node,
                path,
                f"the tag {node.tag!r} is not allowed",
                "layer files are plain data: strings, numbers, dates, lists, maps",
            )
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag == _STANDARD_TAG_PREFIX + "timestamp":
            return node.value  # dates stay text: the model checks them and names a bad one
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, path) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                raise self._error(
                    key_node,
                    path,
                    f"the key {key!r} is not a name",
                    "keys are plain names such as 'lat' or 'radius_km'",
                )
            key_path = (*path, key)
            if key in result:
                raise self._error(
                    key_node, key_path, "this key appears twice", "each key once per mapping"
                )
            self.lines[key_path] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, key_path)
        return result

    def _error(self, node: Node, path: PathKey, problem: str, allowed: str) -> LayerFileError:
        line = node.start_mark.line + 1
        return LayerFileError([Problem(self.file, line, format_path(path), problem, allowed)])


def read_yaml(path: Path, *, display_name: str | None = None) -> Document:
    """Read one YAML file safely; raise LayerFileError with file:line on any problem."""
    name = display_name or str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LayerFileError(
            [
                Problem(
                    name,
                    None,
                    "",
                    f"the file is {size} bytes",
                    f"layer files are at most {MAX_FILE_BYTES} bytes",
                )
            ]
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = f"byte 0x{data[exc.start]:02x} is not UTF-8 text"
        raise LayerFileError([Problem(name, line, "", problem, "save the file as UTF-8")]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, file: str) -> Document:
    """Parse YAML text into a Document; syntax errors become LayerFileError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = f"YAML syntax error: {exc.problem or exc.context}"
        raise LayerFileError(
            [Problem(file, line, "", problem, "check indentation, colons and quotes")]
        ) from None
    except yaml.YAMLError as exc:
        raise LayerFileError(
            [Problem(file, None, "", f"YAML error: {exc}", "a layer file is one YAML mapping")]
        ) from None
    if node is None:
        return Document(file, None, {(): 1})
    builder = _Builder(file)
    data = builder.build(node, ())
    return Document(file, data, builder.lines)
