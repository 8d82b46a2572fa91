"""Remote engines against a real Oxigraph server: the bundled graph pushed over
the Graph Store Protocol, every saved query run over the SPARQL Protocol and
compared with the same query run locally; parameters bound with hostile values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import OxigraphServer

from msskg.cli import main
from msskg.errors import MsskgError
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.publish.remote import SKOLEM_PREFIX, EndpointBackend, PushedGraph, push
from msskg.query.catalogue import SavedQuery, list_queries, parse_query, resolve_resource
from msskg.query.engines import OxigraphBackend, run_query
from msskg.query.results import AskResult, GraphResult, SelectResult, comparable_result

SAVED = list_queries()


@pytest.fixture(scope="module")
def pushed(oxigraph: OxigraphServer) -> list[PushedGraph]:
    return push(oxigraph.store)


@pytest.fixture(scope="module")
def remote(oxigraph: OxigraphServer, pushed: list[PushedGraph]) -> EndpointBackend:
    return EndpointBackend(oxigraph.query, timeout=30)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return open_store(cache=tmp_path_factory.mktemp("cache"))


def test_there_are_saved_queries_to_compare() -> None:
    assert len(SAVED) >= 5


@pytest.mark.parametrize("saved", SAVED, ids=[q.name for q in SAVED])
def test_every_saved_query_gives_the_same_answer_remotely(
    saved: SavedQuery, remote: EndpointBackend, local: KnowledgeGraph
) -> None:
    params = saved.example_parameters()
    here = run_query(saved, params, graph=local)
    there = run_query(saved, params, backend=remote)
    assert comparable_result(there) == comparable_result(here)


def test_push_sends_the_whole_graph_and_one_graph_per_source(
    pushed: list[PushedGraph], remote: EndpointBackend, local: KnowledgeGraph
) -> None:
    from msskg.graph.dataset import load_graph, union_graph
    from msskg.publish.export import by_source

    whole = union_graph(load_graph())
    split = by_source(whole)
    named = sorted(
        (str(g.identifier), len(g))
        for g in split.graphs()
        if g.identifier != split.default_graph.identifier
    )
    expected = [PushedGraph(None, len(whole)), *(PushedGraph(*pair) for pair in named)]
    assert pushed == expected
    counted = run_query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", backend=remote
    )
    assert isinstance(counted, SelectResult)
    assert (
        sorted((g.value, int(n.value)) for g, n in counted.rows)
        == [  # type: ignore[union-attr]
            (p.graph, p.triples) for p in pushed[1:]
        ]
    )
    everything = run_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", backend=remote)
    assert isinstance(everything, SelectResult)
    assert int(everything.rows[0][0].value) == len(whole) == len(local.store)  # type: ignore[union-attr]


def test_blank_nodes_come_back_as_blank_nodes(remote: EndpointBackend) -> None:
    text = "PREFIX time: <http://www.w3.org/2006/time#> CONSTRUCT WHERE { ?i time:hasBeginning ?b }"
    result = run_query(text, backend=remote)
    assert isinstance(result, GraphResult) and result.triples
    assert all(isinstance(t.object, ox.BlankNode) for t in result.triples)
    assert not any(SKOLEM_PREFIX in str(t) for t in result.triples)


def test_a_label_parameter_is_looked_up_on_the_server(
    remote: EndpointBackend, local: KnowledgeGraph
) -> None:
    labels = OxigraphBackend(local).labels()
    assert sorted(remote.labels()) == sorted(labels)
    saved, parameter = next(
        (q, p) for q in SAVED for p in q.parameters if p.type == "resource" and p.default
    )
    iri = resolve_resource(str(parameter.default), parameter="", lookup=OxigraphBackend(local))
    # A label of the default resource that names nothing else.
    label = next(
        label
        for thing, label in labels
        if thing == iri.value
        and {t for t, other in labels if other.casefold() == label.casefold()} == {iri.value}
    )
    by_label = saved.example_parameters() | {parameter.name: label}
    by_iri = saved.example_parameters() | {parameter.name: f"<{iri.value}>"}
    there = comparable_result(run_query(saved, by_label, backend=remote))
    assert there == comparable_result(run_query(saved, by_iri, backend=remote))
    assert there == comparable_result(run_query(saved, by_label, graph=local))


def test_an_unknown_label_fails_the_same_way_remotely(
    remote: EndpointBackend, local: KnowledgeGraph
) -> None:
    saved = next(q for q in SAVED if any(p.type == "resource" for p in q.parameters))
    resource = next(p for p in saved.parameters if p.type == "resource")
    params = saved.example_parameters() | {resource.name: "Minister of Nothing At All"}
    with pytest.raises(MsskgError) as here:
        run_query(saved, params, graph=local)
    with pytest.raises(MsskgError) as there:
        run_query(saved, params, backend=remote)
    assert (type(there.value), str(there.value)) == (type(here.value), str(here.value))


ECHO = parse_query(
    "# param: text | string | required | Any text\n"
    "# param: n | integer | 1 | A whole number\n"
    "SELECT ?text ?n (STRLEN(?text) AS ?length) WHERE { } # {?text\n",
    name="echo",
)
HOSTILE = [
    'a "quoted" word',
    "it's",
    "x > y } { # not a comment",
    "line\nbreak\r\nand\ttab",
    "back\\slash \\u0022 \\n \\",
    '""" \'\'\' "',
    "한국어 사회안전성 😀 \u200b é",
    "?text $n",
    '"} } SELECT * WHERE { ?s ?p ?o } #',
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_bound_as_one_literal(
    value: str, remote: EndpointBackend, local: KnowledgeGraph
) -> None:
    result = run_query(ECHO, {"text": value, "n": "-7"}, backend=remote)
    assert isinstance(result, SelectResult)
    assert [[t.value if t else None for t in row] for row in result.rows] == [
        [value, "-7", str(len(value))]
    ]
    assert comparable_result(result) == comparable_result(
        run_query(ECHO, {"text": value, "n": "-7"}, graph=local)
    )


