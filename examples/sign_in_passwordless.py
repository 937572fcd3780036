"""Passwordless and passkey sign-in with Cognito's choice-based flow (USER_AUTH).

    python examples/sign_in_passwordless.py --user-pool-id eu-west-1_Ab3dEf \\
        --client-id 1example23456789 --username alice@example.com
    python examples/sign_in_passwordless.py ... --preferred EMAIL_OTP   # skip the choice

The script asks the pool how this user can sign in (``SELECT_CHALLENGE``), lets you pick one
of the offered ways, or goes straight to ``--preferred``, and answers what follows:

- ``EMAIL_OTP`` / ``SMS_OTP``: the pool sends a one-time code; type it in.
- ``WEB_AUTHN``: a passkey. The script prints the credential request options as one line of
  JSON (``CREDENTIAL_REQUEST_OPTIONS ...``): hand them to ``navigator.credentials.get`` in a
  browser (after ``PublicKeyCredential.parseRequestOptionsFromJSON``) and paste the result's
  ``toJSON()`` back as one line.
- ``PASSWORD`` / ``PASSWORD_SRP``: the password, from ``$COGNITO_PASSWORD`` or asked for.

Once signed in it lists the user's passkeys. The pool must be on the Essentials tier or above
with the ways you want to offer allowed, and the app client must allow ``ALLOW_USER_AUTH``.
Local emulators do not implement this flow (moto 5.2 has no USER_AUTH): the project's tests
run this script against their own Cognito stand-in. Endpoint and region are found as in
``quickstart.py``; the client secret comes from ``--client-secret`` or
``$COGNITO_CLIENT_SECRET``. Codes, passwords and tokens are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys

from aiocognito import CognitoError, CognitoIdentityProviderClient, ServiceError
from aiocognito.auth import (
    EmailOtp,
    NewPasswordRequired,
    SelectChallenge,
    SignedIn,
    SignInStep,
    SmsMfa,
    SmsOtp,
    SoftwareTokenMfa,
    UserPoolAuth,
    WebAuthnChallenge,
)
from aiocognito.shapes import UnmodeledValue

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL")
EMULATOR_REGION = "us-east-1"


def say(text: str) -> None:
    print(text, flush=True)


def ask(prompt: str) -> str:
    say(prompt)
    return sys.stdin.readline().strip()


def password() -> str:
    return os.environ.get("COGNITO_PASSWORD") or getpass.getpass("   password: ")


async def answer_until_signed_in(step: SignInStep) -> SignedIn:
    while not isinstance(step, SignedIn):
        say(f"   the pool asks {step.name}")
        if isinstance(step, SelectChallenge):
            say(f"   ways to sign in: {', '.join(step.options)}")
            # Typed by the user: checked against the options (by answer()), not by mypy.
            choice = UnmodeledValue(ask("   choose one:"))
            if choice in ("PASSWORD", "PASSWORD_SRP"):
                step = await step.answer(choice, password=password())
            else:
                step = await step.answer(choice)
        elif isinstance(step, (EmailOtp, SmsOtp, SmsMfa, SoftwareTokenMfa)):
            where = f" sent to {step.destination}" if step.destination else ""
            step = await step.answer(ask(f"   code{where}:"))
        elif isinstance(step, WebAuthnChallenge):
            say("   pass these to navigator.credentials.get() and paste the credential's JSON:")
            say("CREDENTIAL_REQUEST_OPTIONS " + json.dumps(step.credential_request_options))
            step = await step.answer(ask("   credential JSON:"))
        elif isinstance(step, NewPasswordRequired):
            step = await step.answer(getpass.getpass("   new password: "))
        else:
            raise RuntimeError(f"this example cannot answer {step.name}")
    return step


async def run(endpoint_url: str | None, region: str | None, args: argparse.Namespace) -> None:
    async with CognitoIdentityProviderClient(region, endpoint_url=endpoint_url) as client:
        say(f"Cognito endpoint {client.endpoint_url} (region {client.region})")
        secret = args.client_secret or os.environ.get("COGNITO_CLIENT_SECRET")
        auth = UserPoolAuth(client, args.user_pool_id, args.client_id, secret)
        say(f"\nChoice-based sign-in of {args.username}")
        if args.preferred in ("PASSWORD", "PASSWORD_SRP"):
            first = await auth.sign_in(args.username, preferred=args.preferred, password=password())
        else:
            first = await auth.sign_in(args.username, preferred=args.preferred)
        signed_in = await answer_until_signed_in(first)
        tokens = signed_in.authentication_result
        say(
            f"   signed in as {signed_in.username}: access token {len(signed_in.access_token)} "
            f"chars, expires in {tokens.expires_in} s"
        )
        try:
            passkeys = await auth.list_passkeys(signed_in.access_token)
        except ServiceError as exc:  # e.g. WebAuthn not configured for the pool
            say(f"   passkeys: cannot list them ({exc.code})")
        else:
            say(f"   passkeys: {len(passkeys)}")
            for passkey in passkeys:
                say(f"   - {passkey.friendly_credential_name} for {passkey.relying_party_id}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--endpoint-url", help="the Cognito endpoint")
    parser.add_argument("--region", help="the AWS region")
    parser.add_argument("--user-pool-id", required=True, help="the user pool")
    parser.add_argument("--client-id", required=True, help="its app client id")
    parser.add_argument("--client-secret", help="its client secret (or $COGNITO_CLIENT_SECRET)")
    parser.add_argument("--username", required=True, help="who signs in")
    parser.add_argument(
        "--preferred",
        choices=("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "PASSWORD", "PASSWORD_SRP"),
        help="the way to try first (otherwise the pool offers a choice)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    endpoint_url: str | None = args.endpoint_url or next(
        (os.environ[name] for name in ENDPOINT_VARIABLES if os.environ.get(name)), None
    )
    region: str | None = (
        args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    if endpoint_url is not None and region is None:
        region = EMULATOR_REGION
    try:
        asyncio.run(run(endpoint_url, region, args))
    except CognitoError as exc:
        print(f"\nerror: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
