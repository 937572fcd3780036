"""Handling errors: every error the service models is its own exception class to catch.

    python examples/errors.py --emulator                        # a local moto server
    python examples/errors.py --endpoint-url http://127.0.0.1:5000
    AWS_REGION=eu-west-1 python examples/errors.py              # real AWS (creates a pool!)

A sign-up and a sign-in handler as an app would write them: each Cognito error becomes a message
the user can act on. Then what else can go wrong: an unknown resource, bad input caught before
anything is sent, and an endpoint that does not answer. Every exception is a ``CognitoError``;
the whole tree is in docs/guide/errors.md. A ``ServiceError`` carries ``.code``, ``.message``,
``.status_code`` and ``.request_id`` (what AWS support asks for).

The endpoint comes from ``--endpoint-url``, else ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``,
else ``AWS_ENDPOINT_URL``; with none of them and ``--emulator``, the script starts moto's server
itself (``pip install "moto[server]"``). The region comes from ``--region``, else
``AWS_REGION``/``AWS_DEFAULT_REGION``, else ``us-east-1`` when an endpoint URL is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import sys
from typing import Any

from _emulator import EmulatorError, MotoServer

from aiocognito import (
    CognitoError,
    CognitoIdentityProviderClient,
    ParamValidationError,
    ServiceError,
    TransportError,
    errors,
    shapes,
)

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL")
EMULATOR_REGION = "us-east-1"


# -- what an app writes ------------------------------------------------------------------------
async def register(
    client: CognitoIdentityProviderClient, client_id: str, username: str, password: str
) -> str:
    """A sign-up handler: the message to show the user."""
    try:
        result = await client.sign_up(client_id=client_id, username=username, password=password)
    except errors.UsernameExistsException:
        return "That username is taken. Did you mean to sign in?"
    except errors.InvalidPasswordException:
        return "Choose a stronger password: upper and lower case letters, a digit, a symbol."
    except errors.TooManyRequestsException:
        return "Too many attempts; try again in a minute."
    if result.user_confirmed:
        return "Welcome!"
    return "Almost there: check your inbox for a confirmation code."


async def sign_in(
    client: CognitoIdentityProviderClient, client_id: str, username: str, password: str
) -> str:
    """A sign-in handler: the message to show the user."""
    try:
        result = await client.initiate_auth(
            auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
            client_id=client_id,
            auth_parameters={"USERNAME": username, "PASSWORD": password},
        )
    except (errors.NotAuthorizedException, errors.UserNotFoundException):
        # One message for both: never tell an attacker which usernames exist. (A pool client
        # with PreventUserExistenceErrors answers NotAuthorized for unknown users anyway.)
        return "Incorrect username or password."
    except errors.UserNotConfirmedException:
        return "Please confirm your email address first."
    except errors.PasswordResetRequiredException:
        return "Your password must be reset: use 'Forgot password'."
    except errors.TooManyRequestsException:
        return "Too many attempts; try again in a minute."
    if result.challenge_name is not None:
        return f"One more step: {result.challenge_name}."
    return "Signed in."


# -- the walkthrough -----------------------------------------------------------------------------
class Expectations:
    """Prints each outcome and remembers whether it was the expected one."""

    def __init__(self) -> None:
        self.failed = 0

    def check(self, what: str, got: str, expected: str) -> None:
        ok = got == expected
        self.failed += not ok
        print(f"  {what:<42} -> {got}" + ("" if ok else f"   [expected: {expected}]"))


def strong_password() -> str:
    return f"Pw-{secrets.token_urlsafe(10)}-a1A!"


async def walkthrough(client: CognitoIdentityProviderClient, expect: Expectations) -> None:
    pool = await client.create_user_pool(pool_name=f"aiocognito-errors-{secrets.token_hex(4)}")
    pool_id = pool.user_pool.id if pool.user_pool else None
    if pool_id is None:
        raise RuntimeError("the service sent no user pool id")
    try:
        app = await client.create_user_pool_client(
            user_pool_id=pool_id,
            client_name="errors-app",
            explicit_auth_flows=[shapes.ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH],
        )
        client_id = app.user_pool_client.client_id if app.user_pool_client else None
        if client_id is None:
            raise RuntimeError("the service sent no client id")
        await handlers(client, pool_id, client_id, expect)
        await other_failures(client, expect)
    finally:
        await client.delete_user_pool(user_pool_id=pool_id)


async def handlers(
    client: CognitoIdentityProviderClient, pool_id: str, client_id: str, expect: Expectations
) -> None:
    password = strong_password()
    print("\nSign-up")
    expect.check(
        "alice signs up",
        await register(client, client_id, "alice", password),
        "Almost there: check your inbox for a confirmation code.",
    )
    expect.check(
        "alice signs up again",
        await register(client, client_id, "alice", strong_password()),
        "That username is taken. Did you mean to sign in?",
    )
    expect.check(
        "bob picks 'password'",
        await register(client, client_id, "bob", "password"),
        "Choose a stronger password: upper and lower case letters, a digit, a symbol.",
    )

    print("\nSign-in")
    expect.check(
        "alice, before confirming",
        await sign_in(client, client_id, "alice", password),
        "Please confirm your email address first.",
    )
    await client.admin_confirm_sign_up(user_pool_id=pool_id, username="alice")
    expect.check(
        "alice, wrong password",
        await sign_in(client, client_id, "alice", strong_password()),
        "Incorrect username or password.",
    )
    expect.check(
        "mallory, who has no account",
        await sign_in(client, client_id, "mallory", strong_password()),
        "Incorrect username or password.",
    )
    expect.check(
        "alice, right password",
        await sign_in(client, client_id, "alice", password),
        "Signed in.",
    )


async def other_failures(client: CognitoIdentityProviderClient, expect: Expectations) -> None:
    print("\nAny service error: the code, status and request id for logs and support")
    try:
        await client.describe_user_pool(user_pool_id=f"{client.region}_doesnotexist")
    except errors.ResourceNotFoundException as exc:
        print(f"  {exc.code} (HTTP {exc.status_code}, request id {exc.request_id}): {exc.message}")
        expect.check("a pool that does not exist", type(exc).__name__, "ResourceNotFoundException")
    except ServiceError as exc:  # anything else the service said
        expect.check("a pool that does not exist", exc.code, "ResourceNotFoundException")
    else:
        expect.check("a pool that does not exist", "no error", "ResourceNotFoundException")

    print("\nBad input is caught before anything is sent")
    form: dict[str, Any] = json.loads('{"username": 42}')  # e.g. a web form's JSON, unchecked
    try:
        await client.admin_get_user(user_pool_id="any", username=form["username"])
    except ParamValidationError as exc:
        print(f"  {exc}")
        expect.check("a number where a username goes", type(exc).__name__, "ParamValidationError")
    else:
        expect.check("a number where a username goes", "no error", "ParamValidationError")

    print("\nNo answer at all: a transport error, after the retries the client allows")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with CognitoIdentityProviderClient(
        client.region, endpoint_url=f"http://127.0.0.1:{port}", max_attempts=2
    ) as unreachable:
        try:
            await unreachable.sign_up(client_id="x", username="y", password=strong_password())
        except TransportError as exc:
            print(f"  {type(exc).__name__} after {exc.attempts} attempts: {exc}")
            expect.check("an endpoint that is down", type(exc).__name__, "TransportError")
        else:
            expect.check("an endpoint that is down", "no error", "TransportError")


# -- running it ----------------------------------------------------------------------------------
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


async def run(endpoint_url: str | None, region: str | None) -> int:
    expect = Expectations()
    async with CognitoIdentityProviderClient(region, endpoint_url=endpoint_url) as client:
        print(f"Cognito endpoint {client.endpoint_url} (region {client.region})")
        await walkthrough(client, expect)
    if expect.failed:
        print(f"\n{expect.failed} outcome(s) differed from what this example expects")
        return 1
    print("\nEvery error was caught as its own type.")
    return 0


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
            try:
                server = stack.enter_context(MotoServer())
            except EmulatorError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            endpoint_url = server.url
            # The emulator accepts any signature: never send it real credentials.
            os.environ["AWS_ACCESS_KEY_ID"] = os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
            os.environ.pop("AWS_SESSION_TOKEN", None)
        if endpoint_url is not None and region is None:
            region = EMULATOR_REGION
        try:
            return asyncio.run(run(endpoint_url, region))
        except CognitoError as exc:  # an error none of the handlers above expected
            print(f"\nerror: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
