"""The library's errors: one base class, one subclass per thing that can go
wrong, each with the exit code the CLI uses for it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "AmbiguousLabelError",
    "BadDateError",
    "DataError",
    "DataSyntaxError",
    "EndpointError",
    "EndpointHTTPError",
    "EndpointResponseError",
    "EndpointTimeoutError",
    "EndpointUnreachableError",
    "FederationError",
    "InputOverwriteError",
    "MissingDataError",
    "MsskgError",
    "NameTooLongError",
    "NestingError",
    "OutputError",
    "ParameterError",
    "QueryFileError",
    "QueryShapeError",
    "QuerySyntaxError",
    "RowLimitError",
    "TimeLimitError",
    "UnknownFormatError",
    "UnknownLabelError",
    "UnknownQueryError",
    "ValidationError",
    "check_length",
    "check_name",
    "clean",
    "did_you_mean",
    "first_line",
    "shown",
    "visible",
    "visible_lines",
]

# Exit codes (docs/cli.md, "Exit codes", lists them). 0 and 1 are validation's
# "conforms" and "does not conform", as in pySHACL; 2 is also what click uses
# for a bad command line, so every mistake in what the user typed shares it.
EXIT_BAD_INPUT = 2
EXIT_BAD_DATA = 3
EXIT_CANNOT_WRITE = 4
# A remote SPARQL server that could not be used: one code per way it failed,
# so that scripts can tell "retry later" from "fix the request".
EXIT_UNREACHABLE = 5
EXIT_HTTP_ERROR = 6
EXIT_TIMEOUT = 7
EXIT_BAD_RESPONSE = 8
# An -o file that is one of the command's own inputs: refused, never "forced".
EXIT_OVERWRITES_INPUT = 9
# A process that went over its memory limit (MSSKG_MEMORY_LIMIT) and was stopped.
EXIT_MEMORY = 10
# The process crashed (a Rust panic in pyoxigraph aborts it, a segfault...).
EXIT_CRASH = 11


# Longest quoted value shown in a message, and longest message.
VALUE_LIMIT = 80
MESSAGE_LIMIT = 400

# Characters that would split a line, move the cursor or reorder what the
# reader sees: C0/C1 controls, line and paragraph separators, bidi controls.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Patterns as text: re compiles (and caches) them when an error is first shown.
_UNSAFE = f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI}]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LONG_QUOTED = f'"([^"]{{{VALUE_LIMIT + 1},}})"'


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` safe to print to a terminal, whole: every control, escape and
    bidi character shown as its escape (``\\n``, ``\\x1b``, ``\\u202e``), so
    that text from data or arguments can neither move the cursor, retitle or
    clear the terminal, nor reorder or hide what is around it."""
    return re.sub(_UNSAFE, lambda m: _escape(m.group()), text)


def visible_lines(lines: Iterable[str]) -> str:
    """Lines of a human format, each made :func:`visible` (a newline inside a
    value is shown, not obeyed), joined, ending in a newline."""
    return "".join(visible(line) + "\n" for line in lines)


