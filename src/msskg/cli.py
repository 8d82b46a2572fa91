"""The msskg command line, a thin layer over the library: each command makes
one library call, and MsskgGroup.invoke turns any library error into one line
on stderr and its exit code. Library modules are imported inside the commands,
so that ``msskg query`` never loads rdflib or pyshacl."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from msskg.errors import MsskgError, ParameterError

F = TypeVar("F", bound=Callable[..., Any])


class MsskgGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MsskgError as err:
            click.echo(f"Error: {err}", err=True)
            # validate keeps pySHACL's codes: 2 for anything that stops it running.
            ctx.exit(2 if ctx.invoked_subcommand == "validate" else err.exit_code)
        except BrokenPipeError:
            # The reader left (msskg query ... | head): stop quietly, like cat does.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)


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


def data_option(command: F) -> F:
    return click.option(
        "--data",
        multiple=True,
        type=click.Path(path_type=Path),
        help="RDF file or folder to use instead of the bundled graph (repeatable).",
    )(command)


def store_option(command: F) -> F:
    return click.option(
        "--store",
        type=click.Path(path_type=Path),
        help="Query a store built with msskg load instead of RDF files.",
    )(command)


def timeout_option(command: F) -> F:
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        help="How long to wait for the server to connect or answer.  [default: 60]",
    )(command)


def echo(text: str) -> None:
    click.echo(text, nl=not text.endswith("\n"))


@click.group(cls=MsskgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="msskg")
def main() -> None:
    """A sourced, time-aware knowledge graph of North Korea's Ministry of
    Social Security: query, export and load it."""


@main.command("queries")
def list_queries_command() -> None:
    """List the saved queries, with their parameters."""
    from msskg.query.catalogue import list_queries

    for saved in list_queries():
        click.echo(f"{saved.name}: {saved.title}")
        for p in saved.parameters:
            when = "required" if p.default is None else f"default: {p.default}"
            click.echo(f"  -p {p.name}=<{p.type}> ({when}): {p.description}")


@main.command("query")
@click.argument("name", metavar="[NAME|FILE.rq]", required=False)
@click.option("--sparql", metavar="TEXT", help="Run this SPARQL text instead of a saved query.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    type=Assignment(),
    help="A parameter of the query (repeatable).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    metavar="FORMAT",
    help="table, csv, tsv, json, xml, md; turtle, jsonld, nt for RDF "
    "[default: table at a terminal, else csv; turtle for CONSTRUCT and DESCRIBE]",
)
@data_option
@store_option
@click.option("--endpoint", metavar="URL", help="Run it on this SPARQL 1.1 Protocol endpoint.")
@timeout_option
def query_command(
    name: str | None,
    sparql: str | None,
    params: tuple[tuple[str, str], ...],
    fmt: str | None,
    data: tuple[Path, ...],
    store: Path | None,
    endpoint: str | None,
    timeout: float | None,
) -> None:
    """Run a saved query (see msskg queries), a FILE.rq, or --sparql TEXT."""
    from msskg.graph.store import open_store
    from msskg.query.catalogue import get_query
    from msskg.query.engines import OxigraphBackend, run_query
    from msskg.query.formats import default_format, format_result
    from msskg.query.results import Backend

    if (name is None) == (sparql is None):
        raise click.UsageError("give a query NAME or FILE.rq, or --sparql TEXT (one of them)")
    if len([given for given in (data, store, endpoint) if given]) > 1:
        raise click.UsageError("give only one of --data, --store and --endpoint")
    if timeout is not None and not endpoint:
        raise click.UsageError("--timeout is for --endpoint")
    given = [key for key, _ in params]
    if twice := sorted({key for key in given if given.count(key) > 1}):
        raise click.UsageError(f"parameter {twice[0]} given more than once; give it once")
    if endpoint:
        from msskg.publish.remote import EndpointBackend

        backend: Backend = EndpointBackend(endpoint, timeout=timeout)
    else:
        backend = OxigraphBackend(open_store(data=data, store=store))
    result = run_query(get_query(name) if name else str(sparql), dict(params), backend=backend)
    fmt = fmt or default_format(result, terminal=sys.stdout.isatty())
    echo(format_result(result, fmt, prefixes=backend.prefixes))


@main.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    help="turtle, jsonld, nt or trig (one named graph per source text, one for the direct layer).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@click.option(
    "--at",
    "at",
    metavar="DATE",
    help="Only the state on DATE (YYYY, YYYY-MM or YYYY-MM-DD) in plain ORG and SKOS, traced.",
)
@click.option(
    "--possible", is_flag=True, help="With --at: also what possibly held then, marked as such."
)
@data_option
def export_command(
    fmt: str, output: Path | None, at: str | None, possible: bool, data: tuple[Path, ...]
) -> None:
    """Export the whole graph (sourced facts and the direct layer), or the state on a date."""
    from msskg.publish.direct import export_at
    from msskg.publish.export import export

    if possible and at is None:
        raise ParameterError("--possible needs --at DATE")
    if at is not None:
        text = export_at(at, fmt, possible=possible, data=data, output=output)
    else:
        text = export(fmt, data=data, output=output)
    if output is None:
        echo(text)


@main.command("validate")
@click.option(
    "-f",
    "--format",
    "fmt",
    default="human",
    show_default=True,
    help="human, turtle (a SHACL report graph) or json.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on violations.")
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="fast (pyoxigraph; the same results) or pyshacl (the reference).",
)
@data_option
def validate_command(fmt: str, strict: bool, engine: str, data: tuple[Path, ...]) -> None:
    """Check the graph against the SHACL shapes and its sources. Exit code 0
    when it conforms, 1 when it does not, 2 when validation could not run."""
    from msskg.validate import format_report, validate

    report = validate(data=data, engine=engine)
    echo(format_report(report, fmt, strict=strict))
    failed = not report.conforms or (strict and bool(report.results))
    sys.exit(1 if failed else 0)


@main.command("load")
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to create the store in; it must not exist yet.",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def load_command(store: Path, files: tuple[Path, ...]) -> None:
    """Load RDF FILES (or folders) once into a persistent store, for
    msskg query --store."""
    from msskg.graph.store import load_store

    hidden = not sys.stderr.isatty()
    with click.progressbar(length=1, label="Loading", file=sys.stderr, hidden=hidden) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = load_store(store, files, progress=progress)
    click.echo(f"Loaded {count} quads into {store}")


@main.command("push")
@click.option("--endpoint", metavar="URL", required=True, help="The server to push to.")
@click.option(
    "--store-endpoint",
    metavar="URL",
    help="Its Graph Store Protocol endpoint, where that is not --endpoint "
    "(Oxigraph: queries at /query, the store at /store).",
)
@click.option(
    "--replace/--append",
    default=True,
    help="Replace each graph the server holds under the same name (PUT), or add to it "
    "(POST).  [default: replace]",
)
@click.option(
    "--sources/--no-sources",
    default=True,
    help="Also push one named graph per source text.  [default: sources]",
)
@data_option
@timeout_option
def push_command(
    endpoint: str,
    store_endpoint: str | None,
    replace: bool,
    sources: bool,
    data: tuple[Path, ...],
    timeout: float | None,
) -> None:
    """Push the graph to a SPARQL server (Graph Store Protocol): the whole graph
    into its default graph, each source text's facts into a named graph."""
    from msskg.publish.remote import PushMode, push

    mode: PushMode = "replace" if replace else "append"
    url = store_endpoint or endpoint
    for pushed in push(url, data=data, mode=mode, sources=sources, timeout=timeout):
        graph = f"<{pushed.graph}>" if pushed.graph else "default graph"
        click.echo(f"{graph}: {pushed.triples} triples {'replaced' if replace else 'added'}")


