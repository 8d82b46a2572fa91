"""The dataset's own description (VoID and DCAT): counted on the graph, valid
against the SHACL shapes of the VoID and DCAT terms it uses
(tests/void-shapes.ttl, run by pySHACL), and served at /.well-known/void."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from pyshacl import validate

from msskg.cli import main
from msskg.graph.store import open_store
from msskg.publish.export import export
from msskg.publish.void import DATASET, describe_dataset, write_description

SHAPES = Path(__file__).parent / "void-shapes.ttl"
ROOT = Path(__file__).resolve().parents[1]
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
ME = rdflib.URIRef(DATASET.value)


def conforms(turtle: str) -> tuple[bool, str]:
    data = rdflib.Graph().parse(data=turtle, format="turtle")
    shapes = rdflib.Graph().parse(SHAPES)
    ok, _, text = validate(data, shacl_graph=shapes, advanced=True)
    return bool(ok), str(text)


@pytest.fixture(scope="module")
def description() -> str:
    return write_description("turtle", endpoint="http://127.0.0.1:8000/sparql")


def test_the_description_conforms_to_the_void_and_dcat_shapes(description: str) -> None:
    ok, report = conforms(description)
    assert ok, report


@pytest.mark.slow  # pySHACL: the second pytest call of .ci/run
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: re.sub(r"void:triples \d+", 'void:triples "five"', t), "Datatype"),
        (lambda t: t.replace("void:uriSpace", "void:uriSpaces"), "void#uriSpaces"),
        (lambda t: t.replace("dcat:endpointURL", "dcat:endpoint"), "dcat#endpoint"),
        (lambda t: t.replace("dcterms:license <http", "dcterms:license 'x', <http"), "MaxCount"),
    ],
    ids=["triples-not-a-number", "unknown-void-term", "unknown-dcat-term", "two-licences"],
)
def test_the_shapes_catch_a_broken_description(
    description: str, change: Callable[[str], str], message: str
) -> None:
    broken = change(description)
    assert broken != description
    ok, report = conforms(broken)
    assert not ok and message in report


def test_the_counts_are_those_of_the_export() -> None:
    exported = rdflib.Graph().parse(data=export("nt"), format="nt")
    described = rdflib.Graph().parse(data=write_description("nt"), format="nt")
    assert described.value(ME, VOID.triples).toPython() == len(exported)
    subjects = {s for s in exported.subjects() if isinstance(s, rdflib.URIRef)}
    entities = {s for s in subjects if str(s).startswith("https://w3id.org/msskg/id/")}
    assert described.value(ME, VOID.entities).toPython() == len(entities)
    assert described.value(ME, VOID.distinctSubjects).toPython() == len(set(exported.subjects()))
    assert described.value(ME, VOID.properties).toPython() == len(set(exported.predicates()))


def test_licence_sources_endpoint_and_examples() -> None:
    triples = describe_dataset(open_store(), endpoint="http://example.org/sparql")
    graph = rdflib.Graph()
    for t in triples:
        graph.add(tuple(map(_rdflib, t)))  # type: ignore[arg-type]
    assert str(graph.value(ME, DCT.license)) == "http://creativecommons.org/licenses/by-sa/4.0/"
    assert "CC BY-SA 4.0" in (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    sources = sorted(str(s).rsplit("/", 1)[-1] for s in graph.objects(ME, DCT.source))
    assert sources == ["source-000", "source-001", "source-002"]
    assert str(graph.value(ME, VOID.sparqlEndpoint)) == "http://example.org/sparql"
    examples = list(graph.objects(ME, rdflib.RDFS.seeAlso))
    assert "https://w3id.org/msskg/dataset#query-holder-at" in map(str, examples)


def _rdflib(term: object) -> rdflib.term.Node:
    value = str(getattr(term, "value", term))
    return rdflib.URIRef(value) if isinstance(term, ox.NamedNode) else rdflib.Literal(value)


def test_a_source_date_in_the_graph_is_given(tmp_path: Path) -> None:
    extra = tmp_path / "asof.ttl"
    extra.write_text(
        "@prefix mss: <https://w3id.org/msskg/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<urn:s> a mss:SourceText ; dcterms:title "S" ; dcterms:date "2024-05"^^xsd:gYearMonth ;'
        ' dcterms:identifier "not a date" .\n'
    )
    text = write_description("nt", data=[extra])
    date = '"2024-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    assert f"<urn:s> <http://purl.org/dc/terms/date> {date}" in text
    assert "not a date" not in text


def test_export_void_on_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--void", "-o", str(tmp_path / "void.ttl")])
    assert (result.exit_code, result.output) == (0, "")
    assert "void:triples" in (tmp_path / "void.ttl").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--void", "--at", "2020"])
    assert (result.exit_code, result.stderr) == (2, "Error: give --void or --at DATE, not both\n")
    result = CliRunner().invoke(main, ["export", "--void", "-f", "trig"])
    assert (result.exit_code, result.stderr) == (
        2,
        'Error: the description is written as turtle, jsonld, nt, not "trig"\n',
    )
