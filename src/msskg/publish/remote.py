"""Remote SPARQL servers: saved queries run over the SPARQL 1.1 Protocol
(:class:`EndpointBackend`), and the graph pushed over the SPARQL 1.1 Graph Store
HTTP Protocol (:func:`push`). HTTP is the standard library's urllib."""

from __future__ import annotations

import hashlib
import secrets
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyoxigraph as ox

from msskg.errors import EndpointError, EndpointResponseError, ParameterError, first_line
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.publish.transport import (
    AUTH_ENV,
    DEFAULT_TIMEOUT,
    TOKEN_ENV,
    checked_timeout,
    checked_url,
    send,
)
from msskg.query.catalogue import Binding, SavedQuery
from msskg.query.results import (
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    SparqlLookups,
    Term,
)
from msskg.query.text import check_syntax
from msskg.query.values import bind_values, query_form
from msskg.vocab import XSD

if TYPE_CHECKING:
    import rdflib

__all__ = [
    "AUTH_ENV",
    "DEFAULT_TIMEOUT",
    "SKOLEM_PREFIX",
    "TOKEN_ENV",
    "EndpointBackend",
    "PushMode",
    "PushedGraph",
    "push",
]

# Blank nodes are shared between the named graphs of one push (an interval
# belongs to every source that states it), but each Graph Store request is a
# document of its own, in which the server gives blank nodes fresh identities.
# So they travel as Skolem IRIs (RDF 1.1 Concepts, 3.5) and are turned back
# into blank nodes in query results. The IRIs are the blank nodes' canonical
# labels (RDFC-1.0) after a hash of the canonical graph, so that pushing the
# same graph twice sends the same IRIs, and a different graph different ones.
SKOLEM_PREFIX = "https://w3id.org/msskg/.well-known/genid/"

PushMode = Literal["replace", "append"]


class EndpointBackend(SparqlLookups):
    """A SPARQL 1.1 Protocol endpoint (``http://localhost:7878/query`` on
    Oxigraph) as an engine for :func:`msskg.query.run_query`. The server should
    query the union of its graphs by default, as msskg does locally."""

    remote = True  # it plans by its own limits: msskg.query.shape is for local engines

    def __init__(self, endpoint: str, *, timeout: float | None = None):
        self.endpoint = checked_url(endpoint)
        self.timeout = checked_timeout(timeout)

    @property
    def prefixes(self) -> Mapping[str, str]:
        return DEFAULT_PREFIXES

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult:
        check_syntax(query)  # the local error, not the server's own wording of a 400
        form = query_form(query.text)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        accept = (
            "application/n-triples, text/turtle;q=0.8"
            if graph
            else "application/sparql-results+json, application/sparql-results+xml;q=0.8"
        )
        body = urllib.parse.urlencode({"query": bind_values(query, bindings)}).encode()
        content_type, answer = send(
            self.endpoint,
            method="POST",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            timeout=self.timeout,
        )
        media = content_type.partition(";")[0].strip().lower()
        try:
            if graph:
                return _graph_result(media or "application/n-triples", answer)
            return _solutions_result(media or "application/sparql-results+json", answer)
        except (SyntaxError, ValueError) as err:
            raise EndpointResponseError(
                f"{self.endpoint} sent a malformed {form} answer: {first_line(err)}"
            ) from None


