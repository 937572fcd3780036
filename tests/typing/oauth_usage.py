"""aiocognito.oauth: the client's calls and their typed results."""

from __future__ import annotations

from datetime import datetime
from typing import Any, assert_type

from aiocognito import CognitoError
from aiocognito.oauth import (
    PKCE,
    OAuth2Client,
    OAuthError,
    OAuthTokens,
    OpenIDConfiguration,
    UserInfo,
    new_pkce,
)


async def web_login(code: str) -> None:
    async with OAuth2Client("https://auth.example.com", "client-id", "secret") as oauth:
        pkce = new_pkce()
        assert_type(pkce, PKCE)
        assert_type(pkce.verifier, str)
        url = oauth.authorize_url(
            redirect_uri="https://app.example.com/callback",
            scopes=["openid", "email"],
            state="state",
            pkce=pkce,
            prompt="login",
        )
        assert_type(url, str)
        tokens = await oauth.exchange_code(
            code, redirect_uri="https://app.example.com/callback", code_verifier=pkce.verifier
        )
        assert_type(tokens, OAuthTokens)
        assert_type(tokens.access_token, str)
        assert_type(tokens.id_token, str | None)
        assert_type(tokens.expires_at, datetime)
        assert_type(tokens.scope, tuple[str, ...] | None)
        info = await oauth.userinfo(tokens.access_token)
        assert_type(info, UserInfo)
        assert_type(info.email_verified, bool | None)
        assert_type(info["custom:tenant"], Any)
        if tokens.refresh_token is not None:
            assert_type(await oauth.refresh(tokens.refresh_token), OAuthTokens)
            assert_type(await oauth.revoke(tokens.refresh_token), None)
        assert_type(oauth.logout_url("https://app.example.com/"), str)
        assert_type(await oauth.discover(), OpenIDConfiguration)
        await oauth.exchange_code(code)  # type: ignore[call-arg]


async def machine(oauth: OAuth2Client) -> None:
    try:
        tokens = await oauth.client_credentials(scopes=["orders/read"])
    except OAuthError as exc:
        assert_type(exc.error, str)
        assert_type(exc.description, str | None)
        assert isinstance(exc, CognitoError)
        return
    assert_type(tokens.expires_in, int)
