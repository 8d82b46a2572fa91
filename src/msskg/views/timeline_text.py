"""The timeline for a terminal: one line per bar, █ certain, ░ possible,
▶ ongoing, ? end not stated, and the conflicts under the bar they concern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from msskg.errors import visible_lines
from msskg.query.formats import clip, display_width
from msskg.views.lanes import DASH, Timeline
from msskg.views.periods import Period, certain_span

__all__ = ["render_text"]


def render_text(tl: Timeline, *, width: int = 60) -> str:
    """The timeline for a terminal: █ certain, ░ possible, ▶ ongoing, ? end not stated."""
    first, last = tl.first_day, tl.today
    span = max((last - first).days, 1)

    def cell(day: dt.date) -> int:
        return min(width - 1, max(0, (day - first).days * width // span))

    labels = [b.text for lane in tl.lanes for b in lane.bars]
    column = min(max((display_width(t) for t in labels), default=10), 40)
    axis = [" "] * (width + 6)
    for year in range(first.year, last.year + 1, 20):
        for i, char in enumerate(str(year)):
            axis[cell(dt.date(year, 1, 1)) + i] = char
    lines = [
        f"{tl.title}: timeline, {first.year} {DASH} present ({tl.today.isoformat()})",
        "█ certain  ░ possible (month/year/decade precision)  ▶ ongoing  ? end not stated  "
        "! conflict",
        "",
        " " * (column + 4) + "".join(axis).rstrip(),
    ]
    for lane in tl.lanes:
        lines.append(lane.title)
        for bar in lane.bars:
            row = _text_bar(bar.period, cell, width, tl.today)
            name = clip(bar.text, column)
            pad = " " * (column - display_width(name))
            lines.append(f"  {name}{pad}  {row}  {bar.dates}".rstrip())
            lines += [f"  {' ' * column}  ! {note}" for note in bar.conflicts]
        lines += [f"  {' ' * column}  ⚑ {note}" for note in lane.claims]
    if tl.undated:
        lines += ["", "Undated (left out of the dated view):"]
        lines += [f"  {title}: {bar.text} — {bar.dates}" for title, bar in tl.undated]
    return visible_lines(lines)


def _text_bar(period: Period, cell: Callable[[dt.date], int], width: int, today: dt.date) -> str:
    assert period.start is not None
    cells = [" "] * width
    end_latest = period.end.latest if period.end else today
    for i in range(cell(period.start.earliest), cell(end_latest) + 1):
        cells[i] = "░"
    certain = certain_span(period, today)
    if certain is not None and certain[1] > certain[0]:
        for i in range(cell(certain[0]), cell(certain[1] - dt.timedelta(days=1)) + 1):
            cells[i] = "█"
    if period.end_kind == "ongoing":
        cells[cell(today)] = "▶"
    elif period.end is None:
        # possible up to the next change its text reports (or its as-of date), then unknown
        last = cell(min(period.ends_by or period.start.latest, today))
        for i in range(last + 1, width):
            cells[i] = " "
        cells[cell(period.start.latest)] = "█"
        cells[min(width - 1, last + 1)] = "?"
    return "".join(cells)
