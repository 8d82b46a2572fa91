"""Three SHACL-SPARQL constraints of ontology/shapes.ttl that the fast engine
evaluates in Python, with the same results as their SPARQL (which pySHACL runs):

- DateInQuoteShape's first: whether a quote writes a date "of its own" is a
  REPLACE whose pattern is built from each date; Oxigraph compiles a regular
  expression on every row, and so would Python's ``re``. Here
  the REPLACE is done without a pattern: only where a match can start, each
  alternative tried in the order a backtracking engine tries it.
- NameInQuoteShape's first: a REGEX whose pattern is built from each name
  (a name of its own, not inside a longer one); tested the same way.
- SuperiorInQuoteShape's second: whether a subordination's quote names another
  body compares every quote with every name of every body (CONTAINS over a
  cross product). Here the names are indexed by their first characters and
  lengths (msskg.validate.substrings), and each quote is scanned once.

A constraint is evaluated here only when its sh:select is, word for word (up
to white space), the text it was written for (its digest below); an edited
query runs as SPARQL again. tests/test_native.py checks that both paths and
pySHACL agree, and fuzzes the matching against Python's re and Oxigraph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import pyoxigraph as ox

from msskg.validate.sources import SPARQL_PREFIXES
from msskg.validate.substrings import SubstringIndex

__all__ = [
    "NATIVE",
    "digest",
    "in_longer_date",
    "native_rows",
    "whole_name",
    "without_longer_dates",
    "writes_whole_name",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


def digest(select: str) -> str:
    """The digest of a query's text, white space collapsed."""
    return hashlib.sha256(" ".join(select.split()).encode()).hexdigest()


def native_rows(store: ox.Store, select: str, targets: str) -> list[Row] | None:
    """The solutions ($this, ?value) of ``select`` with ``targets`` (a group
    binding ?this to each focus node), or None when it is not evaluated here."""
    evaluate = NATIVE.get(digest(select))
    return None if evaluate is None else list(evaluate(store, targets))


def _query(store: ox.Store, text: str, targets: str) -> Iterator[tuple[Term, ...]]:
    """Rows of terms, in the order the query selects them (every one bound,
    but where the query says OPTIONAL)."""
    solutions = store.query(SPARQL_PREFIXES + text.replace("TARGETS", targets))
    return iter(solutions)  # type: ignore[arg-type]


def _str(term: object) -> str | None:
    """SPARQL's STR: None (an error) for a blank node or nothing."""
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else None


# --- DateInQuoteShape -------------------------------------------------------------------

_DATES = """
SELECT ?this ?value ?start ?quote WHERE {
    TARGETS
    { ?this time:hasTime/mss:asWritten ?value . BIND (false AS ?start) }
    UNION { ?this mss:during/time:hasBeginning/mss:asWritten ?value . BIND (true AS ?start) }
    UNION { ?this org:memberDuring/time:hasBeginning/mss:asWritten ?value . BIND (true AS ?start) }
    UNION { ?this mss:during/time:hasEnd/mss:asWritten ?value . BIND (false AS ?start) }
    UNION { ?this org:memberDuring/time:hasEnd/mss:asWritten ?value . BIND (false AS ?start) }
    FILTER NOT EXISTS { ?this mss:valueNotInQuote ?value }
    OPTIONAL { ?this prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }
}"""

# REGEX(?date, "^[A-Za-z0-9 ,]+$"): XPath's $ is the end of the text only
_PLAIN_DATE = re.compile(r"[A-Za-z0-9 ,]+")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")  # fmt: skip
_MONTH_BY_PREFIX = {month[:3]: month + " " for month in _MONTH_NAMES}
# How far before an occurrence of the date a match that holds it can start:
# [0-9] 1, [0-9](st|nd|rd|th)?,? and a space 2 to 5, a month and a space, a dash 1 to 4.
_OFFSETS = tuple(sorted({1, 2, 3, 4, 5, *(len(month) + 1 for month in _MONTH_NAMES)}))
_ORDINALS = ("st", "nd", "rd", "th")
_DASHES = ("\u2013 ", "\u2013", "- ", "-", " to ")


