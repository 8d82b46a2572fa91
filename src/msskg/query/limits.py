"""The limits on what one query may take, in one place: rows, time, memory
and shape, their defaults for a command and for the server, and the
functions that apply them (docs/security.md states them).

pyoxigraph cannot interrupt a query, nor does Python run a signal handler
while one runs; so a watchdog thread ends the whole process (``os._exit``)
past its time, or its memory, after writing one line. A long-lived program
must not use it: msskg serve ends a worker process instead."""

from __future__ import annotations

import _thread
import contextlib
import os
import select
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType

from msskg.errors import EXIT_MEMORY, EXIT_TIMEOUT, RowLimitError, TimeLimitError
from msskg.graph.cache import size_setting, size_text
from msskg.records import NamedTuple
from msskg.threads import start

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import NoReturn, TypeVar

    T = TypeVar("T")

__all__ = [
    "COMMAND_SECONDS",
    "GRACE",
    "MAX_GROUPS",
    "MAX_OPERANDS",
    "MAX_OPTIONALS",
    "MAX_PATTERNS",
    "MEMORY_ENV",
    "SERVER_ROWS",
    "SERVER_SECONDS",
    "Limits",
    "check_rows",
    "limited",
    "memory_limit",
    "process_time_limit",
    "resident_bytes",
    "size_text",
    "terminate_as_interrupt",
    "time_message",
    "watch_memory",
    "within",
]


COMMAND_SECONDS = 120.0
"""Seconds a local ``msskg query`` may run unless ``--timeout`` says otherwise."""
SERVER_ROWS = 10_000
"""Most rows in an answer of msskg serve unless ``--max-rows`` says otherwise."""
SERVER_SECONDS = 10.0
"""Seconds a query of msskg serve may run unless ``--timeout`` says otherwise."""

# The shape of a query (msskg.query.shape), checked before an engine plans it:
# pyoxigraph's planning grows steeply with patterns and OPTIONALs, and
# thousands of groups crash it.
MAX_PATTERNS = 100
MAX_OPTIONALS = 100
MAX_GROUPS = 1000
MAX_OPERANDS = 2000  # terms in one expression: a flat a || b || ... of ~9,000 crashes the parser


class Limits(NamedTuple):
    """What one query may take (None: no limit): ``rows`` (or triples) in its
    answer, ``seconds`` it may run, ``memory`` bytes its process may hold."""

    rows: int | None = None
    seconds: float | None = None
    memory: int | None = None


@contextmanager
def within(limits: Limits, *, fix: str = "raise the limit", say: bool = True) -> Iterator[None]:
    """Apply ``limits`` to this process: from now on it ends past ``memory``
    (one line on stderr unless not ``say``), and within this block past
    ``seconds`` (a line ending in ``fix``). Rows are counted where they are
    read (:func:`limited`)."""
    watch_memory(limits.memory, say=say)
    if limits.seconds is None:
        yield
        return
    with process_time_limit(limits.seconds, fix=fix):
        yield


def limited(items: Iterable[T], limits: Limits, *, server: bool = False) -> Iterator[T]:
    """``items`` as they come; past ``limits.rows`` of them :class:`RowLimitError`,
    and for a ``server`` (whose process must live on) past ``limits.seconds``
    from now :class:`TimeLimitError`."""
    deadline = time.monotonic() + limits.seconds if server and limits.seconds else None
    for count, item in enumerate(items, start=1):
        check_rows(count, limits, server=server)
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimitError(time_message(limits.seconds))
        yield item


def check_rows(count: int, limits: Limits, *, server: bool = False) -> None:
    """:class:`RowLimitError` when ``count`` rows are past ``limits.rows``."""
    if limits.rows is not None and count > limits.rows:
        which = ", the server's limit" if server else " (--max-rows)"
        more = "" if server else " or raise --max-rows"
        raise RowLimitError(
            f"the result has more than {limits.rows} rows{which}; add a LIMIT{more}"
        )


def time_message(seconds: float | None, fix: str = "") -> str:
    """The one line for a query stopped at its time limit."""
    advice = f"narrow it, add a LIMIT, or {fix}" if fix else "narrow it or add a LIMIT"
    return f"the query ran past the time limit of {seconds:g} s and was stopped; {advice}"


GRACE = 1.0
"""Seconds the main thread gets to unwind after Ctrl-C or SIGTERM."""


def _end(code: int, message: str = "") -> NoReturn:
    """End the process now, without unwinding, after one line on stderr (unless
    ``message`` is empty) and with the outputs being written removed (if
    msskg.output is loaded: only a command that writes a file loads it)."""
    if message:
        sys.stdout.flush()
        sys.stderr.write(f"Error: {message}\n")
        sys.stderr.flush()
    output = sys.modules.get("msskg.output")
    if output is not None:
        output.discard_unfinished()
    os._exit(code)


def terminate_as_interrupt() -> None:
    """Make SIGTERM unwind Python code like Ctrl-C does (so ``finally``
    blocks remove half-written files), where it would end the process at once."""
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def process_time_limit(seconds: float | None, *, fix: str = "raise the limit") -> Iterator[None]:
    """Within this block, end the process ``seconds`` from now (None or 0: no
    limit) with one line on stderr ending in ``fix``, and end it shortly after
    SIGINT/SIGTERM if the main thread cannot unwind by itself."""
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    try:
        previous = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    except ValueError:  # not the main thread: the time limit alone
        previous = None
    finished = _thread.allocate_lock()
    finished.acquire()  # held until the block ends
    deadline = time.monotonic() + seconds if seconds else None

    def watch() -> None:
        while finished.locked():
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([reader], [], [], wait)
            if not finished.locked():  # woken by the end of the block
                return
            if ready and previous is not None:
                received = os.read(reader, 64)
                signum = received[-1] if received else signal.SIGINT
                if not finished.acquire(timeout=GRACE):  # stuck in the engine: stop here
                    _end(128 + signum)
                return
            if deadline is not None and time.monotonic() >= deadline and finished.locked():
                _end(EXIT_TIMEOUT, time_message(seconds, fix))

    watched = start(watch)
    try:
        yield
    finally:
        finished.release()
        with contextlib.suppress(BlockingIOError):  # a full pipe wakes it just as well
            os.write(writer, b"\0")
        watched.acquire()
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
                message = (
                    f"msskg went over its memory limit of {size_text(limit)} and was stopped; "
                    f"narrow the query, add a LIMIT, or raise {MEMORY_ENV} (0: no limit)"
                )
                _end(EXIT_MEMORY, message if say else "")

    start(watch)
