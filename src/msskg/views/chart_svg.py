"""The organisation chart drawn as SVG in pure Python: a layered tree, the
superior bodies above the thing and its subordinate bodies below, so that
``msskg chart -f svg`` needs nothing beyond ``pip install``. A chart is a few
levels of a handful of boxes, which a small layout of our own draws well:
each body on the row of its level, each row in the order of its superiors
(so lines do not cross where they need not), lines drawn square."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from msskg.query.tables import display_width
from msskg.views.timeline_svg import svg_document

__all__ = ["render_chart_svg"]

_MARGIN, _GAP, _ROW_GAP, _TOP = 20, 24, 56, 56
_CHAR, _LINE, _PAD = 7.2, 18, 12  # px per terminal column at 13 px, per text line, inside a box
_STROKES = {
    "certain": "",
    "possible": ' stroke-dasharray="7 4"',
    "undated": ' stroke-dasharray="3 3"',
}
_EDGE_WORDS = {"certain": "", "possible": "possibly", "undated": "undated"}


class Edge(Protocol):
    """What a line needs of :class:`msskg.views.chart.Edge` (which imports this module)."""

    @property
    def superior(self) -> str: ...
    @property
    def subordinate(self) -> str: ...
    @property
    def certainty(self) -> str: ...


class OrgChart(Protocol):
    """What the drawing needs of :class:`msskg.views.chart.OrgChart`."""

    @property
    def focus(self) -> str: ...
    @property
    def names(self) -> Mapping[str, tuple[str, str | None]]: ...
    @property
    def edges(self) -> Sequence[Edge]: ...
    def title(self) -> str: ...


class _Box:
    def __init__(self, iri: str, lines: list[str], undated: bool):
        self.iri, self.lines, self.undated = iri, lines, undated
        widest = max(display_width(line) for line in lines)
        self.width = round(widest * _CHAR + 2 * _PAD)
        self.height = len(lines) * _LINE + _PAD
        self.x = self.y = 0.0

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def render_chart_svg(built: OrgChart, *, link: Callable[[str], str] | None = None) -> str:
    """The chart as an SVG document that scales to its container (a viewBox,
    width 100 %); ``link`` turns a body's IRI into the address its box links to."""
    undated = {e.subordinate for e in built.edges if e.certainty == "undated"}
    boxes = {
        iri: _Box(iri, _lines(name, iri in undated), iri in undated)
        for iri, name in built.names.items()
    }
    rows = _rows(built.focus, built.edges, list(built.names))
    legend, legend_width = _legend()
    title_width = round(display_width(built.title()) * 9.5 + 2 * _MARGIN)
    width = _place(rows, boxes, built.edges, max(legend_width, title_width))
    body = [_edge_svg(edge, boxes) for edge in built.edges]
    body += [_box_svg(boxes[iri], iri == built.focus, link) for row in rows for iri in row]
    bottom = max((b.y + b.height for b in boxes.values()), default=_TOP) + 36
    body.append(f'<g transform="translate(0 {bottom:.0f})">{"".join(legend)}</g>')
    height = round(bottom + 20)
    title = f'<text x="{_MARGIN}" y="28" font-size="17" font-weight="bold">'
    title += f"{escape(built.title())}</text>"
    return svg_document(width, height, 13, built.title(), [_ARROW], [title, *body])


_ARROW = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    'fill="#555"/></marker></defs>'
)


def _lines(name: tuple[str, str | None], undated: bool) -> list[str]:
    return [name[0], *([name[1]] if name[1] else []), *(["undated"] if undated else [])]


def _rows(focus: str, edges: Sequence[Edge], order: Sequence[str]) -> list[list[str]]:
    """The bodies by level: the thing at 0, each superior one above what it is
    over, each subordinate body one below its superior."""
    level = {focus: 0}
    for _ in range(len(order) + 1):  # relax until nothing moves (a chart is small)
        moved = False
        for edge in edges:
            if edge.subordinate in level and edge.superior != focus:
                want = level[edge.subordinate] - 1
                if level.get(edge.superior, want + 1) > want:
                    level[edge.superior], moved = want, True
            elif edge.superior in level and edge.subordinate not in level:
                level[edge.subordinate], moved = level[edge.superior] + 1, True
        if not moved:
            break
    ranks = sorted(set(level.values()))
    return [[iri for iri in order if level.get(iri) == rank] for rank in ranks]


