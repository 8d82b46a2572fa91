"""The prefixes msskg always knows, and IRIs shortened with them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from msskg import vocab

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from _typeshed import StrPath

__all__ = [
    "DEFAULT_PREFIXES",
    "PREFIXES_FILE",
    "local_words",
    "merge_prefixes",
    "read_prefixes",
    "shorten",
    "write_prefixes",
]


DEFAULT_PREFIXES: Mapping[str, str] = {
    "msr": vocab.MSR,
    "mss": vocab.MSS,
    "org": vocab.ORG,
    "time": vocab.TIME,
    "prov": vocab.PROV,
    "oa": vocab.OA,
    "skos": vocab.SKOS,
    "rdf": vocab.RDF,
    "rdfs": vocab.RDFS,
    "owl": vocab.OWL,
    "xsd": vocab.XSD,
    "foaf": vocab.FOAF,
    "cpov": vocab.CPOV,
    "dcterms": vocab.DCTERMS,
}


def shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    """``msr:foo`` for an IRI under a known prefix (the longest that fits),
    else ``<iri>``."""
    fits = [
        (len(namespace), name)
        for name, namespace in prefixes.items()
        if iri.startswith(namespace) and re.fullmatch(_LOCAL, iri[len(namespace) :])
    ]
    if not fits:
        return f"<{iri}>"
    _, name = max(fits)
    return f"{name}:{iri[len(prefixes[name]) :]}"


def local_words(iri: str) -> str:
    """``name period`` for ``mss:NamePeriod``: the IRI's last segment as words."""
    local = re.split(r"[#/]", iri)[-1] or iri
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


# A local name that needs no escaping in Turtle or SPARQL (a safe subset of PN_LOCAL).
_LOCAL = r"\w(?:[\w.-]*[\w-])?"


PREFIXES_FILE = "msskg-prefixes.txt"
"""Where a store folder keeps the prefixes its data declared: a line each, the
name, a space, the IRI (neither holds a space or a line break)."""
_JSON_PREFIXES_FILE = "msskg-prefixes.json"  # where stores built before kept them


def merge_prefixes(found: Mapping[str, str]) -> dict[str, str]:
    """The prefixes ``found`` in data, with msskg's own winning on a clash."""
    merged = {name: iri for name, iri in found.items() if name}
    merged.update(DEFAULT_PREFIXES)
    return merged


def write_prefixes(folder: StrPath, prefixes: Mapping[str, str]) -> None:
    """Keep ``prefixes`` in the store folder ``folder`` (a line each, read
    back without a JSON parser: a cold query opens a store and declares them)."""
    lines = [
        f"{name} {iri}\n"
        for name, iri in sorted(prefixes.items())
        if not any(c.isspace() for c in name + iri)
    ]
    with open(os.path.join(folder, PREFIXES_FILE), "w", encoding="utf-8") as file:
        file.write("".join(lines))


def read_prefixes(folder: StrPath) -> dict[str, str]:
    """The prefixes kept in ``folder`` ({} when there are none, or they cannot be read)."""
    try:
        with open(os.path.join(folder, PREFIXES_FILE), encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        return _read_json_prefixes(folder)
    except (OSError, ValueError):
        return {}
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def _read_json_prefixes(folder: StrPath) -> dict[str, str]:
    import json

    try:
        with open(os.path.join(folder, _JSON_PREFIXES_FILE), encoding="utf-8") as file:
            loaded = json.load(file)
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
