"""The direct layer and the state on a date: plain ORG and SKOS triples derived
by the rules in rules/ (never typed by hand), each traced to its facts, in a
named graph of their own; and the "Done when" questions of issue 9 asked with
ORG, SKOS and FOAF terms only, on the export."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from msskg.cli import main
from msskg.graph.direct import DIRECT_GRAPH, direct_quads, read_rules
from msskg.graph.files import resolve_files
from msskg.graph.store import parse_into
from msskg.publish.direct import export_at
from msskg.publish.export import export
from msskg.vocab import RDF

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = """
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
DIRECT_PROPERTIES = (
    "org:subOrganizationOf",
    "org:hasSubOrganization",
    "org:holds",
    "org:heldBy",
    "org:headOf",
    "org:hasPost",
)


def store_of(text: str, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.Store:
    store = ox.Store()
    store.load(text.encode("utf-8"), fmt)
    return store


def answers(store: ox.Store, sparql: str) -> list[str]:
    rows = store.query(PREFIXES + sparql, use_default_graph_as_union=True)
    return sorted(str(row[0].value) for row in rows)  # type: ignore[union-attr,index]


@pytest.fixture(scope="module")
def exported() -> ox.Store:
    return store_of(export("turtle"))


@pytest.fixture(scope="module")
def direct() -> list[ox.Quad]:
    return direct_quads()


def test_no_direct_triple_is_typed_by_hand() -> None:
    for path in sorted((ROOT / "data").glob("*.ttl")):
        # a role's org:roleProperty names org:headOf without asserting it
        text = path.read_text(encoding="utf-8").replace("org:roleProperty org:headOf", "")
        typed = [p for p in DIRECT_PROPERTIES if re.search(rf"\s{p}\s", text)]
        assert typed == [], path.name


def test_every_rule_is_a_construct_with_a_header() -> None:
    rules = read_rules() + read_rules(ROOT / "rules" / "at")
    assert len(rules) == 11
    for rule in rules:
        assert rule.text.startswith("# rule"), rule.name
        assert "CONSTRUCT" in rule.text, rule.name


def test_every_derived_triple_is_traced_to_facts_and_a_rule(direct: list[ox.Quad]) -> None:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    statements = {q.subject for q in direct if q.predicate.value == rdf + "type"}
    plain = [q for q in direct if q.subject not in statements]
    assert len(plain) > 90
    assert all(q.graph_name == DIRECT_GRAPH for q in direct)
    store = ox.Store()
    store.extend(direct)
    untraced = store.query(
        PREFIXES
        + """
        SELECT ?s ?p ?o WHERE {
          GRAPH ?g { ?s ?p ?o . }
          FILTER (?p NOT IN (rdf:type, rdf:subject, rdf:predicate, rdf:object, prov:wasDerivedFrom,
                             <https://w3id.org/msskg/ontology#derivedBy>))
          FILTER NOT EXISTS {
            GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                           prov:wasDerivedFrom ?fact ;
                           <https://w3id.org/msskg/ontology#derivedBy> ?rule . }
          }
        }"""
    )
    assert list(untraced) == []  # type: ignore[arg-type]


def test_trig_keeps_the_sourced_facts_separable() -> None:
    store = store_of(export("trig"), ox.RdfFormat.TRIG)
    direct = {q.triple for q in store.quads_for_pattern(None, None, None, DIRECT_GRAPH)}
    assert len(direct) > 500
    sourced = {q.triple for q in store if q.graph_name != DIRECT_GRAPH}
    whole = store_of(export("nt"), ox.RdfFormat.N_TRIPLES)
    # blank nodes are named apart in two parses: compare the rest
    named = {q.triple for q in whole if not _blank(q.triple)}
    assert named == {t for t in sourced | direct if not _blank(t)}
    assert len(whole) == len(sourced | direct)


def _blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


# The "Done when" questions, with no mss: term.


def test_the_sub_organisations_of_the_ministry(exported: ox.Store) -> None:
    assert answers(
        exported,
        """SELECT ?name WHERE {
             ?ministry skos:prefLabel "Ministry of Social Security"@en ;
                       org:hasSubOrganization ?sub .
             ?sub skos:prefLabel ?name . FILTER (LANG(?name) = "en") }""",
    ) == [
        "Corrections Bureau",
        "Financial Intelligence Agency",
        "Protection Bureau",
        "Railway Security Bureau",
        "Registration Bureau",
        "Seventh General Bureau",
        "Social Security Forces",
    ]


def test_who_held_the_minister_post(exported: ox.Store) -> None:
    assert answers(
        exported,
        """SELECT DISTINCT ?name WHERE {
             ?post skos:prefLabel "Minister of Social Security"@en ; org:heldBy ?person .
             ?person a foaf:Person ; skos:prefLabel ?name . FILTER (LANG(?name) = "en") }""",
    ) == [
        "Choe Pu-il",
        "Choe Ryong-su",
        "Jang Jong-nam",
        "Ju Sang-song",
        "Kim Jong-ho",
        "Paek Hak-rim",
        "Park Su-il",
        "Ri Myong-su",
        "Ri Thae-sop",
        "Ri Yong-gil",
    ]


def test_the_ministry_current_name_in_korean(exported: ox.Store) -> None:
    assert answers(
        exported,
        """SELECT ?name WHERE {
             ?ministry skos:prefLabel "Ministry of Social Security"@en , ?name .
             FILTER (LANG(?name) = "ko") }""",
    ) == ["사회안전성"]


def test_at_most_one_preferred_label_per_language(exported: ox.Store) -> None:
    assert (
        answers(
            exported,
            """SELECT ?thing WHERE { ?thing skos:prefLabel ?a , ?b .
                 FILTER (LANG(?a) = LANG(?b) && STR(?a) < STR(?b)) }""",
        )
        == []
    )


def test_the_superior_of_the_ministry_on_a_date() -> None:
    state = store_of(export_at("2012-06-01"))
    full = store_of(export("turtle"))
    rows = full.query(
        PREFIXES + 'SELECT ?m WHERE { ?m skos:prefLabel "Ministry of Social Security"@en }'
    )
    ministry = next(iter(rows))[0]  # type: ignore[call-overload]
    superiors = state.query(
        PREFIXES + f"SELECT ?superior WHERE {{ {ministry} org:subOrganizationOf ?superior }}"
    )
    names = {
        str(label.value)
        for (superior,) in superiors  # type: ignore[misc]
        for (label,) in full.query(  # type: ignore[misc]
            PREFIXES + f'SELECT ?l WHERE {{ {superior} skos:prefLabel ?l FILTER(LANG(?l)="en") }}'
        )
    }
    assert names == {"National Defence Commission"}


def test_the_state_traces_each_triple_and_says_how_certain() -> None:
    certain = store_of(export_at("2012-06-01"))
    possible = store_of(export_at("2012-06-01", possible=True))
    certainty = (
        "SELECT DISTINCT ?c WHERE { ?st <https://w3id.org/msskg/ontology#certainty> ?c ;"
        " prov:wasDerivedFrom ?fact }"
    )
    assert answers(certain, certainty) == ["certain"]
    assert answers(possible, certainty) == ["certain", "possible"]
    assert len(certain) < len(possible)


def test_cli_export_at(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--at", "2012-06-01", "-f", "nt"])
    assert result.exit_code == 0, result.output
    assert (
        "<https://w3id.org/msskg/id/ministry-of-social-security> "
        "<http://www.w3.org/ns/org#subOrganizationOf> "
        "<https://w3id.org/msskg/id/national-defence-commission> .\n"
    ) in result.output


def test_cli_possible_needs_at() -> None:
    result = CliRunner().invoke(main, ["export", "--possible"])
    assert result.exit_code == 2
    assert result.output == "Error: --possible needs --at DATE\n"


def test_cli_export_at_a_bad_date() -> None:
    result = CliRunner().invoke(main, ["export", "--at", "2012-13"])
    assert result.exit_code == 2
    assert result.output == 'Error: impossible date "2012-13": there is no month 13\n'


def test_export_at_takes_the_date_words_of_query_parameters() -> None:
    today = CliRunner().invoke(main, ["export", "--at", "today", "-f", "nt", "--possible"])
    assert today.exit_code == 0, today.output
    assert "<https://w3id.org/msskg/id/ri-thae-sop>" in today.output
    span = CliRunner().invoke(main, ["export", "--at", "2020..2022"])
    assert span.exit_code == 2
    assert span.output == 'Error: the state is taken on one date, not a range: "2020..2022"\n'


def test_a_statement_of_the_state_names_only_facts_of_its_certainty() -> None:
    state = store_of(export_at("2012-06-01", possible=True))
    mixed = (
        "SELECT ?st WHERE { ?st <https://w3id.org/msskg/ontology#certainty> ?a , ?b ."
        " FILTER (?a != ?b) }"
    )
    assert answers(state, mixed) == []
    # a triple that certainly held has no "possible" statement beside the certain one
    both = (
        "SELECT ?s WHERE { ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;"
        ' <https://w3id.org/msskg/ontology#certainty> "certain" .'
        " ?q rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;"
        ' <https://w3id.org/msskg/ontology#certainty> "possible" . }'
    )
    assert answers(state, both) == []
    # the forces' 2010 subordination has no stated end, so in 2012 it only possibly held; the
    # 1962 one possibly lasted only until the next change its text reports (2010); the
    # present-tense one holds certainly at its text's as-of date, possibly since 1962
    forces = (
        "SELECT ?fact WHERE { ?st rdf:subject <https://w3id.org/msskg/id/social-security-forces> ;"
        " rdf:predicate org:subOrganizationOf ; prov:wasDerivedFrom ?fact ;"
        ' <https://w3id.org/msskg/ontology#certainty> "possible" . }'
    )
    assert answers(state, forces) == [
        "https://w3id.org/msskg/id/sub-2010-ssf-under-mps",
        "https://w3id.org/msskg/id/sub-ssf-under-mss-present",
    ]


def test_nothing_the_rules_derive_is_typed_in_data() -> None:
    """One place for each triple: the direct layer and the sourced facts share
    none, so every plain triple is traced by its rdf:Statement."""
    facts = ox.Store()
    parse_into(facts, resolve_files(None))
    typed = {(q.subject, q.predicate, q.object) for q in facts}
    derived = {(q.subject, q.predicate, q.object) for q in direct_quads()}
    assert sorted(map(str, typed & derived)) == []


def test_plain_org_finds_complete_memberships() -> None:
    layer = ox.Store()
    layer.extend(direct_quads())
    incomplete = (
        "SELECT ?m WHERE { ?m a org:Membership FILTER NOT EXISTS {"
        " ?m org:organization ?o ; org:role ?r } }"
    )
    assert answers(layer, incomplete) == []
    terms = "SELECT ?m WHERE { ?m a org:Membership }"
    assert len(answers(layer, terms)) == 19  # every term of office


def test_the_direct_lines_are_sorted_and_each_once() -> None:
    """direct_lines puts each statement's lines in one run among the triples:
    the same lines as sorting them all, also when a rule repeats a statement's
    own lines, labels blank nodes, or derives a triple about a statement IRI."""
    from msskg.graph.direct import STATEMENT_BASE, direct_lines

    e, base = "https://e/", f"<{STATEMENT_BASE}"
    derived = {
        (f"<{e}a>", f"<{e}p>", f"<{e}z>"): ({f"<{e}f{i}>" for i in range(20)}, {"r1", "r10", "r0"}),
        (f"<{e}a>", f"<{e}p>", f"<{e}z>", f'<{e}certainty> "possible"'): ({f"<{e}f2>"}, {"r2"}),
        (f"<{e}zz>", f"<{e}p>", "_:x1", f"<{RDF}type> <{RDF}Statement>"): ({"_:x2"}, {"r"}),
        ("<a:0>", f"<{e}p>", '"v"@en'): ({f"<{e}f>"}, {"r"}),
    }
    labels = {b"_:x1": b"_:b0" + b"1" * 30, b"_:x2": b"_:b0" + b"2" * 30}

    def plain(found: dict[tuple[str, ...], tuple[set[str], set[str]]]) -> list[str]:
        return sorted({line for k, v in found.items() for line in direct_lines({k: v}, labels)})

    found = direct_lines(derived, labels)
    assert found == plain(derived) and len(found) == len(set(found))
    assert "_:x" not in "".join(found) and f"_:b0{'1' * 30}" in "".join(found)
    clash = {**derived, (f"{base}0>", f"<{e}p>", f"<{e}o>"): ({f"<{e}f>"}, {"r"})}
    assert direct_lines(clash, labels) == plain(clash)
