"""The click-free fast path of ``msskg query`` (msskg/launch.py): it takes only
plain local queries, and gives the same output, errors and exit codes as the
click CLI, which takes everything else."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from msskg import launch
from msskg.cli import main
from msskg.launch import _plain_query


def both(*args: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(exit code, stdout, stderr) of ``msskg ARGS`` as a process and through click."""
    process = subprocess.run(
        [str(Path(sys.executable).with_name("msskg")), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    clicked = CliRunner().invoke(main, list(args), prog_name="msskg")
    return (process.returncode, process.stdout, process.stderr), (
        clicked.exit_code,
        clicked.stdout,
        clicked.stderr,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("query", "labels-of", "-f", "csv"),
        ("query", "labels-of", "-pthing=msr:ministry", "--format=tsv"),
        ("query", "named-by", "--param", "date=2010", "-f", "json"),
        ("query", "echo", "-p", "text=a=b", "-p", "n=3", "-f", "csv"),
        ("query", "nothing-by-this-name"),
        ("query", "named-by", "-p", "date=2021-02-30", "-f", "csv"),
        ("query", "labels-of", "-p", "thing=msr:nobody", "-f", "csv"),
        ("query", "labels-of", "-f", "yaml"),
        ("query", "labels-of", "--store", "no-such-store", "-f", "csv"),
        ("query", "labels-of", "--timeout", "0", "-f", "csv"),
        ("query", "labels-of", "--timeout=2.5", "-f", "csv"),
    ],
)
def test_the_fast_path_answers_as_click_does(home: Path, args: tuple[str, ...]) -> None:
    assert _plain_query(list(args)) is not None
    fast, clicked = both(*args)
    assert fast == clicked


@pytest.mark.parametrize(
    "args",
    [
        ("query", "--sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
        ("query", "labels-of", "-p", "thing"),
        ("query", "echo", "-p", "text=a", "-p", "text=b"),
        ("query", "labels-of", "--data", "x.ttl", "--store", "y"),
        ("query", "labels-of", "extra"),
        ("query", "-h"),
        ("query", "labels-of", "-p"),
        ("query", "labels-of", "--timeout", "-1"),
        ("query", "labels-of", "--timeout", "1e3"),
        ("query", "labels-of", "--timeout", "1", "--timeout", "2"),
        ("query", "labels-of", "--timeout", "٣"),
        ("queries",),
        ("--version",),
    ],
)
def test_everything_else_goes_to_click(home: Path, args: tuple[str, ...]) -> None:
    assert _plain_query(list(args)) is None
    fast, clicked = both(*args)
    assert fast[0] == clicked[0] and fast[2] == clicked[2]


def imported(args: tuple[str, ...], unused: tuple[str, ...]) -> list[str]:
    """Which of ``unused`` the processes of ``msskg query ARGS`` imported: a line
    from the process that answered, one from the crash watcher."""
    code = (
        "import os, sys\n"
        f"sys.argv = ['msskg', 'query', *{args!r}]\n"
        "os._exit = sys.exit  # main ends so, past the interpreter's teardown\n"
        "from msskg.launch import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('imported:', sorted(m for m in {unused!r} if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [line for line in run.stdout.splitlines() if line.startswith("imported:")]


@pytest.mark.parametrize(
    "args", [("labels-of", "-f", "csv"), ("named-by", "-p", "date=2010", "-f", "csv")]
)
def test_the_fast_path_does_not_import_click(home: Path, args: tuple[str, ...]) -> None:
    """Nor what no query uses: typing (msskg.records)."""
    unused = ("click", "rdflib", "dataclasses", "threading", "typing")
    assert imported(args, unused) == ["imported: []"] * 2


def test_a_query_on_the_cached_graph_does_not_import_pathlib() -> None:
    """Its files and saved query are found as text: pathlib (with urllib.parse
    and ipaddress) is a tenth of a cold query; nor importlib and warnings for
    the lazy imports. Data small enough to be parsed into memory on each run
    does import pathlib (for the files' base IRIs)."""
    args = ("holder-at", "-p", "date=2021-08-15", "-f", "csv")
    imported(args, ())  # builds the cache entry and its stamp
    unused = ("pathlib", "urllib.parse", "ipaddress", "typing", "hashlib", "importlib", "warnings")
    assert imported(args, unused) == ["imported: []"] * 2


def test_the_fast_path_keeps_the_time_limit_given() -> None:
    plan = _plain_query(["query", "labels-of", "--timeout", "2.5"])
    assert plan is not None and plan[1]["timeout"] == 2.5
    plan = _plain_query(["query", "labels-of"])
    assert plan is not None and plan[1]["timeout"] is None


def test_only_a_plain_query_runs_without_the_garbage_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plain query ends once answered; any other command (serve runs for
    days) keeps the collector."""
    enabled: list[bool] = []
    monkeypatch.setattr(launch, "_watch_for_crashes", lambda: None)
    monkeypatch.setattr(launch, "_run", lambda name, options: enabled.append(gc.isenabled()) or 0)
    monkeypatch.setattr(os, "_exit", lambda code: None)
    monkeypatch.setattr("msskg.cli.main", lambda: enabled.append(gc.isenabled()))
    try:
        for args in (["query", "labels-of", "-f", "csv"], ["cache", "list"]):
            monkeypatch.setattr(sys, "argv", ["msskg", *args])
            launch.main()
    finally:
        gc.enable()
    assert enabled == [False, True]
