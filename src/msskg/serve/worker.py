"""A query worker as :mod:`msskg.serve.workers` sees it: its process, its
socket and the jobs sent to it, and what becomes of a job on its way."""

from __future__ import annotations

import asyncio
import collections
import math
from dataclasses import dataclass
from typing import Any

from msskg.errors import DataError
from msskg.serve.process import worker_main
from msskg.serve.protocol import PAGES_LANE, Job, Reply, ServeConfig

__all__ = ["CHEAP", "QUEUED", "STALL"]

QUEUED = 8
"""Jobs of the pages' lane that may wait in a busy worker's socket behind the
one it runs, when its jobs are cheap (:data:`CHEAP`): the worker takes the
next at once and warm, where woken for each job it costs twice as much CPU
(on 2 cores, one warm worker answered 6,500-8,300 simple SELECTs a second,
three woken by turns 3,500-4,000)."""
CHEAP = 0.001
"""CPU seconds a job of its kind (the same saved query, ad-hoc text or page)
recently took: a cheap page's job waits behind cheap ones only; costlier, or
of a kind not yet seen, it goes to an idle worker (both cores work), or waits
for the first one free."""
STALL = 0.1
"""Seconds a job may run while cheap ones wait behind it in its worker's
socket: past them (its kind was cheap, this one is not: other parameters,
another long text) they are sent again to the first free worker, and the
worker takes no more until it answers; the answers it gives them later are
dropped."""


class _Ended(Exception):
    """The worker ended while it ran this job: it ``overran`` the time limit,
    or not (it crashed, or went over the memory limit)."""

    def __init__(self, *, overran: bool) -> None:
        self.overran = overran


class _Left(Exception):
    """The client left while its job waited for a worker."""


class _Patience(Exception):
    """No worker was free for this job in the time it may wait for one."""


@dataclass(eq=False)
class _Ticket:
    """A job on its way: waiting for a worker, then sent to ``worker``."""

    job: Job
    lane: str
    future: asyncio.Future[Reply]
    since: float  # when it began to wait (the event loop's clock)
    kind: object  # what its cost is known by (:func:`~msskg.serve.protocol.kind_of`)
    cheap: bool  # jobs of its kind took less than CHEAP of late
    worker: _Worker | None = None
    left: bool = False  # its client has gone


class _Worker:
    """A worker process; the server's event loop talks to it over a socket,
    in the framing of :class:`multiprocessing.connection.Connection`. The
    jobs sent and not yet answered, in order: the first one runs (since
    ``began``), the others wait in the socket."""

    def __init__(self, context: Any, config: ServeConfig, lane: str):
        self.lane = lane
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, config), daemon=True)
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
        self.transport: asyncio.Transport | None = None
        self.pending: collections.deque[_Ticket] = collections.deque()
        self.began = 0.0  # the event loop's clock, for the time limit
        self.timer: asyncio.TimerHandle | None = None
        self.stalled = False  # the job it runs passed STALL with others behind it
        self.alive = True
        self.gone: asyncio.Future[int | None] | None = None  # its exit code, once ended

    def line(self) -> float:
        """For a cheap page's job sent now: the jobs ahead of it, infinite
        when it may not wait here (the line is full, or not all of pages'
        cheap jobs)."""
        pending = self.pending
        if (
            self.stalled
            or len(pending) > QUEUED
            or not all(t.cheap and t.lane == PAGES_LANE for t in pending)
        ):
            return math.inf
        return len(pending)

    def hang_up(self) -> None:
        """Close the event loop's side of the socket (on the loop's thread)."""
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()
