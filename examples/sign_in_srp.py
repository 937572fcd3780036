"""Sign in with SRP (the password never leaves this process), answer challenges, refresh.

    python examples/sign_in_srp.py --emulator                        # a local moto server
    python examples/sign_in_srp.py --endpoint-url http://127.0.0.1:5000
    AWS_REGION=eu-west-1 python examples/sign_in_srp.py              # real AWS (creates a pool!)

Without ``--user-pool-id`` the script makes a throwaway user pool whose users sign in with
their email, an app client *with a client secret*, and a user with a temporary password; then
it signs in with SRP, answers NEW_PASSWORD_REQUIRED, signs in again, refreshes the tokens and
deletes the pool. SECRET_HASH goes on every request by itself.

With your own pool it signs one user in and asks you for whatever the pool demands (a new
password, an MFA code, ...); ``--device-file`` remembers this device in a file (it holds the
device password: keep it private) and uses it next time, so the pool can skip MFA:

    COGNITO_PASSWORD=... python examples/sign_in_srp.py --user-pool-id eu-west-1_Ab3dEf \\
        --client-id 1example23456789 --username alice@example.com --device-file device.json

Endpoint and region are found as in ``quickstart.py`` (``--endpoint-url``, then
``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``, then ``AWS_ENDPOINT_URL``; ``--region``, then
``AWS_REGION``/``AWS_DEFAULT_REGION``, else ``us-east-1`` with an endpoint URL). The client
secret comes from ``--client-secret`` or ``COGNITO_CLIENT_SECRET``.

Note: local emulators do not verify SRP. moto sends a random salt and B and accepts any
proof, so against it this shows the flow and the messages, not the math; the project's tests
check the math against their own Cognito-side simulation. Passwords, tokens and the device
password are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import os
import secrets
import sys
import time
from pathlib import Path

from _emulator import EmulatorError, MotoServer

from aiocognito import CognitoError, CognitoIdentityProviderClient, shapes
from aiocognito.auth import (
    CustomChallenge,
    EmailOtp,
    MfaSetup,
    NewPasswordRequired,
    RememberedDevice,
    SelectMfaType,
    SignedIn,
    SignInStep,
    SmsMfa,
    SmsOtp,
    SoftwareTokenMfa,
    UserPoolAuth,
)

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL")
EMULATOR_REGION = "us-east-1"
EMULATOR_NOTE = (
    "Note: local emulators do not verify SRP (moto accepts any proof): this run shows the "
    "flow and its messages; the math is proven by the project's tests."
)


def say(text: str) -> None:
    print(text, flush=True)


def new_password() -> str:
    """A throwaway password that meets Cognito's default policy."""
    return f"Srp-{secrets.token_urlsafe(12)}-a1A!"


def describe(step: SignedIn) -> str:
    tokens = step.authentication_result
    return (
        f"signed in: access token {len(tokens.access_token or '')} chars, "
        f"id token {len(tokens.id_token or '')} chars, expires in {tokens.expires_in} s"
    )


# -- the throwaway-pool walkthrough ---------------------------------------------------------


async def walkthrough(client: CognitoIdentityProviderClient) -> None:
    email = "dora@example.com"
    temporary, password = new_password(), new_password()

    say("\n1. Create a user pool whose users sign in with their email")
    created = await client.create_user_pool(
        pool_name=f"aiocognito-srp-{secrets.token_hex(4)}",
        username_attributes=[shapes.UsernameAttributeType.EMAIL],
    )
    pool_id = (created.user_pool.id if created.user_pool else None) or ""
    say(f"   pool {pool_id}")
    try:
        say("2. Create an app client with a client secret, allowing SRP and refresh")
        made = await client.create_user_pool_client(
            user_pool_id=pool_id,
            client_name="srp-app",
            generate_secret=True,
            explicit_auth_flows=[
                shapes.ExplicitAuthFlowsType.ALLOW_USER_SRP_AUTH,
                shapes.ExplicitAuthFlowsType.ALLOW_REFRESH_TOKEN_AUTH,
            ],
        )
        app = made.user_pool_client
        if app is None or not app.client_id or not app.client_secret:
            raise RuntimeError("the service returned no app client id and secret")
        auth = UserPoolAuth(client, pool_id, app.client_id, app.client_secret)
        say("   SECRET_HASH will be added to every request by UserPoolAuth")

        say(f"3. An administrator creates {email} with a temporary password")
        await client.admin_create_user(
            user_pool_id=pool_id,
            username=email,
            temporary_password=temporary,
            message_action=shapes.MessageActionType.SUPPRESS,
        )

        say("4. Sign in with SRP using the temporary password")
        started = time.perf_counter()
        step = await auth.sign_in_srp(email, temporary)
        if not isinstance(step, NewPasswordRequired):
            raise RuntimeError(f"expected NEW_PASSWORD_REQUIRED, got {step!r}")
        say(f"   the service asks {step.name} ({(time.perf_counter() - started) * 1000:.0f} ms)")
        step = await step.answer(password)
        if not isinstance(step, SignedIn):
            raise RuntimeError(f"expected tokens, got {step!r}")
        say(f"   new password set; {describe(step)}")

        say("5. Sign in again with SRP and the new password")
        step = await auth.sign_in_srp(email, password)
        if not isinstance(step, SignedIn):
            raise RuntimeError(f"expected tokens, got {step!r}")
        say(f"   {describe(step)}")
        say(
            "   the service knows the user by its own name (USERNAME), "
            f"{'not' if step.username != email else 'the same as'} the email typed"
        )

        say("6. Refresh the tokens (SECRET_HASH over the service's name for the user)")
        if not step.refresh_token:
            raise RuntimeError("the sign-in returned no refresh token")
        refreshed = await auth.refresh(step.refresh_token, username=step.username)
        say(f"   {describe(refreshed)}")
    finally:
        say("7. Clean up: delete the user pool")
        await client.delete_user_pool(user_pool_id=pool_id)


