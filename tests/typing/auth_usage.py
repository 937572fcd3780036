"""Auth helpers: SECRET_HASH, SRP parameters, the sign-in flows' typed steps, the account
lifecycle and passkeys."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal, assert_type

from aiocognito import CognitoError, CognitoIdentityProviderClient, shapes
from aiocognito.auth import (
    AuthFlowError,
    Challenge,
    CustomChallenge,
    DeviceSRP,
    EmailOtp,
    FirstFactor,
    JwksError,
    MfaSetup,
    NewPasswordRequired,
    OtherChallenge,
    RememberedDevice,
    SelectChallenge,
    SelectMfaType,
    SessionExpiredError,
    SignedIn,
    SignInStep,
    SmsMfa,
    SmsOtp,
    SoftwareTokenMfa,
    SoftwareTokenSetup,
    SRPError,
    TokenClaimError,
    TokenClaims,
    TokenError,
    TokenExpiredError,
    TokenSession,
    TokenSignatureError,
    TokenVerifier,
    UserPoolAuth,
    UserSRP,
    WebAuthnChallenge,
    new_device_verifier,
    secret_hash,
    timestamp,
)
from aiocognito.shapes import (
    AuthenticationResultType,
    DeviceSecretVerifierConfigType,
    UnmodeledValue,
)

POOL = "eu-west-1_Ab3dEf"


async def low_level_srp(client: CognitoIdentityProviderClient) -> None:
    assert_type(secret_hash("alice", "client-id", "client-secret"), str)
    assert_type(timestamp(datetime.now(UTC)), str)

    srp = UserSRP(POOL, "alice", "password", client_id="client-id", client_secret="secret")
    assert_type(srp.auth_parameters(), dict[str, str])
    started = await client.initiate_auth(
        auth_flow="USER_SRP_AUTH", client_id="client-id", auth_parameters=srp.auth_parameters()
    )
    assert_type(srp.password_verifier_response(started.challenge_parameters or {}), dict[str, str])

    device = DeviceSRP(POOL, "alice", "device-key", "group-key", "device-password")
    assert_type(device.device_srp_auth_response(), dict[str, str])
    assert_type(
        new_device_verifier("group-key", "device-key"), tuple[DeviceSecretVerifierConfigType, str]
    )


async def sign_in_flow(client: CognitoIdentityProviderClient, ask: str) -> None:
    auth = UserPoolAuth(client, POOL, "client-id", "client-secret")
    step = await auth.sign_in_srp("alice", "password")
    assert_type(step, SignInStep)
    while not isinstance(step, SignedIn):
        if isinstance(step, NewPasswordRequired):
            assert_type(step.required_attributes, tuple[str, ...])
            step = await step.answer(new_password=ask, attributes={"name": "Alice"})
        elif isinstance(step, SmsMfa | SoftwareTokenMfa | EmailOtp | SmsOtp):
            assert_type(step.destination, str | None)
            step = await step.answer(ask)
        elif isinstance(step, SelectMfaType):
            step = await step.answer(step.options[0])
        elif isinstance(step, MfaSetup):
            setup = await step.associate_software_token()
            assert_type(setup, SoftwareTokenSetup)
            assert_type(setup.otpauth_uri("Example", "alice"), str)
            step = await setup.verify(ask)
        elif isinstance(step, CustomChallenge):
            step = await step.answer(ask, extra={"k": "v"})
        elif isinstance(step, SelectChallenge):
            assert_type(step.options, tuple[str, ...])
            step = await step.answer("PASSWORD_SRP", password=ask)
        elif isinstance(step, WebAuthnChallenge):
            options = step.credential_request_options
            assert_type(options, Mapping[str, shapes.Document])
            step = await step.answer({"id": "credential-id", "response": {"signature": "c2ln"}})
        else:
            assert_type(step, OtherChallenge)
            challenge: Challenge = step
            assert_type(challenge.name, str)
            step = await step.answer(dict(challenge.parameters))
    assert_type(step, SignedIn)
    assert_type(step.authentication_result, AuthenticationResultType)
    assert_type(step.access_token, str)
    assert_type(step.id_token, str)
    assert_type(step.refresh_token, str | None)
    assert_type(step.expires_at, datetime)
    assert_type(step.username, str)

    remembered = await auth.remember_device(step, device_name="laptop")
    assert_type(remembered, RememberedDevice)
    again = await auth.sign_in_password("alice", "password", device=remembered)
    assert_type(again, SignInStep)
    refreshed = await auth.refresh("refresh-token", username=step.username)
    assert_type(refreshed, SignedIn)
    assert_type(await auth.refresh("refresh-token", rotate=True), SignedIn)
    assert_type(await auth.revoke("refresh-token"), None)


async def a_session(auth: UserPoolAuth, signed_in: SignedIn) -> None:
    session = TokenSession(auth, signed_in, margin=120, rotate_refresh_token=True)
    assert_type(await session.access_token(), str)
    assert_type(await session.id_token(), str)
    assert_type(await session.fresh(), SignedIn)
    assert_type(await session.refresh(), SignedIn)
    assert_type(session.expires_at, datetime)
    assert_type(session.refresh_token, str | None)
    assert_type(session.ended, bool)
    await session.revoke()
    await session.global_sign_out()
    TokenSession(auth, signed_in, 60)  # type: ignore[call-arg]


async def a_verifier(token: str) -> None:
    verifier = TokenVerifier("eu-west-1_Ab3dEf", client_id="app", token_use="access")
    TokenVerifier(POOL, ["app", "other"], "id", groups="admins", scopes=["a", "b"], leeway=5)
    TokenVerifier(POOL, None, None, issuer="http://127.0.0.1/pool", jwks_url="http://x/j")
    claims = await verifier.verify(token)
    assert_type(claims, TokenClaims)
    assert_type(claims.sub, str)
    assert_type(claims.token_use, Literal["access", "id"])
    assert_type(claims.client_id, str)
    assert_type(claims.username, str | None)
    assert_type(claims.groups, tuple[str, ...])
    assert_type(claims.scopes, tuple[str, ...])
    assert_type(claims.expires_at, datetime)
    assert_type(claims["custom:tenant"], object)
    assert_type(claims.raw, Mapping[str, object])
    await verifier.load_keys()
    assert_type(verifier.verify_sync(token), TokenClaims)
    async with TokenVerifier(POOL, client_id="app") as scoped:
        assert_type(scoped, TokenVerifier)
    TokenVerifier(POOL)  # type: ignore[call-arg]
    TokenVerifier(POOL, "app", "refresh")  # type: ignore[arg-type]
    TokenVerifier(POOL, "app", "id", None)  # type: ignore[call-arg]


async def choice_based_and_admin(client: CognitoIdentityProviderClient, code: str) -> None:
    auth = UserPoolAuth(client, POOL, "client-id", "client-secret")
    assert_type(await auth.sign_in("alice"), SignInStep)
    step = await auth.sign_in("alice", preferred="EMAIL_OTP", client_metadata={"k": "v"})
    if isinstance(step, EmailOtp):
        step = await step.answer(code)
    assert_type(await auth.sign_in("alice", preferred="PASSWORD", password="pw"), SignInStep)
    context = shapes.ContextDataType(
        ip_address="198.51.100.7", server_name="app", server_path="/login", http_headers=[]
    )
    assert_type(await auth.admin_sign_in_password("alice", "pw", context_data=context), SignInStep)
    assert_type(await auth.admin_sign_in("alice", preferred="WEB_AUTHN"), SignInStep)
    # A first factor the type checker cannot know: newer than the library, or from the user.
    assert_type(await auth.sign_in("alice", preferred=UnmodeledValue("NEW_FACTOR")), SignInStep)
    factor: FirstFactor = "SMS_OTP"
    choice = await auth.sign_in("alice", preferred=factor)
    if isinstance(choice, SelectChallenge):
        assert_type(await choice.answer("EMAIL_OTP"), SignInStep)
        assert_type(await choice.answer(UnmodeledValue(choice.options[0])), SignInStep)


async def account_and_passkeys(client: CognitoIdentityProviderClient, token: str) -> None:
    auth = UserPoolAuth(client, POOL, "client-id")
    signed_up = await auth.sign_up("alice", "pw", attributes={"email": "a@example.com"})
    assert_type(signed_up, shapes.SignUpResponse)
    assert_type(await auth.sign_up("bob", None), shapes.SignUpResponse)
    assert_type(await auth.confirm_sign_up("alice", "123456"), shapes.ConfirmSignUpResponse)
    resent = await auth.resend_confirmation_code("alice")
    assert_type(resent, shapes.ResendConfirmationCodeResponse)
    assert_type(await auth.forgot_password("alice"), shapes.ForgotPasswordResponse)
    reset = await auth.confirm_forgot_password("alice", "123456", "new-pw")
    assert_type(reset, shapes.ConfirmForgotPasswordResponse)

    options = await auth.start_passkey_registration(token)
    assert_type(options, dict[str, shapes.Document])
    await auth.complete_passkey_registration(token, '{"id": "x"}')
    passkeys = await auth.list_passkeys(token)
    assert_type(passkeys, list[shapes.WebAuthnCredentialDescription])
    await auth.delete_passkey(token, passkeys[0].credential_id)


def errors_of_the_auth_package() -> None:
    as_value_error: type[ValueError] = SRPError
    as_cognito_error: type[Exception] = AuthFlowError
    session_over: type[CognitoError] = SessionExpiredError
    refused: type[ValueError] = TokenError
    subclasses: tuple[type[TokenError], ...] = (
        TokenExpiredError,
        TokenSignatureError,
        TokenClaimError,
    )
    keys: type[CognitoError] = JwksError
    del as_value_error, as_cognito_error, session_over, refused, keys, subclasses


async def misuse_that_must_not_type_check(
    client: CognitoIdentityProviderClient, user_input: str
) -> None:
    secret_hash("alice", "client-id")  # type: ignore[call-arg]
    secret_hash("alice", "client-id", b"secret")  # type: ignore[arg-type]
    UserSRP(POOL, "alice", "password", "client-id")  # type: ignore[call-arg]
    UserPoolAuth(client, POOL, client_secret="s")  # type: ignore[call-arg]
    auth = UserPoolAuth(client, POOL, "client-id")
    step = await auth.sign_in_srp("alice", "password")
    # A step must be narrowed first: SignedIn has no answer().
    answer = step.answer  # type: ignore[union-attr]
    signed_in: SignedIn = step  # type: ignore[assignment]
    del answer, signed_in
    await auth.sign_up("alice", "pw", attributes=[("email", "a@example.com")])  # type: ignore[arg-type]
    await auth.sign_in("alice", "pw")  # type: ignore[call-arg, arg-type]
    # First factors are checked like the client's enum parameters.
    await auth.sign_in("alice", preferred="EMAIL_OPT")  # type: ignore[arg-type]
    await auth.admin_sign_in("alice", preferred="SMS_MFA")  # type: ignore[arg-type]
    await auth.sign_in("alice", preferred=user_input, password="pw")  # type: ignore[arg-type]
    if isinstance(step, SelectChallenge):
        await step.answer("PASWORD", password="pw")  # type: ignore[arg-type]
        await step.answer(step.options[0])  # type: ignore[arg-type]
