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
import collections
import contextlib
import math
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
from collections.abc import Awaitable

from msskg.errors import EXIT_MEMORY
from msskg.query.limits import size_text, time_message
from msskg.serve.process import Replies
from msskg.serve.protocol import (
    LANES,
    PAGES_LANE,
    SPARQL_LANE,
    Job,
    Reply,
    ServeConfig,
    kind_of,
    lane_of,
    plain,
)
from msskg.serve.worker import CHEAP, STALL, _Ended, _Left, _Patience, _Ticket, _Worker

__all__ = ["Reply", "ServeConfig", "WorkerPool"]

_KINDS = 4096  # kinds whose cost is kept; past it, all are forgotten


class WorkerPool:
    """Worker processes that each hold the graph; a job that overruns the time
    limit costs its worker, which is replaced. :meth:`run` is called on the
    server's event loop, which alone touches the fields below (a thread that
    starts a worker hands it over with ``call_soon_threadsafe``).

    The time limits cost no timer a job: each worker has one, which when it
    fires checks the job running then and is set again for that job's end;
    the jobs waiting for a worker likewise, one a lane."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[str, list[_Worker]] = {lane: [] for lane in LANES}  # connected
        self._waiting: dict[str, collections.deque[_Ticket]] = {
            lane: collections.deque() for lane in LANES
        }
        self._patience: dict[str, asyncio.TimerHandle | None] = dict.fromkeys(LANES)
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opened: asyncio.Future[None] | None = None  # the first workers connected
        self._connecting: set[asyncio.Task[None]] = set()
        self._closed = False
        self._costs: dict[object, float] = {}  # CPU seconds a job, by kind: a moving mean
        for _ in range(max(1, config.workers)):
            self._add(SPARQL_LANE)
        self._add(PAGES_LANE)

    def _add(self, lane: str) -> None:
        """Start a worker (blocking: from a thread once the server runs)."""
        if self._closed:
            return
        worker = _Worker(self._context, self.config, lane)
        with self._lock:
            self._all.append(worker)
        if self._loop is None:
            return  # connected by the first job
        try:
            self._loop.call_soon_threadsafe(self._enlist, worker)
        except RuntimeError:  # the server has stopped
            worker.stop()

    def _enlist(self, worker: _Worker) -> None:
        if self._closed:
            worker.stop()
            return
        task = asyncio.ensure_future(self._connect(worker))
        self._connecting.add(task)  # kept from the garbage collector while it runs
        task.add_done_callback(self._connecting.discard)

    async def _connect(self, worker: _Worker) -> None:
        assert self._loop is not None
        sock = socket.socket(fileno=os.dup(worker.conn.fileno()))
        transport, _ = await self._loop.create_connection(
            lambda: Replies(
                lambda reply, retire, took: self._answered(worker, reply, retire, took),
                lambda: self._end(worker, _Ended(overran=False)),
            ),
            sock=sock,
        )
        worker.transport = transport
        if not worker.alive or self._closed:  # the server is stopping
            worker.hang_up()
            return
        self._workers[worker.lane].append(worker)
        self._dispatch()

    async def _open(self) -> None:
        """Connect the workers started before the event loop ran."""
        with self._lock:
            started = list(self._all)
        await asyncio.gather(*(self._connect(worker) for worker in started))

    async def run(self, job: Job, left: Awaitable[object] | None = None) -> Reply:
        """``job``'s reply. ``left``: done when its client goes; a job then
        waiting for a worker leaves its line (one sent to a worker runs on)."""
        if self._opened is None:
            self._loop = asyncio.get_running_loop()
            self._opened = asyncio.ensure_future(self._open())
        if not self._opened.done():
            await asyncio.shield(self._opened)
        assert self._loop is not None
        lane, kind = lane_of(job), kind_of(job)
        cheap = self._costs.get(kind, CHEAP) < CHEAP
        ticket = _Ticket(job, lane, self._loop.create_future(), self._loop.time(), kind, cheap)
        self._place(ticket)
        watch = None if left is None else asyncio.ensure_future(left)
        if watch is not None:
            watch.add_done_callback(lambda gone: self._left(ticket, gone))
        try:
            return await ticket.future
        except _Left:
            return plain(400, "Error: the client left before its answer\n")
        except _Patience:
            return plain(
                503, f"Error: every worker stayed busy for {self._patience_s:g} s; try again\n"
            )
        except _Ended as ended:
            assert ticket.worker is not None and ticket.worker.gone is not None
            exitcode = await ticket.worker.gone
            if exitcode == EXIT_MEMORY and self.config.memory_limit:
                return plain(
                    503,
                    "Error: the query went over the memory limit of "
                    f"{size_text(self.config.memory_limit)} and was stopped; narrow it or add a "
                    "LIMIT\n",
                )
            if not ended.overran:
                return plain(500, _crashed(exitcode))
            return plain(503, f"Error: {time_message(self.config.timeout)}\n")
        except asyncio.CancelledError:  # the server is stopping, the job perhaps half done
            self._cancelled(ticket)
            raise
        finally:
            if watch is not None:
                watch.cancel()

    def _left(self, ticket: _Ticket, gone: asyncio.Future[object]) -> None:
        if gone.cancelled():  # the job was answered (or given up) first
            return
        ticket.left = True
        if ticket.worker is None and not ticket.future.done():
            with contextlib.suppress(ValueError):
                self._waiting[ticket.lane].remove(ticket)
            ticket.future.set_exception(_Left())

    @property
    def _patience_s(self) -> float:
        # Waiting for a free worker is not the query's time: a queue behind slow
        # queries gets longer, bounded, patience.
        return max(30.0, 3 * self.config.timeout)

    def _pick(self, lane: str, cheap: bool) -> _Worker | None:
        """A worker for a job of ``lane``. A ``cheap`` page's job goes behind
        cheap ones (:data:`CHEAP`) in a busy worker of its lane, the shortest
        line; a page's job to an idle worker of its lane, else to an idle
        /sparql worker; a /sparql job to an idle /sparql worker. The pages'
        worker is never lent to /sparql, and a /sparql worker is lent only
        while no /sparql job waits."""
        own = self._workers[lane]
        if lane != PAGES_LANE:
            return next((worker for worker in own if not worker.pending), None)
        lenders = [] if self._waiting[SPARQL_LANE] else self._workers[SPARQL_LANE]
        for group in (own, lenders):
            busy = [worker for worker in group if worker.pending]
            if cheap and busy and (least := min(busy, key=_Worker.line)).line() < math.inf:
                return least
            if len(busy) < len(group):
                return next(worker for worker in group if not worker.pending)
        return None

    def _place(self, ticket: _Ticket) -> None:
        """Send ``ticket`` to a worker, or (none free) let it wait its turn."""
        waiting = self._waiting[ticket.lane]
        worker = None if waiting else self._pick(ticket.lane, ticket.cheap)
        if worker is not None:
            self._send(worker, ticket)
            return
        waiting.append(ticket)
        if self._patience[ticket.lane] is None:
            self._wait_patience(ticket.lane)

    def _send(self, worker: _Worker, ticket: _Ticket) -> None:
        assert self._loop is not None and worker.transport is not None
        ticket.worker = worker
        if not worker.pending:
            worker.began = self._loop.time()
        worker.pending.append(ticket)
        self._arm(worker)
        data = pickle.dumps(ticket.job, protocol=pickle.HIGHEST_PROTOCOL)
        worker.transport.write(struct.pack("!i", len(data)) + data)  # a job is at most a few MB

    def _dispatch(self) -> None:
        """Send the jobs waiting to the workers that take them, in turn; /sparql's
        first (its workers are lent to pages only when none of its jobs wait)."""
        for lane in LANES:
            waiting = self._waiting[lane]
            while waiting and (worker := self._pick(lane, waiting[0].cheap)) is not None:
                self._send(worker, waiting.popleft())

    def _answered(self, worker: _Worker, reply: Reply, retire: bool, took: float) -> None:
        """A worker's reply to the first job it was sent, which ``took`` it
        so many seconds of CPU; ``retire``: it holds so much more memory than
        at its start that it is replaced."""
        if not worker.alive or not worker.pending:
            return
        ticket = worker.pending.popleft()
        if not ticket.future.done():  # not cancelled
            ticket.future.set_result(reply)
        self._learn(ticket.kind, took)
        if retire:
            self._end(worker)
            return
        worker.stalled = False
        if worker.pending:
            assert self._loop is not None
            worker.began = self._loop.time()
            self._arm(worker)
        self._dispatch()

    def _arm(self, worker: _Worker) -> None:
        """Set the worker's timer for the job it runs: its time limit, or
        sooner STALL when jobs wait behind it."""
        assert self._loop is not None
        due = worker.began + self.config.timeout
        if len(worker.pending) > 1 and not worker.stalled:
            due = min(due, worker.began + STALL)
        if worker.timer is not None:
            if worker.timer.when() <= due:
                return  # it fires first, and sets itself again
            worker.timer.cancel()
        worker.timer = self._loop.call_at(due, self._overdue, worker)

    def _overdue(self, worker: _Worker) -> None:
        """The worker's timer: the job it runs has overrun (its worker ends),
        or stalls the jobs behind it (they go to other workers), or the
        timer is set again for that job's end."""
        assert self._loop is not None
        worker.timer = None
        if not worker.alive or not worker.pending:
            return
        now = self._loop.time()
        if now >= worker.began + self.config.timeout:
            self._end(worker, _Ended(overran=True))
            return
        if len(worker.pending) > 1 and not worker.stalled and now >= worker.began + STALL:
            worker.stalled = True
            self._requeue(worker, list(worker.pending)[1:])
            # The worker will still answer them: in their place, tickets whose answers are dropped.
            for at in range(1, len(worker.pending)):
                ticket = worker.pending[at]
                dropped = self._loop.create_future()
                dropped.cancel()
                worker.pending[at] = _Ticket(
                    ticket.job,
                    ticket.lane,
                    dropped,
                    ticket.since,
                    ticket.kind,
                    ticket.cheap,
                    worker,
                )
            self._dispatch()
        self._arm(worker)

    def _wait_patience(self, lane: str) -> None:
        """The lane's timer: jobs that waited too long for a worker are given up."""
        assert self._loop is not None
        self._patience[lane] = None
        waiting, now = self._waiting[lane], self._loop.time()
        while waiting and now >= waiting[0].since + self._patience_s:
            ticket = waiting.popleft()
            if not ticket.future.done():
                ticket.future.set_exception(_Patience())
        if waiting:
            first = waiting[0].since + self._patience_s
            self._patience[lane] = self._loop.call_at(first, self._wait_patience, lane)

    def _end(self, worker: _Worker, error: _Ended | None = None) -> None:
        """End ``worker`` and start another in its place, both from a thread;
        the job it ran fails with ``error`` (if given), the jobs behind it go
        back to the front of their lanes' lines."""
        if not worker.alive:
            return
        assert self._loop is not None
        worker.alive = False
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        if worker in self._workers[worker.lane]:
            self._workers[worker.lane].remove(worker)
        worker.hang_up()
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        loop, gone = self._loop, self._loop.create_future()
        worker.gone = gone
        pending, worker.pending = list(worker.pending), collections.deque()
        if pending and error is not None:
            # Its kind is not cheap, whatever it cost before: the jobs of that
            # kind go to idle workers, not behind cheap ones.
            self._learn(pending[0].kind, max(CHEAP, loop.time() - worker.began), at_least=True)
            if not pending[0].future.done():
                pending[0].future.set_exception(error)
        self._requeue(worker, pending[1:])

        def replace() -> None:
            worker.stop()
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(_settle, gone, worker.process.exitcode)
            self._add(worker.lane)

        threading.Thread(target=replace, daemon=True).start()
        self._dispatch()

    def _requeue(self, worker: _Worker, tickets: list[_Ticket]) -> None:
        """``tickets``, sent to ``worker`` and not answered, back to the
        front of their lanes' lines, in order."""
        for ticket in reversed(tickets):
            if ticket.left and not ticket.future.done():
                ticket.future.set_exception(_Left())
            elif not ticket.future.done():
                ticket.worker = None
                self._waiting[ticket.lane].appendleft(ticket)
        for lane in LANES:
            if self._waiting[lane] and self._patience[lane] is None:
                self._wait_patience(lane)

    def _learn(self, kind: object, took: float, *, at_least: bool = False) -> None:
        """A job of ``kind`` took so many CPU seconds: its kind's moving mean
        (``at_least``: no less than ``took``)."""
        known = self._costs.get(kind)
        if known is None and len(self._costs) >= _KINDS:
            self._costs.clear()
        mean = took if known is None else known + (took - known) / 4
        self._costs[kind] = max(mean, took) if at_least else mean

    def _cancelled(self, ticket: _Ticket) -> None:
        """A job given up (the server is stopping): out of its line if it
        waits; its worker ended if running it (the job half done)."""
        worker = ticket.worker
        if worker is None:
            with contextlib.suppress(ValueError):
                self._waiting[ticket.lane].remove(ticket)
        elif worker.alive and worker.pending and worker.pending[0] is ticket:
            self._end(worker)
        # else it waits in a worker's socket; its reply will be dropped

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.alive = False
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                worker.hang_up()
            worker.stop()


def _settle(future: asyncio.Future[int | None], exitcode: int | None) -> None:
    if not future.done():
        future.set_result(exitcode)


def _crashed(exitcode: int | None) -> str:
    """The answer for a job whose worker ended under it (``exitcode``: the
    worker's, negative for a signal)."""
    if exitcode == -signal.SIGABRT:  # a Rust panic: pyoxigraph is built to abort
        return (
            "Error: the query crashed its worker process (pyoxigraph aborts on an ORDER BY of "
            "values it cannot all compare: sort by STR(?x)); the worker was replaced\n"
        )
    if exitcode is not None and exitcode < 0:
        how = f"was ended by signal {-exitcode}"
        with contextlib.suppress(ValueError):
            how = f"was ended by {signal.Signals(-exitcode).name}"
    else:
        how = f"ended with exit code {exitcode}"
    return (
        f"Error: the worker process running the query {how}; the worker was replaced: "
        "narrow the query, and please report it\n"
    )
