"""What a worker of msskg serve does for each request, with the graph open:
run a query within the row and time limits and write the answer in the
negotiated format, or render a page (home, saved query, timeline, describe)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from msskg.errors import (
    MsskgError,
    ParameterError,
    UnknownFormatError,
    UnknownLabelError,
    UnknownQueryError,
)
from msskg.graph.store import KnowledgeGraph
from msskg.query.catalogue import SavedQuery, get_query, list_queries, parse_query, queries_dir
from msskg.query.engines import OxigraphBackend, check_query_text, run_query
from msskg.query.formats import format_result
from msskg.query.limits import check_rows, limited
from msskg.query.results import GraphResult, QueryResult, SelectResult, SelectStream
from msskg.serve.explorer import reader_address
from msskg.serve.protocol import (
    CONTENT_TYPES,
    GRAPH_TYPES,
    SELECT_TYPES,
    kept_when_short,
    negotiate,
)
from msskg.views.reader import sources

if TYPE_CHECKING:
    from msskg.serve.protocol import Job, Reply, ServeConfig

__all__ = ["JOBS", "job", "run_job", "run_sparql"]

JobFunction = Callable[[KnowledgeGraph, dict[str, Any], "ServeConfig"], "Reply"]

JOBS: dict[str, JobFunction] = {}
"""Each kind of job a route hands the workers (:data:`msskg.serve.server.ROUTES`),
by name: the function that answers it, with the graph open."""


def job(function: JobFunction) -> JobFunction:
    """Answer the jobs named as ``function`` (without its leading "_")."""
    JOBS[function.__name__.lstrip("_")] = function
    return function


def _reply(text: str, fmt: str = "html", status: int = 200) -> Reply:
    return status, CONTENT_TYPES[fmt], text.encode()


def run_job(graph: KnowledgeGraph, job: Job, config: ServeConfig) -> Reply:
    kind, args = job
    if kind not in JOBS:
        raise UnknownFormatError(f'unknown job "{kind}"')
    return JOBS[kind](graph, args, config)


@job
def _sparql(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    result = run_sparql(graph, args["query"], config)
    kinds = GRAPH_TYPES if isinstance(result, GraphResult) else SELECT_TYPES
    fallback = "turtle" if isinstance(result, GraphResult) else "json"
    fmt = args.get("format") or negotiate(args["accept"], kinds, fallback)
    if fmt == "html":
        from msskg.serve.webpage import sparql_form

        return _results_page(graph, "SPARQL results", result, sparql_form(args["query"]))
    if fmt not in CONTENT_TYPES:
        raise UnknownFormatError(f'unknown format "{fmt}"')
    return _reply(format_result(result, fmt), fmt)


def _results_page(graph: KnowledgeGraph, title: str, result: QueryResult, form: str) -> Reply:
    from msskg.serve import webpage
    from msskg.views.periods import labels_of

    return _reply(webpage.results_page(title, result, graph.prefixes, form, labels_of(graph)))


@job
def _home(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.publish.void import describe_dataset
    from msskg.serve import webpage

    about = webpage.dataset_section(describe_dataset(graph, endpoint=args.get("endpoint")))
    return _reply(webpage.home_page(list_queries(), _timeline_of(graph, None, always=True), about))


@job
def _void(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.publish.void import write_description

    fmt = negotiate(args["accept"], GRAPH_TYPES, "turtle")
    fmt = "turtle" if fmt == "html" else fmt
    return _reply(write_description(fmt, graph=graph, endpoint=args.get("endpoint")), fmt)


@job
def _timeline(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    return _reply(_timeline_of(graph, args.get("thing"), always=True), "svg")


def run_sparql(graph: KnowledgeGraph, text: str, config: ServeConfig) -> QueryResult:
    """Run ad-hoc SPARQL, reading a SELECT's rows lazily so that the row limit
    and the time limit are checked as they come."""
    saved = _checked(text, config.allow_service)
    result = OxigraphBackend(graph).stream(saved, {})
    if isinstance(result, SelectStream):
        rows = limited(result.rows, config.limits, server=True)
        return SelectResult(result.variables, tuple(rows))
    if isinstance(result, GraphResult):
        check_rows(len(result.triples), config.limits, server=True)
    return result


@kept_when_short
def _checked(text: str, allow_service: tuple[str, ...]) -> SavedQuery:
    """An ad-hoc query's text read and checked (an error is raised, not kept)."""
    saved = parse_query(text, name="query")
    check_query_text(saved, allow_service)
    return saved


