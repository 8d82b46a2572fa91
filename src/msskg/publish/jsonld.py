"""JSON-LD written one resource at a time with the published context: each
IRI subject is one object, its blank nodes (a fact's interval, instants,
quote) nested inside it, keys and IRIs compacted by the context's terms and
prefixes. The context has only plain term definitions (no coercion, no
containers), so compacting is a lookup, done here rather than by a JSON-LD
processor over the whole graph (rdflib's took minutes and gigabytes at 1M).

Nodes come as N-Triples text (publish/walk.py) and are written as JSON text
directly: an IRI holds no character JSON escapes, and a quoted N-Triples
literal as pyoxigraph writes it is a JSON string (the same escapes:
``\\" \\\\ \\n \\r \\t \\b \\f`` and ``\\uXXXX``), so no term is decoded."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO, Any

from msskg.publish.walk import Node

__all__ = ["Compactor", "write_jsonld"]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
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
        self._namespaces: dict[str, str] = {}  # the first name of each
        for name, iri in prefixes.items():
            self._namespaces.setdefault(iri, name)
        self._terms: dict[str, str] = {}
        self._keys: dict[str, str] = {}  # predicates ("<iri>") -> '"key": '
        self._types: dict[str, str] = {}  # types and datatypes ("<iri>") -> '"compacted"'
        for name, value in sorted(context.items()):
            if isinstance(value, str) and not value.startswith("@") and name not in prefixes:
                self._terms.setdefault(self._expand(value, prefixes), name)

    @staticmethod
    def _expand(value: str, prefixes: Mapping[str, str]) -> str:
        prefix, colon, local = value.partition(":")
        return prefixes[prefix] + local if colon and prefix in prefixes else value

    def iri(self, iri: str, *, vocab: bool = False) -> str:
        """A term (for a key or a type, when ``vocab``), a compact IRI, or the IRI itself."""
        if vocab and (term := self._terms.get(iri)) is not None:
            return term
        end = len(iri)
        while True:  # the namespaces that end where the IRI has a "/" or "#", longest first
            end = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
            if end < 0:
                return iri
            name = self._namespaces.get(iri[: end + 1])
            local = iri[end + 1 :]
            if name is not None and local and not local.startswith("//"):
                return f"{name}:{local}"

    def node(self, node: Node, *, top: bool = False) -> str:
        """One node object as JSON text, its nested blank nodes inside it."""
        fields: dict[str, list[str]] = {}
        keys, types = self._keys, self._types
        for predicate, value in node.edges:
            if predicate == RDF_TYPE and type(value) is str and value[:1] == "<":
                if (text := types.get(value)) is None:
                    text = types[value] = f'"{self.iri(value[1:-1], vocab=True)}"'
                fields.setdefault('"type": ', []).append(text)
                continue
            if (key := keys.get(predicate)) is None:
                key = keys[predicate] = (
                    json.dumps(self.iri(predicate[1:-1], vocab=True), ensure_ascii=False) + ": "
                )
            fields.setdefault(key, []).append(
                self.node(value) if type(value) is Node else self.value(value)  # type: ignore[arg-type]
            )
        parts = []
        subject = node.subject
        if subject[:1] == "<":
            parts.append(f'"id": "{self.iri(subject[1:-1])}"')
        elif top or node.own:
            parts.append(f'"id": "{subject}"')
        for key, values in fields.items():
            parts.append(key + (values[0] if len(values) == 1 else f"[{', '.join(values)}]"))
        return "{" + ", ".join(parts) + "}"

    def value(self, value: str) -> str:
        """An N-Triples term as a JSON-LD value."""
        first = value[:1]
        if first == '"':
            end = value.rfind('"')
            if end == len(value) - 1:
                return value
            text, suffix = value[: end + 1], value[end + 1 :]
            if suffix[:1] == "@":
                return f'{{"@value": {text}, "@language": "{suffix[1:]}"}}'
            datatype = suffix[3:-1]  # ^^<...>
            if datatype == XSD_STRING:
                return text
            if (compact := self._types.get(datatype)) is None:
                compact = self._types[datatype] = f'"{self.iri(datatype)}"'
            return f'{{"@value": {text}, "@type": {compact}}}'
        if value[:2] == "<<":
            raise ValueError(f"JSON-LD 1.1 cannot write the quoted triple {value}")
        if first == "<":
            return f'{{"id": "{self.iri(value[1:-1])}"}}'
        return f'{{"id": "{value}"}}'  # a blank node


def write_jsonld(nodes: Iterable[Node], context: Mapping[str, Any], stream: IO[bytes]) -> None:
    """``{"@context": ..., "@graph": [...]}`` as it goes, one resource per line."""
    compactor = Compactor(context)
    head = json.dumps({"@context": context}, ensure_ascii=False, indent=1)[:-2]
    stream.write(f'{head},\n "@graph": ['.encode())
    separator = "\n"
    for node in nodes:
        stream.write(f"{separator}{compactor.node(node, top=True)}".encode())
        separator = ",\n"
    stream.write(b"\n ]\n}\n")
