"""Validating the graph: the SHACL shapes in ontology/shapes.ttl, run by the
fast engine (pyoxigraph) or by pySHACL (the reference), plus the checks SHACL
cannot make (dates, bounds, quotes verbatim in their seeds)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from rdflib import Graph

from msskg.errors import MsskgError, UnknownFormatError, ValidationError
from msskg.validate.report import ValidationReport
from msskg.validate.sources import ontology_file, shapes_file

__all__ = ["ENGINES", "validate", "validate_graph"]


ENGINES = ("fast", "pyshacl")


Shapes = Sequence[Path | str] | Path | str | None


def validate(
    *,
    data: Sequence[Path | str] | None = None,
    shapes: Shapes = None,
    engine: str = "fast",
) -> ValidationReport:
    """Validate ``data`` (default: the bundled graph) against ``shapes``: one
    or more SHACL files, by default msskg's own (ontology/shapes.ttl).

    With msskg's shapes, the ontology is added to the data, since the shapes
    find their targets through its rdfs:subClassOf, and msskg's checks of
    dates and quotes run too; other shapes validate the data as given, as
    pySHACL's ``-s`` does. ``engine`` is "fast" (msskg.validate.fast, on
    pyoxigraph) or "pyshacl" (the reference); both give the same results.
    Where the shapes use what the fast engine does not evaluate, it says so
    in one line on stderr and pySHACL runs instead; the report's ``fallback``
    then holds that reason.
    """
    from msskg.graph.dataset import load_graph, union_graph

    files, own = _shape_files(shapes)
    fallback = None
    if _fast_engine(engine):
        from msskg.validate.core import Unsupported
        from msskg.validate.fast import validate_files

        try:
            return _running(lambda: validate_files(data, shapes=files, own_checks=own))
        except Unsupported as err:
            fallback = _falling_back(err)
    graph = union_graph(load_graph(data=data))
    if own:
        graph.parse(ontology_file())
    return replace(validate_graph(graph, shapes=shapes), fallback=fallback)


def validate_graph(
    graph: Graph, *, shapes: Shapes = None, engine: str = "pyshacl"
) -> ValidationReport:
    """Validate an rdflib graph that already holds the data (and, for msskg's
    shapes, the ontology)."""
    files, own = _shape_files(shapes)
    fallback = None
    if _fast_engine(engine):
        from msskg.validate.core import Unsupported
        from msskg.validate.fast import validate_rdflib

        try:
            return _running(lambda: validate_rdflib(graph, shapes=files, own_checks=own))
        except Unsupported as err:
            fallback = _falling_back(err)
    from msskg.validate.pyshacl_engine import run_pyshacl

    return replace(run_pyshacl(graph, files, own_checks=own), fallback=fallback)


def _shape_files(shapes: Shapes) -> tuple[list[Path], bool]:
    """The shapes files, and whether they are msskg's own."""
    if shapes is None:
        return [shapes_file()], True
    files = [Path(shapes)] if isinstance(shapes, (str, Path)) else [Path(s) for s in shapes]
    if not files:
        return [shapes_file()], True
    for path in files:
        if not path.is_file():
            raise ValidationError(f"shapes file not found: {path}")
    own = {p.resolve() for p in files} == {shapes_file().resolve()}
    return files, own


def _falling_back(err: Exception) -> str:
    """Says on stderr, in one line, why the fast engine hands over to pySHACL
    (about 18 times slower on the bundled graph): never silently."""
    reason = f"unsupported: {err}"
    print(f"{reason}; validating with pySHACL instead", file=sys.stderr)
    return reason


def _fast_engine(engine: str) -> bool:
    if engine not in ENGINES:
        raise UnknownFormatError(
            f'unknown validation engine "{engine}"; use one of: {", ".join(ENGINES)}'
        )
    return engine == "fast"


def _running(run: Callable[[], ValidationReport]) -> ValidationReport:
    """Errors of the fast engine's own making, as ValidationError (exit code 2)."""
    try:
        return run()
    except (MsskgError, KeyboardInterrupt):
        raise
    except (SyntaxError, ValueError, TypeError, OSError) as err:
        raise ValidationError(f"validation could not run: {type(err).__name__}: {err}") from None
