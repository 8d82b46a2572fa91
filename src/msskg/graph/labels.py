"""Canonical blank-node labels, given once when a cached store is built, so
that the store itself holds the same graph with the same labels whatever
files (and in whatever order) it was parsed from: what lets an export be
pyoxigraph's own dump of the store (publish/export.py).

A blank node is labelled from where it hangs and what it says: a hash of its
parent (IRI or label), the predicate, and its own content (its triples, nested
blank nodes by their content), so editing one quote changes that quote's
label and nothing outside its fact. A node no triple points at is labelled
from its content alone; one that several point at, from the least of its
parents. Labels are 32 hex digits starting with "b": pyoxigraph keeps such an
id as a number inside each quad, so reading it back costs no string lookup.
(RDFC-1.0 labels from the whole graph's shape: one new triple can rename many
nodes, so a dump kept in git would not diff to what changed.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

__all__ = ["Labeller"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Labeller:
    """Passes on the quads without blank nodes as they come (:meth:`keep`) and
    holds the others until every file is read; :meth:`relabelled` then gives
    those with canonical labels. Blank nodes are told apart by the ids the
    parser gave them (``rename_blank_nodes=True``: unique across files)."""

    def __init__(self) -> None:
        self._held: list[ox.Quad] = []

    def keep(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        held = self._held
        for quad in quads:
            if type(quad.subject) is ox.BlankNode or type(quad.object) is ox.BlankNode:
                held.append(quad)
            else:
                yield quad

    def relabelled(self) -> Iterator[ox.Quad]:
        labels = self._labels()
        nodes = {key: ox.BlankNode(label) for key, label in labels.items()}
        held, self._held = self._held, []
        for quad in held:
            subject, obj = quad.subject, quad.object
            if type(subject) is ox.BlankNode:
                subject = nodes[subject.value]
            if type(obj) is ox.BlankNode:
                obj = nodes[obj.value]
            yield ox.Quad(subject, quad.predicate, obj, quad.graph_name)

    def _labels(self) -> dict[str, str]:
        content: dict[str, list[tuple[str, Term]]] = {}
        parents: dict[str, list[tuple[str, str, bool]]] = {}  # child -> (parent, predicate, blank?)
        for quad in self._held:
            subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
            if type(subject) is ox.BlankNode:
                key, blank = subject.value, True
                content.setdefault(key, []).append((predicate, obj))
            else:
                key, blank = str(subject), False
            if type(obj) is ox.BlankNode:
                parents.setdefault(obj.value, []).append((key, predicate, blank))
                content.setdefault(obj.value, [])
        digests = _digests(content)
        labels: dict[str, str] = {}
        seen: dict[str, int] = {}
        for start in sorted(content, key=digests.__getitem__):
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
                    (labels[parent] if blank else parent, predicate)
                    for parent, predicate, blank in parents.get(key, ())
                    if not blank or parent in labels  # a cycle of blank nodes is cut
                ]
                base = digests[key]
                if places:
                    parent, predicate = min(places)
                    base = f"{parent} {predicate} {base}"
                # Nodes of one base say the same things from the same place: numbered.
                count = seen[base] = seen.get(base, 0) + 1
                labels[key] = "b" + _hash(base if count == 1 else f"{base} {count}")[:31]
                active.discard(key)
                stack.pop()
        return labels


def _digests(content: dict[str, list[tuple[str, Term]]]) -> dict[str, str]:
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
            edges = content.get(key, ())
            todo = [
                o.value
                for _, o in edges
                if type(o) is ox.BlankNode and o.value not in digests and o.value not in active
            ]
            if todo and key not in active:
                active.add(key)
                stack.extend(todo)
                continue
            lines = {
                f"{p} _:{digests.get(o.value, 'cycle')}" if type(o) is ox.BlankNode else f"{p} {o}"
                for p, o in edges
            }
            digests[key] = _hash("\n".join(sorted(lines)))[:32]
            active.discard(key)
            stack.pop()
    return digests
