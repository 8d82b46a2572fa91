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
    parser gave them (``rename_blank_nodes=True``: unique across files). Every
    term a held quad hands to Python costs ~1 us, so each is asked for once."""

    def __init__(self) -> None:
        # the quad, its subject and object, and its graph name as text (None: default)
        self._held: list[tuple[ox.Quad, Term, Term, str | None]] = []

    def keep(self, quads: Iterable[ox.Quad], fmt: ox.RdfFormat) -> Iterator[ox.Quad]:
        """``quads`` (parsed from ``fmt``) without those that have a blank
        subject or object, which are held."""
        held = self._held
        named = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD)
        blank, quoted = ox.BlankNode, ox.Triple
        for quad in quads:
            subject, obj = quad.subject, quad.object
            kinds = (type(subject), type(obj))
            if blank in kinds and quoted not in kinds:  # quoted triples keep their ids
                graph = quad.graph_name if named else None
                name = None if graph is None or type(graph) is ox.DefaultGraph else str(graph)
                held.append((quad, subject, obj, name))
            else:
                yield quad

    def relabelled(self) -> Iterator[ox.Quad]:
        labels = self._labels()
        nodes = {key: ox.BlankNode(label) for key, label in labels.items()}
        held, self._held = self._held, []
        for quad, subject, obj, name in held:
            if type(subject) is ox.BlankNode:
                subject = nodes[subject.value]
            if type(obj) is ox.BlankNode:
                obj = nodes[obj.value]
            if name is None:
                yield ox.Quad(subject, quad.predicate, obj)  # type: ignore[arg-type]
            else:
                yield ox.Quad(subject, quad.predicate, obj, quad.graph_name)  # type: ignore[arg-type]

    def _labels(self) -> dict[str, str]:
        # From each quad's N-Triples text (one call into pyoxigraph): "s p o [g]".
        content: dict[str, list[str]] = {}  # blank node -> "p o" lines ("p _:id" for a blank o)
        children: dict[str, list[str]] = {}  # blank node -> the blank nodes it points at
        parents: dict[str, list[tuple[str, str, bool]]] = {}  # child -> (parent, p, blank?)
        for quad, _, _, name in self._held:
            line = str(quad)
            if name is not None:
                line = line[: -len(name) - 1]
            subject, predicate, obj = line.split(" ", 2)
            blank = subject[:2] == "_:"
            if blank:
                content.setdefault(subject, []).append(f"{predicate} {obj}")
            if obj[:2] == "_:":
                parents.setdefault(obj, []).append((subject, predicate, blank))
                content.setdefault(obj, [])
                if blank:
                    children.setdefault(subject, []).append(obj)
        digests = _digests(content, children)
        labels: dict[str, str] = {}
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
                labels[key] = "_:b" + _hash(base if count == 1 else f"{base} {count}")[:31]
                active.discard(key)
                stack.pop()
        return {key[2:]: label[2:] for key, label in labels.items()}


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
