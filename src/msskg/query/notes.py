"""Notes that go with an answer: where a fact it gives is disputed (the saved
query ``conflicts``), and where "(none recorded)" leaves out an undated fact.
The CLI prints them under the result, so that no answer hides a disagreement
that another view shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from msskg.errors import UnknownQueryError
from msskg.graph.prefixes import DEFAULT_PREFIXES, shorten
from msskg.query.catalogue import SavedQuery, get_query, parse_query
from msskg.query.results import Backend, QueryResult, SelectResult
from msskg.query.tables import clip, display_width
from msskg.query.text import declare_prefixes

__all__ = ["DATED_FACTS", "answer_notes"]

NONE_RECORDED = "(none recorded)"
# A note's line about a claim is shortened ("…") to about this many columns.
_WIDTH = 120

# A list of child agencies, its agency and the bodies it names: a note on the
# list's conflict goes with an answer about the agency and one of its children.
_LISTED = "SELECT ?fact ?agency ?thing WHERE { ?fact mss:listsChild ?thing ; mss:ofAgency ?agency }"

# Facts with a date: a question about a date that leaves one out of its answer
# found that it did not hold then, so a disagreement with it is not this answer's.
DATED_FACTS = """\
PREFIX mss: <https://w3id.org/msskg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT DISTINCT ?fact WHERE {
  { ?fact time:hasTime ?when }
  UNION { ?fact mss:during|org:memberDuring ?interval .
          FILTER NOT EXISTS { ?interval mss:undated true } }
}
"""

# Undated terms, subordinations and names of a post or agency: the date
# queries leave them out, so "(none recorded)" says that they exist.
_UNDATED = """\
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
    on_a_date = any(p.type == "date" for p in query.parameters)
    notes = _conflict_notes(iris, backend, on_a_date=on_a_date)
    for thing in _unrecorded(result):
        notes += _undated_notes(thing, backend, prefixes)
    return notes


def _conflict_notes(iris: set[str], backend: Backend, *, on_a_date: bool) -> list[str]:
    """A note per disagreement that a fact of the answer is part of, quoting
    every side: the answer's own facts and the claims it could not hold. On a
    date, a disagreement with a dated fact the answer leaves out is not noted:
    that fact did not hold then."""
    if not iris:
        return []
    try:
        conflicts = get_query("conflicts")
    except UnknownQueryError:  # a home of one's own without the saved query
        return []
    lists = {
        row["fact"]
        for row in _select(backend, _LISTED)
        if row["thing"] in iris and row["agency"] in iris
    }
    rows = _select(backend, conflicts.text)
    answered = iris | lists
    touched = {row.get("conflict", "") for row in rows if row.get("fact") in answered}
    dated = {row["fact"] for row in _select(backend, DATED_FACTS)} if on_a_date else set()
    notes: list[str] = []
    for conflict in sorted(c for c in touched if c):
        group = [row for row in rows if row.get("conflict") == conflict]
        if any(row.get("fact") not in answered and row.get("fact") in dated for row in group):
            continue  # the other side is a dated fact that does not hold on the date asked
        kind, about = group[0].get("kind", ""), group[0].get("about", "")
        what = about + (f": {kind}" if kind != "the sources disagree" else "")
        sides: dict[tuple[str, str], str] = {}
        for row in group:
            claim, quote = row.get("claim", ""), " ".join(row.get("quote", "").split())
            start = f"  {claim}: “"
            shown = clip(quote, max(_WIDTH - display_width(start) - 1, 30))
            sides[(claim, quote)] = f"{start}{shown}”"
        everyone = all(row.get("fact") in iris for row in group)
        head = "these rows disagree on" if everyone else "the sources disagree on"
        notes.append(f"note: {head} {what} (msskg query conflicts):")
        notes += sides.values()
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
    """Rows of a SELECT on ``backend`` (msskg's prefixes declared) as {variable: value text}."""
    answer = backend.execute(
        parse_query(declare_prefixes(text, DEFAULT_PREFIXES), name="notes"), bindings or {}
    )
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
