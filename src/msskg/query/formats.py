"""Writing query results: the W3C SPARQL 1.1 results formats exactly (by
pyoxigraph's serializers), aligned text tables and Markdown for people, and RDF
for CONSTRUCT and DESCRIBE."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from msskg.errors import OutputError, visible
from msskg.graph.prefixes import DEFAULT_PREFIXES, shorten
from msskg.query.registry import FORMATS, GRAPH, RESULTS, names, unknown_format
from msskg.query.results import (
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    SelectStream,
    Term,
)
from msskg.query.tables import (
    clip,
    display_width,
    empty_column,
    fit,
    narrow_columns,
    one_date_style,
)
from msskg.vocab import XSD_STRING

__all__ = [
    "GRAPH_FORMATS",
    "SELECT_FORMATS",
    "clip",
    "default_format",
    "display_width",
    "format_result",
]

W3C_FORMATS: Mapping[str, ox.QueryResultsFormat] = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
"""The results formats a SELECT's rows stream in."""
SELECT_FORMATS = names(RESULTS)
GRAPH_FORMATS = names(GRAPH)
_RDF = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


def default_format(result: QueryResult | SelectStream, *, terminal: bool) -> str:
    """``table`` for a person at a terminal, ``csv`` for a pipe, ``turtle`` for RDF."""
    if isinstance(result, GraphResult):
        return "turtle"
    return "table" if terminal else "csv"


def format_result(
    result: QueryResult,
    fmt: str,
    *,
    prefixes: Mapping[str, str] = DEFAULT_PREFIXES,
    wide: bool = True,
    every_column: bool = False,
) -> str:
    """The result as text in format ``fmt``. IRIs are shortened with
    ``prefixes`` in ``table`` and ``md`` only, and dates written month first
    there take the tables' one style ("19 November 1945"); the other formats
    are exact. Unless ``wide``, ``table`` and ``md`` leave out the columns of
    IRIs and of parameter date bounds (a last line names them), and ``table``
    shortens long text with "…" to fit the terminal (:func:`msskg.query.tables.table_width`).
    ``every_column`` keeps every column but still shortens (the columns a
    user chose: a summary's, or those of SPARQL text)."""
    kind, fits = _kind(result)
    if fmt not in names(kind):
        raise unknown_format(fmt, kind, fits=fits)
    writer = FORMATS[fmt].load()
    return writer(result, fmt, prefixes=prefixes, wide=wide, every_column=every_column)


def _kind(result: QueryResult) -> tuple[str, str]:
    if isinstance(result, GraphResult):
        return GRAPH, "a CONSTRUCT or DESCRIBE query"
    return RESULTS, "an ASK query" if isinstance(result, AskResult) else "a SELECT query"


def w3c_result(result: SelectResult | AskResult, fmt: str, **_: object) -> str:
    """The result in a W3C SPARQL 1.1 results format, by pyoxigraph's serializers."""
    if isinstance(result, AskResult) and fmt in ("csv", "tsv"):
        return _boolean(result)  # the W3C CSV/TSV formats have no boolean form
    if fmt == "json":  # byte for byte what pyoxigraph writes (tested)
        return _w3c_json(result)
    solutions = ox.parse_query_results(_w3c_json(result), ox.QueryResultsFormat.JSON)
    try:
        return _text(solutions.serialize(format=W3C_FORMATS[fmt]))
    except MemoryError as err:  # pyoxigraph reads no JSON value over 16 MiB back
        raise OutputError(
            f"a value of the answer is too large to write in {fmt} here ({err}); ask for "
            "json, or narrow the query"
        ) from None


def human_text(
    result: SelectResult | AskResult,
    fmt: str,
    *,
    prefixes: Mapping[str, str],
    wide: bool,
    every_column: bool,
    **_: object,
) -> str:
    """An aligned text table (``table``) or Markdown (``md``), for a person."""
    if isinstance(result, AskResult):
        return _boolean(result)
    variables, rows = result.variables, result.rows
    hidden: list[str] = []
    if not wide and not every_column:
        keep = narrow_columns(variables, rows)
        hidden = [v for i, v in enumerate(variables) if i not in keep and not empty_column(rows, i)]
    text = "".join(human_pieces(variables, rows, (), fmt, prefixes, wide or every_column, wide))
    if hidden:
        text += ("\n" if fmt == "md" else "") + f"(--wide adds {', '.join(hidden)})\n"
    return text


