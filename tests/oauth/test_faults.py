"""Faults at the OAuth endpoints: what is retried and what is not, bounded answers and time.

Server faults come from the OAuth stand-in (``fail_next``, ``delay``), an endless body from the
fault suite's loopback server; connection faults from a transport that fails chosen attempts
before handing the rest to the stand-in over loopback.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from aiocognito import (
    ResponseParseError,
    ResponseTooLargeError,
    RetryConfig,
    TransportError,
    TransportTimeoutError,
)
from aiocognito.oauth import OAuth2Client, OAuthError, new_pkce
from tests.faults.server import EndlessBody, FaultServer
from tests.oauth.standin import OAuthStandIn
from tests.oauth.support import WEB_CALLBACK, sign_in


class Flaky(httpx.AsyncBaseTransport):
    """Raises the given httpx failures on the first attempts, then sends for real."""

    def __init__(self, *failures: type[httpx.TransportError], alternate: bool = False) -> None:
        self.failures = list(failures)
        self.alternate = alternate
        """Fail every other attempt (the first of each call) instead of the first ones."""
        self.calls = 0
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.failures and (not self.alternate or self.calls % 2):
            raise self.failures.pop(0)("injected", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def no_backoff(oauth: OAuth2Client) -> list[float]:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    oauth._retry.config = RetryConfig(sleep=record)
    return slept


@pytest.fixture
async def web(standin: OAuthStandIn) -> AsyncIterator[OAuth2Client]:
    async with OAuth2Client(standin.base, "webapp", standin.clients["webapp"].secret) as oauth:
        no_backoff(oauth)
        yield oauth


async def fresh_code(oauth: OAuth2Client) -> tuple[str, str]:
    pkce = new_pkce()
    answer = await sign_in(oauth.authorize_url(redirect_uri=WEB_CALLBACK, pkce=pkce))
    return answer["code"], pkce.verifier


async def flaky_client(standin: OAuthStandIn, client_id: str, transport: Flaky) -> OAuth2Client:
    oauth = OAuth2Client(
        standin.base, client_id, standin.clients[client_id].secret, transport=transport
    )
    no_backoff(oauth)
    return oauth


async def test_code_exchange_is_retried_when_the_connection_never_opened(
    standin: OAuthStandIn, web: OAuth2Client
) -> None:
    code, verifier = await fresh_code(web)
    transport = Flaky(httpx.ConnectError, httpx.ConnectTimeout)
    async with await flaky_client(standin, "webapp", transport) as oauth:
        tokens = await oauth.exchange_code(code, redirect_uri=WEB_CALLBACK, code_verifier=verifier)
    assert tokens.refresh_token and transport.calls == 3


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteTimeout]
)
async def test_code_exchange_is_not_retried_once_the_request_may_have_arrived(
    standin: OAuthStandIn, web: OAuth2Client, failure: type[httpx.TransportError]
) -> None:
    code, verifier = await fresh_code(web)
    transport = Flaky(failure)
    async with await flaky_client(standin, "webapp", transport) as oauth:
        with pytest.raises(TransportError) as caught:
            await oauth.exchange_code(code, redirect_uri=WEB_CALLBACK, code_verifier=verifier)
    assert transport.calls == 1 and caught.value.attempts == 1
    assert isinstance(caught.value, TransportTimeoutError) == ("Timeout" in failure.__name__)
    assert code not in str(caught.value) and verifier not in str(caught.value)


async def test_code_exchange_is_not_retried_after_a_5xx(
    standin: OAuthStandIn, web: OAuth2Client
) -> None:
    code, verifier = await fresh_code(web)
    standin.fail_next(503, count=3)
    with pytest.raises(OAuthError) as caught:
        await web.exchange_code(code, redirect_uri=WEB_CALLBACK, code_verifier=verifier)
    assert (caught.value.error, caught.value.status_code) == ("HTTP503", 503)
    assert len(standin.token_requests()) == 1


async def test_client_credentials_are_retried_after_5xx(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    slept = no_backoff(machine)
    standin.fail_next(500, b"", count=2)
    tokens = await machine.client_credentials()
    assert tokens.access_token and len(standin.token_requests()) == 3 and len(slept) == 2


async def test_persistent_5xx_gives_up_after_three_attempts(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    no_backoff(machine)
    standin.fail_next(502, b"<html><body>Bad gateway, secret stuff</body></html>", count=3)
    with pytest.raises(OAuthError) as caught:
        await machine.client_credentials()
    message = str(caught.value)
    assert caught.value.attempts == 3 and len(standin.token_requests()) == 3
    assert message.startswith(
        "HTTP502 at the token endpoint (HTTP 502): an answer without an OAuth error (text/html,"
    )
    assert message.endswith("(after 3 attempts)") and "secret stuff" not in message


async def test_throttling_is_retried_for_safe_calls(
    standin: OAuthStandIn, webapp: OAuth2Client
) -> None:
    no_backoff(webapp)
    standin.fail_next(429, b'{"error":"too_many_requests"}', content_type="application/json")
    assert (await webapp.discover()).issuer == standin.issuer


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError])
async def test_refresh_revoke_and_userinfo_are_retried_after_lost_answers(
    standin: OAuthStandIn, web: OAuth2Client, failure: type[httpx.TransportError]
) -> None:
    code, verifier = await fresh_code(web)
    tokens = await web.exchange_code(code, redirect_uri=WEB_CALLBACK, code_verifier=verifier)
    assert tokens.refresh_token
    transport = Flaky(failure, failure, failure, alternate=True)
    async with await flaky_client(standin, "webapp", transport) as oauth:
        assert (await oauth.refresh(tokens.refresh_token)).access_token
        assert (await oauth.userinfo(tokens.access_token)).username == "alice"
        await oauth.revoke(tokens.refresh_token)
    assert transport.calls == 6


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>ok</html>", "not valid JSON at position 0 (text/html, 15 bytes)"),
        (b"[1, 2]", "expected a JSON object, got list"),
        (b'{"token_type": "Bearer"}', "no access_token"),
        (b'{"access_token": "opaque"}', "no expires_in"),
        (b"[" * 100_000, "is JSON nested too deeply (text/html, 100000 bytes)"),
    ],
)
async def test_unreadable_success_answers(
    standin: OAuthStandIn, machine: OAuth2Client, body: bytes, message: str
) -> None:
    standin.fail_next(200, body)
    with pytest.raises(ResponseParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        await machine.client_credentials()
    assert len(standin.token_requests()) == 1


async def test_an_unreadable_answer_keeps_its_tokens_out_of_the_error(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    # A JSONDecodeError holds the whole answer in .doc: it must not ride along as __context__.
    standin.fail_next(200, b'{"access_token": "eyJ-a-real-token-value", "expires_in": 36')
    with pytest.raises(ResponseParseError) as caught:
        await machine.client_credentials()
    seen: BaseException | None = caught.value
    while seen is not None:
        assert "eyJ-a-real-token-value" not in f"{seen} {seen!r} {getattr(seen, 'doc', '')}"
        seen = seen.__cause__ or seen.__context__


async def test_a_deeply_nested_error_answer_is_an_oauth_error(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    standin.fail_next(400, b"[" * 100_000, content_type="application/json")
    with pytest.raises(OAuthError) as caught:
        await machine.client_credentials()
    assert (caught.value.error, caught.value.status_code) == ("HTTP400", 400)


async def test_a_token_with_a_deeply_nested_payload_is_not_read_for_its_exp(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    deep = base64.urlsafe_b64encode(b"[" * 100_000).decode().rstrip("=")
    answer = {"access_token": f"eyJhbGciOiJSUzI1NiJ9.{deep}.c2ln"}
    standin.fail_next(200, json.dumps(answer).encode(), content_type="application/json")
    with pytest.raises(ResponseParseError, match="no expires_in, and the access token no exp"):
        await machine.client_credentials()


async def test_missing_expires_in_is_read_from_the_token(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    token = standin.sign({"exp": int(standin.now()) + 600, "token_use": "access"})
    standin.fail_next(
        200, json.dumps({"access_token": token}).encode(), content_type="application/json"
    )
    tokens = await machine.client_credentials()
    assert 598 <= tokens.expires_in <= 600 and tokens.token_type == "Bearer"


async def test_answers_are_bounded_in_size(standin: OAuthStandIn, machine: OAuth2Client) -> None:
    standin.fail_next(200, b'{"access_token": "' + b"a" * (2 << 20) + b'"}')
    with pytest.raises(ResponseTooLargeError, match="over the limit of 1048576 bytes"):
        await machine.client_credentials()
    assert len(standin.token_requests()) == 1  # not retried: a second answer would be as large


async def test_an_endless_answer_stops_at_the_size_limit() -> None:
    """The fault suite's loopback server streams a chunked body that never ends: the client
    stops reading at 1 MiB instead of reading until its timeout."""
    with FaultServer() as server:
        server.script(EndlessBody())
        async with OAuth2Client(server.url, "machine", "machine-secret", timeout=10) as oauth:
            started = time.perf_counter()
            with pytest.raises(ResponseTooLargeError, match="over the limit of 1048576 bytes"):
                await oauth.client_credentials()
        assert time.perf_counter() - started < 5 and server.count == 1


async def test_answers_are_bounded_in_time(standin: OAuthStandIn) -> None:
    standin.delay = 1.0
    async with OAuth2Client(standin.base, "spa", timeout=0.2) as oauth:
        with pytest.raises(TransportTimeoutError) as caught:
            await oauth.exchange_code("a-code", redirect_uri=WEB_CALLBACK)
    assert "timeout of 0.2 s" in str(caught.value) and "a-code" not in str(caught.value)
    standin.delay = 0.0


async def test_error_descriptions_never_echo_secrets(
    standin: OAuthStandIn, web: OAuth2Client
) -> None:
    secret = standin.clients["webapp"].secret
    assert secret
    code, verifier = await fresh_code(web)
    echo = {
        "error": "invalid_grant",
        "error_description": f"code {code} with {verifier} by {secret}\r\nX-Injected: 1",
    }
    standin.fail_next(400, json.dumps(echo).encode(), content_type="application/json")
    with pytest.raises(OAuthError) as caught:
        await web.exchange_code(code, redirect_uri=WEB_CALLBACK, code_verifier=verifier)
    text = str(caught.value) + repr(caught.value)
    assert code not in text and verifier not in text and secret not in text
    assert caught.value.description == "code [redacted] with [redacted] by [redacted] X-Injected: 1"


async def test_odd_error_codes_are_not_trusted(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    standin.fail_next(
        400,
        json.dumps({"error": "<script>alert(1)</script>", "error_description": "x" * 500}).encode(),
    )
    with pytest.raises(OAuthError) as caught:
        await machine.client_credentials()
    assert caught.value.error == "HTTP400"
    assert caught.value.description is not None and len(caught.value.description) == 300


async def test_a_refused_connection_on_the_sdk_pool_is_retried_and_named() -> None:
    """The default sender (the SDK's own HTTP/1.1 pool, no transport given): nothing listens
    on the port, so even a code exchange may be sent again, and gives up after 3 attempts."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with OAuth2Client(f"http://127.0.0.1:{port}", "spa") as oauth:
        slept = no_backoff(oauth)
        with pytest.raises(TransportError) as caught:
            await oauth.exchange_code("a-code", redirect_uri=WEB_CALLBACK)
    assert caught.value.attempts == 3 and len(slept) == 2
    assert type(caught.value.__cause__).__name__ == "ConnectError"
    assert "a-code" not in str(caught.value)
