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
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
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
    assert len(through) == 11
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
        "registration-bureau",
        "seventh-general-bureau",
        "social-security-forces",
    }
    at_as_of = state_triples("2022-12-28", possible=False)
    under = org_triple("social-security-forces", "subOrganizationOf", "ministry-of-social-security")
    assert under in at_as_of


# The state on each date of issue 19, as a reading of the seeds gives it: the
# names (en, ko), superiors, ministers and children that certainly held (on
# "today", after every source's as-of date, what possibly holds). A name another
# source disputes then is an altLabel, never the prefLabel.
READINGS: dict[str, set[str]] = {
    "1946": {
        "ministry-of-social-security skos:prefLabel Political Security Bureau@en",
        "ministry-of-social-security skos:prefLabel 정치보안국@ko",
    },
    "1950": {
        "ministry-of-social-security org:subOrganizationOf ministry-of-internal-affairs",
        "ministry-of-social-security skos:prefLabel Political Security Bureau@en",
        "ministry-of-social-security skos:prefLabel 정치보안국@ko",
    },
    "1963": {
        "ministry-of-social-security skos:prefLabel Ministry of Social Security@en",
        "ministry-of-social-security skos:prefLabel 사회안전성@ko",
        "social-security-forces skos:altLabel People's Guards Forces@en",
        "social-security-forces skos:altLabel 조선인민경비대@ko",
    },
    "1984-06": {
        "ministry-of-social-security skos:prefLabel Social Security Department@en",
        "ministry-of-social-security skos:prefLabel 사회안전부@ko",
        "social-security-forces skos:altLabel People's Guards Forces@en",
        "social-security-forces skos:altLabel 조선인민경비대@ko",
    },
    "1999": {
        "ministry-of-social-security org:subOrganizationOf cabinet",
        "ministry-of-social-security skos:prefLabel Ministry of Social Security@en",
        "ministry-of-social-security skos:prefLabel 사회안전성@ko",
        "paek-hak-rim org:headOf ministry-of-social-security",
        "post-minister-of-social-security org:heldBy paek-hak-rim",
        "social-security-forces skos:altLabel People's Guards Forces@en",
        "social-security-forces skos:altLabel 조선인민경비대@ko",
    },
    "2005-06-15": {
        "ju-sang-song org:headOf ministry-of-social-security",
        "ministry-of-social-security org:subOrganizationOf cabinet",
        "ministry-of-social-security skos:prefLabel Ministry of People's Security@en",
        "ministry-of-social-security skos:prefLabel 인민보안성@ko",
        "post-minister-of-social-security org:heldBy ju-sang-song",
        "social-security-forces skos:altLabel People's Guards Forces@en",
        "social-security-forces skos:altLabel 조선인민경비대@ko",
    },
    "2012-06-01": {
        "ministry-of-social-security org:subOrganizationOf national-defence-commission",
        "ministry-of-social-security skos:altLabel Ministry of People's Security@en",
        "ministry-of-social-security skos:altLabel People's Security Department@en",
        "ministry-of-social-security skos:altLabel 인민보안부@ko",
        "post-minister-of-social-security org:heldBy ri-myong-su",
        "ri-myong-su org:headOf ministry-of-social-security",
        "social-security-forces skos:prefLabel Korean People's Internal Security Forces@en",
        "social-security-forces skos:prefLabel 조선인민내무군@ko",
    },
    "2016-06-01": {
        "choe-pu-il org:headOf ministry-of-social-security",
        "ministry-of-social-security skos:altLabel Ministry of People's Security@en",
        "post-minister-of-social-security org:heldBy choe-pu-il",
        "social-security-forces skos:prefLabel Korean People's Internal Security Forces@en",
        "social-security-forces skos:prefLabel 조선인민내무군@ko",
    },
    "2021-08-15": {
        "kim-jong-ho org:headOf ministry-of-social-security",
        "ministry-of-social-security org:subOrganizationOf state-affairs-commission",
        "ministry-of-social-security skos:prefLabel Ministry of Social Security@en",
        "ministry-of-social-security skos:prefLabel 사회안전성@ko",
        "post-minister-of-social-security org:heldBy kim-jong-ho",
        "social-security-forces skos:prefLabel Social Security Forces@en",
        "social-security-forces skos:prefLabel 조선사회안전군@ko",
    },
    "today": {
        "corrections-bureau org:subOrganizationOf ministry-of-social-security",
        "financial-intelligence-agency org:subOrganizationOf ministry-of-social-security",
        "ministry-of-social-security org:subOrganizationOf state-affairs-commission",
        "ministry-of-social-security skos:altLabel Ministry of Social Security@en",
        "ministry-of-social-security skos:altLabel 사회안전성@ko",
        "post-minister-of-social-security org:heldBy ri-thae-sop",
        "protection-bureau org:subOrganizationOf ministry-of-social-security",
        "railway-security-bureau org:subOrganizationOf ministry-of-social-security",
        "registration-bureau org:subOrganizationOf ministry-of-social-security",
        "ri-thae-sop org:headOf ministry-of-social-security",
        "seventh-general-bureau org:subOrganizationOf ministry-of-social-security",
        "social-security-forces org:subOrganizationOf ministry-of-social-security",
        "social-security-forces skos:altLabel Social Security Forces@en",
        "social-security-forces skos:altLabel 조선사회안전군@ko",
    },
}


