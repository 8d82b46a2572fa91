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

import multiprocessing
import queue
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from msskg.errors import EXIT_MEMORY, DataError, MsskgError
from msskg.query.limits import Limits, resident_bytes, size_text, time_message, within
from msskg.serve.protocol import CONTENT_TYPES, Job, Reply, ServeConfig, plain

__all__ = ["Reply", "ServeConfig", "WorkerPool"]

# A worker holding this much more than its resting memory is replaced: the
# allocator keeps what a heavy query (a large DISTINCT or sort) took, while a
# light query leaves far less than this behind.
BLOAT = 32 << 20
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
                # The traceback goes to the server's log, never to the client.
                traceback.print_exc(file=sys.stderr)
                reply = plain(500, "Error: the server failed on this request (see its log)\n")
            conn.send(reply)


class _Worker:
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
        self.resting = resident_bytes(self.process.pid) or 0

    def bloated(self) -> bool:
        """Whether it holds much more memory than when it was new: an allocator
        keeps what a heavy query took, so such a worker is replaced."""
        used = resident_bytes(self.process.pid)
        return used is not None and used > self.resting + BLOAT

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
        self._lanes: dict[str, queue.Queue[_Worker]] = {lane: queue.Queue() for lane in LANES}
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, config.workers)):
            self._add(SPARQL_LANE)
        self._add(PAGES_LANE)

    def _add(self, lane: str) -> None:
        worker = _Worker(self._context, self.config, lane)
        with self._lock:
            self._all.append(worker)
        self._lanes[lane].put(worker)

    def run(self, job: Job) -> Reply:
        limit = self.config.timeout
        # Waiting for a free worker is not the query's time: a queue behind slow
        # queries gets longer, bounded, patience.
        patience = max(30.0, 3 * limit)
        lane = _lane(job)
        try:
            worker = self._lanes[lane].get(timeout=patience)
        except queue.Empty:
            return plain(503, f"Error: every worker stayed busy for {patience:g} s; try again\n")
        deadline = time.monotonic() + limit
        answered = False
        try:
            worker.conn.send(job)
            answered = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            if answered:
                reply: Reply = worker.conn.recv()
                if worker.bloated():
                    self._retire(worker)
                else:
                    self._lanes[lane].put(worker)
                return reply
        except (EOFError, OSError):
            pass
        self._retire(worker)
        if worker.process.exitcode == EXIT_MEMORY and self.config.memory_limit:
            return plain(
                503,
                "Error: the query went over the memory limit of "
                f"{size_text(self.config.memory_limit)} and was stopped; narrow it or add a "
                "LIMIT\n",
            )
        if answered:  # the worker ended without a reply: it crashed
            return plain(
                500,
                "Error: the query crashed its worker process (pyoxigraph aborts on an ORDER BY "
                "of values it cannot all compare: sort by STR(?x)); the worker was replaced\n",
            )
        return plain(503, f"Error: {time_message(limit)}\n")

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.remove(worker)
        worker.stop()
        threading.Thread(target=self._add, args=(worker.lane,), daemon=True).start()

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()


def _lane(job: Job) -> str:
    """Ad-hoc SPARQL goes to its own lane, unless its shape says it is cheap."""
    if job[0] != "sparql":
        return PAGES_LANE
    from msskg.query.shape import is_light

    return PAGES_LANE if is_light(str(job[1].get("query", ""))) else SPARQL_LANE
