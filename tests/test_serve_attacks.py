"""msskg serve under attack, over loopback only: federation to a host a query
names (a local listener must receive nothing), foreign Host headers (DNS
rebinding), paths under /query/, malformed lengths and bodies, slow and idle
connections, deep nesting, and bad options. Each answer is one line, never a
traceback."""

from __future__ import annotations

import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import cast

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from msskg.cli import main
from msskg.serve.protocol import ServeConfig
from msskg.serve.server import Server, start_server
from tests.test_hostile import MIXED_ORDER, Listener


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server(ServeConfig(timeout=5, max_rows=20, workers=1, read_timeout=1))
    yield running
    running.stop()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def raw(server: Server, request: bytes, *, wait: float = 10) -> bytes:
    host, port = server.address
    with socket.create_connection((host, port), timeout=wait) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def get(server: Server, path: str, host: str = "127.0.0.1") -> tuple[int, str]:
    answer = raw(
        server, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


def sparql(text: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(text)


def test_service_is_refused_and_the_named_host_gets_nothing(
    server: Server, listener: Listener
) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    status, body = get(server, sparql(f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"))
    assert (status, body) == (
        400,
        f"Error: query: SERVICE <{target}> refused: msskg does not send queries to other "
        "servers unless allowed (--allow-service PREFIX)\n",
    )
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "10.0.0.1", ""])
def test_foreign_host_headers_are_refused(server: Server, host: str) -> None:
    status, body = get(server, "/", host=host)
    assert (status, body) == (
        400,
        "Error: this server answers only to the host names it listens on\n",
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:8000", "[::1]:80"])
def test_loopback_host_names_are_answered(server: Server, host: str) -> None:
    assert get(server, sparql("ASK {}"), host=host)[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/query//etc/passwd",
        "/query/../../../etc/passwd",
        "/query/..%2F..%2F..%2Fetc%2Fpasswd",
        "/query/%2Fetc%2Fpasswd",
        "/query/holder-at.rq",
        "/query/%2Fdev%2Fnull.rq",
        "/query/no-such-query-here",
    ],
)
def test_only_catalogue_names_under_query(server: Server, path: str) -> None:
    status, body = get(server, path)
    assert status in (404, 400)
    assert body.startswith("Error: ") and body.count("\n") == 1
    assert "root:" not in body and "Traceback" not in body


def test_existing_and_missing_files_answer_alike(server: Server) -> None:
    there = get(server, "/query/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd")
    missing = get(server, "/query/..%2F..%2F..%2F..%2F..%2Fetc%2Fno-such-file")
    assert there[0] == missing[0] == 404
    assert there[1].replace("passwd", "X") == missing[1].replace("no-such-file", "X")


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1e3", b"10, 20"])
def test_malformed_content_length_is_400(server: Server, length: bytes) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query"
        b"\r\nContent-Length: " + length + b"\r\nConnection: close\r\n\r\nASK {}"
    )
    head, _, body = raw(server, request).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"\r\nX-Frame-Options: DENY" in head
    assert body == b"Error: the request is not valid HTTP/1.1\n"


def test_body_over_a_megabyte_is_413(server: Server) -> None:
    body = b"#" * 1_000_001
    for framing in (
        f"Content-Length: {len(body)}\r\n".encode(),
        b"Transfer-Encoding: chunked\r\n",
    ):
        # The chunked body is left unfinished: the server must answer anyway.
        payload = body if b"Length" in framing else b"%x\r\n" % len(body) + body + b"\r\n"
        request = (
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            b"application/sparql-query\r\nConnection: close\r\n" + framing + b"\r\n" + payload
        )
        answer = raw(server, request)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:80]
        assert answer.endswith(b"Error: a query may be at most 1 MB\n")


@pytest.mark.parametrize(
    "start", [b"", b"GET / HTTP/1.1\r\nHost: 127", b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1"]
)
def test_idle_and_slow_connections_are_closed(server: Server, start: bytes) -> None:
    began = time.monotonic()
    answer = raw(server, start, wait=10)
    assert time.monotonic() - began < 5  # read_timeout is 1 s
    assert b"Traceback" not in answer


def test_a_slow_body_is_cut_off(server: Server) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query"
        b"\r\nContent-Length: 100\r\n\r\nASK"
    )
    began = time.monotonic()
    answer = raw(server, request)
    assert time.monotonic() - began < 5
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 ")


