"""The checks SHACL cannot make (dates well-formed, bounds right, quotes
verbatim in their seeds), read from a pyoxigraph store with a few queries
instead of a walk over an rdflib graph; and StoreView, through which
msskg.validate.sources' labels and quotes read the same store. Used by
msskg.validate.fast; the results are msskg.validate.sources' own, word for word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph, to_rdflib
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.validate.report import MSH, MSS, OA, ValidationResult
from msskg.validate.sources import (
    DATE_TYPES,
    WRITTEN_DATE_PROPERTIES,
    expected_bounds,
    own_result,
    seeds_dir,
)
from msskg.validate.substrings import occurring

__all__ = ["SPARQL_PREFIXES", "StoreView", "as_graph", "source_checks"]

_WRITTEN_PROPS = (*WRITTEN_DATE_PROPERTIES, MSS.inDecade)
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in DEFAULT_PREFIXES.items())


class StoreView:
    """The few rdflib Graph methods that msskg.validate.sources' labels and quotes
    use, answered from a pyoxigraph store."""

    def __init__(self, store: ox.Store, names: NamespaceManager):
        self.store = store
        self.namespace_manager = names

    def _quads(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[ox.Quad]:
        def ox_term(n: Node | None) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
            return None if n is None else to_oxigraph(n)

        if isinstance(s, Literal) or (p is not None and not isinstance(p, URIRef)):
            return iter(())  # a literal focus node (sh:targetNode 42) is never a subject
        return self.store.quads_for_pattern(ox_term(s), ox_term(p), ox_term(o))  # type: ignore[arg-type]

    def objects(self, s: Node, p: Node) -> Iterator[Node]:
        return (to_rdflib(q.object) for q in self._quads(s, p, None))

    def subjects(self, p: Node | None, o: Node) -> Iterator[Node]:
        return (to_rdflib(q.subject) for q in self._quads(None, p, o))

    def subject_predicates(self, o: Node) -> Iterator[tuple[Node, Node]]:
        return ((to_rdflib(q.subject), to_rdflib(q.predicate)) for q in self._quads(None, None, o))

    def value(self, s: Node, p: Node) -> Node | None:
        return next(self.objects(s, p), None)

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        return next(self._quads(*triple), None) is not None

    def cbd(self, nodes: Iterable[Node | None], names: NamespaceManager) -> Graph:
        """The nodes' outgoing triples, through blank nodes: what pySHACL's
        messages print of a node."""
        graph = Graph(namespace_manager=names)
        todo = [n for n in nodes if n is not None and not isinstance(n, Literal)]
        seen: set[Node] = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for q in self._quads(node, None, None):
                triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                graph.add(triple)
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])
        return graph


def as_graph(view: StoreView) -> Graph:
    # describe_node, quotes_of and own_result only call the methods StoreView has.
    return view  # type: ignore[return-value]


# --- the checks SHACL cannot make, read from the store ---------------------------------


def _select(view: StoreView, text: str) -> list[list[Node | None]]:
    return [[None if t is None else to_rdflib(t) for t in row] for row in _rows(view, text)]


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _rows(view: StoreView, text: str) -> Iterator[tuple[OxTerm | None, ...]]:
    """Rows of pyoxigraph terms: making rdflib terms of every value (rdflib
    parses each date) was most of validate's time at 1M triples."""
    solutions = view.store.query(SPARQL_PREFIXES + text)
    assert isinstance(solutions, ox.QuerySolutions)
    width = len(solutions.variables)
    return (tuple(row[i] for i in range(width)) for row in solutions)


_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def source_checks(view: StoreView) -> Iterator[ValidationResult]:
    graph = as_graph(view)
    datatypes = ", ".join(f"<{datatype}>" for datatype in DATE_TYPES)
    dates = _select(
        view, f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER (DATATYPE(?o) IN ({datatypes})) }}"
    )
    bad = [o for (o,) in dates if isinstance(o, Literal) and o.ill_typed]
    yield from _bounds_results(view)
    yield from _quote_results(view)
    for literal in bad:
        for quad in list(view.store.quads_for_pattern(None, None, to_oxigraph(literal))):
            s, p = to_rdflib(quad.subject), to_rdflib(quad.predicate)
            datatype = view.namespace_manager.normalizeUri(literal.datatype)  # type: ignore[arg-type]
            message = f'"{literal}" is not a valid {datatype}'
            yield own_result(
                graph,
                s,
                "DatatypeConstraintComponent",
                MSH.WellFormedDateCheck,
                message,
                path=p,
                value=literal,
            )
            view.store.remove(quad)


