"""Virtuoso 7 (Debian's virtuoso-opensource) as the third engine: the bundled
graph pushed into it over its authenticated Graph Store endpoint (HTTP Digest),
every golden case of every saved query run on it through --endpoint and
compared with the golden files, pushes that repeat themselves, and exit codes
that mean the same as locally.

CI (.ci/run) starts a private server and names it in $MSSKG_TEST_VIRTUOSO;
without that, these tests start one themselves where virtuoso-t is installed,
and skip where it is not (never in CI)."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import virtuoso_server
from click.testing import CliRunner
from test_queries_golden import CASES, GOLDEN, _case_id

from msskg.cli import main
from msskg.errors import EXIT_BAD_INPUT, QuerySyntaxError
from msskg.graph.dataset import load_graph, union_graph
from msskg.publish.remote import AUTH_ENV, EndpointBackend
from msskg.query.catalogue import get_query, list_queries
from msskg.query.engines import run_query
from msskg.query.formats import format_result
from msskg.query.results import SelectResult

# A server to start and the whole graph pushed: the second pytest call of .ci/run
pytestmark = pytest.mark.slow

GRAPH = "https://w3id.org/msskg/graph"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's base URL (http://127.0.0.1:PORT)."""
    named = os.environ.get("MSSKG_TEST_VIRTUOSO")
    if named:
        yield named
        return
    if virtuoso_server.binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Virtuoso tests: .ci/run installs virtuoso-opensource")
        pytest.skip("virtuoso-t is not installed: apt-get install virtuoso-opensource")
    folder = tmp_path_factory.mktemp("virtuoso")
    base, _ = virtuoso_server.start(folder)
    yield base
    virtuoso_server.stop(folder)


