"""Cancelling calls mid-request: the right exception, the connection released, nothing leaked."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

import pytest

import aiocognito
from aiocognito import CognitoIdentityProviderClient, RetryConfig
from tests.faults.server import DeafServer, FaultServer, Stall, error, ok
from tests.faults.support import (
    assert_pool_quiet,
    login,
    new_client,
    open_connections,
    transport_for,
)

MakeClient = Callable[..., CognitoIdentityProviderClient]


async def _until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


async def test_task_cancel_mid_request(server: FaultServer, make_client: MakeClient) -> None:
    server.script(then=Stall())
    client = make_client(timeout=5.0)  # the read timeout would not end this call for a while
    task = asyncio.create_task(login(client))
    await _until(lambda: server.count == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Released at once, not when the client closes: the half-done connection is closed.
    await server.wait_all_closed()
    assert_pool_quiet(client)
    assert open_connections(client) == []
    # The client is still usable, on a new connection.
    server.script(then=ok())
    await login(client)
    assert server.accepted == 2


async def test_asyncio_timeout_around_a_call(server: FaultServer, make_client: MakeClient) -> None:
    server.script(then=Stall())
    client = make_client(timeout=10.0)
    started = time.perf_counter()
    with pytest.raises(TimeoutError) as info:
        async with asyncio.timeout(0.1):
            await login(client)
    # Bounded, not timed: far below the client's own read timeout (10 s), which a call that
    # held on to its attempt after the cancellation would wait out.
    assert time.perf_counter() - started < 5.0
    # The caller's own deadline: asyncio's TimeoutError, not the client's (no retry happened).
    assert not isinstance(info.value, aiocognito.CognitoError)
    assert server.count == 1
    await server.wait_all_closed()
    assert_pool_quiet(client)


async def test_cancel_during_backoff_stops_retrying(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(then=error(400, "TooManyRequestsException"))
    # A real 1 s backoff (the first after a throttling error, with the most jitter), cancelled.
    client = make_client(retry=RetryConfig(random=lambda: 1.0))
    task = asyncio.create_task(login(client))
    await _until(lambda: server.count == 1)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    assert server.count == 1
    assert_pool_quiet(client)  # the 503's connection went back to the pool, idle


async def test_cancel_while_waiting_for_a_connection_slot(
    server: FaultServer, make_client: MakeClient
) -> None:
    """More calls than the pool has connections: cancel the ones still queued, then the rest."""
    server.script(then=Stall())
    client = make_client(timeout=5.0)
    tasks = [asyncio.create_task(login(client)) for _ in range(150)]
    await _until(lambda: server.count == 100)
    queued, running = tasks[100:], tasks[:100]
    for task in queued:
        task.cancel()
    await asyncio.gather(*queued, return_exceptions=True)
    assert server.count == 100  # the queued ones never reached the server
    for task in running:
        task.cancel()
    results = await asyncio.gather(*running, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    await server.wait_all_closed()
    assert_pool_quiet(client)


async def test_cancel_between_connecting_and_sending(
    server: FaultServer,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
    transport_name: str,
) -> None:
    """The window of encode/httpcore#1093, hit on purpose: the connection is open, the request
    not yet started on it. httpcore leaves such a connection in its pool for good (neither
    idle nor closed); the client closes it."""
    if transport_name != "httpcore":
        pytest.skip("a window of httpcore's pool; the asyncio transport has no such state")
    from httpcore._async.http11 import AsyncHTTP11Connection

    original = AsyncHTTP11Connection.handle_async_request

    async def cancelled_on_arrival(self: AsyncHTTP11Connection, request: object) -> object:
        monkeypatch.setattr(AsyncHTTP11Connection, "handle_async_request", original)
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # as a timeout firing at this very moment would
        await asyncio.sleep(0)
        raise AssertionError("not reached")

    monkeypatch.setattr(AsyncHTTP11Connection, "handle_async_request", cancelled_on_arrival)
    client = make_client()
    task = asyncio.create_task(login(client))
    with pytest.raises(asyncio.CancelledError):
        await task
    await _until(lambda: server.accepted == 1)  # the server thread may see it a bit later
    assert server.count == 0
    await server.wait_all_closed()  # closed now, not only at client.close()
    assert open_connections(client) == []
    await login(client)  # and the pool works on
    assert server.count == 1


async def test_200_cancelled_calls_leak_nothing(
    server: FaultServer, make_client: MakeClient
) -> None:
    server.script(then=Stall())
    client = make_client(timeout=5.0)
    tasks = [asyncio.create_task(login(client)) for _ in range(200)]
    await _until(lambda: server.count == 100)  # as many in flight as the pool allows
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    await server.wait_all_closed()
    assert_pool_quiet(client)
    assert open_connections(client) == []

    # The same with asyncio's timeouts instead of explicit cancels.
    async def bounded() -> None:
        async with asyncio.timeout(0.2):
            await login(client)

    results = await asyncio.gather(*(bounded() for _ in range(200)), return_exceptions=True)
    assert all(type(r) is TimeoutError for r in results), {type(r) for r in results}
    await server.wait_all_closed()
    assert_pool_quiet(client)

    # And the client still works afterwards.
    server.script(then=ok())
    await asyncio.gather(*(login(client) for _ in range(20)))
    await client.close()
    assert open_connections(client) == []
    await server.wait_all_closed()
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current and not t.done()] == []


BIG_PARAMETERS = {f"K{i}": "x" * 100_000 for i in range(160)}
"""A 16 MB request body: far more than the socket buffers of a peer that does not read."""


async def test_cancel_while_the_body_waits_on_a_peer_that_does_not_read(
    transport_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The request body waits on write backpressure; cancelling the call closes the socket
    at once, and nothing is logged as "Future exception was never retrieved"."""
    caplog.set_level(logging.DEBUG, logger="asyncio")
    async with DeafServer() as deaf:
        client = new_client(deaf.url, transport=transport_for(transport_name), timeout=30.0)
        call = asyncio.create_task(
            client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH",
                client_id="app-client",
                auth_parameters=BIG_PARAMETERS,
            )
        )
        # Cancelled once the body is on its way, not after a guessed delay.
        await _until(deaf.receiving, timeout=10.0)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        await deaf.wait_all_closed()  # closed now, not only at client.close()
        assert_pool_quiet(client)
        assert open_connections(client) == []
        await client.close()
    gc.collect()
    await asyncio.sleep(0.05)
    assert [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()] == []
