"""msskg serve over loopback: the SPARQL 1.1 Protocol (GET, POST, content
negotiation), read-only, the row limit, and the time limit stopping a huge
cross product while another client is served."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html import escape
from pathlib import Path
from urllib.parse import quote

import pytest

from msskg.serve.protocol import ServeConfig, negotiate
from msskg.serve.server import Server, start_server

POSTS = "SELECT ?p WHERE { ?p a <http://www.w3.org/ns/org#Post> } ORDER BY ?p"
# Joined through shared objects (rdf:type classes): long, but a shape msskg runs.
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?c . ?d ?h ?i . ?j ?k ?i }"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server(ServeConfig(timeout=3, max_rows=20, workers=2))
    yield running
    running.stop()


def fetch(
    server: Server,
    path: str,
    *,
    accept: str = "*/*",
    body: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, str, str]:
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(server.url + path.lstrip("/"), data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def query_path(text: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(text)


def test_binds_to_loopback_by_default(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")


def test_get_select_as_sparql_json_by_default(server: Server) -> None:
    status, kind, text = fetch(server, query_path(POSTS))
    assert (status, kind) == (200, "application/sparql-results+json")
    values = [b["p"]["value"] for b in json.loads(text)["results"]["bindings"]]
    assert "https://w3id.org/msskg/id/post-minister-of-social-security" in values


@pytest.mark.parametrize(
    ("accept", "kind", "start"),
    [
        ("text/csv", "text/csv; charset=utf-8", "p\r\nhttps://w3id.org/msskg/id/post-"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "?p\n<https"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<?xml"),
        ("text/html;q=0.5, text/csv", "text/csv; charset=utf-8", "p\r\n"),
    ],
)
def test_content_negotiation(server: Server, accept: str, kind: str, start: str) -> None:
    status, got, text = fetch(server, query_path(POSTS), accept=accept)
    assert (status, got) == (200, kind)
    assert text.startswith(start)


def test_post_query_body_and_form(server: Server) -> None:
    status, _, text = fetch(
        server, "/sparql", body=b"ASK { ?s ?p ?o }", content_type="application/sparql-query"
    )
    assert (status, json.loads(text)) == (200, {"head": {}, "boolean": True})
    form = urllib.parse.urlencode({"query": POSTS}).encode()
    status, kind, _ = fetch(
        server,
        "/sparql",
        body=form,
        content_type="application/x-www-form-urlencoded",
        accept="text/csv",
    )
    assert (status, kind) == (200, "text/csv; charset=utf-8")


def test_construct_as_turtle_or_jsonld(server: Server) -> None:
    text = "PREFIX org: <http://www.w3.org/ns/org#>"
    text += "CONSTRUCT { ?p a org:Post } WHERE { ?p a org:Post }"
    status, kind, body = fetch(server, query_path(text), accept="text/turtle")
    assert (status, kind) == (200, "text/turtle; charset=utf-8")
    assert "post-minister-of-social-security" in body
    status, kind, body = fetch(server, query_path(text), accept="application/ld+json")
    assert (status, kind) == (200, "application/ld+json")
    # compacted with the published context, as every JSON-LD msskg writes
    assert {"@context", "@graph"} == set(json.loads(body))


def test_describe_as_jsonld_is_what_the_cli_writes(server: Server) -> None:
    from click.testing import CliRunner

    from msskg.cli import main

    cli = CliRunner().invoke(main, ["describe", "msr:ri-thae-sop", "-f", "jsonld"])
    assert cli.exit_code == 0, cli.output
    path = "/describe?thing=" + quote("https://w3id.org/msskg/id/ri-thae-sop", safe="")
    status, kind, body = fetch(server, path, accept="application/ld+json")
    assert (status, kind) == (200, "application/ld+json")
    assert body == cli.output and '"id": "msr:ri-thae-sop"' in body


def test_updates_are_refused(server: Server) -> None:
    update = urllib.parse.urlencode({"update": "INSERT DATA { <x:a> <x:b> <x:c> }"}).encode()
    status, _, text = fetch(
        server, "/sparql", body=update, content_type="application/x-www-form-urlencoded"
    )
    assert (status, text) == (403, "Error: this endpoint is read-only\n")
    status, _, _ = fetch(
        server,
        "/sparql",
        body=b"DELETE WHERE { ?s ?p ?o }",
        content_type="application/sparql-update",
    )
    assert status == 403
    status, _, text = fetch(server, query_path("DELETE WHERE { ?s ?p ?o }"))
    assert status == 400 and "SPARQL syntax error" in text
    assert fetch(server, query_path("ASK { ?s ?p ?o }"))[2] == '{"head":{},"boolean":true}'


def test_row_limit(server: Server) -> None:
    status, _, text = fetch(server, query_path("SELECT * WHERE { ?s ?p ?o }"))
    assert status == 400
    assert text == "Error: the result has more than 20 rows, the server's limit; add a LIMIT\n"
    assert fetch(server, query_path("SELECT * WHERE { ?s ?p ?o } LIMIT 20"))[0] == 200


def test_cross_product_hits_the_time_limit_while_others_are_served(server: Server) -> None:
    slow: dict[str, tuple[int, str, str]] = {}
    hostile = threading.Thread(target=lambda: slow.update(r=fetch(server, query_path(CROSS))))
    hostile.start()
    answers = [fetch(server, query_path(POSTS), accept="text/csv") for _ in range(5)]
    hostile.join()
    assert [a[0] for a in answers] == [200] * 5
    status, _, text = slow["r"]
    assert status == 503
    assert text.startswith("Error: the query ran past the time limit of 3 s and was stopped")
    # the stopped worker is replaced
    assert [fetch(server, query_path(POSTS))[0] for _ in range(4)] == [200] * 4


def test_saved_query_form_and_describe_pages(server: Server) -> None:
    status, kind, html = fetch(server, "/query/holder-at?date=2021-08-15", accept="text/html")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert '<table id="results">' in html and "<td>Kim Jong-ho</td>" in html
    status, _, html = fetch(server, "/query/holder-at?date=2021-02-30", accept="text/html")
    assert status == 400 and "February 2021 has 28 days" in html
    status, kind, csv = fetch(server, "/query/holder-at?date=2021-08-15", accept="text/csv")
    assert (status, kind) == (200, "text/csv; charset=utf-8") and "Kim Jong-ho" in csv
    status, _, html = fetch(server, "/id/ri-thae-sop", accept="text/html")
    assert status == 200 and "28 December 2022" in html
    status, kind, turtle = fetch(server, "/id/ri-thae-sop", accept="text/turtle")
    assert kind == "text/turtle; charset=utf-8" and "term-ri-thae-sop-2" in turtle
    assert fetch(server, "/id/no-such-thing", accept="text/html")[0] == 404


def test_home_page_has_forms_timeline_and_no_external_assets(server: Server) -> None:
    status, _, html = fetch(server, "/", accept="text/html")
    assert status == 200
    assert 'id="form-holder-at"' in html and 'id="form-sparql"' in html
    assert "<svg" in html and "정치보안국" in html
    assert "http://" not in html.split("<svg", 1)[0].replace("http://www.w3.org", "")
    status, kind, svg = fetch(server, "/timeline.svg?thing=msr:social-security-forces")
    assert (status, kind) == (200, "image/svg+xml") and "조선사회안전군" in svg


def test_every_iri_on_a_page_is_a_link_by_its_label_and_pages_link_back(server: Server) -> None:
    html = fetch(server, "/id/ministry-of-social-security", accept="text/html")[2]
    pyongyang = "https://w3id.org/msskg/id/pyongyang"
    assert f'<a href="/id/pyongyang" title="{pyongyang}">Pyongyang</a>' in html
    headquarters = "https://w3id.org/msskg/ontology#headquarters"
    assert (
        f'<a href="/describe?thing={quote(headquarters, safe="")}" title="{headquarters}">' in html
    )
    see_also = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
    assert f'<a href="{see_also}" title="{see_also}">rdfs:seeAlso</a>' in html
    assert '<h2 id="chart">Organisation chart</h2>' in html
    back = fetch(server, "/id/pyongyang", accept="text/html")[2]
    ministry = "https://w3id.org/msskg/id/ministry-of-social-security"
    assert '<h2 id="linked-from">What links here</h2>' in back
    assert f'<a href="/id/ministry-of-social-security" title="{ministry}">Ministry of' in back
    table = fetch(server, "/query/terms?format=html", accept="text/html")[2]
    assert '<a href="/id/term-ri-thae-sop-2" title="https://w3id.org/msskg/id/term-ri-' in table


def test_the_dataset_describes_itself_at_well_known_void_and_on_the_home_page(
    server: Server,
) -> None:
    status, kind, turtle = fetch(server, "/.well-known/void", accept="text/html")
    assert (status, kind) == (200, "text/turtle; charset=utf-8")
    assert f"void:sparqlEndpoint <{server.url}sparql>" in turtle
    assert "dcterms:license <http://creativecommons.org/licenses/by-sa/4.0/>" in turtle
    status, kind, jsonld = fetch(server, "/.well-known/void", accept="application/ld+json")
    assert (status, kind[:19]) == (200, "application/ld+json") and '"@id"' in jsonld
    html = fetch(server, "/", accept="text/html")[2]
    triples = re.search(r"void:triples (\d+)", turtle)
    assert triples is not None
    assert f'<h2 id="dataset">This dataset</h2><p>{int(triples.group(1)):,} triples about' in html
    assert '<a href="/id/source-002">North Korea\u2019s Ministry' in html
    assert '<a href="/.well-known/void">' in html


def test_negotiate_honours_quality() -> None:
    kinds = {"text/csv": "csv", "application/sparql-results+json": "json"}
    assert negotiate("text/csv;q=0.1, application/sparql-results+json", kinds, "x") == "json"
    assert negotiate("image/png", kinds, "fallback") == "fallback"
    assert negotiate("*/*", kinds, "fallback") == "fallback"


FOUNDING = (
    "The ministry was first created as the Political Security Bureau (Korean: 정치보안국) "
    "on November 19, 1945."
)


def test_search_box_on_every_page_and_results_link_to_resources(server: Server) -> None:
    for path in ("/", "/id/ri-thae-sop", "/sources"):
        html = fetch(server, path, accept="text/html")[2]
        assert '<form method="get" action="/search" role="search">' in html
    status, kind, html = fetch(server, "/search?q=" + urllib.parse.quote("사회안전"))
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert (
        '<ol id="hits"><li class="hit"><a href="/id/ministry-of-social-security" '
        'title="https://w3id.org/msskg/id/ministry-of-social-security">' in html
    )
    status, _, html = fetch(server, "/search?q=" + urllib.parse.quote('"merged back" OR <zzz>'))
    assert "quote: “However, the ministry was later <mark>merged back</mark> with the" in html
    assert "<zzz>" not in html
    status, _, html = fetch(server, "/search?q=%3Cscript%3Ezzz")
    assert status == 200 and "<script>" not in html
    assert "Nothing found for “&lt;script&gt;zzz”" in html
    status, _, html = fetch(server, "/search?q=%20")
    assert status == 400 and 'id="error">search for at least one letter or digit' in html


def test_resource_page_has_timeline_facts_quotes_conflicts(server: Server) -> None:
    from msskg.views.reader import passage_id

    status, _, html = fetch(server, "/id/ministry-of-social-security", accept="text/html")
    assert status == 200
    assert '<h2 id="timeline">' in html and "<svg" in html and "정치보안국" in html
    assert '<li class="fact" id="fact-event-1945-founding">' in html
    link = f'<a class="passage" href="/source/source-000#{passage_id(FOUNDING)}">'
    assert f"<blockquote>{FOUNDING} <small>({link}000_b62adf0e0be71f86.txt</a>)" in html
    assert "<h2>Conflicts</h2>" in html


def test_reader_highlights_each_passage_and_links_its_facts(server: Server) -> None:
    from msskg.views.reader import passage_id

    status, kind, html = fetch(server, "/sources", accept="text/html")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert (
        '<a href="/source/source-000" title="https://w3id.org/msskg/id/source-000">'
        "Ministry of Social Security (North Korea)</a>" in html
    )
    status, _, html = fetch(server, "/source/source-000", accept="text/html")
    anchor = passage_id(FOUNDING)
    assert status == 200
    assert f'<span class="anchor" id="{anchor}"></span><mark class="quote"' in html
    start = html.index(f'id="{anchor}"')
    supports = html.index(f'<span class="supports" data-passage="{anchor}">', start)
    passage = html[start:supports]
    assert "Political Security Bureau (Korean: 정치보안국) on November 19, 1945." in passage
    notes = html[supports : html.index("</span>", supports)]
    assert '<a href="/id/event-1945-founding#fact-event-1945-founding" title="' in notes
    # a reified statement is named by what it says
    said = "Ministry of Social Security headquarters Pyongyang</a>"
    iri = "https://w3id.org/msskg/id/stmt-mss-headquarters"
    link = f'<a href="/id/stmt-mss-headquarters#fact-stmt-mss-headquarters" title="{iri}">'
    assert link + said in html
    # the fact's page holds the anchor the reader links to, and links back
    fact = fetch(server, "/id/event-1945-founding", accept="text/html")[2]
    assert '<li class="fact" id="fact-event-1945-founding">' in fact
    assert f'href="/source/source-000#{anchor}"' in fact
    # the whole text is there: its first and last lines
    text = (Path(__file__).parents[1] / "seeds" / "000_b62adf0e0be71f86.txt").read_text()
    assert html.count("<mark") >= 20 and escape(text.strip().splitlines()[-1]) in html


def test_reader_takes_only_catalogued_sources(server: Server) -> None:
    for path in ("/source/..%2Fpyproject.toml", "/source/../README.md", "/source/"):
        status, _, text = fetch(server, path)
        assert status == 404 and "[project]" not in text and "# msskg" not in text
    status, _, html = fetch(server, "/source/ri-thae-sop", accept="text/html")
    assert status == 404
    assert "no source text https://w3id.org/msskg/id/ri-thae-sop in the catalogue" in html
    html = fetch(server, "/id/source-001", accept="text/html")[2]
    assert '<a id="read" href="/source/source-001">' in html


def test_a_response_written_in_one_turn_is_sent_in_one_write() -> None:
    import asyncio

    from msskg.serve.connection import Coalescing

    class Recording(asyncio.Transport):
        def __init__(self) -> None:
            super().__init__()
            self.writes: list[bytes] = []
            self.closed = False

        def write(self, data: bytes | bytearray | memoryview) -> None:
            self.writes.append(bytes(data))

        def is_closing(self) -> bool:
            return self.closed

        def close(self) -> None:
            self.closed = True

    async def respond() -> list[bytes]:
        inner = Recording()
        outer = Coalescing(inner)
        outer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        outer.write(b"body")
        assert inner.writes == []  # not before the turn ends
        await asyncio.sleep(0)
        outer.write(b"late")
        outer.close()  # what is pending goes out before the close
        assert inner.closed
        big = b"x" * 70_000
        outer.transport = Recording()
        outer.write(b"head")
        outer.write(big)
        await asyncio.sleep(0)
        assert outer.transport.writes == [b"head", big]  # a large body: no copy
        return inner.writes

    assert asyncio.run(respond()) == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"late"]
