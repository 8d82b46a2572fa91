"""The shape of a query, checked before an engine plans it, so that a small
hostile text cannot take the machine: pyoxigraph's planner grows steeply
with the number of patterns and OPTIONALs, thousands of MINUS or BIND end the
process, and a join of patterns that share no variable is a product of the
graph with itself (``OPTIONAL { ?sN ?pN ?oN }`` repeated: gigabytes).

The text is read with the lexer that binds parameters
(:func:`msskg.query.values.lex_sparql`): strings, IRIs and comments never count."""

from __future__ import annotations

import re

from msskg.errors import QueryShapeError
from msskg.query.limits import MAX_GROUPS, MAX_OPERANDS, MAX_OPTIONALS, MAX_PATTERNS
from msskg.query.values import _LEXEME, lex_sparql

__all__ = [
    "MAX_GROUPS",
    "MAX_OPTIONALS",
    "MAX_PATTERNS",
    "Shape",
    "check_shape",
    "is_light",
    "shape",
]

_TERMS = ("var", "iri", "literal", "number")
# Words that start something other than a triple's next term.
_KEYWORDS = {
    *("FILTER", "BIND", "VALUES", "OPTIONAL", "MINUS", "GRAPH", "SERVICE", "SILENT"),
    *("UNION", "EXISTS", "NOT", "SELECT", "WHERE", "DISTINCT", "REDUCED", "AS", "FROM"),
    *("NAMED", "CONSTRUCT", "DESCRIBE", "ASK", "ORDER", "GROUP", "BY", "HAVING", "LIMIT"),
    *("OFFSET", "ASC", "DESC", "PREFIX", "BASE", "UNDEF"),
}
# What makes an engine hold every row before the first is given.
_WHOLE = {"ORDER", "GROUP", "DISTINCT", "REDUCED", "COUNT", "SUM", "AVG", "MIN", "MAX"}
_WHOLE |= {"GROUP_CONCAT", "SAMPLE"}
# Groups that filter rows and never multiply them.
_FILTERING = {"MINUS", "EXISTS"}
_CLAUSE_WORDS = {"BIND", "FILTER", "MINUS", "UNION", "VALUES", "GRAPH", "SERVICE", "HAVING"}
_CLAUSES = {"SELECT", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "DESCRIBE", "ASK"}


class _Part:
    __slots__ = ("names", "wide")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.wide = False  # holds a triple of three variables: the whole graph


class _Frame:
    __slots__ = (
        *("clause", "continued", "current", "depth", "kind", "parts", "terms", "union"),
        *("values", "operands"),
    )

    def __init__(self, kind: str, union: bool) -> None:
        self.kind = kind
        self.union = union
        self.parts: list[_Part] = []
        self.current = _Part()
        self.terms: list[str] = []
        self.depth = 0  # inside ( ): an expression, whose variables join nothing
        self.operands = 0  # terms in the expression it is inside
        self.values = False  # after VALUES: the next { } is data
        self.clause = False  # after SELECT (a subquery's head and tail): no patterns
        self.continued = False  # after ; or , in this part

    def close_part(self) -> None:
        if self.current.names:
            self.parts.append(self.current)
        self.current, self.terms, self.continued = _Part(), [], False


class Shape:
    """What :func:`shape` finds: counts, the first product of whole-graph
    patterns (a message), and whether every triple pattern is narrow (a
    constant predicate and a constant end), joined to the others, and free of
    ``*`` and ``+`` paths."""

    __slots__ = ("groups", "narrow", "operands", "optionals", "patterns", "product", "selects")

    def __init__(self) -> None:
        self.optionals = self.groups = self.patterns = self.selects = 0
        self.operands = 0  # the most terms in one expression
        self.product: str | None = None
        self.narrow = True


