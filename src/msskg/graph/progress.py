"""Progress on standard error while large data parses or loads: silent for
small inputs and for the first second, then a bar at a terminal, or a line
every few seconds where standard error is a file or a pipe."""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import IO

__all__ = ["StderrProgress"]


class StderrProgress:
    """How far a long parse is, on stderr: nothing in its first second; then a
    bar redrawn in place at a terminal, or a line every few seconds when
    stderr is a file or a pipe; never for less than ``least`` bytes (the
    bundled graph is 0.2 MB: on a busy machine its first parse can pass a
    second). Call :meth:`close` when done."""

    least = 8_000_000

    def __init__(self, label: str, *, stream: IO[str] | None = None, every: float = 5.0):
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._terminal = self._stream.isatty()
        self._every = 0.2 if self._terminal else every
        self._start = time.monotonic()
        self._next = self._start + 1.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now < self._next or total < self.least:
            return
        self._next = now + self._every
        share = done / total if total else 1.0
        size = f"{done / 1e6:,.0f} of {total / 1e6:,.0f} MB, {now - self._start:.0f} s"
        if self._terminal:
            bar = "#" * int(share * 30)
            self._stream.write(f"\r{self._label} [{bar:<30}] {share:4.0%} ({size})")
        else:
            self._stream.write(f"{self._label}: {share:.0%} ({size})\n")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown and self._terminal:
            self._stream.write("\n")
            self._stream.flush()
