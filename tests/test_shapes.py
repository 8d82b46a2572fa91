"""Each shape in ontology/shapes.ttl against a small valid and a small invalid
example (the W3C data-shapes test layout, inline), and the bundled data's
exact set of results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from msskg.validate.api import validate, validate_graph
from msskg.validate.report import ValidationReport

ROOT = Path(__file__).resolve().parents[1]
MSH = "https://w3id.org/msskg/shapes#"
MSR = "https://w3id.org/msskg/id/"

PREFIXES = """
@prefix mss:  <https://w3id.org/msskg/ontology#> .
@prefix msr:  <https://w3id.org/msskg/id/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa:   <http://www.w3.org/ns/oa#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix ex:   <https://example.org/test/> .

msr:source-000 a mss:SourceText ; mss:fileName "000_b62adf0e0be71f86.txt" .
ex:q a oa:SpecificResource ; oa:hasSource msr:source-000 ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Ri Thae-sop" ] .
ex:ministry a mss:Ministry ; rdfs:label "Ministry"@en , "성"@ko ;
    skos:prefLabel "Ministry"@en , "성"@ko .
ex:council a mss:Council ; rdfs:label "Council"@en ; skos:prefLabel "Council"@en .
ex:post a org:Post ; rdfs:label "Minister"@en .
ex:alice a foaf:Person ; rdfs:label "Alice"@en .
ex:bob a foaf:Person ; rdfs:label "Bob"@en .
ex:mentions a oa:Annotation ; oa:motivatedBy oa:identifying ;
    oa:hasBody ex:ministry , ex:council , ex:alice , ex:bob ; oa:hasTarget ex:q .
