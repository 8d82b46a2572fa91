"""Export's store (laid out by graph/labels.py) read back one resource at a
time, in flat memory: what JSON-LD nests.

Each group of the store (the facts of one set of sources, or the rest) is two
graphs: the triples of its IRI subjects and those of its blank subjects.
pyoxigraph dumps each as N-Triples in the store's own order (IRI subjects by
the hash pyoxigraph files them under, blank subjects by label, each subject's
triples together), and the two are read side by side: a blank node's label
starts with that hash of its root, so the blank nodes of each IRI subject come
next in the second when the first reaches it, and are nested into it there (a
fact's interval, instants and quotes). A blank node that several triples point
at, or that no IRI reaches, is a resource of its own where its label puts it.
The order is a function of the terms alone: byte-identical output run after
run, and from the files in any order. Terms stay N-Triples text (a quoted
N-Triples literal as pyoxigraph writes it is a JSON string of the same value):
making Python objects of them cost more than the whole dump.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import IO

import pyoxigraph as ox

from msskg.graph.jsonld import Edges, Node, subjects
from msskg.graph.labels import Group

__all__ = ["group_nodes"]


def group_nodes(store: ox.Store, group: Group) -> Iterator[Node]:
    """The resources of ``group`` in ``store``: two ordered dumps, merged."""
    with _dumped(store, group.blank) as blank_file, _dumped(store, group.named) as named_file:
        blanks = subjects(blank_file)
        pending = next(blanks, None)
        for subject, edges in subjects(named_file):
            prefix = None
            for _, value in edges:
                if value[19:20] == "0" and value[:2] == "_:":
                    prefix = value[:19]  # "_:b" and the hash of its root: this subject's
                    break
            if prefix is None:
                yield Node(subject, edges)
                continue
            closure: dict[str, Edges] = {}  # the blank nodes only this subject's chain points at
            shared: list[Node] = []
            while pending is not None and (head := pending[0][:19]) <= prefix:
                label, rest = pending
                if head != prefix:  # reached from no IRI before this one: a resource of its own
                    yield Node(label, rest, True)
                elif label[19] == "0":
                    closure[label] = rest
                else:  # several triples point at it: a resource of its own
                    shared.append(Node(label, rest, True))
                pending = next(blanks, None)
            yield Node(subject, edges, False, closure)  # its writer nests what it points at
            for label, rest in closure.items():  # in a cycle, reached from no IRI: its own
                yield Node(label, rest, True)
            yield from shared
        while pending is not None:
            yield Node(pending[0], pending[1], True)
            pending = next(blanks, None)


def _dumped(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> IO[str]:
    """``graph`` as N-Triples in a temporary file (gone when closed), read
    line by line (only "\\n" ends a line: a literal may hold U+2028)."""
    raw = tempfile.TemporaryFile(prefix="msskg-export-")  # noqa: SIM115 (the caller closes it)
    store.dump(raw, ox.RdfFormat.N_TRIPLES, from_graph=graph)
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
