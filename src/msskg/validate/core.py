"""SHACL Core constraints evaluated set by set over a pyoxigraph store, with
pySHACL's semantics: each property path and class is read once with one
query, and every focus node is checked against those sets in Python. Used by
msskg.validate.fast; pySHACL stays the reference (tests compare the two).

Components this module does not implement raise Unsupported, so that the
caller can fall back to pySHACL rather than give a different answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph, to_rdflib
from msskg.validate.paths import SH, implicit_class, nullable, sparql_path, target_shapes
from msskg.validate.values import (
    Unsupported,
    duplicate_languages,
    has_datatype,
    in_languages,
    in_range,
    matches,
    not_less,
    not_less_or_equal,
    of_kind,
    same,
    too_long,
    too_short,
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

Term = ox.NamedNode | ox.BlankNode | ox.Literal

# The constraint parameters this module evaluates; a shape with any other
# SHACL constraint parameter, or with a parameter of a constraint component
# the shapes graph declares, is Unsupported.
_HANDLED = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH["in"], SH.hasValue,
    SH.lessThanOrEquals, SH.lessThan, SH.equals, SH.disjoint, SH.minLength, SH.maxLength,
    SH.pattern, SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive,
    SH.languageIn, SH.uniqueLang, SH.qualifiedValueShape, SH.node, SH["or"], SH.xone,
    SH["and"], SH["not"], SH.closed, SH.property,
}  # fmt: skip
_UNHANDLED = {SH.qualifiedValueShapesDisjoint, SH.expression, SH.rule, SH.target}


@dataclass(frozen=True)
class CoreResult:
    """One result, in pySHACL's terms: ``param`` is the constraint parameter
    that failed (for generic messages); ``top`` is the focus node it was found
    for at the level of the call that returned it, and ``detail`` marks
    results reported under an sh:node result (pySHACL's sh:detail)."""

    shape: Node
    component: str
    param: URIRef
    focus: Term
    value: Term | None
    top: Term
    detail: bool = False
    path: Node | None = None  # where it is not the shape's sh:path (sh:closed)


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

    def forget_paths(self) -> None:
        """Drops the values read for each path: kept for every shape, they
        grow with the graph times the number of shapes."""
        self._paths.clear()

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

    def validate(self, shape: Node, focus: Collection[Term]) -> list[CoreResult]:
        """Every result of ``shape`` on ``focus`` (in pySHACL's order of concerns,
        not its exact order: callers sort)."""
        if (shape, SH.deactivated, Literal(True)) in self.shapes:
            return []
        for param in set(self.shapes.predicates(shape)) & _UNHANDLED:
            raise Unsupported(f"sh:{str(param)[len(SH) :]} on {_name(shape)}")
        for param in set(self.shapes.predicates(shape)) & set(self._declared):
            raise Unsupported(
                f"the constraint component <{self._declared[param]}> on {_name(shape)}"
            )
        if (shape, SH.sparql, None) in self.shapes and shape not in self.sparql_ok:
            raise Unsupported(
                f"sh:sparql on {_name(shape)}, a shape without targets or with a path"
            )
        path = self.shapes.value(shape, SH.path)
        index = self.values(path) if path is not None else None
        pairs = [(f, index.get(f, set()) if index is not None else {f}) for f in focus]
        if path is not None and nullable(self.shapes, path):
            # a path that may be empty reaches its start, even one that is in no triple
            pairs = [(f, values | {f}) for f, values in pairs]
        results: list[CoreResult] = []
        for param in sorted(set(self.shapes.predicates(shape)) & _HANDLED, key=str):
            if param == SH.property:
                for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
                    nested = self.validate(prop, {v for _, vs in pairs for v in vs})
                    results.extend(nested if index is None else _owned(nested, pairs))
                continue
            for rule in self.shapes.objects(shape, param):
                results.extend(self._component(shape, URIRef(str(param)), rule, pairs))
        return results

    def failing(self, shape: Node, focus: Collection[Term]) -> set[Term]:
        """The focus nodes that do not conform to ``shape``."""
        return {r.top for r in self.validate(shape, focus)}

    def _component(
        self, shape: Node, param: URIRef, rule: Node, pairs: list[tuple[Term, set[Term]]]
    ) -> Iterable[CoreResult]:
        name = _component_name(param)

        def result(focus: Term, value: Term | None, path: Node | None = None) -> CoreResult:
            return CoreResult(shape, name, param, focus, value, focus, path=path)

        fails = self._value_test(shape, param, rule)
        if fails is not None:
            return [result(f, v) for f, vs in pairs for v in vs if fails(v)]
        if param in (SH.minCount, SH.maxCount):
            bound = _int(rule)
            low = param == SH.minCount
            return [
                result(f, None) for f, vs in pairs if (len(vs) < bound if low else len(vs) > bound)
            ]
        if param == SH.hasValue:
            wanted = to_oxigraph(rule)
            return [result(f, None) for f, vs in pairs if wanted not in vs]
        if param in _PAIR_TESTS:
            others, test = self.values(rule), _PAIR_TESTS[param]
            found = [
                result(f, v) for f, vs in pairs for v in vs for w in others.get(f, ()) if test(v, w)
            ]
            if param == SH.equals:  # each value on one side only
                found = [result(f, v) for f, vs in pairs for v in vs ^ others.get(f, set())]
            return found
        if param == SH.uniqueLang:
            if rule != _TRUE:  # only true itself, not "1"^^xsd:boolean (SHACL 4.4.4)
                return []
            return [result(f, None) for f, vs in pairs for _ in range(duplicate_languages(vs))]
        if param == SH.closed:
            if rule != _TRUE:
                return []
            allowed = self._allowed(shape)
            return [
                result(f, q.object, to_rdflib(q.predicate))
                for f, vs in pairs
                for v in vs
                if not isinstance(v, ox.Literal)
                for q in self.store.quads_for_pattern(v, None, None)
                if q.predicate not in allowed and not isinstance(q.object, ox.Triple)
            ]
        if param == SH.qualifiedValueShape:
            return self._qualified(shape, rule, pairs)
        if param == SH.node:
            return self._node(shape, rule, pairs)
        return self._logical(shape, param, rule, pairs)

    def _value_test(self, shape: Node, param: URIRef, rule: Node) -> Callable[[Term], bool] | None:
        """For the components that judge each value alone: whether a value fails."""
        if param == SH["class"]:
            members = self.instances(rule)
            return lambda v: v not in members
        if param == SH["in"]:
            allowed = {to_oxigraph(item) for item in RdfList(self.shapes, rule)}
            return lambda v: v not in allowed
        if param == SH.languageIn:
            langs = {str(item).lower() for item in RdfList(self.shapes, rule)}
            return lambda v: not in_languages(v, langs)
        if param == SH.pattern:
            flags = str(self.shapes.value(shape, SH.flags) or "")
            return lambda v: not matches(v, str(rule), flags)
        if param in (SH.minLength, SH.maxLength):
            bound, short = _int(rule), param == SH.minLength
            return lambda v: too_short(v, bound) if short else too_long(v, bound)
        if param in (SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive):
            kind = str(param)[len(SH) :]
            return lambda v: not in_range(v, rule, kind)
        if param == SH.datatype:
            return lambda v: not has_datatype(v, rule)
        if param == SH.nodeKind:
            return lambda v: not of_kind(v, rule)
        return None

    def _allowed(self, shape: Node) -> set[Term]:
        """sh:closed: the properties a focus node may have."""
        allowed = {
            self.shapes.value(p, SH.path) for p in self.shapes.objects(shape, SH.property)
        } | set(
            item
            for ignored in self.shapes.objects(shape, SH.ignoredProperties)
            for item in RdfList(self.shapes, ignored)
        )
        return {to_oxigraph(p) for p in allowed if isinstance(p, URIRef)}

    def _logical(
        self, shape: Node, param: URIRef, rule: Node, pairs: list[tuple[Term, set[Term]]]
    ) -> list[CoreResult]:
        """sh:and, sh:or, sh:xone, sh:not: how many operand shapes each value passes."""
        operands = list(RdfList(self.shapes, rule)) if param != SH["not"] else [rule]
        values = {v for _, vs in pairs for v in vs}
        failing = [self.failing(operand, values) for operand in operands]

        def fails(v: Term) -> bool:
            passed = sum(v not in failed for failed in failing)
            if param == SH["or"]:
                return passed == 0
            if param == SH["and"]:
                return passed != len(operands)
            if param == SH.xone:
                return passed != 1
            return passed == 1  # sh:not

        name = _component_name(param)
        return [CoreResult(shape, name, param, f, v, f) for f, vs in pairs for v in vs if fails(v)]

    def _node(
        self, shape: Node, rule: Node, pairs: list[tuple[Term, set[Term]]]
    ) -> list[CoreResult]:
        """pySHACL reports a value that fails the sh:node shape, and under it
        (sh:detail) every result of that shape for the value, once per focus."""
        by_value: dict[Term, list[CoreResult]] = defaultdict(list)
        for nested in self.validate(rule, {v for _, vs in pairs for v in vs}):
            by_value[nested.top].append(nested)
        out: list[CoreResult] = []
        for f, vs in pairs:
            for v in vs:
                if v in by_value:
                    out.append(CoreResult(shape, "NodeConstraintComponent", SH.node, f, v, f))
                    out.extend(
                        CoreResult(r.shape, r.component, r.param, r.focus, r.value, f, True)
                        for r in by_value[v]
                    )
        return out

    def _qualified(
        self, shape: Node, rule: Node, pairs: list[tuple[Term, set[Term]]]
    ) -> list[CoreResult]:
        failed = self.failing(rule, {v for _, vs in pairs for v in vs})
        low = self.shapes.value(shape, SH.qualifiedMinCount)
        high = self.shapes.value(shape, SH.qualifiedMaxCount)
        out: list[CoreResult] = []
        for f, vs in pairs:
            conforming = sum(v not in failed for v in vs)
            for limit, too_many in ((high, True), (low, False)):
                if limit is None or (
                    conforming <= _int(limit) if too_many else conforming >= _int(limit)
                ):
                    continue
                component = f"Qualified{'Max' if too_many else 'Min'}CountConstraintComponent"
                out.append(CoreResult(shape, component, SH.qualifiedValueShape, f, None, f))
        return out


def _name(shape: Node) -> str:
    return f"<{shape}>" if isinstance(shape, URIRef) else "a blank node shape"


def _int(node: Node) -> int:
    if not isinstance(node, Literal):
        raise Unsupported(f"{node!r} is not a number")
    return int(node.toPython())


def _owned(results: list[CoreResult], pairs: list[tuple[Term, set[Term]]]) -> list[CoreResult]:
    """Results found for value nodes, as results of each focus node that has
    the value (a property shape's sh:property judges its values)."""
    owners: dict[Term, list[Term]] = defaultdict(list)
    for focus, values in pairs:
        for value in values:
            owners[value].append(focus)
    return [replace(r, top=focus) for r in results for focus in owners[r.top]]


def _component_name(param: URIRef) -> str:
    """sh:class -> ClassConstraintComponent, sh:in -> InConstraintComponent, ..."""
    local = str(param)[len(SH) :]
    return local[0].upper() + local[1:] + "ConstraintComponent"


_PAIR_TESTS: dict[Node, Callable[[Term, Term], bool]] = {
    SH.lessThanOrEquals: not_less_or_equal,
    SH.lessThan: not_less,
    SH.disjoint: same,
    SH.equals: same,
}

_TRUE = Literal("true", datatype=URIRef("http://www.w3.org/2001/XMLSchema#boolean"))
