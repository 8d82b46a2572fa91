"""Validating the graph: the SHACL shapes in ontology/shapes.ttl (run by pySHACL),
plus the checks SHACL cannot make: dates well-formed and their bounds right,
and every quote present, verbatim, in the seed file it names.

pySHACL crashes on an ill-formed typed date when it compares it, so dates are
checked in Python first and bad ones taken out of what pySHACL sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from msskg.dates import decade, parse_date
from msskg.errors import BadDateError, MsskgError, UnknownFormatError
from msskg.report import (
    MSH,
    REPORT_FORMATS,
    SH,
    Quote,
    ValidationReport,
    ValidationResult,
    describe_node,
    format_report,
    order_key,
    quotes_of,
    shape_name,
    term_text,
)
from msskg.store import DEFAULT_PREFIXES, project_home

__all__ = [
    "ENGINES",
    "REPORT_FORMATS",
    "Quote",
    "ValidationError",
    "ValidationReport",
    "ValidationResult",
    "expected_bounds",
    "format_report",
    "own_result",
    "validate",
    "validate_graph",
]

MSS = Namespace(DEFAULT_PREFIXES["mss"])
OA = Namespace(DEFAULT_PREFIXES["oa"])
PROV = Namespace(DEFAULT_PREFIXES["prov"])
TIME = Namespace(DEFAULT_PREFIXES["time"])
XSD = Namespace(DEFAULT_PREFIXES["xsd"])

ENGINES = ("fast", "pyshacl")
# The properties that hold a date as written (a decade is mss:inDecade), and
# the datatypes checked for well-formedness; storechecks.py uses the same.
WRITTEN_DATE_PROPERTIES = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)
DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear, XSD.dateTime)


class ValidationError(MsskgError):
    """Validation could not run (exit code 2, as in pySHACL)."""

    exit_code = 2


def shapes_file() -> Path:
    return project_home() / "ontology" / "shapes.ttl"


def ontology_file() -> Path:
    return project_home() / "ontology" / "msskg.ttl"


def seeds_dir() -> Path:
    return project_home() / "seeds"


def validate(
    *,
    data: Sequence[Path | str] | None = None,
    shapes: Path | None = None,
    engine: str = "fast",
) -> ValidationReport:
    """Validate ``data`` (default: the bundled graph) against the shapes.

    The ontology is always added to the data, since the shapes find their
    targets through its rdfs:subClassOf. ``engine`` is "fast" (msskg.fastvalidate,
    on pyoxigraph; it falls back to pySHACL for shapes it cannot evaluate) or
    "pyshacl" (the reference); both give the same results.
    """
    from msskg.graph import load_graph, union_graph

    if _fast_engine(engine):
        from msskg.fastvalidate import Unsupported, validate_files

        try:
            return _running(lambda: validate_files(data, shapes=shapes or shapes_file()))
        except Unsupported:
            pass
    graph = union_graph(load_graph(data=data))
    graph.parse(ontology_file())
    return validate_graph(graph, shapes=shapes)


def validate_graph(
    graph: Graph, *, shapes: Path | None = None, engine: str = "pyshacl"
) -> ValidationReport:
    """Validate an rdflib graph that already holds data and ontology."""
    import pyshacl

    if _fast_engine(engine):
        from msskg.fastvalidate import Unsupported, validate_rdflib

        try:
            return _running(lambda: validate_rdflib(graph, shapes=shapes or shapes_file()))
        except Unsupported:
            pass
    shapes_path = shapes or shapes_file()
    try:
        shapes_graph = Graph().parse(shapes_path)
    except Exception as err:
        raise ValidationError(f"cannot read the shapes in {shapes_path}: {err}") from None
    own_results, checked = _python_checks(graph)
    try:
        with _parse_sparql_once():
            _, report_graph, _ = pyshacl.validate(
                checked,
                shacl_graph=shapes_graph,
                inference="none",
                advanced=True,
                allow_warnings=True,
            )
    except Exception as err:  # pySHACL raises many types; none should reach the user raw
        raise ValidationError(f"pySHACL could not run: {type(err).__name__}: {err}") from None
    results = own_results + [
        _result_from_report(report_graph, node, graph, shapes_graph)
        for node in report_graph.subjects(RDF.type, SH.ValidationResult)
    ]
    return ValidationReport(tuple(sorted(results, key=order_key)))


def _fast_engine(engine: str) -> bool:
    if engine not in ENGINES:
        raise UnknownFormatError(
            f'unknown validation engine "{engine}"; use one of: {", ".join(ENGINES)}'
        )
    return engine == "fast"


def _running(run: Callable[[], ValidationReport]) -> ValidationReport:
    """Errors of the fast engine's own making, as ValidationError (exit code 2)."""
    try:
        return run()
    except (MsskgError, KeyboardInterrupt):
        raise
    except (SyntaxError, ValueError, TypeError, OSError) as err:
        raise ValidationError(f"validation could not run: {type(err).__name__}: {err}") from None


