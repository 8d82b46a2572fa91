"""Load on msskg serve over loopback: REQUESTS requests from CLIENTS concurrent
clients (a mix of saved queries, ad-hoc SPARQL in each results format, describe
pages), while one hostile client sends a huge cross product that must hit the
time limit. Stops by itself; prints p50/p99 latency and the error count, and
exits 1 on any error.

    .venv/bin/python bench/load_serve.py [--requests 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from msskg.serve.protocol import ServeConfig
from msskg.serve.server import start_server

POSTS = (
    "SELECT ?p ?label WHERE { ?p a <http://www.w3.org/ns/org#Post> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
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
