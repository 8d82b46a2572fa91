"""Loading RDF files with rdflib, for export, validation and modelling, and
converting terms between rdflib and pyoxigraph. Imported only by the commands
that need rdflib, so that ``msskg query`` starts without it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import rdflib
import rdflib.term

from msskg.errors import DataError, DataSyntaxError, first_line
from msskg.graph.files import data_syntax_error, rdf_format, resolve_files
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.graph.scan import check_data_depth
from msskg.vocab import XSD_STRING

__all__ = [
    "load_graph",
    "to_oxigraph",
    "to_rdflib",
    "union_graph",
]

_RDFLIB_FORMATS = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.JSON_LD: "json-ld",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.N_TRIPLES: "nt",
    ox.RdfFormat.N_QUADS: "nquads",
}
# rdflib logs a traceback for each ill-typed literal ("May 2020"^^xsd:date) it
# parses; msskg validate reports those itself, as one finding each.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def load_graph(*, data: Sequence[Path | str] | None = None) -> rdflib.Dataset:
    """``data`` (or the bundled graph) in an rdflib Dataset whose default graph
    is the union of all its graphs, as in :func:`msskg.graph.store.open_store`."""
    dataset = rdflib.Dataset(default_union=True)
    for path in resolve_files(data):
        check_data_depth(path)
        if rdf_format(path) == ox.RdfFormat.JSON_LD:
            try:  # rdflib fetches a remote @context from whatever host the file names
                _check(path)
            except (OSError, ValueError) as err:
                raise DataError(f"{path}: {err}") from None
        try:
            dataset.parse(
                path, format=_RDFLIB_FORMATS[rdf_format(path)], publicID=path.resolve().as_uri()
            )
        except DataError:
            raise
        except Exception as err:  # rdflib's parsers raise many types; report where
            raise _locate(path, err) from None
    for name, namespace in DEFAULT_PREFIXES.items():
        dataset.bind(name, namespace, override=True, replace=True)
    return dataset


def _check(path: Path) -> None:
    """Parse ``path`` with pyoxigraph, which refuses a remote ``@context`` and
    says exactly where a file breaks (rdflib often does not)."""
    try:
        for _ in ox.parse(path=path, format=rdf_format(path), base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as err:
        raise data_syntax_error(path, err) from None


def _locate(path: Path, err: Exception) -> DataSyntaxError:
    try:
        _check(path)
    except DataSyntaxError as located:
        return located
    except (OSError, ValueError):
        pass
    return DataSyntaxError(f"{path}: {first_line(err)}", path=path)


def union_graph(dataset: rdflib.Dataset) -> rdflib.Graph:
    """Every triple of every graph in ``dataset``, in one graph, with its prefixes."""
    union = rdflib.Graph()
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace, override=True, replace=True)
    for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Triple):
        raise DataError("rdflib cannot hold RDF-star triples as terms")
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    # rdflib tells "x" from "x"^^xsd:string; its parsers make the former.
    if term.datatype.value == XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_oxigraph(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