def _bounds_results(view: StoreView) -> Iterator[ValidationResult]:
    written = " ".join(f"OPTIONAL {{ ?i <{p}> ?w{n} }}" for n, p in enumerate(_WRITTEN_PROPS))
    rows = _rows(
        view,
        f"SELECT ?i ?e ?l ?w0 ?w1 ?w2 ?w3 WHERE {{ ?i a time:Instant {written} "
        "OPTIONAL { ?i mss:earliest ?e } OPTIONAL { ?i mss:latest ?l } }",
    )
    seen: set[OxTerm] = set()
    for node, *bounds, w0, w1, w2, w3 in rows:
        if node is None or node in seen:
            continue
        seen.add(node)
        expected = _expected(w0, w1, w2, w3)
        if expected is None:
            continue
        for prop, bound, want in zip((MSS.earliest, MSS.latest), bounds, expected, strict=True):
            if (
                isinstance(bound, ox.Literal)
                and bound.datatype.value == _XSD_DATE
                and bound.value == want.isoformat()
            ):
                continue  # the common case, decided without rdflib
            got = None if bound is None else to_rdflib(bound)
            instant = to_rdflib(node)
            if isinstance(got, Literal) and not got.ill_typed and got.toPython() != want:
                message = (
                    f"{view.namespace_manager.normalizeUri(prop)} is {got}, but the written "
                    f"date means {want.isoformat()}"
                )
                yield own_result(
                    as_graph(view),
                    instant,
                    "EqualsConstraintComponent",
                    MSH.DateBoundsCheck,
                    message,
                    path=prop,
                    value=got,
                )


@cache
def _expected(*written: OxTerm | None) -> tuple[dt.date, dt.date] | None:
    """msskg.validate.sources' expected_bounds, on the values already read (few are
    distinct, hence the cache)."""
    instant = BNode()
    graph = Graph()
    for prop, value in zip(_WRITTEN_PROPS, written, strict=True):
        if value is not None:
            graph.add((instant, prop, to_rdflib(value)))
    return expected_bounds(graph, instant)


def _quote_results(view: StoreView) -> Iterator[ValidationResult]:
    rows = _rows(
        view,
        "SELECT ?owner ?source ?name ?selector ?exact WHERE { ?owner oa:hasSource ?source . "
        "?source mss:fileName ?name . ?owner oa:hasSelector ?selector . "
        "?selector oa:exact ?exact }",
    )
    quotes: list[tuple[OxTerm, str, OxTerm | None]] = []
    wanted: dict[str, set[str]] = {}
    seen: set[tuple[OxTerm | None, ...]] = set()
    for owner, source, name_term, selector, exact in rows:
        if owner is None or (owner, source, selector) in seen:
            continue
        seen.add((owner, source, selector))
        name = _text(name_term)
        quotes.append((owner, name, exact))
        wanted.setdefault(name, set()).add(_text(exact))
    # each seed is read once and scanned once for all its quotes: searching a
    # large seed once per quote made this quadratic
    found: dict[str, set[str] | None] = {}
    for name, exacts in wanted.items():
        path = seeds_dir() / name
        found[name] = (
            occurring(path.read_text(encoding="utf-8"), exacts) if path.is_file() else None
        )
    for owner, name, exact in quotes:
        occurs = found[name]
        if occurs is not None and _text(exact) not in occurs:
            message = f"the quote does not occur verbatim in {name}"
            yield own_result(
                as_graph(view),
                to_rdflib(owner),
                "QuoteConstraintComponent",
                MSH.QuoteCheck,
                message,
                path=OA.exact,
                value=None if exact is None else to_rdflib(exact),
            )


def _text(term: OxTerm | None) -> str:
    """What str() of the rdflib term says: a literal's or an IRI's text."""
    if isinstance(term, ox.Literal | ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)
