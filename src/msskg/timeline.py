"""The history of one thing as a Gantt-style timeline: lanes for its names, its
superior bodies, its subordinate bodies and the terms of its posts; drawn as
SVG (pure Python, no dependency) or as text for a terminal."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from msskg.errors import UnknownFormatError
from msskg.periods import (
    Period,
    claims_for,
    disagreements,
    label,
    labels_of,
    periods_of,
    resolve_thing,
)
from msskg.results import display_width
from msskg.store import KnowledgeGraph, open_store

__all__ = [
    "DASH",
    "FONT_FAMILY",
    "Bar",
    "Lane",
    "Timeline",
    "build_timeline",
    "render_svg",
    "timeline",
]

# Noto Sans CJK KR carries Hangul (Debian: fonts-noto-cjk); the rest are the
# usual Korean system fonts elsewhere, then any sans-serif.
FONT_FAMILY = (
    "'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', "
    "'NanumGothic', sans-serif"
)
DASH = "\u2013"  # the en dash the sources write between dates
_LANE_TITLES = {"names": "Names", "superiors": "Superior bodies", "children": "Subordinate bodies"}
_LANE_ORDER = {"names": 0, "superiors": 1}
# Lanes where two bars certainly in force at once contradict each other.
_EXCLUSIVE = {"name", "superior", "term"}
_COLOURS = {"name": "#3b6fb6", "superior": "#7a4fb0", "child": "#2f8f6f", "term": "#c07a1a"}


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


def timeline(
    thing: str | None = None,
    *,
    fmt: str = "svg",
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    today: dt.date | None = None,
    output: Path | None = None,
) -> str:
    """The timeline of ``thing`` (IRI, prefixed name or label; the Ministry of
    Social Security by default) as ``svg`` or ``text``, written atomically to
    ``output`` when given."""
    if fmt not in ("svg", "text"):
        raise UnknownFormatError(f'unknown timeline format "{fmt}"; use svg or text')
    from msskg.timeline_text import render_text  # it builds on this module

    built = build_timeline(open_store(data=data, store=store), thing, today=today)
    text = render_svg(built) if fmt == "svg" else render_text(built)
    if output is not None:
        from msskg.export import write_atomically

        write_atomically(output, text)
    return text


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


def _certain(period: Period, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days the period is certainly in force, [first, last)."""
    if period.start is None:
        return None
    if period.end_kind == "ongoing":
        return period.start.latest, today
    if period.end is None:
        return None
    return period.start.latest, period.end.earliest


def _overlap(a: Period, b: Period, today: dt.date) -> bool:
    first, second = _certain(a, today), _certain(b, today)
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


# ---------------------------------------------------------------- SVG

_LEFT, _PLOT, _RIGHT, _ROW, _TOP = 12, 500, 1180, 22, 64


def render_svg(tl: Timeline, *, link: Callable[[str], str] | None = None) -> str:
    """An SVG document; ``link`` turns a fact's IRI into the address its bar
    links to (the IRI itself when None)."""
    first, last = tl.first_day, tl.today

    def x(day: dt.date) -> float:
        span = max((last - first).days, 1)
        return round(_PLOT + (day - first).days / span * (_RIGHT - _PLOT), 1)

    body: list[str] = []
    y = _TOP
    for lane in tl.lanes:
        body.append(_text(_LEFT, y + 15, lane.title, weight="bold", size=14))
        y += _ROW
        for bar in lane.bars:
            body.append(_bar_svg(bar, y, x, tl.today, link or (lambda iri: iri)))
            y += _ROW
            for note in bar.conflicts:
                body.append(_text(_PLOT, y + 13, f"⚠ {note}", fill="#b00020", size=11))
                y += _ROW - 6
        for note in lane.claims:
            colour = "#b00020" if "conflicts" in note else "#333"
            body.append(_text(_PLOT, y + 13, f"⚑ {note}", fill=colour, size=11))
            y += _ROW - 6
        y += 8
    axis = _axis(first, last, x, y)
    present = x(tl.today)
    body.append(
        f'<line x1="{present}" y1="{_TOP - 14}" x2="{present}" y2="{y}" stroke="#b00020" '
        'stroke-dasharray="4 3" class="present"/>'
    )
    body.append(
        _text(
            present - 4,
            _TOP - 18,
            f"present ({tl.today.isoformat()})",
            fill="#b00020",
            size=11,
            anchor="end",
        )
    )
    y = _legend(body, y + 24)
    if tl.undated:
        body.append(_text(_LEFT, y + 14, "Undated (left out of the dated view):", weight="bold"))
        y += _ROW
        for title, bar in tl.undated:
            body.append(_text(_LEFT + 12, y + 14, f"{title}: {bar.text} — {bar.dates}", size=12))
            y += _ROW - 4
    height = y + 16
    title = f"{tl.title}: timeline"
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_RIGHT + 20}" height="{height}" '
            f'viewBox="0 0 {_RIGHT + 20} {height}" font-family={quoteattr(FONT_FAMILY)} '
            'font-size="12" role="img">',
            f"<title>{escape(title)}</title>",
            "<defs>",
            *(_hatch(kind, colour) for kind, colour in _COLOURS.items()),
            '<linearGradient id="fade" x1="0" x2="1"><stop offset="0" stop-color="#888" '
            'stop-opacity="0.8"/><stop offset="1" stop-color="#888" stop-opacity="0"/>'
            "</linearGradient>",
            "</defs>",
            '<rect width="100%" height="100%" fill="white"/>',
            _text(_LEFT, 24, title, weight="bold", size=18),
            *axis,
            *body,
            "</svg>",
            "",
        ]
    )


