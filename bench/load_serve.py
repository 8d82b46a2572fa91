"""Load on msskg serve over loopback: REQUESTS requests from CLIENTS concurrent
clients (a mix of saved queries, ad-hoc SPARQL in each results format, describe
pages), while one hostile client sends a huge cross product that must hit the
time limit. Stops by itself; prints p50/p99 latency and the error count, and
exits 1 on any error.

With --against-oxigraph, it starts `msskg serve` and `oxigraph serve-read-only`
on the bundled graph instead (free loopback ports, separate processes) and
drives each in turn with the same keep-alive clients for --seconds: a simple
SELECT and the saved holder-at (for Oxigraph its text with the parameters
written in), printing requests/s, p50 and p99 beside issue 22's targets.
`bench/run` prints the same rows (side_by_side).

    .venv/bin/python bench/load_serve.py [--requests 2000] [--clients 8]
    .venv/bin/python bench/load_serve.py --against-oxigraph [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import math
import os
import re
import runpy
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from msskg.serve.protocol import ServeConfig
from msskg.serve.server import start_server

POSTS = (
    "SELECT ?p ?label WHERE { ?p a <http://www.w3.org/ns/org#Post> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
# joined through shared objects (rdf:type classes): a shape the check lets through,
# long enough to hit the time limit
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?c . ?d ?h ?i . ?j ?k ?i }"
MIX = [
    ("/query/holder-at?date=2021-08-15", "text/csv"),
    ("/query/name-at?date=1975", "application/sparql-results+json"),
    ("/sparql?query=" + urllib.parse.quote(POSTS), "application/sparql-results+json"),
    ("/sparql?query=" + urllib.parse.quote(POSTS), "text/tab-separated-values"),
    ("/sparql?query=" + urllib.parse.quote(POSTS), "application/sparql-results+xml"),
    ("/id/ri-thae-sop", "text/turtle"),
    ("/query/superior-at?date=2016", "text/html"),
]


def fetch(base: str, path: str, accept: str, timeout: float = 60) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(base + path.lstrip("/"), headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one whole answer (Content-Length or chunked); its status."""
    head = (await reader.readuntil(b"\r\n\r\n")).lower()
    if b"transfer-encoding: chunked" in head:
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readexactly(2)
    elif length := re.search(rb"content-length: *(\d+)", head):
        await reader.readexactly(int(length.group(1)))
    return int(head[9:12])


