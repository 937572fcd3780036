"""A small misbehaving HTTP/1.1 server on 127.0.0.1, for the fault-injection suite.

A real socket server (asyncio streams, on its own event loop in a background thread), so the
client's whole stack runs as in production: httpx, httpcore's pool, h11, the kernel's sockets.
Nothing is mocked.

Each request takes the next action of the script (``server.script(...)``), or the default
action when the script is empty. Actions are small objects with an ``async run(ctx)`` that
answers (or misbehaves) and tells whether the connection may serve another request.

The server counts what a test asserts on: every request (with its headers and body),
connections accepted, and connections still open. ``wait_all_closed()`` waits until every
connection the client opened was closed (by either side), which is how the suite shows that
nothing was left open.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
import socket
import struct
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/x-amz-json-1.1"


@dataclass
class Request:
    """What the server saw of one request."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: int

    @property
    def target(self) -> str:
        return self.headers.get("x-amz-target", "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Context:
    """One request on one connection, handed to an action."""

    server: FaultServer
    request: Request
    number: int  # 1-based, over the server's lifetime
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def head(
        self,
        status: int,
        *,
        content_type: str | None = JSON_TYPE,
        length: int | None,
        headers: dict[str, str] | None = None,
    ) -> bytes:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Whatever')}"]
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        if length is not None:
            lines.append(f"Content-Length: {length}")
        lines.append(f"x-amzn-RequestId: req-{self.number}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    def reset(self) -> None:
        """Abort with an RST: SO_LINGER on with a zero timeout, then close."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


REASONS = {
    200: "OK",
    400: "Bad Request",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class Action:
    """Answers one request; returns whether the connection may be kept alive."""

    async def run(self, ctx: Context) -> bool:
        raise NotImplementedError


@dataclass
class Reply(Action):
    """A complete, well-formed HTTP answer (whatever its status and body)."""

    status: int = 200
    body: bytes = b"{}"
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    keep_alive: bool = True
    """False: close the connection right after answering, without saying so beforehand."""

    async def run(self, ctx: Context) -> bool:
        await ctx.send(
            ctx.head(
                self.status,
                content_type=self.content_type,
                length=len(self.body),
                headers=self.headers,
            )
            + self.body
        )
        return self.keep_alive


def ok(data: Any = None) -> Reply:
    """A 200 with a JSON object (``{}`` by default)."""
    return Reply(200, json.dumps({} if data is None else data).encode())


def error(status: int, code: str, message: str = "") -> Reply:
    """An awsJson error: ``__type`` and ``message`` in the body."""
    return Reply(status, json.dumps({"__type": code, "message": message}).encode())


def status(code: int) -> Reply:
    """A bare status with an empty body and no content type (what a proxy often sends)."""
    return Reply(code, b"", content_type=None)


HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title>"
    b"<style>body{color:red}</style></head>"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>"
)


def html(code: int = 502, page: bytes = HTML_PAGE) -> Reply:
    return Reply(code, page, content_type="text/html; charset=utf-8")


@dataclass
class CutBody(Action):
    """Headers announce ``length`` bytes; only ``body`` is sent, then the connection closes."""

    status: int = 200
    body: bytes = b'{"AuthenticationResult": {"AccessToken": "ey'
    length: int = 200

    async def run(self, ctx: Context) -> bool:
        await ctx.send(ctx.head(self.status, length=self.length) + self.body)
        return False


@dataclass
class EchoInHeader(Action):
    """A status line, then a malformed header line (no colon) that repeats the request body,
    passwords included, padded to ``size`` bytes: parsers quote such a line in their error."""

    size: int = 60_000

    async def run(self, ctx: Context) -> bool:
        line = b"X-Echo " + ctx.request.body
        line += b"e" * max(0, self.size - len(line))
        await ctx.send(b"HTTP/1.1 200 OK\r\n" + line + b"\r\nContent-Length: 2\r\n\r\n{}")
        return False


@dataclass
class CloseNow(Action):
    """Close the connection after reading the request, before any byte of an answer."""

    async def run(self, ctx: Context) -> bool:
        return False


@dataclass
class Reset(Action):
    """Reset the connection (RST), optionally after sending some bytes of the answer."""

    after: bytes = b""

    async def run(self, ctx: Context) -> bool:
        if self.after:
            await ctx.send(self.after)
            await asyncio.sleep(0.01)  # let the bytes leave before the RST overtakes them
        ctx.reset()
        return False


@dataclass
class Stall(Action):
    """Never answer: wait until the client gives up and closes (or the server stops)."""

    seconds: float | None = None
    then: Action | None = None

    async def run(self, ctx: Context) -> bool:
        try:
            # Reading returns at EOF, when the client closes its end.
            await asyncio.wait_for(ctx.reader.read(), self.seconds)
        except TimeoutError:
            if self.then is not None:
                return await self.then.run(ctx)
        return False


@dataclass
class Huge(Action):
    """A body of ``size`` bytes, sent in chunks: a JSON object (200) or HTML (errors)."""

    status: int = 200
    size: int = 20 * 1024 * 1024

    async def run(self, ctx: Context) -> bool:
        if self.status < 300:
            prefix, suffix, content_type = b'{"Session": "', b'"}', JSON_TYPE
        else:
            prefix, suffix, content_type = b"<html><body><p>", b"</p></body></html>", "text/html"
        filler = self.size - len(prefix) - len(suffix)
        await ctx.send(ctx.head(self.status, content_type=content_type, length=self.size) + prefix)
        chunk = b"x" * (1024 * 1024)
        while filler > 0:
            await ctx.send(chunk[: min(filler, len(chunk))])
            filler -= len(chunk)
        await ctx.send(suffix)
        return True


@dataclass
class EndlessBody(Action):
    """A chunked 200 whose body never ends: ``chunk`` bytes at a time, ``every`` seconds apart
    (0: as fast as the client reads)."""

    chunk: int = 1 << 20
    every: float = 0.0

    async def run(self, ctx: Context) -> bool:
        await ctx.send(ctx.head(200, length=None, headers={"Transfer-Encoding": "chunked"}))
        data = b"x" * self.chunk
        frame = b"%x\r\n%s\r\n" % (len(data), data)
        while True:  # until the client hangs up (ConnectionError ends the handler)
            await ctx.send(frame)
            if self.every:
                await asyncio.sleep(self.every)


@dataclass
class HugeHeaders(Action):
    """A status line, then header lines without end."""

    async def run(self, ctx: Context) -> bool:
        await ctx.send(b"HTTP/1.1 200 OK\r\n")
        block = (b"X-Filler: " + b"h" * 1000 + b"\r\n") * 64
        while True:
            await ctx.send(block)


@functools.cache
def gzip_bomb(size: int = 1 << 30) -> bytes:
    """A valid gzip stream of about ``size / 1000`` bytes that decodes to ``size`` zero bytes.

    One deflate block for 1 MiB of zeros, closed with a full flush so that it refers to
    nothing before it, repeated: compressing the whole gibibyte would take seconds.
    """
    unit = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(unit)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)
    crc = 0
    zeros = bytes(unit)
    for _ in range(size // unit):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + block * (size // unit) + end + struct.pack("<II", crc, size & 0xFFFFFFFF)


@dataclass
class GzipBomb(Action):
    """A 200 labelled ``Content-Encoding: gzip`` (never asked for) that decodes to 1 GiB."""

    body: bytes = field(default_factory=gzip_bomb)  # built before the request, not during it

    async def run(self, ctx: Context) -> bool:
        body = self.body
        headers = {"Content-Encoding": "gzip"}
        await ctx.send(ctx.head(200, length=len(body), headers=headers) + body)
        return True


@dataclass
class StrayAnswer(Action):
    """A complete 200 followed, in the same write, by a second answer nobody asked for.

    In one write, so both reach the client together: a stray answer that arrives only after
    the next request went out cannot be told from that request's answer (HTTP/1.1 has no
    request ids), by any client.
    """

    data: Any = None
    stray: bytes = b'{"Session": "STRAY"}'

    async def run(self, ctx: Context) -> bool:
        body = json.dumps({} if self.data is None else self.data).encode()
        first = ctx.head(200, length=len(body)) + body
        await ctx.send(first + ctx.head(200, length=len(self.stray)) + self.stray)
        return True


@dataclass
class RandomFailures(Action):
    """Fail ``rate`` of the requests with ``failure`` (a 503 by default), seeded."""

    rate: float = 0.3
    seed: int = 6
    failure: Action = field(default_factory=lambda: status(503))
    success: Action = field(default_factory=ok)
    failed: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def run(self, ctx: Context) -> bool:
        if self._random.random() < self.rate:
            self.failed += 1
            return await self.failure.run(ctx)
        return await self.success.run(ctx)


@dataclass
class RateLimited(Action):
    """A service quota: ``rate`` requests per second, in bursts of at most ``burst``; above
    it, ``400 TooManyRequestsException`` (Cognito's answer to a caller over its quota)."""

    rate: float = 100.0
    burst: float = 10.0
    allowed: int = 0
    throttled: int = 0

    def __post_init__(self) -> None:
        self._tokens = self.burst
        self._last = time.monotonic()

    async def run(self, ctx: Context) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            self.allowed += 1
            return await ok().run(ctx)
        self.throttled += 1
        return await error(400, "TooManyRequestsException", "Rate exceeded").run(ctx)


class FaultServer:
    """Start with ``start()`` (or as a context manager); ``url`` is where to send requests."""

    def __init__(self) -> None:
        self.default: Action = ok()
        self.requests: list[Request] = []
        self.accepted = 0
        self.open = 0
        self._script: deque[Action] = deque()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.url = ""

    # -- scripting -------------------------------------------------------------------------
    def script(self, *actions: Action, then: Action | None = None) -> None:
        """The next requests get ``actions`` in order, then ``then`` (default: a 200 ``{}``)."""
        with self._lock:
            self._script = deque(actions)
            if then is not None:
                self.default = then

    def _next(self) -> Action:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    @property
    def count(self) -> int:
        return len(self.requests)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FaultServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        port = future.result(timeout=5)
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._handlers):
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def wait_all_closed(self, timeout: float = 3.0) -> None:
        """Wait (from the test's loop) until no connection is open; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.open:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.open} connection(s) still open on the server")
            await asyncio.sleep(0.005)

    # -- serving ---------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        with self._lock:
            self.accepted += 1
            self.open += 1
            connection = self.accepted
        try:
            while True:
                request = await _read_request(reader, connection)
                if request is None:
                    break
                with self._lock:
                    self.requests.append(request)
                    number = len(self.requests)
                ctx = Context(self, request, number, reader, writer)
                if not await self._next().run(ctx):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            # Also when the server stops and cancels this task: a stopping server must not
            # complain about the connections it closes.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                writer.close()
                await writer.wait_closed()
            with self._lock:
                self.open -= 1
            self._handlers.discard(task)


async def _read_request(reader: asyncio.StreamReader, connection: int) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # the client closed the connection between requests
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Request(method, path, headers, body, connection)


class DeafServer:
    """Accepts connections and never reads from them: a request body larger than the socket
    buffers leaves the client waiting on write backpressure. On the test's own loop."""

    def __init__(self) -> None:
        self.accepted: list[socket.socket] = []
        self.url = ""
        self._listener = socket.socket()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> DeafServer:
        listener = self._listener
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        self._task = asyncio.create_task(self._accept())
        return self

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(self._listener)
            conn.setblocking(False)
            self.accepted.append(conn)

    def receiving(self) -> bool:
        """Whether a request has begun to arrive (peeked, not read): from then on, the client
        waits on write backpressure for the rest of a body larger than the socket buffers."""
        for conn in self.accepted:
            try:
                if conn.recv(1, socket.MSG_PEEK):
                    return True
            except OSError:  # BlockingIOError included: nothing yet
                pass
        return False

    def open(self) -> int:
        """Connections the client has not closed (drains what it sent to tell)."""
        still = 0
        for conn in self.accepted:
            try:
                while conn.recv(1 << 20):
                    pass
            except BlockingIOError:
                still += 1
            except OSError:
                pass
        return still

    async def wait_all_closed(self, timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.accepted or self.open():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.open()} connection(s) still open on the server")
            await asyncio.sleep(0.01)

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for conn in self.accepted:
            conn.close()
        self._listener.close()