@pytest.fixture(scope="module")
def pushed(virtuoso: str) -> str:
    """The bundled graph pushed into <GRAPH>; the query endpoint that reads it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(AUTH_ENV, f"{virtuoso_server.USER}:{virtuoso_server.PASSWORD}")
        patch.setenv("NO_PROXY", "127.0.0.1")
        result = CliRunner().invoke(main, [*push_args(virtuoso), "--graph", GRAPH])
    assert (result.exit_code, result.stderr) == (0, "")
    whole = len(union_graph(load_graph()))
    assert result.stdout.splitlines()[0] == f"<{GRAPH}>: {whole} triples replaced"
    return query_endpoint(virtuoso)


def push_args(base: str) -> list[str]:
    store = f"{base}/sparql-graph-crud-auth"
    return ["push", "--endpoint", f"{base}/sparql", "--store-endpoint", store]


def query_endpoint(base: str, graph: str = GRAPH) -> str:
    return f"{base}/sparql?default-graph-uri={urllib.parse.quote(graph, safe='')}"


# Every golden case, none expected to fail: Virtuoso 7.2 answers each as rdflib and
# Oxigraph do (see tests/test_remote_errors.py for the two Virtuoso behaviours the
# saved queries and the VALUES binding steer around).
GOLDEN_CASES = [
    pytest.param(name, params, id=_case_id(name, params))
    for name, sets in CASES.items()
    for params in sets
]


@pytest.mark.parametrize(("name", "params"), GOLDEN_CASES)
def test_every_golden_case_on_virtuoso(name: str, params: dict[str, str], pushed: str) -> None:
    result = run_query(get_query(name), params, backend=EndpointBackend(pushed, timeout=60))
    assert isinstance(result, SelectResult)
    golden = (GOLDEN / f"{_case_id(name, params)}.tsv").read_text(encoding="utf-8")
    assert format_result(result, "tsv") == golden


def test_every_saved_query_is_covered() -> None:
    assert set(CASES) == {query.name for query in list_queries()}


def count(endpoint: str, graph: str = GRAPH) -> int:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    result = run_query(text, backend=EndpointBackend(endpoint, timeout=30))
    assert isinstance(result, SelectResult) and result.rows[0][0] is not None
    return int(result.rows[0][0].value)


def test_pushing_again_leaves_the_same_triples(
    virtuoso: str, pushed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = tmp_path / "facts.ttl"
    facts.write_text(
        "@prefix time: <http://www.w3.org/2006/time#> .\n"
        "<http://example.org/a> time:hasBeginning [ time:inXSDDate "
        '"2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ] .\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(AUTH_ENV, f"{virtuoso_server.USER}:{virtuoso_server.PASSWORD}")
    graph = "http://example.org/twice"
    args = [*push_args(virtuoso), "--graph", graph, "--no-sources", "--data", str(facts)]
    runner = CliRunner()
    first = runner.invoke(main, args)
    assert (first.exit_code, first.stdout) == (0, f"<{graph}>: 2 triples replaced\n")
    again = runner.invoke(main, [*args, "--append"])
    assert (again.exit_code, again.stdout) == (0, f"<{graph}>: 2 triples added\n")
    assert count(f"{virtuoso}/sparql", graph) == 2


def test_a_staged_push_moves_its_graphs_into_place(
    virtuoso: str, pushed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = tmp_path / "facts.ttl"
    facts.write_text('<http://example.org/a> <http://example.org/p> "new" .\n', encoding="utf-8")
    monkeypatch.setenv(AUTH_ENV, f"{virtuoso_server.USER}:{virtuoso_server.PASSWORD}")
    graph = "http://example.org/staged"
    args = [*push_args(virtuoso), "--graph", graph, "--no-sources", "--data", str(facts)]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0  # something to replace
    facts.write_text('<http://example.org/b> <http://example.org/p> "newer" .\n', encoding="utf-8")
    staged = runner.invoke(main, [*args, "--update-endpoint", f"{virtuoso}/sparql-auth"])
    assert (staged.exit_code, staged.stdout, staged.stderr) == (
        0,
        f"<{graph}>: 1 triples replaced\n",
        "",
    )
    text = (
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
        "'http://example.org/s') || STRSTARTS(STR(?g), 'urn:msskg:')) }"
    )
    rows = run_query(text, backend=EndpointBackend(f"{virtuoso}/sparql", timeout=30))
    assert isinstance(rows, SelectResult)
    assert [(g.value, s.value) for g, s in rows.rows] == [  # type: ignore[union-attr]
        (graph, "http://example.org/b")
    ]


def test_bad_sparql_exits_2_remotely_as_locally(pushed: str) -> None:
    runner = CliRunner()
    bad = ["query", "--sparql", "SELECT ?x WHERE { ?x ?y }"]
    here = runner.invoke(main, bad)
    there = runner.invoke(main, [*bad, "--endpoint", pushed])
    assert here.exit_code == there.exit_code == EXIT_BAD_INPUT
    assert here.stderr == there.stderr
    assert there.stderr.startswith("Error: --sparql:1:26: SPARQL syntax error: ")
    with pytest.raises(QuerySyntaxError):
        run_query("SELECT ?x WHERE { ?x ?y }", backend=EndpointBackend(pushed))


def test_booleans_come_back_as_true_and_false(pushed: str) -> None:
    result = run_query(get_query("equipment"), {}, backend=EndpointBackend(pushed))
    assert isinstance(result, SelectResult)
    flags = {row[-1].value for row in result.rows if row[-1] is not None}
    assert flags == {"true", "false"}


def test_without_credentials_the_store_says_how_to_authenticate(
    virtuoso: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(AUTH_ENV, raising=False)
    monkeypatch.delenv("MSSKG_ENDPOINT_TOKEN", raising=False)
    result = CliRunner().invoke(main, [*push_args(virtuoso), "--graph", GRAPH])
    assert result.exit_code == 6
    assert result.stderr.endswith(
        "answered HTTP 401 Unauthorized (set MSSKG_ENDPOINT_AUTH=user:password "
        "or MSSKG_ENDPOINT_TOKEN=TOKEN)\n"
    )
