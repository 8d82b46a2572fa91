"""msskg serve's HTTP side: a small ASGI app served by uvicorn, in front
of the query workers (:mod:`msskg.serve.workers`). It refuses what a hostile
page or client could abuse (docs/security.md): other ``Host`` names (DNS
rebinding), another site's pages, bodies over 1 MB, query names not the
catalogue's; the connection guard (:mod:`msskg.serve.connection`) the rest.
A failure is one line; a traceback goes to the log only."""

from __future__ import annotations

import asyncio
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

from msskg.errors import MsskgError, shown
from msskg.serve.connection import MAX_HEAD, SECURITY_HEADERS, guarded
from msskg.serve.protocol import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Job,
    Reply,
    ServeConfig,
    kept_when_short,
    plain,
)
from msskg.serve.workers import WorkerPool
from msskg.vocab import MSR

__all__ = [
    "LOOPBACK",
    "MAX_BODY",
    "MAX_HEAD",
    "SECURITY_HEADERS",
    "Server",
    "cross_site",
    "host_name",
    "make_app",
    "serve",
    "start_server",
]

MAX_BODY = 1_000_000
UNREAD_WITHOUT_LIMIT = 8 << 30  # as msskg.query.limits' default at most
LOOPBACK = (DEFAULT_HOST, "localhost", "::1")
_HOST = re.compile(r"(?:\[(?P<ip6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9._-]+))(?::[0-9]{1,5})?")
_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