def in_longer_date(date: str, start: bool) -> str:
    """The shape's ?inLongerDate pattern, built as its CONCAT builds it."""
    before = f"([0-9]|[0-9](st|nd|rd|th)?,? |({'|'.join(_MONTH_NAMES)}) )"
    span = f"|(\u2013 ?|- ?| to ){date}" if start else ""
    return f"{before}{date}|{date}[0-9]{span}"


def _writes_date(quote: object, date: str | None, start: bool) -> bool:
    """CONTAINS(IF(REGEX(?date, ...), REPLACE(STR(?quote), ?inLongerDate, ""),
    STR(?quote)), ?date); False where SPARQL has an error."""
    text = _str(quote)
    if text is None or date is None or date not in text:
        return False
    if _PLAIN_DATE.fullmatch(date):
        if _stands_alone(text, date):
            return True
        text = without_longer_dates(text, date, start)
    return date in text


# The longest text a match can hold before its date: a month name and a space.
_LONGEST_PREFIX = max(len(month) + 1 for month in _MONTH_NAMES)


def _stands_alone(text: str, date: str) -> bool:
    """Whether the first occurrence of ``date`` in ``text`` is certainly kept
    by REPLACE(text, in_longer_date(date, start), ""): no match can overlap
    it. Every match holds an occurrence of the date, at its end (after a
    digit, a space or a dash) or at its start (before a digit), so none can
    when no other occurrence is near, nothing that ends a prefix is right
    before it and no digit right after it. False when unsure."""
    at = text.find(date)
    end = at + len(date)
    near = text.find(date, at + 1)
    if near >= 0 and near < end + _LONGEST_PREFIX + 1:
        return False
    if _digit(text, end):
        return False
    if at == 0:
        return True
    before = text[at - 1]
    if before != " ":
        return not ("0" <= before <= "9" or before in "\u2013-")
    # a space: after neither a digit, a comma nor a dash, or after a word of
    # letters that ends with no month, is not "to" and is no ordinal of a digit
    mark = text[at - 2] if at >= 2 else ""
    if not (mark.isascii() and mark.isalpha()):
        return not (mark.isdigit() or mark in ",\u2013-") or mark == ""
    word_start = at - 1
    while word_start > 0 and text[word_start - 1].isascii() and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start : at - 1]
    return (
        word != ""
        and not word.endswith(_MONTH_NAMES)
        and word != "to"
        and not _digit(text, word_start - 1)
    )


def without_longer_dates(text: str, date: str, start: bool) -> str:
    """REPLACE(text, in_longer_date(date, start), ""), for a non-empty ``date``
    of letters, digits, spaces and commas, without compiling the pattern: every
    match holds an occurrence of ``date`` at an offset its alternative fixes, so
    only those start positions are tried, leftmost first, each alternative in
    the order a backtracking regex engine tries it."""
    starts: set[int] = set()
    found = text.find(date)
    while found >= 0:
        starts.add(found)
        # where a match that ends with this occurrence can start
        spaced = found > 0 and text[found - 1] == " "
        for offset in _OFFSETS:
            at = found - offset
            if at < 0 or (offset > 1 and not spaced):
                break
            first = text[at]
            if (
                ("0" <= first <= "9" and offset <= 5)
                or (first in "\u2013-" and offset <= 2)
                or (offset == 4 and text.startswith(" to ", at))
                or _MONTH_BY_PREFIX.get(text[at : at + 3]) == text[at:found]
            ):
                starts.add(at)
        found = text.find(date, found + 1)
    kept: list[str] = []
    position = 0
    for at in sorted(starts):
        if at >= position and (end := _match_at(text, at, date, start)) >= 0:
            kept.append(text[position:at])
            position = end
    kept.append(text[position:])
    return "".join(kept)


