"""The SPARQL text itself: syntax errors located as file:line:col, updates
refused as such, and the variables a text mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from msskg.errors import QueryFileError, QuerySyntaxError
from msskg.graph.lexer import SKIPPED
from msskg.query.catalogue import SavedQuery

__all__ = [
    "check_syntax",
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


def check_syntax(query: SavedQuery) -> None:
    """Raise the :class:`QuerySyntaxError` an engine's parser finds in the text."""
    try:
        ox.Store().query(query.text)  # parsed, never run: a lazy answer over an empty store
    except SyntaxError as err:
        raise query_syntax_error(query, str(err)) from None
    except (RuntimeError, ValueError, OSError):
        pass


_SYNTAX_POSITION = r"(?:error at |line )(\d+)[:, ]+(?:column )?(\d+):?\s*"


def query_syntax_error(
    query: SavedQuery, message: str, *, line: int | None = None, column: int | None = None
) -> QuerySyntaxError:
    """``where:line:col: SPARQL syntax error: ...`` from an engine's message."""
    detail = message.strip().splitlines()[0] if message.strip() else "invalid query"
    if re.search(_UPDATE, query.text, re.IGNORECASE):
        detail = "SPARQL Update (INSERT, DELETE, LOAD, CLEAR...) is not supported: msskg only reads"
        line = column = None
    found = re.search(_SYNTAX_POSITION, detail)
    if found and line is None:
        line, column = int(found.group(1)), int(found.group(2))
        detail = detail[: found.start()] + detail[found.end() :]
    where = query.where if line is None else f"{query.where}:{line}:{column}"
    return QuerySyntaxError(
        f"{where}: SPARQL syntax error: {detail.strip()}", line=line, column=column
    )


_UPDATE = (
    r"^\s*(?:(?:PREFIX\s*[\w.-]*:\s*<[^>\n]*>|BASE\s*<[^>\n]*>|#[^\n]*)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b"
)


# Strings, IRIs and comments are skipped, so that "?x" or SERVICE inside them
# is not a use.
_TOKENS = re.compile(
    SKIPPED + r"|[?$](?P<var>\w+)"
    r"|(?P<declared>(?i:PREFIX)\s*(?:[A-Za-z][\w.-]*)?:)"
    r"|(?<![\w.:-])(?P<prefix>(?:[A-Za-z][\w-]*(?:\.[\w-]+)*)?):"
)


def mentioned_variables(text: str) -> set[str]:
    """The variables a SPARQL text uses anywhere. Only these are bound: a date
    parameter offers three variables and a query may use one."""
    return {m.group("var") for m in _TOKENS.finditer(text) if m.group("var")}


# ---------------------------------------------------------------- federation

# Patterns as text: re compiles (and caches) them when a query may name a
# service; a cold query that cannot (service_targets) never compiles them.
_ESCAPE = r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})"
_SERVICE = (
    SKIPPED + r"|[?$]\w+"
    r"|(?<![\w:\\-])(?P<keyword>SERVICE|PREFIX)(?![\w:\\-])"
)
_GAP = r"(?:\s|#[^\n]*\n)*"
_TARGET = (
    rf"{_GAP}(?:SILENT\b{_GAP})?(?:<(?P<iri>[^<>\s]*)>|(?P<prefix>[\w.-]*):(?P<local>[\w.:%-]*)"
    r"|(?P<var>[?$]\w+))?"
)
_DECLARED = rf"{_GAP}(?P<name>[\w.-]*):{_GAP}<(?P<iri>[^<>\s]*)>"
_ABSOLUTE = r"[A-Za-z][A-Za-z0-9+.-]*:[^\\]*\Z"


def _unescaped(text: str) -> str:
    # SPARQL 1.1 (19.2): \uXXXX escapes are processed before parsing, so
    # "\u0053ERVICE" is SERVICE to an engine that follows the letter (rdflib).
    def code(m: re.Match[str]) -> str:
        value = int(m.group(1) or m.group(2), 16)
        return chr(value) if value <= 0x10FFFF else m.group()

    return re.sub(_ESCAPE, code, text)