def _hatch(kind: str, colour: str) -> str:
    return (
        f'<pattern id="hatch-{kind}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{colour}" '
        f'fill-opacity="0.15"/><line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" '
        'stroke-width="2.5"/></pattern>'
    )


def _bar_svg(
    bar: Bar, y: int, x: Callable[[dt.date], float], today: dt.date, link: Callable[[str], str]
) -> str:
    period = bar.period
    assert period.start is not None
    colour, hatch = _COLOURS[period.kind], f"url(#hatch-{period.kind})"
    top, height = y + 4, _ROW - 8
    parts = [
        _text(_LEFT + 12, y + 15, _clip(bar.text, 40)),
        _text(_LEFT + 300, y + 15, _clip(bar.dates, 32), fill="#555", size=11),
    ]
    start = period.start
    if not start.exact:
        parts.append(_rect(x(start.earliest), x(start.latest), top, height, hatch, "possible"))
    certain = _certain(period, today)
    if certain is not None and certain[1] > certain[0]:
        parts.append(_rect(x(certain[0]), x(certain[1]), top, height, colour, "certain"))
    if period.end is not None and period.end_kind != "ongoing" and not period.end.exact:
        parts.append(
            _rect(x(period.end.earliest), x(period.end.latest), top, height, hatch, "possible")
        )
    if period.end_kind == "ongoing":
        tip = x(today)
        parts.append(
            f'<path d="M{tip} {top - 2} l7 {height / 2 + 2} l-7 {height / 2 + 2}z" '
            f'fill="{colour}" class="ongoing"/>'
        )
    elif period.end is None:
        begin = x(start.latest)
        parts.append(
            f'<rect x="{begin}" y="{top}" width="36" height="{height}" '
            'fill="url(#fade)" class="open-end"/>'
        )
        parts.append(_text(begin + 40, y + 15, "?", fill="#555", weight="bold"))
    if bar.conflicts:
        left = x(start.earliest)
        right = x(period.end.latest) if period.end else x(today)
        parts.append(
            f'<rect x="{left - 2}" y="{top - 2}" width="{right - left + 4}" '
            f'height="{height + 4}" fill="none" stroke="#b00020" stroke-width="2" '
            'stroke-dasharray="3 2" class="conflict"/>'
        )
    tooltip = f"{bar.text}, {bar.dates}" + "".join(f"; {note}" for note in bar.conflicts)
    return (
        f"<a href={quoteattr(link(period.fact))}><g><title>{escape(tooltip)}</title>"
        + "".join(parts)
        + "</g></a>"
    )


def _rect(left: float, right: float, top: int, height: int, fill: str, kind: str) -> str:
    width = max(round(right - left, 1), 1.5)
    return (
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="{fill}" '
        f'class="{kind}"/>'
    )


def _axis(first: dt.date, last: dt.date, x: Callable[[dt.date], float], bottom: int) -> list[str]:
    step = 10 if last.year - first.year > 40 else 5
    parts = []
    for year in range(first.year, last.year + 1, step):
        at = x(dt.date(year, 1, 1))
        parts.append(f'<line x1="{at}" y1="{_TOP - 8}" x2="{at}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(_text(at, _TOP - 12, str(year), fill="#555", size=11, anchor="middle"))
    return parts


def _legend(body: list[str], y: int) -> int:
    items = [
        ("certain", _COLOURS["term"]),
        ("possible: the date is known only to the month, year or decade", "url(#hatch-term)"),
    ]
    left = _LEFT
    for text, fill in items:
        body.append(f'<rect x="{left}" y="{y}" width="24" height="12" fill="{fill}"/>')
        body.append(_text(left + 30, y + 11, text, size=11))
        left += 40 + 7 * len(text)
    body.append(
        _text(
            _LEFT,
            y + 30,
            "▶ ongoing (to the present)   ? end not stated   "
            "⚠ conflicting claims   ⚑ a claim about the current holder",
            size=11,
        )
    )
    return y + 44


def _text(
    x: float,
    y: float,
    text: str,
    *,
    fill: str = "#111",
    size: int = 12,
    weight: str = "normal",
    anchor: str = "start",
) -> str:
    return (
        f'<text x="{x}" y="{y}" fill="{fill}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
    )


def _clip(text: str, width: int) -> str:
    return text if display_width(text) <= width else _cut(text, width - 1) + "…"


def _cut(text: str, width: int) -> str:
    out = ""
    for char in text:
        if display_width(out + char) > width:
            break
        out += char
    return out
