"""The source reader's model: each seed text the graph's catalogue of sources
names (mss:SourceText with mss:fileName), read whole from the project's seeds/
folder, cut into pieces at the edges of every quoted passage (the oa:exact of
each oa:TextQuoteSelector whose oa:hasSource is that source), each passage with
the facts it supports. A passage's anchor is a hash of its words, so a page
that shows a quote can link to it without reading the text."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from msskg.errors import MissingDataError, UnknownLabelError
from msskg.graph.files import project_home
from msskg.graph.store import KnowledgeGraph
from msskg.views.describe import statement_labels
from msskg.views.periods import label, labels_of, select

__all__ = ["Passage", "Piece", "Reading", "SourceEntry", "passage_id", "read_source", "sources"]

_SOURCES = """\
SELECT ?source ?file ?title WHERE {
  ?source a mss:SourceText ; mss:fileName ?file .
  OPTIONAL { ?source dcterms:title ?title }
}
"""
_PASSAGES = """\
SELECT ?fact ?quote ?source WHERE {
  ?fact prov:wasDerivedFrom ?from .
  ?from oa:hasSource ?source ; oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?quote .
}
"""


@dataclass(frozen=True)
class SourceEntry:
    """One source text of the catalogue: its IRI, file name and title."""

    iri: str
    file_name: str
    title: str


@dataclass(frozen=True)
class Passage:
    """A quoted passage: its anchor, where it stands in the text (characters),
    and the facts (IRI, label) it supports, in label order."""

    anchor: str
    start: int
    end: int
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Piece:
    """A run of the text, the passages covering it (anchors, none outside any
    quote), the passages that begin and that end right here."""

    text: str
    covered: tuple[str, ...]
    begins: tuple[str, ...]
    ends: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """A source text whole, cut into pieces; its passages by anchor; and the
    quotes said to come from it that the text does not hold (none, if valid)."""

    source: SourceEntry
    pieces: tuple[Piece, ...]
    passages: Mapping[str, Passage]
    missing: tuple[str, ...]


def passage_id(quote: str) -> str:
    """The anchor of a quoted passage in the reader: ``q-`` and 12 hex digits."""
    return "q-" + hashlib.sha256(quote.encode("utf-8")).hexdigest()[:12]


def sources(graph: KnowledgeGraph) -> list[SourceEntry]:
    """The catalogue of sources in the graph, by IRI."""
    found: dict[str, SourceEntry] = {}
    for row in select(graph, _SOURCES):
        source, file, title = row["source"], row["file"], row.get("title")
        if isinstance(source, ox.NamedNode) and isinstance(file, ox.Literal):
            name = title.value if isinstance(title, ox.Literal) else file.value
            found.setdefault(source.value, SourceEntry(source.value, file.value, name))
    return sorted(found.values(), key=lambda s: s.iri)


def _text_of(entry: SourceEntry) -> str:
    """The seed file of ``entry``: a plain file name inside seeds/, never a path."""
    name = entry.file_name
    if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
        raise MissingDataError(f'the source file name "{name}" is not a plain file name')
    try:
        return (project_home() / "seeds" / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise MissingDataError(f"cannot read the source text {name}: {err}") from None


def read_source(graph: KnowledgeGraph, iri: str) -> Reading:
    """The source text ``iri`` (one of :func:`sources`) with its passages."""
    entry = next((s for s in sources(graph) if s.iri == iri), None)
    if entry is None:
        raise UnknownLabelError(f"no source text {iri} in the catalogue of sources")
    text = _text_of(entry)
    names = labels_of(graph)
    said = statement_labels(graph, names)  # a reified statement: what it says
    facts: dict[str, dict[str, str]] = {}
    for row in select(graph, _PASSAGES, {"source": ox.NamedNode(iri)}):
        fact, exact = row["fact"], row["quote"]
        if isinstance(exact, ox.Literal) and isinstance(fact, ox.NamedNode):
            facts.setdefault(exact.value, {})[fact.value] = said.get(fact.value) or label(
                names, fact.value
            )
    passages: dict[str, Passage] = {}
    missing = []
    for quote, supported in sorted(facts.items()):
        at = text.find(quote) if quote else -1
        if at < 0:
            missing.append(quote)
            continue
        ordered = tuple(sorted(supported.items(), key=lambda f: (f[1].casefold(), f[0])))
        anchor = passage_id(quote)
        passages[anchor] = Passage(anchor, at, at + len(quote), ordered)
    return Reading(entry, _pieces(text, passages), passages, tuple(missing))


def _pieces(text: str, passages: Mapping[str, Passage]) -> tuple[Piece, ...]:
    cuts = sorted(
        {0, len(text), *(p.start for p in passages.values())} | {p.end for p in passages.values()}
    )
    # Longer passages first, so that nested highlights open outside in.
    order = sorted(passages.values(), key=lambda p: (p.start, -p.end, p.anchor))
    pieces = []
    for left, right in itertools.pairwise(cuts):
        covered = tuple(p.anchor for p in order if p.start <= left and right <= p.end)
        begins = tuple(p.anchor for p in order if p.start == left)
        ends = tuple(p.anchor for p in order if p.end == right)
        pieces.append(Piece(text[left:right], covered, begins, ends))
    return tuple(pieces)
