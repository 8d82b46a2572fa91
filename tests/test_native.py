"""The constraints the fast engine evaluates in Python (msskg.validate.native)
against their SPARQL: the same solutions as Oxigraph running the shape's own
sh:select, the same results as pySHACL, on the shapes' examples, on examples
made for the cases the native code handles, and on the bundled data."""

from __future__ import annotations

import random
import re

import pyoxigraph as ox
import pytest
import rdflib
from test_fastvalidate import both, graph_of
from test_shapes import CASES, ROOT, quote, subordination, year

from msskg.graph.dataset import to_oxigraph
from msskg.graph.files import resolve_files
from msskg.graph.store import parse_into
from msskg.validate.fast import _prefixes, _restricted, _solutions
from msskg.validate.native import (
    NATIVE,
    _writes_date,
    digest,
    in_longer_date,
    native_rows,
    whole_name,
    without_longer_dates,
    writes_whole_name,
)
from msskg.validate.paths import SH, targets_where
from msskg.validate.substrings import SubstringIndex, occurring

SHAPES = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
MSH = rdflib.Namespace("https://w3id.org/msskg/shapes#")
MANY_DATES = " ".join(
    f'ex:r{i} a mss:Renaming ; rdfs:label "r{i}"@en ; mss:resultingOrganization ex:ministry ; '
    f"time:hasTime {year(value)} ; prov:wasDerivedFrom {quote(text)} ."
    for i, (value, text) in enumerate(
        [
            ("1945", "In 1945, it was renamed"),  # of its own
            ("1945", "In May 1945, it was renamed"),  # in a longer date
            ("1945", "On 2 1945 and in 1945"),  # once in a longer date, once not
            ("1945", "In 19451, it was renamed"),  # followed by a digit
            ("1948", "on 9th, 1948 and 3rd 1948"),  # after a day, twice
            ("1948", "from 1947-1948"),  # the end of a span: a date of its own for an instant
            ("1950", "no date at all"),
        ]
    )
)
SPANS = " ".join(
    f'ex:s{i} a mss:NamePeriod ; rdfs:label "s{i}"@en ; mss:ofAgency ex:ministry ; '
    f'mss:name "Bureau"@en ; prov:wasDerivedFrom {quote(text)} ; mss:during [ a time:Interval ; '
    f"mss:endKind mss:EndStated ; time:hasBeginning {year(start)} ; time:hasEnd {year(end)} ] ."
    for i, (start, end, text) in enumerate(
        [
            ("1947", "1948", "Bureau, from 1947 to 1948"),
            ("1948", "1950", "Bureau, 1946\u20131948 and then 1950"),  # a start only as an end
            ("1948", "1950", "Bureau, 1946 - 1948, 1948-1950"),
        ]
    )
)
NAMES = " ".join(
    f'ex:n{i} a mss:NamePeriod ; rdfs:label "n{i}"@en ; mss:ofAgency ex:ministry ; '
    f"mss:name {name} ; prov:wasDerivedFrom {quote(text)} ."
    for i, (name, text) in enumerate(
        [
            ('"Bureau"@en', "the Bureau, from 1945"),  # of its own
            ('"Bureau"@en', "the Political Bureau"),  # inside a longer name
            ('"Bureau"@en', "the Bureaucracy"),  # inside a word
            ('"Bureau"@en', "The Bureau"),
            ('"Bureau"@en', "Bureau"),
            ('"Bureau"@en', "its (Bureau)"),
            ('"Bureau"@en', "it's Bureau"),  # after an apostrophe and a space
            ('"국"@ko', "보위국"),  # Korean: a name inside a longer one passes
            ('"국가"@ko', "보위국"),
            ('"Bureau (No. 1)"@en', "the Bureau (No. 1)"),  # not a plain name: CONTAINS
        ]
    )
)
OTHER_BODY = (
    'ex:cabinet a mss:Cabinet ; rdfs:label "Cabinet"@en , "내각"@ko . '
    "ex:mentions oa:hasBody ex:cabinet . "
    'ex:bureau a mss:Bureau ; rdfs:label "Bu"@en . ex:mentions oa:hasBody ex:bureau . '
    'ex:np a mss:NamePeriod ; mss:ofAgency ex:bureau ; mss:name "Political Bureau"@en . '
)
SUBORDINATIONS = (
    OTHER_BODY
    # names the Cabinet, unmentioned: a warning; the Bureau's label "Bu" is in "Bureau"
    + subordination("s1", "council", year("1972"), year("1982")).replace(
        'oa:exact "Council;', 'oa:exact "Council, with the Cabinet and the Political Bureau;'
    )
    # names the Cabinet, mentioned: no result
    + subordination("s2", "council", year("1972"), year("1982")).replace(
        'oa:exact "Council;', 'oa:exact "Council and the Cabinet;'
    )
    + " ex:s2 mss:mentions ex:cabinet . "
    # a start its quote does not write: the other bodies are not looked for
    + subordination("s3", "council", year("1972"), year("1982")).replace(
        'oa:exact "Council; 1972;', 'oa:exact "Council, with the Cabinet; 1973;'
    )
    # two subordinates: each is "another body" on the other's row
    + subordination("s4", "council", year("1972"), year("1982")).replace(
        'oa:exact "Council;', 'oa:exact "Council, Ministry, Cabinet;'
    )
    + " ex:s4 mss:subordinate ex:cabinet . "
)


