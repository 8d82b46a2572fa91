"""Loading RDF files into a pyoxigraph store: the fast path every query takes.

Small inputs are parsed into memory on each run; larger ones are parsed once
into an on-disk store cached under a key made from the files' contents, so a
cache entry can never be stale; a stamp (graph/stamp.py) finds the key of
files unchanged since they were hashed without reading them again. This module never imports rdflib.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence

import pyoxigraph as ox

from msskg.errors import DataError, MissingDataError, OutputError, check_length, check_name
from msskg.graph.cache import (
    BUILDING,
    CacheEntry,
    cache_dir,
    cache_entries,
    cache_folder,
    clear_cache,
    evict,
    set_aside,
    sweep,
    usable_cache,
)
from msskg.graph.files import bundled_paths, data_syntax_error, rdf_format, resolve_files
from msskg.graph.prefixes import DEFAULT_PREFIXES, merge_prefixes, read_prefixes, write_prefixes
from msskg.graph.progress import StderrProgress
from msskg.graph.scan import check_data_depth
from msskg.graph.stamp import identity_of, read_stamp, write_stamp
from msskg.records import NamedTuple

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO, Any

    from _typeshed import StrPath, WriteableBuffer

__all__ = [
    "CacheEntry",
    "KnowledgeGraph",
    "cache_dir",
    "cache_entries",
    "clear_cache",
    "load_store",
    "open_graph",
    "open_store",
    "parse_into",
]


# Below this size, parsing the Turtle into memory on every run is as fast as
# opening a cached store on disk, and leaves nothing on disk.
IN_MEMORY_LIMIT = 64 * 1024


# Bumped when the layout of a cache entry, or how its key is made, changes.
CACHE_VERSION = "3"


Progress = Callable[[int, int], None]
"""Called as ``progress(bytes_read, bytes_total)`` while files load."""


class KnowledgeGraph(NamedTuple):
    """An open pyoxigraph store and the prefixes its data declares (merged
    over msskg's own, which win on a clash so that ``msr:`` always means the same)."""

    store: ox.Store
    prefixes: Mapping[str, str] = DEFAULT_PREFIXES


def open_store(
    *,
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    cache: Path | None = None,
    in_memory_limit: int = IN_MEMORY_LIMIT,
    progress: Progress | None = None,
) -> KnowledgeGraph:
    """Open the graph to query: a store built with :func:`load_store` when
    ``store`` is given, otherwise ``data`` (or the bundled graph), parsed into
    memory when small and into a content-keyed cache under ``cache`` when not;
    ``progress`` hears how far the parse into the cache is."""
    if store is not None:
        return _open_persistent(check_name(store, "store"))
    # The bundled files as text: a cold query on them never imports pathlib.
    files: Sequence[StrPath] = resolve_files(data) if data else bundled_paths()
    if sum(os.stat(p).st_size for p in files) < in_memory_limit:
        memory = ox.Store()
        prefixes = parse_into(memory, files)
        return KnowledgeGraph(memory, merge_prefixes(prefixes))
    return _open_cached(files, cache if cache is not None else cache_folder(), progress)


def open_graph(
    *,
    data: Sequence[Path | str] | None = None,
    store: Path | str | None = None,
    in_memory_limit: int = IN_MEMORY_LIMIT,
) -> KnowledgeGraph:
    """:func:`open_store` as the command line opens it: a first parse of
    large data shows its progress on stderr."""
    progress = StderrProgress("Parsing")
    try:
        return open_store(
            data=data, store=store, progress=progress, in_memory_limit=in_memory_limit
        )
    finally:
        progress.close()


def load_store(
    path: Path | str,
    files: Sequence[Path | str],
    *,
    progress: Progress | None = None,
) -> int:
    """Build a persistent store at ``path`` from ``files`` for later
    ``open_store(store=path)``; returns the number of quads. The store appears
    only when complete: it is built beside ``path`` and renamed into place."""
    import shutil
    import tempfile
    from pathlib import Path

    target = check_name(path, "store")
    if target.exists():
        raise OutputError(f"{target} already exists: remove it or choose another --store path")
    sources = resolve_files(files)
    prefix = f".{target.name}{BUILDING}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent, f".*{BUILDING}*")  # any store's killed load, not only this one's
        building = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=target.parent))
    except OSError as err:
        raise OutputError(f"cannot create store {target}: {err.strerror}") from err
    try:
        disk = ox.Store(str(building))
        prefixes = parse_into(disk, sources, progress=progress, bulk=True)
        disk.flush()
        count = len(disk)
        del disk
        write_prefixes(building, prefixes)
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return count


def _open_persistent(path: StrPath) -> KnowledgeGraph:
    check_length(path, "store")
    if not os.path.isdir(path):
        raise MissingDataError(f"store not found: {path} (build it with msskg load --store)")
    try:
        disk = ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as err:  # RocksDB says "Corruption: ..." as a RuntimeError
        raise DataError(f"cannot open store {path}: {err}") from err
    return KnowledgeGraph(disk, merge_prefixes(read_prefixes(path)))