Message = dict[str, Any]
App = Callable[
    [dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]
"""An ASGI application (its scope, receive and send)."""

_ALWAYS = [(b"vary", b"Accept")] + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


def _start(reply: Reply) -> Message:
    status, content_type, body = reply
    length = (b"content-length", str(len(body)).encode())
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [length, (b"content-type", content_type.encode()), *_ALWAYS],
    }


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port, lower-case; "" for
    anything that is not a host and an optional port (``a:1@evil.example``)."""
    found = _HOST.fullmatch(header.strip().lower())
    if found is None:
        return ""
    return found.group("ip6") or (found.group("name") or "").rstrip(".")


def cross_site(origin: str | None, fetch_site: str | None, host: str) -> bool:
    """Whether a request comes from another site's page: its ``Origin`` is not
    this server (http or https, and the ``Host`` it was sent to), or the browser's
    ``Sec-Fetch-Site`` says it is not from this origin or typed by the user."""
    if fetch_site is not None and fetch_site.strip().lower() not in ("same-origin", "none"):
        return True
    if origin is None:
        return False
    scheme, _, rest = origin.strip().lower().partition("://")
    return scheme not in ("http", "https") or rest != host.strip().lower()


@dataclass(frozen=True)
class Asked:
    """What a route's handler reads of a request: its parameters (query
    string and form), its Accept header, the server's address, the path's parameters."""

    params: dict[str, str]
    accept: str
    base: str
    path: dict[str, str]


Handler = Callable[[Asked], "Job | Reply"]
"""A route's handler: the request to the job a worker answers
(:data:`msskg.serve.endpoint.JOBS`), or a reply at once."""


def _sparql(asked: Asked) -> Job | Reply:
    if "update" in asked.params:
        return plain(403, "Error: this endpoint is read-only\n")
    if "query" not in asked.params:
        return plain(400, "Error: give the query in a query parameter\n")
    fmt = asked.params.get("format") or None
    return ("sparql", {"query": asked.params["query"], "accept": asked.accept, "format": fmt})


def _saved(asked: Asked) -> Job | Reply:
    if not _QUERY_NAME.fullmatch(name := asked.path["name"]):
        return plain(404, f'Error: no saved query "{shown(name)}"; / lists them\n')
    return ("saved", {"name": name, "params": asked.params, "accept": asked.accept})


def _reader(asked: Asked) -> Job | Reply:
    if not _SOURCE_NAME.fullmatch(name := asked.path["name"]):
        return plain(404, f'Error: no source text "{shown(name)}"; /sources lists them\n')
    return ("reader", {"source": MSR + name})


def _describe(asked: Asked) -> Job:
    thing = MSR + asked.path["name"] if asked.path else asked.params.get("thing") or None
    return ("describe", {"thing": thing, "accept": asked.accept})


def _nowhere(asked: Asked) -> Reply:
    return plain(404, f"Error: nothing at /{shown(asked.path['path'])}; try / or /sparql\n")


ROUTES: list[tuple[str, Handler]] = [
    ("/sparql", _sparql),
    ("/", lambda asked: ("home", {"endpoint": asked.base + "sparql"})),
    ("/.well-known/void", lambda a: ("void", {"endpoint": a.base + "sparql", "accept": a.accept})),
    ("/query/{name:path}", _saved),
    ("/timeline.svg", lambda asked: ("timeline", {"thing": asked.params.get("thing")})),
    ("/describe", _describe),
    ("/search", lambda asked: ("search", {"text": asked.params.get("q", "")})),
    ("/sources", lambda asked: ("sources", {})),
    ("/source/{name:path}", _reader),
    ("/id/{name:path}", _describe),
    ("/{path:path}", _nowhere),
]
"""Every page the server answers, in the order they are matched (VoID at
/.well-known/void as its section 7 says)."""


def make_app(
    pool: WorkerPool, config: ServeConfig, log: Callable[[str], None] | None = None
) -> App:
    """The ASGI app: the routes, the checks, and each job handed to ``pool``."""
    allowed = {*LOOPBACK, *(host_name(h) for h in config.hosts)}
    routes = [(_pattern(path), handler) for path, handler in ROUTES]

    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            await receive()  # the server starts
            await send({"type": "lifespan.startup.complete"})
            await receive()  # it stops: before uvicorn hands a caught SIGTERM back
            pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        method, path = scope["method"], scope["path"]
        try:
            found = next(((m, h) for r, h in routes if (m := r.fullmatch(path))), None)
            if found is None:  # not a path: "*" (OPTIONS *), or an absolute URL's remains
                reply = plain(400, "Error: this server answers requests for a path, /...\n")
            else:
                reply = await _handle(scope, receive, found, pool, config, allowed)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            reply = plain(500, "Error: the server failed on this request (see its log)\n")
        if log is not None:
            client = scope["client"][0] if scope.get("client") else "-"
            log(f"{client} {method} {shown(path)} {reply[0]}")
        await send(_start(reply))
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else reply[2]})

    return app


@kept_when_short
def _parameters(query: bytes) -> tuple[tuple[str, str], ...]:
    """A query string's parameters, decoded."""
    return tuple(parse_qsl(query.decode("utf-8", errors="replace"), keep_blank_values=True))


def _pattern(route: str) -> re.Pattern[str]:
    """A route's path as a pattern: ``{name:path}`` is the rest of the path,
    slashes included."""
    parts = re.split(r"\{(\w+):path\}", route)  # text, a name, text, ...
    return re.compile(
        "".join(f"(?P<{p}>.*)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    )


async def _handle(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[Message]],
    route: tuple[re.Match[str], Handler],
    pool: WorkerPool,
    config: ServeConfig,
    allowed: set[str],
) -> Reply:
    # A repeated header counts once, as first given.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in reversed(scope["headers"])}
    host = headers.get("host", "")
    if host_name(host) not in allowed:
        return plain(400, "Error: this server answers only to the host names it listens on\n")
    if cross_site(headers.get("origin"), headers.get("sec-fetch-site"), host):
        return plain(403, "Error: this server answers only its own pages, not another site's\n")
    method = scope["method"]
    params = dict(_parameters(scope["query_string"]))
    found, handler = route
    if method == "POST":
        if handler is not _sparql:
            return plain(405, "Error: POST only to /sparql\n")
        body = await _read_body(receive, headers, config)
        if isinstance(body, tuple):
            return body
        kind = (headers.get("content-type") or "").split(";")[0].strip().lower()
        text = body.decode("utf-8", errors="replace")
        if kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(text, keep_blank_values=True))
        elif kind in ("application/sparql-query", "application/sparql-update"):
            params[kind.removeprefix("application/sparql-")] = text
        else:
            return plain(415, "Error: send application/sparql-query or a urlencoded form\n")
    elif method not in ("GET", "HEAD"):
        return plain(405, "Error: this server answers GET, HEAD and POST only\n")
    accept = headers.get("accept") or "*/*"
    base = f"{scope.get('scheme', 'http')}://{host}/"
    job = handler(Asked(params, accept, base, found.groupdict()))
    if isinstance(job[0], int):
        return job
    return await pool.run(job, _gone(receive))


