"""The ``msskg`` command's entry point. The command run most often, a saved
query on local data (``msskg query NAME [-p NAME=VALUE]... [-f FORMAT]
[--data PATH]... [--store PATH] [--timeout SECONDS]``), runs here without loading click, which
is a third of the start-up time; everything else (another command, --help,
--sparql, --endpoint, anything not recognised or not valid) goes to the click
CLI in cli.py, which gives the same results and the usage errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["main"]

_VALUED = {"-p": "param", "--param": "param", "-f": "format", "--format": "format"}
_VALUED |= {"--data": "data", "--store": "store", "--timeout": "timeout"}

Plan = tuple[str, list[tuple[str, str]], str | None, list[Path], Path | None, float | None]


def main() -> None:
    plan = _plain_query(sys.argv[1:])
    if plan is None:
        from msskg.cli import main as cli

        cli()
        return
    sys.exit(_run(*plan))


def _plain_query(args: list[str]) -> Plan | None:
    """(name, params, format, data, store, timeout) when ``args`` is a plain
    local query."""
    if not args or args[0] != "query":
        return None
    name: str | None = None
    params: list[tuple[str, str]] = []
    found: dict[str, list[str]] = {"format": [], "data": [], "store": [], "timeout": []}
    rest = iter(args[1:])
    for arg in rest:
        option, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
            option, equals, inline = arg[:2], "=", arg[2:]  # -pNAME=VALUE, -fcsv
        if option in _VALUED:
            value = inline if equals else next(rest, None)
            if value is None:
                return None
            kind = _VALUED[option]
            if kind != "param":
                found[kind].append(value)
                continue
            key, has_equals, text = value.partition("=")
            if not has_equals or not key:
                return None
            params.append((key, text))
        elif arg.startswith("-") or name is not None:
            return None
        else:
            name = arg
    keys = [key for key, _ in params]
    if name is None or len(set(keys)) < len(keys) or len(found["format"]) > 1:
        return None
    if len(found["store"]) > 1 or (found["store"] and found["data"]):
        return None
    timeout = None
    if found["timeout"]:
        # plain decimals only (click also takes 1e3, inf...; it decides those)
        seconds = found["timeout"][-1]
        if len(found["timeout"]) > 1 or not seconds.isascii():
            return None
        if not seconds.replace(".", "", 1).isdigit():
            return None
        timeout = float(seconds)
    store = Path(found["store"][0]) if found["store"] else None
    fmt = found["format"][0] if found["format"] else None
    return name, params, fmt, [Path(p) for p in found["data"]], store, timeout


def _run(
    name: str,
    params: list[tuple[str, str]],
    fmt: str | None,
    data: list[Path],
    store: Path | None,
    timeout: float | None,
) -> int:
    from msskg.errors import MsskgError

    try:
        from msskg.graph.store import open_graph
        from msskg.query.answer import write_answer
        from msskg.query.catalogue import get_query
        from msskg.query.engines import OxigraphBackend
        from msskg.query.limits import COMMAND_SECONDS, Limits, memory_limit, terminate_as_interrupt

        terminate_as_interrupt()
        backend = OxigraphBackend(open_graph(data=data, store=store))
        # exactly what msskg query does with these options (cli/querying.py)
        write_answer(
            get_query(name),
            dict(params),
            backend=backend,
            write=lambda text: print(text, end=""),
            note=lambda line: print(line, file=sys.stderr),
            fmt=fmt,
            terminal=sys.stdout.isatty(),
            limits=Limits(
                seconds=COMMAND_SECONDS if timeout is None else timeout, memory=memory_limit()
            ),
            fix="raise --timeout (0: no limit)",
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
