"""The dated facts about one thing (its names, superiors, subordinate bodies and
terms of office) with the bounds of their dates, read from a pyoxigraph store;
what the timeline, the organisation chart and the describe page are drawn from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.graph.store import KnowledgeGraph
from msskg.query.catalogue import resolve_resource
from msskg.query.engines import OxigraphBackend
from msskg.query.text import declare_prefixes
from msskg.vocab import MSR, MSS

__all__ = [
    "MINISTRY",
    "MSS",
    "Bound",
    "Claim",
    "EndKind",
    "Period",
    "PeriodKind",
    "claims_for",
    "disagreements",
    "labels_of",
    "periods_of",
    "resolve_thing",
    "select",
]

MINISTRY = MSR + "ministry-of-social-security"

PeriodKind = Literal["name", "superior", "child", "term"]
EndKind = Literal["stated", "ongoing", "not-stated"]
_END_KINDS: Mapping[str, EndKind] = {
    MSS + "EndStated": "stated",
    MSS + "Ongoing": "ongoing",
    MSS + "EndNotStated": "not-stated",
}

# The saved queries each answer one question at one date; a picture of the
# whole history needs every dated fact about the thing with both ends' bounds
# and the kind of end, so this one query gathers them.
_PERIODS = """\
SELECT ?thing ?fact ?kind ?lane ?other ?nameEn ?nameKo
       ?bE ?bL ?bText ?eE ?eL ?eText ?endKind ?undated ?tE ?tL ?tText ?fromE ?byL WHERE {
  {
    ?fact a mss:NamePeriod ; mss:ofAgency ?thing ; mss:during ?i .
    BIND("name" AS ?kind)
    OPTIONAL { ?fact mss:name ?nameEn FILTER(langMatches(lang(?nameEn), "en")) }
    OPTIONAL { ?fact mss:name ?nameKo FILTER(langMatches(lang(?nameKo), "ko")) }
  } UNION {
    ?fact a mss:Subordination ; mss:subordinate ?thing ; mss:superior ?other ; mss:during ?i .
    BIND("superior" AS ?kind)
  } UNION {
    ?fact a mss:Subordination ; mss:superior ?thing ; mss:subordinate ?other ; mss:during ?i .
    BIND("child" AS ?kind)
  } UNION {
    ?fact a mss:Term ; mss:post ?lane ; org:member ?other ; org:memberDuring ?i .
    ?lane org:postIn? ?thing .
    BIND("term" AS ?kind)
  } UNION {
    ?fact a mss:Term ; org:member ?thing ; mss:post ?lane ; org:memberDuring ?i .
    BIND(?lane AS ?other)
    BIND("term" AS ?kind)
  }
  OPTIONAL { ?i time:hasBeginning ?b . ?b mss:earliest ?bE ; mss:latest ?bL .
             OPTIONAL { ?b mss:asWritten ?bText } }
  OPTIONAL { ?i time:hasEnd ?e . ?e mss:earliest ?eE ; mss:latest ?eL .
             OPTIONAL { ?e mss:asWritten ?eText } }
  OPTIONAL { ?i mss:endKind ?endKind }
  OPTIONAL { ?i mss:undated ?undated }
  OPTIONAL { ?i mss:certainThrough ?t . ?t mss:earliest ?tE ; mss:latest ?tL .
             OPTIONAL { ?t mss:asWritten ?tText } }
  OPTIONAL { ?i mss:beginsNoEarlierThan/mss:earliest ?fromE }
  OPTIONAL { ?i mss:endsNoLaterThan/mss:latest ?byL }
}
"""

_LABELS = "SELECT ?thing ?label WHERE { ?thing rdfs:label|skos:prefLabel ?label }"
_DISAGREEMENTS = """\
SELECT DISTINCT ?fact ?other WHERE {
  { ?fact mss:disagreesWith ?other } UNION { ?other mss:disagreesWith ?fact }
}
"""
_CLAIMS = """\
SELECT ?post ?claim ?holder WHERE {
  ?claim a mss:IncumbencyClaim ; mss:post ?post ; mss:claimedHolder ?holder .
}
"""


@dataclass(frozen=True)
class Bound:
    """One end of a period: the first and last day it can mean, as written."""

    earliest: dt.date
    latest: dt.date
    written: str

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest


@dataclass(frozen=True)
class Period:
    """A dated fact: ``kind`` says which lane it belongs to, ``other`` is the
    superior, subordinate body, holder (or, on a person's timeline, the post)."""

    fact: str
    kind: PeriodKind
    lane: str
    label: str
    label_ko: str | None
    other: str | None
    start: Bound | None
    end: Bound | None
    end_kind: EndKind
    undated: bool

    through: Bound | None = None
    """For "- present" (and a present-tense fact with no date): the text's as-of
    date, up to which the fact is certain (mss:certainThrough)."""
    begins_from: dt.date | None = None
    """A start not stated: the earliest day it can be (mss:beginsNoEarlierThan)."""
    ends_by: dt.date | None = None
    """An end not stated: the latest day it can be (mss:endsNoLaterThan)."""

    @property
    def dated(self) -> bool:
        return not self.undated and self.start is not None

    @property
    def considered(self) -> bool:
        """Asked about on a date: dated, or present-tense with its text's as-of date."""
        return self.dated or (self.through is not None and self.start is None)

    @property
    def first_possible(self) -> dt.date | None:
        """The earliest day the fact may hold (None: no bound)."""
        if self.start is not None:
            return self.start.earliest
        if self.begins_from is not None:
            return self.begins_from
        return self.through.earliest if self.through is not None else None

    @property
    def last_possible(self) -> dt.date | None:
        """The latest day the fact may hold (None: no bound, "- present")."""
        if self.end is not None:
            return self.end.latest
        return self.ends_by

    def certainly_at(self, day: dt.date) -> bool:
        """Certainly in force on ``day``: start.latest <= day < end.earliest, or up
        to the as-of date for "- present"; on its start day only, for an end not stated."""
        start = self.start if self.start is not None else self.through
        if not self.considered or start is None or start.latest > day:
            return False
        if self.end is not None and day < self.end.earliest:
            return True
        if self.through is not None and day <= self.through.earliest:
            return True
        return day <= start.earliest


@dataclass(frozen=True)
class Claim:
    """An undated statement that someone holds a post now."""

    claim: str
    post: str
    holder: str


def select(
    graph: KnowledgeGraph, text: str, bindings: Mapping[str, ox.NamedNode] | None = None
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Rows of a SELECT as dicts of the bound variables; ``text`` may use
    msskg's prefixes (:data:`~msskg.graph.prefixes.DEFAULT_PREFIXES`) undeclared."""
    answer = graph.store.query(
        declare_prefixes(text, DEFAULT_PREFIXES),
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in (bindings or {}).items()},
    )
    assert isinstance(answer, ox.QuerySolutions)
    names, plain = [v.value for v in answer.variables], ox.NamedNode | ox.BlankNode | ox.Literal
    return [{n: t for n, t in zip(names, r, strict=True) if isinstance(t, plain)} for r in answer]


def resolve_thing(graph: KnowledgeGraph, text: str | None) -> ox.NamedNode:
    """The resource ``text`` names (IRI, prefixed name or label), the Ministry
    of Social Security when None."""
    if text is None:
        return ox.NamedNode(MINISTRY)
    return resolve_resource(text, parameter="thing", lookup=OxigraphBackend(graph))


def labels_of(graph: KnowledgeGraph) -> dict[str, dict[str, str]]:
    """Every resource's label by language tag ("" for none), the first found."""
    found: dict[str, dict[str, str]] = {}
    for row in select(graph, _LABELS):
        thing, label = row["thing"], row["label"]
        if isinstance(thing, ox.NamedNode) and isinstance(label, ox.Literal):
            found.setdefault(thing.value, {}).setdefault(label.language or "", label.value)
    return found


def label(labels: Mapping[str, Mapping[str, str]], iri: str, lang: str = "en") -> str:
    """The label in ``lang``, else any label, else the IRI's last segment."""
    mine = labels.get(iri, {})
    return mine.get(lang) or mine.get("") or next(iter(mine.values()), None) or _tail(iri)


def _tail(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def periods_of(
    graph: KnowledgeGraph,
    thing: ox.NamedNode,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Period]:
    """Every dated (and undated) fact about ``thing``, ordered by start."""
    labels = labels if labels is not None else labels_of(graph)
    periods: dict[str, Period] = {}
    for row in select(graph, _PERIODS, {"thing": thing}):
        fact = row["fact"].value
        if fact in periods:
            continue
        kind: PeriodKind = row["kind"].value  # type: ignore[assignment]
        other = row["other"].value if "other" in row else None
        lane = {"name": "names", "superior": "superiors", "child": "children"}.get(kind)
        lane = lane or row["lane"].value
        if kind == "name":
            text = _value(row, "nameEn") or _value(row, "nameKo") or _tail(fact)
            korean = _value(row, "nameKo")
        else:
            text = label(labels, other or fact)
            korean = labels.get(other or fact, {}).get("ko")
        periods[fact] = Period(
            fact=fact,
            kind=kind,
            lane=lane,
            label=text,
            label_ko=korean if korean != text else None,
            other=other,
            start=_bound(row, "b"),
            end=_bound(row, "e"),
            end_kind=_END_KINDS.get(_value(row, "endKind") or "", "not-stated"),
            undated=_value(row, "undated") in ("true", "1"),
            through=_bound(row, "t"),
            begins_from=_day(_value(row, "fromE")),
            ends_by=_day(_value(row, "byL")),
        )
    return sorted(periods.values(), key=_order)


def _order(period: Period) -> tuple[bool, dt.date, str]:
    start = period.start.earliest if period.start else dt.date.max
    return (not period.dated, start, period.fact)


def _value(row: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal], key: str) -> str | None:
    term = row.get(key)
    return term.value if term is not None else None


def _bound(row: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal], end: str) -> Bound | None:
    first, last = _day(_value(row, end + "E")), _day(_value(row, end + "L"))
    if first is None or last is None:
        return None
    return Bound(first, last, _value(row, end + "Text") or _span(first, last))


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text is not None else None
    except ValueError:
        return None


