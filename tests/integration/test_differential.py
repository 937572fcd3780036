"""Differential test: every operation moto implements, through our client and through boto3.

Both clients talk to the same moto server. Each case gives the operation's input once, in wire
form (boto3 takes it as is; our client gets it as keyword arguments through our own input
shape), and the two parsed results are compared field by field: ours mapped back to wire names
with ``aiocognito._core.serde.to_wire``, boto3's without ``ResponseMetadata``; boto3's
datetimes compared as datetimes. Errors are compared by code and message, and each case says
whether it should succeed. Every paginator moto serves is compared page by page as well. Any
difference is a bug on one side; ``KNOWN`` says whose.

Two ways to get "the same server state":

- read-only operations are called by both clients, one after the other, on one state; the
  results must be identical, timestamps to the microsecond;
- operations that change state run in scenarios: ordered lists of cases on one state, run
  twice. Reset, seed moto's random generator (``POST /moto-api/seed``), build the state, then
  for each case seed again, prepare and call through our client; then the same again with
  boto3 making the calls. Seeding makes every id, secret, session and token id the same in both
  runs; only the clock moves, so timestamps (and JWT time claims) are compared with a
  tolerance. A scenario shares one state between its cases because creating a pool costs moto
  a fraction of a second (an RSA key import): a case is placed where the cases before it leave
  what it needs, and a case that does not succeed (or fail) as declared fails the test.

The state is built through our client (the journeys test that path on their own). What moto
does not verify (SRP, SigV4, most codes, SECRET_HASH) is listed in ``__init__.py``; a case
here proves the two clients agree on what moto answers, not that Cognito would answer it.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import inspect
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import botocore.session
import pytest
from botocore import xform_name
from botocore.client import BaseClient as Boto3Client
from botocore.exceptions import ClientError
from botocore.model import ServiceModel

from aiocognito import CognitoError, ServiceError, shapes
from aiocognito._core.serde import from_wire, to_wire
from aiocognito.client import CognitoIdentityProviderClient
from tests.integration.conftest import Emulator, our_client
from tests.integration.support import ALL_FLOWS, present

SERVICE_MODEL: ServiceModel = botocore.session.get_session().get_service_model("cognito-idp")
SEED = 20160418
# Between the two runs of a scenario the clock moves by seconds; a unit or time zone
# mistake would be off by far more.
CLOCK_TOLERANCE = timedelta(seconds=60)
JWT_TIME_CLAIMS = frozenset({"iat", "exp", "auth_time"})

# Fixed inputs, so that both runs of a case send byte-identical requests.
ALICE_PASSWORD = "Alice-Password-1!"
BOB_TEMPORARY_PASSWORD = "Bob-Temporary-1!"
CAROL_PASSWORD = "Carol-Password-1!"
NEW_PASSWORD = "Brand-New-Password-2?"
DOMAIN = "aiocognito-differential"
RESOURCE_SERVER = "https://api.example.com"
PROVIDER = "ExampleOIDC"
CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
)
ROLE_ARN = "arn:aws:iam::123456789012:role/cognito-admins"


# -- the state every case starts from --------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class World:
    """What ``build_world`` created: a pool with clients, users, groups and friends."""

    pool_id: str
    client_id: str  # public client, every flow allowed
    secret_client_id: str
    client_secret: str
    access_token: str  # alice's
    refresh_token: str  # alice's
    session: str = ""  # a challenge session, for the cases that prepare one


async def build_world(client: CognitoIdentityProviderClient) -> World:
    """A pool with two clients, users in every state, groups, a domain, a resource server and
    an identity provider, and a signed-in user: something real for every operation to return."""
    pool = present(
        (
            await client.create_user_pool(
                pool_name="differential",
                policies=shapes.UserPoolPolicyType(
                    password_policy=shapes.PasswordPolicyType(
                        minimum_length=10, temporary_password_validity_days=3
                    )
                ),
                auto_verified_attributes=[shapes.VerifiedAttributeType.EMAIL],
                account_recovery_setting=shapes.AccountRecoverySettingType(
                    recovery_mechanisms=[
                        shapes.RecoveryOptionType(
                            priority=1, name=shapes.RecoveryOptionNameType.VERIFIED_EMAIL
                        )
                    ]
                ),
                user_pool_tags={"team": "sdk"},
            )
        ).user_pool
    )
    pool_id = present(pool.id)
    public = present(
        (
            await client.create_user_pool_client(
                user_pool_id=pool_id,
                client_name="web",
                explicit_auth_flows=ALL_FLOWS,
                read_attributes=["email", "given_name"],
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
    client_id = present(public.client_id)

    # alice: signed up, confirmed, email verified, in a group, signed in.
    await client.sign_up(
        client_id=client_id,
        username="alice",
        password=ALICE_PASSWORD,
        user_attributes=[
            shapes.AttributeType(name="email", value="alice@example.com"),
            shapes.AttributeType(name="given_name", value="Alice"),
        ],
    )
    await client.admin_confirm_sign_up(user_pool_id=pool_id, username="alice")
    await client.admin_update_user_attributes(
        user_pool_id=pool_id,
        username="alice",
        user_attributes=[shapes.AttributeType(name="email_verified", value="true")],
    )
    # bob: created by an admin, must set a new password.
    await client.admin_create_user(
        user_pool_id=pool_id,
        username="bob",
        temporary_password=BOB_TEMPORARY_PASSWORD,
        message_action=shapes.MessageActionType.SUPPRESS,
        user_attributes=[shapes.AttributeType(name="email", value="bob@example.com")],
    )
    # carol: signed up, not confirmed.
    await client.sign_up(client_id=client_id, username="carol", password=CAROL_PASSWORD)

    await client.create_group(
        user_pool_id=pool_id,
        group_name="admins",
        description="everything",
        precedence=1,
        role_arn=ROLE_ARN,
    )
    await client.create_group(user_pool_id=pool_id, group_name="readers", precedence=10)
    await client.admin_add_user_to_group(
        user_pool_id=pool_id, username="alice", group_name="admins"
    )
    await client.create_user_pool_domain(user_pool_id=pool_id, domain=DOMAIN)
    await client.create_resource_server(
        user_pool_id=pool_id,
        identifier=RESOURCE_SERVER,
        name="Example API",
        scopes=[
            shapes.ResourceServerScopeType(scope_name="read", scope_description="Read things"),
            shapes.ResourceServerScopeType(scope_name="write", scope_description="Write things"),
        ],
    )
    await client.create_identity_provider(
        user_pool_id=pool_id,
        provider_name=PROVIDER,
        provider_type=shapes.IdentityProviderTypeType.OIDC,
        provider_details={
            "client_id": "oidc-client",
            "client_secret": "oidc-secret",
            "authorize_scopes": "openid email",
            "oidc_issuer": "https://issuer.example.com",
            "attributes_request_method": "GET",
        },
        attribute_mapping={"email": "email", "username": "sub"},
        idp_identifiers=["example"],
    )
    tokens = present(
        (
            await client.initiate_auth(
                auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
                client_id=client_id,
                auth_parameters={"USERNAME": "alice", "PASSWORD": ALICE_PASSWORD},
            )
        ).authentication_result
    )
    return World(
        pool_id=pool_id,
        client_id=client_id,
        secret_client_id=present(confidential.client_id),
        client_secret=present(confidential.client_secret),
        access_token=present(tokens.access_token),
        refresh_token=present(tokens.refresh_token),
    )


Prepare = Callable[[CognitoIdentityProviderClient, World], Awaitable[World]]


async def bob_new_password_challenge(client: CognitoIdentityProviderClient, w: World) -> World:
    started = await client.initiate_auth(
        auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
        client_id=w.client_id,
        auth_parameters={"USERNAME": "bob", "PASSWORD": BOB_TEMPORARY_PASSWORD},
    )
    assert started.challenge_name is shapes.ChallengeNameType.NEW_PASSWORD_REQUIRED
    return dataclasses.replace(w, session=present(started.session))


async def alice_srp_challenge(client: CognitoIdentityProviderClient, w: World) -> World:
    # moto does not check SRP: any non-empty A starts the flow, any signature finishes it.
    started = await client.initiate_auth(
        auth_flow=shapes.AuthFlowType.USER_SRP_AUTH,
        client_id=w.client_id,
        auth_parameters={"USERNAME": "alice", "SRP_A": "abcdef"},
    )
    assert started.challenge_name is shapes.ChallengeNameType.PASSWORD_VERIFIER
    return dataclasses.replace(w, session=present(started.session))


# -- the cases --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Case:
    operation: str
    params: Callable[[World], dict[str, Any]]
    label: str = ""
    prepare: Prepare | None = None
    """A step after ``build_world``, in both runs (e.g. start the challenge a case answers)."""
    fails: bool = False
    """The service answers with an error (both clients must report the same one)."""

    @property
    def id(self) -> str:
        return f"{self.operation}-{self.label}" if self.label else self.operation


def pool(w: World, **more: Any) -> dict[str, Any]:
    return {"UserPoolId": w.pool_id, **more}


def user(w: World, username: str, **more: Any) -> dict[str, Any]:
    return {"UserPoolId": w.pool_id, "Username": username, **more}


RICH_CLIENT_SETTINGS: dict[str, Any] = {
    "RefreshTokenValidity": 10,
    "AccessTokenValidity": 2,
    "IdTokenValidity": 3,
    "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
    "ReadAttributes": ["email", "name"],
    "WriteAttributes": ["name"],
    "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    "SupportedIdentityProviders": ["COGNITO"],
    "CallbackURLs": ["https://app.example.com/callback"],
    "LogoutURLs": ["https://app.example.com/bye"],
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email"],
    "AllowedOAuthFlowsUserPoolClient": True,
    "PreventUserExistenceErrors": "ENABLED",
    "EnableTokenRevocation": True,
    "AuthSessionValidity": 5,
}

READS: list[Case] = [
    Case("DescribeUserPool", pool),
    Case("ListUserPools", lambda w: {"MaxResults": 10}),
    Case("GetUserPoolMfaConfig", pool),
    Case("ListUserPoolClients", lambda w: pool(w, MaxResults=1), label="first-page"),
    Case("ListUserPoolClients", lambda w: pool(w, MaxResults=10)),
    Case("DescribeUserPoolClient", lambda w: pool(w, ClientId=w.secret_client_id)),
    Case("ListIdentityProviders", lambda w: pool(w, MaxResults=10)),
    Case("DescribeIdentityProvider", lambda w: pool(w, ProviderName=PROVIDER)),
    Case("GetGroup", lambda w: pool(w, GroupName="admins")),
    Case("ListGroups", lambda w: pool(w, Limit=1), label="first-page"),
    Case("ListGroups", pool),
    Case("ListUsersInGroup", lambda w: pool(w, GroupName="admins")),
    Case("AdminListGroupsForUser", lambda w: user(w, "alice")),
    Case("AdminGetUser", lambda w: user(w, "alice")),
    Case("AdminGetUser", lambda w: user(w, "bob"), label="force-change-password"),
    Case("ListUsers", pool),
    Case("ListUsers", lambda w: pool(w, Limit=2), label="first-page"),
    Case(
        "ListUsers",
        lambda w: pool(w, Filter='email ^= "alice"', AttributesToGet=["email", "sub"]),
        label="filtered",
    ),
    Case("GetUser", lambda w: {"AccessToken": w.access_token}),
    Case("AssociateSoftwareToken", lambda w: {"AccessToken": w.access_token}),
    Case("DescribeResourceServer", lambda w: pool(w, Identifier=RESOURCE_SERVER)),
    Case("ListResourceServers", lambda w: pool(w, MaxResults=10)),
    Case(
        "DescribeUserPool",
        lambda w: {"UserPoolId": "us-east-1_doesnotexist"},
        label="unknown-pool",
        fails=True,
    ),
    Case("AdminGetUser", lambda w: user(w, "nobody"), label="unknown-user", fails=True),
    Case(
        "InitiateAuth",
        lambda w: {
            "ClientId": w.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Wrong-Password-1!"},
        },
        label="wrong-password",
        fails=True,
    ),
    Case(
        "SignUp",
        lambda w: {"ClientId": w.client_id, "Username": "alice", "Password": ALICE_PASSWORD},
        label="username-exists",
        fails=True,
    ),
    Case("GetUser", lambda w: {"AccessToken": "not-a-token"}, label="bad-token", fails=True),
]

# State-changing cases, in the order they run on their scenario's state.
SCENARIOS: dict[str, list[Case]] = {
    # Pool-level settings, domains, app clients, identity providers, groups, resource
    # servers; the pool's own update and deletion last.
    "pool": [
        Case(
            "CreateUserPool",
            lambda w: {
                "PoolName": "created",
                "Policies": {
                    "PasswordPolicy": {
                        "MinimumLength": 12,
                        "RequireUppercase": True,
                        "RequireLowercase": True,
                        "RequireNumbers": False,
                        "RequireSymbols": False,
                        "TemporaryPasswordValidityDays": 2,
                    },
                    "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
                },
                "DeletionProtection": "ACTIVE",
                "AutoVerifiedAttributes": ["email"],
                "UsernameAttributes": ["email"],
                "UsernameConfiguration": {"CaseSensitive": False},
                "VerificationMessageTemplate": {
                    "DefaultEmailOption": "CONFIRM_WITH_CODE",
                    "EmailMessage": "Your code is {####}",
                    "EmailSubject": "Your code",
                },
                "MfaConfiguration": "OFF",
                "DeviceConfiguration": {
                    "ChallengeRequiredOnNewDevice": True,
                    "DeviceOnlyRememberedOnUserPrompt": False,
                },
                "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
                "UserPoolTags": {"env": "test", "team": "sdk"},
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "Schema": [
                    {
                        "Name": "email",
                        "AttributeDataType": "String",
                        "Mutable": True,
                        "Required": True,
                    },
                    {
                        "Name": "tier",
                        "AttributeDataType": "Number",
                        "Mutable": True,
                        "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "5"},
                    },
                    {
                        "Name": "nickname2",
                        "AttributeDataType": "String",
                        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
                    },
                ],
                "AccountRecoverySetting": {
                    "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]
                },
                "UserPoolTier": "ESSENTIALS",
            },
        ),
        Case(
            "SetUserPoolMfaConfig",
            lambda w: pool(
                w,
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration="OPTIONAL",
            ),
        ),
        Case(
            "AddCustomAttributes",
            lambda w: pool(
                w,
                CustomAttributes=[
                    {"Name": "plan", "AttributeDataType": "String", "Mutable": True},
                    {"Name": "seats", "AttributeDataType": "Number"},
                ],
            ),
        ),
        Case("CreateUserPoolDomain", lambda w: pool(w, Domain="another-domain")),
        Case(
            "CreateUserPoolDomain",
            lambda w: pool(
                w, Domain="auth.example.com", CustomDomainConfig={"CertificateArn": CERTIFICATE_ARN}
            ),
            label="custom",
        ),
        # A read, but moto draws a fresh random AWSAccountId for each call: seeded here.
        Case("DescribeUserPoolDomain", lambda w: {"Domain": DOMAIN}),
        Case(
            "UpdateUserPoolDomain",
            lambda w: pool(
                w, Domain=DOMAIN, CustomDomainConfig={"CertificateArn": CERTIFICATE_ARN}
            ),
        ),
        Case("DeleteUserPoolDomain", lambda w: pool(w, Domain=DOMAIN)),
        Case(
            "CreateUserPoolClient",
            lambda w: pool(w, ClientName="rich", GenerateSecret=True, **RICH_CLIENT_SETTINGS),
        ),
        Case(
            "UpdateUserPoolClient",
            lambda w: pool(w, ClientId=w.client_id, ClientName="renamed", **RICH_CLIENT_SETTINGS),
        ),
        Case("DeleteUserPoolClient", lambda w: pool(w, ClientId=w.secret_client_id)),
        Case(
            "CreateIdentityProvider",
            lambda w: pool(
                w,
                ProviderName="Corporate",
                ProviderType="SAML",
                ProviderDetails={"MetadataURL": "https://idp.example.com/metadata.xml"},
                AttributeMapping={"email": "mail"},
                IdpIdentifiers=["corp"],
            ),
        ),
        Case(
            "UpdateIdentityProvider",
            lambda w: pool(
                w,
                ProviderName=PROVIDER,
                ProviderDetails={"client_id": "other", "authorize_scopes": "openid"},
                AttributeMapping={"email": "email", "given_name": "given_name"},
            ),
        ),
        Case("DeleteIdentityProvider", lambda w: pool(w, ProviderName=PROVIDER)),
        Case(
            "CreateGroup",
            lambda w: pool(
                w,
                GroupName="editors",
                Description="Redaktører — edit ✍",
                Precedence=5,
                RoleArn=ROLE_ARN,
            ),
        ),
        Case(
            "UpdateGroup", lambda w: pool(w, GroupName="readers", Description="read", Precedence=7)
        ),
        Case(
            "CreateResourceServer",
            lambda w: pool(
                w,
                Identifier="https://other.example.com",
                Name="Other",
                Scopes=[{"ScopeName": "admin", "ScopeDescription": "Administer"}],
            ),
        ),
        Case(
            "UpdateUserPool",
            lambda w: pool(
                w,
                Policies={"PasswordPolicy": {"MinimumLength": 14}},
                AutoVerifiedAttributes=["email"],
                UserPoolTags={"team": "platform"},
            ),
        ),
        Case("DeleteUserPool", lambda w: {"UserPoolId": w.pool_id}),
    ],
    # Group membership; the group goes last.
    "groups": [
        Case("AdminAddUserToGroup", lambda w: user(w, "bob", GroupName="readers")),
        Case("AdminRemoveUserFromGroup", lambda w: user(w, "alice", GroupName="admins")),
        Case("DeleteGroup", lambda w: pool(w, GroupName="readers")),
    ],
    # alice and friends, as an administrator; what changes how alice signs in comes
    # last, her deletion at the very end.
    "admin-users": [
        Case(
            "AdminCreateUser",
            lambda w: user(
                w,
                "dave",
                TemporaryPassword="Dave-Temporary-1!",
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": "dave@example.com"},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "given_name", "Value": "Dåve 🙂"},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            ),
        ),
        Case("AdminConfirmSignUp", lambda w: user(w, "carol")),
        Case("AdminDisableUser", lambda w: user(w, "alice")),
        Case("AdminEnableUser", lambda w: user(w, "alice")),
        Case(
            "AdminUpdateUserAttributes",
            lambda w: user(
                w,
                "alice",
                UserAttributes=[
                    {"Name": "given_name", "Value": "Alicia"},
                    {"Name": "custom:missing", "Value": "x"},
                ],
            ),
        ),
        Case(
            "AdminDeleteUserAttributes",
            lambda w: user(w, "alice", UserAttributeNames=["given_name"]),
        ),
        Case(
            "AdminSetUserMFAPreference",
            lambda w: user(w, "alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}),
        ),
        Case("AdminResetUserPassword", lambda w: user(w, "alice")),
        Case("AdminDeleteUser", lambda w: user(w, "alice")),
    ],
    # Signing in as an administrator; bob's temporary password is used before he sets a
    # new one.
    "admin-auth": [
        Case(
            "AdminInitiateAuth",
            lambda w: pool(
                w,
                ClientId=w.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": ALICE_PASSWORD},
            ),
        ),
        Case(
            "AdminInitiateAuth",
            lambda w: pool(
                w,
                ClientId=w.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "bob", "PASSWORD": BOB_TEMPORARY_PASSWORD},
            ),
            label="challenge",
        ),
        Case(
            "AdminInitiateAuth",
            lambda w: pool(
                w,
                ClientId=w.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": w.refresh_token},
            ),
            label="refresh",
        ),
        Case(
            "AdminRespondToAuthChallenge",
            lambda w: pool(
                w,
                ClientId=w.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=w.session,
                ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD},
            ),
            prepare=bob_new_password_challenge,
        ),
        Case(
            "AdminSetUserPassword", lambda w: user(w, "bob", Password=NEW_PASSWORD, Permanent=True)
        ),
    ],
    # The unsigned calls an app makes; alice's password changes only in the last case.
    "public-auth": [
        Case(
            "SignUp",
            lambda w: {
                "ClientId": w.client_id,
                "Username": "erin",
                "Password": "Erin-Password-1!",
                "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}],
                "ClientMetadata": {"source": "test"},
            },
        ),
        Case(
            "SignUp",
            lambda w: {
                "ClientId": w.client_id,
                "Username": "frank",
                "Password": "Frank-Password-1!",
            },
            label="no-delivery",
        ),
        Case(
            "ConfirmSignUp",
            lambda w: {"ClientId": w.client_id, "Username": "carol", "ConfirmationCode": "123456"},
        ),
        Case(
            "InitiateAuth",
            lambda w: {
                "ClientId": w.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": ALICE_PASSWORD},
            },
        ),
        Case(
            "InitiateAuth",
            lambda w: {
                "ClientId": w.client_id,
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": w.refresh_token},
            },
            label="refresh",
        ),
        Case(
            "InitiateAuth",
            lambda w: {
                "ClientId": w.client_id,
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": "alice", "SRP_A": "abcdef"},
            },
            label="srp-start",
        ),
        Case(
            "RespondToAuthChallenge",
            lambda w: {
                "ClientId": w.client_id,
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": w.session,
                "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD},
            },
            prepare=bob_new_password_challenge,
        ),
        Case(
            "RespondToAuthChallenge",
            lambda w: {
                "ClientId": w.client_id,
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": {
                    "USERNAME": "alice",
                    "PASSWORD_CLAIM_SECRET_BLOCK": w.session,
                    "PASSWORD_CLAIM_SIGNATURE": "bm90LWNoZWNrZWQ=",
                    "TIMESTAMP": "Mon Jan 1 00:00:00 UTC 2024",
                },
            },
            label="srp-finish",
            prepare=alice_srp_challenge,
        ),
        Case("ForgotPassword", lambda w: {"ClientId": w.client_id, "Username": "alice"}),
        Case(
            "ConfirmForgotPassword",
            lambda w: {
                "ClientId": w.client_id,
                "Username": "alice",
                "ConfirmationCode": "123456",
                "Password": NEW_PASSWORD,
            },
        ),
    ],
    # Calls with alice's access token; signing out (which revokes it) last.
    "tokens": [
        Case(
            "UpdateUserAttributes",
            lambda w: {
                "AccessToken": w.access_token,
                "UserAttributes": [{"Name": "given_name", "Value": "Ally"}],
            },
        ),
        Case(
            "VerifySoftwareToken",
            lambda w: {
                "AccessToken": w.access_token,
                "UserCode": "123456",
                "FriendlyDeviceName": "phone",
            },
        ),
        Case(
            "SetUserMFAPreference",
            lambda w: {
                "AccessToken": w.access_token,
                "SMSMfaSettings": {"Enabled": True, "PreferredMfa": False},
            },
        ),
        Case(
            "ChangePassword",
            lambda w: {
                "AccessToken": w.access_token,
                "PreviousPassword": ALICE_PASSWORD,
                "ProposedPassword": NEW_PASSWORD,
            },
        ),
        Case("GlobalSignOut", lambda w: {"AccessToken": w.access_token}),
        Case("AdminUserGlobalSignOut", lambda w: user(w, "alice")),
    ],
}
CASES: list[Case] = READS + [case for cases in SCENARIOS.values() for case in cases]

# Known differences, keyed by case id, each with whose bug it is: an aiocognito bug as
# `pytest.mark.xfail(strict=True, reason="aiocognito bug: ... fix: ...")`, a moto or boto3 quirk
# as a skip (or a changed case) saying why. Empty: with moto 5.2 and boto3 1.44 every case
# agrees. (The generator bug the paginator test found is pinned next to that test.)
KNOWN: dict[str, pytest.MarkDecorator] = {}


# -- calling both clients -------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Outcome:
    """A parsed result in wire form, an error's code and message, or why there is neither."""

    result: dict[str, Any] | None = None
    error: tuple[str, str] | None = None
    broken: str | None = None
    """The case could not run: its preparation failed, or our client raised unexpectedly."""


