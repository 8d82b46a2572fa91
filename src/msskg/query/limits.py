"""A time limit that really stops a local query, for command-line processes.

pyoxigraph cannot interrupt a query, and while one runs (without the GIL)
Python runs no signal handler either: Ctrl-C would wait for the query to end.
So a watchdog thread ends the whole process (``os._exit``) when the limit
passes, after writing one line; and when SIGINT or SIGTERM arrives it gives
the main thread a moment to unwind (removing anything it was writing), then
ends the process if it is stuck in the engine. Measured: a three-way cross
product with a 2 s limit ends at 2.0 s; Ctrl-C ends it within 1 s.

A long-lived program should not use this: it stops everything. msskg serve
runs queries in worker processes instead (:mod:`msskg.serve.workers`).

The time limit does not bound memory: a query can take gigabytes in seconds
(measured: 10 GB in 6.6 s), and past the machine's memory the kernel's OOM
killer ends it, or another program, without a word. So a second watchdog
(:func:`watch_memory`) reads the process's resident memory 20 times a second
and ends it with one line past its limit ($MSSKG_MEMORY_LIMIT)."""

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

from msskg.errors import EXIT_MEMORY, EXIT_TIMEOUT
from msskg.graph.cache import size_setting, size_text

__all__ = [
    "GRACE",
    "MEMORY_ENV",
    "memory_limit",
    "process_time_limit",
    "resident_bytes",
    "size_text",
    "terminate_as_interrupt",
    "watch_memory",
]

GRACE = 1.0
"""Seconds the main thread gets to unwind after Ctrl-C or SIGTERM."""


def _discard_unfinished() -> None:
    # msskg.output is loaded only by a command that writes a file (and brings
    # tempfile and shutil: not for every query); when it is, its files go.
    output = sys.modules.get("msskg.output")
    if output is not None:
        output.discard_unfinished()


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
                    _discard_unfinished()
                    os._exit(128 + signum)
                return
            if deadline is not None and time.monotonic() >= deadline and not done.is_set():
                on_timeout()
                sys.stderr.flush()
                _discard_unfinished()
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


MEMORY_ENV = "MSSKG_MEMORY_LIMIT"
# Half the machine's memory, at most this: a laptop keeps room for the rest.
DEFAULT_MEMORY_CAP = 8 << 30
_POLL = 0.05


def memory_limit() -> int | None:
    """Bytes of memory an msskg process may use: $MSSKG_MEMORY_LIMIT (``4G``,
    ``512M``, bytes; ``0``: no limit), else half the machine's memory, at most
    8 GiB. None: no limit."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        total = 2 * DEFAULT_MEMORY_CAP
    return size_setting(MEMORY_ENV, min(DEFAULT_MEMORY_CAP, total // 2))


def resident_bytes(pid: int | None = None) -> int | None:
    """A process's own resident memory (this one's by default): resident
    pages less those backed by files (a store's files read through the page
    cache, which the kernel reclaims at need); None where the system does not
    say (no /proc)."""
    try:
        with open(f"/proc/{pid or 'self'}/statm", "rb") as statm:
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


_watching: list[int | None] = []


def watch_memory(limit: int | None, *, say: bool = True) -> None:
    """From now on, end this process (exit code 10) when its resident memory
    passes ``limit`` bytes (None: never), with one line on stderr unless not
    ``say`` (a server's worker: the server gives the reason). Once a process."""
    if limit is None or _watching or resident_bytes() is None:
        return
    _watching.append(limit)

    def watch() -> None:
        while True:
            time.sleep(_POLL)
            used = resident_bytes()
            if used is not None and used > limit:
                if say:
                    sys.stdout.flush()
                    sys.stderr.write(
                        f"Error: msskg went over its memory limit of {size_text(limit)} and "
                        f"was stopped; narrow the query, add a LIMIT, or raise {MEMORY_ENV} "
                        "(0: no limit)\n"
                    )
                    sys.stderr.flush()
                _discard_unfinished()
                os._exit(EXIT_MEMORY)

    threading.Thread(target=watch, name="msskg-memory-limit", daemon=True).start()
