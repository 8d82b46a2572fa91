"""The dataset describes itself: a VoID and DCAT description of the graph as
it is exported (sourced facts and the direct layer), every number counted on
the graph when asked: triples, entities, classes and properties, how many of
each main class; its licence, its source texts (with the date each speaks
from, where the graph gives one), the SPARQL endpoint when there is one, and
the saved queries as example queries (``sh:SPARQLExecutable``, as the SIB's
sparql-examples publish them). ``msskg export --void`` writes it, and
``msskg serve`` answers it at ``/.well-known/void`` (VoID section 7)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from msskg import vocab
from msskg.graph.direct import derive, read_rules
from msskg.graph.prefixes import DEFAULT_PREFIXES, shorten
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.query.catalogue import SavedQuery, list_queries
from msskg.query.registry import GRAPH, names
from msskg.query.text import declare_prefixes
from msskg.vocab import DCAT, MSR, RDFS, SCHEMA, SH, VOID, XSD
from msskg.vocab import DCTERMS as DCT

__all__ = [
    "DATASET",
    "LICENCE",
    "VOID_FORMATS",
    "describe_dataset",
    "export_description",
    "write_description",
]

RDF_TYPE = ox.NamedNode(vocab.RDF_TYPE)

DATASET = ox.NamedNode("https://w3id.org/msskg/dataset")
"""The dataset's own IRI (outside the ``msr:`` space its entities live in)."""
LICENCE = ox.NamedNode("http://creativecommons.org/licenses/by-sa/4.0/")
"""The data's licence, as LICENSE-DATA states it: CC BY-SA 4.0."""
ENTITIES = MSR
VOID_FORMATS = names(GRAPH)
_PREFIXES = {
    "void": VOID,
    "dcat": DCAT,
    "dcterms": DCT,
    "sh": SH,
    "schema": SCHEMA,
    "rdfs": RDFS,
    "xsd": XSD,
}
_DATES = {XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth")}


def _terms(namespace: str) -> Callable[[str], ox.NamedNode]:
    return lambda name: ox.NamedNode(namespace + name)


_v, _d, _t, _r, _s = map(_terms, (VOID, DCAT, DCT, RDFS, SH))

_COUNTS = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
    "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
    "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
    f'FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ENTITIES}")) }}',
}
# The classes whose members are the graph's entities, largest first.
_CLASSES = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?class . FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ENTITIES}"))
}} GROUP BY ?class ORDER BY DESC(?n) STR(?class)
"""
_SOURCES = """
SELECT ?source ?title ?p ?when WHERE {
  ?source a mss:SourceText .
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL {
    { ?source ?p ?when . FILTER (isLiteral(?when)) }
    UNION { ?source ?p ?instant . ?instant time:inXSDDate|time:inXSDgYearMonth
                                           |time:inXSDgYear|time:inXSDDateTime ?when }
  }
} ORDER BY STR(?source) STR(?p) STR(?when)
"""


def describe_dataset(
    graph: KnowledgeGraph,
    *,
    endpoint: str | None = None,
    queries: Sequence[SavedQuery] | None = None,
) -> list[ox.Triple]:
    """The VoID and DCAT description of ``graph`` with its direct layer (what
    ``msskg export`` writes), counted on them; ``endpoint``: the URL of its
    SPARQL endpoint; ``queries``: the example queries (default: the saved ones)."""
    whole = ox.Store()
    whole.bulk_extend(graph.store.quads_for_pattern(None, None, None, None))
    whole.bulk_extend(derive(graph.store, read_rules()))
    queries = list_queries() if queries is None else queries
    out = list(_dataset(whole))
    out += _example_resources(whole, queries)
    out += _sources(whole)
    out += _examples(queries, endpoint)
    if endpoint:
        service = ox.NamedNode(endpoint)
        out += [
            ox.Triple(DATASET, _v("sparqlEndpoint"), service),
            ox.Triple(DATASET, _d("accessService"), service),
            ox.Triple(service, RDF_TYPE, _d("DataService")),
            ox.Triple(service, _d("endpointURL"), service),
            ox.Triple(service, _d("servesDataset"), DATASET),
            ox.Triple(service, _t("conformsTo"), _SPARQL_PROTOCOL),
        ]
    return list(dict.fromkeys(out))  # once each, in order


_SPARQL_PROTOCOL = ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/")


def write_description(
    fmt: str = "turtle",
    *,
    data: Sequence[Path | str] | None = None,
    graph: KnowledgeGraph | None = None,
    endpoint: str | None = None,
) -> str:
    """The description (of ``graph``, else the bundled graph or ``data``) as
    ``fmt``: turtle, jsonld or nt."""
    from msskg.errors import UnknownFormatError
    from msskg.query.formats import format_result
    from msskg.query.results import GraphResult

    if fmt not in VOID_FORMATS:
        raise UnknownFormatError(
            f'the description is written as {", ".join(VOID_FORMATS)}, not "{fmt}"'
        )
    graph = graph or open_store(data=data)
    triples = describe_dataset(graph, endpoint=endpoint)
    # each subject's triples together, the dataset's first, so that Turtle reads as a record
    triples.sort(key=lambda t: (t.subject != DATASET, str(t.subject)))
    prefixes = {**graph.prefixes, **_PREFIXES}
    return format_result(GraphResult(tuple(triples)), fmt, prefixes=prefixes)


def export_description(
    fmt: str = "turtle",
    *,
    data: Sequence[Path | str] | None = None,
    output: Path | str | None = None,
    force: bool = False,
) -> str:
    """:func:`write_description`, written atomically to ``output`` when given
    (as :func:`msskg.publish.export.export` writes), else returned."""
    from msskg.output import write_atomically

    text = write_description(fmt, data=data)
    if output is not None:
        write_atomically(Path(output), text, force=force)
    return text


def _dataset(store: ox.Store) -> Iterator[ox.Triple]:
    yield ox.Triple(DATASET, RDF_TYPE, _v("Dataset"))
    yield ox.Triple(DATASET, RDF_TYPE, _d("Dataset"))
    yield ox.Triple(DATASET, _t("title"), ox.Literal("msskg", language="en"))
    yield ox.Triple(
        DATASET,
        _t("description"),
        ox.Literal(
            "A sourced, time-aware knowledge graph of North Korea's Ministry of Social "
            "Security: every fact with its dates and the sentence of the source text "
            "that supports it.",
            language="en",
        ),
    )
    yield ox.Triple(DATASET, _t("license"), LICENCE)
    yield ox.Triple(DATASET, _v("uriSpace"), ox.Literal(ENTITIES))
    yield ox.Triple(DATASET, _v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/Turtle"))
    for name, text in _COUNTS.items():
        yield ox.Triple(DATASET, _v(name), _count(store, text))
    for cls, n in _rows(store, _CLASSES):
        assert isinstance(cls, ox.NamedNode) and isinstance(n, ox.Literal)
        name = shorten(cls.value, DEFAULT_PREFIXES).replace(":", "-")
        part = ox.NamedNode(f"{DATASET.value}#class-{quote(name, safe='-_.')}")
        yield ox.Triple(DATASET, _v("classPartition"), part)
        yield ox.Triple(part, _v("class"), cls)
        yield ox.Triple(part, _v("entities"), n)  # COUNT's xsd:integer


def _example_resources(store: ox.Store, queries: Sequence[SavedQuery]) -> Iterator[ox.Triple]:
    """What the saved queries ask about by default (the ministry, its minister's
    post), where the graph describes it."""
    seen = set()
    for query in queries:
        for parameter in query.parameters:
            prefix, colon, local = (parameter.default or "").partition(":")
            if parameter.type != "resource" or not colon or prefix not in DEFAULT_PREFIXES:
                continue
            iri = ox.NamedNode(DEFAULT_PREFIXES[prefix] + local)
            if iri not in seen and any(store.quads_for_pattern(iri, None, None, None)):
                seen.add(iri)
                yield ox.Triple(DATASET, _v("exampleResource"), iri)


def _sources(store: ox.Store) -> Iterator[ox.Triple]:
    """Each source text: a dcterms:source of the dataset, with its title and
    every date the graph gives it (its as-of date, where stated)."""
    for source, title, predicate, when in _rows(store, _SOURCES):
        assert isinstance(source, ox.NamedNode)
        yield ox.Triple(DATASET, _t("source"), source)
        if isinstance(title, ox.Literal):
            yield ox.Triple(source, _t("title"), title)
        dated = isinstance(when, ox.Literal) and when.datatype.value in _DATES
        if isinstance(predicate, ox.NamedNode) and dated:
            assert isinstance(when, ox.Literal)
            yield ox.Triple(source, predicate, when)


def _examples(queries: Sequence[SavedQuery], endpoint: str | None) -> Iterator[ox.Triple]:
    for query in queries:
        example = ox.NamedNode(f"{DATASET.value}#query-{query.name}")
        kind = "SPARQLSelectExecutable" if "SELECT" in query.text.upper() else "SPARQLExecutable"
        yield ox.Triple(DATASET, _r("seeAlso"), example)
        yield ox.Triple(example, RDF_TYPE, _s("SPARQLExecutable"))
        yield ox.Triple(example, RDF_TYPE, _s(kind))
        yield ox.Triple(example, _r("label"), ox.Literal(query.title, language="en"))
        if query.description:
            yield ox.Triple(example, _r("comment"), ox.Literal(query.description, language="en"))
        yield ox.Triple(example, _s("select"), ox.Literal(query.text))
        if endpoint:
            yield ox.Triple(example, ox.NamedNode(SCHEMA + "target"), ox.NamedNode(endpoint))


def _rows(
    store: ox.Store, text: str
) -> list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
    answer = store.query(declare_prefixes(text, DEFAULT_PREFIXES), use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    width = len(answer.variables)
    return [[solution[i] for i in range(width)] for solution in answer]


def _count(store: ox.Store, text: str) -> ox.Literal:
    ((number,),) = _rows(store, text)
    assert isinstance(number, ox.Literal)
    return number  # COUNT's xsd:integer
