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
    derive,
    read_rules,
)
from msskg.graph.files import project_home, resolve_files
from msskg.graph.store import parse_into
from msskg.vocab import RDFS, SKOS, XSD

__all__ = ["CERTAIN", "POSSIBLE", "state_quads"]

CERTAIN = ox.Literal("certain")
POSSIBLE = ox.Literal("possible")
XSD_DATE = ox.NamedNode(XSD + "date")
PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
ALT_LABEL = ox.NamedNode(SKOS + "altLabel")
LABEL = ox.NamedNode(RDFS + "label")


def state_quads(
    when: FuzzyDate,
    *,
    possible: bool = False,
    data: Sequence[Path | str] | None = None,
    store: ox.Store | None = None,
) -> list[ox.Quad]:
    """The triples that certainly held on ``when`` (with ``possible``, also
    those that possibly did), each with its ``rdf:Statement``s: one with the
    facts that make it certain (``mss:certainty "certain"``), else one with the
    facts that make it possible. ``store``: the facts already loaded (else
    ``data``, or the bundled graph, is read)."""
    bindings = {
        "date_earliest": ox.Literal(when.earliest.isoformat(), datatype=XSD_DATE),
        "date_latest": ox.Literal(when.latest.isoformat(), datatype=XSD_DATE),
    }
    rules = read_rules(project_home() / "rules" / "at")
    if store is None:
        store = ox.Store()
        parse_into(store, resolve_files(data))
    quads = derive(store, rules, bindings=bindings)
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
    graph = ox.NamedNode(f"{DIRECT_GRAPH.value}/{when.text}")  # the direct graph's, then the date
    chosen: dict[tuple[object, ...], list[ox.Quad]] = {}
    for triple, by_certainty in statements.items():
        found = by_certainty.get(CERTAIN) or (by_certainty.get(POSSIBLE) if possible else None)
        if found:
            chosen[triple] = found
    kept: list[ox.Quad] = []
    named: set[ox.NamedNode] = set()
    for (subject, predicate, obj), about in _skos_consistent(chosen).items():
        kept.append(ox.Quad(subject, predicate, obj, graph))  # type: ignore[arg-type]
        kept += [ox.Quad(q.subject, q.predicate, q.object, graph) for q in about]
        named |= {term for term in (subject, obj) if isinstance(term, ox.NamedNode)}
    kept += _labels(store, named, graph)
    return sorted(set(kept), key=str)


def _labels(store: ox.Store, things: set[ox.NamedNode], graph: ox.NamedNode) -> list[ox.Quad]:
    """The rdfs:labels (every language) of the bodies, people and posts a state
    names, so that the state stands alone for a plain ORG or SKOS reader."""
    if not things:
        return []
    values = " ".join(str(thing) for thing in sorted(things, key=str))
    query = f"SELECT ?thing ?label WHERE {{ VALUES ?thing {{ {values} }} ?thing {LABEL} ?label }}"
    answer = store.query(query, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    return [ox.Quad(row["thing"], LABEL, row["label"], graph) for row in answer]


def _skos_consistent(
    chosen: dict[tuple[object, ...], list[ox.Quad]],
) -> dict[tuple[object, ...], list[ox.Quad]]:
    """``chosen`` without the skos:altLabels that repeat a skos:prefLabel of the
    same resource (SKOS S13: the two are disjoint), and with every prefLabel of a
    resource that has two in one language made an altLabel (S14)."""
    prefs: dict[tuple[object, str], set[object]] = defaultdict(set)
    for subject, predicate, obj in chosen:
        if predicate == PREF_LABEL and isinstance(obj, ox.Literal):
            prefs[(subject, obj.language or "")].add(obj)
    result: dict[tuple[object, ...], list[ox.Quad]] = {}
    for (subject, predicate, obj), about in chosen.items():
        language = obj.language or "" if isinstance(obj, ox.Literal) else ""
        same = prefs.get((subject, language), set())
        if predicate == ALT_LABEL and obj in same and len(same) == 1:
            continue  # the name is the prefLabel: the altLabel would clash with it
        if predicate == PREF_LABEL and len(same) > 1:
            predicate = ALT_LABEL
            about = [
                ox.Quad(q.subject, q.predicate, ALT_LABEL if q.predicate == PREDICATE else q.object)
                for q in about
            ]
        result.setdefault((subject, predicate, obj), []).extend(about)
    return result
