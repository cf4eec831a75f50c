"""The small exception hierarchy every stage raises; the CLI turns it into `Error: …` lines."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_NUMBERS = re.compile(r"(\d+)")


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> str:
    """Suggest the closest choices to a misspelt value, as the start of an error's advice.

    >>> did_you_mean("radr", ["radar", "command"])
    "did you mean 'radar'? "
    >>> did_you_mean("radar", ["radar"]), did_you_mean("xyz", ["radar"])
    ('', '')
    """
    close = [
        c for c in difflib.get_close_matches(value, list(choices), n=n, cutoff=cutoff) if c != value
    ]
    return ("did you mean " + ", ".join(f"'{c}'" for c in close) + "? ") if close else ""


def one_line(text: str) -> str:
    r"""Write text on one line: every character that is not printable (line breaks, tabs, other
    control characters) as its Python escape, so a value or a file name cannot forge a line.

    >>> one_line("a.yaml"), one_line("a\nError: b.yaml"), one_line("tab\there\u2028")
    ('a.yaml', 'a\\nError: b.yaml', 'tab\\there\\u2028')
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def character_words(char: str) -> str:
    r"""Name a character that text may not hold, and say what it is.

    >>> character_words("\x1b"), character_words("\uffff"), character_words("\ud800")
    ('U+001B, a control character', 'U+FFFF, a noncharacter', 'U+D800, half of a surrogate pair')
    """
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        what = "half of a surrogate pair"
    elif code in (0xFFFE, 0xFFFF):
        what = "a noncharacter"
    else:
        what = "a control character"
    return f"U+{code:04X}, {what}"


class DefenseMapError(Exception):
    """Base class: anything the CLI reports as `Error: …` and exit code 1."""


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one file.

    >>> str(Problem("layers/a.yaml", 12, "features[3].radius_km", "-5 is not allowed",
    ...             "expected a number > 0"))
    'layers/a.yaml:12: features[3].radius_km: -5 is not allowed; expected a number > 0'
    """

    file: str
    line: int | None
    path: str
    problem: str
    allowed: str = ""

    def __str__(self) -> str:
        # one line whatever a file name, key or value holds: the CLI prints one per problem
        file, path = one_line(self.file), one_line(self.path)
        where = f"{file}:{self.line}" if self.line else file
        text = f"{where}: {path}: {self.problem}" if path else f"{where}: {self.problem}"
        text = f"{text}; {self.allowed}" if self.allowed else text
        return one_line(text)

    def sort_key(self) -> tuple[str, int, tuple[str | int, ...], str, str]:
        """Order problems by file, line, key path (`features[9]` before `features[10]`) and
        message: the same order every run."""
        path = tuple(int(p) if p.isdigit() else p for p in _NUMBERS.split(self.path))
        return (self.file, self.line or 0, path, self.problem, self.allowed)


class LayerFileError(DefenseMapError):
    """One or more problems found in layer files; `problems` lists all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ReferenceLookupError(DefenseMapError):
    """A country or sea name that the reference geography does not know."""


class ExportError(DefenseMapError):
    """An output could not be written (missing optional dependency, bad path, ...)."""


class OfflineAssetWarning(UserWarning):
    """A map element added by the user needs files from the network, so an offline page leaves
    it out (the warning names it)."""
