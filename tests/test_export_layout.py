"""Export's layout (graph/labels.py) and the formats written from it: each
blank node goes under its root, facts go by their sources, TriG keeps those
graphs, JSON-LD nests what each root holds and writes any literal as JSON,
the output does not depend on the files' order, and a store handed to
write_export gives the same bytes as the files it was loaded from."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from msskg.graph.labels import graph_lines, lay_out
from msskg.graph.store import load_store, open_store
from msskg.publish.export import EXPORT_FORMATS, export, write_export

E = "https://e/"
SRC = "https://e/src-"
FACTS = f"""@prefix e: <{E}> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
e:one e:value "1" ;
    e:during [ e:start [ e:day "2001-01-01" ] ] ;
    prov:wasDerivedFrom [ oa:hasSource <{SRC}a> ; e:exact "one" ] .
e:two e:value "2" ;
    prov:wasDerivedFrom [ oa:hasSource <{SRC}a> ; e:exact "two" ] ,
                        [ oa:hasSource <{SRC}b> ; e:exact "deux" ] .
e:plain e:label "no source" .
"""


def test_blank_nodes_go_under_their_root_and_facts_by_source(tmp_path: Path) -> None:
    (tmp_path / "facts.ttl").write_text(FACTS)
    layout = lay_out(graph_lines(open_store(data=[tmp_path / "facts.ttl"]).store))
    groups = list(layout.groups())
    assert [g for g, _ in groups] == [
        (),
        (f"<{SRC}a>".encode(),),
        (f"<{SRC}a>".encode(), f"<{SRC}b>".encode()),
    ]
    for _, roots in groups[1:]:
        ((fact, lines),) = roots
        blanks = {line.split(b" ")[0] for line in lines if not line.startswith(fact)}
        assert blanks and all(re.fullmatch(rb"_:b0[0-9a-f]{30}", label) for label in blanks)
        assert lines == sorted(lines) and lines[0].startswith(fact)
    assert [root for root, _ in groups[0][1]] == [f"<{E}plain>".encode()]


def test_the_files_order_does_not_change_a_byte(tmp_path: Path, private_cache: Path) -> None:
    (tmp_path / "a.ttl").write_text(FACTS)
    (tmp_path / "b.nt").write_text(
        f'_:x <{E}p> _:y .\n_:y <{E}v> "cycle-free" .\n<{E}plain> <{E}q> _:z .\n'
    )
    for fmt in EXPORT_FORMATS:
        one = export(fmt, data=[tmp_path / "a.ttl", tmp_path / "b.nt"])
        assert export(fmt, data=[tmp_path / "b.nt", tmp_path / "a.ttl"]) == one


def test_trig_keeps_a_graph_per_source(tmp_path: Path, private_cache: Path) -> None:
    (tmp_path / "facts.ttl").write_text(FACTS)
    text = export("trig", data=[tmp_path / "facts.ttl"]) or ""
    dataset = ox.Store()
    dataset.load(text.encode(), ox.RdfFormat.TRIG)
    a, b = ox.NamedNode(f"{SRC}a"), ox.NamedNode(f"{SRC}b")
    two = ox.NamedNode(E + "two")
    # the fact of two sources, with both quotes, in both graphs
    assert len(list(dataset.quads_for_pattern(two, None, None, a))) == 3
    assert len(list(dataset.quads_for_pattern(two, None, None, b))) == 3
    assert not list(dataset.quads_for_pattern(ox.NamedNode(E + "one"), None, None, b))
    plain = list(dataset.quads_for_pattern(ox.NamedNode(E + "plain"), None, None, None))
    assert [q.graph_name for q in plain] == [ox.DefaultGraph()]
    assert text.count("@prefix e:") == 1


def test_jsonld_writes_any_literal_as_json(tmp_path: Path, private_cache: Path) -> None:
    odd = "".join(chr(c) for c in range(0x20)) + '\x7f "quoted" \\ back\u2028line é 😀'
    graph = [
        ox.Triple(ox.NamedNode(E + "s"), ox.NamedNode(E + "plain"), ox.Literal(odd)),
        ox.Triple(
            ox.NamedNode(E + "s"), ox.NamedNode(E + "lang"), ox.Literal(odd, language="en-GB")
        ),
        ox.Triple(
            ox.NamedNode(E + "s"),
            ox.NamedNode(E + "typed"),
            ox.Literal("2001", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
        ),
        ox.Triple(ox.NamedNode(E + "s"), ox.NamedNode(E + "node"), ox.BlankNode("x")),
        ox.Triple(ox.BlankNode("x"), ox.NamedNode(E + "plain"), ox.Literal(odd)),
    ]
    path = tmp_path / "odd.nt"
    path.write_bytes(ox.serialize(graph, format=ox.RdfFormat.N_TRIPLES) or b"")
    text = export("jsonld", data=[path]) or ""
    document = json.loads(text)
    (node,) = [n for n in document["@graph"] if n["id"] == E + "s"]
    assert node[E + "plain"] == odd and node[E + "node"][E + "plain"] == odd
    assert node[E + "lang"] == {"@value": odd, "@language": "en-gb"}
    back = ox.Store()
    back.load(text.encode(), ox.RdfFormat.JSON_LD)
    assert len(back) == len(graph)


def test_a_shared_blank_node_and_an_orphan_are_resources_of_their_own(
    tmp_path: Path, private_cache: Path
) -> None:
    path = tmp_path / "shared.nt"
    path.write_text(
        f'<{E}a> <{E}p> _:s .\n<{E}b> <{E}p> _:s .\n_:s <{E}v> "shared" .\n'
        f'_:o <{E}v> "orphan" .\n<{E}a> <{E}q> _:n .\n_:n <{E}v> "nested" .\n'
    )
    document = json.loads(export("jsonld", data=[path]) or "")
    nodes = document["@graph"]
    blanks = [n for n in nodes if n["id"].startswith("_:")]
    assert sorted(n[E + "v"] for n in blanks) == ["orphan", "shared"]
    shared = next(n["id"] for n in blanks if n[E + "v"] == "shared")
    assert re.fullmatch(r"_:b1[0-9a-f]{30}", shared)  # "1": several point at it
    a = next(n for n in nodes if n["id"] == E + "a")
    assert a[E + "p"] == {"id": shared} and a[E + "q"] == {E + "v": "nested"}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_a_store_exports_as_the_files_it_was_loaded_from(
    home: Path, tmp_path: Path, fmt: str
) -> None:
    files = sorted((home / "data").glob("*.ttl"))
    load_store(tmp_path / "store", files)
    graph = open_store(store=tmp_path / "store")
    buffer = io.BytesIO()
    write_export(fmt, buffer, graph=graph)
    assert buffer.getvalue().decode() == export(fmt, data=files)


def test_a_deep_chain_of_blank_nodes_is_nested_only_so_deep(
    tmp_path: Path, private_cache: Path
) -> None:
    path = tmp_path / "deep.nt"
    chain = [f"_:n{i} <{E}next> _:n{i + 1} ." for i in range(3000)]
    path.write_text("\n".join([*chain, f"<{E}a> <{E}p> _:n0 ."]) + "\n")
    text = export("jsonld", data=[path]) or ""  # was a RecursionError
    depth = max(map(nesting, json.loads(text)["@graph"]))
    assert depth == 101  # a resource and 100 nested: the rest resources of their own
    back = ox.Store()
    back.load(text.encode(), ox.RdfFormat.JSON_LD)
    assert len(back) == 3001


def nesting(node: object) -> int:
    """How deep JSON objects nest in ``node``."""
    found, depth = [node], 0
    while found:
        depth += 1
        found = [v for n in found if isinstance(n, dict) for v in n.values() if isinstance(v, dict)]
    return depth - 1
