"""Validation reads every graph it is given: a dataset's data graph is the
union of its graphs (TriG, N-Quads, JSON-LD), for the fast engine as for pySHACL."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from test_fastvalidate import comparable
from test_shapes import MSH, PREFIXES

from msskg.validate.api import validate

# One planted error (a person no text mentions), inside a named graph; the
# rest of the fixtures in the default graph.
PLANTED = 'ex:carol a foaf:Person ; rdfs:label "Carol"@en .'


def _trig(folder: Path) -> Path:
    path = folder / "planted.trig"
    path.write_text(
        PREFIXES + f"GRAPH <https://example.org/test/graph> {{ {PLANTED} }}\n", encoding="utf-8"
    )
    return path


def _converted(folder: Path, fmt: str, suffix: str) -> Path:
    dataset = rdflib.Dataset()
    dataset.parse(_trig(folder), format="trig")
    path = folder / f"planted{suffix}"
    path.write_text(dataset.serialize(format=fmt), encoding="utf-8")
    return path


def _nquads(folder: Path) -> Path:
    return _converted(folder, "nquads", ".nq")


def _jsonld(folder: Path) -> Path:
    return _converted(folder, "json-ld", ".jsonld")


@pytest.mark.parametrize("write", [_trig, _nquads, _jsonld], ids=["trig", "nquads", "jsonld"])
def test_an_error_in_a_named_graph_is_caught_by_both_engines(tmp_path: Path, write: object) -> None:
    path = write(tmp_path)  # type: ignore[operator]
    fast = validate(data=[path], engine="fast")
    reference = validate(data=[path], engine="pyshacl")
    assert [(r.severity, r.shape, r.focus) for r in fast.results] == [
        ("Violation", MSH + "PersonShape", "https://example.org/test/carol")
    ]
    assert comparable(fast) == comparable(reference)
