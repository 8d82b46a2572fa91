"""Fixtures for the library and CLI tests: a tiny msskg home (ontology, data,
saved queries) written into tmp_path, so these tests never depend on the
bundled data, and a private cache folder for every test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PREFIXES = """\
@prefix msr: <https://w3id.org/msskg/id/> .
@prefix mss: <https://w3id.org/msskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
"""

ONTOLOGY = (
    PREFIXES
    + """\
mss:Ministry a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label "ministry"@en , "성"@ko .
"""
)

FACTS = (
    PREFIXES
    + """\
msr:ministry a mss:Ministry ;
    rdfs:label "Ministry of Social Security"@en , "사회안전성"@ko .
msr:name-1 a mss:NamePeriod ; mss:ofAgency msr:ministry ;
    mss:name "Ministry of People's Security"@en , "인민보안성"@ko ;
    mss:during [ a time:Interval ;
        time:hasBeginning [ a time:Instant ;
            mss:earliest "2010-04-01"^^xsd:date ; mss:latest "2010-04-30"^^xsd:date ] ] ;
    prov:wasDerivedFrom
        [ a oa:SpecificResource ; oa:hasSource msr:source-a ;
          oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "renamed" ] ] ,
        [ a oa:SpecificResource ; oa:hasSource msr:source-b ;
          oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "renamed, too" ] ] .
msr:post-minister a org:Post ;
    rdfs:label "Minister of Social Security"@en ; skos:altLabel "Minister"@en .
msr:post-deputy a org:Post ;
    rdfs:label "First Deputy Minister"@en ; skos:altLabel "Minister"@en .
msr:strength a mss:StrengthEstimate ; mss:about msr:ministry ;
    mss:minimum "120.0"^^xsd:decimal ;
    prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource msr:source-a ] .
msr:source-a rdfs:label "Source A"@en .
msr:source-b rdfs:label "Source B"@en .
"""
)

QUERIES = {
    "labels-of": """\
# title: Labels of a resource
# description: Every label of the resource,
# description: in every language.
# param: thing | resource | msr:ministry | The resource: IRI, prefixed name or label
# example: -p thing=msr:ministry
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label WHERE { ?thing rdfs:label ?label } ORDER BY ?label
""",
    "named-by": """\
# title: Names given by a date
# param: date | date | required | The day, month or year: YYYY, YYYY-MM or YYYY-MM-DD
PREFIX mss: <https://w3id.org/msskg/ontology#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?agency ?name ?date_latest WHERE {
  ?period mss:ofAgency ?agency ; mss:name ?name ;
    mss:during/time:hasBeginning/mss:earliest ?start .
  FILTER(?start <= ?date_latest)
} ORDER BY ?name
""",
    "echo": """\
# title: Echo the parameters
# param: text | string | required | Any text
# param: n | integer | 1 | A whole number
SELECT ?text ?n WHERE {}
""",
    "hidden-parameter": """\
# title: Uses a parameter it does not return
# param: text | string | x | Any text
SELECT ?thing WHERE { ?thing ?p ?text }
""",
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MSSKG_CACHE_DIR", str(cache))
    monkeypatch.delenv("COLUMNS", raising=False)  # tables then fit 120 columns, as in a pipe
    return cache


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An msskg home with a one-class ontology, a few facts and four queries."""
    root = tmp_path / "home"
    for folder in ("ontology", "data", "queries"):
        (root / folder).mkdir(parents=True)
    (root / "ontology" / "msskg.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (root / "ontology" / "shapes.ttl").write_text("this is not loaded", encoding="utf-8")
    (root / "data" / "facts.ttl").write_text(FACTS, encoding="utf-8")
    for name, text in QUERIES.items():
        (root / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MSSKG_HOME", str(root))
    return root


# A real Oxigraph server (the PyPI `oxigraph` package, in the dev extra) for the
# remote tests: on 127.0.0.1 and a free port, with its store in a temporary folder.


@dataclass(frozen=True)
class OxigraphServer:
    base: str

    @property
    def query(self) -> str:
        return f"{self.base}/query"

    @property
    def store(self) -> str:
        return f"{self.base}/store"

    @property
    def update(self) -> str:
        return f"{self.base}/update"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("oxigraph")
    return str(beside_python) if beside_python.is_file() else shutil.which("oxigraph")


def _wait_until_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> bool:
    """True once the server answers a query; False if it exits first (say,
    because another process took the port)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"oxigraph serve did not answer within 30 s: {log.read_text()}")


@pytest.fixture(scope="session")
def start_oxigraph(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[], OxigraphServer]]:
    """Starts a fresh, empty server on each call; all are killed at the end."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server is not installed: pip install -e '.[dev]' installs it")
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> OxigraphServer:
        for _ in range(5):
            folder = tmp_path_factory.mktemp("oxigraph")
            base = f"http://127.0.0.1:{_free_port()}"
            log = folder / "server.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [binary, "serve", "--location", str(folder / "store"), "--bind", base[7:]],
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            if _wait_until_ready(process, base, log):
                return OxigraphServer(base)
        pytest.fail(f"oxigraph serve would not start: {log.read_text()}")

    with pytest.MonkeyPatch.context() as patch:
        # Loopback traffic must never go through a proxy the environment names.
        patch.setenv("NO_PROXY", "127.0.0.1")
        patch.setenv("no_proxy", "127.0.0.1")
        yield start
    for process in processes:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def oxigraph(start_oxigraph: Callable[[], OxigraphServer]) -> OxigraphServer:
    """One server for the whole session."""
    return start_oxigraph()
