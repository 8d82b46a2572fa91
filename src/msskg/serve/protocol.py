"""What the server and its query workers share: the server's settings, a job
(its lane and kind) and its reply, HTTP content negotiation, and keeping what is worked out from
the texts clients send again and again."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from msskg.errors import MsskgError
from msskg.query.limits import SERVER_ROWS, SERVER_SECONDS, Limits, memory_limit
from msskg.query.registry import FORMATS, GRAPH, PAGE, RESULTS, accepted

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "GRAPH_TYPES",
    "LANES",
    "PAGES_LANE",
    "SELECT_TYPES",
    "SHORT_TEXT",
    "SPARQL_LANE",
    "Job",
    "Reply",
    "ServeConfig",
    "kept_when_short",
    "kind_of",
    "lane_of",
    "negotiate",
    "plain",
]


Reply = tuple[int, str, bytes]
"""An HTTP status, a content type and a body."""


Job = tuple[str, dict[str, Any]]

SPARQL_LANE, PAGES_LANE = "sparql", "pages"
LANES = (SPARQL_LANE, PAGES_LANE)
"""The workers' two lanes (:mod:`msskg.serve.workers`): ad-hoc SPARQL, and the
rest (pages, saved queries, and ad-hoc SELECTs whose shape is cheap)."""


SELECT_TYPES = accepted(RESULTS, PAGE)
"""Media type -> the format a SELECT or ASK answer is written in."""

GRAPH_TYPES = accepted(GRAPH, PAGE)
"""Media type -> the format triples are written in."""

CONTENT_TYPES = {name: fmt.media_type for name, fmt in FORMATS.items()}
"""Format -> the media type it is sent with."""


SHORT_TEXT = 4096
"""Texts (a query, a query string) up to this long have what is worked out from
them kept by :func:`kept_when_short`; a long one would crowd the others out."""
_KEPT = 1024

F = TypeVar("F", bound=Callable[..., Any])


def kept_when_short(function: F) -> F:
    """``function`` of a text (and other hashable arguments), its results
    kept for the last :data:`_KEPT` short texts: clients send the same ones
    again and again. An error is raised each time, never kept."""
    kept = functools.lru_cache(maxsize=_KEPT)(function)

    @functools.wraps(function)
    def call(text: str | bytes, *args: Any) -> Any:
        return (kept if len(text) <= SHORT_TEXT else function)(text, *args)

    return cast(F, call)


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def plain(status: int, message: str) -> Reply:
    """A reply of one line of plain text (an error, said to a person)."""
    return status, CONTENT_TYPES["text"], message.encode()


@dataclass(frozen=True)
class ServeConfig:
    """The server's settings. ``allow_service``: IRI prefixes a query's
    ``SERVICE`` may name (none: no federation). ``read_timeout``: seconds a
    client has to send a whole request, from connecting or from its previous
    answer. ``hosts``: the ``Host`` names answered besides the loopback ones.
    ``memory_limit``: bytes each query worker may hold (None: no limit; by
    default $MSSKG_MEMORY_LIMIT or half the machine's memory, at most 8 GiB)."""

    data: tuple[Path, ...] = ()
    store: Path | None = None
    timeout: float = SERVER_SECONDS
    max_rows: int = SERVER_ROWS
    workers: int = 2
    allow_service: tuple[str, ...] = ()
    read_timeout: float = 10.0
    hosts: tuple[str, ...] = ()
    memory_limit: int | None = field(default_factory=memory_limit)

    @property
    def limits(self) -> Limits:
        """The limits on each query (:mod:`msskg.query.limits`)."""
        return Limits(rows=self.max_rows, seconds=self.timeout, memory=self.memory_limit)

    def __post_init__(self) -> None:
        if not self.timeout > 0 or not self.read_timeout > 0:
            raise MsskgError("the server's time limits must be more than 0 seconds")
        if self.max_rows < 1 or self.workers < 1:
            raise MsskgError("the server needs a row limit and a worker count of at least 1")


def negotiate(accept: str, kinds: dict[str, str], fallback: str) -> str:
    """The format the Accept header prefers among ``kinds`` (q-values honoured)."""
    choices = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        choices.append((-weight, position, media.lower()))
    for weight, _, media in sorted(choices):
        if weight < 0 and media in kinds:
            return kinds[media]
        if weight < 0 and media in ("*/*", "application/*", "text/*"):
            return fallback
    return fallback


def kind_of(job: Job) -> object:
    """What a job's cost is known by: its saved query or ad-hoc text (a short
    one), else its kind of page."""
    kind, args = job
    if kind == "saved":
        return kind, args.get("name")
    text = args.get("query")
    if kind == "sparql" and isinstance(text, str) and len(text) <= SHORT_TEXT:
        return kind, text
    return kind


def lane_of(job: Job) -> str:
    """Ad-hoc SPARQL goes to its own lane, unless its shape says it is cheap.
    A long text goes there unread: its shape is worked out on the server's
    event loop, where a megabyte of it held every request for most of a second."""
    if job[0] != "sparql":
        return PAGES_LANE
    text = str(job[1].get("query", ""))
    return PAGES_LANE if len(text) <= SHORT_TEXT and _light(text) else SPARQL_LANE


@kept_when_short
def _light(text: str) -> bool:
    from msskg.query.shape import is_light

    return is_light(text)