def check_shape(text: str, where: str = "query") -> None:
    """Refuse (:class:`QueryShapeError`, one line) a query with more than
    :data:`MAX_PATTERNS` triple patterns, :data:`MAX_OPTIONALS` OPTIONALs or
    :data:`MAX_GROUPS` groups and clauses, or one that joins patterns sharing no variable
    where one of them is three variables (all the graph), when two such are
    joined or the product is sorted, grouped or made distinct."""
    found = shape(text)
    if found.product is not None:  # only found within the limits on OPTIONALs and groups
        raise QueryShapeError(f"{where}: {found.product}")
    steeply = " (planning grows steeply with them)"
    for count, limit, what, verb, why in (
        (found.optionals, MAX_OPTIONALS, "OPTIONALs", "runs", steeply),
        (found.groups, MAX_GROUPS, "groups and clauses ({ }, BIND, FILTER, MINUS...)", "runs", ""),
        (found.patterns, MAX_PATTERNS, "triple patterns", "plans", steeply),
    ):
        if count > limit:
            raise QueryShapeError(
                f"{where}: {count} {what}; msskg {verb} at most {limit} in a query{why}: "
                "split the query"
            )
    if found.operands > MAX_OPERANDS:  # a chain a || b || ...: pyoxigraph crashes at ~9,000
        raise QueryShapeError(
            f"{where}: {found.operands} terms in one expression; msskg reads at most "
            f"{MAX_OPERANDS} in one: split it"
        )


def is_light(text: str) -> bool:
    """Whether a query is cheap by its shape: one SELECT of at most 8 triple
    patterns, each with a constant predicate and a constant subject or object,
    all joined, no ``*`` or ``+`` path, and none of :data:`_NOT_LIGHT` (rows
    written inline, a sort, text that grows). msskg serve runs such ad-hoc
    queries beside the pages, not behind costly ones."""
    skeleton = _skeleton(text)
    if re.search(r"[+*]", skeleton.replace("SELECT *", "").replace("(*)", "")):
        return False
    if _NOT_LIGHT.search(skeleton):
        return False
    found = shape(text)
    return found.narrow and found.product is None and found.selects <= 1 and found.patterns <= 8


# Cheap patterns can still cost: VALUES rows multiply the work, any ORDER BY
# may end pyoxigraph (a sort of values it cannot all compare panics), and
# CONCAT, REPLACE or ENCODE_FOR_URI, chained, double a text at each step.
_NOT_LIGHT = re.compile(
    r"(?<![?$:\w])(?:VALUES|ORDER BY|CONCAT|GROUP_CONCAT|REPLACE|ENCODE_FOR_URI)(?![\w:])"
)


def _skeleton(text: str) -> str:
    # The text without its strings, IRIs and comments, upper-case.
    def keep(m: re.Match[str]) -> str:
        return " " if m.lastgroup in (None, "literal", "iri") else m.group()

    return re.sub(r"\s+", " ", _LEXEME.sub(keep, text)).upper()


