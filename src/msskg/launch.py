"""The ``msskg`` command's entry point. A plain saved query on local data
(``msskg query NAME`` with only the options :data:`msskg.cli.declared.PLAIN_QUERY`
declares, each value simple) is read by those declarations and answered
without importing click, a third of the start-up time; any other line goes to
the click CLI, which reads the same declarations and gives the usage errors."""

from __future__ import annotations

import os
import sys
from typing import Any

from msskg.cli.declared import PLAIN_QUERY, answer, read_plain

__all__ = ["main"]


def main() -> None:
    plain = _plain_query(sys.argv[1:])
    if plain is None:
        from msskg.cli import main as cli

        cli()
        return
    sys.exit(_run(*plain))


def _plain_query(args: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The query's name and options when ``args`` are a plain local query."""
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
    except BrokenPipeError:
        # The reader left (msskg query ... | head): stop quietly, like cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("Aborted!", file=sys.stderr)
        return 1
    return 0
