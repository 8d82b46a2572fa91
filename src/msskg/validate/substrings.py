"""Which of many strings occur in a text, without searching the text once for
each: the strings are grouped by their first characters, and by length within
a group, so that each position of the text is tried against a few lengths.
Used for names in quotes (msskg.validate.native) and for quotes in their seed
texts (msskg.validate.sources), where searching the whole seed once per
quote made validation quadratic in the size of the seed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = ["SubstringIndex", "occurring"]

_WORD_START = re.compile(r"(?<!\S)\S")


class SubstringIndex:
    """``within(text)`` is {s for s in strings if s in text}; strings shorter
    than ``width`` are searched one by one."""

    def __init__(self, strings: Iterable[str], width: int = 4):
        self.width = width
        self.strings = set(strings)
        self.short = sorted(s for s in self.strings if len(s) < width)
        lengths: dict[str, set[int]] = {}
        for string in self.strings:
            if len(string) >= width:
                lengths.setdefault(string[:width], set()).add(len(string))
        self.lengths = {key: sorted(values) for key, values in lengths.items()}

    def at(self, text: str, i: int) -> Iterator[str]:
        """The strings of at least ``width`` characters that start at ``text[i]``."""
        for length in self.lengths.get(text[i : i + self.width], ()):
            if text[i : i + length] in self.strings:
                yield text[i : i + length]

    def within(self, text: str) -> set[str]:
        """Every string that occurs in ``text``."""
        found = {s for s in self.short if s in text}
        for i in range(len(text) - self.width + 1):
            found.update(self.at(text, i))
        return found


def occurring(text: str, strings: Iterable[str], width: int = 16) -> set[str]:
    """Those of ``strings`` that occur in ``text`` (a long one): found where a
    word starts, in one pass over the text; a string not found there (one that
    starts inside a word or is short) is then searched for in the whole text."""
    index = SubstringIndex(strings, width)
    found: set[str] = set()
    for match in _WORD_START.finditer(text):
        found.update(index.at(text, match.start()))
    found.update(s for s in index.strings - found if s in text)
    return found
