"""What a search asks and where it matches: every word by default,
``"a quoted phrase"`` as written, ``OR`` between alternatives; each word may
be part of a word, in any case. And how a quote is shown for a hit: its
sentences that hold the match, whole, with the words found marked."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from msskg.errors import ParameterError

__all__ = ["SNIPPET", "Excerpt", "Pattern", "excerpt", "marked", "parse_search", "split_words"]

SNIPPET = 300
"""Longest excerpt of a quote, in characters, before a sentence itself is cut."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


class Pattern(NamedTuple):
    """One alternative of a search: ``terms`` each a word (part of a word)
    or a phrase (its words in that order, spaces as any spacing), casefolded."""

    terms: tuple[str, ...]

    def matches(self, text: str) -> bool:
        flat = _fold(text)
        return all(term in flat for term in self.terms)

    @property
    def words(self) -> list[str]:
        """Every word of every term, as ranking counts them."""
        return [w for term in self.terms for w in split_words(term)]


class Excerpt(NamedTuple):
    """The part of a quote shown, and where in it the words found are
    (start, end) offsets; ``…`` stands where the quote goes on."""

    text: str
    marks: tuple[tuple[int, int], ...]


def parse_search(text: str) -> list[Pattern]:
    """The alternatives ``text`` asks for (``OR`` between them, in capitals)."""
    alternatives: list[list[str]] = [[]]
    for phrase, word in re.findall(r'"([^"]*)"?|(\S+)', text):
        if word == "OR":
            alternatives.append([])
        elif phrase.strip():
            alternatives[-1].append(" ".join(_fold(phrase).split()))
        elif word:
            alternatives[-1] += split_words(_fold(word))
    patterns = [Pattern(tuple(dict.fromkeys(terms))) for terms in alternatives if terms]
    if not patterns:
        raise ParameterError("search for at least one letter or digit, e.g. msskg search minister")
    return patterns


def excerpt(quote: str, patterns: Sequence[Pattern], limit: int = SNIPPET) -> Excerpt:
    """``quote`` on one line, cut to its sentences from the first to the last
    that holds a term found (or, for a sentence over ``limit`` characters, to
    whole words around the first term), the terms found marked."""
    flat = " ".join(quote.split())
    spans = _spans(flat, patterns)
    if len(flat) > limit and spans:
        starts = [0] + [m.end() for m in _SENTENCE_END.finditer(flat)]
        ends = [m.start() for m in _SENTENCE_END.finditer(flat)] + [len(flat)]
        first = max(i for i, s in enumerate(starts) if s <= spans[0][0])
        last = max(i for i, s in enumerate(starts) if s <= spans[-1][0])
        while last > first and ends[last] - starts[first] > limit:
            last -= 1
        start, end = starts[first], ends[last]
        if end - start > limit:  # one long sentence: whole words around the first match
            start = max(start, flat.rfind(" ", start, max(start, spans[0][0] - limit // 3)) + 1)
            cut = flat.rfind(" ", start, start + limit)
            end = cut if cut > spans[0][1] else min(end, start + limit)
        flat = ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
        spans = _spans(flat, patterns)
    return Excerpt(flat, tuple(spans))


def marked(
    found: Excerpt,
    before: str = "**",
    after: str = "**",
    escape: Callable[[str], str] = str,
) -> str:
    """The excerpt with each term found between ``before`` and ``after``, its
    text passed through ``escape`` (``html.escape`` for a web page)."""
    out, at = [], 0
    for start, end in found.marks:
        out += [escape(found.text[at:start]), before, escape(found.text[start:end]), after]
        at = end
    return "".join(out) + escape(found.text[at:])


def _spans(text: str, patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """Where the terms of the patterns that match ``text`` (of all, when none
    does) occur, in order; those a space apart are one ("**merged back**")."""
    found: list[tuple[int, int]] = []
    matching = [p for p in patterns if p.matches(text)] or patterns  # else mark what is there
    for pattern in matching:
        for term in pattern.terms:
            regex = r"\s+".join(re.escape(w) for w in term.split(" ")).replace("'", "['\u2019]")
            found += [(m.start(), m.end()) for m in re.finditer(regex, text, re.IGNORECASE)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and not text[merged[-1][1] : start].strip():  # touching, or a space apart
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _fold(text: str) -> str:
    # lower(), not casefold(), and one apostrophe for two: each character stays one
    return " ".join(text.lower().replace("\u2019", "'").split())


def split_words(text: str) -> list[str]:
    """Words, an apostrophe inside one kept (people's)."""
    return [w.strip("'") for w in re.split(r"[^\w']+", text) if w.strip("'")]
