"""Tokens from the OAuth endpoints verify with ``aiocognito.auth.TokenVerifier``: the stand-in
signs RS256 JWTs with Cognito's claims and publishes its key at the issuer's JWKS URL, which
``discover()`` names (the verifier's ``issuer``/``jwks_url`` overrides point at the stand-in)."""

from __future__ import annotations

from typing import Literal

import pytest

from aiocognito.auth import TokenClaimError, TokenVerifier
from aiocognito.oauth import OAuth2Client, new_pkce
from tests.oauth.standin import POOL_ID, OAuthStandIn
from tests.oauth.support import WEB_CALLBACK, sign_in


def verifier(
    standin: OAuthStandIn,
    client_id: str,
    token_use: Literal["access", "id"],
    *,
    groups: list[str] | None = None,
    scopes: list[str] | None = None,
) -> TokenVerifier:
    return TokenVerifier(
        POOL_ID,
        client_id,
        token_use,
        groups=groups,
        scopes=scopes,
        issuer=standin.issuer,
        jwks_url=standin.jwks_url,
    )


async def test_code_flow_tokens_verify(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    config = await webapp.discover()
    assert (config.issuer, config.jwks_uri) == (standin.issuer, standin.jwks_url)
    pkce = new_pkce()
    answer = await sign_in(
        webapp.authorize_url(
            redirect_uri=WEB_CALLBACK, scopes=["openid", "email"], nonce="n-7", pkce=pkce
        )
    )
    tokens = await webapp.exchange_code(
        answer["code"], redirect_uri=WEB_CALLBACK, code_verifier=pkce.verifier
    )
    assert tokens.id_token
    async with verifier(standin, "webapp", "access", groups=["admins"]) as access:
        claims = await access.verify(tokens.access_token)
    assert claims.username == "alice" and claims.client_id == "webapp"
    assert claims.scopes == ("openid", "email") and claims.groups == ("admins",)
    assert abs((claims.expires_at - tokens.expires_at).total_seconds()) < 2
    async with verifier(standin, "webapp", "id") as id_verifier:
        id_claims = await id_verifier.verify(tokens.id_token)
        assert id_claims["email"] == "alice@example.com" and id_claims["nonce"] == "n-7"
        with pytest.raises(TokenClaimError):
            await id_verifier.verify(tokens.access_token)  # an access token is not an ID token
    refreshed = await webapp.refresh(tokens.refresh_token or "")
    async with verifier(standin, "webapp", "access") as access:
        assert (await access.verify(refreshed.access_token)).sub == standin.users["alice"].sub


async def test_client_credentials_tokens_verify(
    standin: OAuthStandIn, machine: OAuth2Client
) -> None:
    tokens = await machine.client_credentials(scopes=["orders/read"])
    async with verifier(standin, "machine", "access", scopes=["orders/read"]) as access:
        claims = await access.verify(tokens.access_token)
    assert claims.sub == "machine" and claims.scopes == ("orders/read",)
    async with verifier(standin, "machine", "access", scopes=["orders/write"]) as writer:
        with pytest.raises(TokenClaimError):
            await writer.verify(tokens.access_token)
    async with verifier(standin, "webapp", "access") as other_client:
        with pytest.raises(TokenClaimError):
            await other_client.verify(tokens.access_token)
