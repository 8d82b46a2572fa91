"""The validation report: its results, with labels and quotes so that a person
can act on them (never a bare blank node), and the human, Turtle and JSON forms."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal as TypingLiteral

import rdflib
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.query.registry import REPORT, unknown_format

__all__ = [
    "Quote",
    "ValidationReport",
    "ValidationResult",
    "describe_node",
    "format_report",
    "label_of",
    "order_key",
    "quotes_of",
    "result_of",
    "shape_name",
    "term_text",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
MSH = Namespace("https://w3id.org/msskg/shapes#")
MSS = Namespace(DEFAULT_PREFIXES["mss"])
OA = Namespace(DEFAULT_PREFIXES["oa"])
PROV = Namespace(DEFAULT_PREFIXES["prov"])
SKOS = Namespace(DEFAULT_PREFIXES["skos"])

Severity = TypingLiteral["Violation", "Warning", "Info"]


@dataclass(frozen=True)
class Quote:
    """A passage that supports a fact: the seed file and the exact words."""

    source: str
    text: str


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with labels and quotes so that a person can act on it."""

    severity: Severity
    focus: str
    focus_label: str
    message: str
    shape: str
    component: str
    path: str | None = None
    value: str | None = None
    value_label: str | None = None
    quotes: tuple[Quote, ...] = ()
    value_quotes: tuple[Quote, ...] = ()
    detail: bool = False
    """Reported under another result (SHACL's sh:detail: why a value fails its sh:node)."""


@dataclass(frozen=True)
class ValidationReport:
    results: tuple[ValidationResult, ...]
    fallback: str | None = None
    """Why the fast engine handed over to pySHACL ("unsupported: sh:pattern
    on ..."), or None when the engine asked for ran."""

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Warning")

    @property
    def infos(self) -> tuple[ValidationResult, ...]:
        """Notices, not failures: the values marked mss:valueNotInQuote, each with its reason."""
        return tuple(r for r in self.results if r.severity == "Info")

    @property
    def conforms(self) -> bool:
        """True when nothing is a violation; warnings are allowed (msskg's
        verdict and exit code, as pySHACL's command line gives them)."""
        return not self.violations

    @property
    def shacl_conforms(self) -> bool:
        """SHACL's sh:conforms (SHACL 3.1): true only when there is no result
        of any severity."""
        return not self.results


def order_key(result: ValidationResult) -> tuple[int, str, str, str]:
    # a severity of one's own (SHACL allows any IRI) after the three of SHACL's
    rank = {"Violation": 0, "Warning": 1, "Info": 2}.get(result.severity, 3)
    return (rank, result.shape, result.focus_label, result.message)


def result_of(
    data: Graph,
    shape: str,
    component: str,
    focus: Node,
    value: Node | None,
    message: str,
    *,
    path: Node | None,
    severity: str = "Violation",
    detail: bool = False,
) -> ValidationResult:
    """A result, its nodes labelled and quoted from ``data`` (an IRI value
    that is a subject there too, with its own label and quotes)."""
    value_is_node = isinstance(value, URIRef) and value != focus and (value, None, None) in data
    return ValidationResult(
        severity=severity,  # type: ignore[arg-type]
        focus=term_text(focus),
        focus_label=describe_node(data, focus),
        message=message,
        shape=shape,
        component=component,
        path=None if path is None or isinstance(path, BNode) else str(path),
        value=None if value is None or value == focus else term_text(value),
        value_label=describe_node(data, value) if value_is_node else None,
        quotes=quotes_of(data, focus),
        value_quotes=quotes_of(data, value) if value_is_node else (),
        detail=detail,
    )


def shape_name(shapes: Graph, shape: Node | None) -> str:
    """The shape's IRI, or for an anonymous property shape the IRI of the node
    shape that holds it (so that results are stable across runs)."""
    if isinstance(shape, URIRef):
        return str(shape)
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            return str(parent)
    return "(anonymous shape)"


