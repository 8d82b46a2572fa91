"""Canonical blank-node labels, and the order every export writes the graph
in: both msskg's own, made from the graph's N-Triples text alone (not from
the files, their order, a parser's ids or a store's order), so the same graph
gives the same bytes every time.

A blank node is labelled from where it hangs and what it says: a hash of its
parent (IRI or label), the predicate, and its own content (its triples, nested
blank nodes by their content), so editing one quote changes that quote's
labels and nothing outside its fact: a dump kept in git diffs to what changed.
A node no triple points at is labelled from its content alone; one that
several point at, from all of them (its root: the least). A label is "b", then "1" if
several triples point at the node ("0" if one or none), then 30 hex digits of
that hash. (RDFC-1.0, which pyoxigraph offers as ``Dataset.canonicalize``,
numbers the nodes by the whole graph's shape: one new node renumbers others.)

The order (:func:`lay_out`): each triple goes with its root (its subject, or
for a blank subject the IRI at the top of its chain of least parents, or the
top node of a tree no IRI reaches). The rest of the graph comes first, then
the facts (IRI subjects with ``prov:wasDerivedFrom`` a blank node with
``oa:hasSource S``) by their sources; within each, roots by their N-Triples
text (IRIs before blank nodes), and a root's lines sorted: its own triples,
then those of the blank nodes under it, which is what JSON-LD nests
(publish/walk.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Container, Iterable, Iterator
from typing import NamedTuple

import pyoxigraph as ox

__all__ = ["Layout", "graph_lines", "lay_out"]

_DERIVED = b"<http://www.w3.org/ns/prov#wasDerivedFrom>"
_HAS_SOURCE = b"<http://www.w3.org/ns/oa#hasSource> <"
_QUOTE_OR_IRI = b'">'

Lines = list[bytes]


class Layout(NamedTuple):
    """The graph's N-Triples lines by root (labelled, sorted; a blank node's
    lines may be one entry, joined by line feeds), each fact's sources, and
    each blank node's label by the id the store gave it."""

    roots: dict[bytes, Lines]
    sources: dict[bytes, tuple[bytes, ...]]
    labels: dict[bytes, bytes]

    def groups(self) -> Iterator[tuple[tuple[bytes, ...], list[tuple[bytes, Lines]]]]:
        """Each set of sources (none first: the rest) with its roots and their
        lines, in order."""
        sources = self.sources
        found: dict[tuple[bytes, ...], list[bytes]] = {}
        for root in self.roots:
            found.setdefault(sources.get(root, ()), []).append(root)
        for group in sorted(found):
            yield group, [(root, self.roots[root]) for root in sorted(found[group])]


def graph_lines(store: ox.Store) -> Lines:
    """The triples of every graph of ``store`` as N-Triples lines (an export
    reads a dataset's graphs as one graph), split as the dump comes: the
    whole text is never held beside them."""
    graphs = [ox.DefaultGraph(), *store.named_graphs()]
    lines = _Lines()
    for graph in graphs:
        store.dump(lines, ox.RdfFormat.N_TRIPLES, from_graph=graph)  # type: ignore[arg-type]
    return lines.lines if len(graphs) == 1 else list(set(lines.lines))


class _Lines:
    """A stream that keeps what is written to it as lines (a line feed ends
    one: N-Triples escapes every other line break)."""

    def __init__(self) -> None:
        self.lines: Lines = []
        self._rest = b""

    def write(self, data: bytes) -> int:
        *whole, self._rest = (self._rest + data).split(b"\n")
        self.lines += whole
        return len(data)

    def flush(self) -> None:
        """Nothing is held back but a line not yet ended."""


