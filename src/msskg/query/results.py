"""What a query answers, whichever engine ran it: the result types, the
protocol an engine follows, and comparing answers by value across engines."""

from __future__ import annotations

import collections
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple, Protocol

import pyoxigraph as ox

from msskg.query.catalogue import Binding, SavedQuery

__all__ = [
    "AskResult",
    "Backend",
    "GraphResult",
    "QueryResult",
    "SelectResult",
    "Term",
    "comparable",
    "comparable_result",
]


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


XSD = "http://www.w3.org/2001/XMLSchema#"


class SelectResult(NamedTuple):
    """A SELECT's table: one term (or None when unbound) per variable per row."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


class AskResult(NamedTuple):
    value: bool


class GraphResult(NamedTuple):
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
        from msskg.graph.dataset import to_oxigraph

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
    from decimal import Decimal, InvalidOperation

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
