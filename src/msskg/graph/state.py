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
    those that possibly did), each with its ``rdf:Statement``s: one with the
    facts that make it certain (``mss:certainty "certain"``), else one with the
    facts that make it possible."""
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
    # each derived triple and its statements, by certainty
    statements: dict[tuple[object, ...], dict[ox.Literal, list[ox.Quad]]] = defaultdict(dict)
    for about in by_node.values():
        certainty = next((q.object for q in about if q.predicate == CERTAINTY), None)
        if not isinstance(certainty, ox.Literal):
            continue  # a derived triple: kept, or not, with its statements
        key = tuple(
            next(q.object for q in about if q.predicate == p) for p in (SUBJECT, PREDICATE, OBJECT)
        )
        statements[key].setdefault(certainty, []).extend(about)
    graph = state_graph(when)
    kept: list[ox.Quad] = []
    for (subject, predicate, obj), by_certainty in statements.items():
        chosen = by_certainty.get(CERTAIN) or (by_certainty.get(POSSIBLE) if possible else None)
        if not chosen:
            continue
        kept.append(ox.Quad(subject, predicate, obj, graph))  # type: ignore[arg-type]
        kept += [ox.Quad(q.subject, q.predicate, q.object, graph) for q in chosen]
    return sorted(set(kept), key=str)