def lay_out(lines: Lines) -> Layout:
    """The graph whose N-Triples ``lines`` (each triple once) are given,
    laid out with canonical labels. ``lines`` is emptied once read, so that
    the graph's text is held once."""
    roots: dict[bytes, Lines] = {}
    said: dict[bytes, Lines] = {}  # blank subject -> "p o" of its other objects
    kids: dict[bytes, list[tuple[bytes, bytes]]] = {}  # blank node -> (p, blank object)
    parents: dict[bytes, list[tuple[bytes, bytes]]] = {}  # blank node -> (subject, p)
    quotes: dict[bytes, Lines] = {}  # IRI -> its prov:wasDerivedFrom blank nodes
    # A store dumps a subject's triples together: each line is first asked
    # whether it is the last one's subject's (any order gives the same layout).
    subject, start, blank, own = b"\n", 0, False, []
    for line in lines:
        if not line.startswith(subject):
            start = line.index(b" ") + 1
            subject = line[:start]
            s = subject[:-1]
            blank = s[:2] == b"_:"
            own = (said if blank else roots).setdefault(s, [])
        # an object that ends in a quote or ">" (a literal, an IRI) is no blank node
        if line[-3] not in _QUOTE_OR_IRI:
            end = line.index(b" ", start)
            if line[end + 1 : end + 3] == b"_:":
                p, o = line[start:end], line[end + 1 : -2]
                if (up := parents.get(o)) is None:
                    parents[o] = [(s, p)]
                else:
                    up.append((s, p))
                if blank:
                    kids.setdefault(s, []).append((p, o))
                elif p == _DERIVED:
                    quotes.setdefault(s, []).append(o)
                continue
        own.append(line[start:-2] if blank else line)
    lines.clear()
    sources: dict[bytes, tuple[bytes, ...]] = {}
    for fact, found in quotes.items():
        named = {
            line[len(_HAS_SOURCE) - 1 :]
            for q in found
            for line in said.get(q, ())
            if line.startswith(_HAS_SOURCE)
        }
        if named:
            sources[fact] = tuple(sorted(named))
    digests, cycles = _digests(said, kids, parents)
    places = _places(_tangled(cycles, kids, parents), digests, kids, parents)
    namer = _Namer(digests, parents, places)
    labels, tops, label_of = namer.labels, namer.tops, namer.label

    def lines_of(root: bytes) -> Lines:
        if (found := roots.get(root)) is None:
            found = roots[root] = []
        return found

    # The common case first: trees under one IRI each, top down, each node
    # named (as _Namer.name would) and its lines written with the line that
    # points at it, into its root's lines (an IRI subject's: there already).
    queue = [
        n
        for n, above in parents.items()
        if len(above) == 1 and above[0][0][:1] == b"<" and n not in places
    ]
    for node in queue:
        ((key, p),) = parents[node]
        parent = labels.get(key, key)
        label = labels[node] = label_of(b"%s %s %s" % (parent, p, namer.digests[node]), b"_:b0")
        bucket = roots[tops.setdefault(node, tops.get(key, key))]
        bucket.append(b"%s %s %s ." % (parent, p, label))
        pairs = said.get(node)
        if (below := kids.get(node)) is not None:
            queue += [c for _, c in below if len(parents[c]) == 1 and c not in places]
            if pairs:  # its other lines come with its kids'
                bucket += [b"%s %s ." % (label, pair) for pair in pairs]
        elif pairs:  # sorted: its lines at once (no other line starts with its label)
            bucket.append(b"%s %s ." % (label, (b" .\n%s " % label).join(pairs)))
    # The rest (several parents, blank roots, cycles), blank parents first.
    rest: Lines = []
    unnamed = sorted((n for n in namer.digests if n not in labels), key=namer.rank)
    _after(unnamed, namer.blank_parents, labels, lambda node: rest.append(namer.name(node)))
    for node in rest:
        label, bucket = labels[node], lines_of(tops[node])
        bucket += [b"%s %s ." % (label, pair) for pair in said.get(node, ())]
        for s, p in parents.get(node, ()):
            if s[:2] == b"_:":
                lines_of(tops[s]).append(b"%s %s %s ." % (labels[s], p, label))
            else:
                lines_of(s).append(b"%s %s %s ." % (s, p, label))
    for bucket in roots.values():
        bucket.sort()
    return Layout(roots, sources, labels)


def _hash(text: bytes) -> bytes:
    return hashlib.sha256(text).digest()


