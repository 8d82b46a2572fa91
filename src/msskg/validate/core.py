"""SHACL Core constraints evaluated set by set over a pyoxigraph store, with
pySHACL's semantics: each property path and class is read once with one
query, and every focus node is checked against those sets by the components
of msskg.validate.components. Used by msskg.validate.fast; pySHACL stays the
reference (tests compare the two).

Shapes using a component that module does not implement raise Unsupported,
so that the caller can fall back to pySHACL rather than give a different answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph
from msskg.validate.components import COMPONENTS, Constraint, CoreResult, Focus
from msskg.validate.paths import (
    SH,
    Term,
    Unsupported,
    implicit_class,
    sparql_path,
    target_shapes,
)

__all__ = [
    "SH",
    "CoreResult",
    "CoreValidator",
    "Term",
    "Unsupported",
    "implicit_class",
    "sparql_path",
    "target_shapes",
]


class CoreValidator:
    """Evaluates shapes on focus nodes; reads each path and class once."""

    def __init__(self, store: ox.Store, shapes: Graph):
        self.store = store
        self.shapes = shapes
        self._paths: dict[Node, dict[Term, set[Term]]] = {}
        self._classes: dict[Node, set[Term]] = {}
        self._declared = {
            parameter: component
            for component, declaration in shapes.subject_objects(SH.parameter)
            if (parameter := shapes.value(declaration, SH.path)) is not None
        }
        """The parameters of constraint components the shapes graph declares."""
        self.sparql_ok: set[Node] = set()
        """Shapes whose sh:sparql the caller runs; elsewhere it is Unsupported."""

    # --- reading the data --------------------------------------------------------

    def values(self, path: Node) -> dict[Term, set[Term]]:
        if path not in self._paths:
            index: dict[Term, set[Term]] = defaultdict(set)
            text = f"SELECT ?s ?o WHERE {{ ?s {sparql_path(self.shapes, path)} ?o }}"
            for row in self.store.query(text):  # type: ignore[union-attr]
                index[row[0]].add(row[1])
            self._paths[path] = index
        return self._paths[path]

    def forget_paths(self, keep: Collection[Node]) -> None:
        """Drops the values read for the paths not in ``keep``: kept for
        every shape, they grow with the graph times the number of paths."""
        for path in set(self._paths).difference(keep):
            del self._paths[path]

    def instances(self, cls: Node) -> set[Term]:
        if cls not in self._classes:
            text = (
                "SELECT DISTINCT ?x WHERE { ?x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
                f"<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
            )
            self._classes[cls] = {row[0] for row in self.store.query(text)}  # type: ignore[union-attr]
        return self._classes[cls]

    def targets(self, shape: Node) -> set[Term]:
        focus: set[Term] = set()
        for cls in self.shapes.objects(shape, SH.targetClass):
            focus |= self.instances(cls)
        if implicit_class(self.shapes, shape):
            focus |= self.instances(shape)
        for node in self.shapes.objects(shape, SH.targetNode):
            focus.add(to_oxigraph(node))
        for prop in self.shapes.objects(shape, SH.targetSubjectsOf):
            focus.update(self.values(prop))
        for prop in self.shapes.objects(shape, SH.targetObjectsOf):
            for objects in self.values(prop).values():
                focus |= objects
        return focus

    # --- evaluating shapes -------------------------------------------------------------

    def validate(self, shape: Node, focus: Collection[Term] | None) -> list[CoreResult]:
        """Every result of ``shape`` on ``focus`` (None: the shape's targets),
        in pySHACL's order of concerns, not its exact order: callers sort."""
        if (shape, SH.deactivated, Literal(True)) in self.shapes:
            return []
        params = sorted(set(self.shapes.predicates(shape)) & COMPONENTS.keys(), key=str)
        for param in params:
            if COMPONENTS[param] is None:
                raise Unsupported(f"sh:{str(param)[len(SH) :]} on {_name(shape)}")
        for param in set(self.shapes.predicates(shape)) & set(self._declared):
            raise Unsupported(
                f"the constraint component <{self._declared[param]}> on {_name(shape)}"
            )
        if (shape, SH.sparql, None) in self.shapes and shape not in self.sparql_ok:
            raise Unsupported(
                f"sh:sparql on {_name(shape)}, a shape without targets or with a path"
            )
        nodes = Focus(self, shape, focus)
        results: list[CoreResult] = []
        for param in params:
            evaluate = COMPONENTS[param]
            assert evaluate is not None
            for rule in sorted(self.shapes.objects(shape, param), key=str):
                results.extend(evaluate(Constraint(self, shape, URIRef(str(param)), rule, nodes)))
        return results


def _name(shape: Node) -> str:
    return f"<{shape}>" if isinstance(shape, URIRef) else "a blank node shape"
