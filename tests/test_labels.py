"""Canonical blank-node labels (graph/labels.py): an export gives the same
labels for the same graph, whatever its files, their order and their syntax,
and editing one quote changes only that quote's labels."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msskg.publish.export import export

FACT = """@prefix e: <https://e/> .
e:fact e:during [ e:start [ e:day "2001-01-01" ] ; e:end [ e:day "2002-01-01" ] ] ;
       e:quote [ e:exact "one" ] , [ e:exact "two" ] .
"""
OTHER = """@prefix e: <https://e/> .
e:other e:during [ e:start [ e:day "2001-01-01" ] ; e:end [ e:day "2002-01-01" ] ] .
[ e:note "a root" ] .
"""


def canonical(*files: Path) -> list[str]:
    """The N-Triples export's lines (no rules in the test homes' data: the graph alone)."""
    return (export("nt", data=list(files)) or "").splitlines()


def test_the_same_graph_gets_the_same_labels_whatever_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(FACT)
    (tmp_path / "b.ttl").write_text(OTHER)
    first = canonical(tmp_path / "a.ttl", tmp_path / "b.ttl")
    # another order, another parse (Turtle's anonymous nodes get fresh ids each time)
    assert canonical(tmp_path / "b.ttl", tmp_path / "a.ttl") == first
    # the same graph as N-Triples, with other labels
    nt = tmp_path / "all.nt"
    store = ox.Store()
    store.load(path=str(tmp_path / "a.ttl"))
    store.load(path=str(tmp_path / "b.ttl"))
    nt.write_bytes(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    assert canonical(nt) == first
    # the same intervals under two facts stay two nodes, with labels of their own
    blanks = {term for line in first for term in re.findall(r"_:(\w+)", line)}
    assert len(blanks) == 9
    assert all(re.fullmatch("b[0-9a-f]{31}", label) for label in blanks)


def test_editing_one_quote_changes_only_its_labels(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(FACT + OTHER.split("\n", 1)[1])
    before = set(canonical(tmp_path / "a.ttl"))
    (tmp_path / "a.ttl").write_text(FACT.replace('"two"', '"deux"') + OTHER.split("\n", 1)[1])
    after = set(canonical(tmp_path / "a.ttl"))
    gone, new = before - after, after - before
    # the quote's own triple, and the fact's triple pointing at it: nothing else
    assert len(gone) == len(new) == 2
    assert [line for line in new if "deux" in line]
    (label,) = {re.findall(r"_:(b\w+)", line)[-1] for line in new}
    assert all(label in line for line in new)


def test_the_order_is_the_graphs_own(tmp_path: Path) -> None:
    lines = canonical(
        *(write(tmp_path, name, text) for name, text in [("a.ttl", FACT), ("b.ttl", OTHER)])
    )
    # each IRI subject's triples, then those of the blank nodes under it; orphans last
    subjects = [line.split(" ", 1)[0] for line in lines]
    assert subjects[:3] == ["<https://e/fact>"] * 3
    assert all(s.startswith("_:b0") for s in subjects[3:9])
    assert subjects[9] == "<https://e/other>"
    assert subjects[-1].startswith("_:b0") and '"a root"' in lines[-1]


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text)
    return folder / name


def test_a_deep_list_and_a_cycle_are_labelled_without_recursion(tmp_path: Path) -> None:
    depth = 5000
    lines = [f"_:n{i} <https://e/next> _:n{i + 1} ." for i in range(depth)]
    lines += [
        "_:x <https://e/p> _:y .",
        "_:y <https://e/p> _:x .",
        "<https://e/a> <https://e/p> _:n0 .",
    ]
    (tmp_path / "deep.nt").write_text("\n".join(lines) + "\n")
    found = canonical(tmp_path / "deep.nt")
    assert len(found) == depth + 3
    assert canonical(tmp_path / "deep.nt") == found


CYCLE = [
    "_:c1 <https://e/next> _:c2 .",
    "_:c2 <https://e/next> _:c3 .",
    "_:c3 <https://e/next> _:c1 .",
    "<https://e/cyc> <https://e/into> _:c2 .",
]


def test_a_cycle_is_cut_where_the_graph_says_whatever_the_order_of_its_lines(
    tmp_path: Path,
) -> None:
    # its three nodes say the same: where the cycle is cut once depended on
    # which came first in the store, and so on the files and their labels
    found = {
        tuple(
            canonical(
                write(tmp_path, f"{n}.nt", "\n".join(order).replace("_:c", "_:" + label) + "\n")
            )
        )
        for n, (order, label) in enumerate(itertools.product(itertools.permutations(CYCLE), "cz"))
    }
    assert len(found) == 1
    # beside a named graph (an export reads the graphs of a dataset as one)
    graph = write(tmp_path, "g.trig", '<https://e/g> { <https://e/x> <https://e/p> "in g" . }')
    (lines,) = found
    (with_graph,) = {tuple(canonical(tmp_path / "0.nt", graph)) for _ in range(6)}
    assert set(with_graph) == {*lines, '<https://e/x> <https://e/p> "in g" .'}


@pytest.mark.parametrize("fmt", ["turtle", "trig", "jsonld"])
def test_a_blank_node_has_the_same_label_in_every_format(home: Path, fmt: str) -> None:
    nt = export("nt") or ""
    ours = {label for label in re.findall(r"_:(b[0-9a-f]+)", nt)}
    text = export(fmt) or ""
    if fmt == "jsonld":
        json.loads(text)  # shared nodes only carry their label in JSON-LD
    theirs = set(re.findall(r"_:(b[0-9a-f]+)", text))
    assert ours and theirs <= ours
    if fmt != "jsonld":
        assert theirs == ours


EDGES = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.sampled_from(["p", "q"]),
        st.one_of(st.integers(0, 6), st.sampled_from(['"v"', '"w"', "<https://e/i>"])),
    ),
    min_size=1,
    max_size=14,
    unique=True,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edges=EDGES, anchors=st.lists(st.integers(0, 6), max_size=2, unique=True), seed=st.randoms())
def test_the_labels_are_the_graph_s_whatever_its_lines_order_and_labels(
    tmp_path: Path, edges: list[tuple[int, str, int | str]], anchors: list[int], seed: random.Random
) -> None:
    # blank nodes in trees, cycles and roots, some that several point at, an IRI above some
    def triples(name: Callable[[int], str]) -> list[str]:
        lines = [
            f"{name(s)} <https://e/{p}> {name(o) if isinstance(o, int) else o} ."
            for s, p, o in edges
        ]
        return lines + [
            f"<https://e/top{n}> <https://e/p> {name(a)} ." for n, a in enumerate(anchors)
        ]

    first = triples(lambda n: f"_:n{n}")
    found = canonical(write(tmp_path, "a.nt", "\n".join(first) + "\n"))
    shuffled = triples(lambda n: f"_:other{6 - n}")
    seed.shuffle(shuffled)
    assert canonical(write(tmp_path, "b.nt", "\n".join(shuffled) + "\n")) == found
