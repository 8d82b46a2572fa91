"""The fast validation engine: the same results as pySHACL, from a pyoxigraph
store. Core constraints are evaluated set by set (msskg.validate.core); each
SHACL-SPARQL constraint runs as ONE query with $this bound to the shape's
targets, instead of once per focus node; the source checks read the store.
Where the shapes use something this engine does not evaluate, it says so
(Unsupported) and msskg.validate.api falls back to pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from msskg.graph.dataset import to_rdflib
from msskg.graph.files import resolve_files
from msskg.graph.lexer import SKIPPED
from msskg.graph.memory import without_gc
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.graph.store import parse_into
from msskg.validate.components import COMPONENTS
from msskg.validate.core import CoreResult, CoreValidator
from msskg.validate.native import native_rows
from msskg.validate.paths import SH, Term, Unsupported, paths_of, target_shapes, targets_where
from msskg.validate.report import (
    MSH,
    ValidationReport,
    ValidationResult,
    order_key,
    result_of,
    shape_name,
)
from msskg.validate.sources import (
    StoreView,
    as_graph,
    bounds_and_quotes,
    ill_formed_dates,
    ontology_file,
    read_shapes,
    store_of,
)

__all__ = [
    "Unsupported",
    "union_of_graphs",
    "validate_files",
    "validate_rdflib",
    "validate_store",
]


def validate_files(
    files: Sequence[Path | str] | None, *, shapes: Sequence[Path], own_checks: bool = True
) -> ValidationReport:
    """Validate RDF files (default: the bundled graph); with ``own_checks``
    (msskg's shapes), with the ontology and msskg's source checks."""
    store = ox.Store()
    names = NamespaceManager(Graph())
    # Bound as the pySHACL path's rdflib graph binds them: the data's prefixes,
    # msskg's own over them, then the ontology's where they do not clash.
    paths = resolve_files(files)
    for prefix, namespace in parse_into(store, paths, bulk=True).items():
        names.bind(prefix, namespace, override=True, replace=True)
    for prefix, namespace in DEFAULT_PREFIXES.items():
        names.bind(prefix, namespace, override=True, replace=True)
    # the bundled graph already holds the ontology; user data does not
    if own_checks and ontology_file().resolve() not in {path.resolve() for path in paths}:
        for prefix, namespace in parse_into(store, [ontology_file()], bulk=True).items():
            names.bind(prefix, namespace, override=False)
    return validate_store(store, names, shapes=shapes, own_checks=own_checks)


def validate_rdflib(
    graph: Graph, *, shapes: Sequence[Path], own_checks: bool = True
) -> ValidationReport:
    """Validate an rdflib graph (data and ontology), keeping its blank node ids."""
    return validate_store(
        store_of(graph), graph.namespace_manager, shapes=shapes, own_checks=own_checks
    )


def validate_store(
    store: ox.Store, names: NamespaceManager, *, shapes: Sequence[Path], own_checks: bool = True
) -> ValidationReport:
    """Validate what ``store`` holds, the union of all its graphs; ill-formed
    dates are reported, then taken out of the store (as pySHACL is spared them
    in msskg.validate.pyshacl_engine)."""
    with without_gc():
        return _validate_store(store, names, shapes, own_checks)


def _validate_store(
    store: ox.Store, names: NamespaceManager, shapes: Sequence[Path], own_checks: bool
) -> ValidationReport:
    union_of_graphs(store)
    shapes_graph = read_shapes(shapes, as_written=True)
    view = StoreView(store, names)
    results = ill_formed_dates(view)[0] if own_checks else []
    core = CoreValidator(store, shapes_graph, COMPONENTS)
    top = target_shapes(shapes_graph)
    core.sparql_ok = {s for s in top if (s, SH.path, None) not in shapes_graph}
    # msskg.validate.pyshacl_engine hands pySHACL a copy without the data's prefixes when it
    # took ill-formed dates out, and pySHACL's generic messages show it.
    stripped = any(r.shape == str(MSH.WellFormedDateCheck) for r in results)
    messages = _Messages(shapes_graph, view, NamespaceManager(Graph()) if stripped else names)
    uses = [paths_of(shapes_graph, shape) for shape in top]
    # The SPARQL constraints' queries run in a second thread while this one
    # makes the other checks and evaluates the core (pyoxigraph lets go of the
    # GIL while it evaluates); each shape's results are still taken in order,
    # so the first Unsupported is the one a run shape by shape meets.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = [
            [
                pool.submit(_constraint_rows, store, shapes_graph, shape, constraint)
                for constraint in shapes_graph.objects(shape, SH.sparql)
            ]
            for shape in top
        ]
        try:
            results += bounds_and_quotes(view) if own_checks else []
            for n, shape in enumerate(top):
                found = core.validate(shape, None)
                results.extend(messages.result(view, shapes_graph, r) for r in found)
                for rows in pending[n]:
                    results.extend(_results_of(view, shapes_graph, shape, *rows.result()))
                core.forget_paths(set().union(*uses[n + 1 :]))
        finally:
            pool.shutdown(cancel_futures=True)
    return ValidationReport(tuple(sorted(results, key=order_key)))


def union_of_graphs(store: ox.Store) -> None:
    """Moves every named graph's triples into the default graph: the data graph
    of a dataset (TriG, N-Quads, JSON-LD) is the union of its graphs, as pySHACL
    reads it, and every query here reads the default graph."""
    if next(iter(store.named_graphs()), None) is not None:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } ; DROP NAMED")


# --- results ---------------------------------------------------------------------------


class _Messages:
    """Result messages: the shape's sh:message, else pySHACL's own generic one
    (pySHACL is imported only when a shape without a message fails)."""

    def __init__(self, shapes: Graph, view: StoreView, names: NamespaceManager):
        self.shapes = shapes
        self.view = view
        self.names = names
        self._pyshacl_shapes: object = None

    def result(self, view: StoreView, shapes: Graph, found: CoreResult) -> ValidationResult:
        focus = to_rdflib(found.focus)
        value = None if found.value is None else to_rdflib(found.value)
        own = [str(m) for m in shapes.objects(found.shape, SH.message)]
        message = min(own) if own else self._generic(found, focus, value)
        path = found.path if found.path is not None else shapes.value(found.shape, SH.path)
        return _result(
            view, shapes, found.shape, found.component, focus, value, message, path, found.detail
        )

    def _generic(self, found: CoreResult, focus: Node, value: Node | None) -> str:
        from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
        from pyshacl.shapes_graph import ShapesGraph

        if self._pyshacl_shapes is None:
            self._pyshacl_shapes = ShapesGraph(self.shapes)
            _ = self._pyshacl_shapes.shapes  # builds pySHACL's index of the shapes
        shape = self._pyshacl_shapes.lookup_shape_from_node(found.shape)  # type: ignore[attr-defined]
        component = CONSTRAINT_PARAMETERS_MAP[found.param](shape)
        messages = component.make_generic_messages(
            self.view.cbd([focus, value], self.names), focus, value
        )
        return str(messages[0]) if messages else ""


def _result(
    view: StoreView,
    shapes: Graph,
    shape: Node,
    component: str,
    focus: Node,
    value: Node | None,
    message: str,
    path: Node | None,
    detail: bool = False,
) -> ValidationResult:
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    name, iri = shape_name(shapes, shape), str(SH[component])
    return result_of(
        as_graph(view),
        name,
        iri,
        focus,
        value,
        message,
        path=path,
        severity=severity,
        detail=detail,
    )


# --- SHACL-SPARQL constraints, one query each -----------------------------------------------


Rows = list[dict[str, Term]]


def _constraint_rows(
    store: ox.Store, shapes: Graph, shape: Node, constraint: Node
) -> tuple[list[str], Rows]:
    """The constraint's messages and its solutions (none if it is deactivated)."""
    if (constraint, SH.deactivated, Literal(True)) in shapes:
        return [], []
    select = shapes.value(constraint, SH.select)
    messages = [str(m) for m in shapes.objects(constraint, SH.message)]
    messages += [str(m) for m in shapes.objects(shape, SH.message) if str(m) not in messages]
    if select is None or not messages:
        raise Unsupported(f"sh:sparql on {shape} without sh:select or sh:message")
    targets = targets_where(shapes, shape)
    native = native_rows(store, str(select), targets)
    if native is not None:
        return messages, native
    query = _prefixes(shapes, constraint) + _restricted(str(select), targets)
    return messages, list(_solutions(store, query))


def _results_of(
    view: StoreView, shapes: Graph, shape: Node, messages: list[str], rows: Rows
) -> Iterator[ValidationResult]:
    seen: set[tuple[object, ...]] = set()
    for row in rows:
        bound = dict(row)
        this, path, value = (
            bound.pop("this", None),
            bound.pop("path", None),
            bound.pop("value", None),
        )
        if this is None:
            raise Unsupported(f"the sh:select of {shape} does not return $this")
        key = (this, path, value, frozenset(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        value = value if value is not None else this
        fill = {
            **bound,
            "this": this,
            **({"path": path} if path is not None else {}),
            "value": value,
        }
        text = messages[0]
        for name, term in fill.items():
            text = re.sub(f"{{[?$]{name}}}", term.value, text)
        focus = to_rdflib(this)
        result_value = to_rdflib(value)
        rdf_path = None if path is None else to_rdflib(path)
        yield _result(
            view, shapes, shape, "SPARQLConstraintComponent", focus, result_value, text, rdf_path
        )


def _solutions(store: ox.Store, query: str) -> Iterator[dict[str, Term]]:
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    for row in solutions:  # type: ignore[union-attr]
        yield {name: row[name] for name in variables if row[name] is not None}


_SKIP = re.compile(SKIPPED)


# A SELECT's projection, up to its WHERE or group. SHACL requires a sub-query to
# select $this, which is then joined to the focus node like any other pattern.
_SUBSELECT = re.compile(r"(?i)\bselect\b(.*?)(?:\bwhere\b|\{)", re.S)


def _restricted(select: str, targets: str) -> str:
    """``select`` with ``targets`` joined first into its WHERE group, so that
    $this is bound before anything else is evaluated, as when pySHACL
    pre-binds it."""
    if re.search(r"\$(currentShape|shapesGraph|PATH)\b", select) or any(
        not re.search(r"[$?]this\b", projection)
        for projection in _SUBSELECT.findall(_SKIP.sub(" ", select))[1:]
    ):
        raise Unsupported(
            "SPARQL constraints with $currentShape, $shapesGraph or $PATH,"
            " or with a sub-query that does not select $this"
        )
    position = 0
    while (match := _SKIP.search(select, position)) is not None and select.find(
        "{", position, match.start()
    ) < 0:
        position = match.end()
    brace = select.find("{", position)
    if brace < 0:
        raise Unsupported("a SPARQL constraint without a WHERE group")
    return f"{select[: brace + 1]} {targets} {select[brace + 1 :]}"


def _prefixes(shapes: Graph, constraint: Node) -> str:
    declared: dict[str, str] = {}
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix, namespace = (
                shapes.value(declaration, SH.prefix),
                shapes.value(declaration, SH.namespace),
            )
            if prefix is not None and namespace is not None:
                declared[str(prefix)] = str(namespace)
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in declared.items())
