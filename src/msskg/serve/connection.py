"""msskg serve's connections: a guard in front of uvicorn's HTTP protocol, by
composition, that sees the bytes first and reads the requests' framing with
its own parser (httptools, as uvicorn's), so that a slow or hostile client
cannot get past a read deadline, a 64 KiB request head (414 or 431, answered
rather than reset, pipelined or not), or :data:`WAITING_PER_CLIENT`
connections of one client waiting for a request (past it, the one waiting
longest is closed: slowloris cannot keep out a request that arrives whole).
A refused connection is closed :data:`GRACE` seconds after its answer, which
follows the answers to the requests before it; an ``Upgrade`` never turns
the guard off (msskg answers in HTTP/1.1 only)."""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar, cast

import httptools

__all__ = ["MAX_HEAD", "SECURITY_HEADERS", "WAITING_PER_CLIENT", "Coalescing", "Guard", "guarded"]

MAX_HEAD = 64 * 1024
WAITING_PER_CLIENT = 32
GRACE = 2.0  # seconds a refused client has to read the answer before the close
NOT_HTTP = "the request is not valid HTTP/1.1"
_BLANK = b"\r\n\r\n"  # the end of a head
_UPGRADE = re.compile(rb"\r\nupgrade:", re.IGNORECASE)
# The pages need nothing but their own inline style, forms and links back here.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def guarded(
    protocol: Callable[..., asyncio.Protocol], read_timeout: float, unread_budget: int
) -> type[Guard]:
    """A guard class in front of ``protocol`` (what uvicorn's ``Config.load``
    chose), for one server: its own read deadline, waiting connections, and
    ``unread_budget``: the bytes of answers it holds for clients that do not
    read them (past it, such a connection is cut)."""
    attributes = {
        "protocol": staticmethod(protocol),
        "read_timeout": read_timeout,
        "waiting": {},
        "unread_budget": unread_budget,
        "unread": [0],
    }
    return type("Guard", (Guard,), attributes)


class _HeadTooLong(Exception):
    """Raised in the parser's callbacks to stop it at a head over :data:`MAX_HEAD`."""


