"""The source reader's model (msskg.views.reader) and page on a small graph of
its own: passages found verbatim, nested passages cut into pieces, every text
escaped, and only plain file names of the catalogue read from seeds/."""

from __future__ import annotations

from pathlib import Path

import pytest

from msskg.errors import MissingDataError, UnknownLabelError
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.serve.explorer import reader_page
from msskg.views.reader import passage_id, read_source

TEXT = "Intro. <b>The Bureau</b> was founded in 1945. Tail & end.\n"
DATA = """\
@prefix mss: <https://w3id.org/msskg/ontology#> .
@prefix msr: <https://w3id.org/msskg/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
msr:source-000 a mss:SourceText ; mss:fileName "000.txt" .
msr:source-bad a mss:SourceText ; mss:fileName "../secret.txt" .
msr:fact-a rdfs:label "Founding <1945>"@en ;
    prov:wasDerivedFrom [ oa:hasSource msr:source-000 ;
        oa:hasSelector [ a oa:TextQuoteSelector ;
            oa:exact "<b>The Bureau</b> was founded in 1945." ] ] .
msr:fact-b rdfs:label "The Bureau"@en ;
    prov:wasDerivedFrom [ oa:hasSource msr:source-000 ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "The Bureau" ] ] .
msr:fact-c rdfs:label "Not in the text"@en ;
    prov:wasDerivedFrom [ oa:hasSource msr:source-000 ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "never written" ] ] .
"""


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeGraph:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "000.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "data.ttl").write_text(DATA, encoding="utf-8")
    monkeypatch.setenv("MSSKG_HOME", str(tmp_path))
    return open_store(data=[tmp_path / "data.ttl"])


def test_nested_passages_are_cut_into_pieces(graph: KnowledgeGraph) -> None:
    reading = read_source(graph, "https://w3id.org/msskg/id/source-000")
    outer, inner = passage_id("<b>The Bureau</b> was founded in 1945."), passage_id("The Bureau")
    assert "".join(p.text for p in reading.pieces) == TEXT
    assert [(p.text, p.covered, p.begins, p.ends) for p in reading.pieces] == [
        ("Intro. ", (), (), ()),
        ("<b>", (outer,), (outer,), ()),
        ("The Bureau", (outer, inner), (inner,), (inner,)),
        ("</b> was founded in 1945.", (outer,), (), (outer,)),
        (" Tail & end.\n", (), (), ()),
    ]
    assert reading.passages[outer].facts == (
        ("https://w3id.org/msskg/id/fact-a", "Founding <1945>"),
    )
    assert reading.missing == ("never written",)


def test_reader_page_escapes_every_text(graph: KnowledgeGraph) -> None:
    html = reader_page(read_source(graph, "https://w3id.org/msskg/id/source-000"))
    assert "<b>" not in html and "&lt;b&gt;</mark>" in html
    assert '<mark class="quote more"' in html and "Tail &amp; end." in html
    assert ">Founding &lt;1945&gt;</a>" in html
    assert "1 quote(s) said to come from this text are not in it" in html


def test_only_plain_file_names_of_the_catalogue(graph: KnowledgeGraph) -> None:
    with pytest.raises(MissingDataError, match=r'"\.\./secret\.txt" is not a plain file name'):
        read_source(graph, "https://w3id.org/msskg/id/source-bad")
    with pytest.raises(UnknownLabelError, match=r"no source text .*fact-a in the catalogue"):
        read_source(graph, "https://w3id.org/msskg/id/fact-a")
