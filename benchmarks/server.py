"""A fast local Cognito stand-in for the benchmark: canned answers by ``X-Amz-Target``.

HTTP/1.1 on 127.0.0.1 at the asyncio ``Protocol`` level: keep-alive, ``Content-Length``
bodies, pipelining, and the whole response (status line, headers, body) prebuilt once per
operation, so a request costs a header scan, a dict lookup and one ``write``. It runs as its
own process, so its CPU never counts as the client's.

It also counts what it sees, per operation: requests, signed requests (an ``Authorization``
header), request body bytes, connections opened. ``run.py`` reads the counters between drivers
(``X-Amz-Target: Bench.Stats``, with the server's CPU time since ``Bench.Reset``, which zeroes
them) to check every driver really sent
the calls it claims, signed the operations the model wants signed, and reused connections.

    python benchmarks/server.py [--port 0]        # prints "PORT <n>" once listening
    python benchmarks/server.py --selftest        # capacity against a raw-socket client
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path

import payloads

STATS_TARGET = b"bench.stats"
RESET_TARGET = b"bench.reset"
_HEAD_END = b"\r\n\r\n"
_CONTENT_LENGTH = b"\r\ncontent-length:"
_TARGET = b"\r\nx-amz-target:"
_AUTHORIZATION = b"\r\nauthorization:"
_CHUNKED = b"\r\ntransfer-encoding:"
_CLOSE = b"\r\nconnection: close"


def _response(status: str, body: bytes, request_id: str, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        f"Date: {formatdate(usegmt=True)}\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n"
        f"x-amzn-RequestId: {request_id}\r\n"
        f"{extra}"
        "\r\n"
    )
    return head.encode() + body


def build_responses() -> dict[bytes, bytes]:
    """Lower-cased ``X-Amz-Target`` value -> the complete HTTP response."""
    out: dict[bytes, bytes] = {}
    for i, op in enumerate(payloads.OPERATIONS):
        target = (payloads.TARGET_PREFIX + op).lower().encode()
        out[target] = _response(
            "200 OK", payloads.answer_bytes(op), f"8f3b7c1e-0000-4000-8000-00000000000{i}"
        )
    return out


_UNKNOWN = _response(
    "400 Bad Request",
    b'{"__type":"UnknownOperationException","message":"no canned answer for this target"}',
    "8f3b7c1e-0000-4000-8000-0000000000ff",
    "x-amzn-ErrorType: UnknownOperationException\r\n",
)
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Stats:
    """Counters per lower-cased target: [requests, signed, body bytes]."""

    def __init__(self) -> None:
        self.per_target: dict[bytes, list[int]] = {}
        self.connections = 0
        self.bad_requests = 0
        self.cpu0 = time.process_time()

    def reset(self) -> None:
        self.per_target.clear()
        self.connections = 0
        self.bad_requests = 0
        self.cpu0 = time.process_time()

    def as_json(self) -> bytes:
        names = {(payloads.TARGET_PREFIX + op).lower(): op for op in payloads.OPERATIONS}
        per_op = {
            names.get(t.decode(), t.decode()): {
                "requests": c[0],
                "signed": c[1],
                "body_bytes": c[2],
            }
            for t, c in self.per_target.items()
        }
        return json.dumps(
            {
                "operations": per_op,
                "connections": self.connections,
                "bad_requests": self.bad_requests,
                "cpu_s": time.process_time() - self.cpu0,  # the server's CPU since the reset
            }
        ).encode()


class CognitoProtocol(asyncio.Protocol):
    """One connection: parse requests out of the byte stream, answer each with one write."""

    __slots__ = ("_buf", "_responses", "_stats", "_transport")

    def __init__(self, responses: dict[bytes, bytes], stats: Stats) -> None:
        self._responses = responses
        self._stats = stats
        self._buf = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        self._stats.connections += 1
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        transport = self._transport
        if transport is None:
            return
        while True:
            end = buf.find(_HEAD_END)
            if end < 0:
                break
            head = buf[:end].lower()
            length = 0
            at = head.find(_CONTENT_LENGTH)
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                try:
                    length = int(head[at + 17 : stop if stop >= 0 else len(head)])
                except ValueError:
                    length = -1
            if length < 0 or head.find(_CHUNKED) >= 0:
                # Every client here sends a Content-Length body; anything else is a bug to see.
                self._stats.bad_requests += 1
                transport.write(_BAD_REQUEST)
                transport.close()
                self._buf = b""
                return
            total = end + 4 + length
            if len(buf) < total:
                break
            at = head.find(_TARGET)
            target = b""
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                target = head[at + 15 : stop if stop >= 0 else len(head)].strip()
            counters = self._stats.per_target.get(target)
            if counters is None:
                counters = self._stats.per_target[target] = [0, 0, 0]
            counters[0] += 1
            counters[2] += length
            if head.find(_AUTHORIZATION) >= 0:
                counters[1] += 1
            response = self._responses.get(target)
            if response is None:
                response = self._control(target)
            transport.write(response)
            buf = buf[total:]
            if head.find(_CLOSE) >= 0:
                transport.close()
                break
            if not buf:
                break
        self._buf = buf

    def _control(self, target: bytes) -> bytes:
        if target == STATS_TARGET:
            del self._stats.per_target[target]
            return _response("200 OK", self._stats.as_json(), "stats")
        if target == RESET_TARGET:
            self._stats.reset()
            return _response("200 OK", b"{}", "reset")
        return _UNKNOWN


async def serve(port: int, ready: str | None = "PORT") -> None:
    loop = asyncio.get_running_loop()
    responses = build_responses()
    stats = Stats()
    server = await loop.create_server(
        lambda: CognitoProtocol(responses, stats), "127.0.0.1", port, backlog=1024
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready:
        print(f"{ready} {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stop.wait()


# -- self-test: the server's capacity against a client that costs next to nothing -----------
def _raw_request(operation: str) -> bytes:
    body = json.dumps(payloads.REQUESTS[operation]).encode()
    return (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f"X-Amz-Target: {payloads.TARGET_PREFIX}{operation}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_client(
    port: int,
    *,
    operation: str = "InitiateAuth",
    connections: int = 16,
    seconds: float = 1.5,
    server_pid: int | None = None,
) -> dict[str, float]:
    """Keep ``connections`` keep-alive connections busy, one request in flight on each.

    Returns requests/s, and with ``server_pid`` the server's CPU per request in µs.
    """
    request = _raw_request(operation)
    answer_len = len(build_responses()[(payloads.TARGET_PREFIX + operation).lower().encode()])
    sel = selectors.DefaultSelector()
    pending: dict[socket.socket, int] = {}
    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ)
        pending[sock] = answer_len
        sock.sendall(request)
    done = 0
    cpu0 = _process_cpu(server_pid) if server_pid else 0.0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for key, _ in sel.select(timeout=1.0):
            conn = key.fileobj
            if not isinstance(conn, socket.socket):
                continue
            left = pending[conn] - len(conn.recv(262144))
            if left <= 0:
                if left < 0:
                    raise RuntimeError("the server sent more than one answer's bytes")
                done += 1
                left = answer_len
                conn.sendall(request)
            pending[conn] = left
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    cpu = (_process_cpu(server_pid) - cpu0) if server_pid else 0.0
    for sock in pending:
        sel.unregister(sock)
        sock.close()
    result = {"requests_per_s": done / elapsed, "requests": float(done)}
    if server_pid:
        result["server_cpu_us_per_request"] = cpu / max(done, 1) * 1e6
    return result


def selftest(seconds: float = 1.5, loop: str = "asyncio") -> dict[str, float]:
    """Start a server process, measure it with :func:`raw_client`, stop it."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--port", "0", "--loop", loop],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().split()[1])
        return raw_client(port, seconds=seconds, server_pid=proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="asyncio",
        help="event loop of the server (auto: uvloop when installed). Not uvloop by default:"
        " where it is installed, zapros (capo's HTTP client) imports it on connect",
    )
    parser.add_argument("--selftest", action="store_true", help="measure the server and exit")
    parser.add_argument("--seconds", type=float, default=1.5, help="self-test duration")
    args = parser.parse_args()
    if args.selftest:
        result = selftest(args.seconds, args.loop)
        print(
            f"{result['requests_per_s']:,.0f} requests/s from a raw-socket client "
            f"(16 connections), server CPU {result['server_cpu_us_per_request']:.1f} µs/request"
        )
        return 0 if result["requests_per_s"] > 20_000 else 1
    if args.loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if args.loop == "uvloop":
                raise
        else:
            uvloop.run(serve(args.port))
            return 0
    asyncio.run(serve(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
