"""No client secret, code, verifier or token in any message, ``repr`` or log line: a whole
session against the OAuth stand-in, every log record and every error looked through."""

from __future__ import annotations

import logging

import pytest

from aiocognito import CognitoError, oauth
from aiocognito.oauth import OAuth2Client, OAuthError, new_pkce
from tests.oauth.standin import OAuthStandIn
from tests.oauth.support import WEB_CALLBACK, secrets_of, sign_in


async def test_nothing_secret_is_shown(
    standin: OAuthStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiocognito")
    shown: list[str] = []
    sensitive = secrets_of(standin)
    async with OAuth2Client(
        standin.base, "webapp", standin.clients["webapp"].secret, issuer=standin.issuer
    ) as web:
        pkce = new_pkce()
        code = (await sign_in(web.authorize_url(redirect_uri=WEB_CALLBACK, pkce=pkce)))["code"]
        tokens = await web.exchange_code(
            code, redirect_uri=WEB_CALLBACK, code_verifier=pkce.verifier
        )
        assert tokens.refresh_token and tokens.id_token
        sensitive += [
            code,
            pkce.verifier,
            tokens.access_token,
            tokens.id_token,
            tokens.refresh_token,
        ]
        again = await web.refresh(tokens.refresh_token)
        info = await web.userinfo(tokens.access_token)
        await web.revoke(tokens.refresh_token)
        shown += [repr(x) for x in (web, pkce, tokens, again, info, await web.discover())]
        shown += [str(tokens), str(pkce)]
        failures: list[CognitoError] = []
        for call in (
            web.refresh(tokens.refresh_token),
            web.userinfo(tokens.access_token),
            web.exchange_code(code, redirect_uri=WEB_CALLBACK, code_verifier=pkce.verifier),
            web.revoke(tokens.access_token),
        ):
            with pytest.raises(OAuthError) as caught:
                await call
            failures.append(caught.value)
        shown += [f"{e!s} {e!r} {e.args!r}" for e in failures]
    async with OAuth2Client(standin.base, "machine", standin.clients["machine"].secret) as machine:
        m2m = await machine.client_credentials()
        sensitive.append(m2m.access_token)
        shown.append(repr(m2m))
    logged = [record.getMessage() for record in caplog.records]
    assert any("POST /oauth2/token -> 200" in line for line in logged)
    assert any("GET /oauth2/userInfo -> 401" in line for line in logged)
    for text in shown + logged:
        for value in sensitive:
            assert value not in text, text


def test_the_package_surface() -> None:
    assert oauth.__all__ == sorted(oauth.__all__)
    public = {
        name
        for name, value in vars(oauth).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(oauth.__name__)
    }
    assert public == set(oauth.__all__)
    assert issubclass(OAuthError, CognitoError)