def test_deep_nesting_is_refused_and_the_worker_survives(server: Server) -> None:
    deep = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    status, body = get(server, sparql(deep))
    assert (status, body) == (
        400,
        "Error: query query nests brackets more than 200 deep, deeper than msskg reads; "
        "flatten it\n",
    )
    assert get(server, sparql("ASK {}"))[0] == 200


def test_a_query_that_crashes_the_engine_is_500_and_the_server_goes_on(
    server: Server,
) -> None:
    status, body = get(server, sparql(MIXED_ORDER))
    assert (status, body) == (
        500,
        "Error: the query crashed its worker process (pyoxigraph aborts on an ORDER BY of "
        "values it cannot all compare: sort by STR(?x)); the worker was replaced\n",
    )
    assert get(server, sparql("ASK {}")) == (200, '{"head":{},"boolean":true}')
    assert get(server, sparql(MIXED_ORDER))[0] == 500  # and again: a new worker each time


def test_other_methods_and_posts_elsewhere(server: Server) -> None:
    answer = raw(server, b"DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 405 ")
    assert answer.endswith(b"Error: this server answers GET, HEAD and POST only\n")


def test_another_host_given_is_answered() -> None:
    running = start_server(ServeConfig(workers=1, hosts=("msskg.test",)))
    try:
        assert get(running, sparql("ASK {}"), host="msskg.test:8000")[0] == 200
        assert get(running, sparql("ASK {}"), host="other.test")[0] == 400
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--port", "99999"], "Invalid value for '--port': 99999 is not in the range 0<=x<=65535."),
        (["--port", "-1"], "Invalid value for '--port': -1 is not in the range 0<=x<=65535."),
        (["--timeout", "-1"], "Invalid value for '--timeout': -1.0 is not in the range x>0."),
        (["--timeout", "0"], "Invalid value for '--timeout': 0.0 is not in the range x>0."),
        (["--max-rows", "-5"], "Invalid value for '--max-rows': -5 is not in the range x>=1."),
        (["--workers", "0"], "Invalid value for '--workers': 0 is not in the range 1<=x<=64."),
    ],
)
def test_serve_options_are_checked(option: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["serve", *option])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--workers", "1"])
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


@pytest.mark.parametrize(
    "path",
    [
        "/query/holder-at?date=9999-12-31&post=msr:post-minister-of-social-security",
        "/query/holder-at?date=0001-01-01&post=msr:post-minister-of-social-security",
        "/query/durations?until=9999-12-31",
        "/query/name-at?date=9999-12",
        "/query/" + "x" * 300,
        "/describe?thing=" + "x" * 300,
        "/timeline.svg?thing=" + "x" * 300,
        "/search?q=" + "x" * 300,
        "/source/" + "x" * 300,
        "/id/" + "x" * 300,
    ],
)
def test_dates_and_names_at_the_edges_are_never_500(server: Server, path: str) -> None:
    status, body = get(server, path)
    assert status in (200, 400, 404), body
    assert "Traceback" not in body


def test_a_query_of_a_hostile_shape_is_400(server: Server) -> None:
    from tests.test_hostile import OPTIONALS

    status, body = get(server, sparql(OPTIONALS))
    assert (status, body) == (
        400,
        "Error: query: joins patterns that share no variable (?o0 ?p0 ?s0 and ?o1 ?p1 ?s1), "
        "a product of the whole graph with itself: join them by a variable\n",
    )


@pytest.mark.slow
def test_a_query_over_the_memory_limit_is_503_and_the_worker_comes_back() -> None:
    from msskg.query.limits import resident_bytes
    from tests.test_hostile import HEAVY

    running = start_server(ServeConfig(timeout=60, max_rows=20, workers=1, memory_limit=400 << 20))
    try:
        status, body = get(running, sparql(HEAVY))
        assert (status, body) == (
            503,
            "Error: the query went over the memory limit of 400 MB and was stopped; narrow it "
            "or add a LIMIT\n",
        )
        status, _ = get(running, sparql("ASK { ?s ?p ?o }"))
        assert status == 200
        (worker,) = [w for w in running.pool._all if w.lane == "sparql"]
        assert (resident_bytes(worker.process.pid) or 0) < 400 << 20
    finally:
        running.stop()


