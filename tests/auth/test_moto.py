"""The flows moto implements, against moto's Cognito emulator: password, SRP, refresh,
NEW_PASSWORD_REQUIRED, server-side (admin) password sign-in and the account lifecycle.

moto runs as a real server on 127.0.0.1 (see ``conftest.moto_server``). It checks passwords,
sessions and, for app clients with a secret, SECRET_HASH on InitiateAuth; it does **not**
verify SRP (its SALT and SRP_B are random and any signature passes), so the SRP tests here
only prove our messages have the shape moto expects; the SRP math is proven by the
simulation tests. Nor does it check SECRET_HASH or codes in sign-up and password reset: those
are shown against the tests' own stand-in (``test_account.py``), the wire shapes here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from attrs import evolve

from aiocognito import CognitoIdentityProviderClient, errors
from aiocognito.auth import (
    NewPasswordRequired,
    SignedIn,
    TokenClaimError,
    TokenSession,
    TokenVerifier,
    UserPoolAuth,
)

PASSWORD = "Moto-Pass-1a!"


async def _pool(
    client: CognitoIdentityProviderClient, *, secret: bool, email_usernames: bool = False
) -> UserPoolAuth:
    created = await client.create_user_pool(
        pool_name=f"auth-{secrets.token_hex(4)}",
        username_attributes=["email"] if email_usernames else None,
    )
    assert created.user_pool is not None and created.user_pool.id is not None
    pool_id = created.user_pool.id
    app = await client.create_user_pool_client(
        user_pool_id=pool_id,
        client_name="app",
        generate_secret=secret,
        explicit_auth_flows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
    )
    assert app.user_pool_client is not None and app.user_pool_client.client_id is not None
    return UserPoolAuth(
        client, pool_id, app.user_pool_client.client_id, app.user_pool_client.client_secret
    )


async def _confirmed_user(auth: UserPoolAuth, username: str) -> None:
    client = auth.client
    await client.admin_create_user(
        user_pool_id=auth.user_pool_id, username=username, message_action="SUPPRESS"
    )
    await client.admin_set_user_password(
        user_pool_id=auth.user_pool_id, username=username, password=PASSWORD, permanent=True
    )


@pytest.mark.parametrize("secret", [False, True], ids=["public-client", "client-secret"])
async def test_password_sign_in_and_refresh(
    moto_client: CognitoIdentityProviderClient, secret: bool
) -> None:
    auth = await _pool(moto_client, secret=secret)
    await _confirmed_user(auth, "alice")
    signed_in = await auth.sign_in_password("alice", PASSWORD)
    assert isinstance(signed_in, SignedIn)
    assert signed_in.username == "alice"
    assert signed_in.access_token and signed_in.refresh_token
    me = await moto_client.get_user(access_token=signed_in.access_token)
    assert me.username == "alice"

    refreshed = await auth.refresh(signed_in.refresh_token, username=signed_in.username)
    assert refreshed.access_token

    with pytest.raises(errors.NotAuthorizedException):
        await auth.sign_in_password("alice", PASSWORD + "x")


async def test_refresh_with_a_wrong_secret_hash_is_refused(
    moto_client: CognitoIdentityProviderClient,
) -> None:
    auth = await _pool(moto_client, secret=True)
    await _confirmed_user(auth, "bob")
    signed_in = await auth.sign_in_password("bob", PASSWORD)
    assert isinstance(signed_in, SignedIn) and signed_in.refresh_token
    with pytest.raises(errors.NotAuthorizedException):
        await auth.refresh(signed_in.refresh_token, username="someone-else")


async def test_new_password_required(moto_client: CognitoIdentityProviderClient) -> None:
    auth = await _pool(moto_client, secret=False)
    await moto_client.admin_create_user(
        user_pool_id=auth.user_pool_id,
        username="carol",
        temporary_password="Temp-Pass-1a!",
        message_action="SUPPRESS",
    )
    step = await auth.sign_in_password("carol", "Temp-Pass-1a!")
    assert isinstance(step, NewPasswordRequired)
    done = await step.answer("Fresh-Pass-2b!")
    assert isinstance(done, SignedIn) and done.access_token
    again = await auth.sign_in_password("carol", "Fresh-Pass-2b!")
    assert isinstance(again, SignedIn)


@pytest.mark.parametrize("secret", [False, True], ids=["public-client", "client-secret"])
async def test_srp_messages_are_what_moto_expects(
    moto_client: CognitoIdentityProviderClient, secret: bool
) -> None:
    # moto accepts any SRP proof: this checks the wire shape (the secret block sent back, the
    # session, USERNAME and SECRET_HASH), not the math. In a pool whose users sign in with
    # their email, moto's user name is its sub; the typed email is an alias.
    auth = await _pool(moto_client, secret=secret, email_usernames=True)
    await _confirmed_user(auth, "dora@example.com")
    step = await auth.sign_in_srp("dora@example.com", PASSWORD)
    assert isinstance(step, SignedIn)
    assert step.username != "dora@example.com"  # the service's own name for the user


@pytest.mark.parametrize("secret", [False, True], ids=["public-client", "client-secret"])
async def test_srp_with_a_plain_username(
    moto_client: CognitoIdentityProviderClient, secret: bool
) -> None:
    # moto sends the user's sub as USER_ID_FOR_SRP but looks the user up by USERNAME: the
    # answer must carry the challenge's USERNAME ("erin"), with SECRET_HASH over it.
    auth = await _pool(moto_client, secret=secret)
    await _confirmed_user(auth, "erin")
    step = await auth.sign_in_srp("erin", PASSWORD)
    assert isinstance(step, SignedIn)
    assert step.username == "erin"
    me = await moto_client.get_user(access_token=step.access_token or "")
    assert me.username == "erin"


async def test_token_session_refreshes_and_signs_out(
    moto_client: CognitoIdentityProviderClient,
) -> None:
    # TokenSession (tests/auth/test_session.py) on what moto has: REFRESH_TOKEN_AUTH and
    # GlobalSignOut, which moto checks for real (the refresh token dies with the sign-out).
    auth = await _pool(moto_client, secret=False)
    await _confirmed_user(auth, "erin")
    signed_in = await auth.sign_in_password("erin", PASSWORD)
    assert isinstance(signed_in, SignedIn)
    soon = datetime.now(UTC) + timedelta(seconds=10)
    session = TokenSession(auth, evolve(signed_in, expires_at=soon))
    token = await session.access_token()
    assert token != signed_in.access_token
    assert (await moto_client.get_user(access_token=token)).username == "erin"

    await session.global_sign_out()
    assert session.ended
    with pytest.raises(errors.NotAuthorizedException):
        await auth.refresh(signed_in.refresh_token or "")


async def test_token_verifier_accepts_moto_tokens(
    moto_client: CognitoIdentityProviderClient, moto_server: Any
) -> None:
    # moto signs with a key it publishes at /POOL/.well-known/jwks.json and writes the real
    # issuer (https://cognito-idp.us-east-1.amazonaws.com/POOL) into its tokens: only the JWKS
    # URL needs an override. tests/auth/test_tokens.py has every refusal.
    auth = await _pool(moto_client, secret=False)
    await _confirmed_user(auth, "fay")
    await moto_client.create_group(group_name="admins", user_pool_id=auth.user_pool_id)
    await moto_client.admin_add_user_to_group(
        user_pool_id=auth.user_pool_id, username="fay", group_name="admins"
    )
    signed_in = await auth.sign_in_password("fay", PASSWORD)
    assert isinstance(signed_in, SignedIn)
    jwks_url = f"{moto_server.url}/{auth.user_pool_id}/.well-known/jwks.json"

    async with TokenVerifier(auth.user_pool_id, auth.client_id, jwks_url=jwks_url) as access:
        claims = await access.verify(signed_in.access_token)
        assert claims.token_use == "access" and claims.client_id == auth.client_id
        assert claims.username == "fay" and claims.groups == ("admins",)
        assert "aws.cognito.signin.user.admin" in claims.scopes
        assert (
            claims.issuer
            == access.issuer
            == (f"https://cognito-idp.us-east-1.amazonaws.com/{auth.user_pool_id}")
        )
        assert abs((claims.expires_at - signed_in.expires_at).total_seconds()) < 5
        with pytest.raises(TokenClaimError, match="an id token where an access token"):
            await access.verify(signed_in.id_token)
        assert access.verify_sync(signed_in.access_token).sub == claims.sub
        assert await TokenVerifier(
            auth.user_pool_id, auth.client_id, groups="admins", jwks_url=jwks_url
        ).verify(signed_in.access_token)

    identity = TokenVerifier(auth.user_pool_id, auth.client_id, "id", jwks_url=jwks_url)
    id_claims = await identity.verify(signed_in.id_token)
    assert id_claims.username == "fay" and id_claims.client_id == auth.client_id
    other_client = TokenVerifier(auth.user_pool_id, "another-app", "id", jwks_url=jwks_url)
    with pytest.raises(TokenClaimError, match="another app client"):
        await other_client.verify(signed_in.id_token)
    emulated_issuer = TokenVerifier(
        auth.user_pool_id, auth.client_id, issuer=moto_server.url, jwks_url=jwks_url
    )
    with pytest.raises(TokenClaimError, match="issuer"):
        await emulated_issuer.verify(signed_in.access_token)
    await identity.aclose()


@pytest.mark.parametrize("secret", [False, True], ids=["public-client", "client-secret"])
async def test_admin_password_sign_in(
    moto_client: CognitoIdentityProviderClient, secret: bool
) -> None:
    # AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, then NEW_PASSWORD_REQUIRED answered
    # through AdminRespondToAuthChallenge (both signed, with moto's dummy credentials).
    auth = await _pool(moto_client, secret=secret)
    await moto_client.admin_create_user(
        user_pool_id=auth.user_pool_id,
        username="hana",
        temporary_password="Temp-Pass-1a!",
        message_action="SUPPRESS",
    )
    step = await auth.admin_sign_in_password("hana", "Temp-Pass-1a!")
    assert isinstance(step, NewPasswordRequired)
    done = await step.answer("Fresh-Pass-2b!")
    assert isinstance(done, SignedIn) and done.username == "hana"
    again = await auth.admin_sign_in_password("hana", "Fresh-Pass-2b!")
    assert isinstance(again, SignedIn)
    me = await moto_client.get_user(access_token=again.access_token)
    assert me.username == "hana"
    with pytest.raises(errors.NotAuthorizedException):
        await auth.admin_sign_in_password("hana", "Temp-Pass-1a!")


@pytest.mark.parametrize("secret", [False, True], ids=["public-client", "client-secret"])
async def test_account_lifecycle(moto_client: CognitoIdentityProviderClient, secret: bool) -> None:
    auth = await _pool(moto_client, secret=secret)
    answer = await auth.sign_up(
        "gwen", PASSWORD, attributes={"email": "gwen@example.com", "name": "Gwen"}
    )
    assert answer.user_sub and answer.user_confirmed is False
    # The attribute mapping arrived as the service's Name/Value list.
    user = await moto_client.admin_get_user(user_pool_id=auth.user_pool_id, username="gwen")
    attributes = {item.name: item.value for item in user.user_attributes or []}
    assert attributes["email"] == "gwen@example.com" and attributes["name"] == "Gwen"
    with pytest.raises(errors.UsernameExistsException):
        await auth.sign_up("gwen", PASSWORD)

    await auth.confirm_sign_up("gwen", "123456")  # moto takes any code
    assert isinstance(await auth.sign_in_password("gwen", PASSWORD), SignedIn)

    started = await auth.forgot_password("gwen")
    assert started.code_delivery_details is not None
    await auth.confirm_forgot_password("gwen", "123456", "Reset-Pass-3c!")
    assert isinstance(await auth.sign_in_password("gwen", "Reset-Pass-3c!"), SignedIn)
    with pytest.raises(errors.NotAuthorizedException):
        await auth.sign_in_password("gwen", PASSWORD)
