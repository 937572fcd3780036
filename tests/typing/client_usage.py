"""The client: construction, operation results, enum-typed parameters (closed, with one escape
hatch), bad calls."""

from __future__ import annotations

from typing import Literal, assert_type

from aiocognito import CognitoIdentityProviderClient, RetryConfig
from aiocognito.shapes import (
    AdminCreateUserResponse,
    AttributeType,
    AuthenticationResultType,
    AuthFlowType,
    AuthFlowTypeLiteral,
    ChallengeNameType,
    ExplicitAuthFlowsType,
    ExplicitAuthFlowsTypeLiteral,
    GetUserResponse,
    InitiateAuthResponse,
    ListUsersResponse,
    MessageActionType,
    UnmodeledValue,
)


async def client_lifecycle() -> None:
    async with CognitoIdentityProviderClient(region="eu-west-1") as client:
        assert_type(client, CognitoIdentityProviderClient)
        assert_type(client.region, str | None)
        assert_type(client.endpoint_url, str)
    local = CognitoIdentityProviderClient(endpoint_url="http://127.0.0.1:5000", max_attempts=1)
    await local.close()


async def retry_configuration() -> None:
    async def record(seconds: float) -> None:
        pass

    config = RetryConfig(mode="adaptive", sleep=record, random=lambda: 0.5)
    client = CognitoIdentityProviderClient(region="eu-west-1", retry=config)
    assert_type(client.retry, RetryConfig)
    assert_type(client.retry.mode, Literal["standard", "adaptive"])
    RetryConfig(mode="legacy")  # type: ignore[arg-type]
    RetryConfig("adaptive")  # type: ignore[call-arg]
    await client.close()


async def operation_results(client: CognitoIdentityProviderClient) -> None:
    started = await client.initiate_auth(
        auth_flow=AuthFlowType.USER_PASSWORD_AUTH,
        client_id="client",
        auth_parameters={"USERNAME": "alice", "PASSWORD": "pw"},
    )
    assert_type(started, InitiateAuthResponse)
    assert_type(started.authentication_result, AuthenticationResultType | None)
    assert_type(started.challenge_name, ChallengeNameType | str | None)
    assert_type(started.session, str | None)
    assert_type(started.challenge_parameters, dict[str, str] | None)

    me = await client.get_user(access_token="token")
    assert_type(me, GetUserResponse)
    assert_type(me.username, str)
    assert_type(me.user_attributes, list[AttributeType])

    users = await client.list_users(user_pool_id="eu-west-1_Ab3dEf", filter='email = "a@b.c"')
    assert_type(users, ListUsersResponse)

    created = await client.admin_create_user(
        user_pool_id="eu-west-1_Ab3dEf",
        username="bob",
        user_attributes=[AttributeType(name="email", value="bob@example.com")],
        message_action=MessageActionType.SUPPRESS,
    )
    assert_type(created, AdminCreateUserResponse)


async def operations_without_output(client: CognitoIdentityProviderClient) -> None:
    # mypy rejects `x = await ...` of a None-returning call ([func-returns-value]), not this.
    assert_type(
        await client.admin_add_user_to_group(
            user_pool_id="eu-west-1_Ab3dEf", username="bob", group_name="admins"
        ),
        None,
    )
    assert_type(
        await client.admin_delete_user(user_pool_id="eu-west-1_Ab3dEf", username="bob"), None
    )


async def enum_parameters_take_members_or_their_values(
    client: CognitoIdentityProviderClient,
) -> None:
    await client.initiate_auth(auth_flow=AuthFlowType.USER_SRP_AUTH, client_id="c")
    await client.initiate_auth(auth_flow="USER_SRP_AUTH", client_id="c")
    await client.respond_to_auth_challenge(
        client_id="c", challenge_name=ChallengeNameType.SMS_MFA, challenge_responses={}
    )
    await client.respond_to_auth_challenge(client_id="c", challenge_name="SMS_MFA")
    flow: AuthFlowTypeLiteral = "USER_PASSWORD_AUTH"  # the values, as a Literal alias
    await client.initiate_auth(auth_flow=flow, client_id="c")


