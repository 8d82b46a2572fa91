"""Remote engines when things go wrong, against small HTTP stubs on loopback:
every failure is one line on stderr with its own exit code; and the query
rewriting that binds parameters, exactly."""

from __future__ import annotations

import base64
import http.server
import re
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from msskg.cli import main
from msskg.errors import EndpointHTTPError, QueryFileError, QuerySyntaxError
from msskg.publish.remote import AUTH_ENV, TOKEN_ENV
from msskg.publish.transport import send
from msskg.query.catalogue import parse_query
from msskg.query.values import bind_values, sparql_term

ASK_TRUE = b'{"head":{},"boolean":true}'


class Stub(http.server.BaseHTTPRequestHandler):
    """Answers by path: /ok, /error, /forbidden, /slow, /garbage, /html, /not-http,
    /closes."""

    seen: list[dict[str, str]] = []  # noqa: RUF012 (shared with the tests on purpose)

    def do_POST(self) -> None:
        if self.path == "/closes":  # refuses before reading the body, as Virtuoso does
            self.do_HEAD()
            self.close_connection = True
            return
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(dict(self.headers))
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/not-http":
            self.wfile.write(b"hello, this is not HTTP\r\n\r\n")
            return
        status, kind, body = {
            "/ok": (200, "application/sparql-results+json", ASK_TRUE),
            "/slow": (200, "application/sparql-results+json", ASK_TRUE),
            "/error": (500, "text/plain", b"\nstore on fire: disk full\nsecond line\n"),
            "/forbidden": (403, "text/plain", b"who are you?"),
            "/garbage": (200, "application/sparql-results+json", b'{"head": {"vars": ['),
            "/html": (200, "text/html", b"<html><body>Welcome</body></html>"),
            "/page": (404, "text/html", b"<html><head><title>Not here</title></head></html>"),
        }.get(self.path, (404, "text/plain", b"no such path"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST

    def do_HEAD(self) -> None:
        self.send_response(401 if self.path == "/closes" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client gave up on /slow: that is the point


@pytest.fixture(scope="module")
def stub() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1")
        patch.setenv("no_proxy", "127.0.0.1")
        yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def ask(url: str, *options: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        main, ["query", "--sparql", "ASK {}", "--endpoint", url, *options], env=env
    )


def fails(result: Result, code: int, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"Error: {message}\n")


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def test_a_good_answer(stub: str) -> None:
    result = ask(f"{stub}/ok")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "true\n", "")


def test_unreachable_endpoint() -> None:
    url = f"http://127.0.0.1:{closed_port()}/query"
    fails(
        ask(url),
        5,
        f"cannot reach {url}: Connection refused (is the server running? check the URL)",
    )


def test_a_store_that_refuses_before_reading_the_body_asks_for_credentials(
    stub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: Virtuoso answers a push without credentials with 401 and
    # closes the connection before reading the body; msskg then said "lost the
    # connection" (exit 5) or gave the 401 (exit 6), depending on timing.
    monkeypatch.delenv(AUTH_ENV, raising=False)
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(EndpointHTTPError) as caught:
        send(f"{stub}/closes", method="PUT", body=b"x" * (32 << 20), headers={}, timeout=10)
    assert caught.value.exit_code == 6
    assert str(caught.value) == (
        f"{stub}/closes answered HTTP 401 Unauthorized (set MSSKG_ENDPOINT_AUTH=user:password "
        "or MSSKG_ENDPOINT_TOKEN=TOKEN)"
    )


def test_server_error_gives_its_first_line(stub: str) -> None:
    url = f"{stub}/error"
    fails(ask(url), 6, f"{url} answered HTTP 500 Internal Server Error: store on fire: disk full")


def test_an_html_error_page_gives_its_words(stub: str) -> None:
    url = f"{stub}/page"
    fails(ask(url), 6, f"{url} answered HTTP 404 Not Found: Not here")


def test_forbidden_says_how_to_authenticate(stub: str) -> None:
    url = f"{stub}/forbidden"
    fails(
        ask(url),
        6,
        f"{url} answered HTTP 403 Forbidden: who are you? "
        f"(set {AUTH_ENV}=user:password or {TOKEN_ENV}=TOKEN)",
    )


def test_push_to_a_wrong_path_points_at_store_endpoint(stub: str) -> None:
    result = CliRunner().invoke(main, ["push", "--endpoint", f"{stub}/query", "--no-sources"])
    fails(
        result,
        6,
        f"{stub}/query?default answered HTTP 404 Not Found: no such path "
        "(is this the server's Graph Store endpoint? see --store-endpoint)",
    )


def test_timeout(stub: str) -> None:
    url = f"{stub}/slow"
    fails(ask(url, "--timeout", "0.2"), 7, f"{url} did not answer within 0.2 s (raise --timeout)")


def test_malformed_results(stub: str) -> None:
    result = ask(f"{stub}/garbage")
    assert (result.exit_code, result.stdout) == (8, "")
    assert result.stderr.startswith(
        f"Error: {stub}/garbage sent a malformed ASK answer: Parser error"
    )
    assert result.stderr.count("\n") == 1


def test_results_that_are_not_sparql_results(stub: str) -> None:
    fails(
        ask(f"{stub}/html"),
        8,
        f"{stub}/html sent a malformed ASK answer: "
        "its Content-Type is text/html, not a SPARQL results format",
    )


def test_not_http_at_all(stub: str) -> None:
    result = ask(f"{stub}/not-http")
    assert (result.exit_code, result.stdout) == (8, "")
    assert result.stderr.startswith(f"Error: {stub}/not-http did not answer in HTTP")


@pytest.mark.parametrize(
    ("env", "header"),
    [
        ({AUTH_ENV: "reader:s3cret:with colon"}, "Basic "),
        ({TOKEN_ENV: "t0ken"}, "Bearer t0ken"),
        ({}, None),
    ],
)
def test_credentials_come_from_the_environment(
    stub: str, env: dict[str, str], header: str | None
) -> None:
    Stub.seen.clear()
    result = ask(f"{stub}/ok", env={AUTH_ENV: "", TOKEN_ENV: "", **env})
    assert result.exit_code == 0
    sent = Stub.seen[-1].get("Authorization")
    if header == "Basic ":
        assert sent == "Basic " + base64.b64encode(b"reader:s3cret:with colon").decode()
    else:
        assert sent == header
    assert Stub.seen[-1]["Accept"].startswith("application/sparql-results+json")


def test_bad_credentials_and_urls_are_input_errors(stub: str) -> None:
    fails(ask(f"{stub}/ok", env={AUTH_ENV: "nocolon"}), 2, f"{AUTH_ENV} must be user:password")
    fails(
        ask(f"{stub}/ok", env={AUTH_ENV: "a:b", TOKEN_ENV: "t"}),
        2,
        f"set {AUTH_ENV} or {TOKEN_ENV}, not both",
    )
    fails(
        ask("localhost:7878/query"),
        2,
        '"localhost:7878/query" is not the http(s) URL of a SPARQL endpoint '
        "(e.g. http://localhost:7878/query)",
    )


def test_endpoint_with_data_or_timeout_alone_is_a_usage_error(stub: str) -> None:
    both = CliRunner().invoke(
        main, ["query", "--sparql", "ASK {}", "--endpoint", stub, "--data", "x.ttl"]
    )
    assert both.exit_code == 2 and "give only one of --data, --store and --endpoint" in both.stderr
    # --timeout also limits a local query now; "no limit" (0) is for local queries only.
    alone = CliRunner().invoke(main, ["query", "--sparql", "ASK {}", "--timeout", "3"])
    assert (alone.exit_code, alone.stdout) == (0, "true\n")
    unlimited = CliRunner().invoke(
        main, ["query", "--sparql", "ASK {}", "--endpoint", stub, "--timeout", "0"]
    )
    assert unlimited.exit_code == 2
    assert "--timeout 0 (no limit) is for local queries; give a number" in unlimited.stderr


# The rewriting itself.


def test_values_join_every_group_but_templates_data_and_other_scopes() -> None:
    query = parse_query(
        "CONSTRUCT { ?s ?p ?d } WHERE {\n"
        "  VALUES ?s { <http://e/s> } OPTIONAL { ?s ?p ?d }\n"
        "  { SELECT ?s WHERE { ?s ?q ?d } } { SELECT ?d WHERE { ?s ?q ?d } }\n"
        "}",
        name="q",
    )
    bound = bind_values(query, {"d": ox.Literal("1")})
    v = 'VALUES (?d) { ("1") }'
    assert bound == (
        f"CONSTRUCT {{ ?s ?p ?d }} WHERE {{ {v} \n"
        f"  VALUES ?s {{ <http://e/s> }} OPTIONAL {{ {v}  ?s ?p ?d }}\n"
        f"  {{ SELECT ?s WHERE {{ ?s ?q ?d }} }} {{ SELECT ?d WHERE {{ {v}  ?s ?q ?d }} }}\n"
        "}"
    )


def test_no_values_inside_exists_and_after_a_union_of_bound_groups() -> None:
    # Regressions: Virtuoso 7 cannot compile a VALUES of outer variables inside
    # (NOT) EXISTS, and hangs on a VALUES before a UNION of groups that bind it.
    query = parse_query(
        "SELECT ?d WHERE {\n"
        "  { ?s ?p ?d FILTER NOT EXISTS { ?s ?q ?d FILTER EXISTS { ?d ?r ?s } } }\n"
        "  UNION { BIND (1 AS ?x) }\n"
        "}",
        name="q",
    )
    bound = bind_values(query, {"d": ox.Literal("1")})
    v = 'VALUES (?d) { ("1") }'
    assert bound == (
        "SELECT ?d WHERE {\n"
        f"  {{ {v}  ?s ?p ?d FILTER NOT EXISTS {{ ?s ?q ?d FILTER EXISTS {{ ?d ?r ?s }} }} }}\n"
        f"  UNION {{ {v}  BIND (1 AS ?x) }}\n"
        f" {v} }}"
    )


def test_an_optional_gets_only_the_parameters_it_mentions() -> None:
    # Regression: Virtuoso 7.2 dropped OPTIONAL rows (holder-at 2003 lost Paek
    # Hak-rim's "possible" term) or hung when an OPTIONAL's group held a VALUES
    # of parameters it never uses; the enclosing group's VALUES binds them.
    query = parse_query(
        "SELECT ?d ?e WHERE {\n"
        "  ?s ?p ?o OPTIONAL { ?s ?q ?x } OPTIONAL { ?s ?r ?y FILTER (?y < ?e) }\n"
        "  OPTIONAL { ?s ?q ?z OPTIONAL { ?z ?r ?d } }\n"
        "}",
        name="q",
    )
    bound = bind_values(query, {"d": ox.Literal("1"), "e": ox.Literal("2")})
    both, d, e = 'VALUES (?d ?e) { ("1" "2") }', 'VALUES (?d) { ("1") }', 'VALUES (?e) { ("2") }'
    assert bound == (
        f"SELECT ?d ?e WHERE {{ {both} \n"
        f"  ?s ?p ?o OPTIONAL {{ ?s ?q ?x }} OPTIONAL {{ {e}  ?s ?r ?y FILTER (?y < ?e) }}\n"
        f"  OPTIONAL {{ {d}  ?s ?q ?z OPTIONAL {{ {d}  ?z ?r ?d }} }}\n"
        "}"
    )


def test_no_values_in_an_optional_or_minus_group_that_never_names_the_parameter() -> None:
    # Regression: a VALUES in every OPTIONAL made Oxigraph join each OPTIONAL of
    # `children` over the whole graph by hash (every label at 1M) instead of
    # looking it up per row; in a MINUS it made the two sides share ?d, which
    # changes the answer (here: the one row was removed).
    query = parse_query(
        "SELECT ?d WHERE {\n"
        "  ?s ?p ?d OPTIONAL { ?s ?q ?o } OPTIONAL { ?s ?q ?d }\n"
        "  OPTIONAL { { ?o ?r ?d } } MINUS { ?m <http://e/r> ?n }\n"
        "}",
        name="q",
    )
    bound = bind_values(query, {"d": ox.Literal("1")})
    v = 'VALUES (?d) { ("1") }'
    assert bound == (
        f"SELECT ?d WHERE {{ {v} \n"
        f"  ?s ?p ?d OPTIONAL {{ ?s ?q ?o }} OPTIONAL {{ {v}  ?s ?q ?d }}\n"
        f"  OPTIONAL {{ {v}  {{ {v}  ?o ?r ?d }} }} MINUS {{ ?m <http://e/r> ?n }}\n"
        "}"
    )
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("1")))
    store.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/r"), ox.Literal("2")))
    assert [row[0] for row in store.query(bound)] == [ox.Literal("1")]  # type: ignore[index]


def test_without_a_group_the_values_go_at_the_end() -> None:
    query = parse_query("DESCRIBE ?d", name="q")
    assert bind_values(query, {"d": ox.NamedNode("http://e/x")}) == (
        "DESCRIBE ?d\nVALUES (?d) { (<http://e/x>) }\n"
    )


def test_nothing_to_bind_sends_the_text_as_it_is() -> None:
    text = "SELECT * WHERE { ?s ?p ?o  # {\n}"
    assert bind_values(parse_query(text), {}) == text


def test_a_parameter_the_query_assigns_is_refused() -> None:
    for text in ("SELECT ?d WHERE { BIND(1 AS ?d) }", "SELECT ?d WHERE { VALUES ?d { 1 } }"):
        with pytest.raises(QueryFileError, match=r"query q assigns \?d"):
            bind_values(parse_query(text, name="q"), {"d": ox.Literal("1")})


def test_unbalanced_braces() -> None:
    with pytest.raises(
        QuerySyntaxError, match=re.escape("q: SPARQL syntax error: a { is never closed")
    ):
        bind_values(parse_query("SELECT ?d WHERE { ?s ?p ?d", name="q"), {"d": ox.Literal("1")})
    with pytest.raises(QuerySyntaxError, match=re.escape("a } closes no {")):
        bind_values(parse_query("SELECT ?d WHERE { } }", name="q"), {"d": ox.Literal("1")})


@pytest.mark.parametrize(
    ("term", "written"),
    [
        (ox.Literal('say "hi"\\\n\r'), r'"say \"hi\"\\\n\r"'),
        (ox.Literal("} # >", language="en-GB"), '"} # >"@en-gb'),
        (
            ox.Literal("2021", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
            '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>',
        ),
        (ox.NamedNode("http://e/사회?x=1#y"), "<http://e/사회?x=1#y>"),
    ],
)
def test_terms_are_written_escaped(term: ox.NamedNode | ox.Literal, written: str) -> None:
    assert sparql_term(term) == written
    parsed = ox.Store().query(f"SELECT ?x WHERE {{ VALUES ?x {{ {written} }} }}")
    assert [row[0] for row in parsed] == [term]  # type: ignore[index]
