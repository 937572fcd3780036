"""What a hostile server can make the client's own HTTP/1.1 transport hold, and for how long.

A real socket server on 127.0.0.1 that answers each request with a scripted coroutine (endless
bodies, huge header blocks, gzip bombs, stray answers, a peer that stops reading), so both
parsers (httptools and h11) run as in production. Limits are set small here to keep the tests
fast; the fault report (``python -m tests.faults.report``) runs the same faults at the defaults.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from aiocognito._core import http11, sending
from aiocognito._core.transport import AsyncioTransport

BODY = json.dumps({"AuthenticationResult": {"AccessToken": "token", "ExpiresIn": 3600}}).encode()
LIMIT = 256 * 1024
Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]


def head(length: int | None = None, extra: str = "") -> bytes:
    framing = (
        "Transfer-Encoding: chunked\r\n" if length is None else f"Content-Length: {length}\r\n"
    )
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n{framing}{extra}\r\n"
    ).encode()


def whole(body: bytes = BODY, extra: str = "") -> bytes:
    return head(len(body), extra) + body


class ScriptedServer:
    """Reads each request, then runs the next scripted answer (default: a whole BODY)."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.heads: list[bytes] = []
        self.accepted = 0
        self.open = 0
        self.url = ""
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open += 1
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in request.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.heads.append(request)
                answer = self.answers.pop(0) if self.answers else _send(whole())
                await answer(writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            writer.close()

    async def closed(self, timeout: float = 3.0) -> None:
        """Wait until the client closed every connection."""
        async with asyncio.timeout(timeout):
            while self.open:
                await asyncio.sleep(0.005)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()


def _send(data: bytes) -> Answer:
    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return answer


async def endless_chunks(writer: asyncio.StreamWriter) -> None:
    writer.write(head())
    chunk = b"%x\r\n%s\r\n" % (16384, b"x" * 16384)
    while True:
        writer.write(chunk)
        await writer.drain()


async def endless_header(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nX-Filler: ")
    while True:
        writer.write(b"a" * 16384)
        await writer.drain()


async def many_headers(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\n")
    while True:
        writer.write(b"".join(b"X-Filler-%d: %s\r\n" % (i, b"b" * 100) for i in range(100)))
        await writer.drain()


async def huge_content_length(writer: asyncio.StreamWriter) -> None:
    writer.write(head(1 << 30) + b'{"Session": "')
    while True:  # a trickle: the read timeout (5 s) would end it much later than the limit
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"x" * 1024)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    srv = ScriptedServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture(params=sorted(http11.CODECS))
def parser(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def client_for(server: ScriptedServer, parser: str, **kwargs: Any) -> CognitoIdentityProviderClient:
    kwargs.setdefault("max_response_bytes", LIMIT)
    return CognitoIdentityProviderClient(
        region="eu-west-1",
        endpoint_url=kwargs.pop("endpoint_url", server.url),
        transport=AsyncioTransport(parser=parser),
        timeout=5.0,
        **kwargs,
    )


async def sign_in(client: CognitoIdentityProviderClient) -> Any:
    return await asyncio.wait_for(
        client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH", client_id="app", auth_parameters={"USERNAME": "alice"}
        ),
        10,
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (endless_chunks, f"answer body over the limit of {LIMIT} bytes"),
        (huge_content_length, f"answer body of {1 << 30} bytes, over the limit of {LIMIT} bytes"),
        (endless_header, "answer header block over the limit of 65536 bytes"),
        (many_headers, "answer header block over the limit of 65536 bytes"),
    ],
    ids=["endless-chunked-body", "huge-content-length", "endless-header-line", "many-headers"],
)
async def test_answers_past_a_limit_end_the_call_unretried(
    server: ScriptedServer, parser: str, answer: Answer, message: str
) -> None:
    server.answers = [answer] * 3
    async with client_for(server, parser) as client:
        with pytest.raises(aiocognito.ResponseTooLargeError) as info:
            await sign_in(client)
        await server.closed()  # the connection is closed at once, not kept for reuse
    assert str(info.value) == f"InitiateAuth: {message}"
    assert isinstance(info.value, aiocognito.TransportError)
    assert info.value.attempts == 1 and len(server.heads) == 1  # not retried as transient


async def test_a_body_just_under_the_limit_is_fine(server: ScriptedServer, parser: str) -> None:
    padded = json.dumps({"Session": "s" * (LIMIT - 20)}).encode()
    assert len(padded) <= LIMIT
    server.answers = [_send(whole(padded))]
    async with client_for(server, parser) as client:
        result = await sign_in(client)
    assert result.session is not None and len(result.session) == LIMIT - 20


async def test_no_limit_when_asked(server: ScriptedServer, parser: str) -> None:
    padded = json.dumps({"Session": "s" * (2 * LIMIT)}).encode()
    server.answers = [_send(whole(padded))]
    async with client_for(server, parser, max_response_bytes=None) as client:
        result = await sign_in(client)
    assert len(result.session) == 2 * LIMIT


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_response_bytes must be positive"):
        CognitoIdentityProviderClient(region="eu-west-1", max_response_bytes=0)


def _bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * (1 << 20)
    data = [compressor.compress(block) for _ in range(size >> 20)]
    return b"".join(data) + compressor.flush()


async def test_a_gzip_bomb_is_not_expanded_past_the_limit(
    server: ScriptedServer, parser: str
) -> None:
    bomb = _bomb(64 << 20)  # 64 MiB of zeros in about 64 KiB
    assert len(bomb) < LIMIT
    server.answers = [_send(whole(bomb, "Content-Encoding: gzip\r\n"))] * 3
    async with client_for(server, parser) as client:
        with pytest.raises(aiocognito.ResponseTooLargeError, match="gzip answer body decodes"):
            await sign_in(client)
    assert len(server.heads) == 1


async def test_compressed_answers_within_the_limit_are_decoded(
    server: ScriptedServer, parser: str
) -> None:
    deflated = zlib.compress(BODY)
    server.answers = [
        _send(whole(gzip.compress(BODY), "Content-Encoding: gzip\r\n")),
        _send(whole(deflated, "Content-Encoding: deflate\r\n")),
        _send(whole(deflated[2:-4], "Content-Encoding: deflate\r\n")),  # raw deflate
    ]
    async with client_for(server, parser) as client:
        for _ in range(3):
            result = await sign_in(client)
            assert result.authentication_result.access_token == "token"


async def test_a_broken_gzip_body_is_a_transport_error(server: ScriptedServer, parser: str) -> None:
    server.answers = [_send(whole(b"not gzip at all", "Content-Encoding: gzip\r\n"))]
    async with client_for(server, parser, max_attempts=1) as client:
        with pytest.raises(aiocognito.TransportError, match="DecodingError: gzip body"):
            await sign_in(client)


@pytest.mark.parametrize("extra", [whole(b'{"Session": "stray"}'), b"garbage\r\n\r\n"])
async def test_bytes_after_an_answer_retire_the_connection(
    server: ScriptedServer, parser: str, extra: bytes
) -> None:
    """A second answer to one request (or any bytes after the first) must never be read as
    the answer to the next request: the connection is closed and the next call opens another."""
    server.answers = [_send(whole() + extra), _send(whole(b'{"Session": "second"}'))]
    async with client_for(server, parser) as client:
        first = await sign_in(client)
        second = await sign_in(client)
        third = await sign_in(client)
    assert first.authentication_result.access_token == "token"
    assert second.session == "second"
    assert third.authentication_result.access_token == "token"
    assert server.accepted == 2  # the connection of the stray bytes was not reused


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("/base path", b"/base%20path/"),
        ("/caf\u00e9", b"/caf%C3%A9/"),
        ("/already%20escaped", b"/already%20escaped/"),
    ],
)
async def test_the_request_target_is_percent_encoded(
    server: ScriptedServer, parser: str, path: str, sent: bytes
) -> None:
    async with client_for(server, parser, endpoint_url=server.url + path) as client:
        await sign_in(client)
    assert server.heads[0].startswith(b"POST " + sent + b" HTTP/1.1\r\n")


