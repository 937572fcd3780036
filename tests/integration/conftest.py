"""One moto server for the session, fresh emulator state for every test, clients pointed at it.

The server is ``examples/_emulator.py``'s ``MotoServer`` (imported from the checkout, the same
code the demo uses): a subprocess on a free port of 127.0.0.1, polled until it answers, stopped
by its process id when the session ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from botocore.client import BaseClient as Boto3Client

from aiocognito.client import CognitoIdentityProviderClient
from examples._emulator import MotoServer
from tests.integration.support import REGION, DummyCredentials


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto's server, started once (it takes a second or two) and stopped by pid at the end."""
    with MotoServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_emulator(moto_server: MotoServer) -> MotoServer:
    """Every test starts from an empty emulator (``POST /moto-api/reset``)."""
    moto_server.reset()
    return moto_server


@pytest.fixture
async def client(moto_server: MotoServer) -> AsyncIterator[CognitoIdentityProviderClient]:
    """Our client on the emulator, with dummy credentials: nothing read from the environment."""
    async with CognitoIdentityProviderClient(
        REGION, endpoint_url=moto_server.url, credentials=DummyCredentials(), total_timeout=30
    ) as cognito:
        yield cognito


@pytest.fixture
def boto3_client(moto_server: MotoServer) -> Boto3Client:
    """boto3's client on the same emulator: the reference the differential test compares to."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    result: Boto3Client = session.client(
        "cognito-idp",
        endpoint_url=moto_server.url,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    return result
