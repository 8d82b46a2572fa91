"""Counting and grouping a SELECT's rows without writing SPARQL: the distinct
values of some columns, the number of rows (or of distinct values), and that
number per group. Any query's answer can be summed up so, saved or not, on
any engine: it is done on the rows the query gives, as ``sort | uniq -c``
would, so "how many distinct people held the post in 2020-2022?" is
``summarize(result, distinct=["holder"], count=True)``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from msskg.errors import UnknownColumnError
from msskg.graph.prefixes import DEFAULT_PREFIXES, shorten
from msskg.query.results import SelectResult, Term, comparable
from msskg.vocab import XSD

__all__ = ["COUNT_COLUMN", "Summary", "summarize"]

COUNT_COLUMN = "count"
"""The column that holds the numbers."""

# A date query says "nothing held" with one row of this text: no row to count.
_NONE_RECORDED = "(none recorded)"
_XSD_INTEGER = ox.NamedNode(XSD + "integer")

Row = tuple[Term | None, ...]


class Summary:
    """How to sum up a result. ``distinct``: keep only these columns, each
    combination of their values once. ``group_by``: one row per combination
    of these columns' values, with a ``count`` of its rows (of its distinct
    ``distinct`` values, when given). ``count``: only the number of rows (of
    distinct values, when ``distinct`` is given); with ``group_by``, the
    number per group, as without it. Rows come in the order the query gives
    them (a group where its first row is).

    ``where``: (column, value) pairs: only the rows whose column has that
    value (its text, as a CSV cell shows it, or an IRI's prefixed name, as a
    table shows it), before anything else. (A plain class: importing dataclasses
    costs a cold ``msskg query`` its time.)"""

    __slots__ = ("count", "distinct", "group_by", "where")

    def __init__(
        self,
        *,
        distinct: Sequence[str] = (),
        group_by: Sequence[str] = (),
        count: bool = False,
        where: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.distinct = tuple(distinct)
        self.group_by = tuple(group_by)
        self.count = count
        self.where = tuple(where)

    @property
    def chooses_columns(self) -> bool:
        """Whether the columns shown are the ones the summary names."""
        return bool(self.distinct or self.group_by or self.count)

    @property
    def asks(self) -> bool:
        """Whether it asks for anything (else the rows stay as they are)."""
        return bool(self.distinct or self.group_by or self.count or self.where)


def summarize(
    result: SelectResult | tuple[tuple[str, ...], Iterable[Row]],
    summary: Summary,
    *,
    prefixes: Mapping[str, str] = DEFAULT_PREFIXES,
) -> SelectResult:
    """``result`` (a SelectResult, or its variables and rows) summed up as
    ``summary`` says. A row saying "(none recorded)" is no row: it counts 0.
    A column the result does not have raises :class:`UnknownColumnError`
    naming those it has."""
    variables, rows = (
        (result.variables, result.rows) if isinstance(result, SelectResult) else result
    )
    distinct = _columns(variables, summary.distinct, "--distinct")
    groups = _columns(variables, summary.group_by, "--group-by")
    where = _columns(variables, [column for column, _ in summary.where], "--where")
    tests = [(i, value) for i, (_, value) in zip(where, summary.where, strict=True)]
    if not summary.asks:
        return SelectResult(tuple(variables), tuple(rows))
    kept = [
        row
        for row in rows
        if not _says_none(row) and all(_has(row[i], value, prefixes) for i, value in tests)
    ]
    if not summary.chooses_columns:
        return SelectResult(tuple(variables), tuple(kept))
    if distinct and not groups and not summary.count:
        listed = _first_of_each(kept, distinct)
        return SelectResult(tuple(variables[i] for i in distinct), tuple(listed.values()))
    by_group: dict[tuple[object, ...], list[Row]] = {}
    shown: dict[tuple[object, ...], Row] = {}
    for row in kept:
        key = tuple(comparable(row[i]) for i in groups)
        shown.setdefault(key, tuple(row[i] for i in groups))
        by_group.setdefault(key, []).append(row)

    def number(members: list[Row]) -> ox.Literal:
        return _integer(len(_first_of_each(members, distinct)) if distinct else len(members))

    if not groups:
        return SelectResult((COUNT_COLUMN,), ((number(kept),),))
    header = (*(variables[i] for i in groups), COUNT_COLUMN)
    out = tuple((*shown[key], number(members)) for key, members in by_group.items())
    return SelectResult(header, out)


def _first_of_each(rows: Iterable[Row], columns: Sequence[int]) -> dict[tuple[object, ...], Row]:
    """Each combination of ``columns``' values (compared by value), as it first occurs."""
    found: dict[tuple[object, ...], Row] = {}
    for row in rows:
        found.setdefault(tuple(comparable(row[i]) for i in columns), tuple(row[i] for i in columns))
    return found


def _columns(variables: Sequence[str], names: Sequence[str], option: str) -> list[int]:
    found = []
    for name in names:
        bare = name.removeprefix("?")
        if bare not in variables:
            raise UnknownColumnError(
                f'{option}: the answer has no column "{name}"; its columns are '
                + ", ".join(variables)
            )
        found.append(variables.index(bare))
    return found


def _has(term: Term | None, value: str, prefixes: Mapping[str, str]) -> bool:
    """Whether a cell is ``value``: its text, or an IRI's prefixed name."""
    if not isinstance(term, ox.NamedNode | ox.Literal):
        return False
    return term.value == value or (
        isinstance(term, ox.NamedNode) and shorten(term.value, prefixes) == value
    )


def _says_none(row: Row) -> bool:
    return any(isinstance(t, ox.Literal) and t.value == _NONE_RECORDED for t in row)


def _integer(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=_XSD_INTEGER)
