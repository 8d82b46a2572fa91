"""Where the graph's files are: the bundled ontology, data, queries and seeds
($MSSKG_HOME; else the package's own copy, msskg/_bundle/ in a wheel; else the
working tree of an editable install), the user's own files and folders, and
which RDF format each is in."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from msskg.errors import DataError, DataSyntaxError, MissingDataError, check_name

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = [
    "RDF_FORMATS",
    "bundled_files",
    "bundled_paths",
    "data_syntax_error",
    "home_folder",
    "input_paths",
    "jsonld_context",
    "package_home",
    "project_home",
    "rdf_format",
    "resolve_files",
]


RDF_FORMATS: Mapping[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
}


HOME_ENV = "MSSKG_HOME"
_BUNDLE = "_bundle"


def project_home() -> Path:
    """The folder holding ontology/, data/, queries/ and seeds/: $MSSKG_HOME,
    else :func:`package_home`."""
    from pathlib import Path

    return Path(home_folder())


def package_home() -> Path:
    """The graph that came with this package: msskg/_bundle/ in an installed
    wheel (the build copies the repository's folders there), else the working
    tree this package is imported from (a checkout, or an editable install)."""
    from pathlib import Path

    return Path(_package_folder())


# The functions below give paths as text: a cold query finds its files without
# importing pathlib (with urllib.parse and ipaddress, a tenth of its time).


def home_folder() -> str:
    """:func:`project_home` as text."""
    return os.environ.get(HOME_ENV) or _package_folder()


def _package_folder() -> str:
    # The package's own folder, as importlib.resources finds it on disk, without
    # importing it (and zipfile, tempfile and shutil) on every cold query.
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    bundle = os.path.join(package, _BUNDLE)
    if os.path.isdir(bundle):
        return bundle
    if not os.path.isdir(package):  # imported from a zip file: no folder to read files from
        raise MissingDataError(
            f"msskg is imported from an archive; unpack it or set {HOME_ENV} to a msskg folder"
        )
    return os.path.dirname(os.path.dirname(package))


def bundled_files() -> list[Path]:
    """The bundled graph: the ontology (without the SHACL shapes) and the data."""
    from pathlib import Path

    return [Path(path) for path in bundled_paths()]


def bundled_paths() -> list[str]:
    """:func:`bundled_files` as text."""
    home = home_folder()
    ontology = _turtle_files(os.path.join(home, "ontology"))
    files = [p for p in ontology if os.path.basename(p) != "shapes.ttl"]
    files += _turtle_files(os.path.join(home, "data"))
    if not files:
        from pathlib import Path  # the folder named as pathlib writes it

        raise MissingDataError(
            f"no bundled data under {Path(home)}: set {HOME_ENV} to the msskg folder or pass --data"
        )
    return files


def _turtle_files(folder: str) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:  # none there, as a glob finds none
        return []
    return sorted(os.path.join(folder, name) for name in names if name.endswith(".ttl"))


HOME_FOLDERS = ("ontology", "data", "queries", "rules", "seeds")


def input_paths(
    data: Sequence[Path | str] | None = None, store: Path | str | None = None
) -> list[Path]:
    """What a command reads and so must never write over (msskg.output
    refuses these as ``-o``): the ``data`` files and folders, the ``store``,
    and the project home's own folders, whatever ``data`` says."""
    from pathlib import Path

    home = project_home()
    paths = [Path(p) for p in data or ()] + [home / name for name in HOME_FOLDERS]
    return paths + ([Path(store)] if store is not None else [])


def resolve_files(data: Sequence[Path | str] | None = None) -> list[Path]:
    """The RDF files to load: ``data`` (files, or folders searched for RDF
    files), or the bundled graph when ``data`` is empty or None."""
    if not data:
        return bundled_files()
    files: list[Path] = []
    for item in (check_name(given, "data") for given in data):
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.suffix in RDF_FORMATS and p.is_file())
            if not found:
                raise MissingDataError(f"no RDF files ({', '.join(RDF_FORMATS)}) in folder {item}")
            files.extend(found)
        elif item.is_file():
            rdf_format(item)
            files.append(item)
        else:
            raise MissingDataError(f"data file not found: {item}")
    return files


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format a file's suffix says it is in."""
    try:
        return RDF_FORMATS[path.suffix.lower()]
    except KeyError:
        raise DataError(
            f"{path}: unknown RDF file type; name it {', '.join(RDF_FORMATS)}"
        ) from None


def jsonld_context() -> dict[str, Any]:
    """The context published at ontology/context.jsonld (the package's own,
    whatever MSSKG_HOME says). It is embedded in every JSON-LD export, so that
    no reader needs the network."""
    import json

    path = package_home() / "ontology" / "context.jsonld"
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["@context"]
    return context


_POSITION = r"^Parser error (?:at|between) line \d+ column \d+(?: and line \d+ column \d+)?: "


def data_syntax_error(path: Path, err: SyntaxError) -> DataSyntaxError:
    """The one-line ``file:line:col: message`` error for a pyoxigraph SyntaxError."""
    message = re.sub(_POSITION, "", str(err.msg)).strip().splitlines()[0]
    if "LoadDocumentCallback" in message:  # pyoxigraph's words for a remote @context
        message = "a remote JSON-LD @context: msskg fetches nothing; put the context in the file"
    line, column = err.lineno, err.offset if err.lineno is not None else None
    where = f"{path}:{line}:{column}" if line is not None else str(path)
    return DataSyntaxError(f"{where}: {message}", path=path, line=line, column=column)
