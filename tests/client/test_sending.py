"""The transport seam (``aiocognito._core.sending``): one sender per way of sending, chosen once.

Against a raw socket server on 127.0.0.1 (``RawServer`` of test_transport.py), so every sender
runs its real stack: our HTTP/1.1 pool, httpcore under an httpx transport, an httpx client.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

import aiocognito
from aiocognito._core import http11, httpx_compat, sending
from aiocognito._core.transport import AsyncioTransport
from tests.client.test_transport import RawServer, answer

SENDERS = ("pool", "pool-h11", "httpcore", "http_client", "http_client-asyncio")
"""Each way of sending the seam offers, over a real socket."""


def _options(kind: str) -> dict[str, Any]:
    if kind == "pool":
        return {}
    if kind == "pool-h11":
        return {"transport": AsyncioTransport(parser="h11")}
    if kind == "httpcore":
        return {"transport": httpx.AsyncHTTPTransport()}
    if kind == "http_client":
        return {"http_client": httpx.AsyncClient(trust_env=False)}
    return {"http_client": httpx.AsyncClient(transport=AsyncioTransport())}


@pytest.fixture
async def server() -> AsyncIterator[RawServer]:
    srv = RawServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture(params=SENDERS)
async def open_one(request: pytest.FixtureRequest) -> AsyncIterator[Callable[..., sending.Sender]]:
    """``open_sender`` for one way of sending; senders (and a caller's client) closed after."""
    kind: str = request.param
    opened: list[sending.Sender] = []
    clients: list[httpx.AsyncClient] = []

    def open_(**kwargs: Any) -> sending.Sender:
        options = _options(kind)
        if "http_client" in options:
            clients.append(options["http_client"])
        sender = sending.open_sender(**options, **kwargs)
        opened.append(sender)
        return sender

    yield open_
    for sender in opened:
        await sender.aclose()
    for client in clients:
        await client.aclose()


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)


async def test_get_and_post_return_the_whole_answer(
    server: RawServer, open_one: Callable[..., sending.Sender]
) -> None:
    server.replies = [
        lambda _: answer(b'{"keys": []}', headers="X-Mixed-Case: yes\r\n"),
        lambda _: answer(b"nope", status="404 Not Found"),
    ]
    sender = open_one()
    got = await sender.send("GET", server.url + "/.well-known/jwks.json", {"Accept": "a/b"})
    assert isinstance(got, sending.HTTPResponse)
    assert (got.status, got.content) == (200, b'{"keys": []}')
    assert got.headers["x-mixed-case"] == "yes"  # names in lower case
    assert "x-mixed-case" in dict(got.headers.items())
    missing = await sender.send("POST", server.url + "/oauth2/token", body=b"grant_type=x")
    assert (missing.status, missing.content) == (404, b"nope")  # a status is not an error
    get, post = server.heads
    assert get.startswith(b"GET /.well-known/jwks.json HTTP/1.1\r\n")
    assert b"Accept: a/b" in get
    assert post.startswith(b"POST /oauth2/token HTTP/1.1\r\n")
    assert b"Content-Length: 12" in post
    assert server.accepted == 1  # kept alive


async def test_a_refused_connection_is_a_transport_error(
    open_one: Callable[..., sending.Sender],
) -> None:
    sender = open_one()
    with pytest.raises(aiocognito.TransportError, match=r"^ConnectError") as info:
        await sender.send("GET", "http://127.0.0.1:9/")
    assert not isinstance(info.value, aiocognito.TransportTimeoutError)
    assert info.value.__cause__ is not None  # the underlying failure, for debugging


@pytest.fixture
async def silent_url() -> AsyncIterator[str]:
    """A server that accepts connections and never answers (until the client hangs up)."""

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    quiet = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{quiet.sockets[0].getsockname()[1]}/"
    quiet.close()


async def test_a_read_timeout_names_the_limit(
    silent_url: str, open_one: Callable[..., sending.Sender]
) -> None:
    sender = open_one(timeouts={"connect": 2.0, "read": 0.2, "write": 2.0, "pool": 2.0})
    with pytest.raises(aiocognito.TransportTimeoutError) as info:
        await sender.send("GET", silent_url)
    assert str(info.value) == "ReadTimeout: nothing within the read timeout of 0.2 s"


async def test_no_answer_at_all_is_a_transport_error(
    server: RawServer, open_one: Callable[..., sending.Sender]
) -> None:
    server.replies = [lambda _: None]  # closes the connection without a byte
    sender = open_one()
    with pytest.raises(aiocognito.TransportError, match="RemoteProtocolError") as info:
        await sender.send("GET", server.url + "/")
    assert not isinstance(info.value, aiocognito.TransportTimeoutError)


async def test_a_callers_client_keeps_its_own_timeouts_and_stays_open(
    server: RawServer, silent_url: str
) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(3.0, read=0.1)) as http:
        sender = sending.open_sender(http_client=http)
        with pytest.raises(aiocognito.TransportTimeoutError, match=r"read timeout of 0\.1 s"):
            await sender.send("GET", silent_url)
        await sender.aclose()
        assert not http.is_closed
        assert (await http.get(server.url)).status_code == 200


