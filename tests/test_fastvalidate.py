"""The fast validation engine against pySHACL, the reference: the same results
(focus, shape, component, severity, message, path, value, labels, quotes) for
every shape's valid and invalid example, the source checks, and the bundled data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from test_shapes import CASES, PREFIXES, ROOT

from msskg.cli import main
from msskg.errors import MsskgError
from msskg.validate.api import validate, validate_graph
from msskg.validate.fast import Unsupported, _restricted
from msskg.validate.report import ValidationReport, ValidationResult


def comparable(report: ValidationReport) -> list[tuple[object, ...]]:
    """Results as sortable tuples; blank node ids (which differ from parse to
    parse) are left out, the labels that describe those nodes are kept."""

    def blank(text: str | None) -> str | None:
        return "_:" if text and text.startswith("_:") else text

    rows = [
        (
            r.severity,
            blank(r.focus),
            r.focus_label,
            r.message,
            r.shape,
            r.component,
            r.path,
            blank(r.value),
            r.value_label,
            r.quotes,
            r.value_quotes,
        )
        for r in report.results
    ]
    return sorted(rows, key=repr)


def graph_of(body: str) -> rdflib.Graph:
    graph = rdflib.Graph().parse(ROOT / "ontology" / "msskg.ttl")
    return graph.parse(data=PREFIXES + body, format="turtle")


def both(
    graph: rdflib.Graph, shapes: Path | None = None
) -> tuple[ValidationReport, ValidationReport]:
    return (
        validate_graph(graph, shapes=shapes, engine="pyshacl"),
        validate_graph(graph, shapes=shapes, engine="fast"),
    )


@pytest.mark.parametrize("example", ["valid", "invalid"])
@pytest.mark.parametrize("shape", sorted(CASES))
def test_same_results_as_pyshacl_for_every_shape(shape: str, example: str) -> None:
    valid, invalid, _ = CASES[shape]
    reference, fast = both(graph_of(valid if example == "valid" else invalid))
    # Blank nodes keep their ids from the rdflib graph here, so compare everything.
    assert sorted(map(repr, fast.results)) == sorted(map(repr, reference.results))
    assert fast.fallback is None, "the fast engine must evaluate msskg's own shapes itself"
    if example == "invalid":
        assert fast.results


ILL_FORMED_DATE_AND_WRONG_BOUNDS = (
    'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
    "prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource msr:source-000 ; "
    'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "not in the text" ] ] ; '
    "time:hasTime [ a time:Instant ; "
    'time:inXSDDate "2021-02-30"^^xsd:date ; mss:earliest "2021-02-30"^^xsd:date ; '
    'mss:latest "2021-02-28"^^xsd:date ] . '
    'ex:f a mss:Founding ; rdfs:label "Founded again"@en ; mss:resultingOrganization ex:ministry ; '
    "prov:wasDerivedFrom ex:q ; time:hasTime [ a time:Instant ; "
    'time:inXSDgYear "1945"^^xsd:gYear ; mss:earliest "1945-01-01"^^xsd:date ; '
    'mss:latest "1945-12-30"^^xsd:date ] .'
)


def test_same_source_checks_as_pyshacl_path() -> None:
    reference, fast = both(graph_of(ILL_FORMED_DATE_AND_WRONG_BOUNDS))
    assert sorted(map(repr, fast.results)) == sorted(map(repr, reference.results))
    shapes = {r.shape.rsplit("#", 1)[-1] for r in fast.violations}
    assert {"WellFormedDateCheck", "DateBoundsCheck", "QuoteCheck"} <= shapes


@pytest.mark.slow  # pySHACL: the second pytest call of .ci/run
def test_same_results_on_the_bundled_data() -> None:
    fast = validate(engine="fast")
    assert comparable(fast) == comparable(validate(engine="pyshacl"))
    assert fast.conforms and fast.warnings
    assert fast.fallback is None, "the fast engine must evaluate msskg's own shapes itself"


def test_shapes_the_engine_cannot_evaluate_fall_back_to_pyshacl_and_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass foaf:Person ;\n"
        "  sh:property [ sh:path rdfs:label ; sh:qualifiedMinCount 1 ;\n"
        '    sh:qualifiedValueShape [ sh:pattern "^A" ] ;\n'
        "    sh:qualifiedValueShapesDisjoint true ] .\n",
        encoding="utf-8",
    )
    reference, fast = both(graph_of(""), shapes)
    assert comparable(fast) == comparable(reference)
    assert [r.component.rsplit("#", 1)[-1] for r in fast.results] == [
        "QualifiedMinCountConstraintComponent"
    ]
    reason = "unsupported: sh:qualifiedValueShapesDisjoint on a blank node shape"
    assert fast.fallback == reason
    assert capsys.readouterr().err == f"{reason}; validating with pySHACL instead\n"


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        # the SPARQL constraint fails in the second thread, the core's later: the first
        ("sparql", "core", "sh:sparql on urn:a without sh:select or sh:message"),
        ("core", "sparql", "sh:expression on <urn:a>"),
    ],
)
def test_the_first_shape_that_cannot_be_evaluated_is_the_one_named(
    tmp_path: Path, first: str, second: str, reason: str
) -> None:
    """Regression for the constraints' second thread: the reason given is the
    one a run shape by shape meets first, whichever thread finds it first."""
    kinds = {
        "sparql": 'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .',
        "core": "sh:expression [ sh:path rdfs:label ] .",
    }
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<urn:a> a sh:NodeShape ; sh:targetClass foaf:Person ; {kinds[first]}\n"
        f"<urn:b> a sh:NodeShape ; sh:targetClass foaf:Person ; {kinds[second]}\n",
        encoding="utf-8",
    )
    fast = validate_graph(graph_of(""), shapes=[shapes], engine="fast")
    assert fast.fallback == f"unsupported: {reason}"


def test_a_sub_query_must_select_this() -> None:
    # SHACL asks a sub-query to select $this; the fast engine joins such a
    # sub-query to the focus node, and leaves any other to pySHACL.
    targets = "{ ?this a <urn:C> }"
    inner = "{ SELECT $this ?x WHERE { $this <urn:p> ?x } }"
    assert _restricted(f"SELECT $this WHERE {{ {inner} }}", targets) == (
        f"SELECT $this WHERE {{ {targets}  {inner} }}"
    )
    with pytest.raises(Unsupported, match=r"a sub-query that does not select \$this"):
        _restricted(
            "SELECT $this WHERE { $this <urn:p> ?x { SELECT ?x WHERE { ?x <urn:q> 1 } } }", targets
        )
    # "select" in a string or an IRI is not a sub-query
    _restricted('SELECT $this WHERE { $this <urn:select> "select ?x" }', targets)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(MsskgError, match='unknown validation engine "quick"'):
        validate(engine="quick")


@pytest.mark.slow  # pySHACL: the second pytest call of .ci/run
def test_validate_command_takes_an_engine() -> None:
    runner = CliRunner()
    outputs = [
        runner.invoke(main, ["validate", "--engine", engine, "-f", "json"])
        for engine in ("fast", "pyshacl")
    ]
    assert [o.exit_code for o in outputs] == [0, 0]
    bad = runner.invoke(main, ["validate", "--engine", "quick"])
    assert bad.exit_code == 2
    assert "'quick' is not one of 'fast', 'pyshacl'" in bad.output


def test_comparable_ignores_only_blank_node_ids() -> None:
    def result(focus: str, message: str) -> ValidationReport:
        one = ValidationResult("Warning", focus, "label", message, "urn:s", "urn:c")
        return ValidationReport((one,))

    same = "has 2 different current holders in the sources, among them A and B"
    swapped = "has 2 different current holders in the sources, among them B and A"
    assert comparable(result("_:a", same)) == comparable(result("_:b", same))
    assert comparable(result("_:a", same)) != comparable(result("_:b", swapped))
    assert comparable(result("urn:a", same)) != comparable(result("urn:b", same))
    assert comparable(result("_:a", "starts (1) after")) != comparable(
        result("_:a", "starts (2) after")
    )


def test_dates_compare_as_rdflib_compares_them() -> None:
    # sh:lessThanOrEquals on YYYY-MM-DD dates compares the text; rdflib compares dates
    from msskg.validate import components as core

    xsd_date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    texts = ["1945-01-01", "1945-1-01", "1945-12-31", "1946-01-01", "2021-02-30", "0001-01-01"]
    texts += ["1945-01-01Z", "1945-06-15", "2020-02-29", "2021-02-29", "9999-12-31"]
    dates = [ox.Literal(t, datatype=xsd_date) for t in texts] + [ox.Literal("1945-01-01")]
    plain = [d for d in dates if core._plain_date(d)]
    ill_typed = {"2021-02-30", "2021-02-29"}
    assert [d.value for d in plain] == [t for t in texts if len(t) == 10 and t not in ill_typed]
    for value in plain:
        for other in plain:
            rdflib_says = not core._comparable(value)[1] <= core._comparable(other)[1]  # type: ignore[operator]
            assert core._not_less(value, other, strict=False) == rdflib_says, (value, other)


def test_the_registry_holds_every_constraint_parameter_pyshacl_evaluates() -> None:
    # A parameter missing from COMPONENTS would be read as no constraint at
    # all, and the fast engine would pass what pySHACL fails: each is either
    # evaluated or marked None (pySHACL then runs), or is a companion read by
    # the entry of another (sh:closed's, sh:qualifiedValueShape's), or is
    # SHACL-SPARQL (msskg.validate.fast).
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP

    from msskg.validate.components import COMPONENTS
    from msskg.validate.paths import SH

    companions = {SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql}
    assert set(CONSTRAINT_PARAMETERS_MAP) - companions <= set(COMPONENTS)
    assert COMPONENTS[SH.qualifiedValueShapesDisjoint] is None


def test_pyshacl_texts_differing_only_in_prefix_order_are_parsed_once() -> None:
    """pySHACL writes a shape's prefixes in an order that changes from one parse
    of the shapes to the next: the parsed query is reused across validations."""
    from msskg.validate.pyshacl_engine import _prefixes_sorted

    body = "\nSELECT $this WHERE { $this a ex:A }"
    first = "PREFIX ex: <urn:ex#>\nPREFIX rdf: <urn:rdf#>" + body
    second = "PREFIX rdf: <urn:rdf#>\nPREFIX ex: <urn:ex#>" + body
    assert _prefixes_sorted(first) == _prefixes_sorted(second) == first
    twice = "PREFIX ex: <urn:b#>\nPREFIX ex: <urn:a#>" + body  # the later one counts
    assert _prefixes_sorted(twice) == twice
