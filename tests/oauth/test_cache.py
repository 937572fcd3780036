"""``client_credentials``: cached per scope set until shortly before expiry, one request for
many concurrent callers (single flight). Against the OAuth stand-in, which counts requests."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import pytest

from aiocognito.oauth import OAuth2Client, OAuthError
from tests.oauth.standin import OAuthStandIn


async def test_100_concurrent_calls_make_one_request(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    results = await asyncio.gather(
        *(machine.client_credentials(scopes=["orders/read"]) for _ in range(100))
    )
    assert len(standin.token_requests()) == 1
    assert all(tokens is results[0] for tokens in results)
    assert await machine.client_credentials(scopes=["orders/read"]) is results[0]
    assert len(standin.token_requests()) == 1


async def test_one_cache_entry_per_scope_set(standin: OAuthStandIn, machine: OAuth2Client) -> None:
    both = await machine.client_credentials(scopes=["orders/read", "orders/write"])
    assert (
        await machine.client_credentials(scopes=["orders/write", "orders/read", "orders/read"])
        is both
    )
    read = await machine.client_credentials(scopes=["orders/read"])
    default = await machine.client_credentials()
    assert (
        machine.client_credentials is not None and await machine.client_credentials([]) is default
    )
    assert len({id(both), id(read), id(default)}) == 3
    assert len(standin.token_requests()) == 3


async def test_renewed_shortly_before_expiry(standin: OAuthStandIn, machine: OAuth2Client) -> None:
    now = [1000.0]
    machine._clock = lambda: now[0]
    first = await machine.client_credentials()
    assert first.expires_in == 3600
    now[0] += 3600 - 61  # still more than the one-minute margin left
    assert await machine.client_credentials() is first
    now[0] += 2
    second = await machine.client_credentials()
    assert second is not first and len(standin.token_requests()) == 2


async def test_short_lived_tokens_keep_a_quarter_of_their_life(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    now = [0.0]
    machine._clock = lambda: now[0]
    token = standin.sign({"exp": int(standin.now()) + 100})
    standin.fail_next(
        200,
        b'{"access_token": "%s", "expires_in": 100}' % token.encode(),
        content_type="application/json",
    )
    first = await machine.client_credentials()
    now[0] = 74.0
    assert await machine.client_credentials() is first
    now[0] = 76.0
    assert await machine.client_credentials() is not first


async def test_a_failure_is_shared_and_not_cached(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    results = await asyncio.gather(
        *(machine.client_credentials(scopes=["orders/delete"]) for _ in range(100)),
        return_exceptions=True,
    )
    assert all(isinstance(r, OAuthError) and r.error == "invalid_scope" for r in results)
    assert len(standin.token_requests()) == 1
    with pytest.raises(OAuthError):
        await machine.client_credentials(scopes=["orders/delete"])
    assert len(standin.token_requests()) == 2


async def test_a_cancelled_caller_does_not_cancel_the_others(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    standin.delay = 0.2
    callers = [asyncio.create_task(machine.client_credentials()) for _ in range(10)]
    await asyncio.sleep(0.05)
    callers[0].cancel()
    done = await asyncio.gather(*callers[1:])
    standin.delay = 0.0
    assert callers[0].cancelled() and all(tokens is done[0] for tokens in done)
    assert len(standin.token_requests()) == 1


def test_a_client_serves_a_second_event_loop(standin: OAuthStandIn) -> None:
    """A script's second ``asyncio.run`` with the same client: the first loop's connections
    and requests are not reused there."""
    secret = standin.clients["machine"].secret
    oauth = OAuth2Client(standin.base, "machine", secret)

    async def twice(scopes: list[str]) -> None:
        await oauth.client_credentials(scopes=scopes)

    asyncio.run(twice(["orders/read"]))
    asyncio.run(twice(["orders/write"]))
    asyncio.run(oauth.aclose())
    assert len(standin.token_requests()) == 2


def test_each_loops_connections_close_with_its_asyncio_run(standin: OAuthStandIn) -> None:
    """Not dropped open for the garbage collector when the next loop opens its own."""
    secret = standin.clients["machine"].secret
    oauth = OAuth2Client(standin.base, "machine", secret)

    async def fetch(scopes: list[str]) -> Any:
        await oauth.client_credentials(scopes=scopes)
        return await oauth._senders.get()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        first = asyncio.run(fetch(["orders/read"]))
        assert first.pool.idle_connections == 0
        second = asyncio.run(fetch(["orders/write"]))
        assert second is not first and second.pool.idle_connections == 0
        asyncio.run(oauth.aclose())
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