def service_targets(text: str) -> list[str | None]:
    """The endpoint each ``SERVICE`` of a SPARQL text names, as an absolute IRI,
    or None where it cannot be known for sure (a variable, a relative IRI, a
    prefix declared twice or not at all). ``SERVICE`` inside strings, IRIs and
    comments is not a use; case does not matter; the text is read both as
    written and with its ``\\u`` escapes processed."""
    targets: list[str | None] = []
    if "\\" not in text and not re.search("service", text, re.IGNORECASE):
        return targets  # nothing in it reads as SERVICE, escaped or not
    for version in dict.fromkeys((text, _unescaped(text))):
        prefixes: dict[str, str | None] = {}
        found: list[tuple[str | None, str | None]] = []
        for token in re.finditer(_SERVICE, version, re.IGNORECASE | re.DOTALL):
            keyword = (token.group("keyword") or "").upper()
            if keyword == "PREFIX":
                declared = re.compile(_DECLARED).match(version, token.end())
                if declared:
                    name, iri = declared.group("name"), declared.group("iri")
                    prefixes[name] = iri if prefixes.get(name, iri) == iri else None
            elif keyword == "SERVICE":
                target = re.compile(_TARGET, re.IGNORECASE).match(version, token.end())
                if target is not None and target.group("iri") is not None:
                    found.append((target.group("iri"), None))
                elif target is not None and target.group("prefix") is not None:
                    found.append((target.group("prefix"), target.group("local")))
                else:
                    found.append((None, None))
        for first, local in found:
            iri = first if local is None else _expand(prefixes, first, local)
            targets.append(iri if iri is not None and re.match(_ABSOLUTE, iri) else None)
    return targets


def _expand(prefixes: dict[str, str | None], name: str | None, local: str) -> str | None:
    namespace = prefixes.get(name or "")
    return None if namespace is None else namespace + local


def check_federation(query: SavedQuery, allow: tuple[str, ...] | list[str] = ()) -> None:
    """Refuse a query whose ``SERVICE`` names an endpoint outside ``allow``
    (IRI prefixes; empty: no federation at all). The engines would otherwise
    send a request to whatever host the query names."""
    from msskg.errors import FederationError, shown

    for target in service_targets(query.text):
        if target is not None and any(_allowed(target, prefix) for prefix in allow):
            continue
        named = f"<{shown(target)}>" if target is not None else "an endpoint msskg cannot resolve"
        if not allow:
            raise FederationError(
                f"{query.where}: SERVICE {named} refused: msskg does not send queries to other "
                "servers unless allowed (--allow-service PREFIX)"
            )
        raise FederationError(
            f"{query.where}: SERVICE {named} refused: it is not under an allowed prefix "
            f"({', '.join(shown(p) for p in allow)})"
        )


def _allowed(target: str, prefix: str) -> bool:
    """Whether ``target`` is under ``prefix``, both normalised (case of scheme
    and host, ``%2e``, ``.`` and ``..`` segments), on a boundary: a prefix
    that does not end in ``/`` allows itself and what is below it, so
    ``http://h/ok`` allows ``http://h/ok/x`` but not ``http://h/okevil``, nor
    ``http://h/ok/../evil``, nor (inside the authority) ``http://h.evil.example``."""
    if not prefix:
        return False
    target, prefix = _normalised(target), _normalised(prefix)
    if not target.startswith(prefix):
        return False
    rest = target[len(prefix) :]
    return prefix.endswith("/") or rest == "" or rest[0] in "/?#"


def _normalised(iri: str) -> str:
    import posixpath
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(iri)
    path = re.sub("%2[eE]", ".", parts.path)
    if path:
        trailing = "/" if path.endswith(("/", "/.", "/..")) else ""
        path = posixpath.normpath(path).lstrip("/")
        path = "/" + ("" if path == "." else path) + trailing
        path = path.replace("//", "/")
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment)
    )


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
