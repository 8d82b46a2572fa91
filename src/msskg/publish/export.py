"""Exporting the whole graph as Turtle, JSON-LD, N-Triples or TriG (one named
graph per source text, and the direct layer in a named graph of its own), each
re-parsing to the loaded graph plus the direct layer. Uses rdflib."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import rdflib
from rdflib.namespace import PROV

from msskg.errors import UnknownFormatError
from msskg.graph.dataset import load_graph, union_graph
from msskg.graph.files import jsonld_context
from msskg.output import write_atomically
from msskg.publish.direct import add_direct_layer

__all__ = ["EXPORT_FORMATS", "by_source", "export"]

EXPORT_FORMATS = ("turtle", "jsonld", "nt", "trig")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")


def export(
    fmt: str,
    *,
    data: Sequence[Path | str] | None = None,
    output: Path | str | None = None,
) -> str:
    """The graph (bundled, or ``data``) serialized as ``fmt``; also written to
    ``output`` when given, atomically: the file is whole or not there."""
    if fmt not in EXPORT_FORMATS:
        raise UnknownFormatError(f'unknown export format "{fmt}"; use {", ".join(EXPORT_FORMATS)}')
    graph = union_graph(load_graph(data=data))
    if fmt == "trig":
        dataset = by_source(graph)
        add_direct_layer(dataset, data)  # the direct layer: a named graph of its own
        text = dataset.serialize(format="trig")
    elif fmt == "jsonld":
        add_direct_layer(graph, data)
        text = graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    else:
        add_direct_layer(graph, data)
        text = graph.serialize(format=fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is not None:
        write_atomically(Path(output), text)
    return text


def by_source(graph: rdflib.Graph) -> rdflib.Dataset:
    """The graph split by source text: each fact (anything with
    ``prov:wasDerivedFrom`` a resource with ``oa:hasSource S``) goes with the
    blank nodes it reaches (intervals, instants, quotes) into graph ``S``, and
    into each graph if it quotes several sources. The rest (the ontology,
    labels) goes into the default graph. The union of all graphs is ``graph``."""
    dataset = rdflib.Dataset()
    for prefix, namespace in graph.namespaces():
        dataset.bind(prefix, namespace, override=True, replace=True)
    placed: set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]] = set()
    for fact in set(graph.subjects(PROV.wasDerivedFrom, None)):
        sources = {
            source
            for quote in graph.objects(fact, PROV.wasDerivedFrom)
            for source in graph.objects(quote, OA.hasSource)
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
