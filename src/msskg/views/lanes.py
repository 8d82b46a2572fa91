"""A thing's history gathered into lanes: its names, its superior bodies, its
subordinate bodies and the terms of its posts, with the conflicts between
bars found. The timeline draws it; describe and the web page read it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from msskg.graph.store import KnowledgeGraph
from msskg.views.periods import (
    Period,
    certain_span,
    claims_for,
    disagreements,
    label,
    labels_of,
    periods_of,
    resolve_thing,
)

__all__ = ["DASH", "Bar", "Lane", "Timeline", "build_timeline"]


DASH = "\u2013"  # the en dash the sources write between dates


_LANE_TITLES = {"names": "Names", "superiors": "Superior bodies", "children": "Subordinate bodies"}


_LANE_ORDER = {"names": 0, "superiors": 1}


# Lanes where two bars certainly in force at once contradict each other.
_EXCLUSIVE = {"name", "superior", "term"}


@dataclass(frozen=True)
class Bar:
    period: Period
    conflicts: tuple[str, ...] = ()

    @property
    def dates(self) -> str:
        """The dates as the sources write them: "May 1951 to October 1952"."""
        period = self.period
        if not period.dated:
            if not period.undated and period.end is not None:
                return f"until {period.end.written} (start not stated)"
            return "undated, said to be current" if period.end_kind == "ongoing" else "undated"
        start = period.start.written if period.start else "?"
        if period.end_kind == "ongoing":
            return f"{start} {DASH} present"
        if period.end is None:
            return f"from {start} (end not stated)"
        return f"{start} {DASH} {period.end.written}"

    @property
    def text(self) -> str:
        korean = f" ({self.period.label_ko})" if self.period.label_ko else ""
        return self.period.label + korean


@dataclass(frozen=True)
class Lane:
    key: str
    title: str
    bars: tuple[Bar, ...]
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timeline:
    thing: str
    title: str
    today: dt.date
    lanes: tuple[Lane, ...]
    undated: tuple[tuple[str, Bar], ...] = field(default=())

    @property
    def first_day(self) -> dt.date:
        starts = [b.period.start.earliest for ln in self.lanes for b in ln.bars if b.period.start]
        first = min(starts, default=self.today)
        return dt.date(first.year - first.year % 10, 1, 1)


def build_timeline(
    graph: KnowledgeGraph, thing: str | None = None, *, today: dt.date | None = None
) -> Timeline:
    """Gather the lanes of ``thing``'s timeline, with its conflicts found."""
    node = resolve_thing(graph, thing)
    labels = labels_of(graph)
    periods = periods_of(graph, node, labels)
    disputed = disagreements(graph, (p.fact for p in periods))
    now = today or dt.date.today()
    lanes: list[Lane] = []
    undated: list[tuple[str, Bar]] = []
    for key, group in itertools.groupby(sorted(periods, key=_lane_key), key=lambda p: p.lane):
        members = list(group)
        title = _LANE_TITLES.get(key) or label(labels, key)
        notes = {
            p.fact: [f"disagrees with {label(labels, o)}" for o in disputed.get(p.fact, [])]
            for p in members
        }
        dated = [p for p in members if p.dated]
        for a, b in itertools.combinations(dated, 2):
            # two passages saying the same thing at once (one name, one superior) agree
            differ = (a.label, a.other) != (b.label, b.other)
            if a.kind in _EXCLUSIVE and differ and _overlap(a, b, now):
                notes[a.fact].append(f"overlaps {Bar(b).text} ({Bar(b).dates})")
                notes[b.fact].append(f"overlaps {Bar(a).text} ({Bar(a).dates})")
        bars = [Bar(p, tuple(notes[p.fact])) for p in members]
        undated += [(title, bar) for bar in bars if not bar.period.dated]
        claims = _claims(graph, key, dated, labels) if members[0].kind == "term" else ()
        if any(bar.period.dated for bar in bars) or claims:
            lanes.append(Lane(key, title, tuple(b for b in bars if b.period.dated), claims))
    return Timeline(node.value, label(labels, node.value), now, tuple(lanes), tuple(undated))


def _lane_key(period: Period) -> tuple[int, str]:
    return (_LANE_ORDER.get(period.lane, 2 if period.kind == "term" else 3), period.lane)


def _overlap(a: Period, b: Period, today: dt.date) -> bool:
    first, second = certain_span(a, today), certain_span(b, today)
    if first is None or second is None:
        return False
    return first[0] < second[1] and second[0] < first[1]


def _claims(
    graph: KnowledgeGraph, post: str, dated: list[Period], labels: dict[str, dict[str, str]]
) -> tuple[str, ...]:
    """Notes for the claims that someone is the current holder, each saying
    whether it disagrees with the ongoing term or with another claim."""
    found = claims_for(graph, [post])
    ongoing = {p.other for p in dated if p.end_kind == "ongoing" and p.other is not None}
    holders = {c.holder for c in found}
    notes = []
    for claim in found:
        text = f"{label(labels, claim.claim)}: current holder {label(labels, claim.holder)}"
        rivals = sorted((ongoing | holders) - {claim.holder})
        if rivals:
            names = ", ".join(label(labels, r) for r in rivals)
            text += f"; conflicts with {names}"
        notes.append(text)
    return tuple(notes)
