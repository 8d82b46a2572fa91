"""Result formats, exact: the W3C SPARQL results formats, aligned tables with
Korean text, Markdown, booleans and RDF."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from msskg.cli import main
from msskg.query.formats import display_width, format_result
from msskg.query.results import AskResult, SelectResult

MSR = "https://w3id.org/msskg/id/"


def output(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout_bytes


def test_csv_is_the_default_off_a_terminal(home: Path) -> None:
    assert (
        output("query", "labels-of")
        == (
            "thing,label\r\n"
            f"{MSR}ministry,Ministry of Social Security\r\n"
            f"{MSR}ministry,사회안전성\r\n"
        ).encode()
    )


def test_tsv(home: Path) -> None:
    assert output("query", "labels-of", "-f", "tsv").decode() == (
        "?thing\t?label\n"
        f'<{MSR}ministry>\t"Ministry of Social Security"@en\n'
        f'<{MSR}ministry>\t"사회안전성"@ko\n'
    )


def test_json(home: Path) -> None:
    assert output("query", "echo", "-p", 'text=a"b', "-f", "json").decode() == (
        '{"head":{"vars":["text","n"]},"results":{"bindings":[{"text":{"type":"literal",'
        '"value":"a\\"b"},"n":{"type":"literal","value":"1",'
        '"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}\n'
    )


def test_xml(home: Path) -> None:
    assert output("query", "echo", "-p", "text=<&>", "-f", "xml").decode() == (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        '<variable name="text"/><variable name="n"/></head><results><result>'
        '<binding name="text"><literal>&lt;&amp;&gt;</literal></binding><binding name="n">'
        '<literal datatype="http://www.w3.org/2001/XMLSchema#integer">1</literal></binding>'
        "</result></results></sparql>\n"
    )


def test_markdown_escapes_pipes_and_newlines(home: Path) -> None:
    assert output("query", "echo", "-p", "text=a|b\nc", "-f", "md").decode() == (
        "| text | n |\n| --- | --- |\n| a\\|b<br>c | 1 |\n"
    )


def test_table_aligns_korean_by_display_width() -> None:
    result = SelectResult(
        ("name", "n"),
        (
            (ox.Literal("사회안전성", language="ko"), ox.Literal("1")),
            (ox.Literal("Ministry", language="en"), None),
            (ox.NamedNode(MSR + "x"), ox.BlankNode("b0")),
        ),
    )
    assert format_result(result, "table") == (
        "name        n\n----------  ----\n사회안전성  1\nMinistry\nmsr:x       _:b0\n"
    )


def test_display_width() -> None:
    assert display_width("사회안전성") == 10
    assert display_width("\uff21\uff22") == 4
    assert display_width("é") == 1
    assert display_width("e\u0301") == 1


def test_iris_no_prefix_fits_stay_whole_in_tables() -> None:
    result = SelectResult(("x",), ((ox.NamedNode("https://else/where"),),))
    assert format_result(result, "md") == "| x |\n| --- |\n| <https://else/where> |\n"


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("table", "true\n"),
        ("csv", "true\n"),
        ("json", '{"head":{},"boolean":true}'),
        (
            "xml",
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            "<head></head><boolean>true</boolean></sparql>",
        ),
    ],
)
def test_ask(fmt: str, text: str) -> None:
    assert format_result(AskResult(True), fmt) == text


def test_construct_as_turtle_nt_and_jsonld(home: Path) -> None:
    sparql = (
        "CONSTRUCT { ?s <https://e/min> ?o } "
        "WHERE { ?s <https://w3id.org/msskg/ontology#minimum> ?o }"
    )
    assert output("query", "--sparql", sparql).decode() == (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix msr: <https://w3id.org/msskg/id/> .\n"
        'msr:strength <https://e/min> "120"^^xsd:decimal .\n'
    )
    assert output("query", "--sparql", sparql, "-f", "nt").decode() == (
        f'<{MSR}strength> <https://e/min> "120"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    )
    jsonld = output("query", "--sparql", sparql, "-f", "jsonld")
    assert len(list(ox.parse(jsonld, format=ox.RdfFormat.JSON_LD))) == 1


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_pyoxigraphs_own_serializer_writes_what_the_rows_make(home: Path, fmt: str) -> None:
    # without --max-rows, pyoxigraph's answer is serialized as it is read; with it,
    # the rows are counted and written in batches: the same bytes either way
    sparql = (
        "SELECT ?s ?label ?none WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    )
    direct = output("query", "--sparql", sparql, "-f", fmt)
    counted = output("query", "--sparql", sparql, "-f", fmt, "--max-rows", "1000")
    assert direct == counted and "사회안전성".encode() in direct and direct.endswith(b"\n")


def test_json_is_byte_for_byte_what_pyoxigraph_writes() -> None:
    texts = ['a"b\\c', "line\nbreak\ttab\r", "\x00\x01\x1f\x7f", "café \u2028 \U0001f600", "</x>"]
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    rows = [
        (ox.Literal(text), ox.Literal(text, language="ko"), ox.NamedNode(f"{MSR}{n}"))
        for n, text in enumerate(texts)
    ]
    triple = ox.Triple(
        ox.NamedNode(MSR + "s"), ox.NamedNode(MSR + "p"), ox.Literal("1", datatype=integer)
    )
    rows += [(ox.BlankNode("b1"), triple, None), (None, None, None)]
    for result in (SelectResult(("a", "b", "c"), tuple(rows)), AskResult(False)):
        solutions = ox.parse_query_results(
            format_result(result, "json"), ox.QueryResultsFormat.JSON
        )
        written = solutions.serialize(format=ox.QueryResultsFormat.JSON)
        assert format_result(result, "json").encode() == written


def test_a_value_too_large_for_pyoxigraph_to_read_back_is_one_line() -> None:
    """Regression: a value over 16 MiB in CSV, TSV or XML (written through
    pyoxigraph's JSON reader) was a MemoryError, and a 500 in msskg serve."""
    import pyoxigraph as ox

    from msskg.errors import OutputError
    from msskg.query.formats import format_result
    from msskg.query.results import SelectResult

    result = SelectResult(("v",), ((ox.Literal("a" * (17 << 20)),),))
    with pytest.raises(OutputError) as raised:
        format_result(result, "csv")
    assert str(raised.value) == (
        "a value of the answer is too large to write in csv here (Reached the buffer maximal "
        "size of 16777216); ask for json, or narrow the query"
    )
    assert len(format_result(result, "json")) > 17 << 20
