"""The checks SHACL cannot make, on an rdflib graph: dates well-formed and
their bounds right, and every quote present, verbatim, in the seed file it
names; and where the shapes, the ontology and the seeds are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from msskg.dates import decade, parse_date
from msskg.errors import BadDateError, ValidationError
from msskg.graph.files import project_home
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.validate.report import MSH, SH, ValidationResult, describe_node, quotes_of, term_text

__all__ = [
    "DATE_TYPES",
    "WRITTEN_DATE_PROPERTIES",
    "expected_bounds",
    "ontology_file",
    "own_result",
    "python_checks",
    "read_shapes",
    "seeds_dir",
    "shapes_file",
]


MSS = Namespace(DEFAULT_PREFIXES["mss"])


OA = Namespace(DEFAULT_PREFIXES["oa"])


PROV = Namespace(DEFAULT_PREFIXES["prov"])


TIME = Namespace(DEFAULT_PREFIXES["time"])


XSD = Namespace(DEFAULT_PREFIXES["xsd"])


# The properties that hold a date as written (a decade is mss:inDecade), and
# the datatypes checked for well-formedness; storechecks.py uses the same.
WRITTEN_DATE_PROPERTIES = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)


DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear, XSD.dateTime)


def shapes_file() -> Path:
    return project_home() / "ontology" / "shapes.ttl"


def read_shapes(files: Sequence[Path], *, as_written: bool = False) -> Graph:
    """The shapes graph: every triple of every file in ``files``. With
    ``as_written``, literals keep their lexical forms ("1"^^xsd:boolean is not
    true for sh:uniqueLang), as pyoxigraph keeps the data's."""
    import rdflib

    graph = Graph()
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = normalize and not as_written
    try:
        for path in files:
            try:
                graph.parse(path)
            except Exception as err:  # rdflib's parsers raise many types; say which file
                first = (str(err).strip().splitlines() or [type(err).__name__])[0]
                raise ValidationError(f"cannot read the shapes in {path}: {first}") from None
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph


def ontology_file() -> Path:
    return project_home() / "ontology" / "msskg.ttl"


def seeds_dir() -> Path:
    return project_home() / "seeds"


def python_checks(graph: Graph) -> tuple[list[ValidationResult], Graph]:
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
