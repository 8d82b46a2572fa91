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
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    "Derived",
    "Rule",
    "derivations",
    "derive",
    "direct_lines",
    "direct_quads",
    "read_rules",
]

DIRECT_GRAPH = ox.NamedNode("https://w3id.org/msskg/graph/direct")
STATEMENT_BASE = "https://w3id.org/msskg/id/direct/"
RULE_BASE = "https://w3id.org/msskg/rules/"

SUBJECT = ox.NamedNode(_RDF + "subject")
PREDICATE = ox.NamedNode(_RDF + "predicate")
OBJECT = ox.NamedNode(_RDF + "object")
CERTAINTY = ox.NamedNode(_MSS + "certainty")
_WHERE = re.compile(r"^WHERE\s*\{", re.MULTILINE | re.IGNORECASE)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
# Terms as N-Triples text, as rules' rows are read.
_SUBJECT, _PREDICATE, _OBJECT = str(SUBJECT), str(PREDICATE), str(OBJECT)
_PARTS = (_SUBJECT, _PREDICATE, _OBJECT)
_TYPE, _STATEMENT = f"<{_RDF}type>", f"<{_RDF}Statement>"
_DERIVED_FROM, _DERIVED_BY = f"<{vocab.DERIVED_FROM}>", f"<{_MSS}derivedBy>"
_TYPED = f"{_TYPE} {_STATEMENT} ."


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
    """The direct layer ``rules`` derive from ``store`` (:func:`derivations`)
    as quads in ``graph``, sorted."""
    lines = direct_lines(derivations(store, rules, bindings=bindings))
    text = "".join(f"{line[:-1]}{graph} .\n" for line in lines)
    return list(ox.parse(text.encode(), ox.RdfFormat.N_QUADS))


Derived = dict[tuple[str, ...], tuple[set[str], set[str]]]
"""Each derived triple and its extra values ("p o", sorted; N-Triples text),
with the facts and the rules it comes from."""


def derivations(
    store: ox.Store, rules: Iterable[Rule], *, bindings: Mapping[str, Term] | None = None
) -> Derived:
    """What ``rules`` derive from ``store`` (queried as the union of its
    graphs, with ``bindings`` substituted). A triple that rules derive with
    different extra values (an ``mss:certainty``) is one entry per set of
    values, each with only its own facts. Rows stay N-Triples text: making
    Python terms of them cost more than the rules."""
    derived: Derived = {}
    for rule in rules:
        result = store.query(_bound(rule, bindings or {}), use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryTriples):
            raise DataError(f"rule {rule.name} is not a CONSTRUCT query")
        text = (result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        for key, found in _statements(text):
            if (known := derived.get(key)) is None:
                known = derived[key] = (set(), set())
            known[0].update(found)
            known[1].add(rule.name)
    return derived


def direct_lines(derived: Derived, labels: Mapping[bytes, bytes] | None = None) -> list[str]:
    """Each derived triple and its ``rdf:Statement`` as N-Triples lines,
    sorted so that the output is the same on every run (the data's blank
    nodes by ``labels``, when given)."""
    triples: set[str] = set()
    statements: list[tuple[str, list[str]]] = []
    for key, (facts, rules_of) in derived.items():
        if labels and "_:" in "".join((*key, *facts)):
            key = tuple(_label(term, labels) for term in key)
            facts = {_label(fact, labels) for fact in facts}
        subject, predicate, obj, *extra = key
        iri = f"<{statement_iri(key)}>"
        statement = f"{iri} "
        triples.add(f"{subject} {predicate} {obj} .")
        # sorted: rdf:object, rdf:predicate, rdf:subject, rdf:type, then the
        # facts and the rules, each sorted (tests/test_direct.py checks the order)
        lines = [
            f"{statement}{_OBJECT} {obj} .",
            f"{statement}{_PREDICATE} {predicate} .",
            f"{statement}{_SUBJECT} {subject} .",
            statement + _TYPED,
        ]
        found = [f"{statement}{_DERIVED_FROM} {fact} ." for fact in facts]
        by = [f"{statement}{_DERIVED_BY} <{RULE_BASE}{name}> ." for name in rules_of]
        if extra:  # a rule's own values may come anywhere, and repeat the lines above
            lines = sorted({*lines, *found, *by, *(f"{statement}{pair} ." for pair in extra)})
        else:
            found.sort()
            by.sort()
            lines += found + by
        statements.append((iri, lines))
    # Every statement's lines begin with its IRI, all as long: sorted, they
    # are the statements by IRI, each one's lines sorted, in one run among
    # the triples' lines (unless a triple's subject is such an IRI).
    ordered = sorted(triples)
    head = f"<{STATEMENT_BASE}"
    at = bisect_left(ordered, head)
    clash = ordered[at:][:1] and ordered[at].startswith(head)
    if clash or len({iri for iri, _ in statements}) < len(statements):
        return sorted({*ordered, *(line for _, lines in statements for line in lines)})
    statements.sort()
    run: list[str] = []
    for _, lines in statements:
        run += lines
    return ordered[:at] + run + ordered[at:]


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


def statement_iri(key: Sequence[str]) -> str:
    """The stable IRI of the statement of a derived triple and its extra
    values: ``key`` is the triple's terms, then "p o" of each extra value
    (sorted), all as N-Triples."""
    digest = hashlib.sha256(" ".join(key).encode("utf-8")).hexdigest()[:24]
    return STATEMENT_BASE + digest


def _statements(text: str) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """The reified statements a rule emitted (N-Triples ``text``), as the
    triple and its other values ("p o", sorted), and the facts; a statement
    missing its subject, predicate or object is left out, and so is one
    whose triple could not be asserted."""
    nodes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in text.split("\n")[:-1]:
        subject, predicate, obj = line.split(" ", 2)
        nodes[subject].append((predicate, obj[:-2]))
    for values in nodes.values():
        found: dict[str, str] = {}
        rest: list[str] = []
        facts: list[str] = []
        for predicate, obj in values:
            if predicate == _DERIVED_FROM:
                facts.append(obj)
            elif predicate in _PARTS:
                found.setdefault(predicate, obj)
            else:
                rest.append(f"{predicate} {obj}")
        get = found.get
        subject, predicate, obj = get(_SUBJECT, ""), get(_PREDICATE, ""), get(_OBJECT, "")
        if subject[:1] not in ("<", "_") or predicate[:1] != "<" or not obj or obj[:2] == "<<":
            continue
        key = (subject, predicate, obj)
        yield (*key, *sorted(rest)) if rest else key, facts


def _label(term: str, labels: Mapping[bytes, bytes]) -> str:
    """A term ("p o" of an extra value too) with a blank node by its label."""
    head, blank, tail = term.rpartition("_:")
    if not blank or " " in tail or '"' in head:
        return term
    return head + labels.get(b"_:" + tail.encode(), b"_:" + tail.encode()).decode()


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
