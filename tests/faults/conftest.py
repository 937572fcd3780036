"""Fixtures of the fault suite: a fresh misbehaving server per test, clients that clean up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aiocognito import CognitoIdentityProviderClient
from tests.faults.server import FaultServer
from tests.faults.support import TRANSPORTS, new_client, transport_for

HERE = Path(__file__).parent
TEST_TIMEOUT = 30
"""pytest-timeout's limit for one test of this folder: a hang fails fast instead of stalling CI."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("timeout"):
        return  # the per-call asyncio guards still apply
    for item in items:
        if HERE in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT))


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture(params=TRANSPORTS)
def transport_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
async def make_client(
    server: FaultServer, transport_name: str
) -> AsyncIterator[Callable[..., CognitoIdentityProviderClient]]:
    """Clients for ``server``; at the end each is closed and the server must see no open socket."""
    made: list[CognitoIdentityProviderClient] = []

    def make(**kwargs: Any) -> CognitoIdentityProviderClient:
        if "http_client" not in kwargs:
            kwargs.setdefault("transport", transport_for(transport_name))
        client = new_client(server.url, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()
    await server.wait_all_closed()
    current = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert left == [], f"tasks left running: {left}"
