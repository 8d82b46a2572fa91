"""Exporting the whole graph as Turtle, JSON-LD, N-Triples or TriG (one named
graph per source text, and the direct layer, :mod:`msskg.graph.direct`, in a
named graph of its own; the other formats hold it beside the facts). The graph is read
from pyoxigraph one resource at a time (publish/walk.py) and written as it
goes, so memory does not grow with the graph, and the same graph gives the
same bytes every time. :func:`by_source` is the same split on an rdflib graph
(for push)."""

from __future__ import annotations

import io
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from msskg.errors import UnknownFormatError
from msskg.graph.direct import derive, read_rules
from msskg.graph.files import jsonld_context, resolve_files
from msskg.graph.scan import check_data_depth
from msskg.graph.store import KnowledgeGraph, open_graph
from msskg.output import open_atomically
from msskg.publish.jsonld import write_jsonld
from msskg.publish.walk import Node, resources, triples_of

if TYPE_CHECKING:
    import rdflib

__all__ = ["EXPORT_FORMATS", "by_source", "export", "write_export", "write_stdout"]

EXPORT_FORMATS = ("turtle", "jsonld", "nt", "trig")
_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG}
_DUMPED = ("nt", "turtle")  # straight from the store; trig and jsonld are walked
# Only by_source (for push) needs rdflib: an export does not import it (~20 MiB).
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_HAS_SOURCE = "http://www.w3.org/ns/oa#hasSource"


def export(
    fmt: str,
    *,
    data: Sequence[Path | str] | None = None,
    output: Path | str | None = None,
    force: bool = False,
) -> str | None:
    """The graph (bundled, or ``data``) serialized as ``fmt``: returned as
    text, or, when ``output`` is given, streamed to that file atomically (the
    file is whole or not there; ``force``: even over a read-only file, see
    :mod:`msskg.output`) and None returned."""
    _check_format(fmt)
    if output is None:
        buffer = io.BytesIO()
        write_export(fmt, buffer, data=data)
        return buffer.getvalue().decode("utf-8")
    with open_atomically(Path(output), force=force) as stream:
        write_export(fmt, stream, data=data)
    return None


def write_export(
    fmt: str,
    stream: IO[bytes],
    *,
    data: Sequence[Path | str] | None = None,
    graph: KnowledgeGraph | None = None,
) -> None:
    """Write the graph (``graph``, else bundled or ``data``) to ``stream`` as ``fmt``."""
    _check_format(fmt)
    cached = graph is None
    if graph is None:
        # The walk nests blank nodes by recursion, as rdflib's parsers did:
        # refuse data nested deeper than msskg reads, with one line.
        for path in resolve_files(data):
            check_data_depth(path)
        # Always the cached store on disk, whatever the size: its blank nodes
        # carry canonical labels (graph/labels.py) and its order is a function
        # of the terms (an in-memory store's follows the order of insertion).
        graph = open_graph(data=data, in_memory_limit=0, canonical=True)
    direct = derive(graph.store, read_rules())  # small: a few quads per fact, sorted
    if cached and fmt in _DUMPED and next(iter(graph.store.named_graphs()), None) is None:
        _dump(fmt, graph, direct, stream)
        return
    nodes = resources(graph.store, sharing=fmt == "jsonld", canonical=cached)
    if fmt != "trig":  # the direct layer's resources after the facts', in their own order
        layer = ox.Store()
        layer.extend(ox.Quad(q.subject, q.predicate, q.object) for q in direct)
        nodes = itertools.chain(nodes, resources(layer, sharing=fmt == "jsonld"))
    if fmt == "jsonld":
        write_jsonld(nodes, jsonld_context(), stream)
        return
    prefixes = {name: iri for name, iri in sorted(graph.prefixes.items()) if name}
    if fmt == "trig":
        quads = itertools.chain(_quads_by_source(nodes), direct)
        ox.serialize(quads, stream, _FORMATS[fmt], prefixes=prefixes)
    elif fmt == "nt":
        ox.serialize((t for node in nodes for t in triples_of(node)), stream, _FORMATS[fmt])
    else:
        triples = (t for node in nodes for t in triples_of(node))
        ox.serialize(triples, stream, _FORMATS[fmt], prefixes=prefixes)


