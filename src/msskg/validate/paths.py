"""SHACL's property paths and targets, read from the shapes graph: a path as
SPARQL text, whether it may be empty, and which shapes have targets (explicit,
or implicit: a shape that is also a class); and what the fast engine's
modules share. Used by msskg.validate.core and msskg.validate.fast."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

__all__ = [
    "SH",
    "Term",
    "Unsupported",
    "implicit_class",
    "nullable",
    "sparql_path",
    "target_shapes",
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
