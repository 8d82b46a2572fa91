"""SHACL Core's constraint components (SHACL 4), one entry each in COMPONENTS,
keyed by the parameter that triggers it, as pySHACL keys its classes
(pyshacl/constraints/). An entry holds all its component needs, and reads
values as pySHACL does (rdflib's lexical forms and comparisons), on pyoxigraph
terms. A parameter mapped to None is one the fast engine does not evaluate: a
shape using it is Unsupported, and pySHACL validates instead.

Adding a component is one entry here: ``@component(SH.x)`` on a function of
a Constraint that returns its results, or ``@each_value(SH.x)`` on one that
returns the test a value fails.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from msskg.graph.dataset import to_oxigraph, to_rdflib
from msskg.validate.core import Constraint, CoreResult, Evaluate
from msskg.validate.paths import SH, Term, Unsupported

__all__ = ["COMPONENTS", "component", "each_value"]

Test = Callable[[Term], bool]

# SHACL parameters that pySHACL evaluates and this engine does not
COMPONENTS: dict[Node, Evaluate | None] = dict.fromkeys(
    (SH.qualifiedValueShapesDisjoint, SH.expression, SH.rule, SH.target)
)


def component(*params: URIRef) -> Callable[[Evaluate], Evaluate]:
    def register(evaluate: Evaluate) -> Evaluate:
        COMPONENTS.update(dict.fromkeys(params, evaluate))
        return evaluate

    return register


def each_value(*params: URIRef) -> Callable[[Callable[[Constraint], Test]], Evaluate]:
    """A component that judges each value alone: the function gives the test
    a value fails."""

    def register(test: Callable[[Constraint], Test]) -> Evaluate:
        def evaluate(c: Constraint) -> list[CoreResult]:
            fails = test(c)
            # each value tested once, however many focus nodes have it
            failing = {v for v in c.values if fails(v)}
            return [c.found(f, v) for f, vs in c.pairs for v in vs & failing] if failing else []

        return component(*params)(evaluate)

    return register


def number(node: Node) -> int:
    if not isinstance(node, Literal):
        raise Unsupported(f"{node!r} is not a number")
    return int(node.toPython())


_TRUE = Literal("true", datatype=URIRef("http://www.w3.org/2001/XMLSchema#boolean"))


# --- value type (SHACL 4.1) -------------------------------------------------------------


@each_value(SH["class"])
def _class(c: Constraint) -> Test:
    members = c.core.instances(c.rule)
    return lambda v: v not in members


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_RDFS_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"


@cache
def _well_typed(lexical: str, datatype: str) -> bool:
    return not Literal(lexical, datatype=URIRef(datatype)).ill_typed


@each_value(SH.datatype)
def _datatype(c: Constraint) -> Test:
    """pySHACL's: a literal of exactly that datatype, not ill-typed (rdflib's
    reading of the lexical form)."""
    wanted = str(c.rule)

    def fails(v: Term) -> bool:
        if not isinstance(v, ox.Literal):
            return True
        if wanted == _RDFS_DATATYPE:
            return v.language is not None or v.datatype.value == _XSD_STRING
        if v.datatype.value != wanted:
            return True
        # rdflib reads no value from an xsd:string, so one is never ill-typed
        return v.language is None and wanted != _XSD_STRING and not _well_typed(v.value, wanted)

    return fails


_KINDS: dict[str, tuple[type, ...]] = {"IRI": (ox.NamedNode,), "Literal": (ox.Literal,)}
_KINDS["BlankNode"] = (ox.BlankNode,)
for _a, _b in (("BlankNode", "IRI"), ("BlankNode", "Literal"), ("IRI", "Literal")):
    _KINDS[f"{_a}Or{_b}"] = _KINDS[_a] + _KINDS[_b]


@each_value(SH.nodeKind)
def _node_kind(c: Constraint) -> Test:
    name = str(c.rule).rsplit("#", 1)[-1]

    def fails(v: Term) -> bool:
        if name not in _KINDS:
            raise Unsupported(f"sh:nodeKind {c.rule}")
        return not isinstance(v, _KINDS[name])

    return fails


# --- cardinality (4.2) ------------------------------------------------------------------


@component(SH.minCount, SH.maxCount)
def _count(c: Constraint) -> list[CoreResult]:
    bound, low = number(c.rule), c.param == SH.minCount
    return [c.found(f, None) for f, vs in c.pairs if (len(vs) < bound if low else len(vs) > bound)]


# --- value range (4.3) ------------------------------------------------------------------

_RANGES: dict[str, Callable[[Literal, Literal], bool]] = {
    str(SH.minInclusive): lambda value, bound: bound <= value,
    str(SH.minExclusive): lambda value, bound: bound < value,
    str(SH.maxInclusive): lambda value, bound: value <= bound,
    str(SH.maxExclusive): lambda value, bound: value < bound,
}


@each_value(SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive)
def _range(c: Constraint) -> Test:
    """A literal that compares with the bound and lies on its side; a value
    that does not compare (another type, or a date-time with a time zone
    against one without) is outside."""
    rule, inside = c.rule, _RANGES[str(c.param)]

    def fails(v: Term) -> bool:
        if not isinstance(v, ox.Literal) or not isinstance(rule, Literal):
            return True
        value = to_rdflib(v)
        assert isinstance(value, Literal)
        if value.ill_typed or isinstance(rule.value, str) != isinstance(value.value, str):
            return True
        if _zoned(rule.value) != _zoned(value.value):  # these do not compare
            return True
        try:
            return not inside(value, rule)
        except TypeError:
            return True

    return fails


def _zoned(value: object) -> bool | None:
    """Whether a date-time has a time zone; None for any other value."""
    return getattr(value, "tzinfo", None) is not None if hasattr(value, "tzinfo") else None


# --- string-based (4.4) -----------------------------------------------------------------


@each_value(SH.minLength, SH.maxLength)
def _length(c: Constraint) -> Test:
    bound = number(c.rule)
    if c.param == SH.maxLength:
        return lambda v: isinstance(v, ox.BlankNode) or len(v.value) > bound
    return lambda v: bound > 0 and (isinstance(v, ox.BlankNode) or len(v.value) < bound)


@each_value(SH.pattern)
def _pattern(c: Constraint) -> Test:
    """XPath's fn:matches on the value's text; a blank node never matches."""
    flags = str(c.core.shapes.value(c.shape, SH.flags) or "")
    return lambda v: (
        isinstance(v, ox.BlankNode) or _compiled(str(c.rule), flags).search(v.value) is None
    )


@cache
def _compiled(pattern: str, flags: str) -> re.Pattern[str]:
    table = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    combined = 0
    for flag in flags:
        if flag not in table:
            raise Unsupported(f'sh:flags "{flags}"')
        combined |= table[flag]
    try:
        return re.compile(pattern, combined)
    except re.error as err:
        raise Unsupported(f"sh:pattern {pattern!r}, which Python reads otherwise: {err}") from None


@each_value(SH.languageIn)
def _language_in(c: Constraint) -> Test:
    wanted = {str(item).lower() for item in c.listed()}

    def fails(v: Term) -> bool:
        if not isinstance(v, ox.Literal) or not v.language:
            return True
        lang = v.language.lower()
        return not ("*" in wanted or lang in wanted or lang.split("-")[0] in wanted)

    return fails


@component(SH.uniqueLang)
def _unique_lang(c: Constraint) -> list[CoreResult]:
    if c.rule != _TRUE:  # only true itself, not "1"^^xsd:boolean (SHACL 4.4.4)
        return []
    return [c.found(f, None) for f, vs in c.pairs for _ in range(_duplicate_languages(vs))]


def _duplicate_languages(values: Collection[Term]) -> int:
    langs = Counter(v.language.lower() for v in values if isinstance(v, ox.Literal) and v.language)
    return sum(count > 1 for count in langs.values())


# --- property pair (4.5) ----------------------------------------------------------------


@component(SH.equals)
def _equals(c: Constraint) -> list[CoreResult]:
    """Each value on one side only."""
    others = c.core.values(c.rule)
    return [c.found(f, v) for f, vs in c.pairs for v in vs ^ others.get(f, set())]


@component(SH.disjoint)
def _disjoint(c: Constraint) -> list[CoreResult]:
    others = c.core.values(c.rule)
    return [c.found(f, v) for f, vs in c.pairs for v in vs & others.get(f, set())]


@component(SH.lessThan, SH.lessThanOrEquals)
def _less(c: Constraint) -> list[CoreResult]:
    others, strict = c.core.values(c.rule), c.param == SH.lessThan
    return [
        c.found(f, v)
        for f, vs in c.pairs
        for v in vs
        for w in others.get(f, ())
        if _not_less(v, w, strict)
    ]


_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _not_less(value: Term, other: Term, strict: bool) -> bool:
    """Strings (and IRIs) compare only with strings, everything else as rdflib
    compares literals."""
    if isinstance(value, ox.BlankNode) or isinstance(other, ox.BlankNode):
        raise Unsupported("sh:lessThan or sh:lessThanOrEquals on a blank node")
    if _plain_date(value) and _plain_date(other):
        # YYYY-MM-DD: in the order of the dates
        return not (value.value < other.value if strict else value.value <= other.value)
    value_is_string, left = _comparable(value)
    other_is_string, right = _comparable(other)
    if value_is_string != other_is_string:
        return True
    try:
        return not (left < right if strict else left <= right)  # type: ignore[operator]
    except TypeError:
        return True


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


def _plain_date(term: Term) -> bool:
    """An xsd:date written YYYY-MM-DD that rdflib reads as a date."""
    return (
        isinstance(term, ox.Literal)
        and term.datatype.value == _XSD_DATE
        and _YYYY_MM_DD.fullmatch(term.value) is not None
        and _well_typed(term.value, _XSD_DATE)
    )


# --- logical (4.6) ----------------------------------------------------------------------


@each_value(SH["and"], SH["or"], SH.xone, SH["not"])
def _logical(c: Constraint) -> Test:
    """How many operand shapes each value passes."""
    operands = [c.rule] if c.param == SH["not"] else c.listed()
    failing = [c.failing(operand) for operand in operands]
    wanted = {SH["or"]: range(1, len(operands) + 1), SH["and"]: [len(operands)], SH.xone: [1]}

    def fails(v: Term) -> bool:
        return sum(v not in failed for failed in failing) not in wanted.get(c.param, [0])

    return fails


# --- shape-based (4.7) ------------------------------------------------------------------


@component(SH.property)
def _property(c: Constraint) -> list[CoreResult]:
    """A property shape of a property shape judges its values: their results
    are the results of each focus node that has the value."""
    nested = c.nested(c.rule)
    if c.focus.path is None:
        return nested
    owners: dict[Term, list[Term]] = defaultdict(list)
    for focus, values in c.pairs:
        for value in values:
            owners[value].append(focus)
    return [r._replace(top=focus) for r in nested for focus in owners[r.top]]


@component(SH.node)
def _node(c: Constraint) -> list[CoreResult]:
    """pySHACL reports a value that fails the sh:node shape, and under it
    (sh:detail) every result of that shape for the value, once per focus."""
    by_value: dict[Term, list[CoreResult]] = defaultdict(list)
    for nested in c.nested(c.rule):
        by_value[nested.top].append(nested)
    out: list[CoreResult] = []
    for f, vs in c.pairs:
        for v in vs:
            if v in by_value:
                out.append(c.found(f, v))
                out.extend(
                    CoreResult(r.shape, r.component, r.param, r.focus, r.value, f, True)
                    for r in by_value[v]
                )
    return out


@component(SH.qualifiedValueShape)
def _qualified(c: Constraint) -> list[CoreResult]:
    failed = c.failing(c.rule)
    low = c.core.shapes.value(c.shape, SH.qualifiedMinCount)
    high = c.core.shapes.value(c.shape, SH.qualifiedMaxCount)
    out: list[CoreResult] = []
    for f, vs in c.pairs:
        conforming = sum(v not in failed for v in vs)
        if high is not None and conforming > number(high):
            out.append(c.found(f, None, name="QualifiedMaxCountConstraintComponent"))
        if low is not None and conforming < number(low):
            out.append(c.found(f, None, name="QualifiedMinCountConstraintComponent"))
    return out


# --- other (4.8) ------------------------------------------------------------------------


@component(SH.closed)
def _closed(c: Constraint) -> list[CoreResult]:
    if c.rule != _TRUE:
        return []
    shapes = c.core.shapes
    allowed = {shapes.value(p, SH.path) for p in shapes.objects(c.shape, SH.property)}
    allowed |= {
        item
        for ignored in shapes.objects(c.shape, SH.ignoredProperties)
        for item in RdfList(shapes, ignored)
    }
    iris = {to_oxigraph(p) for p in allowed if isinstance(p, URIRef)}
    return [
        c.found(f, q.object, to_rdflib(q.predicate))
        for f, vs in c.pairs
        for v in vs
        if not isinstance(v, ox.Literal)
        for q in c.core.store.quads_for_pattern(v, None, None)
        if q.predicate not in iris and not isinstance(q.object, ox.Triple)
    ]


@each_value(SH["in"])
def _in_list(c: Constraint) -> Test:
    allowed = {to_oxigraph(item) for item in c.listed()}
    return lambda v: v not in allowed


@component(SH.hasValue)
def _has_value(c: Constraint) -> list[CoreResult]:
    wanted = to_oxigraph(c.rule)
    return [c.found(f, None) for f, vs in c.pairs if wanted not in vs]
