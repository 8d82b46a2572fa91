#!/usr/bin/env python3
"""Synthetic organisation-history graphs shaped like msskg's data, for the
benchmark: agencies with name histories (mss:NamePeriod), dated
mss:Subordination, change events, org:Post with one mss:Term per term of
office, dates of mixed precision with their mss:earliest / mss:latest bounds,
and every fact quoted (oa:TextQuoteSelector) from a seed text written beside it.

    bench/generate.py --triples 1000000 --out /tmp/msskg-1m [--seed 1] [--no-errors]

writes an msskg home: OUT/data/synthetic.nt, OUT/seeds/synthetic.txt, and
OUT/ontology, OUT/queries and OUT/rules (links to this repository's), so that
``MSSKG_HOME=OUT msskg validate`` and ``msskg query --data OUT/data`` work.
Deterministic for a given seed and size. A few planted errors (listed in
PLANTED) are added unless --no-errors; validation must find each of them.
"""

from __future__ import annotations

import argparse
import calendar
import random
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MSS = "https://w3id.org/msskg/ontology#"
ID = "https://w3id.org/msskg/id/syn/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
XSD = "http://www.w3.org/2001/XMLSchema#"
SEED_FILE = "synthetic.txt"
KINDS = ("Ministry", "Department", "Bureau", "Commission", "Council")
# The shapes each planted error must trip (shape name, severity).
PLANTED = {
    "overlapping terms": ("TermCertainOverlapShape", "Violation"),
    "a term that starts after it ends": ("IntervalShape", "Violation"),
    "an instant whose bounds do not match its date": ("DateBoundsCheck", "Violation"),
    "a quote missing from its seed text": ("QuoteCheck", "Violation"),
    "a copy-of cycle": ("EquipmentTypeShape", "Violation"),
    "two names at once": ("NameOverlapShape", "Warning"),
}
TRIPLES_PER_AGENCY = 285  # measured: the output of one agency, roughly


def iri(local: str) -> str:
    return f"<{ID}{local}>"


