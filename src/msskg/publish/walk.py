"""Export's store (laid out by graph/labels.py) read back one resource at a
time, in flat memory: what JSON-LD nests.

Each group of the store (the facts of one set of sources, or the rest) is two
graphs: the triples of its IRI subjects and those of its blank subjects. Both
are read in the store's own order, side by side: IRI subjects by the hash
pyoxigraph files them under, blank subjects by label, and a blank node's
label starts with that hash of its root. So the blank nodes of each IRI
subject come next in the second scan when the first reaches it, and are
nested into it there (a fact's interval, instants and quotes). A blank node
that several triples point at, or that no IRI reaches, is a resource of its
own where its label puts it. The order is a function of the terms alone:
byte-identical output run after run, and from the files in any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import pyoxigraph as ox

from msskg.errors import DataError
from msskg.graph.labels import Group

__all__ = ["Node", "Object", "group_nodes", "nodes_of"]

Object = ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple
Subject = ox.NamedNode | ox.BlankNode


class Node(NamedTuple):
    """A subject and its triples in the store's order, each blank node it
    alone points at nested as a :class:`Node`; ``shared``: a blank node that
    is a resource of its own (several triples point at it, or none)."""

    subject: Subject
    edges: list[tuple[ox.NamedNode, Object | Node]]
    shared: bool = False


def nodes_of(quads: Iterable[ox.Quad]) -> Iterator[Node]:
    """A resource for each run of one subject in ``quads``, nothing nested."""
    for subject, edges in _subjects(quads):
        yield Node(subject, list(edges), type(subject) is ox.BlankNode)


def group_nodes(store: ox.Store, group: Group) -> Iterator[Node]:
    """The resources of ``group`` in ``store``: two ordered scans, merged."""
    blanks = _subjects(store.quads_for_pattern(None, None, None, group.blank))
    pending = next(blanks, None)
    for subject, edges in _subjects(store.quads_for_pattern(None, None, None, group.named)):
        prefix = None
        for _, value in edges:
            if type(value) is ox.BlankNode and value.value[17:18] == "0":
                prefix = value.value[:17]  # "b" and the hash of its root: this subject's
                break
        if prefix is None:
            yield Node(subject, edges)  # type: ignore[arg-type]
            continue
        closure: dict[str, tuple[Subject, list[tuple[ox.NamedNode, Object]]]] = {}
        while pending is not None and (head := pending[0].value[:17]) <= prefix:
            if head == prefix:
                closure[pending[0].value] = pending
            else:  # reached from no IRI before this one: a resource of its own
                yield Node(pending[0], pending[1], True)  # type: ignore[arg-type]
            pending = next(blanks, None)
        yield _nest(subject, edges, closure)
        for node, rest in closure.values():  # several point at it (or a cycle): its own
            yield Node(node, rest, True)  # type: ignore[arg-type]
    while pending is not None:
        yield Node(pending[0], pending[1], True)  # type: ignore[arg-type]
        pending = next(blanks, None)


def _nest(
    subject: Subject,
    edges: list[tuple[ox.NamedNode, Object]],
    closure: dict[str, tuple[Subject, list[tuple[ox.NamedNode, Object]]]],
) -> Node:
    nested: list[tuple[ox.NamedNode, Object | Node]] = []
    for predicate, value in edges:
        if type(value) is ox.BlankNode and value.value[17:18] == "0":
            found = closure.pop(value.value, None)
            if found is not None:
                nested.append((predicate, _nest(found[0], found[1], closure)))
                continue
        nested.append((predicate, value))
    return Node(subject, nested)


def _subjects(
    quads: Iterable[ox.Quad],
) -> Iterator[tuple[Subject, list[tuple[ox.NamedNode, Object]]]]:
    """Each subject with its (predicate, object) pairs, for quads grouped by subject."""
    current: Subject | None = None
    edges: list[tuple[ox.NamedNode, Object]] = []
    for quad in quads:
        subject = quad.subject
        if subject != current:
            if current is not None:
                yield current, edges
            if type(subject) is ox.Triple:
                raise DataError(f"cannot export a quoted triple as a subject: {subject}")
            current, edges = subject, []
        edges.append((quad.predicate, quad.object))
    if current is not None:
        yield current, edges
