"""The saved-query catalogue: queries/*.rq files with a metadata header (format
in queries/README.md), and their typed parameters, turned into RDF terms."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from msskg.dates import parse_span
from msskg.errors import (
    AmbiguousLabelError,
    BadDateError,
    ParameterError,
    QueryFileError,
    UnknownLabelError,
    UnknownQueryError,
    did_you_mean,
)
from msskg.graph.files import home_folder, project_home
from msskg.graph.prefixes import DEFAULT_PREFIXES, local_words, shorten
from msskg.query.folding import fold, labelled_as, nfc, nfkc
from msskg.records import NamedTuple, Protocol
from msskg.vocab import XSD

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal, TypeAlias

__all__ = [
    "LABELS_QUERY",
    "PARAMETER_TYPES",
    "Binding",
    "LabelLookup",
    "Parameter",
    "ParameterType",
    "SavedQuery",
    "bind_parameters",
    "get_query",
    "list_queries",
    "parse_query",
    "queries_dir",
]

ParameterType: TypeAlias = 'Literal["date", "resource", "string", "integer"]'
PARAMETER_TYPES: tuple[ParameterType, ...] = ("date", "resource", "string", "integer")
Binding = ox.NamedNode | ox.Literal


_HEADER_LINE = re.compile(r"#\s*(title|description|param|example)\s*:\s?(.*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = r"[+-]?[0-9]+"
_NAME_OK = re.compile(r"[\w.-]+")
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:(\S*)")
_RESOURCE_KIND = re.compile(r"resource\s*\(\s*(\S+?)\s*\)")


class Parameter(NamedTuple):
    """One ``# param:`` line: required when ``default`` is None; "" (optional): unbound."""

    name: str
    type: ParameterType
    default: str | None
    description: str
    kind: str | None = None
    """For a resource: the IRI of the class its value must be an instance of
    (directly or through rdfs:subClassOf), from ``resource(CLASS)``."""

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def type_text(self) -> str:
        """The type as the header writes it: ``resource(org:Post)``."""
        if self.kind is None:
            return self.type
        return f"{self.type}({shorten(self.kind, DEFAULT_PREFIXES)})"


class SavedQuery(NamedTuple):
    """A SPARQL query and what its header says about it. ``text`` is the whole
    file, header included, so that line numbers in errors match the file;
    ``path`` the file's name."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: str | None = None
    example: str | None = None

    @property
    def where(self) -> str:
        """What errors name the query by: its file, else its name."""
        return self.path if self.path is not None else self.name

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def example_parameters(self) -> dict[str, str]:
        """The ``# example:`` line's ``-p NAME=VALUE`` pairs, as a dict."""
        import shlex

        words = shlex.split(self.example or "")
        pairs = [w for flag, w in itertools.pairwise(words) if flag == "-p"]
        return dict(pair.partition("=")[::2] for pair in pairs)


class LabelLookup(Protocol):
    """What resolving a resource parameter needs from a graph."""

    @property
    def prefixes(self) -> Mapping[str, str]: ...

    def labels(
        self, text: str | None = None, *, limit: int | None = None
    ) -> Sequence[tuple[str, str]]:
        """Every (IRI, label) pair that :data:`LABELS_QUERY` finds; with ``text``,
        only those whose label is ``text`` in SPARQL's lower case (LCASE); with
        ``limit``, at most that many."""
        ...

    def mentions(self, iri: str) -> bool:
        """Whether the graph has any triple with ``iri`` as subject or object."""
        ...

    def is_a(self, iri: str, kind: str) -> bool:
        """Whether ``iri`` has an rdf:type that is ``kind`` or an rdfs:subClassOf* it."""
        ...


