"""The commands that hand the graph on or check it: export, validate, load, push, cache."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from msskg.cli.options import data_option, echo, format_option, output_option, timeout_option
from msskg.query.registry import DATASET, GRAPH, REPORT, check_format, listed


@click.command("export")
@format_option(DATASET, "turtle", " (one named graph per source text, one for the direct layer)")
@output_option
@click.option(
    "--at",
    "at",
    metavar="DATE",
    help=(
        "Only the state on DATE (YYYY, YYYY-MM, YYYY-MM-DD or today) in plain ORG and SKOS, traced."
    ),
)
@click.option(
    "--possible", is_flag=True, help="With --at: also what possibly held then, marked as such."
)
@click.option(
    "--void",
    "void",
    is_flag=True,
    help="Only the dataset's VoID and DCAT description (sizes counted on the graph, licence, "
    f"sources, example queries): {listed(GRAPH, ' or ')}.",
)
@data_option
def export_command(
    fmt: str,
    output: Path | None,
    force: bool,
    at: str | None,
    possible: bool,
    void: bool,
    data: tuple[Path, ...],
) -> None:
    """Export the whole graph (sourced facts and the direct layer), the state on a date,
    or the dataset's description."""
    from msskg.errors import ParameterError
    from msskg.publish.export import export, write_stdout

    if possible and at is None:
        raise ParameterError("--possible needs --at DATE")
    if void:
        from msskg.publish.void import export_description

        if at is not None:
            raise ParameterError("give --void or --at DATE, not both")
        echo(export_description(fmt, data=data, output=output, force=force), output)
    elif at is not None:
        from msskg.publish.direct import export_at  # rdflib: not for a whole-graph export

        text = export_at(at, fmt, possible=possible, data=data, output=output, force=force)
        echo(text, output)
    elif output is None:
        write_stdout(fmt, data=data)
    else:
        export(fmt, data=data, output=output, force=force)


@click.command("validate")
@format_option(REPORT, "human", " (turtle: a SHACL report graph)")
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on violations.")
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="fast (pyoxigraph; the same results) or pyshacl (the reference).",
)
@click.option(
    "--shapes",
    "-s",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A SHACL shapes file to validate against instead of msskg's (repeatable).",
)
@data_option
def validate_command(
    fmt: str, strict: bool, engine: str, shapes: tuple[Path, ...], data: tuple[Path, ...]
) -> None:
    """Check the graph against the SHACL shapes and its sources. Exit code 0
    when it conforms, 1 when it does not, 2 when validation could not run."""
    from msskg.validate import format_report, validate

    check_format(fmt, REPORT, "report")  # before a validation that may take minutes
    report = validate(data=data, shapes=shapes or None, engine=engine)
    echo(format_report(report, fmt, strict=strict))
    failed = not report.conforms or (strict and bool(report.results))
    sys.exit(1 if failed else 0)


@click.command("load")
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
    from msskg.graph.progress import StderrProgress
    from msskg.graph.store import load_store

    progress = StderrProgress("Loading")
    try:
        count = load_store(store, files, progress=progress)
    finally:
        progress.close()
    click.echo(f"Loaded {count} quads into {store}")


@click.command("push")
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
@click.option(
    "--graph",
    metavar="IRI",
    help="Push the whole graph into this named graph, not the default graph "
    "(Virtuoso has no writable default graph).",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    help="Its SPARQL Update endpoint (Oxigraph: /update; Virtuoso: /sparql): each graph is "
    "written under a staging name first, and one update request puts them all in place at "
    "the end, so a push that fails replaces nothing.",
)
@data_option
@timeout_option
def push_command(
    endpoint: str,
    store_endpoint: str | None,
    update_endpoint: str | None,
    replace: bool,
    sources: bool,
    graph: str | None,
    data: tuple[Path, ...],
    timeout: float | None,
) -> None:
    """Push the graph to a SPARQL server (Graph Store Protocol): the whole graph
    into its default graph (or --graph), each source text's facts into a named graph."""
    from msskg.publish.remote import PushMode, push

    mode: PushMode = "replace" if replace else "append"
    url = store_endpoint or endpoint
    pushing = push(url, data=data, mode=mode, sources=sources, graph=graph, timeout=timeout,
                   update=update_endpoint)  # fmt: skip
    for pushed in pushing:
        graph = f"<{pushed.graph}>" if pushed.graph else "default graph"
        click.echo(f"{graph}: {pushed.triples} triples {'replaced' if replace else 'added'}")


@click.group("cache", invoke_without_command=True)
@click.pass_context
def cache_command(ctx: click.Context) -> None:
    """Show the cache of parsed data (msskg cache clear empties it)."""
    from msskg.graph.cache import cache_dir, cache_entries, cache_limit, size_text

    if ctx.invoked_subcommand is None:
        entries = cache_entries()
        for entry in entries:
            click.echo(f"{entry.key}  {entry.size / 1e6:9.1f} MB")
        total, many = sum(e.size for e in entries) / 1e6, "y" if len(entries) == 1 else "ies"
        click.echo(f"{len(entries)} entr{many}, {total:.1f} MB in {cache_dir()}")
        limit = cache_limit()
        capped = f"at most {size_text(limit)}, least recently used first out" if limit else "none"
        click.echo(f"size limit: {capped} (MSSKG_CACHE_LIMIT)")


@cache_command.command("clear")
def cache_clear_command() -> None:
    """Remove every cached store."""
    from msskg.graph.cache import cache_dir, clear_cache

    click.echo(f"Freed {clear_cache() / 1e6:.1f} MB in {cache_dir()}")
