"""Everything the graph says about one thing (labels, types, its own
statements, the facts it takes part in, grouped, and the conflicts among them),
each fact with its quotes and source files: as a terminal page, Markdown or JSON-LD."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from msskg.errors import visible_lines
from msskg.graph.prefixes import shorten
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.query.catalogue import get_query
from msskg.query.engines import run_query
from msskg.query.registry import DESCRIPTION, check_format
from msskg.query.results import GraphResult, SelectResult
from msskg.views.lanes import Bar
from msskg.views.periods import Period, label, labels_of, periods_of, resolve_thing, select
from msskg.vocab import DERIVED_FROM, RDF_TYPE, RDFS, SKOS
from msskg.vocab import MSS as _MSS
from msskg.vocab import ORG as _ORG

__all__ = [
    "Description",
    "Fact",
    "build_description",
    "describe",
    "statement_labels",
]

# The property that links a fact to the thing decides its section.
_SECTIONS = {
    "(itself)": "Sources of the resource itself",
    _MSS + "ofAgency": "Names over time",
    _MSS + "subordinate": "Superior bodies",
    _MSS + "superior": "Subordinate bodies",
    _MSS + "post": "Terms of office",
    _ORG + "member": "Terms of office",
    _ORG + "organization": "Terms of office",
    _MSS + "claimedHolder": "Claims about the current holder",
    _MSS + "usedBy": "Equipment",
    _MSS + "listsChild": "Lists of child agencies that name it",
}
_SKIP = {RDF_TYPE, RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DERIVED_FROM}
_OWN = "SELECT ?thing ?p ?o WHERE { ?thing ?p ?o } ORDER BY ?p ?o"
# What a reified statement (no label of its own) says, and when each dated fact begins.
_STATEMENTS = """\
SELECT ?fact ?s ?p ?o WHERE {
  ?fact a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o
}
"""
_BEGINS = "SELECT ?fact ?day WHERE { ?fact time:hasTime/mss:earliest ?day }"


@dataclass(frozen=True)
class Fact:
    iri: str
    label: str
    dates: str | None
    quotes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Description:
    iri: str
    labels: Mapping[str, tuple[str, ...]]
    types: tuple[str, ...]
    statements: tuple[tuple[str, str], ...]
    sections: Mapping[str, tuple[Fact, ...]]
    conflicts: tuple[tuple[str, str, str, str], ...]
    prefixes: Mapping[str, str]
    links: Mapping[str, tuple[str, str, bool]] = field(default_factory=dict)
    """The IRIs among the properties, types and values, by the text that
    shows them: "Pyongyang (msr:pyongyang)" -> (its IRI, "Pyongyang", True),
    so that a page can show each by its label, linked; False for a property
    the graph does not describe (``rdfs:seeAlso``): its page is its IRI."""
    linked_from: tuple[tuple[str, str, str], ...] = ()
    """What links to the thing: (property, subject IRI, subject's label), by
    property; every IRI with a triple whose object is the thing."""

    @property
    def title(self) -> str:
        english = self.labels.get("en") or self.labels.get("") or (self.iri,)
        korean = self.labels.get("ko")
        return english[0] + (f" ({korean[0]})" if korean else "")


def describe(
    thing: str,
    *,
    fmt: str = "text",
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
) -> str:
    """Everything about ``thing`` (IRI, prefixed name or label) as ``fmt``."""
    check_format(fmt, DESCRIPTION, "describe")
    graph = open_store(data=data, store=store)
    if fmt == "jsonld":  # compacted with the published context, as msskg export -f jsonld
        from msskg.graph.jsonld import jsonld_text

        return jsonld_text(describe_graph(graph, resolve_thing(graph, thing)).triples)
    return render(build_description(graph, thing), md=fmt == "md")


def _section(link: str, period: Period | None, prefixes: Mapping[str, str]) -> str:
    """The section a fact goes in: by the property that links it to the thing,
    except that mss:ofAgency links duties and lists as well as names."""
    if link == _MSS + "ofAgency" and (period is None or period.kind != "name"):
        return "Duties, strength and lists of child agencies"
    return _SECTIONS.get(link) or f"Facts by {shorten(link, prefixes)}"


def build_description(graph: KnowledgeGraph, thing: str | None) -> Description:
    node = resolve_thing(graph, thing)
    names = labels_of(graph)
    periods = {p.fact: p for p in periods_of(graph, node, names)}
    found: dict[str, list[str]] = {}
    types: list[str] = []
    statements: list[tuple[str, str]] = []
    links: dict[str, tuple[str, str, bool]] = {}
    for row in select(graph, _OWN, {"thing": node}):
        p, o = row["p"].value, row["o"]
        if isinstance(o, ox.NamedNode):
            shown = _plain(o, names, graph.prefixes)
            links[_name(o, names, graph.prefixes)] = (o.value, shown, True)
        _link_property(p, names, graph.prefixes, links)
        if p == RDFS + "label" or p.endswith("Label"):
            assert isinstance(o, ox.Literal)
            if o.value not in found.setdefault(o.language or "", []):
                found[o.language or ""].append(o.value)
        elif p == RDF_TYPE:
            types.append(_name(o, names, graph.prefixes))
        elif p not in _SKIP and _v(o) != "":
            statements.append((shorten(p, graph.prefixes), _name(o, names, graph.prefixes)))
    sources = run_query(get_query("sources"), {"thing": node.value}, graph=graph)
    assert isinstance(sources, SelectResult)
    said = statement_labels(graph, names)
    quotes: dict[tuple[str, str], list[tuple[str, str]]] = {}
    titles: dict[str, str] = {}
    placed: dict[str, str] = {}
    for answer in (_row(sources.variables, r) for r in sources.rows):
        fact, link = _v(answer["fact"]), _v(answer["link"])
        section = placed.setdefault(fact, _section(link, periods.get(fact), graph.prefixes))
        titles[fact] = said.get(fact) or _v(answer["label"])
        pair = (_v(answer["quote"]), _v(answer["source"]))
        if pair not in quotes.setdefault((section, fact), []):
            quotes[(section, fact)].append(pair)
    sections: dict[str, list[Fact]] = {}
    begins = _begins(graph, periods)
    for (section, fact), pairs in quotes.items():
        dates = Bar(period).dates if (period := periods.get(fact)) else None
        sections.setdefault(section, []).append(Fact(fact, titles[fact], dates, tuple(pairs)))
    for facts in sections.values():  # in date order, undated last, then by label
        facts.sort(key=lambda f: (f.iri not in begins, begins.get(f.iri, ""), f.label))
    return Description(
        iri=node.value,
        labels={lang: tuple(values) for lang, values in sorted(found.items())},
        types=tuple(types),
        statements=tuple(statements),
        sections={name: tuple(facts) for name, facts in sections.items()},
        conflicts=_conflicts(graph, node.value, {f for _, f in quotes}, names),
        prefixes=graph.prefixes,
        links=links,
        linked_from=_linked_from(graph, node, names, said, links),
    )


_INTO = """\
SELECT DISTINCT ?p ?s ?thing WHERE { ?s ?p ?thing . FILTER (isIRI(?s)) }
ORDER BY ?p ?s
"""


def _linked_from(
    graph: KnowledgeGraph,
    node: ox.NamedNode,
    names: Mapping[str, Mapping[str, str]],
    said: Mapping[str, str],
    links: dict[str, tuple[str, str, bool]],
) -> tuple[tuple[str, str, str], ...]:
    """(property, subject, its label) for every IRI that links to ``node``;
    each property the ontology describes goes into ``links`` too."""
    found = []
    for row in select(graph, _INTO, {"thing": node}):
        prop, subject = row["p"].value, row["s"].value
        short = shorten(prop, graph.prefixes)
        _link_property(prop, names, graph.prefixes, links)
        found.append((short, subject, said.get(subject) or label(names, subject)))
    return tuple(found)


def _link_property(
    prop: str,
    names: Mapping[str, Mapping[str, str]],
    prefixes: Mapping[str, str],
    links: dict[str, tuple[str, str, bool]],
) -> None:
    """A property the ontology describes links to its page, by its label;
    any other to its IRI, by its prefixed name."""
    short = shorten(prop, prefixes)
    links[short] = (prop, label(names, prop), True) if prop in names else (prop, short, False)


def statement_labels(
    graph: KnowledgeGraph, names: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """A reified statement shown as what it says: "Ministry of Social Security
    rdfs:seeAlso Amrokkang Sports Club", not as its IRI."""
    return {
        _v(row["fact"]): " ".join(_plain(row[part], names, graph.prefixes) for part in "spo")
        for row in select(graph, _STATEMENTS)
    }


def _plain(
    term: object, names: Mapping[str, Mapping[str, str]], prefixes: Mapping[str, str]
) -> str:
    if isinstance(term, ox.NamedNode) and term.value not in names:
        return shorten(term.value, prefixes)
    return label(names, term.value) if isinstance(term, ox.NamedNode) else _v(term)


def _begins(graph: KnowledgeGraph, periods: Mapping[str, Period]) -> dict[str, str]:
    """The first day each dated fact may begin (ISO text, so it sorts)."""
    begins = {_v(row["fact"]): _v(row["day"]) for row in select(graph, _BEGINS)}
    for fact, period in periods.items():
        if period.dated and period.start is not None:
            begins[fact] = period.start.earliest.isoformat()
    return begins


def _row(variables: Sequence[str], row: Sequence[object]) -> dict[str, object]:
    return dict(zip(variables, row, strict=True))


def _v(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


def _name(term: object, names: Mapping[str, Mapping[str, str]], prefixes: Mapping[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        known = names.get(term.value)
        short = shorten(term.value, prefixes)
        return f"{label(names, term.value)} ({short})" if known else short
    return _v(term) if isinstance(term, ox.Literal) else str(term)


def _conflicts(
    graph: KnowledgeGraph, iri: str, facts: set[str], names: Mapping[str, Mapping[str, str]]
) -> tuple[tuple[str, str, str, str], ...]:
    """Rows of the saved query ``conflicts`` that touch the thing or its facts:
    (kind, claim, quote, source)."""
    result = run_query(get_query("conflicts"), graph=graph)
    assert isinstance(result, SelectResult)
    mine, rows = label(names, iri), [_row(result.variables, r) for r in result.rows]
    return tuple(
        dict.fromkeys(
            (_v(row["kind"]), _v(row["claim"]), _v(row["quote"]), _v(row["source"]))
            for row in rows
            if _v(row.get("fact")) in facts | {iri} or _v(row.get("about")) in (iri, mine)
        )
    )


def describe_graph(graph: KnowledgeGraph, node: ox.NamedNode) -> GraphResult:
    """The thing's own triples and the facts that mention it, with their
    intervals and provenance (blank nodes followed)."""
    subjects: list[ox.NamedNode | ox.BlankNode] = [node]
    subjects += [
        q.subject
        for q in graph.store.quads_for_pattern(None, None, node)
        if isinstance(q.subject, ox.NamedNode)
    ]
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    triples: list[ox.Triple] = []
    while subjects:
        subject = subjects.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for quad in graph.store.quads_for_pattern(subject, None, None):
            triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
            if isinstance(quad.object, ox.BlankNode):
                subjects.append(quad.object)
    return GraphResult(tuple(dict.fromkeys(triples)))  # each once, where first found


def render(built: Description, *, md: bool = False) -> str:
    """The description as plain text or Markdown (``md``): the same parts in each."""
    esc = _md if md else str
    item = "- **{}**: {}" if md else "{}: {}"
    title = [f"# {built.title}", "", f"<{built.iri}>", ""]
    lines = title if md else [built.title, "=" * len(built.title), f"IRI: {built.iri}"]
    for lang, values in built.labels.items():
        lines.append(item.format(f"Labels ({lang or 'no language'})", "; ".join(values)))
    if built.types:
        lines.append(item.format("Types", ", ".join(built.types)))
    lines += [("- **{}**: {}" if md else "  {}: {}").format(p, esc(v)) for p, v in built.statements]
    for section, facts in built.sections.items():
        lines += _heading(section, md)
        for fact in facts:
            dated = bool(fact.dates and fact.dates not in fact.label)
            if md:
                lines.append(f"- **{_md(fact.label)}**" + (f" ({fact.dates})" if dated else ""))
            else:
                lines.append(f"* {fact.label}" + (f"  [{fact.dates}]" if dated else ""))
            lines += [_quoted(quote, source, md) for quote, source in fact.quotes]
    if built.conflicts:
        lines += _heading("Conflicts", md)
        for kind, claim, quote, source in built.conflicts:
            said = f"- **{_md(kind)}**: {_md(claim)}" if md else f"! {kind}: {claim}"
            lines += [said, _quoted(quote, source, md)]
    return visible_lines(lines)


def _heading(text: str, md: bool) -> list[str]:
    return ["", f"## {text}", ""] if md else ["", text, "-" * len(text)]


def _quoted(quote: str, source: str, md: bool) -> str:
    if md:
        return f"  > {_md(_one_line(quote))} — `{source}`"
    return f"    “{_one_line(quote)}” ({source})"


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", " / ")


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")
