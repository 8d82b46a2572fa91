"""The saved-query catalogue: header parsing, lookup by name, and parameters
turned into RDF terms, with every kind of bad input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest

from msskg.errors import (
    AmbiguousLabelError,
    BadDateError,
    ParameterError,
    QueryFileError,
    UnknownLabelError,
    UnknownQueryError,
)
from msskg.graph.prefixes import DEFAULT_PREFIXES
from msskg.graph.store import open_store
from msskg.query.catalogue import (
    Parameter,
    bind_parameters,
    get_query,
    list_queries,
    parse_query,
    resolve_resource,
)
from msskg.query.engines import Engine, OxigraphBackend, run_query
from msskg.query.results import SelectResult

XSD = "http://www.w3.org/2001/XMLSchema#"
MSR = "https://w3id.org/msskg/id/"


class Labels:
    """A label lookup without a graph."""

    def __init__(self, labels: Sequence[tuple[str, str]] = ()):
        self._labels = list(labels)

    @property
    def prefixes(self) -> Mapping[str, str]:
        return DEFAULT_PREFIXES

    def labels(
        self, text: str | None = None, *, limit: int | None = None
    ) -> Sequence[tuple[str, str]]:
        wanted = None if text is None else text.lower()
        found = [pair for pair in self._labels if wanted in (None, pair[1].lower())]
        return found[:limit]

    def is_a(self, iri: str, kind: str) -> bool:
        return False


def test_header_gives_title_description_parameters_and_example(home: Path) -> None:
    query = get_query("labels-of")
    assert query.name == "labels-of"
    assert query.title == "Labels of a resource"
    assert query.description == "Every label of the resource, in every language."
    assert query.parameters == (
        Parameter("thing", "resource", "msr:ministry", "The resource: IRI, prefixed name or label"),
    )
    assert query.example_parameters() == {"thing": "msr:ministry"}
    assert query.path == str(home / "queries" / "labels-of.rq")
    assert query.text.startswith("# title: Labels of a resource\n")


def test_a_required_parameter_has_no_default(home: Path) -> None:
    (date,) = get_query("named-by").parameters
    assert date.required and date.default is None


def test_an_optional_parameter_is_left_unbound_unless_given() -> None:
    query = parse_query(
        "# param: n | integer | optional | A number\nSELECT ?n WHERE {}\n", name="mine"
    )
    (n,) = query.parameters
    assert (n.required, n.default) == (False, "")
    assert bind_parameters(query, {}, lookup=Labels()) == {}
    assert bind_parameters(query, {"n": ""}, lookup=Labels()) == {}  # an empty form field
    bound = bind_parameters(query, {"n": "3"}, lookup=Labels())
    assert bound == {
        "n": ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    }


def test_the_header_is_optional() -> None:
    query = parse_query("SELECT * WHERE { ?s ?p ?o }", name="mine")
    assert (query.title, query.description, query.parameters) == ("mine", "", ())


def test_list_queries_in_name_order(home: Path) -> None:
    assert [q.name for q in list_queries()] == ["echo", "hidden-parameter", "labels-of", "named-by"]


def test_unknown_query_suggests_the_nearest_name(home: Path) -> None:
    with pytest.raises(UnknownQueryError) as caught:
        get_query("label-of")
    assert str(caught.value) == (
        'unknown query "label-of"; did you mean "labels-of"? (msskg queries lists them)'
    )


def test_unknown_query_with_nothing_close(home: Path) -> None:
    with pytest.raises(UnknownQueryError, match=r'^unknown query "zzz" \(msskg queries'):
        get_query("zzz")


def test_a_query_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("# title: Mine\nASK {}\n", encoding="utf-8")
    assert get_query(str(path)).title == "Mine"


def test_a_missing_query_file(tmp_path: Path) -> None:
    with pytest.raises(UnknownQueryError) as caught:
        get_query(str(tmp_path / "gone.rq"))
    assert str(caught.value) == f"query file not found: {tmp_path / 'gone.rq'}"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("# param: date | date | required", "write # param: NAME | TYPE | DEFAULT | DESCRIPTION"),
        ("# param: da-te | date | required | d", '"da-te" is not a SPARQL variable name'),
        (
            "# param: when | day | required | d",
            'unknown parameter type "day"; use date, resource, string, integer or resource(CLASS)',
        ),
        (
            "# param: post | resource(foo:Post) | required | d",
            "resource(foo:Post): write the class as <IRI> or with one of "
            + ", ".join(sorted(p + ":" for p in DEFAULT_PREFIXES if p)),
        ),
    ],
)
def test_a_bad_param_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(f"# title: Bad\n{line}\nASK {{}}\n", encoding="utf-8")
    with pytest.raises(QueryFileError) as caught:
        get_query(str(path))
    assert str(caught.value) == f"{path}:2: {message}"


def test_date_binds_the_literal_and_both_bounds(home: Path) -> None:
    bound = bind_parameters(get_query("named-by"), {"date": "2021-02"}, lookup=Labels())
    assert bound == {
        "date": ox.Literal("2021-02", datatype=ox.NamedNode(XSD + "gYearMonth")),
        "date_earliest": ox.Literal("2021-02-01", datatype=ox.NamedNode(XSD + "date")),
        "date_latest": ox.Literal("2021-02-28", datatype=ox.NamedNode(XSD + "date")),
    }


def test_a_range_binds_the_start_earliest_and_the_end_latest(home: Path) -> None:
    bound = bind_parameters(get_query("named-by"), {"date": "2021-02..2022"}, lookup=Labels())
    assert bound == {
        "date": ox.Literal("2021-02..2022"),
        "date_earliest": ox.Literal("2021-02-01", datatype=ox.NamedNode(XSD + "date")),
        "date_latest": ox.Literal("2022-12-31", datatype=ox.NamedNode(XSD + "date")),
    }


def test_an_open_range_binds_a_far_bound(home: Path) -> None:
    bound = bind_parameters(get_query("named-by"), {"date": "..1960"}, lookup=Labels())
    assert bound["date_earliest"] == ox.Literal("0001-01-01", datatype=ox.NamedNode(XSD + "date"))
    bound = bind_parameters(get_query("named-by"), {"date": "2016.."}, lookup=Labels())
    assert bound["date_latest"] == ox.Literal("9999-12-31", datatype=ox.NamedNode(XSD + "date"))


def test_impossible_date(home: Path) -> None:
    with pytest.raises(BadDateError) as caught:
        bind_parameters(get_query("named-by"), {"date": "2021-02-30"}, lookup=Labels())
    assert str(caught.value) == (
        'parameter "date": impossible date "2021-02-30": February 2021 has 28 days'
    )


def test_missing_required_parameter(home: Path) -> None:
    with pytest.raises(ParameterError) as caught:
        bind_parameters(get_query("named-by"), {}, lookup=Labels())
    assert str(caught.value) == (
        'missing parameter "date" for query named-by: '
        "-p date=... (The day, month or year: YYYY, YYYY-MM or YYYY-MM-DD)"
    )


def test_unknown_parameter_suggests_the_nearest(home: Path) -> None:
    with pytest.raises(ParameterError) as caught:
        bind_parameters(get_query("echo"), {"txt": "x"}, lookup=Labels())
    assert str(caught.value) == (
        'unknown parameter "txt" for query echo; did you mean "text"? (it takes text, n)'
    )


def test_parameter_for_a_query_that_takes_none() -> None:
    with pytest.raises(ParameterError) as caught:
        bind_parameters(parse_query("ASK {}", name="--sparql"), {"x": "1"}, lookup=Labels())
    assert str(caught.value) == 'unknown parameter "x": query --sparql takes no parameters'


@pytest.mark.parametrize("value", ["ten", "1.5", "", "1e3"])
def test_ill_typed_integer(home: Path, value: str) -> None:
    with pytest.raises(ParameterError) as caught:
        bind_parameters(get_query("echo"), {"text": "t", "n": value}, lookup=Labels())
    assert str(caught.value) == f'parameter "n" takes a whole number, not "{value}"'


def test_integer_and_default(home: Path) -> None:
    query = get_query("echo")
    assert bind_parameters(query, {"text": "t", "n": "+007"}, lookup=Labels())["n"] == ox.Literal(
        "7", datatype=ox.NamedNode(XSD + "integer")
    )
    assert bind_parameters(query, {"text": "t"}, lookup=Labels())["n"] == ox.Literal(
        "1", datatype=ox.NamedNode(XSD + "integer")
    )


@pytest.mark.parametrize(
    "value",
    [
        "<https://w3id.org/msskg/id/ministry>",
        "https://w3id.org/msskg/id/ministry",
        "msr:ministry",
        "Ministry of Social Security",
        "ministry of social SECURITY",
        "사회안전성",
        "  인민보안성 ",
        "Ministry of People's Security",
    ],
)
def test_resource_by_iri_prefixed_name_or_label(home: Path, value: str) -> None:
    lookup = OxigraphBackend(open_store())
    assert resolve_resource(value, parameter="thing", lookup=lookup) == ox.NamedNode(
        MSR + "ministry"
    )


def test_ambiguous_label_lists_the_candidates(home: Path) -> None:
    lookup = OxigraphBackend(open_store())
    with pytest.raises(AmbiguousLabelError) as caught:
        resolve_resource("minister", parameter="post", lookup=lookup)
    assert str(caught.value) == (
        'parameter "post": "minister" is the label of 2 resources: '
        "msr:post-deputy, msr:post-minister; pass one of these instead"
    )
    assert caught.value.candidates == (MSR + "post-deputy", MSR + "post-minister")


def test_unknown_label_suggests_close_labels(home: Path) -> None:
    lookup = OxigraphBackend(open_store())
    with pytest.raises(UnknownLabelError) as caught:
        resolve_resource("Ministry of Socal Security", parameter="thing", lookup=lookup)
    assert str(caught.value) == (
        'parameter "thing": nothing is labelled "Ministry of Socal Security"; '
        'did you mean "Ministry of Social Security" or "Minister of Social Security" '
        'or "Ministry of People\'s Security"?'
    )


KIND_QUERY = """\
# title: Labels of a ministry
# param: thing | resource(mss:Ministry) | required | The ministry
# param: other | resource(<http://www.w3.org/ns/org#Post>) | msr:post-minister | A post
SELECT ?thing ?other WHERE {}
"""


def test_a_resource_parameter_may_name_its_class() -> None:
    thing, other = parse_query(KIND_QUERY).parameters
    assert (thing.kind, thing.type_text) == (
        "https://w3id.org/msskg/ontology#Ministry",
        "resource(mss:Ministry)",
    )
    assert (other.kind, other.type_text) == ("http://www.w3.org/ns/org#Post", "resource(org:Post)")


def test_a_resource_of_the_wrong_kind_is_refused(home: Path) -> None:
    lookup = OxigraphBackend(open_store())
    query = parse_query(KIND_QUERY)
    bound = bind_parameters(query, {"thing": "사회안전성"}, lookup=lookup)
    assert bound["thing"] == ox.NamedNode(MSR + "ministry")
    with pytest.raises(ParameterError) as caught:
        bind_parameters(query, {"thing": "msr:post-minister"}, lookup=lookup)
    assert (
        str(caught.value) == 'parameter "thing": msr:post-minister is not a ministry (mss:Ministry)'
    )
    with pytest.raises(ParameterError) as caught:
        bind_parameters(query, {"thing": "msr:ministry", "other": "Source A"}, lookup=lookup)
    assert str(caught.value) == 'parameter "other": "Source A" is not a post (org:Post)'


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_class_is_not_an_agency_on_the_bundled_graph(engine: Engine) -> None:
    with pytest.raises(ParameterError) as caught:
        run_query(get_query("children"), {"agency": "mss:Ministry"}, engine=engine)
    assert str(caught.value) == (
        'parameter "agency": mss:Ministry is not an organization (org:Organization)'
    )
    with pytest.raises(ParameterError) as caught:
        run_query(get_query("terms"), {"post": "Ministry of Social Security"}, engine=engine)
    assert str(caught.value) == (
        'parameter "post": "Ministry of Social Security" is not a post (org:Post)'
    )


def test_unknown_label_with_nothing_close() -> None:
    with pytest.raises(UnknownLabelError) as caught:
        resolve_resource("qqq", parameter="thing", lookup=Labels([(MSR + "a", "Alpha")]))
    assert str(caught.value) == (
        'parameter "thing": nothing is labelled "qqq"; '
        "pass an IRI, a prefixed name (msr:...) or a label"
    )


@pytest.mark.parametrize(
    "value", ["<https://e/a> } #", "<https://e/a>\n<https://e/b>", 'https://e/"x"', "<rel>"]
)
def test_hostile_resource_is_refused_not_pasted(value: str) -> None:
    with pytest.raises(ParameterError) as caught:
        resolve_resource(value, parameter="thing", lookup=Labels())
    # A newline in the value is shown escaped: the message stays one line.
    shown = value.replace("\n", "\\n")
    assert str(caught.value) == f'parameter "thing": "{shown}" is not a valid IRI'


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_kind_the_graph_knows_nothing_of_is_not_checked(home: Path, engine: Engine) -> None:
    # the home graph has no ontology: nothing in it is known to be an org:Organization
    text = "# param: thing | resource(org:Organization) | required | d\nSELECT ?thing WHERE {}\n"
    result = run_query(text, {"thing": "msr:post-minister"}, engine=engine)
    assert isinstance(result, SelectResult)
    assert result.rows[0][0] == ox.NamedNode(MSR + "post-minister")
    with pytest.raises(ParameterError):
        run_query(
            text.replace("org:Organization", "org:Post"), {"thing": "msr:ministry"}, engine=engine
        )


@pytest.mark.parametrize("value", ['Ministry" } #', "Ministry\\", "Ministry'"])
def test_a_label_is_bound_as_a_literal_not_pasted(home: Path, value: str) -> None:
    # labels are matched by the engine (LABELLED_QUERY), with the text bound as a term
    lookup = OxigraphBackend(open_store())
    with pytest.raises(UnknownLabelError) as caught:
        resolve_resource(value, parameter="thing", lookup=lookup)
    assert str(caught.value).startswith(f'parameter "thing": nothing is labelled "{value}"')


def test_a_graph_with_more_labels_than_the_hint_reads_gets_no_hint(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the hints compare with every label: past HINT_LABELS (a 10M-triple store took over
    # a minute), the error comes at once and without one
    lookup = OxigraphBackend(open_store())
    with pytest.raises(UnknownLabelError) as caught:
        resolve_resource("msr:minstry", parameter="thing", lookup=lookup)
    assert str(caught.value).endswith("; did you mean msr:ministry or mss:Ministry?")
    monkeypatch.setattr("msskg.query.catalogue.HINT_LABELS", 1)
    with pytest.raises(UnknownLabelError) as caught:
        resolve_resource("msr:minstry", parameter="thing", lookup=lookup)
    assert str(caught.value) == 'parameter "thing": msr:minstry is not in the graph'
    with pytest.raises(UnknownLabelError) as caught:
        resolve_resource("Ministry of Social Securty", parameter="thing", lookup=lookup)
    assert str(caught.value) == (
        'parameter "thing": nothing is labelled "Ministry of Social Securty"'
    )
