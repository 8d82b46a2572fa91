"""The msskg command line, a thin layer over the library: each command makes
one library call, and MsskgGroup.invoke turns any library error into one line
on stderr and its exit code. Library modules are imported inside the commands,
so that ``msskg query`` never loads rdflib or pyshacl."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from msskg.cli.graph import (
    cache_command,
    export_command,
    load_command,
    push_command,
    validate_command,
)
from msskg.cli.querying import list_queries_command, query_command, search_command
from msskg.cli.views import chart_command, describe_command, serve_command, timeline_command
from msskg.errors import MsskgError, clean

__all__ = ["main"]


class MsskgGroup(click.Group):
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's main, but a usage error is two lines (where help is, the
        error), not four (usage, help, a blank line, the error)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as err:
            if err.ctx is not None:
                command = err.ctx.command_path
                click.echo(f"Try '{command} {err.ctx.help_option_names[0]}' for help.", err=True)
            click.echo(f"Error: {clean(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MsskgError as err:
            click.echo(f"Error: {err}", err=True)
            # validate keeps pySHACL's codes: 2 for anything that stops it running.
            ctx.exit(2 if ctx.invoked_subcommand == "validate" else err.exit_code)
        except OSError as err:
            from msskg.output import stdout_failed

            ctx.exit(stdout_failed(err))


@click.group(cls=MsskgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="msskg")
def main() -> None:
    """A sourced, time-aware knowledge graph of North Korea's Ministry of
    Social Security: query, export and load it."""
    from msskg.query.limits import Limits, memory_limit, terminate_as_interrupt, within

    terminate_as_interrupt()
    click.get_current_context().with_resource(within(Limits(memory=memory_limit())))


for command in (
    list_queries_command,
    query_command,
    export_command,
    validate_command,
    load_command,
    push_command,
    timeline_command,
    chart_command,
    describe_command,
    cache_command,
    search_command,
    serve_command,
):
    main.add_command(command)
