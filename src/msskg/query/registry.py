"""Every output format msskg writes, in one list: its name (what ``-f`` and
``?format=`` take), its media type (what the server answers, and what an
``Accept`` header asks for), its file suffix, what it renders, and the
function that writes a query's result in it, imported only when first used
(as rdflib's plugin registry does). The CLI's ``-f`` help and messages, the
server's content negotiation, the results and graph writers and export's
formats all read this list: a new format is one :func:`register` call here
and its writer (docs/extending/output-format.md)."""

from __future__ import annotations

from collections.abc import Callable

from msskg.errors import UnknownFormatError
from msskg.graph import import_module
from msskg.records import NamedTuple

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CHART",
    "DATASET",
    "DESCRIPTION",
    "FORMATS",
    "GRAPH",
    "HITS",
    "PAGE",
    "REPORT",
    "RESULTS",
    "TIMELINE",
    "Format",
    "accepted",
    "check_format",
    "listed",
    "media_type",
    "names",
    "register",
    "unknown_format",
]

RESULTS = "results"
"""A SELECT's rows or an ASK's answer."""
GRAPH = "graph"
"""Triples: a CONSTRUCT or DESCRIBE, a resource's description, the VoID description."""
DATASET = "dataset"
"""The whole graph as ``msskg export`` writes it, named graphs kept where the format can."""
PAGE = "page"
"""What the server shows a person: pages, pictures, plain messages."""
TIMELINE = "timeline"
"""``msskg timeline``: a resource's history."""
CHART = "chart"
"""``msskg chart``: an organisation chart on a date."""
DESCRIPTION = "description"
"""``msskg describe``: everything about a resource, with its quotes."""
HITS = "hits"
"""``msskg search``: what a text search found."""
REPORT = "report"
"""``msskg validate``: a validation report."""


class Format(NamedTuple):
    """One output format. ``writer``: "module:function" writing a query
    result as text, called as ``writer(result, name, prefixes=...,
    wide=..., every_column=...)``; ``aliases``: other media types that ask
    for it; ``served``: whether the server offers it by content negotiation.
    (A NamedTuple: dataclasses would cost every cold query their import.)"""

    name: str
    media_type: str
    suffix: str
    renders: frozenset[str]
    writer: str = ""
    aliases: tuple[str, ...] = ()
    served: bool = True

    def load(self) -> Callable[..., str]:
        """The writer, imported now."""
        module, _, function = self.writer.partition(":")
        written: Callable[..., str] = getattr(import_module(module), function)
        return written


FORMATS: dict[str, Format] = {}


def register(name: str, media: str, suffix: str, *renders: str, **options: Any) -> None:
    """Add a format (the order of registration is the order of ``-f`` help)."""
    FORMATS[name] = Format(name, media, suffix, frozenset(renders), **options)


_TEXT = "msskg.query.formats:human_text"
register(
    "text", "text/plain; charset=utf-8", ".txt", PAGE, TIMELINE, DESCRIPTION, HITS, served=False
)
_W3C = "msskg.query.formats:w3c_result"
_RDF = "msskg.query.formats:rdf_text"
register("table", "text/plain; charset=utf-8", ".txt", RESULTS, writer=_TEXT, served=False)
register("csv", "text/csv; charset=utf-8", ".csv", RESULTS, writer=_W3C)
register("tsv", "text/tab-separated-values; charset=utf-8", ".tsv", RESULTS, writer=_W3C)
_JSON, _XML = ("application/json",), ("application/xml",)
register("human", "text/plain; charset=utf-8", ".txt", REPORT, served=False)
register(
    "json",
    "application/sparql-results+json",
    ".srj",
    RESULTS,
    HITS,
    REPORT,
    writer=_W3C,
    aliases=_JSON,
)
register("xml", "application/sparql-results+xml", ".srx", RESULTS, writer=_W3C, aliases=_XML)
register(
    "md", "text/markdown; charset=utf-8", ".md", RESULTS, DESCRIPTION, writer=_TEXT, served=False
)
register("turtle", "text/turtle; charset=utf-8", ".ttl", GRAPH, DATASET, REPORT, writer=_RDF)
register("jsonld", "application/ld+json", ".jsonld", GRAPH, DATASET, DESCRIPTION, writer=_RDF)
register("nt", "application/n-triples", ".nt", GRAPH, DATASET, writer=_RDF)
register("trig", "application/trig", ".trig", DATASET)
register("html", "text/html; charset=utf-8", ".html", PAGE)
register("mermaid", "text/vnd.mermaid; charset=utf-8", ".mmd", CHART, served=False)
register("dot", "text/vnd.graphviz; charset=utf-8", ".dot", CHART, served=False)
register("svg", "image/svg+xml", ".svg", PAGE, TIMELINE, CHART, served=False)


def names(kind: str) -> tuple[str, ...]:
    """The formats that render ``kind``, in the order of registration."""
    return tuple(name for name, fmt in FORMATS.items() if kind in fmt.renders)


def listed(kind: str, last: str = ", ") -> str:
    """The names for a help text or a message: "a, b, c" (``last``: " or " gives "a, b or c")."""
    found = names(kind)
    return last.join([", ".join(found[:-1]), found[-1]]) if len(found) > 1 else "".join(found)


def media_type(name: str) -> str:
    """The media type a body in format ``name`` is sent with."""
    return FORMATS[name].media_type


def accepted(*kinds: str) -> dict[str, str]:
    """Media type (no parameters) -> format name, for the served formats of ``kinds``."""
    found: dict[str, str] = {}
    for fmt in FORMATS.values():
        if fmt.served and fmt.renders & set(kinds):
            for media in (fmt.media_type, *fmt.aliases):
                found[media.split(";")[0]] = fmt.name
    return found


def check_format(fmt: str, kind: str, what: str) -> None:
    """Raise the one line (:func:`unknown_format`) when ``kind`` has no format ``fmt``."""
    if fmt not in names(kind):
        raise unknown_format(fmt, kind, what=what)


def unknown_format(fmt: str, kind: str, *, what: str = "", fits: str = "") -> UnknownFormatError:
    """The one line for a format ``kind`` has not: "unknown [what] format ...",
    or, given ``fits`` (what was asked for), "does not fit" for a format of another kind."""
    use = listed(kind)
    if fits and any(fmt in names(other) for other in (RESULTS, GRAPH)):
        return UnknownFormatError(f'format "{fmt}" does not fit {fits}; use {use}')
    return UnknownFormatError(f'unknown {what + " " if what else ""}format "{fmt}"; use {use}')
