"""What a query answers, whichever engine ran it: the result types, the
protocol an engine follows (with the lookups it can answer in SPARQL), and
comparing answers by value across engines."""

from __future__ import annotations

import collections
import datetime
from collections.abc import Hashable, Iterator, Mapping

import pyoxigraph as ox

from msskg.query.catalogue import Binding, LabelLookup, SavedQuery, labels_query, parse_query
from msskg.records import NamedTuple, Protocol
from msskg.vocab import XSD

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "AskResult",
    "Backend",
    "GraphResult",
    "QueryResult",
    "SelectResult",
    "SelectStream",
    "SparqlLookups",
    "Term",
    "ask_instance",
    "ask_mentions",
    "comparable",
    "comparable_result",
    "select_labels",
    "to_python",
]


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class SelectResult(NamedTuple):
    """A SELECT's table: one term (or None when unbound) per variable per row.
    In a notebook it shows as an HTML table; :meth:`to_dicts` and
    :meth:`to_pandas` give its rows as plain Python values."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def to_dicts(self) -> list[dict[str, object]]:
        """One dict per row, variable -> plain value (see :func:`to_python`);
        an unbound variable is None."""
        return [dict(zip(self.variables, map(to_python, row), strict=True)) for row in self.rows]

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame, one column per variable (pandas is
        optional: ``pip install 'msskg[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'msskg[pandas]'") from None
        return pandas.DataFrame(self.to_dicts(), columns=list(self.variables))

    def _repr_html_(self) -> str:
        """The table Jupyter shows: a header of variables, a row per solution."""
        import html

        head = "".join(f"<th>{html.escape(name)}</th>" for name in self.variables)
        body = "".join(
            "<tr>" + "".join(f"<td>{_html_cell(term)}</td>" for term in row) + "</tr>"
            for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class SelectStream(NamedTuple):
    """A SELECT's rows as the engine finds them, to be read once: what
    :func:`msskg.query.engines.open_query` gives so that output can start
    before the last row is known, in flat memory. ``solutions``: pyoxigraph's
    own answer that ``rows`` reads, for its serializers to write the W3C
    formats from directly (None when the rows come from elsewhere)."""

    variables: tuple[str, ...]
    rows: Iterator[tuple[Term | None, ...]]
    solutions: ox.QuerySolutions | None = None


class AskResult(NamedTuple):
    value: bool


class GraphResult(NamedTuple):
    """The triples a CONSTRUCT or DESCRIBE makes."""

    triples: tuple[ox.Triple, ...]


QueryResult = SelectResult | AskResult | GraphResult


class Backend(LabelLookup, Protocol):
    """An engine with a graph loaded: what :func:`run_query` needs of it."""

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult: ...


class SparqlLookups:
    """What :func:`~msskg.query.catalogue.bind_parameters` asks of a backend
    (labels, whether an IRI is mentioned, whether it is of a kind), asked in
    SPARQL through the backend's own ``execute``: one way for every engine."""

    def labels(self, text: str | None = None, *, limit: int | None = None) -> list[tuple[str, str]]:
        return select_labels(_backend(self), text, limit=limit)

    def mentions(self, iri: str) -> bool:
        return ask_mentions(_backend(self), iri)

    def is_a(self, iri: str, kind: str) -> bool:
        return ask_instance(_backend(self), iri, kind)


def _backend(lookups: SparqlLookups) -> Backend:
    # SparqlLookups is only ever mixed into a backend (a protocol cannot say so)
    return lookups  # type: ignore[return-value]


def ask_mentions(backend: Backend, iri: str) -> bool:
    """Whether ``iri`` is the subject or object of any triple, asked of ``backend``."""
    node = ox.NamedNode(iri)  # checked IRI: its N-Triples form cannot break out of <...>
    text = f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}"
    result = backend.execute(parse_query(text, name="mentions"), {})
    return isinstance(result, AskResult) and result.value


_CLASS_PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Two questions, each answered from the few classes down or the one thing up. Asked as one
# UNION, Oxigraph evaluates the second branch's FILTER NOT EXISTS over every typed thing even
# when the first is true, which grows with the graph; each alone stays small.
IS_A = _CLASS_PREFIXES + "ASK { ?thing rdf:type/rdfs:subClassOf* ?kind }"
# whether the graph knows any instance of the kind: without the ontology it knows none
KNOWS_KIND = (
    _CLASS_PREFIXES
    + "ASK { { SELECT ?class WHERE { ?class rdfs:subClassOf* ?kind } } ?any rdf:type ?class }"
)


def ask_instance(backend: Backend, iri: str, kind: str) -> bool:
    """Whether ``iri`` is an instance of the class ``kind`` (rdfs:subClassOf*
    included), or the graph knows no instance of ``kind`` at all (no ontology)."""
    node, cls = ox.NamedNode(iri), ox.NamedNode(kind)  # checked IRIs, as in ask_mentions

    def ask(text: str, name: str) -> bool:
        bound = text.replace("?thing", str(node)).replace("?kind", str(cls))
        result = backend.execute(parse_query(bound, name=name), {})
        return isinstance(result, AskResult) and result.value

    return ask(IS_A, "is-a") or not ask(KNOWS_KIND, "knows-kind")


def select_labels(
    backend: Backend, text: str | None = None, *, limit: int | None = None
) -> list[tuple[str, str]]:
    """The (IRI, label) pairs :data:`LABELS_QUERY` finds, run on ``backend``
    (at most ``limit``); with ``text``, those :data:`LABELLED_QUERY` finds for it."""
    bindings = {} if text is None else {"wanted": ox.Literal(text)}
    result = backend.execute(parse_query(labels_query(text, limit), name="labels"), bindings)
    assert isinstance(result, SelectResult)
    return [
        (thing.value, label.value)
        for thing, label, *_ in result.rows
        if isinstance(thing, ox.NamedNode) and isinstance(label, ox.Literal)
    ]


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
        return ("triple", *map(comparable, (term.subject, term.predicate, term.object)))
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


def to_python(term: Term | None) -> object:
    """A term as a plain Python value: an IRI as its string, a blank node as
    ``_:label``, a boolean, integer, decimal, float or xsd:date literal as
    bool, int, Decimal, float or datetime.date, any other literal as its text
    (the language tag and datatype dropped); None stays None."""
    from decimal import Decimal, InvalidOperation  # not on a cold query's path

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    datatype, text = term.datatype.value, term.value
    try:
        if datatype == XSD + "boolean":
            return text.strip() in ("true", "1")
        if datatype in _DECIMALS:
            number = Decimal(text.strip())
            return number if datatype == XSD + "decimal" else int(number)
        if datatype in _FLOATS:
            return float(text.strip())
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(text.strip())
    except (InvalidOperation, ValueError):
        return text
    return text


def _html_cell(term: Term | None) -> str:
    import html

    if term is None:
        return ""
    value = html.escape(str(to_python(term)))
    if isinstance(term, ox.Literal) and term.language:
        return f'<span lang="{html.escape(term.language)}">{value}</span>'
    return value
