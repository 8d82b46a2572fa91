"""Every answer that touches a disputed fact says so, in note lines on
standard error (the result itself stays exact in every format)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from msskg.cli import main

LEAD = (
    "note: the sources disagree on Minister of Social Security: more than one current holder "
    "(msskg query conflicts):\n"
    "  The infobox names Ri Thae-sop as minister: “- Minister1 Name: Ri Thae-sop - Chief1 "
    "Position: Minister”\n"
    "  The lead section says the current minister is Ri Yong-gil: “The current minister is "
    "Ri Yong-gil.”\n"
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
        "(msskg query conflicts has the quotes)\n"
    )


def test_no_notes_without_a_conflicts_query(home: Path) -> None:
    result = run("query", "labels-of", "-f", "table")
    assert (result.exit_code, result.stderr) == (0, "")
