"""JSON-LD written one resource at a time with the published context: each
IRI subject is one object, its blank nodes (a fact's interval, instants,
quote) nested inside it, keys and IRIs compacted by the context's terms and
prefixes. The context has only plain term definitions (no coercion, no
containers), so compacting is a lookup, done here rather than by a JSON-LD
processor over the whole graph (rdflib's took minutes and gigabytes at 1M)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO, Any

import pyoxigraph as ox

from msskg.publish.walk import Node, Object

__all__ = ["Compactor", "write_jsonld"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class Compactor:
    """IRIs to terms and compact IRIs, as a JSON-LD 1.1 reader with the
    same context expands them back."""

    def __init__(self, context: Mapping[str, Any]):
        prefixes = {
            name: iri
            for name, iri in context.items()
            if isinstance(iri, str) and not name.startswith("@") and iri[-1:] in "/#"
        }
        self._prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self._terms: dict[str, str] = {}
        self._known: dict[tuple[str, bool], str] = {}  # predicates, types, datatypes recur
        for name, value in sorted(context.items()):
            if isinstance(value, str) and not value.startswith("@") and name not in prefixes:
                self._terms.setdefault(self._expand(value, prefixes), name)

    @staticmethod
    def _expand(value: str, prefixes: Mapping[str, str]) -> str:
        prefix, colon, local = value.partition(":")
        return prefixes[prefix] + local if colon and prefix in prefixes else value

    def iri(self, iri: str, *, vocab: bool = False) -> str:
        """A term (for a key, when ``vocab``), a compact IRI, or the IRI itself."""
        if (known := self._known.get((iri, vocab))) is not None:
            return known
        found = self._compact(iri, vocab)
        if vocab:
            self._known[(iri, vocab)] = found
        return found

    def _compact(self, iri: str, vocab: bool) -> str:
        if vocab and (term := self._terms.get(iri)) is not None:
            return term
        for prefix, namespace in self._prefixes:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri

    def node(self, node: Node, *, top: bool = False) -> dict[str, Any]:
        """One node object, its first-reached blank nodes nested inside."""
        found: dict[str, Any] = {}
        if isinstance(node.subject, ox.NamedNode):
            found["id"] = self.iri(node.subject.value)
        elif top or node.shared:
            found["id"] = str(node.subject)
        for predicate, value in node.edges:
            if predicate.value == RDF_TYPE and isinstance(value, ox.NamedNode):
                key, item = "type", self.iri(value.value, vocab=True)
            else:
                key, item = self.iri(predicate.value, vocab=True), self.value(value)
            if key in found:
                if not isinstance(found[key], list):
                    found[key] = [found[key]]
                found[key].append(item)
            else:
                found[key] = item
        return found

    def value(self, value: Object | Node) -> Any:
        if isinstance(value, Node):
            return self.node(value)
        if isinstance(value, ox.NamedNode):
            return {"id": self.iri(value.value)}
        if isinstance(value, ox.BlankNode):
            return {"id": str(value)}
        if isinstance(value, ox.Literal):
            if value.language:
                return {"@value": value.value, "@language": value.language}
            if value.datatype.value == XSD_STRING:
                return value.value
            return {"@value": value.value, "@type": self.iri(value.datatype.value)}
        raise ValueError(f"JSON-LD 1.1 cannot write the quoted triple {value}")


def write_jsonld(nodes: Iterable[Node], context: Mapping[str, Any], stream: IO[bytes]) -> None:
    """``{"@context": ..., "@graph": [...]}`` as it goes, one resource per line
    (written by json's C encoder: with ``indent`` it falls back to Python, and
    took a third of the time)."""
    compactor = Compactor(context)
    head = json.dumps({"@context": context}, ensure_ascii=False, indent=1)[:-2]
    stream.write(f'{head},\n "@graph": ['.encode())
    separator = "\n"
    for node in nodes:
        text = json.dumps(compactor.node(node, top=True), ensure_ascii=False)
        stream.write(f"{separator}{text}".encode())
        separator = ",\n"
    stream.write(b"\n ]\n}\n")
