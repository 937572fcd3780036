"""An API that accepts Cognito access tokens: FastAPI, with ``TokenVerifier`` as a dependency.

    pip install "aiocognito[jwt]" fastapi uvicorn
    COGNITO_USER_POOL_ID=eu-west-1_Ab3dEf COGNITO_CLIENT_ID=... \\
        uvicorn --factory fastapi_app:app_from_env          # serve it

    python examples/fastapi_app.py --emulator               # a demo against a local moto server
    python examples/fastapi_app.py --endpoint-url http://127.0.0.1:5000

``GET /me`` answers who the bearer of a valid access token is; ``GET /reports`` also wants the
user in the ``admins`` group. A missing or refused token gets 401 (an ID token sent instead of
an access token included: ``token_use`` is checked), a user outside the group 403, and 503 when
the pool's keys cannot be fetched. The demo creates a pool and two users in the emulator, signs
them in, and calls the API in-process through ``httpx.ASGITransport``; tokens are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from aiocognito import CognitoIdentityProviderClient
from aiocognito.auth import (
    JwksError,
    SignedIn,
    TokenClaims,
    TokenError,
    TokenVerifier,
    UserPoolAuth,
)

_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _unauthorized(reason: str) -> HTTPException:
    # RFC 6750: the reason goes in WWW-Authenticate; it names the check, never the token.
    challenge = f'Bearer error="invalid_token", error_description="{reason}"'
    return HTTPException(401, detail=reason, headers={"WWW-Authenticate": challenge})


async def current_claims(request: Request, credentials: Credentials) -> TokenClaims:
    """The dependency: the claims of the request's verified bearer token, else 401 (or 503)."""
    verifier: TokenVerifier = request.app.state.verifier
    if credentials is None:
        raise HTTPException(401, "no bearer token", headers={"WWW-Authenticate": "Bearer"})
    try:
        return await verifier.verify(credentials.credentials)
    except TokenError as exc:
        raise _unauthorized(str(exc)) from None
    except JwksError:  # the keys cannot be had now: not the caller's fault
        raise HTTPException(503, "cannot check tokens right now") from None


Claims = Annotated[TokenClaims, Depends(current_claims)]


def member_of(group: str) -> Callable[[TokenClaims], Awaitable[TokenClaims]]:
    """A dependency that also wants the user in ``group`` (``cognito:groups``), else 403."""

    async def check(claims: Claims) -> TokenClaims:
        if group not in claims.groups:
            raise HTTPException(403, f"only for the {group} group")
        return claims

    return check


async def me(claims: Claims) -> dict[str, Any]:
    return {
        "sub": claims.sub,
        "username": claims.username,
        "groups": list(claims.groups),
        "expires_at": claims.expires_at.isoformat(),
    }


async def reports(claims: Annotated[TokenClaims, Depends(member_of("admins"))]) -> dict[str, Any]:
    return {"reports": ["q1", "q2"], "for": claims.username}


def create_app(verifier: TokenVerifier) -> FastAPI:
    """The API, checking bearer tokens with ``verifier`` (closed when the app shuts down)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None, None]:
        async with verifier:  # closes the JWKS fetch's connections at shutdown
            yield

    app = FastAPI(title="aiocognito example", lifespan=lifespan)
    app.state.verifier = verifier
    app.get("/me")(me)
    app.get("/reports")(reports)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: the pool and app client from the environment."""
    verifier = TokenVerifier(
        os.environ["COGNITO_USER_POOL_ID"],
        client_id=os.environ["COGNITO_CLIENT_ID"],
        token_use="access",
        jwks_url=os.environ.get("COGNITO_JWKS_URL"),  # for an emulator; default: the pool's
    )
    return create_app(verifier)


# -- the demo against an emulator -----------------------------------------------------------


async def _user(
    client: CognitoIdentityProviderClient, auth: UserPoolAuth, name: str, group: str | None
) -> SignedIn:
    password = f"Fa-{secrets.token_urlsafe(12)}-a1A!"
    pool_id = auth.user_pool_id
    await client.admin_create_user(user_pool_id=pool_id, username=name, message_action="SUPPRESS")
    await client.admin_set_user_password(
        user_pool_id=pool_id, username=name, password=password, permanent=True
    )
    if group is not None:
        await client.admin_add_user_to_group(user_pool_id=pool_id, username=name, group_name=group)
    step = await auth.sign_in_password(name, password)
    if not isinstance(step, SignedIn):
        raise RuntimeError(f"{name}: the emulator asked {step.name}")
    return step


async def demo(endpoint_url: str, region: str) -> None:
    async with CognitoIdentityProviderClient(region, endpoint_url=endpoint_url) as client:
        created = await client.create_user_pool(pool_name=f"fastapi-{secrets.token_hex(4)}")
        assert created.user_pool is not None and created.user_pool.id is not None
        pool_id = created.user_pool.id
        app_client = await client.create_user_pool_client(
            user_pool_id=pool_id,
            client_name="api",
            explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        assert app_client.user_pool_client is not None
        client_id = app_client.user_pool_client.client_id
        assert client_id is not None
        try:
            await client.create_group(group_name="admins", user_pool_id=pool_id)
            auth = UserPoolAuth(client, pool_id, client_id)
            ada = await _user(client, auth, "ada", "admins")
            bob = await _user(client, auth, "bob", None)
            # The emulator serves the pool's keys under its own URL; the issuer in its tokens
            # is the real one (https://cognito-idp.REGION.amazonaws.com/POOL).
            jwks_url = f"{endpoint_url.rstrip('/')}/{pool_id}/.well-known/jwks.json"
            print(f"pool {pool_id} at {endpoint_url}; keys from {jwks_url}")
            verifier = TokenVerifier(pool_id, client_id=client_id, jwks_url=jwks_url)
            app = create_app(verifier)
            calls = [
                ("/me", "ada's access token", ada.access_token),
                ("/reports", "ada's access token (admins)", ada.access_token),
                ("/reports", "bob's access token (no group)", bob.access_token),
                ("/me", "ada's ID token instead", ada.id_token),
                ("/me", "no token", None),
            ]
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://api"
                ) as api,
            ):
                for path, what, token in calls:
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    answer = await api.get(path, headers=headers)
                    print(f"GET {path} with {what}: {answer.status_code} {answer.json()}")
        finally:
            await client.delete_user_pool(user_pool_id=pool_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--endpoint-url", help="a Cognito emulator's URL")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--emulator", action="store_true", help="start moto's server")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")  # the emulator's admin calls
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    if args.endpoint_url:
        asyncio.run(demo(args.endpoint_url, args.region))
        return 0
    if not args.emulator:
        parser.error("give --endpoint-url URL or --emulator (or serve it: see the docstring)")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _emulator import MotoServer

    with MotoServer() as moto:
        asyncio.run(demo(moto.url, args.region))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