def _constraint(shape: str, marker: str) -> rdflib.term.Node:
    (found,) = (
        c
        for c in SHAPES.objects(MSH[shape], SH.sparql)
        if marker in str(SHAPES.value(c, SH.select))
    )
    return found


NATIVE_CONSTRAINTS = {
    "DateInQuoteShape": _constraint("DateInQuoteShape", "?inLongerDate"),
    "NameInQuoteShape": _constraint("NameInQuoteShape", "?whole"),
    "SuperiorInQuoteShape": _constraint("SuperiorInQuoteShape", "mss:mentions"),
}


def _both_ways(store: ox.Store, shape: str) -> tuple[set[object], set[object]]:
    constraint = NATIVE_CONSTRAINTS[shape]
    select, targets = str(SHAPES.value(constraint, SH.select)), targets_where(SHAPES, MSH[shape])
    native = native_rows(store, select, targets)
    assert native is not None
    query = _prefixes(SHAPES, constraint) + _restricted(select, targets)
    return (
        {(r["this"], r["value"]) for r in native},
        {(r["this"], r["value"]) for r in _solutions(store, query)},
    )


def _store(graph: rdflib.Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(*(to_oxigraph(t) for t in triple)) for triple in graph)  # type: ignore[misc]
    return store


def test_the_bundled_shapes_are_evaluated_natively() -> None:
    # An edit to either query in ontology/shapes.ttl changes its digest: then
    # update msskg.validate.native to the new query, or let it run as SPARQL.
    for constraint in NATIVE_CONSTRAINTS.values():
        assert digest(str(SHAPES.value(constraint, SH.select))) in NATIVE
    assert len(NATIVE) == 3


def test_an_edited_query_runs_as_sparql() -> None:
    select = str(SHAPES.value(NATIVE_CONSTRAINTS["DateInQuoteShape"], SH.select))
    store = ox.Store()
    assert native_rows(store, select, "{}") == []
    assert native_rows(store, select.replace("?inLongerDate", "?other"), "{}") is None
    assert native_rows(store, "\n  " + select.replace(" ", "  "), "{}") == []