async def call_ours(
    client: CognitoIdentityProviderClient, operation: str, params: dict[str, Any]
) -> Outcome:
    """Through our client: wire params -> our input shape -> keyword arguments -> method."""
    op = SERVICE_MODEL.operation_model(operation)
    input_cls = getattr(shapes, present(op.input_shape).name)
    request = from_wire(input_cls, params)
    assert to_wire(request) == params, "the case's input does not fit our input shape"
    kwargs = {field.name: getattr(request, field.name) for field in attrs.fields(input_cls)}
    method = getattr(client, xform_name(operation))
    try:
        result = await method(**kwargs)
    except ServiceError as exc:
        if type(exc).__name__ != exc.code:
            return Outcome(broken=f"{exc.code} came as {type(exc).__name__}, not its own class")
        return Outcome(error=(exc.code, exc.message))
    except CognitoError as exc:  # e.g. a response we could not parse
        return Outcome(broken=f"our client raised {type(exc).__name__}: {exc}")
    if result is None:
        if op.output_shape is not None:
            return Outcome(broken=f"{operation} has an output shape, we returned None")
        return Outcome(result={})
    return Outcome(result=to_wire(result))


def call_boto3(boto3_client: Boto3Client, operation: str, params: dict[str, Any]) -> Outcome:
    try:
        result: dict[str, Any] = getattr(boto3_client, xform_name(operation))(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return Outcome(error=(str(error.get("Code")), str(error.get("Message"))))
    result.pop("ResponseMetadata", None)
    return Outcome(result=result)


# -- comparing -------------------------------------------------------------------------------
def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Header and claims of a JWT, or None when ``token`` is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not token.startswith("eyJ"):
        return None
    try:
        header, claims = (
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            for part in parts[:2]
        )
    except ValueError:
        return None
    return header, claims


def differences(ours: Any, theirs: Any, path: str, *, exact: bool) -> list[str]:
    """Every place where our wire-form value and boto3's parsed value disagree."""
    if isinstance(theirs, datetime):
        if isinstance(ours, bool) or not isinstance(ours, int | float):
            return [f"{path}: boto3 has the timestamp {theirs.isoformat()}, we have {ours!r}"]
        mine = datetime.fromtimestamp(ours, UTC)
        same = mine == theirs if exact else abs(mine - theirs) <= CLOCK_TOLERANCE
        return [] if same else [f"{path}: {mine.isoformat()} (ours) != {theirs.isoformat()}"]
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: boto3 has an object, we have {ours!r}"]
        found = [
            f"{path}.{key}: only boto3 has it ({theirs[key]!r})"
            for key in theirs.keys() - ours.keys()
        ]
        found += [
            f"{path}.{key}: only we have it ({ours[key]!r})" for key in ours.keys() - theirs.keys()
        ]
        for key in sorted(theirs.keys() & ours.keys()):
            found += differences(ours[key], theirs[key], f"{path}.{key}", exact=exact)
        return found
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return [f"{path}: {ours!r} (ours) != {theirs!r}"]
        return [
            difference
            for index, (mine, other) in enumerate(zip(ours, theirs, strict=True))
            for difference in differences(mine, other, f"{path}[{index}]", exact=exact)
        ]
    if isinstance(theirs, bytes):
        mine_bytes = base64.b64decode(ours) if isinstance(ours, str) else ours
        return [] if mine_bytes == theirs else [f"{path}: {ours!r} (ours) != {theirs!r}"]
    if not exact and isinstance(theirs, str) and isinstance(ours, str) and ours != theirs:
        mine_jwt, their_jwt = jwt_parts(ours), jwt_parts(theirs)
        if mine_jwt is not None and their_jwt is not None:
            return differences(
                _without_time_claims(mine_jwt),
                _without_time_claims(their_jwt),
                f"{path}<jwt>",
                exact=True,
            )
    if json_kind(ours) != json_kind(theirs) or ours != theirs:
        return [f"{path}: {ours!r} (ours) != {theirs!r} (boto3)"]
    return []


def json_kind(value: Any) -> str:
    """The JSON type of a scalar: our enums are ``str`` subclasses, bools are not numbers."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _without_time_claims(jwt: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    header, claims = jwt
    return {
        "header": header,
        "claims": {k: v for k, v in claims.items() if k not in JWT_TIME_CLAIMS},
        "time claims": sorted(k for k in claims if k in JWT_TIME_CLAIMS),
    }


def compare(ours: Outcome, theirs: Outcome, *, exact: bool) -> list[str]:
    if ours.error is not None or theirs.error is not None:
        if ours.error != theirs.error:
            return [
                f"error: {ours.error!r} (ours) != {theirs.error!r} (boto3); results: "
                f"{ours.result!r} / {theirs.result!r}"
            ]
        return []
    return differences(ours.result, theirs.result, "$", exact=exact)


# -- the tests -------------------------------------------------------------------------------
Outcomes = dict[str, tuple[Outcome, Outcome]]


@pytest.fixture(scope="module")
def read_outcomes(emulator: Emulator, boto3_client: Boto3Client) -> Outcomes:
    """Every read-only case, through both clients, on one state built once for all of them."""

    async def gather() -> Outcomes:
        emulator.reset()
        async with our_client(emulator.url) as client:
            world = await build_world(client)
            outcomes = {}
            for case in READS:
                params = case.params(world)
                ours = await call_ours(client, case.operation, params)
                outcomes[case.id] = (ours, call_boto3(boto3_client, case.operation, params))
            return outcomes

    return asyncio.run(gather())


async def run_scenario(
    cases: list[Case],
    client: CognitoIdentityProviderClient,
    call: Callable[[Case, dict[str, Any]], Awaitable[Outcome]],
    emulator: Emulator,
) -> tuple[World, list[Outcome]]:
    """Reset, seed, build, then each case in order (re-seeded, so a difference in one case
    cannot shift the ids of the next): the world and each case's outcome through ``call``."""
    emulator.reset()
    emulator.seed(SEED)
    world = await build_world(client)
    outcomes = []
    for index, case in enumerate(cases, start=1):
        emulator.seed(SEED + index)
        try:
            prepared = await case.prepare(client, world) if case.prepare else world
        except Exception as exc:
            outcomes.append(Outcome(broken=f"preparing it failed: {exc!r}"))
            continue
        outcomes.append(await call(case, case.params(prepared)))
    return world, outcomes


@pytest.fixture(scope="module")
def scenario_outcomes(emulator: Emulator, boto3_client: Boto3Client) -> Outcomes:
    """Every state-changing case: each scenario run through our client, then through boto3."""

    async def gather() -> Outcomes:
        outcomes: Outcomes = {}
        async with our_client(emulator.url) as client:

            async def ours(case: Case, params: dict[str, Any]) -> Outcome:
                return await call_ours(client, case.operation, params)

            async def theirs(case: Case, params: dict[str, Any]) -> Outcome:
                return call_boto3(boto3_client, case.operation, params)

            for cases in SCENARIOS.values():
                world, our_outcomes = await run_scenario(cases, client, ours, emulator)
                replayed, their_outcomes = await run_scenario(cases, client, theirs, emulator)
                same_world = dataclasses.replace(replayed, access_token="") == (
                    dataclasses.replace(world, access_token="")
                )
                assert same_world, "seeding moto did not make the two runs identical"
                for case, mine, other in zip(cases, our_outcomes, their_outcomes, strict=True):
                    outcomes[case.id] = (mine, other)
        return outcomes

    return asyncio.run(gather())


def _param(case: Case) -> Any:
    return pytest.param(case, id=case.id, marks=[KNOWN[case.id]] if case.id in KNOWN else [])


@pytest.mark.parametrize("case", [_param(case) for case in READS])
def test_read_operation_agrees_with_boto3(case: Case, read_outcomes: Outcomes) -> None:
    ours, theirs = read_outcomes[case.id]
    check_outcomes(case, ours, theirs, exact=True)


@pytest.mark.parametrize("case", [_param(case) for cases in SCENARIOS.values() for case in cases])
def test_operation_agrees_with_boto3(case: Case, scenario_outcomes: Outcomes) -> None:
    ours, theirs = scenario_outcomes[case.id]
    check_outcomes(case, ours, theirs, exact=False)


def check_outcomes(case: Case, ours: Outcome, theirs: Outcome, *, exact: bool) -> None:
    assert ours.broken is None and theirs.broken is None, (
        f"{case.id}: {ours.broken or theirs.broken}"
    )
    found = compare(ours, theirs, exact=exact)
    assert not found, f"{case.id}: our client and boto3 disagree:\n  " + "\n  ".join(found)
    # Both agreeing on an unexpected error would prove nothing about the result.
    assert (ours.error is not None) == case.fails, f"{case.id}: {ours.error or ours.result}"


# -- paginators: every page, both clients -----------------------------------------------------
# The paginated operations moto implements, with the input of the first page.
PAGED: dict[str, Callable[[World], dict[str, Any]]] = {
    "ListUserPools": lambda w: {},
    "ListUserPoolClients": pool,
    "ListIdentityProviders": pool,
    "ListResourceServers": pool,
    "ListGroups": pool,
    "ListUsers": pool,
    "ListUsersInGroup": lambda w: pool(w, GroupName="admins"),
    "AdminListGroupsForUser": lambda w: user(w, "alice"),
}
PAGE_SIZE = 2


async def crowd(client: CognitoIdentityProviderClient, w: World) -> None:
    """Three or more of everything that pages, so pages of two take at least two requests."""
    for name in ("second", "third"):
        await client.create_user_pool(pool_name=name)
    for name in ("mobile", "cli"):
        await client.create_user_pool_client(user_pool_id=w.pool_id, client_name=name)
    for name in ("OtherOIDC", "ThirdOIDC"):
        await client.create_identity_provider(
            user_pool_id=w.pool_id,
            provider_name=name,
            provider_type=shapes.IdentityProviderTypeType.OIDC,
            provider_details={"client_id": name, "authorize_scopes": "openid"},
        )
    for identifier in ("https://b.example.com", "https://c.example.com"):
        await client.create_resource_server(
            user_pool_id=w.pool_id, identifier=identifier, name=identifier[8:]
        )
    for name in ("editors", "auditors"):
        await client.create_group(user_pool_id=w.pool_id, group_name=name)
        await client.admin_add_user_to_group(
            user_pool_id=w.pool_id, username="alice", group_name=name
        )
    for username in ("bob", "carol"):
        await client.admin_add_user_to_group(
            user_pool_id=w.pool_id, username=username, group_name="admins"
        )


@pytest.fixture(scope="module")
def paged_outcomes(
    emulator: Emulator, boto3_client: Boto3Client
) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Every page of every paginated operation, through our paginators and boto3's."""

    async def gather() -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        emulator.reset()
        async with our_client(emulator.url) as client:
            world = await build_world(client)
            await crowd(client, world)
            outcomes = {}
            for operation, params in PAGED.items():
                paginate = getattr(client, f"paginate_{xform_name(operation)}")
                kwargs = {xform_name(key): value for key, value in params(world).items()}
                ours = [to_wire(page) async for page in paginate(**kwargs, page_size=PAGE_SIZE)]
                theirs = []
                for page in boto3_client.get_paginator(xform_name(operation)).paginate(
                    **params(world), PaginationConfig={"PageSize": PAGE_SIZE}
                ):
                    page.pop("ResponseMetadata", None)
                    theirs.append(page)
                outcomes[operation] = (ours, theirs)
            return outcomes

    return asyncio.run(gather())


@pytest.mark.parametrize("operation", sorted(PAGED))
def test_paginator_agrees_with_boto3(
    operation: str,
    paged_outcomes: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]],
) -> None:
    ours, theirs = paged_outcomes[operation]
    assert len(theirs) >= 2, "the state should need more than one page"
    found = differences(ours, theirs, "$pages", exact=True)
    assert not found, f"{operation}: our pages and boto3's disagree:\n  " + "\n  ".join(found)


