"""The namespaces msskg reads and writes, by their usual prefixes, and the
few terms the code names: the one place an IRI stem is spelled out."""

from __future__ import annotations

MSR = "https://w3id.org/msskg/id/"
MSS = "https://w3id.org/msskg/ontology#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
CPOV = "http://data.europa.eu/m8g/"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
DERIVED_FROM = PROV + "wasDerivedFrom"
HAS_SOURCE = OA + "hasSource"
