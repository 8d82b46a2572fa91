"""msskg's one JSON-LD writer, one resource at a time with the published
context: each IRI subject one object, its blank nodes (a fact's interval,
instants, quote) nested inside it. The context has only plain term
definitions, so compacting is a lookup, with no JSON-LD processor holding the
whole graph. Export streams through :func:`write_jsonld`; every smaller graph
is :func:`jsonld_text`. Terms come as N-Triples text and are written as JSON
text directly: an IRI holds no character JSON escapes, and a quoted N-Triples
literal as pyoxigraph writes it is a JSON string, so no term is decoded."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, NamedTuple

import pyoxigraph as ox

from msskg import vocab
from msskg.errors import DataError

__all__ = ["Compactor", "Edges", "Node", "jsonld_text", "nodes_of", "subjects", "write_jsonld"]

Edges = list[tuple[str, str]]


class Node(NamedTuple):
    """A subject and its triples (N-Triples text) in the store's order;
    ``inner``: the blank nodes that only it (or they) point at, by label, to
    nest where they are pointed at (the writer takes each out as it nests it;
    what it leaves comes next, as resources of their own); ``own``: a blank
    node that is a resource of its own (several triples point at it, or none)."""

    subject: str
    edges: Edges
    own: bool = False
    inner: dict[str, Edges] | None = None


def nodes_of(lines: Iterable[str]) -> Iterator[Node]:
    """A resource for each run of one subject in N-Triples ``lines``, nothing nested."""
    for subject, edges in subjects(lines):
        yield Node(subject, edges, subject[:2] == "_:")


def subjects(lines: Iterable[str]) -> Iterator[tuple[str, Edges]]:
    """Each subject with its (predicate, object) pairs, from N-Triples lines
    grouped by subject ("s p o .")."""
    current = ""
    edges: Edges = []
    for line in lines:
        subject, predicate, value = line.split(" ", 2)
        if subject != current:
            if edges:
                yield current, edges
            if subject[:2] == "<<":
                raise DataError(f"cannot export a quoted triple as a subject: {line.strip()}")
            current, edges = subject, []
        edges.append((predicate, value[:-3]))  # without " .\n"
    if edges:
        yield current, edges


MAX_NESTING = 100
RDF_TYPE = f"<{vocab.RDF_TYPE}>"


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
        self._types: dict[str, str] = {}  # types ("<iri>") -> '"compacted"'
        self._suffixes: dict[str, str] = {}  # "@lang" or "^^<iri>" -> the end of a value object
        self._refs: dict[str, str] = {}  # objects ("<iri>") -> '{"id": "compacted"}'
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
            slash, hash_ = iri.rfind("/", 0, end), iri.rfind("#", 0, end)
            end = slash if slash > hash_ else hash_
            if end < 0:
                return iri
            name = self._namespaces.get(iri[: end + 1])
            if name is not None:
                local = iri[end + 1 :]
                if local and not local.startswith("//"):
                    return f"{name}:{local}"

    def node(self, node: Node) -> str:
        """One resource as JSON text, the blank nodes in ``node.inner``
        nested where it (or they) point at them, and taken out of it."""
        return self._object(node.subject, node.edges, node.inner or {}, 0)

    def _object(self, subject: str, edges: Edges, inner: dict[str, Edges], depth: int) -> str:
        """A subject's triples come by predicate (the store's order, or
        sorted), so each key's values are one run."""
        keys, iri, suffixes, refs = self._keys, self.iri, self._suffixes, self._refs
        if subject[:1] == "<":
            parts = [f'"id": "{iri(subject[1:-1])}"']
        else:
            parts = [f'"id": "{subject}"'] if depth == 0 else []
        runs: list[tuple[str, list[str]]] = []  # each key and its values
        for predicate, value in edges:
            this = ""  # the key, when not the predicate's own
            if (first := value[:1]) == '"':
                end = value.rfind('"')
                if end == len(value) - 1:
                    text = value
                else:
                    suffix = value[end + 1 :]
                    tail = suffixes.get(suffix) or self._suffix(suffix)
                    text = f'{{"@value": {value[: end + 1]}, {tail}'
            elif first == "<" and value[:2] != "<<":
                if predicate == RDF_TYPE:
                    this, text = '"type": ', self._types.get(value) or self._type(value)
                else:  # the same IRIs are pointed at again and again
                    text = refs.get(value) or self._ref(value)
            elif first == "_":
                # nested no deeper than readers recurse: deeper, a resource of its own
                nested = inner.pop(value, None) if depth < MAX_NESTING else None
                if nested is None:
                    text = f'{{"id": "{value}"}}'
                else:
                    text = self._object(value, nested, inner, depth + 1)
            else:
                raise DataError(f"JSON-LD 1.1 cannot write the quoted triple {value}")
            this = this or keys.get(predicate) or self._key(predicate)
            if runs and runs[-1][0] == this:
                runs[-1][1].append(text)
            else:
                runs.append((this, [text]))
        parts += [key + (run[0] if len(run) == 1 else f"[{', '.join(run)}]") for key, run in runs]
        return "{" + ", ".join(parts) + "}"

    def _key(self, predicate: str) -> str:
        key = json.dumps(self.iri(predicate[1:-1], vocab=True), ensure_ascii=False) + ": "
        self._keys[predicate] = key
        return key

    def _ref(self, value: str) -> str:
        text = self._refs[value] = f'{{"id": "{self.iri(value[1:-1])}"}}'
        return text

    def _type(self, value: str) -> str:
        text = self._types[value] = f'"{self.iri(value[1:-1], vocab=True)}"'
        return text

    def _suffix(self, suffix: str) -> str:
        """What follows a literal's value: ``@lang`` or ``^^<datatype>``."""
        if suffix[:1] == "@":
            text = f'"@language": "{suffix[1:]}"}}'
        else:
            text = f'"@type": "{self.iri(suffix[3:-1])}"}}'
        self._suffixes[suffix] = text
        return text


