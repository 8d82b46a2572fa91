"""Text compared as people mean it: the same words typed decomposed (NFD, as
macOS file names and some keyboards give Hangul), composed (NFC), or in
full-width Latin (U+FF01 to U+FF5E, from CJK input methods) are one text."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["fold", "labelled_as", "nfc", "nfkc"]


def nfc(text: str) -> str:
    """``text`` composed (NFC): the form the graph's own text is in."""
    return unicodedata.normalize("NFC", text)


def nfkc(text: str) -> str:
    """``text`` composed and width-folded (NFKC): full-width Latin becomes ASCII."""
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """``text`` as compared: NFKC, then case-folded."""
    return nfkc(text).casefold()


def labelled_as(text: str, labelled: Iterable[tuple[str, str]]) -> list[str]:
    """The IRIs, sorted, whose label in ``labelled`` (IRI, label) folds to
    what ``text`` folds to."""
    wanted = fold(text)
    return sorted({iri for iri, label in labelled if fold(label) == wanted})
