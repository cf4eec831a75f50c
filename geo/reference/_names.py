"""Case- and accent-insensitive name lookup with "did you mean" suggestions."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from geo.errors import ReferenceLookupError

__all__ = ["NameIndex", "normalize"]


def normalize(name: str) -> str:
    """Fold case, accents, dots and spacing, so that spelling variants compare equal.

    >>> normalize("  Türkiye "), normalize("U.S.A."), normalize("Baltic   Sea")
    ('turkiye', 'usa', 'baltic sea')
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().replace(".", "").split())


def _score(matcher: difflib.SequenceMatcher[str], candidate: str, floor: float) -> float | None:
    """The similarity of `candidate` to the matcher's query when it beats `floor` (and is at
    least `floor` for the first one), else None. The cheap upper bounds come first: most
    spellings are far from the query, and a long query is far from all of them."""
    if not candidate:
        return None
    matcher.set_seq1(candidate)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return None
    score = matcher.ratio()
    return score if score >= floor and score > 0.0 else None


@dataclass(frozen=True)
class NameIndex:
    """Canonical ids (country codes or sea names) and every spelling that leads to them."""

    kind: str  # what the names are, for messages: "country" or "sea"
    labels: Mapping[str, str]  # canonical id -> how a suggestion shows it, e.g. "'POL' (Poland)"
    lookup: Mapping[str, str]  # normalized spelling -> canonical id
    hint: str  # the end of an "unknown name" message, lower case: what is known

    @classmethod
    def build(
        cls, kind: str, entries: Iterable[tuple[str, str, Iterable[str]]], hint: str
    ) -> NameIndex:
        """Index ``(canonical id, label, names)`` entries; a name may lead to one id only."""
        labels: dict[str, str] = {}
        lookup: dict[str, str] = {}
        for canonical, label, names in entries:
            labels[canonical] = label
            for name in (canonical, *names):
                key = normalize(name)
                if lookup.setdefault(key, canonical) != canonical:
                    raise ValueError(
                        f"{kind} name {name!r} is ambiguous: {lookup[key]} or {canonical}"
                    )
        return cls(kind, labels, lookup, hint)

    def resolve(self, name: object) -> str:
        """Return the canonical id for ``name``, or raise ReferenceLookupError with suggestions."""
        if not isinstance(name, str):
            raise ReferenceLookupError(
                f"{self.kind} name must be text, got {name!r} ({type(name).__name__})"
            )
        found = self.find(name)
        if found is None:
            raise ReferenceLookupError(self.unknown_message(name))
        return found

    def find(self, name: str) -> str | None:
        """Return the canonical id for the spelling ``name``, or None when none is known."""
        return self.lookup.get(normalize(name))

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        """Return up to ``limit`` canonical ids whose spellings are closest to ``name``.

        A spelling also counts by its beginning, so that "Baltc Sea" finds both "Baltic Sea"
        and "Baltic Sea (proper)".
        """
        query = normalize(name)
        best: dict[str, float] = {}
        matcher = difflib.SequenceMatcher(None, "", query)  # the query's index is made once
        for spelling, canonical in self.lookup.items():
            for candidate in (spelling, spelling[: len(query)]):
                score = _score(matcher, candidate, floor=max(0.6, best.get(canonical, 0.0)))
                if score is not None:
                    best[canonical] = score
        if not query or not best:
            return []
        ranked = sorted(best, key=lambda c: (-best[c], c))
        # Only near-equals of the best guess: a clear match should not drag in noise.
        return [c for c in ranked if best[c] >= best[ranked[0]] - 0.12][:limit]

    def unknown_message(self, name: str) -> str:
        """Say that ``name`` is unknown, what it may have meant and what is known.

        The problem comes first, then "; " and what would be allowed, so that a caller can
        split the two.

        >>> index = NameIndex.build("sea", [("Black Sea", "'Black Sea'", ["Black"])],
        ...                         hint="known seas: 'Black Sea'.")
        >>> index.unknown_message("Blak Sea")
        "unknown sea 'Blak Sea'; did you mean 'Black Sea'? Known seas: 'Black Sea'."
        >>> index.unknown_message("Lake Superior")
        "unknown sea 'Lake Superior'; known seas: 'Black Sea'."
        """
        guesses = ", ".join(self.labels[c] for c in self.suggestions(name))
        if guesses:
            hint = self.hint[:1].upper() + self.hint[1:]
            return f"unknown {self.kind} {name!r}; did you mean {guesses}? {hint}"
        return f"unknown {self.kind} {name!r}; {self.hint}"