def short(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}"
    value = term.value if not isinstance(term, ox.Triple) else str(term)
    for namespace, prefix in ((SKOS, "skos:"), (ORG, "org:"), (MSR, "")):
        value = value.replace(namespace, prefix)
    return value


def state_store(date: str, *, possible: bool) -> ox.Store:
    options = ["--possible"] if possible else []
    result = CliRunner().invoke(main, ["export", "--at", date, "-f", "nt", *options])
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.load(result.output.encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


PLAIN = ("prefLabel", "altLabel", "subOrganizationOf", "heldBy", "headOf")


@pytest.mark.parametrize("date", sorted(READINGS))
def test_the_state_on_a_date_reads_as_the_seeds(date: str) -> None:
    store = state_store(date, possible=date == "today")
    found = {
        f"{short(q.subject)} {short(q.predicate)} {short(q.object)}"
        for q in store
        if not q.subject.value.startswith(MSR + "direct/")
        and q.predicate.value.rsplit("#", 1)[-1] in PLAIN
    }
    assert found == READINGS[date]


def test_a_disputed_name_names_the_fact_that_disputes_it() -> None:
    store = state_store("2016-06-01", possible=False)
    assert rows(
        store,
        "SELECT ?name ?by ?certainty WHERE { ?st rdf:predicate skos:altLabel ; rdf:object ?name ;"
        " mss:disputedBy ?by ; mss:certainty ?certainty }",
    ) == [
        (
            "Ministry of People's Security",
            MSR + "name-2010-peoples-security-department",
            "certain",
        )
    ]


def test_a_holder_disputed_by_a_claim_of_the_current_holder_names_it() -> None:
    store = state_store("2022-12-28", possible=False)
    assert rows(
        store,
        "SELECT ?holder ?by WHERE { ?st rdf:predicate org:heldBy ; rdf:object ?holder ;"
        " mss:disputedBy ?by }",
    ) == [(MSR + "ri-thae-sop", MSR + "claim-current-minister-prose")]
    # before the text's as-of date, its "current minister" is no rival
    earlier = state_store("2022-06-01", possible=True)
    assert rows(earlier, "SELECT ?by WHERE { ?st mss:disputedBy ?by }") == []


def test_in_2021_the_forces_are_possibly_under_the_ministry() -> None:
    under = org_triple("social-security-forces", "subOrganizationOf", "ministry-of-social-security")
    assert under in state_triples("2021-08-15", possible=True)
    assert under not in state_triples("2021-08-15", possible=False)


@pytest.mark.parametrize("date", ["1950", "2012-06-01", "today"])
def test_the_state_names_everything_it_mentions(date: str) -> None:
    """A plain ORG or SKOS reader needs no other file: every body, person and
    post the state mentions has its English label, and its Korean one where the
    graph has one."""
    store = state_store(date, possible=True)
    unlabelled = rows(
        store,
        "SELECT DISTINCT ?thing WHERE { ?st rdf:subject|rdf:object ?thing . FILTER isIRI(?thing)"
        ' FILTER NOT EXISTS { ?thing rdfs:label ?en . FILTER (LANG(?en) = "en") } }',
    )
    assert unlabelled == []
    labels = rows(
        store, "SELECT ?label WHERE { <" + MSR + "ministry-of-social-security> rdfs:label ?label }"
    )
    assert labels == [("Ministry of Social Security",), ("사회안전성",)]


@pytest.mark.slow
def test_the_saved_queries_and_the_state_agree_on_every_month(facts: ox.Store) -> None:
    """One reading of the bounds: on every month from 1945-01 to today, the
    minister (by term), the ministry's superior (by subordination) and its
    English names are certain in the saved queries exactly when export --at
    states them certain."""
    from msskg.graph.store import KnowledgeGraph
    from msskg.query.catalogue import get_query
    from msskg.query.engines import run_query
    from msskg.query.results import SelectResult

    graph = KnowledgeGraph(facts)
    ministry = MSR + "ministry-of-social-security"
    asks = {
        "holder-at": ("term", MSR + "post-minister-of-social-security", "org:heldBy", "?fact"),
        "superior-at": ("subordination", ministry, "org:subOrganizationOf", "?fact"),
        "name-at": ("name", ministry, "skos:prefLabel skos:altLabel", "?o"),
    }
    differ = []
    for month in months(dt.date(1945, 1, 1), dt.date.today()):
        state = ox.Store()
        state.extend(state_quads(parse_date(month), possible=False, store=facts))
        for name, (column, subject, predicates, value) in asks.items():
            result = run_query(get_query(name), {"date": month}, graph=graph)
            assert isinstance(result, SelectResult)
            at, level = result.variables.index(column), result.variables.index("certainty")
            answered = {
                row[at].value  # type: ignore[union-attr]
                for row in result.rows
                if row[level] is not None and row[level].value == "certain"
            }
            query = (
                f"SELECT {value} WHERE {{ ?st rdf:subject <{subject}> ; rdf:predicate ?p ;"
                " rdf:object ?o ; prov:wasDerivedFrom ?fact ."
                f' VALUES ?p {{ {predicates} }} FILTER (!isLiteral(?o) || LANG(?o) = "en") }}'
            )
            stated = {found for (found,) in rows(state, query)}
            if answered != stated:
                differ.append((month, name, sorted(answered ^ stated)))
    assert differ == []
