"""The msskg command line, a thin layer over the library: each command makes
one library call, and the group (:mod:`msskg.cli.group`) turns any library
error into one line on stderr and its exit code. Importing this package
imports neither click nor the commands: :mod:`msskg.cli.declared` is read
by the fast start of ``msskg query`` without them."""

from __future__ import annotations

from msskg.graph import lazy_names

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from msskg.cli.group import main

__all__ = ["main"]

__getattr__ = lazy_names(__name__, {"group": ("main",)})
