"""SHACL Core constraints evaluated set by set over a pyoxigraph store, with
pySHACL's semantics: each property path and class is read once with one
query, and every focus node is checked against those sets by the components
of msskg.validate.components. Used by msskg.validate.fast; pySHACL stays the
reference (tests compare the two).

Shapes using a component that module does not evaluate raise Unsupported,
so that the caller can fall back to pySHACL rather than give a different answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, cached_property
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph
from msskg.validate.paths import SH, Term, Unsupported, implicit_class, nullable, sparql_path

__all__ = ["Constraint", "CoreResult", "CoreValidator", "Evaluate", "Focus"]

Pairs = list[tuple[Term, AbstractSet[Term]]]


class CoreResult(NamedTuple):
    """One result, in pySHACL's terms: ``param`` is the constraint parameter
    that failed (for generic messages); ``top`` is the focus node it was found
    for at the level of the call that returned it, and ``detail`` marks
    results reported under an sh:node result (pySHACL's sh:detail). A tuple:
    sh:or and sh:xone make one for every operand a node fails (168,000 for
    time:Instant at 1M triples), and a frozen dataclass is slower to make."""

    shape: Node
    component: str
    param: URIRef
    focus: Term
    value: Term | None
    top: Term
    detail: bool = False
    path: Node | None = None  # where it is not the shape's sh:path (sh:closed)


class Focus:
    """A shape's focus nodes (None: its targets), each with its value nodes,
    read when a component first asks for them."""

    def __init__(self, core: CoreValidator, shape: Node, nodes: Collection[Term] | None):
        self.core, self.shape, self._nodes = core, shape, nodes
        self.path = core.shapes.value(shape, SH.path)

    @cached_property
    def nodes(self) -> Collection[Term]:
        return self.core.targets(self.shape) if self._nodes is None else self._nodes

    @cached_property
    def pairs(self) -> Pairs:
        if self.path is None or not self.nodes:
            return [(f, {f}) for f in self.nodes]
        index, none = self.core.values(self.path), frozenset[Term]()
        if nullable(self.core.shapes, self.path):
            # a path that may be empty reaches its start, even one that is in no triple
            return [(f, index.get(f, none) | {f}) for f in self.nodes]
        return [(f, index.get(f, none)) for f in self.nodes]

    @cached_property
    def values(self) -> set[Term]:
        if self.path is None:
            return set(self.nodes)
        return {v for _, vs in self.pairs for v in vs}


@dataclass(frozen=True)
class Constraint:
    """One value (``rule``) of one constraint parameter of ``shape``, on the
    shape's focus nodes and their value nodes."""

    core: CoreValidator
    shape: Node
    param: URIRef
    rule: Node
    focus: Focus

    def found(
        self, focus: Term, value: Term | None, path: Node | None = None, name: str = ""
    ) -> CoreResult:
        name = name or _component_name(self.param)
        return CoreResult(self.shape, name, self.param, focus, value, focus, False, path)

    @property
    def pairs(self) -> Pairs:
        return self.focus.pairs

    @property
    def values(self) -> set[Term]:
        return self.focus.values

    def nested(self, shape: Node) -> list[CoreResult]:
        """The results of ``shape`` on the value nodes."""
        return self.core.validate(shape, self.values)

    def failing(self, shape: Node) -> set[Term]:
        return {r.top for r in self.nested(shape)}

    def listed(self) -> list[Node]:
        """The members of the RDF list ``rule``."""
        return list(RdfList(self.core.shapes, self.rule))


Evaluate = Callable[[Constraint], Iterable[CoreResult]]


class CoreValidator:
    """Evaluates shapes on focus nodes; reads each path and class once."""

    def __init__(self, store: ox.Store, shapes: Graph, components: Mapping[Node, Evaluate | None]):
        self.store = store
        self.shapes = shapes
        self.components = components
        """Each constraint parameter's component (msskg.validate.components),
        None where the parameter is one this engine does not evaluate."""
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
        params = sorted(set(self.shapes.predicates(shape)) & self.components.keys(), key=str)
        for param in params:
            if self.components[param] is None:
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
            evaluate = self.components[param]
            assert evaluate is not None
            for rule in sorted(self.shapes.objects(shape, param), key=str):
                results.extend(evaluate(Constraint(self, shape, URIRef(str(param)), rule, nodes)))
        return results


@cache
def _component_name(param: URIRef) -> str:
    local = str(param)[len(SH) :]  # sh:class -> ClassConstraintComponent
    return local[0].upper() + local[1:] + "ConstraintComponent"


def _name(shape: Node) -> str:
    return f"<{shape}>" if isinstance(shape, URIRef) else "a blank node shape"
