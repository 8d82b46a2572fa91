"""The organisation chart at a date: the bodies above a thing, the thing, and
its subordinate bodies, each link certain, only possible given the dates'
precision, or undated; as Mermaid, Graphviz DOT, or SVG drawn in Python
(:mod:`msskg.views.chart_svg`: no program to install)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from msskg.dates import MONTHS, FuzzyDate, Precision, parse_span
from msskg.errors import BadDateError, visible_lines
from msskg.graph.files import input_paths
from msskg.graph.store import KnowledgeGraph, open_store
from msskg.output import write_atomically
from msskg.query.registry import CHART, check_format
from msskg.views.chart_svg import render_chart_svg
from msskg.views.periods import Period, label, labels_of, periods_of, resolve_thing

__all__ = ["Edge", "OrgChart", "build_chart", "chart", "when_in_words"]

Certainty = Literal["certain", "possible", "undated"]
# Superiors of superiors are followed this far up.
_MAX_DEPTH = 5


@dataclass(frozen=True)
class Edge:
    superior: str
    subordinate: str
    certainty: Certainty
    fact: str


@dataclass(frozen=True)
class OrgChart:
    focus: str
    at: FuzzyDate
    names: Mapping[str, tuple[str, str | None]]
    edges: tuple[Edge, ...]

    def title(self) -> str:
        return f"{self.names[self.focus][0]} {when_in_words(self.at)}"


def when_in_words(at: FuzzyDate) -> str:
    """ "on 15 August 2021", "in August 2021", "in 2021", "in the 1980s"."""
    day = at.earliest
    if at.precision is Precision.DAY:
        return f"on {day.day} {MONTHS[day.month - 1]} {day.year}"
    if at.precision is Precision.MONTH:
        return f"in {MONTHS[day.month - 1]} {day.year}"
    if at.precision is Precision.DECADE:
        return f"in the {day.year}s"
    return f"in {day.year}"


def chart(
    thing: str | None = None,
    *,
    at: str | None = None,
    fmt: str = "mermaid",
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    output: Path | None = None,
    force: bool = False,
    today: dt.date | None = None,
) -> str:
    """The organisation chart of ``thing`` (the Ministry of Social Security by
    default) on date ``at`` (YYYY, YYYY-MM, YYYY-MM-DD or today; today by
    default), also written atomically to ``output`` when given."""
    check_format(fmt, CHART, "chart")
    when = parse_span(at or "today", today=today).single
    if when is None:
        raise BadDateError(f'a chart is drawn on one date, not a range: "{at}"')
    built = build_chart(open_store(data=data, store=store), thing, at=when, today=today)
    render = {"mermaid": render_mermaid, "dot": render_dot}.get(fmt, render_chart_svg)
    text = render(built)
    if output is not None:
        write_atomically(output, text, force=force, inputs=input_paths(data, store))
    return text


def status_at(period: Period, when: FuzzyDate) -> Certainty | None:
    """Certain when in force on every day ``when`` can mean, possible when on some."""
    if not period.considered:
        return "undated"
    if period.certainly_at(when.earliest) and period.certainly_at(when.latest):
        return "certain"
    first, last = period.first_possible, period.last_possible
    if (first is not None and first > when.latest) or (last is not None and last < when.earliest):
        return None
    return "possible"


def build_chart(
    graph: KnowledgeGraph, thing: str | None, *, at: FuzzyDate, today: dt.date | None = None
) -> OrgChart:
    """The chart on ``at``. The thing's subordinate bodies that only undated
    statements place under it are drawn too, marked undated: the texts do
    not say when they stood, so on no date are they certain or excluded."""
    focus = resolve_thing(graph, thing)
    labels = labels_of(graph)
    edges: list[Edge] = []
    names: dict[str, tuple[str, str | None]] = {}
    todo, seen = [(focus.value, 0)], set()
    while todo:
        iri, depth = todo.pop(0)
        if iri in seen:
            continue
        seen.add(iri)
        periods = periods_of(graph, ox.NamedNode(iri), labels)
        names[iri] = _name_at(periods, at, labels, iri)
        for period in periods:
            status = status_at(period, at)
            if status is None or period.other is None:
                continue
            if period.kind == "superior" and status != "undated" and depth < _MAX_DEPTH:
                edges.append(Edge(period.other, iri, status, period.fact))
                todo.append((period.other, depth + 1))
            elif period.kind == "child" and iri == focus.value:
                edges.append(Edge(iri, period.other, status, period.fact))
                todo.append((period.other, _MAX_DEPTH))
    return OrgChart(focus.value, at, names, _strongest(edges))


def _strongest(edges: Sequence[Edge]) -> tuple[Edge, ...]:
    """One edge per pair of bodies: the certain one, else a possible one."""
    rank = {"certain": 0, "possible": 1, "undated": 2}
    best: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        pair = (edge.superior, edge.subordinate)
        if pair not in best or rank[edge.certainty] < rank[best[pair].certainty]:
            best[pair] = edge
    return tuple(best.values())


def _name_at(
    periods: Sequence[Period], at: FuzzyDate, labels: Mapping[str, Mapping[str, str]], iri: str
) -> tuple[str, str | None]:
    """The name certainly borne on the date, else the resource's label."""
    for period in periods:
        if period.kind == "name" and status_at(period, at) == "certain":
            return period.label, period.label_ko
    english = label(labels, iri)
    korean = labels.get(iri, {}).get("ko")
    return english, korean if korean != english else None


