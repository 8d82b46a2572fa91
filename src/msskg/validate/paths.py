"""SHACL's property paths and targets, read from the shapes graph: a path as
SPARQL text, whether it may be empty, and which shapes have targets (explicit,
or implicit: a shape that is also a class); and what the fast engine's
modules share. Used by msskg.validate.core and msskg.validate.fast."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph

__all__ = [
    "SH",
    "Term",
    "Unsupported",
    "implicit_class",
    "nullable",
    "paths_of",
    "sparql_path",
    "target_shapes",
    "targets_where",
]

SH = Namespace("http://www.w3.org/ns/shacl#")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Unsupported(Exception):
    """The shapes use a feature the fast engine does not evaluate."""


def sparql_path(shapes: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL property-path text."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(sparql_path(shapes, p) for p in RdfList(shapes, path)) + ")"
    for prop, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, prop)
        if inner is not None:
            return "(" + template.format(sparql_path(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(shapes, p) for p in RdfList(shapes, alternatives)) + ")"
    raise Unsupported(f"property path {path!r}")


def nullable(shapes: Graph, path: Node) -> bool:
    """Whether ``path`` may have length zero (p*, p?, and lists of them)."""
    if isinstance(path, URIRef):
        return False
    if (path, RDF.first, None) in shapes:
        return all(nullable(shapes, p) for p in RdfList(shapes, path))
    if (path, SH.zeroOrMorePath, None) in shapes or (path, SH.zeroOrOnePath, None) in shapes:
        return True
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return nullable(shapes, inverse)
    alternatives = shapes.value(path, SH.alternativePath)
    return alternatives is not None and any(
        nullable(shapes, p) for p in RdfList(shapes, alternatives)
    )


_READ = {SH.path, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals}
_READ |= {SH.targetSubjectsOf, SH.targetObjectsOf}


def paths_of(shapes: Graph, shape: Node) -> set[Node]:
    """The paths that validating ``shape`` may read: those of every node
    reachable from it in the shapes graph."""
    seen: set[Node] = set()
    todo = [shape]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(o for o in shapes.objects(node) if not isinstance(o, Literal))
    return {o for node in seen for p in _READ for o in shapes.objects(node, p)}


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def implicit_class(shapes: Graph, shape: Node) -> bool:
    """A shape that is also a class targets its instances (SHACL 2.1.3.1)."""
    return any((shape, RDF.type, c) in shapes for c in (RDFS.Class, OWL.Class)) and any(
        (shape, RDF.type, kind) in shapes for kind in (SH.NodeShape, SH.PropertyShape)
    )


def target_shapes(shapes: Graph) -> list[Node]:
    """The shapes with targets, explicit or implicit, in a stable order."""
    found = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    found |= {s for s in shapes.subjects(RDF.type, None) if implicit_class(shapes, s)}
    return sorted(found, key=str)


def targets_where(shapes: Graph, shape: Node) -> str:
    """A SPARQL group binding ?this to each focus node of ``shape``, once."""
    classes = [*shapes.objects(shape, SH.targetClass)]
    classes += [shape] if implicit_class(shapes, shape) else []
    parts = [
        *(f"{{ ?this a/<{RDFS.subClassOf}>* <{c}> }}" for c in classes),
        *(f"{{ ?any <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)),
        *(f"{{ ?this <{p}> ?any }}" for p in shapes.objects(shape, SH.targetSubjectsOf)),
    ]
    nodes = list(shapes.objects(shape, SH.targetNode))
    if nodes:
        parts.append("{ VALUES ?this { " + " ".join(str(to_oxigraph(n)) for n in nodes) + " } }")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"
