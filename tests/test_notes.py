"""Every answer that touches a disputed fact says so, in note lines on
standard error (the result itself stays exact in every format)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from msskg.cli import main
from msskg.graph.store import open_store
from msskg.query.catalogue import get_query
from msskg.query.engines import OxigraphBackend, run_query
from msskg.query.notes import DATED_FACTS, answer_notes
from msskg.query.results import SelectResult

LEAD = (
    "note: the sources disagree on Minister of Social Security: more than one current holder "
    "(msskg query conflicts):\n"
    "  The infobox names Ri Thae-sop as minister: “- Minister1 Name: Ri Thae-sop - Chief1 "
    "Position: Minister”\n"
    "  The lead section says the current minister is Ri Yong-gil: “The current minister is "
    "Ri Yong-gil.”\n"
    "  Ri Thae-sop, Minister of Social Security, 28 December 2022 \u2013 present: “- Ri Thae-sop: "
    "28 December 2022 \u2013 present”\n"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_holder_at_now_names_the_leads_claim() -> None:
    result = run("query", "holder-at", "-p", "date=2026-11-22", "-f", "csv", "--notes")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("Ri Thae-sop,,28 December 2022,present,")
    assert result.stderr == LEAD
    result = run("query", "holder-at", "-p", "date=2026-11-22", "-f", "table")
    assert result.stdout.startswith("holder       start             end      certainty\n")
    assert result.stderr == LEAD


def test_notes_are_for_people_unless_asked() -> None:
    args = ("query", "holder-at", "-p", "date=2026-11-22")
    assert run(*args, "-f", "csv").stderr == ""
    assert run(*args, "-f", "table", "--no-notes").stderr == ""
    assert run(*args, "-f", "md").stderr == LEAD


def test_a_past_date_touches_no_dispute() -> None:
    result = run("query", "holder-at", "-p", "date=2021-08-15", "-f", "table")
    assert (result.exit_code, result.stderr) == (0, "")


def test_children_names_the_two_lists() -> None:
    result = run("query", "children", "-f", "table")
    assert result.stderr == (
        "note: the sources disagree on Ministry of Social Security: child agencies listed "
        "differently (msskg query conflicts):\n"
        "  The Duties section says there are five child agencies: “It consists of five child "
        "agencies - the Railway Security Bu…”\n"
        "  The infobox lists three child agencies: “- Child1 Agency: Social Security Forces - "
        "Child2 Agency: Railway Security B…”\n"
    )
    assert all(len(line) <= 120 for line in result.stderr.splitlines())


def test_none_recorded_says_an_undated_fact_exists() -> None:
    args = ("query", "holder-at", "-p", "date=2020", "-p", "post=msr:post-commander-of-ssf")
    result = run(*args, "--notes")
    assert result.stdout.splitlines()[1].startswith("(none recorded),")
    assert result.stderr == (
        "note: (none recorded) counts dated facts only; undated: Ri Thae-chol, Commander of the "
        "Social Security Forces, at some point of time "
        "(msskg describe msr:term-ri-thae-chol-commander)\n"
    )


def test_rows_that_disagree_with_each_other() -> None:
    result = run("query", "name-at", "-p", "date=2012", "-f", "table")
    assert result.stderr == (
        "note: these rows disagree on Ministry of Social Security: two names at once "
        "(msskg query conflicts):\n"
        '  Ministry of Social Security as "Ministry of People\'s Security", 2000 \u2013 2020: '
        "“The Ministry of Social Security (previ…”\n"
        '  Ministry of Social Security as "People\'s Security Department", April 2010 \u2013 2016: '
        "“In 2016, the department was renam…”\n"
        '  Ministry of Social Security as "People\'s Security Department", April 2010 \u2013 2016: '
        "“In April 2010, the ministry becam…”\n"
    )


def test_a_disagreement_with_a_fact_not_in_the_answer_is_not_noted() -> None:
    # 2005: the lead's "from 2000 to 2020" disagrees with 2010-2016, which is not in the answer
    assert run("query", "name-at", "-p", "date=2005", "-f", "table").stderr == ""
    # the forces' name in 2015 is not touched by the ministry's lists of child agencies
    result = run("query", "name-at", "-p", "date=2015", "-p", "agency=msr:social-security-forces")
    assert "child agencies" not in result.stderr


def test_no_notes_without_a_conflicts_query(home: Path) -> None:
    result = run("query", "labels-of", "-f", "table")
    assert (result.exit_code, result.stderr) == (0, "")


def _cases() -> list[tuple[str, dict[str, str]]]:
    from test_queries_golden import CASES

    return [(name, params) for name, sets in CASES.items() for params in sets]


@pytest.fixture(scope="module")
def backend() -> OxigraphBackend:
    return OxigraphBackend(open_store())


@pytest.fixture(scope="module")
def claims(backend: OxigraphBackend) -> dict[str, set[str]]:
    """Each claim of the conflicts query, by its text, and the facts it is."""
    result = run_query(get_query("conflicts"), backend=backend)
    assert isinstance(result, SelectResult)
    names = list(result.variables)
    found: dict[str, set[str]] = {}
    for row in result.rows:
        values = dict(zip(names, row, strict=True))
        claim, fact = values["claim"], values["fact"]
        if claim is not None and fact is not None:
            found.setdefault(claim.value, set()).add(fact.value)
    return found


@pytest.mark.parametrize(
    ("name", "params"), _cases(), ids=[f"{n}-{'-'.join(p.values())}" for n, p in _cases()]
)
def test_notes_name_only_the_answer_and_quote_every_side(
    name: str, params: dict[str, str], backend: OxigraphBackend, claims: dict[str, set[str]]
) -> None:
    """Every saved query on every golden case: a note's claims are rows of the
    answer, or claims no date can put in it (undated), never a dated fact the
    answer leaves out; and every disagreement quotes at least two passages."""
    query = get_query(name)
    result = run_query(query, params, backend=backend)
    assert isinstance(result, SelectResult)
    iris = {t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)}
    dated = {
        row[0].value
        for row in backend.graph.store.query(DATED_FACTS, use_default_graph_as_union=True)  # type: ignore[union-attr]
    }
    lines = answer_notes(query, result, backend, prefixes=backend.prefixes)
    groups: list[list[str]] = []
    for line in lines:
        if line.startswith("note: ") and "disagree" in line and "wrong headings" not in line:
            groups.append([])
        elif line.startswith("  ") and groups:
            groups[-1].append(line.strip().split(": “", 1)[0])
    for group in groups:
        assert len(group) >= 2, lines
        for claim in group:
            facts = claims[claim]
            on_a_date = any(p.type == "date" for p in query.parameters)
            assert not on_a_date or facts & iris or not facts & dated, (claim, lines)