LABELS_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mss: <https://w3id.org/msskg/ontology#>
SELECT DISTINCT ?thing ?label WHERE {
  { ?thing rdfs:label|skos:prefLabel|skos:altLabel ?label }
  UNION
  { ?period a mss:NamePeriod ; mss:ofAgency ?thing ; mss:name ?label }
  FILTER(isIRI(?thing) && isLiteral(?label))
}
"""
# Hints ("did you mean ...") compare with every label: past this many, the error has no hint.
HINT_LABELS = 20_000
# The pairs whose label is ?wanted up to case, bound as a literal: the engine compares them,
# rather than every pair being read into Python. Each property its own branch, and the names
# compared before the join, so each branch filters before it joins.
LABELLED_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mss: <https://w3id.org/msskg/ontology#>
SELECT DISTINCT ?thing ?label ?wanted WHERE {
  { ?thing rdfs:label ?label } UNION { ?thing skos:prefLabel ?label }
  UNION { ?thing skos:altLabel ?label }
  UNION {
    { SELECT ?period ?label ?wanted WHERE {
        ?period mss:name ?label . FILTER (isLiteral(?label) && LCASE(STR(?label)) = LCASE(?wanted))
    } }
    ?period a mss:NamePeriod ; mss:ofAgency ?thing .
  }
  FILTER (isIRI(?thing) && isLiteral(?label) && LCASE(STR(?label)) = LCASE(?wanted))
}
"""


def labels_query(text: str | None = None, limit: int | None = None) -> str:
    """:data:`LABELS_QUERY`, or :data:`LABELLED_QUERY` for ``text`` (bind ``?wanted``
    to it as a literal), at most ``limit`` rows: what every engine's ``labels`` runs."""
    query = LABELS_QUERY if text is None else LABELLED_QUERY
    return query if limit is None else f"{query}LIMIT {int(limit)}\n"


def queries_dir() -> Path:
    return project_home() / "queries"


