"""Choice-based sign-in (USER_AUTH), passkeys and server-side sign-in, end to end.

Against the tests' own Cognito stand-in (``fake_cognito.py``) over HTTP: moto 5.2 implements
none of USER_AUTH, EMAIL_OTP/SMS_OTP as first factors, WebAuthn, or AdminInitiateAuth's
USER_AUTH. The stand-in checks SECRET_HASH over each request's USERNAME, sessions, SRP proofs
and, as a relying party, every passkey signature; the passkeys come from a software
authenticator built on ``cryptography`` (``webauthn.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aiocognito import CognitoIdentityProviderClient, ParamValidationError, errors, shapes
from aiocognito.auth import (
    AuthFlowError,
    EmailOtp,
    RememberedDevice,
    SelectChallenge,
    SignedIn,
    SmsMfa,
    SmsOtp,
    UserPoolAuth,
    WebAuthnChallenge,
)
from tests.auth.fake_cognito import ORIGIN, POOL_ID, RP_ID, FakeCognito, User, auth_for
from tests.auth.support import PASSWORD, SECRET, assert_nothing_leaked, secret_hashes_ok
from tests.auth.webauthn import SoftwareAuthenticator, b64url

_auth = auth_for


class _DummyCredentials:
    access_key = "testing"
    secret_key = "testing"
    token: str | None = None


@pytest.fixture
async def signing_client(fake_url: str) -> AsyncIterator[CognitoIdentityProviderClient]:
    """A client with (dummy) AWS credentials: the admin operations are signed."""
    async with CognitoIdentityProviderClient(
        "eu-west-1", endpoint_url=fake_url, credentials=_DummyCredentials()
    ) as client:
        yield client


def _alice(fake: FakeCognito, **kwargs: Any) -> User:
    return fake.add_user(
        "alice-0001",
        PASSWORD,
        aliases=("alice@example.com",),
        attributes={"email": "alice@example.com", "phone_number": "+15550104321"},
        **kwargs,
    )


async def _register_passkey(auth: UserPoolAuth, authenticator: SoftwareAuthenticator) -> str:
    """Sign in with the password, then register a passkey; its credential id."""
    signed_in = await auth.sign_in("alice@example.com", preferred="PASSWORD", password=PASSWORD)
    assert isinstance(signed_in, SignedIn)
    options = await auth.start_passkey_registration(signed_in.access_token)
    credential = authenticator.create(options)
    await auth.complete_passkey_registration(signed_in.access_token, credential)
    return str(credential["id"])


# -- choosing ---------------------------------------------------------------------------------


async def test_without_a_preference_the_service_offers_a_choice(
    fake: FakeCognito, client: Any, with_secret: bool
) -> None:
    _alice(fake)
    step = await _auth(client, with_secret).sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge) and step.name == "SELECT_CHALLENGE"
    assert step.options == ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP")
    ((op, initiate),) = fake.requests
    assert (op, initiate["AuthFlow"]) == ("InitiateAuth", "USER_AUTH")
    assert initiate["AuthParameters"]["USERNAME"] == "alice@example.com"
    assert "PREFERRED_CHALLENGE" not in initiate["AuthParameters"]
    secret_hashes_ok(fake)


async def test_choose_password(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    _alice(fake)
    auth = _auth(client, with_secret)
    step = await auth.sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    with pytest.raises(errors.NotAuthorizedException):
        await step.answer("PASSWORD", password=PASSWORD + "x")
    step = await auth.sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    done = await step.answer("PASSWORD", password=PASSWORD)
    assert isinstance(done, SignedIn) and done.username == "alice-0001"
    answer = fake.requests[-1][1]
    assert answer["ChallengeName"] == "SELECT_CHALLENGE"
    assert answer["ChallengeResponses"]["ANSWER"] == "PASSWORD"
    assert answer["ChallengeResponses"]["PASSWORD"] == PASSWORD
    assert answer["ChallengeResponses"]["USERNAME"] == "alice-0001"
    secret_hashes_ok(fake)


async def test_choose_password_srp(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    _alice(fake)
    auth = _auth(client, with_secret)
    step = await auth.sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    done = await step.answer("PASSWORD_SRP", password=PASSWORD)
    assert isinstance(done, SignedIn)
    names = [body.get("ChallengeName") for _, body in fake.requests[1:]]
    assert names == ["SELECT_CHALLENGE", "PASSWORD_VERIFIER"]
    select = fake.requests[1][1]["ChallengeResponses"]
    assert select["ANSWER"] == "PASSWORD_SRP" and int(select["SRP_A"], 16) > 1
    assert "PASSWORD" not in select  # the password never leaves this process
    assert all(PASSWORD not in json.dumps(body) for _, body in fake.requests)
    secret_hashes_ok(fake)
    # The stand-in checks the SRP proof: a wrong password is refused.
    step = await auth.sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    with pytest.raises(errors.NotAuthorizedException):
        await step.answer("PASSWORD_SRP", password=PASSWORD + "x")


@pytest.mark.parametrize(
    "case", [("EMAIL_OTP", EmailOtp, "EMAIL"), ("SMS_OTP", SmsOtp, "SMS")], ids=lambda c: c[0]
)
async def test_choose_a_one_time_code(
    fake: FakeCognito, client: Any, with_secret: bool, case: tuple[str, type, str]
) -> None:
    choice, cls, medium = case
    _alice(fake)
    step = await _auth(client, with_secret).sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    code_step = await step.answer(choice)
    assert isinstance(code_step, cls) and code_step.name == choice
    assert code_step.delivery_medium == medium and code_step.destination
    assert fake.requests[-1][1]["ChallengeResponses"]["ANSWER"] == choice
    with pytest.raises(errors.CodeMismatchException):
        await code_step.answer("000000" if fake.last_code(choice) != "000000" else "111111")
    done = await code_step.answer(fake.last_code(choice))
    assert isinstance(done, SignedIn) and done.username == "alice-0001"
    assert fake.requests[-1][1]["ChallengeResponses"][f"{choice}_CODE"] == fake.last_code(choice)
    secret_hashes_ok(fake)


@pytest.mark.parametrize("preferred", ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"])
async def test_a_preferred_challenge_goes_straight_there(
    fake: FakeCognito, client: Any, with_secret: bool, preferred: str
) -> None:
    _alice(fake)
    password = PASSWORD if preferred.startswith("PASSWORD") else None
    step = await _auth(client, with_secret).sign_in(
        "alice@example.com", preferred=preferred, password=password
    )
    params = fake.requests[0][1]["AuthParameters"]
    assert params["PREFERRED_CHALLENGE"] == preferred
    assert ("PASSWORD" in params) is (preferred == "PASSWORD")
    assert ("SRP_A" in params) is (preferred == "PASSWORD_SRP")
    if isinstance(step, (EmailOtp, SmsOtp)):
        assert step.name == preferred
        step = await step.answer(fake.last_code(preferred))
    assert isinstance(step, SignedIn)
    secret_hashes_ok(fake)


async def test_a_preference_the_user_cannot_use_falls_back_to_the_choice(
    fake: FakeCognito, client: Any
) -> None:
    fake.add_user("bob", PASSWORD, attributes={"email": "bob@example.com"})
    step = await _auth(client, False).sign_in("bob", preferred="SMS_OTP")
    assert isinstance(step, SelectChallenge)
    assert step.options == ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP")


async def test_mfa_after_a_password_choice(fake: FakeCognito, client: Any) -> None:
    _alice(fake, after_password=["SMS_MFA"], codes={"SMS_MFA": "246810"})
    step = await _auth(client, True).sign_in(
        "alice@example.com", preferred="PASSWORD", password=PASSWORD
    )
    assert isinstance(step, SmsMfa)
    assert isinstance(await step.answer("246810"), SignedIn)
    secret_hashes_ok(fake)


async def test_bad_arguments_send_nothing(fake: FakeCognito, client: Any) -> None:
    _alice(fake)
    auth = _auth(client, False)
    for preferred in ("PASSWORD", "PASSWORD_SRP"):
        with pytest.raises(ParamValidationError, match="needs the user's password"):
            await auth.sign_in("alice@example.com", preferred=preferred)
    with pytest.raises(ParamValidationError, match="only with PASSWORD or PASSWORD_SRP"):
        await auth.sign_in("alice@example.com", password=PASSWORD)
    with pytest.raises(ParamValidationError, match="only with PASSWORD or PASSWORD_SRP"):
        await auth.sign_in("alice@example.com", preferred="EMAIL_OTP", password=PASSWORD)
    assert fake.requests == []
    step = await auth.sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    with pytest.raises(ParamValidationError, match="'WEB_AUTHN' is not among"):
        await step.answer("WEB_AUTHN")  # alice has no passkey yet
    with pytest.raises(ParamValidationError, match="the choice is not among") as misplaced:
        await step.answer(PASSWORD)  # a password where the choice goes is not echoed
    assert PASSWORD not in str(misplaced.value)
    with pytest.raises(ParamValidationError, match="needs the user's password"):
        await step.answer("PASSWORD_SRP")
    with pytest.raises(ParamValidationError, match="only with PASSWORD"):
        await step.answer("EMAIL_OTP", password=PASSWORD)
    assert len(fake.requests) == 1


async def test_remembered_device_in_choice_based_sign_in(
    fake: FakeCognito, client: Any, with_secret: bool
) -> None:
    fake.track_devices = True
    _alice(fake, after_password=["SMS_MFA"], codes={"SMS_MFA": "999000"})
    auth = _auth(client, with_secret)
    step = await auth.sign_in("alice@example.com", preferred="PASSWORD", password=PASSWORD)
    assert isinstance(step, SmsMfa)
    signed_in = await step.answer("999000")
    assert isinstance(signed_in, SignedIn)
    device = await auth.remember_device(signed_in)

    # With the device, the service skips MFA after the device proves itself (device SRP).
    fake.requests.clear()
    step = await auth.sign_in("alice@example.com", device=device)
    assert isinstance(step, SelectChallenge)
    again = await step.answer("PASSWORD_SRP", password=PASSWORD)
    assert isinstance(again, SignedIn) and again.device == device
    names = [body.get("ChallengeName") for _, body in fake.requests[1:]]
    assert names == [
        "SELECT_CHALLENGE",
        "PASSWORD_VERIFIER",
        "DEVICE_SRP_AUTH",
        "DEVICE_PASSWORD_VERIFIER",
    ]
    for _, body in fake.requests:
        params = body.get("AuthParameters") or body.get("ChallengeResponses")
        assert params["DEVICE_KEY"] == device.device_key
    secret_hashes_ok(fake)


# -- passkeys -------------------------------------------------------------------------------


async def test_passkey_registration_then_sign_in(
    fake: FakeCognito, client: Any, with_secret: bool
) -> None:
    _alice(fake)
    auth = _auth(client, with_secret)
    authenticator = SoftwareAuthenticator(ORIGIN)
    credential_id = await _register_passkey(auth, authenticator)
    assert [b64url(p.credential_id) for p in fake.users["alice-0001"].passkeys] == [credential_id]

    step = await auth.sign_in("alice@example.com", preferred="WEB_AUTHN")
    assert isinstance(step, WebAuthnChallenge) and step.name == "WEB_AUTHN"
    options = step.credential_request_options
    assert options["rpId"] == RP_ID and options["userVerification"] == "required"
    assert options["allowCredentials"] == [
        {"type": "public-key", "id": credential_id, "transports": ["internal", "hybrid"]}
    ]
    assertion = authenticator.get(options)
    done = await step.answer(assertion)
    assert isinstance(done, SignedIn) and done.username == "alice-0001"
    sent = fake.requests[-1][1]["ChallengeResponses"]
    assert json.loads(sent["CREDENTIAL"]) == assertion  # carried faithfully
    secret_hashes_ok(fake)

    # Through the choice, with the browser's JSON text as it came.
    step = await auth.sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge) and "WEB_AUTHN" in step.options
    passkey_step = await step.answer("WEB_AUTHN")
    assert isinstance(passkey_step, WebAuthnChallenge)
    text = json.dumps(authenticator.get(passkey_step.credential_request_options))
    assert isinstance(await passkey_step.answer(text), SignedIn)
    assert fake.requests[-1][1]["ChallengeResponses"]["CREDENTIAL"] == text


async def test_the_stand_in_refuses_what_cognito_refuses(fake: FakeCognito, client: Any) -> None:
    _alice(fake)
    auth = _auth(client, False)
    authenticator = SoftwareAuthenticator(ORIGIN)
    await _register_passkey(auth, authenticator)

    # A signature by another key.
    step = await auth.sign_in("alice-0001", preferred="WEB_AUTHN")
    assert isinstance(step, WebAuthnChallenge)
    impostor = SoftwareAuthenticator(ORIGIN)
    impostor.create(
        {
            "rp": {"id": RP_ID},
            "user": {"id": "dXNlcg"},
            "challenge": "x",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
        }
    )
    forged = impostor.get({**step.credential_request_options, "allowCredentials": []})
    forged["id"] = forged["rawId"] = step.credential_request_options["allowCredentials"][0]["id"]  # type: ignore[index,call-overload]
    with pytest.raises(errors.NotAuthorizedException):
        await step.answer(forged)

    # An assertion made for an earlier challenge (a replay).
    step = await auth.sign_in("alice-0001", preferred="WEB_AUTHN")
    assert isinstance(step, WebAuthnChallenge)
    old = authenticator.get(step.credential_request_options)
    assert isinstance(await step.answer(old), SignedIn)
    step = await auth.sign_in("alice-0001", preferred="WEB_AUTHN")
    assert isinstance(step, WebAuthnChallenge)
    with pytest.raises(errors.NotAuthorizedException):
        await step.answer(old)

    # A page on another origin cannot register a passkey for this pool.
    signed_in = await auth.sign_in("alice-0001", preferred="PASSWORD", password=PASSWORD)
    assert isinstance(signed_in, SignedIn)
    options = await auth.start_passkey_registration(signed_in.access_token)
    phishing = SoftwareAuthenticator("https://app.example.com.evil.test")
    with pytest.raises(errors.WebAuthnOriginNotAllowedException):
        await auth.complete_passkey_registration(signed_in.access_token, phishing.create(options))


async def test_list_and_delete_passkeys(fake: FakeCognito, client: Any) -> None:
    _alice(fake)
    fake.list_page_size = 2
    auth = _auth(client, False)
    authenticator = SoftwareAuthenticator(ORIGIN)
    ids = [await _register_passkey(auth, authenticator) for _ in range(3)]
    signed_in = await auth.sign_in("alice-0001", preferred="PASSWORD", password=PASSWORD)
    assert isinstance(signed_in, SignedIn)
    fake.requests.clear()
    listed = await auth.list_passkeys(signed_in.access_token)
    assert [p.credential_id for p in listed] == ids
    assert all(isinstance(p, shapes.WebAuthnCredentialDescription) for p in listed)
    assert listed[0].relying_party_id == RP_ID
    assert fake.ops() == ["ListWebAuthnCredentials"] * 2  # two pages
    await auth.delete_passkey(signed_in.access_token, ids[1])
    assert [p.credential_id for p in await auth.list_passkeys(signed_in.access_token)] == [
        ids[0],
        ids[2],
    ]
    with pytest.raises(errors.ResourceNotFoundException):
        await auth.delete_passkey(signed_in.access_token, ids[1])


async def test_malformed_credentials_are_refused_before_sending(
    fake: FakeCognito, client: Any
) -> None:
    _alice(fake)
    auth = _auth(client, False)
    authenticator = SoftwareAuthenticator(ORIGIN)
    await _register_passkey(auth, authenticator)
    step = await auth.sign_in("alice-0001", preferred="WEB_AUTHN")
    assert isinstance(step, WebAuthnChallenge)
    sent = len(fake.requests)
    for bad in ("not json", "[1, 2]", "{" * 100_000, 42):
        with pytest.raises(ParamValidationError, match="credential") as caught:
            await step.answer(bad)  # type: ignore[arg-type]
        assert "not json" not in str(caught.value)
    with pytest.raises(ParamValidationError, match="credential"):
        await step.answer({"id": float("nan")})
    with pytest.raises(ParamValidationError, match="credential"):
        await auth.complete_passkey_registration("token", "[]")
    assert len(fake.requests) == sent


async def test_web_authn_without_request_options(fake: FakeCognito, client: Any) -> None:
    _alice(fake)
    auth = _auth(client, False)
    await _register_passkey(auth, SoftwareAuthenticator(ORIGIN))
    for hostile in ("{not json", '{"challenge": "' + "x" * 70_000 + '"}', "[" * 5000 + "]" * 5000):
        fake.tamper.webauthn_options = hostile
        with pytest.raises(AuthFlowError, match="CREDENTIAL_REQUEST_OPTIONS") as caught:
            await auth.sign_in("alice-0001", preferred="WEB_AUTHN")
        assert hostile[:12] not in str(caught.value)


# -- server-side (admin) sign-in -----------------------------------------------------------------


def _context() -> shapes.ContextDataType:
    return shapes.ContextDataType(
        ip_address="198.51.100.7",
        server_name="app.example.com",
        server_path="/login",
        http_headers=[shapes.HttpHeader(header_name="cookie", header_value="sid=c00k1e-s3cr3t")],
        encoded_data="ZW5jb2RlZA",
    )


def _signed(fake: FakeCognito) -> list[tuple[str, bool]]:
    return [
        (op, bool(auth and auth.startswith("AWS4-HMAC-SHA256")))
        for (op, _), auth in zip(fake.requests, fake.authorization, strict=True)
    ]


async def test_admin_password_sign_in_answers_through_the_admin_operation(
    fake: FakeCognito, signing_client: CognitoIdentityProviderClient, with_secret: bool
) -> None:
    _alice(fake, after_password=["SMS_MFA"], codes={"SMS_MFA": "135790"})
    auth = _auth(signing_client, with_secret)
    step = await auth.admin_sign_in_password("alice@example.com", PASSWORD, context_data=_context())
    assert isinstance(step, SmsMfa)
    done = await step.answer("135790")
    assert isinstance(done, SignedIn) and done.username == "alice-0001"
    assert _signed(fake) == [("AdminInitiateAuth", True), ("AdminRespondToAuthChallenge", True)]
    initiate, answer = (body for _, body in fake.requests)
    assert initiate["AuthFlow"] == "ADMIN_USER_PASSWORD_AUTH"
    assert initiate["AuthParameters"]["PASSWORD"] == PASSWORD
    for body in (initiate, answer):
        assert body["UserPoolId"] == POOL_ID
        assert body["ContextData"]["IpAddress"] == "198.51.100.7"
        assert body["ContextData"]["HttpHeaders"] == [
            {"headerName": "cookie", "headerValue": "sid=c00k1e-s3cr3t"}
        ]
    secret_hashes_ok(fake)
    with pytest.raises(errors.NotAuthorizedException):
        await auth.admin_sign_in_password("alice@example.com", PASSWORD + "x")


async def test_admin_choice_based_sign_in(
    fake: FakeCognito, signing_client: CognitoIdentityProviderClient, with_secret: bool
) -> None:
    _alice(fake)
    auth = _auth(signing_client, with_secret)
    step = await auth.admin_sign_in("alice@example.com")
    assert isinstance(step, SelectChallenge)
    code_step = await step.answer("EMAIL_OTP")
    assert isinstance(code_step, EmailOtp)
    assert isinstance(await code_step.answer(fake.last_code("EMAIL_OTP")), SignedIn)
    step = await auth.admin_sign_in(
        "alice@example.com", preferred="PASSWORD_SRP", password=PASSWORD, context_data=_context()
    )
    assert isinstance(step, SignedIn)
    assert {op for op, _ in _signed(fake)} == {"AdminInitiateAuth", "AdminRespondToAuthChallenge"}
    assert all(signed for _, signed in _signed(fake))
    assert fake.requests[-1][1]["ChallengeName"] == "PASSWORD_VERIFIER"
    assert fake.requests[-1][1]["ContextData"]["ServerPath"] == "/login"
    secret_hashes_ok(fake)


async def test_public_operations_stay_unsigned(
    fake: FakeCognito, signing_client: CognitoIdentityProviderClient
) -> None:
    _alice(fake)
    step = await _auth(signing_client, False).sign_in("alice-0001", preferred="EMAIL_OTP")
    assert isinstance(step, EmailOtp)
    assert isinstance(await step.answer(fake.last_code("EMAIL_OTP")), SignedIn)
    assert _signed(fake) == [("InitiateAuth", False), ("RespondToAuthChallenge", False)]


# -- nothing secret anywhere -------------------------------------------------------------------


async def test_nothing_secret_in_the_new_steps(
    fake: FakeCognito,
    signing_client: CognitoIdentityProviderClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _alice(fake, codes={"EMAIL_OTP": "864209"})
    auth = _auth(signing_client, True)
    authenticator = SoftwareAuthenticator(ORIGIN)
    seen: list[object] = []

    select = await auth.sign_in("alice@example.com")
    seen.append(select)
    assert isinstance(select, SelectChallenge)
    otp = await select.answer("EMAIL_OTP")
    seen.append(otp)
    assert isinstance(otp, EmailOtp)
    with pytest.raises(errors.CodeMismatchException) as wrong_code:
        await otp.answer("000001")
    signed_in = await otp.answer("864209")
    seen += [wrong_code.value, signed_in]
    assert isinstance(signed_in, SignedIn)
    options = await auth.start_passkey_registration(signed_in.access_token)
    await auth.complete_passkey_registration(signed_in.access_token, authenticator.create(options))
    passkey = await auth.sign_in("alice@example.com", preferred="WEB_AUTHN")
    seen.append(passkey)
    assert isinstance(passkey, WebAuthnChallenge)
    assertion = authenticator.get(passkey.credential_request_options)
    seen.append(await passkey.answer(assertion))
    srp_step = await auth.admin_sign_in("alice@example.com", context_data=_context())
    seen.append(srp_step)
    assert isinstance(srp_step, SelectChallenge)
    with pytest.raises(errors.NotAuthorizedException) as wrong_password:
        await srp_step.answer("PASSWORD_SRP", password="Wrong-Pass-9")
    seen.append(wrong_password.value)
    with pytest.raises(ParamValidationError) as bad_credential:
        await passkey.answer('{"signature": "c2lnbmF0dXJl"')
    seen.append(bad_credential.value)
    device = RememberedDevice(device_key="k", device_group_key="g", device_password="DevPass")
    with pytest.raises(ParamValidationError) as no_password:
        await auth.sign_in("alice@example.com", preferred="PASSWORD", device=device)
    seen.append(no_password.value)

    secrets = {PASSWORD, "Wrong-Pass-9", SECRET, "864209", "000001", "DevPass", "c00k1e-s3cr3t"}
    secrets |= {signed_in.access_token, signed_in.id_token, str(signed_in.refresh_token)}
    secrets.add(str(passkey.credential_request_options["challenge"]))
    response = assertion["response"]
    secrets |= {response["signature"], response["clientDataJSON"], response["authenticatorData"]}
    for _, body in fake.requests:
        if body.get("Session"):
            secrets.add(body["Session"])
    assert_nothing_leaked(seen, secrets, caplog, never=("sess-", "alice"))
