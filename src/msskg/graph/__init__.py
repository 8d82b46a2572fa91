"""Finding, loading and caching RDF: the bundled files and the user's own,
the pyoxigraph store every query runs on, and (in ``msskg.graph.dataset``,
imported only where rdflib is wanted) the same files as an rdflib Dataset.
The names below are imported when first used (see msskg.query)."""

from __future__ import annotations

import sys
from collections.abc import Callable

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from msskg.graph.files import bundled_files, project_home, resolve_files
    from msskg.graph.prefixes import DEFAULT_PREFIXES, shorten
    from msskg.graph.store import KnowledgeGraph, load_store, open_store

_WHERE = {
    "files": ("bundled_files", "project_home", "resolve_files"),
    "prefixes": ("DEFAULT_PREFIXES", "shorten"),
    "store": ("KnowledgeGraph", "load_store", "open_store"),
}

__all__ = [
    "DEFAULT_PREFIXES",
    "KnowledgeGraph",
    "bundled_files",
    "import_module",
    "lazy_names",
    "load_store",
    "open_store",
    "project_home",
    "resolve_files",
    "shorten",
]


def import_module(name: str) -> ModuleType:
    """The module of that absolute ``name``, imported if need be: what
    :func:`importlib.import_module` does, without the import of importlib (and
    warnings) on every cold query."""
    __import__(name)
    return sys.modules[name]


def lazy_names(package: str, where: dict[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A package's ``__getattr__``: each name of ``where`` (module -> names)
    imported from its module of ``package`` when first asked for."""

    def attribute(name: str) -> Any:
        for module, names in where.items():
            if name in names:
                return getattr(import_module(f"{package}.{module}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return attribute


__getattr__ = lazy_names(__name__, _WHERE)
