"""Dates of mixed precision: a day, a month, a year or a decade, and the earliest
and latest day each can mean. Only the bounds are ever compared."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import NamedTuple

from msskg.errors import BadDateError

__all__ = ["FuzzyDate", "Precision", "parse_date"]


class Precision(Enum):
    """How much of a date the text gives. Values are Wikidata's precision codes."""

    DECADE = 8
    YEAR = 9
    MONTH = 10
    DAY = 11


_PATTERNS = {
    Precision.DAY: re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    Precision.MONTH: re.compile(r"(\d{4})-(\d{2})"),
    Precision.YEAR: re.compile(r"(\d{4})"),
}

XSD = "http://www.w3.org/2001/XMLSchema#"


class FuzzyDate(NamedTuple):
    """A date as written, with the first and last day it can mean."""

    text: str
    precision: Precision
    earliest: dt.date
    latest: dt.date

    @property
    def datatype(self) -> str:
        """The XSD datatype IRI that keeps the written precision."""
        return (
            XSD
            + {
                Precision.DAY: "date",
                Precision.MONTH: "gYearMonth",
                Precision.YEAR: "gYear",
                Precision.DECADE: "gYear",
            }[self.precision]
        )

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest


_MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
)


def _days_in_month(year: int, month: int) -> int:
    # not calendar.monthrange: importing calendar is a few ms of every cold query
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return (following - dt.date(year, month, 1)).days


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
                f'impossible date "{text}": {_MONTHS[month - 1]} {year} has {last} days'
            )
        exact = dt.date(year, month, day)
        return FuzzyDate(value, precision, exact, exact)
    raise BadDateError(f'bad date "{text}": write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-08-15)')


def decade(first_year: int) -> FuzzyDate:
    """The decade that starts with ``first_year`` ("the 1980s" → 1980)."""
    if first_year % 10:
        raise BadDateError(f"a decade starts in a year ending in 0, not {first_year}")
    return FuzzyDate(
        f"{first_year}s",
        Precision.DECADE,
        dt.date(first_year, 1, 1),
        dt.date(first_year + 9, 12, 31),
    )
