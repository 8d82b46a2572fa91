"""The commands that show the graph to people: timeline, chart, describe, serve."""

from __future__ import annotations

from pathlib import Path

import click

from msskg.cli.options import (
    COUNT,
    allow_service_option,
    data_option,
    echo,
    format_option,
    limit_option,
    output_option,
    store_option,
)
from msskg.query.registry import CHART, DESCRIPTION, TIMELINE
from msskg.serve.protocol import DEFAULT_HOST, DEFAULT_PORT, ServeConfig


@click.command("timeline")
@click.argument("thing", required=False)
@format_option(TIMELINE, "svg")
@output_option
@data_option
def timeline_command(
    thing: str | None, fmt: str, output: Path | None, force: bool, data: tuple[Path, ...]
) -> None:
    """The history of THING (IRI, prefixed name or label; default: the Ministry
    of Social Security) as a timeline: names, superior bodies, terms of posts."""
    from msskg.views.timeline import timeline

    echo(timeline(thing, fmt=fmt, data=data, output=output, force=force), output)


@click.command("chart")
@click.argument("thing", required=False)
@click.option(
    "--at", "at", metavar="DATE", help="YYYY, YYYY-MM, YYYY-MM-DD or today  [default: today]"
)
@format_option(CHART, "mermaid")
@output_option
@data_option
def chart_command(
    thing: str | None,
    at: str | None,
    fmt: str,
    output: Path | None,
    force: bool,
    data: tuple[Path, ...],
) -> None:
    """The organisation chart of THING (default: the Ministry of Social
    Security) on a date: the bodies above it and its subordinate bodies."""
    from msskg.views.chart import chart

    echo(chart(thing, at=at, fmt=fmt, data=data, output=output, force=force), output)


@click.command("describe")
@click.argument("thing")
@format_option(DESCRIPTION, "text")
@data_option
def describe_command(thing: str, fmt: str, data: tuple[Path, ...]) -> None:
    """Everything the graph says about THING, each fact with its quote and source."""
    from msskg.views.describe import describe

    echo(describe(thing, fmt=fmt, data=data))


@click.command("serve")
@limit_option(
    "--host", click.STRING, DEFAULT_HOST, "Address to listen on (and Host name answered)."
)
@limit_option("--port", click.IntRange(0, 65535), DEFAULT_PORT, "Port (0: any free port).")
@limit_option(
    "--timeout",
    click.FloatRange(min=0, min_open=True),
    ServeConfig.timeout,
    "Seconds a query may run.",
)
@limit_option("--max-rows", COUNT, ServeConfig.max_rows, "Most rows in a result.")
@limit_option(
    "--workers",
    click.IntRange(1, 64),
    ServeConfig.workers,
    "Worker processes for costly /sparql queries (pages and cheap queries have one more).",
)
@data_option
@store_option
@allow_service_option
def serve_command(
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    workers: int,
    data: tuple[Path, ...],
    store: Path | None,
    allow_service: tuple[str, ...],
) -> None:
    """Serve a read-only SPARQL endpoint (/sparql) and a web page (/)."""
    from msskg.serve.server import serve

    def ready(url: str) -> None:
        click.echo(f"msskg: serving {url} (SPARQL at {url}sparql); Ctrl-C stops", err=True)

    config = ServeConfig(data, store, timeout, max_rows, workers, allow_service=allow_service)
    serve(config, host=host, port=port, ready=ready)
