"""A service calling another service's API with a client-credentials access token.

    python examples/machine_to_machine.py --domain https://auth.example.com \\
        --client-id 1example23456789 --scope orders/read      # secret: COGNITO_CLIENT_SECRET

The app client needs a secret, the client credentials grant and the custom scopes of a
resource server. ``client_credentials()`` is meant to be called per outgoing request: the
token is cached per set of scopes until shortly before it expires, and concurrent callers
share one request to the token endpoint. Here 20 concurrent "requests" get one token; the
token itself is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from aiocognito import CognitoError
from aiocognito.oauth import OAuth2Client


async def call_orders_api(oauth: OAuth2Client, scopes: list[str], n: int) -> dict[str, str]:
    """What each outgoing request does: get the (cached) token and put it in the header."""
    tokens = await oauth.client_credentials(scopes=scopes)
    # e.g. await http.get(f"https://orders.internal/orders/{n}", headers=headers)
    return {"Authorization": f"{tokens.token_type} {tokens.access_token}"}


async def run(args: argparse.Namespace) -> None:
    async with OAuth2Client(args.domain, args.client_id, args.client_secret) as oauth:
        print(f"token endpoint of {args.domain}")
        headers = await asyncio.gather(*(call_orders_api(oauth, args.scope, n) for n in range(20)))
        distinct = len({h["Authorization"] for h in headers})
        print(f"20 concurrent requests used {distinct} access token(s)")
        tokens = await oauth.client_credentials(scopes=args.scope)
        print(
            f"scopes: {' '.join(tokens.scope or ())}; expires at {tokens.expires_at:%H:%M:%S} UTC"
        )
        print(f"tokens: {tokens!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--domain", required=True, help="the user pool domain (or stand-in)")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", default=os.environ.get("COGNITO_CLIENT_SECRET"))
    parser.add_argument("--scope", action="append", default=[], help="repeat for more")
    args = parser.parse_args()
    if not args.client_secret:
        sys.exit("error: pass --client-secret or set COGNITO_CLIENT_SECRET")
    try:
        asyncio.run(run(args))
    except CognitoError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