def shown(value: object, limit: int = VALUE_LIMIT) -> str:
    """``value`` as it may appear in a message: :func:`visible`, cut to
    ``limit`` characters + "…"."""
    text = visible(str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def first_line(err: BaseException) -> str:
    """The first line of what ``err`` says, or its type's name when it says
    nothing: a library's error as one line of ours."""
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def clean(message: str) -> str:
    """A whole message made safe to print on one line: every character escaped
    as :func:`shown` does, each quoted value longer than the limit cut, and the
    whole message cut at :data:`MESSAGE_LIMIT` characters."""
    text = shown(message, limit=len(message) * 10 + 1)
    text = re.sub(_LONG_QUOTED, lambda m: '"' + m.group(1)[:VALUE_LIMIT] + '…"', text)
    return shown(text, MESSAGE_LIMIT)


class MsskgError(Exception):
    """Base of every error msskg raises on purpose. The message is one line that
    names the problem and the fix; ``str()`` gives it made safe by :func:`clean`,
    whatever values were pasted into it."""

    exit_code = EXIT_BAD_INPUT

    def __str__(self) -> str:
        return clean(super().__str__())


class BadDateError(MsskgError, ValueError):
    """A date that is malformed or impossible."""


class UnknownQueryError(MsskgError):
    """No saved query has that name."""


class QueryFileError(MsskgError):
    """A saved query's metadata header breaks the format in queries/README.md."""


class QuerySyntaxError(MsskgError):
    """SPARQL that does not parse; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class FederationError(MsskgError):
    """A query that names a remote endpoint (``SERVICE``) not on the allow-list."""


class QueryShapeError(MsskgError):
    """A query too large or too costly to plan or run (msskg.query.shape)."""


class NestingError(MsskgError):
    """Text nested deeper than msskg's parsers are given."""


class NameTooLongError(MsskgError):
    """A file or folder name longer than the system allows (255 bytes a part)."""


def did_you_mean(
    word: str, options: Iterable[str], n: int = 1, show: Callable[[str], str] = '"{}"'.format
) -> str:
    """``; did you mean "a" or "b"?`` for the ``n`` options closest to ``word``, or ""."""
    import difflib  # only on the way to an error: not at start-up

    close = difflib.get_close_matches(word, list(options), n=n)
    return "; did you mean " + " or ".join(map(show, close)) + "?" if close else ""


# Linux's NAME_MAX and PATH_MAX: longer names fail in every system call.
NAME_MAX = 255
PATH_MAX = 4095


def check_name(path: Path | str, what: str = "file") -> Path:
    """``path``, unless a part of it or the whole is longer than a system call
    takes (:class:`NameTooLongError`, one line, instead of "File name too long"
    from deep inside whatever opens it first)."""
    from pathlib import Path  # a cold query checks its names with check_length alone

    check_length(path, what)
    return Path(path)


def check_length(path: str | os.PathLike[str], what: str = "file") -> None:
    """:class:`NameTooLongError` when a part of ``path`` or the whole is longer
    than a system call takes (see :func:`check_name`)."""
    raw = os.fsencode(path)
    if len(raw) > PATH_MAX or any(len(part) > NAME_MAX for part in raw.split(b"/")):
        raise NameTooLongError(
            f'{what} name too long: "{path}" (at most {NAME_MAX} bytes a name, {PATH_MAX} in all)'
        )


class RowLimitError(MsskgError):
    """A result with more rows than the limit asked for (``--max-rows``)."""


class TimeLimitError(MsskgError):
    """A query of the server that ran past its time limit."""

    exit_code = EXIT_TIMEOUT


class ParameterError(MsskgError, ValueError):
    """A query parameter that is missing, unknown or of the wrong type."""


class AmbiguousLabelError(ParameterError):
    """A label that names more than one resource."""

    def __init__(self, message: str, *, candidates: tuple[str, ...] = ()):
        super().__init__(message)
        self.candidates = candidates


class UnknownLabelError(ParameterError):
    """A label that names no resource."""


class UnknownFormatError(MsskgError, ValueError):
    """An output format msskg does not write, or one that does not fit the result."""


class UnknownColumnError(MsskgError, ValueError):
    """A column a result does not have (``--distinct``, ``--group-by``)."""


class DataError(MsskgError):
    """The data cannot be read."""

    exit_code = EXIT_BAD_DATA


class MissingDataError(DataError, FileNotFoundError):
    """A data file or folder that does not exist, or holds no RDF."""


class DataSyntaxError(DataError):
    """RDF that does not parse, with where: ``path:line:column`` (from 1)."""

    def __init__(
        self, message: str, *, path: Path, line: int | None = None, column: int | None = None
    ):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


class ValidationError(MsskgError):
    """Validation could not run (exit code 2, as in pySHACL)."""


class OutputError(MsskgError, OSError):
    """An output file or store that cannot be written."""

    exit_code = EXIT_CANNOT_WRITE


class InputOverwriteError(OutputError):
    """An output file that is one of the command's inputs (a data file, a file
    under a data folder, the bundled graph's files, a store)."""

    exit_code = EXIT_OVERWRITES_INPUT


class EndpointError(MsskgError):
    """A remote SPARQL server that cannot be used. This base class itself is
    for what the user typed: an endpoint URL or credentials msskg cannot use."""


class EndpointUnreachableError(EndpointError):
    """No connection: a wrong host or port, a server that is down, DNS, TLS."""

    exit_code = EXIT_UNREACHABLE


class EndpointHTTPError(EndpointError):
    """The server answered with an HTTP error status (4xx or 5xx)."""

    exit_code = EXIT_HTTP_ERROR

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


class EndpointTimeoutError(EndpointError):
    """The server did not connect or answer within the timeout."""

    exit_code = EXIT_TIMEOUT


class EndpointResponseError(EndpointError):
    """The server answered, but not with what the protocol says it should."""

    exit_code = EXIT_BAD_RESPONSE
