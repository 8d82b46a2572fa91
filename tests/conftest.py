"""Fixtures for the library and CLI tests: a tiny msskg home (ontology, data,
saved queries) written into tmp_path, so these tests never depend on the
bundled data, and a private cache folder for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

PREFIXES = """\
@prefix msr: <https://w3id.org/msskg/id/> .
@prefix mss: <https://w3id.org/msskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
"""

ONTOLOGY = (
    PREFIXES
    + """\
mss:Ministry a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label "ministry"@en , "성"@ko .
"""
)

FACTS = (
    PREFIXES
    + """\
msr:ministry a mss:Ministry ;
    rdfs:label "Ministry of Social Security"@en , "사회안전성"@ko .
msr:name-1 a mss:NamePeriod ; mss:ofAgency msr:ministry ;
    mss:name "Ministry of People's Security"@en , "인민보안성"@ko ;
    mss:during [ a time:Interval ;
        time:hasBeginning [ a time:Instant ;
            mss:earliest "2010-04-01"^^xsd:date ; mss:latest "2010-04-30"^^xsd:date ] ] ;
    prov:wasDerivedFrom
        [ a oa:SpecificResource ; oa:hasSource msr:source-a ;
          oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "renamed" ] ] ,
        [ a oa:SpecificResource ; oa:hasSource msr:source-b ;
          oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "renamed, too" ] ] .
msr:post-minister a org:Post ;
    rdfs:label "Minister of Social Security"@en ; skos:altLabel "Minister"@en .
msr:post-deputy a org:Post ;
    rdfs:label "First Deputy Minister"@en ; skos:altLabel "Minister"@en .
msr:strength a mss:StrengthEstimate ; mss:about msr:ministry ;
    mss:minimum "120.0"^^xsd:decimal ;
    prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource msr:source-a ] .
msr:source-a rdfs:label "Source A"@en .
msr:source-b rdfs:label "Source B"@en .
"""
)

QUERIES = {
    "labels-of": """\
# title: Labels of a resource
# description: Every label of the resource,
# description: in every language.
# param: thing | resource | msr:ministry | The resource: IRI, prefixed name or label
# example: -p thing=msr:ministry
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label WHERE { ?thing rdfs:label ?label } ORDER BY ?label
""",
    "named-by": """\
# title: Names given by a date
# param: date | date | required | The day, month or year: YYYY, YYYY-MM or YYYY-MM-DD
PREFIX mss: <https://w3id.org/msskg/ontology#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?agency ?name ?date_latest WHERE {
  ?period mss:ofAgency ?agency ; mss:name ?name ;
    mss:during/time:hasBeginning/mss:earliest ?start .
  FILTER(?start <= ?date_latest)
} ORDER BY ?name
""",
    "echo": """\
# title: Echo the parameters
# param: text | string | required | Any text
# param: n | integer | 1 | A whole number
SELECT ?text ?n WHERE {}
""",
    "hidden-parameter": """\
# title: Uses a parameter it does not return
# param: text | string | x | Any text
SELECT ?thing WHERE { ?thing ?p ?text }
""",
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MSSKG_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An msskg home with a one-class ontology, a few facts and four queries."""
    root = tmp_path / "home"
    for folder in ("ontology", "data", "queries"):
        (root / folder).mkdir(parents=True)
    (root / "ontology" / "msskg.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (root / "ontology" / "shapes.ttl").write_text("this is not loaded", encoding="utf-8")
    (root / "data" / "facts.ttl").write_text(FACTS, encoding="utf-8")
    for name, text in QUERIES.items():
        (root / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MSSKG_HOME", str(root))
    return root
