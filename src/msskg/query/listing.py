"""The saved queries as ``msskg queries`` shows them: each with its title,
description and parameters, or one query's whole header."""

from __future__ import annotations

import textwrap
from pathlib import Path

from msskg.errors import visible_lines
from msskg.query.catalogue import SavedQuery, get_query, list_queries

__all__ = ["explain_queries"]

_WIDTH = 100


def explain_queries(name: str | None = None, *, directory: Path | None = None) -> str:
    """Every saved query with its description and parameters, or, for
    ``name`` (a saved query or a FILE.rq), its whole header: title,
    description, parameters, example and file."""
    if name is None:
        listed = "".join(_entry(saved, short=True) for saved in list_queries(directory=directory))
        return listed + "(msskg queries NAME shows one query's whole header)\n"
    saved = get_query(name, directory=directory)
    text = _entry(saved, short=False)
    if saved.example is not None:
        text += f"  example: msskg query {saved.name} {saved.example}\n"
    if saved.path is not None:
        text += f"  file: {saved.path}\n"
    return text


def _entry(saved: SavedQuery, *, short: bool) -> str:
    lines = [f"{saved.name}: {saved.title}"]
    if saved.description:
        description = saved.description
        if short:
            description = textwrap.shorten(description, width=2 * _WIDTH, placeholder=" …")
        lines += textwrap.wrap(
            description, width=_WIDTH, initial_indent="  ", subsequent_indent="  "
        )
    for p in saved.parameters:
        when = (
            "optional" if p.default == "" else "required" if p.required else f"default: {p.default}"
        )
        lines.append(f"  -p {p.name}=<{p.type_text}> ({when}): {p.description}")
    return visible_lines(lines)
