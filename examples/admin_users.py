"""Admin users: create users and groups in a user pool, then page through the users.

    python examples/admin_users.py --emulator                        # a local moto server
    python examples/admin_users.py --endpoint-url http://127.0.0.1:5000
    AWS_REGION=eu-west-1 python examples/admin_users.py              # real AWS (creates a pool!)

What a back office does with the admin API: invite users (``AdminCreateUser``, no email sent
here), put them in groups, look them up with a filter, page through all of them, disable one.
The pool is deleted at the end.

The endpoint comes from ``--endpoint-url``, else ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``,
else ``AWS_ENDPOINT_URL``; with none of them and ``--emulator``, the script starts moto's server
itself (``pip install "moto[server]"``). The region comes from ``--region``, else
``AWS_REGION``/``AWS_DEFAULT_REGION``, else ``us-east-1`` when an endpoint URL is used. Every call
here is SigV4-signed with your usual AWS credentials (dummy ones against the emulator).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import time

from _emulator import EmulatorError, MotoServer

from aiocognito import CognitoError, CognitoIdentityProviderClient, shapes

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL")
EMULATOR_REGION = "us-east-1"

# (username, given name, department) of the people to invite.
PEOPLE = [
    ("ada", "Ada", "engineering"),
    ("grace", "Grace", "engineering"),
    ("linus", "Linus", "engineering"),
    ("margaret", "Margaret", "engineering"),
    ("alan", "Alan", "research"),
    ("barbara", "Barbara", "research"),
    ("edsger", "Edsger", "research"),
    ("frances", "Frances", "support"),
    ("ken", "Ken", "support"),
    ("dennis", "Dennis", "support"),
]
PAGE_SIZE = 4


def temporary_password() -> str:
    """A one-time password that meets Cognito's default policy; users must change it."""
    return f"Tmp-{secrets.token_urlsafe(10)}-a1A!"


def attributes(user: shapes.UserType) -> dict[str, str | None]:
    return {attribute.name: attribute.value for attribute in user.attributes or []}


async def admin_users(client: CognitoIdentityProviderClient) -> None:
    created = await client.create_user_pool(
        pool_name=f"aiocognito-admin-users-{secrets.token_hex(4)}",
        # Only administrators create accounts in this pool: no self-service sign-up.
        admin_create_user_config=shapes.AdminCreateUserConfigType(
            allow_admin_create_user_only=True
        ),
    )
    pool_id = created.user_pool.id if created.user_pool else None
    if pool_id is None:
        raise RuntimeError("the service sent no user pool id")
    print(f"Created user pool {pool_id}")
    try:
        await manage_users(client, pool_id)
    finally:
        await client.delete_user_pool(user_pool_id=pool_id)
        print(f"\nDeleted user pool {pool_id}")


async def manage_users(client: CognitoIdentityProviderClient, pool_id: str) -> None:
    print(f"\nInviting {len(PEOPLE)} users (no invitation message is sent)")
    for username, given_name, _ in PEOPLE:
        response = await client.admin_create_user(
            user_pool_id=pool_id,
            username=username,
            temporary_password=temporary_password(),
            message_action=shapes.MessageActionType.SUPPRESS,
            user_attributes=[
                shapes.AttributeType(name="email", value=f"{username}@example.com"),
                shapes.AttributeType(name="email_verified", value="true"),
                shapes.AttributeType(name="given_name", value=given_name),
            ],
        )
        if response.user is not None:
            print(f"  {response.user.username:<10} {response.user.user_status}")

    print("\nCreating one group per department and adding its people")
    departments = sorted({department for _, _, department in PEOPLE})
    for precedence, department in enumerate(departments, start=1):
        await client.create_group(
            user_pool_id=pool_id,
            group_name=department,
            description=f"Everyone in {department}",
            precedence=precedence,
        )
    for username, _, department in PEOPLE:
        await client.admin_add_user_to_group(
            user_pool_id=pool_id, username=username, group_name=department
        )
    for group in (await client.list_groups(user_pool_id=pool_id)).groups or []:
        members = await client.list_users_in_group(
            user_pool_id=pool_id, group_name=group.group_name or ""
        )
        names = ", ".join(sorted(user.username or "?" for user in members.users or []))
        print(f"  {group.group_name:<12} precedence {group.precedence}: {names}")

    print("\nLooking users up with a filter (given names starting with 'A')")
    found = await client.list_users(user_pool_id=pool_id, filter='given_name ^= "A"')
    for user in found.users or []:
        print(f"  {user.username:<10} {attributes(user).get('email')}")

    print("\nDisabling 'ken', then listing disabled users")
    await client.admin_disable_user(user_pool_id=pool_id, username="ken")
    disabled = await client.list_users(user_pool_id=pool_id, filter='status = "Disabled"')
    print(f"  disabled: {[user.username for user in disabled.users or []]}")

    print("\nSetting a permanent password for 'ada' (as if she had accepted her invitation)")
    await client.admin_set_user_password(
        user_pool_id=pool_id, username="ada", password=temporary_password(), permanent=True
    )
    ada = await client.admin_get_user(user_pool_id=pool_id, username="ada")
    print(f"  ada is now {ada.user_status}")

    print(f"\nPaging through every user, {PAGE_SIZE} per page")
    total = 0
    number = 0
    async for page in client.paginate_list_users(user_pool_id=pool_id, page_size=PAGE_SIZE):
        number += 1
        usernames = [user.username or "?" for user in page.users or []]
        total += len(usernames)
        more = "more to come" if page.pagination_token else "last page"
        print(f"  page {number}: {', '.join(usernames)} ({more})")
    print(f"  {total} users in all")

    print("\nItem by item: who has not set their own password yet?")
    pending = [
        user.username or "?"
        async for user in client.paginate_list_users(
            user_pool_id=pool_id, page_size=PAGE_SIZE
        ).items()
        if user.user_status == shapes.UserStatusType.FORCE_CHANGE_PASSWORD
    ]
    print(f"  {len(pending)} invitations pending: {', '.join(sorted(pending))}")


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


async def run(endpoint_url: str | None, region: str | None) -> None:
    async with CognitoIdentityProviderClient(region, endpoint_url=endpoint_url) as client:
        print(f"Cognito endpoint {client.endpoint_url} (region {client.region})")
        await admin_users(client)


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
        started = time.perf_counter()
        try:
            asyncio.run(run(endpoint_url, region))
        except CognitoError as exc:
            print(f"\nerror: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        print(f"\nDone in {time.perf_counter() - started:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
