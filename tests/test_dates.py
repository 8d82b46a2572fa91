"""Dates as people write them: one date, today, closed and open ranges, and
every kind of bad input with its one-line message."""

from __future__ import annotations

import datetime as dt

import pytest

from msskg.dates import FAR_FUTURE, FAR_PAST, parse_date, parse_span
from msskg.errors import BadDateError

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "single"),
    [
        ("2021-08-15", dt.date(2021, 8, 15), dt.date(2021, 8, 15), True),
        ("2021-02", dt.date(2021, 2, 1), dt.date(2021, 2, 28), True),
        ("1990", dt.date(1990, 1, 1), dt.date(1990, 12, 31), True),
        ("today", TODAY, TODAY, True),
        ("Today", TODAY, TODAY, True),
        ("2020..2022", dt.date(2020, 1, 1), dt.date(2022, 12, 31), False),
        ("2021-07..2021-09", dt.date(2021, 7, 1), dt.date(2021, 9, 30), False),
        ("1990 .. 1990-06-15", dt.date(1990, 1, 1), dt.date(1990, 6, 15), False),
        ("..1960", FAR_PAST, dt.date(1960, 12, 31), False),
        ("2016..", dt.date(2016, 1, 1), FAR_FUTURE, False),
        ("2016..today", dt.date(2016, 1, 1), TODAY, False),
    ],
)
def test_span_bounds(text: str, earliest: dt.date, latest: dt.date, single: bool) -> None:
    span = parse_span(text, today=TODAY)
    assert (span.earliest, span.latest) == (earliest, latest)
    assert (span.single is not None) is single


FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, today, or a range START..END (e.g. 2020..2022, 2016..)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020-2022", 'bad date "2020-2022": for a range write 2020..2022'),
        ("yesterday", f'bad date "yesterday": write {FORMS}'),
        (
            "\u0662\u0660\u0662\u0661",
            f'bad date "\u0662\u0660\u0662\u0661": write the digits 0-9, as {FORMS}',
        ),
        (
            "\uff12\uff10\uff12\uff11",
            f'bad date "\uff12\uff10\uff12\uff11": write the digits 0-9, as {FORMS}',
        ),
        ("2022..2020", 'empty date range "2022..2020": 2022 is after 2020'),
        ("..", 'bad date range "..": give a start, an end or both (e.g. 2020..2022)'),
        ("2021-02-30..2022", 'impossible date "2021-02-30": February 2021 has 28 days'),
        ("2020..20x", f'bad date "20x": write {FORMS}'),
    ],
)
def test_bad_spans(text: str, message: str) -> None:
    with pytest.raises(BadDateError) as caught:
        parse_span(text, today=TODAY)
    assert str(caught.value) == message


def test_written_dates_take_ascii_digits_only() -> None:
    with pytest.raises(BadDateError) as caught:
        parse_date("\u0661\u0669\u0669\u0660-01")
    assert str(caught.value) == (
        'bad date "\u0661\u0669\u0669\u0660-01": write the digits 0-9, as '
        "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-08-15)"
    )


def test_today_defaults_to_the_clock() -> None:
    assert parse_span("today").single == parse_date(dt.date.today().isoformat())