def write_jsonld(nodes: Iterable[Node], context: Mapping[str, Any], stream: IO[bytes]) -> None:
    """``{"@context": ..., "@graph": [...]}`` as it goes, one resource per line."""
    compactor = Compactor(context)
    head = json.dumps({"@context": context}, ensure_ascii=False, indent=1)[:-2]
    stream.write(f'{head},\n "@graph": ['.encode())
    separator = "\n"
    for node in nodes:
        stream.write(f"{separator}{compactor.node(node)}".encode())
        separator = ",\n"
    stream.write(b"\n ]\n}\n")


def jsonld_text(triples: Iterable[ox.Triple], context: Mapping[str, Any] | None = None) -> str:
    """``triples`` as one JSON-LD document compacted with ``context`` (by
    default the published one, ontology/context.jsonld, embedded): IRI
    subjects in order, each blank node that one triple points at nested there."""
    from msskg.graph.files import jsonld_context

    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    text = (ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    found = list(subjects(io.StringIO(text, newline="\n")))
    pointed = Counter(value for _, edges in found for _, value in edges if value[:2] == "_:")
    inner = {label: edges for label, edges in found if pointed[label] == 1}
    nodes = [Node(s, edges, s[:2] == "_:", inner) for s, edges in found if s not in inner]
    stream = io.BytesIO()
    write_jsonld(_with_rest(nodes, inner), context or jsonld_context(), stream)
    return stream.getvalue().decode()


def _with_rest(nodes: list[Node], inner: dict[str, Edges]) -> Iterator[Node]:
    """``nodes``, then what none of them nested (blank nodes in a cycle) as resources."""
    yield from nodes
    while inner:
        label = next(iter(inner))
        yield Node(label, inner.pop(label), True, inner)
