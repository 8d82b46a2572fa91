"""Stamps: a cache entry found without reading the files it was built from.

Finding a cache entry by its key (a hash of every byte of the files) reads all
of them on each run. A stamp, written beside the entries once the files have
been hashed, records each file's path, size, inode, mtime and ctime and the
key their bytes had. A later run whose files show exactly those values takes
the key from the stamp. Any write to a file, or ``os.utime`` setting its
mtime back, moves its ctime to the present, which the stamp does not hold; so
a stamp is written, and trusted, only for files whose times are older than the
stamp by :data:`MARGIN_NS`, wider than any file system's timestamp grain: an
edit in the same tick as the stamp cannot hide behind an equal time. This
module never imports hashlib: a stamp's file name is a checksum, and its
content names the files in full, so that two identities never share a stamp.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Sequence

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from _typeshed import StrPath

__all__ = ["MARGIN_NS", "identity_of", "read_stamp", "write_stamp"]

MARGIN_NS = 2_000_000_000
"""How much older than its stamp a file's mtime and ctime must be (FAT's
timestamps have a 2 s grain; ext4's and APFS's, nanoseconds)."""

STAMPS = ".stamps"  # a dot: not a cache entry (graph/cache.py lists those)


def identity_of(files: Sequence[StrPath], salt: str) -> tuple[str, int] | None:
    """The files' identity as a stamp records it, and their newest time; None
    when a file cannot be read (the caller then hashes, and says why).
    :func:`write_stamp` compares it with the one taken before hashing."""
    lines = [salt]
    newest = 0
    try:
        for path in files:
            stat = os.stat(path)
            newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
            lines.append(
                f"{os.path.abspath(path)}\t{stat.st_size}\t{stat.st_ino}"
                f"\t{stat.st_mtime_ns}\t{stat.st_ctime_ns}"
            )
    except OSError:
        return None
    return "\n".join(lines) + "\n", newest


def _stamp_path(cache: StrPath, identity: str) -> str:
    data = identity.encode("utf-8", "surrogateescape")
    return os.path.join(cache, STAMPS, f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}")


def read_stamp(cache: StrPath, files: Sequence[StrPath], salt: str) -> str | None:
    """The key that a trusted stamp gives ``files`` (``salt``: what else the
    key depends on), or None: no stamp, another identity, or files too new."""
    found = identity_of(files, salt)
    if found is None:
        return None
    identity, newest = found
    stamp = _stamp_path(cache, identity)
    try:
        written = os.stat(stamp).st_mtime_ns
        with open(stamp, encoding="utf-8", errors="surrogateescape") as file:
            text = file.read()
    except OSError:
        return None
    recorded, _, key = text.rpartition("\n\n")
    if recorded + "\n" != identity or newest > written - MARGIN_NS or not key.isalnum():
        return None
    return key


def write_stamp(
    cache: StrPath, files: Sequence[StrPath], salt: str, key: str, before: tuple[str, int] | None
) -> None:
    """Record ``key`` for ``files``, when their identity is still ``before``
    (taken before their bytes were hashed) and old enough to trust; a stamp
    that cannot be written is only a slower next run."""
    found = identity_of(files, salt)
    if found is None or found != before or found[1] > time.time_ns() - MARGIN_NS:
        return
    identity = found[0]
    stamp = _stamp_path(cache, identity)
    folder, name = os.path.split(stamp)
    partial = os.path.join(folder, f".{name}.{os.getpid()}")
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
        with open(partial, "w", encoding="utf-8", errors="surrogateescape") as file:
            file.write(f"{identity}\n{key}")
        os.replace(partial, stamp)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
