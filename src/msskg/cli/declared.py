"""``msskg query``'s plain options, declared once, and what the command does
once its line is read. The click command makes its options of these
declarations (:func:`msskg.cli.options.declared`); the fast start
(:mod:`msskg.launch`) reads a plain local query by the same declarations
without importing click, and leaves any other line to click."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from msskg.query.limits import COMMAND_SECONDS
from msskg.query.registry import GRAPH, RESULTS, listed
from msskg.records import NamedTuple

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from msskg.query.summary import Summary

__all__ = [
    "DATA",
    "FORMAT",
    "PARAM",
    "PLAIN_QUERY",
    "READERS",
    "STORE",
    "TIMEOUT",
    "Declared",
    "answer",
    "read_plain",
]


class Declared(NamedTuple):
    """One option: its names, the parameter it fills, the ``kind`` of its
    value (:data:`READERS`), its help and metavar, whether it repeats."""

    names: tuple[str, ...]
    dest: str
    kind: str
    help: str
    metavar: str | None = None
    multiple: bool = False


PARAM = Declared(
    ("-p", "--param"), "params", "assignment", "A parameter of the query (repeatable).", None, True
)
FORMAT = Declared(
    ("-f", "--format"),
    "fmt",
    "text",
    f"{listed(RESULTS)}; {listed(GRAPH)} for RDF [default: table at a terminal, else csv; "
    "turtle for CONSTRUCT and DESCRIBE]",
    "FORMAT",
)
DATA = Declared(
    ("--data",),
    "data",
    "path",
    "RDF file or folder to use instead of the bundled graph (repeatable).",
    multiple=True,
)
STORE = Declared(
    ("--store",), "store", "path", "Query a store built with msskg load instead of RDF files."
)
TIMEOUT = Declared(
    ("--timeout",),
    "timeout",
    "seconds",
    "Seconds to let a local query run (0: no limit), or to wait for --endpoint.  "
    f"[default: {COMMAND_SECONDS:g} locally, 60 for --endpoint]",
)
PLAIN_QUERY = (PARAM, FORMAT, DATA, STORE, TIMEOUT)
"""The options of a plain local ``msskg query NAME``, which the fast start reads."""


def _assignment(value: str) -> tuple[str, str] | None:
    name, equals, text = value.partition("=")
    return (name, text) if equals and name else None


def _path(value: str) -> Path:
    from pathlib import Path  # only for --data and --store: a cold query never imports it

    return Path(value)


def _seconds(value: str) -> float | None:
    # Plain decimals only: click reads 1e3, inf and the rest, and says what is wrong.
    plain = value.isascii() and value.replace(".", "", 1).isdigit()
    return float(value) if plain else None


READERS: dict[str, Callable[[str], Any]] = {
    "text": str,
    "path": _path,
    "assignment": _assignment,
    "seconds": _seconds,
}
"""Each kind of value, read simply; None: not simple, for click to read."""


def read_plain(
    args: Sequence[str], options: Sequence[Declared]
) -> tuple[str, dict[str, list[Any]]] | None:
    """(the one argument, each option's values) when ``args`` are one argument
    and ``options`` given as declared, each value simple; else None."""
    by_name = {name: option for option in options for name in option.names}
    found: dict[str, list[Any]] = {option.dest: [] for option in options}
    argument = None
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            if argument is not None:
                return None
            argument = arg
            continue
        name, equals, inline = arg.partition("=")
        if not arg.startswith("--"):  # -pNAME=VALUE, -fcsv
            name, equals, inline = arg[:2], "=" if arg[2:] else "", arg[2:]
        option = by_name.get(name)
        value = inline if equals else next(rest, None)
        if option is None or value is None:
            return None
        read = READERS[option.kind](value)
        if read is None or (found[option.dest] and not option.multiple):
            return None
        found[option.dest].append(read)
    return None if argument is None else (argument, found)


def answer(
    name: str | None,
    sparql: str | None,
    params: Sequence[tuple[str, str]],
    *,
    write: Callable[[str], None],
    note: Callable[[str], None],
    terminal: bool,
    fmt: str | None = None,
    data: Sequence[Path] = (),
    store: Path | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
    wide: bool = False,
    notes: bool | None = None,
    allow_service: Sequence[str] = (),
    summary: Summary | None = None,
) -> None:
    """What ``msskg query`` does with its options read: the saved query
    ``name`` or the ``sparql`` text, run and written (:func:`msskg.query.answer.write_answer`)."""
    from msskg.graph.store import open_graph
    from msskg.query.answer import write_answer
    from msskg.query.catalogue import get_query
    from msskg.query.engines import OxigraphBackend
    from msskg.query.limits import Limits, memory_limit
    from msskg.query.results import Backend

    if endpoint:
        from msskg.publish.remote import EndpointBackend

        backend: Backend = EndpointBackend(endpoint, timeout=timeout)
        seconds = None
    else:
        backend = OxigraphBackend(open_graph(data=data, store=store))
        seconds = COMMAND_SECONDS if timeout is None else timeout
    write_answer(
        get_query(name) if name else str(sparql),
        dict(params),
        backend=backend,
        write=write,
        note=note,
        fmt=fmt,
        terminal=terminal,
        wide=wide,
        notes=notes,
        limits=Limits(rows=max_rows, seconds=seconds, memory=memory_limit()),
        fix="raise --timeout (0: no limit)",
        allow_service=allow_service,
        summary=summary,
    )
