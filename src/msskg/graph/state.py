"""The state on a date, in plain ORG and SKOS: the superiors, sub-organisations,
post holders, heads and names that certainly (or, on request, possibly) held
on a day, month or year, derived from the sourced facts by the rules in
``rules/at/`` and traced to them like the direct layer (see
:mod:`msskg.graph.direct`). Views and exports take their "state on a date"
from here. This module never imports rdflib."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from msskg.dates import FuzzyDate
from msskg.graph.direct import (
    CERTAINTY,
    DIRECT_GRAPH,
    OBJECT,
    PREDICATE,
    SUBJECT,
    direct_quads,
    read_rules,
)
from msskg.graph.files import project_home

__all__ = ["CERTAIN", "POSSIBLE", "state_graph", "state_quads"]

CERTAIN = ox.Literal("certain")
POSSIBLE = ox.Literal("possible")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


def state_graph(when: FuzzyDate) -> ox.NamedNode:
    """The named graph of the state on ``when``: the direct graph's IRI, then the date."""
    return ox.NamedNode(f"{DIRECT_GRAPH.value}/{when.text}")


def state_quads(
    when: FuzzyDate,
    *,
    possible: bool = False,
    data: Sequence[Path | str] | None = None,
) -> list[ox.Quad]:
    """The triples that certainly held on ``when`` (with ``possible``, also
    those that possibly did), each with its ``rdf:Statement`` naming the facts
    it comes from and its ``mss:certainty``: "certain" if any fact makes it
    certain, else "possible"."""
    bindings = {
        "date_earliest": ox.Literal(when.earliest.isoformat(), datatype=XSD_DATE),
        "date_latest": ox.Literal(when.latest.isoformat(), datatype=XSD_DATE),
    }
    rules = read_rules(project_home() / "rules" / "at")
    quads = direct_quads(data, rules=rules, bindings=bindings)
    by_node: dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if not isinstance(quad.subject, ox.Triple):
            by_node[quad.subject].append(quad)
    graph = state_graph(when)
    kept: list[ox.Quad] = []
    for node, about in by_node.items():
        certainties = {q.object for q in about if q.predicate == CERTAINTY}
        if not certainties:
            continue  # a derived triple, kept (or not) with its statement below
        certain = CERTAIN in certainties
        if not (certain or possible):
            continue
        triple = tuple(
            next(q.object for q in about if q.predicate == p) for p in (SUBJECT, PREDICATE, OBJECT)
        )
        kept.append(ox.Quad(triple[0], triple[1], triple[2], graph))  # type: ignore[arg-type]
        for q in about:
            if q.predicate == CERTAINTY and certain and q.object != CERTAIN:
                continue
            kept.append(ox.Quad(node, q.predicate, q.object, graph))
    return sorted(set(kept), key=str)
