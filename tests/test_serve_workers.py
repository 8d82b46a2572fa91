"""msskg serve's worker pool: which worker each job goes to, and what
becomes of the jobs waiting in a worker's socket when it ends."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest

from msskg.serve.protocol import PAGES_LANE, SPARQL_LANE, Job, Reply, ServeConfig
from msskg.serve.worker import CHEAP, QUEUED, _Worker
from msskg.serve.workers import WorkerPool

PAGE, COSTLY_PAGE, SPARQL = (PAGES_LANE, True), (PAGES_LANE, False), (SPARQL_LANE, False)


def fake(lane: str, *running: tuple[str, bool]) -> _Worker:
    """A worker without a process: its lane, the jobs it was sent (their
    lane, and whether cheap)."""
    worker = _Worker.__new__(_Worker)
    worker.lane, worker.stalled = lane, False
    worker.pending = collections.deque(
        cast(Any, SimpleNamespace(lane=job_lane, cheap=cheap)) for job_lane, cheap in running
    )
    return worker


def pool_of(*workers: _Worker, sparql_waiting: bool = False) -> WorkerPool:
    pool = WorkerPool.__new__(WorkerPool)  # the lanes alone: no processes
    lanes = (SPARQL_LANE, PAGES_LANE)
    pool._workers = {lane: [w for w in workers if w.lane == lane] for lane in lanes}
    pool._waiting = {SPARQL_LANE: collections.deque([cast(Any, "a job")] if sparql_waiting else []),
                     PAGES_LANE: collections.deque()}  # fmt: skip
    return pool


def test_a_cheap_page_goes_behind_cheap_jobs_before_it_wakes_an_idle_worker() -> None:
    page, spare = fake(PAGES_LANE, PAGE), fake(SPARQL_LANE)
    assert pool_of(page, spare)._pick(PAGES_LANE, True) is page
    long_line = fake(PAGES_LANE, *[PAGE] * QUEUED)
    assert pool_of(long_line, spare)._pick(PAGES_LANE, True) is long_line
    assert pool_of(page, spare)._pick(PAGES_LANE, False) is spare  # a costly one spreads


def test_a_page_goes_to_an_idle_worker_when_the_line_is_costly() -> None:
    costly, spare = fake(PAGES_LANE, PAGE, COSTLY_PAGE), fake(SPARQL_LANE)
    assert pool_of(costly, spare)._pick(PAGES_LANE, True) is spare
    assert pool_of(costly, spare, sparql_waiting=True)._pick(PAGES_LANE, True) is None
    assert pool_of(costly)._pick(PAGES_LANE, True) is None  # it waits for the first one free


def test_a_page_borrows_an_idle_sparql_worker_and_sparql_never_the_pages_one() -> None:
    """The pages' lane takes an idle /sparql worker when its own is busy (both
    cores then answer saved queries), unless a /sparql job waits; ad-hoc SPARQL
    waits for its own lane."""
    page, spare = fake(PAGES_LANE), fake(SPARQL_LANE)
    assert pool_of(page, spare)._pick(PAGES_LANE, False) is page  # its own first
    assert pool_of(page, spare)._pick(SPARQL_LANE, False) is spare
    assert pool_of(page)._pick(SPARQL_LANE, False) is None  # the pages' worker idle, never lent
    busy = fake(PAGES_LANE, COSTLY_PAGE)
    assert pool_of(busy, spare)._pick(PAGES_LANE, False) is spare
    assert pool_of(busy, spare, sparql_waiting=True)._pick(PAGES_LANE, False) is None


def test_nothing_waits_behind_a_job_that_stalls() -> None:
    stalled, spare = fake(PAGES_LANE, PAGE), fake(SPARQL_LANE)
    stalled.stalled = True
    assert pool_of(stalled, spare)._pick(PAGES_LANE, True) is spare


def test_nothing_waits_behind_sparql_nor_in_a_full_line() -> None:
    assert pool_of(fake(SPARQL_LANE, SPARQL))._pick(PAGES_LANE, True) is None
    assert pool_of(fake(SPARQL_LANE, PAGE))._pick(SPARQL_LANE, True) is None
    assert pool_of(fake(PAGES_LANE, *[PAGE] * (QUEUED + 1)))._pick(PAGES_LANE, True) is None
    assert pool_of(fake(PAGES_LANE, *[PAGE] * QUEUED))._pick(PAGES_LANE, True)


def test_each_kind_of_job_has_its_own_cost() -> None:
    from msskg.serve.protocol import kind_of

    ask = ("sparql", {"query": "ASK {}", "accept": "*/*", "format": None})
    assert kind_of(ask) == ("sparql", "ASK {}")
    assert kind_of(("sparql", {"query": "#" * 5000})) == "sparql"  # a long text: one kind
    assert kind_of(HOLDER) == ("saved", "holder-at")
    assert kind_of(("describe", {"thing": "x"})) == "describe"


HOLDER: Job = ("saved", {"name": "holder-at", "params": {"date": "2021"}, "accept": "text/csv"})


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    running = WorkerPool(ServeConfig(workers=1, timeout=1))
    yield running
    running.close()


def behind_a_stopped_worker(pool: WorkerPool, then: signal.Signals) -> tuple[Reply, Reply]:
    """Two pages' jobs sent to the pages' worker, the second waiting in its
    socket behind the first, while the worker is stopped; then ``then``
    (SIGKILL: a crash; SIGCONT never comes, so the first overruns)."""

    async def ask() -> tuple[Reply, Reply]:
        await pool.run(HOLDER)  # the workers connected, all idle
        (worker,) = pool._workers[PAGES_LANE]
        pool._costs[("saved", "holder-at")] = 0.0  # cheap: the second job goes behind the first
        os.kill(worker.process.pid, signal.SIGSTOP)
        first = asyncio.ensure_future(pool.run(HOLDER))
        second = asyncio.ensure_future(pool.run(HOLDER))
        await asyncio.sleep(0.1)
        assert len(worker.pending) == 2  # both sent to it
        if then == signal.SIGKILL:
            os.kill(worker.process.pid, signal.SIGKILL)
        return await first, await second

    return asyncio.run(ask())


KILLED = (
    500,
    "text/plain; charset=utf-8",
    b"Error: the worker process running the query was ended by SIGKILL; the worker was "
    b"replaced: narrow the query, and please report it\n",
)
OVERRAN = (
    503,
    "text/plain; charset=utf-8",
    b"Error: the query ran past the time limit of 1 s and was stopped; narrow it or add a LIMIT\n",
)


@pytest.mark.parametrize(
    ("then", "first_answer"), [(signal.SIGKILL, KILLED), (signal.SIGSTOP, OVERRAN)]
)
def test_a_job_behind_one_that_ends_its_worker_is_answered_by_another(
    pool: WorkerPool, then: signal.Signals, first_answer: Reply
) -> None:
    began = time.monotonic()
    first, second = behind_a_stopped_worker(pool, then)
    assert first == first_answer
    assert second[0] == 200 and second[2].startswith(b"holder,")
    assert time.monotonic() - began < 10


def test_a_worker_that_dies_idle_costs_no_job(pool: WorkerPool) -> None:
    async def ask() -> list[Reply]:
        await pool.run(HOLDER)
        for worker in [*pool._workers[PAGES_LANE], *pool._workers[SPARQL_LANE]]:
            os.kill(worker.process.pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        return [await pool.run(HOLDER) for _ in range(3)]

    assert [reply[0] for reply in asyncio.run(ask())] == [200, 200, 200]


def test_a_job_no_worker_takes_in_its_patience_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    """The time a job may wait for a worker is bounded, and one timer a lane
    (not one a job) ends the wait: the job leaves the line with a 503."""
    monkeypatch.setattr(WorkerPool, "_patience_s", property(lambda pool: 0.2))
    pool = pool_of(fake(PAGES_LANE, COSTLY_PAGE))  # busy with a costly job
    pool._costs = {}
    pool.config = ServeConfig(timeout=1)
    pool._patience = dict.fromkeys((SPARQL_LANE, PAGES_LANE))

    async def ask() -> tuple[Reply, float]:
        pool._loop = asyncio.get_running_loop()
        pool._opened = pool._loop.create_future()
        pool._opened.set_result(None)
        began = time.monotonic()
        reply = await pool.run(HOLDER)
        return reply, time.monotonic() - began

    reply, waited = asyncio.run(ask())
    assert reply == (
        503,
        "text/plain; charset=utf-8",
        b"Error: every worker stayed busy for 0.2 s; try again\n",
    )
    assert 0.15 < waited < 5
    assert not pool._waiting[PAGES_LANE]


def test_a_kind_whose_job_overran_is_no_longer_judged_cheap(pool: WorkerPool) -> None:
    """Else every job of that kind (a saved query with other parameters, any
    long text) goes on being sent behind cheap ones and holds them up to the
    time limit."""

    async def ask() -> Reply:
        await pool.run(HOLDER)
        (worker,) = pool._workers[PAGES_LANE]
        pool._costs[("saved", "holder-at")] = 0.0
        os.kill(worker.process.pid, signal.SIGSTOP)
        return await pool.run(HOLDER)

    assert asyncio.run(ask()) == OVERRAN
    assert pool._costs[("saved", "holder-at")] >= CHEAP


def test_a_job_behind_one_that_stalls_is_answered_by_an_idle_worker() -> None:
    """A job of a cheap kind that turns out slow (other parameters, another
    long text) does not hold the jobs sent behind it until the time limit:
    they go to an idle worker, and each is answered once."""
    pool = WorkerPool(ServeConfig(workers=1, timeout=30))

    async def ask() -> tuple[Reply, Reply, float, int]:
        await pool.run(HOLDER)
        (worker,) = pool._workers[PAGES_LANE]
        pool._costs[("saved", "holder-at")] = 0.0
        os.kill(worker.process.pid, signal.SIGSTOP)  # the first job stalls
        first = asyncio.ensure_future(pool.run(HOLDER))
        second = asyncio.ensure_future(pool.run(HOLDER))
        began = time.monotonic()
        answered = await asyncio.wait_for(second, 10)
        waited = time.monotonic() - began
        os.kill(worker.process.pid, signal.SIGCONT)
        stalled = await first
        await asyncio.sleep(0.5)  # the stalled worker answers the second job too: dropped
        return stalled, answered, waited, len(worker.pending)

    try:
        first, second, waited, left = asyncio.run(ask())
    finally:
        pool.close()
    assert first[0] == second[0] == 200 and second[2].startswith(b"holder,")
    assert waited < 5  # not the time limit
    assert left == 0


COUNT: Job = ("sparql", {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "accept": "text/csv"})


def test_a_job_whose_client_left_leaves_its_line() -> None:
    """Else clients that send costly queries and go at once leave jobs that
    run, each to the time limit, ahead of those whose clients wait."""
    pool = WorkerPool(ServeConfig(workers=1, timeout=30))

    async def ask() -> tuple[Reply, float, int, Reply]:
        await pool.run(COUNT)
        (worker,) = pool._workers[SPARQL_LANE]
        os.kill(worker.process.pid, signal.SIGSTOP)  # busy
        first = asyncio.ensure_future(pool.run(COUNT))
        gone = asyncio.get_running_loop().create_future()
        began = time.monotonic()
        second = asyncio.ensure_future(pool.run(COUNT, gone))
        await asyncio.sleep(0.2)
        gone.set_result(None)  # its client leaves
        answer = await asyncio.wait_for(second, 10)
        waited, waiting = time.monotonic() - began, len(pool._waiting[SPARQL_LANE])
        os.kill(worker.process.pid, signal.SIGCONT)
        return answer, waited, waiting, await first

    try:
        answer, waited, waiting, first = asyncio.run(ask())
    finally:
        pool.close()
    assert answer == (
        400,
        "text/plain; charset=utf-8",
        b"Error: the client left before its answer\n",
    )
    assert waited < 5 and waiting == 0
    assert first[0] == 200


def test_a_long_text_goes_to_the_sparql_lane_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its lane is chosen on the server's event loop: working out the shape
    of a megabyte of text there held every other request."""
    from msskg.query import shape
    from msskg.serve.protocol import SHORT_TEXT, lane_of

    light = "SELECT ?p { ?p a <http://www.w3.org/ns/org#Post> }"
    assert lane_of(("sparql", {"query": light})) == PAGES_LANE

    def unread(text: str) -> bool:
        raise AssertionError("read")

    monkeypatch.setattr(shape, "is_light", unread)
    padded = light + " #" + "x" * SHORT_TEXT
    assert lane_of(("sparql", {"query": padded})) == SPARQL_LANE
