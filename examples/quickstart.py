"""Quickstart: a user pool, an app client, and one user's sign-up, sign-in and token refresh.

    python examples/quickstart.py --emulator                        # a local moto server
    python examples/quickstart.py --endpoint-url http://127.0.0.1:5000
    AWS_REGION=eu-west-1 python examples/quickstart.py              # real AWS (creates a pool!)

The endpoint comes from ``--endpoint-url``, else ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``,
else ``AWS_ENDPOINT_URL``; with none of them and ``--emulator``, the script starts moto's server
itself (``pip install "moto[server]"``). The region comes from ``--region``, else
``AWS_REGION``/``AWS_DEFAULT_REGION``, else ``us-east-1`` when an endpoint URL is used.

Admin operations (creating the pool, confirming the user, deleting the pool) are SigV4-signed
with your usual AWS credentials; sign-up and sign-in are not signed at all. Against the emulator
the script uses dummy credentials. Tokens and passwords are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import time
from typing import TypeVar

from _emulator import EmulatorError, MotoServer

from aiocognito import CognitoError, CognitoIdentityProviderClient, shapes

T = TypeVar("T")

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL")
EMULATOR_REGION = "us-east-1"


class Step:
    """Numbered, timed output for each step of the walkthrough."""

    def __init__(self) -> None:
        self.number = 0
        self.started = 0.0

    def __call__(self, title: str) -> None:
        self.number += 1
        self.started = time.perf_counter()
        print(f"\n{self.number}. {title}", flush=True)

    def done(self, detail: str) -> None:
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        print(f"   {detail}  ({elapsed_ms:.0f} ms)", flush=True)


def required(value: T | None, what: str) -> T:
    """A member the service should always send for this call; fail clearly if it did not."""
    if value is None:
        raise RuntimeError(f"the service sent no {what}")
    return value


def new_password() -> str:
    """A throwaway password that meets Cognito's default policy (upper, lower, digit, symbol)."""
    return f"Qs-{secrets.token_urlsafe(12)}-a1A!"


