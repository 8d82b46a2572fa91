"""A cheap look at RDF and SPARQL text before a recursive parser sees it: how
deeply its brackets nest, outside strings, IRIs and comments. pyoxigraph's
SPARQL parser dies (segmentation fault) on a query nested ~3,000 deep, its
JSON-LD parser slows to a crawl, and rdflib's parsers recurse; real data and
queries never nest more than a few dozen levels."""

from __future__ import annotations

import re

from msskg.errors import DataError, MsskgError, NestingError
from msskg.graph.lexer import SKIPPED_BYTES

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal, TypeAlias

__all__ = ["MAX_DEPTH", "Syntax", "check_data_depth", "check_depth", "nesting_depth"]

MAX_DEPTH = 200
"""The deepest nesting accepted: far beyond real data, far below a crash."""

Syntax: TypeAlias = 'Literal["sparql", "turtle", "json"]'

# Strings, IRIs and comments hold no brackets that count (graph/lexer.py);
# JSON has only double-quoted strings. Patterns as text for what
# a short query text never needs: re compiles (and caches) them when first used.
_SKIP_JSON = rb'"(?:[^"\\]|\\.)*"'
_QUOTED = rb"<<|>>"  # RDF-star quoted triples nest too
_NOT_BRACKET = re.compile(rb"[^()\[\]{}]+")
_PAIR = rb"\(\)|\[\]|\{\}"
_OPENING = frozenset(b"([{")


def nesting_depth(text: str | bytes, syntax: Syntax, *, limit: int = MAX_DEPTH) -> int:
    """How deeply ``text`` nests: exact for balanced brackets up to ``limit``,
    above it some number greater than ``limit``; for unbalanced text an upper
    bound (unclosed brackets count as open)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if sum(raw.count(c) for c in (b"(", b"[", b"{", b"<<")) <= limit:
        return min(limit, _exact(_NOT_BRACKET.sub(b"", raw)))  # cannot nest deeper
    if syntax == "json":
        brackets = _NOT_BRACKET.sub(b"", re.sub(_SKIP_JSON, b" ", raw, flags=re.DOTALL))
    else:
        skipped = re.sub(SKIPPED_BYTES, b" ", raw, flags=re.DOTALL)
        kept = re.sub(_QUOTED, lambda m: b"(" if m.group() == b"<<" else b")", skipped)
        brackets = _NOT_BRACKET.sub(b"", kept)
    # Removing innermost pairs, one level a pass, at C speed: real text is
    # empty after a few passes; only what survives is walked one by one.
    passes = 0
    while passes <= limit:
        fewer = re.sub(_PAIR, b"", brackets)
        if fewer == brackets:
            break
        brackets, passes = fewer, passes + 1
    return passes + _exact(brackets)


def _exact(brackets: bytes) -> int:
    depth = deepest = 0
    for char in brackets:
        depth = depth + 1 if char in _OPENING else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def check_depth(
    text: str | bytes,
    syntax: Syntax,
    *,
    what: str,
    limit: int = MAX_DEPTH,
    error: type[MsskgError] = NestingError,
) -> None:
    """Raise ``error`` when ``text`` nests deeper than ``limit``."""
    if nesting_depth(text, syntax, limit=limit) > limit:
        raise error(
            f"{what} nests brackets more than {limit} deep, deeper than msskg reads; flatten it"
        )


def check_data_depth(path: Path, data: bytes | None = None) -> None:
    """Refuse (:class:`DataError`) an RDF file nested too deeply for the
    parsers: JSON-LD objects and arrays, Turtle/TriG collections, blank-node
    lists and quoted triples. N-Triples and N-Quads cannot nest."""
    suffix = path.suffix.lower()
    if suffix in (".nt", ".nq", ".rdf", ".xml", ".owl"):
        return
    if data is None:
        try:
            data = path.read_bytes()
        except OSError:
            return  # the parser reports it, with its own message
    syntax: Syntax = "json" if suffix in (".jsonld", ".json") else "turtle"
    check_depth(data, syntax, what=str(path), error=DataError)