def _match_at(text: str, at: int, date: str, start: bool) -> int:
    """Where the match of in_longer_date(date, start) at ``at`` ends, or -1."""
    if _digit(text, at):
        # [0-9] DATE
        if text.startswith(date, at + 1):
            return at + 1 + len(date)
        # [0-9](st|nd|rd|th)?,? DATE: greedy, so with the suffix, with the comma first
        after = at + 1
        ordinal = [after + 2] if text[after : after + 2] in _ORDINALS else []
        for i in [*ordinal, after]:
            for j in [i + 1, i] if text[i : i + 1] == "," else [i]:
                if text[j : j + 1] == " " and text.startswith(date, j + 1):
                    return j + 1 + len(date)
    # (January|...|December) DATE: no two months share their first three letters
    month = _MONTH_BY_PREFIX.get(text[at : at + 3], "")
    if month and text.startswith(month, at) and text.startswith(date, at + len(month)):
        return at + len(month) + len(date)
    # DATE[0-9]
    if text.startswith(date, at) and _digit(text, at + len(date)):
        return at + len(date) + 1
    if start:  # (\u2013 ?|- ?| to ) DATE, the en dash first
        for dash in _DASHES:
            if text.startswith(dash, at) and text.startswith(date, at + len(dash)):
                return at + len(dash) + len(date)
    return -1


def _digit(text: str, i: int) -> bool:
    return 0 <= i < len(text) and "0" <= text[i] <= "9"


def _date_in_quote(store: ox.Store, targets: str) -> Iterator[Row]:
    quotes: dict[tuple[Term, Term, bool], list[object]] = {}
    for this, value, bound, quote in _query(store, _DATES, targets):
        quotes.setdefault((this, value, bound.value == "true"), []).append(quote)
    seen: set[tuple[Term, Term]] = set()
    for (this, value, start), found in quotes.items():
        date = _str(value)
        if (this, value) not in seen and not any(_writes_date(q, date, start) for q in found):
            seen.add((this, value))
            yield {"this": this, "value": value}


# --- NameInQuoteShape -------------------------------------------------------------------

_NAMES = """
SELECT ?this ?value ?quote WHERE {
    TARGETS
    ?this mss:name ?value .
    FILTER NOT EXISTS { ?this mss:valueNotInQuote ?value }
    OPTIONAL { ?this prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }
}"""

# REGEX(?name, "^[A-Za-z0-9 '\u2019\uac00-\ud7a3-]+$"), $ the end of the text only
_PLAIN_NAME = re.compile("[A-Za-z0-9 '\u2019\uac00-\ud7a3-]+")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'\u2019")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ALNUM = _WORD - {"'", "\u2019"}


def whole_name(name: str) -> str:
    """The shape's ?whole pattern, built as its CONCAT builds it."""
    word = "A-Za-z0-9'\u2019"
    return f"(^|[^{word} ]|[^{word}] |(^|[^{word}])([a-z]+|The) ){name}($|[^A-Za-z0-9])"


def _writes_name(quote: object, name: str | None) -> bool:
    """IF(REGEX(?name, ...), REGEX(STR(?quote), ?whole), CONTAINS(STR(?quote), ?name))."""
    text = _str(quote)
    if text is None or name is None:
        return False
    if not _PLAIN_NAME.fullmatch(name):
        return name in text
    return writes_whole_name(text, name)


def writes_whole_name(text: str, name: str) -> bool:
    """REGEX(text, whole_name(name)) for a name that passed the shape's test: some
    occurrence not followed by a letter or digit, and at the start, or after a
    character that is not a letter, digit, apostrophe or space, or after a space
    that follows one, or after a lowercase word or "The" and a space."""
    found = text.find(name)
    while found >= 0:
        after = found + len(name)
        if (after == len(text) or text[after] not in _ALNUM) and _name_may_start(text, found):
            return True
        found = text.find(name, found + 1)
    return False