def _open_cached(
    files: Sequence[StrPath], cache: StrPath, progress: Progress | None
) -> KnowledgeGraph:
    salt = _salt()
    key = read_stamp(usable_cache(cache), files, salt)
    if key is None:  # hashed, then stamped when the files are old enough to trust
        before = identity_of(files, salt)
        key = _content_key(files)
        write_stamp(cache, files, salt, key, before)
    found = os.path.join(cache, key)
    if os.path.isdir(found):
        os.utime(found)  # when it was last used: eviction and msskg cache go by it
        try:
            return _open_persistent(os.path.join(found, "store"))
        except DataError as err:
            set_aside(found, str(err.__cause__ or err))
    built = _build_cache_entry(files, cache, progress)
    evict(cache, keep=os.path.basename(built))
    return _open_persistent(os.path.join(built, "store"))


def _salt() -> str:
    """What a cache key depends on besides the files' bytes."""
    return f"msskg-cache {CACHE_VERSION} {ox.__version__}\n"


def _new_digest() -> Any:
    import hashlib  # only when hashing: a cold query whose stamp holds never needs it

    return hashlib.sha256(_salt().encode())


def _file_header(digest: Any, path: Path) -> None:
    # The suffix decides the parser, so it is part of what is hashed.
    digest.update(f"{path.suffix.lower()}\n".encode())


def _file_footer(digest: Any, size: int) -> None:
    digest.update(f"\n{size}\n".encode())


def _content_key(files: Sequence[StrPath]) -> str:
    from pathlib import Path

    digest = _new_digest()
    for path in map(Path, files):
        _file_header(digest, path)
        size = 0
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        _file_footer(digest, size)
    return str(digest.hexdigest())[:32]


def _build_cache_entry(
    files: Sequence[StrPath], folder: StrPath, progress: Progress | None
) -> Path:
    """Build into a private folder, then rename it into place under the key
    of exactly the bytes parsed (hashed as they are read): a file edited while
    it is read cannot be filed under its old content's key. When two processes
    build at once, the first rename wins and the loser's copy goes."""
    import shutil
    import tempfile
    from pathlib import Path

    cache = Path(folder)
    try:
        sweep(usable_cache(cache))
        building = Path(tempfile.mkdtemp(prefix=f"{BUILDING}{os.getpid()}-", dir=cache))
    except OSError as err:
        raise OutputError(
            f"cannot create the cache in {cache}: {err.strerror} (set MSSKG_CACHE_DIR)"
        ) from err
    try:
        digest = _new_digest()
        disk = ox.Store(str(building / "store"))
        prefixes = parse_into(disk, files, bulk=True, digest=digest, progress=progress)
        disk.flush()
        del disk
        write_prefixes(building / "store", prefixes)
        entry = cache / str(digest.hexdigest())[:32]
        try:
            building.rename(entry)
        except OSError:
            if not entry.is_dir():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return entry


def parse_into(
    store: ox.Store,
    files: Sequence[StrPath],
    *,
    progress: Progress | None = None,
    bulk: bool = False,
    digest: Any | None = None,
) -> dict[str, str]:
    """Parse every file into ``store``; return the prefixes they declare.
    Blank nodes are renamed so that ``_:b1`` in two files stays two nodes.
    ``digest``, when given, is fed exactly the bytes parsed."""
    from pathlib import Path

    total = sum(os.stat(p).st_size for p in files)
    done = 0
    prefixes: dict[str, str] = {}
    for path in map(Path, files):
        if rdf_format(path) == ox.RdfFormat.JSON_LD:
            # pyoxigraph's Turtle parser does not recurse; its JSON-LD one
            # crawls (and rdflib's parsers recurse: graph/dataset.py checks all).
            check_data_depth(path)
        if digest is not None:
            _file_header(digest, path)
        with path.open("rb") as raw:
            stream: IO[bytes] = raw
            if progress is not None or digest is not None:
                counting = _Counting(raw, done, total, progress, digest)
                stream = io.BufferedReader(counting)
            fmt, base = rdf_format(path), path.resolve().as_uri()
            try:
                if bulk and fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
                    # No prefixes to collect: the whole parse stays in Rust
                    # (bulk_load renames blank nodes as parse(...) does below).
                    store.bulk_load(stream, fmt, base_iri=base)
                else:
                    parser = ox.parse(stream, fmt, base_iri=base, rename_blank_nodes=True)
                    (store.bulk_extend if bulk else store.extend)(parser)
                    prefixes.update(parser.prefixes)
            except SyntaxError as err:
                raise data_syntax_error(path, err) from None
            except (OSError, ValueError) as err:
                raise DataError(f"{path}: {err}") from err
        if digest is not None:
            _file_footer(digest, counting.bytes_read)
        done += path.stat().st_size
    return prefixes


class _Counting(io.RawIOBase):
    """A binary reader that reports how far through all the files it is, and
    hashes what it reads."""

    def __init__(
        self,
        raw: io.BufferedReader,
        start: int,
        total: int,
        progress: Progress | None,
        digest: Any | None,
    ):
        super().__init__()
        self._raw = raw
        self._start = start
        self._total = total
        self._progress = progress
        self._digest = digest
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._raw.readinto(buffer)
        if self._digest is not None and count:
            self._digest.update(memoryview(buffer)[:count])
            self.bytes_read += count
        if self._progress is not None:
            self._progress(self._start + self._raw.tell(), self._total)
        return count
