"""Retries over real sockets: headers, limits, what is never retried, quota, backoff."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient, errors
from aiocognito._core.retries import INITIAL_QUOTA, RETRY_COST, TIMEOUT_RETRY_COST
from tests.faults.server import FaultServer, Stall, error, ok, status
from tests.faults.support import guarded, login, sleeps

MakeClient = Callable[..., CognitoIdentityProviderClient]


async def test_retry_headers(server: FaultServer, make_client: MakeClient) -> None:
    server.script(status(503), status(503), then=ok())
    client = make_client()
    await login(client)
    await login(client)
    first, second = server.requests[:3], server.requests[3:]
    ids = {r.headers["amz-sdk-invocation-id"] for r in first}
    assert len(ids) == 1  # one id for every attempt of one call...
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", *ids)
    assert second[0].headers["amz-sdk-invocation-id"] not in ids  # ...and a new one per call
    assert [r.headers["amz-sdk-request"] for r in first] == [
        "attempt=1; max=3",
        "attempt=2; max=3",
        "attempt=3; max=3",
    ]
    assert [r.json for r in first] == [first[0].json] * 3  # the same body every time


async def test_signed_calls_are_signed_again_on_every_attempt(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(status(503), then=ok({"UserPools": []}))
    client = make_client()
    await guarded(client.list_user_pools(max_results=1))
    assert server.count == 2
    assert all(r.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for r in server.requests)
    assert server.requests[0].headers["x-amz-date"] and server.requests[1].headers["x-amz-date"]


@pytest.mark.parametrize("max_attempts", [1, 2, 5])
async def test_max_attempts_is_the_limit(
    server: FaultServer, make_client: MakeClient, max_attempts: int
) -> None:
    server.script(then=status(503))
    client = make_client(max_attempts=max_attempts)
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert server.count == info.value.attempts == max_attempts
    assert server.requests[-1].headers["amz-sdk-request"] == (
        f"attempt={max_attempts}; max={max_attempts}"
    )
    assert len(sleeps(client)) == max_attempts - 1
    if max_attempts == 1:  # retries disabled: one request, no mention of attempts
        assert "attempt" not in str(info.value)
    else:
        assert f"(after {max_attempts} attempts)" in str(info.value)


@pytest.mark.parametrize(
    "code",
    [
        "NotAuthorizedException",
        "UserNotFoundException",
        "InvalidParameterException",
        "ResourceNotFoundException",
        "TooManyFailedAttemptsException",  # "too many", but the user's, not a throttle
        "CodeMismatchException",
    ],
)
async def test_non_retryable_4xx_is_never_retried(
    server: FaultServer, make_client: MakeClient, code: str
) -> None:
    server.script(then=error(400, code, "no"))
    client = make_client(max_attempts=5)
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert type(info.value) is getattr(errors, code)
    assert server.count == info.value.attempts == 1
    assert sleeps(client) == []
    assert client._retry.quota.available == INITIAL_QUOTA  # nothing was spent


async def test_a_non_retryable_error_after_retries_stops_at_once(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(status(503), error(400, "NotAuthorizedException"), then=ok())
    client = make_client(max_attempts=5)
    with pytest.raises(errors.NotAuthorizedException) as info:
        await login(client)
    assert server.count == info.value.attempts == 2


async def test_retry_quota_drains_and_recovers(
    server: FaultServer, make_client: MakeClient
) -> None:
    """A server failing every request: retries stop once the bucket is empty (calls then
    fail after one attempt), and successes refill it."""
    server.script(then=status(503))
    client = make_client(max_attempts=3)
    quota = client._retry.quota
    calls_to_drain = INITIAL_QUOTA // (2 * RETRY_COST)  # two retries per call
    for n in range(1, calls_to_drain + 1):
        with pytest.raises(aiocognito.ServiceError) as info:
            await login(client)
        assert info.value.attempts == 3
        assert quota.available == INITIAL_QUOTA - n * 2 * RETRY_COST
    assert quota.available == 0
    assert server.count == 3 * calls_to_drain

    # Empty bucket: no retry, whatever max_attempts says.
    for _ in range(3):
        before = server.count
        with pytest.raises(aiocognito.ServiceError) as info:
            await login(client)
        assert info.value.attempts == 1
        assert server.count == before + 1
    assert quota.available == 0

    # Successes refund 1 each (no retry needed); 5 of them pay for one retry again.
    server.script(then=ok())
    for _ in range(RETRY_COST):
        await login(client)
    assert quota.available == RETRY_COST
    server.script(then=status(503))
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert info.value.attempts == 2
    assert quota.available == 0

    # A call that succeeds after a retry gives back what the retry took.
    server.script(then=ok())
    for _ in range(2 * RETRY_COST):
        await login(client)
    assert quota.available == 2 * RETRY_COST
    server.script(status(503), then=ok())
    await login(client)
    assert quota.available == 2 * RETRY_COST
    # The bucket never holds more than it started with.
    for _ in range(INITIAL_QUOTA + 10):
        quota.release(0)
    assert quota.available == INITIAL_QUOTA


async def test_retry_after_a_timeout_costs_more(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(Stall(), then=status(503))
    client = make_client(max_attempts=2)
    with pytest.raises(aiocognito.ServiceError):
        await login(client)
    assert client._retry.quota.available == INITIAL_QUOTA - TIMEOUT_RETRY_COST
    with pytest.raises(aiocognito.ServiceError):
        await login(client)
    assert client._retry.quota.available == INITIAL_QUOTA - TIMEOUT_RETRY_COST - RETRY_COST


async def test_backoff_doubles_up_to_20_seconds(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(then=status(503))
    client = make_client(max_attempts=8)
    client._retry.random = lambda: 1.0
    with pytest.raises(aiocognito.ServiceError) as info:
        await login(client)
    assert info.value.attempts == 8
    assert sleeps(client) == [1, 2, 4, 8, 16, 20, 20]


async def test_backoff_is_jittered(server: FaultServer, make_client: MakeClient) -> None:
    server.script(then=status(503))
    client = make_client(max_attempts=4)
    client._retry.random = iter([0.5, 0.25, 0.0]).__next__
    with pytest.raises(aiocognito.ServiceError):
        await login(client)
    assert sleeps(client) == [0.5, 0.5, 0.0]


async def test_total_timeout_includes_backoff(server: FaultServer, make_client: MakeClient) -> None:
    """Real sleeps this time: a 1 s backoff does not fit in a 0.3 s total timeout."""
    import asyncio
    import time

    server.script(then=status(503))
    client = make_client(total_timeout=0.3)
    client._retry.sleep = asyncio.sleep
    client._retry.random = lambda: 1.0
    started = time.perf_counter()
    with pytest.raises(aiocognito.TimeoutError) as info:
        await login(client)
    assert time.perf_counter() - started < 1.0
    assert server.count == info.value.attempts == 1
    assert "total timeout of 0.3 s" in str(info.value)
