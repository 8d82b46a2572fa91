"""Canonical blank-node labels, and the layout of export's own store, given
once when that store is built: the store then holds the same graph with the
same labels whatever files (and in whatever order) it was parsed from, and
every export format is one or two ordered scans of it (publish/export.py).

A blank node is labelled from where it hangs and what it says: a hash of its
parent (IRI or label), the predicate, and its own content (its triples, nested
blank nodes by their content), so editing one quote changes that quote's
label and nothing outside its fact. A node no triple points at is labelled
from its content alone; one that several point at, from the least of its
parents. A label is 32 hex digits (pyoxigraph keeps such an id as a number
inside each quad, so reading it back costs no string lookup): "b", then 16
digits that sort the node under its root (the IRI at the top of its chain of
least parents: the top 64 bits of the SipHash-2-4 that pyoxigraph files that
IRI under; for a node no IRI reaches, its own content hash), then "1" if
several triples point at it ("0" if one or none), then 14 digits of the hash
above. Iterating a store's IRI subjects in order therefore meets the roots in
the order its blank subjects come in: each fact's blank nodes are found
beside it in flat memory. (RDFC-1.0 labels from the whole graph's shape: one
new triple can rename many nodes, so a dump kept in git would not diff to
what changed.)

The layout (:func:`export_groups`): each fact (a subject with
``prov:wasDerivedFrom`` a blank node with ``oa:hasSource S``) and its blank
nodes go to the graphs of its sources' group, its IRI subjects' triples in one
graph and its blank subjects' in another; the rest likewise to the default
graph and :data:`REST_BLANK`. Queries over the union of the graphs see the
graph as parsed.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from typing import NamedTuple
from urllib.parse import quote, unquote

import pyoxigraph as ox

__all__ = ["REST_BLANK", "Group", "Labeller", "export_groups", "order_key"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.DefaultGraph

_EXPORT = "urn:msskg:export:"
REST_BLANK = ox.NamedNode(_EXPORT + "blank")
_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
_HAS_SOURCE = "<http://www.w3.org/ns/oa#hasSource>"
_M = 0xFFFFFFFFFFFFFFFF


class Group(NamedTuple):
    """The facts of one set of sources (none: the rest of the graph): the
    graph of their IRI subjects' triples and that of their blank subjects'."""

    sources: tuple[str, ...]
    named: GraphName
    blank: ox.NamedNode


def export_groups(store: ox.Store) -> list[Group]:
    """The groups of a store the :class:`Labeller` laid out: the rest first,
    then by sources."""
    groups = [Group((), ox.DefaultGraph(), REST_BLANK)]
    found = []
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(_EXPORT + "facts:"):
            key = graph.value[len(_EXPORT + "facts:") :]
            found.append(_group(tuple(unquote(key).split(" "))))
    return groups + sorted(found)


def _group(sources: tuple[str, ...]) -> Group:
    if not sources:
        return Group((), ox.DefaultGraph(), REST_BLANK)
    key = quote(" ".join(sources), safe="")
    return Group(
        sources, ox.NamedNode(_EXPORT + "facts:" + key), ox.NamedNode(_EXPORT + "blank:" + key)
    )


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def order_key(iri: str) -> int:
    """The top 64 bits of SipHash-2-4-128 (keys 0) of ``iri``'s UTF-8: the
    first 8 bytes of the id pyoxigraph files an IRI under, and sorts by."""
    data = iri.encode()
    n = len(data)
    end = n - n % 8
    words = [int.from_bytes(data[i : i + 8], "little") for i in range(0, end, 8)]
    words.append(((n & 0xFF) << 56) | int.from_bytes(data[end:], "little"))
    v0, v1 = 0x736F6D6570736575, 0x646F72616E646F6D ^ 0xEE
    v2, v3 = 0x6C7967656E657261, 0x7465646279746573
    rounds = [2] * len(words) + [4, 4]
    for i, count in enumerate(rounds):
        if i < len(words):
            v3 ^= words[i]
        elif i == len(words):
            v2 ^= 0xEE
        else:
            v1 ^= 0xDD
        for _ in range(count):
            v0 = (v0 + v1) & _M
            v1 = ((v1 << 13) | (v1 >> 51)) & _M ^ v0
            v0 = ((v0 << 32) | (v0 >> 32)) & _M
            v2 = (v2 + v3) & _M
            v3 = ((v3 << 16) | (v3 >> 48)) & _M ^ v2
            v0 = (v0 + v3) & _M
            v3 = ((v3 << 21) | (v3 >> 43)) & _M ^ v0
            v2 = (v2 + v1) & _M
            v1 = ((v1 << 17) | (v1 >> 47)) & _M ^ v2
            v2 = ((v2 << 32) | (v2 >> 32)) & _M
        if i < len(words):
            v0 ^= words[i]
    return v0 ^ v1 ^ v2 ^ v3


class Labeller:
    """Passes on the quads without blank nodes as they come (:meth:`keep`) and
    holds the others until every file is read; :meth:`relabelled` then gives
    those with canonical labels, in their group's graphs, and :meth:`place`
    moves the facts' other triples into theirs. Blank nodes are told apart by
    the ids the parser gave them (``rename_blank_nodes=True``: unique across
    files). Every term a held quad hands to Python costs ~1 us, so each is
    asked for once."""

    def __init__(self) -> None:
        self._held: list[tuple[ox.Quad, Term, Term]] = []  # the quad, its subject and object
        # the other triples of IRI subjects that have a blank object (facts among them)
        self._beside: list[tuple[ox.Quad, str]] = []
        self._passed: set[str] = set()  # IRI subjects some of whose triples were passed on
        self._facts: dict[str, tuple[str, ...]] = {}  # fact IRI -> its sources, after relabelled

    def keep(self, quads: Iterable[ox.Quad], fmt: ox.RdfFormat) -> Iterator[ox.Quad]:
        """``quads`` (parsed from ``fmt``) without those that have a blank
        subject or object, which are held, nor the other triples of an IRI
        subject that has a blank object when they come together (a fact's: its
        group is known at the end); all in the default graph (export reads a
        dataset's graphs as one graph)."""
        held = self._held
        named = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD)
        blank, quoted = ox.BlankNode, ox.Triple
        run: list[ox.Quad] = []  # the triples of one IRI subject, as they come
        subject_of_run: Term | None = None
        touched = False  # the run's subject has a blank object
        for quad in quads:
            subject, obj = quad.subject, quad.object
            kinds = (type(subject), type(obj))
            if named:
                quad = ox.Quad(subject, quad.predicate, obj)
            if blank in kinds and quoted not in kinds:  # quoted triples keep their ids
                held.append((quad, subject, obj))
                if type(obj) is not blank or type(subject) is blank:
                    continue
            elif type(subject) is not ox.NamedNode:
                yield quad
                continue
            if subject != subject_of_run:
                if run:
                    yield from self._flush(run, subject_of_run, touched)
                subject_of_run, touched, run = subject, False, []
            if type(obj) is blank:
                touched = True
            else:
                run.append(quad)
        if run:
            yield from self._flush(run, subject_of_run, touched)

    def _flush(self, run: list[ox.Quad], subject: Term | None, touched: bool) -> Iterator[ox.Quad]:
        value = subject.value  # type: ignore[union-attr]
        if touched:
            self._beside.extend((quad, value) for quad in run)
        else:
            self._passed.add(value)
            yield from run

    def finish(self, store: ox.Store, *, bulk: bool = True) -> None:
        """Add the held quads to ``store`` (:meth:`relabelled`, in batches:
        ``bulk_extend`` holds what it is given until it writes it), then :meth:`place`."""
        relabelled = self.relabelled()
        while batch := list(itertools.islice(relabelled, 100_000)):
            (store.bulk_extend if bulk else store.extend)(batch)
        self.place(store)

    def relabelled(self) -> Iterator[ox.Quad]:
        labels, roots, self._facts = self._labels()
        nodes = {key: ox.BlankNode(label) for key, label in labels.items()}
        groups: dict[tuple[str, ...], Group] = {}
        held, self._held = self._held, []
        for quad, subject, obj in held:
            if type(subject) is ox.BlankNode:
                sources = roots[subject.value]
                graph: GraphName = (
                    groups.get(sources) or groups.setdefault(sources, _group(sources))
                ).blank
                subject = nodes[subject.value]
            else:
                sources = self._facts.get(subject.value, ())  # type: ignore[union-attr]
                graph = (groups.get(sources) or groups.setdefault(sources, _group(sources))).named
            if type(obj) is ox.BlankNode:
                obj = nodes[obj.value]
            yield ox.Quad(subject, quad.predicate, obj, graph)  # type: ignore[arg-type]
        beside, self._beside = self._beside, []
        for quad, value in beside:
            sources = self._facts.get(value, ())
            if not sources:
                yield quad
                continue
            graph = (groups.get(sources) or groups.setdefault(sources, _group(sources))).named
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)

    def place(self, store: ox.Store) -> None:
        """Move the triples of each fact that :meth:`keep` passed on (those
        that came apart from its blank objects) from the default graph into
        its group's graph."""
        by_group: dict[tuple[str, ...], list[str]] = {}
        for fact, sources in self._facts.items():
            if fact in self._passed:
                by_group.setdefault(sources, []).append(fact)
        for sources, facts in sorted(by_group.items()):
            graph = _group(sources).named
            facts.sort()
            for start in range(0, len(facts), 2000):
                values = " ".join(str(ox.NamedNode(f)) for f in facts[start : start + 2000])
                store.update(
                    f"DELETE {{ ?f ?p ?o }} INSERT {{ GRAPH {graph} {{ ?f ?p ?o }} }} "
                    f"WHERE {{ VALUES ?f {{ {values} }} ?f ?p ?o }}"
                )
        self._facts, self._passed = {}, set()

    def _labels(
        self,
    ) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """Each blank node's label and its root's sources (both by the parser's
        id), and each fact's sources (by IRI)."""
        # From each quad's N-Triples text (one call into pyoxigraph): "s p o".
        content: dict[str, list[str]] = {}  # blank node -> "p o" lines ("p _:id" for a blank o)
        children: dict[str, list[str]] = {}  # blank node -> the blank nodes it points at
        parents: dict[str, list[tuple[str, str, bool]]] = {}  # child -> (parent, p, blank?)
        quotes: dict[str, list[str]] = {}  # fact IRI ("<...>") -> its blank quotes
        for quad, _, _ in self._held:
            subject, predicate, obj = str(quad).split(" ", 2)
            blank = subject[:2] == "_:"
            if blank:
                content.setdefault(subject, []).append(f"{predicate} {obj}")
            if obj[:2] == "_:":
                parents.setdefault(obj, []).append((subject, predicate, blank))
                content.setdefault(obj, [])
                if blank:
                    children.setdefault(subject, []).append(obj)
                elif predicate == _DERIVED:
                    quotes.setdefault(subject, []).append(obj)
        facts: dict[str, tuple[str, ...]] = {}
        for fact, found in quotes.items():
            sources = {
                line[len(_HAS_SOURCE) + 2 : -1]
                for q in found
                for line in content[q]
                if line.startswith(_HAS_SOURCE) and line[len(_HAS_SOURCE) + 1] == "<"
            }
            if sources:
                facts[fact] = tuple(sorted(sources))
        digests = _digests(content, children)
        labels: dict[str, str] = {}
        roots: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # node -> (root, prefix, sources)
        keys: dict[str, int] = {}  # root IRI -> its order key
        seen: dict[str, int] = {}
        for start in content:
            stack, active = [start], set()
            while stack:  # a node's blank parents are labelled before it (no recursion: deep lists)
                key = stack[-1]
                if key in labels:
                    stack.pop()
                    continue
                todo = [p for p, _, blank in parents.get(key, ()) if blank and p not in labels]
                todo = [p for p in todo if p not in active]
                if todo and key not in active:
                    active.add(key)
                    stack.extend(todo)
                    continue
                places = [
                    (labels[parent] if blank else parent, predicate, parent if blank else "")
                    for parent, predicate, blank in parents.get(key, ())
                    if not blank or parent in labels  # a cycle of blank nodes is cut
                ]
                base = digests[key]
                if places:
                    parent, predicate, via = min(places)
                    base = f"{parent} {predicate} {base}"
                    if via:  # under a blank node: its root's
                        root = roots[via]
                    else:
                        if parent not in keys:
                            keys[parent] = order_key(parent[1:-1])
                        root = (parent, f"{keys[parent]:016x}", facts.get(parent, ()))
                else:  # no parent (or a cycle): a root of its own
                    root = (key, digests[key][:16], ())
                roots[key] = root
                shared = "1" if len(set(parents.get(key, ()))) > 1 else "0"
                # Nodes of one base say the same things from the same place: numbered.
                count = seen[base] = seen.get(base, 0) + 1
                own = _hash(base if count == 1 else f"{base} {count}")[:14]
                labels[key] = f"b{root[1]}{shared}{own}"
                active.discard(key)
                stack.pop()
        return (
            {key[2:]: label for key, label in labels.items()},
            {key[2:]: root[2] for key, root in roots.items()},
            {fact[1:-1]: sources for fact, sources in facts.items()},
        )


def _digests(content: dict[str, list[str]], children: dict[str, list[str]]) -> dict[str, str]:
    """A hash of what each blank node says, nested blank nodes by their digests
    (children first, without recursion; a cycle is cut where it closes)."""
    digests: dict[str, str] = {}
    for start in content:
        stack, active = [start], set()
        while stack:
            key = stack[-1]
            if key in digests:
                stack.pop()
                continue
            todo = [c for c in children.get(key, ()) if c not in digests and c not in active]
            if todo and key not in active:
                active.add(key)
                stack.extend(todo)
                continue
            lines = content[key]
            if key in children:  # blank objects by their digests
                lines = [_nested(line, digests) for line in lines]
            digests[key] = _hash("\n".join(sorted(set(lines))))[:32]
            active.discard(key)
            stack.pop()
    return digests


def _nested(line: str, digests: dict[str, str]) -> str:
    predicate, obj = line.split(" ", 1)
    if obj[:2] != "_:":
        return line
    return f"{predicate} _:{digests.get(obj, 'cycle')}"