def _dump(fmt: str, graph: KnowledgeGraph, direct: Sequence[ox.Quad], stream: IO[bytes]) -> None:
    """pyoxigraph's own dump of the store (which never leaves Rust), then the
    direct layer. The store's order: subjects by the hash pyoxigraph files
    their IRIs under, then blank nodes by label; each subject's triples together."""
    prefixes = None
    if fmt == "turtle":
        prefixes = {name: iri for name, iri in sorted(graph.prefixes.items()) if name}
    graph.store.dump(stream, _FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=prefixes)
    if not direct:
        return
    layer = io.BytesIO()
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in direct)
    ox.serialize(triples, layer, _FORMATS[fmt], prefixes=prefixes)
    # The prefixes are declared once, at the top.
    lines = layer.getvalue().splitlines(keepends=True)
    stream.write(b"".join(line for line in lines if not line.startswith(b"@prefix ")))


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise UnknownFormatError(f'unknown export format "{fmt}"; use {", ".join(EXPORT_FORMATS)}')


def _quads_by_source(nodes: Iterator[Node]) -> Iterator[ox.Quad]:
    """Each fact (a subject with prov:wasDerivedFrom a quote with oa:hasSource S)
    with its blank nodes in graph S, for each of its sources; the rest in the
    default graph. The same split as :func:`by_source`."""
    for node in nodes:
        sources = sorted(
            {
                value.value
                for predicate, quote in node.edges
                if predicate.value == _DERIVED and isinstance(quote, Node)
                for key, value in quote.edges
                if key.value == _HAS_SOURCE and isinstance(value, ox.NamedNode)
            }
        )
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.NamedNode(s) for s in sources]
        for graph in graphs or [ox.DefaultGraph()]:
            for triple in triples_of(node):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def write_stdout(fmt: str, *, data: Sequence[Path | str] | None = None) -> None:
    """Stream the export to standard output."""
    write_export(fmt, sys.stdout.buffer, data=data)
    sys.stdout.buffer.flush()


def by_source(graph: rdflib.Graph) -> rdflib.Dataset:
    """The graph split by source text: each fact (anything with
    ``prov:wasDerivedFrom`` a resource with ``oa:hasSource S``) goes with the
    blank nodes it reaches (intervals, instants, quotes) into graph ``S``, and
    into each graph if it quotes several sources. The rest (the ontology,
    labels) goes into the default graph. The union of all graphs is ``graph``."""
    import rdflib

    derived, has_source = rdflib.URIRef(_DERIVED), rdflib.URIRef(_HAS_SOURCE)
    dataset = rdflib.Dataset()
    for prefix, namespace in graph.namespaces():
        dataset.bind(prefix, namespace, override=True, replace=True)
    placed: set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]] = set()
    for fact in set(graph.subjects(derived, None)):
        sources = {
            source
            for quote in graph.objects(fact, derived)
            for source in graph.objects(quote, has_source)
            if isinstance(source, rdflib.URIRef)
        }
        if not sources:
            continue
        closure = _blank_node_closure(graph, fact)
        for source in sources:
            named = dataset.graph(source)
            for triple in closure:
                named.add(triple)
        placed |= closure
    default = dataset.default_graph
    for triple in graph:
        if triple not in placed:
            default.add(triple)
    return dataset


def _blank_node_closure(
    graph: rdflib.Graph, node: rdflib.term.Node
) -> set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]:
    """The triples about ``node`` and, recursively, about the blank nodes they reach."""
    import rdflib

    triples: set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]] = set()
    todo, seen = [node], {node}
    while todo:
        subject = todo.pop()
        for predicate, obj in graph.predicate_objects(subject):
            triples.add((subject, predicate, obj))
            if isinstance(obj, rdflib.BNode) and obj not in seen:
                seen.add(obj)
                todo.append(obj)
    return triples