def request_with(server: Server, method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    body = "query=ASK%7B%7D" if method == "POST" else ""
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return raw(server, ("\r\n".join(lines) + "\r\n\r\n" + body).encode())


FOREIGN = [
    {"Origin": "http://evil.example.com"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
]


@pytest.mark.parametrize("extra", FOREIGN)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/sparql"),
        ("GET", "/sparql?query=ASK%7B%7D"),
        ("GET", "/query/name-at"),
        ("GET", "/describe?thing=msr:ministry-of-social-security"),
        ("GET", "/search?q=minister"),
        ("GET", "/timeline.svg"),
        ("GET", "/"),
    ],
)
def test_requests_from_another_site_are_403(
    server: Server, method: str, path: str, extra: dict[str, str]
) -> None:
    host = "{}:{}".format(*server.address)
    answer = request_with(server, method, path, {"Host": host, **extra})
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split()[1] == b"403"
    assert body == b"Error: this server answers only its own pages, not another site's\n"


@pytest.mark.parametrize(
    "extra",
    [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"Origin": "ORIGIN"}],
)
def test_its_own_pages_and_the_user_are_answered(server: Server, extra: dict[str, str]) -> None:
    host = "{}:{}".format(*server.address)
    extra = {k: v.replace("ORIGIN", f"http://{host}") for k, v in extra.items()}
    answer = request_with(server, "POST", "/sparql", {"Host": host, **extra})
    assert answer.split()[1] == b"200"


def test_every_answer_forbids_framing_sniffing_scripts_and_referrers(server: Server) -> None:
    for path in ("/", "/sparql?query=ASK%7B%7D", "/nothing", "/query/" + "x" * 300):
        answer = raw(
            server, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        head = answer.partition(b"\r\n\r\n")[0].decode().lower()
        assert "content-security-policy: default-src 'none'; " in head
        assert "frame-ancestors 'none'" in head
        assert "x-content-type-options: nosniff" in head
        assert "x-frame-options: deny" in head
        assert "referrer-policy: no-referrer" in head


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000@evil.com", "127.0.0.1@evil.com", "127.0.0.1:80:80", "127.0.0.1 x"]
)
def test_a_host_header_is_parsed_strictly(server: Server, host: str) -> None:
    assert get(server, "/sparql?query=ASK%7B%7D", host=host) == (
        400,
        "Error: this server answers only to the host names it listens on\n",
    )


@pytest.mark.parametrize(
    ("size", "status", "message"),
    [
        (70_000, b"414", b"Error: the address may be at most 64 KiB\n"),
        (300_000, b"414", b"Error: the address may be at most 64 KiB\n"),
        (2_000_000, b"414", b"Error: the address may be at most 64 KiB\n"),
    ],
)
def test_a_long_url_is_414_not_a_reset(
    server: Server, size: int, status: bytes, message: bytes
) -> None:
    request = f"GET /sparql?query={'a' * size} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    answer = raw(server, request)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split()[1] == status
    assert body == message


def test_long_headers_are_431(server: Server) -> None:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 70_000 + b"\r\n\r\n"
    head, _, body = raw(server, request).partition(b"\r\n\r\n")
    assert head.split()[1] == b"431"
    assert body == b"Error: the request's headers may be at most 64 KiB\n"


