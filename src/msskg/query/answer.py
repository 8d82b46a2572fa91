"""Answering a query for a person or a pipe, in one call: run it under a time
limit, write its answer as it comes in the format asked for (or the one that
fits where it goes), and say, on a channel of its own, where the sources
disagree about the answer. ``msskg query`` is this call."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from msskg.errors import UnknownColumnError, visible
from msskg.query.catalogue import SavedQuery
from msskg.query.engines import open_query
from msskg.query.formats import default_format
from msskg.query.limits import Limits, within
from msskg.query.results import Backend, QueryResult, SelectResult, SelectStream
from msskg.query.stream import write_result

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from msskg.query.summary import Summary

__all__ = ["write_answer"]


def write_answer(
    query: SavedQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    backend: Backend,
    write: Callable[[str], None],
    note: Callable[[str], None] | None = None,
    fmt: str | None = None,
    terminal: bool = False,
    wide: bool = False,
    notes: bool | None = None,
    limits: Limits | None = None,
    fix: str = "raise the time limit",
    allow_service: Sequence[str] = (),
    summary: Summary | None = None,
) -> None:
    """Run ``query`` on ``backend`` and write its answer through ``write``.

    ``fmt`` defaults to a table at a ``terminal``, else CSV (Turtle for RDF).
    ``limits`` apply as :func:`msskg.query.limits.within` says (its time limit
    ends the whole process with one line on stderr ending in ``fix``: use it
    in a command-line process only), its rows as the answer is written. ``note`` receives one line
    per disagreement of the sources that touches the answer of a saved query,
    by default for tables and Markdown only (``notes`` says otherwise).
    ``summary`` sums a SELECT's rows up (see :func:`msskg.query.summary.summarize`):
    the notes are then those of the rows summed up. Every column the user
    chose is shown: those of a summary, and those of SPARQL text."""
    limits = limits or Limits()
    with within(limits, fix=fix):
        result = open_query(query, params, backend=backend, allow_service=allow_service)
        fmt = fmt or default_format(result, terminal=terminal)
        wanted = note is not None and isinstance(query, SavedQuery)
        wanted = wanted and (fmt in ("table", "md") if notes is None else notes)
        if wanted and isinstance(result, SelectStream) and fmt not in ("table", "md"):
            result = SelectResult(result.variables, tuple(result.rows))  # the notes read it
        shown: QueryResult | SelectStream = result
        summed: SelectResult | None = None  # the rows a summary sums up: the notes read them
        if summary is not None and summary.asks:
            from msskg.query.summary import summarize

            if not isinstance(result, SelectStream | SelectResult):
                raise UnknownColumnError(
                    "--count, --distinct, --group-by and --where sum up the rows of a "
                    "SELECT query; this one has none"
                )
            summed = SelectResult(result.variables, tuple(result.rows))
            shown = summarize(summed, summary, prefixes=backend.prefixes)
        whole = write_result(
            shown,
            fmt,
            write,
            prefixes=backend.prefixes,
            max_rows=limits.rows,
            wide=wide,
            every_column=(summary is not None and summary.chooses_columns)
            or isinstance(query, str),
        )
        whole = summed if summed is not None and whole is not None else whole
    if wanted and note is not None and isinstance(query, SavedQuery) and whole is not None:
        from msskg.query.notes import answer_notes

        for line in answer_notes(query, whole, backend, prefixes=backend.prefixes):
            note(visible(line))
