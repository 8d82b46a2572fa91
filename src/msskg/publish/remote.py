"""Remote SPARQL servers: saved queries run over the SPARQL 1.1 Protocol
(:class:`EndpointBackend`), and the graph pushed over the SPARQL 1.1 Graph Store
HTTP Protocol (:func:`push`). HTTP is the standard library's urllib."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyoxigraph as ox

from msskg.errors import (
    EndpointError,
    EndpointHTTPError,
    EndpointResponseError,
    EndpointTimeoutError,
    EndpointUnreachableError,
    ParameterError,
)
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.query.catalogue import Binding, SavedQuery
from msskg.query.engines import ask_mentions, select_labels
from msskg.query.results import AskResult, GraphResult, QueryResult, SelectResult, Term
from msskg.query.text import query_syntax_error
from msskg.query.values import bind_values, query_form

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

AUTH_ENV = "MSSKG_ENDPOINT_AUTH"
"""``user:password``, sent as HTTP Basic authentication, and as Digest
authentication to a server that asks for it (Virtuoso's /sparql-graph-crud-auth)."""
TOKEN_ENV = "MSSKG_ENDPOINT_TOKEN"
"""A token, sent as ``Authorization: Bearer TOKEN``."""
DEFAULT_TIMEOUT = 60.0
# Blank nodes are shared between the named graphs of one push (an interval
# belongs to every source that states it), but each Graph Store request is a
# document of its own, in which the server gives blank nodes fresh identities.
# So they travel as Skolem IRIs (RDF 1.1 Concepts, 3.5) and are turned back
# into blank nodes in query results. The IRIs are the blank nodes' canonical
# labels (RDFC-1.0) after a hash of the canonical graph, so that pushing the
# same graph twice sends the same IRIs, and a different graph different ones.
SKOLEM_PREFIX = "https://w3id.org/msskg/.well-known/genid/"

PushMode = Literal["replace", "append"]


class EndpointBackend:
    """A SPARQL 1.1 Protocol endpoint (``http://localhost:7878/query`` on
    Oxigraph) as an engine for :func:`msskg.query.run_query`. The server should
    query the union of its graphs by default, as msskg does locally."""

    def __init__(self, endpoint: str, *, timeout: float | None = None):
        self.endpoint = checked_url(endpoint)
        self.timeout = checked_timeout(timeout)

    @property
    def prefixes(self) -> Mapping[str, str]:
        return DEFAULT_PREFIXES

    def labels(self) -> list[tuple[str, str]]:
        return select_labels(self)

    def mentions(self, iri: str) -> bool:
        return ask_mentions(self, iri)

    def execute(self, query: SavedQuery, bindings: Mapping[str, Binding]) -> QueryResult:
        check_syntax(query)
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
            detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise EndpointResponseError(
                f"{self.endpoint} sent a malformed {form} answer: {detail}"
            ) from None


def check_syntax(query: SavedQuery) -> None:
    """Refuse SPARQL that does not parse before sending it, with the error (and
    exit code) that the same query gets locally; servers answer such a query
    with an HTTP 400 whose wording is their own."""
    try:
        # Parsed, never run: the answer is a lazy iterator over an empty store.
        ox.Store().query(query.text)
    except SyntaxError as err:
        raise query_syntax_error(query, str(err)) from None
    except (RuntimeError, ValueError, OSError):
        pass


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
    return GraphResult(
        tuple(
            ox.Triple(
                _unskolemize(quad.subject),  # type: ignore[arg-type]
                quad.predicate,
                _unskolemize(quad.object),  # type: ignore[arg-type]
            )
            for quad in ox.parse(answer, fmt)
        )
    )


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
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
    ``append``, leaves the same triples."""
    if mode not in ("replace", "append"):
        raise ParameterError(f'unknown push mode "{mode}"; use replace or append')
    url = checked_url(endpoint)
    timeout = checked_timeout(timeout)
    if graph is not None:
        graph = _checked_graph_name(graph)
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
    pushed, skolem = [], _skolemizer(digest)
    for name, triples in graphs:
        body = [ox.Triple(*map(skolem, triple)) for triple in triples]  # type: ignore[arg-type]
        send(
            _graph_url(url, name),
            method="PUT" if mode == "replace" else "POST",
            body=ox.serialize(body, format=ox.RdfFormat.N_TRIPLES) or b"",
            headers={"Content-Type": "application/n-triples"},
            timeout=timeout,
            store=True,
        )
        pushed.append(PushedGraph(name, len(body)))
    return pushed


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


def _checked_graph_name(graph: str) -> str:
    try:
        ox.NamedNode(graph)
    except ValueError:
        raise ParameterError(f'"{graph}" is not an absolute IRI to name a graph') from None
    if not urllib.parse.urlsplit(graph).scheme:
        raise ParameterError(f'"{graph}" is not an absolute IRI to name a graph')
    return graph


def _graph_url(endpoint: str, graph: str | None) -> str:
    query = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
    return f"{endpoint}{'&' if urllib.parse.urlsplit(endpoint).query else '?'}{query}"


# HTTP.


def checked_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(
            f'"{url}" is not the http(s) URL of a SPARQL endpoint '
            "(e.g. http://localhost:7878/query)"
        )
    return url


def checked_timeout(seconds: float | None) -> float:
    """``seconds``, or :data:`DEFAULT_TIMEOUT` for None."""
    if seconds is None:
        return DEFAULT_TIMEOUT
    if not seconds > 0:
        raise EndpointError(f"the timeout must be a positive number of seconds, not {seconds}")
    return seconds


def credentials() -> dict[str, str]:
    """The Authorization header that $MSSKG_ENDPOINT_TOKEN or $MSSKG_ENDPOINT_AUTH asks for."""
    token, auth = os.environ.get(TOKEN_ENV), os.environ.get(AUTH_ENV)
    if token and auth:
        raise EndpointError(f"set {AUTH_ENV} or {TOKEN_ENV}, not both")
    if token:
        return {"Authorization": f"Bearer {token}"}
    if auth:
        if ":" not in auth:
            raise EndpointError(f"{AUTH_ENV} must be user:password")
        return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode("ascii")}
    return {}


def _digest_handler(url: str) -> urllib.request.HTTPDigestAuthHandler | None:
    """A handler answering Digest challenges with $MSSKG_ENDPOINT_AUTH, if set."""
    auth = os.environ.get(AUTH_ENV)
    if not auth or ":" not in auth or os.environ.get(TOKEN_ENV):
        return None
    user, _, password = auth.partition(":")
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    return urllib.request.HTTPDigestAuthHandler(passwords)


def _opener(url: str) -> urllib.request.OpenerDirector:
    """urllib's opener, answering a Digest challenge with $MSSKG_ENDPOINT_AUTH
    (Virtuoso's authenticated Graph Store endpoint asks for Digest)."""
    handler = _digest_handler(url)
    return urllib.request.build_opener(*([handler] if handler else []))


def _digest_answer(url: str, method: str, timeout: float) -> str | None:
    """The Authorization header answering the Digest challenge that a HEAD
    request without credentials draws from ``url``; None if it draws none."""
    handler = _digest_handler(url)
    if handler is None:
        return None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return None
    except urllib.error.HTTPError as err:
        if err.code != 401:
            return None
        scheme, _, challenge = (err.headers.get("WWW-Authenticate") or "").partition(" ")
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None
    if scheme.lower() != "digest":
        return None
    fields = urllib.request.parse_keqv_list(
        [f for f in urllib.request.parse_http_list(challenge) if f]
    )
    answer = handler.get_authorization(urllib.request.Request(url, method=method), fields)
    return f"Digest {answer}" if answer else None


def _open(
    url: str,
    method: str,
    body: bytes,
    headers: Mapping[str, str],
    auth: Mapping[str, str],
    timeout: float,
) -> tuple[str, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    for name, value in auth.items():
        # Unredirected: credentials never follow a redirect to another server.
        request.add_unredirected_header(name, value)
    with _opener(url).open(request, timeout=timeout) as response:
        return response.headers.get("Content-Type", ""), response.read()


def send(
    url: str,
    *,
    method: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    store: bool = False,
) -> tuple[str, bytes]:
    """One HTTP request; the answer's Content-Type and body. Every way it can
    fail becomes one of the EndpointError classes, with a one-line message."""
    auth = credentials()
    try:
        try:
            return _open(url, method, body, headers, auth, timeout)
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError) as err:
            # Virtuoso answers Basic credentials with a bare 401 (or, with a
            # large body, closes the connection before reading it); a bodiless
            # request without them gets the Digest challenge to answer.
            challenged = isinstance(err, urllib.error.HTTPError) and (
                err.code != 401 or bool(err.headers.get("WWW-Authenticate"))
            )
            digest = None if challenged else _digest_answer(url, method, timeout)
            if digest is None:
                raise
            return _open(url, method, body, headers, {"Authorization": digest}, timeout)
    except urllib.error.HTTPError as err:
        raise _http_error(url, err, store=store) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise _timeout(url, timeout) from None
        raise EndpointUnreachableError(
            f"cannot reach {url}: {_reason(err.reason)} (is the server running? check the URL)"
        ) from None
    except TimeoutError:
        raise _timeout(url, timeout) from None
    except ConnectionError as err:
        raise EndpointUnreachableError(f"lost the connection to {url}: {_reason(err)}") from None
    except (http.client.HTTPException, OSError) as err:
        raise EndpointResponseError(
            f"{url} did not answer in HTTP: {_reason(err) or type(err).__name__}"
        ) from None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def _timeout(url: str, seconds: float) -> EndpointTimeoutError:
    return EndpointTimeoutError(f"{url} did not answer within {seconds:g} s (raise --timeout)")


def _http_error(url: str, err: urllib.error.HTTPError, *, store: bool) -> EndpointHTTPError:
    try:
        text = err.read(4096).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        text = ""
    if text.lstrip().startswith("<"):
        text = re.sub(r"<[^>]*>", "\n", text)  # an HTML error page: its words only
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    message = f"{url} answered HTTP {err.code} {err.reason}" + (f": {first[:200]}" if first else "")
    if err.code in (401, 403):
        message += f" (set {AUTH_ENV}=user:password or {TOKEN_ENV}=TOKEN)"
    elif store and err.code in (404, 405):
        message += " (is this the server's Graph Store endpoint? see --store-endpoint)"
    return EndpointHTTPError(message, status=err.code)