def shape(text: str) -> Shape:
    """The counts and joins of a SPARQL text (see :class:`Shape`)."""
    found = Shape()
    tokens = lex_sparql(text, full=True)
    words = [value.upper() for kind, value, _ in tokens if kind == "word"]
    found.optionals, found.selects = words.count("OPTIONAL"), words.count("SELECT")
    found.groups = sum(1 for t in tokens if t[1] == "{") + sum(w in _CLAUSE_WORDS for w in words)
    if found.optionals > MAX_OPTIONALS or found.groups > MAX_GROUPS:
        return found
    whole = not _WHOLE.isdisjoint(words)
    stack = [_Frame("query", False)]
    stack[0].clause = True
    for index, (kind, value, _) in enumerate(tokens):
        frame = stack[-1]
        word = value.upper() if kind == "word" else ""
        before = tokens[index - 1][1].upper() if index else ""
        if value == "{":
            child = "template" if before == "CONSTRUCT" else "group"
            if before in _FILTERING or frame.values:
                child, frame.values = "filtering", False
            stack.append(_Frame(child, before == "UNION"))
        elif value == "}" and len(stack) > 1:
            stack.pop()
            frame.close_part()
            _check_product(frame, found, whole)
            _hand_up(frame, stack[-1])
        elif value in ("(", ")") and kind == "mark":
            if value == "(" and frame.terms and not frame.depth and not frame.clause:
                found.narrow = False  # a path: (a|b), !(a)
            if value == "(" and not frame.depth:
                frame.operands = 0
            frame.depth = max(0, frame.depth + (1 if value == "(" else -1))
        elif frame.depth or frame.clause:
            if frame.depth and kind != "mark":
                frame.operands += 1
                found.operands = max(found.operands, frame.operands)
        elif kind == "stop":
            if value == ".":
                frame.close_part()
            else:  # ; keeps the subject, , keeps the subject and the predicate
                frame.terms = frame.terms[: 1 if value == ";" else 2]
                frame.continued = True  # its subject is bound by the triple before
        elif word in _KEYWORDS:
            frame.close_part()  # FILTER (...) ?d ?e ?f: a new pattern, without a "."
            frame.values |= word == "VALUES"
            frame.clause |= word in _CLAUSES
        elif kind in _TERMS or (kind == "word" and _next(tokens, index) != "("):
            frame.terms.append(kind)
            if kind == "var":
                frame.current.names.add(value)
            if len(frame.terms) == 3:
                found.patterns += 1
                frame.current.wide |= frame.terms == ["var", "var", "var"]
                subject, predicate, thing = frame.terms
                unbound = subject == "var" and thing == "var" and not frame.continued
                loose = predicate == "var" or unbound
                found.narrow &= not loose
    return found


def _next(tokens: list[tuple[str, str, int]], index: int) -> str:
    # A word before ( is a function's name, not a term.
    return tokens[index + 1][1] if index + 1 < len(tokens) else ""


def _hand_up(child: _Frame, parent: _Frame) -> None:
    """A closed group becomes one part of the group around it (joined with the
    part before it when they are the two sides of a UNION)."""
    if child.kind in ("filtering", "template"):
        return
    joined = _Part()
    for part in child.parts:
        joined.names |= part.names
        joined.wide |= part.wide
    if not joined.names:
        return
    if child.union and parent.parts:
        parent.parts[-1].names |= joined.names
        parent.parts[-1].wide |= joined.wide
    else:
        parent.parts.append(joined)


def _check_product(frame: _Frame, found: Shape, whole: bool) -> None:
    # The parts joined by the variables they share, by union-find: merging
    # each part into the components it meets costs a query of thousands of
    # patterns on one variable seconds (every part meets the grown component).
    parts = frame.parts
    up = list(range(len(parts)))

    def root(at: int) -> int:
        while up[at] != at:
            up[at] = up[up[at]]
            at = up[at]
        return at

    owner: dict[str, int] = {}
    for at, part in enumerate(parts):
        for name in part.names:
            up[root(at)] = root(owner.setdefault(name, at))
    joined: dict[int, _Part] = {}
    last: dict[int, int] = {}  # a component's last part: components in the order they end
    for at, part in enumerate(parts):
        merged = joined.setdefault(root(at), _Part())
        merged.names |= part.names
        merged.wide |= part.wide
        last[root(at)] = at
    components = [joined[r] for r in sorted(joined, key=last.__getitem__)]
    found.narrow &= len(components) <= 1
    wide = [c for c in components if c.wide]
    if found.product is None and (len(wide) >= 2 or (wide and whole and len(components) >= 2)):
        first, second = wide[0], next(c for c in components if c is not wide[0])
        found.product = (
            f"joins patterns that share no variable ({_names(first)} and "
            f"{_names(second)}), a product of the whole graph"
            + (" that is then sorted or grouped" if len(wide) < 2 else " with itself")
            + ": join them by a variable"
        )


def _names(part: _Part) -> str:
    names = sorted(part.names)
    return " ".join(f"?{n}" for n in names[:3]) + (" …" if len(names) > 3 else "")