async def _drive(port: int, paths: list[str], seconds: float, clients: int) -> list[float]:
    """Each answer's milliseconds (an error: infinite); the clients together
    ask ``paths`` in turn, round and round."""
    requests = [(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                 "Accept: application/sparql-results+json\r\n\r\n").encode()
                for path in paths]  # fmt: skip
    latencies: list[float] = []
    asked = itertools.count()

    async def client(until: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (started := time.perf_counter()) < until:
            writer.write(requests[next(asked) % len(requests)])
            status = await _answer(reader)
            latencies.append(1e3 * (time.perf_counter() - started) if status == 200 else math.inf)
        writer.close()

    await asyncio.gather(*(client(time.perf_counter() + 1) for _ in range(clients)))  # warm up
    latencies.clear()
    await asyncio.gather(*(client(time.perf_counter() + seconds) for _ in range(clients)))
    return latencies


def _started(cmd: list[str], port: int, env: dict[str, str] | None) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while server.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"{' '.join(cmd)} did not start listening on port {port}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_dates(count: int = 1000) -> list[str]:
    """``count`` days, one after another from 1990-01-01: more than a serve
    worker keeps answers for, so that each holder-at asked is a new question."""
    first = datetime.date(1990, 1, 1)
    return [str(first + datetime.timedelta(days=n)) for n in range(count)]


def side_by_side(
    store: Path, holder_texts: dict[str, str], env: dict[str, str] | None = None, *,
    seconds: float = 10, clients: int = 8,
) -> list[str]:  # fmt: skip
    """Issue 22's serve rows: msskg serve (the bundled graph) against oxigraph
    serve-read-only (``store``, the same files), the same clients and queries,
    one server at a time. ``holder_texts``: holder-at with its parameters
    written in, by date: the first asked again and again (a serve worker keeps
    its answer), then all of them in turn (:func:`new_dates`)."""
    bin_dir = Path(sys.executable).parent
    select = "/sparql?query=" + urllib.parse.quote(POSTS)

    def holder(dates: list[str]) -> tuple[list[str], list[str]]:
        ours = [f"/query/holder-at?date={date}" for date in dates]
        return ours, ["/query?query=" + urllib.parse.quote(holder_texts[d]) for d in dates]

    paths = {
        "simple SELECT": ([select], ["/query?query=" + urllib.parse.quote(POSTS)]),
        "holder-at": holder(list(holder_texts)[:1]),
        "holder-at, new": holder(list(holder_texts)[1:]),
    }  # fmt: skip
    measured: dict[tuple[str, int], tuple[float, float, float]] = {}
    for side in (0, 1):
        port = _free_port()
        cmd = [str(bin_dir / "msskg"), "serve", "--port", str(port)] if side == 0 else [
            str(bin_dir / "oxigraph"), "serve-read-only", "--location", str(store),
            "--union-default-graph", "--bind", f"127.0.0.1:{port}"]  # fmt: skip
        server = _started(cmd, port, env)
        try:
            for name, pair in paths.items():
                ms = sorted(asyncio.run(_drive(port, pair[side], seconds, clients)))
                p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
                measured[name, side] = (len(ms) / seconds, ms[len(ms) // 2], p99)
        finally:
            server.terminate()
            server.wait(15)
    lines = [f"serve, {clients} keep-alive clients, {seconds:g} s each, one server at a time "
             "(an error counts as an infinite latency):",
             f"| {'query':<14} | msskg req/s | p50 ms | p99 ms | oxigraph req/s | p50 ms | p99 ms "
             "| ratio | target |",
             "|" + "|".join("-" * n for n in (16, 13, 8, 8, 16, 8, 8, 7, 8)) + "|"]  # fmt: skip
    targets = {"simple SELECT": "≥ 0.5x, p99 ≤ 50 ms", "holder-at": "≥ 1,000 req/s",
               "holder-at, new": "≥ 1,000 req/s"}  # fmt: skip
    for name in paths:
        ours, theirs = measured[name, 0], measured[name, 1]
        lines.append(f"| {name:<14} | {ours[0]:11,.0f} | {ours[1]:6.1f} | {ours[2]:6.1f} | "
                     f"{theirs[0]:14,.0f} | {theirs[1]:6.1f} | {theirs[2]:6.1f} | "
                     f"{ours[0] / theirs[0]:5.2f} | {targets[name]} |")  # fmt: skip
    return lines


def against_oxigraph(seconds: float, clients: int) -> int:
    """The bundled files loaded into an Oxigraph store as bench/run does, then
    :func:`side_by_side`."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from msskg.graph.files import bundled_files
    from msskg.query.catalogue import get_query

    bench = runpy.run_path(str(Path(__file__).with_name("run")), run_name="bench_run")
    holder = get_query("holder-at")
    texts = {date: bench["bound_text"](holder.text, bench["_substitutions"](holder, {"date": date}))
             for date in [bench["DATE"], *new_dates()]}  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        oxigraph = Path(sys.executable).parent / "oxigraph"
        subprocess.run([str(oxigraph), "load", "--location", work, "--file",
                        *map(str, bundled_files())], check=True, capture_output=True)  # fmt: skip
        print("\n".join(side_by_side(Path(work), texts, dict(os.environ), seconds=seconds,
                                     clients=clients)))  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--against-oxigraph", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if args.against_oxigraph:
        return against_oxigraph(args.seconds, args.clients)
    server = start_server(ServeConfig(timeout=args.timeout, workers=args.workers))
    hostile: dict[str, tuple[int, float]] = {}
    try:
        fetch(server.url, "/query/holder-at?date=2021", "text/csv")  # warm up
        attack = threading.Thread(
            target=lambda: hostile.update(
                r=fetch(server.url, "/sparql?query=" + urllib.parse.quote(CROSS), "*/*")
            )
        )
        started = time.perf_counter()
        attack.start()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(
                pool.map(lambda i: fetch(server.url, *MIX[i % len(MIX)]), range(args.requests))
            )
        elapsed = time.perf_counter() - started
        attack.join()
    finally:
        server.stop()
    latencies = sorted(seconds * 1000 for _, seconds in results)
    errors = sum(1 for status, _ in results if status != 200)
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    status, seconds = hostile["r"]
    print(
        f"{args.requests} requests, {args.clients} clients, {args.workers} workers: "
        f"{errors} errors, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"{args.requests / elapsed:.0f} requests/s; cross product: HTTP {status} "
        f"after {seconds:.1f} s (limit {args.timeout:g} s)"
    )
    return 0 if errors == 0 and status == 503 else 1


if __name__ == "__main__":
    raise SystemExit(main())
