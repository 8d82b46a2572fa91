"""The direct layer: the plain ORG, SKOS and FOAF triples that those
vocabularies' users expect (``org:subOrganizationOf``, ``org:heldBy``,
``skos:prefLabel`` ...), derived from the sourced n-ary facts by the SPARQL
CONSTRUCT rules in ``rules/`` and never typed by hand.

A rule emits one reified statement (``rdf:subject``, ``rdf:predicate``,
``rdf:object``, ``prov:wasDerivedFrom`` the facts) per derived triple. This
module asserts each triple in the named graph :data:`DIRECT_GRAPH` and keeps,
beside it in the same graph, one ``rdf:Statement`` per distinct triple (its IRI
made from the triple, so it is stable across runs) that names every fact it
comes from (``prov:wasDerivedFrom``) and every rule that derived it
(``mss:derivedBy``). Rules for a date (``rules/at/``) also give each statement
an ``mss:certainty`` ("certain" or "possible"). This module never imports rdflib.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from msskg import vocab
from msskg.errors import DataError
from msskg.graph.files import project_home, resolve_files
from msskg.graph.store import parse_into
from msskg.vocab import MSS as _MSS
from msskg.vocab import RDF as _RDF

__all__ = [
    "DIRECT_GRAPH",
    "Rule",
    "derive",
    "direct_quads",
    "read_rules",
]

DIRECT_GRAPH = ox.NamedNode("https://w3id.org/msskg/graph/direct")
STATEMENT_BASE = "https://w3id.org/msskg/id/direct/"
RULE_BASE = "https://w3id.org/msskg/rules/"

SUBJECT = ox.NamedNode(_RDF + "subject")
PREDICATE = ox.NamedNode(_RDF + "predicate")
OBJECT = ox.NamedNode(_RDF + "object")
TYPE = ox.NamedNode(_RDF + "type")
STATEMENT = ox.NamedNode(_RDF + "Statement")
DERIVED_FROM = ox.NamedNode(vocab.DERIVED_FROM)
DERIVED_BY = ox.NamedNode(_MSS + "derivedBy")
CERTAINTY = ox.NamedNode(_MSS + "certainty")
_WHERE = re.compile(r"^WHERE\s*\{", re.MULTILINE | re.IGNORECASE)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Key = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]
StatementKey = tuple[Key, frozenset[tuple[ox.NamedNode, Term]]]


@dataclass(frozen=True)
class Rule:
    """One CONSTRUCT rule: its name (the file name without ``.rq``, under
    ``rules/`` or ``rules/at/``), its IRI and its SPARQL text."""

    name: str
    text: str

    @property
    def iri(self) -> ox.NamedNode:
        return ox.NamedNode(RULE_BASE + self.name)


def read_rules(folder: Path | None = None) -> list[Rule]:
    """The rules in ``folder`` (default: ``rules/`` of the msskg home), by name;
    none if the folder does not exist (a home without rules has no direct layer)."""
    root = project_home() / "rules" if folder is None else folder
    if not root.is_dir():
        return []
    prefix = "" if folder is None else f"{root.name}/"
    return [
        Rule(prefix + path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(root.glob("*.rq"))
    ]


def derive(
    store: ox.Store,
    rules: Iterable[Rule],
    *,
    bindings: Mapping[str, Term] | None = None,
    graph: ox.NamedNode = DIRECT_GRAPH,
) -> list[ox.Quad]:
    """The triples ``rules`` derive from ``store`` (queried as the union of its
    graphs, with ``bindings`` substituted), each with its ``rdf:Statement``,
    all in ``graph``, sorted so that the output is the same on every run. A
    triple that rules derive with different extra values (an ``mss:certainty``)
    gets one statement per set of values, each naming only its own facts."""
    facts: dict[StatementKey, set[Term]] = defaultdict(set)
    derived_by: dict[StatementKey, set[str]] = defaultdict(set)
    for rule in rules:
        result = store.query(_bound(rule, bindings or {}), use_default_graph_as_union=True)
        for key, values in _statements(result):  # type: ignore[arg-type]
            extra = frozenset((p, o) for p, o in values if p != DERIVED_FROM)
            derived_by[(key, extra)].add(rule.name)
            facts[(key, extra)] |= {o for p, o in values if p == DERIVED_FROM}
    quads: list[ox.Quad] = []
    for key, extra in derived_by:
        subject, predicate, obj = key
        quads.append(ox.Quad(subject, predicate, obj, graph))
        statement = statement_iri(key, extra)
        quads += [
            ox.Quad(statement, TYPE, STATEMENT, graph),
            ox.Quad(statement, SUBJECT, subject, graph),
            ox.Quad(statement, PREDICATE, predicate, graph),
            ox.Quad(statement, OBJECT, obj, graph),
        ]
        quads += [ox.Quad(statement, DERIVED_FROM, fact, graph) for fact in facts[(key, extra)]]
        quads += [
            ox.Quad(statement, DERIVED_BY, Rule(name, "").iri, graph)
            for name in derived_by[(key, extra)]
        ]
        quads += [ox.Quad(statement, p, o, graph) for p, o in extra]
    return sorted(set(quads), key=str)


def _bound(rule: Rule, bindings: Mapping[str, Term]) -> str:
    """The rule's text with a VALUES block binding each variable to its term at
    the start of its WHERE group, so that the group's FILTERs see them. The terms
    are written by pyoxigraph (N-Triples syntax, valid SPARQL): pyoxigraph
    substitutes only the variables a SELECT returns, and a CONSTRUCT returns none."""
    if not bindings:
        return rule.text
    match = _WHERE.search(rule.text)
    if match is None:
        raise DataError(f"rule {rule.name} has no WHERE {{ to bind {', '.join(bindings)} in")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    block = f"\n  VALUES ({names}) {{ ({terms}) }}"
    return rule.text[: match.end()] + block + rule.text[match.end() :]


def statement_iri(key: Key, extra: Iterable[tuple[ox.NamedNode, Term]] = ()) -> ox.NamedNode:
    """The stable IRI of the statement of a derived triple (and its extra values)."""
    parts = [*map(str, key), *sorted(f"{p} {o}" for p, o in extra)]
    digest = hashlib.sha256(" ".join(parts).encode("utf-8")).hexdigest()[:24]
    return ox.NamedNode(STATEMENT_BASE + digest)


def _statements(
    triples: Iterable[ox.Triple],
) -> list[tuple[Key, list[tuple[ox.NamedNode, Term]]]]:
    """The reified statements a rule emitted, as (triple, other values); a
    statement missing its subject, predicate or object is left out."""
    nodes: dict[object, dict[ox.NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        obj = triple.object
        if isinstance(obj, ox.Triple):
            continue
        nodes[triple.subject][triple.predicate].append(obj)
    found = []
    for values in nodes.values():
        subjects, predicates, objects = (
            values.get(SUBJECT),
            values.get(PREDICATE),
            values.get(OBJECT),
        )
        if not (subjects and predicates and objects):
            continue
        subject, predicate = subjects[0], predicates[0]
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            continue
        rest = [
            (p, o) for p, os in values.items() if p not in (SUBJECT, PREDICATE, OBJECT) for o in os
        ]
        found.append(((subject, predicate, objects[0]), rest))
    return found


def direct_quads(
    data: Sequence[Path | str] | None = None,
    *,
    rules: Iterable[Rule] | None = None,
    bindings: Mapping[str, Term] | None = None,
) -> list[ox.Quad]:
    """The direct layer of ``data`` (or of the bundled graph): the rules of
    the msskg home (or ``rules``) run over the files in a store of their own."""
    store = ox.Store()
    parse_into(store, resolve_files(data))
    return derive(store, read_rules() if rules is None else rules, bindings=bindings)
