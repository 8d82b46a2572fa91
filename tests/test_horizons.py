"""Time horizons: every text speaks from a date (its as-of date, mss:asOf), so
"- present" is certain only up to it, an end not stated is bounded by what the
same text says next, and nothing holds before its body's founding. The data
states each such reading once (mss:certainThrough, mss:endsNoLaterThan,
mss:beginsNoEarlierThan, each with an mss:note); these tests hold the data to
the rule, and the state on every month to SKOS and ORG."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from msskg.cli import main
from msskg.dates import parse_date
from msskg.graph.files import resolve_files
from msskg.graph.state import state_quads
from msskg.graph.store import parse_into

MSS = "https://w3id.org/msskg/ontology#"
MSR = "https://w3id.org/msskg/id/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREFIXES = f"""
PREFIX mss: <{MSS}> PREFIX org: <{ORG}> PREFIX skos: <{SKOS}>
PREFIX time: <http://www.w3.org/2006/time#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@pytest.fixture(scope="module")
def facts() -> ox.Store:
    store = ox.Store()
    parse_into(store, resolve_files(None))
    return store


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return sorted(tuple("" if t is None else t.value for t in row) for row in result)


def test_every_source_speaks_from_one_dated_instant(facts: ox.Store) -> None:
    found = rows(
        facts,
        "SELECT ?source ?earliest ?note WHERE { ?source a mss:SourceText ; mss:asOf ?at ."
        " ?at mss:earliest ?earliest ; mss:note ?note }",
    )
    assert [(s, e) for s, e, _ in found] == [
        (MSR + "source-000", "2022-12-28"),
        (MSR + "source-001", "2020-06-28"),
        (MSR + "source-002", "2023-09-01"),
    ]
    assert all("latest date it mentions" in note for _, _, note in found)


def test_present_is_certain_through_the_latest_as_of_of_its_sources(facts: ox.Store) -> None:
    """Every "- present" with a date, and every present-tense subordination, is
    certain through the as-of date of the latest text that quotes it as current."""
    missing = rows(
        facts,
        "SELECT ?fact WHERE { ?fact (mss:during|org:memberDuring) ?i . ?i mss:endKind mss:Ongoing ."
        " FILTER NOT EXISTS { ?i mss:certainThrough ?t }"
        " FILTER (NOT EXISTS { ?i mss:undated true } || EXISTS { ?fact a mss:Subordination })"
        " FILTER NOT EXISTS { ?fact mss:condition ?c } }",
    )
    assert missing == []
    through = rows(
        facts,
        "SELECT ?fact ?through (MAX(?asOf) AS ?latest) WHERE {"
        " ?fact (mss:during|org:memberDuring) ?i . ?i mss:certainThrough ?t ."
        " ?t mss:earliest ?through ."
        " ?fact prov:wasDerivedFrom/oa:hasSource/mss:asOf/mss:earliest ?asOf"
        " } GROUP BY ?fact ?through",
    )
    assert len(through) == 10
    assert [f for f, mine, latest in through if mine != latest] == []
    unexplained = rows(
        facts,
        "SELECT ?fact WHERE { ?fact (mss:during|org:memberDuring) ?i ."
        " ?i mss:certainThrough|mss:endsNoLaterThan|mss:beginsNoEarlierThan ?x ."
        " FILTER NOT EXISTS { ?fact mss:note ?n } }",
    )
    assert unexplained == []


def test_an_end_not_stated_is_bounded_by_its_own_text(facts: ox.Store) -> None:
    """Each dated end not stated lasts possibly until an instant its own text
    gives (the next holder, the next change) or the text's as-of date."""
    unbounded = rows(
        facts,
        "SELECT ?fact WHERE { ?fact (mss:during|org:memberDuring) ?i ."
        " ?i mss:endKind mss:EndNotStated . FILTER NOT EXISTS { ?i mss:undated true }"
        " FILTER NOT EXISTS { ?i mss:endsNoLaterThan ?b } }",
    )
    assert unbounded == []
    bounds = rows(
        facts,
        "SELECT ?fact ?start ?by ?ownText WHERE {"
        " ?fact (mss:during|org:memberDuring) ?i . ?i mss:endsNoLaterThan ?b ;"
        " time:hasBeginning/mss:latest ?start . ?b mss:latest ?by ."
        " BIND (EXISTS { ?fact prov:wasDerivedFrom/oa:hasSource ?src ."
        "   { ?src mss:asOf ?b } UNION"
        "   { ?other (mss:during|org:memberDuring)/time:hasBeginning ?b ;"
        "            prov:wasDerivedFrom/oa:hasSource ?src } } AS ?ownText) }",
    )
    assert [fact.removeprefix(MSR) for fact, *_ in bounds] == [
        "sub-1947-fifth-department",
        "sub-1962-ssf-under-mss",
        "sub-2010-ssf-under-mps",
        "term-pak-il-u",
        "term-pak-mun-gyu-2",
        "term-pak-song-chol",
    ]
    assert all(own == "true" and start <= by for _, start, by, own in bounds)