def _span(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def disagreements(graph: KnowledgeGraph, facts: Iterable[str]) -> dict[str, list[str]]:
    """For each of ``facts``, the facts a source says it disagrees with."""
    wanted = set(facts)
    found: dict[str, list[str]] = {}
    for row in select(graph, _DISAGREEMENTS):
        fact, other = row["fact"].value, row["other"].value
        if fact in wanted and other not in found.get(fact, []):
            found.setdefault(fact, []).append(other)
    return found


def claims_for(graph: KnowledgeGraph, posts: Iterable[str]) -> list[Claim]:
    """The incumbency claims ("the current minister is ...") about ``posts``."""
    wanted = set(posts)
    claims = [
        Claim(row["claim"].value, row["post"].value, row["holder"].value)
        for row in select(graph, _CLAIMS)
    ]
    return sorted((c for c in claims if c.post in wanted), key=lambda c: c.claim)


def certain_span(period: Period, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days the period is certainly in force, [first, last): for "- present",
    up to its text's as-of date (never past ``today``)."""
    if period.start is None:
        return None
    if period.end_kind == "ongoing":
        if period.through is None:
            return None
        last = min(period.through.earliest + dt.timedelta(days=1), today)
        return (period.start.latest, last) if period.start.latest < last else None
    if period.end is None:
        return None
    return period.start.latest, period.end.earliest
