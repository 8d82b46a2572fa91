"""Export: each format re-parses to the loaded graph, JSON-LD parses offline,
TriG splits facts by source, and output files are written whole or not at all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from msskg.errors import OutputError, UnknownFormatError
from msskg.graph.dataset import load_graph, union_graph
from msskg.graph.files import jsonld_context, resolve_files
from msskg.graph.store import parse_into
from msskg.publish.export import EXPORT_FORMATS, by_source, export

ROOT = Path(__file__).resolve().parents[1]
MSR = rdflib.Namespace("https://w3id.org/msskg/id/")
RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt", "trig": "trig"}


def reparse(text: str | None, fmt: str) -> rdflib.Graph:
    assert text is not None
    dataset = rdflib.Dataset()
    dataset.parse(data=text, format=RDFLIB_FORMAT[fmt])
    return union_graph(dataset)


def as_stored() -> rdflib.Graph:
    """The bundled graph as pyoxigraph holds it: the same terms as rdflib
    reads, but xsd:decimal and the like in canonical form ("120.0" is "120")."""
    store = ox.Store()
    parse_into(store, resolve_files())
    return rdflib.Graph().parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_each_export_reparses_to_the_loaded_graph(home: Path, fmt: str) -> None:
    assert len(union_graph(load_graph())) == len(as_stored()) == 42
    assert isomorphic(reparse(export(fmt), fmt), as_stored())


def test_turtle_uses_the_prefixes(home: Path) -> None:
    assert "msr:ministry a mss:Ministry" in export("turtle")


def test_jsonld_embeds_the_context_and_uses_readable_keys(home: Path) -> None:
    document = json.loads(export("jsonld"))
    assert document["@context"] == jsonld_context()
    keys = {key for node in document["@graph"] for key in node}
    assert {"id", "type", "label", "ofAgency", "wasDerivedFrom"} <= keys


def test_jsonld_parses_without_the_network(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to fetch a remote context")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    assert len(reparse(export("jsonld"), "jsonld")) == 42


def test_the_published_context_names_only_declared_terms() -> None:
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text())["@context"]
    ontology = (ROOT / "ontology" / "msskg.ttl").read_text()
    ours = [v for v in context.values() if isinstance(v, str) and v.startswith("mss:")]
    missing = [term for term in ours if not re.search(rf"^{term} a ", ontology, re.M)]
    assert ours and missing == []


def test_trig_puts_each_fact_in_the_graph_of_each_source(home: Path) -> None:
    dataset = by_source(union_graph(load_graph()))
    graphs = {g.identifier: g for g in dataset.graphs() if len(g)}
    a, b = graphs[MSR["source-a"]], graphs[MSR["source-b"]]
    name_period = MSR["name-1"]
    # The fact, its interval, instants and both quotes travel together.
    assert len(list(a.triples((name_period, None, None)))) == 7
    assert len(list(b.triples((name_period, None, None)))) == 7
    assert (MSR.strength, None, None) in a and (MSR.strength, None, None) not in b
    default = dataset.default_graph
    assert (MSR.ministry, rdflib.RDFS.label, None) in default
    assert (name_period, None, None) not in default


def test_unknown_export_format(home: Path) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        export("xml")
    assert str(caught.value) == 'unknown export format "xml"; use turtle, jsonld, nt, trig'


def test_unwritable_output_leaves_nothing(home: Path, tmp_path: Path) -> None:
    # A path under a regular file cannot be written, even by root.
    (tmp_path / "plain").write_text("")
    with pytest.raises(OutputError) as caught:
        export("turtle", output=tmp_path / "plain" / "out.ttl")
    assert str(caught.value) == f"cannot write {tmp_path / 'plain' / 'out.ttl'}: Not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "plain"]


def test_output_onto_a_folder_leaves_no_temporary_file(home: Path, tmp_path: Path) -> None:
    (tmp_path / "out.ttl").mkdir()
    with pytest.raises(OutputError) as caught:
        export("turtle", output=tmp_path / "out.ttl")
    assert str(caught.value) == f"cannot write {tmp_path / 'out.ttl'}: Is a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out.ttl"]


def test_output_replaces_a_file_whole(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    target.write_text("old")
    assert export("nt", output=target) is None
    assert target.read_text() == export("nt")
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_is_byte_identical_from_stores_built_apart(
    home: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each store gets its own random blank node ids; the export must not show them.
    monkeypatch.setenv("MSSKG_CACHE_DIR", str(tmp_path / "first"))
    first = export(fmt)
    monkeypatch.setenv("MSSKG_CACHE_DIR", str(tmp_path / "second"))
    assert export(fmt) == first
    bundled = sorted(ROOT.joinpath("data").glob("*.ttl"))
    assert export(fmt, data=bundled) == export(fmt, data=list(reversed(bundled)))


def test_jsonld_nests_each_facts_dates_and_quote(home: Path) -> None:
    document = json.loads(export("jsonld") or "")
    nodes = {node["id"]: node for node in document["@graph"]}
    assert all(not node["id"].startswith("_:") for node in document["@graph"])
    name = nodes["msr:name-1"]
    assert isinstance(name["during"], dict) and "hasBeginning" in name["during"]
    quotes = name["wasDerivedFrom"]
    assert len(quotes) == 2 and all("exact" in q["hasSelector"] for q in quotes)


def test_a_changed_quote_changes_only_its_own_lines(home: Path, tmp_path: Path) -> None:
    files = sorted((home / "data").glob("*.ttl"))
    before = export("nt", data=files) or ""
    changed = [tmp_path / f.name for f in files]
    for source, target in zip(files, changed, strict=True):
        target.write_text(source.read_text())
    first = changed[0].read_text()
    quote = first.split('oa:exact "', 1)[1].split('"', 1)[0]
    changed[0].write_text(first.replace(f'oa:exact "{quote}"', f'oa:exact "{quote} (edited)"', 1))
    after = export("nt", data=changed) or ""
    gone = set(before.splitlines()) - set(after.splitlines())
    added = set(after.splitlines()) - set(before.splitlines())
    # the selector (2 triples), the quote pointing at it (3) and the fact's link to the quote (1)
    assert len(gone) == len(added) == 6
