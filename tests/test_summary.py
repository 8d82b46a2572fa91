"""Counting and grouping any query's answer without SPARQL (--count,
--distinct, --group-by, --where), on the bundled graph; and the columns and
widths of tables for people."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from msskg.cli import main
from msskg.errors import UnknownColumnError
from msskg.query.results import SelectResult
from msskg.query.summary import Summary, summarize
from msskg.query.tables import TABLE_WIDTH, table_width


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def lit(text: str) -> ox.Literal:
    return ox.Literal(text)


ROWS = SelectResult(
    ("who", "sure", "post"),
    (
        (lit("A"), lit("certain"), ox.NamedNode("urn:p1")),
        (lit("B"), lit("possible"), ox.NamedNode("urn:p1")),
        (lit("A"), lit("certain"), ox.NamedNode("urn:p2")),
        (lit("C"), lit("certain"), None),
    ),
)


def values(result: SelectResult) -> list[list[str | None]]:
    return [[t.value if t else None for t in row] for row in result.rows]


def test_the_2020_2022_question_is_one_command() -> None:
    result = run(
        "query", "holder-at", "-p", "date=2020..2022", "--distinct", "holder", "--count",
        "-f", "table", "--no-notes",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "count\n-----\n6\n")


def test_where_keeps_the_certain_rows_before_counting() -> None:
    result = run(
        "query", "holder-at", "-p", "date=2020..2022", "--where", "certainty=certain",
        "--distinct", "holder", "--count", "-f", "csv",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "count\n5\n")


def test_group_by_counts_rows_per_group_in_the_order_given() -> None:
    result = run(
        "query", "holder-at", "-p", "date=2020..2022", "--group-by", "holder", "-f", "table",
        "--no-notes",
    )  # fmt: skip
    assert result.stdout == (
        "holder         count\n"
        "-------------  -----\n"
        "Choe Pu-il     1\n"
        "Kim Jong-ho    2\n"
        "Ri Yong-gil    1\n"
        "Jang Jong-nam  1\n"
        "Ri Thae-sop    2\n"
        "Park Su-il     1\n"
    )


def test_distinct_lists_values_and_keeps_iri_columns() -> None:
    result = run("query", "terms", "--distinct", "post", "-f", "table", "--no-notes")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["post", "-" * len(result.stdout.splitlines()[2])]
    assert all(line.startswith("msr:post-") for line in result.stdout.splitlines()[2:])


def test_an_unknown_column_is_one_line_naming_the_columns() -> None:
    result = run("query", "holder-at", "-p", "date=2021", "--group-by", "person")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        'Error: --group-by: the answer has no column "person"; its columns are holder, korean, '
        "start, end, certainty, term, post, date_earliest, date_latest\n"
    )


def test_where_takes_an_iri_by_its_prefixed_name() -> None:
    args = ("query", "terms", "-p", "post=Minister of Interior", "--count", "-f", "csv")
    where = "post=msr:post-minister-of-interior"
    assert run(*args, "--where", where).stdout == "count\n5\n"
    assert run(*args, "--where", "post=msr:post-minister-of-social-security").stdout == (
        "count\n0\n"
    )


def test_a_summary_of_an_ask_query_is_refused() -> None:
    result = run("query", "--sparql", "ASK {}", "--count")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: --count, --distinct, --group-by and --where sum up the rows of a SELECT query; "
        "this one has none\n",
    )


def test_none_recorded_counts_nothing() -> None:
    result = run("query", "holder-at", "-p", "date=1800", "--count", "-f", "csv")
    assert (result.exit_code, result.stdout) == (0, "count\n0\n")


def test_summarize_distinct_group_and_count() -> None:
    assert values(summarize(ROWS, Summary(count=True))) == [["4"]]
    assert values(summarize(ROWS, Summary(distinct=["who"]))) == [["A"], ["B"], ["C"]]
    assert values(summarize(ROWS, Summary(distinct=["?who"], count=True))) == [["3"]]
    grouped = summarize(ROWS, Summary(group_by=["sure"], distinct=["who"]))
    assert grouped.variables == ("sure", "count")
    assert values(grouped) == [["certain", "2"], ["possible", "1"]]
    assert values(summarize(ROWS, Summary(group_by=["post"]))) == [
        ["urn:p1", "2"],
        ["urn:p2", "1"],
        [None, "1"],
    ]
    assert values(summarize(ROWS, Summary(where=[("post", "urn:p1")], count=True))) == [["2"]]
    assert summarize(ROWS, Summary()) == ROWS


def test_summarize_refuses_an_unknown_column() -> None:
    with pytest.raises(UnknownColumnError, match='--distinct: the answer has no column "x"'):
        summarize(ROWS, Summary(distinct=["x"]))


def test_sparql_text_shows_every_column_it_selects(home: object) -> None:
    text = (
        'SELECT ?p ?empty ?n WHERE { ?p a org:Post BIND("" AS ?empty) BIND(1 AS ?n) } ORDER BY ?p'
    )
    assert run("query", "--sparql", text, "-f", "table").stdout == (
        "p                  empty  n\n"
        "-----------------  -----  -\n"
        "msr:post-deputy           1\n"
        "msr:post-minister         1\n"
    )


def test_tables_fit_the_width_columns_says() -> None:
    args = ("query", "name-history", "-f", "table", "--no-notes")
    wide = run(*args, env={"COLUMNS": "200"}).stdout.splitlines()
    assert "Ministry of People's Security " in "\n".join(wide)
    assert max(len(line) for line in wide) <= 200
    narrow = run(*args, env={"COLUMNS": "100"}).stdout.splitlines()
    assert max(len(line) for line in narrow) <= 100
    assert "Ministry of People's Security " not in "\n".join(narrow)


def test_names_are_whole_in_a_wide_terminal() -> None:
    result = run("query", "name-history", "-f", "table", "--no-notes", env={"COLUMNS": "160"})
    assert result.stdout.splitlines()[:4] == [
        "date              kind                             name                           "
        "korean      what",
        "----------------  -------------------------------  -----------------------------  "
        "----------  ------------------------------------------------------------------",
        "19 November 1945  founding                         Political Security Bureau      "
        "정치보안국  Founding of the Political Security Bureau",
        "September 1948    transfer of control                                             "
        "            Placed under the Ministry of Internal Affairs",
    ]
    assert "Ministry of People's Security  " in result.stdout


def test_table_width_without_a_terminal_is_120(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert table_width() == TABLE_WIDTH == 120
    monkeypatch.setenv("COLUMNS", "abc")
    assert table_width() == 120
    monkeypatch.setenv("COLUMNS", "90")
    assert table_width() == 90


def test_the_library_call_the_cli_makes() -> None:
    from msskg.query import Summary as Exported
    from msskg.query import get_query, run_query
    from msskg.query import summarize as exported

    answer = run_query(get_query("holder-at"), {"date": "2020..2022"})
    assert isinstance(answer, SelectResult)
    people = exported(answer, Exported(distinct=["holder"], count=True))
    assert people.to_dicts() == [{"count": 6}]
