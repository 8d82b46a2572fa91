"""Finding, loading and caching RDF: the bundled files and the user's own,
the pyoxigraph store every query runs on, and (in ``msskg.graph.dataset``,
imported only where rdflib is wanted) the same files as an rdflib Dataset.
The names below are imported when first used (see msskg.query)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    "load_store",
    "open_store",
    "project_home",
    "resolve_files",
    "shorten",
]


def __getattr__(name: str) -> Any:
    for module, names in _WHERE.items():
        if name in names:
            return getattr(importlib.import_module(f"msskg.graph.{module}"), name)
    raise AttributeError(f"module 'msskg.graph' has no attribute {name!r}")
