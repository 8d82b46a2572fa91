"""Query results in a notebook: plain rows (to_dicts), an HTML table
(_repr_html_, what Jupyter shows) and a pandas DataFrame (to_pandas)."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from msskg.query.catalogue import get_query
from msskg.query.engines import run_query
from msskg.query.results import SelectResult, to_python

XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(text: str, datatype: str = "", language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(text, language=language)
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(text)


RESULT = SelectResult(
    ("thing", "label", "n", "ok", "when", "size", "blank"),
    (
        (
            ox.NamedNode("https://w3id.org/msskg/id/a"),
            lit("<Ministry> & co", language="en"),
            lit("3", "integer"),
            lit("1", "boolean"),
            lit("2021-08-15", "date"),
            lit("120.0", "decimal"),
            ox.BlankNode("b0"),
        ),
        (
            None,
            lit("사회안전성", language="ko"),
            lit("-7", "int"),
            lit("false", "boolean"),
            lit("2021", "gYear"),
            lit("1.5e0", "double"),
            None,
        ),
    ),
)


def test_to_dicts_gives_plain_python_values() -> None:
    assert RESULT.to_dicts() == [
        {
            "thing": "https://w3id.org/msskg/id/a",
            "label": "<Ministry> & co",
            "n": 3,
            "ok": True,
            "when": datetime.date(2021, 8, 15),
            "size": Decimal("120.0"),
            "blank": "_:b0",
        },
        {
            "thing": None,
            "label": "사회안전성",
            "n": -7,
            "ok": False,
            "when": "2021",
            "size": 1.5,
            "blank": None,
        },
    ]


def test_an_ill_formed_literal_stays_text() -> None:
    assert to_python(lit("soon", "date")) == "soon"
    assert to_python(lit("many", "integer")) == "many"


def test_the_html_table_escapes_its_cells() -> None:
    assert RESULT._repr_html_() == (
        "<table><thead><tr><th>thing</th><th>label</th><th>n</th><th>ok</th><th>when</th>"
        "<th>size</th><th>blank</th></tr></thead><tbody>"
        "<tr><td>https://w3id.org/msskg/id/a</td>"
        '<td><span lang="en">&lt;Ministry&gt; &amp; co</span></td><td>3</td><td>True</td>'
        "<td>2021-08-15</td><td>120.0</td><td>_:b0</td></tr>"
        '<tr><td></td><td><span lang="ko">사회안전성</span></td><td>-7</td><td>False</td>'
        "<td>2021</td><td>1.5</td><td></td></tr></tbody></table>"
    )


def test_a_saved_query_in_a_notebook() -> None:
    result = run_query(get_query("holder-at"), {"date": "2021-08-15"})
    assert isinstance(result, SelectResult)
    (row,) = result.to_dicts()
    assert row["holder"] == "Kim Jong-ho"
    assert row["date_earliest"] == datetime.date(2021, 8, 15)
    assert "<td>Kim Jong-ho</td>" not in result._repr_html_()  # it carries lang="en"
    assert '<span lang="en">Kim Jong-ho</span>' in result._repr_html_()


def test_to_pandas_gives_a_data_frame() -> None:
    pandas = pytest.importorskip("pandas")
    frame = RESULT.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(RESULT.variables)
    assert frame["n"].tolist() == [3, -7]
    assert frame["label"].tolist() == ["<Ministry> & co", "사회안전성"]


def test_to_pandas_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(
        ImportError, match=r"^to_pandas\(\) needs pandas: pip install 'msskg\[pandas\]'$"
    ):
        RESULT.to_pandas()


def test_msskg_never_needs_pandas() -> None:
    source = Path(__file__).resolve().parents[1] / "src" / "msskg"
    importers = [p.name for p in source.rglob("*.py") if "import pandas" in p.read_text()]
    assert importers == ["results.py"]  # only to_pandas(), inside the method
