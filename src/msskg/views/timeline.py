"""The history of one thing as a Gantt-style timeline: lanes for its names, its
superior bodies, its subordinate bodies and the terms of its posts; drawn as
SVG (pure Python, no dependency) or as text for a terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from msskg.graph.files import input_paths
from msskg.graph.store import open_store
from msskg.output import write_atomically
from msskg.query.registry import TIMELINE, check_format
from msskg.views.lanes import build_timeline
from msskg.views.timeline_svg import render_svg
from msskg.views.timeline_text import render_text

__all__ = ["timeline"]


def timeline(
    thing: str | None = None,
    *,
    fmt: str = "svg",
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    today: dt.date | None = None,
    output: Path | None = None,
    force: bool = False,
) -> str:
    """The timeline of ``thing`` (IRI, prefixed name or label; the Ministry of
    Social Security by default) as ``svg`` or ``text``, written atomically to
    ``output`` when given."""
    check_format(fmt, TIMELINE, "timeline")
    built = build_timeline(open_store(data=data, store=store), thing, today=today)
    text = render_svg(built) if fmt == "svg" else render_text(built)
    if output is not None:
        write_atomically(output, text, force=force, inputs=input_paths(data, store))
    return text
