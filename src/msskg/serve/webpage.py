"""The HTML of msskg serve's pages: the saved queries as forms, results as
tables, the describe page. Inline CSS only: the pages work with no internet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import pyoxigraph as ox

from msskg.graph.prefixes import shorten
from msskg.publish.void import DATASET
from msskg.query.catalogue import SavedQuery
from msskg.query.results import AskResult, QueryResult, SelectResult
from msskg.views.describe import Description
from msskg.vocab import DCTERMS, MSR, VOID

__all__ = [
    "ID_PREFIX",
    "describe_page",
    "fact_anchor",
    "home_page",
    "local_link",
    "page",
    "results_page",
]

ID_PREFIX = MSR

_STYLE = """
body{font-family:'Noto Sans CJK KR','Noto Sans KR',sans-serif;margin:1.5em auto;max-width:76em;
padding:0 1em;color:#111}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f0f2f6}
form.query{border:1px solid #ddd;border-radius:6px;padding:.6em .8em;margin:.6em 0}
form.query p{margin:.2em 0;color:#444}label{margin-right:1em}
textarea{width:100%;font-family:monospace}.error{color:#b00020;font-weight:bold}
blockquote{margin:.2em 0 .6em 1em;color:#444;border-left:3px solid #ccc;padding-left:.6em}
nav{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center}
.svg{overflow-x:auto;border:1px solid #eee}nav form{margin-left:auto}nav input{width:16em}
.reader{white-space:pre-wrap;line-height:1.6;border:1px solid #eee;padding:.8em}
span.anchor,li.fact{scroll-margin-top:5em}mark{background:#fff3a8}
mark.more{background:#ffd66b}:target{outline:2px solid #d2691e}
.supports{font-size:.75em;background:#eef3fb;border-radius:4px;padding:0 .3em;margin:0 .2em}
.supports a{margin:0 .2em}li.hit small{color:#555}
table{display:block;overflow-x:auto;max-width:100%}.svg svg{display:block}
code,blockquote,li{overflow-wrap:anywhere}input,textarea{max-width:100%;box-sizing:border-box}
@media (max-width:40em){nav form{margin-left:0;width:100%}nav input{width:70%}}
"""


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        '<nav><a href="/">msskg</a><a href="/#queries">Saved queries</a>'
        '<a href="/#sparql">SPARQL</a><a href="/#timeline">Timeline</a>'
        '<a href="/describe?thing=msr:ministry-of-social-security">Describe</a>'
        '<a href="/sources">Sources</a>'
        '<form method="get" action="/search" role="search"><input type="search" name="q" '
        'placeholder="Search labels, names and quotes" aria-label="Search">'
        '<button type="submit">Search</button></form></nav>'
        f"<h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def local_link(iri: str) -> str:
    """Where the server shows a resource: /id/NAME for msskg's own IRIs."""
    if iri.startswith(ID_PREFIX):
        return "/id/" + iri[len(ID_PREFIX) :]
    return "/describe?thing=" + _quote(iri)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def query_form(saved: SavedQuery, values: Mapping[str, str] | None = None) -> str:
    values = values or {}
    fields = []
    for p in saved.parameters:
        value = values.get(p.name, p.default or "")
        required = " required" if p.required else ""
        fields.append(
            f'<label>{escape(p.name)} <input name="{escape(p.name)}" '
            f'value="{escape(value)}" title="{escape(p.description)}" '
            f'placeholder="{escape(p.type)}"{required}></label>'
        )
    return (
        f'<form class="query" id="form-{escape(saved.name)}" method="get" '
        f'action="/query/{escape(saved.name)}"><strong>{escape(saved.title)}</strong> '
        f"<code>{escape(saved.name)}</code><p>{escape(saved.description)}</p>"
        f'{"".join(fields)}<button type="submit">Run</button></form>'
    )


def sparql_form(text: str) -> str:
    """The form that runs SPARQL ``text`` (editable) and shows the results as a page."""
    return (
        '<form class="query" id="form-sparql" method="get" action="/sparql">'
        f'<textarea name="query" rows="6">{escape(text)}</textarea>'
        '<input type="hidden" name="format" value="html"><button type="submit">Run</button></form>'
    )


_EXAMPLE = (
    "SELECT ?s ?label WHERE { ?s a <http://www.w3.org/ns/org#Post> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)


def dataset_section(description: Sequence[ox.Triple]) -> str:
    """What the dataset's VoID/DCAT description says, for people: its size,
    licence and sources, with a link to the description itself."""
    first: dict[str, str] = {}
    titles: dict[str, str] = {}
    sources: list[str] = []
    for t in description:
        subject, predicate, obj = (str(getattr(x, "value", x)) for x in t)
        if t.subject == DATASET:
            first.setdefault(predicate, obj)
        if predicate == DCTERMS + "source" and obj not in sources:
            sources.append(obj)
        elif predicate == DCTERMS + "title" and t.subject != DATASET:
            titles.setdefault(subject, obj)
    items = "".join(
        f'<li><a href="{escape(local_link(iri))}">{escape(titles.get(iri, iri))}</a></li>'
        for iri in sources
    )
    # the licence's RDF IRI is http://; a reader is sent to its https:// page
    licence = first.get(DCTERMS + "license", "").replace("http://", "https://", 1)
    return (
        '<h2 id="dataset">This dataset</h2><p>'
        f"{int(first.get(VOID + 'triples', 0)):,} triples about "
        f"{int(first.get(VOID + 'entities', 0)):,} entities, under "
        f'<a href="{escape(licence)}">CC BY-SA 4.0</a>, from {len(sources)} source texts:</p>'
        f'<ul id="dataset-sources">{items}</ul><p>Its VoID and DCAT description (counted on the '
        'graph): <a href="/.well-known/void">/.well-known/void</a> (Turtle).</p>'
    )


def home_page(queries: Sequence[SavedQuery], timeline_svg: str, about: str = "") -> str:
    forms = "".join(query_form(q) for q in queries)
    body = (
        "<p>A sourced, time-aware knowledge graph of North Korea's Ministry of Social "
        "Security (사회안전성). SPARQL endpoint: <code>/sparql</code> (GET or POST, read-only).</p>"
        f'{about}<h2 id="queries">Saved queries</h2>{forms}'
        f'<h2 id="sparql">Ad-hoc SPARQL</h2>{sparql_form(_EXAMPLE)}'
        '<h2 id="timeline">Timeline of the Ministry of Social Security</h2>'
        f"{_inline(timeline_svg)}"
        '<form method="get" action="/describe"><label>Describe <input name="thing" '
        'value="msr:ministry-of-social-security"></label><button type="submit">Show</button></form>'
    )
    return page("msskg: the Ministry of Social Security", body)


def results_page(
    title: str,
    result: QueryResult,
    prefixes: Mapping[str, str],
    form: str = "",
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """A result as a page; each IRI shown by its English label from ``labels``
    (by IRI and language, as :func:`msskg.views.periods.labels_of` gives them)
    where it has one, else as a prefixed name, linked to its page."""
    if isinstance(result, AskResult):
        table = f'<p id="results">{"true" if result.value else "false"}</p>'
    elif isinstance(result, SelectResult):
        head = "".join(f"<th>{escape(v)}</th>" for v in result.variables)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_cell(t, prefixes, labels or {})}</td>" for t in row) + "</tr>"
            for row in result.rows
        )
        count = f"<p>{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}</p>"
        table = f'{count}<table id="results"><tr>{head}</tr>{rows}</table>'
    else:
        table = f'<pre id="results">{len(result.triples)} triples</pre>'
    return page(title, form + table)


def _cell(
    term: object, prefixes: Mapping[str, str], labels: Mapping[str, Mapping[str, str]]
) -> str:
    if isinstance(term, ox.NamedNode):
        names = labels.get(term.value, {})
        name = names.get("en") or names.get("") or shorten(term.value, prefixes)
        return iri_link(term.value, name)
    if isinstance(term, ox.Literal):
        return escape(term.value)
    return "" if term is None else escape(str(term))


def error_page(title: str, message: str, form: str = "") -> str:
    return page(title, form + f'<p class="error" id="error">{escape(message)}</p>')


def describe_page(
    built: Description,
    timeline_svg: str = "",
    readers: Mapping[str, str] | None = None,
    reader: str = "",
    chart_svg: str = "",
) -> str:
    """The resource page: labels, types, its own statements, its facts (each
    with an anchor, and each quote linked to its passage in the source reader:
    ``readers`` maps a source file name to the reader's address), its
    conflicts, and its timeline (inline SVG) when it has one; a source text
    links to its ``reader``."""
    readers = readers or {}
    parts = [f"<p><code>{escape(built.iri)}</code></p>"]
    if reader:
        parts.append(
            f'<p><a id="read" href="{escape(reader)}">Read the text, quotes highlighted</a></p>'
        )
    parts.append("<ul>")
    for lang, values in built.labels.items():
        parts.append(f"<li>Labels ({escape(lang or 'no language')}): {escape('; '.join(values))}")
    if built.types:
        parts.append(f"<li>Types: {', '.join(_shown(t, built.links) for t in built.types)}")
    parts += [
        f"<li>{_shown(p, built.links)}: {_shown(v, built.links)}" for p, v in built.statements
    ]
    parts.append("</ul>")
    if timeline_svg:
        parts.append(f'<h2 id="timeline">Timeline</h2>{_inline(timeline_svg)}')
    if chart_svg:
        parts.append(f'<h2 id="chart">Organisation chart</h2>{_inline(chart_svg)}')
    for section, facts in built.sections.items():
        parts.append(f"<h2>{escape(section)}</h2><ul>")
        for fact in facts:
            anchor = escape(fact_anchor(fact.iri))
            parts.append(f'<li class="fact" id="{anchor}">{iri_link(fact.iri, fact.label)}')
            if fact.dates and fact.dates not in fact.label:
                parts.append(f" ({escape(fact.dates)})")
            parts += [_quote_html(q, s, readers) for q, s in fact.quotes]
        parts.append("</ul>")
    if built.conflicts:
        parts.append("<h2>Conflicts</h2><ul>")
        for kind, claim, quote, source in built.conflicts:
            parts.append(f"<li><strong>{escape(kind)}</strong>: {escape(claim)}")
            parts.append(_quote_html(quote, source, {}))
        parts.append("</ul>")
    if built.linked_from:
        parts.append('<h2 id="linked-from">What links here</h2><ul>')
        for prop in dict.fromkeys(p for p, _, _ in built.linked_from):
            items = ", ".join(
                iri_link(iri, name) for p, iri, name in built.linked_from if p == prop
            )
            parts.append(f"<li>{_shown(prop, built.links)}: {items}</li>")
        parts.append("</ul>")
    parts.append(f'<p><a href="/timeline.svg?thing={_quote(built.iri)}">Timeline (SVG)</a></p>')
    return page(built.title, "".join(parts))


def _inline(svg: str) -> str:
    """An SVG document in a page: without its XML declaration, in a scrolling box."""
    return f'<div class="svg">{svg.split("?>", 1)[-1]}</div>'


def iri_link(iri: str, name: str, local: bool = True) -> str:
    """An IRI on a page: its label, linked to its page here (or, not
    ``local``, to the IRI itself), the IRI on hover."""
    href = local_link(iri) if local else iri
    return f'<a href="{escape(href)}" title="{escape(iri)}">{escape(name)}</a>'


def _shown(text: str, links: Mapping[str, tuple[str, str, bool]]) -> str:
    """A value as a page shows it: an IRI by its label, linked; text escaped."""
    if text in links:
        return iri_link(*links[text])
    return escape(text)


def fact_anchor(iri: str) -> str:
    """The anchor of a fact on a resource page: ``fact-`` and its last segment."""
    return "fact-" + iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _quote_html(quote: str, source: str, readers: Mapping[str, str]) -> str:
    """A quote, linked to its passage in the source reader when there is one."""
    from msskg.views.reader import passage_id

    where = escape(source)
    if source in readers:
        href = escape(f"{readers[source]}#{passage_id(quote)}")
        where = f'<a class="passage" href="{href}">{where}</a>'
    return f"<blockquote>{escape(quote)} <small>({where})</small></blockquote>"
