"""The bundled graph against its sources: seeds unchanged, every quote verbatim,
every fact quoted, every date's bounds right, every file parsing cleanly in
two parsers, and the vocabulary documented."""

from __future__ import annotations

import hashlib
import logging
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, Namespace, URIRef

from msskg.dates import decade, parse_date

ROOT = Path(__file__).resolve().parents[1]
MSS = Namespace("https://w3id.org/msskg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")

SEED_CHECKSUMS = {
    "000_b62adf0e0be71f86.txt": "b9307ef47229fc602c1ffd6ad629b866aa676f427cfdc1e2cd4562b6c6ffb1f6",
    "001_17f06b06eea85535.txt": "fb7338f99f0767f64859e85f498d8c42bb34709078330309a08e0e81f58f45f7",
    "002_566cd18476139690.txt": "a14b30bb5502d7d1ba98632e82b9d9eb15d3b3230c428fd7c41a645b8fec6f3b",
}
TURTLE_FILES = sorted((ROOT / "data").glob("*.ttl")) + sorted((ROOT / "ontology").glob("*.ttl"))


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in TURTLE_FILES:
        if path.name != "shapes.ttl":
            g.parse(path)
    return g


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return {name: (ROOT / "seeds" / name).read_text(encoding="utf-8") for name in SEED_CHECKSUMS}


def test_seeds_are_the_three_texts_unchanged() -> None:
    assert sorted(p.name for p in (ROOT / "seeds").glob("*.txt")) == sorted(SEED_CHECKSUMS)
    for name, checksum in SEED_CHECKSUMS.items():
        assert hashlib.sha256((ROOT / "seeds" / name).read_bytes()).hexdigest() == checksum


def test_source_nodes_name_the_seeds_and_their_checksums(graph: rdflib.Graph) -> None:
    recorded = {
        str(graph.value(s, MSS.fileName)): str(graph.value(s, MSS.sha256))
        for s in graph.subjects(RDF.type, MSS.SourceText)
    }
    assert recorded == SEED_CHECKSUMS


def _quotes(graph: rdflib.Graph) -> list[tuple[str, str, str | None, str | None]]:
    found = []
    for resource, source in graph.subject_objects(OA.hasSource):
        selector = graph.value(resource, OA.hasSelector)
        file_name = str(graph.value(source, MSS.fileName))
        exact = graph.value(selector, OA.exact)
        prefix = graph.value(selector, OA.prefix)
        suffix = graph.value(selector, OA.suffix)
        assert exact is not None, f"a quote in {file_name} has no oa:exact"
        found.append(
            (
                file_name,
                str(exact),
                None if prefix is None else str(prefix),
                None if suffix is None else str(suffix),
            )
        )
    return found


def test_every_quote_occurs_verbatim_in_its_seed(
    graph: rdflib.Graph, seeds: dict[str, str]
) -> None:
    quotes = _quotes(graph)
    assert len(quotes) > 200
    missing = [(name, exact) for name, exact, _, _ in quotes if exact not in seeds[name]]
    assert missing == []


def test_every_quote_picks_out_one_passage(graph: rdflib.Graph, seeds: dict[str, str]) -> None:
    """A quote that occurs twice must carry an oa:prefix or oa:suffix that
    makes it unique, so a TextQuoteSelector always resolves to one place."""
    ambiguous = []
    for name, exact, prefix, suffix in set(_quotes(graph)):
        needle = (prefix or "") + exact + (suffix or "")
        if seeds[name].count(needle) != 1:
            ambiguous.append((name, needle))
    assert ambiguous == []


def test_every_fact_has_a_quote(graph: rdflib.Graph) -> None:
    fact_classes = set(graph.transitive_subjects(RDFS.subClassOf, MSS.Fact)) | {RDF.Statement}
    facts = {s for cls in fact_classes for s in graph.subjects(RDF.type, cls)}
    assert len(facts) > 150
    unquoted = sorted(str(f) for f in facts if (f, PROV.wasDerivedFrom, None) not in graph)
    assert unquoted == []


def test_every_named_thing_has_an_english_label_and_a_mention(graph: rdflib.Graph) -> None:
    kinds = [ORG.Organization, FOAF.Person, MSS.Country, MSS.Place, MSS.Topic]
    things = set()
    for kind in kinds:
        classes = set(graph.transitive_subjects(RDFS.subClassOf, kind))
        things |= {s for cls in classes for s in graph.subjects(RDF.type, cls)}
    assert len(things) > 40
    for thing in things:
        labels = [o for o in graph.objects(thing, RDFS.label) if isinstance(o, Literal)]
        assert any(label.language == "en" for label in labels), thing
        # where the thing is mentioned: a Web Annotation (body: the thing; target: the
        # quote), never a prov:wasDerivedFrom, which would make it a prov:Entity
        assert (None, OA.hasBody, thing) in graph, thing
        assert (thing, PROV.wasDerivedFrom, None) not in graph, thing


