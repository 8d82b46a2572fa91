"""Publishing the direct layer: the plain ORG/SKOS triples the rules derive
(:mod:`msskg.graph.direct`) as a named graph beside the sourced facts in an
export, and the state on a date (:mod:`msskg.graph.state`) as an export of
its own (``msskg export --at DATE``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
import rdflib

from msskg.dates import parse_span
from msskg.errors import BadDateError
from msskg.graph.dataset import to_rdflib, union_graph
from msskg.graph.files import input_paths
from msskg.graph.jsonld import jsonld_text
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.graph.state import state_quads
from msskg.output import write_atomically
from msskg.query.registry import DATASET, check_format

__all__ = ["direct_dataset", "export_at"]


def direct_dataset(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """``quads`` in an rdflib Dataset, each in its named graph, with msskg's prefixes."""
    dataset = rdflib.Dataset()
    for name, namespace in DEFAULT_PREFIXES.items():
        dataset.bind(name, namespace, override=True, replace=True)
    for quad in quads:
        graph = dataset.graph(rdflib.URIRef(quad.graph_name.value))  # type: ignore[union-attr]
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return dataset


def export_at(
    date: str,
    fmt: str = "turtle",
    *,
    possible: bool = False,
    data: Sequence[Path | str] | None = None,
    output: Path | str | None = None,
    force: bool = False,
) -> str:
    """The state on ``date`` (YYYY, YYYY-MM, YYYY-MM-DD or today) in plain ORG and
    SKOS, each triple traced to its facts by an ``rdf:Statement``; with
    ``possible``, also what possibly held, marked ``mss:certainty "possible"``.
    Serialized as ``fmt`` (TriG: one named graph for the date); also written
    to ``output`` when given, atomically."""
    check_format(fmt, DATASET, "export")
    when = parse_span(date).single
    if when is None:
        raise BadDateError(f'the state is taken on one date, not a range: "{date}"')
    dataset = direct_dataset(state_quads(when, possible=possible, data=data))
    if fmt == "trig":
        text = dataset.serialize(format="trig")
    else:
        graph = union_graph(dataset)
        if fmt == "jsonld":
            text = jsonld_text(ox.parse(graph.serialize(format="nt"), ox.RdfFormat.N_TRIPLES))
        else:
            text = graph.serialize(format=fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is not None:
        write_atomically(Path(output), text, force=force, inputs=input_paths(data))
    return text
