"""The query workers of msskg serve: processes that each hold the graph.
pyoxigraph cannot interrupt a query, so one that overruns the time limit is
stopped by ending its process (a fresh one takes its place) while the others
keep serving.

Two lanes keep the pages and cheap queries answering while clients send
costly SPARQL: ad-hoc queries (``/sparql``) run on ``--workers`` workers of
their own, and everything else (the pages, saved queries, describe, search:
the catalogue's bounded queries, and ad-hoc SELECTs whose shape is cheap,
:func:`msskg.query.shape.is_light`) on one more worker."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import socket
import struct
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from msskg.errors import EXIT_MEMORY, DataError, MsskgError
from msskg.query.limits import Limits, resident_bytes, size_text, time_message, within
from msskg.serve.protocol import CONTENT_TYPES, Job, Reply, ServeConfig, kept_when_short, plain

__all__ = ["Reply", "ServeConfig", "WorkerPool"]

# A worker holding this much more than its resting memory is replaced: the
# allocator keeps what a heavy query (a large DISTINCT or sort) took, while a
# light query leaves far less than this behind.
BLOAT = 32 << 20
SHORT = 0.0005  # seconds: writing BLOAT bytes takes several milliseconds
SPARQL_LANE, PAGES_LANE = "sparql", "pages"
LANES = (SPARQL_LANE, PAGES_LANE)


def _worker_main(conn: Connection, config: ServeConfig) -> None:
    from msskg.graph.store import open_store

    with within(Limits(memory=config.memory_limit), say=False):  # the pool says why it ended
        try:
            graph = open_store(data=config.data, store=config.store)
        except MsskgError as err:
            conn.send(("failed", str(err)))
            return
        resting = resident_bytes() or 0  # the graph open, before the pages' code is read
        from msskg.serve.endpoint import run_job

        conn.send(("ready", resting))
        # From here on the socket itself, in Connection's framing: a buffered
        # read takes a job in one system call, where Connection makes two.
        sock = socket.socket(fileno=os.dup(conn.fileno()))
        conn.close()
        incoming = sock.makefile("rb")
        while True:
            try:
                header = incoming.read(4)
                job = pickle.loads(incoming.read(struct.unpack("!i", header)[0]))
            except (struct.error, EOFError, pickle.UnpicklingError, OSError):
                return  # the server has gone
            started = time.perf_counter()
            try:
                reply = run_job(graph, job, config)
            except MsskgError as err:
                reply = (400, CONTENT_TYPES["text"], f"Error: {err}\n".encode())
            except Exception:
                # The traceback goes to the server's log, never to the client.
                traceback.print_exc(file=sys.stderr)
                reply = plain(500, "Error: the server failed on this request (see its log)\n")
            # Whether this worker now holds so much more memory than when it was
            # new that it should be replaced (an allocator keeps what a heavy
            # query took). A job that left BLOAT more behind has written it,
            # which takes far longer than SHORT: only then is /proc read.
            short = time.perf_counter() - started < SHORT
            used = None if short else resident_bytes()
            _send(sock, (reply, used is not None and used > resting + BLOAT))


def _send(sock: socket.socket, answer: tuple[Reply, bool]) -> None:
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    size = len(data)
    header = struct.pack("!i", size) if size < 1 << 31 else struct.pack("!iQ", -1, size)
    if size <= 1 << 16:
        sock.sendall(header + data)
    else:  # no copy of a large answer
        sock.sendall(header)
        sock.sendall(data)


class _Worker:
    """A worker process; the server's event loop talks to it over a socket,
    in the framing of :class:`multiprocessing.connection.Connection`."""

    def __init__(self, context: Any, config: ServeConfig, lane: str):
        self.lane = lane
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
        self.resting: int = message
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def ask(self, job: Job) -> tuple[Reply, bool]:
        """The worker's reply to ``job``, and whether it should be retired."""
        if self.streams is None:
            sock = socket.socket(fileno=os.dup(self.conn.fileno()))
            self.streams = await asyncio.open_connection(sock=sock, limit=1 << 20)
        reader, writer = self.streams
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        writer.write(struct.pack("!i", len(data)) + data)  # a job is at most a few MB
        (size,) = struct.unpack("!i", await reader.readexactly(4))
        if size == -1:  # a reply of 2 GiB or more
            (size,) = struct.unpack("!Q", await reader.readexactly(8))
        answer: tuple[Reply, bool] = pickle.loads(await reader.readexactly(size))
        return answer

    def hang_up(self) -> None:
        """Close the event loop's side of the socket (on the loop's thread)."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the graph; a job that overruns the time
    limit costs its worker, which is replaced. :meth:`run` is called on the
    server's event loop."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self._context = multiprocessing.get_context("spawn")
        self._lanes: dict[str, asyncio.Queue[_Worker]] = {lane: asyncio.Queue() for lane in LANES}
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        for _ in range(max(1, config.workers)):
            self._add(SPARQL_LANE)
        self._add(PAGES_LANE)

    def _add(self, lane: str) -> None:
        """Start a worker (blocking: from a thread once the server runs) and free it."""
        worker = _Worker(self._context, self.config, lane)
        with self._lock:
            self._all.append(worker)
        if self._loop is None:
            self._lanes[lane].put_nowait(worker)
            return
        try:
            self._loop.call_soon_threadsafe(self._lanes[lane].put_nowait, worker)
        except RuntimeError:  # the server has stopped
            worker.stop()

    async def run(self, job: Job) -> Reply:
        self._loop = asyncio.get_running_loop()
        limit = self.config.timeout
        # Waiting for a free worker is not the query's time: a queue behind slow
        # queries gets longer, bounded, patience.
        patience = max(30.0, 3 * limit)
        try:
            worker = await self._free(_lane(job), patience)
        except TimeoutError:
            return plain(503, f"Error: every worker stayed busy for {patience:g} s; try again\n")
        try:
            async with asyncio.timeout(limit):
                reply, retire = await worker.ask(job)
        except TimeoutError:
            overran = True
        except (EOFError, OSError):  # it ended without a reply: it crashed
            overran = False
        except asyncio.CancelledError:  # the server is stopping, the job half done
            self._drop(worker)
            raise
        else:
            if retire:
                await self._retire(worker)
            else:
                self._lanes[worker.lane].put_nowait(worker)
            return reply
        exitcode = await self._retire(worker)
        if exitcode == EXIT_MEMORY and self.config.memory_limit:
            return plain(
                503,
                "Error: the query went over the memory limit of "
                f"{size_text(self.config.memory_limit)} and was stopped; narrow it or add a "
                "LIMIT\n",
            )
        if not overran:
            return plain(
                500,
                "Error: the query crashed its worker process (pyoxigraph aborts on an ORDER BY "
                "of values it cannot all compare: sort by STR(?x)); the worker was replaced\n",
            )
        return plain(503, f"Error: {time_message(limit)}\n")

    async def _free(self, lane: str, patience: float) -> _Worker:
        """A free worker of ``lane``; a job of the pages' lane borrows an idle
        /sparql worker when its own is busy (never the reverse: the pages' worker
        is kept from costly SPARQL)."""
        spare = self._lanes[SPARQL_LANE]
        if lane == PAGES_LANE and self._lanes[lane].empty() and not spare.empty():
            return spare.get_nowait()
        async with asyncio.timeout(patience):  # no task of its own, as wait_for makes
            return await self._lanes[lane].get()

    async def _retire(self, worker: _Worker) -> int | None:
        """End ``worker``, start another in its place; the ended one's exit code."""
        self._forget(worker)
        await asyncio.to_thread(worker.stop)
        threading.Thread(target=self._add, args=(worker.lane,), daemon=True).start()
        exitcode: int | None = worker.process.exitcode
        return exitcode

    def _drop(self, worker: _Worker) -> None:
        """End ``worker`` and start another in its place, both from a thread
        (when the job is cancelled, nothing may be awaited)."""
        self._forget(worker)

        def replace() -> None:
            worker.stop()
            self._add(worker.lane)

        threading.Thread(target=replace, daemon=True).start()

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            self._all.remove(worker)
        worker.hang_up()

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                worker.hang_up()
            worker.stop()


def _lane(job: Job) -> str:
    """Ad-hoc SPARQL goes to its own lane, unless its shape says it is cheap."""
    if job[0] != "sparql":
        return PAGES_LANE
    return PAGES_LANE if _light(str(job[1].get("query", ""))) else SPARQL_LANE


@kept_when_short
def _light(text: str) -> bool:
    from msskg.query.shape import is_light

    return is_light(text)