# Where a parameter is bound matters: these give different answers if it is
# bound only at the top of the query, or inside a subquery that does not return it.
SCOPES = {
    "filter in the query": "SELECT ?o ?d WHERE { VALUES ?o { 1 2 3 } FILTER(?o < ?d) }",
    "filter in a nested group": "SELECT ?o ?d WHERE { { VALUES ?o { 1 2 3 } FILTER(?o < ?d) } }",
    "filter in a union branch": "SELECT ?o ?d WHERE { { VALUES ?o { 1 2 3 } FILTER(?o < ?d) }"
    " UNION { BIND(0 AS ?o) } }",
    "subquery that does not return it": "SELECT ?o ?d WHERE { { SELECT ?o WHERE"
    " { VALUES ?o { 1 2 3 } FILTER(?o < ?d) } } }",
    "subquery that returns it": "SELECT ?o ?d WHERE { { SELECT ?o ?d WHERE"
    " { VALUES ?o { 1 2 3 } FILTER(?o < ?d) } } }",
    "filter in an optional": "SELECT ?o ?x ?d WHERE { VALUES ?o { 1 3 }"
    " OPTIONAL { VALUES ?x { 1 2 3 } FILTER(?x > ?d) } }",
    "exists": "SELECT ?o ?d WHERE { VALUES ?o { 1 3 } FILTER EXISTS"
    " { VALUES ?x { 1 2 3 } FILTER(?x > ?d && ?x = ?o) } }",
    "grouped": "SELECT ?d (COUNT(*) AS ?n) WHERE { VALUES ?o { 1 2 3 } FILTER(?o < ?d) }"
    " GROUP BY ?d",
    "braces in strings and comments": 'SELECT ?o ?d WHERE { # } {\n VALUES ?o { "}{?d" }'
    " FILTER(STRLEN(?o) > ?d) }",
    "construct": "CONSTRUCT { <http://example.org/s> <http://example.org/p> ?d } WHERE { }",
    "keywords in lower case": "select ?o ?d where { values ?o { 1 2 3 } filter(?o < ?d) }",
}


@pytest.mark.parametrize("text", SCOPES.values(), ids=SCOPES.keys())
def test_parameters_are_bound_where_pyoxigraph_binds_them(
    text: str, remote: EndpointBackend, local: KnowledgeGraph
) -> None:
    saved = parse_query(f"# param: d | integer | required | A number\n{text}", name="scope")
    here = run_query(saved, {"d": "2"}, graph=local)
    assert comparable_result(run_query(saved, {"d": "2"}, backend=remote)) == (
        comparable_result(here)
    )


