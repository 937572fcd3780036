"""Error journeys: what the service answers becomes exactly the typed class an app catches."""

from __future__ import annotations

import pytest

from aiocognito import ServiceError, errors, shapes
from aiocognito.client import CognitoIdentityProviderClient
from tests.integration.support import confirmed_user, create_app, password, sign_in


def check(caught: pytest.ExceptionInfo[ServiceError], cls: type[ServiceError], op: str) -> None:
    """The exact class (not a parent), with the code, status, and operation filled in."""
    exc = caught.value
    assert type(exc) is cls
    assert isinstance(exc, ServiceError)
    assert exc.code == cls.error_code
    assert exc.status_code == 400
    assert exc.operation == op
    assert exc.request_id  # moto sends one, as Cognito does
    assert exc.attempts == 1  # a client error is never retried
    assert cls.error_code in str(exc)


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
async def test_wrong_password(client: CognitoIdentityProviderClient, flow: str) -> None:
    app = await create_app(client)
    await confirmed_user(client, app, "alice", password())
    parameters = {"USERNAME": "alice", "PASSWORD": "Not-the-password-1"}
    with pytest.raises(errors.NotAuthorizedException) as caught:
        if flow == "USER_PASSWORD_AUTH":
            await client.initiate_auth(
                auth_flow=flow, client_id=app.client_id, auth_parameters=parameters
            )
        else:
            await client.admin_initiate_auth(
                user_pool_id=app.pool_id,
                client_id=app.client_id,
                auth_flow=flow,
                auth_parameters=parameters,
            )
    operation = "InitiateAuth" if flow == "USER_PASSWORD_AUTH" else "AdminInitiateAuth"
    check(caught, errors.NotAuthorizedException, operation)


async def test_unknown_user(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    with pytest.raises(errors.UserNotFoundException) as caught:
        await sign_in(client, app, "nobody", password())
    check(caught, errors.UserNotFoundException, "InitiateAuth")
    with pytest.raises(errors.UserNotFoundException) as caught:
        await client.admin_get_user(user_pool_id=app.pool_id, username="nobody")
    check(caught, errors.UserNotFoundException, "AdminGetUser")


async def test_duplicate_sign_up(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    await client.sign_up(client_id=app.client_id, username="alice", password=password())
    with pytest.raises(errors.UsernameExistsException) as caught:
        await client.sign_up(client_id=app.client_id, username="alice", password=password())
    check(caught, errors.UsernameExistsException, "SignUp")


async def test_unknown_pool(client: CognitoIdentityProviderClient) -> None:
    with pytest.raises(errors.ResourceNotFoundException) as caught:
        await client.describe_user_pool(user_pool_id="us-east-1_doesnotexist")
    check(caught, errors.ResourceNotFoundException, "DescribeUserPool")
    assert "us-east-1_doesnotexist" in caught.value.message


async def test_unknown_client(client: CognitoIdentityProviderClient) -> None:
    with pytest.raises(errors.ResourceNotFoundException) as caught:
        await client.sign_up(client_id="no-such-client", username="alice", password=password())
    check(caught, errors.ResourceNotFoundException, "SignUp")


@pytest.mark.parametrize("weak", ["short1!A", "alllowercase-1", "NoDigitsHere!", "NoSymbols123"])
async def test_weak_password(client: CognitoIdentityProviderClient, weak: str) -> None:
    app = await create_app(client)
    if weak == "short1!A":  # 8 characters: too short for a pool that asks for 12
        await client.update_user_pool(
            user_pool_id=app.pool_id,
            policies=shapes.UserPoolPolicyType(
                password_policy=shapes.PasswordPolicyType(minimum_length=12)
            ),
        )
    with pytest.raises(errors.InvalidPasswordException) as caught:
        await client.sign_up(client_id=app.client_id, username="alice", password=weak)
    check(caught, errors.InvalidPasswordException, "SignUp")


async def test_unconfirmed_user(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    secret = password()
    await client.sign_up(client_id=app.client_id, username="alice", password=secret)
    with pytest.raises(errors.UserNotConfirmedException) as caught:
        await sign_in(client, app, "alice", secret)
    check(caught, errors.UserNotConfirmedException, "InitiateAuth")


async def test_invalid_filter(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    with pytest.raises(errors.InvalidParameterException) as caught:
        await client.list_users(user_pool_id=app.pool_id, filter="email contains 'x'")
    check(caught, errors.InvalidParameterException, "ListUsers")


async def test_duplicate_group(client: CognitoIdentityProviderClient) -> None:
    app = await create_app(client)
    await client.create_group(user_pool_id=app.pool_id, group_name="admins")
    with pytest.raises(errors.GroupExistsException) as caught:
        await client.create_group(user_pool_id=app.pool_id, group_name="admins")
    check(caught, errors.GroupExistsException, "CreateGroup")


async def test_service_errors_share_one_base(client: CognitoIdentityProviderClient) -> None:
    # An app that does not care which error it was can catch the base class.
    with pytest.raises(ServiceError):
        await client.get_user(access_token="not-a-token")
