"""Validation: the SHACL shapes, run by the fast engine (pyoxigraph) or by
pySHACL (the reference), the checks SHACL cannot make, and the report."""

from msskg.validate.api import ENGINES, validate, validate_graph
from msskg.validate.report import (
    Quote,
    ValidationReport,
    ValidationResult,
    format_report,
)

__all__ = [
    "ENGINES",
    "Quote",
    "ValidationReport",
    "ValidationResult",
    "format_report",
    "validate",
    "validate_graph",
]
