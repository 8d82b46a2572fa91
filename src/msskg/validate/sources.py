"""The checks SHACL cannot make (dates well-formed, bounds right, quotes
verbatim in their seeds), read from a pyoxigraph store with a few queries,
for both engines; StoreView, through which msskg.validate.report's labels and
quotes read the same store; and where the shapes, the ontology and the seeds are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from msskg.dates import decade, parse_date
from msskg.errors import BadDateError, ValidationError, first_line
from msskg.graph.dataset import to_oxigraph, to_rdflib
from msskg.graph.files import project_home
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.validate.report import MSH, MSS, OA, SH, ValidationResult, result_of
from msskg.validate.substrings import occurring

__all__ = [
    "SPARQL_PREFIXES",
    "StoreView",
    "as_graph",
    "bounds_and_quotes",
    "ill_formed_dates",
    "ontology_file",
    "read_shapes",
    "seeds_dir",
    "shapes_file",
    "source_checks",
    "store_of",
]

_XSD = DEFAULT_PREFIXES["xsd"]
_TIME = DEFAULT_PREFIXES["time"]
# The properties that hold a date as written, a decade last; and the
# datatypes checked for well-formedness.
_WRITTEN_PROPS = (
    URIRef(_TIME + "inXSDDate"),
    URIRef(_TIME + "inXSDgYearMonth"),
    URIRef(_TIME + "inXSDgYear"),
    MSS.inDecade,
)
_BOUNDS = (MSS.earliest, MSS.latest)  # once: rdflib makes a new URIRef at each MSS.x
_XSD_DATE = _XSD + "date"
_DATE_TYPES = tuple(URIRef(_XSD + name) for name in ("date", "gYearMonth", "gYear", "dateTime"))
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in DEFAULT_PREFIXES.items())


def shapes_file() -> Path:
    return project_home() / "ontology" / "shapes.ttl"


def ontology_file() -> Path:
    return project_home() / "ontology" / "msskg.ttl"


def seeds_dir() -> Path:
    return project_home() / "seeds"


def read_shapes(files: Sequence[Path], *, as_written: bool = False) -> Graph:
    """The shapes graph: every triple of every file in ``files``. With
    ``as_written``, literals keep their lexical forms ("1"^^xsd:boolean is not
    true for sh:uniqueLang), as pyoxigraph keeps the data's."""
    import rdflib

    graph = Graph()
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = normalize and not as_written
    try:
        for path in files:
            try:
                graph.parse(path)
            except Exception as err:  # rdflib's parsers raise many types; say which file
                reason = first_line(err)
                raise ValidationError(f"cannot read the shapes in {path}: {reason}") from None
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph


class StoreView:
    """The few rdflib Graph methods that msskg.validate.report's labels and
    quotes use, answered from a pyoxigraph store."""

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


def store_of(graph: Graph) -> ox.Store:
    """A store holding ``graph``'s triples, with its blank node ids."""
    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return store


def as_graph(view: StoreView) -> Graph:
    # describe_node, quotes_of and _own only call the methods StoreView has.
    return view  # type: ignore[return-value]


# --- the checks SHACL cannot make, read from the store ---------------------------------


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _rows(view: StoreView, text: str) -> Iterator[tuple[OxTerm | None, ...]]:
    """Rows of pyoxigraph terms: making rdflib terms of every value (rdflib
    parses each date) was most of validate's time at 1M triples."""
    solutions = view.store.query(SPARQL_PREFIXES + text)
    assert isinstance(solutions, ox.QuerySolutions)
    width = len(solutions.variables)
    return (tuple(row[i] for i in range(width)) for row in solutions)


def source_checks(view: StoreView) -> tuple[list[ValidationResult], list[ox.Quad]]:
    """Results for ill-formed dates, wrong bounds and missing quotes; the
    triples with ill-formed dates are taken out of the store first (they crash
    pySHACL) and returned."""
    dated, removed = ill_formed_dates(view)
    return [*dated, *bounds_and_quotes(view)], removed


def ill_formed_dates(view: StoreView) -> tuple[list[ValidationResult], list[ox.Quad]]:
    """A result for each triple with an ill-formed date, which is then taken
    out of the store; and those triples."""
    datatypes = ", ".join(f"<{datatype}>" for datatype in _DATE_TYPES)
    dates = _rows(
        view, f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER (DATATYPE(?o) IN ({datatypes})) }}"
    )
    bad = [o for (o,) in dates if isinstance(o, ox.Literal) and _ill_typed(o)]
    results: list[ValidationResult] = []
    removed: list[ox.Quad] = []
    for literal in bad:
        datatype = view.namespace_manager.normalizeUri(URIRef(literal.datatype.value))
        for quad in list(view.store.quads_for_pattern(None, None, literal)):
            results.append(
                _own(
                    view,
                    to_rdflib(quad.subject),
                    "DatatypeConstraintComponent",
                    MSH.WellFormedDateCheck,
                    f'"{literal.value}" is not a valid {datatype}',
                    path=to_rdflib(quad.predicate),
                    value=to_rdflib(literal),
                )
            )
            view.store.remove(quad)
            removed.append(quad)
    return results, removed


def bounds_and_quotes(view: StoreView) -> list[ValidationResult]:
    """Results for wrong bounds and for quotes not in their seeds."""
    return [*_bounds_results(view), *_quote_results(view)]


def _ill_typed(literal: ox.Literal) -> bool:
    converted = to_rdflib(literal)
    return isinstance(converted, Literal) and bool(converted.ill_typed)


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
        for prop, bound, want in zip(_BOUNDS, bounds, expected, strict=True):
            if (
                isinstance(bound, ox.Literal)
                and bound.datatype.value == _XSD_DATE
                and bound.value == want.isoformat()
            ):
                continue  # the common case, decided without rdflib
            got = None if bound is None else to_rdflib(bound)
            if isinstance(got, Literal) and not got.ill_typed and got.toPython() != want:
                yield _own(
                    view,
                    to_rdflib(node),
                    "EqualsConstraintComponent",
                    MSH.DateBoundsCheck,
                    f"{view.namespace_manager.normalizeUri(prop)} is {got}, but the written "
                    f"date means {want.isoformat()}",
                    path=prop,
                    value=got,
                )


@cache
def _expected(*written: OxTerm | None) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest days the first well-typed written date means
    (few are distinct, hence the cache)."""
    for prop, value in zip(_WRITTEN_PROPS, written, strict=True):
        literal = None if value is None else to_rdflib(value)
        if isinstance(literal, Literal) and not literal.ill_typed:
            try:
                text = str(literal)
                fuzzy = decade(int(text)) if prop == MSS.inDecade else parse_date(text)
            except (BadDateError, ValueError):
                return None
            return fuzzy.earliest, fuzzy.latest
    return None


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
            yield _own(
                view,
                to_rdflib(owner),
                "QuoteConstraintComponent",
                MSH.QuoteCheck,
                f"the quote does not occur verbatim in {name}",
                path=OA.exact,
                value=None if exact is None else to_rdflib(exact),
            )


def _text(term: OxTerm | None) -> str:
    """What str() of the rdflib term says: a literal's or an IRI's text."""
    if isinstance(term, ox.Literal | ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)


def _own(
    view: StoreView,
    focus: Node,
    component: str,
    shape: URIRef,
    message: str,
    *,
    path: Node,
    value: Node | None,
) -> ValidationResult:
    return result_of(
        as_graph(view), str(shape), str(SH[component]), focus, value, message, path=path
    )
