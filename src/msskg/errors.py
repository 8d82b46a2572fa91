"""The library's errors: one base class, one subclass per thing that can go
wrong, each with the exit code the CLI uses for it."""

from __future__ import annotations

__all__ = [
    "BadDateError",
    "MsskgError",
]


class MsskgError(Exception):
    """Base of every error msskg raises on purpose. The message is one line that
    names the problem and the fix."""

    exit_code = 2


class BadDateError(MsskgError, ValueError):
    """A date that is malformed or impossible."""

    exit_code = 2
