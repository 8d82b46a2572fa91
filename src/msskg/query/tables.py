"""Tables for people: terminal widths of text, long text shortened with "…",
one date style, and the narrow form of a result (IRIs and the date bounds a
parameter binds are left to ``--wide``) fitted to a width."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from unicodedata import combining, east_asian_width

import pyoxigraph as ox

from msskg.dates import MONTHS
from msskg.vocab import XSD

__all__ = [
    "TABLE_WIDTH",
    "clip",
    "display_width",
    "empty_column",
    "fit",
    "narrow_columns",
    "one_date_style",
    "table_width",
]

# The width a table fits where no terminal says how wide it is (a pipe, a file).
TABLE_WIDTH = 120
# No column is cut narrower than this.
_MIN_COLUMN = 16
_XSD_DATE = XSD + "date"
_MONTH_FIRST = rf"({'|'.join(MONTHS)}) ([0-9]{{1,2}}), ([0-9]{{4}})"
_BOUND = r"\w+_(?:earliest|latest)"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width
    characters (Hangul, Hanja) take two, combining marks none."""
    return sum(0 if combining(c) else 2 if east_asian_width(c) in ("W", "F") else 1 for c in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in "…" when cut."""
    return text if display_width(text) <= width else _cut(text, width - 1) + "…"


def _cut(text: str, width: int) -> str:
    out = ""
    for char in text:
        if display_width(out + char) > width:
            break
        out += char
    return out


def one_date_style(text: str) -> str:
    """A cell that is a date written month first ("November 19, 1945") as the
    tables write every date: "19 November 1945". Anything else is unchanged
    (quotes are verbatim and keep their own style)."""
    found = re.fullmatch(_MONTH_FIRST, text)
    return f"{found.group(2)} {found.group(1)} {found.group(3)}" if found else text


def narrow_columns(variables: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """The columns a person reads: not those that hold only IRIs, nor the
    date bounds a date parameter binds (``date_earliest``, ``date_latest``),
    nor those empty in every row. All columns when that would leave none."""
    keep = [
        i
        for i, name in enumerate(variables)
        if not _only_iris(rows, i)
        and not (re.fullmatch(_BOUND, name) and _only_dates(rows, i))
        and not empty_column(rows, i)
    ]
    return keep or list(range(len(variables)))


def empty_column(rows: Sequence[Sequence[object]], i: int) -> bool:
    """Whether there are rows and column ``i`` has no value (or empty text) in any."""
    return bool(rows) and all(_empty(row[i]) for row in rows)


def _empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, ox.Literal) and not cell.value)


def _only_iris(rows: Sequence[Sequence[object]], i: int) -> bool:
    cells = [row[i] for row in rows if row[i] is not None]
    return bool(cells) and all(isinstance(c, ox.NamedNode) for c in cells)


def _only_dates(rows: Sequence[Sequence[object]], i: int) -> bool:
    cells = [row[i] for row in rows if row[i] is not None]
    return all(isinstance(c, ox.Literal) and c.datatype.value == _XSD_DATE for c in cells)


def table_width() -> int:
    """The columns a table may take: ``$COLUMNS`` when set, else the
    terminal's width when standard output is one, else :data:`TABLE_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isascii() and columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            import shutil  # only for a table on a terminal

            return shutil.get_terminal_size((TABLE_WIDTH, 24)).columns
    except (AttributeError, ValueError, OSError):  # a closed or replaced stdout
        pass
    return TABLE_WIDTH


def fit(header: list[str], rows: list[list[str]], width: int | None = None) -> list[list[str]]:
    """``rows`` with the longest cells shortened ("…") so that the table, two
    spaces between columns, fits ``width`` columns (default: :func:`table_width`)
    where it can."""
    width = table_width() if width is None else width
    if not header:
        return rows
    widths = [
        max([display_width(header[i]), *(display_width(r[i]) for r in rows)])
        for i in range(len(header))
    ]
    room = width - 2 * (len(header) - 1)
    cap = max(widths)
    while cap > _MIN_COLUMN and sum(min(w, cap) for w in widths) > room:
        cap -= 1
    return [[clip(cell, cap) for cell in row] for row in rows]
