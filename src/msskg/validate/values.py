"""The tests a constraint component makes of one value (SHACL 4.1-4.5), as
pySHACL reads values (rdflib's lexical forms and comparisons), on pyoxigraph
terms. Used by msskg.validate.core."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from msskg.graph.dataset import to_rdflib

Term = ox.NamedNode | ox.BlankNode | ox.Literal

__all__ = [
    "Unsupported",
    "duplicate_languages",
    "has_datatype",
    "in_languages",
    "in_range",
    "matches",
    "not_less",
    "not_less_or_equal",
    "of_kind",
    "same",
    "too_long",
    "too_short",
]


class Unsupported(Exception):
    """The shapes use a feature the fast engine does not evaluate."""


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RDFS_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"


@cache
def _well_typed(lexical: str, datatype: str) -> bool:
    return not Literal(lexical, datatype=URIRef(datatype)).ill_typed


def has_datatype(value: Term, rule: Node) -> bool:
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


def not_less_or_equal(value: Term, other: Term, strict: bool = False) -> bool:
    """pySHACL's sh:lessThanOrEquals test (``strict``: sh:lessThan): strings
    (and IRIs) compare only with strings, everything else as rdflib compares
    literals."""
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


def not_less(value: Term, other: Term) -> bool:
    return not_less_or_equal(value, other, strict=True)


def _plain_date(term: Term) -> bool:
    """An xsd:date written YYYY-MM-DD that rdflib reads as a date."""
    return (
        isinstance(term, ox.Literal)
        and term.datatype.value == _XSD_DATE
        and _YYYY_MM_DD.fullmatch(term.value) is not None
        and _well_typed(term.value, _XSD_DATE)
    )


def same(value: Term, other: Term) -> bool:
    return value == other


def too_short(value: Term, least: int) -> bool:
    if least == 0:
        return False
    if isinstance(value, ox.BlankNode):
        return True
    return len(value.value) < least


_RANGES = {
    "minInclusive": lambda value, bound: bound <= value,
    "minExclusive": lambda value, bound: bound < value,
    "maxInclusive": lambda value, bound: value <= bound,
    "maxExclusive": lambda value, bound: value < bound,
}


def in_range(value: Term, rule: Node, name: str) -> bool:
    """sh:minInclusive and the like: a literal that compares with the bound and
    lies on its side; a value that does not compare (another type, or a
    date-time with a time zone against one without) is outside (SHACL 4.3)."""
    if not isinstance(value, ox.Literal) or not isinstance(rule, Literal):
        return False
    converted = to_rdflib(value)
    assert isinstance(converted, Literal)
    if converted.ill_typed or isinstance(rule.value, str) != isinstance(converted.value, str):
        return False
    if _zoned(rule.value) != _zoned(converted.value):
        return False
    try:
        return bool(_RANGES[name](converted, rule))
    except TypeError:
        return False


def _zoned(value: object) -> bool | None:
    """Whether a date-time has a time zone; None for any other value."""
    return getattr(value, "tzinfo", None) is not None if hasattr(value, "tzinfo") else None


def too_long(value: Term, most: int) -> bool:
    return isinstance(value, ox.BlankNode) or len(value.value) > most


def matches(value: Term, pattern: str, flags: str) -> bool:
    """sh:pattern: XPath's fn:matches on the value's text; a blank node never matches."""
    if isinstance(value, ox.BlankNode):
        return False
    return re.search(_compiled(pattern, flags), value.value) is not None


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


_KINDS = {
    "IRI": (ox.NamedNode,),
    "BlankNode": (ox.BlankNode,),
    "Literal": (ox.Literal,),
    "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


def of_kind(value: Term, kind: Node) -> bool:
    name = str(kind).rsplit("#", 1)[-1]
    if name not in _KINDS:
        raise Unsupported(f"sh:nodeKind {kind}")
    return isinstance(value, _KINDS[name])


def in_languages(value: Term, wanted: set[str]) -> bool:
    if not isinstance(value, ox.Literal) or not value.language:
        return False
    lang = value.language.lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def duplicate_languages(values: Collection[Term]) -> int:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for value in values:
        if isinstance(value, ox.Literal) and value.language:
            lang = value.language.lower()
            (duplicates if lang in seen else seen).add(lang)
    return len(duplicates)