def _digests(
    said: dict[bytes, Lines],
    kids: dict[bytes, list[tuple[bytes, bytes]]],
    parents: dict[bytes, list[tuple[bytes, bytes]]],
) -> tuple[dict[bytes, bytes], list[list[bytes]]]:
    """A hash of what each blank node says, nested blank nodes by their
    digests; and the cycles of blank nodes."""
    digests: dict[bytes, bytes] = {}
    for n, lines in said.items():
        if n not in kids:
            lines.sort()  # in place: as its lines are written
            digests[n] = _hash(b"\n".join(lines))

    for node, pairs in kids.items():  # most point only at nodes that point at none
        try:
            lines = said[node] + [p + b" _:" + digests[c] for p, c in pairs]
        except KeyError:  # at one not hashed yet: in order, below
            continue
        lines.sort()
        digests[node] = _hash(b"\n".join(lines))
    left = [n for n in [*kids, *parents] if n not in digests]

    def below(node: bytes) -> list[bytes]:
        return [c for _, c in kids.get(node, ()) if c not in digests]

    def written(node: bytes, last: dict[bytes, bytes]) -> Lines:  # ``last``: the ring's
        pairs = kids.get(node, ())
        return said.get(node, []) + [
            p + b" _:" + (last[c] if c in last else digests[c]) for p, c in pairs
        ]

    cycles = []
    for ring in _rings(left, below):
        cycle = len(ring) > 1 or ring[0] in below(ring[0])
        # a cycle's size tells apart rings whose nodes say the same (refining cannot)
        digests.update(
            _refine(ring, dict.fromkeys(ring, b"%d" % len(ring) if cycle else b""), written)
        )
        if cycle:
            cycles.append(ring)
    return digests, cycles


class _Namer:
    """Blank nodes' labels and roots, blank parents labelled first."""

    def __init__(
        self,
        digests: dict[bytes, bytes],
        parents: dict[bytes, list[tuple[bytes, bytes]]],
        places: dict[bytes, bytes],
    ):
        self.digests, self.parents, self.places = digests, parents, places
        self.labels: dict[bytes, bytes] = {}
        self.tops: dict[bytes, bytes] = {}
        self.seen: dict[bytes, int] = {}

    def label(self, base: bytes, kind: bytes) -> bytes:
        """The label of a node of ``base`` ("_:b0" or "_:b1" ``kind``)."""
        # nodes of one base say the same things from the same place: numbered in
        # the order they are named (of their places, where they are tangled)
        count = self.seen[base] = self.seen.get(base, 0) + 1
        own = hashlib.sha256(base if count == 1 else b"%s %d" % (base, count)).hexdigest()
        return kind + own[:30].encode()

    def name(self, node: bytes) -> bytes:
        """Label ``node``; returns it."""
        labels, tops = self.labels, self.tops
        above = self.parents.get(node, [])
        key = above[0][0] if len(above) == 1 else b""
        if key[:1] == b"<" or key in labels:  # one parent, IRI or labelled
            base = b"%s %s %s" % (labels.get(key, key), above[0][1], self.digests[node])
        else:  # all its parents; a cycle of blank nodes is cut where it closes
            places = sorted(
                (labels.get(s, s), p, s) for s, p in above if s[:2] != b"_:" or s in labels
            )
            key = places[0][2] if places else b""
            base = b"".join(b"%s %s " % (label, p) for label, p, _ in places) + self.digests[node]
        if key:
            top = tops.get(key, key)
        else:  # no parent (or only a cycle's): a root of its own
            base, top = self.digests[node], b""
        label = labels[node] = self.label(base, b"_:b1" if len(above) > 1 else b"_:b0")
        tops[node] = top or label
        return node

    def blank_parents(self, node: bytes) -> list[bytes]:
        """In the order they are named (:meth:`rank`)."""
        found = [s for s, _ in self.parents.get(node, ()) if s[:2] == b"_:"]
        return sorted(found, key=self.rank) if len(found) > 1 else found

    def rank(self, node: bytes) -> bytes:
        """Where ``node`` comes in the order nodes are named."""
        return self.places.get(node) or self.digests[node]


