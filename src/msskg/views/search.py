"""Search the graph in your own words: labels and names (English and Korean,
any case, parts of words) and the verbatim quotes (oa:exact) facts rest on;
every word by default, "a quoted phrase", OR (see :mod:`msskg.views.search_text`).
Each hit is one resource, with its kind, a quote that supports or names it
(the words found marked), and the command that shows more."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from msskg.errors import ParameterError, shown, visible_lines
from msskg.graph.prefixes import local_words, shorten
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.query.folding import fold, nfkc
from msskg.query.registry import HITS, check_format
from msskg.views.periods import label, labels_of, select
from msskg.views.search_text import (
    Excerpt,
    Pattern,
    excerpt,
    marked,
    parse_search,
    split_words,
)
from msskg.vocab import OWL as _OWL

__all__ = ["Hit", "find", "format_hits", "search"]


# Three simple queries rather than one UNION (which Oxigraph plans worse), the
# quotes from the selector up.
_TEXTS = {
    "label": "SELECT ?thing ?text WHERE { ?thing rdfs:label|skos:prefLabel|skos:altLabel ?text }",
    "name": "SELECT ?thing ?text WHERE "
    "{ ?period a mss:NamePeriod ; mss:ofAgency ?thing ; mss:name ?text }",
    "quote": "SELECT ?thing ?text ?source WHERE { ?selector oa:exact ?text . "
    "?from oa:hasSelector ?selector . ?thing prov:wasDerivedFrom ?from . "
    "OPTIONAL { ?from oa:hasSource ?source } }",
}
# Where a person, body or place is named (and a body's names given): the quotes
# shown for a hit on its label or name.
_NAMED = (
    "SELECT ?thing ?text ?source WHERE { "
    "{ ?note oa:hasBody ?thing ; oa:hasTarget ?from } "
    "UNION { ?period a mss:NamePeriod ; mss:ofAgency ?thing ; prov:wasDerivedFrom ?from } "
    "?from oa:hasSelector/oa:exact ?text . OPTIONAL { ?from oa:hasSource ?source } }"
)
_TYPES = "SELECT ?thing ?type WHERE { ?thing rdf:type ?type }"
_FACT_TYPES = "SELECT ?type WHERE { ?type rdfs:subClassOf+ mss:Fact }"

_PROPERTY_TYPES = {_OWL + name for name in ("ObjectProperty", "DatatypeProperty")}


@dataclass(frozen=True)
class Hit:
    """One resource found: its labels, kind, what matched (a label, a name or a
    quote), a score (higher is better), and a quote that supports or names
    it (the part that holds the words found, with its source, and the
    (start, end) offsets of those words in it), when the graph has one."""

    iri: str
    label: str
    korean: str | None
    kind: str
    field: str
    matched: str
    source: str | None
    score: int
    command: str
    quote: str | None = None
    marks: tuple[tuple[int, int], ...] = ()


def search(
    text: str,
    *,
    fmt: str = "text",
    limit: int = 20,
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
) -> str:
    """The hits for ``text`` in the graph (bundled, ``data`` files or a
    ``store``), best first, as ``fmt`` (text or json)."""
    check_format(fmt, HITS, "search")
    if limit < 1:
        raise ParameterError(f"--limit takes a whole number from 1, not {limit}")
    graph = open_store(data=data, store=store)
    return format_hits(text, find(graph, text), fmt=fmt, limit=limit)


def find(graph: KnowledgeGraph, text: str) -> list[Hit]:
    """Every resource with a label, name or quote that holds every word of
    ``text`` (case-insensitive, parts of words too), each ``"quoted phrase"``
    as written, or what either side of an ``OR`` asks; best first."""
    patterns = parse_search(nfkc(text))
    names = labels_of(graph)
    kinds = _kinds(graph, names)
    best: dict[str, tuple[int, str, str, str | None]] = {}
    rows = [(field, row) for field, text in _TEXTS.items() for row in select(graph, text)]
    for field, row in rows:
        thing, found = row["thing"], row["text"]
        if not isinstance(thing, ox.NamedNode) or not isinstance(found, ox.Literal):
            continue
        score = max(_score(nfkc(found.value), p, quote=field == "quote") for p in patterns)
        if score == 0:
            continue
        source = row.get("source")
        where = source.value if isinstance(source, ox.NamedNode) else None
        held = best.get(thing.value)
        if held is None or (score, -len(found.value)) > (held[0], -len(held[2])):
            best[thing.value] = (score, field, found.value, where)
    quotes = _quotes(rows, graph, set(best))
    hits = []
    for iri, (score, field, matched, origin) in best.items():
        quote = (
            (matched, origin) if field == "quote" else _best_quote(quotes.get(iri, []), patterns)
        )
        shown = excerpt(quote[0], patterns) if quote else None
        hits.append(
            Hit(
                iri=iri,
                label=label(names, iri),
                korean=names.get(iri, {}).get("ko"),
                kind=kinds.get(iri, "resource"),
                field=field,
                matched=shown.text if shown and field == "quote" else matched,
                source=shorten(quote[1], graph.prefixes) if quote and quote[1] else None,
                score=score,
                command=f"msskg describe {shorten(iri, graph.prefixes)}",
                quote=shown.text if shown else None,
                marks=shown.marks if shown else (),
            )
        )
    return sorted(hits, key=lambda h: (-h.score, h.label.casefold(), h.iri))


def _quotes(
    rows: Sequence[tuple[str, Mapping[str, object]]], graph: KnowledgeGraph, found: set[str]
) -> dict[str, list[tuple[str, str | None]]]:
    """The quotes of each resource in ``found``: those it is derived from,
    and those that name it; (text, source IRI), in a stable order."""
    quotes: dict[str, set[tuple[str, str | None]]] = {}
    named = [("quote", row) for row in select(graph, _NAMED)]
    for field, row in [*rows, *named]:
        thing, text, source = row["thing"], row["text"], row.get("source")
        if field != "quote" or not isinstance(thing, ox.NamedNode) or thing.value not in found:
            continue
        if isinstance(text, ox.Literal):
            where = source.value if isinstance(source, ox.NamedNode) else None
            quotes.setdefault(thing.value, set()).add((text.value, where))
    return {iri: sorted(pairs, key=lambda q: (q[0], q[1] or "")) for iri, pairs in quotes.items()}


def _best_quote(
    quotes: Sequence[tuple[str, str | None]], patterns: Sequence[Pattern]
) -> tuple[str, str | None] | None:
    """The quote that holds most of what was searched for (the shortest of those)."""

    def fit(quote: tuple[str, str | None]) -> tuple[int, int, int]:
        folded = " ".join(quote[0].lower().split())
        whole = any(p.matches(quote[0]) for p in patterns)
        terms = sum(term in folded for p in patterns for term in p.terms)
        return (int(whole), terms, -len(quote[0]))

    return max(quotes, key=fit) if quotes else None


def format_hits(text: str, hits: Sequence[Hit], *, fmt: str = "text", limit: int = 20) -> str:
    """``hits`` (the first ``limit``) for the terminal, or as a JSON list."""
    first = list(hits[:limit])
    if fmt == "json":
        return json.dumps([asdict(h) for h in first], ensure_ascii=False, indent=2) + "\n"
    if not hits:
        return f"nothing found for {_asked(text)} (labels, names and quotes were searched)\n"
    more = f", the first {limit} shown (--limit)" if len(hits) > limit else ""
    lines = [f"{len(hits)} found for {_asked(text)}{more}:"]
    for number, hit in enumerate(first, start=1):
        title = hit.label + (f" ({hit.korean})" if hit.korean and hit.korean != hit.label else "")
        lines.append(f"{number}. {title} · {hit.kind}")
        if hit.field != "quote" and hit.matched not in (hit.label, hit.korean):
            lines.append(f"   {hit.field}: {hit.matched}")
        if hit.quote is not None:
            quote = marked(Excerpt(hit.quote, hit.marks))
            lines.append(f"   quote: “{quote}”" + (f" ({hit.source})" if hit.source else ""))
        lines.append(f"   {hit.command}")
    return visible_lines(lines)


def _asked(text: str) -> str:
    # a search with "a phrase" in it is shown as typed, not quoted again
    return shown(text) if '"' in text else f'"{shown(text)}"'


def _words(text: str) -> list[str]:
    return split_words(fold(text).replace("\u2019", "'"))


def _score(found: str, pattern: Pattern, *, quote: bool) -> int:
    """0 unless ``found`` holds every term of ``pattern``; more for a whole
    match, a match at the start, the words in the order asked, and whole
    words; labels and names rank above quotes."""
    if not pattern.matches(found):
        return 0
    words = pattern.words
    tokens = _words(found)
    whole = " ".join(words)
    if quote:
        in_order = len(words) > 1 and whole in " ".join(tokens)
        return 10 + sum(2 for w in words if w in tokens) + (5 if in_order else 0)
    if " ".join(tokens) == whole:
        return 100
    score = 50 + sum(10 for w in words if w in tokens) + sum(5 for w in words if _starts(w, tokens))
    extra = sum(1 for t in tokens if not any(w in t for w in words))
    return score + (10 if " ".join(tokens).startswith(whole) else 0) - min(extra, 20)


def _starts(word: str, tokens: Sequence[str]) -> bool:
    return any(t.startswith(word) for t in tokens)


def _kinds(graph: KnowledgeGraph, names: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Each typed resource's kind, from the English labels of its types: "post",
    "person", "ministry"; a class of facts is a "fact type", a property a "property"."""
    found: dict[str, list[str]] = {}
    facts = {row["type"].value for row in select(graph, _FACT_TYPES)}
    for row in select(graph, _TYPES):
        thing, kind = row["thing"], row["type"]
        if not isinstance(thing, ox.NamedNode) or not isinstance(kind, ox.NamedNode):
            continue
        if kind.value == _OWL + "Class":
            word = "fact type" if thing.value in facts else "class"
        elif kind.value in _PROPERTY_TYPES:
            word = "property"
        elif kind.value.startswith(_OWL):
            continue
        elif kind.value in names:
            word = label(names, kind.value).casefold()
        else:
            word = local_words(kind.value)
        if word not in found.setdefault(thing.value, []):
            found[thing.value].append(word)
    return {thing: ", ".join(words) for thing, words in found.items()}
