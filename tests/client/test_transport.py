"""The client's own HTTP/1.1 transport over real sockets: keep-alive, framing, TLS, proxies, mocks.

The fault suite (tests/faults) runs every failure mode over this transport and over httpcore;
these tests cover what a healthy server can still do differently.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import aiocognito
from aiocognito import CognitoIdentityProviderClient
from aiocognito._core import http11, sending
from aiocognito._core.transport import AsyncioTransport
from tests.client.support import run_fresh

BODY = json.dumps({"AuthenticationResult": {"AccessToken": "token", "ExpiresIn": 3600}}).encode()
Reply = Callable[[bytes], bytes | None]
"""Request head -> raw answer, or None to close the connection without one."""


def answer(body: bytes = BODY, *, headers: str = "", status: str = "200 OK") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"Content-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body


class RawServer:
    """A socket server answering each request with the next scripted reply (default: BODY)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.heads: list[bytes] = []
        self.accepted = 0
        self.open = 0
        self.peak_open = 0
        self.close_after_answer = False
        self.server: asyncio.Server | None = None
        self.url = ""

    async def start(self, tls: ssl.SSLContext | None = None) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=tls)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://localhost:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open += 1
        self.peak_open = max(self.peak_open, self.open)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.heads.append(head)
                reply = self.replies.pop(0) if self.replies else (lambda _: answer())
                raw = reply(head)
                if raw is None:
                    return
                writer.write(raw)
                await writer.drain()
                if self.close_after_answer:
                    return
        finally:
            self.open -= 1
            writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    server = RawServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=sorted(http11.CODECS))
def parser(request: pytest.FixtureRequest) -> str:
    """Each parser installed: httptools (speedups extra) and h11."""
    name: str = request.param
    return name


def client_for(url: str, **kwargs: Any) -> CognitoIdentityProviderClient:
    return CognitoIdentityProviderClient(region="eu-west-1", endpoint_url=url, **kwargs)


def parsed_by(parser: str, url: str, **kwargs: Any) -> CognitoIdentityProviderClient:
    """A client on its own transport, answers read by ``parser``."""
    return client_for(url, transport=AsyncioTransport(parser=parser), **kwargs)


async def sign_in(client: CognitoIdentityProviderClient) -> Any:
    return await client.initiate_auth(
        auth_flow="USER_PASSWORD_AUTH", client_id="app", auth_parameters={"USERNAME": "alice"}
    )


async def test_the_default_client_uses_it_and_keeps_one_connection(raw_server: RawServer) -> None:
    async with client_for(raw_server.url) as client:
        for _ in range(5):
            result = await sign_in(client)
            assert result.authentication_result is not None
        assert isinstance(client._sender, sending._PoolSender)  # no httpx on the way
    assert raw_server.accepted == 1
    head = raw_server.heads[0]
    assert head.startswith(b"POST / HTTP/1.1\r\n")
    assert f"Host: {raw_server.url.removeprefix('http://')}".encode() in head
    assert b"X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth" in head


async def test_chunked_answer(raw_server: RawServer, parser: str) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        + b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (BODY[:7], BODY[7:]))
        + b"0\r\n\r\n"
    )
    raw_server.replies = [lambda _: chunked, lambda _: answer()]
    async with parsed_by(parser, raw_server.url) as client:
        first = await sign_in(client)
        second = await sign_in(client)
    assert first == second
    assert raw_server.accepted == 1  # a chunked answer leaves the connection reusable


async def test_connection_close_answer_then_a_new_connection(
    raw_server: RawServer, parser: str
) -> None:
    raw_server.replies = [lambda _: answer(headers="Connection: close\r\n")]
    async with parsed_by(parser, raw_server.url) as client:
        await sign_in(client)
        await sign_in(client)
    assert raw_server.accepted == 2


async def test_server_closing_idle_connections(raw_server: RawServer, parser: str) -> None:
    raw_server.close_after_answer = True
    async with parsed_by(parser, raw_server.url) as client:
        for _ in range(3):
            await sign_in(client)
            await asyncio.sleep(0.05)  # the close reaches the client while the connection idles
    assert raw_server.accepted == 3


