"""Read a layer file as plain data, keeping the line number of every key.

A layer file is data, never code: YAML tags are refused, and what one file may cost is bounded
before any of it is checked or drawn. The file's size, its nesting depth and its number of
features (per file and in all the files read together) are limits a run can raise (see
`limits`, which the CLI's `--max-file-mb`, `--max-depth` and `--max-features` set); aliases may
repeat at most as many values as the file writes out (plus `ALIAS_ALLOWANCE`), which is no
setting: a billion-laughs file of a few hundred bytes is refused after a few hundred values.

The file is read as a stream of YAML events and built into Python data in one pass, counting as
it goes: an alias costs the size of what it repeats (its data is shared, not copied), a limit
is reached before the data behind it exists, and nothing recurses, however deep the nesting.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .errors import LayerFileError, Problem, character_words

_FastParser: Any
try:  # libyaml parses ten times faster; the pure-Python parser reads the same YAML
    from yaml._yaml import CParser as _FastParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _FastParser = None

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    """What reading layer files may cost at most; reaching a limit is an error naming it.

    The defaults fit the shipped layers and a benchmark of 100,000 sites in one file (15 MB).
    """

    max_file_bytes: int = 50 * MB
    #: per file, and in all the files read inside one `limits()` block
    max_features: int = 200_000
    #: lists and mappings inside each other (the shipped layers need 10; a shape adds 2 a level)
    max_depth: int = 64


DEFAULT_LIMITS = Limits()
#: the options of the command line that raise each limit, named in its error
LIMIT_OPTIONS = {
    "max_file_bytes": "--max-file-mb",
    "max_features": "--max-features",
    "max_depth": "--max-depth",
}
#: aliases may repeat as many values as the file writes out, plus this many
ALIAS_ALLOWANCE = 100_000
#: a number written with more characters is no coordinate or count (and Python refuses to read
#: integers of more than 4,300 digits, slowly)
MAX_NUMBER_CHARS = 100

_limits: ContextVar[Limits] = ContextVar("defense_map_limits", default=DEFAULT_LIMITS)


@dataclass
class _Tally:
    """The features of the files read so far inside one `limits()` block."""

    features: int = 0


_tally: ContextVar[_Tally | None] = ContextVar("defense_map_tally", default=None)


@contextlib.contextmanager
def limits(
    *,
    max_file_bytes: int | None = None,
    max_features: int | None = None,
    max_depth: int | None = None,
) -> Iterator[Limits]:
    """Read layer files inside the block with other limits; the features of all the files read
    in it count towards `max_features` together.

    Limits not given keep their current value (the defaults, or an outer block's).

    >>> with limits(max_depth=3):
    ...     parse_yaml("a: {b: {c: [1]}}", "t.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geo.errors.LayerFileError: t.yaml:1: a.b.c: nested more than 3 levels deep; ...
    """
    changes = {
        k: v
        for k, v in (
            ("max_file_bytes", max_file_bytes),
            ("max_features", max_features),
            ("max_depth", max_depth),
        )
        if v is not None
    }
    for name, value in changes.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    chosen = replace(_limits.get(), **changes)
    token, tally_token = _limits.set(chosen), _tally.set(_Tally())
    try:
        yield chosen
    finally:
        _tally.reset(tally_token)
        _limits.reset(token)


@contextlib.contextmanager
def counting() -> Iterator[None]:
    """Count the features of the files read inside the block together, unless an outer
    `limits()` or `counting()` block already counts them (its count goes on)."""
    if _tally.get() is not None:
        yield
        return
    token = _tally.set(_Tally())
    try:
        yield
    finally:
        _tally.reset(token)


def current_limits() -> Limits:
    """The limits that reading a layer file now applies."""
    return _limits.get()


PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """The data of one YAML file plus the line (1-based) of every key path in it."""

    file: str
    data: Any
    #: a path's line, for the paths whose line differs from their parent's (see `line`)
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


# --- reading the file --------------------------------------------------------------------


def read_yaml(path: Path, *, display_name: str | None = None) -> Document:
    """Read one YAML file safely; raise LayerFileError with file:line on any problem."""
    name = display_name or str(path)
    data = _read_bytes(Path(path), name, _limits.get().max_file_bytes)
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = f"byte 0x{data[exc.start]:02x} is not UTF-8 text"
        raise LayerFileError([Problem(name, line, "", problem, "save the file as UTF-8")]) from None
    return parse_yaml(text, name)


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; never blocks on a pipe or a device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(name, exc) from None
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise _file_problem(name, "is a folder", "give a layer file (*.yaml)")
        if not stat.S_ISREG(info.st_mode):
            raise _file_problem(
                name, "is not a regular file (a pipe, socket or device)", "give a layer file"
            )
        if info.st_size > max_bytes:
            raise _too_big(name, info.st_size, max_bytes)
        chunks, size = [], 0
        while size <= max_bytes:  # the file may grow while it is read
            chunk = os.read(handle, min(max_bytes + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise _too_big(name, size, max_bytes)
        return b"".join(chunks)
    except OSError as exc:
        raise _unreadable(name, exc) from None
    finally:
        os.close(handle)


def _file_problem(name: str, problem: str, allowed: str) -> LayerFileError:
    return LayerFileError([Problem(name, None, "", problem, allowed)])


def _unreadable(name: str, exc: OSError) -> LayerFileError:
    if exc.errno == errno.EISDIR:
        return _file_problem(name, "is a folder", "give a layer file (*.yaml)")
    if isinstance(exc, FileNotFoundError):
        return _file_problem(name, "no such file", "give a layer file (*.yaml)")
    if isinstance(exc, PermissionError):
        return _file_problem(
            name, "cannot read the file: permission denied", "make it readable (chmod a+r)"
        )
    reason = exc.strerror or type(exc).__name__
    return _file_problem(name, f"cannot read the file: {reason}", "check the disk and the file")


def _too_big(name: str, size: int, max_bytes: int) -> LayerFileError:
    return _file_problem(
        name,
        f"the file is {size:,} bytes, more than the limit of {max_bytes / MB:g} MB",
        f"split it into several layer files, or raise the limit with "
        f"{LIMIT_OPTIONS['max_file_bytes']}",
    )


# --- parsing -----------------------------------------------------------------------------

#: what YAML itself lets a file hold (PyYAML's reader refuses the rest with a character offset
#: instead of a line): tab, line breaks and printable characters
_NOT_YAML_TEXT = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def parse_yaml(text: str, file: str) -> Document:
    """Parse YAML text into a Document; syntax errors and limits become LayerFileError."""
    bad = _NOT_YAML_TEXT.search(text)
    if bad:
        start = bad.start()
        line = text.count("\n", 0, start) + 1
        column = start - text.rfind("\n", 0, start)
        raise LayerFileError(
            [
                Problem(
                    file,
                    line,
                    "",
                    f"contains {character_words(bad.group())} (column {column})",
                    "a layer file holds printable text, tabs and line breaks; write a character "
                    'that is meant as an escape inside double quotes ("\\x1b"), or remove it',
                )
            ]
        ) from None
    builder = _Builder(file, _limits.get(), _tally.get())
    parser: Any = _FastParser(text) if _FastParser is not None else yaml.SafeLoader(text)
    try:
        builder.build(parser)
    except yaml.YAMLError as exc:
        raise _syntax_error(file, exc) from None
    finally:
        if hasattr(parser, "dispose"):
            parser.dispose()
    tally = _tally.get()
    if tally is not None:
        tally.features += builder.features
    return Document(file, builder.root, builder.lines)


def _syntax_error(file: str, exc: yaml.YAMLError) -> LayerFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    words = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    return LayerFileError(
        [
            Problem(
                file,
                line,
                "",
                f"YAML syntax error: {words}",
                "check indentation, colons and quotes",
            )
        ]
    )


# --- building data from events -------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_FEATURES: PathKey = ("features",)
_NO_KEY: Any = object()
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Open:
    """A list or a mapping whose items are being read."""

    __slots__ = ("anchor", "is_list", "key", "key_line", "line", "path", "size", "top", "value")

    def __init__(self, value: Any, path: PathKey, line: int, anchor: str | None, top: bool):
        self.value = value
        self.is_list = isinstance(value, list)
        self.path = path
        self.line = line  # the line `Document.line(path)` gives
        self.anchor = anchor
        self.size = 1  # values inside (an alias counts what it repeats), itself included
        self.key: Any = _NO_KEY  # in a mapping: the key whose value comes next
        self.key_line = 0
        self.top = top  # the list of features: the top mapping's `features`

    def next_path(self) -> PathKey:
        """The key path of the value that comes next."""
        return (*self.path, len(self.value) if self.is_list else self.key)


@dataclass(frozen=True)
class _Anchor:
    value: Any
    size: int
    line: int


class _Builder:
    """Turns the events of one YAML document into Python data, recording lines and limits."""

    def __init__(self, file: str, limits: Limits, tally: _Tally | None):
        self.file = file
        self.limits = limits
        self.features_before = tally.features if tally is not None else 0
        self.lines: dict[PathKey, int] = {}
        self.root: Any = None
        self.open: list[_Open] = []
        self.anchors: dict[str, _Anchor] = {}
        self.written = 0  # values written out in the file
        self.repeated = 0  # values repeated by aliases
        self.features = 0
        self.documents = 0

    def build(self, parser: Any) -> None:
        """Read every event of `parser` (libyaml's or PyYAML's)."""
        handlers: dict[type, Any] = {
            ScalarEvent: self._scalar,
            MappingStartEvent: self._start,
            SequenceStartEvent: self._start,
            MappingEndEvent: self._end,
            SequenceEndEvent: self._end,
            AliasEvent: self._alias,
            DocumentStartEvent: self._document,
        }
        get_event = parser.get_event
        while True:
            event = get_event()
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
            elif isinstance(event, StreamEndEvent):
                break
        if not self.lines:
            self.lines[()] = 1

    # --- events

    def _document(self, event: DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            self._fail(
                _line(event),
                (),
                "a second YAML document starts here ('---')",
                "a layer file is one document: split it into several files",
            )

    def _start(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        line = _line(event)
        parent = self._enter(line)
        if parent is None:
            path: PathKey = ()
            path_line = line
        elif not parent.is_list and parent.key is _NO_KEY:
            self._fail(
                line,
                parent.path,
                "a key is a list or a mapping",
                "keys are plain names such as 'lat' or 'radius_km'",
            )
        else:
            path = parent.next_path()
            path_line = line if parent.is_list else parent.key_line
        if event.tag not in (None, "!"):
            self._refuse_tag(str(event.tag), line, path)
        if len(self.open) >= self.limits.max_depth:
            self._fail(
                line,
                path,
                f"nested more than {self.limits.max_depth} levels deep",
                f"flatten the data, or raise the limit with {LIMIT_OPTIONS['max_depth']}",
            )
        self.written += 1
        value: Any = [] if isinstance(event, SequenceStartEvent) else {}
        is_features = path == _FEATURES and len(self.open) == 1
        self.open.append(_Open(value, path, path_line, event.anchor, is_features))

    def _end(self, event: Event) -> None:
        item = self.open.pop()
        if item.anchor is not None:
            self._anchor(item.anchor, _Anchor(item.value, item.size, item.line), item.path)
        self._put(item.value, item.size)

    def _scalar(self, event: ScalarEvent) -> None:
        # the most frequent event of a big file: `_enter`, `_value` and `_put` are written out
        # here for the usual case (plain text or a decimal in a mapping, not anchored)
        line = _line(event)
        self.written += 1
        parent = self.open[-1] if self.open else None
        if parent is None or parent.is_list or event.anchor is not None:
            self._scalar_item(event, line)
            return
        tag, text = event.tag, event.value
        if tag is None and event.implicit[0] and text and text[0] not in _MAY_RESOLVE:
            value: Any = text
        elif parent.key is _NO_KEY:
            value = self._value(event, line, parent.path, key=True)
        else:
            value = self._value(event, line, parent)
        if parent.key is _NO_KEY:
            self._key(value, line, parent)
            return
        parent.size += 1
        parent.value[parent.key] = value
        parent.key = _NO_KEY

    def _scalar_item(self, event: ScalarEvent, line: int) -> None:
        parent = self._enter(line)
        if parent is not None and not parent.is_list and parent.key is _NO_KEY:
            self._key(self._value(event, line, parent.path, key=True), line, parent)
            return
        value = self._value(event, line, parent)
        if event.anchor is not None:
            path = parent.next_path() if parent is not None else ()
            self._anchor(event.anchor, _Anchor(value, 1, line), path)
        self._put(value, 1)

    def _alias(self, event: AliasEvent) -> None:
        line = _line(event)
        parent = self._enter(line)
        name = str(event.anchor)
        anchor = self.anchors.get(name)
        is_key = parent is not None and not parent.is_list and parent.key is _NO_KEY
        path = () if parent is None else parent.path if is_key else parent.next_path()
        if anchor is None:
            self._fail(
                line,
                path,
                f"the alias *{name} names no anchor (&{name}) above it",
                "define the anchor before its aliases, outside what it names",
            )
        if is_key:
            assert parent is not None
            self._key(anchor.value, line, parent)
            return
        if parent is not None and parent.top:
            self._fail(
                line,
                path,
                f"a feature is an alias (*{name}) of another",
                "write each feature out, with its own id",
            )
        self.repeated += anchor.size
        allowed = self.written + ALIAS_ALLOWANCE
        if self.repeated > allowed:
            self._fail(
                line,
                path,
                f"aliases repeat more than {allowed:,} values (*{name} repeats {anchor.size:,})",
                "aliases may repeat as many values as the file writes out, plus "
                f"{ALIAS_ALLOWANCE:,}: write the repeated parts out",
            )
        self._put(anchor.value, anchor.size)

    # --- where a value goes

    def _enter(self, line: int) -> _Open | None:
        """The list or mapping a value starting at `line` goes into (None: the top value);
        records the line of a list item, and counts features."""
        if not self.open:
            self.lines[()] = line
            return None
        parent = self.open[-1]
        if parent.is_list:
            if parent.top:
                self._count_feature(line, parent)
            if line != parent.line:
                self.lines[(*parent.path, len(parent.value))] = line
        return parent

    def _put(self, value: Any, size: int) -> None:
        if not self.open:
            self.root = value
            return
        parent = self.open[-1]
        parent.size += size
        if parent.is_list:
            parent.value.append(value)
        else:
            parent.value[parent.key] = value
            parent.key = _NO_KEY

    def _key(self, key: Any, line: int, parent: _Open) -> None:
        if not isinstance(key, str):
            self._fail(
                line,
                parent.path,
                f"the key {_short(key)} is not a name",
                "keys are plain names such as 'lat' or 'radius_km'",
            )
        if key in parent.value:
            self._fail(
                line, (*parent.path, key), "this key appears twice", "each key once per mapping"
            )
        if line != parent.line:
            self.lines[(*parent.path, key)] = line
        parent.key, parent.key_line = key, line

    def _count_feature(self, line: int, parent: _Open) -> None:
        self.features += 1
        limit = self.limits.max_features
        if self.features_before + self.features > limit:
            where = "in all the layer files read" if self.features_before else "in one file"
            self._fail(
                line,
                parent.next_path(),
                f"more than {limit:,} features {where}",
                f"split the map, or raise the limit with {LIMIT_OPTIONS['max_features']}",
            )

    def _anchor(self, name: str, anchor: _Anchor, path: PathKey) -> None:
        first = self.anchors.get(name)
        if first is not None:
            self._fail(
                anchor.line,
                path,
                f"the anchor &{name} is defined twice (first on line {first.line})",
                "give each anchor its own name",
            )
        self.anchors[name] = anchor

    # --- values

    def _value(
        self, event: ScalarEvent, line: int, where: _Open | PathKey | None, *, key: bool = False
    ) -> Any:
        """The value of a scalar; `where` is its list or mapping, or (a key) its path."""
        text = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(text, event.implicit)
        elif tag != _STR:  # `!!str` is the one tag that cannot misread a value
            self._refuse_tag(tag, line, _where(where))
        if tag == _STR:
            if _FastParser is None and _SURROGATE.search(text):
                # PyYAML's own parser reads "\ud83d\ude00" as two characters (libyaml refuses)
                text = text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return _CONSTRUCTOR.bool_values[text.lower()]
        if tag in (_TAG + "int", _TAG + "float"):
            return self._number(tag, text, line, _where(where))
        if tag == _TAG + "merge" and key:
            self._fail(
                line,
                _where(where),
                "'<<' (a YAML merge key) is not supported",
                "write the keys out in each mapping",
            )
        # dates stay text: the model checks them and names a bad one ('=' and '<<' are text)
        return text

    def _number(self, tag: str, text: str, line: int, path: PathKey) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            self._fail(
                line,
                path,
                f"a number written with {len(text):,} characters",
                f"numbers have at most {MAX_NUMBER_CHARS} characters; quote text",
            )
        digits = text[1:] if text[0] in "+-" else text
        if digits.isdigit() and (digits[0] != "0" or digits == "0"):
            return int(text)  # the usual case, which is decimal (a leading 0 means octal)
        if tag == _TAG + "float" and text[-1].isdigit() and "_" not in text and ":" not in text:
            return float(text)
        node = ScalarNode(tag, text)
        try:
            if tag == _TAG + "int":
                return _CONSTRUCTOR.construct_yaml_int(node)
            return _CONSTRUCTOR.construct_yaml_float(node)
        except (ValueError, OverflowError):
            self._fail(line, path, f"{text!r} is not a number", "write digits, or quote text")

    def _refuse_tag(self, tag: str, line: int, path: PathKey) -> NoReturn:
        shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
        self._fail(
            line,
            path,
            f"the tag {shown!r} is not allowed",
            "layer files are plain data, written without YAML tags: quote text that would "
            "read as a number, true/false or a date",
        )

    def _fail(self, line: int, path: PathKey, problem: str, allowed: str) -> NoReturn:
        raise LayerFileError([Problem(self.file, line, format_path(path), problem, allowed)])


def _where(where: _Open | PathKey | None) -> PathKey:
    if where is None:
        return ()
    return where.next_path() if isinstance(where, _Open) else where


_resolved: dict[str, str] = {}
#: first characters of the plain scalars YAML may read as something other than text
_MAY_RESOLVE = frozenset(first for first in _RESOLVER.yaml_implicit_resolvers if first)
#: decimals YAML 1.1 reads as floats and integers, without its slow general patterns (the
#: coordinates and counts of a big file); anything else goes through the resolver
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_FLOAT, _INT = _TAG + "float", _TAG + "int"


def _resolve(text: str, implicit: tuple[bool, bool]) -> str:
    """The tag YAML gives a scalar written without one; the short plain ones (keys, words such
    as 'site' or 'radar') are remembered, as a big file repeats them.

    >>> [_resolve(t, (True, False)).removeprefix(_TAG) for t in ("12.5", "-3", "1e5", "yes", "")]
    ['float', 'int', 'str', 'bool', 'null']
    """
    if not implicit[0]:
        return _STR  # quoted
    if text and text[0] not in _MAY_RESOLVE:
        return _STR  # as PyYAML's resolver: it looks up its patterns by the first character
    if _PLAIN_FLOAT.match(text):
        return _FLOAT
    if _PLAIN_INT.match(text):
        return _INT
    if len(text) > 24:
        return str(_RESOLVER.resolve(ScalarNode, text, implicit))
    tag = _resolved.get(text)
    if tag is None:
        if len(_resolved) > 10_000:
            _resolved.clear()
        tag = _resolved[text] = str(_RESOLVER.resolve(ScalarNode, text, implicit))
    return tag


def _line(event: Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