async def quickstart(client: CognitoIdentityProviderClient) -> None:
    step = Step()
    username = "alice"
    password = new_password()

    step("Create a user pool")
    created_pool = await client.create_user_pool(
        pool_name=f"aiocognito-quickstart-{secrets.token_hex(4)}"
    )
    pool = required(created_pool.user_pool, "UserPool")
    pool_id = required(pool.id, "UserPool.Id")
    step.done(f"pool {pool.name!r}, id {pool_id}")
    try:
        step("Create an app client for password sign-in and token refresh")
        created_client = await client.create_user_pool_client(
            user_pool_id=pool_id,
            client_name="quickstart-app",
            generate_secret=False,  # a public client: no SECRET_HASH needed when signing in
            explicit_auth_flows=[
                shapes.ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH,
                shapes.ExplicitAuthFlowsType.ALLOW_REFRESH_TOKEN_AUTH,
            ],
        )
        app = required(created_client.user_pool_client, "UserPoolClient")
        client_id = required(app.client_id, "UserPoolClient.ClientId")
        flows = ", ".join(str(flow) for flow in app.explicit_auth_flows or [])
        step.done(f"client {app.client_name!r} with {flows}")

        step(f"Sign up {username!r} (an unsigned call, as an app would make it)")
        signed_up = await client.sign_up(
            client_id=client_id,
            username=username,
            password=password,
            user_attributes=[shapes.AttributeType(name="email", value="alice@example.com")],
        )
        step.done(f"user sub {signed_up.user_sub[:8]}..., confirmed: {signed_up.user_confirmed}")

        step("Confirm the sign-up as an administrator")
        await client.admin_confirm_sign_up(user_pool_id=pool_id, username=username)
        step.done("confirmed")

        step("Sign in with USER_PASSWORD_AUTH")
        signed_in = await client.initiate_auth(
            auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
            client_id=client_id,
            auth_parameters={"USERNAME": username, "PASSWORD": password},
        )
        if signed_in.challenge_name is not None:
            raise RuntimeError(f"unexpected challenge {signed_in.challenge_name}")
        tokens = required(signed_in.authentication_result, "AuthenticationResult")
        access_token = required(tokens.access_token, "AccessToken")
        refresh_token = required(tokens.refresh_token, "RefreshToken")
        step.done(
            f"{tokens.token_type} tokens: access {len(access_token)} chars, "
            f"id {len(tokens.id_token or '')} chars, refresh {len(refresh_token)} chars, "
            f"expire in {tokens.expires_in} s"
        )

        step("Read the signed-in user with their access token")
        me = await client.get_user(access_token=access_token)
        attributes = {attribute.name: attribute.value for attribute in me.user_attributes}
        sub = attributes.get("sub") or ""
        step.done(
            f"username {me.username!r}, sub {sub[:8]}..., email {attributes.get('email')!r}, "
            f"attributes: {', '.join(sorted(attributes))}"
        )

        step("Refresh the tokens with REFRESH_TOKEN_AUTH")
        refreshed = await client.initiate_auth(
            auth_flow=shapes.AuthFlowType.REFRESH_TOKEN_AUTH,
            client_id=client_id,
            auth_parameters={"REFRESH_TOKEN": refresh_token},
        )
        new_tokens = required(refreshed.authentication_result, "AuthenticationResult")
        new_access_token = required(new_tokens.access_token, "AccessToken")
        step.done(
            f"new access token: {len(new_access_token)} chars, "
            f"{'different from' if new_access_token != access_token else 'same as'} the first"
        )
    finally:
        step("Clean up: delete the user pool")
        await client.delete_user_pool(user_pool_id=pool_id)
        step.done(f"deleted {pool_id}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--endpoint-url",
        help="the Cognito endpoint, e.g. a local emulator "
        "(default: $AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, then $AWS_ENDPOINT_URL)",
    )
    parser.add_argument(
        "--region",
        help="the AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, "
        f"or {EMULATOR_REGION} when an endpoint URL is used)",
    )
    parser.add_argument(
        "--emulator",
        action="store_true",
        help='when no endpoint is configured, start a local moto server (needs "moto[server]")',
    )
    return parser.parse_args(argv)


def use_dummy_credentials() -> None:
    """The emulator accepts any signature: never send it real credentials."""
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    for variable in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(variable, None)


async def run(endpoint_url: str | None, region: str | None) -> None:
    async with CognitoIdentityProviderClient(region, endpoint_url=endpoint_url) as client:
        print(f"Cognito endpoint {client.endpoint_url} (region {client.region})")
        await quickstart(client)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    endpoint_url: str | None = args.endpoint_url or next(
        (os.environ[name] for name in ENDPOINT_VARIABLES if os.environ.get(name)), None
    )
    region: str | None = (
        args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    with contextlib.ExitStack() as stack:
        if endpoint_url is None and args.emulator:
            print("Starting a local Cognito emulator (moto server)...", flush=True)
            started = time.perf_counter()
            try:
                server = stack.enter_context(MotoServer())
            except EmulatorError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(
                f"moto server ready on {server.url} (pid {server.pid}) "
                f"in {time.perf_counter() - started:.1f} s"
            )
            endpoint_url = server.url
            use_dummy_credentials()
        elif args.emulator:
            print(f"An endpoint URL is configured ({endpoint_url}): not starting the emulator.")
        if endpoint_url is not None and region is None:
            region = EMULATOR_REGION
        started = time.perf_counter()
        try:
            asyncio.run(run(endpoint_url, region))
        except CognitoError as exc:
            print(f"\nerror: {type(exc).__name__}: {exc}", file=sys.stderr)
            if endpoint_url is None and not args.emulator:
                print("hint: add --emulator to run against a local emulator", file=sys.stderr)
            return 1
        print(f"\nDone in {time.perf_counter() - started:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
