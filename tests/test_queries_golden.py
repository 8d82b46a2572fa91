"""Golden results for every saved query, on a fixed set of parameters, run on
both engines (pyoxigraph and rdflib), which must agree row for row, in order.

Regenerate the golden files after an intended change with:

    MSSKG_UPDATE_GOLDEN=1 python -m pytest tests/test_queries_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from msskg.graph.store import open_store
from msskg.query.catalogue import get_query, list_queries
from msskg.query.engines import OxigraphBackend, run_query
from msskg.query.formats import format_result
from msskg.query.results import Backend, SelectResult, comparable

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MSSKG_UPDATE_GOLDEN") == "1"

# query name -> parameter sets. Dates cover days, months and years, the edges of
# terms, gaps in the record, the merged decade, conflicts and "present".
CASES: dict[str, list[dict[str, str]]] = {
    "holder-at": [
        {"date": "2021-08-15"},
        {"date": "2021-07"},
        {"date": "2021"},
        {"date": "2020"},
        {"date": "2003"},
        {"date": "2022-12"},
        {"date": "2022-12-30"},
        {"date": "2026-11-22"},
        {"date": "1990"},
        {"date": "1948-09-02", "post": "msr:post-minister-of-interior"},
        {"date": "1950", "post": "msr:post-minister-of-interior"},
        {"date": "1960-11", "post": "msr:post-minister-of-interior"},
        {"date": "1962-10-22", "post": "Minister of Interior"},
        {"date": "1970", "post": "msr:post-minister-of-interior"},
        {"date": "2020..2022"},
        {"date": "2021-07..2021-09"},
        {"date": "2021-02..2021-06"},
        {"date": "2016.."},
        {"date": "..1960", "post": "msr:post-minister-of-interior"},
        {"date": "1951..1953", "post": "msr:post-minister-of-interior"},
        # after every source's as-of date: "- present" only possibly, ends not stated bounded
        {"date": "2100-01-01"},
        {"date": "2100", "post": "msr:post-minister-of-interior"},
        {"date": "1968", "post": "msr:post-minister-of-interior"},
    ],
    "terms": [{}, {"post": "msr:post-minister-of-interior"}, {"post": "msr:post-commander-of-ssf"}],
    "repeat-holders": [{}, {"post": "Minister of Interior"}],
    "durations": [
        {"until": "2026-11-22"},
        {"until": "2023"},
        {"until": "2026-11-22", "holder": "Kim Jong-ho"},
        {"until": "2000", "holder": "Ri Thae-sop"},
        {"until": "2026-11-22", "holder": "msr:pak-mun-gyu", "post": "Minister of Interior"},
    ],
    "name-at": [
        {"date": "1945-11-19"},
        {"date": "1945-11-18"},
        {"date": "1951"},
        {"date": "1955"},
        {"date": "1972-12"},
        {"date": "1985"},
        {"date": "2000"},
        {"date": "2012"},
        {"date": "2016"},
        {"date": "2020-06-01"},
        {"date": "2024"},
        {"date": "1990", "agency": "msr:social-security-forces"},
        {"date": "2015", "agency": "조선사회안전군"},
        {"date": "2020", "agency": "Social Security Forces"},
        {"date": "1945..1952"},
        {"date": "2016.."},
        {"date": "..1945-11-18"},
        {"date": "1970..2001"},
        {"date": "2100-01-01"},
        # before the force's founding (October 1962), and after every source's as-of date
        {"date": "1946", "agency": "msr:social-security-forces"},
        {"date": "2100", "agency": "msr:social-security-forces"},
    ],
    "superior-at": [
        {"date": "1950"},
        {"date": "1951-06"},
        {"date": "1984"},
        {"date": "1990"},
        {"date": "2010"},
        {"date": "2012"},
        {"date": "2016"},
        {"date": "2024"},
        {"date": "2000", "agency": "msr:social-security-forces"},
        {"date": "1950", "agency": "msr:fifth-department"},
        {"date": "1945..1952"},
        {"date": "..1950"},
        {"date": "2010.."},
        {"date": "2100-01-01"},
        # the present-tense statement holds at its text's as-of date
        {"date": "2022-12-28", "agency": "msr:social-security-forces"},
        {"date": "2100", "agency": "msr:social-security-forces"},
    ],
    "name-history": [{}, {"agency": "msr:social-security-forces"}],
    "subordination-history": [{}, {"agency": "msr:social-security-forces"}],
    "children": [{}, {"agency": "msr:ministry-of-internal-affairs"}],
    "equipment": [{}],
    "ranks": [{}],
    "conflicts": [{}],
    "sources": [
        {},
        {"thing": "msr:ri-thae-sop"},
        {"thing": "msr:term-pak-mun-gyu-2"},
        {"thing": "Type 58"},
    ],
}


@pytest.mark.parametrize("name", ["holder-at", "name-at", "superior-at"])
def test_today_answers_as_after_every_source(name: str) -> None:
    """Today is after every source's as-of date: the answer is the one for 2100
    (nothing after a text's present is certain), but for the date columns."""

    def rows(date: str) -> list[tuple[object, ...]]:
        result = run_query(get_query(name), {"date": date}, engine="oxigraph")
        assert isinstance(result, SelectResult)
        keep = [i for i, v in enumerate(result.variables) if not v.startswith("date_")]
        return [tuple(comparable(row[i]) for i in keep) for row in result.rows]

    assert rows("today") == rows("2100-01-01")


@pytest.fixture(scope="module")
def engines() -> dict[str, Backend]:
    """The bundled graph, parsed once for every case (rdflib takes about a second)."""
    from msskg.graph.dataset import load_graph
    from msskg.query.rdflib_engine import RdflibBackend

    return {"oxigraph": OxigraphBackend(open_store()), "rdflib": RdflibBackend(load_graph())}


def _case_id(name: str, params: dict[str, str]) -> str:
    suffix = "__".join(f"{k}={v}" for k, v in sorted(params.items()))
    safe = "".join(c if c.isalnum() or c in "=-_." else "-" for c in suffix)
    return f"{name}__{safe}" if safe else name


def test_every_saved_query_has_golden_cases() -> None:
    assert sorted(q.name for q in list_queries()) == sorted(CASES)


@pytest.mark.parametrize(
    ("name", "params"),
    [(name, params) for name, sets in CASES.items() for params in sets],
    ids=[_case_id(name, params) for name, sets in CASES.items() for params in sets],
)
def test_saved_query_matches_golden_on_both_engines(
    name: str, params: dict[str, str], engines: dict[str, Backend]
) -> None:
    query = get_query(name)
    fast = run_query(query, params, backend=engines["oxigraph"])
    reference = run_query(query, params, backend=engines["rdflib"])
    assert isinstance(fast, SelectResult) and isinstance(reference, SelectResult)
    assert fast.variables == reference.variables
    assert [tuple(map(comparable, row)) for row in fast.rows] == [
        tuple(map(comparable, row)) for row in reference.rows
    ], "pyoxigraph and rdflib disagree"
    assert fast.rows, "every golden case should return at least one row"
    text = format_result(fast, "tsv")
    path = GOLDEN / f"{_case_id(name, params)}.tsv"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run MSSKG_UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} {params} differs from {path.name}; if the change is intended, run "
        "MSSKG_UPDATE_GOLDEN=1 python -m pytest tests/test_queries_golden.py and review the diff"
    )