async def test_keepalive_expiry(raw_server: RawServer) -> None:
    transport = AsyncioTransport(keepalive_expiry=0.0)
    async with client_for(raw_server.url, transport=transport) as client:
        await sign_in(client)
        await asyncio.sleep(0.01)
        await sign_in(client)
    assert raw_server.accepted == 2


async def test_gzip_answer_is_decoded(raw_server: RawServer, parser: str) -> None:
    raw_server.replies = [
        lambda _: answer(gzip.compress(BODY), headers="Content-Encoding: gzip\r\n")
    ]
    async with parsed_by(parser, raw_server.url) as client:
        result = await sign_in(client)
    assert result.authentication_result is not None
    assert result.authentication_result.access_token == "token"


async def test_connection_limit_queues_calls(raw_server: RawServer) -> None:
    transport = AsyncioTransport(max_connections=2)
    async with client_for(raw_server.url, transport=transport) as client:
        await asyncio.gather(*(sign_in(client) for _ in range(10)))
        assert transport.pool.connections_in_use == 0
        assert transport.pool.idle_connections == 2
    assert raw_server.peak_open <= 2
    assert len(raw_server.heads) == 10


async def test_pool_timeout(raw_server: RawServer) -> None:
    transport = AsyncioTransport(max_connections=1)
    client = client_for(
        raw_server.url,
        transport=transport,
        timeout=httpx.Timeout(5.0, pool=0.05),
        max_attempts=1,
    )
    async with client:
        await sign_in(client)
        slots = transport.pool._slots
        assert slots is not None
        await slots.acquire()  # as a call in flight would hold the only connection
        try:
            with pytest.raises(aiocognito.TransportTimeoutError, match=r"pool timeout of 0\.05 s"):
                await sign_in(client)
        finally:
            slots.release()
        await sign_in(client)


async def test_as_an_httpx_transport(raw_server: RawServer, parser: str) -> None:
    async with httpx.AsyncClient(transport=AsyncioTransport(parser=parser)) as http:
        response = await http.get(raw_server.url + "/path?q=1", headers={"X-Test": "yes"})
        assert response.status_code == 200
        assert response.json() == json.loads(BODY)
        assert response.headers["content-type"] == "application/x-amz-json-1.1"
        assert response.http_version == "HTTP/1.1"
        posted = await http.post(raw_server.url + "/", content=b"abc")
        assert posted.status_code == 200
    assert raw_server.heads[0].startswith(b"GET /path?q=1 HTTP/1.1\r\n")
    assert b"X-Test: yes" in raw_server.heads[0]
    assert raw_server.accepted == 1


async def test_tls(tmp_path: Any) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = RawServer()
    await server.start(tls=server_ctx)
    try:
        transport = AsyncioTransport(ssl_context=client_ctx)
        async with client_for(server.url, transport=transport) as client:
            result = await sign_in(client)
            assert result.authentication_result is not None
            await sign_in(client)
        assert server.accepted == 1
        # The process-wide default context does not trust this CA: a clear connect error.
        async with client_for(server.url, max_attempts=1) as client:
            with pytest.raises(aiocognito.TransportError, match="CERTIFICATE_VERIFY_FAILED"):
                await sign_in(client)
    finally:
        await server.stop()


async def test_respx_still_sees_the_default_client() -> None:
    url = "https://cognito-idp.eu-west-1.amazonaws.com/"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url).mock(return_value=httpx.Response(200, content=BODY))
        async with CognitoIdentityProviderClient(region="eu-west-1") as client:
            result = await sign_in(client)
    assert route.call_count == 1
    assert result.authentication_result is not None