@pytest.mark.parametrize(
    ("resource", "korean"),
    [
        ("ministry-of-social-security", "사회안전성"),
        ("social-security-forces", "조선사회안전군"),
        ("pak-il-u", "박일우"),
        ("pang-hak-se", "방학세"),
        ("pak-mun-gyu", "박문규"),
        ("pak-song-chol", "박성철"),
        ("ri-thae-chol", "리태철"),
    ],
)
def test_korean_labels_given_by_the_texts_are_kept(
    graph: rdflib.Graph, resource: str, korean: str
) -> None:
    node = URIRef("https://w3id.org/msskg/id/" + resource)
    assert Literal(korean, lang="ko") in set(graph.objects(node, RDFS.label))


def test_every_instant_has_bounds_matching_its_written_date(graph: rdflib.Graph) -> None:
    written = {
        TIME.inXSDDate: "date",
        TIME.inXSDgYearMonth: "gYearMonth",
        TIME.inXSDgYear: "gYear",
    }
    instants = set(graph.subjects(RDF.type, TIME.Instant))
    assert len(instants) > 60
    for instant in instants:
        values = [(p, graph.value(instant, p)) for p in [*written, MSS.inDecade]]
        given = [(p, v) for p, v in values if v is not None]
        assert len(given) == 1, instant
        prop, value = given[0]
        assert isinstance(value, Literal) and not value.ill_typed
        if prop == MSS.inDecade:
            fuzzy = decade(int(str(value)))
        else:
            assert str(value.datatype).endswith(written[prop])
            fuzzy = parse_date(str(value))
        earliest = graph.value(instant, MSS.earliest)
        latest = graph.value(instant, MSS.latest)
        assert isinstance(earliest, Literal) and isinstance(latest, Literal)
        assert (earliest.toPython(), latest.toPython()) == (fuzzy.earliest, fuzzy.latest)
        assert graph.value(instant, MSS.asWritten) is not None


def test_every_interval_says_how_it_ends(graph: rdflib.Graph) -> None:
    intervals = set(graph.objects(None, MSS.during)) | set(graph.objects(None, ORG.memberDuring))
    for interval in intervals:
        kind = graph.value(interval, MSS.endKind)
        has_end = (interval, TIME.hasEnd, None) in graph
        assert (kind == MSS.EndStated) == has_end, interval


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: p.name)
def test_turtle_parses_cleanly_in_rdflib_and_oxigraph(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING):
        warnings.simplefilter("error")
        parsed = rdflib.Graph().parse(path)
    assert caplog.records == []
    for _, _, o in parsed:
        assert not (isinstance(o, Literal) and o.ill_typed), o
    triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(parsed)


def test_every_msskg_term_used_is_defined(graph: rdflib.Graph) -> None:
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "msskg.ttl")
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(MSS)}
    assert sorted(str(t) for t in used - set(ontology.subjects())) == []


def test_every_class_and_property_has_an_english_label_and_comment() -> None:
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "msskg.ttl")
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty]
    terms = {s for kind in kinds for s in ontology.subjects(RDF.type, kind)}
    assert len(terms) > 60
    for term in terms:
        labels = list(ontology.objects(term, RDFS.label))
        assert any(isinstance(x, Literal) and x.language == "en" for x in labels), term
        assert (term, RDFS.comment, None) in ontology, term
    header = URIRef("https://w3id.org/msskg/ontology")
    for prop in (OWL.versionInfo, URIRef("http://purl.org/dc/terms/license")):
        assert (header, prop, None) in ontology


def test_one_identity_across_renamings(graph: rdflib.Graph) -> None:
    ministry = URIRef("https://w3id.org/msskg/id/ministry-of-social-security")
    names = {
        str(n)
        for period in graph.subjects(MSS.ofAgency, ministry)
        for n in graph.objects(period, MSS.name)
        if isinstance(n, Literal) and n.language == "en"
    }
    assert names == {
        "Political Security Bureau",
        "Ministry of Social Security",
        "Social Security Department",
        "Ministry of People's Security",
        "People's Security Department",
    }


def test_ranks_are_ordered_as_the_table_lists_them(
    graph: rdflib.Graph, seeds: dict[str, str]
) -> None:
    table = seeds["000_b62adf0e0be71f86.txt"].split("==Ranks==")[1].split("==See also==")[0]
    listed = [line.split("|")[1].strip() for line in table.strip().splitlines()[1:]]
    ranks = sorted(
        (int(graph.value(r, MSS.rankOrder)), str(graph.value(r, RDFS.label)))  # type: ignore[arg-type]
        for r in graph.subjects(RDF.type, MSS.Rank)
    )
    assert [label for _, label in ranks] == listed
    assert [order for order, _ in ranks] == list(range(1, len(listed) + 1))


def test_equipment_rows_keep_every_cell_as_written(
    graph: rdflib.Graph, seeds: dict[str, str]
) -> None:
    table = seeds["000_b62adf0e0be71f86.txt"].split("== Equipment ==")[1].split("==Ministers==")[0]
    lines = [line for line in table.splitlines() if line.startswith("| ")][1:]
    rows = {
        int(graph.value(r, MSS.rowNumber)): r  # type: ignore[arg-type]
        for r in graph.subjects(RDF.type, MSS.EquipmentRow)
    }
    assert sorted(rows) == list(range(1, len(lines) + 1))
    for number, line in enumerate(lines, 1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        row = rows[number]
        recorded = [
            str(graph.value(row, p)) for p in (MSS.nameCell, MSS.countryOfOriginCell, MSS.typeCell)
        ]
        assert recorded == cells, line
