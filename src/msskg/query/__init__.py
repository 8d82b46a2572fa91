"""Queries: the saved-query catalogue and its typed parameters, the engines
that run them (pyoxigraph, rdflib), the result types, and their formats.
The names below are imported when first used, so that importing one module of
this package (as a cold ``msskg query`` does) does not import them all."""

from __future__ import annotations

from msskg.graph import lazy_names

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from msskg.query.catalogue import SavedQuery, get_query, list_queries, parse_query
    from msskg.query.engines import Engine, OxigraphBackend, run_query
    from msskg.query.formats import format_result
    from msskg.query.results import (
        AskResult,
        Backend,
        GraphResult,
        QueryResult,
        SelectResult,
        Term,
        comparable,
        comparable_result,
    )
    from msskg.query.summary import Summary, summarize

_WHERE = {
    "catalogue": ("SavedQuery", "get_query", "list_queries", "parse_query"),
    "engines": ("Engine", "OxigraphBackend", "run_query"),
    "formats": ("format_result",),
    "results": (
        *("AskResult", "Backend", "GraphResult", "QueryResult", "SelectResult", "Term"),
        *("comparable", "comparable_result"),
    ),
    "summary": ("Summary", "summarize"),
}

__all__ = [
    "AskResult",
    "Backend",
    "Engine",
    "GraphResult",
    "OxigraphBackend",
    "QueryResult",
    "SavedQuery",
    "SelectResult",
    "Summary",
    "Term",
    "comparable",
    "comparable_result",
    "format_result",
    "get_query",
    "list_queries",
    "parse_query",
    "run_query",
    "summarize",
]


__getattr__ = lazy_names(__name__, _WHERE)