def human_pieces(
    variables: Sequence[str],
    rows: Sequence[Sequence[Term | None]],
    more: Iterable[Sequence[Sequence[Term | None]]],
    fmt: str,
    prefixes: Mapping[str, str],
    every: bool,
    wide: bool,
) -> Iterator[str]:
    """A table (``table``) or Markdown (``md``) in pieces: its head, ``rows``,
    then each batch of ``more``, laid out as ``rows`` are: of ``every`` column
    or those :func:`~msskg.query.tables.narrow_columns` keeps, and (unless
    ``wide``) long text shortened to fit the terminal."""
    keep = range(len(variables)) if every else narrow_columns(variables, rows)
    header = [variables[i] for i in keep]

    def cells(row: Sequence[Term | None]) -> list[str]:
        return [one_date_style(display(row[i], prefixes)) for i in keep]

    shown = [cells(row) for row in rows]
    if fmt == "md":
        line = markdown_line
        head = [line(header), "|" + "|".join(" --- " for _ in header) + "|"]
    else:
        shown = shown if wide else fit(header, shown)
        widths = table_widths(header, shown)

        def line(cells: list[str]) -> str:
            fitted = cells if wide else [clip(c, w) for c, w in zip(cells, widths, strict=True)]
            return table_line(fitted, widths)

        head = [table_line(header, widths), "  ".join("-" * w for w in widths)]
    yield "".join(text + "\n" for text in head)
    yield "".join(line(row) + "\n" for row in shown)
    for batch in more:
        yield "".join(line(cells(row)) + "\n" for row in batch)


def _boolean(result: AskResult) -> str:
    return "true\n" if result.value else "false\n"


def _w3c_json(result: SelectResult | AskResult) -> str:
    """The SPARQL 1.1 JSON results document, written as pyoxigraph writes it."""
    import json  # here: a cold query in another format does without it

    if isinstance(result, AskResult):
        return json.dumps({"head": {}, "boolean": result.value}, separators=(",", ":"))
    bindings = [
        {name: _json_term(term) for name, term in zip(result.variables, row, strict=True) if term}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {p: _json_term(getattr(term, p)) for p in parts}}
    out: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def display(term: Term | None, prefixes: Mapping[str, str]) -> str:
    """A term as a person reads it in a table: IRIs shortened by ``prefixes``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<< " + " ".join(display(part, prefixes) for part in parts) + " >>"
    return term.value


def table_widths(header: list[str], rows: list[list[str]]) -> list[int]:
    """Each column's width: its widest cell (in terminal columns), each cell
    on one line (a newline, or any control, inside a value is shown, not obeyed)."""
    return [
        max([display_width(header[i]), *(display_width(visible(row[i])) for row in rows)])
        for i in range(len(header))
    ]


def table_line(cells: list[str], widths: list[int]) -> str:
    """One row of the table; a cell wider than its column pushes the rest right."""
    shown = [visible(c) for c in cells]
    padded = (c + " " * max(0, w - display_width(c)) for c, w in zip(shown, widths, strict=True))
    return "  ".join(padded).rstrip()


def markdown_line(cells: list[str]) -> str:
    escaped = (
        visible(c.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>"))
        for c in cells
    )
    return "| " + " | ".join(escaped) + " |"


def rdf_text(result: GraphResult, fmt: str, *, prefixes: Mapping[str, str], **_: object) -> str:
    """Triples as RDF text, with the prefixes they use; JSON-LD compacted
    with the published context, as every JSON-LD msskg writes."""
    if fmt == "jsonld":
        from msskg.graph.jsonld import jsonld_text

        return jsonld_text(result.triples)
    iris = {
        term.value
        for triple in result.triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    } | {t.object.datatype.value for t in result.triples if isinstance(t.object, ox.Literal)}
    used = {
        name: namespace
        for name, namespace in prefixes.items()
        if any(iri.startswith(namespace) for iri in iris)
    }
    return _text(ox.serialize(result.triples, format=_RDF[fmt], prefixes=used))


def _text(serialized: bytes | None) -> str:
    # pyoxigraph returns bytes when given no output file, as here.
    assert serialized is not None
    return serialized.decode("utf-8")
