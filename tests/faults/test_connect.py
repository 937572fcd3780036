"""Faults before any HTTP: nobody listening, and a listener that never accepts."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

import aiocognito
from tests.faults.support import login, new_client, sleeps


@pytest.fixture
def refused_url() -> str:
    """A port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def full_backlog_url() -> Iterator[str]:
    """A listener whose accept queue is full and that never accepts: connects hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # non-blocking: the handshake goes on
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield f"http://127.0.0.1:{port}/"
    for s in [*fillers, listener]:
        s.close()


async def test_connection_refused_is_retried(refused_url: str) -> None:
    client = new_client(refused_url)
    try:
        with pytest.raises(aiocognito.TransportError) as info:
            await login(client)
    finally:
        await client.close()
    exc = info.value
    assert type(exc) is aiocognito.TransportError
    assert exc.attempts == 3 and len(sleeps(client)) == 2
    assert "ConnectError" in str(exc)
    assert "Errno 111" in str(exc) or "refused" in str(exc).lower()
    assert "(after 3 attempts)" in str(exc)


async def test_connect_timeout_is_retried(full_backlog_url: str) -> None:
    client = new_client(full_backlog_url, timeout=httpx.Timeout(2.0, connect=0.2))
    started = time.perf_counter()
    try:
        with pytest.raises(aiocognito.TransportTimeoutError) as info:
            await login(client)
    finally:
        await client.close()
    assert time.perf_counter() - started < 2.0
    assert info.value.attempts == 3
    assert "timeout of 0.2 s" in str(info.value)
    assert client._retry.quota.available == 500 - 2 * 14  # a retry costs 14, after a timeout too