async def the_escape_hatch_for_values_newer_than_the_model(
    client: CognitoIdentityProviderClient,
) -> None:
    # One way to send a value the pinned model does not list (yet), or one read from an
    # answer, whose type stays open (`ChallengeNameType | str`): UnmodeledValue.
    await client.initiate_auth(auth_flow=UnmodeledValue("A_FLOW_FROM_THE_FUTURE"), client_id="c")
    started = await client.initiate_auth(auth_flow="CUSTOM_AUTH", client_id="c")
    name = started.challenge_name
    assert_type(name, ChallengeNameType | str | None)  # results stay open
    if name is not None:
        await client.respond_to_auth_challenge(
            client_id="c", challenge_name=UnmodeledValue(name), challenge_responses={}
        )


async def lists_of_enum_members(client: CognitoIdentityProviderClient) -> None:
    # A list kept in a variable is list[ExplicitAuthFlowsType]: list parameters must accept it
    # (a `list[ExplicitAuthFlowsType | ...]` parameter would not, lists being invariant).
    flows = [ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH]
    await client.create_user_pool_client(
        user_pool_id="eu-west-1_Ab3dEf", client_name="app", explicit_auth_flows=flows
    )
    await client.create_user_pool_client(
        user_pool_id="eu-west-1_Ab3dEf",
        client_name="app",
        explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH", ExplicitAuthFlowsType.ALLOW_USER_SRP_AUTH],
    )
    mixed: list[ExplicitAuthFlowsType | ExplicitAuthFlowsTypeLiteral] = [
        "ALLOW_REFRESH_TOKEN_AUTH",
        ExplicitAuthFlowsType.ALLOW_USER_SRP_AUTH,
    ]
    await client.create_user_pool_client(
        user_pool_id="eu-west-1_Ab3dEf", client_name="app", explicit_auth_flows=mixed
    )


async def misspelt_enum_values_do_not_type_check(
    client: CognitoIdentityProviderClient, from_config: str
) -> None:
    await client.initiate_auth(auth_flow="USER_PASWORD_AUTH", client_id="c")  # type: ignore[arg-type]
    await client.initiate_auth(auth_flow=from_config, client_id="c")  # type: ignore[arg-type]
    await client.respond_to_auth_challenge(client_id="c", challenge_name="SMS")  # type: ignore[arg-type]
    await client.create_user_pool_client(
        user_pool_id="eu-west-1_Ab3dEf",
        client_name="app",
        explicit_auth_flows=["ALLOW_USER_PASWORD_AUTH"],  # type: ignore[list-item]
    )
    await client.admin_create_user(
        user_pool_id="eu-west-1_Ab3dEf",
        username="bob",
        message_action="SUPRESS",  # type: ignore[arg-type]
    )
    mixed = ["ALLOW_REFRESH_TOKEN_AUTH", ExplicitAuthFlowsType.ALLOW_USER_SRP_AUTH]  # list[str]
    await client.create_user_pool_client(
        user_pool_id="eu-west-1_Ab3dEf",
        client_name="app",
        explicit_auth_flows=mixed,  # type: ignore[arg-type]
    )


async def calls_that_must_not_type_check(client: CognitoIdentityProviderClient) -> None:
    await client.get_user(acess_token="token")  # type: ignore[call-arg]
    await client.get_user(access_token=b"token")  # type: ignore[arg-type]
    await client.get_user()  # type: ignore[call-arg]
    await client.initiate_auth(auth_flow=1, client_id="c")  # type: ignore[arg-type]
    await client.list_users(user_pool_id="p", limit="10")  # type: ignore[arg-type]
    await client.admin_get_user(user_pool_id=["p"], username="u")  # type: ignore[arg-type]
    await client.create_user_pool_client(
        user_pool_id="p",
        client_name="app",
        explicit_auth_flows=[1],  # type: ignore[list-item]
    )
    await client.get_user("token")  # type: ignore[call-arg]
    CognitoIdentityProviderClient(regoin="eu-west-1")  # type: ignore[call-arg]
