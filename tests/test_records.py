"""msskg.records: the records that a cold query makes without importing typing
behave as typing.NamedTuple's, and the type aliases written as text name what
the checks made at run time use."""

from __future__ import annotations

import pickle
import typing

import pytest

from msskg.query.catalogue import PARAMETER_TYPES, Parameter, ParameterType
from msskg.query.limits import Limits
from msskg.records import NamedTuple


class Point(NamedTuple):
    """A point."""

    x: int
    y: int | None = None
    tags: tuple[str, ...] = ()

    def moved(self, by: int) -> Point:
        return self._replace(x=self.x + by)


class Typed(typing.NamedTuple):
    """A point."""

    x: int
    y: int | None = None
    tags: tuple[str, ...] = ()


def test_a_record_is_what_typing_makes() -> None:
    point = Point(1)
    assert point == (1, None, ()) and point.moved(2) == Point(3)
    assert repr(point) == "Point(x=1, y=None, tags=())"
    assert Point._fields == Typed._fields and Point._field_defaults == Typed._field_defaults
    assert Point.__doc__ == Typed.__doc__ and Point.__module__ == __name__
    assert Point.__mro__[1:] == Typed.__mro__[1:] == (tuple, object)
    assert typing.get_type_hints(Point) == typing.get_type_hints(Typed)
    assert pickle.loads(pickle.dumps(Limits(rows=3))) == Limits(rows=3)
    assert Point._make([1, 2, ("a",)])._asdict() == {"x": 1, "y": 2, "tags": ("a",)}


def test_a_field_without_a_default_cannot_follow_one_with() -> None:
    with pytest.raises(TypeError, match="non-default field y follows a default one"):

        class Wrong(NamedTuple):
            x: int = 0
            y: int


def test_the_parameter_types_checked_are_those_the_alias_names() -> None:
    alias = eval(ParameterType, {"Literal": typing.Literal})
    assert typing.get_args(alias) == PARAMETER_TYPES
    assert Parameter.__annotations__["type"] == "ParameterType"
