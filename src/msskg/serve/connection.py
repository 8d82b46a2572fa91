"""msskg serve's connections: uvicorn's h11 protocol with what a slow or
hostile client must not get past: a read deadline (a whole request within
``read_timeout`` seconds of connecting or of the previous answer), request
heads of at most 64 KiB (414 or 431, answered rather than reset), and at most
:data:`WAITING_PER_CLIENT` connections per client address waiting to send a
request: past it, the one waiting longest is closed, so that a client
trickling headers on many connections (slowloris) cannot keep out a request
that arrives whole."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["MAX_HEAD", "SECURITY_HEADERS", "WAITING_PER_CLIENT", "Protocol"]

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


class Protocol(H11Protocol):
    """uvicorn's h11 protocol with a read deadline: from connecting, and from
    each answer, a client has ``read_timeout`` seconds to send a whole request,
    else the connection is closed. (uvicorn's own keep-alive timer starts only
    after a first answer, and stops at the first byte of the next request.)"""

    read_timeout = 10.0
    # Connections waiting for a request, by client address, oldest first: one
    # dict per server (start_server makes a subclass), whose event loop runs them all.
    waiting: ClassVar[dict[str, OrderedDict[Protocol, None]]] = {}

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False
        peer = transport.get_extra_info("peername")
        self._client = str(peer[0]) if isinstance(peer, tuple) and peer else "-"
        self._arm()
        self._wait()

    def _wait(self) -> None:
        """Count this connection as waiting for a request; past the cap for its
        client, close the one of them waiting longest."""
        mine = self.waiting.setdefault(self._client, OrderedDict())
        mine[self] = None
        while len(mine) > WAITING_PER_CLIENT:
            oldest, _ = mine.popitem(last=False)
            if not oldest.transport.is_closing():
                oldest.transport.close()

    def _served(self) -> None:
        mine = self.waiting.get(self._client)
        if mine is not None:
            mine.pop(self, None)
            if not mine:
                del self.waiting[self._client]

    def data_received(self, data: bytes) -> None:
        import h11

        if self._refused:  # read and drop the rest, so the client sees the answer
            return
        if self.conn.their_state is h11.IDLE:  # a request's head is arriving
            pending = self.conn.trailing_data[0] + data
            end = pending.find(b"\r\n\r\n")
            head = pending if end < 0 else pending[:end]
            if len(head) > MAX_HEAD:
                self._refuse_head(b"\n" not in head[:MAX_HEAD])
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # a request came: no longer waiting
            self._served()

    def _refuse_head(self, long_url: bool) -> None:
        """414 (or 431 for long headers) written directly: h11 would only
        close the connection on the client while it is still sending."""
        status = b"414 URI Too Long" if long_url else b"431 Request Header Fields Too Large"
        what = "the address" if long_url else "the request's headers"
        body = f"Error: {what} may be at most {MAX_HEAD // 1024} KiB\n".encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in SECURITY_HEADERS.items()).encode()
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n"
            + extra
            + b"\r\n"
            + body
        )
        self._refused = True
        if self.transport.can_write_eof():
            self.transport.write_eof()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot read (a malformed length,
        a bad header line), with msskg's one line and the headers every answer
        carries."""
        import h11

        body = b"Error: the request is not valid HTTP/1.1\n"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        headers += [(b"content-length", str(len(body)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        self.transport.close()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self.read_timeout, self._expire)

    def _expire(self) -> None:
        import h11

        waiting = self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
        if waiting and not self.transport.is_closing():
            self.transport.close()
        self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()
            self._wait()  # kept alive: waiting for the next request

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._served()
        super().connection_lost(exc)
