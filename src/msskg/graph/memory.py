"""Pausing Python's cyclic garbage collector around work that makes millions of
small objects holding no cycles (rows read from a store, lines of text): each
collection walks every live container, so with a large graph in memory the
collections cost more than the work (2-3 µs a row in validate at 1M triples).
Objects are still freed when their last reference goes."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["without_gc"]


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """No cyclic collection inside the block; restored as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
