"""Running a SPARQL query, with its parameters bound as RDF terms, on either
engine (pyoxigraph by default, rdflib on request) into one typed result."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache

import pyoxigraph as ox

from msskg.errors import MsskgError, UnknownFormatError
from msskg.graph.scan import check_depth
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.query.catalogue import Binding, SavedQuery, bind_parameters, parse_query
from msskg.query.results import (
    AskResult,
    Backend,
    GraphResult,
    QueryResult,
    SelectResult,
    SelectStream,
    SparqlLookups,
    Term,
)
from msskg.query.shape import check_shape
from msskg.query.text import (
    check_federation,
    check_syntax,
    declare_prefixes,
    mentioned_variables,
    query_syntax_error,
    unselected_parameter,
)
from msskg.query.values import bind_values, unreturned_parameters

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal, TypeAlias

__all__ = [
    "Engine",
    "OxigraphBackend",
    "check_query_text",
    "open_query",
    "run_query",
]

Engine: TypeAlias = 'Literal["oxigraph", "rdflib"]'


def run_query(
    query: SavedQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    engine: Engine = "oxigraph",
    graph: KnowledgeGraph | None = None,
    backend: Backend | None = None,
    allow_service: Sequence[str] = (),
) -> QueryResult:
    """Run a saved query (or SPARQL text) with ``params`` given as on the
    command line (``{"date": "2021-08-15"}``) on the bundled graph, on
    ``data`` files, on a persistent ``store``, on an already open ``graph``, or
    on any ``backend`` (such as :class:`msskg.publish.remote.EndpointBackend`).

    A query that nests too deeply is refused before any parser sees it, and
    so is one whose ``SERVICE`` names an endpoint not under a prefix in
    ``allow_service`` (none by default: no request leaves the machine)."""
    saved = _checked(query)
    if backend is None and engine == "oxigraph":
        backend = OxigraphBackend(graph or open_store(data=data, store=store))
    elif backend is None and engine == "rdflib":
        from msskg.graph.dataset import load_graph
        from msskg.query.rdflib_engine import RdflibBackend

        backend = RdflibBackend(load_graph(data=data))
    elif backend is None:
        raise UnknownFormatError(f'unknown engine "{engine}"; use oxigraph or rdflib')
    result = open_query(saved, params, backend=backend, allow_service=allow_service)
    if isinstance(result, SelectStream):
        return SelectResult(result.variables, tuple(result.rows))
    return result


def open_query(
    query: SavedQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    backend: Backend,
    allow_service: Sequence[str] = (),
) -> QueryResult | SelectStream:
    """As :func:`run_query` on ``backend``, but a SELECT on pyoxigraph comes
    back as a :class:`SelectStream`: its rows are found while they are read."""
    saved = query if isinstance(query, SavedQuery) else parse_query(query, name="--sparql")
    local = not getattr(backend, "remote", False)
    saved, used = _prepared(saved, tuple(backend.prefixes.items()), tuple(allow_service), local)
    bound = bind_parameters(saved, params or {}, lookup=backend)
    bindings = {k: v for k, v in bound.items() if k in used}
    if isinstance(backend, OxigraphBackend):
        return backend.stream(saved, bindings)
    return backend.execute(saved, bindings)


@lru_cache(maxsize=64)
def _prepared(
    saved: SavedQuery,
    prefixes: tuple[tuple[str, str], ...],
    allow_service: tuple[str, ...],
    local: bool,
) -> tuple[SavedQuery, frozenset[str]]:
    """The query as an engine is given it (the prefixes it uses declared), checked, and the
    variables it mentions: the same for every run of one text, so a server's worker does
    it once per query, not per request (a check that fails raises, and is not kept)."""
    _deep_enough(saved.text, saved.where)
    saved = saved._replace(text=declare_prefixes(saved.text, dict(prefixes)))
    # after the prefixes are declared, so that SERVICE msr:... is read as the engine reads it;
    # a remote server plans by its own limits
    check_query_text(saved, allow_service, local=local)
    return saved, frozenset(mentioned_variables(saved.text))


def _checked(query: SavedQuery | str) -> SavedQuery:
    """The query, refused before any parser sees it when it nests too deeply."""
    saved = query if isinstance(query, SavedQuery) else parse_query(query, name="--sparql")
    _deep_enough(saved.text, saved.where)
    return saved


@lru_cache(maxsize=64)
def _deep_enough(text: str, where: str) -> None:
    check_depth(text, "sparql", what=f"query {where}")


def check_query_text(
    query: SavedQuery, allow_service: Sequence[str] = (), *, local: bool = True
) -> None:
    """What every path checks before an engine parses a query: its nesting
    depth, that it sends nothing to a server not allowed, and (``local``) that
    its shape is one an engine here can plan and run (:mod:`msskg.query.shape`)."""
    check_depth(query.text, "sparql", what=f"query {query.where}")
    check_federation(query, tuple(allow_service))
    if local:
        check_shape(query.text, query.where)


class OxigraphBackend(SparqlLookups):
    def __init__(self, graph: KnowledgeGraph):
        self.graph = graph
        self._union: bool | None = None

    @property
    def union(self) -> bool:
        """Whether queries must read the union of all graphs: only when the
        store has named graphs. Without any, the default graph is the union,
        and reading it as such costs Oxigraph a deduplication on every pattern."""
        if self._union is None:
            self._union = next(iter(self.graph.store.named_graphs()), None) is not None
        return self._union

    @property
    def prefixes(self) -> Mapping[str, str]:
        return self.graph.prefixes

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult:
        result = self.stream(query, bindings)
        if isinstance(result, SelectStream):
            return SelectResult(result.variables, tuple(result.rows))
        return result

    def stream(
        self, query: SavedQuery, bindings: Mapping[str, Binding]
    ) -> QueryResult | SelectStream:
        """The answer, a SELECT's rows read lazily from pyoxigraph; the
        parameters joined in as VALUES (:mod:`msskg.query.values`)."""
        if hidden := unreturned_parameters(query, frozenset(bindings)):
            raise unselected_parameter(query, f"?{hidden[0]}")
        try:
            answer = self.graph.store.query(
                bind_values(query, bindings), use_default_graph_as_union=self.union
            )
            if isinstance(answer, ox.QueryBoolean):
                return AskResult(bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                names = tuple(v.value for v in answer.variables)
                return SelectStream(names, _rows(answer, len(names)), answer)
            return GraphResult(tuple(answer))
        except SyntaxError as err:
            check_syntax(query)  # the message for the text as written (VALUES move columns)
            raise query_syntax_error(query, str(err)) from None
        except (RuntimeError, OSError) as err:
            if isinstance(err, RuntimeError) and "projection" in str(err):
                raise unselected_parameter(query, str(err)) from None
            raise MsskgError(f"the query failed: {err}") from None


def _rows(answer: ox.QuerySolutions, width: int) -> Iterator[tuple[Term | None, ...]]:
    try:
        for solution in answer:
            yield tuple(solution[i] for i in range(width))
    except (RuntimeError, OSError) as err:
        raise MsskgError(f"the query failed: {err}") from None
