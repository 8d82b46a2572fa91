"""Background threads started with the low-level :mod:`_thread`: what a cold
command runs beside its work (the crash watcher's relays, a query's time and
memory watchdogs) without the import of :mod:`threading`, a sixtieth of a
cold query's time."""

from __future__ import annotations

import _thread
from collections.abc import Callable

__all__ = ["start"]


def start(target: Callable[[], object]) -> _thread.LockType:
    """Run ``target`` in a thread that does not keep the process alive (as a
    daemon thread); the lock returned is free once it has ended."""
    done = _thread.allocate_lock()
    done.acquire()

    def run() -> None:
        try:
            target()
        finally:
            done.release()

    _thread.start_new_thread(run, ())
    return done