async def test_a_given_transport_is_closed_with_its_sender(server: RawServer) -> None:
    transport = httpx.AsyncHTTPTransport()
    sender = sending.open_sender(transport=transport)
    assert (await sender.send("GET", server.url)).status == 200
    assert server.open == 1  # kept alive in the transport's pool
    await sender.aclose()
    for _ in range(200):
        if server.open == 0:
            break
        await asyncio.sleep(0.01)
    assert server.open == 0  # the transport closed its connection


def test_the_choice_is_made_once_from_what_was_given(
    no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = AsyncioTransport()
    given = httpx.AsyncHTTPTransport()
    http = httpx.AsyncClient()
    default = sending.open_sender()
    assert isinstance(default, sending._PoolSender)
    on_own = sending.open_sender(transport=own)
    assert isinstance(on_own, sending._PoolSender) and on_own.pool is own.pool
    on_given = sending.open_sender(transport=given)
    assert isinstance(on_given, sending._TransportSender) and on_given.transport is given
    through = sending.open_sender(http_client=http)
    assert isinstance(through, sending._ClientSender) and through.client is http
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert isinstance(sending.open_sender(), sending._ProxySender)
    # A caller's transport wins over the environment's proxy, as in httpx.
    assert isinstance(sending.open_sender(transport=given), sending._TransportSender)
    with respx.mock():
        mocked = sending.open_sender()
        assert isinstance(mocked, sending._TransportSender)
        assert isinstance(mocked.transport, httpx.AsyncHTTPTransport)


def test_options_that_cannot_all_apply_are_refused() -> None:
    with pytest.raises(aiocognito.ConfigurationError, match="either http_client or transport"):
        sending.open_sender(transport=AsyncioTransport(), http_client=httpx.AsyncClient())
    with pytest.raises(aiocognito.ConfigurationError, match="verify= applies"):
        sending.open_sender(transport=httpx.AsyncHTTPTransport(), verify="/tmp/ca.pem")


async def test_proxies_are_per_url_and_no_proxy_is_honoured(
    server: RawServer, no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url)  # the raw server plays the proxy
    monkeypatch.setenv("NO_PROXY", "direct.invalid,localhost")
    sender = sending.open_sender()
    assert isinstance(sender, sending._ProxySender)
    try:
        await sender.send("GET", "http://cognito.invalid/a")  # through the proxy
        await sender.send("GET", server.url + "/b")  # localhost: straight to the server
    finally:
        await sender.aclose()
    assert server.heads[0].startswith(b"GET http://cognito.invalid/a HTTP/1.1\r\n")
    assert server.heads[1].startswith(b"GET /b HTTP/1.1\r\n")


async def test_respx_sees_what_the_default_sender_sends() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("https://example.invalid/jwks").mock(
            return_value=httpx.Response(200, json={"keys": []})
        )
        sender = sending.open_sender()
        got = await sender.send("GET", "https://example.invalid/jwks")
        await sender.aclose()
    assert route.call_count == 1
    assert json.loads(got.content) == {"keys": []}


def test_the_exception_table_is_explicit() -> None:
    """Every httpx exception the transports raise has its row, timeouts with their phase."""
    table = dict(httpx_compat.exception_table())
    assert table[httpx.ReadTimeout] == ("timeout", "read")
    assert table[httpx.ConnectTimeout] == ("timeout", "connect")
    assert table[httpx.WriteTimeout] == ("timeout", "write")
    assert table[httpx.PoolTimeout] == ("timeout", "pool")
    request = httpx.Request("GET", "http://x.invalid/")
    for cls in (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.ProxyError):
        assert httpx_compat.failure_kind(cls("x", request=request)) == ("error", None)
    assert httpx_compat.failure_kind(ValueError("not httpx")) is None

    class NewTimeout(httpx.ReadTimeout):  # a subclass a future httpx might add
        pass

    assert httpx_compat.failure_kind(NewTimeout("x", request=request)) == ("timeout", "read")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (http11.ConnectError("refused"), httpx.ConnectError),
        (http11.ConnectTimeout("timed out"), httpx.ConnectTimeout),
        (http11.ReadError("reset"), httpx.ReadError),
        (http11.ReadTimeout("timed out"), httpx.ReadTimeout),
        (http11.WriteTimeout("timed out"), httpx.WriteTimeout),
        (http11.PoolTimeout("busy"), httpx.PoolTimeout),
        (http11.RemoteProtocolError("bad"), httpx.RemoteProtocolError),
        (http11.LocalProtocolError("bad"), httpx.LocalProtocolError),
        (http11.ResponseTooLarge("past the limit"), httpx.RemoteProtocolError),
    ],
)
def test_our_transport_raises_httpx_exceptions_by_table(
    ours: http11.HTTPFailure, theirs: type[Exception]
) -> None:
    mapped = httpx_compat.to_httpx_error(ours, httpx.Request("GET", "http://x.invalid/"))
    assert type(mapped) is theirs
    assert mapped.__cause__ is ours


async def test_phases_left_out_keep_their_default(silent_url: str) -> None:
    async with httpx.AsyncClient() as http:
        for options in ({}, {"http_client": http}):
            sender = sending.open_sender(timeouts={"read": 0.1}, **options)
            with pytest.raises(aiocognito.TransportTimeoutError, match=r"read timeout of 0\.1 s"):
                await sender.send("GET", silent_url)
            await sender.aclose()