def _ids(built: OrgChart) -> dict[str, str]:
    return {iri: f"n{i}" for i, iri in enumerate(built.names)}


def render_mermaid(built: OrgChart) -> str:
    ids = _ids(built)
    lines = ["flowchart TB", f"  %% {_mermaid(built.title())}"]
    undated = {e.subordinate for e in built.edges if e.certainty == "undated"}
    for iri, node in ids.items():
        if iri not in undated:
            lines.append(f'  {node}["{_mermaid(_both(built.names[iri], "<br/>"))}"]')
    if undated:
        lines.append('  subgraph undated["Undated statements"]')
        for iri in (i for i in ids if i in undated):
            lines.append(f'    {ids[iri]}["{_mermaid(_both(built.names[iri], "<br/>"))}"]')
        lines.append("  end")
    arrows = {"certain": "-->", "possible": "-.->|possibly|", "undated": "-.->|undated|"}
    for edge in built.edges:
        lines.append(f"  {ids[edge.superior]} {arrows[edge.certainty]} {ids[edge.subordinate]}")
    lines.append("  classDef focus fill:#fde9c4,stroke:#c07a1a,stroke-width:2px")
    lines.append(f"  class {ids[built.focus]} focus")
    return visible_lines(lines)  # read in a terminal too: no escapes obeyed


def _mermaid(text: str) -> str:
    return (
        text.replace('"', "#quot;")
        .replace("<br/>", "\0")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\0", "<br/>")
    )


def _both(name: tuple[str, str | None], joiner: str) -> str:
    return name[0] + (joiner + name[1] if name[1] else "")


def render_dot(built: OrgChart) -> str:
    ids = _ids(built)
    lines = [
        "digraph orgchart {",
        f"  label={_dot(built.title())}; labelloc=t; rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", '
        'fontname="Noto Sans CJK KR,Noto Sans KR,sans-serif"];',
        '  edge [fontname="Noto Sans CJK KR,sans-serif", fontsize=10];',
    ]
    undated = {e.subordinate for e in built.edges if e.certainty == "undated"}
    for iri, node in ids.items():
        if iri not in undated:
            extra = ', fillcolor="#fde9c4", penwidth=2' if iri == built.focus else ""
            lines.append(f"  {node} [label={_dot(_both(built.names[iri], chr(10)))}{extra}];")
    if undated:
        lines.append(f"  subgraph cluster_undated {{ label={_dot('Undated statements')};")
        for iri in (i for i in ids if i in undated):
            lines.append(f"    {ids[iri]} [label={_dot(_both(built.names[iri], chr(10)))}];")
        lines.append("  }")
    styles = {
        "certain": "",
        "possible": ' [style=dashed, label="possibly"]',
        "undated": ' [style=dashed, label="undated"]',
    }
    for edge in built.edges:
        lines.append(f"  {ids[edge.superior]} -> {ids[edge.subordinate]}{styles[edge.certainty]};")
    return visible_lines([*lines, "}"])


def _dot(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
