"""Running a SPARQL query, with its parameters bound as RDF terms, on either
engine (pyoxigraph by default, rdflib on request) into one typed result."""

from __future__ import annotations

import collections
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, Protocol

import pyoxigraph as ox

from msskg.catalogue import LABELS_QUERY, Binding, SavedQuery, bind_parameters, parse_query
from msskg.errors import QueryFileError, QuerySyntaxError, UnknownFormatError
from msskg.store import KnowledgeGraph, open_store

__all__ = [
    "AskResult",
    "Engine",
    "GraphResult",
    "QueryResult",
    "SelectResult",
    "Term",
    "comparable",
    "comparable_result",
    "run_query",
    "select_labels",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Engine = Literal["oxigraph", "rdflib"]
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class SelectResult:
    """A SELECT's table: one term (or None when unbound) per variable per row."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


@dataclass(frozen=True)
class AskResult:
    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The triples a CONSTRUCT or DESCRIBE makes."""

    triples: tuple[ox.Triple, ...]


QueryResult = SelectResult | AskResult | GraphResult


class Backend(Protocol):
    """An engine with a graph loaded: what :func:`run_query` needs of it."""

    @property
    def prefixes(self) -> Mapping[str, str]: ...

    def labels(self) -> Sequence[tuple[str, str]]: ...

    def mentions(self, iri: str) -> bool: ...

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult: ...


def run_query(
    query: SavedQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    engine: Engine = "oxigraph",
    graph: KnowledgeGraph | None = None,
    backend: Backend | None = None,
) -> QueryResult:
    """Run a saved query (or SPARQL text) with ``params`` given as on the
    command line (``{"date": "2021-08-15"}``) on the bundled graph, on
    ``data`` files, on a persistent ``store``, on an already open ``graph``, or
    on any ``backend`` (such as :class:`msskg.remote.EndpointBackend`)."""
    saved = query if isinstance(query, SavedQuery) else parse_query(query, name="--sparql")
    if backend is None and engine == "oxigraph":
        backend = OxigraphBackend(graph or open_store(data=data, store=store))
    elif backend is None and engine == "rdflib":
        from msskg.graph import RdflibBackend, load_graph

        backend = RdflibBackend(load_graph(data=data))
    elif backend is None:
        raise UnknownFormatError(f'unknown engine "{engine}"; use oxigraph or rdflib')
    bindings = bind_parameters(saved, params or {}, lookup=backend)
    used = mentioned_variables(saved.text)
    return backend.execute(saved, {k: v for k, v in bindings.items() if k in used})


class OxigraphBackend:
    def __init__(self, graph: KnowledgeGraph):
        self.graph = graph

    @property
    def prefixes(self) -> Mapping[str, str]:
        return self.graph.prefixes

    def labels(self) -> list[tuple[str, str]]:
        return select_labels(self)

    def mentions(self, iri: str) -> bool:
        return ask_mentions(self, iri)

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult:
        try:
            answer = self.graph.store.query(
                query.text,
                use_default_graph_as_union=True,
                substitutions={ox.Variable(name): term for name, term in bindings.items()},
            )
            if isinstance(answer, ox.QueryBoolean):
                return AskResult(bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                names = tuple(v.value for v in answer.variables)
                rows = tuple(tuple(s[i] for i in range(len(names))) for s in answer)
                return SelectResult(names, rows)
            return GraphResult(tuple(answer))
        except SyntaxError as err:
            raise query_syntax_error(query, str(err)) from None
        except RuntimeError as err:
            if "projection" in str(err):
                raise _unselected_parameter(query, str(err)) from None
            raise


def ask_mentions(backend: Backend, iri: str) -> bool:
    """Whether ``iri`` is the subject or object of any triple, asked of ``backend``."""
    node = ox.NamedNode(iri)  # checked IRI: its N-Triples form cannot break out of <...>
    text = f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}"
    result = backend.execute(parse_query(text, name="mentions"), {})
    return isinstance(result, AskResult) and result.value


def select_labels(backend: Backend) -> list[tuple[str, str]]:
    """The (IRI, label) pairs :data:`LABELS_QUERY` finds, run on ``backend``."""
    result = backend.execute(parse_query(LABELS_QUERY, name="labels"), {})
    assert isinstance(result, SelectResult)
    return [
        (thing.value, label.value)
        for thing, label in result.rows
        if isinstance(thing, ox.NamedNode) and isinstance(label, ox.Literal)
    ]


def _unselected_parameter(query: SavedQuery, message: str) -> QueryFileError:
    # pyoxigraph substitutes only variables the query returns (SEP-0007).
    found = re.search(r"\?(\w+)", message)
    variable = f"?{found.group(1)}" if found else "a parameter"
    return QueryFileError(
        f"query {query.name} uses {variable} but does not return it; add {variable} "
        "to its SELECT line (pyoxigraph binds only variables a query returns)"
    )


_SYNTAX_POSITION = re.compile(r"(?:error at |line )(\d+)[:, ]+(?:column )?(\d+):?\s*")


def query_syntax_error(
    query: SavedQuery, message: str, *, line: int | None = None, column: int | None = None
) -> QuerySyntaxError:
    """``where:line:col: SPARQL syntax error: ...`` from an engine's message."""
    detail = message.strip().splitlines()[0] if message.strip() else "invalid query"
    if _UPDATE.search(query.text):
        detail = "SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) is not supported: msskg only reads"
        line = column = None
    found = _SYNTAX_POSITION.search(detail)
    if found and line is None:
        line, column = int(found.group(1)), int(found.group(2))
        detail = detail[: found.start()] + detail[found.end() :]
    where = str(query.path) if query.path is not None else query.name
    if line is not None:
        where = f"{where}:{line}:{column}"
    return QuerySyntaxError(
        f"{where}: SPARQL syntax error: {detail.strip()}", line=line, column=column
    )


_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)

