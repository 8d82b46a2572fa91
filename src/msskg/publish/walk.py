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
import itertools
from collections.abc import Iterator
from typing import NamedTuple

import pyoxigraph as ox

__all__ = ["Node", "Object", "resources", "triples_of"]

Object = ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple


class Node(NamedTuple):
    """A subject and its triples in order. A blank node object is nested as a
    :class:`Node` where it is first reached, and is its label after that;
    ``shared`` says that more than one triple points at this node."""

    subject: ox.NamedNode | ox.BlankNode
    edges: list[tuple[ox.NamedNode, Object | Node]]
    shared: bool = False


_ROOTS = """SELECT DISTINCT ?b WHERE { ?b ?p ?o FILTER (isBlank(?b))
FILTER NOT EXISTS { ?s ?q ?b } }"""


def resources(store: ox.Store, *, sharing: bool = False) -> Iterator[Node]:
    """Every resource of ``store`` (all its graphs, as one graph), in order;
    ``sharing`` finds out which blank nodes more than one triple points at
    (JSON-LD needs to know; it costs a lookup per blank node)."""
    union = next(iter(store.named_graphs()), None) is not None
    found = store.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER (isIRI(?s)) }",
        use_default_graph_as_union=union,
    )
    assert isinstance(found, ox.QuerySolutions)
    walker = _Walker(store, union=union, sharing=sharing)
    for iri in sorted(row[0].value for row in found):
        yield walker.node(ox.NamedNode(iri), iri)
    if not union and walker.count == len(store):
        return  # every triple written: no blank node is left unreached
    roots = store.query(_ROOTS, use_default_graph_as_union=union)
    assert isinstance(roots, ox.QuerySolutions)
    keyed = sorted((walker.digest(row[0]), row[0].value, row[0]) for row in roots)
    for index, (digest, _, blank) in enumerate(keyed):
        same = index > 0 and keyed[index - 1][0] == digest
        yield walker.node(blank, f"{digest}-{index}" if same else digest)


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
    def __init__(self, store: ox.Store, *, union: bool, sharing: bool):
        self.store = store
        self.union = union
        self.sharing = sharing
        self.count = 0  # triples walked
        self.labels: dict[str, ox.BlankNode] = {}  # the store's blank node id -> stable label
        self._digests: dict[str, str] = {}
        self._fetched: dict[str, Edges] = {}  # edges read for a digest, until the node is walked

    def _edges(self, subject: ox.NamedNode | ox.BlankNode) -> Edges:
        if not self.union:
            quads = self.store.quads_for_pattern(subject, None, None, ox.DefaultGraph())
            return [(q.predicate, q.object) for q in quads]
        # a triple in several graphs is one triple here
        return list(
            {(q.predicate, q.object) for q in self.store.quads_for_pattern(subject, None, None)}
        )

    def digest(self, blank: ox.BlankNode, path: frozenset[str] = frozenset()) -> str:
        """A hash of what ``blank`` says, its nested blank nodes by their digests."""
        if (known := self._digests.get(blank.value)) is not None:
            return known
        if blank.value in path:  # a cycle of blank nodes: cut it there
            return "cycle"
        inner = path | {blank.value}
        edges = self._fetched[blank.value] = self._edges(blank)
        lines = sorted(
            f"{p} {'_:' + self.digest(o, inner) if isinstance(o, ox.BlankNode) else o}"
            for p, o in edges
        )
        value = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]
        self._digests[blank.value] = value
        return value

    def node(self, subject: ox.NamedNode | ox.BlankNode, key: str) -> Node:
        """``subject`` with its triples, nesting the blank nodes it reaches
        first; ``key`` is its IRI, or the label it gets if it is a blank node."""
        own: ox.NamedNode | ox.BlankNode = subject
        shared = False
        if isinstance(subject, ox.BlankNode):
            own = self.labels[subject.value] = ox.BlankNode("b" + key)
            self._digests.pop(subject.value, None)
            if self.sharing:
                pointers = self.store.quads_for_pattern(None, None, subject)
                shared = len({(q.subject, q.predicate) for q in itertools.islice(pointers, 8)}) > 1
            fetched = self._fetched.pop(subject.value, None)
        else:
            fetched = None
        edges: list[tuple[tuple[str, str], ox.NamedNode, Object | Node]] = []
        seen: dict[str, int] = {}
        for predicate, value in fetched if fetched is not None else self._edges(subject):
            if isinstance(value, ox.BlankNode):
                if (label := self.labels.get(value.value)) is not None:
                    edges.append(((predicate.value, str(label)), predicate, label))
                    continue
                child = f"{key} {predicate} {self.digest(value)}"
                child = hashlib.sha256(child.encode()).hexdigest()[:24]
                count = seen[child] = seen.get(child, 0) + 1
                nested = self.node(value, child if count == 1 else f"{child}-{count}")
                edges.append(((predicate.value, str(nested.subject)), predicate, nested))
            else:
                edges.append(((predicate.value, str(value)), predicate, value))
        edges.sort(key=lambda edge: edge[0])
        self.count += len(edges)
        return Node(own, [(p, v) for _, p, v in edges], shared)
