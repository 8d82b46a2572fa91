"""bench/load_serve.py's side-by-side mode: its client reads whole answers
however they are framed, and both servers answer every request of a short run."""

from __future__ import annotations

import asyncio
import math
from types import ModuleType

import pytest
from test_bench_generate import bench_script


def load_serve() -> ModuleType:
    return bench_script("load_serve")


def answers(data: bytes, count: int) -> tuple[list[int], bytes]:
    """The statuses of ``count`` answers read from ``data``, and what is left."""

    async def read() -> tuple[list[int], bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        statuses = [await load_serve()._answer(reader) for _ in range(count)]
        return statuses, await reader.read()

    return asyncio.run(read())


def test_client_reads_chunked_and_sized_answers_whole() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n3;x=1\r\nabc\r\n0\r\n\r\n"
    )
    sized = b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"
    empty = b"HTTP/1.1 204 No Content\r\n\r\n"
    assert answers(chunked + sized + empty + b"next", 3) == ([200, 404, 204], b"next")


@pytest.mark.slow
def test_side_by_side_both_servers_answer_every_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load_serve().against_oxigraph(0.3, 2) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows] == [
        "query",
        "simple SELECT",
        "holder-at",
        "holder-at, new",
    ]
    for row in rows[1:]:
        numbers = [float(cell.replace(",", "")) for cell in row.split("|")[2:8]]
        assert len(numbers) == 6 and all(n > 0 and math.isfinite(n) for n in numbers), row
        assert "inf" not in row


@pytest.mark.slow
def test_the_fairness_run_answers_all_while_its_hostile_query_hits_the_time_limit() -> None:
    """Without --against-oxigraph: every request of the mix answered, and the
    hostile query is one the shape check lets through, stopped at the limit."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "bench" / "load_serve.py"
    done = subprocess.run(
        [sys.executable, str(script), "--requests", "200", "--clients", "4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert ": 0 errors," in done.stdout and "cross product: HTTP 503" in done.stdout
