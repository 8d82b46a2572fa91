"""Mutation tests: does validation catch a wrong value? Each mutant is ONE edit
to an in-memory copy of the bundled data (the files are never touched), made
as a careless editor would make it, consistently:

- date-year, date-month, date-day: a written date shifted by one year (a
  decade by ten), one month or one day, in its typed literal, its
  mss:asWritten (in the same form: "May 1951", "November 19, 1945", ...) and
  its mss:earliest / mss:latest bounds together;
- name: a name period's name replaced by another name of the graph (same language);
- holder: a term's holder replaced by another person of the graph;
- superior: a subordination's superior replaced by another body of the graph.

A mutant is caught when validation reports a violation naming the fact (its
IRI, or a blank node under it). The bundled data has no violation, so any
violation naming the fact is the mutant's doing.

The default run validates a fixed sample (every STRIDE-th mutant of each
operator) with the fast engine, and a smaller one with pySHACL, where it also
checks that both engines give the same results; `pytest -m exhaustive` runs every
operator over every site and every replacement with the fast engine. Each
prints its score.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import rdflib
from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.term import Node
from test_fastvalidate import comparable

from msskg.dates import decade, parse_date
from msskg.graph.dataset import load_graph, union_graph
from msskg.validate.api import validate_graph
from msskg.validate.report import ValidationReport
from msskg.validate.sources import ontology_file

MSS = Namespace("https://w3id.org/msskg/ontology#")
TIME = Namespace("http://www.w3.org/2006/time#")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

OPERATORS = ("date-year", "date-month", "date-day", "name", "holder", "superior")
STRIDE = {
    "date-year": 23,
    "date-month": 17,
    "date-day": 5,
    "name": 41,
    "holder": 97,
    "superior": 131,
}
PYSHACL_SAMPLE = {"date-year": 0, "name": 7, "holder": 3, "superior": 11}
MONTHS = list(calendar.month_name)[1:]
Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Mutant:
    operator: str
    fact: URIRef
    edit: str
    removed: tuple[Triple, ...]
    added: tuple[Triple, ...]


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    """The bundled data and the ontology, in memory."""
    union = union_graph(load_graph(data=None))
    union.parse(ontology_file())
    return union


# --- the mutants ---------------------------------------------------------------------------


def fact_of(graph: rdflib.Graph, node: Node) -> URIRef:
    """The fact above a blank node (an instant, an interval)."""
    while isinstance(node, BNode):
        node = next(graph.subjects(None, node))
    assert isinstance(node, URIRef)
    return node


def label(graph: rdflib.Graph, node: Node) -> str:
    return min(str(x) for x in graph.objects(node, RDFS.label) if x.language == "en")  # type: ignore[attr-defined]


def _ordinal(day: int) -> str:
    return {1: "st", 21: "st", 31: "st", 2: "nd", 22: "nd", 3: "rd", 23: "rd"}.get(day, "th")


def shift(written: str, operator: str, step: int) -> tuple[str, str] | None:
    """The written date shifted by one unit, in the same form, and the new
    value of its typed literal; None where the operator does not apply."""
    if m := re.fullmatch(r"the (\d{4})s", written):
        if operator != "date-year":
            return None
        year = int(m[1]) + 10 * step
        return f"the {year}s", str(year)
    if re.fullmatch(r"\d{4}", written):
        return (str(int(written) + step),) * 2 if operator == "date-year" else None
    if m := re.fullmatch(r"([A-Z][a-z]+) (\d{4})", written):
        year, month = int(m[2]), MONTHS.index(m[1]) + 1
        if operator == "date-year":
            year += step
        elif operator == "date-month":
            year, month = divmod(year * 12 + month - 1 + step, 12)
            month += 1
        else:
            return None
        return f"{MONTHS[month - 1]} {year}", f"{year:04d}-{month:02d}"
    forms = {
        "dmy": r"(?P<d>\d{1,2}) (?P<m>[A-Z][a-z]+) (?P<y>\d{4})",
        "mdy": r"(?P<m>[A-Z][a-z]+) (?P<d>\d{1,2}), (?P<y>\d{4})",
        "mdy-ordinal": r"(?P<m>[A-Z][a-z]+) (?P<d>\d{1,2})(st|nd|rd|th), (?P<y>\d{4})",
    }
    for form, pattern in forms.items():
        if m := re.fullmatch(pattern, written):
            day = dt.date(int(m["y"]), MONTHS.index(m["m"]) + 1, int(m["d"]))
            if operator == "date-year":
                day = day.replace(year=day.year + step)
            elif operator == "date-month":
                year, month = divmod(day.year * 12 + day.month - 1 + step, 12)
                last = calendar.monthrange(year, month + 1)[1]
                day = dt.date(year, month + 1, min(day.day, last))
            else:
                day += dt.timedelta(days=step)
            name = MONTHS[day.month - 1]
            text = {
                "dmy": f"{day.day} {name} {day.year}",
                "mdy": f"{name} {day.day}, {day.year}",
                "mdy-ordinal": f"{name} {day.day}{_ordinal(day.day)}, {day.year}",
            }[form]
            return text, day.isoformat()
    raise AssertionError(f"a date written in a form the harness does not know: {written!r}")


def date_mutants(graph: rdflib.Graph) -> Iterator[Mutant]:
    sites = sorted(
        ((fact_of(graph, i), str(w), i) for i, w in graph.subject_objects(MSS.asWritten)),
        key=lambda site: (str(site[0]), site[1]),
    )
    for fact, written, instant in sites:
        (prop, literal), *_ = [
            (p, o)
            for p in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear, MSS.inDecade)
            for o in graph.objects(instant, p)
        ]
        old = [(instant, p, o) for p in (MSS.asWritten, MSS.earliest, MSS.latest, prop)
               for o in graph.objects(instant, p)]  # fmt: skip
        for operator in ("date-year", "date-month", "date-day"):
            for step in (-1, 1):
                shifted = shift(written, operator, step)
                if shifted is None:
                    continue
                text, value = shifted
                fuzzy = decade(int(value)) if prop == MSS.inDecade else parse_date(value)
                new = [
                    (instant, MSS.asWritten, Literal(text)),
                    (instant, MSS.earliest, Literal(fuzzy.earliest.isoformat(), datatype=XSD.date)),
                    (instant, MSS.latest, Literal(fuzzy.latest.isoformat(), datatype=XSD.date)),
                    (instant, prop, Literal(value, datatype=literal.datatype)),  # type: ignore[attr-defined]
                ]
                yield Mutant(operator, fact, f'"{written}" -> "{text}"', tuple(old), tuple(new))


def name_mutants(graph: rdflib.Graph) -> Iterator[Mutant]:
    names = sorted(set(graph.objects(None, MSS.name)), key=str)
    for period, name in sorted(
        graph.subject_objects(MSS.name), key=lambda s: (str(s[0]), str(s[1]))
    ):
        for other in names:
            if other != name and other.language == name.language:  # type: ignore[attr-defined]
                yield Mutant(
                    "name",
                    period,  # type: ignore[arg-type]
                    f'"{name}" -> "{other}"',
                    ((period, MSS.name, name),),
                    ((period, MSS.name, other),),
                )


def _swaps(
    graph: rdflib.Graph, operator: str, cls: URIRef, prop: URIRef, pool: list[Node]
) -> Iterator[Mutant]:
    for fact in sorted(graph.subjects(RDF.type, cls), key=str):
        value = graph.value(fact, prop)
        for other in pool:
            if other != value:
                yield Mutant(
                    operator,
                    fact,  # type: ignore[arg-type]
                    f"{label(graph, value)} -> {label(graph, other)}",
                    ((fact, prop, value),),  # type: ignore[arg-type]
                    ((fact, prop, other),),
                )


def all_mutants(graph: rdflib.Graph) -> dict[str, list[Mutant]]:
    people = sorted(graph.subjects(RDF.type, FOAF.Person), key=str)
    organisations = graph.query(
        "SELECT DISTINCT ?body WHERE { ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
        "<http://www.w3.org/ns/org#Organization> . ?body a ?class }"
    )
    bodies = sorted((row[0] for row in organisations), key=str)  # type: ignore[index]
    found: dict[str, list[Mutant]] = {op: [] for op in OPERATORS}
    for mutant in [
        *date_mutants(graph),
        *name_mutants(graph),
        *_swaps(graph, "holder", MSS.Term, ORG.member, people),  # type: ignore[arg-type]
        *_swaps(graph, "superior", MSS.Subordination, MSS.superior, bodies),  # type: ignore[arg-type]
    ]:
        found[mutant.operator].append(mutant)
    return found


# --- running them ----------------------------------------------------------------------------


def validate_mutant(graph: rdflib.Graph, mutant: Mutant, engine: str) -> ValidationReport:
    for triple in mutant.removed:
        graph.remove(triple)
    for triple in mutant.added:
        graph.add(triple)
    try:
        return validate_graph(graph, engine=engine)
    finally:
        for triple in mutant.added:
            graph.remove(triple)
        for triple in mutant.removed:
            graph.add(triple)


def names_fact(graph: rdflib.Graph, report: ValidationReport, fact: URIRef) -> bool:
    under = label(graph, fact) + " > "
    return any(
        r.focus == str(fact) or (r.focus.startswith("_:") and r.focus_label.startswith(under))
        for r in report.violations
    )


def score(
    graph: rdflib.Graph, mutants: dict[str, list[Mutant]], engine: str
) -> dict[str, list[Mutant]]:
    """The mutants each operator left uncaught; prints the score."""
    missed: dict[str, list[Mutant]] = {}
    lines = []
    for operator, group in mutants.items():
        missed[operator] = [
            m for m in group if not names_fact(graph, validate_mutant(graph, m, engine), m.fact)
        ]
        caught = len(group) - len(missed[operator])
        lines.append(f"  {operator:<10} {caught:>4} / {len(group):<4} caught")
    print(f"\nmutation score ({engine}):\n" + "\n".join(lines))
    return missed


def sample(mutants: dict[str, list[Mutant]]) -> dict[str, list[Mutant]]:
    return {op: group[:: STRIDE[op]] for op, group in mutants.items()}


def test_the_bundled_data_has_no_violation_to_begin_with(graph: rdflib.Graph) -> None:
    assert validate_graph(graph, engine="fast").violations == ()


def test_every_operator_has_sites(graph: rdflib.Graph) -> None:
    counts = Counter({op: len(group) for op, group in all_mutants(graph).items()})
    assert all(counts[op] > 0 for op in OPERATORS), counts
    assert {op: len(group) for op, group in sample(all_mutants(graph)).items()} == {
        op: -(-counts[op] // STRIDE[op]) for op in OPERATORS
    }


def test_shift_keeps_the_form_of_the_written_date() -> None:
    assert shift("November 19, 1945", "date-day", -1) == ("November 18, 1945", "1945-11-18")
    assert shift("June 28th, 2020", "date-day", 1) == ("June 29th, 2020", "2020-06-29")
    assert shift("1 December 1967", "date-day", -1) == ("30 November 1967", "1967-11-30")
    assert shift("January 2021", "date-month", -1) == ("December 2020", "2020-12")
    assert shift("the 1980s", "date-year", 1) == ("the 1990s", "1990")
    assert shift("2016", "date-month", 1) is None


@pytest.mark.slow  # minutes of validations: the second pytest call of .ci/run
def test_a_sample_of_mutants_is_caught_by_the_fast_engine(
    graph: rdflib.Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        missed = score(graph, sample(all_mutants(graph)), "fast")
    assert {op: [m.edit for m in group] for op, group in missed.items() if group} == {}


@pytest.mark.slow  # pySHACL: the second pytest call of .ci/run
def test_a_sample_of_mutants_is_caught_by_pyshacl_alike(
    graph: rdflib.Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    """pySHACL is slow: one mutant per family, each also compared with the fast engine."""
    mutants = all_mutants(graph)
    lines, missed = [], []
    for operator, index in PYSHACL_SAMPLE.items():
        mutant = mutants[operator][index]
        reference = validate_mutant(graph, mutant, "pyshacl")
        assert comparable(validate_mutant(graph, mutant, "fast")) == comparable(reference)
        caught = names_fact(graph, reference, mutant.fact)
        lines.append(f"  {operator:<10} {int(caught):>4} / 1    caught ({mutant.edit})")
        missed += [] if caught else [f"{mutant.fact}: {mutant.edit}"]
    with capsys.disabled():
        print("\nmutation score (pyshacl):\n" + "\n".join(lines))
    assert missed == []


@pytest.mark.exhaustive
def test_every_mutant_is_caught_by_the_fast_engine(
    graph: rdflib.Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        missed = score(graph, all_mutants(graph), "fast")
    assert {
        op: [f"{m.fact}: {m.edit}" for m in group] for op, group in missed.items() if group
    } == {}
