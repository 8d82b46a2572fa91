"""The graph laid out by graph/labels.py read back one resource at a time:
what JSON-LD nests.

Each root (an IRI subject, or a blank node no IRI reaches) comes with its own
triples, then those of the blank nodes under it. Those
that one triple points at are nested into the root by its writer (a fact's
interval, instants and quotes); one that several triples point at (its label
says so) is a resource of its own, with what only it points at nested. Terms
stay N-Triples text (a quoted N-Triples literal as pyoxigraph writes it is a
JSON string of the same value): making Python objects of them cost more than
the whole dump.
"""

from __future__ import annotations

from collections.abc import Iterator

from msskg.graph.jsonld import Edges, Node
from msskg.graph.labels import Layout

__all__ = ["root_nodes"]


def root_nodes(layout: Layout) -> Iterator[Node]:
    """The resources of ``layout``, in its order."""
    for _, roots in layout.groups():
        for root, lines in roots:
            # a line may hold several (a blank node's, written at once)
            yield from _resources(root.decode(), b"\n".join(lines).decode().split("\n"))


def _resources(root: str, lines: list[str]) -> Iterator[Node]:
    """A root with what it nests, then the shared blank nodes under it with
    theirs, then what none nested (a cycle) as resources of their own."""
    edges: Edges = []
    inner: dict[str, Edges] = {}  # the blank nodes under the root that one triple points at
    shared: dict[str, Edges] = {}  # those several point at
    for line in lines:
        subject, predicate, value = line.split(" ", 2)
        if subject == root:
            edges.append((predicate, value[:-2]))
        else:
            (shared if subject[3] == "1" else inner).setdefault(subject, []).append(
                (predicate, value[:-2])
            )
    yield Node(root, edges, root[:2] == "_:", inner)
    for label, own in shared.items():
        yield Node(label, own, True, inner)
    while inner:
        label = next(iter(inner))
        yield Node(label, inner.pop(label), True, inner)
