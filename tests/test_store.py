"""Loading RDF into pyoxigraph: files and folders, every input format, the
content-keyed cache and its races, persistent stores, and bad data."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from msskg.errors import DataError, DataSyntaxError, MissingDataError, OutputError
from msskg.graph.files import bundled_files, resolve_files
from msskg.graph.store import load_store, open_store

TRIPLE = '<https://e/a> <https://e/p> "x" .\n'


def count(data: list[Path], **options: object) -> int:
    return len(open_store(data=data, **options).store)  # type: ignore[arg-type]


def test_bundled_files_skip_the_shapes(home: Path) -> None:
    assert bundled_files() == [home / "ontology" / "msskg.ttl", home / "data" / "facts.ttl"]


def test_a_folder_means_the_rdf_files_in_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.nt").write_text(TRIPLE)
    (tmp_path / "a.ttl").write_text(TRIPLE)
    (tmp_path / "notes.txt").write_text("not RDF")
    assert resolve_files([tmp_path]) == [tmp_path / "a.ttl", tmp_path / "sub" / "b.nt"]


def test_every_input_format_loads(tmp_path: Path) -> None:
    texts = {
        "a.ttl": "@prefix e: <https://e/> . e:a e:p 1 .",
        "b.nt": '<https://e/b> <https://e/p> "2" .',
        "c.nq": '<https://e/c> <https://e/p> "3" <https://e/g> .',
        "d.trig": "<https://e/g2> { <https://e/d> <https://e/p> 4 }",
        "e.jsonld": '{"@id": "https://e/e", "https://e/p": 5}',
        "f.json": '{"@id": "https://e/f", "https://e/p": 6}',
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    graph = open_store(data=[tmp_path])
    subjects = graph.store.query(
        "SELECT ?s WHERE { ?s <https://e/p> ?o } ORDER BY ?s", use_default_graph_as_union=True
    )
    assert [row[0].value for row in subjects] == [f"https://e/{c}" for c in "abcdef"]


def test_missing_data_file(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError) as caught:
        open_store(data=[tmp_path / "gone.ttl"])
    assert str(caught.value) == f"data file not found: {tmp_path / 'gone.ttl'}"


def test_a_folder_without_rdf(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError) as caught:
        open_store(data=[tmp_path])
    assert str(caught.value) == (
        f"no RDF files (.ttl, .jsonld, .json, .trig, .nt, .nq) in folder {tmp_path}"
    )


def test_unknown_file_type(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("a,b")
    with pytest.raises(DataError) as caught:
        open_store(data=[tmp_path / "a.csv"])
    assert str(caught.value) == (
        f"{tmp_path / 'a.csv'}: unknown RDF file type; "
        "name it .ttl, .jsonld, .json, .trig, .nt, .nq"
    )


@pytest.mark.parametrize("limit", [0, 10**9], ids=["cached", "in-memory"])
def test_malformed_turtle_names_file_line_and_column(tmp_path: Path, limit: int) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix e: <https://e/> .\ne:a e:p "x" .\ne:b e:p } .\n')
    with pytest.raises(DataSyntaxError) as caught:
        open_store(data=[bad], in_memory_limit=limit)
    assert str(caught.value) == f"{bad}:3:9: }} is not a valid RDF object"
    assert (caught.value.line, caught.value.column) == (3, 9)


def test_blank_nodes_of_two_files_stay_apart(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text('_:b1 <https://e/p> "a" .')
    (tmp_path / "b.ttl").write_text('_:b1 <https://e/p> "b" .')
    graph = open_store(data=[tmp_path])
    assert len(list(graph.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"))) == 2


def test_prefixes_come_from_the_data_and_ours_win(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(
        "@prefix ex: <https://e/> . @prefix msr: <https://other/> . ex:a ex:p 1 ."
    )
    prefixes = open_store(data=[tmp_path]).prefixes
    assert prefixes["ex"] == "https://e/"
    assert prefixes["msr"] == "https://w3id.org/msskg/id/"


def test_small_data_is_parsed_in_memory(home: Path, private_cache: Path) -> None:
    assert len(open_store().store) == 42
    assert not private_cache.exists()


def test_larger_data_is_cached_by_content(home: Path, private_cache: Path) -> None:
    assert len(open_store(in_memory_limit=0).store) == 42
    (entry,) = private_cache.iterdir()
    built = (entry / "store").stat().st_mtime_ns
    assert len(open_store(in_memory_limit=0).store) == 42
    assert (entry / "store").stat().st_mtime_ns == built, "the cache entry was rebuilt"
    with (home / "data" / "facts.ttl").open("a") as facts:
        facts.write(TRIPLE)
    assert len(open_store(in_memory_limit=0).store) == 43
    assert len(list(private_cache.iterdir())) == 2


def test_losing_the_race_to_build_uses_the_winners_entry(
    home: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(in_memory_limit=0)
    (entry,) = private_cache.iterdir()
    # Pretend this process checked before the other one renamed its entry in.
    real_is_dir = Path.is_dir
    calls = {"n": 0}

    def first_says_missing(self: Path) -> bool:
        if self == entry and calls["n"] == 0:
            calls["n"] += 1
            return False
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", first_says_missing)
    assert len(open_store(in_memory_limit=0).store) == 42
    assert [p.name for p in private_cache.iterdir()] == [entry.name], "the loser's copy is left"


def test_two_processes_building_at_once(home: Path, private_cache: Path) -> None:
    script = textwrap.dedent(
        """
        from msskg.graph.store import open_store
        print(len(open_store(in_memory_limit=0).store))
        """
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert outputs == ["42\n", "42\n"]
    assert len(list(private_cache.iterdir())) == 1


def test_load_store_then_query_it(home: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    target = tmp_path / "built"
    assert load_store(target, [home / "data"], progress=lambda d, t: seen.append((d, t))) == 39
    total = (home / "data" / "facts.ttl").stat().st_size
    assert seen[-1] == (total, total)
    graph = open_store(store=target)
    assert len(graph.store) == 39
    assert graph.prefixes["time"] == "http://www.w3.org/2006/time#"


def test_load_store_refuses_an_existing_path(home: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        load_store(tmp_path, [home / "data"])
    assert str(caught.value) == (
        f"{tmp_path} already exists: remove it or choose another --store path"
    )


def test_load_store_leaves_nothing_on_bad_data(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.nt").write_text("<https://e/a> <https://e/p> .\n")
    with pytest.raises(DataSyntaxError):
        load_store(tmp_path / "out" / "built", [tmp_path / "in"])
    assert list((tmp_path / "out").iterdir()) == []


def test_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError) as caught:
        open_store(store=tmp_path / "none")
    assert str(caught.value) == (
        f"store not found: {tmp_path / 'none'} (build it with msskg load --store)"
    )


def test_a_store_opens_read_only(home: Path, tmp_path: Path) -> None:
    load_store(tmp_path / "built", [home / "data"])
    graph = open_store(store=tmp_path / "built")
    with pytest.raises(RuntimeError, match="read-write"):
        graph.store.add(
            ox.Quad(ox.NamedNode("https://e/a"), ox.NamedNode("https://e/p"), ox.Literal("x"))
        )


def test_progress_is_silent_for_a_second_then_a_line_every_five(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import time

    from msskg.graph.progress import StderrProgress

    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    stream = io.StringIO()
    progress = StderrProgress("Parsing", stream=stream)
    for at, done in ((100.5, 10), (101.2, 20_000_000), (103.0, 30_000_000), (106.3, 90_000_000)):
        now[0] = at
        progress(done, 100_000_000)
    progress.close()
    assert stream.getvalue() == (
        "Parsing: 20% (20 of 100 MB, 1 s)\nParsing: 90% (90 of 100 MB, 6 s)\n"
    )


def test_ntriples_load_in_rust_keeps_blank_nodes_of_two_files_apart(tmp_path: Path) -> None:
    from msskg.graph.store import load_store, open_store

    for name in ("a.nt", "b.nt"):
        (tmp_path / name).write_text('_:b1 <http://e/p> "x" .\n')
    assert load_store(tmp_path / "store", [tmp_path / "a.nt", tmp_path / "b.nt"]) == 2
    graph = open_store(store=tmp_path / "store")
    assert len({quad.subject for quad in graph.store}) == 2


def test_queries_read_named_graphs_and_the_default_graph_together(tmp_path: Path) -> None:
    from msskg.query.engines import OxigraphBackend, run_query
    from msskg.query.results import SelectResult

    data = tmp_path / "two.trig"
    data.write_text(
        '<http://e/a> <http://e/p> "default" .\n'
        '<http://e/g> { <http://e/b> <http://e/p> "named" . }\n'
    )
    backend = OxigraphBackend(open_store(data=[data]))
    result = run_query("SELECT ?o WHERE { ?s <http://e/p> ?o } ORDER BY ?o", backend=backend)
    assert backend.union
    assert isinstance(result, SelectResult)
    assert [row[0].value for row in result.rows if row[0] is not None] == ["default", "named"]
    (tmp_path / "one.ttl").write_text('<http://e/a> <http://e/p> "default" .\n')
    assert not OxigraphBackend(open_store(data=[tmp_path / "one.ttl"])).union


def test_prefixes_kept_in_a_store_read_back_and_those_of_stores_built_before(
    tmp_path: Path,
) -> None:
    """A store's prefixes are a line each (a cold query reads them without
    importing json); a store built by an earlier msskg kept them as JSON."""
    from msskg.graph.prefixes import read_prefixes, write_prefixes

    found = {
        "": "urn:default#",
        "ex": "http://example.org/a b",
        "msr": "https://w3id.org/msskg/id/",
    }
    write_prefixes(tmp_path, found)
    assert (tmp_path / "msskg-prefixes.txt").read_text() == (
        " urn:default#\nmsr https://w3id.org/msskg/id/\n"
    )
    assert read_prefixes(tmp_path) == {"": "urn:default#", "msr": "https://w3id.org/msskg/id/"}
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "msskg-prefixes.json").write_text('{"ex": "http://example.org/"}')
    assert read_prefixes(earlier) == {"ex": "http://example.org/"}
    assert read_prefixes(tmp_path / "none") == {}
