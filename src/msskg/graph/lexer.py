"""The one lexer of SPARQL and Turtle text that msskg's scans share: what a
scan skips (strings, IRIs and comments), so that a bracket, a ``?x`` or a
keyword inside them counts for nothing. The productions are SPARQL 1.1's
(STRING_LITERAL*, IRIREF, comments), which Turtle shares."""

from __future__ import annotations

__all__ = ["COMMENT", "IRI", "SKIPPED", "SKIPPED_BYTES", "STRING"]

STRING = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
)
IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
COMMENT = r"#[^\n\r]*"

SKIPPED = rf"(?P<literal>{STRING})|(?P<iri>{IRI})|{COMMENT}"
"""Strings (long and short, either quote; group ``literal``), IRIs (group
``iri``) and comments, as a regular expression to put first in an alternation."""

SKIPPED_BYTES = SKIPPED.encode("ascii")
""":data:`SKIPPED` for text read as bytes."""