# -- your own pool, interactively ----------------------------------------------------------------


def load_device(path: Path | None) -> RememberedDevice | None:
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return RememberedDevice(
        device_key=data["device_key"],
        device_group_key=data["device_group_key"],
        device_password=data["device_password"],
    )


def save_device(path: Path, device: RememberedDevice) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(
            {
                "device_key": device.device_key,
                "device_group_key": device.device_group_key,
                "device_password": device.device_password,
            },
            out,
        )


async def answer_until_signed_in(step: SignInStep) -> SignedIn:
    while not isinstance(step, SignedIn):
        say(f"   the service asks {step.name}")
        if isinstance(step, NewPasswordRequired):
            attributes = {name: input(f"   {name}: ") for name in step.required_attributes}
            step = await step.answer(getpass.getpass("   new password: "), attributes=attributes)
        elif isinstance(step, (SmsMfa, SoftwareTokenMfa, EmailOtp, SmsOtp)):
            where = f" sent to {step.destination}" if step.destination else ""
            step = await step.answer(input(f"   code{where}: ").strip())
        elif isinstance(step, SelectMfaType):
            step = await step.answer(input(f"   choose one of {', '.join(step.options)}: "))
        elif isinstance(step, MfaSetup):
            setup = await step.associate_software_token()
            say("   add this key to your authenticator app (it is a secret):")
            say(f"   {setup.secret_code}")
            step = await setup.verify(input("   code from the app: ").strip())
        elif isinstance(step, CustomChallenge):
            say(f"   parameters: {dict(step.parameters)}")
            step = await step.answer(input("   answer: "))
        else:
            raise RuntimeError(f"this example cannot answer {step.name}")
    return step


async def own_pool(client: CognitoIdentityProviderClient, args: argparse.Namespace) -> None:
    secret = args.client_secret or os.environ.get("COGNITO_CLIENT_SECRET")
    auth = UserPoolAuth(client, args.user_pool_id, args.client_id, secret)
    password = os.environ.get("COGNITO_PASSWORD") or getpass.getpass(
        f"password of {args.username}: "
    )
    device_file = Path(args.device_file) if args.device_file else None
    device = load_device(device_file)
    say(f"\nSign in with SRP{' and the remembered device' if device else ''}")
    signed_in = await answer_until_signed_in(
        await auth.sign_in_srp(args.username, password, device=device)
    )
    say(f"   {describe(signed_in)}")
    if device_file is not None and signed_in.new_device is not None:
        remembered = await auth.remember_device(signed_in, device_name="aiocognito example")
        save_device(device_file, remembered)
        say(f"   device {remembered.device_key} remembered; its secrets are in {device_file}")


# -- command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--endpoint-url", help="the Cognito endpoint, e.g. a local emulator")
    parser.add_argument("--region", help="the AWS region")
    parser.add_argument(
        "--emulator",
        action="store_true",
        help='when no endpoint is configured, start a local moto server (needs "moto[server]")',
    )
    parser.add_argument("--user-pool-id", help="sign in to this existing pool instead")
    parser.add_argument("--client-id", help="its app client id")
    parser.add_argument("--client-secret", help="its client secret (or $COGNITO_CLIENT_SECRET)")
    parser.add_argument("--username", help="who signs in (password: $COGNITO_PASSWORD or asked)")
    parser.add_argument("--device-file", help="remember this device in FILE and use it next time")
    args = parser.parse_args(argv)
    if args.user_pool_id and not (args.client_id and args.username):
        parser.error("--user-pool-id needs --client-id and --username")
    return args


async def run(endpoint_url: str | None, region: str | None, args: argparse.Namespace) -> None:
    async with CognitoIdentityProviderClient(region, endpoint_url=endpoint_url) as client:
        say(f"Cognito endpoint {client.endpoint_url} (region {client.region})")
        if endpoint_url is not None:
            say(EMULATOR_NOTE)
        if args.user_pool_id:
            await own_pool(client, args)
        else:
            await walkthrough(client)


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
            say("Starting a local Cognito emulator (moto server)...")
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
        started = time.perf_counter()
        try:
            asyncio.run(run(endpoint_url, region, args))
        except CognitoError as exc:
            print(f"\nerror: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        say(f"\nDone in {time.perf_counter() - started:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
