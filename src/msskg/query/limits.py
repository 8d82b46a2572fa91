"""A time limit that really stops a local query, for command-line processes.

pyoxigraph cannot interrupt a query, and while one runs (without the GIL)
Python runs no signal handler either: Ctrl-C would wait for the query to end.
So a watchdog thread ends the whole process (``os._exit``) when the limit
passes, after writing one line; and when SIGINT or SIGTERM arrives it gives
the main thread a moment to unwind (removing anything it was writing), then
ends the process if it is stuck in the engine. Measured: a three-way cross
product with a 2 s limit ends at 2.0 s; Ctrl-C ends it within 1 s.

A long-lived program should not use this: it stops everything. msskg serve
runs queries in worker processes instead (:mod:`msskg.serve.workers`)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from msskg.errors import EXIT_TIMEOUT

__all__ = ["GRACE", "process_time_limit", "terminate_as_interrupt"]

GRACE = 1.0
"""Seconds the main thread gets to unwind after Ctrl-C or SIGTERM."""


def terminate_as_interrupt() -> None:
    """Make SIGTERM unwind Python code like Ctrl-C does (so ``finally``
    blocks remove half-written files), where it would end the process at once."""
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def process_time_limit(
    seconds: float | None, *, fix: str = "raise the limit", exit_code: int = EXIT_TIMEOUT
) -> Iterator[None]:
    """Within this block, end the process ``seconds`` from now (None or 0: no
    limit) with one line on stderr ending in ``fix``, and end it shortly after
    SIGINT/SIGTERM if the main thread cannot unwind by itself."""

    def on_timeout() -> None:
        sys.stdout.flush()
        sys.stderr.write(
            f"Error: the query ran past the time limit of {seconds:g} s and was stopped; "
            f"narrow it, add a LIMIT, or {fix}\n"
        )

    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    try:
        previous = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    except ValueError:  # not the main thread: the time limit alone
        previous = None
    done = threading.Event()
    deadline = time.monotonic() + seconds if seconds else None

    def watch() -> None:
        while not done.is_set():
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([reader], [], [], wait)
            if done.is_set():  # woken by the end of the block
                return
            if ready and previous is not None:
                received = os.read(reader, 64)
                signum = received[-1] if received else signal.SIGINT
                if not done.wait(GRACE):  # stuck in the engine: stop here
                    os._exit(128 + signum)
                return
            if deadline is not None and time.monotonic() >= deadline and not done.is_set():
                on_timeout()
                sys.stderr.flush()
                os._exit(exit_code)

    watcher = threading.Thread(target=watch, name="msskg-time-limit", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        with contextlib.suppress(BlockingIOError):  # a full pipe wakes it just as well
            os.write(writer, b"\0")
        watcher.join()
        if previous is not None:
            signal.set_wakeup_fd(previous)
        os.close(reader)
        os.close(writer)
