"""Options and output helpers the commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from msskg.cli.declared import DATA, READERS, STORE, Declared
from msskg.query.registry import listed

F = TypeVar("F", bound=Callable[..., Any])


class Assignment(click.ParamType):  # type: ignore[type-arg]
    """``NAME=VALUE``, split at the first ``=``."""

    name = "NAME=VALUE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        read: tuple[str, str] | None = READERS["assignment"](str(value))
        if read is None:
            self.fail(f'"{value}" is not NAME=VALUE (e.g. -p date=2021-08-15)', param, ctx)
        return read


def declared(option: Declared) -> Callable[[F], F]:
    """The click option of a declaration (:mod:`msskg.cli.declared`)."""
    kinds: dict[str, Any] = {
        "text": None,
        "path": click.Path(path_type=Path),
        "assignment": Assignment(),
        "seconds": click.FloatRange(min=0),
    }
    return click.option(
        *option.names,
        option.dest,
        type=kinds[option.kind],
        metavar=option.metavar,
        multiple=option.multiple,
        help=option.help,
    )


data_option = declared(DATA)
store_option = declared(STORE)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="How long to wait for the server to connect or answer.  [default: 60]",
)


def format_option(kind: str, default: str, more: str = "") -> Callable[[F], F]:
    """``-f``/``--format``: the formats of ``kind`` the registry lists (msskg.query.registry)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        default=default,
        show_default=True,
        metavar="FORMAT",
        help=f"{listed(kind, ' or ')}{more}.",
    )


def output_option(command: F) -> F:
    command = click.option("--force", is_flag=True, help="Replace a read-only -o file.")(command)
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        callback=lambda ctx, param, value: None if value == Path("-") else value,
        help="Write to this file (atomically; a symlink is followed) instead of standard "
        "output (-o - is standard output).",
    )(command)


def allow_service_option(command: F) -> F:
    text = "Let SERVICE reach endpoints under this IRI PREFIX (repeatable); else it is refused."
    return click.option("--allow-service", multiple=True, metavar="PREFIX", help=text)(command)


def limit_option(name: str, kind: Any, default: Any, text: str) -> Callable[[F], F]:
    return click.option(name, type=kind, default=default, show_default=True, help=text)


COUNT = click.IntRange(min=1)


def write(text: str) -> None:
    click.echo(text, nl=False)


def echo(text: str, output: Path | None = None) -> None:
    """``text`` to standard output, ending in a newline, unless it was written to ``output``."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