class Guard(asyncio.Protocol):
    """One connection: the checks on the bytes as they come, then the bytes
    handed to the HTTP protocol behind (:func:`guarded` sets the class's fields).

    The bytes read are parsed in pieces that end at each blank line, so that
    where every request ends is known (a head, or a chunked body, ends at a
    blank line; a body of a given length that far past its head): a bad
    request then costs neither the answers to the requests before it, which
    the protocol behind is given and writes first, nor the guard's view of
    the rest (an upgrade ends a request, and msskg never switches protocols)."""

    protocol: ClassVar[Callable[..., asyncio.Protocol]]
    read_timeout: ClassVar[float]
    # Connections waiting for a request, by client address, oldest first: one
    # dict per server, whose event loop runs them all.
    waiting: ClassVar[dict[str, OrderedDict[Guard, None]]]
    # Answers are written whole, and what a client does not read stays in this
    # process: the bytes so held by all connections, and how many may be.
    unread_budget: ClassVar[int]
    unread: ClassVar[list[int]]

    def __init__(self, **settings: Any) -> None:
        self.inner = self.protocol(**settings)
        self.parser = httptools.HttpRequestParser(self)
        self.head = b""  # what has come of a request's head not yet whole
        self.in_head = True  # between requests, or in one's head
        self.size = 0  # of the head being parsed: its address and header lines
        self.length: int | None = None  # its Content-Length
        # Offsets in the connection's bytes: of the bytes being read, of the
        # last head's end and of the last request's end; the piece being
        # parsed ends at ``piece_end`` in the bytes read.
        self.offset = self.head_end = self.last_end = self.piece_end = self.start = 0
        self.tail = b""  # the last bytes read: a blank line may straddle two reads
        self.completed = self.answered = 0  # requests handed on whole; answered
        self.refusal: tuple[bytes, str] | None = None  # a head found too long
        self.owed: bytes | None = None  # a refusal's answer, until its turn
        self.deadline: asyncio.TimerHandle | None = None
        self.refused = False
        self.client = "-"
        self.held = 0  # bytes of this connection's answers its client has not read
        # uvicorn calls this when it has written an answer whole: a refusal is
        # written after the answers to every request before it.
        done = getattr(self.inner, "on_response_complete", None)
        self.done: Callable[[], None] | None = done if callable(done) else None
        if self.done is not None:
            cast(Any, self.inner).on_response_complete = self._answered

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport's subclasses: no isinstance
        self.transport = cast(asyncio.Transport, Coalescing(transport))
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if isinstance(peer, tuple) and peer else "-"
        self.inner.connection_made(self.transport)
        self._arrive()

    def _arrive(self) -> None:
        """A request is on its way: start its deadline, and count the connection."""
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(self.read_timeout, self.transport.close)
        self._count()

    def _count(self) -> None:
        """Count the connection as waiting; past the cap for its client, close
        the one waiting longest."""
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
        self._no_deadline()
        self._headed()

    def _no_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def data_received(self, data: bytes) -> None:
        if self.refused:  # read and drop the rest, so the client sees the answer
            return
        if self.in_head:  # a request's head is arriving
            refusal = self._too_long(self.head + data)
            if refusal is not None:
                self._refuse(*refusal)
                return
            if self.deadline is None:
                self._arrive()
        self._follow(data)

    def _follow(self, data: bytes) -> None:
        """Parse ``data`` piece by piece, and hand it to the protocol behind;
        only the requests before a bad one, which is refused here."""
        view = memoryview(data)
        at = handed = 0  # where the parser is; up to where the bytes were handed on
        probe = self.tail + data[:3]
        end = probe.find(_BLANK) + 4 - len(self.tail) if _BLANK in probe else 0
        try:
            while at < len(data):
                if end <= at:
                    found = data.find(_BLANK, at)
                    end = len(data) if found < 0 else found + 4
                self.piece_end = end
                try:
                    self.parser.feed_data(view[at:end])
                except httptools.HttpParserUpgrade as upgrade:
                    end = at + int(upgrade.args[0])
                    handed = self._upgraded(data, handed, end)
                at = end
        except httptools.HttpParserError:
            # A malformed request (a bad length or header line), or a head too
            # long: answered here, with the one line and the headers every
            # answer carries, once the requests before it are answered.
            cut = max(self.last_end - self.offset, handed)
            if cut > handed:
                self.inner.data_received(data[handed:cut])
            self._refuse(*(self.refusal or (b"400 Bad Request", NOT_HTTP)))
            return
        if handed < len(data):
            self.inner.data_received(data[handed:] if handed else data)
        began, self.offset = self.offset, self.offset + len(data)
        self.tail = (self.tail + data)[-3:] if len(data) < 3 else data[-3:]
        if not self.in_head:
            self.head = b""
        elif self.last_end > began:  # the next request began after one that ended here
            self.head = data[self.last_end - began :]
        else:
            self.head += data

    def _upgraded(self, data: bytes, handed: int, end: int) -> int:
        """A request asking for another protocol has ended at ``end``, with
        its head (llhttp leaves a body to the new protocol). msskg never
        switches: the request is given on with its Upgrade header renamed
        (``Ignored``) and parsed again so, and uvicorn answers it in HTTP/1.1,
        body and all; both parsers read on in HTTP/1.1. Only a head begun in
        an earlier read (rare) went on as it came: uvicorn then answers the
        request without its body, and is given the rest apart (its parser
        drops what follows an upgrade). Returns up to where the bytes were
        handed on."""
        tunnel = self.parser.get_method() == b"CONNECT"  # an upgrade without the header
        self.parser = httptools.HttpRequestParser(self)
        start = self.start - self.offset  # where its head began, at the earliest
        # A name as long: the head's size is the same.
        head, renamed = _UPGRADE.subn(b"\r\nIgnored:", data[max(start, 0) : end])
        if start < handed or not renamed or tunnel:
            self.last_end = self.offset + end
            self.inner.data_received(data[handed:end])
            return end
        self.inner.data_received(data[handed:start] + head)
        self.completed -= 1  # it ends again, in the new parser
        self.last_end, self.piece_end = self.start, end
        self.parser.feed_data(head)
        return end

    @staticmethod
    def _too_long(pending: bytes) -> tuple[bytes, str] | None:
        """The refusal (414 or 431) of the head in ``pending``, if it is over
        :data:`MAX_HEAD`: a head arriving over several reads, which the parser
        keeps without a callback."""
        if len(pending) <= MAX_HEAD:
            return None
        end = pending.find(_BLANK)
        head = pending if end < 0 else pending[:end]
        if len(head) <= MAX_HEAD:
            return None
        return _over(long_url=b"\n" not in head[:MAX_HEAD])

    # The parser's callbacks: where each request's head and body end, and its
    # head's size (a whole head may come in one read with others).

    def on_message_begin(self) -> None:
        self.in_head = True
        self.start = self.last_end
        self.size, self.length = 0, None
        if self.deadline is None:  # the next request, pipelined
            self._arrive()

    def on_url(self, url: bytes) -> None:
        self.size += len(url)
        if self.size > MAX_HEAD:
            self.refusal = _over(long_url=True)
            raise _HeadTooLong

    def on_header(self, name: bytes, value: bytes) -> None:
        self.size += len(name) + len(value) + 4
        if self.size > MAX_HEAD:
            self.refusal = _over(long_url=False)
            raise _HeadTooLong
        if self.in_head and len(name) == 14 and name.lower() == b"content-length":
            self.length = int(value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.head_end = self.offset + self.piece_end
        self._headed()

    def on_message_complete(self) -> None:
        self.in_head = True
        self.completed += 1
        # A chunked body ends at a blank line, as a head does.
        ended = self.offset + self.piece_end
        self.last_end = ended if self.length is None else self.head_end + self.length
        self._arrived()

    def _refuse(self, status: bytes, message: str) -> None:
        """Refuse the request: read and drop the rest, write the answer after
        those to the requests before it, and close the connection a little
        after (closed at once, the client still sending would see a reset
        rather than the answer); counted as waiting until it is closed."""
        body = f"Error: {message}\n".encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in SECURITY_HEADERS.items()).encode()
        length = str(len(body)).encode()
        self.owed = (
            b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + length + b"\r\nconnection: close\r\n" + extra + b"\r\n" + body
        )
        self.refused = True
        self._no_deadline()
        self._count()
        if self.done is None or self.answered >= self.completed:
            self._answer()

    def _answer(self) -> None:
        answer, self.owed = self.owed, None
        if answer is None or self.transport.is_closing():
            return
        self.transport.write(answer)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(min(self.read_timeout, GRACE), self.transport.close)

    def _answered(self) -> None:
        """uvicorn's own callback, then the refusal if its turn has come."""
        assert self.done is not None
        self.done()
        self.answered += 1
        if self.owed is not None and self.answered >= self.completed:
            self._answer()

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        """The client reads slower than its answers come: past the budget
        held for all such clients, this one is cut, so that clients that
        do not read cannot take the server over its memory limit."""
        self.held = self.transport.get_write_buffer_size()
        self.unread[0] += self.held
        if self.unread[0] > self.unread_budget:
            self._release()
            self.transport.abort()
            return
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self._release()
        self.inner.resume_writing()

    def _release(self) -> None:
        self.unread[0] -= self.held
        self.held = 0

    def connection_lost(self, exc: Exception | None) -> None:
        self._release()
        self._arrived()
        self.inner.connection_lost(exc)


def _over(*, long_url: bool) -> tuple[bytes, str]:
    status = b"414 URI Too Long" if long_url else b"431 Request Header Fields Too Large"
    what = "the address" if long_url else "the request's headers"
    return status, f"{what} may be at most {MAX_HEAD // 1024} KiB"


class Coalescing:
    """A transport that sends what is written to it within one turn of the
    event loop (uvicorn writes a response's head, then its body) at the turn's
    end, in one system call and one segment the client reads at once."""

    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.pending: list[bytes] = []
        self.ended = False  # by write_eof: nothing may follow

    def write(self, data: bytes) -> None:
        if self.ended:
            return
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(data)

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending or self.ended or self.transport.is_closing():  # sent already
            return
        if sum(map(len, pending)) <= 1 << 16:
            self.transport.write(b"".join(pending))
        else:  # a large body: no copy
            for data in pending:
                self.transport.write(data)

    def write_eof(self) -> None:
        self.flush()
        self.ended = True
        self.transport.write_eof()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)
