"""The rdflib engine: the same queries on an rdflib Dataset, for comparison
with pyoxigraph and for callers that hold an rdflib graph already. Imported
only when asked for, so that ``msskg query`` starts without rdflib."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from pyparsing import ParseException

from msskg.graph.dataset import to_oxigraph, to_rdflib
from msskg.query.catalogue import Binding, SavedQuery, labels_query
from msskg.query.results import AskResult, GraphResult, QueryResult, SelectResult
from msskg.query.text import query_syntax_error

__all__ = ["RdflibBackend"]

# rdflib fetches the graph a FROM or FROM NAMED names (a web address or a
# local file) when the dataset lacks it; msskg queries only the graph it loaded.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class RdflibBackend:
    """The rdflib engine for :func:`msskg.query.run_query`."""

    def __init__(self, dataset: rdflib.Dataset):
        self.dataset = dataset
        self.prefixes: Mapping[str, str] = {
            prefix: str(namespace) for prefix, namespace in dataset.namespaces()
        }

    def labels(self, text: str | None = None, *, limit: int | None = None) -> list[tuple[str, str]]:
        wanted = {} if text is None else {"wanted": rdflib.Literal(text)}
        rows = self.dataset.query(labels_query(text, limit), initBindings=wanted)
        return [(str(row[0]), str(row[1])) for row in rows]  # type: ignore[index]

    def mentions(self, iri: str) -> bool:
        node = rdflib.URIRef(iri)
        return (node, None, None) in self.dataset or (None, None, node) in self.dataset

    def is_a(self, iri: str, kind: str) -> bool:
        node, cls = rdflib.URIRef(iri), rdflib.URIRef(kind)
        known = self.dataset.query(
            "ASK { ?thing rdf:type/rdfs:subClassOf* ?kind }",
            initBindings={"kind": cls},
            initNs={"rdf": rdflib.RDF, "rdfs": rdflib.RDFS},
        )
        if not known.askAnswer:  # no ontology: nothing is known to be of the kind
            return True
        answer = self.dataset.query(
            "ASK { ?thing rdf:type/rdfs:subClassOf* ?kind }",
            initBindings={"thing": node, "kind": cls},
            initNs={"rdf": rdflib.RDF, "rdfs": rdflib.RDFS},
        )
        return bool(answer.askAnswer)

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult:
        initial = {name: to_rdflib(term) for name, term in bindings.items()}
        try:
            answer = self.dataset.query(query.text, initBindings=initial)
        except ParseException as err:
            raise query_syntax_error(query, err.msg, line=err.lineno, column=err.col) from None
        if answer.type == "ASK":
            return AskResult(bool(answer.askAnswer))
        if answer.type == "SELECT":
            names = tuple(str(v) for v in answer.vars or ())
            rows = tuple(
                tuple(None if t is None else to_oxigraph(t) for t in row)  # type: ignore[union-attr]
                for row in answer
            )
            return SelectResult(names, rows)
        assert answer.graph is not None
        return GraphResult(
            tuple(
                ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                for s, p, o in answer.graph
            )
        )
