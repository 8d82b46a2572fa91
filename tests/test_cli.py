"""The command line: exact output, and one line on stderr with the right exit
code for every kind of bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from msskg.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def fails(result: Result, code: int, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"Error: {message}\n")


def test_queries_lists_names_titles_and_parameters(home: Path) -> None:
    result = run("queries")
    assert result.exit_code == 0
    assert result.stdout == (
        "echo: Echo the parameters\n"
        "  -p text=<string> (required): Any text\n"
        "  -p n=<integer> (default: 1): A whole number\n"
        "hidden-parameter: Uses a parameter it does not return\n"
        "  -p text=<string> (default: x): Any text\n"
        "labels-of: Labels of a resource\n"
        "  Every label of the resource, in every language.\n"
        "  -p thing=<resource> (default: msr:ministry): The resource: IRI, prefixed name or label\n"
        "named-by: Names given by a date\n"
        "  -p date=<date> (required): The day, month or year: YYYY, YYYY-MM or YYYY-MM-DD\n"
        "(msskg queries NAME shows one query's whole header)\n"
    )


def test_queries_name_shows_the_whole_header(home: Path) -> None:
    result = run("queries", "labels-of")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "labels-of: Labels of a resource\n"
        "  Every label of the resource, in every language.\n"
        "  -p thing=<resource> (default: msr:ministry): The resource: IRI, prefixed name or label\n"
        "  example: msskg query labels-of -p thing=msr:ministry\n"
        f"  file: {home / 'queries' / 'labels-of.rq'}\n"
    )
    result = run("queries", "label-of")
    assert (result.exit_code, result.stderr) == (
        2,
        'Error: unknown query "label-of"; did you mean "labels-of"? (msskg queries lists them)\n',
    )


def test_query_with_a_label_parameter(home: Path) -> None:
    args = ("query", "labels-of", "-p", "thing=Ministry of People's Security", "-f", "table")
    result = run(*args)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "label\n"
        "---------------------------\n"
        "Ministry of Social Security\n"
        "사회안전성\n"
        "(--wide adds thing)\n"
    )
    assert run(*args, "--wide").stdout == (
        "thing         label\n"
        "------------  ---------------------------\n"
        "msr:ministry  Ministry of Social Security\n"
        "msr:ministry  사회안전성\n"
    )


def test_narrow_tables_keep_only_iris_when_that_is_all(home: Path) -> None:
    result = run(
        "query", "--sparql", "SELECT ?p WHERE { ?p a org:Post } ORDER BY ?p", "-f", "table"
    )
    assert result.stdout == "p\n-----------------\nmsr:post-deputy\nmsr:post-minister\n"


def test_narrow_tables_fit_120_columns_and_date_style(home: Path) -> None:
    long = "word " * 40
    text = f'SELECT ?a ?b ?when WHERE {{ BIND("{long}" AS ?a) BIND("{long}" AS ?b) '
    text += 'BIND("November 19, 1945" AS ?when) }'
    lines = run("query", "--sparql", text, "-f", "table").stdout.splitlines()
    assert [len(line) for line in lines[1:]] == [120, 120]
    assert lines[2].endswith("…  19 November 1945")
    wide = run("query", "--sparql", text, "-f", "table", "--wide").stdout.splitlines()
    assert wide[2] == f"{long}  {long}  19 November 1945"
    assert run("query", "--sparql", text, "-f", "csv").stdout.endswith('"November 19, 1945"\n')


def test_query_from_a_file_and_from_text(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("ASK { ?s ?p ?o }\n")
    assert run("query", str(path)).stdout == "true\n"
    assert run("query", "--sparql", "ASK { ?s <https://no/> ?o }").stdout == "false\n"


def test_query_on_user_data(home: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.ttl").write_text("<https://e/a> <https://e/p> 'x' .")
    result = run(
        "query", "--sparql", "SELECT ?o WHERE { ?s ?p ?o }", "--data", str(tmp_path / "mine")
    )
    assert result.stdout_bytes == b"o\r\nx\r\n"  # W3C CSV ends lines with CRLF


def test_query_on_a_loaded_store(home: Path, tmp_path: Path) -> None:
    loaded = run("load", "--store", str(tmp_path / "s"), str(home / "data"))
    assert (loaded.exit_code, loaded.stdout) == (0, f"Loaded 39 quads into {tmp_path / 's'}\n")
    result = run(
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        "--store",
        str(tmp_path / "s"),
        "-f",
        "tsv",
    )
    assert result.stdout == "?n\n39\n"


def test_unknown_query(home: Path) -> None:
    fails(
        run("query", "label-of"),
        2,
        'unknown query "label-of"; did you mean "labels-of"? (msskg queries lists them)',
    )


def test_missing_parameter(home: Path) -> None:
    fails(
        run("query", "named-by"),
        2,
        'missing parameter "date" for query named-by: -p date=... '
        "(The day, month or year: YYYY, YYYY-MM or YYYY-MM-DD)",
    )


def test_unknown_parameter(home: Path) -> None:
    fails(
        run("query", "named-by", "-p", "day=2021"),
        2,
        'unknown parameter "day" for query named-by (it takes date)',
    )


def test_ill_typed_parameter(home: Path) -> None:
    fails(
        run("query", "echo", "-p", "text=x", "-p", "n=two"),
        2,
        'parameter "n" takes a whole number, not "two"',
    )


def test_parameter_without_equals(home: Path) -> None:
    result = run("query", "echo", "-p", "text")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '-p' / '--param': \"text\" is not NAME=VALUE "
        "(e.g. -p date=2021-08-15)\n"
    )


def test_impossible_date(home: Path) -> None:
    fails(
        run("query", "named-by", "-p", "date=2021-02-30"),
        2,
        'parameter "date": impossible date "2021-02-30": February 2021 has 28 days',
    )


def test_a_range_of_dates(home: Path) -> None:
    result = run("query", "named-by", "-p", "date=2009..2010-04", "-f", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "agency,name,date_latest",
        "https://w3id.org/msskg/id/ministry,Ministry of People's Security,2010-04-30",
        "https://w3id.org/msskg/id/ministry,인민보안성,2010-04-30",
    ]
    assert run("query", "named-by", "-p", "date=..2010-03", "-f", "csv").stdout == (
        "agency,name,date_latest\n"
    )


def test_a_hyphen_between_years_is_not_a_range(home: Path) -> None:
    fails(
        run("query", "named-by", "-p", "date=2020-2022"),
        2,
        'parameter "date": bad date "2020-2022": for a range write 2020..2022',
    )


def test_arabic_indic_digits_are_refused(home: Path) -> None:
    fails(
        run("query", "named-by", "-p", "date=\u0662\u0660\u0662\u0661"),
        2,
        'parameter "date": bad date "\u0662\u0660\u0662\u0661": write the digits 0-9, as YYYY, '
        "YYYY-MM, YYYY-MM-DD, today, or a range START..END (e.g. 2020..2022, 2016..)",
    )


def test_ambiguous_label(home: Path) -> None:
    fails(
        run("query", "labels-of", "-p", "thing=Minister"),
        2,
        'parameter "thing": "Minister" is the label of 2 resources: '
        "msr:post-deputy, msr:post-minister; pass one of these instead",
    )


def test_unknown_label(home: Path) -> None:
    fails(
        run("query", "labels-of", "-p", "thing=Source C"),
        2,
        'parameter "thing": nothing is labelled "Source C"; did you mean "Source B" or "Source A"?',
    )


def test_mistyped_prefixed_name_is_not_in_the_graph(home: Path) -> None:
    """Regression: a mistyped IRI used to be bound as it was and answer nothing."""
    fails(
        run("query", "labels-of", "-p", "thing=msr:minstry"),
        2,
        'parameter "thing": msr:minstry is not in the graph; '
        "did you mean msr:ministry or mss:Ministry?",
    )


def test_unknown_prefix(home: Path) -> None:
    fails(
        run("query", "labels-of", "-p", "thing=foo:bar"),
        2,
        'parameter "thing": unknown prefix "foo:" in "foo:bar"; use one of cpov:, dcterms:, '
        "foaf:, msr:, mss:, oa:, org:, owl:, prov:, rdf:, rdfs:, skos:, time:, xsd:, "
        "a full IRI or a label",
    )


def test_malformed_user_turtle(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://e/a> <https://e/p> 'x' ;\n  <https://e/q> .\n")
    fails(
        run("query", "--sparql", "ASK {}", "--data", str(bad)),
        3,
        f"{bad}:2:17: . is not a valid RDF object",
    )


def test_missing_data_file(home: Path, tmp_path: Path) -> None:
    fails(
        run("query", "--sparql", "ASK {}", "--data", str(tmp_path / "gone.ttl")),
        3,
        f"data file not found: {tmp_path / 'gone.ttl'}",
    )


def test_sparql_syntax_error(home: Path) -> None:
    fails(
        run("query", "--sparql", "SELECT ?s WHERE {\n  ?s ?p\n}\n"),
        2,
        "--sparql:4:1: SPARQL syntax error: expected OPTIONAL",
    )


def test_sparql_with_an_unknown_prefix(home: Path) -> None:
    fails(
        run("query", "--sparql", "ASK { ?s a foo:Bar }"),
        2,
        'unknown prefix "foo:" in the query; known: cpov, dcterms, foaf, msr, mss, oa, org, owl, '
        "prov, rdf, rdfs, skos, time, xsd",
    )


def test_a_query_file_gets_the_prefixes(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("SELECT ?label WHERE { msr:ministry rdfs:label ?label } ORDER BY ?label\n")
    result = run("query", str(path), "-f", "csv")
    assert result.stdout.splitlines() == ["label", "Ministry of Social Security", "사회안전성"]


def test_unknown_format(home: Path) -> None:
    fails(
        run("query", "labels-of", "-f", "xls"),
        2,
        'unknown format "xls"; use table, csv, tsv, json, xml, md',
    )


def test_unknown_report_format_is_named_from_the_registry(home: Path) -> None:
    fails(run("validate", "-f", "xml"), 2, 'unknown report format "xml"; use human, json, turtle')


def test_format_that_does_not_fit_the_query(home: Path) -> None:
    fails(
        run("query", "labels-of", "-f", "turtle"),
        2,
        'format "turtle" does not fit a SELECT query; use table, csv, tsv, json, xml, md',
    )


def test_name_and_sparql_together(home: Path) -> None:
    result = run("query", "echo", "--sparql", "ASK {}")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: give a query NAME or FILE.rq, or --sparql TEXT (one of them)\n"
    )


def test_unwritable_export_leaves_no_file(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.ttl"
    fails(run("export", "-o", str(target)), 4, f"cannot write {target}: No such file or directory")
    assert not target.parent.exists()


def test_export_to_a_file(home: Path, tmp_path: Path) -> None:
    result = run("export", "-f", "nt", "-o", str(tmp_path / "out.nt"))
    assert (result.exit_code, result.stdout) == (0, "")
    assert len((tmp_path / "out.nt").read_text().splitlines()) == 42
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_load_into_an_existing_path(home: Path, tmp_path: Path) -> None:
    fails(
        run("load", "--store", str(tmp_path), str(home / "data")),
        4,
        f"{tmp_path} already exists: remove it or choose another --store path",
    )


def test_query_imports_neither_rdflib_nor_pyshacl(home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "msskg", "query", "labels-of", "-f", "csv"],
        capture_output=True,
        env=env,
        check=True,
    )
    imported = {
        line.split("|")[-1].strip().split(".")[0] for line in done.stderr.decode().splitlines()
    }
    assert "pyoxigraph" in imported
    assert not imported & {"rdflib", "pyshacl", "owlrl", "pyparsing"}
    assert done.stdout.startswith(b"thing,label\r\n")


@pytest.mark.parametrize("command", ["queries", "query", "export", "load"])
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and result.stdout.startswith(f"Usage: main {command}")


def test_sparql_update_is_refused_as_such(home: Path) -> None:
    fails(
        run("query", "--sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
        2,
        "--sparql: SPARQL syntax error: SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) "
        "is not supported: msskg only reads",
    )


def test_parameter_given_twice(home: Path) -> None:
    """Regression: the last of two values was used without a word."""
    result = run("query", "echo", "-p", "text=a", "-p", "text=b")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: parameter text given more than once; give it once"
    )
