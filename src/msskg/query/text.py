"""The SPARQL text itself: syntax errors located as file:line:col, updates
refused as such, and the variables a text mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping

from msskg.errors import QueryFileError, QuerySyntaxError
from msskg.query.catalogue import SavedQuery

__all__ = [
    "declare_prefixes",
    "mentioned_variables",
    "query_syntax_error",
    "unselected_parameter",
]


def unselected_parameter(query: SavedQuery, message: str) -> QueryFileError:
    # pyoxigraph substitutes only variables the query returns (SEP-0007).
    found = re.search(r"\?(\w+)", message)
    variable = f"?{found.group(1)}" if found else "a parameter"
    return QueryFileError(
        f"query {query.name} uses {variable} but does not return it; add {variable} "
        "to its SELECT line (pyoxigraph binds only variables a query returns)"
    )


_SYNTAX_POSITION = re.compile(r"(?:error at |line )(\d+)[:, ]+(?:column )?(\d+):?\s*")


def query_syntax_error(
    query: SavedQuery, message: str, *, line: int | None = None, column: int | None = None
) -> QuerySyntaxError:
    """``where:line:col: SPARQL syntax error: ...`` from an engine's message."""
    detail = message.strip().splitlines()[0] if message.strip() else "invalid query"
    if _UPDATE.search(query.text):
        detail = "SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) is not supported: msskg only reads"
        line = column = None
    found = _SYNTAX_POSITION.search(detail)
    if found and line is None:
        line, column = int(found.group(1)), int(found.group(2))
        detail = detail[: found.start()] + detail[found.end() :]
    where = str(query.path) if query.path is not None else query.name
    if line is not None:
        where = f"{where}:{line}:{column}"
    return QuerySyntaxError(
        f"{where}: SPARQL syntax error: {detail.strip()}", line=line, column=column
    )


_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s*[\w.-]*:\s*<[^>\n]*>|BASE\s*<[^>\n]*>|#[^\n]*)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


# Strings, IRIs and comments are skipped, so "?x" inside them is not a use of ?x.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|[?$](?P<var>\w+)"
    r"|(?P<declared>(?i:PREFIX)\s*(?:[A-Za-z][\w.-]*)?:)"
    r"|(?<![\w.:-])(?P<prefix>(?:[A-Za-z][\w-]*(?:\.[\w-]+)*)?):"
)


def mentioned_variables(text: str) -> set[str]:
    """The variables a SPARQL text uses anywhere. Only these are bound: a date
    parameter offers three variables and a query may use one."""
    return {m.group("var") for m in _TOKENS.finditer(text) if m.group("var")}


def declare_prefixes(text: str, known: Mapping[str, str]) -> str:
    """``text`` with a PREFIX line for every known prefix it uses and does not
    declare (put before the text's first line, which keeps its line numbers).
    A prefix neither declared nor known is one :class:`QuerySyntaxError`
    that names it."""
    declared: set[str] = set()
    used: list[str] = []
    for match in _TOKENS.finditer(text):
        if match.group("declared"):
            declared.add(match.group("declared")[6:].strip().rstrip(":"))
        elif match.group("prefix") is not None and match.group("prefix") not in used:
            used.append(match.group("prefix"))
    missing = [p for p in used if p not in declared]
    unknown = [p for p in missing if p not in known]
    if unknown:
        names = ", ".join(sorted(p for p in known if p))
        raise QuerySyntaxError(f'unknown prefix "{unknown[0]}:" in the query; known: {names}')
    if not missing:
        return text
    return " ".join(f"PREFIX {p}: <{known[p]}>" for p in missing) + " " + text
