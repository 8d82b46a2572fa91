"""Exporting the whole graph as Turtle, JSON-LD, N-Triples or TriG (one named
graph per source text), each re-parsing to the same graph. Uses rdflib."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import PROV

from msskg.errors import OutputError, UnknownFormatError
from msskg.graph import load_graph, union_graph

__all__ = ["EXPORT_FORMATS", "by_source", "export", "jsonld_context", "write_atomically"]

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
        text = by_source(graph).serialize(format="trig")
    elif fmt == "jsonld":
        text = graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    else:
        text = graph.serialize(format=fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is not None:
        write_atomically(Path(output), text)
    return text


def jsonld_context() -> dict[str, Any]:
    """The context published at ontology/context.jsonld (in the source tree,
    whatever MSSKG_HOME says). It is embedded in every JSON-LD export, so that
    no reader needs the network."""
    path = Path(__file__).resolve().parents[2] / "ontology" / "context.jsonld"
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["@context"]
    return context


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


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder,
    renamed into place; on failure nothing is left behind."""
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {err.strerror}") from None


def _umask() -> int:
    # mkstemp makes files private (0600); an export should get the usual mode.
    current = os.umask(0)
    os.umask(current)
    return current
