"""Dates of mixed precision: a day, a month, a year or a decade, and the earliest
and latest day each can mean. Only the bounds are ever compared."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum

from msskg.errors import BadDateError
from msskg.records import NamedTuple
from msskg.vocab import XSD

__all__ = [
    "FAR_FUTURE",
    "FAR_PAST",
    "MONTHS",
    "DateSpan",
    "FuzzyDate",
    "Precision",
    "parse_date",
    "parse_span",
]


class Precision(Enum):
    """How much of a date the text gives. Values are Wikidata's precision codes."""

    DECADE = 8
    YEAR = 9
    MONTH = 10
    DAY = 11


_PATTERNS = {
    Precision.DAY: re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"),
    Precision.MONTH: re.compile(r"([0-9]{4})-([0-9]{2})"),
    Precision.YEAR: re.compile(r"([0-9]{4})"),
}

# The bounds of an open range ("..1960", "2016.."): before and after any written date.
FAR_PAST = dt.date(1, 1, 1)
FAR_FUTURE = dt.date(9999, 12, 31)
_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-08-15)"
_YEAR_TO_YEAR = r"([0-9]{4})\s*[-\u2013/]\s*([0-9]{4})"
_SPAN_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, today, or a range START..END (e.g. 2020..2022, 2016..)"


class FuzzyDate(NamedTuple):
    """A date as written, with the first and last day it can mean."""

    text: str
    precision: Precision
    earliest: dt.date
    latest: dt.date

    @property
    def datatype(self) -> str:
        """The XSD datatype IRI that keeps the written precision."""
        return XSD + {Precision.DAY: "date", Precision.MONTH: "gYearMonth"}.get(
            self.precision, "gYear"
        )


MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
)


def _days_in_month(year: int, month: int) -> int:
    # not calendar.monthrange: importing calendar is a few ms of every cold query
    if month == 12:  # not via next January: year 9999 has none
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def parse_date(text: str) -> FuzzyDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into a :class:`FuzzyDate`.

    Raises :class:`BadDateError` for anything else, including impossible days
    such as 2021-02-30.
    """
    value = text.strip()
    for precision, pattern in _PATTERNS.items():
        match = pattern.fullmatch(value)
        if match is None:
            continue
        year = int(match.group(1))
        if year < 1:
            break
        if precision is Precision.YEAR:
            return FuzzyDate(value, precision, dt.date(year, 1, 1), dt.date(year, 12, 31))
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise BadDateError(f'impossible date "{text}": there is no month {month:02d}')
        last = _days_in_month(year, month)
        if precision is Precision.MONTH:
            return FuzzyDate(value, precision, dt.date(year, month, 1), dt.date(year, month, last))
        day = int(match.group(3))
        if not 1 <= day <= last:
            raise BadDateError(
                f'impossible date "{text}": {MONTHS[month - 1]} {year} has {last} days'
            )
        exact = dt.date(year, month, day)
        return FuzzyDate(value, precision, exact, exact)
    raise _bad_date(text, _FORMS)


class DateSpan(NamedTuple):
    """A date or a range of dates as a person writes them: ``2021-08-15``,
    ``today``, ``2020..2022``, ``2021-07..2021-09``, ``..1960`` or ``2016..``.
    ``start`` and ``end`` are the same date for a single one, and None for an
    open end."""

    text: str
    start: FuzzyDate | None
    end: FuzzyDate | None

    @property
    def single(self) -> FuzzyDate | None:
        """The one date given, unless this is a range."""
        return self.start if self.start is not None and self.start is self.end else None

    @property
    def earliest(self) -> dt.date:
        """The first day the span can mean: the start's earliest (far past when open)."""
        return self.start.earliest if self.start is not None else FAR_PAST

    @property
    def latest(self) -> dt.date:
        """The last day the span can mean: the end's latest (far future when open)."""
        return self.end.latest if self.end is not None else FAR_FUTURE


def parse_span(text: str, *, today: dt.date | None = None) -> DateSpan:
    """Parse a date (:func:`parse_date`), ``today``, or a range ``START..END``
    of two dates, either of them left out for an open range.

    ``today`` is the given day (by default the computer's date).
    Raises :class:`BadDateError` for anything else, or a range that ends
    before it starts.
    """
    value = text.strip()
    if ".." not in value:
        date = _one_date(value, today)
        return DateSpan(value, date, date)
    first, _, last = (part.strip() for part in value.partition(".."))
    if not first and not last:
        raise BadDateError(
            f'bad date range "{text}": give a start, an end or both (e.g. 2020..2022)'
        )
    start = _one_date(first, today) if first else None
    end = _one_date(last, today) if last else None
    if start is not None and end is not None and start.earliest > end.latest:
        raise BadDateError(f'empty date range "{text}": {start.text} is after {end.text}')
    return DateSpan(value, start, end)


def _one_date(value: str, today: dt.date | None) -> FuzzyDate:
    if value.casefold() == "today":
        day = today if today is not None else dt.date.today()
        return FuzzyDate(day.isoformat(), Precision.DAY, day, day)
    if not any(pattern.fullmatch(value) for pattern in _PATTERNS.values()):
        if years := re.fullmatch(_YEAR_TO_YEAR, value):
            first, last = years.groups()
            raise BadDateError(f'bad date "{value}": for a range write {first}..{last}')
        raise _bad_date(value, _SPAN_FORMS)
    return parse_date(value)


def _bad_date(text: str, forms: str) -> BadDateError:
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return BadDateError(f'bad date "{text}": write the digits 0-9, as {forms}')
    return BadDateError(f'bad date "{text}": write {forms}')


def decade(first_year: int) -> FuzzyDate:
    """The decade that starts with ``first_year`` ("the 1980s" → 1980)."""
    if first_year % 10:
        raise BadDateError(f"a decade starts in a year ending in 0, not {first_year}")
    first, last = dt.date(first_year, 1, 1), dt.date(first_year + 9, 12, 31)
    return FuzzyDate(f"{first_year}s", Precision.DECADE, first, last)