@contextmanager
def _parse_sparql_once() -> Iterator[None]:
    """pySHACL hands rdflib the same SPARQL text for every focus node, and rdflib
    parses it anew each time. Parse each text once and reuse the translated
    query, as rdflib's own prepareQuery does (bundled data: 13.8 s -> 5.2 s,
    same results). The patch is undone on exit."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], object] = {}

    def query(
        self: processor.SPARQLProcessor,
        query_object: object,
        initBindings: Mapping[str, object] | None = None,
        initNs: Mapping[str, object] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, object]:
        if isinstance(query_object, str):
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            key = (query_object, base, namespaces)
            if key not in cache:
                cache[key] = translateQuery(parseQuery(query_object), base, initNs)
            query_object = cache[key]
        return original(self, query_object, initBindings, initNs, base, DEBUG)  # type: ignore[arg-type]

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


# --- checks SHACL cannot make ---------------------------------------------------


def _python_checks(graph: Graph) -> tuple[list[ValidationResult], Graph]:
    """Results for ill-formed dates, wrong bounds and missing quotes, and the
    graph with ill-formed date literals taken out (they crash pySHACL)."""
    results: list[ValidationResult] = []
    bad: list[tuple[Node, Node, Node]] = []
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in DATE_TYPES and o.ill_typed:
            bad.append((s, p, o))
            results.append(
                own_result(
                    graph,
                    s,
                    "DatatypeConstraintComponent",
                    MSH.WellFormedDateCheck,
                    f'"{o}" is not a valid {graph.namespace_manager.normalizeUri(o.datatype)}',
                    path=p,
                    value=o,
                )
            )
    checked = graph
    if bad:
        checked = Graph()
        for triple in graph:
            checked.add(triple)
        for triple in bad:
            checked.remove(triple)
    results.extend(_bounds_results(graph))
    results.extend(_quote_results(graph))
    return results, checked


def _bounds_results(graph: Graph) -> Iterable[ValidationResult]:
    for instant in set(graph.subjects(RDF.type, TIME.Instant)):
        expected = expected_bounds(graph, instant)
        if expected is None:
            continue
        for prop, want in zip((MSS.earliest, MSS.latest), expected, strict=True):
            have = graph.value(instant, prop)
            if isinstance(have, Literal) and not have.ill_typed and have.toPython() != want:
                yield own_result(
                    graph,
                    instant,
                    "EqualsConstraintComponent",
                    MSH.DateBoundsCheck,
                    f"{graph.namespace_manager.normalizeUri(prop)} is {have}, but the written "
                    f"date means {want.isoformat()}",
                    path=prop,
                    value=have,
                )


def expected_bounds(graph: Graph, instant: Node) -> tuple[dt.date, dt.date] | None:
    for prop in WRITTEN_DATE_PROPERTIES:
        written = graph.value(instant, prop)
        if isinstance(written, Literal) and not written.ill_typed:
            try:
                fuzzy = parse_date(str(written))
            except BadDateError:
                return None
            return fuzzy.earliest, fuzzy.latest
    first = graph.value(instant, MSS.inDecade)
    if isinstance(first, Literal) and not first.ill_typed:
        try:
            fuzzy = decade(int(str(first)))
        except (BadDateError, ValueError):
            return None
        return fuzzy.earliest, fuzzy.latest
    return None


def _quote_results(graph: Graph) -> Iterable[ValidationResult]:
    texts: dict[Node, str | None] = {}
    for selector_owner, source in graph.subject_objects(OA.hasSource):
        if source not in texts:
            texts[source] = _seed_text(graph, source)
        text = texts[source]
        if text is None:
            continue
        for selector in graph.objects(selector_owner, OA.hasSelector):
            exact = graph.value(selector, OA.exact)
            if exact is None:
                continue
            if str(exact) not in text:
                yield own_result(
                    graph,
                    selector_owner,
                    "QuoteConstraintComponent",
                    MSH.QuoteCheck,
                    f"the quote does not occur verbatim in {graph.value(source, MSS.fileName)}",
                    path=OA.exact,
                    value=exact,
                )


def _seed_text(graph: Graph, source: Node) -> str | None:
    name = graph.value(source, MSS.fileName)
    if name is None:
        return None
    path = seeds_dir() / str(name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def own_result(
    graph: Graph,
    focus: Node,
    component: str,
    shape: URIRef,
    message: str,
    *,
    path: Node | None = None,
    value: Node | None = None,
) -> ValidationResult:
    return ValidationResult(
        severity="Violation",
        focus=term_text(focus),
        focus_label=describe_node(graph, focus),
        message=message,
        shape=str(shape),
        component=str(SH[component]),
        path=None if path is None else str(path),
        value=None if value is None else str(value),
        quotes=quotes_of(graph, focus),
    )


# --- turning pySHACL's report into results --------------------------------------------


def _result_from_report(report: Graph, node: Node, data: Graph, shapes: Graph) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    value = report.value(node, SH.value)
    path = report.value(node, SH.resultPath)
    severity = str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
    shape = report.value(node, SH.sourceShape)
    value_is_node = isinstance(value, URIRef) and value != focus and (value, None, None) in data
    return ValidationResult(
        severity=severity,  # type: ignore[arg-type]
        focus=term_text(focus),
        focus_label=describe_node(data, focus),
        message=str(report.value(node, SH.resultMessage) or ""),
        shape=shape_name(shapes, shape),
        component=str(report.value(node, SH.sourceConstraintComponent)),
        path=None if path is None or isinstance(path, BNode) else str(path),
        value=None if value is None or value == focus else term_text(value),
        value_label=describe_node(data, value) if value_is_node else None,
        quotes=quotes_of(data, focus),
        value_quotes=quotes_of(data, value) if value_is_node else (),
    )
