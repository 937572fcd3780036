"""The account lifecycle through UserPoolAuth: sign-up, confirmation, resend, password reset.

Against the tests' own Cognito stand-in (``fake_cognito.py``): moto implements these calls but
checks neither SECRET_HASH nor the codes (it confirms a sign-up with any code and has no
ResendConfirmationCode), so only the stand-in shows that the hash is right and that a wrong
code is a typed error. ``test_moto.py`` runs the same journey against moto for the wire shapes.
"""

from __future__ import annotations

from typing import Any

import pytest

from aiocognito import errors, shapes
from aiocognito.auth import EmailOtp, SignedIn, UserPoolAuth
from tests.auth.fake_cognito import POOL_ID, FakeCognito, auth_for
from tests.auth.simulation import cognito_secret_hash
from tests.auth.support import PASSWORD, SECRET

LIFECYCLE = {
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "ForgotPassword",
    "ConfirmForgotPassword",
}


@pytest.fixture
def auth(client: Any, with_secret: bool) -> UserPoolAuth:
    return auth_for(client, with_secret)


def _secret_hashes_ok(fake: FakeCognito) -> None:
    for op, body in fake.requests:
        if op not in LIFECYCLE:
            continue
        if body["ClientId"] == "secret-client":
            assert body["SecretHash"] == cognito_secret_hash(
                body["Username"], "secret-client", SECRET
            ), op
        else:
            assert "SecretHash" not in body, op


async def test_sign_up_confirm_and_sign_in(fake: FakeCognito, auth: UserPoolAuth) -> None:
    answer = await auth.sign_up(
        "carol", PASSWORD, attributes={"email": "carol@example.com", "name": "Carol"}
    )
    assert isinstance(answer, shapes.SignUpResponse)
    assert answer.user_confirmed is False and answer.user_sub
    assert answer.code_delivery_details is not None
    assert answer.code_delivery_details.delivery_medium == "EMAIL"
    assert answer.code_delivery_details.destination == "c***@e***"
    sent = fake.requests[0][1]
    assert sent["UserAttributes"] == [
        {"Name": "email", "Value": "carol@example.com"},
        {"Name": "name", "Value": "Carol"},
    ]
    with pytest.raises(errors.UsernameExistsException):
        await auth.sign_up("carol", PASSWORD)
    with pytest.raises(errors.UserNotConfirmedException):
        await auth.sign_in_password("carol", PASSWORD)

    first = fake.last_code("SIGN_UP")
    with pytest.raises(errors.CodeMismatchException):
        await auth.confirm_sign_up("carol", "not-" + first)
    resent = await auth.resend_confirmation_code("carol")
    assert isinstance(resent, shapes.ResendConfirmationCodeResponse)
    assert resent.code_delivery_details is not None
    second = fake.last_code("SIGN_UP")
    if second != first:  # the old code stops working once a new one is sent
        with pytest.raises(errors.CodeMismatchException):
            await auth.confirm_sign_up("carol", first)
    confirmed = await auth.confirm_sign_up("carol", second)
    assert isinstance(confirmed, shapes.ConfirmSignUpResponse)
    assert fake.users["carol"].attributes == {"email": "carol@example.com", "name": "Carol"}
    assert isinstance(await auth.sign_in_password("carol", PASSWORD), SignedIn)
    _secret_hashes_ok(fake)


async def test_passwordless_sign_up(fake: FakeCognito, auth: UserPoolAuth) -> None:
    await auth.sign_up("dave", None, attributes={"email": "dave@example.com"})
    assert "Password" not in fake.requests[0][1]
    await auth.confirm_sign_up("dave", fake.last_code("SIGN_UP"))
    step = await auth.sign_in("dave")
    assert not isinstance(step, SignedIn) and step.name == "SELECT_CHALLENGE"
    step = await auth.sign_in("dave", preferred="EMAIL_OTP")
    assert isinstance(step, EmailOtp)
    assert isinstance(await step.answer(fake.last_code("EMAIL_OTP")), SignedIn)
    _secret_hashes_ok(fake)


async def test_forgot_and_reset_password(fake: FakeCognito, auth: UserPoolAuth) -> None:
    fake.add_user("erin", PASSWORD, attributes={"email": "erin@example.com"})
    started = await auth.forgot_password("erin")
    assert isinstance(started, shapes.ForgotPasswordResponse)
    assert started.code_delivery_details is not None
    assert started.code_delivery_details.attribute_name == "email"
    code = fake.last_code("FORGOT_PASSWORD")
    with pytest.raises(errors.CodeMismatchException):
        await auth.confirm_forgot_password("erin", "x" + code, "New-Pass-2024")
    with pytest.raises(errors.InvalidPasswordException):
        await auth.confirm_forgot_password("erin", code, "short")
    done = await auth.confirm_forgot_password("erin", code, "New-Pass-2024")
    assert isinstance(done, shapes.ConfirmForgotPasswordResponse)
    assert isinstance(await auth.sign_in_srp("erin", "New-Pass-2024"), SignedIn)
    with pytest.raises(errors.NotAuthorizedException):
        await auth.sign_in_srp("erin", PASSWORD)
    with pytest.raises(errors.UserNotFoundException):
        await auth.forgot_password("nobody")
    _secret_hashes_ok(fake)


async def test_the_stand_in_refuses_a_wrong_secret_hash(fake: FakeCognito, client: Any) -> None:
    wrong = UserPoolAuth(client, POOL_ID, "secret-client", "not-the-secret")
    with pytest.raises(errors.NotAuthorizedException, match="secret hash"):
        await wrong.sign_up("frank", PASSWORD)
    missing = UserPoolAuth(client, POOL_ID, "secret-client")
    with pytest.raises(errors.NotAuthorizedException, match="SECRET_HASH was not received"):
        await missing.forgot_password("frank")
    assert fake.users == {}


async def test_lifecycle_errors_hold_no_secret(fake: FakeCognito, client: Any) -> None:
    auth = UserPoolAuth(client, POOL_ID, "secret-client", SECRET)
    await auth.sign_up("gina", PASSWORD, attributes={"email": "gina@example.com"})
    with pytest.raises(errors.CodeMismatchException) as wrong_code:
        await auth.confirm_sign_up("gina", "13579246")
    with pytest.raises(errors.InvalidPasswordException) as short:
        await auth.sign_up("hank", "Sh0rt!")
    for text in (str(wrong_code.value), repr(wrong_code.value), str(short.value)):
        for secret in ("13579246", "Sh0rt!", SECRET, PASSWORD):
            assert secret not in text