def text(value: str, lang: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Writer:
    """Writes N-Triples and the seed text as plain strings."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lines: list[str] = []
        self.seed: list[str] = []
        self.blanks = 0
        self.quotes = 0
        # what each instant and interval says as written, for the quotes
        self.written: dict[str, list[str]] = {}
        self.labels: dict[str, str] = {}

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")

    def blank(self) -> str:
        self.blanks += 1
        return f"_:b{self.blanks}"

    def quote(
        self, subject: str, about: str, *values: str, missing: bool = False, mention: bool = False
    ) -> None:
        """A passage for ``subject`` that holds ``values`` (names, dates as
        written, table rows: what the value-in-quote shapes look for): in the
        seed text, unless ``missing``. A fact is ``prov:wasDerivedFrom`` it; a
        body or person (``mention``) is the body of an ``oa:Annotation`` that
        targets it, never derived from a text."""
        self.quotes += 1
        sentence = f"Record {self.quotes}: {'; '.join((about, *values))}."
        if not missing:
            self.seed.append(sentence)
        resource, selector = self.blank(), self.blank()
        if mention:
            annotation = self.blank()
            self.add(annotation, RDF_TYPE, f"<{OA}Annotation>")
            self.add(annotation, f"<{OA}hasBody>", subject)
            self.add(annotation, f"<{OA}hasTarget>", resource)
        else:
            self.add(subject, f"<{PROV}wasDerivedFrom>", resource)
        self.add(resource, RDF_TYPE, f"<{OA}SpecificResource>")
        self.add(resource, f"<{OA}hasSource>", iri("source"))
        self.add(resource, f"<{OA}hasSelector>", selector)
        self.add(selector, RDF_TYPE, f"<{OA}TextQuoteSelector>")
        exact = sentence if not missing else f"Record {self.quotes} is not in the text"
        self.add(selector, f"<{OA}exact>", text(exact))

    def instant(
        self, year: int, month: int, day: int, precision: str = "day", *, wrong_bounds: bool = False
    ) -> str:
        """A date as written, at ``precision``, with its bounds."""
        node = self.blank()
        last = calendar.monthrange(year, month)[1]
        if precision == "day":
            written, unit, prop = (f"{year:04d}-{month:02d}-{day:02d}", "date", "inXSDDate")
            earliest = latest = written
        elif precision == "month":
            written, unit, prop = (f"{year:04d}-{month:02d}", "gYearMonth", "inXSDgYearMonth")
            earliest, latest = f"{written}-01", f"{written}-{last:02d}"
        else:
            written, unit, prop = (f"{year:04d}", "gYear", "inXSDgYear")
            earliest, latest = f"{written}-01-01", f"{written}-12-31"
        if wrong_bounds:
            latest = f"{year:04d}-{month:02d}-{last - 1:02d}"
        self.add(node, RDF_TYPE, f"<{TIME}Instant>")
        self.add(node, f"<{TIME}{prop}>", typed(written, unit))
        self.add(node, f"<{MSS}earliest>", typed(earliest, "date"))
        self.add(node, f"<{MSS}latest>", typed(latest, "date"))
        name = calendar.month_name[month]
        as_written = {"day": f"{day} {name} {year}", "month": f"{name} {year}"}.get(
            precision, str(year)
        )
        self.add(node, f"<{MSS}asWritten>", text(as_written))
        self.written[node] = [as_written]
        return node

    def interval(self, start: str, end: str | None, kind: str) -> str:
        node = self.blank()
        self.add(node, RDF_TYPE, f"<{TIME}Interval>")
        self.add(node, f"<{MSS}endKind>", f"<{MSS}{kind}>")
        self.add(node, f"<{TIME}hasBeginning>", start)
        if end is not None:
            self.add(node, f"<{TIME}hasEnd>", end)
        self.written[node] = self.written[start] + (self.written[end] if end else [])
        return node


Date = tuple[int, int, int, str]


def spans(rng: random.Random, start_year: int, count: int) -> list[Date]:
    """count + 1 boundary dates, in order, years apart, each at its own precision."""
    dates = []
    year = start_year
    for _ in range(count + 1):
        precision = rng.choice(("day", "month", "year"))
        dates.append((year, rng.randint(1, 12), rng.randint(1, 28), precision))
        year += rng.randint(2, 9)
    return dates


def periods(
    w: Writer, dates: list[Date], fact: Callable[[int, str], None], ongoing_last: bool = True
) -> None:
    """Consecutive periods: one ends on the date, as written, the next starts."""
    for index in range(len(dates) - 1):
        last = index == len(dates) - 2
        start = w.instant(*dates[index])
        if last and ongoing_last:
            fact(index, w.interval(start, None, "Ongoing"))
        else:
            fact(index, w.interval(start, w.instant(*dates[index + 1]), "EndStated"))


def label_of(kind: str, n: int) -> str:
    """Zero-padded, so that no body's label is part of another's ("Ministry 1" of "Ministry 12")."""
    return f"{kind} {n:07d}"


def agency(w: Writer, n: int, parent: tuple[str, str] | None) -> None:
    rng = w.rng
    me = iri(f"agency-{n}")
    kind = rng.choice(KINDS)
    w.add(me, RDF_TYPE, f"<{MSS}{kind}>")
    w.add(me, LABEL, text(label_of(kind, n), "en"))
    w.labels[me] = label_of(kind, n)
    w.add(me, LABEL, text(f"기관 {n}", "ko"))
    # as the bundled agencies: preferred labels beside the labels (msh:EnglishPrefLabel,
    # and msh:KoreanLabelShape since its name periods give Korean names)
    w.add(me, PREF_LABEL, text(label_of(kind, n), "en"))
    w.add(me, PREF_LABEL, text(f"기관 {n}", "ko"))
    w.quote(me, f"the {kind} {n} is named", mention=True)
    dates = spans(rng, rng.randint(1945, 1985), 3)

    def name(index: int, during: str) -> None:
        node = iri(f"name-{n}-{index}")
        w.add(node, RDF_TYPE, f"<{MSS}NamePeriod>")
        w.add(node, LABEL, text(f"{kind} {n} as name {index}", "en"))
        w.add(node, f"<{MSS}ofAgency>", me)
        names = (f"{label_of(kind, n)} name {index}", f"기관 {n:07d} 이름 {index}")
        w.add(node, f"<{MSS}name>", text(names[0], "en"))
        w.add(node, f"<{MSS}name>", text(names[1], "ko"))
        w.add(node, f"<{MSS}during>", during)
        w.quote(node, f"agency {n} bore name {index}", *names, *w.written[during])

    periods(w, dates, name)
    for index, date in enumerate(dates[:-1]):
        event = iri(f"event-{n}-{index}")
        w.add(event, RDF_TYPE, f"<{MSS}{'Founding' if index == 0 else 'Renaming'}>")
        w.add(event, LABEL, text(f"Change {index} of agency {n}", "en"))
        w.add(event, f"<{MSS}resultingOrganization>", me)
        when = w.instant(*date)
        w.add(event, f"<{TIME}hasTime>", when)
        w.quote(event, f"agency {n} changed for the {index} time", *w.written[when])
    if parent is not None:

        def under(index: int, during: str) -> None:
            node = iri(f"sub-{n}-{index}")
            w.add(node, RDF_TYPE, f"<{MSS}Subordination>")
            w.add(node, LABEL, text(f"Agency {n} under its superior, span {index}", "en"))
            w.add(node, f"<{MSS}subordinate>", me)
            w.add(node, f"<{MSS}superior>", parent[0])
            w.add(node, f"<{MSS}during>", during)
            w.quote(node, f"agency {n} answered to", parent[1], *w.written[during])

        periods(w, dates[1:], under)
    post = iri(f"post-{n}")
    w.add(post, RDF_TYPE, f"<{ORG}Post>")
    w.add(post, LABEL, text(f"Head of agency {n}", "en"))
    w.add(post, f"<{ORG}postIn>", me)

    def term(index: int, during: str) -> None:
        person = iri(f"person-{n}-{index}")
        w.add(person, RDF_TYPE, f"<{FOAF}Person>")
        w.add(person, LABEL, text(f"Person {n}-{index}", "en"))
        w.quote(person, f"person {n}-{index} is named", mention=True)
        node = iri(f"term-{n}-{index}")
        w.add(node, RDF_TYPE, f"<{MSS}Term>")
        w.add(node, LABEL, text(f"Person {n}-{index}, head of agency {n}", "en"))
        w.add(node, f"<{MSS}post>", post)
        w.add(node, f"<{ORG}member>", person)
        w.add(node, f"<{ORG}memberDuring>", during)
        w.quote(node, f"Person {n}-{index} headed agency {n}", *w.written[during])

    periods(w, spans(rng, dates[0][0], 3), term)


def plant_errors(w: Writer, agencies: int) -> None:
    """One of each kind of error in PLANTED, on agencies spread over the graph."""
    rng = w.rng
    picks = rng.sample(range(agencies), 4) if agencies >= 4 else [0, 0, 0, 0]
    b, c, d = (iri(f"agency-{n}") for n in picks[1:])
    # overlapping terms: a fourth term of the first pick's post, across all the others
    person, node = iri("person-planted"), iri("term-planted-overlap")
    w.add(person, RDF_TYPE, f"<{FOAF}Person>")
    w.add(person, LABEL, text("Planted person", "en"))
    w.quote(person, "the planted person is named", mention=True)
    w.add(node, RDF_TYPE, f"<{MSS}Term>")
    w.add(node, LABEL, text("Planted overlapping term", "en"))
    w.add(node, f"<{MSS}post>", iri(f"post-{picks[0]}"))
    w.add(node, f"<{ORG}member>", person)
    during = w.interval(w.instant(1900, 1, 1), w.instant(2100, 1, 1), "EndStated")
    w.add(node, f"<{ORG}memberDuring>", during)
    w.quote(node, "the Planted person held the post throughout", *w.written[during])
    # a name period that starts after it ends, and overlaps no other (undated ones are skipped)
    node = iri("name-planted-backwards")
    w.add(node, RDF_TYPE, f"<{MSS}NamePeriod>")
    w.add(node, LABEL, text("Planted backwards name", "en"))
    w.add(node, f"<{MSS}ofAgency>", b)
    w.add(node, f"<{MSS}name>", text("Backwards", "en"))
    during = w.interval(w.instant(2200, 6, 1), w.instant(2150, 6, 1), "EndStated")
    w.add(node, f"<{MSS}during>", during)
    w.quote(node, "the agency was briefly called", "Backwards", *w.written[during])
    # an instant whose bounds do not match its date
    event = iri("event-planted-bounds")
    w.add(event, RDF_TYPE, f"<{MSS}Restructuring>")
    w.add(event, LABEL, text("Planted restructuring", "en"))
    w.add(event, f"<{MSS}resultingOrganization>", c)
    when = w.instant(1990, 5, 15, "month", wrong_bounds=True)
    w.add(event, f"<{TIME}hasTime>", when)
    w.quote(event, "the agency was restructured", *w.written[when])
    # a quote missing from the seed text
    w.quote(d, "a sentence nobody wrote", missing=True, mention=True)
    # a copy-of cycle: each rifle's table row says it copies the other
    for number, (one, other) in enumerate((("rifle-a", "rifle-b"), ("rifle-b", "rifle-a")), 1):
        w.add(iri(one), RDF_TYPE, f"<{MSS}EquipmentType>")
        w.add(iri(one), LABEL, text(f"Planted {one}", "en"))
        row = iri(f"row-{one}")
        w.add(row, RDF_TYPE, f"<{MSS}EquipmentRow>")
        w.add(row, LABEL, text(f"Row {number}: {one}", "en"))
        w.add(row, f"<{MSS}item>", iri(one))
        w.add(row, f"<{MSS}rowNumber>", typed(str(number), "integer"))
        for cell in ("nameCell", "countryOfOriginCell", "typeCell"):
            w.add(row, f"<{MSS}{cell}>", text(one))
        w.add(row, f"<{MSS}columnsShifted>", typed("false", "boolean"))
        w.add(row, f"<{MSS}copyOf>", iri(other))
        w.quote(row, f"the {one} copies the {other}", f"| {one} | {one} | {one} |")
    # two names at once: a second name of agency c across its whole history
    node = iri("name-planted-second")
    w.add(node, RDF_TYPE, f"<{MSS}NamePeriod>")
    w.add(node, LABEL, text("Planted second name", "en"))
    w.add(node, f"<{MSS}ofAgency>", c)
    w.add(node, f"<{MSS}name>", text("Second name", "en"))
    during = w.interval(w.instant(1900, 1, 1), None, "Ongoing")
    w.add(node, f"<{MSS}during>", during)
    w.quote(node, "the agency was also called by a", "Second name", *w.written[during])


def generate(triples: int, out: Path, *, seed: int = 1, errors: bool = True) -> int:
    """Write a graph of about ``triples`` triples under ``out``; return the count."""
    rng = random.Random(seed)
    w = Writer(rng)
    source = iri("source")
    w.add(source, RDF_TYPE, f"<{MSS}SourceText>")
    w.add(source, LABEL, text("Synthetic source", "en"))
    w.add(source, f"<{MSS}fileName>", text(SEED_FILE))
    agencies = max(1, triples // TRIPLES_PER_AGENCY)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "seeds").mkdir(exist_ok=True)
    count = 0
    with (out / "data" / "synthetic.nt").open("w", encoding="utf-8") as nt:
        for n in range(agencies):
            parent = None if n == 0 else iri(f"agency-{rng.randrange(n)}")
            agency(w, n, None if parent is None else (parent, w.labels[parent]))
            if len(w.lines) > 100_000:
                count += len(w.lines)
                nt.writelines(w.lines)
                w.lines.clear()
        if errors:
            plant_errors(w, agencies)
        count += len(w.lines)
        nt.writelines(w.lines)
    (out / "seeds" / SEED_FILE).write_text("\n".join(w.seed) + "\n", encoding="utf-8")
    for folder in ("ontology", "queries", "rules"):  # rules: exports derive the direct layer
        link = out / folder
        if not link.exists():
            link.symlink_to(ROOT / folder, target_is_directory=True)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many triples")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the msskg home in")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-errors", action="store_true", help="plant no errors")
    args = parser.parse_args(argv)
    count = generate(args.triples, args.out, seed=args.seed, errors=not args.no_errors)
    print(f"wrote {count} triples to {args.out / 'data' / 'synthetic.nt'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
