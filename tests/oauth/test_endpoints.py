"""Every call of ``OAuth2Client`` and every refusal, against the OAuth stand-in (``standin.py``,
written from Cognito's endpoint documentation: moto does not serve a user pool domain)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from aiocognito import ClientClosedError, CognitoError, ParamValidationError, ResponseParseError
from aiocognito.oauth import OAuth2Client, OAuthError, OAuthTokens, new_pkce
from tests.oauth.standin import POOL_ID, OAuthStandIn
from tests.oauth.support import SPA_CALLBACK, WEB_CALLBACK, sign_in


async def code_flow(oauth: OAuth2Client, callback: str, **kwargs: object) -> OAuthTokens:
    pkce = new_pkce()
    url = oauth.authorize_url(
        redirect_uri=callback, scopes=["openid", "email"], state="s-1", pkce=pkce
    )
    answer = await sign_in(url)
    assert answer["state"] == "s-1"
    return await oauth.exchange_code(
        answer["code"], redirect_uri=callback, code_verifier=pkce.verifier
    )


async def test_confidential_client_code_flow_with_basic_auth(
    standin: OAuthStandIn, webapp: OAuth2Client
) -> None:
    before = datetime.now(UTC)
    tokens = await code_flow(webapp, WEB_CALLBACK)
    assert tokens.token_type == "Bearer" and tokens.expires_in == 3600
    assert tokens.id_token and tokens.refresh_token and tokens.access_token
    assert (
        before + timedelta(seconds=3599)
        <= tokens.expires_at
        <= datetime.now(UTC) + timedelta(seconds=3600)
    )
    (request,) = standin.token_requests()
    expected = base64.b64encode(f"webapp:{standin.clients['webapp'].secret}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form["grant_type"] == "authorization_code"
    assert "client_id" not in request.form and "client_secret" not in request.form
    assert standin.verified_claims(tokens.access_token)["scope"] == "openid email"  # type: ignore[index]


async def test_public_client_sends_client_id_and_no_authorization(
    standin: OAuthStandIn, spa: OAuth2Client
) -> None:
    tokens = await code_flow(spa, SPA_CALLBACK)
    assert tokens.refresh_token
    (request,) = standin.token_requests()
    assert "authorization" not in request.headers
    assert request.form["client_id"] == "spa"
    await spa.revoke(tokens.refresh_token)
    assert standin.requests[-1].form == {"token": tokens.refresh_token, "client_id": "spa"}


async def test_wrong_pkce_verifier(webapp: OAuth2Client) -> None:
    pkce = new_pkce()
    url = webapp.authorize_url(redirect_uri=WEB_CALLBACK, scopes=["openid"], pkce=pkce)
    code = (await sign_in(url))["code"]
    with pytest.raises(OAuthError) as caught:
        await webapp.exchange_code(
            code, redirect_uri=WEB_CALLBACK, code_verifier=new_pkce().verifier
        )
    assert caught.value.error == "invalid_grant" and caught.value.status_code == 400
    assert isinstance(caught.value, CognitoError)


async def test_missing_pkce_verifier(webapp: OAuth2Client) -> None:
    url = webapp.authorize_url(redirect_uri=WEB_CALLBACK, pkce=new_pkce())
    code = (await sign_in(url))["code"]
    with pytest.raises(OAuthError, match="invalid_grant"):
        await webapp.exchange_code(code, redirect_uri=WEB_CALLBACK)


async def test_expired_code(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    code = (await sign_in(webapp.authorize_url(redirect_uri=WEB_CALLBACK)))["code"]
    standin.advance(301)  # codes are valid for five minutes
    with pytest.raises(OAuthError) as caught:
        await webapp.exchange_code(code, redirect_uri=WEB_CALLBACK)
    assert caught.value.error == "invalid_grant"


async def test_code_is_single_use_and_bound_to_redirect_uri(webapp: OAuth2Client) -> None:
    code = (await sign_in(webapp.authorize_url(redirect_uri=WEB_CALLBACK)))["code"]
    tokens = await webapp.exchange_code(code, redirect_uri=WEB_CALLBACK)
    assert tokens.id_token  # all of the client's scopes, openid among them
    with pytest.raises(OAuthError, match="invalid_grant"):
        await webapp.exchange_code(code, redirect_uri=WEB_CALLBACK)
    other = (await sign_in(webapp.authorize_url(redirect_uri=WEB_CALLBACK)))["code"]
    with pytest.raises(OAuthError, match="invalid_grant"):
        await webapp.exchange_code(other, redirect_uri="http://localhost:8000/elsewhere")


async def test_unknown_code(webapp: OAuth2Client) -> None:
    with pytest.raises(OAuthError, match="invalid_grant"):
        await webapp.exchange_code("no-such-code", redirect_uri=WEB_CALLBACK)


async def test_wrong_secret(standin: OAuthStandIn) -> None:
    async with OAuth2Client(standin.base, "webapp", "not-the-secret") as oauth:
        with pytest.raises(OAuthError) as caught:
            await oauth.exchange_code("any", redirect_uri=WEB_CALLBACK)
    assert caught.value.error == "invalid_client"
    assert "not-the-secret" not in str(caught.value) + repr(caught.value)


async def test_unknown_public_client(standin: OAuthStandIn) -> None:
    async with OAuth2Client(standin.base, "nobody") as oauth:
        with pytest.raises(OAuthError, match="invalid_client"):
            await oauth.refresh("whatever")


async def test_authorize_errors_come_back_to_the_callback(webapp: OAuth2Client) -> None:
    answer = await sign_in(
        webapp.authorize_url(redirect_uri=WEB_CALLBACK, scopes=["orders/read"], state="s")
    )
    assert answer == {"error": "invalid_scope", "state": "s"}


async def test_refresh_carries_the_refresh_token_over(
    standin: OAuthStandIn, webapp: OAuth2Client
) -> None:
    first = await code_flow(webapp, WEB_CALLBACK)
    assert first.refresh_token
    again = await webapp.refresh(first.refresh_token)
    assert (
        again.refresh_token == first.refresh_token
    )  # the answer has none: the old one stays valid
    assert again.access_token != first.access_token and again.id_token
    assert standin.token_requests()[-1].form == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
    }


async def test_revoke_ends_refresh_and_userinfo(webapp: OAuth2Client) -> None:
    tokens = await code_flow(webapp, WEB_CALLBACK)
    assert tokens.refresh_token
    await webapp.revoke(tokens.refresh_token)
    await webapp.revoke(tokens.refresh_token)  # idempotent: Cognito answers 200 again
    with pytest.raises(OAuthError, match="invalid_grant"):
        await webapp.refresh(tokens.refresh_token)
    with pytest.raises(OAuthError) as caught:
        await webapp.userinfo(tokens.access_token)
    assert caught.value.error == "invalid_token" and caught.value.status_code == 401
    assert caught.value.description and "expired" in caught.value.description


async def test_revoke_refusals(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    tokens = await code_flow(webapp, WEB_CALLBACK)
    with pytest.raises(OAuthError) as caught:
        await webapp.revoke(tokens.access_token)
    assert (caught.value.error, caught.value.status_code) == ("unsupported_token_type", 400)
    async with OAuth2Client(standin.base, "webapp", "wrong-secret") as wrong:
        with pytest.raises(OAuthError) as caught:
            await wrong.revoke("anything")
    assert (caught.value.error, caught.value.status_code) == ("invalid_client", 401)
    standin.clients["webapp"].revocation = False
    with pytest.raises(OAuthError, match="invalid_request"):
        await webapp.revoke("anything")


async def test_userinfo_is_typed(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    tokens = await code_flow(webapp, WEB_CALLBACK)
    info = await webapp.userinfo(tokens.access_token)
    alice = standin.users["alice"]
    assert info.sub == alice.sub and info.username == "alice"
    assert info.email == "alice@example.com" and info.email_verified is True
    assert info["custom:tenant"] == "acme" and info.get("missing") is None
    assert info.raw["email_verified"] == "true" and "custom:tenant" in info
    assert "alice@example.com" not in repr(info) and alice.sub in repr(info)
    assert standin.requests[-1].headers["authorization"] == f"Bearer {tokens.access_token}"


async def test_userinfo_refusals(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    with pytest.raises(OAuthError) as caught:
        await webapp.userinfo("not-a-token")
    assert (caught.value.error, caught.value.status_code) == ("invalid_token", 401)
    tokens = await code_flow(webapp, WEB_CALLBACK)
    standin.advance(3601)
    with pytest.raises(OAuthError, match="invalid_token"):
        await webapp.userinfo(tokens.access_token)
    with pytest.raises(ParamValidationError):
        await webapp.userinfo("")


async def test_client_credentials(standin: OAuthStandIn, machine: OAuth2Client) -> None:
    tokens = await machine.client_credentials(scopes=["orders/read"])
    assert tokens.id_token is None and tokens.refresh_token is None
    assert tokens.scope == ("orders/read",)
    claims = standin.verified_claims(tokens.access_token)
    assert claims is not None and claims["scope"] == "orders/read" and claims["sub"] == "machine"
    (request,) = standin.token_requests()
    assert request.headers["authorization"].startswith("Basic ")
    assert request.form == {"grant_type": "client_credentials", "scope": "orders/read"}
    everything = await machine.client_credentials()
    assert standin.verified_claims(everything.access_token)["scope"] == "orders/read orders/write"  # type: ignore[index]
    assert "scope" not in standin.token_requests()[-1].form


async def test_client_credentials_refusals(
    standin: OAuthStandIn, machine: OAuth2Client, webapp: OAuth2Client, spa: OAuth2Client
) -> None:
    with pytest.raises(OAuthError, match="invalid_scope"):
        await machine.client_credentials(scopes=["orders/delete"])
    with pytest.raises(OAuthError, match="unauthorized_client"):
        await webapp.client_credentials(scopes=["orders/read"])
    with pytest.raises(ParamValidationError, match="client_secret"):
        await spa.client_credentials()
    async with OAuth2Client(standin.base, "machine", "wrong") as wrong:
        with pytest.raises(OAuthError, match="invalid_client"):
            await wrong.client_credentials()


async def test_discover(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    config = await webapp.discover()
    assert config.issuer == standin.issuer and config.issuer.endswith(POOL_ID)
    assert config.jwks_uri == standin.jwks_url
    assert config.token_endpoint == f"{standin.base}/oauth2/token"
    assert config.id_token_signing_alg_values_supported == ("RS256",)
    assert "client_secret_basic" in config.token_endpoint_auth_methods_supported
    assert config["userinfo_endpoint"] == f"{standin.base}/oauth2/userInfo"
    assert await webapp.discover() is config
    assert len([r for r in standin.requests if "openid-configuration" in r.path]) == 1


async def test_discover_needs_the_issuer(standin: OAuthStandIn, spa: OAuth2Client) -> None:
    with pytest.raises(OAuthError) as caught:
        await spa.discover()  # Cognito serves it under the issuer, not on the domain
    assert caught.value.status_code == 404 and "issuer=" in str(caught.value)


async def test_discover_refuses_another_issuer(standin: OAuthStandIn) -> None:
    async with OAuth2Client(standin.base, "spa", issuer=f"{standin.issuer}/") as oauth:
        assert (await oauth.discover()).issuer == standin.issuer  # a trailing slash is the same
    standin_issuer = standin.issuer
    standin.base = "http://127.0.0.1:1"  # the document now names another issuer
    async with OAuth2Client(
        standin_issuer.rsplit("/", 1)[0], "spa", issuer=standin_issuer
    ) as oauth:
        with pytest.raises(ResponseParseError, match="another issuer"):
            await oauth.discover()


async def test_logout_url_is_served(standin: OAuthStandIn, webapp: OAuth2Client) -> None:
    import httpx

    async with httpx.AsyncClient() as browser:
        answer = await browser.get(webapp.logout_url("http://localhost:8000/"))
        assert (answer.status_code, answer.headers["location"]) == (302, "http://localhost:8000/")
        answer = await browser.get(webapp.logout_url("http://localhost:8000/unregistered"))
        assert answer.status_code == 400


async def test_closed_client_refuses(standin: OAuthStandIn) -> None:
    oauth = OAuth2Client(standin.base, "spa")
    await oauth.aclose()
    with pytest.raises(ClientClosedError, match="closed"):
        await oauth.refresh("x")