async def test_paginate_list_user_pools_requires_its_page_size(
    client: CognitoIdentityProviderClient,
) -> None:
    """ListUserPools requires MaxResults, so the paginator's page_size is required too."""
    import inspect

    parameter = inspect.signature(client.paginate_list_user_pools).parameters["page_size"]
    assert parameter.default is inspect.Parameter.empty
    await client.create_user_pool(pool_name="only")
    pages = [page async for page in client.paginate_list_user_pools(page_size=10)]
    assert [len(present(page.user_pools)) for page in pages] == [1]


def moto_operations() -> set[str]:
    """The operations moto's Cognito server implements: its response class's handlers."""
    from moto.cognitoidp.responses import CognitoIdpResponse

    by_method = {xform_name(name): name for name in SERVICE_MODEL.operation_names}
    return {
        by_method[name]
        for name, member in vars(CognitoIdpResponse).items()
        if name in by_method and inspect.isfunction(member)
    }


def test_every_moto_operation_has_a_case() -> None:
    implemented = moto_operations()
    covered = {case.operation for case in CASES}
    assert len(implemented) >= 60
    assert not implemented - covered, f"add differential cases for {sorted(implemented - covered)}"
    assert not covered - implemented, f"moto no longer implements {sorted(covered - implemented)}"
    loader = botocore.session.get_session().get_component("data_loader")
    paginated = loader.load_service_model("cognito-idp", "paginators-1")["pagination"]
    assert implemented & set(paginated) == set(PAGED), "PAGED must list moto's paged operations"
    assert len({case.id for case in CASES}) == len(CASES), "two cases share an id"
    assert all(case.prepare is None for case in READS)


