"""The ``msskg`` command's entry point. A plain saved query on local data
(``msskg query NAME`` with only the options :data:`msskg.cli.declared.PLAIN_QUERY`
declares, each value simple) is read by those declarations and answered
without importing click, a third of the start-up time; any other line goes to
the click CLI, which reads the same declarations and gives the usage errors.

Every command runs in a child process that this one watches: pyoxigraph ends
the whole process when its Rust code panics (it is built to abort, not
unwind; an ORDER BY over values it cannot all compare does it, see
docs/security.md), and no Python code runs after that. The watcher turns such
a crash into one line and exit code 11, and removes the output files the
child left half-written."""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import sys

# Imported before the fork, both processes use them: each then loads them once.
from msskg.threads import start

TYPE_CHECKING = False  # typing's, without importing typing (see msskg.records)

if TYPE_CHECKING:
    from typing import Any

__all__ = ["main"]


def main() -> None:
    _watch_for_crashes()  # first: the watcher imports nothing that only the command needs
    # A plain query imports some 100 modules, makes no garbage cycles worth
    # finding, and ends once answered: the collector's passes over what the
    # imports made would be a twentieth of its time. Any other command has it.
    gc.disable()
    plain = _plain_query(sys.argv[1:])
    if plain is None:
        gc.enable()
        from msskg.cli import main as cli

        cli()
        return
    code = _run(*plain)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that left: the code says how it ended
            stream.flush()
    # Nothing of the query's left to finish: skip the interpreter's teardown, a
    # tenth of a cold query's time (every module's objects freed one by one).
    os._exit(code)


def _plain_query(args: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The query's name and options when ``args`` are a plain local query."""
    from msskg.cli.declared import PLAIN_QUERY, read_plain

    read = read_plain(args[1:], PLAIN_QUERY) if args[:1] == ["query"] else None
    if read is None:
        return None
    name, found = read
    keys = [key for key, _ in found["params"]]
    if len(set(keys)) < len(keys) or (found["store"] and found["data"]):
        return None  # click says what is wrong
    single = {dest: values[0] if values else None for dest, values in found.items()}
    return name, {**single, "params": found["params"], "data": found["data"]}


def _run(name: str, options: dict[str, Any]) -> int:
    from msskg.cli.declared import answer
    from msskg.errors import MsskgError
    from msskg.query.limits import terminate_as_interrupt

    terminate_as_interrupt()
    try:
        answer(
            name,
            None,
            write=lambda text: print(text, end=""),
            note=lambda line: print(line, file=sys.stderr),
            terminal=sys.stdout.isatty(),
            **options,
        )
        sys.stdout.flush()
    except MsskgError as err:
        print(f"Error: {err}", file=sys.stderr)
        return err.exit_code
    except OSError as err:
        from msskg.output import stdout_failed

        return stdout_failed(err)
    except KeyboardInterrupt:
        print("Aborted!", file=sys.stderr)
        return 1
    return 0


# Signals the watcher passes on to the child: the terminal sends them to the
# watcher's process group (the foreground), the child has a group of its own,
# so each arrives once.
_PASSED_ON = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
_CRASHES = (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE)


def _watch_for_crashes() -> None:
    """Fork: the child returns and runs the command; this process watches it
    and ends with its exit code, or with one line if it crashed."""
    if not hasattr(os, "fork") or not hasattr(signal, "sigwaitinfo"):
        return
    watched = {signal.SIGCHLD, signal.SIGTSTP, signal.SIGCONT, *_PASSED_ON}
    signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    # The child's stderr comes through here, so that a panic's lines can be held
    # back; a terminal's stays a terminal to the child (its progress bars).
    reader, writer = os.openpty() if sys.stderr.isatty() else os.pipe()
    told, tell = os.pipe()
    alive, kept = os.pipe()  # this process holds the only write end while it lives
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.close(reader)
        os.close(told)
        os.close(kept)
        os.dup2(writer, 2)
        os.close(writer)
        os.environ["MSSKG_CRASH_WATCH"] = f"{os.getpid()}:{tell}"  # msskg.output
        _end_with(alive)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, watched)
        return
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    os.close(writer)
    os.close(tell)
    os.close(alive)
    code = _watch(pid, reader, told, watched)
    sys.stderr.flush()
    os._exit(code)  # nothing of this process's own to finish: skip the interpreter's


