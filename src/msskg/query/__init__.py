"""Queries: the saved-query catalogue and its typed parameters, the engines
that run them (pyoxigraph, rdflib), the result types, and their formats."""

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

__all__ = [
    "AskResult",
    "Backend",
    "Engine",
    "GraphResult",
    "OxigraphBackend",
    "QueryResult",
    "SavedQuery",
    "SelectResult",
    "Term",
    "comparable",
    "comparable_result",
    "format_result",
    "get_query",
    "list_queries",
    "parse_query",
    "run_query",
]
