"""Typed records without :mod:`typing` at run time: a cold ``msskg query``
imports neither typing (a twentieth of its time) nor turns each field's
annotation into a ``ForwardRef`` as :class:`typing.NamedTuple` does.
A type alias there is a string (``Engine: TypeAlias = 'Literal[...]'``),
which type checkers read as the alias.

``class Limits(NamedTuple): ...`` with :data:`NamedTuple` from here is
:class:`typing.NamedTuple` to a type checker, and at run time the same class
that typing would make (:func:`collections.namedtuple`, the body's methods
and docstring, the annotations kept as written). Modules on that path say
``TYPE_CHECKING = False`` rather than import it: type checkers take any name
``TYPE_CHECKING`` as true."""

from __future__ import annotations

TYPE_CHECKING = False

__all__ = ["NamedTuple", "Protocol"]

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
    from typing import Protocol as Protocol
else:
    # A protocol is only read by type checkers: at run time, a plain base.
    Protocol = object

    from collections import namedtuple

    # What typing.NamedTuple does not copy from a class body onto the class.
    _KEPT_OUT = frozenset({"__module__", "__annotations__", "__classcell__"})

    class _Records(type):
        def __new__(cls, name, bases, body):
            if bases != (NamedTuple,):
                raise TypeError("a record can only inherit from NamedTuple")
            fields = body.get("__annotations__", {})
            defaults = []
            for field in fields:
                if field in body:
                    defaults.append(body[field])
                elif defaults:
                    raise TypeError(f"non-default field {field} follows a default one")
            made = namedtuple(name, fields, defaults=defaults, module=body["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(fields)
            for key, value in body.items():
                if key not in _KEPT_OUT and key not in fields:
                    setattr(made, key, value)
            return made

    NamedTuple = type.__new__(_Records, "NamedTuple", (), {})
