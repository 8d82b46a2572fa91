"""Notes that go with an answer: where a fact it gives is disputed (the saved
query ``conflicts``), and where "(none recorded)" leaves out an undated fact.
The CLI prints them under the result, so that no answer hides a disagreement
that another view shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from msskg.errors import UnknownQueryError
from msskg.graph.prefixes import shorten
from msskg.query.catalogue import SavedQuery, get_query, parse_query
from msskg.query.results import Backend, QueryResult, SelectResult
from msskg.query.tables import clip, display_width

__all__ = ["answer_notes"]

NONE_RECORDED = "(none recorded)"
# A note's line about a claim is shortened ("…") to about this many columns.
_WIDTH = 120

# Bodies that a list of child agencies names: a note on the list's conflict
# goes with any answer about one of them.
_LISTED = """\
PREFIX mss: <https://w3id.org/msskg/ontology#>
SELECT ?fact ?thing WHERE { ?fact mss:listsChild ?thing }
"""

# Undated terms, subordinations and names of a post or agency: the date
# queries leave them out, so "(none recorded)" says that they exist.
_UNDATED = """\
PREFIX mss: <https://w3id.org/msskg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?fact ?label ?thing WHERE {
  { ?fact mss:post ?thing ; org:memberDuring ?interval }
  UNION { ?fact mss:subordinate ?thing ; mss:during ?interval }
  UNION { ?fact a mss:NamePeriod ; mss:ofAgency ?thing ; mss:during ?interval }
  ?interval mss:undated true .
  ?fact rdfs:label ?label . FILTER (LANG(?label) = "en")
}
ORDER BY ?fact
"""


def answer_notes(
    query: SavedQuery, result: QueryResult, backend: Backend, *, prefixes: Mapping[str, str]
) -> list[str]:
    """The note lines for ``result`` of ``query`` (none for ``conflicts``
    itself, or for anything but a SELECT)."""
    if not isinstance(result, SelectResult) or query.name == "conflicts":
        return []
    iris = {t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)}
    notes = _conflict_notes(iris, backend, prefixes)
    for thing in _unrecorded(result):
        notes += _undated_notes(thing, backend, prefixes)
    return notes


def _conflict_notes(iris: set[str], backend: Backend, prefixes: Mapping[str, str]) -> list[str]:
    if not iris:
        return []
    try:
        conflicts = get_query("conflicts")
    except UnknownQueryError:  # a home of one's own without the saved query
        return []
    listed = _select(backend, _LISTED)
    lists = {row["fact"] for row in listed if row["thing"] in iris}
    rows = _select(backend, conflicts.text)
    touched = {
        row.get("conflict", "")
        for row in rows
        if row.get("fact") in iris or row.get("fact") in lists
    }
    notes: list[str] = []
    for conflict in sorted(c for c in touched if c):
        group = [row for row in rows if row.get("conflict") == conflict]
        kind, about = group[0].get("kind", ""), group[0].get("about", "")
        what = about + (f": {kind}" if kind != "the sources disagree" else "")
        others: dict[tuple[str, str], str] = {}
        for row in group:
            if row.get("fact") not in iris:
                claim, quote = row.get("claim", ""), " ".join(row.get("quote", "").split())
                start = f"  {claim}: “"
                shown = clip(quote, max(_WIDTH - display_width(start) - 1, 30))
                others[(claim, quote)] = f"{start}{shown}”"
        if others:
            notes.append(f"note: the sources disagree on {what} (msskg query conflicts):")
            notes += others.values()
        else:
            notes.append(
                f"note: these rows disagree on {what} (msskg query conflicts has the quotes)"
            )
    return notes


def _unrecorded(result: SelectResult) -> list[str]:
    """The IRIs on a "(none recorded)" row: the post or agency asked about."""
    found: list[str] = []
    for row in result.rows:
        if any(isinstance(t, ox.Literal) and t.value == NONE_RECORDED for t in row):
            found += [t.value for t in row if isinstance(t, ox.NamedNode) and t.value not in found]
    return found


def _undated_notes(thing: str, backend: Backend, prefixes: Mapping[str, str]) -> list[str]:
    rows = _select(backend, _UNDATED, {"thing": ox.NamedNode(thing)})
    return [
        f"note: {NONE_RECORDED} counts dated facts only; undated: {row['label']} "
        f"(msskg describe {shorten(row['fact'], prefixes)})"
        for row in rows
    ]


def _select(
    backend: Backend, text: str, bindings: Mapping[str, ox.NamedNode] | None = None
) -> Sequence[dict[str, str]]:
    """Rows of a SELECT on ``backend`` as {variable: value text}."""
    answer = backend.execute(parse_query(text, name="notes"), bindings or {})
    if not isinstance(answer, SelectResult):
        return []
    return [
        {
            name: term.value
            for name, term in zip(answer.variables, row, strict=True)
            if isinstance(term, ox.NamedNode | ox.Literal)
        }
        for row in answer.rows
    ]