def term_text(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def describe_node(graph: Graph, node: Node | None) -> str:
    """A label for a node: its English label, or for a blank node the path to
    it from the nearest labelled node ("Pak Il-u, ... > org:memberDuring"),
    never a bare blank node identifier."""
    if node is None:
        return ""
    label = label_of(graph, node)
    if label:
        return label
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        seen: set[Node] = {node}
        frontier: list[tuple[Node, list[str]]] = [(node, [])]
        while frontier:
            current, steps = frontier.pop(0)
            for parent, prop in graph.subject_predicates(current):
                if parent in seen:
                    continue
                seen.add(parent)
                path = [_short(graph, prop), *steps]
                parent_label = label_of(graph, parent)
                if parent_label or isinstance(parent, URIRef):
                    return " > ".join([parent_label or _short(graph, parent), *path])
                frontier.append((parent, path))
        return "(unlabelled blank node)"
    return _short(graph, node)


def label_of(graph: Graph, node: Node) -> str | None:
    labels = list(graph.objects(node, RDFS.label)) + list(graph.objects(node, SKOS.prefLabel))
    english = [lab for lab in labels if isinstance(lab, Literal) and lab.language == "en"]
    chosen = english or labels
    return min(str(label) for label in chosen) if chosen else None


def _short(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(str(node))
    return str(node)


def quotes_of(graph: Graph, node: Node | None) -> tuple[Quote, ...]:
    """The quotes supporting ``node``, or, for a blank node, the nearest fact above it."""
    current: Node | None = node
    seen: set[Node] = set()
    while current is not None and current not in seen:
        seen.add(current)
        found = []
        for resource in graph.objects(current, PROV.wasDerivedFrom):
            source = graph.value(resource, OA.hasSource)
            selector = graph.value(resource, OA.hasSelector)
            exact = graph.value(selector, OA.exact) if selector is not None else None
            name = graph.value(source, MSS.fileName) if source is not None else None
            if exact is not None:
                found.append(Quote(str(name or source), str(exact)))
        if found:
            return tuple(sorted(found, key=lambda q: (q.source, q.text)))
        if not isinstance(current, BNode):
            return ()
        current = next(iter(graph.subjects(None, current)), None)
    return ()


# --- output -----------------------------------------------------------------------------


def format_report(report: ValidationReport, fmt: str = "human", *, strict: bool = False) -> str:
    """The report as ``human`` text, SHACL ``turtle``, or ``json``. With
    ``strict``, the human verdict counts warnings as failures too."""
    if fmt == "human":
        return _human(report, strict=strict)
    if fmt == "json":
        return json.dumps(
            {"conforms": report.conforms, "results": [_fields(r) for r in report.results]},
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "turtle":
        return _turtle(report)
    raise unknown_format(fmt, REPORT, what="report")


def _fields(result: ValidationResult) -> dict[str, object]:
    fields = asdict(result)
    del fields["detail"]  # the JSON lists every result alike, as it always has
    return fields


def _human(report: ValidationReport, *, strict: bool = False) -> str:
    verdict = "conforms" if report.conforms else "does not conform"
    if strict and report.conforms and report.warnings:
        verdict = "does not conform under --strict (warnings count)"
    counts = f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)"
    if report.infos:
        marked = len({(r.focus, r.value) for r in report.infos})
        counts += f", {marked} value(s) not in their quotes, each with its reason (INFO)"
    lines = [f"{verdict}: {counts}"]
    for result in report.results:
        lines.append("")
        lines.append(f"{result.severity.upper():<9} {result.focus_label}")
        lines.append(f"          {result.message}")
        lines.append(f"          shape: {_compact(result.shape)}")
        lines.extend(f'          quote ({q.source}): "{_one_line(q.text)}"' for q in result.quotes)
        if result.value_label:
            lines.append(f"          other: {result.value_label}")
            lines.extend(
                f'          quote ({q.source}): "{_one_line(q.text)}"' for q in result.value_quotes
            )
    return "\n".join(lines) + "\n"


def _compact(iri: str) -> str:
    prefixes = {"msh": str(MSH), **DEFAULT_PREFIXES}
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _one_line(text: str) -> str:
    return text.replace("\n", " ⏎ ")


def _turtle(report: ValidationReport) -> str:
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    graph.bind("msh", MSH)
    for prefix, namespace in DEFAULT_PREFIXES.items():
        graph.bind(prefix, namespace)
    root = BNode("report")
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.shacl_conforms)))
    for index, result in enumerate(report.results):
        node = BNode(f"r{index}")
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.focusNode, _node(result.focus)))
        graph.add((node, SH.resultMessage, Literal(result.message)))
        graph.add((node, SH.sourceShape, URIRef(result.shape)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(result.component)))
        if result.path:
            graph.add((node, SH.resultPath, URIRef(result.path)))
        if result.value is not None:
            graph.add((node, SH.value, _node(result.value)))
        graph.add((node, RDFS.label, Literal(result.focus_label)))
    return graph.serialize(format="turtle")


def _node(text: str) -> Node:
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith(("http://", "https://", "urn:")):
        return URIRef(text)
    return Literal(text)