async def test_proxy_from_the_environment(
    raw_server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", raw_server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with client_for("http://cognito.invalid") as client:
        await sign_in(client)
    # httpx's proxy transport got it: the request line names the absolute URL.
    assert raw_server.heads[0].startswith(b"POST http://cognito.invalid/ HTTP/1.1\r\n")


def test_transport_and_http_client_are_exclusive() -> None:
    with pytest.raises(aiocognito.ConfigurationError, match="either http_client or transport"):
        client_for(
            "http://127.0.0.1:1", http_client=httpx.AsyncClient(), transport=AsyncioTransport()
        )


async def test_a_given_transport_is_closed_with_the_client(raw_server: RawServer) -> None:
    transport = AsyncioTransport()
    async with client_for(raw_server.url, transport=transport) as client:
        await sign_in(client)
        assert transport.pool.idle_connections == 1
    assert transport.pool.idle_connections == 0
    with pytest.raises(RuntimeError, match="closed"):
        await transport.pool.exchange(
            ("http", "127.0.0.1", 1), b"GET", b"/", [(b"Host", b"x")], b""
        )


def test_calls_on_the_default_transport_do_not_import_httpx(tmp_path: Path) -> None:
    """httpx is most of the import cost; the default path must not need it. Nor does a signed
    call with explicit keys need botocore's credential module (~1.6 MB)."""
    main = """
    class Keys:
        access_key, secret_key, token = "AKIDEXAMPLE", "secret", None

    async def main():
        from aiocognito import CognitoIdentityProviderClient

        server, url = await start()
        async with CognitoIdentityProviderClient(
            region="eu-west-1", endpoint_url=url, credentials=Keys()
        ) as client:
            await client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH", client_id="c", auth_parameters={}
            )
            await client.admin_add_user_to_group(
                user_pool_id="eu-west-1_x", username="u", group_name="g"
            )
        server.close()
        signed = ["\\r\\nauthorization: aws4-hmac-sha256 " in s["head"].lower() for s in SEEN]
        loaded = ("httpx", "httpcore", "anyio", "botocore")
        print(json.dumps({"signed": signed, "loaded": [m for m in loaded if m in sys.modules]}))

    asyncio.run(main())
    """
    result = run_fresh(main, tmp_path)
    assert result["signed"] == [False, True]  # InitiateAuth is unsigned, the admin call signed
    assert result["loaded"] == []


async def test_body_delimited_by_the_connection_end(raw_server: RawServer, parser: str) -> None:
    raw_server.replies = [lambda _: b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY]
    raw_server.close_after_answer = True
    async with parsed_by(parser, raw_server.url) as client:
        result = await sign_in(client)
    assert result.authentication_result is not None


async def test_interim_answer_then_the_final_one(raw_server: RawServer, parser: str) -> None:
    raw_server.replies = [lambda _: b"HTTP/1.1 100 Continue\r\n\r\n" + answer()]
    async with parsed_by(parser, raw_server.url) as client:
        result = await sign_in(client)
        await sign_in(client)
    assert result.authentication_result is not None
    assert raw_server.accepted == 1


async def test_a_header_with_a_line_break_is_never_sent(parser: str) -> None:
    pool = http11.ConnectionPool(parser=parser)
    server = RawServer()
    await server.start()
    try:
        port = int(server.url.rsplit(":", 1)[1])
        with pytest.raises(http11.LocalProtocolError) as info:
            await pool.exchange(
                ("http", "127.0.0.1", port),
                b"POST",
                b"/",
                [(b"Host", b"x"), (b"X-Test", b"SECRET-VALUE\r\nInjected: yes")],
                b"",
            )
        assert server.heads == []
        # Both writers name the header, never its value (it may be a session token).
        assert "X-Test" in str(info.value)
        assert "SECRET" not in str(info.value) + repr(info.value.__context__)
    finally:
        await pool.aclose()
        await server.stop()


async def test_a_malformed_answer_is_a_protocol_error(raw_server: RawServer, parser: str) -> None:
    raw_server.replies = [lambda _: b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n"]
    async with parsed_by(parser, raw_server.url, max_attempts=1) as client:
        with pytest.raises(aiocognito.TransportError, match="RemoteProtocolError"):
            await sign_in(client)


@pytest.mark.parametrize(
    "url",
    [
        "https://cognito-idp.eu-west-1.amazonaws.com/",
        "https://cognito-idp.eu-west-1.amazonaws.com:443/",
        "http://LocalHost:8080/",
        "http://127.0.0.1:80/path?q=1",
        "https://[::1]:8443/",
        "https://[2001:db8::1]/",
    ],
)
def test_the_host_sent_is_the_host_botocore_signs(url: str) -> None:
    """The signer is handed the Host header instead of working it out; it must be botocore's."""
    from botocore.auth import _host_from_url  # type: ignore[attr-defined]

    assert http11.split_url(url)[2] == _host_from_url(url)
    assert http11.split_url(url)[2] == httpx.URL(url).netloc.decode()
