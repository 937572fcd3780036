"""Helpers of the integration tests: credentials, passwords, SECRET_HASH, JWT claims, setup."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from aiocognito import shapes

# Imported from its module, not from the package: `from aiocognito import
# CognitoIdentityProviderClient` is `Any` to type checkers (see test_examples.py).
from aiocognito.client import CognitoIdentityProviderClient

REGION = "us-east-1"
T = TypeVar("T")


def present(value: T | None) -> T:
    """Narrow an optional response member the server must have sent."""
    assert value is not None, "the server left out a member it should send"
    return value


def password() -> str:
    """A fresh password that meets Cognito's default policy (upper, lower, digit, symbol)."""
    return f"Pw-{secrets.token_urlsafe(9)}-a1A!"


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """``SECRET_HASH`` as Cognito defines it: base64(HMAC-SHA256(secret, username + client id)).

    Written out here on purpose: these tests must not depend on ``aiocognito.auth``.
    """
    digest = hmac.new(
        client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded without checking the signature (moto's key is public)."""
    header, payload, signature = token.split(".")
    assert header and signature
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def attributes(items: list[shapes.AttributeType] | None) -> dict[str, str | None]:
    """A user's attributes as a dict."""
    return {item.name: item.value for item in items or []}


# The flows an app client needs for everything these tests do. (Typed with `| str` because the
# client's list parameters are invariant `list[Enum | str]`, not `Sequence`.)
ALL_FLOWS: list[shapes.ExplicitAuthFlowsType | str] = [
    shapes.ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH,
    shapes.ExplicitAuthFlowsType.ALLOW_ADMIN_USER_PASSWORD_AUTH,
    shapes.ExplicitAuthFlowsType.ALLOW_USER_SRP_AUTH,
    shapes.ExplicitAuthFlowsType.ALLOW_REFRESH_TOKEN_AUTH,
]


@dataclass(frozen=True)
class App:
    """A user pool with one app client, as the journeys start from."""

    pool_id: str
    client_id: str
    client_secret: str | None = None

    def secret_hash(self, username: str) -> str | None:
        """The SECRET_HASH of ``username`` for this client, or None for a public client."""
        if self.client_secret is None:
            return None
        return secret_hash(username, self.client_id, self.client_secret)

    def auth_parameters(self, username: str, **parameters: str) -> dict[str, str]:
        """``AuthParameters`` with ``USERNAME`` (and ``SECRET_HASH`` for a secret client)."""
        result = {"USERNAME": username, **parameters}
        hashed = self.secret_hash(username)
        if hashed is not None:
            result["SECRET_HASH"] = hashed
        return result


async def create_app(
    client: CognitoIdentityProviderClient, *, with_secret: bool = False, name: str = "app"
) -> App:
    """A new pool and an app client allowing every flow the tests use."""
    created = await client.create_user_pool(pool_name=f"{name}-pool")
    pool_id = present(present(created.user_pool).id)
    app_client = present(
        (
            await client.create_user_pool_client(
                user_pool_id=pool_id,
                client_name=f"{name}-client",
                generate_secret=with_secret,
                explicit_auth_flows=ALL_FLOWS,
            )
        ).user_pool_client
    )
    return App(pool_id, present(app_client.client_id), app_client.client_secret)


async def confirmed_user(
    client: CognitoIdentityProviderClient,
    app: App,
    username: str,
    user_password: str,
    *,
    email: str | None = None,
) -> str:
    """Sign ``username`` up through the app client, confirm them as admin; their ``sub``."""
    user_attributes = [shapes.AttributeType(name="email", value=email)] if email else None
    signed_up = await client.sign_up(
        client_id=app.client_id,
        username=username,
        password=user_password,
        secret_hash=app.secret_hash(username),
        user_attributes=user_attributes,
    )
    await client.admin_confirm_sign_up(user_pool_id=app.pool_id, username=username)
    return signed_up.user_sub


async def sign_in(
    client: CognitoIdentityProviderClient, app: App, username: str, user_password: str
) -> shapes.AuthenticationResultType:
    """USER_PASSWORD_AUTH that must succeed without a challenge: the tokens."""
    result = await client.initiate_auth(
        auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
        client_id=app.client_id,
        auth_parameters=app.auth_parameters(username, PASSWORD=user_password),
    )
    assert result.challenge_name is None
    return present(result.authentication_result)