ex:text a mss:SourceText ; rdfs:label "the tests' own text (no file)"@en .
"""

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


def quote(*values: str) -> str:
    """A quote of the tests' own text (which has no file, so it is not looked
    up in a seed) that holds the given values: the value-in-quote shapes pass."""
    exact = "; ".join(values).replace('"', '\\"')
    return (
        "[ a oa:SpecificResource ; oa:hasSource ex:text ; "
        f'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{exact}" ] ]'
    )


def written(*instants: str | None) -> list[str]:
    """The mss:asWritten values of instants made by day() and year()."""
    return [m[1] for i in instants if i for m in re.finditer(r'mss:asWritten "([^"]*)"', i)]


def day(value: str) -> str:
    as_written = f"{int(value[8:])} {MONTHS[int(value[5:7]) - 1]} {value[:4]}"
    return (
        f'[ a time:Instant ; time:inXSDDate "{value}"^^xsd:date ; '
        f'mss:earliest "{value}"^^xsd:date ; mss:latest "{value}"^^xsd:date ; '
        f'mss:asWritten "{as_written}" ]'
    )


def year(value: str) -> str:
    return (
        f'[ a time:Instant ; time:inXSDgYear "{value}"^^xsd:gYear ; '
        f'mss:earliest "{value}-01-01"^^xsd:date ; mss:latest "{value}-12-31"^^xsd:date ; '
        f'mss:asWritten "{value}" ]'
    )


def term(name: str, holder: str, start: str, end: str | None, kind: str = "EndStated") -> str:
    source = quote(holder.title(), *written(start, end))
    end_part = f" ; time:hasEnd {end}" if end else ""
    return (
        f'ex:{name} a mss:Term ; rdfs:label "{name}"@en ; mss:post ex:post ; '
        f"org:member ex:{holder} ; prov:wasDerivedFrom {source} ; "
        f"org:memberDuring [ a time:Interval ; mss:endKind mss:{kind} ; "
        f"time:hasBeginning {start}{end_part} ] ."
    )


def name_period(name: str, label: str, start: str, end: str) -> str:
    return (
        f'ex:{name} a mss:NamePeriod ; rdfs:label "{name}"@en ; mss:ofAgency ex:ministry ; '
        f'mss:name "{label}"@en ; prov:wasDerivedFrom {quote(label, *written(start, end))} ; '
        f"mss:during [ a time:Interval ; mss:endKind mss:EndStated ; "
        f"time:hasBeginning {start} ; time:hasEnd {end} ] ."
    )


def subordination(name: str, superior: str, start: str, end: str) -> str:
    source = quote(superior.title(), *written(start, end))
    return (
        f'ex:{name} a mss:Subordination ; rdfs:label "{name}"@en ; mss:subordinate ex:ministry ; '
        f"mss:superior ex:{superior} ; prov:wasDerivedFrom {source} ; "
        f"mss:during [ a time:Interval ; mss:endKind mss:EndStated ; "
        f"time:hasBeginning {start} ; time:hasEnd {end} ] ."
    )


def row(number: int, shifted: str) -> str:
    return (
        f'ex:row{number} a mss:EquipmentRow ; rdfs:label "row"@en ; mss:rowNumber {number} ; '
        f'mss:item ex:gun ; mss:nameCell "Gun" ; mss:countryOfOriginCell "" ; mss:typeCell "" ; '
        f"mss:columnsShifted {shifted} ; prov:wasDerivedFrom {quote('| Gun | | |')} ."
    )


# a source gives the ministry a Korean name
KOREAN_NAME = (
    name_period("np", "회", day("2020-01-01"), day("2021-01-01"))
    .replace('mss:name "회"@en', 'mss:name "회"@en , "회"@ko')
    .replace("mss:ofAgency ex:ministry", "mss:ofAgency ex:council")
)
GUN = 'ex:gun a mss:EquipmentType ; rdfs:label "Gun"@en .'

QUOTED_STATEMENT = (
    "ex:s1 a rdf:Statement ; rdf:subject ex:ministry ; rdf:predicate rdfs:label ; "
    'rdf:object "Ministry"@en ;'
)
QUOTED_DUTY = (
    'ex:d a mss:Duty ; rdfs:label "Policing"@en ; mss:ofAgency ex:ministry ; '
    'mss:description "policing"@en ; prov:wasDerivedFrom ex:q .'
)
# a statement of the direct layer: a rule and the facts it read, no quote of its own
DERIVED_STATEMENT = (
    "ex:s2 a rdf:Statement ; rdf:subject ex:ministry ; rdf:predicate org:hasPost ; "
    "rdf:object ex:post ; mss:derivedBy <https://w3id.org/msskg/rules/post-in> ; "
    "prov:wasDerivedFrom ex:d ."
)

# shape name -> (valid example, invalid example, severity of the invalid one).
# A node shape reached through sh:node reports under its own name and also
# under the shape that points to it: EXTRA_SHAPES lists those.
CASES: dict[str, tuple[str, str, str]] = {
    "AgencyShape": (
        "",
        'ex:unsourced a mss:Bureau ; rdfs:label "Bureau"@en ; skos:prefLabel "Bureau"@en .',
        "Violation",
    ),
    "EnglishLabel": (
        'ex:bureau a mss:Bureau ; rdfs:label "Bureau"@en , "국"@ko ; skos:prefLabel "Bureau"@en . '
        "ex:mentions oa:hasBody ex:bureau .",
        'ex:bureau a mss:Bureau ; rdfs:label "국"@ko ; skos:prefLabel "Bureau"@en . '
        "ex:mentions oa:hasBody ex:bureau .",
        "Violation",
    ),
    "PreferredLabelShape": (
        'ex:bureau a mss:Bureau ; rdfs:label "Bureau"@en ; skos:prefLabel "Bureau"@en , "국"@ko . '
        "ex:mentions oa:hasBody ex:bureau .",
        'ex:bureau a mss:Bureau ; rdfs:label "Bureau"@en ; skos:prefLabel "국"@ko . '
        "ex:mentions oa:hasBody ex:bureau .",
        "Violation",
    ),
    "KoreanLabelShape": (
        'ex:council rdfs:label "회"@ko . ' + KOREAN_NAME,
        'ex:council skos:prefLabel "회"@ko . ' + KOREAN_NAME,
        "Violation",
    ),
    "PersonShape": (
        "",
        'ex:carol a foaf:Person ; rdfs:label "Carol"@en .',
        "Violation",
    ),
    "PostShape": (
        "ex:post org:postIn ex:ministry .",
        "ex:post org:postIn ex:ministry , ex:council .",
        "Violation",
    ),
    "TermShape": (
        term("t1", "alice", day("2020-01-01"), day("2021-01-01")),
        'ex:t1 a mss:Term ; rdfs:label "t1"@en ; mss:post ex:post ; prov:wasDerivedFrom '
        + quote("2020")
        + " ; "
        "org:memberDuring [ a time:Interval ; mss:endKind mss:Ongoing ; "
        f"time:hasBeginning {year('2020')} ] .",
        "Violation",
    ),
    "StartedIntervalShape": (
        'ex:t1 a mss:Term ; rdfs:label "t1"@en ; mss:post ex:post ; org:member ex:alice ; '
        "prov:wasDerivedFrom " + quote("Alice") + " ; "
        "org:memberDuring [ a time:Interval ; mss:endKind mss:EndNotStated ; mss:undated true ] .",
        'ex:t1 a mss:Term ; rdfs:label "t1"@en ; mss:post ex:post ; org:member ex:alice ; '
        "prov:wasDerivedFrom " + quote("Alice") + " ; "
        "org:memberDuring [ a time:Interval ; mss:endKind mss:EndNotStated ] .",
        "Violation",
    ),
    "NamePeriodShape": (
        name_period("n1", "Bureau", day("1945-11-19"), year("1951")),
        'ex:n1 a mss:NamePeriod ; rdfs:label "n1"@en ; mss:ofAgency ex:ministry ; '
        'mss:name "국"@ko ; '
        "prov:wasDerivedFrom " + quote("국", "1945") + " ; "
        "mss:during [ a time:Interval ; mss:endKind mss:Ongoing ; "
        f"time:hasBeginning {year('1945')} ] .",
        "Violation",
    ),
    "SubordinationShape": (
        subordination("s1", "council", year("1972"), year("1982")),
        subordination("s1", "ministry", year("1972"), year("1982")),
        "Violation",
    ),
    "ChangeEventShape": (
        'ex:e a mss:Renaming ; rdfs:label "Renamed"@en ; mss:resultingOrganization ex:ministry ; '
        f"time:hasTime {year('2016')} ; prov:wasDerivedFrom " + quote("2016") + " .",
        f'ex:e a mss:Renaming ; rdfs:label "Renamed"@en ; time:hasTime {year("2016")} ; '
        "prov:wasDerivedFrom " + quote("2016") + " .",
        "Violation",
    ),
    "IntervalShape": (
        term("t1", "alice", year("2004"), year("2010")),
        term("t1", "alice", year("2010"), year("2004")),
        "Violation",
    ),
    "InstantShape": (
        f'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
        f"time:hasTime {day('1945-11-19')} ; prov:wasDerivedFrom "
        + quote("19 November 1945")
        + " .",
        'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
        "prov:wasDerivedFrom ex:q ; time:hasTime [ a time:Instant ; time:unitType time:unitDay ; "
        'mss:earliest "1945-11-19"^^xsd:date ; mss:latest "1945-11-19"^^xsd:date ; '
        'time:inXSDDate "1945-11-19"^^xsd:date ] .',
        "Violation",
    ),
    "FactShape": (
        'ex:d a mss:Duty ; rdfs:label "Policing"@en ; mss:ofAgency ex:ministry ; '
        'mss:description "policing"@en ; prov:wasDerivedFrom ex:q .',
        'ex:d a mss:Duty ; rdfs:label "Policing"@en ; mss:ofAgency ex:ministry ; '
        'mss:description "policing"@en .',
        "Violation",
    ),
    "StatementShape": (
        f"{QUOTED_STATEMENT} prov:wasDerivedFrom ex:q . {QUOTED_DUTY} {DERIVED_STATEMENT}",
        f'{QUOTED_STATEMENT} rdfs:comment "no quote, no rule" .',
        "Violation",
    ),
    "DirectStatementShape": (
        f'{QUOTED_DUTY} {DERIVED_STATEMENT} ex:s2 mss:certainty "possible" . '
        # an --at export names the facts without holding them
        f"{DERIVED_STATEMENT.replace('ex:s2', 'ex:s3').replace('ex:d ', 'ex:elsewhere ')}",
        # from a quote, not from a fact
        f"{DERIVED_STATEMENT.replace('ex:d ', 'ex:q ')}",
        "Violation",
    ),
    "EquipmentRowShape": (
        GUN + row(1, "false"),
        GUN + 'ex:row1 a mss:EquipmentRow ; rdfs:label "row 1"@en ; mss:rowNumber "one" ; '
        "mss:item ex:gun ; "
        'mss:nameCell "Gun" ; mss:countryOfOriginCell "" ; mss:typeCell "" ; '
        "mss:columnsShifted false ; prov:wasDerivedFrom " + quote("| Gun | | |") + " .",
        "Violation",
    ),
    "ColumnsShiftedShape": (GUN + row(1, "false"), GUN + row(1, "true"), "Warning"),
    "EquipmentTypeShape": (
        GUN
        + 'ex:cz a mss:EquipmentType ; rdfs:label "CZ"@en . ex:row1 mss:copyOf ex:cz .'
        + row(1, "false"),
        GUN
        + 'ex:cz a mss:EquipmentType ; rdfs:label "CZ"@en . ex:row1 mss:copyOf ex:cz .'
        + row(1, "false")
        + 'ex:row2 a mss:EquipmentRow ; rdfs:label "row"@en ; mss:rowNumber 2 ; mss:item ex:cz ; '
        'mss:nameCell "CZ" ; mss:countryOfOriginCell "" ; mss:typeCell "" ; '
        "mss:columnsShifted false ; mss:copyOf ex:gun ; prov:wasDerivedFrom "
        + quote("| CZ | | |")
        + " .",
        "Violation",
    ),
    "RankShape": (
        'ex:ranks a mss:RankScheme . ex:r1 a mss:Rank ; rdfs:label "General"@en ; '
        'skos:inScheme ex:ranks ; mss:rankOrder 1 . ex:r2 a mss:Rank ; rdfs:label "Private"@en ; '
        "skos:inScheme ex:ranks ; mss:rankOrder 2 .",
        'ex:ranks a mss:RankScheme . ex:r1 a mss:Rank ; rdfs:label "General"@en ; '
        'skos:inScheme ex:ranks ; mss:rankOrder 1 . ex:r2 a mss:Rank ; rdfs:label "Private"@en ; '
        "skos:inScheme ex:ranks ; mss:rankOrder 1 .",
        "Violation",
    ),
    "StrengthShape": (
        'ex:s a mss:StrengthEstimate ; rdfs:label "troops"@en ; mss:ofAgency ex:ministry ; '
        "mss:minimum 11000 ; mss:maximum 140000 ; prov:wasDerivedFrom "
        + quote("11,000 to 140,000")
        + " .",
        'ex:s a mss:StrengthEstimate ; rdfs:label "troops"@en ; mss:ofAgency ex:ministry ; '
        "mss:minimum 140000 ; mss:maximum 11000 ; prov:wasDerivedFrom "
        + quote("11,000 to 140,000")
        + " .",
        "Violation",
    ),
    "TermCertainOverlapShape": (
        term("t1", "alice", year("2004"), year("2010"))
        + term("t2", "bob", year("2010"), year("2013")),
        term("t1", "alice", year("2004"), year("2010"))
        + term("t2", "bob", year("2007"), year("2013")),
        "Violation",
    ),
    "TermPossibleOverlapShape": (
        term("t1", "alice", day("2004-01-01"), year("2010"))
        + term("t2", "bob", year("2010"), year("2013")),
        term("t1", "alice", day("2004-01-01"), year("2010"))
        + term("t2", "bob", day("2010-06-01"), year("2013")),
        "Warning",
    ),
    "CurrentHolderShape": (
        term("t1", "alice", year("2004"), None, "Ongoing"),
        term("t1", "alice", year("2004"), None, "Ongoing")
        + 'ex:c a mss:IncumbencyClaim ; rdfs:label "claim"@en ; mss:post ex:post ; '
        "mss:claimedHolder ex:bob ; prov:wasDerivedFrom ex:q .",
        "Warning",
    ),
    "AsOfShape": (
        'ex:text mss:asOf [ a time:Instant ; time:inXSDgYear "1952"^^xsd:gYear ; '
        'mss:earliest "1952-01-01"^^xsd:date ; mss:latest "1952-12-31"^^xsd:date ; '
        'mss:asWritten "1952" ] .'
        + name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Ministry", year("1952"), year("1952")),
        'ex:text mss:asOf [ a time:Instant ; time:inXSDgYear "1951"^^xsd:gYear ; '
        'mss:earliest "1951-01-01"^^xsd:date ; mss:latest "1951-12-31"^^xsd:date ; '
        'mss:asWritten "1951" ] .'
        + name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Ministry", year("1952"), year("1952")),
        "Violation",
    ),
    "NameOverlapShape": (
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Ministry", year("1951"), year("1952")),
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Ministry", year("1948"), year("1952")),
        "Warning",
    ),
    "SuperiorOverlapShape": (
        'ex:cabinet a mss:Cabinet ; rdfs:label "Cabinet"@en ; skos:prefLabel "Cabinet"@en . '
        "ex:mentions oa:hasBody ex:cabinet ."
        + subordination("s1", "council", year("1972"), year("1982"))
        + subordination("s2", "cabinet", year("1982"), year("1990")),
        'ex:cabinet a mss:Cabinet ; rdfs:label "Cabinet"@en ; skos:prefLabel "Cabinet"@en . '
        "ex:mentions oa:hasBody ex:cabinet ."
        + subordination("s1", "council", year("1972"), year("1982"))
        + subordination("s2", "cabinet", year("1975"), year("1990")),
        "Warning",
    ),
    "ChildListShape": (
        'ex:l1 a mss:ChildList ; rdfs:label "list"@en ; mss:ofAgency ex:ministry ; '
        "mss:listsChild ex:council ; prov:wasDerivedFrom ex:q .",
        'ex:l1 a mss:ChildList ; rdfs:label "list"@en ; mss:ofAgency ex:ministry ; '
        "prov:wasDerivedFrom ex:q .",
        "Violation",
    ),
    "ChildListCountShape": (
        'ex:l1 a mss:ChildList ; rdfs:label "list"@en ; mss:ofAgency ex:ministry ; '
        "mss:statedCount 1 ; mss:listsChild ex:council ; prov:wasDerivedFrom ex:q .",
        'ex:l1 a mss:ChildList ; rdfs:label "list"@en ; mss:ofAgency ex:ministry ; '
        "mss:statedCount 5 ; mss:listsChild ex:council ; prov:wasDerivedFrom ex:q .",
        "Warning",
    ),
    "ChildListConflictShape": (
        'ex:l1 a mss:ChildList ; rdfs:label "list 1"@en ; mss:ofAgency ex:ministry ; '
        "mss:listsChild ex:council ; prov:wasDerivedFrom ex:q . "
        'ex:l2 a mss:ChildList ; rdfs:label "list 2"@en ; mss:ofAgency ex:ministry ; '
        "mss:listsChild ex:council ; prov:wasDerivedFrom ex:q .",
        'ex:l1 a mss:ChildList ; rdfs:label "list 1"@en ; mss:ofAgency ex:ministry ; '
        "mss:listsChild ex:council ; prov:wasDerivedFrom ex:q . "
        'ex:l2 a mss:ChildList ; rdfs:label "list 2"@en ; mss:ofAgency ex:ministry ; '
        "mss:listsChild ex:council , ex:post ; prov:wasDerivedFrom ex:q .",
        "Warning",
    ),
    "DisagreementShape": (
        name_period("n1", "Bureau", year("1945"), year("1951")),
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Office", year("1960"), year("1970"))
        + "ex:n2 mss:disagreesWith ex:n1 .",
        "Warning",
    ),
    "WrittenDateShape": (
        'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
        f"time:hasTime {day('1945-11-19')} ; prov:wasDerivedFrom "
        + quote("19 November 1945")
        + " .",
        'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
        "time:hasTime "
        + day("1945-11-19").replace("19 November 1945", "November 19, 1946")
        + " ; prov:wasDerivedFrom "
        + quote("November 19, 1946")
        + " .",
        "Violation",
    ),
    "DateInQuoteShape": (
        'ex:e a mss:Renaming ; rdfs:label "Renamed"@en ; mss:resultingOrganization ex:ministry ; '
        f"time:hasTime {year('2016')} ; prov:wasDerivedFrom "
        + quote("In 2016, it was renamed")
        + " .",
        'ex:e a mss:Renaming ; rdfs:label "Renamed"@en ; mss:resultingOrganization ex:ministry ; '
        f"time:hasTime {year('2016')} ; prov:wasDerivedFrom "
        + quote("In May 2016, it was renamed")
        + " .",
        "Violation",
    ),
    "NameInQuoteShape": (
        name_period("n1", "Bureau", year("1945"), year("1951")),
        name_period("n1", "Bureau", year("1945"), year("1951")).replace(
            'oa:exact "Bureau;', 'oa:exact "Political Security Bureau;'
        ),
        "Violation",
    ),
    "NameChangeShape": (
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Office", year("1951"), year("1952"))
        + "ex:n1 mss:endedBy ex:renaming . ex:n2 mss:introducedBy ex:renaming .",
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + name_period("n2", "Bureau", year("1951"), year("1952"))
        + "ex:n1 mss:endedBy ex:renaming . ex:n2 mss:introducedBy ex:renaming .",
        "Violation",
    ),
    "HolderInQuoteShape": (
        term("t1", "alice", year("2004"), year("2010")),
        term("t1", "alice", year("2004"), year("2010")).replace('oa:exact "Alice', 'oa:exact "Bob'),
        "Violation",
    ),
    "SuperiorInQuoteShape": (
        subordination("s1", "council", year("1972"), year("1982")),
        subordination("s1", "council", year("1972"), year("1982")).replace(
            'oa:exact "Council;', 'oa:exact "The body it was under;'
        ),
        "Violation",
    ),
    "NumberInQuoteShape": (
        'ex:s a mss:StrengthEstimate ; rdfs:label "troops"@en ; mss:ofAgency ex:ministry ; '
        "mss:minimum 11000 ; mss:maximum 140000 ; prov:wasDerivedFrom "
        + quote("It has 11,000 to 140,000 troops.")
        + " .",
        'ex:s a mss:StrengthEstimate ; rdfs:label "troops"@en ; mss:ofAgency ex:ministry ; '
        "mss:minimum 1000 ; mss:maximum 140000 ; prov:wasDerivedFrom "
        + quote("It has 11,000 to 140,000 troops.")
        + " .",
        "Violation",
    ),
    "EquipmentRowInQuoteShape": (
        GUN + row(1, "false"),
        GUN + row(1, "false").replace('mss:typeCell ""', 'mss:typeCell "Pistol"'),
        "Violation",
    ),
    "ValueNotInQuoteMarkShape": (
        "",
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + 'ex:n1 mss:name "국"@ko ; mss:valueNotInQuote "국"@ko .',
        "Violation",
    ),
    "ValueNotInQuoteShape": (
        "",
        name_period("n1", "Bureau", year("1945"), year("1951"))
        + 'ex:n1 mss:name "국"@ko ; mss:valueNotInQuote "국"@ko ; '
        'mss:note "The text gives the Korean name elsewhere."@en .',
        "Info",
    ),
}


EXTRA_SHAPES = {"StartedIntervalShape": {"TermShape"}}


def _check(body: str) -> ValidationReport:
    graph = rdflib.Graph().parse(ROOT / "ontology" / "msskg.ttl")
    graph.parse(data=PREFIXES + body, format="turtle")
    return validate_graph(graph)


def test_every_named_shape_has_a_case() -> None:
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    named = {
        str(s)[len(MSH) :]
        for kind in (sh.NodeShape, sh.PropertyShape)
        for s in shapes.subjects(rdflib.RDF.type, kind)
        if str(s).startswith(MSH)
    }
    helpers = {"QuoteShape", "Quoted", "Derived", "NamedOnly"}
    assert named - helpers == set(CASES)


@pytest.mark.parametrize("shape", sorted(CASES))
def test_valid_example_passes(shape: str) -> None:
    valid, _, _ = CASES[shape]
    report = _check(valid)
    assert [(r.shape, r.message) for r in report.results] == []


@pytest.mark.parametrize("shape", sorted(CASES))
def test_invalid_example_fails_that_shape(shape: str) -> None:
    _, invalid, severity = CASES[shape]
    report = _check(invalid)
    expected = {shape, *EXTRA_SHAPES.get(shape, set())}
    assert {(r.shape, r.severity) for r in report.results} == {
        (MSH + name, severity) for name in expected
    }


def test_ill_formed_date_is_a_violation_not_a_crash() -> None:
    body = (
        'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
        "prov:wasDerivedFrom ex:q ; time:hasTime [ a time:Instant ; "
        'time:inXSDDate "2021-02-30"^^xsd:date ; mss:earliest "2021-02-30"^^xsd:date ; '
        'mss:latest "2021-02-28"^^xsd:date ] .'
    )
    report = _check(body)
    assert not report.conforms
    shapes = {r.shape for r in report.violations}
    assert MSH + "WellFormedDateCheck" in shapes
    bad = [r for r in report.violations if r.shape == MSH + "WellFormedDateCheck"]
    assert bad[0].focus_label == "Founded > time:hasTime"


def test_wrong_bounds_and_missing_quotes_are_violations() -> None:
    body = (
        'ex:e a mss:Founding ; rdfs:label "Founded"@en ; mss:resultingOrganization ex:ministry ; '
        "prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource msr:source-000 ; "
        'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "not in the text" ] ] ; '
        "time:hasTime [ a time:Instant ; "
        'time:inXSDgYear "1945"^^xsd:gYear ; mss:earliest "1945-01-01"^^xsd:date ; '
        'mss:latest "1945-12-30"^^xsd:date ] .'
    )
    report = _check(body)
    assert sorted((r.shape[len(MSH) :], r.message) for r in report.violations) == [
        ("DateBoundsCheck", "mss:latest is 1945-12-30, but the written date means 1945-12-31"),
        ("InstantShape", "an instant needs one mss:asWritten: the date as the quote writes it"),
        ("QuoteCheck", "the quote does not occur verbatim in 000_b62adf0e0be71f86.txt"),
    ]


@pytest.fixture(scope="module")
def bundled_report() -> ValidationReport:
    return validate()


def test_bundled_data_conforms(bundled_report: ValidationReport) -> None:
    assert bundled_report.violations == ()
    assert bundled_report.conforms


def test_bundled_data_warns_of_exactly_the_conflicts_in_the_texts(
    bundled_report: ValidationReport,
) -> None:
    found = sorted(
        (r.shape[len(MSH) :], r.focus[len(MSR) :], (r.value or "")[len(MSR) :])
        for r in bundled_report.warnings
    )
    assert found == [
        ("ChildListConflictShape", "childlist-duties", "childlist-infobox"),
        ("ColumnsShiftedShape", "equipment-row-2", ""),
        ("ColumnsShiftedShape", "equipment-row-3", ""),
        ("ColumnsShiftedShape", "equipment-row-4", ""),
        ("ColumnsShiftedShape", "equipment-row-7", ""),
        ("CurrentHolderShape", "claim-current-minister-infobox", ""),
        ("CurrentHolderShape", "claim-current-minister-prose", ""),
        (
            "DisagreementShape",
            "event-1980s-guard-work-000",
            "event-1980s-guard-work-001",
        ),
        (
            "DisagreementShape",
            "name-heading-korean-peoples-social-security-forces",
            "name-2010-internal-security-forces",
        ),
        (
            "DisagreementShape",
            "name-heading-korean-peoples-social-security-forces",
            "name-2020-social-security-forces",
        ),
        (
            "NameOverlapShape",
            "name-1962-peoples-guards-forces",
            "name-before-2010-peoples-security-forces",
        ),
        (
            "NameOverlapShape",
            "name-2000-2020-ministry-of-peoples-security-summary",
            "name-2010-peoples-security-department",
        ),
        ("TermPossibleOverlapShape", "term-pak-mun-gyu-1", "term-pang-hak-se"),
        ("TermPossibleOverlapShape", "term-park-su-il", "term-ri-thae-sop-2"),
    ]


def test_bundled_data_lists_every_value_not_in_its_quote_with_its_reason(
    bundled_report: ValidationReport,
) -> None:
    found = sorted(
        {(r.focus[len(MSR) :], (r.value or "").replace(MSR, "msr:")) for r in bundled_report.infos}
    )
    assert found == [
        ("name-1962-ministry-of-social-security", "사회안전성"),
        ("name-1998-ministry-of-social-security", "사회안전성"),
        ("name-2016-ministry-of-peoples-security", "인민보안성"),
        ("sub-1986-administration-council", "msr:administration-council"),
        ("sub-corrections-bureau", "msr:ministry-of-social-security"),
        ("sub-financial-intelligence-agency", "msr:ministry-of-social-security"),
        ("sub-protection-bureau", "msr:ministry-of-social-security"),
        ("sub-railway-security-bureau", "msr:ministry-of-social-security"),
    ]
    assert all(r.shape == MSH + "ValueNotInQuoteShape" for r in bundled_report.infos)
    assert all(
        " is not in the quote, by an editorial reading: " in r.message for r in bundled_report.infos
    )


def test_the_current_minister_warnings_quote_the_passages_that_make_the_claims(
    bundled_report: ValidationReport,
) -> None:
    found = sorted(
        (r.focus[len(MSR) :], r.message, [q.text for q in r.quotes])
        for r in bundled_report.warnings
        if r.shape == MSH + "CurrentHolderShape"
    )
    assert found == [
        (
            "claim-current-minister-infobox",
            "names Ri Thae-sop as the current holder of Minister of Social Security, but the "
            "sources name 1 other current holder(s), among them Ri Yong-gil",
            ["- Minister1 Name: Ri Thae-sop\n- Chief1 Position: Minister"],
        ),
        (
            "claim-current-minister-prose",
            "names Ri Yong-gil as the current holder of Minister of Social Security, but the "
            "sources name 1 other current holder(s), among them Ri Thae-sop",
            ["The current minister is Ri Yong-gil."],
        ),
    ]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_removing_a_label_a_reader_relies_on_is_caught(engine: str) -> None:
    """A term's English label, the ministry's Korean labels (a source gives its
    Korean name) and the Cabinet's English skos:prefLabel (the Cabinet has no
    name periods to derive one from), removed together
    from the bundled data: each is a violation, in both engines."""
    from msskg.graph.dataset import load_graph, union_graph

    graph = union_graph(load_graph())
    rdfs, skos = rdflib.RDFS, rdflib.SKOS
    term, ministry, cabinet = (
        rdflib.URIRef(MSR + name)
        for name in ("term-ri-thae-sop-2", "ministry-of-social-security", "cabinet")
    )
    english = [label for label in graph.objects(term, rdfs.label) if label.language == "en"]
    removed = [
        (term, rdfs.label, english[0]),
        (ministry, rdfs.label, rdflib.Literal("사회안전성", lang="ko")),
        (cabinet, skos.prefLabel, rdflib.Literal("Cabinet", lang="en")),
    ]
    for triple in removed:
        assert triple in graph
        graph.remove(triple)
    report = validate_graph(graph, engine=engine)
    assert sorted({(r.shape[len(MSH) :], r.focus, r.path) for r in report.violations}) == [
        ("EnglishLabel", str(term), str(rdfs.label)),
        ("KoreanLabelShape", str(ministry), str(rdfs.label)),
        ("PreferredLabelShape", str(cabinet), None),
    ]
