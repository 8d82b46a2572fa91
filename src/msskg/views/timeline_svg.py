"""The timeline drawn as SVG, in pure Python: a row per bar, solid where the
fact certainly held, hatched where it only possibly did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from msskg.query.formats import clip
from msskg.views.lanes import Bar, Timeline
from msskg.views.periods import certain_span

__all__ = ["FONT_FAMILY", "render_svg", "svg_document"]


# Noto Sans CJK KR carries Hangul (Debian: fonts-noto-cjk); the rest are the
# usual Korean system fonts elsewhere, then any sans-serif.
FONT_FAMILY = (
    "'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', "
    "'NanumGothic', sans-serif"
)


_COLOURS = {"name": "#3b6fb6", "superior": "#7a4fb0", "child": "#2f8f6f", "term": "#c07a1a"}


# ---------------------------------------------------------------- SVG

_LEFT, _PLOT, _RIGHT, _ROW, _TOP = 12, 640, 1280, 22, 72
# Where a bar's dates start, and how many terminal columns its text and its
# dates may take before "…" (the longest in the bundled data: 57 and 34).
_DATES_AT, _TEXT_COLUMNS, _DATES_COLUMNS = _LEFT + 412, 60, 38
# No year is written on the axis this close (px) to the present line.
_PRESENT_ROOM = 40


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
    present = x(tl.today)
    axis = _axis(first, last, x, y, keep_clear=present)
    body.append(
        f'<line x1="{present}" y1="{_TOP - 14}" x2="{present}" y2="{y}" stroke="#b00020" '
        'stroke-dasharray="4 3" class="present"/>'
    )
    now = f"present ({tl.today.isoformat()})"
    body.append(_text(present - 4, _TOP - 30, now, fill="#b00020", size=11, anchor="end"))
    y = _legend(body, y + 24)
    if tl.undated:
        body.append(_text(_LEFT, y + 14, "Undated (left out of the dated view):", weight="bold"))
        y += _ROW
        for title, bar in tl.undated:
            body.append(_text(_LEFT + 12, y + 14, f"{title}: {bar.text} — {bar.dates}", size=12))
            y += _ROW - 4
    height = y + 16
    title = f"{tl.title}: timeline"
    defs = [
        "<defs>",
        *(_hatch(kind, colour) for kind, colour in _COLOURS.items()),
        '<linearGradient id="fade" x1="0" x2="1"><stop offset="0" stop-color="#888" '
        'stop-opacity="0.8"/><stop offset="1" stop-color="#888" stop-opacity="0"/>'
        "</linearGradient>",
        "</defs>",
    ]
    head = [_text(_LEFT, 24, title, weight="bold", size=18), *axis]
    return svg_document(_RIGHT + 20, height, 12, title, defs, head + body)


def svg_document(
    width: float, height: float, size: int, title: str, defs: list[str], body: list[str]
) -> str:
    """An SVG document that scales to its container (a page, a phone), never
    wider than drawn: its ``title``, ``defs``, a white ground, then ``body``."""
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px" font-family={quoteattr(FONT_FAMILY)} '
            f'font-size="{size}" role="img">',
            f"<title>{escape(title)}</title>",
            *defs,
            '<rect width="100%" height="100%" fill="white"/>',
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
        _text(_LEFT + 12, y + 15, clip(bar.text, _TEXT_COLUMNS)),
        _text(_DATES_AT, y + 15, clip(bar.dates, _DATES_COLUMNS), fill="#555", size=11),
    ]
    start = period.start
    if not start.exact:
        parts.append(_rect(x(start.earliest), x(start.latest), top, height, hatch, "possible"))
    certain = certain_span(period, today)
    if certain is not None and certain[1] > certain[0]:
        parts.append(_rect(x(certain[0]), x(certain[1]), top, height, colour, "certain"))
    if period.end is not None and period.end_kind != "ongoing" and not period.end.exact:
        parts.append(
            _rect(x(period.end.earliest), x(period.end.latest), top, height, hatch, "possible")
        )
    if period.end_kind == "ongoing" and certain is not None and certain[1] < today:
        # "- present" after its text's as-of date: only possible
        parts.append(_rect(x(certain[1]), x(today), top, height, hatch, "possible"))
    if period.end_kind == "ongoing":
        tip = x(today)
        parts.append(
            f'<path d="M{tip} {top - 2} l7 {height / 2 + 2} l-7 {height / 2 + 2}z" '
            f'fill="{colour}" class="ongoing"/>'
        )
    elif period.end is None:
        if period.ends_by is not None and period.ends_by > start.latest:
            # possible up to the next change its text reports (or its as-of date)
            last = min(period.ends_by, today)
            parts.append(_rect(x(start.latest), x(last), top, height, hatch, "possible"))
        begin = x(min(period.ends_by or start.latest, today))
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


def _axis(
    first: dt.date,
    last: dt.date,
    x: Callable[[dt.date], float],
    bottom: int,
    *,
    keep_clear: float,
) -> list[str]:
    step = 10 if last.year - first.year > 40 else 5
    parts = []
    for year in range(first.year, last.year + 1, step):
        at = x(dt.date(year, 1, 1))
        parts.append(f'<line x1="{at}" y1="{_TOP - 8}" x2="{at}" y2="{bottom}" stroke="#ddd"/>')
        if abs(keep_clear - at) >= _PRESENT_ROOM:
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
    marks = "▶ ongoing (to the present)   ? end not stated   ⚠ conflicting claims   "
    body.append(_text(_LEFT, y + 30, marks + "⚑ a claim about the current holder", size=11))
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
