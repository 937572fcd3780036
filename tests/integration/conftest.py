"""One moto server for the session, fresh emulator state for every test, clients pointed at it.

The server is ``examples/_emulator.py``'s ``MotoServer`` (imported from the checkout, the same
code the demo uses): a subprocess on a free port of 127.0.0.1, polled until it answers, stopped
by its process id when the session ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from botocore.client import BaseClient as Boto3Client

from aiocognito.client import CognitoIdentityProviderClient
from examples._emulator import MotoServer
from tests.credentials import FakeCredentials
from tests.integration.support import REGION


class Emulator:
    """The running moto server and the two moto-api calls the tests need.

    One HTTP connection for every reset: a few hundred resets each setting up a new client
    would cost seconds.
    """

    def __init__(self, server: MotoServer) -> None:
        self.server = server
        self.url = server.url
        self._http = httpx.Client(base_url=self.url, timeout=10.0, trust_env=False)

    def reset(self) -> None:
        """Forget every pool, user, token... (``POST /moto-api/reset``)."""
        self._http.post("/moto-api/reset").raise_for_status()

    def seed(self, value: int) -> None:
        """Seed moto's random generator: ids, secrets and tokens repeat after the same calls."""
        self._http.post("/moto-api/seed", params={"a": value}).raise_for_status()

    def close(self) -> None:
        self._http.close()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """moto's server, started once (it takes a second or two) and stopped by pid at the end."""
    with MotoServer() as server:
        emulator = Emulator(server)
        try:
            yield emulator
        finally:
            emulator.close()


@pytest.fixture(autouse=True)
def fresh_emulator(emulator: Emulator) -> Emulator:
    """Every test starts from an empty emulator."""
    emulator.reset()
    return emulator


def our_client(url: str) -> CognitoIdentityProviderClient:
    """Our client on the emulator, with dummy credentials: nothing read from the environment."""
    return CognitoIdentityProviderClient(
        REGION, endpoint_url=url, credentials=FakeCredentials(), total_timeout=30
    )


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[CognitoIdentityProviderClient]:
    async with our_client(emulator.url) as cognito:
        yield cognito


@pytest.fixture(scope="session")
def boto3_client(emulator: Emulator) -> Boto3Client:
    """boto3's client on the same emulator: the reference the differential test compares to."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    result: Boto3Client = session.client(
        "cognito-idp",
        endpoint_url=emulator.url,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    return result
