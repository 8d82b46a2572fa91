"""SHACL Core constraints evaluated set by set over a pyoxigraph store, with
pySHACL's semantics: each property path and class is read once with one
query, and every focus node is checked against those sets in Python. Used by
msskg.validate.fast; pySHACL stays the reference (tests compare the two).

Components this module does not implement raise Unsupported, so that the
caller can fall back to pySHACL rather than give a different answer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph, to_rdflib

__all__ = ["CoreResult", "CoreValidator", "Term", "Unsupported", "sparql_path"]

SH = Namespace("http://www.w3.org/ns/shacl#")
Term = ox.NamedNode | ox.BlankNode | ox.Literal

# What the shapes graph may hold that this module evaluates. Anything else
# with a sh: name that is a constraint parameter makes the shape Unsupported.
_HANDLED = {
    SH["class"], SH.datatype, SH.minCount, SH.maxCount, SH["in"], SH.hasValue,
    SH.lessThanOrEquals, SH.minLength, SH.minInclusive, SH.languageIn, SH.uniqueLang,
    SH.disjoint, SH.qualifiedValueShape, SH.node, SH["or"], SH.xone, SH["and"], SH["not"],
    SH.property,
}  # fmt: skip
_UNHANDLED = {
    SH.nodeKind, SH.maxLength, SH.pattern, SH.minExclusive, SH.maxExclusive,
    SH.maxInclusive, SH.equals, SH.lessThan, SH.closed, SH.qualifiedValueShapesDisjoint,
    SH.expression, SH.rule,
}  # fmt: skip


class Unsupported(Exception):
    """The shapes use a feature this engine does not evaluate."""


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


class CoreValidator:
    """Evaluates shapes on focus nodes; reads each path and class once."""

    def __init__(self, store: ox.Store, shapes: Graph):
        self.store = store
        self.shapes = shapes
        self._paths: dict[Node, dict[Term, set[Term]]] = {}
        self._classes: dict[Node, set[Term]] = {}
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
        if (shape, SH.sparql, None) in self.shapes and shape not in self.sparql_ok:
            raise Unsupported(
                f"sh:sparql on {_name(shape)}, a shape without targets or with a path"
            )
        path = self.shapes.value(shape, SH.path)
        index = self.values(path) if path is not None else None
        pairs = [(f, index.get(f, set()) if index is not None else {f}) for f in focus]
        results: list[CoreResult] = []
        for param in sorted(set(self.shapes.predicates(shape)) & _HANDLED, key=str):
            if param == SH.property:
                for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
                    results.extend(self.validate(prop, {v for _, vs in pairs for v in vs}))
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
        name = _COMPONENTS[param]

        def result(focus: Term, value: Term | None, component: str = name) -> CoreResult:
            return CoreResult(shape, component, param, focus, value, focus)

        if param == SH["class"]:
            members = self.instances(rule)
            return [result(f, v) for f, vs in pairs for v in vs if v not in members]
        if param == SH.datatype:
            return [result(f, v) for f, vs in pairs for v in vs if not _has_datatype(v, rule)]
        if param in (SH.minCount, SH.maxCount):
            bound = _int(rule)
            low = param == SH.minCount
            return [
                result(f, None) for f, vs in pairs if (len(vs) < bound if low else len(vs) > bound)
            ]
        if param == SH["in"]:
            allowed = {to_oxigraph(item) for item in RdfList(self.shapes, rule)}
            return [result(f, v) for f, vs in pairs for v in vs if v not in allowed]
        if param == SH.hasValue:
            wanted = to_oxigraph(rule)
            return [result(f, None) for f, vs in pairs if wanted not in vs]
        if param in (SH.lessThanOrEquals, SH.disjoint):
            others = self.values(rule)
            test = _not_less_or_equal if param == SH.lessThanOrEquals else _same
            return [
                result(f, v)
                for f, vs in pairs
                for v in vs
                for w in others.get(f, set())
                if test(v, w)
            ]
        if param == SH.minLength:
            least = _int(rule)
            return [result(f, v) for f, vs in pairs for v in vs if _too_short(v, least)]
        if param == SH.minInclusive:
            return [result(f, v) for f, vs in pairs for v in vs if not _at_least(v, rule)]
        if param == SH.languageIn:
            wanted_langs = {str(item).lower() for item in RdfList(self.shapes, rule)}
            return [
                result(f, v) for f, vs in pairs for v in vs if not _in_languages(v, wanted_langs)
            ]
        if param == SH.uniqueLang:
            if not (isinstance(rule, Literal) and rule.value is True):
                return []
            return [result(f, None) for f, vs in pairs for _ in range(_duplicate_languages(vs))]
        if param == SH.qualifiedValueShape:
            return self._qualified(shape, rule, pairs)
        if param == SH.node:
            return self._node(shape, rule, pairs)
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

        return [result(f, v) for f, vs in pairs for v in vs if fails(v)]

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
                    conforming > _int(limit) if too_many else conforming >= _int(limit)
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


_COMPONENTS = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.qualifiedValueShape: "QualifiedValueShapeConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH["not"]: "NotConstraintComponent",
}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RDFS_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"


@cache
def _well_typed(lexical: str, datatype: str) -> bool:
    return not Literal(lexical, datatype=URIRef(datatype)).ill_typed


def _has_datatype(value: Term, rule: Node) -> bool:
    """pySHACL's sh:datatype: a literal of exactly that datatype, not ill-typed
    (rdflib's reading of the lexical form)."""
    if not isinstance(value, ox.Literal):
        return False
    if str(rule) == _RDFS_DATATYPE:
        return value.language is None and value.datatype.value != _XSD_STRING
    if value.datatype.value != str(rule):
        return False
    return value.language is not None or _well_typed(value.value, value.datatype.value)


@lru_cache(maxsize=65536)
def _comparable(term: Term) -> tuple[bool, object]:
    """(whether a string, its value), as rdflib reads it; a date is read once,
    not once per instant that gives it."""
    converted = to_rdflib(term)
    if isinstance(converted, URIRef):
        return True, str(converted)
    if isinstance(converted, Literal) and isinstance(converted.value, str):
        return True, converted.value
    return False, converted


def _not_less_or_equal(value: Term, other: Term) -> bool:
    """pySHACL's sh:lessThanOrEquals test: strings (and IRIs) compare only with
    strings, everything else as rdflib compares literals."""
    if isinstance(value, ox.BlankNode) or isinstance(other, ox.BlankNode):
        raise Unsupported("sh:lessThanOrEquals on a blank node")
    if _plain_date(value) and _plain_date(other):
        return not value.value <= other.value  # YYYY-MM-DD: in the order of the dates
    value_is_string, left = _comparable(value)
    other_is_string, right = _comparable(other)
    if value_is_string != other_is_string:
        return True
    return not left <= right  # type: ignore[operator]


def _plain_date(term: Term) -> bool:
    """An xsd:date written YYYY-MM-DD that rdflib reads as a date."""
    return (
        isinstance(term, ox.Literal)
        and term.datatype.value == _XSD_DATE
        and _YYYY_MM_DD.fullmatch(term.value) is not None
        and _well_typed(term.value, _XSD_DATE)
    )


def _same(value: Term, other: Term) -> bool:
    return value == other


def _too_short(value: Term, least: int) -> bool:
    if least == 0:
        return False
    if isinstance(value, ox.BlankNode):
        return True
    return len(value.value) < least


def _at_least(value: Term, rule: Node) -> bool:
    if not isinstance(value, ox.Literal) or not isinstance(rule, Literal):
        return False
    converted = to_rdflib(value)
    assert isinstance(converted, Literal)
    if isinstance(rule.value, str) != isinstance(converted.value, str):
        return False
    try:
        return bool(rule <= converted)
    except TypeError:
        return False


def _in_languages(value: Term, wanted: set[str]) -> bool:
    if not isinstance(value, ox.Literal) or not value.language:
        return False
    lang = value.language.lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _duplicate_languages(values: Collection[Term]) -> int:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for value in values:
        if isinstance(value, ox.Literal) and value.language:
            lang = value.language.lower()
            (duplicates if lang in seen else seen).add(lang)
    return len(duplicates)