def test_a_start_not_stated_begins_no_earlier_than_the_founding(facts: ox.Store) -> None:
    found = rows(
        facts,
        "SELECT ?fact ?from WHERE { ?fact (mss:during|org:memberDuring) ?i ."
        " FILTER NOT EXISTS { ?i mss:undated true } FILTER NOT EXISTS { ?i time:hasBeginning ?b }"
        " OPTIONAL { ?i mss:beginsNoEarlierThan ?x . ?x mss:earliest ?from ."
        "   ?founding a mss:Founding ; time:hasTime ?x } }",
    )
    assert found == [(MSR + "name-before-2010-peoples-security-forces", "1962-10-01")]


def months(first: dt.date, last: dt.date) -> Iterator[str]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def clashes(quads: list[ox.Quad]) -> list[str]:
    """SKOS S13 (prefLabel and altLabel disjoint) and S14 (one prefLabel per
    language), and a sub-organisation cycle, in one state."""
    labels: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    up: dict[str, set[str]] = defaultdict(set)
    for quad in quads:
        if isinstance(quad.subject, ox.Triple) or quad.predicate.value.startswith(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        ):
            continue
        if quad.predicate.value in (SKOS + "prefLabel", SKOS + "altLabel"):
            assert isinstance(quad.object, ox.Literal)
            key = (quad.subject.value, quad.object.language or "")
            labels[key][quad.predicate.value].add(quad.object.value)
        elif quad.predicate.value == ORG + "subOrganizationOf":
            up[quad.subject.value].add(quad.object.value)
    found = []
    for (thing, language), by in labels.items():
        pref, alt = by.get(SKOS + "prefLabel", set()), by.get(SKOS + "altLabel", set())
        if len(pref) > 1:
            found.append(f"S14 {thing} @{language}: {sorted(pref)}")
        if pref & alt:
            found.append(f"S13 {thing} @{language}: {sorted(pref & alt)}")
    for body in up:
        seen, todo = set(), list(up[body])
        while todo:
            superior = todo.pop()
            if superior == body:
                found.append(f"cycle through {body}")
                break
            if superior not in seen:
                seen.add(superior)
                todo += up.get(superior, ())
    return found


@pytest.mark.slow
def test_every_month_is_consistent_certain_and_possible(facts: ox.Store) -> None:
    """Every month from 1945-01 to today, certain and possible: no SKOS clash,
    no cycle of sub-organisations, no name before a body's founding."""
    found = []
    for month in months(dt.date(1945, 1, 1), dt.date.today()):
        for possible in (False, True):
            quads = state_quads(parse_date(month), possible=possible, store=facts)
            found += [
                f"{month} {'possible' if possible else 'certain'}: {c}" for c in clashes(quads)
            ]
    assert found == []


def state_triples(date: str, *, possible: bool) -> set[tuple[str, str, str]]:
    result = CliRunner().invoke(
        main, ["export", "--at", date, "-f", "nt", *(["--possible"] if possible else [])]
    )
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.load(result.output.encode(), format=ox.RdfFormat.N_TRIPLES)
    return {(q.subject.value, q.predicate.value, q.object.value) for q in store}


def org_triple(subject: str, org_property: str, obj: str) -> tuple[str, str, str]:
    return (MSR + subject, ORG + org_property, MSR + obj)


def test_after_every_source_nothing_is_certain() -> None:
    certain = state_triples("2100-01-01", possible=False)
    assert [t for t in certain if t[1] in (ORG + "heldBy", ORG + "holds", ORG + "headOf")] == []
    assert [t for t in certain if t[1] == SKOS + "prefLabel"] == []
    possible = state_triples("2100-01-01", possible=True)
    assert org_triple("post-minister-of-social-security", "heldBy", "ri-thae-sop") in possible
    interior = MSR + "post-minister-of-interior"
    assert [t for t in possible if t[0] == interior and t[1] == ORG + "heldBy"] == []


def test_before_the_founding_the_forces_have_no_name() -> None:
    forces = MSR + "social-security-forces"
    names = (SKOS + "prefLabel", SKOS + "altLabel")
    state = state_triples("1946", possible=True)
    assert [t for t in state if t[0] == forces and t[1] in names] == []


def test_today_the_ministry_possibly_has_its_children() -> None:
    children = {
        o.removeprefix(MSR)
        for s, p, o in state_triples("today", possible=True)
        if s == MSR + "ministry-of-social-security" and p == ORG + "hasSubOrganization"
    }
    assert children == {
        "corrections-bureau",
        "financial-intelligence-agency",
        "protection-bureau",
        "railway-security-bureau",
        "seventh-general-bureau",
        "social-security-forces",
    }
    at_as_of = state_triples("2022-12-28", possible=False)
    under = org_triple("social-security-forces", "subOrganizationOf", "ministry-of-social-security")
    assert under in at_as_of
