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
from msskg.query.catalogue import Binding, SavedQuery
from msskg.query.results import AskResult, GraphResult, QueryResult, SelectResult, SparqlLookups
from msskg.query.text import query_syntax_error

__all__ = ["RdflibBackend"]

# rdflib fetches the graph a FROM or FROM NAMED names (a web address or a
# local file) when the dataset lacks it; msskg queries only the graph it loaded.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class RdflibBackend(SparqlLookups):
    """The rdflib engine for :func:`msskg.query.run_query`."""

    def __init__(self, dataset: rdflib.Dataset):
        self.dataset = dataset
        self.prefixes: Mapping[str, str] = {
            prefix: str(namespace) for prefix, namespace in dataset.namespaces()
        }

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
        triples = (ox.Triple(*map(to_oxigraph, triple)) for triple in answer.graph)  # type: ignore[arg-type]
        return GraphResult(tuple(triples))
