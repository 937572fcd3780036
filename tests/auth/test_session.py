"""``TokenSession``: refresh before expiry, once for many callers, and sign-out.

Against the tests' fake Cognito (tests/auth/fake_cognito.py) over HTTP: moto 5.2 has neither
``GetTokensFromRefreshToken`` (refresh token rotation) nor ``RevokeToken``, so the fake
implements them from the API reference, with rotation's rule that an app client which rotates
refuses ``REFRESH_TOKEN_AUTH``. The same journey against moto's server, for what it has
(``REFRESH_TOKEN_AUTH`` and ``GlobalSignOut``), is in tests/auth/test_moto.py.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from attrs import evolve

from aiocognito import ParamValidationError, errors
from aiocognito.auth import SessionExpiredError, SignedIn, TokenSession, UserPoolAuth
from tests.auth.fake_cognito import CLIENT_SECRET, FakeCognito, auth_for

PASSWORD = "Correct-Horse-42"
SECRET = CLIENT_SECRET
_auth = auth_for


async def _signed_in(fake: FakeCognito, auth: UserPoolAuth) -> SignedIn:
    fake.add_user("ann-0001", PASSWORD, aliases=("ann@example.com",))
    step = await auth.sign_in_password("ann@example.com", PASSWORD)
    assert isinstance(step, SignedIn)
    fake.requests.clear()
    return step


def _expiring(signed_in: SignedIn, seconds: float = 10.0) -> SignedIn:
    """The same tokens, as if they expired in ``seconds``."""
    return evolve(signed_in, expires_at=datetime.now(UTC) + timedelta(seconds=seconds))


def _refresh_ops(fake: FakeCognito) -> list[str]:
    return [
        op if op != "InitiateAuth" else str(body.get("AuthFlow"))
        for op, body in fake.requests
        if op in ("InitiateAuth", "GetTokensFromRefreshToken")
    ]


async def test_fresh_tokens_are_returned_without_a_request(fake: FakeCognito, client: Any) -> None:
    auth = _auth(client, False)
    signed_in = await _signed_in(fake, auth)
    session = TokenSession(auth, signed_in)
    assert await session.access_token() == signed_in.access_token
    assert await session.id_token() == signed_in.id_token
    assert fake.requests == []


async def test_refreshes_within_the_margin(
    fake: FakeCognito, client: Any, with_secret: bool
) -> None:
    auth = _auth(client, with_secret)
    signed_in = await _signed_in(fake, auth)
    session = TokenSession(auth, _expiring(signed_in, 59), margin=60)
    token = await session.access_token()
    assert token != signed_in.access_token
    assert _refresh_ops(fake) == ["REFRESH_TOKEN_AUTH"]
    assert session.expires_at > datetime.now(UTC) + timedelta(seconds=3500)
    assert session.refresh_token == signed_in.refresh_token  # no rotation: the same one
    assert await session.access_token() == token  # fresh now: no second refresh
    assert len(_refresh_ops(fake)) == 1
    if with_secret:  # SECRET_HASH over the service's name for the user, not the alias
        (_, body), *_ = fake.requests
        assert body["AuthParameters"]["USERNAME"] == "ann-0001"


async def test_fifty_concurrent_callers_cause_one_refresh(fake: FakeCognito, client: Any) -> None:
    auth = _auth(client, False)
    session = TokenSession(auth, _expiring(await _signed_in(fake, auth)))
    tokens = await asyncio.gather(*(session.access_token() for _ in range(50)))
    assert len(set(tokens)) == 1
    assert _refresh_ops(fake) == ["REFRESH_TOKEN_AUTH"]


async def test_a_cancelled_caller_does_not_cancel_the_refresh_of_the_others(
    fake: FakeCognito, client: Any
) -> None:
    auth = _auth(client, False)
    session = TokenSession(auth, _expiring(await _signed_in(fake, auth)))
    first = asyncio.ensure_future(session.access_token())
    others = [asyncio.ensure_future(session.access_token()) for _ in range(5)]
    await asyncio.sleep(0)
    first.cancel()
    tokens = await asyncio.gather(*others)
    assert first.cancelled() and len(set(tokens)) == 1
    assert _refresh_ops(fake) == ["REFRESH_TOKEN_AUTH"]


async def test_a_refused_refresh_ends_the_session_for_good(
    fake: FakeCognito, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    auth = _auth(client, False)
    signed_in = await _signed_in(fake, auth)
    fake.tokens.pop(signed_in.refresh_token or "")  # expired or revoked at the service
    session = TokenSession(auth, _expiring(signed_in))
    caplog.set_level(logging.DEBUG, logger="aiocognito")
    results = await asyncio.gather(
        *(session.access_token() for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, SessionExpiredError) for r in results)
    error = results[0]
    assert isinstance(error, SessionExpiredError)
    assert isinstance(error.__cause__, errors.NotAuthorizedException)
    assert "NotAuthorizedException" in str(error) and "sign in again" in str(error)
    assert session.ended and _refresh_ops(fake) == ["REFRESH_TOKEN_AUTH"]

    fake.requests.clear()
    for call in (session.access_token, session.id_token, session.refresh, session.revoke):
        with pytest.raises(SessionExpiredError, match="refused the refresh token") as again:
            await call()
        assert isinstance(again.value.__cause__, errors.NotAuthorizedException)
    assert fake.requests == []  # it sticks: nothing is sent any more
    for secret in (signed_in.access_token, signed_in.refresh_token or "", signed_in.id_token):
        assert secret not in caplog.text and secret not in repr(session)


async def test_other_failures_are_raised_and_the_next_call_tries_again(
    fake: FakeCognito, client: Any
) -> None:
    auth = _auth(client, False)
    session = TokenSession(auth, _expiring(await _signed_in(fake, auth)))
    fake.fail_once["InitiateAuth"] = "UserLambdaValidationException"
    with pytest.raises(errors.UserLambdaValidationException):
        await session.access_token()
    assert not session.ended
    assert await session.access_token()
    assert _refresh_ops(fake) == ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH"]


async def test_rotation_keeps_the_new_refresh_token(
    fake: FakeCognito, client: Any, with_secret: bool
) -> None:
    auth = _auth(client, with_secret)
    fake.rotating_clients.add(auth._client_id)  # pyright: ignore[reportPrivateUsage]
    signed_in = await _signed_in(fake, auth)
    first_refresh = signed_in.refresh_token
    session = TokenSession(auth, _expiring(signed_in), rotate_refresh_token=True)
    await session.access_token()
    second_refresh = session.refresh_token
    assert second_refresh and second_refresh != first_refresh
    await session.refresh()
    assert session.refresh_token not in (first_refresh, second_refresh)
    assert _refresh_ops(fake) == ["GetTokensFromRefreshToken"] * 2
    sent = [body for op, body in fake.requests if op == "GetTokensFromRefreshToken"]
    assert [body["RefreshToken"] for body in sent] == [first_refresh, second_refresh]
    assert all(body.get("ClientSecret") == (SECRET if with_secret else None) for body in sent)

    # The token rotated out is refused (RefreshTokenReuseException): a session holding it ends.
    stale = TokenSession(auth, _expiring(signed_in), rotate_refresh_token=True)
    with pytest.raises(SessionExpiredError, match="RefreshTokenReuseException"):
        await stale.access_token()


async def test_rotation_is_chosen_explicitly(fake: FakeCognito, client: Any) -> None:
    auth = _auth(client, False)
    fake.rotating_clients.add("public-client")
    session = TokenSession(auth, _expiring(await _signed_in(fake, auth)))
    # REFRESH_TOKEN_AUTH on a rotating app client is a configuration error, not the end of
    # the session: raised as the service said it, and the session is still open.
    with pytest.raises(errors.InvalidParameterException):
        await session.access_token()
    assert not session.ended


async def test_revoke(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    auth = _auth(client, with_secret)
    signed_in = await _signed_in(fake, auth)
    session = TokenSession(auth, signed_in)
    await session.revoke()
    (op, body), *_ = fake.requests
    assert op == "RevokeToken" and body["Token"] == signed_in.refresh_token
    assert body.get("ClientSecret") == (SECRET if with_secret else None)
    assert session.ended
    with pytest.raises(SessionExpiredError, match="revoked"):
        await session.access_token()
    # At the service, the refresh token and its access tokens are gone.
    assert signed_in.access_token not in fake.tokens
    with pytest.raises(errors.NotAuthorizedException):
        await auth.refresh(signed_in.refresh_token or "", username=signed_in.username)


async def test_a_failed_revoke_leaves_the_session_open(fake: FakeCognito, client: Any) -> None:
    auth = _auth(client, False)
    session = TokenSession(auth, await _signed_in(fake, auth))
    fake.fail_once["RevokeToken"] = "UnsupportedOperationException"
    with pytest.raises(errors.UnsupportedOperationException):
        await session.revoke()
    assert not session.ended
    await session.revoke()
    assert session.ended


async def test_global_sign_out_refreshes_first_when_needed(fake: FakeCognito, client: Any) -> None:
    auth = _auth(client, False)
    signed_in = await _signed_in(fake, auth)
    session = TokenSession(auth, _expiring(signed_in))
    await session.global_sign_out()
    assert [op for op, _ in fake.requests] == ["InitiateAuth", "GlobalSignOut"]
    assert fake.requests[1][1]["AccessToken"] == session.signed_in.access_token
    assert session.ended and signed_in.refresh_token not in fake.tokens


async def test_a_sign_in_without_a_refresh_token_cannot_refresh(
    fake: FakeCognito, client: Any
) -> None:
    auth = _auth(client, False)
    signed_in = await _signed_in(fake, auth)
    refreshed = await auth.refresh(signed_in.refresh_token or "")
    assert refreshed.refresh_token is None
    session = TokenSession(auth, _expiring(refreshed))
    with pytest.raises(SessionExpiredError, match="no refresh token"):
        await session.access_token()


def test_margin_is_checked(client: Any) -> None:
    auth = _auth(client, False)
    from aiocognito.shapes import AuthenticationResultType

    result = AuthenticationResultType(access_token="a", id_token="i", expires_in=60)
    signed_in = SignedIn(authentication_result=result, username="u")
    for margin in (-1, True, "60"):
        with pytest.raises(ParamValidationError, match="margin"):
            TokenSession(auth, signed_in, margin=margin)  # type: ignore[arg-type]
