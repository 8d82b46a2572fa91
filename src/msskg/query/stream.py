"""Writing a query's answer as it comes: a SELECT's rows are written in
batches while the engine finds them, so memory stays flat however many rows
there are, and a row limit stops the query where it is passed. The text is
exactly what :func:`msskg.query.formats.format_result` makes."""

from __future__ import annotations

import codecs
import io
import time
from collections.abc import Callable, Iterator, Mapping

import pyoxigraph as ox

from msskg.errors import MsskgError, RowLimitError
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.query.formats import (
    SELECT_FORMATS,
    W3C_FORMATS,
    format_result,
    human_pieces,
    w3c_result,
)
from msskg.query.limits import Limits, check_rows, limited
from msskg.query.results import GraphResult, QueryResult, SelectResult, SelectStream, Term

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import Any

__all__ = ["BATCH", "TABLE_SAMPLE", "write_result"]

BATCH = 1000
"""Most rows held before they are written."""

FLUSH_AFTER = 0.25
"""Seconds after which a batch is written even when not full."""

TABLE_SAMPLE = 1000
"""Rows a text table measures its columns on; later rows reuse those widths."""

Row = tuple[Term | None, ...]


def write_result(
    result: QueryResult | SelectStream,
    fmt: str,
    write: Callable[[str], None],
    *,
    prefixes: Mapping[str, str] = DEFAULT_PREFIXES,
    max_rows: int | None = None,
    wide: bool = True,
    every_column: bool = False,
) -> QueryResult | None:
    """Write ``result`` in format ``fmt`` through ``write``, a piece at a time.
    More than ``max_rows`` rows (or triples) raise :class:`RowLimitError`
    after the first ``max_rows`` are written. ``wide`` and ``every_column``
    are as in :func:`~msskg.query.formats.format_result`. Returns the whole result when
    it was held whole to be written (a table or Markdown of at most
    :data:`TABLE_SAMPLE` rows, anything but a SELECT), else None."""
    if not isinstance(result, SelectStream):
        if isinstance(result, GraphResult) and max_rows is not None:
            check_rows(len(result.triples), Limits(rows=max_rows))
        if isinstance(result, SelectResult) and max_rows is not None:
            result = SelectStream(result.variables, iter(result.rows[: max_rows + 1]))
        else:
            text = format_result(
                result, fmt, prefixes=prefixes, wide=wide, every_column=every_column
            )
            write(_ended(text))
            return result
    if fmt not in SELECT_FORMATS:  # the same message as for a whole result
        format_result(SelectResult(result.variables, ()), fmt)
    if result.solutions is not None and fmt in W3C_FORMATS and max_rows is None:
        _serialize(result.solutions, fmt, write)
        return None
    batches = _batches(limited(result.rows, Limits(rows=max_rows)))
    if fmt not in W3C_FORMATS and fmt not in ("table", "md"):  # written whole
        rows = tuple(row for batch in batches for row in batch)
        return write_result(SelectResult(result.variables, rows), fmt, write, prefixes=prefixes)
    if fmt in ("table", "md"):
        return _human(result.variables, batches, write, prefixes, fmt, wide, every_column)
    _w3c(result.variables, batches, write, fmt)
    return None


def _w3c(
    variables: tuple[str, ...], batches: Iterator[list[Row]], write: Callable[[str], None], fmt: str
) -> None:
    """The document with no rows, cut where a row goes; each batch's
    document written between, without that frame (json's with a comma)."""

    def text(rows: list[Row]) -> str:
        return w3c_result(SelectResult(variables, tuple(rows)), fmt)

    frame, one = text([]), text([(None,) * len(variables)])
    first = next(
        (i for i, (a, b) in enumerate(zip(frame, one, strict=False)) if a != b), len(frame)
    )
    head, tail = frame[:first], frame[first:]
    write(head)
    separator = "," if fmt == "json" else ""
    for number, batch in enumerate(batches):
        rows = text(batch)
        write((separator if number else "") + rows[len(head) : len(rows) - len(tail)])
    write(_ended(tail) if tail else "")  # csv and tsv rows end their lines


def _serialize(solutions: ox.QuerySolutions, fmt: str, write: Callable[[str], None]) -> None:
    """pyoxigraph's answer written by its own serializer as it is read."""
    out = _Text(write)
    try:
        # a raw binary writer: all the serializer calls is write
        solutions.serialize(out, W3C_FORMATS[fmt])  # type: ignore[arg-type]
    except (RuntimeError, OSError) as err:
        raise out.failed or MsskgError(f"the query failed: {err}") from None
    out.write(b"" if out.ended else b"\n")  # as the command line always has: a last newline


class _Text(io.RawIOBase):
    """Bytes a serializer writes, passed on as text (a character may span two writes)."""

    def __init__(self, write: Callable[[str], None]):
        self._write, self.decoder = write, codecs.getincrementaldecoder("utf-8")()
        self.failed: BaseException | None = None  # what ``write`` raised (a closed pipe)
        self.ended = True

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        text = self.decoder.decode(bytes(data), final=not data)
        if text:
            self.ended = text.endswith("\n")
            try:
                self._write(text)
            except BaseException as err:
                self.failed = err
                raise
        return len(data)


def _human(
    variables: tuple[str, ...],
    batches: Iterator[list[Row]],
    write: Callable[[str], None],
    prefixes: Mapping[str, str],
    fmt: str,
    wide: bool,
    every_column: bool,
) -> SelectResult | None:
    """A table or Markdown. A result of at most :data:`TABLE_SAMPLE` rows is
    written whole, exactly as format_result writes it, and returned; a longer
    one is streamed with the columns chosen, and their widths measured, on its
    first rows."""
    sample: list[Row] = []
    for batch in batches:
        sample += batch
        if len(sample) >= TABLE_SAMPLE:
            break  # the rest of the batches follow below, laid out like these
    else:
        whole = SelectResult(variables, tuple(sample))
        text = format_result(whole, fmt, prefixes=prefixes, wide=wide, every_column=every_column)
        write(_ended(text))
        return whole
    pieces = human_pieces(variables, sample, batches, fmt, prefixes, wide or every_column, wide)
    for piece in pieces:
        write(piece)
    return None


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    last = time.monotonic()
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH or time.monotonic() - last > FLUSH_AFTER:
                yield batch
                batch, last = [], time.monotonic()
    except RowLimitError:
        if batch:  # the rows within the limit are written before the error
            yield batch
        raise
    if batch:
        yield batch


def _ended(text: str) -> str:
    # As the command line always has: the output ends with a newline.
    return text if text.endswith("\n") else text + "\n"
