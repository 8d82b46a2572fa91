"""msskg: a sourced, time-aware knowledge graph of North Korea's Ministry of
Social Security, and the library to query, export and validate it."""

__version__ = "0.1.0"
