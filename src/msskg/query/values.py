"""Binding parameters inside a query's text, as VALUES blocks written from RDF
terms (never from the user's text), for engines that take nothing but text: a
remote server (the SPARQL 1.1 Protocol sends no bindings), and pyoxigraph,
whose own substitution joins after the groups are evaluated. A one-row VALUES
at the start of every group graph pattern in the variable's scope is what
substituting the term for the variable (SEP-0007) means; a subquery that does
not return the variable has one of its own by that name, and gets none."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import pyoxigraph as ox

from msskg.errors import ParameterError, QueryFileError
from msskg.graph.lexer import SKIPPED
from msskg.query.catalogue import Binding, SavedQuery
from msskg.query.text import query_syntax_error
from msskg.vocab import XSD_STRING

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import Literal, TypeAlias

__all__ = [
    "QueryForm",
    "bind_values",
    "lex_sparql",
    "query_form",
    "sparql_term",
    "unreturned_parameters",
]

QueryForm: TypeAlias = 'Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]'

_LEXEME = re.compile(
    SKIPPED + r"|@[A-Za-z]+(?:-[A-Za-z0-9]+)*"
    r"|[?$](?P<var>\w+)"
    r"|(?P<word>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\.)*|[A-Za-z_]\w*)"
    r"|(?P<mark>[{}()*])"
    r"|(?P<number>[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<stop>[.;,])"
)
_BRIEF = ("var", "word", "mark")


def lex_sparql(text: str, *, full: bool = False) -> list[tuple[str, str, int]]:
    """(kind, text, end) of each variable, word and bracket; strings, IRIs and
    comments are skipped, so a brace or ``?x`` inside them counts for nothing.
    ``full``: also each literal, IRI, number and ``.``, ``;`` or ``,``."""
    lexemes = _lexemes(text)
    return list(lexemes) if full else [lexeme for lexeme in lexemes if lexeme[0] in _BRIEF]


@lru_cache(maxsize=4)  # a query's text is read for its shape, its parameters and its VALUES
def _lexemes(text: str) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        (m.lastgroup, m.group(m.lastgroup), m.end())
        for m in _LEXEME.finditer(text)
        if m.lastgroup is not None
    )


def query_form(text: str) -> QueryForm:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: which answer to ask the server for."""
    for kind, value, _ in lex_sparql(text):
        if kind == "word" and value.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return value.upper()  # type: ignore[return-value]
    return "SELECT"


def unreturned_parameters(query: SavedQuery, names: frozenset[str]) -> list[str]:
    """Those of ``names`` a SELECT query uses but does not return (none for
    ``SELECT *`` and for other forms): pyoxigraph's substitution refuses them,
    and msskg keeps that rule wherever it binds."""
    return list(_unreturned(query, names)) if names else []


@lru_cache(maxsize=64)
def _unreturned(query: SavedQuery, names: frozenset[str]) -> tuple[str, ...]:
    lexemes = lex_sparql(query.text)
    for index, (kind, value, _) in enumerate(lexemes):
        if kind == "word" and value.upper() in ("ASK", "CONSTRUCT", "DESCRIBE"):
            return ()
        if kind == "word" and value.upper() == "SELECT":
            return tuple(sorted(names - _projection(lexemes[index + 1 :], names)))
    return ()


def bind_values(query: SavedQuery, bindings: Mapping[str, Binding]) -> str:
    """The query's text with ``bindings`` joined in as VALUES blocks (see above);
    the text itself, unchanged, when there is nothing to bind."""
    if not bindings:
        return query.text
    text = query.text
    inserts = _insertions(query, frozenset(bindings))
    if not inserts:
        # No group to join into (DESCRIBE ?x, CONSTRUCT WHERE): a final VALUES
        # clause, which is joined with the whole pattern, says the same.
        return f"{text}\n{_values_block(bindings, frozenset(bindings))}\n"
    for position, scope in inserts:
        text = f"{text[:position]} {_values_block(bindings, scope)} {text[position:]}"
    return text