def _solutions_result(media: str, answer: bytes) -> QueryResult:
    fmt = ox.QueryResultsFormat.from_media_type(media)
    if fmt is None:
        raise ValueError(f"its Content-Type is {media}, not a SPARQL results format")
    parsed = ox.parse_query_results(answer, fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return AskResult(bool(parsed))
    names = tuple(v.value for v in parsed.variables)
    rows = tuple(tuple(_unskolemize(s[i]) for i in range(len(names))) for s in parsed)
    return SelectResult(names, rows)


def _graph_result(media: str, answer: bytes) -> QueryResult:
    fmt = ox.RdfFormat.from_media_type(media)
    if fmt is None:
        raise ValueError(f"its Content-Type is {media}, not an RDF format")
    quads = ox.parse(answer, fmt)
    terms = ((_unskolemize(q.subject), q.predicate, _unskolemize(q.object)) for q in quads)
    return GraphResult(tuple(ox.Triple(*triple) for triple in terms))  # type: ignore[arg-type]


_BOOLEAN = ox.NamedNode(XSD + "boolean")
_CANONICAL_BOOLEANS = {"1": "true", "0": "false"}


def _unskolemize(term: Term | None) -> Term | None:
    """The term as msskg gives it locally: a Skolem IRI back as its blank node,
    a boolean in its canonical form (Virtuoso writes true as 1)."""
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN:
        canonical = _CANONICAL_BOOLEANS.get(term.value.strip())
        return ox.Literal(canonical, datatype=_BOOLEAN) if canonical else term
    if isinstance(term, ox.NamedNode) and term.value.startswith(SKOLEM_PREFIX):
        try:
            return ox.BlankNode(urllib.parse.unquote(term.value[len(SKOLEM_PREFIX) :]))
        except ValueError:
            return term
    return term


# Pushing the graph.


@dataclass(frozen=True)
class PushedGraph:
    """One graph sent: its name (None for the default graph) and its size."""

    graph: str | None
    triples: int


def push(
    endpoint: str,
    *,
    data: Sequence[Path | str] | None = None,
    mode: PushMode = "replace",
    sources: bool = True,
    graph: str | None = None,
    timeout: float | None = None,
    update: str | None = None,
) -> list[PushedGraph]:
    """Send the graph (bundled, or ``data``) to a Graph Store Protocol
    ``endpoint`` (``http://localhost:7878/store`` on Oxigraph): the whole graph
    into the default graph, which is what queries read, or into the named
    graph ``graph`` (for servers such as Virtuoso that have no writable default
    graph: query it with ``?default-graph-uri=``), and, unless ``sources`` is
    false, each source text's facts into a named graph of their own, split as
    ``msskg export -f trig`` does. ``replace`` PUTs each graph (replacing what
    the server holds under that name), ``append`` POSTs it (adding to it);
    other graphs are left alone. Blank nodes travel as Skolem IRIs made from
    the graph's canonical form, so pushing the same graph twice, even with
    ``append``, leaves the same triples. With ``update``, the server's SPARQL
    Update endpoint, each graph is first written under a staging name, and one
    update request then moves (or adds) them all into place: a failure before
    that replaces nothing, and a server that runs an update request as one
    transaction (Oxigraph) switches all the graphs or none."""
    if mode not in ("replace", "append"):
        raise ParameterError(f'unknown push mode "{mode}"; use replace or append')
    url = checked_url(endpoint)
    timeout = checked_timeout(timeout)
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:  # pyoxigraph takes absolute IRIs only
            raise ParameterError(f'"{graph}" is not an absolute IRI to name a graph') from None
    update = checked_url(update) if update else None
    from msskg.graph.dataset import load_graph, union_graph
    from msskg.publish.export import by_source

    # The whole graph goes to the default graph, rather than only what no
    # source claims, because servers that query the union of their graphs
    # (Oxigraph 0.5, Virtuoso) count a triple once per graph holding it.
    whole, digest = _canonical(union_graph(load_graph(data=data)))
    graphs: list[tuple[str | None, Iterable[tuple[object, object, object]]]] = [(graph, whole)]
    if sources:
        dataset = by_source(whole)
        named = [g for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier]
        graphs += sorted(((str(g.identifier), g) for g in named), key=lambda pair: pair[0] or "")
    pushed: list[PushedGraph] = []
    skolem = _skolemizer(digest)
    token = secrets.token_hex(8)
    stages = [f"urn:msskg:staging:{token}:{n}" for n in range(len(graphs))]
    drops = [f"DROP SILENT GRAPH <{s}>" for s in stages]  # a staged push undone, or ended
    for (name, triples), stage in zip(graphs, stages, strict=True):
        body = [ox.Triple(*map(skolem, triple)) for triple in triples]  # type: ignore[arg-type]
        try:
            send(
                _graph_url(url, stage if update else name),
                method="PUT" if mode == "replace" or update else "POST",
                body=ox.serialize(body, format=ox.RdfFormat.N_TRIPLES) or b"",
                headers={"Content-Type": "application/n-triples"},
                timeout=timeout,
                store=True,
            )
        except EndpointError as err:
            if update:
                _update(update, drops, timeout, quiet=True)
                done = "replaced" if mode == "replace" else "added to"
                err.args = (f"{err}; no graph was {done} (they go in place at the end)",)
            elif pushed:  # the server now holds some graphs new and the rest old: say which
                err.args = (_partly(str(err), [p.graph for p in pushed], graphs, mode),)
            raise
        pushed.append(PushedGraph(name, len(body)))
    if update:
        verb = "MOVE" if mode == "replace" else "ADD"
        targets = ["DEFAULT" if g is None else f"<{g}>" for g, _ in graphs]
        steps = [f"{verb} <{s}> TO {t}" for s, t in zip(stages, targets, strict=True)]
        try:
            _update(update, steps + ([] if verb == "MOVE" else drops), timeout)
        except EndpointError as err:
            _update(update, drops, timeout, quiet=True)
            err.args = (f"{err}; the graphs were not put in place: run the same msskg push again",)
            raise
    return pushed


def _update(url: str, steps: list[str], timeout: float, *, quiet: bool = False) -> None:
    """One SPARQL Update request of ``steps``; failures are dropped if ``quiet``."""
    try:
        send(
            url,
            method="POST",
            body=" ;\n".join(steps).encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=timeout,
        )
    except EndpointError:
        if not quiet:
            raise


def _partly(
    message: str, done: list[str | None], graphs: Sequence[tuple[str | None, object]], mode: str
) -> str:
    """The error of a push that failed midway, with what it did and did not."""

    def short(name: str | None) -> str:
        return "the default graph" if name is None else name.rstrip("/").rsplit("/", 1)[-1]

    left = [short(name) for name, _ in graphs[len(done) :]]
    verb = "replaced" if mode == "replace" else "added to"
    return (
        f"{message}; {len(done)} of {len(graphs)} graphs were {verb} before it failed "
        f"({', '.join(map(short, done))}), not {', '.join(left)}: run the same msskg push "
        "again to complete it (pushing a graph twice leaves the same triples)"
    )


def _canonical(graph: rdflib.Graph) -> tuple[rdflib.Graph, str]:
    """``graph`` with its blank nodes named by RDFC-1.0 (``c14n0``, ...), and
    the first 16 hex digits of the SHA-256 of its canonical N-Quads."""
    import rdflib

    from msskg.graph.dataset import to_oxigraph, to_rdflib

    dataset = ox.Dataset(ox.Quad(*map(to_oxigraph, triple)) for triple in graph)  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted((ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").splitlines())
    canonical = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        canonical.bind(prefix, namespace, override=True, replace=True)
    for quad in dataset:
        canonical.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return canonical, hashlib.sha256(b"\n".join(lines)).hexdigest()[:16]


def _skolemizer(digest: str) -> Callable[[object], ox.NamedNode | ox.Literal]:
    """Turns rdflib's terms into pyoxigraph's, blank nodes into Skolem IRIs."""
    from rdflib import BNode

    from msskg.graph.dataset import to_oxigraph

    def term(node: object) -> ox.NamedNode | ox.Literal:
        if isinstance(node, BNode):
            label = urllib.parse.quote(f"{digest}-{node}", safe="")
            return ox.NamedNode(SKOLEM_PREFIX + label)
        return to_oxigraph(node)  # type: ignore[return-value]

    return term


def _graph_url(endpoint: str, graph: str | None) -> str:
    query = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
    return f"{endpoint}{'&' if urllib.parse.urlsplit(endpoint).query else '?'}{query}"
