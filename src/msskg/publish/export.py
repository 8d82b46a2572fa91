"""Exporting the whole graph as Turtle, JSON-LD, N-Triples or TriG (one named
graph per source text, and the direct layer, :mod:`msskg.graph.direct`, in a
named graph of its own; the other formats hold it beside the facts). The graph
is read from export's own store, whose blank nodes carry canonical labels and
whose facts sit in graphs by their sources (graph/labels.py): N-Triples,
Turtle and TriG are pyoxigraph's own dumps of those graphs, one after another,
and JSON-LD nests each fact's blank nodes as two ordered scans meet them
(publish/walk.py). Memory does not grow with the graph, and the same graph
gives the same bytes every time. :func:`by_source` is the same split on an
rdflib graph (for push)."""

from __future__ import annotations

import io
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from msskg.graph.direct import derive, read_rules
from msskg.graph.files import input_paths, jsonld_context, resolve_files
from msskg.graph.jsonld import Node, nodes_of, write_jsonld
from msskg.graph.labels import Group, Labeller, export_groups
from msskg.graph.scan import check_data_depth
from msskg.graph.store import KnowledgeGraph, open_graph
from msskg.output import open_atomically
from msskg.publish.walk import group_nodes
from msskg.query.registry import DATASET, names, unknown_format
from msskg.vocab import DERIVED_FROM, HAS_SOURCE

if TYPE_CHECKING:
    import rdflib

__all__ = ["EXPORT_FORMATS", "by_source", "export", "write_export", "write_stdout"]

EXPORT_FORMATS = names(DATASET)
_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG}
# Only by_source (for push) needs rdflib: an export does not import it (~20 MiB).


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
    with open_atomically(Path(output), force=force, inputs=input_paths(data)) as stream:
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
    if graph is not None:  # any store: labelled and laid out as export's own first
        with tempfile.TemporaryDirectory(prefix="msskg-export-") as folder:
            _write(fmt, stream, _laid_out(graph, Path(folder)))
        return
    # JSON-LD nests blank nodes by recursion, as rdflib's parsers did:
    # refuse data nested deeper than msskg reads, with one line.
    for path in resolve_files(data):
        check_data_depth(path)
    # Always the cached store on disk, whatever the size: its order is a
    # function of the terms (an in-memory store's follows the order of insertion).
    _write(fmt, stream, open_graph(data=data, in_memory_limit=0, canonical=True))


def _laid_out(graph: KnowledgeGraph, folder: Path) -> KnowledgeGraph:
    store = ox.Store(str(folder / "store"))
    labeller = Labeller()
    quads = graph.store.quads_for_pattern(None, None, None, None)
    store.bulk_extend(labeller.keep(quads, ox.RdfFormat.N_QUADS))
    labeller.finish(store)
    return KnowledgeGraph(store, graph.prefixes)


def _write(fmt: str, stream: IO[bytes], graph: KnowledgeGraph) -> None:
    store = graph.store
    direct = derive(store, read_rules())  # small: a few quads per fact, sorted
    groups = export_groups(store)
    if fmt == "jsonld":
        nodes = (node for group in groups for node in group_nodes(store, group))
        layer = (ox.serialize(_triples(direct), format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        write_jsonld(
            _chain(nodes, nodes_of(io.StringIO(layer, newline="\n"))), jsonld_context(), stream
        )
        return
    prefixes = {name: iri for name, iri in sorted(graph.prefixes.items()) if name}
    if fmt == "nt":
        for group in groups:
            store.dump(stream, _FORMATS[fmt], from_graph=group.named)
            store.dump(stream, _FORMATS[fmt], from_graph=group.blank)
        ox.serialize(
            (ox.Triple(q.subject, q.predicate, q.object) for q in direct), stream, _FORMATS[fmt]
        )
        return
    stream.write("".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()).encode())
    body = _Body(stream)
    rest, facts = groups[0], groups[1:]
    if fmt == "turtle":
        for group in groups:
            _dump(store, group, prefixes, body)
        ox.serialize(_triples(direct), body.fresh(), _FORMATS[fmt], prefixes=prefixes)
        return
    # TriG: the rest in the default graph, then a graph per source holding the
    # group of each set of sources it is one of (a fact of two sources is in both).
    _dump(store, rest, prefixes, body)
    for source in sorted({source for group in facts for source in group.sources}):
        stream.write(f"{ox.NamedNode(source)} {{\n".encode())
        for group in facts:
            if source in group.sources:
                _dump(store, group, prefixes, body)
        stream.write(b"}\n")
    ox.serialize(direct, body.fresh(), _FORMATS[fmt], prefixes=prefixes)


def _triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    return (ox.Triple(q.subject, q.predicate, q.object) for q in quads)


def _chain(first: Iterable[Node], second: Iterable[Node]) -> Iterator[Node]:
    yield from first
    yield from second


def _dump(store: ox.Store, group: Group, prefixes: Mapping[str, str], body: _Body) -> None:
    """The group's triples as Turtle (without the prefix lines: the caller wrote them)."""
    for graph in (group.named, group.blank):
        store.dump(body.fresh(), ox.RdfFormat.TURTLE, from_graph=graph, prefixes=dict(prefixes))


class _Body:
    """What a Turtle or TriG writer writes, passed on without its leading
    ``@prefix`` lines (:meth:`fresh` before each writer)."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._head: bytes | None = b""  # None: past the prefixes

    def fresh(self) -> IO[bytes]:
        """This, to hand a new writer (which starts with its prefixes)."""
        self._head = b""
        return cast("IO[bytes]", self)

    def write(self, data: bytes) -> int:
        if self._head is None:
            self._stream.write(data)
            return len(data)
        head = self._head + bytes(data)
        while True:
            line, newline, rest = head.partition(b"\n")
            if not newline:
                self._head = head
                break
            if line.startswith(b"@prefix ") or not line:
                head = rest
                continue
            self._stream.write(head)
            self._head = None
            break
        return len(data)

    def flush(self) -> None:
        if self._head:
            self._stream.write(self._head)
            self._head = b""


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise unknown_format(fmt, DATASET, what="export")


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

    derived, has_source = rdflib.URIRef(DERIVED_FROM), rdflib.URIRef(HAS_SOURCE)
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
