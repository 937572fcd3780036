"""The journeys real apps run, through our client, against moto's emulator.

Each test starts from an empty emulator. Assertions are on the typed results (attrs shapes,
enums, datetimes), the way an app reads them. See ``tests/integration/__init__.py`` for what
moto does not verify (SRP, SigV4, most codes, SECRET_HASH outside a few calls).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aiocognito import errors, shapes
from aiocognito.client import CognitoIdentityProviderClient
from tests.integration.support import (
    ALL_FLOWS,
    App,
    attributes,
    confirmed_user,
    create_app,
    jwt_claims,
    password,
    present,
    sign_in,
)

WITH_AND_WITHOUT_SECRET = pytest.mark.parametrize(
    "with_secret", [False, True], ids=["public-client", "secret-client"]
)


def recent(moment: datetime | None) -> bool:
    """A timezone-aware datetime within a minute of now (the emulator runs on this machine)."""
    assert moment is not None and moment.tzinfo is not None
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


async def test_create_pool_with_public_and_secret_clients(
    client: CognitoIdentityProviderClient,
) -> None:
    created = await client.create_user_pool(
        pool_name="journey-pool",
        policies=shapes.UserPoolPolicyType(
            password_policy=shapes.PasswordPolicyType(
                minimum_length=10, require_symbols=False, temporary_password_validity_days=3
            )
        ),
        auto_verified_attributes=[shapes.VerifiedAttributeType.EMAIL],
        mfa_configuration=shapes.UserPoolMfaType.OFF,
    )
    pool = present(created.user_pool)
    pool_id = present(pool.id)
    assert pool.name == "journey-pool"
    assert pool_id.startswith("us-east-1_")
    assert recent(pool.creation_date)
    assert pool.mfa_configuration is shapes.UserPoolMfaType.OFF
    assert pool.auto_verified_attributes == [shapes.VerifiedAttributeType.EMAIL]
    policy = present(present(pool.policies).password_policy)
    assert (policy.minimum_length, policy.require_symbols) == (10, False)

    public = present(
        (
            await client.create_user_pool_client(
                user_pool_id=pool_id,
                client_name="web",
                generate_secret=False,
                explicit_auth_flows=ALL_FLOWS,
            )
        ).user_pool_client
    )
    confidential = present(
        (
            await client.create_user_pool_client(
                user_pool_id=pool_id, client_name="backend", generate_secret=True
            )
        ).user_pool_client
    )
    assert public.client_secret is None
    assert public.explicit_auth_flows == ALL_FLOWS
    assert isinstance(confidential.client_secret, str) and confidential.client_secret
    assert public.user_pool_id == confidential.user_pool_id == pool_id

    described = present(
        (
            await client.describe_user_pool_client(
                user_pool_id=pool_id, client_id=present(confidential.client_id)
            )
        ).user_pool_client
    )
    assert described.client_secret == confidential.client_secret
    assert described.client_name == "backend"

    listed = await client.list_user_pool_clients(user_pool_id=pool_id, max_results=10)
    assert sorted(present(c.client_name) for c in present(listed.user_pool_clients)) == [
        "backend",
        "web",
    ]
    pools = present((await client.list_user_pools(max_results=10)).user_pools)
    assert [(p.id, p.name) for p in pools] == [(pool_id, "journey-pool")]


@WITH_AND_WITHOUT_SECRET
async def test_sign_up_then_admin_confirm(
    client: CognitoIdentityProviderClient, with_secret: bool
) -> None:
    app = await create_app(client, with_secret=with_secret)
    signed_up = await client.sign_up(
        client_id=app.client_id,
        username="alice",
        password=password(),
        secret_hash=app.secret_hash("alice"),
        user_attributes=[shapes.AttributeType(name="email", value="alice@example.com")],
    )
    assert signed_up.user_confirmed is False
    assert len(signed_up.user_sub) == 36

    before = await client.admin_get_user(user_pool_id=app.pool_id, username="alice")
    assert before.user_status is shapes.UserStatusType.UNCONFIRMED
    assert attributes(before.user_attributes)["sub"] == signed_up.user_sub

    await client.admin_confirm_sign_up(user_pool_id=app.pool_id, username="alice")
    after = await client.admin_get_user(user_pool_id=app.pool_id, username="alice")
    assert after.user_status is shapes.UserStatusType.CONFIRMED
    assert after.enabled is True
    assert attributes(after.user_attributes)["email"] == "alice@example.com"
    assert recent(after.user_create_date)


@WITH_AND_WITHOUT_SECRET
async def test_user_password_auth(client: CognitoIdentityProviderClient, with_secret: bool) -> None:
    app = await create_app(client, with_secret=with_secret)
    secret = password()
    sub = await confirmed_user(client, app, "alice", secret)

    tokens = await sign_in(client, app, "alice", secret)
    assert tokens.token_type == "Bearer"
    assert tokens.expires_in == 3600
    access = jwt_claims(present(tokens.access_token))
    identity = jwt_claims(present(tokens.id_token))
    assert present(tokens.refresh_token)
    assert access["token_use"] == "access"
    assert access["client_id"] == app.client_id
    assert access["username"] == "alice"
    assert access["sub"] == identity["sub"] == sub
    assert identity["token_use"] == "id"
    assert identity["aud"] == app.client_id
    assert identity["cognito:username"] == "alice"
    assert access["iss"].endswith(f"/{app.pool_id}")


@WITH_AND_WITHOUT_SECRET
async def test_admin_user_password_auth(
    client: CognitoIdentityProviderClient, with_secret: bool
) -> None:
    app = await create_app(client, with_secret=with_secret)
    secret = password()
    sub = await confirmed_user(client, app, "alice", secret)

    result = await client.admin_initiate_auth(
        user_pool_id=app.pool_id,
        client_id=app.client_id,
        auth_flow=shapes.AuthFlowType.ADMIN_USER_PASSWORD_AUTH,
        auth_parameters=app.auth_parameters("alice", PASSWORD=secret),
    )
    assert result.challenge_name is None
    tokens = present(result.authentication_result)
    assert jwt_claims(present(tokens.access_token))["sub"] == sub
    assert present(tokens.refresh_token)


@WITH_AND_WITHOUT_SECRET
async def test_refresh_token_auth(client: CognitoIdentityProviderClient, with_secret: bool) -> None:
    app = await create_app(client, with_secret=with_secret)
    secret = password()
    await confirmed_user(client, app, "alice", secret)
    first = await sign_in(client, app, "alice", secret)

    refreshed = await client.initiate_auth(
        auth_flow=shapes.AuthFlowType.REFRESH_TOKEN_AUTH,
        client_id=app.client_id,
        auth_parameters={
            "REFRESH_TOKEN": present(first.refresh_token),
            **({"SECRET_HASH": present(app.secret_hash("alice"))} if with_secret else {}),
        },
    )
    tokens = present(refreshed.authentication_result)
    assert tokens.refresh_token is None  # Cognito does not rotate refresh tokens by default
    new_access = present(tokens.access_token)
    assert new_access != first.access_token
    claims = jwt_claims(new_access)
    assert (claims["username"], claims["client_id"]) == ("alice", app.client_id)
    # The new access token works.
    me = await client.get_user(access_token=new_access)
    assert me.username == "alice"


async def test_refresh_with_a_secret_client_checks_secret_hash(
    client: CognitoIdentityProviderClient,
) -> None:
    # One of the few places moto verifies SECRET_HASH: a wrong one is rejected.
    app = await create_app(client, with_secret=True)
    secret = password()
    await confirmed_user(client, app, "alice", secret)
    first = await sign_in(client, app, "alice", secret)
    with pytest.raises(errors.NotAuthorizedException) as caught:
        await client.initiate_auth(
            auth_flow=shapes.AuthFlowType.REFRESH_TOKEN_AUTH,
            client_id=app.client_id,
            auth_parameters={
                "REFRESH_TOKEN": present(first.refresh_token),
                "SECRET_HASH": present(app.secret_hash("mallory")),
            },
        )
    assert type(caught.value) is errors.NotAuthorizedException


async def test_get_user_with_access_token(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    secret = password()
    sub = await confirmed_user(client, app, "alice", secret, email="alice@example.com")
    tokens = await sign_in(client, app, "alice", secret)

    me = await client.get_user(access_token=present(tokens.access_token))
    assert me.username == "alice"
    assert attributes(me.user_attributes) == {"sub": sub, "email": "alice@example.com"}
    assert me.mfa_options == []
    assert me.user_mfa_setting_list == []


async def test_change_password(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    old, new = password(), password()
    await confirmed_user(client, app, "alice", old)
    tokens = await sign_in(client, app, "alice", old)

    await client.change_password(
        access_token=present(tokens.access_token), previous_password=old, proposed_password=new
    )
    with pytest.raises(errors.NotAuthorizedException):
        await sign_in(client, app, "alice", old)
    assert (await sign_in(client, app, "alice", new)).access_token


async def test_global_sign_out_revokes_tokens(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    secret = password()
    await confirmed_user(client, app, "alice", secret)
    tokens = await sign_in(client, app, "alice", secret)
    access_token = present(tokens.access_token)
    assert (await client.get_user(access_token=access_token)).username == "alice"

    await client.global_sign_out(access_token=access_token)

    with pytest.raises(errors.NotAuthorizedException) as rejected:
        await client.get_user(access_token=access_token)
    assert type(rejected.value) is errors.NotAuthorizedException
    assert rejected.value.status_code == 400
    with pytest.raises(errors.NotAuthorizedException):
        await client.initiate_auth(
            auth_flow=shapes.AuthFlowType.REFRESH_TOKEN_AUTH,
            client_id=app.client_id,
            auth_parameters={"REFRESH_TOKEN": present(tokens.refresh_token)},
        )
    # Signing in again still works: sign-out ends sessions, not the account.
    assert (await sign_in(client, app, "alice", secret)).access_token


@pytest.mark.parametrize("admin", [False, True], ids=["public-api", "admin-api"])
async def test_admin_created_user_sets_a_new_password(
    client: CognitoIdentityProviderClient, admin: bool
) -> None:
    app = await create_app(client)
    temporary, final = password(), password()
    created = await client.admin_create_user(
        user_pool_id=app.pool_id,
        username="bob",
        temporary_password=temporary,
        message_action=shapes.MessageActionType.SUPPRESS,
        user_attributes=[
            shapes.AttributeType(name="email", value="bob@example.com"),
            shapes.AttributeType(name="email_verified", value="true"),
        ],
    )
    user = present(created.user)
    assert user.username == "bob"
    assert user.user_status is shapes.UserStatusType.FORCE_CHANGE_PASSWORD
    assert user.enabled is True
    assert attributes(user.attributes)["email"] == "bob@example.com"

    if admin:
        started = await client.admin_initiate_auth(
            user_pool_id=app.pool_id,
            client_id=app.client_id,
            auth_flow=shapes.AuthFlowType.ADMIN_USER_PASSWORD_AUTH,
            auth_parameters={"USERNAME": "bob", "PASSWORD": temporary},
        )
    else:
        started_public = await client.initiate_auth(
            auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
            client_id=app.client_id,
            auth_parameters={"USERNAME": "bob", "PASSWORD": temporary},
        )
        started = shapes.AdminInitiateAuthResponse(
            challenge_name=started_public.challenge_name,
            session=started_public.session,
            challenge_parameters=started_public.challenge_parameters,
        )
    assert started.challenge_name is shapes.ChallengeNameType.NEW_PASSWORD_REQUIRED
    assert started.authentication_result is None
    session = present(started.session)

    answer = {"USERNAME": "bob", "NEW_PASSWORD": final}
    if admin:
        answered = await client.admin_respond_to_auth_challenge(
            user_pool_id=app.pool_id,
            client_id=app.client_id,
            challenge_name=shapes.ChallengeNameType.NEW_PASSWORD_REQUIRED,
            session=session,
            challenge_responses=answer,
        )
        tokens = present(answered.authentication_result)
    else:
        answered_public = await client.respond_to_auth_challenge(
            client_id=app.client_id,
            challenge_name=shapes.ChallengeNameType.NEW_PASSWORD_REQUIRED,
            session=session,
            challenge_responses=answer,
        )
        tokens = present(answered_public.authentication_result)
    assert jwt_claims(present(tokens.access_token))["username"] == "bob"

    after = await client.admin_get_user(user_pool_id=app.pool_id, username="bob")
    assert after.user_status is shapes.UserStatusType.CONFIRMED
    assert (await sign_in(client, app, "bob", final)).access_token
    with pytest.raises(errors.NotAuthorizedException):
        await sign_in(client, app, "bob", temporary)


async def test_groups_and_the_groups_claim(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    secret = password()
    await confirmed_user(client, app, "alice", secret)
    await confirmed_user(client, app, "bob", password())

    admins = present(
        (
            await client.create_group(
                user_pool_id=app.pool_id,
                group_name="admins",
                description="can do anything",
                precedence=1,
            )
        ).group
    )
    assert (admins.group_name, admins.precedence, admins.user_pool_id) == (
        "admins",
        1,
        app.pool_id,
    )
    assert recent(admins.creation_date)
    await client.create_group(user_pool_id=app.pool_id, group_name="readers", precedence=5)
    await client.admin_add_user_to_group(
        user_pool_id=app.pool_id, username="alice", group_name="admins"
    )
    await client.admin_add_user_to_group(
        user_pool_id=app.pool_id, username="alice", group_name="readers"
    )
    await client.admin_add_user_to_group(
        user_pool_id=app.pool_id, username="bob", group_name="readers"
    )

    groups = present((await client.list_groups(user_pool_id=app.pool_id)).groups)
    assert [g.group_name for g in groups] == ["admins", "readers"]
    assert groups[0].description == "can do anything"
    members = (
        await client.list_users_in_group(user_pool_id=app.pool_id, group_name="readers")
    ).users
    assert sorted(present(u.username) for u in present(members)) == ["alice", "bob"]
    of_alice = await client.admin_list_groups_for_user(user_pool_id=app.pool_id, username="alice")
    assert sorted(present(g.group_name) for g in present(of_alice.groups)) == [
        "admins",
        "readers",
    ]

    tokens = await sign_in(client, app, "alice", secret)
    for token in (present(tokens.access_token), present(tokens.id_token)):
        assert sorted(jwt_claims(token)["cognito:groups"]) == ["admins", "readers"]

    await client.admin_remove_user_from_group(
        user_pool_id=app.pool_id, username="alice", group_name="admins"
    )
    tokens = await sign_in(client, app, "alice", secret)
    assert jwt_claims(present(tokens.access_token))["cognito:groups"] == ["readers"]


async def test_list_users_with_filters(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    people = {
        "ann": "ann@example.com",
        "anna": "anna@example.org",
        "bert": "bert@example.com",
    }
    for username, email in people.items():
        await client.admin_create_user(
            user_pool_id=app.pool_id,
            username=username,
            message_action=shapes.MessageActionType.SUPPRESS,
            user_attributes=[
                shapes.AttributeType(name="email", value=email),
                shapes.AttributeType(name="given_name", value=username.title()),
            ],
        )
    await client.admin_disable_user(user_pool_id=app.pool_id, username="bert")
    await client.admin_set_user_password(
        user_pool_id=app.pool_id, username="anna", password=password(), permanent=True
    )

    async def usernames(filter: str) -> list[str]:
        listed = await client.list_users(user_pool_id=app.pool_id, filter=filter)
        return sorted(present(user.username) for user in present(listed.users))

    assert await usernames('email = "anna@example.org"') == ["anna"]
    assert await usernames('username ^= "ann"') == ["ann", "anna"]
    assert await usernames('given_name = "Bert"') == ["bert"]
    assert await usernames('status = "Disabled"') == ["bert"]
    assert await usernames('cognito:user_status = "CONFIRMED"') == ["anna"]
    assert await usernames('email ^= "nobody"') == []

    only_email = await client.list_users(
        user_pool_id=app.pool_id, attributes_to_get=["email"], filter='username = "ann"'
    )
    (ann,) = present(only_email.users)
    assert attributes(ann.attributes) == {"email": "ann@example.com"}
    assert ann.user_status is shapes.UserStatusType.FORCE_CHANGE_PASSWORD


async def test_list_users_in_pages_of_three(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    expected = [f"user-{n:02d}" for n in range(10)]
    for username in expected:
        await client.admin_create_user(
            user_pool_id=app.pool_id,
            username=username,
            message_action=shapes.MessageActionType.SUPPRESS,
        )

    pages = [
        page async for page in client.paginate_list_users(user_pool_id=app.pool_id, page_size=3)
    ]
    assert [len(present(page.users)) for page in pages] == [3, 3, 3, 1]
    assert all(page.pagination_token for page in pages[:-1])
    assert pages[-1].pagination_token is None
    paged = [present(user.username) for page in pages for user in present(page.users)]
    assert sorted(paged) == expected  # each user exactly once

    items = [
        user
        async for user in client.paginate_list_users(user_pool_id=app.pool_id, page_size=3).items()
    ]
    assert all(isinstance(user, shapes.UserType) for user in items)
    assert [user.username for user in items] == paged

    # Resuming from a token a page returned continues where that page left off.
    resumed = [
        present(user.username)
        async for user in client.paginate_list_users(
            user_pool_id=app.pool_id, page_size=3, starting_token=pages[1].pagination_token
        ).items()
    ]
    assert resumed == paged[6:]


async def test_disabled_user_cannot_sign_in(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    secret = password()
    await confirmed_user(client, app, "alice", secret)
    tokens = await sign_in(client, app, "alice", secret)

    await client.admin_disable_user(user_pool_id=app.pool_id, username="alice")
    assert (
        await client.admin_get_user(user_pool_id=app.pool_id, username="alice")
    ).enabled is False
    with pytest.raises(errors.NotAuthorizedException) as caught:
        await sign_in(client, app, "alice", secret)
    assert type(caught.value) is errors.NotAuthorizedException
    assert "disabled" in caught.value.message.lower()
    with pytest.raises(errors.NotAuthorizedException):
        await client.get_user(access_token=present(tokens.access_token))

    await client.admin_enable_user(user_pool_id=app.pool_id, username="alice")
    assert (await sign_in(client, app, "alice", secret)).access_token


async def test_admin_delete_user(client: CognitoIdentityProviderClient) -> None:
    app: App = await create_app(client)
    await confirmed_user(client, app, "alice", password())
    await client.admin_delete_user(user_pool_id=app.pool_id, username="alice")
    with pytest.raises(errors.UserNotFoundException):
        await client.admin_get_user(user_pool_id=app.pool_id, username="alice")


async def test_forgot_password(client: CognitoIdentityProviderClient) -> None:
    # moto does not check the code we confirm with (see the package docstring): this journey
    # shows the calls and their typed answers, not that a wrong code would be refused.
    app = await create_app(client)
    old, new = password(), password()
    await client.update_user_pool(
        user_pool_id=app.pool_id,
        account_recovery_setting=shapes.AccountRecoverySettingType(
            recovery_mechanisms=[
                shapes.RecoveryOptionType(
                    priority=1, name=shapes.RecoveryOptionNameType.VERIFIED_EMAIL
                )
            ]
        ),
    )
    await confirmed_user(client, app, "alice", old, email="alice@example.com")

    sent = await client.forgot_password(client_id=app.client_id, username="alice")
    delivery = present(sent.code_delivery_details)
    assert delivery.delivery_medium is shapes.DeliveryMediumType.EMAIL
    assert delivery.attribute_name == "email"
    assert delivery.destination == "a***@e***"  # masked, as Cognito does

    await client.confirm_forgot_password(
        client_id=app.client_id, username="alice", confirmation_code="123456", password=new
    )
    assert (await sign_in(client, app, "alice", new)).access_token
    with pytest.raises(errors.NotAuthorizedException):
        await sign_in(client, app, "alice", old)
