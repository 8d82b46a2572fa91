"""holder-at on generated terms: both engines give the same rows; a term is
listed exactly when its bounds may cover the date (rules/README.md, "Horizons":
an end not stated lasts at most to mss:endsNoLaterThan); and "(none recorded)"
is the one row exactly when no term is listed. The query looked that row up with
a FILTER NOT EXISTS that read both end bounds where the terms read the stated one
first, so an end stated after the date beside an earlier mss:endsNoLaterThan gave
the term and "(none recorded)" at once (the first case below)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import PREFIXES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msskg.dates import parse_span
from msskg.graph.dataset import load_graph
from msskg.graph.store import open_store
from msskg.query.catalogue import get_query
from msskg.query.engines import OxigraphBackend, run_query
from msskg.query.rdflib_engine import RdflibBackend
from msskg.query.results import SelectResult, comparable

MSR = "https://w3id.org/msskg/id/"
POST = """\
msr:post a org:Post ; rdfs:label "Post"@en .
"""
FIRST = dt.date(2000, 1, 1)

# a term: start (earliest, days to latest), stated end (earliest, days to latest) or None,
# mss:endsNoLaterThan's latest or None; days from FIRST
Bound = tuple[int, int]
Term = tuple[Bound, Bound | None, int | None]
spans = st.tuples(st.integers(0, 1400), st.integers(0, 60))
terms = st.tuples(spans, st.none() | spans, st.none() | st.integers(0, 1500))
dates = st.sampled_from(["2000", "2001", "2002-06", "2003-02-14", "2001-03..2002-01", "2004"])


def day(offset: int) -> str:
    return f'"{FIRST + dt.timedelta(days=offset)}"^^xsd:date'


def instant(bound: Bound, written: str) -> str:
    earliest, extra = bound
    return (
        f"[ a time:Instant ; mss:earliest {day(earliest)} ; "
        f'mss:latest {day(earliest + extra)} ; mss:asWritten "{written}" ]'
    )


def turtle(generated: list[Term]) -> str:
    lines = [PREFIXES, POST]
    for n, (start, end, bound) in enumerate(generated):
        kind = "mss:EndStated" if end else "mss:EndNotStated"
        interval = [
            f"a time:Interval ; mss:endKind {kind}",
            f"time:hasBeginning {instant(start, 's')}",
        ]
        if end:
            interval.append(f"time:hasEnd {instant(end, 'e')}")
        if bound is not None:
            interval.append(f"mss:endsNoLaterThan [ mss:latest {day(bound)} ]")
        lines.append(
            f'msr:person-{n} rdfs:label "Person {n}"@en .\n'
            f"msr:term-{n} a mss:Term ; mss:post msr:post ; org:member msr:person-{n} ;\n"
            f"    org:memberDuring [ {' ; '.join(interval)} ] ."
        )
    return "\n".join(lines)


def may_cover(term: Term, date: str) -> bool:
    """The bounds as rules/README.md reads them: the term starts no later than the
    date's last day and ends (stated, else at most mss:endsNoLaterThan) no earlier
    than its first."""
    span = parse_span(date)
    (start, _), end, bound = term
    last = end[0] + end[1] if end else bound
    ends = None if last is None else FIRST + dt.timedelta(days=last)
    return FIRST + dt.timedelta(days=start) <= span.latest and (
        ends is None or span.earliest <= ends
    )


def check(path: Path, generated: list[Term], date: str) -> None:
    path.write_text(turtle(generated), encoding="utf-8")
    query, params = get_query("holder-at"), {"date": date, "post": "msr:post"}
    fast = run_query(query, params, backend=OxigraphBackend(open_store(data=[path])))
    slow = run_query(query, params, backend=RdflibBackend(load_graph(data=[path])))
    assert isinstance(fast, SelectResult) and isinstance(slow, SelectResult)
    assert [tuple(map(comparable, r)) for r in fast.rows] == [
        tuple(map(comparable, r)) for r in slow.rows
    ], "pyoxigraph and rdflib disagree"
    listed = sorted(row[5].value for row in fast.rows if row[5] is not None)
    expected = sorted(f"{MSR}term-{n}" for n, t in enumerate(generated) if may_cover(t, date))
    assert listed == expected
    fallback = [
        row for row in fast.rows if row[0] is not None and row[0].value == "(none recorded)"
    ]
    assert len(fallback) == (0 if expected else 1)
    assert len(fast.rows) == len(expected) + len(fallback)


@pytest.mark.parametrize(
    ("generated", "date"),
    [
        # stated end after the date, mss:endsNoLaterThan before it: the stated end counts
        ([((0, 0), (700, 30), 100)], "2001"),
        ([((0, 0), (700, 30), None)], "2003"),  # ended before: none recorded
        ([((800, 0), None, None)], "2001"),  # starts after: none recorded
        ([((0, 0), None, None)], "2100"),  # no end, no bound: may still hold
        ([], "2001"),
    ],
)
def test_holder_at_on_cases(tmp_path: Path, generated: list[Term], date: str) -> None:
    check(tmp_path / "terms.ttl", generated, date)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(generated=st.lists(terms, max_size=3), date=dates)
def test_holder_at_on_generated_terms(tmp_path: Path, generated: list[Term], date: str) -> None:
    check(tmp_path / "terms.ttl", generated, date)
