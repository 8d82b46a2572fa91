"""A graph read back one resource at a time, in a stable order, with stable
blank-node labels: what makes exports byte-identical run after run, and a
change to the data a change to only the lines it touches.

Each resource is an IRI subject with its triples and, nested inside, the
blank nodes it reaches (a fact's interval, instants and quotes). Subjects come
in IRI order, each node's triples in predicate-then-object order. A blank node
is labelled from where it hangs and what it says: a hash of its parent (IRI or
label), the predicate, and its own content (its triples, recursively). So the
label is the same whatever the store called the node, and editing one quote
changes that quote's label and nothing outside its fact. Blank nodes that no
IRI reaches come last, each labelled from its content alone. (RDFC-1.0, which
pyoxigraph implements, labels from the whole graph's shape: one new triple
can rename many nodes, so a dump kept in git would not diff to what changed.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import NamedTuple

import pyoxigraph as ox

from msskg.errors import DataError

__all__ = ["Node", "Object", "resources", "triples_of"]

Object = ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple


class Node(NamedTuple):
    """A subject and its triples in order. A blank node object is nested as a
    :class:`Node` where it is first reached, and is its label after that;
    ``shared`` says that more than one triple points at this node."""

    subject: ox.NamedNode | ox.BlankNode
    edges: list[tuple[ox.NamedNode, Object | Node]]
    shared: bool = False


def resources(store: ox.Store, *, sharing: bool = False, canonical: bool = False) -> Iterator[Node]:
    """Every resource of ``store`` (all its graphs, as one graph), in order;
    ``sharing`` marks the blank nodes more than one triple points at (JSON-LD
    needs to know); ``canonical``: the store's blank nodes already carry
    canonical labels (graph/labels.py, made the same way), which are kept.
    The store is read in one pass, in its own order, and held by subject
    until written: per-subject lookups cost a RocksDB seek each (0.1-0.4 ms;
    245k subjects at 1M triples), a pass costs what a dump does."""
    union = next(iter(store.named_graphs()), None) is not None
    walker = _Walker(store, union=union, sharing=sharing, canonical=canonical)
    for iri in sorted(key for key in walker.pending if not key.startswith("_:")):
        yield walker.node(ox.NamedNode(iri), iri)
    # blank nodes no IRI reaches: those no triple points at first, then cycles
    left = sorted(
        (walker.pointed.get(key, 0) > 0, "" if canonical else walker.digest(key), key)
        for key in walker.pending
    )
    written: dict[str, int] = {}
    for _, digest, key in left:
        if key not in walker.pending:
            continue  # reached from a blank node written before it
        # Nodes of one digest say the same things: the nth written gets "-n",
        # whichever of them the store happened to list first.
        count = written[digest] = written.get(digest, 0) + 1
        yield walker.node(ox.BlankNode(key[2:]), digest if count == 1 else f"{digest}-{count}")


def triples_of(node: Node) -> Iterator[ox.Triple]:
    """The triples of ``node``, then those of each node nested in it."""
    for predicate, value in node.edges:
        yield ox.Triple(
            node.subject, predicate, value.subject if isinstance(value, Node) else value
        )
    for _, value in node.edges:
        if isinstance(value, Node):
            yield from triples_of(value)


Edges = list[tuple[ox.NamedNode, Object]]


class _Walker:
    def __init__(self, store: ox.Store, *, union: bool, sharing: bool, canonical: bool):
        self.canonical = canonical
        self.labels: dict[str, ox.BlankNode] = {}  # "_:" + the store's id -> stable label
        self.pointed: dict[str, int] = {}  # how many triples point at each blank node
        self.pending: dict[str, Edges] = {}  # by subject ("_:id" for a blank node), until written
        self._digests: dict[str, str] = {}
        predicates: dict[str, ox.NamedNode] = {}  # one object per predicate, not one per triple
        graph = None if union else ox.DefaultGraph()
        for quad in store.quads_for_pattern(None, None, None, graph):
            subject, predicate, value = quad.subject, quad.predicate, quad.object
            if isinstance(subject, ox.Triple):
                raise DataError(f"cannot export a quoted triple as a subject: {subject}")
            key = subject.value if isinstance(subject, ox.NamedNode) else f"_:{subject.value}"
            predicate = predicates.setdefault(predicate.value, predicate)
            self.pending.setdefault(key, []).append((predicate, value))
            if isinstance(value, ox.BlankNode):  # roots first, whatever the format
                pointer = f"_:{value.value}"
                self.pointed[pointer] = self.pointed.get(pointer, 0) + 1
        if union:  # a triple in several graphs is one triple here
            self.pending = {key: list(dict.fromkeys(edges)) for key, edges in self.pending.items()}

    def digest(self, key: str, path: frozenset[str] = frozenset()) -> str:
        """A hash of what blank node ``key`` says, nested blank nodes by their digests."""
        if (known := self._digests.get(key)) is not None:
            return known
        if key in path:  # a cycle of blank nodes: cut it there
            return "cycle"
        inner = path | {key}
        lines = sorted(
            f"{p} {'_:' + self.digest(f'_:{o.value}', inner) if isinstance(o, ox.BlankNode) else o}"
            for p, o in self.pending.get(key, ())
        )
        value = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]
        self._digests[key] = value
        return value

    def node(self, subject: ox.NamedNode | ox.BlankNode, key: str) -> Node:
        """``subject`` with its triples, nesting the blank nodes it reaches
        first; ``key`` is its IRI, or the label it gets if it is a blank node."""
        own: ox.NamedNode | ox.BlankNode = subject
        shared = False
        if isinstance(subject, ox.BlankNode):
            pointer = f"_:{subject.value}"
            own = self.labels[pointer] = subject if self.canonical else ox.BlankNode("b" + key)
            self._digests.pop(pointer, None)
            shared = self.pointed.get(pointer, 0) > 1
        else:
            pointer = subject.value
        edges: list[tuple[tuple[str, str], ox.NamedNode, Object | Node]] = []
        seen: dict[str, int] = {}
        for predicate, value in self.pending.pop(pointer, []):
            if isinstance(value, ox.BlankNode):
                if (label := self.labels.get(f"_:{value.value}")) is not None:
                    edges.append(((predicate.value, str(label)), predicate, label))
                    continue
                if self.canonical:
                    nested = self.node(value, "")
                    edges.append(((predicate.value, str(nested.subject)), predicate, nested))
                    continue
                child = f"{key} {predicate} {self.digest(f'_:{value.value}')}"
                child = hashlib.sha256(child.encode()).hexdigest()[:24]
                count = seen[child] = seen.get(child, 0) + 1
                nested = self.node(value, child if count == 1 else f"{child}-{count}")
                edges.append(((predicate.value, str(nested.subject)), predicate, nested))
            else:
                edges.append(((predicate.value, str(value)), predicate, value))
        edges.sort(key=lambda edge: edge[0])
        return Node(own, [(p, v) for _, p, v in edges], shared)