def output_option(command: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        help="Write to this file (atomically) instead of standard output.",
    )(command)


@main.command("timeline")
@click.argument("thing", required=False)
@click.option("-f", "--format", "fmt", default="svg", show_default=True, help="svg or text.")
@output_option
@data_option
def timeline_command(
    thing: str | None, fmt: str, output: Path | None, data: tuple[Path, ...]
) -> None:
    """The history of THING (IRI, prefixed name or label; default: the Ministry
    of Social Security) as a timeline: names, superior bodies, terms of posts."""
    from msskg.views.timeline import timeline

    text = timeline(thing, fmt=fmt, data=data, output=output)
    if output is None:
        echo(text)


@main.command("chart")
@click.argument("thing", required=False)
@click.option("--at", "at", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD  [default: today]")
@click.option(
    "-f", "--format", "fmt", default="mermaid", show_default=True, help="mermaid, dot or svg."
)
@data_option
def chart_command(thing: str | None, at: str | None, fmt: str, data: tuple[Path, ...]) -> None:
    """The organisation chart of THING (default: the Ministry of Social
    Security) on a date: the bodies above it and its subordinate bodies."""
    from msskg.views.chart import chart

    echo(chart(thing, at=at, fmt=fmt, data=data))


@main.command("describe")
@click.argument("thing")
@click.option(
    "-f", "--format", "fmt", default="text", show_default=True, help="text, md or jsonld."
)
@data_option
def describe_command(thing: str, fmt: str, data: tuple[Path, ...]) -> None:
    """Everything the graph says about THING, each fact with its quote and source."""
    from msskg.views.describe import describe

    echo(describe(thing, fmt=fmt, data=data))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds a query may run.")
@click.option("--max-rows", default=10_000, show_default=True, help="Most rows in a result.")
@click.option("--workers", default=2, show_default=True, help="Query worker processes.")
@data_option
@store_option
def serve_command(
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    workers: int,
    data: tuple[Path, ...],
    store: Path | None,
) -> None:
    """Serve a read-only SPARQL endpoint (/sparql) and a web page (/)."""
    from msskg.serve.server import serve

    def ready(url: str) -> None:
        click.echo(f"msskg: serving {url} (SPARQL at {url}sparql); Ctrl-C stops", err=True)

    serve(
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        workers=workers,
        data=data,
        store=store,
        ready=ready,
    )
