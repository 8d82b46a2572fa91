"""The timeline, the organisation chart and describe, on a small fixture graph
and on the bundled data: SVG that parses, the labels and Korean text, hatching
for coarse dates, the present marker, an exact text rendering."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from msskg.cli import main
from msskg.errors import UnknownFormatError, UnknownLabelError
from msskg.graph.store import open_store
from msskg.views.chart import chart
from msskg.views.describe import build_description, describe
from msskg.views.lanes import DASH, build_timeline
from msskg.views.timeline import timeline
from msskg.views.timeline_text import render_text

SVG = "{http://www.w3.org/2000/svg}"
TODAY = dt.date(2025, 6, 1)

FIXTURE = """\
@prefix msr: <https://w3id.org/msskg/id/> .
@prefix mss: <https://w3id.org/msskg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

msr:ministry-of-social-security rdfs:label "Ministry"@en , "성"@ko .
msr:council rdfs:label "Council"@en .
msr:bureau rdfs:label "Bureau"@en .
msr:post rdfs:label "Minister"@en ; org:postIn msr:ministry-of-social-security .
msr:kim rdfs:label "Kim"@en .
msr:name-a a mss:NamePeriod ; mss:ofAgency msr:ministry-of-social-security ;
    mss:name "Old Name"@en , "옛이름"@ko ;
    mss:during [ mss:endKind mss:EndStated ;
        time:hasBeginning [
            mss:earliest "2000-01-01"^^xsd:date ; mss:latest "2000-01-01"^^xsd:date ;
                            mss:asWritten "1 January 2000" ] ;
        time:hasEnd [ mss:earliest "2010-01-01"^^xsd:date ; mss:latest "2010-12-31"^^xsd:date ;
                      mss:asWritten "2010" ] ] .
msr:name-b a mss:NamePeriod ; mss:ofAgency msr:ministry-of-social-security ;
    mss:name "New Name"@en ;
    mss:during [ mss:endKind mss:Ongoing ; mss:certainThrough msr:as-of ;
        time:hasBeginning [
            mss:earliest "2010-01-01"^^xsd:date ; mss:latest "2010-12-31"^^xsd:date ;
                            mss:asWritten "2010" ] ] .
msr:sub-a a mss:Subordination ; mss:subordinate msr:ministry-of-social-security ;
    mss:superior msr:council ;
    mss:during [ mss:endKind mss:Ongoing ; mss:certainThrough msr:as-of ;
        time:hasBeginning [
            mss:earliest "2005-03-01"^^xsd:date ; mss:latest "2005-03-31"^^xsd:date ;
                            mss:asWritten "March 2005" ] ] .
msr:as-of mss:earliest "2025-06-01"^^xsd:date ; mss:latest "2025-06-01"^^xsd:date .
msr:sub-b a mss:Subordination ; mss:subordinate msr:bureau ;
    mss:superior msr:ministry-of-social-security ;
    mss:during [ mss:endKind mss:Ongoing ; mss:undated true ] .
msr:term-a a mss:Term ; mss:post msr:post ; org:member msr:kim ;
    org:memberDuring [ mss:endKind mss:EndNotStated ;
        time:hasBeginning [
            mss:earliest "2020-01-01"^^xsd:date ; mss:latest "2020-12-31"^^xsd:date ;
                            mss:asWritten "2020" ] ] .
"""


@pytest.fixture
def fixture(tmp_path: Path) -> Path:
    path = tmp_path / "small.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def test_text_timeline_of_a_small_graph_is_exact(fixture: Path) -> None:
    # "--" stands for the en dash the sources write between dates.
    expected = """\
Ministry: timeline, 2000 -- present (2025-06-01)
█ certain  ░ possible (month/year/decade precision)  ▶ ongoing  ? end not stated  ! conflict

                     2000                        2020
Names
  Old Name (옛이름)  ███████████████░                      1 January 2000 -- 2010
  New Name                         ░████████████████████▶  2010 -- present
Superior bodies
  Council                   ████████████████████████████▶  March 2005 -- present
Minister
  Kim                                            ░█?       from 2020 (end not stated)

Undated (left out of the dated view):
  Subordinate bodies: Bureau — undated, said to be current