def _name_may_start(text: str, at: int) -> bool:
    if at == 0 or (text[at - 1] not in _WORD and text[at - 1] != " "):
        return True
    if text[at - 1] != " " or at < 2:
        return False
    if text[at - 2] not in _WORD:
        return True
    run = at - 1  # a lowercase word before the space
    while run > 0 and text[run - 1] in _LOWER:
        run -= 1
    if run < at - 1 and (run == 0 or text[run - 1] not in _WORD):
        return True
    the = at - 4
    return the >= 0 and text[the : at - 1] == "The" and (the == 0 or text[the - 1] not in _WORD)


def _name_in_quote(store: ox.Store, targets: str) -> Iterator[Row]:
    quotes: dict[tuple[Term, Term], list[object]] = {}
    for this, value, quote in _query(store, _NAMES, targets):
        quotes.setdefault((this, value), []).append(quote)
    for (this, value), found in quotes.items():
        name = _str(value)
        if not any(_writes_name(quote, name) for quote in found):
            yield {"this": this, "value": value}


# --- SuperiorInQuoteShape ---------------------------------------------------------------

_SUBORDINATIONS = """
SELECT ?this ?subordinate ?superior ?quote WHERE {
    TARGETS
    ?this mss:subordinate ?subordinate ; mss:superior ?superior ;
          prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
}"""
_STARTS = (
    "SELECT ?this ?start WHERE { TARGETS ?this mss:during/time:hasBeginning/mss:asWritten ?start }"
)
_MENTIONS = "SELECT ?this ?value WHERE { TARGETS ?this mss:mentions ?value }"
_BODY_NAMES = """
SELECT DISTINCT ?value ?name WHERE {
    ?class rdfs:subClassOf* org:Organization .
    ?value a ?class .
    { ?value rdfs:label|skos:prefLabel|skos:altLabel ?name }
    UNION { ?period mss:ofAgency ?value ; mss:name ?name }
}"""


def _superior_names_another(store: ox.Store, targets: str) -> Iterator[Row]:
    bodies: dict[str, set[Term]] = {}
    for value, name_term in _query(store, _BODY_NAMES, ""):
        name = _str(name_term)
        if name is not None:
            bodies.setdefault(name, set()).add(value)
    index = SubstringIndex(bodies)
    starts: dict[Term, list[str]] = {}
    for this, start in _query(store, _STARTS, targets):
        # COALESCE(STR(?start), ""): a blank node's error gives ""
        starts.setdefault(this, []).append(_str(start) or "")
    mentions = {(this, value) for this, value in _query(store, _MENTIONS, targets)}
    seen: set[tuple[Term, Term]] = set()
    names_in: dict[str, set[str]] = {}
    for this, subordinate, superior, quote_term in _query(store, _SUBORDINATIONS, targets):
        quote = _str(quote_term)
        # FILTER (CONTAINS(STR(?quote), COALESCE(STR(?start), ""))), ?start OPTIONAL
        if quote is None or not any(start in quote for start in starts.get(this, [""])):
            continue
        if quote not in names_in:
            names_in[quote] = index.within(quote)
        others = {subordinate, superior}
        for name in names_in[quote]:
            for value in bodies[name]:
                pair = (this, value)
                if value not in others and pair not in mentions and pair not in seen:
                    seen.add(pair)
                    yield {"this": this, "value": value}


NATIVE: dict[str, Callable[[ox.Store, str], Iterator[Row]]] = {
    # msh:DateInQuoteShape: "gives the date ..., which its quote does not write as a date ..."
    "b54b2accd158ef99aa46fd8cf9e7ceac22c537063c1c838a9369d10c7dd92d2f": _date_in_quote,
    # msh:NameInQuoteShape: "gives the name ..., which its quote does not write as a name ..."
    "b68032765e0755a26bb25371297a1e3cec008a7982f9e8474976b1f0fb5675e7": _name_in_quote,
    # msh:SuperiorInQuoteShape: "its quote ... also names another body, neither the ..."
    "822a292cb9b4fde9f44cf56be7a9945dca0584aed05ac32aa30b4ec84d8a2696": _superior_names_another,
}
