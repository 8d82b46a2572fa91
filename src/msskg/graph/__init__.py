"""Finding, loading and caching RDF: the bundled files and the user's own,
the pyoxigraph store every query runs on, and (in ``msskg.graph.dataset``,
imported only where rdflib is wanted) the same files as an rdflib Dataset."""

from msskg.graph.files import bundled_files, project_home, resolve_files
from msskg.graph.prefixes import DEFAULT_PREFIXES, shorten
from msskg.graph.store import KnowledgeGraph, load_store, open_store

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