async def _gone(receive: Callable[[], Awaitable[Message]]) -> None:
    """Returns when the client has gone (its request read, nothing else comes)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _read_body(
    receive: Callable[[], Awaitable[Message]], headers: dict[str, str], config: ServeConfig
) -> bytes | Reply:
    declared = headers.get("content-length")
    if declared is not None and not declared.isdigit():
        return plain(400, "Error: Content-Length must be a number of bytes\n")
    if declared is not None and int(declared) > MAX_BODY:
        return plain(413, "Error: a query may be at most 1 MB\n")
    body = bytearray()
    try:
        async with asyncio.timeout(config.read_timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return plain(400, "Error: the client left before its request arrived\n")
                body += message.get("body", b"")
                if len(body) > MAX_BODY:
                    return plain(413, "Error: a query may be at most 1 MB\n")
                if not message.get("more_body"):
                    return bytes(body)
    except TimeoutError:
        return plain(
            408, f"Error: the request took more than {config.read_timeout:g} s to arrive\n"
        )


@dataclass
class Server:
    """A running server: its address, and how to stop it."""

    uvicorn: uvicorn.Server
    pool: WorkerPool
    socket: socket.socket
    thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        bound = self.socket.getsockname()
        return str(bound[0]), int(bound[1])

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        if self.thread is not None:
            self.thread.join(10)
        self.pool.close()


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except (OSError, OverflowError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise MsskgError(f"cannot listen on {shown(host)}:{port}: {reason}") from None
    return sock


def start_server(
    config: ServeConfig,
    *,
    host: str = DEFAULT_HOST,
    port: int = 0,
    log: Callable[[str], None] | None = None,
    background: bool = True,
) -> Server:
    """Start the workers and the HTTP server (port 0: any free port)."""
    if config.hosts == () and host not in LOOPBACK:
        config = ServeConfig(**{**config.__dict__, "hosts": (host,)})
    sock = _listen(host, port)
    pool = WorkerPool(config)
    settings = uvicorn.Config(
        make_app(pool, config, log),
        http="httptools",
        loop="auto",  # uvloop where it installs (not on Windows), else asyncio
        ws="none",
        proxy_headers=False,  # the client address is the socket's, never a header's
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
        limit_concurrency=200,
        server_header=False,
    )
    settings.load()
    # a quarter of the memory the process may use, for answers clients leave unread
    unread = (config.memory_limit or UNREAD_WITHOUT_LIMIT) // 4
    settings.http_protocol_class = guarded(
        settings.http_protocol_class, config.read_timeout, unread
    )
    runner = uvicorn.Server(settings)
    server = Server(runner, pool, sock)
    if background:
        server.thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
        server.thread.start()
        deadline = time.monotonic() + 30
        while not runner.started and server.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
    return server


def serve(
    config: ServeConfig,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    ready: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); ``ready`` is called with
    the page's address."""
    server = start_server(config, host=host, port=port, log=log, background=False)
    if ready is not None:
        ready(server.url)
    try:
        server.uvicorn.run(sockets=[server.socket])
    except KeyboardInterrupt:
        pass
    finally:
        server.pool.close()
