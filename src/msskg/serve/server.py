"""msskg serve: a read-only SPARQL 1.1 Protocol endpoint over the graph, and a
web page. Queries run in worker processes, each holding the graph: pyoxigraph
cannot interrupt a query, so one that overruns the time limit is stopped by
ending its process (a fresh one takes its place) while the others keep serving."""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from msskg.errors import DataError, MsskgError
from msskg.serve.protocol import CONTENT_TYPES, Job, Reply, ServeConfig

__all__ = ["Reply", "ServeConfig", "Server", "WorkerPool", "serve", "start_server"]


# ---------------------------------------------------------------- workers


def _worker_main(conn: Connection, config: ServeConfig) -> None:
    from msskg.graph.store import open_store

    try:
        graph = open_store(data=config.data, store=config.store)
    except MsskgError as err:
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", ""))
    from msskg.serve.endpoint import run_job

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run_job(graph, job, config)
        except MsskgError as err:
            reply = (400, CONTENT_TYPES["text"], f"Error: {err}\n".encode())
        except Exception:
            reply = (500, CONTENT_TYPES["text"], traceback.format_exc().encode())
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any, config: ServeConfig):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, config), daemon=True)
        self.process.start()
        child.close()
        try:
            status, message = self.conn.recv()
        except (EOFError, OSError):
            status, message = "failed", "a query worker of msskg serve could not start"
        if status != "ready":
            self.stop()
            raise DataError(message)

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the graph; a job that overruns the time
    limit costs its worker, which is replaced."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, config.workers)):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._context, self.config)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def run(self, job: Job) -> Reply:
        limit = self.config.timeout
        # Waiting for a free worker is not the query's time: a queue behind slow
        # queries gets longer, bounded, patience.
        patience = max(30.0, 3 * limit)
        try:
            worker = self._idle.get(timeout=patience)
        except queue.Empty:
            return _text(503, f"Error: every worker stayed busy for {patience:g} s; try again\n")
        deadline = time.monotonic() + limit
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                reply: Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            pass
        self._retire(worker)
        return _text(
            503,
            f"Error: the query ran past the time limit of {limit:g} s and was stopped; "
            "narrow it or add a LIMIT\n",
        )

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.remove(worker)
        worker.stop()
        threading.Thread(target=self._add, daemon=True).start()

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()


def _text(status: int, message: str) -> Reply:
    return status, CONTENT_TYPES["text"], message.encode()


# ---------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        self._route(url.path, params)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._reply(_text(405, "Error: POST only to /sparql\n"))
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1_000_000:
            return self._reply(_text(413, "Error: a query may be at most 1 MB\n"))
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body, keep_blank_values=True))
        elif kind == "application/sparql-query":
            params["query"] = body
        elif kind == "application/sparql-update":
            params["update"] = body
        else:
            return self._reply(
                _text(415, "Error: send application/sparql-query or a urlencoded form\n")
            )
        self._route("/sparql", params)

    def _route(self, path: str, params: dict[str, str]) -> None:
        accept = self.headers.get("Accept") or "*/*"
        pool = self.server.pool
        if path == "/sparql":
            if "update" in params:
                return self._reply(_text(403, "Error: this endpoint is read-only\n"))
            if "query" not in params:
                return self._reply(_text(400, "Error: give the query in a query parameter\n"))
            fmt = params.get("format") or None
            return self._reply(
                pool.run(("sparql", {"query": params["query"], "accept": accept, "format": fmt}))
            )
        if path == "/":
            return self._reply(pool.run(("home", {})))
        if path.startswith("/query/"):
            name = path[len("/query/") :]
            return self._reply(
                pool.run(("saved", {"name": name, "params": params, "accept": accept}))
            )
        if path == "/timeline.svg":
            return self._reply(pool.run(("timeline", {"thing": params.get("thing")})))
        if path == "/describe":
            job = {"thing": params.get("thing") or None, "accept": accept}
            return self._reply(pool.run(("describe", job)))
        if path.startswith("/id/"):
            iri = "https://w3id.org/msskg/id/" + path[len("/id/") :]
            return self._reply(pool.run(("describe", {"thing": iri, "accept": accept})))
        self._reply(_text(404, f"Error: nothing at {path}; try / or /sparql\n"))

    def _reply(self, reply: Reply) -> None:
        status, content_type, body = reply
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    pool: WorkerPool
    log: Callable[[str], None] | None


@dataclass
class Server:
    """A running server: its address, and how to stop it."""

    http: _HTTPServer
    pool: WorkerPool
    thread: threading.Thread | None = field(default=None)

    @property
    def url(self) -> str:
        host, port = self.http.server_address[:2]
        return f"http://{host!s}:{port}/"

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.pool.close()


def start_server(
    config: ServeConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log: Callable[[str], None] | None = None,
    background: bool = True,
) -> Server:
    """Start the workers and the HTTP server (port 0: any free port)."""
    pool = WorkerPool(config)
    try:
        http = _HTTPServer((host, port), _Handler)
    except OSError as err:
        pool.close()
        raise MsskgError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    http.pool, http.log = pool, log
    server = Server(http, pool)
    if background:
        server.thread = threading.Thread(target=http.serve_forever, daemon=True)
        server.thread.start()
    return server


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 10.0,
    max_rows: int = 10_000,
    workers: int = 2,
    data: Sequence[Path | str] = (),
    store: Path | str | None = None,
    ready: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted; ``ready`` is called with the page's address."""
    config = ServeConfig(
        tuple(Path(p) for p in data), Path(store) if store else None, timeout, max_rows, workers
    )
    server = start_server(config, host=host, port=port, log=log, background=False)
    if ready is not None:
        ready(server.url)
    try:
        server.http.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.http.server_close()
        server.pool.close()
