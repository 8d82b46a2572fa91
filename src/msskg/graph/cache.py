"""The cache of parsed data (:mod:`msskg.graph.store` fills it): where it is,
what it holds, and keeping it sound and small. An entry that RocksDB cannot
open (a crash mid-write, a disk error) is set aside and rebuilt; past a size
cap ($MSSKG_CACHE_LIMIT) the entries used least recently go first; folders
that killed builds and loads left behind are swept. (shutil is imported
where it is used: a cold query never needs it.)"""

from __future__ import annotations

import os
import re
import sys
import time

from msskg.errors import OutputError, ParameterError
from msskg.records import NamedTuple

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import TypeVar

    from _typeshed import StrPath

    P = TypeVar("P", bound="str | os.PathLike[str]")

__all__ = [
    "BUILDING",
    "CACHE_LIMIT_ENV",
    "CacheEntry",
    "cache_dir",
    "cache_entries",
    "cache_folder",
    "cache_limit",
    "clear_cache",
    "evict",
    "set_aside",
    "size_setting",
    "size_text",
    "sweep",
    "usable_cache",
]

# A build's private folder names its process, so that one left by a killed
# build can be told from one still being built: ".building-PID-random" (a
# store that msskg load builds: ".NAME.building-PID-random" beside it).
BUILDING = ".building-"
_DAMAGED = ".damaged-"

CACHE_LIMIT_ENV = "MSSKG_CACHE_LIMIT"
DEFAULT_CACHE_LIMIT = 2 << 30
# An entry used this recently may be open in another process: never evicted.
_IN_USE = 60.0

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def size_setting(name: str, default: int) -> int | None:
    """The size in bytes that environment variable ``name`` gives (``4G``,
    ``512M``, ``1.5GiB``, bytes; ``0``: no limit, None), else ``default``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    size = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?", text, re.IGNORECASE)
    if size is None:
        raise ParameterError(f'{name}="{text}" is not a size; write e.g. 4G, 512M or 0 (no limit)')
    return int(float(size.group(1)) * _UNITS[size.group(2).upper()]) or None


def size_text(size: float) -> str:
    """``size`` bytes for people: 512 MB, 8.0 GB."""
    return f"{size / (1 << 30):.1f} GB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MB"


def cache_dir() -> Path:
    """Where cached stores live: $MSSKG_CACHE_DIR, else $XDG_CACHE_HOME/msskg,
    else ~/.cache/msskg."""
    from pathlib import Path

    return Path(cache_folder())


def cache_folder() -> str:
    """:func:`cache_dir` as text: what a cold query opens without pathlib (whose
    import, with urllib.parse's, is a tenth of its time)."""
    if explicit := os.environ.get("MSSKG_CACHE_DIR"):
        # as pathlib reads it: "file/" names the file, not a folder inside it
        return (explicit.rstrip("/") or "/") if os.sep == "/" else explicit
    xdg = os.environ.get("XDG_CACHE_HOME")
    return os.path.join(xdg or os.path.join(os.path.expanduser("~"), ".cache"), "msskg")


def cache_limit() -> int | None:
    """The cache's size cap in bytes: $MSSKG_CACHE_LIMIT, else 2 GiB (None: none)."""
    return size_setting(CACHE_LIMIT_ENV, DEFAULT_CACHE_LIMIT)


def usable_cache(cache: P) -> P:
    """``cache``, created if need be; :class:`OutputError` naming the fix when
    it cannot be (a file of that name, no permission)."""
    if os.path.exists(cache) and not os.path.isdir(cache):
        raise OutputError(
            f"the cache folder {_shown(cache)} is a file: set MSSKG_CACHE_DIR to a folder"
        )
    try:
        os.makedirs(cache, exist_ok=True)
    except OSError as err:
        raise OutputError(
            f"cannot create the cache in {_shown(cache)}: {err.strerror} (set MSSKG_CACHE_DIR)"
        ) from None
    return cache


def _shown(folder: StrPath) -> str:
    from pathlib import Path  # a folder named as pathlib writes it: only in an error

    return str(Path(folder))


class CacheEntry(NamedTuple):
    """A cached store: its key, its size in bytes, when it was last used."""

    key: str
    size: int
    used: float


def cache_entries(cache: Path | None = None) -> list[CacheEntry]:
    """The cached stores, most recently used first."""
    folder = cache if cache is not None else cache_dir()
    if not folder.is_dir():
        return []
    entries = []
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.name.startswith("."):
            size = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
            entries.append(CacheEntry(entry.name, size, entry.stat().st_mtime))
    return sorted(entries, key=lambda e: -e.used)


def clear_cache(cache: Path | None = None) -> int:
    """Remove every cached store (and leftovers of killed builds); returns
    the bytes freed. A store being built by a running process is left alone."""
    import shutil

    folder = cache if cache is not None else cache_dir()
    entries = cache_entries(folder)
    for entry in entries:
        shutil.rmtree(folder / entry.key, ignore_errors=True)
    if folder.is_dir():
        shutil.rmtree(folder / ".stamps", ignore_errors=True)  # graph/stamp.py's
        sweep(folder)
    return sum(e.size for e in entries)


def evict(folder: StrPath, keep: str, limit: int | None = None) -> list[str]:
    """Remove the entries used least recently until the cache fits ``limit``
    (:func:`cache_limit` by default); never ``keep`` nor an entry used in the
    last minute (another process may have it open). Returns the keys removed."""
    import shutil
    from pathlib import Path

    cache = Path(folder)
    limit = cache_limit() if limit is None else limit
    if limit is None:
        return []
    entries = cache_entries(cache)
    total = sum(e.size for e in entries)
    removed = []
    for entry in reversed(entries):  # least recently used first
        if total <= limit:
            break
        if entry.key == keep or time.time() - entry.used < _IN_USE:
            continue
        shutil.rmtree(cache / entry.key, ignore_errors=True)
        total -= entry.size
        removed.append(entry.key)
    return removed


def set_aside(folder: StrPath, reason: str) -> None:
    """Move a damaged entry out of the way (one rename: a process opening it
    now sees nothing rather than half), say so in one line, then remove it."""
    import shutil
    from pathlib import Path

    entry = Path(folder)
    aside = entry.with_name(f"{_DAMAGED}{entry.name}-{os.getpid()}")
    try:
        entry.rename(aside)
    except OSError:
        return  # another process set it aside first
    first = reason.strip().splitlines()[0] if reason.strip() else "unreadable"
    sys.stderr.write(f"msskg: cache entry {entry.name} was damaged ({first}); rebuilding it\n")
    shutil.rmtree(aside, ignore_errors=True)


def sweep(folder: Path, pattern: str = f"{BUILDING}*") -> None:
    """Remove the build folders matching ``pattern`` (each names its process
    after ``.building-``), and damaged entries set aside, that processes which
    were killed left behind; a running process's are left alone."""
    import shutil

    for leftover in [*folder.glob(pattern), *folder.glob(f"{_DAMAGED}*")]:
        name = leftover.name
        if name.startswith(_DAMAGED):
            pid = name.rsplit("-", 1)[-1]
        elif BUILDING in name:
            pid = name.rsplit(BUILDING, 1)[-1].split("-", 1)[0]
        else:
            continue
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True
