"""Helpers of the fault suite: clients wired to the fault server, the call, pool inspection."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx

from aiocognito import CognitoIdentityProviderClient, RetryConfig
from aiocognito._core.transport import AsyncioTransport
from tests.credentials import FakeCredentials

PASSWORD = "Pa55word-NEVER-LOGGED!"
ACCESS_TOKEN = "eyJ-ACCESS-TOKEN-NEVER-LOGGED"
READ_TIMEOUT = 0.3
TIMEOUT = httpx.Timeout(2.0, read=READ_TIMEOUT)
GUARD = 10.0
"""No single call of the suite may take longer than this, whatever the client does."""

T = TypeVar("T")


class SleepRecorder:
    """The retry policy's sleep: records each backoff and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is


def new_client(url: str, **kwargs: Any) -> CognitoIdentityProviderClient:
    """A client for the fault server: small timeouts, backoff recorded instead of slept."""
    kwargs.setdefault("timeout", TIMEOUT)
    kwargs.setdefault("total_timeout", 5.0)
    kwargs.setdefault("retry", RetryConfig(sleep=SleepRecorder()))
    return CognitoIdentityProviderClient(
        region="eu-west-1", endpoint_url=url, credentials=FakeCredentials(), **kwargs
    )


def recorded(**config: Any) -> RetryConfig:
    """A retry configuration that records its backoff sleeps (``random=`` and such given)."""
    return RetryConfig(sleep=SleepRecorder(), **config)


def sleeps(client: CognitoIdentityProviderClient) -> list[float]:
    recorder = client.retry.sleep
    assert isinstance(recorder, SleepRecorder)
    return recorder.delays


async def guarded(aw: Awaitable[T], seconds: float = GUARD) -> T:
    """Await with a hard limit, so a client bug fails the test instead of hanging the suite."""
    return await asyncio.wait_for(aw, seconds)


async def login(client: CognitoIdentityProviderClient, guard: float = GUARD) -> Any:
    """The call most faults are tried with: unsigned, with a password in its parameters."""
    return await guarded(
        client.initiate_auth(
            auth_flow="USER_PASSWORD_AUTH",
            client_id="app-client",
            auth_parameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        ),
        guard,
    )


TRANSPORTS = ("asyncio", "asyncio-h11", "httpcore")
"""What the suite runs over: the client's own transport with its default parser (httptools when
installed) and with h11, and httpx's default transport (httpcore) given as ``transport=``,
which goes through the same client code with a pool of its own."""


def transport_for(name: str) -> httpx.AsyncBaseTransport | None:
    if name == "asyncio":
        return None
    if name == "asyncio-h11":
        return AsyncioTransport(parser="h11")
    return httpx.AsyncHTTPTransport()


def open_connections(client: CognitoIdentityProviderClient) -> list[Any]:
    """The connections the client's transport holds, closed ones excluded (private state)."""
    sender: Any = client._sender
    if sender is None:
        return []
    pool = getattr(sender, "pool", None)
    if pool is not None:
        idle = [c for conns in pool._idle.values() for c in conns]
        return [c for c in [*idle, *pool._busy] if not c.closed]
    return [c for c in _httpcore_pool(sender).connections if not c.is_closed()]


def _httpcore_pool(sender: Any) -> Any:
    return sender.transport._pool


def assert_pool_quiet(client: CognitoIdentityProviderClient) -> None:
    """No request in flight or queued, every connection idle (reusable) or closed."""
    sender: Any = client._sender
    if sender is None:
        return
    pool = getattr(sender, "pool", None)
    if pool is not None:
        assert pool.connections_in_use == 0, "connections still in use"
        slots = pool._slots
        if slots is not None:
            assert slots._value == 100, "a connection slot was not given back"
        return
    p = _httpcore_pool(sender)
    assert list(p._requests) == [], "requests still held by the pool"
    busy = [c for c in p.connections if not (c.is_idle() or c.is_closed())]
    assert busy == [], f"connections still in use: {busy}"
    slots = sender.slots
    if slots is not None:
        assert slots._value == 100, "a request slot was not given back"
