"""A serve worker keeps the answers of saved queries it gave: asked again, the
same question gets the same bytes; a changed query file, another graph or
another format is another question."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from msskg.graph.store import KnowledgeGraph, open_store
from msskg.serve.endpoint import run_job
from msskg.serve.protocol import ServeConfig

CSV = "text/csv"


def ask(graph: KnowledgeGraph, name: str, accept: str = CSV, **params: str) -> str:
    status, _, body = run_job(
        graph, ("saved", {"name": name, "params": params, "accept": accept}), ServeConfig()
    )
    assert status == 200
    return body.decode()


def test_the_same_question_gets_the_same_answer(home: Path) -> None:
    graph = open_store()
    first = ask(graph, "labels-of", thing="msr:ministry")
    assert first == ask(graph, "labels-of", thing="msr:ministry")
    assert "사회안전성" in first
    assert ask(graph, "labels-of", thing="msr:source-a") != first


def test_a_changed_query_file_is_read_again(home: Path) -> None:
    graph = open_store()
    path = home / "queries" / "labels-of.rq"
    before = ask(graph, "labels-of", thing="msr:ministry")
    text = path.read_text(encoding="utf-8").replace("ORDER BY ?label", "ORDER BY DESC(?label)")
    path.write_text(text, encoding="utf-8")
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    after = ask(graph, "labels-of", thing="msr:ministry")
    header, *rows = before.splitlines()
    assert after.splitlines() == [header, *reversed(rows)]


def test_another_graph_or_format_is_another_question(home: Path) -> None:
    graph = open_store()
    renamed = ox.Store()
    renamed.extend(graph.store)
    ministry = ox.NamedNode("https://w3id.org/msskg/id/ministry")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    renamed.add(ox.Quad(ministry, label, ox.Literal("Another label", language="en")))
    other = KnowledgeGraph(renamed, graph.prefixes)
    assert "Another label" not in ask(graph, "labels-of", thing="msr:ministry")
    assert "Another label" in ask(other, "labels-of", thing="msr:ministry")
    assert ask(graph, "labels-of", "text/tab-separated-values", thing="msr:ministry").startswith(
        "?thing\t?label"
    )