def list_queries(*, directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query, by name."""
    folder = directory if directory is not None else queries_dir()
    return [_read_query_file(str(path)) for path in sorted(folder.glob("*.rq"))]


def get_query(name: str, *, directory: Path | str | None = None) -> SavedQuery:
    """A saved query by name, or a user's own ``.rq`` file by path."""
    if name.endswith(".rq") or "/" in name or "\\" in name:
        from pathlib import Path  # the file's name as pathlib writes it

        path = str(Path(name))
        if not os.path.isfile(path):  # also for a name too long for the system
            raise UnknownQueryError(f"query file not found: {path}")
        return _read_query_file(path)
    # A saved query is found without pathlib: a cold query never imports it.
    folder = os.path.join(home_folder(), "queries") if directory is None else os.fspath(directory)
    path = os.path.join(folder, f"{name}.rq")
    if _NAME_OK.fullmatch(name) and os.path.isfile(path):
        return _read_query_file(path)
    names = os.listdir(folder) if os.path.isdir(folder) else []
    hint = did_you_mean(name, [n[: -len(".rq")] for n in names if n.endswith(".rq")])
    raise UnknownQueryError(f'unknown query "{name}"{hint} (msskg queries lists them)')


def _read_query_file(path: str) -> SavedQuery:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as err:
        raise QueryFileError(f"cannot read query file {path}: {err}") from err
    return parse_query(text, name=os.path.splitext(os.path.basename(path))[0], path=path)


def parse_query(text: str, *, name: str = "query", path: Path | str | None = None) -> SavedQuery:
    """Read the metadata header (optional) at the top of a query's text."""
    where = os.fspath(path) if path is not None else name
    fields: dict[str, list[str]] = {"title": [], "description": [], "example": []}
    parameters: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = _HEADER_LINE.fullmatch(stripped)
        if match is None:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            parameters.append(_parse_parameter(value, f"{where}:{number}"))
        else:
            fields[key].append(value)
    seen = [p.name for p in parameters]
    if duplicates := sorted({n for n in seen if seen.count(n) > 1}):
        raise QueryFileError(f'{where}: parameter "{duplicates[0]}" is declared twice')
    return SavedQuery(
        name=name,
        title=" ".join(fields["title"]) or name,
        description=" ".join(fields["description"]),
        parameters=tuple(parameters),
        text=text,
        path=None if path is None else where,
        example=" ".join(fields["example"]) or None,
    )


def _parse_parameter(value: str, where: str) -> Parameter:
    cells = [cell.strip() for cell in value.split("|", 3)]
    if len(cells) != 4:
        raise QueryFileError(f"{where}: write # param: NAME | TYPE | DEFAULT | DESCRIPTION")
    name, kind, default, description = cells
    if not _NAME.fullmatch(name):
        raise QueryFileError(f'{where}: "{name}" is not a SPARQL variable name')
    cls = None
    if of_class := _RESOURCE_KIND.fullmatch(kind):
        kind, cls = "resource", _class_iri(of_class.group(1), where)
    if kind not in PARAMETER_TYPES:
        types = ", ".join(PARAMETER_TYPES)
        raise QueryFileError(
            f'{where}: unknown parameter type "{kind}"; use {types} or resource(CLASS)'
        )
    given = {"required": None, "optional": ""}.get(default, default)
    return Parameter(name, PARAMETER_TYPES[PARAMETER_TYPES.index(kind)], given, description, cls)


def _class_iri(text: str, where: str) -> str:
    """``org:Post`` (a prefix msskg knows) or ``<IRI>`` as a full IRI."""
    if text.startswith("<") and text.endswith(">") and len(text) > 2:
        return text[1:-1]
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed and (prefixed.group(1) or "") in DEFAULT_PREFIXES and prefixed.group(2):
        return DEFAULT_PREFIXES[prefixed.group(1) or ""] + prefixed.group(2)
    known = ", ".join(sorted(p + ":" for p in DEFAULT_PREFIXES if p))
    raise QueryFileError(
        f"{where}: resource({text}): write the class as <IRI> or with one of {known}"
    )


def bind_parameters(
    query: SavedQuery, values: Mapping[str, str], *, lookup: LabelLookup
) -> dict[str, Binding]:
    """Check ``values`` against the query's parameters and turn each (or its
    default) into the RDF terms it binds, by variable name."""
    for name in values:
        if query.parameter(name) is None:
            raise ParameterError(_unknown_parameter(query, name))
    bindings: dict[str, Binding] = {}
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if value is None:
            raise ParameterError(
                f'missing parameter "{parameter.name}" for query {query.name}: '
                f"-p {parameter.name}=... ({parameter.description})"
            )
        if value or parameter.default != "":  # empty and optional: nothing bound; else NFC
            bindings.update(_bind(parameter, nfc(value), lookup))
    return bindings


def _unknown_parameter(query: SavedQuery, name: str) -> str:
    known = [p.name for p in query.parameters]
    if not known:
        return f'unknown parameter "{name}": query {query.name} takes no parameters'
    hint = did_you_mean(name, known)
    return f'unknown parameter "{name}" for query {query.name}{hint} (it takes {", ".join(known)})'


def _bind(parameter: Parameter, value: str, lookup: LabelLookup) -> dict[str, Binding]:
    name = parameter.name
    if parameter.type == "date":
        try:
            span = parse_span(value)
        except BadDateError as err:
            raise BadDateError(f'parameter "{name}": {err}') from None
        day = ox.NamedNode(XSD + "date")
        single = span.single
        return {
            name: ox.Literal(single.text, datatype=ox.NamedNode(single.datatype))
            if single is not None
            else ox.Literal(span.text),
            f"{name}_earliest": ox.Literal(span.earliest.isoformat(), datatype=day),
            f"{name}_latest": ox.Literal(span.latest.isoformat(), datatype=day),
        }
    if parameter.type == "integer":
        if not re.fullmatch(_INTEGER, value.strip()):
            raise ParameterError(f'parameter "{name}" takes a whole number, not "{value}"')
        return {name: ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))}
    if parameter.type == "resource":
        node = resolve_resource(value, parameter=name, lookup=lookup)
        if parameter.kind is not None and not lookup.is_a(node.value, parameter.kind):
            raise ParameterError(_wrong_kind(value.strip(), node, parameter, lookup))
        return {name: node}
    return {name: ox.Literal(value)}