EXAMPLES = {
    "date-valid": CASES["DateInQuoteShape"][0],
    "date-invalid": CASES["DateInQuoteShape"][1],
    "many-dates": MANY_DATES,
    "spans": SPANS,
    "name-valid": CASES["NameInQuoteShape"][0],
    "name-invalid": CASES["NameInQuoteShape"][1],
    "names": NAMES,
    "superior-valid": CASES["SuperiorInQuoteShape"][0],
    "superior-invalid": CASES["SuperiorInQuoteShape"][1],
    "other-bodies": SUBORDINATIONS,
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_native_and_sparql_agree_on_examples(example: str) -> None:
    graph = graph_of(EXAMPLES[example])
    store = _store(graph)
    for shape in NATIVE_CONSTRAINTS:
        native, sparql = _both_ways(store, shape)
        assert native == sparql
    reference, fast = both(graph)
    assert sorted(map(repr, fast.results)) == sorted(map(repr, reference.results))


def test_the_examples_find_what_they_were_made_for() -> None:
    dates = _both_ways(_store(graph_of(MANY_DATES)), "DateInQuoteShape")[0]
    found = sorted(str(this.value).rsplit("/", 1)[-1] for this, _ in dates)
    assert found == ["r1", "r3", "r4", "r6"]
    spans = _both_ways(_store(graph_of(SPANS)), "DateInQuoteShape")[0]
    assert sorted((this.value[-2:], value.value) for this, value in spans) == [("s1", "1948")]
    others = _both_ways(_store(graph_of(SUBORDINATIONS)), "SuperiorInQuoteShape")[0]
    assert sorted((this.value[-2:], value.value[-7:]) for this, value in others) == [
        ("s1", "/bureau"),
        ("s1", "cabinet"),
        ("s4", "cabinet"),
        ("s4", "inistry"),
    ]


def test_the_name_examples_find_what_they_were_made_for() -> None:
    names = _both_ways(_store(graph_of(NAMES)), "NameInQuoteShape")[0]
    found = sorted(str(this.value).rsplit("/", 1)[-1] for this, _ in names)
    assert found == ["n1", "n2", "n6", "n8"]


def test_native_and_sparql_agree_on_the_bundled_data() -> None:
    store = ox.Store()
    parse_into(store, resolve_files(None), bulk=True)
    for shape in NATIVE_CONSTRAINTS:
        native, sparql = _both_ways(store, shape)
        assert native == sparql


def test_dates_are_replaced_as_the_regular_expression_replaces_them() -> None:
    # rdflib (pySHACL) applies the pattern with Python's re; Oxigraph with its
    # own engine, checked on a sample below.
    rng = random.Random(12)
    tokens = ["1", "2", "9", "st", "nd", "th", ",", " ", "May", "June", "\u2013", "-", " to ", "x"]
    dates = ["1945", "May 1951", "2 September 1948", "1", "11", "May", "19, 1945", "1 1"]
    sample = []
    for _ in range(20000):
        date, start = rng.choice(dates), rng.random() < 0.5
        text = "".join(rng.choice([*tokens, date, date]) for _ in range(rng.randint(0, 10)))
        expected = re.sub(in_longer_date(date, start), "", text)
        assert without_longer_dates(text, date, start) == expected, (text, date, start)
        if len(sample) < 200 and date in text:
            sample.append((text, in_longer_date(date, start), expected))
    assert_oxigraph_agrees(sample, 'REPLACE(?text, ?pattern, "")')


def test_a_quote_writes_a_date_as_the_shapes_query_decides() -> None:
    # _writes_date answers without REPLACE when the date's first occurrence
    # stands alone; with it otherwise. Both must agree with the regular
    # expression, also where a month or "to" ends a longer word ("XMay 1951").
    rng = random.Random(13)
    tokens = ["1", "9", "4th", "th", ",", " ", "(", "x", "XMay", "May", "to", "on", ";"]
    tokens += ["\u2013", "-", "\u00e9"]
    dates = ["1945", "May 1951", "2 September 1948", "1", "11", "May", "19, 1945", "1 1"]
    for _ in range(20000):
        date, start = rng.choice(dates), rng.random() < 0.5
        text = "".join(rng.choice([*tokens, " ", date]) for _ in range(rng.randint(0, 8)))
        expected = date in re.sub(in_longer_date(date, start), "", text)
        assert _writes_date(ox.Literal(text), date, start) == expected, (text, date, start)
    assert not _writes_date(ox.Literal("in XMay 1951 then"), "1951", False)


def test_names_are_matched_as_the_regular_expression_matches_them() -> None:
    rng = random.Random(5)
    tokens = ["The", "the", "a", "B", " ", "'", "\u2019", ",", "(", "1", "x", "Ab", "\uae30", "-"]
    names = ["Bureau", "The Bureau", "B", "a", "Ab-1", "\uae30\uad00 1", "x y", "1"]
    sample = []
    for _ in range(20000):
        name = rng.choice(names)
        text = "".join(rng.choice([*tokens, name, name]) for _ in range(rng.randint(0, 8)))
        expected = re.search(whole_name(name), text) is not None
        assert writes_whole_name(text, name) == expected, (text, name)
        if len(sample) < 200 and name in text:
            sample.append((text, whole_name(name), str(expected).lower()))
    assert_oxigraph_agrees(sample, "STR(REGEX(?text, ?pattern))")


def assert_oxigraph_agrees(sample: list[tuple[str, str, str]], expression: str) -> None:
    """Oxigraph's ``expression`` of each (text, pattern) gives the expected string."""
    values = " ".join(f"({ox.Literal(t)} {ox.Literal(p)} {ox.Literal(e)})" for t, p, e in sample)
    query = (
        "SELECT ?got ?expected WHERE { VALUES (?text ?pattern ?expected) { "
        + values
        + f" }} BIND ({expression} AS ?got) }}"
    )
    rows = list(ox.Store().query(query))  # type: ignore[arg-type]
    assert len(rows) == 200
    assert [row["got"] for row in rows] == [row["expected"] for row in rows]


def test_the_name_index_finds_every_name_a_text_contains() -> None:
    rng = random.Random(3)
    words = ["Ministry", "of", "People's", "Security", "Bureau", "A", "내각", " ", "", "-"]
    names = {"".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for _ in range(300)}
    assert "" in names and any(0 < len(n) < 4 for n in names)
    index = SubstringIndex(names)
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        assert index.within(text) == {name for name in names if name in text}
        # in a long text: at word starts, then the others searched
        assert occurring(text, names, width=6) == {name for name in names if name in text}
