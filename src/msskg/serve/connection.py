"""msskg serve's connections: a guard in front of uvicorn's HTTP protocol, by
composition, that sees the bytes first and reads the requests' framing with
its own parser (httptools, as uvicorn's), so that a slow or hostile client cannot get past a read
deadline, a 64 KiB request head (414 or 431, answered rather than reset), or
:data:`WAITING_PER_CLIENT` connections of one client waiting for a request
(past it, the one waiting longest is closed: slowloris cannot keep out a
request that arrives whole)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar, cast

import httptools

__all__ = ["MAX_HEAD", "SECURITY_HEADERS", "WAITING_PER_CLIENT", "Coalescing", "Guard", "guarded"]

MAX_HEAD = 64 * 1024
WAITING_PER_CLIENT = 32
# The pages need nothing but their own inline style, forms and links back here.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def guarded(protocol: Callable[..., asyncio.Protocol], read_timeout: float) -> type[Guard]:
    """A guard class in front of ``protocol`` (what uvicorn's ``Config.load``
    chose), for one server: its own read deadline and waiting connections."""
    attributes = {"protocol": staticmethod(protocol), "read_timeout": read_timeout, "waiting": {}}
    return type("Guard", (Guard,), attributes)


class Guard(asyncio.Protocol):
    """One connection: the checks on the bytes as they come, then the bytes
    handed to the HTTP protocol behind (:func:`guarded` sets the class's fields)."""

    protocol: ClassVar[Callable[..., asyncio.Protocol]]
    read_timeout: ClassVar[float]
    # Connections waiting for a request, by client address, oldest first: one
    # dict per server, whose event loop runs them all.
    waiting: ClassVar[dict[str, OrderedDict[Guard, None]]]

    def __init__(self, **settings: Any) -> None:
        self.inner = self.protocol(**settings)
        self.parser = httptools.HttpRequestParser(self)
        self.head = b""  # what has come of a request's head not yet whole
        self.in_head = True  # between requests, or in one's head
        self.ended = False  # a request ended in the bytes being read,
        self.begun = False  # and another began after it
        self.following = True  # reading the requests' framing, until it cannot
        self.deadline: asyncio.TimerHandle | None = None
        self.refused = False
        self.client = "-"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport's subclasses: no isinstance
        self.transport = cast(asyncio.Transport, Coalescing(transport))
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if isinstance(peer, tuple) and peer else "-"
        self.inner.connection_made(self.transport)
        self._arrive()

    def _arrive(self) -> None:
        """A request is on its way: start its deadline, and count the connection
        as waiting; past the cap for its client, close the one waiting longest."""
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(self.read_timeout, self.transport.close)
        mine = self.waiting.setdefault(self.client, OrderedDict())
        mine[self] = None
        while len(mine) > WAITING_PER_CLIENT:
            oldest, _ = mine.popitem(last=False)
            oldest.transport.close()

    def _headed(self) -> None:
        mine = self.waiting.get(self.client)
        if mine is not None:
            mine.pop(self, None)
            if not mine:
                del self.waiting[self.client]

    def _arrived(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        self._headed()

    def data_received(self, data: bytes) -> None:
        if self.refused:  # read and drop the rest, so the client sees the answer
            return
        if self.following and not self._follow(data):
            return
        self.inner.data_received(data)

    def _follow(self, data: bytes) -> bool:
        """Read the requests' framing: where each head and each request ends.
        False: the request was refused here (too long a head, or not HTTP/1.1)."""
        if self.in_head:  # a request's head is arriving
            if not self._short(self.head + data):
                return False
            if self.deadline is None:
                self._arrive()
        self.ended = self.begun = False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.following = False  # uvicorn answers the request and reads no more
            self._arrived()
            return True
        except httptools.HttpParserError:
            # A malformed request (a bad length or header line): answered
            # here, with the one line and the headers every answer carries.
            self._refuse(b"400 Bad Request", "the request is not valid HTTP/1.1")
            return False
        if not self.in_head or (self.ended and not self.begun):
            self.head = b""
        elif not self.ended:
            self.head += data
        else:
            # The next request began after one that ended in these bytes (it
            # was pipelined): its head is at most what follows their last blank
            # line (a body may come before it), checked with the next bytes.
            self.head = data[data.rfind(b"\r\n\r\n") + 4 :]
        return True

    def _short(self, pending: bytes) -> bool:
        """Whether the head in ``pending`` is within :data:`MAX_HEAD`; if not,
        it is refused (414 or 431)."""
        if len(pending) <= MAX_HEAD:
            return True
        end = pending.find(b"\r\n\r\n")
        head = pending if end < 0 else pending[:end]
        if len(head) <= MAX_HEAD:
            return True
        long_url = b"\n" not in head[:MAX_HEAD]
        status = b"414 URI Too Long" if long_url else b"431 Request Header Fields Too Large"
        what = "the address" if long_url else "the request's headers"
        self._refuse(status, f"{what} may be at most {MAX_HEAD // 1024} KiB")
        return False

    # The parser's callbacks

    def on_message_begin(self) -> None:
        self.in_head, self.begun = True, True
        if self.deadline is None:  # the next request, pipelined
            self._arrive()

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._headed()

    def on_message_complete(self) -> None:
        self.in_head, self.ended, self.begun = True, True, False
        self._arrived()
        if not self.parser.should_keep_alive():
            self.following = False  # the last request: uvicorn closes after it

    def _refuse(self, status: bytes, message: str) -> None:
        """An answer written directly, and the connection closed after it (the
        rest read and dropped): closed at once, the client still sending would
        see a reset rather than the answer."""
        body = f"Error: {message}\n".encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in SECURITY_HEADERS.items()).encode()
        length = str(len(body)).encode()
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + length + b"\r\nconnection: close\r\n" + extra + b"\r\n" + body
        )
        self.refused = True
        self._arrived()
        if self.transport.can_write_eof():
            self.transport.write_eof()

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._arrived()
        self.inner.connection_lost(exc)


class Coalescing:
    """A transport that sends what is written to it within one turn of the
    event loop (uvicorn writes a response's head, then its body) at the turn's
    end, in one system call and one segment the client reads at once."""

    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(data)

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending or self.transport.is_closing():  # sent already, by a close
            return
        if sum(map(len, pending)) <= 1 << 16:
            self.transport.write(b"".join(pending))
        else:  # a large body: no copy
            for data in pending:
                self.transport.write(data)

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)
