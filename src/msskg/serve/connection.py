"""msskg serve's connections: a guard in front of uvicorn's HTTP protocol, by
composition, that sees the bytes first and reads the requests' framing with
its own h11 connection, so that a slow or hostile client cannot get past a read
deadline, a 64 KiB request head (414 or 431, answered rather than reset), or
:data:`WAITING_PER_CLIENT` connections of one client waiting for a request
(past it, the one waiting longest is closed: slowloris cannot keep out a
request that arrives whole)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar

import h11

__all__ = ["MAX_HEAD", "SECURITY_HEADERS", "WAITING_PER_CLIENT", "Guard", "guarded"]

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


def _reader() -> h11.Connection:
    # No size limit of h11's own: the guard checks the head's length itself.
    return h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 62)


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
        self.requests = _reader()
        self.deadline: asyncio.TimerHandle | None = None
        self.refused = False
        self.client = "-"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if isinstance(peer, tuple) and peer else "-"
        self.inner.connection_made(transport)
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
        if self.requests.their_state is h11.IDLE:  # a request's head is arriving
            pending = self.requests.trailing_data[0] + data
            end = pending.find(b"\r\n\r\n")
            head = pending if end < 0 else pending[:end]
            if len(head) > MAX_HEAD:
                long_url = b"\n" not in head[:MAX_HEAD]
                status = b"414 URI Too Long" if long_url else b"431 Request Header Fields Too Large"
                what = "the address" if long_url else "the request's headers"
                self._refuse(status, f"{what} may be at most {MAX_HEAD // 1024} KiB")
                return
            if self.deadline is None and pending:
                self._arrive()
        if not self._follow(data):
            return
        self.inner.data_received(data)

    def _follow(self, data: bytes) -> bool:
        """Read the requests' framing: where each head and each request ends.
        False: the request is not HTTP/1.1 and has been answered here."""
        try:
            self.requests.receive_data(data)
            while True:
                event = self.requests.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    return True
                if isinstance(event, h11.Request):
                    self._headed()
                elif isinstance(event, h11.EndOfMessage):
                    self._arrived()
                    # A fresh reader for the next request: h11's own would wait
                    # for this one's answer, and making a stand-in costs more.
                    rest = self.requests.trailing_data[0]
                    self.requests = _reader()
                    if rest:  # the next request, pipelined
                        self.requests.receive_data(bytes(rest))
                        self._arrive()
        except h11.RemoteProtocolError:
            # A malformed request (a bad length or header line): answered
            # here, with the one line and the headers every answer carries.
            self._refuse(b"400 Bad Request", "the request is not valid HTTP/1.1")
            return False
        return True

    def _refuse(self, status: bytes, message: str) -> None:
        """An answer written directly, and the connection closed after it: for
        a head too long, h11 would only close the connection on the client
        while it is still sending."""
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