def _end_with(alive: int) -> None:
    """End this process (the child) as soon as the watcher ends, however it
    ends (a SIGKILL leaves it no time to pass anything on): the watcher holds
    the only write end of ``alive``, so a read of it returns then."""

    def wait() -> None:
        with contextlib.suppress(OSError):
            os.read(alive, 1)
        os.kill(os.getpid(), signal.SIGKILL)

    start(wait)


def _watch(pid: int, reader: int, told: int, watched: set[signal.Signals]) -> int:
    held: list[str] = []
    unfinished: set[str] = set()
    relay = start(lambda: _relay(reader, held))
    track = start(lambda: _track(told, unfinished))
    while True:
        signum = signal.sigwaitinfo(watched).si_signo
        if signum == signal.SIGCHLD:
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                break
        elif signum == signal.SIGTSTP:  # Ctrl-Z: stop both
            os.kill(pid, signal.SIGSTOP)
            os.kill(os.getpid(), signal.SIGSTOP)
        else:
            os.kill(pid, signum)
    relay.acquire(timeout=2)  # a grandchild (a server's worker) may hold the pipe longer
    track.acquire(timeout=2)
    if not os.WIFSIGNALED(status):
        sys.stderr.write("".join(held))
        return os.waitstatus_to_exitcode(status)
    for temporary in unfinished:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    crash = os.WTERMSIG(status)
    if crash in _CRASHES:
        sys.stderr.write(_crash_message(crash, held) + "\n")
        from msskg.errors import EXIT_CRASH

        return EXIT_CRASH
    if crash == signal.SIGKILL:  # a shell would say "Killed"; it sees only the watcher
        sys.stderr.write(
            "Error: msskg was killed (SIGKILL), perhaps by the system for lack of memory; "
            "MSSKG_MEMORY_LIMIT sets where msskg stops itself first\n"
        )
    return 128 + crash


def _crash_message(signum: int, held: list[str]) -> str:
    from msskg.errors import clean

    lines = "".join(held).replace("\r", "").strip().splitlines()
    panic = lines[1] if len(lines) > 1 else ""  # the line after "thread '...' panicked at"
    if "total order" in panic:
        return clean(
            f"Error: the query engine (pyoxigraph) crashed: {panic}. It cannot sort values it "
            "cannot all compare (numbers with text, times with and without a time zone): "
            "sort by STR(?x), or by values of one kind"
        )
    what = f"panicked: {panic}" if panic else f"ended with {signal.Signals(signum).name}"
    return clean(
        f"Error: msskg crashed ({what}), inside the query engine or a library; "
        "narrow the query, and please report it"
    )


def _relay(reader: int, held: list[str]) -> None:
    """Copy the child's stderr to this one's as it comes, holding back from the
    first line of a Rust panic on: shown if the child lives on (the panic
    ended a server's worker), else replaced by one line."""
    pending = blank = ""
    while True:
        chunk = _read(reader, 1.0 if held else None)
        if chunk is None:
            sys.stderr.write("".join(held))
            sys.stderr.flush()
            held.clear()
            continue
        if not chunk:
            break
        pending += chunk.decode("utf-8", "replace")
        if held:
            held.append(pending)
            pending = ""
            continue
        *lines, pending = pending.split("\n")
        for index, line in enumerate(lines):
            if line.lstrip("\r").startswith("thread '") and " panicked at " in line:
                held.extend([blank, *(kept + "\n" for kept in lines[index:]), pending])
                pending = blank = ""
                break
            # A panic starts with an empty line: an empty line waits for the next.
            if line.strip("\r"):
                sys.stderr.write(blank + line + "\n")
                blank = ""
            else:
                blank += line + "\n"
        if not held and not (pending.startswith("thread '") or "thread '".startswith(pending)):
            sys.stderr.write(pending)  # not the start of a panic's first line
            pending = ""
        sys.stderr.flush()
    sys.stderr.write(blank + pending)
    os.close(reader)


def _read(reader: int, wait: float | None) -> bytes | None:
    if not select.select([reader], [], [], wait)[0]:
        return None
    try:
        return os.read(reader, 65536)
    except OSError:  # a pty whose other side has closed
        return b""


def _track(told: int, unfinished: set[str]) -> None:
    """The output files the child is writing, as it says (msskg.output)."""
    rest = b""
    while chunk := os.read(told, 65536):
        *changes, rest = (rest + chunk).split(b"\0")
        for change in changes:
            path = change[1:].decode("utf-8", "surrogateescape")
            (unfinished.add if change[:1] == b"+" else unfinished.discard)(path)
    os.close(told)
