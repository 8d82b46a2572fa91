"""CPU seconds of each SHACL-SPARQL constraint of ontology/shapes.ttl on a
folder of data, as `msskg validate --data` evaluates it (one query per
constraint with $this bound to the shape's targets, or msskg's native check),
after the same bulk load and source checks; slowest first.

    .venv/bin/python bench/constraints.py /tmp/msskg-1m/data
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import NamespaceManager

from msskg.graph.memory import without_gc
from msskg.graph.store import parse_into
from msskg.validate import fast
from msskg.validate.fast import union_of_graphs
from msskg.validate.paths import SH, target_shapes
from msskg.validate.sources import (
    StoreView,
    ontology_file,
    read_shapes,
    shapes_file,
    source_checks,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a folder of RDF files")
    args = parser.parse_args()
    store = ox.Store()
    parse_into(store, sorted(p for p in args.data.iterdir() if p.is_file()), bulk=True)
    parse_into(store, [ontology_file()], bulk=True)
    union_of_graphs(store)
    view = StoreView(store, NamespaceManager(Graph()))
    source_checks(view)  # takes ill-formed dates out, as validate does
    shapes = read_shapes([shapes_file()], as_written=True)
    rows: list[tuple[float, str, int]] = []
    with without_gc():  # as validate runs them
        for shape in target_shapes(shapes):
            for n, constraint in enumerate(shapes.objects(shape, SH.sparql)):
                start = time.process_time()
                found = list(fast._sparql_results(view, shapes, shape, constraint))
                name = f"{str(shape).rsplit('#', 1)[-1]} #{n + 1}"
                rows.append((time.process_time() - start, name, len(found)))
    for seconds, name, count in sorted(rows, reverse=True):
        print(f"{seconds:6.2f} s  {count:6} results  {name}")
    print(f"{sum(r[0] for r in rows):6.2f} s  in all")


if __name__ == "__main__":
    main()
