"""The small exception hierarchy every stage raises; the CLI turns it into `Error: …` lines."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


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
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: {self.problem}" if self.path else f"{where}: {self.problem}"
        return f"{text}; {self.allowed}" if self.allowed else text


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
