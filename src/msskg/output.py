"""Writing output files (``-o FILE``): atomically, so that a failed or
interrupted write leaves nothing behind, and carefully: a symlink is followed
(the file it points to is replaced, the link stays), a read-only file is
replaced only when forced, an existing file keeps its mode, a folder is refused,
and so is any of the command's own inputs (by real path or inode, through
symlinks and hard links): a data file, a file under a data folder, a store."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from msskg.errors import InputOverwriteError, MsskgError, OutputError, check_name

__all__ = [
    "discard_unfinished",
    "open_atomically",
    "resolve_output",
    "stdout_failed",
    "write_atomically",
]


def resolve_output(path: Path, *, force: bool = False, inputs: Sequence[Path] = ()) -> Path:
    """The file to write for ``path``: a symlink's target, checked. Raises
    :class:`OutputError` for a folder, or a read-only file unless ``force``;
    :class:`InputOverwriteError` for one of ``inputs`` (files, or folders
    whose every file is an input) whatever ``force`` says."""
    try:
        target = Path(os.path.realpath(check_name(path, "output")))
        if target.is_dir():
            raise OutputError(f"cannot write {path}: Is a directory")
        _refuse_inputs(path, target, inputs)
        # Read-only by its mode (no write bit: root may write anything) or to us.
        exists = target.exists()
        writable = exists and target.stat().st_mode & 0o222 and os.access(target, os.W_OK)
    except OutputError:
        raise
    except OSError as err:  # a name too long, a loop of symlinks
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None
    if exists and not force and not writable:
        raise OutputError(f"{path} is read-only: msskg does not replace it unless you add --force")
    return target


def _refuse_inputs(path: Path, target: Path, inputs: Sequence[Path]) -> None:
    for given in inputs:
        real = Path(os.path.realpath(given))
        if real.is_dir():
            hit = target == real or real in target.parents
        else:
            hit = target == real or (target.exists() and real.exists() and target.samefile(real))
        if hit:
            raise InputOverwriteError(
                f"refusing to write {path}: it is one of this command's inputs ({given}); "
                "choose another -o file"
            )


@contextmanager
def open_atomically(
    path: Path, *, force: bool = False, inputs: Sequence[Path] = ()
) -> Iterator[IO[bytes]]:
    """A binary stream whose bytes replace ``path`` (see :func:`resolve_output`,
    which refuses ``inputs``) only when the block ends without an error;
    otherwise nothing is left."""
    import tempfile  # only to write a file: a query to stdout never needs it

    target = resolve_output(path, force=force, inputs=inputs)
    try:
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        with _REGISTERING:  # created and registered as one step, for the watchdog
            handle, temporary = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
            _UNFINISHED.add(temporary)
            _tell_guard(f"+{temporary}")
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as err:
        Path(temporary).unlink(missing_ok=True)
        # An error from the block (the data, the cache) keeps its own message.
        if isinstance(err, OSError) and not isinstance(err, MsskgError):
            raise OutputError(f"cannot write {path}: {err.strerror}") from None
        raise
    finally:
        _UNFINISHED.discard(temporary)
        _tell_guard(f"-{temporary}")


# Files being written now: a watchdog that ends the process (os._exit, no
# unwinding) removes them first (discard_unfinished).
_UNFINISHED: set[str] = set()
_REGISTERING = threading.Lock()
# The process that watches this one for a crash (msskg.launch) learns of them
# too, through a pipe named as "PID:FD" (only this process, not one it starts,
# writes there): a crash leaves no chance to remove them here.
GUARD_ENV = "MSSKG_CRASH_WATCH"


def _tell_guard(change: str) -> None:
    pid, _, fd = os.environ.get(GUARD_ENV, "").partition(":")
    if pid == str(os.getpid()):
        os.write(int(fd), change.encode("utf-8", "surrogateescape") + b"\0")


def discard_unfinished() -> None:
    """Remove every output still being written, before the process ends
    abruptly; a file being created now is waited for (briefly), then removed."""
    held = _REGISTERING.acquire(timeout=5)
    try:
        for temporary in list(_UNFINISHED):
            Path(temporary).unlink(missing_ok=True)
    finally:
        if held:
            _REGISTERING.release()


def write_atomically(
    path: Path, text: str, *, force: bool = False, inputs: Sequence[Path] = ()
) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`open_atomically`."""
    with open_atomically(path, force=force, inputs=inputs) as stream:
        stream.write(text.encode("utf-8"))


def _umask() -> int:
    # mkstemp makes files private (0600); a new output gets the usual mode.
    current = os.umask(0)
    os.umask(current)
    return current


def stdout_failed(err: OSError) -> int:
    """The exit code for a write to standard output that failed, after one line
    on stderr: 1 and no line when the reader left (``msskg query ... | head``,
    as cat does), else :data:`~msskg.errors.EXIT_CANNOT_WRITE` (a full disk).
    Standard output then goes nowhere, so that Python's last flush is quiet.
    (Every file msskg itself reads or writes raises :class:`MsskgError`: a bare
    OSError that reaches the command came from standard output.)"""
    import sys

    from msskg.errors import EXIT_CANNOT_WRITE

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if isinstance(err, BrokenPipeError):
        return 1
    print(f"Error: cannot write the output: {err.strerror or err}", file=sys.stderr)
    return EXIT_CANNOT_WRITE
