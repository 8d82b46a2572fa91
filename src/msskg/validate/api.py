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

    def fast(files: list[Path], own: bool) -> ValidationReport:
        from msskg.validate.fast import validate_files

        return validate_files(data, shapes=files, own_checks=own)

    def graph(own: bool) -> Graph:
        from msskg.graph.dataset import load_graph, union_graph

        loaded = union_graph(load_graph(data=data))
        return loaded.parse(ontology_file()) if own else loaded

    return _run(engine, shapes, fast, graph)


def validate_graph(
    graph: Graph, *, shapes: Shapes = None, engine: str = "pyshacl"
) -> ValidationReport:
    """Validate an rdflib graph that already holds the data (and, for msskg's
    shapes, the ontology)."""

    def fast(files: list[Path], own: bool) -> ValidationReport:
        from msskg.validate.fast import validate_rdflib

        return validate_rdflib(graph, shapes=files, own_checks=own)

    return _run(engine, shapes, fast, lambda own: graph)


def _run(
    engine: str,
    shapes: Shapes,
    fast: Callable[[list[Path], bool], ValidationReport],
    graph: Callable[[bool], Graph],
) -> ValidationReport:
    """``fast(files, own)`` with the fast engine; pySHACL on ``graph(own)``
    with the other, or where the fast engine cannot evaluate the shapes."""
    files, own = _shape_files(shapes)
    if engine not in ENGINES:
        raise UnknownFormatError(
            f'unknown validation engine "{engine}"; use one of: {", ".join(ENGINES)}'
        )
    fallback = None
    if engine == "fast":
        from msskg.validate.paths import Unsupported

        try:
            return fast(files, own)
        except Unsupported as err:
            # never silently: pySHACL is many times slower
            fallback = f"unsupported: {err}"
            print(f"{fallback}; validating with pySHACL instead", file=sys.stderr)
        except (MsskgError, KeyboardInterrupt):
            raise
        except (SyntaxError, ValueError, TypeError, OSError) as err:
            # errors of the fast engine's own making: could not run (exit code 2)
            reason = f"{type(err).__name__}: {err}"
            raise ValidationError(f"validation could not run: {reason}") from None
    from msskg.validate.pyshacl_engine import run_pyshacl

    return replace(run_pyshacl(graph(own), files, own_checks=own), fallback=fallback)


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
