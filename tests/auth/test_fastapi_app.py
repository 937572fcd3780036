"""examples/fastapi_app.py driven in-process through ``httpx.ASGITransport``, against moto.

moto's server signs its tokens with a key it publishes at ``/POOL/.well-known/jwks.json`` and
puts the real issuer (``https://cognito-idp.REGION.amazonaws.com/POOL``) and the usual
claims (``token_use``, ``client_id``/``aud``, ``cognito:groups``, ``scope``) in them, so the
API verifies real emulator tokens with only the JWKS URL overridden.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from aiocognito import CognitoIdentityProviderClient
from aiocognito.auth import SignedIn, TokenVerifier, UserPoolAuth
from examples.fastapi_app import create_app

PASSWORD = "Fast-Api-Pass-1a!"


async def _sign_in(auth: UserPoolAuth, name: str, group: str | None) -> SignedIn:
    client, pool_id = auth.client, auth.user_pool_id
    await client.admin_create_user(user_pool_id=pool_id, username=name, message_action="SUPPRESS")
    await client.admin_set_user_password(
        user_pool_id=pool_id, username=name, password=PASSWORD, permanent=True
    )
    if group:
        await client.admin_add_user_to_group(user_pool_id=pool_id, username=name, group_name=group)
    step = await auth.sign_in_password(name, PASSWORD)
    assert isinstance(step, SignedIn)
    return step


@pytest.fixture
async def world(moto_client: CognitoIdentityProviderClient, moto_server: Any) -> AsyncIterator[Any]:
    created = await moto_client.create_user_pool(pool_name=f"api-{secrets.token_hex(4)}")
    assert created.user_pool is not None and created.user_pool.id is not None
    pool_id = created.user_pool.id
    app_client = await moto_client.create_user_pool_client(
        user_pool_id=pool_id, client_name="api", explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    assert app_client.user_pool_client is not None
    client_id = app_client.user_pool_client.client_id
    assert client_id is not None
    await moto_client.create_group(group_name="admins", user_pool_id=pool_id)
    auth = UserPoolAuth(moto_client, pool_id, client_id)
    ada = await _sign_in(auth, "ada", "admins")
    bob = await _sign_in(auth, "bob", None)
    jwks_url = f"{moto_server.url}/{pool_id}/.well-known/jwks.json"
    app = create_app(TokenVerifier(pool_id, client_id=client_id, jwks_url=jwks_url))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as api,
    ):
        yield api, ada, bob


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_access_token_is_accepted(world: Any) -> None:
    api, ada, _ = world
    answer = await api.get("/me", headers=_bearer(ada.access_token))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["username"] == "ada" and body["groups"] == ["admins"]


async def test_groups_gate_a_route(world: Any) -> None:
    api, ada, bob = world
    assert (await api.get("/reports", headers=_bearer(ada.access_token))).status_code == 200
    refused = await api.get("/reports", headers=_bearer(bob.access_token))
    assert refused.status_code == 403 and "admins" in refused.json()["detail"]


async def test_an_id_token_sent_as_an_access_token_gets_401(world: Any) -> None:
    api, ada, _ = world
    answer = await api.get("/me", headers=_bearer(ada.id_token))
    assert answer.status_code == 401
    assert "an id token where an access token is expected" in answer.json()["detail"]
    assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert ada.id_token not in answer.text


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic YTpi"}],
    ids=["none", "garbage", "basic"],
)
async def test_missing_or_garbage_tokens_get_401(world: Any, headers: dict[str, str]) -> None:
    api, _, _ = world
    answer = await api.get("/me", headers=headers)
    assert answer.status_code == 401 and "www-authenticate" in answer.headers


async def test_a_tampered_token_gets_401(world: Any) -> None:
    api, ada, _ = world
    header, payload, signature = ada.access_token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    answer = await api.get("/me", headers=_bearer(tampered))
    assert answer.status_code == 401 and "signature" in answer.json()["detail"]