def test_the_comparison_finds_differences() -> None:
    """The comparison itself: what it must flag, and what it must let through."""
    moment = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)
    wire = moment.timestamp()
    assert (
        differences({"A": shapes.UserStatusType.CONFIRMED}, {"A": "CONFIRMED"}, "$", exact=True)
        == []
    )
    assert differences({"T": wire}, {"T": moment}, "$", exact=True) == []
    assert differences({"T": wire + 0.001}, {"T": moment}, "$", exact=True)
    assert differences({"T": wire + 1}, {"T": moment}, "$", exact=False) == []
    assert differences({"A": 1}, {"A": 1, "B": 2}, "$", exact=True) == [
        "$.B: only boto3 has it (2)"
    ]
    assert differences({"A": 1, "B": 2}, {"A": 1}, "$", exact=True) == ["$.B: only we have it (2)"]
    assert differences({"A": [1, 2]}, {"A": [2, 1]}, "$", exact=True)
    assert differences({"A": True}, {"A": 1}, "$", exact=True)
    assert differences({"A": "1"}, {"A": 1}, "$", exact=True)
    assert differences({"A": None}, {"A": "x"}, "$", exact=True)
    header = base64.urlsafe_b64encode(b'{"alg":"RS256"}').decode().rstrip("=")

    def token(claims: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"{header}.{body}.sig"

    same_but_later = token({"sub": "a", "iat": 1}), token({"sub": "a", "iat": 2})
    assert differences(*same_but_later, "$", exact=False) == []
    assert differences(*same_but_later, "$", exact=True)
    assert differences(token({"sub": "a"}), token({"sub": "b"}), "$", exact=False)