def resolve_resource(value: str, *, parameter: str, lookup: LabelLookup) -> ox.NamedNode:
    """An IRI from ``<IRI>``, a bare http(s) IRI, a prefixed name, or a one-resource label."""
    text = value.strip()
    if text.startswith("<"):
        node = _named_node(text[1:-1] if text.endswith(">") else text, parameter, value)
    elif text.startswith(("http://", "https://")):
        node = _named_node(text, parameter, value)
    else:
        prefixed = _PREFIXED.fullmatch(text)
        if not prefixed:
            return _resolve_label(text, parameter, lookup)
        prefix = prefixed.group(1) or ""
        if prefix not in lookup.prefixes:
            try:
                return _resolve_label(text, parameter, lookup)
            except UnknownLabelError:
                raise UnknownLabelError(
                    f'parameter "{parameter}": unknown prefix "{prefix}:" in "{text}"; '
                    f"use one of {', '.join(sorted(p + ':' for p in lookup.prefixes if p))}, "
                    "a full IRI or a label"
                ) from None
        node = _named_node(lookup.prefixes[prefix] + prefixed.group(2), parameter, value)
    if not lookup.mentions(node.value):
        raise UnknownLabelError(_not_in_graph(node.value, text, parameter, lookup))
    return node


def _wrong_kind(text: str, node: ox.NamedNode, parameter: Parameter, lookup: LabelLookup) -> str:
    """``parameter "agency": mss:Ministry is not an organization (org:Organization)``."""
    assert parameter.kind is not None
    noun = local_words(parameter.kind)
    article = "an" if noun[:1] in "aeiou" else "a"
    shown = text if text == shorten(node.value, lookup.prefixes) else f'"{text}"'
    return (
        f'parameter "{parameter.name}": {shown} is not {article} {noun} '
        f"({shorten(parameter.kind, lookup.prefixes)})"
    )


def _not_in_graph(iri: str, text: str, parameter: str, lookup: LabelLookup) -> str:
    """A mistyped IRI gets the labelled IRIs it most resembles as a hint."""
    labelled = _hint_labels(lookup)
    if labelled is None:
        return f'parameter "{parameter}": {text} is not in the graph'
    known = sorted({shorten(thing, lookup.prefixes) for thing, _ in labelled})
    hint = did_you_mean(shorten(iri, lookup.prefixes), known, n=2, show=str)
    return f'parameter "{parameter}": {text} is not in the graph{hint}'


def _hint_labels(lookup: LabelLookup) -> Sequence[tuple[str, str]] | None:
    """Every (IRI, label) pair to draw a hint from; None past :data:`HINT_LABELS`."""
    labelled = lookup.labels(limit=HINT_LABELS + 1)
    return None if len(labelled) > HINT_LABELS else labelled


def _named_node(iri: str, parameter: str, value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise ParameterError(f'parameter "{parameter}": "{value}" is not a valid IRI') from None


def _resolve_label(text: str, parameter: str, lookup: LabelLookup) -> ox.NamedNode:
    matches = labelled_as(text, lookup.labels(nfkc(text)))
    matches = matches or labelled_as(text, _hint_labels(lookup) or ())  # in another form
    if len(matches) == 1:
        return ox.NamedNode(matches[0])
    if matches:
        names = ", ".join(shorten(iri, lookup.prefixes) for iri in matches)
        raise AmbiguousLabelError(
            f'parameter "{parameter}": "{text}" is the label of {len(matches)} resources: '
            f"{names}; pass one of these instead",
            candidates=tuple(matches),
        )
    labelled = _hint_labels(lookup)
    if labelled is None:
        raise UnknownLabelError(f'parameter "{parameter}": nothing is labelled "{text}"')
    by_folded = {fold(label): label for _, label in sorted(labelled)}
    hint = did_you_mean(fold(text), by_folded, n=3, show=lambda c: f'"{by_folded[c]}"')
    raise UnknownLabelError(
        f'parameter "{parameter}": nothing is labelled "{text}"'
        + (hint or "; pass an IRI, a prefixed name (msr:...) or a label")
    )