def test_ask_binds_too(remote: EndpointBackend) -> None:
    # pyoxigraph cannot bind a parameter of an ASK, which returns no variables.
    saved = parse_query(
        "# param: d | integer | required | A number\nASK { VALUES ?o { 1 2 3 } FILTER(?o > ?d) }"
    )
    answers = [run_query(saved, {"d": d}, backend=remote) for d in ("2", "3")]
    assert answers == [AskResult(True), AskResult(False)]


def test_cli_query_and_push(start_oxigraph: Callable[[], OxigraphServer], tmp_path: Path) -> None:
    server = start_oxigraph()
    facts = tmp_path / "facts.ttl"
    facts.write_text(
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://example.org/a> rdfs:label "A"@en ;\n'
        "  prov:wasDerivedFrom [ oa:hasSource <http://example.org/text-1> ] .\n"
        '<http://example.org/text-1> rdfs:label "Text 1"@en .\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["push", "--endpoint", server.query, "--store-endpoint", server.store]
    result = runner.invoke(main, [*args, "--data", str(facts)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "default graph: 4 triples replaced\n<http://example.org/text-1>: 3 triples replaced\n"
    )
    again = runner.invoke(main, [*args, "--data", str(facts), "--append", "--no-sources"])
    assert again.stdout == "default graph: 4 triples added\n"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    query = ["query", "--endpoint", server.query, "--timeout", "10", "-f", "csv"]
    # Appending the same data again adds nothing: its blank node travels as the
    # same Skolem IRI each time (it used to add a second copy: 6 triples).
    assert runner.invoke(main, [*query, "--sparql", count]).stdout == "n\n4\n"
    runner.invoke(main, [*args, "--data", str(facts)])
    assert runner.invoke(main, [*query, "--sparql", count]).stdout == "n\n4\n"
    labelled = "SELECT ?thing WHERE { ?thing ?p ?o } ORDER BY ?thing LIMIT 1"
    assert runner.invoke(main, [*query, "--sparql", labelled]).stdout == (
        "thing\nhttp://example.org/a\n"
    )


def test_a_staged_push_replaces_every_graph_and_leaves_no_staging_graph(
    start_oxigraph: Callable[[], OxigraphServer], tmp_path: Path
) -> None:
    from msskg.publish.transport import send

    server = start_oxigraph()
    ex = "http://example.org/"
    before = (
        f"INSERT DATA {{ <{ex}old> <{ex}p> 1 . GRAPH <{ex}text-1> {{ <{ex}old> <{ex}p> 1 }} "
        f"GRAPH <{ex}other> {{ <{ex}kept> <{ex}p> 1 }} }}"
    )
    update = {"Content-Type": "application/sparql-update"}
    send(server.update, method="POST", body=before.encode(), headers=update, timeout=10)
    facts = tmp_path / "facts.ttl"
    facts.write_text(
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        f'<{ex}a> <{ex}p> "A" ; prov:wasDerivedFrom [ oa:hasSource <{ex}text-1> ] .\n',
        encoding="utf-8",
    )
    args = ["push", "--endpoint", server.store, "--update-endpoint", server.update]
    result = CliRunner().invoke(main, [*args, "--data", str(facts)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "default graph: 3 triples replaced\n<http://example.org/text-1>: 3 triples replaced\n"
    )

    def held(graph: str) -> list[str]:
        _, body = send(f"{server.store}?{graph}", method="GET", body=b"", headers={}, timeout=10)
        subjects = (line.split(" ", 1)[0] for line in body.decode().splitlines() if line)
        return sorted("_:b" if s.startswith(f"<{SKOLEM_PREFIX}") else s for s in subjects)

    # The old triples are gone (replaced), the new ones there: 2 of <a>, 1 of its source's node.
    assert held("default") == held(f"graph={ex}text-1") == [f"<{ex}a>", f"<{ex}a>", "_:b"]
    graphs = run_query(
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
        backend=EndpointBackend(server.query, timeout=10),
    )
    assert isinstance(graphs, SelectResult)
    assert [row[0].value for row in graphs.rows] == [f"{ex}other", f"{ex}text-1"]  # type: ignore[union-attr]