def form_post(text: str, headers: bytes = b"") -> bytes:
    """A POST of ``text`` to /sparql as a form, with ``headers`` (lines) added."""
    body = ("query=" + urllib.parse.quote(text)).encode()
    return (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
        + b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


def test_a_large_post_body_is_not_taken_for_a_long_head(server: Server) -> None:
    text = "ASK { ?s ?p ?o } #" + "x" * 200_000
    request = form_post(text, b"Connection: close\r\n")
    assert raw(server, request).split()[1] == b"200"


def test_slowloris_cannot_keep_a_whole_request_out() -> None:
    from msskg.serve.connection import WAITING_PER_CLIENT

    running = start_server(ServeConfig(timeout=5, workers=1, read_timeout=60))
    host, port = running.address
    slow = []
    try:
        for _ in range(3 * WAITING_PER_CLIENT):
            sock = socket.create_connection((host, port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            slow.append(sock)
        assert get(running, "/sparql?query=ASK%7B%7D")[0] == 200
        time.sleep(0.5)
        open_ones = 0
        for sock in slow:
            sock.setblocking(False)
            try:
                open_ones += sock.recv(1) != b""
            except BlockingIOError:
                open_ones += 1  # nothing to read and not closed: still waiting
            except OSError:
                pass
        assert open_ones <= WAITING_PER_CLIENT
    finally:
        for sock in slow:
            sock.close()
        running.stop()


@pytest.mark.slow
def test_pages_keep_answering_while_five_clients_send_heavy_sparql() -> None:
    import threading

    from tests.test_serve import CROSS, POSTS

    running = start_server(ServeConfig(timeout=4, workers=2))
    stop = threading.Event()
    heavy_statuses: list[int] = []

    def heavy() -> None:
        request = f"GET {sparql(CROSS)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        while not stop.is_set():
            answer = raw(running, request.encode(), wait=120)
            heavy_statuses.append(int(answer.split()[1]))

    clients = [threading.Thread(target=heavy) for _ in range(5)]
    try:
        for client in clients:
            client.start()
        time.sleep(0.5)  # every SPARQL worker busy, and a queue behind them
        light = [get(running, "/query/name-at?date=2021&format=csv")[0] for _ in range(10)]
        light += [get(running, sparql(POSTS))[0] for _ in range(10)]
        busy = len(heavy_statuses) == 0 or any(c.is_alive() for c in clients)
        assert light == [200] * 20
        assert busy  # the pages were answered while the heavy queries still ran
    finally:
        stop.set()
        for client in clients:
            client.join(60)
        running.stop()
    assert set(heavy_statuses) <= {503}


@pytest.mark.parametrize(
    ("text", "light"),
    [
        ("SELECT ?p WHERE { ?p a <http://www.w3.org/ns/org#Post> }", True),
        # a sort may end pyoxigraph; inline rows and growing text cost whatever the shape
        ("SELECT ?p WHERE { ?p a <http://www.w3.org/ns/org#Post> } ORDER BY ?p", False),
        ("SELECT ?x { VALUES ?x { 1 2 3 } }", False),
        ("SELECT ?b { ?s a <x:C> BIND (CONCAT(?s, ?s) AS ?b) }", False),
        ('SELECT (SUM(STRLEN(REPLACE("ab", "a", "$0$0"))) AS ?n) { ?s a <x:C> }', False),
        ("SELECT ?values ?order { ?values a <x:C> ; <x:order> ?order }", True),  # names
        ("SELECT * { ?s a <x:C> ; <x:l> ?l }", True),
        ("ASK {}", True),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 20", False),  # a variable predicate
        ("SELECT * { ?s <x:l> ?o }", False),  # both ends open
        ("SELECT * { ?s <x:p>+ ?o . ?s a <x:C> }", False),  # a path
        ("SELECT * { ?s (<x:p>|<x:q>) ?o . ?s a <x:C> }", False),
        ("SELECT * { ?a a <x:C> . ?b a <x:C> }", False),  # not joined
        ("SELECT * { { SELECT ?a { ?a a <x:C> } } ?a a <x:D> }", False),  # a subquery
        ('SELECT * { ?s a <x:C> ; <x:l> "a+b*c" }', True),  # + and * in a string
    ],
)
def test_which_sparql_is_light(text: str, light: bool) -> None:
    from msskg.query.shape import is_light

    assert is_light(text) is light


@pytest.mark.parametrize("method", ["OPTIONS", "GET"])
def test_a_target_that_is_not_a_path_is_one_line(server: Server, method: str) -> None:
    """Regression: ``OPTIONS *`` matched no route and was a 500 with a traceback."""
    answer = raw(
        server, f"{method} * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 400 Bad Request"
    assert b"X-Frame-Options: DENY" in head or b"x-frame-options: DENY" in head
    assert body == b"Error: this server answers requests for a path, /...\n"


@pytest.mark.slow
def test_answers_left_unread_are_bounded_by_cutting_the_clients_that_leave_them() -> None:
    """Regression: 24 clients that asked for a 64 MB answer each and read none
    of it took the server over its memory limit, and it ended. The answers so
    held stay within a quarter of the limit: past it, such a client is cut."""
    doubled = " ".join(f"BIND (CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(21))
    text = f'SELECT ?s21 {{ BIND ("abcdefgh" AS ?s0) {doubled} }}'  # 16 MiB
    running = start_server(ServeConfig(timeout=30, workers=2, memory_limit=256 << 20))
    guard = running.uvicorn.config.http_protocol_class
    host, port = running.address
    request = f"GET {sparql(text)}&format=json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    stuck: list[socket.socket] = []
    try:
        for _ in range(8):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect((host, port))
            sock.sendall(request)
            stuck.append(sock)
        for _ in range(20):  # the answers are made and written, the clients reading none
            time.sleep(0.5)
            assert guard.unread[0] <= 64 << 20
        sizes = []
        for sock in stuck:  # each read to its end: whole, or cut short
            sock.settimeout(10)
            received = 0
            try:
                while chunk := sock.recv(1 << 20):
                    received += len(chunk)
                    if received > 16 << 20:
                        break
            except (ConnectionResetError, TimeoutError):
                pass
            sizes.append(received)
        whole = sum(1 for size in sizes if size > 16 << 20)
        assert whole >= 1 and len(sizes) - whole >= 1, sizes
        assert get(running, "/sparql?query=ASK%7B%7D")[0] == 200
    finally:
        for sock in stuck:
            sock.close()
        running.stop()


@pytest.mark.slow
def test_a_worker_left_holding_memory_is_replaced() -> None:
    from msskg.query.limits import resident_bytes
    from msskg.serve.process import BLOAT

    running = start_server(ServeConfig(timeout=60, max_rows=20, workers=1))
    try:
        (before,) = [w for w in running.pool._all if w.lane == "sparql"]
        distinct = (
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?c ?i WHERE "
            "{ ?a ?b ?c . ?d ?e ?c . ?d ?h ?i } }"
        )
        assert (
            raw(
                running,
                f"GET {sparql(distinct)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n\r\n".encode(),
                wait=120,
            ).split()[1]
            == b"200"
        )
        deadline = time.monotonic() + 60
        while (len(running.pool._all) < 2 or before.process.is_alive()) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert not before.process.is_alive()  # it held more than BLOAT over its rest
        (after,) = [w for w in running.pool._all if w.lane == "sparql"]
        assert after is not before
        assert (resident_bytes(after.process.pid) or 0) < before.resting + BLOAT
    finally:
        running.stop()


def test_pipelined_requests_are_answered_and_a_slow_next_one_is_cut_off(server: Server) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    host, port = server.address
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request + request)
        answers = b""
        while answers.count(b'"boolean":true') < 2:  # both answers whole
            answers += sock.recv(65536)
        sock.sendall(b"GET / HTTP/1.1\r\nHo")  # the third never ends: read_timeout is 1 s
        began = time.monotonic()
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
        assert time.monotonic() - began < 5
    assert answers.count(b"HTTP/1.1 200") == 2
    assert rest == b""


def test_a_large_post_pipelined_before_a_get_leaves_both_answered(server: Server) -> None:
    post = form_post("ASK { ?s ?p ?o } #" + "x" * 100_000)
    get = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answers = raw(server, post + get)
    assert answers.count(b"HTTP/1.1 200 OK") == 2
    assert answers.count(b'"boolean":true') == 2


def test_a_long_head_pipelined_after_a_request_is_still_414(server: Server) -> None:
    first = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    long = b"GET /sparql?query=" + b"a" * 70_000
    host, port = server.address
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(first + long[:1000])
        time.sleep(0.2)  # the long head goes on in a later read
        sock.sendall(long[1000:] + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answers = b""
        while chunk := sock.recv(65536):
            answers += chunk
    assert answers.startswith(b"HTTP/1.1 200 OK")
    assert answers.endswith(b"Error: the address may be at most 64 KiB\n")
    assert b"HTTP/1.1 414 URI Too Long" in answers


def test_a_request_after_the_last_one_gets_one_answer(server: Server) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    assert raw(server, request).endswith(b'{"head":{},"boolean":true}')
    # HTTP/1.0 without keep-alive: nothing may follow in the same bytes
    answer = raw(server, request + request)
    assert answer.count(b"HTTP/1.1 ") == 1
    assert answer.endswith((b'{"head":{},"boolean":true}', b"not valid HTTP/1.1\n"))


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n",
        b"GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40,  # a TLS hello
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",  # smuggling: both lengths
    ],
)
def test_malformed_requests_are_one_line_400s(server: Server, request_bytes: bytes) -> None:
    head, _, body = raw(server, request_bytes).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"\r\nX-Frame-Options: DENY" in head
    assert body == b"Error: the request is not valid HTTP/1.1\n"


def test_a_job_cancelled_midway_costs_its_worker_not_the_lane() -> None:
    import asyncio

    from msskg.serve.workers import WorkerPool

    slow_text = (  # over a second
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?c ?i WHERE "
        "{ ?a ?b ?c . ?d ?e ?c . ?d ?h ?i } }"
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # not light: the same lane

    def job(text: str) -> tuple[str, dict[str, str | None]]:
        return ("sparql", {"query": text, "accept": "text/csv", "format": None})

    pool = WorkerPool(ServeConfig(workers=1, timeout=30))
    try:

        async def cancel_then_ask() -> tuple[int, str, bytes]:
            slow = asyncio.ensure_future(pool.run(job(slow_text)))
            await asyncio.sleep(0.3)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            return await pool.run(job(count))  # waits for the worker put in its place

        status, _, body = asyncio.run(cancel_then_ask())
        assert status == 200 and body.startswith(b"n\r\n")
        assert len(pool._all) == 2
    finally:
        pool.close()


def answers_to(server: Server, *writes: bytes, pause: float = 0.0) -> bytes:
    """Everything the server sends on one connection to ``writes`` (``pause``
    seconds apart), until it closes it."""
    host, port = server.address
    with socket.create_connection((host, port), timeout=10) as sock:
        for data in writes:
            sock.sendall(data)
            time.sleep(pause)
        answers = b""
        while chunk := sock.recv(65536):
            answers += chunk
    return answers


ASK = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
PADDED = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 100_000 + b"\r\n\r\n"


@pytest.mark.parametrize("protocol", [b"websocket", b"h2c"])
def test_an_upgrade_is_answered_in_http_1_1_and_the_guard_goes_on(
    server: Server, protocol: bytes
) -> None:
    upgrade = (
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: " + protocol + b"\r\n"
        b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
    )
    # msskg never switches protocols: the request pipelined after the
    # upgrade is answered, and a long head after them is still refused.
    answers = answers_to(server, upgrade + ASK, PADDED, pause=0.3)
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert answers.count(b'{"head":{},"boolean":true}') == 2
    assert b"HTTP/1.1 431 Request Header Fields Too Large\r\n" in answers
    assert answers.endswith(b"Error: the request's headers may be at most 64 KiB\n")


@pytest.mark.parametrize(
    ("long", "status", "message"),
    [
        (PADDED, b"431 Request Header Fields Too Large", b"the request's headers"),
        (
            b"GET /?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"414 URI Too Long",
            b"the address",
        ),
    ],
)
def test_a_whole_long_head_pipelined_in_the_same_write_is_refused(
    server: Server, long: bytes, status: bytes, message: bytes
) -> None:
    answers = answers_to(server, ASK + long + ASK)
    assert answers.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answers.count(b"HTTP/1.1 ") == 2
    assert b"\r\n\r\nHTTP/1.1 " + status + b"\r\n" in answers.replace(b"true}", b"true}\r\n\r\n")
    assert answers.endswith(b"Error: " + message + b" may be at most 64 KiB\n")


def test_a_refused_connection_is_closed_soon_though_the_client_stays() -> None:
    running = start_server(ServeConfig(workers=1, read_timeout=60))
    host, port = running.address
    try:
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(b"GARBAGE\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            assert answer.endswith(b"Error: the request is not valid HTTP/1.1\n")
            # The client keeps its side open and goes on sending: the server
            # still closes the connection, after a grace of 2 s for the answer.
            began = time.monotonic()
            with pytest.raises(OSError):
                while time.monotonic() - began < 10:
                    sock.sendall(b"more ")
                    time.sleep(0.1)
            assert time.monotonic() - began < 5
    finally:
        running.stop()


@pytest.mark.parametrize("pause", [0.0, 0.05])
def test_a_request_followed_by_bad_bytes_is_answered_before_the_400(
    server: Server, pause: float, caplog: pytest.LogCaptureFixture
) -> None:
    slow = (  # answered after a second or so, when the bad bytes have long come
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?c ?i WHERE "
        "{ ?a ?b ?c . ?d ?e ?c . ?d ?h ?i } }"
    )
    first = f"GET {sparql(slow)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    writes = (ASK + first, b"GARBAGE\r\n\r\n") if pause else (ASK + first + b"GARBAGE\r\n\r\n",)
    answers = answers_to(server, *writes, pause=pause)
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert answers.rindex(b"HTTP/1.1 200 OK") < answers.index(b"HTTP/1.1 400 Bad Request\r\n")
    assert answers.endswith(b"Error: the request is not valid HTTP/1.1\n")
    assert "write_eof" not in caplog.text


class _Transport:
    """A transport that keeps what the guard writes, for the guard alone."""

    def __init__(self) -> None:
        self.written = b""
        self.closing = False

    def get_extra_info(self, name: str) -> object:
        return ("127.0.0.1", 1) if name == "peername" else None

    def write(self, data: bytes) -> None:
        self.written += data

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True


class _Behind:
    """The protocol behind the guard: what it was handed."""

    def __init__(self) -> None:
        self.handed = b""

    def connection_made(self, transport: object) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        self.handed += data

    def connection_lost(self, exc: Exception | None) -> None:
        pass


PIECES = [
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 12\r\n\r\nA\r\n\r\nB\r\n\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"6\r\n\r\n\r\n\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n\r\n",
    b"\r\n",  # an empty line between requests
    b"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
    b"Upgrade: h2c\r\n\r\n",
]


@given(
    requests=st.lists(st.sampled_from(PIECES), max_size=6),
    garbage=st.sampled_from([b"", b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nNo colon\r\n\r\n"]),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
)
@settings(max_examples=300, deadline=None)
def test_the_guard_hands_on_exactly_the_requests_before_a_bad_one(
    requests: list[bytes], garbage: bytes, cuts: list[int]
) -> None:
    """However the bytes are split into reads, the protocol behind is given
    the whole requests before a bad one, and of the bad one at most what came
    in reads before the one it was found bad in (a part of a head, which it
    keeps and never acts on); the 400 only when there is a bad one."""
    import asyncio
    import itertools

    from msskg.serve.connection import guarded

    valid = b"".join(requests)
    stream = valid + garbage
    bounds = sorted({0, len(stream), *(cut % (len(stream) + 1) for cut in cuts)})

    async def feed() -> tuple[bytes, bytes]:
        guard = guarded(_Behind, 10, 1 << 30)()
        transport = _Transport()
        guard.connection_made(transport)  # type: ignore[arg-type]
        for start, end in itertools.pairwise(bounds):
            guard.data_received(stream[start:end])
        await asyncio.sleep(0)
        guard.connection_lost(None)
        # (an Upgrade header is renamed: msskg never switches protocols)
        handed = cast(_Behind, guard.inner).handed.replace(b"Ignored:", b"Upgrade:")
        return handed, transport.written

    handed, written = asyncio.run(feed())
    last = max((i for i, r in enumerate(requests) if r != b"\r\n"), default=-1)
    assert handed.startswith(b"".join(requests[: last + 1]))  # empty lines may follow
    assert stream.startswith(handed)
    assert len(handed) < len(stream) if garbage else handed == valid
    assert written.startswith(b"HTTP/1.1 400 Bad Request\r\n") if garbage else written == b""


def test_a_post_asking_for_h2c_is_answered_with_its_body(server: Server) -> None:
    # What curl --http2 -d sends: llhttp leaves the body of a request asking
    # for an upgrade to the new protocol, which msskg never switches to.
    post = form_post(
        "ASK{}",
        b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n",
    )
    last = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answers = answers_to(server, post + post + last)
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert answers.count(b'{"head":{},"boolean":true}') == 3


def test_a_refused_connection_counts_as_waiting_until_it_is_closed() -> None:
    import asyncio

    from msskg.serve.connection import guarded

    async def refuse() -> tuple[bool, bool, bool, bytes]:
        kind = guarded(_Behind, 0.05, 1 << 30)  # the grace is then 0.05 s, not 2 s
        guard, transport = kind(), _Transport()
        guard.connection_made(transport)  # type: ignore[arg-type]
        guard.data_received(b"GARBAGE\r\n\r\n")
        await asyncio.sleep(0)
        counted = guard in kind.waiting.get("127.0.0.1", {})
        open_then = not transport.closing
        await asyncio.sleep(0.2)
        closed = transport.closing
        guard.connection_lost(None)
        return counted, open_then, closed, transport.written

    counted, open_then, closed, written = asyncio.run(refuse())
    assert written.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert (counted, open_then, closed) == (True, True, True)