"""
    built = build_timeline(open_store(data=[fixture]), today=TODAY)
    assert render_text(built, width=36) == expected.replace("--", DASH)
    assert timeline(fmt="text", data=[fixture], today=TODAY).startswith("Ministry: timeline")


def test_svg_timeline_parses_and_shows_labels_hatching_and_present(fixture: Path) -> None:
    svg = timeline(data=[fixture], today=TODAY)
    root = ET.fromstring(svg.encode())
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "Old Name (옛이름)" in texts
    assert "present (2025-06-01)" in texts
    assert "Noto Sans CJK KR" in root.attrib["font-family"]
    hatched = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "possible"]
    # the end of "Old Name" (2010) and the start of "New Name" (2010), March 2005, 2020
    assert len(hatched) == 4
    assert all(r.get("fill", "").startswith("url(#hatch-") for r in hatched)
    assert [e for e in root.iter(f"{SVG}path") if e.get("class") == "ongoing"]
    assert [e for e in root.iter(f"{SVG}line") if e.get("class") == "present"]


def test_svg_escapes_markup_in_labels(tmp_path: Path) -> None:
    path = tmp_path / "evil.ttl"
    path.write_text(FIXTURE.replace('"New Name"@en', '"<b>&New</b>"@en'), encoding="utf-8")
    root = ET.fromstring(timeline(data=[path], today=TODAY).encode())
    assert "<b>&New</b>" in [t.text for t in root.iter(f"{SVG}text")]


def test_bundled_timeline_marks_conflicts_and_claims() -> None:
    svg = timeline(today=TODAY)
    root = ET.fromstring(svg.encode())
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("⚠ overlaps") for t in texts)
    assert any("current holder Ri Yong-gil; conflicts with Ri Thae-sop" in t for t in texts)
    assert [r for r in root.iter(f"{SVG}rect") if r.get("class") == "conflict"]
    assert "Political Security Bureau (정치보안국)" in texts


def test_same_name_from_two_passages_is_not_a_conflict() -> None:
    """Regression: the 2000-2020 summary and the April 2000 - April 2010 period
    both say "Ministry of People's Security"; only the People's Security
    Department disagrees with the summary."""
    built = build_timeline(open_store(), today=TODAY)
    names = next(lane for lane in built.lanes if lane.key == "names")
    flagged = {
        bar.period.fact.rsplit("/", 1)[-1]: [n for n in bar.conflicts if n.startswith("overlaps")]
        for bar in names.bars
    }
    summary = "name-2000-2020-ministry-of-peoples-security-summary"
    assert flagged[summary] == [
        f"overlaps People's Security Department (인민보안부) (April 2010 {DASH} 2016)"
    ]
    assert flagged["name-2010-peoples-security-department"] == [
        f"overlaps Ministry of People's Security (2000 {DASH} 2020)"
    ]
    assert flagged["name-2000-ministry-of-peoples-security"] == []


def test_a_name_with_only_an_end_is_not_called_undated() -> None:
    """Regression: "People's Security Forces" ends in 2010 (no start given)."""
    text = timeline("msr:social-security-forces", fmt="text", today=TODAY)
    line = next(x for x in text.splitlines() if "People's Security Forces" in x)
    assert "until 2010 (start not stated)" in line


def test_timeline_writes_output_atomically(fixture: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    text = timeline(data=[fixture], today=TODAY, output=out)
    assert out.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_timeline_refuses_unknown_format() -> None:
    with pytest.raises(UnknownFormatError, match='unknown timeline format "png"'):
        timeline(fmt="png")


def test_chart_at_a_date_certain_possible_and_undated(fixture: Path) -> None:
    expected = (
        "flowchart TB\n"
        "  %% Old Name in 2006\n"
        '  n0["Old Name<br/>옛이름"]\n'
        '  n1["Council"]\n'
        '  subgraph undated["Undated statements"]\n'
        '    n2["Bureau"]\n'
        "  end\n"
        "  n1 --> n0\n"
        "  n0 -.->|undated| n2\n"
        "  classDef focus fill:#fde9c4,stroke:#c07a1a,stroke-width:2px\n"
        "  class n0 focus\n"
    )
    assert chart(at="2006", data=[fixture], today=dt.date(2006, 6, 1)) == expected
    # on a past date too, an undated child is drawn, marked undated, not dropped
    assert chart(at="2006", data=[fixture], today=dt.date(2026, 1, 1)) == expected
    # March 2005 is possibly, not certainly, within 2005
    assert "n1 -.->|possibly| n0" in chart(at="2005", data=[fixture])
    dot = chart(at="2006", data=[fixture], fmt="dot")
    assert 'label="Old Name in 2006"; labelloc=t; rankdir=TB;' in dot
    assert 'n0 [label="Old Name\\n옛이름", fillcolor="#fde9c4", penwidth=2];' in dot
    assert "n1 -> n0;" in dot
    assert 'n0 -> n2 [style=dashed, label="undated"];' in dot


@pytest.mark.parametrize(
    ("at", "words"),
    [("2021", "in 2021"), ("2021-08", "in August 2021"), ("2021-08-15", "on 15 August 2021")],
)
def test_chart_titles_say_the_date_in_plain_words(fixture: Path, at: str, words: str) -> None:
    assert f"  %% New Name {words}\n" in chart(at=at, data=[fixture])


def test_chart_svg_is_drawn_in_python_and_scales(
    monkeypatch: pytest.MonkeyPatch, fixture: Path
) -> None:
    def no_program(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SVG chart must not run a program")

    monkeypatch.setattr("subprocess.run", no_program)
    monkeypatch.setattr("shutil.which", lambda name: None)
    svg = chart(at="2006", data=[fixture], fmt="svg")
    head = svg.splitlines()[1]
    assert re.fullmatch(
        r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 (\d+) \d+" width="100%" '
        r'style="max-width:\1px" font-family=".*" font-size="13" role="img">',
        head,
    )
    assert svg.count("font-family=") == 1  # one family, for every text
    assert "<title>Old Name in 2006</title>" in svg
    assert svg.count("<rect ") == 4  # the white ground and three bodies
    assert 'stroke-dasharray="5 4"/>' in svg  # the undated body's box
    assert ">undated</text>" in svg and 'class="undated"' in svg
    assert '<text x="' in svg and ">옛이름</text>" in svg
    ET.fromstring(svg.split("?>", 1)[1])  # well-formed


def test_chart_svg_puts_superiors_above_and_children_below(fixture: Path) -> None:
    svg = chart(at="2006", data=[fixture], fmt="svg")
    top = {
        name: float(y)
        for y, name in re.findall(
            r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">([^<]+)<', svg
        )
    }
    assert top["Council"] < top["Old Name"] < top["Bureau"]


def test_describe_gives_each_fact_with_quote_and_source() -> None:
    text = describe("Ri Thae-sop")
    assert text.startswith("Ri Thae-sop\n===========\nIRI: https://w3id.org/msskg/id/ri-thae-sop\n")
    assert "Terms of office" in text
    assert (
        f"    “- Ri Thae-sop: 28 December 2022 {DASH} present” (000_b62adf0e0be71f86.txt)" in text
    )
    assert "! more than one current holder: The infobox names Ri Thae-sop as minister" in text
    markdown = describe("msr:ministry-of-social-security", fmt="md")
    assert markdown.startswith("# Ministry of Social Security (사회안전성)\n")
    assert "## Names over time" in markdown


def test_describe_puts_duties_apart_from_names() -> None:
    """Regression: every fact linked by mss:ofAgency used to land under "Names over time"."""
    built = build_description(open_store(), "msr:corrections-bureau")
    assert "Names over time" not in built.sections
    duties = built.sections["Duties, strength and lists of child agencies"]
    assert [fact.label for fact in duties] == ["Operating the brutal prison system in North Korea"]
    ministry = build_description(open_store(), "msr:ministry-of-social-security")
    names = {fact.iri.rsplit("/", 1)[-1] for fact in ministry.sections["Names over time"]}
    assert all(name.startswith("name-") for name in names) and len(names) == 10


def test_describe_jsonld_holds_the_facts_and_their_quotes() -> None:
    import json

    import rdflib

    text = describe("msr:ri-thae-sop", fmt="jsonld")
    document = json.loads(text)
    assert "post" in document["@context"] and "@graph" in document
    # compacted with the published context, and read back offline to the same facts
    graph = rdflib.Graph().parse(data=text, format="json-ld")
    term = rdflib.URIRef("https://w3id.org/msskg/id/term-ri-thae-sop-2")
    member = rdflib.URIRef("http://www.w3.org/ns/org#member")
    assert (term, member, rdflib.URIRef("https://w3id.org/msskg/id/ri-thae-sop")) in graph
    quotes = {str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/oa#exact"))}
    assert f"- Ri Thae-sop: 28 December 2022 {DASH} present" in quotes


def test_describe_unknown_thing_names_the_fix() -> None:
    with pytest.raises(UnknownLabelError, match='nothing is labelled "Nobody'):
        describe("Nobody at all")


def test_cli_timeline_chart_describe(fixture: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "t.svg"
    result = runner.invoke(main, ["timeline", "--data", str(fixture), "-o", str(out)])
    assert (result.exit_code, result.stdout) == (0, "")
    ET.fromstring(out.read_bytes())
    result = runner.invoke(main, ["chart", "--at", "2006", "--data", str(fixture), "-f", "dot"])
    assert result.exit_code == 0 and result.stdout.startswith("digraph orgchart {")
    chart_file = tmp_path / "chart.dot"
    args = ["chart", "--at", "2006", "--data", str(fixture), "-f", "dot", "-o", str(chart_file)]
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout) == (0, "")
    assert chart_file.read_text(encoding="utf-8").startswith("digraph orgchart {")
    result = runner.invoke(main, [*args[:-1], str(tmp_path / "no" / "such" / "c.dot")])
    assert result.exit_code == 4 and result.stderr.startswith("Error: cannot write ")
    result = runner.invoke(main, ["chart", "--at", "2000..2006", "--data", str(fixture)])
    assert (result.exit_code, result.stderr) == (
        2,
        'Error: a chart is drawn on one date, not a range: "2000..2006"\n',
    )
    result = runner.invoke(main, ["chart", "--at", "2021-02-30"])
    assert result.exit_code == 2
    assert "February 2021 has 28 days" in result.stderr
    result = runner.invoke(main, ["describe", "Nobody at all"])
    assert result.exit_code == 2 and result.stderr.startswith('Error: parameter "thing"')


def test_describe_in_date_order_without_raw_statements_or_empty_values() -> None:
    text = describe("msr:ministry-of-social-security")
    assert "https://w3id.org/msskg/id/stmt-" not in text
    assert "* Ministry of Social Security rdfs:seeAlso Amrokkang Sports Club\n" in text
    terms = text.split("\nTerms of office\n", 1)[1].split("\n\n", 1)[0]
    holders = [line[2:].split(",")[0] for line in terms.splitlines() if line.startswith("* ")]
    assert holders == [
        *("Paek Hak-rim", "Choe Ryong-su", "Ju Sang-song", "Ri Myong-su", "Choe Pu-il"),
        *("Kim Jong-ho", "Ri Yong-gil", "Kim Jong-ho", "Jang Jong-nam", "Ri Thae-sop"),
        *("Park Su-il", "Ri Thae-sop", "Ri Thae-chol"),
    ]
    major = describe("Major")
    assert "insignia" not in major
    assert "  mss:rankOrder: 8\n" in major


@pytest.mark.parametrize("thing", ["msr:ministry-of-social-security", "msr:social-security-forces"])
def test_timeline_svg_cuts_no_label_and_keeps_the_present_clear(thing: str) -> None:
    svg = ET.fromstring(timeline(thing, fmt="svg", today=dt.date(2026, 11, 22)))
    texts = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.text]
    assert [t.text for t in texts if "…" in str(t.text)] == []
    present = next(t for t in texts if str(t.text).startswith("present ("))
    years = [t for t in texts if str(t.text).isdigit() and len(str(t.text)) == 4]
    assert years and all(
        abs(float(t.get("x", 0)) - float(present.get("x", 0))) >= 36 for t in years
    )
    assert float(present.get("y", 0)) < min(float(t.get("y", 0)) for t in years) - 10
