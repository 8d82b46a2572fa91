"""The W3C SHACL test suite (tests/w3c-shacl/, see its README): reading its
manifests, running one test through msskg.validate's public API, and judging
the report as the suite does (conforms, and the set of focus node, constraint
component and severity). Used by tests/test_w3c_shacl.py, which also writes
docs/shacl-conformance.md from it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from rdflib import RDF, BNode, Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from msskg.validate import ValidationReport, validate

SUITE = Path(__file__).resolve().parent / "w3c-shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")

Row = tuple[str, str, str]  # focus node, constraint component, severity


@dataclass(frozen=True)
class SuiteTest:
    name: str  # e.g. core/node/class-001
    data: Path
    shapes: Path
    expects_failure: bool  # mf:result sht:Failure: the shapes are ill-formed
    conforms: bool
    rows: frozenset[Row]

    @property
    def components(self) -> frozenset[str]:
        """The constraint components the test's shapes use, by parameter."""
        return components_of(Graph().parse(self.shapes))


@dataclass(frozen=True)
class Outcome:
    status: str  # "pass", "fail", "unsupported", "crash"
    detail: str = ""


def suite_tests() -> list[SuiteTest]:
    found: list[SuiteTest] = []
    for part in ("core", "sparql"):
        found.extend(_manifest(SUITE / part / "manifest.ttl"))
    return sorted(found, key=lambda t: t.name)


def _manifest(path: Path) -> Iterator[SuiteTest]:
    graph = Graph().parse(path, publicID=path.resolve().as_uri())
    for include in graph.objects(None, MF.include):
        yield from _manifest(_file(include))
    for entries in graph.objects(None, MF.entries):
        for entry in Collection(graph, entries):
            if (entry, RDF.type, SHT.Validate) in graph:
                yield _entry(graph, entry, path)


def _file(node: Node | None) -> Path:
    return Path(str(node).removeprefix("file://").split("#")[0])


def _entry(graph: Graph, test: Node, path: Path) -> SuiteTest:
    action = graph.value(test, MF.action)
    result = graph.value(test, MF.result)
    data = _file(graph.value(action, SHT.dataGraph))
    shapes = _file(graph.value(action, SHT.shapesGraph))
    name = str(path.relative_to(SUITE).parent / str(test).rsplit("/", 1)[-1])
    if result == SHT.Failure:
        return SuiteTest(name, data, shapes, True, False, frozenset())
    conforms = graph.value(result, SH.conforms)
    rows = frozenset(
        (
            _text(graph.value(r, SH.focusNode)),
            str(graph.value(r, SH.sourceConstraintComponent)),
            str(graph.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
        )
        for r in graph.objects(result, SH.result)
    )
    return SuiteTest(name, data, shapes, False, bool(conforms and conforms.toPython()), rows)


def _text(node: Node | None) -> str:
    """A focus node as msskg's report writes it; blank node ids are not compared."""
    if isinstance(node, BNode):
        return "_:"
    return str(node)


def report_rows(report: ValidationReport) -> frozenset[Row]:
    return frozenset(
        ("_:" if r.focus.startswith("_:") else r.focus, r.component, r.severity)
        for r in report.results
        if not r.detail
    )


def run(test: SuiteTest, engine: str = "fast") -> Outcome:
    """One test through the API a user calls; "unsupported" when the fast
    engine handed over to pySHACL (it says why on stderr)."""
    said = StringIO()
    try:
        with redirect_stderr(said):
            report = validate(data=[test.data], shapes=[test.shapes], engine=engine)
    except Exception as err:
        if test.expects_failure:
            return Outcome("pass", f"refused: {err}")
        if said.getvalue().startswith("unsupported: "):  # and pySHACL could not either
            return Outcome("unsupported", f"{said.getvalue().strip()}; then {err}")
        return Outcome("crash", f"{type(err).__name__}: {err}")
    if report.fallback is not None:
        assert said.getvalue().startswith(report.fallback), said.getvalue()
    ok = (
        not test.expects_failure
        and report.shacl_conforms == test.conforms
        and report_rows(report) == test.rows
    )
    detail = "" if ok else f"got {sorted(report_rows(report))}, conforms {report.shacl_conforms}"
    if report.fallback is not None:
        return Outcome("unsupported", report.fallback + ("" if ok else f"; pySHACL: {detail}"))
    return Outcome("pass" if ok else "fail", detail)


# The constraint components by the parameters that name them (SHACL 4, 6).
PARAMETERS = {
    "class": "Class", "datatype": "Datatype", "nodeKind": "NodeKind",
    "minCount": "MinCount", "maxCount": "MaxCount",
    "minExclusive": "MinExclusive", "minInclusive": "MinInclusive",
    "maxExclusive": "MaxExclusive", "maxInclusive": "MaxInclusive",
    "minLength": "MinLength", "maxLength": "MaxLength", "pattern": "Pattern",
    "languageIn": "LanguageIn", "uniqueLang": "UniqueLang",
    "equals": "Equals", "disjoint": "Disjoint", "lessThan": "LessThan",
    "lessThanOrEquals": "LessThanOrEquals", "not": "Not", "and": "And", "or": "Or",
    "xone": "Xone", "node": "Node", "qualifiedValueShape": "QualifiedValueShape",
    "closed": "Closed", "hasValue": "HasValue", "in": "In", "sparql": "SPARQL",
}  # fmt: skip


def components_of(shapes: Graph) -> frozenset[str]:
    found = {
        f"sh:{name}ConstraintComponent"
        for parameter, name in PARAMETERS.items()
        if (None, SH[parameter], None) in shapes
    }
    if (None, SH.parameter, None) in shapes:
        found.add("a constraint component of the shapes' own")
    if (None, SH.qualifiedValueShapesDisjoint, None) in shapes:
        found.add("sh:QualifiedValueShapeConstraintComponent, disjoint")
    return frozenset(found)


def _main() -> None:
    for test in suite_tests():
        print(test.name, run(test), file=sys.stdout)


if __name__ == "__main__":
    _main()
