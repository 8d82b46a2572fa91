"""The explorer's pages of msskg serve: search results, the list of sources and
the source reader (each text whole, every quoted passage highlighted, with
links to the facts it supports). Every text is HTML-escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from msskg.serve.webpage import fact_anchor, iri_link, local_link, page
from msskg.views.reader import Reading, SourceEntry
from msskg.views.search import Hit
from msskg.views.search_text import Excerpt, marked

__all__ = ["reader_address", "reader_page", "search_page", "sources_page"]


def reader_address(iri: str) -> str:
    """Where the reader shows the source ``iri``: /source/NAME for msskg's IRIs."""
    return "/source/" + local_link(iri).removeprefix("/id/")


def search_page(text: str, hits: Sequence[Hit], *, limit: int = 50, error: str = "") -> str:
    """The hits for ``text``, best first, each linked to its resource page."""
    box = (
        '<form method="get" action="/search" id="search"><input type="search" name="q" '
        f'value="{escape(text)}" aria-label="Search"><button type="submit">Search</button></form>'
    )
    if error:
        return page("Search", box + f'<p class="error" id="error">{escape(error)}</p>')
    if not hits:
        found = f'<p id="hits">Nothing found for “{escape(text)}” (labels, names and quotes).</p>'
        return page("Search", box + found)
    more = f", the first {limit} shown" if len(hits) > limit else ""
    items = []
    for hit in hits[:limit]:
        title = hit.label + (f" ({hit.korean})" if hit.korean and hit.korean != hit.label else "")
        detail = ""
        if hit.field != "quote" and hit.matched not in (hit.label, hit.korean):
            detail = f"<br><small>{escape(hit.field)}: {escape(hit.matched)}</small>"
        if hit.quote is not None:
            source = f" ({escape(hit.source)})" if hit.source else ""
            detail += f'<br><small class="quote">quote: “{_marked(hit)}”{source}</small>'

        items.append(
            f'<li class="hit">{iri_link(hit.iri, title)} '
            f"<small>· {escape(hit.kind)}</small>{detail}</li>"
        )
    count = f"<p>{len(hits)} found for “{escape(text)}”{more}:</p>"
    return page("Search", box + count + f'<ol id="hits">{"".join(items)}</ol>')


def _marked(hit: Hit) -> str:
    """The hit's quote, escaped, each word found in a <mark>."""
    return marked(Excerpt(hit.quote or "", hit.marks), "<mark>", "</mark>", escape=escape)


def sources_page(entries: Sequence[SourceEntry]) -> str:
    items = "".join(
        f'<li><a href="{escape(reader_address(e.iri))}" title="{escape(e.iri)}">'
        f"{escape(e.title)}</a> {iri_link(e.iri, '(about)')} "
        f"<small><code>{escape(e.file_name)}</code></small></li>"
        for e in entries
    )
    return page("Source texts", f'<ul id="sources">{items}</ul>')


def reader_page(reading: Reading) -> str:
    """The text whole, each passage a highlight with the facts it supports."""
    parts = []
    for piece in reading.pieces:
        parts += [f'<span class="anchor" id="{escape(a)}"></span>' for a in piece.begins]
        text = escape(piece.text)
        if piece.covered:
            more = " more" if len(piece.covered) > 1 else ""
            parts.append(
                f'<mark class="quote{more}" data-passages="{escape(" ".join(piece.covered))}">'
                f"{text}</mark>"
            )
        else:
            parts.append(text)
        for anchor in piece.ends:
            links = " · ".join(
                f'<a href="{escape(local_link(iri))}#{escape(fact_anchor(iri))}" '
                f'title="{escape(iri)}">{escape(name)}</a>'
                for iri, name in reading.passages[anchor].facts
            )
            parts.append(
                f'<span class="supports" data-passage="{escape(anchor)}">supports: {links}</span>'
            )
    source = reading.source
    head = (
        f"<p>{iri_link(source.iri, source.title)} · "
        f"<code>{escape(source.file_name)}</code> · {len(reading.passages)} quoted passages, "
        "highlighted; each lists the facts it supports.</p>"
    )
    if reading.missing:
        head += (
            f'<p class="error">{len(reading.missing)} quote(s) said to come from this text '
            "are not in it (msskg validate names them).</p>"
        )
    return page(source.title, head + f'<div class="reader" id="text">{"".join(parts)}</div>')
