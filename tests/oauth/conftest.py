"""Fixtures of the OAuth tests: the stand-in of a user pool domain, served on 127.0.0.1.

The stand-in (``standin.py``) plays Cognito's OAuth 2.0 endpoints, written from the developer
guide: moto's server does not implement the user pool domain's endpoints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from aiocognito.oauth import OAuth2Client
from tests.oauth.standin import OAuthStandIn, default_standin, serve


@pytest.fixture
def standin() -> Iterator[OAuthStandIn]:
    pool = default_standin()
    with serve(pool):
        yield pool


@pytest.fixture
async def webapp(standin: OAuthStandIn) -> AsyncIterator[OAuth2Client]:
    """The confidential web app client (Basic auth)."""
    secret = standin.clients["webapp"].secret
    async with OAuth2Client(standin.base, "webapp", secret, issuer=standin.issuer) as client:
        yield client


@pytest.fixture
async def spa(standin: OAuthStandIn) -> AsyncIterator[OAuth2Client]:
    """The public client (no secret: client_id in the form)."""
    async with OAuth2Client(standin.base, "spa") as client:
        yield client


@pytest.fixture
async def machine(standin: OAuthStandIn) -> AsyncIterator[OAuth2Client]:
    """The machine-to-machine client (client credentials)."""
    secret = standin.clients["machine"].secret
    async with OAuth2Client(standin.base, "machine", secret) as client:
        yield client
