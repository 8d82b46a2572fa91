"""Writing output files: atomically, so that a failed or interrupted write
leaves nothing behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from msskg.errors import OutputError

__all__ = ["write_atomically"]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder,
    renamed into place; on failure nothing is left behind."""
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {err.strerror}") from None


def _umask() -> int:
    # mkstemp makes files private (0600); an export should get the usual mode.
    current = os.umask(0)
    os.umask(current)
    return current
