"""Exporting the whole graph as Turtle, JSON-LD, N-Triples or TriG (one named
graph per source text, and the direct layer, :mod:`msskg.graph.direct`, in a
named graph of its own; the other formats hold it beside the facts). The files
are parsed into memory, as pyoxigraph would; the graph is then laid out as
N-Triples text with canonical labels in msskg's own order (graph/labels.py),
which N-Triples writes as it is, Turtle and TriG through pyoxigraph's writers,
and JSON-LD nesting each fact's blank nodes as it meets them
(publish/walk.py): the same graph gives the same bytes every time.
:func:`by_source` is the same split on an rdflib graph (for push)."""

from __future__ import annotations

import io
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from msskg.graph.direct import DIRECT_GRAPH, derivations, direct_lines, read_rules
from msskg.graph.files import input_paths, jsonld_context, resolve_files
from msskg.graph.jsonld import nodes_of, write_jsonld
from msskg.graph.labels import Layout, graph_lines, lay_out
from msskg.graph.memory import without_gc
from msskg.graph.prefixes import merge_prefixes
from msskg.graph.progress import StderrProgress
from msskg.graph.scan import check_data_depth
from msskg.graph.store import KnowledgeGraph, parse_into
from msskg.output import open_atomically
from msskg.publish.walk import root_nodes
from msskg.query.registry import DATASET, names, unknown_format
from msskg.vocab import DERIVED_FROM, HAS_SOURCE

if TYPE_CHECKING:
    import rdflib

__all__ = ["EXPORT_FORMATS", "by_source", "export", "write_export", "write_stdout"]

EXPORT_FORMATS = names(DATASET)
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
    if graph is None:
        files = resolve_files(data)
        # JSON-LD nests blank nodes by recursion, as rdflib's parsers did:
        # refuse data nested deeper than msskg reads, with one line.
        for path in files:
            check_data_depth(path)
        store, progress = ox.Store(), StderrProgress("Parsing")
        try:
            prefixes = parse_into(store, files, progress=progress, bulk=True)
        finally:
            progress.close()
        graph = KnowledgeGraph(store, merge_prefixes(prefixes))
        del store
    # The text's many small objects hold no cycles: collecting them is wasted work.
    with without_gc():
        derived = derivations(graph.store, read_rules())
        lines = graph_lines(graph.store)
        prefixes = {name: iri for name, iri in sorted(graph.prefixes.items()) if name}
        del graph  # a store of ours is freed here: the text holds the graph from now on
        _release_freed()
        layout = lay_out(lines)
        direct = direct_lines(derived, layout.labels)
        if fmt == "jsonld":
            nodes = itertools.chain(root_nodes(layout), nodes_of(f"{line}\n" for line in direct))
            write_jsonld(nodes, jsonld_context(), stream)
            return
        # a line feed in N-Triples ends a line: " .\n" is each line's end
        end = f" {DIRECT_GRAPH} .\n" if fmt == "trig" else " .\n"
        layer = (
            ("\n".join(direct[start : start + 4096]) + "\n").replace(" .\n", end).encode()
            for start in range(0, len(direct), 4096)
        )
        chunks = itertools.chain(_chunks(layout, trig=fmt == "trig"), layer)
        if fmt == "nt":
            stream.writelines(chunks)
            return
        stream.write(
            "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()).encode()
        )
        rdf = ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.TURTLE
        # lenient: the text is pyoxigraph's own output, already checked when parsed
        quads = (
            q
            for text in _joined(chunks)
            for q in ox.parse(text, ox.RdfFormat.N_QUADS, lenient=True)
        )
        ox.serialize(quads, cast("IO[bytes]", _Body(stream)), rdf, prefixes=prefixes)


def _chunks(layout: Layout, *, trig: bool) -> Iterator[bytes]:
    """The graph as N-Quads text, a root at a time: the rest in the default
    graph, then, for TriG, a graph per source holding the facts of each set
    of sources it is one of (a fact of two sources is in both); else the facts
    in the default graph too."""
    groups = list(layout.groups())
    for sources, roots in groups:
        if not (trig and sources):
            yield from (b"\n".join(lines) + b"\n" for _, lines in roots)
    for source in sorted({source for sources, _ in groups for source in sources} if trig else ()):
        end = b" %s .\n" % source
        for sources, roots in groups:
            if source in sources:
                yield from ((b"\n".join(lines) + b"\n").replace(b" .\n", end) for _, lines in roots)


def _joined(chunks: Iterator[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """``chunks`` joined into texts of about ``size`` bytes: a parser a root
    costs more than the root's lines."""
    held: list[bytes] = []
    count = 0
    for chunk in chunks:
        held.append(chunk)
        count += len(chunk)
        if count >= size:
            yield b"".join(held)
            held, count = [], 0
    yield b"".join(held)


def _release_freed() -> None:
    """Hand the C heap's free memory back to the system (glibc's
    ``malloc_trim``; elsewhere nothing): the store frees into that heap, which
    glibc keeps, while the Python objects that hold the text from then on are
    allocated apart, so without this the store's memory and theirs add up."""
    if sys.platform.startswith("linux"):
        import ctypes

        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc's; not musl's
        if trim is not None:
            trim(0)


class _Body:
    """What a Turtle or TriG writer writes, passed on without its leading
    ``@prefix`` lines: msskg writes its own, sorted (the writer's order is its own)."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._head: bytes | None = b""  # None: past the prefixes

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