def _place(
    rows: list[list[str]], boxes: Mapping[str, _Box], edges: Sequence[Edge], least: int
) -> int:
    """Set each box's position, row by row from the top, each row ordered by
    where its superiors stand; the width of the whole (at least ``least``)."""
    above: dict[str, list[str]] = {}
    for edge in edges:
        above.setdefault(edge.subordinate, []).append(edge.superior)
    y = float(_TOP)
    widths: list[float] = []
    placed: set[str] = set()

    def where(iri: str) -> tuple[float, str]:
        over = [boxes[s].centre for s in above.get(iri, []) if s in placed]
        return (sum(over) / len(over) if over else 0.0, boxes[iri].lines[0])

    for row in rows:
        row.sort(key=where)
        x = 0.0
        for iri in row:
            boxes[iri].x, boxes[iri].y = x, y
            x += boxes[iri].width + _GAP
        placed.update(row)
        widths.append(x - _GAP)
        y += max(boxes[iri].height for iri in row) + _ROW_GAP
    width = max(round(max(widths, default=0) + 2 * _MARGIN), least)
    for row, used in zip(rows, widths, strict=True):  # each row centred
        for iri in row:
            boxes[iri].x += (width - used) / 2
    return width


def _box_svg(box: _Box, focus: bool, link: Callable[[str], str] | None) -> str:
    fill, stroke = ("#fde9c4", "#c07a1a") if focus else ("#f4f6fa", "#56657a")
    dash = ' stroke-dasharray="5 4"' if box.undated else ""
    parts = [
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width}" height="{box.height}" '
        f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{2 if focus else 1}"{dash}/>'
    ]
    for i, line in enumerate(box.lines):
        italic = (
            ' font-style="italic" fill="#555"' if box.undated and i == len(box.lines) - 1 else ""
        )
        parts.append(
            f'<text x="{box.centre:.1f}" y="{box.y + _PAD / 2 + _LINE * (i + 1) - 4:.1f}" '
            f'text-anchor="middle"{italic}>{escape(line)}</text>'
        )
    inner = "".join(parts)
    if link is None:
        return f'<g class="body">{inner}</g>'
    title = f"<title>{escape(box.iri)}</title>"
    return f'<a href={quoteattr(link(box.iri))} class="body">{title}{inner}</a>'


def _edge_svg(edge: Edge, boxes: Mapping[str, _Box]) -> str:
    top, below = boxes[edge.superior], boxes[edge.subordinate]
    x1, y1 = top.centre, top.y + top.height
    x2, y2 = below.centre, below.y
    middle = (y1 + y2) / 2
    path = f"M{x1:.1f},{y1:.1f} V{middle:.1f} H{x2:.1f} V{y2:.1f}"
    line = (
        f'<path d="{path}" fill="none" stroke="#555" stroke-width="1.4"'
        f'{_STROKES[edge.certainty]} marker-end="url(#arrow)" class="{edge.certainty}"/>'
    )
    words = _EDGE_WORDS[edge.certainty]
    if words:
        line += (
            f'<text x="{x2 + 5:.1f}" y="{y2 - 6:.1f}" font-size="11" font-style="italic" '
            f'fill="#555">{words}</text>'
        )
    return line


def _legend() -> tuple[list[str], int]:
    """What the three kinds of line mean, on one line at y = 0; and its width."""
    items = [
        ("certain", "certain on the date"),
        ("possible", "possibly (the dates are too coarse to tell)"),
        ("undated", "undated statement"),
    ]
    out, x = [], float(_MARGIN)
    for kind, words in items:
        out.append(
            f'<line x1="{x:.0f}" y1="-4" x2="{x + 28:.0f}" y2="-4" '
            f'stroke="#555" stroke-width="1.4"{_STROKES[kind]}/>'
        )
        out.append(f'<text x="{x + 34:.0f}" y="0" font-size="11">{escape(words)}</text>')
        x += 34 + display_width(words) * 6.2 + 24
    return out, round(x - 24 + _MARGIN)
