"""The reference engine: pySHACL, with msskg's own checks run first, and its
report turned into msskg's results."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyshacl
from rdflib import RDF, Graph
from rdflib.term import Node

from msskg.errors import ValidationError
from msskg.graph.dataset import to_rdflib
from msskg.validate.report import (
    SH,
    ValidationReport,
    ValidationResult,
    order_key,
    result_of,
    shape_name,
)
from msskg.validate.sources import StoreView, read_shapes, source_checks, store_of

__all__ = ["run_pyshacl"]


def run_pyshacl(
    graph: Graph, shapes: Sequence[Path], *, own_checks: bool = True
) -> ValidationReport:
    """pySHACL's results for ``graph`` (data and ontology); with ``own_checks``
    (msskg's shapes), msskg's own checks added and ill-formed dates kept from
    pySHACL, which crashes on them."""
    shapes_graph = read_shapes(shapes)
    own_results, checked = _source_checks(graph) if own_checks else ([], graph)
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
    if not isinstance(report_graph, Graph):  # pySHACL's ValidationFailure: ill-formed shapes
        reason = (str(report_graph).strip().splitlines() or ["ill-formed shapes"])[0]
        raise ValidationError(f"pySHACL could not run: {reason}")
    results = own_results + [
        _result_from_report(report_graph, node, graph, shapes_graph)
        for node in report_graph.subjects(RDF.type, SH.ValidationResult)
    ]
    return ValidationReport(tuple(sorted(results, key=order_key)))


def _source_checks(graph: Graph) -> tuple[list[ValidationResult], Graph]:
    """msskg's own results, and ``graph`` without the triples of ill-formed dates."""
    results, removed = source_checks(StoreView(store_of(graph), graph.namespace_manager))
    if not removed:
        return results, graph
    checked = Graph()
    for triple in graph:
        checked.add(triple)
    for quad in removed:
        checked.remove((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return results, checked


_PARSED: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], object] = {}
"""SHACL-SPARQL texts as rdflib translated them, by text, base and prefixes:
kept for the process, as msskg's shapes hand pySHACL the same texts each run."""
_PARSED_MAX = 512


def _prefixes_sorted(text: str) -> str:
    """``text`` with its leading PREFIX lines in order: pySHACL writes a shape's
    declared prefixes in an order that differs from one parse of the shapes to
    the next, and the order of distinct prefixes does not change the query."""
    lines = text.split("\n")
    count = next((i for i, line in enumerate(lines) if not line.startswith("PREFIX ")), len(lines))
    names = [line.split(":", 1)[0] for line in lines[:count]]
    if len(set(names)) < len(names):  # a prefix declared twice: keep the text as it is
        return text
    return "\n".join(sorted(lines[:count]) + lines[count:])


@contextmanager
def _parse_sparql_once() -> Iterator[None]:
    """pySHACL hands rdflib the same SPARQL text for every focus node, and rdflib
    parses it anew each time. Parse each text once and reuse the translated
    query, as rdflib's own prepareQuery does (the same results; parsing was
    most of the time), in this validation and the next ones of the process
    (:data:`_PARSED`). The patch is undone on exit."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query
    cache = _PARSED

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
            key = (_prefixes_sorted(query_object), base, namespaces)
            if key not in cache:
                if len(cache) >= _PARSED_MAX:  # another shapes graph's texts each time
                    cache.clear()
                cache[key] = translateQuery(parseQuery(query_object), base, initNs)
            query_object = cache[key]
        return original(self, query_object, initBindings, initNs, base, DEBUG)  # type: ignore[arg-type]

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def _result_from_report(report: Graph, node: Node, data: Graph, shapes: Graph) -> ValidationResult:
    return result_of(
        data,
        shape_name(shapes, report.value(node, SH.sourceShape)),
        str(report.value(node, SH.sourceConstraintComponent)),
        report.value(node, SH.focusNode),  # type: ignore[arg-type]
        report.value(node, SH.value),
        str(report.value(node, SH.resultMessage) or ""),
        path=report.value(node, SH.resultPath),
        severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
        detail=(None, SH.detail, node) in report,
    )
