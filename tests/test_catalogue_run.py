"""Running queries: parameters bound as terms on both engines, the same answers
from both, and SPARQL errors with line and column."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from msskg.errors import QueryFileError, QuerySyntaxError
from msskg.query.catalogue import get_query
from msskg.query.engines import Engine, run_query
from msskg.query.results import AskResult, GraphResult, SelectResult, comparable, comparable_result
from msskg.query.text import mentioned_variables

XSD = "http://www.w3.org/2001/XMLSchema#"
ENGINES: list[Engine] = ["oxigraph", "rdflib"]
HOSTILE = "a \"quote\", 'single' > } # not a comment\n} UNION { ?s ?p ?o }"


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_text_is_bound_as_a_literal(home: Path, engine: Engine) -> None:
    result = run_query(get_query("echo"), {"text": HOSTILE, "n": "12"}, engine=engine)
    assert result == SelectResult(
        ("text", "n"),
        ((ox.Literal(HOSTILE), ox.Literal("12", datatype=ox.NamedNode(XSD + "integer"))),),
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_date_parameter_selects_by_bounds(home: Path, engine: Engine) -> None:
    before = run_query(get_query("named-by"), {"date": "2010-03"}, engine=engine)
    during = run_query(get_query("named-by"), {"date": "2010-04"}, engine=engine)
    assert isinstance(before, SelectResult) and before.rows == ()
    assert isinstance(during, SelectResult)
    assert [row[1].value for row in during.rows if row[1]] == [
        "Ministry of People's Security",
        "인민보안성",
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_label_parameter_on_each_engine(home: Path, engine: Engine) -> None:
    result = run_query(get_query("labels-of"), {"thing": "사회안전성"}, engine=engine)
    assert isinstance(result, SelectResult)
    assert {row[0] for row in result.rows} == {ox.NamedNode("https://w3id.org/msskg/id/ministry")}


QUERIES = [
    "SELECT ?s ?o WHERE { ?s <https://w3id.org/msskg/ontology#minimum> ?o }",
    "SELECT ?period ?when WHERE { ?period <https://w3id.org/msskg/ontology#during> ?when }",
    "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?x ?y WHERE { ?x ?p ?o OPTIONAL { ?x <https://nothing/> ?y } }",
    'ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Source A"@en }',
    'ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Source C"@en }',
    "CONSTRUCT { ?s <https://e/min> ?o } WHERE { ?s <https://w3id.org/msskg/ontology#minimum> ?o }",
    "DESCRIBE <https://w3id.org/msskg/id/post-minister>",
]


@pytest.mark.parametrize("text", QUERIES)
def test_both_engines_give_the_same_answer(home: Path, text: str) -> None:
    ours = run_query(text)
    theirs = run_query(text, engine="rdflib")
    assert type(ours) is type(theirs)
    assert comparable_result(ours) == comparable_result(theirs)


def test_engines_differ_in_decimal_text_but_compare_equal(home: Path) -> None:
    text = QUERIES[0]
    ours, theirs = run_query(text), run_query(text, engine="rdflib")
    assert isinstance(ours, SelectResult) and isinstance(theirs, SelectResult)
    assert ours.rows[0][1] == ox.Literal("120", datatype=ox.NamedNode(XSD + "decimal"))
    assert theirs.rows[0][1] == ox.Literal("120.0", datatype=ox.NamedNode(XSD + "decimal"))
    assert comparable(ours.rows[0][1]) == comparable(theirs.rows[0][1])


def test_comparable_takes_rdflib_terms_too() -> None:
    assert comparable(rdflib.Literal("1.50", datatype=rdflib.XSD.decimal)) == comparable(
        ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal"))
    )
    assert comparable(rdflib.Literal("x")) == comparable(ox.Literal("x"))
    assert comparable(rdflib.Literal("x", lang="en")) != comparable(ox.Literal("x"))
    assert comparable(rdflib.BNode()) == comparable(ox.BlankNode())


def test_result_kinds(home: Path) -> None:
    assert run_query(QUERIES[4]) == AskResult(True)
    graph = run_query(QUERIES[6])
    assert isinstance(graph, GraphResult) and len(graph.triples) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_sparql_syntax_error_gives_line_and_column(home: Path, engine: Engine) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_query("SELECT ?s\nWHERE { ?s ?p }", engine=engine)
    assert str(caught.value).startswith("--sparql:2:")
    assert "SPARQL syntax error" in str(caught.value)
    assert caught.value.line == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_prefixes_are_predeclared(home: Path, engine: Engine) -> None:
    result = run_query(
        "SELECT ?label WHERE { msr:ministry rdfs:label ?label } ORDER BY ?label", engine=engine
    )
    assert isinstance(result, SelectResult)
    assert [row[0].value for row in result.rows] == ["Ministry of Social Security", "사회안전성"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_prefix_the_text_declares_is_its_own(home: Path, engine: Engine) -> None:
    text = "PREFIX msr: <urn:x:>\nASK { msr:ministry ?p ?o }"
    assert run_query(text, engine=engine) == AskResult(False)


def test_an_unknown_prefix_is_named(home: Path) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_query("SELECT * WHERE { ?s foo:bar ?o }")
    assert str(caught.value) == (
        'unknown prefix "foo:" in the query; known: cpov, dcterms, foaf, msr, mss, oa, org, owl, '
        "prov, rdf, rdfs, skos, time, xsd"
    )


def test_predeclared_prefixes_keep_the_line_numbers(home: Path) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_query("SELECT ?s WHERE {\n  ?s rdfs:label\n}\n")
    assert (caught.value.line, caught.value.column) == (3, 1)
    assert str(caught.value).startswith("--sparql:3:1: SPARQL syntax error")


def test_sparql_syntax_error_exact_message(home: Path) -> None:
    # pyoxigraph's parser reports where it gave up, often the end of the text.
    with pytest.raises(QuerySyntaxError) as caught:
        run_query("SELECT ?s WHERE {\n  ?s ?p\n}\n")
    assert str(caught.value) == "--sparql:4:1: SPARQL syntax error: expected OPTIONAL"
    assert (caught.value.line, caught.value.column) == (4, 1)


def test_syntax_error_in_a_saved_query_names_the_file(home: Path) -> None:
    path = home / "queries" / "broken.rq"
    path.write_text("# title: Broken\nSELECT ?s WHERE {\n  ?s ?p\n}\n")
    with pytest.raises(
        QuerySyntaxError, match=rf"^{path}:5:1: SPARQL syntax error: expected OPTIONAL$"
    ):
        run_query(get_query("broken"))


def test_a_parameter_the_query_does_not_return(home: Path) -> None:
    with pytest.raises(QueryFileError) as caught:
        run_query(get_query("hidden-parameter"))
    assert str(caught.value) == (
        "query hidden-parameter uses ?text but does not return it; add ?text to its SELECT "
        "line (pyoxigraph binds only variables a query returns)"
    )


def test_mentioned_variables_skip_strings_iris_and_comments() -> None:
    text = '# ?c\nSELECT ?a $b WHERE { <http://e/?x> ?p "?s" . FILTER(?a < ?b) } # ?d'
    assert mentioned_variables(text) == {"a", "b", "p"}
