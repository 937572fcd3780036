"""Fixtures of the auth tests: both big-number backends, the fake Cognito, moto's server."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from aiocognito.auth import srp
from tests.auth.fake_cognito import FakeCognito, serve
from tests.credentials import FakeCredentials

if TYPE_CHECKING:
    from aiocognito import CognitoIdentityProviderClient

BACKENDS = ["python", "gmpy2"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with each big-number backend (gmpy2's is skipped when not installed)."""
    name: str = request.param
    if name == "gmpy2" and importlib.util.find_spec("gmpy2") is None:
        pytest.skip("gmpy2 is not installed (pip install 'aiocognito[speedups]')")
    before = srp.backend()
    srp._use_backend(name)
    try:
        yield name
    finally:
        srp._use_backend(before)


@pytest.fixture(params=[False, True], ids=["public-client", "client-secret"])
def with_secret(request: pytest.FixtureRequest) -> bool:
    """Run the test with the fake's public app client and with its client with a secret."""
    return bool(request.param)


@pytest.fixture
def fake() -> FakeCognito:
    return FakeCognito()


@pytest.fixture
def fake_url(fake: FakeCognito) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.fixture
async def client(fake_url: str) -> AsyncIterator[object]:
    from aiocognito import CognitoIdentityProviderClient

    async with CognitoIdentityProviderClient("eu-west-1", endpoint_url=fake_url) as c:
        yield c


@pytest.fixture(scope="session")
def moto_server() -> Iterator[object]:
    """moto's server on 127.0.0.1 for the whole session (skipped when moto is missing)."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        pytest.skip('moto\'s server is not installed (pip install "moto[server]>=5")')
    from examples._emulator import EmulatorError, MotoServer

    try:
        server = MotoServer()
        server.start()
    except EmulatorError as exc:
        pytest.skip(f"moto's server did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def moto_client(moto_server: Any) -> AsyncIterator[CognitoIdentityProviderClient]:
    """A client of moto's server, with dummy credentials for its admin operations."""
    from aiocognito import CognitoIdentityProviderClient

    async with CognitoIdentityProviderClient(
        "us-east-1", endpoint_url=moto_server.url, credentials=FakeCredentials()
    ) as client:
        yield client


@pytest.fixture
def aws_dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto accepts any signature: never let a test send real credentials there."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
