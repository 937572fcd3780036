"""HTTP/1.1 over asyncio: the connection pool under the clients aiocognito builds itself.

httpx's default transport (httpcore) costs several times more CPU per request than the rest of
a call, and its pool does work proportional to queued requests times connections each time a
request starts or ends, so it slows down as concurrency grows. This pool does what an AWS JSON
client needs and nothing else: keep-alive connections per origin, a limit on connections, TLS,
connect/read/write/pool timeouts. httptools (llhttp, a default dependency where it has wheels)
parses the answers when installed, h11 otherwise. It needs no httpx, so a
client that does not use httpx does not import it; ``transport.AsyncioTransport`` puts it behind
httpx's transport interface.

Each response is read whole before it is returned (AWS JSON answers are small), so a
connection goes back to the pool as soon as its answer has arrived. What a peer can make us
hold is bounded: the header block (``max_header_bytes``) and the body (``max_body``, checked
against Content-Length at once and while chunks arrive). A connection that had more bytes than
its answer (in the same read, or while idle), or failed in any way, is closed, never reused;
bytes that arrive only after the next request went out cannot be told from its answer, by any
HTTP/1.1 client. Failures are the exceptions below, named after httpx's equivalents.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import re
import ssl
import time
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .config import shared_ssl_context

if TYPE_CHECKING:
    import h11 as _h11

Origin = tuple[str, str, int]
"""Scheme, host, port."""

Timeouts = Mapping[str, float | None]
"""httpx's ``request.extensions["timeout"]``: connect, read, write, pool (seconds or None)."""

_NO_TIMEOUTS: Timeouts = {}
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_HEADER_BYTES = 64 * 1024
"""The largest answer header block accepted (httpcore's is 100 KiB, h11's default 16 KiB)."""
# RFC 3986: what may stay as is in a path and a query; the rest is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


