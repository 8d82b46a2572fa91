"""The prefixes msskg always knows, and IRIs shortened with them."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["DEFAULT_PREFIXES", "shorten"]


DEFAULT_PREFIXES: Mapping[str, str] = {
    "msr": "https://w3id.org/msskg/id/",
    "mss": "https://w3id.org/msskg/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "cpov": "http://data.europa.eu/m8g/",
    "dcterms": "http://purl.org/dc/terms/",
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


# A local name that needs no escaping in Turtle or SPARQL (a safe subset of PN_LOCAL).
_LOCAL = r"\w(?:[\w.-]*[\w-])?"