@lru_cache(maxsize=64)
def _insertions(query: SavedQuery, names: frozenset[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Where :func:`bind_values` puts a VALUES block of which of ``names``, last
    first: the same for every binding of one text, so it is found once."""
    lexemes = lex_sparql(query.text)
    stack: list[_Frame] = []
    inserts: dict[int, frozenset[str]] = {}
    expect, assigning = "group", False
    for index, (kind, value, end) in enumerate(lexemes):
        scope = stack[-1].scope if stack else names
        word = value.upper() if kind == "word" else ""
        if stack and value not in ("{", "}") and word != "UNION":
            stack[-1].only_groups = False
        if stack and kind == "var":
            stack[-1].mentions.add(value)
        if word in ("CONSTRUCT", "VALUES"):
            expect, assigning = ("template", False) if word == "CONSTRUCT" else ("data", True)
        elif kind == "var" and value in scope and (assigning or _after_as(lexemes, index)):
            raise QueryFileError(
                f"query {query.name} assigns ?{value} (with BIND, VALUES or AS), "
                "so it cannot also be a parameter"
            )
        elif value == "{":
            following = lexemes[index + 1] if index + 1 < len(lexemes) else ("", "", 0)
            if expect != "group":
                stack.append(_Frame(expect, scope))
            elif following[0] == "word" and following[1].upper() == "SELECT":
                stack.append(_Frame("subquery", scope & _projection(lexemes[index + 2 :], scope)))
            elif index > 0 and lexemes[index - 1][1].upper() == "EXISTS":
                # The enclosing group's VALUES binds the variable in every
                # solution the filter sees; Virtuoso 7 fails to compile a
                # VALUES of outer variables inside (NOT) EXISTS.
                stack.append(_Frame("group", scope))
            elif index > 0 and lexemes[index - 1][1].upper() in ("OPTIONAL", "MINUS"):
                # Its VALUES is decided at its }, once its mentions are known.
                stack.append(_Frame("optional", scope, end))
            else:
                stack.append(_Frame("group", scope, end if scope else None))
                if scope:
                    inserts[end] = scope
            expect, assigning = "group", False
        elif value == "}":
            if not stack:
                raise query_syntax_error(query, "a } closes no {")
            frame = stack.pop()
            if stack:
                stack[-1].children.append(frame)
                stack[-1].mentions |= frame.mentions
            if frame.kind == "optional" and frame.insert is not None:
                # The parameters it never mentions are bound by the enclosing
                # group's VALUES; Virtuoso 7 loses OPTIONAL rows (or hangs)
                # when a VALUES of them is joined in here, Oxigraph joins the
                # OPTIONAL over the whole graph by hash instead of looking it up
                # per row, and in a MINUS it would make both sides share them.
                if used := frame.scope & frame.mentions:
                    inserts[frame.insert] = frozenset(used)
                else:
                    frame.insert = None
                continue
            if frame.insert is not None and _only_bound_groups(frame):
                # { A } UNION { B }: the VALUES goes after the groups, not
                # before (the same join); Virtuoso 7 hangs on the other order.
                inserts[end - 1] = inserts.pop(frame.insert)
    if stack:
        raise query_syntax_error(query, "a { is never closed")
    return tuple(sorted(inserts.items(), reverse=True))


class _Frame:
    """A { ... } being read: what it is, the parameters it can see, where its
    VALUES goes (None: nowhere), whether it holds nothing but groups, and the
    variables it mentions.
    (A plain class: a cold query does not import dataclasses.)"""

    __slots__ = ("children", "insert", "kind", "mentions", "only_groups", "scope")

    def __init__(self, kind: str, scope: frozenset[str], insert: int | None = None) -> None:
        self.kind = kind
        self.scope = scope
        self.insert = insert
        self.only_groups = True
        self.children: list[_Frame] = []
        self.mentions: set[str] = set()


def _only_bound_groups(frame: _Frame) -> bool:
    """Whether ``frame`` holds only groups (joined or UNIONed) that each bind
    every parameter it sees, so where its own VALUES goes changes nothing."""
    return (
        frame.only_groups
        and bool(frame.children)
        and all(c.insert is not None and c.scope == frame.scope for c in frame.children)
    )


def _projection(lexemes: Sequence[tuple[str, str, int]], scope: frozenset[str]) -> frozenset[str]:
    """The variables a subquery's SELECT clause returns (all of ``scope`` for
    ``SELECT *``): those at the top of the clause, and those after AS."""
    returned, depth = set(), 0
    for index, (kind, value, _) in enumerate(lexemes):
        if value == "{" or (depth == 0 and kind == "word" and value.upper() == "WHERE"):
            break
        depth += {"(": 1, ")": -1}.get(value, 0) if kind == "mark" else 0
        if value == "*" and depth == 0:
            return scope
        if kind == "var" and (depth == 0 or _after_as(lexemes, index)):
            returned.add(value)
    return frozenset(returned)


def _after_as(lexemes: Sequence[tuple[str, str, int]], index: int) -> bool:
    return index > 0 and lexemes[index - 1][0] == "word" and lexemes[index - 1][1].upper() == "AS"


def _values_block(bindings: Mapping[str, Binding], scope: frozenset[str]) -> str:
    names = sorted(scope)
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join(sparql_term(bindings[name]) for name in names)
    return f"VALUES ({variables}) {{ ({terms}) }}"


_IRI_SAFE = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')
_LANGUAGE = r"[A-Za-z]+(?:-[A-Za-z0-9]+)*"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def sparql_term(term: Binding) -> str:
    """An RDF term in SPARQL (and N-Triples) syntax, escaped so that no value
    can end the term early: ``<iri>``, ``"text"@lang``, ``"text"^^<datatype>``."""
    if isinstance(term, ox.NamedNode):
        if not _IRI_SAFE.fullmatch(term.value):
            raise ParameterError(f"<{term.value}> cannot be written in SPARQL")
        return f"<{term.value}>"
    text = '"' + term.value.translate(_ESCAPES) + '"'
    if term.language:
        if not re.fullmatch(_LANGUAGE, term.language):
            raise ParameterError(f'"{term.language}" is not a language tag')
        return f"{text}@{term.language}"
    if term.datatype.value == XSD_STRING:
        return text
    return f"{text}^^{sparql_term(term.datatype)}"