# Strings, IRIs and comments are skipped, so "?x" inside them is not a use of ?x.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|[?$](?P<var>\w+)"
)


def mentioned_variables(text: str) -> set[str]:
    """The variables a SPARQL text uses anywhere. Only these are bound: a date
    parameter offers three variables and a query may use one."""
    return {m.group("var") for m in _TOKENS.finditer(text) if m.group("var")}


_DECIMALS = {
    XSD + name
    for name in (
        *("decimal", "integer", "long", "int", "short", "byte"),
        *("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
    )
}
_FLOATS = {XSD + "double", XSD + "float"}


def comparable(term: object) -> Hashable:
    """A form of either engine's term that compares equal when the two engines
    mean the same value: ``"120.0"^^xsd:decimal`` (rdflib keeps the text) and
    ``"120"^^xsd:decimal`` (Oxigraph normalises it). Blank nodes all compare
    equal, since their labels are the engines' own."""
    if term is None:
        return None
    if not isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        from msskg.graph import to_oxigraph

        term = to_oxigraph(term)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Triple):
        return (
            "triple",
            comparable(term.subject),
            comparable(term.predicate),
            comparable(term.object),
        )
    datatype = term.datatype.value
    return ("literal", _literal_value(term.value, datatype), datatype, term.language)


def _literal_value(text: str, datatype: str) -> Hashable:
    try:
        if datatype in _DECIMALS:
            return Decimal(text.strip())
        if datatype in _FLOATS:
            return float(text.strip())
    except (InvalidOperation, ValueError):
        return text
    if datatype == XSD + "boolean":
        return text.strip() in ("true", "1")
    return text


def comparable_result(result: QueryResult) -> Hashable:
    """A whole result in comparable form: rows (or triples) as a multiset."""
    if isinstance(result, AskResult):
        return ("ask", result.value)
    if isinstance(result, SelectResult):
        rows = collections.Counter(tuple(comparable(t) for t in row) for row in result.rows)
        return ("select", result.variables, frozenset(rows.items()))
    triples = collections.Counter(comparable(t) for t in result.triples)
    return ("graph", frozenset(triples.items()))
