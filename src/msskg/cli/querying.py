"""The commands that ask the graph: queries, query, search."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from msskg.cli.declared import FORMAT, PARAM, TIMEOUT, answer
from msskg.cli.options import (
    COUNT,
    Assignment,
    allow_service_option,
    data_option,
    declared,
    echo,
    format_option,
    limit_option,
    store_option,
    write,
)
from msskg.query.registry import HITS


@click.command("queries")
@click.argument("name", metavar="[NAME|FILE.rq]", required=False)
def list_queries_command(name: str | None) -> None:
    """List the saved queries with their descriptions and parameters, or
    show one query's whole header (with an example call)."""
    from msskg.query.listing import explain_queries

    echo(explain_queries(name))


@click.command("query")
@click.argument("name", metavar="[NAME|FILE.rq]", required=False)
@click.option("--sparql", metavar="TEXT", help="Run this SPARQL text instead of a saved query.")
@declared(PARAM)
@declared(FORMAT)
@click.option(
    "--wide",
    is_flag=True,
    help="In table and md, keep the IRI and date-bound columns and long text whole.",
)
@click.option(
    "--notes/--no-notes",
    default=None,
    help="Say on standard error where the sources disagree about the answer, or an undated "
    "fact was left out (a whole-graph query).  [default: with table and md]",
)
@click.option(
    "--where",
    multiple=True,
    type=Assignment(),
    metavar="COLUMN=VALUE",
    help="Only the rows whose COLUMN has this VALUE (repeatable), e.g. --where certainty=certain.",
)
@click.option(
    "--distinct",
    multiple=True,
    metavar="COLUMN",
    help="Only these columns (repeatable), each combination of values once.",
)
@click.option(
    "--group-by",
    multiple=True,
    metavar="COLUMN",
    help="One row per value of COLUMN (repeatable) with the count of its rows, or of its "
    "distinct --distinct values.",
)
@click.option(
    "--count",
    is_flag=True,
    help="Only the number of rows, or of distinct --distinct values (per --group-by group).",
)
@data_option
@store_option
@click.option("--endpoint", metavar="URL", help="Run it on this SPARQL 1.1 Protocol endpoint.")
@declared(TIMEOUT)
@limit_option("--max-rows", COUNT, None, "Stop with an error after writing this many rows.")
@allow_service_option
def query_command(
    name: str | None,
    sparql: str | None,
    params: tuple[tuple[str, str], ...],
    where: tuple[tuple[str, str], ...],
    distinct: tuple[str, ...],
    group_by: tuple[str, ...],
    count: bool,
    endpoint: str | None,
    timeout: float | None,
    **options: Any,
) -> None:
    """Run a saved query (see msskg queries), a FILE.rq, or --sparql TEXT."""
    from msskg.query.summary import Summary

    if (name is None) == (sparql is None):
        raise click.UsageError("give a query NAME or FILE.rq, or --sparql TEXT (one of them)")
    if len([given for given in (options["data"], options["store"], endpoint) if given]) > 1:
        raise click.UsageError("give only one of --data, --store and --endpoint")
    if timeout == 0 and endpoint:
        raise click.UsageError("--timeout 0 (no limit) is for local queries; give a number")
    given = [key for key, _ in params]
    if twice := sorted({key for key in given if given.count(key) > 1}):
        raise click.UsageError(f"parameter {twice[0]} given more than once; give it once")
    answer(
        name,
        sparql,
        params,
        write=write,
        note=lambda line: click.echo(line, err=True),  # stderr: every format stays exact
        terminal=sys.stdout.isatty(),
        endpoint=endpoint,
        timeout=timeout,
        summary=Summary(distinct=distinct, group_by=group_by, count=count, where=where),
        **options,
    )


@click.command("search")
@click.argument("text", nargs=-1, required=True)
@format_option(HITS, "text")
@click.option("--limit", default=20, show_default=True, metavar="N", help="Show at most N hits.")
@data_option
def search_command(text: tuple[str, ...], fmt: str, limit: int, data: tuple[Path, ...]) -> None:
    """Find TEXT in labels and names (English or Korean, any case, parts of
    words) and in the quotes from the sources: every word, "a phrase" as
    written, A OR B. Each hit with its kind, a quote (the words found between
    **) and the command that shows more."""
    from msskg.views.search import search

    echo(search(" ".join(text), fmt=fmt, limit=limit, data=data))