@job
def _saved(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.serve import webpage  # the form only for a page: a format's answer needs none

    saved = _catalogued(args["name"])
    params = {k: v for k, v in args["params"].items() if k != "format" and v != ""}
    fmt = args["params"].get("format") or negotiate(args["accept"], SELECT_TYPES, "html")
    # "today" is a parameter's value too: the day is part of what the answer depends on
    key = (graph.store, saved.text, tuple(sorted(params.items())), fmt, dt.date.today())
    if fmt != "html" and (kept := _ANSWERS.pop(key, None)) is not None:
        _ANSWERS[key] = kept  # the most recently used last
        return kept
    try:
        result = run_query(saved, params, graph=graph, allow_service=config.allow_service)
    except MsskgError as err:
        if fmt != "html":
            raise
        form = webpage.query_form(saved, args["params"])
        return _reply(webpage.error_page(saved.title, str(err), form), status=400)
    if isinstance(result, SelectResult):
        check_rows(len(result.rows), config.limits, server=True)
    if fmt == "html":
        return _results_page(graph, saved.title, result, webpage.query_form(saved, args["params"]))
    reply = _reply(format_result(result, fmt), fmt)
    if len(reply[2]) <= _ANSWER_BYTES:
        _ANSWERS[key] = reply
        while len(_ANSWERS) > _ANSWER_COUNT:
            del _ANSWERS[next(iter(_ANSWERS))]
    return reply


_ANSWERS: dict[tuple[object, str, tuple[tuple[str, str], ...], str, dt.date], Reply] = {}
"""A saved query's answers this worker gave, by graph, text, parameters as asked, format and day,
the least recently used first. A worker's graph never changes (serve only reads), so the
same question has the same answer; a saved query is asked again and again (a page's
links), and holder-at costs Oxigraph 2-3 ms a run, where a kept answer costs none."""
_ANSWER_COUNT, _ANSWER_BYTES = 256, 64 * 1024


def _catalogued(name: str) -> SavedQuery:
    """A saved query of the catalogue by its name: never a path on disk. A file
    once read is read again only when it changes (a stat a request, where reading
    the whole catalogue each time cost a holder-at request a third of its time)."""
    if _PLAIN_NAME.fullmatch(name):
        path = queries_dir() / f"{name}.rq"
        try:
            stamp = os.stat(path)
        except OSError:
            pass
        else:
            key = (str(path), stamp.st_mtime_ns, stamp.st_size)
            if (read := _READ.get(name)) is None or read[0] != key:
                _READ[name] = read = (key, get_query(name))
            return read[1]
    for saved in list_queries():
        if saved.name == name:
            return saved
    if _PLAIN_NAME.fullmatch(name):
        get_query(name)  # raises, with "did you mean" when a name is close
    raise UnknownQueryError(f'unknown query "{name}" (/ lists them)')


_PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_READ: dict[str, tuple[tuple[str, int, int], SavedQuery]] = {}
"""Each saved query this worker has read, by name, with its file's path and stamp then."""


@job
def _describe(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.serve import webpage
    from msskg.views.describe import build_description, describe_graph
    from msskg.views.periods import resolve_thing

    fmt = negotiate(args["accept"], GRAPH_TYPES, "html")
    try:
        node = resolve_thing(graph, args.get("thing"))
    except UnknownLabelError as err:  # an IRI the graph does not mention
        return _reply(webpage.error_page("Not found", str(err)), status=404)
    if fmt != "html":
        text = format_result(describe_graph(graph, node), fmt, prefixes=graph.prefixes)
        return _reply(text, fmt)
    built = build_description(graph, node.value)
    svg = _timeline_of(graph, node.value)
    catalogue = sources(graph)
    readers = {s.file_name: reader_address(s.iri) for s in catalogue}
    reader = next((reader_address(s.iri) for s in catalogue if s.iri == node.value), "")
    return _reply(webpage.describe_page(built, svg, readers, reader, _chart_of(graph, node.value)))


def _timeline_of(graph: KnowledgeGraph, thing: str | None, *, always: bool = False) -> str:
    """The timeline of ``thing`` as SVG, or (unless ``always``) "" when it has no dated lane."""
    from msskg.serve import webpage
    from msskg.views.lanes import build_timeline
    from msskg.views.timeline_svg import render_svg

    built = build_timeline(graph, thing)
    return render_svg(built, link=webpage.local_link) if built.lanes or always else ""


def _chart_of(graph: KnowledgeGraph, iri: str) -> str:
    """The body's organisation chart today as SVG, or "" when it has none."""
    from msskg.dates import parse_span
    from msskg.serve import webpage
    from msskg.views.chart import build_chart
    from msskg.views.chart_svg import render_chart_svg

    today = parse_span("today").single
    assert today is not None
    built = build_chart(graph, iri, at=today)
    return render_chart_svg(built, link=webpage.local_link) if built.edges else ""


@job
def _sources(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.serve import explorer

    return _reply(explorer.sources_page(sources(graph)))


@job
def _search(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.serve import explorer
    from msskg.views.search import find

    text = args["text"]
    try:
        hits = find(graph, text)
    except ParameterError as err:
        return _reply(explorer.search_page(text, [], error=str(err)), status=400)
    return _reply(explorer.search_page(text, hits))


@job
def _reader(graph: KnowledgeGraph, args: dict[str, Any], config: ServeConfig) -> Reply:
    from msskg.serve import explorer, webpage
    from msskg.views.reader import read_source

    try:
        reading = read_source(graph, args["source"])
    except UnknownLabelError as err:
        return _reply(webpage.error_page("Not found", str(err)), status=404)
    return _reply(explorer.reader_page(reading))
