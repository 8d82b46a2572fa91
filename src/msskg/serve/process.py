"""A query worker process of msskg serve: the graph open, it reads jobs from
its socket and writes each reply back, in order, in the framing of
:class:`multiprocessing.connection.Connection` (:mod:`msskg.serve.workers`
reads them on the server's event loop)."""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import struct
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection

from msskg.errors import MsskgError
from msskg.query.limits import Limits, resident_bytes, within
from msskg.serve.protocol import CONTENT_TYPES, Reply, ServeConfig, plain

__all__ = ["BLOAT", "SHORT", "Replies", "worker_main"]

# A worker holding this much more than its resting memory is replaced: the
# allocator keeps what a heavy query (a large DISTINCT or sort) took, while a
# light query leaves far less than this behind.
BLOAT = 32 << 20
SHORT = 0.0005  # CPU seconds: writing BLOAT bytes takes several milliseconds


def worker_main(conn: Connection, config: ServeConfig) -> None:
    from msskg.graph.store import open_store

    with within(Limits(memory=config.memory_limit), say=False):  # the pool says why it ended
        try:
            graph = open_store(data=config.data, store=config.store)
        except MsskgError as err:
            conn.send(("failed", str(err)))
            return
        resting = resident_bytes() or 0  # the graph open, before the pages' code is read
        from msskg.serve.endpoint import run_job

        conn.send(("ready", resting))
        # From here on the socket itself, in Connection's framing: a buffered
        # read takes a job in one system call, where Connection makes two.
        sock = socket.socket(fileno=os.dup(conn.fileno()))
        conn.close()
        incoming = sock.makefile("rb")
        while True:
            try:
                header = incoming.read(4)
                job = pickle.loads(incoming.read(struct.unpack("!i", header)[0]))
            except (struct.error, EOFError, pickle.UnpicklingError, OSError):
                return  # the server has gone
            started = time.thread_time()  # CPU: other processes on the cores change no job's cost
            try:
                reply = run_job(graph, job, config)
            except MsskgError as err:
                reply = (400, CONTENT_TYPES["text"], f"Error: {err}\n".encode())
            except Exception:
                # The traceback goes to the server's log, never to the client.
                traceback.print_exc(file=sys.stderr)
                reply = plain(500, "Error: the server failed on this request (see its log)\n")
            # Whether this worker now holds so much more memory than when it was
            # new that it should be replaced (an allocator keeps what a heavy
            # query took). A job that left BLOAT more behind has written it,
            # which takes far longer than SHORT: only then is /proc read.
            took = time.thread_time() - started
            used = None if took < SHORT else resident_bytes()
            _send(sock, (reply, used is not None and used > resting + BLOAT, took))


def _send(sock: socket.socket, answer: tuple[Reply, bool, float]) -> None:
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    size = len(data)
    header = struct.pack("!i", size) if size < 1 << 31 else struct.pack("!iQ", -1, size)
    if size <= 1 << 16:
        sock.sendall(header + data)
    else:  # no copy of a large answer
        sock.sendall(header)
        sock.sendall(data)


class Replies(asyncio.Protocol):
    """The server's side of a worker's socket, on its event loop: the replies
    read as they come (:func:`_send` writes them), each handed to
    ``answered`` with whether the worker should be retired and the seconds
    the job took it; ``lost`` when the socket closes."""

    def __init__(
        self, answered: Callable[[Reply, bool, float], None], lost: Callable[[], None]
    ) -> None:
        self.answered, self.lost = answered, lost
        self.chunks: list[bytes] = []  # a reply's bytes, until it is whole
        self.held = 0
        self.needed = 4

    def data_received(self, data: bytes) -> None:
        if self.chunks:
            self.chunks.append(data)
            self.held += len(data)
            if self.held < self.needed:
                return
            data = b"".join(self.chunks)
        at, view = 0, memoryview(data)
        while True:
            needed = 4
            if len(data) - at >= 4:
                (size,) = struct.unpack_from("!i", data, at)
                head = 4
                if size == -1:  # a reply of 2 GiB or more
                    head = needed = 12
                    if len(data) - at >= 12:
                        (size,) = struct.unpack_from("!Q", data, at + 4)
                if len(data) - at >= head:
                    needed = head + size
            if len(data) - at < needed:
                break
            reply, retire, took = pickle.loads(view[at + head : at + needed])
            at += needed
            self.answered(reply, retire, took)
        self.chunks = [data[at:]] if at < len(data) else []
        self.held, self.needed = len(data) - at, needed

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost()
