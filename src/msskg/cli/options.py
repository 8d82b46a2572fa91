"""Options and output helpers the commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from msskg.query.limits import COMMAND_SECONDS
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
        name, equals, text = str(value).partition("=")
        if not equals or not name:
            self.fail(f'"{value}" is not NAME=VALUE (e.g. -p date=2021-08-15)', param, ctx)
        return name, text


data_option = click.option(
    "--data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="RDF file or folder to use instead of the bundled graph (repeatable).",
)
store_option = click.option(
    "--store",
    type=click.Path(path_type=Path),
    help="Query a store built with msskg load instead of RDF files.",
)
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


LOCAL_TIMEOUT_HELP = (
    "Seconds to let a local query run (0: no limit), or to wait for --endpoint.  "
    f"[default: {COMMAND_SECONDS:g} locally, 60 for --endpoint]"
)


def write(text: str) -> None:
    click.echo(text, nl=False)


def echo(text: str) -> None:
    click.echo(text, nl=not text.endswith("\n"))