def test_split_url_never_puts_whitespace_or_non_ascii_in_the_target() -> None:
    _, target, _ = http11.split_url("http://h/a b/\u00e9\x01X: y?q=1 2&r=\u00e9")
    assert target == "/a%20b/%C3%A9%01X:%20y?q=1%202&r=%C3%A9"
    assert target.isascii() and " " not in target


# -- cancelling while the request body waits on the peer -----------------------------------------
@pytest.fixture
async def deaf_url() -> AsyncIterator[tuple[str, list[socket.socket]]]:
    """A server that accepts connections and never reads from them."""
    accepted: list[socket.socket] = []
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    loop = asyncio.get_running_loop()

    async def accept() -> None:
        while True:
            conn, _ = await loop.sock_accept(listener)
            accepted.append(conn)

    task = asyncio.create_task(accept())
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/", accepted
    task.cancel()
    for conn in accepted:
        conn.close()
    listener.close()


def _peer_closed(conn: socket.socket) -> bool:
    conn.setblocking(False)
    try:
        while True:
            if conn.recv(1 << 20) == b"":
                return True
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


async def test_cancel_during_write_backpressure_closes_the_socket(
    deaf_url: tuple[str, list[socket.socket]],
    parser: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, accepted = deaf_url
    pool = http11.ConnectionPool(parser=parser)
    sender = sending._PoolSender(pool, {"write": 30.0, "read": 30.0}, LIMIT)
    body = b"x" * (16 << 20)  # far more than the socket buffers take: writing must wait
    call = asyncio.create_task(sender.send("POST", url, {"Content-Type": "a/b"}, body))
    # Cancelled once it waits on backpressure (private state), not after a guessed delay.
    async with asyncio.timeout(10):
        while not any(c._write_paused is not None for c in pool._busy):
            await asyncio.sleep(0.01)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert pool.connections_in_use == 0
    async with asyncio.timeout(3):
        while not (accepted and _peer_closed(accepted[0])):
            await asyncio.sleep(0.01)  # the server sees the socket closed, before pool close
    await sender.aclose()
    gc.collect()
    await asyncio.sleep(0.05)
    lost = [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert lost == []


async def test_a_write_timeout_under_backpressure(
    deaf_url: tuple[str, list[socket.socket]], parser: str
) -> None:
    url, accepted = deaf_url
    sender = sending._PoolSender(
        http11.ConnectionPool(parser=parser), {"write": 0.2, "read": 30.0}, LIMIT
    )
    with pytest.raises(
        aiocognito.TransportTimeoutError, match=r"WriteTimeout: .* write timeout of 0\.2 s"
    ):
        await sender.send("POST", url, None, b"x" * (16 << 20))
    async with asyncio.timeout(3):
        while not (accepted and _peer_closed(accepted[0])):
            await asyncio.sleep(0.01)
    await sender.aclose()


async def test_the_limits_hold_with_a_callers_httpx_transport(server: ScriptedServer) -> None:
    """httpcore behind ``transport=``: the body limit is ours, the header limit httpcore's."""
    import httpx

    server.answers = [
        endless_chunks,
        endless_header,
        _send(whole(_bomb(64 << 20), "Content-Encoding: gzip\r\n")),
    ]
    async with CognitoIdentityProviderClient(
        region="eu-west-1",
        endpoint_url=server.url,
        transport=httpx.AsyncHTTPTransport(),
        max_response_bytes=LIMIT,
    ) as client:
        for expected in (
            "body over the limit",
            "header block over httpcore's limit",
            "over the limit",
        ):
            with pytest.raises(aiocognito.ResponseTooLargeError, match=expected):
                await sign_in(client)
        await server.closed()
    assert len(server.heads) == 3  # one request each: none retried


async def test_our_transport_inside_a_callers_httpx_client_keeps_the_typed_error(
    server: ScriptedServer,
) -> None:
    """httpx turns our transport's failure into its own exception; the client still sees
    (through the chain) that the answer was too large, and does not retry."""
    import httpx

    server.answers = [endless_chunks] * 3
    http = httpx.AsyncClient(transport=AsyncioTransport(max_response_bytes=LIMIT))
    async with (
        http,
        CognitoIdentityProviderClient(
            region="eu-west-1", endpoint_url=server.url, http_client=http
        ) as client,
    ):
        with pytest.raises(aiocognito.ResponseTooLargeError, match="over the limit"):
            await sign_in(client)
    assert len(server.heads) == 1