def _rings(nodes: list[bytes], below: Callable[[bytes], list[bytes]]) -> Iterator[list[bytes]]:
    """The strongly connected sets of ``nodes`` (``below``: a node's
    neighbours among them), each after every set it reaches (Tarjan's
    algorithm, without recursion: lists can be deep)."""
    index: dict[bytes, int] = {}
    low: dict[bytes, int] = {}
    stack: list[bytes] = []
    on_stack: set[bytes] = set()

    def enter(node: bytes) -> tuple[bytes, Iterator[bytes]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        return node, iter(below(node))

    for start in nodes:
        if start in index:
            continue
        work = [enter(start)]
        while work:
            node, todo = work[-1]
            for child in todo:
                if child not in index:
                    work.append(enter(child))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    ring = [stack.pop()]
                    while ring[-1] != node:
                        ring.append(stack.pop())
                    on_stack.difference_update(ring)
                    yield ring


def _refine(
    nodes: list[bytes],
    start: dict[bytes, bytes],
    lines: Callable[[bytes, dict[bytes, bytes]], Lines],
) -> dict[bytes, bytes]:
    """Hashes for ``nodes`` (one node, a cycle's, or a tangled set's), told
    apart round by round (colour refinement): each round hashes a node's last
    hash (``start`` at first) and its ``lines`` written with the last hashes,
    until a round tells no more nodes apart (at most one round a node). That
    depends on the graph alone, not on the order its lines came in."""
    last = start
    for _ in nodes:
        hashes = {}
        for node in nodes:
            found = lines(node, last)
            found.sort()
            hashes[node] = _hash(last[node] + b"\n".join(found))
        settled = len(set(hashes.values())) == len(set(last.values()))
        last = hashes
        if settled:
            break
    return last


def _tangled(
    cycles: list[list[bytes]],
    kids: dict[bytes, list[tuple[bytes, bytes]]],
    parents: dict[bytes, list[tuple[bytes, bytes]]],
) -> list[bytes]:
    """The blank nodes joined through blank nodes to a cycle or to a node that
    several triples point at: where nodes alike in what they say can stand in
    places that are not alike, and so are named in an order of their places."""
    found = {node for ring in cycles for node in ring}
    found.update(node for node, above in parents.items() if len(above) > 1)
    todo = list(found)
    while todo:
        node = todo.pop()
        near = [c for _, c in kids.get(node, ())]
        near += [s for s, _ in parents.get(node, ()) if s[:2] == b"_:"]
        for other in near:
            if other not in found:
                found.add(other)
                todo.append(other)
    return sorted(found)


def _places(
    tangled: list[bytes],
    digests: dict[bytes, bytes],
    kids: dict[bytes, list[tuple[bytes, bytes]]],
    parents: dict[bytes, list[tuple[bytes, bytes]]],
) -> dict[bytes, bytes]:
    """For each of the ``tangled`` nodes, a hash of where it stands: its
    digest, what points at it (an IRI as written) and what it points at,
    refined round by round. Nodes are named in this order, so that where a
    cycle is cut, and how nodes that several point at are numbered, is the
    graph's choice: the digests look only down."""

    def around(node: bytes, last: dict[bytes, bytes]) -> Lines:  # ``last``: the tangled ones'
        up = [b"^%s %s" % (p, last.get(s, s)) for s, p in parents.get(node, ())]
        return up + [p + b" _:" + last[c] for p, c in kids.get(node, ())]

    return _refine(tangled, {n: digests[n] for n in tangled}, around) if tangled else {}


def _after(
    starts: Iterable[bytes],
    before: Callable[[bytes], list[bytes]],
    done: Container[bytes],
    visit: Callable[[bytes], None],
) -> None:
    """``visit`` each node of ``starts`` not ``done``, after the nodes
    ``before`` it, without recursion (lists can be deep); a cycle is cut
    where it closes."""
    for start in starts:
        if start in done:
            continue
        stack, active = [start], set()
        while stack:
            node = stack[-1]
            if node in done:
                stack.pop()
                continue
            todo = [n for n in before(node) if n not in done and n not in active]
            if todo and node not in active:
                active.add(node)
                stack.extend(todo)
                continue
            visit(node)
            active.discard(node)
            stack.pop()