def split_url(url: str) -> tuple[Origin, str, str]:
    """Origin, request target and Host header of an http(s) URL.

    The Host header is what SigV4 signs too: the lower-case host name (IPv6 in brackets),
    with the port only when it is not the scheme's default.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    netloc = f"[{host}]" if ":" in host else host
    if port != _DEFAULT_PORTS[parts.scheme]:
        netloc += f":{port}"
    # Spaces, non-ASCII and control characters are percent-encoded, as httpx does (escapes
    # already there are kept): never sent raw, where they would break the request line.
    target = urllib.parse.quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + urllib.parse.quote(parts.query, safe=_QUERY_SAFE)
    return (parts.scheme, host, port), target, netloc


class Route(NamedTuple):
    """Where one URL goes, as the pool and the signer need it."""

    origin: Origin
    target: bytes
    """The request target (path and query)."""
    host: bytes
    """The Host header (IDNA), which SigV4 signs too."""


@functools.lru_cache(maxsize=256)
def route(url: str) -> Route:
    """``split_url``, encoded, and worked out once per URL for the whole process."""
    origin, target, host = split_url(url)
    return Route(origin, target.encode(), host.encode("idna"))


class HTTPFailure(Exception):
    """No complete answer to a request; the subclasses say why."""

    phase: str | None = None
    """For timeouts: which limit expired (connect, read, write, pool)."""


class ConnectError(HTTPFailure):
    """The connection could not be opened (refused, unreachable, DNS, TLS)."""


class ConnectTimeout(HTTPFailure):
    phase = "connect"


class ReadError(HTTPFailure):
    """The connection failed while the answer was awaited (e.g. reset)."""


class ReadTimeout(HTTPFailure):
    phase = "read"


class WriteTimeout(HTTPFailure):
    phase = "write"


class PoolTimeout(HTTPFailure):
    phase = "pool"


class RemoteProtocolError(HTTPFailure):
    """The peer broke HTTP/1.1: malformed answer, or closed before its end."""


class LocalProtocolError(HTTPFailure):
    """The request could not be written as HTTP/1.1 (e.g. an invalid header value)."""


class ResponseTooLarge(HTTPFailure):
    """The answer went past a limit: its header block or its body."""


_Waiter = asyncio.Future[tuple[int, list[tuple[bytes, bytes]], bytes]]
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
"""Status, headers (names in lower case), body."""


class _Codec:
    """What both parsers keep of the answer being read, and its limits."""

    def __init__(self, max_header_bytes: int) -> None:
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._chunks: list[bytes] = []
        self._body_size = 0
        self._max_body: int | None = None
        self._max_header_bytes = max_header_bytes

    @property
    def answer_started(self) -> bool:
        return self._status != 0

    def _start(self, max_body: int | None) -> None:
        self._status, self._headers, self._chunks = 0, [], []
        self._body_size = 0
        self._max_body = max_body

    def _too_large(self) -> str | None:
        """Why the answer so far is over a limit: a declared or received body too long."""
        limit = self._max_body
        if limit is None:
            return None
        if self._body_size > limit:
            return f"answer body over the limit of {limit} bytes"
        for name, value in self._headers:
            if name == b"content-length" and value.strip().isdigit() and int(value) > limit:
                return f"answer body of {int(value)} bytes, over the limit of {limit} bytes"
        return None


class _H11Codec(_Codec):
    """Requests written and answers read by h11 (pure Python)."""

    name = "h11"

    def __init__(self, max_header_bytes: int = MAX_HEADER_BYTES) -> None:
        global _h11  # imported with the first connection that uses it  # noqa: PLW0603
        import h11 as _h11

        super().__init__(max_header_bytes)
        # h11 buffers at most this much while it waits for a complete event: a header block,
        # or a chunk header; body data goes on as it comes.
        self._conn = _h11.Connection(_h11.CLIENT, max_incomplete_event_size=max_header_bytes)

    def request(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        max_body: int | None = None,
    ) -> bytes:
        conn = self._conn
        self._start(max_body)
        try:
            data = conn.send(_h11.Request(method=method, target=target, headers=headers)) or b""
            if body:
                data += conn.send(_h11.Data(data=body)) or b""
            return data + (conn.send(_h11.EndOfMessage()) or b"")
        except _h11.LocalProtocolError as exc:
            problem = str(exc)
        # h11 quotes an illegal header's value, which may be a session token: name the header
        # as the httptools writer does, outside the handler so h11's error is not the context.
        for name, value in headers:
            if repr(value) in problem or repr(name) in problem:
                raise LocalProtocolError(f"illegal header {name!r}")
        raise LocalProtocolError(problem)

    def feed(self, data: bytes) -> Answer | None:
        """The answer once ``data`` completes it."""
        try:
            self._conn.receive_data(data)
            return self._read_events()
        except _h11.RemoteProtocolError as exc:
            if exc.error_status_hint == 431:  # "Receive buffer too long"
                raise ResponseTooLarge(
                    f"answer header block over the limit of {self._max_header_bytes} bytes"
                ) from None
            raise RemoteProtocolError(str(exc) or "malformed HTTP response") from exc

    def _read_events(self) -> Answer | None:
        conn = self._conn
        while True:
            event = conn.next_event()
            if event is _h11.NEED_DATA or event is _h11.PAUSED:
                return None
            if isinstance(event, _h11.Data):
                self._body_size += len(event.data)
                if self._max_body is not None and self._body_size > self._max_body:
                    raise ResponseTooLarge(self._too_large() or "answer body too large")
                self._chunks.append(bytes(event.data))
            elif isinstance(event, _h11.Response):
                self._status = event.status_code
                self._headers = list(event.headers)
                reason = self._too_large()
                if reason is not None:
                    raise ResponseTooLarge(reason)
            elif isinstance(event, _h11.EndOfMessage):
                return self._status, self._headers, b"".join(self._chunks)
            elif isinstance(event, _h11.ConnectionClosed):
                return None
            # _h11.InformationalResponse (100 Continue): wait for the final answer

    def eof(self) -> Answer | None:
        """The answer, if the end of the connection completes it (no length given)."""
        try:
            return self.feed(b"")
        except RemoteProtocolError:
            return None

    def next_cycle(self) -> bool:
        """After an answer: whether the connection can carry another exchange."""
        conn = self._conn
        if conn.our_state is _h11.DONE and conn.their_state is _h11.DONE:
            if conn.trailing_data[0]:
                return False  # bytes beyond the answer: a stray answer would shift every next one
            conn.start_next_cycle()
            return True
        return False  # "Connection: close", or an answer sent before the request was complete


class _HttptoolsCodec(_Codec):
    """Answers read by httptools (llhttp, in C); requests written here, checked for CR/LF."""

    name = "httptools"

    def __init__(self, max_header_bytes: int = MAX_HEADER_BYTES) -> None:
        super().__init__(max_header_bytes)
        self._parser = _httptools.HttpResponseParser(self)
        self._answer: Answer | None = None
        self._keep_alive = False
        self._head_done = False
        self._head_size = 0
        """Bytes of the header lines parsed so far."""
        self._head_fed = 0
        """Bytes fed while the header block was still incomplete."""
        self._stray = False
        self._over: str | None = None
        """Why the answer went past a limit, found in a callback (raised once it returns)."""

    def request(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        max_body: int | None = None,
    ) -> bytes:
        self._start(max_body)
        self._answer, self._over = None, None
        self._head_done, self._head_size, self._head_fed = False, 0, 0
        lines = [method + b" " + target + b" HTTP/1.1"]
        for name, value in headers:
            # A CR or LF would end the header early and let a value forge others.
            if not name or _UNSAFE.search(name) or _UNSAFE_VALUE.search(value):
                raise LocalProtocolError(f"illegal header {name!r}")
            lines.append(name + b": " + value)
        lines.append(b"")
        lines.append(body)
        return b"\r\n".join(lines)

    # httptools callbacks
    def on_message_begin(self) -> None:
        if self._answer is not None:
            self._stray = True  # a second answer to one request

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._answer is not None:
            return
        self._head_size += len(name) + len(value) + 4
        if self._head_size > self._max_header_bytes:
            self._over = f"answer header block over the limit of {self._max_header_bytes} bytes"
            return
        self._headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        if self._answer is not None:
            return
        self._head_done = True
        self._status = self._parser.get_status_code()
        self._over = self._over or self._too_large()

    def on_body(self, body: bytes) -> None:
        if self._answer is not None or self._over is not None:
            return
        self._body_size += len(body)
        if self._max_body is not None and self._body_size > self._max_body:
            self._over = self._too_large()
            return
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self._answer is not None:
            return
        if self._status < 200:  # 100 Continue and friends: the final answer follows
            self._status, self._headers, self._chunks = 0, [], []
            self._head_done, self._head_size, self._head_fed = False, 0, 0
            return
        self._answer = (self._status, self._headers, b"".join(self._chunks))
        self._keep_alive = bool(self._parser.should_keep_alive())  # reset once this returns

    def feed(self, data: bytes) -> Answer | None:
        try:
            self._parser.feed_data(data)
        except _httptools.HttpParserError as exc:  # HttpParserUpgrade included
            if self._answer is not None:  # garbage after a complete answer
                self._stray = True
                return self._answer
            raise RemoteProtocolError(str(exc) or "malformed HTTP response") from exc
        if self._over is None and not self._head_done:
            # One endless header line never reaches on_header: count what was fed meanwhile.
            self._head_fed += len(data)
            if self._head_fed > self._max_header_bytes:
                self._over = f"answer header block over the limit of {self._max_header_bytes} bytes"
        if self._over is not None:
            raise ResponseTooLarge(self._over)
        return self._answer

    def eof(self) -> Answer | None:
        if self._answer is not None or not self._status:
            return self._answer
        names = {name for name, _ in self._headers}
        if b"content-length" in names or b"transfer-encoding" in names:
            return None  # it said how long it would be: cut short
        return self._status, self._headers, b"".join(self._chunks)

    def next_cycle(self) -> bool:
        return self._answer is not None and self._keep_alive and not self._stray


_UNSAFE = re.compile(rb"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
"""Anything but a token character (RFC 9110) in a header name."""
_UNSAFE_VALUE = re.compile(rb"[\r\n\0]")


def _import_httptools() -> Any:
    try:
        return importlib.import_module("httptools")
    except ImportError:  # pragma: no cover - depends on the environment
        return None


_httptools: Any = _import_httptools()
CODECS: dict[str, type[_H11Codec] | type[_HttptoolsCodec]] = {"h11": _H11Codec}
if _httptools is not None:
    CODECS["httptools"] = _HttptoolsCodec
DEFAULT_CODEC = "httptools" if _httptools is not None else "h11"
"""The fastest installed parser; ``ConnectionPool(parser=...)`` picks another."""


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; one exchange at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, codec: _H11Codec | _HttptoolsCodec) -> None:
        self._loop = loop
        self._codec = codec
        self._transport: asyncio.Transport | None = None
        self._waiter: _Waiter | None = None
        self._reusable = True
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout: float | None = None
        self._write_paused: asyncio.Future[None] | None = None
        self.closed = False
        self.idle_since = 0.0

    # -- asyncio.Protocol --------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            self.close()  # bytes nobody asked for: the connection can no longer be trusted
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = self._loop.call_later(self._read_timeout or 0, self._on_read_timeout)
        try:
            answer = self._codec.feed(data)
        except HTTPFailure as exc:  # malformed, or past a limit
            self._fail(exc)
            return
        if answer is not None:
            self._waiter.set_result(answer)

    def eof_received(self) -> bool:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            answer = self._codec.eof()  # a body delimited by the connection's end is complete
            if answer is not None:
                waiter.set_result(answer)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._transport = None
        if self._write_paused is not None and not self._write_paused.done():
            self._write_paused.set_result(None)
        if self._waiter is None or self._waiter.done():
            return
        error: HTTPFailure
        if exc is not None:
            error = ReadError(str(exc))
            error.__cause__ = exc
        elif self._codec.answer_started:
            error = RemoteProtocolError(
                "peer closed connection without sending complete message body"
            )
        else:
            error = RemoteProtocolError("Server disconnected without sending a response.")
        self._fail(error)

    def pause_writing(self) -> None:
        self._write_paused = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._write_paused is not None and not self._write_paused.done():
            self._write_paused.set_result(None)
        self._write_paused = None

    # -- one exchange ----------------------------------------------------------------------
    def _on_read_timeout(self) -> None:
        self._fail(ReadTimeout("timed out"))

    def _fail(self, error: Exception) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.close()

    async def exchange(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        *,
        timeouts: Timeouts,
        max_body: int | None = None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        transport = self._transport
        if transport is None or self.closed:
            raise RemoteProtocolError("Server disconnected without sending a response.")
        try:
            data = self._codec.request(method, target, headers, body, max_body)
        except LocalProtocolError:
            self.close()
            raise
        self._reusable = False
        waiter: _Waiter = self._loop.create_future()
        self._waiter = waiter
        try:
            transport.write(data)
            if self._write_paused is not None:  # a large body the peer is not reading
                try:
                    async with asyncio.timeout(timeouts.get("write")):
                        await self._write_paused
                except TimeoutError:
                    raise WriteTimeout("timed out") from None
            self._read_timeout = timeouts.get("read")
            if self._read_timeout is not None:
                self._timer = self._loop.call_later(self._read_timeout, self._on_read_timeout)
            result = await waiter
        except BaseException:
            # Cancelled or failed mid-exchange, writing or reading: the stream's state is
            # unknown, so the socket goes now, not when the pool is closed.
            self.close()
            raise
        finally:
            self._waiter = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # retrieved, so asyncio never logs it as lost
            else:
                waiter.cancel()
        self._reusable = self._codec.next_cycle()
        if not self._reusable:
            self.close()
        return result

    @property
    def reusable(self) -> bool:
        return self._reusable and not self.closed

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()


class ConnectionPool:
    """Keep-alive HTTP/1.1 connections on asyncio, per origin, up to ``max_connections``."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
        keepalive_expiry: float = 5.0,
        parser: str | None = None,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> None:
        """Args:
        ssl_context: for https origins; default: one verified context for the process.
        max_connections: connections open at once; further requests wait (pool timeout).
        keepalive_expiry: seconds an idle connection is kept for reuse.
        parser: ``"httptools"`` or ``"h11"``; default: httptools when installed.
        max_header_bytes: the largest answer header block accepted.
        """
        self._codec = CODECS[parser or DEFAULT_CODEC]
        self._max_header_bytes = max_header_bytes
        self._ssl = ssl_context
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[Origin, list[_Connection]] = {}
        self._busy: set[_Connection] = set()
        self._closed = False

    @property
    def connections_in_use(self) -> int:
        """Connections carrying an exchange now (0 when every call has ended)."""
        return len(self._busy)

    @property
    def idle_connections(self) -> int:
        return sum(len(conns) for conns in self._idle.values())

    async def exchange(
        self,
        origin: Origin,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        *,
        timeouts: Timeouts = _NO_TIMEOUTS,
        max_body: int | None = None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Send one request (headers must include Host) and return status, headers and body.

        ``max_body``: the largest answer body accepted, in bytes (``None``: no limit); past it
        the exchange fails with ``ResponseTooLarge`` and the connection is closed.
        """
        if self._closed:
            raise RuntimeError("the connection pool is closed")
        slots = self._slots
        if slots is None:
            slots = self._slots = asyncio.Semaphore(self._max_connections)
        if slots.locked():
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await slots.acquire()
            except TimeoutError:
                raise PoolTimeout("no connection free within the pool timeout") from None
        else:
            await slots.acquire()
        try:
            connection = self._idle_connection(origin) or await self._connect(origin, timeouts)
            self._busy.add(connection)
            try:
                result = await connection.exchange(
                    method, target, headers, body, timeouts=timeouts, max_body=max_body
                )
            finally:
                self._busy.discard(connection)
            if connection.reusable and not self._closed:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, []).append(connection)
            return result
        finally:
            slots.release()

    def _idle_connection(self, origin: Origin) -> _Connection | None:
        connections = self._idle.get(origin)
        if not connections:
            return None
        expired = time.monotonic() - self._keepalive_expiry
        while connections:
            connection = connections.pop()  # the most recently used: the least likely stale
            if connection.reusable and connection.idle_since >= expired:
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin, timeouts: Timeouts) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        tls: Any = None
        if scheme == "https":
            tls = self._ssl or shared_ssl_context()
        connection = _Connection(loop, self._codec(self._max_header_bytes))
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                await loop.create_connection(
                    lambda: connection,
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                )
        except TimeoutError:
            connection.close()
            raise ConnectTimeout("timed out") from None
        except OSError as exc:  # ssl.SSLError included
            connection.close()
            raise ConnectError(str(exc) or type(exc).__name__) from exc
        return connection

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        for connection in list(self._busy):
            connection.close()
